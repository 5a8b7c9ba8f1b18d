/* cmd_search.c: morgue search: ranked answers with snippets, facets and
 * date filters; --batch answers one query per input line. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "formats/dates.h"
#include "morgue.h"
#include "util/buf.h"
#include "util/civil.h"

static void usage(FILE *f)
{
    fprintf(f,
        "usage: morgue search [OPTIONS] [--] QUERY...\n"
        "       morgue search --batch [OPTIONS] < queries\n"
        "Finds articles matching QUERY, best first (BM25), with snippets.\n"
        "Query language: words (matched by stem, all required), OR, AND,\n"
        "NOT, -word, +word, (groups), \"exact phrases\", a NEAR/5 b,\n"
        "title: source: tag: fields, prefix*, date:2022-01 and\n"
        "date:2022-01-01..2022-01-31 (docs/QUERY.md).\n\n"
        "  --index DIR        index directory (else $MORGUE_INDEX, else "
        "./morgue-index)\n"
        "  --cluster FILE     search the Sphinx cluster FILE (cluster.conf)\n"
        "  --json             one JSON object: query, total, total_exact,\n"
        "                     took_us, hits, facets\n"
        "  --limit N          hits to show (default 10)\n"
        "  --offset N         hits to skip first\n"
        "  --any              rank by any word (free words OR'ed)\n"
        "  --sort relevance|date   best first (default) or newest first\n"
        "  --from DATE, --to DATE  only articles dated within (YYYY,\n"
        "                     YYYY-MM or YYYY-MM-DD; inclusive, UTC)\n"
        "  --facet KIND       year, month or day counts over all matches;\n"
        "                     source or tag: top 10 (repeatable)\n"
        "  --no-snippets      leave snippets out\n"
        "  --snippet-chars N  snippet length (default 200)\n"
        "  --hl-open S, --hl-close S   highlight markers (default <b> "
        "</b>;\n"
        "                     bold on a terminal)\n"
        "  --k1 X, --b X      BM25 parameters (default 1.2, 0.75)\n"
        "  --batch            read one query per line from standard input,\n"
        "                     print one JSON object per line (flushed)\n"
        "Exit status: 0 success, 1 error, 2 bad options or query, 3 a "
        "cluster's\nanswer is partial (a shard did not answer).\n");
}

typedef struct search_cfg {
    morgue_query_opts qo;
    int as_json, batch, tty;
} search_cfg;

static double now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static json_t *date_json(int64_t t)
{
    if (t == MORGUE_NO_DATE)
        return json_null();
    char day[16];
    civil_format_day(t, day);
    return json_string(day);
}

static json_t *hit_json(morgue_hits *h, size_t rank)
{
    json_t *o = json_object();
    const char *p, *snip;
    size_t n;
    json_object_set_new(o, "rank", json_integer((json_int_t)rank));
    json_object_set_new(o, "score", json_real(morgue_hits_score(h)));
    static const struct { const char *key; morgue_field f; } fields[] = {
        { "id", MORGUE_FIELD_ID }, { "title", MORGUE_FIELD_TITLE } };
    for (int i = 0; i < 2; i++) {
        morgue_hits_field(h, fields[i].f, &p, &n);
        json_object_set_new(o, fields[i].key, json_stringn(p, n));
    }
    json_object_set_new(o, "date", date_json(morgue_hits_date(h)));
    morgue_hits_field(h, MORGUE_FIELD_SOURCE, &p, &n);
    json_object_set_new(o, "source", json_stringn(p, n));
    morgue_hits_field(h, MORGUE_FIELD_URL, &p, &n);
    json_object_set_new(o, "path", json_stringn(p, n));
    morgue_hits_field(h, MORGUE_FIELD_TAGS, &p, &n);
    json_t *tags = json_array();
    for (size_t s = 0, i = 0; i <= n; i++)
        if (i == n || p[i] == '\n') {
            if (i > s)
                json_array_append_new(tags, json_stringn(p + s, i - s));
            s = i + 1;
        }
    json_object_set_new(o, "tags", tags);
    morgue_hits_snippet(h, &snip);
    json_object_set_new(o, "snippet", json_string(snip));
    return o;
}

static const char *date_facet_name(int kind)
{
    return kind == MORGUE_FACET_YEAR ? "year"
           : kind == MORGUE_FACET_MONTH ? "month" : "day";
}

static json_t *facets_json(morgue_hits *h, const morgue_query_opts *qo)
{
    json_t *o = json_object();
    static const char *names[] = { NULL, "source", "tag" };
    for (int k = 0; k < 3; k++) {
        const morgue_facet *f;
        size_t n;
        if (morgue_hits_facets(h, (morgue_facet_kind)k, &f, &n) ||
            (k == 0 && qo->facet_date == MORGUE_FACET_NONE) ||
            (k == 1 && !qo->facet_sources) || (k == 2 && !qo->facet_tags))
            continue;
        json_t *a = json_array();
        for (size_t i = 0; i < n; i++) {
            json_t *e = json_object();
            json_object_set_new(e, "value", json_string(f[i].value));
            json_object_set_new(e, "count",
                                json_integer((json_int_t)f[i].count));
            json_array_append_new(a, e);
        }
        json_object_set_new(o, k ? names[k] : date_facet_name(qo->facet_date),
                            a);
    }
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

/* A text histogram of the date facet: the shape of a story over time. */
static void print_histogram(morgue_hits *h, const morgue_query_opts *qo)
{
    const morgue_facet *f;
    size_t n;
    morgue_hits_facets(h, MORGUE_FACET_KIND_DATE, &f, &n);
    uint64_t max = 1;
    int printed = n > 0;
    for (size_t i = 0; i < n; i++)
        max = f[i].count > max ? f[i].count : max;
    if (n)
        printf("by %s:\n", date_facet_name(qo->facet_date));
    for (size_t i = 0; i < n; i++) {
        int bar = (int)((f[i].count * 40 + max - 1) / max);
        printf("  %-10s %6llu %.*s\n", f[i].value,
               (unsigned long long)f[i].count, bar,
               "########################################");
    }
    for (int k = 1; k < 3; k++) {
        morgue_hits_facets(h, (morgue_facet_kind)k, &f, &n);
        printed |= n > 0;
        if (n)
            printf("%s:", k == 1 ? "sources" : "tags");
        for (size_t i = 0; i < n; i++)
            printf(" %s (%llu)%s", f[i].value,
                   (unsigned long long)f[i].count, i + 1 < n ? "," : "\n");
    }
    if (printed)
        printf("\n");
}

