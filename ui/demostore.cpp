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

namespace {

constexpr qint64 kMinute = 60 * 1000;
constexpr qint64 kHour = 60 * kMinute;

// One "now" for the whole store, so that a legacy lock's name matches its recording's.
qint64 demoNow()
{
    static const qint64 now = QDateTime::currentMSecsSinceEpoch();
    return now;
}

QString isoAgo(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(demoNow() - ms, Qt::UTC).toString(Qt::ISODateWithMs);
}

QString stampAgo(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(demoNow() - ms, Qt::UTC)
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
bool writeFile(const QString &path, const QByteArray &bytes, qint64 ageMs, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) ||
        file.write(bytes) != bytes.size()) {
        *error = DemoStore::tr("Cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    file.close();
    if (ageMs > 0) {
        const qint64 when = demoNow() - ageMs;
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
    if (!reapCrashedHolder(error))
        return false;
    const QString dead = QString::number(m_crashedPid);

    const QString webapp = QStringLiteral("/home/demo/projects/webapp");
    const QString api = QStringLiteral("/home/demo/projects/api-server");
    const QString old = QStringLiteral("/home/demo/old-project");
    const QString tmp = path() + QStringLiteral("/state/llxprt-code/tmp");
    m_webappChats = tmp + QLatin1Char('/') + projectHash(webapp) + QStringLiteral("/chats");
    const QString apiChats = tmp + QLatin1Char('/') + projectHash(api) + QStringLiteral("/chats");
    const QString oldChats =
        path() + QStringLiteral("/home/.llxprt/tmp/") + projectHash(old) + QStringLiteral("/chats");
    for (const QString &dir : {m_webappChats, apiChats, oldChats}) {
        if (!QDir().mkpath(dir)) {
            *error = tr("Cannot create %1").arg(dir);
            return false;
        }
    }

    auto recording = [&](const QString &chats, const char *templ, const QString &id,
                         const QString &workspace, qint64 ageMs, const QString &parent = {}) {
        const QString name =
            QStringLiteral("session-%1-%2.jsonl").arg(stampAgo(ageMs), id.left(12));
        const QByteArray bytes =
            fill(resource(QString::fromLatin1(templ)), {{"@ID@", id},
                                                        {"@HASH@", projectHash(workspace)},
                                                        {"@WORKSPACE@", workspace},
                                                        {"@START@", isoAgo(ageMs)},
                                                        {"@PARENT@", parent}});
        return writeFile(chats + QLatin1Char('/') + name, bytes, ageMs, error);
    };
    auto lock = [&](const QString &file, const QString &id, const QString &pid, qint64 ageMs,
                    qint64 mtimeAgeMs) {
        const QByteArray bytes = fill(
            resource(QStringLiteral("lock.json")),
            {{"@PID@", pid}, {"@TIMESTAMP@", isoAgo(ageMs)}, {"@ID@", id}, {"@TOKEN@", token()}});
        return writeFile(file, bytes, mtimeAgeMs, error);
    };
    const QString live = QString::fromLatin1(kLiveId);
    const QString crashed = QString::fromLatin1(kCrashedId);
    const QString idle = QString::fromLatin1(kIdleId);
    const QString orphan = QString::fromLatin1(kOrphanId);
    const QString corrupt = QString::fromLatin1(kCorruptId);
    const QString guard = QString::fromLatin1(kGuardId);
    const QString temp = QString::fromLatin1(kTempId);
    const QString legacy = QString::fromLatin1(kLegacyId);

    const bool written =
        // webapp: a live session, a crashed one, an idle one, an orphaned lock
        recording(m_webappChats, "recording-named.jsonl", live, webapp, 3 * kMinute) &&
        recording(m_webappChats, "recording-titled.jsonl", crashed, webapp, 2 * kHour) &&
        lock(m_webappChats + QLatin1Char('/') + crashed + QStringLiteral(".lock"), crashed, dead,
             2 * kHour, 2 * kHour) &&
        recording(m_webappChats, "recording-plain.jsonl", idle, webapp, 26 * kHour) &&
        lock(m_webappChats + QLatin1Char('/') + orphan + QStringLiteral(".lock"), orphan, dead,
             6 * kHour, 6 * kHour)
        // api-server: a corrupt lock, a leftover guard and temp, a file that is not a lock
        && recording(apiChats, "recording-forked.jsonl", corrupt, api, 10 * kMinute, crashed) &&
        writeFile(apiChats + QLatin1Char('/') + corrupt + QStringLiteral(".lock"),
                  resource(QStringLiteral("corrupt.lock")), 40 * 1000, error) &&
        lock(apiChats + QLatin1Char('/') + guard + QStringLiteral(".lock.tguard"), guard, dead,
             3 * kHour, 3 * kHour) &&
        lock(apiChats + QLatin1Char('/') + temp + QStringLiteral(".lock.") + token() +
                 QStringLiteral(".locktmp"),
             temp, dead, 20 * kMinute, 20 * kMinute) &&
        writeFile(apiChats + QStringLiteral("/notes.lock"), resource(QStringLiteral("notes.lock")),
                  5 * kHour, error) &&
        writeFile(tmp + QStringLiteral("/.llxprt-janitor.lease"),
                  fill(resource(QStringLiteral("janitor.lease")),
                       {{"@TOKEN@", token()}, {"@TIMESTAMP@", isoAgo(35 * kMinute)}}),
                  35 * kMinute, error)
        // the legacy root: a 0.10-era lock keyed by the recording's name
        && recording(oldChats, "recording-plain.jsonl", legacy, old, 30 * 24 * kHour);
    if (!written)
        return false;

    const QString legacyName =
        QStringLiteral("%1-%2.lock").arg(stampAgo(30 * 24 * kHour), legacy.left(12));
    const QByteArray legacyBytes = fill(resource(QStringLiteral("legacy-lock.json")),
                                        {{"@PID@", dead},
                                         {"@TIMESTAMP@", isoAgo(30 * 24 * kHour)},
                                         // 0.10 wrote the name's key, not the session id
                                         {"@ID@", legacyName.chopped(5)}});
    if (!writeFile(oldChats + QLatin1Char('/') + legacyName, legacyBytes, 30 * 24 * kHour, error))
        return false;

    return startHolder(m_webappChats, live, error);
}

} // namespace lockscope
