// ign: the command-line client of ign_core. Every subcommand is a thin wrapper over the core API.
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <thread>

#include "ign/bench.h"
#include "ign/checkpoint.h"
#include "ign/classifier.h"
#include "ign/evaluation.h"
#include "ign/corrupt.h"
#include "ign/data.h"
#include "ign/distributed.h"
#include "ign/engine_error.h"
#include "ign/image_io.h"
#include "ign/inference.h"
#include "ign/session.h"
#include "ign/system.h"
#include "ign/trainer.h"
#include "ign/version.h"

namespace fs = std::filesystem;

namespace {

constexpr const char* kModelHelp = "checkpoint file, or the name of a bundled model (digits, fashion, emoji)";

// Exit codes (also in the README).
enum Exit { kOk = 0, kError = 1, kUsage = 2, kBadInput = 3, kDiverged = 4, kCancelled = 130 };

std::atomic<bool> g_cancel{false};
void on_interrupt(int) { g_cancel = true; }

struct Common {
    int threads = 0;
    std::string log_level = "info";
    std::string log_file;
    std::string device = "auto";  // commands that run the network
};

void add_device(CLI::App* cmd, Common& c) {
    cmd->add_option("--device", c.device, "cpu, cuda or auto (CUDA when LibTorch sees a device; else the CPU, said in the log)")
        ->check(CLI::IsMember({"cpu", "cuda", "auto"}))
        ->capture_default_str();
}

void add_common(CLI::App* cmd, Common& c) {
    cmd->add_option("--threads", c.threads, "LibTorch threads (0: all cores)")->capture_default_str();
    cmd->add_option("--log-level", c.log_level, "trace, debug, info, warn, error or off")
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}))
        ->capture_default_str();
    cmd->add_option("--log-file", c.log_file, "also write the log to this file");
}

void apply_common(const Common& c) {
    std::vector<spdlog::sink_ptr> sinks{std::make_shared<spdlog::sinks::stderr_color_sink_mt>()};
    if (!c.log_file.empty()) sinks.push_back(std::make_shared<spdlog::sinks::basic_file_sink_mt>(c.log_file));
    auto logger = std::make_shared<spdlog::logger>("ign", sinks.begin(), sinks.end());
    logger->set_level(spdlog::level::from_str(c.log_level));
    spdlog::set_default_logger(logger);
    const int n = ign::configure_threads(c.threads);
    spdlog::debug("{} threads", n);
}

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
        std::fprintf(stderr, "%sstep %lld/%lld [%s] %3.0f%%  %.1f img/s  ETA %s  loss %.4f (rec %.4f idem %.4f tight %.4f)%s",
                     tty ? "\r\033[K" : "", (long long)p.step, (long long)p.total_steps, bar.c_str(), fraction * 100,
                     p.images_per_s, format_duration(p.eta_s).c_str(), p.losses.total, p.losses.reconstruction,
                     p.losses.idempotence, p.losses.tightness, tty ? "" : "\n");
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

struct Loaded {
    ign::CheckpointInfo info;
    ign::IgnNet model{nullptr};
};

// A checkpoint path, or the name of a bundled model ("digits") when no such file exists.
std::string resolve_model(const std::string& path_or_name) {
    std::error_code ec;
    if (fs::exists(path_or_name, ec) || path_or_name.find('/') != std::string::npos) return path_or_name;
    const auto bundled = ign::find_bundled_model(path_or_name);
    return bundled.empty() ? path_or_name : bundled;
}

// --device resolved; a GPU asked for but missing is said in the log.
std::string device_for(const Common& common) {
    std::string note;
    const auto device = ign::resolve_device(common.device, &note);
    if (!note.empty()) spdlog::warn("{}", note);
    return device;
}

// Loads onto the CPU, then moves the model to the device asked for (inference moves inputs to it and
// brings results back to the CPU).
Loaded load(const std::string& path_or_name, const Common& common) {
    const auto path = resolve_model(path_or_name);
    auto c = ign::load_checkpoint(path);
    const auto device = device_for(common);
    if (device != "cpu") {
        c.model->to(torch::Device(device));
        spdlog::info("running on {}", device);
    }
    spdlog::info("loaded {} (step {}, {})", path, c.info.step, c.info.model.to_string());
    return {c.info, c.model};
}

ign::InferenceOptions inference_options(const std::string& norm_mode) {
    return {ign::norm_mode_from_string(norm_mode)};
}

