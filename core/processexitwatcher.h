#pragma once

#include <QHash>
#include <QLoggingCategory>
#include <QObject>
#include <QSet>
#include <QtGlobal>

class QSocketNotifier;
class QTimer;

Q_DECLARE_LOGGING_CATEGORY(lcExit)

namespace lockscope {

// Tells when a process exits, without touching any file. On Linux each PID gets
// a pidfd (pidfd_open) whose readability is the kernel's exit notification;
// where that is unavailable (old kernel, seccomp, other platforms) the PID is
// probed with kill(pid, 0) on a short timer instead.
class ProcessExitWatcher final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ProcessExitWatcher)

public:
    explicit ProcessExitWatcher(QObject *parent = nullptr);
    ~ProcessExitWatcher() override;

    // Watches exactly these PIDs from now on; PIDs <= 0 are ignored.
    void setPids(const QSet<qint64> &pids);
    QSet<qint64> pids() const;

    // PIDs followed by polling because no pidfd could be opened for them.
    int polledCount() const { return int(m_polled.size()); }
    void setPollInterval(int ms);
    // Tests force the fallback path with this.
    void setPidfdEnabled(bool enabled) { m_pidfdEnabled = enabled; }

signals:
    // Emitted once per PID; the PID is then no longer watched.
    void exited(qint64 pid);

private:
    struct Watch
    {
        int fd = -1;
        QSocketNotifier *notifier = nullptr;
    };

    void add(qint64 pid);
    void remove(qint64 pid);
    void pollOnce();
    void report(qint64 pid);

    QHash<qint64, Watch> m_watches;
    QSet<qint64> m_polled;
    QTimer *m_pollTimer = nullptr;
    bool m_pidfdEnabled = true;
};

} // namespace lockscope
