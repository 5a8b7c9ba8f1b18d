/* check_compat.c: indexes from other library versions. A version-2 index
 * (tests/data/v2-index, written by the last library of format 2) is read,
 * checked, written to and merged; so is a version-3 index of the last
 * library without PACKTAIL and PFOR (tests/data/v3-index: short blocks as
 * varint pairs, packed blocks without exceptions), postings by postings; feature bits this library does not know
 * make it refuse to write (rocompat) or to read (incompat), in MANIFEST
 * and in a segment; a column it does not know is carried through a merge
 * value by value, unless it is marked must-understand. */
#include <stdint.h>
#include <zlib.h>

#include "check_main.h"
#include "index/codec.h"
#include "index/columns.h"
#include "index/format.h"
#include "index/manifest.h"
#include "index/segment.h"
#include "morgue.h"
#include "postutil.h"
#include "testutil.h"

static char *copy_data(const char *name)
{
    char *dir = tu_tempdir("compat");
    ck_assert_ptr_nonnull(dir);
    char cmd[8400];
    snprintf(cmd, sizeof cmd, "cp '%s'/tests/data/%s/* '%s'/",
             MORGUE_SOURCE_DIR, name, dir);
    ck_assert_int_eq(system(cmd), 0);
    return dir;
}

static char *copy_v2(void)
{
    return copy_data("v2-index");
}

/* Matches of q, and the title of the best hit in title (may be NULL). */
static uint64_t count(const char *dir, const char *q, char *title,
                      size_t cap)
{
    morgue_searcher *s;
    ck_assert_msg(morgue_searcher_open(&s, dir, NULL) == MORGUE_OK, "%s",
                  morgue_last_errmsg());
    morgue_query_opts o = MORGUE_QUERY_OPTS_INIT;
    o.flags = MORGUE_QUERY_COUNT;
    morgue_hits *h;
    ck_assert_int_eq(morgue_search(s, q, &o, &h), MORGUE_OK);
    uint64_t n = morgue_hits_total(h);
    if (title && morgue_hits_next(h) == MORGUE_OK) {
        const char *p;
        size_t len;
        ck_assert_int_eq(morgue_hits_field(h, MORGUE_FIELD_TITLE, &p, &len),
                         MORGUE_OK);
        snprintf(title, cap, "%.*s", (int)len, p);
    }
    morgue_hits_free(h);
    morgue_searcher_close(s);
    return n;
}

#define add(w, id, title, body) \
    tu_add(w, id, title, body, "Compat Wire", 600000000)

static morgue_writer *open_writer(const char *dir)
{
    morgue_writer_opts wo = MORGUE_WRITER_OPTS_INIT;
    wo.merge_factor = 1; /* no automatic merges: the tests decide */
    morgue_writer *w;
    ck_assert_msg(morgue_writer_open(&w, dir, &wo) == MORGUE_OK, "%s",
                  morgue_last_errmsg());
    return w;
}

static void check_ok(const char *dir)
{
    ck_assert_msg(morgue_index_check(dir, NULL) == MORGUE_OK, "%s",
                  morgue_last_errmsg());
}

/* Two segments of five articles each: "alpha" in every one, "beta" in the
 * even ones. */
static char *two_segments(void)
{
    char *dir = tu_tempdir("compat");
    ck_assert_ptr_nonnull(dir);
    morgue_writer *w = open_writer(dir);
    for (int seg = 0; seg < 2; seg++) {
        for (int i = 0; i < 5; i++) {
            char id[32], title[64];
            snprintf(id, sizeof id, "c-%d", seg * 5 + i);
            snprintf(title, sizeof title, "Story %d", seg * 5 + i);
            add(w, id, title, i % 2 ? "alpha gamma" : "alpha beta");
        }
        ck_assert_int_eq(morgue_writer_commit(w), MORGUE_OK);
    }
    morgue_writer_close(w);
    return dir;
}

