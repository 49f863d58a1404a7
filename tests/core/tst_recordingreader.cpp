#include "recordingreader.h"
#include "testsupport.h"

#include <QTemporaryDir>
#include <QTest>

#include <fcntl.h>
#include <unistd.h>

using namespace lockscope;
using namespace lockscope::test;

class tst_RecordingReader final : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void header_data();
    void header();
    void events();
    void tornLastLineIsNormal();
    void hugeHeaderLineIsUnreadable();
    void symlinkIsNotFollowed();

private:
    RecordingInfo readBytes(const QByteArray &bytes,
                            const QByteArray &name = "session-2026-12-04T10-00-00-abc.jsonl");
    std::unique_ptr<QTemporaryDir> m_dir;
};

void tst_RecordingReader::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
}

RecordingInfo tst_RecordingReader::readBytes(const QByteArray &bytes, const QByteArray &name)
{
    writeFile(m_dir->path() + '/' + QString::fromLatin1(name), bytes);
    const int fd = ::open(QFile::encodeName(m_dir->path()).constData(), O_RDONLY | O_DIRECTORY);
    RecordingReader reader;
    RecordingInfo info = reader.read(fd, name);
    ::close(fd);
    return info;
}

void tst_RecordingReader::header_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<bool>("ok");

    const QString id = QStringLiteral("0d9c8b7a-6f5e-4d3c-9b2a-1f0e9d8c7b6a");
    QTest::newRow("header with newline") << headerLine(id) << true;
    QTest::newRow("header-only file without newline") << headerLine(id).chopped(1) << true;
    QTest::newRow("header behind a UTF-8 BOM") << "\xEF\xBB\xBF" + headerLine(id) << true;
    QTest::newRow("empty file") << QByteArray() << false;
    QTest::newRow("truncated first line")
        << QByteArray(
               "{\"v\":1,\"seq\":1,\"ts\":\"2026-09-17T20:08:46.000Z\",\"type\":\"session_st")
        << false;
    QTest::newRow("header without a session id")
        << QByteArray("{\"type\":\"session_start\",\"payload\":{}}\n") << false;
    QTest::newRow("first event is not a header")
        << QByteArray("{\"type\":\"content\",\"payload\":{}}\n") << false;
    QTest::newRow("session id breaking the grammar")
        << QByteArray("{\"type\":\"session_start\",\"payload\":{\"sessionId\":\"../x\"}}\n")
        << false;
}

void tst_RecordingReader::header()
{
    QFETCH(QByteArray, bytes);
    QFETCH(bool, ok);
    const RecordingInfo info = readBytes(bytes);
    QCOMPARE(info.headerOk, ok);
    QCOMPARE(info.headerError.isEmpty(), ok);
    if (ok) {
        QCOMPARE(info.sessionId, QStringLiteral("0d9c8b7a-6f5e-4d3c-9b2a-1f0e9d8c7b6a"));
        QCOMPARE(info.workspaceDirs, QStringList{QStringLiteral("/w")});
        QCOMPARE(info.provider, QStringLiteral("openai"));
    }
}

void tst_RecordingReader::events()
{
    const QString id = newId();
    QByteArray bytes = headerLine(id);
    const auto event = [&](int seq, const char *type, const QByteArray &payload) {
        bytes += "{\"v\":1,\"seq\":" + QByteArray::number(seq) + ",\"ts\":\"2026-12-04T10:00:0" +
                 QByteArray::number(seq % 10) + ".000Z\",\"type\":\"" + type +
                 "\",\"payload\":" + payload + "}\n";
    };
    event(2, "content",
          "{\"content\":{\"speaker\":\"ai\",\"blocks\":[{\"type\":\"text\",\"text\":\"hello\"}]}}");
    event(3, "content",
          "{\"content\":{\"speaker\":\"human\",\"blocks\":[{\"type\":\"image\"},{\"type\":\"text\","
          "\"text\":\"  " +
              QByteArray(200, 'q') + "\"}]}}");
    event(4, "session_metadata", "{\"title\":\"First title\"}");
    event(5, "session_metadata", "{\"title\":null}");
    event(6, "session_named", "{\"name\":\"my name\"}");
    event(7, "session_named", "{\"name\":null}");
    event(8, "provider_switch", "{\"provider\":\"anthropic\",\"model\":\"claude\"}");
    event(9, "checkpoint_created", "{\"checkpointId\":\"c1\",\"name\":\"one\"}");
    event(10, "checkpoint_created", "{\"checkpointId\":\"c2\",\"name\":\"two\"}");
    event(11, "checkpoint_renamed", "{\"checkpointId\":\"c1\",\"name\":\"uno\"}");
    event(12, "checkpoint_deleted", "{\"checkpointId\":\"c2\"}");
    event(13, "session_forked", "{\"parentSessionId\":\"parent-1\"}");

    const RecordingInfo info = readBytes(bytes);
    QVERIFY(info.headerOk);
    QCOMPARE(info.firstHumanText, QString(120, QLatin1Char('q')));
    QCOMPARE(info.title, QStringLiteral("First title")); // null does not clear a title
    QCOMPARE(info.name, QString());                      // but it clears a name
    QCOMPARE(info.displayTitle(), QStringLiteral("First title"));
    QCOMPARE(info.provider, QStringLiteral("anthropic"));
    QCOMPARE(info.model, QStringLiteral("claude"));
    QCOMPARE(info.checkpoints.size(), 1);
    QCOMPARE(info.checkpoints.first().name, QStringLiteral("uno"));
    QCOMPARE(info.forkParent, QStringLiteral("parent-1"));
    QCOMPARE(info.events, 12);
    QVERIFY(!info.tornTail);
    QCOMPARE(info.sizeBytes, bytes.size());
}

void tst_RecordingReader::tornLastLineIsNormal()
{
    const QString id = newId();
    const RecordingInfo info = readBytes(headerLine(id) + "{\"v\":1,\"seq\":2,\"type\":\"sess");
    QVERIFY(info.headerOk);
    QVERIFY(info.tornTail);
    QCOMPARE(info.events, 0);
}

void tst_RecordingReader::hugeHeaderLineIsUnreadable()
{
    const RecordingInfo info = readBytes(QByteArray(2 * 1024 * 1024, 'x'));
    QVERIFY(!info.headerOk);
    QVERIFY(info.headerError.contains(QLatin1String("1 MiB")));
}

void tst_RecordingReader::symlinkIsNotFollowed()
{
    writeFile(m_dir->path() + "/real.jsonl", headerLine(newId()));
    QVERIFY(QFile::link(m_dir->path() + "/real.jsonl",
                        m_dir->path() + "/session-2026-12-04T10-00-00-link.jsonl"));
    const int fd = ::open(QFile::encodeName(m_dir->path()).constData(), O_RDONLY | O_DIRECTORY);
    RecordingReader reader;
    const RecordingInfo info = reader.read(fd, "session-2026-12-04T10-00-00-link.jsonl");
    ::close(fd);
    QVERIFY(!info.headerOk);
    QVERIFY(info.headerError.contains(QLatin1String("symlink")));
}

QTEST_GUILESS_MAIN(tst_RecordingReader)
#include "tst_recordingreader.moc"
