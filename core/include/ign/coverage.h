#pragma once
// The coverage term, in the way of Implicit Maximum Likelihood Estimation (Li & Malik 2018; used in place
// of IGN's adversarial tightness by Al-Jaff et al. 2025): every real image has a generated sample near it,
// so no part of the data can be dropped. Training runs in rounds of `coverage_every` steps. At the start of
// a round a pool of candidate noises (`coverage_candidates` of its own for each real image of the round) is
// drawn from the run's seed and the round's number, passed through f once without gradients, and each real
// image the round will train on is matched to its candidate whose f(z) is nearest to it in a cheap space
// (`coverage_downsample`-times average-pooled pixels, L2). Own candidates, so every image pulls a different
// sample: shared ones let a collapsed f hand one sample to all. During the round each step adds
// λ_coverage · mean_i D(f(z_match(i)), x_i): gradients flow through the matched samples only.
// The matching is a few KB (one index per image of the round) and travels in the checkpoint, so a run
// resumed inside a round continues exactly as it would have.
#include <torch/torch.h>

#include "ign/model.h"
#include "ign/noise.h"
#include "ign/options.h"

namespace ign {

// The images (or f's outputs) in the space the matching compares: average-pooled by `downsample`
// (ceil mode, so 28 / 4 gives 7x7), flattened to [N, D], in float64.
torch::Tensor matching_features(const torch::Tensor& images, int downsample);

// For each image i (`real` [N, D]), the index 0..c-1 of the nearest (squared L2) of its own candidates
// (`candidates` [N, c, D]). [N] int64.
torch::Tensor nearest_candidates(const torch::Tensor& real, const torch::Tensor& candidates);

// D(a, b) per sample, averaged: the distance the coverage term minimises (mean absolute error, as the
// reconstruction term's D).
torch::Tensor coverage_distance(const torch::Tensor& generated, const torch::Tensor& real);

// One run's matching: which candidate noise each image of the current round trains toward.
class CoverageMatcher {
public:
    CoverageMatcher(const ObjectiveOptions& options, uint64_t seed, NoiseSampler noise, int64_t batch);

    // The round step `step` belongs to.
    int64_t round_of(int64_t step) const { return step / m_every; }
    bool holds_round(int64_t round) const { return m_round == round && m_matches.defined(); }

    // Matches the images of round `round` (images: the round's batches one after the other, [every·batch,
    // C, H, W]) against f(pool), f applied with the batch's statistics and without changing the model.
    void match(int64_t round, IgnNet& model, const torch::Tensor& images, bool bf16);

    // The matched noises of the images at positions [begin, end) of `step`'s batch.
    torch::Tensor latents_for(int64_t step, int64_t begin, int64_t end) const;

    // The candidate pool of a round: `coverage_candidates` noises per image of the round (image i's are rows
    // i·c .. i·c + c - 1), from the seed.
    torch::Tensor pool(int64_t round) const;

    // The state a checkpoint keeps: the round and one candidate index per image of it (int32).
    int64_t round() const { return m_round; }
    const torch::Tensor& matches() const { return m_matches; }
    void restore(int64_t round, const torch::Tensor& matches);
    // Summary of the last matching, for the log: how many distinct candidates the round's images chose.
    int64_t distinct_matches() const;

private:
    ObjectiveOptions m_options;
    uint64_t m_seed;
    NoiseSampler m_noise;
    int64_t m_batch, m_every;
    int64_t m_round = -1;
    void hold(int64_t round, const torch::Tensor& matches, const torch::Tensor& candidates);
    torch::Tensor m_matches;  // [every·batch] int32: a pool index per image position of the round
    torch::Tensor m_latents;  // the matched noises, in the same order
};

}  // namespace ign
