#pragma once

#include "lockremover.h"
#include "sessionrow.h"
#include "storediscovery.h"
#include "storeupdate.h"

#include <QHash>
#include <QObject>
#include <QSet>
#include <QThread>
#include <QVector>

class QTimer;

namespace lockscope {

class ProcessExitWatcher;
class ScanWorker;
class StoreWatcher;

// Keeps the store current, folder by folder. A change inside a chats folder
// rescans that folder alone; a change above the chats folders (a project made
// or removed) and the first look rescan everything, handed on in batches as it
// goes. A holder's exit (pidfd, else polling) rescans the folders of its locks.
// A slow periodic check re-judges the folders that hold lock files (ages move),
// never more often than keeps it under half a percent of one core. Work runs on
// a worker thread; the GUI thread only merges what changed. When folders cannot
// be watched, the whole store is polled and the reason is kept for the status bar.
class LiveStore final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LiveStore)

public:
    explicit LiveStore(QObject *parent = nullptr);
    ~LiveStore() override;

    void setTargets(const QVector<ScanTarget> &targets);
    QVector<ScanTarget> targets() const { return m_targets; }

    // Roots, projects (with their session, held and stale counts) and the
    // problems, without sessions and lock files: cheap, rebuilt after every update.
    SnapshotPtr overview() const { return m_overview; }
    bool hasScanned() const { return m_fullyScanned; }
    int sessionCount() const { return m_sessionCount; }
    int lockCount() const { return m_lockCount; }
    // Whether the last update changed what overview() shows.
    bool overviewChanged() const { return m_overviewChanged; }

    bool isLive() const;
    QString degradedReason() const;
    // Wall-clock time at which the whole store was last confirmed by a scan.
    qint64 confirmedAtMs() const { return m_confirmedAtMs; }
    qint64 lastScanMs() const { return m_lastScanMs; }
    bool scanning() const { return m_running == Job::Full || m_running == Job::Folders; }
    bool cleanupRunning() const { return m_cleanupRunning; }
    // Recordings still to be read beyond their header line.
    bool deepening() const { return m_moreToDeepen; }

    StoreWatcher *storeWatcher() const { return m_watcher; }
    ProcessExitWatcher *exitWatcher() const { return m_exits; }

    void setCoalesceMs(int ms);
    void setFolderCoalesceMs(int ms);
    void setLivePollMs(int ms);
    void setDegradedPollMs(int ms);
    int pollIntervalMs() const;

    // Removes these files on the worker thread, through LockRemover.
    void startCleanup(const QVector<RemovalRequest> &requests, const QString &auditPath);
    void cancelCleanup();
    // Puts these removals back on the worker thread (an undo).
    void startRestore(const QStringList &auditIds, const QString &auditPath);

public slots:
    // Rescans everything after the coalescing delay; several calls make one scan.
    void refresh();
    void refreshNow();
    // Rescans these chats folders (as shown in ProjectEntry::chatsDir) soon;
    // an unknown folder means a full rescan.
    void refreshFolders(const QStringList &chatsDirs);

signals:
    // Rows to merge (SessionTableModel::applyUpdate); a full scan sends several.
    void updateReady(const lockscope::StoreUpdate &update);
    // A scan, rescan or cleanup's rescan finished: overview() is current.
    void updated();
    // overview() was rebuilt: at the end of every update, and now and then
    // while a long scan streams in.
    void overviewUpdated();
    void statusChanged();
    void holderExited(qint64 pid);
    void cleanupProgress(int done, int total, const QString &path);
    void cleanupFinished(const QVector<lockscope::RemovalResult> &results);
    void restoreFinished(const QVector<lockscope::RestoreResult> &results);

    // Internal: queued to the worker.
    void scanRequested(const QVector<lockscope::ScanTarget> &targets, quint64 generation);
    void rescanRequested(const QStringList &keys, quint64 generation);
    void deepenRequested(quint64 generation);
    void removalRequested(const QVector<lockscope::RemovalRequest> &requests,
                          const QString &auditPath);
    void restoreRequested(const QStringList &auditIds, const QString &auditPath);

private:
    enum class Job
    {
        None,
        Full,
        Folders,
        Check,
        Deepen
    };
    void startNext();
    void onUpdate(const StoreUpdate &update, quint64 generation, qint64 elapsedMs);
    // What one folder adds to the overview, worked out once when it arrives.
    struct FolderSummary
    {
        bool chats = true;
        QVector<RootEntry> roots; // a root's own piece only
        QString hostname;
        QVector<ProjectEntry> projects;
        QVector<ScanProblem> problems;
        int sessions = 0;
        int locks = 0;
        size_t signature = 0;
    };
    static FolderSummary summarize(const ScanPiece &piece);
    void rebuildOverview();
    void updateWatches();
    void updateHolderPids();
    void updatePollTimer();
    void periodicCheck();
    QStringList foldersOfPid(qint64 pid) const;

    QVector<ScanTarget> m_targets;
    QHash<QString, PiecePtr> m_pieces;
    QHash<QString, FolderSummary> m_summaries;
    QStringList m_order; // piece keys in scan order
    bool m_orderStale = true;
    SnapshotPtr m_overview;
    QSet<QString> m_knownChats;
    QThread m_thread;
    ScanWorker *m_worker = nullptr;
    StoreWatcher *m_watcher = nullptr;
    ProcessExitWatcher *m_exits = nullptr;
    QTimer *m_coalesce = nullptr;
    QTimer *m_folderCoalesce = nullptr;
    QTimer *m_followUp = nullptr;
    QTimer *m_poll = nullptr;
    quint64 m_generation = 0;
    Job m_running = Job::None;
    bool m_fullPending = false;
    QSet<QString> m_dirtyFolders; // piece keys to rescan
    bool m_fullyScanned = false;
    bool m_moreToDeepen = false;
    bool m_cleanupRunning = false;
    QStringList m_checkQueue; // folders the periodic check has still to rescan
    qint64 m_checkCostMs = 0; // worker time of the running check so far
    qint64 m_checkStartedAtMs = 0;
    bool m_foldersChanged = false; // folders came or went since the watches were set
    bool m_overviewChanged = false;
    size_t m_overviewSignature = 0;
    int m_sessionCount = 0;
    int m_lockCount = 0;
    int m_batchesSinceOverview = 0;
    qint64 m_confirmedAtMs = 0;
    qint64 m_fullStartedAtMs = 0;
    qint64 m_lastScanMs = 0;
    qint64 m_lastCheckMs = 0; // how long the last periodic check took
    int m_livePollMs = 30'000;
    int m_degradedPollMs = 2'000;
};

} // namespace lockscope
