#include "ign/objective.h"

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

LossTerms Objective::compute(const torch::Tensor& x, const torch::Tensor& z) {
    refresh_copy();
    // Under bf16 autocast the network's outputs are bfloat16; the losses are always taken in float32.
    const auto as_float = [](const torch::Tensor& t) {
        return t.scalar_type() == torch::kBFloat16 || t.scalar_type() == torch::kHalf ? t.to(torch::kFloat) : t;
    };
    // Separate calls: with BatchNorm each batch gets its own statistics (docs/ign-method.md).
    const auto fx = as_float(m_model->forward(x));
    const auto fz_net = m_model->forward(z);
    const auto fz = as_float(fz_net);
    const auto fz_detached = fz_net.detach();
    const auto f_fz_detached = as_float(m_model->forward(fz_detached));  // tightness: gradient through the outer f only
    const auto copy_fz = as_float(m_copy->forward(fz_net));               // idempotence: gradient through the inner f only

    const auto rec = per_sample_l1(fx, x);
    const auto idem = (copy_fz - fz).abs().mean();
    const auto tight_raw = -per_sample_l1(f_fz_detached, fz.detach());
    const auto clamp_reference = m_options.detach_clamp_reference ? rec.detach() : rec;
    const auto tight = clamp_tightness(tight_raw, clamp_reference, m_options.tight_clamp_a, m_options.eps);

    LossTerms terms;
    terms.reconstruction = rec.mean();
    terms.idempotence = idem;
    terms.tightness = tight.mean();
    terms.total = m_options.lambda_rec * terms.reconstruction + m_options.lambda_idem * terms.idempotence +
                  m_options.lambda_tight * terms.tightness;
    terms.reconstruction = terms.reconstruction.detach();
    terms.idempotence = terms.idempotence.detach();
    terms.tightness = terms.tightness.detach();
    return terms;
}

}  // namespace ign
