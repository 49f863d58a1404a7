#pragma once

#include "clock.h"
#include "processprobe.h"
#include "recordingreader.h"
#include "storediscovery.h"
#include "storesnapshot.h"

#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcScan)

namespace lockscope {

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
    void scanChats(Pass &pass, int chatsfd, const QByteArray &chatsPath, int projectIndex);

    const ProcessProbe &m_probe;
    const Clock &m_clock;
    RecordingReader m_recordings;
    RecordingDepth m_depth = RecordingDepth::Events;
};

} // namespace lockscope
