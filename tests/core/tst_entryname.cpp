#include "entryname.h"

#include <QTest>

using namespace lockscope;

class tst_EntryName final : public QObject
{
    Q_OBJECT

private slots:
    void classify_data();
    void classify();
    void projectHash();
};

void tst_EntryName::classify_data()
{
    QTest::addColumn<QByteArray>("name");
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("key");

    const QByteArray id = "0d9c8b7a-6f5e-4d3c-9b2a-1f0e9d8c7b6a";
    QTest::newRow("a session lock") << id + ".lock"
                                    << "lock" << QString::fromLatin1(id);
    QTest::newRow("its guard") << id + ".lock.tguard"
                               << "guard" << QString::fromLatin1(id);
    QTest::newRow("its publication temp")
        << id + ".lock.4c5d6e7f-8091-4a2b-9c3d-4e5f60718293.locktmp"
        << "temp" << QString::fromLatin1(id);
    QTest::newRow("a temp whose suffix is no uuid") << id + ".lock.not-a-uuid.locktmp"
                                                    << "temp"
                                                    << "";
    QTest::newRow("a temp with an upper-case uuid")
        << id + ".lock.4C5D6E7F-8091-4A2B-9C3D-4E5F60718293.locktmp"
        << "temp"
        << "";
    QTest::newRow("a recording") << QByteArray("session-2026-12-04T15-20-03-0d9c8b7a-6f5.jsonl")
                                 << "recording"
                                 << "2026-12-04T15-20-03-0d9c8b7a-6f5";
    QTest::newRow("a 0.10 resume lock")
        << QByteArray("2026-12-04T15-20-03-1a2b3c4d-5e6.lock") << "legacy-lock"
        << "2026-12-04T15-20-03-1a2b3c4d-5e6";
    QTest::newRow("a dotted name") << QByteArray("a.b.lock") << "lock"
                                   << "";
    QTest::newRow("an empty id") << QByteArray(".lock") << "lock"
                                 << "";
    QTest::newRow("undecodable bytes") << QByteArray("\xff\xfe.lock") << "lock"
                                       << "";
    QTest::newRow("an id of 257 characters") << QByteArray(257, 'a') + ".lock"
                                             << "lock"
                                             << "";
    QTest::newRow("an id of 256 characters") << QByteArray(256, 'a') + ".lock"
                                             << "lock" << QString(256, QLatin1Char('a'));
    QTest::newRow("the janitor lease") << QByteArray(".llxprt-janitor.lease") << "lease"
                                       << "";
    QTest::newRow("the archive") << QByteArray("archive") << "unknown"
                                 << "";
    QTest::newRow("something else") << QByteArray("README.txt") << "unknown"
                                    << "";
}

void tst_EntryName::classify()
{
    QFETCH(QByteArray, name);
    QFETCH(QString, kind);
    QFETCH(QString, key);
    const EntryName e = classifyEntryName(name);
    QCOMPARE(entryKindName(e.kind), kind);
    QCOMPARE(e.key, key);
    const bool bad = e.kind == EntryKind::NotALock || e.kind == EntryKind::BadTemp;
    QCOMPARE(bad,
             key.isEmpty() && (kind == QLatin1String("lock") || kind == QLatin1String("temp")));
}

void tst_EntryName::projectHash()
{
    QVERIFY(isProjectHash(QByteArray(64, 'a')));
    QVERIFY(!isProjectHash(QByteArray(64, 'A')));
    QVERIFY(!isProjectHash(QByteArray(63, 'a')));
    QVERIFY(!isProjectHash("skills"));
    QVERIFY(isUuidV4(QStringLiteral("4c5d6e7f-8091-4a2b-9c3d-4e5f60718293")));
    QVERIFY(!isUuidV4(QStringLiteral("4c5d6e7f-8091-1a2b-9c3d-4e5f60718293")));
}

QTEST_GUILESS_MAIN(tst_EntryName)
#include "tst_entryname.moc"
