/* expand.c: pseudo-relevance feedback for natural-language queries
 * (MORGUE_QUERY_EXPAND): RM3, the relevance model of Lavrenko & Croft
 * mixed with the query (Jaleel et al., TREC 2004; the defaults are
 * Anserini's: 10 documents, 10 terms, the query weighted 0.5).
 *
 * The query runs once; its best EXPAND_DOCS answers stand in for relevant
 * documents. Each stem w of their title and body gets
 *   P(w|R) ~ sum over them of tf(w, D) / |D| * score(D)
 * (stopwords left out); the EXPAND_TERMS best, normalised to sum 1, are
 * mixed with the query's own stems, P(w|Q) = times said / words said:
 *   weight(w) = (1 - EXPAND_MIX) P(w|Q) + EXPAND_MIX P(w|R)
 * and the plan's OR of stems is replaced by the OR of the mixed stems,
 * each scored by BM25F times its weight. Quoted phrases keep adding score;
 * highlighting keeps the query's own words. */
#include <stdlib.h>
#include <string.h>

#include "index/format.h"
#include "searcher/expand.h"
#include "searcher/plan_int.h"
#include "text/stopwords.h"
#include "text/tokenize.h"
#include "util/alloc.h"

#define EXPAND_DOCS 10
#define EXPAND_TERMS 10
#define EXPAND_MIX 0.5

typedef struct cand {
    char *stem;        /* owned */
    double w;          /* P(w|R) so far, then the mixed weight */
    double q;          /* P(w|Q) */
} cand;

typedef struct cands {
    cand *v;
    size_t n, cap;
    int oom;
} cands;

static cand *find(cands *cs, const char *st, size_t sl)
{
    for (size_t i = 0; i < cs->n; i++)
        if (strlen(cs->v[i].stem) == sl && !memcmp(cs->v[i].stem, st, sl))
            return &cs->v[i];
    if (cs->n == cs->cap) {
        size_t cap = cs->cap ? cs->cap * 2 : 256;
        cand *v = mem_rearray(cs->v, cap, sizeof *v);
        if (!v) {
            cs->oom = 1;
            return NULL;
        }
        cs->v = v;
        cs->cap = cap;
    }
    char *c = strndup(st, sl);
    if (!c) {
        cs->oom = 1;
        return NULL;
    }
    cs->v[cs->n] = (cand){ c, 0, 0 };
    return &cs->v[cs->n++];
}

/* Adds one feedback document's P(w|D) * share to the candidates. A
 * linear search per token: EXPAND_DOCS short texts, a few thousand
 * distinct stems at most (the first MAX_FEEDBACK_TOKENS of each). */
#define MAX_FEEDBACK_TOKENS 2000

static void add_doc(cands *cs, stemmer *stem, const char *lang,
                    const char *title, size_t tl, const char *body,
                    size_t bl, double share)
{
    const char *text[2] = { title, body };
    size_t len[2] = { tl, bl }, total = 0;
    for (int pass = 0; pass < 2; pass++) { /* count, then add */
        size_t seen = 0;
        for (int f = 0; f < 2; f++) {
            tokenizer tk;
            token tok;
            tokenizer_init(&tk, text[f], len[f]);
            while (seen < MAX_FEEDBACK_TOKENS && tokenizer_next(&tk, &tok)) {
                seen++;
                if (pass == 0)
                    continue;
                if (stopword_is(lang, tok.term, tok.len))
                    continue;
                size_t sl;
                const char *st = stemmer_stem(stem, tok.term, tok.len, &sl);
                cand *c = st ? find(cs, st, sl) : NULL;
                if (!c) {
                    cs->oom |= !st;
                    return;
                }
                c->w += share / (double)total;
            }
        }
        total = seen;
        if (total == 0)
            return;
    }
}

static int by_weight(const void *a, const void *b)
{
    double x = ((const cand *)a)->w, y = ((const cand *)b)->w;
    return (x < y) - (x > y);
}

/* A stem leaf of the bag (not a phrase or a fold key). */
static int is_stem(const pnode *k)
{
    return k && k->kind == Q_WORD && k->tkind == TERM_STEM && k->n_terms &&
           k->terms[0].key[0] == NS_STEM; /* not a fold key */
}

