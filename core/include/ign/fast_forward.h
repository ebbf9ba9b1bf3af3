#pragma once
// How f is computed fast, and exactly (tests/test_fast_paths.cpp compares every form with the modules).
// The network's forward() reads as the architecture; training (objective.cpp) and inference
// (inference.cpp) call run_network, which picks, for each pass:
//  - the oneDNN chain (onednn_forward.h): CPU float32 inference without gradients, no GroupNorm;
//  - else the layers one by one, with exact shortcuts: a convolution whose kernel covers its whole input
//    (4x4 -> 1x1) and a transposed convolution of a 1x1 input as matrix products; strided transposed
//    convolutions as sub-pixel or per-phase regular convolutions on oneDNN; for CPU inference, every other
//    convolution with its weight packed once into oneDNN's layout until the weight changes;
//  - the modules themselves when the model's fast_paths is off.
// A pass without gradients never changes the model: train-mode BatchNorm normalises with the batch's own
// statistics and leaves the running ones alone.
#include <torch/torch.h>

#include <functional>
#include <map>

#include "ign/onednn_forward.h"

namespace ign {

struct IgnNetImpl;

// f(x) for training and inference: model.fast_forward when the model's fast_paths is on, else forward().
torch::Tensor run_network(IgnNetImpl& model, const torch::Tensor& x);

class FastForward {
public:
    torch::Tensor run(IgnNetImpl& model, const torch::Tensor& x);
    const OneDnnForward& onednn() const { return m_onednn; }

private:
    torch::Tensor run_layers(torch::nn::Sequential& layers, torch::Tensor h, size_t first_key);
    // A convolution for inference on the CPU with its weight packed once into oneDNN's layout.
    torch::Tensor packed_conv2d(const torch::Tensor& input, size_t key, const torch::Tensor& source,
                                const std::function<torch::Tensor()>& make_weight, int64_t stride, int64_t padding);
    struct PackedWeight {
        torch::Tensor weight;        // oneDNN layout
        const void* data = nullptr;  // the layer weight it was made from, and that weight's version
        uint32_t version = 0;
    };
    std::map<size_t, PackedWeight> m_packed;
    OneDnnForward m_onednn;  // thread-safe
};

// A stride-1 convolution used by the transposed-convolution forms below: convolves `input` with the
// weight `make_weight()` (part `part` of the layer) and `padding` on every side.
using PartConv = std::function<torch::Tensor(const torch::Tensor& input, int part,
                                             const std::function<torch::Tensor()>& make_weight, int64_t padding)>;
torch::Tensor plain_part_conv(const torch::Tensor& input, int part, const std::function<torch::Tensor()>& make_weight,
                              int64_t padding);

// The transposed convolution y = conv_transpose2d(x, weight, stride, padding) on oneDNN's convolutions
// instead of LibTorch's im2col + col2im path; both forms exact and differentiable with respect to x and
// weight. This one: one regular convolution with stride*stride*Cout channels followed by pixel_shuffle and
// a crop (a kernel that is not a multiple of the stride is zero-padded to one).
torch::Tensor subpixel_conv_transpose2d(const torch::Tensor& x, const torch::Tensor& weight, int64_t stride,
                                        int64_t padding, const PartConv& conv = plain_part_conv);
// One convolution per output phase (stride*stride of them), each with exactly its own taps.
torch::Tensor phase_conv_transpose2d(const torch::Tensor& x, const torch::Tensor& weight, int64_t stride,
                                     int64_t padding, const PartConv& conv = plain_part_conv);

}  // namespace ign
