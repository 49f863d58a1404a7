#include "timestamp.h"

#include <QDateTime>

namespace lockscope {

namespace {

constexpr qint64 kJsMaxMs = 8'640'000'000'000'000LL;
constexpr qint64 kMsPerDay = 86'400'000LL;

bool isLeap(qint64 year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int daysInMonth(qint64 year, int month)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return month == 2 && isLeap(year) ? 29 : days[month - 1];
}

// Days from 1970-01-01 to the given civil date (proleptic Gregorian).
qint64 daysFromCivil(qint64 y, int m, int d)
{
    y -= m <= 2 ? 1 : 0;
    const qint64 era = (y >= 0 ? y : y - 399) / 400;
    const qint64 yoe = y - era * 400;
    const qint64 doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const qint64 doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

class Cursor
{
public:
    explicit Cursor(const QString &text)
        : m_text(text)
    {
    }

    bool atEnd() const { return m_pos >= m_text.size(); }
    QChar peek() const { return atEnd() ? QChar() : m_text.at(m_pos); }
    bool take(QChar c)
    {
        if (peek() != c)
            return false;
        ++m_pos;
        return true;
    }
    // Exactly `count` ASCII digits.
    std::optional<qint64> digits(int count)
    {
        qint64 value = 0;
        for (int i = 0; i < count; ++i) {
            const QChar c = peek();
            if (c < QLatin1Char('0') || c > QLatin1Char('9'))
                return std::nullopt;
            value = value * 10 + (c.unicode() - '0');
            ++m_pos;
        }
        return value;
    }
    int digitRun() const
    {
        int n = 0;
        while (m_pos + n < m_text.size() && m_text.at(m_pos + n) >= QLatin1Char('0') &&
               m_text.at(m_pos + n) <= QLatin1Char('9'))
            ++n;
        return n;
    }

private:
    const QString &m_text;
    int m_pos = 0;
};

} // namespace

std::optional<qint64> civilToEpochMs(qint64 year, int month, int day, int hour, int minute,
                                     int second, int millis)
{
    if (year < -271821 || year > 275760 || month < 1 || month > 12 || day < 1 ||
        day > daysInMonth(year, month) || hour < 0 || hour > 24 || minute < 0 || minute > 59 ||
        second < 0 || second > 59 || millis < 0 || millis > 999)
        return std::nullopt;
    if (hour == 24 && (minute != 0 || second != 0 || millis != 0))
        return std::nullopt;
    const qint64 days = daysFromCivil(year, month, day);
    return days * kMsPerDay + ((hour * 60LL + minute) * 60LL + second) * 1000LL + millis;
}

ParsedTimestamp parseTimestamp(const QString &text)
{
    ParsedTimestamp result;
    if (text.size() > 64)
        return result;

    Cursor in(text);
    qint64 year = 0;
    bool fourDigitYear = false;
    if (in.peek() == QLatin1Char('+') || in.peek() == QLatin1Char('-')) {
        const bool negative = in.peek() == QLatin1Char('-');
        in.take(in.peek());
        const auto y = in.digits(6);
        if (!y || (negative && *y == 0))
            return result;
        year = negative ? -*y : *y;
    } else {
        const auto y = in.digits(4);
        if (!y)
            return result;
        year = *y;
        fourDigitYear = true;
    }

    int month = 1;
    int day = 1;
    int hour = 0;
    int minute = 0;
    int second = 0;
    int millis = 0;
    qint64 offsetMinutes = 0;

    if (in.take(QLatin1Char('-'))) {
        const auto m = in.digits(2);
        if (!m)
            return result;
        month = int(*m);
        if (in.take(QLatin1Char('-'))) {
            const auto d = in.digits(2);
            if (!d)
                return result;
            day = int(*d);
        }
    }

    if (in.take(QLatin1Char('T'))) {
        const auto h = in.digits(2);
        if (!h || !in.take(QLatin1Char(':')))
            return result;
        const auto mi = in.digits(2);
        if (!mi)
            return result;
        hour = int(*h);
        minute = int(*mi);
        if (in.take(QLatin1Char(':'))) {
            const auto s = in.digits(2);
            if (!s)
                return result;
            second = int(*s);
            if (in.take(QLatin1Char('.'))) {
                const int run = in.digitRun();
                if (run == 0 || run > 9)
                    return result;
                const qint64 fraction = *in.digits(run);
                qint64 scaled = fraction;
                for (int i = run; i < 3; ++i)
                    scaled *= 10;
                for (int i = run; i > 3; --i)
                    scaled /= 10;
                millis = int(scaled);
            }
        }
        if (in.take(QLatin1Char('Z'))) {
            // UTC
        } else if (in.peek() == QLatin1Char('+') || in.peek() == QLatin1Char('-')) {
            const int sign = in.peek() == QLatin1Char('-') ? -1 : 1;
            in.take(in.peek());
            const auto oh = in.digits(2);
            if (!oh || !in.take(QLatin1Char(':')))
                return result;
            const auto om = in.digits(2);
            if (!om || *oh > 23 || *om > 59)
                return result;
            offsetMinutes = sign * (*oh * 60 + *om);
        } else {
            // A date-time without a zone is local time to JavaScript; llxprt never
            // writes one, and guessing the zone could age a lock by hours.
            return result;
        }
    }

    if (!in.atEnd())
        return result;

    const auto ms = civilToEpochMs(year, month, day, hour, minute, second, millis);
    if (!ms)
        return result;
    const qint64 utc = *ms - offsetMinutes * 60'000LL;
    if (utc < -kJsMaxMs || utc > kJsMaxMs)
        return result;

    result.valid = true;
    result.msSinceEpoch = utc;
    result.inRange = fourDigitYear && year >= 1970 && year <= 9999 && utc >= 0;
    return result;
}

QString formatTimestamp(qint64 msSinceEpoch)
{
    return QDateTime::fromMSecsSinceEpoch(msSinceEpoch, Qt::UTC)
        .toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss.zzzZ"));
}

} // namespace lockscope
