// Hostile and broken stores, as root and as an ordinary user: links, special
// files, huge and garbage payloads, undecodable names, unreadable folders and a
// folder deleted mid-scan. Every case must end in bounded time with a clear
// message and nothing deleted or followed that the verdict model forbids.

#include "storescanner.h"
#include "testsupport.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <cstring>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

using namespace lockscope;
using namespace lockscope::test;

namespace {

constexpr int kBoundMs = 20000; // any run past this counts as a hang

struct Run
{
    int code = -1;
    QByteArray out;
    QByteArray err;
    qint64 ms = 0;
};

Run run(const QStringList &args, const QString &audit, bool asNobody)
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("LOCKSCOPE_AUDIT_LOG"), audit);
    p.setProcessEnvironment(env);
    QElapsedTimer timer;
    timer.start();
    if (asNobody)
        p.start(QStringLiteral("runuser"),
                QStringList{"-u", "nobody", "--", lockscopeProgram()} + args);
    else
        p.start(lockscopeProgram(), args);
    Run r;
    if (!p.waitForFinished(kBoundMs)) {
        p.kill();
        p.waitForFinished();
        r.code = -2;
        return r;
    }
    r.ms = timer.elapsed();
    r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -3;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray("(unreadable)");
}

QByteArray raw(const QString &path)
{
    return QFile::encodeName(path);
}

} // namespace

class tst_HostileFiles final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void hostileStore_data();
    void hostileStore();
    void undecodableFolderNamesAreRemovableExactly();
    void folderDeletedDuringTheScan();

private:
    QString m_base;
    QTemporaryDir m_dir;
};

void tst_HostileFiles::initTestCase()
{
    QVERIFY(m_dir.isValid());
    // Everything below is reachable by "nobody" for the ordinary-user runs.
    QVERIFY(::chmod(raw(m_dir.path()).constData(), 0755) == 0);
    m_base = m_dir.path();
}

void tst_HostileFiles::hostileStore_data()
{
    QTest::addColumn<bool>("asNobody");
    QTest::newRow("as root, or whoever runs the tests") << false;
    QTest::newRow("as an ordinary user") << true;
}

