// The window's benchmark: the real main window on a generated store, measured
// as a person would feel it.
//
//   lockscope_gui_bench [--recordings N] [--dir DIR] [--keep] [--changes N]
//                       [--exits N] [--idle SECONDS]
//
// It measures the time to the first rows and to a complete model, how long the
// GUI thread was ever kept from its events while the store was scanned, the
// latency from a lock file appearing, changing or vanishing to its row, from a
// holder's exit to its row turning stale, the CPU the idle window uses, and the
// process's peak memory. Results are printed as Markdown; see
// docs/performance.md.

#include "benchstore.h"
#include "livestore.h"
#include "lockpayload.h"
#include "mainwindow.h"
#include "processexitwatcher.h"
#include "sessiontablemodel.h"
#include "timestamp.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QRandomGenerator>
#include <QTableView>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>
#include <QUuid>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <functional>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

using namespace lockscope;
using namespace lockscope::bench;

namespace {

qint64 cpuMicroseconds()
{
    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    return qint64(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1'000'000 +
           usage.ru_utime.tv_usec + usage.ru_stime.tv_usec;
}

qint64 threadCpuUs()
{
    timespec ts{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return qint64(ts.tv_sec) * 1'000'000 + ts.tv_nsec / 1000;
}

// The GUI thread's longest single event (a queued update merged, a repaint, a
// timer): how long input would have waited behind it.
class TimedApplication : public QApplication
{
public:
    using QApplication::QApplication;

    bool notify(QObject *receiver, QEvent *event) override
    {
        if (m_depth > 0 || QThread::currentThread() != thread())
            return QApplication::notify(receiver, event);
        ++m_depth;
        QElapsedTimer timer;
        timer.start();
        const qint64 cpuBefore = threadCpuUs();
        const bool result = QApplication::notify(receiver, event);
        const qint64 us = timer.nsecsElapsed() / 1000;
        const qint64 cpuUs = threadCpuUs() - cpuBefore;
        --m_depth;
        if (m_measuring && us > m_longestUs) {
            m_longestUs = us;
            m_longestType = int(event->type());
        }
        if (m_measuring)
            m_longestCpuUs = qMax(m_longestCpuUs, cpuUs);
        if (m_measuring && us > 10'000 && qEnvironmentVariableIsSet("LOCKSCOPE_BENCH_SLOW"))
            std::fprintf(stderr, "slow event: %.1f ms (CPU %.1f ms), type %d, to %s %s\n",
                         double(us) / 1000.0, double(cpuUs) / 1000.0, int(event->type()),
                         receiver->metaObject()->className(), qPrintable(receiver->objectName()));
        return result;
    }
    void startMeasuring()
    {
        m_longestUs = 0;
        m_longestCpuUs = 0;
        m_longestType = 0;
        m_measuring = true;
    }
    void stopMeasuring() { m_measuring = false; }
    qint64 longestUs() const { return m_longestUs; }
    // The same, counting only the time the GUI thread ran: without what other
    // threads and processes took from it on a busy machine.
    qint64 longestCpuUs() const { return m_longestCpuUs; }
    int longestType() const { return m_longestType; }

private:
    int m_depth = 0;
    bool m_measuring = false;
    qint64 m_longestUs = 0;
    qint64 m_longestCpuUs = 0;
    int m_longestType = 0;
};

// The lateness of a 4 ms heartbeat timer: what a keypress would wait for,
// including the time the system gave other threads and processes.
class Heartbeat : public QObject
{
public:
    Heartbeat()
    {
        m_timer.setTimerType(Qt::PreciseTimer);
        m_timer.setInterval(kBeatMs);
        connect(&m_timer, &QTimer::timeout, this, [this] {
            if (m_beat.isValid())
                m_maxLateUs = qMax(m_maxLateUs, m_beat.nsecsElapsed() / 1000 - kBeatMs * 1000);
            m_beat.start();
        });
    }
    void start()
    {
        m_maxLateUs = 0;
        m_beat.invalidate();
        m_timer.start();
    }
    void stop() { m_timer.stop(); }
    qint64 maxLateUs() const { return m_maxLateUs; }

private:
    static constexpr int kBeatMs = 4;
    QElapsedTimer m_beat;
    QTimer m_timer;
    qint64 m_maxLateUs = 0;
};

// Runs the event loop until `done` holds (checked whenever the model changes)
// or the timeout passes; returns the microseconds waited, or -1.
qint64 waitFor(SessionTableModel *model, const std::function<bool()> &done,
               const QElapsedTimer &since, int timeoutMs = 10'000)
{
    if (done())
        return since.nsecsElapsed() / 1000;
    QEventLoop loop;
    qint64 at = -1;
    const auto check = [&] {
        if (at < 0 && done()) {
            at = since.nsecsElapsed() / 1000;
            loop.quit();
        }
    };
    const auto a = QObject::connect(model, &QAbstractItemModel::rowsInserted, &loop, check);
    const auto b = QObject::connect(model, &QAbstractItemModel::rowsRemoved, &loop, check);
    const auto c = QObject::connect(model, &QAbstractItemModel::dataChanged, &loop, check);
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    loop.exec();
    QObject::disconnect(a);
    QObject::disconnect(b);
    QObject::disconnect(c);
    return at;
}

void settle(int ms)
{
    QEventLoop loop;
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    loop.exec();
}

struct Percentiles
{
    double p50 = 0;
    double p99 = 0;
    double max = 0;
    int count = 0;
    int missed = 0;
};

Percentiles percentiles(QVector<qint64> us, int missed)
{
    Percentiles p;
    p.missed = missed;
    p.count = int(us.size());
    if (us.isEmpty())
        return p;
    std::sort(us.begin(), us.end());
    const auto at = [&](double q) {
        return double(us.at(qMin<int>(int(us.size()) - 1, int(q * double(us.size()))))) / 1000.0;
    };
    p.p50 = at(0.50);
    p.p99 = at(0.99);
    p.max = double(us.last()) / 1000.0;
    return p;
}

void writeBytes(const QByteArray &path, const QByteArray &bytes)
{
    // Written the way llxprt publishes a lock: a temporary file renamed over.
    const QByteArray temp = path + ".benchtmp";
    const int fd = ::open(temp.constData(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return;
    const ssize_t n = ::write(fd, bytes.constData(), size_t(bytes.size()));
    Q_UNUSED(n);
    ::close(fd);
    ::rename(temp.constData(), path.constData());
}

QString keyOf(const QByteArray &chats, const QString &id)
{
    return QStringLiteral("s:") + QFile::decodeName(chats) + QLatin1Char('\n') + id;
}

int stateOf(SessionTableModel *model, const QString &key)
{
    const int row = model->rowForKey(key);
    return row < 0 ? -1 : int(model->rowAt(row)->state());
}

} // namespace

int main(int argc, char *argv[])
{
    TimedApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOption({QStringLiteral("recordings"), QStringLiteral("recordings in the store"),
                      QStringLiteral("n"), QStringLiteral("100000")});
    parser.addOption({QStringLiteral("dir"), QStringLiteral("work folder"), QStringLiteral("dir"),
                      QDir::tempPath() + QStringLiteral("/lockscope-bench")});
    parser.addOption({QStringLiteral("keep"),
                      QStringLiteral("keep the store in --dir and use it again next time")});
    parser.addOption({QStringLiteral("changes"),
                      QStringLiteral("lock changes to time, of each kind"), QStringLiteral("n"),
                      QStringLiteral("200")});
    parser.addOption({QStringLiteral("exits"), QStringLiteral("holder exits to time"),
                      QStringLiteral("n"), QStringLiteral("20")});
    parser.addOption({QStringLiteral("idle"), QStringLiteral("seconds of idle CPU measurement"),
                      QStringLiteral("s"), QStringLiteral("60")});
    parser.process(app);
    const int recordings = parser.value(QStringLiteral("recordings")).toInt();
    const QString dir =
        parser.value(QStringLiteral("dir")) + QLatin1Char('/') + QString::number(recordings);
    const bool keep = parser.isSet(QStringLiteral("keep"));
    const int changes = parser.value(QStringLiteral("changes")).toInt();
    const int exits = parser.value(QStringLiteral("exits")).toInt();
    const int idleSeconds = parser.value(QStringLiteral("idle")).toInt();

    // The window's settings, audit log and state go to a folder of their own.
    QTemporaryDir home;
    qputenv("XDG_CONFIG_HOME", QFile::encodeName(home.path() + QStringLiteral("/config")));
    qputenv("XDG_STATE_HOME", QFile::encodeName(home.path() + QStringLiteral("/state")));
    qputenv("XDG_DATA_HOME", QFile::encodeName(home.path() + QStringLiteral("/data")));

    const QVector<pid_t> live = startSleepers(8);
    QElapsedTimer generation;
    generation.start();
    const Store store = generate(dir, recordings, live, keep);
    std::fprintf(stderr, "store of %d recordings ready in %lld ms\n", recordings,
                 generation.elapsed());

    // Opening: first rows, complete model, complete names, and the GUI thread's
    // longest stall meanwhile.
    Heartbeat heartbeat;
    heartbeat.start();
    app.startMeasuring();
    MainWindow::Options options;
    options.targets = {{store.root, QStringLiteral("benchmark")}};
    options.auditLogPath = home.path() + QStringLiteral("/audit.jsonl");
    QElapsedTimer open;
    open.start();
    MainWindow window(options);
    window.resize(1400, 900);
    window.show();
    SessionTableModel *model = window.model();
    LiveStore *live_store = window.liveStore();
    const qint64 firstRowsUs = waitFor(
        model, [&] { return model->rowCount() > 0; }, open, 60'000);
    qint64 completeUs = -1;
    {
        QEventLoop loop;
        const auto c = QObject::connect(live_store, &LiveStore::updated, &loop, [&] {
            if (live_store->hasScanned() && completeUs < 0) {
                completeUs = open.nsecsElapsed() / 1000;
                loop.quit();
            }
        });
        if (!live_store->hasScanned())
            loop.exec();
        QObject::disconnect(c);
    }
    const int rowsComplete = model->rowCount();
    const qint64 stallWhileScanningUs = app.longestUs();
    const qint64 cpuWhileScanningUs = app.longestCpuUs();
    const int stallWhileScanningType = app.longestType();
    const qint64 lateWhileScanningUs = heartbeat.maxLateUs();
    app.startMeasuring();
    heartbeat.start();
    QElapsedTimer deepWait;
    deepWait.start();
    while (live_store->deepening() && deepWait.elapsed() < 600'000)
        settle(50);
    const qint64 namesUs = open.nsecsElapsed() / 1000;
    const qint64 stallWhileReadingUs = app.longestUs();
    const qint64 cpuWhileReadingUs = app.longestCpuUs();
    const int stallWhileReadingType = app.longestType();
    const qint64 lateWhileReadingUs = heartbeat.maxLateUs();
    heartbeat.stop();
    app.stopMeasuring();
    settle(500);

    // Lock changes: a lock appears on an idle session, is rewritten to name
    // another dead process, and vanishes; each timed from the write to the row.
    int fullScans = 0;
    int foldersRescanned = 0;
    QObject::connect(live_store, &LiveStore::updateReady, [&](const StoreUpdate &u) {
        fullScans += u.fullScan && u.last ? 1 : 0;
        foldersRescanned += u.fullScan ? 0 : int(u.folders.size());
    });
    QVector<qint64> appear, change, vanish;
    int missed = 0;
    QRandomGenerator random(7);
    // Dead processes made beforehand: a fork between two changes would make the
    // window's next writes to its memory fault (copy-on-write), which lockscope
    // itself never causes.
    // A session with no lock and no transition guard of the generator's (a
    // guard keeps its lock "in transition" for five minutes); empty when the
    // random pick hit one.
    struct IdleSession
    {
        QString id;
        QByteArray path; // of its lock file
        QString key;     // of its row
    };
    const auto pickIdleSession = [&]() -> IdleSession {
        const int index = int(random.bounded(recordings / 2)) * 2 + 1;
        const QString id = sessionIdAt(index);
        const QByteArray &chats = store.chats.at(index % store.chats.size());
        const QByteArray path = chats + '/' + id.toLatin1() + ".lock";
        if (QFile::exists(QFile::decodeName(path)) ||
            QFile::exists(QFile::decodeName(path + ".tguard")))
            return {};
        return {id, path, keyOf(chats, id)};
    };
    QVector<qint64> deadPids;
    for (int n = 0; n < 2 * changes; ++n)
        deadPids << deadPid();
    app.startMeasuring();
    for (int n = 0; n < changes; ++n) {
        const IdleSession session = pickIdleSession();
        if (session.id.isEmpty())
            continue;
        const QString &id = session.id;
        const QByteArray &path = session.path;
        const QString &key = session.key;
        const qint64 dead = deadPids.at(2 * n);
        const QByteArray first =
            makeLockPayload(dead, formatTimestamp(QDateTime::currentMSecsSinceEpoch()), id,
                            QUuid::createUuid().toString(QUuid::WithoutBraces));
        // Each change counts as reflected when the row shows exactly the bytes
        // on disk (or no lock): not a verdict, which a reused PID could change.
        const auto shows = [&](const QByteArray &bytes) {
            const int row = model->rowForKey(key);
            const LockEntry *l = row < 0 ? nullptr : model->rowAt(row)->lock();
            return bytes.isNull() ? row >= 0 && !l : l && l->file.bytes == bytes;
        };
        const auto record = [&](qint64 us, QVector<qint64> &into, const char *what) {
            if (us >= 0) {
                into << us;
                return;
            }
            ++missed;
            std::fprintf(stderr, "not seen within 10 s: %s %s\n", what, path.constData());
        };
        QElapsedTimer t;
        t.start();
        writeBytes(path, first);
        record(waitFor(
                   model, [&] { return shows(first); }, t),
               appear, "new lock");

        const qint64 other = deadPids.at(2 * n + 1);
        const QByteArray second =
            makeLockPayload(other, formatTimestamp(QDateTime::currentMSecsSinceEpoch()), id,
                            QUuid::createUuid().toString(QUuid::WithoutBraces));
        t.restart();
        writeBytes(path, second);
        record(waitFor(
                   model, [&] { return shows(second); }, t),
               change, "rewritten lock");

        t.restart();
        ::unlink(path.constData());
        record(waitFor(
                   model, [&] { return shows(QByteArray()); }, t),
               vanish, "removed lock");
    }
    const qint64 stallWhileChangingUs = app.longestUs();
    const qint64 cpuWhileChangingUs = app.longestCpuUs();
    const int stallWhileChangingType = app.longestType();
    app.stopMeasuring();

    // Holder exits: a lock naming a live child, then the child killed.
    QVector<qint64> exitTimes;
    int exitMissed = 0;
    for (int n = 0; n < exits; ++n) {
        const IdleSession session = pickIdleSession();
        if (session.id.isEmpty())
            continue;
        const QString &id = session.id;
        const QByteArray &path = session.path;
        const QString &key = session.key;
        const pid_t child = ::fork();
        if (child == 0) {
            ::prctl(PR_SET_PDEATHSIG, SIGKILL);
            ::pause();
            ::_exit(0);
        }
        settle(20); // the lock must be younger than its holder
        writeBytes(path,
                   makeLockPayload(child, formatTimestamp(QDateTime::currentMSecsSinceEpoch()), id,
                                   QUuid::createUuid().toString(QUuid::WithoutBraces)));
        QElapsedTimer t;
        t.start();
        if (waitFor(
                model, [&] { return stateOf(model, key) == int(RowState::Held); }, t) < 0 ||
            !live_store->exitWatcher()->pids().contains(child)) {
            // Wait until the exit watcher follows the new holder.
            settle(200);
        }
        t.restart();
        ::kill(child, SIGKILL);
        const qint64 us = waitFor(
            model, [&] { return stateOf(model, key) == int(RowState::Stale); }, t);
        ::waitpid(child, nullptr, 0);
        if (us < 0) {
            ++exitMissed;
            std::fprintf(stderr, "holder exit not seen within 10 s: %s shows state %d\n",
                         path.constData(), stateOf(model, key));
        } else {
            exitTimes << us;
        }
        ::unlink(path.constData());
        waitFor(
            model, [&] { return stateOf(model, key) == int(RowState::Idle); }, t);
    }

    // Idle: the window open on the store, nothing changing.
    settle(2000);
    const qint64 cpuBefore = cpuMicroseconds();
    QElapsedTimer idle;
    idle.start();
    settle(idleSeconds * 1000);
    const double idlePercent =
        100.0 * double(cpuMicroseconds() - cpuBefore) / double(idle.nsecsElapsed() / 1000);

    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    stopSleepers(live);

    const Percentiles a = percentiles(appear, 0);
    const Percentiles c = percentiles(change, 0);
    const Percentiles v = percentiles(vanish, 0);
    const Percentiles e = percentiles(exitTimes, exitMissed);
    std::printf("| measure | %d recordings |\n|---|---|\n", recordings);
    std::printf("| rows in the complete model | %d |\n", rowsComplete);
    std::printf("| first rows | %.0f ms |\n", double(firstRowsUs) / 1000.0);
    std::printf("| complete model (every header) | %.0f ms |\n", double(completeUs) / 1000.0);
    std::printf("| every name and title read | %.1f s |\n", double(namesUs) / 1e6);
    std::printf("| longest GUI-thread event while scanning: CPU / wall | %.1f / %.1f ms (event "
                "type %d); heartbeat late by at most %.1f ms |\n",
                double(cpuWhileScanningUs) / 1000.0, double(stallWhileScanningUs) / 1000.0,
                stallWhileScanningType, double(lateWhileScanningUs) / 1000.0);
    std::printf("| longest GUI-thread event while names were read: CPU / wall | %.1f / %.1f ms "
                "(event type %d); heartbeat late by at most %.1f ms |\n",
                double(cpuWhileReadingUs) / 1000.0, double(stallWhileReadingUs) / 1000.0,
                stallWhileReadingType, double(lateWhileReadingUs) / 1000.0);
    std::printf("| lock appears → row (p50 / p99 / max, n) | %.1f / %.1f / %.1f ms, %d |\n", a.p50,
                a.p99, a.max, a.count);
    std::printf("| lock rewritten → row (p50 / p99 / max, n) | %.1f / %.1f / %.1f ms, %d |\n",
                c.p50, c.p99, c.max, c.count);
    std::printf("| lock removed → row (p50 / p99 / max, n) | %.1f / %.1f / %.1f ms, %d |\n", v.p50,
                v.p99, v.max, v.count);
    std::printf("| changes not seen within 10 s | %d |\n", missed);
    std::printf("| full scans during the changes | %d (folders rescanned: %d for %d changes) |\n",
                fullScans, foldersRescanned, a.count + c.count + v.count);
    std::printf("| longest GUI-thread event during the changes: CPU / wall | %.1f / %.1f ms (event "
                "type %d) |\n",
                double(cpuWhileChangingUs) / 1000.0, double(stallWhileChangingUs) / 1000.0,
                stallWhileChangingType);
    std::printf("| holder killed → row stale (p50 / p99 / max, n; missed) | %.1f / %.1f / %.1f ms, "
                "%d; %d |\n",
                e.p50, e.p99, e.max, e.count, e.missed);
    std::printf("| idle CPU over %d s | %.2f %% of one core |\n", idleSeconds, idlePercent);
    std::printf("| peak RSS | %ld MB |\n", usage.ru_maxrss / 1024);
    std::fflush(stdout);
    if (!keep)
        QDir(dir).removeRecursively();
    return 0;
}
