/* topk.h: a bounded min-heap keeping the k best hits. */
#ifndef MORGUE_SEARCHER_TOPK_H
#define MORGUE_SEARCHER_TOPK_H

#include <stddef.h>

#include "searcher/searcher.h"

/* A kept hit with its global document id (the tie-breaker). */
typedef struct topk_entry {
    hit h;
    uint64_t g;
} topk_entry;

/* The heap grows with the hits that arrive, up to k, so k may be any
 * size_t (offset + limit from the caller, saturated): memory follows the
 * matches, never the limit. */
typedef struct topk {
    topk_entry *heap; /* owned; worst hit at heap[0] */
    size_t n, k;
    size_t cap;       /* entries allocated */
    int oom;          /* a push could not grow the heap */
} topk;

int topk_init(topk *t, size_t k);
/* 1 when a hit with this key could enter (ties go to earlier articles,
 * which are visited first, so an equal key never enters a full heap). */
int topk_would_enter(const topk *t, double key);
/* Key a hit must beat once the heap is full; -inf before. */
double topk_threshold(const topk *t);
/* Keeps h if it is among the k best; 0, or -1 (and oom set) when the
 * heap could not grow. */
int topk_push(topk *t, hit h, uint64_t global_doc);
/* Sorts best first and hands the array over; t is left empty. */
hit *topk_take(topk *t, size_t *n);
void topk_free(topk *t);

#endif
