/* search.c: morgue_search(): parse, plan, then per segment one top-k
 * driver over the iterator tree: once the heap is full, the root is told
 * the score a document must beat (iter.h's hint), and every operator down
 * the tree prunes by it. Facets, date sorting, collapsing and counting
 * give no hint, so they see every match. */
#include <endian.h>
#include <math.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "searcher/expand.h"
#include "searcher/collapse.h"
#include "searcher/facets.h"
#include "searcher/near.h"
#include "searcher/search.h"
#include "searcher/plan.h"
#include "searcher/recency.h"
#include "searcher/query.h"
#include "searcher/testflags.h"
#include "searcher/topk.h"
#include "util/alloc.h"
#include "util/apiver.h"
#include "util/utf8.h"

int searcher_resolve_opts(const morgue_query_opts *o, morgue_query_opts *out)
{
    morgue_query_opts r = MORGUE_QUERY_OPTS_INIT;
    if (o) {
        size_t n = API_SIZE(o);
        if (!n)
            return 0;
        memcpy(&r, o, n);
    }
    if (r.limit == 0)
        r.limit = 10;
    /* BM25F's defaults: k1 1.2 (Robertson & Zaragoza's usual value); b
     * 0.5, within the usual 0.3-0.9, since articles and abstracts are
     * short and their length says little about verbosity (b 0.4-0.6 rank
     * best, alike, on every judged collection, benchmarks/relevance/);
     * a title word worth two body words. */
    if (r.k1 <= 0)
        r.k1 = 1.2;
    if (r.b < 0 || r.b > 1)
        r.b = 0.5;
    if (r.title_weight <= 0)
        r.title_weight = 2.0;
    if (r.snippet_chars == 0)
        r.snippet_chars = 200;
    *out = r;
    return 1;
}

typedef struct run {
    morgue_searcher *s;
    const morgue_query_opts *o;
    plan p;
    topk top;
    facet_acc facets;
    int exhaustive;      /* walk and score every match */
    int64_t from, to;    /* option date filter */
    uint64_t total;
    search_extra *x;     /* or NULL */
    unsigned x_need;     /* agreeing bytes that make x's near-duplicate */
    int64_t now;         /* for recency (and relative dates) */
    int collapse;        /* keep every match in all, for folding */
    topk_entry *all;
    size_t n_all, cap_all;
    query_budget budget; /* shared by every segment's iterators */
    uint64_t fresh;      /* bit g: segment g (< 64) was searched while
                            fresh (segment_fresh): its hits' heads are
                            asked for side by side */
} run;

static int keep_all(run *r, hit h, uint64_t g)
{
    topk_entry *a = mem_grow(r->all, &r->cap_all, r->n_all + 1, sizeof *a);
    if (!a)
        return MORGUE_ENOMEM;
    r->all = a;
    r->all[r->n_all++] = (topk_entry){ h, g };
    return MORGUE_OK;
}

/* Best first; ties to the earlier article, as topk orders them. */
static int by_rank(const void *x, const void *y)
{
    const topk_entry *a = x, *b = y;
    if (a->h.key != b->h.key)
        return a->h.key > b->h.key ? -1 : 1;
    return a->g < b->g ? -1 : a->g > b->g;
}

/* The article a search_extra leaves out, or one of its near-duplicates. */
static int excluded(const run *r, size_t g, uint32_t d)
{
    if (r->s->base[g] + d == r->x->exclude_doc)
        return 1;
    if (!r->x->exclude_fp)
        return 0;
    uint8_t fp[FP_BYTES];
    near_fp(r->s, g, d, fp);
    return !fp_none(fp) && fp_agree(fp, r->x->exclude_fp) >= r->x_need;
}

int budget_poll(query_budget *b)
{
    if (b->stopped)
        return 1;
    b->poll_at = b->cancel || b->deadline_ns ? b->used + BUDGET_POLL
                                              : UINT64_MAX;
    int stop = b->cancel && __atomic_load_n(b->cancel, __ATOMIC_RELAXED);
    if (!stop && b->deadline_ns) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        stop = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec >=
               b->deadline_ns;
    }
    if (stop) {
        b->stopped = 1;
        b->limit = 0;
        b->poll_at = UINT64_MAX;
    }
    return stop;
}

/* The hint for the root: the k-th best key over the most recency can
 * multiply a score by in this segment; 0 (none) until the heap is full. */
