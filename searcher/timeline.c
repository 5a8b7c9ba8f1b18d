/* timeline.c: morgue_timeline(): a query's matches grouped into stories
 * and laid out by day, week or month.
 *
 * A story is a group of matching articles that are about the same thing
 * and close in time: two articles are linked when they are dated at most
 * TL_WINDOW apart and either are near-duplicates (fingerprints, near.h)
 * or share at least TL_SHARED of their TL_TERMS most distinctive stems
 * (similar.h); stories are the linked groups (single link, so a story
 * running over many days chains through its days). Undated articles link
 * only to undated ones. The stems come from each article's stored text,
 * so for cost only the TL_MAX_TEXTS best ranked matches get them; the
 * others link by fingerprint alone (a big query's long tail).
 *
 * A period lists the stories with articles in it, the most articles
 * first (then the best ranked); a story there gives the articles of that
 * period, best ranked first, the headline of its best ranked article
 * overall and the dates of the whole story. Undated matches come last,
 * in a period without a name. */
#define _GNU_SOURCE /* qsort_r */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "searcher/near.h"
#include "searcher/search.h"
#include "searcher/similar.h"
#include "searcher/topk.h"
#include "util/civil.h"

#define TL_WINDOW (3 * 86400) /* seconds */
#define TL_TERMS 25
#define TL_SHARED 4
#define TL_MAX_TEXTS 5000

struct morgue_timeline {
    morgue_period *periods;
    size_t n_periods;
    morgue_story *stories;  /* all periods' entries, period after period */
    uint64_t *ids;
    char *text;             /* period names and titles, NUL-terminated */
};

typedef struct tl_item {
    uint64_t docid;
    uint32_t seg, doc;
    int64_t date;           /* local clock (segment_local_date);
                               INT64_MIN: undated */
    int64_t period;         /* INT64_MAX: undated */
    uint32_t rank;
    uint32_t root;          /* union-find */
    uint32_t n_terms;
    uint64_t terms[TL_TERMS]; /* sorted */
    uint8_t fp[FP_BYTES];
} tl_item;

static uint32_t find(tl_item *t, uint32_t i)
{
    while (t[i].root != i) {
        t[i].root = t[t[i].root].root;
        i = t[i].root;
    }
    return i;
}

