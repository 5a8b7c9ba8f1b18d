/* check_dates.c: every date syntax of util/dates.h, zones, quirks, and
 * inputs that must give MORGUE_NO_DATE. */
#include "check_main.h"

#include <stdio.h>

#include "util/dates.h"
#include "morgue.h"

#define NO MORGUE_NO_DATE
#define D20220105 INT64_C(1641340800)          /* 2022-01-05T00:00:00Z */
#define T20220105 (D20220105 + 14 * 3600 + 180) /* 14:03:00Z */

static int64_t iso(const char *s)
{
    return date_parse_iso8601(span_cstr(s), NULL);
}
static int64_t rfc(const char *s)
{
    return date_parse_rfc822(span_cstr(s), NULL);
}
static int64_t reu(const char *s)
{
    return date_parse_reuters(span_cstr(s), NULL);
}
static int64_t any(const char *s)
{
    return date_parse_any(span_cstr(s), NULL);
}

/* The zone offset parser p gives for s (7777 when it gives no date). */
static int off_of(int64_t (*p)(span, int *), const char *s)
{
    int off = 7777;
    return p(span_cstr(s), &off) == NO ? 7777 : off;
}

/* Every parser reports the zone the text named, and MORGUE_NO_OFFSET when
 * it named none (or "-0000", or an unknown abbreviation). */
START_TEST(test_dates_offsets)
{
    const int U = MORGUE_NO_OFFSET;
    ck_assert_int_eq(off_of(date_parse_iso8601, "2022-05-15T01:20:00+02:00"),
                     120);
    ck_assert_int_eq(off_of(date_parse_iso8601, "2022-05-15T01:20-0530"),
                     -330);
    ck_assert_int_eq(off_of(date_parse_iso8601, "2022-05-15T01:20:00Z"), 0);
    ck_assert_int_eq(off_of(date_parse_iso8601, "2022-05-15T01:20:00"), U);
    ck_assert_int_eq(off_of(date_parse_iso8601, "2022-05-15"), U);
    ck_assert_int_eq(off_of(date_parse_iso8601, "2022-05-15T01:20-00:00"),
                     U);
    ck_assert_int_eq(off_of(date_parse_iso8601, "2022-05-15T25:20+02:00"),
                     7777);
    ck_assert_int_eq(
        off_of(date_parse_rfc822, "Sun, 15 May 2022 01:20:00 +0200"), 120);
    ck_assert_int_eq(off_of(date_parse_rfc822, "15 May 2022 01:20 EDT"),
                     -240);
    ck_assert_int_eq(off_of(date_parse_rfc822, "15 May 2022 01:20 GMT+1"),
                     60);
    ck_assert_int_eq(off_of(date_parse_rfc822, "15 May 2022 01:20 GMT"), 0);
    ck_assert_int_eq(off_of(date_parse_rfc822, "15 May 2022 01:20 XYZ"), U);
    ck_assert_int_eq(off_of(date_parse_rfc822, "15 May 2022 01:20 -0000"),
                     U);
    ck_assert_int_eq(off_of(date_parse_rfc822, "15 May 2022"), U);
    ck_assert_int_eq(off_of(date_parse_rfc822, "Sun May 15 01:20:00 CEST "
                                               "2022"), 120);
    ck_assert_int_eq(off_of(date_parse_reuters, "15-MAY-2022 01:20:00.00"),
                     U);
    ck_assert_int_eq(off_of(date_parse_reuters, "15-MAY-2022 01:20:00 "
                                                "+0200"), 120);
    ck_assert_int_eq(off_of(date_parse_any, "May 15, 2022, 1:20 am CEST"),
                     120);
    ck_assert_int_eq(off_of(date_parse_any, "2022-05-15T01:20:00+02:00"),
                     120);
    /* the instant is UTC all the same: 2022-05-14T23:20:00Z */
    ck_assert_int_eq(iso("2022-05-15T01:20:00+02:00"),
                     date_days_from_civil(2022, 5, 14) * 86400 + 23 * 3600 +
                         20 * 60);
}
END_TEST

START_TEST(test_dates_civil)
{
    ck_assert_int_eq(date_days_from_civil(1970, 1, 1), 0);
    ck_assert_int_eq(date_days_from_civil(1969, 12, 31), -1);
    ck_assert_int_eq(date_days_from_civil(2000, 2, 29) * 86400,
                     INT64_C(951782400));
    ck_assert_int_eq(date_days_from_civil(1600, 3, 1) * 86400,
                     INT64_C(-11670912000));
    ck_assert_int_eq(date_days_from_civil(2022, 1, 5) * 86400, D20220105);
}
END_TEST

