#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <QVector>

#include <optional>

namespace lockscope {

// One removal as written to the audit log before the unlink, with everything
// needed to put the file back byte for byte.
struct AuditRecord
{
    QString id;
    QString time;
    QString user;
    uint uid = 0;
    QString host;
    QByteArray dirPath;
    QByteArray fileName;
    QByteArray bytes;
    uint mode = 0644;
    QString kind;
    QString verdict;
    QString cause;
    QString reason;
    QJsonObject evidence;
    bool forced = false;
    QString outcome; // filled from the line written after the attempt

    QByteArray rawPath() const { return dirPath + '/' + fileName; }
};

// The audit log, an append-only JSON Lines file. A removal is appended and
// fsync'ed before the unlink; when that fails, nothing is removed.
class AuditLog
{
public:
    // $LOCKSCOPE_AUDIT_LOG, else $XDG_STATE_HOME/lockscope/audit.jsonl, else
    // ~/.local/state/lockscope/audit.jsonl.
    static QString defaultPath();

    explicit AuditLog(QString path = defaultPath());

    QString path() const { return m_path; }

    // Returns false and sets *error when the record could not be made durable.
    bool append(const AuditRecord &record, QString *error);
    bool appendOutcome(const QString &id, const QString &outcome, QString *error);
    bool appendRestore(const QString &id, const QString &outcome, QString *error);

    // All removal records, oldest first, with their outcomes; unreadable lines skipped.
    QVector<AuditRecord> records(QString *error = nullptr) const;
    std::optional<AuditRecord> find(const QString &id, QString *error = nullptr) const;

    static QString newId();

private:
    bool appendLine(const QJsonObject &object, QString *error);

    QString m_path;
};

} // namespace lockscope
