#include "cleanuppreviewdialog.h"

#include "stateicon.h"

#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace lockscope {

CleanupPreviewDialog::CleanupPreviewDialog(const QVector<SessionRow> &rows, int skippedBlocked,
                                           QWidget *parent)
    : QDialog(parent)
    , m_rows(rows)
    , m_list(new QTreeWidget(this))
{
    setObjectName(QStringLiteral("cleanupPreviewDialog"));
    setWindowTitle(tr("Clean up all stale"));
    setAccessibleName(windowTitle());

    auto *layout = new QVBoxLayout(this);
    auto *intro = new QLabel(this);
    intro->setWordWrap(true);
    QString text =
        rows.isEmpty()
            ? tr("Nothing is stale: there is nothing to clean up.")
            : tr("These %n file(s) will be removed. Each is judged again right before removal; one "
                 "that changed in the meantime is left alone and reported.",
                 nullptr, int(rows.size()));
    if (skippedBlocked > 0)
        text +=
            QLatin1Char(' ') +
            tr("%n stale file(s) cannot be removed by you (see their details) and are left out.",
               nullptr, skippedBlocked);
    intro->setText(text);
    layout->addWidget(intro);

    m_list->setObjectName(QStringLiteral("cleanupList"));
    m_list->setAccessibleName(tr("Files to remove"));
    m_list->setColumnCount(2);
    m_list->setHeaderLabels({tr("Path"), tr("Reason")});
    m_list->setRootIsDecorated(false);
    m_list->setTextElideMode(Qt::ElideMiddle);
    for (const SessionRow &row : rows) {
        const LockEntry *l = row.lock();
        auto *item =
            new QTreeWidgetItem(m_list, {row.displayPath(), l ? l->judgement.reason : QString()});
        item->setIcon(0, stateIcon(row.state()));
        item->setToolTip(0, row.displayPath());
        item->setToolTip(1, item->text(1));
    }
    m_list->header()->resizeSection(0, 520);
    layout->addWidget(m_list);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    m_remove = buttons->addButton(tr("Remove %n file(s)", nullptr, int(rows.size())),
                                  QDialogButtonBox::DestructiveRole);
    m_remove->setObjectName(QStringLiteral("cleanupRemoveButton"));
    m_remove->setAccessibleName(m_remove->text());
    m_remove->setEnabled(!rows.isEmpty());
    layout->addWidget(buttons);
    connect(m_remove, &QPushButton::clicked, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    resize(1000, 440);
}

} // namespace lockscope
