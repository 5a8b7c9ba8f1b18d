/* search.c: morgue_searcher_open_cluster(): the same searcher and hits
 * calls over a cluster. A search parses the query with morgue's parser
 * (so errors are morgue's), translates the tree (translate.h) and sends
 * one batch of statements to the head: the ranked page, then one GROUP
 * BY per facet asked, each followed by SHOW META, whose "warning" says
 * which shard did not answer. Hits are given whole (stored fields come
 * back as string attributes) and snippets are made here by morgue's own
 * snippet code, from the stored body. */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cluster/conf.h"
#include "cluster/rerank.h"
#include "cluster/row.h"
#include "cluster/sql.h"
#include "cluster/translate.h"
#include "searcher/query.h"
#include "searcher/recency.h"
#include "searcher/searcher.h"
#include "text/stem.h"
#include "util/apiver.h"

#define IDLE_MAX 8
#define FACET_ROWS 100000 /* groups fetched per facet (days of 270 years) */

typedef struct cstate {
    cluster_conf conf;
    pthread_mutex_t mu;
    MYSQL *idle[IDLE_MAX]; /* connections to the head, not in use */
    size_t n_idle;
    /* N and mean lengths for rerank.h: read by the first ranked search
     * and again every STATS_EVERY searches (a full scan of the
     * attributes; the searches between use what it found), under mu */
    clu_stats cs;
    unsigned cs_age;    /* searches since read; 0: never read */
} cstate;

#define STATS_EVERY 256

static cstate *state(morgue_searcher *s) { return s->remote_ctx; }

static int get_conn(morgue_searcher *s, MYSQL **out)
{
    cstate *c = state(s);
    pthread_mutex_lock(&c->mu);
    *out = c->n_idle ? c->idle[--c->n_idle] : NULL;
    pthread_mutex_unlock(&c->mu);
    if (*out)
        return MORGUE_OK;
    char who[256];
    snprintf(who, sizeof who, "cluster head %s at %s:%u", c->conf.head.name,
             c->conf.head.host, c->conf.head.sql_port);
    errmsg e;
    int rc = sql_connect(out, c->conf.head.host, c->conf.head.sql_port, 30,
                         who, &e);
    return rc ? searcher_fail(s, rc, "%s", e.text) : MORGUE_OK;
}

static void put_conn(morgue_searcher *s, MYSQL *m, int ok)
{
    cstate *c = state(s);
    if (ok) {
        pthread_mutex_lock(&c->mu);
        if (c->n_idle < IDLE_MAX) {
            c->idle[c->n_idle++] = m;
            m = NULL;
        }
        pthread_mutex_unlock(&c->mu);
    }
    if (m)
        mysql_close(m);
}

/* ---- one batch of statements and its results ---- */

typedef struct batch {
    morgue_searcher *s;
    MYSQL *m;
    buf warnings;       /* from SHOW META, one line each */
    int partial;
    kw_stats kw;        /* the ranked query's keywords and their df */
} batch;

static int fail_sql(batch *b, const char *what)
{
    return searcher_fail(b->s, MORGUE_EIO, "cluster %s: %s", what,
                         mysql_error(b->m));
}

/* The next result set (NULL and *rc set on error). */
static MYSQL_RES *next_result(batch *b, int first, int *rc)
{
    if (!first) {
        int st = mysql_next_result(b->m);
        if (st != 0) {
            *rc = fail_sql(b, st > 0 ? "query" : "answer ended early");
            return NULL;
        }
    }
    MYSQL_RES *r = mysql_store_result(b->m);
    if (!r)
        *rc = fail_sql(b, "query");
    return r;
}

/* keyword[i] or docs[i] of SHOW META into the batch's kw. */
static void read_kw(batch *b, const char *name, const char *value)
{
    int is_word = !strncmp(name, "keyword[", 8);
    if (!is_word && strncmp(name, "docs[", 5))
        return;
    size_t i = strtoul(strchr(name, '[') + 1, NULL, 10);
    kw_stats *k = &b->kw;
    if (i >= 4096) /* MORGUE_QUERY_MAX_TERMS bounds the query's */
        return;
    if (i >= k->n) {
        char **w = realloc(k->word, (i + 1) * sizeof *w);
        if (w)
            k->word = w;
        uint64_t *d = w ? realloc(k->docs, (i + 1) * sizeof *d) : NULL;
        if (!d)
            return; /* then that word's df is unknown: 1 */
        k->docs = d;
        for (size_t j = k->n; j <= i; j++) {
            k->word[j] = NULL;
            k->docs[j] = 0;
        }
        k->n = i + 1;
    }
    if (is_word && !k->word[i])
        k->word[i] = strdup(value);
    else if (!is_word)
        k->docs[i] = strtoull(value, NULL, 10);
}

/* Reads a SHOW META result: total_found into *total (and then the
 * keywords' df into the batch), a warning into the batch. */
