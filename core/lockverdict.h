#pragma once

#include "entryfile.h"
#include "entryname.h"
#include "filesystemprobe.h"
#include "lockpayload.h"
#include "processprobe.h"

#include <QString>
#include <QStringList>
#include <QtGlobal>

#include <optional>

namespace lockscope {

// The thresholds of the verdict model, in one place.
namespace limits {
// upstream's stale age, and the age past which a live holder's lock is "expired"
constexpr qint64 kStaleAgeMs = 48LL * 3600 * 1000;
// how much younger than its lock a holder may look before its PID counts as
// reused: covers the jiffy resolution of start times and a wall clock slewed by NTP
constexpr qint64 kStartToleranceMs = 5'000;
// a transition guard or publication temp younger than this belongs to a running
// transition
constexpr qint64 kTransitionFreshMs = 5LL * 60 * 1000;
// a janitor lease whose heartbeat is younger than this is held
constexpr qint64 kLeaseFreshMs = 10LL * 60 * 1000;
// timestamps less than this far ahead of the clock are rounding, not skew
constexpr qint64 kFutureGraceMs = 1'000;
} // namespace limits

enum class Verdict
{
    Held,
    Stale,
    Expired,
    Busy,
    Unverifiable,
    InTransition,
    NotALock
};
enum class Cause
{
    None,
    HolderExited,
    PidReused,
    Aged
};
enum class Action
{
    Keep,
    Remove,
    Force,
    Never
};

enum Flag : uint
{
    NoFlags = 0,
    Orphaned = 1 << 0,
    OtherUser = 1 << 1,
    ClockSkew = 1 << 2,
    Legacy = 1 << 3,
    IdMismatch = 1 << 4,
    NotLlxprt = 1 << 5,
    Blocked = 1 << 6,
};

// The state of a lock's transition guard, as far as the lock is concerned.
enum class GuardState
{
    None,     // no guard entry
    Running,  // a fresh hard link of this lock, or a claimant that is alive
    Leftover, // a guard whose claimant is gone or whose link is old
};

struct Judgement
{
    Verdict verdict = Verdict::NotALock;
    Cause cause = Cause::None;
    uint flags = NoFlags;
    Action action = Action::Never;
    QString reason;        // one or two sentences a person can act on
    QString blockedReason; // why removal would fail, with Flag::Blocked
    QString otherUserReason;
    std::optional<qint64> lockAgeMs;   // now - timestamp (or mtime); negative when ahead
    std::optional<qint64> holderAgeMs; // boot-clock age of the live holder
    bool ageFromMtime = false;         // the timestamp was unusable, mtime stood in

    bool has(Flag flag) const { return (flags & flag) != 0; }
    QStringList flagNames() const;
};

struct JudgeContext
{
    qint64 wallNowMs = 0;
    qint64 bootNowMs = 0;
    qint64 selfPid = 0;
    uint selfUid = 0;
    QString hostname;
};

// Everything known about one lock-like entry before judging it.
struct LockInputs
{
    EntryKind kind = EntryKind::Lock;
    QString nameKey; // the id (or legacy key) the file name carries
    EntryFile file;
    LockPayload payload;
    HolderFacts holder;
    DirectoryFacts directory;
    GuardState guard = GuardState::None;
    QString guardReason;      // evidence for GuardState::Running
    bool heldBySelf = false;  // this process holds the lock through LockManager
    bool hasRecording = true; // a recording in the chats dir carries this session
};

// Upstream's two predicates, computed as llxprt 0.11 does, for comparison.
struct UpstreamView
{
    bool inUse = false;          // predicate A: the CLI's "in use"
    bool staleB = false;         // predicate B
    bool janitorRemoves = false; // B plus the janitor's own conditions
};

Judgement judgeLock(const LockInputs &in, const JudgeContext &ctx);
Judgement judgeGuard(const LockInputs &in, const EntryFile &lockFile, const JudgeContext &ctx);
Judgement judgeTemp(const LockInputs &in, const JudgeContext &ctx);
Judgement judgeLease(const LockInputs &in, const JudgeContext &ctx);
Judgement judgeOther(const EntryFile &file, EntryKind kind);

UpstreamView judgeUpstream(const LockInputs &in, bool guardPresent, bool legacyRoot,
                           const JudgeContext &ctx);

// Whether the guard entry beside a lock belongs to a running transition.
GuardState guardStateFor(const EntryFile &lockFile, const EntryFile &guardFile,
                         const Judgement &guardJudgement, const JudgeContext &ctx, QString *reason);

Action actionFor(Verdict verdict);
QString verdictName(Verdict verdict);
QString causeName(Cause cause);
QString actionName(Action action);
QString humanDuration(qint64 ms);

} // namespace lockscope
