#pragma once

#include "lockremover.h"
#include "sessionrow.h"
#include "storediscovery.h"

#include <QObject>
#include <QSet>
#include <QThread>
#include <QVector>

class QTimer;

namespace lockscope {

class ProcessExitWatcher;
class ScanWorker;
class StoreWatcher;

// Keeps a snapshot of the store current. Folder changes (one shared watcher)
// and holder exits (pidfd, else polling) schedule a rescan; bursts are
// coalesced into one. Scans run on a worker thread. When folders cannot be
// watched, the store is polled and the reason is kept for the status bar.
class LiveStore final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LiveStore)

public:
    explicit LiveStore(QObject *parent = nullptr);
    ~LiveStore() override;

    void setTargets(const QVector<ScanTarget> &targets);
    QVector<ScanTarget> targets() const { return m_targets; }

    SnapshotPtr snapshot() const { return m_snapshot; }
    bool isLive() const;
    QString degradedReason() const;
    // Wall-clock time at which the shown snapshot was taken.
    qint64 confirmedAtMs() const { return m_snapshot ? m_snapshot->generatedAtMs : 0; }
    qint64 lastScanMs() const { return m_lastScanMs; }
    bool scanning() const { return m_running; }
    bool cleanupRunning() const { return m_cleanupRunning; }

    StoreWatcher *storeWatcher() const { return m_watcher; }
    ProcessExitWatcher *exitWatcher() const { return m_exits; }

    void setCoalesceMs(int ms);
    void setLivePollMs(int ms);
    void setDegradedPollMs(int ms);

    // Removes these files on the worker thread, through LockRemover.
    void startCleanup(const QVector<RemovalRequest> &requests, const QString &auditPath);
    void cancelCleanup();

public slots:
    // Rescans after the coalescing delay; several calls make one scan.
    void refresh();
    void refreshNow();

signals:
    void snapshotReady(const lockscope::SnapshotPtr &snapshot);
    void statusChanged();
    void holderExited(qint64 pid);
    void cleanupProgress(int done, int total, const QString &path);
    void cleanupFinished(const QVector<lockscope::RemovalResult> &results);

    // Internal: queued to the worker.
    void scanRequested(const QVector<lockscope::ScanTarget> &targets, quint64 generation);
    void removalRequested(const QVector<lockscope::RemovalRequest> &requests,
                          const QString &auditPath);

private:
    void startScan();
    void onScanned(const SnapshotPtr &snapshot, quint64 generation, qint64 elapsedMs);
    void updateWatches();
    void updatePollTimer();

    QVector<ScanTarget> m_targets;
    SnapshotPtr m_snapshot;
    QSet<QString> m_knownChats;
    QThread m_thread;
    ScanWorker *m_worker = nullptr;
    StoreWatcher *m_watcher = nullptr;
    ProcessExitWatcher *m_exits = nullptr;
    QTimer *m_coalesce = nullptr;
    QTimer *m_followUp = nullptr;
    QTimer *m_poll = nullptr;
    quint64 m_generation = 0;
    bool m_running = false;
    bool m_again = false;
    bool m_cleanupRunning = false;
    qint64 m_lastScanMs = 0;
    int m_livePollMs = 30'000;
    int m_degradedPollMs = 2'000;
};

} // namespace lockscope
