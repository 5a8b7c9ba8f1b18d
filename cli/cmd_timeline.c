/* cmd_timeline.c: morgue timeline: a query's stories laid out by day,
 * week or month: one line per period with a bar for its count and the
 * headline of its biggest story; --json gives every story. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/render.h"
#include "cli/search_opts.h"
#include "morgue.h"
#include "cli/buf.h"

static void usage(FILE *f)
{
    fprintf(f,
        "usage: morgue timeline [--index DIR] [--json] [--by day|week|month]\n"
        "                       [--from DATE] [--to DATE] [--any] [--now D] [--] "
        "QUERY...\n"
        "The articles matching QUERY (the language of morgue search)\n"
        "grouped into stories (articles alike and at most three days apart)\n"
        "and laid out per period, oldest first: a bar for each period's\n"
        "count and the headline of its biggest story. Weeks are ISO weeks,\n"
        "named by their Monday; undated articles come last.\n\n"
        "  --index DIR     index directory (else $MORGUE_INDEX, else "
        "./morgue-index)\n"
        "  --json          {\"query\", \"periods\": [{\"period\", \"count\",\n"
        "                  \"stories\": [{\"title\", \"count\", \"ids\",\n"
        "                  \"first_date\", \"last_date\"}]}]}\n"
        "  --by PERIOD     day (default), week or month\n"
        "  --from DATE, --to DATE, --any, --now DATE   as for morgue search\n");
}

enum { OPT_SHARED = 256 };

static void print_text(const char *query, const morgue_timeline *tl)
{
    uint64_t max = 1, total = 0;
    size_t n = morgue_timeline_count(tl);
    for (size_t i = 0; i < n; i++) {
        morgue_period p;
        morgue_timeline_get(tl, i, &p);
        max = p.count > max ? p.count : max;
        total += p.count;
    }
    printf("%llu article%s match \"%s\"\n\n", (unsigned long long)total,
           total == 1 ? "" : "s", query);
    for (size_t i = 0; i < n; i++) {
        morgue_period p;
        morgue_timeline_get(tl, i, &p);
        int bar = (int)((p.count * 20 + max - 1) / max);
        printf("%-10s %4llu %-20.*s %s", p.period ? p.period : "undated",
               (unsigned long long)p.count, bar, "####################",
               p.n_stories ? p.stories[0].title : "");
        if (p.n_stories > 1)
            printf("  (+%zu more %s)", p.n_stories - 1,
                   p.n_stories == 2 ? "story" : "stories");
        putchar('\n');
    }
}

int cmd_timeline(int argc, char **argv)
{
    static const struct option opts[] = {
        { "index", required_argument, NULL, 'i' },
        { "json", no_argument, NULL, 'j' },
        { "by", required_argument, NULL, 'b' },
        SEARCH_OPT_FILTERS(OPT_SHARED),
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *dir = NULL;
    int as_json = 0, c, at, by = MORGUE_TIMELINE_DAY;
    char err[256];
    morgue_query_opts qo = MORGUE_QUERY_OPTS_INIT;
    if (search_opt_now_first(&qo, argc, argv, err, sizeof err)) {
        fprintf(stderr, "morgue: %s\n", err);
        return CLI_EXIT_USAGE;
    }
    while ((c = getopt_long(argc, argv, "i:jb:h", opts, &at)) != -1) {
        switch (c) {
        case 'i': dir = optarg; break;
        case 'j': as_json = 1; break;
        case 'b':
            by = !strcmp(optarg, "day")     ? MORGUE_TIMELINE_DAY
                 : !strcmp(optarg, "week")  ? MORGUE_TIMELINE_WEEK
                 : !strcmp(optarg, "month") ? MORGUE_TIMELINE_MONTH
                                            : 0;
            if (!by) {
                fprintf(stderr, "morgue: --by is day, week or month, not "
                        "'%s'\n", optarg);
                return CLI_EXIT_USAGE;
            }
            break;
        case OPT_SHARED:
            if (search_opt_set(&qo, opts[at].name, optarg, err, sizeof err)) {
                fprintf(stderr, "morgue: %s\n", err);
                return CLI_EXIT_USAGE;
            }
            break;
        case 'h': usage(stdout); return CLI_EXIT_OK;
        default: usage(stderr); return CLI_EXIT_USAGE;
        }
    }
    if (search_opt_check(&qo, err, sizeof err)) {
        fprintf(stderr, "morgue: %s\n", err);
        return CLI_EXIT_USAGE;
    }
    if (optind >= argc) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    buf q = BUF_INIT;
    search_opt_query(&q, optind, argc, argv);
    const char *query = buf_cstr(&q);
    dir = cli_index_dir(dir);
    if (cli_need_index(dir)) {
        buf_free(&q);
        return CLI_EXIT_ERROR;
    }
    morgue_searcher *s;
    if (morgue_searcher_open(&s, dir, NULL) != MORGUE_OK) {
        fprintf(stderr, "morgue: %s\n", morgue_last_errmsg());
        buf_free(&q);
        return CLI_EXIT_ERROR;
    }
    morgue_timeline *tl;
    int rc = morgue_timeline_build(s, query, &qo, by, &tl);
    json_t *o = rc == MORGUE_OK && as_json ? render_timeline(s, tl, query)
                                           : NULL;
    if (rc != MORGUE_OK || (as_json && !o)) {
        fprintf(stderr, "morgue: %s\n", morgue_searcher_errmsg(s));
        morgue_timeline_free(tl);
        morgue_searcher_close(s);
        buf_free(&q);
        return rc == MORGUE_EQUERY ? CLI_EXIT_USAGE : CLI_EXIT_ERROR;
    }
    if (o) {
        json_dumpf(o, stdout, JSON_INDENT(2));
        putchar('\n');
        json_decref(o);
    } else {
        print_text(query, tl);
    }
    morgue_timeline_free(tl);
    morgue_searcher_close(s);
    buf_free(&q);
    return CLI_EXIT_OK;
}
