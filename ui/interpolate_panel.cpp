#include "interpolate_panel.h"

#include <QAction>
#include <QComboBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QMouseEvent>
#include <QPainter>
#include <QPushButton>
#include <QSlider>
#include <QSpinBox>
#include <QTabWidget>
#include <QTimer>
#include <QToolButton>

#include "actions.h"
#include "image_qt.h"
#include "image_view.h"
#include "latest_task.h"

namespace ign_ui {

// ------------------------------------------------------------------------------------------- XYPad
XYPad::XYPad(QWidget* parent) : QWidget(parent) {
    setMinimumSize(120, 120);
    setCursor(Qt::CrossCursor);
    setToolTip("drag to blend the four corner seeds");
}

void XYPad::setValue(const QPointF& value) {
    const QPointF clamped(std::clamp(value.x(), 0.0, 1.0), std::clamp(value.y(), 0.0, 1.0));
    if (clamped == m_value) return;
    m_value = clamped;
    update();
    emit valueChanged(m_value);
}

void XYPad::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QRectF r = QRectF(rect()).adjusted(4, 4, -4, -4);
    p.fillRect(r, palette().base());
    p.setPen(palette().mid().color());
    p.drawRect(r);
    const QPointF at(r.left() + m_value.x() * r.width(), r.top() + m_value.y() * r.height());
    p.drawLine(QPointF(at.x(), r.top()), QPointF(at.x(), r.bottom()));
    p.drawLine(QPointF(r.left(), at.y()), QPointF(r.right(), at.y()));
    p.setBrush(palette().highlight());
    p.drawEllipse(at, 6, 6);
}

void XYPad::mousePressEvent(QMouseEvent* event) { mouseMoveEvent(event); }

void XYPad::mouseMoveEvent(QMouseEvent* event) {
    const QRectF r = QRectF(rect()).adjusted(4, 4, -4, -4);
    setValue({(event->position().x() - r.left()) / r.width(), (event->position().y() - r.top()) / r.height()});
}

// -------------------------------------------------------------------------------- InterpolatePanel
InterpolatePanel::InterpolatePanel(QWidget* parent) : Panel(parent), m_task(new LatestTask("ign-interpolate", this)) {
    m_modes = new QTabWidget(this);
    m_modes->addTab(buildLineMode(), "Line: two anchors");
    m_modes->addTab(buildPlaneMode(), "Plane: four corners");
    buildActions();
    layOut();
    connect(m_modes, &QTabWidget::currentChanged, this, [this](int i) { i == 0 ? update1D() : update2D(); });
}

QWidget* InterpolatePanel::buildLineMode() {
    m_method = new QComboBox(this);
    m_method->addItems({"slerp", "lerp"});
    m_method->setToolTip("spherical interpolation keeps the noise's norm (Gaussian noise lives near a sphere)");
    connect(m_method, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] {
        update1D();
        update2D();
    });

    // Line mode.
    auto* line = new QWidget(this);
    auto* line_form = new QFormLayout;
    for (int i = 0; i < 2; ++i) {
        m_anchor_seed[i] = new QSpinBox(this);
        m_anchor_seed[i]->setRange(0, 2'000'000'000);
        m_anchor_seed[i]->setValue(i + 1);
        m_anchor_label[i] = new QLabel("seed", this);
        connect(m_anchor_seed[i], qOverload<int>(&QSpinBox::valueChanged), this, [this, i] {
            m_anchor_latent[i].reset();  // typing a seed replaces a sample sent from the Sample panel
            m_anchor_label[i]->setText("seed");
            update1D();
        });
        auto* row = new QHBoxLayout;
        row->addWidget(m_anchor_seed[i]);
        row->addWidget(m_anchor_label[i], 1);
        line_form->addRow(i == 0 ? "Anchor A" : "Anchor B", row);
    }
    m_frames = new QSpinBox(this);
    m_frames->setRange(2, 32);
    m_frames->setValue(10);
    connect(m_frames, qOverload<int>(&QSpinBox::valueChanged), this, &InterpolatePanel::update1D);
    line_form->addRow("Strip frames", m_frames);
    m_t = new QSlider(Qt::Horizontal, this);
    m_t->setRange(0, 1000);
    m_t->setValue(500);
    m_t->setToolTip("t: 0 is anchor A, 1 is anchor B");
    connect(m_t, &QSlider::valueChanged, this, &InterpolatePanel::update1D);
    line_form->addRow("t", m_t);
    m_output = new ImageView("f(z(t))", this);
    m_strip = new ImageView("strip: t = 0 … 1", this);
    auto* line_layout = new QVBoxLayout(line);
    auto* line_top = new QHBoxLayout;
    line_top->addLayout(line_form, 1);
    line_top->addWidget(m_output, 1);
    line_layout->addLayout(line_top, 3);
    line_layout->addWidget(m_strip, 1);
    return line;
}

