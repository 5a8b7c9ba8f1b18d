/* reldate.c: relative date words (see reldate.h). */
#include <string.h>
#include <strings.h>
#include <time.h>

#include "util/dates.h"
#include "util/reldate.h"
#include "util/civil.h"

static int64_t floor_day(int64_t t)
{
    return t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
}

static int is(const char *s, size_t n, const char *w)
{
    return strlen(w) == n && strncasecmp(s, w, n) == 0;
}

static int day_range(int64_t first, int64_t last, int64_t *from,
                     int64_t *to)
{
    *from = first * 86400;
    *to = last * 86400 + 86399;
    return 1;
}

static int64_t month_start(int64_t y, unsigned m)
{
    return date_days_from_civil(y, m, 1);
}

/* now as the wall clock of the process's time zone (TZ, else
 * /etc/localtime) read as if UTC: that is whose calendar "today" is. */
static int64_t local_clock(int64_t now)
{
    time_t t = (time_t)now;
    struct tm tm;
    return localtime_r(&t, &tm) ? now + tm.tm_gmtoff : now;
}

int reldate_period(const char *s, size_t n, int64_t now, int64_t *from,
                   int64_t *to)
{
    int64_t wall = local_clock(now);
    int64_t today = floor_day(wall);
    int64_t y;
    unsigned m, d;
    civil_from_secs(wall, &y, &m, &d);
    /* day precision, as every date of the query language: "now" as an
     * end of a range is today */
    if (is(s, n, "today") || is(s, n, "now"))
        return day_range(today, today, from, to);
    if (is(s, n, "yesterday"))
        return day_range(today - 1, today - 1, from, to);
    /* 1970-01-01 was a Thursday: Monday is 3 days before day 0 + 7k */
    int64_t monday = today - (((today + 3) % 7 + 7) % 7);
    if (is(s, n, "this-week"))
        return day_range(monday, monday + 6, from, to);
    if (is(s, n, "last-week"))
        return day_range(monday - 7, monday - 1, from, to);
    if (is(s, n, "this-month"))
        return day_range(month_start(y, m),
                         (m == 12 ? month_start(y + 1, 1)
                                  : month_start(y, m + 1)) - 1,
                         from, to);
    if (is(s, n, "last-month"))
        return day_range(m == 1 ? month_start(y - 1, 12)
                                : month_start(y, m - 1),
                         month_start(y, m) - 1, from, to);
    if (is(s, n, "this-year"))
        return day_range(month_start(y, 1), month_start(y + 1, 1) - 1, from,
                         to);
    /* last-N-days */
    if (n > 10 && strncasecmp(s, "last-", 5) == 0 &&
        strncasecmp(s + n - 5, "-days", 5) == 0) {
        int64_t k = 0;
        for (size_t i = 5; i < n - 5; i++) {
            if (s[i] < '0' || s[i] > '9' || k > 100000)
                return 0;
            k = k * 10 + (s[i] - '0');
        }
        if (k < 1 || k > 100000)
            return 0;
        return day_range(today - (k - 1), today, from, to);
    }
    return 0;
}
