#include "auditlog.h"
#include "timestamp.h"

#include "testsupport.h"

#include <QDateTime>
#include <QDirIterator>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QSysInfo>
#include <QTemporaryDir>
#include <QTest>

#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace lockscope;
using namespace lockscope::test;

namespace {

const QString kWebapp =
    QStringLiteral("8a25376b64fb964a267361a525300880d925db61da316065ac206e1dc1c9308b");
const QString kApi =
    QStringLiteral("4a9d639f49e85907a2973f057fbd0aa01c6bc3cb7dcf82b256a06098d002069c");
const QString kOld =
    QStringLiteral("1d2153cbefce8414b5fa5cf06404ef93d4ac38b250e8f635c166db23587628dd");

const QString kClosed = QStringLiteral("3f0c6d1e-8a2b-4c5d-9e7f-0a1b2c3d4e5f");
const QString kNamed = QStringLiteral("7b9e2f4a-1c3d-4e5f-8a6b-9c0d1e2f3a4b");
const QString kCrashed = QStringLiteral("c2d4e6f8-0a1b-4c3d-8e5f-7a9b0c1d2e3f");
const QString kNoRecording = QStringLiteral("e1f2a3b4-c5d6-4e7f-8091-a2b3c4d5e6f7");
const QString kGuarded = QStringLiteral("0d9c8b7a-6f5e-4d3c-9b2a-1f0e9d8c7b6a");
const QString kLegacySession = QStringLiteral("1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d");

const QString kGuardedLock = kGuarded + QStringLiteral(".lock");
const QString kGuard = kGuardedLock + QStringLiteral(".tguard");
const QString kTemp = QStringLiteral(
    "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a.lock.4c5d6e7f-8091-4a2b-9c3d-4e5f60718293.locktmp");
const QString kLegacyLock = QStringLiteral("2026-12-04T15-20-03-1a2b3c4d-5e6.lock");
const QString kLease = QStringLiteral(".llxprt-janitor.lease");

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

QByteArray raw(const QString &path)
{
    return QFile::encodeName(path);
}

QByteArray readBytes(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return QByteArray("<unreadable>");
    return file.readAll();
}

struct Run
{
    int code = -1;
    QByteArray out;
    QByteArray err;

    QByteArray describe() const
    {
        return "exit " + QByteArray::number(code) + "\nstdout:\n" + out + "\nstderr:\n" + err;
    }
};

// The environment of every lockscope run: no llxprt override from the machine,
// state and audit log inside the test's own folders.
QProcessEnvironment environment(const QString &stateHome, const QString &home,
                                const QString &auditLog)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("LLXPRT_LOG_HOME"));
    env.remove(QStringLiteral("LLXPRT_CONFIG_HOME"));
    env.insert(QStringLiteral("XDG_STATE_HOME"), stateHome);
    env.insert(QStringLiteral("HOME"), home);
    env.insert(QStringLiteral("LOCKSCOPE_AUDIT_LOG"), auditLog);
    return env;
}

Run runLockscope(const QStringList &args, const QProcessEnvironment &env, bool asNobody = false,
                 int timeoutMs = 20000)
{
    QProcess p;
    p.setProcessEnvironment(env);
    if (asNobody)
        p.start(QStringLiteral("runuser"),
                QStringList{QStringLiteral("-u"), QStringLiteral("nobody"), QStringLiteral("--"),
                            lockscopeProgram()} +
                    args);
    else
        p.start(lockscopeProgram(), args);
    Run r;
    if (!p.waitForStarted(10000)) {
        r.err = "did not start: " + p.errorString().toUtf8();
        return r;
    }
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished(5000);
        r.code = -2;
        r.err = "timed out after " + QByteArray::number(timeoutMs / 1000) + " s; killed";
        return r;
    }
    r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -3;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

QJsonObject parseObject(const QByteArray &bytes)
{
    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson(bytes, &error);
    return error.error == QJsonParseError::NoError ? doc.object() : QJsonObject();
}

QString fileNameOf(const QJsonObject &entry)
{
    return entry.value(QLatin1String("path")).toString().section(QLatin1Char('/'), -1);
}

// The one entry of `array` whose path ends in /name; empty when none or several.
QJsonObject entryNamed(const QJsonArray &array, const QString &name)
{
    QJsonObject found;
    int count = 0;
    for (const QJsonValue &v : array) {
        if (fileNameOf(v.toObject()) == name) {
            found = v.toObject();
            ++count;
        }
    }
    return count == 1 ? found : QJsonObject();
}

QStringList stringList(const QJsonValue &value)
{
    QStringList list;
    for (const QJsonValue &v : value.toArray())
        list << v.toString();
    list.sort();
    return list;
}

// Every regular file under root with its bytes, keyed by relative path.
QMap<QString, QByteArray> filesUnder(const QString &root)
{
    QMap<QString, QByteArray> files;
    QDirIterator it(root, QDir::Files | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        if (!QFileInfo(path).isSymLink())
            files.insert(QDir(root).relativeFilePath(path), readBytes(path));
    }
    return files;
}

// Puts pid and timestamp into a copied payload, leaving every other byte as it was.
void rewritePayload(const QString &path, qint64 pid, qint64 stampMs)
{
    QByteArray bytes = readBytes(path);
    QString text = QString::fromUtf8(bytes);
    text.replace(QRegularExpression(QStringLiteral("\"pid\":-?[0-9]+")),
                 QStringLiteral("\"pid\":%1").arg(pid));
    text.replace(QRegularExpression(QStringLiteral("\"timestamp\":\"[^\"]*\"")),
                 QStringLiteral("\"timestamp\":\"%1\"").arg(formatTimestamp(stampMs)));
    QVERIFY2(text.contains(QStringLiteral("\"pid\":%1,").arg(pid)), qPrintable(path));
    writeFile(path, text.toUtf8());
}

void setMode(const QString &path, mode_t mode)
{
    QVERIFY2(::chmod(raw(path).constData(), mode) == 0, qPrintable(path));
}

void setOwner(const QString &path, uid_t uid)
{
    QVERIFY2(::chown(raw(path).constData(), uid, gid_t(uid == 0 ? 0 : 65534)) == 0,
             qPrintable(path));
}

constexpr uid_t kNobody = 65534;

} // namespace

class tst_CommandLine final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void withoutADisplayTheWindowSaysWhatToDo();

    void listJsonOnTheFixtureStore_data();
    void listJsonOnTheFixtureStore();
    void listTableAndSummary();
    void versionIsTheProjectVersion();
    void exitCodes_data();
    void exitCodes();
    void cleanDryRunRemovesNothing();
    void cleanRemovesExactlyTheStaleFiles();
    void removeForceAction_data();
    void removeForceAction();
    void removeNeverAction_data();
    void removeNeverAction();
    void restorePutsTheLockBack();
    void holdAcquiresAndReleasesOnSigterm();

    void otherUsersHolderIsHeld_data();
    void otherUsersHolderIsHeld();
    void ownershipAndDirectoryPermissions_data();
    void ownershipAndDirectoryPermissions();
    void readOnlyMount();

