#include "image_view.h"

#include <QPainter>

namespace ign_ui {

ImageView::ImageView(const QString& caption, QWidget* parent) : QWidget(parent), m_caption(caption) {
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void ImageView::setImage(const QImage& image) {
    m_image = image;
    update();
}

void ImageView::setCaption(const QString& caption) {
    m_caption = caption;
    update();
}

void ImageView::paintEvent(QPaintEvent*) {
    QPainter p(this);
    const int caption_height = m_caption.isEmpty() ? 0 : fontMetrics().height() + 4;
    const QRect area = rect().adjusted(2, 2, -2, -2 - caption_height);
    p.fillRect(rect(), palette().window());
    if (!m_image.isNull() && area.width() > 0 && area.height() > 0) {
        const QSize size = m_image.size().scaled(area.size(), Qt::KeepAspectRatio);
        const QRect target(area.x() + (area.width() - size.width()) / 2, area.y() + (area.height() - size.height()) / 2,
                           size.width(), size.height());
        p.setRenderHint(QPainter::SmoothPixmapTransform, false);
        p.drawImage(target, m_image);
        p.setPen(palette().mid().color());
        p.drawRect(target.adjusted(0, 0, -1, -1));
    } else {
        p.setPen(palette().mid().color());
        p.drawRect(area.adjusted(0, 0, -1, -1));
    }
    if (caption_height) {
        p.setPen(palette().text().color());
        p.drawText(QRect(0, height() - caption_height, width(), caption_height), Qt::AlignCenter, m_caption);
    }
}

}  // namespace ign_ui
