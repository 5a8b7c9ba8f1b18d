/* check_stories.c: near-duplicates through the C API, on fixtures for
 * each corner: identical texts, a copy with only the headline changed, a
 * copy with its tail cut, two different stories that share a long quote,
 * an empty body; morgue_dups clusters, search collapsing (total, stories,
 * duplicates, paging by story), fingerprints kept by a merge, and
 * morgue_similar leaving the article and its copies out. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "check_main.h"
#include "morgue.h"
#include "testutil.h"

static char *dir;

#define DAY 86400
#define JAN5 1641340800 /* 2022-01-05 */

static const char *report =
    "Protesters stormed the mayor's office in Almaty on Wednesday and set "
    "it on fire, as unrest over a sharp rise in fuel prices spread across "
    "Kazakhstan. President Kassym-Jomart Tokayev declared a two-week state "
    "of emergency in the city and in the western Mangistau region, imposing "
    "a night curfew and restricting movement. The government resigned "
    "earlier in the day. Police used stun grenades and tear gas against "
    "crowds of several thousand in the main square, and internet access "
    "was cut across much of the country, monitors said. The protests began "
    "in the oil town of Zhanaozen at the weekend after the price of "
    "liquefied gas doubled at the start of the year.";

static const char *quote =
    "\"We will act as toughly as possible against those who break the law, "
    "and we will restore order in every town and every region of the "
    "country without delay, whatever it takes, because the safety of our "
    "citizens comes before everything else,\" the president said in a "
    "televised address late on Wednesday night.";

#define add(w, id, title, body, date) \
    tu_add(w, id, title, body, "Test", date)

static char buf1[4096], buf2[4096], buf3[4096];

static void setup(void)
{
    dir = tu_tempdir("stories");
    morgue_writer *w;
    ck_assert_int_eq(morgue_writer_open(&w, dir, NULL), MORGUE_OK);
    add(w, "wire", "Almaty mayor's office set on fire as unrest spreads",
        report, JAN5);
    add(w, "same", "Almaty mayor's office set on fire as unrest spreads",
        report, JAN5 + 3600);
    add(w, "headline", "Kazakhstan declares emergency after fuel riots",
        report, JAN5 + DAY);
    /* the tail cut: the last sentence gone */
    snprintf(buf1, sizeof buf1, "%.*s", (int)(strstr(report, " The protests") -
                                              report), report);
    add(w, "cut", "Fire at Almaty mayor's office", buf1, JAN5 + 2 * DAY);
    /* two different stories sharing a long quote */
    snprintf(buf2, sizeof buf2,
             "Russia said on Thursday it would send paratroopers to "
             "Kazakhstan as part of a peacekeeping force of the Collective "
             "Security Treaty Organization, after an appeal from the "
             "Kazakh leader. The first units landed at an airbase near the "
             "capital within hours. %s Western governments urged restraint "
             "on all sides.", quote);
    snprintf(buf3, sizeof buf3,
             "Banks and shops stayed shut in Almaty for a second day and "
             "cash machines ran dry, residents said, while bread prices "
             "rose at the few markets still trading. Queues formed at fuel "
             "stations as supplies dwindled. %s Economists warned that the "
             "tenge could fall further when trading resumes.", quote);
    add(w, "troops", "Russian-led troops head for Kazakhstan", buf2,
        JAN5 + DAY);
    add(w, "banks", "Almaty banks shut, cash runs out", buf3, JAN5 + DAY);
    add(w, "empty", "Headline only", "", JAN5);
    add(w, "other", "Cocoa harvest late in Bahia",
        "Showers continued throughout the week in the Bahia cocoa zone, "
        "alleviating the drought and improving prospects for the harvest.",
        JAN5 - 30 * DAY);
    ck_assert_int_eq(morgue_writer_commit(w), MORGUE_OK);
    morgue_writer_close(w);
}

