#include "auditlog.h"
#include "cleanuppreviewdialog.h"
#include "confirmremovaldialog.h"
#include "detailspane.h"
#include "livestore.h"
#include "mainwindow.h"
#include "sessionfilterproxy.h"
#include "sessiontablemodel.h"
#include "storesnapshot.h"
#include "storewatcher.h"
#include "teststore.h"
#include "timelinemodel.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QDeadlineTimer>
#include <QDesktopServices>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QFileSystemWatcher>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTextBrowser>
#include <QToolButton>
#include <QTreeWidget>
#include <QtTest>

#include <cerrno>

using namespace lockscope;

class tst_MainWindow : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void symlinkedProjectIsReportedAsAProblem();
    void removeStaleLockThenUndo();
    void removeIsDisabledForHeldLocksAndSaysWhy();
    void forceRemoveNeedsTheAcknowledgement();
    void dialogIsCancelledWhenItsLockChanges();
    void cleanupPreviewsEveryPathThenRemoves();
    void copyDiagnosticsIsTheCommandLineJson();
    void detailsShowBothVerdictsAndEvidence();
    void sidebarLabelsProjectsByWorkspace();
    void keyboardRefreshAndFind();
    void filtersAndColumnsAreRemembered();
    void degradedUpdatesAreExplained();
    void blockedRowsCannotBeDeleted();
    void openContainingFolderOpensTheChatsFolder();
    void lockChangedAfterThePreviewIsReportedAsChanged();
    void diagnosticsMatchTheCommandLine();
    void aboutShowsVersionLicenceAndAuditLog();

public slots:
    void openUrl(const QUrl &url) { m_opened << url; }

private:
    std::unique_ptr<MainWindow> openWindow(int rows = 3);
    QString key(const QString &id) const;
    const SessionRow *row(MainWindow &w, const QString &id) const;

    std::unique_ptr<TestStore> m_store;
    QString m_chats;
    QString m_stale = QStringLiteral("f1000000-0000-4000-8000-000000000001");
    QString m_held = QStringLiteral("f2000000-0000-4000-8000-000000000002");
    QString m_busy = QStringLiteral("f3000000-0000-4000-8000-000000000003");
    std::unique_ptr<QProcess> m_holder;
    QList<QUrl> m_opened;
    const QString m_ws = QStringLiteral("/home/test/projects/webapp");
};

void tst_MainWindow::init()
{
    m_store = std::make_unique<TestStore>();
    m_store->isolateEnvironment();
    m_chats = m_store->chats(m_ws);
    m_store->writeRecording(m_chats, m_stale, m_ws, QStringLiteral("crashed-session"));
    m_store->writeLock(m_chats, m_stale, TestStore::deadPid(), 2 * 3600 * 1000);
    m_store->writeRecording(m_chats, m_held, m_ws, QStringLiteral("running-session"));
    m_holder = TestStore::startHolder(m_chats, m_held);
    QVERIFY(m_holder);
    QFile corrupt(m_chats + QLatin1Char('/') + m_busy + QStringLiteral(".lock"));
    QVERIFY(corrupt.open(QIODevice::WriteOnly));
    corrupt.write("{\"pid\":4242,\"timesta");
}

void tst_MainWindow::cleanup()
{
    if (m_holder) {
        m_holder->terminate();
        m_holder->waitForFinished();
    }
    m_holder.reset();
    m_store.reset();
}

QString tst_MainWindow::key(const QString &id) const
{
    return QStringLiteral("s:") + m_chats + QLatin1Char('\n') + id;
}

const SessionRow *tst_MainWindow::row(MainWindow &w, const QString &id) const
{
    return w.model()->rowAt(w.model()->rowForKey(key(id)));
}

