#include "latest_task.h"

#include <QCoreApplication>
#include <QtConcurrent/QtConcurrentRun>
#include <exception>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace ign_ui {

LatestTask::LatestTask(const QString& thread_name, QObject* parent)
    : QObject(parent), m_thread_name(thread_name.left(15).toUtf8()) {
    m_pool.setMaxThreadCount(1);
    connect(&m_watcher, &QFutureWatcher<Apply>::finished, this, &LatestTask::onFinished);
}

LatestTask::~LatestTask() { m_watcher.waitForFinished(); }

int LatestTask::submit(Work work) {
    const int id = ++m_latest;
    if (m_running) {
        m_pending = std::move(work);  // replaces any older waiting request
        m_pending_id = id;
    } else {
        start(id, std::move(work));
    }
    return id;
}

void LatestTask::start(int id, Work work) {
    m_running = true;
    m_running_id = id;
    m_error.clear();
    m_watcher.setFuture(QtConcurrent::run(&m_pool, [work = std::move(work), this]() -> Apply {
        // Inference runs at nice 5: above training (nice 10), below the GUI thread, so the event loop
        // keeps a core on a busy two-core machine. Set once per pool thread, before its first torch op.
        static thread_local const bool niced = setpriority(PRIO_PROCESS, pid_t(syscall(SYS_gettid)), 5) == 0;
        // Named once per thread too: each pool thread belongs to this task's own pool.
        static thread_local const bool named = prctl(PR_SET_NAME, m_thread_name.constData()) == 0;
        (void)niced;
        (void)named;
        try {
            return work();
        } catch (const std::exception& e) {
            const QString message = QString::fromStdString(e.what());
            return [this, message] { m_error = message; };
        }
    }));
}

void LatestTask::onFinished() {
    const int id = m_running_id;
    m_running = false;
    Apply apply = m_watcher.result();
    if (m_pending) {
        auto next = std::move(m_pending);
        m_pending = nullptr;
        start(m_pending_id, std::move(next));
    }
    if (id != m_latest) return;  // stale: a newer request is on its way
    m_error.clear();
    if (apply) apply();
    if (!m_error.isEmpty()) emit failed(id, m_error);
    else emit applied(id);
}

void LatestTask::waitForIdle() {
    while (m_running) {
        m_watcher.waitForFinished();
        QCoreApplication::processEvents();
    }
}

}  // namespace ign_ui