void tst_HostileFiles::hostileStore()
{
    QFETCH(bool, asNobody);
    if (asNobody && ::geteuid() != 0)
        QSKIP("needs root to run lockscope as another user");

    const QString root = m_base + (asNobody ? "/as-nobody" : "/as-self");
    const QString chats = root + "/tmp/" + QString(64, 'a') + "/chats";
    const QString shut = root + "/tmp/" + QString(64, 'b') + "/chats";
    const QString linked = root + "/tmp/" + QString(64, 'c');
    QVERIFY(QDir().mkpath(chats));
    QVERIFY(QDir().mkpath(shut));
    const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
    const qint64 dead = deadPid();

    // A real stale lock, so that there is something clean-up must remove.
    const QString staleId = newId();
    writeFile(chats + '/' + staleId + ".lock", lockBytes(dead, nowMs - kHour, staleId));
    // Links named like locks: to a stale lock elsewhere, to /dev/zero, dangling.
    const QString outside = root + "/outside.lock";
    const QByteArray outsideBytes = lockBytes(dead, nowMs - kHour, staleId);
    writeFile(outside, outsideBytes);
    QVERIFY(QFile::link(outside, chats + '/' + newId() + ".lock"));
    QVERIFY(QFile::link("/dev/zero", chats + '/' + newId() + ".lock"));
    QVERIFY(QFile::link(root + "/nowhere", chats + '/' + newId() + ".lock"));
    QVERIFY(QFile::link(outside, chats + '/' + newId() + ".lock.tguard"));
    // Special files named like locks.
    QCOMPARE(::mkfifo(raw(chats + '/' + newId() + ".lock").constData(), 0666), 0);
    QVERIFY(QDir().mkpath(chats + '/' + newId() + ".lock"));
    // A socket path must fit sun_path (108 bytes): bind by a relative name.
    const QByteArray socketName = newId().toLatin1() + ".lock";
    const int sock = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, socketName.constData(), size_t(socketName.size()));
    const QString cwd = QDir::currentPath();
    QVERIFY(QDir::setCurrent(chats));
    const int bound = ::bind(sock, reinterpret_cast<sockaddr *>(&address), sizeof address);
    QVERIFY(QDir::setCurrent(cwd));
    QCOMPARE(bound, 0);
    const bool device =
        ::geteuid() == 0 && ::mknod(raw(chats + '/' + newId() + ".lock").constData(),
                                    S_IFCHR | 0666, makedev(1, 3)) == 0; // a copy of /dev/null
    // Payloads: a 2 GiB sparse file, binary garbage, deeply nested JSON.
    const QString sparseId = newId();
    {
        QFile sparse(chats + '/' + sparseId + ".lock");
        QVERIFY(sparse.open(QIODevice::WriteOnly));
        QVERIFY(sparse.resize(Q_INT64_C(2) * 1024 * 1024 * 1024));
    }
    const QString garbageId = newId();
    QByteArray garbage(4096, '\0');
    for (int i = 0; i < garbage.size(); ++i)
        garbage[i] = char((i * 131 + 7) % 256);
    writeFile(chats + '/' + garbageId + ".lock", garbage);
    const QString nestedId = newId();
    writeFile(chats + '/' + nestedId + ".lock", QByteArray(60000, '[') + QByteArray(60000, ']'));
    // Undecodable names: two that a lossy decoder would print alike.
    QCOMPARE(::close(::open((raw(chats) + "/\xff.lock").constData(), O_CREAT | O_WRONLY, 0644)), 0);
    QCOMPARE(::close(::open((raw(chats) + "/\xfe.lock").constData(), O_CREAT | O_WRONLY, 0644)), 0);
    // A symlinked project folder, and a chats folder this user may not read.
    QVERIFY(QFile::link(chats + "/..", linked));
    writeFile(shut + '/' + newId() + ".lock", "{}");

    const QStringList before =
        QDir(chats).entryList(QDir::AllEntries | QDir::System | QDir::NoDotAndDotDot);
    if (asNobody) {
        QVERIFY(::chmod(raw(root).constData(), 0755) == 0);
        QVERIFY(::chmod(raw(chats).constData(), 0777) == 0);
        QVERIFY(::chmod(raw(shut).constData(), 0000) == 0);
        for (const QString &d :
             {root + "/tmp", root + "/tmp/" + QString(64, 'a'), root + "/tmp/" + QString(64, 'b')})
            QVERIFY(::chmod(raw(d).constData(), 0755) == 0);
    }

    const QString audit = m_base + (asNobody ? "/audit-nobody.jsonl" : "/audit-self.jsonl");
    if (asNobody) {
        writeFile(audit, QByteArray());
        QVERIFY(::chown(raw(audit).constData(), 65534, 65534) == 0);
    }
    const Run list = run({"list", "--json", root}, audit, asNobody);
    QVERIFY2(list.code == 0, list.err.constData());
    QVERIFY2(list.ms < kBoundMs, "the scan is bounded in time");
    const QJsonObject snap = QJsonDocument::fromJson(list.out).object();
    QVERIFY(!snap.isEmpty());

    int neverCount = 0;
    QSet<QString> paths;
    for (const QJsonValue &v : snap.value("locks").toArray()) {
        const QJsonObject lock = v.toObject();
        const QString path = lock.value("path").toString();
        QVERIFY2(!paths.contains(path), qPrintable("two entries print alike: " + path));
        paths.insert(path);
        QVERIFY(!lock.value("reason").toString().isEmpty());
        const QString name = path.section(QLatin1Char('/'), -1);
        if (name.startsWith(staleId)) {
            QCOMPARE(lock.value("verdict").toString(), QStringLiteral("stale"));
        } else if (name.startsWith(sparseId)) {
            QCOMPARE(lock.value("verdict").toString(), QStringLiteral("busy"));
            QVERIFY(lock.value("evidence")
                        .toObject()
                        .value("file")
                        .toObject()
                        .value("truncated")
                        .toBool());
        } else if (path.startsWith(shut)) {
            QCOMPARE(lock.value("verdict").toString(), QStringLiteral("busy")); // "{}" has no pid
        } else if (name.startsWith(garbageId) || name.startsWith(nestedId)) {
            QCOMPARE(lock.value("verdict").toString(), QStringLiteral("busy"));
        } else {
            QVERIFY2(lock.value("action").toString() == QLatin1String("never"), qPrintable(path));
            ++neverCount;
        }
    }
    // 4 links, FIFO, directory, socket, optional device, 2 undecodable names.
    QVERIFY2(neverCount == 9 + (device ? 1 : 0), list.out.constData());
    QVERIFY(paths.contains(chats + "/\\xff.lock"));
    QVERIFY(paths.contains(chats + "/\\xfe.lock"));

    QStringList problems;
    for (const QJsonValue &v : snap.value("problems").toArray())
        problems << v.toObject().value("message").toString();
    QVERIFY2(problems.join('\n').contains("symlink"), qPrintable(problems.join('\n')));
    if (asNobody)
        QVERIFY2(problems.join('\n').contains("Permission denied"),
                 qPrintable(problems.join('\n')));

    const Run clean = run({"clean", "--json", root}, audit, asNobody);
    QVERIFY2(clean.code == 0, clean.out + clean.err);
    const QJsonArray results =
        QJsonDocument::fromJson(clean.out).object().value("results").toArray();
    QCOMPARE(results.size(), 1);
    QCOMPARE(results.first().toObject().value("outcome").toString(), QStringLiteral("removed"));

    QStringList expected = before;
    expected.removeOne(staleId + ".lock");
    QCOMPARE(QDir(chats).entryList(QDir::AllEntries | QDir::System | QDir::NoDotAndDotDot),
             expected);
    QCOMPARE(readAll(outside), outsideBytes);
    QCOMPARE(QFileInfo(chats + '/' + sparseId + ".lock").size(), Q_INT64_C(2) * 1024 * 1024 * 1024);

    // Forcing does not reach through a link or into a special file either.
    for (const QString &name :
         QDir(chats).entryList(QDir::AllEntries | QDir::System | QDir::NoDotAndDotDot)) {
        const QFileInfo info(chats + '/' + name);
        if (!info.isSymLink() && info.isFile() && !info.isBundle())
            continue;
        const Run removal = run({"remove", "--force", chats + '/' + name}, audit, asNobody);
        QVERIFY2(removal.code == 1, removal.out.constData());
        QVERIFY(removal.out.startsWith("refused"));
        QVERIFY(QFileInfo(chats + '/' + name).exists() ||
                QFileInfo(chats + '/' + name).isSymLink());
    }
    QCOMPARE(readAll(outside), outsideBytes);

    ::close(sock);
    ::chmod(raw(shut).constData(), 0755);
    ::unlink((raw(chats) + "/\xff.lock").constData());
    ::unlink((raw(chats) + "/\xfe.lock").constData());
}