/* Runs one query; prints its answer. Returns the exit status. */
static int run(morgue_searcher *s, const char *query, const search_cfg *cfg)
{
    double t0 = now_us();
    morgue_hits *h;
    int rc = morgue_search(s, query, &cfg->qo, &h);
    if (rc != MORGUE_OK) {
        if (cfg->batch) {
            json_t *o = json_pack("{s:s, s:s}", "query", query, "error",
                                  morgue_searcher_errmsg(s));
            json_dumpf(o, stdout, JSON_COMPACT);
            putchar('\n');
            fflush(stdout);
            json_decref(o);
        } else {
            fprintf(stderr, "morgue: %s\n", morgue_searcher_errmsg(s));
        }
        return rc == MORGUE_EQUERY ? CLI_EXIT_USAGE : CLI_EXIT_ERROR;
    }
    size_t rank = cfg->qo.offset;
    int status = CLI_EXIT_OK;
    if (morgue_hits_partial(h)) { /* a shard did not answer: never silent */
        fprintf(stderr, "morgue: partial answer: %s",
                morgue_hits_warnings(h));
        status = CLI_EXIT_SKIPPED;
    }
    if (!cfg->as_json) {
        uint64_t total = morgue_hits_total(h);
        printf("%s%llu article%s match%s \"%s\"\n\n",
               morgue_hits_total_exact(h) ? "" : "at least ",
               (unsigned long long)total, total == 1 ? "" : "s",
               total == 1 ? "es" : "", query);
        print_histogram(h, &cfg->qo);
        while (morgue_hits_next(h) == MORGUE_OK)
            print_hit(h, ++rank, cfg->tty);
        morgue_hits_free(h);
        return status;
    }
    json_t *hits = json_array();
    while (morgue_hits_next(h) == MORGUE_OK)
        json_array_append_new(hits, hit_json(h, ++rank));
    json_t *facets = facets_json(h, &cfg->qo);
    double took = now_us() - t0;
    json_t *o = json_object();
    json_object_set_new(o, "query", json_string(query));
    json_object_set_new(o, "total",
                        json_integer((json_int_t)morgue_hits_total(h)));
    json_object_set_new(o, "total_exact",
                        json_boolean(morgue_hits_total_exact(h)));
    json_object_set_new(o, "took_us", json_integer((json_int_t)took));
    json_object_set_new(o, "hits", hits);
    json_object_set_new(o, "facets", facets);
    if (morgue_hits_partial(h)) {
        json_object_set_new(o, "partial", json_true());
        json_object_set_new(o, "warnings",
                            cli_warnings_json(morgue_hits_warnings(h)));
    }
    json_dumpf(o, stdout, cfg->batch ? JSON_COMPACT : JSON_INDENT(2));
    putchar('\n');
    fflush(stdout);
    json_decref(o);
    morgue_hits_free(h);
    return status;
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

/* YYYY, YYYY-MM or YYYY-MM-DD: its first (upper = 0) or last second. */
static int parse_day(const char *s, int upper, int64_t *out)
{
    int y, m = 1, d = 1, n = 0;
    int parts = sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n);
    if (parts < 3) {
        n = 0;
        parts = sscanf(s, "%4d-%2d%n", &y, &m, &n);
        if (parts < 2) {
            n = 0;
            parts = sscanf(s, "%4d%n", &y, &n);
        }
    }
    if (parts < 1 || s[n] != '\0' || m < 1 || m > 12 || d < 1 || d > 31)
        return -1;
    int64_t first = date_days_from_civil(y, (unsigned)m, (unsigned)d);
    int64_t last = first;
    if (parts == 2)
        last = date_days_from_civil(m == 12 ? y + 1 : y,
                                    m == 12 ? 1 : (unsigned)m + 1, 1) - 1;
    else if (parts == 1)
        last = date_days_from_civil(y + 1, 1, 1) - 1;
    if (parts == 3) { /* reject 2022-02-30 */
        int64_t yy;
        unsigned mm, dd;
        civil_from_secs(first * 86400, &yy, &mm, &dd);
        if ((int)mm != m || (int)dd != d)
            return -1;
    }
    *out = upper ? last * 86400 + 86399 : first * 86400;
    return 0;
}

