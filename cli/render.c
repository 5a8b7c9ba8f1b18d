/* render.c: the JSON answers of the morgue command, one function per
 * answer, used by `search --json`, `show --json`, `stats --json` and the
 * HTTP API of `serve` alike, so the two can never drift apart. */
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/render.h"
#include "cli/buf.h"

double render_now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

json_t *render_date(int64_t t)
{
    if (t == MORGUE_NO_DATE)
        return json_null();
    char day[16];
    cli_day(t, day);
    return json_string(day);
}

void render_day(morgue_hits *h, char day[16])
{
    int64_t t = morgue_hits_date(h);
    if (t == MORGUE_NO_DATE)
        snprintf(day, 16, "undated");
    else
        cli_day(cli_local(t, morgue_hits_date_offset(h)), day);
}

void render_when(morgue_hits *h, char out[40])
{
    int64_t t = morgue_hits_date(h);
    int off = morgue_hits_date_offset(h);
    if (t == MORGUE_NO_DATE || off == MORGUE_NO_OFFSET) {
        render_day(h, out);
        return;
    }
    char iso[32];
    cli_datetime(t, off, iso);
    /* "2022-05-15T01:20:00+02:00" -> "2022-05-15 01:20 +02:00" */
    size_t k = strlen(iso) - 15;
    snprintf(out, 40, "%.*s %.5s %s", (int)k, iso, iso + k + 1,
             iso + k + 9);
}

/* A stored field; a read error (a damaged block: MORGUE_ECORRUPT) is
 * kept in *rc, never shown as an empty field. */
static json_t *field_rc(morgue_hits *h, morgue_field f, int *rc)
{
    const char *p = "";
    size_t n = 0;
    int r = morgue_hits_field(h, f, &p, &n);
    if (r != MORGUE_OK) {
        if (*rc == MORGUE_OK)
            *rc = r;
        p = "";
        n = 0;
    }
    return json_stringn(p, n);
}

static json_t *field(morgue_hits *h, morgue_field f)
{
    int rc = MORGUE_OK;
    return field_rc(h, f, &rc);
}

static json_t *tags(morgue_hits *h, int *rc)
{
    const char *p = "";
    size_t n = 0;
    int r = morgue_hits_field(h, MORGUE_FIELD_TAGS, &p, &n);
    if (r != MORGUE_OK) {
        *rc = *rc ? *rc : r;
        p = "";
        n = 0;
    }
    json_t *a = json_array();
    for (size_t s = 0, i = 0; i <= n; i++)
        if (i == n || p[i] == '\n') {
            if (i > s)
                json_array_append_new(a, json_stringn(p + s, i - s));
            s = i + 1;
        }
    return a;
}

/* The fields every article answer has; path is null when the article was
 * not read from a file. */
static void article_fields(json_t *o, morgue_hits *h, int *rc)
{
    json_object_set_new(o, "id", field_rc(h, MORGUE_FIELD_ID, rc));
    json_object_set_new(o, "title", field_rc(h, MORGUE_FIELD_TITLE, rc));
    int64_t t = morgue_hits_date(h);
    int off = morgue_hits_date_offset(h);
    char day[16], iso[32];
    render_day(h, day);
    cli_datetime(t, off, iso);
    json_object_set_new(o, "date", t == MORGUE_NO_DATE ? json_null()
                                                       : json_string(day));
    json_object_set_new(o, "datetime", t == MORGUE_NO_DATE
                                           ? json_null()
                                           : json_string(iso));
    json_object_set_new(o, "utc_offset", off == MORGUE_NO_OFFSET
                                             ? json_null()
                                             : json_integer(off));
    json_object_set_new(o, "source", field_rc(h, MORGUE_FIELD_SOURCE, rc));
    const char *p = "";
    size_t n = 0;
    int r = morgue_hits_field(h, MORGUE_FIELD_PATH, &p, &n);
    if (r != MORGUE_OK && *rc == MORGUE_OK)
        *rc = r;
    json_object_set_new(o, "path", r == MORGUE_OK && n ? json_stringn(p, n)
                                                       : json_null());
    json_object_set_new(o, "url", field_rc(h, MORGUE_FIELD_URL, rc));
    json_object_set_new(o, "tags", tags(h, rc));
}

/* NULL (the object dropped) when a stored field could not be read. */
static json_t *checked(json_t *o, int rc)
{
    if (rc == MORGUE_OK)
        return o;
    json_decref(o);
    return NULL;
}

json_t *render_hit(morgue_hits *h, size_t rank)
{
    json_t *o = json_object();
    int rc = MORGUE_OK;
    const char *snip = "";
    json_object_set_new(o, "rank", json_integer((json_int_t)rank));
    json_object_set_new(o, "score", json_real(morgue_hits_score(h)));
    article_fields(o, h, &rc);
    int r = morgue_hits_snippet(h, &snip);
    rc = rc ? rc : r;
    json_object_set_new(o, "snippet", json_string(r ? "" : snip));
    const char *th = "";
    r = morgue_hits_title_highlighted(h, &th);
    rc = rc ? rc : r;
    json_object_set_new(o, "title_highlighted", json_string(r ? "" : th));
    return checked(o, rc);
}

