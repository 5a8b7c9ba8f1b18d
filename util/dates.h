/* dates.h: the date syntaxes news files use, parsed to seconds UTC. Each
 * returns MORGUE_NO_DATE when s holds no valid date. The parsers with an
 * off argument also store there (when off is not NULL and the date is
 * valid) the zone offset the text gave, in minutes east of UTC, or
 * MORGUE_NO_OFFSET when it named none (the time is then taken as UTC). */
#ifndef MORGUE_UTIL_DATES_H
#define MORGUE_UTIL_DATES_H

#include <stdint.h>
#include "util/span.h"

/* Days since 1970-01-01 for a proleptic Gregorian date (no validation). */
int64_t date_days_from_civil(int64_t y, unsigned m, unsigned d);

/* Days in month m (1-12) of year y. */
int date_days_in_month(int64_t y, unsigned m);

/* The period a date value names, as date: in queries and --from/--to
 * read it: YYYY, YYYY-M[M] or YYYY-M[M]-D[D], or a relative word
 * (reldate.h) counted from now. Its first and last second into *from and
 * *to: 1, or 0 when s[0, n) names no period. */
int date_period(const char *s, size_t n, int64_t now, int64_t *from,
                int64_t *to);

/* ISO 8601 / RFC 3339: 2022-01-05, 2022-01-05T14:03:00Z, +06:00 offsets,
 * fractional seconds, a space instead of T. */
int64_t date_parse_iso8601(span s, int *off);

/* RFC 822/2822 and common Usenet variants: "Wed, 5 Jan 2022 14:03:00 +0600",
 * "5 Jan 93 14:03:00 GMT", named zones. */
int64_t date_parse_rfc822(span s, int *off);

/* Reuters-21578: "26-FEB-1987 15:01:01.79" with its quirks (leading spaces,
 * trailing junk, one-digit fractions, out-of-range hours ignored). */
int64_t date_parse_reuters(span s, int *off);

/* A date in a path: .../2022/01/05/..., 2022-01-05 or 20220105 in a name. */
int64_t date_from_path(const char *path);

/* Any of the above in turn, then a few human forms ("January 5, 2022",
 * "5 January 2022"); for date header lines in plain text. */
int64_t date_parse_any(span s, int *off);

#endif
