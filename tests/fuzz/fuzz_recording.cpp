// libFuzzer target: the recording header and event reader. The bytes are
// handed over as already read (no descriptor), which is the path every line
// takes through the parser.

#include "recordingreader.h"

#include <cstddef>
#include <cstdint>

using namespace lockscope;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray bytes(reinterpret_cast<const char *>(data), int(size));
    const RecordingInfo info =
        RecordingReader::parse("session-2026-12-04T10-00-00-fuzz.jsonl", bytes, -1);
    if (info.headerOk && info.sessionId.isEmpty())
        __builtin_trap();
    if (!info.headerOk && info.headerError.isEmpty())
        __builtin_trap();
    if (info.firstHumanText.size() > 120)
        __builtin_trap();
    if (info.events < 0)
        __builtin_trap();
    return 0;
}
