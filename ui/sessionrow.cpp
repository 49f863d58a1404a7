#include "sessionrow.h"

#include <QCoreApplication>
#include <QDataStream>
#include <QFileInfo>
#include <QSet>
#include <QStringBuilder>

namespace lockscope {

namespace {

// lupdate files a tr() outside a class under the enclosing namespace; the same
// context here is what makes its translations found.
QString tr(const char *text)
{
    return QCoreApplication::translate("lockscope", text);
}

bool isLeftoverKind(EntryKind kind)
{
    return kind == EntryKind::Guard || kind == EntryKind::Temp || kind == EntryKind::BadTemp ||
           kind == EntryKind::Lease;
}

size_t fingerprintOf(const SessionRow &row)
{
    QByteArray bytes;
    QDataStream out(&bytes, QIODevice::WriteOnly);
    if (const LockEntry *l = row.lock()) {
        const Judgement &j = l->judgement;
        out << l->file.dev << l->file.ino << l->file.mtimeMs << l->file.size << l->file.bytes
            << l->file.mode << l->file.uid << int(l->file.type) << int(j.verdict) << int(j.cause)
            << j.flags << int(j.action) << j.reason << j.blockedReason << j.otherUserReason
            << int(l->holder.liveness) << l->holder.exe << l->holder.cmdline << l->upstream.inUse
            << l->upstream.janitorRemoves << l->guardPresent;
    }
    if (const SessionEntry *s = row.session()) {
        out << s->sessionId << s->pairingUncertain << s->recordingPath;
        if (const RecordingInfo *r = row.recording())
            out << r->mtimeMs << r->sizeBytes << r->displayTitle() << r->provider << r->model
                << r->events << r->headerOk;
    }
    if (const ProjectEntry *p = row.project())
        out << p->workspace;
    return qHash(bytes);
}

} // namespace

const SessionEntry *SessionRow::session() const
{
    return snapshot && sessionIndex >= 0 && sessionIndex < snapshot->sessions.size()
               ? &snapshot->sessions.at(sessionIndex)
               : nullptr;
}

const LockEntry *SessionRow::lock() const
{
    return snapshot && lockIndex >= 0 && lockIndex < snapshot->locks.size()
               ? &snapshot->locks.at(lockIndex)
               : nullptr;
}

const ProjectEntry *SessionRow::project() const
{
    if (!snapshot)
        return nullptr;
    int index = -1;
    if (const SessionEntry *s = session())
        index = s->projectIndex;
    else if (const LockEntry *l = lock())
        index = l->projectIndex;
    return index >= 0 && index < snapshot->projects.size() ? &snapshot->projects.at(index)
                                                           : nullptr;
}

const RecordingInfo *SessionRow::recording() const
{
    const SessionEntry *s = session();
    return s && s->recording ? &*s->recording : nullptr;
}

RowState SessionRow::state() const
{
    const LockEntry *l = lock();
    if (!l)
        return RowState::Idle;
    switch (l->judgement.verdict) {
    case Verdict::Held:
        return RowState::Held;
    case Verdict::Stale:
        return RowState::Stale;
    case Verdict::Expired:
        return RowState::Expired;
    case Verdict::Busy:
        return RowState::Busy;
    case Verdict::Unverifiable:
        return RowState::Unverifiable;
    case Verdict::InTransition:
        return RowState::InTransition;
    case Verdict::NotALock:
        return RowState::NotALock;
    }
    return RowState::NotALock;
}

bool SessionRow::isLeftover() const
{
    const LockEntry *l = lock();
    return !isSession() && l && isLeftoverKind(l->kind) && l->judgement.verdict != Verdict::Held &&
           l->judgement.verdict != Verdict::InTransition;
}

bool SessionRow::needsAttention() const
{
    switch (state()) {
    case RowState::Stale:
    case RowState::Expired:
    case RowState::Busy:
    case RowState::Unverifiable:
        return true;
    default:
        break;
    }
    const LockEntry *l = lock();
    return (l && l->judgement.has(Orphaned)) || isLeftover();
}

Action SessionRow::action() const
{
    const LockEntry *l = lock();
    return l ? l->judgement.action : Action::Never;
}

bool SessionRow::blocked() const
{
    const LockEntry *l = lock();
    return l && l->judgement.has(Blocked);
}

QString SessionRow::blockedReason() const
{
    const LockEntry *l = lock();
    return l ? l->judgement.blockedReason : QString();
}

qint64 SessionRow::pid() const
{
    const LockEntry *l = lock();
    return l && l->payload.pid ? *l->payload.pid : 0;
}

bool SessionRow::holderAlive() const
{
    const LockEntry *l = lock();
    return l && l->holder.exists();
}

QString SessionRow::projectPath() const
{
    const ProjectEntry *p = project();
    if (!p)
        return QString();
    return p->workspace.isEmpty() ? p->hash : p->workspace;
}

QString SessionRow::title() const
{
    if (const RecordingInfo *r = recording()) {
        const QString t = r->displayTitle();
        if (!t.isEmpty())
            return t;
    }
    if (const SessionEntry *s = session()) {
        if (!s->sessionId.isEmpty())
            return s->sessionId.left(8);
        if (const RecordingInfo *r = recording())
            return QString::fromUtf8(r->fileName);
    }
    if (const LockEntry *l = lock()) {
        const QString shortId = l->sessionId.left(8);
        switch (l->kind) {
        case EntryKind::Guard:
            return tr("transition guard of %1").arg(shortId);
        case EntryKind::Temp:
            return tr("publication temp of %1").arg(shortId);
        case EntryKind::Lease:
            return tr("janitor lease");
        default:
            return lockscope::displayPath(l->fileName);
        }
    }
    return QString();
}

QByteArray SessionRow::rawPath() const
{
    if (const LockEntry *l = lock())
        return l->rawPath();
    if (const SessionEntry *s = session())
        return s->recordingPath;
    return QByteArray();
}

QString SessionRow::displayPath() const
{
    return lockscope::displayPath(rawPath());
}

QVector<SessionRow> rowsFromSnapshot(const SnapshotPtr &snapshot, const QString &folder)
{
    QVector<SessionRow> rows;
    if (!snapshot)
        return rows;
    rows.reserve(snapshot->sessions.size() + snapshot->locks.size());
    QSet<int> attached;
    QSet<QString> keys;
    for (int i = 0; i < snapshot->sessions.size(); ++i) {
        const SessionEntry &s = snapshot->sessions.at(i);
        SessionRow row;
        row.snapshot = snapshot;
        row.folder = folder;
        row.sessionIndex = i;
        row.lockIndex = s.lockIndex;
        const QString dir =
            s.projectIndex >= 0 ? snapshot->projects.at(s.projectIndex).chatsDir : QString();
        // The same key before and after the recording appears, so a lock whose
        // session starts writing keeps its row.
        // Built with QStringBuilder: allocated once, at its exact size.
        row.key = s.sessionId.isEmpty()
                      ? QString(QStringLiteral("r:") % lockscope::displayPath(s.recordingPath))
                      : QString(QStringLiteral("s:") % dir % QLatin1Char('\n') % s.sessionId);
        if (keys.contains(row.key))
            row.key += QLatin1Char('\n') + lockscope::displayPath(s.recordingPath);
        keys.insert(row.key);
        if (s.lockIndex >= 0)
            attached.insert(s.lockIndex);
        row.fingerprint = fingerprintOf(row);
        rows.append(std::move(row));
    }
    for (int i = 0; i < snapshot->locks.size(); ++i) {
        if (attached.contains(i))
            continue;
        SessionRow row;
        row.snapshot = snapshot;
        row.folder = folder;
        row.lockIndex = i;
        row.key = QStringLiteral("f:") + snapshot->locks.at(i).path();
        keys.insert(row.key);
        row.fingerprint = fingerprintOf(row);
        rows.append(std::move(row));
    }
    return rows;
}

QString rowStateName(RowState state)
{
    switch (state) {
    case RowState::Held:
        return tr("Held");
    case RowState::Stale:
        return tr("Stale");
    case RowState::Expired:
        return tr("Expired");
    case RowState::Busy:
        return tr("Busy");
    case RowState::Unverifiable:
        return tr("Unverifiable");
    case RowState::InTransition:
        return tr("In transition");
    case RowState::NotALock:
        return tr("Not a lock");
    case RowState::Idle:
        return tr("Idle");
    }
    return QString();
}

QString rowStateExplanation(RowState state)
{
    switch (state) {
    case RowState::Held:
        return tr("A running process holds this lock. It is kept.");
    case RowState::Stale:
        return tr("The holder is proven gone (exited, or its PID now belongs to another "
                  "process). Safe to remove.");
    case RowState::Expired:
        return tr("The holder still looks like the original but the lock is older than 48 hours. "
                  "It may be a genuine long session: remove it only after stopping the holder.");
    case RowState::Busy:
        return tr("The lock's content cannot be used and it changed recently: a writer may be "
                  "working on it. Remove it only after checking nothing uses the session.");
    case RowState::Unverifiable:
        return tr("The holder cannot be checked from this machine (another host, network or FUSE "
                  "filesystem, or another PID namespace).");
    case RowState::InTransition:
        return tr("Another process is replacing or removing this lock right now. Look again "
                  "shortly.");
    case RowState::NotALock:
        return tr("Not an llxprt lock. lockscope shows it but never deletes it.");
    case RowState::Idle:
        return tr("A recorded session that nothing holds. There is nothing to remove.");
    }
    return QString();
}

} // namespace lockscope
