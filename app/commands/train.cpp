// `ign train`: its options and what it runs.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <thread>
#include <tuple>

#include "cli.h"
#include "ign/distributed.h"
#include "ign/system.h"
#include "ign/trainer.h"

namespace fs = std::filesystem;

namespace ign_cli {
namespace {

std::string format_duration(double seconds) {
    if (!std::isfinite(seconds) || seconds < 0) return "--:--";
    const long s = long(seconds + 0.5);
    char text[32];
    if (s >= 3600) std::snprintf(text, sizeof text, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
    else std::snprintf(text, sizeof text, "%02ld:%02ld", s / 60, s % 60);
    return text;
}

// One line redrawn in place on a terminal; a line every 5% otherwise (logs, CI).
class ProgressBar {
public:
    void update(const ign::TrainProgress& p) {
        const bool tty = isatty(STDERR_FILENO);
        const double fraction = p.total_steps ? double(p.step) / p.total_steps : 1.0;
        const auto now = std::chrono::steady_clock::now();
        const bool last = p.step == p.total_steps;
        if (tty ? (now - m_last < std::chrono::milliseconds(100) && !last) : (int(fraction * 20) == m_last_bucket && !last))
            return;
        m_last = now;
        m_last_bucket = int(fraction * 20);
        const int width = 24, filled = int(fraction * width);
        std::string bar(size_t(filled), '#');
        bar.resize(width, '.');
        std::string terms;  // "reconstruction 0.1234 idempotence 0.0123 ...": whatever the objective lists
        char value[32];
        for (const auto& term : p.losses.terms) {
            std::snprintf(value, sizeof value, " %.4f", term.value);
            terms += (terms.empty() ? "" : " ") + term.name + value;
        }
        std::fprintf(stderr, "%sstep %lld/%lld [%s] %3.0f%%  %.1f img/s  ETA %s  loss %.4f (%s)%s",
                     tty ? "\r\033[K" : "", (long long)p.step, (long long)p.total_steps, bar.c_str(), fraction * 100,
                     p.images_per_s, format_duration(p.eta_s).c_str(), p.losses.total, terms.c_str(), tty ? "" : "\n");
        if (tty && last) std::fputc('\n', stderr);
        std::fflush(stderr);
    }
    void finish() {
        if (isatty(STDERR_FILENO)) std::fputc('\n', stderr);
    }

private:
    std::chrono::steady_clock::time_point m_last{};
    int m_last_bucket = -1;
};

std::atomic<bool> g_cancel{false};
void on_interrupt(int) { g_cancel = true; }

// The engine's defaults (options.h), so that the command line cannot drift from them.
const ign::TrainOptions kDefaults;

struct TrainArgs {
    Common common;
    std::string preset = kDefaults.model.preset, data = kDefaults.settings.data, norm,
                noise = ign::to_string(kDefaults.noise), out, resume;
    int width = 0, latent = 0, channels = 0, size = 0;  // 0: the preset's
    int batch = kDefaults.settings.batch;
    int64_t steps = 0;
    double epochs = 0;
    uint64_t seed = kDefaults.settings.seed;
    double lr = kDefaults.optimizer.lr, beta1 = kDefaults.optimizer.beta1, beta2 = kDefaults.optimizer.beta2;
    ign::ObjectiveOptions objective = kDefaults.objective;
    bool data_given = false;  // --data on the command line (else a resume keeps the checkpoint's data set)
    // Not on the command line: a fresh run chooses them from the data's size (ign::fit_to_data).
    ign::FitOpen fit;
    ign::ResumeChanges resume_changes;      // with --resume: the λs / lr given on the command line
    std::vector<std::string> ignored_on_resume;  // options given that a resume cannot change
    int64_t checkpoint_every = kDefaults.checkpoint_every, preview_every = kDefaults.preview_every;
    bool keep_checkpoints = kDefaults.keep_checkpoints;
    // Data parallelism: --nproc starts ranks on this host; --rank/--world-size/--master join a group.
    int nproc = 1, rank = -1, world_size = 1;
    std::string master = kDefaults.distributed.master;
    double dist_timeout = kDefaults.distributed.timeout_s;
    std::vector<std::string> argv;  // the command line after the program name, for the ranks --nproc starts
    std::string precision = kDefaults.precision;
};

// The arguments without `--nproc` and `--threads` (and their values): the ranks get their own.
std::vector<std::string> rank_arguments(const std::vector<std::string>& argv, int threads) {
    std::vector<std::string> out;
    for (size_t i = 0; i < argv.size(); ++i) {
        const auto& a = argv[i];
        if (a == "--nproc" || a == "--threads") { ++i; continue; }
        if (a.rfind("--nproc=", 0) == 0 || a.rfind("--threads=", 0) == 0) continue;
        out.push_back(a);
    }
    out.push_back("--threads");
    out.push_back(std::to_string(threads));
    return out;
}

// Ranks started by --nproc: terminated if this process leaves early, waited for otherwise.
struct LocalRanks {
    std::vector<int> pids;
    bool finished = false;
    std::string wait() {
        finished = true;
        return ign::wait_for_local_ranks(pids, false);
    }
    ~LocalRanks() {
        if (!finished) ign::wait_for_local_ranks(pids, true);
    }
};

ign::DistributedOptions distributed_options(const TrainArgs& a) {
    ign::DistributedOptions d;
    d.timeout_s = a.dist_timeout;
    if (a.nproc > 1) {
        if (a.rank >= 0 || a.world_size > 1)
            throw std::invalid_argument("--nproc starts its own ranks: give either --nproc or --rank and --world-size");
        d.world_size = a.nproc;
        d.master = "127.0.0.1:" + std::to_string(ign::free_local_port());
    } else if (a.world_size > 1) {
        if (a.rank < 0 || a.rank >= a.world_size)
            throw std::invalid_argument("--world-size " + std::to_string(a.world_size) + " needs --rank 0.." +
                                        std::to_string(a.world_size - 1));
        d.rank = a.rank;
        d.world_size = a.world_size;
        d.master = a.master;
        ign::parse_master(d.master);  // a malformed address is a usage error now, not after loading data
    } else if (a.rank > 0) {
        throw std::invalid_argument("--rank needs --world-size");
    }
    return d;
}

// The run's outcome in the log, and the exit status that says it.
int report(const ign::TrainResult& result, const std::string& csv_path, const std::string& preview_path) {
    switch (result.status) {
        case ign::TrainStatus::Completed:
            spdlog::info("{}; losses in {}; preview in {}", result.message, csv_path, preview_path);
            return kOk;
        case ign::TrainStatus::Cancelled:
            spdlog::warn("{}", result.message);
            return kCancelled;
        case ign::TrainStatus::Diverged:
            spdlog::error("{}", result.message);
            return kDiverged;
    }
    return kError;
}

// The engine's request from the command line's options (defaults are the engine's: see TrainArgs).
ign::TrainRequest train_request(const TrainArgs& a, const ign::DistributedOptions& distributed) {
    ign::TrainRequest request;
    auto& r = request.options;
    r.model = ign::preset_options(a.preset);
    if (a.width) r.model.width = a.width;
    if (a.latent) r.model.latent = a.latent;
    if (a.channels) r.model.channels = a.channels;
    if (a.size) r.model.image_size = a.size;
    if (!a.norm.empty()) r.model.norm = ign::norm_from_string(a.norm);
    r.noise = ign::noise_kind_from_string(a.noise);
    r.optimizer = {a.lr, a.beta1, a.beta2};
    r.objective = a.objective;
    r.settings.data = a.data;
    r.settings.batch = a.batch;
    r.settings.seed = a.seed;
    r.out_dir = a.out;
    r.resume = a.resume;
    r.resume_changes = a.resume_changes;
    if (!a.resume.empty())
        for (const auto& name : a.ignored_on_resume)
            spdlog::warn("{} ignored: a resumed run keeps the checkpoint's model, noise, batch, seed and Adam betas", name);
    r.checkpoint_every = a.checkpoint_every;
    r.keep_checkpoints = a.keep_checkpoints;
    r.preview_every = a.preview_every;
    r.distributed = distributed;
    r.precision = a.precision;
    request.data_given = a.resume.empty() || a.data_given;
    request.fit = a.fit;
    request.steps = a.steps;
    request.epochs = a.epochs;
    request.device = a.common.device;
    return request;
}

int run_train(const TrainArgs& a) {
    const auto distributed = distributed_options(a);
    if (distributed.enabled()) {
        // Each process's log lines say which rank wrote them; ranks other than 0 report only problems.
        spdlog::set_pattern("[%Y-%m-%d %H:%M:%S.%e] [ign rank " + std::to_string(distributed.rank) + "] [%^%l%$] %v");
        if (distributed.rank > 0 && spdlog::get_level() == spdlog::level::info) spdlog::set_level(spdlog::level::warn);
    }
    // Several ranks on this host share its cores.
    const int threads = a.common.threads > 0 ? a.common.threads
                                             : std::max(1, int(std::thread::hardware_concurrency()) / std::max(1, a.nproc));
    if (a.nproc > 1) ign::configure_threads(threads);
    const auto request = train_request(a, distributed);
    spdlog::info("loading data set '{}'", a.resume.empty() || a.data_given ? a.data : "of " + a.resume);
    const auto plan = ign::plan_training(request);
    const auto& o = plan.options;
    spdlog::info("{}: {} training images, {} test images", o.settings.data, plan.data.train.size(), plan.data.test.size());
    if (!plan.fit_note.empty())
        spdlog::info("{} (give --batch, --steps, --lambda-coverage, --lambda-tight or --lr to choose yourself)", plan.fit_note);
    if (!plan.device_note.empty()) spdlog::warn("{}", plan.device_note);
    spdlog::info("training on {}", o.device);

    LocalRanks local_ranks;
    if (a.nproc > 1) {
        spdlog::info("starting ranks 1..{} on this host ({} threads each), meeting at {}", a.nproc - 1, threads,
                     distributed.master);
        local_ranks.pids = ign::spawn_local_ranks(fs::read_symlink("/proc/self/exe").string(), rank_arguments(a.argv, threads), a.nproc,
                                                  distributed.master);
    }
    ign::Trainer trainer(o, plan.data.train);
    const auto preview_path = trainer.preview_path();
    ProgressBar bar;
    ign::TrainCallbacks callbacks;
    callbacks.on_step = [&](const ign::TrainProgress& p) { bar.update(p); };
    if (distributed.rank == 0)
        spdlog::info("follow it live: ign-studio --follow {}", fs::absolute(o.out_dir).lexically_normal().string());
    std::signal(SIGINT, on_interrupt);
    std::signal(SIGTERM, on_interrupt);
    if (distributed.rank > 0) callbacks.on_step = nullptr;  // one progress bar: rank 0's
    const auto result = trainer.run(callbacks, &g_cancel);
    bar.finish();
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    if (const auto problems = local_ranks.wait(); !problems.empty()) {
        spdlog::error("training finished here, but {}", problems);
        return kError;
    }
    return report(result, trainer.csv_path(), preview_path);
}

// The options an objective setting given with --resume changes from the checkpoint's step on, by JSON name.
const std::pair<const char*, const char*> kObjectiveResumeFields[] = {
    {"--lambda-rec", "lambda_rec"},   {"--lambda-idem", "lambda_idem"},
    {"--lambda-tight", "lambda_tight"}, {"--clamp-a", "tight_clamp_a"},
    {"--lambda-coverage", "lambda_coverage"}, {"--coverage-candidates", "coverage_candidates"},
    {"--coverage-every", "coverage_every"}, {"--coverage-downsample", "coverage_downsample"}};
// Given with --resume these are the checkpoint's already: a warning says they were ignored.
const char* const kFixedOnResume[] = {"--preset", "--width", "--latent", "--channels", "--size", "--norm", "--noise",
                                      "--batch", "--seed", "--beta1", "--beta2", "--detach-clamp-reference"};

void add_model_options(CLI::App* t, TrainArgs& train) {
    t->add_option("--preset", train.preset, "mnist28 or dcgan64")->check(CLI::IsMember(ign::preset_names()))->capture_default_str();
    t->add_option("--data", train.data, "digits, fashion, emoji, or a folder / IDX file")->capture_default_str();
    t->add_option("--width", train.width, "first-layer channels nf (preset: 64)");
    t->add_option("--latent", train.latent, "bottleneck channels L (preset: 512)");
    t->add_option("--channels", train.channels, "image channels, 1 or 3 (preset)");
    t->add_option("--size", train.size, "image size, 28 or a power of two 16..256 (preset)");
    t->add_option("--norm", train.norm, "batch, group or none (preset: batch)")->check(CLI::IsMember(ign::norm_names()));
    t->add_option("--noise", train.noise, "gaussian or spectral")->check(CLI::IsMember(ign::noise_names()))->capture_default_str();
    t->add_option("--batch", train.batch, "batch size (default: from the data's size, 64 under 5,000 images, else 256)")
        ->check(CLI::PositiveNumber);
    t->add_option("--steps", train.steps,
                  "total optimisation steps (default: from the data's size, 1,000 under 5,000 images, else about 5 "
                  "epochs within 1,000..5,000; with --resume: the new total)");
    t->add_option("--epochs", train.epochs, "train this many epochs instead of --steps");
    t->add_option("--seed", train.seed, "seed for initialisation, data order and noise")->capture_default_str();
}

void add_optimizer_options(CLI::App* t, TrainArgs& train) {
    t->add_option("--lr", train.lr, "Adam learning rate (default: from the data's size, 5e-4 under 5,000 images, else 1e-4)");
    t->add_option("--beta1", train.beta1, "Adam beta1")->capture_default_str();
    t->add_option("--beta2", train.beta2, "Adam beta2")->capture_default_str();
}

void add_objective_options(CLI::App* t, ign::ObjectiveOptions& objective) {
    t->add_option("--lambda-rec", objective.lambda_rec, "weight of reconstruction")->capture_default_str();
    t->add_option("--lambda-idem", objective.lambda_idem, "weight of idempotence")->capture_default_str();
    t->add_option("--lambda-tight", objective.lambda_tight, "weight of tightness (0: none, non-adversarial)")->capture_default_str();
    t->add_option("--clamp-a", objective.tight_clamp_a, "tightness clamp factor a")->capture_default_str();
    t->add_flag("--detach-clamp-reference", objective.detach_clamp_reference, "detach R_i inside the tightness clamp");
    t->add_option("--lambda-coverage", objective.lambda_coverage,
                  "weight of coverage: each real image pulls the generated sample matched to it (IMLE; 0: off; given neither "
                  "this nor --lambda-tight, a run under 5,000 images takes 20 with --lambda-tight 0)")
        ->check(CLI::Range(0.0, 1e6))  // CLI11's NonNegativeNumber prints DBL_MAX's 309 digits
        ->capture_default_str();
    t->add_option("--coverage-candidates", objective.coverage_candidates, "noises each real image adds to a matching's pool")
        ->check(CLI::Range(1, 64))
        ->capture_default_str();
    t->add_option("--coverage-every", objective.coverage_every,
                  "steps between coverage matchings (0: one epoch, at most 100 steps)")
        ->check(CLI::Range(0, 100000))
        ->capture_default_str();
    t->add_option("--coverage-downsample", objective.coverage_downsample,
                  "the matching compares images average-pooled by this factor")
        ->check(CLI::Range(1, 64))
        ->capture_default_str();
}

void add_output_options(CLI::App* t, TrainArgs& train) {
    t->add_option("--out", train.out, "run folder (default runs/<preset>-<data>; with --resume: the checkpoint's folder)");
    t->add_option("--resume", train.resume,
                  "continue from this checkpoint; --lambda-*, --clamp-a, --coverage-* and --lr given with it change "
                  "the run from here on (recorded as a stage in the checkpoint)");
    t->add_option("--checkpoint-every", train.checkpoint_every, "steps between checkpoints (0: only at the end)")->capture_default_str();
    t->add_flag("--keep-checkpoints", train.keep_checkpoints,
                "also keep every saved checkpoint as checkpoint-<step>.pt (to evaluate them and pick a step)");
    t->add_option("--preview-every", train.preview_every, "steps between preview grids (0: never)")->capture_default_str();
    t->add_option("--precision", train.precision,
                  "auto (bf16 on a CPU that computes bfloat16 in hardware, else fp32), fp32, or bf16: forward passes "
                  "under bfloat16 autocast (weights stay float32)")
        ->check(CLI::IsMember(ign::precision_names()))
        ->capture_default_str();
}

void add_process_options(CLI::App* t, TrainArgs& train) {
    t->add_option("--nproc", train.nproc, "data-parallel processes on this host (c10d Gloo; the batch is split among them)")
        ->check(CLI::Range(1, 256))
        ->capture_default_str();
    t->add_option("--rank", train.rank, "this process's rank, 0..world-size-1 (several hosts; rank 0 writes the files)");
    t->add_option("--world-size", train.world_size, "number of processes in all (several hosts)")->check(CLI::Range(1, 4096));
    t->add_option("--master", train.master, "HOST:PORT of rank 0's TCPStore (several hosts)")->capture_default_str();
    t->add_option("--dist-timeout", train.dist_timeout, "seconds to wait for a silent peer before stopping with an error")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
}

// What was given on the command line: the data, and on --resume the changes and the ignored options.
void note_given_options(const CLI::App& t, TrainArgs& train) {
    auto given = [&](const char* name) { return t.count(name) > 0; };
    train.data_given = given("--data");
    train.fit.batch = !given("--batch");
    train.fit.steps = !given("--steps") && !given("--epochs");
    // The objective is chosen by its two weights; its other options tune whichever it is.
    train.fit.objective = !given("--lambda-coverage") && !given("--lambda-tight");
    train.fit.lr = !given("--lr");
    const nlohmann::json objective_given = train.objective;
    for (const auto& [option, field] : kObjectiveResumeFields)
        if (given(option)) train.resume_changes.objective[field] = objective_given.at(field).get<double>();
    if (given("--lr")) train.resume_changes.lr = train.lr;
    for (const char* name : kFixedOnResume)
        if (given(name)) train.ignored_on_resume.push_back(name);
}

}  // namespace

void add_train_command(CLI::App& app, CommandContext& context) {
    static TrainArgs train;
    train.argv = context.argv;
    auto* t = add_network_command(app, context, "train", "train a model (or resume one) and write checkpoint.pt, losses.csv, preview.png",
                                  train, run_train);  // the callback below replaces the plain one: it notes what was given
    add_model_options(t, train);
    add_optimizer_options(t, train);
    add_objective_options(t, train.objective);
    add_output_options(t, train);
    add_process_options(t, train);
    t->callback([=, &context] {
        note_given_options(*t, train);
        apply_common(train.common);
        context.rc = run_train(train);
    });
}

}  // namespace ign_cli
