#pragma once
// Shared helpers for the Qt Test suites: small models, synthetic data and a main that sets up
// threads and BLAS the way the product does.
#include <QProcess>
#include <QtTest/QtTest>
#include <torch/torch.h>
#include <zlib.h>

#include <fstream>

#include "ign/data.h"
#include "ign/options.h"
#include "ign/system.h"

namespace ign::testing {

// A narrow mnist28-layout model that trains in milliseconds.
// A data-driven test's rows: one per normalisation the engine lists, in the column "norm".
inline void add_norm_rows() {
    QTest::addColumn<QString>("norm");
    for (const auto& norm : norm_names()) QTest::newRow(norm.c_str()) << QString::fromStdString(norm);
}

inline ModelOptions tiny_model(Norm norm = Norm::Batch) {
    ModelOptions o = preset_options("mnist28");
    o.width = 8;
    o.latent = 16;
    o.norm = norm;
    return o;
}

// A short run of tiny_model() into `out`: no periodic checkpoints or previews.
inline TrainOptions tiny_run(const std::string& out, int batch, int64_t steps, uint64_t seed, Norm norm = Norm::Batch) {
    TrainOptions o;
    o.model = tiny_model(norm);
    o.settings.batch = batch;
    o.settings.steps = steps;
    o.settings.seed = seed;
    o.out_dir = out;
    o.checkpoint_every = 0;
    o.preview_every = 0;
    o.precision = "fp32";  // tests compare runs exactly; bf16 (auto on some CPUs) has its own tests
    return o;
}

// Blobs on a dark background, [n, 1, 28, 28] in [-1, 1], labels 0..9.
inline Dataset synthetic_digits(int64_t n, uint64_t seed = 7) {
    torch::manual_seed(seed);
    auto ys = torch::linspace(-1, 1, 28).view({1, 1, 28, 1});
    auto xs = torch::linspace(-1, 1, 28).view({1, 1, 1, 28});
    auto cx = torch::rand({n, 1, 1, 1}) - 0.5, cy = torch::rand({n, 1, 1, 1}) - 0.5;
    auto r = 0.2 + 0.2 * torch::rand({n, 1, 1, 1});
    auto d2 = (xs - cx).pow(2) + (ys - cy).pow(2);
    Dataset d;
    d.name = "synthetic";
    d.images = (torch::exp(-d2 / (r * r)) * 2 - 1).contiguous();
    d.labels = torch::arange(n) % 10;
    return d;
}

// The same blobs at `size` x `size`, in colour when `channels` is 3 (each channel its own flip of them).
inline Dataset synthetic_images(int64_t n, int channels, int size, uint64_t seed = 7) {
    Dataset d = synthetic_digits(n, seed);
    auto x = size == 28 ? d.images : torch::upsample_bilinear2d(d.images, {size, size}, false);
    if (channels == 3) x = torch::cat({x, x.flip({3}), x.flip({2})}, 1);
    d.images = x.contiguous();
    return d;
}

// The `ign` executable (IGN_BIN) run with `args`: exit code (-1: crashed or timed out), stdout, stderr.
struct Run {
    int code = -1;
    QString out, err;
};

inline Run ign_cli(const QStringList& args, int timeout_ms = 300000) {
    QProcess p;
    p.start(qEnvironmentVariable("IGN_BIN"), args);
    if (!p.waitForFinished(timeout_ms)) {
        p.kill();
        return {};
    }
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(),
            p.readAllStandardError()};
}

// IDX files written byte by byte, for readers' tests.
inline std::string be32(uint32_t v) {
    return {char(v >> 24), char((v >> 16) & 255), char((v >> 8) & 255), char(v & 255)};
}

inline std::string idx_images(uint32_t n, uint32_t h, uint32_t w, int fill_bytes = -1) {
    std::string s = std::string("\0\0\x08\x03", 4) + be32(n) + be32(h) + be32(w);
    const size_t body = fill_bytes < 0 ? size_t(n) * h * w : size_t(fill_bytes);
    for (size_t i = 0; i < body; ++i) s.push_back(char(i % 256));
    return s;
}

inline std::string idx_labels(uint32_t n) {
    std::string s = std::string("\0\0\x08\x01", 4) + be32(n);
    for (uint32_t i = 0; i < n; ++i) s.push_back(char(i % 10));
    return s;
}

inline void write(const QString& path, const std::string& bytes, bool gzip = false) {
    if (gzip) {
        gzFile f = gzopen(path.toStdString().c_str(), "wb");
        gzwrite(f, bytes.data(), unsigned(bytes.size()));
        gzclose(f);
    } else {
        std::ofstream(path.toStdString(), std::ios::binary).write(bytes.data(), std::streamsize(bytes.size()));
    }
}

}  // namespace ign::testing

// Every suite starts from one seed (IGN_TEST_SEED, default 0), so a failure reruns exactly.
#define IGN_TEST_MAIN(TestClass)                                                        \
    int main(int argc, char** argv) {                                                   \
        ign::ensure_blas_core_type(argc, argv);                                         \
        ign::configure_threads(0);                                                      \
        torch::manual_seed(qEnvironmentVariableIsSet("IGN_TEST_SEED") ? qEnvironmentVariableIntValue("IGN_TEST_SEED") : 0); \
        TestClass test;                                                                 \
        QTEST_SET_MAIN_SOURCE_PATH                       \
        return QTest::qExec(&test, argc, argv);          \
    }