static double hint(const run *r, double boost)
{
    if (r->top.n < r->top.k)
        return 0;
    double th = topk_threshold(&r->top);
    return th > 0 ? th / boost : 0;
}

int ctx_col_slow(const score_ctx *c, int col, uint32_t doc)
{
    errmsg e;
    if (segment_col_verify(c->g, col, doc, &e) == MORGUE_OK)
        return 1;
    if (c->fault && !c->fault->rc) {
        c->fault->rc = MORGUE_ECORRUPT;
        c->fault->e = e;
    }
    return 0;
}

/* The walk's own reads of a document's columns (date filters of the
 * options, sorting, recency, facets): 0, or ECORRUPT kept in f. */
static int walk_col(const segment *seg, col_fault *f, int col, uint32_t d)
{
    if (segment_col_ready(seg, col, d))
        return 0;
    if (segment_col_verify(seg, col, d, &f->e) == MORGUE_OK)
        return 0;
    return f->rc = MORGUE_ECORRUPT;
}

/* A count of a union of words (or one word): every kid's postings as
 * bits, less the deleted documents, counted (no per-document walk). 1
 * when it does not apply: another walk must see each match. */
static int count_marked(run *r, size_t g, it *root)
{
    const segment *seg = &r->s->segs[g];
    if (!root->ops->can_mark || !root->ops->can_mark(root) || r->x ||
        r->from != INT64_MIN || r->to != INT64_MAX || r->facets.matched ||
        r->facets.langs || r->facets.date_kind != MORGUE_FACET_NONE)
        return 1;
    size_t words = ((size_t)seg->n_docs + 63) / 64;
    uint64_t *bits = calloc(words + 1, sizeof *bits);
    if (!bits)
        return MORGUE_ENOMEM;
    int rc = root->ops->mark(root, bits);
    const uint8_t *del = r->s->deleted ? r->s->deleted[g] : NULL;
    uint64_t n = 0;
    for (size_t w = 0; rc == MORGUE_OK && w < words; w++) {
        uint64_t x = bits[w];
        if (del) { /* bytes of the deletion bitmap, bit d % 8 of d / 8 */
            uint64_t dm = 0;
            size_t nb = (seg->n_docs + 7) / 8 - 8 * w;
            memcpy(&dm, del + 8 * w, nb < 8 ? nb : 8);
            x &= ~le64toh(dm);
        }
        n += (uint64_t)__builtin_popcountll(x);
    }
    free(bits);
    if (rc == MORGUE_OK)
        r->total += n;
    return rc;
}

static int walk(run *r, size_t g, it *root, col_fault *f)
{
    const segment *seg = &r->s->segs[g];
    int by_date = r->o->sort == MORGUE_SORT_DATE;
    unsigned counting = MORGUE_QUERY_COUNT | MORGUE_QUERY_COUNT_ONLY;
    int prune = !r->exhaustive && !(r->o->flags & counting);
    int count_only = (r->o->flags & MORGUE_QUERY_COUNT_ONLY) && !r->collapse;
    double boost = r->o->recency_half_life > 0
                       ? recency_factor(seg->max_date, r->now,
                                        r->o->recency_half_life)
                       : 1.0;
    if (prune)
        it_set_min(root, hint(r, boost));
    if (count_only) {
        int rc = count_marked(r, g, root);
        if (rc != 1)
            return rc;
    }
    uint32_t seen = 0;
    for (uint32_t d = it_next(root); d != IT_END; d = it_next(root)) {
        /* iterators that spend nothing (the date column) still stop */
        if (++seen % BUDGET_POLL == 0 && r->budget.poll_at != UINT64_MAX)
            budget_poll(&r->budget);
        if (searcher_deleted(r->s, g, d))
            continue;
        if (r->budget.used > r->budget.limit)
            return MORGUE_EQUERY;
        if (r->x && excluded(r, g, d))
            continue;
        if (r->from != INT64_MIN || r->to != INT64_MAX) {
            if (walk_col(seg, f, COL_DATE, d) || walk_col(seg, f, COL_DOFF, d))
                return f->rc;
            int64_t lt = segment_local_date(seg, d); /* the article's day */
            if (lt == INT64_MIN || lt < r->from || lt > r->to)
                continue;
        }
        r->total++;
        if (r->o->facet_date != MORGUE_FACET_NONE &&
            (walk_col(seg, f, COL_DATE, d) || walk_col(seg, f, COL_DOFF, d)))
            return f->rc;
        if (r->o->facet_langs && walk_col(seg, f, COL_LANG, d))
            return f->rc;
        if (facets_add(&r->facets, r->s, g, d))
            return MORGUE_ENOMEM;
        if (count_only) /* nothing scored, nothing ranked */
            continue;
        /* the date column only when it orders or weighs the hits */
        if ((by_date || r->o->recency_half_life > 0) &&
            walk_col(seg, f, COL_DATE, d))
            return f->rc;
        int64_t t = by_date || r->o->recency_half_life > 0
                        ? segment_date(seg, d) : INT64_MIN;
        double sc = it_score(root);
        if (r->o->recency_half_life > 0)
            sc *= recency_factor(t, r->now, r->o->recency_half_life);
        double key = by_date ? (t == INT64_MIN ? -INFINITY : (double)t) : sc;
        if (r->collapse) {
            if (keep_all(r, (hit){ key, sc, (uint32_t)g, d },
                         r->s->base[g] + d))
                return MORGUE_ENOMEM;
        } else if (topk_would_enter(&r->top, key)) {
            topk_push(&r->top, (hit){ key, sc, (uint32_t)g, d },
                      r->s->base[g] + d);
            if (prune)
                it_set_min(root, hint(r, boost));
        }
    }
    return f->rc ? f->rc : root->err ? root->err : MORGUE_OK;
}

