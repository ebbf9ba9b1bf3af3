#pragma once
// Shows one image scaled to fit, nearest-neighbour (28x28 model images stay crisp), with a caption.
#include <QImage>
#include <QWidget>

namespace ign_ui {

class ImageView : public QWidget {
    Q_OBJECT
public:
    explicit ImageView(const QString& caption = {}, QWidget* parent = nullptr);
    void setImage(const QImage& image);
    const QImage& image() const { return m_image; }
    void setCaption(const QString& caption);
    QString caption() const { return m_caption; }
    QSize sizeHint() const override { return {160, 180}; }
    QSize minimumSizeHint() const override { return {48, 64}; }

signals:
    void clicked();

protected:
    void paintEvent(QPaintEvent*) override;
    void mousePressEvent(QMouseEvent*) override { emit clicked(); }

private:
    QImage m_image;
    QString m_caption;
};

}  // namespace ign_ui
