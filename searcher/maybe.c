/* maybe.c: the documents of a required part; optional kids only add their
 * score where they match ("+required optional" in any-mode). With a hint,
 * a required document whose kids' block bounds cannot beat it is passed
 * over; only the required kid is told what it must beat (an optional kid
 * leaving a document out would change its score, not its matching). */
#include <stdlib.h>

#include "searcher/iter.h"

typedef struct maybe_it {
    it base;
    it **kids;  /* owned; kids[0] is required */
    size_t n;
} maybe_it;

/* Bound at doc (>= every kid's document but the optional ones ahead). */
static double bound(maybe_it *m, uint32_t doc, uint32_t *end)
{
    double ub = 0;
    *end = IT_END;
    for (size_t k = 0; k < m->n; k++) {
        it *c = m->kids[k];
        uint32_t e;
        if (c->started && c->doc == IT_END)
            continue;
        ub += it_block_max(c, c->started && c->doc > doc ? c->doc : doc, &e);
        if (e < *end)
            *end = e;
    }
    return ub;
}

static uint32_t advance(it *i, uint32_t target)
{
    maybe_it *m = (maybe_it *)i;
    i->started = 1;
    uint32_t doc = it_advance(m->kids[0], target);
    while (i->min > 0 && doc != IT_END && !m->kids[0]->err) {
        uint32_t end;
        if (!it_cannot_beat(bound(m, doc, &end), i->min))
            break;
        doc = end >= IT_END - 1 ? IT_END : it_advance(m->kids[0], end + 1);
    }
    i->doc = doc;
    i->err = m->kids[0]->err;
    return i->doc;
}

static double score(it *i)
{
    maybe_it *m = (maybe_it *)i;
    double s = it_score(m->kids[0]);
    for (size_t k = 1; k < m->n; k++) {
        it *c = m->kids[k];
        uint32_t d = c->doc;
        if (!c->started || (d < i->doc && d != IT_END))
            d = it_advance(c, i->doc);
        if (d == i->doc)
            s += it_score(c);
    }
    return s;
}

static void maybe_free(it *i)
{
    maybe_it *m = (maybe_it *)i;
    for (size_t k = 0; k < m->n; k++)
        it_free(m->kids[k]);
    free(m->kids);
    free(m);
}

static double block_max(it *i, uint32_t target, uint32_t *end)
{
    return bound((maybe_it *)i, target, end);
}

static void set_min(it *i, double min)
{
    maybe_it *m = (maybe_it *)i;
    i->min = min;
    double m0 = it_part_min(min, i->max - m->kids[0]->max);
    if (m0 > 0)
        it_set_min(m->kids[0], m0);
}

static const it_ops maybe_ops = { advance, score, maybe_free, block_max,
                                  set_min, NULL, NULL };

it *maybe_it_new(it **kids, size_t n)
{
    maybe_it *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->base.ops = &maybe_ops;
    m->kids = kids;
    m->n = n;
    m->base.cost = kids[0]->cost;
    for (size_t k = 0; k < n; k++)
        m->base.max += kids[k]->max;
    return &m->base;
}

void it_free(it *i)
{
    if (i)
        i->ops->free(i);
}
