#pragma once
// Training loop: Adam on the IGN objective, with progress / preview callbacks, cancel, periodic atomic
// checkpoints, exact resume and a NaN guard.
#include <torch/torch.h>

#include <atomic>
#include <functional>
#include <string>

#include "ign/checkpoint.h"
#include "ign/data.h"
#include "ign/options.h"

namespace ign {

struct TrainOptions {
    ModelOptions model = preset_options("mnist28");
    ObjectiveOptions objective;
    OptimizerOptions optimizer;
    NoiseKind noise = NoiseKind::Gaussian;
    TrainSettings settings;            // data name, batch, target steps, seed
    std::string out_dir = "runs/run";  // checkpoint.pt, losses.csv
    std::string resume;                // checkpoint to continue from (its model/objective/noise win)
    std::string device = "cpu";        // "cpu" or "cuda" (see resolve_device); data stays on the CPU
    int64_t checkpoint_every = 500;    // steps; 0: only at the end
    int64_t preview_every = 250;       // steps; 0: never
    int preview_count = 64;
    uint64_t preview_seed = 12345;
    std::string to_string() const;
};

struct TrainProgress {
    int64_t step = 0, total_steps = 0;
    double images_per_s = 0, eta_s = 0, wall_s = 0;
    LossRecord losses;
};

struct TrainCallbacks {
    std::function<void(const TrainProgress&)> on_step;
    // f(z) and f(f(z)) for the fixed preview noise, with the default inference normalisation.
    std::function<void(int64_t step, const torch::Tensor& samples, const torch::Tensor& refined)> on_preview;
    std::function<void(int64_t step, const std::string& path)> on_checkpoint;
};

enum class TrainStatus { Completed, Cancelled, Diverged };

struct TrainResult {
    TrainStatus status = TrainStatus::Completed;
    int64_t step = 0;  // steps done in total (including resumed ones)
    std::string message;
    std::string checkpoint_path;
};

class Trainer {
public:
    // `data` is the training split ([N, C, H, W] in [-1, 1], already at the model's channels and size).
    // With options.resume set, the model, objective, optimizer options and noise come from the checkpoint.
    Trainer(TrainOptions options, Dataset data);

    TrainResult run(const TrainCallbacks& callbacks = {}, const std::atomic<bool>* cancel = nullptr);

    IgnNet model() const { return m_model; }
    const CheckpointInfo& info() const { return m_info; }
    std::string checkpoint_path() const;
    std::string csv_path() const;

private:
    torch::Tensor batch_for_step(int64_t step);
    void save(torch::optim::Adam& optimizer);

    TrainOptions m_options;
    Dataset m_data;
    IgnNet m_model{nullptr};
    CheckpointInfo m_info;
    NoiseSampler m_noise;
    std::unique_ptr<torch::optim::Adam> m_optimizer;
    int64_t m_cached_epoch = -1;
    torch::Tensor m_epoch_order;
};

}  // namespace ign