private:
    // A copy of the shared store under root with PIDs this test controls.
    void prepareStore(const QString &root, bool hardLinkGuard);
    void prepareStoreWithoutGuard(const QString &root);
    QString webappChats(const QString &root) const
    {
        return root + QStringLiteral("/state/llxprt-code/tmp/") + kWebapp +
               QStringLiteral("/chats");
    }
    QString apiChats(const QString &root) const
    {
        return root + QStringLiteral("/state/llxprt-code/tmp/") + kApi + QStringLiteral("/chats");
    }
    QString oldChats(const QString &root) const
    {
        return root + QStringLiteral("/home/.llxprt/tmp/") + kOld + QStringLiteral("/chats");
    }
    QProcessEnvironment storeEnvironment(const QString &root) const
    {
        return environment(root + QStringLiteral("/state"), root + QStringLiteral("/home"),
                           root + QStringLiteral("/audit/audit.jsonl"));
    }
    // For runs given explicit paths: discovery finds nothing of the machine's.
    QProcessEnvironment plainEnvironment(const QString &auditLog) const
    {
        return environment(m_sandbox.filePath(QStringLiteral("state")),
                           m_sandbox.filePath(QStringLiteral("home")), auditLog);
    }
    // A chats folder with one lock and its recording.
    QString lockWithRecording(const QString &chats, const QString &id, const QByteArray &payload);

    QTemporaryDir m_sandbox;
    std::unique_ptr<LiveChild> m_live;
    qint64 m_dead = 0;
    qint64 m_liveStampMs = 0;
};

void tst_CommandLine::initTestCase()
{
    QVERIFY(m_sandbox.isValid());
    QVERIFY(QDir().mkpath(m_sandbox.filePath(QStringLiteral("state"))));
    QVERIFY(QDir().mkpath(m_sandbox.filePath(QStringLiteral("home"))));
    // Nothing this test runs may write the user's audit log.
    qputenv("LOCKSCOPE_AUDIT_LOG", raw(m_sandbox.filePath(QStringLiteral("stray-audit.jsonl"))));

    m_live = std::make_unique<LiveChild>();
    QVERIFY(m_live->pid() > 0);
    m_dead = deadPid();
    QVERIFY(m_dead > 0);
    QVERIFY(QFileInfo::exists(sharedFixture() + QStringLiteral("/MANIFEST.md")));
}

void tst_CommandLine::cleanupTestCase()
{
    m_live.reset();
    QVERIFY2(!QFileInfo::exists(m_sandbox.filePath(QStringLiteral("stray-audit.jsonl"))),
             "a run wrote to the default audit log");
}

void tst_CommandLine::prepareStore(const QString &root, bool hardLinkGuard)
{
    QVERIFY(copyTree(sharedFixture(), root));
    const qint64 now = nowMs();
    m_liveStampMs = now;

    // c2d4e6f8: its holder is alive again, as if the session had been resumed.
    rewritePayload(webappChats(root) + QLatin1Char('/') + kCrashed + QStringLiteral(".lock"),
                   m_live->pid(), now);
    rewritePayload(webappChats(root) + QLatin1Char('/') + kNoRecording + QStringLiteral(".lock"),
                   m_dead, now - kHour);
    rewritePayload(apiChats(root) + QLatin1Char('/') + kGuardedLock, m_dead, now - kHour);
    rewritePayload(oldChats(root) + QLatin1Char('/') + kLegacyLock, m_dead, now - kHour);
    const QString temp = apiChats(root) + QLatin1Char('/') + kTemp;
    rewritePayload(temp, m_dead, now - 10 * kMinute);
    setMtime(temp, now - 10 * kMinute);

    const QString guard = apiChats(root) + QLatin1Char('/') + kGuard;
    if (hardLinkGuard) {
        // git stores the guard as a copy; on disk llxprt makes it a hard link.
        QVERIFY(QFile::remove(guard));
        QCOMPARE(::link(raw(apiChats(root) + QLatin1Char('/') + kGuardedLock).constData(),
                        raw(guard).constData()),
                 0);
    } else {
        rewritePayload(guard, m_dead, now - kHour);
    }
    QVERIFY(QDir().mkpath(root + QStringLiteral("/audit")));
}

QString tst_CommandLine::lockWithRecording(const QString &chats, const QString &id,
                                           const QByteArray &payload)
{
    QDir().mkpath(chats);
    writeFile(chats + QLatin1Char('/') + recordingName(id), headerLine(id));
    const QString path = chats + QLatin1Char('/') + id + QStringLiteral(".lock");
    writeFile(path, payload);
    return path;
}

void tst_CommandLine::listJsonOnTheFixtureStore_data()
{
    QTest::addColumn<bool>("hardLinkGuard");
    QTest::newRow("guard is a fresh hard link of the lock: a transition is running") << true;
    QTest::newRow("guard is a fresh copy naming the dead holder: it may be a taker's") << false;
}

