/* cmd_search.c: morgue search: ranked answers with snippets. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "morgue.h"
#include "util/buf.h"
#include "util/civil.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: morgue search [OPTIONS] [--] QUERY...\n"
            "Finds the articles holding every word of QUERY (matched by "
            "stem),\nbest first by BM25, each with a snippet.\n\n"
            "  --index DIR      index directory (else $MORGUE_INDEX, else "
            "./morgue-index)\n"
            "  --json           one JSON object: query, total, hits\n"
            "  --limit N        hits to show (default 10)\n"
            "  --offset N       hits to skip first\n"
            "  --no-snippets    leave snippets out\n");
}

static json_t *str_json(const char *p, size_t n)
{
    return json_stringn(p, n);
}

static json_t *hit_json(morgue_hits *h, size_t rank)
{
    json_t *o = json_object();
    const char *p, *snip;
    size_t n;
    json_object_set_new(o, "rank", json_integer((json_int_t)rank));
    json_object_set_new(o, "score", json_real(morgue_hits_score(h)));
    morgue_hits_field(h, MORGUE_FIELD_ID, &p, &n);
    json_object_set_new(o, "id", str_json(p, n));
    morgue_hits_field(h, MORGUE_FIELD_TITLE, &p, &n);
    json_object_set_new(o, "title", str_json(p, n));
    int64_t date = morgue_hits_date(h);
    char day[16];
    civil_format_day(date, day);
    json_object_set_new(o, "date",
                        date == MORGUE_NO_DATE ? json_null() : json_string(day));
    morgue_hits_field(h, MORGUE_FIELD_SOURCE, &p, &n);
    json_object_set_new(o, "source", str_json(p, n));
    morgue_hits_field(h, MORGUE_FIELD_URL, &p, &n);
    json_object_set_new(o, "path", str_json(p, n));
    morgue_hits_snippet(h, &snip);
    json_object_set_new(o, "snippet", json_string(snip));
    return o;
}

static void print_hit(morgue_hits *h, size_t rank, int tty)
{
    const char *title, *source, *url, *snip;
    size_t tn, sn, un;
    morgue_hits_field(h, MORGUE_FIELD_TITLE, &title, &tn);
    morgue_hits_field(h, MORGUE_FIELD_SOURCE, &source, &sn);
    morgue_hits_field(h, MORGUE_FIELD_URL, &url, &un);
    morgue_hits_snippet(h, &snip);
    int64_t date = morgue_hits_date(h);
    char day[16] = "no date";
    if (date != MORGUE_NO_DATE)
        civil_format_day(date, day);
    printf("%s%zu. %.*s%s\n", tty ? "\033[1m" : "", rank, (int)tn, title,
           tty ? "\033[0m" : "");
    printf("   %s%s%.*s  (score %.3f)\n", day, sn ? " · " : "", (int)sn,
           source, morgue_hits_score(h));
    if (*snip)
        printf("   %s\n", snip);
    printf("   %.*s\n\n", (int)un, url);
}

static int run(morgue_searcher *s, const char *query, morgue_query_opts *qo,
               int as_json)
{
    morgue_hits *h;
    int rc = morgue_search(s, query, qo, &h);
    if (rc != MORGUE_OK) {
        fprintf(stderr, "morgue: %s\n", morgue_searcher_errmsg(s));
        return rc == MORGUE_EQUERY ? CLI_EXIT_USAGE : CLI_EXIT_ERROR;
    }
    int tty = !as_json && isatty(STDOUT_FILENO);
    size_t rank = qo->offset;
    json_t *hits = json_array();
    if (!as_json)
        printf("%llu articles match \"%s\"\n\n",
               (unsigned long long)morgue_hits_total(h), query);
    while (morgue_hits_next(h) == MORGUE_OK) {
        rank++;
        if (as_json)
            json_array_append_new(hits, hit_json(h, rank));
        else
            print_hit(h, rank, tty);
    }
    if (as_json) {
        json_t *o = json_object();
        json_object_set_new(o, "query", json_string(query));
        json_object_set_new(o, "total",
                            json_integer((json_int_t)morgue_hits_total(h)));
        json_object_set(o, "hits", hits);
        json_dumpf(o, stdout, JSON_INDENT(2));
        putchar('\n');
        json_decref(o);
    }
    json_decref(hits);
    morgue_hits_free(h);
    return CLI_EXIT_OK;
}

static int parse_count(const char *s, size_t *out)
{
    char *end;
    long long v = strtoll(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v < 0 || v > 1000000)
        return -1;
    *out = (size_t)v;
    return 0;
}

int cmd_search(int argc, char **argv)
{
    static const struct option opts[] = {
        { "index", required_argument, NULL, 'i' },
        { "json", no_argument, NULL, 'j' },
        { "limit", required_argument, NULL, 'n' },
        { "offset", required_argument, NULL, 'o' },
        { "no-snippets", no_argument, NULL, 'S' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    morgue_query_opts qo = MORGUE_QUERY_OPTS_INIT;
    const char *dir = NULL;
    int as_json = 0, c;
    while ((c = getopt_long(argc, argv, "+i:jn:o:Sh", opts, NULL)) != -1) {
        switch (c) {
        case 'i': dir = optarg; break;
        case 'j': as_json = 1; break;
        case 'n':
            if (parse_count(optarg, &qo.limit) || qo.limit == 0) {
                fprintf(stderr, "morgue: --limit wants a positive number\n");
                return CLI_EXIT_USAGE;
            }
            break;
        case 'o':
            if (parse_count(optarg, &qo.offset)) {
                fprintf(stderr, "morgue: --offset wants a number\n");
                return CLI_EXIT_USAGE;
            }
            break;
        case 'S': qo.no_snippets = 1; break;
        case 'h': usage(stdout); return CLI_EXIT_OK;
        default: usage(stderr); return CLI_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    buf q = BUF_INIT;
    for (int i = optind; i < argc; i++) {
        if (i > optind)
            buf_putc(&q, ' ');
        buf_puts(&q, argv[i]);
    }
    if (!as_json && isatty(STDOUT_FILENO)) {
        qo.hl_open = "\033[1m";
        qo.hl_close = "\033[0m";
    }
    morgue_searcher *s;
    int rc = morgue_searcher_open(&s, cli_index_dir(dir), NULL);
    if (rc != MORGUE_OK) {
        fprintf(stderr, "morgue: %s\n", morgue_last_errmsg());
        buf_free(&q);
        return CLI_EXIT_ERROR;
    }
    int status = run(s, buf_cstr(&q), &qo, as_json);
    morgue_searcher_close(s);
    buf_free(&q);
    return status;
}
