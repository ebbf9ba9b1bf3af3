#pragma once
// Training loop: Adam on the IGN objective, with progress / preview callbacks, cancel, periodic atomic
// checkpoints, exact resume and a NaN guard.
#include <torch/torch.h>

#include <atomic>
#include <functional>
#include <optional>
#include <string>

#include "ign/checkpoint.h"
#include "ign/coverage.h"
#include "ign/data.h"
#include "ign/distributed.h"
#include "ign/objective.h"
#include "ign/options.h"
#include "ign/run_folder.h"
#include "ign/session.h"  // TrainCallbacks

namespace ign {

class Trainer {
public:
    // `data` is the training split ([N, C, H, W] in [-1, 1], already at the model's channels and size).
    // With options.resume set, the model, objective, optimizer options and noise come from the checkpoint.
    // With options.distributed.world_size > 1 this joins the process group (blocking until all have) and
    // takes rank 0's weights; each step then trains on this rank's share of the batch, gradients,
    // losses and normalisation statistics are averaged, and only rank 0 writes files.
    Trainer(TrainOptions options, Dataset data);
    ~Trainer();

    // Throws DistributedError when a peer dies or hangs (rank 0 first saves the last completed step), and
    // EngineError naming the step and the run's settings when LibTorch fails inside a step.

    TrainResult run(const TrainCallbacks& callbacks = {}, const std::atomic<bool>* cancel = nullptr);

    // A term added to the objective for this run (Objective::add_term), before run().
    void add_loss_term(const std::string& name, double weight, TermFunction term);

    IgnNet model() const { return m_model; }
    const CheckpointInfo& info() const { return m_info; }
    // "fp32" or "bf16": the precision this run trains in (auto resolved for its device).
    const std::string& precision() const { return m_options.precision; }
    std::string checkpoint_path() const;
    std::string csv_path() const;
    std::string preview_path() const;

private:
    // The constructor's work: model (new or resumed), optimizer, device, data checks, process group.
    void prepare();
    void start_model(const std::optional<LoadedCheckpoint>& loaded);  // new, or the checkpoint's
    void start_optimizer(const std::optional<LoadedCheckpoint>& loaded);
    void move_to_device();  // model, the objective's frozen copy, restored optimizer moments
    void check_data() const;
    void start_coverage();  // the matcher, continuing a checkpoint's round
    void join_process_group();
    // The data indices of images [begin, end) of the step's batch (the whole batch is [0, batch)).
    torch::Tensor indices_for_step(int64_t step, int64_t begin, int64_t end);
    void save(torch::optim::Adam& optimizer);
    // Model, noise, batch, precision and device in words, for error messages.
    std::string settings_summary() const;
    bool writes_files() const { return !m_sync || m_sync->rank() == 0; }
    // losses.csv, status.json (and preview.png when given) into the run folder, for whoever follows it.
    void publish(RunStatus status, const TrainCallbacks& callbacks);
    void write_preview(const torch::Tensor& samples, const torch::Tensor& refined, const TrainCallbacks& callbacks);

    // run(), in parts: a step, what follows it, the end, and what an error leaves behind.
    struct RunState;
    LossRecord train_step(RunState& run);
    torch::Tensor matched_latents(const RunState& run, int64_t step, const torch::Tensor& indices);
    void after_step(RunState& run, LossRecord record);
    TrainResult finish(RunState& run, TrainResult result);
    RunStatus status_now(const RunState& run, const std::string& state) const;
    std::string divergence_message(const LossRecord& record) const;
    EngineError engine_failure(const RunState& run, const c10::Error& e);
    DistributedError distributed_failure(const RunState& run, const DistributedError& e);
    void publish_failure(const RunState& run, const std::string& message);
    bool m_publish_warned = false;

    TrainOptions m_options;
    Dataset m_data;
    IgnNet m_model{nullptr};
    CheckpointInfo m_info;
    NoiseSampler m_noise;
    std::unique_ptr<torch::optim::Adam> m_optimizer;
    int64_t m_cached_epoch = -1;
    torch::Tensor m_epoch_order;
    std::unique_ptr<ProcessGroupSync> m_sync;  // null: one process
    std::unique_ptr<Objective> m_objective;
    std::unique_ptr<CoverageMatcher> m_coverage;  // null: no coverage term
};

// A request resolved: steps, data, output folder (empty: runs/<preset>-<data>, or the checkpoint's
// folder on resume) and device filled in, the data set loaded. Throws DataError / CheckpointError.
struct TrainPlan {
    TrainOptions options;
    TrainTestSplit data;
    std::string device_note;  // non-empty when the device asked for was not available
    std::string fit_note;     // non-empty when settings were chosen from the data's size (fit_to_data)
};
TrainPlan plan_training(const TrainRequest& request);

// Applies a resumed run's changes to the checkpoint's objective and learning rate; when anything changes,
// records the new stage in info.stages (the first resume that changes something also records stage 0)
// and returns true.
bool apply_resume_changes(const ResumeChanges& changes, CheckpointInfo& info);

}  // namespace ign
