#include "demostore.h"

#include "logcategories.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QUuid>

#include <csignal>
#include <fcntl.h>
#ifdef Q_OS_LINUX
#include <sys/prctl.h>
#endif
#include <sys/stat.h>
#include <unistd.h>

// Resources of a static library must be registered by hand, outside any namespace.
static void initDemoResources()
{
    Q_INIT_RESOURCE(demo);
}

namespace lockscope {

const char *const DemoStore::kLiveId = "3c5e7a9b-1d2f-4a6c-8e0b-2d4f6a8c0e1a";
const char *const DemoStore::kCrashedId = "8f1e2d3c-4b5a-4697-a8b9-c0d1e2f3a4b5";
const char *const DemoStore::kIdleId = "5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d";
const char *const DemoStore::kOrphanId = "d4c3b2a1-9f8e-4d7c-b6a5-4f3e2d1c0b9a";
const char *const DemoStore::kCorruptId = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d";
const char *const DemoStore::kGuardId = "6e7f8091-a2b3-4c4d-9e5f-60718293a4b5";
const char *const DemoStore::kTempId = "b7c8d9e0-f1a2-4b3c-9d4e-5f6a7b8c9d0e";
const char *const DemoStore::kLegacyId = "0f9e8d7c-6b5a-4493-8271-605f4e3d2c1b";
const char *const DemoStore::kTransitionId = "9d8c7b6a-5f4e-4d3c-a2b1-0f9e8d7c6b5a";

namespace {

constexpr qint64 kMinute = 60 * 1000;
constexpr qint64 kHour = 60 * kMinute;

QString isoAgo(qint64 now, qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(now - ms, Qt::UTC).toString(Qt::ISODateWithMs);
}

QString stampAgo(qint64 now, qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(now - ms, Qt::UTC)
        .toString(QStringLiteral("yyyy-MM-ddTHH-mm-ss"));
}

QString projectHash(const QString &workspace)
{
    return QString::fromLatin1(
        QCryptographicHash::hash(workspace.toUtf8(), QCryptographicHash::Sha256).toHex());
}

QByteArray resource(const QString &name)
{
    QFile file(QStringLiteral(":/demo/") + name);
    if (!file.open(QIODevice::ReadOnly))
        return QByteArray();
    return file.readAll();
}

QByteArray fill(QByteArray text, const QList<QPair<const char *, QString>> &values)
{
    for (const auto &[key, value] : values)
        text.replace(key, value.toUtf8());
    return text;
}

// Writes the file and sets its modification time, as a crash long ago leaves it.
bool writeFile(const QString &path, const QByteArray &bytes, qint64 now, qint64 ageMs,
               QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) ||
        file.write(bytes) != bytes.size()) {
        *error = DemoStore::tr("Cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    file.close();
    if (ageMs > 0) {
        const qint64 when = now - ageMs;
        timespec times[2];
        times[0].tv_sec = when / 1000;
        times[0].tv_nsec = (when % 1000) * 1'000'000;
        times[1] = times[0];
        if (::utimensat(AT_FDCWD, QFile::encodeName(path).constData(), times, 0) != 0) {
            *error = DemoStore::tr("Cannot set the time of %1").arg(path);
            return false;
        }
    }
    return true;
}

QString token()
{
    return QUuid::createUuid().toString(QUuid::WithoutBraces);
}

const QString kWebapp = QStringLiteral("/home/demo/projects/webapp");
const QString kApiServer = QStringLiteral("/home/demo/projects/api-server");
const QString kOldProject = QStringLiteral("/home/demo/old-project");

QString chatsOf(const QString &tmp, const QString &workspace)
{
    return tmp + QLatin1Char('/') + projectHash(workspace) + QStringLiteral("/chats");
}

bool writeRecording(const QString &chats, const char *templ, const char *id,
                    const QString &workspace, qint64 now, qint64 ageMs, QString *error,
                    const char *parent = "")
{
    const QString sessionId = QString::fromLatin1(id);
    const QString name =
        QStringLiteral("session-%1-%2.jsonl").arg(stampAgo(now, ageMs), sessionId.left(12));
    const QByteArray bytes =
        fill(resource(QString::fromLatin1(templ)), {{"@ID@", sessionId},
                                                    {"@HASH@", projectHash(workspace)},
                                                    {"@WORKSPACE@", workspace},
                                                    {"@START@", isoAgo(now, ageMs)},
                                                    {"@PARENT@", QString::fromLatin1(parent)}});
    return writeFile(chats + QLatin1Char('/') + name, bytes, now, ageMs, error);
}

// A lock-shaped file (lock, guard or temp) of a holder, taken ageMs ago.
bool writeLock(const QString &path, const char *id, qint64 pid, qint64 now, qint64 ageMs,
               QString *error)
{
    const QByteArray bytes =
        fill(resource(QStringLiteral("lock.json")), {{"@PID@", QString::number(pid)},
                                                     {"@TIMESTAMP@", isoAgo(now, ageMs)},
                                                     {"@ID@", QString::fromLatin1(id)},
                                                     {"@TOKEN@", token()}});
    return writeFile(path, bytes, now, ageMs, error);
}

} // namespace

DemoStore::DemoStore(QString holderProgram, QObject *parent)
    : QObject(parent)
    , m_holderProgram(std::move(holderProgram))
{
    initDemoResources();
}

DemoStore::~DemoStore()
{
    if (m_holder && m_holder->state() != QProcess::NotRunning) {
        // SIGTERM lets `lockscope hold` release its lock before exiting.
        m_holder->terminate();
        if (!m_holder->waitForFinished(3000)) {
            m_holder->kill();
            m_holder->waitForFinished(1000);
        }
    }
}

QString DemoStore::path() const
{
    return m_dir ? m_dir->path() : QString();
}

QVector<ScanTarget> DemoStore::targets() const
{
    if (!m_dir)
        return {};
    return {
        {path() + QStringLiteral("/state/llxprt-code/tmp"), tr("demo store"), false},
        {path() + QStringLiteral("/home/.llxprt/tmp"), tr("demo store, legacy ~/.llxprt"), true}};
}

qint64 DemoStore::livePid() const
{
    return m_holder ? m_holder->processId() : 0;
}

bool DemoStore::reapCrashedHolder(QString *error)
{
    // A real process that has come and gone: its PID is certainly not running.
    QProcess child;
    child.start(m_holderProgram, {QStringLiteral("--version")});
    if (!child.waitForStarted(5000)) {
        *error = tr("Cannot start %1: %2").arg(m_holderProgram, child.errorString());
        return false;
    }
    m_crashedPid = child.processId();
    child.waitForFinished(5000);
    return true;
}

bool DemoStore::startHolder(const QString &chatsDir, const QString &id, QString *error)
{
    m_holder = new QProcess(this);
    m_holder->setProcessChannelMode(QProcess::MergedChannels);
#ifdef Q_OS_LINUX
    // Should the window be killed outright, the holder still goes (and releases its lock).
    m_holder->setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGTERM); });
