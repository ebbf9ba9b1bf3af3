#include "main_window.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QToolBar>
#include <QVBoxLayout>

#include "actions.h"
#include "history_strip.h"
#include "ign/system.h"
#include "ign/version.h"
#include "interpolate_panel.h"
#include "project_panel.h"
#include "sample_panel.h"
#include "sketch_canvas.h"
#include "train_panel.h"

namespace ign_ui {

MainWindow::MainWindow(const QString& checkpoint, QWidget* parent) : QMainWindow(parent) {
    setWindowTitle("IGN Studio");
    m_tabs = new QTabWidget(this);
    for (const auto& make_panel : panel_factories()) {
        Panel* panel = make_panel(this);
        m_panels.push_back(panel);
        m_tabs->addTab(panel, panel->title().remove('&'));  // the & belongs to the menu (Alt+1… switch tabs)
    }
    m_train = panel<TrainPanel>();
    m_sample = panel<SamplePanel>();
    m_interpolate = panel<InterpolatePanel>();
    m_project = panel<ProjectPanel>();
    m_history = new HistoryStrip(this);

    auto* central = new QWidget(this);
    auto* layout = new QVBoxLayout(central);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_tabs, 1);
    layout->addWidget(new QLabel("History (double-click to project, File ▸ Save history to keep):", this));
    layout->addWidget(m_history);
    setCentralWidget(central);

    m_status_message = new QLabel(this);
    m_status_model = new QLabel("no model", this);
    m_status_system = new QLabel(this);
    statusBar()->addWidget(m_status_message, 1);
    statusBar()->addPermanentWidget(m_status_model);
    statusBar()->addPermanentWidget(m_status_system);

    connectPanels();
    buildMenus();

    QSettings settings;
    restoreGeometry(settings.value("window/geometry").toByteArray());
    for (auto* panel : m_panels) panel->loadSettings(settings);

    // A model that works from the first screen: the one asked for, the last one used, or the bundled one.
    QStringList candidates;
    if (!checkpoint.isEmpty()) candidates << checkpoint;
    else {
        const QString last = settings.value("model/last").toString();
        if (!last.isEmpty() && QFileInfo(last).isFile()) candidates << last;
        for (const char* name : {"digits", "fashion", "emoji"})
            if (const auto bundled = ign::find_bundled_model(name); !bundled.empty()) candidates << QString::fromStdString(bundled);
    }
    for (const auto& path : candidates)
        if (openModel(path)) break;
    if (!m_model && checkpoint.isEmpty())
        showMessage("no model found: train one in the Train panel, or File ▸ Open model", true);
    m_tabs->setCurrentIndex(settings.value("window/tab", 1).toInt());
    updateStatus();
}

// Every panel's messages and results; then what links the built-in panels to each other.
void MainWindow::connectPanels() {
    for (auto* panel : m_panels) {
        connect(panel, &Panel::message, this, &MainWindow::showMessage);
        connect(panel, &Panel::resultReady, m_history, &HistoryStrip::add);
    }
    connect(m_sample, &SamplePanel::sendToInterpolate, this, [this](const ign::Latent& latent, int anchor, const QString& label) {
        m_interpolate->setAnchorLatent(latent, anchor, label);
        m_tabs->setCurrentWidget(m_interpolate);
    });
    auto to_project = [this](const QImage& image, const QString& label) {
        m_project->canvas()->setImage(image);
        m_tabs->setCurrentWidget(m_project);
        showMessage("projecting " + label);
    };
    connect(m_sample, &SamplePanel::sendToProject, this, to_project);
    connect(m_history, &HistoryStrip::sendToProject, this, to_project);
    connect(m_train, &TrainPanel::runningChanged, this, [this] { updateStatus(); });
    connect(m_train, &TrainPanel::checkpointReady, this, [this](const QString& path) {
        m_open_trained->setEnabled(true);
        showMessage("training saved " + path + " — File ▸ Open trained model to use it");
    });
}

MainWindow::~MainWindow() = default;

