// The coverage term (coverage.h): the matching against brute force, gradients through the matched samples
// only, and a resumed run continuing exactly across a re-matching.
#include "ign/checkpoint.h"
#include "ign/coverage.h"
#include "ign/inference.h"
#include "ign/objective.h"
#include "ign/trainer.h"
#include "training_support.h"

#include <set>

using namespace ign;

namespace {

TrainOptions coverage_run(const QString& out, int64_t steps, double lambda_tight = 2.5) {
    auto o = testing::tiny_run(out.toStdString(), 8, steps, 5);
    o.objective.lambda_coverage = 10;
    o.objective.lambda_tight = lambda_tight;
    o.objective.coverage_every = 3;
    o.objective.coverage_candidates = 8;
    o.optimizer.lr = 5e-3;  // large steps: a matching made again one step later would differ
    return o;
}

std::vector<torch::Tensor> state_of(IgnNet& model) {
    std::vector<torch::Tensor> all;
    for (auto& p : model->parameters()) all.push_back(p.detach().clone());
    for (auto& b : model->buffers()) all.push_back(b.clone());
    return all;
}

void expect_same_weights(IgnNet a, IgnNet b) {
    const auto sa = state_of(a), sb = state_of(b);
    QCOMPARE(sa.size(), sb.size());
    for (size_t i = 0; i < sa.size(); ++i) QVERIFY2(torch::equal(sa[i], sb[i]), qPrintable(QString("tensor %1").arg(i)));
}

}  // namespace

class TestCoverage : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

