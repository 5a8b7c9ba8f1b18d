/* check_get.c: morgue_searcher_get() finds articles by identity, by the
 * file they came from and by URL; MORGUE_FIELD_PATH is the file, apart
 * from the URL, looked up per hit without loading the file table (its
 * lookup file, index/ftlookup.h), or from the table when the lookup is
 * missing or damaged; deleted articles are not found. */
#include <stdint.h>
#include <sys/stat.h>

#include "check_main.h"
#include "index/ftlookup.h"
#include "index/manifest.h"
#include "morgue.h"
#include "searcher/searcher.h"
#include "testutil.h"

static char *dir, *files;

static void put(const char *name, const char *text)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", files, name);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

static void setup(void)
{
    dir = tu_tempdir("get-ix");
    files = tu_tempdir("get-files");
    put("wire.jsonl",
        "{\"id\":\"w1\",\"url\":\"https://wire.example/1\",\"title\":\"One\","
        "\"body\":\"first story\"}\n"
        "{\"id\":\"w2\",\"url\":\"https://wire.example/2\",\"title\":\"Two\","
        "\"body\":\"second story\"}\n");
    put("note.txt", "A note\n\nThe body of the note.\n");
    morgue_writer *w;
    ck_assert_int_eq(morgue_writer_open(&w, dir, NULL), MORGUE_OK);
    ck_assert_int_eq(morgue_writer_add_path(w, files, NULL, NULL), MORGUE_OK);
    morgue_article a = MORGUE_ARTICLE_INIT;
    a.id = "mem-1";
    a.url = "https://mem.example/x";
    a.title = "In memory";
    a.body = "added by a program";
    ck_assert_int_eq(morgue_writer_add(w, &a), MORGUE_OK);
    ck_assert_int_eq(morgue_writer_commit(w), MORGUE_OK);
    morgue_writer_close(w);
}

static void teardown(void)
{
    tu_rmrf(dir);
    tu_rmrf(files);
    free(dir);
    free(files);
}

/* The ids get(key) gives, joined by spaces ("" when not found). */
static const char *get_ids(const char *key)
{
    static char out[256];
    out[0] = '\0';
    morgue_searcher *s;
    ck_assert_int_eq(morgue_searcher_open(&s, dir, NULL), MORGUE_OK);
    morgue_hits *h;
    int rc = morgue_searcher_get(s, key, &h);
    if (rc == MORGUE_ENOTFOUND) {
        ck_assert_ptr_null(h);
        morgue_searcher_close(s);
        return out;
    }
    ck_assert_int_eq(rc, MORGUE_OK);
    while (morgue_hits_next(h) == MORGUE_OK) {
        const char *p;
        size_t n;
        ck_assert_int_eq(morgue_hits_field(h, MORGUE_FIELD_ID, &p, &n),
                         MORGUE_OK);
        snprintf(out + strlen(out), sizeof out - strlen(out), "%s%.*s",
                 out[0] ? " " : "", (int)n, p);
    }
    morgue_hits_free(h);
    morgue_searcher_close(s);
    return out;
}

START_TEST(test_get_by_id_path_and_url)
{
    ck_assert_str_eq(get_ids("w2"), "w2");
    ck_assert_str_eq(get_ids("mem-1"), "mem-1");
    ck_assert_str_eq(get_ids("https://wire.example/1"), "w1");
    ck_assert_str_eq(get_ids("https://mem.example/x"), "mem-1");
    char path[4096];
    snprintf(path, sizeof path, "%s/wire.jsonl", files);
    ck_assert_str_eq(get_ids(path), "w1 w2");
    snprintf(path, sizeof path, "%s/note.txt", files);
    char want[4096];
    snprintf(want, sizeof want, "%s", path); /* no id: the path is it */
    ck_assert_str_eq(get_ids(path), want);
    ck_assert_str_eq(get_ids("w3"), "");
    ck_assert_str_eq(get_ids("https://wire.example/"), "");
}
END_TEST

