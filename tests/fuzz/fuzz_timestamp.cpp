// libFuzzer target: the ISO-8601 timestamp parser.

#include "timestamp.h"

#include <cstddef>
#include <cstdint>

using namespace lockscope;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QString text = QString::fromUtf8(reinterpret_cast<const char *>(data), int(size));
    const ParsedTimestamp parsed = parseTimestamp(text);
    if (parsed.inRange && !parsed.valid)
        __builtin_trap();
    if (parsed.valid && (parsed.msSinceEpoch > 8'640'000'000'000'000LL ||
                         parsed.msSinceEpoch < -8'640'000'000'000'000LL))
        __builtin_trap();
    // Whatever lockscope accepts as in range, it writes back to the same instant.
    if (parsed.inRange &&
        parseTimestamp(formatTimestamp(parsed.msSinceEpoch)).msSinceEpoch != parsed.msSinceEpoch)
        __builtin_trap();
    return 0;
}
