#include "auditlog.h"

#include "storediscovery.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QProcessEnvironment>
#include <QSysInfo>
#include <QUuid>

#include <cerrno>
#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

namespace lockscope {

namespace {

QString userName(uint uid)
{
    if (const passwd *pw = ::getpwuid(uid))
        return QString::fromLocal8Bit(pw->pw_name);
    return QString::number(uid);
}

QString nowText()
{
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
}

} // namespace

QString AuditLog::defaultPath()
{
    const QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    const QString explicitPath = env.value(QStringLiteral("LOCKSCOPE_AUDIT_LOG"));
    if (!explicitPath.isEmpty())
        return explicitPath;
    QString state = env.value(QStringLiteral("XDG_STATE_HOME"));
    if (state.isEmpty() || !QDir::isAbsolutePath(state))
        state = homeDirectory(env) + QStringLiteral("/.local/state");
    return state + QStringLiteral("/lockscope/audit.jsonl");
}

AuditLog::AuditLog(QString path)
    : m_path(std::move(path))
{
}

QString AuditLog::newId()
{
    return QUuid::createUuid().toString(QUuid::WithoutBraces);
}

bool AuditLog::appendLine(const QJsonObject &object, QString *error)
{
    const QString dir = QFileInfo(m_path).absolutePath();
    if (!QDir().mkpath(dir)) {
        *error = QStringLiteral("cannot create %1").arg(dir);
        return false;
    }
    const QByteArray path = QFile::encodeName(m_path);
    // O_NONBLOCK and the type check: a FIFO or device put in the log's place
    // must neither hang lockscope nor receive the records.
    const int fd =
        ::open(path.constData(),
               O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0600);
    struct stat st
    {
    };
    if (fd >= 0 && (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))) {
        ::close(fd);
        *error = QStringLiteral("the audit log %1 is not a regular file")
                     .arg(m_path);
        return false;
    }
    if (fd < 0) {
        *error = QStringLiteral("cannot open the audit log %1: %2")
                     .arg(m_path, QString::fromLocal8Bit(strerror(errno)));
        return false;
    }
    const QByteArray line = QJsonDocument(object).toJson(QJsonDocument::Compact) + '\n';
    // One write() call per line so that concurrent writers never interleave.
    const ssize_t written = ::write(fd, line.constData(), size_t(line.size()));
    const int writeErrno = errno;
    const bool synced = written == line.size() && ::fsync(fd) == 0;
    const int syncErrno = errno;
    ::close(fd);
    if (written != line.size()) {
        *error =
            QStringLiteral("cannot write the audit log %1: %2")
                .arg(m_path, QString::fromLocal8Bit(strerror(written < 0 ? writeErrno : ENOSPC)));
        return false;
    }
    if (!synced) {
        *error = QStringLiteral("cannot flush the audit log %1: %2")
                     .arg(m_path, QString::fromLocal8Bit(strerror(syncErrno)));
        return false;
    }
    return true;
}

bool AuditLog::append(const AuditRecord &r, QString *error)
{
    QJsonObject o;
    o.insert(QLatin1String("type"), QLatin1String("removal"));
    o.insert(QLatin1String("id"), r.id);
    o.insert(QLatin1String("time"), r.time.isEmpty() ? nowText() : r.time);
    o.insert(QLatin1String("user"), r.user.isEmpty() ? userName(::geteuid()) : r.user);
    o.insert(QLatin1String("uid"), qint64(::geteuid()));
    o.insert(QLatin1String("pid"), qint64(::getpid()));
    o.insert(QLatin1String("host"), QSysInfo::machineHostName());
    o.insert(QLatin1String("path"), QString::fromUtf8(r.rawPath()));
    o.insert(QLatin1String("dirB64"), QString::fromLatin1(r.dirPath.toBase64()));
    o.insert(QLatin1String("nameB64"), QString::fromLatin1(r.fileName.toBase64()));
    o.insert(QLatin1String("bytesB64"), QString::fromLatin1(r.bytes.toBase64()));
    o.insert(QLatin1String("bytes"), QString::fromUtf8(r.bytes));
    o.insert(QLatin1String("mode"), qint64(r.mode));
    o.insert(QLatin1String("kind"), r.kind);
    o.insert(QLatin1String("verdict"), r.verdict);
    o.insert(QLatin1String("cause"), r.cause);
    o.insert(QLatin1String("reason"), r.reason);
    o.insert(QLatin1String("forced"), r.forced);
    o.insert(QLatin1String("evidence"), r.evidence);
    return appendLine(o, error);
}

