#include "ign/trainer.h"

#include <malloc.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <mutex>
#include <optional>
#include <sstream>

#include "ign/coverage.h"
#include "ign/engine_error.h"
#include "ign/image_io.h"
#include "ign/inference.h"
#include "ign/objective.h"
#include "ign/precision.h"
#include "ign/system.h"

namespace fs = std::filesystem;

namespace ign {
namespace {

std::string nonfinite_terms(const LossRecord& r) {
    std::ostringstream s;
    bool first = true;
    for (const auto& term : r.terms)
        if (!std::isfinite(term.value)) {
            s << (first ? "" : ", ") << term.name << " = " << term.value;
            first = false;
        }
    return first ? "total = " + std::to_string(r.total) : s.str();
}

// Building a network draws its initial weights from LibTorch's global generator: one trainer at a time
// (ranks run as threads in the tests), so the seed alone decides the weights.
std::mutex& global_generator_mutex() {
    static std::mutex mutex;
    return mutex;
}

}  // namespace

bool apply_resume_changes(const ResumeChanges& changes, CheckpointInfo& info) {
    const TrainingStage before{info.step, info.objective, info.optimizer.lr};
    // Through the objective's JSON (options.h), so that a weight added later can change too.
    nlohmann::json objective = info.objective;
    for (const auto& [name, value] : changes.objective) {
        if (!objective.contains(name) || !objective[name].is_number())
            throw std::invalid_argument("a resumed run cannot change '" + name + "': not a weight of the objective");
        objective[name] = value;
    }
    auto& o = info.objective;
    o = objective.get<ObjectiveOptions>();
    if (changes.lr) info.optimizer.lr = *changes.lr;
    if (objective == nlohmann::json(before.objective) && info.optimizer.lr == before.lr) return false;
    if (info.stages.empty()) info.stages.push_back({0, before.objective, before.lr});
    if (info.stages.back().from_step == info.step) info.stages.pop_back();  // changed again before any step
    info.stages.push_back({info.step, o, info.optimizer.lr});
    spdlog::info("from step {}: objective {} lr {} (was {} lr {})", info.step, o.to_string(), info.optimizer.lr,
                 before.objective.to_string(), before.lr);
    return true;
}

std::string TrainOptions::to_string() const {
    std::ostringstream s;
    s << "model{" << model.to_string() << "} objective{" << objective.to_string() << "} optimizer{"
      << optimizer.to_string() << "} noise=" << ign::to_string(noise) << " " << settings.to_string()
      << " out=" << out_dir << (resume.empty() ? "" : " resume=" + resume)
      << (keep_checkpoints ? " keep_checkpoints=yes" : "")
      << (precision == "fp32" ? "" : " precision=" + precision);
    return s.str();
}

Trainer::Trainer(TrainOptions options, Dataset data) : m_options(std::move(options)), m_data(std::move(data)) {
    explain_torch_errors([&] { return "preparing training (" + m_options.to_string() + ")"; }, [&] { prepare(); });
}

void Trainer::prepare() {
    std::optional<LoadedCheckpoint> loaded;
    if (!m_options.resume.empty()) loaded = load_checkpoint(m_options.resume);
    start_model(loaded);
    // An unknown precision is refused before any work; auto becomes what this device runs fastest.
    const std::string requested_precision = m_options.precision;
    m_options.precision = resolve_precision(requested_precision, torch::Device(m_options.device));
    if (requested_precision == "auto" && m_options.precision == "bf16")
        spdlog::info("precision auto: bf16 autocast (this CPU computes bfloat16 in hardware; --precision fp32 for float32)");
    start_optimizer(loaded);
    move_to_device();
    check_data();
    if (m_options.noise == NoiseKind::Spectral && !m_info.spectral.defined())
        m_info.spectral = compute_spectral_stats(m_data.images);
    m_noise = m_info.noise_sampler();
    if (m_options.objective.coverage()) start_coverage();
    if (m_options.distributed.enabled()) join_process_group();
}

void Trainer::start_model(const std::optional<LoadedCheckpoint>& loaded) {
    if (loaded) {
        const auto target_steps = m_options.settings.steps;
        m_info = loaded->info;
        m_model = loaded->model;
        apply_resume_changes(m_options.resume_changes, m_info);  // a new stage's λs / rate, if any
        m_options.model = m_info.model;
        m_options.objective = m_info.objective;
        m_options.optimizer = m_info.optimizer;
        m_options.noise = m_info.noise;
        m_options.settings.seed = m_info.train.seed;
        m_options.settings.batch = m_info.train.batch;
        m_info.train.steps = target_steps;
        return;
    }
    {
        std::lock_guard<std::mutex> lock(global_generator_mutex());
        torch::manual_seed(m_options.settings.seed);
        m_model = IgnNet(m_options.model);
    }
    m_info.model = m_options.model;
    m_info.objective = m_options.objective;
    m_info.optimizer = m_options.optimizer;
    m_info.train = m_options.settings;
    m_info.noise = m_options.noise;
}

void Trainer::start_optimizer(const std::optional<LoadedCheckpoint>& loaded) {
    const auto& adam = m_info.optimizer;
    m_optimizer = std::make_unique<torch::optim::Adam>(
        m_model->parameters(), torch::optim::AdamOptions(adam.lr).betas({adam.beta1, adam.beta2}));
    if (!loaded) return;
    restore_optimizer(*loaded, *m_optimizer);
    for (auto& group : m_optimizer->param_groups())  // the saved state carries the old rate
        static_cast<torch::optim::AdamOptions&>(group.options()).lr(adam.lr);
}

void Trainer::move_to_device() {
    if (m_options.device == "cuda" && m_options.distributed.enabled() && torch::cuda::device_count() > 1)
        // One GPU per rank on a host with several (ranks numbered host by host, as torchrun numbers them).
        m_options.device = "cuda:" + std::to_string(m_options.distributed.rank % int(torch::cuda::device_count()));
    m_model->to(torch::Device(m_options.device));
    {
        std::lock_guard<std::mutex> lock(global_generator_mutex());  // the frozen copy is built (and drawn) too
        m_objective = std::make_unique<Objective>(m_model, m_options.objective);  // after the move: the copy follows
    }
    for (auto& state : m_optimizer->state())  // restored optimizer state follows the model
        for (auto& t : {&static_cast<torch::optim::AdamParamState&>(*state.second).exp_avg(),
                        &static_cast<torch::optim::AdamParamState&>(*state.second).exp_avg_sq()})
            if (t->defined()) *t = t->to(torch::Device(m_options.device));
}

void Trainer::check_data() const {
    check_input_shape(m_options.model, m_data.images.slice(0, 0, 1), "training data " + m_data.name);
    if (m_data.size() < m_options.settings.batch) {
        throw std::invalid_argument("training data " + m_data.name + " holds " + std::to_string(m_data.size()) +
                                    " images, fewer than one batch of " + std::to_string(m_options.settings.batch));
    }
    if (m_options.distributed.enabled() && m_options.settings.batch % m_options.distributed.world_size != 0)
        throw std::invalid_argument("batch " + std::to_string(m_options.settings.batch) + " does not split evenly over " +
                                    std::to_string(m_options.distributed.world_size) + " processes");
}

void Trainer::start_coverage() {
    // Rounds of about one epoch: an image that kept its noise for many epochs taught f that one noise (f
    // learned a table of the matched noises and sent every other noise to one shape), not noise in general.
    auto& every = m_options.objective.coverage_every;
    if (every == 0) {
        const int64_t epoch = (m_data.size() + m_options.settings.batch - 1) / m_options.settings.batch;
        every = int(std::clamp<int64_t>(epoch, 1, 100));
        m_info.objective.coverage_every = every;
        spdlog::info("coverage: a new matching every {} steps (about one epoch of {} images)", every, m_data.size());
    }
    m_coverage = std::make_unique<CoverageMatcher>(m_options.objective, m_options.settings.seed, m_noise,
                                                   m_options.settings.batch, m_data.size());
    // A checkpoint saved inside a round holds that round's matching: the resume continues it exactly.
    const auto& matches = m_info.coverage_matches;
    if (matches.defined() && m_info.coverage_round == m_coverage->round_of(m_info.step) &&
        matches.numel() == m_data.size())
        m_coverage->restore(m_info.coverage_round, matches);
}

void Trainer::join_process_group() {
    m_sync = std::make_unique<ProcessGroupSync>(m_options.distributed, m_options.device);
    // Every rank starts from rank 0's weights (and, on resume, rank 0's optimizer moments).
    std::vector<torch::Tensor> state = m_model->parameters();
    for (const auto& b : m_model->buffers()) state.push_back(b);
    for (auto& entry : m_optimizer->state()) {
        auto& adam = static_cast<torch::optim::AdamParamState&>(*entry.second);
        state.push_back(adam.exp_avg());
        state.push_back(adam.exp_avg_sq());
    }
    m_sync->broadcast_from_rank0(state, "the start of training");
}

Trainer::~Trainer() = default;

void Trainer::add_loss_term(const std::string& name, double weight, TermFunction term) {
    m_objective->add_term(name, weight, std::move(term));
}

std::string Trainer::settings_summary() const {
    const auto& m = m_options.model;
    std::ostringstream s;
    s << m.preset << " " << m.channels << "x" << m.image_size << "x" << m.image_size << " width " << m.width
      << " latent " << m.latent << ", norm " << to_string(m.norm) << ", noise " << to_string(m_options.noise)
      << ", batch " << m_options.settings.batch << ", precision " << m_options.precision << ", device "
      << m_options.device;
    if (m_sync) s << ", rank " << m_sync->rank() << " of " << m_sync->world_size();
    return s.str();
}

std::string Trainer::checkpoint_path() const { return (fs::path(m_options.out_dir) / "checkpoint.pt").string(); }
std::string Trainer::csv_path() const { return (fs::path(m_options.out_dir) / "losses.csv").string(); }
std::string Trainer::preview_path() const { return run_files(m_options.out_dir).preview; }

void Trainer::publish(RunStatus status, const TrainCallbacks& callbacks) {
    status.total_steps = m_info.train.steps;
    status.description = m_options.to_string();
    status.updated_unix = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    try {
        fs::create_directories(m_options.out_dir);
        write_loss_csv(csv_path(), m_info.history);
        write_run_status(run_files(m_options.out_dir).status, status);
    } catch (const std::exception& e) {
        if (m_publish_warned) return;  // said once; training goes on and later writes retry
        m_publish_warned = true;
        const std::string message = std::string("the run folder is not being updated, training continues: ") + e.what();
        spdlog::warn("{}", message);
        if (callbacks.on_warning) callbacks.on_warning(message);
    }
}

void Trainer::write_preview(const torch::Tensor& samples, const torch::Tensor& refined, const TrainCallbacks& callbacks) {
    try {
        // Pairs side by side: f(z) then f(f(z)).
        save_grid(torch::stack({samples, refined}, 1).flatten(0, 1).cpu(), preview_path(), 16, 2);
    } catch (const std::exception& e) {
        if (callbacks.on_warning) callbacks.on_warning(std::string("preview not written: ") + e.what());
        spdlog::warn("preview not written: {}", e.what());
    }
}

torch::Tensor Trainer::indices_for_step(int64_t step, int64_t begin, int64_t end) {
    const int64_t batch = m_options.settings.batch;
    const int64_t per_epoch = m_data.size() / batch;  // the last partial batch of an epoch is dropped
    const int64_t epoch = step / per_epoch, position = step % per_epoch;
    if (epoch != m_cached_epoch) {
        auto gen = make_generator(stream_seed(m_options.settings.seed, 1, uint64_t(epoch)));
        m_epoch_order = at::randperm(m_data.size(), gen, torch::kLong);
        m_cached_epoch = epoch;
    }
    return m_epoch_order.slice(0, position * batch + begin, position * batch + end);
}

void Trainer::save(torch::optim::Adam& optimizer) {
    if (m_coverage) {  // the round's matching, so that a resume inside the round continues it
        m_info.coverage_round = m_coverage->round();
        m_info.coverage_matches = m_coverage->matches();
    }
    save_checkpoint(checkpoint_path(), m_info, m_model, &optimizer);
#ifdef __GLIBC__
    // The checkpoint was serialised in memory (tens of MB); glibc keeps such freed blocks in the heap, so a
    // long run in the studio would hold a checkpoint's worth more after each save. Hand them back.
    malloc_trim(0);
#endif
    if (m_options.keep_checkpoints) {
        const auto kept = fs::path(m_options.out_dir) / ("checkpoint-" + std::to_string(m_info.step) + ".pt");
        std::error_code error;
        fs::copy_file(checkpoint_path(), kept, fs::copy_options::overwrite_existing, error);
        if (error) throw CheckpointError(kept.string() + ": cannot keep a copy of the checkpoint: " + error.message());
    }
    write_loss_csv(csv_path(), m_info.history);
}

// What one call of run() carries from step to step.
struct Trainer::RunState {
    using clock = std::chrono::steady_clock;
    RunState(const TrainCallbacks& callbacks, const std::atomic<bool>* cancel) : callbacks(callbacks), cancel(cancel) {}
    const TrainCallbacks& callbacks;
    const std::atomic<bool>* cancel;
    int64_t first_step = 0;
    double wall_before = 0;  // the checkpoint's training time when this call began
    clock::time_point started = clock::now(), last_time = started, last_publish = started;
    torch::Tensor preview_noise;  // the same noise at every preview
    int64_t share_begin = 0, share_end = 0;  // this process's share of each batch
    bool bf16 = false;
    double rate = 0;          // images per second, smoothed
    bool stop_voted = false;  // with several processes a cancel is agreed on inside a step
};

TrainResult Trainer::run(const TrainCallbacks& callbacks, const std::atomic<bool>* cancel) {
    RunState run(callbacks, cancel);
    m_model->train();
    run.first_step = m_info.step;
    run.wall_before = m_info.wall_time_s;
    run.preview_noise = sample_noise(m_noise, m_options.preview_count, m_options.preview_seed);
    const int64_t batch = m_options.settings.batch;
    const int world = m_sync ? m_sync->world_size() : 1, rank = m_sync ? m_sync->rank() : 0;
    run.share_begin = rank * (batch / world);
    run.share_end = run.share_begin + batch / world;
    run.bf16 = bf16_from_string(m_options.precision);
    spdlog::info("training {} from step {} to {}", m_options.to_string(), run.first_step, m_info.train.steps);

    TrainResult result;
    if (writes_files()) publish(status_now(run, "running"), callbacks);
    try {
        while (m_info.step < m_info.train.steps) {
            if (run.stop_voted || (!m_sync && cancel && cancel->load())) {
                result.status = TrainStatus::Cancelled;
                break;
            }
            const LossRecord record = train_step(run);
            if (!std::isfinite(record.total)) {
                result.status = TrainStatus::Diverged;
                result.message = divergence_message(record);
                break;
            }
            after_step(run, record);
        }
    } catch (const c10::Error& e) {
        throw engine_failure(run, e);
    } catch (const DistributedError& e) {
        throw distributed_failure(run, e);
    }
    return finish(run, result);
}

// One optimisation step on this process's share of the batch: the forward under autocast, backward, the
// gradients, normalisation statistics and losses averaged over the processes, then the update, unless the
// loss is not finite: the record then says so and the weights stay as they were.
LossRecord Trainer::train_step(RunState& run) {
    const int64_t step = m_info.step, batch = m_options.settings.batch;
    const auto device = torch::Device(m_options.device);
    // This process's share of the step's batch: the same images and noise one process would use.
    auto noise_gen = make_generator(stream_seed(m_options.settings.seed, 2, uint64_t(step)));
    const auto indices = indices_for_step(step, run.share_begin, run.share_end);
    const auto x = m_data.images.index_select(0, indices).to(device);
    const auto z = m_noise.sample(batch, noise_gen).slice(0, run.share_begin, run.share_end).to(device);

    torch::Tensor z_matched;
    if (m_coverage) z_matched = matched_latents(run, step, indices).to(device);

    LossTerms terms;
    {
        BF16Autocast autocast(device, run.bf16);  // forward only; backward follows the forward's dtypes
        terms = m_objective->compute(x, z, z_matched);
    }
    m_optimizer->zero_grad();
    terms.total.backward();
    // The total, one number per loss term, and a vote to stop (a cancel on any process stops all after
    // this step).
    std::vector<torch::Tensor> numbers{terms.total.detach().to(torch::kFloat)};
    for (const auto& term : terms.terms) numbers.push_back(term.value.to(torch::kFloat));
    const bool cancel_asked = run.cancel && run.cancel->load();
    numbers.push_back(torch::full({}, cancel_asked ? 1.0f : 0.0f, terms.total.options().dtype(torch::kFloat)));
    auto losses = torch::stack(numbers);
    if (m_sync) {
        std::vector<torch::Tensor> shared;
        for (const auto& p : m_model->parameters()) shared.push_back(p.grad());
        for (const auto& b : m_model->buffers()) shared.push_back(b);  // BatchNorm running statistics
        shared.push_back(losses);
        m_sync->average(shared, "step " + std::to_string(step + 1));
    }
    const auto loss_values = losses.cpu();
    LossRecord record;
    record.step = step + 1;
    record.total = loss_values[0].item<double>();
    for (size_t i = 0; i < terms.terms.size(); ++i)
        record.terms.push_back({terms.terms[i].name, loss_values[int64_t(i) + 1].item<double>()});
    if (!std::isfinite(record.total)) return record;
    run.stop_voted = loss_values[-1].item<double>() > 0;
    m_optimizer->step();
    return record;
}

// The coverage term's noises for the images of this process's share of the step; at the first step of a
// round (or of a run resumed without the round's matching) the round's images are matched first.
torch::Tensor Trainer::matched_latents(const RunState& run, int64_t step, const torch::Tensor& indices) {
    const int64_t round = m_coverage->round_of(step);
    if (!m_coverage->holds_round(round)) {
        const int64_t every = m_options.objective.coverage_every, batch = m_options.settings.batch;
        std::vector<torch::Tensor> round_indices;
        for (int64_t s = round * every; s < (round + 1) * every; ++s) round_indices.push_back(indices_for_step(s, 0, batch));
        const auto distinct = std::get<0>(at::_unique(torch::cat(round_indices)));  // sorted
        m_coverage->match(round, m_model, distinct, m_data.images.index_select(0, distinct), run.bf16);
        if (m_sync) {  // every process trains toward rank 0's matching
            std::vector<torch::Tensor> matches{m_coverage->matches().to(torch::kFloat)};
            m_sync->broadcast_from_rank0(matches, "the coverage matching of step " + std::to_string(step + 1));
            m_coverage->restore(round, matches[0].round().to(torch::kInt));
        }
        const auto numbers = m_coverage->matches().index_select(0, distinct);
        spdlog::debug("step {}: coverage round {}: {} images matched to {} distinct noises of a pool of {}", step + 1,
                      round, distinct.size(0), std::get<0>(at::_unique(numbers)).size(0),
                      distinct.size(0) * m_options.objective.coverage_candidates);
    }
    return m_coverage->latents_for(indices);
}

std::string Trainer::divergence_message(const LossRecord& record) const {
    std::ostringstream s;
    s << "training stopped: the loss is not finite at step " << record.step << " (" << nonfinite_terms(record)
      << "); the weights were not updated";
    if (fs::exists(checkpoint_path())) s << "; the last good checkpoint is kept: " << checkpoint_path();
    return s.str();
}

// What follows a completed step: its record in the history, progress, and (on the process that writes
// files) the preview, the run folder and the periodic checkpoint.
void Trainer::after_step(RunState& run, LossRecord record) {
    using clock = RunState::clock;
    const int64_t total = m_info.train.steps, batch = m_options.settings.batch;
    const auto now = clock::now();
    const double step_s = std::chrono::duration<double>(now - run.last_time).count();
    run.last_time = now;
    run.rate = run.rate == 0 ? batch / step_s : 0.9 * run.rate + 0.1 * batch / step_s;
    record.wall_s = run.wall_before + std::chrono::duration<double>(now - run.started).count();
    m_info.step = record.step;
    m_info.wall_time_s = record.wall_s;
    m_info.history.push_back(record);
    const auto& callbacks = run.callbacks;
    if (callbacks.on_step) {
        const auto status = status_now(run, "running");  // the rate and ETA, computed in one place
        TrainProgress p;
        p.step = m_info.step;
        p.total_steps = total;
        p.images_per_s = status.images_per_s;
        p.eta_s = status.eta_s;
        p.wall_s = record.wall_s;
        p.losses = record;
        callbacks.on_step(p);
    }
    if (!writes_files()) return;
    if (m_options.preview_every > 0 && (m_info.step % m_options.preview_every == 0 || m_info.step == total)) {
        const auto samples = apply_f(m_model, run.preview_noise);
        const auto refined = apply_f(m_model, samples);
        write_preview(samples, refined, callbacks);
        if (callbacks.on_preview) {
            const int columns = int(std::ceil(std::sqrt(double(m_options.preview_count))));
            callbacks.on_preview(m_info.step, to_image8(make_grid(samples, columns)), to_image8(make_grid(refined, columns)));
        }
    }
    if (std::chrono::duration<double>(clock::now() - run.last_publish).count() >= m_options.publish_every_s) {
        publish(status_now(run, "running"), callbacks);
        run.last_publish = clock::now();
    }
    if (m_options.checkpoint_every > 0 && m_info.step % m_options.checkpoint_every == 0 && m_info.step < total) {
        // A failed periodic save (full disk, say) is reported and training goes on; the previous
        // checkpoint is untouched because saves go through a temporary file.
        try {
            save(*m_optimizer);
            if (callbacks.on_checkpoint) callbacks.on_checkpoint(m_info.step, checkpoint_path());
        } catch (const CheckpointError& e) {
            const auto message =
                "checkpoint at step " + std::to_string(m_info.step) + " not saved, training continues: " + e.what();
            spdlog::error("{}", message);
            if (callbacks.on_warning) callbacks.on_warning(message);
        }
    }
}

RunStatus Trainer::status_now(const RunState& run, const std::string& state) const {
    RunStatus st;
    st.state = state;
    st.step = m_info.step;
    st.images_per_s = run.rate;
    st.eta_s = run.rate > 0 ? double(m_info.train.steps - m_info.step) * m_options.settings.batch / run.rate : 0;
    st.wall_s = m_info.wall_time_s;
    return st;
}

// The end of a run that was not interrupted by an error: the final checkpoint (unless the loss diverged),
// the message, and the run folder's last status.
TrainResult Trainer::finish(RunState& run, TrainResult result) {
    result.step = m_info.step;
    if (!writes_files()) {
        result.message = "rank " + std::to_string(m_sync->rank()) + " trained to step " + std::to_string(m_info.step);
        return result;
    }
    if (result.status != TrainStatus::Diverged && m_info.step > run.first_step) {
        save(*m_optimizer);
        result.checkpoint_path = checkpoint_path();
        if (run.callbacks.on_checkpoint) run.callbacks.on_checkpoint(m_info.step, checkpoint_path());
    } else if (fs::exists(checkpoint_path())) {
        result.checkpoint_path = checkpoint_path();
    }
    if (result.status == TrainStatus::Cancelled)
        result.message = "training cancelled at step " + std::to_string(m_info.step) + "; saved " + checkpoint_path();
    else if (result.status == TrainStatus::Completed)
        result.message = "trained to step " + std::to_string(m_info.step) + "; saved " + checkpoint_path();
    auto final_status = status_now(run, to_string(result.status));
    final_status.message = result.message;
    publish(final_status, run.callbacks);
    return result;
}

// A LibTorch failure inside a step (a dtype, shape or memory problem): which step of which run; the weights
// may be half-updated, so the last saved checkpoint is what stays.
EngineError Trainer::engine_failure(const RunState& run, const c10::Error& e) {
    std::string message = "training step " + std::to_string(m_info.step + 1) + " failed (" + settings_summary() +
                          "): " + torch_message(e);
    if (writes_files() && fs::exists(checkpoint_path())) message += "; the last saved checkpoint is kept: " + checkpoint_path();
    publish_failure(run, message);
    return EngineError(message);
}

// A peer died or hung: the weights are those of the last step every process completed, so they are kept.
DistributedError Trainer::distributed_failure(const RunState& run, const DistributedError& e) {
    std::string message = e.what();
    if (writes_files() && m_info.step > run.first_step) {
        try {
            save(*m_optimizer);
            message += "; training stopped, step " + std::to_string(m_info.step) + " saved in " + checkpoint_path();
        } catch (const CheckpointError& save_error) {
            message += std::string("; and the checkpoint could not be saved: ") + save_error.what();
        }
    }
    publish_failure(run, message);
    return DistributedError(message);
}

void Trainer::publish_failure(const RunState& run, const std::string& message) {
    if (!writes_files()) return;
    auto st = status_now(run, "failed");
    st.message = message;
    publish(st, run.callbacks);
}

TrainPlan plan_training(const TrainRequest& request) {
    TrainPlan plan;
    auto& o = plan.options;
    o = request.options;
    if (!o.resume.empty()) {
        const auto info = load_checkpoint(o.resume).info;  // the model's data shape and the run's settings
        o.model = info.model;
        o.noise = info.noise;
        const auto data = o.settings.data;
        o.settings = info.train;
        if (request.data_given) o.settings.data = data;
    }
    plan.data = load_dataset(o.settings.data, o.model.channels, o.model.image_size);
    auto open = request.fit;
    open.steps = open.steps && request.steps <= 0 && request.epochs <= 0;
    if (o.resume.empty() && open.any()) {
        const auto fit = fit_to_data(plan.data.train.size(),
                                     {o.settings.batch, o.settings.steps, o.objective, o.optimizer.lr, {}}, open);
        o.settings.batch = fit.batch;
        o.objective = fit.objective;
        o.optimizer.lr = fit.lr;
        if (open.steps) o.settings.steps = fit.steps;
        plan.fit_note = fit.note;
    }
    const int64_t per_epoch = plan.data.train.size() / std::max(1, o.settings.batch);
    if (request.steps > 0) o.settings.steps = request.steps;
    else if (request.epochs > 0) o.settings.steps = std::max<int64_t>(1, int64_t(std::ceil(request.epochs * per_epoch)));
    else if (o.resume.empty() && !open.steps) o.settings.steps = 1000;
    if (o.out_dir.empty())
        o.out_dir = !o.resume.empty() ? fs::path(o.resume).parent_path().string()
                                      : "runs/" + o.model.preset + "-" + fs::path(o.settings.data).filename().string();
    if (o.out_dir.empty()) o.out_dir = ".";
    o.device = resolve_device(request.device, &plan.device_note);
    return plan;
}

}  // namespace ign
