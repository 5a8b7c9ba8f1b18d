/* collapse.h: folding near-duplicates of a ranked list under the best
 * ranked of them (MORGUE_QUERY_COLLAPSE). */
#ifndef MORGUE_SEARCHER_COLLAPSE_H
#define MORGUE_SEARCHER_COLLAPSE_H

#include "searcher/topk.h"

/* all: every match, n of them, sorted best first. Walks them in order:
 * one resembling (at least sim) an earlier kept one is folded under the
 * best ranked such; the others are kept, each a story. Fills h->hits with
 * the first `want` stories, h->dups / h->dup_at with what was folded
 * under them, h->stories with the number of stories. 0 or
 * MORGUE_ENOMEM. */
int collapse_hits(const morgue_searcher *s, const topk_entry *all, size_t n,
                  double sim, size_t want, morgue_hits *h);

#endif
