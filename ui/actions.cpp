#include "actions.h"

#include <QAction>
#include <QIcon>
#include <cstring>
#include <stdexcept>

namespace ign_ui {

const std::vector<ActionSpec>& action_table() {
    using K = QKeySequence;
    constexpr auto panel = Qt::WidgetWithChildrenShortcut;
    static const std::vector<ActionSpec> table{
        // File
        {"file.open", "&Open model…", K::Open, Qt::WindowShortcut, "document-open"},
        {"file.open_trained", "Open &trained model", K("Ctrl+Shift+M")},
        {"file.export", "&Export current result…", K("Ctrl+E"), Qt::WindowShortcut, "document-save"},
        {"file.save_history", "Save &history…", K("Ctrl+Shift+S")},
        {"file.quit", "&Quit", K::Quit, Qt::WindowShortcut, "application-exit"},
        // Train
        {"train.start", "&Start training", K("Ctrl+T"), Qt::WindowShortcut, "media-playback-start"},
        {"train.pause", "&Pause training", K("Ctrl+Shift+P"), Qt::WindowShortcut, "media-playback-pause"},
        {"train.stop", "St&op training", K("Ctrl+Shift+T"), Qt::WindowShortcut, "media-playback-stop"},
        {"train.follow", "&Follow run folder…", K("Ctrl+Shift+F"), Qt::WindowShortcut, "folder-open"},
        // Sample
        {"sample.generate", "&Generate samples", K("F5"), Qt::WindowShortcut, "view-refresh"},
        {"sample.new_seed", "&New seed", K("Ctrl+R"), Qt::WindowShortcut, "media-playlist-shuffle"},
        {"sample.to_project", "Send sample to &Project", K("Ctrl+Shift+J")},
        {"sample.to_anchor_a", "Sample as interpolation anchor &A", K("Ctrl+Shift+A")},
        {"sample.to_anchor_b", "Sample as interpolation anchor &B", K("Ctrl+Shift+B")},
        {"sample.save_selected", "Save &selected samples…", K("Ctrl+Shift+E")},
        {"sample.save_grid", "Save sample &grid…", K("Ctrl+Shift+G")},
        // Interpolate
        {"interpolate.play", "&Play interpolation", K("Ctrl+P"), Qt::WindowShortcut, "media-playback-start"},
        {"interpolate.export_strip", "Export &strip PNG…", K("Ctrl+Shift+X")},
        {"interpolate.export_animation", "Export &animation (GIF / AVI)…", K("Ctrl+Shift+V")},
        // Project
        {"project.open", "Open &image…", K("Ctrl+Shift+O"), Qt::WindowShortcut, "document-open"},
        {"project.paste", "&Paste image", K::Paste, Qt::WindowShortcut, "edit-paste"},
        // Ctrl+Alt+F: Ctrl+Shift+F is Train ▸ Follow run folder (one key for both fired neither).
        {"project.folder", "Project &folder…", K("Ctrl+Alt+F"), Qt::WindowShortcut, "folder"},
        {"project.save", "&Save projection…", K("Ctrl+Shift+K"), Qt::WindowShortcut, "document-save"},
        {"project.brush", "&Brush", K("B"), panel, "draw-brush"},
        {"project.eraser", "&Eraser", K("E"), panel, "draw-eraser"},
        {"project.smaller", "Smaller brush", K("["), panel, "zoom-out"},
        {"project.larger", "Larger brush", K("]"), panel, "zoom-in"},
        {"project.undo", "&Undo stroke", K::Undo, panel, "edit-undo"},
        {"project.redo", "&Redo stroke", K::Redo, panel, "edit-redo"},
        {"project.clear", "&Clear canvas", K("Ctrl+Backspace"), panel, "edit-clear"},
        {"project.invert", "&Invert canvas", K("Ctrl+I"), panel, "object-flip-vertical"},
        // Help
        {"help.shortcuts", "&Keyboard shortcuts", K::HelpContents},
    };
    return table;
}

QAction* make_action(const char* id, QObject* parent) {
    for (const auto& spec : action_table())
        if (std::strcmp(spec.id, id) == 0) {
            auto* action = new QAction(*spec.icon ? QIcon::fromTheme(spec.icon) : QIcon(), spec.text, parent);
            action->setObjectName(spec.id);
            action->setShortcut(spec.keys);
            action->setShortcutContext(spec.context);
            return action;
        }
    throw std::out_of_range(std::string("no action '") + id + "' in the action table (ui/actions.cpp)");
}

QString shortcuts_html() {
    QString html = "<table cellspacing='6'><tr><th align='left'>Command</th><th align='left'>Keys</th><th align='left'>Works</th></tr>";
    for (const auto& spec : action_table()) {
        if (spec.keys.isEmpty()) continue;
        html += QString("<tr><td>%1</td><td><b>%2</b></td><td>%3</td></tr>")
                    .arg(QString(spec.text).remove('&').toHtmlEscaped(),
                         spec.keys.toString(QKeySequence::NativeText).toHtmlEscaped(),
                         spec.context == Qt::WindowShortcut ? "anywhere" : "in its panel");
    }
    return html + "</table>";
}

}  // namespace ign_ui
