#include "project_panel.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QDir>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QMimeData>
#include <QProgressBar>
#include <QPushButton>
#include <QSlider>
#include <QSpinBox>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>
#include <QtConcurrent/QtConcurrentRun>
#include <sys/prctl.h>

#include "actions.h"
#include "image_qt.h"
#include "image_view.h"
#include "latest_task.h"
#include "sketch_canvas.h"

namespace ign_ui {

ProjectPanel::ProjectPanel(QWidget* parent) : Panel(parent), m_task(new LatestTask("ign-project", this)) {
    setAcceptDrops(true);
    m_canvas = new SketchCanvas(this);
    connect(m_canvas, &SketchCanvas::changed, this, [this] {
        m_source = "canvas";
        requestProjection();
    });
    buildActions();
    auto* corruption = buildCorruptionBox();  // before the results: the keyboard focus follows this order
    buildResults();
    layOut(corruption);

    m_debounce = new QTimer(this);
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(30);
    connect(m_debounce, &QTimer::timeout, this, &ProjectPanel::projectNow);
    connect(&m_folder_watcher, &QFutureWatcher<QString>::finished, this, [this] {
        m_folder_progress->setVisible(false);
        m_folder_cancel_button->setVisible(false);
        const QString summary = m_folder_watcher.result();
        emit message(summary, summary.contains("failed") || summary.contains("cancelled"));
    });
}

// Drawing tools: every one a QAction with a shortcut, active while this panel is shown; and the inputs.
void ProjectPanel::buildActions() {
    auto make = [this](const char* id) {
        auto* a = make_action(id, this);
        addAction(a);
        return a;
    };
    m_brush = make("project.brush");
    m_eraser = make("project.eraser");
    m_brush->setCheckable(true);
    m_eraser->setCheckable(true);
    m_brush->setChecked(true);
    auto* tools = new QActionGroup(this);
    tools->addAction(m_brush);
    tools->addAction(m_eraser);
    connect(m_eraser, &QAction::toggled, m_canvas, &SketchCanvas::setEraser);
    m_smaller = make("project.smaller");
    m_larger = make("project.larger");
    connect(m_smaller, &QAction::triggered, this, [this] { m_canvas->setBrushSize(m_canvas->brushSize() - 2); });
    connect(m_larger, &QAction::triggered, this, [this] { m_canvas->setBrushSize(m_canvas->brushSize() + 2); });
    m_undo = make("project.undo");
    m_redo = make("project.redo");
    m_clear = make("project.clear");
    m_invert = make("project.invert");
    connect(m_undo, &QAction::triggered, m_canvas, &SketchCanvas::undo);
    connect(m_redo, &QAction::triggered, m_canvas, &SketchCanvas::redo);
    connect(m_clear, &QAction::triggered, m_canvas, &SketchCanvas::clear);
    connect(m_invert, &QAction::triggered, m_canvas, &SketchCanvas::invert);
    m_open = make_action("project.open", this);
    m_paste = make_action("project.paste", this);
    m_project_folder = make_action("project.folder", this);
    connect(m_open, &QAction::triggered, this, &ProjectPanel::openImage);
    connect(m_paste, &QAction::triggered, this, &ProjectPanel::paste);
    connect(m_project_folder, &QAction::triggered, this, &ProjectPanel::chooseAndProjectFolder);
    auto update_history = [this] {
        m_undo->setEnabled(m_canvas->canUndo());
        m_redo->setEnabled(m_canvas->canRedo());
    };
    connect(m_canvas, &SketchCanvas::historyChanged, this, update_history);
    update_history();

    m_save = make_action("project.save", this);
    connect(m_save, &QAction::triggered, this, [this] {
        saveWithDialog("Save projection", "projection.png", "PNG (*.png)", [this](const QString& path) { return saveOutput(path); });
    });
}

// The corruption generator: a data-set image, corrupted by a chosen kind and strength, as input.
QGroupBox* ProjectPanel::buildCorruptionBox() {
    auto* corrupt_box = new QGroupBox("Corrupt a test image of the model's data set", this);
    auto* corrupt_row = new QHBoxLayout(corrupt_box);
    m_data_index = new QSpinBox(this);
    m_data_index->setRange(0, 9999);
    m_data_index->setPrefix("image ");
    m_corruption = new QComboBox(this);
    for (const auto& name : ign::corruption_names()) m_corruption->addItem(QString::fromStdString(name));
    m_corruption->addItem("none");
    m_sigma = new QSlider(Qt::Horizontal, this);
    m_sigma->setRange(0, 100);
    m_sigma->setValue(50);
    m_sigma_label = new QLabel("σ 0.50", this);
    connect(m_sigma, &QSlider::valueChanged, this, [this](int v) {
        m_sigma_label->setText(QString("σ %1").arg(v / 100.0, 0, 'f', 2));
        if (m_source.startsWith("data")) corruptDataImage();
    });
    auto* corrupt_button = new QPushButton("Load and corrupt", this);
    connect(corrupt_button, &QPushButton::clicked, this, &ProjectPanel::corruptDataImage);
    for (QWidget* w : std::initializer_list<QWidget*>{m_data_index, m_corruption, m_sigma_label, m_sigma, corrupt_button})
        corrupt_row->addWidget(w);
    return corrupt_box;
}

// The input as the model sees it, f^k of it, the chain, and k.
void ProjectPanel::buildResults() {
    m_input = new ImageView("input as the model sees it", this);
    m_output = new ImageView("f^k(x)", this);
    m_chain = new ImageView("x, f(x), f²(x) … f^k(x)", this);
    m_k = new QSlider(Qt::Horizontal, this);
    m_k->setRange(1, 8);
    m_k->setValue(2);
    m_k_label = new QLabel("k = 2", this);
    connect(m_k, &QSlider::valueChanged, this, [this](int k) {
        m_k_label->setText(QString("k = %1").arg(k));
        projectNow();
    });
}

void ProjectPanel::layOut(QGroupBox* corrupt_box) {
    // Two rows of tools: drawing, then editing and input.
    auto* toolbar = new QToolBar(this);
    toolbar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    for (auto* a : {m_brush, m_eraser, m_smaller, m_larger}) toolbar->addAction(a);
    auto* edit_bar = new QToolBar(this);
    edit_bar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    for (auto* a : {m_undo, m_redo, m_clear, m_invert, m_open, m_paste}) edit_bar->addAction(a);
    m_brush_label = new QLabel(QString("brush %1").arg(m_canvas->brushSize()), this);
    connect(m_canvas, &SketchCanvas::brushSizeChanged, this, [this](int s) { m_brush_label->setText(QString("brush %1").arg(s)); });
    auto* k_row = new QHBoxLayout;
    k_row->addWidget(new QLabel("apply f", this));
    k_row->addWidget(m_k, 1);
    k_row->addWidget(m_k_label);
    auto* results_top = new QHBoxLayout;
    results_top->addWidget(m_input);
    results_top->addWidget(m_output);
    auto* folder_row = new QHBoxLayout;
    auto* folder_button = new QToolButton(this);
    folder_button->setDefaultAction(m_project_folder);
    m_folder_progress = new QProgressBar(this);
    m_folder_progress->setVisible(false);
    m_folder_cancel_button = new QPushButton("Cancel", this);
    m_folder_cancel_button->setVisible(false);
    connect(m_folder_cancel_button, &QPushButton::clicked, this, &ProjectPanel::cancelFolderJob);
    auto* save = new QToolButton(this);
    save->setDefaultAction(m_save);
    folder_row->addWidget(folder_button);
    folder_row->addWidget(m_folder_progress, 1);
    folder_row->addWidget(m_folder_cancel_button);
    folder_row->addStretch();
    folder_row->addWidget(save);

    auto* left = new QVBoxLayout;
    auto* tools_row = new QHBoxLayout;
    tools_row->addWidget(toolbar, 1);
    tools_row->addWidget(m_brush_label);
    left->addLayout(tools_row);
    left->addWidget(edit_bar);
    left->addWidget(m_canvas, 1);
    left->addWidget(new QLabel("Draw, drop or paste an image (any size or format), or open one.", this));
    auto* right = new QVBoxLayout;
    right->addLayout(results_top, 3);
    right->addLayout(k_row);
    right->addWidget(m_chain, 1);
    right->addWidget(corrupt_box);
    right->addLayout(folder_row);
    auto* layout = new QHBoxLayout(this);
    layout->addLayout(left, 1);
    layout->addLayout(right, 1);
}

ProjectPanel::~ProjectPanel() {
    m_folder_cancel = true;
    m_folder_watcher.waitForFinished();
}

QList<QAction*> ProjectPanel::menuActions() const {
    return QList<QAction*>{m_open, m_paste, m_project_folder, m_save, nullptr} + editActions();
}

bool ProjectPanel::prepareToClose(bool) {
    if (folderJobRunning()) cancelFolderJob();
    return true;
}

QList<QAction*> ProjectPanel::editActions() const {
    return {m_brush, m_eraser, m_smaller, m_larger, m_undo, m_redo, m_clear, m_invert};
}

void ProjectPanel::setModel(std::shared_ptr<ign::ModelSession> model) {
    m_model = std::move(model);
    // An untouched canvas takes the data's polarity: white strokes on black for the gray sets
    // (MNIST), dark strokes on white paper for colour images (emoji).
    if (!m_canvas->canUndo()) {
        const bool colour = m_model && m_model->channels() == 3;
        m_canvas->resetSheet(colour ? Qt::white : Qt::black, colour ? Qt::black : Qt::white);
    }
    projectNow();
}

// Coalesces changes: the first change of a burst schedules one projection 30 ms later and later
// changes ride along, so a projection follows continuous drawing instead of waiting for a pause.
void ProjectPanel::requestProjection() {
    if (!m_debounce->isActive()) m_debounce->start();
}

void ProjectPanel::projectNow() {
    m_debounce->stop();
    if (!m_model) return;
    const auto input = from_qimage(m_canvas->image());
    const int k = m_k->value();
    auto model = m_model;
    m_task->submit([this, model, input, k]() -> LatestTask::Apply {
        auto steps = model->project(input, k);
        return [this, steps = std::move(steps), k]() mutable {
            m_last_chain = std::move(steps);
            m_input->setImage(to_qimage(m_last_chain.front()));
            m_output->setImage(to_qimage(m_last_chain.back()));
            m_output->setCaption(k == 1 ? "f(x)" : QString("f^%1(x)").arg(k));
            m_chain->setImage(to_qimage(ign::tile_images(m_last_chain, int(m_last_chain.size()))));
            ++m_shown;
        };
    });
}

QImage ProjectPanel::outputImage() const { return m_output->image(); }

QMap<QString, QString> ProjectPanel::metadata() const {
    QMap<QString, QString> m;
    if (m_model) {
        m["checkpoint"] = QString::fromStdString(m_model->path());
        m["step"] = QString::number(m_model->summary().step);
    }
    m["k"] = QString::number(m_k->value());
    m["source"] = m_source;
    return m;
}

QString ProjectPanel::saveOutput(const QString& path) const {
    if (m_last_chain.empty()) return "nothing projected yet";
    return save_png(to_qimage(m_last_chain.back()), path, metadata());
}

bool ProjectPanel::loadFile(const QString& path) {
    try {
        const auto image = ign::read_image_file(path.toStdString());
        m_canvas->setImage(to_qimage(image));
        m_source = QFileInfo(path).fileName();
        projectNow();
        emit message(QString("%1: %2x%3, projected").arg(path).arg(image.width).arg(image.height), false);
        return true;
    } catch (const std::exception& e) {
        emit message(QString::fromStdString(e.what()), true);
        return false;
    }
}

void ProjectPanel::loadFiles(const QStringList& paths) {
    QStringList files, folders;
    for (const auto& p : paths) (QFileInfo(p).isDir() ? folders : files) << p;
    if (!folders.isEmpty() && files.isEmpty()) {
        emit message(folders.first() + ": a folder; use Project folder… to project every image in it", true);
        return;
    }
    for (const auto& file : files)
        if (loadFile(file)) {
            if (files.size() > 1)
                emit message(QString("%1 files dropped: showing %2; use Project folder… for many").arg(files.size()).arg(file),
                             false);
            return;
        }
}

void ProjectPanel::dragEnterEvent(QDragEnterEvent* event) {
    if (event->mimeData()->hasUrls() || event->mimeData()->hasImage()) event->acceptProposedAction();
}

void ProjectPanel::dropEvent(QDropEvent* event) {
    const auto* mime = event->mimeData();
    if (mime->hasUrls()) {
        QStringList paths;
        for (const auto& url : mime->urls())
            if (url.isLocalFile()) paths << url.toLocalFile();
        if (paths.isEmpty()) return emit message("only local files can be dropped", true);
        loadFiles(paths);
    } else if (mime->hasImage()) {
        m_canvas->setImage(qvariant_cast<QImage>(mime->imageData()));
        m_source = "dropped image";
    }
    event->acceptProposedAction();
}

void ProjectPanel::openImage() {
    const QString path = QFileDialog::getOpenFileName(this, "Open image", {},
                                                      "Images (*.png *.jpg *.jpeg *.bmp *.webp *.tif *.tiff *.gif);;All files (*)");
    if (!path.isEmpty()) loadFile(path);
}

void ProjectPanel::paste() {
    const auto* mime = QApplication::clipboard()->mimeData();
    if (mime && mime->hasImage()) {
        m_canvas->setImage(qvariant_cast<QImage>(mime->imageData()));
        m_source = "clipboard";
    } else if (mime && mime->hasUrls()) {
        QStringList paths;
        for (const auto& url : mime->urls())
            if (url.isLocalFile()) paths << url.toLocalFile();
        loadFiles(paths);
    } else {
        emit message("the clipboard holds no image", true);
    }
}

void ProjectPanel::corruptDataImage() {
    if (!m_model) return;
    const auto data = m_model->summary().train.data;
    const int index = m_data_index->value(), channels = m_model->channels(), size = m_model->image_size();
    const QString kind = m_corruption->currentText();
    const double sigma = m_sigma->value() / 100.0;
    // The clean image is kept, so moving the σ slider re-corrupts it without reloading the data set.
    const QString key = QString("%1#%2@%3x%4").arg(QString::fromStdString(data)).arg(index).arg(channels).arg(size);
    const auto cached = key == m_clean_key ? std::optional<ign::Image8>(m_clean) : std::nullopt;
    m_task->submit([this, data, index, channels, size, kind, sigma, key, cached]() -> LatestTask::Apply {
        const auto clean = cached ? *cached : ign::dataset_images(data, channels, size, index, 1).at(0);
        auto corrupted = kind == "none" ? clean : ign::corrupt_image(clean, kind.toStdString(), sigma, uint64_t(index));
        return [this, corrupted, clean, key, data, index, kind] {
            m_clean = clean;
            m_clean_key = key;
            m_canvas->setImage(to_qimage(corrupted));
            m_source = QString("data %1 #%2 %3").arg(QString::fromStdString(data)).arg(index).arg(kind);
            projectNow();
        };
    });
}

void ProjectPanel::chooseAndProjectFolder() {
    const QString input = QFileDialog::getExistingDirectory(this, "Folder of images to project");
    if (input.isEmpty()) return;
    const QString output = QFileDialog::getExistingDirectory(this, "Output folder for the projections");
    if (output.isEmpty()) return;
    projectFolder(input, output);
}

void ProjectPanel::projectFolder(const QString& input, const QString& output) {
    if (!m_model) return emit message("open a model first", true);
    if (m_folder_watcher.isRunning()) return emit message("a folder is already being projected", true);
    QStringList files;
    for (const auto& info : QDir(input).entryInfoList(QDir::Files, QDir::Name)) files << info.absoluteFilePath();
    if (files.isEmpty()) return emit message(input + ": no files to project", true);
    if (!QDir().mkpath(output)) return emit message(output + ": cannot create the output folder", true);
    m_folder_cancel = false;
    m_folder_progress->setRange(0, int(files.size()));
    m_folder_progress->setValue(0);
    m_folder_progress->setVisible(true);
    m_folder_cancel_button->setVisible(true);
    auto model = m_model;
    const int k = m_k->value();
    m_folder_watcher.setFuture(QtConcurrent::run(&m_folder_pool, [this, model, files, output, k]() -> QString {
        prctl(PR_SET_NAME, "ign-folder");
        int done = 0, failed = 0;
        QString first_error;
        for (const auto& file : files) {
            if (m_folder_cancel) break;
            try {
                const auto result = model->project(ign::read_image_file(file.toStdString()), k).back();
                const QString out = QDir(output).filePath(QFileInfo(file).completeBaseName() + ".png");
                const QString error = save_png(to_qimage(result), out,
                                               {{"checkpoint", QString::fromStdString(model->path())},
                                                {"k", QString::number(k)},
                                                {"source", file}});
                if (!error.isEmpty()) throw std::runtime_error(error.toStdString());
                ++done;
            } catch (const std::exception& e) {
                if (!failed++) first_error = QString::fromStdString(e.what());
            }
            QMetaObject::invokeMethod(m_folder_progress, "setValue", Qt::QueuedConnection, Q_ARG(int, done + failed));
        }
        QString summary = QString("projected %1 of %2 files into %3").arg(done).arg(files.size()).arg(output);
        if (m_folder_cancel) summary += " (cancelled)";
        if (failed) summary += QString("; %1 failed, first: %2").arg(failed).arg(first_error);
        return summary;
    }));
}

}  // namespace ign_ui
