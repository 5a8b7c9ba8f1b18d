/* search.c: morgue_search(): analyses the query, evaluates the
 * conjunction of its stems segment by segment, scores by BM25 over title
 * and body with a title bonus, and keeps the top k. */
#include <stdlib.h>
#include <string.h>

#include "index/postings.h"
#include "searcher/bm25.h"
#include "searcher/searcher.h"
#include "searcher/topk.h"
#include "text/stem.h"
#include "text/tokenize.h"

/* Per query term and segment: where its stem and title-stem postings are. */
typedef struct seg_term_info {
    int found, title_found;
    term_info body, title;
} seg_term_info;

typedef struct plan {
    query_term *terms;
    size_t n_terms;
    seg_term_info *info;  /* n_segs * n_terms */
    double *idf, *title_idf;
    double k1, b, title_weight;
} plan;

static void plan_free(plan *p)
{
    for (size_t i = 0; i < p->n_terms; i++)
        free(p->terms[i].stem);
    free(p->terms);
    free(p->info);
    free(p->idf);
    free(p->title_idf);
}

static int add_stem(plan *p, const char *st, size_t n)
{
    for (size_t i = 0; i < p->n_terms; i++)
        if (strlen(p->terms[i].stem) == n && !memcmp(p->terms[i].stem, st, n))
            return MORGUE_OK;
    query_term *t = realloc(p->terms, (p->n_terms + 1) * sizeof *t);
    if (!t)
        return MORGUE_ENOMEM;
    p->terms = t;
    char *copy = malloc(n + 1);
    if (!copy)
        return MORGUE_ENOMEM;
    memcpy(copy, st, n);
    copy[n] = '\0';
    p->terms[p->n_terms].stem = copy;
    p->terms[p->n_terms].weight = 0;
    p->n_terms++;
    return MORGUE_OK;
}

static int analyse(morgue_searcher *s, const char *query, plan *p)
{
    stemmer *st;
    int rc = stemmer_new(&st, s->man.language);
    if (rc)
        return searcher_fail(s, rc, "cannot create the '%s' stemmer",
                             s->man.language);
    tokenizer tk;
    token tok;
    tokenizer_init(&tk, query, strlen(query));
    while (rc == MORGUE_OK && tokenizer_next(&tk, &tok)) {
        size_t n;
        const char *stem = stemmer_stem(st, tok.term, tok.len, &n);
        rc = stem ? add_stem(p, stem, n) : MORGUE_ENOMEM;
    }
    stemmer_free(st);
    if (rc)
        return searcher_fail(s, rc, "out of memory");
    if (p->n_terms == 0)
        return searcher_fail(s, MORGUE_EQUERY,
                             "the query has no words to search for");
    return MORGUE_OK;
}

/* Looks every term up in every segment and computes global idfs. */
static int lookup(morgue_searcher *s, plan *p)
{
    size_t n = p->n_terms;
    p->info = calloc(s->n_segs * n + 1, sizeof *p->info);
    p->idf = calloc(n, sizeof *p->idf);
    p->title_idf = calloc(n, sizeof *p->title_idf);
    if (!p->info || !p->idf || !p->title_idf)
        return searcher_fail(s, MORGUE_ENOMEM, "out of memory");
    errmsg e;
    char key[MAX_KEY];
    for (size_t t = 0; t < n; t++) {
        size_t len = strlen(p->terms[t].stem);
        if (len > MAX_KEY - 1)
            len = MAX_KEY - 1;
        memcpy(key + 1, p->terms[t].stem, len);
        uint64_t df = 0, tdf = 0;
        for (size_t g = 0; g < s->n_segs; g++) {
            seg_term_info *si = &p->info[g * n + t];
            key[0] = NS_STEM;
            int rc = termdict_find(&s->segs[g], key, len + 1, &si->body, &e);
            key[0] = NS_TITLE;
            int rc2 = rc < 0 ? rc : termdict_find(&s->segs[g], key, len + 1,
                                                  &si->title, &e);
            if (rc < 0 || rc2 < 0)
                return searcher_fail(s, MORGUE_ECORRUPT, "%s", e.text);
            si->found = rc;
            si->title_found = rc2;
            df += rc ? si->body.df : 0;
            tdf += rc2 ? si->title.df : 0;
        }
        p->idf[t] = bm25_idf(s->n_docs, df);
        p->title_idf[t] = bm25_idf(s->n_docs, tdf);
        p->terms[t].weight = p->idf[t];
    }
    return MORGUE_OK;
}

/* One term's cursors in the segment being evaluated. */
typedef struct cursor {
    postings body, title;
    int has_title;
    size_t term;
} cursor;

static int by_df(const void *a, const void *b)
{
    const cursor *x = a, *y = b;
    return (x->body.df > y->body.df) - (x->body.df < y->body.df);
}

static double score_doc(const morgue_searcher *s, const segment *g,
                        const plan *p, cursor *c, size_t n, uint32_t doc)
{
    double dl = segment_dlen(g, doc), tl = segment_tlen(g, doc);
    double score = 0;
    for (size_t i = 0; i < n; i++) {
        score += p->idf[c[i].term] * bm25_tf(postings_tf(&c[i].body), dl,
                                             s->avg_len, p->k1, p->b);
        if (c[i].has_title && postings_advance(&c[i].title, doc) == doc)
            score += p->title_weight * p->title_idf[c[i].term] *
                     bm25_tf(postings_tf(&c[i].title), tl, s->avg_tlen,
                             p->k1, p->b);
    }
    return score;
}

