#include "auditlog.h"
#include "lockmanager.h"
#include "lockpayload.h"
#include "lockremover.h"
#include "storediscovery.h"
#include "timestamp.h"

#include "testsupport.h"

#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <memory>
#include <thread>
#include <vector>

using namespace lockscope;
using namespace lockscope::test;

namespace {

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

QByteArray raw(const QString &path)
{
    return QFile::encodeName(path);
}

// Every name in a folder, hidden ones included, sorted.
QStringList entries(const QString &dir)
{
    QStringList names =
        QDir(dir).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System);
    names.sort();
    return names;
}

QByteArray readBytes(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return QByteArray("<unreadable>");
    return file.readAll();
}

qint64 payloadPid(const QByteArray &bytes)
{
    return parseLockPayload(bytes).pid.value_or(-1);
}

// The payload upstream writes, spelled out from the format description rather
// than produced by lockscope's own writer.
const QRegularExpression &upstreamPayloadPattern()
{
    static const QRegularExpression re(
        QStringLiteral("^\\{\"pid\":([1-9][0-9]*),\"timestamp\":\"(\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{"
                       "2}:\\d{2}\\.\\d{3}Z)\","
                       "\"sessionId\":\"([A-Za-z0-9_-]+)\",\"ownerToken\":\"([^\"]*)\"\\}$"));
    return re;
}

const QRegularExpression &uuidV4Pattern()
{
    static const QRegularExpression re(
        QStringLiteral("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"));
    return re;
}

// What one lock-like file looks like before a test runs, so that the test can
// name the kind of payload in a data row.
enum class Payload
{
    None,
    Dead,
    Live,
    LiveOld,
    CorruptOld,
    CorruptFresh,
    PidZero,
    Empty72h,
    DeadNoTimestamp
};

} // namespace

Q_DECLARE_METATYPE(Payload)
Q_DECLARE_METATYPE(AcquireOutcome)
Q_DECLARE_METATYPE(RemovalOutcome)

class tst_LockManager final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    void lockPath_data();
    void lockPath();
    void lockPathForRecording();

    void acquirePublishesUpstreamPayload();
    void releaseAfterReplacement_data();
    void releaseAfterReplacement();
    void acquireOverLiveHolder_data();
    void acquireOverLiveHolder();
    void acquireOverDeadHolderTakesOver();
    void acquireNeverTakesOverLiveLongSession();
    void acquireDuringTransition_data();
    void acquireDuringTransition();

    void upstreamPredicates_data();
    void upstreamPredicates();
    void isLockedAndIsStale_data();
    void isLockedAndIsStale();
    void removeStaleLock_data();
    void removeStaleLock();
    void cleanupOrphanedLocks();

    void eightProcessesRaceForOneStaleLock();
    void cleanerNeverRemovesAHeldLock();

private:
    // Writes the payload a data row names into path; returns the bytes written.
    QByteArray plant(const QString &path, Payload payload, const QString &id);

    QTemporaryDir m_auditDir;
    QString m_auditPath;
    std::unique_ptr<LiveChild> m_live;
    qint64 m_dead = 0;
};

void tst_LockManager::initTestCase()
{
    QVERIFY(m_auditDir.isValid());
    m_auditPath = m_auditDir.filePath(QStringLiteral("audit.jsonl"));
    // Every LockManager without an explicit log, here and in the holder
    // processes this test starts, writes here and never into the user's log.
    qputenv("LOCKSCOPE_AUDIT_LOG", QFile::encodeName(m_auditPath));

    m_live = std::make_unique<LiveChild>();
    QVERIFY2(m_live->pid() > 0, m_live->firstLine().constData());
    m_dead = deadPid();
    QVERIFY(m_dead > 0);
    QCOMPARE(::kill(pid_t(m_dead), 0), -1);
}

void tst_LockManager::cleanupTestCase()
{
    m_live.reset();
}

QByteArray tst_LockManager::plant(const QString &path, Payload payload, const QString &id)
{
    const qint64 now = nowMs();
    QByteArray bytes;
    qint64 mtime = now;
    switch (payload) {
    case Payload::None:
        return {};
    case Payload::Dead:
        bytes = lockBytes(m_dead, now - kHour, id);
        break;
    case Payload::Live:
        bytes = lockBytes(m_live->pid(), now, id);
        break;
    case Payload::LiveOld:
        bytes = lockBytes(m_live->pid(), now - 49 * kHour, id);
        break;
    case Payload::CorruptOld:
        bytes = "{\"pid\":4242,\"timesta";
        mtime = now - 72 * kHour;
        break;
    case Payload::CorruptFresh:
        bytes = "{\"pid\":4242,\"timesta";
        mtime = now - 10 * kSecond;
        break;
    case Payload::PidZero:
        bytes = "{\"pid\":0,\"timestamp\":\"" + formatTimestamp(now - kHour).toLatin1() +
                "\",\"sessionId\":\"" + id.toLatin1() + "\",\"ownerToken\":\"" +
                newId().toLatin1() + "\"}";
        mtime = now - kHour;
        break;
    case Payload::Empty72h:
        mtime = now - 72 * kHour;
        break;
    case Payload::DeadNoTimestamp:
        bytes = "{\"pid\":" + QByteArray::number(m_dead) + ",\"sessionId\":\"" + id.toLatin1() +
                "\",\"ownerToken\":\"" + newId().toLatin1() + "\"}";
        break;
    }
    writeFile(path, bytes);
    setMtime(path, mtime);
    return bytes;
}

