// libFuzzer target: the lock payload parser and the verdict functions that
// read what it produces, on arbitrary bytes.

#include "lockpayload.h"
#include "lockverdict.h"

#include <cstddef>
#include <cstdint>

using namespace lockscope;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray bytes(reinterpret_cast<const char *>(data), int(size));
    const LockPayload payload = parseLockPayload(bytes);

    LockInputs in;
    in.kind = EntryKind::Lock;
    in.nameKey = QStringLiteral("s1");
    in.file.type = FileType::Regular;
    in.file.read = true;
    in.file.bytes = bytes;
    in.file.mtimeMs = 1'700'000'000'000;
    in.payload = payload;
    if (payload.pid) {
        in.holder.pid = *payload.pid;
        in.holder.liveness = (*payload.pid & 1) ? Liveness::Alive : Liveness::Gone;
        in.holder.startBootMs = *payload.pid % 100000;
    }
    JudgeContext ctx;
    ctx.wallNowMs = 1'800'000'000'000;
    ctx.bootNowMs = 1'000'000;
    const Judgement j = judgeLock(in, ctx);
    const UpstreamView view = judgeUpstream(in, false, false, ctx);
    judgeTemp(in, ctx);
    judgeLease(in, ctx);

    // Invariants that must hold for any input.
    if (j.reason.isEmpty())
        __builtin_trap();
    if (!payload.usable() && j.verdict != Verdict::Stale && j.verdict != Verdict::Busy)
        __builtin_trap();
    if (j.verdict == Verdict::Stale && j.cause == Cause::None)
        __builtin_trap();
    if (!payload.jsonObject && view.janitorRemoves)
        __builtin_trap();
    return 0;
}