void MainWindow::buildMenus() {
    auto* file = menuBar()->addMenu("&File");
    auto* open = make_action("file.open", this);
    connect(open, &QAction::triggered, this, &MainWindow::openModelDialog);
    file->addAction(open);
    auto* bundled = file->addMenu("Open &bundled model");
    for (const char* name : {"digits", "fashion", "emoji"}) {
        const auto path = QString::fromStdString(ign::find_bundled_model(name));
        auto* a = bundled->addAction(name, this, [this, path] { openModel(path); });
        a->setEnabled(!path.isEmpty());
    }
    m_open_trained = make_action("file.open_trained", this);
    connect(m_open_trained, &QAction::triggered, this, [this] { openModel(m_train->lastCheckpoint()); });
    file->addAction(m_open_trained);
    m_open_trained->setEnabled(false);
    file->addSeparator();
    auto* export_current = make_action("file.export", this);
    connect(export_current, &QAction::triggered, this, &MainWindow::exportCurrent);
    file->addAction(export_current);
    auto* save_history = make_action("file.save_history", this);
    connect(save_history, &QAction::triggered, this, &MainWindow::saveHistory);
    file->addAction(save_history);
    file->addSeparator();
    auto* quit = make_action("file.quit", this);
    connect(quit, &QAction::triggered, this, &QWidget::close);
    file->addAction(quit);

    for (auto* panel : m_panels) {
        auto* menu = menuBar()->addMenu(panel->title());
        for (auto* action : panel->menuActions()) {
            if (action) menu->addAction(action);
            else menu->addSeparator();
        }
    }

    auto* view = menuBar()->addMenu("&View");
    for (int i = 0; i < m_tabs->count(); ++i) {
        auto* a = view->addAction(m_tabs->tabText(i).remove('&') + " panel", this, [this, i] { m_tabs->setCurrentIndex(i); });
        a->setShortcut(QKeySequence(QString("Alt+%1").arg(i + 1)));
    }
    view->addSeparator();
    // Where the open model runs (training has its own Device setting in the Train panel).
    auto* devices = view->addMenu("Run models &on");
    auto* device_group = new QActionGroup(this);
    const QString chosen = QSettings().value("inference/device", "auto").toString();
    for (const char* name : {"auto", "cpu", "cuda"}) {
        auto* a = devices->addAction(name, this, [this, name] { setInferenceDevice(name); });
        a->setCheckable(true);
        a->setChecked(chosen == name);
        a->setToolTip("auto: CUDA when LibTorch sees a device, else the CPU");
        device_group->addAction(a);
    }

    auto* help = menuBar()->addMenu("&Help");
    auto* shortcuts = make_action("help.shortcuts", this);
    connect(shortcuts, &QAction::triggered, this, [this] {
        const QString panels = QString("<p>Alt+1 … Alt+%1: the panels, in tab order.</p>").arg(m_tabs->count());
        QMessageBox box(QMessageBox::NoIcon, "Keyboard shortcuts", shortcuts_html() + panels, QMessageBox::Close, this);
        box.setTextFormat(Qt::RichText);
        box.exec();
    });
    help->addAction(shortcuts);
    help->addAction("&About IGN Studio", this, &MainWindow::about);

    buildToolbar(open, export_current);
}

void MainWindow::buildToolbar(QAction* open, QAction* export_current) {
    auto* tools = addToolBar("Main");
    tools->setObjectName("main-toolbar");
    tools->addActions({open, export_current});
    for (auto* panel : m_panels) {
        if (panel->toolbarActions().isEmpty()) continue;
        tools->addSeparator();
        tools->addActions(panel->toolbarActions());
    }
}

bool MainWindow::openModel(const QString& path) {
    if (path.isEmpty()) return false;
    try {
        auto model = ign::ModelSession::open(path.toStdString(), inferenceDevice().toStdString());
        m_model = std::move(model);
    } catch (const std::exception& e) {
        showMessage(QString("cannot open model: %1").arg(QString::fromStdString(e.what())), true);
        return false;  // the model in use (if any) stays
    }
    for (auto* panel : m_panels) panel->setModel(m_model);
    QSettings().setValue("model/last", QFileInfo(path).absoluteFilePath());
    const auto& s = m_model->summary();
    showMessage(QString("opened %1: %2 on %3, step %4").arg(path, QString::fromStdString(s.model.preset),
                                                             QString::fromStdString(s.train.data)).arg(s.step) +
                    (m_model->device_note().empty() ? QString() : "; " + QString::fromStdString(m_model->device_note())));
    updateStatus();
    return true;
}

