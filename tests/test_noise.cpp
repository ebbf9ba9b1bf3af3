#include "ign/noise.h"
#include "test_support.h"

using namespace ign;

class TestNoise : public QObject {
    Q_OBJECT
private slots:
    void gaussianIsStandardNormalAndSeeded() {
        NoiseSampler noise(NoiseKind::Gaussian, 1, 28);
        auto g1 = make_generator(5), g2 = make_generator(5);
        auto a = noise.sample(256, g1), b = noise.sample(256, g2);
        QVERIFY(torch::equal(a, b));
        QCOMPARE(a.sizes().vec(), (std::vector<int64_t>{256, 1, 28, 28}));
        QVERIFY(std::abs(a.mean().item<double>()) < 0.01);
        QVERIFY(std::abs(a.std().item<double>() - 1.0) < 0.01);
    }

    // Sampled spectral noise has the training data's per-frequency mean and std (real and imaginary
    // parts of the half spectrum), at every bin, within sampling error.
    void spectralReproducesPerFrequencyStatistics_data() {
        QTest::addColumn<int>("channels");
        QTest::addColumn<int>("size");
        QTest::newRow("1x28") << 1 << 28;
        QTest::newRow("3x16") << 3 << 16;
    }
    void spectralReproducesPerFrequencyStatistics() {
        QFETCH(int, channels);
        QFETCH(int, size);
        auto data = testing::synthetic_digits(3000).images;
        data = data.expand({data.size(0), channels, 28, 28}).contiguous();
        if (channels == 3) data = data * torch::tensor({1.0f, 0.5f, -0.3f}).view({1, 3, 1, 1});
        data = conform_images(data, channels, size);
        const auto stats = compute_spectral_stats(data);
        NoiseSampler noise(NoiseKind::Spectral, channels, size, stats);
        auto gen = make_generator(11);
        const auto z = noise.sample(6000, gen);
        QCOMPARE(z.sizes().vec(), (std::vector<int64_t>{6000, channels, size, size}));
        const auto got = compute_spectral_stats(z, 6000);

        // std: relative error of an estimate from 6000 samples is ~1%; allow 6%.
        auto check_std = [](const torch::Tensor& want, const torch::Tensor& have, const char* what) {
            const auto significant = want > want.max() * 1e-3;
            const auto rel = ((have - want).abs() / want.clamp_min(1e-9)).masked_select(significant);
            QVERIFY2(rel.max().item<double>() < 0.06, qPrintable(QString("%1: worst relative error %2")
                                                                     .arg(what).arg(rel.max().item<double>())));
        };
        check_std(stats.std_real, got.std_real, "std of real parts");
        check_std(stats.std_imag, got.std_imag, "std of imaginary parts");
        // means: within 5 standard errors of the bin's std
        auto check_mean = [](const torch::Tensor& mean, const torch::Tensor& std, const torch::Tensor& have,
                             const char* what) {
            const auto err = (have - mean).abs() - 5.0 * std / std::sqrt(6000.0) - 1e-4 * std.max();
            QVERIFY2(err.max().item<double>() <= 0, qPrintable(QString("%1 off").arg(what)));
        };
        check_mean(stats.mean_real, stats.std_real, got.mean_real, "mean of real parts");
        check_mean(stats.mean_imag, stats.std_imag, got.mean_imag, "mean of imaginary parts");
        // and so the pixel-space variance of the data
        const double want_var = data.var(0).mean().item<double>(), have_var = z.var(0).mean().item<double>();
        QVERIFY2(std::abs(have_var / want_var - 1.0) < 0.05, qPrintable(QString("pixel variance %1 vs %2").arg(have_var).arg(want_var)));
    }

    void spectralWithoutStatisticsIsRefused() {
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, NoiseSampler(NoiseKind::Spectral, 1, 28));
        auto stats = compute_spectral_stats(testing::synthetic_digits(10).images);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, NoiseSampler(NoiseKind::Spectral, 3, 28, stats));
    }
};

IGN_TEST_MAIN(TestNoise)
#include "test_noise.moc"
