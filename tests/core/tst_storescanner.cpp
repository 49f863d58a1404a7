// The store scanner on real files in temporary folders, with real child
// processes as holders. Each field report of cases/field-reports.md that
// concerns the core is one named test here.

#include "auditlog.h"
#include "lockmanager.h"
#include "lockremover.h"
#include "storescanner.h"
#include "testsupport.h"

#include <QCryptographicHash>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <unistd.h>

using namespace lockscope;
using namespace lockscope::test;

namespace {

// <tmp>/tmp/<project hash>/chats, created.
QString makeChats(const QTemporaryDir &root, const QByteArray &project = "/home/user/project")
{
    const QString hash =
        QString::fromLatin1(QCryptographicHash::hash(project, QCryptographicHash::Sha256).toHex());
    const QString chats = root.path() + QStringLiteral("/tmp/") + hash + QStringLiteral("/chats");
    QDir().mkpath(chats);
    return chats;
}

QVector<ScanTarget> targetsFor(const QString &path)
{
    return {{path, QStringLiteral("test")}};
}

const LockEntry *findLock(const StoreSnapshot &snap, const QString &fileName)
{
    for (const LockEntry &l : snap.locks) {
        if (QString::fromUtf8(l.fileName) == fileName)
            return &l;
    }
    return nullptr;
}

const SessionEntry *findSession(const StoreSnapshot &snap, const QString &id)
{
    for (const SessionEntry &s : snap.sessions) {
        if (s.sessionId == id)
            return &s;
    }
    return nullptr;
}

QString verdictOf(const StoreSnapshot &snap, const QString &fileName)
{
    const LockEntry *l = findLock(snap, fileName);
    if (!l)
        return QStringLiteral("(missing)");
    const QString cause = causeName(l->judgement.cause);
    return verdictName(l->judgement.verdict) +
           (cause.isEmpty() ? QString() : QLatin1Char('/') + cause);
}

// A lock and a transition guard that is a hard link of it, as llxprt makes one.
void writeLockWithLinkedGuard(const QString &chats, const QString &id, const QByteArray &bytes)
{
    writeFile(chats + '/' + id + ".lock", bytes);
    QCOMPARE(::link(QFile::encodeName(chats + '/' + id + ".lock").constData(),
                    QFile::encodeName(chats + '/' + id + ".lock.tguard").constData()),
             0);
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray("(unreadable)");
}

} // namespace

class tst_StoreScanner final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void sharedFixtureStore();
    void fr01_hundredsOfDeadLocksInABigStore();
    void fr02_transitionGuard();
    void fr03_malformedRecordingDoesNotBreakTheScan();
    void fr04_noPrefixMatching();
    void fr10_emptyOrTruncatedLocks();
    void fr11_leftoverPublicationTemps();
    void fr15_clocksThatJump();
    void fr17_olderThan48Hours();
    void fr18_lockWithoutRecording();
    void fr19_restoredBackup();
    void symlinkedFoldersAreNotFollowed();
    void oddNamesAndFileTypes();
    void unchangedRecordingsAreNotReadAgain();
    void piecesJoinIntoTheWholeScan();
    void folderRescanReadsOnlyThatFolder();

private:
    QTemporaryDir m_state;
};

void tst_StoreScanner::initTestCase()
{
    QVERIFY(m_state.isValid());
    qputenv("LOCKSCOPE_AUDIT_LOG", QFile::encodeName(m_state.path() + "/audit.jsonl"));
}

