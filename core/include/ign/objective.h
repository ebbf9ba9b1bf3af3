#pragma once
// The IGN objective (docs/ign-method.md): reconstruction, idempotence through the inner application
// only, tightness through the outer application only, with the per-sample tanh clamp.
#include <torch/torch.h>

#include "ign/model.h"
#include "ign/options.h"

namespace ign {

// One step's terms. `total` carries the graph; the others are detached scalars for logging.
struct LossTerms {
    torch::Tensor total;
    torch::Tensor reconstruction;  // mean_i R_i
    torch::Tensor idempotence;     // I
    torch::Tensor tightness;       // mean_i of the clamped T_i (<= 0)
};

class Objective {
public:
    // Builds the frozen copy f' once, with f's structure; it is refreshed in place every step.
    Objective(IgnNet model, ObjectiveOptions options);

    // x: real batch, z: noise batch of the same shape. Refreshes f' from f, then computes the terms.
    LossTerms compute(const torch::Tensor& x, const torch::Tensor& z);

    // Per-sample clamp of tightness: tanh(T / (a R + eps)) * a R.
    static torch::Tensor clamp_tightness(const torch::Tensor& tight, const torch::Tensor& rec, double a,
                                         double eps);

    IgnNet frozen_copy() const { return m_copy; }
    const ObjectiveOptions& options() const { return m_options; }

private:
    void refresh_copy();

    IgnNet m_model;
    IgnNet m_copy;
    ObjectiveOptions m_options;
};

}  // namespace ign