#endif
    m_holder->start(m_holderProgram, {QStringLiteral("hold"), chatsDir, id});
    if (!m_holder->waitForStarted(5000)) {
        *error =
            tr("Cannot start the demo holder %1: %2").arg(m_holderProgram, m_holder->errorString());
        return false;
    }
    QByteArray output;
    while (!output.contains('\n') && m_holder->waitForReadyRead(5000))
        output += m_holder->readAll();
    if (!QFile::exists(chatsDir + QLatin1Char('/') + id + QStringLiteral(".lock"))) {
        *error = tr("The demo holder did not take its lock: %1")
                     .arg(QString::fromLocal8Bit(output).trimmed());
        return false;
    }
    qCDebug(lcUiDemo) << "demo holder" << m_holder->processId() << output.trimmed();
    return true;
}

bool DemoStore::create(QString *error)
{
    m_dir = std::make_unique<QTemporaryDir>(QDir::tempPath() +
                                            QStringLiteral("/lockscope-demo-XXXXXX"));
    if (!m_dir->isValid()) {
        *error = tr("Cannot create a temporary folder: %1").arg(m_dir->errorString());
        return false;
    }
    // One "now" for every file, so that a legacy lock's name matches its recording's.
    m_now = QDateTime::currentMSecsSinceEpoch();
    const QString tmp = path() + QStringLiteral("/state/llxprt-code/tmp");
    m_webappChats = chatsOf(tmp, kWebapp);
    for (const QString &dir :
         {m_webappChats, chatsOf(tmp, kApiServer),
          chatsOf(path() + QStringLiteral("/home/.llxprt/tmp"), kOldProject)}) {
        if (!QDir().mkpath(dir)) {
            *error = tr("Cannot create %1").arg(dir);
            return false;
        }
    }
    return reapCrashedHolder(error) && writeWebapp(error) && writeApiServer(tmp, error) &&
           writeLegacyRoot(error) &&
           startHolder(m_webappChats, QString::fromLatin1(kLiveId), error);
}

