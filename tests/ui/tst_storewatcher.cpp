#include "storewatcher.h"

#include <QDir>
#include <QFile>
#include <QFileSystemWatcher>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <cerrno>

using namespace lockscope;

class tst_StoreWatcher : public QObject
{
    Q_OBJECT

private slots:
    void reportsChangesInWatchedFolders();
    void missingFolderIsWatchedThroughItsParent();
    void exhaustedWatchesDegradeAndRecover();
    void removedFolderIsDroppedAndWatchedAgain();
};

void tst_StoreWatcher::reportsChangesInWatchedFolders()
{
    QTemporaryDir dir;
    StoreWatcher watcher;
    QSignalSpy changed(&watcher, &StoreWatcher::directoryChanged);
    QVERIFY(watcher.watch({dir.path()}));
    QVERIFY(!watcher.degraded());
    QFile file(dir.filePath(QStringLiteral("x.lock")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.close();
    QTRY_VERIFY_WITH_TIMEOUT(changed.count() >= 1, 1000);
    QCOMPARE(changed.first().first().toString(), dir.path());
}

void tst_StoreWatcher::missingFolderIsWatchedThroughItsParent()
{
    QTemporaryDir dir;
    const QString chats = dir.filePath(QStringLiteral("project/chats"));
    StoreWatcher watcher;
    // Neither the folder nor its parent exists: nothing far above is watched.
    QVERIFY(watcher.watch({chats}));
    QVERIFY(watcher.watchedDirectories().isEmpty());

    QVERIFY(QDir().mkpath(dir.filePath(QStringLiteral("project"))));
    QVERIFY(watcher.watch({chats}));
    QCOMPARE(watcher.watchedDirectories(), QStringList{dir.filePath(QStringLiteral("project"))});
    QSignalSpy changed(&watcher, &StoreWatcher::directoryChanged);
    QVERIFY(QDir().mkpath(chats));
    QTRY_VERIFY_WITH_TIMEOUT(changed.count() >= 1, 1000);
    QVERIFY(watcher.watch({chats}));
    QCOMPARE(watcher.watchedDirectories(), QStringList{chats});
}

void tst_StoreWatcher::exhaustedWatchesDegradeAndRecover()
{
    QTemporaryDir dir;
    QVERIFY(QDir().mkpath(dir.filePath(QStringLiteral("p1"))));
    QVERIFY(QDir().mkpath(dir.filePath(QStringLiteral("p2"))));
    StoreWatcher watcher;
    // inotify_add_watch fails with ENOSPC once max_user_watches is reached.
    int allowed = 1;
    watcher.setAddPathFunction([&allowed](QFileSystemWatcher &w, const QString &path) {
        if (allowed-- > 0)
            return w.addPath(path);
        errno = ENOSPC;
        return false;
    });
    const QStringList dirs = {dir.path(), dir.filePath(QStringLiteral("p1")),
                              dir.filePath(QStringLiteral("p2"))};
    QVERIFY(!watcher.watch(dirs));
    QVERIFY(watcher.degraded());
    QCOMPARE(watcher.failedCount(), 2);
    QVERIFY2(watcher.degradedReason().contains(QStringLiteral("fs.inotify.max_user_watches")),
             qPrintable(watcher.degradedReason()));
    QVERIFY(watcher.degradedReason().contains(QString::fromLocal8Bit(strerror(ENOSPC))));
    QCOMPARE(watcher.watchedDirectories().size(), 1);

    // Watches free up: the next call retries the missing ones.
    allowed = 100;
    QVERIFY(watcher.watch(dirs));
    QVERIFY(!watcher.degraded());
    QCOMPARE(watcher.watchedDirectories().size(), 3);
}

void tst_StoreWatcher::removedFolderIsDroppedAndWatchedAgain()
{
    QTemporaryDir dir;
    const QString chats = dir.filePath(QStringLiteral("chats"));
    QVERIFY(QDir().mkpath(chats));
    StoreWatcher watcher;
    QSignalSpy changed(&watcher, &StoreWatcher::directoryChanged);
    QVERIFY(watcher.watch({dir.path(), chats}));
    QVERIFY(QDir(chats).removeRecursively());
    QTRY_VERIFY_WITH_TIMEOUT(!watcher.watchedDirectories().contains(chats), 1000);
    QVERIFY(QDir().mkpath(chats));
    QVERIFY(watcher.watch({dir.path(), chats}));
    QVERIFY(watcher.watchedDirectories().contains(chats));
    changed.clear();
    QFile file(chats + QStringLiteral("/new.lock"));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.close();
    QTRY_VERIFY_WITH_TIMEOUT(changed.contains(QVariantList{chats}), 1000);
}

QTEST_MAIN(tst_StoreWatcher)
#include "tst_storewatcher.moc"