void tst_StoreScanner::sharedFixtureStore()
{
    QTemporaryDir dir;
    QVERIFY(copyTree(sharedFixture(), dir.path()));
    const QString tmp = dir.path() + "/state/llxprt-code/tmp";
    const QString api =
        tmp + "/4a9d639f49e85907a2973f057fbd0aa01c6bc3cb7dcf82b256a06098d002069c/chats";
    const QString web =
        tmp + "/8a25376b64fb964a267361a525300880d925db61da316065ac206e1dc1c9308b/chats";

    // The PIDs in the fixture belonged to another machine: give every holder a
    // PID known to be dead here, as the MANIFEST asks.
    const qint64 dead = deadPid();
    for (const QString &path : {api + "/0d9c8b7a-6f5e-4d3c-9b2a-1f0e9d8c7b6a.lock",
                                web + "/c2d4e6f8-0a1b-4c3d-8e5f-7a9b0c1d2e3f.lock",
                                web + "/e1f2a3b4-c5d6-4e7f-8091-a2b3c4d5e6f7.lock"}) {
        QByteArray bytes = readAll(path);
        bytes.replace(QRegularExpression(QStringLiteral("\"pid\":\\d+"))
                          .match(QString::fromLatin1(bytes))
                          .captured()
                          .toLatin1(),
                      "\"pid\":" + QByteArray::number(dead));
        writeFile(path, bytes);
    }
    // Recreate the guard as the hard link it is on a real disk.
    QFile::remove(api + "/0d9c8b7a-6f5e-4d3c-9b2a-1f0e9d8c7b6a.lock.tguard");
    QCOMPARE(
        ::link(QFile::encodeName(api + "/0d9c8b7a-6f5e-4d3c-9b2a-1f0e9d8c7b6a.lock").constData(),
               QFile::encodeName(api + "/0d9c8b7a-6f5e-4d3c-9b2a-1f0e9d8c7b6a.lock.tguard")
                   .constData()),
        0);
    const QString temp = api + "/9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a.lock."
                               "4c5d6e7f-8091-4a2b-9c3d-4e5f60718293.locktmp";
    QByteArray tempBytes = readAll(temp);
    tempBytes.replace("\"pid\":4242", "\"pid\":" + QByteArray::number(dead));
    writeFile(temp, tempBytes);

    FakeClock clock;
    clock.advance(10 * kMinute); // the guard's link and the temp are now 10 min old
    setMtime(temp, clock.wallNowMs() - 10 * kMinute);
    StoreScanner scanner(SystemProcessProbe::instance(), clock);
    const StoreSnapshot snap =
        scanner.scan({{tmp, QStringLiteral("default")},
                      {dir.path() + "/home/.llxprt/tmp", QStringLiteral("legacy"), true}});

    QCOMPARE(snap.problems.size(), 0);
    QCOMPARE(verdictOf(snap, "c2d4e6f8-0a1b-4c3d-8e5f-7a9b0c1d2e3f.lock"),
             QStringLiteral("stale/holder-exited"));
    const LockEntry *orphan = findLock(snap, "e1f2a3b4-c5d6-4e7f-8091-a2b3c4d5e6f7.lock");
    QVERIFY(orphan);
    QCOMPARE(verdictName(orphan->judgement.verdict), QStringLiteral("stale"));
    QVERIFY(orphan->judgement.has(Orphaned));
    QVERIFY(!findLock(snap, "c2d4e6f8-0a1b-4c3d-8e5f-7a9b0c1d2e3f.lock")->judgement.has(Orphaned));
    QCOMPARE(verdictOf(snap, "0d9c8b7a-6f5e-4d3c-9b2a-1f0e9d8c7b6a.lock"),
             QStringLiteral("stale/holder-exited"));
    const LockEntry *guard = findLock(snap, "0d9c8b7a-6f5e-4d3c-9b2a-1f0e9d8c7b6a.lock.tguard");
    QVERIFY(guard);
    QCOMPARE(guard->kind, EntryKind::Guard);
    QCOMPARE(guard->judgement.action, Action::Remove);
    QVERIFY(guard->judgement.reason.contains(QLatin1String("hard link")));
    QCOMPARE(verdictOf(snap, QString::fromUtf8(QFile::encodeName(temp).mid(api.size() + 1))),
             QStringLiteral("stale/holder-exited"));
    QCOMPARE(findLock(snap, "notes.lock")->judgement.verdict, Verdict::NotALock);
    QCOMPARE(findLock(snap, "notes.lock")->judgement.action, Action::Never);
    QCOMPARE(findLock(snap, "archive")->judgement.action, Action::Never);
    const LockEntry *legacy = findLock(snap, "2026-12-04T15-20-03-1a2b3c4d-5e6.lock");
    QVERIFY(legacy);
    QCOMPARE(legacy->kind, EntryKind::LegacyLock);
    QVERIFY(legacy->judgement.has(Legacy));
    QVERIFY(!legacy->upstream.janitorRemoves); // the janitor never visits ~/.llxprt
    const LockEntry *lease = findLock(snap, ".llxprt-janitor.lease");
    QVERIFY(lease);
    QCOMPARE(lease->judgement.verdict, Verdict::Unverifiable); // it names host "devbox"

    // Sessions: five recordings plus the lock-only e1f2a3b4; guards and temps
    // never make sessions, and "notes" is no session.
    QCOMPARE(snap.sessions.size(), 6);
    QVERIFY(!findSession(snap, "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a"));
    QVERIFY(!findSession(snap, "notes"));
    const SessionEntry *named = findSession(snap, "7b9e2f4a-1c3d-4e5f-8a6b-9c0d1e2f3a4b");
    QVERIFY(named && named->recording);
    QCOMPARE(named->recording->name, QStringLiteral("ci-investigation"));
    QCOMPARE(named->recording->checkpoints.size(), 1);
    QCOMPARE(named->recording->checkpoints.first().name, QStringLiteral("before-refactor"));
    QCOMPARE(named->recording->provider, QStringLiteral("anthropic"));
    QCOMPARE(named->recording->model, QStringLiteral("claude-opus-4"));
    QCOMPARE(named->lockIndex, -1);
    const SessionEntry *crashed = findSession(snap, "c2d4e6f8-0a1b-4c3d-8e5f-7a9b0c1d2e3f");
    QVERIFY(crashed && crashed->recording && crashed->lockIndex >= 0);
    QCOMPARE(crashed->recording->title, QStringLiteral("Investigate CI-only build failure"));
    const SessionEntry *old = findSession(snap, "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d");
    QVERIFY(old && old->lockIndex >= 0);
    QCOMPARE(snap.locks.at(old->lockIndex).kind, EntryKind::LegacyLock);
    QCOMPARE(snap.projects.size(), 3);
    for (const ProjectEntry &p : snap.projects)
        QVERIFY2(p.workspace.startsWith(QLatin1String("/home/user/")), qPrintable(p.workspace));
}