json_t *render_article(morgue_hits *h)
{
    json_t *o = json_object();
    int rc = MORGUE_OK;
    article_fields(o, h, &rc);
    json_object_set_new(o, "body", field_rc(h, MORGUE_FIELD_BODY, &rc));
    return checked(o, rc);
}

const char *render_date_facet_name(int kind)
{
    return kind == MORGUE_FACET_YEAR ? "year"
           : kind == MORGUE_FACET_MONTH ? "month" : "day";
}

/* [{"from": "almaty", "to": ["alma ata", ...], "source": "builtin"}] */
static json_t *expansions(morgue_hits *h)
{
    json_t *a = json_array();
    const morgue_expansion *x;
    size_t n;
    if (morgue_hits_expansions(h, &x, &n))
        return a;
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_object(), *to = json_array();
        for (size_t k = 0; k < x[i].n_to; k++)
            json_array_append_new(to, json_string(x[i].to[k]));
        json_object_set_new(e, "from", json_string(x[i].from));
        json_object_set_new(e, "to", to);
        json_object_set_new(e, "source", json_string(x[i].source));
        json_array_append_new(a, e);
    }
    return a;
}

static json_t *facets(morgue_hits *h, const morgue_query_opts *qo)
{
    json_t *o = json_object();
    static const char *names[] = { NULL, "source", "tag", "lang" };
    for (int k = 0; k < 4; k++) {
        const morgue_facet *f;
        size_t n;
        if (morgue_hits_facets(h, (morgue_facet_kind)k, &f, &n) ||
            (k == 0 && qo->facet_date == MORGUE_FACET_NONE) ||
            (k == 1 && !qo->facet_sources) || (k == 2 && !qo->facet_tags) ||
            (k == 3 && !qo->facet_langs))
            continue;
        json_t *a = json_array();
        for (size_t i = 0; i < n; i++) {
            json_t *e = json_object();
            json_object_set_new(e, "value", json_string(f[i].value));
            json_object_set_new(e, "count",
                                json_integer((json_int_t)f[i].count));
            json_array_append_new(a, e);
        }
        json_object_set_new(o, k ? names[k]
                                 : render_date_facet_name(qo->facet_date),
                            a);
    }
    return o;
}

json_t *render_duplicates(morgue_hits *h)
{
    const uint64_t *d;
    size_t n;
    json_t *ids, *titles;
    morgue_hits_duplicates(h, &d, &n);
    if (render_ids_titles(morgue_hits_searcher(h), d, n, &ids, &titles))
        return json_array();
    json_decref(titles);
    return ids;
}

/* Appends (s, n) to out as valid UTF-8 without NUL bytes: a byte that
 * starts no valid sequence is read as Latin-1, as the library reads
 * article text; libc's iconv does the decoding. */
static void utf8_repair(buf *out, const char *s, size_t n)
{
    iconv_t cd = iconv_open("UTF-8", "UTF-8");
    char *in = (char *)s, tmp[4096];
    size_t left = n;
    while (left > 0) {
        char *o = tmp;
        size_t room = sizeof tmp, r = (size_t)-1;
        errno = EILSEQ;
        if (cd != (iconv_t)-1)
            r = iconv(cd, &in, &left, &o, &room);
        for (char *p = tmp; p < o; p++)
            if (*p)
                buf_putc(out, *p);
        if (r == (size_t)-1 && errno != E2BIG && left > 0) {
            unsigned char c = (unsigned char)*in++; /* EILSEQ, EINVAL */
            left--;
            if (c >= 0x80) {
                buf_putc(out, (char)(0xC0 | c >> 6));
                buf_putc(out, (char)(0x80 | (c & 0x3F)));
            } else if (c) {
                buf_putc(out, (char)c);
            }
        }
    }
    if (cd != (iconv_t)-1)
        iconv_close(cd);
}

json_t *render_text(const char *s, size_t n)
{
    json_t *j = json_stringn(s, n);
    if (j)
        return j;
    buf b = BUF_INIT;
    utf8_repair(&b, s, n);
    j = json_stringn(buf_cstr(&b), b.len);
    buf_free(&b);
    return j;
}