START_TEST(test_dates_iso8601)
{
    ck_assert_int_eq(iso("2022-01-05"), D20220105);
    ck_assert_int_eq(iso("20220105"), D20220105);
    ck_assert_int_eq(iso("  2022-01-05  "), D20220105);
    ck_assert_int_eq(iso("2022-01-05T14:03:00Z"), T20220105);
    ck_assert_int_eq(iso("2022-01-05t14:03:00z"), T20220105);
    ck_assert_int_eq(iso("2022-01-05 14:03:00"), T20220105);
    ck_assert_int_eq(iso("2022-01-05T14:03"), T20220105);
    ck_assert_int_eq(iso("2022-01-05T140300Z"), T20220105);
    ck_assert_int_eq(iso("2022-01-05T14:03:00.123456Z"), T20220105);
    ck_assert_int_eq(iso("2022-01-05T14:03:00,5Z"), T20220105);
    ck_assert_int_eq(iso("2022-01-05T20:03:00+06:00"), T20220105);
    ck_assert_int_eq(iso("2022-01-05T20:03:00+0600"), T20220105);
    ck_assert_int_eq(iso("2022-01-05T20:03:00+06"), T20220105);
    ck_assert_int_eq(iso("2022-01-05T09:03:00-05:00"), T20220105);
    ck_assert_int_eq(iso("2022-01-05 14:03:00 UTC"), T20220105);
    ck_assert_int_eq(iso("2022-01-05T24:00:00Z"), D20220105 + 86400);
    ck_assert_int_eq(iso("2000-02-29"), INT64_C(951782400));
    ck_assert_int_eq(iso("1969-12-31T23:59:59Z"), -1);
}
END_TEST

START_TEST(test_dates_iso8601_invalid)
{
    ck_assert_int_eq(iso(""), NO);
    ck_assert_int_eq(iso("2022"), NO);
    ck_assert_int_eq(iso("2022-13-01"), NO);
    ck_assert_int_eq(iso("2022-01-32"), NO);
    ck_assert_int_eq(iso("2022-02-30"), NO);
    ck_assert_int_eq(iso("2021-02-29"), NO);
    ck_assert_int_eq(iso("1900-02-29"), NO);
    ck_assert_int_eq(iso("2022-00-10"), NO);
    ck_assert_int_eq(iso("2022-1-5"), NO);
    ck_assert_int_eq(iso("2022-01-05T25:00:00Z"), NO);
    ck_assert_int_eq(iso("2022-01-05T14:60:00Z"), NO);
    ck_assert_int_eq(iso("2022-01-05T24:00:01Z"), NO);
    ck_assert_int_eq(iso("2022-01-05T"), NO);
    ck_assert_int_eq(iso("2022-01-05T14:03:00+2500"), NO);
    ck_assert_int_eq(iso("2022-01-05 and more"), NO);
    ck_assert_int_eq(iso("1641391380"), NO);
    ck_assert_int_eq(date_parse_iso8601(span_of(NULL, 0), NULL), NO);
    /* the span's end is respected: no NUL terminator is needed */
    ck_assert_int_eq(date_parse_iso8601(span_of("2022-01-0599", 10), NULL),
                     D20220105);
    ck_assert_int_eq(date_parse_iso8601(span_of("2022-01-05", 9), NULL), NO);
}
END_TEST

START_TEST(test_dates_rfc822)
{
    ck_assert_int_eq(rfc("Wed, 5 Jan 2022 14:03:00 +0000"), T20220105);
    ck_assert_int_eq(rfc("Wed, 5 Jan 2022 20:03:00 +0600"), T20220105);
    ck_assert_int_eq(rfc("Wed, 05 Jan 2022 20:03 +06:00"), T20220105);
    ck_assert_int_eq(rfc("5 Jan 2022 14:03:00 GMT"), T20220105);
    ck_assert_int_eq(rfc("5 Jan 22 14:03:00 UT"), T20220105);
    ck_assert_int_eq(rfc("Wednesday, 5 January 2022 14:03:00 Z"),
                     T20220105);
    ck_assert_int_eq(rfc("wed, 5 JAN 2022 14:03:00 utc"), T20220105);
    ck_assert_int_eq(rfc("5 Jan 2022"), D20220105);
    ck_assert_int_eq(rfc("Wed,5-Jan-22 14:03:00 GMT"), T20220105);
    ck_assert_int_eq(rfc("Wed, 5 Jan 2022 14:03:00 +0000 (GMT)"),
                     T20220105);
    ck_assert_int_eq(rfc("Wed Jan  5 14:03:00 2022"), T20220105);
    ck_assert_int_eq(rfc("Wed Jan 5 09:03:00 EST 2022"), T20220105);
    ck_assert_int_eq(rfc("5 Jan 2022 14:03:00 XYZ"), T20220105);
    ck_assert_int_eq(rfc("Mon, 5 Apr 93 14:03:00 GMT"), INT64_C(734018580));
}
END_TEST

