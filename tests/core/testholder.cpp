// A small program that plays lock holders for the tests: a live process, a
// crashed one, a thread whose id is not a process, and llxprt-like processes
// that take, hold and release session locks with the on-disk protocol.
//
//   lockscope_testholder exit                  print the PID, exit at once
//   lockscope_testholder wait                  print the PID, live until stdin closes
//   lockscope_testholder thread                print a thread id, live until stdin closes
//   lockscope_testholder inotify-hog           take all of this user's inotify instances
//   lockscope_testholder watch DIR...          report StoreWatcher's view, again per stdin line
//   lockscope_testholder leader-exits          print the PID, end the main thread, live on
//                                              in another thread until stdin closes
//   lockscope_testholder acquire CHATS ID      take the lock, print the outcome, hold
//                                              until stdin closes, then release
//   lockscope_testholder crash CHATS ID        take the lock and exit without releasing
//   lockscope_testholder cycle CHATS ID... N   N rounds of acquire, hold briefly,
//                                              release or crash (every fifth round),
//                                              logging each owned interval to stdout
//   lockscope_testholder race CHATS ID         print "ready PID", wait for one line on
//                                              stdin (the start gun), then behave as
//                                              acquire: outcome, hold until EOF, release

#include "lockmanager.h"
#include "storewatcher.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QRandomGenerator>
#include <QThread>

#include <atomic>
#include <cstdio>
#include <pthread.h>
#include <sys/inotify.h>
#include <sys/syscall.h>
#include <thread>
#include <unistd.h>

using namespace lockscope;

namespace {

void waitForStdinClose()
{
    char buffer[64];
    while (::read(STDIN_FILENO, buffer, sizeof buffer) > 0) {
    }
}

void say(const QByteArray &line)
{
    const QByteArray out = line + '\n';
    ::write(STDOUT_FILENO, out.constData(), size_t(out.size()));
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments().mid(1);
    const QString mode = args.value(0);

    if (mode == QLatin1String("exit")) {
        say(QByteArray::number(::getpid()));
        return 0;
    }
    if (mode == QLatin1String("wait")) {
        say(QByteArray::number(::getpid()));
        waitForStdinClose();
        return 0;
    }
    if (mode == QLatin1String("inotify-hog")) {
        // Takes every inotify instance this user may have, then waits.
        int taken = 0;
        while (::inotify_init1(IN_CLOEXEC) >= 0)
            ++taken;
        say("hogging " + QByteArray::number(taken) + ' ' + QByteArray::number(errno));
        waitForStdinClose();
        return 0;
    }
    if (mode == QLatin1String("watch")) {
        // Watches the folders given, prints what StoreWatcher says, and
        // tries again at each line read from stdin.
        StoreWatcher watcher;
        const QStringList dirs = args.mid(1);
        const auto report = [&] {
            watcher.watch(dirs);
            say(watcher.degraded()
                    ? "degraded " + watcher.degradedReason().toUtf8()
                    : "live " + QByteArray::number(watcher.watchedDirectories().size()));
        };
        report();
        char buffer[64];
        while (::read(STDIN_FILENO, buffer, sizeof buffer) > 0)
            report();
        return 0;
    }
    if (mode == QLatin1String("leader-exits")) {
        // The main thread ends while another runs on: /proc shows the leader as
        // a zombie although the process is alive.
        std::thread([] {
            waitForStdinClose();
            ::_exit(0);
        }).detach();
        say(QByteArray::number(::getpid()));
        pthread_exit(nullptr);
    }
    if (mode == QLatin1String("thread")) {
        std::atomic<long> tid{0};
        std::thread worker([&] {
            tid = ::syscall(SYS_gettid);
            waitForStdinClose();
        });
        while (tid == 0)
            std::this_thread::yield();
        say(QByteArray::number(qint64(tid)));
        worker.join();
        return 0;
    }
    if (mode == QLatin1String("acquire") || mode == QLatin1String("crash")) {
        LockManager manager;
        AcquireResult r = manager.acquire(args.value(1).toLocal8Bit(), args.value(2));
        say(acquireOutcomeName(r.outcome).toLatin1() + ' ' + QByteArray::number(::getpid()));
        if (!r.handle)
            return 1;
        if (mode == QLatin1String("crash"))
            ::_exit(0); // no release: the lock stays behind, as after a crash
        waitForStdinClose();
        say(releaseOutcomeName(r.handle->release()).toLatin1());
        return 0;
    }
    if (mode == QLatin1String("race")) {
        say("ready " + QByteArray::number(::getpid()));
        // The gun: one byte on stdin, so that every contender starts at the same moment
        // instead of in the order the test happened to spawn them.
        char gun = 0;
        if (::read(STDIN_FILENO, &gun, 1) != 1)
            return 2;
        LockManager manager;
        AcquireResult r = manager.acquire(args.value(1).toLocal8Bit(), args.value(2));
        say(acquireOutcomeName(r.outcome).toLatin1() + ' ' + QByteArray::number(::getpid()));
        if (!r.handle)
            return 1;
        waitForStdinClose();
        say(releaseOutcomeName(r.handle->release()).toLatin1());
        return 0;
    }
    if (mode == QLatin1String("cycle")) {
        const QByteArray chats = args.value(1).toLocal8Bit();
        const QStringList ids = args.mid(2, args.size() - 3);
        const int rounds = args.last().toInt();
        LockManager manager;
        for (int i = 0; i < rounds; ++i) {
            const QString id = ids.at(int(QRandomGenerator::global()->bounded(ids.size())));
            AcquireResult r = manager.acquire(chats, id);
            if (!r.handle) {
                say("busy " + id.toLatin1());
                continue;
            }
            say("own " + id.toLatin1() + ' ' + r.handle->ownerToken().toLatin1());
            QThread::usleep(QRandomGenerator::global()->bounded(200, 2000));
            if (!r.handle->ownsLock()) {
                say("LOST " + id.toLatin1()); // someone removed a lock we hold
                return 3;
            }
            if (i % 5 == 4) {
                say("crash " + id.toLatin1());
                ::_exit(0);
            }
            say("release " + id.toLatin1() + ' ' +
                releaseOutcomeName(r.handle->release()).toLatin1());
        }
        return 0;
    }
    std::fprintf(stderr, "unknown mode\n");
    return 2;
}
