// Interrupted work loses nothing: a training process killed with SIGKILL at any moment (saves
// included) leaves a loadable checkpoint and resumes with its loss history intact; a full disk (a
// file-size limit, the unprivileged equivalent of a small tmpfs) during checkpoints and exports is
// reported, training goes on, and nothing already saved is damaged.
#include <QProcess>
#include <QRandomGenerator>
#include <csignal>

#include "ign/checkpoint.h"
#include "test_support.h"

using namespace ign;
using namespace ign::testing;

namespace {

QByteArray bytes_of(const QString& path) {
    QFile f(path);
    f.open(QIODevice::ReadOnly);
    return f.readAll();
}

// Runs ign under a file-size limit of `limit_kb` (bash ulimit -f; SIGXFSZ ignored so writes fail
// with EFBIG the way they fail with ENOSPC on a full disk); 0: no limit.
struct Result {
    int code = -1;
    QString err;
};
Result ign_limited(int limit_kb, const QStringList& args) {
    QProcess p;
    const QString limit = limit_kb > 0 ? QString::number(limit_kb) : "unlimited";
    QStringList wrapped{"-c", QString("trap '' XFSZ; ulimit -f %1; exec \"$0\" \"$@\"").arg(limit),
                        qEnvironmentVariable("IGN_BIN")};
    wrapped << args;
    p.start("bash", wrapped);
    p.waitForFinished(300000);
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardError()};
}

void expect_contiguous_history(const std::vector<LossRecord>& history, int64_t last_step) {
    QCOMPARE(int64_t(history.size()), last_step);
    for (size_t i = 0; i < history.size(); ++i) QCOMPARE(history[i].step, int64_t(i + 1));
}

}  // namespace

class TestRobustness : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_data;
    QString path(const QString& name) const { return m_dir.filePath(name); }
    QStringList train_args(const QString& out, int64_t steps, int checkpoint_every, const QString& log = "warn") const {
        return {"train", "--data", m_data, "--width", "8", "--latent", "16", "--batch", "16", "--steps",
                QString::number(steps), "--checkpoint-every", QString::number(checkpoint_every), "--preview-every", "0",
                "--threads", "1", "--out", out, "--log-level", log};
    }

