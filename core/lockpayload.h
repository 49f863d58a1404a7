#pragma once

#include "timestamp.h"

#include <QByteArray>
#include <QString>
#include <QtGlobal>

#include <optional>

namespace lockscope {

// A lock, guard, temp or lease payload, parsed field by field. Every problem is
// kept as text so that a verdict can say exactly why a payload is unusable.
struct LockPayload
{
    bool empty = false;
    bool jsonObject = false; // the bytes are one JSON object
    QString jsonError;

    bool hasPid = false;
    std::optional<qint64> pid; // set only for a positive integer that fits pid_t
    QString pidProblem;        // why "pid" is unusable, empty when it is fine
    // Upstream's own test: a positive safe integer (it passes those to kill).
    bool pidUpstreamValid = false;
    qint64 pidUpstream = 0;

    bool hasTimestamp = false;
    QString timestampText;
    ParsedTimestamp timestamp;

    bool hasSessionId = false;
    QString sessionId;
    bool hasOwnerToken = false;
    QString ownerToken;
    QString hostname; // only written by other tools and by the janitor lease

    // Janitor lease fields.
    ParsedTimestamp createdAt;
    ParsedTimestamp heartbeatAt;

    // The payload names a holder lockscope can judge: JSON object with a usable pid.
    bool usable() const { return jsonObject && pid.has_value(); }
    QString problem() const;
};

LockPayload parseLockPayload(const QByteArray &bytes);

// The compact JSON upstream writes, with no trailing newline.
QByteArray makeLockPayload(qint64 pid, const QString &timestamp, const QString &sessionId,
                           const QString &ownerToken);

} // namespace lockscope
