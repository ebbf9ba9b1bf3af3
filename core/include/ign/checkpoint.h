#pragma once
// One file per checkpoint: weights, optimizer state, step, the options that built the model, noise
// statistics, loss history and a format version. Written atomically (temporary file, fsync, rename).
#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <vector>

#include "ign/errors.h"
#include "ign/files.h"
#include "ign/model.h"
#include "ign/noise.h"
#include "ign/options.h"

namespace ign {

// A checkpoint's record of its run (CheckpointSummary, options.h), the spectral noise's statistics and,
// for runs with the coverage term, the current round's matching (coverage.h), so a resume is exact.
struct CheckpointInfo : CheckpointSummary {
    SpectralStats spectral;
    int64_t coverage_round = -1;
    torch::Tensor coverage_matches;  // int32, one candidate index per image of the round
    NoiseSampler noise_sampler() const { return {noise, model.channels, model.image_size, spectral}; }
};

// Checkpoints of formats 1 to 3 written before options.h had JSON macros called the clamp factor "a", in the
// objective and in each stage's objective: renamed in a checkpoint's metadata before it is read.
inline void rename_legacy_keys(nlohmann::json& meta) {
    auto rename = [](nlohmann::json& objective) {
        if (objective.contains("a") && !objective.contains("tight_clamp_a")) objective["tight_clamp_a"] = objective["a"];
    };
    if (meta.contains("objective")) rename(meta["objective"]);
    if (meta.contains("stages"))
        for (auto& stage : meta["stages"])
            if (stage.contains("objective")) rename(stage["objective"]);
}

// Throws CheckpointError naming the file when the write fails; the previous file at `path` survives.
void save_checkpoint(const std::string& path, const CheckpointInfo& info, IgnNet& model,
                     torch::optim::Optimizer* optimizer);

struct LoadedCheckpoint {
    std::string path;
    CheckpointInfo info;
    IgnNet model{nullptr};
    std::shared_ptr<torch::serialize::InputArchive> archive;  // for restore_optimizer
};

// CRC-32 of the model's parameters and buffers (in registration order) and the loss history.
uint32_t checkpoint_checksum(IgnNet& model, const torch::Tensor& history);

// Throws CheckpointError naming the file: missing, not a checkpoint, damaged (checksum mismatch),
// unsupported version.
LoadedCheckpoint load_checkpoint(const std::string& path);
void restore_optimizer(const LoadedCheckpoint& checkpoint, torch::optim::Optimizer& optimizer);

// Loads a LibTorch archive onto the CPU after checking what LibTorch 1.13 does not: every zip record's
// CRC-32, and that the tensors' storages declare exactly the bytes the file holds (so no later read
// runs past a record). Throws CheckpointError naming the file.
void load_archive_checked(torch::serialize::InputArchive& archive, const std::string& path);

// Text (JSON metadata) stored in a LibTorch archive as a uint8 tensor, and back.
torch::Tensor text_to_tensor(const std::string& text);
std::string tensor_to_text(const torch::Tensor& tensor);

}  // namespace ign
