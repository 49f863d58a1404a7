#include "lockinspector.h"

#include "lockmanager.h"

#include <QSysInfo>

#include <unistd.h>

namespace lockscope {

namespace {

bool readsPayload(EntryKind kind)
{
    return kind == EntryKind::Lock || kind == EntryKind::LegacyLock || kind == EntryKind::Guard ||
           kind == EntryKind::Temp || kind == EntryKind::Lease;
}

} // namespace

QString displayPath(const QByteArray &raw)
{
    const QString text = QString::fromUtf8(raw);
    const bool control = std::any_of(raw.cbegin(), raw.cend(), [](char c) {
        return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
    });
    if (!control && text.toUtf8() == raw)
        return text;
    // Not UTF-8, or holding control characters such as a newline: every byte
    // that is not printable ASCII shows as \xNN, so that two names never print
    // alike, a name never breaks a line, and it can be typed back.
    QString escaped;
    for (const char c : raw) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte >= 0x20 && byte < 0x7f && byte != '\\')
            escaped += QLatin1Char(c);
        else
            escaped += QStringLiteral("\\x%1").arg(byte, 2, 16, QLatin1Char('0'));
    }
    return escaped;
}

QString LockEntry::path() const
{
    return displayPath(rawPath());
}

QString LockEntry::kindName() const
{
    return entryKindName(kind);
}

JudgeContext makeJudgeContext(const Clock &clock, const ProcessProbe &probe)
{
    JudgeContext context;
    context.wallNowMs = clock.wallNowMs();
    context.bootNowMs = clock.bootNowMs();
    context.selfPid = probe.selfPid();
    context.selfUid = ::geteuid();
    context.hostname = QSysInfo::machineHostName();
    return context;
}

LockInspector::LockInspector(const ProcessProbe &probe, const JudgeContext &context)
    : m_probe(probe)
    , m_context(context)
{
}

LockInputs LockInspector::inputsFor(const LockEntry &entry) const
{
    LockInputs in;
    in.kind = entry.kind;
    in.nameKey = entry.sessionId;
    in.file = entry.file;
    in.payload = entry.payload;
    in.holder = entry.holder;
    in.directory = entry.directory;
    return in;
}

// The id grammar alone would make "notes.lock" a lock. A name counts as a
// session's only when there is more to go on: the UUID shape llxprt generates,
// a recording carrying the id, or a payload naming it.
bool LockInspector::looksLikeSessionLock(const LockEntry &entry) const
{
    return isUuidShaped(entry.sessionId) || (m_recorded && m_recorded->contains(entry.sessionId)) ||
           (entry.payload.hasSessionId && entry.payload.sessionId == entry.sessionId);
}

LockEntry LockInspector::readHolderEntry(int dirfd, const QByteArray &dirPath,
                                         const QByteArray &name, EntryKind kind, const QString &key,
                                         const DirectoryFacts &directory) const
{
    LockEntry entry;
    entry.dirPath = dirPath;
    entry.fileName = name;
    entry.kind = kind;
    entry.sessionId = key;
    entry.directory = directory;
    entry.file = readsPayload(kind) ? readEntry(dirfd, name) : statEntry(dirfd, name);
    if (entry.file.read)
        entry.payload = parseLockPayload(entry.file.bytes);
    if (entry.payload.pid)
        entry.holder = m_probe.probe(*entry.payload.pid);
    return entry;
}

LockEntry LockInspector::inspect(int dirfd, const QByteArray &dirPath, const QByteArray &name,
                                 const DirectoryFacts &directory) const
{
    const EntryName classified = classifyEntryName(name);
    LockEntry entry =
        readHolderEntry(dirfd, dirPath, name, classified.kind, classified.key, directory);
    if (entry.kind == EntryKind::Lock && !looksLikeSessionLock(entry))
        entry.kind = EntryKind::NotALock;
    LockInputs in = inputsFor(entry);

    switch (entry.kind) {
    case EntryKind::Lock:
    case EntryKind::LegacyLock:
    case EntryKind::NotALock: {
        in.heldBySelf = LockManager::isHeldByThisProcess(entry.file.dev, entry.file.ino);
        in.hasRecording = !m_recorded || m_recorded->contains(entry.sessionId);
        if (entry.kind != EntryKind::NotALock && !m_ignoreGuard) {
            const LockEntry guard = readHolderEntry(dirfd, dirPath, name + ".tguard",
                                                    EntryKind::Guard, entry.sessionId, directory);
            entry.guardPresent = guard.file.type != FileType::Missing;
            if (entry.guardPresent) {
                const Judgement guardJudgement =
                    judgeGuard(inputsFor(guard), entry.file, m_context);
                in.guard = guardStateFor(entry.file, guard.file, guardJudgement, m_context,
                                         &in.guardReason);
            }
        }
        entry.judgement = judgeLock(in, m_context);
        entry.upstream = judgeUpstream(in, entry.guardPresent, m_legacyRoot, m_context);
        break;
    }
    case EntryKind::Guard: {
        const EntryFile lockFile = statEntry(dirfd, name.chopped(int(sizeof(".tguard") - 1)));
        entry.judgement = judgeGuard(in, lockFile, m_context);
        break;
    }
    case EntryKind::Temp:
    case EntryKind::BadTemp:
        entry.judgement = judgeTemp(in, m_context);
        break;
    case EntryKind::Lease:
        entry.judgement = judgeLease(in, m_context);
        break;
    case EntryKind::Recording:
    case EntryKind::Archive:
    case EntryKind::Unknown:
        entry.judgement = judgeOther(entry.file, entry.kind);
        break;
    }
    return entry;
}

} // namespace lockscope
