/* cmd_dups.c: morgue dups: the clusters of near-duplicate articles of an
 * index (copies of one report under several mastheads, re-runs). */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "cli/render.h"
#include "morgue.h"

static void usage(FILE *f)
{
    fprintf(f,
        "usage: morgue dups [--index DIR] [--json] [--min-similarity X]\n"
        "Lists the clusters of near-duplicate articles, biggest first, the\n"
        "best representative of each first. Articles with no near-duplicate\n"
        "are not listed.\n\n"
        "  --index DIR          index directory (else $MORGUE_INDEX, else\n"
        "                       ./morgue-index)\n"
        "  --json               {\"articles\": N, \"clusters\": [{\"size\",\n"
        "                       \"ids\", \"titles\", \"first_date\", "
        "\"last_date\"}]}\n"
        "  --min-similarity X   least estimated resemblance of the bodies'\n"
        "                       word 3-shingles, above 0 up to 1 (default "
        "%.2f)\n", MORGUE_DEFAULT_SIMILARITY);
}

int cmd_dups(int argc, char **argv)
{
    static const struct option opts[] = {
        { "index", required_argument, NULL, 'i' },
        { "json", no_argument, NULL, 'j' },
        { "min-similarity", required_argument, NULL, 'm' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *dir = NULL;
    int as_json = 0, c;
    double sim = MORGUE_DEFAULT_SIMILARITY;
    char *end;
    while ((c = getopt_long(argc, argv, "i:jm:h", opts, NULL)) != -1) {
        switch (c) {
        case 'i': dir = optarg; break;
        case 'j': as_json = 1; break;
        case 'm':
            sim = strtod(optarg, &end);
            if (*optarg == '\0' || *end != '\0' || !(sim > 0 && sim <= 1)) {
                fprintf(stderr, "morgue: --min-similarity wants a number "
                        "above 0 and at most 1, not '%s'\n", optarg);
                return CLI_EXIT_USAGE;
            }
            break;
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
    morgue_searcher *s;
    morgue_clusters *cl = NULL;
    morgue_stats st = MORGUE_STATS_INIT;
    int rc = morgue_searcher_open(&s, dir, NULL);
    if (rc == MORGUE_OK)
        rc = morgue_searcher_stats(s, &st);
    if (rc == MORGUE_OK)
        rc = morgue_dups(s, sim, &cl);
    json_t *o = rc == MORGUE_OK ? render_dups(s, cl, st.documents) : NULL;
    if (rc != MORGUE_OK || !o) {
        fprintf(stderr, "morgue: %s\n",
                s ? morgue_searcher_errmsg(s) : morgue_last_errmsg());
        morgue_clusters_free(cl);
        morgue_searcher_close(s);
        return CLI_EXIT_ERROR;
    }
    if (as_json) {
        json_dumpf(o, stdout, JSON_INDENT(2));
        putchar('\n');
    } else {
        json_t *a = json_object_get(o, "clusters");
        size_t i, k;
        json_t *e;
        printf("%zu cluster%s of near-duplicates among %llu articles\n",
               json_array_size(a), json_array_size(a) == 1 ? "" : "s",
               (unsigned long long)st.documents);
        json_array_foreach(a, i, e) {
            json_t *f = json_object_get(e, "first_date");
            json_t *l = json_object_get(e, "last_date");
            printf("\n%zu. %lld articles, %s .. %s\n", i + 1,
                   (long long)json_integer_value(json_object_get(e, "size")),
                   json_is_string(f) ? json_string_value(f) : "undated",
                   json_is_string(l) ? json_string_value(l) : "undated");
            json_t *ids = json_object_get(e, "ids");
            json_t *titles = json_object_get(e, "titles");
            for (k = 0; k < json_array_size(ids); k++)
                printf("   %s %s  (%s)\n", k ? " " : "*",
                       json_string_value(json_array_get(titles, k)),
                       json_string_value(json_array_get(ids, k)));
        }
    }
    json_decref(o);
    morgue_clusters_free(cl);
    morgue_searcher_close(s);
    return CLI_EXIT_OK;
}
