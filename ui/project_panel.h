#pragma once
// Project panel (artists): draw on a canvas, drop or paste or open any image, or corrupt a data-set
// image; the projection f(x), f²(x) … f^k(x) follows live (debounced, newest request wins, drawing
// never waits for the model). Projects a whole folder with progress and cancel.
#include <QFutureWatcher>
#include <QThreadPool>
#include <QMap>
#include <atomic>
#include <memory>
#include <optional>

#include "ign/session.h"
#include "panel.h"

class QAction;
class QSlider;
class QSpinBox;
class QComboBox;
class QGroupBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QTimer;

namespace ign_ui {

class ImageView;
class LatestTask;
class SketchCanvas;

class ProjectPanel : public Panel {
    Q_OBJECT
public:
    explicit ProjectPanel(QWidget* parent = nullptr);
    ~ProjectPanel() override;
    QString name() const override { return "project"; }
    QString title() const override { return "&Project"; }
    void setModel(std::shared_ptr<ign::ModelSession> model) override;
    QList<QAction*> menuActions() const override;
    QList<QAction*> toolbarActions() const override { return {m_open, m_paste}; }
    QString saveCurrent(const QString& path) const override { return saveOutput(path); }
    bool prepareToClose(bool ask) override;  // cancels a folder job

    SketchCanvas* canvas() const { return m_canvas; }
    ImageView* inputView() const { return m_input; }
    ImageView* outputView() const { return m_output; }
    ImageView* chainView() const { return m_chain; }
    LatestTask* task() const { return m_task; }
    QSlider* kSlider() const { return m_k; }
    QList<QAction*> editActions() const;
    QAction* openAction() const { return m_open; }
    QAction* pasteAction() const { return m_paste; }
    QAction* projectFolderAction() const { return m_project_folder; }
    QAction* saveAction() const { return m_save; }
    int projectionsShown() const { return m_shown; }

    // Loads an image file onto the canvas; false (and a message naming the file) when it cannot.
    bool loadFile(const QString& path);
    // Loads a list of dropped / pasted files: the first readable image goes on the canvas.
    void loadFiles(const QStringList& paths);
    // Projects every image in `input` into `output` (f^k, same names as PNG) in the background.
    void projectFolder(const QString& input, const QString& output);
    bool folderJobRunning() const { return m_folder_watcher.isRunning(); }
    void cancelFolderJob() { m_folder_cancel = true; }

    QMap<QString, QString> metadata() const;
    QString saveOutput(const QString& path) const;
    QImage outputImage() const;

public slots:
    void requestProjection();  // debounced
    void projectNow();
    void openImage();
    void paste();
    void corruptDataImage();
    void chooseAndProjectFolder();

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void buildActions();
    QGroupBox* buildCorruptionBox();
    void buildResults();
    void layOut(QGroupBox* corrupt_box);

    std::shared_ptr<ign::ModelSession> m_model;
    SketchCanvas* m_canvas;
    ImageView *m_input, *m_output, *m_chain;
    QSlider *m_k, *m_sigma;
    QLabel *m_k_label, *m_sigma_label, *m_brush_label;
    QSpinBox* m_data_index;
    QComboBox* m_corruption;
    QProgressBar* m_folder_progress;
    QPushButton* m_folder_cancel_button;
    QAction *m_brush, *m_eraser, *m_smaller, *m_larger, *m_undo, *m_redo, *m_clear, *m_invert, *m_open, *m_paste,
        *m_project_folder, *m_save;
    QTimer* m_debounce;
    LatestTask* m_task;
    QString m_source = "canvas";
    std::vector<ign::Image8> m_last_chain;
    ign::Image8 m_clean;  // the data-set image last corrupted, and which one it is
    QString m_clean_key;
    int m_shown = 0;
    QThreadPool m_folder_pool;  // the folder job's own thread ("ign-folder"), waited for on destruction
    QFutureWatcher<QString> m_folder_watcher;
    std::atomic<bool> m_folder_cancel{false};
};

}  // namespace ign_ui
