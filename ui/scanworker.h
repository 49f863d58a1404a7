#pragma once

#include "lockremover.h"
#include "sessionrow.h"
#include "storediscovery.h"
#include "storescanner.h"
#include "storeupdate.h"

#include <QHash>
#include <QObject>
#include <QSet>
#include <QVector>

#include <atomic>
#include <memory>

namespace lockscope {

// Runs scans and bulk removals away from the GUI thread. The scanner is made
// on first use, so that it lives in the thread that uses it; it is kept across
// scans so that unchanged recordings are not read again. Scans are handed on
// folder by folder, with their rows already built; a folder whose rows did not
// change is not handed on at all.
class ScanWorker final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ScanWorker)

public:
    explicit ScanWorker(QObject *parent = nullptr);
    ~ScanWorker() override;

    // Checked between two removals; set from any thread.
    std::atomic<bool> &cancelFlag() { return m_cancel; }

public slots:
    void scan(const QVector<lockscope::ScanTarget> &targets, quint64 generation);
    // Scans these folders (keys of chats pieces) again, and only them.
    void rescanFolders(const QStringList &keys, quint64 generation);
    // Reads the events of folders scanned to their headers only, for a short
    // slice of time; the update says whether more is left.
    void deepen(quint64 generation);
    void removeAll(const QVector<lockscope::RemovalRequest> &requests, const QString &auditPath);
    void restoreAll(const QStringList &auditIds, const QString &auditPath);

signals:
    void updateReady(const lockscope::StoreUpdate &update, quint64 generation, qint64 elapsedMs);
    void removalProgress(int done, int total, const QString &path);
    void removalsFinished(const QVector<lockscope::RemovalResult> &results);
    void restoresFinished(const QVector<lockscope::RestoreResult> &results);

private:
    StoreScanner &scanner(RecordingDepth depth);
    // Adds the piece to the update unless its rows are those already handed on.
    // Returns the number of rows added.
    int offer(ScanPiece &&piece, StoreUpdate &update);
    void forget(const QString &key, StoreUpdate &update);

    std::unique_ptr<StoreScanner> m_scanner;
    QHash<QString, PiecePtr> m_pieces;
    QHash<QString, QHash<QString, size_t>> m_prints; // folder -> row key -> fingerprint hash
    QHash<QString, size_t> m_problemPrints;          // folders handed on: a hash of their problems
    QSet<QString> m_deep;                            // folders whose events have been read
    std::atomic<bool> m_cancel{false};
};

} // namespace lockscope
