#pragma once

// Shared by the core tests: real child processes as holders, files with chosen
// times in temporary folders, and an injectable clock and process table.

#include "clock.h"
#include "lockpayload.h"
#include "processprobe.h"
#include "timestamp.h"

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QHash>
#include <QProcess>
#include <QString>
#include <QTest>
#include <QUuid>

#include <fcntl.h>
#include <memory>
#include <sys/stat.h>
#include <unistd.h>

namespace lockscope::test {

constexpr qint64 kSecond = 1000;
constexpr qint64 kMinute = 60 * kSecond;
constexpr qint64 kHour = 60 * kMinute;
constexpr qint64 kDay = 24 * kHour;

inline QString holderProgram()
{
    return QStringLiteral(LOCKSCOPE_TEST_HOLDER);
}

inline QString lockscopeProgram()
{
    return QStringLiteral(LOCKSCOPE_BINARY);
}

inline QString newId()
{
    return QUuid::createUuid().toString(QUuid::WithoutBraces);
}

// A child kept running until stop(): the LIVE holder of the field reports.
class LiveChild
{
public:
    explicit LiveChild(const QStringList &args = {QStringLiteral("wait")})
    {
        m_process.setProgram(holderProgram());
        m_process.setArguments(args);
        m_process.start();
        if (m_process.waitForStarted(10000) && m_process.waitForReadyRead(10000))
            m_firstLine = m_process.readLine().trimmed();
    }
    ~LiveChild() { stop(); }
    LiveChild(const LiveChild &) = delete;
    LiveChild &operator=(const LiveChild &) = delete;

    // The PID the child printed (for "thread": a thread id).
    qint64 pid() const { return m_firstLine.split(' ').last().toLongLong(); }
    QByteArray firstLine() const { return m_firstLine; }
    qint64 processPid() const { return m_process.processId(); }
    QProcess &process() { return m_process; }

    void stop()
    {
        if (m_process.state() == QProcess::NotRunning)
            return;
        m_process.closeWriteChannel();
        if (!m_process.waitForFinished(10000)) {
            m_process.kill();
            m_process.waitForFinished(10000);
        }
    }
    void kill()
    {
        m_process.kill();
        m_process.waitForFinished(10000);
    }

private:
    QProcess m_process;
    QByteArray m_firstLine;
};

// The PID of a child that has been started and reaped: the DEAD holder.
inline qint64 deadPid()
{
    QProcess process;
    process.start(holderProgram(), {QStringLiteral("exit")});
    process.waitForFinished(10000);
    return process.readAllStandardOutput().trimmed().toLongLong();
}

class FakeClock final : public Clock
{
public:
    FakeClock()
    {
        m_wall = SystemClock::instance().wallNowMs();
        m_boot = SystemClock::instance().bootNowMs();
    }
    qint64 wallNowMs() const override { return m_wall; }
    qint64 bootNowMs() const override { return m_boot; }
    void advance(qint64 ms)
    {
        m_wall += ms;
        m_boot += ms;
    }
    void setWall(qint64 wall) { m_wall = wall; }

private:
    qint64 m_wall;
    qint64 m_boot;
};

// A process table the test writes; anything not listed is gone.
class FakeProbe final : public ProcessProbe
{
public:
    HolderFacts probe(qint64 pid) const override
    {
        m_probed.append(pid);
        if (pid <= 0) {
            ++m_nonPositiveProbes;
            return HolderFacts{};
        }
        const auto it = m_table.constFind(pid);
        if (it != m_table.cend())
            return *it;
        HolderFacts gone;
        gone.pid = pid;
        gone.liveness = Liveness::Gone;
        gone.killErrno = 3;
        return gone;
    }
    qint64 selfPid() const override { return m_self; }

