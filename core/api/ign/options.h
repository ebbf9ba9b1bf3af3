#pragma once
// Value types that say how a model is built, trained and run. Plain structs with defaults, a to_string()
// for logs, and their JSON (a checkpoint's metadata) right under each: nlohmann's defaulting macros, so a
// field missing from an older file keeps its default and a field added later needs no reader change. Enums
// are written as their names; an unknown name is an error, never a default. No torch here.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ign {

// Every value of each option, listed once here: the command line's validators, the studio's combo
// boxes and the combination test iterate these, so a value added here reaches all of them.
const std::vector<std::string>& preset_names();     // mnist28, dcgan64
const std::vector<std::string>& norm_names();       // batch, group, none
const std::vector<std::string>& noise_names();      // gaussian, spectral
const std::vector<std::string>& precision_names();  // auto, fp32, bf16 (precision.h resolves auto)
const std::vector<std::string>& corruption_names(); // noise, gray, sketch, edges, occlude (corrupt.h)
// "a, b or c", for messages that list the values.
std::string listed(const std::vector<std::string>& names);

enum class Norm { Batch, Group, None };         // in the order of norm_names()
enum class NoiseKind { Gaussian, Spectral };   // in the order of noise_names()

std::string to_string(Norm norm);
Norm norm_from_string(const std::string& text);  // throws std::invalid_argument
std::string to_string(NoiseKind kind);
NoiseKind noise_kind_from_string(const std::string& text);
inline void to_json(nlohmann::json& j, Norm norm) { j = to_string(norm); }
inline void from_json(const nlohmann::json& j, Norm& norm) { norm = norm_from_string(j.get<std::string>()); }
inline void to_json(nlohmann::json& j, NoiseKind kind) { j = to_string(kind); }
inline void from_json(const nlohmann::json& j, NoiseKind& kind) { kind = noise_kind_from_string(j.get<std::string>()); }

// The network. `preset` only records where the numbers came from; the fields decide.
struct ModelOptions {
    std::string preset = "mnist28";
    int channels = 1;
    int image_size = 28;  // 28 (mnist28 layout) or a power of two 16..256 (dcgan layout)
    int width = 64;       // nf: channels of the first encoder layer
    int latent = 512;     // L: bottleneck channels at 1x1
    Norm norm = Norm::Batch;
    std::string to_string() const;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ModelOptions, preset, channels, image_size, width, latent, norm)


// Presets exactly as in docs/method.md. Throws std::invalid_argument for an unknown name.
ModelOptions preset_options(const std::string& name);

// The objective of docs/method.md, and the coverage term (coverage.h, docs/method.md "Coverage"): off
// (λ 0) it is the method as specified; on, with or without tightness (λ tight 0: non-adversarial).
struct ObjectiveOptions {
    double lambda_rec = 20.0;
    double lambda_idem = 20.0;
    double lambda_tight = 2.5;
    double tight_clamp_a = 1.5;
    bool detach_clamp_reference = false;  // detach R_i inside the tanh clamp
    double eps = 1e-8;
    double lambda_coverage = 0;   // weight of D(f(z matched to x), x); 0: no coverage term
    int coverage_candidates = 1;  // noises each real image adds to the round's matching pool (1: every noise matched)
    int coverage_every = 0;       // steps between matchings (a round); 0: one epoch, at most 100 steps
    int coverage_downsample = 4;  // matching compares images average-pooled by this factor
    bool coverage() const { return lambda_coverage > 0; }
    std::string to_string() const;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ObjectiveOptions, lambda_rec, lambda_idem, lambda_tight, tight_clamp_a,
                                                detach_clamp_reference, eps, lambda_coverage, coverage_candidates,
                                                coverage_every, coverage_downsample)


