/* bench.h: what the benchmark programs share: the common JSON Lines input,
 * the query set, a seeded PRNG, clocks, and one driver that runs the
 * index / query / cold modes for any engine, so that the three engines are
 * timed by exactly the same loop.
 *
 * Output: one CSV line per measurement on stdout, engine,corpus,metric,value.
 * Diagnostics go to stderr.
 */
#ifndef MORGUE_BENCH_H
#define MORGUE_BENCH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BENCH_NO_DATE INT64_MIN

/* ------------------------------------------------------------------ */
/* Clocks and process figures                                           */

double bench_now(void);          /* CLOCK_MONOTONIC, seconds */
long bench_peak_rss_kib(void);   /* getrusage ru_maxrss of this process */
/* Sum of st_size of the regular files under path (recursively); 0 when
 * missing. */
uint64_t bench_dir_bytes(const char *path);
/* Drops the page-cache pages of every file under path (fdatasync, then
 * posix_fadvise DONTNEED), so the next open reads from disk. Touches only
 * these files, never the system-wide cache. Returns files evicted. */
int bench_evict_dir(const char *path);
/* mkdir -p. 0 or -1 (errno set). */
int bench_mkdirs(const char *path);

/* ------------------------------------------------------------------ */
/* Deterministic PRNG: xoshiro256** seeded through splitmix64.          */

typedef struct bench_rng {
    uint64_t s[4];
} bench_rng;

void bench_rng_seed(bench_rng *r, uint64_t seed);
uint64_t bench_rng_next(bench_rng *r);
uint64_t bench_rng_below(bench_rng *r, uint64_t n); /* uniform in [0, n) */
double bench_rng_unit(bench_rng *r);                /* uniform in [0, 1) */

/* ------------------------------------------------------------------ */
/* Dates                                                                 */

/* Days since 1970-01-01 of a proleptic Gregorian date. */
int64_t bench_days_from_civil(int64_t y, unsigned m, unsigned d);
/* Inverse of bench_days_from_civil. */
void bench_civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d);
/* ISO 8601 "YYYY-MM-DD[THH:MM[:SS[.fff]]][Z|+hh:mm|-hh:mm]" to seconds
 * UTC, BENCH_NO_DATE when s is not such a date. */
int64_t bench_parse_iso(const char *s);
/* Seconds UTC to "YYYY-MM-DDTHH:MM:SSZ" (buf of at least 32 bytes). */
void bench_format_iso(int64_t t, char *buf);

/* ------------------------------------------------------------------ */
/* JSON output with UTF-8 repair                                         */

/* Writes s[0..n) as a JSON string literal. Bytes that are not valid UTF-8
 * are taken as Latin-1 (the Reuters files hold a few) and re-encoded;
 * control characters other than \n and \t are dropped. */
void bench_json_string(FILE *f, const char *s, size_t n);

/* ------------------------------------------------------------------ */
/* The common input: JSON Lines, one article per line, keys id, title,
 * date (ISO 8601), source, tags (array of strings), body.              */

typedef struct bench_article {
    const char *id;       /* never NULL ("" when missing) */
    const char *title;    /* never NULL */
    const char *source;   /* never NULL */
    const char *body;     /* never NULL */
    size_t title_len;
    size_t body_len;
    const char **tags;    /* n_tags strings */
    size_t n_tags;
    const char *date;     /* as given, "" when missing */
    int64_t epoch;        /* seconds UTC, or BENCH_NO_DATE */
    char ymd[9];          /* "YYYYMMDD", "" when no date */
    char month[8];        /* "YYYY-MM", "" when no date */
    uint64_t line;        /* 1-based line in the file */
} bench_article;

typedef struct bench_corpus bench_corpus;

/* Opens a JSON Lines corpus. NULL on failure (message on stderr). */
bench_corpus *bench_corpus_open(const char *path);
/* Reads the next article: 1, 0 at the end, -1 on a malformed line (message
 * on stderr). Strings in *a stay valid until the next call. */
int bench_corpus_next(bench_corpus *c, bench_article *a);
/* Seconds spent reading and parsing so far (excluded from engine rates). */
double bench_corpus_seconds(const bench_corpus *c);
/* Bytes of title and body text read so far: the "raw text" rates use. */
uint64_t bench_corpus_text_bytes(const bench_corpus *c);
void bench_corpus_close(bench_corpus *c);

/* ------------------------------------------------------------------ */
/* The query set: queries.tsv, one query a line, class<TAB>words<TAB>extra.
 * words are lower-case and separated by single spaces; extra is empty or
 * space-separated key=value pairs: from=YYYY-MM-DD to=YYYY-MM-DD (both
 * inclusive) and facet=month. Lines starting with '#' are comments.      */

