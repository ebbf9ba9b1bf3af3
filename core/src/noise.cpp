#include "ign/noise.h"

#include <ATen/CPUGeneratorImpl.h>

#include <stdexcept>

namespace ign {

at::Generator make_generator(uint64_t seed) { return at::detail::createCPUGenerator(seed); }

uint64_t stream_seed(uint64_t seed, uint64_t stream, uint64_t index) {
    uint64_t x = seed * 0x9E3779B97F4A7C15ULL + stream * 0xBF58476D1CE4E5B9ULL + index + 1;
    x ^= x >> 31;
    x *= 0x94D049BB133111EBULL;
    return x ^ (x >> 29);
}

SpectralStats compute_spectral_stats(const torch::Tensor& images, int64_t max_images) {
    torch::NoGradGuard no_grad;
    if (images.dim() != 4 || images.size(0) < 2)
        throw std::invalid_argument("spectral noise needs at least 2 training images of shape [N, C, H, W]");
    const auto subset = images.slice(0, 0, std::min<int64_t>(images.size(0), max_images)).to(torch::kFloat64);
    const auto spectrum = torch::fft::rfft2(subset);  // [N, C, H, W/2+1], complex
    const auto re = torch::real(spectrum);
    const auto im = torch::imag(spectrum);
    SpectralStats s;
    s.mean_real = re.mean(0).to(torch::kFloat32);
    s.std_real = re.std(0).to(torch::kFloat32);
    s.mean_imag = im.mean(0).to(torch::kFloat32);
    s.std_imag = im.std(0).to(torch::kFloat32);
    return s;
}

NoiseSampler::NoiseSampler(NoiseKind kind, int channels, int image_size, SpectralStats stats)
    : m_kind(kind), m_channels(channels), m_size(image_size), m_stats(std::move(stats)) {
    if (m_kind == NoiseKind::Spectral) {
        if (!m_stats.defined()) throw std::invalid_argument("spectral noise needs statistics of the training data");
        const std::vector<int64_t> expected{channels, image_size, image_size / 2 + 1};
        if (m_stats.mean_real.sizes() != c10::IntArrayRef(expected))
            throw std::invalid_argument("spectral noise statistics do not match the model's channels and size");
    }
}

// Sampling the half spectrum and inverting with irfft2 makes the result real with the data's
// per-frequency variance: irfft2 mirrors each coefficient onto its conjugate partner, which is what
// a real image's spectrum does. The columns v = 0 and v = W/2 are their own mirror along u, where
// irfft2 keeps only the Hermitian part of what we drew (half the variance): their fluctuation is
// scaled by sqrt(2) to restore it, except at the four self-conjugate bins, which are real.
torch::Tensor NoiseSampler::sample(int64_t n, at::Generator& generator) const {
    const auto opts = torch::TensorOptions().dtype(torch::kFloat32);
    if (m_kind == NoiseKind::Gaussian)
        return at::normal(0.0, 1.0, {n, m_channels, m_size, m_size}, generator, opts);

    const int64_t H = m_size, W = m_size, Wh = m_size / 2 + 1;
    auto eps_re = at::normal(0.0, 1.0, {n, m_channels, H, Wh}, generator, opts);
    auto eps_im = at::normal(0.0, 1.0, {n, m_channels, H, Wh}, generator, opts);
    auto scale = torch::ones({H, Wh}, opts);
    std::vector<int64_t> mirror_columns{0};
    if (W % 2 == 0) mirror_columns.push_back(W / 2);
    for (int64_t v : mirror_columns)
        for (int64_t u = 0; u < H; ++u)
            if (u != (H - u) % H) scale[u][v] = std::sqrt(2.0f);
    const auto re = m_stats.mean_real + m_stats.std_real * scale * eps_re;
    const auto im = m_stats.mean_imag + m_stats.std_imag * scale * eps_im;
    return torch::fft::irfft2(torch::complex(re, im), c10::IntArrayRef{H, W}).contiguous();
}

}  // namespace ign
