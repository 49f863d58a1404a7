#pragma once

#include <QString>
#include <QtGlobal>

#include <optional>

namespace lockscope {

// An ISO-8601 instant as llxprt writes it ("2026-08-20T23:01:17.123Z"), parsed
// without the C library so that hostile values cannot overflow or wrap.
struct ParsedTimestamp
{
    // The string is a real calendar instant of the ISO form JavaScript's
    // Date.parse accepts (extended ±YYYYYY years included), within its range.
    bool valid = false;
    qint64 msSinceEpoch = 0;
    // lockscope's stricter reading: a four-digit year from 1970 to 9999. Values
    // outside count as missing, so an absurd stamp never makes a lock "old".
    bool inRange = false;
};

ParsedTimestamp parseTimestamp(const QString &text);

// Milliseconds since the epoch for a valid proleptic Gregorian date-time, or
// nothing when a field is out of its range.
std::optional<qint64> civilToEpochMs(qint64 year, int month, int day, int hour, int minute,
                                     int second, int millis);

QString formatTimestamp(qint64 msSinceEpoch);

} // namespace lockscope
