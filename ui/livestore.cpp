#include "livestore.h"

#include "logcategories.h"
#include "processexitwatcher.h"
#include "scanworker.h"
#include "storewatcher.h"

#include <QFileInfo>
#include <QTimer>

namespace lockscope {

namespace {

constexpr int kDefaultCoalesceMs = 120;
constexpr int kFollowUpMs = 600;

} // namespace

LiveStore::LiveStore(QObject *parent)
    : QObject(parent)
    , m_worker(new ScanWorker)
    , m_watcher(new StoreWatcher(this))
    , m_exits(new ProcessExitWatcher(this))
    , m_coalesce(new QTimer(this))
    , m_followUp(new QTimer(this))
    , m_poll(new QTimer(this))
{
    qRegisterMetaType<SnapshotPtr>();
    qRegisterMetaType<QVector<ScanTarget>>();
    qRegisterMetaType<QVector<RemovalRequest>>();
    qRegisterMetaType<QVector<RemovalResult>>();

    m_thread.setObjectName(QStringLiteral("lockscope-scan"));
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(this, &LiveStore::scanRequested, m_worker, &ScanWorker::scan);
    connect(this, &LiveStore::removalRequested, m_worker, &ScanWorker::removeAll);
    connect(m_worker, &ScanWorker::scanned, this, &LiveStore::onScanned);
    connect(m_worker, &ScanWorker::removalProgress, this, &LiveStore::cleanupProgress);
    connect(m_worker, &ScanWorker::removalsFinished, this,
            [this](const QVector<RemovalResult> &results) {
                m_cleanupRunning = false;
                emit cleanupFinished(results);
                // The deletions arrive as one refresh, not one per file.
                refreshNow();
            });
    m_thread.start();

    m_followUp->setSingleShot(true);
    m_followUp->setInterval(kFollowUpMs);
    connect(m_followUp, &QTimer::timeout, this, &LiveStore::refresh);
    m_coalesce->setSingleShot(true);
    m_coalesce->setInterval(kDefaultCoalesceMs);
    connect(m_coalesce, &QTimer::timeout, this, &LiveStore::startScan);
    connect(m_poll, &QTimer::timeout, this, &LiveStore::refreshNow);
    connect(m_watcher, &StoreWatcher::directoryChanged, this, [this](const QString &path) {
        qCDebug(lcUiLive) << "changed:" << path;
        refresh();
        // A project folder is made a moment before its chats folder; until the
        // chats folder exists nothing inside the project is watched, so look again.
        if (!m_knownChats.contains(path))
            m_followUp->start();
    });
    connect(m_exits, &ProcessExitWatcher::exited, this, [this](qint64 pid) {
        qCDebug(lcUiLive) << "holder exited:" << pid;
        emit holderExited(pid);
        refreshNow();
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
    if (m_running || m_cleanupRunning) {
        m_again = true;
        return;
    }
    // Not restarted on every event: a steady stream of changes still gets scanned.
    if (!m_coalesce->isActive())
        m_coalesce->start();
}

void LiveStore::refreshNow()
{
    if (m_running || m_cleanupRunning) {
        m_again = true;
        return;
    }
    m_coalesce->stop();
    startScan();
}

void LiveStore::startScan()
{
    if (m_running || m_cleanupRunning) {
        m_again = true;
        return;
    }
    m_running = true;
    m_again = false;
    emit scanRequested(m_targets, ++m_generation);
}

void LiveStore::onScanned(const SnapshotPtr &snapshot, quint64 generation, qint64 elapsedMs)
{
    Q_UNUSED(generation);
    m_running = false;
    m_lastScanMs = elapsedMs;
    m_snapshot = snapshot;
    updateWatches();
    emit snapshotReady(snapshot);
    emit statusChanged();
    if (m_again)
        refresh();
}

void LiveStore::updateWatches()
{
    QStringList dirs;
    for (const ScanTarget &target : qAsConst(m_targets))
        dirs << target.path;
    if (m_snapshot) {
        for (const RootEntry &root : m_snapshot->roots)
            dirs << root.path;
        for (const ProjectEntry &project : m_snapshot->projects)
            m_knownChats.insert(project.chatsDir);
    }
    // A chats folder seen once stays wanted while its project folder exists: when
    // it is removed, the watcher falls back to the project folder and sees it
    // made again.
    for (auto it = m_knownChats.begin(); it != m_knownChats.end();) {
        if (QFileInfo(QFileInfo(*it).path()).isDir()) {
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

    QSet<qint64> pids;
    if (m_snapshot) {
        for (const LockEntry &lock : m_snapshot->locks) {
            if (lock.holder.exists() && lock.payload.pid && *lock.payload.pid > 0)
                pids.insert(*lock.payload.pid);
        }
    }
    m_exits->setPids(pids);
}

void LiveStore::updatePollTimer()
{
    // Even when live, a slow poll re-judges ages (48 h limits) and confirms the view.
    const int interval = isLive() ? m_livePollMs : m_degradedPollMs;
    if (m_poll->interval() != interval || !m_poll->isActive())
        m_poll->start(interval);
}

void LiveStore::startCleanup(const QVector<RemovalRequest> &requests, const QString &auditPath)
{
    m_cleanupRunning = true;
    m_coalesce->stop();
    emit removalRequested(requests, auditPath);
}

void LiveStore::cancelCleanup()
{
    m_worker->cancelFlag() = true;
}

} // namespace lockscope
