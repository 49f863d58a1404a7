// The verdict matrix of spec/verdicts.md, one row per situation, judged by the
// pure verdict functions with an injected process table, filesystem and clock.

#include "lockverdict.h"
#include "testsupport.h"

#include <QTest>

using namespace lockscope;
using namespace lockscope::test;

namespace {

constexpr qint64 kWall = Q_INT64_C(1'800'000'000'000); // a fixed "now" (2027)
constexpr qint64 kBoot = 30 * kDay;                    // and the boot clock then
constexpr qint64 kPid = 4242;
constexpr uint kMe = 1000;

enum Holder
{
    Gone,
    Alive,
    AliveEperm,
    ThreadId,
    KernelThread,
    Self,
    NoStartTime,
    ProbeFailed,
    Python,
    Zombie,
    ZombieLeaderWithThreads
};

enum Env : int
{
    None = 0,
    Network = 1 << 0,
    Fuse = 1 << 1,
    ReadOnly = 1 << 2,
    NotWritable = 1 << 3,
    StickyOther = 1 << 4,
    GuardRunning = 1 << 5,
    NoRecording = 1 << 6,
    HeldBySelf = 1 << 7,
    LegacyName = 1 << 8,
    BadName = 1 << 9,
    FileOfOther = 1 << 10,
    GuardLeftover = 1 << 11,
};

QByteArray payload(qint64 lockAgeMs, qint64 pid = kPid, const QString &id = QStringLiteral("s1"))
{
    return makeLockPayload(pid, formatTimestamp(kWall - lockAgeMs), id,
                           QStringLiteral("0b9f3f1e-2f6a-4c1b-9d0e-6a7b8c9d0e1f"));
}

QByteArray withTimestamp(const QString &stamp)
{
    return makeLockPayload(kPid, stamp, QStringLiteral("s1"),
                           QStringLiteral("0b9f3f1e-2f6a-4c1b-9d0e-6a7b8c9d0e1f"));
}

JudgeContext context()
{
    JudgeContext ctx;
    ctx.wallNowMs = kWall;
    ctx.bootNowMs = kBoot;
    ctx.selfPid = 777;
    ctx.selfUid = kMe;
    ctx.hostname = QStringLiteral("here");
    return ctx;
}

HolderFacts holderFor(int kind, qint64 pid, qint64 holderAgeMs)
{
    HolderFacts h;
    h.pid = pid;
    if (kind == Gone) {
        h.liveness = Liveness::Gone;
        h.killErrno = 3;
        return h;
    }
    if (kind == ProbeFailed) {
        h.liveness = Liveness::ProbeError;
        h.killErrno = 22;
        return h;
    }
    h.liveness = kind == AliveEperm ? Liveness::AlivePermission : Liveness::Alive;
    h.uid = kind == AliveEperm ? 0u : kMe;
    h.name = kind == Python ? QStringLiteral("python3") : QStringLiteral("node");
    h.exe = QStringLiteral("/usr/bin/") + h.name;
    h.tgid = kind == ThreadId ? pid - 1 : pid;
    h.isThread = kind == ThreadId;
    h.kernelThread = kind == KernelThread;
    h.zombie = kind == Zombie || kind == ZombieLeaderWithThreads;
    h.threads = kind == ZombieLeaderWithThreads ? 3 : 1;
    if (kind != NoStartTime)
        h.startBootMs = kBoot - holderAgeMs;
    return h;
}

} // namespace

class tst_LockVerdict final : public QObject
{
    Q_OBJECT

private slots:
    void matrix_data();
    void matrix();
    void upstream_data();
    void upstream();
    void guardStates();
    void tempAndLease();
};

