/* similar.c: morgue_similar() ("more like this"). The article's title and
 * body are tokenized and stemmed as the indexer did (in the article's
 * language); each stem is scored
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
#include "searcher/similar.h"
#include "text/stem.h"
#include "text/tokenize.h"
#include "util/alloc.h"
#include "util/apiver.h"
#include "util/hash.h"


typedef struct cand {
    const char *word;    /* the first surface word seen (in the text) */
    size_t word_len;
    uint64_t hash;       /* of the stem */
    unsigned tf;
    double score;
} cand;

int sim_init(sim_ctx *c, morgue_searcher *s, errmsg *e)
{
    c->s = s;
    c->df = (u64map)U64MAP_INIT;
    c->st = NULL;
    memset(&c->stems, 0, sizeof c->stems);
    for (size_t g = 0; g < s->n_segs; g++) {
        int rc = segment_need(&s->segs[g], SEG_NEED_LANG, e);
        if (rc)
            return rc;
    }
    if (stemset_init(&c->stems, s->man.language)) {
        stemset_free(&c->stems);
        return MORGUE_ENOMEM; /* the searcher opened with this mode */
    }
    c->st = stemset_get(&c->stems, LANG_UND); /* the default */
    return MORGUE_OK;
}

void sim_use_doc(sim_ctx *c, size_t g, uint32_t doc)
{
    lang_code l = g < c->s->n_segs
                      ? (lang_code)segment_col(&c->s->segs[g], COL_LANG, doc)
                      : LANG_UND;
    c->st = stemset_get(&c->stems, stemset_lang(&c->stems, l));
}

void sim_free(sim_ctx *c)
{
    stemset_free(&c->stems);
    u64map_free(&c->df);
}

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

/* Documents holding the stem (over all segments), cached by its hash. */
static int stem_df(sim_ctx *c, const char *stem, size_t n, uint64_t h,
                   uint64_t *out, errmsg *e)
{
    uint32_t v = u64map_get(&c->df, h);
    if (v != U64MAP_NONE) {
        *out = v;
        return MORGUE_OK;
    }
    char key[MAX_KEY];
    key[0] = NS_STEM;
    memcpy(key + 1, stem, n);
    uint64_t df = 0;
    for (size_t g = 0; g < c->s->n_segs; g++) {
        term_info ti;
        int found = termdict_find(&c->s->segs[g], key, n + 1, &ti, e);
        if (found < 0)
            return found;
        if (found)
            df += ti.df;
    }
    df = df >= U64MAP_NONE ? U64MAP_NONE - 1 : df;
    if (u64map_put(&c->df, h, (uint32_t)df))
        return MORGUE_ENOMEM;
    *out = df;
    return MORGUE_OK;
}

static int by_score(const void *x, const void *y)
{
    const cand *a = x, *b = y;
    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    return a->hash < b->hash ? -1 : a->hash > b->hash;
}

