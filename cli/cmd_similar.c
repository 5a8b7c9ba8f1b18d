/* cmd_similar.c: morgue similar: "more like this" for one article. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/render.h"
#include "cli/search_opts.h"
#include "morgue.h"

static void usage(FILE *f)
{
    fprintf(f,
        "usage: morgue similar [--index DIR] [--json] [--limit N] "
        "[--collapse] ID\n"
        "Articles about the same story or topic as article ID (an id, URL\n"
        "or path, as for morgue show), found from its most distinctive\n"
        "words; its own near-duplicates are left out.\n\n"
        "  --index DIR   index directory (else $MORGUE_INDEX, else "
        "./morgue-index)\n"
        "  --json        one JSON object, as morgue search --json gives\n"
        "  --limit N     articles to show (default 10)\n"
        "  --collapse    fold near-duplicates among them (\"+2 similar\")\n");
}

int cmd_similar(int argc, char **argv)
{
    static const struct option opts[] = {
        { "index", required_argument, NULL, 'i' },
        { "json", no_argument, NULL, 'j' },
        { "limit", required_argument, NULL, 'n' },
        { "collapse", no_argument, NULL, 'c' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *dir = NULL;
    int as_json = 0, c;
    char err[256];
    morgue_query_opts qo = MORGUE_QUERY_OPTS_INIT;
    qo.flags = MORGUE_QUERY_COUNT;
    qo.no_snippets = 1;
    while ((c = getopt_long(argc, argv, "i:jn:ch", opts, NULL)) != -1) {
        switch (c) {
        case 'i': dir = optarg; break;
        case 'j': as_json = 1; break;
        case 'n':
        case 'c':
            if (search_opt_set(&qo, c == 'n' ? "limit" : "collapse", optarg,
                               err, sizeof err)) {
                fprintf(stderr, "morgue: %s\n", err);
                return CLI_EXIT_USAGE;
            }
            break;
        case 'h': usage(stdout); return CLI_EXIT_OK;
        default: usage(stderr); return CLI_EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *key = argv[optind];
    dir = cli_index_dir(dir);
    if (cli_need_index(dir))
        return CLI_EXIT_ERROR;
    morgue_searcher *s;
    if (morgue_searcher_open(&s, dir, NULL) != MORGUE_OK) {
        fprintf(stderr, "morgue: %s\n", morgue_last_errmsg());
        return CLI_EXIT_ERROR;
    }
    double t0 = render_now_us();
    morgue_hits *g = NULL, *h = NULL;
    int rc = morgue_searcher_get(s, key, &g);
    if (rc == MORGUE_OK && morgue_hits_next(g) == MORGUE_OK)
        rc = morgue_similar(s, morgue_hits_docid(g), &qo, &h);
    morgue_hits_free(g);
    if (rc != MORGUE_OK) {
        fprintf(stderr, "morgue: %s\n", morgue_searcher_errmsg(s));
        morgue_searcher_close(s);
        return CLI_EXIT_ERROR;
    }
    if (as_json) {
        json_t *o = render_search(h, &qo, key, t0);
        if (!o) { /* a stored field could not be read */
            fprintf(stderr, "morgue: %s\n", morgue_hits_errmsg(h));
            morgue_hits_free(h);
            morgue_searcher_close(s);
            return CLI_EXIT_ERROR;
        }
        json_dumpf(o, stdout, JSON_INDENT(2));
        putchar('\n');
        json_decref(o);
    } else {
        cli_style st = cli_style_for(cli_use_color(CLI_COLOR_AUTO,
                                                   STDOUT_FILENO));
        size_t rank = 0;
        printf("articles like %s\n\n", key);
        int next;
        while ((next = morgue_hits_next(h)) == MORGUE_OK) {
            const char *title, *id;
            size_t tn, in;
            const uint64_t *d;
            size_t nd;
            morgue_hits_field(h, MORGUE_FIELD_TITLE, &title, &tn);
            morgue_hits_field(h, MORGUE_FIELD_ID, &id, &in);
            morgue_hits_duplicates(h, &d, &nd);
            char day[40];
            render_when(h, day);
            printf("%s%zu. %.*s%s\n   %s%s  (score %.3f)%s\n   id: %.*s\n",
                   st.bold, ++rank, (int)tn, title, st.reset, st.dim, day,
                   morgue_hits_score(h), st.reset, (int)in, id);
            if (nd)
                printf("   %s+%zu similar%s\n", st.dim, nd, st.reset);
            putchar('\n');
        }
        if (next != MORGUE_ITEROVER) { /* a date column found damaged */
            fprintf(stderr, "morgue: %s\n", morgue_hits_errmsg(h));
            morgue_hits_free(h);
            morgue_searcher_close(s);
            return CLI_EXIT_ERROR;
        }
        if (!rank)
            printf("no similar article\n");
    }
    morgue_hits_free(h);
    morgue_searcher_close(s);
    return CLI_EXIT_OK;
}