    HolderFacts &add(qint64 pid, qint64 startBootMs, const QString &name = QStringLiteral("node"))
    {
        HolderFacts &h = m_table[pid];
        h.pid = pid;
        h.liveness = Liveness::Alive;
        h.startBootMs = startBootMs;
        h.uid = ::geteuid();
        h.name = name;
        h.exe = QStringLiteral("/usr/bin/") + name;
        h.tgid = pid;
        return h;
    }

    qint64 m_self = 999999;
    mutable int m_nonPositiveProbes = 0;
    mutable QList<qint64> m_probed;

private:
    QHash<qint64, HolderFacts> m_table;
};

inline QByteArray lockBytes(qint64 pid, qint64 wallMs, const QString &id,
                            const QString &token = newId())
{
    return makeLockPayload(pid, formatTimestamp(wallMs), id, token);
}

inline void setMtime(const QString &path, qint64 wallMs)
{
    const QByteArray p = QFile::encodeName(path);
    timespec times[2];
    times[0].tv_sec = wallMs / 1000;
    times[0].tv_nsec = (wallMs % 1000) * 1'000'000;
    times[1] = times[0];
    QVERIFY(::utimensat(AT_FDCWD, p.constData(), times, AT_SYMLINK_NOFOLLOW) == 0);
}

inline void writeFile(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    QVERIFY2(file.open(QIODevice::WriteOnly | QIODevice::Truncate), qPrintable(path));
    QCOMPARE(file.write(bytes), bytes.size());
}

// A valid session_start header line for id.
inline QByteArray headerLine(const QString &id, const QString &workspace = QStringLiteral("/w"))
{
    return QByteArrayLiteral("{\"v\":1,\"seq\":1,\"ts\":\"2026-12-04T15:20:03.592Z\",\"type\":"
                             "\"session_start\",\"payload\":{\"sessionId\":\"") +
           id.toLatin1() + "\",\"projectHash\":\"" + QByteArray(64, 'a') +
           "\",\"workspaceDirs\":[\"" + workspace.toUtf8() +
           "\"],\"provider\":\"openai\",\"model\":\"gpt-5\",\"startTime\":"
           "\"2026-12-04T15:20:03.592Z\"}}\n";
}

inline QString recordingName(const QString &id,
                             const QString &stamp = QStringLiteral("2026-12-04T15-20-03"))
{
    return QStringLiteral("session-%1-%2.jsonl").arg(stamp, id.left(12));
}

// Copies a directory tree (files and folders only), making it writable.
inline bool copyTree(const QString &from, const QString &to)
{
    QDir source(from);
    if (!source.exists()) {
        qWarning("copyTree: %s does not exist", qPrintable(from));
        return false;
    }
    if (!QDir().mkpath(to))
        return false;
    const auto entries =
        source.entryInfoList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System);
    for (const QFileInfo &info : entries) {
        const QString target = to + QLatin1Char('/') + info.fileName();
        if (info.isDir()) {
            if (!copyTree(info.filePath(), target))
                return false;
        } else if (!QFile::copy(info.filePath(), target) ||
                   !QFile::setPermissions(target, QFile::ReadOwner | QFile::WriteOwner |
                                                      QFile::ReadGroup | QFile::ReadOther)) {
            return false;
        }
    }
    return true;
}

// The shared folder beside the repository; LOCKSCOPE_SHARED_DIR overrides it
// when the checkout lives elsewhere.
inline QString sharedFixture()
{
    const QByteArray env = qgetenv("LOCKSCOPE_SHARED_DIR");
    const QString shared =
        env.isEmpty() ? QStringLiteral(LOCKSCOPE_SHARED_DIR) : QString::fromLocal8Bit(env);
    const QString store = shared + QStringLiteral("/fixtures/llxprt-store");
    if (!QDir(store).exists())
        qWarning("The shared fixture store is not at %s: put the shared/ folder beside the"
                 " repository or set LOCKSCOPE_SHARED_DIR.",
                 qPrintable(store));
    return store;
}

} // namespace lockscope::test
