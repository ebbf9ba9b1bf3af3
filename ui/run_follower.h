#pragma once
// Follows a training run's folder (run_folder.h) as its files change: the loss history, the preview
// grid, the status and the checkpoint. Polls once a second, because file-system notifications miss
// atomic renames on some systems and never arrive from network or synced folders.
#include <QDateTime>
#include <QImage>
#include <QObject>
#include <QTimer>

#include <vector>

#include "ign/options.h"
#include "ign/run_folder.h"
#include "metatypes.h"

namespace ign_ui {

class RunFollower : public QObject {
    Q_OBJECT
public:
    explicit RunFollower(QObject* parent = nullptr);

    void follow(const QString& folder);  // reads what is there at once, then keeps polling
    void stop();
    bool isFollowing() const { return m_timer.isActive(); }
    QString folder() const { return m_folder; }

public slots:
    void poll();

signals:
    void historyReset(const std::vector<ign::LossRecord>& history);      // a new or rewritten history
    void historyAppended(const std::vector<ign::LossRecord>& records);  // steps after the last one seen
    void previewChanged(const QImage& image);
    void statusChanged(const ign::RunStatus& status, double seconds_since_update);
    void checkpointChanged(const QString& path);
    void problem(const QString& text);  // a file that cannot be read, named; said once until it changes

private:
    struct Seen {
        QDateTime modified;
        qint64 size = -1;
    };
    bool changed(const QString& path, Seen& seen);
    void report(const QString& text);

    QTimer m_timer;
    QString m_folder;
    Seen m_losses, m_preview, m_status, m_checkpoint;
    int64_t m_last_step = -1;
    size_t m_records = 0;
    QString m_last_problem;
    ign::RunStatus m_last_status;
    bool m_have_status = false;
};

}  // namespace ign_ui
