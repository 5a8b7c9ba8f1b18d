/* cmd_delete.c: morgue delete: removes articles by identity or by file. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "morgue.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: morgue delete [OPTIONS] ID...\n"
            "       morgue delete [OPTIONS] --path PATH...\n"
            "Deletes articles by identity (the id a search shows: the "
            "format's id or URL,\nelse the file path) or, with --path, "
            "every article read from the files at or\nunder PATH (which "
            "need not exist any more).\n\n"
            "  --index DIR      index directory (else $MORGUE_INDEX, else "
            "./morgue-index)\n"
            "  --path           arguments are file or folder paths\n"
            "  --wait SECONDS   wait this long for another writer's lock\n"
            "  --quiet          only warnings and errors\n\n"
            "Exit status: 0 all deleted; 3 some were not in the index; 1 "
            "error; 2 usage;\n75 another writer holds the index.\n");
}

int cmd_delete(int argc, char **argv)
{
    static const struct option opts[] = {
        { "index", required_argument, NULL, 'i' },
        { "path", no_argument, NULL, 'p' },
        { "wait", required_argument, NULL, 'w' },
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *dir = NULL;
    morgue_writer_opts wo = MORGUE_WRITER_OPTS_INIT;
    int by_path = 0, quiet = 0, c;
    while ((c = getopt_long(argc, argv, "i:pw:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'i': dir = optarg; break;
        case 'p': by_path = 1; break;
        case 'w': wo.wait_seconds = atoi(optarg); break;
        case 'q': quiet = 1; break;
        case 'h': usage(stdout); return CLI_EXIT_OK;
        default: usage(stderr); return CLI_EXIT_USAGE;
        }
    }
    if (optind == argc) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    morgue_writer *w;
    int rc = morgue_writer_open(&w, cli_index_dir(dir), &wo);
    if (rc != MORGUE_OK) {
        cli_msg(stderr, "morgue: %s\n", morgue_last_errmsg());
        return rc == MORGUE_EBUSY ? CLI_EXIT_TEMPFAIL : CLI_EXIT_ERROR;
    }
    int missing = 0, done = 0;
    rc = MORGUE_OK;
    for (int i = optind; i < argc && rc == MORGUE_OK; i++) {
        rc = by_path ? morgue_writer_delete_path(w, argv[i])
                     : morgue_writer_delete(w, argv[i]);
        if (rc == MORGUE_ENOTFOUND) {
            cli_msg(stderr, "morgue: warning: %s\n", morgue_writer_errmsg(w));
            missing++;
            rc = MORGUE_OK;
        } else if (rc == MORGUE_OK) {
            done++;
        }
    }
    if (rc == MORGUE_OK)
        rc = morgue_writer_commit(w);
    if (rc != MORGUE_OK)
        cli_msg(stderr, "morgue: %s\n", morgue_writer_errmsg(w));
    morgue_writer_close(w);
    if (rc != MORGUE_OK)
        return CLI_EXIT_ERROR;
    if (!quiet)
        cli_msg(stderr, "deleted %d of %d %s\n", done, argc - optind,
                by_path ? "paths" : "articles");
    return missing ? CLI_EXIT_SKIPPED : CLI_EXIT_OK;
}
