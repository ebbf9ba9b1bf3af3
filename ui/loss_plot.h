#pragma once
// Live loss curves: the total and every term the objective lists, each toggleable; smoothing by a
// bias-corrected exponential moving average with the raw points faint behind; log-scale y; x by step or
// wall time; autoscale that can ignore outliers; tooltips with exact values; CSV and PNG export.
#include <QWidget>
#include <vector>

#include "ign/options.h"

class QCustomPlot;
class QCPGraph;
class QCheckBox;
class QComboBox;
class QHBoxLayout;
class QSlider;
class QLabel;
class QTimer;

namespace ign_ui {

class LossPlot : public QWidget {
    Q_OBJECT
public:
    explicit LossPlot(QWidget* parent = nullptr);

    void clear();
    void append(const ign::LossRecord& record);
    void setHistory(const std::vector<ign::LossRecord>& history);
    const std::vector<ign::LossRecord>& history() const { return m_history; }

    void setSmoothing(double weight);  // 0 .. 0.999
    double smoothing() const { return m_smoothing; }
    void setLogScale(bool on);
    void setWallTimeAxis(bool on);
    // Series 0 is the total, then one per loss term in the history's order (ign::loss_term_names).
    QStringList seriesNames() const;
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
    struct Series {
        std::string term;  // empty: the total
        QCPGraph *raw = nullptr, *smooth = nullptr;
        QCheckBox* toggle = nullptr;
        double ema = 0, ema_weight_power = 1;  // the incremental smoothing's state
    };
    // One series per name (the total first); rebuilt only when the names change (another objective).
    void setSeriesFor(const std::vector<std::string>& term_names);
    void rebuild();
    double key(const ign::LossRecord& r) const;
    double value(const ign::LossRecord& r, const Series& series) const;
    void showTooltip(QMouseEvent* event);

    QCustomPlot* m_plot;
    QHBoxLayout* m_toggle_row;
    std::vector<Series> m_series;
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
