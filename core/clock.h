#pragma once

#include <QtGlobal>

namespace lockscope {

// The two clocks a verdict needs. Lock ages use the wall clock because the lock
// records wall time; holder ages use the boot clock, which wall-clock steps do
// not move. Tests replace both.
class Clock
{
public:
    virtual ~Clock() = default;
    virtual qint64 wallNowMs() const = 0;
    virtual qint64 bootNowMs() const = 0;
};

class SystemClock final : public Clock
{
public:
    qint64 wallNowMs() const override;
    qint64 bootNowMs() const override;

    static const SystemClock &instance();
};

} // namespace lockscope
