/* check_corrupt.c: damage every kind of index file (segment, MANIFEST,
 * deletion file, file table) by flipping bytes at many offsets and by
 * truncating it at many lengths. morgue_index_check must report every
 * change (MORGUE_ECORRUPT, or MORGUE_EVERSION for a version field);
 * opening a searcher or a writer and searching must give MORGUE_ECORRUPT
 * (or EVERSION) or a working index, and never crash or hang. */
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_main.h"
#include "index/format.h"
#include "index/segment.h"
#include "morgue.h"
#include "updutil.h"

static char *dir, *src;

/* Two segments, one with deletions, and a file table. */
static void build(void)
{
    dir = tu_tempdir("corrupt");
    src = tu_tempdir("csrc");
    for (int i = 0; i < 40; i++) {
        char name[32], body[160];
        snprintf(name, sizeof name, "f%02d.txt", i);
        snprintf(body, sizeof body, "Story %d about the harbour\n\ncommon "
                 "words w%d and more words for the body %d\n", i, i, i * 7);
        uu_write(src, name, body);
    }
    morgue_writer_opts wo = MORGUE_WRITER_OPTS_INIT;
    wo.merge_factor = 1;
    morgue_writer *w;
    ck_assert_int_eq(morgue_writer_open(&w, dir, &wo), MORGUE_OK);
    ck_assert_int_eq(morgue_writer_add_path(w, src, NULL, NULL), MORGUE_OK);
    ck_assert_int_eq(morgue_writer_commit(w), MORGUE_OK);
    for (int i = 0; i < 5; i++) {
        morgue_article a = MORGUE_ARTICLE_INIT;
        char id[16];
        snprintf(id, sizeof id, "api%d", i);
        a.id = id;
        a.title = "Harbour news";
        a.body = "common harbour body";
        a.date = 1600000000 + i;
        ck_assert_int_eq(morgue_writer_add(w, &a), MORGUE_OK);
    }
    char path[4200];
    snprintf(path, sizeof path, "%s/f03.txt", src);
    ck_assert_int_eq(morgue_writer_delete_path(w, path), MORGUE_OK);
    ck_assert_int_eq(morgue_writer_commit(w), MORGUE_OK);
    morgue_writer_close(w);
    uu_check_clean(dir);
}

static void destroy(void)
{
    tu_rmrf(dir);
    tu_rmrf(src);
    free(dir);
    free(src);
}

/* Path of the (first) file in dir whose name ends with suffix. */
static void find(const char *suffix, char *out, size_t cap)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    out[0] = '\0';
    while ((de = readdir(d)) != NULL) {
        size_t n = strlen(de->d_name), k = strlen(suffix);
        if (n >= k && !strcmp(de->d_name + n - k, suffix)) {
            snprintf(out, cap, "%s/%s", dir, de->d_name);
            break;
        }
    }
    closedir(d);
    ck_assert_msg(out[0], "no *%s file", suffix);
}

static int bad(int rc) { return rc == MORGUE_ECORRUPT || rc == MORGUE_EVERSION; }

/* Whatever opens must keep working or say it is corrupt. */
static void use(void)
{
    morgue_searcher *s;
    int rc = morgue_searcher_open(&s, dir, NULL);
    ck_assert_msg(rc == MORGUE_OK || bad(rc), "searcher open: %d", rc);
    if (rc == MORGUE_OK) {
        morgue_hits *h;
        morgue_stats st = MORGUE_STATS_INIT;
        rc = morgue_searcher_stats(s, &st);
        ck_assert(rc == MORGUE_OK || bad(rc));
        const char *queries[] = { "common harbour", "story", "w17" };
        for (int q = 0; q < 3; q++) {
            rc = morgue_search(s, queries[q], NULL, &h);
            ck_assert_msg(rc == MORGUE_OK || bad(rc), "search: %d", rc);
            while (rc == MORGUE_OK && morgue_hits_next(h) == MORGUE_OK) {
                const char *p, *snip;
                size_t n;
                int r1 = morgue_hits_field(h, MORGUE_FIELD_BODY, &p, &n);
                int r2 = morgue_hits_snippet(h, &snip);
                ck_assert_msg(r1 == MORGUE_OK || bad(r1), "field: %d %s", r1,
                              morgue_searcher_errmsg(s));
                ck_assert(r2 == MORGUE_OK || bad(r2));
            }
            if (rc == MORGUE_OK)
                morgue_hits_free(h);
        }
        morgue_searcher_close(s);
    }
    morgue_writer *w;
    rc = morgue_writer_open(&w, dir, NULL);
    ck_assert_msg(rc == MORGUE_OK || bad(rc), "writer open: %d", rc);
    morgue_writer_close(w);
}

