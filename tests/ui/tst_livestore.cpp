#include "livestore.h"
#include "lockpayload.h"
#include "processexitwatcher.h"
#include "sessiontablemodel.h"
#include "storewatcher.h"
#include "teststore.h"
#include "timestamp.h"

#include <QAbstractItemModelTester>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QFileSystemWatcher>
#include <QSignalSpy>
#include <QtTest>

#include <cerrno>
#include <sys/stat.h>

using namespace lockscope;

class tst_LiveStore : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void lockAppearingShowsARowWithinASecond();
    void killedHolderTurnsStaleWithinASecond_data();
    void killedHolderTurnsStaleWithinASecond();
    void removedAndRecreatedFolderComesBack();
    void exhaustedWatchesPollAndRecover();
    void burstOfChangesIsOneScan();
    void cleanupIsOneRefresh();
    void newProjectIsPickedUp();
    void lockRewrittenByRenameIsSeen();
    void burstOfThousandsOfFilesStaysCorrect();
    void changeInOneFolderRescansThatFolderOnly();
    void largeScanArrivesInSeveralUpdates();
    void periodicCheckRejudgesOnlyFoldersWithLocks();

private:
    int rowState(const QString &id) const;
    void startStore();

    std::unique_ptr<TestStore> m_store;
    std::unique_ptr<LiveStore> m_live;
    std::unique_ptr<SessionTableModel> m_model;
    std::unique_ptr<QAbstractItemModelTester> m_tester;
    QString m_chats;
    const QString m_ws = QStringLiteral("/home/test/live");
};