void tst_HostileFiles::undecodableFolderNamesAreRemovableExactly()
{
    // A store under a folder whose name is not UTF-8, beside one whose name a
    // lossy decoder would print the same way.
    const QByteArray base = raw(m_base) + "/store-\xff";
    const QByteArray twin = raw(m_base) + "/store-\xfe";
    const QByteArray chats = base + "/tmp/" + QByteArray(64, 'd') + "/chats";
    const QByteArray twinChats = twin + "/tmp/" + QByteArray(64, 'd') + "/chats";
    for (const QByteArray &dir :
         {base, base + "/tmp", base + "/tmp/" + QByteArray(64, 'd'), chats, twin, twin + "/tmp",
          twin + "/tmp/" + QByteArray(64, 'd'), twinChats})
        QVERIFY(::mkdir(dir.constData(), 0755) == 0 || errno == EEXIST);
    const QString id = newId();
    const QByteArray bytes = lockBytes(deadPid(), QDateTime::currentMSecsSinceEpoch() - kHour, id);
    for (const QByteArray &dir : {chats, twinChats}) {
        const int fd = ::open((dir + '/' + id.toLatin1() + ".lock").constData(),
                              O_CREAT | O_WRONLY | O_EXCL, 0644);
        QVERIFY(fd >= 0);
        QCOMPARE(::write(fd, bytes.constData(), size_t(bytes.size())), ssize_t(bytes.size()));
        ::close(fd);
    }

    // `lockscope remove` with the path as raw bytes, through a shell so that
    // no layer decodes it.
    QProcess shell;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("LOCKSCOPE_AUDIT_LOG", m_base + "/audit-raw.jsonl");
    env.insert("TARGET_PATH_HEX",
               QString::fromLatin1((chats + '/' + id.toLatin1() + ".lock").toHex()));
    env.insert("LOCKSCOPE", lockscopeProgram());
    shell.setProcessEnvironment(env);
    shell.start(
        "sh", {"-c", "\"$LOCKSCOPE\" remove \"$(printf '%s' \"$TARGET_PATH_HEX\" | xxd -r -p)\""});
    if (!shell.waitForFinished(kBoundMs))
        QFAIL("remove did not finish");
    if (shell.exitCode() == 127)
        QSKIP("xxd is not installed");
    QVERIFY2(shell.exitCode() == 0, shell.readAllStandardOutput() + shell.readAllStandardError());
    struct stat st
    {
    };
    QCOMPARE(::stat((chats + '/' + id.toLatin1() + ".lock").constData(), &st), -1);
    QCOMPARE(::stat((twinChats + '/' + id.toLatin1() + ".lock").constData(), &st), 0);

    // The audit log kept the raw bytes, so restore puts it back exactly there.
    QProcess restore;
    restore.setProcessEnvironment(env);
    QFile log(m_base + "/audit-raw.jsonl");
    QVERIFY(log.open(QIODevice::ReadOnly));
    const QString auditId = QJsonDocument::fromJson(log.readLine()).object().value("id").toString();
    restore.start(lockscopeProgram(), {"restore", auditId});
    QVERIFY(restore.waitForFinished(kBoundMs));
    QCOMPARE(restore.exitCode(), 0);
    QCOMPARE(::stat((chats + '/' + id.toLatin1() + ".lock").constData(), &st), 0);

    for (const QByteArray &dir : {chats, twinChats})
        ::unlink((dir + '/' + id.toLatin1() + ".lock").constData());
    for (const QByteArray &top : {base, twin}) {
        ::rmdir((top + "/tmp/" + QByteArray(64, 'd') + "/chats").constData());
        ::rmdir((top + "/tmp/" + QByteArray(64, 'd')).constData());
        ::rmdir((top + "/tmp").constData());
        ::rmdir(top.constData());
    }
}

