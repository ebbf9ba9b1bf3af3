#pragma once
// A training run's folder is its live record: checkpoint.pt, losses.csv, preview.png and status.json,
// rewritten atomically as training goes, so anyone can follow the run by reading them (the studio's
// File > Follow run folder, for a run on a server whose folder is shared or synced). No torch here.
#include <string>
#include <vector>

#include "ign/options.h"

namespace ign {

// Where training stands, as status.json holds it.
struct RunStatus {
    std::string state = "running";  // running, completed, cancelled, diverged or failed
    int64_t step = 0, total_steps = 0;
    double images_per_s = 0, eta_s = 0, wall_s = 0;
    double updated_unix = 0;  // when this was written (seconds since 1970)
    std::string description;  // model, objective, data and settings of the run
    std::string message;      // why it ended, when it has
};

void write_run_status(const std::string& path, const RunStatus& status);
// Throws DataError naming the file and the problem.
RunStatus read_run_status(const std::string& path);

// losses.csv back into records. Throws DataError naming the file and line when malformed.
std::vector<LossRecord> read_loss_csv(const std::string& path);

// The files of a run folder.
struct RunFiles {
    std::string checkpoint, losses, preview, status;
};
RunFiles run_files(const std::string& folder);

}  // namespace ign
