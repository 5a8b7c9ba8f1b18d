/* check_search.c: the query language evaluated on a small hand-checked
 * archive (phrases, NEAR, NOT, fields, prefixes, dates, facets, sorting,
 * snippets), pruning against exhaustive evaluation on Reuters-21578 and on
 * random queries, and a searcher shared by several threads. */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/stat.h>

#include "check_main.h"
#include "morgue.h"
#include "shapes.h"
#include "testutil.h"
#include "searcher/testflags.h"
#include "util/utf8.h"

#define DAY 86400
#define JAN5_2022 1641340800 /* 2022-01-05T00:00:00Z */

static char *fixture_dir;

static void add(morgue_writer *w, const char *id, const char *title,
                const char *body, const char *source, const char *t1,
                const char *t2, int64_t date)
{
    morgue_article a = MORGUE_ARTICLE_INIT;
    const char *tags[2] = { t1, t2 };
    a.id = id;
    a.title = title;
    a.body = body;
    a.source = source;
    a.tags = tags;
    a.n_tags = t1 ? (t2 ? 2 : 1) : 0;
    a.date = date;
    tu_put(w, &a);
}

static void make_fixture(void)
{
    fixture_dir = tu_tempdir("search");
    morgue_writer *w;
    ck_assert_int_eq(morgue_writer_open(&w, fixture_dir, NULL), MORGUE_OK);
    add(w, "a1", "State of emergency declared in Almaty",
        "The government declared a state of emergency in Almaty after "
        "protesters set fire to the presidential residence.",
        "Steppe Daily", "Kazakhstan", "unrest", JAN5_2022 + 12 * 3600);
    add(w, "a2", "Emergency services respond to flood",
        "Emergencies were declared along the river. The emergency state "
        "of the dam worried engineers.",
        "Harbour Courier", "flood", NULL, JAN5_2022 + 23 * 3600 + 1800);
    add(w, "a3", "Almaty markets reopen",
        "Markets in Almaty reopened on Monday as calm returned.",
        "Steppe Daily", "Kazakhstan", "markets", JAN5_2022 + 5 * DAY);
    add(w, "a4", "Bundesbank holds interest rates",
        "The Bundesbank kept interest rates steady, a spokesman said.",
        "Reuters", "germany", "interest", 541641600); /* 1987-03-01 */
    add(w, "a5", "Kazakh president thanks CSTO",
        "Kazakhstan's president thanked the troops as they left Almaty.",
        "Steppe Daily", "Kazakhstan", NULL, JAN5_2022 + 8 * DAY);
    add(w, "a6", "Hospital opens state of the art emergency room",
        "The new emergency room is state of the art, the hospital said.",
        "Harbour Courier", "health", NULL, JAN5_2022 - 400 * DAY);
    add(w, "a7", "Undated note", "A residence caught fire near the harbour.",
        "Harbour Courier", NULL, NULL, MORGUE_NO_DATE);
    ck_assert_int_eq(morgue_writer_commit(w), MORGUE_OK);
    morgue_writer_close(w);
}

static void free_fixture(void)
{
    tu_rmrf(fixture_dir);
    free(fixture_dir);
}

/* Ids of all hits for query, sorted by rank, joined by spaces. */
static const char *ids(morgue_searcher *s, const char *query,
                       morgue_query_opts *o)
{
    static char out[512];
    morgue_query_opts def = MORGUE_QUERY_OPTS_INIT;
    if (!o) {
        o = &def;
        def.limit = 50;
        def.flags = MORGUE_QUERY_COUNT;
    }
    morgue_hits *h;
    int rc = morgue_search(s, query, o, &h);
    ck_assert_msg(rc == MORGUE_OK, "%s: %s", query, morgue_searcher_errmsg(s));
    out[0] = '\0';
    while (morgue_hits_next(h) == MORGUE_OK) {
        const char *p;
        size_t n;
        morgue_hits_field(h, MORGUE_FIELD_ID, &p, &n);
        if (out[0])
            strcat(out, " ");
        strncat(out, p, n);
    }
    morgue_hits_free(h);
    return out;
}

/* Ids sorted, for set comparisons. */
static const char *idset(morgue_searcher *s, const char *query)
{
    static char out[512];
    char tmp[512], *words[32];
    snprintf(tmp, sizeof tmp, "%s", ids(s, query, NULL));
    int n = 0;
    for (char *t = strtok(tmp, " "); t && n < 32; t = strtok(NULL, " "))
        words[n++] = t;
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && strcmp(words[j - 1], words[j]) > 0; j--) {
            char *x = words[j];
            words[j] = words[j - 1];
            words[j - 1] = x;
        }
    out[0] = '\0';
    for (int i = 0; i < n; i++) {
        if (i)
            strcat(out, " ");
        strcat(out, words[i]);
    }
    return out;
}

static morgue_searcher *open_fixture(void)
{
    morgue_searcher *s;
    ck_assert_int_eq(morgue_searcher_open(&s, fixture_dir, NULL), MORGUE_OK);
    return s;
}

START_TEST(test_search_words_phrases_near)
{
    morgue_searcher *s = open_fixture();
    ck_assert_str_eq(idset(s, "emergency"), "a1 a2 a6");
    ck_assert_str_eq(idset(s, "emergencies"), "a1 a2 a6"); /* by stem */
    ck_assert_str_eq(idset(s, "\"state of emergency\""), "a1");
    ck_assert_str_eq(idset(s, "state emergency"), "a1 a2 a6");
    ck_assert_str_eq(idset(s, "\"emergencies\""), "a2"); /* exact word */
    ck_assert_str_eq(idset(s, "fire NEAR/3 residence"), "a7");
    ck_assert_str_eq(idset(s, "fire NEAR/6 residence"), "a1 a7");
    ck_assert_str_eq(idset(s, "residence NEAR/6 fire"), "a1 a7");
    ck_assert_str_eq(idset(s, "state-of-the-art"), "a6");
    morgue_searcher_close(s);
}
END_TEST

