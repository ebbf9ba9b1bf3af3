#include "ign/objective.h"

#include "ign/coverage.h"
#include "ign/fast_forward.h"

#include <stdexcept>

namespace ign {
namespace {

// D: mean absolute error per sample, over all elements of the sample.
torch::Tensor per_sample_l1(const torch::Tensor& a, const torch::Tensor& b) {
    return (a - b).abs().flatten(1).mean(1);
}

}  // namespace

Objective::Objective(IgnNet model, ObjectiveOptions options)
    : m_model(std::move(model)), m_copy(m_model->options), m_options(options) {
    const auto reference = m_model->parameters().front();
    m_copy->to(reference.device(), reference.scalar_type());
    for (auto& p : m_copy->parameters()) p.set_requires_grad(false);
    refresh_copy();
}

void Objective::refresh_copy() {
    copy_state_in_place(*m_model, *m_copy);
    m_copy->train(m_model->is_training());
}

torch::Tensor Objective::clamp_tightness(const torch::Tensor& tight, const torch::Tensor& rec, double a,
                                         double eps) {
    const auto scale = a * rec;
    return torch::tanh(tight / (scale + eps)) * scale;
}

LossTerms Objective::compute(const torch::Tensor& x, const torch::Tensor& z, const torch::Tensor& z_matched) {
    if (m_options.coverage() && !z_matched.defined())
        throw std::invalid_argument("the coverage term needs the noises matched to the batch (CoverageMatcher)");
    refresh_copy();
    // Under bf16 autocast the network's outputs are bfloat16; the losses are always taken in float32.
    const auto as_float = [](const torch::Tensor& t) {
        return t.scalar_type() == torch::kBFloat16 || t.scalar_type() == torch::kHalf ? t.to(torch::kFloat) : t;
    };
    // Separate calls: with BatchNorm each batch gets its own statistics (docs/method.md).
    const auto fx = as_float(run_network(*m_model, x));
    const auto fz_net = run_network(*m_model, z);
    const auto fz = as_float(fz_net);
    const auto fz_detached = fz_net.detach();
    const auto f_fz_detached = as_float(run_network(*m_model, fz_detached));  // tightness: gradient through the outer f only
    const auto copy_fz = as_float(run_network(*m_copy, fz_net));               // idempotence: gradient through the inner f only

    const auto rec = per_sample_l1(fx, x);
    const auto idem = (copy_fz - fz).abs().mean();
    const auto tight_raw = -per_sample_l1(f_fz_detached, fz.detach());
    const auto clamp_reference = m_options.detach_clamp_reference ? rec.detach() : rec;
    const auto tight = clamp_tightness(tight_raw, clamp_reference, m_options.tight_clamp_a, m_options.eps);

    LossTerms terms;
    terms.terms = {{"reconstruction", m_options.lambda_rec, rec.mean()},
                   {"idempotence", m_options.lambda_idem, idem},
                   {"tightness", m_options.lambda_tight, tight.mean()}};
    if (m_options.coverage())  // gradient through the matched samples only (coverage.h)
        terms.terms.push_back(
            {"coverage", m_options.lambda_coverage, coverage_distance(as_float(run_network(*m_model, z_matched)), x)});
    for (const auto& added : m_added) terms.terms.push_back({added.name, added.weight, added.term({x, z, fx, fz})});
    for (auto& term : terms.terms) {
        const auto weighted = term.weight * term.value;
        terms.total = terms.total.defined() ? terms.total + weighted : weighted;
        term.value = term.value.detach();
    }
    return terms;
}

void Objective::add_term(const std::string& name, double weight, TermFunction term) {
    m_added.push_back({name, weight, std::move(term)});
}

const torch::Tensor& LossTerms::value(const std::string& name) const {
    for (const auto& term : terms)
        if (term.name == name) return term.value;
    throw std::out_of_range("the objective has no loss term '" + name + "'");
}

}  // namespace ign