static void read_meta(batch *b, MYSQL_RES *r, uint64_t *total)
{
    MYSQL_ROW row;
    while ((row = mysql_fetch_row(r))) {
        if (!row[0] || !row[1])
            continue;
        if (total)
            read_kw(b, row[0], row[1]);
        if (!strcmp(row[0], "total_found") && total)
            *total = strtoull(row[1], NULL, 10);
        else if (!strcmp(row[0], "warning") && row[1][0]) {
            b->partial = 1;
            if (!strstr(b->warnings.ptr ? buf_cstr(&b->warnings) : "",
                        row[1])) {
                buf_puts(&b->warnings, row[1]);
                buf_putc(&b->warnings, '\n');
            }
        }
    }
    mysql_free_result(r);
}

/* Drains what is left of a batch after an error, so the connection can
 * be dropped cleanly. */
static void drain(MYSQL *m)
{
    while (mysql_next_result(m) == 0) {
        MYSQL_RES *r = mysql_store_result(m);
        if (r)
            mysql_free_result(r);
    }
}

/* ---- building the statements ---- */

static void where_match(buf *q, const translation *t, const buf *match,
                        const char *extra)
{
    int any = 0;
    if (match->len) {
        buf_puts(q, " WHERE MATCH(");
        sql_quote(q, match->ptr, match->len);
        buf_putc(q, ')');
        any = 1;
    }
    if (t->from != INT64_MIN || t->to != INT64_MAX) {
        /* INT64_MIN is "no date": never inside a range */
        int64_t lo = t->from == INT64_MIN ? INT64_MIN + 1 : t->from;
        /* the article's own clock, as the local date filters */
        buf_printf(q, "%s ldate BETWEEN %" PRId64 " AND %" PRId64,
                   any ? " AND" : " WHERE", lo, t->to);
        any = 1;
    }
    if (extra)
        buf_printf(q, "%s %s", any ? " AND" : " WHERE", extra);
}

static void where(buf *q, const translation *t, const char *extra)
{
    where_match(q, t, &t->match, extra);
}

/* OPTION ranker and field weights for the ranked query: morgue's BM25F
 * worked out by searchd over every match, as closely as its factors
 * allow, so that the window of candidates (rerank.h scores them again
 * exactly) holds the local top k even among tens of thousands of
 * matches. Not bm25f(): Sphinx 2.2.11's divides by mean field lengths
 * that an RT index leaves at 0 (every document then weighs 0.5 in the RAM
 * chunk, 0 or NaN in a disk chunk); the cluster's means (cs) are written
 * into the expression instead, and the per-document lengths are the
 * index_field_lengths attributes. Fields are told apart by their weights
 * (ss 1, ts 2, tb 3, ti 4; the weights scale nothing). Per field, the
 * stems' tf_idf (sum of hits times idf) over the field's length norm,
 * the title's times title_weight, summed over ss and ts, is the sum of
 * idf_w * x_w, x_w being morgue's BM25F pseudo-frequency of word w
 * (exactly, the body and title being separate fields); divided by I, the
 * idf of the stems matched (the larger field's), it is their idf-weighted
 * mean x, saturated once: for one word, morgue's x (k1 + 1) / (k1 + x)
 * exactly, but for the idf. Sphinx's idf is not the shard's: each RT
 * chunk scales it by its own size (on 10x Reuters, the RAM chunk's were
 * 1.6 times the disk chunk's for the same word), so a weight times I
 * puts the newest articles first. Times I only for an OR (by_idf), where
 * which words an article holds decides (without it, overlap@10 0.09 for
 * OR queries at 10x); otherwise the saturated mean alone (AND: every
 * article holds every word). Phrase fields (tb, ti) add a BM25 of their
 * words' mean hits over the article's whole length. */
static void ranker_expr(buf *q, const morgue_query_opts *o,
                        const clu_stats *cs, int by_idf)
{
    double avg = cs->avg_len > 0 ? cs->avg_len : 1.0;
    double avg_t = cs->avg_tlen > 0 ? cs->avg_tlen : 1.0;
    double avg_b = avg - cs->avg_tlen > 0 ? avg - cs->avg_tlen : 1.0;
    double k1 = o->k1, b = o->b;
    char x[512], idf[64];
    snprintf(idf, sizeof idf, "top(IF(user_weight<3,sum_idf,0))");
    snprintf(x, sizeof x,
             "sum(IF(user_weight==1,tf_idf/(%.4f+%.4f*ss_len/%.4f),"
             "IF(user_weight==2,%.4f*tf_idf/(%.4f+%.4f*ts_len/%.4f),0)))/%s",
             1.0 - b, b, avg_b, o->title_weight, 1.0 - b, b, avg_t, idf);
    buf_printf(q, ", ranker=expr('1000*(IF(%s>0,%s*(%s)*%.4f/(%.4f+%s),0)+"
                  "sum(IF(user_weight>2,sum_idf*hit_count*%.4f/(hit_count+"
                  "word_count*%.4f*(%.4f+%.4f*(ss_len+ts_len)/%.4f)),0)))",
               idf, by_idf ? idf : "1", x, k1 + 1.0, k1, x, k1 + 1.0, k1, 1.0 - b, b, avg);
    if (o->recency_half_life > 0) /* recency.h's factor, undated 1/2 */
        buf_printf(q, "*IF(date<-9000000000000000000,0.5,0.5*(1+EXP(-0.6931"
                      "47*IF(date>=%" PRId64 ",0,%" PRId64 "-date)/%.1f)))",
                   o->now, o->now, o->recency_half_life);
    buf_puts(q, "'), field_weights=(ss=1,ts=2,tb=3,ti=4), "
                "idf='plain,tfidf_unnormalized'");
}