START_TEST(test_dates_rfc822_zones)
{
    static const struct {
        const char *zone;
        int hours_west;
    } z[] = { { "EST", 5 }, { "EDT", 4 }, { "CST", 6 }, { "CDT", 5 },
              { "MST", 7 }, { "MDT", 6 }, { "PST", 8 }, { "PDT", 7 },
              { "GMT", 0 }, { "UTC", 0 }, { "UT", 0 },  { "Z", 0 },
              { "-0500", 5 }, { "+0100", -1 } };
    for (size_t i = 0; i < sizeof z / sizeof z[0]; i++) {
        char s[64];
        snprintf(s, sizeof s, "5 Jan 2022 14:03:00 %s", z[i].zone);
        ck_assert_msg(rfc(s) == T20220105 + z[i].hours_west * 3600,
                      "zone %s", z[i].zone);
    }
    ck_assert_int_eq(rfc("5 Jan 2022 14:03:00 +0530"),
                     T20220105 - 5 * 3600 - 1800);
    ck_assert_int_eq(rfc("5 Jan 2022 14:03:00 GMT+1"), T20220105 - 3600);
}
END_TEST

START_TEST(test_dates_rfc822_two_digit_years)
{
    ck_assert_int_eq(rfc("1 Jan 00 00:00:00 GMT"), INT64_C(946684800));
    ck_assert_int_eq(rfc("31 Dec 49 00:00:00 GMT"), INT64_C(2524521600));
    ck_assert_int_eq(rfc("1 Jan 50 00:00:00 GMT"), INT64_C(-631152000));
    ck_assert_int_eq(rfc("1 Jan 70 00:00:00 GMT"), 0);
    ck_assert_int_eq(rfc("1 Jan 99 00:00:00 GMT"), INT64_C(915148800));
}
END_TEST

START_TEST(test_dates_rfc822_invalid)
{
    ck_assert_int_eq(rfc(""), NO);
    ck_assert_int_eq(rfc("Wed,"), NO);
    ck_assert_int_eq(rfc("32 Jan 2022 14:03:00 GMT"), NO);
    ck_assert_int_eq(rfc("30 Feb 2022 14:03:00 GMT"), NO);
    ck_assert_int_eq(rfc("5 Foo 2022 14:03:00 GMT"), NO);
    ck_assert_int_eq(rfc("5 Jan 2022 25:03:00 GMT"), NO);
    ck_assert_int_eq(rfc("5 Jan 2022 14:03:00 GMT and then"), NO);
    ck_assert_int_eq(rfc("5 Jan 2022 14:03:00 hello"), NO);
    ck_assert_int_eq(rfc("Jan 5 2022"), NO);
    ck_assert_int_eq(rfc("5 Jan 12345"), NO);
}
END_TEST

START_TEST(test_dates_reuters)
{
    ck_assert_int_eq(reu("26-FEB-1987 15:01:01.79"), INT64_C(541350061));
    ck_assert_int_eq(reu(" 9-APR-1987 00:00:00.00"), INT64_C(544924800));
    ck_assert_int_eq(reu("  9-APR-1987 00:00:00.00"), INT64_C(544924800));
    ck_assert_int_eq(reu("9-APR-1987  00:00:00.00"), INT64_C(544924800));
    ck_assert_int_eq(reu("9-APR-1987 00:00:00.0"), INT64_C(544924800));
    ck_assert_int_eq(reu("9-APR-1987 00:00:01.7"), INT64_C(544924801));
    ck_assert_int_eq(reu("9-APR-1987 00:00:00.00&#5;&#5;&#5;RM"),
                     INT64_C(544924800));
    ck_assert_int_eq(
        reu("9-APR-1987 00:00:00.00    # date added by S Finch as guesswork "),
        INT64_C(544924800));
    /* hour 605: the day is kept, the time dropped */
    ck_assert_int_eq(reu("31-MAR-1987 605:12:19.12"), INT64_C(544147200));
    ck_assert_int_eq(reu("2-JUN-1987"), INT64_C(549590400));
    ck_assert_int_eq(reu("26-feb-1987 15:01:01.79"), INT64_C(541350061));
}
END_TEST

START_TEST(test_dates_reuters_invalid)
{
    ck_assert_int_eq(reu(""), NO);
    ck_assert_int_eq(reu("FEB-1987"), NO);
    ck_assert_int_eq(reu("30-FEB-1987 10:00:00.00"), NO);
    ck_assert_int_eq(reu("26-XYZ-1987 15:01:01.79"), NO);
    ck_assert_int_eq(reu("26 FEB 1987"), NO);
    ck_assert_int_eq(date_parse_reuters(span_of("26-FEB-1987", 7), NULL), NO);
}
END_TEST

