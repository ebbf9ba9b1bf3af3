#pragma once
// The network f: image -> image. An encoder down to a 1x1 bottleneck of `latent` channels and a
// decoder back up, in the layouts of docs/ign-method.md (mnist28, dcgan).
#include <torch/torch.h>

#include "ign/options.h"

namespace ign {

struct IgnNetImpl : torch::nn::Module {
    explicit IgnNetImpl(const ModelOptions& options);
    torch::Tensor forward(const torch::Tensor& x);

    ModelOptions options;
    torch::nn::Sequential encoder{nullptr};
    torch::nn::Sequential decoder{nullptr};
};
TORCH_MODULE(IgnNet);

// Number of trainable parameters (weights and norm affine parameters).
int64_t parameter_count(torch::nn::Module& module);

// Copies every parameter and buffer of `from` into the same-shaped tensors of `to` in place,
// so `to` keeps its storage (the frozen copy is never re-created).
void copy_state_in_place(torch::nn::Module& from, torch::nn::Module& to);

// Throws std::invalid_argument with a readable message when `x` is not a batch the model takes.
void check_input_shape(const ModelOptions& options, const torch::Tensor& x, const std::string& what);

}  // namespace ign
