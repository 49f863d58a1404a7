#pragma once

#include "sessionrow.h"

#include <QDialog>

class QPushButton;
class QTreeWidget;

namespace lockscope {

// Lists every file that "Clean up all stale" would remove, with its reason,
// before anything is deleted.
class CleanupPreviewDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CleanupPreviewDialog)

public:
    CleanupPreviewDialog(const QVector<SessionRow> &rows, int skippedBlocked,
                         QWidget *parent = nullptr);

    const QVector<SessionRow> &rows() const { return m_rows; }
    QTreeWidget *list() const { return m_list; }
    QPushButton *removeButton() const { return m_remove; }

private:
    QVector<SessionRow> m_rows;
    QTreeWidget *m_list = nullptr;
    QPushButton *m_remove = nullptr;
};

} // namespace lockscope
