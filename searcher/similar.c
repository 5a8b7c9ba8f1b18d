/* similar.c: morgue_similar() ("more like this"). The article's title and
 * body are tokenized and stemmed as the indexer does; each stem is scored
 * tf * idf (idf from the snapshot's document frequencies; stems no other
 * article has are useless for finding others and left out) and the
 * SIMILAR_TERMS best, one surface word each, become an any-word query
 * ranked by BM25 like any other. The article itself and its
 * near-duplicates are left out of the answer; with MORGUE_QUERY_COLLAPSE
 * the copies among the others are folded as in a search. Fetching terms
 * from the article's own text keeps this independent of how postings are
 * stored; it costs one stored-record read and a dictionary lookup per
 * distinct stem. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "index/termdict.h"
#include "searcher/near.h"
#include "searcher/search.h"
#include "text/stem.h"
#include "text/tokenize.h"

#define SIMILAR_TERMS 25

typedef struct cand {
    char key[MAX_KEY];   /* 'S' + stem */
    size_t key_len;
    char word[TOK_MAX_WORD * 4 + 16];
    size_t word_len;
    unsigned tf;
    double score;
} cand;

typedef struct cands {
    cand *c;
    size_t n, cap;
} cands;

/* A word the query language reads as itself: letters and digits only
 * (no apostrophe or '.', which the lexer would split or join). */
static int plain_word(const char *w, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)w[i];
        if (!(ch >= 0x80 || (ch >= 'a' && ch <= 'z') ||
              (ch >= '0' && ch <= '9')))
            return 0;
    }
    return n > 1;
}

static int add_word(cands *cs, stemmer *st, const char *w, size_t n)
{
    if (!plain_word(w, n))
        return MORGUE_OK;
    size_t sn;
    const char *stem = stemmer_stem(st, w, n, &sn);
    if (!stem)
        return MORGUE_ENOMEM;
    if (sn + 1 > MAX_KEY)
        return MORGUE_OK;
    for (size_t i = 0; i < cs->n; i++)
        if (cs->c[i].key_len == sn + 1 && !memcmp(cs->c[i].key + 1, stem, sn)) {
            cs->c[i].tf++;
            return MORGUE_OK;
        }
    if (cs->n == cs->cap) {
        size_t cap = cs->cap ? 2 * cs->cap : 64;
        cand *c = realloc(cs->c, cap * sizeof *c);
        if (!c)
            return MORGUE_ENOMEM;
        cs->c = c;
        cs->cap = cap;
    }
    cand *c = &cs->c[cs->n++];
    c->key[0] = NS_STEM;
    memcpy(c->key + 1, stem, sn);
    c->key_len = sn + 1;
    memcpy(c->word, w, n);
    c->word_len = n;
    c->tf = 1;
    c->score = 0;
    return MORGUE_OK;
}

static int by_score(const void *x, const void *y)
{
    const cand *a = x, *b = y;
    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    return strcmp(a->word, b->word) < 0 ? -1 : 1;
}

/* The any-word query of the article's most distinctive words into q. */
static int make_query(morgue_searcher *s, const span *fl, buf *q, errmsg *e)
{
    stemmer *st;
    if (stemmer_new(&st, s->man.language))
        return MORGUE_ENOMEM;
    cands cs = { NULL, 0, 0 };
    int rc = MORGUE_OK;
    for (int f = 0; f < 2 && rc == MORGUE_OK; f++) {
        span t = f ? fl[MORGUE_FIELD_BODY] : fl[MORGUE_FIELD_TITLE];
        tokenizer tk;
        token tok;
        tokenizer_init(&tk, t.ptr, t.len);
        while (rc == MORGUE_OK && tokenizer_next(&tk, &tok)) {
            tok.len = tok.len < sizeof cs.c->word ? tok.len : 0;
            rc = add_word(&cs, st, tok.term, tok.len);
        }
    }
    stemmer_free(st);
    for (size_t i = 0; rc == MORGUE_OK && i < cs.n; i++) {
        cand *c = &cs.c[i];
        uint64_t df = 0;
        for (size_t g = 0; g < s->n_segs; g++) {
            term_info ti;
            int found = termdict_find(&s->segs[g], c->key, c->key_len, &ti, e);
            if (found < 0)
                rc = found;
            else if (found)
                df += ti.df;
        }
        /* the article itself is one of df: only shared stems count */
        c->score = df > 1 ? sqrt((double)c->tf) *
                                log((double)(s->n_docs + 1) / (double)df)
                          : -1;
        c->word[c->word_len] = '\0';
    }
    if (rc == MORGUE_OK) {
        qsort(cs.c, cs.n, sizeof *cs.c, by_score);
        for (size_t i = 0; i < cs.n && i < SIMILAR_TERMS; i++)
            if (cs.c[i].score > 0) {
                if (q->len)
                    buf_putc(q, ' ');
                buf_puts(q, cs.c[i].word);
            }
        if (q->oom)
            rc = MORGUE_ENOMEM;
    }
    free(cs.c);
    return rc;
}

MORGUE_API int morgue_similar(morgue_searcher *s, uint64_t docid,
                              const morgue_query_opts *opts,
                              morgue_hits **out)
{
    if (!out)
        return MORGUE_EINVAL;
    *out = NULL;
    if (!s)
        return MORGUE_EINVAL;
    size_t g;
    uint32_t d;
    if (near_locate(s, docid, &g, &d) || searcher_deleted(s, g, d))
        return searcher_fail(s, MORGUE_ENOTFOUND, "no article %llu",
                             (unsigned long long)docid);
    span fl[STORED_FIELDS];
    docstore_cache c;
    memset(&c, 0, sizeof c);
    errmsg e;
    e.text[0] = '\0';
    buf q = BUF_INIT;
    int rc = docstore_get(&s->segs[g], d, &c, fl, &e);
    if (rc == MORGUE_OK)
        rc = make_query(s, fl, &q, &e);
    docstore_cache_free(&c);
    if (rc != MORGUE_OK) {
        buf_free(&q);
        return rc == MORGUE_ENOMEM ? searcher_fail(s, rc, "out of memory")
                                   : searcher_fail(s, rc, "%s", e.text);
    }
    morgue_query_opts o = MORGUE_QUERY_OPTS_INIT;
    if (opts && opts->version == MORGUE_QUERY_OPTS_VERSION)
        o = *opts;
    o.flags |= MORGUE_QUERY_ANY;
    uint8_t fp[FP_BYTES];
    near_fp(s, g, d, fp);
    search_extra x = { docid, fp, o.collapse_similarity };
    /* An article sharing no word with any other has no similar one. */
    rc = q.len ? search_exec(s, buf_cstr(&q), &o, &x, out)
               : morgue_searcher_docs(s, NULL, 0, out);
    buf_free(&q);
    return rc;
}