static uint8_t *slurp(const char *path, size_t *n)
{
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    *n = (size_t)st.st_size;
    uint8_t *p = malloc(*n + 1);
    int fd = open(path, O_RDONLY);
    ck_assert_int_eq(read(fd, p, *n), (ssize_t)*n);
    close(fd);
    return p;
}

static void put(const char *path, const uint8_t *p, size_t n)
{
    int fd = open(path, O_WRONLY | O_TRUNC);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, p, n), (ssize_t)n);
    close(fd);
}

/* The check must notice; reading must survive (tried on every use_every-th
 * damage: opening and searching cost more than checking). */
static void expect_detected(const char *path, const char *what, size_t at,
                            int try_use)
{
    int rc = morgue_index_check(dir, NULL);
    ck_assert_msg(bad(rc), "%s: %s at %zu not detected (rc %d)", path, what,
                  at, rc);
    ck_assert_str_ne(morgue_last_errmsg(), "");
    if (try_use)
        use();
}

/* Flips bytes (all of a small file; the ends and a sample of a large
 * one), then truncates at many lengths; searches after every use_every-th
 * flip and every truncation. */
static void damage(const char *path, size_t sample, size_t use_every,
                   uint64_t seed)
{
    size_t n;
    uint8_t *orig = slurp(path, &n), *cur = malloc(n + 1);
    memcpy(cur, orig, n);
    size_t rounds = n <= sample ? n : sample;
    for (size_t r = 0; r < rounds; r++) {
        size_t at = n <= sample ? r
                    : r < 64   ? r
                    : r < 128  ? n - 1 - (r - 64)
                               : (size_t)(tu_rand(&seed) % n);
        cur[at] ^= (uint8_t)(1 + tu_rand(&seed) % 255);
        put(path, cur, n);
        expect_detected(path, "flipped byte", at, r % use_every == 0);
        cur[at] = orig[at];
    }
    for (size_t k = 0; k < 40 && k < n; k++) {
        size_t len = k == 0 ? 0 : k == 1 ? n - 1 : (size_t)(tu_rand(&seed) %
                                                            n);
        put(path, orig, len);
        expect_detected(path, "truncation", len, 1);
    }
    put(path, orig, n);
    uu_check_clean(dir);
    free(orig);
    free(cur);
}

START_TEST(test_corrupt_manifest)
{
    build();
    char path[4200];
    snprintf(path, sizeof path, "%s/MANIFEST", dir);
    damage(path, 100000, 1, 1);
    destroy();
}
END_TEST

START_TEST(test_corrupt_deletion_file)
{
    build();
    char path[4200];
    find(".del", path, sizeof path);
    damage(path, 100000, 1, 2);
    destroy();
}
END_TEST

START_TEST(test_corrupt_file_table)
{
    build();
    char path[4200];
    find(".mft", path, sizeof path);
    damage(path, 100000, 2, 3);
    destroy();
}
END_TEST

START_TEST(test_corrupt_segment)
{
    build();
    char path[4200];
    find(".mseg", path, sizeof path);
    damage(path, 100000, 9, 4); /* every byte */
    destroy();
}
END_TEST

/* The parts a segment verifies on first use, not at open (each
 * dictionary block, the identities, the fingerprints, the dictionary's
 * first keys, the columns; check_stored does the zstd dictionaries):
 * damaged, the searcher still opens, and what reads them fails with
 * MORGUE_ECORRUPT instead of answering from the damaged bytes. */
enum { PART_TDIC, PART_IDNT, PART_FP, PART_TDFK, PART_DLEN, PART_TLEN,
       PART_DATE, PART_DOFF, PART_LANG, PART_END };
static const uint32_t part_tag[PART_END] = {
    [PART_IDNT] = SEC_IDNT, [PART_FP] = SEC_FPH0, [PART_TDFK] = SEC_TDFK,
    [PART_DLEN] = SEC_DLEN, [PART_TLEN] = SEC_TLEN, [PART_DATE] = SEC_DATE,
    [PART_DOFF] = SEC_DOFF, [PART_LANG] = SEC_LANG
};

/* A search that reads nothing of the damaged part works; rc of one that
 * needs it. */
