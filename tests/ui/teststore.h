#pragma once

#include "sessionrow.h"
#include "storediscovery.h"

#include <QProcess>
#include <QString>
#include <QTemporaryDir>

#include <memory>

// A real llxprt store in a temporary folder, written file by file the way
// llxprt writes it, plus real child processes to play holders.
class TestStore final
{
public:
    TestStore();

    bool isValid() const { return m_dir.isValid(); }
    QString base() const { return m_dir.path(); }
    QString tmpDir() const; // <log dir>/tmp, the root a scan is given
    QVector<lockscope::ScanTarget> targets() const;

    // Creates <tmp>/<sha256(workspace)>/chats and returns its path.
    QString chats(const QString &workspace) const;
    void writeRecording(const QString &chatsDir, const QString &id, const QString &workspace,
                        const QString &name = QString()) const;
    // Writes <id>.lock with llxprt's payload; the file's mtime is ageMs ago too.
    QString writeLock(const QString &chatsDir, const QString &id, qint64 pid, qint64 ageMs) const;
    lockscope::SnapshotPtr scan() const;

    // A PID that existed a moment ago and is reaped now.
    static qint64 deadPid();
    // `lockscope hold chatsDir id`, started and waited for until the lock is taken.
    static std::unique_ptr<QProcess> startHolder(const QString &chatsDir, const QString &id);
    // Points the audit log, settings and state folders into this store's folder.
    void isolateEnvironment() const;

private:
    QTemporaryDir m_dir;
};