QWidget* InterpolatePanel::buildPlaneMode() {
    auto* plane = new QWidget(this);
    auto* corners = new QGridLayout;
    const char* names[4] = {"top left", "top right", "bottom left", "bottom right"};
    for (int i = 0; i < 4; ++i) {
        m_corner_seed[i] = new QSpinBox(this);
        m_corner_seed[i]->setRange(0, 2'000'000'000);
        m_corner_seed[i]->setValue(i + 1);
        m_corner_seed[i]->setPrefix(QString(names[i]) + ": ");
        connect(m_corner_seed[i], qOverload<int>(&QSpinBox::valueChanged), this, &InterpolatePanel::update2D);
        corners->addWidget(m_corner_seed[i], i / 2, i % 2);
    }
    m_grid_n = new QSpinBox(this);
    m_grid_n->setRange(2, 12);
    m_grid_n->setValue(6);
    m_grid_n->setPrefix("grid ");
    connect(m_grid_n, qOverload<int>(&QSpinBox::valueChanged), this, &InterpolatePanel::update2D);
    corners->addWidget(m_grid_n, 2, 0);
    m_pad = new XYPad(this);
    connect(m_pad, &XYPad::valueChanged, this, &InterpolatePanel::update2D);
    m_output2d = new ImageView("f(z(x, y))", this);
    m_grid = new ImageView("grid over the four corners", this);
    auto* plane_layout = new QHBoxLayout(plane);
    auto* plane_left = new QVBoxLayout;
    plane_left->addLayout(corners);
    plane_left->addWidget(m_pad, 1);
    plane_layout->addLayout(plane_left, 1);
    plane_layout->addWidget(m_output2d, 1);
    plane_layout->addWidget(m_grid, 1);
    return plane;
}

void InterpolatePanel::buildActions() {
    m_play = make_action("interpolate.play", this);
    m_play->setCheckable(true);
    connect(m_play, &QAction::toggled, this, &InterpolatePanel::togglePlay);
    m_timer = new QTimer(this);
    m_timer->setInterval(40);
    connect(m_timer, &QTimer::timeout, this, [this] {
        if (m_modes->currentIndex() == 0) {
            int v = m_t->value() + 20 * m_play_direction;
            if (v >= 1000 || v <= 0) m_play_direction = -m_play_direction;
            m_t->setValue(std::clamp(v, 0, 1000));
        } else {  // a slow circle over the pad
            static double phase = 0;
            phase += 0.05;
            m_pad->setValue({0.5 + 0.45 * std::cos(phase), 0.5 + 0.45 * std::sin(phase)});
        }
    });
    auto* save_strip = make_action("interpolate.export_strip", this);
    auto* save_animation = make_action("interpolate.export_animation", this);
    m_export_actions = {save_strip, save_animation};
    connect(save_strip, &QAction::triggered, this, [this] {
        saveWithDialog("Export strip", "interpolation.png", "PNG (*.png)", [this](const QString& path) { return saveStrip(path); });
    });
    connect(save_animation, &QAction::triggered, this, [this] {
        saveWithDialog("Export animation", "interpolation.gif", "Animated GIF (*.gif);;Motion JPEG video (*.avi)",
                       [this](const QString& path) { return saveAnimation(path); });
    });
}

void InterpolatePanel::layOut() {
    auto* play = new QToolButton(this);
    play->setDefaultAction(m_play);
    play->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    auto* bottom = new QHBoxLayout;
    bottom->addWidget(new QLabel("Method", this));
    bottom->addWidget(m_method);
    bottom->addWidget(play);
    bottom->addStretch();
    for (auto* a : m_export_actions) {
        auto* b = new QToolButton(this);
        b->setDefaultAction(a);
        bottom->addWidget(b);
    }

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_modes, 1);
    layout->addLayout(bottom);
}

