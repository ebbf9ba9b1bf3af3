#include "loss_plot.h"

#include <qcustomplot.h>

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSlider>
#include <QTimer>
#include <QToolTip>
#include <algorithm>
#include <cmath>

#include "ign/files.h"

namespace ign_ui {
namespace {

const char* kNames[LossPlot::kSeries] = {"total", "reconstruction", "idempotence", "tightness"};
const QColor kColors[LossPlot::kSeries] = {QColor(30, 30, 30), QColor(31, 119, 180), QColor(44, 160, 44),
                                            QColor(214, 39, 40)};

double percentile(std::vector<double> v, double q) {
    if (v.empty()) return 0;
    const size_t i = size_t(std::clamp(q, 0.0, 1.0) * double(v.size() - 1));
    std::nth_element(v.begin(), v.begin() + i, v.end());
    return v[i];
}

}  // namespace

LossPlot::LossPlot(QWidget* parent) : QWidget(parent), m_plot(new QCustomPlot(this)) {
    auto* controls = new QHBoxLayout;
    for (int s = 0; s < kSeries; ++s) {
        m_toggles[s] = new QCheckBox(kNames[s], this);
        m_toggles[s]->setChecked(true);
        m_toggles[s]->setStyleSheet(QString("color: %1").arg(kColors[s].name()));
        connect(m_toggles[s], &QCheckBox::toggled, this, [this, s](bool on) { setSeriesVisible(s, on); });
        controls->addWidget(m_toggles[s]);
    }
    controls->addSpacing(12);
    controls->addWidget(new QLabel("smoothing", this));
    m_smoothing_slider = new QSlider(Qt::Horizontal, this);
    m_smoothing_slider->setRange(0, 999);
    m_smoothing_slider->setValue(600);
    m_smoothing_slider->setMaximumWidth(140);
    m_smoothing_slider->setToolTip("bias-corrected exponential moving average weight (0 .. 0.999)");
    m_smoothing_label = new QLabel("0.600", this);
    connect(m_smoothing_slider, &QSlider::valueChanged, this, [this](int v) { setSmoothing(v / 1000.0); });
    controls->addWidget(m_smoothing_slider);
    controls->addWidget(m_smoothing_label);
    m_log = new QCheckBox("log y", this);
    m_log->setToolTip("logarithmic y axis (tightness, which is negative, is drawn as |tightness|)");
    connect(m_log, &QCheckBox::toggled, this, &LossPlot::setLogScale);
    controls->addWidget(m_log);
    m_axis = new QComboBox(this);
    m_axis->addItems({"x: step", "x: wall time (s)"});
    connect(m_axis, qOverload<int>(&QComboBox::currentIndexChanged), this, [this](int i) { setWallTimeAxis(i == 1); });
    controls->addWidget(m_axis);
    m_autoscale = new QCheckBox("autoscale", this);
    m_autoscale->setChecked(true);
    m_ignore_outliers = new QCheckBox("ignore outliers", this);
    m_ignore_outliers->setChecked(true);
    m_ignore_outliers->setToolTip("autoscale to the 2nd..98th percentile of the visible values");
    connect(m_autoscale, &QCheckBox::toggled, this, [this](bool on) { if (on) rescale(); });
    connect(m_ignore_outliers, &QCheckBox::toggled, this, &LossPlot::rescale);
    controls->addWidget(m_autoscale);
    controls->addWidget(m_ignore_outliers);
    controls->addStretch();

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(controls);
    layout->addWidget(m_plot, 1);

    m_plot->setMinimumHeight(200);
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_plot->xAxis->setLabel("step");
    m_plot->yAxis->setLabel("loss");
    m_plot->legend->setVisible(false);
    for (int s = 0; s < kSeries; ++s) {
        QColor faint = kColors[s];
        faint.setAlpha(50);
        m_raw[s] = m_plot->addGraph();
        m_raw[s]->setPen(QPen(faint, 1));
        m_raw[s]->setName(QString(kNames[s]) + " (raw)");
        m_raw[s]->removeFromLegend();
        m_smooth[s] = m_plot->addGraph();
        m_smooth[s]->setPen(QPen(kColors[s], 2));
        m_smooth[s]->setName(kNames[s]);
    }
    connect(m_plot, &QCustomPlot::mouseMove, this, &LossPlot::showTooltip);
    // User zoom or drag turns autoscale off, so the view stays where they put it.
    connect(m_plot, &QCustomPlot::mouseWheel, this, [this] { m_autoscale->setChecked(false); });
    connect(m_plot, &QCustomPlot::mousePress, this, [this] { m_autoscale->setChecked(false); });

    // Redraw at most ten times a second however fast steps arrive: the event loop stays responsive.
    m_replot_timer = new QTimer(this);
    m_replot_timer->setInterval(100);
    connect(m_replot_timer, &QTimer::timeout, this, [this] {
        if (!m_dirty || !isVisible()) return;  // a hidden plot is redrawn when shown (showEvent)
        m_dirty = false;
        if (m_autoscale->isChecked()) rescale();
        m_plot->replot(QCustomPlot::rpQueuedReplot);
    });
    m_replot_timer->start();
}

void LossPlot::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    if (m_autoscale->isChecked()) rescale();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

double LossPlot::key(const ign::LossRecord& r) const { return m_axis->currentIndex() == 1 ? r.wall_s : double(r.step); }

double LossPlot::value(const ign::LossRecord& r, int series) const {
    const double v[kSeries] = {r.total, r.reconstruction, r.idempotence, r.tightness};
    return m_log->isChecked() ? std::abs(v[series]) : v[series];
}

void LossPlot::clear() { setHistory({}); }

void LossPlot::setHistory(const std::vector<ign::LossRecord>& history) {
    m_history = history;
    rebuild();
}

void LossPlot::append(const ign::LossRecord& record) {
    m_history.push_back(record);
    const double k = key(record);
    for (int s = 0; s < kSeries; ++s) {
        const double v = value(record, s);
        if (!std::isfinite(v)) continue;
        m_raw[s]->addData(k, v);
        // Bias-corrected EMA, one step: the same arithmetic as smooth().
        m_ema[s] = m_ema[s] * m_smoothing + (1 - m_smoothing) * v;
        m_ema_weight_power[s] *= m_smoothing;
        const double debias = 1 - m_ema_weight_power[s];
        m_smooth[s]->addData(k, debias > 0 ? m_ema[s] / debias : v);
    }
    m_dirty = true;
}

std::vector<double> LossPlot::smooth(const std::vector<double>& values, double weight) {
    std::vector<double> out;
    double ema = 0, power = 1;
    for (const double v : values) {
        ema = ema * weight + (1 - weight) * v;
        power *= weight;
        out.push_back(1 - power > 0 ? ema / (1 - power) : v);
    }
    return out;
}

void LossPlot::rebuild() {
    for (int s = 0; s < kSeries; ++s) {
        QVector<double> keys, raw;
        std::vector<double> values;
        for (const auto& r : m_history) {
            const double v = value(r, s);
            if (!std::isfinite(v)) continue;
            keys.push_back(key(r));
            raw.push_back(v);
            values.push_back(v);
        }
        const auto smoothed = smooth(values, m_smoothing);
        m_raw[s]->setData(keys, raw, true);
        m_smooth[s]->setData(keys, QVector<double>(smoothed.begin(), smoothed.end()), true);
        m_smooth[s]->setName(m_log->isChecked() && s == 3 ? "|tightness|" : kNames[s]);
        // Restart the incremental EMA where the rebuilt series ends.
        double ema = 0, power = 1;
        for (const double v : values) {
            ema = ema * m_smoothing + (1 - m_smoothing) * v;
            power *= m_smoothing;
        }
        m_ema[s] = ema;
        m_ema_weight_power[s] = power;
    }
    m_plot->xAxis->setLabel(m_axis->currentIndex() == 1 ? "wall time (s)" : "step");
    rescale();
    m_plot->replot();
}

void LossPlot::rescale() {
    std::vector<double> ys;
    double x0 = 0, x1 = 1;
    bool any = false;
    for (int s = 0; s < kSeries; ++s) {
        if (!m_smooth[s]->visible()) continue;
        for (auto* graph : {m_raw[s], m_smooth[s]})
            for (auto it = graph->data()->constBegin(); it != graph->data()->constEnd(); ++it) {
                if (m_log->isChecked() && it->value <= 0) continue;
                ys.push_back(it->value);
                x0 = any ? std::min(x0, it->key) : it->key;
                x1 = any ? std::max(x1, it->key) : it->key;
                any = true;
            }
    }
    if (!any) return;
    const bool robust = m_ignore_outliers->isChecked() && ys.size() > 20;
    double lo = robust ? percentile(ys, 0.02) : *std::min_element(ys.begin(), ys.end());
    double hi = robust ? percentile(ys, 0.98) : *std::max_element(ys.begin(), ys.end());
    if (m_log->isChecked()) {
        lo = std::max(lo, 1e-8);
        m_plot->yAxis->setRange(lo / 1.3, std::max(hi * 1.3, lo * 10));
    } else {
        const double margin = std::max(1e-6, (hi - lo) * 0.08);
        m_plot->yAxis->setRange(lo - margin, hi + margin);
    }
    m_plot->xAxis->setRange(x0, std::max(x1, x0 + 1));
    m_dirty = true;
}

void LossPlot::setSmoothing(double weight) {
    m_smoothing = std::clamp(weight, 0.0, 0.999);
    m_smoothing_label->setText(QString::number(m_smoothing, 'f', 3));
    if (m_smoothing_slider->value() != int(std::lround(m_smoothing * 1000))) {
        QSignalBlocker block(m_smoothing_slider);
        m_smoothing_slider->setValue(int(std::lround(m_smoothing * 1000)));
    }
    rebuild();
}

void LossPlot::setLogScale(bool on) {
    if (m_log->isChecked() != on) {
        m_log->setChecked(on);  // re-enters through toggled
        return;
    }
    m_plot->yAxis->setScaleType(on ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
    if (on) m_plot->yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
    else m_plot->yAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
    rebuild();
}

void LossPlot::setWallTimeAxis(bool on) {
    if (m_axis->currentIndex() != (on ? 1 : 0)) {
        m_axis->setCurrentIndex(on ? 1 : 0);  // re-enters through currentIndexChanged
        return;
    }
    rebuild();
}

void LossPlot::setSeriesVisible(int series, bool visible) {
    if (m_toggles[series]->isChecked() != visible) m_toggles[series]->setChecked(visible);
    m_raw[series]->setVisible(visible);
    m_smooth[series]->setVisible(visible);
    if (m_autoscale->isChecked()) rescale();
    m_plot->replot();
}

int LossPlot::pointCount(int series) const { return m_raw[series]->dataCount(); }

void LossPlot::showTooltip(QMouseEvent* event) {
    if (m_history.empty()) return;
    const double x = m_plot->xAxis->pixelToCoord(event->pos().x());
    const auto nearest = std::min_element(m_history.begin(), m_history.end(), [&](const auto& a, const auto& b) {
        return std::abs(key(a) - x) < std::abs(key(b) - x);
    });
    const auto& r = *nearest;
    QToolTip::showText(event->globalPosition().toPoint(),
                       QString("step %1 (%2 s)\ntotal %3\nreconstruction %4\nidempotence %5\ntightness %6")
                           .arg(r.step)
                           .arg(r.wall_s, 0, 'f', 1)
                           .arg(r.total, 0, 'g', 6)
                           .arg(r.reconstruction, 0, 'g', 6)
                           .arg(r.idempotence, 0, 'g', 6)
                           .arg(r.tightness, 0, 'g', 6),
                       m_plot);
}

QString LossPlot::exportCsv(const QString& path) const {
    try {
        ign::write_loss_csv(path.toStdString(), m_history);
    } catch (const std::exception& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

QString LossPlot::exportPng(const QString& path, int width, int height) const {
    m_plot->legend->setVisible(true);
    const bool ok = m_plot->savePng(path, width, height);
    m_plot->legend->setVisible(false);
    m_plot->replot();
    return ok ? QString() : path + ": cannot write PNG (folder missing, not writable or disk full)";
}

}  // namespace ign_ui