void tst_LockManager::lockPath_data()
{
    QTest::addColumn<QString>("id");
    QTest::addColumn<bool>("valid");

    QTest::newRow("parent directory traversal") << "../x" << false;
    QTest::newRow("a dot inside the id") << "a.b" << false;
    QTest::newRow("empty id") << "" << false;
    QTest::newRow("257 characters, one too many") << QString(257, QLatin1Char('a')) << false;
    QTest::newRow("a slash") << "a/b" << false;
    QTest::newRow("a space") << "a b" << false;
    QTest::newRow("a non-ASCII letter") << QStringLiteral("caf\u00e9") << false;
    QTest::newRow("letters, digits, underscore and dash") << "ok_ID-1" << true;
    QTest::newRow("256 characters, the longest allowed") << QString(256, QLatin1Char('a')) << true;
    QTest::newRow("a generated UUID") << "7b9e2f4a-1c3d-4e5f-8a6b-9c0d1e2f3a4b" << true;
}

void tst_LockManager::lockPath()
{
    QFETCH(QString, id);
    QFETCH(bool, valid);

    const QByteArray chats = "/home/user/.local/state/llxprt-code/tmp/abc/chats";
    const QByteArray path = LockManager::lockPath(chats, id);
    if (valid) {
        QCOMPARE(path, chats + '/' + id.toLatin1() + ".lock");
        return;
    }
    QVERIFY2(path.isEmpty(), path.constData());

    // acquire refuses the same ids and creates nothing.
    QTemporaryDir tmp;
    LockManager manager;
    const AcquireResult r = manager.acquire(raw(tmp.path()), id);
    QCOMPARE(r.outcome, AcquireOutcome::InvalidId);
    QVERIFY(!r.handle);
    QCOMPARE(entries(tmp.path()), QStringList());
}

void tst_LockManager::lockPathForRecording()
{
    QTemporaryDir tmp;
    const QString chats = tmp.path();

    // Upstream's name carries only 12 characters: the id must come from the header.
    const QString id = newId();
    const QString upstreamName = chats + QLatin1Char('/') + recordingName(id);
    writeFile(upstreamName, headerLine(id));
    QCOMPARE(LockManager::lockPathForRecording(raw(upstreamName)),
             raw(chats + QLatin1Char('/') + id + QStringLiteral(".lock")));

    // The design-era name carried the whole id; no readable header is needed.
    const QString designId = newId();
    const QString designName =
        chats + QStringLiteral("/session-") + designId + QStringLiteral(".jsonl");
    writeFile(designName, QByteArray());
    QCOMPARE(LockManager::lockPathForRecording(raw(designName)),
             raw(chats + QLatin1Char('/') + designId + QStringLiteral(".lock")));

    // An upstream name whose header is torn: 12 characters are not an id.
    const QString tornId = newId();
    const QString tornName =
        chats + QLatin1Char('/') + recordingName(tornId, QStringLiteral("2026-12-05T10-00-00"));
    writeFile(tornName,
              "{\"v\":1,\"seq\":1,\"ts\":\"2026-09-17T20:08:46.000Z\",\"type\":\"session_st");
    const QByteArray torn = LockManager::lockPathForRecording(raw(tornName));
    QVERIFY2(torn.isEmpty(), torn.constData());
}