void InterpolatePanel::setModel(std::shared_ptr<ign::ModelSession> model) {
    m_model = std::move(model);
    m_anchor_latent = {};  // latents of another model do not fit
    for (auto* label : m_anchor_label) label->setText("seed");
    update1D();
    update2D();
}

bool InterpolatePanel::spherical() const { return m_method->currentText() == "slerp"; }

ign::Latent InterpolatePanel::LatentSource::resolve(const ign::ModelSession& model) const {
    return latent ? *latent : model.noise(1, seed)[0];
}

InterpolatePanel::LatentSource InterpolatePanel::anchor(int index) const {
    return {m_anchor_latent[index], uint64_t(m_anchor_seed[index]->value())};
}

InterpolatePanel::LatentSource InterpolatePanel::corner(int index) const {
    return {std::nullopt, uint64_t(m_corner_seed[index]->value())};
}

void InterpolatePanel::setAnchorSeeds(int a, int b) {
    m_anchor_seed[0]->setValue(a);
    m_anchor_seed[1]->setValue(b);
}

void InterpolatePanel::set2D(bool on) { m_modes->setCurrentIndex(on ? 1 : 0); }

void InterpolatePanel::setAnchorLatent(const ign::Latent& latent, int anchor, const QString& label) {
    if (anchor < 0 || anchor > 1) return;
    m_anchor_latent[anchor] = latent;
    m_anchor_label[anchor]->setText(label);
    m_modes->setCurrentIndex(0);
    update1D();
}

void InterpolatePanel::update1D() {
    if (!m_model || m_modes->currentIndex() != 0) return;
    const auto source_a = anchor(0), source_b = anchor(1);
    const int frames = m_frames->value();
    const double t = m_t->value() / 1000.0;
    const bool slerp = spherical();
    auto model = m_model;
    m_task->submit([this, model, source_a, source_b, frames, t, slerp]() -> LatestTask::Apply {
        const auto a = source_a.resolve(*model), b = source_b.resolve(*model);  // noise drawn off the GUI thread
        // The strip and the slider's frame go through f as one batch, as `ign interpolate` does.
        std::vector<ign::Latent> latents;
        for (int i = 0; i < frames; ++i) latents.push_back(model->blend(a, b, double(i) / (frames - 1), slerp));
        latents.push_back(model->blend(a, b, t, slerp));
        auto images = model->generate(latents);
        const auto current = images.back();
        images.pop_back();
        const auto strip = ign::tile_images(images, frames);
        return [this, current, strip, t] {
            m_output->setImage(to_qimage(current));
            m_output->setCaption(QString("f(z(t)), t = %1").arg(t, 0, 'f', 3));
            m_strip->setImage(to_qimage(strip));
        };
    });
}

