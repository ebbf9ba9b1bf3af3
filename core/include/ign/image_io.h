#pragma once
// Image files <-> tensors through OpenCV. Tensors are [C, H, W] or [N, C, H, W] in [-1, 1].
#include <torch/torch.h>

#include <string>
#include <utility>
#include <vector>

#include "ign/session.h"

namespace ign {

// Any image OpenCV reads (PNG, JPEG, BMP, WebP ...), any size: resized (shorter side) and centre-cropped
// to size x size, converted to `channels` (transparency composited over white). Returns [1, C, size, size].
// Throws ign::DataError naming the file when it is missing or not an image.
torch::Tensor load_image(const std::string& path, int channels, int size);

// The same without resizing: [1, C, H, W] at the file's own size.
torch::Tensor load_image_native(const std::string& path, int channels);

// [C, H, W] in [-1, 1] -> 8-bit interleaved (the API's image type, session.h).
Image8 to_image8(const torch::Tensor& chw);

// Tiles a batch [N, C, H, W] into one image [C, H', W'] with `columns` per row and a light border.
torch::Tensor make_grid(const torch::Tensor& batch, int columns, int padding = 2, float pad_value = 1.0f);

// Writes [C, H, W] or [1, C, H, W] as an 8-bit PNG (values clamped to [-1, 1]), enlarged `zoom` times
// with nearest-neighbour so small images stay crisp. Throws std::runtime_error naming the file on failure.
void save_image(const torch::Tensor& image, const std::string& path, int zoom = 1);

// A report sheet: each section a title line over an image [C, H, W] (grids from make_grid), stacked
// vertically on white, enlarged `zoom` times. Throws std::runtime_error naming the file on failure.
void save_report(const std::string& path, const std::vector<std::pair<std::string, torch::Tensor>>& sections,
                 int zoom = 2);

// make_grid + save_image.
void save_grid(const torch::Tensor& batch, const std::string& path, int columns, int zoom = 1);

}  // namespace ign
