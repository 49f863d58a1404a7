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
    void appendedEventsAreReadOnFromWhereTheLastReadStopped();
    void headerOnlyFirstThenEvents();
    void rewrittenFileIsReadAgainFromTheStart();

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
    RecordingInfo info = *reader.read(fd, name);
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
    // JSON.parse keeps the last of repeated keys; so does lockscope.
    QByteArray repeated = headerLine(id);
    repeated.replace("\"sessionId\"", "\"sessionId\":\"not-an-id\",\"sessionId\"");
    QTest::newRow("repeated key, the last one valid") << repeated << true;
    QByteArray repeatedBad = headerLine(id);
    repeatedBad.replace("\"provider\"", "\"sessionId\":\"../x\",\"provider\"");
    QTest::newRow("repeated key, the last one invalid") << repeatedBad << false;
    // A number beyond double's range: both parsers refuse the line (JSON.parse
    // would read Infinity); the fallback keeps the answer as it was with Qt's.
    QByteArray huge = headerLine(id);
    huge.replace("{\"v\":1", "{\"v\":1e999");
    QTest::newRow("number beyond double's range") << huge << false;
    QByteArray big = headerLine(id);
    big.replace("{\"v\":1", "{\"v\":123456789012345678901234567890");
    QTest::newRow("integer beyond 64 bits") << big << true;
    QByteArray garbage = headerLine(id);
    garbage.insert(garbage.size() - 1, " x");
    QTest::newRow("garbage after the object") << garbage << false;
    QByteArray badUtf8 = headerLine(id);
    badUtf8.replace("\"/w\"", "\"/w\xff\"");
    QTest::newRow("invalid UTF-8 in a string") << badUtf8 << false;
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
    const RecordingInfo info = *reader.read(fd, "session-2026-12-04T10-00-00-link.jsonl");
    ::close(fd);
    QVERIFY(!info.headerOk);
    QVERIFY(info.headerError.contains(QLatin1String("symlink")));
}

namespace {

QByteArray eventLine(int seq, const QByteArray &type, const QByteArray &payload)
{
    return "{\"v\":1,\"seq\":" + QByteArray::number(seq) +
           ",\"ts\":\"2026-12-04T10:00:00.000Z\",\"type\":\"" + type + "\",\"payload\":" + payload +
           "}\n";
}

void append(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::Append));
    QCOMPARE(f.write(bytes), bytes.size());
}

struct Dir
{
    explicit Dir(const QString &path)
        : fd(::open(QFile::encodeName(path).constData(), O_RDONLY | O_DIRECTORY))
    {
    }
    ~Dir() { ::close(fd); }
    int fd;
};

} // namespace

void tst_RecordingReader::appendedEventsAreReadOnFromWhereTheLastReadStopped()
{
    const QByteArray name = "session-2026-12-04T10-00-00-grow.jsonl";
    const QString path = m_dir->path() + '/' + QString::fromLatin1(name);
    QByteArray bytes = headerLine(newId());
    for (int i = 2; i < 2000; ++i)
        bytes += eventLine(i, "content", "{\"content\":{\"speaker\":\"ai\",\"blocks\":[]}}");
    writeFile(path, bytes);
    Dir dir(m_dir->path());
    RecordingReader reader;
    RecordingInfo info = *reader.read(dir.fd, name);
    QCOMPARE(info.events, 1998);
    const qint64 firstRead = reader.bytesRead();
    QVERIFY(firstRead >= bytes.size());

    const QByteArray more = eventLine(2000, "session_named", "{\"name\":\"grown\"}");
    append(path, more);
    info = *reader.read(dir.fd, name);
    QCOMPARE(info.events, 1999);
    QCOMPARE(info.name, QStringLiteral("grown"));
    QCOMPARE(info.parsedBytes, qint64(bytes.size() + more.size()));
    // Only the header (to check it is the same file) and the new line were read.
    QVERIFY2(reader.bytesRead() - firstRead < 2 * 4096 + more.size(),
             qPrintable(QString::number(reader.bytesRead() - firstRead)));

    // A torn last line is completed by the next append.
    append(path, "{\"v\":1,\"seq\":2001,\"type\":\"session_na");
    info = *reader.read(dir.fd, name);
    QVERIFY(info.tornTail);
    append(path, "med\",\"payload\":{\"name\":\"completed\"}}\n");
    info = *reader.read(dir.fd, name);
    QVERIFY(!info.tornTail);
    QCOMPARE(info.name, QStringLiteral("completed"));
    QCOMPARE(info.events, 2000);
}

void tst_RecordingReader::headerOnlyFirstThenEvents()
{
    const QByteArray name = "session-2026-12-04T10-00-00-deep.jsonl";
    const QString id = newId();
    QByteArray bytes = headerLine(id);
    bytes += eventLine(2, "session_named", "{\"name\":\"deep\"}");
    bytes += QByteArray(300000, ' ') + "\n"; // a large blank line: nothing for a header read
    writeFile(m_dir->path() + '/' + QString::fromLatin1(name), bytes);
    Dir dir(m_dir->path());
    RecordingReader reader;
    RecordingInfo info = *reader.read(dir.fd, name, RecordingDepth::Header);
    QVERIFY(info.headerOk);
    QCOMPARE(info.sessionId, id);
    QVERIFY(!info.eventsRead);
    QCOMPARE(info.name, QString());
    QVERIFY2(reader.bytesRead() <= 4096, qPrintable(QString::number(reader.bytesRead())));

    info = *reader.read(dir.fd, name, RecordingDepth::Header); // cached
    QCOMPARE(reader.parseCount(), 1);
    info = *reader.read(dir.fd, name, RecordingDepth::Events);
    QVERIFY(info.eventsRead);
    QCOMPARE(info.name, QStringLiteral("deep"));
    QCOMPARE(reader.parseCount(), 2);
    info = *reader.read(dir.fd, name, RecordingDepth::Header); // events satisfy a header request
    QCOMPARE(reader.parseCount(), 2);
    QCOMPARE(info.name, QStringLiteral("deep"));
}

void tst_RecordingReader::rewrittenFileIsReadAgainFromTheStart()
{
    const QByteArray name = "session-2026-12-04T10-00-00-rewr.jsonl";
    const QString path = m_dir->path() + '/' + QString::fromLatin1(name);
    const QString first = newId();
    writeFile(path, headerLine(first) + eventLine(2, "session_named", "{\"name\":\"one\"}"));
    Dir dir(m_dir->path());
    RecordingReader reader;
    QCOMPARE(reader.read(dir.fd, name)->name, QStringLiteral("one"));

    // Same inode, longer, but a different header: not an append.
    const QString second = newId();
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadWrite));
    f.write(headerLine(second) + eventLine(2, "session_metadata", "{\"title\":\"two\"}"));
    f.close();
    const RecordingInfo info = *reader.read(dir.fd, name);
    QCOMPARE(info.sessionId, second);
    QCOMPARE(info.name, QString());
    QCOMPARE(info.title, QStringLiteral("two"));
}

QTEST_GUILESS_MAIN(tst_RecordingReader)
#include "tst_recordingreader.moc"
