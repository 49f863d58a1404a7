#include "scanworker.h"

#include "auditlog.h"
#include "logcategories.h"

#include <QElapsedTimer>

namespace lockscope {

ScanWorker::ScanWorker(QObject *parent)
    : QObject(parent)
{
}

ScanWorker::~ScanWorker() = default;

void ScanWorker::scan(const QVector<ScanTarget> &targets, quint64 generation)
{
    if (!m_scanner)
        m_scanner = std::make_unique<StoreScanner>();
    QElapsedTimer timer;
    timer.start();
    auto snapshot = std::make_shared<StoreSnapshot>(m_scanner->scan(targets));
    const qint64 elapsed = timer.elapsed();
    qCDebug(lcUiLive) << "scan" << generation << "took" << elapsed
                      << "ms:" << snapshot->locks.size() << "files," << snapshot->sessions.size()
                      << "sessions";
    emit scanned(SnapshotPtr(std::move(snapshot)), generation, elapsed);
}

void ScanWorker::removeAll(const QVector<RemovalRequest> &requests, const QString &auditPath)
{
    m_cancel = false;
    AuditLog audit(auditPath);
    LockRemover remover(audit);
    QVector<RemovalResult> results;
    results.reserve(requests.size());
    for (int i = 0; i < requests.size(); ++i) {
        if (m_cancel)
            break;
        const RemovalRequest &request = requests.at(i);
        emit removalProgress(i, int(requests.size()),
                             displayPath(request.dirPath + '/' + request.fileName));
        results.append(remover.remove(request));
    }
    emit removalProgress(int(results.size()), int(requests.size()), QString());
    emit removalsFinished(results);
}

} // namespace lockscope
