#include "cli.h"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <filesystem>

#include "ign/session.h"
#include "ign/system.h"

namespace fs = std::filesystem;

namespace ign_cli {

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

void add_model_argument(CLI::App* command, std::string& checkpoint) {
    command->add_option("checkpoint", checkpoint, kModelHelp)->required();
}

void add_k(CLI::App* command, int& k) {
    command->add_option("-k", k, "applications of f")->check(CLI::Range(1, 64))->capture_default_str();
}

void add_count(CLI::App* command, int& count, int most, const std::string& what) {
    command->add_option("--count,-n", count, "number of " + what)->check(CLI::Range(1, most))->capture_default_str();
}

void add_seed(CLI::App* command, uint64_t& seed, const std::string& what) {
    command->add_option("--seed", seed, "seed of " + what)->capture_default_str();
}

void add_image_output(CLI::App* command, std::string& out, int& zoom, const std::string& what) {
    command->add_option("--out,-o", out, what)->capture_default_str();
    command->add_option("--zoom", zoom, "enlarge pixels this many times")->check(CLI::Range(1, 32))->capture_default_str();
}

void add_norm_mode(CLI::App* cmd, std::string& norm_mode) {
    cmd->add_option("--norm-mode", norm_mode,
                    "normalisation at inference: train (batch statistics; default, better samples with BatchNorm) or eval (running statistics)")
        ->check(CLI::IsMember({"eval", "train"}))
        ->capture_default_str();
}

}  // namespace ign_cli
