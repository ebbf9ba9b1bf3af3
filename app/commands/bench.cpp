// `ign bench`: its options and what it runs.
#include <iostream>

#include "cli.h"
#include "ign/bench.h"

namespace ign_cli {
namespace {

struct BenchArgs {
    Common common;
    ign::BenchOptions options;
    bool plain = false;
};

int run_bench(const BenchArgs& a) {
    if (a.plain) ign::set_fast_paths(false);
    auto options = a.options;
    options.device = device_for(a.common);
    std::cout << ign::run_benchmark(options) << std::endl;
    return kOk;
}

}  // namespace

void add_bench_command(CLI::App& app, CommandContext& context) {
    static BenchArgs bench;
    auto* b = add_network_command(app, context, "bench", "measure training images/s, sampling latency and peak memory (JSON)", bench, run_bench);
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
}

}  // namespace ign_cli