void tst_LockManager::acquirePublishesUpstreamPayload()
{
    QTemporaryDir tmp;
    const QString chats = tmp.path() + QStringLiteral("/not/yet/chats");
    QVERIFY(!QFileInfo::exists(chats));
    const QString id = newId();
    const QString path = chats + QLatin1Char('/') + id + QStringLiteral(".lock");

    LockManager manager;
    const qint64 before = nowMs();
    AcquireResult r = manager.acquire(raw(chats), id);
    const qint64 after = nowMs();
    QCOMPARE(r.outcome, AcquireOutcome::Acquired);
    QVERIFY(r.handle);
    QCOMPARE(r.handle->path(), raw(path));

    // The publication temp is gone and no guard is left: the lock is alone.
    QCOMPARE(entries(chats), QStringList{id + QStringLiteral(".lock")});
    QCOMPARE(QFileInfo(path).isSymLink(), false);

    const QByteArray bytes = readBytes(path);
    QVERIFY2(!bytes.endsWith('\n'), bytes.constData());
    const QRegularExpressionMatch m = upstreamPayloadPattern().match(QString::fromLatin1(bytes));
    QVERIFY2(m.hasMatch(), bytes.constData());
    QCOMPARE(m.captured(1).toLongLong(), qint64(::getpid()));
    const ParsedTimestamp stamp = parseTimestamp(m.captured(2));
    QVERIFY(stamp.valid && stamp.inRange);
    QVERIFY2(stamp.msSinceEpoch >= before - 1 && stamp.msSinceEpoch <= after + 1,
             qPrintable(m.captured(2)));
    QCOMPARE(m.captured(3), id);
    QVERIFY2(uuidV4Pattern().match(m.captured(4)).hasMatch(), qPrintable(m.captured(4)));
    QCOMPARE(m.captured(4), r.handle->ownerToken());

    QVERIFY(r.handle->ownsLock());
    QCOMPARE(r.handle->release(), ReleaseOutcome::Released);
    QVERIFY(!QFileInfo::exists(path));
    QCOMPARE(entries(chats), QStringList());
    QVERIFY(!r.handle->ownsLock());
    QCOMPARE(r.handle->release(), ReleaseOutcome::AlreadyGone);

    // The same id can be taken again at once: nothing of the first holder remains.
    AcquireResult again = manager.acquire(raw(chats), id);
    QCOMPARE(again.outcome, AcquireOutcome::Acquired);
    QVERIFY(again.handle->ownerToken() != r.handle->ownerToken());
}

void tst_LockManager::releaseAfterReplacement_data()
{
    QTest::addColumn<bool>("renamedOver");
    QTest::newRow("another holder's lock renamed over ours") << true;
    QTest::newRow("ours rewritten in place with another token") << false;
}

void tst_LockManager::releaseAfterReplacement()
{
    QFETCH(bool, renamedOver);

    QTemporaryDir tmp;
    const QString id = newId();
    LockManager manager;
    AcquireResult r = manager.acquire(raw(tmp.path()), id);
    QCOMPARE(r.outcome, AcquireOutcome::Acquired);
    const QString path = QString::fromUtf8(r.handle->path());

    const QByteArray other = lockBytes(m_live->pid(), nowMs(), id);
    if (renamedOver) {
        const QString staging = tmp.filePath(QStringLiteral("staging"));
        writeFile(staging, other);
        QCOMPARE(::rename(raw(staging).constData(), raw(path).constData()), 0);
    } else {
        writeFile(path, other);
    }

    QVERIFY(!r.handle->ownsLock());
    QCOMPARE(r.handle->release(), ReleaseOutcome::NotOwner);
    QCOMPARE(readBytes(path), other);
    QCOMPARE(entries(tmp.path()), QStringList{id + QStringLiteral(".lock")});
}

void tst_LockManager::acquireOverLiveHolder_data()
{
    QTest::addColumn<bool>("holderTakesItself");
    QTest::newRow("lock written for a live child") << false;
    QTest::newRow("lock taken by a live holder process") << true;
}

void tst_LockManager::acquireOverLiveHolder()
{
    QFETCH(bool, holderTakesItself);

    QTemporaryDir tmp;
    const QString chats = tmp.path();
    const QString id = newId();
    const QString path = chats + QLatin1Char('/') + id + QStringLiteral(".lock");

    std::unique_ptr<LiveChild> holder;
    if (holderTakesItself) {
        holder = std::make_unique<LiveChild>(QStringList{QStringLiteral("acquire"), chats, id});
        QVERIFY2(holder->firstLine().startsWith("acquired "), holder->firstLine().constData());
    } else {
        holder = std::make_unique<LiveChild>();
        writeFile(path, lockBytes(holder->pid(), nowMs(), id));
    }
    const QByteArray before = readBytes(path);
    QCOMPARE(payloadPid(before), holder->pid());

    LockManager manager;
    AcquireResult r = manager.acquire(raw(chats), id);
    QCOMPARE(r.outcome, AcquireOutcome::InUse);
    QVERIFY(!r.handle);
    QCOMPARE(r.existing.verdict, Verdict::Held);
    QCOMPARE(readBytes(path), before);
    QCOMPARE(entries(chats), QStringList{id + QStringLiteral(".lock")});

    if (holderTakesItself) {
        // The holder still owns its lock: it releases it cleanly.
        holder->stop();
        const QByteArray rest = holder->process().readAllStandardOutput();
        QVERIFY2(rest.contains("released"), rest.constData());
        QCOMPARE(holder->process().exitCode(), 0);
        QCOMPARE(entries(chats), QStringList());
    }
}

