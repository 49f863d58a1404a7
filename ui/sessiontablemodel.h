#pragma once

#include "clock.h"
#include "sessionrow.h"
#include "timelineevent.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QVector>

namespace lockscope {

// The table of sessions and lock files. A new snapshot is merged into the rows
// (vanished rows removed, changed rows updated in place, new rows appended),
// never reset, so that views keep their selection, scroll position and sort.
class SessionTableModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SessionTableModel)

public:
    enum Column
    {
        StateColumn,
        SessionColumn,
        ProjectColumn,
        PidColumn,
        HolderColumn,
        LivenessColumn,
        LockAgeColumn,
        LastActivityColumn,
        SizeColumn,
        ProviderColumn,
        ColumnCount
    };
    enum Role
    {
        SortRole = Qt::UserRole + 1, // raw value: numbers sort as numbers
        KeyRole,
        StateRole,      // int(RowState)
        AttentionRole,  // bool: the "Needs attention" filter
        IdleRole,       // bool: a session with no lock
        ChatsDirRole,   // the project's chats folder
        RootRole,       // the root folder the row was found under
        FilterTextRole, // everything the free-text filter matches against
    };

    explicit SessionTableModel(const Clock &clock = SystemClock::instance(),
                               QObject *parent = nullptr);

    void setSnapshot(const SnapshotPtr &snapshot);
    SnapshotPtr snapshot() const { return m_snapshot; }

    const SessionRow *rowAt(int row) const;
    int rowForKey(const QString &key) const;
    // Lock ages keep moving between scans; this refreshes the age column.
    void tick();

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    static QString columnName(int column);
    static QString columnToolTip(int column);

signals:
    void observed(const lockscope::TimelineEvent &event);

private:
    QVariant display(const SessionRow &row, int column) const;
    QVariant sortValue(const SessionRow &row, int column) const;
    QString toolTip(const SessionRow &row, int column) const;
    std::optional<qint64> lockAgeNow(const SessionRow &row) const;
    QString filterText(const SessionRow &row) const;
    void compare(const SessionRow *before, const SessionRow *after);
    void rebuildIndex();

    const Clock &m_clock;
    SnapshotPtr m_snapshot;
    QVector<SessionRow> m_rows;
    QHash<QString, int> m_index;
    bool m_populated = false;
};

} // namespace lockscope
