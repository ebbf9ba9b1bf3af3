#pragma once
// Interpolate panel: two anchors (seeds or samples sent from the Sample panel), lerp or slerp, a slider
// t with live output and a strip of N frames; a 2-D mode with four corner seeds and an x/y pad; play;
// export the strip as PNG and the animation as GIF or video.
#include <QMap>
#include <QPointF>
#include <QWidget>
#include <array>
#include <memory>
#include <optional>

#include "ign/session.h"
#include "panel.h"

class QSpinBox;
class QComboBox;
class QSlider;
class QLabel;
class QTabWidget;
class QTimer;
class QAction;

namespace ign_ui {

class ImageView;
class LatestTask;

// A square pad: click or drag to choose (x, y) in [0, 1]^2.
class XYPad : public QWidget {
    Q_OBJECT
public:
    explicit XYPad(QWidget* parent = nullptr);
    QPointF value() const { return m_value; }
    void setValue(const QPointF& value);
    QSize sizeHint() const override { return {160, 160}; }

signals:
    void valueChanged(const QPointF& value);

protected:
    void paintEvent(QPaintEvent*) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;

private:
    QPointF m_value{0.5, 0.5};
};

class InterpolatePanel : public Panel {
    Q_OBJECT
public:
    explicit InterpolatePanel(QWidget* parent = nullptr);
    QString name() const override { return "interpolate"; }
    QString title() const override { return "&Interpolate"; }
    void setModel(std::shared_ptr<ign::ModelSession> model) override;
    QList<QAction*> menuActions() const override { return QList<QAction*>{m_play} + m_export_actions; }
    QList<QAction*> toolbarActions() const override { return {m_play}; }
    QString saveCurrent(const QString& path) const override { return saveStrip(path); }

    QAction* playAction() const { return m_play; }
    QList<QAction*> exportActions() const { return m_export_actions; }
    QSlider* slider() const { return m_t; }
    XYPad* pad() const { return m_pad; }
    ImageView* output() const { return m_output; }
    ImageView* strip() const { return m_strip; }
    ImageView* output2d() const { return m_output2d; }
    LatestTask* task() const { return m_task; }
    void setAnchorSeeds(int a, int b);
    void set2D(bool on);

    QMap<QString, QString> metadata() const;
    QString saveStrip(const QString& path) const;
    QString saveAnimation(const QString& path, int frames = 48, double fps = 16) const;

public slots:
    // A latent sent from the Sample panel becomes anchor 0 (A) or 1 (B).
    void setAnchorLatent(const ign::Latent& latent, int anchor, const QString& label);
    void update1D();
    void update2D();
    void togglePlay(bool on);

private:
    QWidget* buildLineMode();
    QWidget* buildPlaneMode();
    void buildActions();
    void layOut();
    // A latent given (a sample sent from the Sample panel) or a seed to draw it from; resolved in the
    // worker, so no noise is drawn on the GUI thread while a slider moves.
    struct LatentSource {
        std::optional<ign::Latent> latent;
        uint64_t seed = 0;
        ign::Latent resolve(const ign::ModelSession& model) const;
    };
    LatentSource anchor(int index) const;
    LatentSource corner(int index) const;
    bool spherical() const;

    std::shared_ptr<ign::ModelSession> m_model;
    QTabWidget* m_modes;
    std::array<QSpinBox*, 2> m_anchor_seed{};
    std::array<QLabel*, 2> m_anchor_label{};
    std::array<std::optional<ign::Latent>, 2> m_anchor_latent;
    std::array<QSpinBox*, 4> m_corner_seed{};
    QComboBox* m_method;
    QSpinBox *m_frames, *m_grid_n;
    QSlider* m_t;
    XYPad* m_pad;
    ImageView *m_output, *m_strip, *m_output2d, *m_grid;
    QAction* m_play;
    QList<QAction*> m_export_actions;
    QTimer* m_timer;
    int m_play_direction = 1;
    LatestTask* m_task;
};

}  // namespace ign_ui