void tst_LockManager::acquireOverDeadHolderTakesOver()
{
    QTemporaryDir tmp;
    const QString chats = tmp.path();
    const QString id = newId();
    const QString path = chats + QLatin1Char('/') + id + QStringLiteral(".lock");
    const QByteArray stale = lockBytes(m_dead, nowMs() - kHour, id);
    writeFile(path, stale);

    const int recordsBefore = int(AuditLog(m_auditPath).records().size());
    LockManager manager; // audit log from LOCKSCOPE_AUDIT_LOG
    AcquireResult r = manager.acquire(raw(chats), id);
    QCOMPARE(r.outcome, AcquireOutcome::TookOver);
    QVERIFY(r.handle);
    QCOMPARE(r.existing.verdict, Verdict::Stale);
    QCOMPARE(r.existing.cause, Cause::HolderExited);

    const QByteArray now = readBytes(path);
    QCOMPARE(payloadPid(now), qint64(::getpid()));
    QCOMPARE(parseLockPayload(now).ownerToken, r.handle->ownerToken());
    QCOMPARE(entries(chats), QStringList{id + QStringLiteral(".lock")});

    const QVector<AuditRecord> records = AuditLog(m_auditPath).records();
    QCOMPARE(records.size(), recordsBefore + 1);
    const AuditRecord &record = records.last();
    QCOMPARE(record.rawPath(), raw(path));
    QCOMPARE(record.bytes, stale);
    QCOMPARE(record.verdict, QStringLiteral("stale"));
    QCOMPARE(record.cause, QStringLiteral("holder-exited"));
    QCOMPARE(record.outcome, QStringLiteral("removed"));
    QCOMPARE(
        record.evidence.value(QLatin1String("holder")).toObject().value(QLatin1String("alive")),
        QJsonValue(false));

    QCOMPARE(r.handle->release(), ReleaseOutcome::Released);
    QCOMPARE(entries(chats), QStringList());
}

void tst_LockManager::acquireNeverTakesOverLiveLongSession()
{
    QTemporaryDir tmp;
    const QString chats = tmp.path();
    const QString id = newId();
    const QString path = chats + QLatin1Char('/') + id + QStringLiteral(".lock");
    LiveChild holder;
    const QByteArray bytes = lockBytes(holder.pid(), nowMs(), id);
    writeFile(path, bytes);

    // 50 h later the original holder still runs: upstream's predicate B calls
    // the lock stale and would take it over; lockscope must not.
    FakeClock clock;
    clock.advance(50 * kHour);
    AuditLog audit(tmp.filePath(QStringLiteral("audit.jsonl")));
    LockManager manager(SystemProcessProbe::instance(), clock, &audit);
    QVERIFY(manager.checkStaleWithPidReuse(raw(path)));
    QVERIFY(!manager.checkStale(raw(path)));

    AcquireResult r = manager.acquire(raw(chats), id);
    QCOMPARE(r.outcome, AcquireOutcome::InUse);
    QVERIFY(!r.handle);
    QCOMPARE(r.existing.verdict, Verdict::Expired);
    QCOMPARE(readBytes(path), bytes);
    QCOMPARE(entries(chats), QStringList{id + QStringLiteral(".lock")});
    QCOMPARE(audit.records().size(), 0);
}

void tst_LockManager::acquireDuringTransition_data()
{
    QTest::addColumn<bool>("hardLink");
    QTest::newRow("a fresh hard-link guard of the stale lock") << true;
    QTest::newRow("a separate guard naming a live claimant") << false;
}

void tst_LockManager::acquireDuringTransition()
{
    QFETCH(bool, hardLink);

    QTemporaryDir tmp;
    const QString chats = tmp.path();
    const QString id = newId();
    const QString path = chats + QLatin1Char('/') + id + QStringLiteral(".lock");
    const QString guard = path + QStringLiteral(".tguard");
    const QByteArray stale = lockBytes(m_dead, nowMs() - kHour, id);
    writeFile(path, stale);
    if (hardLink)
        QCOMPARE(::link(raw(path).constData(), raw(guard).constData()), 0);
    else
        writeFile(guard, lockBytes(m_live->pid(), nowMs(), id));
    const QByteArray guardBytes = readBytes(guard);

    LockManager manager;
    AcquireResult r = manager.acquire(raw(chats), id);
    QCOMPARE(r.outcome, AcquireOutcome::InTransition);
    QVERIFY(!r.handle);
    QCOMPARE(readBytes(path), stale);
    QCOMPARE(readBytes(guard), guardBytes);
    QCOMPARE(entries(chats),
             (QStringList{id + QStringLiteral(".lock"), id + QStringLiteral(".lock.tguard")}));
}

void tst_LockManager::upstreamPredicates_data()
{
    QTest::addColumn<Payload>("payload");
    QTest::addColumn<bool>("checkStale");
    QTest::addColumn<bool>("checkStaleWithPidReuse");

    QTest::newRow("holder exited an hour ago") << Payload::Dead << true << true;
    QTest::newRow("holder alive, lock taken now") << Payload::Live << false << false;
    QTest::newRow("corrupt payload last written 72 h ago") << Payload::CorruptOld << false << true;
    QTest::newRow("corrupt payload written 10 s ago") << Payload::CorruptFresh << false << false;
    QTest::newRow("holder alive, lock taken 49 h ago") << Payload::LiveOld << false << true;
    QTest::newRow("pid 0, an hour old") << Payload::PidZero << false << false;
    QTest::newRow("empty file 72 h old") << Payload::Empty72h << false << true;
    QTest::newRow("holder exited, no timestamp, fresh file")
        << Payload::DeadNoTimestamp << true << false;
    QTest::newRow("no lock file") << Payload::None << false << false;
}

