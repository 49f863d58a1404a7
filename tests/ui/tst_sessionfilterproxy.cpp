#include "sessionfilterproxy.h"
#include "sessiontablemodel.h"
#include "teststore.h"

#include <QAbstractItemModelTester>
#include <QFile>
#include <QtTest>

using namespace lockscope;

class tst_SessionFilterProxy : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void quickFilters_data();
    void quickFilters();
    void freeTextMatchesEveryWord();
    void scopeBySidebarChoice();
    void numericColumnsSortAsNumbers();
    void survivesMergesWhileSortedAndFiltered();

private:
    QStringList sessionsShown() const;

    std::unique_ptr<TestStore> m_store;
    SessionTableModel *m_model = nullptr;
    SessionFilterProxy *m_proxy = nullptr;
    std::unique_ptr<QAbstractItemModelTester> m_tester;
    QString m_webChats;
    QString m_apiChats;
    std::unique_ptr<QProcess> m_holder;
};

// webapp: "held-one" (live holder), "stale-one" (dead holder), "idle-one" (no lock)
// api-server: "api-idle" (no lock), an orphaned lock with no recording
void tst_SessionFilterProxy::init()
{
    m_store = std::make_unique<TestStore>();
    m_webChats = m_store->chats(QStringLiteral("/home/test/webapp"));
    m_apiChats = m_store->chats(QStringLiteral("/home/test/api-server"));
    const qint64 dead = TestStore::deadPid();
    const QString held = QStringLiteral("a1000000-0000-4000-8000-000000000001");
    const QString stale = QStringLiteral("a2000000-0000-4000-8000-000000000002");
    m_store->writeRecording(m_webChats, held, QStringLiteral("/home/test/webapp"),
                            QStringLiteral("held-one"));
    m_store->writeRecording(m_webChats, stale, QStringLiteral("/home/test/webapp"),
                            QStringLiteral("stale-one"));
    m_store->writeLock(m_webChats, stale, dead, 3600 * 1000);
    m_store->writeRecording(m_webChats, QStringLiteral("a3000000-0000-4000-8000-000000000003"),
                            QStringLiteral("/home/test/webapp"), QStringLiteral("idle-one"));
    m_store->writeRecording(m_apiChats, QStringLiteral("b4000000-0000-4000-8000-000000000004"),
                            QStringLiteral("/home/test/api-server"), QStringLiteral("api-idle"));
    m_store->writeLock(m_apiChats, QStringLiteral("b5000000-0000-4000-8000-000000000005"), dead,
                       7200 * 1000);
    m_holder = TestStore::startHolder(m_webChats, held);
    QVERIFY(m_holder);

    m_model = new SessionTableModel(SystemClock::instance(), this);
    m_proxy = new SessionFilterProxy(this);
    m_proxy->setSourceModel(m_model);
    m_tester = std::make_unique<QAbstractItemModelTester>(
        m_proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    m_model->setSnapshot(m_store->scan());
    QCOMPARE(m_model->rowCount(), 5);
}

void tst_SessionFilterProxy::cleanup()
{
    m_tester.reset();
    delete m_proxy;
    delete m_model;
    if (m_holder) {
        m_holder->terminate();
        m_holder->waitForFinished();
    }
    m_holder.reset();
    m_store.reset();
}

QStringList tst_SessionFilterProxy::sessionsShown() const
{
    QStringList names;
    for (int i = 0; i < m_proxy->rowCount(); ++i)
        names << m_proxy->index(i, SessionTableModel::SessionColumn).data().toString();
    names.sort();
    return names;
}

void tst_SessionFilterProxy::quickFilters_data()
{
    QTest::addColumn<int>("filter");
    QTest::addColumn<QStringList>("expected");
    QTest::newRow("all") << int(SessionFilterProxy::All)
                         << QStringList{QStringLiteral("api-idle"), QStringLiteral("b5000000"),
                                        QStringLiteral("held-one"), QStringLiteral("idle-one"),
                                        QStringLiteral("stale-one")};
    QTest::newRow("needs attention: the stale lock and the orphaned one")
        << int(SessionFilterProxy::NeedsAttention)
        << QStringList{QStringLiteral("b5000000"), QStringLiteral("stale-one")};
    QTest::newRow("held: the live holder's session")
        << int(SessionFilterProxy::Held) << QStringList{QStringLiteral("held-one")};
    QTest::newRow("idle: recorded sessions without a lock")
        << int(SessionFilterProxy::Idle)
        << QStringList{QStringLiteral("api-idle"), QStringLiteral("idle-one")};
}

void tst_SessionFilterProxy::quickFilters()
{
    QFETCH(int, filter);
    QFETCH(QStringList, expected);
    m_proxy->setQuickFilter(SessionFilterProxy::QuickFilter(filter));
    QCOMPARE(sessionsShown(), expected);
}

void tst_SessionFilterProxy::freeTextMatchesEveryWord()
{
    m_proxy->setText(QStringLiteral("webapp STALE"));
    QCOMPARE(sessionsShown(), QStringList{QStringLiteral("stale-one")});
    m_proxy->setText(QString::number(m_holder->processId()));
    QCOMPARE(sessionsShown(), QStringList{QStringLiteral("held-one")});
    m_proxy->setText(QStringLiteral("orphaned"));
    QCOMPARE(sessionsShown(), QStringList{QStringLiteral("b5000000")});
    m_proxy->setText(QStringLiteral("no-such-thing"));
    QCOMPARE(m_proxy->rowCount(), 0);
    m_proxy->setText(QString());
    QCOMPARE(m_proxy->rowCount(), 5);
}

void tst_SessionFilterProxy::scopeBySidebarChoice()
{
    m_proxy->setChatsScope(m_apiChats);
    QCOMPARE(sessionsShown(),
             (QStringList{QStringLiteral("api-idle"), QStringLiteral("b5000000")}));
    m_proxy->setRootScope(m_store->tmpDir());
    QCOMPARE(m_proxy->rowCount(), 5);
    m_proxy->setRootScope(QStringLiteral("/elsewhere"));
    QCOMPARE(m_proxy->rowCount(), 0);
    m_proxy->clearScope();
    QCOMPARE(m_proxy->rowCount(), 5);
}

void tst_SessionFilterProxy::numericColumnsSortAsNumbers()
{
    // Lock files only, with PIDs whose text order differs from their number order.
    TestStore store;
    const QString chats = store.chats(QStringLiteral("/home/test/pids"));
    const QList<qint64> pids = {9, 10, 100, 2000000};
    for (int i = 0; i < pids.size(); ++i)
        store.writeLock(chats, QStringLiteral("cccccccc-0000-4000-8000-00000000000%1").arg(i),
                        pids.at(i), (i + 1) * 1000);
    SessionTableModel model;
    SessionFilterProxy proxy;
    proxy.setSourceModel(&model);
    QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setSnapshot(store.scan());
    proxy.sort(SessionTableModel::PidColumn, Qt::AscendingOrder);
    QStringList order;
    for (int i = 0; i < proxy.rowCount(); ++i)
        order << proxy.index(i, SessionTableModel::PidColumn).data().toString();
    QCOMPARE(order, (QStringList{QStringLiteral("9"), QStringLiteral("10"), QStringLiteral("100"),
                                 QStringLiteral("2000000")}));

    proxy.sort(SessionTableModel::LockAgeColumn, Qt::DescendingOrder);
    QCOMPARE(proxy.index(0, SessionTableModel::PidColumn).data().toString(),
             QStringLiteral("2000000"));
}

void tst_SessionFilterProxy::survivesMergesWhileSortedAndFiltered()
{
    m_proxy->sort(SessionTableModel::SessionColumn, Qt::AscendingOrder);
    m_proxy->setQuickFilter(SessionFilterProxy::NeedsAttention);
    QCOMPARE(m_proxy->rowCount(), 2);
    // The live holder dies: its row enters the "needs attention" view.
    m_holder->kill();
    QVERIFY(m_holder->waitForFinished());
    m_model->setSnapshot(m_store->scan());
    QCOMPARE(sessionsShown(), (QStringList{QStringLiteral("b5000000"), QStringLiteral("held-one"),
                                           QStringLiteral("stale-one")}));
    QFile::remove(m_apiChats + QStringLiteral("/b5000000-0000-4000-8000-000000000005.lock"));
    m_model->setSnapshot(m_store->scan());
    QCOMPARE(sessionsShown(),
             (QStringList{QStringLiteral("held-one"), QStringLiteral("stale-one")}));
}

QTEST_MAIN(tst_SessionFilterProxy)
#include "tst_sessionfilterproxy.moc"
