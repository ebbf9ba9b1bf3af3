#pragma once
// The studio's window: the panels of panel_factories() (Train, Sample, Interpolate, Project) over one
// loaded model, every command a QAction with a shortcut in menus and toolbar, a history strip, persistent
// settings, and a status bar with threads, device and model. Errors show in the window; the app keeps running.
#include <QMainWindow>
#include <memory>
#include <vector>

#include "ign/session.h"
#include "panel.h"

class QLabel;
class QTabWidget;
class QAction;

namespace ign_ui {

class Panel;
class TrainPanel;
class SamplePanel;
class InterpolatePanel;
class ProjectPanel;
class HistoryStrip;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    // Opens `checkpoint` if given, else the last model used, else the bundled digits model.
    explicit MainWindow(const QString& checkpoint = {}, QWidget* parent = nullptr);
    ~MainWindow() override;

    bool openModel(const QString& path);  // false (and the error shown) when it cannot be opened
    std::shared_ptr<ign::ModelSession> model() const { return m_model; }
    QString lastMessage() const { return m_last_message; }
    bool lastMessageWasError() const { return m_last_error; }

    const std::vector<Panel*>& panels() const { return m_panels; }
    // The panel of type T (nullptr when the list has none).
    template <class T>
    T* panel() const {
        for (auto* p : m_panels)
            if (auto* typed = qobject_cast<T*>(p)) return typed;
        return nullptr;
    }
    TrainPanel* trainPanel() const { return m_train; }
    SamplePanel* samplePanel() const { return m_sample; }
    InterpolatePanel* interpolatePanel() const { return m_interpolate; }
    ProjectPanel* projectPanel() const { return m_project; }
    HistoryStrip* history() const { return m_history; }
    QTabWidget* tabs() const { return m_tabs; }
    void setConfirmOnClose(bool ask) { m_confirm_close = ask; }
    // cpu, cuda or auto: where models opened from now on run (saved in the settings).
    QString inferenceDevice() const;
    void setInferenceDevice(const QString& device);

    // The About box's text: version, Qt, LibTorch, OpenCV and BLAS versions.
    static QString aboutText();

    // Grabs each panel into DIR/studio-<panel name>.png (the README's screenshots).
    QStringList saveScreenshots(const QString& dir);

public slots:
    void showMessage(const QString& text, bool error = false);
    void openModelDialog();
    void exportCurrent();
    void saveHistory();
    void about();

signals:
    void messageShown(const QString& text, bool error);

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void connectPanels();
    void buildMenus();
    void buildToolbar(QAction* open, QAction* export_current);
    void saveSettings() const;
    void updateStatus();

    std::shared_ptr<ign::ModelSession> m_model;
    QTabWidget* m_tabs;
    std::vector<Panel*> m_panels;  // in tab order
    // The four built-in panels, for the features that link them (send a sample to Project, ...).
    TrainPanel* m_train;
    SamplePanel* m_sample;
    InterpolatePanel* m_interpolate;
    ProjectPanel* m_project;
    HistoryStrip* m_history;
    QLabel *m_status_model, *m_status_system, *m_status_message;
    QAction* m_open_trained = nullptr;
    QString m_last_message;
    bool m_last_error = false, m_confirm_close = true;
};

}  // namespace ign_ui
