/* rerank.c: a candidate's local score from its stored text (rerank.h).
 * The formulas are searcher/bm25.h's, used as term.c and phrase.c use
 * them; the title and body are tokenized and stemmed as row.c did when
 * the row was written, so tf and lengths are the index's own. */
#include "cluster/rerank.h"

#include <stdlib.h>
#include <string.h>

#include "morgue.h"
#include "searcher/bm25.h"
#include "text/tokenize.h"

void kw_stats_free(kw_stats *k)
{
    for (size_t i = 0; i < k->n; i++)
        free(k->word[i]);
    free(k->word);
    free(k->docs);
    memset(k, 0, sizeof *k);
}

static uint64_t df_of(const kw_stats *kw, const char *w, uint64_t n_docs)
{
    uint64_t df = 0;
    for (size_t i = 0; i < kw->n; i++)
        if (kw->word[i] && !strcmp(kw->word[i], w) && kw->docs[i] > df)
            df = kw->docs[i];
    /* a word every shard dropped, or stats read before the last writes */
    if (df == 0)
        df = 1;
    return df > n_docs ? n_docs : df;
}

int reranker_init(reranker *r, const translation *t, stemmer *stem,
                  double k1, double b, double title_weight,
                  const clu_stats *cs, const kw_stats *kw)
{
    memset(r, 0, sizeof *r);
    r->t = t;
    r->stem = stem;
    r->k1 = k1;
    r->b = b;
    r->title_weight = title_weight;
    r->cs = *cs;
    if (r->cs.n_docs == 0)
        r->cs.n_docs = 1;
    r->idf = calloc(t->n_leaves + 1, sizeof *r->idf);
    if (!r->idf)
        return MORGUE_ENOMEM;
    for (size_t i = 0; i < t->n_leaves; i++) {
        const score_leaf *l = &t->leaves[i];
        if (!(r->idf[i] = calloc(l->n_words + 1, sizeof **r->idf)))
            return MORGUE_ENOMEM;
        for (size_t w = 0; w < l->n_words; w++)
            r->idf[i][w] = bm25_idf(r->cs.n_docs,
                                    df_of(kw, l->words[w], r->cs.n_docs));
    }
    return MORGUE_OK;
}

void reranker_free(reranker *r)
{
    for (size_t i = 0; r->idf && i < r->t->n_leaves; i++)
        free(r->idf[i]);
    free(r->idf);
    buf_free(&r->toks);
    free(r->exact);
    free(r->stems);
    memset(r, 0, sizeof *r);
}

/* Appends the exact words and stems of text to the token lists. */
static int tokens(reranker *r, const char *text, size_t len)
{
    tokenizer tk;
    token tok;
    tokenizer_init(&tk, text, len);
    while (tokenizer_next(&tk, &tok)) {
        if (r->n_tok == r->cap) {
            size_t cap = r->cap ? r->cap * 2 : 256;
            size_t *e = realloc(r->exact, cap * sizeof *e);
            if (e)
                r->exact = e;
            size_t *s = e ? realloc(r->stems, cap * sizeof *s) : NULL;
            if (!s)
                return MORGUE_ENOMEM;
            r->stems = s;
            r->cap = cap;
        }
        r->exact[r->n_tok] = r->toks.len;
        buf_append(&r->toks, tok.term, tok.len);
        buf_putc(&r->toks, '\0');
        size_t sl;
        const char *st = stemmer_stem(r->stem, tok.term, tok.len, &sl);
        if (!st)
            return MORGUE_ENOMEM;
        r->stems[r->n_tok] = r->toks.len;
        buf_append(&r->toks, st, sl);
        buf_putc(&r->toks, '\0');
        r->n_tok++;
    }
    return r->toks.oom ? MORGUE_ENOMEM : MORGUE_OK;
}

static const char *tok_at(const reranker *r, const size_t *offs, size_t i)
{
    return r->toks.ptr + offs[i];
}

/* Occurrences of the words in a row, starting within [0, end - n]. */
static uint32_t phrase_freq(const reranker *r, char *const *w, size_t n,
                            size_t end)
{
    uint32_t f = 0;
    for (size_t i = 0; i + n <= end; i++) {
        size_t k = 0;
        while (k < n && !strcmp(tok_at(r, r->exact, i + k), w[k]))
            k++;
        f += k == n;
    }
    return f;
}

int reranker_score(reranker *r, const char *title, size_t tlen,
                   const char *body, size_t blen, double *out)
{
    *out = 0;
    buf_clear(&r->toks);
    r->n_tok = 0;
    int rc = tokens(r, title, tlen);
    r->n_title = r->n_tok;
    if (rc == MORGUE_OK)
        rc = tokens(r, body, blen);
    if (rc)
        return rc;
    double dl = (double)r->n_tok, tl = (double)r->n_title;
    double avg_title = r->cs.avg_tlen;
    double avg_body = r->cs.avg_len - r->cs.avg_tlen;
    if (avg_body <= 0) /* as term.c */
        avg_body = 1;
    double s = 0;
    for (size_t i = 0; i < r->t->n_leaves; i++) {
        const score_leaf *l = &r->t->leaves[i];
        if (l->kind == SK_PHRASE) {
            uint32_t f = phrase_freq(r, l->words, l->n_words,
                                     l->title_only ? r->n_title : r->n_tok);
            for (size_t w = 0; f && w < l->n_words; w++)
                s += r->idf[i][w] * l->qweight *
                     bm25_tf(f, dl, r->cs.avg_len, r->k1, r->b);
            continue;
        }
        uint32_t tf = 0, tf_t = 0;
        for (size_t k = 0; k < r->n_tok; k++)
            if (!strcmp(tok_at(r, r->stems, k), l->words[0])) {
                tf++;
                tf_t += k < r->n_title;
            }
        double x;
        if (l->kind == SK_TITLE) {
            x = bm25f_part(tf_t, tl, avg_title, r->b);
        } else {
            x = bm25f_part(tf - tf_t, dl - tl, avg_body, r->b);
            if (tf_t)
                x += r->title_weight * bm25f_part(tf_t, tl, avg_title, r->b);
        }
        if (x > 0)
            s += r->idf[i][0] * l->qweight * bm25_saturate(x, r->k1);
    }
    *out = s;
    return MORGUE_OK;
}
