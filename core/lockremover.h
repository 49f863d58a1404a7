#pragma once

#include "auditlog.h"
#include "clock.h"
#include "lockverdict.h"
#include "processprobe.h"

#include <QByteArray>
#include <QString>
#include <QStringList>
#include <QVector>

#include <functional>
#include <optional>

namespace lockscope {

enum class RemovalOutcome
{
    Removed,
    AlreadyGone,
    Changed,
    NoLongerStale,
    InTransition,
    PermissionDenied,
    ReadOnly,
    Refused,
    IoError,
};

struct RemovalRequest
{
    QByteArray dirPath;
    QByteArray fileName;
    bool force = false; // allow `force` actions: the person confirmed the holder is stopped
    // The bytes the caller showed the person; a difference is reported as Changed.
    std::optional<QByteArray> expectedBytes;
    // The caller judged the entry removable a moment ago (clean-up, the GUI): a
    // verdict that no longer allows removal is NoLongerStale rather than Refused.
    bool expectRemovable = false;

    static RemovalRequest forPath(const QByteArray &path);
};

struct RemovalResult
{
    RemovalOutcome outcome = RemovalOutcome::IoError;
    QByteArray path;
    QString message; // plain words, ready for a person
    QString auditId;
    Judgement judgement; // as judged during the removal, when it got that far
    bool guardRemoved = false;

    bool failed() const;
};

struct RestoreResult
{
    enum Outcome
    {
        Restored,
        Occupied,
        NotFound,
        PermissionDenied,
        ReadOnly,
        IoError
    };
    Outcome outcome = IoError;
    QByteArray path;
    QString message;
};

// The one way lockscope deletes anything: every step relative to one directory
// handle, under llxprt's transition guard, re-judged and re-read right before
// the unlink, and recorded in the audit log first.
class LockRemover
{
public:
    enum class Stage
    {
        GuardClaimed,
        BeforeAudit,
        BeforeUnlink
    };

    LockRemover(AuditLog &audit, const ProcessProbe &probe = SystemProcessProbe::instance(),
                const Clock &clock = SystemClock::instance());

    RemovalResult remove(const RemovalRequest &request);
    RestoreResult restore(const QString &auditId);
    // Restores many removals, reading the audit log once (an undo of a large
    // clean-up would otherwise read it once a file).
    QVector<RestoreResult> restoreAll(const QStringList &auditIds);

    // Tests use this to change the world at a precise step of the protocol.
    void setStageHook(std::function<void(Stage)> hook) { m_hook = std::move(hook); }

private:
    RestoreResult restoreRecord(const QString &auditId, const std::optional<AuditRecord> &record,
                                const QString &findError);

    AuditLog &m_audit;
    const ProcessProbe &m_probe;
    const Clock &m_clock;
    std::function<void(Stage)> m_hook;
};

QString removalOutcomeName(RemovalOutcome outcome);
// dir made absolute against the current directory (no link is resolved).
QByteArray absoluteDirectory(const QByteArray &dir);
QString restoreOutcomeName(RestoreResult::Outcome outcome);

} // namespace lockscope