static void teardown(void)
{
    tu_rmrf(dir);
    free(dir);
}

/* The stored id of global document d. */
static const char *id_of(morgue_searcher *s, uint64_t d)
{
    static char out[8][64];
    static int k;
    morgue_hits *h;
    ck_assert_int_eq(morgue_searcher_docs(s, &d, 1, &h), MORGUE_OK);
    ck_assert_int_eq(morgue_hits_next(h), MORGUE_OK);
    const char *p;
    size_t n;
    morgue_hits_field(h, MORGUE_FIELD_ID, &p, &n);
    k = (k + 1) % 8;
    snprintf(out[k], sizeof out[k], "%.*s", (int)n, p);
    morgue_hits_free(h);
    return out[k];
}

/* The sketch of a fixed text, as docs/FORMAT.md defines it (computed by
 * the scalar code before the AVX2 one existed): both ways of hashing
 * give the same bytes, and a change of the definition shows here. */
START_TEST(test_fingerprint_vector)
{
    static const uint8_t want[MORGUE_FINGERPRINT_BYTES] = {
        0xf2, 0x3a, 0x6b, 0x9a, 0x0b, 0x97, 0xfe, 0x94,
        0xfb, 0x32, 0xce, 0x8d, 0xa6, 0x2b, 0xcf, 0x39,
        0x4d, 0x56, 0x83, 0x30, 0xbc, 0x68, 0x31, 0x84,
        0x34, 0x5e, 0x5c, 0x42, 0x1c, 0x0c, 0x3f, 0x78,
        0xf0, 0xd7, 0x05, 0xd2, 0xe4, 0x00, 0x93, 0x62,
        0x74, 0xfd, 0xda, 0x65, 0x84, 0x0e, 0x78, 0x0f,
        0xcf, 0x22, 0x7b, 0x69, 0x58, 0xd8, 0x03, 0x9b,
        0xdb, 0x6c, 0x86, 0x9b, 0x46, 0xb4, 0xbc, 0x66,
    };
    uint8_t got[MORGUE_FINGERPRINT_BYTES];
    ck_assert_int_eq(morgue_fingerprint_text(report, strlen(report), got),
                     MORGUE_OK);
    for (int i = 0; i < MORGUE_FINGERPRINT_BYTES; i++)
        ck_assert_msg(got[i] == want[i], "byte %d: %02x, not %02x", i,
                      got[i], want[i]);
}
END_TEST

START_TEST(test_fingerprint_corners)
{
    uint8_t a[MORGUE_FINGERPRINT_BYTES], b[MORGUE_FINGERPRINT_BYTES];
    morgue_fingerprint_text(report, strlen(report), a);
    morgue_fingerprint_text(report, strlen(report), b);
    ck_assert(morgue_fingerprint_similarity(a, b) == 1.0);
    morgue_fingerprint_text(buf1, strlen(buf1), b);
    ck_assert(morgue_fingerprint_similarity(a, b) >=
              MORGUE_DEFAULT_SIMILARITY);
    morgue_fingerprint_text(buf2, strlen(buf2), a);
    morgue_fingerprint_text(buf3, strlen(buf3), b);
    double q = morgue_fingerprint_similarity(a, b);
    ck_assert_msg(q < MORGUE_DEFAULT_SIMILARITY && q > 0.05,
                  "shared quote: %.3f", q);
    morgue_fingerprint_text("", 0, a);
    for (int i = 0; i < MORGUE_FINGERPRINT_BYTES; i++)
        ck_assert_uint_eq(a[i], 0xFF);
    ck_assert(morgue_fingerprint_similarity(a, a) == 0.0);
}
END_TEST