void tst_StoreScanner::fr01_hundredsOfDeadLocksInABigStore()
{
    QTemporaryDir dir;
    const QString chats = makeChats(dir);
    const qint64 dead = deadPid();
    LiveChild live[3];
    FakeClock clock;
    const qint64 childStart = clock.wallNowMs();
    clock.advance(kMinute + kSecond); // the test "runs" a minute after the holders started

    QStringList liveIds;
    for (int i = 0; i < 5000; ++i) {
        const QString id = newId();
        writeFile(chats + '/' +
                      recordingName(id, QStringLiteral("2026-12-04T15-%1-%2")
                                            .arg(i / 60 % 60, 2, 10, QLatin1Char('0'))
                                            .arg(i % 60, 2, 10, QLatin1Char('0'))),
                  headerLine(id).chopped(1));
        if (i < 417)
            writeFile(chats + '/' + id + ".lock",
                      lockBytes(dead, clock.wallNowMs() - 30 * kDay, id));
        else if (i < 420)
            writeFile(chats + '/' + id + ".lock", lockBytes(live[i - 417].pid(), childStart, id));
        if (i >= 417 && i < 420)
            liveIds << id;
    }

    StoreScanner scanner(SystemProcessProbe::instance(), clock);
    const StoreSnapshot snap = scanner.scan(targetsFor(dir.path()));
    int stale = 0;
    int held = 0;
    for (const LockEntry &l : snap.locks) {
        if (l.judgement.verdict == Verdict::Stale && l.judgement.cause == Cause::HolderExited &&
            l.judgement.action == Action::Remove)
            ++stale;
        if (l.judgement.verdict == Verdict::Held)
            ++held;
    }
    QCOMPARE(stale, 417);
    QCOMPARE(held, 3);
    int idle = 0;
    for (const SessionEntry &s : snap.sessions)
        idle += s.lockIndex < 0 ? 1 : 0;
    QCOMPARE(snap.sessions.size(), 5000);
    QCOMPARE(idle, 4580);

    AuditLog audit(dir.path() + "/audit.jsonl");
    LockManager manager(SystemProcessProbe::instance(), clock, &audit);
    const QVector<RemovalResult> results = manager.cleanupOrphanedLocks(snap);
    int removed = 0;
    int failed = 0;
    for (const RemovalResult &r : results) {
        removed += r.outcome == RemovalOutcome::Removed ? 1 : 0;
        failed += r.failed() ? 1 : 0;
    }
    QCOMPARE(removed, 417);
    QCOMPARE(failed, 0);
    QCOMPARE(audit.records().size(), 417);
    for (const QString &id : liveIds)
        QVERIFY(QFile::exists(chats + '/' + id + ".lock"));
    QCOMPARE(QDir(chats).entryList({"*.jsonl"}).size(), 5000);
    QCOMPARE(QDir(chats).entryList({"*.lock"}).size(), 3);
}

void tst_StoreScanner::fr02_transitionGuard()
{
    const qint64 dead = deadPid();
    AuditLog audit(m_state.path() + "/fr02.jsonl");

    // (a) a hard-link guard made more than 5 minutes ago: lock stale, guard the
    // same inode, removal clears both.
    {
        QTemporaryDir dir;
        const QString chats = makeChats(dir);
        const QString id = newId();
        FakeClock clock;
        writeLockWithLinkedGuard(chats, id, lockBytes(dead, clock.wallNowMs() - kHour, id));
        clock.advance(6 * kMinute);
        StoreScanner scanner(SystemProcessProbe::instance(), clock);
        const StoreSnapshot snap = scanner.scan(targetsFor(dir.path()));
        QCOMPARE(verdictOf(snap, id + ".lock"), QStringLiteral("stale/holder-exited"));
        const LockEntry *guard = findLock(snap, id + ".lock.tguard");
        QVERIFY(guard && guard->file.sameInode(findLock(snap, id + ".lock")->file));
        QCOMPARE(guard->judgement.action, Action::Remove);
        QCOMPARE(snap.sessions.size(), 1); // the guard is not a second lock or session

        LockRemover remover(audit, SystemProcessProbe::instance(), clock);
        const RemovalResult r =
            remover.remove(RemovalRequest::forPath(QFile::encodeName(chats + '/' + id + ".lock")));
        QCOMPARE(removalOutcomeName(r.outcome), QStringLiteral("removed"));
        QVERIFY(r.guardRemoved);
        QVERIFY(!QFile::exists(chats + '/' + id + ".lock"));
        QVERIFY(!QFile::exists(chats + '/' + id + ".lock.tguard"));
    }

    // (b) the same, guard made 5 seconds ago: in transition, nothing removed.
    {
        QTemporaryDir dir;
        const QString chats = makeChats(dir);
        const QString id = newId();
        FakeClock clock;
        writeLockWithLinkedGuard(chats, id, lockBytes(dead, clock.wallNowMs() - kHour, id));
        clock.advance(5 * kSecond);
        StoreScanner scanner(SystemProcessProbe::instance(), clock);
        const StoreSnapshot snap = scanner.scan(targetsFor(dir.path()));
        QCOMPARE(verdictOf(snap, id + ".lock"), QStringLiteral("in-transition"));
        QCOMPARE(findLock(snap, id + ".lock")->judgement.action, Action::Keep);
        QCOMPARE(verdictOf(snap, id + ".lock.tguard"), QStringLiteral("in-transition"));

        LockRemover remover(audit, SystemProcessProbe::instance(), clock);
        const RemovalResult r =
            remover.remove(RemovalRequest::forPath(QFile::encodeName(chats + '/' + id + ".lock")));
        QCOMPARE(removalOutcomeName(r.outcome), QStringLiteral("in-transition"));
        QVERIFY(QFile::exists(chats + '/' + id + ".lock"));
        QVERIFY(QFile::exists(chats + '/' + id + ".lock.tguard"));
    }

    // (c) a guard of its own naming a live claimant; (d) a dead claimant.
    for (const bool claimantAlive : {true, false}) {
        QTemporaryDir dir;
        const QString chats = makeChats(dir);
        const QString id = newId();
        LiveChild claimant;
        FakeClock clock;
        writeFile(chats + '/' + id + ".lock", lockBytes(dead, clock.wallNowMs() - kHour, id));
        writeFile(chats + '/' + id + ".lock.tguard",
                  claimantAlive ? lockBytes(claimant.pid(), clock.wallNowMs(), id)
                                : lockBytes(dead, clock.wallNowMs() - kHour, id));
        // A dead claimant's guard proves nothing while it is fresh (a taker may
        // hold a guard carrying its victim's payload); judged 6 minutes later.
        clock.advance(claimantAlive ? kSecond : 6 * kMinute);
        StoreScanner scanner(SystemProcessProbe::instance(), clock);
        const StoreSnapshot snap = scanner.scan(targetsFor(dir.path()));
        if (claimantAlive) {
            QCOMPARE(verdictOf(snap, id + ".lock"), QStringLiteral("in-transition"));
            QCOMPARE(verdictOf(snap, id + ".lock.tguard"), QStringLiteral("held"));
        } else {
            QCOMPARE(verdictOf(snap, id + ".lock"), QStringLiteral("stale/holder-exited"));
            QCOMPARE(verdictOf(snap, id + ".lock.tguard"), QStringLiteral("stale/holder-exited"));
            QCOMPARE(findLock(snap, id + ".lock.tguard")->judgement.action, Action::Remove);
        }
        QCOMPARE(snap.sessions.size(), 1);
    }
}

