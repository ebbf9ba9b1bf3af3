#pragma once
// Shared by the studio's test suites (no torch here): a tiny IDX data set, synthetic mouse input and
// a main that sets up the process the way ign-studio does.
#include <QApplication>
#include <QMouseEvent>
#include <QtTest/QtTest>
#include <cmath>
#include <fstream>
#include <random>
#include <time.h>

#include "ign/system.h"

namespace ign_ui::testing {

// 240 blobs of 28x28 as an IDX images file: a data set that loads in milliseconds.
inline QString write_tiny_idx(const QString& folder) {
    const QString path = folder + "/tiny-idx3-ubyte";
    std::string bytes("\0\0\x08\x03", 4);
    for (uint32_t v : {240u, 28u, 28u})
        for (int shift : {24, 16, 8, 0}) bytes.push_back(char((v >> shift) & 255));
    std::mt19937 rng(3);
    for (int i = 0; i < 240; ++i) {
        const double cx = 8 + rng() % 12, cy = 8 + rng() % 12, r = 3 + rng() % 5;
        for (int y = 0; y < 28; ++y)
            for (int x = 0; x < 28; ++x) {
                const double d2 = (x - cx) * (x - cx) + (y - cy) * (y - cy);
                bytes.push_back(char(uint8_t(255 * std::exp(-d2 / (r * r)))));
            }
    }
    std::ofstream(path.toStdString(), std::ios::binary).write(bytes.data(), std::streamsize(bytes.size()));
    return path;
}

// CPU time the calling thread has used, in ms. A gap in the event loop during which the GUI thread was
// busy is the application's stall; one during which it used no CPU is the OS giving its core to other
// work on a shared machine, which no application can prevent.
inline double thread_cpu_ms() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

inline void send_mouse(QWidget* w, QEvent::Type type, QPointF at, Qt::MouseButtons buttons) {
    QMouseEvent event(type, at, w->mapToGlobal(at), Qt::LeftButton, buttons, Qt::NoModifier);
    QCoreApplication::sendEvent(w, &event);
}

}  // namespace ign_ui::testing

#define IGN_GUI_TEST_MAIN(TestClass, Application)                  \
    int main(int argc, char** argv) {                              \
        ign::ensure_blas_core_type(argc, argv);                    \
        Application app(argc, argv);                               \
        QApplication::setOrganizationName("ign-studio-tests");     \
        ign::configure_threads(0);                                 \
        TestClass test;                                            \
        return QTest::qExec(&test, argc, argv);                    \
    }
