/* check_fault.c: failures injected into a whole update (open, add_path
 * over changed, new and vanished files, adds that replace, a delete, a
 * commit, a compaction): the N-th allocation fails, for N = 1, 2, ...
 * until the update gets through; then the N-th write, fsync or rename.
 * Every run must return an error (never crash), free everything it
 * allocated, and leave an index that passes morgue_index_check with the
 * articles of the previous commit or of the new one, nothing in between.
 * A commit that failed can be retried on the same writer. */
#include <limits.h>
#include <unistd.h>

#include "check_main.h"
#include "failwrap.h"
#include "morgue.h"
#include "updutil.h"

typedef struct fixture {
    char *base;   /* the index before the update */
    char *src;    /* the folder it was built from, since edited */
    char *dir;    /* a copy of base each run works on */
    uint64_t base_docs, new_docs;
} fixture;

static void sh(const char *fmt, const char *a, const char *b)
{
    char cmd[9000];
    snprintf(cmd, sizeof cmd, fmt, a, b);
    ck_assert_int_eq(system(cmd), 0);
}

static void file(const char *src, const char *name, const char *body)
{
    uu_write(src, name, body);
}

static void setup(fixture *f)
{
    f->base = tu_tempdir("fbase");
    f->src = tu_tempdir("fsrc");
    f->dir = tu_tempdir("fdir");
    file(f->src, "a.txt", "Harbour flood\n\ncommon water rose\n");
    file(f->src, "b.txt", "Pilots strike\n\ncommon pilots walked out\n");
    file(f->src, "c.jsonl", "{\"id\": \"j1\", \"title\": \"One\", \"body\": "
         "\"common first\"}\n{\"id\": \"j2\", \"title\": \"Two\", "
         "\"body\": \"common second\"}\n");
    morgue_writer *w;
    ck_assert_int_eq(morgue_writer_open(&w, f->base, NULL), MORGUE_OK);
    ck_assert_int_eq(morgue_writer_add_path(w, f->src, NULL, NULL),
                     MORGUE_OK);
    ck_assert_int_eq(morgue_writer_commit(w), MORGUE_OK);
    morgue_writer_close(w);
    f->base_docs = uu_stats(f->base).documents;
    /* what the update will find */
    file(f->src, "a.txt", "Harbour flood\n\ncommon water rose higher\n");
    sh("rm -f '%s/b.txt'%s", f->src, "");
    file(f->src, "d/e.txt", "Markets calm\n\ncommon quiet day\n");
}

static void teardown(fixture *f)
{
    tu_rmrf(f->base);
    tu_rmrf(f->src);
    tu_rmrf(f->dir);
    free(f->base);
    free(f->src);
    free(f->dir);
}

static void add(morgue_writer *w, const char *id, const char *body,
                int *rc)
{
    morgue_article a = MORGUE_ARTICLE_INIT;
    a.id = id;
    a.title = "Wire";
    a.body = body;
    if (*rc == MORGUE_OK)
        *rc = morgue_writer_add(w, &a);
}

/* The update; returns the first error. */
static int update(const fixture *f)
{
    morgue_writer_opts wo = MORGUE_WRITER_OPTS_INIT;
    wo.merge_factor = 2;
    /* failwrap's counters and live set are not thread-safe: the storing
     * thread (--threads) would race them */
    wo.threads = 1;
    morgue_writer *w;
    int rc = morgue_writer_open(&w, f->dir, &wo);
    if (rc)
        return rc;
    rc = morgue_writer_add_path(w, f->src, NULL, NULL);
    add(w, "j1", "common replaced through the API", &rc);
    add(w, "n1", "common new one", &rc);
    add(w, "n2", "common new two", &rc);
    if (rc == MORGUE_OK)
        rc = morgue_writer_delete(w, "j2");
    if (rc == MORGUE_OK)
        rc = morgue_writer_commit(w);
    if (rc == MORGUE_OK)
        rc = morgue_writer_compact(w);
    morgue_writer_close(w);
    return rc;
}

static void reset(const fixture *f)
{
    char cmd[13000];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && cp -a '%s' '%s'", f->dir,
             f->base, f->dir);
    ck_assert_int_eq(system(cmd), 0);
}