void tst_LiveStore::init()
{
    m_store = std::make_unique<TestStore>();
    m_store->isolateEnvironment();
    m_chats = m_store->chats(m_ws);
    m_live = std::make_unique<LiveStore>();
    m_model = std::make_unique<SessionTableModel>();
    m_tester = std::make_unique<QAbstractItemModelTester>(
        m_model.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    connect(m_live.get(), &LiveStore::updateReady, m_model.get(), &SessionTableModel::applyUpdate);
}

void tst_LiveStore::cleanup()
{
    m_tester.reset();
    m_live.reset();
    m_model.reset();
    m_store.reset();
}

void tst_LiveStore::startStore()
{
    QSignalSpy first(m_live.get(), &LiveStore::updated);
    m_live->setTargets(m_store->targets());
    QVERIFY(first.wait(5000));
}

int tst_LiveStore::rowState(const QString &id) const
{
    const int row = m_model->rowForKey(QStringLiteral("s:") + m_chats + QLatin1Char('\n') + id);
    return row < 0 ? -1 : int(m_model->rowAt(row)->state());
}

void tst_LiveStore::lockAppearingShowsARowWithinASecond()
{
    startStore();
    QCOMPARE(m_model->rowCount(), 0);
    const QString id = QStringLiteral("dddddddd-0000-4000-8000-000000000001");
    QElapsedTimer timer;
    timer.start();
    m_store->writeLock(m_chats, id, TestStore::deadPid(), 10'000);
    QTRY_VERIFY_WITH_TIMEOUT(rowState(id) == int(RowState::Stale), 1000);
    qInfo("row shown %lld ms after the lock was written", timer.elapsed());
}

void tst_LiveStore::killedHolderTurnsStaleWithinASecond_data()
{
    QTest::addColumn<bool>("pidfd");
    QTest::newRow("process-exit notification") << true;
    QTest::newRow("periodic liveness check") << false;
}

void tst_LiveStore::killedHolderTurnsStaleWithinASecond()
{
    QFETCH(bool, pidfd);
    m_live->exitWatcher()->setPidfdEnabled(pidfd);
    // No folder event and no fast poll may help: only the exit watcher can.
    m_live->setLivePollMs(60'000);
    const QString id = QStringLiteral("dddddddd-0000-4000-8000-000000000002");
    m_store->writeRecording(m_chats, id, m_ws, QStringLiteral("long-session"));
    auto holder = TestStore::startHolder(m_chats, id);
    QVERIFY(holder);
    startStore();
    QTRY_COMPARE_WITH_TIMEOUT(rowState(id), int(RowState::Held), 2000);
    QCOMPARE(m_live->exitWatcher()->pids(), QSet<qint64>{holder->processId()});
    QCOMPARE(m_live->exitWatcher()->polledCount(), pidfd ? 0 : 1);

    const QString lock = m_chats + QLatin1Char('/') + id + QStringLiteral(".lock");
    struct stat before = {};
    QCOMPARE(::stat(QFile::encodeName(lock).constData(), &before), 0);
    QFile file(lock);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray bytes = file.readAll();
    file.close();

    QElapsedTimer timer;
    timer.start();
    holder->kill(); // SIGKILL: no release, the lock file stays as it was
    QVERIFY(holder->waitForFinished());
    QTRY_VERIFY_WITH_TIMEOUT(rowState(id) == int(RowState::Stale), 1000);
    qInfo("stale %lld ms after the holder was killed (%s)", timer.elapsed(),
          pidfd ? "pidfd" : "polling");

    struct stat after = {};
    QCOMPARE(::stat(QFile::encodeName(lock).constData(), &after), 0);
    QCOMPARE(after.st_ino, before.st_ino);
    QCOMPARE(after.st_mtim.tv_sec, before.st_mtim.tv_sec);
    QCOMPARE(after.st_mtim.tv_nsec, before.st_mtim.tv_nsec);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll(), bytes);
}

void tst_LiveStore::removedAndRecreatedFolderComesBack()
{
    const QString first = QStringLiteral("dddddddd-0000-4000-8000-000000000003");
    m_store->writeLock(m_chats, first, TestStore::deadPid(), 10'000);
    startStore();
    QTRY_COMPARE_WITH_TIMEOUT(rowState(first), int(RowState::Stale), 1000);

    QVERIFY(QDir(m_chats).removeRecursively());
    QTRY_VERIFY_WITH_TIMEOUT(m_model->rowCount() == 0, 1000);

    QVERIFY(QDir().mkpath(m_chats));
    const QString second = QStringLiteral("dddddddd-0000-4000-8000-000000000004");
    m_store->writeLock(m_chats, second, TestStore::deadPid(), 10'000);
    QTRY_VERIFY_WITH_TIMEOUT(rowState(second) == int(RowState::Stale), 1000);
    QTRY_VERIFY_WITH_TIMEOUT(m_live->storeWatcher()->watchedDirectories().contains(m_chats), 1000);

    // And it is really watched again: a change inside it alone is seen.
    const QString third = QStringLiteral("dddddddd-0000-4000-8000-000000000005");
    m_store->writeLock(m_chats, third, TestStore::deadPid(), 10'000);
    QTRY_VERIFY_WITH_TIMEOUT(rowState(third) == int(RowState::Stale), 1000);
}

void tst_LiveStore::exhaustedWatchesPollAndRecover()
{
    bool exhausted = true;
    m_live->storeWatcher()->setAddPathFunction(
        [&exhausted](QFileSystemWatcher &w, const QString &path) {
            if (!exhausted)
                return w.addPath(path);
            errno = ENOSPC;
            return false;
        });
    m_live->setDegradedPollMs(300);
    startStore();
    QVERIFY(!m_live->isLive());
    QVERIFY(m_live->degradedReason().contains(QStringLiteral("fs.inotify.max_user_watches")));
    QVERIFY(m_live->storeWatcher()->watchedDirectories().isEmpty());

    // Nothing is watched, yet the polling finds the new lock.
    const QString id = QStringLiteral("dddddddd-0000-4000-8000-000000000006");
    m_store->writeLock(m_chats, id, TestStore::deadPid(), 10'000);
    QTRY_VERIFY_WITH_TIMEOUT(rowState(id) == int(RowState::Stale), 1000);

    exhausted = false;
    m_live->refreshNow();
    QTRY_VERIFY_WITH_TIMEOUT(m_live->isLive(), 2000);
    QVERIFY(m_live->storeWatcher()->watchedDirectories().contains(m_chats));
}

void tst_LiveStore::burstOfChangesIsOneScan()
{
    startStore();
    QSignalSpy scans(m_live.get(), &LiveStore::updated);
    const qint64 dead = TestStore::deadPid();
    for (int i = 0; i < 200; ++i)
        m_store->writeLock(
            m_chats, QStringLiteral("eeeeeeee-0000-4000-8000-%1").arg(i, 12, 10, QLatin1Char('0')),
            dead, 10'000);
    QTRY_COMPARE_WITH_TIMEOUT(m_model->rowCount(), 200, 3000);
    QTest::qWait(300);
    // A burst of 200 files (400 events) costs a handful of scans, not hundreds.
    QVERIFY2(scans.count() <= 5, qPrintable(QString::number(scans.count())));
}

void tst_LiveStore::cleanupIsOneRefresh()
{
    const qint64 dead = TestStore::deadPid();
    QVector<RemovalRequest> requests;
    for (int i = 0; i < 150; ++i) {
        const QString id =
            QStringLiteral("ffffffff-0000-4000-8000-%1").arg(i, 12, 10, QLatin1Char('0'));
        const QString path = m_store->writeLock(m_chats, id, dead, 3600 * 1000);
        RemovalRequest request = RemovalRequest::forPath(QFile::encodeName(path));
        request.expectRemovable = true;
        requests.append(request);
    }
    startStore();
    QCOMPARE(m_model->rowCount(), 150);
    QSignalSpy scans(m_live.get(), &LiveStore::updated);
    QSignalSpy finished(m_live.get(), &LiveStore::cleanupFinished);
    m_live->startCleanup(requests, m_store->base() + QStringLiteral("/audit.jsonl"));
    QVERIFY(finished.wait(10000));
    const auto results = finished.first().first().value<QVector<RemovalResult>>();
    QCOMPARE(results.size(), 150);
    for (const RemovalResult &r : results)
        QVERIFY2(r.outcome == RemovalOutcome::Removed, qPrintable(r.message));
    QCOMPARE(scans.count(), 0); // nothing rescanned while the removals ran
    QTRY_COMPARE_WITH_TIMEOUT(m_model->rowCount(), 0, 2000);
    QTest::qWait(400);
    QVERIFY2(scans.count() <= 2, qPrintable(QString::number(scans.count())));
}

void tst_LiveStore::newProjectIsPickedUp()
{
    startStore();
    // llxprt makes <hash>/ and then <hash>/chats/; the window sees the first step only.
    const QString project = m_store->tmpDir() + QLatin1Char('/') + QString(64, QLatin1Char('c'));
    QVERIFY(QDir().mkpath(project));
    QTest::qWait(250);
    QVERIFY(QDir().mkpath(project + QStringLiteral("/chats")));
    const QString id = QStringLiteral("dddddddd-0000-4000-8000-000000000099");
    m_store->writeLock(project + QStringLiteral("/chats"), id, TestStore::deadPid(), 10'000);
    const QString rowKey = QStringLiteral("s:") + project + QStringLiteral("/chats\n") + id;
    QTRY_VERIFY_WITH_TIMEOUT(m_model->rowForKey(rowKey) >= 0, 1500);
}

void tst_LiveStore::lockRewrittenByRenameIsSeen()
{
    // A stale lock replaced the way llxprt's takeover does it: a new inode
    // renamed over the old name, naming a live holder.
    const QString id = QStringLiteral("abababab-0000-4000-8000-000000000001");
    const QString lock = m_store->writeLock(m_chats, id, TestStore::deadPid(), 3600 * 1000);
    startStore();
    QTRY_COMPARE_WITH_TIMEOUT(rowState(id), int(RowState::Stale), 2000);

    const QString otherChats = m_store->chats(QStringLiteral("/home/test/other"));
    auto holder =
        TestStore::startHolder(otherChats, QStringLiteral("abababab-0000-4000-8000-000000000002"));
    QVERIFY(holder);
    const QString temp = lock + QStringLiteral(".replacement");
    QFile file(temp);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(makeLockPayload(holder->processId(),
                               formatTimestamp(QDateTime::currentMSecsSinceEpoch()), id,
                               QStringLiteral("0b9f3f1e-2f6a-4c1b-9d0e-6a7b8c9d0e1f")));
    file.close();
    QCOMPARE(::rename(QFile::encodeName(temp).constData(), QFile::encodeName(lock).constData()), 0);
    QTRY_COMPARE_WITH_TIMEOUT(rowState(id), int(RowState::Held), 2000);
    holder->terminate();
    holder->waitForFinished(5000);
}

void tst_LiveStore::burstOfThousandsOfFilesStaysCorrect()
{
    startStore();
    QSignalSpy scans(m_live.get(), &LiveStore::updated);
    const qint64 dead = TestStore::deadPid();
    for (int i = 0; i < 3000; ++i)
        m_store->writeLock(
            m_chats, QStringLiteral("acacacac-0000-4000-8000-%1").arg(i, 12, 10, QLatin1Char('0')),
            dead, 10'000);
    // Every one of the 3,000 locks ends up as a stale row; the 6,000 events
    // were coalesced into a few scans.
    QTRY_COMPARE_WITH_TIMEOUT(m_model->rowCount(), 3000, 10000);
    for (int row = 0; row < m_model->rowCount(); ++row)
        QCOMPARE(int(m_model->rowAt(row)->state()), int(RowState::Stale));
    QVERIFY2(scans.count() <= 20, qPrintable(QString::number(scans.count())));
}

void tst_LiveStore::changeInOneFolderRescansThatFolderOnly()
{
    const QString other = m_store->chats(QStringLiteral("/home/test/other"));
    for (int i = 0; i < 20; ++i) {
        // The first 12 characters of an id name its recording: they differ.
        m_store->writeRecording(
            m_chats,
            QStringLiteral("%1-1212-4000-8000-000000000000").arg(i, 8, 16, QLatin1Char('0')), m_ws,
            QStringLiteral("mine"));
        m_store->writeRecording(
            other, QStringLiteral("%1-3434-4000-8000-000000000000").arg(i, 8, 16, QLatin1Char('0')),
            QStringLiteral("/home/test/other"), QStringLiteral("theirs"));
    }
    startStore();
    QTRY_VERIFY_WITH_TIMEOUT(!m_live->deepening() && !m_live->scanning(), 5000);
    QCOMPARE(m_model->rowCount(), 40);

    QVector<StoreUpdate> updates;
    connect(m_live.get(), &LiveStore::updateReady, this,
            [&updates](const StoreUpdate &u) { updates.append(u); });
    const QString id = QStringLiteral("00000003-1212-4000-8000-000000000000");
    m_store->writeLock(m_chats, id, TestStore::deadPid(), 10'000);
    QTRY_COMPARE_WITH_TIMEOUT(rowState(id), int(RowState::Stale), 2000);
    QTest::qWait(200); // anything else that would come, comes now
    QVERIFY(!updates.isEmpty());
    for (const StoreUpdate &u : qAsConst(updates)) {
        QVERIFY(!u.fullScan);
        for (const FolderRows &f : u.folders)
            QCOMPARE(f.key, QStringLiteral("c:") + m_chats);
    }
    // The other folder's rows were not touched; the changed folder's were merged.
    QCOMPARE(m_model->rowCount(), 40);
    QCOMPARE(m_model->stateCount(RowState::Stale), 1);
    QCOMPARE(m_model->stateCount(RowState::Idle), 39);
}

void tst_LiveStore::largeScanArrivesInSeveralUpdates()
{
    // 60 projects of 100 recordings: more than one batch of rows, so the first
    // rows are merged while the rest is still being read.
    for (int p = 0; p < 60; ++p) {
        const QString ws = QStringLiteral("/home/test/p%1").arg(p);
        const QString chats = m_store->chats(ws);
        for (int i = 0; i < 100; ++i)
            m_store->writeRecording(chats,
                                    QStringLiteral("%1-5656-4000-8000-000000000000")
                                        .arg(p * 1000 + i, 8, 16, QLatin1Char('0')),
                                    ws, QStringLiteral("s"));
    }
    int updates = 0;
    int rowsAtFirst = -1;
    connect(m_live.get(), &LiveStore::updateReady, this, [&](const StoreUpdate &u) {
        ++updates;
        if (rowsAtFirst < 0 && !u.folders.isEmpty())
            rowsAtFirst = m_model->rowCount();
    });
    startStore();
    QCOMPARE(m_model->rowCount(), 6000);
    QVERIFY2(updates >= 2, qPrintable(QString::number(updates)));
    QVERIFY2(rowsAtFirst < 6000, qPrintable(QString::number(rowsAtFirst)));
    QCOMPARE(m_model->stateCount(RowState::Idle), 6000);
}

void tst_LiveStore::periodicCheckRejudgesOnlyFoldersWithLocks()
{
    // Neither pidfd nor the exit watcher's polling may help: only the periodic
    // check can notice that the holder is gone.
    m_live->exitWatcher()->setPidfdEnabled(false);
    m_live->exitWatcher()->setPollInterval(3600 * 1000);
    const QString quiet = m_store->chats(QStringLiteral("/home/test/quiet"));
    for (int i = 0; i < 5; ++i)
        m_store->writeRecording(
            quiet, QStringLiteral("%1-7878-4000-8000-000000000000").arg(i, 8, 16, QLatin1Char('0')),
            QStringLiteral("/home/test/quiet"));
    const QString id = QStringLiteral("dddddddd-0000-4000-8000-000000000077");
    m_store->writeRecording(m_chats, id, m_ws, QStringLiteral("checked"));
    auto holder = TestStore::startHolder(m_chats, id);
    QVERIFY(holder);
    startStore();
    QTRY_COMPARE_WITH_TIMEOUT(rowState(id), int(RowState::Held), 2000);
    QTRY_VERIFY_WITH_TIMEOUT(!m_live->deepening() && !m_live->scanning(), 5000);

    QVector<StoreUpdate> updates;
    connect(m_live.get(), &LiveStore::updateReady, this,
            [&updates](const StoreUpdate &u) { updates.append(u); });
    holder->kill();
    holder->waitForFinished(5000);
    m_live->setLivePollMs(300);
    QTRY_COMPARE_WITH_TIMEOUT(rowState(id), int(RowState::Stale), 5000);
    for (const StoreUpdate &u : qAsConst(updates)) {
        QVERIFY(!u.fullScan);
        for (const FolderRows &f : u.folders)
            QCOMPARE(f.key, QStringLiteral("c:") + m_chats); // never the quiet folder
    }
}

QTEST_MAIN(tst_LiveStore)
#include "tst_livestore.moc"
