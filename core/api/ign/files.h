#pragma once
// Writing files so that a crash or a full disk never leaves a half-written one. No torch here.
#include <string>
#include <vector>

#include "ign/options.h"

namespace ign {

// Writes `bytes` to `path` through a temporary file, fsync and rename.
void write_file_atomically(const std::string& path, const std::string& bytes);

// Loss history as CSV (step,wall_s,total, then one column per loss term), written atomically.
void write_loss_csv(const std::string& path, const std::vector<LossRecord>& history);

}  // namespace ign
