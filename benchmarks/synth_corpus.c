/* synth_corpus.c: a deterministic synthetic corpus N times the size of a
 * JSON Lines corpus, with the same vocabulary statistics.
 *
 *   synth_corpus --scale N [--seed S] [-o OUT.jsonl] IN.jsonl
 *
 * Synthetic article k (0 <= k < N * n, n articles in IN) is built from
 * source article k mod n, so every source is used N times and the length
 * distribution and topic mix stay those of the original:
 *   - its body keeps the source's sentence count; each sentence is the
 *     source's own (p 0.75) or one drawn from any article (p 0.25);
 *   - each word of it is kept (p 0.75) or replaced by a word drawn from the
 *     whole corpus's running text (p 0.25), numbers by numbers: a draw from
 *     the token stream picks words in proportion to their frequency, so the
 *     Zipfian unigram distribution is kept, while the kept words keep
 *     enough co-occurrence for AND and phrase queries to mean something;
 *   - a corpus N times larger has a larger vocabulary (Heaps' law): some
 *     rare words (corpus frequency <= 2) are replaced by new variants
 *     (their last letters changed), at the rate that makes the distinct
 *     word count grow as sqrt(N), Heaps' law with beta = 0.5;
 *   - the title is the source's with words replaced likewise (p 0.25) from
 *     the titles' words;
 *   - the date is uniform over 1970-01-01 .. 2024-12-31, so the corpus
 *     spans decades; tags and source are the source's; ids are
 *     "<N>x-<k>", unique.
 * Each article gets its own PRNG seeded from (seed, k): the output depends
 * on nothing but the input, N and the seed.
 */
#include "common/bench.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct tok {
    const char *p;
    uint32_t n;
} tok;

typedef struct toks {
    tok *v;
    size_t n, cap;
} toks;

typedef struct art {
    char *title, *body, *source; /* owned copies */
    char **tags;
    size_t n_tags;
    size_t first_sentence, n_sentences; /* into the sentence pool */
} art;

/* Case-folded word counts: open addressing over (ptr, len). */
typedef struct wcount {
    tok *keys;
    uint32_t *counts;
    size_t cap, n;
} wcount;

static void die(const char *msg)
{
    fprintf(stderr, "synth_corpus: %s\n", msg);
    exit(1);
}

static void push(toks *t, const char *p, size_t n)
{
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 1024;
        t->v = realloc(t->v, t->cap * sizeof *t->v);
        if (!t->v)
            die("out of memory");
    }
    t->v[t->n].p = p;
    t->v[t->n].n = (uint32_t)n;
    t->n++;
}

static int word_byte(unsigned char c)
{
    return isalnum(c) || c >= 0x80;
}

static uint64_t hash_fold(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)tolower((unsigned char)p[i])) *
            1099511628211ULL;
    return h;
}

static int eq_fold(tok a, const char *p, size_t n)
{
    if (a.n != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (tolower((unsigned char)a.p[i]) != tolower((unsigned char)p[i]))
            return 0;
    return 1;
}

static uint32_t *wc_slot(wcount *w, const char *p, size_t n, int insert)
{
    if (insert && (w->n + 1) * 2 > w->cap) {
        wcount nw = { NULL, NULL, w->cap ? w->cap * 2 : 1 << 16, 0 };
        nw.keys = calloc(nw.cap, sizeof *nw.keys);
        nw.counts = calloc(nw.cap, sizeof *nw.counts);
        if (!nw.keys || !nw.counts)
            die("out of memory");
        for (size_t i = 0; i < w->cap; i++)
            if (w->keys[i].p)
                *wc_slot(&nw, w->keys[i].p, w->keys[i].n, 1) = w->counts[i];
        free(w->keys);
        free(w->counts);
        *w = nw;
    }
    if (!w->cap)
        return NULL;
    size_t i = hash_fold(p, n) & (w->cap - 1);
    while (w->keys[i].p) {
        if (eq_fold(w->keys[i], p, n))
            return &w->counts[i];
        i = (i + 1) & (w->cap - 1);
    }
    if (!insert)
        return NULL;
    w->keys[i].p = p;
    w->keys[i].n = (uint32_t)n;
    w->n++;
    return &w->counts[i];
}

static uint32_t wc_get(const wcount *w, const char *p, size_t n)
{
    uint32_t *c = wc_slot((wcount *)w, p, n, 0);
    return c ? *c : 0;
}

/* Adds the words of text to the pools and counts. */
static void scan_words(const char *s, toks *alpha, toks *num, wcount *wc)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        if (!word_byte(*p)) {
            p++;
            continue;
        }
        const unsigned char *b = p;
        while (*p && word_byte(*p))
            p++;
        size_t n = (size_t)(p - b);
        push(isdigit(*b) ? num : alpha, (const char *)b, n);
        ++*wc_slot(wc, (const char *)b, n, 1);
    }
}