private slots:
    void initTestCase() {
        QVERIFY2(!qEnvironmentVariable("IGN_BIN").isEmpty(), "IGN_BIN must point at the ign executable");
        m_data = path("blobs-idx3-ubyte");
        auto images = synthetic_digits(96).images;
        auto bytes = images.add(1).mul(127.5).round().clamp(0, 255).to(torch::kUInt8).contiguous();
        std::string s = std::string("\0\0\x08\x03", 4) + be32(96) + be32(28) + be32(28);
        s.append(reinterpret_cast<const char*>(bytes.data_ptr<uint8_t>()), size_t(bytes.numel()));
        write(m_data, s);
    }

    // SIGKILL at random moments of a run that saves every step: after every kill the checkpoint loads
    // (never half-written), its history runs 1..step without a gap, and the run resumes from it.
    void sigkillAtAnyMomentLeavesALoadableCheckpoint() {
        const QString out = path("killed"), checkpoint = out + "/checkpoint.pt";
        auto* rng = QRandomGenerator::global();
        int kills_with_checkpoint = 0;
        int64_t last_step = 0;
        std::vector<LossRecord> kept;
        for (int round = 0; round < 10; ++round) {
            QStringList args = train_args(out, 1000000, 1);
            if (QFileInfo(checkpoint).isFile()) args << "--resume" << checkpoint;
            QProcess p;
            p.start(qEnvironmentVariable("IGN_BIN"), args);
            QVERIFY(p.waitForStarted());
            QTest::qWait(int(900 + rng->bounded(900)));  // start-up is ~0.5 s; then a save every few ms
            ::kill(pid_t(p.processId()), SIGKILL);
            QVERIFY(p.waitForFinished(10000));
            QCOMPARE(p.exitStatus(), QProcess::CrashExit);
            if (!QFileInfo(checkpoint).isFile()) continue;
            ++kills_with_checkpoint;
            LoadedCheckpoint loaded;
            try {
                loaded = load_checkpoint(checkpoint.toStdString());
            } catch (const std::exception& e) {
                QFAIL(qPrintable(QString("round %1: checkpoint unreadable after SIGKILL: %2").arg(round).arg(e.what())));
            }
            QVERIFY(loaded.info.step >= last_step);  // never goes back
            expect_contiguous_history(loaded.info.history, loaded.info.step);
            // The history written before earlier kills is still there, value for value.
            for (size_t i = 0; i < kept.size(); ++i) QCOMPARE(loaded.info.history[i].total, kept[i].total);
            kept = loaded.info.history;
            last_step = loaded.info.step;
        }
        QVERIFY2(kills_with_checkpoint >= 8, "too few kills landed after the first checkpoint");
        QVERIFY2(last_step > 10, "the resumed runs made no progress");
        qInfo("10 SIGKILLs, %d with a checkpoint on disk, last step %lld", kills_with_checkpoint, (long long)last_step);
        // A last resume finishes normally, its history intact.
        QProcess p;
        p.start(qEnvironmentVariable("IGN_BIN"), train_args(out, last_step + 5, 0) << "--resume" << checkpoint);
        QVERIFY(p.waitForFinished(120000));
        QCOMPARE(p.exitCode(), 0);
        const auto final_run = load_checkpoint(checkpoint.toStdString());
        expect_contiguous_history(final_run.info.history, last_step + 5);
        for (size_t i = 0; i < kept.size(); ++i) QCOMPARE(final_run.info.history[i].total, kept[i].total);
    }

    // Checkpoints that no longer fit: each failed save is reported, training runs to its last step, and
    // the checkpoint saved before is byte for byte what it was.
    void fullDiskDuringCheckpointsIsReportedAndTrainingGoesOn() {
        const QString out = path("full"), checkpoint = out + "/checkpoint.pt";
        QCOMPARE(ign_limited(0, train_args(out, 4, 0)).code, 0);
        const QByteArray before = bytes_of(checkpoint), csv_before = bytes_of(out + "/losses.csv");
        const int limit_kb = int(before.size() / 1024 / 2);  // half a checkpoint fits
        const auto r = ign_limited(limit_kb, train_args(out, 12, 2, "info") << "--resume" << checkpoint);
        QVERIFY2(r.code == 3, qPrintable(QString("exit %1: %2").arg(r.code).arg(r.err)));  // the final save fails too
        QVERIFY2(r.err.contains("checkpoint at step 6 not saved, training continues"), qPrintable(r.err));
        QVERIFY2(r.err.contains("step 12/12"), qPrintable(r.err));  // training went on to the end
        QVERIFY2(r.err.contains("checkpoint.pt"), qPrintable(r.err));
        QCOMPARE(bytes_of(checkpoint), before);
        QCOMPARE(bytes_of(out + "/losses.csv"), csv_before);
        QCOMPARE(QDir(out).entryList({"*.tmp-*"}).size(), 0);  // no debris
        QCOMPARE(load_checkpoint(checkpoint.toStdString()).info.step, int64_t(4));
    }

    // An export that does not fit: an error naming the file, and the file already there is untouched.
    void fullDiskDuringExportKeepsTheOldFile() {
        const QString out = path("export"), checkpoint = out + "/checkpoint.pt";
        QCOMPARE(ign_limited(0, train_args(out, 2, 0)).code, 0);
        const QString grid = path("grid.png");
        QCOMPARE(ign_limited(0, {"sample", checkpoint, "-n", "4", "-o", grid}).code, 0);
        const QByteArray before = bytes_of(grid);
        const auto r = ign_limited(1, {"sample", checkpoint, "-n", "64", "--seed", "9", "-o", grid});
        QVERIFY2(r.code != 0 && r.err.contains("grid.png"), qPrintable(r.err));
        QCOMPARE(bytes_of(grid), before);
        const auto e = ign_limited(1, {"export", checkpoint, path("model.pt")});
        QVERIFY2(e.code != 0 && e.err.contains("model.pt"), qPrintable(e.err));
        QVERIFY(!QFileInfo(path("model.pt")).exists());
    }
};

IGN_TEST_MAIN(TestRobustness)
#include "test_robustness.moc"