/* Asks for the start of every posting list (and a phrase's positions)
 * of the tree under n in segment g before any is opened: their skip
 * tables and first blocks come in one round of reads when the segment
 * is cold, instead of a page fault after another as each is opened.
 * Only in a segment's first searches (segment_fresh). */
#define PREFETCH_LIST (64u << 10)
static void prefetch_lists(const pnode *n, const segment *seg, size_t g)
{
    int pos = n->kind == Q_PHRASE || n->kind == Q_NEAR;
    for (size_t i = 0; i < n->n_terms; i++) {
        const term_info *ti[2] = { &n->terms[i].info[g],
                                   n->terms[i].tinfo ? &n->terms[i].tinfo[g]
                                                     : NULL };
        for (int k = 0; k < 2; k++) {
            if (!ti[k] || !ti[k]->df)
                continue;
            segment_will_read(seg, seg->post + ti[k]->post_off,
                              ti[k]->post_len < PREFETCH_LIST
                                  ? ti[k]->post_len : PREFETCH_LIST);
            if (pos && seg->posn)
                segment_will_read(seg, seg->posn + ti[k]->pos_off,
                                  ti[k]->pos_len < PREFETCH_LIST
                                      ? ti[k]->pos_len : PREFETCH_LIST);
        }
    }
    for (size_t i = 0; i < n->n_kids; i++)
        prefetch_lists(n->kids[i], seg, g);
}

static int search_segment(run *r, size_t g)
{
    errmsg e;
    e.text[0] = '\0';
    const segment *seg = &r->s->segs[g];
    uint32_t max_tlen = 0;
    if (segment_fresh(seg)) { /* read while the columns are checked */
        prefetch_lists(r->p.root, seg, g);
        if (g < 64)
            r->fresh |= 1ull << g;
    }
    /* The columns are verified a page at a time as the walk reads them
     * (ctx_col, walk_col); the longest title comes from CPAG. */
    int rc = segment_max_tlen(seg, &max_tlen, &e);
    if (rc)
        return searcher_fail(r->s, rc, "%s", e.text);
    col_fault fault = { 0, { "" } };
    score_ctx c = { r->s, seg, r->o->k1, r->o->b, r->o->title_weight,
                    max_tlen, &r->budget,
                    (r->o->flags & MORGUE_QUERY_COUNT_ONLY) && !r->collapse,
                    &fault };
    it *root = plan_build(&r->p, &c, g, &e);
    rc = root ? walk(r, g, root, &fault) : MORGUE_ENOMEM;
    it_free(root);
    if (fault.rc) /* a damaged column page: never a wrong answer */
        return searcher_fail(r->s, fault.rc, "%s", fault.e.text);
    if (rc == MORGUE_EQUERY && r->budget.stopped)
        return searcher_fail(r->s, MORGUE_ECANCELED, "search stopped: %s",
                             r->budget.cancel &&
                             __atomic_load_n(r->budget.cancel,
                                             __ATOMIC_RELAXED)
                                 ? "the cancel flag was set"
                                 : "the timeout passed");
    if (rc == MORGUE_EQUERY)
        return searcher_fail(r->s, rc, "query too costly: it needs more "
                             "than %llu steps (postings decoded and matched; "
                             "the limit); make it narrower: fewer common "
                             "words, shorter phrases",
                             (unsigned long long)r->budget.limit);
    if (rc == MORGUE_ECORRUPT)
        return searcher_fail(r->s, rc, "segment %016llx: corrupt postings%s%s",
                             (unsigned long long)r->s->segs[g].id,
                             e.text[0] ? ": " : "", e.text);
    return rc ? searcher_fail(r->s, rc, "out of memory") : MORGUE_OK;
}

