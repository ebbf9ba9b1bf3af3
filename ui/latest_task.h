#pragma once
// Interactive inference off the GUI thread, on a thread this object owns and names (QtConcurrent on its
// own one-thread pool + QFutureWatcher): one task runs at a time, the newest request waits, older waiting
// requests are dropped, and a result that is no longer the newest is thrown away. So drawing never waits
// for the model and the screen shows the latest input.
#include <QFutureWatcher>
#include <QObject>
#include <QThreadPool>
#include <functional>

namespace ign_ui {

class LatestTask : public QObject {
    Q_OBJECT
public:
    // Work runs on the thread pool and returns what to do with its result on the GUI thread.
    using Apply = std::function<void()>;
    using Work = std::function<Apply()>;

    // `thread_name` names the worker thread as the system shows it (top -H, gdb; at most 15 characters).
    explicit LatestTask(const QString& thread_name, QObject* parent = nullptr);
    ~LatestTask() override;

    int submit(Work work);  // returns the request id
    bool busy() const { return m_running; }
    int latest() const { return m_latest; }
    void waitForIdle();  // for tests and shutdown

signals:
    void applied(int id);
    void failed(int id, const QString& message);

private:
    void start(int id, Work work);
    void onFinished();

    QByteArray m_thread_name;
    QThreadPool m_pool;  // one thread, this object's: destroyed after the watcher has waited for it
    QFutureWatcher<Apply> m_watcher;
    bool m_running = false;
    int m_latest = 0, m_running_id = 0, m_pending_id = 0;
    Work m_pending;
    QString m_error;
};

}  // namespace ign_ui
