/* snippet.c: finds where the query matches an article's body (words by
 * stem, exact words, whole phrases as one span), picks the passage that
 * covers the most and rarest query terms, and marks the matches up,
 * escaping HTML when the markers are HTML. A query's stopwords (HL_STOP)
 * are marked only between two other matches, with nothing but stopwords
 * of the query between them, and such a run is marked as one span. */
#include <stdlib.h>
#include <string.h>

#include "searcher/searcher.h"
#include "text/stem.h"
#include "text/tokenize.h"
#include "util/alloc.h"

#define MAX_TOKENS 20000

typedef struct tok {
    size_t start, end;   /* bytes in the body */
    size_t term, len;    /* normalised word in the arena */
} tok;

typedef struct match {
    size_t start, end;
    unsigned term;
} match;

static int is_space(char c)
{
    return c == ' ' || c == '\n' || c == '\t' || c == '\r';
}

static int eq(const buf *arena, const tok *t, const char *w)
{
    size_t n = strlen(w);
    return t->len == n && !memcmp(arena->ptr + t->term, w, n);
}

static size_t tokenize(const char *body, size_t len, tok *toks, buf *arena)
{
    tokenizer tk;
    token t;
    size_t n = 0;
    tokenizer_init(&tk, body, len);
    while (n < MAX_TOKENS && tokenizer_next(&tk, &t)) {
        toks[n] = (tok){ t.start, t.end, arena->len, t.len };
        buf_append(arena, t.term, t.len);
        n++;
    }
    return n;
}

/* Snowball stems keep a word's first letter in every algorithm but
 * those that strip prefixes; elsewhere a word whose first byte differs
 * from every query stem's needs no stemming (most of a body's words). */
static int may_stem_to(const char *w, const query_term *q, size_t nq,
                       int strips_prefixes)
{
    if (strips_prefixes)
        return 1;
    for (size_t t = 0; t < nq; t++)
        if (q[t].kind == HL_STEM && q[t].words[0][0] == w[0])
            return 1;
    return 0;
}

/* The query term matching at token i (and how many tokens it spans). */
static int match_at(const tok *toks, size_t n, size_t i, const buf *arena,
                    const query_term *q, size_t nq, stemmer *stem,
                    size_t *span_len)
{
    const char *st = NULL;
    size_t sl = 0;
    int check_stems = may_stem_to(arena->ptr + toks[i].term, q, nq,
                                  stemmer_strips_prefixes(stem));
    for (size_t t = 0; t < nq; t++) {
        const query_term *qt = &q[t];
        if (qt->kind == HL_PHRASE) {
            size_t w = 0;
            while (w < qt->n_words && i + w < n &&
                   eq(arena, &toks[i + w], qt->words[w]))
                w++;
            if (w == qt->n_words) {
                *span_len = w;
                return (int)t;
            }
        } else if (qt->kind == HL_WORD || qt->kind == HL_STOP) {
            if (eq(arena, &toks[i], qt->words[0])) {
                *span_len = 1;
                return (int)t;
            }
        } else if (check_stems) {
            if (!st)
                st = stemmer_stem(stem, arena->ptr + toks[i].term,
                                  toks[i].len, &sl);
            if (st && sl == strlen(qt->words[0]) &&
                !memcmp(st, qt->words[0], sl)) {
                *span_len = 1;
                return (int)t;
            }
        }
    }
    return -1;
}

static int find_matches(const char *body, size_t len, const query_term *q,
                        size_t nq, stemmer *stem, match **out, size_t *n_out)
{
    tok *toks = mem_array(MAX_TOKENS, sizeof *toks);
    match *m = NULL;
    buf arena = BUF_INIT;
    size_t n_m = 0;
    int rc = MORGUE_OK;
    if (!toks) {
        rc = MORGUE_ENOMEM;
        goto out;
    }
    size_t n = tokenize(body, len, toks, &arena);
    m = mem_array(n + 1, sizeof *m);
    if (!m || arena.oom) {
        rc = MORGUE_ENOMEM;
        goto out;
    }
    /* first[k], last[k]: the tokens match k spans */
    size_t *first = mem_array(n + 1, sizeof *first);
    size_t *last = mem_array(n + 1, sizeof *last);
    if (!first || !last) {
        free(first);
        free(last);
        rc = MORGUE_ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < n;) {
        size_t width = 1;
        int t = match_at(toks, n, i, &arena, q, nq, stem, &width);
        if (t >= 0) {
            first[n_m] = i;
            last[n_m] = i + width - 1;
            m[n_m++] = (match){ toks[i].start, toks[i + width - 1].end,
                                (unsigned)t };
        }
        i += t >= 0 ? width : 1;
    }
    /* Stopwords: kept only when they bridge two other matches, the run
     * then one span; dropped otherwise. */
    size_t w = 0;
    for (size_t k = 0; k < n_m;) {
        if (q[m[k].term].kind != HL_STOP) {
            size_t j = k; /* extend over stopwords to the next match */
            size_t end_k = k;
            for (;;) {
                size_t s = j + 1;
                while (s < n_m && q[m[s].term].kind == HL_STOP &&
                       first[s] == last[s - 1] + 1)
                    s++;
                if (s > j + 1 && s < n_m && q[m[s].term].kind != HL_STOP &&
                    first[s] == last[s - 1] + 1) {
                    j = end_k = s;
                    continue;
                }
                break;
            }
            match r = m[k];
            r.end = m[end_k].end;
            m[w++] = r;
            k = end_k + 1;
        } else {
            k++;
        }
    }
    n_m = w;
    free(first);
    free(last);
out:
    free(toks);
    buf_free(&arena);
    if (rc) {
        free(m);
        m = NULL;
        n_m = 0;
    }
    *out = m;
    *n_out = n_m;
    return rc;
}