// A live session (its lock comes from the holder), a crashed one, an idle one
// and an orphaned lock.
bool DemoStore::writeWebapp(QString *error)
{
    const QString &chats = m_webappChats;
    const auto file = [&](const char *id, const char *suffix) {
        return chats + QLatin1Char('/') + QString::fromLatin1(id) + QString::fromLatin1(suffix);
    };
    return writeRecording(chats, "recording-named.jsonl", kLiveId, kWebapp, m_now, 3 * kMinute,
                          error) &&
           writeRecording(chats, "recording-titled.jsonl", kCrashedId, kWebapp, m_now, 2 * kHour,
                          error) &&
           writeLock(file(kCrashedId, ".lock"), kCrashedId, m_crashedPid, m_now, 2 * kHour,
                     error) &&
           writeRecording(chats, "recording-plain.jsonl", kIdleId, kWebapp, m_now, 26 * kHour,
                          error) &&
           writeLock(file(kOrphanId, ".lock"), kOrphanId, m_crashedPid, m_now, 6 * kHour, error);
}

// A corrupt lock written a moment ago, a leftover guard and temp, a file that
// is not a lock, and (in the root) a janitor lease of another host.
bool DemoStore::writeApiServer(const QString &tmp, QString *error)
{
    const QString chats = chatsOf(tmp, kApiServer);
    const auto file = [&](const char *id, const QString &suffix) {
        return chats + QLatin1Char('/') + QString::fromLatin1(id) + suffix;
    };
    const QString tempSuffix = QStringLiteral(".lock.") + token() + QStringLiteral(".locktmp");
    return writeRecording(chats, "recording-forked.jsonl", kCorruptId, kApiServer, m_now,
                          10 * kMinute, error, kCrashedId) &&
           writeFile(file(kCorruptId, QStringLiteral(".lock")),
                     resource(QStringLiteral("corrupt.lock")), m_now, 40 * 1000, error) &&
           writeLock(file(kGuardId, QStringLiteral(".lock.tguard")), kGuardId, m_crashedPid, m_now,
                     3 * kHour, error) &&
           writeLock(file(kTempId, tempSuffix), kTempId, m_crashedPid, m_now, 20 * kMinute,
                     error) &&
           writeTransition(chats, error) &&
           writeFile(chats + QStringLiteral("/notes.lock"), resource(QStringLiteral("notes.lock")),
                     m_now, 5 * kHour, error) &&
           writeFile(tmp + QStringLiteral("/.llxprt-janitor.lease"),
                     fill(resource(QStringLiteral("janitor.lease")),
                          {{"@TOKEN@", token()}, {"@TIMESTAMP@", isoAgo(m_now, 35 * kMinute)}}),
                     m_now, 35 * kMinute, error);
}

// A dead holder's lock that another process is taking over right now: its
// transition guard is a fresh hard link of it. After five minutes the guard
// counts as left over and the lock as stale.
bool DemoStore::writeTransition(const QString &chats, QString *error)
{
    const QString lock =
        chats + QLatin1Char('/') + QString::fromLatin1(kTransitionId) + QStringLiteral(".lock");
    if (!writeLock(lock, kTransitionId, m_crashedPid, m_now, kHour, error))
        return false;
    const QByteArray from = QFile::encodeName(lock);
    const QByteArray to = from + ".tguard";
    if (::link(from.constData(), to.constData()) != 0) {
        *error = tr("Cannot link %1: %2").arg(QFile::decodeName(to), qt_error_string(errno));
        return false;
    }
    return true;
}

// The 0.9 root with a 0.10-era lock, keyed by its recording's name.
bool DemoStore::writeLegacyRoot(QString *error)
{
    const QString chats = chatsOf(path() + QStringLiteral("/home/.llxprt/tmp"), kOldProject);
    const qint64 age = 30 * 24 * kHour;
    const QString key =
        stampAgo(m_now, age) + QLatin1Char('-') + QString::fromLatin1(kLegacyId).left(12);
    // 0.10 wrote the name's key where the session id goes.
    const QByteArray bytes = fill(resource(QStringLiteral("legacy-lock.json")),
                                  {{"@PID@", QString::number(m_crashedPid)},
                                   {"@TIMESTAMP@", isoAgo(m_now, age)},
                                   {"@ID@", key}});
    return writeRecording(chats, "recording-plain.jsonl", kLegacyId, kOldProject, m_now, age,
                          error) &&
           writeFile(chats + QLatin1Char('/') + key + QStringLiteral(".lock"), bytes, m_now, age,
                     error);
}

} // namespace lockscope
