// The removal protocol: every outcome, the audit log written first, and the
// guard released on every path. Races are staged at exact protocol steps.

#include "auditlog.h"
#include "lockremover.h"
#include "storescanner.h"
#include "testsupport.h"

#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>
#include <unistd.h>

using namespace lockscope;
using namespace lockscope::test;

namespace {

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// Replaces a file by a new inode with new content, as llxprt's takeover does.
void replaceFile(const QString &path, const QByteArray &bytes)
{
    const QString temp = path + ".replacement";
    writeFile(temp, bytes);
    QCOMPARE(::rename(QFile::encodeName(temp).constData(), QFile::encodeName(path).constData()), 0);
}

} // namespace

class tst_LockRemover final : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void removesStaleLockAfterAuditing();
    void alreadyGone();
    void twoCleanersOneRemovesOneFindsItGone();
    void replacedBetweenJudgementAndUnlink();
    void rewrittenUnderTheGuard();
    void holderCameBackToLife();
    void changedSinceShown();
    void refusals_data();
    void refusals();
    void forceNeedsForce();
    void auditFailureRemovesNothing();
    void restoreByteForByte();
    void restoreAllReadsTheLogOnce();
    void symlinkedFolderIsRefused();
    void symlinkedProjectFolderIsRefused();
    void auditLogThatIsAFifoDoesNotHang();
    void relativePathsAreAuditedAbsolute();
    void whatCannotBeReadInFullIsNeverRemoved();

private:
    QString lockPath(const QString &id) const { return m_chats + '/' + id + ".lock"; }
    RemovalRequest requestFor(const QString &path) const
    {
        return RemovalRequest::forPath(QFile::encodeName(path));
    }
    void verifyNoGuardLeft() const
    {
        QCOMPARE(QDir(m_chats).entryList({"*.tguard"}), QStringList());
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_chats;
    std::unique_ptr<AuditLog> m_audit;
    qint64 m_dead = 0;
};

void tst_LockRemover::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_chats = m_dir->path() + "/chats";
    QVERIFY(QDir().mkpath(m_chats));
    m_audit = std::make_unique<AuditLog>(m_dir->path() + "/state/audit.jsonl");
    if (m_dead == 0)
        m_dead = deadPid();
}

void tst_LockRemover::removesStaleLockAfterAuditing()
{
    const QString id = newId();
    const QByteArray bytes = lockBytes(m_dead, QDateTime::currentMSecsSinceEpoch() - kHour, id);
    writeFile(lockPath(id), bytes);

    // At the last step the audit record must already be on disk.
    LockRemover remover(*m_audit);
    bool auditedBeforeUnlink = false;
    remover.setStageHook([&](LockRemover::Stage stage) {
        if (stage == LockRemover::Stage::BeforeUnlink)
            auditedBeforeUnlink = m_audit->records().size() == 1 && QFile::exists(lockPath(id));
    });
    const RemovalResult r = remover.remove(requestFor(lockPath(id)));
    QCOMPARE(removalOutcomeName(r.outcome), QStringLiteral("removed"));
    QVERIFY(auditedBeforeUnlink);
    QVERIFY(!QFile::exists(lockPath(id)));
    verifyNoGuardLeft();

    const QVector<AuditRecord> records = m_audit->records();
    QCOMPARE(records.size(), 1);
    QCOMPARE(records.first().id, r.auditId);
    QCOMPARE(records.first().bytes, bytes);
    QCOMPARE(records.first().verdict, QStringLiteral("stale"));
    QCOMPARE(records.first().cause, QStringLiteral("holder-exited"));
    QCOMPARE(records.first().outcome, QStringLiteral("removed"));
    QCOMPARE(records.first().evidence.value("holder").toObject().value("liveness").toString(),
             QStringLiteral("gone"));
}

void tst_LockRemover::alreadyGone()
{
    LockRemover remover(*m_audit);
    QCOMPARE(remover.remove(requestFor(lockPath(newId()))).outcome, RemovalOutcome::AlreadyGone);
    QCOMPARE(remover.remove(requestFor(m_dir->path() + "/no-such-folder/x.lock")).outcome,
             RemovalOutcome::AlreadyGone);
    QVERIFY(m_audit->records().isEmpty());
}