void tst_CommandLine::listJsonOnTheFixtureStore()
{
    QFETCH(bool, hardLinkGuard);

    QTemporaryDir tmp;
    const QString root = tmp.filePath(QStringLiteral("store"));
    prepareStore(root, hardLinkGuard);
    if (QTest::currentTestFailed())
        return;

    const qint64 before = nowMs();
    const Run r =
        runLockscope({QStringLiteral("list"), QStringLiteral("--json")}, storeEnvironment(root));
    const qint64 after = nowMs();
    QVERIFY2(r.code == 0, r.describe().constData());
    const QJsonObject json = parseObject(r.out);
    QVERIFY2(!json.isEmpty(), r.out.constData());

    QCOMPARE(json.value(QLatin1String("schemaVersion")).toInt(), 1);
    const ParsedTimestamp generated =
        parseTimestamp(json.value(QLatin1String("generatedAt")).toString());
    QVERIFY(generated.valid);
    QVERIFY(generated.msSinceEpoch >= before - 1000 && generated.msSinceEpoch <= after + 1000);
    QCOMPARE(json.value(QLatin1String("hostname")).toString(), QSysInfo::machineHostName());

    // Roots: llxprt's default under $XDG_STATE_HOME, then the legacy ~/.llxprt one.
    const QJsonArray roots = json.value(QLatin1String("roots")).toArray();
    QCOMPARE(roots.size(), 2);
    QCOMPARE(roots.at(0)[QLatin1String("path")].toString(),
             root + QStringLiteral("/state/llxprt-code/tmp"));
    QVERIFY2(
        roots.at(0)[QLatin1String("source")].toString().contains(QLatin1String("XDG_STATE_HOME")),
        qPrintable(roots.at(0)[QLatin1String("source")].toString()));
    QCOMPARE(roots.at(1)[QLatin1String("path")].toString(),
             root + QStringLiteral("/home/.llxprt/tmp"));
    QVERIFY2(roots.at(1)[QLatin1String("source")].toString().contains(QLatin1String("legacy")),
             qPrintable(roots.at(1)[QLatin1String("source")].toString()));

    // Sessions: one per recording, paired with its lock through the header's id,
    // plus one for the lock whose session never wrote a recording.
    const QJsonArray sessions = json.value(QLatin1String("sessions")).toArray();
    QHash<QString, QJsonObject> byId;
    for (const QJsonValue &v : sessions)
        byId.insert(v[QLatin1String("sessionId")].toString(), v.toObject());
    QCOMPARE(sessions.size(), 6);
    QCOMPARE(QSet<QString>(byId.keyBegin(), byId.keyEnd()),
             (QSet<QString>{kClosed, kNamed, kCrashed, kNoRecording, kGuarded, kLegacySession}));

    const QJsonObject named = byId.value(kNamed);
    QVERIFY(named.value(QLatin1String("recording"))
                .toString()
                .endsWith(QLatin1String("/chats/session-2026-12-04T15-20-03-7b9e2f4a-1c3.jsonl")));
    QCOMPARE(named.value(QLatin1String("name")).toString(), QStringLiteral("ci-investigation"));
    // docs/json-schema.md: "title" is the session's name, else its title, else its
    // first human message. This session was named and has no session_metadata.
    QCOMPARE(named.value(QLatin1String("title")).toString(), QStringLiteral("ci-investigation"));
    QCOMPARE(named.value(QLatin1String("provider")).toString(), QStringLiteral("anthropic"));
    QCOMPARE(named.value(QLatin1String("model")).toString(), QStringLiteral("claude-opus-4"));
    QCOMPARE(named.value(QLatin1String("startTime")).toString(),
             QStringLiteral("2026-12-04T15:20:03.291Z"));
    QCOMPARE(named.value(QLatin1String("sizeBytes")).toInteger(), 1112);
    const QJsonArray checkpoints = named.value(QLatin1String("checkpoints")).toArray();
    QCOMPARE(checkpoints.size(), 1);
    QCOMPARE(checkpoints.at(0)[QLatin1String("name")].toString(),
             QStringLiteral("before-refactor"));
    QCOMPARE(checkpoints.at(0)[QLatin1String("id")].toString(),
             QStringLiteral("5bfde35e-2228-4c5a-9d56-a066d5da928a"));
    QVERIFY(named.value(QLatin1String("lock")).isNull());
    QVERIFY(byId.value(kClosed).value(QLatin1String("lock")).isNull());

    const QJsonObject crashed = byId.value(kCrashed);
    QCOMPARE(crashed.value(QLatin1String("title")).toString(),
             QStringLiteral("Investigate CI-only build failure"));
    QVERIFY(crashed.value(QLatin1String("lock"))
                .toString()
                .endsWith(QLatin1Char('/') + kCrashed + QStringLiteral(".lock")));
    QCOMPARE(byId.value(kClosed).value(QLatin1String("provider")).toString(),
             QStringLiteral("anthropic"));
    QCOMPARE(byId.value(kLegacySession).value(QLatin1String("title")).toString(),
             QStringLiteral("Investigate CI-only build failure"));
    const QJsonObject noRecording = byId.value(kNoRecording);
    QVERIFY(noRecording.value(QLatin1String("recording")).isNull());
    QVERIFY(noRecording.value(QLatin1String("lock"))
                .toString()
                .endsWith(QLatin1Char('/') + kNoRecording + QStringLiteral(".lock")));
    QVERIFY(byId.value(kGuarded)
                .value(QLatin1String("lock"))
                .toString()
                .endsWith(QLatin1Char('/') + kGuardedLock));
    // The 0.10-era lock is keyed by the recording's file name, not by the id.
    QVERIFY(byId.value(kLegacySession)
                .value(QLatin1String("lock"))
                .toString()
                .endsWith(QLatin1Char('/') + kLegacyLock));

    // Locks: every lock-like file and unknown entry, never a recording.
    const QJsonArray locks = json.value(QLatin1String("locks")).toArray();
    QStringList names;
    for (const QJsonValue &v : locks)
        names << fileNameOf(v.toObject());
    names.sort();
    QStringList expectedNames{kLease,
                              kGuardedLock,
                              kGuard,
                              kTemp,
                              QStringLiteral("archive"),
                              QStringLiteral("notes.lock"),
                              kCrashed + QStringLiteral(".lock"),
                              kNoRecording + QStringLiteral(".lock"),
                              kLegacyLock};
    expectedNames.sort();
    QCOMPARE(names, expectedNames);

    struct Expected
    {
        QString name, kind, verdict, cause;
        QStringList flags;
        QString action;
        int upstreamInUse; // -1: not a lock, not compared
        int janitorRemoves;
    };
    const QString transition = QStringLiteral("in-transition");
    const QVector<Expected> expected{
        {kCrashed + QStringLiteral(".lock"), "lock", "held", "", {}, "keep", 1, 0},
        {kNoRecording + QStringLiteral(".lock"),
         "lock",
         "stale",
         "holder-exited",
         {QStringLiteral("orphaned")},
         "remove",
         0,
         1},
        // The guard makes llxprt's janitor skip the lock: it cannot take the guard.
        // A guard made less than 5 minutes ago keeps its lock in transition,
        // whether it is a link of the lock or a separate file: a taker that has
        // just replaced the lock still holds a guard with the victim's payload.
        Expected{kGuardedLock, "lock", transition, "", {}, "keep", 0, 0},
        Expected{kGuard, "guard", transition, "", {}, "keep", -1, -1},
        {kTemp, "temp", "stale", "holder-exited", {}, "remove", -1, -1},
        {QStringLiteral("notes.lock"), "", "not-a-lock", "", {}, "never", -1, -1},
        {QStringLiteral("archive"), "unknown", "not-a-lock", "", {}, "never", -1, -1},
        // The janitor never visits the 0.9.x root.
        {kLegacyLock,
         "legacy-lock",
         "stale",
         "holder-exited",
         {QStringLiteral("legacy")},
         "remove",
         0,
         0},
    };
    for (const Expected &e : expected) {
        const QJsonObject lock = entryNamed(locks, e.name);
        QVERIFY2(!lock.isEmpty(), qPrintable(e.name));
        const QByteArray where = e.name.toUtf8();
        if (!e.kind.isEmpty())
            QCOMPARE(lock.value(QLatin1String("kind")).toString() + " " + where,
                     e.kind + " " + where);
        QCOMPARE(lock.value(QLatin1String("verdict")).toString() + " " + where,
                 e.verdict + " " + where);
        QCOMPARE(lock.value(QLatin1String("cause")).toString() + " " + where,
                 e.cause + " " + where);
        if (e.cause.isEmpty())
            QVERIFY2(lock.value(QLatin1String("cause")).isNull(), where.constData());
        QStringList flags = stringList(lock.value(QLatin1String("flags")));
        flags.removeAll(QStringLiteral("not-llxprt")); // evidence about the test's holder program
        QCOMPARE(flags.join(',') + " " + where, e.flags.join(',') + " " + where);
        QCOMPARE(lock.value(QLatin1String("action")).toString() + " " + where,
                 e.action + " " + where);
        QVERIFY2(!lock.value(QLatin1String("reason")).toString().isEmpty(), where.constData());
        if (e.upstreamInUse >= 0) {
            QCOMPARE(lock.value(QLatin1String("upstreamInUse")).toBool(), e.upstreamInUse == 1);
            QCOMPARE(lock.value(QLatin1String("upstreamJanitorRemoves")).toBool(),
                     e.janitorRemoves == 1);
        }
    }

    // The payload facts are the ones written into the copy.
    const QJsonObject live = entryNamed(locks, kCrashed + QStringLiteral(".lock"));
    QCOMPARE(live.value(QLatin1String("pid")).toInteger(), m_live->pid());
    QCOMPARE(live.value(QLatin1String("timestamp")).toString(), formatTimestamp(m_liveStampMs));
    QCOMPARE(live.value(QLatin1String("sessionId")).toString(), kCrashed);
    const QJsonObject holder = live.value(QLatin1String("holder")).toObject();
    QCOMPARE(holder.value(QLatin1String("alive")).toBool(), true);
    QCOMPARE(holder.value(QLatin1String("eperm")).toBool(), false);
    QCOMPARE(holder.value(QLatin1String("uid")).toInteger(), qint64(::geteuid()));
    QVERIFY(!holder.value(QLatin1String("startTime")).isNull());
    QCOMPARE(crashed.value(QLatin1String("lockVerdict")).toString(), QStringLiteral("held"));

    const QJsonObject dead = entryNamed(locks, kNoRecording + QStringLiteral(".lock"));
    QCOMPARE(dead.value(QLatin1String("pid")).toInteger(), m_dead);
    QCOMPARE(dead.value(QLatin1String("holder")).toObject().value(QLatin1String("alive")).toBool(),
             false);
    const qint64 age = dead.value(QLatin1String("lockAgeSeconds")).toInteger();
    QVERIFY2(age >= 3600 && age < 3600 + 120, qPrintable(QString::number(age)));

    // The janitor lease names host "devbox" and a heartbeat long past: unless this
    // machine is that host, its PID cannot be judged here.
    const QJsonObject lease = entryNamed(locks, kLease);
    QCOMPARE(lease.value(QLatin1String("kind")).toString(), QStringLiteral("lease"));
    const qint64 beatAge =
        nowMs() - parseTimestamp(QStringLiteral("2026-12-04T15:18:30.000Z")).msSinceEpoch;
    if (QSysInfo::machineHostName() != QLatin1String("devbox") && beatAge > 10 * kMinute) {
        QCOMPARE(lease.value(QLatin1String("verdict")).toString(), QStringLiteral("unverifiable"));
        QCOMPARE(lease.value(QLatin1String("action")).toString(), QStringLiteral("force"));
    }
}