static uint32_t manifest_version(const char *dir)
{
    manifest m;
    errmsg e;
    ck_assert_int_eq(manifest_read(&m, dir, &e), MORGUE_OK);
    uint32_t v = m.version;
    manifest_free(&m);
    return v;
}

/* Sets word k (0 compat, 1 rocompat, 2 incompat) of a version-3
 * MANIFEST's feature bits and fixes its CRC. */
static void patch_manifest(const char *dir, int k, uint64_t bits)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/MANIFEST", dir);
    FILE *f = fopen(path, "r+b");
    ck_assert_ptr_nonnull(f);
    uint8_t b[4096];
    size_t n = fread(b, 1, sizeof b, f);
    ck_assert_uint_gt(n, 64);
    ck_assert_uint_eq(codec_get_u32le(b + 8), 3);
    for (int i = 0; i < 8; i++)
        b[16 + 8 * k + i] = (uint8_t)(bits >> (8 * i));
    uint32_t crc = (uint32_t)crc32(0L, b, (uInt)(n - 4));
    for (int i = 0; i < 4; i++)
        b[n - 4 + i] = (uint8_t)(crc >> (8 * i));
    rewind(f);
    ck_assert_uint_eq(fwrite(b, 1, n, f), n);
    fclose(f);
}

/* ---- rewriting a segment's sections ---- */

typedef struct edit {
    int feat_word;       /* >= 0: set FEAT word feat_word to feat_bits */
    uint64_t feat_bits;
    uint32_t col_tag;    /* != 0: add this column, width 2 */
    uint8_t col_flags;
    uint64_t col_dflt;
    uint8_t feat[FEAT_SIZE];
    uint8_t cdir[8 + CDIR_ENTRY_SIZE * 32];
    uint8_t col[2 * 64];
} edit;

static uint64_t first_seg_id(const char *dir, size_t i)
{
    manifest m;
    errmsg e;
    ck_assert_int_eq(manifest_read(&m, dir, &e), MORGUE_OK);
    ck_assert_uint_gt(m.n_segs, i);
    uint64_t id = m.segs[i].id;
    manifest_free(&m);
    return id;
}

static void rewrite_segment(const char *dir, uint64_t id, edit *x)
{
    char path[4200], tmp[4300];
    segment_path(path, sizeof path, dir, id);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    segment s;
    errmsg e;
    ck_assert_msg(segment_open(&s, path, id, &e) == MORGUE_OK, "%s", e.text);
    seg_section *secs;
    size_t n;
    ck_assert_int_eq(segment_sections(&s, &secs, &n), MORGUE_OK);
    seg_section *out = calloc(n + 2, sizeof *out);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        seg_section c = secs[i];
        if (c.tag == SEC_FEAT && x->feat_word >= 0) {
            memcpy(x->feat, c.ptr, FEAT_SIZE);
            for (int b = 0; b < 8; b++)
                x->feat[8 * x->feat_word + b] =
                    (uint8_t)(x->feat_bits >> (8 * b));
            c.ptr = x->feat;
        }
        if (c.tag == SEC_CDIR && x->col_tag) {
            ck_assert_uint_lt(c.len + CDIR_ENTRY_SIZE, sizeof x->cdir);
            memcpy(x->cdir, c.ptr, c.len);
            uint32_t cnt = codec_get_u32le(x->cdir) + 1;
            for (int b = 0; b < 4; b++)
                x->cdir[b] = (uint8_t)(cnt >> (8 * b));
            uint8_t *q = x->cdir + c.len;
            memset(q, 0, CDIR_ENTRY_SIZE);
            col_store(q, 4, x->col_tag);
            q[4] = 2;
            q[5] = x->col_flags;
            col_store(q + 8, 8, x->col_dflt);
            c.ptr = x->cdir;
            c.len += CDIR_ENTRY_SIZE;
            ck_assert_uint_le(s.n_docs, 64);
            for (uint32_t d = 0; d < s.n_docs; d++)
                col_store(x->col + 2 * d, 2, 100 + d);
            out[k++] = c;
            c = seg_bytes(x->col_tag, x->col, 2 * (size_t)s.n_docs);
        }
        out[k++] = c;
    }
    ck_assert_int_eq(segment_write_sections(tmp, out, k, FORMAT_VERSION, &e),
                     MORGUE_OK);
    free(out);
    free(secs);
    segment_close(&s);
    ck_assert_int_eq(rename(tmp, path), 0);
}

