// The studio's settings file (QSettings, INI format) with the reads and conversions MainWindow and
// TrainPanel make: any bytes give values or defaults, never a crash.
#include <QSettings>
#include <QString>
#include <algorithm>

#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const auto path = ign::fuzzing::write_input("settings.conf", data, size);
    QSettings s(QString::fromStdString(path), QSettings::IniFormat);
    (void)s.value("window/geometry").toByteArray();
    (void)std::clamp(s.value("window/tab", 1).toInt(), 0, 3);
    (void)s.value("model/last").toString();
    for (const char* key : {"sample/seed", "sample/k", "train/width", "train/latent", "train/batch", "train/steps",
                            "train/seed", "train/preview_every", "train/checkpoint_every"})
        (void)s.value(key, 0).toInt();
    for (const char* key : {"train/lr", "train/smoothing"}) (void)s.value(key, 0.0).toDouble();
    for (const char* key : {"train/data", "train/preset", "train/norm", "train/noise", "train/device", "train/out"})
        (void)s.value(key, "").toString();
    (void)s.allKeys();
    return 0;
}
