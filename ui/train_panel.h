#pragma once
// Train panel: a validated form for data, preset and hyperparameters; start / pause / resume / stop;
// progress with images/s and ETA; live loss curves; a live preview of fixed-seed samples and their f².
#include <QThread>

#include "ign/options.h"
#include "panel.h"

class QAction;
class QCheckBox;
class QComboBox;
class QSpinBox;
class QDoubleSpinBox;
class QLineEdit;
class QProgressBar;
class QLabel;
class QGroupBox;
class QFormLayout;
class QSettings;

namespace ign_ui {

class LossPlot;
class ImageView;
class TrainingWorker;
class RunFollower;

class TrainPanel : public Panel {
    Q_OBJECT
public:
    explicit TrainPanel(QWidget* parent = nullptr);
    ~TrainPanel() override;
    QString name() const override { return "train"; }
    QString title() const override { return "&Train"; }
    QList<QAction*> menuActions() const override;
    QList<QAction*> toolbarActions() const override { return {m_start, m_pause, m_stop}; }
    QString saveCurrent(const QString& path) const override;  // the loss plot
    bool prepareToClose(bool ask) override;                   // a running training is stopped and saved

    QAction* startAction() const { return m_start; }
    QAction* pauseAction() const { return m_pause; }
    QAction* stopAction() const { return m_stop; }
    QAction* followAction() const { return m_follow; }
    LossPlot* lossPlot() const { return m_plot; }
    ImageView* previewSamples() const { return m_samples; }
    ImageView* previewRefined() const { return m_refined; }
    bool isRunning() const { return m_running; }
    QString lastCheckpoint() const { return m_last_checkpoint; }

    // The request the form describes; empty message when valid, else what is wrong.
    ign::TrainRequest request(QString* problem) const;
    // For tests and scripts: fill the form.
    void setData(const QString& spec);
    void setSteps(int steps);
    void setPreset(const QString& preset);
    void setBatch(int batch);
    void setWidth(int width);
    void setPreviewEvery(int steps);
    void setOutDir(const QString& dir);
    void setResume(const QString& checkpoint);
    void setKeepCheckpoints(bool keep);
    // The objective's settings the form shows (λs, clamp, coverage).
    ign::ObjectiveOptions objective() const;
    void setObjective(const ign::ObjectiveOptions& objective);
    // "Fit to data": a new run's batch, steps and objective chosen from the data's size (on by default).
    void setFitToData(bool fit);

    // Shows a run that another process writes (ign train, here or on a server) as it goes: its losses,
    // preview, progress and checkpoints, read from its run folder. Not while this panel trains.
    bool follow(const QString& folder);
    void stopFollowing();
    bool isFollowing() const;
    QString progressText() const;
    QString statusText() const;

    // Asks a running training to stop (it saves a checkpoint) and waits up to `timeout_ms`.
    bool stopAndWait(int timeout_ms = 60000);

    void saveSettings(QSettings& settings) const override;
    void loadSettings(const QSettings& settings) override;

public slots:
    void start();
    void togglePause(bool paused);
    void stop();
    void exportCsv();
    void exportPng();
    void chooseRunToFollow();

signals:
    void runningChanged(bool running);
    void checkpointReady(const QString& path);  // a finished or stopped run's checkpoint

private:
    void showChosenSettings(const ign::TrainOptions& options);
    void enableFittedBoxes();
    QGroupBox* buildForm();
    void addModelRows(QFormLayout* form);
    void addOptimisationRows(QFormLayout* form);
    void addOutputRows(QFormLayout* form);
    void buildActions();
    void layOut(QGroupBox* form_box);
    void connectWorker();
    void connectFollower();
    void onStarted(const QString& description, const QString& out_dir);
    void onProgress(const ign::TrainProgress& p);
    void showProgress(const ign::TrainProgress& p);
    void onFinished(const QString& status, const QString& text, const QString& checkpoint);
    void setRunning(bool running);
    void browseData();
    void browseResume();
    void loadResumeSettings();
    void browseOut();

    QComboBox *m_data, *m_preset, *m_norm, *m_noise, *m_device, *m_precision;
    QSpinBox *m_width, *m_latent, *m_batch, *m_steps, *m_seed, *m_checkpoint_every, *m_preview_every;
    QDoubleSpinBox* m_lr;
    // The objective's fields by JSON name (objective_rows in train_panel.cpp), in the form's order.
    std::vector<std::pair<std::string, QDoubleSpinBox*>> m_objective;

    QLineEdit *m_out, *m_resume;
    QCheckBox *m_keep_checkpoints, *m_fit;
    QProgressBar* m_progress;
    QLabel *m_status, *m_preview_caption;
    LossPlot* m_plot;
    ImageView *m_samples, *m_refined;
    QAction *m_start, *m_pause, *m_stop, *m_follow, *m_export_csv, *m_export_png;
    RunFollower* m_follower;
    QThread m_thread;
    TrainingWorker* m_worker;
    bool m_running = false;
    QString m_last_checkpoint;
    QString m_resume_loaded;  // the resume checkpoint whose settings the form shows
};

}  // namespace ign_ui
