#pragma once

#include <QString>
#include <QtGlobal>

#include <optional>

namespace lockscope {

// What kill(pid, 0) said. EPERM means the process exists under another user.
enum class Liveness
{
    NotProbed,       // the PID was not a positive integer, or probing was skipped
    Alive,           // kill succeeded
    AlivePermission, // kill gave EPERM: alive, owned by someone else
    Gone,            // kill gave ESRCH
    ProbeError,      // any other errno; treated as "cannot tell"
};

// Everything the local process table says about one PID.
struct HolderFacts
{
    qint64 pid = 0;
    Liveness liveness = Liveness::NotProbed;
    int killErrno = 0;
    // The PID names a thread whose thread group leader is another PID.
    bool isThread = false;
    qint64 tgid = 0;
    bool kernelThread = false;
    // Exited, waiting for its parent to reap it: kill() still succeeds.
    bool zombie = false;
    int threads = 0;
    // Start time on the boot clock, in milliseconds since boot.
    std::optional<qint64> startBootMs;
    std::optional<uint> uid;
    QString exe;     // empty when unreadable
    QString cmdline; // arguments joined by spaces; empty when unreadable
    QString name;    // the kernel's short command name (comm)

    // kill() finds the PID (what upstream calls alive).
    bool exists() const
    {
        return liveness == Liveness::Alive || liveness == Liveness::AlivePermission;
    }
    // The PID exists and has not exited: a zombie whose whole process ended
    // does not count.
    bool running() const { return exists() && !(zombie && threads <= 1); }
};

// Reads the local process table. Tests substitute their own implementation to
// play any process the verdict matrix needs.
class ProcessProbe
{
public:
    virtual ~ProcessProbe() = default;
    // Never signals a PID <= 0: those address process groups and always look alive.
    virtual HolderFacts probe(qint64 pid) const = 0;
    virtual qint64 selfPid() const = 0;
};

// The real probe: kill(2) and /proc on Linux.
class SystemProcessProbe final : public ProcessProbe
{
public:
    HolderFacts probe(qint64 pid) const override;
    qint64 selfPid() const override;

    static const SystemProcessProbe &instance();
};

QString livenessName(Liveness liveness);

} // namespace lockscope
