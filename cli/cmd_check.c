/* cmd_check.c: morgue check: verifies an index's checksums and
 * invariants (morgue_index_check). */
#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"
#include "morgue.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: morgue check [--index DIR] [--quiet]\n"
            "Verifies every checksum and structural invariant of the "
            "index's last commit.\nSafe while a writer works.\n\n"
            "Exit status: 0 clean; 1 damaged or unreadable (the message "
            "names the file\nand offset); 2 usage.\n");
}

int cmd_check(int argc, char **argv)
{
    static const struct option opts[] = {
        { "index", required_argument, NULL, 'i' },
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *dir = NULL;
    int quiet = 0, c;
    while ((c = getopt_long(argc, argv, ":i:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'i': dir = optarg; break;
        case 'q': quiet = 1; break;
        case 'h': usage(stdout); return CLI_EXIT_OK;
        default:
            return cli_bad_option(c, "check", argc, argv, 0);
        }
    }
    if (optind != argc) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    dir = cli_index_dir(dir);
    if (cli_need_index(dir))
        return CLI_EXIT_ERROR;
    morgue_check_result r = MORGUE_CHECK_RESULT_INIT;
    int rc = morgue_index_check(dir, &r);
    if (rc != MORGUE_OK) {
        cli_msg(stderr, "morgue: check failed: %s\n", morgue_last_errmsg());
        return CLI_EXIT_ERROR;
    }
    if (quiet)
        return CLI_EXIT_OK;
    /* "terms" means what stats calls terms (distinct words); the
     * dictionary also holds stems, title words, sources and tags */
    morgue_searcher *s;
    morgue_stats st = MORGUE_STATS_INIT;
    int have = morgue_searcher_open(&s, dir, NULL) == MORGUE_OK &&
               morgue_searcher_stats(s, &st) == MORGUE_OK;
    morgue_searcher_close(s);
    printf("ok: %llu segments, %llu articles (%llu deleted not yet "
           "merged away), ", (unsigned long long)r.segments,
           (unsigned long long)r.documents, (unsigned long long)r.deleted);
    if (have)
        printf("%llu terms (distinct words), ",
               (unsigned long long)st.terms);
    printf("%llu dictionary entries, %llu postings; file table: %llu "
           "files, %llu articles; %.1f MB checked\n",
           (unsigned long long)r.terms, (unsigned long long)r.postings,
           (unsigned long long)r.files, (unsigned long long)r.file_articles,
           r.bytes / 1e6);
    return CLI_EXIT_OK;
}