int sim_top_terms(sim_ctx *c, const span *fl, size_t k, uint64_t *hashes,
                  size_t *n_out, buf *words, errmsg *e)
{
    cand *cs = NULL;
    size_t n = 0, cap = 0;
    u64map at = U64MAP_INIT; /* stem hash -> index in cs */
    int rc = MORGUE_OK;
    *n_out = 0;
    for (int f = 0; f < 2 && rc == MORGUE_OK; f++) {
        span t = f ? fl[MORGUE_FIELD_BODY] : fl[MORGUE_FIELD_TITLE];
        tokenizer tk;
        token tok;
        tokenizer_init(&tk, t.ptr, t.len);
        while (rc == MORGUE_OK && tokenizer_next(&tk, &tok)) {
            if (!plain_word(tok.term, tok.len))
                continue;
            size_t sn;
            const char *stem = stemmer_stem(c->st, tok.term, tok.len, &sn);
            if (!stem) {
                rc = MORGUE_ENOMEM;
                break;
            }
            if (sn + 1 > MAX_KEY)
                continue;
            uint64_t h = hash64(stem, sn);
            uint32_t i = u64map_get(&at, h);
            if (i != U64MAP_NONE) {
                cs[i].tf++;
                continue;
            }
            cand *x = mem_grow(cs, &cap, n + 1, sizeof *x);
            if (!x) {
                rc = MORGUE_ENOMEM;
                break;
            }
            cs = x;
            uint64_t df = 0;
            rc = stem_df(c, stem, sn, h, &df, e);
            if (rc == MORGUE_OK && u64map_put(&at, h, (uint32_t)n))
                rc = MORGUE_ENOMEM;
            /* the word lives in the stored text, which outlives this */
            cs[n] = (cand){ t.ptr + tok.start, 0, h, 1, 0 };
            cs[n].word_len = tok.len; /* normalised form, copied below */
            /* the article itself is one of df: only shared stems count */
            cs[n].score = df > 1 ? log((double)(c->s->n_docs + 1) /
                                       (double)df)
                                 : -1;
            if (words) { /* keep the normalised word for the query */
                char *w = malloc(tok.len + 1);
                if (!w) {
                    rc = MORGUE_ENOMEM;
                    break;
                }
                memcpy(w, tok.term, tok.len);
                w[tok.len] = '\0';
                cs[n].word = w;
            }
            n++;
        }
    }
    u64map_free(&at);
    for (size_t i = 0; i < n; i++)
        cs[i].score = cs[i].score > 0 ? cs[i].score * sqrt((double)cs[i].tf)
                                      : -1;
    if (rc == MORGUE_OK) {
        qsort(cs, n, sizeof *cs, by_score);
        for (size_t i = 0; i < n && *n_out < k; i++) {
            if (cs[i].score <= 0)
                break;
            hashes[(*n_out)++] = cs[i].hash;
            if (words) {
                if (words->len)
                    buf_putc(words, ' ');
                buf_puts(words, cs[i].word);
            }
        }
        if (words && words->oom)
            rc = MORGUE_ENOMEM;
    }
    for (size_t i = 0; words && i < n; i++)
        free((char *)cs[i].word);
    free(cs);
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
    if (searcher_local_only(s, "finding similar articles"))
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
    sim_ctx sc;
    uint64_t hashes[SIMILAR_TERMS];
    size_t n_terms;
    int rc = sim_init(&sc, s, &e);
    if (rc == MORGUE_OK) {
        sim_use_doc(&sc, g, d);
        rc = docstore_get(&s->segs[g], d, &c, fl, &e);
    }
    if (rc == MORGUE_OK)
        rc = sim_top_terms(&sc, fl, SIMILAR_TERMS, hashes, &n_terms, &q, &e);
    sim_free(&sc);
    docstore_cache_free(&c);
    if (rc != MORGUE_OK) {
        buf_free(&q);
        return rc == MORGUE_ENOMEM ? searcher_fail(s, rc, "out of memory")
                                   : searcher_fail(s, rc, "%s", e.text);
    }
    morgue_query_opts o = MORGUE_QUERY_OPTS_INIT;
    if (opts) {
        size_t n = API_SIZE(opts);
        if (!n) {
            buf_free(&q);
            return searcher_fail(s, MORGUE_EINVAL, "unknown "
                                 "morgue_query_opts version %u",
                                 opts->version);
        }
        memcpy(&o, opts, n);
        o.version = MORGUE_QUERY_OPTS_VERSION;
    }
    o.flags |= MORGUE_QUERY_ANY;
    uint8_t fp[FP_BYTES];
    near_fp(s, g, d, fp);
    search_extra x = { docid, fp, o.collapse_similarity, 0, NULL, 0 };
    /* An article sharing no word with any other has no similar one. */
    rc = q.len ? search_exec(s, buf_cstr(&q), &o, &x, out)
               : morgue_searcher_docs(s, NULL, 0, out);
    buf_free(&q);
    return rc;
}
