/* cmd_show.c: morgue show: an article's stored fields and full text, by
 * the id a search shows, its URL or the path of its file
 * (morgue_searcher_get). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/render.h"
#include "morgue.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: morgue show [--index DIR] [--json] [--color WHEN] "
            "ID|URL|PATH\n"
            "Prints an article: its id, title, date, source, tags, URL, "
            "file and full\ntext. The key is the id a search shows, the "
            "article's URL, or the path of\nthe file it was read from "
            "(every article of that file).\n\n"
            "  --index DIR    index directory (else $MORGUE_INDEX, else "
            "./morgue-index)\n"
            "  --json         one JSON object (an array for several "
            "articles)\n"
            "  --color WHEN   auto, always or never\n\n"
            "Exit status: 0 shown; 1 no such article or error; 2 usage.\n");
}

static void line(const cli_style *st, const char *name, const char *p,
                 size_t n)
{
    if (n)
        printf("%s%-8s%s %.*s\n", st->dim, name, st->reset, (int)n, p);
}

static void print_article(morgue_hits *h, const cli_style *st)
{
    const char *p;
    size_t n;
    morgue_hits_field(h, MORGUE_FIELD_TITLE, &p, &n);
    printf("%s%.*s%s\n", st->bold, (int)n, p, st->reset);
    morgue_hits_field(h, MORGUE_FIELD_ID, &p, &n);
    line(st, "id:", p, n);
    char day[40];
    render_when(h, day);
    line(st, "date:", day, strlen(day));
    morgue_hits_field(h, MORGUE_FIELD_SOURCE, &p, &n);
    line(st, "source:", p, n);
    morgue_hits_field(h, MORGUE_FIELD_TAGS, &p, &n);
    if (n) {
        printf("%s%-8s%s ", st->dim, "tags:", st->reset);
        for (size_t s0 = 0, i = 0; i <= n; i++)
            if (i == n || p[i] == '\n') {
                printf("%s%.*s", s0 ? ", " : "", (int)(i - s0), p + s0);
                s0 = i + 1;
            }
        putchar('\n');
    }
    morgue_hits_field(h, MORGUE_FIELD_URL, &p, &n);
    line(st, "url:", p, n);
    morgue_hits_field(h, MORGUE_FIELD_PATH, &p, &n);
    line(st, "file:", p, n);
    morgue_hits_field(h, MORGUE_FIELD_BODY, &p, &n);
    printf("\n%.*s\n", (int)n, p);
}

int cmd_show(int argc, char **argv)
{
    static const struct option opts[] = {
        { "index", required_argument, NULL, 'i' },
        { "json", no_argument, NULL, 'j' },
        { "color", required_argument, NULL, 'c' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *dir = NULL;
    int as_json = 0, color = CLI_COLOR_AUTO, c;
    while ((c = getopt_long(argc, argv, ":i:jh", opts, NULL)) != -1) {
        switch (c) {
        case 'i': dir = optarg; break;
        case 'j': as_json = 1; break;
        case 'c':
            if ((color = cli_color_mode(optarg)) < 0)
                return CLI_EXIT_USAGE;
            break;
        case 'h': usage(stdout); return CLI_EXIT_OK;
        default:
            return cli_bad_option(c, "show", argc, argv, 0);
        }
    }
    if (optind + 1 != argc) {
        cli_msg(stderr, "morgue: show takes one ID, URL or PATH "
                "(morgue show --help)\n");
        return CLI_EXIT_USAGE;
    }
    dir = cli_index_dir(dir);
    if (cli_need_index(dir))
        return CLI_EXIT_ERROR;
    morgue_searcher *s;
    if (morgue_searcher_open(&s, dir, NULL) != MORGUE_OK) {
        cli_msg(stderr, "morgue: %s\n", morgue_last_errmsg());
        return CLI_EXIT_ERROR;
    }
    morgue_hits *h;
    int rc = morgue_searcher_get(s, argv[optind], &h);
    if (rc != MORGUE_OK) {
        cli_msg(stderr, "morgue: %s\n", morgue_searcher_errmsg(s));
        morgue_searcher_close(s);
        return CLI_EXIT_ERROR;
    }
    cli_style st = cli_style_for(!as_json &&
                                 cli_use_color(color, STDOUT_FILENO));
    json_t *all = as_json ? json_array() : NULL;
    int first = 1, next;
    while ((next = morgue_hits_next(h)) == MORGUE_OK) {
        if (all) {
            json_t *a = render_article(h);
            if (!a) { /* a stored field could not be read */
                cli_msg(stderr, "morgue: %s\n", morgue_hits_errmsg(h));
                json_decref(all);
                morgue_hits_free(h);
                morgue_searcher_close(s);
                return CLI_EXIT_ERROR;
            }
            json_array_append_new(all, a);
            continue;
        }
        if (!first)
            printf("\n%s----%s\n\n", st.dim, st.reset);
        print_article(h, &st);
        first = 0;
    }
    if (next != MORGUE_ITEROVER) { /* a date column found damaged */
        cli_msg(stderr, "morgue: %s\n", morgue_hits_errmsg(h));
        json_decref(all);
        morgue_hits_free(h);
        morgue_searcher_close(s);
        return CLI_EXIT_ERROR;
    }
    if (all) {
        json_t *out = json_array_size(all) == 1
                          ? json_incref(json_array_get(all, 0)) : all;
        json_dumpf(out, stdout, JSON_INDENT(2));
        putchar('\n');
        if (out != all)
            json_decref(out);
        json_decref(all);
    }
    morgue_hits_free(h);
    morgue_searcher_close(s);
    return CLI_EXIT_OK;
}
