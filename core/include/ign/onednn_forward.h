#pragma once
// Inference of a whole network on the CPU as one chain of oneDNN primitives. LibTorch runs a layer at a
// time: every convolution converts its input into oneDNN's blocked layout and its output back, and each
// normalisation and activation is a separate call. Here activations stay in the blocked layouts from
// input to output, activations and tanh are fused into the convolutions, ReLU into the normalisation,
// transposed convolutions run on oneDNN's own kernels (no zero taps), and weights are reordered once
// until they change. Same mathematics as the modules (tests/test_fast_paths.cpp compares them).
#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

namespace ign {

struct IgnNetImpl;

class OneDnnForward {
public:
    OneDnnForward();
    ~OneDnnForward();
    OneDnnForward(const OneDnnForward&) = delete;
    OneDnnForward& operator=(const OneDnnForward&) = delete;

    // Whether this path runs `model` on `x`: a CPU float32 pass without gradients or autocast, over
    // layers oneDNN has (oneDNN 2.6 has no group normalisation, so GroupNorm models keep LibTorch).
    static bool applies(IgnNetImpl& model, const torch::Tensor& x);
    // f(x), normalising as the modules' train/eval mode says; never changes the model (train-mode
    // BatchNorm uses the batch's statistics and leaves the running ones alone). Thread-safe.
    torch::Tensor forward(IgnNetImpl& model, const torch::Tensor& x);
    // How many batch shapes are prepared for the next call (at most 4; a batch whose buffers would take
    // more than 256 MB is run once and not kept).
    size_t cached_plans() const;

    // Wall time per primitive (named "onednn::KIND CxHxW -> CxHxW") over every run between start and
    // stop, largest first; `ign bench --profile` reports it with LibTorch's operator profile.
    struct PrimitiveTime {
        std::string name;
        double ms = 0;
        int64_t calls = 0;
    };
    static void start_profile();
    static std::vector<PrimitiveTime> stop_profile();

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace ign