/* Leapfrog intersection over the cursors, rarest first. */
static int eval_and(const morgue_searcher *s, size_t gi, const plan *p,
                    cursor *c, size_t n, topk *top, uint64_t *total)
{
    const segment *g = &s->segs[gi];
    qsort(c, n, sizeof *c, by_df);
    uint32_t doc = postings_next(&c[0].body);
    while (doc != POSTINGS_END) {
        size_t i = 1;
        for (; i < n; i++) {
            uint32_t d = postings_advance(&c[i].body, doc);
            if (d != doc) {
                doc = d == POSTINGS_END ? d
                                        : postings_advance(&c[0].body, d);
                break;
            }
        }
        if (i < n)
            continue;
        if (searcher_deleted(s, gi, doc)) {
            doc = postings_next(&c[0].body);
            continue;
        }
        (*total)++;
        double sc = score_doc(s, g, p, c, n, doc);
        if (topk_would_enter(top, sc))
            topk_push(top, (hit){ sc, (uint32_t)gi, doc }, s->base[gi] + doc);
        doc = postings_next(&c[0].body);
    }
    for (size_t i = 0; i < n; i++)
        if (c[i].body.err || c[i].title.err)
            return MORGUE_ECORRUPT;
    return MORGUE_OK;
}

static int eval_segment(morgue_searcher *s, size_t gi, const plan *p,
                        topk *top, uint64_t *total)
{
    size_t n = p->n_terms;
    const seg_term_info *info = &p->info[gi * n];
    for (size_t t = 0; t < n; t++)
        if (!info[t].found)
            return MORGUE_OK; /* a word is missing: nothing matches here */
    cursor *c = calloc(n, sizeof *c);
    if (!c)
        return searcher_fail(s, MORGUE_ENOMEM, "out of memory");
    errmsg e;
    int rc = MORGUE_OK;
    size_t opened = 0;
    for (; opened < n && rc == MORGUE_OK; opened++) {
        cursor *cu = &c[opened];
        cu->term = opened;
        rc = postings_open(&cu->body, &s->segs[gi], &info[opened].body, &e);
        if (rc == MORGUE_OK && info[opened].title_found) {
            rc = postings_open(&cu->title, &s->segs[gi], &info[opened].title,
                               &e);
            cu->has_title = rc == MORGUE_OK;
        }
    }
    if (rc == MORGUE_OK)
        rc = eval_and(s, gi, p, c, n, top, total);
    for (size_t i = 0; i < opened; i++) {
        postings_close(&c[i].body);
        postings_close(&c[i].title);
    }
    free(c);
    if (rc == MORGUE_ECORRUPT)
        return searcher_fail(s, rc, "segment %zu: corrupt postings", gi);
    return rc ? searcher_fail(s, rc, "%s", e.text) : MORGUE_OK;
}

static morgue_query_opts resolve_opts(const morgue_query_opts *o)
{
    morgue_query_opts r = MORGUE_QUERY_OPTS_INIT;
    if (o && o->version == MORGUE_QUERY_OPTS_VERSION)
        r = *o;
    if (r.limit == 0)
        r.limit = 10;
    if (r.k1 <= 0)
        r.k1 = 1.2;
    if (r.b < 0 || r.b > 1)
        r.b = 0.75;
    if (r.title_weight <= 0)
        r.title_weight = 2.0;
    if (r.snippet_chars == 0)
        r.snippet_chars = 200;
    return r;
}

static char *dup_or(const char *s, const char *def)
{
    return strdup(s ? s : def);
}

MORGUE_API int morgue_search(morgue_searcher *s, const char *query,
                             const morgue_query_opts *opts,
                             morgue_hits **out)
{
    *out = NULL;
    if (!s || !query)
        return MORGUE_EINVAL;
    morgue_query_opts o = resolve_opts(opts);
    plan p = { 0 };
    p.k1 = o.k1;
    p.b = o.b;
    p.title_weight = o.title_weight;
    int rc = analyse(s, query, &p);
    if (rc == MORGUE_OK)
        rc = lookup(s, &p);
    topk top = { 0 };
    if (rc == MORGUE_OK && topk_init(&top, o.offset + o.limit))
        rc = searcher_fail(s, MORGUE_ENOMEM, "out of memory");
    uint64_t total = 0;
    for (size_t g = 0; rc == MORGUE_OK && g < s->n_segs; g++)
        rc = eval_segment(s, g, &p, &top, &total);
    morgue_hits *h = rc ? NULL : calloc(1, sizeof *h);
    if (rc == MORGUE_OK && !h)
        rc = searcher_fail(s, MORGUE_ENOMEM, "out of memory");
    if (rc == MORGUE_OK) {
        h->s = s;
        h->hits = topk_take(&top, &h->n_hits);
        h->next = o.offset;
        h->total = total;
        h->terms = p.terms;
        h->n_terms = p.n_terms;
        p.terms = NULL;
        p.n_terms = 0;
        h->opts = o;
        h->hl_open = dup_or(o.hl_open, "<b>");
        h->hl_close = dup_or(o.hl_close, "</b>");
        if (!h->hits || !h->hl_open || !h->hl_close) {
            morgue_hits_free(h);
            h = NULL;
            rc = searcher_fail(s, MORGUE_ENOMEM, "out of memory");
        }
    }
    topk_free(&top);
    plan_free(&p);
    *out = h;
    return rc;
}
