// Every fast path equals the plain module, forward and backward, to a stated tolerance.
#include <atomic>
#include <thread>

#include "ign/fast_forward.h"
#include "ign/model.h"
#include "ign/onednn_forward.h"
#include "ign/precision.h"
#include "test_support.h"

using namespace ign;

class TestFastPaths : public QObject {
    Q_OBJECT
private slots:
    // Exact in double precision (1e-10) for every transposed-convolution shape the presets use, and more.
    void subpixelEqualsConvTranspose_data() {
        QTest::addColumn<int>("kernel");
        QTest::addColumn<int>("stride");
        QTest::addColumn<int>("padding");
        QTest::addColumn<int>("size");
        QTest::newRow("4x4 s2 p1 (both presets)") << 4 << 2 << 1 << 7;
        QTest::newRow("3x3 s2 p1 (mnist28 4->7)") << 3 << 2 << 1 << 4;
        QTest::newRow("5x5 s3 p2") << 5 << 3 << 2 << 5;
        QTest::newRow("2x2 s2 p0") << 2 << 2 << 0 << 6;
        QTest::newRow("3x3 s2 p0") << 3 << 2 << 0 << 5;
        QTest::newRow("5x5 s2 p2") << 5 << 2 << 2 << 6;
        QTest::newRow("4x4 s3 p1") << 4 << 3 << 1 << 4;
    }
    void subpixelEqualsConvTranspose() {
        QFETCH(int, kernel);
        QFETCH(int, stride);
        QFETCH(int, padding);
        QFETCH(int, size);
        const auto opts = torch::TensorOptions().dtype(torch::kFloat64);
        auto x = torch::randn({3, 5, size, size}, opts).requires_grad_();
        auto w = torch::randn({5, 4, kernel, kernel}, opts).requires_grad_();
        auto plain = torch::conv_transpose2d(x, w, {}, stride, padding);
        auto upstream = torch::randn_like(plain);
        auto g_plain = torch::autograd::grad({plain}, {x, w}, {upstream}, /*retain_graph=*/true);
        // The dispatching entry point, and the per-phase form on its own (also for kernels it would not get).
        for (const bool phases : {false, true}) {
            auto fast = phases ? phase_conv_transpose2d(x, w, stride, padding)
                               : subpixel_conv_transpose2d(x, w, stride, padding);
            QCOMPARE(fast.sizes().vec(), plain.sizes().vec());
            QVERIFY(fast.is_contiguous());  // the normalisation after it is slow on a strided view
            QVERIFY((fast - plain).abs().max().item<double>() < 1e-10);
            auto g_fast = torch::autograd::grad({fast}, {x, w}, {upstream});
            QVERIFY((g_fast[0] - g_plain[0]).abs().max().item<double>() < 1e-10);
            QVERIFY((g_fast[1] - g_plain[1]).abs().max().item<double>() < 1e-10);
        }
    }

    // The whole network with and without the fast paths: in float32 (the kernels training uses) outputs
    // within 1e-5; in double precision, where rounding cannot hide a mistake, outputs and every parameter
    // gradient within 1e-9 relative to their largest value. (Float32 gradients of the first layer can differ
    // by 0.3 %: rounding amplified through ReLU kinks and batch statistics, seen for 1 seed in 31.)
    void wholeModelMatchesThePlainModule_data() {
        QTest::addColumn<QString>("preset");
        QTest::addColumn<bool>("doublePrecision");
        for (const bool dbl : {false, true}) {
            QTest::newRow(dbl ? "mnist28 double" : "mnist28 float") << "mnist28" << dbl;
            QTest::newRow(dbl ? "dcgan64 double" : "dcgan64 float") << "dcgan64" << dbl;
        }
    }
    void wholeModelMatchesThePlainModule() {
        QFETCH(QString, preset);
        QFETCH(bool, doublePrecision);
        auto o = preset_options(preset.toStdString());
        o.width = 16;
        IgnNet fast(o);
        IgnNet plain(o);
        const auto type = doublePrecision ? torch::kDouble : torch::kFloat;
        fast->to(type);
        plain->to(type);
        copy_state_in_place(*fast, *plain);
        fast->fast_paths = true;
        plain->fast_paths = false;
        const double output_tolerance = doublePrecision ? 1e-9 : 1e-5;
        // one image (matrix-vector path) in eval mode
        fast->eval();
        plain->eval();
        auto one = torch::randn({1, o.channels, o.image_size, o.image_size}, type);
        QVERIFY((run_network(*fast, one) - plain->forward(one)).abs().max().item<double>() < output_tolerance);
        fast->train();
        plain->train();
        auto x = torch::randn({4, o.channels, o.image_size, o.image_size}, type);
        auto yf = run_network(*fast, x), yp = plain->forward(x);
        QVERIFY2((yf - yp).abs().max().item<double>() < output_tolerance, qPrintable(QString::number((yf - yp).abs().max().item<double>())));
        if (!doublePrecision) return;
        (yf * yf).sum().backward();
        (yp * yp).sum().backward();
        auto pf = fast->parameters(), pp = plain->parameters();
        for (size_t i = 0; i < pf.size(); ++i) {
            const double scale = pp[i].grad().abs().max().item<double>();
            const double err = (pf[i].grad() - pp[i].grad()).abs().max().item<double>();
            QVERIFY2(err <= 1e-9 * scale + 1e-12, qPrintable(QString("parameter %1: %2 of %3").arg(i).arg(err).arg(scale)));
        }
    }

