#include "ign/image_io.h"

#include <spdlog/spdlog.h>

#include <gif_lib.h>

#include <algorithm>
#include <filesystem>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include "ign/data.h"
#include "ign/files.h"
#include "ign/session.h"

namespace fs = std::filesystem;

namespace ign {
namespace {

// Reads an image as 8-bit RGB or gray with alpha composited over white.
cv::Mat read_as(const std::string& path, int channels) {
    std::error_code ec;
    if (!fs::exists(path, ec)) throw DataError(path + ": no such file");
    if (fs::is_directory(path, ec)) throw DataError(path + ": is a folder, expected an image file");
    cv::Mat raw;
    try {
        raw = cv::imread(path, cv::IMREAD_UNCHANGED);
    } catch (const cv::Exception& e) {
        throw DataError(path + ": not an image OpenCV can read (" + e.what() + ")");
    }
    if (raw.empty()) throw DataError(path + ": not an image OpenCV can read (PNG, JPEG, BMP, WebP, TIFF ...)");
    if (raw.depth() == CV_16U) raw.convertTo(raw, CV_8U, 1.0 / 257.0);
    else if (raw.depth() != CV_8U) raw.convertTo(raw, CV_8U, 255.0);
    cv::Mat bgr;
    if (raw.channels() == 4) {
        cv::Mat f;
        raw.convertTo(f, CV_32F, 1.0 / 255.0);
        std::vector<cv::Mat> planes;
        cv::split(f, planes);
        for (int c = 0; c < 3; ++c) planes[c] = planes[c].mul(planes[3]) + (1.0f - planes[3]);
        planes.resize(3);
        cv::merge(planes, f);
        f.convertTo(bgr, CV_8U, 255.0);
    } else if (raw.channels() == 1) {
        cv::cvtColor(raw, bgr, cv::COLOR_GRAY2BGR);
    } else if (raw.channels() == 3) {
        bgr = raw;
    } else {
        throw DataError(path + ": unsupported channel count " + std::to_string(raw.channels()));
    }
    cv::Mat out;
    cv::cvtColor(bgr, out, channels == 1 ? cv::COLOR_BGR2GRAY : cv::COLOR_BGR2RGB);
    return out;
}

cv::Mat resize_and_crop(const cv::Mat& image, int size) {
    const double scale = double(size) / std::min(image.rows, image.cols);
    const int w = std::max(size, int(std::lround(image.cols * scale)));
    const int h = std::max(size, int(std::lround(image.rows * scale)));
    cv::Mat resized;
    cv::resize(image, resized, cv::Size(w, h), 0, 0, scale < 1.0 ? cv::INTER_AREA : cv::INTER_CUBIC);
    const cv::Rect crop((w - size) / 2, (h - size) / 2, size, size);
    return resized(crop).clone();
}

// Writes an 8-bit BGR or gray image, creating the folder; the format follows the file's extension.
// Encoded in memory, then written atomically: a full disk never leaves a half-written image behind.
void write_bgr(const std::string& path, const cv::Mat& image) {
    const auto parent = fs::path(path).parent_path();
    std::error_code ec;
    if (!parent.empty()) fs::create_directories(parent, ec);
    std::vector<uchar> bytes;
    bool ok = false;
    try {
        ok = cv::imencode(fs::path(path).extension().string(), image, bytes);
    } catch (const cv::Exception& e) {
        throw std::runtime_error(path + ": cannot encode image (" + e.what() + ")");
    }
    if (!ok) throw std::runtime_error(path + ": cannot encode image (use .png, .jpg, .bmp or .webp)");
    write_file_atomically(path, std::string(bytes.begin(), bytes.end()));
}

torch::Tensor mat_to_tensor(const cv::Mat& m) {
    cv::Mat c = m.isContinuous() ? m : m.clone();
    auto t = torch::from_blob(c.data, {c.rows, c.cols, c.channels()}, torch::kUInt8).clone();
    return t.permute({2, 0, 1}).unsqueeze(0).to(torch::kFloat32).div_(127.5).sub_(1.0).contiguous();
}

}  // namespace

torch::Tensor load_image_native(const std::string& path, int channels) {
    if (channels != 1 && channels != 3) throw std::invalid_argument("channels must be 1 or 3");
    return mat_to_tensor(read_as(path, channels));
}

torch::Tensor load_image(const std::string& path, int channels, int size) {
    if (channels != 1 && channels != 3) throw std::invalid_argument("channels must be 1 or 3");
    return mat_to_tensor(resize_and_crop(read_as(path, channels), size));
}

Dataset read_image_folder(const std::string& folder, int channels, int size) {
    std::error_code ec;
    if (!fs::is_directory(folder, ec)) throw DataError(folder + ": not a folder");
    std::vector<std::string> files;
    for (const auto& entry : fs::directory_iterator(folder))
        if (entry.is_regular_file()) files.push_back(entry.path().string());
    std::sort(files.begin(), files.end());  // a stable order makes the split deterministic
    std::vector<torch::Tensor> images;
    int skipped = 0;
    for (const auto& file : files) {
        try {
            images.push_back(load_image(file, channels, size));
        } catch (const DataError& e) {
            ++skipped;
            spdlog::warn("skipping {}", e.what());
        }
    }
    if (images.empty()) throw DataError(folder + ": holds no image OpenCV can read");
    if (skipped) spdlog::warn("{}: skipped {} of {} files that are not readable images", folder, skipped, files.size());
    Dataset d;
    d.name = fs::path(folder).filename().string();
    d.images = torch::cat(images);
    return d;
}

void save_image(const torch::Tensor& image, const std::string& path, int zoom) {
    auto t = image.dim() == 4 ? image[0] : image;
    TORCH_CHECK(t.dim() == 3 && (t.size(0) == 1 || t.size(0) == 3), "save_image expects [C, H, W] with C = 1 or 3");
    t = t.detach().to(torch::kCPU, torch::kFloat32).clamp(-1.0, 1.0).add(1.0).mul(127.5).round().to(torch::kUInt8);
    t = t.permute({1, 2, 0}).contiguous();
    cv::Mat m(int(t.size(0)), int(t.size(1)), t.size(2) == 1 ? CV_8UC1 : CV_8UC3, t.data_ptr<uint8_t>());
    cv::Mat out;
    if (t.size(2) == 3) cv::cvtColor(m, out, cv::COLOR_RGB2BGR);
    else out = m.clone();
    if (zoom > 1) cv::resize(out, out, cv::Size(), zoom, zoom, cv::INTER_NEAREST);
    write_bgr(path, out);
}

void save_report(const std::string& path, const std::vector<std::pair<std::string, torch::Tensor>>& sections,
                 int zoom) {
    const int title_height = 28;
    std::vector<cv::Mat> parts;
    int width = 0;
    for (const auto& [title, image] : sections) {
        auto t = image.detach().cpu().clamp(-1, 1).add(1).mul(127.5).round().to(torch::kUInt8);
        if (t.size(0) == 1) t = t.expand({3, t.size(1), t.size(2)});
        t = t.permute({1, 2, 0}).contiguous();
        cv::Mat rgb(int(t.size(0)), int(t.size(1)), CV_8UC3, t.data_ptr<uint8_t>()), body;
        cv::resize(rgb, body, cv::Size(), zoom, zoom, cv::INTER_NEAREST);
        int baseline = 0;
        const auto text = cv::getTextSize(title, cv::FONT_HERSHEY_SIMPLEX, 0.55, 1, &baseline);
        cv::Mat header(title_height, std::max(body.cols, text.width + 12), CV_8UC3, cv::Scalar(255, 255, 255));
        cv::putText(header, title, cv::Point(6, 20), cv::FONT_HERSHEY_SIMPLEX, 0.55, cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
        parts.push_back(header);
        parts.push_back(body.clone());
        width = std::max({width, body.cols, header.cols});
    }
    for (auto& part : parts)
        if (part.cols < width)
            cv::copyMakeBorder(part, part, 0, 0, 0, width - part.cols, cv::BORDER_CONSTANT, cv::Scalar(255, 255, 255));
    cv::Mat sheet, bgr;
    cv::vconcat(parts, sheet);
    cv::cvtColor(sheet, bgr, cv::COLOR_RGB2BGR);
    write_bgr(path, bgr);
}

// ------------------------------------------------------------------------ 8-bit images (session.h)
namespace {

cv::Mat as_mat(const Image8& image) {
    if (image.channels != 1 && image.channels != 3)
        throw std::invalid_argument("images have 1 or 3 channels, not " + std::to_string(image.channels));
    if (image.pixels.size() != size_t(image.width) * image.height * image.channels)
        throw std::invalid_argument("image buffer does not match its size");
    return cv::Mat(image.height, image.width, image.channels == 1 ? CV_8UC1 : CV_8UC3,
                   const_cast<uint8_t*>(image.pixels.data()));
}

Image8 from_mat(const cv::Mat& m) {
    Image8 image;
    image.width = m.cols;
    image.height = m.rows;
    image.channels = m.channels();
    const cv::Mat c = m.isContinuous() ? m : m.clone();
    image.pixels.assign(c.data, c.data + c.total() * c.elemSize());
    return image;
}

cv::Mat to_bgr(const Image8& image) {
    cv::Mat bgr;
    cv::cvtColor(as_mat(image), bgr, image.channels == 1 ? cv::COLOR_GRAY2BGR : cv::COLOR_RGB2BGR);
    return bgr;
}

// Animated GIF through giflib: frames enlarged to ~256 px, each with its own colour table (gray
// frames: 256 grays; colour frames: giflib's median-cut quantiser), looping forever.
void write_gif(const std::string& path, const std::vector<Image8>& frames, double fps) {
    const int zoom = std::max(1, 256 / std::max(1, frames[0].width));
    const int w = frames[0].width * zoom, h = frames[0].height * zoom;
    int error = 0;
    GifFileType* gif = EGifOpenFileName(path.c_str(), false, &error);
    if (!gif) throw std::runtime_error(path + ": cannot write GIF (" + GifErrorString(error) + ")");
    auto fail = [&](const std::string& what) {
        EGifCloseFile(gif, &error);
        throw std::runtime_error(path + ": cannot write GIF (" + what + "; disk full or folder not writable?)");
    };
    EGifSetGifVersion(gif, true);
    if (EGifPutScreenDesc(gif, w, h, 8, 0, nullptr) == GIF_ERROR) fail("screen descriptor");
    const unsigned char loop[] = {1, 0, 0};  // NETSCAPE2.0: loop forever
    if (EGifPutExtensionLeader(gif, APPLICATION_EXT_FUNC_CODE) == GIF_ERROR ||
        EGifPutExtensionBlock(gif, 11, "NETSCAPE2.0") == GIF_ERROR || EGifPutExtensionBlock(gif, 3, loop) == GIF_ERROR ||
        EGifPutExtensionTrailer(gif) == GIF_ERROR)
        fail("loop extension");
    const int delay = std::max(2, int(std::lround(100.0 / std::max(0.1, fps))));  // hundredths of a second
    std::vector<GifByteType> indices(size_t(w) * h), r(indices.size()), g(indices.size()), b(indices.size());
    for (const auto& frame : frames) {
        cv::Mat m = as_mat(frame), big;
        cv::resize(m, big, cv::Size(w, h), 0, 0, cv::INTER_NEAREST);
        ColorMapObject* map = nullptr;
        if (big.channels() == 1) {
            map = GifMakeMapObject(256, nullptr);
            for (int i = 0; i < 256; ++i) map->Colors[i] = {GifByteType(i), GifByteType(i), GifByteType(i)};
            std::copy(big.data, big.data + indices.size(), indices.begin());
        } else {
            for (size_t i = 0; i < indices.size(); ++i) {
                r[i] = big.data[3 * i];
                g[i] = big.data[3 * i + 1];
                b[i] = big.data[3 * i + 2];
            }
            map = GifMakeMapObject(256, nullptr);
            int colours = 256;
            if (GifQuantizeBuffer(w, h, &colours, r.data(), g.data(), b.data(), indices.data(), map->Colors) == GIF_ERROR) {
                GifFreeMapObject(map);
                fail("colour quantisation");
            }
        }
        GraphicsControlBlock gcb{DISPOSAL_UNSPECIFIED, false, delay, NO_TRANSPARENT_COLOR};
        GifByteType extension[4];
        EGifGCBToExtension(&gcb, extension);
        const bool ok = EGifPutExtension(gif, GRAPHICS_EXT_FUNC_CODE, 4, extension) != GIF_ERROR &&
                        EGifPutImageDesc(gif, 0, 0, w, h, false, map) != GIF_ERROR;
        GifFreeMapObject(map);
        if (!ok) fail("frame header");
        for (int y = 0; y < h; ++y)
            if (EGifPutLine(gif, indices.data() + size_t(y) * w, w) == GIF_ERROR) fail("pixels");
    }
    if (EGifCloseFile(gif, &error) == GIF_ERROR)
        throw std::runtime_error(path + ": cannot finish GIF (" + GifErrorString(error) + ")");
}

}  // namespace

Image8 read_image_file(const std::string& path) { return from_mat(read_as(path, 3)); }

Image8 conform_image(const Image8& image, int channels, int size) {
    if (image.empty()) throw std::invalid_argument("empty image");
    cv::Mat m = resize_and_crop(as_mat(image), size), out;
    if (m.channels() == channels) out = m;
    else cv::cvtColor(m, out, channels == 1 ? cv::COLOR_RGB2GRAY : cv::COLOR_GRAY2RGB);
    return from_mat(out);
}

Image8 enlarge(const Image8& image, int zoom) {
    if (zoom <= 1) return image;
    cv::Mat out;
    cv::resize(as_mat(image), out, cv::Size(), zoom, zoom, cv::INTER_NEAREST);
    return from_mat(out);
}

Image8 tile_images(const std::vector<Image8>& images, int columns) {
    if (images.empty()) return {};
    const int w = images[0].width, h = images[0].height, pad = 2;
    columns = std::max(1, std::min<int>(columns, int(images.size())));
    const int rows = int((images.size() + columns - 1) / columns);
    const int channels = std::max_element(images.begin(), images.end(), [](auto& a, auto& b) {
                             return a.channels < b.channels;
                         })->channels;
    cv::Mat sheet(rows * (h + pad) + pad, columns * (w + pad) + pad, channels == 1 ? CV_8UC1 : CV_8UC3,
                  cv::Scalar::all(255));
    for (size_t i = 0; i < images.size(); ++i) {
        cv::Mat tile = as_mat(images[i]);
        if (tile.cols != w || tile.rows != h) throw std::invalid_argument("tile_images: images differ in size");
        if (tile.channels() != channels) cv::cvtColor(tile, tile, cv::COLOR_GRAY2RGB);
        const int r = int(i) / columns, c = int(i) % columns;
        tile.copyTo(sheet(cv::Rect(pad + c * (w + pad), pad + r * (h + pad), w, h)));
    }
    return from_mat(sheet);
}

void write_animation(const std::string& path, const std::vector<Image8>& frames, double fps) {
    if (frames.empty()) throw std::runtime_error(path + ": no frames to write");
    const auto ext = fs::path(path).extension().string();
    if (ext == ".gif") return write_gif(path, frames, fps);
    const int fourcc = ext == ".mp4" ? cv::VideoWriter::fourcc('m', 'p', '4', 'v') : cv::VideoWriter::fourcc('M', 'J', 'P', 'G');
    // Motion JPEG needs even sides and benefits from some size: enlarge small model images.
    const int zoom = std::max(1, 256 / std::max(1, frames[0].width));
    const cv::Size size(frames[0].width * zoom, frames[0].height * zoom);
    cv::VideoWriter writer;
    try {
        writer.open(path, fourcc, fps, size, true);
    } catch (const cv::Exception& e) {
        throw std::runtime_error(path + ": cannot write video (" + e.what() + ")");
    }
    if (!writer.isOpened())
        throw std::runtime_error(path + ": cannot write video (use .avi, .gif, or check the folder is writable)");
    for (const auto& frame : frames) {
        cv::Mat bgr = to_bgr(frame), big;
        cv::resize(bgr, big, size, 0, 0, cv::INTER_NEAREST);
        writer.write(big);
    }
    writer.release();
    std::error_code ec;
    if (fs::file_size(path, ec) == 0 || ec) throw std::runtime_error(path + ": video not written (disk full?)");
}

}  // namespace ign
