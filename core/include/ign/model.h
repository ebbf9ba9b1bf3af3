#pragma once
// The network f: image -> image. An encoder down to a 1x1 bottleneck of `latent` channels and a
// decoder back up, in the layouts of docs/method.md (mnist28, dcgan).
#include <torch/torch.h>

#include <memory>

#include "ign/options.h"

namespace ign {

bool fast_paths_default();

class FastForward;  // fast_forward.h

struct IgnNetImpl : torch::nn::Module {
    explicit IgnNetImpl(const ModelOptions& options);
    // f as the architecture reads: the encoder down to the 1x1 bottleneck, the decoder back up to an image.
    // Training and inference call run_network (fast_forward.h), which computes this same f faster.
    torch::Tensor forward(const torch::Tensor& x) { return decoder->forward(encoder->forward(x)); }

    ModelOptions options;
    torch::nn::Sequential encoder{nullptr};
    torch::nn::Sequential decoder{nullptr};

    // Whether run_network may use the fast executors for this model (fast_paths_default(): on unless
    // IGN_FAST_PATHS=0 or set_fast_paths(false)), and their caches (packed weights, oneDNN plans), which
    // are state of how f is computed, not of f: not saved, shared by copies of the module.
    bool fast_paths = fast_paths_default();
    std::shared_ptr<FastForward> fast_forward;
};
TORCH_MODULE(IgnNet);

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
