/* cmd_compact.c: morgue compact: merges every segment into one and
 * reclaims the room of deleted articles. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "morgue.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: morgue compact [--index DIR] [--wait SECONDS] "
            "[--memory MB] [--quiet]\n"
            "Merges every segment into one, dropping deleted articles. "
            "Searches keep\nworking meanwhile. Needs free disk space about "
            "the size of the index.\n"
            "  --memory MB   memory budget (default 64); the merge is "
            "streamed, so it\n                needs about this plus 12 "
            "bytes per article\n\n"
            "Exit status: 0 done; 1 error; 2 usage; 75 another writer "
            "holds the index.\n");
}

/* Segments and bytes of the index, through a snapshot. */
static int measure(const char *dir, morgue_stats *st)
{
    morgue_searcher *s;
    int rc = morgue_searcher_open(&s, dir, NULL);
    if (rc == MORGUE_OK)
        rc = morgue_searcher_stats(s, st);
    morgue_searcher_close(s);
    return rc;
}

int cmd_compact(int argc, char **argv)
{
    static const struct option opts[] = {
        { "index", required_argument, NULL, 'i' },
        { "wait", required_argument, NULL, 'w' },
        { "memory", required_argument, NULL, 'm' },
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *dir = NULL;
    morgue_writer_opts wo = MORGUE_WRITER_OPTS_INIT;
    int quiet = 0, c;
    while ((c = getopt_long(argc, argv, ":i:w:m:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'i': dir = optarg; break;
        case 'w':
            if (cli_wait_seconds(optarg, &wo.wait_seconds))
                return CLI_EXIT_USAGE;
            break;
        case 'm': {
            long long v;
            if (cli_number("--memory", optarg, 1, 1 << 20, &v))
                return CLI_EXIT_USAGE;
            wo.memory_budget = (size_t)v << 20;
            break;
        }
        case 'q': quiet = 1; break;
        case 'h': usage(stdout); return CLI_EXIT_OK;
        default:
            return cli_bad_option(c, "compact", argc, argv, 0);
        }
    }
    if (optind != argc) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    dir = cli_index_dir(dir);
    if (cli_need_index(dir))
        return CLI_EXIT_ERROR;
    morgue_writer *w;
    int rc = morgue_writer_open(&w, dir, &wo);
    if (rc != MORGUE_OK) {
        cli_msg(stderr, "morgue: %s\n", morgue_last_errmsg());
        return rc == MORGUE_EBUSY ? CLI_EXIT_TEMPFAIL : CLI_EXIT_ERROR;
    }
    morgue_stats before = MORGUE_STATS_INIT;
    morgue_stats after = MORGUE_STATS_INIT;
    int measured = measure(dir, &before) == MORGUE_OK;
    rc = morgue_writer_compact(w);
    if (rc != MORGUE_OK)
        cli_msg(stderr, "morgue: %s\n", morgue_writer_errmsg(w));
    morgue_writer_close(w);
    if (rc != MORGUE_OK)
        return CLI_EXIT_ERROR;
    if (!quiet && measured && measure(dir, &after) == MORGUE_OK)
        fprintf(stderr, "compacted %llu segments into %llu: %.1f MB -> "
                "%.1f MB, %llu articles\n",
                (unsigned long long)before.segments,
                (unsigned long long)after.segments,
                before.index_bytes / 1e6, after.index_bytes / 1e6,
                (unsigned long long)after.documents);
    return CLI_EXIT_OK;
}
