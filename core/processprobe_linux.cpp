#include "processprobe.h"

#include <QByteArray>
#include <QFile>
#include <QList>

#include <cerrno>
#include <climits>
#include <fcntl.h>
#include <signal.h>
#include <sys/types.h>
#include <unistd.h>

namespace lockscope {

namespace {

constexpr qint64 kMaxProcFile = 64 * 1024;
constexpr unsigned long kPfKthread = 0x00200000;

// /proc files report size 0, so read until EOF with a bound.
QByteArray readProcFile(const QByteArray &path)
{
    const int fd = ::open(path.constData(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return {};
    QByteArray data;
    char buffer[4096];
    while (data.size() < kMaxProcFile) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        data.append(buffer, int(n));
    }
    ::close(fd);
    return data;
}

void readStat(HolderFacts &facts, const QByteArray &procDir)
{
    const QByteArray stat = readProcFile(procDir + "/stat");
    // The command name may contain spaces and parentheses; fields resume after
    // the last ')'.
    const int close = stat.lastIndexOf(')');
    const int open = stat.indexOf('(');
    if (close < 0 || open < 0)
        return;
    facts.name = QString::fromUtf8(stat.mid(open + 1, close - open - 1));
    const QList<QByteArray> fields = stat.mid(close + 2).split(' ');
    // fields[0] is field 3 (state); field N is fields[N - 3].
    if (fields.size() < 20)
        return;
    facts.zombie = fields.at(0) == "Z";
    bool ok = false;
    const unsigned long flags = fields.at(9 - 3).toULong(&ok);
    if (ok && (flags & kPfKthread))
        facts.kernelThread = true;
    const qint64 ppid = fields.at(4 - 3).toLongLong();
    if (ppid == 2 || facts.pid == 2)
        facts.kernelThread = true;
    const qulonglong startTicks = fields.at(22 - 3).toULongLong(&ok);
    const long ticksPerSecond = sysconf(_SC_CLK_TCK);
    if (ok && ticksPerSecond > 0)
        facts.startBootMs = qint64(startTicks * 1000ULL / qulonglong(ticksPerSecond));
}

void readStatus(HolderFacts &facts, const QByteArray &procDir)
{
    const QByteArray status = readProcFile(procDir + "/status");
    for (const QByteArray &line : status.split('\n')) {
        if (line.startsWith("Tgid:")) {
            facts.tgid = line.mid(5).trimmed().toLongLong();
            facts.isThread = facts.tgid > 0 && facts.tgid != facts.pid;
        } else if (line.startsWith("Threads:")) {
            facts.threads = line.mid(8).trimmed().toInt();
        } else if (line.startsWith("Uid:")) {
            const QList<QByteArray> ids = line.mid(4).simplified().split(' ');
            bool ok = false;
            const uint real = ids.value(0).toUInt(&ok);
            if (ok)
                facts.uid = real;
        }
    }
}

void readIdentity(HolderFacts &facts, const QByteArray &procDir)
{
    char target[PATH_MAX];
    const ssize_t n = ::readlink((procDir + "/exe").constData(), target, sizeof target - 1);
    if (n > 0)
        facts.exe = QString::fromLocal8Bit(target, int(n));

    QByteArray cmdline = readProcFile(procDir + "/cmdline");
    while (cmdline.endsWith('\0'))
        cmdline.chop(1);
    cmdline.replace('\0', ' ');
    facts.cmdline = QString::fromLocal8Bit(cmdline);
}

} // namespace

HolderFacts SystemProcessProbe::probe(qint64 pid) const
{
    HolderFacts facts;
    facts.pid = pid;
    if (pid <= 0 || pid > INT_MAX)
        return facts;

    if (::kill(pid_t(pid), 0) == 0) {
        facts.liveness = Liveness::Alive;
    } else {
        facts.killErrno = errno;
        facts.liveness = errno == ESRCH   ? Liveness::Gone
                         : errno == EPERM ? Liveness::AlivePermission
                                          : Liveness::ProbeError;
    }
    if (!facts.exists())
        return facts;

    const QByteArray procDir = "/proc/" + QByteArray::number(pid);
    readStat(facts, procDir);
    readStatus(facts, procDir);
    readIdentity(facts, procDir);
    return facts;
}

qint64 SystemProcessProbe::selfPid() const
{
    return ::getpid();
}

const SystemProcessProbe &SystemProcessProbe::instance()
{
    static const SystemProcessProbe probe;
    return probe;
}

QString livenessName(Liveness liveness)
{
    switch (liveness) {
    case Liveness::NotProbed:
        return QStringLiteral("not-probed");
    case Liveness::Alive:
        return QStringLiteral("alive");
    case Liveness::AlivePermission:
        return QStringLiteral("alive-eperm");
    case Liveness::Gone:
        return QStringLiteral("gone");
    case Liveness::ProbeError:
        return QStringLiteral("probe-error");
    }
    return {};
}

} // namespace lockscope
