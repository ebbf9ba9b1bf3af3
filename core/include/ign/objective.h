#pragma once
// The IGN objective (docs/method.md): reconstruction, idempotence through the inner application
// only, tightness through the outer application only, with the per-sample tanh clamp; and, when its
// weight is set, the coverage term (coverage.h).
#include <torch/torch.h>

#include <functional>
#include <string>
#include <vector>

#include "ign/model.h"
#include "ign/options.h"

namespace ign {

// One term of a step: its name, its weight in the total and its (detached, scalar) value.
struct WeightedTerm {
    std::string name;
    double weight = 0;
    torch::Tensor value;
};

// One step's terms. `total` = sum of weight * value and carries the graph. A new term is one more entry
// in Objective::compute's list (and its weight in ObjectiveOptions): everything downstream iterates.
struct LossTerms {
    torch::Tensor total;
    std::vector<WeightedTerm> terms;  // reconstruction (mean_i R_i), idempotence (I), tightness (mean_i clamped T_i <= 0)
    // The term's value by name; throws std::out_of_range for a name the objective does not produce.
    const torch::Tensor& value(const std::string& name) const;
};

// What an added term sees of a step: the real batch x, the noise z and f's outputs on them (float32).
struct StepOutputs {
    torch::Tensor x, z, fx, fz;
};
using TermFunction = std::function<torch::Tensor(const StepOutputs&)>;

class Objective {
public:
    // Builds the frozen copy f' once, with f's structure; it is refreshed in place every step.
    Objective(IgnNet model, ObjectiveOptions options);

    // x: real batch, z: noise batch of the same shape. Refreshes f' from f, then computes the terms. With
    // the coverage term, z_matched holds the noise matched to each image of x (CoverageMatcher).
    LossTerms compute(const torch::Tensor& x, const torch::Tensor& z, const torch::Tensor& z_matched = {});

    // One more term after the method's three: `weight` * term(outputs) joins the total, and its value is
    // logged under `name` like the others (CSV column, checkpoint history, progress line, card, plot).
    void add_term(const std::string& name, double weight, TermFunction term);

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
    struct AddedTerm {
        std::string name;
        double weight;
        TermFunction term;
    };
    std::vector<AddedTerm> m_added;
};

}  // namespace ign