START_TEST(test_dups_clusters)
{
    morgue_searcher *s;
    ck_assert_int_eq(morgue_searcher_open(&s, dir, NULL), MORGUE_OK);
    morgue_clusters *c;
    ck_assert_int_eq(morgue_dups(s, MORGUE_DEFAULT_SIMILARITY, &c),
                     MORGUE_OK);
    ck_assert_uint_eq(morgue_clusters_count(c), 1);
    morgue_cluster k;
    ck_assert_int_eq(morgue_clusters_get(c, 0, &k), MORGUE_OK);
    ck_assert_uint_eq(k.size, 4);
    char ids[256] = "";
    for (size_t i = 0; i < k.size; i++) {
        strcat(ids, id_of(s, k.docids[i]));
        strcat(ids, " ");
    }
    /* wire, same and headline resemble all three others; wire is the
     * earliest of them; the rest by date */
    ck_assert_str_eq(ids, "wire same headline cut ");
    ck_assert_int_eq(k.first_date, JAN5);
    ck_assert_int_eq(k.last_date, JAN5 + 2 * DAY);
    ck_assert_int_eq(morgue_clusters_get(c, 1, &k), MORGUE_EINVAL);
    morgue_clusters_free(c);
    /* a demanding threshold keeps only the exact copies together */
    ck_assert_int_eq(morgue_dups(s, 0.99, &c), MORGUE_OK);
    ck_assert_uint_eq(morgue_clusters_count(c), 1);
    morgue_clusters_get(c, 0, &k);
    ck_assert_uint_eq(k.size, 3);
    morgue_clusters_free(c);
    ck_assert_int_eq(morgue_dups(s, 0, &c), MORGUE_EINVAL);
    ck_assert_ptr_null(c);
    morgue_searcher_close(s);
}
END_TEST

START_TEST(test_search_collapse)
{
    morgue_searcher *s;
    ck_assert_int_eq(morgue_searcher_open(&s, dir, NULL), MORGUE_OK);
    morgue_query_opts o = MORGUE_QUERY_OPTS_INIT;
    o.flags = MORGUE_QUERY_COLLAPSE;
    o.no_snippets = 1;
    morgue_hits *h;
    ck_assert_int_eq(morgue_search(s, "almaty", &o, &h), MORGUE_OK);
    ck_assert_uint_eq(morgue_hits_total(h), 5); /* every match counted */
    uint64_t stories;
    ck_assert_int_eq(morgue_hits_stories(h, &stories), MORGUE_OK);
    ck_assert_uint_eq(stories, 2); /* the report (4 copies) and banks */
    size_t n_hits = 0, folded = 0;
    while (morgue_hits_next(h) == MORGUE_OK) {
        const uint64_t *d;
        size_t n;
        ck_assert_int_eq(morgue_hits_duplicates(h, &d, &n), MORGUE_OK);
        const char *id = id_of(s, morgue_hits_docid(h));
        if (!strcmp(id, "banks"))
            ck_assert_uint_eq(n, 0);
        else
            ck_assert_uint_eq(n, 3);
        for (size_t i = 0; i < n; i++)
            ck_assert_str_ne(id_of(s, d[i]), "banks");
        folded += n;
        n_hits++;
    }
    ck_assert_uint_eq(n_hits, 2);
    ck_assert_uint_eq(folded, 3);
    morgue_hits_free(h);
    /* paging counts stories */
    o.offset = 1;
    ck_assert_int_eq(morgue_search(s, "almaty", &o, &h), MORGUE_OK);
    ck_assert_int_eq(morgue_hits_next(h), MORGUE_OK);
    ck_assert_int_eq(morgue_hits_next(h), MORGUE_ITEROVER);
    morgue_hits_free(h);
    /* without collapsing: no stories, no duplicates */
    o = (morgue_query_opts)MORGUE_QUERY_OPTS_INIT;
    ck_assert_int_eq(morgue_search(s, "almaty", &o, &h), MORGUE_OK);
    ck_assert_int_eq(morgue_hits_stories(h, &stories), MORGUE_ENOTFOUND);
    size_t n_plain = 0;
    while (morgue_hits_next(h) == MORGUE_OK) {
        const uint64_t *d;
        size_t n;
        morgue_hits_duplicates(h, &d, &n);
        ck_assert_uint_eq(n, 0);
        n_plain++;
    }
    ck_assert_uint_eq(n_plain, 5);
    morgue_hits_free(h);
    morgue_searcher_close(s);
}
END_TEST

