#pragma once

#include <QLoggingCategory>
#include <QObject>
#include <QSet>
#include <QString>
#include <QStringList>

#include <functional>

class QFileSystemWatcher;

Q_DECLARE_LOGGING_CATEGORY(lcWatch)

namespace lockscope {

// One shared QFileSystemWatcher over the folders of a store. Directories that
// could not be watched are remembered with the reason (inotify limits, most
// often), so the caller can poll instead and say why; every later call to
// watch() retries them.
class StoreWatcher final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StoreWatcher)

public:
    using AddPathFunction = std::function<bool(QFileSystemWatcher &, const QString &)>;

    explicit StoreWatcher(QObject *parent = nullptr);

    // Watches exactly these directories from now on. A missing one is watched
    // through its parent, when that exists, so that its creation is seen.
    // Returns true when every directory that could be watched is.
    bool watch(const QStringList &directories);
    // Adds these existing directories to the watched ones, without looking at
    // the others: cheap while a scan finds folders a few at a time. A folder
    // that cannot be watched is left to the next watch(), which reports it.
    void watchMore(const QStringList &directories);

    bool degraded() const { return !m_reason.isEmpty(); }
    // Why some folders are not watched, in plain words naming the sysctl.
    QString degradedReason() const { return m_reason; }
    QStringList watchedDirectories() const;
    int failedCount() const { return m_failed; }

    // Tests replace the call that adds one path, to play an exhausted inotify.
    void setAddPathFunction(AddPathFunction function) { m_addPath = std::move(function); }

signals:
    void directoryChanged(const QString &path);

private:
    QString describeFailure(int failures, int error) const;

    QFileSystemWatcher *m_watcher = nullptr;
    AddPathFunction m_addPath;
    QString m_reason;
    int m_failed = 0;
    QSet<QString> m_changedSinceWatch; // folders that reported a change since watch()
};

} // namespace lockscope
