#include "run_follower.h"

#include <QDir>
#include <QFileInfo>

#include <stdexcept>


namespace ign_ui {

RunFollower::RunFollower(QObject* parent) : QObject(parent) {
    m_timer.setInterval(1000);
    connect(&m_timer, &QTimer::timeout, this, &RunFollower::poll);
}

void RunFollower::follow(const QString& folder) {
    m_folder = folder;
    m_losses = m_preview = m_status = m_checkpoint = Seen{};
    m_last_step = -1;
    m_records = 0;
    m_last_problem.clear();
    m_have_status = false;
    m_timer.start();
    poll();
}

void RunFollower::stop() { m_timer.stop(); }

bool RunFollower::changed(const QString& path, Seen& seen) {
    const QFileInfo info(path);
    if (!info.isFile()) return false;
    const Seen now{info.lastModified(), info.size()};
    if (now.modified == seen.modified && now.size == seen.size) return false;
    seen = now;
    return true;
}

void RunFollower::report(const QString& text) {
    if (text == m_last_problem) return;
    m_last_problem = text;
    emit problem(text);
}

void RunFollower::poll() {
    if (m_folder.isEmpty()) return;
    if (!QFileInfo(m_folder).isDir()) {
        report(m_folder + ": no such folder");
        return;
    }
    const auto files = ign::run_files(m_folder.toStdString());
    const QString losses = QString::fromStdString(files.losses), preview = QString::fromStdString(files.preview),
                  status = QString::fromStdString(files.status), checkpoint = QString::fromStdString(files.checkpoint);
    try {
        if (changed(losses, m_losses)) {
            const auto history = ign::read_loss_csv(losses.toStdString());
            // The usual case: the same run, a few more steps. Anything else (a resume that rewrote
            // it, a new run in the folder) replaces the plot.
            const bool continues = m_records > 0 && history.size() > m_records && history[m_records - 1].step == m_last_step;
            if (continues) emit historyAppended(std::vector<ign::LossRecord>(history.begin() + long(m_records), history.end()));
            else if (history.size() != m_records || history.empty() || history.back().step != m_last_step) emit historyReset(history);
            m_records = history.size();
            m_last_step = history.empty() ? -1 : history.back().step;
        }
        if (changed(status, m_status)) {
            m_last_status = ign::read_run_status(status.toStdString());
            m_have_status = true;
        }
    } catch (const std::runtime_error& e) {  // ign::DataError, naming the file and line
        report(QString::fromStdString(e.what()));
        return;
    }
    if (changed(preview, m_preview)) {
        QImage image(preview);
        if (image.isNull()) report(preview + ": not a readable PNG (yet)");
        else emit previewChanged(image);
    }
    if (changed(checkpoint, m_checkpoint)) emit checkpointChanged(checkpoint);
    if (m_have_status) {
        m_last_problem.clear();  // readable again: a new problem will be said
        const double now = double(QDateTime::currentMSecsSinceEpoch()) / 1000.0;
        emit statusChanged(m_last_status, std::max(0.0, now - m_last_status.updated_unix));
    } else if (!QFileInfo(status).exists()) {
        report(m_folder + ": no status.json yet (not a run folder, or the run has not started)");
    }
}

}  // namespace ign_ui
