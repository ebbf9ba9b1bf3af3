#pragma once
// What every studio panel is to the window: a tab with a name, a menu of its commands (some also on the
// toolbar), the open model, a current result to export, its settings, and a say in whether the window may
// close. MainWindow builds the panels from panel_factories() and iterates them for tabs, menus, the
// toolbar, File ▸ Export, screenshots and settings: a new panel is its own .h/.cpp and one line in panel.cpp.
#include <QImage>
#include <QList>
#include <QMap>
#include <QString>
#include <QWidget>
#include <functional>
#include <memory>
#include <vector>

#include "ign/session.h"

class QAction;
class QSettings;

namespace ign_ui {

class Panel : public QWidget {
    Q_OBJECT
public:
    using QWidget::QWidget;

    virtual QString name() const = 0;   // "train": the screenshot's file name studio-<name>.png
    virtual QString title() const = 0;  // "&Train": the menu's title; the tab shows it without the &
    // Every panel sees the model the window opened (Train, which makes models, ignores it).
    virtual void setModel(std::shared_ptr<ign::ModelSession> model) { Q_UNUSED(model) }
    // The panel's menu in order, nullptr for a separator; and the few of them that go on the toolbar.
    virtual QList<QAction*> menuActions() const = 0;
    virtual QList<QAction*> toolbarActions() const { return {}; }
    // Writes what the panel shows now as a PNG (File ▸ Export current result): empty on success, else the error.
    virtual QString saveCurrent(const QString& path) const = 0;
    virtual void saveSettings(QSettings& settings) const { Q_UNUSED(settings) }
    virtual void loadSettings(const QSettings& settings) { Q_UNUSED(settings) }
    // The window is closing: finish or cancel background work. `ask`: the user may be asked (tests say no).
    // False keeps the window open (e.g. the user cancelled, or work could not be saved).
    virtual bool prepareToClose(bool ask) { Q_UNUSED(ask) return true; }

protected:
    // Asks where to save (a file dialog with `caption`, `suggested` name and `filter`), calls `save` with
    // the path and reports what happened as a message. `save` returns the error, or empty.
    void saveWithDialog(const QString& caption, const QString& suggested, const QString& filter,
                        const std::function<QString(const QString&)>& save);

signals:
    void message(const QString& text, bool error);
    // A finished result for the history strip: the image and the settings that made it.
    void resultReady(const QImage& image, const QMap<QString, QString>& metadata);
};

using PanelFactory = std::function<Panel*(QWidget* parent)>;
// The studio's panels in tab order. Tests may append one before opening a window.
std::vector<PanelFactory>& panel_factories();

}  // namespace ign_ui