struct OptimizerOptions {
    double lr = 1e-4;
    double beta1 = 0.5;
    double beta2 = 0.999;
    std::string to_string() const;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(OptimizerOptions, lr, beta1, beta2)


// How inference treats normalisation layers. Eval uses running statistics (a result does not depend
// on what else is in the batch); Train uses the batch's own statistics, like training does.
enum class NormMode { Eval, Train };
std::string to_string(NormMode mode);
NormMode norm_mode_from_string(const std::string& text);

// ---- training: what a run is asked to do and what it reports (torch-free, so the UI can hold them)

// One term of the objective at one step. The objective (objective.h) decides which terms there are; the
// CSV, the checkpoint's history, the progress line, the card and the plot show whatever it lists.
struct LossTerm {
    std::string name;  // "reconstruction", "idempotence", "tightness", ...
    double value = 0;  // unweighted
};

struct LossRecord {
    int64_t step = 0;  // 1-based: the record of the step-th optimisation step
    double wall_s = 0;
    double total = 0;             // the weighted sum that was minimised
    std::vector<LossTerm> terms;  // in the objective's order
    // The value of the term `name`; NaN when this record has no such term.
    double term(const std::string& name) const;
};

// The names of the terms a history holds, in order of first appearance (the columns of losses.csv and of
// the checkpoint's history; the plot's series).
std::vector<std::string> loss_term_names(const std::vector<LossRecord>& history);
// The terms every checkpoint of format 1 and 2 and every older losses.csv holds, in their column order.
const std::vector<std::string>& original_loss_term_names();

// What a training run was asked to do (kept so that a resume continues the same run).
struct TrainSettings {
    std::string data = "digits";
    int batch = 256;
    int64_t steps = 1000;  // target number of optimisation steps in total
    uint64_t seed = 0;
    std::string to_string() const;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(TrainSettings, data, batch, steps, seed)


// What a resumed run changes of the checkpoint's objective weights and learning rate, so that a run can
// go in stages (e.g. λ rec 20 while the samples diversify, 30 after). `objective`: new values of
// ObjectiveOptions fields by their JSON names ("lambda_rec", "tight_clamp_a", ...); what it does not name
// keeps the checkpoint's value, as does the learning rate when `lr` is unset.
struct ResumeChanges {
    std::map<std::string, double> objective;
    std::optional<double> lr;
};

// One stage of a run trained in stages: from this step on, this objective and learning rate.
struct TrainingStage {
    int64_t from_step = 0;
    ObjectiveOptions objective;
    double lr = 1e-4;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(TrainingStage, from_step, objective, lr)


// 1: first release. 2: adds a CRC-32 of the weights and the loss history, checked on load. 3: the loss
// history's term columns are named in the metadata ("history_terms"); 1 and 2 hold the original three.
constexpr int kCheckpointFormatVersion = 3;

// What a checkpoint records about its run, torch-free: ModelSession::summary() and summarize_checkpoint()
// (session.h) give it to the studio. The engine's CheckpointInfo (checkpoint.h) is this plus the spectral
// noise's statistics, which are tensors.
struct CheckpointSummary {
    int format_version = kCheckpointFormatVersion;
    ModelOptions model;
    ObjectiveOptions objective;  // the run's current stage (what a resume continues with)
    OptimizerOptions optimizer;
    TrainSettings train;         // data, batch, target steps, seed
    NoiseKind noise = NoiseKind::Gaussian;
    int64_t step = 0;
    double wall_time_s = 0;
    std::vector<LossRecord> history;
    std::vector<TrainingStage> stages;  // empty: one objective throughout; else each resume that changed it
    std::string created_by;             // "ign <version>"
    std::string card() const;           // human-readable, multi-line (ign info, the studio's tooltips)
};

// Data-parallel training over c10d (distributed.h): process `rank` of `world_size`, meeting at rank 0's
// TCPStore on `master` ("host:port"). Each step's batch is split evenly across the processes.
struct DistributedOptions {
    int rank = 0;
    int world_size = 1;
    std::string master = "127.0.0.1:29500";
    double timeout_s = 60;  // a peer silent this long (hung, not dead: dead is noticed at once) ends training
    bool enabled() const { return world_size > 1; }
};

struct TrainOptions {
    ModelOptions model = preset_options("mnist28");
    ObjectiveOptions objective;
    OptimizerOptions optimizer;
    NoiseKind noise = NoiseKind::Gaussian;
    TrainSettings settings;            // data name, batch, target steps, seed
    std::string out_dir = "runs/run";  // checkpoint.pt, losses.csv
    std::string resume;                // checkpoint to continue from (its model/objective/noise win)
    ResumeChanges resume_changes;      // with resume: objective weights / learning rate to change from here on
    std::string device = "cpu";        // "cpu" or "cuda" (see resolve_device); data stays on the CPU
    int64_t checkpoint_every = 500;    // steps; 0: only at the end
    bool keep_checkpoints = false;     // every save also kept as checkpoint-<step>.pt (to pick a step later)
    int64_t preview_every = 250;       // steps; 0: never
    int preview_count = 64;
    uint64_t preview_seed = 12345;
    DistributedOptions distributed;    // world_size 1: one process
    double publish_every_s = 2;        // losses.csv and status.json rewritten this often (run_folder.h)
    std::string precision = "auto";    // "fp32", "bf16" (forward passes under bfloat16 autocast) or "auto" (precision.h)
    std::string to_string() const;
};

struct TrainProgress {
    int64_t step = 0, total_steps = 0;
    double images_per_s = 0, eta_s = 0, wall_s = 0;
    LossRecord losses;
};

enum class TrainStatus { Completed, Cancelled, Diverged };
// "completed", "cancelled", "diverged": the word status.json, the log and the studio use.
std::string to_string(TrainStatus status);

struct TrainResult {
    TrainStatus status = TrainStatus::Completed;
    int64_t step = 0;  // steps done in total (including resumed ones)
    std::string message;
    std::string checkpoint_path;
};

// What a fresh run chooses from its data's size for the settings a user left open (TrainRequest::fit):
// the one place these rules live (README "Your own folder" gives the measurements).
//   fewer than kSmallDataImages images: batch 64 (at most the data), 1,000 steps, the non-adversarial
//     objective: reconstruction, idempotence and coverage λ 20, no tightness (IGN's objective collapsed every
//     few-shot run of 300 images to one shape), and Adam's rate 5e-4 (1e-4 left half the seeds as one
//     shape after 1,000 steps);
//   more: batch 256, about 5 epochs (1,000 to 5,000 steps), the method's objective and rate.
struct DataFit {
    int batch = 256;
    int64_t steps = 1000;
    ObjectiveOptions objective;
    double lr = 1e-4;
    std::string note;  // what was chosen and why, for the log and the studio
};
constexpr int64_t kSmallDataImages = 5000;
// Which settings are left open, to be chosen (the rest keep the given values). The objective is chosen by
// its coverage and tightness weights only: the other objective options a user gives (candidates, matching
// schedule, the other weights) are kept.
struct FitOpen {
    bool batch = false, steps = false, objective = false, lr = false;
    bool any() const { return batch || steps || objective || lr; }
    static FitOpen all() { return {true, true, true, true}; }
};
DataFit fit_to_data(int64_t images, const DataFit& given, FitOpen open);

// What a user asks for; plan_training() (trainer.h) resolves it the way `ign train` documents.
struct TrainRequest {
    // A fresh run uses all of it. With options.resume set, the checkpoint's model, objective, optimizer,
    // noise, seed and batch win; options.settings.data is used only when `data_given`.
    TrainOptions options;
    bool data_given = true;
    int64_t steps = 0;            // > 0: the total number of steps
    double epochs = 0;            // > 0 and no steps: this many epochs of the training split
    std::string device = "auto";  // cpu, cuda or auto; a missing GPU falls back to the CPU with a note
    // A fresh run: choose these from the data's size (fit_to_data) instead of the options' values. Steps
    // are chosen when `fit.steps` and neither `steps` nor `epochs` is given.
    FitOpen fit;
};

}  // namespace ign