/* The ranked page; with window > 0 the first window matches instead
 * (rerank.h chooses the page among them). */
#define RANKED_COLUMNS "SELECT id, WEIGHT() AS w, date, sid, url, title, " \
                       "source, tags, body, doff FROM " CLUSTER_INDEX

/* The best of an OR's all-of match (translate.h match_all), ranked as an
 * AND, added to the window: an OR's ranking weighs the idf of the words
 * an article holds against how often it says them, and the articles
 * holding every word with a middling frequency fell outside the window
 * (at 10x, 30 of the 600 local top-10 places of OR queries). */
#define ALL_OF_WINDOW 50

static void ranked(buf *q, const translation *t, const morgue_query_opts *o,
                   size_t window, const clu_stats *cs)
{
    buf_puts(q, RANKED_COLUMNS);
    where(q, t, NULL);
    buf_puts(q, o->sort == MORGUE_SORT_DATE
                    ? " ORDER BY date DESC, w DESC, id ASC"
                    : " ORDER BY w DESC, id ASC");
    size_t want = window ? window : o->offset + o->limit;
    if (window)
        buf_printf(q, " LIMIT 0, %zu", window);
    else
        buf_printf(q, " LIMIT %zu, %zu", o->offset, o->limit);
    buf_printf(q, " OPTION max_matches=%zu", want > 1000 ? want : 1000);
    ranker_expr(q, o, cs, t->scored_or);
    buf_puts(q, "; SHOW META");
    if (window && t->scored_or && t->match_all.len) {
        buf_puts(q, "; " RANKED_COLUMNS);
        where_match(q, t, &t->match_all, NULL);
        buf_printf(q, " ORDER BY w DESC, id ASC LIMIT 0, %d OPTION "
                      "max_matches=1000", ALL_OF_WINDOW);
        ranker_expr(q, o, cs, 0);
        buf_puts(q, "; SHOW META");
    }
}

static void facet(buf *q, const translation *t, const char *select,
                  const char *by, const char *extra)
{
    buf_printf(q, "; SELECT COUNT(*) AS c, %s FROM " CLUSTER_INDEX, select);
    where(q, t, extra);
    buf_printf(q, " GROUP BY %s LIMIT %d OPTION max_matches=%d, "
                  "ranker=none; SHOW META", by, FACET_ROWS, FACET_ROWS);
}

/* ---- reading the answers ---- */

typedef struct fv {
    char *value;        /* folded value, or the date key as text */
    char *shown;        /* as written in a matching article, or NULL */
    uint64_t count;
    unsigned long key;  /* date facets: yr, ym or dy */
} fv;

static int by_count(const void *a, const void *b)
{
    const fv *x = a, *y = b;
    if (x->count != y->count)
        return x->count < y->count ? 1 : -1;
    return strcmp(x->value, y->value);
}

static int by_key(const void *a, const void *b)
{
    const fv *x = a, *y = b;
    return (x->key > y->key) - (x->key < y->key);
}

static void date_text(char *out, size_t cap, unsigned long k, int date_kind)
{
    if (date_kind == MORGUE_FACET_YEAR)
        snprintf(out, cap, "%04lu", k);
    else if (date_kind == MORGUE_FACET_MONTH)
        snprintf(out, cap, "%04lu-%02lu", k / 100, k % 100);
    else
        snprintf(out, cap, "%04lu-%02lu-%02lu", k / 10000, k / 100 % 100,
                 k % 100);
}

/* Stores n values as facet kind of h: the top ones by count (ties by the
 * folded value) for sources and tags, shown as written; calendar order for
 * dates. */
static int set_facets(morgue_hits *h, int kind, fv *v, size_t n, size_t top)
{
    if (kind != MORGUE_FACET_KIND_DATE) {
        qsort(v, n, sizeof *v, by_count);
        if (n > top)
            n = top;
    }
    morgue_facet *f = calloc(n + 1, sizeof *f);
    int rc = f ? MORGUE_OK : MORGUE_ENOMEM;
    for (size_t i = 0; f && i < n; i++) {
        f[i].value = (const char *)(uintptr_t)h->facet_text.len;
        f[i].count = v[i].count;
        buf_puts(&h->facet_text, v[i].shown ? v[i].shown : v[i].value);
        buf_putc(&h->facet_text, '\0');
    }
    h->facets[kind] = f;
    h->n_facets[kind] = f ? n : 0;
    return h->facet_text.oom ? MORGUE_ENOMEM : rc;
}

/* As the local searcher does: years and months between two that have
 * matches are listed with count 0 (over at most GAP_FILL periods). */
#define GAP_FILL 2400

static long period_no(unsigned long k, int date_kind)
{
    return date_kind == MORGUE_FACET_YEAR ? (long)k
                                          : (long)(k / 100) * 12 +
                                                (long)(k % 100) - 1;
}

