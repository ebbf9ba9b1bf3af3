#include "sketch_canvas.h"

#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>

namespace ign_ui {
namespace {
constexpr size_t kUndoLimit = 50;  // 50 strokes of a 280x280 RGB32 sheet: 16 MB
}

SketchCanvas::SketchCanvas(QWidget* parent) : QWidget(parent), m_image(kSize, kSize, QImage::Format_RGB32) {
    m_image.fill(m_paper);
    setFocusPolicy(Qt::StrongFocus);
    setCursor(Qt::CrossCursor);
    setMinimumSize(200, 200);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    setToolTip("draw with the left button; [ and ] change the brush size");
}

QRectF SketchCanvas::target() const {
    const int side = std::min(width(), height()) - 4;
    return QRectF((width() - side) / 2.0, (height() - side) / 2.0, side, side);
}

QPointF SketchCanvas::toImage(QPointF p) const {
    const QRectF t = target();
    return {(p.x() - t.left()) / t.width() * kSize, (p.y() - t.top()) / t.height() * kSize};
}

QPoint SketchCanvas::toWidget(QPointF p) const {
    const QRectF t = target();
    return QPointF(t.left() + p.x() / kSize * t.width(), t.top() + p.y() / kSize * t.height()).toPoint();
}

void SketchCanvas::setImage(const QImage& image) {
    if (image.isNull()) return;
    pushUndo();
    const QImage scaled = image.convertToFormat(QImage::Format_RGB32)
                              .scaled(kSize, kSize, Qt::KeepAspectRatioByExpanding, Qt::SmoothTransformation);
    m_image = scaled.copy((scaled.width() - kSize) / 2, (scaled.height() - kSize) / 2, kSize, kSize);
    // Ink and paper follow the picture: light strokes on a dark ground, or the other way round.
    const bool dark = qGray(m_image.scaled(1, 1, Qt::IgnoreAspectRatio, Qt::SmoothTransformation).pixel(0, 0)) < 128;
    m_paper = dark ? Qt::black : Qt::white;
    m_ink = dark ? Qt::white : Qt::black;
    update();
    emit changed();
}

void SketchCanvas::resetSheet(const QColor& paper, const QColor& ink) {
    m_paper = paper;
    m_ink = ink;
    m_image.fill(m_paper);
    update();
    emit changed();
}

void SketchCanvas::setBrushSize(int size) {
    size = std::clamp(size, 1, 120);
    if (size == m_brush) return;
    m_brush = size;
    emit brushSizeChanged(size);
}

void SketchCanvas::pushUndo() {
    m_undo.push_back(m_image);
    if (m_undo.size() > kUndoLimit) m_undo.erase(m_undo.begin());
    m_redo.clear();
    emit historyChanged();
}

void SketchCanvas::undo() {
    if (m_undo.empty()) return;
    m_redo.push_back(m_image);
    m_image = m_undo.back();
    m_undo.pop_back();
    update();
    emit historyChanged();
    emit changed();
}

void SketchCanvas::redo() {
    if (m_redo.empty()) return;
    m_undo.push_back(m_image);
    m_image = m_redo.back();
    m_redo.pop_back();
    update();
    emit historyChanged();
    emit changed();
}

void SketchCanvas::clear() {
    pushUndo();
    m_image.fill(m_paper);
    update();
    emit changed();
}

void SketchCanvas::invert() {
    pushUndo();
    m_image.invertPixels();
    std::swap(m_ink, m_paper);
    update();
    emit changed();
}

void SketchCanvas::strokeTo(QPointF p) {
    QPainter painter(&m_image);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(QPen(m_eraser ? m_paper : m_ink, m_brush, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
    painter.drawLine(m_last, p);
    m_last = p;
    update();
    emit changed();
}

void SketchCanvas::mousePressEvent(QMouseEvent* event) {
    if (event->button() != Qt::LeftButton) return;
    pushUndo();
    m_drawing = true;
    m_last = toImage(event->position());
    strokeTo(m_last + QPointF(0.01, 0.01));  // a click leaves a dot
}

void SketchCanvas::mouseMoveEvent(QMouseEvent* event) {
    if (m_drawing) strokeTo(toImage(event->position()));
}

void SketchCanvas::mouseReleaseEvent(QMouseEvent* event) {
    if (event->button() == Qt::LeftButton && m_drawing) {
        strokeTo(toImage(event->position()));
        m_drawing = false;
    }
}

void SketchCanvas::keyPressEvent(QKeyEvent* event) {
    if (event->key() == Qt::Key_BracketLeft) setBrushSize(m_brush - 2);
    else if (event->key() == Qt::Key_BracketRight) setBrushSize(m_brush + 2);
    else QWidget::keyPressEvent(event);
}

void SketchCanvas::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.fillRect(rect(), palette().window());
    p.setRenderHint(QPainter::SmoothPixmapTransform);
    p.drawImage(target(), m_image);
    p.setPen(palette().mid().color());
    p.drawRect(target().adjusted(0, 0, -1, -1));
}

}  // namespace ign_ui