START_TEST(test_get_path_field_is_the_file)
{
    morgue_searcher *s;
    ck_assert_int_eq(morgue_searcher_open(&s, dir, NULL), MORGUE_OK);
    morgue_hits *h;
    ck_assert_int_eq(morgue_searcher_get(s, "w1", &h), MORGUE_OK);
    ck_assert_int_eq(morgue_hits_next(h), MORGUE_OK);
    const char *p;
    size_t n;
    char want[4096];
    snprintf(want, sizeof want, "%s/wire.jsonl", files);
    ck_assert_int_eq(morgue_hits_field(h, MORGUE_FIELD_PATH, &p, &n),
                     MORGUE_OK);
    ck_assert_int_eq(n, strlen(want));
    ck_assert(!memcmp(p, want, n));
    morgue_hits_field(h, MORGUE_FIELD_URL, &p, &n);
    ck_assert_int_eq(n, strlen("https://wire.example/1"));
    morgue_hits_field(h, MORGUE_FIELD_BODY, &p, &n);
    ck_assert_int_eq(n, strlen("first story"));
    ck_assert_int_eq(morgue_hits_next(h), MORGUE_ITEROVER);
    morgue_hits_free(h);
    /* an article added in memory has no file */
    ck_assert_int_eq(morgue_searcher_get(s, "mem-1", &h), MORGUE_OK);
    ck_assert_int_eq(morgue_hits_next(h), MORGUE_OK);
    ck_assert_int_eq(morgue_hits_field(h, MORGUE_FIELD_PATH, &p, &n),
                     MORGUE_OK);
    ck_assert_int_eq(n, 0);
    morgue_hits_free(h);
    ck_assert_int_eq(morgue_searcher_get(s, "", &h), MORGUE_EINVAL);
    morgue_searcher_close(s);
}
END_TEST

START_TEST(test_get_deleted_is_gone)
{
    morgue_writer *w;
    ck_assert_int_eq(morgue_writer_open(&w, dir, NULL), MORGUE_OK);
    ck_assert_int_eq(morgue_writer_delete(w, "w1"), MORGUE_OK);
    ck_assert_int_eq(morgue_writer_commit(w), MORGUE_OK);
    morgue_writer_close(w);
    ck_assert_str_eq(get_ids("w1"), "");
    ck_assert_str_eq(get_ids("https://wire.example/1"), "");
    char path[4096];
    snprintf(path, sizeof path, "%s/wire.jsonl", files);
    ck_assert_str_eq(get_ids(path), "w2");
}
END_TEST

/* Files f0..f(nf-1) in d, file k with articles "k-0".."k-(per-1)" (the
 * last file's first article moved to the file before, in a second
 * version: an identity another file holds now). */
static void many_files(const char *d, int nf, int per, int moved)
{
    for (int k = 0; k < nf; k++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/f%03d.jsonl", d, k);
        FILE *f = fopen(path, "w");
        ck_assert_ptr_nonnull(f);
        for (int j = moved && k == nf - 1; j < per; j++)
            fprintf(f, "{\"id\":\"%d-%d\",\"title\":\"t\",\"body\":"
                    "\"tankers\"}\n", k, j);
        if (moved && k == nf - 2)
            fprintf(f, "{\"id\":\"%d-0\",\"title\":\"t\",\"body\":"
                    "\"tankers\"}\n", nf - 1);
        fclose(f);
    }
}

/* Every article's MORGUE_FIELD_PATH is its file; 1 when the searcher
 * parsed the file table for it. */
