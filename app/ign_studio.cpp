// ign-studio: the desktop application. Thin: settings up the process, then the window from ign_ui.
#include <QApplication>
#include <QCommandLineParser>
#include <QTimer>
#include <cstdio>

#include "ign/system.h"
#include "ign/version.h"
#include "main_window.h"

int main(int argc, char** argv) {
    ign::ensure_blas_core_type(argc, argv);  // may re-execute with the right OpenBLAS kernels
    QApplication app(argc, argv);
    QApplication::setApplicationName("IGN Studio");
    QApplication::setOrganizationName("ign-studio");
    QApplication::setApplicationVersion(ign::kVersion);

    QCommandLineParser parser;
    parser.setApplicationDescription("IGN Studio: train, sample, refine, interpolate and project with an IGN");
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument("checkpoint", "model to open (default: the last one used, else models/digits.pt)");
    QCommandLineOption threads("threads", "LibTorch threads (0: all cores)", "n", "0");
    QCommandLineOption screenshots("screenshots", "save a screenshot of each panel into DIR and quit", "dir");
    QCommandLineOption quit_after("quit-after", "close the window after MS milliseconds (smoke tests)", "ms");
    parser.addOptions({threads, screenshots, quit_after});
    parser.process(app);

    ign::configure_threads(parser.value(threads).toInt());
    const auto positional = parser.positionalArguments();
    ign_ui::MainWindow window(positional.isEmpty() ? QString() : positional.first());
    window.resize(1280, 860);
    window.show();

    if (parser.isSet(screenshots)) {
        QTimer::singleShot(1500, &window, [&] {
            for (const auto& path : window.saveScreenshots(parser.value(screenshots))) std::printf("%s\n", qPrintable(path));
            window.close();
        });
    }
    if (parser.isSet(quit_after)) QTimer::singleShot(parser.value(quit_after).toInt(), &window, &QWidget::close);
    return app.exec();
}