/* Splits body into sentences: each ends after a '.', '!' or '?' followed by
 * whitespace, and includes that whitespace. */
static void split_sentences(const char *s, toks *out)
{
    const char *start = s, *p = s;
    while (*p) {
        if ((*p == '.' || *p == '!' || *p == '?') &&
            (p[1] == ' ' || p[1] == '\n' || p[1] == '\0')) {
            p++;
            while (*p == ' ' || *p == '\n')
                p++;
            push(out, start, (size_t)(p - start));
            start = p;
            continue;
        }
        p++;
    }
    if (p > start)
        push(out, start, (size_t)(p - start));
}

typedef struct gen {
    toks body_alpha, body_num, title_words, sentences;
    wcount wc;
    double p_variant; /* chance a rare word becomes a new variant */
    unsigned scale;
} gen;

typedef struct sbuf {
    char *p;
    size_t n, cap;
} sbuf;

static void sb_put(sbuf *b, const char *p, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        b->cap = (b->n + n + 1) * 2;
        b->p = realloc(b->p, b->cap);
        if (!b->p)
            die("out of memory");
    }
    memcpy(b->p + b->n, p, n);
    b->n += n;
    b->p[b->n] = '\0';
}

/* A new word from a rare one: its last letters replaced, keeping case. */
static void put_variant(sbuf *b, tok w, bench_rng *r)
{
    size_t keep = w.n > 3 ? w.n - 3 : 1;
    sb_put(b, w.p, keep);
    int upper = isupper((unsigned char)w.p[w.n - 1]);
    for (size_t i = keep; i < keep + 3; i++) {
        char c = (char)('a' + bench_rng_below(r, 26));
        if (upper)
            c = (char)toupper((unsigned char)c);
        sb_put(b, &c, 1);
    }
}

/* Copies text to b, replacing each word with p_replace by a pool word. */
static void rewrite(const gen *g, sbuf *b, const char *s, size_t len,
                    const toks *alpha, const toks *num, double p_replace,
                    bench_rng *r)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    while (p < end) {
        const unsigned char *q = p;
        while (q < end && !word_byte(*q))
            q++;
        sb_put(b, (const char *)p, (size_t)(q - p));
        if (q == end)
            break;
        p = q;
        while (q < end && word_byte(*q))
            q++;
        tok w = { (const char *)p, (uint32_t)(q - p) };
        p = q;
        const toks *pool = isdigit((unsigned char)w.p[0]) ? num : alpha;
        if (pool->n && bench_rng_unit(r) < p_replace)
            w = pool->v[bench_rng_below(r, pool->n)];
        if (!isdigit((unsigned char)w.p[0]) && w.n >= 4 &&
            wc_get(&g->wc, w.p, w.n) <= 2 &&
            bench_rng_unit(r) < g->p_variant)
            put_variant(b, w, r);
        else
            sb_put(b, w.p, w.n);
    }
}

static void generate(const gen *g, const art *arts, size_t n_arts,
                     uint64_t seed, FILE *out)
{
    sbuf title = { 0 }, body = { 0 };
    const int64_t t_min = bench_days_from_civil(1970, 1, 1) * 86400;
    const int64_t t_max = bench_days_from_civil(2025, 1, 1) * 86400;
    uint64_t total = (uint64_t)g->scale * n_arts;
    for (uint64_t k = 0; k < total; k++) {
        bench_rng r;
        bench_rng_seed(&r, seed * 0x9e3779b97f4a7c15ULL + k);
        const art *a = &arts[k % n_arts];
        title.n = body.n = 0;
        sb_put(&title, "", 0);
        sb_put(&body, "", 0);
        rewrite(g, &title, a->title, strlen(a->title), &g->title_words,
                &g->title_words, 0.25, &r);
        for (size_t i = 0; i < a->n_sentences; i++) {
            tok s = g->sentences.v[a->first_sentence + i];
            if (bench_rng_unit(&r) >= 0.75)
                s = g->sentences.v[bench_rng_below(&r, g->sentences.n)];
            if (body.n && body.p[body.n - 1] != ' ' &&
                body.p[body.n - 1] != '\n')
                sb_put(&body, " ", 1);
            rewrite(g, &body, s.p, s.n, &g->body_alpha, &g->body_num, 0.25,
                    &r);
        }
        while (body.n && (body.p[body.n - 1] == ' ' ||
                          body.p[body.n - 1] == '\n'))
            body.p[--body.n] = '\0';
        int64_t t = t_min + (int64_t)bench_rng_below(&r,
                                                     (uint64_t)(t_max - t_min));
        char iso[32], id[48];
        bench_format_iso(t, iso);
        snprintf(id, sizeof id, "%ux-%llu", g->scale, (unsigned long long)k);
        fputs("{\"id\":", out);
        bench_json_string(out, id, strlen(id));
        fputs(",\"title\":", out);
        bench_json_string(out, title.p, title.n);
        fprintf(out, ",\"date\":\"%s\",\"source\":", iso);
        bench_json_string(out, a->source, strlen(a->source));
        fputs(",\"tags\":[", out);
        for (size_t i = 0; i < a->n_tags; i++) {
            if (i)
                putc(',', out);
            bench_json_string(out, a->tags[i], strlen(a->tags[i]));
        }
        fputs("],\"body\":", out);
        bench_json_string(out, body.p, body.n);
        fputs("}\n", out);
    }
    free(title.p);
    free(body.p);
}

