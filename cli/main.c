/* main.c: the morgue command; dispatches to one cmd_<verb>.c per verb. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "morgue.h"

static const struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} commands[] = {
    { "index", cmd_index, "add or update article files in an index" },
    { "search", cmd_search, "search an index" },
    { "dups", cmd_dups, "list clusters of near-duplicate articles" },
    { "similar", cmd_similar, "articles like one article (more like this)" },
    { "timeline", cmd_timeline, "a query's stories laid out by period" },
    { "show", cmd_show, "print an article by id, URL or file path" },
    { "serve", cmd_serve, "serve a search page and a JSON API over HTTP" },
    { "stats", cmd_stats, "show what an index holds" },
    { "delete", cmd_delete, "delete articles by id or by file" },
    { "compact", cmd_compact, "merge all segments, reclaim deleted space" },
    { "check", cmd_check, "verify an index's checksums and invariants" },
    { "synonyms", cmd_synonyms, "import or list an index's synonyms" },
    { "cluster", cmd_cluster, "set up and run a Sphinx cluster" },
};

static void usage(FILE *f)
{
    fprintf(f, "usage: morgue COMMAND [OPTIONS] [ARGS]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\n'morgue COMMAND --help' describes a command.\n"
               "The index is --index DIR, else $MORGUE_INDEX, else "
               "./morgue-index.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
        !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("morgue %s\n", MORGUE_VERSION_STRING);
        return 0;
    }
    opterr = 0; /* each command says what is wrong, in one line */
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].run(argc - 1, argv + 1);
    cli_msg(stderr, "morgue: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return CLI_EXIT_USAGE;
}
