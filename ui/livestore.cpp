#include "livestore.h"

#include "logcategories.h"
#include "processexitwatcher.h"
#include "scanworker.h"
#include "storewatcher.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QTimer>

#include <algorithm>

namespace lockscope {

namespace {

constexpr int kDefaultCoalesceMs = 120;
// A change inside a chats folder is mostly one file, written at once.
constexpr int kDefaultFolderCoalesceMs = 5;
constexpr int kFollowUpMs = 600;
// While a full scan streams in, the overview is rebuilt every this many batches.
constexpr int kBatchesPerOverview = 8;
// The periodic check rescans this many folders per job.
constexpr int kCheckSliceFolders = 8;
constexpr qint64 kRootFilesRecheckMs = 5 * 60 * 1000;
// The periodic check costs at most 1/200 of the time between two checks.
constexpr int kCheckCostFactor = 200;
// Degraded polling rescans everything; at most 1/10 of the time.
constexpr int kPollCostFactor = 10;

QString chatsKey(const QString &chatsDir)
{
    return QStringLiteral("c:") + chatsDir;
}

} // namespace

LiveStore::LiveStore(QObject *parent)
    : QObject(parent)
    , m_worker(new ScanWorker)
    , m_watcher(new StoreWatcher(this))
    , m_exits(new ProcessExitWatcher(this))
    , m_coalesce(new QTimer(this))
    , m_folderCoalesce(new QTimer(this))
    , m_followUp(new QTimer(this))
    , m_poll(new QTimer(this))
{
    qRegisterMetaType<SnapshotPtr>();
    qRegisterMetaType<StoreUpdate>();
    qRegisterMetaType<QVector<ScanTarget>>();
    qRegisterMetaType<QVector<RemovalRequest>>();
    qRegisterMetaType<QVector<RemovalResult>>();
    qRegisterMetaType<QVector<RestoreResult>>();

    m_thread.setObjectName(QStringLiteral("lockscope-scan"));
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(this, &LiveStore::scanRequested, m_worker, &ScanWorker::scan);
    connect(this, &LiveStore::rescanRequested, m_worker, &ScanWorker::rescanFolders);
    connect(this, &LiveStore::deepenRequested, m_worker, &ScanWorker::deepen);
    connect(this, &LiveStore::removalRequested, m_worker, &ScanWorker::removeAll);
    connect(this, &LiveStore::restoreRequested, m_worker, &ScanWorker::restoreAll);
    connect(m_worker, &ScanWorker::updateReady, this, &LiveStore::onUpdate);
    connect(m_worker, &ScanWorker::removalProgress, this, &LiveStore::cleanupProgress);
    connect(m_worker, &ScanWorker::removalsFinished, this,
            [this](const QVector<RemovalResult> &results) {
                m_cleanupRunning = false;
                emit cleanupFinished(results);
                // The deletions arrive as one rescan of the folders they were in.
                QStringList dirs;
                for (const RemovalResult &result : results)
                    dirs << displayPath(result.path.left(result.path.lastIndexOf('/')));
                dirs.removeDuplicates();
                refreshFolders(dirs);
                startNext();
            });
    connect(m_worker, &ScanWorker::restoresFinished, this,
            [this](const QVector<RestoreResult> &results) {
                m_cleanupRunning = false;
                emit restoreFinished(results);
                QStringList dirs;
                for (const RestoreResult &result : results)
                    dirs << displayPath(result.path.left(result.path.lastIndexOf('/')));
                dirs.removeDuplicates();
                refreshFolders(dirs);
                startNext();
            });
    m_thread.start();

    m_followUp->setSingleShot(true);
    m_followUp->setInterval(kFollowUpMs);
    connect(m_followUp, &QTimer::timeout, this, &LiveStore::refresh);
    m_coalesce->setSingleShot(true);
    m_coalesce->setInterval(kDefaultCoalesceMs);
    connect(m_coalesce, &QTimer::timeout, this, [this] {
        m_fullPending = true;
        startNext();
    });
    m_folderCoalesce->setSingleShot(true);
    m_folderCoalesce->setInterval(kDefaultFolderCoalesceMs);
    connect(m_folderCoalesce, &QTimer::timeout, this, &LiveStore::startNext);
    m_poll->setSingleShot(true);
    connect(m_poll, &QTimer::timeout, this, &LiveStore::periodicCheck);
    connect(m_watcher, &StoreWatcher::directoryChanged, this, [this](const QString &path) {
        qCDebug(lcUiLive) << "changed:" << path;
        refreshFolders({path});
        // A project folder is made a moment before its chats folder; until the
        // chats folder exists nothing inside the project is watched, so look again.
        if (!m_knownChats.contains(path))
            m_followUp->start();
    });
    connect(m_exits, &ProcessExitWatcher::exited, this, [this](qint64 pid) {
        qCDebug(lcUiLive) << "holder exited:" << pid;
        emit holderExited(pid);
        const QStringList folders = foldersOfPid(pid);
        if (folders.isEmpty()) {
            refreshNow();
            return;
        }
        for (const QString &key : folders)
            m_dirtyFolders.insert(key);
        startNext();
    });
    updatePollTimer();
}

LiveStore::~LiveStore()
{
    m_worker->cancelFlag() = true;
    m_thread.quit();
    m_thread.wait();
}

void LiveStore::setCoalesceMs(int ms)
{
    m_coalesce->setInterval(ms);
}

void LiveStore::setFolderCoalesceMs(int ms)
{
    m_folderCoalesce->setInterval(ms);
}

void LiveStore::setLivePollMs(int ms)
{
    m_livePollMs = ms;
    updatePollTimer();
}

void LiveStore::setDegradedPollMs(int ms)
{
    m_degradedPollMs = ms;
    updatePollTimer();
}

void LiveStore::setTargets(const QVector<ScanTarget> &targets)
{
    m_targets = targets;
    m_knownChats.clear();
    refreshNow();
}

bool LiveStore::isLive() const
{
    return !m_watcher->degraded();
}

QString LiveStore::degradedReason() const
{
    return m_watcher->degradedReason();
}

void LiveStore::refresh()
{
    // Not restarted on every event: a steady stream of changes still gets scanned.
    if (!m_coalesce->isActive())
        m_coalesce->start();
}

void LiveStore::refreshNow()
{
    m_coalesce->stop();
    m_fullPending = true;
    startNext();
}

void LiveStore::refreshFolders(const QStringList &chatsDirs)
{
    bool full = false;
    for (const QString &dir : chatsDirs) {
        const QString key = chatsKey(dir);
        if (m_pieces.contains(key))
            m_dirtyFolders.insert(key);
        else
            full = true;
    }
    if (full)
        refresh();
    if (!m_dirtyFolders.isEmpty() && !m_folderCoalesce->isActive())
        m_folderCoalesce->start();
}

// One job at a time on the worker: a full scan when one is wanted (it covers
// every dirty folder too), else the dirty folders, else a slice of deepening.
void LiveStore::startNext()
{
    if (m_running != Job::None || m_cleanupRunning)
        return;
    if (m_fullPending) {
        m_fullPending = false;
        m_dirtyFolders.clear();
        m_running = Job::Full;
        m_fullStartedAtMs = QDateTime::currentMSecsSinceEpoch();
        emit scanRequested(m_targets, ++m_generation);
    } else if (!m_dirtyFolders.isEmpty() && !m_folderCoalesce->isActive()) {
        const QStringList keys(m_dirtyFolders.cbegin(), m_dirtyFolders.cend());
        m_dirtyFolders.clear();
        m_running = Job::Folders;
        emit rescanRequested(keys, ++m_generation);
    } else if (!m_checkQueue.isEmpty() && !m_folderCoalesce->isActive()) {
        // A few folders at a time, so that a change elsewhere never waits long.
        const QStringList keys = m_checkQueue.mid(0, kCheckSliceFolders);
        m_checkQueue.remove(0, keys.size());
        m_running = Job::Check;
        emit rescanRequested(keys, ++m_generation);
    } else if (m_moreToDeepen && !m_coalesce->isActive() && !m_folderCoalesce->isActive()) {
        m_running = Job::Deepen;
        emit deepenRequested(++m_generation);
    }
}

void LiveStore::onUpdate(const StoreUpdate &update, quint64 generation, qint64 elapsedMs)
{
    Q_UNUSED(generation);
    QStringList newFolders;
    for (const FolderRows &folder : update.folders) {
        if (!folder.piece) {
            m_pieces.remove(folder.key);
            m_summaries.remove(folder.key);
            m_foldersChanged = m_orderStale = true;
            continue;
        }
        m_summaries.insert(folder.key, summarize(*folder.piece));
        auto it = m_pieces.find(folder.key);
        if (it == m_pieces.end()) {
            m_pieces.insert(folder.key, folder.piece);
            m_foldersChanged = m_orderStale = true;
            for (const ProjectEntry &project : folder.piece->snapshot.projects)
                newFolders << project.chatsDir;
        } else {
            *it = folder.piece;
        }
    }
    // Folders found by a scan are watched as they come, a batch at a time,
    // rather than a thousand at once when it ends.
    if (!update.last && !newFolders.isEmpty())
        m_watcher->watchMore(newFolders);

    Job job = Job::None;
    if (update.last) {
        job = m_running;
        m_running = Job::None;
        // Only a slice of deepening knows what is left; a rescan in between
        // does not stop it.
        if (job == Job::Deepen)
            m_moreToDeepen = update.moreToDeepen;
        if (job == Job::Check) {
            m_checkCostMs += elapsedMs;
            if (m_checkQueue.isEmpty()) {
                m_lastCheckMs = m_checkCostMs;
                // Every lock was judged again and the folders are watched: the
                // view is confirmed as of the check's start.
                if (isLive())
                    m_confirmedAtMs = m_checkStartedAtMs;
                updatePollTimer();
            }
        }
        if (job == Job::Full) {
            m_fullyScanned = true;
            m_confirmedAtMs = m_fullStartedAtMs;
            m_lastScanMs = elapsedMs;
            // Every folder's events are read after each full scan: the cache
            // answers those already read.
            m_moreToDeepen = true;
        }
        // The worker goes on while this thread merges.
        startNext();
    }
    if (!update.folders.isEmpty() || update.last)
        emit updateReady(update);
    if (!update.last) {
        // Projects show in the sidebar as a long scan finds them, a few at a time.
        // In an event of its own, after this merge, so that neither holds the
        // GUI thread long.
        if (++m_batchesSinceOverview >= kBatchesPerOverview) {
            m_batchesSinceOverview = 0;
            QMetaObject::invokeMethod(
                this,
                [this] {
                    rebuildOverview();
                    emit overviewUpdated();
                },
                Qt::QueuedConnection);
        }
        return;
    }
    m_batchesSinceOverview = 0;
    if (job == Job::Deepen && update.folders.isEmpty())
        return;

    QElapsedTimer timer;
    timer.start();
    rebuildOverview();
    const qint64 overviewMs = timer.elapsed();
    // Watching thousands of folders costs a stat each: only when they changed.
    if (job == Job::Full || m_foldersChanged)
        updateWatches();
    m_foldersChanged = false;
    const qint64 watchesMs = timer.elapsed() - overviewMs;
    updateHolderPids();
    emit overviewUpdated();
    emit updated();
    emit statusChanged();
    qCDebug(lcUiLive) << "after the update: overview" << overviewMs << "ms, watches" << watchesMs
                      << "ms, the rest" << timer.elapsed() - overviewMs - watchesMs << "ms";
}

LiveStore::FolderSummary LiveStore::summarize(const ScanPiece &piece)
{
    const StoreSnapshot &s = piece.snapshot;
    FolderSummary f;
    f.chats = piece.isChats();
    if (!f.chats)
        f.roots = s.roots;
    f.hostname = s.hostname;
    f.problems = s.problems;
    f.sessions = int(s.sessions.size());
    f.locks = int(s.locks.size());
    f.signature = qHashMulti(0, f.sessions, f.locks, f.problems.size());
    for (const RootEntry &root : s.roots)
        f.signature = qHashMulti(f.signature, root.path, root.exists, root.error);
    for (ProjectEntry project : s.projects) {
        project.sessionCount = f.sessions;
        for (const LockEntry &lock : s.locks) {
            project.heldCount += lock.judgement.verdict == Verdict::Held ? 1 : 0;
            project.staleCount += lock.judgement.verdict == Verdict::Stale ? 1 : 0;
        }
        f.signature = qHashMulti(f.signature, project.chatsDir, project.workspace,
                                 project.sessionCount, project.heldCount, project.staleCount);
        f.projects.append(std::move(project));
    }
    return f;
}

void LiveStore::rebuildOverview()
{
    // Pieces in their scan order, sorted again only when folders came or went.
    if (m_orderStale) {
        QVector<const ScanPiece *> sorted;
        sorted.reserve(m_pieces.size());
        for (const PiecePtr &piece : qAsConst(m_pieces))
            sorted.append(piece.get());
        std::sort(sorted.begin(), sorted.end(), [](const ScanPiece *a, const ScanPiece *b) {
            if (a->rootIndex != b->rootIndex)
                return a->rootIndex < b->rootIndex;
            if (a->isChats() != b->isChats())
                return !a->isChats();
            return a->key < b->key;
        });
        m_order.clear();
        for (const ScanPiece *piece : qAsConst(sorted))
            m_order.append(piece->key);
        m_orderStale = false;
    }
    // Sessions and lock files only counted, once per folder as it arrives.
    auto skeleton = std::make_shared<StoreSnapshot>();
    int sessions = 0;
    int locks = 0;
    size_t signature = 0;
    for (const QString &key : qAsConst(m_order)) {
        const auto it = m_summaries.constFind(key);
        if (it == m_summaries.cend())
            continue;
        const FolderSummary &f = *it;
        if (skeleton->roots.isEmpty() || !f.chats)
            skeleton->roots = f.roots;
        if (skeleton->hostname.isEmpty())
            skeleton->hostname = f.hostname;
        skeleton->projects += f.projects;
        skeleton->problems += f.problems;
        sessions += f.sessions;
        locks += f.locks;
        signature = qHashMulti(signature, f.signature);
    }
    skeleton->generatedAtMs = m_confirmedAtMs;
    // What the sidebar shows; unchanged, it is left alone.
    m_overviewChanged = !m_overview || signature != m_overviewSignature;
    m_overviewSignature = signature;
    m_overview = std::move(skeleton);
    m_sessionCount = sessions;
    m_lockCount = locks;
}

void LiveStore::updateWatches()
{
    QStringList dirs;
    for (const ScanTarget &target : qAsConst(m_targets))
        dirs << target.path;
    if (m_overview) {
        for (const RootEntry &root : m_overview->roots) {
            dirs << root.path;
            // Projects are made, removed or replaced in a log root's tmp folder.
            const QString tmp = root.path + QStringLiteral("/tmp");
            if (QFileInfo(tmp).isDir())
                dirs << tmp;
        }
        for (const ProjectEntry &project : m_overview->projects)
            m_knownChats.insert(project.chatsDir);
    }
    // A chats folder seen once stays wanted while its project folder exists: when
    // it is removed, the watcher falls back to the project folder and sees it
    // made again.
    for (auto it = m_knownChats.begin(); it != m_knownChats.end();) {
        if (m_pieces.contains(chatsKey(*it)) || QFileInfo(QFileInfo(*it).path()).isDir()) {
            dirs << *it;
            ++it;
        } else {
            it = m_knownChats.erase(it);
        }
    }
    const bool wasLive = isLive();
    m_watcher->watch(dirs);
    if (wasLive != isLive())
        qCInfo(lcUiLive) << (isLive() ? "live updates again" : "degraded to polling");
    updatePollTimer();
}

void LiveStore::updateHolderPids()
{
    QSet<qint64> pids;
    for (const PiecePtr &piece : qAsConst(m_pieces)) {
        for (const LockEntry &lock : piece->snapshot.locks) {
            if (lock.holder.exists() && lock.payload.pid && *lock.payload.pid > 0)
                pids.insert(*lock.payload.pid);
        }
    }
    m_exits->setPids(pids);
}

int LiveStore::pollIntervalMs() const
{
    // Slower on a store whose check is expensive, so that idling costs little.
    return isLive() ? int(qMax<qint64>(m_livePollMs, kCheckCostFactor * m_lastCheckMs))
                    : int(qMax<qint64>(m_degradedPollMs, kPollCostFactor * m_lastScanMs));
}

void LiveStore::updatePollTimer()
{
    const int interval = pollIntervalMs();
    if (m_poll->interval() != interval || !m_poll->isActive())
        m_poll->start(interval);
}

// Even when live, lock ages move (the 48 h limits) and a PID can be reused
// without any file changing: the folders that hold lock files are looked at
// again. Without live updates, everything is.
void LiveStore::periodicCheck()
{
    if (!isLive() || !m_fullyScanned) {
        refreshNow();
        updatePollTimer();
        return;
    }
    QStringList folders;
    bool rootFiles = false;
    for (const PiecePtr &piece : qAsConst(m_pieces)) {
        if (piece->snapshot.locks.isEmpty())
            continue;
        if (piece->isChats())
            folders << piece->key;
        else
            rootFiles = true;
    }
    // A root's own files (the janitor's lease) are only seen by a full scan;
    // their ages matter in minutes, so one every few minutes does.
    if (rootFiles && QDateTime::currentMSecsSinceEpoch() - m_confirmedAtMs > kRootFilesRecheckMs) {
        refreshNow();
    } else if (m_checkQueue.isEmpty()) {
        m_checkQueue = folders;
        m_checkCostMs = 0;
        m_checkStartedAtMs = QDateTime::currentMSecsSinceEpoch();
        startNext();
    }
    updatePollTimer();
}

QStringList LiveStore::foldersOfPid(qint64 pid) const
{
    QStringList folders;
    for (const PiecePtr &piece : qAsConst(m_pieces)) {
        for (const LockEntry &lock : piece->snapshot.locks) {
            if (!lock.payload.pid || *lock.payload.pid != pid)
                continue;
            if (!piece->isChats())
                return {}; // a root's file: only a full scan looks there
            folders << piece->key;
            break;
        }
    }
    return folders;
}

void LiveStore::startCleanup(const QVector<RemovalRequest> &requests, const QString &auditPath)
{
    m_cleanupRunning = true;
    m_coalesce->stop();
    emit removalRequested(requests, auditPath);
}

void LiveStore::startRestore(const QStringList &auditIds, const QString &auditPath)
{
    m_cleanupRunning = true; // no scan meanwhile: the files come back as one refresh
    m_coalesce->stop();
    emit restoreRequested(auditIds, auditPath);
}

void LiveStore::cancelCleanup()
{
    m_worker->cancelFlag() = true;
}

} // namespace lockscope
