#pragma once

#include <QByteArray>
#include <QHash>
#include <QMutex>
#include <QString>
#include <QStringList>
#include <QVector>
#include <QtGlobal>

#include <memory>

namespace lockscope {

struct Checkpoint
{
    QString id;
    QString name;
};

// What a recording says about its session. The full session id comes only from
// the header: the file name carries just its first 12 characters.
struct RecordingInfo
{
    QByteArray fileName;
    QString nameKey; // <stamp>-<12 chars> from the file name
    quint64 dev = 0;
    quint64 ino = 0;
    qint64 sizeBytes = 0;
    qint64 mtimeMs = 0; // last activity

    bool vanished = false; // removed between the directory listing and the open
    bool headerOk = false;
    QString headerError;
    QString sessionId;
    QString projectHash;
    QStringList workspaceDirs;
    QString cwd;
    QString provider;
    QString model;
    QString startTime;

    QString title;          // last non-null session_metadata title
    QString name;           // last session_named name (null clears)
    QString firstHumanText; // fallback title, cut to 120 characters
    QString forkParent;
    QVector<Checkpoint> checkpoints;
    int events = 0;
    bool tornTail = false; // the last line is incomplete: normal while it is written

    // How far the file has been read: the events are known up to parsedBytes
    // (the end of the last complete line) when eventsRead is set.
    bool eventsRead = false;
    qint64 parsedBytes = 0;
    size_t headerHash = 0; // of the header line, to tell an append from a rewrite
    int headerLength = 0;  // bytes of the header line, its newline included

    QString displayTitle() const;
};

// Recordings are shared, never changed once read: the reader's cache and every
// snapshot that lists one hold the same copy.
using RecordingPtr = std::shared_ptr<const RecordingInfo>;

enum class RecordingDepth
{
    Header, // the header line only: a bounded read, what a listing needs first
    Events, // every event, for titles, names, checkpoints and the first message
};

// Reads recordings with bounded memory and remembers them by (dev, inode, size,
// mtime), so that a rescan of an unchanged store reads nothing again, and a
// recording that grew is read on from where the last read stopped. Safe to
// use from several threads.
class RecordingReader
{
public:
    // Never null. `seenBefore` says the folder was read before, so that an
    // unchanged recording is likely cached: it is then checked with one lstat
    // before anything is opened. In a folder seen for the first time that lstat
    // would only add a system call to every file.
    RecordingPtr read(int dirfd, const QByteArray &fileName,
                      RecordingDepth depth = RecordingDepth::Events, bool seenBefore = true);
    // Reads without the cache; exposed for tests and the fuzzers. `pending` is
    // what was already read from the start of the file; fd < 0 means no more.
    static RecordingInfo parse(const QByteArray &fileName, QByteArray pending, int fd,
                               RecordingDepth depth = RecordingDepth::Events);
    void clear();
    int cachedCount() const;
    // How many recordings were parsed (cache misses) since construction.
    int parseCount() const;
    // Bytes read from recordings since construction.
    qint64 bytesRead() const;

private:
    struct Key
    {
        quint64 dev;
        quint64 ino;
        bool operator==(const Key &o) const { return dev == o.dev && ino == o.ino; }
    };
    friend size_t qHash(const Key &key, size_t seed) { return qHashMulti(seed, key.dev, key.ino); }

    mutable QMutex m_mutex;
    QHash<Key, RecordingPtr> m_cache;
    int m_parses = 0;
    qint64 m_bytesRead = 0;
};

// The header line is read with this bound; no newline within it = unreadable.
constexpr qint64 kHeaderBound = 1024 * 1024;
// Event lines longer than this are skipped, not parsed.
constexpr qint64 kEventLineBound = 8 * 1024 * 1024;

} // namespace lockscope