/* The update with the n-th call of kind failing; checks what it left.
 * Returns 1 when nothing failed (n is past the update's last call). */
static int run_one(fixture *f, int kind, long n, char **expect)
{
    reset(f);
    long live = fw_live();
    fw_arm(kind, n);
    int rc = update(f);
    int fired = fw_fired;
    fw_disarm();
    if (rc != MORGUE_OK && rc != MORGUE_ERROR &&
        rc != (kind == FW_ALLOC ? MORGUE_ENOMEM : MORGUE_EIO))
        ck_abort_msg("failure %ld gave %d: %s", n, rc,
                     morgue_last_errmsg());
    ck_assert_msg(fired || rc == MORGUE_OK, "clean run failed: %d", rc);
    ck_assert_msg(fw_live() == live, "failure %ld leaked %ld blocks", n,
                  fw_live() - live);
    uu_check_clean(f->dir);
    char *got = uu_hits_in(f->dir, "common", 0);
    ck_assert_ptr_nonnull(got);
    ck_assert_msg(!strcmp(got, expect[0]) || !strcmp(got, expect[1]),
                  "failure %ld left neither commit:\n%s", n, got);
    free(got);
    return !fired;
}

/* Runs failure 1, 2, ... up to the number of calls a clean update makes
 * (which may vary by a few between runs), then one clean run more.
 * Returns the number of failure points tried. */
static long run_all(fixture *f, int kind)
{
    char *expect[2];
    reset(f);
    expect[0] = uu_hits_in(f->dir, "common", 0);
    fw_arm(kind, LONG_MAX); /* counts the calls of a clean run */
    ck_assert_int_eq(update(f), MORGUE_OK);
    long calls = LONG_MAX - fw_countdown;
    fw_disarm();
    expect[1] = uu_hits_in(f->dir, "common", 0);
    long n = 1;
    for (; n <= calls + 2; n++)
        run_one(f, kind, n, expect);
    ck_assert(run_one(f, kind, calls + 1000, expect)); /* nothing fails */
    free(expect[0]);
    free(expect[1]);
    return n - 1;
}

START_TEST(test_fault_allocations)
{
    fixture f;
    setup(&f);
    printf("allocation failures: %ld points\n", run_all(&f, FW_ALLOC));
    teardown(&f);
}
END_TEST

START_TEST(test_fault_io)
{
    fixture f;
    setup(&f);
    printf("write/fsync/rename failures: %ld points\n",
           run_all(&f, FW_IO));
    teardown(&f);
}
END_TEST

/* A commit that failed leaves the writer able to commit again. */
START_TEST(test_fault_commit_retry)
{
    fixture f;
    setup(&f);
    for (long n = 1; n < 8; n++) {
        reset(&f);
        morgue_writer *w;
        ck_assert_int_eq(morgue_writer_open(&w, f.dir, NULL), MORGUE_OK);
        int rc = MORGUE_OK;
        add(w, "r1", "common retried", &rc);
        ck_assert_int_eq(morgue_writer_delete(w, "j1"), MORGUE_OK);
        fw_arm(FW_IO, n);
        rc = morgue_writer_commit(w);
        fw_disarm();
        ck_assert(rc == MORGUE_OK || rc == MORGUE_EIO);
        ck_assert_int_eq(morgue_writer_commit(w), MORGUE_OK); /* retry */
        morgue_writer_close(w);
        uu_check_clean(f.dir);
        char *got = uu_hits_in(f.dir, "common", 0);
        ck_assert_ptr_nonnull(strstr(got, "r1\n"));
        ck_assert_ptr_null(strstr(got, "j1\n"));
        free(got);
    }
    teardown(&f);
}
END_TEST

static Suite *fault_suite(void)
{
    Suite *s = suite_create("fault");
    TCase *tc = tcase_create("inject");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_fault_allocations);
    tcase_add_test(tc, test_fault_io);
    tcase_add_test(tc, test_fault_commit_retry);
    suite_add_tcase(s, tc);
    return s;
}

MORGUE_CHECK_MAIN(fault_suite)
