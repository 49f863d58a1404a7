#pragma once

#include "sessionrow.h"

#include <QDialog>

class QCheckBox;
class QDialogButtonBox;
class QLabel;
class QPushButton;

namespace lockscope {

// Asks before removing locks. For a forced removal (one row) it shows the
// evidence and needs an explicit "I have stopped the holder". The window
// cancels it when a lock it shows changes while it is open.
class ConfirmRemovalDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConfirmRemovalDialog)

public:
    ConfirmRemovalDialog(const QVector<SessionRow> &rows, bool force, QWidget *parent = nullptr);

    const QVector<SessionRow> &rows() const { return m_rows; }
    bool force() const { return m_force; }
    // Closes the dialog without removing anything and says why.
    void cancelBecauseChanged(const QString &why);
    bool cancelledBecauseChanged() const { return m_changed; }
    QString changeReason() const { return m_changeReason; }

    QCheckBox *acknowledgement() const { return m_ack; }
    QPushButton *removeButton() const { return m_remove; }

private:
    QVector<SessionRow> m_rows;
    bool m_force = false;
    bool m_changed = false;
    QString m_changeReason;
    QCheckBox *m_ack = nullptr;
    QPushButton *m_remove = nullptr;
};

} // namespace lockscope
