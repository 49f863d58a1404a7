#include "storescanner.h"

#include "lockinspector.h"

#include <QFile>
#include <QHash>
#include <QSet>
#include <QSysInfo>

#include <cerrno>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcScan, "lockscope.core.scan", QtWarningMsg)

namespace lockscope {

namespace {

class Fd
{
public:
    explicit Fd(int fd = -1)
        : m_fd(fd)
    {
    }
    ~Fd()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    Fd(const Fd &) = delete;
    Fd &operator=(const Fd &) = delete;
    void reset(int fd)
    {
        if (m_fd >= 0)
            ::close(m_fd);
        m_fd = fd;
    }
    int get() const { return m_fd; }
    bool valid() const { return m_fd >= 0; }

private:
    int m_fd;
};

// Names in a directory, "." and ".." excluded. Reads through a duplicate so
// the caller's descriptor stays usable.
bool listDirectory(int dirfd, QVector<QByteArray> *names, int *error)
{
    const int copy = ::openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (copy < 0) {
        *error = errno;
        return false;
    }
    DIR *dir = ::fdopendir(copy);
    if (!dir) {
        *error = errno;
        ::close(copy);
        return false;
    }
    errno = 0;
    while (dirent *d = ::readdir(dir)) {
        const QByteArray name(d->d_name);
        if (name != "." && name != "..")
            names->append(name);
        errno = 0;
    }
    *error = errno;
    ::closedir(dir);
    return *error == 0;
}

int openSubdirectory(int parentfd, const QByteArray &name, int *error)
{
    const int fd =
        ::openat(parentfd, name.constData(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        *error = errno;
    return fd;
}

bool isSymlink(int parentfd, const QByteArray &name)
{
    struct stat st
    {
    };
    return ::fstatat(parentfd, name.constData(), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
           S_ISLNK(st.st_mode);
}

bool hasDirectory(int dirfd, const char *name)
{
    struct stat st
    {
    };
    return ::fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
}

QByteArray baseName(const QByteArray &path)
{
    const int slash = path.lastIndexOf('/');
    return slash < 0 ? path : path.mid(slash + 1);
}

// Sized exactly: a snapshot keeps one path per recording.
QByteArray join(const QByteArray &dir, const QByteArray &name)
{
    QByteArray path;
    path.reserve(dir.size() + 1 + name.size());
    path += dir;
    if (!dir.endsWith('/'))
        path += '/';
    path += name;
    return path;
}

// The part of a recording's key that comes from the session id: at most 12
// characters after "<YYYY-MM-DDTHH-MM-SS>-".
QString idPrefixOfKey(const QString &key)
{
    return key.mid(20);
}

} // namespace

struct StoreScanner::Pass
{
    JudgeContext context;
    QVector<RootEntry> roots;
    bool legacyRoot = false;
    QSet<QByteArray> seenChats;
    PieceSink sink;
    ScanPiece *root = nullptr; // the piece of the root being walked, if any

    void stamp(StoreSnapshot &snapshot) const
    {
        snapshot.generatedAtMs = context.wallNowMs;
        snapshot.hostname = context.hostname;
        snapshot.roots = roots;
    }
    void problem(const QByteArray &path, const QString &message)
    {
        root->snapshot.problems.append({displayPath(path), message});
    }
};

StoreSnapshot joinPieces(const QVector<const ScanPiece *> &pieces)
{
    QVector<const ScanPiece *> order = pieces;
    std::stable_sort(order.begin(), order.end(), [](const ScanPiece *a, const ScanPiece *b) {
        return std::make_pair(a->rootIndex, a->isChats()) <
               std::make_pair(b->rootIndex, b->isChats());
    });
    StoreSnapshot out;
    for (const ScanPiece *piece : qAsConst(order)) {
        const StoreSnapshot &s = piece->snapshot;
        // Every piece lists all roots; a root's own piece knows it best.
        if (out.roots.isEmpty() || !piece->isChats())
            out.roots = s.roots;
        if (out.generatedAtMs == 0 || (s.generatedAtMs && s.generatedAtMs < out.generatedAtMs))
            out.generatedAtMs = s.generatedAtMs; // the oldest piece bounds what is confirmed
        if (out.hostname.isEmpty())
            out.hostname = s.hostname;
        const int projectOffset = int(out.projects.size());
        const int lockOffset = int(out.locks.size());
        out.projects += s.projects;
        for (LockEntry lock : s.locks) {
            if (lock.projectIndex >= 0)
                lock.projectIndex += projectOffset;
            out.locks.append(std::move(lock));
        }
        for (SessionEntry session : s.sessions) {
            if (session.projectIndex >= 0)
                session.projectIndex += projectOffset;
            if (session.lockIndex >= 0)
                session.lockIndex += lockOffset;
            out.sessions.append(std::move(session));
        }
        out.problems += s.problems;
    }
    return out;
}

StoreScanner::StoreScanner(const ProcessProbe &probe, const Clock &clock)
    : m_probe(probe)
    , m_clock(clock)
{
}

StoreScanner::Pass StoreScanner::startPass() const
{
    Pass pass;
    pass.context = makeJudgeContext(m_clock, m_probe);
    return pass;
}

StoreSnapshot StoreScanner::scan(const QVector<ScanTarget> &targets)
{
    std::vector<ScanPiece> pieces;
    scan(targets, [&pieces](ScanPiece &&piece) { pieces.push_back(std::move(piece)); });
    QVector<const ScanPiece *> pointers;
    pointers.reserve(int(pieces.size()));
    for (const ScanPiece &piece : pieces)
        pointers.append(&piece);
    StoreSnapshot snapshot = joinPieces(pointers);
    if (snapshot.roots.isEmpty()) {
        const Pass pass = startPass();
        pass.stamp(snapshot);
    }
    return snapshot;
}

void StoreScanner::scan(const QVector<ScanTarget> &targets, const PieceSink &sink)
{
    Pass pass = startPass();
    pass.sink = sink;
    for (const ScanTarget &target : targets) {
        RootEntry root;
        root.path = target.path;
        root.source = target.source;
        root.legacy = target.legacy;
        pass.roots.append(root);
    }
    for (int i = 0; i < targets.size(); ++i) {
        ScanPiece piece;
        piece.key = QStringLiteral("r:%1:%2").arg(i).arg(targets.at(i).path);
        piece.rootIndex = i;
        piece.legacyRoot = targets.at(i).legacy;
        pass.root = &piece;
        pass.legacyRoot = targets.at(i).legacy;
        scanTarget(pass, targets.at(i), i);
        pass.stamp(piece.snapshot);
        pass.root = nullptr;
        sink(std::move(piece));
    }
}

ScanPiece StoreScanner::rescan(const ScanPiece &previous)
{
    ScanPiece result;
    result.key = previous.key;
    result.rootIndex = previous.rootIndex;
    result.legacyRoot = previous.legacyRoot;
    result.namedChats = previous.namedChats;
    result.folderPath = previous.folderPath;
    Pass pass = startPass();
    pass.roots = previous.snapshot.roots;
    pass.legacyRoot = previous.legacyRoot;
    pass.stamp(result.snapshot);
    if (!previous.isChats())
        return result;
    // Problems met on the way belong to the piece itself here.
    pass.root = &result;
    pass.sink = [&result](ScanPiece &&piece) {
        result = std::move(piece);
    };
    if (previous.namedChats) {
        scanProject(pass, -1, previous.folderPath, previous.rootIndex);
        return result;
    }
    int error = 0;
    Fd project(
        ::open(previous.folderPath.constData(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    error = errno;
    if (!project.valid()) {
        struct stat st
        {
        };
        const bool link = ::lstat(previous.folderPath.constData(), &st) == 0 && S_ISLNK(st.st_mode);
        if (link)
            pass.problem(previous.folderPath,
                         QStringLiteral("project folder is a symlink; not followed"));
        else if (error != ENOENT && error != ENOTDIR)
            pass.problem(
                previous.folderPath,
                QStringLiteral("project folder cannot be opened: %1").arg(errnoText(error)));
        return result;
    }
    scanProject(pass, project.get(), previous.folderPath, previous.rootIndex);
    return result;
}

void StoreScanner::scanTarget(Pass &pass, const ScanTarget &target, int rootIndex)
{
    RootEntry &root = pass.roots[rootIndex];
    const QByteArray path = target.bytes();
    // The root itself was named by the user, so it may be reached through a link;
    // nothing below it is.
    Fd fd(::open(path.constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd.valid()) {
        root.error = errno == ENOENT ? QStringLiteral("does not exist")
                                     : QStringLiteral("cannot be opened: %1").arg(errnoText(errno));
        return;
    }
    root.exists = true;

    // A project or chats folder is never entered through a link, even when
    // named directly: removal would refuse it, so listing it would mislead.
    const auto isLink = [](const QByteArray &p) {
        struct stat st
        {
        };
        return ::lstat(p.constData(), &st) == 0 && S_ISLNK(st.st_mode);
    };
    QByteArray clean = path;
    while (clean.size() > 1 && clean.endsWith('/'))
        clean.chop(1);
    const QByteArray parent = clean.contains('/') ? clean.left(clean.lastIndexOf('/')) : ".";
    const bool chatsFolder = baseName(clean) == "chats";
    const bool projectFolder = !chatsFolder && hasDirectory(fd.get(), "chats");
    if ((chatsFolder || projectFolder) &&
        (isLink(clean) || (chatsFolder && !parent.isEmpty() && isLink(parent)))) {
        pass.problem(clean, QStringLiteral("reached through a symlink; not followed (name"
                                           " the real folder instead)"));
        return;
    }
    if (chatsFolder) {
        scanProject(pass, -1, path, rootIndex);
        return;
    }
    if (projectFolder) {
        scanProject(pass, fd.get(), path, rootIndex);
        return;
    }
    if (hasDirectory(fd.get(), "tmp") && !isProjectHash(baseName(path))) {
        int error = 0;
        Fd tmp(openSubdirectory(fd.get(), "tmp", &error));
        if (!tmp.valid()) {
            root.error = QStringLiteral("tmp/ cannot be opened: %1").arg(errnoText(error));
            return;
        }
        scanTmpDir(pass, tmp.get(), join(path, "tmp"), rootIndex);
        return;
    }
    scanTmpDir(pass, fd.get(), path, rootIndex);
}

void StoreScanner::scanTmpDir(Pass &pass, int tmpfd, const QByteArray &tmpPath, int rootIndex)
{
    QVector<QByteArray> names;
    int error = 0;
    if (!listDirectory(tmpfd, &names, &error)) {
        pass.problem(tmpPath, QStringLiteral("cannot be listed: %1").arg(errnoText(error)));
        if (names.isEmpty())
            return;
    }
    std::sort(names.begin(), names.end());

    const DirectoryFacts directory = probeDirectory(tmpfd);
    for (const QByteArray &name : qAsConst(names)) {
        if (name == ".llxprt-janitor.lease") {
            LockInspector inspector(m_probe, pass.context);
            LockEntry lease = inspector.inspect(tmpfd, tmpPath, name, directory);
            if (lease.file.type != FileType::Missing)
                pass.root->snapshot.locks.append(std::move(lease));
            continue;
        }
        if (!isProjectHash(name))
            continue;
        const QByteArray projectPath = join(tmpPath, name);
        Fd project(openSubdirectory(tmpfd, name, &error));
        if (!project.valid()) {
            if (isSymlink(tmpfd, name))
                pass.problem(projectPath,
                             QStringLiteral("project folder is a symlink; not followed"));
            else if (error != ENOENT && error != ENOTDIR)
                pass.problem(
                    projectPath,
                    QStringLiteral("project folder cannot be opened: %1").arg(errnoText(error)));
            continue;
        }
        scanProject(pass, project.get(), projectPath, rootIndex);
    }
}

void StoreScanner::scanProject(Pass &pass, int projectfd, const QByteArray &projectPath,
                               int rootIndex)
{
    // projectfd < 0: projectPath is itself a chats folder the user named.
    QByteArray chatsPath = projectPath;
    Fd chats;
    int error = 0;
    if (projectfd < 0) {
        chats.reset(::open(projectPath.constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        error = errno;
    } else {
        chatsPath = join(projectPath, "chats");
        chats.reset(openSubdirectory(projectfd, "chats", &error));
    }
    if (!chats.valid()) {
        if (projectfd >= 0 && isSymlink(projectfd, "chats"))
            pass.problem(chatsPath, QStringLiteral("chats folder is a symlink; not followed"));
        else if (error != ENOENT)
            pass.problem(chatsPath,
                         QStringLiteral("chats folder cannot be opened: %1").arg(errnoText(error)));
        return;
    }
    if (pass.seenChats.contains(chatsPath))
        return;
    pass.seenChats.insert(chatsPath);

    ScanPiece piece;
    piece.key = QStringLiteral("c:") + displayPath(chatsPath);
    piece.rootIndex = rootIndex;
    piece.legacyRoot = pass.legacyRoot;
    piece.namedChats = projectfd < 0;
    piece.folderPath = projectPath;
    pass.stamp(piece.snapshot);

    ProjectEntry project;
    const QByteArray projectDir =
        projectfd < 0 ? chatsPath.left(chatsPath.lastIndexOf('/')) : projectPath;
    project.hash = QString::fromUtf8(baseName(projectDir));
    project.chatsDir = displayPath(chatsPath);
    project.rootIndex = rootIndex;
    piece.snapshot.projects.append(project);
    scanChats(pass, piece.snapshot, chats.get(), chatsPath, 0);
    pass.sink(std::move(piece));
}

void StoreScanner::scanChats(Pass &pass, StoreSnapshot &snap, int chatsfd,
                             const QByteArray &chatsPath, int projectIndex)
{
    QVector<QByteArray> names;
    int error = 0;
    if (!listDirectory(chatsfd, &names, &error)) {
        snap.problems.append(
            {displayPath(chatsPath), QStringLiteral("cannot be listed: %1").arg(errnoText(error))});
        if (names.isEmpty())
            return;
    }
    std::sort(names.begin(), names.end());

    // A folder read before (by its device and inode) has its recordings in the
    // cache, most of them unchanged.
    bool seenBefore = false;
    struct stat dirStat
    {
    };
    if (::fstat(chatsfd, &dirStat) == 0) {
        const auto folder = qMakePair(quint64(dirStat.st_dev), quint64(dirStat.st_ino));
        QMutexLocker locker(&m_seenMutex);
        seenBefore = m_seenFolders.contains(folder);
        m_seenFolders.insert(folder);
    }

    // Recordings first: the orphaned flag needs to know which ids they carry.
    QVector<RecordingPtr> recordings;
    QSet<QString> lockIds;
    QVector<EntryName> kinds;
    kinds.reserve(names.size());
    for (const QByteArray &name : qAsConst(names)) {
        kinds.append(classifyEntryName(name));
        const EntryName &classified = kinds.last();
        if (classified.kind == EntryKind::Recording) {
            RecordingPtr info = m_recordings.read(chatsfd, name, m_depth, seenBefore);
            if (info->vanished)
                continue;
            recordings.append(std::move(info));
        } else if (classified.kind == EntryKind::Lock) {
            lockIds.insert(classified.key);
        }
    }

    QSet<QString> recorded;
    QHash<QString, int> recordingByKey;
    for (int i = 0; i < recordings.size(); ++i) {
        recordingByKey.insert(recordings.at(i)->nameKey, i);
        if (recordings.at(i)->headerOk)
            recorded.insert(recordings.at(i)->sessionId);
    }

    // A recording whose header cannot be read is paired with a lock only through
    // the 12 id characters in its name, only when exactly one unrecorded lock fits.
    QHash<QString, int> uncertainPairs; // lock id -> recording index
    for (int i = 0; i < recordings.size(); ++i) {
        if (recordings.at(i)->headerOk)
            continue;
        const QString prefix = idPrefixOfKey(recordings.at(i)->nameKey);
        if (prefix.isEmpty())
            continue;
        QStringList candidates;
        for (const QString &id : qAsConst(lockIds)) {
            if (!recorded.contains(id) && id.left(12) == prefix)
                candidates << id;
        }
        if (candidates.size() == 1 && !uncertainPairs.contains(candidates.first()))
            uncertainPairs.insert(candidates.first(), i);
    }
    QSet<QString> recordedOrPaired = recorded;
    for (auto it = uncertainPairs.cbegin(); it != uncertainPairs.cend(); ++it)
        recordedOrPaired.insert(it.key());

    // Legacy locks are keyed by recording name; count a matching recording.
    for (const RecordingPtr &info : qAsConst(recordings))
        recordedOrPaired.insert(info->nameKey);

    const DirectoryFacts directory = probeDirectory(chatsfd);
    LockInspector inspector(m_probe, pass.context);
    inspector.setLegacyRoot(pass.legacyRoot);
    inspector.setRecordedSessions(&recordedOrPaired);

    QHash<QString, int> lockBySession;
    QStringList lockOrder;
    for (int i = 0; i < names.size(); ++i) {
        const QByteArray &name = names.at(i);
        const EntryName &classified = kinds.at(i);
        if (classified.kind == EntryKind::Recording)
            continue;
        LockEntry entry = inspector.inspect(chatsfd, chatsPath, name, directory);
        if (entry.file.type == FileType::Missing)
            continue; // vanished between readdir and lstat
        entry.projectIndex = projectIndex;
        const bool sessionLock =
            entry.kind == EntryKind::Lock || entry.kind == EntryKind::LegacyLock;
        snap.locks.append(std::move(entry));
        if (sessionLock) {
            lockBySession.insert(classified.key, int(snap.locks.size() - 1));
            lockOrder.append(classified.key);
        }
    }

    // Sessions: one per recording (joined with its lock), then one per lock
    // whose session has no recording yet.
    QSet<int> attachedLocks;
    for (int i = 0; i < recordings.size(); ++i) {
        const RecordingInfo &info = *recordings.at(i);
        SessionEntry session;
        session.projectIndex = projectIndex;
        session.recording = recordings.at(i);
        session.recordingPath = join(chatsPath, info.fileName);
        if (info.headerOk) {
            session.sessionId = info.sessionId;
            if (const auto it = lockBySession.constFind(info.sessionId); it != lockBySession.cend())
                session.lockIndex = *it;
            else if (const auto legacy = lockBySession.constFind(info.nameKey);
                     legacy != lockBySession.cend())
                session.lockIndex = *legacy;
        } else {
            for (auto it = uncertainPairs.cbegin(); it != uncertainPairs.cend(); ++it) {
                if (it.value() == i) {
                    session.sessionId = it.key();
                    session.lockIndex = lockBySession.value(it.key(), -1);
                    session.pairingUncertain = true;
                }
            }
        }
        if (session.lockIndex >= 0)
            attachedLocks.insert(session.lockIndex);
        snap.sessions.append(std::move(session));
    }
    for (const QString &id : qAsConst(lockOrder)) {
        const int index = lockBySession.value(id);
        if (attachedLocks.contains(index))
            continue;
        SessionEntry session;
        session.projectIndex = projectIndex;
        session.sessionId = id;
        session.lockIndex = index;
        snap.sessions.append(std::move(session));
    }

    ProjectEntry &project = snap.projects[projectIndex];
    for (const RecordingPtr &info : qAsConst(recordings)) {
        if (info->headerOk && !info->workspaceDirs.isEmpty()) {
            project.workspace = info->workspaceDirs.first();
            break;
        }
    }
}

} // namespace lockscope
