#include "timestamp.h"

#include <QTest>

using namespace lockscope;

class tst_Timestamp final : public QObject
{
    Q_OBJECT

private slots:
    void parse_data();
    void parse();
};

void tst_Timestamp::parse_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<bool>("inRange");
    QTest::addColumn<qint64>("ms");

    QTest::newRow("llxprt's own format")
        << "2026-08-20T23:01:17.123Z" << true << true << Q_INT64_C(1787266877123);
    QTest::newRow("the epoch") << "1970-01-01T00:00:00.000Z" << true << true << Q_INT64_C(0);
    QTest::newRow("no fraction") << "2026-08-20T23:01:17Z" << true << true
                                 << Q_INT64_C(1787266877000);
    QTest::newRow("offset zone") << "2026-08-21T01:01:17.123+02:00" << true << true
                                 << Q_INT64_C(1787266877123);
    QTest::newRow("microseconds are cut to milliseconds")
        << "2026-08-20T23:01:17.123999Z" << true << true << Q_INT64_C(1787266877123);
    QTest::newRow("leap day") << "2028-02-29T00:00:00Z" << true << true << Q_INT64_C(1835395200000);
    QTest::newRow("JavaScript's last instant is valid but out of range")
        << "+275760-09-13T00:00:00.000Z" << true << false << Q_INT64_C(8640000000000000);
    QTest::newRow("one past JavaScript's range")
        << "+275760-09-13T00:00:00.001Z" << false << false << Q_INT64_C(0);
    QTest::newRow("year one is valid but out of range")
        << "0001-01-01T00:00:00.000Z" << true << false << Q_INT64_C(-62135596800000);
    QTest::newRow("february 30th") << "2026-02-30T25:61:00Z" << false << false << Q_INT64_C(0);
    QTest::newRow("hour 25") << "2026-02-10T25:00:00Z" << false << false << Q_INT64_C(0);
    QTest::newRow("minute 61") << "2026-02-10T10:61:00Z" << false << false << Q_INT64_C(0);
    QTest::newRow("not a leap year") << "2026-02-29T00:00:00Z" << false << false << Q_INT64_C(0);
    QTest::newRow("no zone is local time, refused")
        << "2026-08-20T23:01:17.123" << false << false << Q_INT64_C(0);
    QTest::newRow("empty") << "" << false << false << Q_INT64_C(0);
    QTest::newRow("words") << "yesterday" << false << false << Q_INT64_C(0);
    QTest::newRow("trailing junk")
        << "2026-08-20T23:01:17.123Zjunk" << false << false << Q_INT64_C(0);
    QTest::newRow("huge digit run")
        << "2026-08-20T23:01:17.1234567890123Z" << false << false << Q_INT64_C(0);
    QTest::newRow("far future in range")
        << "9999-12-31T23:59:59.999Z" << true << true << Q_INT64_C(253402300799999);
}

void tst_Timestamp::parse()
{
    QFETCH(QString, text);
    QFETCH(bool, valid);
    QFETCH(bool, inRange);
    QFETCH(qint64, ms);

    const ParsedTimestamp parsed = parseTimestamp(text);
    QCOMPARE(parsed.valid, valid);
    QCOMPARE(parsed.inRange, inRange);
    if (valid) {
        QCOMPARE(parsed.msSinceEpoch, ms);
        if (inRange)
            QCOMPARE(parseTimestamp(formatTimestamp(ms)).msSinceEpoch, ms);
    }
}

QTEST_GUILESS_MAIN(tst_Timestamp)
#include "tst_timestamp.moc"