void tst_LockRemover::twoCleanersOneRemovesOneFindsItGone()
{
    const QString id = newId();
    writeFile(lockPath(id), lockBytes(m_dead, QDateTime::currentMSecsSinceEpoch() - kHour, id));
    StoreScanner scanner;
    const StoreSnapshot seenByBoth = scanner.scan({{m_dir->path(), "test"}});
    QCOMPARE(seenByBoth.locks.size(), 1);

    QStringList outcomes;
    for (int cleaner = 0; cleaner < 2; ++cleaner) {
        LockRemover remover(*m_audit);
        RemovalRequest request = requestFor(lockPath(id));
        request.expectedBytes = seenByBoth.locks.first().file.bytes;
        request.expectRemovable = true;
        outcomes << removalOutcomeName(remover.remove(request).outcome);
    }
    QCOMPARE(outcomes, (QStringList{"removed", "already-gone"}));
}

void tst_LockRemover::replacedBetweenJudgementAndUnlink()
{
    const QString id = newId();
    writeFile(lockPath(id), lockBytes(m_dead, QDateTime::currentMSecsSinceEpoch() - kHour, id));
    LiveChild live;
    const QByteArray fresh = lockBytes(live.pid(), QDateTime::currentMSecsSinceEpoch(), id);

    LockRemover remover(*m_audit);
    remover.setStageHook([&](LockRemover::Stage stage) {
        if (stage == LockRemover::Stage::BeforeAudit)
            replaceFile(lockPath(id), fresh);
    });
    const RemovalResult r = remover.remove(requestFor(lockPath(id)));
    QCOMPARE(removalOutcomeName(r.outcome), QStringLiteral("changed"));
    QCOMPARE(readAll(lockPath(id)), fresh);
    QVERIFY(m_audit->records().isEmpty());
    // The guard linked to the old inode is ours and goes; nothing else does.
    verifyNoGuardLeft();
}

void tst_LockRemover::rewrittenUnderTheGuard()
{
    const QString id = newId();
    writeFile(lockPath(id), lockBytes(m_dead, QDateTime::currentMSecsSinceEpoch() - kHour, id));
    const QByteArray rewritten = lockBytes(m_dead, QDateTime::currentMSecsSinceEpoch(), id);

    LockRemover remover(*m_audit);
    remover.setStageHook([&](LockRemover::Stage stage) {
        if (stage == LockRemover::Stage::GuardClaimed)
            writeFile(lockPath(id), rewritten); // same inode, new bytes
    });
    QCOMPARE(remover.remove(requestFor(lockPath(id))).outcome, RemovalOutcome::Changed);
    QCOMPARE(readAll(lockPath(id)), rewritten);
    verifyNoGuardLeft();
}

void tst_LockRemover::holderCameBackToLife()
{
    // The process table changes between the scan and the removal: with an
    // injected probe the same PID turns into a live holder older than its lock.
    FakeClock clock;
    FakeProbe probe;
    const QString id = newId();
    writeFile(lockPath(id), lockBytes(4242, clock.wallNowMs() - kHour, id));
    LockRemover remover(*m_audit, probe, clock);
    remover.setStageHook([&](LockRemover::Stage stage) {
        if (stage == LockRemover::Stage::GuardClaimed)
            probe.add(4242, clock.bootNowMs() - 2 * kHour);
    });
    RemovalRequest request = requestFor(lockPath(id));
    request.expectRemovable = true;
    const RemovalResult r = remover.remove(request);
    QCOMPARE(removalOutcomeName(r.outcome), QStringLiteral("no-longer-stale"));
    QCOMPARE(r.judgement.verdict, Verdict::Held);
    QVERIFY(QFile::exists(lockPath(id)));
    verifyNoGuardLeft();
}

void tst_LockRemover::changedSinceShown()
{
    const QString id = newId();
    writeFile(lockPath(id), lockBytes(m_dead, QDateTime::currentMSecsSinceEpoch() - kHour, id));
    LockRemover remover(*m_audit);
    RemovalRequest request = requestFor(lockPath(id));
    request.expectedBytes = QByteArray("what the person saw earlier");
    QCOMPARE(remover.remove(request).outcome, RemovalOutcome::Changed);
    QVERIFY(QFile::exists(lockPath(id)));
}

