#include "recordingreader.h"

#include "entryname.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutexLocker>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace lockscope {

namespace {

constexpr int kChunk = 256 * 1024;
constexpr int kTitleLength = 120;

QJsonObject parseLine(const QByteArray &line)
{
    const QJsonDocument doc = QJsonDocument::fromJson(line);
    return doc.isObject() ? doc.object() : QJsonObject();
}

void readHeader(RecordingInfo &info, QByteArray line)
{
    if (line.startsWith("\xEF\xBB\xBF"))
        line.remove(0, 3);
    const QJsonObject object = parseLine(line);
    if (object.isEmpty()) {
        info.headerError = line.trimmed().isEmpty()
                               ? QStringLiteral("the file is empty")
                               : QStringLiteral("the first line is not a complete JSON object");
        return;
    }
    if (object.value(QLatin1String("type")).toString() != QLatin1String("session_start")) {
        info.headerError = QStringLiteral("the first line is not a session_start header");
        return;
    }
    const QJsonObject payload = object.value(QLatin1String("payload")).toObject();
    const QString id = payload.value(QLatin1String("sessionId")).toString();
    if (!isSessionId(id)) {
        info.headerError = id.isEmpty()
                               ? QStringLiteral("the header names no sessionId")
                               : QStringLiteral("the header's sessionId is not a valid session id");
        return;
    }
    info.headerOk = true;
    info.sessionId = id;
    info.projectHash = payload.value(QLatin1String("projectHash")).toString();
    for (const QJsonValue &dir : payload.value(QLatin1String("workspaceDirs")).toArray())
        info.workspaceDirs << dir.toString();
    info.cwd = payload.value(QLatin1String("cwd")).toString();
    info.provider = payload.value(QLatin1String("provider")).toString();
    info.model = payload.value(QLatin1String("model")).toString();
    info.startTime = payload.value(QLatin1String("startTime")).toString();
}

QString firstHumanText(const QJsonObject &payload)
{
    const QJsonObject content = payload.value(QLatin1String("content")).toObject();
    if (content.value(QLatin1String("speaker")).toString() != QLatin1String("human"))
        return {};
    for (const QJsonValue &block : content.value(QLatin1String("blocks")).toArray()) {
        const QJsonObject b = block.toObject();
        if (b.value(QLatin1String("type")).toString() == QLatin1String("text")) {
            const QString text = b.value(QLatin1String("text")).toString().simplified();
            if (!text.isEmpty())
                return text.left(kTitleLength);
        }
    }
    return {};
}

// Only lines whose type is worth showing are parsed; content lines only until
// the first human text is found. Large recordings are mostly content.
void readEvent(RecordingInfo &info, const QByteArray &line)
{
    ++info.events;
    const bool isContent = line.contains("\"type\":\"content\"");
    if (isContent && !info.firstHumanText.isEmpty())
        return;
    if (!isContent && !line.contains("\"type\":\"session_") &&
        !line.contains("\"type\":\"provider_") && !line.contains("\"type\":\"checkpoint_"))
        return;

    const QJsonObject object = parseLine(line);
    const QString type = object.value(QLatin1String("type")).toString();
    const QJsonObject payload = object.value(QLatin1String("payload")).toObject();
    if (type == QLatin1String("content")) {
        info.firstHumanText = firstHumanText(payload);
    } else if (type == QLatin1String("session_metadata")) {
        const QJsonValue title = payload.value(QLatin1String("title"));
        if (title.isString())
            info.title = title.toString();
    } else if (type == QLatin1String("session_named")) {
        info.name = payload.value(QLatin1String("name")).toString();
    } else if (type == QLatin1String("provider_switch")) {
        info.provider = payload.value(QLatin1String("provider")).toString(info.provider);
        info.model = payload.value(QLatin1String("model")).toString(info.model);
    } else if (type == QLatin1String("checkpoint_created")) {
        info.checkpoints.append({payload.value(QLatin1String("checkpointId")).toString(),
                                 payload.value(QLatin1String("name")).toString()});
    } else if (type == QLatin1String("checkpoint_renamed")) {
        const QString id = payload.value(QLatin1String("checkpointId")).toString();
        for (Checkpoint &c : info.checkpoints) {
            if (c.id == id)
                c.name = payload.value(QLatin1String("name")).toString();
        }
    } else if (type == QLatin1String("checkpoint_deleted")) {
        const QString id = payload.value(QLatin1String("checkpointId")).toString();
        info.checkpoints.erase(std::remove_if(info.checkpoints.begin(), info.checkpoints.end(),
                                              [&](const Checkpoint &c) { return c.id == id; }),
                               info.checkpoints.end());
    } else if (type == QLatin1String("session_forked")) {
        info.forkParent = payload.value(QLatin1String("parentSessionId")).toString();
    }
}

ssize_t readSome(int fd, char *buffer, size_t size)
{
    for (;;) {
        const ssize_t n = ::read(fd, buffer, size);
        if (n < 0 && errno == EINTR)
            continue;
        return n;
    }
}

} // namespace