void tst_LockVerdict::matrix_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<qint64>("mtimeAgo");
    QTest::addColumn<int>("holder");
    QTest::addColumn<qint64>("holderAge");
    QTest::addColumn<int>("env");
    QTest::addColumn<int>("fileType");
    QTest::addColumn<int>("openErrno");
    QTest::addColumn<QString>("verdict");
    QTest::addColumn<QString>("cause");
    QTest::addColumn<QString>("action");
    QTest::addColumn<QStringList>("flags");

    const int reg = int(FileType::Regular);
    const qint64 h2 = 2 * kHour;

    QTest::newRow("holder exited")
        << payload(h2) << h2 << int(Gone) << qint64(0) << int(None) << reg << 0 << "stale"
        << "holder-exited"
        << "remove" << QStringList{};
    QTest::newRow("holder exited and no recording names the session")
        << payload(h2) << h2 << int(Gone) << qint64(0) << int(NoRecording) << reg << 0 << "stale"
        << "holder-exited"
        << "remove" << QStringList{"orphaned"};
    QTest::newRow("live holder with no recording yet is not orphaned")
        << payload(kMinute) << kMinute << int(Alive) << kMinute + kSecond << int(NoRecording) << reg
        << 0 << "held"
        << ""
        << "keep" << QStringList{};
    QTest::newRow("holder exited, its parent has not reaped it yet")
        << payload(h2) << h2 << int(Zombie) << h2 + kSecond << int(None) << reg << 0 << "stale"
        << "holder-exited"
        << "remove" << QStringList{};
    QTest::newRow("main thread ended while other threads still run")
        << payload(h2) << h2 << int(ZombieLeaderWithThreads) << h2 + kSecond << int(None) << reg
        << 0 << "held"
        << ""
        << "keep" << QStringList{};
    QTest::newRow("live holder that predates its lock")
        << payload(h2) << h2 << int(Alive) << h2 + 3 * kSecond << int(None) << reg << 0 << "held"
        << ""
        << "keep" << QStringList{};
    QTest::newRow("live holder a little younger than its lock, within tolerance")
        << payload(h2) << h2 << int(Alive) << h2 - 3 * kSecond << int(None) << reg << 0 << "held"
        << ""
        << "keep" << QStringList{};
    QTest::newRow("pid reused by a younger process")
        << payload(h2) << h2 << int(Alive) << kMinute << int(None) << reg << 0 << "stale"
        << "pid-reused"
        << "remove" << QStringList{};
    QTest::newRow("pid is now a thread of another process")
        << payload(h2) << h2 << int(ThreadId) << 3 * kHour << int(None) << reg << 0 << "stale"
        << "pid-reused"
        << "remove" << QStringList{};
    QTest::newRow("pid is lockscope itself, which does not hold the lock")
        << payload(h2, 777) << h2 << int(Self) << 3 * kHour << int(None) << reg << 0 << "stale"
        << "pid-reused"
        << "remove" << QStringList{};
    QTest::newRow("pid is lockscope itself, which holds the lock")
        << payload(h2, 777) << h2 << int(Self) << 3 * kHour << int(HeldBySelf) << reg << 0 << "held"
        << ""
        << "keep" << QStringList{};
    QTest::newRow("pid is a kernel thread here: written in another pid namespace")
        << payload(h2) << h2 << int(KernelThread) << 30 * kDay << int(None) << reg << 0
        << "unverifiable"
        << ""
        << "force" << QStringList{};
    QTest::newRow("live holder whose start time cannot be read")
        << payload(h2) << h2 << int(NoStartTime) << qint64(0) << int(None) << reg << 0 << "held"
        << ""
        << "keep" << QStringList{};
    QTest::newRow("kill fails with an unexpected error")
        << payload(h2) << h2 << int(ProbeFailed) << qint64(0) << int(None) << reg << 0
        << "unverifiable"
        << ""
        << "force" << QStringList{};
    QTest::newRow("original holder still alive 50 hours later")
        << payload(50 * kHour) << 50 * kHour << int(Alive) << 50 * kHour + kSecond << int(None)
        << reg << 0 << "expired"
        << ""
        << "force" << QStringList{};
    QTest::newRow("50 hours old, start time unreadable")
        << payload(50 * kHour) << 50 * kHour << int(NoStartTime) << qint64(0) << int(None) << reg
        << 0 << "expired"
        << ""
        << "force" << QStringList{};
    QTest::newRow("50 hours old, pid now a process started a minute ago")
        << payload(50 * kHour) << 50 * kHour << int(Alive) << kMinute << int(None) << reg << 0
        << "stale"
        << "pid-reused"
        << "remove" << QStringList{};
    QTest::newRow("holder of another user answers EPERM")
        << payload(kMinute) << kMinute << int(AliveEperm) << kHour << int(None) << reg << 0
        << "held"
        << ""
        << "keep" << QStringList{"other-user"};
    QTest::newRow("live holder that is not node, bun or llxprt")
        << payload(kMinute) << kMinute << int(Python) << kHour << int(None) << reg << 0 << "held"
        << ""
        << "keep" << QStringList{"not-llxprt"};

    QTest::newRow("empty lock older than 48 hours")
        << QByteArray() << 72 * kHour << int(Gone) << qint64(0) << int(None) << reg << 0 << "stale"
        << "aged"
        << "remove" << QStringList{};
    QTest::newRow("empty lock written 10 seconds ago")
        << QByteArray() << 10 * kSecond << int(Gone) << qint64(0) << int(None) << reg << 0 << "busy"
        << ""
        << "force" << QStringList{};
    QTest::newRow("truncated payload older than 48 hours")
        << QByteArray("{\"pid\":4242,\"timesta") << 72 * kHour << int(Gone) << qint64(0)
        << int(None) << reg << 0 << "stale"
        << "aged"
        << "remove" << QStringList{};
    for (const char *pid : {"0", "-1", "\"4242\"", "4242.5", "1e30", "null", "2147483648"}) {
        QTest::addRow("pid %s, an hour old", pid)
            << QByteArray("{\"pid\":") + pid + ",\"timestamp\":\"2027-01-15T08:00:00.000Z\"}"
            << kHour << int(Gone) << qint64(0) << int(None) << reg << 0 << "busy"
            << ""
            << "force" << QStringList{"legacy"};
    }
    QTest::newRow("deeply nested JSON an hour old") << QByteArray(5000, '[') << kHour << int(Gone)
                                                    << qint64(0) << int(None) << reg << 0 << "busy"
                                                    << ""
                                                    << "force" << QStringList{};
    QTest::newRow("no timestamp and the holder exited")
        << QByteArray("{\"pid\":4242,\"sessionId\":\"s1\",\"ownerToken\":\"t\"}") << kHour
        << int(Gone) << qint64(0) << int(None) << reg << 0 << "stale"
        << "holder-exited"
        << "remove" << QStringList{};
    QTest::newRow("unreadable to this user, an hour old")
        << QByteArray() << kHour << int(Gone) << qint64(0) << int(None) << reg << 13 << "busy"
        << ""
        << "force" << QStringList{"blocked"};
    QTest::newRow("unreadable to this user, three days old: stale but kept")
        << QByteArray() << 72 * kHour << int(Gone) << qint64(0) << int(None) << reg << 13 << "stale"
        << "aged"
        << "remove" << QStringList{"blocked"};
    QTest::newRow("far larger than any lock, three days old")
        << QByteArray(100, 'x') << 72 * kHour << int(Gone) << qint64(0) << int(None) << reg << 0
        << "stale"
        << "aged"
        << "remove" << QStringList{"blocked"};

    QTest::newRow("timestamp three hours ahead, live holder")
        << payload(-3 * kHour) << qint64(0) << int(Alive) << kHour << int(None) << reg << 0
        << "held"
        << ""
        << "keep" << QStringList{"clock-skew"};
    QTest::newRow("timestamp three hours ahead, holder exited")
        << payload(-3 * kHour) << qint64(0) << int(Gone) << qint64(0) << int(None) << reg << 0
        << "stale"
        << "holder-exited"
        << "remove" << QStringList{"clock-skew"};
    QTest::newRow("corrupt payload with mtime 30 days ahead")
        << QByteArray("garbage") << -30 * kDay << int(Gone) << qint64(0) << int(None) << reg << 0
        << "busy"
        << ""
        << "force" << QStringList{"clock-skew"};
    QTest::newRow("timestamp at the epoch with a live holder")
        << withTimestamp(QStringLiteral("1970-01-01T00:00:00.000Z")) << kMinute << int(Alive)
        << kMinute << int(None) << reg << 0 << "stale"
        << "pid-reused"
        << "remove" << QStringList{};
    for (const char *stamp :
         {"+275760-09-13T00:00:00.000Z", "0001-01-01T00:00:00.000Z", "2026-02-30T25:61:00Z"}) {
        QTest::addRow("holder exited, timestamp %s", stamp)
            << withTimestamp(QString::fromLatin1(stamp)) << kHour << int(Gone) << qint64(0)
            << int(None) << reg << 0 << "stale"
            << "holder-exited"
            << "remove" << QStringList{};
    }
    QTest::newRow("absurd timestamp never makes a live lock old")
        << withTimestamp(QStringLiteral("0001-01-01T00:00:00.000Z")) << kMinute << int(Alive)
        << kHour << int(None) << reg << 0 << "held"
        << ""
        << "keep" << QStringList{};

    QTest::newRow("on a network filesystem")
        << payload(h2) << h2 << int(Gone) << qint64(0) << int(Network) << reg << 0 << "unverifiable"
        << ""
        << "force" << QStringList{};
    QTest::newRow("on a FUSE filesystem")
        << payload(h2) << h2 << int(Gone) << qint64(0) << int(Fuse) << reg << 0 << "unverifiable"
        << ""
        << "force" << QStringList{};
    QTest::newRow("payload names another host")
        << QByteArray("{\"pid\":4242,\"timestamp\":\"2027-01-15T06:00:00.000Z\",\"hostname\":"
                      "\"elsewhere\",\"sessionId\":\"s1\",\"ownerToken\":\"t\"}")
        << h2 << int(Gone) << qint64(0) << int(None) << reg << 0 << "unverifiable"
        << ""
        << "force" << QStringList{};
    QTest::newRow("another process holds the transition guard")
        << payload(h2) << h2 << int(Gone) << qint64(0) << int(GuardRunning) << reg << 0
        << "in-transition"
        << ""
        << "keep" << QStringList{};
    QTest::newRow("a leftover guard does not stop the verdict")
        << payload(h2) << h2 << int(Gone) << qint64(0) << int(GuardLeftover) << reg << 0 << "stale"
        << "holder-exited"
        << "remove" << QStringList{};
    QTest::newRow("payload names another session")
        << payload(h2, kPid, QStringLiteral("other")) << h2 << int(Gone) << qint64(0) << int(None)
        << reg << 0 << "stale"
        << "holder-exited"
        << "never" << QStringList{"id-mismatch"};
    QTest::newRow("payload from before owner tokens")
        << QByteArray("{\"pid\":4242,\"timestamp\":\"2027-01-15T06:00:00.000Z\","
                      "\"sessionId\":\"s1\"}")
        << h2 << int(Gone) << qint64(0) << int(None) << reg << 0 << "stale"
        << "holder-exited"
        << "remove" << QStringList{"legacy"};
    QTest::newRow("0.10-era lock keyed by recording name")
        << payload(h2, kPid, QStringLiteral("s1")) << h2 << int(Gone) << qint64(0)
        << int(LegacyName) << reg << 0 << "stale"
        << "holder-exited"
        << "remove" << QStringList{"legacy"};
    QTest::newRow("name is not a session id")
        << payload(h2) << h2 << int(Gone) << qint64(0) << int(BadName) << reg << 0 << "not-a-lock"
        << ""
        << "never" << QStringList{};
    QTest::newRow("a symlink named like a lock")
        << QByteArray() << h2 << int(Gone) << qint64(0) << int(None) << int(FileType::Symlink) << 0
        << "not-a-lock"
        << ""
        << "never" << QStringList{};
    QTest::newRow("a FIFO named like a lock")
        << QByteArray() << h2 << int(Gone) << qint64(0) << int(None) << int(FileType::Fifo) << 0
        << "not-a-lock"
        << ""
        << "never" << QStringList{};
    QTest::newRow("a directory named like a lock")
        << QByteArray() << h2 << int(Gone) << qint64(0) << int(None) << int(FileType::Directory)
        << 0 << "not-a-lock"
        << ""
        << "never" << QStringList{};

    QTest::newRow("stale on a read-only filesystem")
        << payload(h2) << h2 << int(Gone) << qint64(0) << int(ReadOnly) << reg << 0 << "stale"
        << "holder-exited"
        << "remove" << QStringList{"blocked"};
    QTest::newRow("stale in a folder this user cannot write")
        << payload(h2) << h2 << int(Gone) << qint64(0) << int(NotWritable) << reg << 0 << "stale"
        << "holder-exited"
        << "remove" << QStringList{"blocked"};
    QTest::newRow("stale, another user's file in another user's sticky folder")
        << payload(h2) << h2 << int(Gone) << qint64(0) << int(StickyOther | FileOfOther) << reg << 0
        << "stale"
        << "holder-exited"
        << "remove" << QStringList{"other-user", "blocked"};
    QTest::newRow("a held lock is never blocked: there is nothing to remove")
        << payload(kMinute) << kMinute << int(Alive) << kHour << int(ReadOnly) << reg << 0 << "held"
        << ""
        << "keep" << QStringList{};
}