static int fill_gaps(fv **pv, size_t *pn, int date_kind)
{
    fv *v = *pv;
    size_t n = *pn;
    qsort(v, n, sizeof *v, by_key);
    if (date_kind == MORGUE_FACET_DAY || n < 2)
        return MORGUE_OK;
    long first = period_no(v[0].key, date_kind);
    long periods = period_no(v[n - 1].key, date_kind) - first + 1;
    if (periods > GAP_FILL || (size_t)periods == n)
        return MORGUE_OK;
    fv *w = calloc((size_t)periods + 1, sizeof *w);
    if (!w)
        return MORGUE_ENOMEM;
    for (long p = 0; p < periods; p++) {
        long q = first + p;
        w[p].key = date_kind == MORGUE_FACET_YEAR
                       ? (unsigned long)q
                       : (unsigned long)(q / 12) * 100 +
                             (unsigned long)(q % 12 + 1);
    }
    for (size_t i = 0; i < n; i++) {
        fv *slot = &w[period_no(v[i].key, date_kind) - first];
        slot->count = v[i].count;
        slot->value = v[i].value;
    }
    int rc = MORGUE_OK;
    for (long p = 0; p < periods; p++) {
        if (w[p].value)
            continue;
        char val[32];
        date_text(val, sizeof val, w[p].key, date_kind);
        if (!(w[p].value = strdup(val)))
            rc = MORGUE_ENOMEM;
    }
    free(v);
    *pv = w;
    *pn = (size_t)periods;
    return rc;
}

/* The value as written among the '\n'-separated raw values that folds
 * to folded (NULL when none does). */
static char *as_written(const char *raw, const char *folded)
{
    buf f = BUF_INIT;
    char *found = NULL;
    for (const char *p = raw; *p && !found;) {
        const char *e = strchr(p, '\n');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        buf_clear(&f);
        row_fold_value(&f, p, l);
        if (f.len == strlen(folded) && !memcmp(f.ptr, folded, f.len))
            found = strndup(p, l);
        p += l + (e != NULL);
    }
    buf_free(&f);
    return found;
}

/* Rows of a facet query: COUNT(*) first, then per kind: the date key;
 * srcn, source; the tag hash, tagn, tags. */
static int read_facet(batch *b, morgue_hits *h, int kind, int date_kind,
                      size_t top)
{
    int rc = MORGUE_OK;
    MYSQL_RES *r = next_result(b, 0, &rc);
    if (!r)
        return rc;
    size_t n = 0, cap = mysql_num_rows(r) + 1;
    fv *v = calloc(cap, sizeof *v);
    MYSQL_ROW row;
    while (v && rc == MORGUE_OK && (row = mysql_fetch_row(r))) {
        uint64_t count = strtoull(row[0] ? row[0] : "0", NULL, 10);
        fv x = { NULL, NULL, count, 0 };
        if (kind == MORGUE_FACET_KIND_DATE) {
            x.key = strtoul(row[1] ? row[1] : "0", NULL, 10);
            if (x.key == 0)
                continue; /* no date */
            char val[32];
            date_text(val, sizeof val, x.key, date_kind);
            x.value = strdup(val);
        } else if (kind == MORGUE_FACET_KIND_SOURCE) {
            if (!row[1] || !row[1][0])
                continue; /* no source */
            x.value = strdup(row[1]);
            x.shown = as_written(row[2] ? row[2] : "", row[1]);
        } else { /* the group's tag: the one of its row that hashes so */
            uint64_t g = strtoull(row[1] ? row[1] : "0", NULL, 10);
            for (const char *p = row[2] ? row[2] : ""; *p && !x.value;) {
                const char *e = strchr(p, '\n');
                size_t l = e ? (size_t)(e - p) : strlen(p);
                if (row_tag_hash(p, l) == g)
                    x.value = strndup(p, l);
                p += l + (e != NULL);
            }
            if (!x.value)
                continue;
            x.shown = as_written(row[3] ? row[3] : "", x.value);
        }
        if (!x.value)
            rc = MORGUE_ENOMEM;
        else
            v[n++] = x;
    }
    mysql_free_result(r);
    if (!v)
        rc = MORGUE_ENOMEM;
    if (rc == MORGUE_OK && (r = next_result(b, 0, &rc)))
        read_meta(b, r, NULL);
    if (rc == MORGUE_OK && kind == MORGUE_FACET_KIND_DATE)
        rc = fill_gaps(&v, &n, date_kind);
    if (rc == MORGUE_OK)
        rc = set_facets(h, kind, v, n, top);
    for (size_t i = 0; v && i < n; i++) {
        free(v[i].value);
        free(v[i].shown);
    }
    free(v);
    return rc;
}

typedef struct scored {
    double score;
    size_t row;         /* Sphinx's rank: ties keep its order */
} scored;

static int by_score(const void *a, const void *b)
{
    const scored *x = a, *y = b;
    if (x->score != y->score)
        return x->score < y->score ? 1 : -1;
    return (x->row > y->row) - (x->row < y->row);
}

/* The window's rows scored again (rerank.h) and the page chosen: hits
 * [offset, offset + limit) of the new order. */
