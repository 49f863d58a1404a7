#pragma once

#include "storesnapshot.h"

#include <QByteArray>
#include <QCoreApplication>
#include <QString>
#include <QVector>

#include <memory>

namespace lockscope {

using SnapshotPtr = std::shared_ptr<const StoreSnapshot>;

// What a row of the table shows at a glance, derived from the lock's verdict
// (or from the absence of a lock).
enum class RowState
{
    Held,
    Stale,
    Expired,
    Busy,
    Unverifiable,
    InTransition,
    NotALock,
    Idle
};

// One row of the table: a session (its recording joined with its lock) or a
// file that belongs to no session (guard, temp, lease, unknown entry). The row
// points into the snapshot it came from, which it keeps alive.
struct SessionRow
{
    QString key;    // stable across scans: chats folder + session id, else the file's path
    QString folder; // the scan piece the row came from (ScanPiece::key)
    SnapshotPtr snapshot;
    int sessionIndex = -1;
    int lockIndex = -1;
    size_t fingerprint = 0; // a hash of everything the row shows: changes with any of it

    const SessionEntry *session() const;
    const LockEntry *lock() const;
    const ProjectEntry *project() const;
    const RecordingInfo *recording() const;

    RowState state() const;
    bool isSession() const { return sessionIndex >= 0; }
    // A guard, temp or lease that outlived its transition or janitor.
    bool isLeftover() const;
    bool needsAttention() const;
    // What delete actions may do with it; Never when there is no lock.
    Action action() const;
    bool blocked() const;
    QString blockedReason() const;
    qint64 pid() const; // 0 when there is none
    bool holderAlive() const;
    QString projectPath() const; // workspace folder, else the project hash, else empty
    QString title() const;       // name, else title, else short id, else file name
    QString displayPath() const; // the lock's path, else the recording's
    QByteArray rawPath() const;

    Q_DECLARE_TR_FUNCTIONS(lockscope::SessionRow)
};

QVector<SessionRow> rowsFromSnapshot(const SnapshotPtr &snapshot, const QString &folder = {});

QString rowStateName(RowState state);
// One sentence telling what the state means and what can be done.
QString rowStateExplanation(RowState state);

} // namespace lockscope

// Rows are moved in memory, not copied, when the table grows: a hundred
// thousand of them are otherwise copied one by one (the members are implicitly
// shared Qt values and a std::shared_ptr, all safe to move bitwise).
Q_DECLARE_TYPEINFO(lockscope::SessionRow, Q_RELOCATABLE_TYPE);