void add_norm_mode(CLI::App* cmd, std::string& norm_mode) {
    cmd->add_option("--norm-mode", norm_mode,
                    "normalisation at inference: train (batch statistics; default, better samples with BatchNorm) or eval (running statistics)")
        ->check(CLI::IsMember({"eval", "train"}))
        ->capture_default_str();
}

// ---------------------------------------------------------------------------------------------- train
struct TrainArgs {
    Common common;
    std::string preset = "mnist28", data = "digits", norm, noise = "gaussian", out, resume;
    int width = 0, latent = 0, channels = 0, size = 0, batch = 256;
    int64_t steps = 0;
    double epochs = 0;
    uint64_t seed = 0;
    double lr = 1e-4, beta1 = 0.5, beta2 = 0.999;
    double lambda_rec = 20, lambda_idem = 20, lambda_tight = 2.5, clamp_a = 1.5;
    bool detach_clamp = false;
    bool data_given = false;  // --data on the command line (else a resume keeps the checkpoint's data set)
    ign::ResumeChanges resume_changes;      // with --resume: the λs / lr given on the command line
    std::vector<std::string> ignored_on_resume;  // options given that a resume cannot change
    int64_t checkpoint_every = 500, preview_every = 250;
    bool keep_checkpoints = false;
    // Data parallelism: --nproc starts ranks on this host; --rank/--world-size/--master join a group.
    int nproc = 1, rank = -1, world_size = 1;
    std::string master = "127.0.0.1:29500";
    double dist_timeout = 60;
    std::vector<std::string> argv;  // the command line after the program name, for the ranks --nproc starts
    std::string precision = "auto";
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

int run_train(const TrainArgs& a) {
    apply_common(a.common);
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
    r.objective.lambda_rec = a.lambda_rec;
    r.objective.lambda_idem = a.lambda_idem;
    r.objective.lambda_tight = a.lambda_tight;
    r.objective.tight_clamp_a = a.clamp_a;
    r.objective.detach_clamp_reference = a.detach_clamp;
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
    request.steps = a.steps;
    request.epochs = a.epochs;
    request.device = a.common.device;
    spdlog::info("loading data set '{}'", a.resume.empty() || a.data_given ? a.data : "of " + a.resume);
    const auto plan = ign::plan_training(request);
    const auto& o = plan.options;
    spdlog::info("{}: {} training images, {} test images", o.settings.data, plan.data.train.size(), plan.data.test.size());
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
    switch (result.status) {
        case ign::TrainStatus::Completed:
            spdlog::info("{}; losses in {}; preview in {}", result.message, trainer.csv_path(), preview_path);
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

// --------------------------------------------------------------------------------------------- sample
struct SampleArgs {
    Common common;
    std::string checkpoint, out = "samples.png", each_dir, norm_mode = "train";
    int count = 64, columns = 8, zoom = 2;
    uint64_t seed = 0;
};

int run_sample(const SampleArgs& a) {
    apply_common(a.common);
    auto m = load(a.checkpoint, a.common);
    const auto images = ign::sample(m.model, m.info.noise_sampler(), a.count, a.seed, inference_options(a.norm_mode));
    ign::save_grid(images, a.out, a.columns, a.zoom);
    std::cout << a.out << "\n";
    if (!a.each_dir.empty()) {
        for (int i = 0; i < a.count; ++i) {
            const auto path = (fs::path(a.each_dir) / ("sample_" + std::to_string(a.seed) + "_" + std::to_string(i) + ".png")).string();
            ign::save_image(images[i], path, a.zoom);
        }
        std::cout << a.each_dir << " (" << a.count << " images)\n";
    }
    return kOk;
}

// ---------------------------------------------------------------------------------------------- chain
struct ChainArgs {
    Common common;
    std::string checkpoint, out = "chain.png", norm_mode = "train";
    int count = 8, k = 4, zoom = 2;
    uint64_t seed = 0;
};

int run_chain(const ChainArgs& a) {
    apply_common(a.common);
    auto m = load(a.checkpoint, a.common);
    const auto z = ign::sample_noise(m.info.noise_sampler(), a.count, a.seed);
    const auto steps = ign::chain(m.model, z, a.k, inference_options(a.norm_mode));
    // One row per sample: z, f(z), f^2(z), ..., f^k(z).
    ign::save_grid(torch::stack(steps, 1).flatten(0, 1), a.out, a.k + 1, a.zoom);
    std::cout << a.out << "\n";
    for (int i = 1; i + 1 < int(steps.size()); ++i)
        std::cout << "mean |f^" << i + 1 << " - f^" << i << "| = " << (steps[i + 1] - steps[i]).abs().mean().item<double>()
                  << "\n";
    return kOk;
}

// ---------------------------------------------------------------------------------------- interpolate
struct InterpolateArgs {
    Common common;
    std::string checkpoint, out = "interpolation.png", method = "slerp", norm_mode = "train";
    std::vector<uint64_t> seeds{0, 1};
    int frames = 10, grid = 0, zoom = 2;
};

int run_interpolate(const InterpolateArgs& a) {
    apply_common(a.common);
    auto m = load(a.checkpoint, a.common);
    const auto noise = m.info.noise_sampler();
    const bool spherical = a.method == "slerp";
    auto z = [&](size_t i) { return ign::sample_noise(noise, 1, a.seeds.at(i))[0]; };
    torch::Tensor images;
    int columns;
    if (a.grid > 0) {
        if (a.seeds.size() != 4) throw CLI::ValidationError("--seeds", "a 2-D grid needs four corner seeds");
        images = ign::apply_f(m.model, ign::grid_path(z(0), z(1), z(2), z(3), a.grid, spherical),
                              inference_options(a.norm_mode));
        columns = a.grid;
    } else {
        if (a.seeds.size() != 2) throw CLI::ValidationError("--seeds", "interpolation needs two seeds (four with --grid)");
        images = ign::interpolate(m.model, z(0), z(1), a.frames, spherical, inference_options(a.norm_mode));
        columns = a.frames;
    }
    ign::save_grid(images, a.out, columns, a.zoom);
    std::cout << a.out << "\n";
    return kOk;
}

// -------------------------------------------------------------------------------------------- project
struct ProjectArgs {
    Common common;
    std::string checkpoint, out = "projected", norm_mode = "train";
    std::vector<std::string> inputs;
    int k = 3, zoom = 4;
};

int run_project(const ProjectArgs& a) {
    apply_common(a.common);
    auto m = load(a.checkpoint, a.common);
    std::vector<std::string> files;
    for (const auto& input : a.inputs) {
        if (fs::is_directory(input)) {
            for (const auto& e : fs::directory_iterator(input))
                if (e.is_regular_file()) files.push_back(e.path().string());
        } else {
            files.push_back(input);
        }
    }
    std::sort(files.begin(), files.end());
    int failed = 0;
    for (const auto& file : files) {
        try {
            const auto x = ign::load_image(file, m.info.model.channels, m.info.model.image_size);
            const auto steps = ign::chain(m.model, x, a.k, inference_options(a.norm_mode));
            const auto base = (fs::path(a.out) / fs::path(file).stem()).string();
            ign::save_image(steps.back(), base + "_projected.png", a.zoom);
            ign::save_grid(torch::cat(steps), base + "_chain.png", a.k + 1, a.zoom);  // input, f, ..., f^k
            std::cout << base << "_projected.png\n";
        } catch (const ign::DataError& e) {
            ++failed;
            spdlog::error("{}", e.what());
        }
    }
    if (files.empty()) {
        spdlog::error("no input images given");
        return kBadInput;
    }
    return failed ? kBadInput : kOk;
}

// -------------------------------------------------------------------------------------------- corrupt
struct CorruptArgs {
    Common common;
    std::string data = "digits", input, kind = "noise", out = "corrupted.png", checkpoint, norm_mode = "train";
    double sigma = 0.5, patch = 0.4;
    int count = 8, patches = 1, size = 28, channels = 1, zoom = 2;
    uint64_t seed = 0;
};

int run_corrupt(const CorruptArgs& a) {
    apply_common(a.common);
    Loaded m;
    int channels = a.channels, size = a.size;
    if (!a.checkpoint.empty()) {
        m = load(a.checkpoint, a.common);
        channels = m.info.model.channels;
        size = m.info.model.image_size;
    }
    torch::Tensor clean;
    if (!a.input.empty()) {
        clean = ign::load_image(a.input, channels, size);
    } else {
        const auto split = ign::load_dataset(a.data, channels, size);
        // Evenly spaced over the test split, so ordered sets (digits by class) show variety.
        const int64_t n = std::min<int64_t>(a.count, split.test.size());
        clean = split.test.images.index_select(0, torch::arange(n) * (split.test.size() / n));
    }
    auto gen = ign::make_generator(a.seed);
    const auto corrupted = ign::corrupt(clean, ign::corruption_from_string(a.kind), {a.sigma, a.patches, a.patch}, gen);
    std::vector<torch::Tensor> rows{clean, corrupted};
    if (m.model) rows.push_back(ign::project(m.model, corrupted, 1, inference_options(a.norm_mode)));
    // One row per kind: clean, corrupted[, f(corrupted)].
    ign::save_grid(torch::cat(rows), a.out, int(clean.size(0)), a.zoom);
    std::cout << a.out << "\n";
    if (m.model)
        std::cout << "mean |f(corrupted) - clean| = " << (rows[2] - clean).abs().mean().item<double>()
                  << ", mean |corrupted - clean| = " << (corrupted - clean).abs().mean().item<double>() << "\n";
    return kOk;
}

// ----------------------------------------------------------------------------------------------- info
struct InfoArgs {
    Common common;
    std::string checkpoint;
    bool system = false;
};

int run_info(const InfoArgs& a) {
    apply_common(a.common);
    if (a.system) std::cout << ign::system_info() << "\n";
    if (!a.checkpoint.empty()) {
        auto m = load(a.checkpoint, a.common);
        std::cout << m.info.card() << "  parameters: " << ign::parameter_count(*m.model) << "\n";
    }
    if (!a.system && a.checkpoint.empty()) throw CLI::ValidationError("info", "give a checkpoint or --system");
    return kOk;
}

// --------------------------------------------------------------------------------------------- export
struct ExportArgs {
    Common common;
    std::string checkpoint, out;
};

// A model for shipping or sharing: weights, options, noise statistics and loss history, without the
// optimizer state (a third of the size). Every inference command reads it; training cannot resume from it.
int run_export(const ExportArgs& a) {
    apply_common(a.common);
    auto m = load(a.checkpoint, a.common);
    ign::save_checkpoint(a.out, m.info, m.model, nullptr);
    std::cout << a.out << " (" << fs::file_size(a.out) / 1024 << " KiB)\n";
    return kOk;
}

// ---------------------------------------------------------------------------------- train-classifier
struct ClassifierArgs {
    Common common;
    std::string data = "digits", out;
    int channels = 1, size = 28;
    ign::ClassifierTraining training;
};

int run_train_classifier(const ClassifierArgs& a) {
    apply_common(a.common);
    const auto split = ign::load_dataset(a.data, a.channels, a.size);
    spdlog::info("{}: {} training images, {} test images", a.data, split.train.size(), split.test.size());
    double accuracy = 0;
    auto model = ign::train_classifier(split.train, split.test, a.training, &accuracy, [](int epoch, double loss) {
        spdlog::info("epoch {}: mean cross-entropy {:.4f}", epoch, loss);
    });
    const auto out = a.out.empty() ? "models/" + fs::path(a.data).filename().string() + "-classifier.pt" : a.out;
    ign::save_classifier(out, model, accuracy);
    std::cout << out << ": test accuracy " << accuracy << "\n";
    return kOk;
}

// ----------------------------------------------------------------------------------------------- eval
struct EvalArgs {
    Common common;
    std::string checkpoint, data, classifier, json_out, report = "eval.png", norm_mode = "train";
    ign::EvalOptions options;
};

int run_eval(const EvalArgs& a) {
    apply_common(a.common);
    auto m = load(a.checkpoint, a.common);
    const auto data = a.data.empty() ? m.info.train.data : a.data;
    const auto split = ign::load_dataset(data, m.info.model.channels, m.info.model.image_size);
    std::string classifier_path = a.classifier;
    // The data set's classifier beside the bundled models (in the source tree or where they are installed).
    const auto classifier_name = fs::path(data).filename().string() + "-classifier";
    const auto default_classifier = "models/" + classifier_name + ".pt";
    if (classifier_path.empty()) classifier_path = ign::find_bundled_model(classifier_name);
    ign::ClassifierNet classifier{nullptr};
    double classifier_accuracy = NAN;
    if (!classifier_path.empty()) {
        classifier = ign::load_classifier(classifier_path, &classifier_accuracy);
        if (classifier->options.channels != m.info.model.channels || classifier->options.image_size != m.info.model.image_size)
            throw ign::CheckpointError(classifier_path + ": classifier for " + std::to_string(classifier->options.channels) +
                                       " channels at " + std::to_string(classifier->options.image_size) +
                                       " px does not match the model");
    } else {
        spdlog::warn("no classifier (--classifier, or {}): Fréchet distance, coverage and accuracies are skipped",
                     default_classifier);
    }
    auto options = a.options;
    options.inference = inference_options(a.norm_mode);
    const auto report = ign::evaluate(m.model, m.info, split, classifier ? &classifier : nullptr, classifier_accuracy, options);
    const auto json = report.to_json(a.checkpoint, data);
    std::cout << json << std::endl;
    if (!a.json_out.empty()) ign::write_file_atomically(a.json_out, json + "\n");
    std::vector<std::pair<std::string, torch::Tensor>> sections{
        {"f(z): first 64 of " + std::to_string(options.samples) + " samples", ign::make_grid(report.samples, 16)},
        {"f(f(z))", ign::make_grid(report.refined, 16)}};
    for (size_t i = 0; i < report.projection.size(); ++i) {
        const auto& p = report.projection[i];
        char title[200];
        if (classifier)
            std::snprintf(title, sizeof title, "%s: clean / corrupted / projected   L1 %.3f -> %.3f   accuracy %.3f -> %.3f (clean %.3f)",
                          p.corruption.c_str(), p.l1_corrupted, p.l1_projected, p.accuracy_corrupted, p.accuracy_projected,
                          p.accuracy_clean);
        else  // no labels, no classifier: distances only
            std::snprintf(title, sizeof title, "%s: clean / corrupted / projected   L1 %.3f -> %.3f", p.corruption.c_str(),
                          p.l1_corrupted, p.l1_projected);
        sections.push_back({title, ign::make_grid(report.projection_examples[i], 10)});
    }
    ign::save_report(a.report, sections, m.info.model.image_size <= 32 ? 2 : 1);
    spdlog::info("report sheet: {}", a.report);
    return kOk;
}

// ---------------------------------------------------------------------------------------------- bench
struct BenchArgs {
    Common common;
    ign::BenchOptions options;
    bool plain = false;
};

int run_bench(BenchArgs& a) {
    apply_common(a.common);
    if (a.plain) ign::set_fast_paths(false);
    a.options.device = device_for(a.common);
    std::cout << ign::run_benchmark(a.options) << std::endl;
    return kOk;
}

std::string version_text() {
    std::string text = std::string("ign ") + ign::kVersion + "\n" + ign::library_versions();
#ifdef IGN_QT_VERSION
    text += "\nQt " IGN_QT_VERSION " (ign-studio)";
#endif
    return text;
}

}  // namespace

int main(int argc, char** argv) {
    ign::ensure_blas_core_type(argc, argv);
    // Past a file-size limit (ulimit -f) writes fail with EFBIG, reported like a full disk, instead of
    // the signal killing the process mid-save.
    std::signal(SIGXFSZ, SIG_IGN);
    CLI::App app{"ign: train and use Idempotent Generative Networks from the terminal"};
    app.set_version_flag("--version", version_text());
    app.require_subcommand(1);
    int rc = kOk;

    TrainArgs train;
    train.argv.assign(argv + 1, argv + argc);
    auto* t = app.add_subcommand("train", "train a model (or resume one) and write checkpoint.pt, losses.csv, preview.png");
    add_common(t, train.common);
    add_device(t, train.common);
    t->add_option("--preset", train.preset, "mnist28 or dcgan64")->check(CLI::IsMember(ign::preset_names()))->capture_default_str();
    t->add_option("--data", train.data, "digits, fashion, emoji, or a folder / IDX file")->capture_default_str();
    t->add_option("--width", train.width, "first-layer channels nf (preset: 64)");
    t->add_option("--latent", train.latent, "bottleneck channels L (preset: 512)");
    t->add_option("--channels", train.channels, "image channels, 1 or 3 (preset)");
    t->add_option("--size", train.size, "image size, 28 or a power of two 16..256 (preset)");
    t->add_option("--norm", train.norm, "batch, group or none (preset: batch)")->check(CLI::IsMember(ign::norm_names()));
    t->add_option("--noise", train.noise, "gaussian or spectral")->check(CLI::IsMember(ign::noise_names()))->capture_default_str();
    t->add_option("--batch", train.batch, "batch size")->check(CLI::PositiveNumber)->capture_default_str();
    t->add_option("--steps", train.steps, "total optimisation steps (default 1000; with --resume: the new total)");
    t->add_option("--epochs", train.epochs, "train this many epochs instead of --steps");
    t->add_option("--seed", train.seed, "seed for initialisation, data order and noise")->capture_default_str();
    t->add_option("--lr", train.lr, "Adam learning rate")->capture_default_str();
    t->add_option("--beta1", train.beta1, "Adam beta1")->capture_default_str();
    t->add_option("--beta2", train.beta2, "Adam beta2")->capture_default_str();
    t->add_option("--lambda-rec", train.lambda_rec, "weight of reconstruction")->capture_default_str();
    t->add_option("--lambda-idem", train.lambda_idem, "weight of idempotence")->capture_default_str();
    t->add_option("--lambda-tight", train.lambda_tight, "weight of tightness")->capture_default_str();
    t->add_option("--clamp-a", train.clamp_a, "tightness clamp factor a")->capture_default_str();
    t->add_flag("--detach-clamp-reference", train.detach_clamp, "detach R_i inside the tightness clamp");
    t->add_option("--out", train.out, "run folder (default runs/<preset>-<data>; with --resume: the checkpoint's folder)");
    t->add_option("--resume", train.resume,
                  "continue from this checkpoint; --lambda-rec/-idem/-tight, --clamp-a and --lr given with it change "
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
    t->add_option("--nproc", train.nproc, "data-parallel processes on this host (c10d Gloo; the batch is split among them)")
        ->check(CLI::Range(1, 256))
        ->capture_default_str();
    t->add_option("--rank", train.rank, "this process's rank, 0..world-size-1 (several hosts; rank 0 writes the files)");
    t->add_option("--world-size", train.world_size, "number of processes in all (several hosts)")->check(CLI::Range(1, 4096));
    t->add_option("--master", train.master, "HOST:PORT of rank 0's TCPStore (several hosts)")->capture_default_str();
    t->add_option("--dist-timeout", train.dist_timeout, "seconds to wait for a silent peer before stopping with an error")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    t->callback([&] {
        train.data_given = t->count("--data") > 0;
        auto given = [&](const char* name) { return t->count(name) > 0; };
        if (given("--lambda-rec")) train.resume_changes.lambda_rec = train.lambda_rec;
        if (given("--lambda-idem")) train.resume_changes.lambda_idem = train.lambda_idem;
        if (given("--lambda-tight")) train.resume_changes.lambda_tight = train.lambda_tight;
        if (given("--clamp-a")) train.resume_changes.clamp_a = train.clamp_a;
        if (given("--lr")) train.resume_changes.lr = train.lr;
        for (const char* name : {"--preset", "--width", "--latent", "--channels", "--size", "--norm", "--noise", "--batch",
                                 "--seed", "--beta1", "--beta2", "--detach-clamp-reference"})
            if (given(name)) train.ignored_on_resume.push_back(name);
        rc = run_train(train);
    });

    SampleArgs sample;
    auto* s = app.add_subcommand("sample", "generate images in one step: f(z) for noise z from a seed");
    add_common(s, sample.common);
    add_device(s, sample.common);
    s->add_option("checkpoint", sample.checkpoint, kModelHelp)->required();
    s->add_option("--count,-n", sample.count, "number of samples")->check(CLI::Range(1, 4096))->capture_default_str();
    s->add_option("--seed", sample.seed, "noise seed")->capture_default_str();
    s->add_option("--out,-o", sample.out, "grid PNG")->capture_default_str();
    s->add_option("--each", sample.each_dir, "also write each sample as its own PNG into this folder");
    s->add_option("--columns", sample.columns, "grid columns")->capture_default_str();
    s->add_option("--zoom", sample.zoom, "enlarge pixels this many times")->check(CLI::Range(1, 32))->capture_default_str();
    add_norm_mode(s, sample.norm_mode);
    s->callback([&] { rc = run_sample(sample); });

    ChainArgs chain;
    auto* c = app.add_subcommand("chain", "refine by applying f again: z, f(z), f^2(z) ... f^k(z), one row per sample");
    add_common(c, chain.common);
    add_device(c, chain.common);
    c->add_option("checkpoint", chain.checkpoint, kModelHelp)->required();
    c->add_option("--count,-n", chain.count, "number of samples")->check(CLI::Range(1, 1024))->capture_default_str();
    c->add_option("-k", chain.k, "applications of f")->check(CLI::Range(1, 64))->capture_default_str();
    c->add_option("--seed", chain.seed, "noise seed")->capture_default_str();
    c->add_option("--out,-o", chain.out, "grid PNG")->capture_default_str();
    c->add_option("--zoom", chain.zoom, "enlarge pixels")->check(CLI::Range(1, 32))->capture_default_str();
    add_norm_mode(c, chain.norm_mode);
    c->callback([&] { rc = run_chain(chain); });

    InterpolateArgs interp;
    auto* ip = app.add_subcommand("interpolate", "walk the latent space: f(lerp/slerp(z_a, z_b, t)), or a 2-D grid of four seeds");
    add_common(ip, interp.common);
    add_device(ip, interp.common);
    ip->add_option("checkpoint", interp.checkpoint, kModelHelp)->required();
    ip->add_option("--seeds", interp.seeds, "two seeds (four corner seeds with --grid)")->delimiter(',');
    ip->add_option("--frames", interp.frames, "frames from t = 0 to 1")->check(CLI::Range(2, 512))->capture_default_str();
    ip->add_option("--method", interp.method, "lerp or slerp")->check(CLI::IsMember({"lerp", "slerp"}))->capture_default_str();
    ip->add_option("--grid", interp.grid, "n x n grid among four seeds")->check(CLI::Range(2, 64));
    ip->add_option("--out,-o", interp.out, "PNG strip or grid")->capture_default_str();
    ip->add_option("--zoom", interp.zoom, "enlarge pixels")->check(CLI::Range(1, 32))->capture_default_str();
    add_norm_mode(ip, interp.norm_mode);
    ip->callback([&] { rc = run_interpolate(interp); });

    ProjectArgs project;
    auto* p = app.add_subcommand("project", "project images of any size onto what the model learned: f^k(image)");
    add_common(p, project.common);
    add_device(p, project.common);
    p->add_option("checkpoint", project.checkpoint, kModelHelp)->required();
    p->add_option("inputs", project.inputs, "image files or folders")->required();
    p->add_option("-k", project.k, "applications of f")->check(CLI::Range(1, 64))->capture_default_str();
    p->add_option("--out,-o", project.out, "output folder (NAME_projected.png, NAME_chain.png)")->capture_default_str();
    p->add_option("--zoom", project.zoom, "enlarge pixels")->check(CLI::Range(1, 32))->capture_default_str();
    add_norm_mode(p, project.norm_mode);
    p->callback([&] { rc = run_project(project); });

    CorruptArgs corrupt;
    auto* cr = app.add_subcommand("corrupt", "make noisy, grayscale, sketch or occluded versions (and project them with --checkpoint)");
    add_common(cr, corrupt.common);
    add_device(cr, corrupt.common);
    cr->add_option("--kind", corrupt.kind, "noise, gray, sketch, edges or occlude")
        ->check(CLI::IsMember({"noise", "gray", "sketch", "edges", "occlude"}))->capture_default_str();
    cr->add_option("--data", corrupt.data, "data set whose test images to corrupt")->capture_default_str();
    cr->add_option("--input", corrupt.input, "an image file instead of a data set");
    cr->add_option("--checkpoint", corrupt.checkpoint, "also project the corrupted images with this model");
    cr->add_option("--count,-n", corrupt.count, "images")->check(CLI::Range(1, 1024))->capture_default_str();
    cr->add_option("--sigma", corrupt.sigma, "noise standard deviation in [-1, 1] units")->capture_default_str();
    cr->add_option("--patches", corrupt.patches, "occluding patches per image")->capture_default_str();
    cr->add_option("--patch-size", corrupt.patch, "patch side as a fraction of the image")->capture_default_str();
    cr->add_option("--channels", corrupt.channels, "channels without a checkpoint")->capture_default_str();
    cr->add_option("--size", corrupt.size, "size without a checkpoint")->capture_default_str();
    cr->add_option("--seed", corrupt.seed, "seed")->capture_default_str();
    cr->add_option("--out,-o", corrupt.out, "PNG: rows clean, corrupted[, projected]")->capture_default_str();
    cr->add_option("--zoom", corrupt.zoom, "enlarge pixels")->check(CLI::Range(1, 32))->capture_default_str();
    add_norm_mode(cr, corrupt.norm_mode);
    cr->callback([&] { rc = run_corrupt(corrupt); });

    InfoArgs info;
    auto* in = app.add_subcommand("info", "print a checkpoint's model card, or the system's threads, BLAS and oneDNN");
    add_common(in, info.common);
    in->add_option("checkpoint", info.checkpoint, kModelHelp);
    in->add_flag("--system", info.system, "threads, BLAS core type, oneDNN, OpenMP");
    in->callback([&] { rc = run_info(info); });

    ExportArgs exp;
    auto* ex = app.add_subcommand("export", "write a model for shipping: a checkpoint without optimizer state");
    add_common(ex, exp.common);
    ex->add_option("checkpoint", exp.checkpoint, kModelHelp)->required();
    ex->add_option("out", exp.out, "output file")->required();
    ex->callback([&] { rc = run_export(exp); });

    ClassifierArgs cls;
    auto* tc = app.add_subcommand("train-classifier", "train the small CNN whose features ign eval uses (labelled sets)");
    add_common(tc, cls.common);
    tc->add_option("--data", cls.data, "labelled data set")->capture_default_str();
    tc->add_option("--channels", cls.channels, "image channels")->capture_default_str();
    tc->add_option("--size", cls.size, "image size")->capture_default_str();
    tc->add_option("--epochs", cls.training.epochs, "epochs")->capture_default_str();
    tc->add_option("--out,-o", cls.out, "output (default models/<data>-classifier.pt)");
    tc->callback([&] { rc = run_train_classifier(cls); });

    EvalArgs ev;
    auto* e = app.add_subcommand("eval", "measure a model: FD of f, f2, f3, class coverage, projection fidelity, idempotence");
    add_common(e, ev.common);
    add_device(e, ev.common);
    e->add_option("checkpoint", ev.checkpoint, kModelHelp)->required();
    e->add_option("--data", ev.data, "data set (default: the one the model was trained on)");
    e->add_option("--classifier", ev.classifier, "classifier from train-classifier (default: <data>-classifier.pt beside the bundled models)");
    e->add_option("--samples", ev.options.samples, "generated samples")->check(CLI::Range(64, 100000))->capture_default_str();
    e->add_option("--projection-images", ev.options.projection_images, "test images to corrupt")->check(CLI::Range(10, 100000))->capture_default_str();
    e->add_option("--seed", ev.options.seed, "seed")->capture_default_str();
    e->add_option("--json", ev.json_out, "also write the JSON here");
    e->add_option("--report", ev.report, "PNG report sheet")->capture_default_str();
    add_norm_mode(e, ev.norm_mode);
    e->callback([&] { rc = run_eval(ev); });

    BenchArgs bench;
    auto* b = app.add_subcommand("bench", "measure training images/s, sampling latency and peak memory (JSON)");
    add_common(b, bench.common);
    add_device(b, bench.common);
    b->add_option("--steps", bench.options.train_steps, "timed training steps per preset")->capture_default_str();
    b->add_option("--warmup", bench.options.warmup_steps, "untimed warm-up steps")->capture_default_str();
    b->add_option("--batch", bench.options.mnist_batch, "mnist28 training batch")->capture_default_str();
    b->add_option("--dcgan-batch", bench.options.dcgan_batch, "dcgan64 training batch")->capture_default_str();
    b->add_option("--repeats", bench.options.latency_repeats, "timed single-image passes")->capture_default_str();
    b->add_flag("--no-dcgan{false}", bench.options.include_dcgan, "skip the dcgan64 preset");
    b->add_option("--precision", bench.options.precision,
                  "auto (as ign train: bf16 where the CPU computes it in hardware), fp32 or bf16 (autocast) for the "
                  "training steps")
        ->check(CLI::IsMember(ign::precision_names()))
        ->capture_default_str();
    b->add_option("--profile", bench.options.profile_top,
                  "also profile one mnist28 training step and one image: the N operations taking the most time")
        ->check(CLI::Range(1, 1000));
    b->add_flag("--no-fast-paths", bench.plain, "measure the plain LibTorch modules (no sub-pixel convolutions; auto precision is then fp32)");
    b->callback([&] { rc = run_bench(bench); });

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e);
        return code == 0 ? kOk : kUsage;
    } catch (const ign::DataError& e) {
        spdlog::error("{}", e.what());
        return kBadInput;
    } catch (const ign::CheckpointError& e) {
        spdlog::error("{}", e.what());
        return kBadInput;
    } catch (const std::invalid_argument& e) {
        spdlog::error("{}", e.what());
        return kUsage;
    } catch (const c10::Error& e) {
        // The last resort: the engine explains LibTorch's errors where it knows more (EngineError).
        std::string command_line = "ign";
        for (int i = 1; i < argc; ++i) command_line += std::string(" ") + argv[i];
        spdlog::error("{} failed inside LibTorch: {}", command_line, ign::torch_message(e));
        return kError;
    } catch (const std::exception& e) {
        spdlog::error("{}", e.what());
        return kError;
    }
    return rc;
}