/* ---- tests ---- */

START_TEST(test_compat_v2_reads)
{
    char *dir = copy_v2();
    char title[128] = "";
    ck_assert_uint_eq(manifest_version(dir), 2);
    ck_assert_uint_eq(count(dir, "oil", title, sizeof title), 2);
    ck_assert_str_eq(title, "Oil prices rise in Rotterdam");
    ck_assert_uint_eq(count(dir, "wheat", NULL, 0), 1); /* v2-2 deleted */
    ck_assert_uint_eq(count(dir, "shipping", NULL, 0), 6);
    ck_assert_uint_eq(count(dir, "date:1987-03-02..1987-03-03", NULL, 0), 1);
    check_ok(dir);
    /* written before UTC offsets were kept: none known, dates are UTC */
    morgue_searcher *sr;
    ck_assert_int_eq(morgue_searcher_open(&sr, dir, NULL), MORGUE_OK);
    morgue_hits *h;
    ck_assert_int_eq(morgue_search(sr, "shipping", NULL, &h), MORGUE_OK);
    int n = 0;
    while (morgue_hits_next(h) == MORGUE_OK) {
        ck_assert_int_eq(morgue_hits_date_offset(h), MORGUE_NO_OFFSET);
        n++;
    }
    ck_assert_int_gt(n, 0);
    morgue_hits_free(h);
    morgue_searcher_close(sr);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

START_TEST(test_compat_v2_writes_and_merges)
{
    char *dir = copy_v2();
    morgue_writer *w = open_writer(dir);
    morgue_article a = MORGUE_ARTICLE_INIT;
    a.id = "new-1";
    a.title = "Oil tankers wait";
    a.body = "More oil waits off Rotterdam.";
    a.date = 600000000;
    a.date_offset = 330; /* +05:30 */
    ck_assert_int_eq(morgue_writer_add(w, &a), MORGUE_OK);
    ck_assert_int_eq(morgue_writer_commit(w), MORGUE_OK);
    ck_assert_uint_eq(manifest_version(dir), 3);
    check_ok(dir); /* a v2 and a v3 segment under a v3 manifest */
    ck_assert_uint_eq(count(dir, "oil", NULL, 0), 3);
    ck_assert_int_eq(morgue_writer_compact(w), MORGUE_OK);
    morgue_writer_close(w);
    check_ok(dir);
    ck_assert_uint_eq(count(dir, "oil", NULL, 0), 3);
    ck_assert_uint_eq(count(dir, "wheat", NULL, 0), 1);
    ck_assert_uint_eq(count(dir, "date:1987-03-02..1987-03-03", NULL, 0), 1);
    segment s;
    errmsg e;
    char path[4200];
    segment_path(path, sizeof path, dir, first_seg_id(dir, 0));
    ck_assert_int_eq(segment_open(&s, path, 0, &e), MORGUE_OK);
    ck_assert_uint_eq(s.version, 3);
    ck_assert_uint_eq(s.n_docs, 10); /* 9 live of v2 + 1 */
    /* the merge gave the v2 articles the offset column's default and
     * kept the new article's offset */
    ck_assert_ptr_nonnull(s.col[COL_DOFF].p);
    int known = 0;
    for (uint32_t d = 0; d < s.n_docs; d++) {
        int off = segment_date_offset(&s, d);
        ck_assert(off == MORGUE_NO_OFFSET || off == 330);
        known += off == 330;
    }
    ck_assert_int_eq(known, 1);
    segment_close(&s);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* tests/data/v3-index.py: how often word w is in article i of 300. */
static uint32_t v3_tf(const void *ud, uint32_t i)
{
    const char *w = ud;
    if (i >= 300)
        return 0;
    if (!strcmp(w, "kilo"))
        return i % 97 == 5 ? 1 + i % 2 : 0;
    if (!strcmp(w, "lima"))
        return i % 7 == 0 ? (i % 5 == 0 ? 4 : 1) : 0;
    if (!strcmp(w, "mike"))
        return 1 + i % 4;
    if (!strcmp(w, "nova"))
        return i % 2 == 1 ? (i % 25 == 1 ? 40 : 1) : 0;
    return !strcmp(w, "oscar") && i == 299;
}

static const char *v3_words[] = { "kilo", "lima", "mike", "nova", "oscar" };

/* Every word's postings in the first segment of dir, of n documents. */
static void v3_check(const char *dir, uint32_t n, int packtail)
{
    segment s;
    errmsg e;
    char path[4200];
    segment_path(path, sizeof path, dir, first_seg_id(dir, 0));
    ck_assert_int_eq(segment_open(&s, path, 0, &e), MORGUE_OK);
    ck_assert_uint_eq(s.n_docs, n);
    ck_assert_int_eq((s.feat.incompat & FEAT_INCOMPAT_PACKTAIL) != 0,
                     packtail);
    ck_assert_int_eq((s.feat.incompat & FEAT_INCOMPAT_PFOR) != 0, packtail);
    for (size_t k = 0; k < sizeof v3_words / sizeof *v3_words; k++)
        pu_check_word(&s, v3_words[k], n, v3_tf, v3_words[k]);
    segment_close(&s);
}

START_TEST(test_compat_v3_short_blocks)
{
    char *dir = copy_data("v3-index");
    v3_check(dir, 300, 0); /* as the older library wrote them */
    ck_assert_uint_eq(count(dir, "kilo", NULL, 0), 4);
    ck_assert_uint_eq(count(dir, "oscar", NULL, 0), 1);
    check_ok(dir);
    morgue_writer *w = open_writer(dir);
    add(w, "v3-new", "Late note", "A late note from the harbour.");
    ck_assert_int_eq(morgue_writer_commit(w), MORGUE_OK);
    ck_assert_int_eq(morgue_writer_compact(w), MORGUE_OK);
    morgue_writer_close(w);
    check_ok(dir);
    v3_check(dir, 301, 1); /* merged: written with PACKTAIL and PFOR */
    ck_assert_uint_eq(count(dir, "mike", NULL, 0), 300);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

START_TEST(test_compat_manifest_features)
{
    char *dir = two_segments();
    const uint64_t unknown = 1ull << 45;
    /* compat: read and write as if absent */
    patch_manifest(dir, 0, unknown);
    ck_assert_uint_eq(count(dir, "alpha", NULL, 0), 10);
    morgue_writer *w = open_writer(dir);
    morgue_writer_close(w);
    /* rocompat: searchable, not writable */
    patch_manifest(dir, 0, 0);
    patch_manifest(dir, 1, unknown);
    ck_assert_uint_eq(count(dir, "beta", NULL, 0), 6);
    check_ok(dir);
    ck_assert_int_eq(morgue_writer_open(&w, dir, NULL), MORGUE_EVERSION);
    ck_assert_ptr_null(w);
    ck_assert_ptr_nonnull(strstr(morgue_last_errmsg(), "refusing to write"));
    /* incompat: neither */
    patch_manifest(dir, 1, 0);
    patch_manifest(dir, 2, unknown);
    morgue_searcher *s;
    ck_assert_int_eq(morgue_searcher_open(&s, dir, NULL), MORGUE_EVERSION);
    ck_assert_ptr_nonnull(strstr(morgue_last_errmsg(),
                                 "incompatible features 0x200000000000"));
    ck_assert_int_eq(morgue_writer_open(&w, dir, NULL), MORGUE_EVERSION);
    ck_assert_int_eq(morgue_index_check(dir, NULL), MORGUE_EVERSION);
    patch_manifest(dir, 2, 0);
    check_ok(dir);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

START_TEST(test_compat_segment_features)
{
    char *dir = two_segments();
    static edit x;
    memset(&x, 0, sizeof x);
    x.feat_word = 1;
    x.feat_bits = 1ull << 33;
    rewrite_segment(dir, first_seg_id(dir, 1), &x);
    ck_assert_uint_eq(count(dir, "alpha", NULL, 0), 10);
    morgue_writer *w;
    ck_assert_int_eq(morgue_writer_open(&w, dir, NULL), MORGUE_EVERSION);
    ck_assert_ptr_nonnull(strstr(morgue_last_errmsg(), "refusing to write"));
    x.feat_word = 2;
    x.feat_bits = 1ull << 33;
    rewrite_segment(dir, first_seg_id(dir, 1), &x);
    morgue_searcher *s;
    ck_assert_int_eq(morgue_searcher_open(&s, dir, NULL), MORGUE_EVERSION);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

START_TEST(test_compat_unknown_column_carried)
{
    char *dir = two_segments();
    static edit x;
    memset(&x, 0, sizeof x);
    x.feat_word = -1;
    x.col_tag = TAG('X', 'T', 'R', 'A');
    x.col_dflt = 7;
    rewrite_segment(dir, first_seg_id(dir, 0), &x);
    check_ok(dir);
    ck_assert_uint_eq(count(dir, "alpha", NULL, 0), 10);
    morgue_writer *w = open_writer(dir);
    ck_assert_int_eq(morgue_writer_delete(w, "c-1"), MORGUE_OK);
    ck_assert_int_eq(morgue_writer_compact(w), MORGUE_OK);
    morgue_writer_close(w);
    check_ok(dir);
    segment s;
    errmsg e;
    char path[4200];
    segment_path(path, sizeof path, dir, first_seg_id(dir, 0));
    ck_assert_int_eq(segment_open(&s, path, 0, &e), MORGUE_OK);
    ck_assert_uint_eq(s.n_docs, 9);
    ck_assert_uint_eq(s.n_carried, 1);
    ck_assert_uint_eq(s.carried[0].tag, x.col_tag);
    ck_assert_uint_eq(s.carried[0].dflt, 7);
    /* documents 0, 2, 3, 4 of the first segment, then five without it */
    static const uint64_t want[9] = { 100, 102, 103, 104, 7, 7, 7, 7, 7 };
    for (uint32_t d = 0; d < 9; d++)
        ck_assert_uint_eq(col_load(s.carried[0].p + 2 * d, 2, 0), want[d]);
    segment_close(&s);
    ck_assert_uint_eq(count(dir, "beta", NULL, 0), 6);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

START_TEST(test_compat_unknown_must_column_refused)
{
    char *dir = two_segments();
    static edit x;
    memset(&x, 0, sizeof x);
    x.feat_word = -1;
    x.col_tag = TAG('X', 'M', 'S', 'T');
    x.col_flags = COL_MUST;
    rewrite_segment(dir, first_seg_id(dir, 0), &x);
    morgue_searcher *s;
    ck_assert_int_eq(morgue_searcher_open(&s, dir, NULL), MORGUE_EVERSION);
    ck_assert_ptr_nonnull(strstr(morgue_last_errmsg(), "must be understood"));
    morgue_writer *w;
    ck_assert_int_eq(morgue_writer_open(&w, dir, NULL), MORGUE_EVERSION);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

static Suite *compat_suite(void)
{
    Suite *s = suite_create("compat");
    TCase *tc = tcase_create("versions_features_columns");
    tcase_add_test(tc, test_compat_v2_reads);
    tcase_add_test(tc, test_compat_v2_writes_and_merges);
    tcase_add_test(tc, test_compat_v3_short_blocks);
    tcase_add_test(tc, test_compat_manifest_features);
    tcase_add_test(tc, test_compat_segment_features);
    tcase_add_test(tc, test_compat_unknown_column_carried);
    tcase_add_test(tc, test_compat_unknown_must_column_refused);
    suite_add_tcase(s, tc);
    return s;
}

MORGUE_CHECK_MAIN(compat_suite)