std::unique_ptr<MainWindow> tst_MainWindow::openWindow(int rows)
{
    MainWindow::Options options;
    options.targets = m_store->targets();
    options.auditLogPath = m_store->base() + QStringLiteral("/audit.jsonl");
    auto window = std::make_unique<MainWindow>(options);
    window->show();
    window->activateWindow();
    if (!QTest::qWaitForWindowExposed(window.get()))
        return nullptr;
    QDeadlineTimer deadline(5000);
    while (window->model()->rowCount() != rows && !deadline.hasExpired())
        QTest::qWait(20);
    return window->model()->rowCount() == rows ? std::move(window) : nullptr;
}

void tst_MainWindow::symlinkedProjectIsReportedAsAProblem()
{
    auto w = openWindow();
    QVERIFY(w);
    auto *label = w->findChild<QLabel *>(QStringLiteral("problemsLabel"));
    QVERIFY(label);
    QVERIFY(!label->isVisibleTo(w.get()));
    // A project folder that is a symlink, made while the window watches.
    QTemporaryDir elsewhere;
    QVERIFY(QDir().mkpath(elsewhere.path() + QStringLiteral("/chats")));
    const QString link = m_store->tmpDir() + QLatin1Char('/') + QString(64, QLatin1Char('e'));
    QVERIFY(QFile::link(elsewhere.path(), link));
    QTRY_VERIFY_WITH_TIMEOUT(label->isVisibleTo(w.get()), 3000);
    QVERIFY2(label->toolTip().contains(link) &&
                 label->toolTip().contains(QStringLiteral("symlink")),
             qPrintable(label->toolTip()));
}