void tst_CommandLine::versionIsTheProjectVersion()
{
    QTemporaryDir tmp;
    const Run r =
        runLockscope({QStringLiteral("--version")},
                     environment(tmp.path(), tmp.path(), tmp.filePath(QStringLiteral("a"))));
    QVERIFY2(r.code == 0, r.describe().constData());
    // LOCKSCOPE_VERSION is CMake's PROJECT_VERSION, for the tests as for lockscope.
    QCOMPARE(r.out, QByteArray("lockscope " LOCKSCOPE_VERSION "\n"));
}

void tst_CommandLine::listTableAndSummary()
{
    QTemporaryDir tmp;
    const QString root = tmp.filePath(QStringLiteral("store"));
    prepareStore(root, false);
    if (QTest::currentTestFailed())
        return;

    const Run json =
        runLockscope({QStringLiteral("list"), QStringLiteral("--json")}, storeEnvironment(root));
    QCOMPARE(json.code, 0);
    const QJsonArray locks = parseObject(json.out).value(QLatin1String("locks")).toArray();
    QVERIFY(!locks.isEmpty());

    const Run table = runLockscope({QStringLiteral("list")}, storeEnvironment(root));
    QVERIFY2(table.code == 0, table.describe().constData());
    const QStringList lines = QString::fromUtf8(table.out).split(QLatin1Char('\n'));
    QVERIFY(lines.size() > locks.size() + 2);

    // A header row naming the columns, one row per file, the FILE column aligned.
    const QString header = lines.first();
    QVERIFY2(header.startsWith(QLatin1String("VERDICT")), qPrintable(header));
    const int fileColumn = int(header.indexOf(QLatin1String("FILE")));
    const int actionColumn = int(header.indexOf(QLatin1String("ACTION")));
    QVERIFY(fileColumn > 0 && actionColumn > 0);
    QSet<QString> rowFiles;
    for (int i = 1; i <= locks.size(); ++i) {
        const QString &row = lines.at(i);
        QVERIFY2(row.size() > fileColumn && row.at(fileColumn - 1) == QLatin1Char(' ') &&
                     row.at(fileColumn) != QLatin1Char(' '),
                 qPrintable(row));
        const QString file = row.mid(fileColumn);
        rowFiles.insert(file);
        const QJsonObject lock = entryNamed(locks, file);
        QVERIFY2(!lock.isEmpty(), qPrintable(row));
        QVERIFY2(row.startsWith(lock.value(QLatin1String("verdict")).toString()), qPrintable(row));
        QCOMPARE(row.mid(actionColumn).section(QLatin1Char(' '), 0, 0),
                 lock.value(QLatin1String("action")).toString());
    }
    QCOMPARE(rowFiles.size(), locks.size());

    // After the table: a summary naming the counts.
    const QString rest = lines.mid(locks.size() + 1).join(QLatin1Char('\n'));
    QVERIFY2(rest.contains(QStringLiteral("%1 files").arg(locks.size())), qPrintable(rest));
    QVERIFY2(rest.contains(QLatin1String("6 sessions")), qPrintable(rest));
}

void tst_CommandLine::exitCodes_data()
{
    QTest::addColumn<QString>("situation");
    QTest::addColumn<int>("exitCode");

    QTest::newRow("--fail-on-stale with a stale lock") << "stale" << 3;
    QTest::newRow("--fail-on-stale with only a held lock") << "held" << 0;
    QTest::newRow("plain list with a stale lock") << "stale-plain" << 0;
    QTest::newRow("a PATH that does not exist") << "missing" << 2;
    QTest::newRow("an unknown command") << "unknown-command" << 2;
    QTest::newRow("an unknown option") << "unknown-option" << 2;
}

void tst_CommandLine::exitCodes()
{
    QFETCH(QString, situation);
    QFETCH(int, exitCode);

    QTemporaryDir tmp;
    const QString chats = tmp.filePath(QStringLiteral("chats"));
    const QString id = newId();
    const qint64 holderPid = situation == QLatin1String("held") ? m_live->pid() : m_dead;
    lockWithRecording(chats, id, lockBytes(holderPid, nowMs(), id));
    const QString missing = tmp.filePath(QStringLiteral("no/such/store"));

    QStringList args;
    if (situation == QLatin1String("stale") || situation == QLatin1String("held"))
        args = {QStringLiteral("list"), QStringLiteral("--fail-on-stale"), chats};
    else if (situation == QLatin1String("stale-plain"))
        args = {QStringLiteral("list"), chats};
    else if (situation == QLatin1String("missing"))
        args = {QStringLiteral("list"), missing};
    else if (situation == QLatin1String("unknown-command"))
        args = {QStringLiteral("frobnicate"), chats};
    else
        args = {QStringLiteral("list"), QStringLiteral("--no-such-option"), chats};

    // A command-line error answers in milliseconds; anything slower is a window opening.
    const Run r = runLockscope(args, plainEnvironment(tmp.filePath(QStringLiteral("audit.jsonl"))),
                               false, 5000);
    QVERIFY2(r.code == exitCode, r.describe().constData());
    if (situation == QLatin1String("missing"))
        QVERIFY2(r.err.contains(raw(missing)), r.describe().constData());
    if (exitCode == 2)
        QVERIFY2(!r.err.isEmpty(), r.describe().constData());
}

