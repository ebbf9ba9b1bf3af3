#include "ign/objective.h"
#include "test_support.h"

using namespace ign;

namespace {

torch::Tensor per_sample_l1(const torch::Tensor& a, const torch::Tensor& b) {
    return (a - b).abs().mean(std::vector<int64_t>{1, 2, 3});
}

std::vector<torch::Tensor> gradients_of(const torch::Tensor& loss, IgnNet& f) {
    return torch::autograd::grad({loss}, f->parameters(), {}, /*retain_graph=*/true, false, /*allow_unused=*/true);
}

torch::Tensor flat(const std::vector<torch::Tensor>& grads, IgnNet& f) {
    std::vector<torch::Tensor> parts;
    auto params = f->parameters();
    for (size_t i = 0; i < grads.size(); ++i)
        parts.push_back(grads[i].defined() ? grads[i].flatten() : torch::zeros_like(params[i]).flatten());
    return torch::cat(parts);
}

}  // namespace

class TestObjective : public QObject {
    Q_OBJECT
private slots:
    void frozenCopyReceivesNoGradient() {
        IgnNet f(testing::tiny_model());
        Objective objective(f, {});
        auto x = testing::synthetic_digits(8).images, z = torch::randn_like(x);
        objective.compute(x, z).total.backward();
        for (auto& p : objective.frozen_copy()->parameters()) {
            QVERIFY(!p.requires_grad());
            QVERIFY(!p.grad().defined());
        }
        int with_grad = 0;
        for (auto& p : f->parameters()) with_grad += p.grad().defined() && p.grad().abs().sum().item<double>() > 0;
        QCOMPARE(with_grad, int(f->parameters().size()));
    }

    // The gradient on theta equals a computation written without a frozen copy: the idempotence
    // gradient through the inner application only is the full gradient of D(f(f(z)), f(z)) minus the
    // gradient through the outer application at the same point.
    void gradientEqualsAnIndependentComputation_data() {
        QTest::addColumn<int>("norm");
        QTest::addColumn<bool>("detach");
        QTest::newRow("batch") << int(Norm::Batch) << false;
        QTest::newRow("group") << int(Norm::Group) << false;
        QTest::newRow("none, detached clamp reference") << int(Norm::None) << true;
    }
    void gradientEqualsAnIndependentComputation() {
        QFETCH(int, norm);
        QFETCH(bool, detach);
        torch::manual_seed(3);
        IgnNet f(testing::tiny_model(Norm(norm)));
        f->to(torch::kFloat64);
        ObjectiveOptions options;
        options.detach_clamp_reference = detach;
        Objective objective(f, options);
        auto x = testing::synthetic_digits(6).images.to(torch::kFloat64), z = torch::randn_like(x);

        f->zero_grad();
        objective.compute(x, z).total.backward();
        std::vector<torch::Tensor> implementation;
        for (auto& p : f->parameters()) implementation.push_back(p.grad().clone());

        const auto fx = f->forward(x);
        const auto fz = f->forward(z);
        const auto rec = per_sample_l1(fx, x);
        const auto y = fz.detach();
        const auto tight_raw = -per_sample_l1(f->forward(y), y);
        const auto reference = detach ? rec.detach() : rec;
        const auto scale = 1.5 * reference;
        const auto tight = torch::tanh(tight_raw / (scale + 1e-8)) * scale;
        const auto rest = 20.0 * rec.mean() + 2.5 * tight.mean();
        const auto idem_full = (f->forward(fz) - fz).abs().mean();
        const auto idem_outer = (f->forward(y) - y).abs().mean();
        const auto expected = flat(gradients_of(rest, f), f) +
                              20.0 * (flat(gradients_of(idem_full, f), f) - flat(gradients_of(idem_outer, f), f));
        const auto actual = flat(implementation, f);
        const double err = (actual - expected).abs().max().item<double>();
        const double magnitude = expected.abs().max().item<double>();
        QVERIFY2(magnitude > 1e-9, "the gradient under test is not trivially zero");
        QVERIFY2(err < 1e-9 * magnitude, qPrintable(QString("max error %1 of %2").arg(err).arg(magnitude)));
    }

    void tightnessClampGivesTheSpecifiedValues() {
        const auto rec = torch::tensor({0.2, 0.2, 0.2, 0.0, 0.4}, torch::kFloat64);
        const auto tight = torch::tensor({-0.3, 0.0, -100.0, -0.5, -0.01}, torch::kFloat64);
        const auto c = Objective::clamp_tightness(tight, rec, 1.5, 1e-8);
        QVERIFY(std::abs(c[0].item<double>() - std::tanh(-1.0) * 0.3) < 1e-7);  // tanh(T/(aR)) aR
        QCOMPARE(c[1].item<double>(), 0.0);
        QVERIFY(std::abs(c[2].item<double>() + 0.3) < 1e-9);        // saturates at -aR
        QCOMPARE(c[3].item<double>(), 0.0);                          // R = 0: guarded, no NaN
        QVERIFY(std::abs(c[4].item<double>() - std::tanh(-0.01 / 0.6) * 0.6) < 1e-7);
        QVERIFY(c.isfinite().all().item<bool>());
    }

    void frozenCopyKeepsItsStorageAndFollowsTheModel() {
        IgnNet f(testing::tiny_model());
        Objective objective(f, {});
        torch::optim::Adam optimizer(f->parameters(), torch::optim::AdamOptions(1e-2));
        std::vector<void*> storage;
        for (auto& t : objective.frozen_copy()->parameters()) storage.push_back(t.data_ptr());
        for (auto& t : objective.frozen_copy()->buffers()) storage.push_back(t.data_ptr());
        auto x = testing::synthetic_digits(8).images;
        for (int step = 0; step < 3; ++step) {
            optimizer.zero_grad();
            objective.compute(x, torch::randn_like(x)).total.backward();
            optimizer.step();
        }
        objective.compute(x, torch::randn_like(x));  // refreshes the copy from the updated weights
        std::vector<void*> after;
        for (auto& t : objective.frozen_copy()->parameters()) after.push_back(t.data_ptr());
        for (auto& t : objective.frozen_copy()->buffers()) after.push_back(t.data_ptr());
        QVERIFY(storage == after);
        auto mine = f->parameters();
        auto copy = objective.frozen_copy()->parameters();
        for (size_t i = 0; i < mine.size(); ++i) QVERIFY(torch::equal(mine[i], copy[i]));
        f->eval();
        objective.compute(x, torch::randn_like(x));
        QVERIFY(!objective.frozen_copy()->is_training());
    }

    void weightsAreConfigurable() {
        IgnNet f(testing::tiny_model(Norm::None));
        auto x = testing::synthetic_digits(4).images, z = torch::randn_like(x);
        ObjectiveOptions only_rec;
        only_rec.lambda_idem = 0;
        only_rec.lambda_tight = 0;
        Objective objective(f, only_rec);
        auto terms = objective.compute(x, z);
        QVERIFY(std::abs(terms.total.item<double>() - 20.0 * terms.value("reconstruction").item<double>()) < 1e-5);
        QVERIFY(terms.value("tightness").item<double>() <= 0.0);
    }
};

IGN_TEST_MAIN(TestObjective)
#include "test_objective.moc"
