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
#include "cli/render.h"
#include "cli/search_opts.h"
#include "morgue.h"
#include "cli/buf.h"

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
        "  --count            only count the matches (exactly): print\n"
        "                     the number; nothing is ranked (JSON: count)\n"
        "  --limit N          hits to show (default 10)\n"
        "  --offset N         hits to skip first\n"
        "  --natural          natural language: the query is plain text,\n"
        "                     never an error; stopwords dropped, any word\n"
        "                     matches, \"quoted phrases\" add score\n"
        "  --any              the same as --natural\n"
        "  --expand           natural language with pseudo-relevance\n"
        "                     feedback: the words of the best 10 answers\n"
        "                     join the query (RM3), which runs again\n"
        "  --sort relevance|date   best first (default) or newest first\n"
        "  --from DATE, --to DATE  only articles dated within (YYYY,\n"
        "                     YYYY-MM or YYYY-MM-DD; inclusive, UTC)\n"
        "  --facet KIND       year, month or day counts over all matches;\n"
        "                     source, tag or lang: top 10 (repeatable)\n"
        "  --no-synonyms      no name variants or synonyms-file expansion\n"
        "  --no-snippets      leave snippets out\n"
        "  --snippet-chars N  snippet length (default 200)\n"
        "  --hl-open S, --hl-close S   highlight markers (default: bold\n"
        "                     on a terminal, none when piped, <b> </b> in\n"
        "                     JSON)\n"
        "  --color WHEN       auto (default: on a terminal, unless NO_COLOR\n"
        "                     is set or TERM=dumb), always or never\n"
        "  --k1 X, --b X      BM25F parameters (default 1.2, 0.5)\n"
        "  --title-weight X   weight of a title occurrence against one in\n"
        "                     the body (BM25F; default 2)\n"
        "  --recency HALF-LIFE   blend relevance with age: score times\n"
        "                     (1 + 2^(-age/HALF-LIFE))/2 (30d, 12h, 2w)\n"
        "  --now DATE         \"now\" for --recency and relative dates\n"
        "                     (today, last-7-days, this-week, ...: days\n"
        "                     of the local time zone, TZ)\n"
        "  --collapse         fold near-duplicates under the best ranked\n"
        "                     copy (\"+2 similar\"; JSON: duplicates,\n"
        "                     stories)\n"
        "  --batch            read one query per line from standard input,\n"
        "                     print one JSON object per line (flushed)\n"
        "Exit status: 0 success, 1 error, 2 bad options or query, 3 a "
        "cluster's\nanswer is partial (a shard did not answer).\n");
}

typedef struct search_cfg {
    morgue_query_opts qo;
    int as_json, batch;
    int color;           /* CLI_COLOR_* */
    cli_style st;        /* escapes for the plain output, or "" */
} search_cfg;

/* One hit as text: title, date · source · score, snippet, and the id
 * (what `morgue show` and `morgue delete` take), then the URL when it is
 * not the id. */
