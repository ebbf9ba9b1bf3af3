#pragma once
// One-step generation, refinement chains, latent interpolation and projection.
// All run under torch::InferenceMode and return CPU tensors [N, C, H, W] in [-1, 1].
#include <torch/torch.h>

#include <vector>

#include "ign/model.h"
#include "ign/noise.h"
#include "ign/options.h"

namespace ign {

struct InferenceOptions {
    NormMode norm_mode = NormMode::Train;  // measured better for BatchNorm models (README)
};

// f(x). In NormMode::Train, BatchNorm uses the batch's statistics and its running statistics are
// left exactly as they were.
torch::Tensor apply_f(IgnNet& model, const torch::Tensor& x, const InferenceOptions& options = {});

// [x, f(x), f^2(x), ..., f^k(x)]: k + 1 tensors.
std::vector<torch::Tensor> chain(IgnNet& model, const torch::Tensor& x, int k, const InferenceOptions& options = {});

// Noise for `count` samples from `seed` (the same seed gives the same noise).
torch::Tensor sample_noise(const NoiseSampler& noise, int64_t count, uint64_t seed);

// f(z) for `count` noises from `seed`.
torch::Tensor sample(IgnNet& model, const NoiseSampler& noise, int64_t count, uint64_t seed,
                     const InferenceOptions& options = {});

// Spherical interpolation between two noises of the same shape (falls back to lerp when parallel).
torch::Tensor slerp(const torch::Tensor& a, const torch::Tensor& b, double t);
torch::Tensor lerp(const torch::Tensor& a, const torch::Tensor& b, double t);

// The interpolated noises (not yet passed through f): frames >= 2, t = 0 .. 1 inclusive. z0, z1: [C,H,W].
torch::Tensor interpolation_path(const torch::Tensor& z0, const torch::Tensor& z1, int frames, bool spherical);

// f applied to the path above.
torch::Tensor interpolate(IgnNet& model, const torch::Tensor& z0, const torch::Tensor& z1, int frames,
                          bool spherical, const InferenceOptions& options = {});

// An n x n grid of noises bilinearly (or spherically, along both axes) blended between four corners
// z00 (top left), z01 (top right), z10 (bottom left), z11 (bottom right); row-major [n*n, C, H, W].
torch::Tensor grid_path(const torch::Tensor& z00, const torch::Tensor& z01, const torch::Tensor& z10,
                        const torch::Tensor& z11, int n, bool spherical);

// f^k(c) for inputs of the model's shape; the last element of chain().
torch::Tensor project(IgnNet& model, const torch::Tensor& input, int k, const InferenceOptions& options = {});

}  // namespace ign