QString RecordingInfo::displayTitle() const
{
    if (!name.isEmpty())
        return name;
    if (!title.isEmpty())
        return title;
    return firstHumanText;
}

RecordingInfo RecordingReader::parse(const QByteArray &fileName, QByteArray pending, int fd)
{
    RecordingInfo info;
    info.fileName = fileName;
    info.nameKey = classifyEntryName(fileName).key;

    // pending holds bytes read but not yet split into lines.
    bool headerDone = false;
    bool skippingLongLine = false;
    std::vector<char> chunk(fd < 0 ? 0 : kChunk);
    bool eof = fd < 0;
    for (;;) {
        int newline;
        while ((newline = pending.indexOf('\n')) >= 0) {
            const QByteArray line = pending.left(newline);
            pending.remove(0, newline + 1);
            if (skippingLongLine) {
                skippingLongLine = false;
                continue;
            }
            if (!headerDone) {
                headerDone = true;
                readHeader(info, line);
                if (!info.headerOk)
                    return info;
            } else if (!line.isEmpty()) {
                readEvent(info, line);
            }
        }
        if (!headerDone && pending.size() > kHeaderBound) {
            info.headerError = QStringLiteral("no line break within the first 1 MiB");
            return info;
        }
        if (pending.size() > kEventLineBound) {
            pending.clear();
            skippingLongLine = true;
        }
        if (eof)
            break;
        const ssize_t n = readSome(fd, chunk.data(), chunk.size());
        if (n < 0) {
            if (!headerDone)
                info.headerError =
                    QStringLiteral("read failed: %1").arg(QString::fromLocal8Bit(strerror(errno)));
            break;
        }
        if (n == 0)
            eof = true;
        else
            pending.append(chunk.data(), int(n));
    }

    if (!headerDone) {
        // A header-only file without its trailing newline is complete.
        readHeader(info, pending);
    } else if (!pending.isEmpty()) {
        info.tornTail = true;
    }
    return info;
}

RecordingInfo RecordingReader::read(int dirfd, const QByteArray &fileName)
{
    const int fd = ::openat(dirfd, fileName.constData(),
                            O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    RecordingInfo info;
    info.fileName = fileName;
    info.nameKey = classifyEntryName(fileName).key;
    if (fd < 0) {
        info.vanished = errno == ENOENT;
        info.headerError = errno == ELOOP ? QStringLiteral("it is a symlink; not followed")
                                          : QStringLiteral("cannot be opened: %1")
                                                .arg(QString::fromLocal8Bit(strerror(errno)));
        return info;
    }
    struct stat st
    {
    };
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        info.headerError = QStringLiteral("not a regular file");
        return info;
    }
    const Key key{quint64(st.st_dev), quint64(st.st_ino)};
    const qint64 mtimeMs = qint64(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1'000'000;
    {
        QMutexLocker locker(&m_mutex);
        const auto it = m_cache.constFind(key);
        if (it != m_cache.constEnd() && it->sizeBytes == st.st_size && it->mtimeMs == mtimeMs &&
            it->fileName == fileName) {
            ::close(fd);
            return *it;
        }
    }

    info = parse(fileName, {}, fd);
    ::close(fd);
    info.dev = key.dev;
    info.ino = key.ino;
    info.sizeBytes = st.st_size;
    info.mtimeMs = mtimeMs;

    QMutexLocker locker(&m_mutex);
    m_cache.insert(key, info);
    ++m_parses;
    return info;
}

void RecordingReader::clear()
{
    QMutexLocker locker(&m_mutex);
    m_cache.clear();
}

int RecordingReader::parseCount() const
{
    QMutexLocker locker(&m_mutex);
    return m_parses;
}

int RecordingReader::cachedCount() const
{
    QMutexLocker locker(&m_mutex);
    return int(m_cache.size());
}

} // namespace lockscope
