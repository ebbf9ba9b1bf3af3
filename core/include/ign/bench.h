#pragma once
// `ign bench`: training throughput, inference latency and peak memory, with fixed seeds and warm-up
// excluded, measured the way ../shared/bench/ref_ign.py measures the Python reference.
#include <string>

namespace ign {

struct BenchOptions {
    int train_steps = 8;
    int warmup_steps = 2;
    int mnist_batch = 256;
    int dcgan_batch = 64;
    int latency_repeats = 50;
    bool include_dcgan = true;
    std::string device = "cpu";  // "cpu" or "cuda" (resolve_device)
    std::string precision = "auto";  // "fp32", "bf16" (training forward passes under autocast) or "auto" (precision.h)
    int profile_top = 0;  // > 0: also profile one mnist28 training step and one image, this many operations each
};

// Returns one JSON object (as text).
std::string run_benchmark(const BenchOptions& options);

}  // namespace ign
