// The Linux process probe against real processes: a live child, a reaped one,
// a thread id, this process, and a kernel thread.

#include "processprobe.h"
#include "testsupport.h"

#include <QFile>
#include <QTest>

#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace lockscope;
using namespace lockscope::test;

class tst_ProcessProbe final : public QObject
{
    Q_OBJECT

private slots:
    void liveChild();
    void reapedChildIsGone();
    void threadIdIsNotAProcess();
    void selfIsAlive();
    void nonPositiveAndHugePidsAreNeverSignalled_data();
    void nonPositiveAndHugePidsAreNeverSignalled();
    void kernelThread();
    void unreapedChildIsAZombie();
    void leaderThatExitedWhileThreadsRunIsAlive();
};

void tst_ProcessProbe::liveChild()
{
    const qint64 bootBefore = SystemClock::instance().bootNowMs();
    LiveChild child;
    const qint64 bootAfter = SystemClock::instance().bootNowMs();
    const HolderFacts h = SystemProcessProbe::instance().probe(child.pid());
    QCOMPARE(h.liveness, Liveness::Alive);
    QVERIFY(h.exists());
    QVERIFY(!h.isThread);
    QVERIFY(!h.kernelThread);
    QCOMPARE(h.tgid, child.pid());
    QVERIFY(h.startBootMs);
    // Start times have jiffy resolution (10 ms at 100 Hz).
    QVERIFY2(*h.startBootMs >= bootBefore - 20 && *h.startBootMs <= bootAfter + 20,
             qPrintable(QStringLiteral("%1 not in [%2, %3]")
                            .arg(*h.startBootMs)
                            .arg(bootBefore)
                            .arg(bootAfter)));
    QCOMPARE(h.uid.value_or(99999), uint(::geteuid()));
    QVERIFY(h.exe.endsWith(QLatin1String("lockscope_testholder")));
    QVERIFY(h.cmdline.contains(QLatin1String("wait")));
    QCOMPARE(h.name, QStringLiteral("lockscope_testh")); // comm is cut to 15 characters
}

void tst_ProcessProbe::reapedChildIsGone()
{
    const qint64 pid = deadPid();
    QVERIFY(pid > 0);
    const HolderFacts h = SystemProcessProbe::instance().probe(pid);
    QCOMPARE(h.liveness, Liveness::Gone);
    QCOMPARE(h.killErrno, ESRCH);
    QVERIFY(!h.startBootMs);
}

void tst_ProcessProbe::threadIdIsNotAProcess()
{
    LiveChild child({QStringLiteral("thread")});
    const qint64 tid = child.pid();
    QVERIFY(tid > 0);
    QVERIFY(tid != child.processPid());
    const HolderFacts h = SystemProcessProbe::instance().probe(tid);
    QVERIFY(h.exists());
    QVERIFY(h.isThread);
    QCOMPARE(h.tgid, child.processPid());
}

void tst_ProcessProbe::selfIsAlive()
{
    const SystemProcessProbe &probe = SystemProcessProbe::instance();
    QCOMPARE(probe.selfPid(), qint64(::getpid()));
    const HolderFacts h = probe.probe(probe.selfPid());
    QCOMPARE(h.liveness, Liveness::Alive);
    QVERIFY(h.startBootMs && *h.startBootMs <= SystemClock::instance().bootNowMs());
}

void tst_ProcessProbe::nonPositiveAndHugePidsAreNeverSignalled_data()
{
    QTest::addColumn<qint64>("pid");
    QTest::newRow("zero addresses the process group") << qint64(0);
    QTest::newRow("minus one addresses every process") << qint64(-1);
    QTest::newRow("a negative pid addresses a group") << qint64(-4242);
    QTest::newRow("larger than pid_t") << qint64(1) + INT_MAX;
}

void tst_ProcessProbe::nonPositiveAndHugePidsAreNeverSignalled()
{
    QFETCH(qint64, pid);
    const HolderFacts h = SystemProcessProbe::instance().probe(pid);
    QCOMPARE(h.liveness, Liveness::NotProbed);
    QCOMPARE(h.killErrno, 0);
}

void tst_ProcessProbe::kernelThread()
{
    // PID 2 is kthreadd on a normal Linux; in a PID namespace it may be anything.
    QFile comm(QStringLiteral("/proc/2/comm"));
    if (!comm.open(QIODevice::ReadOnly) || comm.readAll().trimmed() != "kthreadd")
        QSKIP("PID 2 is not kthreadd in this PID namespace");
    const HolderFacts h = SystemProcessProbe::instance().probe(2);
    QVERIFY(h.exists());
    QVERIFY(h.kernelThread);
}

void tst_ProcessProbe::unreapedChildIsAZombie()
{
    const pid_t pid = ::fork();
    if (pid == 0)
        ::_exit(0);
    QVERIFY(pid > 0);
    QTRY_VERIFY_WITH_TIMEOUT(SystemProcessProbe::instance().probe(pid).zombie, 10000);
    const HolderFacts h = SystemProcessProbe::instance().probe(pid);
    QCOMPARE(h.liveness, Liveness::Alive); // kill() still succeeds on a zombie
    QCOMPARE(h.threads, 1);
    int status = 0;
    QCOMPARE(::waitpid(pid, &status, 0), pid);
    QCOMPARE(SystemProcessProbe::instance().probe(pid).liveness, Liveness::Gone);
}

void tst_ProcessProbe::leaderThatExitedWhileThreadsRunIsAlive()
{
    LiveChild child({QStringLiteral("leader-exits")});
    QTRY_VERIFY_WITH_TIMEOUT(SystemProcessProbe::instance().probe(child.pid()).zombie, 10000);
    const HolderFacts h = SystemProcessProbe::instance().probe(child.pid());
    QVERIFY2(h.threads >= 2, qPrintable(QString::number(h.threads)));
}

QTEST_GUILESS_MAIN(tst_ProcessProbe)
#include "tst_processprobe.moc"
