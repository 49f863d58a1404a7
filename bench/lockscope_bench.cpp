// Performance benchmark: generates stores of realistic shape and measures the
// scanner against a raw baseline of the system calls any scanner must make.
//
//   lockscope_bench [--sizes 1000,10000,100000] [--dir DIR] [--repeat N] [--keep]
//
// Each size runs in a child process of its own so that its peak memory is its
// own. Results are printed as a Markdown table; see docs/performance.md.

#include "lockpayload.h"
#include "storescanner.h"
#include "timestamp.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QProcess>
#include <QRandomGenerator>
#include <QUuid>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <dirent.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace lockscope;

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

struct Store
{
    QString root;
    qint64 bytes = 0;
    int recordings = 0;
    int locks = 0;
    int projects = 0;
};

// Children that play live holders; they are killed when the run ends.
QVector<pid_t> startSleepers(int count)
{
    QVector<pid_t> pids;
    for (int i = 0; i < count; ++i) {
        const pid_t pid = ::fork();
        if (pid == 0) {
            ::pause();
            ::_exit(0);
        }
        pids << pid;
    }
    return pids;
}

pid_t deadPid()
{
    const pid_t pid = ::fork();
    if (pid == 0)
        ::_exit(0);
    ::waitpid(pid, nullptr, 0);
    return pid;
}

// Ids and names are derived from the index, so that a kept store's recordings
// can be found again and only its locks written anew.
QString sessionIdAt(int index)
{
    static const QUuid space = QUuid::fromString(u"6f1d9a4e-0c1b-4c55-9a3e-3b7f2f6d2a10");
    return QUuid::createUuidV5(space, QString::number(index)).toString(QUuid::WithoutBraces);
}

// The recordings take minutes to write at 100,000; with `keep` they are
// written once and used again by the next run (the locks are always new, since
// they name this run's processes).
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

