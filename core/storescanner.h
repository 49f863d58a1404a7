#pragma once

#include "clock.h"
#include "processprobe.h"
#include "recordingreader.h"
#include "storediscovery.h"
#include "storesnapshot.h"

#include <QLoggingCategory>
#include <QMutex>
#include <QPair>
#include <QSet>

#include <functional>

Q_DECLARE_LOGGING_CATEGORY(lcScan)

namespace lockscope {

// One folder's share of a scan, complete in itself: a chats folder (its project,
// sessions and lock files) or a root (what its tmp folder holds besides the
// projects, and the problems met on the way). Indices inside `snapshot` are
// its own; `roots` lists every root of the scan. A chats piece can be scanned
// again on its own, which costs one listing of that folder.
struct ScanPiece
{
    QString key; // "c:" + the chats folder, or "r:" + the root's index and path
    int rootIndex = -1;
    bool legacyRoot = false;
    bool namedChats = false; // the user named the chats folder itself
    QByteArray folderPath;   // raw bytes: the project folder, or the named chats folder
    StoreSnapshot snapshot;

    bool isChats() const { return key.startsWith(QLatin1Char('c')); }
    // A rescan found the folder gone: the piece lists nothing.
    bool gone() const
    {
        return isChats() && snapshot.projects.isEmpty() && snapshot.problems.isEmpty();
    }
};

using PieceSink = std::function<void(ScanPiece &&piece)>;

// Joins pieces into one snapshot: roots first (each root's piece before its
// chats pieces, in the order given), indices renumbered.
StoreSnapshot joinPieces(const QVector<const ScanPiece *> &pieces);

// Walks roots, project folders and chats folders and judges everything in
// them. Symlinked project and chats folders are reported, never followed. An
// entry that vanishes mid-scan is dropped without a message; anything else that
// cannot be read becomes a ScanProblem and the scan goes on.
class StoreScanner
{
public:
    explicit StoreScanner(const ProcessProbe &probe = SystemProcessProbe::instance(),
                          const Clock &clock = SystemClock::instance());

    StoreSnapshot scan(const QVector<ScanTarget> &targets);
    // The same scan, handed over one folder at a time as soon as it is done.
    void scan(const QVector<ScanTarget> &targets, const PieceSink &sink);
    // Scans the folder of a chats piece again; gone() when it no longer exists.
    ScanPiece rescan(const ScanPiece &previous);

    // How much of each recording a scan reads. Header depth lists a store with
    // a bounded read per recording; names, titles and checkpoints need Events.
    void setRecordingDepth(RecordingDepth depth) { m_depth = depth; }
    RecordingDepth recordingDepth() const { return m_depth; }

    RecordingReader &recordings() { return m_recordings; }

private:
    struct Pass;
    void scanTarget(Pass &pass, const ScanTarget &target, int rootIndex);
    void scanTmpDir(Pass &pass, int tmpfd, const QByteArray &tmpPath, int rootIndex);
    void scanProject(Pass &pass, int projectfd, const QByteArray &projectPath, int rootIndex);
    void scanChats(Pass &pass, StoreSnapshot &snap, int chatsfd, const QByteArray &chatsPath,
                   int projectIndex);
    Pass startPass() const;

    const ProcessProbe &m_probe;
    const Clock &m_clock;
    RecordingReader m_recordings;
    RecordingDepth m_depth = RecordingDepth::Events;
    QMutex m_seenMutex;
    QSet<QPair<quint64, quint64>> m_seenFolders; // chats folders read before
};

} // namespace lockscope
