#include "train_panel.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QEventLoop>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QLineEdit>
#include <QMenu>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QSplitter>
#include <QTimer>
#include <QToolButton>
#include <algorithm>
#include <cmath>

#include "actions.h"
#include "ign/session.h"
#include "image_view.h"
#include "loss_plot.h"
#include "run_follower.h"
#include "training_worker.h"

namespace ign_ui {
namespace {

QString duration(double seconds) {
    if (!std::isfinite(seconds) || seconds < 0) return "--:--";
    const long s = long(seconds + 0.5);
    return s >= 3600 ? QString("%1:%2:%3").arg(s / 3600).arg((s / 60) % 60, 2, 10, QChar('0')).arg(s % 60, 2, 10, QChar('0'))
                     : QString("%1:%2").arg(s / 60, 2, 10, QChar('0')).arg(s % 60, 2, 10, QChar('0'));
}

// The form's defaults: the engine's (options.h), except where the studio deliberately differs. It trains
// live on a desktop, beside the user's other work, so a first run must show something within a minute:
// a narrower network (width 32, not 64), a smaller batch (64, not 256), a preview every 50 steps (not
// 250) and a checkpoint every 250 (not 500).
const ign::TrainOptions& studio_defaults() {
    static const ign::TrainOptions defaults = [] {
        ign::TrainOptions o;
        o.model.width = 32;
        o.settings.batch = 64;
        o.preview_every = 50;
        o.checkpoint_every = 250;
        return o;
    }();
    return defaults;
}

// The engine's list of an option's values, for a combo box.
QStringList qt_list(const std::vector<std::string>& names) {
    QStringList list;
    for (const auto& name : names) list << QString::fromStdString(name);
    return list;
}

QSpinBox* spin(int lo, int hi, int value, QWidget* parent, const QString& tip) {
    auto* s = new QSpinBox(parent);
    s->setRange(lo, hi);
    s->setValue(value);
    s->setToolTip(tip);
    return s;
}

QDoubleSpinBox* dspin(double lo, double hi, double value, int decimals, QWidget* parent, const QString& tip) {
    auto* s = new QDoubleSpinBox(parent);
    s->setRange(lo, hi);
    s->setDecimals(decimals);
    s->setValue(value);
    s->setToolTip(tip);
    return s;
}

// The objective's settings on the form, by their JSON names (options.h), so that the form builds, reads,
// fills, resumes and saves them by iterating this list.
struct ObjectiveRow {
    const char* field;
    const char* label;
    double lo, hi;
    int decimals;  // 0: a count
    const char* tip;
    // Said inside the box around the number.
    const char* prefix = "";
    const char* suffix = "";
    const char* zero_text = "";  // shown for 0 where 0 means something else than none
};
const std::vector<ObjectiveRow>& objective_rows() {
    static const std::vector<ObjectiveRow> rows{
        {"lambda_rec", "λ reconstruction", 0, 1000, 2, "weight of reconstruction"},
        {"lambda_idem", "λ idempotence", 0, 1000, 2, "weight of idempotence"},
        {"lambda_tight", "λ tightness", 0, 1000, 2, "weight of tightness (0: none, a non-adversarial objective)"},
        {"tight_clamp_a", "Clamp a", 0.01, 100, 2, "tightness is clamped to a times each image's reconstruction error"},
        {"lambda_coverage", "λ coverage", 0, 1000, 2,
         "weight of coverage: each real image pulls the generated sample matched to it toward itself, so no kind of "
         "image is dropped (IMLE; 0: off)"},
        {"coverage_candidates", "Match candidates", 1, 64, 0, "coverage: noises each real image adds to a matching's pool"},
        {"coverage_every", "Match every", 0, 100000, 0, "coverage: steps between matchings (0: one epoch, at most 100 steps)",
         "", " steps", "each epoch"},
        {"coverage_downsample", "Match at", 1, 64, 0, "coverage: the matching compares images shrunk by this factor",
         "1/", " size"},
    };
    return rows;
}

}  // namespace

TrainPanel::TrainPanel(QWidget* parent) : Panel(parent), m_worker(new TrainingWorker) {
    TrainingWorker::registerTypes();
    auto* form = buildForm();
    buildActions();
    layOut(form);
    connectWorker();
    connectFollower();
    setRunning(false);
}

// The run's settings, every field starting at the studio's defaults (studio_defaults()).
QGroupBox* TrainPanel::buildForm() {
    auto* form_box = new QGroupBox("Run", this);
    auto* form = new QFormLayout(form_box);
    addModelRows(form);
    addOptimisationRows(form);
    addOutputRows(form);
    return form_box;
}

// Data, preset, width, latent, norm and noise.
void TrainPanel::addModelRows(QFormLayout* form) {
    const auto& defaults = studio_defaults();
    m_data = new QComboBox(this);
    m_data->setEditable(true);
    m_data->addItems({"digits", "fashion", "emoji"});
    m_data->setToolTip("a fetched set (digits, fashion, emoji), or any image folder, IDX file or folder of IDX files");
    auto* data_row = new QHBoxLayout;
    auto* browse_data = new QToolButton(this);
    browse_data->setText("…");
    browse_data->setToolTip("choose an image folder or an IDX file");
    connect(browse_data, &QToolButton::clicked, this, &TrainPanel::browseData);
    data_row->addWidget(m_data, 1);
    data_row->addWidget(browse_data);
    form->addRow("Data", data_row);
    m_preset = new QComboBox(this);
    m_preset->addItems(qt_list(ign::preset_names()));
    form->addRow("Preset", m_preset);
    m_width = spin(4, 512, defaults.model.width, this, "first-layer channels nf (preset: 64)");
    m_latent = spin(8, 4096, defaults.model.latent, this, "bottleneck channels L");
    form->addRow("Width nf", m_width);
    form->addRow("Latent L", m_latent);
    m_norm = new QComboBox(this);
    m_norm->addItems(qt_list(ign::norm_names()));
    form->addRow("Norm", m_norm);
    m_noise = new QComboBox(this);
    m_noise->addItems(qt_list(ign::noise_names()));
    form->addRow("Noise", m_noise);
}

// Batch, steps, seed, learning rate and the objective's weights.
void TrainPanel::addOptimisationRows(QFormLayout* form) {
    const auto& defaults = studio_defaults();
    m_batch = spin(2, 4096, defaults.settings.batch, this, "images per step");
    m_steps = spin(1, 10'000'000, int(defaults.settings.steps), this, "total optimisation steps (with resume: the new total)");
    m_seed = spin(0, 1'000'000'000, int(defaults.settings.seed), this, "seed for initialisation, data order and noise");
    m_fit = new QCheckBox("batch, steps, λs, rate", this);
    m_fit->setToolTip(QString("a new run chooses its batch, steps and objective from how many images the data holds "
                              "(fewer than %1: batch 64, 1,000 steps, coverage without tightness); the boxes below "
                              "show the choice once training starts. Off: the boxes' values.")
                          .arg(ign::kSmallDataImages));
    m_fit->setChecked(true);
    form->addRow("Fit to data", m_fit);
    form->addRow("Batch", m_batch);
    form->addRow("Steps", m_steps);
    form->addRow("Seed", m_seed);
    m_lr = dspin(1e-6, 1.0, defaults.optimizer.lr, 6, this, "Adam learning rate");
    form->addRow("Learning rate", m_lr);
    for (const auto& row : objective_rows()) {
        auto* box = dspin(row.lo, row.hi, 0, row.decimals, this, row.tip);
        box->setPrefix(row.prefix);
        box->setSuffix(row.suffix);
        box->setSpecialValueText(row.zero_text);
        m_objective.push_back({row.field, box});
        form->addRow(row.label, box);
    }
    setObjective(defaults.objective);
}

// The boxes "Fit to data" chooses are read-only while it is on (a resume keeps the checkpoint's batch and
// takes the λs of the form, so there they stay editable).
void TrainPanel::enableFittedBoxes() {
    const bool editable = !m_fit->isChecked() || !m_resume->text().trimmed().isEmpty();
    m_batch->setEnabled(editable);
    m_steps->setEnabled(editable);
    m_lr->setEnabled(editable);
    for (const auto& [field, box] : m_objective) box->setEnabled(editable);
}

// What runs, as the engine resolved it: the form shows it (the fitted batch, steps, λs and rate).
void TrainPanel::showChosenSettings(const ign::TrainOptions& options) {
    m_batch->setValue(options.settings.batch);
    m_lr->setValue(options.optimizer.lr);
    m_steps->setValue(int(std::min<int64_t>(options.settings.steps, m_steps->maximum())));
    setObjective(options.objective);
}

void TrainPanel::setObjective(const ign::ObjectiveOptions& objective) {
    const nlohmann::json fields = objective;
    for (const auto& [field, box] : m_objective) box->setValue(fields.at(field).get<double>());
}

ign::ObjectiveOptions TrainPanel::objective() const {
    nlohmann::json fields = studio_defaults().objective;
    for (const auto& [field, box] : m_objective) fields[field] = box->value();
    return fields.get<ign::ObjectiveOptions>();
}

// Checkpoints, previews, device, precision, run folder and resume.
void TrainPanel::addOutputRows(QFormLayout* form) {
    const auto& defaults = studio_defaults();
    m_checkpoint_every = spin(0, 1'000'000, int(defaults.checkpoint_every), this, "steps between checkpoints (0: only at the end)");
    m_preview_every = spin(0, 1'000'000, int(defaults.preview_every), this, "steps between preview grids (0: never)");
    m_keep_checkpoints = new QCheckBox("keep each", this);
    m_keep_checkpoints->setToolTip("besides checkpoint.pt (always the latest), keep every saved checkpoint as checkpoint-<step>.pt, "
                                   "to evaluate them afterwards (ign eval) and pick a step");
    auto* checkpoint_row = new QHBoxLayout;
    checkpoint_row->addWidget(m_checkpoint_every);
    checkpoint_row->addWidget(m_keep_checkpoints, 1);
    form->addRow("Checkpoint every", checkpoint_row);
    form->addRow("Preview every", m_preview_every);
    m_device = new QComboBox(this);
    m_device->addItems({"auto", "cpu", "cuda"});
    m_device->setToolTip("auto: CUDA when present; a missing GPU falls back to the CPU and says so");
    form->addRow("Device", m_device);
    m_precision = new QComboBox(this);
    m_precision->addItems(qt_list(ign::precision_names()));
    m_precision->setToolTip("bf16: forward passes under bfloat16 autocast, weights stay float32 (faster where the "
                            "CPU or GPU has bfloat16 units). auto: bf16 on a CPU that computes bfloat16 in "
                            "hardware, float32 elsewhere");
    form->addRow("Precision", m_precision);
    m_out = new QLineEdit(this);
    m_out->setPlaceholderText("runs/<preset>-<data>");
    auto* out_row = new QHBoxLayout;
    auto* browse_out = new QToolButton(this);
    browse_out->setText("…");
    connect(browse_out, &QToolButton::clicked, this, &TrainPanel::browseOut);
    out_row->addWidget(m_out, 1);
    out_row->addWidget(browse_out);
    form->addRow("Run folder", out_row);
    m_resume = new QLineEdit(this);
    m_resume->setPlaceholderText("(fresh run)");
    m_resume->setToolTip("continue this checkpoint: the form shows its settings; model, noise, batch and seed stay "
                         "the checkpoint's, a changed λ or learning rate applies from its step on; Steps is the new total");
    connect(m_resume, &QLineEdit::editingFinished, this, &TrainPanel::loadResumeSettings);
    connect(m_resume, &QLineEdit::textChanged, this, &TrainPanel::enableFittedBoxes);
    connect(m_fit, &QCheckBox::toggled, this, &TrainPanel::enableFittedBoxes);
    enableFittedBoxes();
    auto* resume_row = new QHBoxLayout;
    auto* browse_resume = new QToolButton(this);
    browse_resume->setText("…");
    connect(browse_resume, &QToolButton::clicked, this, &TrainPanel::browseResume);
    resume_row->addWidget(m_resume, 1);
    resume_row->addWidget(browse_resume);
    form->addRow("Resume from", resume_row);
}

void TrainPanel::buildActions() {
    m_start = make_action("train.start", this);
    m_pause = make_action("train.pause", this);
    m_pause->setCheckable(true);
    m_stop = make_action("train.stop", this);
    connect(m_start, &QAction::triggered, this, &TrainPanel::start);
    connect(m_pause, &QAction::toggled, this, &TrainPanel::togglePause);
    connect(m_stop, &QAction::triggered, this, &TrainPanel::stop);
    m_follow = make_action("train.follow", this);
    m_follow->setToolTip("watch a run that ign train writes (here, or on a server through a shared folder)");
    connect(m_follow, &QAction::triggered, this, &TrainPanel::chooseRunToFollow);
    m_export_csv = new QAction("Export losses as &CSV…", this);
    m_export_png = new QAction("Export loss &plot as PNG…", this);
    connect(m_export_csv, &QAction::triggered, this, &TrainPanel::exportCsv);
    connect(m_export_png, &QAction::triggered, this, &TrainPanel::exportPng);
}

void TrainPanel::layOut(QGroupBox* form_box) {
    auto* buttons = new QHBoxLayout;
    for (auto* action : {m_start, m_pause, m_stop}) {
        auto* b = new QToolButton(this);
        b->setDefaultAction(action);
        b->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
        buttons->addWidget(b);
    }
    auto* follow_button = new QToolButton(this);  // its own row: the three above fill the width
    follow_button->setDefaultAction(m_follow);
    follow_button->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_progress = new QProgressBar(this);
    m_status = new QLabel("Not training. Choose data and options, then Start.", this);
    m_status->setWordWrap(true);
    auto* left = new QVBoxLayout;
    left->addWidget(form_box);
    left->addLayout(buttons);
    left->addWidget(follow_button);
    left->addWidget(m_progress);
    left->addWidget(m_status);
    left->addStretch();
    auto* left_widget = new QWidget(this);
    left_widget->setLayout(left);
    left_widget->setMaximumWidth(360);

    m_plot = new LossPlot(this);
    auto* export_row = new QHBoxLayout;
    auto* csv = new QPushButton("Export CSV…", this);
    auto* png = new QPushButton("Export plot PNG…", this);
    connect(csv, &QPushButton::clicked, this, &TrainPanel::exportCsv);
    connect(png, &QPushButton::clicked, this, &TrainPanel::exportPng);
    export_row->addStretch();
    export_row->addWidget(csv);
    export_row->addWidget(png);
    m_samples = new ImageView("f(z)", this);
    m_refined = new ImageView("f(f(z))", this);
    m_preview_caption = new QLabel("Preview: fixed-seed samples appear here while training runs.", this);
    auto* previews = new QHBoxLayout;
    previews->addWidget(m_samples);
    previews->addWidget(m_refined);
    auto* right = new QVBoxLayout;
    right->addWidget(m_plot, 3);
    right->addLayout(export_row);
    right->addWidget(m_preview_caption);
    right->addLayout(previews, 2);

    auto* layout = new QHBoxLayout(this);
    layout->addWidget(left_widget);
    layout->addLayout(right, 1);
}

// The training thread's worker: its signals arrive here, queued, on the GUI thread.
void TrainPanel::connectWorker() {
    m_thread.setObjectName("ign-training");  // the thread's name in top -H and gdb
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(m_worker, &TrainingWorker::started, this,
            [this](const QString& d, const QString& out, const std::vector<ign::LossRecord>& history,
                   const ign::TrainOptions& options) {
                m_plot->setHistory(history);
                showChosenSettings(options);
                onStarted(d, out);
            });
    connect(m_worker, &TrainingWorker::progress, this, &TrainPanel::onProgress);
    connect(m_worker, &TrainingWorker::preview, this, [this](qint64 step, const QImage& samples, const QImage& refined) {
        m_samples->setImage(samples);
        m_refined->setImage(refined);
        m_preview_caption->setText(QString("Preview at step %1: f(z) left, f(f(z)) right, same noise every time").arg(step));
    });
    connect(m_worker, &TrainingWorker::checkpointSaved, this, [this](qint64 step, const QString& path) {
        m_last_checkpoint = path;
        emit message(QString("checkpoint saved at step %1: %2").arg(step).arg(path), false);
    });
    connect(m_worker, &TrainingWorker::warning, this, [this](const QString& text) { emit message(text, true); });
    connect(m_worker, &TrainingWorker::finished, this, &TrainPanel::onFinished);
    m_thread.start();
}

// A run folder that another process writes, read as it grows.
void TrainPanel::connectFollower() {
    m_follower = new RunFollower(this);
    connect(m_follower, &RunFollower::historyReset, m_plot, &LossPlot::setHistory);
    connect(m_follower, &RunFollower::historyAppended, this, [this](const std::vector<ign::LossRecord>& records) {
        for (const auto& r : records) m_plot->append(r);
    });
    connect(m_follower, &RunFollower::previewChanged, this, [this](const QImage& image) {
        m_samples->setImage(image);
        m_preview_caption->setText("Preview from " + m_follower->folder() +
                                   "/preview.png: f(z) and f(f(z)) in pairs, same noise every time");
    });
    connect(m_follower, &RunFollower::statusChanged, this, [this](const ign::RunStatus& st, double age_s) {
        ign::TrainProgress p;
        p.step = st.step;
        p.total_steps = st.total_steps;
        p.images_per_s = st.images_per_s;
        p.eta_s = st.eta_s;
        showProgress(p);
        QString state = QString::fromStdString(st.state);
        if (st.state == "running")
            state = age_s > 60 ? QString("no update for %1: the run may have stopped").arg(duration(age_s))
                               : QString("running (updated %1 s ago)").arg(int(age_s));
        m_status->setText("Following " + m_follower->folder() + ": " + state +
                          (st.message.empty() ? QString() : "\n" + QString::fromStdString(st.message)) + "\n" +
                          QString::fromStdString(st.description));
    });
    connect(m_follower, &RunFollower::checkpointChanged, this, [this](const QString& path) {
        m_last_checkpoint = path;
        emit checkpointReady(path);
    });
    connect(m_follower, &RunFollower::problem, this, [this](const QString& text) { emit message(text, true); });
}

TrainPanel::~TrainPanel() {
    if (m_running) stopAndWait();
    m_thread.quit();
    m_thread.wait();
}

ign::TrainRequest TrainPanel::request(QString* problem) const {
    ign::TrainRequest r;
    auto& o = r.options;
    const QString data = m_data->currentText().trimmed();
    if (data.isEmpty()) *problem = "choose a data set";
    try {
        o.model = ign::preset_options(m_preset->currentText().toStdString());
    } catch (const std::exception& e) {
        *problem = e.what();
    }
    o.model.width = m_width->value();
    o.model.latent = m_latent->value();
    o.model.norm = ign::norm_from_string(m_norm->currentText().toStdString());
    o.noise = ign::noise_kind_from_string(m_noise->currentText().toStdString());
    o.settings.data = data.toStdString();
    o.settings.batch = m_batch->value();
    o.settings.seed = uint64_t(m_seed->value());
    o.optimizer.lr = m_lr->value();
    o.objective = objective();
    o.checkpoint_every = m_checkpoint_every->value();
    o.keep_checkpoints = m_keep_checkpoints->isChecked();
    o.preview_every = m_preview_every->value();
    o.out_dir = m_out->text().trimmed().toStdString();
    o.resume = m_resume->text().trimmed().toStdString();
    if (!o.resume.empty() && !QFileInfo(m_resume->text().trimmed()).isFile())
        *problem = m_resume->text().trimmed() + ": no such checkpoint file";
    if (!o.resume.empty() && m_resume->text().trimmed() == m_resume_loaded) {  // the form shows the checkpoint's values
        for (const auto& [field, box] : m_objective) o.resume_changes.objective[field] = box->value();
        o.resume_changes.lr = m_lr->value();
    }
    if (o.model.norm == ign::Norm::Group && o.model.width % 8 != 0)
        *problem = "group norm needs a width that is a multiple of 8";
    r.data_given = o.resume.empty() || m_data->property("explicit").toBool();
    r.steps = m_steps->value();
    if (o.resume.empty() && m_fit->isChecked()) {
        r.fit = ign::FitOpen::all();
        r.steps = 0;
    }
    r.device = m_device->currentText().toStdString();
    o.precision = m_precision->currentText().toStdString();
    return r;
}

void TrainPanel::start() {
    if (m_running || isFollowing()) return;
    QString problem;
    const auto r = request(&problem);
    if (!problem.isEmpty()) {
        m_status->setText("Cannot start: " + problem);
        emit message("cannot start training: " + problem, true);
        return;
    }
    m_plot->clear();
    m_progress->setRange(0, 0);  // busy while the data loads
    m_status->setText("Loading data…");
    setRunning(true);
    QMetaObject::invokeMethod(m_worker, [worker = m_worker, r] { worker->run(r); }, Qt::QueuedConnection);
}

void TrainPanel::togglePause(bool paused) {
    m_worker->pause(paused);
    m_pause->setText(paused ? "&Resume training" : "&Pause training");
    if (m_running) m_status->setText(paused ? "Paused (the run keeps its place; Resume continues)" : "Training…");
}

void TrainPanel::stop() {
    if (!m_running) return;
    m_worker->stop();
    m_status->setText("Stopping: saving a checkpoint…");
}

bool TrainPanel::stopAndWait(int timeout_ms) {
    if (!m_running) return true;
    QEventLoop loop;
    connect(this, &TrainPanel::runningChanged, &loop, [&loop](bool running) { if (!running) loop.quit(); });
    QTimer::singleShot(timeout_ms, &loop, &QEventLoop::quit);
    stop();
    loop.exec();
    return !m_running;
}

void TrainPanel::onStarted(const QString& description, const QString& out_dir) {
    m_status->setText("Training " + description + "\nRun folder: " + out_dir);
    emit message("training " + description, false);
}

void TrainPanel::onProgress(const ign::TrainProgress& p) {
    showProgress(p);
    m_plot->append(p.losses);
}

void TrainPanel::showProgress(const ign::TrainProgress& p) {
    m_progress->setRange(0, int(std::min<int64_t>(p.total_steps, INT32_MAX)));
    m_progress->setValue(int(std::min<int64_t>(p.step, INT32_MAX)));
    m_progress->setFormat(QString("step %1 / %2 — %3 img/s — ETA %4")
                              .arg(p.step)
                              .arg(p.total_steps)
                              .arg(p.images_per_s, 0, 'f', 0)
                              .arg(duration(p.eta_s)));
}

void TrainPanel::chooseRunToFollow() {
    if (isFollowing()) {
        stopFollowing();
        return;
    }
    const QString folder = QFileDialog::getExistingDirectory(this, "Follow a run folder", m_out->text().isEmpty() ? "runs" : m_out->text());
    if (!folder.isEmpty()) follow(folder);
}

bool TrainPanel::follow(const QString& folder) {
    if (m_running) {
        emit message("cannot follow a run folder while this panel trains", true);
        return false;
    }
    m_plot->clear();
    m_samples->setImage(QImage());
    m_refined->setImage(QImage());
    m_refined->setVisible(false);  // preview.png holds both, in pairs
    m_status->setText("Following " + folder + "…");
    m_follow->setText("Stop &following");
    m_start->setEnabled(false);
    for (auto* w : findChildren<QGroupBox*>()) w->setEnabled(false);
    emit message("following the run in " + folder, false);
    m_follower->follow(folder);  // after the message: a problem with the folder is the last word
    return true;
}

void TrainPanel::stopFollowing() {
    if (!isFollowing()) return;
    m_follower->stop();
    m_refined->setVisible(true);
    m_follow->setText("&Follow run folder…");
    m_status->setText("Stopped following " + m_follower->folder() + ".");
    setRunning(false);
}

bool TrainPanel::isFollowing() const { return m_follower->isFollowing(); }
QString TrainPanel::progressText() const { return m_progress->text(); }
QString TrainPanel::statusText() const { return m_status->text(); }

void TrainPanel::onFinished(const QString& status, const QString& text, const QString& checkpoint) {
    m_pause->setChecked(false);
    m_progress->setRange(0, std::max(1, m_progress->maximum()));
    if (!checkpoint.isEmpty()) m_last_checkpoint = checkpoint;
    const bool error = status == "failed" || status == "diverged";
    m_status->setText((error ? "Training " + status + ": " : "") + text);
    emit message(text, error);
    setRunning(false);
    if (!checkpoint.isEmpty() && !error) emit checkpointReady(checkpoint);
}

void TrainPanel::setRunning(bool running) {
    m_running = running;
    m_start->setEnabled(!running);
    m_pause->setEnabled(running);
    m_stop->setEnabled(running);
    m_follow->setEnabled(!running);
    for (auto* w : findChildren<QGroupBox*>()) w->setEnabled(!running);
    emit runningChanged(running);
}

void TrainPanel::browseData() {
    QMenu menu(this);
    auto* folder = menu.addAction("Image folder or folder of IDX files…");
    auto* file = menu.addAction("IDX images file (*-idx3-ubyte[.gz])…");
    auto* chosen = menu.exec(QCursor::pos());
    QString spec;
    if (chosen == folder) spec = QFileDialog::getExistingDirectory(this, "Image folder or folder of IDX files");
    else if (chosen == file)
        spec = QFileDialog::getOpenFileName(this, "IDX images file", {}, "IDX images (*idx3-ubyte *idx3-ubyte.gz);;All files (*)");
    if (!spec.isEmpty()) setData(spec);
}

void TrainPanel::browseResume() {
    const QString file = QFileDialog::getOpenFileName(this, "Checkpoint to resume", "runs", "Checkpoints (*.pt)");
    if (!file.isEmpty()) setResume(file);
}

void TrainPanel::browseOut() {
    const QString folder = QFileDialog::getExistingDirectory(this, "Run folder");
    if (!folder.isEmpty()) setOutDir(folder);
}

void TrainPanel::exportCsv() {
    saveWithDialog("Export loss history", "losses.csv", "CSV (*.csv)", [this](const QString& path) { return m_plot->exportCsv(path); });
}

void TrainPanel::exportPng() {
    saveWithDialog("Export loss plot", "losses.png", "PNG (*.png)", [this](const QString& path) { return saveCurrent(path); });
}

QString TrainPanel::saveCurrent(const QString& path) const { return m_plot->exportPng(path); }

QList<QAction*> TrainPanel::menuActions() const {
    return {m_start, m_pause, m_stop, nullptr, m_follow, nullptr, m_export_csv, m_export_png};
}

// A running training is stopped with a checkpoint saved before the window closes, or the window stays.
bool TrainPanel::prepareToClose(bool ask) {
    if (!m_running) return true;
    if (ask && QMessageBox::question(this, "Training is running", "Training is still running. Stop it, save a checkpoint and quit?",
                                     QMessageBox::Save | QMessageBox::Cancel, QMessageBox::Save) != QMessageBox::Save)
        return false;
    emit message("stopping training and saving a checkpoint…", false);
    if (stopAndWait()) return true;
    emit message("training did not stop in time; not quitting so nothing is lost", true);
    return false;
}

void TrainPanel::setData(const QString& spec) {
    m_data->setCurrentText(spec);
    m_data->setProperty("explicit", true);
}
void TrainPanel::setSteps(int steps) { m_steps->setValue(steps); }
void TrainPanel::setPreset(const QString& preset) { m_preset->setCurrentText(preset); }
void TrainPanel::setBatch(int batch) { m_batch->setValue(batch); }
void TrainPanel::setFitToData(bool fit) { m_fit->setChecked(fit); }
void TrainPanel::setWidth(int width) { m_width->setValue(width); }
void TrainPanel::setPreviewEvery(int steps) { m_preview_every->setValue(steps); }
void TrainPanel::setOutDir(const QString& dir) { m_out->setText(dir); }
void TrainPanel::setKeepCheckpoints(bool keep) { m_keep_checkpoints->setChecked(keep); }
void TrainPanel::setResume(const QString& checkpoint) {
    m_resume->setText(checkpoint);
    loadResumeSettings();
}

// The form takes the settings of the checkpoint to resume, so that what it shows is what will run.
void TrainPanel::loadResumeSettings() {
    const QString path = m_resume->text().trimmed();
    if (path.isEmpty() || path == m_resume_loaded) return;
    m_resume_loaded.clear();
    try {
        const auto s = ign::summarize_checkpoint(path.toStdString());
        m_preset->setCurrentText(QString::fromStdString(s.model.preset));
        m_width->setValue(s.model.width);
        m_latent->setValue(s.model.latent);
        m_norm->setCurrentText(QString::fromStdString(ign::to_string(s.model.norm)));
        m_noise->setCurrentText(QString::fromStdString(ign::to_string(s.noise)));
        m_batch->setValue(s.train.batch);
        m_seed->setValue(int(std::min<uint64_t>(s.train.seed, uint64_t(m_seed->maximum()))));
        m_lr->setValue(s.optimizer.lr);
        setObjective(s.objective);
        if (m_steps->value() <= s.step) m_steps->setValue(int(std::min<int64_t>(s.step + 1000, m_steps->maximum())));
        m_resume_loaded = path;
        m_status->setText(QString("Resuming at step %1: model, noise, batch and seed are the checkpoint's; a changed "
                                  "λ or learning rate applies from step %1 on.")
                              .arg(s.step));
    } catch (const std::exception& e) {
        m_status->setText("Cannot resume: " + QString::fromStdString(e.what()));
    }
}

void TrainPanel::saveSettings(QSettings& s) const {
    s.beginGroup("train");
    s.setValue("data", m_data->currentText());
    s.setValue("preset", m_preset->currentText());
    s.setValue("width", m_width->value());
    s.setValue("latent", m_latent->value());
    s.setValue("norm", m_norm->currentText());
    s.setValue("noise", m_noise->currentText());
    s.setValue("batch", m_batch->value());
    s.setValue("steps", m_steps->value());
    s.setValue("seed", m_seed->value());
    s.setValue("lr", m_lr->value());
    for (const auto& [field, box] : m_objective) s.setValue(QString::fromStdString("objective_" + field), box->value());
    s.setValue("preview_every", m_preview_every->value());
    s.setValue("checkpoint_every", m_checkpoint_every->value());
    s.setValue("keep_checkpoints", m_keep_checkpoints->isChecked());
    s.setValue("fit_to_data", m_fit->isChecked());
    s.setValue("device", m_device->currentText());
    s.setValue("precision", m_precision->currentText());
    s.setValue("out", m_out->text());
    s.setValue("smoothing", m_plot->smoothing());
    s.endGroup();
}

void TrainPanel::loadSettings(const QSettings& s) {
    const auto v = [&s](const char* key, const QVariant& fallback) { return s.value(QString("train/") + key, fallback); };
    const auto& d = studio_defaults();
    const auto text = [](const std::string& value) { return QString::fromStdString(value); };
    m_data->setCurrentText(v("data", text(d.settings.data)).toString());
    m_preset->setCurrentText(v("preset", text(d.model.preset)).toString());
    m_width->setValue(v("width", d.model.width).toInt());
    m_latent->setValue(v("latent", d.model.latent).toInt());
    m_norm->setCurrentText(v("norm", text(ign::to_string(d.model.norm))).toString());
    m_noise->setCurrentText(v("noise", text(ign::to_string(d.noise))).toString());
    m_batch->setValue(v("batch", d.settings.batch).toInt());
    m_steps->setValue(v("steps", qlonglong(d.settings.steps)).toInt());
    m_seed->setValue(v("seed", qulonglong(d.settings.seed)).toInt());
    m_lr->setValue(v("lr", d.optimizer.lr).toDouble());
    const nlohmann::json objective = d.objective;
    for (const auto& [field, box] : m_objective)
        box->setValue(v((std::string("objective_") + field).c_str(), objective.at(field).get<double>()).toDouble());
    m_preview_every->setValue(v("preview_every", qlonglong(d.preview_every)).toInt());
    m_checkpoint_every->setValue(v("checkpoint_every", qlonglong(d.checkpoint_every)).toInt());
    m_keep_checkpoints->setChecked(v("keep_checkpoints", d.keep_checkpoints).toBool());
    m_fit->setChecked(v("fit_to_data", true).toBool());
    m_device->setCurrentText(v("device", "auto").toString());
    m_precision->setCurrentText(v("precision", text(d.precision)).toString());
    m_out->setText(v("out", "").toString());
    m_plot->setSmoothing(v("smoothing", 0.6).toDouble());
}

}  // namespace ign_ui