static int print_hit(morgue_hits *h, size_t rank, const cli_style *st)
{
    const char *title, *source, *url, *id, *snip;
    size_t tn, sn, un, in;
    /* a damaged index is an error, not a hit without a title */
    int rc = morgue_hits_field(h, MORGUE_FIELD_ID, &id, &in);
    if (rc == MORGUE_OK)
        rc = morgue_hits_snippet(h, &snip);
    if (rc)
        return rc;
    morgue_hits_field(h, MORGUE_FIELD_TITLE, &title, &tn);
    morgue_hits_field(h, MORGUE_FIELD_SOURCE, &source, &sn);
    morgue_hits_field(h, MORGUE_FIELD_URL, &url, &un);
    char day[40];
    render_when(h, day);
    printf("%s%zu. %.*s%s\n", st->bold, rank, (int)tn, tn ? title : "",
           st->reset);
    printf("   %s%s%s%.*s  (score %.3f)%s\n", st->dim, day, sn ? " · " : "",
           (int)sn, source, morgue_hits_score(h), st->reset);
    if (*snip)
        printf("   %s\n", snip);
    printf("   id: %.*s\n", (int)in, id);
    if (un && (un != in || memcmp(url, id, un)))
        printf("   url: %.*s\n", (int)un, url);
    const uint64_t *dups;
    size_t nd;
    morgue_hits_duplicates(h, &dups, &nd);
    if (nd)
        printf("   %s+%zu similar%s\n", st->dim, nd, st->reset);
    putchar('\n');
    return MORGUE_OK;
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
        printf("by %s:\n", render_date_facet_name(qo->facet_date));
    for (size_t i = 0; i < n; i++) {
        int bar = (int)((f[i].count * 40 + max - 1) / max);
        printf("  %-10s %6llu %.*s\n", f[i].value,
               (unsigned long long)f[i].count, bar,
               "########################################");
    }
    static const char *const names[] = { NULL, "sources", "tags",
                                         "languages" };
    for (int k = 1; k < 4; k++) {
        morgue_hits_facets(h, (morgue_facet_kind)k, &f, &n);
        printed |= n > 0;
        if (n)
            printf("%s:", names[k]);
        for (size_t i = 0; i < n; i++)
            printf(" %s (%llu)%s", f[i].value,
                   (unsigned long long)f[i].count, i + 1 < n ? "," : "\n");
    }
    if (printed)
        printf("\n");
}

/* Prints a batch line's error as {"query":..., "error":...}. */
static void batch_error(const char *query, size_t n, const char *msg)
{
    json_t *o = json_object();
    json_object_set_new(o, "query", render_text(query, n));
    json_object_set_new(o, "error", render_text(msg, strlen(msg)));
    json_dumpf(o, stdout, JSON_COMPACT);
    putchar('\n');
    fflush(stdout);
    json_decref(o);
}

/* Runs one query; prints its answer. Returns the exit status. */
static int run(morgue_searcher *s, const char *query, const search_cfg *cfg)
{
    double t0 = render_now_us();
    morgue_hits *h;
    int rc = morgue_search(s, query, &cfg->qo, &h);
    if (rc != MORGUE_OK) {
        if (cfg->batch) {
            batch_error(query, strlen(query), morgue_searcher_errmsg(s));
        } else {
            cli_msg(stderr, "morgue: %s\n", morgue_searcher_errmsg(s));
            if (rc == MORGUE_EQUERY && !(cfg->qo.flags & MORGUE_QUERY_NATURAL))
                cli_msg(stderr, "morgue: with --natural the query is read "
                                "as plain words and cannot fail\n");
        }
        return rc == MORGUE_EQUERY ? CLI_EXIT_USAGE : CLI_EXIT_ERROR;
    }
    size_t rank = cfg->qo.offset;
    int status = CLI_EXIT_OK;
    if (morgue_hits_partial(h)) { /* a shard did not answer: never silent */
        cli_warn_lines("partial answer", morgue_hits_warnings(h));
        status = CLI_EXIT_SKIPPED;
    }
    if (!cfg->as_json && (cfg->qo.flags & MORGUE_QUERY_COUNT_ONLY)) {
        printf("%llu\n", (unsigned long long)morgue_hits_total(h));
        print_histogram(h, &cfg->qo);
        morgue_hits_free(h);
        return status;
    }
    if (!cfg->as_json) {
        uint64_t total = morgue_hits_total(h);
        uint64_t stories;
        printf("%s%llu article%s match%s \"%s\"",
               morgue_hits_total_exact(h) ? "" : "at least ",
               (unsigned long long)total, total == 1 ? "" : "s",
               total == 1 ? "es" : "", query);
        if (morgue_hits_stories(h, &stories) == MORGUE_OK)
            printf(", %llu stor%s", (unsigned long long)stories,
                   stories == 1 ? "y" : "ies");
        printf("\n\n");
        print_histogram(h, &cfg->qo);
        int next = MORGUE_OK;
        while (rc == MORGUE_OK && (next = morgue_hits_next(h)) == MORGUE_OK)
            rc = print_hit(h, ++rank, &cfg->st);
        if (rc)
            cli_msg(stderr, "morgue: %s\n", morgue_searcher_errmsg(s));
        else if (next != MORGUE_ITEROVER) /* a column found damaged */
            cli_msg(stderr, "morgue: %s\n", morgue_hits_errmsg(h));
        morgue_hits_free(h);
        return rc || next != MORGUE_ITEROVER ? CLI_EXIT_ERROR : status;
    }
    json_t *o = render_search(h, &cfg->qo, query, t0);
    if (!o) { /* a stored field could not be read */
        cli_msg(stderr, "morgue: %s\n", morgue_hits_errmsg(h));
        morgue_hits_free(h);
        return CLI_EXIT_ERROR;
    }
    json_dumpf(o, stdout, cfg->batch ? JSON_COMPACT : JSON_INDENT(2));
    putchar('\n');
    fflush(stdout);
    json_decref(o);
    morgue_hits_free(h);
    return status;
}