void tst_StoreScanner::fr03_malformedRecordingDoesNotBreakTheScan()
{
    QTemporaryDir dir;
    const QString chats = makeChats(dir);
    LiveChild live;
    FakeClock clock;
    const qint64 started = clock.wallNowMs();
    clock.advance(2 * kMinute + kSecond);
    const qint64 dead = deadPid();
    const QString a = newId(), b = newId(), c = newId(), d = newId();

    writeFile(chats + '/' + recordingName(a), headerLine(a));
    writeFile(chats + '/' + a + ".lock", lockBytes(live.pid(), started, a));
    writeFile(chats + '/' + recordingName(b),
              "{\"v\":1,\"seq\":1,\"ts\":\"2026-09-17T20:08:46.000Z\",\"type\":\"session_st");
    writeFile(chats + '/' + recordingName(c), QByteArray());
    writeFile(chats + '/' + c + ".lock", lockBytes(dead, clock.wallNowMs() - 3 * kHour, c));
    writeFile(chats + '/' + recordingName(d), "{\"type\":\"session_start\",\"payload\":{}}\n");
    const QByteArray beforeB = readAll(chats + '/' + recordingName(b));

    StoreScanner scanner(SystemProcessProbe::instance(), clock);
    const StoreSnapshot snap = scanner.scan(targetsFor(dir.path()));
    QCOMPARE(snap.sessions.size(), 4);
    QCOMPARE(verdictOf(snap, a + ".lock"), QStringLiteral("held"));
    QCOMPARE(verdictOf(snap, c + ".lock"), QStringLiteral("stale/holder-exited"));
    QVERIFY(!findLock(snap, c + ".lock")->judgement.has(Orphaned));

    int unreadable = 0;
    for (const SessionEntry &s : snap.sessions) {
        QVERIFY(s.recording);
        if (!s.recording->headerOk) {
            ++unreadable;
            QVERIFY(!s.recording->headerError.isEmpty());
        }
    }
    QCOMPARE(unreadable, 3); // B, C and D
    const SessionEntry *sc = findSession(snap, c);
    QVERIFY(sc);
    QVERIFY(sc->pairingUncertain);
    QVERIFY(sc->recording && sc->lockIndex >= 0);

    AuditLog audit(m_state.path() + "/fr03.jsonl");
    LockManager manager(SystemProcessProbe::instance(), clock, &audit);
    manager.cleanupOrphanedLocks(snap);
    QVERIFY(!QFile::exists(chats + '/' + c + ".lock"));
    QVERIFY(QFile::exists(chats + '/' + a + ".lock"));
    QCOMPARE(QDir(chats).entryList({"*.jsonl"}).size(), 4);
    QCOMPARE(readAll(chats + '/' + recordingName(b)), beforeB);
}

void tst_StoreScanner::fr04_noPrefixMatching()
{
    QTemporaryDir dir;
    const QString chats = makeChats(dir);
    const QString id1 = QStringLiteral("1234abcd-0000-4000-8000-000000000001");
    const QString id2 = QStringLiteral("1234abcd-1111-4111-8111-111111111112");
    const QString id3 = QStringLiteral("1234abcd-2222-4222-8222-222222222223");
    FakeClock clock;
    const qint64 dead = deadPid();
    writeFile(chats + '/' + recordingName(id1, QStringLiteral("2026-12-04T10-00-00")),
              headerLine(id1));
    writeFile(chats + '/' + recordingName(id2, QStringLiteral("2026-12-04T11-00-00")),
              headerLine(id2));
    writeFile(chats + '/' + id2 + ".lock", lockBytes(dead, clock.wallNowMs() - 2 * kHour, id2));
    writeFile(chats + '/' + id3 + ".lock", lockBytes(dead, clock.wallNowMs() - 2 * kHour, id2));

    StoreScanner scanner(SystemProcessProbe::instance(), clock);
    const StoreSnapshot snap = scanner.scan(targetsFor(dir.path()));
    QCOMPARE(verdictOf(snap, id2 + ".lock"), QStringLiteral("stale/holder-exited"));
    QCOMPARE(findLock(snap, id2 + ".lock")->judgement.action, Action::Remove);
    const LockEntry *mismatch = findLock(snap, id3 + ".lock");
    QVERIFY(mismatch->judgement.has(IdMismatch));
    QCOMPARE(mismatch->judgement.action, Action::Never);
    QCOMPARE(findSession(snap, id1)->lockIndex, -1);

    const QStringList before = QDir(chats).entryList(QDir::Files);
    QMap<QString, QByteArray> bytes;
    for (const QString &name : before)
        bytes.insert(name, readAll(chats + '/' + name));
    AuditLog audit(m_state.path() + "/fr04.jsonl");
    LockManager manager(SystemProcessProbe::instance(), clock, &audit);
    const QVector<RemovalResult> results = manager.cleanupOrphanedLocks(snap);
    QCOMPARE(results.size(), 1);
    QCOMPARE(QString::fromUtf8(results.first().path), chats + '/' + id2 + ".lock");
    QStringList expected = before;
    expected.removeOne(id2 + ".lock");
    QCOMPARE(QDir(chats).entryList(QDir::Files), expected);
    for (const QString &name : expected)
        QCOMPARE(readAll(chats + '/' + name), bytes.value(name));

    // And by hand: remove refuses the mismatched lock even with force.
    LockRemover remover(audit, SystemProcessProbe::instance(), clock);
    RemovalRequest request =
        RemovalRequest::forPath(QFile::encodeName(chats + '/' + id3 + ".lock"));
    request.force = true;
    QCOMPARE(remover.remove(request).outcome, RemovalOutcome::Refused);
    QVERIFY(QFile::exists(chats + '/' + id3 + ".lock"));
}