bool AuditLog::appendOutcome(const QString &id, const QString &outcome, QString *error)
{
    return appendLine(QJsonObject{{QLatin1String("type"), QLatin1String("outcome")},
                                  {QLatin1String("id"), id},
                                  {QLatin1String("time"), nowText()},
                                  {QLatin1String("outcome"), outcome}},
                      error);
}

bool AuditLog::appendRestore(const QString &id, const QString &outcome, QString *error)
{
    return appendLine(QJsonObject{{QLatin1String("type"), QLatin1String("restore")},
                                  {QLatin1String("id"), id},
                                  {QLatin1String("time"), nowText()},
                                  {QLatin1String("user"), userName(::geteuid())},
                                  {QLatin1String("outcome"), outcome}},
                      error);
}

QVector<AuditRecord> AuditLog::records(QString *error) const
{
    QVector<AuditRecord> result;
    const int fd = ::open(QFile::encodeName(m_path).constData(),
                          O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0) {
        if (error && errno != ENOENT)
            *error = QStringLiteral("cannot read the audit log %1: %2")
                         .arg(m_path, QString::fromLocal8Bit(strerror(errno)));
        return result;
    }
    struct stat st
    {
    };
    QFile file;
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
        !file.open(fd, QIODevice::ReadOnly, QFileDevice::AutoCloseHandle)) {
        ::close(fd);
        if (error)
            *error = QStringLiteral("the audit log %1 is not a regular file").arg(m_path);
        return result;
    }
    QHash<QString, int> byId;
    while (!file.atEnd()) {
        const QJsonObject o = QJsonDocument::fromJson(file.readLine()).object();
        const QString type = o.value(QLatin1String("type")).toString();
        const QString id = o.value(QLatin1String("id")).toString();
        if (type == QLatin1String("removal")) {
            AuditRecord r;
            r.id = id;
            r.time = o.value(QLatin1String("time")).toString();
            r.user = o.value(QLatin1String("user")).toString();
            r.uid = uint(o.value(QLatin1String("uid")).toInteger());
            r.host = o.value(QLatin1String("host")).toString();
            r.dirPath =
                QByteArray::fromBase64(o.value(QLatin1String("dirB64")).toString().toLatin1());
            r.fileName =
                QByteArray::fromBase64(o.value(QLatin1String("nameB64")).toString().toLatin1());
            r.bytes =
                QByteArray::fromBase64(o.value(QLatin1String("bytesB64")).toString().toLatin1());
            r.mode = uint(o.value(QLatin1String("mode")).toInteger(0644));
            r.kind = o.value(QLatin1String("kind")).toString();
            r.verdict = o.value(QLatin1String("verdict")).toString();
            r.cause = o.value(QLatin1String("cause")).toString();
            r.reason = o.value(QLatin1String("reason")).toString();
            r.forced = o.value(QLatin1String("forced")).toBool();
            r.evidence = o.value(QLatin1String("evidence")).toObject();
            byId.insert(id, int(result.size()));
            result.append(r);
        } else if (type == QLatin1String("outcome") || type == QLatin1String("restore")) {
            const auto it = byId.constFind(id);
            if (it != byId.cend()) {
                const QString outcome = o.value(QLatin1String("outcome")).toString();
                result[*it].outcome = type == QLatin1String("restore")
                                          ? QStringLiteral("restore:") + outcome
                                          : outcome;
            }
        }
    }
    return result;
}

std::optional<AuditRecord> AuditLog::find(const QString &id, QString *error) const
{
    const QVector<AuditRecord> all = records(error);
    for (const AuditRecord &r : all) {
        if (r.id == id)
            return r;
    }
    return std::nullopt;
}

} // namespace lockscope
