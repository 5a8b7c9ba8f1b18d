/* recency.h: the recency blend of morgue_query_opts.recency_half_life.
 *
 *   score' = score * (1 + 2^(-age / half_life)) / 2,  age = max(0, now - date)
 *
 * so a fresh article keeps its whole relevance score, one a half-life old
 * three quarters of it, a very old one half; undated articles get the
 * half. The factor only falls with age, so the newest date of a segment
 * (META's latest date) bounds it for every document there: pruning
 * compares block maxima times that bound with the k-th best blended
 * score, and stays exact. */
#ifndef MORGUE_SEARCHER_RECENCY_H
#define MORGUE_SEARCHER_RECENCY_H

#include <math.h>
#include <stdint.h>

/* The factor for an article dated date (INT64_MIN: undated); half_life in
 * seconds, > 0. */
static inline double recency_factor(int64_t date, int64_t now,
                                    double half_life)
{
    if (date == INT64_MIN)
        return 0.5;
    double age = date >= now ? 0.0 : (double)now - (double)date;
    return 0.5 * (1.0 + exp2(-age / half_life));
}

#endif
