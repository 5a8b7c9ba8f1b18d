/* prune.c: block-max AND and block-max MaxScore over term iterators. */
#include <math.h>
#include <stdlib.h>

#include "searcher/prune.h"
#include "searcher/recency.h"
#include "util/alloc.h"

/* A bound that rounding in the score's sum cannot exceed. */
static int cannot_enter(double bound, double threshold)
{
    return bound + 1e-9 * fabs(bound) + 1e-12 <= threshold;
}

/* What an unblended bound must beat: the k-th best score, over the most
 * recency can multiply a score by in this segment. */
static double threshold(const prune_job *j)
{
    double th = topk_threshold(j->top);
    return j->half_life > 0 ? th / j->boost_max : th;
}

static int accept(const prune_job *j, uint32_t doc)
{
    const segment *g = &j->s->segs[j->g];
    if (searcher_deleted(j->s, j->g, doc))
        return 0;
    if (j->from == INT64_MIN && j->to == INT64_MAX)
        return 1;
    int64_t t = segment_local_date(g, doc); /* the article's own day */
    return t != INT64_MIN && t >= j->from && t <= j->to;
}

/* The exhaustive path's score: the sum over terms on doc, query order. */
static double score(const prune_job *j, uint32_t doc)
{
    double s = 0;
    for (size_t i = 0; i < j->n; i++)
        if (j->terms[i]->doc == doc)
            s += it_score(j->terms[i]);
    return s;
}

static void push(prune_job *j, uint32_t doc)
{
    double sc = score(j, doc);
    if (j->half_life > 0)
        sc *= recency_factor(segment_date(&j->s->segs[j->g], doc), j->now,
                             j->half_life);
    if (topk_would_enter(j->top, sc))
        topk_push(j->top, (hit){ sc, sc, (uint32_t)j->g, doc },
                  j->s->base[j->g] + doc);
}

static double block_bound(const prune_job *j, uint32_t doc, uint32_t *end)
{
    double ub = 0;
    *end = IT_END;
    for (size_t i = 0; i < j->n; i++) {
        uint32_t e;
        ub += term_it_block_max(j->terms[i], doc, &e);
        if (e < *end)
            *end = e;
    }
    return ub;
}

static int run_and(prune_job *j, it **order)
{
    it *lead = order[0];
    uint32_t doc = it_next(lead);
    while (doc != IT_END) {
        if (budget_spend(j->budget, j->n))
            return MORGUE_EQUERY;
        double th = threshold(j);
        uint32_t end;
        if (!j->count && cannot_enter(block_bound(j, doc, &end), th)) {
            /* nothing up to the nearest block end can enter the top k */
            doc = end >= IT_END - 1 ? IT_END : it_advance(lead, end + 1);
            continue;
        }
        size_t k = 1;
        for (; k < j->n; k++) {
            uint32_t d = it_advance(order[k], doc);
            if (d != doc) {
                doc = d == IT_END ? d : it_advance(lead, d);
                break;
            }
        }
        if (k < j->n)
            continue;
        if (accept(j, doc)) {
            (*j->total)++;
            if (!cannot_enter(block_bound(j, doc, &end), th))
                push(j, doc);
        }
        doc = it_next(lead);
    }
    return MORGUE_OK;
}

static int by_max(const void *x, const void *y)
{
    double a = term_it_max(*(it *const *)x), b = term_it_max(*(it *const *)y);
    return (a > b) - (a < b);
}

static int run_or(prune_job *j, it **s)
{
    size_t n = j->n, ne = 0; /* s[0..ne) are non-essential */
    double *prefix = mem_array(n + 1, sizeof *prefix);
    if (!prefix)
        return MORGUE_ENOMEM;
    qsort(s, n, sizeof *s, by_max);
    prefix[0] = 0;
    for (size_t i = 0; i < n; i++)
        prefix[i + 1] = prefix[i] + term_it_max(s[i]);
    for (size_t i = 0; i < n; i++)
        it_next(s[i]);
    for (;;) {
        double th = threshold(j);
        while (!j->count && ne < n && cannot_enter(prefix[ne + 1], th))
            ne++; /* these alone can no longer make a top-k document */
        if (budget_spend(j->budget, n - ne)) {
            free(prefix);
            return MORGUE_EQUERY;
        }
        uint32_t doc = IT_END;
        for (size_t i = ne; i < n; i++)
            if (s[i]->doc < doc)
                doc = s[i]->doc;
        if (doc == IT_END)
            break;
        if (accept(j, doc)) {
            (*j->total)++; /* exact when counting (no list skipped) */
            double ub = prefix[ne];
            for (size_t i = ne; i < n; i++)
                if (s[i]->doc == doc) {
                    uint32_t e;
                    ub += term_it_block_max(s[i], doc, &e);
                }
            if (!cannot_enter(ub, th)) {
                for (size_t i = 0; i < ne; i++)
                    if (s[i]->doc < doc)
                        it_advance(s[i], doc);
                push(j, doc);
            }
        }
        for (size_t i = ne; i < n; i++)
            if (s[i]->doc == doc)
                it_next(s[i]);
    }
    free(prefix);
    return MORGUE_OK;
}

int prune_run(prune_job *j)
{
    it **order = mem_array(j->n + 1, sizeof *order);
    if (!order)
        return MORGUE_ENOMEM;
    for (size_t i = 0; i < j->n; i++)
        order[i] = j->terms[i];
    int rc;
    if (j->conjunctive) {
        qsort(order, j->n, sizeof *order, it_by_cost);
        rc = run_and(j, order);
    } else {
        rc = run_or(j, order);
    }
    free(order);
    for (size_t i = 0; i < j->n && rc == MORGUE_OK; i++)
        if (j->terms[i]->err)
            rc = j->terms[i]->err; /* corrupt, or the budget spent */
    return rc;
}
