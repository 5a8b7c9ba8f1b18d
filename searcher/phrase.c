/* phrase.c: exact words at consecutive positions ("state of emergency"),
 * or all within n positions of each other (NEAR/n), optionally inside the
 * title. Documents come from intersecting the words' postings; positions
 * are decoded only for documents holding every word.
 *
 * Bounds: a phrase occurs at most as often as its rarest word in the
 * document, and its score's tf part is the same saturation as an exact
 * word's, so the smallest of its words' saturated bounds bounds it; a
 * NEAR window count is at most the sum of the words' counts, and
 * saturation is subadditive, so the sum of theirs does. With a hint,
 * candidates whose bound cannot beat it are skipped before any position
 * is read. */
#include <stdlib.h>
#include <string.h>

#include "searcher/bm25.h"
#include "searcher/iter.h"
#include "util/alloc.h"

#define MAX_POS 4096 /* positions per word and document considered */

typedef struct phrase_it {
    it base;
    score_ctx c;
    it **words;        /* owned TERM_EXACT iterators, in phrase order */
    size_t n;
    it **order;        /* words by cost, for leapfrogging */
    unsigned near;     /* 0: a phrase */
    int title_only;
    double *idfs;      /* owned, per word */
    double idf_sum;
    uint32_t **pos;    /* per word, scratch */
    int *n_pos;
    uint32_t freq;     /* occurrences in the current document */
} phrase_it;

static int load_positions(phrase_it *p)
{
    for (size_t w = 0; w < p->n; w++) {
        postings *ps = term_it_postings(p->words[w]);
        if (budget_spend(p->c.budget, postings_positions_cost(ps)))
            return MORGUE_EQUERY;
        if (postings_tf(ps) > MAX_POS) {
            p->n_pos[w] = MAX_POS; /* the rest are ignored */
            uint32_t *all = mem_array(postings_tf(ps), sizeof *all);
            if (!all)
                return -1;
            int got = postings_positions(ps, all);
            memcpy(p->pos[w], all, MAX_POS * sizeof *all);
            free(all);
            if (got < 0)
                return MORGUE_ECORRUPT;
        } else {
            p->n_pos[w] = postings_positions(ps, p->pos[w]);
            if (p->n_pos[w] < 0)
                return MORGUE_ECORRUPT;
        }
    }
    return 0;
}

/* Charges what matching the loaded positions costs, before doing it:
 * a phrase walks the first word's positions against the others; NEAR
 * walks every word's positions against all the words. */
static int charge_match(phrase_it *p)
{
    uint64_t total = 0;
    for (size_t w = 0; w < p->n; w++)
        total += (uint64_t)p->n_pos[w];
    uint64_t cost = p->near ? (total + (uint64_t)p->n) * p->n
                            : total + (uint64_t)p->n_pos[0] * p->n;
    return budget_spend(p->c.budget, cost) ? MORGUE_EQUERY : 0;
}

/* Occurrences of the exact phrase: word w at start + w. */
static uint32_t count_phrase(phrase_it *p, uint32_t limit)
{
    uint32_t freq = 0;
    int *at = calloc(p->n, sizeof *at);
    if (!at)
        return 0;
    for (int i = 0; i < p->n_pos[0]; i++) {
        uint32_t start = p->pos[0][i];
        size_t w = 1;
        for (; w < p->n; w++) {
            while (at[w] < p->n_pos[w] && p->pos[w][at[w]] < start + w)
                at[w]++;
            if (at[w] >= p->n_pos[w] || p->pos[w][at[w]] != start + w)
                break;
        }
        if (w == p->n && start + p->n - 1 < limit)
            freq++;
    }
    free(at);
    return freq;
}

/* Windows where every word occurs within near positions: for each
 * occurrence of any word, is there one of each word in [x, x + near]? */
static uint32_t count_near(phrase_it *p, uint32_t limit)
{
    uint32_t freq = 0;
    int *at = calloc(p->n, sizeof *at);
    if (!at)
        return 0;
    /* x rises within one word's positions, so each word's first position
     * >= x only moves forward: O(words x positions), not cubic. That
     * first position decides: if it is past x + near or the limit, so
     * are all after it. */
    for (size_t w0 = 0; w0 < p->n; w0++) {
        memset(at, 0, p->n * sizeof *at);
        for (int i = 0; i < p->n_pos[w0]; i++) {
            uint64_t x = p->pos[w0][i];
            size_t w = 0;
            for (; w < p->n; w++) {
                while (at[w] < p->n_pos[w] && p->pos[w][at[w]] < x)
                    at[w]++;
                if (at[w] >= p->n_pos[w] || p->pos[w][at[w]] > x + p->near ||
                    p->pos[w][at[w]] >= limit)
                    break;
            }
            freq += w == p->n && x < limit;
        }
    }
    free(at);
    return freq;
}

