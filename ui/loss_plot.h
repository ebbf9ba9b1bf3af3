#pragma once
// Live loss curves: total, reconstruction, idempotence and tightness, each toggleable; smoothing by a
// bias-corrected exponential moving average with the raw points faint behind; log-scale y; x by step or
// wall time; autoscale that can ignore outliers; tooltips with exact values; CSV and PNG export.
#include <QWidget>
#include <array>
#include <vector>

#include "ign/options.h"

class QCustomPlot;
class QCPGraph;
class QCheckBox;
class QComboBox;
class QSlider;
class QLabel;
class QTimer;

namespace ign_ui {

class LossPlot : public QWidget {
    Q_OBJECT
public:
    static constexpr int kSeries = 4;
    explicit LossPlot(QWidget* parent = nullptr);

    void clear();
    void append(const ign::LossRecord& record);
    void setHistory(const std::vector<ign::LossRecord>& history);
    const std::vector<ign::LossRecord>& history() const { return m_history; }

    void setSmoothing(double weight);  // 0 .. 0.999
    double smoothing() const { return m_smoothing; }
    void setLogScale(bool on);
    void setWallTimeAxis(bool on);
    void setSeriesVisible(int series, bool visible);
    int pointCount(int series) const;  // points drawn for a series (raw)

    // Every record, unsmoothed. Empty string on success, else the message.
    QString exportCsv(const QString& path) const;
    QString exportPng(const QString& path, int width = 1200, int height = 700) const;
    QCustomPlot* plot() const { return m_plot; }

    // Smoothed value of `values` with the bias-corrected EMA (TensorBoard's smoothing).
    static std::vector<double> smooth(const std::vector<double>& values, double weight);

public slots:
    void rescale();

protected:
    void showEvent(QShowEvent* event) override;

private:
    void rebuild();
    double key(const ign::LossRecord& r) const;
    double value(const ign::LossRecord& r, int series) const;
    void showTooltip(QMouseEvent* event);

    QCustomPlot* m_plot;
    std::array<QCPGraph*, kSeries> m_raw{}, m_smooth{};
    std::array<QCheckBox*, kSeries> m_toggles{};
    std::array<double, kSeries> m_ema{}, m_ema_weight_power{};
    QSlider* m_smoothing_slider;
    QLabel* m_smoothing_label;
    QCheckBox *m_log, *m_ignore_outliers, *m_autoscale;
    QComboBox* m_axis;
    QTimer* m_replot_timer;
    bool m_dirty = false;
    double m_smoothing = 0.6;
    std::vector<ign::LossRecord> m_history;
};

}  // namespace ign_ui
