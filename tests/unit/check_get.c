/* check_get.c: morgue_searcher_get() finds articles by identity, by the
 * file they came from and by URL; MORGUE_FIELD_PATH is the file, apart
 * from the URL; deleted articles are not found. */
#include <stdint.h>

#include "check_main.h"
#include "morgue.h"
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

static Suite *get_suite(void)
{
    Suite *s = suite_create("get");
    TCase *tc = tcase_create("lookup");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_get_by_id_path_and_url);
    tcase_add_test(tc, test_get_path_field_is_the_file);
    tcase_add_test(tc, test_get_deleted_is_gone);
    suite_add_tcase(s, tc);
    return s;
}

MORGUE_CHECK_MAIN(get_suite)