static int rerank_rows(batch *b, morgue_hits *h, const morgue_query_opts *o,
                       reranker *rr, size_t n)
{
    scored *v = calloc(n + 1, sizeof *v);
    if (!v)
        return MORGUE_ENOMEM;
    int rc = MORGUE_OK;
    for (size_t i = 0; i < n && rc == MORGUE_OK; i++) {
        const hit_row *x = &h->rows[i];
        v[i].row = i;
        rc = reranker_score(rr, x->fields[MORGUE_FIELD_TITLE].ptr,
                            x->fields[MORGUE_FIELD_TITLE].len,
                            x->fields[MORGUE_FIELD_BODY].ptr,
                            x->fields[MORGUE_FIELD_BODY].len, &v[i].score);
        if (o->recency_half_life > 0) /* as searcher/search.c */
            v[i].score *= recency_factor(x->date, o->now,
                                         o->recency_half_life);
    }
    if (rc == MORGUE_OK) {
        qsort(v, n, sizeof *v, by_score);
        for (size_t k = 0; k < n; k++) {
            hit *t = &h->hits[k];
            t->score = t->key = v[k].score;
            t->doc = (uint32_t)v[k].row;
        }
        size_t end = o->offset + o->limit;
        h->n_hits = end < n ? end : n;
        if (h->n_hits < o->offset)
            h->n_hits = o->offset;
        h->next = o->offset;
    }
    free(v);
    (void)b;
    return rc;
}

/* Rows of r into h from row i on (at most cap in all), those of a docid
 * already there skipped; offs[k] gets row k's field offsets in row_text
 * (pointers are set once all text is in). The new count. */
static size_t take_rows(morgue_hits *h, MYSQL_RES *r, size_t i, size_t cap,
                        size_t base, const morgue_query_opts *o,
                        size_t (*offs)[STORED_FIELDS])
{
    size_t first = i;
    MYSQL_ROW row;
    /* result columns 3.. in morgue_field order: sid url title source tags
     * body */
    while ((row = mysql_fetch_row(r)) && i < cap) {
        unsigned long *len = mysql_fetch_lengths(r);
        uint64_t id = strtoull(row[0] ? row[0] : "0", NULL, 10);
        int seen = 0;
        for (size_t k = 0; k < first && !seen; k++)
            seen = h->rows[k].docid == id;
        if (seen)
            continue;
        hit_row *x = &h->rows[i];
        x->docid = id;
        double w = row[1] ? strtod(row[1], NULL) / 1e6 : 0.0;
        x->date = row[2] ? strtoll(row[2], NULL, 10) : MORGUE_NO_DATE;
        x->date_off = row[3 + STORED_FIELDS]
                          ? (int)strtol(row[3 + STORED_FIELDS], NULL, 10)
                          : MORGUE_NO_OFFSET;
        for (int f = 0; f < STORED_FIELDS; f++) {
            offs[i][f] = h->row_text.len;
            if (row[3 + f])
                buf_append(&h->row_text, row[3 + f], len[3 + f]);
            x->fields[f].len = row[3 + f] ? len[3 + f] : 0;
        }
        hit *ht = &h->hits[base + i];
        ht->score = w;
        ht->key = o->sort == MORGUE_SORT_DATE ? (double)x->date : w;
        ht->doc = (uint32_t)i;
        i++;
    }
    return i;
}

/* The ranked page into h's rows; with rr, the window (ranked() with a
 * window, and an OR's all-of candidates) is scored again and the page
 * chosen from it. */
static int read_ranked(batch *b, morgue_hits *h, const morgue_query_opts *o,
                       reranker *rr, const translation *t, stemmer *stem,
                       const clu_stats *cs)
{
    int rc = MORGUE_OK;
    MYSQL_RES *r = next_result(b, 1, &rc), *all = NULL, *m;
    if (!r)
        return rc;
    /* results are stored whole: the META (df, total) may come first */
    if ((m = next_result(b, 0, &rc)))
        read_meta(b, m, &h->total);
    if (rc == MORGUE_OK && rr && t->scored_or && t->match_all.len &&
        (all = next_result(b, 0, &rc)) && (m = next_result(b, 0, &rc)))
        read_meta(b, m, NULL);
    size_t n = mysql_num_rows(r) + (all ? mysql_num_rows(all) : 0);
    size_t base = rr ? 0 : o->offset;
    h->rows = calloc(n + 1, sizeof *h->rows);
    h->hits = calloc(o->offset + n + 1, sizeof *h->hits);
    size_t (*offs)[STORED_FIELDS] = calloc(n + 1, sizeof *offs);
    if (rc == MORGUE_OK && (!h->rows || !h->hits || !offs))
        rc = MORGUE_ENOMEM;
    size_t i = 0;
    if (rc == MORGUE_OK) {
        i = take_rows(h, r, 0, n, base, o, offs);
        if (all)
            i = take_rows(h, all, i, n, base, o, offs);
    }
    mysql_free_result(r);
    if (all)
        mysql_free_result(all);
    if (rc) {
        free(offs);
        return rc;
    }
    buf_cstr(&h->row_text);
    for (size_t k = 0; k < i; k++)
        for (int f = 0; f < STORED_FIELDS; f++)
            h->rows[k].fields[f].ptr = h->row_text.ptr
                                           ? h->row_text.ptr + offs[k][f]
                                           : "";
    free(offs);
    h->n_hits = base + i;
    h->next = o->offset;
    if (h->row_text.oom)
        return MORGUE_ENOMEM;
    if (rr) {
        /* the df came with the META read above */
        rc = reranker_init(rr, t, stem, o->k1, o->b, o->title_weight, cs,
                           &b->kw);
        if (rc == MORGUE_OK)
            rc = rerank_rows(b, h, o, rr, i);
    }
    return rc;
}

