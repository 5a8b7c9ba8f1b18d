/* iter.h: the matcher's iterators. Every query operator is an iterator
 * over ascending document ids of one segment (Xapian's postlists, Tantivy's
 * scorers): term.c, and.c, or.c, maybe.c, phrase.c, date.c.
 *
 * Every operator also takes part in top-k pruning (search.c's driver):
 * it knows an upper bound of its score over the segment (max, as Xapian's
 * get_maxweight) and over the documents up to a block end (block_max, as
 * Lucene's getMaxScore(upTo)), and takes a minimum-score hint (set_min, as
 * Xapian's w_min and Lucene's setMinCompetitiveScore). The hint's
 * contract: once given min, an operator may leave out, or score lower
 * than its exhaustive score, any document whose exhaustive score is at
 * most min; every other document it yields exactly as before, with the
 * same score computed in the same order. Scores are never negative, so
 * an operator passes its kids what they must beat for the whole to beat
 * min (min less the others' maxima), and leaves out documents whose
 * block bound cannot beat it: block-max AND, MaxScore OR, and so on down
 * to a term skipping whole blocks. */
#ifndef MORGUE_SEARCHER_ITER_H
#define MORGUE_SEARCHER_ITER_H

#include <stdint.h>

#include "index/postings.h"
#include "searcher/searcher.h"

#define IT_END POSTINGS_END

/* The work one query may do, shared by all its iterators over all
 * segments: postings decoded (documents of each block loaded, positions
 * read) and operator steps. Once used passes limit every iterator that
 * spends reports MORGUE_EQUERY and ends, so a query costs at most about
 * limit steps whatever the index size (docs/QUERY.md, "Limits"). */
typedef struct query_budget {
    uint64_t used, limit;
    /* The caller's stop conditions (morgue_query_opts' cancel flag and
     * timeout), looked at every BUDGET_POLL steps: when one holds, limit
     * drops to 0 and stopped is set, so the query ends the way a spent
     * budget ends it, and reports MORGUE_ECANCELED instead. */
    const int *cancel;
    int64_t deadline_ns;  /* CLOCK_MONOTONIC; 0: none */
    uint64_t poll_at;     /* used value of the next look; UINT64_MAX: none */
    int stopped;
} query_budget;

#define BUDGET_POLL 4096

/* Looks at the stop conditions now (search.c); 1 when the query must stop. */
int budget_poll(query_budget *b);

/* Adds n steps; 1 once the budget is spent or the caller asked to stop
 * (b NULL: no budget). */
static inline int budget_spend(query_budget *b, uint64_t n)
{
    if (!b)
        return 0;
    b->used += n;
    if (b->used >= b->poll_at)
        budget_poll(b);
    return b->used > b->limit;
}

/* The first damaged column page a reader of single values met (a score's
 * lengths, a title phrase's limit, a date or language filter): its code
 * and message. The search of the segment fails with it once the walk
 * ends; values read from the page meanwhile are plain numbers, used but
 * never returned. */
typedef struct col_fault {
    int rc;
    errmsg e;
} col_fault;

/* What scoring needs: the snapshot, the segment and BM25's parameters,
 * and the query's work budget. */
typedef struct score_ctx {
    const morgue_searcher *s;
    const segment *g;
    double k1, b, title_weight;
    uint32_t max_tlen;  /* the segment's longest title (score bounds) */
    query_budget *budget;
    int count_only;     /* nothing is scored (MORGUE_QUERY_COUNT_ONLY):
                           leaves decode documents only, no bounds */
    col_fault *fault;   /* where column damage is kept (search.c) */
} score_ctx;

/* Verifies the page of column col holding doc's value (search.c):
 * 1, or 0 with *c->fault set. */
int ctx_col_slow(const score_ctx *c, int col, uint32_t doc);

/* 1 when doc's value of column col has been verified (segment.h's
 * segment_col_page): readers of single values ask before each read. */
static inline int ctx_col(const score_ctx *c, int col, uint32_t doc)
{
    return segment_col_ready(c->g, col, doc) || ctx_col_slow(c, col, doc);
}

typedef struct it it;
typedef struct it_ops {
    /* First document >= target (target above the current document, or any
     * target before the first call); returns it->doc. */
    uint32_t (*advance)(it *, uint32_t target);
    /* Score of the current document. */
    double (*score)(it *);
    void (*free)(it *);
    /* Upper bound of the score of any document in [target, *end] that
     * the iterator can still yield (target >= the current document, or
     * any before the first call); *end >= target. NULL: max, up to
     * IT_END. */
    double (*block_max)(it *, uint32_t target, uint32_t *end);
    /* The hint above (min only rises); NULL: the operator just records
     * it. */
    void (*set_min)(it *, double min);
    /* A count's shortcut (search.c): 1 when mark can be called (a fresh
     * iterator, every kid can too); NULL: never. */
    int (*can_mark)(it *);
    /* Sets bit d of bits for every document d the fresh iterator would
     * yield, spending what advancing through them would, and ends it:
     * MORGUE_OK or its error (MORGUE_ECORRUPT, MORGUE_EQUERY). A union
     * costs the sum of its kids' postings, where advancing costs each
     * match a step over every kid. */
    int (*mark)(it *, uint64_t *bits);
} it_ops;

