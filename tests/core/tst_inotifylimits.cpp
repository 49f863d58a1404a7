// FR-21: with the user's inotify instances really exhausted, a store of
// 70 projects is judged the same, watching says it is degraded and names the
// sysctl, and it recovers once instances are free again. The exhaustion is
// done as "nobody", so that nothing else on the machine is starved.

#include "storescanner.h"
#include "testsupport.h"

#include <QTemporaryDir>
#include <QTest>

#include <unistd.h>

using namespace lockscope;
using namespace lockscope::test;

class tst_InotifyLimits final : public QObject
{
    Q_OBJECT

private slots:
    void exhaustedInstancesDegradeAndRecover();
};

namespace {

QProcess *startAsNobody(const QStringList &args)
{
    auto *p = new QProcess;
    p->start(QStringLiteral("runuser"), QStringList{QStringLiteral("-u"), QStringLiteral("nobody"),
                                                    QStringLiteral("--"), holderProgram()} +
                                            args);
    return p;
}

QByteArray nextLine(QProcess *p)
{
    if (!p->canReadLine())
        p->waitForReadyRead(10000);
    return p->readLine().trimmed();
}

} // namespace

void tst_InotifyLimits::exhaustedInstancesDegradeAndRecover()
{
    if (::geteuid() != 0)
        QSKIP("needs root to exhaust another user's inotify instances");

    QTemporaryDir dir;
    QVERIFY(::chmod(QFile::encodeName(dir.path()).constData(), 0755) == 0);
    const qint64 dead = deadPid();
    QStringList chatsDirs;
    for (int i = 0; i < 70; ++i) {
        const QString hash = QString::number(i, 16).rightJustified(64, QLatin1Char('0'));
        const QString path = dir.path() + "/tmp/" + hash + "/chats";
        QVERIFY(QDir().mkpath(path));
        const QString id = newId();
        writeFile(path + '/' + id + ".lock",
                  lockBytes(dead, QDateTime::currentMSecsSinceEpoch(), id));
        chatsDirs << path;
    }
    StoreScanner scanner;
    const StoreSnapshot before = scanner.scan({{dir.path(), "test"}});
    QCOMPARE(before.locks.size(), 70);

    std::unique_ptr<QProcess> hog(startAsNobody({"inotify-hog"}));
    const QByteArray hogging = nextLine(hog.get());
    QVERIFY2(hogging.startsWith("hogging "), hogging.constData());
    QVERIFY2(hogging.split(' ').value(1).toInt() > 0, hogging.constData());

    std::unique_ptr<QProcess> watcher(startAsNobody(QStringList{"watch"} + chatsDirs));
    const QByteArray degraded = nextLine(watcher.get());
    QVERIFY2(degraded.startsWith("degraded "), degraded.constData());
    QVERIFY2(degraded.contains("fs.inotify.max_user_instances"), degraded.constData());

    // Verdicts do not depend on watching.
    const StoreSnapshot during = scanner.scan({{dir.path(), "test"}});
    QCOMPARE(during.locks.size(), 70);
    for (const LockEntry &l : during.locks)
        QCOMPARE(verdictName(l.judgement.verdict), QStringLiteral("stale"));

    hog->closeWriteChannel();
    QVERIFY(hog->waitForFinished(10000));
    watcher->write("again\n");
    const QByteArray recovered = nextLine(watcher.get());
    QVERIFY2(recovered.startsWith("live "), recovered.constData());
    QVERIFY2(recovered.split(' ').value(1).toInt() >= 70, recovered.constData());
    watcher->closeWriteChannel();
    QVERIFY(watcher->waitForFinished(10000));
}

QTEST_GUILESS_MAIN(tst_InotifyLimits)
#include "tst_inotifylimits.moc"
