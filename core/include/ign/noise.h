#pragma once
// Noise z fed to f: Gaussian, or "spectral" (per-frequency statistics of the training data).
#include <torch/torch.h>

#include "ign/options.h"

namespace ign {

// Per channel and frequency (u, v) of the half spectrum (rfft2), mean and std of the real and
// imaginary parts over a set of real images. Shape of each: [C, H, W/2 + 1].
struct SpectralStats {
    torch::Tensor mean_real, std_real, mean_imag, std_imag;
    bool defined() const { return mean_real.defined(); }
};

// images: [N, C, H, W]. Uses at most `max_images` of them (the first ones).
SpectralStats compute_spectral_stats(const torch::Tensor& images, int64_t max_images = 10000);

class NoiseSampler {
public:
    NoiseSampler() = default;
    NoiseSampler(NoiseKind kind, int channels, int image_size, SpectralStats stats = {});

    // n noise images [n, C, H, W] on the CPU, drawn from `generator`.
    torch::Tensor sample(int64_t n, at::Generator& generator) const;

    NoiseKind kind() const { return m_kind; }
    const SpectralStats& stats() const { return m_stats; }
    int channels() const { return m_channels; }
    int image_size() const { return m_size; }

private:
    NoiseKind m_kind = NoiseKind::Gaussian;
    int m_channels = 1;
    int m_size = 28;
    SpectralStats m_stats;
};

// A CPU generator seeded deterministically; the trainer makes one per step so resuming is exact.
at::Generator make_generator(uint64_t seed);
// A seed for one use of a run's randomness: `stream` names the use (1 epoch order, 2 step noise, 3 coverage
// candidates), `index` its epoch, step or round; so step s draws the same numbers straight or resumed.
uint64_t stream_seed(uint64_t seed, uint64_t stream, uint64_t index);

}  // namespace ign
