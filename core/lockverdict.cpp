#include "lockverdict.h"

#include <QFileInfo>

namespace lockscope {

namespace {

QString pidText(qint64 pid)
{
    return QStringLiteral("PID %1").arg(pid);
}

QString holderLabel(const HolderFacts &holder)
{
    if (!holder.name.isEmpty())
        return QStringLiteral("PID %1 (%2)").arg(holder.pid).arg(holder.name);
    return pidText(holder.pid);
}

bool looksLikeLlxprt(const HolderFacts &holder)
{
    QStringList names;
    if (!holder.exe.isEmpty())
        names << QFileInfo(holder.exe).fileName();
    if (!holder.name.isEmpty())
        names << holder.name;
    if (names.isEmpty())
        return true; // nothing to go on: no evidence either way
    for (const QString &name : qAsConst(names)) {
        const QString lower = name.toLower();
        if (lower == QLatin1String("node") || lower == QLatin1String("nodejs") ||
            lower == QLatin1String("bun") || lower.startsWith(QLatin1String("llxprt")) ||
            lower.startsWith(QLatin1String("lockscope")) ||
            lower.startsWith(QLatin1String("node-")))
            return true;
    }
    return false;
}

QString unusableText(const LockInputs &in)
{
    if (in.file.openErrno != 0)
        return QStringLiteral("cannot be read (%1)").arg(errnoText(in.file.openErrno));
    if (in.file.truncated)
        return QStringLiteral("is larger than %1 KiB, far too large for a lock")
            .arg(kLockReadBound / 1024);
    return QStringLiteral("is unusable: %1").arg(in.payload.problem());
}

// The lock rules applied to any payload that names a holder: locks, guards,
// temps and leases all go through here. `stamp` is the time the holder claims
// to have taken the file.
Judgement judgeHolder(const LockInputs &in, const ParsedTimestamp &stamp, const JudgeContext &ctx)
{
    Judgement j;
    const qint64 mtimeAge = ctx.wallNowMs - in.file.mtimeMs;
    const bool stampUsable = stamp.valid && stamp.inRange;
    if (stampUsable) {
        j.lockAgeMs = ctx.wallNowMs - stamp.msSinceEpoch;
    } else {
        j.lockAgeMs = mtimeAge;
        j.ageFromMtime = true;
    }
    if (mtimeAge < -limits::kFutureGraceMs ||
        (stampUsable && *j.lockAgeMs < -limits::kFutureGraceMs))
        j.flags |= ClockSkew;

    if (!in.payload.usable()) {
        const QString what = QStringLiteral("The payload %1").arg(unusableText(in));
        if (mtimeAge > limits::kStaleAgeMs) {
            j.verdict = Verdict::Stale;
            j.cause = Cause::Aged;
            j.reason = QStringLiteral("%1, and the file was last changed %2 ago (more than 48 h):"
                                      " no writer is still working on it.")
                           .arg(what, humanDuration(mtimeAge));
        } else {
            j.verdict = Verdict::Busy;
            j.reason =
                mtimeAge < 0
                    ? QStringLiteral("%1, and its modification time is %2 in the future, so its"
                                     " age cannot be known.")
                          .arg(what, humanDuration(-mtimeAge))
                    : QStringLiteral("%1, and the file was changed %2 ago: a writer may still be"
                                     " working on it.")
                          .arg(what, humanDuration(mtimeAge));
        }
        return j;
    }

    const HolderFacts &h = in.holder;
    const qint64 pid = *in.payload.pid;
    if (!in.payload.hostname.isEmpty() && in.payload.hostname != ctx.hostname) {
        j.verdict = Verdict::Unverifiable;
        j.reason = QStringLiteral("The payload names host \"%1\", not this one (\"%2\"): %3 can"
                                  " only be checked there.")
                       .arg(in.payload.hostname, ctx.hostname, pidText(pid));
        return j;
    }
    if (in.directory.kind == FilesystemKind::Network || in.directory.kind == FilesystemKind::Fuse) {
        j.verdict = Verdict::Unverifiable;
        j.reason =
            QStringLiteral("The file is on a %1 filesystem (%2): %3 may belong to a"
                           " process on another host.")
                .arg(filesystemKindName(in.directory.kind), in.directory.typeName, pidText(pid));
        return j;
    }

    switch (h.liveness) {
    case Liveness::Gone:
        j.verdict = Verdict::Stale;
        j.cause = Cause::HolderExited;
        j.reason = QStringLiteral("%1 no longer exists (kill gave ESRCH): the holder has exited.")
                       .arg(pidText(pid));
        return j;
    case Liveness::NotProbed:
    case Liveness::ProbeError:
        j.verdict = Verdict::Unverifiable;
        j.reason = QStringLiteral("%1 could not be probed (%2).")
                       .arg(pidText(pid),
                            h.killErrno ? errnoText(h.killErrno) : QStringLiteral("not probed"));
        return j;
    case Liveness::Alive:
    case Liveness::AlivePermission:
        break;
    }

    // A zombie has exited; only its parent has not collected it yet. A leader
    // that exited while its other threads run also shows Z, so those count
    // as alive.
    if (h.zombie && h.threads <= 1) {
        j.verdict = Verdict::Stale;
        j.cause = Cause::HolderExited;
        j.reason = QStringLiteral("%1 has exited and is a zombie waiting for its parent to"
                                  " collect it: it can no longer hold anything.")
                       .arg(pidText(pid));
        return j;
    }
    if (h.kernelThread) {
        j.verdict = Verdict::Unverifiable;
        j.reason = QStringLiteral("%1 is a kernel thread here, so the lock was written in another"
                                  " PID namespace (a container) and its holder cannot be seen.")
                       .arg(pidText(pid));
        return j;
    }
    if (h.isThread) {
        j.verdict = Verdict::Stale;
        j.cause = Cause::PidReused;
        j.reason = QStringLiteral("%1 is now a thread of process %2, not a process: the holder"
                                  " has exited and its PID was reused.")
                       .arg(pidText(pid))
                       .arg(h.tgid);
        return j;
    }
    if (pid == ctx.selfPid && !in.heldBySelf) {
        j.verdict = Verdict::Stale;
        j.cause = Cause::PidReused;
        j.reason = QStringLiteral("%1 is lockscope itself, which does not hold this lock: the"
                                  " holder has exited and its PID was reused.")
                       .arg(pidText(pid));
        return j;
    }
    if (h.startBootMs) {
        j.holderAgeMs = ctx.bootNowMs - *h.startBootMs;
        if (*j.holderAgeMs < *j.lockAgeMs - limits::kStartToleranceMs) {
            j.verdict = Verdict::Stale;
            j.cause = Cause::PidReused;
            j.reason = QStringLiteral("%1 started %2 ago, but the lock was taken %3 ago: it is a"
                                      " newer process that reused the PID of the exited holder.")
                           .arg(holderLabel(h), humanDuration(*j.holderAgeMs),
                                humanDuration(*j.lockAgeMs));
            return j;
        }
    }

    const QString since = j.holderAgeMs
                              ? QStringLiteral("started %1 ago, before the lock was taken")
                                    .arg(humanDuration(*j.holderAgeMs))
                              : QStringLiteral("start time could not be read");
    if (*j.lockAgeMs > limits::kStaleAgeMs) {
        j.verdict = Verdict::Expired;
        j.reason = QStringLiteral("%1 is running (%2), but the lock is %3 old, past 48 h."
                                  " llxprt will take it over; it may still be a genuine long"
                                  " session, so stop that process before removing the lock.")
                       .arg(holderLabel(h), since, humanDuration(*j.lockAgeMs));
        return j;
    }
    j.verdict = Verdict::Held;
    j.reason = QStringLiteral("%1 is running (%2).").arg(holderLabel(h), since);
    return j;
}

void addOwnershipFlags(Judgement &j, const LockInputs &in, const JudgeContext &ctx)
{
    const HolderFacts &h = in.holder;
    if (h.exists() &&
        (h.liveness == Liveness::AlivePermission || (h.uid && *h.uid != ctx.selfUid))) {
        j.flags |= OtherUser;
        j.otherUserReason = h.uid ? QStringLiteral("the holder runs as uid %1").arg(*h.uid)
                                  : QStringLiteral("the holder belongs to another user (EPERM)");
    } else if (in.file.type != FileType::Missing && in.file.uid != ctx.selfUid) {
        j.flags |= OtherUser;
        j.otherUserReason = QStringLiteral("the file belongs to uid %1").arg(in.file.uid);
    }
    if (h.exists() && (j.verdict == Verdict::Held || j.verdict == Verdict::Expired) &&
        !looksLikeLlxprt(h))
        j.flags |= NotLlxprt;
}

void addBlockedFlag(Judgement &j, const LockInputs &in, const JudgeContext &ctx)
{
    if (j.action != Action::Remove && j.action != Action::Force)
        return;
    const DirectoryFacts &d = in.directory;
    // Every removal keeps the file's bytes for restore; what cannot be read in
    // full is never deleted, whatever the verdict.
    if (in.file.openErrno != 0) {
        j.blockedReason = QStringLiteral("the file cannot be read by this user (%1), so it could"
                                         " not be kept for restore")
                              .arg(errnoText(in.file.openErrno));
    } else if (in.file.truncated) {
        j.blockedReason = QStringLiteral("the file is larger than %1 KiB, so it could not be kept"
                                         " for restore")
                              .arg(kLockReadBound / 1024);
    } else if (d.readOnly) {
        j.blockedReason = QStringLiteral("read-only filesystem");
    } else if (!d.writable) {
        j.blockedReason = QStringLiteral("no write permission on the directory");
    } else if (d.sticky && ctx.selfUid != 0 && d.ownerUid != ctx.selfUid &&
               in.file.uid != ctx.selfUid) {
        j.blockedReason = QStringLiteral("sticky directory owned by someone else (uid %1), and"
                                         " the file is not yours")
                              .arg(d.ownerUid);
    }
    if (!j.blockedReason.isEmpty())
        j.flags |= Blocked;
}

Judgement notALock(const QString &reason)
{
    Judgement j;
    j.verdict = Verdict::NotALock;
    j.action = Action::Never;
    j.reason = reason;
    return j;
}

std::optional<Judgement> rejectFileType(const EntryFile &file)
{
    if (file.type == FileType::Regular)
        return std::nullopt;
    if (file.type == FileType::Missing)
        return notALock(QStringLiteral("The entry vanished while it was being read."));
    return notALock(QStringLiteral("It is a %1, not a regular file: lockscope never reads through"
                                   " it or deletes it.")
                        .arg(fileTypeName(file.type)));
}

} // namespace

QStringList Judgement::flagNames() const
{
    QStringList names;
    if (flags & Orphaned)
        names << QStringLiteral("orphaned");
    if (flags & OtherUser)
        names << QStringLiteral("other-user");
    if (flags & ClockSkew)
        names << QStringLiteral("clock-skew");
    if (flags & Legacy)
        names << QStringLiteral("legacy");
    if (flags & IdMismatch)
        names << QStringLiteral("id-mismatch");
    if (flags & NotLlxprt)
        names << QStringLiteral("not-llxprt");
    if (flags & Blocked)
        names << QStringLiteral("blocked");
    return names;
}

Judgement judgeLock(const LockInputs &in, const JudgeContext &ctx)
{
    if (in.kind == EntryKind::NotALock)
        return notALock(QStringLiteral("The name is not <session id>.lock, so this is not an"
                                       " llxprt lock; lockscope never touches it."));
    if (auto rejected = rejectFileType(in.file))
        return *rejected;

    Judgement j = judgeHolder(in, in.payload.timestamp, ctx);
    if (in.guard == GuardState::Running) {
        j.verdict = Verdict::InTransition;
        j.cause = Cause::None;
        j.reason = QStringLiteral("Another process is in the middle of replacing or removing this"
                                  " lock (%1). Look again in a moment.")
                       .arg(in.guardReason);
    }

    if (in.kind == EntryKind::LegacyLock || (in.payload.jsonObject && !in.payload.hasOwnerToken))
        j.flags |= Legacy;
    if (j.verdict == Verdict::Stale && !in.hasRecording)
        j.flags |= Orphaned;
    addOwnershipFlags(j, in, ctx);

    j.action = actionFor(j.verdict);
    if (in.payload.hasSessionId && in.payload.sessionId != in.nameKey) {
        j.flags |= IdMismatch;
        j.action = Action::Never;
        j.reason += QStringLiteral(" The payload names session \"%1\", not the one in the file"
                                   " name, so lockscope leaves it alone.")
                        .arg(in.payload.sessionId);
    }
    addBlockedFlag(j, in, ctx);
    return j;
}

GuardState guardStateFor(const EntryFile &lockFile, const EntryFile &guardFile,
                         const Judgement &guardJudgement, const JudgeContext &ctx, QString *reason)
{
    if (guardFile.type == FileType::Missing)
        return GuardState::None;
    if (guardFile.sameInode(lockFile)) {
        const qint64 age = ctx.wallNowMs - guardFile.ctimeMs;
        if (age < limits::kTransitionFreshMs) {
            if (reason)
                *reason = QStringLiteral("its guard, a hard link of it, was made %1 ago")
                              .arg(humanDuration(qMax<qint64>(age, 0)));
            return GuardState::Running;
        }
        return GuardState::Leftover;
    }
    if (guardJudgement.verdict == Verdict::Stale)
        return GuardState::Leftover;
    if (reason) {
        *reason = guardJudgement.verdict == Verdict::Held
                      ? QStringLiteral("its guard names a claimant that is alive")
                      : QStringLiteral("its guard is %1: %2")
                            .arg(verdictName(guardJudgement.verdict), guardJudgement.reason);
    }
    return GuardState::Running;
}

Judgement judgeGuard(const LockInputs &in, const EntryFile &lockFile, const JudgeContext &ctx)
{
    if (auto rejected = rejectFileType(in.file))
        return *rejected;

    Judgement j;
    if (in.file.sameInode(lockFile)) {
        const qint64 age = ctx.wallNowMs - in.file.ctimeMs;
        if (age < limits::kTransitionFreshMs) {
            j.verdict = Verdict::InTransition;
            j.reason = QStringLiteral("A hard link of the lock made %1 ago: a transition is"
                                      " running right now.")
                           .arg(humanDuration(qMax<qint64>(age, 0)));
        } else {
            j = judgeHolder(in, in.payload.timestamp, ctx);
            j.reason = QStringLiteral("A hard link of the lock left %1 ago by a transition that"
                                      " never finished. %2")
                           .arg(humanDuration(age), j.reason);
        }
    } else {
        // A guard that is not a link of the current lock is either one naming
        // its claimant, or a hard-link guard whose taker has just replaced the
        // lock: that one still carries the dead victim's payload while its
        // taker is alive. Its payload proves nothing until it has been left
        // alone for the transition limit.
        const qint64 age = ctx.wallNowMs - in.file.ctimeMs;
        j = judgeHolder(in, in.payload.timestamp, ctx);
        if (j.verdict != Verdict::Held && age < limits::kTransitionFreshMs) {
            j.verdict = Verdict::InTransition;
            j.cause = Cause::None;
            j.reason = QStringLiteral("A transition guard made %1 ago: a lock may be being"
                                      " replaced right now, whatever its payload says.")
                           .arg(humanDuration(qMax<qint64>(age, 0)));
        } else {
            j.reason =
                QStringLiteral("A transition guard naming its own claimant. %1").arg(j.reason);
        }
    }
    addOwnershipFlags(j, in, ctx);
    j.action = j.verdict == Verdict::Stale ? Action::Remove : Action::Keep;
    addBlockedFlag(j, in, ctx);
    return j;
}

Judgement judgeTemp(const LockInputs &in, const JudgeContext &ctx)
{
    if (in.kind == EntryKind::BadTemp)
        return notALock(QStringLiteral("The name does not follow llxprt's <id>.lock.<uuid>.locktmp"
                                       " pattern; lockscope never touches it."));
    if (auto rejected = rejectFileType(in.file))
        return *rejected;

    Judgement j;
    const qint64 age = ctx.wallNowMs - in.file.mtimeMs;
    if (age < limits::kTransitionFreshMs) {
        j.verdict = Verdict::InTransition;
        j.reason = QStringLiteral("A lock being published, written %1 ago: llxprt removes it"
                                  " itself within moments.")
                       .arg(humanDuration(qMax<qint64>(age, 0)));
        if (age < -limits::kFutureGraceMs)
            j.flags |= ClockSkew;
    } else {
        j = judgeHolder(in, in.payload.timestamp, ctx);
        j.reason = QStringLiteral("A publication temp left %1 ago by a crash. %2")
                       .arg(humanDuration(age), j.reason);
    }
    addOwnershipFlags(j, in, ctx);
    j.action = j.verdict == Verdict::Stale ? Action::Remove : Action::Keep;
    addBlockedFlag(j, in, ctx);
    return j;
}

Judgement judgeLease(const LockInputs &in, const JudgeContext &ctx)
{
    if (auto rejected = rejectFileType(in.file))
        return *rejected;

    Judgement j;
    const ParsedTimestamp &beat = in.payload.heartbeatAt;
    const qint64 beatAge = ctx.wallNowMs - beat.msSinceEpoch;
    if (beat.valid && beat.inRange && beatAge < limits::kLeaseFreshMs) {
        j.verdict = Verdict::Held;
        j.lockAgeMs = beatAge;
        j.reason = QStringLiteral("The janitor's heartbeat is %1 old (fresh under 10 min).")
                       .arg(humanDuration(qMax<qint64>(beatAge, 0)));
        if (beatAge < -limits::kFutureGraceMs)
            j.flags |= ClockSkew;
    } else {
        j = judgeHolder(in, in.payload.createdAt, ctx);
        j.reason = QStringLiteral("The janitor's heartbeat is %1. %2")
                       .arg(beat.valid ? QStringLiteral("%1 old").arg(humanDuration(beatAge))
                                       : QStringLiteral("missing"),
                            j.reason);
    }
    addOwnershipFlags(j, in, ctx);
    j.action = actionFor(j.verdict);
    addBlockedFlag(j, in, ctx);
    return j;
}

Judgement judgeOther(const EntryFile &file, EntryKind kind)
{
    if (kind == EntryKind::Recording)
        return notALock(QStringLiteral("A session recording: lockscope never deletes one."));
    if (kind == EntryKind::Archive)
        return notALock(QStringLiteral("Archived recordings: shown, never touched."));
    return notALock(QStringLiteral("An unknown %1 that llxprt does not write: shown, never"
                                   " touched.")
                        .arg(fileTypeName(file.type)));
}

UpstreamView judgeUpstream(const LockInputs &in, bool guardPresent, bool legacyRoot,
                           const JudgeContext &ctx)
{
    UpstreamView view;
    const LockPayload &p = in.payload;
    const bool pidOk = p.jsonObject && p.pidUpstreamValid;
    // Upstream treats "anything but EPERM" as dead, including errors it did not expect.
    const bool alive = pidOk && p.pid && in.holder.exists();

    view.inUse = !pidOk || alive;

    if (!pidOk || !p.timestamp.valid) {
        view.staleB = in.file.type != FileType::Missing &&
                      ctx.wallNowMs - in.file.mtimeMs > limits::kStaleAgeMs;
    } else if (!alive) {
        view.staleB = true;
    } else {
        view.staleB = ctx.wallNowMs - p.timestamp.msSinceEpoch > limits::kStaleAgeMs;
    }

    const bool lockName = in.kind == EntryKind::Lock || in.kind == EntryKind::LegacyLock;
    view.janitorRemoves = lockName && !legacyRoot && in.file.type == FileType::Regular &&
                          p.jsonObject && (!p.hasSessionId || p.sessionId == in.nameKey) &&
                          view.staleB && !guardPresent;
    return view;
}

Action actionFor(Verdict verdict)
{
    switch (verdict) {
    case Verdict::Held:
    case Verdict::InTransition:
        return Action::Keep;
    case Verdict::Stale:
        return Action::Remove;
    case Verdict::Expired:
    case Verdict::Busy:
    case Verdict::Unverifiable:
        return Action::Force;
    case Verdict::NotALock:
        return Action::Never;
    }
    return Action::Never;
}

QString verdictName(Verdict verdict)
{
    switch (verdict) {
    case Verdict::Held:
        return QStringLiteral("held");
    case Verdict::Stale:
        return QStringLiteral("stale");
    case Verdict::Expired:
        return QStringLiteral("expired");
    case Verdict::Busy:
        return QStringLiteral("busy");
    case Verdict::Unverifiable:
        return QStringLiteral("unverifiable");
    case Verdict::InTransition:
        return QStringLiteral("in-transition");
    case Verdict::NotALock:
        return QStringLiteral("not-a-lock");
    }
    return {};
}

QString causeName(Cause cause)
{
    switch (cause) {
    case Cause::None:
        return {};
    case Cause::HolderExited:
        return QStringLiteral("holder-exited");
    case Cause::PidReused:
        return QStringLiteral("pid-reused");
    case Cause::Aged:
        return QStringLiteral("aged");
    }
    return {};
}

QString actionName(Action action)
{
    switch (action) {
    case Action::Keep:
        return QStringLiteral("keep");
    case Action::Remove:
        return QStringLiteral("remove");
    case Action::Force:
        return QStringLiteral("force");
    case Action::Never:
        return QStringLiteral("never");
    }
    return {};
}

QString humanDuration(qint64 ms)
{
    const bool negative = ms < 0;
    const quint64 abs = negative ? quint64(-(ms + 1)) + 1 : quint64(ms);
    QString text;
    if (abs < 1000)
        text = QStringLiteral("%1 ms").arg(abs);
    else if (abs < 60'000)
        text = QStringLiteral("%1 s").arg(abs / 1000);
    else if (abs < 3'600'000)
        text = QStringLiteral("%1 min").arg(abs / 60'000);
    else if (abs < 48ULL * 3'600'000)
        text = QStringLiteral("%1 h %2 min").arg(abs / 3'600'000).arg(abs / 60'000 % 60);
    else
        text = QStringLiteral("%1 d %2 h").arg(abs / 86'400'000).arg(abs / 3'600'000 % 24);
    return negative ? QLatin1Char('-') + text : text;
}

} // namespace lockscope
