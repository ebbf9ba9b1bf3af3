#include "ign/coverage.h"

#include <cmath>
#include <stdexcept>

#include "ign/inference.h"
#include "ign/precision.h"

namespace ign {

torch::Tensor matching_features(const torch::Tensor& images, int downsample) {
    auto x = images.to(torch::kFloat);
    if (downsample > 1)
        x = torch::nn::functional::avg_pool2d(
            x, torch::nn::functional::AvgPool2dFuncOptions(downsample).ceil_mode(true).count_include_pad(false));
    return x.flatten(1).to(torch::kDouble);
}

torch::Tensor assign_in_pool(const torch::Tensor& real, const torch::Tensor& pool) {
    TORCH_CHECK(real.dim() == 2 && pool.dim() == 2 && real.size(1) == pool.size(1) && pool.size(0) >= real.size(0),
                "matching needs [N, D] images and a [P, D] pool of at least N rows");
    // |a - b|² = |a|² - 2a·b + |b|² in float64 (|a|² is the same for every row), a block of images at a
    // time (an N x P table of a large round does not fit in memory); a taken row is infinitely far.
    const auto pool_norms = pool.pow(2).sum(1);
    auto taken = torch::zeros({pool.size(0)}, torch::kBool);
    auto rows = torch::empty({real.size(0)}, torch::kLong);
    auto row_of = rows.accessor<int64_t, 1>();
    auto is_taken = taken.accessor<bool, 1>();
    constexpr int64_t kBlock = 256;
    for (int64_t begin = 0; begin < real.size(0); begin += kBlock) {
        auto distances = (pool_norms.unsqueeze(0) - 2 * real.slice(0, begin, begin + kBlock).matmul(pool.t()))
                             .masked_fill(taken.unsqueeze(0), INFINITY);
        for (int64_t i = 0; i < distances.size(0); ++i) {
            const int64_t row = distances[i].argmin().item<int64_t>();
            row_of[begin + i] = row;
            is_taken[row] = true;
            distances.select(1, row).fill_(INFINITY);
        }
    }
    return rows;
}

torch::Tensor coverage_distance(const torch::Tensor& generated, const torch::Tensor& real) {
    return (generated - real).abs().flatten(1).mean(1).mean();
}

CoverageMatcher::CoverageMatcher(const ObjectiveOptions& options, uint64_t seed, NoiseSampler noise, int64_t batch,
                                 int64_t images)
    : m_options(options), m_seed(seed), m_noise(std::move(noise)), m_batch(batch), m_every(options.coverage_every),
      m_images(images) {
    if (options.coverage_every < 1 || options.coverage_candidates < 1 || options.coverage_downsample < 1)
        throw std::invalid_argument("the coverage term needs coverage_every, coverage_candidates and "
                                    "coverage_downsample of at least 1 (given " +
                                    options.to_string() + ")");
}

torch::Tensor CoverageMatcher::candidates(int64_t round, int64_t index) const {
    auto generator = make_generator(stream_seed(stream_seed(m_seed, 3, uint64_t(round)), 4, uint64_t(index)));
    return m_noise.sample(m_options.coverage_candidates, generator);
}

void CoverageMatcher::match(int64_t round, IgnNet& model, const torch::Tensor& indices, const torch::Tensor& pixels,
                            bool bf16) {
    TORCH_CHECK(indices.size(0) == pixels.size(0), "coverage matching: ", indices.size(0), " indices for ",
                pixels.size(0), " images");
    const int64_t c = m_options.coverage_candidates, count = indices.size(0);
    std::vector<torch::Tensor> pool;
    for (int64_t i = 0; i < count; ++i) pool.push_back(candidates(round, indices[i].item<int64_t>()));
    const auto all = torch::cat(pool);  // image i's candidates are rows i·c .. i·c + c - 1
    std::vector<torch::Tensor> features;
    const auto device = model->parameters().front().device();
    for (int64_t begin = 0; begin < all.size(0); begin += m_batch) {
        // f as the training step applies it to noise: a batch at a time, with that batch's statistics.
        BF16Autocast autocast(device, bf16);
        features.push_back(matching_features(apply_f(model, all.slice(0, begin, begin + m_batch)),
                                             m_options.coverage_downsample));
    }
    const auto row = assign_in_pool(matching_features(pixels, m_options.coverage_downsample), torch::cat(features));
    // Pool row r is candidate r % c of the round's image r / c: its pool number names it by the image's index.
    const auto owner = indices.to(torch::kLong).index_select(0, torch::div(row, c, "floor"));
    m_round = round;
    m_matches = torch::full({m_images}, -1, torch::kInt);
    m_matches.index_put_({indices}, (owner * c + torch::remainder(row, c)).to(torch::kInt));
}

void CoverageMatcher::restore(int64_t round, const torch::Tensor& matches) {
    TORCH_CHECK(matches.numel() == m_images, "a coverage matching of ", matches.numel(), " images does not fit data of ",
                m_images);
    m_round = round;
    m_matches = matches.to(torch::kInt).reshape({-1}).contiguous();
}

torch::Tensor CoverageMatcher::latents_for(const torch::Tensor& indices) const {
    std::vector<torch::Tensor> latents;
    for (int64_t i = 0; i < indices.size(0); ++i) {
        const int64_t index = indices[i].item<int64_t>();
        const int64_t number = m_matches[index].item<int>(), c = m_options.coverage_candidates;
        TORCH_CHECK(number >= 0, "coverage: image ", index, " was not matched in round ", m_round);
        latents.push_back(candidates(m_round, number / c)[number % c]);
    }
    return torch::stack(latents);
}

}  // namespace ign
