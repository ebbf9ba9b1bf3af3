#pragma once
// The network f: image -> image. An encoder down to a 1x1 bottleneck of `latent` channels and a
// decoder back up, in the layouts of docs/ign-method.md (mnist28, dcgan).
#include <torch/torch.h>

#include <map>

#include "ign/options.h"

namespace ign {

bool fast_paths_default();

struct IgnNetImpl : torch::nn::Module {
    explicit IgnNetImpl(const ModelOptions& options);
    torch::Tensor forward(const torch::Tensor& x);

    ModelOptions options;
    // Run transposed convolutions as sub-pixel convolutions (oneDNN) instead of LibTorch's im2col path.
    // Mathematically identical (tested forward and backward); off with set_fast_paths(false).
    bool subpixel_deconv = fast_paths_default();

    torch::nn::Sequential encoder{nullptr};
    torch::nn::Sequential decoder{nullptr};

private:
    torch::Tensor run_fast(torch::nn::Sequential& layers, torch::Tensor h);
    torch::Tensor subpixel_conv_transpose2d_cached(const torch::Tensor& x, const torch::Tensor& weight, int64_t stride,
                                                  int64_t padding, size_t key);
    struct CachedWeight {
        torch::Tensor weight;
        const void* data = nullptr;
        uint32_t version = 0;
    };
    std::map<size_t, CachedWeight> m_subpixel_cache;
};
TORCH_MODULE(IgnNet);

// The transposed convolution y = conv_transpose2d(x, weight, stride, padding) on oneDNN's convolutions
// instead of LibTorch's im2col + col2im path. Exact; differentiable with respect to x and weight.
// A kernel that is a multiple of the stride becomes one regular convolution with stride*stride*Cout
// channels followed by pixel_shuffle and a crop; any other kernel (the 3x3 stride 2 layer of mnist28)
// goes through phase_conv_transpose2d, which does not multiply zero-padded taps.
torch::Tensor subpixel_conv_transpose2d(const torch::Tensor& x, const torch::Tensor& weight, int64_t stride,
                                        int64_t padding);
// One convolution per output phase (stride*stride of them), each with exactly its own taps.
torch::Tensor phase_conv_transpose2d(const torch::Tensor& x, const torch::Tensor& weight, int64_t stride,
                                     int64_t padding);
// The one-convolution form's two halves: the rearranged weight [s*s*Cout, Cin, K, K], and the convolution + shuffle + crop.
torch::Tensor subpixel_weight(const torch::Tensor& weight, int64_t stride);
torch::Tensor subpixel_conv_with(const torch::Tensor& x, const torch::Tensor& sub_weight, int64_t kernel,
                                 int64_t stride, int64_t padding);

// Whether new models use the fast paths (default on; IGN_FAST_PATHS=0 or set_fast_paths(false) turns them off).
void set_fast_paths(bool enabled);

// Number of trainable parameters (weights and norm affine parameters).
int64_t parameter_count(torch::nn::Module& module);

// Copies every parameter and buffer of `from` into the same-shaped tensors of `to` in place,
// so `to` keeps its storage (the frozen copy is never re-created).
void copy_state_in_place(torch::nn::Module& from, torch::nn::Module& to);

// Throws std::invalid_argument with a readable message when `x` is not a batch the model takes.
void check_input_shape(const ModelOptions& options, const torch::Tensor& x, const std::string& what);

}  // namespace ign
