#include "ign/data.h"
#include "ign/image_io.h"
#include "test_support.h"

using namespace ign;
using namespace ign::testing;

namespace {

// Runs `fn`, expects a DataError whose message names `path` and contains `problem`.
template <typename Fn>
void expect_error(Fn fn, const QString& path, const QString& problem) {
    try {
        fn();
        QFAIL(qPrintable("no error for " + path));
    } catch (const DataError& e) {
        const QString message = e.what();
        QVERIFY2(message.contains(path), qPrintable(message));
        QVERIFY2(message.contains(problem, Qt::CaseInsensitive), qPrintable(message));
    }
}

std::string digits_json(int count, const std::string& value = "0.5") {
    std::string s = "{\"data\": [";
    for (int i = 0; i < count * 784; ++i) s += (i ? "," : "") + (i % 7 == 0 ? std::string("1") : value);
    return s + "]}";
}

}  // namespace

class TestData : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString path(const QString& name) { return m_dir.filePath(name); }

private slots:
    void idxReadsRawAndGzip_data() {
        QTest::addColumn<bool>("gzip");
        QTest::newRow("raw") << false;
        QTest::newRow("gzip") << true;
    }
    void idxReadsRawAndGzip() {
        QFETCH(bool, gzip);
        const auto images = path(gzip ? "a-images-idx3-ubyte.gz" : "a-images-idx3-ubyte");
        const auto labels = path(gzip ? "a-labels-idx1-ubyte.gz" : "a-labels-idx1-ubyte");
        write(images, idx_images(3, 28, 28), gzip);
        write(labels, idx_labels(3), gzip);
        const auto d = read_idx_pair(images.toStdString(), labels.toStdString());
        QCOMPARE(d.images.sizes().vec(), (std::vector<int64_t>{3, 1, 28, 28}));
        QCOMPARE(d.images.flatten()[0].item<float>(), -1.0f);   // byte 0 -> -1
        QCOMPARE(d.images.flatten()[255].item<float>(), 1.0f);  // byte 255 -> 1
        QCOMPARE(d.labels[2].item<int64_t>(), int64_t(2));
    }

    void idxErrorsNameTheFileAndTheProblem() {
        const auto bad = path("bad-images-idx3-ubyte");
        write(bad, std::string("\0\0\x08\x01", 4) + be32(3));
        expect_error([&] { read_idx_images(bad.toStdString()); }, bad, "wrong magic");
        write(bad, std::string("\0\0", 2));
        expect_error([&] { read_idx_images(bad.toStdString()); }, bad, "truncated");
        write(bad, std::string("\0\0\x08\x03", 4) + be32(3));
        expect_error([&] { read_idx_images(bad.toStdString()); }, bad, "truncated inside the header");
        write(bad, idx_images(3, 28, 28, 1000));
        expect_error([&] { read_idx_images(bad.toStdString()); }, bad, "truncated: the header promises 3 images");
        write(bad, idx_images(3, 28, 28) + "extra");
        expect_error([&] { read_idx_images(bad.toStdString()); }, bad, "counts do not match");
        // absurd dimensions in a tiny file: refused before any allocation of that size
        write(bad, idx_images(4000000, 4000, 4000, 10));
        expect_error([&] { read_idx_images(bad.toStdString()); }, bad, "absurd dimensions");
        write(bad, idx_images(1000000, 28, 28, 10));
        expect_error([&] { read_idx_images(bad.toStdString()); }, bad, "truncated");
        write(bad, std::string("\x1f\x8b\x08\x00garbage-after-gzip-header", 29));
        expect_error([&] { read_idx_images(bad.toStdString()); }, bad, "");
        expect_error([&] { read_idx_images(path("missing").toStdString()); }, path("missing"), "no such file");
        expect_error([&] { read_idx_images(m_dir.path().toStdString()); }, m_dir.path(), "is a folder");

        const auto images = path("m-images-idx3-ubyte"), labels = path("m-labels-idx1-ubyte");
        write(images, idx_images(3, 28, 28));
        write(labels, idx_labels(4));
        expect_error([&] { read_idx_pair(images.toStdString(), labels.toStdString()); }, labels, "counts do not match");
    }

    void digitsJsonReadsLabelsFromFileNames() {
        QDir(m_dir.path()).mkpath("digits");
        for (int d = 0; d < 10; ++d) write(path("digits/%1.json").arg(d), digits_json(d == 3 ? 2 : 1));
        const auto set = read_digits_json(path("digits").toStdString());
        QCOMPARE(set.size(), int64_t(11));
        QCOMPARE(set.images.sizes().vec(), (std::vector<int64_t>{11, 1, 28, 28}));
        QCOMPARE(set.images.flatten()[0].item<float>(), 1.0f);  // 1 -> 1
        QCOMPARE(set.images.flatten()[1].item<float>(), 0.0f);  // 0.5 -> 0
        QCOMPARE(set.labels.eq(3).sum().item<int64_t>(), int64_t(2));
    }

    void digitsJsonErrors() {
        QDir(m_dir.path()).mkpath("broken");
        for (int d = 0; d < 10; ++d) write(path("broken/%1.json").arg(d), digits_json(1));
        write(path("broken/4.json"), "{\"data\": [0, 1, ");
        expect_error([&] { read_digits_json(path("broken").toStdString()); }, path("broken/4.json"), "not valid JSON");
        write(path("broken/4.json"), "{\"data\": [0, 1, 0.5]}");
        expect_error([&] { read_digits_json(path("broken").toStdString()); }, path("broken/4.json"), "multiple of 784");
        write(path("broken/4.json"), digits_json(1, "7"));
        expect_error([&] { read_digits_json(path("broken").toStdString()); }, path("broken/4.json"), "in [0, 1]");
        QFile::remove(path("broken/4.json"));
        expect_error([&] { read_digits_json(path("broken").toStdString()); }, path("broken/4.json"), "cannot open");
    }

    void imageFolderResizesCropsAndConvertsChannels() {
        QDir(m_dir.path()).mkpath("images");
        // A wide colour image (red left half), a small gray JPEG and a file that is not an image.
        auto wide = torch::full({3, 40, 100}, -1.0f);
        wide[0].slice(1, 0, 50).fill_(1.0f);
        save_image(wide, path("images/a_wide.png").toStdString());
        save_image(torch::zeros({1, 10, 10}), path("images/b_small.jpg").toStdString());
        save_image(torch::zeros({3, 50, 30}), path("images/d_other.bmp").toStdString());
        save_image(torch::zeros({3, 30, 50}), path("images/e_other.webp").toStdString());
        write(path("images/c_fake.png"), "this is not a png");
        const auto set = read_image_folder(path("images").toStdString(), 3, 32);
        QCOMPARE(set.size(), int64_t(4));  // PNG, JPEG, BMP, WebP; the fake one is skipped with a warning
        QCOMPARE(set.images.sizes().vec(), (std::vector<int64_t>{4, 3, 32, 32}));
        // centre crop of the wide image: left part red, right part black
        QVERIFY(set.images[0][0][16][2].item<float>() > 0.9f);
        QVERIFY(set.images[0][0][16][30].item<float>() < -0.9f);
        const auto gray = read_image_folder(path("images").toStdString(), 1, 28);
        QCOMPARE(gray.images.sizes().vec(), (std::vector<int64_t>{4, 1, 28, 28}));

        expect_error([&] { load_image(path("images/c_fake.png").toStdString(), 1, 28); }, path("images/c_fake.png"),
                     "not an image");
        QDir(m_dir.path()).mkpath("empty");
        write(path("empty/readme.txt"), "hello");
        expect_error([&] { read_image_folder(path("empty").toStdString(), 1, 28); }, path("empty"), "no image");
    }

    void loadDatasetUsesTheSetsOwnTestSplit() {
        QDir(m_dir.path()).mkpath("fashion");
        write(path("fashion/train-images-idx3-ubyte.gz"), idx_images(20, 28, 28), true);
        write(path("fashion/train-labels-idx1-ubyte.gz"), idx_labels(20), true);
        write(path("fashion/t10k-images-idx3-ubyte.gz"), idx_images(5, 28, 28), true);
        write(path("fashion/t10k-labels-idx1-ubyte.gz"), idx_labels(5), true);
        const auto split = load_dataset(path("fashion").toStdString(), 1, 28);
        QCOMPARE(split.train.size(), int64_t(20));
        QCOMPARE(split.test.size(), int64_t(5));
        QVERIFY(split.test.has_labels());
        const auto colour = load_dataset(path("fashion").toStdString(), 3, 32);
        QCOMPARE(colour.train.images.sizes().vec(), (std::vector<int64_t>{20, 3, 32, 32}));
        expect_error([&] { load_dataset(path("nothing-here").toStdString(), 1, 28); }, path("nothing-here"),
                     "no such file");
    }

    void splitIsDeterministicAndDisjoint() {
        auto d = testing::synthetic_digits(95);
        d.images = torch::arange(95).to(torch::kFloat32).view({95, 1, 1, 1}).expand({95, 1, 28, 28}).contiguous();
        const auto a = split_every(d), b = split_every(d);
        QCOMPARE(a.test.size(), int64_t(9));
        QCOMPARE(a.train.size(), int64_t(86));
        QVERIFY(torch::equal(a.test.images, b.test.images));
        const auto test_ids = a.test.images.select(2, 0).select(2, 0).flatten();
        QCOMPARE(test_ids[0].item<float>(), 9.0f);
        QCOMPARE(test_ids[1].item<float>(), 19.0f);
        QVERIFY(torch::equal(a.test.labels, torch::full({9}, 9, torch::kInt64)));
    }
};

IGN_TEST_MAIN(TestData)
#include "test_data.moc"