void tst_StoreScanner::fr10_emptyOrTruncatedLocks()
{
    QTemporaryDir dir;
    const QString chats = makeChats(dir);
    FakeClock clock;
    const qint64 dead = deadPid();
    QMap<QString, QString> expected;
    const auto lockFile = [&](const QByteArray &bytes, qint64 mtimeAgo, const QString &verdict) {
        const QString id = newId();
        writeFile(chats + '/' + id + ".lock", bytes);
        setMtime(chats + '/' + id + ".lock", clock.wallNowMs() - mtimeAgo);
        expected.insert(id + ".lock", verdict);
        return id;
    };
    lockFile(QByteArray(), 72 * kHour, QStringLiteral("stale/aged"));
    lockFile(QByteArray(), 10 * kSecond, QStringLiteral("busy"));
    lockFile("{\"pid\":4242,\"timesta", 72 * kHour, QStringLiteral("stale/aged"));
    for (const char *pid : {"0", "-1", "\"4242\"", "4242.5", "1e30"})
        lockFile(QByteArray("{\"pid\":") + pid + ",\"timestamp\":\"2026-12-04T10:00:00.000Z\"}",
                 kHour, QStringLiteral("busy"));
    const QString noStamp = newId();
    writeFile(chats + '/' + noStamp + ".lock",
              "{\"pid\":" + QByteArray::number(dead) + ",\"sessionId\":\"" + noStamp.toLatin1() +
                  "\",\"ownerToken\":\"" + newId().toLatin1() + "\"}");
    expected.insert(noStamp + ".lock", QStringLiteral("stale/holder-exited"));

    FakeProbe probe;
    StoreScanner scanner(probe, clock);
    const StoreSnapshot snap = scanner.scan(targetsFor(dir.path()));
    for (auto it = expected.cbegin(); it != expected.cend(); ++it)
        QCOMPARE(verdictOf(snap, it.key()), it.value());
    QCOMPARE(probe.m_nonPositiveProbes, 0);
    QCOMPARE(probe.m_probed, QList<qint64>{dead}); // only the one valid pid was probed
}

void tst_StoreScanner::fr11_leftoverPublicationTemps()
{
    QTemporaryDir dir;
    const QString chats = makeChats(dir);
    LiveChild live;
    FakeClock clock;
    const qint64 dead = deadPid();
    const QString a = newId(), b = newId(), c = newId(), d = newId();
    const QString tempA = a + ".lock." + newId() + ".locktmp";
    const QString tempB = b + ".lock." + newId() + ".locktmp";
    const QString tempC = c + ".lock.not-a-uuid.locktmp";
    const QString tempD = d + ".lock." + newId() + ".locktmp";
    writeFile(chats + '/' + tempA, lockBytes(dead, clock.wallNowMs() - 10 * kMinute, a));
    setMtime(chats + '/' + tempA, clock.wallNowMs() - 10 * kMinute);
    writeFile(chats + '/' + tempB, lockBytes(live.pid(), clock.wallNowMs(), b));
    setMtime(chats + '/' + tempB, clock.wallNowMs() - 30 * kSecond);
    writeFile(chats + '/' + tempC, lockBytes(dead, clock.wallNowMs() - 10 * kMinute, c));
    setMtime(chats + '/' + tempC, clock.wallNowMs() - 10 * kMinute);
    writeFile(dir.path() + "/target", lockBytes(dead, clock.wallNowMs() - 10 * kMinute, d));
    QVERIFY(QFile::link(dir.path() + "/target", chats + '/' + tempD));

    StoreScanner scanner(SystemProcessProbe::instance(), clock);
    const StoreSnapshot snap = scanner.scan(targetsFor(dir.path()));
    QCOMPARE(findLock(snap, tempA)->judgement.action, Action::Remove);
    QCOMPARE(findLock(snap, tempB)->judgement.action, Action::Keep);
    QCOMPARE(findLock(snap, tempC)->judgement.action, Action::Never);
    QCOMPARE(findLock(snap, tempD)->judgement.action, Action::Never);
    QVERIFY(snap.sessions.isEmpty()); // a temp never counts as its session's lock

    AuditLog audit(m_state.path() + "/fr11.jsonl");
    LockManager manager(SystemProcessProbe::instance(), clock, &audit);
    manager.cleanupOrphanedLocks(snap);
    QVERIFY(!QFile::exists(chats + '/' + tempA));
    QVERIFY(QFile::exists(chats + '/' + tempB));
    QVERIFY(QFile::exists(chats + '/' + tempC));
    QVERIFY(QFileInfo(chats + '/' + tempD).isSymLink());
    QVERIFY(QFile::exists(dir.path() + "/target"));
}

