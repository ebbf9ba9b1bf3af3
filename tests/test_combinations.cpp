// Every documented option combination trains: each preset x norm x noise x precision (and two processes
// for the first preset), and each preset x norm x noise (and two processes) with the coverage term with and
// without tightness, trains two steps at a tiny width, writes a checkpoint that `ign sample`,
// `ign project` and the studio's ModelSession load, and resumes from it one step exactly. The values
// come from the engine's own lists (options.h), so a value added there is tested here without an edit.
#include <QElapsedTimer>

#include "ign/image_io.h"
#include "ign/session.h"
#include "training_support.h"

using namespace ign;
using namespace ign::testing;

namespace {

// The objectives: the method's, with the coverage term (matched again inside the resumed step's round) and
// with coverage instead of tightness (matched again at the resume, which starts a round).
const std::vector<std::string>& objective_variants() {
    static const std::vector<std::string> variants{"ign", "coverage", "coverage-no-tightness"};
    return variants;
}

struct Combination {
    std::string preset, norm, noise, precision;
    int processes = 1;
    std::string objective = "ign";
    QString tag() const {
        return QString::fromStdString(preset + "-" + norm + "-" + noise + "-" + precision + "-" + std::to_string(processes) +
                                      "p" + (objective == "ign" ? "" : "-" + objective));
    }
};

// The precisions a run can end up in: every listed one but auto, which resolves to one of them.
std::vector<std::string> trained_precisions() {
    std::vector<std::string> precisions;
    for (const auto& p : precision_names())
        if (p != "auto") precisions.push_back(p);
    return precisions;
}

std::vector<Combination> all_combinations() {
    std::vector<Combination> all;
    for (const auto& preset : preset_names())
        for (const auto& norm : norm_names())
            for (const auto& noise : noise_names())
                for (const auto& precision : trained_precisions()) {
                    all.push_back({preset, norm, noise, precision, 1});
                    if (preset == preset_names().front()) all.push_back({preset, norm, noise, precision, 2});
                }
    // Each noise too: a checkpoint holds both the noise's statistics and the coverage matching.
    for (const auto& preset : preset_names())
        for (const auto& norm : norm_names())
            for (const auto& noise : noise_names())
                for (size_t v = 1; v < objective_variants().size(); ++v) {
                    all.push_back({preset, norm, noise, "fp32", 1, objective_variants()[v]});
                    if (preset == preset_names().front())
                        all.push_back({preset, norm, noise, "fp32", 2, objective_variants()[v]});
                }
    return all;
}

// Three steps with a checkpoint kept at step 2, so one run gives both the two-step checkpoint and the
// straight result that a one-step resume from it must reproduce.
TrainOptions options_for(const Combination& c, const QString& out) {
    TrainOptions o = tiny_run(out.toStdString(), 8, 3, 11, norm_from_string(c.norm));
    o.model = preset_options(c.preset);
    o.model.width = 4;
    o.model.latent = 16;
    o.model.norm = norm_from_string(c.norm);
    o.noise = noise_kind_from_string(c.noise);
    o.precision = c.precision;
    o.checkpoint_every = 2;
    o.keep_checkpoints = true;
    o.preview_every = 3;  // the preview's inference runs too
    if (c.objective != "ign") {
        o.objective.lambda_coverage = 5;
        // 0: rounds of one epoch (32 images, batch 8: 4 steps), so the resume at step 2 is inside a round.
        o.objective.coverage_every = c.objective == "coverage" ? 0 : 2;
        if (c.objective == "coverage-no-tightness") o.objective.lambda_tight = 0;
    }
    return o;
}

// Trainers of one run: a single process, or rank 0 and rank 1.
std::vector<std::unique_ptr<Trainer>> train(const TrainOptions& options, const Dataset& data, int processes) {
    std::vector<std::unique_ptr<Trainer>> trainers;
    if (processes == 1) {
        trainers.push_back(std::make_unique<Trainer>(options, data));
        trainers.back()->run();
    } else {
        for (auto& rank : run_ranks(options, data, processes)) trainers.push_back(std::move(rank.trainer));
    }
    return trainers;
}

// Whether two models hold bit-identical parameters and buffers.
bool identical(IgnNet a, IgnNet b) {
    const auto pa = a->parameters(), pb = b->parameters();
    const auto ba = a->buffers(), bb = b->buffers();
    for (size_t i = 0; i < pa.size(); ++i)
        if (!torch::equal(pa[i], pb[i])) return false;
    for (size_t i = 0; i < ba.size(); ++i)
        if (!torch::equal(ba[i], bb[i])) return false;
    return pa.size() == pb.size() && ba.size() == bb.size();
}

}  // namespace

