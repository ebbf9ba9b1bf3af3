#pragma once
// The network f: image -> image. An encoder down to a 1x1 bottleneck of `latent` channels and a
// decoder back up, in the layouts of docs/method.md (mnist28, dcgan).
#include <torch/torch.h>

#include <functional>
#include <map>

#include "ign/onednn_forward.h"
#include "ign/options.h"

namespace ign {

bool fast_paths_default();

struct IgnNetImpl : torch::nn::Module {
    explicit IgnNetImpl(const ModelOptions& options);
    torch::Tensor forward(const torch::Tensor& x);

    ModelOptions options;
    // Run transposed convolutions as sub-pixel convolutions (oneDNN) instead of LibTorch's im2col path,
    // and the other fast paths of run_fast. Mathematically identical (tested forward and backward); off
    // with set_fast_paths(false). With them, a forward pass without gradients never changes the model:
    // train-mode BatchNorm then normalises with the batch's statistics and leaves the running ones alone.
    bool subpixel_deconv = fast_paths_default();

    torch::nn::Sequential encoder{nullptr};
    torch::nn::Sequential decoder{nullptr};
    const OneDnnForward& onednn() const { return *m_onednn; }

private:
    torch::Tensor run_fast(torch::nn::Sequential& layers, torch::Tensor h, size_t first_key);
    // A convolution for inference on the CPU with its weight packed once into oneDNN's layout.
    torch::Tensor packed_conv2d(const torch::Tensor& input, size_t key, const torch::Tensor& source,
                                const std::function<torch::Tensor()>& make_weight, int64_t stride, int64_t padding);
    struct PackedWeight {
        torch::Tensor weight;         // oneDNN layout
        const void* data = nullptr;   // the layer weight it was made from, and that weight's version
        uint32_t version = 0;
    };
    std::map<size_t, PackedWeight> m_packed;
    // Inference on the CPU without gradients: the whole network as one oneDNN chain (shared by copies).
    std::shared_ptr<OneDnnForward> m_onednn = std::make_shared<OneDnnForward>();
};
TORCH_MODULE(IgnNet);

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

// Whether new models use the fast paths (default on; IGN_FAST_PATHS=0 or set_fast_paths(false) turns them off).
void set_fast_paths(bool enabled);

// The padding of a convolution when it is given as numbers, the same on both sides; else -1.
int64_t uniform_padding(const torch::nn::detail::ConvNdOptions<2>& options);

// Number of trainable parameters (weights and norm affine parameters).
int64_t parameter_count(torch::nn::Module& module);

// Copies every parameter and buffer of `from` into the same-shaped tensors of `to` in place,
// so `to` keeps its storage (the frozen copy is never re-created).
void copy_state_in_place(torch::nn::Module& from, torch::nn::Module& to);

// Throws std::invalid_argument with a readable message when `x` is not a batch the model takes.
void check_input_shape(const ModelOptions& options, const torch::Tensor& x, const std::string& what);

}  // namespace ign
