/* reldate.h: relative dates, for date: in queries and --from/--to.
 *
 *   today, yesterday          that calendar day
 *   last-N-days               the N calendar days ending today, today
 *                             included (N from 1 to 100000)
 *   this-week, last-week      ISO 8601 weeks: Monday to Sunday
 *   this-month, last-month    calendar months
 *   this-year                 the calendar year
 *   now                       for an end of a range (date:2022-01..now):
 *                             today, as every date of the query language
 *                             has day precision
 *
 * All relative to `now` (the clock unless morgue_query_opts.now or
 * --now says otherwise), an instant whose calendar day is taken in the
 * process's local time zone (localtime_r: TZ, else /etc/localtime), the
 * day of the person asking. The periods are returned as day bounds on
 * the articles' own clocks (midnight = day * 86400), the scale date
 * filters compare (segment_local_date). */
#ifndef MORGUE_UTIL_RELDATE_H
#define MORGUE_UTIL_RELDATE_H

#include <stddef.h>
#include <stdint.h>

/* The first and last second of the period the word s (n bytes, matched
 * case-insensitively) names: 1, or 0 when it is not such a word. */
int reldate_period(const char *s, size_t n, int64_t now, int64_t *from,
                   int64_t *to);

#endif