START_TEST(test_search_boolean)
{
    morgue_searcher *s = open_fixture();
    ck_assert_str_eq(idset(s, "almaty -markets"), "a1 a5");
    ck_assert_str_eq(idset(s, "almaty NOT markets"), "a1 a5");
    ck_assert_str_eq(idset(s, "almaty AND markets"), "a3");
    ck_assert_str_eq(idset(s, "bundesbank OR flood"), "a2 a4");
    ck_assert_str_eq(idset(s, "(bundesbank OR flood) rates"), "a4");
    ck_assert_str_eq(idset(s, "almaty -(markets OR troops)"), "a1");
    morgue_query_opts o = MORGUE_QUERY_OPTS_INIT;
    o.flags = MORGUE_QUERY_ANY | MORGUE_QUERY_COUNT;
    o.limit = 50;
    ck_assert_str_eq(ids(s, "bundesbank flood", &o), "a4 a2");
    morgue_searcher_close(s);
}
END_TEST

START_TEST(test_search_fields_and_prefix)
{
    morgue_searcher *s = open_fixture();
    ck_assert_str_eq(idset(s, "title:almaty"), "a1 a3");
    ck_assert_str_eq(idset(s, "title:\"state of emergency\""), "a1");
    ck_assert_str_eq(idset(s, "source:\"steppe daily\""), "a1 a3 a5");
    ck_assert_str_eq(idset(s, "source:reuters"), "a4");
    ck_assert_str_eq(idset(s, "tag:kazakhstan"), "a1 a3 a5");
    ck_assert_str_eq(idset(s, "tag:kazakhstan -tag:markets"), "a1 a5");
    ck_assert_str_eq(idset(s, "kazakh*"), "a5");
    ck_assert_str_eq(idset(s, "emerg*"), "a1 a2 a6");
    ck_assert_str_eq(idset(s, "title:(almaty OR bundesbank)"), "a1 a3 a4");
    /* a prefix no word starts with is a word no article holds: nothing,
     * in an AND too (it was dropped from the AND, and alone an error) */
    ck_assert_str_eq(idset(s, "zzqx*"), "");
    ck_assert_str_eq(idset(s, "almaty zzqx*"), "");
    ck_assert_str_eq(idset(s, "almaty OR zzqx*"), "a1 a3 a5");
    ck_assert_str_eq(idset(s, "almaty -zzqx*"), "a1 a3 a5");
    morgue_searcher_close(s);
}
END_TEST

START_TEST(test_search_dates)
{
    morgue_searcher *s = open_fixture();
    /* a2 is at 23:30 UTC: still 2022-01-05 (inclusive ends, UTC days) */
    ck_assert_str_eq(idset(s, "date:2022-01-05"), "a1 a2");
    ck_assert_str_eq(idset(s, "emergency date:2022-01-05"), "a1 a2");
    ck_assert_str_eq(idset(s, "date:2022-01-06..2022-01-10"), "a3");
    ck_assert_str_eq(idset(s, "date:2022-01-10..2022-01-13"), "a3 a5");
    ck_assert_str_eq(idset(s, "date:..1987-12-31"), "a4");
    ck_assert_str_eq(idset(s, "date:2022"), "a1 a2 a3 a5");
    ck_assert_str_eq(idset(s, "source:\"steppe daily\" date:2022-01"),
                     "a1 a3 a5");
    morgue_query_opts o = MORGUE_QUERY_OPTS_INIT;
    o.limit = 50;
    o.date_from = JAN5_2022;
    o.date_to = JAN5_2022 + DAY - 1;
    ck_assert_str_eq(ids(s, "emergency", &o), "a2 a1");
    o.sort = MORGUE_SORT_DATE;
    o.date_from = o.date_to = MORGUE_NO_DATE;
    ck_assert_str_eq(ids(s, "almaty", &o), "a5 a3 a1");
    morgue_searcher_close(s);
}
END_TEST

START_TEST(test_search_facets)
{
    morgue_searcher *s = open_fixture();
    morgue_query_opts o = MORGUE_QUERY_OPTS_INIT;
    o.facet_date = MORGUE_FACET_MONTH;
    o.facet_sources = 5;
    o.facet_tags = 5;
    morgue_hits *h;
    ck_assert_int_eq(morgue_search(s, "emergency OR almaty OR fire", &o, &h),
                     MORGUE_OK);
    ck_assert_uint_eq(morgue_hits_total(h), 6);
    ck_assert(morgue_hits_total_exact(h));
    const morgue_facet *f;
    size_t n;
    ck_assert_int_eq(morgue_hits_facets(h, MORGUE_FACET_KIND_DATE, &f, &n),
                     MORGUE_OK);
    /* 2020-12 (a6) to 2022-01, the empty months between listed with 0
     * (gaps show); a7 has no date */
    ck_assert_uint_eq(n, 14);
    ck_assert_str_eq(f[0].value, "2020-12");
    ck_assert_str_eq(f[1].value, "2021-01");
    ck_assert_uint_eq(f[1].count, 0);
    ck_assert_str_eq(f[13].value, "2022-01");
    ck_assert_uint_eq(f[0].count + f[13].count, 5);
    ck_assert_int_eq(morgue_hits_facets(h, MORGUE_FACET_KIND_SOURCE, &f, &n),
                     MORGUE_OK);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(f[0].value, "Harbour Courier"); /* as written */
    ck_assert_uint_eq(f[0].count, 3);
    ck_assert_uint_eq(f[1].count, 3);
    ck_assert_int_eq(morgue_hits_facets(h, MORGUE_FACET_KIND_TAG, &f, &n),
                     MORGUE_OK);
    ck_assert_str_eq(f[0].value, "Kazakhstan");
    ck_assert_uint_eq(f[0].count, 3);
    morgue_hits_free(h);
    morgue_searcher_close(s);
}
END_TEST

/* Dates keep their UTC offset: date:, the date options and the day facet
 * use the article's own calendar day, sorting by date the instant. */
