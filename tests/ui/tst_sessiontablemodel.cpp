#include "sessiontablemodel.h"
#include "stateicon.h"
#include "teststore.h"

#include <QAbstractItemModelTester>
#include <QFile>
#include <QSignalSpy>
#include <QtTest>

using namespace lockscope;

class tst_SessionTableModel : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void rowsJoinRecordingAndLock();
    void mergeKeepsRowsAndNeverResets();
    void recordingAttachesToLockRow();
    void leftoverFilesAreRowsOfTheirOwn();
    void observesAppearReleaseAndExit();
    void lockAgeTicks();
    void futureTimestampShowsNegativeAge();

private:
    QString m_ws = QStringLiteral("/home/test/projects/webapp");
    QString idA = QStringLiteral("11111111-2222-4333-8444-555555555555");
    QString idB = QStringLiteral("22222222-3333-4444-8555-666666666666");
    QString idC = QStringLiteral("33333333-4444-4555-8666-777777777777");
};

void tst_SessionTableModel::initTestCase()
{
    qRegisterMetaType<lockscope::TimelineEvent>();
}

void tst_SessionTableModel::rowsJoinRecordingAndLock()
{
    TestStore store;
    const QString chats = store.chats(m_ws);
    store.writeRecording(chats, idA, m_ws, QStringLiteral("fix-login"));
    store.writeLock(chats, idA, TestStore::deadPid(), 60'000);
    store.writeRecording(chats, idB, m_ws);

    SessionTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setSnapshot(store.scan());

    QCOMPARE(model.rowCount(), 2);
    const int a = model.rowForKey(QStringLiteral("s:") + chats + QLatin1Char('\n') + idA);
    const int b = model.rowForKey(QStringLiteral("s:") + chats + QLatin1Char('\n') + idB);
    QVERIFY(a >= 0 && b >= 0 && a != b);

    const auto cell = [&](int row, int column, int role = Qt::DisplayRole) {
        return model.data(model.index(row, column), role);
    };
    QVERIFY(cell(a, SessionTableModel::StateColumn).toString().startsWith(QStringLiteral("Stale")));
    QVERIFY(!cell(a, SessionTableModel::StateColumn, Qt::DecorationRole).value<QIcon>().isNull());
    QCOMPARE(cell(a, SessionTableModel::SessionColumn).toString(), QStringLiteral("fix-login"));
    QCOMPARE(cell(a, SessionTableModel::ProjectColumn).toString(), QStringLiteral("webapp"));
    QVERIFY(cell(a, SessionTableModel::ProjectColumn, Qt::ToolTipRole).toString().contains(m_ws));
    QCOMPARE(cell(a, SessionTableModel::LivenessColumn).toString(), QStringLiteral("exited"));
    QVERIFY(cell(a, SessionTableModel::PidColumn, SessionTableModel::SortRole).toLongLong() > 0);
    QCOMPARE(cell(a, SessionTableModel::ProviderColumn).toString(),
             QStringLiteral("openai / gpt-5"));
    QVERIFY(cell(a, SessionTableModel::StateColumn, Qt::ToolTipRole)
                .toString()
                .contains(QStringLiteral("no longer exists")));
    QVERIFY(cell(a, 0, SessionTableModel::AttentionRole).toBool());

    QCOMPARE(cell(b, SessionTableModel::StateColumn).toString(), QStringLiteral("Idle"));
    QVERIFY(cell(b, 0, SessionTableModel::IdleRole).toBool());
    QVERIFY(!cell(b, 0, SessionTableModel::AttentionRole).toBool());
    QVERIFY(cell(b, SessionTableModel::PidColumn).toString().isEmpty());
}

void tst_SessionTableModel::mergeKeepsRowsAndNeverResets()
{
    TestStore store;
    const QString chats = store.chats(m_ws);
    const qint64 dead = TestStore::deadPid();
    store.writeRecording(chats, idA, m_ws);
    store.writeLock(chats, idA, dead, 60'000);
    store.writeRecording(chats, idB, m_ws);

    SessionTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    model.setSnapshot(store.scan());
    QCOMPARE(model.rowCount(), 2);

    const QString keyB = QStringLiteral("s:") + chats + QLatin1Char('\n') + idB;
    QPersistentModelIndex b(model.index(model.rowForKey(keyB), SessionTableModel::SessionColumn));

    // Nothing changed: no structural change, no dataChanged.
    inserted.clear();
    changed.clear();
    model.setSnapshot(store.scan());
    QCOMPARE(inserted.count(), 0);
    QCOMPARE(removed.count(), 0);
    QCOMPARE(changed.count(), 0);

    // A session appears and A's lock goes: one insert, A changes in place.
    store.writeRecording(chats, idC, m_ws);
    QVERIFY(QFile::remove(chats + QLatin1Char('/') + idA + QStringLiteral(".lock")));
    model.setSnapshot(store.scan());
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(removed.count(), 0);
    QVERIFY(changed.count() >= 1);
    QVERIFY(b.isValid());
    QCOMPARE(model.data(b, SessionTableModel::KeyRole).toString(), keyB);

    // A session's recording goes: exactly that row is removed.
    const QDir dir(chats);
    for (const QString &name :
         dir.entryList({QStringLiteral("session-*") + idC.left(12) + QStringLiteral(".jsonl")}))
        QVERIFY(QFile::remove(dir.filePath(name)));
    model.setSnapshot(store.scan());
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(removed.count(), 1);
    QVERIFY(b.isValid());
    QCOMPARE(model.data(b, SessionTableModel::KeyRole).toString(), keyB);
    QCOMPARE(resets.count(), 0);
}

void tst_SessionTableModel::recordingAttachesToLockRow()
{
    TestStore store;
    const QString chats = store.chats(m_ws);
    auto holder = TestStore::startHolder(chats, idA);
    QVERIFY(holder);

    SessionTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setSnapshot(store.scan());
    QCOMPARE(model.rowCount(), 1);
    QPersistentModelIndex row(model.index(0, SessionTableModel::StateColumn));
    QVERIFY(row.data().toString().startsWith(QStringLiteral("Held")));
    QCOMPARE(model.data(model.index(0, SessionTableModel::PidColumn)).toString(),
             QString::number(holder->processId()));
    QVERIFY(!model.data(model.index(0, SessionTableModel::HolderColumn)).toString().isEmpty());

    // The session writes its recording at its first message: same row, now with a name.
    store.writeRecording(chats, idA, m_ws, QStringLiteral("first-message"));
    model.setSnapshot(store.scan());
    QCOMPARE(model.rowCount(), 1);
    QVERIFY(row.isValid());
    QCOMPARE(model.data(model.index(row.row(), SessionTableModel::SessionColumn)).toString(),
             QStringLiteral("first-message"));
    holder->terminate();
    QVERIFY(holder->waitForFinished());
}

void tst_SessionTableModel::leftoverFilesAreRowsOfTheirOwn()
{
    TestStore store;
    const QString chats = store.chats(m_ws);
    const qint64 dead = TestStore::deadPid();
    store.writeRecording(chats, idA, m_ws);
    const QString lock = store.writeLock(chats, idA, dead, 3 * 3600 * 1000);
    QVERIFY(QFile::copy(lock, lock + QStringLiteral(".tguard")));
    // A publication temp left by a crash 20 minutes ago (rename keeps the mtime).
    const QString tempLock = store.writeLock(chats, idB, dead, 20 * 60 * 1000);
    const QString temp = tempLock + QStringLiteral(".0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e.locktmp");
    QVERIFY(QFile::rename(tempLock, temp));
    QFile notes(chats + QStringLiteral("/notes.lock"));
    QVERIFY(notes.open(QIODevice::WriteOnly));
    notes.write("not json");
    notes.close();

    SessionTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setSnapshot(store.scan());
    QCOMPARE(model.rowCount(), 4);
    const int guardRow = model.rowForKey(QStringLiteral("f:") + lock + QStringLiteral(".tguard"));
    const int tempRow = model.rowForKey(QStringLiteral("f:") + temp);
    const int other = model.rowForKey(QStringLiteral("f:") + chats + QStringLiteral("/notes.lock"));
    QVERIFY(guardRow >= 0 && tempRow >= 0 && other >= 0);

    const SessionRow *t = model.rowAt(tempRow);
    QVERIFY(!t->isSession());
    QCOMPARE(t->state(), RowState::Stale);
    QVERIFY(t->isLeftover());
    QVERIFY(model.data(model.index(tempRow, 0), SessionTableModel::AttentionRole).toBool());
    QVERIFY(model.data(model.index(tempRow, 0)).toString().contains(QStringLiteral("leftover")));
    QVERIFY(t->title().contains(QStringLiteral("publication temp")));

    // A guard made a moment ago belongs to a transition that may be running.
    const SessionRow *g = model.rowAt(guardRow);
    QVERIFY(!g->isSession());
    QCOMPARE(g->state(), RowState::InTransition);
    QVERIFY(!g->isLeftover());
    QCOMPARE(g->action(), Action::Keep);

    QCOMPARE(model.rowAt(other)->state(), RowState::NotALock);
    QCOMPARE(model.rowAt(other)->action(), Action::Never);
    QVERIFY(!model.data(model.index(other, 0), SessionTableModel::AttentionRole).toBool());
}

void tst_SessionTableModel::observesAppearReleaseAndExit()
{
    TestStore store;
    const QString chats = store.chats(m_ws);
    store.writeRecording(chats, idA, m_ws);

    SessionTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QList<TimelineEvent> events;
    connect(&model, &SessionTableModel::observed, this,
            [&](const TimelineEvent &e) { events << e; });
    model.setSnapshot(store.scan());
    QVERIFY(events.isEmpty());

    auto holder = TestStore::startHolder(chats, idA);
    QVERIFY(holder);
    model.setSnapshot(store.scan());
    QCOMPARE(events.size(), 1);
    QCOMPARE(events.last().kind, TimelineEvent::Appeared);
    QVERIFY(events.last().path.endsWith(idA + QStringLiteral(".lock")));

    holder->kill(); // SIGKILL: the lock stays, the holder is gone
    QVERIFY(holder->waitForFinished());
    model.setSnapshot(store.scan());
    QCOMPARE(events.size(), 2);
    QCOMPARE(events.last().kind, TimelineEvent::HolderExited);
    QCOMPARE(model.rowAt(0)->state(), RowState::Stale);

    QVERIFY(QFile::remove(chats + QLatin1Char('/') + idA + QStringLiteral(".lock")));
    model.setSnapshot(store.scan());
    QCOMPARE(events.size(), 3);
    QCOMPARE(events.last().kind, TimelineEvent::Released);
}

class StepClock final : public Clock
{
public:
    qint64 wallNowMs() const override { return wall; }
    qint64 bootNowMs() const override { return wall; }
    qint64 wall = 0;
};

void tst_SessionTableModel::lockAgeTicks()
{
    TestStore store;
    const QString chats = store.chats(m_ws);
    store.writeLock(chats, idA, TestStore::deadPid(), 2 * 60 * 1000);
    StepClock clock;
    SessionTableModel model(clock);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const SnapshotPtr snap = store.scan();
    clock.wall = snap->generatedAtMs;
    model.setSnapshot(snap);
    const QModelIndex age = model.index(0, SessionTableModel::LockAgeColumn);
    const qint64 before = age.data(SessionTableModel::SortRole).toLongLong();
    QVERIFY(before >= 119'000 && before <= 125'000);

    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    clock.wall += 3 * 60 * 1000;
    model.tick();
    QCOMPARE(changed.count(), 1);
    QCOMPARE(age.data(SessionTableModel::SortRole).toLongLong(), before + 3 * 60 * 1000);
    QVERIFY(age.data().toString() != QString());
}

void tst_SessionTableModel::futureTimestampShowsNegativeAge()
{
    // A live holder started before a lock whose timestamp is 3 h ahead: held,
    // with clock skew, and an age that reads as negative.
    QProcess holder;
    holder.start(QStringLiteral("sleep"), {QStringLiteral("60")});
    QVERIFY(holder.waitForStarted());
    QTest::qWait(50);
    TestStore store;
    const QString chats = store.chats(m_ws);
    store.writeLock(chats, idA, holder.processId(), -3 * 3600 * 1000);
    SessionTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setSnapshot(store.scan());
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(model.rowAt(0)->state(), RowState::Held);
    QVERIFY(model.rowAt(0)->lock()->judgement.has(ClockSkew));
    const QString age = model.index(0, SessionTableModel::LockAgeColumn).data().toString();
    QVERIFY2(age.startsWith(QChar(0x2212)), qPrintable(age));
    QVERIFY(model.index(0, SessionTableModel::LockAgeColumn, {})
                .data(SessionTableModel::SortRole)
                .toLongLong() < 0);
    QVERIFY(model.index(0, SessionTableModel::StateColumn)
                .data()
                .toString()
                .contains(QStringLiteral("clock-skew")));
    holder.kill();
    holder.waitForFinished();
}

QTEST_MAIN(tst_SessionTableModel)
#include "tst_sessiontablemodel.moc"