// The shared store without its guard file: a guard copied a moment ago counts
// as a running transition, and without it the guarded lock is plainly stale.
void tst_CommandLine::prepareStoreWithoutGuard(const QString &root)
{
    prepareStore(root, false);
    if (QTest::currentTestFailed())
        return;
    QVERIFY(QFile::remove(root + QStringLiteral("/state/llxprt-code/tmp/") + kApi +
                          QStringLiteral("/chats/") + kGuard));
}

void tst_CommandLine::cleanDryRunRemovesNothing()
{
    QTemporaryDir tmp;
    const QString root = tmp.filePath(QStringLiteral("store"));
    prepareStoreWithoutGuard(root);
    if (QTest::currentTestFailed())
        return;
    const QMap<QString, QByteArray> before = filesUnder(root);

    const Run plain = runLockscope({QStringLiteral("clean"), QStringLiteral("--dry-run")},
                                   storeEnvironment(root));
    QVERIFY2(plain.code == 0, plain.describe().constData());
    const Run json = runLockscope(
        {QStringLiteral("clean"), QStringLiteral("--dry-run"), QStringLiteral("--json")},
        storeEnvironment(root));
    QVERIFY2(json.code == 0, json.describe().constData());

    QCOMPARE(filesUnder(root), before);
    QVERIFY(!QFileInfo::exists(root + QStringLiteral("/audit/audit.jsonl")));

    QSet<QString> planned;
    for (const QJsonValue &v : parseObject(json.out).value(QLatin1String("planned")).toArray())
        planned.insert(fileNameOf(v.toObject()));
    QCOMPARE(planned, (QSet<QString>{kNoRecording + QStringLiteral(".lock"), kGuardedLock, kTemp,
                                     kLegacyLock}));
    for (const QString &name : planned)
        QVERIFY2(plain.out.contains(name.toUtf8()), plain.describe().constData());
}

void tst_CommandLine::cleanRemovesExactlyTheStaleFiles()
{
    QTemporaryDir tmp;
    const QString root = tmp.filePath(QStringLiteral("store"));
    prepareStoreWithoutGuard(root);
    if (QTest::currentTestFailed())
        return;
    const QMap<QString, QByteArray> before = filesUnder(root);
    const QString state = QStringLiteral("state/llxprt-code/tmp/");
    const QSet<QString> removable{
        state + kWebapp + QStringLiteral("/chats/") + kNoRecording + QStringLiteral(".lock"),
        state + kApi + QStringLiteral("/chats/") + kGuardedLock,
        state + kApi + QStringLiteral("/chats/") + kTemp,
        QStringLiteral("home/.llxprt/tmp/") + kOld + QStringLiteral("/chats/") + kLegacyLock};
    for (const QString &path : removable)
        QVERIFY2(before.contains(path), qPrintable(path));

    const Run r =
        runLockscope({QStringLiteral("clean"), QStringLiteral("--json")}, storeEnvironment(root));
    QVERIFY2(r.code == 0, r.describe().constData());
    const QJsonObject json = parseObject(r.out);
    const QJsonArray results = json.value(QLatin1String("results")).toArray();

    // One outcome per removable file; a guard removed together with its lock
    // may be reported as already gone.
    QSet<QString> reported;
    for (const QJsonValue &v : results) {
        const QString path = QDir(root).relativeFilePath(v[QLatin1String("path")].toString());
        const QString outcome = v[QLatin1String("outcome")].toString();
        reported.insert(path);
        QVERIFY2(outcome == QLatin1String("removed") || (path.endsWith(QLatin1String(".tguard")) &&
                                                         outcome == QLatin1String("already-gone")),
                 qPrintable(path + QStringLiteral(": ") + outcome));
    }
    QCOMPARE(reported, removable);

    // Exactly those files are gone; every recording, the archive, notes.lock,
    // the held lock and the lease are byte-identical.
    const QMap<QString, QByteArray> after = filesUnder(root);
    for (auto it = before.cbegin(); it != before.cend(); ++it) {
        if (removable.contains(it.key()))
            QVERIFY2(!after.contains(it.key()), qPrintable(it.key()));
        else
            QVERIFY2(after.value(it.key()) == it.value(), qPrintable(it.key()));
    }
    QStringList added = after.keys();
    for (const QString &key : before.keys())
        added.removeAll(key);
    QCOMPARE(added, QStringList{QStringLiteral("audit/audit.jsonl")});

    // The audit log holds each removed file's bytes, so it can be put back.
    AuditLog audit(root + QStringLiteral("/audit/audit.jsonl"));
    QSet<QString> audited;
    for (const AuditRecord &record : audit.records()) {
        const QString path = QDir(root).relativeFilePath(QString::fromUtf8(record.rawPath()));
        QCOMPARE(record.bytes, before.value(path));
        QCOMPARE(record.outcome, QStringLiteral("removed"));
        audited.insert(path);
    }
    QCOMPARE(audited, removable);

    // A second run finds nothing to do.
    const Run again =
        runLockscope({QStringLiteral("clean"), QStringLiteral("--json")}, storeEnvironment(root));
    QCOMPARE(again.code, 0);
    QCOMPARE(parseObject(again.out).value(QLatin1String("results")).toArray().size(), 0);
}

void tst_CommandLine::removeForceAction_data()
{
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<QString>("verdict");

    QTest::newRow("corrupt and changed a moment ago (busy)")
        << QByteArray("{\"pid\":4242,\"timesta") << "busy";
    QTest::newRow("payload names another host (unverifiable)")
        << QByteArray(
               "{\"pid\":4242,\"timestamp\":\"2026-12-04T15:20:03.589Z\",\"sessionId\":\"ID\","
               "\"ownerToken\":\"7f46ae57-34f1-4b2c-b2b2-f83b3c54b37d\",\"hostname\":"
               "\"elsewhere.example\"}")
        << "unverifiable";
}

void tst_CommandLine::removeForceAction()
{
    QFETCH(QByteArray, payload);
    QFETCH(QString, verdict);

    QTemporaryDir tmp;
    const QString id = newId();
    payload.replace("\"ID\"", "\"" + id.toLatin1() + "\"");
    const QString path = lockWithRecording(tmp.filePath(QStringLiteral("chats")), id, payload);
    const QString auditPath = tmp.filePath(QStringLiteral("audit.jsonl"));

    const Run list = runLockscope(
        {QStringLiteral("list"), QStringLiteral("--json"), tmp.filePath(QStringLiteral("chats"))},
        plainEnvironment(auditPath));
    const QJsonObject lock =
        entryNamed(parseObject(list.out).value(QLatin1String("locks")).toArray(),
                   id + QStringLiteral(".lock"));
    QCOMPARE(lock.value(QLatin1String("verdict")).toString(), verdict);
    QCOMPARE(lock.value(QLatin1String("action")).toString(), QStringLiteral("force"));

    const Run refused = runLockscope({QStringLiteral("remove"), path}, plainEnvironment(auditPath));
    QVERIFY2(refused.code == 1, refused.describe().constData());
    QVERIFY2(refused.out.startsWith("refused"), refused.describe().constData());
    QCOMPARE(readBytes(path), payload);

    const Run forced = runLockscope({QStringLiteral("remove"), QStringLiteral("--force"), path},
                                    plainEnvironment(auditPath));
    QVERIFY2(forced.code == 0, forced.describe().constData());
    QVERIFY(!QFileInfo::exists(path));
    const QVector<AuditRecord> records = AuditLog(auditPath).records();
    QCOMPARE(records.size(), 1);
    QCOMPARE(records.first().bytes, payload);
    QVERIFY(records.first().forced);
}

