#include "ign/bench.h"

#include <ATen/Parallel.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>

#include "ign/inference.h"
#include "ign/model.h"
#include "ign/objective.h"
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

nlohmann::json train_throughput(const ModelOptions& model_options, int batch, const BenchOptions& o) {
    const torch::Device device(o.device);
    torch::manual_seed(0);
    IgnNet model(model_options);
    model->to(device);
    model->train();
    Objective objective(model, {});
    torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(1e-4).betas({0.5, 0.999}));
    const auto x = (torch::rand({batch, model_options.channels, model_options.image_size, model_options.image_size}) * 2 - 1).to(device);
    auto step = [&] {
        const auto z = torch::randn_like(x);
        LossTerms terms;
        {
            BF16Autocast autocast(device, bf16_from_string(resolve_precision(o.precision, device)));
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
    return {{"preset", model_options.preset}, {"batch", batch}, {"params", parameter_count(*model)},
            {"train_step_s", per_step}, {"train_img_per_s", batch / per_step}};
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
