#include "processexitwatcher.h"

#include <QSocketNotifier>
#include <QTimer>

#include <cerrno>
#include <csignal>
#include <unistd.h>
#ifdef Q_OS_LINUX
#include <sys/syscall.h>
#endif

Q_LOGGING_CATEGORY(lcExit, "lockscope.core.exit", QtWarningMsg)

namespace lockscope {

namespace {

constexpr int kDefaultPollMs = 250;

int openPidfd(qint64 pid)
{
#if defined(Q_OS_LINUX) && defined(SYS_pidfd_open)
    // A pidfd is always close-on-exec; it becomes readable when the process exits.
    return int(::syscall(SYS_pidfd_open, pid_t(pid), 0U));
#else
    Q_UNUSED(pid);
    errno = ENOSYS;
    return -1;
#endif
}

// EPERM means the process exists under another user; only ESRCH means gone.
bool processGone(qint64 pid)
{
    return ::kill(pid_t(pid), 0) != 0 && errno == ESRCH;
}

} // namespace

ProcessExitWatcher::ProcessExitWatcher(QObject *parent)
    : QObject(parent)
    , m_pollTimer(new QTimer(this))
{
    m_pollTimer->setInterval(kDefaultPollMs);
    connect(m_pollTimer, &QTimer::timeout, this, &ProcessExitWatcher::pollOnce);
}

ProcessExitWatcher::~ProcessExitWatcher()
{
    const QList<qint64> pids = m_watches.keys();
    for (qint64 pid : pids)
        remove(pid);
}

void ProcessExitWatcher::setPollInterval(int ms)
{
    m_pollTimer->setInterval(ms);
}

QSet<qint64> ProcessExitWatcher::pids() const
{
    QSet<qint64> all = m_polled;
    for (auto it = m_watches.cbegin(); it != m_watches.cend(); ++it)
        all.insert(it.key());
    return all;
}

void ProcessExitWatcher::setPids(const QSet<qint64> &pids)
{
    const QSet<qint64> current = this->pids();
    for (qint64 pid : current) {
        if (!pids.contains(pid))
            remove(pid);
    }
    for (qint64 pid : pids) {
        if (pid > 0 && !current.contains(pid))
            add(pid);
    }
    if (m_polled.isEmpty())
        m_pollTimer->stop();
    else if (!m_pollTimer->isActive())
        m_pollTimer->start();
}

void ProcessExitWatcher::add(qint64 pid)
{
    const int fd = m_pidfdEnabled ? openPidfd(pid) : -1;
    if (fd < 0) {
        const int error = m_pidfdEnabled ? errno : ENOSYS;
        if (error == ESRCH) {
            // Gone before we could watch it: say so on the next turn of the loop.
            QTimer::singleShot(0, this, [this, pid] { emit exited(pid); });
            return;
        }
        qCDebug(lcExit) << "polling pid" << pid << "errno" << error;
        m_polled.insert(pid);
        return;
    }
    auto *notifier = new QSocketNotifier(fd, QSocketNotifier::Read, this);
    connect(notifier, &QSocketNotifier::activated, this, [this, pid] { report(pid); });
    m_watches.insert(pid, {fd, notifier});
    qCDebug(lcExit) << "watching pid" << pid << "through pidfd" << fd;
}

void ProcessExitWatcher::remove(qint64 pid)
{
    m_polled.remove(pid);
    const auto it = m_watches.find(pid);
    if (it == m_watches.end())
        return;
    it->notifier->setEnabled(false);
    delete it->notifier;
    ::close(it->fd);
    m_watches.erase(it);
}

void ProcessExitWatcher::pollOnce()
{
    const QSet<qint64> polled = m_polled;
    for (qint64 pid : polled) {
        if (processGone(pid))
            report(pid);
    }
    if (m_polled.isEmpty())
        m_pollTimer->stop();
}

void ProcessExitWatcher::report(qint64 pid)
{
    remove(pid);
    qCDebug(lcExit) << "pid" << pid << "exited";
    emit exited(pid);
}

} // namespace lockscope
