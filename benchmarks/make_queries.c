/* make_queries.c: the query set, generated deterministically from a corpus.
 *
 *   make_queries [--seed S] [--per-class N] [-o OUT.tsv] CORPUS.jsonl
 *
 * Writes class<TAB>words<TAB>extra lines (see common/bench.h). Every
 * generated query starts from an article picked by the seeded PRNG, so it
 * has at least one match and its words co-occur as in real text:
 *   and     2-4 mid-frequency words of one article (df between
 *           max(3, n/5000) and n/20, n articles)
 *   or      2-3 words of one article, df up to n/10
 *   phrase  2-3 consecutive words of an article's body, separated by
 *           blanks only, the outer two not stopwords
 *   date    1-2 words, df up to n/10, plus the article's calendar month or
 *           a 7-90 day window around its date
 *   facet   1-2 broader words (df n/200 .. n/5) plus facet=month
 *   news    hand-written news queries, the same for every corpus
 *   intersection, union   the benchmark game's shapes (top 10 and COUNT,
 *           as Tantivy's search-benchmark-game runs them): 2, 3 or 4
 *           words of one article, df between max(2, n/2000) and n/5,
 *           all of them or any of them; generated after the others, so
 *           the older classes' queries stay what they were
 * Candidate words are ASCII letters only (at least 3), delimited by blanks
 * or sentence punctuation, so that every engine's tokenizer sees the same
 * word; they are printed in lower case.
 *
 * Two passes over the corpus: document frequencies, then the text of the
 * few articles picked, so a 50x corpus never has to fit in memory.
 */
#include "common/bench.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define CANDIDATES 12 /* articles tried per query before giving up */

static const char *const news_queries[] = {
    "bundesbank interest rates",
    "opec oil output",
    "coffee prices brazil",
    "trade deficit japan",
    "dollar yen exchange rate",
    "wheat exports soviet union",
    "gold price",
    "federal reserve discount rate",
    "takeover bid shares",
    "crude oil prices",
    "sugar production",
    "money supply growth",
    "tax reform",
    "merger agreement",
    "grain shipments",
    "interest rates cut",
    "stock market crash",
    "bank of england",
    "unemployment rate",
    "cocoa exports ivory coast",
    "gulf tanker attack",
    "debt rescheduling brazil",
};

static const char *const stopwords[] = {
    "a", "about", "after", "all", "also", "an", "and", "any", "are", "as",
    "at", "be", "been", "before", "but", "by", "can", "could", "did", "do",
    "does", "for", "from", "had", "has", "have", "he", "her", "his", "how",
    "if", "in", "into", "is", "it", "its", "last", "more", "most", "mln",
    "new", "no", "not", "of", "on", "one", "or", "other", "our", "out",
    "over", "said", "says", "she", "should", "so", "some", "such", "than",
    "that", "the", "their", "them", "then", "there", "these", "they",
    "this", "those", "through", "to", "two", "under", "up", "was", "we",
    "were", "what", "when", "which", "while", "who", "will", "with",
    "would", "year", "you",
};

static void die(const char *msg)
{
    fprintf(stderr, "make_queries: %s\n", msg);
    exit(1);
}

static int is_stop(const char *w)
{
    for (size_t i = 0; i < sizeof stopwords / sizeof *stopwords; i++)
        if (!strcmp(w, stopwords[i]))
            return 1;
    return 0;
}

/* ------------------------------------------------------------------ */
/* Document frequencies: lower-case word -> articles containing it.      */

typedef struct dfmap {
    char **keys;
    uint32_t *df;
    uint32_t *last; /* last article counted (1-based), so df counts once */
    size_t cap, n;
} dfmap;

static uint64_t hash(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * 1099511628211ULL;
    return h;
}

static size_t df_find(const dfmap *m, const char *p, size_t n)
{
    size_t i = hash(p, n) & (m->cap - 1);
    while (m->keys[i] && (strlen(m->keys[i]) != n || memcmp(m->keys[i], p, n)))
        i = (i + 1) & (m->cap - 1);
    return i;
}