static int bad(const char *what)
{
    cli_msg(stderr, "morgue: %s\n", what);
    return CLI_EXIT_USAGE;
}

/* Options search shares with the HTTP API are set by name through
 * search_opts.c; OPT_SHARED marks them. */
enum { OPT_SHARED = 256, OPT_BATCH, OPT_COLOR, OPT_COUNT };

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
        SEARCH_OPT_FILTERS(OPT_SHARED),
        { "natural", no_argument, NULL, OPT_SHARED },
        { "title-weight", required_argument, NULL, OPT_SHARED },
        { "expand", no_argument, NULL, OPT_SHARED },
        { "sort", required_argument, NULL, OPT_SHARED },
        { "facet", required_argument, NULL, OPT_SHARED },
        { "snippet-chars", required_argument, NULL, OPT_SHARED },
        { "no-synonyms", no_argument, NULL, OPT_SHARED },
        { "hl-open", required_argument, NULL, OPT_SHARED },
        { "hl-close", required_argument, NULL, OPT_SHARED },
        { "k1", required_argument, NULL, OPT_SHARED },
        { "b", required_argument, NULL, OPT_SHARED },
        { "collapse", no_argument, NULL, OPT_SHARED },
        { "recency", required_argument, NULL, OPT_SHARED },
        { "batch", no_argument, NULL, OPT_BATCH },
        { "count", no_argument, NULL, OPT_COUNT },
        { "color", required_argument, NULL, OPT_COLOR },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    morgue_query_opts *qo = &cfg->qo;
    char err[256];
    int c, at;
    if (search_opt_now_first(qo, argc, argv, err, sizeof err))
        return bad(err);
    while ((c = getopt_long(argc, argv, ":i:jn:o:Sh", opts, &at)) != -1) {
        const char *name = c == OPT_SHARED ? opts[at].name
                           : c == 'n' ? "limit" : c == 'o' ? "offset"
                           : c == 'S' ? "no-snippets" : NULL;
        if (name) {
            if (search_opt_set(qo, name, optarg, err, sizeof err))
                return bad(err);
            continue;
        }
        switch (c) {
        case 'i': *dir = optarg; break;
        case 'C': *cluster = optarg; break;
        case 'j': cfg->as_json = 1; break;
        case OPT_BATCH: cfg->batch = cfg->as_json = 1; break;
        case OPT_COUNT: qo->flags |= MORGUE_QUERY_COUNT_ONLY; break;
        case OPT_COLOR:
            if ((cfg->color = cli_color_mode(optarg)) < 0)
                return CLI_EXIT_USAGE;
            break;
        case 'h': usage(stdout); return -1;
        default:
            return cli_bad_option(c, "search", argc, argv, 1);
        }
    }
    if (search_opt_check(qo, err, sizeof err))
        return bad(err);
    return 0;
}