int snippet_matches(const char *body, size_t len, const query_term *terms,
                    size_t n_terms, stemmer *stem, struct morgue_match **out,
                    size_t *n)
{
    match *m;
    size_t k;
    int rc = find_matches(body, len, terms, n_terms, stem, &m, &k);
    *out = NULL;
    *n = 0;
    if (rc)
        return rc;
    morgue_match *r = mem_array(k + 1, sizeof *r);
    if (!r) {
        free(m);
        return MORGUE_ENOMEM;
    }
    for (size_t i = 0; i < k; i++)
        r[i] = (morgue_match){ m[i].start, m[i].end };
    free(m);
    *out = r;
    *n = k;
    return MORGUE_OK;
}

/* Index of the match that starts the best window of width bytes. */
static size_t best_window(const match *m, size_t n, const query_term *terms,
                          size_t width)
{
    size_t best = 0;
    double best_score = -1;
    for (size_t i = 0; i < n; i++) {
        uint64_t seen = 0;
        double score = 0;
        for (size_t j = i; j < n && m[j].end - m[i].start <= width; j++) {
            uint64_t bit = 1ull << (m[j].term % 64);
            score += (seen & bit) ? 0.05 : 1.0 + terms[m[j].term].weight;
            seen |= bit;
        }
        if (score > best_score) {
            best_score = score;
            best = i;
        }
    }
    return best;
}

static void put_text(buf *out, const char *p, size_t n, int html)
{
    int space = 0;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (is_space(c)) {
            space = 1;
            continue;
        }
        if (space && out->len > 0)
            buf_putc(out, ' ');
        space = 0;
        if (html && c == '<')
            buf_puts(out, "&lt;");
        else if (html && c == '>')
            buf_puts(out, "&gt;");
        else if (html && c == '&')
            buf_puts(out, "&amp;");
        else if (html && c == '"')
            buf_puts(out, "&quot;");
        else
            buf_putc(out, c);
    }
    if (space && out->len > 0)
        buf_putc(out, ' ');
}

/* [s, e): the passage around match `first`, on word boundaries. */
static void window(const char *body, size_t len, size_t start, size_t width,
                   size_t *s_out, size_t *e_out)
{
    size_t back = width / 4;
    size_t s = start > back ? start - back : 0;
    while (s > 0 && s < start && !is_space(body[s - 1]))
        s++;
    size_t e = s + width < len ? s + width : len;
    while (e < len && e > s && !is_space(body[e]))
        e--;
    if (e <= s)
        e = s + width < len ? s + width : len;
    while (e < len && (body[e] & 0xC0) == 0x80) /* never split a char */
        e++;
    *s_out = s;
    *e_out = e;
}

/* body[s, e) with the matches inside it wrapped in the markers, blanks
 * collapsed, appended to out. */
static void mark(buf *out, const char *body, size_t s, size_t e,
                 const match *m, size_t n, const char *hl_open,
                 const char *hl_close)
{
    int html = hl_open[0] == '<';
    size_t base = out->len, at = s;
    for (size_t i = 0; i < n; i++) {
        if (m[i].start < s || m[i].end > e)
            continue;
        put_text(out, body + at, m[i].start - at, html);
        buf_puts(out, hl_open);
        put_text(out, body + m[i].start, m[i].end - m[i].start, html);
        buf_puts(out, hl_close);
        at = m[i].end;
    }
    put_text(out, body + at, e - at, html);
    while (out->len > base && out->ptr[out->len - 1] == ' ')
        out->len--;
}

int snippet_make(buf *out, const char *body, size_t len,
                 const query_term *terms, size_t n_terms, stemmer *stem,
                 const morgue_query_opts *o, const char *hl_open,
                 const char *hl_close)
{
    match *m;
    size_t n;
    int rc = find_matches(body, len, terms, n_terms, stem, &m, &n);
    if (rc)
        return rc;
    size_t first = n ? best_window(m, n, terms, o->snippet_chars) : 0;
    size_t s, e;
    window(body, len, n ? m[first].start : 0, o->snippet_chars, &s, &e);
    buf_clear(out);
    if (s > 0)
        buf_puts(out, "\xE2\x80\xA6"); /* … */
    mark(out, body, s, e, m, n, hl_open, hl_close);
    if (e < len)
        buf_puts(out, "\xE2\x80\xA6");
    free(m);
    return out->oom ? MORGUE_ENOMEM : MORGUE_OK;
}

int snippet_mark_all(buf *out, const char *text, size_t len,
                     const query_term *terms, size_t n_terms, stemmer *stem,
                     const char *hl_open, const char *hl_close)
{
    match *m;
    size_t n;
    int rc = find_matches(text, len, terms, n_terms, stem, &m, &n);
    if (rc)
        return rc;
    buf_clear(out);
    mark(out, text, 0, len, m, n, hl_open, hl_close);
    free(m);
    return out->oom ? MORGUE_ENOMEM : MORGUE_OK;
}