void tst_LockRemover::refusals_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("setup");
    QTest::addColumn<bool>("expectRemovable");
    QTest::addColumn<QString>("outcome");

    QTest::newRow("a name that is not a session id") << "notes.lock"
                                                     << "text" << false << "refused";
    QTest::newRow("a symlink to a stale lock") << "L.lock"
                                               << "symlink" << false << "refused";
    QTest::newRow("a FIFO named like a lock") << "F.lock"
                                              << "fifo" << false << "refused";
    QTest::newRow("a directory named like a lock") << "D.lock"
                                                   << "dir" << false << "refused";
    QTest::newRow("a recording") << "session-2026-12-04T10-00-00-abc.jsonl"
                                 << "text" << false << "refused";
    QTest::newRow("a held lock asked for by hand") << "H.lock"
                                                   << "held" << false << "refused";
    QTest::newRow("a held lock the caller thought stale") << "H.lock"
                                                          << "held" << true << "no-longer-stale";
}

void tst_LockRemover::refusals()
{
    QFETCH(QString, name);
    QFETCH(QString, setup);
    QFETCH(bool, expectRemovable);
    QFETCH(QString, outcome);

    const QString id = newId();
    const QString path = m_chats + '/' +
                         QString(name)
                             .replace(QLatin1String("L."), id + '.')
                             .replace(QLatin1String("F."), id + '.')
                             .replace(QLatin1String("D."), id + '.')
                             .replace(QLatin1String("H."), id + '.');
    const QString target = m_dir->path() + "/target.lock";
    const QByteArray staleBytes =
        lockBytes(m_dead, QDateTime::currentMSecsSinceEpoch() - kHour, id);
    LiveChild live;
    if (setup == QLatin1String("text")) {
        writeFile(path, "not a lock at all\n");
    } else if (setup == QLatin1String("symlink")) {
        writeFile(target, staleBytes);
        QVERIFY(QFile::link(target, path));
    } else if (setup == QLatin1String("fifo")) {
        QCOMPARE(::mkfifo(QFile::encodeName(path).constData(), 0644), 0);
    } else if (setup == QLatin1String("dir")) {
        QVERIFY(QDir().mkpath(path));
    } else if (setup == QLatin1String("held")) {
        writeFile(path, lockBytes(live.pid(), QDateTime::currentMSecsSinceEpoch() - kSecond, id));
    }

    LockRemover remover(*m_audit);
    RemovalRequest request = requestFor(path);
    request.force = !expectRemovable;
    request.expectRemovable = expectRemovable;
    const RemovalResult r = remover.remove(request);
    QCOMPARE(removalOutcomeName(r.outcome), outcome);
    QVERIFY(!r.message.isEmpty());
    QVERIFY(QFileInfo(path).exists() || QFileInfo(path).isSymLink());
    if (setup == QLatin1String("symlink"))
        QCOMPARE(readAll(target), staleBytes);
    QVERIFY(m_audit->records().isEmpty());
    verifyNoGuardLeft();
}

void tst_LockRemover::forceNeedsForce()
{
    // Corrupt and written a moment ago: "busy", a force action.
    const QString id = newId();
    writeFile(lockPath(id), "{\"pid\":");
    LockRemover remover(*m_audit);
    RemovalRequest request = requestFor(lockPath(id));
    RemovalResult r = remover.remove(request);
    QCOMPARE(r.outcome, RemovalOutcome::Refused);
    QVERIFY(r.message.contains(QLatin1String("--force")));
    QVERIFY(QFile::exists(lockPath(id)));

    request.force = true;
    r = remover.remove(request);
    QCOMPARE(r.outcome, RemovalOutcome::Removed);
    QVERIFY(!QFile::exists(lockPath(id)));
    QVERIFY(m_audit->records().first().forced);
}