static void df_grow(dfmap *m)
{
    dfmap nm = { NULL, NULL, NULL, m->cap ? m->cap * 2 : 1 << 16, m->n };
    nm.keys = calloc(nm.cap, sizeof *nm.keys);
    nm.df = calloc(nm.cap, sizeof *nm.df);
    nm.last = calloc(nm.cap, sizeof *nm.last);
    if (!nm.keys || !nm.df || !nm.last)
        die("out of memory");
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->keys[i])
            continue;
        size_t j = df_find(&nm, m->keys[i], strlen(m->keys[i]));
        nm.keys[j] = m->keys[i];
        nm.df[j] = m->df[i];
        nm.last[j] = m->last[i];
    }
    free(m->keys);
    free(m->df);
    free(m->last);
    *m = nm;
}

static void df_add(dfmap *m, const char *p, size_t n, uint32_t doc)
{
    if ((m->n + 1) * 2 > m->cap)
        df_grow(m);
    size_t i = df_find(m, p, n);
    if (!m->keys[i]) {
        m->keys[i] = strndup(p, n);
        if (!m->keys[i])
            die("out of memory");
        m->n++;
    }
    if (m->last[i] != doc) {
        m->last[i] = doc;
        m->df[i]++;
    }
}

static uint32_t df_get(const dfmap *m, const char *w)
{
    size_t i = df_find(m, w, strlen(w));
    return m->keys[i] ? m->df[i] : 0;
}

/* ------------------------------------------------------------------ */
/* Words of an article                                                   */

typedef struct word {
    char w[32];      /* lower case, NUL-terminated */
    int candidate;   /* letters only, cleanly delimited, 3..31 letters */
    int blank_after; /* only blanks between this word and the next */
} word;

typedef struct words {
    word *v;
    size_t n, cap;
} words;

static int clean_delim(int c)
{
    return c == 0 || isspace(c) || strchr(".,;:!?()\"", c) != NULL;
}

/* Splits s into alphanumeric runs, lower-cased: counted in m for article
 * doc when m is given, else appended to out. */
static void tokenize(const char *s, words *out, dfmap *m, uint32_t doc)
{
    const unsigned char *p = (const unsigned char *)s;
    const unsigned char *start = p;
    while (*p) {
        if (!isalnum(*p)) {
            p++;
            continue;
        }
        const unsigned char *b = p;
        int letters = 1;
        while (isalnum(*p)) {
            letters &= isalpha(*p) != 0;
            p++;
        }
        size_t n = (size_t)(p - b);
        char lw[32];
        size_t ln = n < sizeof lw - 1 ? n : sizeof lw - 1;
        for (size_t i = 0; i < ln; i++)
            lw[i] = (char)tolower(b[i]);
        lw[ln] = '\0';
        if (m) {
            if (letters && n < sizeof lw)
                df_add(m, lw, ln, doc);
            continue;
        }
        if (out->n == out->cap) {
            out->cap = out->cap ? out->cap * 2 : 512;
            out->v = realloc(out->v, out->cap * sizeof *out->v);
            if (!out->v)
                die("out of memory");
        }
        word *w = &out->v[out->n++];
        memcpy(w->w, lw, ln + 1);
        int before = b > start ? b[-1] : 0;
        w->candidate = letters && n >= 3 && n < sizeof lw &&
                       clean_delim(before) && clean_delim(*p);
        const unsigned char *q = p;
        while (*q == ' ' || *q == '\n')
            q++;
        w->blank_after = q > p && isalpha(*q);
        for (const unsigned char *r = p; r < q; r++)
            if (*r == '\n' && r + 1 < q && r[1] == '\n')
                w->blank_after = 0; /* paragraph break */
    }
}

/* ------------------------------------------------------------------ */
/* Query generation                                                      */

typedef struct pick {
    uint64_t doc;      /* 0-based article */
    size_t slot;       /* query slot */
} pick;

typedef struct stored {
    uint64_t doc;
    char *title, *body;
    int64_t epoch;
} stored;

typedef struct ctx {
    dfmap df;
    uint64_t n_docs;
    stored *docs;      /* picked articles, sorted by doc */
    size_t n_stored;
} ctx;

