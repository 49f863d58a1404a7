#include "clock.h"

#include <QDateTime>

#include <time.h>

namespace lockscope {

qint64 SystemClock::wallNowMs() const
{
    return QDateTime::currentMSecsSinceEpoch();
}

qint64 SystemClock::bootNowMs() const
{
    timespec ts{};
#ifdef CLOCK_BOOTTIME
    clock_gettime(CLOCK_BOOTTIME, &ts);
#else
    clock_gettime(CLOCK_MONOTONIC, &ts);
#endif
    return qint64(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000;
}

const SystemClock &SystemClock::instance()
{
    static const SystemClock clock;
    return clock;
}

} // namespace lockscope