static int use_column(morgue_searcher *s, int part)
{
    morgue_hits *h = NULL;
    morgue_query_opts o = MORGUE_QUERY_OPTS_INIT;
    o.no_snippets = 1;
    if (part == PART_DLEN || part == PART_TLEN) /* every ranked search */
        return morgue_search(s, "common harbour", &o, &h);
    o.no_snippets = part != PART_LANG;
    ck_assert_int_eq(morgue_search(s, "harbour", &o, &h), MORGUE_OK);
    if (part == PART_LANG) {
        ck_assert_int_eq(morgue_hits_next(h), MORGUE_OK);
        const char *snip; /* a snippet's stemmer reads it */
        ck_assert_int_eq(morgue_hits_snippet(h, &snip), MORGUE_ECORRUPT);
        ck_assert_ptr_nonnull(strstr(morgue_hits_errmsg(h), "LANG"));
        morgue_hits_free(h);
        h = NULL;
        o.facet_langs = 1;
        int rc = morgue_search(s, "harbour", &o, &h);
        ck_assert_ptr_null(h);
        return rc;
    }
    /* a hit's date cannot fail: the morgue_hits_next() that makes the hit
     * current checks its date's page and fails instead */
    ck_assert_int_eq(morgue_hits_next(h), MORGUE_ECORRUPT);
    ck_assert_ptr_nonnull(strstr(morgue_hits_errmsg(h), "checksum"));
    ck_assert(morgue_hits_date(h) == MORGUE_NO_DATE);
    morgue_hits_free(h);
    h = NULL;
    o.sort = MORGUE_SORT_DATE; /* reads DATE, not DOFF */
    int rc = morgue_search(s, "harbour", &o, &h);
    if (part == PART_DOFF) {
        ck_assert_int_eq(rc, MORGUE_OK);
        morgue_hits_free(h);
        h = NULL;
        o.sort = MORGUE_SORT_RELEVANCE;
        o.date_from = 0; /* the local date: DATE and DOFF */
        return morgue_search(s, "harbour", &o, &h);
    }
    ck_assert_ptr_null(h);
    if (rc != MORGUE_ECORRUPT)
        return rc;
    morgue_stats st = MORGUE_STATS_INIT; /* the dates' range */
    ck_assert_int_eq(morgue_searcher_stats(s, &st), MORGUE_ECORRUPT);
    o.sort = MORGUE_SORT_RELEVANCE;
    o.date_from = 0;
    return morgue_search(s, "harbour", &o, &h);
}

/* Flips one byte of the part in every segment file of dir. */
static void damage_part(int part, char **files, size_t n_files,
                        uint8_t **orig, size_t *len)
{
    for (size_t f = 0; f < n_files; f++) {
        segment sg;
        errmsg e;
        ck_assert_int_eq(segment_open(&sg, files[f], 0, &e), MORGUE_OK);
        ck_assert_msg(sg.tdck, "%s: no TDCK", files[f]);
        uint8_t *cur = malloc(len[f] + 1);
        memcpy(cur, orig[f], len[f]);
        if (part == PART_TDIC) {
            for (uint32_t b = 0; b < sg.tdic_blocks; b++) {
                uint32_t end = b + 1 < sg.tdic_blocks
                                   ? seg_u32le(sg.tdic_index + 4 * b + 4)
                                   : (uint32_t)(sg.tdic_index - sg.tdic);
                cur[(size_t)(sg.tdic - sg.map) + end - 1] ^= 0x21;
            }
        } else {
            const uint8_t *p;
            size_t n;
            ck_assert_msg(segment_section(&sg, part_tag[part], &p, &n) == 0,
                          "part %d: no section", part);
            cur[(size_t)(p - sg.map) + n - 3] ^= 0x21;
        }
        segment_close(&sg);
        put(files[f], cur, len[f]);
        free(cur);
    }
}

