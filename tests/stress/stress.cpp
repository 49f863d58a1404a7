// Stress harness for the lock protocol. Worker processes take, hold, release
// and crash on a shared set of sessions with the same on-disk protocol as
// llxprt, while clean-ups run in a loop (in process and as `lockscope clean`).
// Afterwards it checks:
//   - no session ever had two owners at once (ownership intervals never overlap);
//   - no lock was removed while its holder lived (the audit log against the
//     workers' own records, and no worker ever lost a lock it held);
//   - once activity stops and a last clean-up ran, no lock, guard or temp is left.
//
//   lockscope_stress [--seconds N] [--workers N] [--sessions N]   the harness
//   lockscope_stress worker CHATS ROUNDS ID...                     one worker

#include "auditlog.h"
#include "lockmanager.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QHash>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QThread>
#include <QUuid>

#include <cstdio>
#include <ctime>
#include <memory>
#include <unistd.h>

using namespace lockscope;

namespace {

void say(const QByteArray &line)
{
    const QByteArray out = line + '\n';
    if (::write(STDOUT_FILENO, out.constData(), size_t(out.size())) < 0)
        ::_exit(4);
}

// Wall milliseconds (to compare with the audit log) and the system-wide
// monotonic clock in nanoseconds (to order ownership across processes).
QByteArray now()
{
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return QByteArray::number(QDateTime::currentMSecsSinceEpoch()) + ' ' +
           QByteArray::number(qint64(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec);
}

int runWorker(const QStringList &args)
{
    const QByteArray chats = args.value(0).toLocal8Bit();
    const int rounds = args.value(1).toInt();
    const QStringList ids = args.mid(2);
    LockManager manager;
    auto *random = QRandomGenerator::global();
    for (int i = 0; i < rounds; ++i) {
        const QString id = ids.at(int(random->bounded(ids.size())));
        AcquireResult r = manager.acquire(chats, id);
        if (!r.handle) {
            say("busy " + id.toLatin1());
            continue;
        }
        const QByteArray token = r.handle->ownerToken().toLatin1();
        say("own " + id.toLatin1() + ' ' + token + ' ' + now() + ' ' +
            acquireOutcomeName(r.outcome).toLatin1());
        QThread::usleep(random->bounded(200, 3000));
        if (!r.handle->ownsLock()) {
            say("LOST " + id.toLatin1() + ' ' + token + ' ' + now());
            return 3;
        }
        if (random->bounded(5) == 0) {
            say("crash " + id.toLatin1() + ' ' + token + ' ' + now());
            ::_exit(0); // no release: the lock stays behind
        }
        say("free " + id.toLatin1() + ' ' + token + ' ' + now());
        const ReleaseOutcome released = r.handle->release();
        if (released != ReleaseOutcome::Released) {
            say("BADRELEASE " + id.toLatin1() + ' ' + releaseOutcomeName(released).toLatin1());
            return 5;
        }
    }
    return 0;
}

struct Interval
{
    QString id;
    qint64 start = 0; // monotonic ns
    qint64 end = -1;  // monotonic ns; -1: still held when the worker's output ended
    qint64 endWallMs = -1;
    bool crashed = false;
    bool tookOver = false;
};

struct Totals
{
    int workers = 0;
    int cycles = 0;
    int busy = 0;
    int crashes = 0;
    int takeovers = 0;
    int cleanPasses = 0;
    int cliCleans = 0;
    int removals = 0;
    int takeoverRemovals = 0;
    QStringList violations;
};

void parseWorkerOutput(const QByteArray &output, int exitCode, QHash<QString, Interval> &byToken,
                       Totals &totals)
{
    for (const QByteArray &line : output.split('\n')) {
        const QList<QByteArray> f = line.split(' ');
        if (f.size() < 2)
            continue;
        if (f.at(0) == "busy") {
            ++totals.busy;
        } else if (f.at(0) == "own" && f.size() >= 6) {
            Interval interval;
            interval.id = QString::fromLatin1(f.at(1));
            interval.start = f.at(4).toLongLong();
            interval.tookOver = f.at(5) == "took-over";
            byToken.insert(QString::fromLatin1(f.at(2)), interval);
            ++totals.cycles;
            totals.takeovers += interval.tookOver ? 1 : 0;
        } else if ((f.at(0) == "free" || f.at(0) == "crash") && f.size() >= 5) {
            Interval &interval = byToken[QString::fromLatin1(f.at(2))];
            interval.endWallMs = f.at(3).toLongLong();
            interval.end = f.at(4).toLongLong();
            interval.crashed = f.at(0) == "crash";
            totals.crashes += interval.crashed ? 1 : 0;
        } else if (f.at(0) == "LOST" || f.at(0) == "BADRELEASE") {
            totals.violations << QStringLiteral("worker: %1").arg(QString::fromLatin1(line));
        }
    }
    if (exitCode != 0)
        totals.violations << QStringLiteral("a worker exited with code %1").arg(exitCode);
}

void checkIntervals(const QHash<QString, Interval> &byToken, Totals &totals)
{
    QHash<QString, QVector<Interval>> byId;
    for (const Interval &i : byToken)
        byId[i.id].append(i);
    for (auto it = byId.begin(); it != byId.end(); ++it) {
        QVector<Interval> &list = it.value();
        std::sort(list.begin(), list.end(),
                  [](const Interval &a, const Interval &b) { return a.start < b.start; });
        for (int k = 1; k < list.size(); ++k) {
            const Interval &prev = list.at(k - 1);
            // The owner logs "own" after its link() succeeded and "free" or
            // "crash" before giving the lock up, so intervals of one session
            // must be disjoint in monotonic time.
            if (prev.end < 0 || list.at(k).start <= prev.end)
                totals.violations << QStringLiteral("two owners of %1: [%2, %3] and from %4")
                                         .arg(it.key())
                                         .arg(prev.start)
                                         .arg(prev.end)
                                         .arg(list.at(k).start);
        }
    }
}

void checkAudit(const AuditLog &audit, const QHash<QString, Interval> &byToken, Totals &totals)
{
    for (const AuditRecord &r : audit.records()) {
        if (r.outcome != QLatin1String("removed") || !r.fileName.endsWith(".lock"))
            continue;
        if (r.reason.startsWith(QLatin1String("taken over")))
            ++totals.takeoverRemovals;
        else
            ++totals.removals;
        const QString token = parseLockPayload(r.bytes).ownerToken;
        const auto it = byToken.constFind(token);
        const qint64 removedAt =
            QDateTime::fromString(r.time, Qt::ISODateWithMs).toMSecsSinceEpoch();
        if (it == byToken.cend()) {
            totals.violations << QStringLiteral("removed a lock no worker owned: %1").arg(token);
        } else if (!it->crashed || it->end < 0 || removedAt < it->endWallMs) {
            totals.violations << QStringLiteral("removed %1 (token %2) while its holder lived")
                                     .arg(it->id, token);
        }
    }
}

int runHarness(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.addOption({QStringLiteral("seconds"), QStringLiteral("run time"), QStringLiteral("n"),
                      QStringLiteral("20")});
    parser.addOption({QStringLiteral("workers"), QStringLiteral("processes"), QStringLiteral("n"),
                      QStringLiteral("8")});
    parser.addOption({QStringLiteral("sessions"), QStringLiteral("session ids"),
                      QStringLiteral("n"), QStringLiteral("6")});
    parser.addOption({QStringLiteral("keep"), QStringLiteral("keep the store and audit log")});
    parser.addOption({QStringLiteral("log"), QStringLiteral("write every worker's output here"),
                      QStringLiteral("file")});
    parser.addOption({QStringLiteral("lockscope"),
                      QStringLiteral("lockscope binary for"
                                     " `lockscope clean`"),
                      QStringLiteral("path")});
    parser.process(arguments);
    const int seconds = parser.value(QStringLiteral("seconds")).toInt();
    const int workerCount = parser.value(QStringLiteral("workers")).toInt();
    const int sessionCount = parser.value(QStringLiteral("sessions")).toInt();
    const QString lockscope = parser.value(QStringLiteral("lockscope"));

    QTemporaryDir dir;
    dir.setAutoRemove(!parser.isSet(QStringLiteral("keep")));
    const QString chats = dir.path() + QStringLiteral("/chats");
    QDir().mkpath(chats);
    const QString auditPath = dir.path() + QStringLiteral("/audit.jsonl");
    qputenv("LOCKSCOPE_AUDIT_LOG", QFile::encodeName(auditPath));
    AuditLog audit(auditPath);

    QStringList ids;
    for (int i = 0; i < sessionCount; ++i)
        ids << QUuid::createUuid().toString(QUuid::WithoutBraces);

    Totals totals;
    QHash<QString, Interval> byToken;
    std::vector<std::unique_ptr<QProcess>> workers(static_cast<size_t>(workerCount));
    const auto startWorker = [&](std::unique_ptr<QProcess> &slot) {
        slot = std::make_unique<QProcess>();
        slot->setProcessChannelMode(QProcess::ForwardedErrorChannel);
        slot->start(QCoreApplication::applicationFilePath(),
                    QStringList{QStringLiteral("worker"), chats, QStringLiteral("25")} + ids);
        ++totals.workers;
    };
    QFile log(parser.value(QStringLiteral("log")));
    if (parser.isSet(QStringLiteral("log")))
        log.open(QIODevice::WriteOnly);
    const auto collect = [&](std::unique_ptr<QProcess> &slot) {
        slot->waitForFinished(-1);
        const QByteArray output = slot->readAllStandardOutput();
        const int code = slot->exitStatus() == QProcess::NormalExit ? slot->exitCode() : -1;
        if (log.isOpen())
            log.write("== pid " + QByteArray::number(slot->processId()) + " exit " +
                      QByteArray::number(code) + " error " + QByteArray::number(slot->error()) +
                      "\n" + output);
        parseWorkerOutput(output, code, byToken, totals);
        slot.reset();
    };

    LockManager cleaner(SystemProcessProbe::instance(), SystemClock::instance(), &audit);
    const QVector<ScanTarget> targets{{chats, QStringLiteral("stress")}};
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < seconds * 1000LL) {
        for (auto &slot : workers) {
            if (slot && slot->state() == QProcess::NotRunning)
                collect(slot);
            if (!slot)
                startWorker(slot);
        }
        cleaner.cleanupOrphanedLocks(targets);
        ++totals.cleanPasses;
        if (!lockscope.isEmpty() && totals.cleanPasses % 25 == 0) {
            QProcess cli;
            cli.start(lockscope, {QStringLiteral("clean"), QStringLiteral("--json"), chats});
            cli.waitForFinished(-1);
            ++totals.cliCleans;
            if (cli.exitCode() != 0)
                totals.violations << QStringLiteral("lockscope clean exited %1: %2")
                                         .arg(cli.exitCode())
                                         .arg(QString::fromUtf8(cli.readAllStandardOutput()));
        }
        QCoreApplication::processEvents();
    }
    for (auto &slot : workers) {
        if (slot)
            collect(slot);
    }

    // Activity has stopped: nothing may remain but crashed workers' locks,
    // which one last clean-up removes.
    const QStringList guardsOrTemps =
        QDir(chats).entryList({QStringLiteral("*.tguard"), QStringLiteral("*.locktmp")});
    if (!guardsOrTemps.isEmpty())
        totals.violations
            << QStringLiteral("left behind: %1").arg(guardsOrTemps.join(QLatin1Char(' ')));
    for (const RemovalResult &r : cleaner.cleanupOrphanedLocks(targets)) {
        if (r.outcome != RemovalOutcome::Removed)
            totals.violations << QStringLiteral("final clean-up: %1 %2")
                                     .arg(removalOutcomeName(r.outcome), r.message);
    }
    const QStringList left = QDir(chats).entryList(QDir::Files | QDir::Hidden | QDir::System);
    if (!left.isEmpty())
        totals.violations
            << QStringLiteral("after the final clean-up: %1").arg(left.join(QLatin1Char(' ')));

    checkIntervals(byToken, totals);
    checkAudit(audit, byToken, totals);

    if (parser.isSet(QStringLiteral("keep")))
        std::printf("kept: %s\n", qPrintable(dir.path()));
    std::printf("stress: %d s, %d workers at a time over %d sessions\n", seconds, workerCount,
                sessionCount);
    std::printf("  worker processes %d, cycles (locks owned) %d, busy attempts %d\n",
                totals.workers, totals.cycles, totals.busy);
    std::printf("  crashes %d, takeovers %d, clean-up passes %d (%d by lockscope clean)\n",
                totals.crashes, totals.takeovers, totals.cleanPasses, totals.cliCleans);
    std::printf("  crashed holders' locks removed: %d by clean-ups, %d by takeovers (audited)\n",
                totals.removals, totals.takeoverRemovals);
    std::printf("  violations (held locks removed, double owners, leftovers) %d\n",
                int(totals.violations.size()));
    for (const QString &v : qAsConst(totals.violations))
        std::printf("  VIOLATION: %s\n", qPrintable(v));
    const bool enough = totals.cycles > 0 && totals.crashes > 0 && totals.removals > 0;
    if (!enough)
        std::printf("  too little activity to prove anything\n");
    std::printf("%d passed, %d failed\n", totals.violations.isEmpty() && enough ? 1 : 0,
                totals.violations.isEmpty() && enough ? 0 : 1);
    return totals.violations.isEmpty() && enough ? 0 : 1;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.value(1) == QLatin1String("worker"))
        return runWorker(args.mid(2));
    return runHarness(args);
}
