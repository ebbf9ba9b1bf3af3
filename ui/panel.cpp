#include "panel.h"

#include <QFileDialog>

#include "interpolate_panel.h"
#include "project_panel.h"
#include "sample_panel.h"
#include "train_panel.h"

namespace ign_ui {

void Panel::saveWithDialog(const QString& caption, const QString& suggested, const QString& filter,
                           const std::function<QString(const QString&)>& save) {
    const QString path = QFileDialog::getSaveFileName(this, caption, suggested, filter);
    if (path.isEmpty()) return;
    const QString error = save(path);
    emit message(error.isEmpty() ? "wrote " + path : error, !error.isEmpty());
}

std::vector<PanelFactory>& panel_factories() {
    static std::vector<PanelFactory> factories{
        [](QWidget* parent) -> Panel* { return new TrainPanel(parent); },
        [](QWidget* parent) -> Panel* { return new SamplePanel(parent); },
        [](QWidget* parent) -> Panel* { return new InterpolatePanel(parent); },
        [](QWidget* parent) -> Panel* { return new ProjectPanel(parent); },
    };
    return factories;
}

}  // namespace ign_ui