struct it {
    const it_ops *ops;
    uint32_t doc;     /* current document; IT_END when exhausted */
    int started;      /* doc is meaningful */
    uint64_t cost;    /* about how many documents it yields */
    int err;          /* MORGUE_ECORRUPT once a decoder failed,
                         MORGUE_EQUERY once the work budget is spent */
    double max;       /* bound of the score over the segment */
    double min;       /* the hint; 0 (calloc): none, as scores are >= 0 */
};

static inline uint32_t it_advance(it *i, uint32_t target)
{
    return i->ops->advance(i, target);
}

static inline uint32_t it_next(it *i)
{
    if (i->doc == IT_END)
        return IT_END;
    return i->ops->advance(i, i->started ? i->doc + 1 : 0);
}

static inline double it_score(it *i) { return i->ops->score(i); }

static inline double it_block_max(it *i, uint32_t target, uint32_t *end)
{
    if (i->ops->block_max)
        return i->ops->block_max(i, target, end);
    *end = IT_END;
    return i->max;
}

/* Gives i the hint min (ignored unless it raises the one i has). */
static inline void it_set_min(it *i, double min)
{
    if (!(min > i->min))
        return;
    if (i->ops->set_min)
        i->ops->set_min(i, min);
    else
        i->min = min;
}

/* 1 when a document whose score is at most bound cannot beat min, even
 * with the rounding of the sums that made bound and the score. */
static inline int it_cannot_beat(double bound, double min)
{
    return bound + 1e-9 * (bound < 0 ? -bound : bound) + 1e-12 <= min;
}

/* What one part must beat for the whole to beat min when the other parts
 * add at most others: min - others, less a margin for rounding. */
static inline double it_part_min(double min, double others)
{
    return min - others - 1e-9 * (min + others) - 1e-12;
}

void it_free(it *i);

/* qsort order of iterator pointers, cheapest (fewest documents) first:
 * intersections lead with the rarest. */
int it_by_cost(const void *x, const void *y);

/* ---- leaves (term.c) ---- */

typedef enum term_kind {
    TERM_STEM,   /* 'S' postings, BM25F over title ('T' postings) + body */
    TERM_TITLE,  /* 'T' postings, title BM25 */
    TERM_EXACT,  /* 'E' postings, BM25 */
    TERM_FILTER, /* 'G' / 'O' postings, no score */
    TERM_LANG,   /* the language column equals a code, no score */
} term_kind;

typedef struct term_it term_it;

/* A term's cursor; title may be NULL (TERM_STEM without title postings).
 * Returns NULL on OOM, or an iterator with err set on corruption. */
it *term_it_new(const score_ctx *c, term_kind kind, const term_info *body,
                const term_info *title, double idf, errmsg *e);

/* Upper bound of the term's saturated tf part (its score over its idf)
 * over the whole segment, and over the block holding target (whose last
 * document goes to *block_end): what phrases bound their scores by. */
double term_it_max_sat(it *i);
double term_it_block_sat(it *i, uint32_t target, uint32_t *block_end);

/* The term's postings (positions for TERM_EXACT). */
postings *term_it_postings(it *i);

/* ---- operators ---- */

/* All of pos[] (score: their sum in the given order), none of neg[]. The
 * arrays are taken over. */
it *and_it_new(it **pos, size_t n_pos, it **neg, size_t n_neg);
/* Any of kids (score: sum of those on the document, in order); each step
 * costs budget one unit per kid. */
it *or_it_new(it **kids, size_t n, query_budget *budget);
/* kids[0] decides matching; the rest only add score. */
it *maybe_it_new(it **kids, size_t n);
/* Words (TERM_EXACT iterators) at consecutive positions (near == 0), or all
 * within near positions; title_only: every position inside the title. */
it *phrase_it_new(const score_ctx *c, it **words, size_t n, unsigned near,
                  int title_only, const double *idfs);
/* Documents dated within [from, to]. */
it *date_it_new(const score_ctx *c, int64_t from, int64_t to);
/* Matches nothing. */
it *empty_it_new(void);
/* Documents whose language column holds code (langs.c). */
it *lang_it_new(const score_ctx *c, uint16_t code);

#endif
