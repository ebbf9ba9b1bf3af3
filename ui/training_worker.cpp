#include "training_worker.h"

#include <QThread>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ign/session.h"
#include "image_qt.h"

namespace ign_ui {

void TrainingWorker::registerTypes() {
    qRegisterMetaType<ign::LossRecord>();
    qRegisterMetaType<ign::TrainProgress>();
    qRegisterMetaType<std::vector<ign::LossRecord>>();
    qRegisterMetaType<ign::TrainOptions>();
}

void TrainingWorker::run(const ign::TrainRequest& request) {
    m_cancel = false;
    // Training yields to the interactive work: this thread (and the OpenMP team it starts, which
    // inherits it) runs at nice 10, so drawing, sliders and live projection get the cores first.
    setpriority(PRIO_PROCESS, pid_t(syscall(SYS_gettid)), 10);
    try {
        ign::TrainingSession session(request);
        const auto& o = session.options();
        QString description = QString("%1 on %2 (%3 images), batch %4, to step %5, on %6")
                                  .arg(QString::fromStdString(o.model.preset), QString::fromStdString(o.settings.data))
                                  .arg(session.train_images())
                                  .arg(o.settings.batch)
                                  .arg(o.settings.steps)
                                  .arg(QString::fromStdString(o.device));
        if (!session.fit_note().empty()) description += "\n" + QString::fromStdString(session.fit_note());
        if (!session.device_note().empty()) description += " — " + QString::fromStdString(session.device_note());
        emit started(description, QString::fromStdString(o.out_dir), session.history(), o);

        ign::TrainCallbacks callbacks;
        callbacks.on_step = [this](const ign::TrainProgress& p) {
            emit progress(p);
            while (m_paused && !m_cancel) QThread::msleep(30);  // paused between steps; stop still works
        };
        callbacks.on_preview = [this](int64_t step, const ign::Image8& samples, const ign::Image8& refined) {
            emit preview(step, to_qimage(samples), to_qimage(refined));
        };
        callbacks.on_checkpoint = [this](int64_t step, const std::string& path) {
            emit checkpointSaved(step, QString::fromStdString(path));
        };
        callbacks.on_warning = [this](const std::string& message) { emit warning(QString::fromStdString(message)); };
        const auto result = session.run(callbacks, &m_cancel);
        const auto status = QString::fromStdString(ign::to_string(result.status));
        emit finished(status, QString::fromStdString(result.message), QString::fromStdString(result.checkpoint_path));
    } catch (const std::exception& e) {
        emit finished("failed", QString::fromStdString(e.what()), {});
    }
    m_paused = false;
}

}  // namespace ign_ui