void tst_LockRemover::auditFailureRemovesNothing()
{
    const QString id = newId();
    writeFile(lockPath(id), lockBytes(m_dead, QDateTime::currentMSecsSinceEpoch() - kHour, id));
    AuditLog full(QStringLiteral("/dev/full")); // every write fails with ENOSPC
    LockRemover remover(full);
    const RemovalResult r = remover.remove(requestFor(lockPath(id)));
    QCOMPARE(removalOutcomeName(r.outcome), QStringLiteral("io-error"));
    QVERIFY2(r.message.contains(QLatin1String("nothing was removed")), qPrintable(r.message));
    QVERIFY(QFile::exists(lockPath(id)));
    verifyNoGuardLeft();
}

void tst_LockRemover::restoreByteForByte()
{
    const QString id = newId();
    const QByteArray bytes = lockBytes(m_dead, QDateTime::currentMSecsSinceEpoch() - kHour, id);
    writeFile(lockPath(id), bytes);
    QVERIFY(QFile::setPermissions(lockPath(id),
                                  QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup));
    // 33 days old, to the millisecond: an undo must not make it look fresh.
    const qint64 mtimeMs = QDateTime::currentMSecsSinceEpoch() - 33 * 24 * kHour + 123;
    const timespec times[2] = {{0, UTIME_OMIT},
                               {time_t(mtimeMs / 1000), long(mtimeMs % 1000) * 1'000'000}};
    QCOMPARE(::utimensat(AT_FDCWD, QFile::encodeName(lockPath(id)).constData(), times, 0), 0);
    LockRemover remover(*m_audit);
    const RemovalResult r = remover.remove(requestFor(lockPath(id)));
    QCOMPARE(r.outcome, RemovalOutcome::Removed);

    RestoreResult restored = remover.restore(r.auditId);
    QCOMPARE(restoreOutcomeName(restored.outcome), QStringLiteral("restored"));
    QCOMPARE(readAll(lockPath(id)), bytes);
    struct stat st
    {
    };
    QCOMPARE(::stat(QFile::encodeName(lockPath(id)).constData(), &st), 0);
    QCOMPARE(st.st_mode & 0777, mode_t(0640));
    QCOMPARE(qint64(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1'000'000, mtimeMs);
    QCOMPARE(QDir(m_chats).entryList({"*.locktmp"}), QStringList());

    restored = remover.restore(r.auditId);
    QCOMPARE(restoreOutcomeName(restored.outcome), QStringLiteral("occupied"));
    QCOMPARE(remover.restore(newId()).outcome, RestoreResult::NotFound);
    QCOMPARE(m_audit->find(r.auditId)->outcome, QStringLiteral("restore:restored"));
}

void tst_LockRemover::restoreAllReadsTheLogOnce()
{
    LockRemover remover(*m_audit);
    QStringList ids;
    QHash<QString, QByteArray> bytes;
    for (int i = 0; i < 3; ++i) {
        const QString id = newId();
        bytes.insert(id, lockBytes(m_dead, QDateTime::currentMSecsSinceEpoch() - kHour, id));
        writeFile(lockPath(id), bytes.value(id));
        const RemovalResult r = remover.remove(requestFor(lockPath(id)));
        QCOMPARE(r.outcome, RemovalOutcome::Removed);
        ids << r.auditId;
    }
    const QVector<RestoreResult> results = remover.restoreAll(ids + QStringList{newId()});
    QCOMPARE(results.size(), 4);
    for (int i = 0; i < 3; ++i)
        QCOMPARE(results.at(i).outcome, RestoreResult::Restored);
    QCOMPARE(results.at(3).outcome, RestoreResult::NotFound);
    for (auto it = bytes.cbegin(); it != bytes.cend(); ++it)
        QCOMPARE(readAll(lockPath(it.key())), it.value());
    for (const QString &auditId : qAsConst(ids))
        QCOMPARE(m_audit->find(auditId)->outcome, QStringLiteral("restore:restored"));
}

void tst_LockRemover::symlinkedFolderIsRefused()
{
    const QString id = newId();
    writeFile(lockPath(id), lockBytes(m_dead, QDateTime::currentMSecsSinceEpoch() - kHour, id));
    const QString link = m_dir->path() + "/linked-chats";
    QVERIFY(QFile::link(m_chats, link));
    LockRemover remover(*m_audit);
    const RemovalResult r = remover.remove(requestFor(link + '/' + id + ".lock"));
    QCOMPARE(r.outcome, RemovalOutcome::Refused);
    QVERIFY(QFile::exists(lockPath(id)));
}

void tst_LockRemover::symlinkedProjectFolderIsRefused()
{
    // <root>/tmp/<hash> is a link to a project folder elsewhere.
    const QString real = m_dir->path() + "/elsewhere";
    QVERIFY(QDir().mkpath(real + "/chats"));
    const QString id = newId();
    writeFile(real + "/chats/" + id + ".lock",
              lockBytes(m_dead, QDateTime::currentMSecsSinceEpoch() - kHour, id));
    QVERIFY(QDir().mkpath(m_dir->path() + "/tmp"));
    const QString linked = m_dir->path() + "/tmp/" + QString(64, 'a');
    QVERIFY(QFile::link(real, linked));
    LockRemover remover(*m_audit);
    const RemovalResult r = remover.remove(requestFor(linked + "/chats/" + id + ".lock"));
    QCOMPARE(r.outcome, RemovalOutcome::Refused);
    QVERIFY(QFile::exists(real + "/chats/" + id + ".lock"));
}

void tst_LockRemover::auditLogThatIsAFifoDoesNotHang()
{
    const QString id = newId();
    writeFile(lockPath(id), lockBytes(m_dead, QDateTime::currentMSecsSinceEpoch() - kHour, id));
    const QString fifo = m_dir->path() + "/audit-fifo";
    QCOMPARE(::mkfifo(QFile::encodeName(fifo).constData(), 0600), 0);
    AuditLog audit(fifo);
    LockRemover remover(audit);
    const RemovalResult r = remover.remove(requestFor(lockPath(id)));
    QCOMPARE(r.outcome, RemovalOutcome::IoError);
    QVERIFY2(r.message.contains(QLatin1String("nothing was removed")), qPrintable(r.message));
    QVERIFY(QFile::exists(lockPath(id)));
    verifyNoGuardLeft();
    QString error;
    QVERIFY(audit.records(&error).isEmpty());
    QVERIFY(!error.isEmpty());
}

void tst_LockRemover::relativePathsAreAuditedAbsolute()
{
    const QString id = newId();
    writeFile(lockPath(id), lockBytes(m_dead, QDateTime::currentMSecsSinceEpoch() - kHour, id));
    const QString cwd = QDir::currentPath();
    QVERIFY(QDir::setCurrent(m_dir->path()));
    LockRemover remover(*m_audit);
    const RemovalResult r = remover.remove(requestFor("chats/" + id + ".lock"));
    QVERIFY(QDir::setCurrent(cwd));
    QCOMPARE(r.outcome, RemovalOutcome::Removed);
    const AuditRecord record = m_audit->records().first();
    QCOMPARE(QString::fromUtf8(record.dirPath), QDir(m_chats).absolutePath());
    // Restore works from anywhere.
    QCOMPARE(remover.restore(r.auditId).outcome, RestoreResult::Restored);
    QVERIFY(QFile::exists(lockPath(id)));
}

void tst_LockRemover::whatCannotBeReadInFullIsNeverRemoved()
{
    // Corrupt, larger than the read bound, three days old: "stale/aged", but its
    // bytes could not all be kept for restore, so not even force removes it.
    const QString id = newId();
    writeFile(lockPath(id), QByteArray(100 * 1024, 'x'));
    setMtime(lockPath(id), QDateTime::currentMSecsSinceEpoch() - 72 * kHour);
    LockRemover remover(*m_audit);
    RemovalRequest request = requestFor(lockPath(id));
    request.force = true;
    const RemovalResult r = remover.remove(request);
    QCOMPARE(r.outcome, RemovalOutcome::PermissionDenied);
    QVERIFY2(r.message.contains(QLatin1String("kept for restore")), qPrintable(r.message));
    QCOMPARE(QFileInfo(lockPath(id)).size(), 100 * 1024);
    QVERIFY(m_audit->records().isEmpty());
}

QTEST_GUILESS_MAIN(tst_LockRemover)
#include "tst_lockremover.moc"
