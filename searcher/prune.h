/* prune.h: top-k with dynamic pruning for flat queries (free words, AND
 * or OR): block-max AND, and MaxScore with block maxima for OR. Results
 * equal exhaustive evaluation exactly: bounds only skip documents whose
 * score could not beat the k-th best, and every scored document is scored
 * by the same sum, in the same order, as the exhaustive path. */
#ifndef MORGUE_SEARCHER_PRUNE_H
#define MORGUE_SEARCHER_PRUNE_H

#include "searcher/iter.h"
#include "searcher/topk.h"

typedef struct prune_job {
    const morgue_searcher *s;
    size_t g;             /* segment */
    it **terms;           /* term iterators in query order (borrowed) */
    size_t n;
    int conjunctive;      /* AND, else OR */
    int count;            /* count every match exactly */
    int64_t from, to;     /* date filter, INT64_MIN/MAX when open */
    topk *top;
    uint64_t *total;
    query_budget *budget; /* charged for each candidate's scan */
    /* Recency (searcher/recency.h): half_life > 0 multiplies each score by
     * its factor, at most boost_max in this segment. */
    double half_life;
    int64_t now;
    double boost_max;
} prune_job;

int prune_run(prune_job *j);

#endif
