/* check_memory.c: `morgue index --memory MB` and `morgue compact
 * --memory MB` keep their peak RSS near MB, and `morgue check` below the
 * index's size,
 * on a feed several times larger, as measured by the kernel (wait4's
 * ru_maxrss of the command), not by the library's own accounting. Before
 * input was streamed, the whole feed sat in memory next to the budget.
 *
 * The feed is generated here (about FEED_MB, JSON Lines, a vocabulary
 * large enough that postings fill the budget several times). */
#include <fcntl.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "check_main.h"
#include "testutil.h"

#define BUDGET_MB 16
/* The bound docs/OPERATIONS.md promises: twice the budget (a flush
 * holds the batch and its serialised segment) plus 40 MB for the program
 * and its libraries (11 MB of them mapped), one input window (4 MiB) and
 * its longest line, the file table and identities, the pages of the
 * segments mapped while looking up identities and merging, with room for
 * run-to-run variation (the storing thread and merge timing): measured
 * 60 MB in session 2; 69-74 MB when segments were written 256 KiB at a
 * time (the page cache's folios then that large, and a fault maps a
 * whole folio: index/segment_write.c OUT_BUF); 64 MB with 64 KiB writes;
 * 120 MB before input was streamed and mapped segments were released. */
#define BOUND_MB (2 * BUDGET_MB + 40)
/* check has no budget option; its bound here: 20 MB for the program and
 * libraries plus 16 MB, below the index's size (49 MB); measured 20-24
 * MB, 16 MB with 64 KiB folios */
#define CHECK_BOUND_MB 36

/* Under AddressSanitizer RSS means shadow memory and quarantine: the
 * bound is checked in plain builds only (the run itself still must
 * succeed). */
/* Several budgets' worth; small under ASan, where only the run counts. */
#define FEED_MB (UNDER_ASAN ? 8 : 48)

static void write_feed(const char *path)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    uint64_t seed = 42, bytes = 0;
    for (int i = 0; bytes < (uint64_t)FEED_MB << 20; i++) {
        int n = fprintf(f, "{\"id\":\"m%d\",\"title\":\"item %d\",\"body\":\"",
                        i, i);
        for (int k = 0; k < 120; k++) { /* words w0..w99999, Zipf-ish */
            uint64_t r = tu_rand(&seed);
            unsigned w = (unsigned)(r % 100000) >> (unsigned)(r >> 60);
            n += fprintf(f, "%sw%u", k ? " " : "", w);
        }
        n += fprintf(f, "\"}\n");
        bytes += (uint64_t)n;
    }
    ck_assert_int_eq(fclose(f), 0);
}

/* Runs argv; its exit status into *status, its peak RSS in KiB back. */
static long run_peak_kb(char *const argv[], int *status)
{
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        execv(argv[0], argv);
        _exit(127);
    }
    struct rusage ru;
    ck_assert_int_eq(wait4(pid, status, 0, &ru), pid);
    return ru.ru_maxrss;
}

START_TEST(test_index_and_compact_peak_rss_within_budget)
{
    char *dir = tu_tempdir("memory"), feed[4096], idx[4096], mb[16];
    snprintf(feed, sizeof feed, "%s/feed.jsonl", dir);
    snprintf(idx, sizeof idx, "%s/index", dir);
    snprintf(mb, sizeof mb, "%d", BUDGET_MB);
    write_feed(feed);
    char *argv[] = { MORGUE_CLI, "index", "--quiet", "--memory", mb,
                     "--index", idx, feed, NULL };
    int status;
    long kb = run_peak_kb(argv, &status);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                  "morgue index exited %d", status);
    fprintf(stderr, "index of a %d MB feed with --memory %d: peak RSS "
            "%ld KiB\n", FEED_MB, BUDGET_MB, kb);
    ck_assert_msg(UNDER_ASAN || kb < (long)BOUND_MB * 1024,
                  "peak RSS %ld KiB over %d MB", kb, BOUND_MB);
    /* compact merges every segment into one: streamed, it stays within
     * the same bound however large the index (it held the whole output
     * before: 283 MB for a 100 MB feed, 84 MB after) */
    char *cargv[] = { MORGUE_CLI, "compact", "--quiet", "--memory", mb,
                      "--index", idx, NULL };
    kb = run_peak_kb(cargv, &status);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                  "morgue compact exited %d", status);
    fprintf(stderr, "compact of it with --memory %d: peak RSS %ld KiB\n",
            BUDGET_MB, kb);
    ck_assert_msg(UNDER_ASAN || kb < (long)BOUND_MB * 1024,
                  "compact: peak RSS %ld KiB over %d MB", kb, BOUND_MB);
    /* check reads the whole (now one) segment: it drops the pages it has
     * read as it goes, so it holds its per-article tables (~36 bytes an
     * article), what segment open reads, and at most a few MB of the
     * file. It took 59 MB here when it kept every page it read (and 1 GB
     * on a 1 GB segment); 20-24 MB after. */
    char *chk[] = { MORGUE_CLI, "check", "--index", idx, NULL };
    kb = run_peak_kb(chk, &status);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                  "morgue check after compact exited %d", status);
    fprintf(stderr, "check of it: peak RSS %ld KiB\n", kb);
    ck_assert_msg(UNDER_ASAN || kb < (long)CHECK_BOUND_MB * 1024,
                  "check: peak RSS %ld KiB over %d MB", kb, CHECK_BOUND_MB);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

static Suite *memory_suite(void)
{
    Suite *su = suite_create("memory");
    TCase *tc = tcase_create("rss");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_index_and_compact_peak_rss_within_budget);
    suite_add_tcase(su, tc);
    return su;
}

MORGUE_CHECK_MAIN(memory_suite)
