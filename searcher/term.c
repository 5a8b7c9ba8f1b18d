/* term.c: the leaf iterator: one term's postings, scored with BM25F over
 * title and body for stems (BM25 for exact words and title: searches),
 * and the score bounds that let the matcher skip documents.
 *
 * A stem's 'S' postings count its occurrences in title and body together
 * and DLEN counts both fields' tokens; its 'T' postings and TLEN count the
 * title alone. So the body's tf and length are the differences, and BM25F
 * needs nothing the index does not store:
 *   x = (tf_S - tf_T) / B(dlen - tlen, avg body) + W tf_T / B(tlen, avg title)
 *   score = idf * x (k1 + 1) / (k1 + x),   B(l, a) = 1 - b + b l / a
 * with one idf, from the stem's document frequency ('S' df), and the title
 * weight W. Scores are monotone in x, so bounds are worked out on x and
 * saturated last: the body part of a block is bounded from its 'S' impacts
 * (tf_S bounds the body tf; the body is at least dlen minus the segment's
 * longest title, and at least as long as its tf), the title part from the
 * 'T' impacts of the block holding the document. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "searcher/bm25.h"
#include "searcher/iter.h"

struct term_it {
    it base;
    score_ctx c;
    term_kind kind;
    int has_t;
    double idf;
    double avg_body, avg_title; /* mean tokens per field */
    double p_max, t_max; /* bounds of each part of x over the segment */
    double max_sat;    /* saturated bound of x over the segment */
    uint32_t ub_from, ub_to; /* block_sat() answer cached for */
    double ub_sat;     /* documents ub_from..ub_to */
    /* last: a cursor is 1 KiB of block buffers, which postings_open
     * leaves as they are, so only what comes before is zeroed */
    postings p;        /* the term ('S', 'T', 'E', 'G' or 'O') */
    postings t;        /* 'T' postings of a TERM_STEM, when has_t */
};

/* Which share of x a list's (tf, length) pairs bound. */
enum { PART_BODY, PART_TITLE, PART_WHOLE };

/* Upper bound of the share of x of a document with at most tf
 * occurrences and at least len tokens in the list's length column. */
static double part_bound(const term_it *t, double tf, double len, int part)
{
    const score_ctx *c = &t->c;
    switch (part) {
    case PART_BODY: { /* len is dlen: the body is >= len - longest title */
        double body = len > c->max_tlen ? len - c->max_tlen : 0;
        if (body < tf)
            body = tf;
        return bm25f_part(tf, body, t->avg_body, c->b);
    }
    case PART_TITLE:
        return bm25f_part(tf, len, t->avg_title, c->b) *
               (t->kind == TERM_STEM ? c->title_weight : 1.0);
    default:
        return bm25f_part(tf, len, c->s->avg_len, c->b);
    }
}

/* Bound of block b's share from its impacts. */
static double impact_bound(const term_it *t, const postings *p, uint32_t b,
                           int part)
{
    const skip_entry *se = &p->skips[b];
    double best = 0;
    for (uint32_t k = 0; k < se->n_imp; k++) {
        double v = part_bound(t, p->impacts[se->imp + 2 * k],
                              p->impacts[se->imp + 2 * k + 1], part);
        if (v > best)
            best = v;
    }
    return best;
}

/* Largest share over the whole list: from the impacts of every block, or,
 * for a one-block term (no skip table), by decoding it, each document
 * taken as short as its tf allows: reading its length would cost a cold
 * segment's first query a page of DLEN or TLEN per document (such lists
 * are short and scattered), and the bound only steers pruning, never
 * what a query returns (same instruction count over the query set). */
static double list_bound(const term_it *t, postings *p, int part)
{
    double best = 0;
    if (p->n_blocks > 1) {
        for (uint32_t b = 0; b < p->n_blocks; b++) {
            double v = impact_bound(t, p, b, part);
            if (v > best)
                best = v;
        }
        return best;
    }
    postings q = *p; /* a copy: p stays before its first document */
    for (uint32_t d = postings_next(&q); d != POSTINGS_END;
         d = postings_next(&q)) {
        double v = part_bound(t, postings_tf(&q), postings_tf(&q), part);
        if (v > best)
            best = v;
    }
    return best;
}