START_TEST(test_search_local_day)
{
    char *dir = tu_tempdir("localday");
    morgue_writer *w;
    ck_assert_int_eq(morgue_writer_open(&w, dir, NULL), MORGUE_OK);
    const int64_t may14 = 1652486400; /* 2022-05-14T00:00:00Z */
    struct {
        const char *id;
        int64_t date;
        int off;
    } arts[3] = {
        /* 2022-05-15 01:20 +02:00 */
        { "b1", may14 + 23 * 3600 + 1200, 120 },
        /* 2022-05-14 22:00 -05:00 */
        { "b2", may14 + DAY + 3 * 3600, -300 },
        /* 2022-05-15 12:00, no zone (UTC) */
        { "b3", may14 + DAY + 12 * 3600, MORGUE_NO_OFFSET },
    };
    for (int i = 0; i < 3; i++) {
        morgue_article a = MORGUE_ARTICLE_INIT;
        a.id = arts[i].id;
        a.title = "Kurultai opens";
        a.body = "The kurultai opens in the capital.";
        a.date = arts[i].date;
        a.date_offset = arts[i].off;
        ck_assert_int_eq(morgue_writer_add(w, &a), MORGUE_OK);
    }
    /* an offset without a date is dropped, an absurd one unknown */
    morgue_article u = MORGUE_ARTICLE_INIT;
    u.id = "b4";
    u.title = "Undated kurultai";
    u.date_offset = 60;
    ck_assert_int_eq(morgue_writer_add(w, &u), MORGUE_OK);
    ck_assert_int_eq(morgue_writer_commit(w), MORGUE_OK);
    morgue_writer_close(w);

    morgue_searcher *s;
    ck_assert_int_eq(morgue_searcher_open(&s, dir, NULL), MORGUE_OK);
    /* the date column alone, the pruned path and the walk */
    ck_assert_str_eq(idset(s, "date:2022-05-15"), "b1 b3");
    ck_assert_str_eq(idset(s, "date:2022-05-14"), "b2");
    ck_assert_str_eq(idset(s, "kurultai date:2022-05-15"), "b1 b3");
    ck_assert_str_eq(idset(s, "\"kurultai opens\" date:2022-05-14"), "b2");
    ck_assert_str_eq(idset(s, "kurultai -capital date:2022-05-14"), "");
    morgue_query_opts o = MORGUE_QUERY_OPTS_INIT;
    o.limit = 10;
    o.date_from = may14;
    o.date_to = may14 + DAY - 1;
    ck_assert_str_eq(ids(s, "kurultai", &o), "b2");
    /* by date: the instants, newest first; undated last */
    o.date_from = o.date_to = MORGUE_NO_DATE;
    o.sort = MORGUE_SORT_DATE;
    o.facet_date = MORGUE_FACET_DAY;
    ck_assert_str_eq(ids(s, "kurultai", &o), "b3 b2 b1 b4");
    morgue_hits *h;
    ck_assert_int_eq(morgue_search(s, "kurultai", &o, &h), MORGUE_OK);
    const morgue_facet *f;
    size_t n;
    ck_assert_int_eq(morgue_hits_facets(h, MORGUE_FACET_KIND_DATE, &f, &n),
                     MORGUE_OK);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(f[0].value, "2022-05-14");
    ck_assert_uint_eq(f[0].count, 1);
    ck_assert_str_eq(f[1].value, "2022-05-15");
    ck_assert_uint_eq(f[1].count, 2);
    int offs[4], k = 0;
    while (morgue_hits_next(h) == MORGUE_OK && k < 4)
        offs[k++] = morgue_hits_date_offset(h);
    ck_assert_int_eq(k, 4);
    ck_assert_int_eq(offs[0], MORGUE_NO_OFFSET);
    ck_assert_int_eq(offs[1], -300);
    ck_assert_int_eq(offs[2], 120);
    ck_assert_int_eq(offs[3], MORGUE_NO_OFFSET); /* b4: undated */
    morgue_hits_free(h);
    morgue_searcher_close(s);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

START_TEST(test_search_snippets)
{
    morgue_searcher *s = open_fixture();
    morgue_hits *h;
    ck_assert_int_eq(morgue_search(s, "\"state of emergency\" almaty", NULL,
                                   &h), MORGUE_OK);
    ck_assert_int_eq(morgue_hits_next(h), MORGUE_OK);
    const char *snip;
    ck_assert_int_eq(morgue_hits_snippet(h, &snip), MORGUE_OK);
    ck_assert_ptr_nonnull(strstr(snip, "<b>state of emergency</b>"));
    ck_assert_ptr_nonnull(strstr(snip, "<b>Almaty</b>"));
    const morgue_match *m;
    size_t n;
    ck_assert_int_eq(morgue_hits_matches(h, &m, &n), MORGUE_OK);
    ck_assert_uint_eq(n, 2);
    const char *body;
    size_t blen;
    morgue_hits_field(h, MORGUE_FIELD_BODY, &body, &blen);
    ck_assert(m[0].end <= blen);
    ck_assert(strncmp(body + m[0].start, "state of emergency", 18) == 0);
    morgue_hits_free(h);
    morgue_query_opts o = MORGUE_QUERY_OPTS_INIT;
    o.hl_open = "[";
    o.hl_close = "]";
    ck_assert_int_eq(morgue_search(s, "emergencies", &o, &h), MORGUE_OK);
    while (morgue_hits_next(h) == MORGUE_OK) {
        const char *id;
        morgue_hits_field(h, MORGUE_FIELD_ID, &id, &n);
        morgue_hits_snippet(h, &snip);
        if (!strncmp(id, "a2", 2))
            ck_assert_ptr_nonnull(strstr(snip, "[Emergencies]"));
    }
    morgue_hits_free(h);
    morgue_searcher_close(s);
}
END_TEST

/* Stopwords are marked only inside a run of query words (one span), in
 * both languages; titles are marked by the same rules. */
START_TEST(test_search_highlight_rules)
{
    morgue_searcher *s = open_fixture();
    static const unsigned modes[] = { 0, MORGUE_QUERY_NATURAL };
    static const char *const queries[] = { "state of emergency",
                                           "What is the state of emergency?" };
    for (int k = 0; k < 2; k++) {
        morgue_query_opts o = MORGUE_QUERY_OPTS_INIT;
        o.flags = modes[k];
        o.hl_open = "[";
        o.hl_close = "]";
        o.snippet_chars = 400;
        morgue_hits *h;
        ck_assert_int_eq(morgue_search(s, queries[k], &o, &h), MORGUE_OK);
        int seen_a1 = 0;
        while (morgue_hits_next(h) == MORGUE_OK) {
            const char *id, *snip, *title;
            size_t n;
            morgue_hits_field(h, MORGUE_FIELD_ID, &id, &n);
            ck_assert_int_eq(morgue_hits_snippet(h, &snip), MORGUE_OK);
            ck_assert_int_eq(morgue_hits_title_highlighted(h, &title),
                             MORGUE_OK);
            ck_assert_ptr_null(strstr(snip, "[of]"));
            ck_assert_ptr_null(strstr(snip, "[the]"));
            ck_assert_ptr_null(strstr(snip, "[The]"));
            if (!strncmp(id, "a1", 2)) {
                seen_a1 = 1;
                ck_assert_msg(strstr(snip, "[state of emergency]") != NULL,
                              "%s", snip);
                ck_assert_str_eq(title,
                                 "[State of emergency] declared in Almaty");
            }
            if (!strncmp(id, "a2", 2)) { /* "emergency state of the dam" */
                ck_assert_msg(strstr(snip, "[emergency] [state] of the") !=
                                  NULL, "%s", snip);
                ck_assert_str_eq(title,
                                 "[Emergency] services respond to flood");
            }
        }
        ck_assert(seen_a1);
        morgue_hits_free(h);
    }
    /* HTML markers escape the title's text */
    morgue_hits *h;
    ck_assert_int_eq(morgue_search(s, "almaty markets", NULL, &h),
                     MORGUE_OK);
    ck_assert_int_eq(morgue_hits_next(h), MORGUE_OK);
    const char *title;
    ck_assert_int_eq(morgue_hits_title_highlighted(h, &title), MORGUE_OK);
    ck_assert_str_eq(title, "<b>Almaty</b> <b>markets</b> reopen");
    morgue_hits_free(h);
    morgue_searcher_close(s);
}
END_TEST

/* Snippet windows cut long non-ASCII text on character boundaries. */
START_TEST(test_search_snippet_utf8_edges)
{
    char *dir = tu_tempdir("utf8");
    morgue_writer *w;
    ck_assert_int_eq(morgue_writer_open(&w, dir, NULL), MORGUE_OK);
    char body[8192] = "";
    for (int i = 0; i < 120; i++) /* 2-, 3- and 4-byte characters */
        strcat(body, i == 60 ? "Алматы " : "Қазақстан 東京 𝄞ü ");
    add(w, "u1", "Заголовок", body, "Степь", NULL, NULL, JAN5_2022);
    ck_assert_int_eq(morgue_writer_commit(w), MORGUE_OK);
    morgue_writer_close(w);
    morgue_searcher *s;
    ck_assert_int_eq(morgue_searcher_open(&s, dir, NULL), MORGUE_OK);
    for (size_t width = 20; width < 260; width += 7) {
        morgue_query_opts o = MORGUE_QUERY_OPTS_INIT;
        o.snippet_chars = width;
        morgue_hits *h;
        ck_assert_int_eq(morgue_search(s, "алматы", &o, &h), MORGUE_OK);
        ck_assert_int_eq(morgue_hits_next(h), MORGUE_OK);
        const char *snip;
        ck_assert_int_eq(morgue_hits_snippet(h, &snip), MORGUE_OK);
        ck_assert_msg(utf8_valid(snip, strlen(snip)), "width %zu: %s", width,
                      snip);
        ck_assert_ptr_nonnull(strstr(snip, "<b>Алматы</b>"));
        morgue_hits_free(h);
    }
    morgue_searcher_close(s);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

START_TEST(test_search_errors)
{
    morgue_searcher *s = open_fixture();
    const char *bad[] = { "\"unclosed", "(a b", "NOT almaty", "foo:bar",
                          "date:2022-13", "", "   ", "a OR" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        morgue_hits *h = (morgue_hits *)1;
        ck_assert_int_eq(morgue_search(s, bad[i], NULL, &h), MORGUE_EQUERY);
        ck_assert_ptr_null(h);
        ck_assert_ptr_nonnull(strstr(morgue_searcher_errmsg(s), "column"));
    }
    /* shapes that parse but query_check refuses: whole messages, the
     * same check_cluster holds the cluster to */
    for (size_t i = 0; i < N_REFUSED_SHAPES; i++) {
        morgue_hits *h = (morgue_hits *)1;
        const refused_shape *r = &refused_shapes[i];
        ck_assert_int_eq(morgue_search(s, r->query, NULL, &h), MORGUE_EQUERY);
        ck_assert_ptr_null(h);
        ck_assert_str_eq(morgue_searcher_errmsg(s), r->message);
    }
    morgue_searcher_close(s);
}
END_TEST

/* ---- pruning equals exhaustive ---- */

static double half_life; /* recency of compare(); 0: none */
/* BM25F's parameters for compare(); 0 (or -1 for b): the defaults. */
static double cmp_k1, cmp_b = -1, cmp_tw;

static void compare(morgue_searcher *s, const char *q, unsigned flags,
                    size_t k)
{
    morgue_query_opts a = MORGUE_QUERY_OPTS_INIT, b = MORGUE_QUERY_OPTS_INIT;
    a.k1 = b.k1 = cmp_k1;
    a.b = b.b = cmp_b;
    a.title_weight = b.title_weight = cmp_tw;
    a.limit = b.limit = k;
    a.recency_half_life = b.recency_half_life = half_life;
    a.now = b.now = 545961600; /* 1987-04-20 */
    a.flags = flags;
    b.flags = flags | SEARCH_EXHAUSTIVE;
    a.no_snippets = b.no_snippets = 1;
    morgue_hits *ha, *hb;
    int rc = morgue_search(s, q, &a, &ha);
    ck_assert_msg(rc == MORGUE_OK, "query '%s': %s", q,
                  morgue_searcher_errmsg(s));
    ck_assert_int_eq(morgue_search(s, q, &b, &hb), MORGUE_OK);
    if (flags & MORGUE_QUERY_COUNT)
        ck_assert_uint_eq(morgue_hits_total(ha), morgue_hits_total(hb));
    int ra, rb;
    while ((ra = morgue_hits_next(ha)) == MORGUE_OK) {
        rb = morgue_hits_next(hb);
        ck_assert_int_eq(rb, MORGUE_OK);
        ck_assert_msg(morgue_hits_docid(ha) == morgue_hits_docid(hb) &&
                          morgue_hits_score(ha) == morgue_hits_score(hb),
                      "query '%s' flags %u: pruned doc %llu (%.17g) vs "
                      "exhaustive %llu (%.17g)", q, flags,
                      (unsigned long long)morgue_hits_docid(ha),
                      morgue_hits_score(ha),
                      (unsigned long long)morgue_hits_docid(hb),
                      morgue_hits_score(hb));
    }
    ck_assert_int_eq(morgue_hits_next(hb), MORGUE_ITEROVER);
    morgue_hits_free(ha);
    morgue_hits_free(hb);
}

/* MORGUE_QUERY_COUNT_ONLY: the exhaustive walk's total, exactly, and no
 * hit (nothing ranked). */
static void count_only(morgue_searcher *s, const char *q, unsigned flags)
{
    morgue_query_opts a = MORGUE_QUERY_OPTS_INIT, b = MORGUE_QUERY_OPTS_INIT;
    a.flags = flags | MORGUE_QUERY_COUNT_ONLY;
    b.flags = flags | SEARCH_EXHAUSTIVE;
    a.no_snippets = b.no_snippets = 1;
    a.now = b.now = 545961600;
    morgue_hits *ha, *hb;
    ck_assert_int_eq(morgue_search(s, q, &a, &ha), MORGUE_OK);
    ck_assert_int_eq(morgue_search(s, q, &b, &hb), MORGUE_OK);
    ck_assert_msg(morgue_hits_total(ha) == morgue_hits_total(hb),
                  "query '%s' flags %u: count %llu, exhaustive %llu", q,
                  flags, (unsigned long long)morgue_hits_total(ha),
                  (unsigned long long)morgue_hits_total(hb));
    ck_assert_int_eq(morgue_hits_total_exact(ha), 1);
    ck_assert_int_eq(morgue_hits_next(ha), MORGUE_ITEROVER);
    morgue_hits_free(ha);
    morgue_hits_free(hb);
}

static const char *reuters_words[] = {
    "oil", "prices", "bank", "rates", "interest", "dollar", "trade",
    "japan", "coffee", "brazil", "opec", "output", "wheat", "export",
    "stocks", "shares", "profit", "loss", "quarter", "net", "bundesbank",
    "germany", "gold", "tonnes", "sugar", "crude", "market", "said",
    "the", "company", "deficit", "yen", "futures", "grain", "ship",
    "strike", "merger", "acquisition", "dividend", "reagan", "tax",
};

static const char *reuters_phrases[] = {
    "oil prices", "interest rates", "crude oil", "trade deficit",
    "net profit", "per share", "central bank", "the company",
    "money supply", "west germany", "united states", "said it",
};

/* Appends to q a random query of about depth levels: words, phrases,
 * NEAR, title: and tag: fields, prefixes, dates, and groups of them under
 * AND (with exclusions) and OR. */
static void nested_query(char *q, size_t cap, uint64_t *seed, int depth)
{
    size_t nw = sizeof reuters_words / sizeof reuters_words[0];
    size_t np = sizeof reuters_phrases / sizeof reuters_phrases[0];
    static const char *prefixes[] = { "export", "bank", "dividend", "coff",
                                      "profit" };
    const char *w = reuters_words[tu_rand(seed) % nw];
    char t[128];
    switch (tu_rand(seed) % (depth > 0 ? 10 : 7)) {
    case 0:
    case 1:
        snprintf(t, sizeof t, "%s", w);
        break;
    case 2:
        snprintf(t, sizeof t, "\"%s\"",
                 reuters_phrases[tu_rand(seed) % np]);
        break;
    case 3:
        snprintf(t, sizeof t, "title:%s", w);
        break;
    case 4:
        snprintf(t, sizeof t, "%s NEAR/%d %s", w,
                 1 + (int)(tu_rand(seed) % 8),
                 reuters_words[tu_rand(seed) % nw]);
        break;
    case 5:
        snprintf(t, sizeof t, "%s", tu_rand(seed) % 2 ? "tag:crude"
                                        : "date:1987-03");
        break;
    case 6:
        snprintf(t, sizeof t, "%s*", prefixes[tu_rand(seed) % 5]);
        break;
    default: { /* a group */
        int kids = 2 + (int)(tu_rand(seed) % 2);
        int is_or = tu_rand(seed) % 2;
        strncat(q, "(", cap - strlen(q) - 1);
        for (int k = 0; k < kids; k++) {
            if (k)
                strncat(q, is_or ? " OR " : " ", cap - strlen(q) - 1);
            nested_query(q, cap, seed, depth - 1);
        }
        if (!is_or && tu_rand(seed) % 2) {
            strncat(q, " -", cap - strlen(q) - 1);
            strncat(q, reuters_words[tu_rand(seed) % nw],
                    cap - strlen(q) - 1);
        }
        strncat(q, ")", cap - strlen(q) - 1);
        return;
    }
    }
    strncat(q, t, cap - strlen(q) - 1);
}

/* A count of a union (one word's stems, words OR'ed) is taken from bits
 * of the kids' postings, less the deleted articles: the same totals as
 * the walk, across segments and deletions (documents at the end of a
 * 64-bit word included). */
START_TEST(test_search_union_count_deleted)
{
    char *idx = tu_tempdir("ucount");
    morgue_writer_opts wo = MORGUE_WRITER_OPTS_INIT;
    wo.merge_factor = 1; /* the two commits stay two segments */
    morgue_writer *w;
    ck_assert_int_eq(morgue_writer_open(&w, idx, &wo), MORGUE_OK);
    for (int i = 0; i < 700; i++) {
        morgue_article a = MORGUE_ARTICLE_INIT;
        char id[16], body[96];
        snprintf(id, sizeof id, "u%d", i);
        snprintf(body, sizeof body, "%s %s %s filler", i % 3 ? "alpha" : "",
                 i % 5 ? "" : "beta", i % 64 == 63 ? "gamma" : "");
        a.id = id;
        a.title = "Union count";
        a.body = body;
        ck_assert_int_eq(morgue_writer_add(w, &a), MORGUE_OK);
        if (i == 400)
            ck_assert_int_eq(morgue_writer_commit(w), MORGUE_OK);
    }
    ck_assert_int_eq(morgue_writer_commit(w), MORGUE_OK);
    for (int i = 0; i < 700; i += 7) {
        char id[16];
        snprintf(id, sizeof id, "u%d", i);
        ck_assert_int_eq(morgue_writer_delete(w, id), MORGUE_OK);
    }
    ck_assert_int_eq(morgue_writer_delete(w, "u127"), MORGUE_OK);
    ck_assert_int_eq(morgue_writer_commit(w), MORGUE_OK);
    morgue_writer_close(w);
    morgue_searcher *s;
    ck_assert_int_eq(morgue_searcher_open(&s, idx, NULL), MORGUE_OK);
    static const char *qs[] = { "alpha", "beta", "gamma", "alpha OR beta",
                                "beta OR gamma", "alpha OR beta OR gamma",
                                "alpha beta", "filler" };
    uint64_t want[8] = { 0 };
    for (int i = 0; i < 700; i++) {
        if (i % 7 == 0 || i == 127)
            continue;
        int a = i % 3 != 0, b = i % 5 == 0, g = i % 64 == 63;
        want[0] += a, want[1] += b, want[2] += g;
        want[3] += a || b, want[4] += b || g, want[5] += a || b || g;
        want[6] += a && b, want[7]++;
    }
    for (int q = 0; q < 8; q++) {
        count_only(s, qs[q], 0);
        morgue_query_opts o = MORGUE_QUERY_OPTS_INIT;
        o.flags = MORGUE_QUERY_COUNT_ONLY;
        morgue_hits *h;
        ck_assert_int_eq(morgue_search(s, qs[q], &o, &h), MORGUE_OK);
        ck_assert_msg(morgue_hits_total(h) == want[q], "%s: %llu, not %llu",
                      qs[q], (unsigned long long)morgue_hits_total(h),
                      (unsigned long long)want[q]);
        morgue_hits_free(h);
    }
    morgue_searcher_close(s);
    tu_rmrf(idx);
    free(idx);
}
END_TEST

START_TEST(test_search_pruning_equals_exhaustive)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/reuters21578/reut2-000.sgm",
             MORGUE_CORPORA);
    struct stat st;
    if (stat(dir, &st) != 0)
        return; /* no corpus here */
    char *idx = tu_tempdir("prune");
    morgue_writer_opts wo = MORGUE_WRITER_OPTS_INIT;
    wo.memory_budget = 24u << 20; /* several segments */
    /* one stemmer, as Reuters is English: a word is one term, the flat
     * pruned path (detection would make a few articles German or Danish,
     * and their words an OR of stems); and no detection cost under ASan */
    wo.language = "english";
    morgue_writer *w;
    ck_assert_int_eq(morgue_writer_open(&w, idx, &wo), MORGUE_OK);
    for (int f = 0; f < 22; f++) {
        snprintf(dir, sizeof dir, "%s/reuters21578/reut2-%03d.sgm",
                 MORGUE_CORPORA, f);
        ck_assert_int_eq(morgue_writer_add_file(w, dir, NULL, NULL),
                         MORGUE_OK);
    }
    ck_assert_int_eq(morgue_writer_commit(w), MORGUE_OK);
    morgue_writer_close(w);
    morgue_searcher *s;
    ck_assert_int_eq(morgue_searcher_open(&s, idx, NULL), MORGUE_OK);
    size_t nw = sizeof reuters_words / sizeof reuters_words[0];
    uint64_t seed = 99;
    for (int i = 0; i < 150; i++) {
        char q[256] = "";
        int words = 1 + (int)(tu_rand(&seed) % 4);
        for (int k = 0; k < words; k++) {
            strcat(q, k ? " " : "");
            strcat(q, reuters_words[tu_rand(&seed) % nw]);
        }
        size_t kk = 1 + tu_rand(&seed) % 20;
        compare(s, q, 0, kk);
        compare(s, q, MORGUE_QUERY_ANY, kk);
        compare(s, q, MORGUE_QUERY_COUNT, kk);
        compare(s, q, MORGUE_QUERY_ANY | MORGUE_QUERY_COUNT, kk);
        count_only(s, q, 0);
        count_only(s, q, MORGUE_QUERY_ANY);
        strcat(q, i % 2 ? " date:1987-03" : " date:1987-04-01..1987-06-15");
        compare(s, q, 0, kk); /* dates become a column filter */
        compare(s, q, MORGUE_QUERY_COUNT, kk);
        count_only(s, q, 0);
        /* recency: blended scores, bounded per segment by its newest
         * date; a half-life of days (dates decide) or years (scores do) */
        half_life = i % 3 ? 7 * 86400.0 : 3e8;
        q[strlen(q) - (i % 2 ? 13 : 28)] = '\0'; /* the date: off again */
        compare(s, q, 0, kk);
        compare(s, q, MORGUE_QUERY_ANY, kk);
        compare(s, q, MORGUE_QUERY_COUNT, kk);
        half_life = 0;
    }
    /* Nested queries: every operator prunes by the hint it is given, so
     * groups, phrases, NEAR, fields, exclusions and dates inside groups
     * must rank exactly as the exhaustive walk does too. */
    for (int i = 0; i < 300; i++) {
        char q[1024] = "";
        nested_query(q, sizeof q, &seed, 3);
        if (i % 4 == 0) {
            strcat(q, " -");
            strcat(q, reuters_words[tu_rand(&seed) % nw]);
        }
        size_t kk = 1 + tu_rand(&seed) % 20;
        compare(s, q, 0, kk);
        compare(s, q, MORGUE_QUERY_ANY, kk);
        compare(s, q, MORGUE_QUERY_COUNT, kk);
        if (i % 3 == 0)
            count_only(s, q, 0);
        half_life = i % 2 ? 7 * 86400.0 : 3e8;
        compare(s, q, 0, kk);
        half_life = 0;
    }
    /* BM25F's bounds hold for other parameters too: a heavy title, no
     * and full length normalisation, little and much saturation. */
    static const double params[][3] = {
        { 0.9, 0.4, 5 }, { 1.2, 0, 2 }, { 2.0, 1, 1 }, { 0.3, 0.75, 10 },
    };
    for (size_t p = 0; p < sizeof params / sizeof params[0]; p++) {
        cmp_k1 = params[p][0];
        cmp_b = params[p][1];
        cmp_tw = params[p][2];
        for (int i = 0; i < 30; i++) {
            char q[256] = "";
            int words = 1 + (int)(tu_rand(&seed) % 4);
            for (int k = 0; k < words; k++) {
                strcat(q, k ? " " : "");
                strcat(q, reuters_words[tu_rand(&seed) % nw]);
            }
            size_t kk = 1 + tu_rand(&seed) % 20;
            compare(s, q, 0, kk);
            compare(s, q, MORGUE_QUERY_NATURAL, kk);
        }
    }
    cmp_k1 = 0;
    cmp_b = -1;
    cmp_tw = 0;
    morgue_searcher_close(s);
    tu_rmrf(idx);
    free(idx);
}
END_TEST