/* A merge (compact) carries the fingerprint column: stored sketches equal
 * what the body gives, before and after. */
START_TEST(test_fingerprint_survives_merge)
{
    morgue_writer *w;
    ck_assert_int_eq(morgue_writer_open(&w, dir, NULL), MORGUE_OK);
    add(w, "later", "A later segment", report, JAN5 + 5 * DAY);
    ck_assert_int_eq(morgue_writer_commit(w), MORGUE_OK);
    ck_assert_int_eq(morgue_writer_compact(w), MORGUE_OK);
    morgue_writer_close(w);
    morgue_searcher *s;
    ck_assert_int_eq(morgue_searcher_open(&s, dir, NULL), MORGUE_OK);
    morgue_stats st = MORGUE_STATS_INIT;
    morgue_searcher_stats(s, &st);
    ck_assert_uint_eq(st.segments, 1);
    uint8_t want[MORGUE_FINGERPRINT_BYTES], got[MORGUE_FINGERPRINT_BYTES];
    morgue_fingerprint_text(report, strlen(report), want);
    int seen = 0;
    for (uint64_t d = 0; d < st.documents; d++) {
        ck_assert_int_eq(morgue_searcher_fingerprint(s, d, got), MORGUE_OK);
        const char *id = id_of(s, d);
        if (!strcmp(id, "later") || !strcmp(id, "wire")) {
            ck_assert_mem_eq(got, want, sizeof want);
            seen++;
        }
    }
    ck_assert_int_eq(seen, 2);
    ck_assert_int_eq(morgue_searcher_fingerprint(s, st.documents, got),
                     MORGUE_ENOTFOUND);
    ck_assert_int_eq(morgue_index_check(dir, NULL), MORGUE_OK);
    morgue_searcher_close(s);
}
END_TEST

START_TEST(test_similar_leaves_copies_out)
{
    morgue_searcher *s;
    ck_assert_int_eq(morgue_searcher_open(&s, dir, NULL), MORGUE_OK);
    morgue_hits *g;
    ck_assert_int_eq(morgue_searcher_get(s, "troops", &g), MORGUE_OK);
    ck_assert_int_eq(morgue_hits_next(g), MORGUE_OK);
    uint64_t troops = morgue_hits_docid(g);
    morgue_hits_free(g);
    ck_assert_int_eq(morgue_searcher_get(s, "wire", &g), MORGUE_OK);
    ck_assert_int_eq(morgue_hits_next(g), MORGUE_OK);
    uint64_t wire = morgue_hits_docid(g);
    morgue_hits_free(g);
    morgue_hits *h;
    /* like "troops": banks shares its quote, the report its subject */
    ck_assert_int_eq(morgue_similar(s, troops, NULL, &h), MORGUE_OK);
    const char *first = NULL;
    int n = 0;
    while (morgue_hits_next(h) == MORGUE_OK) {
        const char *id = id_of(s, morgue_hits_docid(h));
        ck_assert_str_ne(id, "troops");
        if (!first)
            first = id;
        n++;
    }
    ck_assert_int_gt(n, 0);
    ck_assert_str_eq(first, "banks");
    morgue_hits_free(h);
    /* like the report: its three copies are left out; collapsing folds
     * nothing else here */
    morgue_query_opts o = MORGUE_QUERY_OPTS_INIT;
    o.flags = MORGUE_QUERY_COLLAPSE;
    ck_assert_int_eq(morgue_similar(s, wire, &o, &h), MORGUE_OK);
    n = 0;
    while (morgue_hits_next(h) == MORGUE_OK) {
        const char *id = id_of(s, morgue_hits_docid(h));
        ck_assert(strcmp(id, "wire") && strcmp(id, "same") &&
                  strcmp(id, "headline") && strcmp(id, "cut"));
        n++;
    }
    ck_assert_int_gt(n, 0);
    morgue_hits_free(h);
    ck_assert_int_eq(morgue_similar(s, 999, NULL, &h), MORGUE_ENOTFOUND);
    ck_assert_ptr_null(h);
    morgue_searcher_close(s);
}
END_TEST