START_TEST(test_dates_from_path)
{
    ck_assert_int_eq(date_from_path("news/2022/01/05/story.txt"), D20220105);
    ck_assert_int_eq(date_from_path("news/2022/1/5/story.txt"), D20220105);
    ck_assert_int_eq(date_from_path("news/2022-01-05-story.txt"), D20220105);
    ck_assert_int_eq(date_from_path("news/story_2022_01_05.html"),
                     D20220105);
    ck_assert_int_eq(date_from_path("news/20220105.txt"), D20220105);
    ck_assert_int_eq(date_from_path("news/a-20220105-b.txt"), D20220105);
    /* the file name wins over its folders */
    ck_assert_int_eq(date_from_path("2021/12/31/20220105.txt"), D20220105);
    ck_assert_int_eq(date_from_path(NULL), NO);
    ck_assert_int_eq(date_from_path(""), NO);
    ck_assert_int_eq(date_from_path("bbc/business/001.txt"), NO);
    ck_assert_int_eq(date_from_path("20news-bydate-train/sci.med/58045"),
                     NO);
    ck_assert_int_eq(date_from_path("id/120220105.txt"), NO);
    ck_assert_int_eq(date_from_path("id/202201051.txt"), NO);
    ck_assert_int_eq(date_from_path("x/20221305.txt"), NO);
    ck_assert_int_eq(date_from_path("x/12345678.txt"), NO);
    ck_assert_int_eq(date_from_path("seed/000_b72334b22d1b3fbd.txt"), NO);
}
END_TEST

START_TEST(test_dates_any)
{
    ck_assert_int_eq(any("2022-01-05T14:03:00Z"), T20220105);
    ck_assert_int_eq(any("Wed, 5 Jan 2022 14:03:00 GMT"), T20220105);
    ck_assert_int_eq(any("5-JAN-2022 14:03:00.00"), T20220105);
    ck_assert_int_eq(any("January 5, 2022"), D20220105);
    ck_assert_int_eq(any("Jan. 5, 2022"), D20220105);
    ck_assert_int_eq(any("January 5th 2022"), D20220105);
    ck_assert_int_eq(any("5 January 2022"), D20220105);
    ck_assert_int_eq(any("5th of January, 2022"), D20220105);
    ck_assert_int_eq(any("Wednesday, January 5, 2022"), D20220105);
    ck_assert_int_eq(any("2022/01/05"), D20220105);
    ck_assert_int_eq(any("January 5, 2022 at 2:03 pm"), T20220105);
    ck_assert_int_eq(any("January 5, 2022, 2:03 p.m. GMT"), T20220105);
    ck_assert_int_eq(any("January 5, 2022 9:03 AM EST"), T20220105);
    ck_assert_int_eq(any("5 January 2022, 14:03"), T20220105);
    ck_assert_int_eq(any("January 5, 2022 12:00 am"), D20220105);
}
END_TEST

START_TEST(test_dates_any_invalid)
{
    ck_assert_int_eq(any(""), NO);
    ck_assert_int_eq(any("   "), NO);
    ck_assert_int_eq(any("hello world"), NO);
    ck_assert_int_eq(any("January 32, 2022"), NO);
    ck_assert_int_eq(any("February 30, 2022"), NO);
    ck_assert_int_eq(any("January 5, 2022 13:00 pm"), NO);
    ck_assert_int_eq(any("The United Nations has called for restraint"), NO);
    ck_assert_int_eq(any("May 2022 brought rain"), NO);
    ck_assert_int_eq(any("2022/13/01"), NO);
}
END_TEST

static Suite *dates_suite(void)
{
    Suite *s = suite_create("dates");
    TCase *tc = tcase_create("parse");
    tcase_add_test(tc, test_dates_civil);
    tcase_add_test(tc, test_dates_offsets);
    tcase_add_test(tc, test_dates_iso8601);
    tcase_add_test(tc, test_dates_iso8601_invalid);
    tcase_add_test(tc, test_dates_rfc822);
    tcase_add_test(tc, test_dates_rfc822_zones);
    tcase_add_test(tc, test_dates_rfc822_two_digit_years);
    tcase_add_test(tc, test_dates_rfc822_invalid);
    tcase_add_test(tc, test_dates_reuters);
    tcase_add_test(tc, test_dates_reuters_invalid);
    tcase_add_test(tc, test_dates_from_path);
    tcase_add_test(tc, test_dates_any);
    tcase_add_test(tc, test_dates_any_invalid);
    suite_add_tcase(s, tc);
    return s;
}

MORGUE_CHECK_MAIN(dates_suite)
