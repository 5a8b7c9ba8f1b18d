/* check_concurrent.c: readers during writes. A writer process replaces
 * and deletes-then-re-adds articles, commits, and merges (small merge
 * factor, periodic compaction) while another process and four threads of
 * this one search in a loop, opening fresh snapshots and sharing one.
 * Every snapshot must open, and must hold exactly the N articles, each
 * once, with readable stored fields: a commit is seen whole or not at
 * all, and merged-away files never break a reader. */
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check_main.h"
#include "morgue.h"
#include "updutil.h"

#define N 300
#define CYCLES 40

static char *dir, *stop_path, *expected;

static void add(morgue_writer *w, int i, const char *tag)
{
    char id[16], body[96];
    snprintf(id, sizeof id, "c%03d", i);
    snprintf(body, sizeof body, "common %s story w%d", tag, i);
    morgue_article a = MORGUE_ARTICLE_INIT;
    a.id = id;
    a.title = "Concurrent wire";
    a.body = body;
    if (morgue_writer_add(w, &a) != MORGUE_OK)
        _exit(2);
}

/* The writer process: replacements, delete + re-add, merges. */
static void writer_main(void)
{
    uint64_t seed = 17;
    for (int cycle = 1; cycle <= CYCLES; cycle++) {
        morgue_writer_opts wo = MORGUE_WRITER_OPTS_INIT;
        wo.merge_factor = 2;
        wo.wait_seconds = 30;
        morgue_writer *w;
        if (morgue_writer_open(&w, dir, &wo) != MORGUE_OK)
            _exit(3);
        char tag[16];
        snprintf(tag, sizeof tag, "v%d", cycle);
        for (int k = 0; k < 40; k++) {
            int i = (int)(tu_rand(&seed) % N);
            char id[16];
            snprintf(id, sizeof id, "c%03d", i);
            if (k % 4 == 0 && morgue_writer_delete(w, id) != MORGUE_OK)
                _exit(4);
            add(w, i, tag);
        }
        int rc = morgue_writer_commit(w);
        if (rc == MORGUE_OK && cycle % 7 == 0)
            rc = morgue_writer_compact(w);
        morgue_writer_close(w);
        if (rc != MORGUE_OK)
            _exit(5);
    }
    _exit(0);
}

static int stopped(void) { return access(stop_path, F_OK) == 0; }

/* One snapshot: N articles, each once, fields readable. 0 when good. */
static int probe(morgue_searcher *s)
{
    morgue_stats st = MORGUE_STATS_INIT;
    if (morgue_searcher_stats(s, &st) != MORGUE_OK || st.documents != N)
        return 1;
    char *got = uu_hits(s, "common", 0);
    int bad = !got || strcmp(got, expected) != 0;
    free(got);
    return bad;
}

static int probe_dir(void)
{
    morgue_searcher *s;
    if (morgue_searcher_open(&s, dir, NULL) != MORGUE_OK)
        return 1;
    int bad = probe(s);
    morgue_searcher_close(s);
    return bad;
}

/* The searching process: fresh snapshots until told to stop. */
static void searcher_main(void)
{
    long n = 0;
    while (!stopped() || n == 0) {
        if (probe_dir())
            _exit(1);
        n++;
    }
    _exit(0);
}

typedef struct thread_arg {
    morgue_searcher *shared;
    long runs, failures;
} thread_arg;

static void *thread_main(void *p)
{
    thread_arg *a = p;
    while (!stopped() || a->runs == 0) {
        a->failures += probe_dir();
        a->failures += probe(a->shared); /* an old snapshot, shared */
        a->runs++;
    }
    return NULL;
}

static void setup_index(void)
{
    dir = tu_tempdir("conc");
    char *tmp = tu_tempdir("concstop");
    stop_path = malloc(strlen(tmp) + 8);
    sprintf(stop_path, "%s/stop", tmp);
    free(tmp);
    expected = malloc(N * 6 + 1);
    expected[0] = '\0';
    morgue_writer *w;
    ck_assert_int_eq(morgue_writer_open(&w, dir, NULL), MORGUE_OK);
    for (int i = 0; i < N; i++) {
        add(w, i, "v0");
        sprintf(expected + strlen(expected), "c%03d\n", i);
    }
    ck_assert_int_eq(morgue_writer_commit(w), MORGUE_OK);
    morgue_writer_close(w);
}

static int wait_status(pid_t pid)
{
    int st;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

START_TEST(test_concurrent_readers_during_writes)
{
    setup_index();
    morgue_searcher *shared;
    ck_assert_int_eq(morgue_searcher_open(&shared, dir, NULL), MORGUE_OK);
    pid_t writer = fork();
    if (writer == 0)
        writer_main();
    pid_t reader = fork();
    if (reader == 0)
        searcher_main();
    thread_arg args[4];
    pthread_t th[4];
    for (int i = 0; i < 4; i++) {
        args[i] = (thread_arg){ shared, 0, 0 };
        ck_assert_int_eq(pthread_create(&th[i], NULL, thread_main, &args[i]),
                         0);
    }
    int wst = wait_status(writer);
    FILE *f = fopen(stop_path, "w");
    fclose(f);
    long runs = 0, failures = 0;
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        runs += args[i].runs;
        failures += args[i].failures;
    }
    int rst = wait_status(reader);
    morgue_searcher_close(shared);
    printf("concurrent: %ld thread probes, %ld failures\n", runs, failures);
    ck_assert_int_eq(wst, 0);
    ck_assert_int_eq(rst, 0);
    ck_assert_int_eq(failures, 0);
    ck_assert_int_gt(runs, 4);
    uu_check_clean(dir);
    ck_assert_uint_eq(uu_stats(dir).documents, N);
    unlink(stop_path);
    tu_rmrf(dir);
    free(dir);
    free(stop_path);
    free(expected);
}
END_TEST

static Suite *concurrent_suite(void)
{
    Suite *s = suite_create("concurrent");
    TCase *tc = tcase_create("readers");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_concurrent_readers_during_writes);
    suite_add_tcase(s, tc);
    return s;
}

MORGUE_CHECK_MAIN(concurrent_suite)
