// ign-studio: the desktop application. Thin: settings up the process, then the window from ign_ui.
#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QIcon>
#include <QTabWidget>
#include <QTimer>
#include <csignal>
#include <cstdio>

#include "ign/system.h"
#include "ign/version.h"
#include "main_window.h"
#include "project_panel.h"
#include "loss_plot.h"
#include "train_panel.h"

namespace {

// For the README's screenshots: a short live training run on the digits and an example sketch on the
// canvas, then a grab of each panel into `dir`, then quit.
void stage_screenshots(ign_ui::MainWindow& window, const QString& dir) {
    const QString sketch = QCoreApplication::applicationDirPath() + "/../../resources/examples/sketch-3.png";
    if (QFileInfo(sketch).isFile()) window.projectPanel()->loadFile(sketch);
    auto* train = window.trainPanel();
    train->setData("digits");
    train->setWidth(16);
    train->setFitToData(false);
    train->setBatch(32);
    train->setSteps(300);
    train->lossPlot()->setLogScale(true);
    train->setPreviewEvery(25);
    train->setOutDir(QDir::temp().filePath("ign-studio-screenshot-run"));
    QObject::connect(train, &ign_ui::TrainPanel::runningChanged, &window, [&window, dir](bool running) {
        if (running) return;
        for (const auto& path : window.saveScreenshots(dir)) std::printf("%s\n", qPrintable(path));
        window.close();
    });
    train->start();
}

bool is_image_file(const QString& path) {
    static const QStringList suffixes{"png", "jpg", "jpeg", "bmp", "webp", "tif", "tiff", "pgm", "ppm", "pbm"};
    return suffixes.contains(QFileInfo(path).suffix().toLower());
}

}  // namespace

int main(int argc, char** argv) {
    ign::ensure_blas_core_type(argc, argv);  // may re-execute with the right OpenBLAS kernels
    std::signal(SIGXFSZ, SIG_IGN);            // a file-size limit fails a write (reported), not the app
    QApplication app(argc, argv);
    QApplication::setApplicationName("IGN Studio");
    QApplication::setOrganizationName("ign-studio");
    QApplication::setApplicationVersion(ign::kVersion);
    QGuiApplication::setDesktopFileName("org.ignstudio.IgnStudio");  // Wayland app id, matches the .desktop entry
    QApplication::setWindowIcon(QIcon::fromTheme("org.ignstudio.IgnStudio", QIcon(":/icons/ign-studio.png")));

    QCommandLineParser parser;
    parser.setApplicationDescription("IGN Studio: train, sample, refine, interpolate and project with an IGN");
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument("file", "a model to open (default: the last one used, else the bundled digits "
                                         "model), or an image to project with it");
    QCommandLineOption threads("threads", "LibTorch threads (0: all cores)", "n", "0");
    QCommandLineOption screenshots("screenshots", "run a short training, then save a screenshot of each panel into DIR and quit", "dir");
    QCommandLineOption follow("follow", "show the run that ign train writes into DIR, live (Train panel)", "dir");
    QCommandLineOption quit_after("quit-after", "close the window after MS milliseconds (smoke tests)", "ms");
    parser.addOptions({threads, screenshots, follow, quit_after});
    parser.process(app);

    ign::configure_threads(parser.value(threads).toInt());
    const QString file = parser.positionalArguments().value(0);
    const bool file_is_image = !file.isEmpty() && is_image_file(file);
    ign_ui::MainWindow window(file_is_image ? QString() : file);
    // On the terminal too: which model opened (or why none did), and every error after that.
    std::fprintf(stderr, "ign-studio: %s\n", qPrintable(window.lastMessage()));
    QObject::connect(&window, &ign_ui::MainWindow::messageShown, [](const QString& text, bool error) {
        if (error) std::fprintf(stderr, "ign-studio: %s\n", qPrintable(text));
    });
    if (parser.isSet(follow)) {
        window.tabs()->setCurrentWidget(window.trainPanel());
        window.trainPanel()->follow(parser.value(follow));
    }
    if (file_is_image) {  // opened from a file manager: project the image with the model that opened
        window.tabs()->setCurrentWidget(window.projectPanel());
        window.projectPanel()->loadFile(file);
    }
    window.resize(1280, 860);
    window.show();

    if (parser.isSet(screenshots)) {
        QTimer::singleShot(500, &window, [&] { stage_screenshots(window, parser.value(screenshots)); });
    }
    if (parser.isSet(quit_after)) QTimer::singleShot(parser.value(quit_after).toInt(), &window, &QWidget::close);
    return app.exec();
}
