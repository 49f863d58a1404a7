#pragma once

#include <QByteArray>
#include <QString>

namespace lockscope {

// What a directory entry is, judged by its name alone. The file type and the
// content are judged later; a name never proves anything about the bytes.
enum class EntryKind
{
    Recording,  // session-<stamp>-<12 chars>.jsonl
    Lock,       // <sessionId>.lock
    LegacyLock, // <YYYY-MM-DDTHH-MM-SS>-<12 chars>.lock, keyed by recording name
    Guard,      // <sessionId>.lock.tguard
    Temp,       // <sessionId>.lock.<uuid v4>.locktmp
    BadTemp,    // ends in .locktmp but breaks upstream's grammar
    NotALock,   // ends in .lock but the stem is not a session id
    Lease,      // .llxprt-janitor.lease
    Archive,    // the archive/ folder or an entry inside it
    Unknown,
};

struct EntryName
{
    EntryKind kind = EntryKind::Unknown;
    // For locks, guards and temps: the session id the name carries. For a legacy
    // lock and a recording: the key shared by both names (stamp + 12 chars).
    QString key;
};

EntryName classifyEntryName(const QByteArray &name);

// ^[A-Za-z0-9_-]{1,256}$, upstream's grammar for ids accepted in lock names.
bool isSessionId(const QString &id);
bool isSessionId(const QByteArray &id);
bool isUuidV4(const QString &text);
// 8-4-4-4-12 hex digits in either case, whatever the version nibble.
bool isUuidShaped(const QString &text);
// 64 lowercase hex characters: the only folder names that are projects.
bool isProjectHash(const QByteArray &name);

QString entryKindName(EntryKind kind);

} // namespace lockscope
