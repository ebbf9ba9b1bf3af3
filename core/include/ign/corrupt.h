#pragma once
// Corruptions used to demonstrate and measure projection: f(corrupted) should look like the data.
// All take and return [N, C, H, W] in [-1, 1].
#include <torch/torch.h>

#include "ign/options.h"

#include <string>

namespace ign {

enum class Corruption { Noise, Grayscale, SketchDodge, SketchEdges, Occlude };  // in the order of corruption_names()
std::string to_string(Corruption c);
Corruption corruption_from_string(const std::string& text);  // noise|gray|sketch|edges|occlude

// x + sigma * N(0, 1) (sigma in [-1, 1] units; not clipped, as in the method).
torch::Tensor add_gaussian_noise(const torch::Tensor& x, double sigma, at::Generator& generator);
// Channel mean replicated over the channels.
torch::Tensor to_grayscale(const torch::Tensor& x);
// Pencil sketch by colour dodge: gray / blur(inverted gray), blur 21x21 with sigma 3.5 (scaled with size).
torch::Tensor sketch_dodge(const torch::Tensor& x);
// Line drawing from Canny edges.
torch::Tensor sketch_edges(const torch::Tensor& x);
// `patches` random squares of side `fraction` * size filled with mid gray.
torch::Tensor occlude(const torch::Tensor& x, int patches, double fraction, at::Generator& generator);

struct CorruptionOptions {
    double sigma = 0.5;
    int patches = 1;
    double patch_fraction = 0.4;
};
torch::Tensor corrupt(const torch::Tensor& x, Corruption kind, const CorruptionOptions& options,
                      at::Generator& generator);

}  // namespace ign
