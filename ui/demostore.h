#pragma once

#include "storediscovery.h"

#include <QObject>
#include <QString>
#include <QTemporaryDir>
#include <QVector>

#include <memory>

class QProcess;

namespace lockscope {

// A temporary store in llxprt's own format in which every state can be seen:
// a lock held by a live child (`lockscope hold`), a lock of a crashed holder,
// an orphaned lock, a corrupt lock, a leftover guard and temp, a lock in
// transition (for its first five minutes), a janitor lease of another host, a file that is not a
// lock, an idle session and a legacy root. Everything is removed, and the holder stopped, on
// destruction.
class DemoStore final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DemoStore)

public:
    // holderProgram is a lockscope executable; its `hold` subcommand plays the
    // live session.
    explicit DemoStore(QString holderProgram, QObject *parent = nullptr);
    ~DemoStore() override;

    bool create(QString *error);

    QString path() const;
    QVector<ScanTarget> targets() const;
    qint64 livePid() const;
    qint64 crashedPid() const { return m_crashedPid; }
    QString webappChats() const { return m_webappChats; }

    static const char *const kLiveId;
    static const char *const kCrashedId;
    static const char *const kIdleId;
    static const char *const kOrphanId;
    static const char *const kCorruptId;
    static const char *const kGuardId;
    static const char *const kTempId;
    static const char *const kLegacyId;
    static const char *const kTransitionId;

private:
    bool startHolder(const QString &chatsDir, const QString &id, QString *error);
    bool reapCrashedHolder(QString *error);
    bool writeWebapp(QString *error);
    bool writeApiServer(const QString &tmp, QString *error);
    bool writeLegacyRoot(QString *error);
    bool writeTransition(const QString &chats, QString *error);

    QString m_holderProgram;
    std::unique_ptr<QTemporaryDir> m_dir;
    QProcess *m_holder = nullptr;
    qint64 m_crashedPid = 0;
    qint64 m_now = 0;
    QString m_webappChats;
};

} // namespace lockscope
