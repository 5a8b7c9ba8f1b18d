/* search_opts.c: the search options by name, one table for
 * `morgue search --NAME VALUE` and the HTTP API's `?NAME=VALUE`, so both
 * take the same options with the same checks and messages. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/buf.h"
#include "cli/cli.h"
#include "cli/search_opts.h"

static int fail(char *err, size_t cap, const char *fmt, const char *a)
{
    snprintf(err, cap, fmt, a);
    return -1;
}

static int count(const char *s, size_t min, size_t max, size_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (*s == '\0' || *end != '\0' || errno || v < (long long)min ||
        v > (long long)max)
        return -1;
    *out = (size_t)v;
    return 0;
}

static int real(const char *s, double min, double max, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (*s == '\0' || *end != '\0' || !isfinite(v) || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

static int facet(morgue_query_opts *qo, const char *v)
{
    if (!strcmp(v, "year"))
        qo->facet_date = MORGUE_FACET_YEAR;
    else if (!strcmp(v, "month"))
        qo->facet_date = MORGUE_FACET_MONTH;
    else if (!strcmp(v, "day"))
        qo->facet_date = MORGUE_FACET_DAY;
    else if (!strcmp(v, "source"))
        qo->facet_sources = 10;
    else if (!strcmp(v, "tag"))
        qo->facet_tags = 10;
    else if (!strcmp(v, "lang"))
        qo->facet_langs = 10;
    else
        return -1;
    return 0;
}

/* A flag's value over HTTP: absent or "" or "1"/"on"/"true" set it. */
/* --now YYYY[-MM[-DD]] names no time nor zone: its start in the local
 * time zone, so that relative dates (whose "today" is the local day of
 * now, util/reldate.h) count from the day written, whatever TZ is. */
static int64_t local_midnight(int64_t utc_midnight)
{
    time_t t = (time_t)utc_midnight;
    struct tm tm;
    if (!gmtime_r(&t, &tm))
        return utc_midnight;
    tm.tm_isdst = -1;
    time_t l = mktime(&tm);
    return l == (time_t)-1 ? utc_midnight : (int64_t)l;
}

static int truthy(const char *v)
{
    return !v || !*v || !strcmp(v, "1") || !strcmp(v, "on") ||
           !strcmp(v, "true") || !strcmp(v, "yes");
}

static const struct {
    const char *name;
    int takes_value;
} table[] = {
    { "limit", 1 },   { "offset", 1 },        { "any", 0 },
    { "sort", 1 },    { "from", 1 },          { "to", 1 },
    { "facet", 1 },   { "no-snippets", 0 },   { "no-synonyms", 0 },   { "snippet-chars", 1 },
    { "hl-open", 1 }, { "hl-close", 1 },      { "k1", 1 },
    { "b", 1 },       { "natural", 0 },       { "title-weight", 1 },
    { "expand", 0 },
    { "collapse", 0 }, { "recency", 1 },      { "now", 1 },
};

/* 30d, 12h, 90m, 3600s, 2w: seconds; -1 when malformed. */
static double half_life(const char *v)
{
    char *end;
    double x = strtod(v, &end);
    static const struct { char unit; double secs; } units[] = {
        { 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 },
        { 'w', 7 * 86400 }, { 'y', 365.25 * 86400 },
    };
    if (end == v || !isfinite(x) || x <= 0 || !end[0] || end[1])
        return -1;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (*end == units[i].unit)
            return x * units[i].secs;
    return -1;
}

int search_opt_known(const char *name)
{
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (!strcmp(table[i].name, name))
            return table[i].takes_value ? 2 : 1;
    return 0;
}