void tst_StoreScanner::fr15_clocksThatJump()
{
    QTemporaryDir dir;
    const QString chats = makeChats(dir);
    LiveChild live;
    FakeClock clock;
    clock.advance(kSecond);
    const qint64 dead = deadPid();
    const QString a = newId(), b = newId(), c = newId(), d = newId();
    writeFile(chats + '/' + a + ".lock", lockBytes(live.pid(), clock.wallNowMs() + 3 * kHour, a));
    writeFile(chats + '/' + b + ".lock", lockBytes(dead, clock.wallNowMs() + 3 * kHour, b));
    writeFile(chats + '/' + c + ".lock", "{\"pid\":");
    setMtime(chats + '/' + c + ".lock", clock.wallNowMs() + 30 * kDay);
    writeFile(chats + '/' + d + ".lock",
              makeLockPayload(live.pid(), QStringLiteral("1970-01-01T00:00:00.000Z"), d, newId()));
    QStringList absurd;
    for (const char *stamp :
         {"+275760-09-13T00:00:00.000Z", "0001-01-01T00:00:00.000Z", "2026-02-30T25:61:00Z"}) {
        const QString id = newId();
        writeFile(chats + '/' + id + ".lock",
                  makeLockPayload(dead, QString::fromLatin1(stamp), id, newId()));
        absurd << id;
    }

    StoreScanner scanner(SystemProcessProbe::instance(), clock);
    const StoreSnapshot snap = scanner.scan(targetsFor(dir.path()));
    const LockEntry *ahead = findLock(snap, a + ".lock");
    QCOMPARE(verdictOf(snap, a + ".lock"), QStringLiteral("held"));
    QVERIFY(ahead->judgement.has(ClockSkew));
    QVERIFY(ahead->judgement.lockAgeMs && *ahead->judgement.lockAgeMs < 0);
    QCOMPARE(verdictOf(snap, b + ".lock"), QStringLiteral("stale/holder-exited"));
    QCOMPARE(verdictOf(snap, c + ".lock"), QStringLiteral("busy"));
    QVERIFY(findLock(snap, c + ".lock")->judgement.has(ClockSkew));
    QCOMPARE(verdictOf(snap, d + ".lock"), QStringLiteral("stale/pid-reused"));
    QVERIFY(findLock(snap, d + ".lock")->judgement.has(Orphaned));
    for (const QString &id : absurd)
        QCOMPARE(verdictOf(snap, id + ".lock"), QStringLiteral("stale/holder-exited"));
}

void tst_StoreScanner::fr17_olderThan48Hours()
{
    QTemporaryDir dir;
    const QString chats = makeChats(dir);
    FakeClock clock;
    FakeProbe probe;
    const qint64 lockWall = clock.wallNowMs();
    const qint64 lockBoot = clock.bootNowMs();
    probe.add(5001, lockBoot - kSecond); // started a second before its lock
    clock.advance(50 * kHour);
    probe.add(5002, clock.bootNowMs() - kMinute); // started a minute ago
    const QString a = newId(), b = newId();
    writeFile(chats + '/' + a + ".lock", lockBytes(5001, lockWall, a));
    writeFile(chats + '/' + b + ".lock", lockBytes(5002, lockWall, b));

    StoreScanner scanner(probe, clock);
    const StoreSnapshot snap = scanner.scan(targetsFor(dir.path()));
    QCOMPARE(verdictOf(snap, a + ".lock"), QStringLiteral("expired"));
    QCOMPARE(findLock(snap, a + ".lock")->judgement.action, Action::Force);
    QCOMPARE(verdictOf(snap, b + ".lock"), QStringLiteral("stale/pid-reused"));
    QCOMPARE(findLock(snap, b + ".lock")->judgement.action, Action::Remove);
    // Upstream calls both stale (48 h); lockscope takes over only the reused one.
    QVERIFY(findLock(snap, a + ".lock")->upstream.staleB);
}

void tst_StoreScanner::fr18_lockWithoutRecording()
{
    QTemporaryDir dir;
    const QString chats = makeChats(dir);
    LiveChild live;
    FakeClock clock;
    clock.advance(kSecond);
    const qint64 dead = deadPid();
    const QString a = newId(), b = newId();
    writeFile(chats + '/' + a + ".lock", lockBytes(dead, clock.wallNowMs() - kHour, a));
    writeFile(chats + '/' + b + ".lock", lockBytes(live.pid(), clock.wallNowMs() - kSecond, b));

    StoreScanner scanner(SystemProcessProbe::instance(), clock);
    StoreSnapshot snap = scanner.scan(targetsFor(dir.path()));
    QCOMPARE(verdictOf(snap, a + ".lock"), QStringLiteral("stale/holder-exited"));
    QVERIFY(findLock(snap, a + ".lock")->judgement.has(Orphaned));
    QCOMPARE(verdictOf(snap, b + ".lock"), QStringLiteral("held"));
    QVERIFY(!findLock(snap, b + ".lock")->judgement.has(Orphaned));
    QCOMPARE(snap.sessions.size(), 2);
    QVERIFY(!findSession(snap, b)->recording);

    // The recording of b appears at its first message: it joins b's row.
    writeFile(chats + '/' + recordingName(b), headerLine(b));
    snap = scanner.scan(targetsFor(dir.path()));
    QCOMPARE(snap.sessions.size(), 2);
    const SessionEntry *joined = findSession(snap, b);
    QVERIFY(joined->recording && joined->lockIndex >= 0);
    QCOMPARE(snap.locks.at(joined->lockIndex).judgement.verdict, Verdict::Held);
}