static int make_hits(run *r, morgue_hits **out)
{
    morgue_hits *h = calloc(1, sizeof *h);
    if (!h)
        return MORGUE_ENOMEM;
    h->s = r->s;
    if (r->x && r->x->collect) {
        h->hits = malloc(1); /* the matches go to the caller instead */
        h->n_hits = 0;
    } else if (r->collapse) {
        qsort(r->all, r->n_all, sizeof *r->all, by_rank);
        double sim = r->o->collapse_similarity > 0 &&
                             r->o->collapse_similarity <= 1
                         ? r->o->collapse_similarity
                         : MORGUE_DEFAULT_SIMILARITY;
        if (collapse_hits(r->s, r->all, r->n_all, sim,
                          r->o->offset + r->o->limit, h)) {
            morgue_hits_free(h);
            return MORGUE_ENOMEM;
        }
    } else {
        h->hits = topk_take(&r->top, &h->n_hits);
    }
    h->next = r->o->offset;
    /* a cold segment: the heads the caller reads next, asked for at once
     * instead of one page fault after another (their block index entries
     * first, then the blocks they name) */
    for (size_t i = h->next; r->fresh && i < h->n_hits; i++)
        if (h->hits[i].seg < 64 && (r->fresh >> h->hits[i].seg & 1))
            docstore_prefetch_head_index(&r->s->segs[h->hits[i].seg],
                                         h->hits[i].doc);
    for (size_t i = h->next; r->fresh && i < h->n_hits; i++)
        if (h->hits[i].seg < 64 && (r->fresh >> h->hits[i].seg & 1)) {
            const segment *g = &r->s->segs[h->hits[i].seg];
            docstore_prefetch_head(g, h->hits[i].doc);
            /* the date pages morgue_hits_next() verifies */
            segment_will_read_col(g, COL_DATE, h->hits[i].doc);
            segment_will_read_col(g, COL_DOFF, h->hits[i].doc);
        }
    if (r->o->flags & MORGUE_QUERY_COUNT_ONLY) /* folded stories counted */
        h->next = h->n_hits + 1;               /* but none returned */
    h->total = r->total;
    h->total_exact = r->exhaustive ||
                     (r->o->flags & (MORGUE_QUERY_COUNT |
                                     MORGUE_QUERY_COUNT_ONLY));
    h->terms = r->p.hl;
    h->n_terms = r->p.n_hl;
    r->p.hl = NULL;
    h->exps = r->p.exps;
    h->n_exps = r->p.n_exps;
    r->p.exps = NULL;
    r->p.n_exps = 0;
    r->p.n_hl = 0;
    h->opts = *r->o;
    h->hl_open = strdup(r->o->hl_open ? r->o->hl_open : "<b>");
    h->hl_close = strdup(r->o->hl_close ? r->o->hl_close : "</b>");
    int rc = h->hits && h->hl_open && h->hl_close ? MORGUE_OK
                                                  : MORGUE_ENOMEM;
    if (rc == MORGUE_OK)
        rc = facets_finish(&r->facets, r->s, r->o, h);
    if (rc != MORGUE_OK) {
        morgue_hits_free(h);
        return rc;
    }
    *out = h;
    return MORGUE_OK;
}

/* Byte offset of the first byte of (s, n) that starts no valid UTF-8
 * sequence, or n. */
static size_t first_invalid(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t l = utf8_seq_len((const unsigned char *)s + i, n - i);
        if (l == 0)
            return i;
        i += l;
    }
    return n;
}