static int set_facet(morgue_query_opts *qo, const char *v)
{
    if (!strcmp(v, "year"))
        qo->facet_date = MORGUE_FACET_YEAR;
    else if (!strcmp(v, "month"))
        qo->facet_date = MORGUE_FACET_MONTH;
    else if (!strcmp(v, "day"))
        qo->facet_date = MORGUE_FACET_DAY;
    else if (!strcmp(v, "source"))
        qo->facet_sources = 10;
    else if (!strcmp(v, "tag"))
        qo->facet_tags = 10;
    else
        return -1;
    return 0;
}

enum { OPT_SORT = 256, OPT_FROM, OPT_TO, OPT_FACET, OPT_SNIP, OPT_HLO,
       OPT_HLC, OPT_K1, OPT_B, OPT_BATCH, OPT_ANY };

static int bad(const char *what)
{
    fprintf(stderr, "morgue: %s\n", what);
    return CLI_EXIT_USAGE;
}

static int parse_opts(int argc, char **argv, search_cfg *cfg,
                      const char **dir, const char **cluster)
{
    static const struct option opts[] = {
        { "index", required_argument, NULL, 'i' },
        { "cluster", required_argument, NULL, 'C' },
        { "json", no_argument, NULL, 'j' },
        { "limit", required_argument, NULL, 'n' },
        { "offset", required_argument, NULL, 'o' },
        { "no-snippets", no_argument, NULL, 'S' },
        { "any", no_argument, NULL, OPT_ANY },
        { "sort", required_argument, NULL, OPT_SORT },
        { "from", required_argument, NULL, OPT_FROM },
        { "to", required_argument, NULL, OPT_TO },
        { "facet", required_argument, NULL, OPT_FACET },
        { "snippet-chars", required_argument, NULL, OPT_SNIP },
        { "hl-open", required_argument, NULL, OPT_HLO },
        { "hl-close", required_argument, NULL, OPT_HLC },
        { "k1", required_argument, NULL, OPT_K1 },
        { "b", required_argument, NULL, OPT_B },
        { "batch", no_argument, NULL, OPT_BATCH },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    morgue_query_opts *qo = &cfg->qo;
    int c;
    while ((c = getopt_long(argc, argv, "i:jn:o:Sh", opts, NULL)) != -1) {
        switch (c) {
        case 'i': *dir = optarg; break;
        case 'C': *cluster = optarg; break;
        case 'j': cfg->as_json = 1; break;
        case 'n':
            if (parse_count(optarg, &qo->limit) || qo->limit == 0)
                return bad("--limit wants a positive number");
            break;
        case 'o':
            if (parse_count(optarg, &qo->offset))
                return bad("--offset wants a number");
            break;
        case 'S': qo->no_snippets = 1; break;
        case OPT_ANY: qo->flags |= MORGUE_QUERY_ANY; break;
        case OPT_SORT:
            if (!strcmp(optarg, "date"))
                qo->sort = MORGUE_SORT_DATE;
            else if (strcmp(optarg, "relevance"))
                return bad("--sort is relevance or date");
            break;
        case OPT_FROM:
            if (parse_day(optarg, 0, &qo->date_from))
                return bad("--from wants YYYY, YYYY-MM or YYYY-MM-DD");
            break;
        case OPT_TO:
            if (parse_day(optarg, 1, &qo->date_to))
                return bad("--to wants YYYY, YYYY-MM or YYYY-MM-DD");
            break;
        case OPT_FACET:
            if (set_facet(qo, optarg))
                return bad("--facet is year, month, day, source or tag");
            break;
        case OPT_SNIP:
            if (parse_count(optarg, &qo->snippet_chars) ||
                qo->snippet_chars < 20)
                return bad("--snippet-chars wants a number >= 20");
            break;
        case OPT_HLO: qo->hl_open = optarg; break;
        case OPT_HLC: qo->hl_close = optarg; break;
        case OPT_K1: qo->k1 = atof(optarg); break;
        case OPT_B: qo->b = atof(optarg); break;
        case OPT_BATCH: cfg->batch = cfg->as_json = 1; break;
        case 'h': usage(stdout); return -1;
        default: usage(stderr); return CLI_EXIT_USAGE;
        }
    }
    return 0;
}

static int batch(morgue_searcher *s, const search_cfg *cfg)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, stdin)) > 0) {
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (n > 0)
            run(s, line, cfg);
    }
    free(line);
    return CLI_EXIT_OK;
}