json_t *render_search(morgue_hits *h, const morgue_query_opts *qo,
                      const char *query, double started_us)
{
    json_t *hits = json_array();
    size_t rank = qo->offset;
    int next;
    while ((next = morgue_hits_next(h)) == MORGUE_OK) {
        json_t *e = render_hit(h, ++rank);
        if (!e) {
            json_decref(hits);
            return NULL;
        }
        if (qo->flags & MORGUE_QUERY_COLLAPSE)
            json_object_set_new(e, "duplicates", render_duplicates(h));
        json_array_append_new(hits, e);
    }
    if (next != MORGUE_ITEROVER) { /* a hit's date column was damaged */
        json_decref(hits);
        return NULL;
    }
    json_t *o = json_object();
    json_object_set_new(o, "query", render_text(query, strlen(query)));
    json_object_set_new(o, "total",
                        json_integer((json_int_t)morgue_hits_total(h)));
    if (qo->flags & MORGUE_QUERY_COUNT_ONLY) /* --count: the answer */
        json_object_set_new(o, "count",
                            json_integer((json_int_t)morgue_hits_total(h)));
    uint64_t stories;
    if (morgue_hits_stories(h, &stories) == MORGUE_OK)
        json_object_set_new(o, "stories", json_integer((json_int_t)stories));
    json_object_set_new(o, "total_exact",
                        json_boolean(morgue_hits_total_exact(h)));
    json_object_set_new(o, "took_us",
                        json_integer((json_int_t)(render_now_us() -
                                                  started_us)));
    json_object_set_new(o, "hits", hits);
    json_object_set_new(o, "facets", facets(h, qo));
    json_object_set_new(o, "expansions", expansions(h));
    if (morgue_hits_partial(h)) { /* a cluster shard did not answer */
        json_object_set_new(o, "partial", json_true());
        json_object_set_new(o, "warnings",
                            cli_warnings_json(morgue_hits_warnings(h)));
    }
    return o;
}

json_t *render_stats(const morgue_stats *st)
{
    json_t *o = json_object();
    json_object_set_new(o, "documents",
                        json_integer((json_int_t)st->documents));
    json_object_set_new(o, "terms", json_integer((json_int_t)st->terms));
    json_object_set_new(o, "segments",
                        json_integer((json_int_t)st->segments));
    json_object_set_new(o, "index_bytes",
                        json_integer((json_int_t)st->index_bytes));
    json_object_set_new(o, "first_date", render_date(st->first_date));
    json_object_set_new(o, "last_date", render_date(st->last_date));
    json_object_set_new(o, "language", json_string(st->language));
    return o;
}

int render_ids_titles(morgue_searcher *s, const uint64_t *docids, size_t n,
                      json_t **ids, json_t **titles)
{
    morgue_hits *h;
    *ids = *titles = NULL;
    if (morgue_searcher_docs(s, docids, n, &h) != MORGUE_OK)
        return -1;
    *ids = json_array();
    *titles = json_array();
    while (morgue_hits_next(h) == MORGUE_OK) {
        json_array_append_new(*ids, field(h, MORGUE_FIELD_ID));
        json_array_append_new(*titles, field(h, MORGUE_FIELD_TITLE));
    }
    morgue_hits_free(h);
    return 0;
}

json_t *render_dups(morgue_searcher *s, const morgue_clusters *c,
                    uint64_t articles)
{
    json_t *a = json_array();
    for (size_t i = 0; i < morgue_clusters_count(c); i++) {
        morgue_cluster k;
        json_t *ids, *titles;
        morgue_clusters_get(c, i, &k);
        if (render_ids_titles(s, k.docids, k.size, &ids, &titles)) {
            json_decref(a);
            return NULL;
        }
        json_t *e = json_object();
        json_object_set_new(e, "size", json_integer((json_int_t)k.size));
        json_object_set_new(e, "ids", ids);
        json_object_set_new(e, "titles", titles);
        json_object_set_new(e, "first_date", render_date(k.first_date));
        json_object_set_new(e, "last_date", render_date(k.last_date));
        json_array_append_new(a, e);
    }
    json_t *o = json_object();
    json_object_set_new(o, "articles", json_integer((json_int_t)articles));
    json_object_set_new(o, "clusters", a);
    return o;
}

json_t *render_timeline(morgue_searcher *s, const morgue_timeline *t,
                        const char *query)
{
    json_t *ps = json_array();
    for (size_t i = 0; i < morgue_timeline_count(t); i++) {
        morgue_period p;
        morgue_timeline_get(t, i, &p);
        json_t *st = json_array();
        for (size_t k = 0; k < p.n_stories; k++) {
            const morgue_story *y = &p.stories[k];
            json_t *ids, *titles;
            if (render_ids_titles(s, y->docids, y->count, &ids, &titles)) {
                json_decref(st);
                json_decref(ps);
                return NULL;
            }
            json_decref(titles);
            json_t *e = json_object();
            json_object_set_new(e, "title", json_string(y->title));
            json_object_set_new(e, "count", json_integer((json_int_t)y->count));
            json_object_set_new(e, "ids", ids);
            json_object_set_new(e, "first_date", render_date(y->first_date));
            json_object_set_new(e, "last_date", render_date(y->last_date));
            json_array_append_new(st, e);
        }
        json_t *e = json_object();
        json_object_set_new(e, "period",
                            p.period ? json_string(p.period) : json_null());
        json_object_set_new(e, "count", json_integer((json_int_t)p.count));
        json_object_set_new(e, "stories", st);
        json_array_append_new(ps, e);
    }
    json_t *o = json_object();
    json_object_set_new(o, "query", json_string(query));
    json_object_set_new(o, "periods", ps);
    return o;
}
