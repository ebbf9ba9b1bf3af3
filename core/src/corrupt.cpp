#include "ign/corrupt.h"
#include "ign/build_config.h"

#include <stdexcept>

#ifdef IGN_WITH_OPENCV
#include <opencv2/imgproc.hpp>
#endif

namespace ign {
namespace {

#ifdef IGN_WITH_OPENCV
// Sketch functions draw dark lines on light paper. Data with a dark background (MNIST) is inverted
// before and after, so the sketch keeps the data's polarity.
bool dark_background(const torch::Tensor& image) { return image.mean().item<double>() < 0.0; }

cv::Mat gray_u8(const torch::Tensor& image) {  // image: [C, H, W]
    auto g = image.mean(0).clamp(-1, 1).add(1).mul(127.5).round().to(torch::kUInt8).contiguous();
    return cv::Mat(int(g.size(0)), int(g.size(1)), CV_8UC1, g.data_ptr<uint8_t>()).clone();
}

torch::Tensor from_gray_u8(const cv::Mat& m, int64_t channels) {
    auto t = torch::from_blob(m.data, {m.rows, m.cols}, torch::kUInt8).to(torch::kFloat32).div(127.5).sub(1.0);
    return t.unsqueeze(0).expand({channels, m.rows, m.cols}).contiguous();
}

template <typename PerImage>
torch::Tensor map_images(const torch::Tensor& x, PerImage per_image) {
    auto cpu = x.detach().to(torch::kCPU, torch::kFloat32);
    std::vector<torch::Tensor> out;
    for (int64_t i = 0; i < cpu.size(0); ++i) {
        const auto image = cpu[i];
        const bool dark = dark_background(image);
        auto sketch = from_gray_u8(per_image(gray_u8(dark ? -image : image)), image.size(0));
        out.push_back(dark ? -sketch : sketch);
    }
    return torch::stack(out).to(x.device());
}

#endif

}  // namespace

std::string to_string(Corruption c) { return corruption_names().at(size_t(c)); }

Corruption corruption_from_string(const std::string& text) {
    const auto& names = corruption_names();
    for (size_t i = 0; i < names.size(); ++i)
        if (names[i] == text) return Corruption(i);
    if (text == "grayscale") return Corruption::Grayscale;  // the long name, accepted too
    throw std::invalid_argument("unknown corruption '" + text + "' (expected " + listed(names) + ")");
}

torch::Tensor add_gaussian_noise(const torch::Tensor& x, double sigma, at::Generator& generator) {
    auto n = at::normal(0.0, 1.0, x.sizes(), generator, torch::TensorOptions().dtype(torch::kFloat32));
    return x + sigma * n.to(x.device());
}

torch::Tensor to_grayscale(const torch::Tensor& x) { return x.mean(1, true).expand_as(x).contiguous(); }

#ifdef IGN_WITH_OPENCV
torch::Tensor sketch_dodge(const torch::Tensor& x) {
    return map_images(x, [](const cv::Mat& gray) {
        const double sigma = 3.5 * gray.cols / 64.0 < 1.0 ? 1.0 : 3.5 * gray.cols / 64.0;
        int k = int(std::lround(21.0 * gray.cols / 64.0)) | 1;  // odd kernel
        cv::Mat inverted = 255 - gray, blurred, dodge;
        cv::GaussianBlur(inverted, blurred, cv::Size(k, k), sigma);
        cv::Mat denominator = cv::max(255 - blurred, 1);  // a zero denominator saturates to white
        cv::divide(gray, denominator, dodge, 256.0);     // colour dodge
        return dodge;
    });
}

torch::Tensor sketch_edges(const torch::Tensor& x) {
    return map_images(x, [](const cv::Mat& gray) {
        cv::Mat smooth, edges;
        cv::GaussianBlur(gray, smooth, cv::Size(3, 3), 0.8);
        cv::Canny(smooth, edges, 50, 150);
        return cv::Mat(255 - edges);
    });
}

#else
// A headless build (no OpenCV) has the tensor corruptions only.
torch::Tensor sketch_dodge(const torch::Tensor&) {
    throw std::invalid_argument("the sketch corruption needs OpenCV, which this build (IGN_HEADLESS) does not have");
}
torch::Tensor sketch_edges(const torch::Tensor&) {
    throw std::invalid_argument("the edges corruption needs OpenCV, which this build (IGN_HEADLESS) does not have");
}
#endif

torch::Tensor occlude(const torch::Tensor& x, int patches, double fraction, at::Generator& generator) {
    auto out = x.clone();
    const int64_t h = x.size(2), w = x.size(3);
    const int64_t side = std::max<int64_t>(1, std::llround(fraction * std::min(h, w)));
    for (int64_t i = 0; i < x.size(0); ++i)
        for (int p = 0; p < patches; ++p) {
            const auto top = at::randint(0, h - side + 1, {1}, generator).item<int64_t>();
            const auto left = at::randint(0, w - side + 1, {1}, generator).item<int64_t>();
            out[i].slice(1, top, top + side).slice(2, left, left + side).fill_(0.0);
        }
    return out;
}

torch::Tensor corrupt(const torch::Tensor& x, Corruption kind, const CorruptionOptions& o, at::Generator& gen) {
    switch (kind) {
        case Corruption::Noise: return add_gaussian_noise(x, o.sigma, gen);
        case Corruption::Grayscale: return to_grayscale(x);
        case Corruption::SketchDodge: return sketch_dodge(x);
        case Corruption::SketchEdges: return sketch_edges(x);
        case Corruption::Occlude: return occlude(x, o.patches, o.patch_fraction, gen);
    }
    return x;
}

}  // namespace ign
