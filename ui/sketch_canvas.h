#pragma once
// A drawing canvas: brush and eraser with a size ([ and ] keys), undo / redo, clear, invert, and an
// image loaded onto it. Emits changed() while the user draws, so the projection can follow live.
#include <QImage>
#include <QWidget>
#include <vector>

namespace ign_ui {

class SketchCanvas : public QWidget {
    Q_OBJECT
public:
    static constexpr int kSize = 280;
    explicit SketchCanvas(QWidget* parent = nullptr);

    const QImage& image() const { return m_image; }
    // Shown as the model will see it: shorter side fitted, centre cropped.
    void setImage(const QImage& image);
    // A blank sheet in these colours (no undo step): used when a model with the other polarity opens.
    void resetSheet(const QColor& paper, const QColor& ink);
    void setEraser(bool on) { m_eraser = on; }
    bool eraser() const { return m_eraser; }
    void setBrushSize(int size);
    int brushSize() const { return m_brush; }
    QColor ink() const { return m_ink; }
    QColor paper() const { return m_paper; }
    bool canUndo() const { return !m_undo.empty(); }
    bool canRedo() const { return !m_redo.empty(); }
    // Image coordinates (0 .. kSize) -> widget coordinates, for tests that draw.
    QPoint toWidget(QPointF image_point) const;
    QSize sizeHint() const override { return {kSize + 8, kSize + 8}; }
    bool hasHeightForWidth() const override { return true; }
    int heightForWidth(int w) const override { return w; }

public slots:
    void undo();
    void redo();
    void clear();
    void invert();

signals:
    void changed();
    void brushSizeChanged(int size);
    void historyChanged();

protected:
    void paintEvent(QPaintEvent*) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;

private:
    QRectF target() const;
    QPointF toImage(QPointF widget_point) const;
    void pushUndo();
    void strokeTo(QPointF image_point);

    QImage m_image;
    QColor m_ink = Qt::white, m_paper = Qt::black;  // MNIST polarity: white strokes on black
    bool m_eraser = false, m_drawing = false;
    int m_brush = 18;
    QPointF m_last;
    std::vector<QImage> m_undo, m_redo;
};

}  // namespace ign_ui
