/* or.c: documents any kid has; the score sums the kids on the document,
 * in query order. Queries have few kids, so a linear minimum is enough. */
#include <stdlib.h>

#include "searcher/iter.h"

typedef struct or_it {
    it base;
    it **kids;  /* owned */
    size_t n;
    query_budget *budget;
} or_it;

static uint32_t advance(it *i, uint32_t target)
{
    or_it *o = (or_it *)i;
    uint32_t min = IT_END;
    if (budget_spend(o->budget, o->n)) { /* the linear minimum's cost */
        i->err = MORGUE_EQUERY;
        i->started = 1;
        return i->doc = IT_END;
    }
    for (size_t k = 0; k < o->n; k++) {
        it *c = o->kids[k];
        uint32_t d = c->doc;
        if (!c->started || (d < target && d != IT_END))
            d = it_advance(c, target);
        if (c->err)
            i->err = c->err;
        if (d < min)
            min = d;
    }
    i->started = 1;
    return i->doc = min;
}

static double score(it *i)
{
    or_it *o = (or_it *)i;
    double s = 0;
    for (size_t k = 0; k < o->n; k++)
        if (o->kids[k]->doc == i->doc)
            s += it_score(o->kids[k]);
    return s;
}

static void or_free(it *i)
{
    or_it *o = (or_it *)i;
    for (size_t k = 0; k < o->n; k++)
        it_free(o->kids[k]);
    free(o->kids);
    free(o);
}

static const it_ops or_ops = { advance, score, or_free };

it *or_it_new(it **kids, size_t n, query_budget *budget)
{
    or_it *o = calloc(1, sizeof *o);
    if (!o)
        return NULL;
    o->base.ops = &or_ops;
    o->kids = kids;
    o->n = n;
    o->budget = budget;
    for (size_t k = 0; k < n; k++)
        o->base.cost += kids[k]->cost;
    return &o->base;
}
