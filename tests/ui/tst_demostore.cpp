#include "demostore.h"
#include "sessiontablemodel.h"
#include "storescanner.h"
#include "teststore.h"

#include <QDir>
#include <QtTest>

#include <csignal>

using namespace lockscope;

class tst_DemoStore : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void everyStateIsVisible();
    void removedWithItsHolderOnDestruction();

private:
    TestStore m_env;
};

void tst_DemoStore::initTestCase()
{
    m_env.isolateEnvironment();
}

static const LockEntry *lockNamed(const StoreSnapshot &snap, const QString &prefix)
{
    for (const LockEntry &l : snap.locks) {
        if (QString::fromUtf8(l.fileName).startsWith(prefix))
            return &l;
    }
    return nullptr;
}

void tst_DemoStore::everyStateIsVisible()
{
    DemoStore demo(QStringLiteral(LOCKSCOPE_BINARY));
    QString error;
    QVERIFY2(demo.create(&error), qPrintable(error));
    QVERIFY(demo.livePid() > 0);
    QVERIFY(demo.crashedPid() > 0);
    QCOMPARE(demo.targets().size(), 2);
    QVERIFY(demo.targets().at(1).legacy);

    StoreScanner scanner;
    const StoreSnapshot snap = scanner.scan(demo.targets());
    QVERIFY2(snap.problems.isEmpty(), qPrintable(snap.problems.value(0).message));
    QCOMPARE(snap.roots.size(), 2);
    QCOMPARE(snap.projects.size(), 3);

    struct Expect
    {
        const char *id;
        Verdict verdict;
        uint flags;
    };
    const Expect expected[] = {
        {DemoStore::kLiveId, Verdict::Held, NoFlags},
        {DemoStore::kCrashedId, Verdict::Stale, NoFlags},
        {DemoStore::kOrphanId, Verdict::Stale, Orphaned},
        {DemoStore::kCorruptId, Verdict::Busy, NoFlags},
        // A guard made a moment ago proves nothing by its payload (its ctime
        // cannot be set back): in transition for five minutes, then left over.
        {DemoStore::kGuardId, Verdict::InTransition, NoFlags},
        {DemoStore::kTempId, Verdict::Stale, NoFlags},
        {DemoStore::kTransitionId, Verdict::InTransition, NoFlags},
    };
    for (const Expect &e : expected) {
        const LockEntry *l = lockNamed(snap, QString::fromLatin1(e.id));
        QVERIFY2(l, e.id);
        QVERIFY2(l->judgement.verdict == e.verdict, qPrintable(l->judgement.reason));
        QVERIFY2((l->judgement.flags & e.flags) == e.flags, e.id);
    }
    QCOMPARE(*lockNamed(snap, QString::fromLatin1(DemoStore::kLiveId))->payload.pid,
             demo.livePid());
    QCOMPARE(*lockNamed(snap, QString::fromLatin1(DemoStore::kCrashedId))->payload.pid,
             demo.crashedPid());
    QCOMPARE(lockNamed(snap, QStringLiteral(".llxprt-janitor.lease"))->judgement.verdict,
             Verdict::Unverifiable);
    QCOMPARE(lockNamed(snap, QStringLiteral("notes.lock"))->judgement.verdict, Verdict::NotALock);
    QCOMPARE(lockNamed(snap, QString::fromLatin1(DemoStore::kGuardId))->kind, EntryKind::Guard);
    QCOMPARE(lockNamed(snap, QString::fromLatin1(DemoStore::kTempId))->kind, EntryKind::Temp);

    const LockEntry *legacy = nullptr;
    for (const LockEntry &l : snap.locks)
        legacy = l.kind == EntryKind::LegacyLock ? &l : legacy;
    QVERIFY(legacy);
    QCOMPARE(legacy->judgement.verdict, Verdict::Stale);
    QVERIFY(legacy->judgement.has(Legacy));

    // The rows the window shows: every state of the table appears.
    SessionTableModel model;
    model.setSnapshot(std::make_shared<StoreSnapshot>(snap));
    QSet<RowState> states;
    int leftovers = 0;
    for (int i = 0; i < model.rowCount(); ++i) {
        states.insert(model.rowAt(i)->state());
        leftovers += model.rowAt(i)->isLeftover() ? 1 : 0;
    }
    QCOMPARE(states, (QSet<RowState>{RowState::Held, RowState::Stale, RowState::Busy,
                                     RowState::Unverifiable, RowState::InTransition,
                                     RowState::NotALock, RowState::Idle}));
    QCOMPARE(leftovers, 2); // the temp and the other host's lease
}

void tst_DemoStore::removedWithItsHolderOnDestruction()
{
    QString path;
    qint64 holder = 0;
    {
        DemoStore demo(QStringLiteral(LOCKSCOPE_BINARY));
        QString error;
        QVERIFY2(demo.create(&error), qPrintable(error));
        path = demo.path();
        holder = demo.livePid();
        QVERIFY(QDir(path).exists());
        QCOMPARE(::kill(pid_t(holder), 0), 0);
    }
    QVERIFY(!QDir(path).exists());
    QVERIFY(::kill(pid_t(holder), 0) != 0);
}

QTEST_MAIN(tst_DemoStore)
#include "tst_demostore.moc"
