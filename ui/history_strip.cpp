#include "history_strip.h"

#include <QDateTime>
#include <QDir>

#include "image_qt.h"

namespace ign_ui {
namespace {
constexpr int kImageRole = Qt::UserRole, kMetaRole = Qt::UserRole + 1;
}

HistoryStrip::HistoryStrip(QWidget* parent) : QListWidget(parent) {
    setViewMode(QListView::IconMode);
    setFlow(QListView::LeftToRight);
    setWrapping(false);
    setIconSize(QSize(72, 72));
    setFixedHeight(104);
    setMovement(QListView::Static);
    setToolTip("recent results; double-click one to project it");
    connect(this, &QListWidget::itemDoubleClicked, this, [this](QListWidgetItem* item) {
        emit sendToProject(item->data(kImageRole).value<QImage>(), "history: " + item->text());
    });
}

void HistoryStrip::add(const QImage& image, const QMap<QString, QString>& metadata) {
    if (image.isNull()) return;
    const QImage icon = image.scaled(iconSize(), Qt::KeepAspectRatio, image.width() < 100 ? Qt::FastTransformation
                                                                                         : Qt::SmoothTransformation);
    auto* item = new QListWidgetItem(QIcon(QPixmap::fromImage(icon)), QTime::currentTime().toString("HH:mm:ss"));
    item->setData(kImageRole, image);
    QVariantMap meta;
    QStringList tip;
    for (auto it = metadata.begin(); it != metadata.end(); ++it) {
        meta[it.key()] = it.value();
        tip << it.key() + ": " + it.value();
    }
    item->setData(kMetaRole, meta);
    item->setToolTip(tip.join("\n"));
    insertItem(0, item);
    while (count() > kLimit) delete takeItem(count() - 1);
}

QString HistoryStrip::saveAll(const QString& folder) const {
    if (count() == 0) return "the history is empty";
    if (!QDir().mkpath(folder)) return folder + ": cannot create the folder";
    for (int i = 0; i < count(); ++i) {
        const auto* entry = item(i);
        QMap<QString, QString> meta;
        const auto stored = entry->data(kMetaRole).toMap();
        for (auto it = stored.begin(); it != stored.end(); ++it) meta[it.key()] = it.value().toString();
        const QString path = QDir(folder).filePath(QString("history-%1.png").arg(count() - i, 3, 10, QChar('0')));
        const QString error = save_png(entry->data(kImageRole).value<QImage>(), path, meta);
        if (!error.isEmpty()) return error;
    }
    return {};
}

}  // namespace ign_ui
