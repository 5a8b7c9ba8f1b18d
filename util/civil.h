/* civil.h: calendar days from Unix seconds (proleptic Gregorian, UTC). */
#ifndef MORGUE_UTIL_CIVIL_H
#define MORGUE_UTIL_CIVIL_H

#include <stdint.h>

/* Year, month (1-12) and day (1-31) of the UTC day holding secs. */
void civil_from_secs(int64_t secs, int64_t *y, unsigned *m, unsigned *d);

/* "YYYY-MM-DD" into out (at least 16 bytes). */
void civil_format_day(int64_t secs, char *out);

/* The calendar day and clock of secs in the zone off minutes east of UTC:
 * "YYYY-MM-DDTHH:MM:SS+HH:MM", or with "Z" when off is MORGUE_NO_OFFSET
 * (-32768: no zone known, the time is UTC). out: at least 32 bytes. */
void civil_format_iso(int64_t secs, int off, char *out);

/* secs moved to the wall clock of zone off (unchanged for -32768). */
int64_t civil_local(int64_t secs, int off);

#endif