void InterpolatePanel::update2D() {
    if (!m_model || m_modes->currentIndex() != 1) return;
    const std::array<LatentSource, 4> sources{corner(0), corner(1), corner(2), corner(3)};
    const int n = m_grid_n->value();
    const QPointF at = m_pad->value();
    const bool slerp = spherical();
    auto model = m_model;
    m_task->submit([this, model, sources, n, at, slerp]() -> LatestTask::Apply {
        const std::array<ign::Latent, 4> c{sources[0].resolve(*model), sources[1].resolve(*model),
                                           sources[2].resolve(*model), sources[3].resolve(*model)};
        std::vector<ign::Latent> latents;
        for (int r = 0; r < n; ++r)
            for (int col = 0; col < n; ++col)
                latents.push_back(model->blend2d(c[0], c[1], c[2], c[3], double(col) / (n - 1), double(r) / (n - 1), slerp));
        latents.push_back(model->blend2d(c[0], c[1], c[2], c[3], at.x(), at.y(), slerp));
        auto images = model->generate(latents);
        const auto current = images.back();
        images.pop_back();
        const auto grid = ign::tile_images(images, n);
        return [this, current, grid, at] {
            m_output2d->setImage(to_qimage(current));
            m_output2d->setCaption(QString("f(z(x, y)), x = %1, y = %2").arg(at.x(), 0, 'f', 2).arg(at.y(), 0, 'f', 2));
            m_grid->setImage(to_qimage(grid));
        };
    });
}

void InterpolatePanel::togglePlay(bool on) {
    m_play->setText(on ? "Stop &playing" : "&Play interpolation");
    on ? m_timer->start() : m_timer->stop();
}

QMap<QString, QString> InterpolatePanel::metadata() const {
    QMap<QString, QString> m;
    if (m_model) {
        m["checkpoint"] = QString::fromStdString(m_model->path());
        m["step"] = QString::number(m_model->summary().step);
    }
    m["method"] = m_method->currentText();
    if (m_modes->currentIndex() == 0) {
        m["seed"] = QString("%1,%2").arg(m_anchor_latent[0] ? m_anchor_label[0]->text() : QString::number(m_anchor_seed[0]->value()),
                                         m_anchor_latent[1] ? m_anchor_label[1]->text() : QString::number(m_anchor_seed[1]->value()));
        m["t"] = QString::number(m_t->value() / 1000.0);
    } else {
        m["seed"] = QString("%1,%2,%3,%4").arg(m_corner_seed[0]->value()).arg(m_corner_seed[1]->value())
                        .arg(m_corner_seed[2]->value()).arg(m_corner_seed[3]->value());
    }
    m["k"] = "1";
    return m;
}

QString InterpolatePanel::saveStrip(const QString& path) const {
    const QImage image = m_modes->currentIndex() == 0 ? m_strip->image() : m_grid->image();
    if (image.isNull()) return "nothing to export yet";
    return save_png(enlarged(image, 2), path, metadata());
}

QString InterpolatePanel::saveAnimation(const QString& path, int frames, double fps) const {
    if (!m_model) return "open a model first";
    try {
        std::vector<ign::Latent> latents;
        const bool slerp = spherical();
        if (m_modes->currentIndex() == 0) {
            const auto a = anchor(0).resolve(*m_model), b = anchor(1).resolve(*m_model);
            for (int i = 0; i < frames; ++i) {  // there and back, so the loop is seamless
                const double u = double(i) / frames * 2.0;
                latents.push_back(m_model->blend(a, b, u <= 1.0 ? u : 2.0 - u, slerp));
            }
        } else {
            const std::array<ign::Latent, 4> c{corner(0).resolve(*m_model), corner(1).resolve(*m_model),
                                               corner(2).resolve(*m_model), corner(3).resolve(*m_model)};
            for (int i = 0; i < frames; ++i) {
                const double phase = 2 * M_PI * i / frames;
                latents.push_back(m_model->blend2d(c[0], c[1], c[2], c[3], 0.5 + 0.45 * std::cos(phase),
                                                   0.5 + 0.45 * std::sin(phase), slerp));
            }
        }
        ign::write_animation(path.toStdString(), m_model->generate(latents), fps);
    } catch (const std::exception& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

}  // namespace ign_ui
