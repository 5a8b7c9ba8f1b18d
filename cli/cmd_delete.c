/* cmd_delete.c: morgue delete: removes articles by identity or by file. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "morgue.h"

/* Deletes what key names when it is not an identity: the articles whose
 * URL (or file) it is, found through a snapshot. MORGUE_ENOTFOUND when
 * none. */
static int delete_found(morgue_writer *w, const char *dir, const char *key,
                        int *deleted)
{
    morgue_searcher *s;
    morgue_hits *h = NULL;
    int rc = morgue_searcher_open(&s, dir, NULL);
    if (rc == MORGUE_OK)
        rc = morgue_searcher_get(s, key, &h);
    while (rc == MORGUE_OK && morgue_hits_next(h) == MORGUE_OK) {
        const char *p;
        size_t n;
        morgue_hits_field(h, MORGUE_FIELD_ID, &p, &n);
        char id[4096];
        snprintf(id, sizeof id, "%.*s", (int)n, p);
        rc = morgue_writer_delete(w, id);
        if (rc == MORGUE_ENOTFOUND) /* deleted before, in this run */
            rc = MORGUE_OK;
        else if (rc == MORGUE_OK)
            (*deleted)++;
    }
    morgue_hits_free(h);
    morgue_searcher_close(s);
    return rc == MORGUE_ENOTFOUND || rc == MORGUE_OK ? rc : MORGUE_ERROR;
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: morgue delete [OPTIONS] ID|URL...\n"
            "       morgue delete [OPTIONS] --path PATH...\n"
            "Deletes articles by the id a search shows (the format's id, "
            "else the file\npath), by URL, or, with --path, every article "
            "read from the files at or\nunder PATH (which need not exist "
            "any more).\n\n"
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
    while ((c = getopt_long(argc, argv, ":i:pw:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'i': dir = optarg; break;
        case 'p': by_path = 1; break;
        case 'w':
            if (cli_wait_seconds(optarg, &wo.wait_seconds))
                return CLI_EXIT_USAGE;
            break;
        case 'q': quiet = 1; break;
        case 'h': usage(stdout); return CLI_EXIT_OK;
        default:
            return cli_bad_option(c, "delete", argc, argv, 0);
        }
    }
    if (optind == argc) {
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
    int missing = 0, done = 0;
    rc = MORGUE_OK;
    for (int i = optind; i < argc && rc == MORGUE_OK; i++) {
        rc = by_path ? morgue_writer_delete_path(w, argv[i])
                     : morgue_writer_delete(w, argv[i]);
        int found = 0;
        if (rc == MORGUE_ENOTFOUND && !by_path &&
            delete_found(w, dir, argv[i], &found) == MORGUE_OK && found) {
            done++;
            rc = MORGUE_OK;
            continue;
        }
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
