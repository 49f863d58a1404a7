#include "lockremover.h"

#include "entryfile.h"
#include "lockinspector.h"
#include "snapshotjson.h"
#include "timestamp.h"

#include <QDateTime>
#include <QHash>
#include <QLoggingCategory>
#include <QUuid>

#include <cerrno>
#include <climits>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcRemove, "lockscope.core.remove", QtWarningMsg)

namespace lockscope {

namespace {

class DirHandle
{
public:
    // Neither the folder nor its parent may be a symlink: in a store those are
    // a chats folder and its project folder, which lockscope never follows.
    // Above them (the store's root and the rest of the path) links are the
    // user's own business.
    explicit DirHandle(const QByteArray &path)
    {
        QByteArray clean = path;
        while (clean.size() > 1 && clean.endsWith('/'))
            clean.chop(1);
        const int slash = clean.lastIndexOf('/');
        const int parentSlash = slash > 0 ? clean.lastIndexOf('/', slash - 1) : -1;
        if (slash <= 0 || parentSlash < 0) {
            m_fd = ::open(clean.constData(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            m_errno = m_fd < 0 ? errno : 0;
            return;
        }
        const QByteArray grandparent = parentSlash == 0 ? QByteArray("/") : clean.left(parentSlash);
        const QByteArray parent = clean.mid(parentSlash + 1, slash - parentSlash - 1);
        const QByteArray name = clean.mid(slash + 1);
        const int top = ::open(grandparent.constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (top < 0) {
            m_errno = errno;
            return;
        }
        const int middle =
            ::openat(top, parent.constData(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        m_errno = middle < 0 ? errno : 0;
        ::close(top);
        if (middle < 0)
            return;
        m_fd = ::openat(middle, name.constData(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        m_errno = m_fd < 0 ? errno : 0;
        ::close(middle);
    }
    ~DirHandle()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    DirHandle(const DirHandle &) = delete;
    DirHandle &operator=(const DirHandle &) = delete;
    int fd() const { return m_fd; }
    int error() const { return m_errno; }

private:
    int m_fd = -1;
    int m_errno = 0;
};

RemovalResult result(RemovalOutcome outcome, const QByteArray &path, QString message)
{
    RemovalResult r;
    r.outcome = outcome;
    r.path = path;
    r.message = std::move(message);
    return r;
}

RemovalResult fromErrno(int error, const QByteArray &path, const QString &doing)
{
    switch (error) {
    case ENOENT:
        return result(RemovalOutcome::AlreadyGone, path,
                      QStringLiteral("Already gone: another process removed it first."));
    case EACCES:
    case EPERM:
        return result(RemovalOutcome::PermissionDenied, path,
                      QStringLiteral("Permission denied while %1: this user may not change the"
                                     " folder (%2).")
                          .arg(doing, errnoText(error)));
    case EROFS:
        return result(RemovalOutcome::ReadOnly, path,
                      QStringLiteral("The filesystem is read-only; nothing was removed."));
    default:
        return result(RemovalOutcome::IoError, path,
                      QStringLiteral("%1 failed: %2").arg(doing, errnoText(error)));
    }
}

bool isLockKind(EntryKind kind)
{
    return kind == EntryKind::Lock || kind == EntryKind::LegacyLock;
}

bool removableKind(EntryKind kind)
{
    return isLockKind(kind) || kind == EntryKind::Guard || kind == EntryKind::Temp ||
           kind == EntryKind::Lease;
}

QByteArray splitDir(const QByteArray &path, QByteArray *name)
{
    QByteArray clean = path;
    while (clean.size() > 1 && clean.endsWith('/'))
        clean.chop(1);
    const int slash = clean.lastIndexOf('/');
    if (slash < 0) {
        *name = clean;
        return ".";
    }
    *name = clean.mid(slash + 1);
    return slash == 0 ? QByteArray("/") : clean.left(slash);
}

// The transition guard this removal holds, released on every exit path.
class GuardClaim
{
public:
    GuardClaim(int dirfd, QByteArray name)
        : m_dirfd(dirfd)
        , m_name(std::move(name))
    {
    }
    ~GuardClaim() { release(); }
    GuardClaim(const GuardClaim &) = delete;
    GuardClaim &operator=(const GuardClaim &) = delete;

    void hold(const EntryFile &guard)
    {
        m_guard = guard;
        m_held = true;
    }
    bool held() const { return m_held; }
    const EntryFile &file() const { return m_guard; }
    const QByteArray &name() const { return m_name; }

    // Unlinks the guard only while it is still the inode this claim made, so a
    // guard another process created in the meantime is never deleted.
    bool release()
    {
        if (!m_held)
            return false;
        m_held = false;
        const EntryFile now = statEntry(m_dirfd, m_name);
        if (!now.sameInode(m_guard))
            return false;
        return ::unlinkat(m_dirfd, m_name.constData(), 0) == 0;
    }

private:
    int m_dirfd;
    QByteArray m_name;
    EntryFile m_guard;
    bool m_held = false;
};

// A guard naming this process, for filesystems where a hard link to a file we
// do not own is refused (fs.protected_hardlinks).
bool writeOwnGuard(int dirfd, const QByteArray &name, const QString &sessionId, int *error)
{
    const int fd = ::openat(dirfd, name.constData(),
                            O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0) {
        *error = errno;
        return false;
    }
    const QByteArray payload =
        makeLockPayload(::getpid(), formatTimestamp(QDateTime::currentMSecsSinceEpoch()), sessionId,
                        QUuid::createUuid().toString(QUuid::WithoutBraces));
    const bool ok = ::write(fd, payload.constData(), size_t(payload.size())) == payload.size() &&
                    ::fsync(fd) == 0;
    *error = ok ? 0 : errno;
    ::close(fd);
    if (!ok)
        ::unlinkat(dirfd, name.constData(), 0);
    return ok;
}

} // namespace

RemovalRequest RemovalRequest::forPath(const QByteArray &path)
{
    RemovalRequest request;
    request.dirPath = splitDir(path, &request.fileName);
    return request;
}

QByteArray absoluteDirectory(const QByteArray &dir)
{
    if (dir.startsWith('/'))
        return dir;
    char cwd[PATH_MAX];
    if (!::getcwd(cwd, sizeof cwd))
        return dir;
    const QByteArray base(cwd);
    return dir == "." ? base : base + '/' + dir;
}

bool RemovalResult::failed() const
{
    return outcome == RemovalOutcome::PermissionDenied || outcome == RemovalOutcome::ReadOnly ||
           outcome == RemovalOutcome::IoError || outcome == RemovalOutcome::Refused;
}

LockRemover::LockRemover(AuditLog &audit, const ProcessProbe &probe, const Clock &clock)
    : m_audit(audit)
    , m_probe(probe)
    , m_clock(clock)
{
}

RemovalResult LockRemover::remove(const RemovalRequest &given)
{
    // The audit log must name the file wherever restore is run from.
    RemovalRequest request = given;
    request.dirPath = absoluteDirectory(given.dirPath);
    const QByteArray path = request.dirPath + '/' + request.fileName;
    if (request.fileName.isEmpty() || request.fileName.contains('/') || request.fileName == "." ||
        request.fileName == "..")
        return result(RemovalOutcome::Refused, path, QStringLiteral("Not a file name."));

    // Step 1: one directory handle for every step.
    DirHandle dir(request.dirPath);
    if (dir.fd() < 0) {
        if (dir.error() == ELOOP || dir.error() == ENOTDIR)
            return result(RemovalOutcome::Refused, path,
                          QStringLiteral("The folder is a symlink or not a folder; lockscope"
                                         " never removes anything through a link."));
        return fromErrno(dir.error(), path, QStringLiteral("opening the folder"));
    }
    const DirectoryFacts directory = probeDirectory(dir.fd());
    const auto inspectNow = [&](bool ownGuard) {
        LockInspector inspector(m_probe, makeJudgeContext(m_clock, m_probe));
        // Under our own guard the lock would look "in transition"; judge the holder.
        inspector.setIgnoreGuard(ownGuard);
        return inspector.inspect(dir.fd(), request.dirPath, request.fileName, directory);
    };

    // Step 2: still a regular file, not a symlink; and judged removable.
    const LockEntry first = inspectNow(false);
    if (first.file.type == FileType::Missing)
        return result(RemovalOutcome::AlreadyGone, path,
                      QStringLiteral("Already gone: nothing is there any more."));
    if (first.file.type != FileType::Regular || !removableKind(first.kind)) {
        RemovalResult r = result(RemovalOutcome::Refused, path, first.judgement.reason);
        r.judgement = first.judgement;
        return r;
    }
    if (!first.file.read || first.file.truncated) {
        RemovalResult r = result(RemovalOutcome::PermissionDenied, path,
                                 QStringLiteral("Cannot remove it: %1. Nothing was removed.")
                                     .arg(first.judgement.blockedReason));
        r.judgement = first.judgement;
        return r;
    }
    if (request.expectedBytes && *request.expectedBytes != first.file.bytes) {
        RemovalResult r = result(RemovalOutcome::Changed, path,
                                 QStringLiteral("The file changed since it was shown to you;"
                                                " nothing was removed. Look at it again."));
        r.judgement = first.judgement;
        return r;
    }

    // A failure after the first judgement carries it, and says in the words of
    // the verdict why this user cannot remove the file when it is known.
    const auto failure = [&](int error, const QString &doing) {
        RemovalResult r = fromErrno(error, path, doing);
        r.judgement = first.judgement;
        if (!first.judgement.blockedReason.isEmpty() &&
            (r.outcome == RemovalOutcome::PermissionDenied ||
             r.outcome == RemovalOutcome::ReadOnly))
            r.message = QStringLiteral("Cannot remove it: %1 (%2). Nothing was removed.")
                            .arg(first.judgement.blockedReason, errnoText(error));
        return r;
    };
    const auto allowed = [&](const Judgement &j) {
        return j.action == Action::Remove || (request.force && j.action == Action::Force);
    };
    const auto refusal = [&](const Judgement &j) {
        RemovalResult r;
        r.path = path;
        r.judgement = j;
        if (j.verdict == Verdict::InTransition) {
            r.outcome = RemovalOutcome::InTransition;
            r.message = j.reason;
        } else if (request.expectRemovable) {
            r.outcome = RemovalOutcome::NoLongerStale;
            r.message = QStringLiteral("No longer removable: it is now %1. %2")
                            .arg(verdictName(j.verdict), j.reason);
        } else if (j.action == Action::Force) {
            r.outcome = RemovalOutcome::Refused;
            r.message = QStringLiteral("Refused without --force (%1): %2")
                            .arg(verdictName(j.verdict), j.reason);
        } else {
            r.outcome = RemovalOutcome::Refused;
            r.message = QStringLiteral("Refused (%1, action %2): %3")
                            .arg(verdictName(j.verdict), actionName(j.action), j.reason);
        }
        return r;
    };
    if (!allowed(first.judgement))
        return refusal(first.judgement);

    // Step 3: claim the transition guard, as llxprt does, for lock files.
    GuardClaim guard(dir.fd(), request.fileName + ".tguard");
    if (isLockKind(first.kind)) {
        for (int attempt = 0; attempt < 2 && !guard.held(); ++attempt) {
            if (::linkat(dir.fd(), request.fileName.constData(), dir.fd(), guard.name().constData(),
                         0) == 0) {
                guard.hold(statEntry(dir.fd(), guard.name()));
                break;
            }
            const int error = errno;
            if (error == EPERM) {
                int ownError = 0;
                if (writeOwnGuard(dir.fd(), guard.name(), first.sessionId, &ownError)) {
                    guard.hold(statEntry(dir.fd(), guard.name()));
                    break;
                }
                if (ownError != EEXIST)
                    return failure(ownError, QStringLiteral("claiming the guard"));
            } else if (error != EEXIST) {
                return failure(error, QStringLiteral("claiming the guard"));
            }

            // A guard is there already. A hard link of this very lock left by a
            // crash long ago is adopted; a separate stale guard is removed through
            // this same protocol; anything else means a transition is running.
            const EntryFile existing = statEntry(dir.fd(), guard.name());
            const EntryFile lockNow = statEntry(dir.fd(), request.fileName);
            const JudgeContext ctx = makeJudgeContext(m_clock, m_probe);
            if (existing.type == FileType::Regular && existing.sameInode(lockNow) &&
                ctx.wallNowMs - existing.ctimeMs >= limits::kTransitionFreshMs) {
                guard.hold(existing);
                break;
            }
            if (attempt == 0 && existing.type == FileType::Regular) {
                RemovalRequest guardRequest;
                guardRequest.dirPath = request.dirPath;
                guardRequest.fileName = guard.name();
                guardRequest.expectRemovable = true;
                const RemovalResult removed = remove(guardRequest);
                if (removed.outcome == RemovalOutcome::Removed ||
                    removed.outcome == RemovalOutcome::AlreadyGone)
                    continue;
            }
            RemovalResult r = result(RemovalOutcome::InTransition, path,
                                     QStringLiteral("Another process holds the transition guard"
                                                    " %1; nothing was removed. Look again in a"
                                                    " moment.")
                                         .arg(QString::fromUtf8(guard.name())));
            r.judgement = first.judgement;
            return r;
        }
        if (m_hook)
            m_hook(Stage::GuardClaimed);
    }

    // Step 4: judge again, now, under the guard.
    LockEntry judged = inspectNow(guard.held());
    if (judged.file.type == FileType::Missing)
        return result(RemovalOutcome::AlreadyGone, path,
                      QStringLiteral("Already gone: another process removed it first."));
    const bool sameAsShown =
        judged.file.sameInode(first.file) && judged.file.bytes == first.file.bytes;
    if (!sameAsShown) {
        RemovalResult r = result(RemovalOutcome::Changed, path,
                                 QStringLiteral("The file was replaced or rewritten while it was"
                                                " being judged; nothing was removed."));
        r.judgement = judged.judgement;
        return r;
    }
    if (!allowed(judged.judgement))
        return refusal(judged.judgement);
    const Judgement verdict = judged.judgement;

    if (m_hook)
        m_hook(Stage::BeforeAudit);

    // Step 5: the bytes and inode must still be those judged, and the guard must
    // still be a link of this lock (when it is the hard-link form).
    const EntryFile reread = readEntry(dir.fd(), request.fileName);
    if (reread.type == FileType::Missing)
        return result(RemovalOutcome::AlreadyGone, path,
                      QStringLiteral("Already gone: another process removed it first."));
    const bool linkGuard = guard.held() && guard.file().sameInode(first.file);
    if (!reread.sameInode(judged.file) || reread.bytes != judged.file.bytes ||
        (linkGuard && !statEntry(dir.fd(), guard.name()).sameInode(reread))) {
        RemovalResult r = result(RemovalOutcome::Changed, path,
                                 QStringLiteral("The file was replaced or rewritten at the last"
                                                " moment; nothing was removed."));
        r.judgement = verdict;
        return r;
    }

    // Step 6: the audit record, durable, before anything is unlinked.
    AuditRecord record;
    record.id = AuditLog::newId();
    record.dirPath = request.dirPath;
    record.fileName = request.fileName;
    record.bytes = reread.bytes;
    record.mode = reread.mode;
    record.kind = judged.kindName();
    record.verdict = verdictName(verdict.verdict);
    record.cause = causeName(verdict.cause);
    record.reason = verdict.reason;
    record.forced = verdict.action == Action::Force;
    record.evidence = lockToJson(judged, nullptr, m_clock.wallNowMs(), m_clock.bootNowMs());
    QString auditError;
    if (!m_audit.append(record, &auditError)) {
        RemovalResult r = result(RemovalOutcome::IoError, path,
                                 QStringLiteral("%1; nothing was removed.").arg(auditError));
        r.judgement = verdict;
        return r;
    }

    if (m_hook)
        m_hook(Stage::BeforeUnlink);

    // Step 7: the lock, then the guard. The audit write may have taken a while:
    // look once more, right before the unlink, that the name still holds the
    // inode judged (a file without a guard of its own, such as a guard, has
    // nothing else protecting it).
    RemovalResult r;
    r.path = path;
    r.auditId = record.id;
    r.judgement = verdict;
    if (!statEntry(dir.fd(), request.fileName).sameInode(reread)) {
        r.outcome = RemovalOutcome::Changed;
        r.message = QStringLiteral("The file was replaced while it was being recorded; nothing"
                                   " was removed.");
        QString outcomeError;
        m_audit.appendOutcome(record.id, removalOutcomeName(r.outcome), &outcomeError);
        return r;
    }
    if (::unlinkat(dir.fd(), request.fileName.constData(), 0) != 0) {
        const int error = errno;
        r = failure(error, QStringLiteral("removing the file"));
        r.auditId = record.id;
        r.judgement = verdict;
    } else {
        r.outcome = RemovalOutcome::Removed;
        r.message =
            QStringLiteral("Removed (%1%2).")
                .arg(verdictName(verdict.verdict),
                     verdict.cause == Cause::None ? QString()
                                                  : QLatin1Char('/') + causeName(verdict.cause));
    }
    r.guardRemoved = guard.release();
    QString outcomeError;
    if (!m_audit.appendOutcome(record.id, removalOutcomeName(r.outcome), &outcomeError))
        qCWarning(lcRemove) << "audit outcome not recorded:" << outcomeError;
    return r;
}

RestoreResult LockRemover::restore(const QString &auditId)
{
    QString error;
    const auto record = m_audit.find(auditId, &error);
    return restoreRecord(auditId, record, error);
}

QVector<RestoreResult> LockRemover::restoreAll(const QStringList &auditIds)
{
    QString error;
    QHash<QString, AuditRecord> byId;
    for (const AuditRecord &record : m_audit.records(&error))
        byId.insert(record.id, record);
    QVector<RestoreResult> results;
    results.reserve(auditIds.size());
    for (const QString &id : auditIds) {
        const auto it = byId.constFind(id);
        results.append(restoreRecord(
            id, it == byId.cend() ? std::nullopt : std::optional<AuditRecord>(*it), error));
    }
    return results;
}

RestoreResult LockRemover::restoreRecord(const QString &auditId,
                                         const std::optional<AuditRecord> &record,
                                         const QString &error)
{
    RestoreResult r;
    if (!record) {
        r.outcome = RestoreResult::NotFound;
        r.message =
            error.isEmpty()
                ? QStringLiteral("No removal with id %1 in %2.").arg(auditId, m_audit.path())
                : error;
        return r;
    }
    r.path = record->rawPath();

    // The log is a file a person could edit: put back only what lockscope
    // itself removes, by an absolute path, with no executable bits.
    const EntryKind kind = classifyEntryName(record->fileName).kind;
    const bool lockLike = kind == EntryKind::Lock || kind == EntryKind::LegacyLock ||
                          kind == EntryKind::Guard || kind == EntryKind::Temp ||
                          kind == EntryKind::Lease;
    if (!lockLike || !record->dirPath.startsWith('/') || record->dirPath.contains("/../") ||
        record->dirPath.endsWith("/..")) {
        r.outcome = RestoreResult::IoError;
        r.message = QStringLiteral("The record %1 does not name a lock file by an absolute path;"
                                   " nothing was restored.")
                        .arg(auditId);
        return r;
    }

    DirHandle dir(record->dirPath);
    if (dir.fd() < 0) {
        r.outcome =
            dir.error() == EACCES ? RestoreResult::PermissionDenied : RestoreResult::IoError;
        r.message = QStringLiteral("Cannot open %1: %2")
                        .arg(displayPath(record->dirPath), errnoText(dir.error()));
        return r;
    }
    if (statEntry(dir.fd(), record->fileName).type != FileType::Missing) {
        r.outcome = RestoreResult::Occupied;
        r.message = QStringLiteral("Something is at %1 now; nothing was restored.")
                        .arg(displayPath(r.path));
        return r;
    }

    // Published exactly as llxprt publishes a lock: a complete temp file, then a
    // hard link, which fails rather than overwrite whatever appeared meanwhile.
    const QByteArray temp = record->fileName + '.' +
                            QUuid::createUuid().toString(QUuid::WithoutBraces).toLatin1() +
                            ".locktmp";
    const int fd = ::openat(dir.fd(), temp.constData(),
                            O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        const int e = errno;
        r.outcome = e == EROFS                    ? RestoreResult::ReadOnly
                    : (e == EACCES || e == EPERM) ? RestoreResult::PermissionDenied
                                                  : RestoreResult::IoError;
        r.message = QStringLiteral("Cannot write in %1: %2")
                        .arg(displayPath(record->dirPath), errnoText(e));
        return r;
    }
    // The modification time goes back too, once the bytes are written: verdicts
    // of unreadable payloads and of temps depend on it, and an undo must not
    // change a verdict.
    const ParsedTimestamp mtime = parseTimestamp(record->evidence.value(QLatin1String("evidence"))
                                                     .toObject()
                                                     .value(QLatin1String("file"))
                                                     .toObject()
                                                     .value(QLatin1String("mtime"))
                                                     .toString());
    const timespec times[2] = {
        {0, UTIME_OMIT},
        {time_t(mtime.msSinceEpoch / 1000), long(mtime.msSinceEpoch % 1000) * 1'000'000}};
    const bool written = ::write(fd, record->bytes.constData(), size_t(record->bytes.size())) ==
                             record->bytes.size() &&
                         ::fchmod(fd, mode_t(record->mode & 0777)) == 0 &&
                         (!mtime.valid || ::futimens(fd, times) == 0) && ::fsync(fd) == 0;
    const int writeErrno = errno;
    ::close(fd);
    int linkErrno = 0;
    if (written &&
        ::linkat(dir.fd(), temp.constData(), dir.fd(), record->fileName.constData(), 0) != 0)
        linkErrno = errno;
    ::unlinkat(dir.fd(), temp.constData(), 0);

    if (!written) {
        r.outcome = RestoreResult::IoError;
        r.message =
            QStringLiteral("Writing the restored file failed: %1").arg(errnoText(writeErrno));
    } else if (linkErrno == EEXIST) {
        r.outcome = RestoreResult::Occupied;
        r.message = QStringLiteral("Something appeared at %1 meanwhile; nothing was restored.")
                        .arg(displayPath(r.path));
    } else if (linkErrno != 0) {
        r.outcome = RestoreResult::IoError;
        r.message =
            QStringLiteral("Publishing the restored file failed: %1").arg(errnoText(linkErrno));
    } else {
        r.outcome = RestoreResult::Restored;
        r.message = QStringLiteral("Restored %1 (%2 bytes).")
                        .arg(displayPath(r.path))
                        .arg(record->bytes.size());
    }
    QString auditError;
    m_audit.appendRestore(auditId, restoreOutcomeName(r.outcome), &auditError);
    return r;
}

QString removalOutcomeName(RemovalOutcome outcome)
{
    switch (outcome) {
    case RemovalOutcome::Removed:
        return QStringLiteral("removed");
    case RemovalOutcome::AlreadyGone:
        return QStringLiteral("already-gone");
    case RemovalOutcome::Changed:
        return QStringLiteral("changed");
    case RemovalOutcome::NoLongerStale:
        return QStringLiteral("no-longer-stale");
    case RemovalOutcome::InTransition:
        return QStringLiteral("in-transition");
    case RemovalOutcome::PermissionDenied:
        return QStringLiteral("permission-denied");
    case RemovalOutcome::ReadOnly:
        return QStringLiteral("read-only");
    case RemovalOutcome::Refused:
        return QStringLiteral("refused");
    case RemovalOutcome::IoError:
        return QStringLiteral("io-error");
    }
    return {};
}

QString restoreOutcomeName(RestoreResult::Outcome outcome)
{
    switch (outcome) {
    case RestoreResult::Restored:
        return QStringLiteral("restored");
    case RestoreResult::Occupied:
        return QStringLiteral("occupied");
    case RestoreResult::NotFound:
        return QStringLiteral("not-found");
    case RestoreResult::PermissionDenied:
        return QStringLiteral("permission-denied");
    case RestoreResult::ReadOnly:
        return QStringLiteral("read-only");
    case RestoreResult::IoError:
        return QStringLiteral("io-error");
    }
    return {};
}

} // namespace lockscope