static void join(tl_item *t, uint32_t a, uint32_t b)
{
    a = find(t, a);
    b = find(t, b);
    if (a != b)
        t[a > b ? a : b].root = a < b ? a : b; /* root: the best ranked */
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static unsigned shared(const tl_item *a, const tl_item *b)
{
    unsigned n = 0;
    for (uint32_t i = 0, j = 0; i < a->n_terms && j < b->n_terms;)
        if (a->terms[i] == b->terms[j]) {
            n++;
            i++;
            j++;
        } else if (a->terms[i] < b->terms[j]) {
            i++;
        } else {
            j++;
        }
    return n;
}

static int by_score(const void *x, const void *y)
{
    const topk_entry *a = x, *b = y;
    if (a->h.score != b->h.score)
        return a->h.score > b->h.score ? -1 : 1;
    return a->g < b->g ? -1 : a->g > b->g;
}

static int by_date(const void *x, const void *y)
{
    const tl_item *a = x, *b = y;
    if (a->date != b->date)
        return a->date < b->date ? -1 : 1;
    return a->rank < b->rank ? -1 : a->rank > b->rank;
}

/* The period of a date: days, Mondays (ISO weeks) or months since the
 * epoch, as a sortable number. */
static int64_t period_of(int64_t t, int by)
{
    if (t == INT64_MIN)
        return INT64_MAX;
    int64_t day = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    if (by == MORGUE_TIMELINE_DAY)
        return day;
    if (by == MORGUE_TIMELINE_WEEK) /* 1970-01-01 was a Thursday */
        return day - ((day % 7 + 7 + 3) % 7);
    int64_t y;
    unsigned m, d;
    civil_from_secs(t, &y, &m, &d);
    return y * 12 + (m - 1);
}

static void period_name(int64_t p, int by, char *out, size_t cap)
{
    if (by == MORGUE_TIMELINE_MONTH) {
        int64_t y = p >= 0 ? p / 12 : -((-p + 11) / 12);
        snprintf(out, cap, "%04lld-%02d", (long long)y, (int)(p - y * 12) + 1);
    } else {
        civil_format_day(p * 86400, out);
    }
}

/* One period's story entry while building. */
typedef struct entry {
    int64_t period;
    uint32_t story;         /* root item */
    uint32_t best_rank;     /* of the story overall */
    size_t first, n;        /* its items in order[] */
} entry;

static int by_entry(const void *x, const void *y)
{
    const entry *a = x, *b = y;
    if (a->period != b->period)
        return a->period < b->period ? -1 : 1;
    if (a->n != b->n)
        return a->n > b->n ? -1 : 1;
    return a->best_rank < b->best_rank ? -1 : 1;
}

typedef struct builder {
    morgue_searcher *s;
    tl_item *t;
    size_t n;
    int by;
    errmsg e;
} builder;

/* Items in (period, story, rank) order, for cutting into entries. */
static int by_period_story(const void *x, const void *y, void *items)
{
    const uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    const tl_item *p = (const tl_item *)items + a;
    const tl_item *q = (const tl_item *)items + b;
    if (p->period != q->period)
        return p->period < q->period ? -1 : 1;
    if (p->root != q->root)
        return p->root < q->root ? -1 : 1;
    return p->rank < q->rank ? -1 : p->rank > q->rank;
}

/* Links the items into stories. t is sorted by rank (index = rank). */
static int link_stories(builder *b)
{
    tl_item *t = b->t;
    size_t n = b->n;
    tl_item *byd = malloc(n * sizeof *byd + 1);
    if (!byd)
        return MORGUE_ENOMEM;
    memcpy(byd, t, n * sizeof *t);
    qsort(byd, n, sizeof *byd, by_date);
    unsigned need = fp_agree_needed(MORGUE_DEFAULT_SIMILARITY);
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++) {
            const tl_item *a = &byd[i], *c = &byd[j];
            if ((a->date == INT64_MIN) != (c->date == INT64_MIN))
                break;
            if (a->date != INT64_MIN && c->date - a->date > TL_WINDOW)
                break;
            if ((!fp_none(a->fp) && fp_agree(a->fp, c->fp) >= need) ||
                (a->n_terms && c->n_terms && shared(a, c) >= TL_SHARED))
                join(t, a->rank, c->rank);
        }
    free(byd);
    for (size_t i = 0; i < n; i++)
        t[i].root = find(t, (uint32_t)i);
    return MORGUE_OK;
}