/* Periods in order, undated last with no name; the copies one story;
 * stories ranked by size; counts add up to every match. */
START_TEST(test_timeline_periods_and_undated)
{
    morgue_writer *w;
    ck_assert_int_eq(morgue_writer_open(&w, dir, NULL), MORGUE_OK);
    add(w, "undated-1", "Almaty, undated", "Almaty residents queued for "
        "bread as the curfew was lifted for a few hours.", MORGUE_NO_DATE);
    add(w, "undated-2", "Almaty report, no date", report, MORGUE_NO_DATE);
    ck_assert_int_eq(morgue_writer_commit(w), MORGUE_OK);
    morgue_writer_close(w);
    morgue_searcher *s;
    ck_assert_int_eq(morgue_searcher_open(&s, dir, NULL), MORGUE_OK);
    morgue_timeline *t;
    ck_assert_int_eq(morgue_timeline_build(s, "almaty", NULL,
                                           MORGUE_TIMELINE_DAY, &t),
                     MORGUE_OK);
    /* wire+same (Jan 5), headline+banks (Jan 6), cut (Jan 7), undated */
    ck_assert_uint_eq(morgue_timeline_count(t), 4);
    morgue_period p;
    const char *names[] = { "2022-01-05", "2022-01-06", "2022-01-07" };
    const uint64_t counts[] = { 2, 2, 1, 2 };
    uint64_t sum = 0;
    for (size_t i = 0; i < 4; i++) {
        ck_assert_int_eq(morgue_timeline_get(t, i, &p), MORGUE_OK);
        if (i < 3)
            ck_assert_str_eq(p.period, names[i]);
        else
            ck_assert_ptr_null(p.period);
        ck_assert_uint_eq(p.count, counts[i]);
        uint64_t in = 0;
        for (size_t k = 0; k < p.n_stories; k++) {
            in += p.stories[k].count;
            if (k)
                ck_assert_uint_le(p.stories[k].count, p.stories[k - 1].count);
        }
        ck_assert_uint_eq(in, p.count);
        sum += p.count;
    }
    ck_assert_uint_eq(sum, 7);
    /* Jan 6: the copy of the report and the banks story apart; the copy's
     * story runs from Jan 5 to Jan 7 (the copies) */
    morgue_timeline_get(t, 1, &p);
    ck_assert_uint_eq(p.n_stories, 2);
    int saw_report = 0;
    for (size_t k = 0; k < 2; k++)
        if (p.stories[k].last_date == JAN5 + 2 * DAY) {
            ck_assert_int_eq(p.stories[k].first_date, JAN5);
            saw_report = 1;
        }
    ck_assert(saw_report);
    /* undated: the report's undated copy and the other are two stories,
     * with no dates */
    morgue_timeline_get(t, 3, &p);
    ck_assert_uint_eq(p.n_stories, 2);
    ck_assert_int_eq(p.stories[0].first_date, MORGUE_NO_DATE);
    ck_assert_int_eq(morgue_timeline_get(t, 4, &p), MORGUE_EINVAL);
    morgue_timeline_free(t);
    /* weeks (2022-01-03 is the Monday) and months */
    ck_assert_int_eq(morgue_timeline_build(s, "almaty", NULL,
                                           MORGUE_TIMELINE_WEEK, &t),
                     MORGUE_OK);
    ck_assert_uint_eq(morgue_timeline_count(t), 2);
    morgue_timeline_get(t, 0, &p);
    ck_assert_str_eq(p.period, "2022-01-03");
    ck_assert_uint_eq(p.count, 5);
    morgue_timeline_free(t);
    ck_assert_int_eq(morgue_timeline_build(s, "almaty", NULL,
                                           MORGUE_TIMELINE_MONTH, &t),
                     MORGUE_OK);
    morgue_timeline_get(t, 0, &p);
    ck_assert_str_eq(p.period, "2022-01");
    morgue_timeline_free(t);
    ck_assert_int_eq(morgue_timeline_build(s, "almaty", NULL, 9, &t),
                     MORGUE_EINVAL);
    ck_assert_int_eq(morgue_timeline_build(s, "\"unclosed", NULL,
                                           MORGUE_TIMELINE_DAY, &t),
                     MORGUE_EQUERY);
    morgue_searcher_close(s);
}
END_TEST

