// Image files in a headless build (IGN_HEADLESS: LibTorch without OpenCV, for GPU servers): PNGs are
// written with zlib alone; reading images needs OpenCV and says so, naming the file.
#include <zlib.h>

#include <cstring>

#include "ign/data.h"
#include "ign/files.h"
#include "ign/image_io.h"

namespace ign {
namespace {

std::string without_opencv(const std::string& path) {
    return path + ": this build (IGN_HEADLESS) has no OpenCV to read images; use IDX or digits JSON data, or a full build";
}

void put_be32(std::string& out, uint32_t v) {
    for (int shift : {24, 16, 8, 0}) out.push_back(char((v >> shift) & 255));
}

void put_chunk(std::string& png, const char* type, const std::string& data) {
    put_be32(png, uint32_t(data.size()));
    const std::string typed = std::string(type, 4) + data;
    png += typed;
    put_be32(png, uint32_t(crc32(0, reinterpret_cast<const Bytef*>(typed.data()), uInt(typed.size()))));
}

// 8-bit gray or RGB pixels [H, W, C] -> a PNG file (filter 0 on every row, zlib level 6).
std::string encode_png(const uint8_t* pixels, int height, int width, int channels) {
    std::string rows;
    rows.reserve(size_t(height) * (size_t(width) * channels + 1));
    for (int y = 0; y < height; ++y) {
        rows.push_back('\0');
        rows.append(reinterpret_cast<const char*>(pixels) + size_t(y) * width * channels, size_t(width) * channels);
    }
    uLongf size = compressBound(uLong(rows.size()));
    std::string compressed(size, '\0');
    if (compress2(reinterpret_cast<Bytef*>(compressed.data()), &size, reinterpret_cast<const Bytef*>(rows.data()),
                  uLong(rows.size()), 6) != Z_OK)
        throw std::runtime_error("zlib could not compress the image");
    compressed.resize(size);
    std::string header;
    put_be32(header, uint32_t(width));
    put_be32(header, uint32_t(height));
    header += std::string{char(8), char(channels == 1 ? 0 : 2), 0, 0, 0};  // depth 8, gray or RGB
    std::string png("\x89PNG\r\n\x1a\n", 8);
    put_chunk(png, "IHDR", header);
    put_chunk(png, "IDAT", compressed);
    put_chunk(png, "IEND", "");
    return png;
}

}  // namespace

torch::Tensor load_image(const std::string& path, int, int) { throw DataError(without_opencv(path)); }
torch::Tensor load_image_native(const std::string& path, int) { throw DataError(without_opencv(path)); }
Dataset read_image_folder(const std::string& folder, int, int) { throw DataError(without_opencv(folder)); }

void save_image(const torch::Tensor& image, const std::string& path, int zoom) {
    auto t = image.dim() == 4 ? image[0] : image;
    TORCH_CHECK(t.dim() == 3 && (t.size(0) == 1 || t.size(0) == 3), "save_image expects [C, H, W] with C = 1 or 3");
    t = t.detach().to(torch::kCPU, torch::kFloat32).clamp(-1.0, 1.0).add(1.0).mul(127.5).round().to(torch::kUInt8);
    if (zoom > 1) t = t.repeat_interleave(zoom, 1).repeat_interleave(zoom, 2);  // nearest neighbour
    t = t.permute({1, 2, 0}).contiguous();
    std::string png;
    try {
        png = encode_png(t.data_ptr<uint8_t>(), int(t.size(0)), int(t.size(1)), int(t.size(2)));
    } catch (const std::exception& e) {
        throw std::runtime_error(path + ": " + e.what());
    }
    write_file_atomically(path, png);  // its errors name the file
}

void save_report(const std::string& path, const std::vector<std::pair<std::string, torch::Tensor>>&, int) {
    throw std::runtime_error(path + ": report sheets need OpenCV (for their titles), which this build (IGN_HEADLESS) has not");
}

}  // namespace ign
