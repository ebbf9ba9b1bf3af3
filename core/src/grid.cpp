// Grids of images: pure tensor work, shared by the OpenCV and the headless image writers.
#include "ign/image_io.h"

namespace ign {

torch::Tensor make_grid(const torch::Tensor& batch, int columns, int padding, float pad_value) {
    TORCH_CHECK(batch.dim() == 4, "make_grid expects [N, C, H, W]");
    const int64_t n = batch.size(0), c = batch.size(1), h = batch.size(2), w = batch.size(3);
    columns = int(std::max<int64_t>(1, std::min<int64_t>(columns, n)));
    const int64_t rows = (n + columns - 1) / columns;
    auto grid = torch::full({c, rows * (h + padding) + padding, columns * (w + padding) + padding}, pad_value);
    for (int64_t i = 0; i < n; ++i) {
        const int64_t r = i / columns, col = i % columns;
        const int64_t top = padding + r * (h + padding), left = padding + col * (w + padding);
        grid.slice(1, top, top + h).slice(2, left, left + w).copy_(batch[i]);
    }
    return grid;
}

void save_grid(const torch::Tensor& batch, const std::string& path, int columns, int zoom) {
    save_image(make_grid(batch.detach().cpu(), columns), path, zoom);
}

// [C, H, W] in [-1, 1] -> 8-bit interleaved.
Image8 to_image8(const torch::Tensor& chw) {
    auto t = chw.detach().to(torch::kCPU, torch::kFloat32).clamp(-1, 1).add(1).mul(127.5).round().to(torch::kUInt8);
    t = t.permute({1, 2, 0}).contiguous();
    Image8 image;
    image.height = int(t.size(0));
    image.width = int(t.size(1));
    image.channels = int(t.size(2));
    image.pixels.assign(t.data_ptr<uint8_t>(), t.data_ptr<uint8_t>() + t.numel());
    return image;
}

}  // namespace ign