void tst_LockVerdict::matrix()
{
    QFETCH(QByteArray, bytes);
    QFETCH(qint64, mtimeAgo);
    QFETCH(int, holder);
    QFETCH(qint64, holderAge);
    QFETCH(int, env);
    QFETCH(int, fileType);
    QFETCH(int, openErrno);
    QFETCH(QString, verdict);
    QFETCH(QString, cause);
    QFETCH(QString, action);
    QFETCH(QStringList, flags);

    LockInputs in;
    in.kind = env & LegacyName ? EntryKind::LegacyLock
              : env & BadName  ? EntryKind::NotALock
                               : EntryKind::Lock;
    in.nameKey = QStringLiteral("s1");
    in.file.type = FileType(fileType);
    in.file.mtimeMs = kWall - mtimeAgo;
    in.file.ctimeMs = in.file.mtimeMs;
    in.file.uid = env & FileOfOther ? 0 : kMe;
    in.file.openErrno = openErrno;
    in.file.read = openErrno == 0 && in.file.type == FileType::Regular;
    in.file.truncated = bytes == QByteArray(100, 'x');
    in.file.bytes = bytes;
    if (in.file.read)
        in.payload = parseLockPayload(bytes);
    else
        in.payload = parseLockPayload(QByteArray());
    const qint64 pid = in.payload.pid.value_or(0);
    if (pid > 0)
        in.holder = holderFor(holder, pid, holderAge);
    in.directory.kind = env & Network ? FilesystemKind::Network
                        : env & Fuse  ? FilesystemKind::Fuse
                                      : FilesystemKind::Local;
    in.directory.readOnly = env & ReadOnly;
    in.directory.writable = !(env & NotWritable);
    in.directory.sticky = env & StickyOther;
    in.directory.ownerUid = env & StickyOther ? 0 : kMe;
    in.guard = env & GuardRunning    ? GuardState::Running
               : env & GuardLeftover ? GuardState::Leftover
                                     : GuardState::None;
    in.guardReason = QStringLiteral("its guard names a claimant that is alive");
    in.heldBySelf = env & HeldBySelf;
    in.hasRecording = !(env & NoRecording);

    const Judgement j = judgeLock(in, context());
    QCOMPARE(verdictName(j.verdict), verdict);
    QCOMPARE(causeName(j.cause), cause);
    QCOMPARE(actionName(j.action), action);
    QCOMPARE(j.flagNames(), flags);
    QVERIFY2(!j.reason.isEmpty(), "every verdict explains itself");
    if (j.has(Blocked))
        QVERIFY(!j.blockedReason.isEmpty());
    if (j.has(OtherUser))
        QVERIFY(j.otherUserReason.contains(QLatin1String("uid")));
    if (j.has(ClockSkew) && in.payload.timestamp.valid && j.lockAgeMs)
        QVERIFY2(*j.lockAgeMs < 0 || j.ageFromMtime, "a lock from the future has a negative age");
}

