// Performance benchmark: generates stores of realistic shape and measures the
// scanner against a raw baseline of the system calls any scanner must make.
//
//   lockscope_bench [--sizes 1000,10000,100000] [--dir DIR] [--repeat N] [--keep]
//
// Each size runs in a child process of its own so that its peak memory is its
// own. Results are printed as a Markdown table; see docs/performance.md.

#include "benchstore.h"
#include "storescanner.h"

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
using namespace lockscope::bench;

namespace {

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
    stopSleepers(live);
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
        QStringList args{QStringLiteral("--one"),    size,
                         QStringLiteral("--dir"),    dir + QLatin1Char('/') + size,
                         QStringLiteral("--repeat"), QString::number(repeat)};
        if (keep)
            args << QStringLiteral("--keep");
        child.start(QCoreApplication::applicationFilePath(), args);
        child.waitForFinished(-1);
    }
    return 0;
}
