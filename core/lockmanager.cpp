#include "lockmanager.h"

#include "lockinspector.h"
#include "snapshotjson.h"
#include "storescanner.h"

#include <QDir>
#include <QMutex>
#include <QMutexLocker>
#include <QSet>
#include <QThread>
#include <QUuid>

#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace lockscope {

namespace {

QMutex &registryMutex()
{
    static QMutex mutex;
    return mutex;
}

QSet<QPair<quint64, quint64>> &registry()
{
    static QSet<QPair<quint64, quint64>> held;
    return held;
}

void registerHeld(quint64 dev, quint64 ino, bool held)
{
    QMutexLocker locker(&registryMutex());
    if (held)
        registry().insert({dev, ino});
    else
        registry().remove({dev, ino});
}

QByteArray splitPath(const QByteArray &path, QByteArray *name)
{
    const int slash = path.lastIndexOf('/');
    *name = slash < 0 ? path : path.mid(slash + 1);
    return slash < 0 ? QByteArray(".") : slash == 0 ? QByteArray("/") : path.left(slash);
}

class Dir
{
public:
    explicit Dir(const QByteArray &path)
        : m_fd(::open(path.constData(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC))
        , m_errno(m_fd < 0 ? errno : 0)
    {
    }
    ~Dir()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    Dir(const Dir &) = delete;
    Dir &operator=(const Dir &) = delete;
    int fd() const { return m_fd; }
    int error() const { return m_errno; }

private:
    int m_fd;
    int m_errno;
};

// Writes the complete payload to <lock>.<uuid>.locktmp with O_EXCL and fsync;
// returns the temp's name, or empty with *error set.
QByteArray writeTemp(int dirfd, const QByteArray &lockName, const QByteArray &payload, int *error)
{
    const QByteArray temp =
        lockName + '.' + QUuid::createUuid().toString(QUuid::WithoutBraces).toLatin1() + ".locktmp";
    const int fd = ::openat(dirfd, temp.constData(),
                            O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0) {
        *error = errno;
        return {};
    }
    const bool ok = ::write(fd, payload.constData(), size_t(payload.size())) == payload.size() &&
                    ::fsync(fd) == 0;
    *error = ok ? 0 : errno;
    ::close(fd);
    if (!ok) {
        ::unlinkat(dirfd, temp.constData(), 0);
        return {};
    }
    return temp;
}

// Claims <lock>.tguard: a hard link of the lock, or (where hard links to other
// users' files are refused) a file naming this process. Returns the guard's stat.
std::optional<EntryFile> claimGuard(int dirfd, const QByteArray &lockName, const QString &sessionId,
                                    int *error)
{
    const QByteArray guard = lockName + ".tguard";
    if (::linkat(dirfd, lockName.constData(), dirfd, guard.constData(), 0) == 0)
        return statEntry(dirfd, guard);
    *error = errno;
    if (*error != EPERM)
        return std::nullopt;
    const int fd = ::openat(dirfd, guard.constData(),
                            O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0) {
        *error = errno;
        return std::nullopt;
    }
    const QByteArray payload =
        makeLockPayload(::getpid(), formatTimestamp(SystemClock::instance().wallNowMs()), sessionId,
                        QUuid::createUuid().toString(QUuid::WithoutBraces));
    const bool ok = ::write(fd, payload.constData(), size_t(payload.size())) == payload.size();
    ::close(fd);
    if (!ok) {
        *error = EIO;
        ::unlinkat(dirfd, guard.constData(), 0);
        return std::nullopt;
    }
    return statEntry(dirfd, guard);
}

void releaseGuard(int dirfd, const QByteArray &lockName, const EntryFile &claimed)
{
    const QByteArray guard = lockName + ".tguard";
    if (statEntry(dirfd, guard).sameInode(claimed))
        ::unlinkat(dirfd, guard.constData(), 0);
}

} // namespace

LockHandle::~LockHandle()
{
    if (m_held)
        release();
}

bool LockHandle::ownsLock() const
{
    if (!m_held)
        return false;
    Dir dir(m_dir);
    if (dir.fd() < 0)
        return false;
    const EntryFile now = readEntry(dir.fd(), m_name);
    return now.type == FileType::Regular && now.dev == m_dev && now.ino == m_ino &&
           parseLockPayload(now.bytes).ownerToken == m_token;
}

ReleaseOutcome LockHandle::release()
{
    if (!m_held)
        return ReleaseOutcome::AlreadyGone;
    Dir dir(m_dir);
    if (dir.fd() < 0)
        return dir.error() == ENOENT ? ReleaseOutcome::AlreadyGone : ReleaseOutcome::IoError;

    // A cleaner may hold the guard for a moment while it judges our lock (and
    // finds it held); wait a bounded time for it to let go.
    std::optional<EntryFile> guard;
    int error = 0;
    for (int attempt = 0; attempt < 200 && !guard; ++attempt) {
        guard = claimGuard(dir.fd(), m_name, m_sessionId, &error);
        if (!guard && error == EEXIST)
            QThread::msleep(5);
        else if (!guard)
            break;
    }
    if (!guard) {
        if (error == ENOENT) {
            m_held = false;
            registerHeld(m_dev, m_ino, false);
            return ReleaseOutcome::AlreadyGone;
        }
        return error == EEXIST ? ReleaseOutcome::InTransition : ReleaseOutcome::IoError;
    }

    const EntryFile now = readEntry(dir.fd(), m_name);
    ReleaseOutcome outcome = ReleaseOutcome::Released;
    if (now.type == FileType::Missing) {
        outcome = ReleaseOutcome::AlreadyGone;
    } else if (now.dev != m_dev || now.ino != m_ino ||
               parseLockPayload(now.bytes).ownerToken != m_token) {
        outcome = ReleaseOutcome::NotOwner;
    } else if (::unlinkat(dir.fd(), m_name.constData(), 0) != 0) {
        outcome = errno == ENOENT ? ReleaseOutcome::AlreadyGone : ReleaseOutcome::IoError;
    }
    releaseGuard(dir.fd(), m_name, *guard);
    if (outcome != ReleaseOutcome::IoError) {
        m_held = false;
        registerHeld(m_dev, m_ino, false);
    }
    return outcome;
}

LockManager::LockManager(const ProcessProbe &probe, const Clock &clock, AuditLog *audit)
    : m_probe(probe)
    , m_clock(clock)
    , m_audit(audit)
{
    if (!m_audit) {
        m_ownAudit = std::make_unique<AuditLog>();
        m_audit = m_ownAudit.get();
    }
}

QByteArray LockManager::lockPath(const QByteArray &chatsDir, const QString &sessionId)
{
    if (!isSessionId(sessionId))
        return {};
    return chatsDir + '/' + sessionId.toLatin1() + ".lock";
}

QByteArray LockManager::lockPathForRecording(const QByteArray &recordingPath)
{
    QByteArray name;
    const QByteArray dir = splitPath(recordingPath, &name);
    Dir handle(dir);
    if (handle.fd() >= 0) {
        const RecordingPtr info = RecordingReader().read(handle.fd(), name);
        if (info->headerOk)
            return lockPath(dir, info->sessionId);
    }
    // The design-era name carried the whole id: session-<id>.jsonl.
    if (name.startsWith("session-") && name.endsWith(".jsonl")) {
        const QByteArray id = name.mid(8, name.size() - 8 - 6);
        if (classifyEntryName(name).kind != EntryKind::Recording && isSessionId(id))
            return lockPath(dir, QString::fromLatin1(id));
    }
    return {};
}

AcquireResult LockManager::acquire(const QByteArray &chatsDir, const QString &sessionId)
{
    AcquireResult result;
    if (!isSessionId(sessionId)) {
        result.outcome = AcquireOutcome::InvalidId;
        result.message = QStringLiteral("\"%1\" is not a valid session id.").arg(sessionId);
        return result;
    }
    if (!QDir().mkpath(QFile::decodeName(chatsDir))) {
        result.message = QStringLiteral("Cannot create %1.").arg(displayPath(chatsDir));
        return result;
    }
    Dir dir(chatsDir);
    if (dir.fd() < 0) {
        result.message =
            QStringLiteral("Cannot open %1: %2").arg(displayPath(chatsDir), errnoText(dir.error()));
        return result;
    }

    const QByteArray name = sessionId.toLatin1() + ".lock";
    const QString token = QUuid::createUuid().toString(QUuid::WithoutBraces);
    const QByteArray payload =
        makeLockPayload(::getpid(), formatTimestamp(m_clock.wallNowMs()), sessionId, token);
    int error = 0;
    const QByteArray temp = writeTemp(dir.fd(), name, payload, &error);
    if (temp.isEmpty()) {
        result.message =
            QStringLiteral("Cannot write in %1: %2").arg(displayPath(chatsDir), errnoText(error));
        return result;
    }
    const auto dropTemp = qScopeGuard([&] { ::unlinkat(dir.fd(), temp.constData(), 0); });

    const auto publish = [&]() {
        return ::linkat(dir.fd(), temp.constData(), dir.fd(), name.constData(), 0) == 0;
    };
    bool published = publish();
    if (!published && errno != EEXIST) {
        result.message = QStringLiteral("Cannot publish the lock: %1").arg(errnoText(errno));
        return result;
    }

    if (!published) {
        // Someone has this lock. Take it over only when lockscope calls it stale,
        // under the guard, after checking that nothing changed since judging.
        const DirectoryFacts facts = probeDirectory(dir.fd());
        LockInspector inspector(m_probe, makeJudgeContext(m_clock, m_probe));
        const LockEntry existing = inspector.inspect(dir.fd(), chatsDir, name, facts);
        result.existing = existing.judgement;
        if (existing.file.type == FileType::Missing) {
            published = publish(); // released meanwhile
        } else if (existing.judgement.verdict == Verdict::InTransition) {
            result.outcome = AcquireOutcome::InTransition;
            result.message = existing.judgement.reason;
            return result;
        } else if (existing.judgement.verdict != Verdict::Stale) {
            result.outcome = AcquireOutcome::InUse;
            result.message =
                QStringLiteral("In use (%1): %2")
                    .arg(verdictName(existing.judgement.verdict), existing.judgement.reason);
            return result;
        } else {
            const auto guard = claimGuard(dir.fd(), name, sessionId, &error);
            if (!guard) {
                result.outcome =
                    error == EEXIST ? AcquireOutcome::InTransition : AcquireOutcome::IoError;
                result.message =
                    error == EEXIST
                        ? QStringLiteral("Another process is taking this lock over right now.")
                        : QStringLiteral("Cannot claim the guard: %1").arg(errnoText(error));
                return result;
            }
            inspector.setIgnoreGuard(true);
            const LockEntry again = inspector.inspect(dir.fd(), chatsDir, name, facts);
            const bool unchanged = again.file.sameInode(existing.file) &&
                                   again.file.bytes == existing.file.bytes &&
                                   again.judgement.verdict == Verdict::Stale;
            if (unchanged) {
                AuditRecord record;
                record.id = AuditLog::newId();
                record.dirPath = chatsDir;
                record.fileName = name;
                record.bytes = again.file.bytes;
                record.mode = again.file.mode;
                record.kind = QStringLiteral("lock");
                record.verdict = verdictName(again.judgement.verdict);
                record.cause = causeName(again.judgement.cause);
                record.reason =
                    QStringLiteral("taken over by lockscope hold: %1").arg(again.judgement.reason);
                record.evidence =
                    lockToJson(again, nullptr, m_clock.wallNowMs(), m_clock.bootNowMs());
                QString auditError;
                if (!m_audit->append(record, &auditError)) {
                    releaseGuard(dir.fd(), name, *guard);
                    result.message =
                        QStringLiteral("%1; the stale lock was left in place.").arg(auditError);
                    return result;
                }
                const bool unlinked = ::unlinkat(dir.fd(), name.constData(), 0) == 0;
                if (unlinked)
                    published = publish();
                m_audit->appendOutcome(record.id,
                                       unlinked ? QStringLiteral("removed")
                                                : QStringLiteral("already-gone"),
                                       &auditError);
                result.outcome = AcquireOutcome::TookOver;
            }
            releaseGuard(dir.fd(), name, *guard);
            if (!published) {
                result.outcome = AcquireOutcome::InUse;
                result.message = QStringLiteral("Another process took this lock first.");
                return result;
            }
        }
        if (!published) {
            result.outcome = AcquireOutcome::InUse;
            result.message = QStringLiteral("Another process took this lock first.");
            return result;
        }
    }

    const EntryFile mine = statEntry(dir.fd(), name);
    auto handle = std::unique_ptr<LockHandle>(new LockHandle);
    handle->m_dir = chatsDir;
    handle->m_name = name;
    handle->m_sessionId = sessionId;
    handle->m_token = token;
    handle->m_payload = payload;
    handle->m_dev = mine.dev;
    handle->m_ino = mine.ino;
    handle->m_held = true;
    registerHeld(mine.dev, mine.ino, true);
    if (result.outcome != AcquireOutcome::TookOver)
        result.outcome = AcquireOutcome::Acquired;
    result.message =
        QStringLiteral("Holding %1 as PID %2.").arg(displayPath(handle->path())).arg(::getpid());
    result.handle = std::move(handle);
    return result;
}

LockEntry LockManager::inspect(const QByteArray &lockPath) const
{
    QByteArray name;
    const QByteArray dirPath = splitPath(lockPath, &name);
    Dir dir(dirPath);
    if (dir.fd() < 0)
        return {};
    LockInspector inspector(m_probe, makeJudgeContext(m_clock, m_probe));
    return inspector.inspect(dir.fd(), dirPath, name, probeDirectory(dir.fd()));
}

bool LockManager::checkStale(const QByteArray &lockPath) const
{
    const LockEntry entry = inspect(lockPath);
    return entry.file.type != FileType::Missing && !entry.upstream.inUse;
}

bool LockManager::checkStaleWithPidReuse(const QByteArray &lockPath) const
{
    const LockEntry entry = inspect(lockPath);
    return entry.file.type != FileType::Missing && entry.upstream.staleB;
}

bool LockManager::isLocked(const QByteArray &chatsDir, const QString &sessionId) const
{
    const QByteArray path = lockPath(chatsDir, sessionId);
    if (path.isEmpty())
        return false;
    const LockEntry entry = inspect(path);
    return entry.file.type != FileType::Missing && entry.judgement.verdict != Verdict::Stale;
}

bool LockManager::isStale(const QByteArray &chatsDir, const QString &sessionId) const
{
    const QByteArray path = lockPath(chatsDir, sessionId);
    if (path.isEmpty())
        return false;
    const LockEntry entry = inspect(path);
    return entry.file.type != FileType::Missing && entry.judgement.verdict == Verdict::Stale;
}

RemovalResult LockManager::removeStaleLock(const QByteArray &chatsDir, const QString &sessionId)
{
    const QByteArray path = lockPath(chatsDir, sessionId);
    if (path.isEmpty()) {
        RemovalResult r;
        r.outcome = RemovalOutcome::Refused;
        r.message = QStringLiteral("\"%1\" is not a valid session id.").arg(sessionId);
        return r;
    }
    LockRemover remover(*m_audit, m_probe, m_clock);
    return remover.remove(RemovalRequest::forPath(path));
}

QVector<RemovalResult> LockManager::cleanupOrphanedLocks(const QVector<ScanTarget> &targets)
{
    StoreScanner scanner(m_probe, m_clock);
    return cleanupOrphanedLocks(scanner.scan(targets));
}

QVector<RemovalResult> LockManager::cleanupOrphanedLocks(const StoreSnapshot &snapshot,
                                                         const std::function<bool()> &keepGoing)
{
    LockRemover remover(*m_audit, m_probe, m_clock);
    QVector<RemovalResult> results;
    for (const LockEntry &lock : snapshot.locks) {
        if (lock.judgement.action != Action::Remove)
            continue;
        if (keepGoing && !keepGoing())
            break;
        RemovalRequest request;
        request.dirPath = lock.dirPath;
        request.fileName = lock.fileName;
        request.expectedBytes = lock.file.bytes;
        request.expectRemovable = true;
        results.append(remover.remove(request));
    }
    return results;
}

bool LockManager::isHeldByThisProcess(quint64 dev, quint64 ino)
{
    QMutexLocker locker(&registryMutex());
    return registry().contains({dev, ino});
}

QString acquireOutcomeName(AcquireOutcome outcome)
{
    switch (outcome) {
    case AcquireOutcome::Acquired:
        return QStringLiteral("acquired");
    case AcquireOutcome::TookOver:
        return QStringLiteral("took-over");
    case AcquireOutcome::InUse:
        return QStringLiteral("in-use");
    case AcquireOutcome::InTransition:
        return QStringLiteral("in-transition");
    case AcquireOutcome::InvalidId:
        return QStringLiteral("invalid-id");
    case AcquireOutcome::IoError:
        return QStringLiteral("io-error");
    }
    return {};
}

QString releaseOutcomeName(ReleaseOutcome outcome)
{
    switch (outcome) {
    case ReleaseOutcome::Released:
        return QStringLiteral("released");
    case ReleaseOutcome::NotOwner:
        return QStringLiteral("not-owner");
    case ReleaseOutcome::AlreadyGone:
        return QStringLiteral("already-gone");
    case ReleaseOutcome::InTransition:
        return QStringLiteral("in-transition");
    case ReleaseOutcome::IoError:
        return QStringLiteral("io-error");
    }
    return {};
}

} // namespace lockscope
