#pragma once
// Conversions between the engine's 8-bit images and QImage, and PNG export with metadata.
#include <QImage>
#include <QMap>
#include <QString>

#include "ign/session.h"

namespace ign_ui {

QImage to_qimage(const ign::Image8& image);
// RGB (or gray when every pixel is gray and `keep_gray`) 8-bit copy of any QImage.
ign::Image8 from_qimage(const QImage& image);
// Writes a PNG with `metadata` as text chunks (checkpoint, seed, k, step ...). Returns an empty string on
// success, else a message naming the file and the problem.
QString save_png(const QImage& image, const QString& path, const QMap<QString, QString>& metadata);
// Tiles images `columns` per row (through the engine, as the command line does).
QImage tile(const QList<QImage>& images, int columns);
// Nearest-neighbour enlargement, so 28x28 results stay crisp.
QImage enlarged(const QImage& image, int zoom);

}  // namespace ign_ui
