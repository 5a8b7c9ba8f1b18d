/* cmd_stats.c: morgue stats: what an index holds. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>

#include "cli/cli.h"
#include "cli/render.h"
#include "morgue.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: morgue stats [--index DIR | --cluster FILE] [--json]\n"
               "Shows documents, distinct words, segments, bytes on disk and "
               "the date range.\n");
}

int cmd_stats(int argc, char **argv)
{
    static const struct option opts[] = {
        { "index", required_argument, NULL, 'i' },
        { "cluster", required_argument, NULL, 'C' },
        { "json", no_argument, NULL, 'j' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *dir = NULL, *cluster = NULL;
    int as_json = 0, c;
    while ((c = getopt_long(argc, argv, ":i:jh", opts, NULL)) != -1) {
        switch (c) {
        case 'i': dir = optarg; break;
        case 'C': cluster = optarg; break;
        case 'j': as_json = 1; break;
        case 'h': usage(stdout); return CLI_EXIT_OK;
        default:
            return cli_bad_option(c, "stats", argc, argv, 0);
        }
    }
    if (optind != argc) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    dir = cli_index_dir(dir);
    if (!cluster && cli_need_index(dir))
        return CLI_EXIT_ERROR;
    morgue_searcher *s;
    int rc = cluster ? morgue_searcher_open_cluster(&s, cluster, NULL)
                     : morgue_searcher_open(&s, dir, NULL);
    if (cluster)
        dir = cluster;
    morgue_stats st = MORGUE_STATS_INIT;
    if (rc == MORGUE_OK)
        rc = morgue_searcher_stats(s, &st);
    if (rc != MORGUE_OK) {
        cli_msg(stderr, "morgue: %s\n",
                s ? morgue_searcher_errmsg(s) : morgue_last_errmsg());
        morgue_searcher_close(s);
        return CLI_EXIT_ERROR;
    }
    json_t *o = render_stats(&st);
    const char *warn = morgue_searcher_warnings(s);
    if (*warn) { /* a cluster with a shard that did not answer */
        json_object_set_new(o, "partial", json_true());
        json_object_set_new(o, "warnings", cli_warnings_json(warn));
        cli_warn_lines("partial", warn);
    }
    if (as_json) {
        json_dumpf(o, stdout, JSON_INDENT(2));
        putchar('\n');
    } else {
        printf("index:      %s\n", dir);
        printf("documents:  %llu\n", (unsigned long long)st.documents);
        printf("terms:      %llu distinct words\n",
               (unsigned long long)st.terms);
        printf("segments:   %llu\n", (unsigned long long)st.segments);
        printf("size:       %llu bytes (%.1f MB)\n",
               (unsigned long long)st.index_bytes, st.index_bytes / 1e6);
        json_t *f = json_object_get(o, "first_date");
        json_t *l = json_object_get(o, "last_date");
        printf("dates:      %s .. %s\n",
               json_is_string(f) ? json_string_value(f) : "none",
               json_is_string(l) ? json_string_value(l) : "none");
        printf("language:   %s\n", st.language);
    }
    json_decref(o);
    morgue_searcher_close(s);
    return *warn ? CLI_EXIT_SKIPPED : CLI_EXIT_OK;
}
