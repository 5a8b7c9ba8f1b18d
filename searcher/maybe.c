/* maybe.c: the documents of a required part; optional kids only add their
 * score where they match ("+required optional" in any-mode). */
#include <stdlib.h>

#include "searcher/iter.h"

typedef struct maybe_it {
    it base;
    it **kids;  /* owned; kids[0] is required */
    size_t n;
} maybe_it;

static uint32_t advance(it *i, uint32_t target)
{
    maybe_it *m = (maybe_it *)i;
    i->started = 1;
    i->doc = it_advance(m->kids[0], target);
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

static const it_ops maybe_ops = { advance, score, maybe_free };

it *maybe_it_new(it **kids, size_t n)
{
    maybe_it *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->base.ops = &maybe_ops;
    m->kids = kids;
    m->n = n;
    m->base.cost = kids[0]->cost;
    return &m->base;
}

void it_free(it *i)
{
    if (i)
        i->ops->free(i);
}