class TestCombinations : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_input;  // a colour image for `ign project` (conformed to each model)

private slots:
    void initTestCase() {
        QVERIFY2(!qEnvironmentVariable("IGN_BIN").isEmpty(), "IGN_BIN must point at the ign executable");
        at::set_num_threads(1);
        m_input = m_dir.filePath("input.png");
        save_image(synthetic_images(1, 3, 40).images[0], m_input.toStdString());
    }

    void everyCombinationTrainsLoadsAndResumesExactly_data() {
        QTest::addColumn<int>("index");
        const auto all = all_combinations();
        for (size_t i = 0; i < all.size(); ++i) QTest::newRow(qPrintable(all[i].tag())) << int(i);
    }
    void everyCombinationTrainsLoadsAndResumesExactly() {
        QFETCH(int, index);
        const auto c = all_combinations()[size_t(index)];
        const auto options = options_for(c, m_dir.filePath(c.tag()));
        const auto data = synthetic_images(32, options.model.channels, options.model.image_size);

        std::vector<std::unique_ptr<Trainer>> straight, resumed;
        try {  // an engine error is this combination's failure, with its message
            straight = train(options, data, c.processes);
        } catch (const std::exception& e) {
            QFAIL(e.what());
        }
        for (const auto& t : straight) QCOMPARE(t->info().step, int64_t(3));
        QCOMPARE(straight[0]->precision(), c.precision);
        const auto two_steps = m_dir.filePath(c.tag() + "/checkpoint-2.pt");
        QVERIFY2(QFile::exists(two_steps), qPrintable(two_steps));

        // One step from the two-step checkpoint ends where the straight run's third step did.
        auto resume = options;
        resume.resume = two_steps.toStdString();
        resume.out_dir = m_dir.filePath(c.tag() + "-resumed").toStdString();
        try {
            resumed = train(resume, data, c.processes);
        } catch (const std::exception& e) {
            QFAIL(e.what());
        }
        QCOMPARE(resumed[0]->info().step, int64_t(3));
        QVERIFY2(identical(resumed[0]->model(), straight[0]->model()), "a one-step resume left the straight run");

        // The studio's model session opens it, samples and projects.
        const auto session = ModelSession::open(two_steps.toStdString());
        QCOMPARE(session->summary().step, int64_t(2));
        QCOMPARE(to_string(session->summary().model.norm), c.norm);
        const auto chains = session->sample(2, 1, 2);
        QCOMPARE(chains.size(), size_t(2));
        QCOMPARE(chains[0].steps[1].width, options.model.image_size);
        const auto projected = session->project(read_image_file(m_input.toStdString()), 2);
        QCOMPARE(projected.size(), size_t(3));
        QCOMPARE(projected[2].channels, options.model.channels);

        // And so do `ign sample` and `ign project` (side by side: most of their time is starting up).
        const auto samples = m_dir.filePath(c.tag() + "-samples.png");
        const auto project_dir = m_dir.filePath(c.tag() + "-projected");
        QProcess sample, project;
        sample.start(qEnvironmentVariable("IGN_BIN"), {"sample", two_steps, "--count", "4", "--threads", "1", "-o", samples});
        project.start(qEnvironmentVariable("IGN_BIN"), {"project", two_steps, m_input, "--threads", "1", "-o", project_dir});
        QVERIFY(sample.waitForFinished(60000) && project.waitForFinished(60000));
        QVERIFY2(sample.exitCode() == 0 && QFile::exists(samples), sample.readAllStandardError().constData());
        QVERIFY2(project.exitCode() == 0 && QFile::exists(project_dir + "/input_projected.png"),
                 project.readAllStandardError().constData());
    }

    // The lists the combinations come from are the command line's: each value is accepted by `ign train`'s
    // validators (and an unknown one refused), so the test and the product cannot drift apart.
    void theListsAreTheCommandLinesOwn() {
        const auto help = ign_cli({"train", "--help"});
        QCOMPARE(help.code, 0);
        for (const auto* names : {&preset_names(), &norm_names(), &noise_names(), &precision_names()})
            for (const auto& name : *names) QVERIFY2(help.out.contains(QString::fromStdString(name)), name.c_str());
        const auto bad = ign_cli({"train", "--norm", "layer", "--steps", "1"});
        QCOMPARE(bad.code, 2);
        QVERIFY2(bad.err.contains("batch") && bad.err.contains("group"), qPrintable(bad.err));
    }
};

QTEST_GUILESS_MAIN(TestCombinations)
#include "test_combinations.moc"
