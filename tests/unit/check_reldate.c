/* check_reldate.c: relative dates (util/reldate.h) on fixed "now"s:
 * ISO weeks start on Monday (a Sunday is the end of its week), months and
 * years roll over at their edges, last-N-days includes today; in the
 * query language (date:today, date:2022-01..now) and through
 * morgue_query_opts.now. "Today" is now's day in the process's time
 * zone: the fixed-clock tests run with TZ=UTC, and test_reldate_tz moves
 * it (POSIX TZ strings, which need no tzdata). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check_main.h"
#include "morgue.h"
#include "searcher/query.h"
#include "util/reldate.h"
#include "testutil.h"

#define D(y, m, d) (date_days(y, m, d) * 86400)

static int64_t date_days(int y, int m, int d)
{
    /* days from 1970-01-01, a small independent calendar for the test */
    static const int cum[] = { 0, 31, 59, 90, 120, 151, 181, 212, 243,
                               273, 304, 334 };
    int64_t days = 0;
    for (int k = 1970; k < y; k++)
        days += (k % 4 == 0 && (k % 100 != 0 || k % 400 == 0)) ? 366 : 365;
    days += cum[m - 1] + d - 1;
    if (m > 2 && (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
        days++;
    return days;
}

static void tz(const char *zone)
{
    setenv("TZ", zone, 1);
    tzset();
}

static void expect(const char *w, int64_t now, int64_t from, int64_t to)
{
    int64_t f, t;
    ck_assert_msg(reldate_period(w, strlen(w), now, &f, &t), "%s", w);
    ck_assert_msg(f == from && t == to, "%s: %lld..%lld, want %lld..%lld",
                  w, (long long)f, (long long)t, (long long)from,
                  (long long)to);
}

START_TEST(test_reldate_words)
{
    tz("UTC0");
    int64_t now = D(2022, 1, 6) + 15 * 3600; /* Thursday afternoon */
    expect("today", now, D(2022, 1, 6), D(2022, 1, 7) - 1);
    expect("TODAY", now, D(2022, 1, 6), D(2022, 1, 7) - 1);
    expect("now", now, D(2022, 1, 6), D(2022, 1, 7) - 1);
    expect("yesterday", now, D(2022, 1, 5), D(2022, 1, 6) - 1);
    expect("last-1-days", now, D(2022, 1, 6), D(2022, 1, 7) - 1);
    expect("last-7-days", now, D(2021, 12, 31), D(2022, 1, 7) - 1);
    expect("this-week", now, D(2022, 1, 3), D(2022, 1, 10) - 1);
    expect("last-week", now, D(2021, 12, 27), D(2022, 1, 3) - 1);
    expect("this-month", now, D(2022, 1, 1), D(2022, 2, 1) - 1);
    expect("last-month", now, D(2021, 12, 1), D(2022, 1, 1) - 1);
    expect("this-year", now, D(2022, 1, 1), D(2023, 1, 1) - 1);
    /* a Sunday belongs to the week that began the Monday before */
    int64_t sunday = D(2022, 1, 9) + 23 * 3600;
    expect("this-week", sunday, D(2022, 1, 3), D(2022, 1, 10) - 1);
    /* a Monday starts a week */
    expect("this-week", D(2022, 1, 10), D(2022, 1, 10), D(2022, 1, 17) - 1);
    /* leap February */
    expect("last-month", D(2024, 3, 15), D(2024, 2, 1), D(2024, 3, 1) - 1);
    int64_t f, t;
    static const char *bad[] = { "last-0-days", "last--days", "last-x-days",
                                 "last-999999-days", "tomorrow", "week",
                                 "this-weeks", "" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(!reldate_period(bad[i], strlen(bad[i]), now, &f, &t),
                      "%s", bad[i]);
}
END_TEST

static qnode *parse(const char *q, int64_t now)
{
    qnode *n;
    char err[256];
    size_t at;
    ck_assert_int_eq(query_parse_at(q, 0, now, &n, err, sizeof err, &at),
                     MORGUE_OK);
    return n;
}

START_TEST(test_reldate_in_queries)
{
    tz("UTC0");
    int64_t now = D(2022, 1, 6) + 3600;
    qnode *n = parse("date:today", now);
    ck_assert_int_eq(n->kind, Q_DATE);
    ck_assert_int_eq(n->from, D(2022, 1, 6));
    ck_assert_int_eq(n->to, D(2022, 1, 7) - 1);
    query_free(n);
    n = parse("date:2021-12..now", now);
    ck_assert_int_eq(n->from, D(2021, 12, 1));
    ck_assert_int_eq(n->to, D(2022, 1, 7) - 1);
    query_free(n);
    n = parse("date:last-week..yesterday", now);
    ck_assert_int_eq(n->from, D(2021, 12, 27));
    ck_assert_int_eq(n->to, D(2022, 1, 6) - 1);
    query_free(n);
    char err[256];
    size_t at;
    ck_assert_int_eq(query_parse_at("date:now..2021", 0, now, &n, err,
                                    sizeof err, &at), MORGUE_EQUERY);
    ck_assert_int_eq(query_parse_at("date:soon", 0, now, &n, err,
                                    sizeof err, &at), MORGUE_EQUERY);
}
END_TEST

/* Through the API: opts.now decides what date:yesterday is. */
START_TEST(test_reldate_query_opts_now)
{
    char *dir = tu_tempdir("reldate");
    morgue_writer *w;
    ck_assert_int_eq(morgue_writer_open(&w, dir, NULL), MORGUE_OK);
    for (int d = 1; d <= 20; d++) {
        char id[16];
        snprintf(id, sizeof id, "d%02d", d);
        morgue_article a = MORGUE_ARTICLE_INIT;
        a.id = id;
        a.title = "daily report";
        a.body = "the daily report of the day";
        a.date = D(2022, 1, d) + 12 * 3600;
        ck_assert_int_eq(morgue_writer_add(w, &a), MORGUE_OK);
    }
    ck_assert_int_eq(morgue_writer_commit(w), MORGUE_OK);
    morgue_writer_close(w);
    morgue_searcher *s;
    ck_assert_int_eq(morgue_searcher_open(&s, dir, NULL), MORGUE_OK);
    tz("UTC0");
    morgue_query_opts o = MORGUE_QUERY_OPTS_INIT;
    o.now = D(2022, 1, 12) + 60;
    o.flags = MORGUE_QUERY_COUNT;
    static const struct { const char *q; uint64_t n; } cases[] = {
        { "report date:yesterday", 1 }, { "report date:last-3-days", 3 },
        { "report date:this-week", 7 },  /* Mon 10 .. Sun 16 */
        { "report date:last-week", 7 },  /* Mon 3 .. Sun 9 */
        { "report date:2022-01-10..now", 3 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        morgue_hits *h;
        ck_assert_int_eq(morgue_search(s, cases[i].q, &o, &h), MORGUE_OK);
        ck_assert_msg(morgue_hits_total(h) == cases[i].n, "%s: %llu",
                      cases[i].q, (unsigned long long)morgue_hits_total(h));
        morgue_hits_free(h);
    }
    morgue_hits *h;
    /* a range that starts after now ends before it starts */
    ck_assert_int_eq(morgue_search(s, "report date:2022-01-15..now", &o, &h),
                     MORGUE_EQUERY);
    morgue_searcher_close(s);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* The same instant is a different "today" east and west of Greenwich;
 * the periods stay whole days on the articles' clocks. */
START_TEST(test_reldate_tz)
{
    int64_t now = D(2022, 5, 14) + 23 * 3600 + 30 * 60; /* Sat 23:30 UTC */
    tz("UTC0");
    expect("today", now, D(2022, 5, 14), D(2022, 5, 15) - 1);
    expect("this-week", now, D(2022, 5, 9), D(2022, 5, 16) - 1);
    tz("JST-9"); /* +09:00: 08:30 on Sunday the 15th */
    expect("today", now, D(2022, 5, 15), D(2022, 5, 16) - 1);
    expect("yesterday", now, D(2022, 5, 14), D(2022, 5, 15) - 1);
    expect("this-week", now, D(2022, 5, 9), D(2022, 5, 16) - 1);
    expect("last-2-days", now, D(2022, 5, 14), D(2022, 5, 16) - 1);
    /* the month and the year roll over by the local day too */
    int64_t eve = D(2022, 12, 31) + 20 * 3600; /* 20:00 UTC */
    expect("this-year", eve, D(2023, 1, 1), D(2024, 1, 1) - 1);
    expect("last-month", eve, D(2022, 12, 1), D(2023, 1, 1) - 1);
    tz("EST5"); /* -05:00: 18:30 on Saturday the 14th */
    expect("today", now, D(2022, 5, 14), D(2022, 5, 15) - 1);
    int64_t early = D(2022, 5, 16) + 2 * 3600; /* Mon 02:00 UTC */
    expect("today", early, D(2022, 5, 15), D(2022, 5, 16) - 1);
    expect("this-week", early, D(2022, 5, 9), D(2022, 5, 16) - 1);
    qnode *n = parse("date:today", early);
    ck_assert_int_eq(n->from, D(2022, 5, 15));
    query_free(n);
}
END_TEST

static Suite *reldate_suite(void)
{
    Suite *s = suite_create("reldate");
    TCase *tc = tcase_create("relative dates");
    tcase_add_test(tc, test_reldate_words);
    tcase_add_test(tc, test_reldate_in_queries);
    tcase_add_test(tc, test_reldate_query_opts_now);
    tcase_add_test(tc, test_reldate_tz);
    suite_add_tcase(s, tc);
    return s;
}

MORGUE_CHECK_MAIN(reldate_suite)