void tst_LockManager::upstreamPredicates()
{
    QFETCH(Payload, payload);
    QFETCH(bool, checkStale);
    QFETCH(bool, checkStaleWithPidReuse);

    QTemporaryDir tmp;
    const QString id = newId();
    const QString path = tmp.path() + QLatin1Char('/') + id + QStringLiteral(".lock");
    const QByteArray bytes = plant(path, payload, id);

    LockManager manager;
    QCOMPARE(manager.checkStale(raw(path)), checkStale);
    QCOMPARE(manager.checkStaleWithPidReuse(raw(path)), checkStaleWithPidReuse);
    if (payload != Payload::None)
        QCOMPARE(readBytes(path), bytes); // predicates only look
}

void tst_LockManager::isLockedAndIsStale_data()
{
    QTest::addColumn<Payload>("payload");
    QTest::addColumn<QString>("id");
    QTest::addColumn<bool>("locked");
    QTest::addColumn<bool>("stale");

    QTest::newRow("no lock file") << Payload::None << newId() << false << false;
    QTest::newRow("held by a live child") << Payload::Live << newId() << true << false;
    QTest::newRow("holder exited") << Payload::Dead << newId() << false << true;
    QTest::newRow("corrupt and younger than 48 h counts as locked")
        << Payload::CorruptFresh << newId() << true << false;
    QTest::newRow("corrupt and older than 48 h") << Payload::CorruptOld << newId() << false << true;
    QTest::newRow("live pid younger than its 49 h old lock (reused)")
        << Payload::LiveOld << newId() << false << true;
    QTest::newRow("an id outside the grammar") << Payload::None << "../x" << false << false;
}

void tst_LockManager::isLockedAndIsStale()
{
    QFETCH(Payload, payload);
    QFETCH(QString, id);
    QFETCH(bool, locked);
    QFETCH(bool, stale);

    QTemporaryDir tmp;
    plant(tmp.path() + QLatin1Char('/') + id + QStringLiteral(".lock"), payload, id);
    LockManager manager;
    QCOMPARE(manager.isLocked(raw(tmp.path()), id), locked);
    QCOMPARE(manager.isStale(raw(tmp.path()), id), stale);
}

void tst_LockManager::removeStaleLock_data()
{
    QTest::addColumn<Payload>("payload");
    QTest::addColumn<bool>("freshGuard");
    QTest::addColumn<RemovalOutcome>("outcome");

    QTest::newRow("holder exited") << Payload::Dead << false << RemovalOutcome::Removed;
    QTest::newRow("corrupt and older than 48 h")
        << Payload::CorruptOld << false << RemovalOutcome::Removed;
    QTest::newRow("held by a live child is refused")
        << Payload::Live << false << RemovalOutcome::Refused;
    QTest::newRow("corrupt and fresh (busy) is refused")
        << Payload::CorruptFresh << false << RemovalOutcome::Refused;
    QTest::newRow("holder exited but a transition is running")
        << Payload::Dead << true << RemovalOutcome::InTransition;
    QTest::newRow("nothing there") << Payload::None << false << RemovalOutcome::AlreadyGone;
}

void tst_LockManager::removeStaleLock()
{
    QFETCH(Payload, payload);
    QFETCH(bool, freshGuard);
    QFETCH(RemovalOutcome, outcome);

    QTemporaryDir tmp;
    const QString id = newId();
    const QString path = tmp.path() + QLatin1Char('/') + id + QStringLiteral(".lock");
    const QByteArray bytes = plant(path, payload, id);
    if (freshGuard)
        QCOMPARE(::link(raw(path).constData(), raw(path + QStringLiteral(".tguard")).constData()),
                 0);
    const QStringList before = entries(tmp.path());

    AuditLog audit(tmp.filePath(QStringLiteral("audit.jsonl")));
    LockManager manager(SystemProcessProbe::instance(), SystemClock::instance(), &audit);
    const RemovalResult r = manager.removeStaleLock(raw(tmp.path()), id);
    QCOMPARE(removalOutcomeName(r.outcome), removalOutcomeName(outcome));

    QStringList after = entries(tmp.path());
    after.removeAll(QStringLiteral("audit.jsonl"));
    if (outcome == RemovalOutcome::Removed) {
        QCOMPARE(after, QStringList());
        QVERIFY(!r.auditId.isEmpty());
        const auto record = audit.find(r.auditId);
        QVERIFY(record);
        QCOMPARE(record->bytes, bytes);
    } else {
        QCOMPARE(after, before);
        if (payload != Payload::None)
            QCOMPARE(readBytes(path), bytes);
        QCOMPARE(audit.records().size(), 0);
    }
}