void tst_StoreScanner::fr19_restoredBackup()
{
    QTemporaryDir dir;
    const QString chats = makeChats(dir);
    FakeClock clock;
    const QString id = newId();
    writeFile(chats + '/' + id + ".lock", lockBytes(31337, clock.wallNowMs() - 90 * kDay, id));
    setMtime(chats + '/' + id + ".lock", clock.wallNowMs() - 90 * kDay);
    StoreScanner scanner(SystemProcessProbe::instance(), clock);
    const StoreSnapshot snap = scanner.scan(targetsFor(dir.path()));
    const bool exists = ::kill(31337, 0) == 0 || errno == EPERM;
    const QString expected =
        exists ? QStringLiteral("stale/pid-reused") : QStringLiteral("stale/holder-exited");
    // A process 31337 started within the last 90 days is younger than the lock;
    // on a machine up for longer it could predate it, which is "expired".
    if (exists && verdictOf(snap, id + ".lock") == QLatin1String("expired"))
        QSKIP("PID 31337 here predates the 90-day-old lock");
    QCOMPARE(verdictOf(snap, id + ".lock"), expected);
}

void tst_StoreScanner::symlinkedFoldersAreNotFollowed()
{
    QTemporaryDir dir;
    const QString chats = makeChats(dir);
    const QString id = newId();
    const qint64 dead = deadPid();
    writeFile(chats + '/' + id + ".lock", lockBytes(dead, QDateTime::currentMSecsSinceEpoch(), id));

    // A symlinked project folder and a symlinked chats folder, both pointing at
    // real data elsewhere.
    const QString elsewhere = dir.path() + "/elsewhere";
    QDir().mkpath(elsewhere + "/chats");
    writeFile(elsewhere + "/chats/" + id + ".lock", lockBytes(dead, 0, id));
    const QString tmp = dir.path() + "/tmp/";
    QVERIFY(QFile::link(elsewhere, tmp + QString(64, 'b')));
    QDir().mkpath(tmp + QString(64, 'c'));
    QVERIFY(QFile::link(elsewhere + "/chats", tmp + QString(64, 'c') + "/chats"));

    StoreScanner scanner;
    const StoreSnapshot snap = scanner.scan(targetsFor(dir.path()));
    QCOMPARE(snap.locks.size(), 1);
    QCOMPARE(snap.problems.size(), 2);
    for (const ScanProblem &p : snap.problems)
        QVERIFY2(p.message.contains(QLatin1String("symlink")), qPrintable(p.message));
}

void tst_StoreScanner::oddNamesAndFileTypes()
{
    QTemporaryDir dir;
    const QString chats = makeChats(dir);
    const QByteArray raw = QFile::encodeName(chats);
    // Not valid UTF-8, a FIFO, a directory and a dangling symlink, all named like locks.
    const QByteArray badName = raw + "/\xff\xfe-session.lock";
    const int fd = ::open(badName.constData(), O_WRONLY | O_CREAT, 0644);
    QVERIFY(fd >= 0);
    ::close(fd);
    const QString fifoId = newId();
    QCOMPARE(::mkfifo(QFile::encodeName(chats + '/' + fifoId + ".lock").constData(), 0644), 0);
    QDir().mkpath(chats + '/' + newId() + ".lock");
    QVERIFY(QFile::link(chats + "/nowhere", chats + '/' + newId() + ".lock"));
    QVERIFY(QFile::link("/dev/zero", chats + '/' + newId() + ".lock"));
    writeFile(chats + "/a.b.lock", "{}");

    StoreScanner scanner;
    const StoreSnapshot snap = scanner.scan(targetsFor(dir.path())); // must not block on the FIFO
    QCOMPARE(snap.locks.size(), 6);
    for (const LockEntry &l : snap.locks) {
        QCOMPARE(l.judgement.verdict, Verdict::NotALock);
        QCOMPARE(l.judgement.action, Action::Never);
    }
    bool sawRaw = false;
    for (const LockEntry &l : snap.locks)
        sawRaw |= l.fileName == QByteArray("\xff\xfe-session.lock");
    QVERIFY2(sawRaw, "undecodable names are kept as raw bytes");
    // QTemporaryDir cannot delete a name it cannot decode; remove it by its bytes.
    QCOMPARE(::unlink(badName.constData()), 0);
}

void tst_StoreScanner::unchangedRecordingsAreNotReadAgain()
{
    QTemporaryDir dir;
    const QString chats = makeChats(dir);
    QStringList ids;
    for (int i = 0; i < 20; ++i) {
        ids << newId();
        writeFile(chats + '/' +
                      recordingName(
                          ids.last(),
                          QStringLiteral("2026-12-04T10-00-%1").arg(i, 2, 10, QLatin1Char('0'))),
                  headerLine(ids.last()));
    }
    StoreScanner scanner;
    scanner.scan(targetsFor(dir.path()));
    QCOMPARE(scanner.recordings().parseCount(), 20);
    scanner.scan(targetsFor(dir.path()));
    QCOMPARE(scanner.recordings().parseCount(), 20);

    // Appending an event is seen on the next scan, and only that file is read.
    QFile f(chats + '/' + recordingName(ids.first(), QStringLiteral("2026-12-04T10-00-00")));
    QVERIFY(f.open(QIODevice::Append));
    f.write("{\"v\":1,\"seq\":2,\"ts\":\"2026-12-04T10:00:01.000Z\",\"type\":\"session_named\","
            "\"payload\":{\"name\":\"renamed\"}}\n");
    f.close();
    const StoreSnapshot snap = scanner.scan(targetsFor(dir.path()));
    QCOMPARE(scanner.recordings().parseCount(), 21);
    QCOMPARE(findSession(snap, ids.first())->recording->name, QStringLiteral("renamed"));
}

