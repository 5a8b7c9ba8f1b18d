/* term.c: the leaf iterator: one term's postings, scored with BM25 over
 * title + body (stems, exact words) plus a weighted title-only part, and
 * the score bounds that let the matcher skip documents. */
#include <stdlib.h>

#include "searcher/bm25.h"
#include "searcher/iter.h"

struct term_it {
    it base;
    score_ctx c;
    term_kind kind;
    postings p;        /* the term ('S', 'T', 'E', 'G' or 'O') */
    postings t;        /* 'T' postings of a TERM_STEM, when has_t */
    int has_t;
    double idf, title_idf;
    double p_max, t_max; /* bounds of each part over the segment */
    double max;        /* bound of the whole score over the segment */
    uint32_t ub_from, ub_to; /* term_it_block_max() answer cached for */
    double ub;         /* documents ub_from..ub_to */
};

static double part(const term_it *t, double tf, double len, int title)
{
    const score_ctx *c = &t->c;
    return bm25_tf(tf, len, title ? c->s->avg_tlen : c->s->avg_len, c->k1,
                   c->b);
}

/* Bound of block b's tf part from its impacts. */
static double impact_bound(const term_it *t, const postings *p, uint32_t b,
                           int title)
{
    const skip_entry *se = &p->skips[b];
    double best = 0;
    for (uint32_t k = 0; k < se->n_imp; k++) {
        double v = part(t, p->impacts[se->imp + 2 * k],
                        p->impacts[se->imp + 2 * k + 1], title);
        if (v > best)
            best = v;
    }
    return best;
}

/* Largest tf part over the whole list: from the impacts of every block,
 * or, for a one-block term (no skip table), by decoding it. */
static double list_bound(const term_it *t, postings *p, int title)
{
    double best = 0;
    if (p->n_blocks > 1) {
        for (uint32_t b = 0; b < p->n_blocks; b++) {
            double v = impact_bound(t, p, b, title);
            if (v > best)
                best = v;
        }
        return best;
    }
    postings q = *p; /* a copy: p stays before its first document */
    for (uint32_t d = postings_next(&q); d != POSTINGS_END;
         d = postings_next(&q)) {
        uint32_t len = title ? segment_tlen(t->c.g, d)
                             : segment_dlen(t->c.g, d);
        double v = part(t, postings_tf(&q), len, title);
        if (v > best)
            best = v;
    }
    return best;
}

static double title_score(term_it *t, uint32_t doc)
{
    if (!t->has_t || postings_advance(&t->t, doc) != doc)
        return 0;
    return t->c.title_weight * t->title_idf *
           part(t, postings_tf(&t->t), segment_tlen(t->c.g, doc), 1);
}

static double score(it *i)
{
    term_it *t = (term_it *)i;
    uint32_t d = i->doc;
    switch (t->kind) {
    case TERM_FILTER:
        return 0;
    case TERM_TITLE:
        return t->idf * part(t, postings_tf(&t->p), segment_tlen(t->c.g, d),
                             1);
    case TERM_EXACT:
        return t->idf * part(t, postings_tf(&t->p), segment_dlen(t->c.g, d),
                             0);
    default:
        return t->idf * part(t, postings_tf(&t->p), segment_dlen(t->c.g, d),
                             0) +
               title_score(t, d);
    }
}

static uint32_t advance(it *i, uint32_t target)
{
    term_it *t = (term_it *)i;
    i->started = 1;
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

static void term_free(it *i)
{
    term_it *t = (term_it *)i;
    postings_close(&t->p);
    if (t->has_t)
        postings_close(&t->t);
    free(t);
}

static const it_ops term_ops = { advance, score, term_free };

it *term_it_new(const score_ctx *c, term_kind kind, const term_info *body,
                const term_info *title, double idf, double title_idf,
                errmsg *e)
{
    term_it *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->base.ops = &term_ops;
    t->base.cost = body->df;
    t->c = *c;
    t->kind = kind;
    t->idf = idf;
    t->title_idf = title_idf;
    if (postings_open(&t->p, c->g, body, e) != MORGUE_OK) {
        t->base.err = MORGUE_ECORRUPT;
        t->base.doc = IT_END;
        return &t->base;
    }
    int in_title = kind == TERM_TITLE;
    t->p_max = kind == TERM_FILTER ? 0
                                   : idf * list_bound(t, &t->p, in_title);
    if (kind == TERM_STEM && title && title->df &&
        postings_open(&t->t, c->g, title, e) == MORGUE_OK) {
        t->has_t = 1;
        t->t_max = c->title_weight * title_idf * list_bound(t, &t->t, 1);
    }
    t->max = t->p_max + t->t_max;
    t->ub_from = 1; /* empty cache */
    t->ub_to = 0;
    return &t->base;
}

double term_it_max(it *i) { return ((term_it *)i)->max; }

/* Bound of one list's part at the block holding target. */
static double block_part(const term_it *t, postings *p, uint32_t target,
                         int title, double whole, uint32_t *end)
{
    const skip_entry *se = postings_block_for(p, target);
    if (!se) {
        *end = IT_END;
        return 0;
    }
    *end = se->last_doc;
    if (p->n_blocks <= 1)
        return whole;
    return impact_bound(t, p, (uint32_t)(se - p->skips), title);
}

static double block_max(term_it *t, uint32_t target, uint32_t *block_end);

/* Block bounds are asked for every candidate document; they change only
 * at block boundaries. */
double term_it_block_max(it *i, uint32_t target, uint32_t *block_end)
{
    term_it *t = (term_it *)i;
    if (target < t->ub_from || target > t->ub_to) {
        t->ub = block_max(t, target, &t->ub_to);
        t->ub_from = target;
    }
    *block_end = t->ub_to;
    return t->ub;
}

static double block_max(term_it *t, uint32_t target, uint32_t *block_end)
{
    if (t->kind == TERM_FILTER) {
        *block_end = IT_END;
        return 0;
    }
    int title = t->kind == TERM_TITLE;
    double ub = t->p_max ? t->idf * block_part(t, &t->p, target, title,
                                               t->p_max / t->idf, block_end)
                         : 0;
    if (!t->p_max)
        *block_end = IT_END;
    if (t->has_t && t->t_max > 0) {
        uint32_t tend;
        double w = t->c.title_weight * t->title_idf;
        ub += w * block_part(t, &t->t, target, 1, t->t_max / w, &tend);
        if (tend < *block_end)
            *block_end = tend;
    }
    return ub;
}

postings *term_it_postings(it *i) { return &((term_it *)i)->p; }