void tst_LockManager::cleanupOrphanedLocks()
{
    QTemporaryDir tmp;
    const QString chats = tmp.path() + QStringLiteral("/project/chats");
    QVERIFY(QDir().mkpath(chats + QStringLiteral("/archive")));
    const auto at = [&](const QString &name) {
        return chats + QLatin1Char('/') + name;
    };
    const qint64 now = nowMs();

    const QString recorded = newId(); // dead holder, has a recording
    const QString orphan = newId();   // dead holder, no recording
    const QString live = newId();     // live holder, has a recording
    const QString idle = newId();     // a recording and no lock
    const QString busy = newId();     // corrupt and fresh
    const QString mismatch = newId(); // payload names another session
    const QString oldTemp =
        at(newId() + QStringLiteral(".lock.") + newId() + QStringLiteral(".locktmp"));
    const QString freshTemp =
        at(newId() + QStringLiteral(".lock.") + newId() + QStringLiteral(".locktmp"));

    writeFile(at(recordingName(recorded)), headerLine(recorded));
    writeFile(at(recorded + QStringLiteral(".lock")), lockBytes(m_dead, now - 2 * kHour, recorded));
    writeFile(at(orphan + QStringLiteral(".lock")), lockBytes(m_dead, now - 3 * kHour, orphan));
    writeFile(at(recordingName(live)), headerLine(live));
    writeFile(at(live + QStringLiteral(".lock")), lockBytes(m_live->pid(), now, live));
    writeFile(at(recordingName(idle)), headerLine(idle));
    writeFile(at(busy + QStringLiteral(".lock")), "{\"pid\":4242,\"timesta");
    writeFile(at(mismatch + QStringLiteral(".lock")), lockBytes(m_dead, now - kHour, recorded));
    writeFile(at(QStringLiteral("notes.lock")), "not a lock at all\n");
    writeFile(at(QStringLiteral("archive/session-2026-12-04T15-20-03-5a6b7c8d-9e0.jsonl.gz")),
              QByteArray("\x1f\x8b\x08\x00", 4));
    writeFile(oldTemp, lockBytes(m_dead, now - 10 * kMinute, newId()));
    setMtime(oldTemp, now - 10 * kMinute);
    writeFile(freshTemp, lockBytes(m_live->pid(), now, newId()));
    setMtime(freshTemp, now - 30 * kSecond);

    QHash<QString, QByteArray> before;
    for (const QString &name : entries(chats)) {
        if (QFileInfo(at(name)).isFile())
            before.insert(name, readBytes(at(name)));
    }

    AuditLog audit(tmp.filePath(QStringLiteral("audit.jsonl")));
    LockManager manager(SystemProcessProbe::instance(), SystemClock::instance(), &audit);
    const QVector<RemovalResult> results =
        manager.cleanupOrphanedLocks({ScanTarget{chats, QStringLiteral("test")}});

    QSet<QString> removedNames;
    for (const RemovalResult &r : results) {
        QVERIFY2(r.outcome == RemovalOutcome::Removed, qPrintable(r.path + ": " + r.message));
        QVERIFY(!r.auditId.isEmpty());
        removedNames.insert(QFileInfo(QString::fromUtf8(r.path)).fileName());
    }
    const QSet<QString> expected{recorded + QStringLiteral(".lock"),
                                 orphan + QStringLiteral(".lock"), QFileInfo(oldTemp).fileName()};
    QCOMPARE(results.size(), expected.size());
    QCOMPARE(removedNames, expected);

    for (auto it = before.cbegin(); it != before.cend(); ++it) {
        if (expected.contains(it.key()))
            QVERIFY2(!QFileInfo::exists(at(it.key())), qPrintable(it.key()));
        else
            QVERIFY2(readBytes(at(it.key())) == it.value(), qPrintable(it.key()));
    }
    QVERIFY(QFileInfo(at(QStringLiteral("archive"))).isDir());
    for (const QString &name : entries(chats))
        QVERIFY2(!name.endsWith(QLatin1String(".tguard")), qPrintable(name));

    // Each removal was written down with the bytes that were removed.
    const QVector<AuditRecord> records = audit.records();
    QCOMPARE(records.size(), expected.size());
    for (const AuditRecord &record : records) {
        QVERIFY(expected.contains(QString::fromUtf8(record.fileName)));
        QCOMPARE(record.bytes, before.value(QString::fromUtf8(record.fileName)));
        QCOMPARE(record.outcome, QStringLiteral("removed"));
    }

    // Nothing is left to clean.
    QCOMPARE(manager.cleanupOrphanedLocks({ScanTarget{chats, QStringLiteral("test")}}).size(), 0);
}