void MainWindow::openModelDialog() {
    const QString path = QFileDialog::getOpenFileName(this, "Open model", "models", "IGN checkpoints (*.pt);;All files (*)");
    if (!path.isEmpty()) openModel(path);
}

QString MainWindow::inferenceDevice() const { return QSettings().value("inference/device", "auto").toString(); }

void MainWindow::setInferenceDevice(const QString& device) {
    QSettings().setValue("inference/device", device);
    if (m_model) openModel(QString::fromStdString(m_model->path()));  // again, on the new device
}

void MainWindow::updateStatus() {
    if (m_model) {
        const auto& s = m_model->summary();
        m_status_model->setText(QString("model: %1 (%2, %3, step %4)")
                                    .arg(QFileInfo(QString::fromStdString(m_model->path())).fileName(),
                                         QString::fromStdString(s.model.preset), QString::fromStdString(s.train.data))
                                    .arg(s.step));
        m_status_model->setToolTip(QString::fromStdString(s.card()));
        setWindowTitle("IGN Studio — " + QFileInfo(QString::fromStdString(m_model->path())).fileName());
    }
    m_status_system->setText(QString("%1 · %2%3")
                                 .arg(m_model ? QString::fromStdString(m_model->device()) : "cpu",
                                      QString::fromStdString(ign::system_summary()))
                                 .arg(m_train->isRunning() ? " · training" : ""));
}

void MainWindow::showMessage(const QString& text, bool error) {
    // A style-sheet change repolishes the label (tens of ms): only when the error state flips.
    if (error != m_last_error || m_last_message.isEmpty())
        m_status_message->setStyleSheet(error ? "color: #b00020; font-weight: bold" : "");
    m_last_message = text;
    m_last_error = error;
    m_status_message->setText(text);
    m_status_message->setToolTip(text);
    emit messageShown(text, error);
}

void MainWindow::exportCurrent() {
    auto* panel = static_cast<Panel*>(m_tabs->currentWidget());
    const QString path = QFileDialog::getSaveFileName(this, "Export", "ign-" + panel->name() + ".png", "PNG (*.png)");
    if (path.isEmpty()) return;
    const QString error = panel->saveCurrent(path);
    showMessage(error.isEmpty() ? "wrote " + path : error, !error.isEmpty());
}

void MainWindow::saveHistory() {
    const QString folder = QFileDialog::getExistingDirectory(this, "Save history into");
    if (folder.isEmpty()) return;
    const QString error = m_history->saveAll(folder);
    showMessage(error.isEmpty() ? "saved the history into " + folder : error, !error.isEmpty());
}

void MainWindow::about() {
    QMessageBox::about(this, "About IGN Studio", aboutText());
}

QString MainWindow::aboutText() {
    const auto html = [](const std::string& text) {
        return QString::fromStdString(text).toHtmlEscaped().replace("\n", "<br>");
    };
    return QString("<b>IGN Studio %1</b><p>Idempotent Generative Networks: train, sample, refine, interpolate "
                   "and project.</p><p>Qt %2 (built with %3)<br>%4</p><p>%5</p>")
        .arg(ign::kVersion, qVersion(), QT_VERSION_STR, html(ign::library_versions()), html(ign::system_summary()));
}

void MainWindow::saveSettings() const {
    QSettings settings;
    settings.setValue("window/geometry", saveGeometry());
    settings.setValue("window/tab", m_tabs->currentIndex());
    for (auto* panel : m_panels) panel->saveSettings(settings);
}

void MainWindow::closeEvent(QCloseEvent* event) {
    for (auto* panel : m_panels)
        if (!panel->prepareToClose(m_confirm_close)) return event->ignore();
    saveSettings();
    event->accept();
}

QStringList MainWindow::saveScreenshots(const QString& dir) {
    QDir().mkpath(dir);
    QStringList written;
    for (auto* panel : m_panels) {
        m_tabs->setCurrentWidget(panel);
        QApplication::processEvents();
        const QString path = QDir(dir).filePath("studio-" + panel->name() + ".png");
        if (grab().save(path)) written << path;
    }
    return written;
}

}  // namespace ign_ui