int searcher_parse(morgue_searcher *s, const char *query, unsigned opt_flags,
                   int64_t now, qnode **q)
{
    char msg[256];
    size_t at = 0;
    /* Invalid UTF-8 is refused, not repaired: a query means what its
     * bytes say, and a caller echoing it back (JSON) needs it valid. */
    size_t len = strnlen(query, MORGUE_QUERY_MAX_BYTES + 1);
    if (len > MORGUE_QUERY_MAX_BYTES)
        return searcher_fail(s, MORGUE_EQUERY, "query error at column "
                             "%d: the query is longer than %d bytes (the "
                             "limit)", MORGUE_QUERY_MAX_BYTES + 1,
                             MORGUE_QUERY_MAX_BYTES);
    /* Natural language reads any bytes (the tokenizer skips what is not
     * UTF-8), as it reads any syntax. */
    unsigned flags = (opt_flags & MORGUE_QUERY_NATURAL) ? QUERY_NATURAL : 0;
    size_t bad = flags ? len : first_invalid(query, len);
    if (bad < len)
        return searcher_fail(s, MORGUE_EQUERY, "query error at column "
                             "%zu: invalid UTF-8 (byte 0x%02x)", bad + 1,
                             (unsigned char)query[bad]);
    int rc = query_parse_at(query, flags, now, q, msg, sizeof msg, &at);
    /* strict language only: natural language does not fail on syntax */
    if (rc == MORGUE_EQUERY && strstr(msg, "column")) /* said already */
        return searcher_fail(s, rc, "query error: %s (to search for "
                             "these words as plain text, use "
                             "natural-language mode)", msg);
    if (rc == MORGUE_EQUERY)
        return searcher_fail(s, rc, "query error at column %zu: %s "
                             "(to search for these words as plain text, "
                             "use natural-language mode)",
                             at + 1, msg);
    if (rc)
        return searcher_fail(s, rc, "out of memory");
    /* the shape check of the local and the cluster searcher alike */
    if ((rc = query_check(*q, msg, sizeof msg, &at)) != MORGUE_OK) {
        query_free(*q);
        *q = NULL;
        return searcher_fail(s, rc, "%s", msg);
    }
    return MORGUE_OK;
}

static int parse(run *r, const char *query, qnode **q)
{
    return searcher_parse(r->s, query, r->o->flags, r->now, q);
}

/* MORGUE_QUERY_EXPAND: the query's first run, its best answers read by
 * expand_plan (expand.c) into r's plan. */
static int feedback(run *r, const char *query)
{
    morgue_query_opts o = *r->o;
    o.flags &= ~(unsigned)(MORGUE_QUERY_EXPAND | MORGUE_QUERY_COUNT |
                           MORGUE_QUERY_COUNT_ONLY | MORGUE_QUERY_COLLAPSE);
    o.limit = 10;
    o.offset = 0;
    o.sort = MORGUE_SORT_RELEVANCE;
    o.facet_date = MORGUE_FACET_NONE;
    o.facet_sources = o.facet_tags = 0;
    o.no_snippets = 1;
    morgue_hits *fb = NULL;
    int rc = morgue_search(r->s, query, &o, &fb);
    if (rc == MORGUE_OK)
        rc = expand_plan(&r->p, r->s, fb);
    morgue_hits_free(fb);
    return rc;
}

MORGUE_API int morgue_search(morgue_searcher *s, const char *query,
                             const morgue_query_opts *opts,
                             morgue_hits **out)
{
    return search_exec(s, query, opts, NULL, out);
}

