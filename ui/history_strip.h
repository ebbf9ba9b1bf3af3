#pragma once
// A strip of recent results (samples, interpolations, projections) with their metadata; can be saved.
#include <QImage>
#include <QListWidget>
#include <QMap>

namespace ign_ui {

class HistoryStrip : public QListWidget {
    Q_OBJECT
public:
    static constexpr int kLimit = 60;
    explicit HistoryStrip(QWidget* parent = nullptr);
    void add(const QImage& image, const QMap<QString, QString>& metadata);
    // Writes every entry as a PNG with its metadata into `folder`; empty on success, else the error.
    QString saveAll(const QString& folder) const;

signals:
    void sendToProject(const QImage& image, const QString& label);
};

}  // namespace ign_ui