static int paths_right(const char *ix, const char *d, int nf, int per,
                       int moved)
{
    morgue_searcher *s;
    ck_assert_int_eq(morgue_searcher_open(&s, ix, NULL), MORGUE_OK);
    morgue_query_opts o = MORGUE_QUERY_OPTS_INIT;
    o.limit = SIZE_MAX;
    morgue_hits *h;
    ck_assert_int_eq(morgue_search(s, "tankers", &o, &h), MORGUE_OK);
    int n = 0;
    while (morgue_hits_next(h) == MORGUE_OK) {
        const char *p, *q;
        size_t pl, ql;
        ck_assert_int_eq(morgue_hits_field(h, MORGUE_FIELD_ID, &q, &ql),
                         MORGUE_OK);
        ck_assert_int_eq(morgue_hits_field(h, MORGUE_FIELD_PATH, &p, &pl),
                         MORGUE_OK);
        int k, j;
        ck_assert_int_eq(sscanf(q, "%d-%d", &k, &j), 2);
        if (moved && k == nf - 1 && j == 0)
            k = nf - 2;
        char want[4096];
        snprintf(want, sizeof want, "%s/f%03d.jsonl", d, k);
        ck_assert_msg(pl == strlen(want) && !memcmp(p, want, pl),
                      "%.*s: %.*s, not %s", (int)ql, q, (int)pl, p, want);
        n++;
    }
    ck_assert_int_eq(n, nf * per);
    morgue_hits_free(h);
    int parsed = s->ft_state != 0;
    morgue_searcher_close(s);
    return parsed;
}

/* The lookup file of the index's file table. */
static void lookup_file(const char *ix, char *out, size_t cap)
{
    manifest m;
    errmsg e;
    ck_assert_int_eq(manifest_read(&m, ix, &e), MORGUE_OK);
    ftlookup_path(out, cap, ix, m.ftgen);
    manifest_free(&m);
}

START_TEST(test_path_looked_up_per_hit)
{
    char *ix = tu_tempdir("ftl-ix"), *d = tu_tempdir("ftl-files");
    const int nf = 40, per = 50;
    ftlookup_tune(1000); /* 2,000 identities: 25 sorting passes */
    many_files(d, nf, per, 0);
    morgue_writer *w;
    ck_assert_int_eq(morgue_writer_open(&w, ix, NULL), MORGUE_OK);
    ck_assert_int_eq(morgue_writer_add_path(w, d, NULL, NULL), MORGUE_OK);
    ck_assert_int_eq(morgue_writer_commit(w), MORGUE_OK);
    /* a second file table: an article moved to another file */
    many_files(d, nf, per, 1);
    ck_assert_int_eq(morgue_writer_add_path(w, d, NULL, NULL), MORGUE_OK);
    ck_assert_int_eq(morgue_writer_commit(w), MORGUE_OK);
    morgue_writer_close(w);
    ftlookup_tune(0);
    /* by the lookup: the table not parsed */
    ck_assert_int_eq(paths_right(ix, d, nf, per, 1), 0);
    ck_assert_int_eq(morgue_index_check(ix, NULL), MORGUE_OK);
    /* one byte of the lookup changed: check says so, and the paths come
     * from the table instead (its CRC) */
    char path[4096];
    lookup_file(ix, path, sizeof path);
    FILE *f = fopen(path, "r+b");
    ck_assert_ptr_nonnull(f);
    fseek(f, 60, SEEK_SET);
    int c = fgetc(f);
    fseek(f, 60, SEEK_SET);
    fputc(c ^ 0x10, f);
    fclose(f);
    ck_assert_int_eq(morgue_index_check(ix, NULL), MORGUE_ECORRUPT);
    ck_assert_int_eq(paths_right(ix, d, nf, per, 1), 1);
    /* none (an index an older writer wrote): the table parsed */
    ck_assert_int_eq(unlink(path), 0);
    ck_assert_int_eq(paths_right(ix, d, nf, per, 1), 1);
    ck_assert_int_eq(morgue_index_check(ix, NULL), MORGUE_OK);
    tu_rmrf(ix);
    tu_rmrf(d);
    free(ix);
    free(d);
}
END_TEST

static Suite *get_suite(void)
{
    Suite *s = suite_create("get");
    TCase *tc = tcase_create("lookup");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_get_by_id_path_and_url);
    tcase_add_test(tc, test_get_path_field_is_the_file);
    tcase_add_test(tc, test_get_deleted_is_gone);
    suite_add_tcase(s, tc);
    tc = tcase_create("paths");
    tcase_add_test(tc, test_path_looked_up_per_hit);
    suite_add_tcase(s, tc);
    return s;
}

MORGUE_CHECK_MAIN(get_suite)
