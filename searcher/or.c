/* or.c: documents any kid has; the score sums the kids on the document,
 * in query order. Queries have few kids, so a linear minimum is enough.
 *
 * With a hint, MaxScore (Turtle & Flood 1995) with block bounds: the kids
 * with the smallest maxima whose maxima together cannot beat the hint are
 * non-essential. Candidates come from the essential kids only; the others
 * are moved to a candidate only when its block bounds say it can beat the
 * hint, and then scored as usual. */
#include <stdlib.h>

#include "searcher/iter.h"
#include "util/alloc.h"

typedef struct or_it {
    it base;
    it **kids;  /* owned, in query order (the order of the score's sum) */
    size_t n;
    query_budget *budget;
    it **by_max; /* kids by ascending max; by_max[0..ne) non-essential */
    double *prefix; /* prefix[k]: sum of by_max[0..k)'s maxima */
    size_t ne;
} or_it;

/* The smallest essential document >= target, the essential kids moved
 * there. */
static uint32_t candidate(or_it *o, uint32_t target)
{
    it *i = &o->base;
    uint32_t min = IT_END;
    for (size_t k = o->ne; k < o->n; k++) {
        it *c = o->by_max[k];
        uint32_t d = c->doc;
        if (!c->started || (d < target && d != IT_END))
            d = it_advance(c, target);
        if (c->err)
            i->err = c->err;
        if (d < min)
            min = d;
    }
    return min;
}

/* Whether doc, an essential candidate, can beat the hint: the block
 * bounds of every kid that may hold it. */
static int may_beat(or_it *o, uint32_t doc)
{
    double ub = 0;
    uint32_t e;
    for (size_t k = 0; k < o->n; k++) {
        it *c = o->by_max[k];
        /* a non-essential kid past doc, like an essential one not on
         * it, adds nothing there */
        if (k < o->ne ? !c->started || c->doc <= doc : c->doc == doc)
            ub += it_block_max(c, doc, &e);
    }
    return !it_cannot_beat(ub, o->base.min);
}

static uint32_t advance(it *i, uint32_t target)
{
    or_it *o = (or_it *)i;
    i->started = 1;
    for (;;) {
        /* the linear minimum's cost */
        if (budget_spend(o->budget, o->n - o->ne)) {
            i->err = MORGUE_EQUERY;
            return i->doc = IT_END;
        }
        uint32_t doc = candidate(o, target);
        if (doc == IT_END || i->err || o->ne == 0)
            return i->doc = doc;
        if (may_beat(o, doc)) {
            for (size_t k = 0; k < o->ne; k++) {
                it *c = o->by_max[k];
                if (!c->started || (c->doc < doc && c->doc != IT_END))
                    it_advance(c, doc);
                if (c->err)
                    i->err = c->err;
            }
            return i->doc = doc;
        }
        target = doc + 1;
    }
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

static double block_max(it *i, uint32_t target, uint32_t *end)
{
    or_it *o = (or_it *)i;
    double ub = 0;
    *end = IT_END;
    for (size_t k = 0; k < o->n; k++) {
        uint32_t e;
        it *c = o->kids[k];
        if (c->started && c->doc == IT_END)
            continue;
        ub += it_block_max(c, c->started && c->doc > target ? c->doc : target,
                           &e);
        if (e < *end)
            *end = e;
    }
    return ub;
}

static void set_min(it *i, double min)
{
    or_it *o = (or_it *)i;
    i->min = min;
    /* these alone can no longer make a document beat min */
    while (o->ne < o->n && it_cannot_beat(o->prefix[o->ne + 1], min))
        o->ne++;
    double all = o->prefix[o->n];
    for (size_t k = 0; k < o->n; k++) {
        double m = it_part_min(min, all - o->kids[k]->max);
        if (m > 0)
            it_set_min(o->kids[k], m);
    }
}

static void or_free(it *i)
{
    or_it *o = (or_it *)i;
    for (size_t k = 0; k < o->n; k++)
        it_free(o->kids[k]);
    free(o->kids);
    free(o->by_max);
    free(o->prefix);
    free(o);
}

static int or_can_mark(it *i)
{
    or_it *o = (or_it *)i;
    if (i->started)
        return 0;
    for (size_t k = 0; k < o->n; k++)
        if (!o->kids[k]->ops->can_mark || !o->kids[k]->ops->can_mark(o->kids[k]))
            return 0;
    return 1;
}

static int or_mark(it *i, uint64_t *bits)
{
    or_it *o = (or_it *)i;
    i->started = 1;
    for (size_t k = 0; k < o->n && !i->err; k++)
        i->err = o->kids[k]->ops->mark(o->kids[k], bits);
    i->doc = IT_END;
    return i->err;
}

static const it_ops or_ops = { advance, score, or_free, block_max,
                               set_min, or_can_mark, or_mark };

static int by_max(const void *x, const void *y)
{
    double a = (*(it *const *)x)->max, b = (*(it *const *)y)->max;
    return (a > b) - (a < b);
}

it *or_it_new(it **kids, size_t n, query_budget *budget)
{
    or_it *o = calloc(1, sizeof *o);
    if (!o)
        return NULL;
    o->by_max = mem_array(n + 1, sizeof *o->by_max);
    o->prefix = mem_array(n + 1, sizeof *o->prefix);
    if (!o->by_max || !o->prefix) {
        free(o->by_max);
        free(o->prefix);
        free(o);
        return NULL;
    }
    o->base.ops = &or_ops;
    o->kids = kids;
    o->n = n;
    o->budget = budget;
    for (size_t k = 0; k < n; k++) {
        o->base.cost += kids[k]->cost;
        o->by_max[k] = kids[k];
    }
    qsort(o->by_max, n, sizeof *o->by_max, by_max);
    o->prefix[0] = 0;
    for (size_t k = 0; k < n; k++)
        o->prefix[k + 1] = o->prefix[k] + o->by_max[k]->max;
    o->base.max = o->prefix[n];
    return &o->base;
}
