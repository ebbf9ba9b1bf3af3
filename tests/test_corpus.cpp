// Every file of the committed corpus of malformed inputs (tests/corpus, written by make_corpus.py)
// goes through its reader: files named ok-* load; every other one is refused with the reader's own
// error naming the file. Nothing crashes, nothing allocates absurdly (the test runs under ASan in CI).
#include <QDirIterator>

#include "ign/checkpoint.h"
#include "ign/data.h"
#include "ign/image_io.h"
#include "ign/session.h"
#include "test_support.h"

using namespace ign;

namespace {

QStringList files_of(const QString& kind) {
    QStringList files;
    QDirIterator it(qEnvironmentVariable("IGN_SOURCE_DIR") + "/tests/corpus/" + kind, QDir::Files);
    while (it.hasNext()) files << it.next();
    files.sort();
    return files;
}

// Runs `read` on `path`; ok-* must succeed, the rest must throw `Error` naming the file.
template <typename Error, typename Read>
void expect(const QString& path, Read read) {
    const bool should_load = QFileInfo(path).fileName().startsWith("ok-");
    try {
        read(path.toStdString());
        QVERIFY2(should_load, qPrintable(path + ": accepted a malformed file"));
    } catch (const Error& e) {
        QVERIFY2(!should_load, qPrintable(path + ": refused a good file: " + e.what()));
        QVERIFY2(QString(e.what()).contains(QFileInfo(path).fileName()) || QString(e.what()).contains(QFileInfo(path).path()),
                 qPrintable(QString("message does not name the file: ") + e.what()));
    } catch (const std::exception& e) {
        QFAIL(qPrintable(path + ": unexpected error type: " + e.what()));
    }
}

}  // namespace

class TestCorpus : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

private slots:
    void initTestCase() { QVERIFY2(!qEnvironmentVariable("IGN_SOURCE_DIR").isEmpty(), "IGN_SOURCE_DIR must be set"); }

    void idxFiles() {
        const auto files = files_of("idx");
        QVERIFY(files.size() >= 30);
        for (const auto& f : files) {
            if (QFileInfo(f).fileName().contains("labels")) expect<DataError>(f, [](auto p) { read_idx_labels(p); });
            else expect<DataError>(f, [](auto p) { read_idx_images(p); });
        }
    }

    void digitsJsonFiles() {
        const auto files = files_of("json");
        QVERIFY(files.size() >= 15);
        const QString folder = m_dir.filePath("digits");
        QDir().mkpath(folder);
        QFile good(qEnvironmentVariable("IGN_SOURCE_DIR") + "/tests/corpus/json/ok-one-digit.json");
        QVERIFY(good.open(QIODevice::ReadOnly));
        const QByteArray one_digit = good.readAll();
        for (int d = 1; d <= 9; ++d) {
            QFile out(QString("%1/%2.json").arg(folder).arg(d));
            QVERIFY(out.open(QIODevice::WriteOnly));
            out.write(one_digit);
        }
        for (const auto& f : files) {
            QFile::remove(folder + "/0.json");
            QVERIFY(QFile::copy(f, folder + "/0.json"));
            const bool should_load = QFileInfo(f).fileName().startsWith("ok-");
            try {
                read_digits_json(folder.toStdString());
                QVERIFY2(should_load, qPrintable(f + ": accepted"));
            } catch (const DataError& e) {
                QVERIFY2(!should_load, qPrintable(f + ": refused: " + e.what()));
                QVERIFY2(QString(e.what()).contains("0.json"), e.what());
            } catch (const std::exception& e) {
                QFAIL(qPrintable(f + ": unexpected error type: " + e.what()));
            }
        }
    }

    void imageFiles() {
        const auto files = files_of("image");
        QVERIFY(files.size() >= 15);
        for (const auto& f : files) {
            expect<DataError>(f, [](auto p) { read_image_file(p); });
            expect<DataError>(f, [](auto p) { load_image(p, 3, 64); });
            expect<DataError>(f, [](auto p) { load_image(p, 1, 28); });
        }
    }

    void checkpointFiles() {
        const auto files = files_of("checkpoint");
        QVERIFY(files.size() >= 15);
        for (const auto& f : files) expect<CheckpointError>(f, [](auto p) { load_checkpoint(p); });
    }

    void foldersAndUnreadableFilesGiveClearErrors() {
        const auto dir = m_dir.path();
        const auto folder = dir.toStdString();
        QVERIFY_THROWS_EXCEPTION(DataError, read_idx_images(folder));
        QVERIFY_THROWS_EXCEPTION(DataError, read_image_file(folder));
        QVERIFY_THROWS_EXCEPTION(CheckpointError, load_checkpoint(folder));
        QVERIFY_THROWS_EXCEPTION(DataError, read_image_folder(m_dir.filePath("empty").toStdString(), 1, 28));
        if (geteuid() == 0) QSKIP("running as root: permissions do not make a file unreadable");
        const QString locked = m_dir.filePath("locked.png");
        QFile::copy(qEnvironmentVariable("IGN_SOURCE_DIR") + "/tests/corpus/image/ok-rgb.png", locked);
        QFile::setPermissions(locked, QFileDevice::Permissions());
        expect<DataError>(locked, [](auto p) { read_image_file(p); });
    }
};

IGN_TEST_MAIN(TestCorpus)
#include "test_corpus.moc"