void tst_LockVerdict::upstream_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<qint64>("mtimeAgo");
    QTest::addColumn<int>("holder");
    QTest::addColumn<int>("env");
    QTest::addColumn<bool>("legacyRoot");
    QTest::addColumn<bool>("inUse");
    QTest::addColumn<bool>("staleB");
    QTest::addColumn<bool>("janitor");

    QTest::newRow("holder exited")
        << payload(kHour) << kHour << int(Gone) << int(None) << false << false << true << true;
    QTest::newRow("live and fresh")
        << payload(kHour) << kHour << int(Alive) << int(None) << false << true << false << false;
    QTest::newRow("live past 48 h: upstream takes a live session over")
        << payload(49 * kHour) << 49 * kHour << int(Alive) << int(None) << false << true << true
        << true;
    QTest::newRow("EPERM counts as alive") << payload(kHour) << kHour << int(AliveEperm)
                                           << int(None) << false << true << false << false;
    QTest::newRow("corrupt and old: in use forever, never cleaned by the janitor")
        << QByteArray("garbage") << 72 * kHour << int(Gone) << int(None) << false << true << true
        << false;
    QTest::newRow("corrupt and fresh") << QByteArray("garbage") << kHour << int(Gone) << int(None)
                                       << false << true << false << false;
    QTest::newRow("valid JSON without a pid, old: the janitor removes it")
        << QByteArray("{\"sessionId\":\"s1\"}") << 72 * kHour << int(Gone) << int(None) << false
        << true << true << true;
    QTest::newRow("pid reused by a fresh process: upstream keeps it")
        << payload(kHour) << kHour << int(Alive) << int(None) << false << true << false << false;
    QTest::newRow("payload names another session: janitor skips it")
        << payload(kHour, kPid, QStringLiteral("other")) << kHour << int(Gone) << int(None) << false
        << false << true << false;
    QTest::newRow("a guard is present: janitor cannot claim it")
        << payload(kHour) << kHour << int(Gone) << int(GuardLeftover) << false << false << true
        << false;
    QTest::newRow("legacy root: the janitor never visits it")
        << payload(kHour) << kHour << int(Gone) << int(None) << true << false << true << false;
    QTest::newRow("invalid timestamp, holder exited: upstream falls back to mtime")
        << withTimestamp(QStringLiteral("2026-02-30T25:61:00Z")) << kHour << int(Gone) << int(None)
        << false << false << false << false;
}