void tst_LockManager::eightProcessesRaceForOneStaleLock()
{
    constexpr int kRounds = 5;
    constexpr int kContenders = 8;
    QMap<QString, int> tally;

    for (int round = 0; round < kRounds; ++round) {
        QTemporaryDir tmp;
        const QString chats = tmp.path() + QStringLiteral("/chats");
        QVERIFY(QDir().mkpath(chats));
        const QString id = newId();
        const QString path = chats + QLatin1Char('/') + id + QStringLiteral(".lock");
        const QByteArray stale = lockBytes(m_dead, nowMs() - kHour, id);
        writeFile(path, stale);

        std::vector<std::unique_ptr<QProcess>> contenders;
        for (int i = 0; i < kContenders; ++i) {
            auto p = std::make_unique<QProcess>();
            p->start(holderProgram(), {QStringLiteral("race"), chats, id});
            contenders.push_back(std::move(p));
        }
        for (auto &p : contenders) {
            while (!p->canReadLine())
                QVERIFY2(p->waitForReadyRead(10000), "a contender never got ready");
            const QByteArray ready = p->readLine().trimmed();
            QVERIFY2(ready.startsWith("ready "), ready.constData());
        }

        // The start gun, fired at all contenders together.
        for (auto &p : contenders)
            p->write("g");
        for (auto &p : contenders)
            QVERIFY(p->waitForBytesWritten(5000));

        QVector<qint64> winners;
        for (auto &p : contenders) {
            while (!p->canReadLine())
                QVERIFY2(p->waitForReadyRead(10000), "a contender never answered");
            const QList<QByteArray> words = p->readLine().trimmed().split(' ');
            const QString outcome = QString::fromLatin1(words.value(0));
            ++tally[outcome];
            if (outcome == QLatin1String("took-over") || outcome == QLatin1String("acquired"))
                winners.append(words.value(1).toLongLong());
            else
                QVERIFY2(outcome == QLatin1String("in-use") ||
                             outcome == QLatin1String("in-transition"),
                         qPrintable(QStringLiteral("round %1: %2").arg(round).arg(outcome)));
        }
        QVERIFY2(winners.size() == 1,
                 qPrintable(QStringLiteral("round %1: %2 winners").arg(round).arg(winners.size())));
        QCOMPARE(payloadPid(readBytes(path)), winners.first());
        QCOMPARE(entries(chats), QStringList{id + QStringLiteral(".lock")});

        // The stale lock was removed exactly once, and written down once.
        QStringList removals;
        for (const AuditRecord &record : AuditLog(m_auditPath).records()) {
            if (record.rawPath() == raw(path) && record.bytes == stale)
                removals << record.outcome;
        }
        QCOMPARE(removals, QStringList{QStringLiteral("removed")});

        for (auto &p : contenders) {
            p->closeWriteChannel();
            QVERIFY(p->waitForFinished(10000));
        }
        for (auto &p : contenders) {
            const QByteArray rest = p->readAllStandardOutput();
            if (p->exitCode() == 0)
                QVERIFY2(rest.trimmed() == "released", rest.constData());
            else
                QCOMPARE(p->exitCode(), 1);
        }
        // The winner released; no guard or temp of any loser is left behind.
        QCOMPARE(entries(chats), QStringList());
    }
    qInfo("race: %d rounds of %d contenders; outcomes: %s", kRounds, kContenders, qPrintable([&] {
              QStringList parts;
              for (auto it = tally.cbegin(); it != tally.cend(); ++it)
                  parts << QStringLiteral("%1 %2").arg(it.value()).arg(it.key());
              return parts.join(QStringLiteral(", "));
          }()));
}