static char *dup(const char *s)
{
    char *d = strdup(s);
    if (!d)
        die("out of memory");
    return d;
}

int main(int argc, char **argv)
{
    unsigned scale = 0;
    uint64_t seed = 1987;
    const char *in = NULL, *outpath = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--scale") && i + 1 < argc)
            scale = (unsigned)atoi(argv[++i]);
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
            seed = (uint64_t)strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "-o") && i + 1 < argc)
            outpath = argv[++i];
        else if (argv[i][0] != '-' && !in)
            in = argv[i];
        else {
            fprintf(stderr, "unknown argument %s\n", argv[i]);
            return 2;
        }
    }
    if (!in || scale < 1) {
        fprintf(stderr, "usage: synth_corpus --scale N [--seed S] "
                "[-o OUT.jsonl] IN.jsonl\n");
        return 2;
    }
    bench_corpus *c = bench_corpus_open(in);
    if (!c)
        return 1;
    art *arts = NULL;
    size_t n = 0, cap = 0;
    bench_article a;
    int rc;
    while ((rc = bench_corpus_next(c, &a)) == 1) {
        if (n == cap) {
            cap = cap ? cap * 2 : 1024;
            arts = realloc(arts, cap * sizeof *arts);
            if (!arts)
                die("out of memory");
        }
        art *d = &arts[n++];
        d->title = dup(a.title);
        d->body = dup(a.body);
        d->source = dup(a.source);
        d->n_tags = a.n_tags;
        d->tags = calloc(a.n_tags + 1, sizeof *d->tags);
        if (!d->tags)
            die("out of memory");
        for (size_t i = 0; i < a.n_tags; i++)
            d->tags[i] = dup(a.tags[i]);
    }
    bench_corpus_close(c);
    if (rc < 0 || n == 0)
        die("cannot read the input corpus");

    gen g;
    memset(&g, 0, sizeof g);
    g.scale = scale;
    for (size_t i = 0; i < n; i++) {
        arts[i].first_sentence = g.sentences.n;
        split_sentences(arts[i].body, &g.sentences);
        arts[i].n_sentences = g.sentences.n - arts[i].first_sentence;
        scan_words(arts[i].body, &g.body_alpha, &g.body_num, &g.wc);
        toks tnum = { 0 };
        scan_words(arts[i].title, &g.title_words, &tnum, &g.wc);
        for (size_t j = 0; j < tnum.n; j++)
            push(&g.title_words, tnum.v[j].p, tnum.v[j].n);
        free(tnum.v);
    }
    /* Heaps' law calibration: V(N) = V(1) * sqrt(N) needs V(1) *
     * (sqrt(N) - 1) new words, drawn from the ~N * R occurrences of rare
     * words (R: their count in the input). */
    uint64_t rare = 0;
    for (size_t i = 0; i < g.wc.cap; i++)
        if (g.wc.keys[i].p && g.wc.counts[i] <= 2 && g.wc.keys[i].n >= 4 &&
            !isdigit((unsigned char)g.wc.keys[i].p[0]))
            rare += g.wc.counts[i];
    double want = (double)g.wc.n * (sqrt((double)scale) - 1.0);
    g.p_variant = rare ? want / ((double)rare * scale) : 0.0;
    if (g.p_variant > 1.0)
        g.p_variant = 1.0;
    fprintf(stderr, "synth_corpus: %zu articles, %zu sentences, %zu distinct "
            "words, %llu rare occurrences, variant rate %.3f, scale %u\n", n,
            g.sentences.n, g.wc.n, (unsigned long long)rare, g.p_variant,
            scale);

    FILE *out = stdout;
    if (outpath && !(out = fopen(outpath, "w"))) {
        fprintf(stderr, "%s: %s\n", outpath, strerror(errno));
        return 1;
    }
    generate(&g, arts, n, seed, out);
    if (fflush(out) != 0 || ferror(out) || (outpath && fclose(out) != 0))
        die("write failed");
    for (size_t i = 0; i < n; i++) {
        free(arts[i].title);
        free(arts[i].body);
        free(arts[i].source);
        for (size_t j = 0; j < arts[i].n_tags; j++)
            free(arts[i].tags[j]);
        free(arts[i].tags);
    }
    free(arts);
    free(g.body_alpha.v);
    free(g.body_num.v);
    free(g.title_words.v);
    free(g.sentences.v);
    free(g.wc.keys);
    free(g.wc.counts);
    return 0;
}