void tst_LockVerdict::upstream()
{
    QFETCH(QByteArray, bytes);
    QFETCH(qint64, mtimeAgo);
    QFETCH(int, holder);
    QFETCH(int, env);
    QFETCH(bool, legacyRoot);
    QFETCH(bool, inUse);
    QFETCH(bool, staleB);
    QFETCH(bool, janitor);

    LockInputs in;
    in.kind = EntryKind::Lock;
    in.nameKey = QStringLiteral("s1");
    in.file.type = FileType::Regular;
    in.file.mtimeMs = kWall - mtimeAgo;
    in.file.read = true;
    in.file.bytes = bytes;
    in.payload = parseLockPayload(bytes);
    if (in.payload.pid)
        in.holder = holderFor(holder, *in.payload.pid, kMinute);
    const UpstreamView view = judgeUpstream(in, env & GuardLeftover, legacyRoot, context());
    QCOMPARE(view.inUse, inUse);
    QCOMPARE(view.staleB, staleB);
    QCOMPARE(view.janitorRemoves, janitor);
}

void tst_LockVerdict::guardStates()
{
    const JudgeContext ctx = context();
    EntryFile lock;
    lock.type = FileType::Regular;
    lock.dev = 1;
    lock.ino = 100;

    EntryFile guard = lock; // a hard link: same inode
    guard.ctimeMs = kWall - 5 * kSecond;
    Judgement none;
    QString reason;
    QCOMPARE(guardStateFor(lock, guard, none, ctx, &reason), GuardState::Running);
    QVERIFY(reason.contains(QLatin1String("hard link")));

    guard.ctimeMs = kWall - 6 * kMinute;
    QCOMPARE(guardStateFor(lock, guard, none, ctx, &reason), GuardState::Leftover);

    EntryFile separate = lock;
    separate.ino = 200;
    Judgement claimant;
    claimant.verdict = Verdict::Held;
    QCOMPARE(guardStateFor(lock, separate, claimant, ctx, &reason), GuardState::Running);
    claimant.verdict = Verdict::Busy;
    QCOMPARE(guardStateFor(lock, separate, claimant, ctx, &reason), GuardState::Running);
    claimant.verdict = Verdict::Stale;
    QCOMPARE(guardStateFor(lock, separate, claimant, ctx, &reason), GuardState::Leftover);

    EntryFile missing;
    QCOMPARE(guardStateFor(lock, missing, claimant, ctx, &reason), GuardState::None);

    // A guard that is not a link of the current lock and names a dead holder:
    // while fresh it may be a taker's guard still carrying its victim's payload
    // (the taker has just replaced the lock), so it is a running transition.
    LockInputs fresh;
    fresh.kind = EntryKind::Guard;
    fresh.nameKey = QStringLiteral("s1");
    fresh.file.type = FileType::Regular;
    fresh.file.dev = 1;
    fresh.file.ino = 300;
    fresh.file.read = true;
    fresh.file.bytes = payload(kHour);
    fresh.payload = parseLockPayload(fresh.file.bytes);
    fresh.holder = holderFor(Gone, kPid, 0);
    fresh.file.ctimeMs = kWall - 2 * kSecond;
    Judgement g = judgeGuard(fresh, lock, ctx);
    QCOMPARE(g.verdict, Verdict::InTransition);
    QCOMPARE(g.action, Action::Keep);
    QCOMPARE(guardStateFor(lock, fresh.file, g, ctx, &reason), GuardState::Running);
    fresh.file.ctimeMs = kWall - 6 * kMinute;
    g = judgeGuard(fresh, lock, ctx);
    QCOMPARE(g.verdict, Verdict::Stale);
    QCOMPARE(g.action, Action::Remove);
    QCOMPARE(guardStateFor(lock, fresh.file, g, ctx, &reason), GuardState::Leftover);
}