    // Inference without gradients in train-mode normalisation: the batch's statistics, as the plain
    // module uses, and the running statistics left as they were.
    void trainModeInferenceMatchesAndKeepsTheRunningStatistics() {
        auto o = testing::tiny_model();
        IgnNet fast(o), plain(o);
        copy_state_in_place(*fast, *plain);
        plain->fast_paths = false;
        std::vector<torch::Tensor> before;
        for (const auto& b : fast->buffers()) before.push_back(b.clone());
        torch::InferenceMode guard;
        for (const int64_t batch : {1, 5}) {
            const auto x = torch::randn({batch, 1, 28, 28});
            QVERIFY((run_network(*fast, x) - plain->forward(x)).abs().max().item<double>() < 1e-5);
        }
        const auto after = fast->buffers();
        for (size_t i = 0; i < before.size(); ++i) QVERIFY(torch::equal(before[i], after[i]));
    }

    // Inference packs the weights for oneDNN once; the packed copies follow every change of the weights.
    void inferenceCacheFollowsWeightUpdates() {
        auto o = testing::tiny_model();
        IgnNet fast(o), plain(o);
        plain->fast_paths = false;
        fast->eval();
        plain->eval();
        const auto x = torch::randn({2, 1, 28, 28});
        for (int round = 0; round < 3; ++round) {
            copy_state_in_place(*fast, *plain);
            {
                torch::InferenceMode guard;
                QVERIFY((run_network(*fast, x) - plain->forward(x)).abs().max().item<double>() < 1e-5);
                QVERIFY((run_network(*fast, x) - plain->forward(x)).abs().max().item<double>() < 1e-5);  // cached
                const auto one = x.slice(0, 0, 1);  // single-image inference path
                QVERIFY((run_network(*fast, one) - plain->forward(one)).abs().max().item<double>() < 1e-5);
            }
            torch::NoGradGuard no_grad;
            for (auto& p : fast->parameters()) p.add_(torch::randn_like(p) * 0.05);  // as an optimizer step would
        }
    }

    // Inference on the CPU runs the whole network as one oneDNN chain (ign/onednn_forward.h): equal to the
    // plain modules within 1e-5 for both presets, every norm, train- and eval-mode normalisation, one
    // image and a batch; GroupNorm (not in oneDNN 2.6) keeps LibTorch's path.
    void oneDnnChainMatchesThePlainModule_data() {
        QTest::addColumn<QString>("preset");
        QTest::addColumn<int>("width");
        QTest::addColumn<int>("norm");
        QTest::addColumn<bool>("trainMode");
        for (const auto& [preset, width] : std::vector<std::pair<QString, int>>{{"mnist28", 8}, {"mnist28", 32}, {"dcgan64", 8}})
            for (const Norm norm : {Norm::Batch, Norm::None, Norm::Group})
                for (const bool train_mode : {true, false})
                    QTest::newRow(qPrintable(QString("%1 w%2 %3 %4").arg(preset).arg(width).arg(QString::fromStdString(to_string(norm))).arg(train_mode ? "train" : "eval")))
                        << preset << width << int(norm) << train_mode;
    }
    void oneDnnChainMatchesThePlainModule() {
        QFETCH(QString, preset);
        QFETCH(int, width);
        QFETCH(int, norm);
        QFETCH(bool, trainMode);
        auto o = preset_options(preset.toStdString());
        o.width = width;
        o.norm = Norm(norm);
        IgnNet fast(o), plain(o);
        {
            torch::NoGradGuard no_grad;  // running statistics that are not the initial 0 and 1
            for (auto& b : fast->buffers()) if (b.dim() == 1) b.copy_(torch::rand_like(b) + 0.5);  // (uniform_ draws a false -Wmaybe-uninitialized under ASan)
        }
        copy_state_in_place(*fast, *plain);
        plain->fast_paths = false;
        fast->train(trainMode);
        plain->train(trainMode);
        std::vector<torch::Tensor> before;
        for (const auto& b : fast->buffers()) before.push_back(b.clone());
        torch::InferenceMode guard;
        for (const int64_t batch : {1, 5}) {
            const auto x = torch::randn({batch, o.channels, o.image_size, o.image_size});
            QCOMPARE(OneDnnForward::applies(*fast, x), o.norm != Norm::Group);
            const double err = (run_network(*fast, x) - plain->forward(x)).abs().max().item<double>();
            QVERIFY2(err < 1e-5, qPrintable(QString("batch %1: %2").arg(batch).arg(err)));
        }
        const auto after = fast->buffers();
        for (size_t i = 0; i < before.size(); ++i) QVERIFY(torch::equal(before[i], after[i]));
    }

