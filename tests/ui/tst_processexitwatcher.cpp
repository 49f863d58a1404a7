#include "processexitwatcher.h"

#include <QElapsedTimer>
#include <QProcess>
#include <QSignalSpy>
#include <QtTest>

#include <csignal>

using namespace lockscope;

class tst_ProcessExitWatcher : public QObject
{
    Q_OBJECT

private slots:
    void noticesExit_data();
    void noticesExit();
    void forgetsPidsNoLongerWanted();
    void alreadyGonePidIsReported();
};

void tst_ProcessExitWatcher::noticesExit_data()
{
    QTest::addColumn<bool>("pidfd");
    QTest::newRow("pidfd") << true;
    QTest::newRow("polling fallback") << false;
}

void tst_ProcessExitWatcher::noticesExit()
{
    QFETCH(bool, pidfd);
    QProcess child;
    child.start(QStringLiteral("sleep"), {QStringLiteral("60")});
    QVERIFY(child.waitForStarted());
    const qint64 pid = child.processId();

    ProcessExitWatcher watcher;
    watcher.setPidfdEnabled(pidfd);
    QSignalSpy exited(&watcher, &ProcessExitWatcher::exited);
    watcher.setPids({pid});
    QCOMPARE(watcher.polledCount(), pidfd ? 0 : 1);
    QTest::qWait(200);
    QCOMPARE(exited.count(), 0); // alive: nothing to report

    QElapsedTimer timer;
    timer.start();
    ::kill(pid_t(pid), SIGKILL);
    // QProcess reaps the child; a zombie would count as alive for kill(0).
    QVERIFY(child.waitForFinished());
    QTRY_COMPARE_WITH_TIMEOUT(exited.count(), 1, 1000);
    qInfo("exit noticed after %lld ms (%s)", timer.elapsed(), pidfd ? "pidfd" : "polling");
    QCOMPARE(exited.first().first().toLongLong(), pid);
    QVERIFY(watcher.pids().isEmpty());
}

void tst_ProcessExitWatcher::forgetsPidsNoLongerWanted()
{
    QProcess a;
    QProcess b;
    a.start(QStringLiteral("sleep"), {QStringLiteral("60")});
    b.start(QStringLiteral("sleep"), {QStringLiteral("60")});
    QVERIFY(a.waitForStarted() && b.waitForStarted());
    ProcessExitWatcher watcher;
    QSignalSpy exited(&watcher, &ProcessExitWatcher::exited);
    watcher.setPids({a.processId(), b.processId()});
    watcher.setPids({b.processId()});
    QCOMPARE(watcher.pids(), QSet<qint64>{b.processId()});
    a.kill();
    a.waitForFinished();
    QTest::qWait(300);
    QCOMPARE(exited.count(), 0);
    b.kill();
    b.waitForFinished();
    QTRY_COMPARE_WITH_TIMEOUT(exited.count(), 1, 1000);
}

void tst_ProcessExitWatcher::alreadyGonePidIsReported()
{
    QProcess child;
    child.start(QStringLiteral("true"));
    QVERIFY(child.waitForStarted());
    const qint64 pid = child.processId();
    QVERIFY(child.waitForFinished());
    ProcessExitWatcher watcher;
    QSignalSpy exited(&watcher, &ProcessExitWatcher::exited);
    watcher.setPids({pid});
    QTRY_COMPARE_WITH_TIMEOUT(exited.count(), 1, 1000);
}

QTEST_MAIN(tst_ProcessExitWatcher)
#include "tst_processexitwatcher.moc"
