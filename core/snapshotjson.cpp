#include "snapshotjson.h"

#include <QJsonArray>
#include <QSysInfo>

namespace lockscope {

namespace {

QJsonValue stringOrNull(const QString &text)
{
    return text.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(text);
}

QJsonObject holderToJson(const HolderFacts &h, qint64 wallNowMs, qint64 bootNowMs)
{
    QJsonObject o;
    o.insert(QLatin1String("liveness"), livenessName(h.liveness));
    o.insert(QLatin1String("alive"), h.running());
    o.insert(QLatin1String("eperm"), h.liveness == Liveness::AlivePermission);
    o.insert(QLatin1String("killErrno"), h.killErrno);
    o.insert(QLatin1String("uid"), h.uid ? QJsonValue(double(*h.uid)) : QJsonValue());
    o.insert(QLatin1String("startTime"),
             h.startBootMs ? QJsonValue(formatTimestamp(wallNowMs - (bootNowMs - *h.startBootMs)))
                           : QJsonValue());
    o.insert(QLatin1String("isThread"), h.isThread);
    o.insert(QLatin1String("tgid"), double(h.tgid));
    o.insert(QLatin1String("kernelThread"), h.kernelThread);
    o.insert(QLatin1String("zombie"), h.zombie);
    o.insert(QLatin1String("name"), stringOrNull(h.name));
    o.insert(QLatin1String("exe"), stringOrNull(h.exe));
    o.insert(QLatin1String("cmdline"), stringOrNull(h.cmdline));
    return o;
}

QJsonObject fileToJson(const EntryFile &f)
{
    QJsonObject o;
    o.insert(QLatin1String("type"), fileTypeName(f.type));
    o.insert(QLatin1String("size"), double(f.size));
    o.insert(QLatin1String("mtime"), formatTimestamp(f.mtimeMs));
    o.insert(QLatin1String("ctime"), formatTimestamp(f.ctimeMs));
    o.insert(QLatin1String("dev"), double(f.dev));
    o.insert(QLatin1String("ino"), double(f.ino));
    o.insert(QLatin1String("nlink"), double(f.nlink));
    o.insert(QLatin1String("mode"), QStringLiteral("%1").arg(f.mode, 4, 8, QLatin1Char('0')));
    o.insert(QLatin1String("uid"), double(f.uid));
    o.insert(QLatin1String("readError"),
             f.openErrno ? QJsonValue(errnoText(f.openErrno)) : QJsonValue());
    o.insert(QLatin1String("truncated"), f.truncated);
    return o;
}

} // namespace

QJsonObject lockToJson(const LockEntry &lock, const StoreSnapshot *snapshot, qint64 wallNowMs,
                       qint64 bootNowMs)
{
    const Judgement &j = lock.judgement;
    QJsonObject o;
    o.insert(QLatin1String("path"), lock.path());
    if (QString::fromUtf8(lock.rawPath()).toUtf8() != lock.rawPath())
        o.insert(QLatin1String("pathBase64"), QString::fromLatin1(lock.rawPath().toBase64()));
    o.insert(QLatin1String("kind"), lock.kindName());
    o.insert(QLatin1String("sessionId"), stringOrNull(lock.sessionId));
    o.insert(QLatin1String("pid"),
             lock.payload.pid ? QJsonValue(double(*lock.payload.pid)) : QJsonValue());
    o.insert(QLatin1String("timestamp"),
             lock.payload.hasTimestamp ? QJsonValue(lock.payload.timestampText) : QJsonValue());
    o.insert(QLatin1String("lockAgeSeconds"),
             j.lockAgeMs ? QJsonValue(double(*j.lockAgeMs / 1000)) : QJsonValue());
    o.insert(QLatin1String("verdict"), verdictName(j.verdict));
    o.insert(QLatin1String("cause"), stringOrNull(causeName(j.cause)));
    o.insert(QLatin1String("flags"), QJsonArray::fromStringList(j.flagNames()));
    o.insert(QLatin1String("action"), actionName(j.action));
    o.insert(QLatin1String("reason"), j.reason);
    o.insert(QLatin1String("blockedReason"), stringOrNull(j.blockedReason));
    o.insert(QLatin1String("otherUserReason"), stringOrNull(j.otherUserReason));
    // The local process table says nothing about a holder on another host or
    // behind a network filesystem: keep the facts, but do not call it alive or dead.
    QJsonObject holder = holderToJson(lock.holder, wallNowMs, bootNowMs);
    const bool foreignHost =
        !lock.payload.hostname.isEmpty() && lock.payload.hostname != QSysInfo::machineHostName();
    const bool remoteFs = lock.directory.kind == FilesystemKind::Network ||
                          lock.directory.kind == FilesystemKind::Fuse;
    holder.insert(QLatin1String("meaningfulHere"), !foreignHost && !remoteFs);
    if (foreignHost || remoteFs)
        holder.insert(QLatin1String("alive"), QJsonValue());
    o.insert(QLatin1String("holder"), holder);
    o.insert(QLatin1String("upstreamInUse"), lock.upstream.inUse);
    o.insert(QLatin1String("upstreamStale"), lock.upstream.staleB);
    o.insert(QLatin1String("upstreamJanitorRemoves"), lock.upstream.janitorRemoves);

    QJsonObject evidence;
    evidence.insert(QLatin1String("file"), fileToJson(lock.file));
    evidence.insert(QLatin1String("payloadProblem"),
                    lock.payload.usable() ? QJsonValue() : QJsonValue(lock.payload.problem()));
    evidence.insert(QLatin1String("ownerToken"), stringOrNull(lock.payload.ownerToken));
    evidence.insert(QLatin1String("payloadSessionId"),
                    lock.payload.hasSessionId ? QJsonValue(lock.payload.sessionId) : QJsonValue());
    evidence.insert(QLatin1String("hostname"), stringOrNull(lock.payload.hostname));
    evidence.insert(QLatin1String("ageFromMtime"), j.ageFromMtime);
    evidence.insert(QLatin1String("holderAgeSeconds"),
                    j.holderAgeMs ? QJsonValue(double(*j.holderAgeMs / 1000)) : QJsonValue());
    evidence.insert(QLatin1String("guardPresent"), lock.guardPresent);
    evidence.insert(QLatin1String("filesystem"),
                    QJsonObject{{QLatin1String("kind"), filesystemKindName(lock.directory.kind)},
                                {QLatin1String("type"), lock.directory.typeName},
                                {QLatin1String("readOnly"), lock.directory.readOnly},
                                {QLatin1String("writable"), lock.directory.writable},
                                {QLatin1String("sticky"), lock.directory.sticky}});
    evidence.insert(QLatin1String("toleranceSeconds"), double(limits::kStartToleranceMs / 1000));
    o.insert(QLatin1String("evidence"), evidence);
    o.insert(QLatin1String("payload"),
             lock.file.read ? QJsonValue(QString::fromUtf8(lock.file.bytes)) : QJsonValue());

    if (snapshot && lock.projectIndex >= 0 && lock.projectIndex < snapshot->projects.size())
        o.insert(QLatin1String("project"), snapshot->projects.at(lock.projectIndex).hash);
    return o;
}

QJsonObject sessionToJson(const SessionEntry &session, const StoreSnapshot &snapshot)
{
    QJsonObject o;
    o.insert(QLatin1String("sessionId"), stringOrNull(session.sessionId));
    o.insert(QLatin1String("recording"),
             session.recording ? QJsonValue(displayPath(session.recordingPath)) : QJsonValue());
    const RecordingInfo *r = session.recording.get();
    o.insert(QLatin1String("recordingError"),
             r && !r->headerOk ? QJsonValue(r->headerError) : QJsonValue());
    o.insert(QLatin1String("title"), r ? stringOrNull(r->displayTitle()) : QJsonValue());
    o.insert(QLatin1String("name"), r ? stringOrNull(r->name) : QJsonValue());
    o.insert(QLatin1String("provider"), r ? stringOrNull(r->provider) : QJsonValue());
    o.insert(QLatin1String("model"), r ? stringOrNull(r->model) : QJsonValue());
    o.insert(QLatin1String("startTime"), r ? stringOrNull(r->startTime) : QJsonValue());
    o.insert(QLatin1String("lastActivity"),
             r ? QJsonValue(formatTimestamp(r->mtimeMs)) : QJsonValue());
    o.insert(QLatin1String("sizeBytes"), r ? QJsonValue(double(r->sizeBytes)) : QJsonValue());
    o.insert(QLatin1String("forkParent"), r ? stringOrNull(r->forkParent) : QJsonValue());
    QJsonArray checkpoints;
    if (r) {
        for (const Checkpoint &c : r->checkpoints)
            checkpoints.append(
                QJsonObject{{QLatin1String("id"), c.id}, {QLatin1String("name"), c.name}});
    }
    o.insert(QLatin1String("checkpoints"), checkpoints);
    const LockEntry *lock =
        session.lockIndex >= 0 ? &snapshot.locks.at(session.lockIndex) : nullptr;
    o.insert(QLatin1String("lock"), lock ? QJsonValue(lock->path()) : QJsonValue());
    o.insert(QLatin1String("lockVerdict"),
             lock ? QJsonValue(verdictName(lock->judgement.verdict)) : QJsonValue());
    o.insert(QLatin1String("pairingUncertain"), session.pairingUncertain);
    if (session.projectIndex >= 0) {
        const ProjectEntry &p = snapshot.projects.at(session.projectIndex);
        o.insert(QLatin1String("project"), p.hash);
        o.insert(QLatin1String("workspace"), stringOrNull(p.workspace));
    }
    return o;
}

QJsonObject snapshotToJson(const StoreSnapshot &snapshot, qint64 bootNowMs)
{
    QJsonObject o;
    o.insert(QLatin1String("schemaVersion"), kJsonSchemaVersion);
    o.insert(QLatin1String("generatedAt"), formatTimestamp(snapshot.generatedAtMs));
    o.insert(QLatin1String("hostname"), snapshot.hostname);

    QJsonArray roots;
    for (const RootEntry &r : snapshot.roots)
        roots.append(QJsonObject{{QLatin1String("path"), r.path},
                                 {QLatin1String("source"), r.source},
                                 {QLatin1String("exists"), r.exists},
                                 {QLatin1String("error"), stringOrNull(r.error)}});
    o.insert(QLatin1String("roots"), roots);

    QJsonArray projects;
    for (const ProjectEntry &p : snapshot.projects)
        projects.append(QJsonObject{{QLatin1String("hash"), p.hash},
                                    {QLatin1String("chatsDir"), p.chatsDir},
                                    {QLatin1String("workspace"), stringOrNull(p.workspace)}});
    o.insert(QLatin1String("projects"), projects);

    QJsonArray sessions;
    for (const SessionEntry &s : snapshot.sessions)
        sessions.append(sessionToJson(s, snapshot));
    o.insert(QLatin1String("sessions"), sessions);

    QJsonArray locks;
    for (const LockEntry &l : snapshot.locks)
        locks.append(lockToJson(l, &snapshot, snapshot.generatedAtMs, bootNowMs));
    o.insert(QLatin1String("locks"), locks);

    QJsonArray problems;
    for (const ScanProblem &p : snapshot.problems)
        problems.append(
            QJsonObject{{QLatin1String("path"), p.path}, {QLatin1String("message"), p.message}});
    o.insert(QLatin1String("problems"), problems);
    return o;
}

} // namespace lockscope