enum bench_class {
    BQ_AND,    /* all words, ranked */
    BQ_OR,     /* any word, ranked */
    BQ_PHRASE, /* the words consecutively */
    BQ_DATE,   /* all words, dates between from and to */
    BQ_FACET,  /* all words, plus month counts over all matches */
    BQ_NEWS,   /* hand-written news queries: all words */
    /* The benchmark game's shapes (Tantivy's search-benchmark-game, read
     * beside its Lucene and Tantivy results): top 10 and COUNT only. */
    BQ_INTERSECTION, /* 2-4 words, all of them */
    BQ_UNION,        /* 2-4 words, any of them */
    BQ_N_CLASSES
};

extern const char *const bench_class_names[BQ_N_CLASSES];

typedef struct bench_query {
    int cls;              /* enum bench_class */
    char *text;           /* the words, space separated (owned) */
    char **words;         /* n_words pointers (owned) */
    size_t n_words;
    char from[11];        /* "YYYY-MM-DD" or "" */
    char to[11];          /* "YYYY-MM-DD" or "" */
    int facet_month;      /* extra asked for month facets */
    size_t line;          /* line in the file, for messages */
} bench_query;

typedef struct bench_queries {
    bench_query *q;
    size_t n;
} bench_queries;

/* 0, or -1 with a message on stderr. */
int bench_queries_load(bench_queries *qs, const char *path);
void bench_queries_free(bench_queries *qs);
/* 1 when the class means "all words" (the classes compared for overlap). */
int bench_class_is_and(int cls);
/* 1 when the class means "any word" (OR). */
int bench_class_is_or(int cls);

/* ------------------------------------------------------------------ */
/* Engines                                                               */

/* How much of the answer a query asks for. Every mode returns the top 10
 * and their stored ids; the others add work on top of that. */
enum bench_mode {
    BM_PLAIN,    /* top 10 with their ids */
    BM_SNIPPETS, /* plus a snippet for each of the 10 */
    BM_FACETS,   /* plus month counts over all matches */
    BM_COUNT,    /* only the exact number of matches (no hits) */
    BM_N_MODES
};

extern const char *const bench_mode_names[BM_N_MODES];

/* 1 when the driver runs class cls in mode: the benchmark game's classes
 * in plain and count, the others in plain, snippets and facets. */
int bench_mode_applies(int cls, int mode);

#define BENCH_TOPK 10
#define BENCH_ID_MAX 64

/* What one query returned; the driver checks it, never times it. */
typedef struct bench_result {
    char ids[BENCH_TOPK][BENCH_ID_MAX]; /* top hits' stored ids */
    size_t n_ids;
    uint64_t snippet_bytes;  /* total snippet length (BM_SNIPPETS) */
    uint64_t facet_values;   /* distinct months (BM_FACETS) */
    uint64_t facet_total;    /* sum of the month counts (BM_FACETS) */
    uint64_t count;          /* matches (BM_COUNT) */
} bench_result;

/* Copies an id into r->ids[r->n_ids++] (truncating to BENCH_ID_MAX-1). */
void bench_result_add_id(bench_result *r, const char *id, size_t len);

typedef struct bench_engine {
    const char *name;     /* "morgue", "xapian", "fts5" */
    const char *(*version)(void);
    /* Indexing: open a new index in dir, add articles, finish (commit,
     * optimize: whatever a user does before searching), close. */
    void *(*writer_open)(const char *dir);
    int (*add)(void *w, const bench_article *a);
    int (*writer_finish)(void *w); /* commits and frees w */
    /* Searching. */
    void *(*searcher_open)(const char *dir);
    void (*searcher_close)(void *s);
    /* Non-zero when the engine can run this class in this mode; the
     * others are not measured (and show as n/a). */
    int (*supports)(void *s, int cls, int mode);
    /* Runs q, fills r; 0 or -1 (message on stderr). */
    int (*run)(void *s, const bench_query *q, int mode, bench_result *r);
    /* Ranking quality (relevance/): the best `depth` answers to a
     * natural-language question, as typed, each through emit in rank
     * order with its score. 0 or -1 (message on stderr). */
    int (*rank)(void *s, const char *question, size_t depth,
                void (*emit)(void *ud, const char *id, size_t len,
                             double score),
                void *ud);
} bench_engine;

/* The whole program for one engine:
 *   PROG index CORPUS.jsonl DBDIR [--label L]
 *   PROG query DBDIR QUERIES.tsv [--label L] [--reps N] [--top FILE]
 *                                [--per-query FILE] [--max-per-class N]
 *        (--per-query: class<TAB>mode<TAB>median us<TAB>query a line)
 *   PROG cold DBDIR QUERIES.tsv [--label L] [--evict]
 *   PROG rank DBDIR QUESTIONS.tsv [--label L] [--depth N]
 *        (QUESTIONS.tsv: qid<TAB>question a line; writes a TREC run,
 *        "qid Q0 docid rank score label" a line, to stdout)
 *   PROG version
 * Returns the process exit status. */
int bench_main(int argc, char **argv, const bench_engine *e);

/* Prints engine,corpus,metric,value. */
void bench_emit(const char *engine, const char *corpus, const char *metric,
                double value);

#ifdef __cplusplus
}
#endif

#endif