void tst_LockManager::cleanerNeverRemovesAHeldLock()
{
    constexpr int kSlots = 4;
    constexpr int kRoundsPerProcess = 20;
    constexpr int kMaxCleanerIterations = 20000;
    constexpr qint64 kCleanerWallMs = 3000;

    QTemporaryDir tmp;
    const QString chats = tmp.path() + QStringLiteral("/chats");
    QVERIFY(QDir().mkpath(chats));
    const QStringList ids{newId(), newId(), newId()};
    const QString auditPath = tmp.filePath(QStringLiteral("audit.jsonl"));
    AuditLog audit(auditPath);

    std::atomic<bool> cleanerDone{false};
    std::atomic<int> iterations{0};
    int cleanerRemoved = 0;
    QStringList cleanerFailures;
    std::thread cleaner([&] {
        LockManager manager(SystemProcessProbe::instance(), SystemClock::instance(), &audit);
        LockRemover remover(audit);
        QElapsedTimer clock;
        clock.start();
        const QVector<ScanTarget> targets{ScanTarget{chats, QStringLiteral("cleaner")}};
        for (int i = 0; i < kMaxCleanerIterations && clock.elapsed() < kCleanerWallMs; ++i) {
            QVector<RemovalResult> results = manager.cleanupOrphanedLocks(targets);
            for (const QString &id : ids)
                results.append(remover.remove(RemovalRequest::forPath(
                    QFile::encodeName(chats + QLatin1Char('/') + id + QStringLiteral(".lock")))));
            for (const RemovalResult &r : results) {
                cleanerRemoved += r.outcome == RemovalOutcome::Removed ? 1 : 0;
                if (r.outcome == RemovalOutcome::IoError ||
                    r.outcome == RemovalOutcome::PermissionDenied)
                    cleanerFailures << QString::fromUtf8(r.path) + QStringLiteral(": ") + r.message;
            }
            ++iterations;
        }
        cleanerDone = true;
    });

    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("LOCKSCOPE_AUDIT_LOG"), auditPath);
    std::vector<std::unique_ptr<QProcess>> holders(kSlots);
    int processes = 0, owned = 0, crashes = 0, releases = 0, busy = 0;
    QSet<QString> crashedTokens;
    QStringList problems;

    const auto collect = [&](QProcess &p) {
        const QList<QByteArray> lines = p.readAllStandardOutput().split('\n');
        QString lastToken;
        for (const QByteArray &line : lines) {
            const QList<QByteArray> w = line.trimmed().split(' ');
            if (w.value(0) == "own") {
                ++owned;
                lastToken = QString::fromLatin1(w.value(2));
            } else if (w.value(0) == "release") {
                ++releases;
                if (w.value(2) != "released")
                    problems << QStringLiteral("a held lock was released as ") +
                                    QString::fromLatin1(line);
            } else if (w.value(0) == "crash") {
                ++crashes;
                crashedTokens.insert(lastToken);
            } else if (w.value(0) == "busy") {
                ++busy;
            } else if (w.value(0) == "LOST") {
                problems << QStringLiteral("holder lost its lock: ") + QString::fromLatin1(line);
            } else if (!line.trimmed().isEmpty()) {
                problems << QStringLiteral("unexpected output: ") + QString::fromLatin1(line);
            }
        }
        if (p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0)
            problems << QStringLiteral("cycle process exited with status %1 code %2")
                            .arg(int(p.exitStatus()))
                            .arg(p.exitCode());
    };

    for (;;) {
        const bool spawn = !cleanerDone;
        bool anyRunning = false;
        for (auto &slot : holders) {
            if (slot && slot->state() == QProcess::NotRunning) {
                collect(*slot);
                slot.reset();
            }
            if (!slot && spawn) {
                slot = std::make_unique<QProcess>();
                slot->setProcessEnvironment(env);
                QStringList args{QStringLiteral("cycle"), chats};
                args << ids << QString::number(kRoundsPerProcess);
                slot->start(holderProgram(), args);
                QVERIFY(slot->waitForStarted(10000));
                ++processes;
            }
            anyRunning = anyRunning || slot;
        }
        if (!anyRunning && cleanerDone)
            break;
        // Reap every finished holder promptly: until it is reaped, a crashed
        // holder is a zombie that kill() still finds, and its lock looks held.
        for (auto &slot : holders) {
            if (slot)
                slot->waitForFinished(2);
        }
    }
    cleaner.join();

    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));
    QVERIFY2(cleanerFailures.isEmpty(), qPrintable(cleanerFailures.join(QLatin1Char('\n'))));

    // Every removal written down (by the cleaner or by a holder taking over)
    // concerns a holder that had crashed, and its evidence says so.
    int removalsLogged = 0;
    for (const AuditRecord &record : audit.records()) {
        if (!record.dirPath.startsWith(QFile::encodeName(chats)))
            continue;
        ++removalsLogged;
        const QJsonObject holder = record.evidence.value(QLatin1String("holder")).toObject();
        QVERIFY2(holder.value(QLatin1String("alive")) == QJsonValue(false),
                 qPrintable(QString::fromUtf8(record.rawPath()) +
                            QStringLiteral(" removed while ") + QString::fromUtf8(record.bytes) +
                            QStringLiteral(" was alive")));
        if (record.kind == QLatin1String("lock")) {
            const QString token = parseLockPayload(record.bytes).ownerToken;
            QVERIFY2(crashedTokens.contains(token),
                     qPrintable(QStringLiteral("removed a lock whose holder never crashed: ") +
                                QString::fromUtf8(record.bytes)));
        }
    }

    // The cleaner had real work: crashed holders' locks.
    QVERIFY(crashes > 0);
    QVERIFY(cleanerRemoved > 0);

    // With every holder gone, one more clean-up leaves nothing behind, not even a guard.
    LockManager manager(SystemProcessProbe::instance(), SystemClock::instance(), &audit);
    for (const RemovalResult &r :
         manager.cleanupOrphanedLocks({ScanTarget{chats, QStringLiteral("final")}}))
        QVERIFY2(r.outcome == RemovalOutcome::Removed, qPrintable(r.message));
    QCOMPARE(entries(chats), QStringList());

    qInfo("cleaner: %d iterations, %d removals; %d holder processes, %d locks owned, %d released,"
          " %d crashed, %d busy; %d removals in the audit log",
          iterations.load(), cleanerRemoved, processes, owned, releases, crashes, busy,
          removalsLogged);
}

QTEST_GUILESS_MAIN(tst_LockManager)
#include "tst_lockmanager.moc"