static int assemble(builder *b, morgue_timeline *tl)
{
    tl_item *t = b->t;
    size_t n = b->n;
    uint32_t *order = malloc(n * sizeof *order + 1);
    entry *en = malloc(n * sizeof *en + 1);
    /* the story's dates: per root */
    int64_t *first = malloc(n * sizeof *first + 1);
    int64_t *last = malloc(n * sizeof *last + 1);
    buf text = BUF_INIT;
    int rc = order && en && first && last ? MORGUE_OK : MORGUE_ENOMEM;
    size_t n_en = 0, n_per = 0;
    for (size_t i = 0; rc == MORGUE_OK && i < n; i++) {
        order[i] = (uint32_t)i;
        first[i] = INT64_MAX;
        last[i] = INT64_MIN;
    }
    for (size_t i = 0; rc == MORGUE_OK && i < n; i++)
        if (t[i].date != INT64_MIN) {
            uint32_t r = t[i].root;
            first[r] = t[i].date < first[r] ? t[i].date : first[r];
            last[r] = t[i].date > last[r] ? t[i].date : last[r];
        }
    if (rc == MORGUE_OK) {
        qsort_r(order, n, sizeof *order, by_period_story, t);
        for (size_t i = 0; i < n;) {
            size_t j = i;
            while (j < n && t[order[j]].period == t[order[i]].period &&
                   t[order[j]].root == t[order[i]].root)
                j++;
            en[n_en++] = (entry){ t[order[i]].period, t[order[i]].root,
                                  t[order[i]].root, i, j - i };
            n_per += i == 0 || t[order[i]].period != t[order[i - 1]].period;
            i = j;
        }
        qsort(en, n_en, sizeof *en, by_entry);
        tl->periods = calloc(n_per + 1, sizeof *tl->periods);
        tl->stories = calloc(n_en + 1, sizeof *tl->stories);
        tl->ids = malloc(n * sizeof *tl->ids + 1);
        if (!tl->periods || !tl->stories || !tl->ids)
            rc = MORGUE_ENOMEM;
    }
    /* text offsets first (buf may move), pointers at the end */
    size_t *name_at = rc == MORGUE_OK ? calloc(n_per + 1, sizeof *name_at)
                                      : NULL;
    size_t *title_at = rc == MORGUE_OK ? calloc(n_en + 1, sizeof *title_at)
                                       : NULL;
    if (rc == MORGUE_OK && (!name_at || !title_at))
        rc = MORGUE_ENOMEM;
    docstore_cache dc;
    memset(&dc, 0, sizeof dc);
    size_t ids_at = 0;
    for (size_t k = 0; rc == MORGUE_OK && k < n_en; k++) {
        entry *x = &en[k];
        if (k == 0 || x->period != en[k - 1].period) {
            morgue_period *p = &tl->periods[tl->n_periods++];
            p->stories = tl->stories + k;
            name_at[tl->n_periods - 1] = SIZE_MAX;
            if (x->period != INT64_MAX) {
                char name[32];
                period_name(x->period, b->by, name, sizeof name);
                name_at[tl->n_periods - 1] = text.len;
                buf_append(&text, name, strlen(name) + 1);
            }
        }
        morgue_period *p = &tl->periods[tl->n_periods - 1];
        p->n_stories++;
        p->count += x->n;
        morgue_story *st = &tl->stories[k];
        st->count = x->n;
        st->docids = tl->ids + ids_at;
        for (size_t i = 0; i < x->n; i++)
            tl->ids[ids_at++] = t[order[x->first + i]].docid;
        st->first_date = first[x->story] == INT64_MAX ? MORGUE_NO_DATE
                                                      : first[x->story];
        st->last_date = last[x->story] == INT64_MIN ? MORGUE_NO_DATE
                                                    : last[x->story];
        span fl[STORED_FIELDS];
        const tl_item *rep = &t[x->story];
        rc = docstore_get_head(&b->s->segs[rep->seg], rep->doc, &dc, fl,
                               &b->e);
        if (rc == MORGUE_OK) {
            title_at[k] = text.len;
            buf_append(&text, fl[MORGUE_FIELD_TITLE].ptr,
                       fl[MORGUE_FIELD_TITLE].len);
            buf_putc(&text, '\0');
            if (text.oom)
                rc = MORGUE_ENOMEM;
        }
    }
    docstore_cache_free(&dc);
    if (rc == MORGUE_OK) {
        tl->text = text.ptr ? text.ptr : calloc(1, 1);
        text = (buf)BUF_INIT;
        if (!tl->text)
            rc = MORGUE_ENOMEM;
        for (size_t i = 0; rc == MORGUE_OK && i < tl->n_periods; i++)
            tl->periods[i].period =
                name_at[i] == SIZE_MAX ? NULL : tl->text + name_at[i];
        for (size_t k = 0; rc == MORGUE_OK && k < n_en; k++)
            tl->stories[k].title = tl->text + title_at[k];
    }
    buf_free(&text);
    free(name_at);
    free(title_at);
    free(order);
    free(en);
    free(first);
    free(last);
    return rc;
}