static const stored *find_doc(const ctx *c, uint64_t doc)
{
    size_t lo = 0, hi = c->n_stored;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (c->docs[mid].doc < doc)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < c->n_stored && c->docs[lo].doc == doc ? &c->docs[lo] : NULL;
}

/* Distinct candidate words of a doc with df in [lo, hi], not stopwords. */
static size_t pool_of(const ctx *c, const words *ws, uint32_t lo, uint32_t hi,
                      const char **pool, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < ws->n && n < max; i++) {
        const word *w = &ws->v[i];
        if (!w->candidate || is_stop(w->w))
            continue;
        uint32_t df = df_get(&c->df, w->w);
        if (df < lo || df > hi)
            continue;
        int dup = 0;
        for (size_t j = 0; j < n && !dup; j++)
            dup = !strcmp(pool[j], w->w);
        if (!dup)
            pool[n++] = w->w;
    }
    return n;
}

/* Appends k distinct words drawn from pool to q. 0, or -1 if too few. */
static int draw(char *q, size_t qcap, const char **pool, size_t n, size_t k,
                bench_rng *r)
{
    if (n < k)
        return -1;
    for (size_t i = 0; i < k; i++) { /* partial Fisher-Yates */
        size_t j = i + (size_t)bench_rng_below(r, n - i);
        const char *t = pool[i];
        pool[i] = pool[j];
        pool[j] = t;
        if (i)
            strncat(q, " ", qcap - strlen(q) - 1);
        strncat(q, pool[i], qcap - strlen(q) - 1);
    }
    return 0;
}

static uint32_t max32(uint64_t a, uint64_t b)
{
    return (uint32_t)(a > b ? a : b);
}

/* Builds a query of class cls from article d into q / extra. */
static int build(const ctx *c, int cls, const stored *d, bench_rng *r,
                 char *q, size_t qcap, char *extra, size_t ecap)
{
    words ws = { 0 };
    tokenize(d->title, &ws, NULL, 0);
    tokenize(d->body, &ws, NULL, 0);
    const char *pool[4096];
    uint64_t n = c->n_docs;
    size_t np;
    int rc = -1;
    q[0] = extra[0] = '\0';
    switch (cls) {
    case BQ_AND:
        np = pool_of(c, &ws, max32(3, n / 5000), max32(3, n / 20), pool,
                     4096);
        rc = draw(q, qcap, pool, np, 2 + (size_t)bench_rng_below(r, 3), r);
        break;
    case BQ_OR:
        np = pool_of(c, &ws, 2, max32(2, n / 10), pool, 4096);
        rc = draw(q, qcap, pool, np, 2 + (size_t)bench_rng_below(r, 2), r);
        break;
    case BQ_INTERSECTION:
    case BQ_UNION:
        np = pool_of(c, &ws, max32(2, n / 2000), max32(2, n / 5), pool,
                     4096);
        rc = draw(q, qcap, pool, np, 2 + (size_t)bench_rng_below(r, 3), r);
        break;
    case BQ_PHRASE: {
        words body = { 0 };
        tokenize(d->body, &body, NULL, 0);
        size_t len = 2 + (size_t)bench_rng_below(r, 2);
        size_t ok[4096], nok = 0;
        for (size_t i = 0; i + len <= body.n && nok < 4096; i++) {
            const word *w = &body.v[i];
            int good = !is_stop(w[0].w) && !is_stop(w[len - 1].w);
            for (size_t j = 0; j < len && good; j++)
                good = w[j].candidate && (j + 1 == len || w[j].blank_after);
            /* not a phrase of very common words only */
            if (good && df_get(&c->df, w[0].w) > n / 5 &&
                df_get(&c->df, w[len - 1].w) > n / 5)
                good = 0;
            if (good)
                ok[nok++] = i;
        }
        if (nok) {
            size_t i = ok[bench_rng_below(r, nok)];
            for (size_t j = 0; j < len; j++) {
                if (j)
                    strncat(q, " ", qcap - strlen(q) - 1);
                strncat(q, body.v[i + j].w, qcap - strlen(q) - 1);
            }
            rc = 0;
        }
        free(body.v);
        break;
    }
    case BQ_DATE: {
        if (d->epoch == BENCH_NO_DATE)
            break;
        np = pool_of(c, &ws, 2, max32(2, n / 10), pool, 4096);
        if (draw(q, qcap, pool, np, 1 + (size_t)bench_rng_below(r, 2), r))
            break;
        int64_t day = d->epoch >= 0 ? d->epoch / 86400
                                    : -((-d->epoch + 86399) / 86400);
        int y1, y2;
        unsigned m1, m2, d1, d2;
        if (bench_rng_below(r, 2) == 0) { /* the calendar month */
            bench_civil_from_days(day, &y1, &m1, &d1);
            d1 = 1;
            int64_t next = bench_days_from_civil(m1 == 12 ? y1 + 1 : y1,
                                                 m1 == 12 ? 1 : m1 + 1, 1);
            bench_civil_from_days(next - 1, &y2, &m2, &d2);
        } else { /* a window of 7..90 days holding the date */
            int64_t len = 7 + (int64_t)bench_rng_below(r, 84);
            int64_t from = day - (int64_t)bench_rng_below(r, (uint64_t)len);
            bench_civil_from_days(from, &y1, &m1, &d1);
            bench_civil_from_days(from + len - 1, &y2, &m2, &d2);
        }
        snprintf(extra, ecap, "from=%04d-%02u-%02u to=%04d-%02u-%02u", y1,
                 m1, d1, y2, m2, d2);
        rc = 0;
        break;
    }
    case BQ_FACET:
        np = pool_of(c, &ws, max32(2, n / 200), max32(2, n / 5), pool, 4096);
        rc = draw(q, qcap, pool, np, 1 + (size_t)bench_rng_below(r, 2), r);
        if (rc == 0)
            snprintf(extra, ecap, "facet=month");
        break;
    }
    free(ws.v);
    return rc;
}

