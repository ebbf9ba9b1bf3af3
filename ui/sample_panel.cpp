#include "sample_panel.h"

#include <QAction>
#include <QDir>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QRandomGenerator>
#include <QSettings>
#include <QSpinBox>
#include <QSplitter>
#include <QToolButton>

#include "actions.h"
#include "image_qt.h"
#include "image_view.h"
#include "latest_task.h"

namespace ign_ui {

SamplePanel::SamplePanel(QWidget* parent) : Panel(parent), m_task(new LatestTask("ign-sample", this)) {
    buildControls();
    buildResultActions();
    layOut();
}

void SamplePanel::buildControls() {
    m_seed = new QSpinBox(this);
    m_seed->setRange(0, 2'000'000'000);
    m_seed->setValue(1);
    m_count = new QSpinBox(this);
    m_count->setRange(1, 256);
    m_count->setValue(36);
    m_k = new QSpinBox(this);
    m_k->setRange(1, 10);
    m_k->setValue(3);
    m_k->setToolTip("apply f this many times: f(z), f²(z) … f^k(z)");
    m_generate = make_action("sample.generate", this);
    m_new_seed = make_action("sample.new_seed", this);
    connect(m_generate, &QAction::triggered, this, &SamplePanel::generate);
    connect(m_new_seed, &QAction::triggered, this, &SamplePanel::newSeed);
    for (auto* s : {m_seed, m_count, m_k}) connect(s, qOverload<int>(&QSpinBox::valueChanged), this, &SamplePanel::generate);

    m_grid = new QListWidget(this);
    m_grid->setViewMode(QListView::IconMode);
    m_grid->setIconSize(QSize(84, 84));
    m_grid->setResizeMode(QListView::Adjust);
    m_grid->setMovement(QListView::Static);
    m_grid->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_grid->setSpacing(2);
    connect(m_grid, &QListWidget::itemSelectionChanged, this, &SamplePanel::showChains);

    m_chain_view = new ImageView("select samples to see f(z), f²(z) … f^k(z)", this);
    m_change_label = new QLabel(this);
    m_change_label->setWordWrap(true);
    m_change_label->setTextInteractionFlags(Qt::TextSelectableByMouse);
}

// Send a sample to Project or Interpolate, save a selection or the grid.
void SamplePanel::buildResultActions() {
    auto action = [this](const char* id) {
        auto* a = make_action(id, this);
        m_actions << a;
        return a;
    };
    auto* to_project = action("sample.to_project");
    auto* to_a = action("sample.to_anchor_a");
    auto* to_b = action("sample.to_anchor_b");
    auto* save_selected = action("sample.save_selected");
    auto* save_grid = action("sample.save_grid");
    connect(to_project, &QAction::triggered, this, [this] {
        const auto rows = selectedRows();
        if (rows.isEmpty()) return emit message("select a sample first", true);
        const auto& c = m_chains[size_t(rows.front())];
        emit sendToProject(to_qimage(c.steps.back()), QString("sample %1 of seed %2").arg(rows.front()).arg(m_chains_seed));
    });
    for (auto [button, anchor] : {std::pair{to_a, 0}, std::pair{to_b, 1}})
        connect(button, &QAction::triggered, this, [this, anchor = anchor] {
            const auto rows = selectedRows();
            if (rows.isEmpty()) return emit message("select a sample first", true);
            emit sendToInterpolate(m_chains[size_t(rows.front())].latent, anchor,
                                   QString("sample %1 of seed %2").arg(rows.front()).arg(m_chains_seed));
        });
    connect(save_selected, &QAction::triggered, this, [this] {
        const QString folder = QFileDialog::getExistingDirectory(this, "Save selected samples into");
        if (folder.isEmpty()) return;
        const QString error = saveSelected(folder);
        emit message(error.isEmpty() ? "saved selected samples into " + folder : error, !error.isEmpty());
    });
    connect(save_grid, &QAction::triggered, this, [this] {
        saveWithDialog("Save sample grid", "samples.png", "PNG (*.png)", [this](const QString& path) { return saveGrid(path); });
    });
}

void SamplePanel::layOut() {
    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel("Seed", this));
    controls->addWidget(m_seed);
    for (auto* action : {m_new_seed, m_generate}) {
        auto* b = new QToolButton(this);
        b->setDefaultAction(action);
        b->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
        controls->addWidget(b);
    }
    controls->addWidget(new QLabel("Count", this));
    controls->addWidget(m_count);
    controls->addWidget(new QLabel("Apply f  k =", this));
    controls->addWidget(m_k);
    controls->addStretch();

    auto* actions = new QHBoxLayout;
    for (auto* a : m_actions) {
        auto* b = new QToolButton(this);
        b->setDefaultAction(a);
        actions->addWidget(b);
    }
    actions->addStretch();

    auto* chain_box = new QWidget(this);
    auto* chain_layout = new QVBoxLayout(chain_box);
    chain_layout->setContentsMargins(0, 0, 0, 0);
    chain_layout->addWidget(m_chain_view, 1);
    chain_layout->addWidget(m_change_label);
    auto* split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(m_grid);
    split->addWidget(chain_box);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(controls);
    layout->addWidget(split, 1);
    layout->addLayout(actions);
}

void SamplePanel::setModel(std::shared_ptr<ign::ModelSession> model) {
    m_model = std::move(model);
    generate();
}

QList<QAction*> SamplePanel::menuActions() const {
    return QList<QAction*>{m_generate, m_new_seed, nullptr} + m_actions;
}

void SamplePanel::saveSettings(QSettings& settings) const {
    settings.setValue("sample/seed", seed());
    settings.setValue("sample/k", k());
}

void SamplePanel::loadSettings(const QSettings& settings) {
    setSeed(settings.value("sample/seed", 1).toInt());
    setK(settings.value("sample/k", 3).toInt());
}

void SamplePanel::setSeed(int seed) { m_seed->setValue(seed); }
void SamplePanel::setCount(int count) { m_count->setValue(count); }
void SamplePanel::setK(int k) { m_k->setValue(k); }
int SamplePanel::seed() const { return m_seed->value(); }
int SamplePanel::k() const { return m_k->value(); }

void SamplePanel::newSeed() { m_seed->setValue(int(QRandomGenerator::global()->bounded(1'000'000))); }

void SamplePanel::generate() {
    if (!m_model) return;
    const int count = m_count->value(), seed = m_seed->value(), k = m_k->value();
    auto model = m_model;
    m_task->submit([this, model, count, seed, k]() -> LatestTask::Apply {
        auto chains = model->sample(count, uint64_t(seed), k);
        return [this, chains = std::move(chains), seed, k]() mutable {
            m_chains = std::move(chains);
            m_chains_seed = seed;
            QSignalBlocker block(m_grid);
            m_grid->clear();
            for (size_t i = 0; i < m_chains.size(); ++i) {
                auto* item = new QListWidgetItem(QIcon(QPixmap::fromImage(enlarged(to_qimage(m_chains[i].steps[0]), 3))),
                                                 QString::number(i), m_grid);
                item->setToolTip(QString("sample %1 of seed %2").arg(i).arg(seed));
            }
            m_grid->setCurrentRow(0);
            block.unblock();
            showChains();
            emit resultReady(gridImage(), metadata());
            emit message(QString("%1 samples from seed %2 (f applied up to %3 times)").arg(m_chains.size()).arg(seed).arg(k),
                         false);
        };
    });
}

QList<int> SamplePanel::selectedRows() const {
    QList<int> rows;
    for (auto* item : m_grid->selectedItems()) rows.push_back(m_grid->row(item));
    std::sort(rows.begin(), rows.end());
    return rows;
}

void SamplePanel::showChains() {
    const auto rows = selectedRows();
    if (rows.isEmpty()) {
        m_chain_view->setImage({});
        m_change_label->clear();
        return;
    }
    m_chain_view->setImage(chainImage());
    QStringList lines;
    for (int row : rows.mid(0, 8)) {
        const auto& c = m_chains[size_t(row)];
        QStringList parts;
        for (size_t i = 0; i < c.change.size(); ++i)
            parts << QString("|f%1−f%2| %3").arg(i + 2).arg(i + 1).arg(c.change[i], 0, 'f', 4);
        lines << QString("sample %1: %2").arg(row).arg(parts.isEmpty() ? "k = 1" : parts.join(", "));
    }
    m_chain_view->setCaption(QString("f(z) … f^%1(z), one row per selected sample").arg(m_k->value()));
    m_change_label->setText(lines.join("\n"));
}

QImage SamplePanel::gridImage() const {
    std::vector<ign::Image8> images;
    for (const auto& c : m_chains) images.push_back(c.steps[0]);
    const int columns = int(std::ceil(std::sqrt(double(images.size()))));
    return to_qimage(ign::tile_images(images, columns));
}

QImage SamplePanel::chainImage() const {
    std::vector<ign::Image8> images;
    int columns = 1;
    for (int row : selectedRows().mid(0, 8)) {
        const auto& c = m_chains[size_t(row)];
        images.insert(images.end(), c.steps.begin(), c.steps.end());
        columns = int(c.steps.size());
    }
    return to_qimage(ign::tile_images(images, columns));
}

QMap<QString, QString> SamplePanel::metadata() const {
    QMap<QString, QString> m;
    if (m_model) {
        m["checkpoint"] = QString::fromStdString(m_model->path());
        m["step"] = QString::number(m_model->summary().step);
    }
    m["seed"] = QString::number(m_chains_seed);
    m["k"] = "1";
    m["count"] = QString::number(m_chains.size());
    return m;
}

QString SamplePanel::saveGrid(const QString& path) const {
    if (m_chains.empty()) return "no samples to save yet";
    return save_png(enlarged(gridImage(), 2), path, metadata());
}

QString SamplePanel::saveSelected(const QString& folder) const {
    auto rows = selectedRows();
    if (rows.isEmpty()) return "select samples first";
    for (int row : rows) {
        const auto& c = m_chains[size_t(row)];
        for (size_t i = 0; i < c.steps.size(); ++i) {
            auto meta = metadata();
            meta["k"] = QString::number(i + 1);
            meta["index"] = QString::number(row);
            const QString path = QDir(folder).filePath(QString("seed%1-sample%2-f%3.png").arg(m_chains_seed).arg(row).arg(i + 1));
            const QString error = save_png(to_qimage(c.steps[i]), path, meta);
            if (!error.isEmpty()) return error;
        }
    }
    return {};
}

}  // namespace ign_ui
