#include "image_qt.h"

#include <QFileInfo>
#include <QImageWriter>
#include <QSaveFile>

namespace ign_ui {

QImage to_qimage(const ign::Image8& image) {
    if (image.empty()) return {};
    const auto format = image.channels == 1 ? QImage::Format_Grayscale8 : QImage::Format_RGB888;
    QImage view(image.pixels.data(), image.width, image.height, image.width * image.channels, format);
    return view.copy();  // own the pixels
}

ign::Image8 from_qimage(const QImage& image) {
    const QImage rgb = image.convertToFormat(QImage::Format_RGB888);
    ign::Image8 out;
    out.width = rgb.width();
    out.height = rgb.height();
    out.channels = 3;
    out.pixels.resize(size_t(out.width) * out.height * 3);
    for (int y = 0; y < out.height; ++y)
        std::copy_n(rgb.constScanLine(y), out.width * 3, out.pixels.begin() + size_t(y) * out.width * 3);
    return out;
}

QString save_png(const QImage& image, const QString& path, const QMap<QString, QString>& metadata) {
    if (image.isNull()) return path + ": nothing to save";
    QImage tagged = image;
    for (auto it = metadata.begin(); it != metadata.end(); ++it) tagged.setText(it.key(), it.value());
    tagged.setText("Software", "IGN Studio");
    // Through a temporary file renamed on success: a full disk never damages an existing file.
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) return path + ": " + file.errorString();
    QImageWriter writer(&file, "png");
    if (!writer.write(tagged)) return path + ": " + writer.errorString();
    if (!file.commit()) return path + ": " + file.errorString() + " (disk full?)";
    return {};
}

QImage tile(const QList<QImage>& images, int columns) {
    std::vector<ign::Image8> parts;
    for (const auto& image : images) parts.push_back(from_qimage(image));
    return to_qimage(ign::tile_images(parts, columns));
}

QImage enlarged(const QImage& image, int zoom) {
    if (zoom <= 1 || image.isNull()) return image;
    return image.scaled(image.size() * zoom, Qt::IgnoreAspectRatio, Qt::FastTransformation);
}

}  // namespace ign_ui
