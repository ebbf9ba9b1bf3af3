#pragma once
// Every studio command that has a shortcut, in one table (as qView keeps its shortcuts): the id the code
// asks for, the menu text, the keys, where the keys work and the icon. Help ▸ Keyboard shortcuts is made
// from it, and test_studio checks that no two window-wide shortcuts collide.
#include <QKeySequence>
#include <QString>
#include <vector>

class QAction;
class QObject;

namespace ign_ui {

struct ActionSpec {
    const char* id;    // "panel.command"
    const char* text;  // menu text, with its & mnemonic
    QKeySequence keys;
    // WindowShortcut: anywhere in the window. WidgetWithChildrenShortcut: only while its panel has focus
    // (the drawing tools), so the same key may mean something else in another panel.
    Qt::ShortcutContext context = Qt::WindowShortcut;
    const char* icon = "";  // a freedesktop icon name, or empty
};

const std::vector<ActionSpec>& action_table();

// A new QAction from the table's row `id` (text, keys, context, icon), owned by `parent`. An id missing
// from the table is a programming error: it throws std::out_of_range naming it.
QAction* make_action(const char* id, QObject* parent);

// The table as HTML (Help ▸ Keyboard shortcuts), in the platform's key names.
QString shortcuts_html();

}  // namespace ign_ui
