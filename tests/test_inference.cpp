#include "ign/corrupt.h"
#include "ign/image_io.h"
#include "ign/inference.h"
#include "test_support.h"

using namespace ign;

class TestInference : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    IgnNet m_model{nullptr};

private slots:
    void initTestCase() {
        torch::manual_seed(1);
        m_model = IgnNet(testing::tiny_model());
        // Give the BatchNorm layers non-trivial running statistics, as training would.
        // (With gradients: a pass without them leaves the running statistics alone.)
        m_model->train();
        for (int i = 0; i < 3; ++i) m_model->forward(torch::randn({16, 1, 28, 28}) * 2 + 0.5);
    }

    void chainKeepsEveryStep() {
        const auto x = torch::randn({3, 1, 28, 28});
        const auto steps = chain(m_model, x, 4);
        QCOMPARE(int(steps.size()), 5);
        QVERIFY(torch::equal(steps[0], x));
        QVERIFY(torch::allclose(steps[2], apply_f(m_model, apply_f(m_model, x))));
        QVERIFY(torch::equal(project(m_model, x, 4), steps[4]));
    }

    void evalModeIsBatchIndependentAndTrainModeChangesNothing() {
        const auto x = torch::randn({4, 1, 28, 28});
        const auto all = apply_f(m_model, x, {NormMode::Eval});
        QVERIFY(torch::allclose(all[1], apply_f(m_model, x.slice(0, 1, 2), {NormMode::Eval})[0], 1e-5, 1e-6));
        std::vector<torch::Tensor> before;
        for (auto& b : m_model->buffers()) before.push_back(b.clone());
        const auto train_mode = apply_f(m_model, x, {NormMode::Train});
        QVERIFY(!torch::allclose(train_mode, all));  // batch statistics differ from running ones
        auto after = m_model->buffers();
        for (size_t i = 0; i < before.size(); ++i) QVERIFY(torch::equal(before[i], after[i]));
        QVERIFY(m_model->is_training());  // mode restored
    }

    void samplingIsSeeded() {
        NoiseSampler noise(NoiseKind::Gaussian, 1, 28);
        QVERIFY(torch::equal(sample(m_model, noise, 5, 3), sample(m_model, noise, 5, 3)));
        QVERIFY(!torch::equal(sample(m_model, noise, 5, 3), sample(m_model, noise, 5, 4)));
    }

    void interpolationEndsAtTheAnchors() {
        const auto z0 = torch::randn({1, 28, 28}), z1 = torch::randn({1, 28, 28});
        for (bool spherical : {false, true}) {
            const auto path = interpolation_path(z0, z1, 7, spherical);
            QCOMPARE(path.size(0), int64_t(7));
            QVERIFY(torch::allclose(path[0], z0, 1e-5, 1e-5));
            QVERIFY(torch::allclose(path[6], z1, 1e-5, 1e-5));
        }
        // slerp between orthogonal vectors of equal norm keeps the norm; lerp shrinks it
        auto a = torch::zeros({1, 2, 2}), b = torch::zeros({1, 2, 2});
        a[0][0][0] = 3;
        b[0][1][1] = 3;
        QVERIFY(std::abs(slerp(a, b, 0.5).norm().item<double>() - 3.0) < 1e-5);
        QVERIFY(lerp(a, b, 0.5).norm().item<double>() < 2.2);
        const auto frames = interpolate(m_model, z0, z1, 5, true, {NormMode::Eval});
        QCOMPARE(frames.sizes().vec(), (std::vector<int64_t>{5, 1, 28, 28}));
        QVERIFY(torch::allclose(frames[0], apply_f(m_model, z0.unsqueeze(0), {NormMode::Eval})[0], 1e-5, 1e-5));
    }

    void gridHasTheFourCornersInPlace() {
        std::vector<torch::Tensor> z;
        for (int i = 0; i < 4; ++i) z.push_back(torch::randn({1, 28, 28}));
        const auto grid = grid_path(z[0], z[1], z[2], z[3], 4, false);
        QCOMPARE(grid.size(0), int64_t(16));
        QVERIFY(torch::allclose(grid[0], z[0], 1e-5, 1e-5));
        QVERIFY(torch::allclose(grid[3], z[1], 1e-5, 1e-5));
        QVERIFY(torch::allclose(grid[12], z[2], 1e-5, 1e-5));
        QVERIFY(torch::allclose(grid[15], z[3], 1e-5, 1e-5));
        QVERIFY(torch::allclose(grid[5], (z[0] * 4 + z[1] * 2 + z[2] * 2 + z[3]) / 9, 1e-5, 1e-5));
    }

    void projectAcceptsAnyImageSizeButNotAWrongShape() {
        const auto file = m_dir.filePath("big.png").toStdString();
        save_image(torch::rand({3, 300, 123}) * 2 - 1, file);
        const auto x = load_image(file, 1, 28);
        QCOMPARE(x.sizes().vec(), (std::vector<int64_t>{1, 1, 28, 28}));
        QCOMPARE(project(m_model, x, 2).sizes().vec(), x.sizes().vec());
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, apply_f(m_model, torch::zeros({1, 3, 28, 28})));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, apply_f(m_model, torch::zeros({1, 1, 32, 32})));
    }

    void corruptionsDoWhatTheySay() {
        auto x = testing::synthetic_digits(6).images;
        auto gen = make_generator(1);
        const auto noisy = add_gaussian_noise(x, 0.3, gen);
        QVERIFY(std::abs((noisy - x).std().item<double>() - 0.3) < 0.02);

        auto colour = torch::rand({2, 3, 16, 16}) * 2 - 1;
        const auto gray = to_grayscale(colour);
        QVERIFY(torch::equal(gray.select(1, 0), gray.select(1, 2)));
        QVERIFY(torch::allclose(gray.select(1, 1), colour.mean(1)));

        for (auto kind : {Corruption::SketchDodge, Corruption::SketchEdges}) {
            const auto sketch = corrupt(x, kind, {}, gen);
            QCOMPARE(sketch.sizes().vec(), x.sizes().vec());
            QVERIFY(sketch.min().item<double>() >= -1.0 && sketch.max().item<double>() <= 1.0);
            QVERIFY(!torch::allclose(sketch, x, 0.1, 0.1));
            // the data's polarity: dark background stays dark on average
            QVERIFY2(sketch.mean().item<double>() < 0.0, qPrintable(QString("%1 mean %2, data %3").arg(QString::fromStdString(to_string(kind))).arg(sketch.mean().item<double>()).arg(x.mean().item<double>())));
        }
        const auto occluded = occlude(x, 1, 0.25, gen);
        const auto changed = (occluded != x).flatten(1).sum(1);
        QVERIFY((changed <= 7 * 7).all().item<bool>());
        QVERIFY((occluded == 0).flatten(1).sum(1).ge(7 * 7).all().item<bool>());
        QCOMPARE(corruption_from_string("edges"), Corruption::SketchEdges);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, corruption_from_string("blur"));
    }

    void gridImageHasTheExpectedLayout() {
        const auto grid = make_grid(torch::zeros({5, 1, 10, 10}), 3, 2);
        QCOMPARE(grid.sizes().vec(), (std::vector<int64_t>{1, 2 * 12 + 2, 3 * 12 + 2}));
        const auto file = m_dir.filePath("grid.png").toStdString();
        save_grid(torch::zeros({5, 1, 10, 10}), file, 3, 2);
        QCOMPARE(load_image_native(file, 1).sizes().vec(), (std::vector<int64_t>{1, 1, 52, 76}));
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, save_image(torch::zeros({1, 4, 4}), "/proc/forbidden/x.png"));
    }
};

IGN_TEST_MAIN(TestInference)
#include "test_inference.moc"