int search_exec(morgue_searcher *s, const char *query,
                const morgue_query_opts *opts, search_extra *x,
                morgue_hits **out)
{
    if (!out)
        return MORGUE_EINVAL;
    *out = NULL;
    if (!s || !query)
        return s ? searcher_fail(s, MORGUE_EINVAL, "no query") : MORGUE_EINVAL;
    morgue_query_opts o;
    if (!searcher_resolve_opts(opts, &o))
        return searcher_fail(s, MORGUE_EINVAL, "unknown morgue_query_opts "
                             "version %u", opts->version);
    if (s->remote && x)
        return searcher_fail(s, MORGUE_EINVAL, "not available on a cluster");
    if (s->remote)
        return s->remote->search(s, query, &o, out);
    run r = { .s = s, .o = &o, .x = x };
    r.budget.limit = MORGUE_QUERY_MAX_WORK;
    r.now = o.now != MORGUE_NO_DATE ? o.now : (int64_t)time(NULL);
    if (!(o.recency_half_life >= 0) || !isfinite(o.recency_half_life))
        return searcher_fail(s, MORGUE_EINVAL, "the recency half-life must "
                             "be a positive number of seconds");
    if (x)
        r.x_need = fp_agree_needed(x->exclude_similarity > 0
                                       ? x->exclude_similarity
                                       : MORGUE_DEFAULT_SIMILARITY);
    r.budget.cancel = o.cancel;
    if (o.timeout_ms) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        r.budget.deadline_ns = (int64_t)now.tv_sec * 1000000000 +
                               now.tv_nsec + (int64_t)o.timeout_ms * 1000000;
    }
    r.budget.poll_at = 0; /* a flag already set stops before any work */
    r.from = o.date_from == MORGUE_NO_DATE ? INT64_MIN : o.date_from;
    r.to = o.date_to == MORGUE_NO_DATE ? INT64_MAX : o.date_to;
    r.collapse = (o.flags & MORGUE_QUERY_COLLAPSE) || (x && x->collect);
    r.exhaustive = (o.flags & SEARCH_EXHAUSTIVE) || r.collapse || x ||
                   o.sort == MORGUE_SORT_DATE ||
                   o.facet_date != MORGUE_FACET_NONE || o.facet_sources ||
                   o.facet_tags || o.facet_langs;
    qnode *q = NULL;
    int rc = parse(&r, query, &q);
    {
        unsigned pf = (o.no_synonyms ? 0 : PLAN_SYNONYMS) |
                      ((o.flags & MORGUE_QUERY_COUNT_ONLY) && !r.collapse
                           ? PLAN_COUNT : 0);
        /* a fresh (likely cold) segment: the lookups' blocks asked for
         * side by side first, by a plan made for that alone */
        int fresh = 0;
        for (size_t g = 0; g < s->n_segs && !fresh; g++)
            fresh = segment_is_fresh(&s->segs[g]);
        plan dry;
        if (rc == MORGUE_OK && fresh &&
            plan_make(&dry, s, q, pf | PLAN_PREFETCH) == MORGUE_OK)
            plan_free(&dry);
        if (rc == MORGUE_OK)
            rc = plan_make(&r.p, s, q, pf);
    }
    if (rc == MORGUE_OK)
        plan_hoist_dates(&r.p, &r.from, &r.to);
    query_free(q);
    if (rc == MORGUE_OK && (o.flags & MORGUE_QUERY_EXPAND) &&
        (o.flags & MORGUE_QUERY_NATURAL) && r.p.root)
        rc = feedback(&r, query);
    /* folding and near-duplicate exclusion read the fingerprints */
    if (rc == MORGUE_OK && (r.collapse || (x && x->exclude_fp)))
        rc = near_ready(s);
    if (rc != MORGUE_OK) {
        plan_free(&r.p);
        return rc;
    }
    /* Saturated: a caller's limit of SIZE_MAX means every hit. */
    /* counting only: a heap that takes nothing */
    size_t k = (o.flags & MORGUE_QUERY_COUNT_ONLY) ? 0
                                                   : mem_add_sat(o.offset,
                                                                 o.limit);
    if (topk_init(&r.top, k) ||
        facets_init(&r.facets, s, &o))
        rc = searcher_fail(s, MORGUE_ENOMEM, "out of memory");
    /* no root: nothing left to search */
    for (size_t g = 0; rc == MORGUE_OK && r.p.root && g < s->n_segs; g++) {
        if (r.budget.poll_at != UINT64_MAX && budget_poll(&r.budget))
            rc = searcher_fail(s, MORGUE_ECANCELED, "search stopped: %s",
                               o.cancel && __atomic_load_n(o.cancel,
                                                           __ATOMIC_RELAXED)
                                   ? "the cancel flag was set"
                                   : "the timeout passed");
        else
            rc = search_segment(&r, g);
    }
    if (rc == MORGUE_OK && r.top.oom)
        rc = searcher_fail(s, MORGUE_ENOMEM, "out of memory");
    if (rc == MORGUE_OK && make_hits(&r, out))
        rc = searcher_fail(s, MORGUE_ENOMEM, "out of memory");
    topk_free(&r.top);
    if (rc == MORGUE_OK && x && x->collect) {
        x->all = r.all; /* handed over */
        x->n_all = r.n_all;
        r.all = NULL;
    }
    free(r.all);
    facets_free(&r.facets);
    plan_free(&r.p);
    return rc;
}
