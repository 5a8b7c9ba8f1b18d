/* civil.c: days to civil dates, after Howard Hinnant's published
 * algorithm for the proleptic Gregorian calendar. */
#include "util/civil.h"

#include <stdio.h>

static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

void civil_from_secs(int64_t secs, int64_t *y, unsigned *m, unsigned *d)
{
    int64_t z = floor_div(secs, 86400) + 719468;
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
    *m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

void civil_format_day(int64_t secs, char *out)
{
    int64_t y;
    unsigned m, d;
    civil_from_secs(secs, &y, &m, &d);
    int year = y < -9999 ? -9999 : y > 99999 ? 99999 : (int)y;
    snprintf(out, 16, "%04d-%02u-%02u", year, m % 13, d % 32);
}