MORGUE_API int morgue_timeline_build(morgue_searcher *s, const char *query,
                               const morgue_query_opts *opts, int by,
                               morgue_timeline **out)
{
    if (!out)
        return MORGUE_EINVAL;
    *out = NULL;
    if (!s || !query)
        return MORGUE_EINVAL;
    if (searcher_local_only(s, "a timeline"))
        return MORGUE_EINVAL;
    if (by != MORGUE_TIMELINE_DAY && by != MORGUE_TIMELINE_WEEK &&
        by != MORGUE_TIMELINE_MONTH)
        return searcher_fail(s, MORGUE_EINVAL, "timeline periods are days, "
                             "weeks or months");
    search_extra x = { UINT64_MAX, NULL, 0, 1, NULL, 0 };
    morgue_hits *h = NULL;
    int rc = search_exec(s, query, opts, &x, &h);
    morgue_hits_free(h);
    if (rc != MORGUE_OK)
        return rc;
    builder b = { s, NULL, x.n_all, by, { { 0 } } };
    morgue_timeline *tl = calloc(1, sizeof *tl);
    b.t = malloc(b.n * sizeof *b.t + 1);
    sim_ctx sc;
    int have_sc = 0;
    /* the hits' own days (their date columns, verified on first use) */
    for (size_t g = 0; rc == MORGUE_OK && g < s->n_segs; g++)
        rc = segment_need(&s->segs[g], SEG_NEED_DATES, &b.e);
    if (rc == MORGUE_OK)
        rc = tl && b.t ? sim_init(&sc, s, &b.e) : MORGUE_ENOMEM;
    have_sc = rc == MORGUE_OK;
    if (rc == MORGUE_OK)
        qsort(x.all, x.n_all, sizeof *x.all, by_score);
    docstore_cache dc;
    memset(&dc, 0, sizeof dc);
    for (size_t i = 0; rc == MORGUE_OK && i < b.n; i++) {
        tl_item *it = &b.t[i];
        const hit *hh = &x.all[i].h;
        it->docid = x.all[i].g;
        it->seg = hh->seg;
        it->doc = hh->doc;
        /* the article's own clock (date + UTC offset): its period and
         * the story's dates are its own calendar days */
        it->date = segment_local_date(&s->segs[hh->seg], hh->doc);
        it->period = period_of(it->date, by);
        it->rank = (uint32_t)i;
        it->root = (uint32_t)i;
        it->n_terms = 0;
        near_fp(s, hh->seg, hh->doc, it->fp);
        if (i < TL_MAX_TEXTS) {
            span fl[STORED_FIELDS];
            size_t nt = 0;
            sim_use_doc(&sc, hh->seg, hh->doc);
            rc = docstore_get(&s->segs[hh->seg], hh->doc, &dc, fl, &b.e);
            if (rc == MORGUE_OK)
                rc = sim_top_terms(&sc, fl, TL_TERMS, it->terms, &nt, NULL,
                                   &b.e);
            it->n_terms = (uint32_t)nt;
            qsort(it->terms, nt, sizeof *it->terms, cmp_u64);
        }
    }
    docstore_cache_free(&dc);
    if (have_sc)
        sim_free(&sc);
    free(x.all);
    if (rc == MORGUE_OK)
        rc = link_stories(&b);
    if (rc == MORGUE_OK)
        rc = assemble(&b, tl);
    free(b.t);
    if (rc != MORGUE_OK) {
        morgue_timeline_free(tl);
        return rc == MORGUE_ENOMEM ? searcher_fail(s, rc, "out of memory")
                                   : searcher_fail(s, rc, "%s", b.e.text);
    }
    *out = tl;
    return MORGUE_OK;
}

MORGUE_API size_t morgue_timeline_count(const morgue_timeline *t)
{
    return t ? t->n_periods : 0;
}

MORGUE_API int morgue_timeline_get(const morgue_timeline *t, size_t i,
                                   morgue_period *out)
{
    if (!t || !out || i >= t->n_periods)
        return MORGUE_EINVAL;
    *out = t->periods[i];
    return MORGUE_OK;
}

MORGUE_API void morgue_timeline_free(morgue_timeline *t)
{
    if (!t)
        return;
    free(t->periods);
    free(t->stories);
    free(t->ids);
    free(t->text);
    free(t);
}
