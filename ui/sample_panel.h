#pragma once
// Sample panel: a grid of one-step samples f(z) from a seed; "apply f again" shows f(z), f²(z) … f^k(z)
// per selected sample with the change between steps; send a sample to Project or Interpolate; save one,
// a selection or the grid.
#include <QMap>
#include <memory>

#include "ign/session.h"
#include "panel.h"

class QSpinBox;
class QListWidget;
class QLabel;
class QAction;

namespace ign_ui {

class ImageView;
class LatestTask;

class SamplePanel : public Panel {
    Q_OBJECT
public:
    explicit SamplePanel(QWidget* parent = nullptr);
    QString name() const override { return "sample"; }
    QString title() const override { return "&Sample"; }
    void setModel(std::shared_ptr<ign::ModelSession> model) override;
    QList<QAction*> menuActions() const override;
    QList<QAction*> toolbarActions() const override { return {m_generate, m_new_seed}; }
    QString saveCurrent(const QString& path) const override { return saveGrid(path); }
    void saveSettings(QSettings& settings) const override;
    void loadSettings(const QSettings& settings) override;

    QAction* generateAction() const { return m_generate; }
    QAction* newSeedAction() const { return m_new_seed; }
    QList<QAction*> resultActions() const { return m_actions; }
    QListWidget* grid() const { return m_grid; }
    ImageView* chainView() const { return m_chain_view; }
    LatestTask* task() const { return m_task; }
    const std::vector<ign::SampleChain>& chains() const { return m_chains; }
    void setSeed(int seed);
    void setCount(int count);
    void setK(int k);
    int seed() const;
    int k() const;

    QImage gridImage() const;          // all f(z) tiled
    QImage chainImage() const;         // selected samples' chains, one row each
    QMap<QString, QString> metadata() const;
    QString saveGrid(const QString& path) const;      // empty on success, else the error
    QString saveSelected(const QString& folder) const;

public slots:
    void generate();
    void newSeed();

signals:
    void sendToProject(const QImage& image, const QString& label);
    void sendToInterpolate(const ign::Latent& latent, int anchor, const QString& label);

private:
    void buildControls();
    void buildResultActions();
    void layOut();
    void showChains();
    QList<int> selectedRows() const;

    std::shared_ptr<ign::ModelSession> m_model;
    QSpinBox *m_seed, *m_count, *m_k;
    QListWidget* m_grid;
    ImageView* m_chain_view;
    QLabel* m_change_label;
    QAction *m_generate, *m_new_seed;
    QList<QAction*> m_actions;
    LatestTask* m_task;
    std::vector<ign::SampleChain> m_chains;
    int m_chains_seed = 0;
};

}  // namespace ign_ui