int expand_plan(plan *p, morgue_searcher *s, morgue_hits *fb)
{
    if (!p->root)
        return MORGUE_OK;
    /* the OR of stems: the root, or what decides a MAYBE's matches */
    pnode **slot = p->root->kind == Q_MAYBE ? &p->root->kids[0] : &p->root;
    pnode *bag = *slot;
    size_t n_q = bag->kind == Q_OR ? bag->n_kids : 1;
    stemmer *stem = NULL;
    if (stemmer_new(&stem, s->lmode.algo) != MORGUE_OK)
        return searcher_fail(s, MORGUE_ENOMEM, "cannot make the stemmer");
    cands cs = { 0 };
    /* the feedback documents, each weighted by its score (dividing by
     * the scores' sum would change nothing: P(w|R) is normalised below) */
    for (size_t i = 0; i < EXPAND_DOCS && !cs.oom; i++) {
        const char *t, *b;
        size_t tl, bl;
        if (morgue_hits_next(fb) != MORGUE_OK ||
            morgue_hits_field(fb, MORGUE_FIELD_TITLE, &t, &tl) ||
            morgue_hits_field(fb, MORGUE_FIELD_BODY, &b, &bl))
            break;
        add_doc(&cs, stem, s->lmode.algo, t, tl, b, bl,
                morgue_hits_score(fb));
    }
    if (cs.n > 1) /* qsort(NULL, 0, ...) is undefined */
        qsort(cs.v, cs.n, sizeof *cs.v, by_weight);
    if (cs.n > EXPAND_TERMS) {
        for (size_t i = EXPAND_TERMS; i < cs.n; i++)
            free(cs.v[i].stem);
        cs.n = EXPAND_TERMS;
    }
    double rsum = 0, qsum = 0;
    for (size_t i = 0; i < cs.n; i++)
        rsum += cs.v[i].w;
    for (size_t i = 0; i < cs.n; i++)
        cs.v[i].w = rsum > 0 ? cs.v[i].w / rsum : 0;
    /* the query's own stems (the bag's phrases, longer names the
     * synonyms gave, and its fold keys are kept as they are) */
    for (size_t i = 0; i < n_q && !cs.oom; i++) {
        const pnode *k = bag->kind == Q_OR ? bag->kids[i] : bag;
        if (is_stem(k))
            qsum += k->terms[0].qweight;
    }
    for (size_t i = 0; i < n_q && !cs.oom; i++) {
        const pnode *k = bag->kind == Q_OR ? bag->kids[i] : bag;
        cand *c = is_stem(k) ? find(&cs, k->terms[0].key + 1,
                                    k->terms[0].len - 1)
                             : NULL;
        if (c)
            c->q = k->terms[0].qweight / qsum;
    }
    /* the mixed OR, replacing the bag */
    ctx c = { .s = s, .stem = stem, .p = p, .rc = MORGUE_OK };
    if (cs.oom)
        plan_oom(&c);
    pnode *or = c.rc == MORGUE_OK && cs.n > 1 ? plan_new_node(&c, Q_OR)
                                              : NULL;
    for (size_t i = 0; i < cs.n && c.rc == MORGUE_OK; i++) {
        double w = (1 - EXPAND_MIX) * cs.v[i].q + EXPAND_MIX * cs.v[i].w;
        pnode *leaf = plan_new_node(&c, Q_WORD);
        if (!leaf)
            break;
        leaf->tkind = TERM_STEM;
        if (plan_add_term(&c, leaf, NS_STEM, cs.v[i].stem,
                          strlen(cs.v[i].stem), 1) != MORGUE_OK) {
            plan_free_node(leaf);
            break;
        }
        leaf->terms[0].qweight = w;
        if (!or) {
            or = leaf;
            continue;
        }
        pnode **kids = mem_rearray(or->kids, or->n_kids + 1, sizeof *kids);
        if (!kids) {
            plan_free_node(leaf);
            plan_oom(&c);
            break;
        }
        or->kids = kids;
        or->kids[or->n_kids++] = leaf;
    }
    for (size_t i = 0; i < n_q && or && c.rc == MORGUE_OK; i++) {
        pnode **k = bag->kind == Q_OR ? &bag->kids[i] : &bag;
        if (is_stem(*k))
            continue;
        if (or->kind != Q_OR) { /* one stem so far */
            pnode *one = or;
            if (!(or = plan_new_node(&c, Q_OR))) {
                or = one;
                break;
            }
            if (plan_add_kid(&c, or, one) != MORGUE_OK)
                break;
        }
        if (plan_add_kid(&c, or, *k) != MORGUE_OK) {
            *k = NULL; /* freed */
            break;
        }
        *k = NULL; /* moved */
    }
    for (size_t i = 0; i < cs.n; i++)
        free(cs.v[i].stem);
    free(cs.v);
    stemmer_free(stem);
    if (c.rc != MORGUE_OK || !or) {
        plan_free_node(or);
        return c.rc; /* no feedback: the plan stays as it was */
    }
    plan_free_node(bag);
    *slot = or;
    return MORGUE_OK;
}
