#include "scanworker.h"

#include "auditlog.h"
#include "logcategories.h"

#include <QElapsedTimer>
#include <QSet>

namespace lockscope {

ScanWorker::ScanWorker(QObject *parent)
    : QObject(parent)
{
}

ScanWorker::~ScanWorker() = default;

namespace {

// A full scan hands rows on at least this often, and in batches of at most
// about this many rows, so that the GUI thread merges a little at a time.
constexpr qint64 kBatchMs = 30;
constexpr int kBatchRows = 1500;
// Reading events is done in slices of about this long, so that a folder rescan
// never waits longer for the worker.
constexpr qint64 kDeepenSliceMs = 25;
// A full scan reads events for this long before it falls back to headers.
constexpr qint64 kEventsBudgetMs = 100;

} // namespace

StoreScanner &ScanWorker::scanner(RecordingDepth depth)
{
    if (!m_scanner)
        m_scanner = std::make_unique<StoreScanner>();
    m_scanner->setRecordingDepth(depth);
    return *m_scanner;
}

int ScanWorker::offer(ScanPiece &&piece, StoreUpdate &update)
{
    auto shared = std::make_shared<const ScanPiece>(std::move(piece));
    m_pieces.insert(shared->key, shared);
    // The rows keep their piece alive through the snapshot they point into.
    const SnapshotPtr snapshot(shared, &shared->snapshot);
    const QVector<SessionRow> rows = rowsFromSnapshot(snapshot, shared->key);

    // Only rows that are new or changed are handed on, and the keys of those
    // that went: a lock's age moving in one folder costs one row, not the folder.
    QHash<QString, size_t> &known = m_prints[shared->key];
    FolderRows folder;
    folder.key = shared->key;
    folder.piece = shared;
    QSet<QString> present;
    present.reserve(rows.size());
    for (SessionRow row : rows) {
        present.insert(row.key);
        auto it = known.find(row.key);
        if (it != known.end()) {
            if (*it == row.fingerprint)
                continue;
            *it = row.fingerprint;
            // The key the model already holds, so that one string serves both.
            row.key = it.key();
        } else {
            known.insert(row.key, row.fingerprint);
        }
        folder.rows.append(std::move(row));
    }
    for (auto it = known.begin(); it != known.end();) {
        if (present.contains(it.key())) {
            ++it;
            continue;
        }
        folder.removed.append(it.key());
        it = known.erase(it);
    }
    // A folder is handed on the first time, and whenever its problems change
    // even if no row does (a project folder replaced by a symlink).
    size_t problems = 1;
    for (const ScanProblem &problem : shared->snapshot.problems)
        problems = qHashMulti(problems, problem.path, problem.message);
    const auto sent = m_problemPrints.constFind(shared->key);
    const bool problemsChanged = sent == m_problemPrints.cend() || *sent != problems;
    if (folder.rows.isEmpty() && folder.removed.isEmpty() && !problemsChanged)
        return 0;
    m_problemPrints.insert(shared->key, problems);
    const int count = int(folder.rows.size() + folder.removed.size());
    update.folders.append(std::move(folder));
    return qMax(count, 1);
}

void ScanWorker::forget(const QString &key, StoreUpdate &update)
{
    m_pieces.remove(key);
    m_prints.remove(key);
    m_problemPrints.remove(key);
    m_deep.remove(key);
    update.folders.append({key, nullptr, {}, {}});
}

void ScanWorker::scan(const QVector<ScanTarget> &targets, quint64 generation)
{
    QElapsedTimer timer;
    timer.start();
    StoreUpdate batch;
    batch.fullScan = true;
    int batchRows = 0;
    qint64 lastSent = 0;
    QSet<QString> seen;
    int folders = 0;
    // Events (names, titles, checkpoints) are read at once while that is quick;
    // past a budget, headers only, so that a large store's rows show at once,
    // and deepen() reads the rest folder by folder afterwards. Recordings read
    // in full before are answered in full from the cache either way.
    StoreScanner &store = scanner(RecordingDepth::Events);
    store.scan(targets, [&](ScanPiece &&piece) {
        ++folders;
        seen.insert(piece.key);
        if (store.recordingDepth() == RecordingDepth::Events && piece.isChats())
            m_deep.insert(piece.key);
        if (timer.elapsed() >= kEventsBudgetMs)
            store.setRecordingDepth(RecordingDepth::Header);
        batchRows += offer(std::move(piece), batch);
        const qint64 now = timer.elapsed();
        if (batchRows >= kBatchRows || (batchRows > 0 && now - lastSent >= kBatchMs)) {
            emit updateReady(batch, generation, now);
            batch.folders.clear();
            batchRows = 0;
            lastSent = now;
        }
    });
    for (auto it = m_pieces.begin(); it != m_pieces.end();) {
        if (seen.contains(it.key())) {
            ++it;
            continue;
        }
        const QString key = it.key();
        it = m_pieces.erase(it);
        m_prints.remove(key);
        m_problemPrints.remove(key);
        m_deep.remove(key);
        batch.folders.append({key, nullptr, {}, {}});
    }
    batch.last = true;
    const qint64 elapsed = timer.elapsed();
    qCDebug(lcUiLive) << "scan" << generation << "took" << elapsed << "ms," << folders << "folders";
    emit updateReady(batch, generation, elapsed);
}

void ScanWorker::rescanFolders(const QStringList &keys, quint64 generation)
{
    QElapsedTimer timer;
    timer.start();
    StoreUpdate update;
    for (const QString &key : keys) {
        const PiecePtr previous = m_pieces.value(key);
        if (!previous || !previous->isChats())
            continue;
        const RecordingDepth depth =
            m_deep.contains(key) ? RecordingDepth::Events : RecordingDepth::Header;
        ScanPiece piece = scanner(depth).rescan(*previous);
        if (piece.gone())
            forget(key, update);
        else
            offer(std::move(piece), update);
    }
    update.last = true;
    const qint64 elapsed = timer.elapsed();
    qCDebug(lcUiLive) << "rescan" << generation << "of" << keys.size() << "folders took" << elapsed
                      << "ms," << update.folders.size() << "changed";
    emit updateReady(update, generation, elapsed);
}

void ScanWorker::deepen(quint64 generation)
{
    QElapsedTimer timer;
    timer.start();
    StoreUpdate update;
    int done = 0;
    for (auto it = m_pieces.cbegin(); it != m_pieces.cend(); ++it) {
        if (m_deep.contains(it.key()) || !it.value()->isChats())
            continue;
        if (timer.elapsed() >= kDeepenSliceMs) {
            update.moreToDeepen = true;
            break;
        }
        const QString key = it.key();
        const PiecePtr previous = it.value();
        m_deep.insert(key);
        ++done;
        ScanPiece piece = scanner(RecordingDepth::Events).rescan(*previous);
        if (piece.gone()) {
            forget(key, update);
            break; // the iterator is no longer valid
        }
        offer(std::move(piece), update);
        it = m_pieces.constFind(key);
    }
    if (!update.moreToDeepen) {
        for (auto it = m_pieces.cbegin(); it != m_pieces.cend(); ++it)
            update.moreToDeepen |= it.value()->isChats() && !m_deep.contains(it.key());
    }
    update.last = true;
    qCDebug(lcUiLive) << "deepened" << done << "folders in" << timer.elapsed() << "ms";
    emit updateReady(update, generation, timer.elapsed());
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

void ScanWorker::restoreAll(const QStringList &auditIds, const QString &auditPath)
{
    AuditLog audit(auditPath);
    LockRemover remover(audit);
    emit restoresFinished(remover.restoreAll(auditIds));
}

} // namespace lockscope