/* BM25F's x of a stem on doc. */
static double stem_x(term_it *t, uint32_t doc)
{
    const score_ctx *c = &t->c;
    uint32_t tf = postings_tf(&t->p), tf_t = 0;
    ctx_col(c, COL_DLEN, doc);
    ctx_col(c, COL_TLEN, doc);
    uint32_t dl = segment_dlen(c->g, doc), tl = segment_tlen(c->g, doc);
    if (t->has_t && postings_advance(&t->t, doc) == doc)
        tf_t = postings_tf(&t->t);
    if (t->has_t && t->t.err)
        t->base.err = t->t.err;
    /* A damaged index could count more in the title than in both. */
    uint32_t tf_b = tf > tf_t ? tf - tf_t : 0;
    uint32_t len_b = dl > tl ? dl - tl : 0;
    double x = bm25f_part(tf_b, len_b, t->avg_body, c->b);
    if (tf_t)
        x += c->title_weight * bm25f_part(tf_t, tl, t->avg_title, c->b);
    return x;
}

static double score(it *i)
{
    term_it *t = (term_it *)i;
    const score_ctx *c = &t->c;
    uint32_t d = i->doc;
    double x;
    switch (t->kind) {
    case TERM_FILTER:
        return 0;
    case TERM_TITLE:
        ctx_col(c, COL_TLEN, d);
        x = bm25f_part(postings_tf(&t->p), segment_tlen(c->g, d),
                       t->avg_title, c->b);
        break;
    case TERM_EXACT:
        ctx_col(c, COL_DLEN, d);
        x = bm25f_part(postings_tf(&t->p), segment_dlen(c->g, d),
                       c->s->avg_len, c->b);
        break;
    default:
        x = stem_x(t, d);
        break;
    }
    return t->idf * bm25_saturate(x, c->k1);
}

static uint32_t step(term_it *t, uint32_t target)
{
    it *i = &t->base;
    uint32_t block = t->p.block;
    i->doc = postings_advance(&t->p, target);
    if (t->p.err)
        i->err = t->p.err;
    /* A step, plus the documents of a block it had to decode. */
    if (budget_spend(t->c.budget, 1 + (t->p.block != block ? t->p.n : 0))) {
        i->err = MORGUE_EQUERY;
        i->doc = IT_END;
    }
    return i->doc;
}

static double block_max(it *i, uint32_t target, uint32_t *end);

/* With a hint, whole blocks whose bound cannot beat it are stepped over
 * by their skip entries, without decoding them. */
static uint32_t advance(it *i, uint32_t target)
{
    term_it *t = (term_it *)i;
    i->started = 1;
    uint32_t doc = step(t, target);
    while (i->min > 0 && doc != IT_END) {
        uint32_t end;
        if (!it_cannot_beat(block_max(i, doc, &end), i->min))
            break;
        doc = end >= IT_END - 1 ? (i->doc = IT_END) : step(t, end + 1);
    }
    return doc;
}

static void term_free(it *i)
{
    term_it *t = (term_it *)i;
    postings_close(&t->p);
    if (t->has_t)
        postings_close(&t->t);
    free(t);
}

/* Only a count's leaves (TERM_FILTER): nothing is scored. */
static int term_can_mark(it *i)
{
    return ((term_it *)i)->kind == TERM_FILTER && !i->started;
}

static int term_mark(it *i, uint64_t *bits)
{
    term_it *t = (term_it *)i;
    i->started = 1;
    uint32_t n = 0;
    for (uint32_t d = postings_next(&t->p); d != POSTINGS_END;
         d = postings_next(&t->p)) {
        bits[d >> 6] |= 1ull << (d & 63);
        /* what step() spends: a step a document, a block's documents
         * once decoded */
        if (++n == CODEC_BLOCK) {
            n = 0;
            if (budget_spend(t->c.budget, 2 * CODEC_BLOCK)) {
                i->err = MORGUE_EQUERY;
                break;
            }
        }
    }
    if (!i->err && budget_spend(t->c.budget, 2 * (uint64_t)n))
        i->err = MORGUE_EQUERY;
    if (t->p.err)
        i->err = t->p.err;
    i->doc = IT_END;
    return i->err;
}

