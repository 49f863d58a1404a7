#include "teststore.h"

#include "lockpayload.h"
#include "storescanner.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSettings>
#include <QUuid>

#include <csignal>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/stat.h>

using namespace lockscope;

TestStore::TestStore()
{
    QDir().mkpath(tmpDir());
}

QString TestStore::tmpDir() const
{
    return base() + QStringLiteral("/state/llxprt-code/tmp");
}

QVector<ScanTarget> TestStore::targets() const
{
    return {{tmpDir(), QStringLiteral("test"), false}};
}

QString TestStore::chats(const QString &workspace) const
{
    const QString hash = QString::fromLatin1(
        QCryptographicHash::hash(workspace.toUtf8(), QCryptographicHash::Sha256).toHex());
    const QString dir = tmpDir() + QLatin1Char('/') + hash + QStringLiteral("/chats");
    QDir().mkpath(dir);
    return dir;
}

void TestStore::writeRecording(const QString &chatsDir, const QString &id, const QString &workspace,
                               const QString &name) const
{
    const QString now = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
    const QString stamp =
        QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyy-MM-ddTHH-mm-ss"));
    const QString hash = QFileInfo(QFileInfo(chatsDir).path()).fileName();
    QByteArray text = QStringLiteral("{\"v\":1,\"seq\":1,\"ts\":\"%1\",\"type\":\"session_start\","
                                     "\"payload\":{\"sessionId\":\"%2\",\"projectHash\":\"%3\","
                                     "\"workspaceDirs\":[\"%4\"],\"provider\":\"openai\","
                                     "\"model\":\"gpt-5\",\"startTime\":\"%1\"}}\n")
                          .arg(now, id, hash, workspace)
                          .toUtf8();
    if (!name.isEmpty())
        text += QStringLiteral("{\"v\":1,\"seq\":2,\"ts\":\"%1\",\"type\":\"session_named\","
                               "\"payload\":{\"name\":\"%2\"}}\n")
                    .arg(now, name)
                    .toUtf8();
    QFile file(chatsDir + QStringLiteral("/session-%1-%2.jsonl").arg(stamp, id.left(12)));
    file.open(QIODevice::WriteOnly);
    file.write(text);
}

QString TestStore::writeLock(const QString &chatsDir, const QString &id, qint64 pid,
                             qint64 ageMs) const
{
    const qint64 when = QDateTime::currentMSecsSinceEpoch() - ageMs;
    const QByteArray payload = makeLockPayload(
        pid, QDateTime::fromMSecsSinceEpoch(when, Qt::UTC).toString(Qt::ISODateWithMs), id,
        QUuid::createUuid().toString(QUuid::WithoutBraces));
    const QString path = chatsDir + QLatin1Char('/') + id + QStringLiteral(".lock");
    QFile file(path);
    file.open(QIODevice::WriteOnly | QIODevice::Truncate);
    file.write(payload);
    file.close();
    timespec times[2];
    times[0].tv_sec = when / 1000;
    times[0].tv_nsec = (when % 1000) * 1'000'000;
    times[1] = times[0];
    ::utimensat(AT_FDCWD, QFile::encodeName(path).constData(), times, 0);
    return path;
}

SnapshotPtr TestStore::scan() const
{
    StoreScanner scanner;
    return std::make_shared<StoreSnapshot>(scanner.scan(targets()));
}

qint64 TestStore::deadPid()
{
    QProcess child;
    child.start(QStringLiteral(LOCKSCOPE_BINARY), {QStringLiteral("--version")});
    child.waitForStarted();
    const qint64 pid = child.processId();
    child.waitForFinished();
    return pid;
}

std::unique_ptr<QProcess> TestStore::startHolder(const QString &chatsDir, const QString &id)
{
    auto holder = std::make_unique<QProcess>();
    // A test that crashes must not leave its holders running.
    holder->setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGTERM); });
    holder->start(QStringLiteral(LOCKSCOPE_BINARY), {QStringLiteral("hold"), chatsDir, id});
    if (!holder->waitForStarted())
        return nullptr;
    QByteArray output;
    while (!output.contains('\n') && holder->waitForReadyRead(5000))
        output += holder->readAllStandardOutput();
    if (!QFile::exists(chatsDir + QLatin1Char('/') + id + QStringLiteral(".lock")))
        return nullptr;
    return holder;
}

void TestStore::isolateEnvironment() const
{
    qputenv("LOCKSCOPE_AUDIT_LOG", QFile::encodeName(base() + QStringLiteral("/audit.jsonl")));
    qputenv("XDG_STATE_HOME", QFile::encodeName(base() + QStringLiteral("/xdg-state")));
    qputenv("XDG_CONFIG_HOME", QFile::encodeName(base() + QStringLiteral("/xdg-config")));
    // QSettings reads XDG_CONFIG_HOME once per process; every test gets its own.
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope,
                       base() + QStringLiteral("/xdg-config"));
}