/* Reads one line of f into line (cap bytes, NUL-terminated, without the
 * newline); what does not fit is read and dropped, *over set. Memory
 * stays bounded however long the line. -1 at the end of input. */
static ssize_t read_line(FILE *f, char *line, size_t cap, int *over)
{
    size_t n = 0;
    int c = EOF, any = 0;
    *over = 0;
    while ((c = getc(f)) != EOF) {
        any = 1;
        if (c == '\n')
            break;
        if (n + 1 < cap)
            line[n++] = (char)c;
        else
            *over = 1;
    }
    line[n] = '\0';
    return any ? (ssize_t)n : -1;
}

static int batch(morgue_searcher *s, const search_cfg *cfg)
{
    /* A line past the query limit is refused without being kept whole. */
    size_t cap = MORGUE_QUERY_MAX_BYTES + 2;
    char *line = malloc(cap);
    if (!line) {
        cli_msg(stderr, "morgue: out of memory\n");
        return CLI_EXIT_ERROR;
    }
    ssize_t n;
    int over;
    while ((n = read_line(stdin, line, cap, &over)) >= 0) {
        while (n > 0 && line[n - 1] == '\r')
            line[--n] = '\0';
        /* A NUL would cut the query short without a word: refused. */
        const char *nul = memchr(line, '\0', (size_t)n);
        char msg[128];
        if (over) {
            snprintf(msg, sizeof msg, "query error at column %d: the query "
                     "is longer than %d bytes (the limit)",
                     MORGUE_QUERY_MAX_BYTES + 1, MORGUE_QUERY_MAX_BYTES);
            batch_error(line, 200, msg); /* the start is enough to say */
        } else if (nul) {
            snprintf(msg, sizeof msg, "query error at column %zu: NUL byte "
                     "in the query", (size_t)(nul - line) + 1);
            batch_error(line, (size_t)n, msg);
        } else if (n > 0) {
            run(s, line, cfg);
        }
    }
    free(line);
    return CLI_EXIT_OK;
}

int cmd_search(int argc, char **argv)
{
    search_cfg cfg = { MORGUE_QUERY_OPTS_INIT, 0, 0, CLI_COLOR_AUTO,
                       { "", "", "", "", "" } };
    cfg.qo.flags = MORGUE_QUERY_COUNT;
    const char *dir = NULL, *cluster = NULL;
    int rc = parse_opts(argc, argv, &cfg, &dir, &cluster);
    if (rc)
        return rc < 0 ? CLI_EXIT_OK : rc;
    if (!cfg.batch && optind >= argc) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    /* Plain output is for a terminal (escapes) or a pipe (no markup at
     * all: empty markers also turn the snippet's HTML escaping off);
     * --json keeps its HTML snippets. */
    if (!cfg.as_json) {
        cfg.st = cli_style_for(cli_use_color(cfg.color, STDOUT_FILENO));
        if (!cfg.qo.hl_open && !cfg.qo.hl_close) {
            cfg.qo.hl_open = cfg.st.hl_open;
            cfg.qo.hl_close = cfg.st.hl_close;
        }
    }
    dir = cli_index_dir(dir);
    if (!cluster && cli_need_index(dir))
        return CLI_EXIT_ERROR;
    morgue_searcher *s;
    if ((cluster ? morgue_searcher_open_cluster(&s, cluster, NULL)
                 : morgue_searcher_open(&s, dir, NULL)) != MORGUE_OK) {
        cli_msg(stderr, "morgue: %s\n", morgue_last_errmsg());
        return CLI_EXIT_ERROR;
    }
    if (cfg.batch) {
        rc = batch(s, &cfg);
    } else {
        buf q = BUF_INIT;
        search_opt_query(&q, optind, argc, argv);
        rc = run(s, buf_cstr(&q), &cfg);
        buf_free(&q);
    }
    morgue_searcher_close(s);
    return rc;
}