/* ---- BM25F ---- */

/* One stem's score by hand: N = 3 articles, "gold" in two of them, so
 * idf = ln(1 + (3 - 2 + 0.5) / (2 + 0.5)) = ln 1.6. Tokens: average
 * length 10/3, average title 4/3, so average body 2.
 *   g1: title "gold" (1 token), body "gold gold silver" (3): body tf 2,
 *       title tf 1: x = 2 / (.25 + .75 * 3/2) + W * 1 / (.25 + .75 * 3/4)
 *   g2: title "silver report" (2), body "gold" (1): x = 1 / (.25 + .75/2)
 *   score = idf * x (k1 + 1) / (k1 + x)
 * (above with b .75). With the defaults k1 1.2, b .5, W 2: g1
 * 0.790028572305, g2 0.544214728600; with k1 1.2, b .75, W 2: g1
 * 0.791476860622, g2 0.590861705337; with
 * k1 .9, b .4, W 5: g1 0.794055379095, g2 0.519190055562 (python). */
START_TEST(test_search_bm25f_by_hand)
{
    char *dir = tu_tempdir("bm25f");
    morgue_writer *w;
    ck_assert_int_eq(morgue_writer_open(&w, dir, NULL), MORGUE_OK);
    add(w, "g1", "gold", "gold gold silver", "", NULL, NULL, MORGUE_NO_DATE);
    add(w, "g2", "silver report", "gold", "", NULL, NULL, MORGUE_NO_DATE);
    add(w, "g3", "copper", "copper tin", "", NULL, NULL, MORGUE_NO_DATE);
    ck_assert_int_eq(morgue_writer_commit(w), MORGUE_OK);
    morgue_writer_close(w);
    morgue_searcher *s;
    ck_assert_int_eq(morgue_searcher_open(&s, dir, NULL), MORGUE_OK);
    static const struct {
        double k1, b, tw, g1, g2;
        unsigned flags;
    } cases[] = {
        { 0, -1, 0, 0.790028572305, 0.544214728600, 0 }, /* defaults */
        { 0, -1, 0, 0.790028572305, 0.544214728600, MORGUE_QUERY_NATURAL },
        { 0, -1, 0, 0.790028572305, 0.544214728600, SEARCH_EXHAUSTIVE },
        { 1.2, 0.75, 2, 0.791476860622, 0.590861705337, 0 },
        { 0.9, 0.4, 5, 0.794055379095, 0.519190055562, 0 },
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        morgue_query_opts o = MORGUE_QUERY_OPTS_INIT;
        o.k1 = cases[c].k1;
        o.b = cases[c].b;
        o.title_weight = cases[c].tw;
        o.flags = cases[c].flags;
        morgue_hits *h;
        ck_assert_int_eq(morgue_search(s, "gold", &o, &h), MORGUE_OK);
        const double want[2] = { cases[c].g1, cases[c].g2 };
        const char *want_id[2] = { "g1", "g2" };
        for (int i = 0; i < 2; i++) {
            ck_assert_int_eq(morgue_hits_next(h), MORGUE_OK);
            const char *id;
            size_t n;
            morgue_hits_field(h, MORGUE_FIELD_ID, &id, &n);
            ck_assert(n == 2 && !memcmp(id, want_id[i], 2));
            ck_assert_msg(fabs(morgue_hits_score(h) - want[i]) < 1e-9,
                          "case %zu %s: %.12f, want %.12f", c, want_id[i],
                          morgue_hits_score(h), want[i]);
        }
        ck_assert_int_eq(morgue_hits_next(h), MORGUE_ITEROVER);
        morgue_hits_free(h);
    }
    morgue_searcher_close(s);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* Pseudo-relevance feedback keeps every answer of the query (its words
 * stay in the OR) and may add more; a query without answers is left
 * alone. */
START_TEST(test_search_expand)
{
    morgue_searcher *s = open_fixture();
    static const char *const qs[] = { "almaty", "fire residence",
                                      "\"state of emergency\" declared",
                                      "nothing matches xyzzy", "the of" };
    for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
        morgue_query_opts o = MORGUE_QUERY_OPTS_INIT;
        o.flags = MORGUE_QUERY_NATURAL | MORGUE_QUERY_COUNT;
        o.limit = 50;
        char plain[512], expanded[512];
        snprintf(plain, sizeof plain, "%s", ids(s, qs[i], &o));
        o.flags |= MORGUE_QUERY_EXPAND;
        snprintf(expanded, sizeof expanded, "%s", ids(s, qs[i], &o));
        char *save = NULL;
        for (char *id = strtok_r(plain, " ", &save); id;
             id = strtok_r(NULL, " ", &save))
            ck_assert_msg(strstr(expanded, id) != NULL,
                          "%s: %s lost by expansion (%s)", qs[i], id,
                          expanded);
    }
    morgue_searcher_close(s);
}
END_TEST