/* The first and last dates held, on the articles' own clocks (for open
 * date ranges inside OR/NOT, and the stats' range as the local one);
 * *found 0 when no article has a date. */
static int date_bounds(batch *b, int64_t *lo, int64_t *hi, int *found)
{
    static const char q[] =
        "SELECT ldate FROM " CLUSTER_INDEX " WHERE ldate >= "
        "-9223372036854775807 ORDER BY ldate ASC LIMIT 1; SHOW META; "
        "SELECT ldate FROM " CLUSTER_INDEX " WHERE ldate >= "
        "-9223372036854775807 ORDER BY ldate DESC LIMIT 1; SHOW META";
    *lo = *hi = 0;
    *found = 0;
    if (mysql_real_query(b->m, q, sizeof q - 1))
        return fail_sql(b, "query");
    int rc = MORGUE_OK;
    for (int k = 0; k < 2 && rc == MORGUE_OK; k++) {
        MYSQL_RES *r = next_result(b, k == 0, &rc);
        if (!r)
            break;
        MYSQL_ROW row = mysql_fetch_row(r);
        if (row && row[0]) {
            *(k ? hi : lo) = strtoll(row[0], NULL, 10);
            *found = 1;
        }
        mysql_free_result(r);
        if ((r = next_result(b, 0, &rc)))
            read_meta(b, r, NULL);
    }
    return rc;
}

/* N and the mean lengths of the whole cluster (cached, see cstate). */
static int get_stats(batch *b, clu_stats *out)
{
    cstate *c = state(b->s);
    pthread_mutex_lock(&c->mu);
    int fresh = c->cs_age && c->cs_age < STATS_EVERY;
    if (fresh) {
        *out = c->cs;
        c->cs_age++;
    }
    pthread_mutex_unlock(&c->mu);
    if (fresh)
        return MORGUE_OK;
    static const char q[] = "SELECT COUNT(*), SUM(ts_len), SUM(ss_len) FROM "
                            CLUSTER_INDEX "; SHOW META";
    if (mysql_real_query(b->m, q, sizeof q - 1))
        return fail_sql(b, "query");
    int rc = MORGUE_OK, partial = b->partial;
    MYSQL_RES *r = next_result(b, 1, &rc);
    if (!r)
        return rc;
    MYSQL_ROW row = mysql_fetch_row(r);
    uint64_t n = row && row[0] ? strtoull(row[0], NULL, 10) : 0;
    double t = row && row[1] ? strtod(row[1], NULL) : 0;
    double d = row && row[2] ? strtod(row[2], NULL) : 0;
    mysql_free_result(r);
    if ((r = next_result(b, 0, &rc)))
        read_meta(b, r, NULL);
    if (rc)
        return rc;
    out->n_docs = n;
    out->avg_len = n ? (d + t) / (double)n : 1.0; /* as searcher.c */
    out->avg_tlen = n ? t / (double)n : 1.0;
    if (b->partial == partial) { /* a shard missing: ask again next time */
        pthread_mutex_lock(&c->mu);
        c->cs = *out;
        c->cs_age = 1;
        pthread_mutex_unlock(&c->mu);
    }
    return MORGUE_OK;
}