static int cmp_pick(const void *a, const void *b)
{
    const pick *x = a, *y = b;
    return (x->doc > y->doc) - (x->doc < y->doc);
}

int main(int argc, char **argv)
{
    uint64_t seed = 21578;
    long per_class = -1;
    const char *in = NULL, *outpath = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--seed") && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--per-class") && i + 1 < argc)
            per_class = atol(argv[++i]);
        else if (!strcmp(argv[i], "-o") && i + 1 < argc)
            outpath = argv[++i];
        else if (argv[i][0] != '-' && !in)
            in = argv[i];
        else {
            fprintf(stderr, "unknown argument %s\n", argv[i]);
            return 2;
        }
    }
    if (!in) {
        fprintf(stderr, "usage: make_queries [--seed S] [--per-class N] "
                "[-o OUT.tsv] CORPUS.jsonl\n");
        return 2;
    }
    /* Queries per generated class (and, or, phrase, date, facet, -,
     * intersection, union); news are written as they are. */
    size_t want[BQ_N_CLASSES] = { 120, 60, 60, 50, 50, 0, 60, 60 };
    size_t n_news = sizeof news_queries / sizeof *news_queries;
    if (per_class >= 0) {
        for (int k = 0; k < BQ_N_CLASSES; k++)
            want[k] = k == BQ_NEWS ? 0 : (size_t)per_class;
        if ((size_t)per_class < n_news)
            n_news = (size_t)per_class;
    }

    /* Pass 1: document frequencies. */
    ctx c;
    memset(&c, 0, sizeof c);
    df_grow(&c.df);
    bench_corpus *cp = bench_corpus_open(in);
    if (!cp)
        return 1;
    bench_article a;
    int rc;
    while ((rc = bench_corpus_next(cp, &a)) == 1) {
        c.n_docs++;
        tokenize(a.title, NULL, &c.df, (uint32_t)c.n_docs);
        tokenize(a.body, NULL, &c.df, (uint32_t)c.n_docs);
    }
    bench_corpus_close(cp);
    if (rc < 0 || c.n_docs == 0)
        die("cannot read the corpus");

    /* Candidate articles for every query slot, drawn up front. */
    size_t slots = 0;
    for (int k = 0; k < BQ_N_CLASSES; k++)
        slots += want[k];
    pick *picks = malloc((slots * CANDIDATES + 1) * sizeof *picks);
    if (!picks)
        die("out of memory");
    bench_rng r;
    bench_rng_seed(&r, seed);
    for (size_t s = 0; s < slots * CANDIDATES; s++) {
        picks[s].doc = bench_rng_below(&r, c.n_docs);
        picks[s].slot = s;
    }
    qsort(picks, slots * CANDIDATES, sizeof *picks, cmp_pick);

    /* Pass 2: keep the text of the picked articles. */
    c.docs = calloc(slots * CANDIDATES + 1, sizeof *c.docs);
    if (!c.docs)
        die("out of memory");
    cp = bench_corpus_open(in);
    if (!cp)
        return 1;
    uint64_t doc = 0;
    size_t pi = 0;
    while (pi < slots * CANDIDATES && (rc = bench_corpus_next(cp, &a)) == 1) {
        if (picks[pi].doc == doc) {
            stored *s = &c.docs[c.n_stored++];
            s->doc = doc;
            s->title = strdup(a.title);
            s->body = strdup(a.body);
            s->epoch = a.epoch;
            if (!s->title || !s->body)
                die("out of memory");
            while (pi < slots * CANDIDATES && picks[pi].doc == doc)
                pi++;
        }
        doc++;
    }
    bench_corpus_close(cp);

    FILE *out = stdout;
    if (outpath && !(out = fopen(outpath, "w"))) {
        fprintf(stderr, "%s: %s\n", outpath, strerror(errno));
        return 1;
    }
    fprintf(out, "# morgue benchmark queries: class<TAB>words<TAB>extra; "
            "%llu articles, seed %llu\n", (unsigned long long)c.n_docs,
            (unsigned long long)seed);
    /* Replay the same draws in slot order to find each slot's candidates. */
    bench_rng_seed(&r, seed);
    uint64_t *cand = malloc((slots * CANDIDATES + 1) * sizeof *cand);
    if (!cand)
        die("out of memory");
    for (size_t s = 0; s < slots * CANDIDATES; s++)
        cand[s] = bench_rng_below(&r, c.n_docs);
    size_t slot = 0, failed = 0, total = 0;
    char **seen = calloc(slots + 1, sizeof *seen);
    size_t n_seen = 0;
    for (int k = 0; k < BQ_N_CLASSES; k++) {
        for (size_t i = 0; i < want[k]; i++, slot++) {
            bench_rng qr;
            bench_rng_seed(&qr, seed ^ (0x51ed27a1ULL * (slot + 1)));
            char q[256], extra[128], line[512];
            int done = 0;
            for (size_t t = 0; t < CANDIDATES && !done; t++) {
                const stored *d = find_doc(&c, cand[slot * CANDIDATES + t]);
                if (!d || build(&c, k, d, &qr, q, sizeof q, extra,
                                sizeof extra) != 0)
                    continue;
                snprintf(line, sizeof line, "%s\t%s\t%s", bench_class_names[k],
                         q, extra);
                int dup = 0;
                for (size_t j = 0; j < n_seen && !dup; j++)
                    dup = !strcmp(seen[j], line);
                if (dup)
                    continue;
                seen[n_seen++] = strdup(line);
                fprintf(out, "%s\n", line);
                done = 1;
                total++;
            }
            failed += !done;
        }
    }
    for (size_t i = 0; i < n_news; i++, total++)
        fprintf(out, "news\t%s\t\n", news_queries[i]);
    if (fflush(out) != 0 || (outpath && fclose(out) != 0))
        die("write failed");
    fprintf(stderr, "make_queries: %zu queries from %llu articles (%zu slots "
            "left empty)\n", total, (unsigned long long)c.n_docs, failed);
    for (size_t i = 0; i < n_seen; i++)
        free(seen[i]);
    free(seen);
    free(cand);
    free(picks);
    for (size_t i = 0; i < c.n_stored; i++) {
        free(c.docs[i].title);
        free(c.docs[i].body);
    }
    free(c.docs);
    for (size_t i = 0; i < c.df.cap; i++)
        free(c.df.keys[i]);
    free(c.df.keys);
    free(c.df.df);
    free(c.df.last);
    return total > 0 ? 0 : 1;
}