/* ---- natural language never fails ---- */

static void natural_ok(morgue_searcher *s, const char *q)
{
    morgue_query_opts o = MORGUE_QUERY_OPTS_INIT;
    o.flags = MORGUE_QUERY_NATURAL;
    o.limit = 5;
    morgue_hits *h = NULL;
    int rc = morgue_search(s, q, &o, &h);
    ck_assert_msg(rc == MORGUE_OK, "natural [%s]: %s", q,
                  morgue_searcher_errmsg(s));
    while (morgue_hits_next(h) == MORGUE_OK) {
        const char *snip;
        ck_assert_int_eq(morgue_hits_snippet(h, &snip), MORGUE_OK);
    }
    morgue_hits_free(h);
}

/* 10,000 random byte strings (any byte but NUL, up to 80 bytes), and every
 * pattern of one or two ASCII punctuation characters alone, around a word
 * and between two words, all answer MORGUE_OK. A hang fails by the test
 * case's timeout. */
START_TEST(test_search_natural_never_fails)
{
    morgue_searcher *s;
    ck_assert_int_eq(morgue_searcher_open(&s, fixture_dir, NULL), MORGUE_OK);
    static const char words[][12] = { "almaty", "state", "of", "the",
                                      "emergency", "AND", "OR", "NOT" };
    uint64_t seed = 7;
    char q[128];
    for (int i = 0; i < 10000; i++) {
        size_t n = tu_rand(&seed) % 81, k = 0;
        while (k < n) {
            if (tu_rand(&seed) % 4 == 0) { /* a word now and then */
                const char *w = words[tu_rand(&seed) % 8];
                size_t wl = strlen(w);
                if (k + wl > n)
                    break;
                memcpy(q + k, w, wl);
                k += wl;
                continue;
            }
            q[k] = (char)(1 + tu_rand(&seed) % 255);
            k++;
        }
        q[k] = '\0';
        natural_ok(s, q);
    }
    char punct[40];
    size_t np = 0;
    for (int c = 0x21; c < 0x7F; c++)
        if (!(c >= '0' && c <= '9') && !(c >= 'a' && c <= 'z') &&
            !(c >= 'A' && c <= 'Z'))
            punct[np++] = (char)c;
    for (size_t a = 0; a < np; a++) {
        for (size_t b = 0; b <= np; b++) {
            char pa = punct[a], pb = b < np ? punct[b] : '\0';
            static const char *const forms[] = {
                "%c%c", "%calmaty%c", "state%c%cemergency",
                "%c state %c emergency", "state %c%c", "%c%c%c",
            };
            for (size_t f = 0; f < sizeof forms / sizeof forms[0]; f++) {
                snprintf(q, sizeof q, forms[f], pa, pb, pa);
                natural_ok(s, q);
            }
        }
    }
    morgue_searcher_close(s);
}
END_TEST

