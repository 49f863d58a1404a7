#include "lockpayload.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>

#include <climits>
#include <cmath>

namespace lockscope {

namespace {

constexpr double kMaxSafeInteger = 9007199254740991.0;

void readPid(LockPayload &payload, const QJsonObject &object)
{
    const auto it = object.constFind(QLatin1String("pid"));
    if (it == object.constEnd()) {
        payload.pidProblem = QStringLiteral("no \"pid\" field");
        return;
    }
    payload.hasPid = true;
    const QJsonValue value = it.value();
    if (!value.isDouble()) {
        payload.pidProblem = QStringLiteral("\"pid\" is not a number");
        return;
    }
    const double number = value.toDouble();
    if (!std::isfinite(number) || std::floor(number) != number) {
        payload.pidProblem = QStringLiteral("\"pid\" is not an integer");
        return;
    }
    if (number >= 1 && number <= kMaxSafeInteger) {
        payload.pidUpstreamValid = true;
        payload.pidUpstream = qint64(number);
    }
    if (number < 1) {
        payload.pidProblem = QStringLiteral("\"pid\" is not positive");
        return;
    }
    if (number > INT_MAX) {
        payload.pidProblem = QStringLiteral("\"pid\" is larger than any process id");
        return;
    }
    payload.pid = qint64(number);
}

QString stringField(const QJsonObject &object, QLatin1String key, bool *present = nullptr)
{
    const auto it = object.constFind(key);
    const bool isString = it != object.constEnd() && it.value().isString();
    if (present)
        *present = isString;
    return isString ? it.value().toString() : QString();
}

QByteArray jsonString(const QString &text)
{
    return QJsonDocument(QJsonArray{text}).toJson(QJsonDocument::Compact).mid(1).chopped(1);
}

} // namespace

LockPayload parseLockPayload(const QByteArray &bytes)
{
    LockPayload payload;
    if (bytes.isEmpty()) {
        payload.empty = true;
        payload.jsonError = QStringLiteral("the file is empty");
        payload.pidProblem = payload.jsonError;
        return payload;
    }

    QJsonParseError error{};
    const QJsonDocument document = QJsonDocument::fromJson(bytes, &error);
    if (error.error != QJsonParseError::NoError) {
        payload.jsonError = QStringLiteral("not valid JSON (%1 at byte %2)")
                                .arg(error.errorString())
                                .arg(error.offset);
        payload.pidProblem = payload.jsonError;
        return payload;
    }
    if (!document.isObject()) {
        payload.jsonError = QStringLiteral("JSON, but not an object");
        payload.pidProblem = payload.jsonError;
        return payload;
    }
    payload.jsonObject = true;
    const QJsonObject object = document.object();

    readPid(payload, object);
    payload.timestampText = stringField(object, QLatin1String("timestamp"), &payload.hasTimestamp);
    if (payload.hasTimestamp)
        payload.timestamp = parseTimestamp(payload.timestampText);
    payload.sessionId = stringField(object, QLatin1String("sessionId"), &payload.hasSessionId);
    payload.ownerToken = stringField(object, QLatin1String("ownerToken"), &payload.hasOwnerToken);
    payload.hostname = stringField(object, QLatin1String("hostname"));

    bool present = false;
    const QString created = stringField(object, QLatin1String("createdAt"), &present);
    if (present)
        payload.createdAt = parseTimestamp(created);
    const QString heartbeat = stringField(object, QLatin1String("heartbeatAt"), &present);
    if (present)
        payload.heartbeatAt = parseTimestamp(heartbeat);
    return payload;
}

QString LockPayload::problem() const
{
    if (!jsonObject)
        return jsonError;
    return pidProblem;
}

QByteArray makeLockPayload(qint64 pid, const QString &timestamp, const QString &sessionId,
                           const QString &ownerToken)
{
    // Upstream's key order (pid, timestamp, sessionId, ownerToken), so files
    // written here compare byte for byte with llxprt's; QJsonObject would sort.
    return "{\"pid\":" + QByteArray::number(pid) + ",\"timestamp\":" + jsonString(timestamp) +
           ",\"sessionId\":" + jsonString(sessionId) + ",\"ownerToken\":" + jsonString(ownerToken) +
           '}';
}

} // namespace lockscope
