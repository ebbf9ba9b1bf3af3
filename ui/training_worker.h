#pragma once
// Training off the GUI thread: a QObject moved to a QThread that runs ign::TrainingSession and reports
// through queued signals carrying value types. pause() and stop() are safe from any thread.
#include <QImage>
#include <QObject>
#include <QString>
#include <atomic>
#include <vector>

#include "ign/options.h"
#include "metatypes.h"

namespace ign_ui {

class TrainingWorker : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;
    static void registerTypes();

    void pause(bool paused) { m_paused = paused; }
    void stop() { m_cancel = true; }
    bool paused() const { return m_paused; }

public slots:
    // Loads the data (and checkpoint) and trains until done, stopped or diverged.
    void run(const ign::TrainRequest& request);

signals:
    // `options`: what runs, resolved (settings chosen from the data's size included).
    void started(const QString& description, const QString& out_dir, const std::vector<ign::LossRecord>& history,
                 const ign::TrainOptions& options);
    void progress(const ign::TrainProgress& progress);
    void preview(qint64 step, const QImage& samples, const QImage& refined);
    void checkpointSaved(qint64 step, const QString& path);
    void warning(const QString& message);  // training goes on (a checkpoint not written, say)
    // status: "completed", "stopped", "diverged" or "failed" (could not start: bad data or checkpoint).
    void finished(const QString& status, const QString& message, const QString& checkpoint);

private:
    std::atomic<bool> m_cancel{false}, m_paused{false};
};

}  // namespace ign_ui