void tst_CommandLine::removeNeverAction_data()
{
    QTest::addColumn<QString>("what");
    QTest::newRow("notes.lock, whose name is not a session id") << "notes";
    QTest::newRow("a symlink named like a lock, pointing to a stale lock") << "symlink";
    QTest::newRow("a session recording") << "recording";
    QTest::newRow("a lock whose payload names another session") << "mismatch";
}

void tst_CommandLine::removeNeverAction()
{
    QFETCH(QString, what);

    QTemporaryDir tmp;
    const QString chats = tmp.filePath(QStringLiteral("chats"));
    const QString id = newId();
    // A stale lock of another session: the target of the link, and the payload of the mismatch.
    const QString other = newId();
    const QString target =
        lockWithRecording(chats, other, lockBytes(m_dead, nowMs() - kHour, other));
    const QByteArray targetBytes = readBytes(target);

    QString path;
    QByteArray bytes;
    if (what == QLatin1String("notes")) {
        path = chats + QStringLiteral("/notes.lock");
        bytes = "not a lock at all\n";
        writeFile(path, bytes);
    } else if (what == QLatin1String("symlink")) {
        path = chats + QLatin1Char('/') + id + QStringLiteral(".lock");
        QVERIFY(QFile::link(target, path));
    } else if (what == QLatin1String("recording")) {
        path = chats + QLatin1Char('/') + recordingName(other);
        bytes = readBytes(path);
    } else {
        bytes = lockBytes(m_dead, nowMs() - kHour, other);
        path = chats + QLatin1Char('/') + id + QStringLiteral(".lock");
        writeFile(path, bytes);
    }

    const QString auditPath = tmp.filePath(QStringLiteral("audit.jsonl"));
    for (const bool force : {false, true}) {
        QStringList args{QStringLiteral("remove")};
        if (force)
            args << QStringLiteral("--force");
        args << path;
        const Run r = runLockscope(args, plainEnvironment(auditPath));
        QVERIFY2(r.code == 1, r.describe().constData());
        QVERIFY2(r.out.startsWith("refused"), r.describe().constData());
        if (what == QLatin1String("symlink"))
            QCOMPARE(QFileInfo(path).symLinkTarget(), target);
        else
            QCOMPARE(readBytes(path), bytes);
        QCOMPARE(readBytes(target), targetBytes);
    }
    QCOMPARE(AuditLog(auditPath).records().size(), 0);
}

void tst_CommandLine::restorePutsTheLockBack()
{
    QTemporaryDir tmp;
    const QString id = newId();
    const QString path = lockWithRecording(tmp.filePath(QStringLiteral("chats")), id,
                                           lockBytes(m_dead, nowMs() - 2 * kHour, id));
    setMode(path, 0640);
    const QByteArray bytes = readBytes(path);
    const QProcessEnvironment env = plainEnvironment(tmp.filePath(QStringLiteral("audit.jsonl")));

    const Run removed =
        runLockscope({QStringLiteral("remove"), QStringLiteral("--json"), path}, env);
    QVERIFY2(removed.code == 0, removed.describe().constData());
    const QJsonObject result = parseObject(removed.out);
    QCOMPARE(result.value(QLatin1String("outcome")).toString(), QStringLiteral("removed"));
    const QString auditId = result.value(QLatin1String("auditId")).toString();
    QVERIFY2(!auditId.isEmpty(), removed.out.constData());
    QVERIFY(!QFileInfo::exists(path));

    const Run restored = runLockscope({QStringLiteral("restore"), auditId}, env);
    QVERIFY2(restored.code == 0, restored.describe().constData());
    QCOMPARE(readBytes(path), bytes);
    struct stat st
    {
    };
    QCOMPARE(::lstat(raw(path).constData(), &st), 0);
    QCOMPARE(st.st_mode & 07777, mode_t(0640));
    QVERIFY(S_ISREG(st.st_mode));
    QStringList leftovers = QDir(tmp.filePath(QStringLiteral("chats")))
                                .entryList(QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot);
    leftovers.sort();
    QCOMPARE(leftovers, (QStringList{id + QStringLiteral(".lock"), recordingName(id)}));

    const Run occupied = runLockscope({QStringLiteral("restore"), auditId}, env);
    QVERIFY2(occupied.code == 1, occupied.describe().constData());
    QVERIFY2(occupied.out.startsWith("occupied"), occupied.describe().constData());
    QCOMPARE(readBytes(path), bytes);

    const Run unknown = runLockscope({QStringLiteral("restore"), newId()}, env);
    QVERIFY2(unknown.code == 2, unknown.describe().constData());
}

void tst_CommandLine::holdAcquiresAndReleasesOnSigterm()
{
    QTemporaryDir tmp;
    const QString chats = tmp.filePath(QStringLiteral("chats"));
    const QString id = newId();
    const QString path = chats + QLatin1Char('/') + id + QStringLiteral(".lock");
    const QProcessEnvironment env = plainEnvironment(tmp.filePath(QStringLiteral("audit.jsonl")));

    QProcess hold;
    hold.setProcessEnvironment(env);
    hold.start(lockscopeProgram(), {QStringLiteral("hold"), chats, id});
    QVERIFY(hold.waitForStarted(10000));
    const auto stop = qScopeGuard([&] {
        if (hold.state() != QProcess::NotRunning) {
            hold.kill();
            hold.waitForFinished(5000);
        }
    });
    while (!hold.canReadLine())
        QVERIFY2(hold.waitForReadyRead(10000), hold.readAllStandardError().constData());
    const QString line = QString::fromUtf8(hold.readLine()).trimmed();
    const QRegularExpressionMatch m =
        QRegularExpression(QStringLiteral("^acquired (.+) pid (\\d+)$")).match(line);
    QVERIFY2(m.hasMatch(), qPrintable(line));
    QCOMPARE(m.captured(1), path);
    QCOMPARE(m.captured(2).toLongLong(), hold.processId());
    QCOMPARE(parseLockPayload(readBytes(path)).pid.value_or(-1), hold.processId());

    const Run list = runLockscope({QStringLiteral("list"), QStringLiteral("--json"), chats}, env);
    QCOMPARE(list.code, 0);
    const QJsonObject lock =
        entryNamed(parseObject(list.out).value(QLatin1String("locks")).toArray(),
                   id + QStringLiteral(".lock"));
    QCOMPARE(lock.value(QLatin1String("verdict")).toString(), QStringLiteral("held"));
    QCOMPARE(lock.value(QLatin1String("action")).toString(), QStringLiteral("keep"));
    QCOMPARE(lock.value(QLatin1String("upstreamInUse")).toBool(), true);

    const Run second = runLockscope({QStringLiteral("hold"), chats, id}, env);
    QVERIFY2(second.code == 1, second.describe().constData());
    QVERIFY(hold.state() == QProcess::Running);
    QCOMPARE(parseLockPayload(readBytes(path)).pid.value_or(-1), hold.processId());

    hold.terminate();
    QVERIFY(hold.waitForFinished(10000));
    QCOMPARE(hold.exitStatus(), QProcess::NormalExit);
    QCOMPARE(hold.exitCode(), 0);
    QVERIFY2(hold.readAllStandardOutput().startsWith("released"), "no release line");
    QVERIFY(!QFileInfo::exists(path));
    QCOMPARE(QDir(chats).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot),
             QStringList());
}

