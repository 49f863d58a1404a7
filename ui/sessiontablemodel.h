#pragma once

#include "clock.h"
#include "sessionrow.h"
#include "storeupdate.h"
#include "timelineevent.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QSet>
#include <QVector>

#include <array>
#include <optional>

namespace lockscope {

// The table of sessions and lock files. Updates are merged into the rows folder
// by folder (vanished rows removed, changed rows updated in place, new rows
// appended), never reset, so that views keep their selection, scroll position
// and sort, and the cost of an update follows what changed.
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

    // Shows this whole snapshot (merged as one folder); for a model fed by
    // applyUpdate, use that alone.
    void setSnapshot(const SnapshotPtr &snapshot);
    void applyUpdate(const lockscope::StoreUpdate &update);

    // Kept as rows come and go, so that totals cost nothing to show.
    int stateCount(RowState state) const;
    int attentionCount() const { return m_attention; }

    const SessionRow *rowAt(int row) const;
    // Compares two rows on a numeric column without going through QVariant:
    // sorting a hundred thousand rows asks this a few million times. No answer
    // for a text column.
    std::optional<bool> lessThan(int left, int right, int column) const;
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
    std::optional<qint64> sortNumber(const SessionRow &row, int column) const;
    QString toolTip(const SessionRow &row, int column) const;
    std::optional<qint64> lockAgeNow(const SessionRow &row) const;
    QString filterText(const SessionRow &row) const;
    void compare(const SessionRow *before, const SessionRow *after);
    void applyFolder(const QString &folder, const QVector<SessionRow> &incoming,
                     const QStringList &removed);
    void count(const SessionRow &row, int sign);

    const Clock &m_clock;
    QVector<SessionRow> m_rows;
    // A row key with its hash computed once: growing the index then moves
    // entries without hashing a hundred thousand strings again.
    struct IndexKey
    {
        QString key;
        size_t hash = 0;
        explicit IndexKey(const QString &k)
            : key(k)
            , hash(qHash(k))
        {
        }
        bool operator==(const IndexKey &o) const { return hash == o.hash && key == o.key; }
    };
    friend size_t qHash(const IndexKey &k, size_t seed) { return k.hash ^ seed; }

    QHash<IndexKey, int> m_index;               // row key -> row
    QHash<QString, QSet<QString>> m_folderKeys; // folder -> its rows' keys
    std::array<int, size_t(RowState::Idle) + 1> m_stateCounts{};
    int m_attention = 0;
    bool m_populated = false;
};

} // namespace lockscope
