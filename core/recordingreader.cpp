#include "recordingreader.h"

#include "entryname.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutexLocker>
#include <QSet>

#include <simdjson.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <optional>
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

// Thousands of recordings of one project repeat the same hash, folders,
// provider and model: keep one copy of each string (bounded, per thread).
QString shared(const QString &text)
{
    thread_local QSet<QString> pool;
    if (text.isEmpty())
        return text;
    const auto it = pool.constFind(text);
    if (it != pool.cend())
        return *it;
    if (pool.size() > 4096)
        pool.clear();
    pool.insert(text);
    return text;
}

QString toQString(std::string_view text)
{
    return QString::fromUtf8(text.data(), qsizetype(text.size()));
}

// A string value as QJsonValue::toString() gives it: anything else is empty.
QString stringOf(simdjson::dom::element value)
{
    std::string_view text;
    return value.get(text) == simdjson::SUCCESS ? toQString(text) : QString();
}

// The header's type and fields go into *type and *fields, as they are; they are
// judged and interned by readHeader().

// The fast path: simdjson validates the whole line and reads the few fields a
// header has, in order, so that a repeated key counts as JSON.parse counts it
// (the last one wins). False when simdjson refuses the line.
bool parseHeaderFast(const QByteArray &line, QString *type, RecordingInfo *fields)
{
    thread_local simdjson::dom::parser parser;
    simdjson::dom::object object;
    if (parser.parse(line.constData(), size_t(line.size()), true).get(object) != simdjson::SUCCESS)
        return false;
    simdjson::dom::object payload;
    bool havePayload = false;
    for (const auto field : object) {
        if (field.key == "type") {
            *type = stringOf(field.value);
        } else if (field.key == "payload") {
            havePayload = field.value.get(payload) == simdjson::SUCCESS;
        }
    }
    if (!havePayload)
        return true;
    for (const auto field : payload) {
        const std::string_view key = field.key;
        if (key == "sessionId") {
            fields->sessionId = stringOf(field.value);
        } else if (key == "projectHash") {
            fields->projectHash = stringOf(field.value);
        } else if (key == "workspaceDirs") {
            fields->workspaceDirs.clear();
            simdjson::dom::array dirs;
            if (field.value.get(dirs) == simdjson::SUCCESS) {
                for (const simdjson::dom::element dir : dirs)
                    fields->workspaceDirs << stringOf(dir);
            }
        } else if (key == "cwd") {
            fields->cwd = stringOf(field.value);
        } else if (key == "provider") {
            fields->provider = stringOf(field.value);
        } else if (key == "model") {
            fields->model = stringOf(field.value);
        } else if (key == "startTime") {
            fields->startTime = stringOf(field.value);
        }
    }
    return true;
}

// The slow path, for what simdjson refuses but Qt may accept (integers beyond
// 64 bits, for one), so that the answer never depends on the parser. False
// when the line is not one complete JSON object.
bool parseHeaderWithQt(const QByteArray &line, QString *type, RecordingInfo *fields)
{
    const QJsonDocument doc = QJsonDocument::fromJson(line);
    if (!doc.isObject())
        return false;
    const QJsonObject object = doc.object();
    *type = object.value(QLatin1String("type")).toString();
    const QJsonObject payload = object.value(QLatin1String("payload")).toObject();
    fields->sessionId = payload.value(QLatin1String("sessionId")).toString();
    fields->projectHash = payload.value(QLatin1String("projectHash")).toString();
    for (const QJsonValue &dir : payload.value(QLatin1String("workspaceDirs")).toArray())
        fields->workspaceDirs << dir.toString();
    fields->cwd = payload.value(QLatin1String("cwd")).toString();
    fields->provider = payload.value(QLatin1String("provider")).toString();
    fields->model = payload.value(QLatin1String("model")).toString();
    fields->startTime = payload.value(QLatin1String("startTime")).toString();
    return true;
}

