#pragma once
// The engine's value types as Qt meta-types, declared once for every signal that carries them.
#include <QMetaType>
#include <vector>

#include "ign/options.h"
#include "ign/run_folder.h"

Q_DECLARE_METATYPE(ign::LossRecord)
Q_DECLARE_METATYPE(ign::TrainProgress)
Q_DECLARE_METATYPE(std::vector<ign::LossRecord>)
Q_DECLARE_METATYPE(ign::RunStatus)
Q_DECLARE_METATYPE(ign::TrainOptions)