static uint32_t matches(phrase_it *p, uint32_t doc)
{
    int rc = load_positions(p);
    if (rc == 0)
        rc = charge_match(p);
    if (rc) {
        p->base.err = rc;
        return 0;
    }
    if (p->title_only && !ctx_col(&p->c, COL_TLEN, doc)) {
        p->base.err = MORGUE_ECORRUPT;
        return 0;
    }
    uint32_t limit = p->title_only ? segment_tlen(p->c.g, doc) : UINT32_MAX;
    return p->near ? count_near(p, limit) : count_phrase(p, limit);
}

/* The saturated tf part's bound from the words' bounds (see the top). */
static double combine(const phrase_it *p, double lo, double sum)
{
    if (!p->near)
        return lo;
    double cap = p->c.k1 + 1; /* what saturation never reaches */
    return sum < cap ? sum : cap;
}

static double bound(phrase_it *p, uint32_t doc, uint32_t *end)
{
    double lo = 0, sum = 0;
    *end = IT_END;
    for (size_t w = 0; w < p->n; w++) {
        uint32_t e;
        double v = term_it_block_sat(p->words[w], doc, &e);
        lo = w == 0 || v < lo ? v : lo;
        sum += v;
        if (e < *end)
            *end = e;
    }
    return p->idf_sum * combine(p, lo, sum);
}

static uint32_t advance(it *i, uint32_t target)
{
    phrase_it *p = (phrase_it *)i;
    i->started = 1;
    uint32_t doc = it_advance(p->order[0], target);
    while (doc != IT_END && !i->err) {
        uint32_t end;
        if (i->min > 0 && it_cannot_beat(bound(p, doc, &end), i->min)) {
            doc = end >= IT_END - 1 ? IT_END : it_advance(p->order[0], end + 1);
            continue;
        }
        size_t k = 1;
        for (; k < p->n; k++) {
            uint32_t d = it_advance(p->order[k], doc);
            if (d != doc) {
                doc = d == IT_END ? d : it_advance(p->order[0], d);
                break;
            }
        }
        if (k < p->n)
            continue;
        if ((p->freq = matches(p, doc)) > 0)
            break;
        doc = it_advance(p->order[0], doc + 1);
    }
    for (size_t k = 0; k < p->n; k++)
        if (p->words[k]->err)
            i->err = p->words[k]->err;
    return i->doc = i->err ? IT_END : doc;
}

static double score(it *i)
{
    phrase_it *p = (phrase_it *)i;
    ctx_col(&p->c, COL_DLEN, i->doc);
    double dl = segment_dlen(p->c.g, i->doc), s = 0;
    for (size_t w = 0; w < p->n; w++)
        s += p->idfs[w] * bm25_tf(p->freq, dl, p->c.s->avg_len, p->c.k1,
                                  p->c.b);
    return s;
}

static void phrase_free(it *i)
{
    phrase_it *p = (phrase_it *)i;
    for (size_t w = 0; w < p->n; w++) {
        it_free(p->words[w]);
        if (p->pos)
            free(p->pos[w]);
    }
    free(p->words);
    free(p->order);
    free(p->idfs);
    free(p->pos);
    free(p->n_pos);
    free(p);
}

static double block_max(it *i, uint32_t target, uint32_t *end)
{
    return bound((phrase_it *)i, target, end);
}

static const it_ops phrase_ops = { advance, score, phrase_free, block_max,
                                   NULL, NULL, NULL };

it *phrase_it_new(const score_ctx *c, it **words, size_t n, unsigned near,
                  int title_only, const double *idfs)
{
    phrase_it *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->base.ops = &phrase_ops;
    p->c = *c;
    p->words = words;
    p->n = n;
    p->near = near;
    p->title_only = title_only;
    p->order = mem_array(n, sizeof *p->order);
    p->idfs = mem_array(n, sizeof *p->idfs);
    p->pos = calloc(n, sizeof *p->pos);
    p->n_pos = calloc(n, sizeof *p->n_pos);
    if (!p->order || !p->idfs || !p->pos || !p->n_pos) {
        phrase_free(&p->base);
        return NULL;
    }
    for (size_t w = 0; w < n; w++) {
        p->order[w] = words[w];
        p->idfs[w] = idfs[w];
        p->pos[w] = malloc(MAX_POS * sizeof **p->pos);
        if (!p->pos[w]) {
            phrase_free(&p->base);
            return NULL;
        }
    }
    qsort(p->order, n, sizeof *p->order, it_by_cost);
    p->base.cost = p->order[0]->cost;
    double lo = 0, sum = 0;
    for (size_t w = 0; w < n; w++) {
        double v = term_it_max_sat(words[w]);
        lo = w == 0 || v < lo ? v : lo;
        sum += v;
        p->idf_sum += idfs[w];
    }
    p->base.max = p->idf_sum * combine(p, lo, sum);
    return &p->base;
}