START_TEST(test_corrupt_lazy_parts)
{
    build();
    char *files[8];
    uint8_t *orig[8];
    size_t len[8], n_files = 0;
    DIR *d = opendir(dir);
    struct dirent *de;
    while ((de = readdir(d)) != NULL && n_files < 8) {
        size_t n = strlen(de->d_name);
        if (n < 5 || strcmp(de->d_name + n - 5, ".mseg"))
            continue;
        files[n_files] = malloc(4200);
        snprintf(files[n_files], 4200, "%s/%s", dir, de->d_name);
        orig[n_files] = slurp(files[n_files], &len[n_files]);
        n_files++;
    }
    closedir(d);
    ck_assert_uint_eq(n_files, 2);
    for (int part = PART_TDIC; part < PART_END; part++) {
        damage_part(part, files, n_files, orig, len);
        morgue_searcher *s;
        ck_assert_int_eq(morgue_searcher_open(&s, dir, NULL), MORGUE_OK);
        morgue_hits *h = NULL;
        morgue_query_opts o = MORGUE_QUERY_OPTS_INIT;
        int rc;
        if (part == PART_TDIC || part == PART_TDFK) {
            rc = morgue_search(s, "common harbour", NULL, &h);
        } else if (part == PART_IDNT) {
            rc = morgue_searcher_get(s, "api1", &h);
        } else if (part >= PART_DLEN) {
            rc = use_column(s, part);

        } else {
            /* a plain search does not read them; folding does */
            ck_assert_int_eq(morgue_search(s, "harbour", NULL, &h),
                             MORGUE_OK);
            morgue_hits_free(h);
            h = NULL;
            o.flags = MORGUE_QUERY_COLLAPSE;
            rc = morgue_search(s, "harbour", &o, &h);
        }
        ck_assert_msg(rc == MORGUE_ECORRUPT, "part %d: rc %d (%s)", part, rc,
                      morgue_searcher_errmsg(s));
        ck_assert_ptr_null(h);
        morgue_searcher_close(s);
        ck_assert(bad(morgue_index_check(dir, NULL)));
        for (size_t f = 0; f < n_files; f++)
            put(files[f], orig[f], len[f]);
    }
    uu_check_clean(dir);
    for (size_t f = 0; f < n_files; f++) {
        free(files[f]);
        free(orig[f]);
    }
    destroy();
}
END_TEST

/* Columns verified a page at a time (CPAG): one flipped byte in a page
 * fails exactly the queries that read a value of that page, at the read,
 * and leaves every other query's answer as it was; `morgue check`
 * reports it. Word wN is in document N alone (one segment, documents in
 * the order added); a DLEN page holds 1024 documents, a DATE page 512. */
static char ids_err[1024]; /* the message of ids_of's failure */

static int ids_of(morgue_searcher *s, const char *q, char *out, size_t cap)
{
    morgue_hits *h = NULL;
    morgue_query_opts o = MORGUE_QUERY_OPTS_INIT;
    o.no_snippets = 1;
    int rc = morgue_search(s, q, &o, &h);
    size_t n = 0;
    out[0] = '\0';
    while (rc == MORGUE_OK && (rc = morgue_hits_next(h)) == MORGUE_OK) {
        const char *id;
        size_t len;
        ck_assert_int_eq(morgue_hits_field(h, MORGUE_FIELD_ID, &id, &len),
                         MORGUE_OK);
        n += (size_t)snprintf(out + n, cap - n, "%.*s@%lld ", (int)len, id,
                              (long long)morgue_hits_date(h));
        ck_assert_uint_lt(n, cap);
    }
    snprintf(ids_err, sizeof ids_err, "%s",
             h ? morgue_hits_errmsg(h) : morgue_searcher_errmsg(s));
    morgue_hits_free(h);
    return rc == MORGUE_ITEROVER ? MORGUE_OK : rc;
}

