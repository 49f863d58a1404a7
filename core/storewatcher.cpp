#include "storewatcher.h"

#include <QDir>
#include <QFileInfo>
#include <QFileSystemWatcher>

#include <cerrno>
#include <unistd.h>
#ifdef Q_OS_LINUX
#include <sys/inotify.h>
#endif

Q_LOGGING_CATEGORY(lcWatch, "lockscope.core.watch", QtWarningMsg)

namespace lockscope {

namespace {

// QFileSystemWatcher quietly falls back to its own poller when no inotify
// instance can be created, so the instance limit has to be probed directly.
int inotifyInstanceError()
{
#ifdef Q_OS_LINUX
    const int fd = ::inotify_init1(IN_CLOEXEC);
    if (fd < 0)
        return errno;
    ::close(fd);
#endif
    return 0;
}

// A missing folder is watched through its parent, so that its creation is
// seen. No higher: watching /tmp or $HOME would rescan on every unrelated change.
QString folderOrParent(const QString &path)
{
    const QString dir = QDir::cleanPath(path);
    if (QFileInfo(dir).isDir())
        return dir;
    const QString parent = QFileInfo(dir).path();
    return parent != dir && QFileInfo(parent).isDir() ? parent : QString();
}

} // namespace

StoreWatcher::StoreWatcher(QObject *parent)
    : QObject(parent)
    , m_watcher(new QFileSystemWatcher(this))
    , m_addPath(
          [](QFileSystemWatcher &watcher, const QString &path) { return watcher.addPath(path); })
{
    connect(m_watcher, &QFileSystemWatcher::directoryChanged, this, [this](const QString &path) {
        m_changedSinceWatch.insert(path);
        emit directoryChanged(path);
    });
}

QStringList StoreWatcher::watchedDirectories() const
{
    return m_watcher->directories();
}

bool StoreWatcher::watch(const QStringList &directories)
{
    // A folder that is watched and has reported no change since the last call
    // is still there: only the others are looked at (a thousand stat calls
    // otherwise, on every call).
    const QStringList current = m_watcher->directories();
    const QSet<QString> currentSet(current.cbegin(), current.cend());
    QSet<QString> wanted;
    for (const QString &dir : directories) {
        const QString clean = QDir::cleanPath(dir);
        if (currentSet.contains(clean) && !m_changedSinceWatch.contains(clean)) {
            wanted.insert(clean);
            continue;
        }
        const QString existing = folderOrParent(dir);
        if (!existing.isEmpty())
            wanted.insert(existing);
    }

    QStringList stale;
    for (const QString &dir : current) {
        // A directory removed and recreated has a new inode; the old watch is dead.
        if (!wanted.contains(dir) || (m_changedSinceWatch.contains(dir) && !QFileInfo(dir).isDir()))
            stale << dir;
    }
    m_changedSinceWatch.clear();
    if (!stale.isEmpty())
        m_watcher->removePaths(stale);

    const QSet<QString> watching(m_watcher->directories().cbegin(),
                                 m_watcher->directories().cend());
    int failures = 0;
    int lastError = 0;
    for (const QString &dir : qAsConst(wanted)) {
        if (watching.contains(dir))
            continue;
        errno = 0;
        if (!m_addPath(*m_watcher, dir)) {
            ++failures;
            lastError = errno;
            qCDebug(lcWatch) << "cannot watch" << dir << "errno" << lastError;
        }
    }

    const int instanceError = inotifyInstanceError();
    const QString before = m_reason;
    m_failed = failures;
    if (failures > 0)
        m_reason = describeFailure(failures, lastError);
    else if (instanceError != 0)
        m_reason = describeFailure(0, instanceError);
    else
        m_reason.clear();
    if (m_reason != before) {
        if (m_reason.isEmpty())
            qCInfo(lcWatch) << "every folder is watched again";
        else
            qCWarning(lcWatch).noquote() << m_reason;
    }
    return m_reason.isEmpty();
}

void StoreWatcher::watchMore(const QStringList &directories)
{
    if (degraded())
        return; // polling already; watch() sorts it out
    for (const QString &dir : directories) {
        errno = 0;
        if (!m_addPath(*m_watcher, dir))
            qCDebug(lcWatch) << "cannot watch yet" << dir << "errno" << errno;
    }
}

QString StoreWatcher::describeFailure(int failures, int error) const
{
    if (failures == 0) {
        return tr("No inotify instance is left for this user (%1), so folders are polled. "
                  "Raise the sysctl fs.inotify.max_user_instances (and "
                  "fs.inotify.max_user_watches) to get live updates.")
            .arg(QString::fromLocal8Bit(strerror(error)));
    }
    const QString cause = error != 0 ? QString::fromLocal8Bit(strerror(error))
                                     : tr("the watch limit is probably reached");
    return tr("%n folder(s) cannot be watched (%1), so the store is polled instead. Raise the "
              "sysctl fs.inotify.max_user_watches (or fs.inotify.max_user_instances) to get "
              "live updates.",
              nullptr, failures)
        .arg(cause);
}

} // namespace lockscope