// The system calls any scanner must make: list every folder, stat every entry,
// read each recording's header line and each lock (bounded), probe each PID.
qint64 rawBaseline(const QString &root, int *entries)
{
    QElapsedTimer timer;
    timer.start();
    *entries = 0;
    char buffer[4096];
    const QByteArray tmp = QFile::encodeName(root);
    DIR *top = ::opendir(tmp.constData());
    if (!top)
        return -1;
    while (dirent *p = ::readdir(top)) {
        if (p->d_name[0] == '.')
            continue;
        const QByteArray chatsPath = tmp + '/' + p->d_name + "/chats";
        const int chatsFd = ::open(chatsPath.constData(), O_RDONLY | O_DIRECTORY);
        if (chatsFd < 0)
            continue;
        DIR *chats = ::fdopendir(::dup(chatsFd));
        while (dirent *e = ::readdir(chats)) {
            if (e->d_name[0] == '.')
                continue;
            ++*entries;
            struct stat st
            {
            };
            ::fstatat(chatsFd, e->d_name, &st, AT_SYMLINK_NOFOLLOW);
            const int fd = ::openat(chatsFd, e->d_name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
            if (fd < 0)
                continue;
            const ssize_t n = ::read(fd, buffer, sizeof buffer);
            ::close(fd);
            const size_t len = std::strlen(e->d_name);
            if (n > 7 && len > 5 && std::strcmp(e->d_name + len - 5, ".lock") == 0 &&
                std::strncmp(buffer, "{\"pid\":", 7) == 0) {
                const long pid = std::strtol(buffer + 7, nullptr, 10);
                if (pid > 0)
                    ::kill(pid_t(pid), 0);
            }
        }
        ::closedir(chats);
        ::close(chatsFd);
    }
    ::closedir(top);
    return timer.nsecsElapsed() / 1000;
}

qint64 median(QVector<qint64> values)
{
    std::sort(values.begin(), values.end());
    return values.isEmpty() ? 0 : values.at(values.size() / 2);
}

int runOne(const QString &dir, int recordings, int repeat, bool keep)
{
    const QVector<pid_t> live = startSleepers(8);
    QElapsedTimer genTimer;
    genTimer.start();
    const Store store = generate(dir, recordings, live, keep);
    const qint64 genMs = genTimer.elapsed();

    int entries = 0;
    rawBaseline(store.root, &entries); // warm the page cache
    QVector<qint64> baseline;
    QVector<qint64> first;
    QVector<qint64> second;
    int locks = 0;
    qint64 bytesFirst = 0;
    for (int r = 0; r < repeat; ++r) {
        baseline << rawBaseline(store.root, &entries);
        StoreScanner scanner;
        scanner.setRecordingDepth(RecordingDepth::Header);
        QElapsedTimer timer;
        timer.start();
        const StoreSnapshot snap = scanner.scan({{store.root, QStringLiteral("bench")}});
        first << timer.nsecsElapsed() / 1000;
        locks = int(snap.locks.size());
        bytesFirst = scanner.recordings().bytesRead();
        timer.restart();
        scanner.scan({{store.root, QStringLiteral("bench")}});
        second << timer.nsecsElapsed() / 1000;
    }

    // A full read of every event, as `lockscope list --json` does.
    qint64 fullUs = 0;
    if (!qEnvironmentVariableIsSet("LOCKSCOPE_BENCH_NO_FULL")) {
        StoreScanner full;
        QElapsedTimer timer;
        timer.start();
        full.scan({{store.root, QStringLiteral("bench")}});
        fullUs = timer.nsecsElapsed() / 1000;
    }

    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    for (pid_t pid : live) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
    }
    const qint64 b = median(baseline);
    const qint64 s1 = median(first);
    const qint64 s2 = median(second);
    std::printf("| %d | %d | %.2f GB | %d | %.1f | %.1f | %.2f | %.1f | %.0f | %.1f | %ld |\n",
                recordings, store.projects, double(store.bytes) / 1e9, locks, b / 1000.0,
                s1 / 1000.0, double(s1) / double(qMax<qint64>(b, 1)), s2 / 1000.0,
                double(bytesFirst) / 1e6, fullUs / 1000.0, usage.ru_maxrss / 1024);
    std::fprintf(stderr, "generated %d recordings (%d entries) in %lld ms\n", recordings, entries,
                 genMs);
    if (!keep)
        QDir(dir).removeRecursively();
    return 0;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOption({QStringLiteral("sizes"), QStringLiteral("recordings per store"),
                      QStringLiteral("list"), QStringLiteral("1000,10000,100000")});
    parser.addOption({QStringLiteral("dir"), QStringLiteral("work folder"), QStringLiteral("dir"),
                      QDir::tempPath() + QStringLiteral("/lockscope-bench")});
    parser.addOption({QStringLiteral("repeat"), QStringLiteral("runs per measurement"),
                      QStringLiteral("n"), QStringLiteral("5")});
    parser.addOption({QStringLiteral("keep"),
                      QStringLiteral("keep the stores in --dir and use them again next time")});
    parser.addOption(
        {QStringLiteral("one"), QStringLiteral("internal: one size"), QStringLiteral("n")});
    parser.process(app);
    const QString dir = parser.value(QStringLiteral("dir"));
    const int repeat = parser.value(QStringLiteral("repeat")).toInt();

    const bool keep = parser.isSet(QStringLiteral("keep"));
    if (parser.isSet(QStringLiteral("one")))
        return runOne(dir, parser.value(QStringLiteral("one")).toInt(), repeat, keep);

    std::printf("| recordings | projects | size | lock files | baseline ms | scan ms | ratio |"
                " rescan ms | MB read | full-events scan ms | peak RSS MB |\n");
    std::printf("|---|---|---|---|---|---|---|---|---|---|---|\n");
    std::fflush(stdout);
    for (const QString &size : parser.value(QStringLiteral("sizes")).split(QLatin1Char(','))) {
        QProcess child;
        child.setProcessChannelMode(QProcess::ForwardedChannels);
        QStringList args{QStringLiteral("--one"), size, QStringLiteral("--dir"),
                         dir + QLatin1Char('/') + size, QStringLiteral("--repeat"),
                         QString::number(repeat)};
        if (keep)
            args << QStringLiteral("--keep");
        child.start(QCoreApplication::applicationFilePath(), args);
        child.waitForFinished(-1);
    }
    return 0;
}