void tst_CommandLine::otherUsersHolderIsHeld_data()
{
    QTest::addColumn<bool>("holderIsNobody");
    QTest::addColumn<bool>("viewerIsNobody");
    QTest::addColumn<QString>("otherUid"); // empty: no other-user flag

    QTest::newRow("root's live holder seen by nobody (kill gives EPERM)") << false << true << "0";
    QTest::newRow("nobody's live holder seen by root") << true << false << "65534";
    QTest::newRow("root's live holder seen by root") << false << false << "";
}

void tst_CommandLine::otherUsersHolderIsHeld()
{
    if (::geteuid() != 0)
        QSKIP("needs root to run processes as another user");
    QFETCH(bool, holderIsNobody);
    QFETCH(bool, viewerIsNobody);
    QFETCH(QString, otherUid);

    QTemporaryDir tmp;
    setMode(tmp.path(), 0755);
    QVERIFY(QDir().mkpath(tmp.filePath(QStringLiteral("audit"))));
    setMode(tmp.filePath(QStringLiteral("audit")), 0777);
    const QString chats = tmp.filePath(QStringLiteral("chats"));

    QProcess holder;
    if (holderIsNobody)
        holder.start(QStringLiteral("runuser"),
                     {QStringLiteral("-u"), QStringLiteral("nobody"), QStringLiteral("--"),
                      holderProgram(), QStringLiteral("wait")});
    else
        holder.start(holderProgram(), {QStringLiteral("wait")});
    const auto stop = qScopeGuard([&] {
        holder.closeWriteChannel();
        if (!holder.waitForFinished(5000)) {
            holder.kill();
            holder.waitForFinished(5000);
        }
    });
    QVERIFY(holder.waitForStarted(10000));
    while (!holder.canReadLine())
        QVERIFY(holder.waitForReadyRead(10000));
    const qint64 pid = holder.readLine().trimmed().toLongLong();
    QVERIFY(pid > 0);

    const QString id = newId();
    lockWithRecording(chats, id, lockBytes(pid, nowMs(), id));

    const Run r = runLockscope({QStringLiteral("list"), QStringLiteral("--json"), chats},
                               plainEnvironment(tmp.filePath(QStringLiteral("audit/audit.jsonl"))),
                               viewerIsNobody);
    QVERIFY2(r.code == 0, r.describe().constData());
    const QJsonObject lock = entryNamed(parseObject(r.out).value(QLatin1String("locks")).toArray(),
                                        id + QStringLiteral(".lock"));
    QVERIFY2(!lock.isEmpty(), r.describe().constData());
    QCOMPARE(lock.value(QLatin1String("verdict")).toString(), QStringLiteral("held"));
    QCOMPARE(lock.value(QLatin1String("action")).toString(), QStringLiteral("keep"));
    const QStringList flags = stringList(lock.value(QLatin1String("flags")));
    QCOMPARE(flags.contains(QStringLiteral("other-user")), !otherUid.isEmpty());
    const QJsonObject facts = lock.value(QLatin1String("holder")).toObject();
    QCOMPARE(facts.value(QLatin1String("alive")).toBool(), true);
    QCOMPARE(facts.value(QLatin1String("eperm")).toBool(), viewerIsNobody && !holderIsNobody);
    if (!otherUid.isEmpty()) {
        const QString said = lock.value(QLatin1String("reason")).toString() + QLatin1Char(' ') +
                             lock.value(QLatin1String("otherUserReason")).toString();
        QVERIFY2(said.contains(QStringLiteral("uid ") + otherUid), qPrintable(said));
    }
}

void tst_CommandLine::ownershipAndDirectoryPermissions_data()
{
    QTest::addColumn<uint>("dirOwner");
    QTest::addColumn<int>("dirMode");
    QTest::addColumn<int>("fileMode");
    QTest::addColumn<qint64>("mtimeAgo");
    QTest::addColumn<QString>("verdict");
    QTest::addColumn<QStringList>("flags");
    QTest::addColumn<QString>("blocked"); // expected in the blocked reason and the clean-up text
    QTest::addColumn<QString>("cleanOutcome"); // empty: clean-up leaves it alone
    QTest::addColumn<QString>("cleanText");    // expected in the clean-up's message

    const QStringList other{QStringLiteral("other-user")};
    const QStringList otherBlocked{QStringLiteral("blocked"), QStringLiteral("other-user")};
    QTest::newRow("root's dead lock in a folder nobody owns: nobody may remove it")
        << uint(kNobody) << 0755 << 0644 << qint64(0) << "stale" << other << ""
        << "removed"
        << "";
    QTest::newRow("root's dead lock in a folder nobody cannot write")
        << 0u << 0755 << 0644 << qint64(0) << "stale" << otherBlocked
        << "no write permission on the directory"
        << "permission-denied"
        << "no write permission on the directory";
    QTest::newRow("a lock nobody cannot read, changed an hour ago")
        << uint(kNobody) << 0755 << 0000 << kHour << "busy" << otherBlocked << "cannot be read"
        << ""
        << "";
    QTest::newRow("a lock nobody cannot read, three days old: stale, never deleted unread")
        << uint(kNobody) << 0755 << 0000 << 72 * kHour << "stale" << otherBlocked
        << "cannot be read"
        << "permission-denied"
        << "cannot be read";
    QTest::newRow("root's dead lock in a sticky folder root owns")
        << 0u << 01777 << 0644 << qint64(0) << "stale" << otherBlocked << "sticky"
        << "permission-denied"
        << "";
}

