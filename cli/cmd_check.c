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
    while ((c = getopt_long(argc, argv, "i:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'i': dir = optarg; break;
        case 'q': quiet = 1; break;
        case 'h': usage(stdout); return CLI_EXIT_OK;
        default: usage(stderr); return CLI_EXIT_USAGE;
        }
    }
    if (optind != argc) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    dir = cli_index_dir(dir);
    if (cli_need_index(dir))
        return CLI_EXIT_ERROR;
    morgue_check_result r;
    int rc = morgue_index_check(dir, &r);
    if (rc != MORGUE_OK) {
        cli_msg(stderr, "morgue: check failed: %s\n", morgue_last_errmsg());
        return CLI_EXIT_ERROR;
    }
    if (!quiet)
        printf("ok: %llu segments, %llu articles (%llu deleted not yet "
               "merged away), %llu terms, %llu postings; file table: %llu "
               "files, %llu articles; %.1f MB checked\n",
               (unsigned long long)r.segments,
               (unsigned long long)r.documents,
               (unsigned long long)r.deleted, (unsigned long long)r.terms,
               (unsigned long long)r.postings, (unsigned long long)r.files,
               (unsigned long long)r.file_articles, r.bytes / 1e6);
    return CLI_EXIT_OK;
}
