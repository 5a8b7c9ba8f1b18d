/* dates.c: the date syntaxes of news files, parsed to seconds UTC.
 *
 * No locale, no TZ, no mktime: civil dates become day numbers with Howard
 * Hinnant's days_from_civil arithmetic, zones become minute offsets. Every
 * parser reads through a cursor over a span, so none can run past its input.
 */
#include "util/dates.h"
#include "util/reldate.h"

#include <string.h>

#include "morgue.h"
#include "util/apiver.h"
#include "util/error.h"

#define NO_DATE MORGUE_NO_DATE

/* ASCII white space, as in a date header. */
static int is_space(unsigned char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

typedef struct cur {
    const char *p, *e;
} cur;

/* A parsed date; off is the zone offset in minutes east of UTC, has_off
 * 1 when the text named a zone (else off is 0 and the time taken as
 * UTC). */
typedef struct tm6 {
    int64_t y;
    int mo, d, h, mi, s, off, has_off;
} tm6;

static int peek(const cur *c)
{
    return c->p < c->e ? (unsigned char)*c->p : -1;
}

static int is_digit(int ch) { return ch >= '0' && ch <= '9'; }

static int is_alpha(int ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

static void skip_ws(cur *c)
{
    while (c->p < c->e && is_space((unsigned char)*c->p))
        c->p++;
}

static int eat(cur *c, char ch)
{
    if (peek(c) != (unsigned char)ch)
        return 0;
    c->p++;
    return 1;
}

/* Reads min..max digits into *out; consumes nothing on failure. */
static int num(cur *c, int min, int max, int *out)
{
    int n = 0, v = 0;
    while (n < max && is_digit(peek(c))) {
        v = v * 10 + (*c->p++ - '0');
        n++;
    }
    if (n < min) {
        c->p -= n;
        return 0;
    }
    *out = v;
    return 1;
}

/* The run of letters at the cursor (may be empty). */
static span word(cur *c)
{
    const char *s = c->p;
    while (is_alpha(peek(c)))
        c->p++;
    return span_of(s, (size_t)(c->p - s));
}

int64_t date_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned mp = m > 2 ? m - 3 : m + 9;
    unsigned doy = (153 * mp + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

int date_days_in_month(int64_t y, unsigned m)
{
    static const unsigned char dm[12] = { 31, 28, 31, 30, 31, 30,
                                          31, 31, 30, 31, 30, 31 };
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dm[m - 1];
}

static int valid_date(int64_t y, int m, int d)
{
    if (y < 0 || y > 9999 || m < 1 || m > 12 || d < 1)
        return 0;
    return d <= date_days_in_month(y, (unsigned)m);
}

/* Up to two digits at s[*i] into *v; 0 when there are none or three. */
static int two_digits(const char *s, size_t *i, size_t n, unsigned *v)
{
    size_t k = *i;
    unsigned x = 0;
    while (k < n && s[k] >= '0' && s[k] <= '9' && k - *i < 3)
        x = x * 10 + (unsigned)(s[k++] - '0');
    if (k == *i || k - *i > 2)
        return 0;
    *i = k;
    *v = x;
    return 1;
}

int date_period(const char *s, size_t n, int64_t now, int64_t *from,
                int64_t *to)
{
    if (n > 0 && !(s[0] >= '0' && s[0] <= '9'))
        return reldate_period(s, n, now, from, to);
    size_t i = 0;
    int64_t y = 0;
    unsigned m = 0, d = 0;
    for (; i < 4; i++) {
        if (i >= n || s[i] < '0' || s[i] > '9')
            return 0;
        y = y * 10 + (s[i] - '0');
    }
    if (i < n) {
        if (s[i++] != '-' || !two_digits(s, &i, n, &m) || m < 1 || m > 12)
            return 0;
        if (i < n && (s[i++] != '-' || !two_digits(s, &i, n, &d) || d < 1 ||
                      d > (unsigned)date_days_in_month(y, m)))
            return 0;
    }
    if (i != n)
        return 0;
    unsigned m0 = m ? m : 1, d0 = d ? d : 1;
    unsigned m1 = m ? m : 12;
    unsigned d1 = d ? d : (unsigned)date_days_in_month(y, m1);
    *from = date_days_from_civil(y, m0, d0) * 86400;
    *to = date_days_from_civil(y, m1, d1) * 86400 + 86399;
    return 1;
}

/* Seconds UTC for t, or NO_DATE when any field is out of range. */
static int64_t to_utc(const tm6 *t)
{
    if (!valid_date(t->y, t->mo, t->d) || t->h < 0 || t->h > 24 ||
        t->mi < 0 || t->mi > 59 || t->s < 0 || t->s > 60 ||
        (t->h == 24 && (t->mi || t->s)))
        return NO_DATE;
    int64_t days = date_days_from_civil(t->y, (unsigned)t->mo,
                                        (unsigned)t->d);
    return days * 86400 + t->h * 3600 + t->mi * 60 + t->s -
           (int64_t)t->off * 60;
}

/* to_utc(t), storing t's zone offset (or MORGUE_NO_OFFSET) in *off when
 * off is not NULL and the date is valid. */
static int64_t finish(const tm6 *t, int *off)
{
    int64_t v = to_utc(t);
    if (off && v != NO_DATE)
        *off = t->has_off ? t->off : MORGUE_NO_OFFSET;
    return v;
}

/* 1 when w is a case-insensitive prefix of the lower-case word full. */
static int prefix_of(span w, const char *full)
{
    size_t n = strlen(full);
    if (w.len == 0 || w.len > n)
        return 0;
    for (size_t i = 0; i < w.len; i++)
        if ((w.ptr[i] | 32) != full[i])
            return 0;
    return 1;
}

/* "jan".."dec", "sept" or the full English name (any case) -> 1..12. */
static int month_of(span w)
{
    static const char *const names[12] = {
        "january", "february", "march",     "april",   "may",      "june",
        "july",    "august",   "september", "october", "november", "december"
    };
    for (int i = 0; i < 12; i++)
        if (prefix_of(w, names[i]) &&
            (w.len == 3 || w.len == strlen(names[i])))
            return i + 1;
    return span_ieq(w, "sept") ? 9 : 0;
}

/* 1 when w names a weekday: "Wed", "Wednesday", "Thurs"... */
static int is_weekday(span w)
{
    static const char *const names[7] = { "monday", "tuesday", "wednesday",
                                          "thursday", "friday", "saturday",
                                          "sunday" };
    for (int i = 0; i < 7; i++)
        if (w.len >= 3 && prefix_of(w, names[i]))
            return 1;
    return 0;
}

/* An optional leading weekday and comma. */
static void skip_weekday(cur *c)
{
    cur save = *c;
    span w = word(c);
    if (w.len > 0 && is_weekday(w)) {
        eat(c, '.');
        eat(c, ',');
        skip_ws(c);
    } else {
        *c = save;
    }
}

/* Two-digit years per RFC 2822's rule of thumb: 00-49 -> 20xx. */
static int64_t full_year(int y, int digits)
{
    if (digits == 2)
        return y < 50 ? 2000 + y : 1900 + y;
    if (digits == 3)
        return 1900 + y;
    return y;
}

/* Year of 2 or 4 digits (3 per RFC 2822) not followed by a digit. */
static int year(cur *c, int64_t *out)
{
    const char *s = c->p;
    int y;
    if (!num(c, 2, 4, &y) || is_digit(peek(c))) {
        c->p = s;
        return 0;
    }
    *out = full_year(y, (int)(c->p - s));
    return 1;
}

/* Fractional seconds: '.' or ',' and digits, ignored. */
static void skip_fraction(cur *c)
{
    if ((peek(c) == '.' || peek(c) == ',') && c->p + 1 < c->e &&
        is_digit((unsigned char)c->p[1])) {
        c->p++;
        while (is_digit(peek(c)))
            c->p++;
    }
}

/* HH:MM[:SS[.frac]] or basic HHMM[SS]; consumes nothing on failure. */
static int clock_time(cur *c, tm6 *t)
{
    cur save = *c;
    t->s = 0;
    if (!num(c, 1, 2, &t->h))
        return 0;
    if (eat(c, ':')) {
        if (!num(c, 2, 2, &t->mi))
            goto fail;
        if (eat(c, ':') && !num(c, 2, 2, &t->s))
            goto fail;
    } else if (c->p - save.p == 2 && num(c, 2, 2, &t->mi)) {
        if (is_digit(peek(c)) && !num(c, 2, 2, &t->s))
            goto fail;
    } else {
        goto fail;
    }
    skip_fraction(c);
    if (is_digit(peek(c)))
        goto fail;
    return 1;
fail:
    *c = save;
    t->h = t->mi = t->s = 0;
    return 0;
}

/* +HH[:]MM or +HH; minutes east into *off. */
static int numeric_zone(cur *c, int *off)
{
    cur save = *c;
    int sign = peek(c) == '-' ? -1 : 1;
    int h, m = 0;
    if (!eat(c, '+') && !eat(c, '-'))
        return 0;
    if (!num(c, 2, 2, &h)) {
        if (!num(c, 1, 1, &h) || is_digit(peek(c)))
            goto fail;
    } else {
        eat(c, ':');
        if (is_digit(peek(c)) && !num(c, 2, 2, &m))
            goto fail;
    }
    if (h > 23 || m > 59 || is_digit(peek(c)))
        goto fail;
    *off = sign * (h * 60 + m);
    return 1;
fail:
    *c = save;
    return 0;
}

typedef struct zone_name {
    const char *name;
    int off; /* minutes east of UTC */
} zone_name;

static const zone_name zones[] = {
    { "GMT", 0 },     { "UTC", 0 },      { "UT", 0 },      { "Z", 0 },
    { "EST", -300 },  { "EDT", -240 },   { "CST", -360 },  { "CDT", -300 },
    { "MST", -420 },  { "MDT", -360 },   { "PST", -480 },  { "PDT", -420 },
    { "AKST", -540 }, { "AKDT", -480 },  { "HST", -600 },  { "WET", 0 },
    { "WEST", 60 },   { "BST", 60 },     { "CET", 60 },    { "CEST", 120 },
    { "MET", 60 },    { "MEST", 120 },   { "MEZ", 60 },    { "MESZ", 120 },
    { "EET", 120 },   { "EEST", 180 },   { "MSK", 180 },   { "JST", 540 },
    { "AEST", 600 },  { "AEDT", 660 },   { "NZST", 720 },  { "NZDT", 780 },
};

/* Zone after a time: Z, numeric offset, a named zone (optionally with an
 * offset: "GMT+1") into t->off. Unknown upper-case names of up to five
 * letters count as UTC, as RFC 2822 asks, but leave the offset unknown
 * (t->has_off 0), as does "-0000" (RFC 2822's and RFC 3339's "local time
 * unknown"). Returns 0 when nothing zone-like is there. */
static int zone(cur *c, tm6 *t)
{
    cur save = *c;
    int *off = &t->off;
    skip_ws(c);
    const char *sign = c->p;
    if (numeric_zone(c, off)) {
        t->has_off = !(*off == 0 && *sign == '-');
        return 1;
    }
    span w = word(c);
    if (w.len == 0 || w.len > 5) {
        *c = save;
        return 0;
    }
    int found = 0;
    for (size_t i = 0; i < sizeof zones / sizeof zones[0] && !found; i++)
        if ((found = span_ieq(w, zones[i].name)))
            *off = zones[i].off;
    for (size_t i = 0; i < w.len && !found; i++)
        if (w.ptr[i] < 'A' || w.ptr[i] > 'Z') {
            *c = save; /* a word, not a zone abbreviation */
            return 0;
        }
    if (!found)
        *off = 0;
    int extra;
    if (numeric_zone(c, &extra)) {
        *off += extra;
        found = 1;
    }
    t->has_off = found;
    return 1;
}

/* Whitespace, then the end of the input. */
static int at_end(cur *c)
{
    skip_ws(c);
    return c->p == c->e;
}

/* Whitespace and an optional trailing "(comment)", then the end. */
static int comment_then_end(cur *c)
{
    skip_ws(c);
    if (peek(c) == '(' && memchr(c->p, ')', (size_t)(c->e - c->p)))
        return 1;
    return c->p == c->e;
}

static cur cur_of(span s)
{
    cur c = { "", "" };
    if (s.ptr) {
        c.p = s.ptr;
        c.e = s.ptr + s.len;
    }
    return c;
}

/* YYYY-MM-DD or basic YYYYMMDD. */
static int iso_date(cur *c, tm6 *t)
{
    int y;
    if (!num(c, 4, 4, &y))
        return 0;
    t->y = y;
    if (eat(c, '-')) {
        if (!num(c, 2, 2, &t->mo) || !eat(c, '-') || !num(c, 2, 2, &t->d))
            return 0;
    } else if (!num(c, 2, 2, &t->mo) || !num(c, 2, 2, &t->d)) {
        return 0;
    }
    return !is_digit(peek(c));
}

int64_t date_parse_iso8601(span s, int *off)
{
    cur c = cur_of(s);
    tm6 t = { 0 };
    skip_ws(&c);
    if (!iso_date(&c, &t))
        return NO_DATE;
    int sep = peek(&c);
    if (sep == 'T' || sep == 't' || sep == ' ') {
        c.p++;
        if (sep == ' ')
            skip_ws(&c);
        if (clock_time(&c, &t))
            zone(&c, &t);
        else if (sep != ' ')
            return NO_DATE;
    }
    if (!at_end(&c))
        return NO_DATE;
    return finish(&t, off);
}

/* Day, month name, year with spaces or '-' between: "5 Jan 2022",
 * "6-Apr-93", "5 January, 2022". */
static int day_month_year(cur *c, tm6 *t)
{
    if (!num(c, 1, 2, &t->d))
        return 0;
    if (!eat(c, '-'))
        skip_ws(c);
    if (!(t->mo = month_of(word(c))))
        return 0;
    eat(c, '.');
    if (!eat(c, '-')) {
        eat(c, ',');
        skip_ws(c);
    }
    return year(c, &t->y);
}

/* asctime/date(1) order after the weekday: "Apr  5 14:03:00 [EDT] 1993". */
static int asctime_form(cur *c, tm6 *t)
{
    if (!(t->mo = month_of(word(c))))
        return 0;
    skip_ws(c);
    if (!num(c, 1, 2, &t->d))
        return 0;
    skip_ws(c);
    if (!clock_time(c, t))
        return 0;
    zone(c, t);
    skip_ws(c);
    return year(c, &t->y);
}

int64_t date_parse_rfc822(span s, int *off)
{
    cur c = cur_of(s);
    tm6 t = { 0 };
    skip_ws(&c);
    skip_weekday(&c);
    cur start = c;
    if (day_month_year(&c, &t)) {
        skip_ws(&c);
        if (clock_time(&c, &t))
            zone(&c, &t);
    } else {
        c = start;
        memset(&t, 0, sizeof t);
        if (!asctime_form(&c, &t))
            return NO_DATE;
    }
    if (!comment_then_end(&c))
        return NO_DATE;
    return finish(&t, off);
}

int64_t date_parse_reuters(span s, int *off)
{
    cur c = cur_of(s);
    tm6 t = { 0 };
    skip_ws(&c);
    if (!num(&c, 1, 2, &t.d) || !eat(&c, '-'))
        return NO_DATE;
    if (!(t.mo = month_of(word(&c))) || !eat(&c, '-'))
        return NO_DATE;
    if (!year(&c, &t.y))
        return NO_DATE;
    /* The time is best effort: a bad one (hour 605) keeps the day. The
     * collection's dates name no zone; one after the time is taken. */
    tm6 day = t;
    skip_ws(&c);
    if (clock_time(&c, &t)) {
        zone(&c, &t);
        int64_t v = finish(&t, off);
        if (v != NO_DATE)
            return v;
    }
    return finish(&day, off);
}

/* A date starting at p: YYYY/MM/DD, YYYY-MM-DD, YYYY_MM_DD or YYYYMMDD,
 * not glued to other digits, with a plausible year. */
static int64_t path_date_at(const char *p, const char *end)
{
    cur c = { p, end };
    tm6 t = { 0 };
    int y;
    if (!num(&c, 4, 4, &y) || y < 1900 || y > 2199)
        return NO_DATE;
    t.y = y;
    int sep = peek(&c);
    if (sep == '/') {
        c.p++;
        if (!num(&c, 1, 2, &t.mo) || !eat(&c, '/') || !num(&c, 1, 2, &t.d))
            return NO_DATE;
    } else if (sep == '-' || sep == '_') {
        c.p++;
        if (!num(&c, 2, 2, &t.mo) || !eat(&c, (char)sep) ||
            !num(&c, 2, 2, &t.d))
            return NO_DATE;
    } else if (!num(&c, 2, 2, &t.mo) || !num(&c, 2, 2, &t.d)) {
        return NO_DATE;
    }
    if (is_digit(peek(&c)))
        return NO_DATE;
    return to_utc(&t);
}

int64_t date_from_path(const char *path)
{
    if (!path)
        return NO_DATE;
    const char *end = path + strlen(path);
    /* Right to left: the file name is more specific than its folders. */
    for (const char *p = end; p-- > path;) {
        if ((*p != '1' && *p != '2') || (p > path && is_digit(p[-1])))
            continue;
        int64_t v = path_date_at(p, end);
        if (v != NO_DATE)
            return v;
    }
    return NO_DATE;
}

/* An optional "st", "nd", "rd" or "th" after a day number. */
static void skip_ordinal(cur *c)
{
    cur save = *c;
    span w = word(c);
    if (!span_ieq(w, "st") && !span_ieq(w, "nd") && !span_ieq(w, "rd") &&
        !span_ieq(w, "th"))
        *c = save;
}

/* Skips the word lit (any case) and the spaces after it, if it is next. */
static void skip_word(cur *c, const char *lit)
{
    cur save = *c;
    if (span_ieq(word(c), lit))
        skip_ws(c);
    else
        *c = save;
}

/* "January 5, 2022", "Jan. 5th 2022", "5th of January, 2022" or
 * "2022/01/05". */
static int human_date(cur *c, tm6 *t)
{
    cur save = *c;
    int y;
    if (num(c, 4, 4, &y) && eat(c, '/')) {
        t->y = y;
        return num(c, 1, 2, &t->mo) && eat(c, '/') &&
               num(c, 1, 2, &t->d) && !is_digit(peek(c));
    }
    *c = save;
    span w = word(c);
    if (w.len > 0) {
        if (!(t->mo = month_of(w)))
            return 0;
        eat(c, '.');
        skip_ws(c);
        if (!num(c, 1, 2, &t->d))
            return 0;
        skip_ordinal(c);
    } else {
        if (!num(c, 1, 2, &t->d))
            return 0;
        skip_ordinal(c);
        skip_ws(c);
        skip_word(c, "of");
        if (!(t->mo = month_of(word(c))))
            return 0;
        eat(c, '.');
    }
    eat(c, ',');
    skip_ws(c);
    return year(c, &t->y);
}

/* "am", "a.m.", "pm", "p.m." -> 1 or 2; 0 when absent. */
static int meridiem(cur *c)
{
    static const char *const forms[4] = { "a.m.", "am", "p.m.", "pm" };
    for (int i = 0; i < 4; i++) {
        size_t n = strlen(forms[i]);
        if ((size_t)(c->e - c->p) >= n &&
            span_istarts(span_of(c->p, n), forms[i]) &&
            (c->p + n == c->e || !is_alpha((unsigned char)c->p[n]))) {
            c->p += n;
            return i < 2 ? 1 : 2;
        }
    }
    return 0;
}

/* An optional ", at 3:04 pm EST" after a human date. */
static int human_time(cur *c, tm6 *t)
{
    cur save = *c;
    eat(c, ',');
    skip_ws(c);
    skip_word(c, "at");
    if (!clock_time(c, t)) {
        *c = save;
        return 0;
    }
    skip_ws(c);
    int m = meridiem(c);
    if (m && (t->h < 1 || t->h > 12))
        t->h = -1; /* "13:00 pm": make to_utc() reject it */
    else if (m == 2 && t->h < 12)
        t->h += 12;
    else if (m == 1 && t->h == 12)
        t->h = 0;
    zone(c, t);
    return 1;
}

int64_t date_parse_any(span s, int *off)
{
    int64_t v = date_parse_iso8601(s, off);
    if (v == NO_DATE)
        v = date_parse_rfc822(s, off);
    if (v == NO_DATE)
        v = date_parse_reuters(s, off);
    if (v != NO_DATE)
        return v;
    cur c = cur_of(s);
    tm6 t = { 0 };
    skip_ws(&c);
    skip_weekday(&c);
    if (!human_date(&c, &t))
        return NO_DATE;
    human_time(&c, &t);
    if (!comment_then_end(&c))
        return NO_DATE;
    return finish(&t, off);
}

MORGUE_API int morgue_parse_date(morgue_date_range *out, const char *s,
                                 int64_t now)
{
    errmsg *e = err_thread();
    e->text[0] = '\0';
    if (!out || !s)
        return MORGUE_EINVAL;
    size_t size = API_SIZE(out);
    if (!size)
        return err_set(e, MORGUE_EINVAL, "morgue_date_range version %u is "
                       "unknown to this library", out->version);
    morgue_date_range p = MORGUE_DATE_RANGE_INIT;
    size_t n = strlen(s);
    if (!date_period(s, n, now, &p.from, &p.to)) {
        /* a full time names one second; a bare day was a period above */
        p.from = p.to =
            n > 10 ? date_parse_iso8601(span_of(s, n), NULL) : NO_DATE;
        if (p.from == NO_DATE)
            return err_set(e, MORGUE_EINVAL, "'%.200s' is no date (YYYY, "
                           "YYYY-MM, YYYY-MM-DD, a time such as "
                           "2022-01-05T14:03:00Z, or a relative date such "
                           "as today, last-7-days, this-week)", s);
    }
    API_PUT(out, &p, size);
    return MORGUE_OK;
}