    // The chain is for inference only: with gradients, under autocast, or for another type it stays off.
    void oneDnnChainOnlyForFloatInference() {
        IgnNet model(testing::tiny_model());
        const auto x = torch::randn({1, 1, 28, 28});
        QVERIFY(!OneDnnForward::applies(*model, x));  // gradients on
        torch::NoGradGuard no_grad;
        QVERIFY(OneDnnForward::applies(*model, x));
        QVERIFY(!OneDnnForward::applies(*model, x.to(torch::kDouble)));
        {
            BF16Autocast autocast(torch::kCPU, true);
            QVERIFY(!OneDnnForward::applies(*model, x));
        }
    }

    // A few batch shapes stay prepared; a batch too large to keep buffers for runs once, still exact.
    void oneDnnChainKeepsFewPlansAndNoHugeOnes() {
        auto o = testing::tiny_model();
        IgnNet fast(o), plain(o);
        copy_state_in_place(*fast, *plain);
        plain->fast_paths = false;
        torch::InferenceMode guard;
        const auto many = torch::randn({12000, 1, 28, 28});  // > 256 MB of buffers at width 8
        const double err = (run_network(*fast, many) - plain->forward(many)).abs().max().item<double>();
        QVERIFY2(err < 1e-5, qPrintable(QString::number(err)));
        QCOMPARE(fast->fast_forward->onednn().cached_plans(), size_t(0));
        for (int64_t batch = 1; batch <= 6; ++batch) run_network(*fast, torch::randn({batch, 1, 28, 28}));
        QCOMPARE(fast->fast_forward->onednn().cached_plans(), size_t(4));
    }

    // Several threads (the studio's live projection and a sample grid) share one model.
    void oneDnnChainIsThreadSafe() {
        auto o = testing::tiny_model();
        IgnNet fast(o), plain(o);
        copy_state_in_place(*fast, *plain);
        plain->fast_paths = false;
        std::vector<torch::Tensor> inputs, expected;
        {
            torch::InferenceMode guard;
            for (int64_t batch = 1; batch <= 6; ++batch) {  // more batch sizes than plans kept
                inputs.push_back(torch::randn({batch, 1, 28, 28}));
                expected.push_back(plain->forward(inputs.back()));
            }
        }
        std::atomic<int> wrong{0};
        std::vector<std::thread> threads;
        for (int t = 0; t < 3; ++t)
            threads.emplace_back([&, t] {
                torch::InferenceMode guard;
                for (int round = 0; round < 20; ++round) {
                    const size_t i = size_t(t + round) % inputs.size();
                    if ((run_network(*fast, inputs[i]) - expected[i]).abs().max().item<double>() > 1e-5) ++wrong;
                }
            });
        for (auto& thread : threads) thread.join();
        QCOMPARE(wrong.load(), 0);
    }

    void fastPathsCanBeSwitchedOff() {
        set_fast_paths(false);
        IgnNet off(testing::tiny_model());
        set_fast_paths(true);
        IgnNet on(testing::tiny_model());
        QVERIFY(!off->fast_paths);
        QVERIFY(on->fast_paths);
    }
};

IGN_TEST_MAIN(TestFastPaths)
#include "test_fast_paths.moc"