/* ---- threads ---- */

typedef struct worker {
    morgue_searcher *s;
    int failures;
    char expect[8][512];
} worker;

static const char *thread_queries[8] = {
    "almaty", "emergency", "\"state of emergency\"", "kazakh*",
    "tag:kazakhstan", "fire NEAR/6 residence", "date:2022-01", "flood OR fire",
};

static void *work(void *arg)
{
    worker *wk = arg;
    for (int round = 0; round < 200; round++)
        for (int q = 0; q < 8; q++) {
            morgue_hits *h;
            if (morgue_search(wk->s, thread_queries[q], NULL, &h)) {
                wk->failures++;
                continue;
            }
            char got[512] = "";
            while (morgue_hits_next(h) == MORGUE_OK) {
                const char *p, *snip;
                size_t n;
                morgue_hits_field(h, MORGUE_FIELD_ID, &p, &n);
                morgue_hits_snippet(h, &snip);
                strncat(got, p, n);
                strcat(got, " ");
            }
            morgue_hits_free(h);
            if (strcmp(got, wk->expect[q]))
                wk->failures++;
        }
    return NULL;
}

START_TEST(test_search_shared_by_threads)
{
    morgue_searcher *s = open_fixture();
    worker wk[4];
    for (int q = 0; q < 8; q++) {
        char *e = wk[0].expect[q];
        e[0] = '\0';
        morgue_hits *h;
        ck_assert_int_eq(morgue_search(s, thread_queries[q], NULL, &h),
                         MORGUE_OK);
        while (morgue_hits_next(h) == MORGUE_OK) {
            const char *p;
            size_t n;
            morgue_hits_field(h, MORGUE_FIELD_ID, &p, &n);
            strncat(e, p, n);
            strcat(e, " ");
        }
        morgue_hits_free(h);
    }
    pthread_t th[4];
    for (int t = 0; t < 4; t++) {
        wk[t].s = s;
        wk[t].failures = 0;
        memcpy(wk[t].expect, wk[0].expect, sizeof wk[0].expect);
        ck_assert_int_eq(pthread_create(&th[t], NULL, work, &wk[t]), 0);
    }
    for (int t = 0; t < 4; t++) {
        pthread_join(th[t], NULL);
        ck_assert_int_eq(wk[t].failures, 0);
    }
    morgue_searcher_close(s);
}
END_TEST

static Suite *search_suite(void)
{
    Suite *s = suite_create("search");
    TCase *tc = tcase_create("language");
    tcase_add_unchecked_fixture(tc, make_fixture, free_fixture);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_search_words_phrases_near);
    tcase_add_test(tc, test_search_boolean);
    tcase_add_test(tc, test_search_fields_and_prefix);
    tcase_add_test(tc, test_search_local_day);
    tcase_add_test(tc, test_search_dates);
    tcase_add_test(tc, test_search_facets);
    tcase_add_test(tc, test_search_snippets);
    tcase_add_test(tc, test_search_errors);
    tcase_add_test(tc, test_search_snippet_utf8_edges);
    tcase_add_test(tc, test_search_shared_by_threads);
    tcase_add_test(tc, test_search_pruning_equals_exhaustive);
    tcase_add_test(tc, test_search_union_count_deleted);
    tcase_add_test(tc, test_search_bm25f_by_hand);
    tcase_add_test(tc, test_search_highlight_rules);
    tcase_add_test(tc, test_search_expand);
    tcase_add_test(tc, test_search_natural_never_fails);
    suite_add_tcase(s, tc);
    return s;
}

MORGUE_CHECK_MAIN(search_suite)
