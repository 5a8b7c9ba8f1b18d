/* civil.h: calendar days from Unix seconds (proleptic Gregorian, UTC). */
#ifndef MORGUE_UTIL_CIVIL_H
#define MORGUE_UTIL_CIVIL_H

#include <stdint.h>

/* Year, month (1-12) and day (1-31) of the UTC day holding secs. */
void civil_from_secs(int64_t secs, int64_t *y, unsigned *m, unsigned *d);

/* "YYYY-MM-DD" into out (at least 16 bytes). */
void civil_format_day(int64_t secs, char *out);

#endif
