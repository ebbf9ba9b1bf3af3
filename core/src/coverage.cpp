#include "ign/coverage.h"

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

torch::Tensor nearest_candidates(const torch::Tensor& real, const torch::Tensor& candidates) {
    TORCH_CHECK(real.dim() == 2 && candidates.dim() == 3 && real.size(0) == candidates.size(0) &&
                    real.size(1) == candidates.size(2),
                "matching needs [N, D] images and [N, c, D] candidates");
    return (candidates - real.unsqueeze(1)).pow(2).sum(2).argmin(1);
}

torch::Tensor coverage_distance(const torch::Tensor& generated, const torch::Tensor& real) {
    return (generated - real).abs().flatten(1).mean(1).mean();
}

CoverageMatcher::CoverageMatcher(const ObjectiveOptions& options, uint64_t seed, NoiseSampler noise, int64_t batch)
    : m_options(options), m_seed(seed), m_noise(std::move(noise)), m_batch(batch), m_every(options.coverage_every) {
    if (options.coverage_every < 1 || options.coverage_candidates < 1 || options.coverage_downsample < 1)
        throw std::invalid_argument("the coverage term needs coverage_every, coverage_candidates and "
                                    "coverage_downsample of at least 1 (given " +
                                    options.to_string() + ")");
}

torch::Tensor CoverageMatcher::pool(int64_t round) const {
    auto generator = make_generator(stream_seed(m_seed, 3, uint64_t(round)));
    return m_noise.sample(int64_t(m_options.coverage_candidates) * m_every * m_batch, generator);
}

void CoverageMatcher::match(int64_t round, IgnNet& model, const torch::Tensor& images, bool bf16) {
    TORCH_CHECK(images.size(0) == m_every * m_batch, "a coverage round holds every x batch images");
    const auto candidates = pool(round);
    std::vector<torch::Tensor> features;
    const auto device = model->parameters().front().device();
    for (int64_t begin = 0; begin < candidates.size(0); begin += m_batch) {
        // f as the training step applies it to noise: a batch at a time, with that batch's statistics.
        BF16Autocast autocast(device, bf16);
        features.push_back(matching_features(apply_f(model, candidates.slice(0, begin, begin + m_batch)),
                                             m_options.coverage_downsample));
    }
    // Image i's own candidates are pool rows [i·c, (i+1)·c): shared candidates let a collapsed f give one
    // sample to every image (seen: 1,280 images matched to 2 candidates), which pulls it to their mean.
    const int64_t c = m_options.coverage_candidates;
    const auto generated = torch::cat(features).view({images.size(0), c, -1});
    const auto nearest = nearest_candidates(matching_features(images, m_options.coverage_downsample), generated);
    hold(round, nearest + torch::arange(images.size(0), nearest.options()) * c, candidates);
}

void CoverageMatcher::restore(int64_t round, const torch::Tensor& matches) {
    TORCH_CHECK(matches.numel() == m_every * m_batch, "a coverage matching of ", matches.numel(),
                " images does not fit rounds of ", m_every, " steps of ", m_batch);
    hold(round, matches, pool(round));
}

void CoverageMatcher::hold(int64_t round, const torch::Tensor& matches, const torch::Tensor& candidates) {
    m_round = round;
    m_matches = matches.to(torch::kInt).reshape({-1}).contiguous();
    m_latents = candidates.index_select(0, m_matches.to(torch::kLong));  // the pool itself is not kept
}

torch::Tensor CoverageMatcher::latents_for(int64_t step, int64_t begin, int64_t end) const {
    TORCH_CHECK(holds_round(round_of(step)), "no coverage matching for step ", step);
    const int64_t offset = (step - m_round * m_every) * m_batch;
    return m_latents.slice(0, offset + begin, offset + end);
}

int64_t CoverageMatcher::distinct_matches() const {
    return m_matches.defined() ? std::get<0>(at::_unique(m_matches)).numel() : 0;
}

}  // namespace ign