void tst_MainWindow::removeStaleLockThenUndo()
{
    auto w = openWindow();
    QVERIFY(w);
    QAbstractItemModelTester tester(w->proxy(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(row(*w, m_stale)->state(), RowState::Stale);
    QVERIFY(w->selectKey(key(m_stale)));
    QVERIFY(w->removeAction()->isEnabled());

    w->table()->setFocus();
    QTest::keyClick(w->table(), Qt::Key_Delete);
    ConfirmRemovalDialog *dialog = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((dialog = w->findChild<ConfirmRemovalDialog *>()) != nullptr, 1000);
    QVERIFY(!dialog->force());
    QCOMPARE(dialog->rows().size(), 1);
    QVERIFY(dialog->removeButton()->isEnabled());
    QTest::mouseClick(dialog->removeButton(), Qt::LeftButton);

    const QString lock = m_chats + QLatin1Char('/') + m_stale + QStringLiteral(".lock");
    QVERIFY(!QFile::exists(lock));
    QTRY_COMPARE_WITH_TIMEOUT(row(*w, m_stale)->state(), RowState::Idle, 2000);
    QVERIFY2(w->lastOutcome().contains(QStringLiteral("emoved")), qPrintable(w->lastOutcome()));
    // The row kept its selection through the refresh.
    QCOMPARE(w->selectedRows().size(), 1);
    QCOMPARE(w->selectedRows().first().key, key(m_stale));

    AuditLog audit(m_store->base() + QStringLiteral("/audit.jsonl"));
    const QVector<AuditRecord> records = audit.records();
    QCOMPARE(records.size(), 1);
    QCOMPARE(QString::fromUtf8(records.first().rawPath()), lock);
    bool logged = false;
    for (int i = 0; i < w->timeline()->rowCount(); ++i)
        logged |= w->timeline()->eventAt(i).kind == TimelineEvent::RemovedByYou;
    QVERIFY(logged);

    QVERIFY(w->undoAction()->isEnabled());
    w->undoAction()->trigger();
    // Restored on the worker thread, then rescanned.
    QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(lock), 2000);
    QTRY_COMPARE_WITH_TIMEOUT(row(*w, m_stale)->state(), RowState::Stale, 2000);
    QVERIFY(!w->undoAction()->isEnabled());
    const auto kinds = [&w] {
        QStringList names;
        for (int i = 0; i < w->timeline()->rowCount(); ++i)
            names << timelineKindName(w->timeline()->eventAt(i).kind);
        return names;
    };
    QTRY_COMPARE_WITH_TIMEOUT(
        kinds(), (QStringList{QStringLiteral("removed by you"), QStringLiteral("restored")}), 2000);
}

void tst_MainWindow::removeIsDisabledForHeldLocksAndSaysWhy()
{
    auto w = openWindow();
    QVERIFY(w);
    QCOMPARE(row(*w, m_held)->state(), RowState::Held);
    QVERIFY(w->selectKey(key(m_held)));
    QVERIFY(!w->removeAction()->isEnabled());
    QVERIFY(!w->forceAction()->isEnabled());
    QVERIFY2(w->removeAction()->toolTip().contains(QStringLiteral("held")),
             qPrintable(w->removeAction()->toolTip()));
    w->table()->setFocus();
    QTest::keyClick(w->table(), Qt::Key_Delete);
    QTest::qWait(100);
    QVERIFY(!w->findChild<ConfirmRemovalDialog *>());
    QVERIFY(QFile::exists(m_chats + QLatin1Char('/') + m_held + QStringLiteral(".lock")));
}

void tst_MainWindow::forceRemoveNeedsTheAcknowledgement()
{
    auto w = openWindow();
    QVERIFY(w);
    QCOMPARE(row(*w, m_busy)->state(), RowState::Busy);
    QVERIFY(w->selectKey(key(m_busy)));
    QVERIFY(!w->removeAction()->isEnabled());
    QVERIFY(w->forceAction()->isEnabled());
    w->forceAction()->trigger();
    ConfirmRemovalDialog *dialog = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((dialog = w->findChild<ConfirmRemovalDialog *>()) != nullptr, 1000);
    QVERIFY(dialog->force());
    QVERIFY(!dialog->removeButton()->isEnabled());
    QVERIFY(dialog->findChild<QTextBrowser *>()->toPlainText().contains(QStringLiteral("4242")));
    dialog->acknowledgement()->click();
    QVERIFY(dialog->removeButton()->isEnabled());
    QTest::mouseClick(dialog->removeButton(), Qt::LeftButton);
    QVERIFY(!QFile::exists(m_chats + QLatin1Char('/') + m_busy + QStringLiteral(".lock")));
    QTRY_VERIFY_WITH_TIMEOUT(w->model()->rowForKey(key(m_busy)) < 0, 2000);
}

void tst_MainWindow::dialogIsCancelledWhenItsLockChanges()
{
    auto w = openWindow();
    QVERIFY(w);
    QVERIFY(w->selectKey(key(m_stale)));
    w->removeAction()->trigger();
    QPointer<ConfirmRemovalDialog> dialog;
    QTRY_VERIFY_WITH_TIMEOUT((dialog = w->findChild<ConfirmRemovalDialog *>()) != nullptr, 1000);
    // Another process takes the session over while the person reads the dialog.
    const QString lock = m_store->writeLock(m_chats, m_stale, TestStore::deadPid(), 1000);
    QTRY_VERIFY_WITH_TIMEOUT(!dialog || !dialog->isVisible(), 2000);
    QVERIFY(QFile::exists(lock));
    QVERIFY2(w->lastOutcome().contains(QStringLiteral("Nothing was removed")),
             qPrintable(w->lastOutcome()));
    QVERIFY(AuditLog(m_store->base() + QStringLiteral("/audit.jsonl")).records().isEmpty());
}

void tst_MainWindow::cleanupPreviewsEveryPathThenRemoves()
{
    const QString more = QStringLiteral("f9000000-0000-4000-8000-000000000009");
    m_store->writeLock(m_chats, more, TestStore::deadPid(), 3600 * 1000);
    auto w = openWindow(4);
    QVERIFY(w);
    w->cleanupAction()->trigger();
    CleanupPreviewDialog *preview = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((preview = w->findChild<CleanupPreviewDialog *>()) != nullptr, 1000);
    QCOMPARE(preview->list()->topLevelItemCount(), 2);
    QStringList paths;
    for (int i = 0; i < preview->list()->topLevelItemCount(); ++i) {
        paths << preview->list()->topLevelItem(i)->text(0);
        QVERIFY(!preview->list()->topLevelItem(i)->text(1).isEmpty());
    }
    paths.sort();
    const QString staleLock = m_chats + QLatin1Char('/') + m_stale + QStringLiteral(".lock");
    const QString moreLock = m_chats + QLatin1Char('/') + more + QStringLiteral(".lock");
    QCOMPARE(paths, (QStringList{staleLock, moreLock}));
    QVERIFY(QFile::exists(staleLock)); // nothing deleted by the preview
    QTest::mouseClick(preview->removeButton(), Qt::LeftButton);

    QMessageBox *summary = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT(
        (summary = w->findChild<QMessageBox *>(QStringLiteral("cleanupSummary"))) != nullptr, 3000);
    QVERIFY2(summary->text().contains(QStringLiteral("2 removed")), qPrintable(summary->text()));
    QVERIFY(!QFile::exists(staleLock));
    QVERIFY(!QFile::exists(moreLock));
    QVERIFY(QFile::exists(m_chats + QLatin1Char('/') + m_held + QStringLiteral(".lock")));
    QVERIFY(QFile::exists(m_chats + QLatin1Char('/') + m_busy + QStringLiteral(".lock")));
    QTRY_VERIFY_WITH_TIMEOUT(w->model()->rowForKey(key(more)) < 0, 2000);
    summary->accept();
}

void tst_MainWindow::copyDiagnosticsIsTheCommandLineJson()
{
    auto w = openWindow();
    QVERIFY(w);
    QVERIFY(w->selectKey(key(m_stale)));
    const QJsonDocument doc = QJsonDocument::fromJson(w->diagnosticsJson().toUtf8());
    const QJsonArray selection = doc.object().value(QLatin1String("selection")).toArray();
    QCOMPARE(selection.size(), 1);
    const QJsonObject lock = selection.first().toObject().value(QLatin1String("lock")).toObject();
    QCOMPARE(lock.value(QLatin1String("verdict")).toString(), QStringLiteral("stale"));
    QCOMPARE(lock.value(QLatin1String("path")).toString(),
             m_chats + QLatin1Char('/') + m_stale + QStringLiteral(".lock"));
    const QJsonObject session =
        selection.first().toObject().value(QLatin1String("session")).toObject();
    QCOMPARE(session.value(QLatin1String("sessionId")).toString(), m_stale);
    QCOMPARE(session.value(QLatin1String("name")).toString(), QStringLiteral("crashed-session"));
}

void tst_MainWindow::detailsShowBothVerdictsAndEvidence()
{
    auto w = openWindow();
    QVERIFY(w);
    QVERIFY(w->selectKey(key(m_stale)));
    const QString text = w->details()->plainText();
    QVERIFY2(text.contains(QStringLiteral("no longer exists")), qPrintable(text));
    QVERIFY(text.contains(QStringLiteral("upstreamInUse")));
    QVERIFY(text.contains(QStringLiteral("upstreamJanitorRemoves")));
    QVERIFY(text.contains(QStringLiteral("\"ownerToken\"")));
    QVERIFY(text.contains(m_stale + QStringLiteral(".lock")));
    QVERIFY(text.contains(QStringLiteral("crashed-session")));
    QVERIFY(text.contains(QStringLiteral("killErrno")));
}

void tst_MainWindow::sidebarLabelsProjectsByWorkspace()
{
    auto w = openWindow();
    QVERIFY(w);
    QTreeWidget *tree = w->sidebar()->tree();
    QAbstractItemModelTester tester(tree->model(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    QList<QTreeWidgetItem *> items =
        tree->findItems(QStringLiteral("webapp"), Qt::MatchStartsWith | Qt::MatchRecursive);
    QCOMPARE(items.size(), 1);
    QVERIFY2(items.first()->text(0).contains(QStringLiteral("1 stale")),
             qPrintable(items.first()->text(0)));
    QVERIFY(items.first()->text(0).contains(QStringLiteral("1 held")));
    QVERIFY(items.first()->toolTip(0).contains(QFileInfo(QFileInfo(m_chats).path()).fileName()));

    // Choosing the project scopes the table to it; choosing another root empties it.
    tree->setCurrentItem(items.first());
    QCOMPARE(w->proxy()->rowCount(), 3);
    const QString other = m_store->base() + QStringLiteral("/other/tmp");
    QDir().mkpath(other + QStringLiteral("/") + QString(64, QLatin1Char('a')) +
                  QStringLiteral("/chats"));
    w->addFolder(other);
    QTRY_VERIFY_WITH_TIMEOUT(
        !tree->findItems(QStringLiteral("added by you"), Qt::MatchContains | Qt::MatchRecursive)
             .isEmpty(),
        2000);
    QCOMPARE(w->proxy()->rowCount(), 3);
}

void tst_MainWindow::keyboardRefreshAndFind()
{
    auto w = openWindow();
    QVERIFY(w);
    QApplication::setActiveWindow(w.get());
    QSignalSpy scans(w->liveStore(), &LiveStore::updated);
    w->table()->setFocus();
    QTest::keyClick(w->table(), Qt::Key_F5);
    QVERIFY(scans.wait(2000));
    QTest::keyClick(w->table(), Qt::Key_F, Qt::ControlModifier);
    auto *filter = w->findChild<QLineEdit *>(QStringLiteral("filterEdit"));
    QTRY_VERIFY_WITH_TIMEOUT(filter->hasFocus(), 1000);
    QTest::keyClicks(filter, QStringLiteral("running"));
    QCOMPARE(w->proxy()->rowCount(), 1);

    filter->clear();
    QVERIFY(w->selectKey(key(m_stale)));
    w->table()->setFocus();
    QGuiApplication::clipboard()->clear();
    QTest::keyClick(w->table(), Qt::Key_C, Qt::ControlModifier);
    QCOMPARE(QGuiApplication::clipboard()->text(),
             m_chats + QLatin1Char('/') + m_stale + QStringLiteral(".lock"));
}

void tst_MainWindow::filtersAndColumnsAreRemembered()
{
    {
        auto w = openWindow();
        QVERIFY(w);
        w->findChild<QLineEdit *>(QStringLiteral("filterEdit"))->setText(QStringLiteral("crashed"));
        w->findChild<QToolButton *>(QStringLiteral("quickAttention"))->click();
        w->table()->horizontalHeader()->moveSection(SessionTableModel::PidColumn, 0);
        w->close();
    }
    auto w = openWindow();
    QVERIFY(w);
    QCOMPARE(w->findChild<QLineEdit *>(QStringLiteral("filterEdit"))->text(),
             QStringLiteral("crashed"));
    QCOMPARE(w->proxy()->quickFilter(), SessionFilterProxy::NeedsAttention);
    QVERIFY(w->findChild<QToolButton *>(QStringLiteral("quickAttention"))->isChecked());
    QCOMPARE(w->table()->horizontalHeader()->visualIndex(SessionTableModel::PidColumn), 0);
    QCOMPARE(w->proxy()->rowCount(), 1);
}

void tst_MainWindow::degradedUpdatesAreExplained()
{
    MainWindow::Options options;
    options.targets = m_store->targets();
    options.auditLogPath = m_store->base() + QStringLiteral("/audit.jsonl");
    MainWindow w(options);
    bool exhausted = true;
    w.liveStore()->storeWatcher()->setAddPathFunction(
        [&exhausted](QFileSystemWatcher &watcher, const QString &path) {
            if (!exhausted)
                return watcher.addPath(path);
            errno = ENOSPC;
            return false;
        });
    w.liveStore()->setDegradedPollMs(300);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    w.liveStore()->refreshNow();
    QTRY_VERIFY_WITH_TIMEOUT(!w.liveStore()->isLive(), 2000);
    QTRY_VERIFY_WITH_TIMEOUT(
        w.liveStatusText().contains(QStringLiteral("fs.inotify.max_user_watches")), 1500);
    QVERIFY(w.degradedBannerText().contains(QStringLiteral("polled")));
    QVERIFY(w.degradedBannerText().contains(QStringLiteral("fs.inotify.max_user_watches")));

    // Polling still finds new locks; verdicts are the same as when live.
    const QString extra = QStringLiteral("f8000000-0000-4000-8000-000000000008");
    m_store->writeLock(m_chats, extra, TestStore::deadPid(), 60'000);
    QTRY_VERIFY_WITH_TIMEOUT(row(w, extra) && row(w, extra)->state() == RowState::Stale, 1500);
    QCOMPARE(row(w, m_held)->state(), RowState::Held);

    exhausted = false;
    w.refreshAction()->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(w.liveStatusText(), QStringLiteral("Live updates"), 2000);
    QVERIFY(w.degradedBannerText().isEmpty());
}

void tst_MainWindow::blockedRowsCannotBeDeleted()
{
    // Blocked needs a read-only mount or another user's sticky folder, which a
    // test cannot make as every user; the window's part is judged on a scan whose
    // verdict carries the flag exactly as the core sets it.
    MainWindow::Options options;
    options.auditLogPath = m_store->base() + QStringLiteral("/audit.jsonl");
    MainWindow w(options);
    QSignalSpy first(w.liveStore(), &LiveStore::updated);
    QVERIFY(first.wait(5000));

    auto snap = std::make_shared<StoreSnapshot>(*m_store->scan());
    int blocked = -1;
    for (int i = 0; i < snap->locks.size(); ++i) {
        if (snap->locks.at(i).sessionId == m_stale)
            blocked = i;
    }
    QVERIFY(blocked >= 0);
    Judgement &j = snap->locks[blocked].judgement;
    QCOMPARE(j.action, Action::Remove);
    j.flags |= Blocked;
    j.blockedReason = QStringLiteral("read-only filesystem");
    w.model()->setSnapshot(snap);
    QVERIFY(w.selectKey(key(m_stale)));
    QVERIFY(!w.removeAction()->isEnabled());
    QVERIFY(!w.forceAction()->isEnabled());
    QVERIFY2(w.removeAction()->toolTip().contains(QStringLiteral("read-only filesystem")),
             qPrintable(w.removeAction()->toolTip()));
    QVERIFY(w.details()->plainText().contains(QStringLiteral("read-only filesystem")));
    w.removeAction()->trigger();
    QVERIFY(!w.findChild<ConfirmRemovalDialog *>());

    // Clean-up leaves it out and says so.
    w.cleanupAction()->trigger();
    CleanupPreviewDialog *preview = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((preview = w.findChild<CleanupPreviewDialog *>()) != nullptr, 1000);
    QCOMPARE(preview->list()->topLevelItemCount(), 0);
    QVERIFY(!preview->removeButton()->isEnabled());
    preview->reject();
}

void tst_MainWindow::openContainingFolderOpensTheChatsFolder()
{
    auto w = openWindow();
    QVERIFY(w);
    QDesktopServices::setUrlHandler(QStringLiteral("file"), this, "openUrl");
    m_opened.clear();
    QVERIFY(w->selectKey(key(m_stale)));
    w->findChild<QAction *>(QStringLiteral("openFolderAction"))->trigger();
    QDesktopServices::unsetUrlHandler(QStringLiteral("file"));
    QCOMPARE(m_opened, QList<QUrl>{QUrl::fromLocalFile(m_chats)});
}

void tst_MainWindow::lockChangedAfterThePreviewIsReportedAsChanged()
{
    const QString more = QStringLiteral("f9000000-0000-4000-8000-000000000009");
    const QString moreLock = m_store->writeLock(m_chats, more, TestStore::deadPid(), 3600 * 1000);
    auto w = openWindow(4);
    QVERIFY(w);
    w->cleanupAction()->trigger();
    CleanupPreviewDialog *preview = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((preview = w->findChild<CleanupPreviewDialog *>()) != nullptr, 1000);
    QCOMPARE(preview->list()->topLevelItemCount(), 2);

    // Another dead holder's lock replaces it after the preview was shown: still
    // stale, but not the file the person agreed to remove.
    m_store->writeLock(m_chats, more, TestStore::deadPid(), 1800 * 1000);
    QTest::mouseClick(preview->removeButton(), Qt::LeftButton);
    QMessageBox *summary = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT(
        (summary = w->findChild<QMessageBox *>(QStringLiteral("cleanupSummary"))) != nullptr, 3000);
    QVERIFY2(summary->text().contains(QStringLiteral("1 changed")), qPrintable(summary->text()));
    QVERIFY2(summary->text().contains(QStringLiteral("1 removed")), qPrintable(summary->text()));
    QVERIFY(QFile::exists(moreLock));
    QVERIFY(!QFile::exists(m_chats + QLatin1Char('/') + m_stale + QStringLiteral(".lock")));
    summary->accept();
}

void tst_MainWindow::diagnosticsMatchTheCommandLine()
{
    auto w = openWindow();
    QVERIFY(w);
    QVERIFY(w->selectKey(key(m_stale)));
    const QJsonObject fromWindow = QJsonDocument::fromJson(w->diagnosticsJson().toUtf8())
                                       .object()
                                       .value(QLatin1String("selection"))
                                       .toArray()
                                       .first()
                                       .toObject()
                                       .value(QLatin1String("lock"))
                                       .toObject();
    QProcess cli;
    cli.start(QStringLiteral(LOCKSCOPE_BINARY),
              {QStringLiteral("list"), QStringLiteral("--json"), m_store->tmpDir()});
    QVERIFY(cli.waitForFinished());
    const QJsonArray locks = QJsonDocument::fromJson(cli.readAllStandardOutput())
                                 .object()
                                 .value(QLatin1String("locks"))
                                 .toArray();
    QJsonObject fromCli;
    for (const QJsonValue &lock : locks) {
        if (lock.toObject().value(QLatin1String("path")) == fromWindow.value(QLatin1String("path")))
            fromCli = lock.toObject();
    }
    QVERIFY(!fromCli.isEmpty());
    QCOMPARE(fromWindow.keys(), fromCli.keys());
    for (const char *field : {"verdict", "cause", "action", "reason", "flags", "payload", "pid",
                              "upstreamInUse", "upstreamJanitorRemoves"})
        QCOMPARE(fromWindow.value(QLatin1String(field)), fromCli.value(QLatin1String(field)));
    QCOMPARE(fromWindow.value(QLatin1String("evidence")).toObject().value(QLatin1String("file")),
             fromCli.value(QLatin1String("evidence")).toObject().value(QLatin1String("file")));
}

void tst_MainWindow::aboutShowsVersionLicenceAndAuditLog()
{
    auto w = openWindow();
    QVERIFY(w);
    w->aboutAction()->trigger();
    auto *box = w->findChild<QMessageBox *>(QStringLiteral("aboutDialog"));
    QVERIFY(box);
    QTRY_VERIFY(box->isVisible());
    QVERIFY2(box->text().contains(QStringLiteral("lockscope " LOCKSCOPE_VERSION)),
             qPrintable(box->text()));
    QVERIFY(box->text().contains(QStringLiteral("Apache-2.0")));
    QVERIFY2(box->text().contains(m_store->base() + QStringLiteral("/audit.jsonl")),
             qPrintable(box->text()));
    box->accept();
}

QTEST_MAIN(tst_MainWindow)
#include "tst_mainwindow.moc"
