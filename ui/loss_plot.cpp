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
#include <iterator>

#include "ign/files.h"

namespace ign_ui {
namespace {

// The total in near-black, then the terms in the order of matplotlib's tab10 (the original three keep
// the colours they always had).
QColor series_color(size_t index) {
    static const QColor colors[] = {QColor(30, 30, 30),   QColor(31, 119, 180), QColor(44, 160, 44),
                                    QColor(214, 39, 40),  QColor(148, 103, 189), QColor(255, 127, 14),
                                    QColor(140, 86, 75),  QColor(227, 119, 194), QColor(127, 127, 127),
                                    QColor(188, 189, 34), QColor(23, 190, 207)};
    return colors[index % std::size(colors)];
}

double percentile(std::vector<double> v, double q) {
    if (v.empty()) return 0;
    const size_t i = size_t(std::clamp(q, 0.0, 1.0) * double(v.size() - 1));
    std::nth_element(v.begin(), v.begin() + i, v.end());
    return v[i];
}

}  // namespace

LossPlot::LossPlot(QWidget* parent) : QWidget(parent), m_plot(new QCustomPlot(this)) {
    auto* controls = new QHBoxLayout;
    m_toggle_row = new QHBoxLayout;
    controls->addLayout(m_toggle_row);
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
    setSeriesFor(ign::original_loss_term_names());
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

double LossPlot::value(const ign::LossRecord& r, const Series& series) const {
    const double v = series.term.empty() ? r.total : r.term(series.term);
    return m_log->isChecked() ? std::abs(v) : v;
}

void LossPlot::setSeriesFor(const std::vector<std::string>& term_names) {
    std::vector<std::string> names{""};
    names.insert(names.end(), term_names.begin(), term_names.end());
    if (names.size() == m_series.size() &&
        std::equal(names.begin(), names.end(), m_series.begin(), [](const auto& n, const auto& s) { return n == s.term; }))
        return;
    for (auto& series : m_series) {
        m_plot->removeGraph(series.raw);
        m_plot->removeGraph(series.smooth);
        delete series.toggle;
    }
    m_series.clear();
    for (size_t i = 0; i < names.size(); ++i) {
        Series series;
        series.term = names[i];
        const QString label = names[i].empty() ? "total" : QString::fromStdString(names[i]);
        const QColor color = series_color(i);
        QColor faint = color;
        faint.setAlpha(50);
        series.raw = m_plot->addGraph();
        series.raw->setPen(QPen(faint, 1));
        series.raw->setName(label + " (raw)");
        series.raw->removeFromLegend();
        series.smooth = m_plot->addGraph();
        series.smooth->setPen(QPen(color, 2));
        series.smooth->setName(label);
        series.toggle = new QCheckBox(label, this);
        series.toggle->setChecked(true);
        series.toggle->setStyleSheet(QString("color: %1").arg(color.name()));
        const int index = int(i);
        connect(series.toggle, &QCheckBox::toggled, this, [this, index](bool on) { setSeriesVisible(index, on); });
        m_toggle_row->addWidget(series.toggle);
        m_series.push_back(series);
    }
}

QStringList LossPlot::seriesNames() const {
    QStringList names;
    for (const auto& series : m_series) names << (series.term.empty() ? "total" : QString::fromStdString(series.term));
    return names;
}

void LossPlot::clear() { setHistory({}); }

void LossPlot::setHistory(const std::vector<ign::LossRecord>& history) {
    m_history = history;
    if (!history.empty()) setSeriesFor(ign::loss_term_names(history));
    rebuild();
}

void LossPlot::append(const ign::LossRecord& record) {
    m_history.push_back(record);
    for (const auto& term : record.terms)
        if (std::none_of(m_series.begin(), m_series.end(), [&](const Series& s) { return s.term == term.name; })) {
            setHistory(m_history);  // a term not seen before: series for every name, redrawn
            return;
        }
    const double k = key(record);
    for (auto& series : m_series) {
        const double v = value(record, series);
        if (!std::isfinite(v)) continue;
        series.raw->addData(k, v);
        // Bias-corrected EMA, one step: the same arithmetic as smooth().
        series.ema = series.ema * m_smoothing + (1 - m_smoothing) * v;
        series.ema_weight_power *= m_smoothing;
        const double debias = 1 - series.ema_weight_power;
        series.smooth->addData(k, debias > 0 ? series.ema / debias : v);
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
    for (auto& series : m_series) {
        QVector<double> keys, raw;
        std::vector<double> values;
        bool negative = false;  // drawn as |term| on a log axis, and named so
        for (const auto& r : m_history) {
            const double v = value(r, series);
            if (!std::isfinite(v)) continue;
            negative = negative || (series.term.empty() ? r.total : r.term(series.term)) < 0;
            keys.push_back(key(r));
            raw.push_back(v);
            values.push_back(v);
        }
        const auto smoothed = smooth(values, m_smoothing);
        series.raw->setData(keys, raw, true);
        series.smooth->setData(keys, QVector<double>(smoothed.begin(), smoothed.end()), true);
        const QString label = series.toggle->text();
        series.smooth->setName(m_log->isChecked() && negative ? "|" + label + "|" : label);
        // Restart the incremental EMA where the rebuilt series ends.
        series.ema = 0;
        series.ema_weight_power = 1;
        for (const double v : values) {
            series.ema = series.ema * m_smoothing + (1 - m_smoothing) * v;
            series.ema_weight_power *= m_smoothing;
        }
    }
    m_plot->xAxis->setLabel(m_axis->currentIndex() == 1 ? "wall time (s)" : "step");
    rescale();
    m_plot->replot();
}

void LossPlot::rescale() {
    std::vector<double> ys;
    double x0 = 0, x1 = 1;
    bool any = false;
    for (const auto& series : m_series) {
        if (!series.smooth->visible()) continue;
        for (auto* graph : {series.raw, series.smooth})
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

void LossPlot::setSeriesVisible(int index, bool visible) {
    if (index < 0 || size_t(index) >= m_series.size()) return;
    auto& series = m_series[size_t(index)];
    if (series.toggle->isChecked() != visible) series.toggle->setChecked(visible);
    series.raw->setVisible(visible);
    series.smooth->setVisible(visible);
    if (m_autoscale->isChecked()) rescale();
    m_plot->replot();
}

int LossPlot::pointCount(int index) const {
    return index >= 0 && size_t(index) < m_series.size() ? m_series[size_t(index)].raw->dataCount() : 0;
}

void LossPlot::showTooltip(QMouseEvent* event) {
    if (m_history.empty()) return;
    const double x = m_plot->xAxis->pixelToCoord(event->pos().x());
    const auto nearest = std::min_element(m_history.begin(), m_history.end(), [&](const auto& a, const auto& b) {
        return std::abs(key(a) - x) < std::abs(key(b) - x);
    });
    const auto& r = *nearest;
    QString text = QString("step %1 (%2 s)\ntotal %3").arg(r.step).arg(r.wall_s, 0, 'f', 1).arg(r.total, 0, 'g', 6);
    for (const auto& term : r.terms) text += QString("\n%1 %2").arg(QString::fromStdString(term.name)).arg(term.value, 0, 'g', 6);
    QToolTip::showText(event->globalPosition().toPoint(), text, m_plot);
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