static int run_search(morgue_searcher *s, batch *b, const qnode *q,
                      stemmer *stem, const morgue_query_opts *o,
                      morgue_hits *h)
{
    translation t;
    int rc = translate(q, stem, s->man.language, INT64_MIN, INT64_MIN,
                       !o->no_synonyms, &t);
    if (rc == MORGUE_OK && t.need_bounds) {
        int64_t lo, hi;
        int found;
        translation_free(&t);
        rc = date_bounds(b, &lo, &hi, &found);
        if (rc == MORGUE_OK)
            rc = translate(q, stem, s->man.language, lo, hi,
                           !o->no_synonyms, &t);
    }
    if (rc == MORGUE_EQUERY) { /* searcher_parse ran query_check */
        size_t at = t.refused_at + 1;
        const char *why = t.refused;
        translation_free(&t);
        return why ? searcher_fail(s, rc, "query error at column %zu: %s",
                                   at, why)
                   : searcher_fail(s, rc, "the query has no words to "
                                   "search for");
    }
    /* the option date filter narrows the query's own */
    if (rc == MORGUE_OK && o->date_from != MORGUE_NO_DATE &&
        o->date_from > t.from)
        t.from = o->date_from;
    if (rc == MORGUE_OK && o->date_to != MORGUE_NO_DATE && o->date_to < t.to)
        t.to = o->date_to;
    /* ranked by relevance: the window scored again here (rerank.h) */
    /* (a count needs no order: no window, no second look) */
    int again = rc == MORGUE_OK && o->sort == MORGUE_SORT_RELEVANCE &&
                t.exact_score && t.n_leaves && t.match.len &&
                !(o->flags & MORGUE_QUERY_COUNT_ONLY);
    size_t window = o->offset + o->limit;
    if (window < RERANK_WINDOW)
        window = RERANK_WINDOW;
    clu_stats cs = { 0, 1.0, 1.0 };
    if (rc == MORGUE_OK && t.match.len)
        rc = get_stats(b, &cs);
    reranker rr;
    memset(&rr, 0, sizeof rr);
    buf sql = BUF_INIT;
    if (rc == MORGUE_OK) {
        ranked(&sql, &t, o, again ? window : 0, &cs);
        static const char *by[] = { NULL, "yr", "ym", "dy" };
        if (o->facet_date > 0 && o->facet_date <= MORGUE_FACET_DAY)
            facet(&sql, &t, "GROUPBY()", by[o->facet_date], NULL);
        if (o->facet_sources)
            facet(&sql, &t, "srcn, source", "srcn", NULL);
        if (o->facet_tags)
            facet(&sql, &t, "GROUPBY(), tagn, tags", "tg", NULL);
        if (sql.oom)
            rc = searcher_fail(s, MORGUE_ENOMEM, "out of memory");
    }
    if (rc == MORGUE_OK && mysql_real_query(b->m, sql.ptr, sql.len))
        rc = fail_sql(b, "query");
    buf_free(&sql);
    if (rc == MORGUE_OK)
        rc = read_ranked(b, h, o, again ? &rr : NULL, &t, stem, &cs);
    if (rr.t)
        reranker_free(&rr);
    if (rc == MORGUE_OK && o->facet_date > 0 &&
        o->facet_date <= MORGUE_FACET_DAY)
        rc = read_facet(b, h, MORGUE_FACET_KIND_DATE, o->facet_date, 0);
    if (rc == MORGUE_OK && o->facet_sources)
        rc = read_facet(b, h, MORGUE_FACET_KIND_SOURCE, 0, o->facet_sources);
    if (rc == MORGUE_OK && o->facet_tags)
        rc = read_facet(b, h, MORGUE_FACET_KIND_TAG, 0, o->facet_tags);
    if (rc == MORGUE_ENOMEM)
        rc = searcher_fail(s, rc, "out of memory");
    for (int k = 0; k < 3; k++)
        for (size_t i = 0; h->facets[k] && i < h->n_facets[k]; i++)
            h->facets[k][i].value =
                h->facet_text.ptr + (uintptr_t)h->facets[k][i].value;
    h->terms = t.hl;
    h->n_terms = t.n_hl;
    t.hl = NULL;
    t.n_hl = 0;
    translation_free(&t);
    return rc;
}

static int cluster_search(morgue_searcher *s, const char *query,
                          const morgue_query_opts *opts, morgue_hits **out)
{
    morgue_query_opts o = *opts; /* resolved by morgue_search */
    qnode *q = NULL;
    int64_t now = o.now != MORGUE_NO_DATE ? o.now : (int64_t)time(NULL);
    o.now = now; /* for recency too */
    /* what needs the whole index in one place (docs/CLUSTER.md) */
    const char *no = o.flags & MORGUE_QUERY_COLLAPSE
                         ? "folding near-duplicates (collapse)"
                     : o.flags & MORGUE_QUERY_EXPAND
                         ? "query expansion (expand)"
                     : o.facet_langs ? "language facets"
                                     : NULL;
    if (no)
        return searcher_fail(s, MORGUE_EINVAL, "%s is not available on a "
                             "cluster", no);
    if (o.flags & MORGUE_QUERY_COUNT_ONLY) { /* the count: one hit asked */
        o.limit = 1;
        o.offset = 0;
    }
    int rc = searcher_parse(s, query, o.flags, now, &q);
    if (rc)
        return rc;
    stemmer *stem = NULL;
    morgue_hits *h = calloc(1, sizeof *h);
    if (!h || stemmer_new(&stem, s->man.language)) {
        query_free(q);
        free(h);
        return searcher_fail(s, MORGUE_ENOMEM, "out of memory");
    }
    h->s = s;
    h->opts = o;
    h->total_exact = 1;
    h->hl_open = strdup(o.hl_open ? o.hl_open : "<b>");
    h->hl_close = strdup(o.hl_close ? o.hl_close : "</b>");
    batch b = { s, NULL, BUF_INIT, 0, { NULL, NULL, 0 } };
    rc = get_conn(s, &b.m);
    if (rc == MORGUE_OK) {
        rc = run_search(s, &b, q, stem, &o, h);
        if (rc)
            drain(b.m);
        put_conn(s, b.m, rc == MORGUE_OK);
    }
    stemmer_free(stem);
    query_free(q);
    if (rc == MORGUE_OK && (!h->hl_open || !h->hl_close))
        rc = searcher_fail(s, MORGUE_ENOMEM, "out of memory");
    kw_stats_free(&b.kw);
    if (rc) {
        buf_free(&b.warnings);
        morgue_hits_free(h);
        return rc;
    }
    if (o.flags & MORGUE_QUERY_COUNT_ONLY) /* counted, none returned */
        h->next = h->n_hits + 1;
    h->partial = b.partial;
    h->warnings = b.warnings;
    buf_cstr(&h->warnings);
    *out = h;
    return MORGUE_OK;
}

