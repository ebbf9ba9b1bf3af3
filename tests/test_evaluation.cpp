#include "ign/classifier.h"
#include "ign/evaluation.h"
#include "ign/model.h"
#include "test_support.h"

using namespace ign;

class TestEvaluation : public QObject {
    Q_OBJECT
private slots:
    void frechetDistanceOfKnownGaussians() {
        torch::manual_seed(0);
        const auto a = torch::randn({20000, 4}, torch::kFloat64);
        QVERIFY(frechet_distance(a, a) < 1e-8);
        // shifted mean by (1, 2, 0, 0): FD = 5; scaled by 2 in one axis: (2 - 1)^2 = 1 more
        auto b = a.clone();
        b.select(1, 0).add_(1.0);
        b.select(1, 1).add_(2.0);
        QVERIFY(std::abs(frechet_distance(a, b) - 5.0) < 1e-6);
        b.select(1, 2).mul_(2.0);
        QVERIFY(std::abs(frechet_distance(a, b) - 6.0) < 0.05);
        // independent samples of the same distribution: close to 0, positive
        const auto c = torch::randn({20000, 4}, torch::kFloat64);
        const double fd = frechet_distance(a, c);
        QVERIFY(fd >= -1e-9 && fd < 0.01);
    }

    void copyShareCountsOnlySamplesNearOneTrainingImage() {
        torch::manual_seed(0);
        const auto training = torch::rand({50, 1, 8, 8}) * 2 - 1;
        // A training image with a small change is a copy; the mean of three is not; nor is fresh noise.
        QCOMPARE(copy_share(training + 0.01 * torch::randn_like(training), training), 1.0);
        const auto means = (training.slice(0, 0, 16) + training.slice(0, 16, 32) + training.slice(0, 32, 48)) / 3;
        QCOMPARE(copy_share(means, training), 0.0);
        QCOMPARE(copy_share(torch::rand({30, 1, 8, 8}) * 2 - 1, training), 0.0);
        QCOMPARE(copy_share(torch::cat({training.slice(0, 0, 16), means}), training), 0.5);
        // More training images than one block of rows (1,024), duplicates of one image at distance 0 apart
        const auto many = torch::rand({1500, 1, 4, 4});
        QCOMPARE(copy_share(many.slice(0, 1400), many), 1.0);
    }

    void classifierLearnsAndEvaluationReportsEveryFigure() {
        auto data = testing::synthetic_digits(600);
        data.labels = (data.images.mean({1, 2, 3}) > data.images.mean()).to(torch::kLong);  // big vs small blobs
        const auto split = split_every(data, 5);
        double accuracy = 0;
        ClassifierTraining training;
        training.epochs = 4;
        training.batch = 32;
        auto classifier = train_classifier(split.train, split.test, training, &accuracy);
        QVERIFY2(accuracy > 0.9, qPrintable(QString::number(accuracy)));

        QTemporaryDir dir;
        save_classifier(dir.filePath("c.pt").toStdString(), classifier, accuracy);
        double reloaded_accuracy = 0;
        auto reloaded = load_classifier(dir.filePath("c.pt").toStdString(), &reloaded_accuracy);
        QCOMPARE(reloaded_accuracy, accuracy);
        QVERIFY_THROWS_EXCEPTION(CheckpointError, load_classifier(dir.filePath("none.pt").toStdString()));

        CheckpointInfo info;
        info.model = testing::tiny_model();
        IgnNet model(info.model);
        EvalOptions options;
        options.samples = 200;
        options.projection_images = 40;
        options.batch = 64;
        const auto report = evaluate(model, info, split, &reloaded, accuracy, options);
        QCOMPARE(int(report.fd.size()), 3);
        QCOMPARE(int(report.class_histogram.size()), 2);
        QCOMPARE(report.class_histogram[0] + report.class_histogram[1], int64_t(200));
        QCOMPARE(int(report.projection.size()), 4);  // noise 0.3, noise 0.5, sketch, occlude (gray: colour only)
        for (const auto& p : report.projection) {
            QVERIFY2(p.accuracy_clean > 0.85, qPrintable(QString("%1 vs %2").arg(p.accuracy_clean).arg(accuracy)));
            QVERIFY(p.l1_corrupted >= 0);
        }
        QVERIFY(report.idempotence_gap > 0);
        QCOMPARE(report.projection_examples[0].size(0), int64_t(30));
        QVERIFY(QString::fromStdString(report.to_json("m.pt", "synthetic")).contains("\"f2\""));
        QVERIFY(std::isnan(report.copies));  // no training images given
        auto one_batch = options;
        one_batch.batch = options.samples;  // the samples as one batch, as below
        const auto with_copies = evaluate(model, info, split, &reloaded, accuracy, one_batch, split.train.images);
        QCOMPARE(with_copies.copies, copy_share(apply_f(model, sample_noise(info.noise_sampler(), 200, 0)),
                                                split.train.images));
        QCOMPARE(with_copies.copy_reference_images, split.train.size());

        // Projection and reconstruction apply f to one image at a time, as users project: with BatchNorm in
        // train mode that differs from a batch, and the report says which it measured.
        double one_at_a_time = 0;
        for (int64_t i = 0; i < split.test.size(); ++i)
            one_at_a_time += (apply_f(model, split.test.images.slice(0, i, i + 1)) - split.test.images[i]).abs().mean().item<double>();
        one_at_a_time /= double(split.test.size());
        QVERIFY2(std::abs(report.reconstruction_error - one_at_a_time) < 1e-5,
                 qPrintable(QString("%1 vs %2").arg(report.reconstruction_error).arg(one_at_a_time)));
        options.projection_batch = 64;
        const auto batched = evaluate(model, info, split, &reloaded, accuracy, options);
        double in_batches = 0;
        for (int64_t i = 0; i < split.test.size(); i += 64) {
            const auto x = split.test.images.slice(0, i, i + 64);
            in_batches += (apply_f(model, x) - x).abs().mean({1, 2, 3}).sum().item<double>();
        }
        in_batches /= double(split.test.size());
        QVERIFY(std::abs(in_batches - one_at_a_time) > 1e-7);  // the two differ, and the option chooses
        QVERIFY2(std::abs(batched.reconstruction_error - in_batches) < 1e-5,
                 qPrintable(QString("%1 vs %2").arg(batched.reconstruction_error).arg(in_batches)));
        QVERIFY(QString::fromStdString(batched.to_json("m.pt", "synthetic")).contains("\"projection_batch\": 64"));
    }
};

IGN_TEST_MAIN(TestEvaluation)
#include "test_evaluation.moc"
