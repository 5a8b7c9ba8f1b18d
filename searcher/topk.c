/* topk.c: top-k by a min-heap; ties go to the earlier article so that
 * results are stable across runs and segment layouts. */
#include <stdlib.h>

#include "searcher/topk.h"

#include <math.h>

#include "util/alloc.h"

#define FIRST_CAP 64

static int worse(const hit *a, uint64_t ga, const hit *b, uint64_t gb)
{
    return a->key < b->key || (a->key == b->key && ga > gb);
}

int topk_init(topk *t, size_t k)
{
    t->n = 0;
    t->k = k;
    t->oom = 0;
    t->cap = k < FIRST_CAP ? k + 1 : FIRST_CAP;
    t->heap = mem_array(t->cap, sizeof *t->heap);
    return t->heap ? 0 : -1;
}

int topk_would_enter(const topk *t, double key)
{
    return t->k > 0 && (t->n < t->k || key > t->heap[0].h.key);
}

double topk_threshold(const topk *t)
{
    return t->k > 0 && t->n == t->k ? t->heap[0].h.key : -INFINITY;
}

static void sift_down(topk_entry *e, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && worse(&e[l].h, e[l].g, &e[m].h, e[m].g))
            m = l;
        if (r < n && worse(&e[r].h, e[r].g, &e[m].h, e[m].g))
            m = r;
        if (m == i)
            return;
        topk_entry tmp = e[i];
        e[i] = e[m];
        e[m] = tmp;
        i = m;
    }
}

static int grow(topk *t)
{
    size_t cap = mem_grow_cap(t->cap, t->n + 1, sizeof *t->heap);
    topk_entry *e = cap ? mem_rearray(t->heap, cap, sizeof *e) : NULL;
    if (!e) {
        t->oom = 1;
        return -1;
    }
    t->heap = e;
    t->cap = cap;
    return 0;
}

int topk_push(topk *t, hit h, uint64_t g)
{
    if (t->k == 0)
        return 0;
    if (t->n < t->k) {
        if (t->n == t->cap && grow(t))
            return -1;
        topk_entry *e = t->heap;
        size_t i = t->n++;
        e[i].h = h;
        e[i].g = g;
        while (i > 0) {
            size_t p = (i - 1) / 2;
            if (!worse(&e[i].h, e[i].g, &e[p].h, e[p].g))
                break;
            topk_entry tmp = e[i];
            e[i] = e[p];
            e[p] = tmp;
            i = p;
        }
        return 0;
    }
    topk_entry *e = t->heap;
    if (worse(&h, g, &e[0].h, e[0].g))
        return 0;
    e[0].h = h;
    e[0].g = g;
    sift_down(e, t->n, 0);
    return 0;
}

hit *topk_take(topk *t, size_t *n)
{
    topk_entry *e = t->heap;
    size_t count = t->n;
    /* Pop worst first into the back: the array ends up best first. */
    hit *out = mem_array(count, sizeof *out);
    if (!out) {
        *n = 0;
        return NULL;
    }
    for (size_t i = count; i > 0; i--) {
        out[i - 1] = e[0].h;
        e[0] = e[--t->n];
        sift_down(e, t->n, 0);
    }
    *n = count;
    return out;
}

void topk_free(topk *t)
{
    free(t->heap);
    t->heap = NULL;
    t->n = t->cap = 0;
}
