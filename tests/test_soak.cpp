// Soak: the studio projecting live under a stream of synthetic strokes and slider moves while a
// training run goes on in parallel, for IGN_SOAK_SECONDS (default 90; longer by setting it). Reports
// and bounds: the resident-memory slope over the second half, the event loop's worst stall, errors shown.
#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QRandomGenerator>
#include <QSlider>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <algorithm>
#include <fstream>
#include <random>
#include <time.h>
#include <unistd.h>

#include "gui_test_support.h"
#include "ign/system.h"
#include "interpolate_panel.h"
#include "loss_plot.h"
#include "main_window.h"
#include "project_panel.h"
#include "sketch_canvas.h"
#include "train_panel.h"

using namespace ign_ui;
using namespace ign_ui::testing;

namespace {

double resident_mb() {
    std::ifstream statm("/proc/self/statm");
    long pages_total = 0, pages_resident = 0;
    statm >> pages_total >> pages_resident;
    return double(pages_resident) * double(sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
}

// Least-squares slope of y over x.
double slope(const std::vector<double>& x, const std::vector<double>& y) {
    const double n = double(x.size());
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (size_t i = 0; i < x.size(); ++i) {
        sx += x[i];
        sy += y[i];
        sxx += x[i] * x[i];
        sxy += x[i] * y[i];
    }
    return (n * sxy - sx * sy) / (n * sxx - sx * sx);
}

}  // namespace

// Times every event delivered on the GUI thread, so a stall can be traced to what caused it.
class TimedApplication : public QApplication {
public:
    using QApplication::QApplication;
    qint64 slowest_ms = 0;
    QString slowest;
    bool recording = false;
    bool notify(QObject* receiver, QEvent* event) override {
        if (!recording || QThread::currentThread() != thread()) return QApplication::notify(receiver, event);
        QElapsedTimer t;
        t.start();
        const bool handled = QApplication::notify(receiver, event);
        const qint64 ms = t.elapsed();
        if (ms > slowest_ms) {
            slowest_ms = ms;
            slowest = QString("%1 (%2) event %3").arg(receiver->metaObject()->className(), receiver->objectName()).arg(int(event->type()));
        }
        return handled;
    }
};

class TestSoak : public QObject {
    Q_OBJECT

private slots:
    void liveProjectionAndTrainingStayFlat() {
        QStandardPaths::setTestModeEnabled(true);
        QSettings().clear();
        qputenv("IGN_MODELS_DIR", (qEnvironmentVariable("IGN_SOURCE_DIR") + "/models").toUtf8());
        const int seconds = qEnvironmentVariableIsSet("IGN_SOAK_SECONDS") ? qEnvironmentVariableIntValue("IGN_SOAK_SECONDS") : 90;
        QTemporaryDir dir;
        MainWindow w;
        w.setConfirmOnClose(false);
        w.show();
        QVERIFY(w.model());
        int errors = 0;
        QString first_error;
        connect(&w, &MainWindow::messageShown, [&](const QString& text, bool error) {
            if (error && !errors++) first_error = text;
        });
        auto* train = w.trainPanel();
        train->setData(write_tiny_idx(dir.path()));
        train->setWidth(16);
        train->setFitToData(false);
        train->setBatch(32);
        train->setSteps(10'000'000);
        train->setPreviewEvery(50);
        train->setOutDir(dir.filePath("run"));
        train->start();

        auto* project = w.projectPanel();
        auto* canvas = project->canvas();
        auto* slider = w.interpolatePanel()->slider();
        w.tabs()->setCurrentWidget(project);
        QElapsedTimer clock;
        clock.start();
        qint64 last_tick = 0, worst_stall = 0, worst_handler = 0, worst_slider = 0, worst_own_stall = 0;
        double last_cpu = thread_cpu_ms();
        QPointF pen(140, 140);
        bool pen_down = false;
        int segments = 0;
        QTimer input;  // a user drawing: a segment every 16 ms, a new stroke every 10, a clear every 400
        input.setInterval(16);
        connect(&input, &QTimer::timeout, [&] {
            const qint64 now = clock.elapsed();
            const double cpu = thread_cpu_ms();
            if (last_tick) {
                const qint64 stall = now - last_tick - 16;
                worst_stall = std::max(worst_stall, stall);
                worst_own_stall = std::max(worst_own_stall, std::min(stall, qint64(cpu - last_cpu)));
            }
            last_tick = now;
            last_cpu = cpu;
            auto* rng = QRandomGenerator::global();
            if (segments % 400 == 399) canvas->clear();
            if (!pen_down) {
                send_mouse(canvas, QEvent::MouseButtonPress, canvas->toWidget(pen), Qt::LeftButton);
                pen_down = true;
            }
            pen = QPointF(std::clamp(pen.x() + rng->bounded(21) - 10, 10.0, 270.0),
                          std::clamp(pen.y() + rng->bounded(21) - 10, 10.0, 270.0));
            send_mouse(canvas, QEvent::MouseMove, canvas->toWidget(pen), Qt::LeftButton);
            if (++segments % 10 == 0) {
                send_mouse(canvas, QEvent::MouseButtonRelease, canvas->toWidget(pen), Qt::NoButton);
                pen_down = false;
            }
            QElapsedTimer slider_time;
            slider_time.start();
            if (segments % 10 == 0) slider->setValue(int(rng->bounded(1001)));
            worst_handler = std::max(worst_handler, clock.elapsed() - now);
            worst_slider = std::max(worst_slider, slider_time.elapsed());
        });
        std::vector<double> times, memory;
        QTimer sampler;
        sampler.setInterval(1000);
        connect(&sampler, &QTimer::timeout, [&] {
            times.push_back(clock.elapsed() / 60000.0);  // minutes
            memory.push_back(resident_mb());
            if (qEnvironmentVariableIsSet("IGN_SOAK_VERBOSE"))
                qInfo("t %.0f s: %.1f MB, worst stall %lld ms, worst handler %lld ms (slider %lld)", times.back() * 60,
                      memory.back(), worst_stall, worst_handler, worst_slider);
        });
        QTest::qWait(1500);  // the window's first paint and the first training steps happen before measuring
        const int projections_before = project->projectionsShown();
        auto* timed = dynamic_cast<TimedApplication*>(QCoreApplication::instance());
        if (timed) timed->recording = true;
        input.start();
        sampler.start();
        QTest::qWait(seconds * 1000);
        input.stop();
        sampler.stop();
        if (timed) timed->recording = false;
        const auto steps = train->lossPlot()->history().size();
        QVERIFY(train->stopAndWait());

        // Memory over the second half of the run must stay flat: by then the canvas's undo stack (50
        // strokes) is full, the caches are warm and a few checkpoints have been written. A leak grows
        // steadily, so it shows in both quarters of that half; a one-off step of the allocator (glibc
        // growing an arena by a few MB, seen on CI as 6 MB/min over the whole half) shows in one only.
        const size_t warm = times.size() / 2, third = warm + (times.size() - warm) / 2;
        const auto slope_between = [&](size_t from, size_t to) {
            return slope(std::vector<double>(times.begin() + long(from), times.begin() + long(to)),
                         std::vector<double>(memory.begin() + long(from), memory.begin() + long(to)));
        };
        const double mb_per_minute = slope_between(warm, times.size());
        const double steady_mb_per_minute = std::min(slope_between(warm, third), slope_between(third, times.size()));
        const std::vector<double> m(memory.begin() + long(warm), memory.end());
        const int projections = project->projectionsShown() - projections_before;
        if (timed) qInfo("slowest event on the GUI thread: %lld ms, %s", timed->slowest_ms, qPrintable(timed->slowest));
        qInfo("soak %d s: %d stroke segments, %d projections shown, %zu training steps; resident %.0f -> %.0f MB, "
              "slope over the second half %.2f MB/min (in its quarters at least %.2f); worst event-loop stall %lld ms (at most %lld ms of it "
              "busy in the GUI thread); %d errors",
              seconds, segments, projections, steps, m.front(), m.back(), mb_per_minute, steady_mb_per_minute, worst_stall, worst_own_stall, errors);
        QVERIFY2(errors == 0, qPrintable(first_error));
        QVERIFY(projections > 10);  // the projection kept following the drawing (~20/s on a quiet machine)
        QVERIFY(steps > 10);             // and training kept running
        // The bound is on the event loop's own stalls: on a machine shared with other work (CI hosts,
        // builds) the OS may hand the GUI thread's core away, which no application can prevent. A wall
        // stall over a second would still mean a freeze.
        QVERIFY2(worst_own_stall < 50, qPrintable(QString("event loop stalled %1 ms of its own").arg(worst_own_stall)));
        QVERIFY2(worst_stall < 1000, qPrintable(QString("event loop frozen %1 ms").arg(worst_stall)));
        // A leak of one canvas per stroke would be ~40 MB/min in every quarter.
        QVERIFY2(steady_mb_per_minute < 5.0,
                 qPrintable(QString("memory grows %1 MB/min in both quarters").arg(steady_mb_per_minute)));
        QVERIFY2(mb_per_minute < 20.0, qPrintable(QString("memory grows %1 MB/min").arg(mb_per_minute)));
    }
};

IGN_GUI_TEST_MAIN(TestSoak, TimedApplication)

#include "test_soak.moc"
