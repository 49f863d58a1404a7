#pragma once

#include "lockremover.h"
#include "sessionrow.h"
#include "storediscovery.h"
#include "storescanner.h"

#include <QObject>
#include <QVector>

#include <atomic>
#include <memory>

namespace lockscope {

// Runs scans and bulk removals away from the GUI thread. The scanner is made
// on first use, so that it lives in the thread that uses it; it is kept across
// scans so that unchanged recordings are not read again.
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
    void removeAll(const QVector<lockscope::RemovalRequest> &requests, const QString &auditPath);

signals:
    void scanned(const lockscope::SnapshotPtr &snapshot, quint64 generation, qint64 elapsedMs);
    void removalProgress(int done, int total, const QString &path);
    void removalsFinished(const QVector<lockscope::RemovalResult> &results);

private:
    std::unique_ptr<StoreScanner> m_scanner;
    std::atomic<bool> m_cancel{false};
};

} // namespace lockscope
