#pragma once
// The coverage term, in the way of Implicit Maximum Likelihood Estimation (Li & Malik 2018; used in place
// of IGN's adversarial tightness by Al-Jaff et al. 2025): every real image has a generated sample near it,
// so no part of the data can be dropped. Training runs in rounds of `coverage_every` steps. At the start of
// a round each real image the round will train on adds `coverage_candidates` noises to the round's pool
// (drawn from the run's seed, the round and the image's index), f is applied to the whole pool once
// without gradients, and each image takes the free noise of the pool whose f(z) is nearest to it in a
// cheap space (`coverage_downsample`-times average-pooled pixels, L2), images in index order, one image per
// noise. Nearest among all the round's samples, as IMLE matches, not only among the image's own: with a few
// candidates of its own the nearest is nearly a random one, and pulling random noises toward random images
// teaches f their mean, a blob. One image per noise: early in training a few samples are nearest to most
// images (270 images chose 20 noises at step 1), and a noise pulled toward many images learns their mean
// again. Through the round, whenever the image is in a batch, the step adds λ_coverage · D(f(z_image),
// image): the same noise each time, so f can learn to map it there; gradients flow through the matched
// samples only.
// The matching (one pool number per image) travels in the checkpoint, so a run resumed inside a round
// continues exactly; the noises are drawn again from the seed, never stored.
#include <torch/torch.h>

#include "ign/model.h"
#include "ign/noise.h"
#include "ign/options.h"

namespace ign {

// The images (or f's outputs) in the space the matching compares: average-pooled by `downsample`
// (ceil mode, so 28 / 4 gives 7x7), flattened to [N, D], in float64.
torch::Tensor matching_features(const torch::Tensor& images, int downsample);

// For each image (`real` [N, D]) in order, the row of `pool` ([P, D], P >= N) nearest to it (squared L2)
// among those no earlier image took. [N] int64, all different.
torch::Tensor assign_in_pool(const torch::Tensor& real, const torch::Tensor& pool);

// D(a, b) per sample, averaged: the distance the coverage term minimises (mean absolute error, as the
// reconstruction term's D).
torch::Tensor coverage_distance(const torch::Tensor& generated, const torch::Tensor& real);

// One run's matching: which noise each image of the training data trains toward in the current round.
class CoverageMatcher {
public:
    // `images`: the size of the training data (images are named by their index in it).
    CoverageMatcher(const ObjectiveOptions& options, uint64_t seed, NoiseSampler noise, int64_t batch, int64_t images);

    // The round step `step` belongs to.
    int64_t round_of(int64_t step) const { return step / m_every; }
    bool holds_round(int64_t round) const { return m_round == round && m_matches.defined(); }

    // Matches the distinct images `indices` ([M] int64; `pixels` [M, C, H, W]) for round `round`: f on
    // the pool of their candidates a batch at a time, with the batch's statistics, without changing the
    // model.
    void match(int64_t round, IgnNet& model, const torch::Tensor& indices, const torch::Tensor& pixels, bool bf16);

    // Image `index`'s candidate noises in round `round`: [c, C, H, W].
    torch::Tensor candidates(int64_t round, int64_t index) const;
    // The matched noise of each image of `indices` ([b] int64, matched this round): [b, C, H, W].
    torch::Tensor latents_for(const torch::Tensor& indices) const;

    // The state a checkpoint keeps: the round and, per training image, the pool number of its noise
    // (image j's candidate k is j·c + k; -1: not in the round).
    int64_t round() const { return m_round; }
    const torch::Tensor& matches() const { return m_matches; }
    void restore(int64_t round, const torch::Tensor& matches);

private:
    ObjectiveOptions m_options;
    uint64_t m_seed;
    NoiseSampler m_noise;
    int64_t m_batch, m_every, m_images;
    int64_t m_round = -1;
    torch::Tensor m_matches;  // [images] int32, pool numbers
};

}  // namespace ign
