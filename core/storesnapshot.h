#pragma once

#include "entryfile.h"
#include "entryname.h"
#include "filesystemprobe.h"
#include "lockpayload.h"
#include "lockverdict.h"
#include "processprobe.h"
#include "recordingreader.h"

#include <QByteArray>
#include <QString>
#include <QVector>

#include <optional>

namespace lockscope {

struct RootEntry
{
    QString path;
    QString source;
    bool legacy = false;
    bool exists = false;
    QString error;
};

struct ProjectEntry
{
    QString hash;
    QString chatsDir;
    int rootIndex = -1;
    QString workspace; // the first workspace folder named by a recording header
    // Set where sessions and lock files are left out (LiveStore::overview).
    int sessionCount = 0;
    int heldCount = 0;
    int staleCount = 0;
};

// One lock-like file (lock, legacy lock, guard, temp, lease, not-a-lock, or an
// unknown entry) with the evidence of its verdict.
struct LockEntry
{
    QByteArray dirPath; // raw bytes: names need not be valid UTF-8
    QByteArray fileName;
    EntryKind kind = EntryKind::Unknown;
    QString sessionId; // the id (or legacy key) the name carries
    int projectIndex = -1;
    EntryFile file;
    LockPayload payload;
    HolderFacts holder;
    DirectoryFacts directory;
    Judgement judgement;
    UpstreamView upstream;
    bool guardPresent = false;

    QByteArray rawPath() const { return dirPath + '/' + fileName; }
    QString path() const;
    QString kindName() const;
};

struct SessionEntry
{
    QString sessionId; // empty when the recording's header is unreadable and no lock pairs
    int projectIndex = -1;
    RecordingPtr recording; // null when the session has no recording
    QByteArray recordingPath;
    int lockIndex = -1;
    // Paired through the 12 characters in the recording's file name because its
    // header is unreadable: likely, not proven.
    bool pairingUncertain = false;
};

struct ScanProblem
{
    QString path;
    QString message;
};

struct StoreSnapshot
{
    qint64 generatedAtMs = 0;
    QString hostname;
    QVector<RootEntry> roots;
    QVector<ProjectEntry> projects;
    QVector<SessionEntry> sessions;
    QVector<LockEntry> locks;
    QVector<ScanProblem> problems;
};

QString displayPath(const QByteArray &raw);

} // namespace lockscope
