/* snippet.c: picks the passage of an article's body that covers the most
 * (and rarest) query terms and highlights every word whose stem is a
 * query stem ("emergencies" for "emergency"). */
#include <stdlib.h>
#include <string.h>

#include "searcher/searcher.h"
#include "text/stem.h"
#include "text/tokenize.h"

#define MAX_MATCHES 4096

typedef struct match {
    size_t start, end;
    unsigned term;
} match;

static int is_space(char c)
{
    return c == ' ' || c == '\n' || c == '\t' || c == '\r';
}

/* Finds the words of body whose stem is a query term. */
static size_t find_matches(match *m, const char *body, size_t len,
                           const query_term *terms, size_t n_terms,
                           stemmer *stem)
{
    tokenizer tk;
    token tok;
    size_t n = 0;
    tokenizer_init(&tk, body, len);
    while (n < MAX_MATCHES && tokenizer_next(&tk, &tok)) {
        size_t sl;
        const char *st = stemmer_stem(stem, tok.term, tok.len, &sl);
        if (!st)
            continue;
        for (size_t t = 0; t < n_terms; t++)
            if (strlen(terms[t].stem) == sl && !memcmp(terms[t].stem, st, sl)) {
                m[n++] = (match){ tok.start, tok.end, (unsigned)t };
                break;
            }
    }
    return n;
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

int snippet_make(buf *out, const char *body, size_t len,
                 const query_term *terms, size_t n_terms, stemmer *stem,
                 const morgue_query_opts *o, const char *hl_open,
                 const char *hl_close)
{
    match *m = malloc(MAX_MATCHES * sizeof *m);
    if (!m)
        return MORGUE_ENOMEM;
    size_t n = find_matches(m, body, len, terms, n_terms, stem);
    size_t width = o->snippet_chars;
    size_t first = n ? best_window(m, n, terms, width) : 0;
    size_t start = n ? m[first].start : 0;
    /* Some context before the first match, from a word boundary. */
    size_t back = width / 4;
    size_t s = start > back ? start - back : 0;
    while (s > 0 && s < start && !is_space(body[s - 1]))
        s++;
    size_t e = s + width < len ? s + width : len;
    while (e < len && e > s && !is_space(body[e])) /* end on a boundary */
        e--;
    if (e <= s)
        e = s + width < len ? s + width : len;
    while (e < len && (body[e] & 0xC0) == 0x80) /* never split a char */
        e++;
    int html = hl_open[0] == '<';
    buf_clear(out);
    if (s > 0)
        buf_puts(out, "\xE2\x80\xA6"); /* … */
    size_t at = s;
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
    while (out->len > 0 && out->ptr[out->len - 1] == ' ')
        out->len--;
    if (e < len)
        buf_puts(out, "\xE2\x80\xA6");
    free(m);
    return out->oom ? MORGUE_ENOMEM : MORGUE_OK;
}