int cmd_search(int argc, char **argv)
{
    search_cfg cfg = { MORGUE_QUERY_OPTS_INIT, 0, 0, 0 };
    cfg.qo.flags = MORGUE_QUERY_COUNT;
    const char *dir = NULL, *cluster = NULL;
    int rc = parse_opts(argc, argv, &cfg, &dir, &cluster);
    if (rc)
        return rc < 0 ? CLI_EXIT_OK : rc;
    if (!cfg.batch && optind >= argc) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    cfg.tty = !cfg.as_json && isatty(STDOUT_FILENO);
    if (cfg.tty && !cfg.qo.hl_open && !cfg.qo.hl_close) {
        cfg.qo.hl_open = "\033[1m";
        cfg.qo.hl_close = "\033[0m";
    }
    morgue_searcher *s;
    if ((cluster ? morgue_searcher_open_cluster(&s, cluster, NULL)
                 : morgue_searcher_open(&s, cli_index_dir(dir), NULL)) !=
        MORGUE_OK) {
        fprintf(stderr, "morgue: %s\n", morgue_last_errmsg());
        return CLI_EXIT_ERROR;
    }
    if (cfg.batch) {
        rc = batch(s, &cfg);
    } else {
        buf q = BUF_INIT;
        for (int i = optind; i < argc; i++) {
            if (i > optind)
                buf_putc(&q, ' ');
            buf_puts(&q, argv[i]);
        }
        rc = run(s, buf_cstr(&q), &cfg);
        buf_free(&q);
    }
    morgue_searcher_close(s);
    return rc;
}