void tst_CommandLine::ownershipAndDirectoryPermissions()
{
    if (::geteuid() != 0)
        QSKIP("needs root to play two users");
    QFETCH(uint, dirOwner);
    QFETCH(int, dirMode);
    QFETCH(int, fileMode);
    QFETCH(qint64, mtimeAgo);
    QFETCH(QString, verdict);
    QFETCH(QStringList, flags);
    QFETCH(QString, blocked);
    QFETCH(QString, cleanOutcome);
    QFETCH(QString, cleanText);

    QTemporaryDir tmp;
    setMode(tmp.path(), 0755);
    QVERIFY(QDir().mkpath(tmp.filePath(QStringLiteral("audit"))));
    setMode(tmp.filePath(QStringLiteral("audit")), 0777);
    const QString chats = tmp.filePath(QStringLiteral("chats"));
    const QString id = newId();
    const QByteArray bytes = lockBytes(m_dead, nowMs() - kHour, id);
    const QString path = lockWithRecording(chats, id, bytes);
    setMode(path, mode_t(fileMode));
    setMtime(path, nowMs() - mtimeAgo);
    setOwner(chats, dirOwner);
    setMode(chats, mode_t(dirMode));
    const QProcessEnvironment env =
        plainEnvironment(tmp.filePath(QStringLiteral("audit/audit.jsonl")));

    const Run list =
        runLockscope({QStringLiteral("list"), QStringLiteral("--json"), chats}, env, true);
    QVERIFY2(list.code == 0, list.describe().constData());
    const QJsonObject lock =
        entryNamed(parseObject(list.out).value(QLatin1String("locks")).toArray(),
                   id + QStringLiteral(".lock"));
    QVERIFY2(!lock.isEmpty(), list.describe().constData());
    QCOMPARE(lock.value(QLatin1String("verdict")).toString(), verdict);
    QCOMPARE(stringList(lock.value(QLatin1String("flags"))), flags);
    if (!blocked.isEmpty())
        QVERIFY2(lock.value(QLatin1String("blockedReason")).toString().contains(blocked),
                 qPrintable(lock.value(QLatin1String("blockedReason")).toString()));

    const Run clean =
        runLockscope({QStringLiteral("clean"), QStringLiteral("--json"), chats}, env, true);
    const QJsonArray results = parseObject(clean.out).value(QLatin1String("results")).toArray();
    const QJsonObject result = entryNamed(results, id + QStringLiteral(".lock"));
    if (cleanOutcome.isEmpty()) {
        QVERIFY2(clean.code == 0 && result.isEmpty(), clean.describe().constData());
    } else {
        QVERIFY2(!result.isEmpty(), clean.describe().constData());
        QCOMPARE(result.value(QLatin1String("outcome")).toString(), cleanOutcome);
        QVERIFY2(clean.code == (cleanOutcome == QLatin1String("removed") ? 0 : 1),
                 clean.describe().constData());
        QCOMPARE(result.value(QLatin1String("verdict")).toString(), verdict);
        if (!cleanText.isEmpty()) {
            QVERIFY2(result.value(QLatin1String("message")).toString().contains(cleanText),
                     clean.describe().constData());
        }
    }
    if (cleanOutcome == QLatin1String("removed")) {
        QVERIFY(!QFileInfo::exists(path));
    } else {
        QVERIFY(QFileInfo::exists(path));
        setMode(path, 0644);
        QCOMPARE(readBytes(path), bytes);
    }
    // No guard of the attempt is left behind.
    QVERIFY(!QFileInfo::exists(path + QStringLiteral(".tguard")));
}

void tst_CommandLine::readOnlyMount()
{
    if (::geteuid() != 0)
        QSKIP("needs root to bind-mount");

    QTemporaryDir tmp;
    const QString source = tmp.filePath(QStringLiteral("source"));
    const QString mounted = tmp.filePath(QStringLiteral("mounted"));
    QVERIFY(QDir().mkpath(mounted));
    const QString id = newId();
    const QByteArray bytes = lockBytes(m_dead, nowMs() - kHour, id);
    lockWithRecording(source + QStringLiteral("/chats"), id, bytes);

    QProcess mount;
    mount.start(QStringLiteral("mount"), {QStringLiteral("--bind"), QStringLiteral("-o"),
                                          QStringLiteral("ro"), source, mounted});
    if (!mount.waitForFinished(10000) || mount.exitCode() != 0)
        QSKIP(qPrintable(QStringLiteral("mount --bind -o ro is not possible here: ") +
                         QString::fromUtf8(mount.readAllStandardError())));
    const auto unmount = qScopeGuard([&] {
        QProcess umount;
        umount.start(QStringLiteral("umount"), {mounted});
        umount.waitForFinished(10000);
    });
    const QString probe = mounted + QStringLiteral("/chats/write-probe");
    const int fd = ::open(raw(probe).constData(), O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd >= 0) {
        ::close(fd);
        ::unlink(raw(probe).constData());
        QSKIP("the bind mount is writable: this kernel ignored -o ro");
    }
    QCOMPARE(errno, EROFS);

    const QString chats = mounted + QStringLiteral("/chats");
    const QProcessEnvironment env = plainEnvironment(tmp.filePath(QStringLiteral("audit.jsonl")));
    const Run list = runLockscope({QStringLiteral("list"), QStringLiteral("--json"), chats}, env);
    QVERIFY2(list.code == 0, list.describe().constData());
    const QJsonObject lock =
        entryNamed(parseObject(list.out).value(QLatin1String("locks")).toArray(),
                   id + QStringLiteral(".lock"));
    QCOMPARE(lock.value(QLatin1String("verdict")).toString(), QStringLiteral("stale"));
    QVERIFY(stringList(lock.value(QLatin1String("flags"))).contains(QStringLiteral("blocked")));
    QVERIFY2(lock.value(QLatin1String("blockedReason"))
                 .toString()
                 .contains(QLatin1String("read-only filesystem")),
             qPrintable(lock.value(QLatin1String("blockedReason")).toString()));

    const Run clean = runLockscope({QStringLiteral("clean"), QStringLiteral("--json"), chats}, env);
    QVERIFY2(clean.code == 1, clean.describe().constData());
    const QJsonObject result =
        entryNamed(parseObject(clean.out).value(QLatin1String("results")).toArray(),
                   id + QStringLiteral(".lock"));
    QCOMPARE(result.value(QLatin1String("outcome")).toString(), QStringLiteral("read-only"));
    QCOMPARE(readBytes(chats + QLatin1Char('/') + id + QStringLiteral(".lock")), bytes);
}

void tst_CommandLine::withoutADisplayTheWindowSaysWhatToDo()
{
    if (!LOCKSCOPE_TEST_GUI)
        QSKIP("built without the window");
    QTemporaryDir tmp;
    QProcessEnvironment env =
        environment(tmp.path(), tmp.path(), tmp.filePath(QStringLiteral("a")));
    env.remove(QStringLiteral("DISPLAY"));
    env.remove(QStringLiteral("WAYLAND_DISPLAY"));
    env.remove(QStringLiteral("QT_QPA_PLATFORM"));
    // No arguments, and a folder as the only argument: both mean the window.
    for (const QStringList &args : {QStringList{}, QStringList{tmp.path()}}) {
        const Run r = runLockscope(args, env);
        QVERIFY2(r.code == 2, r.describe().constData());
        QVERIFY2(r.err.contains("no display") && r.err.contains("lockscope list -v"),
                 r.describe().constData());
    }
    // A word that is neither a command nor a folder is a mistyped command.
    const Run typo = runLockscope({QStringLiteral("lits")}, env);
    QVERIFY2(typo.code == 2 && typo.err.contains("unknown command"), typo.describe().constData());
}

QTEST_GUILESS_MAIN(tst_CommandLine)
#include "tst_commandline.moc"