/* Recency: the newer of two equal copies ranks first, by the documented
 * factor; undated articles get half. */
START_TEST(test_recency_blend)
{
    morgue_searcher *s;
    ck_assert_int_eq(morgue_searcher_open(&s, dir, NULL), MORGUE_OK);
    morgue_query_opts o = MORGUE_QUERY_OPTS_INIT;
    o.no_snippets = 1;
    morgue_hits *h;
    ck_assert_int_eq(morgue_search(s, "tokayev", &o, &h), MORGUE_OK);
    double plain[8];
    uint64_t ids[8];
    size_t n = 0;
    while (morgue_hits_next(h) == MORGUE_OK && n < 8) {
        ids[n] = morgue_hits_docid(h);
        plain[n++] = morgue_hits_score(h);
    }
    morgue_hits_free(h);
    ck_assert_uint_eq(n, 4); /* wire, same, headline, cut */
    o.recency_half_life = 86400;
    o.now = JAN5 + 2 * DAY;
    ck_assert_int_eq(morgue_search(s, "tokayev", &o, &h), MORGUE_OK);
    ck_assert_int_eq(morgue_hits_next(h), MORGUE_OK);
    ck_assert_str_eq(id_of(s, morgue_hits_docid(h)), "cut"); /* newest */
    morgue_hits_free(h);
    ck_assert_int_eq(morgue_search(s, "tokayev", &o, &h), MORGUE_OK);
    while (morgue_hits_next(h) == MORGUE_OK) {
        double base = -1;
        for (size_t i = 0; i < n; i++)
            if (ids[i] == morgue_hits_docid(h))
                base = plain[i];
        double age = (double)(o.now - morgue_hits_date(h));
        double want = base * 0.5 * (1 + pow(2, -age / 86400));
        ck_assert_msg(fabs(morgue_hits_score(h) - want) < 1e-9 * want,
                      "%.17g vs %.17g", morgue_hits_score(h), want);
    }
    morgue_hits_free(h);
    o.recency_half_life = -1;
    ck_assert_int_eq(morgue_search(s, "tokayev", &o, &h), MORGUE_EINVAL);
    morgue_searcher_close(s);
}
END_TEST

static Suite *stories_suite(void)
{
    Suite *s = suite_create("stories");
    TCase *tc = tcase_create("near-duplicates");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_fingerprint_corners);
    tcase_add_test(tc, test_fingerprint_vector);
    tcase_add_test(tc, test_dups_clusters);
    tcase_add_test(tc, test_search_collapse);
    tcase_add_test(tc, test_fingerprint_survives_merge);
    tcase_add_test(tc, test_similar_leaves_copies_out);
    tcase_add_test(tc, test_timeline_periods_and_undated);
    tcase_add_test(tc, test_recency_blend);
    suite_add_tcase(s, tc);
    return s;
}

MORGUE_CHECK_MAIN(stories_suite)
