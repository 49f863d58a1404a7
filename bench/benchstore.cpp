#include "benchstore.h"

#include "lockpayload.h"
#include "timestamp.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QUuid>

#include <csignal>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace lockscope::bench {

namespace {

constexpr qint64 kHourMs = 3600 * 1000;

QByteArray header(const QString &id, const QByteArray &hash)
{
    return "{\"v\":1,\"seq\":1,\"ts\":\"2026-12-04T10:00:00.000Z\",\"type\":\"session_start\","
           "\"payload\":{\"sessionId\":\"" +
           id.toLatin1() + "\",\"projectHash\":\"" + hash +
           "\",\"workspaceDirs\":[\"/home/user/project\"],\"provider\":\"openai\",\"model\":"
           "\"gpt-5\",\"startTime\":\"2026-12-04T10:00:00.000Z\"}}\n";
}

// About 64 KiB of ordinary event lines, written repeatedly to reach a size.
const QByteArray &eventBlock()
{
    static const QByteArray block = [] {
        QByteArray b;
        int seq = 2;
        while (b.size() < 64 * 1024) {
            b += "{\"v\":1,\"seq\":" + QByteArray::number(seq++) +
                 ",\"ts\":\"2026-12-04T10:00:01.000Z\",\"type\":\"content\",\"payload\":"
                 "{\"content\":{\"speaker\":\"ai\",\"blocks\":[{\"type\":\"text\",\"text\":\"" +
                 QByteArray(400, 'x') + "\"}]}}}\n";
        }
        return b;
    }();
    return block;
}

// 90 % small (8-32 KiB), 9 % medium (100-500 KiB), 1 % large (1-4 MiB).
qint64 recordingSize(QRandomGenerator &random)
{
    const int bucket = int(random.bounded(100));
    if (bucket < 90)
        return random.bounded(8, 32) * 1024;
    if (bucket < 99)
        return random.bounded(100, 500) * 1024;
    return random.bounded(1, 4) * 1024 * 1024;
}

void writeFile(const QByteArray &path, const QByteArray &head, qint64 size)
{
    const int fd = ::open(path.constData(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return;
    qint64 written = ::write(fd, head.constData(), size_t(head.size()));
    const QByteArray &block = eventBlock();
    while (written < size) {
        const qint64 n = qMin<qint64>(block.size(), size - written);
        written += ::write(fd, block.constData(), size_t(n));
    }
    ::close(fd);
}

} // namespace

QVector<pid_t> startSleepers(int count)
{
    QVector<pid_t> pids;
    for (int i = 0; i < count; ++i) {
        const pid_t pid = ::fork();
        if (pid == 0) {
            // Gone with the benchmark, even when it is killed.
            ::prctl(PR_SET_PDEATHSIG, SIGKILL);
            if (::getppid() == 1)
                ::_exit(0);
            ::pause();
            ::_exit(0);
        }
        pids << pid;
    }
    return pids;
}

void stopSleepers(const QVector<pid_t> &pids)
{
    for (pid_t pid : pids) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
    }
}

pid_t deadPid()
{
    const pid_t pid = ::fork();
    if (pid == 0)
        ::_exit(0);
    ::waitpid(pid, nullptr, 0);
    return pid;
}

QString sessionIdAt(int index)
{
    static const QUuid space = QUuid::fromString(u"6f1d9a4e-0c1b-4c55-9a3e-3b7f2f6d2a10");
    return QUuid::createUuidV5(space, QString::number(index)).toString(QUuid::WithoutBraces);
}

Store generate(const QString &root, int recordings, const QVector<pid_t> &live, bool keep)
{
    Store store;
    store.root = root + QStringLiteral("/tmp");
    store.recordings = recordings;
    store.projects = qMax(10, recordings / 100);
    QRandomGenerator random(42);
    const QString complete = root + QStringLiteral("/.recordings-complete");
    const bool reuse = keep && QFileInfo::exists(complete);
    QVector<QByteArray> chats;
    for (int p = 0; p < store.projects; ++p) {
        const QByteArray hash = QCryptographicHash::hash("/home/user/p" + QByteArray::number(p),
                                                         QCryptographicHash::Sha256)
                                    .toHex();
        const QByteArray dir = QFile::encodeName(store.root) + '/' + hash + "/chats";
        QDir().mkpath(QFile::decodeName(dir));
        chats << dir;
        store.chats << dir;
    }

    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const pid_t dead = deadPid();
    QStringList ids;
    for (int i = 0; i < recordings; ++i) {
        const QString id = sessionIdAt(i);
        ids << id;
        const QByteArray &dir = chats.at(i % chats.size());
        const QByteArray name = "session-2026-12-04T10-" + QByteArray::number(10 + i / 60 % 50) +
                                '-' + QByteArray::number(10 + i % 50) + '-' +
                                id.left(12).toLatin1() + ".jsonl";
        const qint64 size = recordingSize(random);
        if (!reuse)
            writeFile(dir + '/' + name, header(id, dir.mid(dir.size() - 70, 64)), size);
        store.bytes += size;
    }
    if (keep && !reuse)
        QFile(complete).open(QIODevice::WriteOnly);

    // A few hundred locks in every state, on sessions spread over the projects.
    const auto lockAt = [&](int index, const QByteArray &bytes) {
        const QByteArray &dir = chats.at(index % chats.size());
        writeFile(dir + '/' + ids.at(index).toLatin1() + ".lock", bytes, bytes.size());
        ++store.locks;
    };
    int index = 0;
    const auto next = [&] {
        return (index++ * 7919) % recordings;
    };
    const auto payload = [&](qint64 pid, qint64 at, int i) {
        return makeLockPayload(pid, formatTimestamp(at), ids.at(i),
                               QUuid::createUuid().toString(QUuid::WithoutBraces));
    };
    for (int n = 0; n < 300; ++n) { // holder exited
        const int i = next();
        lockAt(i, payload(dead, now - 30LL * 24 * kHourMs, i));
    }
    for (int n = 0; n < 100; ++n) { // held
        const int i = next();
        lockAt(i, payload(live.at(n % live.size()), now, i));
    }
    for (int n = 0; n < 100; ++n) { // pid reused: a live process younger than its lock
        const int i = next();
        lockAt(i, payload(live.at(n % live.size()), now - 72 * kHourMs, i));
    }
    for (int n = 0; n < 100; ++n) { // corrupt: busy (fresh) and aged (old mtime)
        const int i = next();
        lockAt(i, "{\"pid\":");
        if (n % 2 == 0) {
            const QByteArray path =
                chats.at(i % chats.size()) + '/' + ids.at(i).toLatin1() + ".lock";
            timespec times[2] = {{(now - 72 * kHourMs) / 1000, 0},
                                 {(now - 72 * kHourMs) / 1000, 0}};
            ::utimensat(AT_FDCWD, path.constData(), times, 0);
        }
    }
    for (int n = 0; n < 50; ++n) { // leftover guards and temps
        const int i = next();
        const QByteArray &dir = chats.at(i % chats.size());
        const QByteArray bytes = payload(dead, now - kHourMs, i);
        writeFile(dir + '/' + ids.at(i).toLatin1() + ".lock.tguard", bytes, bytes.size());
        writeFile(dir + '/' + ids.at(i).toLatin1() + ".lock." +
                      sessionIdAt(recordings + n).toLatin1() + ".locktmp",
                  bytes, bytes.size());
        store.locks += 2;
    }
    return store;
}

} // namespace lockscope::bench