namespace {

// A process table that deletes the chats folder the first time it is asked.
class DeletingProbe final : public ProcessProbe
{
public:
    explicit DeletingProbe(QString dir)
        : m_dir(std::move(dir))
    {
    }
    HolderFacts probe(qint64 pid) const override
    {
        if (!m_done) {
            m_done = true;
            QDir(m_dir).removeRecursively();
        }
        return SystemProcessProbe::instance().probe(pid);
    }
    qint64 selfPid() const override { return ::getpid(); }

private:
    QString m_dir;
    mutable bool m_done = false;
};

} // namespace

void tst_HostileFiles::folderDeletedDuringTheScan()
{
    QTemporaryDir dir;
    const QString chats = dir.path() + "/tmp/" + QString(64, 'e') + "/chats";
    QVERIFY(QDir().mkpath(chats));
    const qint64 dead = deadPid();
    for (int i = 0; i < 50; ++i) {
        const QString id = newId();
        writeFile(chats + '/' + id + ".lock",
                  lockBytes(dead, QDateTime::currentMSecsSinceEpoch(), id));
    }
    DeletingProbe probe(chats);
    StoreScanner scanner(probe, SystemClock::instance());
    const StoreSnapshot snap = scanner.scan({{dir.path(), "test"}});
    QVERIFY(!QFileInfo::exists(chats));
    // The entry being judged when the folder went may still be listed; the
    // rest vanished and are dropped without a message.
    QVERIFY2(snap.locks.size() <= 1, qPrintable(QString::number(snap.locks.size())));
    QVERIFY(snap.problems.isEmpty());
}

QTEST_GUILESS_MAIN(tst_HostileFiles)
#include "tst_hostilefiles.moc"