int search_opt_set(morgue_query_opts *qo, const char *name,
                   const char *v, char *err, size_t cap)
{
    int known = search_opt_known(name);
    if (!known)
        return fail(err, cap, "unknown search option '%s'", name);
    if (known == 2 && !v)
        return fail(err, cap, "--%s wants a value", name);
    if (!strcmp(name, "limit")) {
        if (count(v, 1, SEARCH_MAX_LIMIT, &qo->limit))
            return fail(err, cap, "--limit wants a number from 1 to "
                        "100000, not '%s'", v);
    } else if (!strcmp(name, "offset")) {
        if (count(v, 0, SEARCH_MAX_OFFSET, &qo->offset))
            return fail(err, cap, "--offset wants a number from 0 to "
                        "1000000, not '%s'", v);
    } else if (!strcmp(name, "any") || !strcmp(name, "natural")) {
        if (truthy(v))
            qo->flags |= MORGUE_QUERY_NATURAL;
        else
            qo->flags &= ~(unsigned)MORGUE_QUERY_NATURAL;
    } else if (!strcmp(name, "sort")) {
        if (!strcmp(v, "date"))
            qo->sort = MORGUE_SORT_DATE;
        else if (!strcmp(v, "relevance"))
            qo->sort = MORGUE_SORT_RELEVANCE;
        else
            return fail(err, cap, "--sort is relevance or date, not '%s'", v);
    } else if (!strcmp(name, "recency")) {
        if ((qo->recency_half_life = half_life(v)) <= 0)
            return fail(err, cap, "--recency wants a half-life such as 30d, "
                        "12h, 90m or 2w, not '%s'", v);
    } else if (!strcmp(name, "now")) {
        /* a date or a time; a relative word would name itself */
        morgue_date_range r = MORGUE_DATE_RANGE_INIT;
        if (!(v[0] >= '0' && v[0] <= '9') || morgue_parse_date(&r, v, 0))
            return fail(err, cap, "--now wants a date (YYYY-MM-DD, or "
                        "YYYY-MM-DDTHH:MM:SSZ), not '%s'", v);
        qo->now = strchr(v, 'T') || strchr(v, 't') ? r.from
                                                    : local_midnight(r.from);
    } else if (!strcmp(name, "from") || !strcmp(name, "to")) {
        int to = name[0] == 't';
        morgue_date_range r = MORGUE_DATE_RANGE_INIT;
        int64_t now = qo->now != MORGUE_NO_DATE ? qo->now
                                                : (int64_t)time(NULL);
        if (morgue_parse_date(&r, v, now) == MORGUE_OK)
            *(to ? &qo->date_to : &qo->date_from) = to ? r.to : r.from;
        else
            return fail(err, cap, to ? "--to wants YYYY, YYYY-MM, "
                        "YYYY-MM-DD or a relative date (today, last-7-days, "
                        "this-week, ...), not '%s'" : "--from wants YYYY, "
                        "YYYY-MM, YYYY-MM-DD or a relative date (today, "
                        "last-7-days, this-week, ...), not '%s'", v);
    } else if (!strcmp(name, "facet")) {
        if (facet(qo, v))
            return fail(err, cap, "--facet is year, month, day, source, "
                        "tag or lang, not '%s'", v);
    } else if (!strcmp(name, "collapse")) {
        if (truthy(v))
            qo->flags |= MORGUE_QUERY_COLLAPSE;
        else
            qo->flags &= ~(unsigned)MORGUE_QUERY_COLLAPSE;
    } else if (!strcmp(name, "no-snippets")) {
        qo->no_snippets = truthy(v);
    } else if (!strcmp(name, "no-synonyms")) {
        qo->no_synonyms = truthy(v);
    } else if (!strcmp(name, "snippet-chars")) {
        if (count(v, 20, 100000, &qo->snippet_chars))
            return fail(err, cap, "--snippet-chars wants a number from 20 "
                        "to 100000, not '%s'", v);
    } else if (!strcmp(name, "hl-open")) {
        qo->hl_open = v;
    } else if (!strcmp(name, "hl-close")) {
        qo->hl_close = v;
    } else if (!strcmp(name, "k1")) {
        if (real(v, 0.001, 100, &qo->k1))
            return fail(err, cap, "--k1 wants a number above 0, not '%s'", v);
    } else if (!strcmp(name, "expand")) { /* natural language only */
        if (truthy(v))
            qo->flags |= MORGUE_QUERY_EXPAND | MORGUE_QUERY_NATURAL;
        else
            qo->flags &= ~(unsigned)MORGUE_QUERY_EXPAND;
    } else if (!strcmp(name, "title-weight")) {
        if (real(v, 0.001, 1000, &qo->title_weight))
            return fail(err, cap, "--title-weight wants a number above 0, "
                        "not '%s'", v);
    } else if (!strcmp(name, "b")) {
        if (real(v, 0, 1, &qo->b))
            return fail(err, cap, "--b wants a number from 0 to 1, not '%s'",
                        v);
    }
    return 0;
}

int search_opt_check(const morgue_query_opts *qo, char *err, size_t cap)
{
    if (qo->date_from != MORGUE_NO_DATE && qo->date_to != MORGUE_NO_DATE &&
        qo->date_from > qo->date_to) {
        char a[16], b[16];
        cli_day(qo->date_from, a);
        cli_day(qo->date_to, b);
        snprintf(err, cap, "--from %s is after --to %s: no article can "
                 "match", a, b);
        return -1;
    }
    return 0;
}

int search_opt_now_first(morgue_query_opts *qo, int argc, char **argv,
                         char *err, size_t cap)
{
    const char *now = search_opt_find_now(argc, argv);
    return now ? search_opt_set(qo, "now", now, err, cap) : 0;
}

void search_opt_query(buf *q, int from, int argc, char **argv)
{
    for (int i = from; i < argc; i++) {
        if (i > from)
            buf_putc(q, ' ');
        buf_puts(q, argv[i]);
    }
}

const char *search_opt_find_now(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--"))
            break;
        if (!strcmp(argv[i], "--now") && i + 1 < argc)
            return argv[i + 1];
        if (!strncmp(argv[i], "--now=", 6))
            return argv[i] + 6;
    }
    return NULL;
}