void tst_StoreScanner::piecesJoinIntoTheWholeScan()
{
    QTemporaryDir dir;
    const QString first = makeChats(dir, "/home/user/one");
    const QString second = makeChats(dir, "/home/user/two");
    const qint64 dead = deadPid();
    QStringList ids;
    for (const QString &chats : {first, second}) {
        for (int i = 0; i < 3; ++i) {
            ids << newId();
            writeFile(chats + '/' + recordingName(ids.last()), headerLine(ids.last()));
        }
        writeFile(chats + '/' + ids.last() + ".lock",
                  makeLockPayload(dead, formatTimestamp(QDateTime::currentMSecsSinceEpoch()),
                                  ids.last(), newId()));
        writeFile(chats + '/' + newId() + ".lock", "{\"pid\":"); // a lock without recording
    }
    writeFile(dir.path() + "/tmp/.llxprt-janitor.lease", "{}");

    StoreScanner scanner;
    std::vector<ScanPiece> pieces;
    scanner.scan(targetsFor(dir.path()), [&](ScanPiece &&p) { pieces.push_back(std::move(p)); });
    QCOMPARE(int(pieces.size()), 3); // two chats folders, then the root
    QVERIFY(pieces.at(0).isChats() && pieces.at(1).isChats() && !pieces.at(2).isChats());
    QCOMPARE(pieces.at(2).snapshot.locks.size(), 1); // the lease sits in the root's tmp
    for (const ScanPiece &p : pieces) {
        if (p.isChats()) {
            QCOMPARE(p.snapshot.projects.size(), 1);
            QCOMPARE(p.snapshot.sessions.size(), 4);
            QCOMPARE(p.snapshot.locks.size(), 2);
        }
    }

    QVector<const ScanPiece *> pointers;
    for (const ScanPiece &p : pieces)
        pointers.append(&p);
    const StoreSnapshot joined = joinPieces(pointers);
    const StoreSnapshot whole = scanner.scan(targetsFor(dir.path()));
    QCOMPARE(joined.projects.size(), 2);
    QCOMPARE(joined.sessions.size(), whole.sessions.size());
    QCOMPARE(joined.locks.size(), whole.locks.size());
    QCOMPARE(joined.locks.first().fileName, QByteArray(".llxprt-janitor.lease"));
    // Every index points where it did in the whole scan.
    for (int i = 0; i < joined.sessions.size(); ++i) {
        const SessionEntry &a = joined.sessions.at(i);
        const SessionEntry &b = whole.sessions.at(i);
        QCOMPARE(a.sessionId, b.sessionId);
        QCOMPARE(joined.projects.at(a.projectIndex).chatsDir,
                 whole.projects.at(b.projectIndex).chatsDir);
        QCOMPARE(a.lockIndex >= 0, b.lockIndex >= 0);
        if (a.lockIndex >= 0)
            QCOMPARE(joined.locks.at(a.lockIndex).fileName, whole.locks.at(b.lockIndex).fileName);
    }
}

void tst_StoreScanner::folderRescanReadsOnlyThatFolder()
{
    QTemporaryDir dir;
    const QString first = makeChats(dir, "/home/user/one");
    const QString second = makeChats(dir, "/home/user/two");
    QStringList ids;
    for (const QString &chats : {first, second}) {
        for (int i = 0; i < 5; ++i) {
            ids << newId();
            writeFile(chats + '/' + recordingName(ids.last()), headerLine(ids.last()));
        }
    }
    StoreScanner scanner;
    std::vector<ScanPiece> pieces;
    scanner.scan(targetsFor(dir.path()), [&](ScanPiece &&p) { pieces.push_back(std::move(p)); });
    const auto pieceOf = [&](const QString &chats) -> const ScanPiece & {
        for (const ScanPiece &p : pieces) {
            if (p.key == QStringLiteral("c:") + chats)
                return p;
        }
        qFatal("no piece for %s", qPrintable(chats));
    };
    QCOMPARE(scanner.recordings().parseCount(), 10);

    // A new lock in the first folder: its rescan sees it and reads no recording;
    // the second folder is not even listed (its piece is not asked for).
    const QString id = ids.first();
    writeFile(first + '/' + id + ".lock",
              makeLockPayload(deadPid(), formatTimestamp(QDateTime::currentMSecsSinceEpoch()), id,
                              newId()));
    const ScanPiece again = scanner.rescan(pieceOf(first));
    QVERIFY(!again.gone());
    QCOMPARE(again.key, pieceOf(first).key);
    QCOMPARE(again.snapshot.locks.size(), 1);
    QCOMPARE(verdictOf(again.snapshot, id + ".lock"), QStringLiteral("stale/holder-exited"));
    QCOMPARE(again.snapshot.sessions.size(), 5);
    const SessionEntry *session = findSession(again.snapshot, id);
    QVERIFY(session);
    QCOMPARE(session->lockIndex, 0);
    QCOMPARE(scanner.recordings().parseCount(), 10);

    // The folder removed: the rescan says it is gone.
    QVERIFY(QDir(first).removeRecursively());
    QVERIFY(scanner.rescan(pieceOf(first)).gone());
    // A project folder replaced by a symlink is reported, not followed.
    const QString project = QFileInfo(second).path();
    const QString moved = project + QStringLiteral(".moved");
    QVERIFY(QDir().rename(project, moved));
    QVERIFY(QFile::link(moved, project));
    const ScanPiece linked = scanner.rescan(pieceOf(second));
    QVERIFY(!linked.gone());
    QCOMPARE(linked.snapshot.sessions.size(), 0);
    QCOMPARE(linked.snapshot.problems.size(), 1);
    QVERIFY(linked.snapshot.problems.first().message.contains(QStringLiteral("symlink")));
}

QTEST_GUILESS_MAIN(tst_StoreScanner)
#include "tst_storescanner.moc"
