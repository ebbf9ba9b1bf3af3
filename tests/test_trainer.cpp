#include <QFileInfo>
#include <QRegularExpression>
#include <fstream>

#include "ign/checkpoint.h"
#include "ign/objective.h"
#include "ign/run_folder.h"
#include "ign/precision.h"
#include "ign/trainer.h"
#include "training_support.h"

using namespace ign;

namespace {

TrainOptions tiny_options(const QString& out, int64_t steps) {
    return testing::tiny_run(out.toStdString(), 16, steps, 42);
}

std::vector<torch::Tensor> state_of(IgnNet& model) {
    std::vector<torch::Tensor> all;
    for (auto& p : model->parameters()) all.push_back(p.detach().clone());
    for (auto& b : model->buffers()) all.push_back(b.clone());
    return all;
}

QByteArray bytes_of(const QString& path) {
    QFile f(path);
    f.open(QIODevice::ReadOnly);
    return f.readAll();
}

}  // namespace

class TestTrainer : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

private slots:
    // The settings a new run leaves open follow the data's size (options.h, fit_to_data).
    void settingsFitTheDataSize() {
        const DataFit given{32, 77, ObjectiveOptions{}, 2e-4, {}};
        const auto all = FitOpen::all();
        auto small = fit_to_data(300, given, all);
        QCOMPARE(small.batch, 64);
        QCOMPARE(small.steps, int64_t(1000));
        QCOMPARE(small.objective.lambda_coverage, 20.0);
        QCOMPARE(small.objective.lambda_tight, 0.0);
        QCOMPARE(small.objective.lambda_rec, ObjectiveOptions{}.lambda_rec);
        QCOMPARE(small.lr, 5e-4);
        QVERIFY2(small.note.find("300 training images (fewer than 5000): batch 64, 1000 steps,") == 0, small.note.c_str());
        QVERIFY2(small.note.find("learning rate 0.0005; chosen from the data's size") != std::string::npos, small.note.c_str());
        FitOpen batch_only;
        batch_only.batch = true;
        QCOMPARE(fit_to_data(40, given, batch_only).batch, 40);  // at most the data
        QCOMPARE(fit_to_data(40, given, batch_only).lr, 2e-4);   // not open: kept
        auto large = fit_to_data(60000, given, all);
        QCOMPARE(large.batch, 256);
        QCOMPARE(large.steps, int64_t(5 * 60000 / 256));  // about 5 epochs
        QCOMPARE(large.objective.lambda_tight, ObjectiveOptions{}.lambda_tight);
        QCOMPARE(large.objective.lambda_coverage, 0.0);
        QCOMPARE(large.lr, OptimizerOptions{}.lr);
        FitOpen batch_and_steps = batch_only;
        batch_and_steps.steps = true;
        QCOMPARE(fit_to_data(6000, given, batch_and_steps).steps, int64_t(1000));     // at least 1,000
        QCOMPARE(fit_to_data(1000000, given, batch_and_steps).steps, int64_t(5000));  // at most 5,000
        // What is not left open keeps the given values, and nothing chosen says nothing.
        auto mine = given;
        mine.objective.lambda_rec = 5;
        const auto kept = fit_to_data(300, mine, FitOpen{});
        QCOMPARE(kept.batch, 32);
        QCOMPARE(kept.steps, int64_t(77));
        QCOMPARE(kept.objective.lambda_rec, 5.0);
        QCOMPARE(kept.lr, 2e-4);
        QVERIFY(kept.note.empty());
        QCOMPARE(fit_to_data(300, mine, batch_only).objective.lambda_rec, 5.0);
        // The objective is chosen by its two weights; the user's other objective options stay.
        mine.objective.coverage_candidates = 3;
        FitOpen objective_only;
        objective_only.objective = true;
        const auto tuned = fit_to_data(300, mine, objective_only);
        QCOMPARE(tuned.objective.lambda_coverage, 20.0);
        QCOMPARE(tuned.objective.lambda_rec, 5.0);
        QCOMPARE(tuned.objective.coverage_candidates, 3);
        QCOMPARE(fit_to_data(60000, mine, objective_only).objective.lambda_rec, 5.0);
    }

    // N steps straight and k + (N - k) steps with a save and resume between end with identical weights.
    void resumeContinuesExactly() {
        const auto data = testing::synthetic_digits(80);
        Trainer straight(tiny_options(m_dir.filePath("straight"), 7), data);
        QCOMPARE(int(straight.run().status), int(TrainStatus::Completed));

        Trainer first(tiny_options(m_dir.filePath("split"), 3), data);
        first.run();
        auto resumed_options = tiny_options(m_dir.filePath("split"), 7);
        resumed_options.resume = first.checkpoint_path();
        resumed_options.settings.seed = 999;  // ignored: the checkpoint's seed wins
        Trainer second(resumed_options, data);
        const auto result = second.run();
        QCOMPARE(result.step, int64_t(7));

        auto a = straight.model(), b = second.model();
        const auto sa = state_of(a), sb = state_of(b);
        QCOMPARE(sa.size(), sb.size());
        for (size_t i = 0; i < sa.size(); ++i) QVERIFY2(torch::equal(sa[i], sb[i]), qPrintable(QString("tensor %1").arg(i)));
        QCOMPARE(second.info().history.size(), size_t(7));
        QCOMPARE(second.info().history[6].total, straight.info().history[6].total);
    }

    // A resume may change the λs and the learning rate: the new stage is recorded in the checkpoint,
    // the loss uses the new weights, and the rate reaches Adam (lr 0 leaves every parameter where it was).
    void resumeWithChangedWeightsStartsAStage() {
        const auto data = testing::synthetic_digits(80);
        Trainer first(tiny_options(m_dir.filePath("staged"), 3), data);
        first.run();
        auto before = first.model();
        const auto parameters_at_3 = state_of(before);

        auto o = tiny_options(m_dir.filePath("staged"), 5);
        o.resume = first.checkpoint_path();
        o.resume_changes.objective["lambda_rec"] = 30;
        o.resume_changes.lr = 0;
        Trainer second(o, data);
        second.run();
        const auto info = load_checkpoint(second.checkpoint_path()).info;
        QCOMPARE(info.objective.lambda_rec, 30.0);
        QCOMPARE(info.objective.lambda_idem, 20.0);  // not given: the checkpoint's
        QCOMPARE(info.optimizer.lr, 0.0);
        QCOMPARE(info.stages.size(), size_t(2));
        QCOMPARE(info.stages[0].from_step, int64_t(0));
        QCOMPARE(info.stages[0].objective.lambda_rec, 20.0);
        QCOMPARE(info.stages[0].lr, 1e-4);
        QCOMPARE(info.stages[1].from_step, int64_t(3));
        QCOMPARE(info.stages[1].objective.lambda_rec, 30.0);
        const auto card = QString::fromStdString(info.card());
        QVERIFY2(card.contains(QRegularExpression("from step 3: .*lambda_rec=30 ")), qPrintable(card));
        for (int step : {2, 4}) {  // record 2 is step 3 (λ rec 20), record 4 step 5 (λ rec 30)
            const auto& r = info.history[size_t(step)];
            const double lambda_rec = step < 3 ? 20 : 30;
            QVERIFY2(std::abs(r.total - (lambda_rec * r.term("reconstruction") + 20 * r.term("idempotence") + 2.5 * r.term("tightness"))) <
                         1e-4 * std::abs(r.total),
                     qPrintable(QString("step %1").arg(step + 1)));
        }
        auto after = second.model();
        const auto parameters_at_5 = state_of(after);
        const auto count = after->parameters().size();
        for (size_t i = 0; i < count; ++i) QVERIFY(torch::equal(parameters_at_3[i], parameters_at_5[i]));

        // A resume that changes nothing adds no stage; one that does appends to the record.
        o = tiny_options(m_dir.filePath("staged"), 6);
        o.resume = second.checkpoint_path();
        o.resume_changes.objective["lambda_rec"] = 30;
        Trainer third(o, data);
        third.run();
        QCOMPARE(load_checkpoint(third.checkpoint_path()).info.stages.size(), size_t(2));
        o.settings.steps = 7;
        o.resume = third.checkpoint_path();
        o.resume_changes.lr = 1e-4;
        Trainer fourth(o, data);
        fourth.run();
        const auto stages = load_checkpoint(fourth.checkpoint_path()).info.stages;
        QCOMPARE(stages.size(), size_t(3));
        QCOMPARE(stages[2].from_step, int64_t(6));
        QCOMPARE(stages[2].lr, 1e-4);
    }

    // --keep-checkpoints: every save (periodic and final) also stays as checkpoint-<step>.pt, resumable.
    void keptCheckpointsHoldEachSavedStep() {
        auto o = tiny_options(m_dir.filePath("kept"), 5);
        o.checkpoint_every = 2;
        o.keep_checkpoints = true;
        Trainer trainer(o, testing::synthetic_digits(80));
        trainer.run();
        for (int step : {2, 4, 5}) {
            const auto kept = m_dir.filePath(QString("kept/checkpoint-%1.pt").arg(step)).toStdString();
            QCOMPARE(load_checkpoint(kept).info.step, int64_t(step));
        }
        QVERIFY(!QFileInfo::exists(m_dir.filePath("kept/checkpoint-3.pt")));
        QCOMPARE(bytes_of(m_dir.filePath("kept/checkpoint-5.pt")), bytes_of(m_dir.filePath("kept/checkpoint.pt")));
    }

    void checkpointHoldsEverythingAndCsvHasEveryStep() {
        auto o = tiny_options(m_dir.filePath("full"), 4);
        o.noise = NoiseKind::Spectral;
        o.objective.lambda_tight = 3.0;
        Trainer trainer(o, testing::synthetic_digits(64));
        trainer.run();
        const auto loaded = load_checkpoint(trainer.checkpoint_path());
        QCOMPARE(loaded.info.format_version, kCheckpointFormatVersion);
        QCOMPARE(loaded.info.step, int64_t(4));
        QCOMPARE(loaded.info.model.width, 8);
        QCOMPARE(loaded.info.objective.lambda_tight, 3.0);
        QCOMPARE(loaded.info.train.batch, 16);
        QCOMPARE(int(loaded.info.noise), int(NoiseKind::Spectral));
        QVERIFY(loaded.info.spectral.defined());
        QCOMPARE(loaded.info.history.size(), size_t(4));
        QVERIFY(loaded.info.wall_time_s > 0);
        auto trained = trainer.model();
        auto reloaded = loaded.model;
        QVERIFY(torch::equal(trained->parameters()[0], reloaded->parameters()[0]));
        QFile csv(QString::fromStdString(trainer.csv_path()));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const auto lines = QString(csv.readAll()).trimmed().split('\n');
        QCOMPARE(lines.size(), 5);
        QCOMPARE(lines[0], QString("step,wall_s,total,reconstruction,idempotence,tightness"));
        QVERIFY(lines[4].startsWith("4,"));
        // The run folder's live record: the loss history reads back, status.json says how it ended, and
        // no temporary files are left behind.
        const auto records = read_loss_csv(trainer.csv_path());
        QCOMPARE(records.size(), size_t(4));
        QCOMPARE(records[3].step, int64_t(4));
        QVERIFY(std::abs(records[3].total - loaded.info.history[3].total) < 1e-6);
        const auto status = read_run_status(run_files(m_dir.filePath("full").toStdString()).status);
        QCOMPARE(QString::fromStdString(status.state), QString("completed"));
        QCOMPARE(status.step, int64_t(4));
        QCOMPARE(status.total_steps, int64_t(4));
        QCOMPARE(QDir(m_dir.filePath("full")).entryList(QDir::Files),
                 QStringList({"checkpoint.pt", "losses.csv", "status.json"}));
    }

    // bf16 autocast (--precision bf16) follows the float32 run over 6 steps, with every normalisation:
    // per-step losses within 2 %; weights on average within lr = 1e-4 of the float32 ones, none further
    // apart than 2 lr per step (Adam moves a weight by about lr per step, so a small gradient whose sign
    // rounding flips moves that weight the other way).
    void bf16AutocastMatchesFloat32_data() { testing::add_norm_rows(); }
    void bf16AutocastMatchesFloat32() {
        QFETCH(QString, norm);
        const auto data = testing::synthetic_digits(96);
        auto fp32_options = tiny_options(m_dir.filePath("fp32-" + norm), 6);
        fp32_options.model.norm = norm_from_string(norm.toStdString());
        Trainer fp32(fp32_options, data);
        fp32.run();
        auto bf16_options = fp32_options;
        bf16_options.out_dir = m_dir.filePath("bf16-" + norm).toStdString();
        bf16_options.precision = "bf16";
        Trainer bf16(bf16_options, data);
        bf16.run();
        QCOMPARE(bf16.info().step, int64_t(6));
        testing::verify_precision_gap(testing::precision_gap(fp32, bf16), 6, fp32_options.optimizer.lr);
        auto bad = tiny_options(m_dir.filePath("fp8"), 1);
        bad.precision = "fp8";
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, Trainer(bad, data));
    }

    // --precision auto: bf16 autocast exactly where this CPU computes bfloat16 in hardware (as
    // /proc/cpuinfo reports it), with the fast paths on; float32 otherwise, and on CUDA for now.
    void autoPrecisionIsBf16WhereTheCpuComputesIt() {
        std::ifstream cpuinfo("/proc/cpuinfo");
        const std::string text((std::istreambuf_iterator<char>(cpuinfo)), std::istreambuf_iterator<char>());
        const bool listed = text.find(" avx512_bf16") != std::string::npos || text.find(" amx_bf16") != std::string::npos;
        QCOMPARE(cpu_computes_bf16(), listed);
        const torch::Device cpu(torch::kCPU);
        QCOMPARE(resolve_precision("auto", cpu), std::string(listed ? "bf16" : "fp32"));
        QCOMPARE(resolve_precision("auto", torch::Device(torch::kCUDA)), std::string("fp32"));
        QCOMPARE(resolve_precision("fp32", cpu), std::string("fp32"));
        QCOMPARE(resolve_precision("bf16", cpu), std::string("bf16"));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, resolve_precision("fp8", cpu));
        set_fast_paths(false);  // the switch for every fast path also turns auto bf16 off
        QCOMPARE(resolve_precision("auto", cpu), std::string("fp32"));
        set_fast_paths(true);

        auto o = tiny_options(m_dir.filePath("auto"), 3);
        o.precision = "auto";
        Trainer trainer(o, testing::synthetic_digits(48));
        QCOMPARE(trainer.precision(), resolve_precision("auto", cpu));
        QCOMPARE(int(trainer.run().status), int(TrainStatus::Completed));
        for (const auto& r : trainer.info().history) QVERIFY(std::isfinite(r.total));
    }

    void malformedRunFilesNameTheFileAndLine() {
        const auto csv = m_dir.filePath("bad-losses.csv");
        testing::write(csv, "step,wall_s,total,reconstruction,idempotence,tightness\n1,0.1,2,3,4,5\n2,0.2,oops,3,4,5\n");
        try {
            read_loss_csv(csv.toStdString());
            QFAIL("accepted a malformed losses.csv");
        } catch (const DataError& e) {
            QVERIFY2(QString(e.what()).contains(csv) && QString(e.what()).contains("line 3"), e.what());
        }
        testing::write(csv, "something else\n");
        QVERIFY_THROWS_EXCEPTION(DataError, read_loss_csv(csv.toStdString()));
        const auto status = m_dir.filePath("status.json");
        testing::write(status, "{\"state\": 3}");
        QVERIFY_THROWS_EXCEPTION(DataError, read_run_status(status.toStdString()));
        QVERIFY_THROWS_EXCEPTION(DataError, read_run_status(m_dir.filePath("missing.json").toStdString()));
    }

    void nonFiniteLossStopsAndKeepsTheLastGoodCheckpoint() {
        const auto out = m_dir.filePath("nan");
        Trainer good(tiny_options(out, 2), testing::synthetic_digits(64));
        good.run();
        const auto checkpoint = QString::fromStdString(good.checkpoint_path());
        const auto before = bytes_of(checkpoint);

        auto poisoned = testing::synthetic_digits(64);
        poisoned.images.select(2, 3).select(2, 3).fill_(std::numeric_limits<float>::quiet_NaN());  // every image
        auto o = tiny_options(out, 10);
        o.resume = good.checkpoint_path();
        o.checkpoint_every = 1;
        Trainer bad(o, poisoned);
        const auto result = bad.run();
        QCOMPARE(int(result.status), int(TrainStatus::Diverged));
        const QString message = QString::fromStdString(result.message);
        QVERIFY2(message.contains("not finite at step 3"), qPrintable(message));
        QVERIFY2(message.contains("reconstruction = nan"), qPrintable(message));
        QVERIFY2(message.contains(checkpoint), qPrintable(message));
        QCOMPARE(bytes_of(checkpoint), before);
        QCOMPARE(load_checkpoint(good.checkpoint_path()).info.step, int64_t(2));
    }

    void cancelSavesWhereItStopped() {
        std::atomic<bool> cancel{false};
        TrainCallbacks callbacks;
        int previews = 0;
        callbacks.on_step = [&](const TrainProgress& p) {
            QVERIFY(p.losses.term("reconstruction") > 0);
            QCOMPARE(p.total_steps, int64_t(50));
            if (p.step == 3) cancel = true;
        };
        callbacks.on_preview = [&](int64_t, const Image8& samples, const Image8& refined) {
            // 64 samples of 28x28 as an 8x8 grid with a 2-pixel border.
            QCOMPARE(samples.width, 8 * 28 + 9 * 2);
            QCOMPARE(samples.height, samples.width);
            QCOMPARE(refined.width, samples.width);
            QCOMPARE(int(samples.pixels.size()), samples.width * samples.height * samples.channels);
            ++previews;
        };
        auto o = tiny_options(m_dir.filePath("cancel"), 50);
        o.preview_every = 2;
        Trainer trainer(o, testing::synthetic_digits(64));
        const auto result = trainer.run(callbacks, &cancel);
        QCOMPARE(int(result.status), int(TrainStatus::Cancelled));
        QCOMPARE(result.step, int64_t(3));
        QCOMPARE(previews, 1);
        QCOMPARE(load_checkpoint(trainer.checkpoint_path()).info.step, int64_t(3));
    }

    void badCheckpointsAreRefusedWithTheFileName() {
        auto expect = [](const QString& path, const QString& problem) {
            try {
                load_checkpoint(path.toStdString());
                QFAIL("accepted");
            } catch (const CheckpointError& e) {
                QVERIFY2(QString(e.what()).contains(path) && QString(e.what()).contains(problem), e.what());
            }
        };
        expect(m_dir.filePath("absent.pt"), "no such checkpoint");
        expect(m_dir.path(), "is a folder");
        const auto junk = m_dir.filePath("junk.pt");
        std::ofstream(junk.toStdString()) << "not a checkpoint at all";
        expect(junk, "not an IGN checkpoint");

        Trainer trainer(tiny_options(m_dir.filePath("trunc"), 1), testing::synthetic_digits(32));
        trainer.run();
        const auto whole = bytes_of(QString::fromStdString(trainer.checkpoint_path()));
        const auto truncated = m_dir.filePath("truncated.pt");
        for (double keep : {0.1, 0.5, 0.9, 0.999}) {
            QFile f(truncated);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(whole.left(int(whole.size() * keep)));
            f.close();
            expect(truncated, "");
        }
    }

    // A flipped bit inside the weights (the archive itself still reads) is refused.
    void aDamagedWeightIsCaughtByTheChecksum() {
        IgnNet model(testing::tiny_model());
        const float marker = 1234.5678f;
        {
            torch::NoGradGuard no_grad;
            model->parameters().front().fill_(marker);
        }
        CheckpointInfo info;
        info.model = testing::tiny_model();
        const auto path = m_dir.filePath("marked.pt");
        save_checkpoint(path.toStdString(), info, model, nullptr);
        QVERIFY(load_checkpoint(path.toStdString()).model);  // intact: loads
        auto bytes = bytes_of(path);
        const QByteArray pattern(reinterpret_cast<const char*>(&marker), sizeof marker);
        const auto at = bytes.indexOf(pattern + pattern);
        QVERIFY(at > 0);
        bytes[at + 1] = char(bytes[at + 1] ^ 0x10);
        const auto damaged = m_dir.filePath("damaged.pt");
        QFile f(damaged);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(bytes);
        f.close();
        try {
            load_checkpoint(damaged.toStdString());
            QFAIL("a damaged checkpoint was accepted");
        } catch (const CheckpointError& e) {
            // The zip record's CRC-32 catches it first; a file whose zip CRCs were recomputed (the corpus's
            // weights-flipped.pt) is caught by the checkpoint's own checksum.
            QVERIFY2(QString(e.what()).contains("damaged.pt") &&
                         (QString(e.what()).contains("checksum") || QString(e.what()).contains("CRC-32")),
                     e.what());
        }
    }

    void dataSmallerThanABatchIsRefused() {
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 Trainer(tiny_options(m_dir.filePath("small"), 1), testing::synthetic_digits(8)));
    }

    // A loss term added through the objective's list reaches every place that shows losses: the total, the
    // progress callback, losses.csv (read back), the checkpoint's history (format 3) and the card.
    void anAddedLossTermReachesEveryConsumer() {
        Trainer trainer(tiny_options(m_dir.filePath("added-term"), 3), testing::synthetic_digits(48));
        trainer.add_loss_term("brightness", 0.5, [](const StepOutputs& s) { return s.fz.mean(); });
        const std::vector<std::string> expected{"reconstruction", "idempotence", "tightness", "brightness"};
        std::vector<std::string> reported;
        TrainCallbacks callbacks;
        callbacks.on_step = [&](const TrainProgress& p) { reported = loss_term_names({p.losses}); };
        QCOMPARE(int(trainer.run(callbacks).status), int(TrainStatus::Completed));
        QVERIFY(reported == expected);
        const auto& r = trainer.info().history.back();
        const double sum = 20 * r.term("reconstruction") + 20 * r.term("idempotence") + 2.5 * r.term("tightness") +
                           0.5 * r.term("brightness");
        QVERIFY2(std::abs(r.total - sum) < 1e-5 * std::abs(r.total), qPrintable(QString("%1 vs %2").arg(r.total).arg(sum)));
        const auto loaded = load_checkpoint(trainer.checkpoint_path()).info;
        QCOMPARE(loaded.format_version, 3);
        QVERIFY(loss_term_names(loaded.history) == expected);
        QCOMPARE(loaded.history.back().term("brightness"), r.term("brightness"));
        QVERIFY(QString::fromStdString(loaded.card()).contains("brightness"));
        const auto csv = read_loss_csv(trainer.csv_path());
        QVERIFY(loss_term_names(csv) == expected);
        QVERIFY(std::abs(csv.back().term("brightness") - r.term("brightness")) < 1e-7);
    }

    // Options are read with nlohmann's defaulting macros: a field an older file lacks keeps its default, the
    // others load; an unknown enum name is an error naming it; the old key "a" of the clamp factor is read.
    void optionsFromOlderMetadataTakeDefaultsForMissingFields() {
        ModelOptions model = preset_options("dcgan64");
        model.width = 12;
        model.norm = Norm::Group;
        nlohmann::json j = model;
        QCOMPARE(QString::fromStdString(j.at("norm").get<std::string>()), QString("group"));
        j.erase("latent");
        const auto loaded = j.get<ModelOptions>();
        QCOMPARE(loaded.width, 12);
        QCOMPARE(loaded.image_size, 64);
        QVERIFY(loaded.norm == Norm::Group);
        QCOMPARE(loaded.latent, ModelOptions{}.latent);
        j["norm"] = "layer";
        try {
            (void)j.get<ModelOptions>();
            QFAIL("an unknown norm loaded");
        } catch (const std::invalid_argument& e) {
            QVERIFY2(QString(e.what()).contains("layer"), e.what());
        }
        nlohmann::json meta = {{"objective", {{"lambda_rec", 30.0}, {"a", 0.7}}},
                               {"stages", nlohmann::json::array({{{"from_step", 5}, {"objective", {{"a", 0.9}}}, {"lr", 2e-4}}})}};
        rename_legacy_keys(meta);
        const auto objective = meta.at("objective").get<ObjectiveOptions>();
        QCOMPARE(objective.tight_clamp_a, 0.7);
        QCOMPARE(objective.lambda_rec, 30.0);
        QCOMPARE(objective.lambda_idem, ObjectiveOptions{}.lambda_idem);
        const auto stages = meta.at("stages").get<std::vector<TrainingStage>>();
        QCOMPARE(stages.at(0).objective.tight_clamp_a, 0.9);
        QCOMPARE(stages.at(0).from_step, int64_t(5));
    }

    // The committed checkpoints of formats 1 (fashion) and 2 (digits, emoji) load with the original three
    // terms, each record's total their weighted sum under the run's objective of that step.
    void olderCheckpointFormatsKeepTheirLossHistory() {
        const QString models = qEnvironmentVariable("IGN_SOURCE_DIR") + "/models/";
        for (const auto& [name, format] : {std::pair{"fashion", 1}, {"digits", 2}, {"emoji", 2}}) {
            const auto info = load_checkpoint((models + name + ".pt").toStdString()).info;
            QCOMPARE(info.format_version, format);
            QVERIFY(!info.history.empty());
            QVERIFY(loss_term_names(info.history) == original_loss_term_names());
            const auto& last = info.history.back();
            const auto& o = info.objective;  // the last stage's objective
            const double sum = o.lambda_rec * last.term("reconstruction") + o.lambda_idem * last.term("idempotence") +
                               o.lambda_tight * last.term("tightness");
            QVERIFY2(std::abs(last.total - sum) < 1e-4 * std::abs(last.total),
                     qPrintable(QString("%1: %2 vs %3").arg(name).arg(last.total).arg(sum)));
        }
    }

    // A LibTorch failure inside a step (here: double-precision images against float32 weights) reaches the
    // user as one sentence: which step of which run, then LibTorch's first line, no C++ backtrace.
    void aLibTorchFailureInAStepSaysWhatWasBeingDone() {
        auto data = testing::synthetic_digits(32);
        data.images = data.images.to(torch::kDouble);
        auto o = tiny_options(m_dir.filePath("engine-error"), 2);
        o.model.norm = Norm::Group;
        Trainer trainer(o, data);
        try {
            trainer.run();
            QFAIL("a step on double images trained");
        } catch (const EngineError& e) {
            const QString message = e.what();
            for (const char* part : {"training step 1 failed", "mnist28 1x28x28 width 8", "norm group", "noise gaussian",
                                     "batch 16", "precision fp32", "device cpu", "expected scalar type"})
                QVERIFY2(message.contains(part), qPrintable(message));
            QVERIFY2(!message.contains("Exception raised from") && !message.contains('\n'), qPrintable(message));
            qInfo("%s", qPrintable(message));
        }
        QCOMPARE(QString::fromStdString(read_run_status(run_files(o.out_dir).status).state), QString("failed"));
    }
};

IGN_TEST_MAIN(TestTrainer)
#include "test_trainer.moc"