START_TEST(test_corrupt_column_page)
{
    dir = tu_tempdir("cpage");
    src = tu_tempdir("cpsrc");
    morgue_writer *w;
    ck_assert_int_eq(morgue_writer_open(&w, dir, NULL), MORGUE_OK);
    for (int i = 0; i < 3000; i++) {
        morgue_article a = MORGUE_ARTICLE_INIT;
        char id[16], body[64];
        snprintf(id, sizeof id, "d%d", i);
        snprintf(body, sizeof body, "common w%d words", i);
        a.id = id;
        a.title = "Page news";
        a.body = body;
        a.date = 1600000000 + 3600 * (int64_t)i;
        ck_assert_int_eq(morgue_writer_add(w, &a), MORGUE_OK);
    }
    ck_assert_int_eq(morgue_writer_commit(w), MORGUE_OK);
    morgue_writer_close(w);
    char path[4200];
    find(".mseg", path, sizeof path);
    size_t n;
    uint8_t *orig = slurp(path, &n);
    static const struct { uint32_t tag; unsigned width; } cols[] = {
        { SEC_DLEN, 4 }, { SEC_TLEN, 4 }, { SEC_DATE, 8 }
    };
    char good[4096], near_[4096], got[4096];
    morgue_searcher *s;
    ck_assert_int_eq(morgue_searcher_open(&s, dir, NULL), MORGUE_OK);
    ck_assert_int_eq(ids_of(s, "w10", good, sizeof good), MORGUE_OK);
    morgue_searcher_close(s);
    for (size_t c = 0; c < 3; c++) {
        segment sg;
        errmsg e;
        ck_assert_int_eq(segment_open(&sg, path, 0, &e), MORGUE_OK);
        ck_assert_msg(sg.cpag, "no CPAG");
        const uint8_t *p;
        size_t len;
        ck_assert_int_eq(segment_section(&sg, cols[c].tag, &p, &len), 0);
        size_t off = (size_t)(p - sg.map), wd = cols[c].width;
        segment_close(&sg);
        /* pages follow the file's: 2100's, and the last document of the
         * page before it */
        size_t page = (off % 4096 + 2100 * wd) / 4096;
        size_t prev = (page * 4096 - off % 4096) / wd - 1;
        char near_q[32], want[64];
        snprintf(near_q, sizeof near_q, "w%zu", prev);
        ck_assert_int_eq(morgue_searcher_open(&s, dir, NULL), MORGUE_OK);
        ck_assert_int_eq(ids_of(s, near_q, near_, sizeof near_), MORGUE_OK);
        snprintf(want, sizeof want, "d%zu@%lld ", prev,
                 1600000000 + 3600 * (long long)prev);
        ck_assert_str_eq(near_, want);
        morgue_searcher_close(s);
        uint8_t *cur = malloc(n);
        memcpy(cur, orig, n);
        cur[off + 2100 * wd + 1] ^= 0x40; /* document 2100's value */
        put(path, cur, n);
        free(cur);
        ck_assert_int_eq(morgue_searcher_open(&s, dir, NULL), MORGUE_OK);
        /* pages read by nothing damaged: the same answers */
        ck_assert_int_eq(ids_of(s, "w10", got, sizeof got), MORGUE_OK);
        ck_assert_str_eq(got, good);
        ck_assert_int_eq(ids_of(s, near_q, got, sizeof got), MORGUE_OK);
        ck_assert_str_eq(got, near_);
        /* the damaged page: an error where it is read, no answer (the
         * date: at the morgue_hits_next() of its hit) */
        int rc = ids_of(s, "w2100", got, sizeof got);
        ck_assert_msg(rc == MORGUE_ECORRUPT, "column %zu: rc %d", c, rc);
        ck_assert_str_eq(got, "");
        snprintf(want, sizeof want, "column %.4s page %zu ",
                 (const char *)&cols[c].tag, page);
        ck_assert_msg(strstr(ids_err, want), "%s", ids_err);
        morgue_searcher_close(s);
        ck_assert(bad(morgue_index_check(dir, NULL)));
        ck_assert_ptr_nonnull(strstr(morgue_last_errmsg(), "checksum"));
        put(path, orig, n);
    }
    ck_assert_int_eq(morgue_index_check(dir, NULL), MORGUE_OK);
    free(orig);
    destroy();
}
END_TEST

/* A file MANIFEST names, gone while MANIFEST stays: not a commit racing
 * the reader, so the searcher and check both call it corruption at once
 * (index/snapshot.c, snapshot_retry), in the same words. */
START_TEST(test_corrupt_missing_file)
{
    static const char *kinds[] = { ".mseg", ".del", ".mft" };
    for (int k = 0; k < 3; k++) {
        build();
        char path[4200];
        find(kinds[k], path, sizeof path);
        ck_assert_int_eq(unlink(path), 0);
        morgue_searcher *s = (morgue_searcher *)1;
        ck_assert_int_eq(morgue_searcher_open(&s, dir, NULL),
                         MORGUE_ECORRUPT);
        ck_assert_ptr_nonnull(strstr(morgue_last_errmsg(),
                                     "a file named by MANIFEST is missing"));
        ck_assert_ptr_nonnull(strstr(morgue_last_errmsg(),
                                     strrchr(path, '/') + 1));
        morgue_check_result r = MORGUE_CHECK_RESULT_INIT;
        ck_assert_int_eq(morgue_index_check(dir, &r), MORGUE_ECORRUPT);
        ck_assert_ptr_nonnull(strstr(morgue_last_errmsg(),
                                     "a file named by MANIFEST is missing"));
        destroy();
    }
}
END_TEST

static Suite *corrupt_suite(void)
{
    Suite *s = suite_create("corrupt");
    TCase *tc = tcase_create("files");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_corrupt_manifest);
    tcase_add_test(tc, test_corrupt_deletion_file);
    tcase_add_test(tc, test_corrupt_file_table);
    tcase_add_test(tc, test_corrupt_segment);
    tcase_add_test(tc, test_corrupt_lazy_parts);
    tcase_add_test(tc, test_corrupt_column_page);
    tcase_add_test(tc, test_corrupt_missing_file);
    suite_add_tcase(s, tc);
    return s;
}

MORGUE_CHECK_MAIN(corrupt_suite)
