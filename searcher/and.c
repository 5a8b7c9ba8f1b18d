/* and.c: documents every positive iterator has and no negative one has;
 * the score is the positive iterators' sum, in query order. With a hint,
 * block-max AND: a candidate whose kids' block bounds cannot beat it is
 * skipped with everything up to the nearest block end, and each kid is
 * told what it must beat given the others' maxima. */
#include <stdlib.h>

#include "searcher/iter.h"
#include "util/alloc.h"

typedef struct and_it {
    it base;
    it **pos, **neg;   /* owned */
    size_t n_pos, n_neg;
    it **order;        /* pos sorted by cost, for leapfrogging */
} and_it;

static int excluded(and_it *a, uint32_t doc)
{
    for (size_t i = 0; i < a->n_neg; i++) {
        uint32_t d = a->neg[i]->doc;
        if (!a->neg[i]->started || d < doc)
            d = it_advance(a->neg[i], doc);
        if (d == doc)
            return 1;
    }
    return 0;
}

/* Sum of the kids' block bounds at doc; the nearest block end to *end. */
static double bound(and_it *a, uint32_t doc, uint32_t *end)
{
    double ub = 0;
    *end = IT_END;
    for (size_t k = 0; k < a->n_pos; k++) {
        uint32_t e;
        ub += it_block_max(a->pos[k], doc, &e);
        if (e < *end)
            *end = e;
    }
    return ub;
}

static uint32_t advance(it *i, uint32_t target)
{
    and_it *a = (and_it *)i;
    i->started = 1;
    uint32_t doc = it_advance(a->order[0], target);
    while (doc != IT_END) {
        uint32_t end;
        if (i->min > 0 && it_cannot_beat(bound(a, doc, &end), i->min)) {
            doc = end >= IT_END - 1 ? IT_END : it_advance(a->order[0], end + 1);
            continue;
        }
        size_t k = 1;
        for (; k < a->n_pos; k++) {
            uint32_t d = it_advance(a->order[k], doc);
            if (d != doc) {
                doc = d == IT_END ? d : it_advance(a->order[0], d);
                break;
            }
        }
        if (k == a->n_pos) {
            if (!excluded(a, doc))
                break;
            doc = it_advance(a->order[0], doc + 1);
        }
    }
    for (size_t k = 0; k < a->n_pos; k++)
        if (a->pos[k]->err)
            i->err = a->pos[k]->err;
    return i->doc = doc;
}

static double score(it *i)
{
    and_it *a = (and_it *)i;
    double s = 0;
    for (size_t k = 0; k < a->n_pos; k++)
        s += it_score(a->pos[k]);
    return s;
}

static void and_free(it *i)
{
    and_it *a = (and_it *)i;
    for (size_t k = 0; k < a->n_pos; k++)
        it_free(a->pos[k]);
    for (size_t k = 0; k < a->n_neg; k++)
        it_free(a->neg[k]);
    free(a->pos);
    free(a->neg);
    free(a->order);
    free(a);
}

/* Kids' documents never pass the lead's, so target is past them all. */
static double block_max(it *i, uint32_t target, uint32_t *end)
{
    return bound((and_it *)i, target, end);
}

static void set_min(it *i, double min)
{
    and_it *a = (and_it *)i;
    i->min = min;
    for (size_t k = 0; k < a->n_pos; k++) {
        double others = 0;
        for (size_t j = 0; j < a->n_pos; j++)
            if (j != k)
                others += a->pos[j]->max;
        double m = it_part_min(min, others);
        if (m > 0)
            it_set_min(a->pos[k], m);
    }
}

static const it_ops and_ops = { advance, score, and_free, block_max,
                                set_min, NULL, NULL };

int it_by_cost(const void *x, const void *y)
{
    const it *a = *(it *const *)x, *b = *(it *const *)y;
    return (a->cost > b->cost) - (a->cost < b->cost);
}

it *and_it_new(it **pos, size_t n_pos, it **neg, size_t n_neg)
{
    and_it *a = calloc(1, sizeof *a);
    it **order = mem_array(n_pos + 1, sizeof *order);
    if (!a || !order || n_pos == 0) {
        free(a);
        free(order);
        return NULL;
    }
    a->base.ops = &and_ops;
    a->pos = pos;
    a->neg = neg;
    a->n_pos = n_pos;
    a->n_neg = n_neg;
    for (size_t k = 0; k < n_pos; k++)
        order[k] = pos[k];
    qsort(order, n_pos, sizeof *order, it_by_cost);
    a->order = order;
    a->base.cost = order[0]->cost;
    for (size_t k = 0; k < n_pos; k++)
        a->base.max += pos[k]->max;
    return &a->base;
}
