#pragma once

#include "auditlog.h"
#include "clock.h"
#include "lockremover.h"
#include "processprobe.h"
#include "storediscovery.h"
#include "storesnapshot.h"

#include <QByteArray>
#include <QString>

#include <functional>
#include <memory>
#include <optional>

namespace lockscope {

enum class AcquireOutcome
{
    Acquired,     // no lock was there; ours is published
    TookOver,     // a stale lock was replaced under the transition guard
    InUse,        // another holder has it (held, busy, expired, unverifiable...)
    InTransition, // another process holds the transition guard
    InvalidId,    // the session id breaks the grammar
    IoError,
};

enum class ReleaseOutcome
{
    Released,
    NotOwner,
    AlreadyGone,
    InTransition,
    IoError
};

class LockManager;

// A lock this process holds. Released on destruction if still held.
class LockHandle
{
public:
    ~LockHandle();
    LockHandle(const LockHandle &) = delete;
    LockHandle &operator=(const LockHandle &) = delete;

    QByteArray path() const { return m_dir + '/' + m_name; }
    QString sessionId() const { return m_sessionId; }
    QString ownerToken() const { return m_token; }
    // The lock file still carries our token.
    bool ownsLock() const;
    ReleaseOutcome release();

private:
    friend class LockManager;
    LockHandle() = default;

    QByteArray m_dir;
    QByteArray m_name;
    QString m_sessionId;
    QString m_token;
    QByteArray m_payload;
    quint64 m_dev = 0;
    quint64 m_ino = 0;
    bool m_held = false;
};

struct AcquireResult
{
    AcquireOutcome outcome = AcquireOutcome::IoError;
    std::unique_ptr<LockHandle> handle;
    QString message;
    Judgement existing; // the verdict on the lock that was there, if any
};

// lockscope's counterpart of llxprt's SessionLockManager, byte-compatible on
// disk: same names, same payload, same temp-and-link publication, same guard.
// Where upstream decides staleness with a 48 h clock and a bare kill(), this
// takes over only what lockscope's verdict calls stale (pid reuse detected,
// live long sessions never taken).
class LockManager
{
public:
    explicit LockManager(const ProcessProbe &probe = SystemProcessProbe::instance(),
                         const Clock &clock = SystemClock::instance(), AuditLog *audit = nullptr);

    // Empty when the id breaks ^[A-Za-z0-9_-]{1,256}$.
    static QByteArray lockPath(const QByteArray &chatsDir, const QString &sessionId);
    // From the recording's header id; also understands the design-era
    // session-<id>.jsonl name. Empty when neither gives a valid id.
    static QByteArray lockPathForRecording(const QByteArray &recordingPath);

    AcquireResult acquire(const QByteArray &chatsDir, const QString &sessionId);

    // Upstream's predicate A, negated: true when the CLI would not call it in use.
    bool checkStale(const QByteArray &lockPath) const;
    // Upstream's predicate B (ESRCH, or older than 48 h, or mtime fallback).
    bool checkStaleWithPidReuse(const QByteArray &lockPath) const;
    // A lock file exists and lockscope does not call it stale (fail closed).
    bool isLocked(const QByteArray &chatsDir, const QString &sessionId) const;
    bool isStale(const QByteArray &chatsDir, const QString &sessionId) const;
    RemovalResult removeStaleLock(const QByteArray &chatsDir, const QString &sessionId);
    // Removes every entry whose action is `remove` (locks, guards, temps,
    // leases) and returns each outcome. Unlike upstream's janitor it also
    // cleans corrupt locks older than 48 h and never ones whose holder lives.
    QVector<RemovalResult> cleanupOrphanedLocks(const QVector<ScanTarget> &targets);
    // keepGoing, when given, is asked before each file; false stops the clean-up.
    QVector<RemovalResult> cleanupOrphanedLocks(const StoreSnapshot &snapshot,
                                                const std::function<bool()> &keepGoing = {});

    static bool isHeldByThisProcess(quint64 dev, quint64 ino);

private:
    LockEntry inspect(const QByteArray &lockPath) const;

    const ProcessProbe &m_probe;
    const Clock &m_clock;
    AuditLog *m_audit;
    std::unique_ptr<AuditLog> m_ownAudit;
};

QString acquireOutcomeName(AcquireOutcome outcome);
QString releaseOutcomeName(ReleaseOutcome outcome);

} // namespace lockscope