/* ---- stats ---- */

/* Adds shard index bytes from one node of each shard. */
static void shard_bytes(morgue_searcher *s, batch *b, uint64_t *bytes)
{
    cstate *c = state(s);
    for (unsigned sh = 0; sh < c->conf.n_shards; sh++) {
        int done = 0;
        char index[16];
        cluster_shard_index(sh, index);
        for (size_t i = 0; i < c->conf.n_nodes && !done; i++) {
            const cnode *n = &c->conf.nodes[i];
            if (n->shard != sh)
                continue;
            MYSQL *m;
            errmsg e;
            if (sql_connect(&m, n->host, n->sql_port, 5, n->name, &e))
                continue;
            char q[64];
            snprintf(q, sizeof q, "SHOW INDEX %s STATUS", index);
            MYSQL_RES *r = mysql_query(m, q) ? NULL : mysql_store_result(m);
            MYSQL_ROW row;
            while (r && (row = mysql_fetch_row(r)))
                if (row[0] && row[1] && (!strcmp(row[0], "disk_bytes") ||
                                         !strcmp(row[0], "ram_bytes")))
                    *bytes += strtoull(row[1], NULL, 10);
            if (r)
                mysql_free_result(r);
            mysql_close(m);
            done = r != NULL;
        }
        if (!done) {
            buf_printf(&b->warnings, "shard %u: no node answered for its "
                       "size\n", sh);
            b->partial = 1;
        }
    }
}

static int cluster_stats(morgue_searcher *s, morgue_stats *out)
{
    /* out is a full MORGUE_STATS_INIT from morgue_searcher_stats */
    out->language = s->man.language;
    out->segments = state(s)->conf.n_shards;
    out->first_date = out->last_date = MORGUE_NO_DATE;
    batch b = { s, NULL, BUF_INIT, 0, { NULL, NULL, 0 } };
    int rc = get_conn(s, &b.m);
    if (rc)
        return rc;
    static const char q[] = "SELECT id FROM " CLUSTER_INDEX " LIMIT 1; "
                            "SHOW META";
    if (mysql_real_query(b.m, q, sizeof q - 1))
        rc = fail_sql(&b, "query");
    MYSQL_RES *r = rc ? NULL : next_result(&b, 1, &rc);
    if (r)
        mysql_free_result(r);
    if (rc == MORGUE_OK && (r = next_result(&b, 0, &rc)))
        read_meta(&b, r, &out->documents);
    int64_t lo = 0, hi = 0;
    int found = 0;
    if (rc == MORGUE_OK && out->documents)
        rc = date_bounds(&b, &lo, &hi, &found);
    if (rc == MORGUE_OK && found) {
        out->first_date = lo;
        out->last_date = hi;
    }
    if (rc)
        drain(b.m);
    put_conn(s, b.m, rc == MORGUE_OK);
    if (rc == MORGUE_OK)
        shard_bytes(s, &b, &out->index_bytes);
    searcher_set_warnings(b.warnings.len ? buf_cstr(&b.warnings) : "");
    buf_free(&b.warnings);
    return rc;
}

static void cluster_close(morgue_searcher *s)
{
    cstate *c = state(s);
    for (size_t i = 0; i < c->n_idle; i++)
        mysql_close(c->idle[i]);
    pthread_mutex_destroy(&c->mu);
    free(c);
    s->remote_ctx = NULL;
}

static const searcher_remote cluster_remote = {
    cluster_search, cluster_stats, cluster_close,
};

MORGUE_API int morgue_searcher_open_cluster(morgue_searcher **out,
                                            const char *cluster_file,
                                            const morgue_searcher_opts *opts)
{
    *out = NULL;
    errmsg *e = err_thread();
    if (opts && !API_SIZE(opts))
        return err_set(e, MORGUE_EINVAL, "unknown morgue_searcher_opts "
                       "version %u", opts->version);
    if (!cluster_file)
        return err_set(e, MORGUE_EINVAL, "no cluster file");
    cstate *c = calloc(1, sizeof *c);
    if (!c)
        return err_set(e, MORGUE_ENOMEM, "out of memory");
    int rc = cluster_conf_read(&c->conf, cluster_file, e);
    if (rc == MORGUE_OK)
        rc = cluster_conf_need_current(&c->conf, cluster_file, e);
    if (rc) {
        free(c);
        return rc;
    }
    pthread_mutex_init(&c->mu, NULL);
    if (searcher_new_remote(out, &cluster_remote, c, c->conf.dir,
                            c->conf.language)) {
        pthread_mutex_destroy(&c->mu);
        free(c);
        return err_set(e, MORGUE_ENOMEM, "out of memory");
    }
    return MORGUE_OK;
}
