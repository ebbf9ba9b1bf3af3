// The engine on a CUDA GPU, against the same work on the CPU. Plain C++ (no Qt), so that a headless
// build on a GPU server runs it. Without a CUDA device visible to LibTorch it says so and exits with 77
// (ctest: skipped). Tolerances are stated with each check.
#include <torch/torch.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <unistd.h>
#include <vector>

#include "ign/checkpoint.h"
#include "ign/inference.h"
#include "ign/trainer.h"

namespace fs = std::filesystem;
using namespace ign;

namespace {

int failures = 0;

void check(bool ok, const std::string& what) {
    std::printf("%s: %s\n", ok ? "PASS" : "FAIL", what.c_str());
    if (!ok) ++failures;
}

Dataset random_images(int64_t n) {
    torch::manual_seed(11);
    Dataset d;
    d.name = "random";
    d.images = torch::rand({n, 1, 28, 28}) * 2 - 1;
    return d;
}

TrainOptions tiny(const std::string& device, const std::string& out, Norm norm = Norm::None) {
    TrainOptions o;
    o.model = preset_options("mnist28");
    o.model.width = 16;
    o.model.latent = 32;
    o.model.norm = norm;
    o.settings.batch = 32;
    o.settings.steps = 5;
    o.settings.seed = 3;
    o.device = device;
    o.out_dir = out;
    o.checkpoint_every = 0;
    o.preview_every = 0;
    return o;
}

double max_relative_loss_gap(const Trainer& a, const Trainer& b) {
    double worst = 0;
    for (size_t i = 0; i < a.info().history.size(); ++i)
        worst = std::max(worst, std::abs(a.info().history[i].total - b.info().history[i].total) /
                                    std::abs(a.info().history[i].total));
    return worst;
}

}  // namespace

int main() {
    if (!torch::cuda::is_available()) {
        std::printf("SKIPPED: no CUDA device is visible to this LibTorch (these tests need one)\n");
        return 77;
    }
    std::printf("CUDA devices: %d\n", int(torch::cuda::device_count()));
    const auto dir = fs::temp_directory_path() / ("ign-test-cuda-" + std::to_string(::getpid()));
    const auto data = random_images(256);

    // Training on the GPU follows the CPU: per-step losses within 1 % relative (cuDNN may run
    // convolutions in TF32, a 10-bit mantissa, and sums in another order than the CPU).
    Trainer cpu(tiny("cpu", (dir / "cpu").string()), data);
    cpu.run();
    Trainer gpu(tiny("cuda", (dir / "gpu").string()), data);
    gpu.run();
    const double gap = max_relative_loss_gap(cpu, gpu);
    check(gap < 1e-2, "cuda training follows cpu training (worst relative loss gap " + std::to_string(gap) + " < 1e-2)");
    check(gpu.model()->parameters().front().is_cuda(), "the model trained on the GPU");

    // A checkpoint written from the GPU loads on the CPU with the same weights.
    auto loaded = load_checkpoint(gpu.checkpoint_path());
    const double weight_gap = (loaded.model->parameters().front() - gpu.model()->parameters().front().cpu()).abs().max().item<double>();
    check(!loaded.model->parameters().front().is_cuda() && weight_gap == 0.0,
          "a checkpoint saved from the GPU loads onto the CPU unchanged");

    // Inference: the same model on both devices gives the same images within 1e-3 (inputs in [-1, 1]).
    auto on_cpu = loaded.model;
    auto on_gpu = load_checkpoint(gpu.checkpoint_path()).model;
    on_gpu->to(torch::kCUDA);
    const auto z = torch::randn({16, 1, 28, 28});
    const double image_gap = (apply_f(on_cpu, z) - apply_f(on_gpu, z)).abs().max().item<double>();
    check(image_gap < 1e-2, "f(z) on cuda matches the cpu (max difference " + std::to_string(image_gap) + " < 1e-2)");

    // bf16 autocast on the GPU follows float32 on the GPU: losses within 2 %.
    auto bf16_options = tiny("cuda", (dir / "bf16").string());
    bf16_options.precision = "bf16";
    Trainer bf16(bf16_options, data);
    bf16.run();
    const double bf16_gap = max_relative_loss_gap(gpu, bf16);
    check(bf16_gap < 0.02 && bf16_gap > 0, "bf16 autocast on cuda follows fp32 (worst relative loss gap " +
                                               std::to_string(bf16_gap) + " < 0.02)");

    // BatchNorm models train on the GPU too.
    Trainer bn(tiny("cuda", (dir / "bn").string(), Norm::Batch), data);
    const auto result = bn.run();
    check(result.status == TrainStatus::Completed && std::isfinite(bn.info().history.back().total),
          "a BatchNorm model trains on cuda");

    // `ign bench --device cuda` runs and reports the device.
    if (const char* ign = std::getenv("IGN_BIN")) {
        const auto json = (dir / "bench.json").string();
        const std::string command = std::string(ign) + " bench --device cuda --steps 3 --repeats 5 --log-level warn > " + json;
        const int rc = std::system(command.c_str());
        std::string text;
        if (FILE* f = std::fopen(json.c_str(), "r")) {
            char buffer[4096];
            size_t n;
            while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0) text.append(buffer, n);
            std::fclose(f);
        }
        check(rc == 0 && text.find("\"device\": \"cuda\"") != std::string::npos, "ign bench --device cuda");
    }
    fs::remove_all(dir);
    std::printf("%s\n", failures ? "FAILED" : "all passed");
    return failures ? 1 : 0;
}
