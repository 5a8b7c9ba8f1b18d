/* date.c: the documents whose date lies in [from, to], read from the
 * segment's date columns (no stored text is touched); and the empty
 * iterator. Dates compare as the article's local clock
 * (segment_local_date), so date:2022-05-15 is the article's own day. */
#include <stdlib.h>

#include "searcher/iter.h"

typedef struct date_it {
    it base;
    const segment *g;
    score_ctx c;
    int64_t from, to;
} date_it;

static uint32_t advance(it *i, uint32_t target)
{
    date_it *d = (date_it *)i;
    i->started = 1;
    if (i->cost == 0) /* the segment's dates miss the range */
        return i->doc = IT_END;
    for (uint32_t doc = target; doc < d->g->n_docs; doc++) {
        if (!ctx_col(&d->c, COL_DATE, doc) || !ctx_col(&d->c, COL_DOFF, doc)) {
            i->err = MORGUE_ECORRUPT;
            return i->doc = IT_END;
        }
        int64_t t = segment_local_date(d->g, doc);
        if (t != INT64_MIN && t >= d->from && t <= d->to)
            return i->doc = doc;
    }
    return i->doc = IT_END;
}

static double no_score(it *i)
{
    (void)i;
    return 0;
}

static void plain_free(it *i) { free(i); }

static const it_ops date_ops = { advance, no_score, plain_free, NULL, NULL,
                                 NULL, NULL };

it *date_it_new(const score_ctx *c, int64_t from, int64_t to)
{
    date_it *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->base.ops = &date_ops;
    d->g = c->g;
    d->c = *c;
    d->from = from;
    d->to = to;
    /* Cheap when the segment's dates miss the range entirely. META's
     * bounds are UTC instants; a local date is within a day of them. */
    int64_t lo = from < INT64_MIN + 86400 ? INT64_MIN : from - 86400;
    int64_t hi = to > INT64_MAX - 86400 ? INT64_MAX : to + 86400;
    int disjoint = c->g->max_date == INT64_MIN || c->g->max_date < lo ||
                   c->g->min_date > hi;
    d->base.cost = disjoint ? 0 : c->g->n_docs;
    if (disjoint) {
        d->base.started = 1;
        d->base.doc = IT_END;
    }
    return &d->base;
}

static uint32_t empty_advance(it *i, uint32_t target)
{
    (void)target;
    i->started = 1;
    return i->doc = IT_END;
}

static const it_ops empty_ops = { empty_advance, no_score, plain_free, NULL,
                                  NULL, NULL, NULL };

it *empty_it_new(void)
{
    it *i = calloc(1, sizeof *i);
    if (i) {
        i->ops = &empty_ops;
        i->doc = IT_END;
        i->started = 1;
    }
    return i;
}