void readHeader(RecordingInfo &info, QByteArray line)
{
    if (line.startsWith("\xEF\xBB\xBF"))
        line.remove(0, 3);
    QString type;
    RecordingInfo fields;
    if (!parseHeaderFast(line, &type, &fields) && !parseHeaderWithQt(line, &type, &fields)) {
        info.headerError = line.trimmed().isEmpty()
                               ? QStringLiteral("the file is empty")
                               : QStringLiteral("the first line is not a complete JSON object");
        return;
    }
    if (type != QLatin1String("session_start")) {
        info.headerError = QStringLiteral("the first line is not a session_start header");
        return;
    }
    if (!isSessionId(fields.sessionId)) {
        info.headerError = fields.sessionId.isEmpty()
                               ? QStringLiteral("the header names no sessionId")
                               : QStringLiteral("the header's sessionId is not a valid session id");
        return;
    }
    info.headerOk = true;
    info.sessionId = fields.sessionId;
    info.projectHash = shared(fields.projectHash);
    for (const QString &dir : qAsConst(fields.workspaceDirs))
        info.workspaceDirs << shared(dir);
    info.cwd = shared(fields.cwd);
    info.provider = shared(fields.provider);
    info.model = shared(fields.model);
    info.startTime = fields.startTime;
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
        info.provider = shared(payload.value(QLatin1String("provider")).toString(info.provider));
        info.model = shared(payload.value(QLatin1String("model")).toString(info.model));
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

namespace {

constexpr int kFirstRead = 4096;

// Reads lines from fd (after the bytes in pending, which start at file offset
// `offset`) into info. Header depth stops after the header line; events depth
// reads to the end. Returns the bytes read from fd.
qint64 consume(RecordingInfo &info, QByteArray pending, qint64 offset, int fd, RecordingDepth depth)
{
    bool headerDone = info.headerOk;
    bool skippingLongLine = false;
    qint64 readTotal = 0;
    char first[kFirstRead];
    std::unique_ptr<char[]> chunk; // not zero-filled: read() overwrites it
    bool eof = fd < 0;
    for (;;) {
        int newline;
        while ((newline = pending.indexOf('\n')) >= 0) {
            const QByteArray line = pending.left(newline);
            pending.remove(0, newline + 1);
            offset += newline + 1;
            if (skippingLongLine) {
                skippingLongLine = false;
            } else if (!headerDone) {
                headerDone = true;
                readHeader(info, line);
                info.headerHash = qHash(line);
                info.headerLength = int(newline + 1);
                if (!info.headerOk)
                    return readTotal;
            } else if (!line.isEmpty()) {
                readEvent(info, line);
            }
            info.parsedBytes = offset;
            if (depth == RecordingDepth::Header)
                return readTotal;
        }
        if (!headerDone && pending.size() > kHeaderBound) {
            info.headerError = QStringLiteral("no line break within the first 1 MiB");
            return readTotal;
        }
        if (pending.size() > kEventLineBound) {
            offset += pending.size();
            pending.clear();
            skippingLongLine = true;
        }
        if (eof)
            break;
        // A small first read finds the header of most files; a larger one
        // streams the events.
        const bool small = !headerDone && pending.isEmpty();
        if (!small && !chunk)
            chunk.reset(new char[kChunk]);
        char *buffer = small ? first : chunk.get();
        const ssize_t n = readSome(fd, buffer, small ? sizeof first : size_t(kChunk));
        if (n < 0) {
            if (!headerDone)
                info.headerError =
                    QStringLiteral("read failed: %1").arg(QString::fromLocal8Bit(strerror(errno)));
            break;
        }
        readTotal += n;
        if (n == 0)
            eof = true;
        else
            pending.append(buffer, int(n));
    }

    if (!headerDone) {
        // A header-only file without its trailing newline is complete.
        readHeader(info, pending);
        info.headerHash = qHash(pending);
    } else if (!pending.isEmpty()) {
        info.tornTail = true;
    }
    return readTotal;
}

} // namespace

RecordingInfo RecordingReader::parse(const QByteArray &fileName, QByteArray pending, int fd,
                                     RecordingDepth depth)
{
    RecordingInfo info;
    info.fileName = fileName;
    info.nameKey = classifyEntryName(fileName).key;
    consume(info, std::move(pending), 0, fd, depth);
    info.eventsRead = depth == RecordingDepth::Events && info.headerOk;
    return info;
}

RecordingPtr RecordingReader::read(int dirfd, const QByteArray &fileName, RecordingDepth depth,
                                   bool seenBefore)
{
    const bool wantEvents = depth == RecordingDepth::Events;
    // An unchanged recording is answered from the cache with one lstat; it is
    // opened only when it must be read.
    struct stat pre
    {
    };
    if (seenBefore && ::fstatat(dirfd, fileName.constData(), &pre, AT_SYMLINK_NOFOLLOW) == 0 &&
        S_ISREG(pre.st_mode)) {
        const Key key{quint64(pre.st_dev), quint64(pre.st_ino)};
        const qint64 mtimeMs = qint64(pre.st_mtim.tv_sec) * 1000 + pre.st_mtim.tv_nsec / 1'000'000;
        QMutexLocker locker(&m_mutex);
        const auto it = m_cache.constFind(key);
        if (it != m_cache.constEnd() && (*it)->fileName == fileName &&
            (*it)->sizeBytes == pre.st_size && (*it)->mtimeMs == mtimeMs &&
            (!wantEvents || (*it)->eventsRead || !(*it)->headerOk))
            return *it;
    }

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
        return std::make_shared<const RecordingInfo>(std::move(info));
    }
    struct stat st
    {
    };
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        info.headerError = QStringLiteral("not a regular file");
        return std::make_shared<const RecordingInfo>(std::move(info));
    }
    const Key key{quint64(st.st_dev), quint64(st.st_ino)};
    const qint64 mtimeMs = qint64(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1'000'000;

    RecordingPtr cached;
    {
        QMutexLocker locker(&m_mutex);
        const auto it = m_cache.constFind(key);
        if (it != m_cache.constEnd() && (*it)->fileName == fileName)
            cached = *it;
    }
    if (cached && cached->sizeBytes == st.st_size && cached->mtimeMs == mtimeMs &&
        (!wantEvents || cached->eventsRead || !cached->headerOk)) {
        ::close(fd);
        return cached;
    }

    qint64 readBytes = 0;
    // A recording only ever grows by appended lines. When the same file is
    // longer and still starts with the same header, read on from where the
    // last read stopped instead of from the start.
    const bool resume = cached && cached->headerOk && st.st_size >= cached->sizeBytes &&
                        cached->parsedBytes > 0 && (cached->eventsRead || !wantEvents);
    if (resume) {
        QByteArray head(cached->headerLength, Qt::Uninitialized);
        const ssize_t n = ::pread(fd, head.data(), size_t(head.size()), 0);
        const int headerEnd = n == head.size() && head.endsWith('\n') ? int(n) - 1 : -1;
        readBytes += qMax<ssize_t>(n, 0);
        if (headerEnd >= 0 && qHash(head.left(headerEnd)) == cached->headerHash &&
            ::lseek(fd, cached->parsedBytes, SEEK_SET) == cached->parsedBytes) {
            info = *cached;
            info.tornTail = false;
            // Known events are extended by the appended ones; a header-only
            // entry needs nothing more for a header-only request.
            if (cached->eventsRead)
                readBytes += consume(info, {}, cached->parsedBytes, fd, RecordingDepth::Events);
        } else {
            ::lseek(fd, 0, SEEK_SET);
            info = RecordingInfo();
            info.fileName = fileName;
            info.nameKey = classifyEntryName(fileName).key;
            readBytes += consume(info, {}, 0, fd, depth);
            info.eventsRead = wantEvents && info.headerOk;
        }
    } else {
        readBytes += consume(info, {}, 0, fd, depth);
        info.eventsRead = wantEvents && info.headerOk;
    }
    ::close(fd);
    info.dev = key.dev;
    info.ino = key.ino;
    info.sizeBytes = st.st_size;
    info.mtimeMs = mtimeMs;

    auto shared = std::make_shared<const RecordingInfo>(std::move(info));
    QMutexLocker locker(&m_mutex);
    m_cache.insert(key, shared);
    ++m_parses;
    m_bytesRead += readBytes;
    return shared;
}

qint64 RecordingReader::bytesRead() const
{
    QMutexLocker locker(&m_mutex);
    return m_bytesRead;
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