static const it_ops term_ops = { advance, score, term_free, block_max,
                                  NULL, term_can_mark, term_mark };

it *term_it_new(const score_ctx *c, term_kind kind, const term_info *body,
                const term_info *title, double idf, errmsg *e)
{
    term_it *t = malloc(sizeof *t);
    if (!t)
        return NULL;
    memset(t, 0, offsetof(term_it, p));
    t->base.ops = &term_ops;
    t->base.cost = body->df;
    t->c = *c;
    t->kind = kind;
    t->idf = idf;
    t->avg_title = c->s->avg_tlen;
    t->avg_body = c->s->avg_len - c->s->avg_tlen;
    if (t->avg_body <= 0)
        t->avg_body = 1;
    if (c->count_only) { /* a count: the documents, nothing to score */
        t->kind = TERM_FILTER;
        if (postings_open_docs(&t->p, c->g, body, e) != MORGUE_OK) {
            t->base.err = MORGUE_ECORRUPT;
            t->base.doc = IT_END;
        }
        t->ub_from = 1;
        return &t->base;
    }
    if (postings_open(&t->p, c->g, body, e) != MORGUE_OK) {
        t->base.err = MORGUE_ECORRUPT;
        t->base.doc = IT_END;
        return &t->base;
    }
    int part = kind == TERM_TITLE ? PART_TITLE
               : kind == TERM_STEM ? PART_BODY : PART_WHOLE;
    t->p_max = kind == TERM_FILTER ? 0 : list_bound(t, &t->p, part);
    if (kind == TERM_STEM && title && title->df &&
        postings_open(&t->t, c->g, title, e) == MORGUE_OK) {
        t->has_t = 1;
        t->t_max = list_bound(t, &t->t, PART_TITLE);
    }
    t->max_sat = kind == TERM_FILTER
                     ? 0
                     : bm25_saturate(t->p_max + t->t_max, c->k1);
    t->base.max = kind == TERM_FILTER ? 0 : idf * t->max_sat;
    t->ub_from = 1; /* empty cache */
    t->ub_to = 0;
    return &t->base;
}

double term_it_max_sat(it *i) { return ((term_it *)i)->max_sat; }

/* Bound of one list's share at the block holding target. */
static double block_part(const term_it *t, postings *p, uint32_t target,
                         int part, double whole, uint32_t *end)
{
    const skip_entry *se = postings_block_for(p, target);
    if (!se) {
        *end = IT_END;
        return 0;
    }
    *end = se->last_doc;
    if (p->n_blocks <= 1)
        return whole;
    return impact_bound(t, p, (uint32_t)(se - p->skips), part);
}

static double block_sat(term_it *t, uint32_t target, uint32_t *block_end)
{
    if (t->kind == TERM_FILTER) {
        *block_end = IT_END;
        return 0;
    }
    int part = t->kind == TERM_TITLE ? PART_TITLE
               : t->kind == TERM_STEM ? PART_BODY : PART_WHOLE;
    double x = block_part(t, &t->p, target, part, t->p_max, block_end);
    if (t->has_t) {
        uint32_t tend;
        x += block_part(t, &t->t, target, PART_TITLE, t->t_max, &tend);
        if (tend < *block_end)
            *block_end = tend;
    }
    return x > 0 ? bm25_saturate(x, t->c.k1) : 0;
}

/* Block bounds are asked for every candidate document; they change only
 * at block boundaries. */
double term_it_block_sat(it *i, uint32_t target, uint32_t *block_end)
{
    term_it *t = (term_it *)i;
    if (target < t->ub_from || target > t->ub_to) {
        t->ub_sat = block_sat(t, target, &t->ub_to);
        t->ub_from = target;
    }
    *block_end = t->ub_to;
    return t->ub_sat;
}

static double block_max(it *i, uint32_t target, uint32_t *end)
{
    return ((term_it *)i)->idf * term_it_block_sat(i, target, end);
}

postings *term_it_postings(it *i) { return &((term_it *)i)->p; }
