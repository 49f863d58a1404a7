#include "lockpayload.h"

#include <QTest>

using namespace lockscope;

class tst_LockPayload final : public QObject
{
    Q_OBJECT

private slots:
    void pid_data();
    void pid();
    void upstreamBytes();
    void fields();
};

void tst_LockPayload::pid_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<qint64>("pid"); // 0 = unusable
    QTest::addColumn<bool>("upstreamValid");

    QTest::newRow("a plain pid") << QByteArray("{\"pid\":4242}") << qint64(4242) << true;
    QTest::newRow("zero") << QByteArray("{\"pid\":0}") << qint64(0) << false;
    QTest::newRow("negative") << QByteArray("{\"pid\":-1}") << qint64(0) << false;
    QTest::newRow("a string") << QByteArray("{\"pid\":\"4242\"}") << qint64(0) << false;
    QTest::newRow("a fraction") << QByteArray("{\"pid\":4242.5}") << qint64(0) << false;
    QTest::newRow("exponent form of an integer")
        << QByteArray("{\"pid\":4.242e3}") << qint64(4242) << true;
    QTest::newRow("1e30") << QByteArray("{\"pid\":1e30}") << qint64(0) << false;
    QTest::newRow("larger than pid_t, still a safe integer")
        << QByteArray("{\"pid\":4294967296}") << qint64(0) << true;
    QTest::newRow("null") << QByteArray("{\"pid\":null}") << qint64(0) << false;
    QTest::newRow("missing") << QByteArray("{\"timestamp\":\"x\"}") << qint64(0) << false;
    QTest::newRow("an array") << QByteArray("[4242]") << qint64(0) << false;
    QTest::newRow("empty") << QByteArray() << qint64(0) << false;
    QTest::newRow("binary garbage") << QByteArray("\x00\x01\x02\xff", 4) << qint64(0) << false;
}

void tst_LockPayload::pid()
{
    QFETCH(QByteArray, bytes);
    QFETCH(qint64, pid);
    QFETCH(bool, upstreamValid);
    const LockPayload p = parseLockPayload(bytes);
    QCOMPARE(p.pid.value_or(0), pid);
    QCOMPARE(p.usable(), pid != 0);
    QCOMPARE(p.pidUpstreamValid, upstreamValid);
    if (!p.usable())
        QVERIFY(!p.problem().isEmpty());
}

void tst_LockPayload::upstreamBytes()
{
    // The exact bytes llxprt writes: compact, its key order, no trailing newline.
    const QByteArray bytes =
        makeLockPayload(10935, QStringLiteral("2026-12-04T15:20:03.589Z"),
                        QStringLiteral("0d9c8b7a-6f5e-4d3c-9b2a-1f0e9d8c7b6a"),
                        QStringLiteral("7f46ae57-34f1-4b2c-b2b2-f83b3c54b37d"));
    QCOMPARE(bytes, QByteArray("{\"pid\":10935,\"timestamp\":\"2026-12-04T15:20:03.589Z\","
                               "\"sessionId\":\"0d9c8b7a-6f5e-4d3c-9b2a-1f0e9d8c7b6a\","
                               "\"ownerToken\":\"7f46ae57-34f1-4b2c-b2b2-f83b3c54b37d\"}"));
    const LockPayload p = parseLockPayload(bytes);
    QCOMPARE(p.pid.value_or(0), 10935);
    QVERIFY(p.timestamp.valid && p.timestamp.inRange);
    QCOMPARE(p.sessionId, QStringLiteral("0d9c8b7a-6f5e-4d3c-9b2a-1f0e9d8c7b6a"));
    QVERIFY(p.hasOwnerToken);
}

void tst_LockPayload::fields()
{
    const LockPayload lease = parseLockPayload(
        "{\"ownerToken\":\"t\",\"pid\":5151,\"hostname\":\"devbox\",\"createdAt\":"
        "\"2026-12-04T15:18:00.000Z\",\"heartbeatAt\":\"2026-12-04T15:18:30.000Z\"}");
    QCOMPARE(lease.hostname, QStringLiteral("devbox"));
    QVERIFY(lease.createdAt.valid && lease.heartbeatAt.valid);
    QCOMPARE(lease.heartbeatAt.msSinceEpoch - lease.createdAt.msSinceEpoch, 30000);
    QVERIFY(!lease.hasTimestamp);

    const LockPayload legacy = parseLockPayload(
        "{\"pid\":3131,\"timestamp\":\"2026-12-04T15:20:03.611Z\",\"sessionId\":\"x\"}");
    QVERIFY(!legacy.hasOwnerToken);
    QVERIFY(legacy.hasSessionId);

    const LockPayload deep = parseLockPayload(QByteArray(100000, '['));
    QVERIFY(!deep.usable());
}

QTEST_GUILESS_MAIN(tst_LockPayload)
#include "tst_lockpayload.moc"
