#include "ign/bench.h"

#include <ATen/Parallel.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>

// LibTorch's operator profiler (the legacy one: it needs no Kineto in the build).
#if __has_include(<torch/csrc/autograd/profiler_legacy.h>)
#include <torch/csrc/autograd/profiler_legacy.h>
#define IGN_HAVE_OP_PROFILER 1
#endif

#include "ign/inference.h"
#include "ign/model.h"
#include "ign/objective.h"
#include "ign/onednn_forward.h"
#include "ign/precision.h"
#include "ign/system.h"
#include "ign/version.h"

namespace ign {
namespace {

using clock_type = std::chrono::steady_clock;

double peak_rss_mb() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

double seconds_since(clock_type::time_point t) {
    return std::chrono::duration<double>(clock_type::now() - t).count();
}

// Waits for the device's queued work, so that a timer stopped after it measures the work.
void synchronize(const torch::Device& device) {
    if (device.is_cuda()) torch::cuda::synchronize();
}

// Self time of each LibTorch operation (time in it less time in the operations it called) and of each
// primitive of the oneDNN inference chain, per run of `fn`, largest first: where a step spends its time.
nlohmann::json operation_profile(const std::function<void()>& fn, int runs, int top) {
#ifdef IGN_HAVE_OP_PROFILER
    namespace prof = torch::autograd::profiler;
    prof::enableProfilerLegacy(prof::ProfilerConfig(prof::ProfilerState::CPU));
    OneDnnForward::start_profile();
    for (int i = 0; i < runs; ++i) fn();
    const auto primitives = OneDnnForward::stop_profile();
    const auto threads = prof::disableProfilerLegacy();
    std::map<std::string, std::pair<double, int64_t>> self_us;  // name -> (self time, calls)
    double total_us = 0;
    for (const auto& events : threads) {
        std::vector<std::pair<const prof::LegacyEvent*, double>> open;  // (push event, time in children)
        for (const auto& e : events) {
            if (e.kind() == prof::EventKind::PushRange) {
                open.push_back({&e, 0.0});
            } else if (e.kind() == prof::EventKind::PopRange && !open.empty()) {
                const auto [push, children_us] = open.back();
                open.pop_back();
                const double us = push->cpuElapsedUs(e);
                auto& entry = self_us[push->name()];
                entry.first += us - children_us;
                entry.second += 1;
                if (open.empty()) total_us += us;
                else open.back().second += us;
            }
        }
    }
    for (const auto& p : primitives) {  // run outside any LibTorch operation
        self_us[p.name] = {p.ms * 1e3, p.calls};
        total_us += p.ms * 1e3;
    }
    std::vector<std::pair<double, std::string>> order;
    for (const auto& [name, v] : self_us) order.push_back({v.first, name});
    std::sort(order.rbegin(), order.rend());
    nlohmann::json ops = nlohmann::json::array();
    for (size_t i = 0; i < order.size() && int(i) < top; ++i) {
        const auto& [us, name] = order[i];
        ops.push_back({{"op", name}, {"self_ms", us / runs / 1e3}, {"share", us / total_us},
                       {"calls", self_us[name].second / runs}});
    }
    return {{"profiled_ms", total_us / runs / 1e3}, {"ops", ops}};
#else
    (void)fn, (void)runs, (void)top;
    return {{"error", "this LibTorch has no operator profiler"}};
#endif
}

nlohmann::json train_throughput(const ModelOptions& model_options, int batch, const BenchOptions& o) {
    const torch::Device device(o.device);
    torch::manual_seed(0);
    IgnNet model(model_options);
    model->to(device);
    model->train();
    Objective objective(model, {});
    torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(1e-4).betas({0.5, 0.999}));
    const auto x = (torch::rand({batch, model_options.channels, model_options.image_size, model_options.image_size}) * 2 - 1).to(device);
    const bool bf16 = bf16_from_string(resolve_precision(o.precision, device));
    auto step = [&] {
        const auto z = torch::randn_like(x);
        LossTerms terms;
        {
            BF16Autocast autocast(device, bf16);
            terms = objective.compute(x, z);
        }
        optimizer.zero_grad();
        terms.total.backward();
        optimizer.step();
    };
    for (int i = 0; i < o.warmup_steps; ++i) step();
    synchronize(device);
    const auto start = clock_type::now();
    for (int i = 0; i < o.train_steps; ++i) step();
    synchronize(device);
    const double per_step = seconds_since(start) / o.train_steps;
    nlohmann::json out = {{"preset", model_options.preset}, {"batch", batch}, {"params", parameter_count(*model)},
                          {"train_step_s", per_step}, {"train_img_per_s", batch / per_step}};
    if (o.profile_top > 0) out["profile"] = operation_profile(step, 3, o.profile_top);
    return out;
}

// Latency of what the commands run: apply_f with the default inference options (train-mode
// normalisation, running statistics restored afterwards, InferenceMode).
nlohmann::json latency(IgnNet& model, int64_t batch, int repeats) {
    const auto& o = model->options;
    const auto z = torch::randn({batch, o.channels, o.image_size, o.image_size});
    for (int i = 0; i < 3; ++i) apply_f(model, z);
    std::vector<double> ms;
    for (int i = 0; i < repeats; ++i) {
        const auto start = clock_type::now();
        apply_f(model, z);
        ms.push_back(seconds_since(start) * 1e3);
    }
    std::vector<double> sorted = ms;
    std::sort(sorted.begin(), sorted.end());
    auto percentile = [&](double p) { return sorted[std::min(sorted.size() - 1, size_t(p * (sorted.size() - 1) + 0.5))]; };
    double mean = 0;
    for (double v : ms) mean += v / double(ms.size());
    return {{"batch", batch}, {"mean_ms", mean}, {"p50_ms", percentile(0.5)}, {"p95_ms", percentile(0.95)}};
}

}  // namespace

std::string run_benchmark(const BenchOptions& o) {
    nlohmann::json out;
    out["impl"] = std::string("ign ") + kVersion;
    out["threads"] = at::get_num_threads();
    out["system"] = system_summary();
    out["fast_paths"] = fast_paths_default();
    out["inference_norm_mode"] = to_string(InferenceOptions{}.norm_mode);
    out["device"] = o.device;
    const torch::Device device(o.device);
    out["precision"] = resolve_precision(o.precision, device);

    auto mnist = preset_options("mnist28");
    out["train_mnist28"] = train_throughput(mnist, o.mnist_batch, o);
    out["peak_rss_mb_after_mnist28_train"] = peak_rss_mb();

    torch::manual_seed(0);
    IgnNet model(mnist);
    model->to(device);
    out["sample_mnist28_single"] = latency(model, 1, o.latency_repeats);
    if (o.profile_top > 0) {
        const auto one = torch::randn({1, mnist.channels, mnist.image_size, mnist.image_size});
        out["sample_mnist28_single"]["profile"] = operation_profile([&] { apply_f(model, one); }, 200, o.profile_top);
    }
    out["sample_mnist28_batch64"] = latency(model, 64, std::max(5, o.latency_repeats / 5));

    if (o.include_dcgan) {
        out["train_dcgan64"] = train_throughput(preset_options("dcgan64"), o.dcgan_batch, o);
        IgnNet dcgan(preset_options("dcgan64"));
        dcgan->to(device);
        out["sample_dcgan64_single"] = latency(dcgan, 1, std::max(5, o.latency_repeats / 5));
    }
    out["peak_rss_mb"] = peak_rss_mb();
    if (device.is_cuda()) out["cuda_devices"] = torch::cuda::device_count();
    return out.dump(2);
}

}  // namespace ign