void tst_LockVerdict::tempAndLease()
{
    const JudgeContext ctx = context();
    LockInputs temp;
    temp.kind = EntryKind::Temp;
    temp.nameKey = QStringLiteral("s1");
    temp.file.type = FileType::Regular;
    temp.file.read = true;
    temp.file.bytes = payload(10 * kMinute);
    temp.payload = parseLockPayload(temp.file.bytes);
    temp.holder = holderFor(Gone, kPid, 0);

    temp.file.mtimeMs = kWall - 10 * kMinute;
    Judgement j = judgeTemp(temp, ctx);
    QCOMPARE(verdictName(j.verdict), QStringLiteral("stale"));
    QCOMPARE(j.action, Action::Remove);

    temp.file.mtimeMs = kWall - 30 * kSecond;
    j = judgeTemp(temp, ctx);
    QCOMPARE(j.verdict, Verdict::InTransition);
    QCOMPARE(j.action, Action::Keep);

    temp.file.mtimeMs = kWall - 10 * kMinute;
    temp.holder = holderFor(Alive, kPid, kHour);
    QCOMPARE(judgeTemp(temp, ctx).action, Action::Keep);

    temp.kind = EntryKind::BadTemp;
    QCOMPARE(judgeTemp(temp, ctx).action, Action::Never);

    temp.kind = EntryKind::Temp;
    temp.file.type = FileType::Symlink;
    QCOMPARE(judgeTemp(temp, ctx).action, Action::Never);

    LockInputs lease;
    lease.kind = EntryKind::Lease;
    lease.file.type = FileType::Regular;
    lease.file.mtimeMs = kWall - kHour;
    const auto leaseBytes = [](qint64 beatAgo, const char *host) {
        return QByteArray("{\"ownerToken\":\"t\",\"pid\":4242,\"hostname\":\"") + host +
               "\",\"createdAt\":\"" + formatTimestamp(kWall - kHour).toLatin1() +
               "\",\"heartbeatAt\":\"" + formatTimestamp(kWall - beatAgo).toLatin1() + "\"}";
    };
    lease.payload = parseLockPayload(leaseBytes(30 * kSecond, "here"));
    lease.holder = holderFor(Gone, kPid, 0);
    QCOMPARE(judgeLease(lease, ctx).verdict, Verdict::Held);

    lease.payload = parseLockPayload(leaseBytes(20 * kMinute, "here"));
    j = judgeLease(lease, ctx);
    QCOMPARE(j.verdict, Verdict::Stale);
    QCOMPARE(j.action, Action::Remove);

    lease.payload = parseLockPayload(leaseBytes(20 * kMinute, "devbox"));
    QCOMPARE(judgeLease(lease, ctx).verdict, Verdict::Unverifiable);
}

QTEST_GUILESS_MAIN(tst_LockVerdict)
#include "tst_lockverdict.moc"
