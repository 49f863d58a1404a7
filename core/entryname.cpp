#include "entryname.h"

namespace lockscope {

namespace {

bool isIdChar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
}

bool isLowerHex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

bool matchesHexGroups(const QByteArray &text, std::initializer_list<int> groups)
{
    int pos = 0;
    for (int group : groups) {
        if (pos > 0) {
            if (pos >= text.size() || text.at(pos) != '-')
                return false;
            ++pos;
        }
        for (int i = 0; i < group; ++i, ++pos) {
            if (pos >= text.size() || !isLowerHex(text.at(pos)))
                return false;
        }
    }
    return pos == text.size();
}

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

// Length of "<YYYY-MM-DDTHH-MM-SS>-<1 to 12 id characters>" at the start of
// text, ending exactly where `suffix` begins; 0 when it is not there.
int stampedKeyLength(const QByteArray &text, int from, const char *suffix)
{
    static const char shape[] = "dddd-dd-ddTdd-dd-dd-";
    const int stampLength = int(sizeof shape) - 1;
    const int suffixLength = int(qstrlen(suffix));
    const int keyLength = text.size() - from - suffixLength;
    if (keyLength < stampLength + 1 || keyLength > stampLength + 12 || !text.endsWith(suffix))
        return 0;
    for (int i = 0; i < stampLength; ++i) {
        const char c = text.at(from + i);
        if (shape[i] == 'd' ? !isDigit(c) : c != shape[i])
            return 0;
    }
    for (int i = from + stampLength; i < from + keyLength; ++i) {
        if (!isIdChar(text.at(i)))
            return 0;
    }
    return keyLength;
}

// Every byte must be ASCII for a name to carry an id: anything else is shown
// but never interpreted, so undecodable names cannot alias a real session.
bool isAscii(const QByteArray &name)
{
    for (char c : name) {
        if (static_cast<unsigned char>(c) >= 0x80 || c == '\0')
            return false;
    }
    return true;
}

} // namespace

bool isSessionId(const QByteArray &id)
{
    if (id.isEmpty() || id.size() > 256)
        return false;
    for (char c : id) {
        if (!isIdChar(c))
            return false;
    }
    return true;
}

bool isSessionId(const QString &id)
{
    return id.size() <= 256 && isSessionId(id.toLatin1()) &&
           QString::fromLatin1(id.toLatin1()) == id;
}

bool isUuidV4(const QString &text)
{
    const QByteArray bytes = text.toLatin1();
    if (!matchesHexGroups(bytes, {8, 4, 4, 4, 12}))
        return false;
    return bytes.at(14) == '4';
}

bool isUuidShaped(const QString &text)
{
    return matchesHexGroups(text.toLower().toLatin1(), {8, 4, 4, 4, 12});
}

bool isProjectHash(const QByteArray &name)
{
    if (name.size() != 64)
        return false;
    for (char c : name) {
        if (!isLowerHex(c))
            return false;
    }
    return true;
}

EntryName classifyEntryName(const QByteArray &name)
{
    static const QByteArray lockSuffix = ".lock";
    static const QByteArray guardSuffix = ".lock.tguard";
    static const QByteArray tempSuffix = ".locktmp";

    if (name == ".llxprt-janitor.lease")
        return {EntryKind::Lease, {}};
    if (name == "archive")
        return {EntryKind::Archive, {}};
    if (!isAscii(name)) {
        if (name.endsWith(lockSuffix))
            return {EntryKind::NotALock, {}};
        if (name.endsWith(tempSuffix))
            return {EntryKind::BadTemp, {}};
        return {EntryKind::Unknown, {}};
    }

    if (name.startsWith("session-")) {
        if (const int length = stampedKeyLength(name, 8, ".jsonl"))
            return {EntryKind::Recording, QString::fromLatin1(name.mid(8, length))};
    }

    if (name.endsWith(guardSuffix)) {
        const QByteArray id = name.left(name.size() - guardSuffix.size());
        return isSessionId(id) ? EntryName{EntryKind::Guard, QString::fromLatin1(id)}
                               : EntryName{EntryKind::Unknown, {}};
    }

    if (name.endsWith(tempSuffix)) {
        // <id>.lock.<uuid v4 shape, lowercase hex>.locktmp, exactly as upstream.
        const QByteArray stem = name.left(name.size() - tempSuffix.size());
        const int marker = stem.lastIndexOf(".lock.");
        if (marker <= 0)
            return {EntryKind::BadTemp, {}};
        const QByteArray id = stem.left(marker);
        const QByteArray uuid = stem.mid(marker + 6);
        if (!isSessionId(id) || !matchesHexGroups(uuid, {8, 4, 4, 4, 12}))
            return {EntryKind::BadTemp, {}};
        return {EntryKind::Temp, QString::fromLatin1(id)};
    }

    if (name.endsWith(lockSuffix)) {
        if (const int length = stampedKeyLength(name, 0, ".lock"))
            return {EntryKind::LegacyLock, QString::fromLatin1(name.left(length))};
        const QByteArray id = name.left(name.size() - lockSuffix.size());
        if (isSessionId(id))
            return {EntryKind::Lock, QString::fromLatin1(id)};
        return {EntryKind::NotALock, {}};
    }

    return {EntryKind::Unknown, {}};
}

QString entryKindName(EntryKind kind)
{
    switch (kind) {
    case EntryKind::Recording:
        return QStringLiteral("recording");
    case EntryKind::Lock:
        return QStringLiteral("lock");
    case EntryKind::LegacyLock:
        return QStringLiteral("legacy-lock");
    case EntryKind::Guard:
        return QStringLiteral("guard");
    case EntryKind::Temp:
    case EntryKind::BadTemp:
        return QStringLiteral("temp");
    case EntryKind::NotALock:
        return QStringLiteral("lock");
    case EntryKind::Lease:
        return QStringLiteral("lease");
    case EntryKind::Archive:
    case EntryKind::Unknown:
        return QStringLiteral("unknown");
    }
    return QStringLiteral("unknown");
}

} // namespace lockscope