private slots:
    void featuresAreAveragePooledPixels() {
        auto x = torch::arange(16, torch::kFloat).view({1, 1, 4, 4});
        const auto f = matching_features(x, 2);
        QCOMPARE(f.size(0), int64_t(1));
        QCOMPARE(f.size(1), int64_t(4));
        QCOMPARE(f[0][0].item<double>(), (0 + 1 + 4 + 5) / 4.0);
        QCOMPARE(f[0][3].item<double>(), (10 + 11 + 14 + 15) / 4.0);
        // 28 pooled by 4 is 7x7 (a ragged edge is averaged over what is there).
        QCOMPARE(matching_features(torch::zeros({2, 3, 28, 28}), 4).size(1), int64_t(3 * 7 * 7));
        QCOMPARE(matching_features(torch::zeros({1, 1, 30, 30}), 4).size(1), int64_t(8 * 8));
    }

    // Brute force: each image in order takes the nearest row no earlier image took.
    void poolAssignmentIsTheBruteForceOne() {
        torch::manual_seed(3);
        const auto real = torch::randn({300, 12}, torch::kDouble), pool = torch::randn({700, 12}, torch::kDouble);
        const auto rows = assign_in_pool(real, pool);  // two blocks of images
        QCOMPARE(rows.size(0), int64_t(300));
        std::set<int64_t> taken;
        for (int64_t i = 0; i < real.size(0); ++i) {
            int64_t best = -1;
            double best_distance = 1e300;
            for (int64_t j = 0; j < pool.size(0); ++j) {
                const double d = (real[i] - pool[j]).pow(2).sum().item<double>();
                if (!taken.count(j) && d < best_distance) best_distance = d, best = j;
            }
            QCOMPARE(rows[i].item<int64_t>(), best);
            taken.insert(best);
        }
        // A pool where one row is nearest to every image: each image still gets a row of its own.
        auto hub = torch::cat({torch::zeros({1, 12}, torch::kDouble), torch::full({9, 12}, 5.0, torch::kDouble)});
        const auto spread = assign_in_pool(torch::randn({10, 12}, torch::kDouble) * 0.1, hub);
        QCOMPARE(std::get<0>(at::_unique(spread)).size(0), int64_t(10));
        QCOMPARE(spread[0].item<int64_t>(), int64_t(0));
    }

    // Each image of a round keeps the noise of the round's pool (every image's candidates) whose f(z), as a
    // training step computes it (a batch at a time), is nearest in the pooled space; the noise it is given
    // is that one, every time.
    void matcherPicksTheNearestGeneratedSample() {
        auto o = coverage_run(m_dir.filePath("unused"), 1);
        torch::manual_seed(1);
        IgnNet model(o.model);
        model->train();
        NoiseSampler noise(NoiseKind::Gaussian, 1, 28);
        CoverageMatcher matcher(o.objective, 11, noise, 8, 40);
        const auto data = testing::synthetic_digits(40).images;
        const auto indices = torch::arange(5, 29, torch::kLong);  // 24 of the 40 images are in the round
        matcher.match(0, model, indices, data.index_select(0, indices), false);
        QCOMPARE(matcher.matches()[0].item<int>(), -1);  // not in the round
        std::vector<torch::Tensor> pool;
        for (int64_t i = 5; i < 29; ++i) pool.push_back(matcher.candidates(0, i));
        const auto all = torch::cat(pool);
        QCOMPARE(all.size(0), int64_t(8 * 24));
        std::vector<torch::Tensor> generated;
        for (int64_t b = 0; b < all.size(0); b += 8) generated.push_back(apply_f(model, all.slice(0, b, b + 8)));
        const auto pooled = torch::avg_pool2d(torch::cat(generated), 4, 4, 0, true, false);
        std::set<int64_t> owners, taken;
        for (int64_t i = 0; i < 24; ++i) {  // image 5 + i takes the nearest free row of all 192; row r is image 5 + r / 8's
            auto d = (pooled - torch::avg_pool2d(data[5 + i].unsqueeze(0), 4, 4, 0, true, false)).pow(2).flatten(1).sum(1);
            for (const int64_t t : taken) d[t] = INFINITY;
            const int64_t row = d.argmin().item<int64_t>();
            taken.insert(row);
            QCOMPARE(int64_t(matcher.matches()[5 + i].item<int>()), (5 + row / 8) * 8 + row % 8);
            owners.insert(5 + row / 8);
        }
        QVERIFY(owners.size() > 1);  // the pool is shared: images take other images' candidates
        const auto picked = torch::tensor({7, 7, 20}, torch::kLong);
        const auto latents = matcher.latents_for(picked);
        const int number = matcher.matches()[7].item<int>();
        QVERIFY(torch::equal(latents[0], matcher.candidates(0, number / 8)[number % 8]));
        QVERIFY(torch::equal(latents[0], latents[1]));  // the same image, the same noise
        QVERIFY(!torch::equal(latents[0], latents[2]));  // one image per noise
        // Another round draws other candidates.
        QVERIFY(!torch::equal(matcher.candidates(1, 7), matcher.candidates(0, 7)));
    }

    // The coverage term's gradient reaches the matched noises and not the step's free noise.
    void gradientsFlowThroughTheMatchedSamplesOnly() {
        torch::manual_seed(2);
        auto options = coverage_run(m_dir.filePath("unused"), 1).objective;
        options.lambda_rec = options.lambda_idem = options.lambda_tight = 0;
        IgnNet model(testing::tiny_model());
        model->train();
        Objective objective(model, options);
        const auto x = testing::synthetic_digits(8).images;
        auto z = torch::randn_like(x).requires_grad_(true), matched = torch::randn_like(x).requires_grad_(true);
        const auto terms = objective.compute(x, z, matched);
        QCOMPARE(terms.terms.back().name, std::string("coverage"));
        terms.total.backward();
        QVERIFY(matched.grad().defined() && matched.grad().abs().sum().item<double>() > 0);
        QVERIFY(!z.grad().defined() || z.grad().abs().sum().item<double>() == 0);
        // Its value is D(f(matched), x).
        const auto expected = (apply_f(model, matched.detach()) - x).abs().flatten(1).mean(1).mean().item<double>();
        QVERIFY(std::abs(terms.value("coverage").item<double>() - expected) < 1e-5);
        // Without its noises the objective refuses to compute the term.
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, objective.compute(x, z.detach()));
    }

    // 8 steps straight and 4 + 4 with a save inside a round (rounds of 3: the second begins at step 3, the
    // resume at step 4 continues it, the third round's matching happens after the resume) end identical;
    // so does a resume exactly at a round's first step, with and without tightness.
    void resumeContinuesExactlyAcrossARematching_data() {
        QTest::addColumn<int>("split");
        QTest::addColumn<double>("lambda_tight");
        QTest::newRow("inside a round") << 4 << 2.5;
        QTest::newRow("at a round's start") << 6 << 2.5;
        QTest::newRow("non-adversarial") << 4 << 0.0;
    }
    void resumeContinuesExactlyAcrossARematching() {
        QFETCH(int, split);
        QFETCH(double, lambda_tight);
        const auto data = testing::synthetic_digits(64);
        const QString tag = QString::number(split) + "-" + QString::number(lambda_tight);
        Trainer straight(coverage_run(m_dir.filePath("straight" + tag), 8, lambda_tight), data);
        QCOMPARE(int(straight.run().status), int(TrainStatus::Completed));
        QVERIFY(straight.info().history.back().term("coverage") > 0);

        Trainer first(coverage_run(m_dir.filePath("split" + tag), split, lambda_tight), data);
        first.run();
        const auto saved = load_checkpoint(first.checkpoint_path()).info;
        QCOMPARE(saved.coverage_round, int64_t((split - 1) / 3));
        QCOMPARE(saved.coverage_matches.numel(), int64_t(64));  // one per training image
        auto o = coverage_run(m_dir.filePath("split" + tag), 8, lambda_tight);
        o.resume = first.checkpoint_path();
        Trainer second(o, data);
        QCOMPARE(second.run().step, int64_t(8));
        expect_same_weights(straight.model(), second.model());
        QCOMPARE(second.info().history.back().total, straight.info().history.back().total);
    }

    // The options travel in the checkpoint and its card; bad values are refused before any work.
    void optionsAreRecordedAndChecked() {
        const auto data = testing::synthetic_digits(64);
        Trainer run(coverage_run(m_dir.filePath("recorded"), 2), data);
        run.run();
        const auto info = load_checkpoint(run.checkpoint_path()).info;
        QCOMPARE(info.objective.lambda_coverage, 10.0);
        QCOMPARE(info.objective.coverage_every, 3);
        QVERIFY(QString::fromStdString(info.card()).contains("coverage_every=3"));
        QVERIFY(!QString::fromStdString(ObjectiveOptions{}.to_string()).contains("coverage"));  // the method's runs read as before
        // Every 0 (the default): rounds of one epoch, resolved and recorded (64 images, batch 8 in coverage_run).
        auto per_epoch = coverage_run(m_dir.filePath("per-epoch"), 9);
        QCOMPARE(per_epoch.settings.batch, 8);
        per_epoch.objective.coverage_every = ObjectiveOptions{}.coverage_every;
        QCOMPARE(per_epoch.objective.coverage_every, 0);
        Trainer epoch_run(per_epoch, data);
        epoch_run.run();
        const auto epoch_info = load_checkpoint(epoch_run.checkpoint_path()).info;
        QCOMPARE(epoch_info.objective.coverage_every, 8);
        QCOMPARE(epoch_info.coverage_round, int64_t(1));  // step 9 is in the second round
        auto bad = coverage_run(m_dir.filePath("bad"), 2);
        bad.objective.coverage_candidates = 0;
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, Trainer(bad, data));
    }
};

QTEST_GUILESS_MAIN(TestCoverage)

#include "test_coverage.moc"
