#include "ign/inference.h"

#include "ign/fast_forward.h"

#include <optional>

namespace ign {
namespace {

// Restores normalisation buffers after a train-mode pass, so inference never changes the model.
class BufferSnapshot {
public:
    explicit BufferSnapshot(torch::nn::Module& module) : m_buffers(module.buffers()) {
        for (const auto& b : m_buffers) m_saved.push_back(b.clone());
    }
    ~BufferSnapshot() {
        for (size_t i = 0; i < m_buffers.size(); ++i) m_buffers[i].copy_(m_saved[i]);
    }

private:
    std::vector<torch::Tensor> m_buffers, m_saved;
};

}  // namespace

torch::Tensor apply_f(IgnNet& model, const torch::Tensor& x, const InferenceOptions& options) {
    check_input_shape(model->options, x, "input to f");
    const bool was_training = model->is_training();
    torch::InferenceMode guard;
    const auto device = model->parameters().front().device();
    torch::Tensor y;
    if (options.norm_mode == NormMode::Train) {
        // The fast paths leave the running statistics alone by themselves; the plain modules update them.
        std::optional<BufferSnapshot> keep;
        if (!model->fast_paths) keep.emplace(*model);
        model->train(true);
        y = run_network(*model, x.to(device));
    } else {
        model->eval();
        y = run_network(*model, x.to(device));
    }
    model->train(was_training);
    return y.cpu();
}

std::vector<torch::Tensor> chain(IgnNet& model, const torch::Tensor& x, int k, const InferenceOptions& options) {
    std::vector<torch::Tensor> steps{x.cpu()};
    for (int i = 0; i < k; ++i) steps.push_back(apply_f(model, steps.back(), options));
    return steps;
}

torch::Tensor sample_noise(const NoiseSampler& noise, int64_t count, uint64_t seed) {
    auto gen = make_generator(seed);
    return noise.sample(count, gen);
}

torch::Tensor sample(IgnNet& model, const NoiseSampler& noise, int64_t count, uint64_t seed,
                     const InferenceOptions& options) {
    return apply_f(model, sample_noise(noise, count, seed), options);
}

torch::Tensor lerp(const torch::Tensor& a, const torch::Tensor& b, double t) { return a * (1.0 - t) + b * t; }

torch::Tensor slerp(const torch::Tensor& a, const torch::Tensor& b, double t) {
    const auto fa = a.flatten(), fb = b.flatten();
    const double na = fa.norm().item<double>(), nb = fb.norm().item<double>();
    if (na == 0.0 || nb == 0.0) return lerp(a, b, t);
    const double cosine = std::clamp((fa.dot(fb)).item<double>() / (na * nb), -1.0, 1.0);
    const double omega = std::acos(cosine);
    if (std::sin(omega) < 1e-6) return lerp(a, b, t);
    const double s = std::sin(omega);
    return a * (std::sin((1.0 - t) * omega) / s) + b * (std::sin(t * omega) / s);
}

torch::Tensor interpolation_path(const torch::Tensor& z0, const torch::Tensor& z1, int frames, bool spherical) {
    TORCH_CHECK(frames >= 2, "interpolation needs at least 2 frames");
    TORCH_CHECK(z0.sizes() == z1.sizes(), "interpolation endpoints differ in shape");
    std::vector<torch::Tensor> path;
    for (int i = 0; i < frames; ++i) {
        const double t = double(i) / (frames - 1);
        path.push_back(spherical ? slerp(z0, z1, t) : lerp(z0, z1, t));
    }
    return torch::stack(path);
}

torch::Tensor interpolate(IgnNet& model, const torch::Tensor& z0, const torch::Tensor& z1, int frames, bool spherical,
                          const InferenceOptions& options) {
    return apply_f(model, interpolation_path(z0, z1, frames, spherical), options);
}

torch::Tensor grid_path(const torch::Tensor& z00, const torch::Tensor& z01, const torch::Tensor& z10,
                        const torch::Tensor& z11, int n, bool spherical) {
    TORCH_CHECK(n >= 2, "a 2-D grid needs at least 2 points per side");
    const auto left = interpolation_path(z00, z10, n, spherical);   // down the left edge
    const auto right = interpolation_path(z01, z11, n, spherical);  // down the right edge
    std::vector<torch::Tensor> rows;
    for (int r = 0; r < n; ++r) rows.push_back(interpolation_path(left[r], right[r], n, spherical));
    return torch::cat(rows);
}

torch::Tensor project(IgnNet& model, const torch::Tensor& input, int k, const InferenceOptions& options) {
    TORCH_CHECK(k >= 1, "project needs k >= 1");
    return chain(model, input, k, options).back();
}

}  // namespace ign
