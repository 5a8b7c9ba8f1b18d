/* dups.c: morgue_dups(): every cluster of near-duplicate articles of a
 * snapshot. Each live article's sketch is looked up in a band index of
 * the articles before it (near.h) and joined (union-find) to each one it
 * resembles at least min_similarity; the clusters are the connected
 * groups of two or more. The representative, listed first, is the member
 * resembling most others (ties: the earliest, then the first indexed);
 * the others follow by date. */
#include <stdlib.h>
#include <string.h>

#include "searcher/near.h"

struct morgue_clusters {
    morgue_cluster *c;
    size_t n;
    uint64_t *ids;       /* all members, cluster after cluster */
};

typedef struct member {
    uint64_t docid;
    int64_t date;        /* INT64_MAX when undated (sorts last) */
    int64_t local;       /* own clock (segment_local_date), for the dates */
    uint32_t root;
    uint32_t links;
} member;

typedef struct dups_run {
    member *m;
    uint32_t self;
} dups_run;

static uint32_t find(member *m, uint32_t i)
{
    while (m[i].root != i) {
        m[i].root = m[m[i].root].root;
        i = m[i].root;
    }
    return i;
}

static int link_pair(uint32_t item, unsigned agree, void *ud)
{
    (void)agree;
    dups_run *r = ud;
    uint32_t a = find(r->m, item), b = find(r->m, r->self);
    if (a != b)
        r->m[a < b ? b : a].root = a < b ? a : b;
    r->m[item].links++;
    r->m[r->self].links++;
    return 0;
}

/* Members grouped by root; within a group best representative first. */
static int by_group(const void *x, const void *y)
{
    const member *a = x, *b = y;
    if (a->root != b->root)
        return a->root < b->root ? -1 : 1;
    if (a->links != b->links)
        return a->links > b->links ? -1 : 1;
    if (a->date != b->date)
        return a->date < b->date ? -1 : 1;
    return a->docid < b->docid ? -1 : a->docid > b->docid;
}

static int by_date(const void *x, const void *y)
{
    const member *a = x, *b = y;
    if (a->date != b->date)
        return a->date < b->date ? -1 : 1;
    return a->docid < b->docid ? -1 : a->docid > b->docid;
}

static int by_size(const void *x, const void *y)
{
    const morgue_cluster *a = x, *b = y;
    if (a->size != b->size)
        return a->size > b->size ? -1 : 1;
    int64_t fa = a->first_date == MORGUE_NO_DATE ? INT64_MAX : a->first_date;
    int64_t fb = b->first_date == MORGUE_NO_DATE ? INT64_MAX : b->first_date;
    if (fa != fb)
        return fa < fb ? -1 : 1;
    return a->docids[0] < b->docids[0] ? -1 : 1;
}

static int build(morgue_clusters *out, member *m, size_t n)
{
    for (size_t i = 0; i < n; i++)
        m[i].root = find(m, (uint32_t)i);
    /* sizes by root, then keep members of groups of two or more */
    uint32_t *size = calloc(n + 1, sizeof *size);
    if (!size)
        return MORGUE_ENOMEM;
    for (size_t i = 0; i < n; i++)
        size[m[i].root]++;
    size_t kept = 0, groups = 0;
    for (size_t i = 0; i < n; i++)
        if (size[m[i].root] > 1) {
            groups += m[i].root == i;
            m[kept++] = m[i];
        }
    free(size);
    qsort(m, kept, sizeof *m, by_group);
    out->ids = malloc(kept * sizeof *out->ids + 1);
    out->c = malloc(groups * sizeof *out->c + 1);
    if (!out->ids || !out->c)
        return MORGUE_ENOMEM;
    for (size_t i = 0; i < kept;) {
        size_t j = i;
        while (j < kept && m[j].root == m[i].root)
            j++;
        qsort(m + i + 1, j - i - 1, sizeof *m, by_date);
        morgue_cluster *c = &out->c[out->n++];
        c->size = j - i;
        c->docids = out->ids + i;
        c->first_date = c->last_date = MORGUE_NO_DATE;
        for (size_t k = i; k < j; k++) {
            out->ids[k] = m[k].docid;
            if (m[k].date == INT64_MAX)
                continue;
            if (c->first_date == MORGUE_NO_DATE || m[k].local < c->first_date)
                c->first_date = m[k].local;
            if (c->last_date == MORGUE_NO_DATE || m[k].local > c->last_date)
                c->last_date = m[k].local;
        }
        i = j;
    }
    qsort(out->c, out->n, sizeof *out->c, by_size);
    return MORGUE_OK;
}

MORGUE_API int morgue_dups(morgue_searcher *s, double min_similarity,
                           morgue_clusters **out)
{
    if (!out)
        return MORGUE_EINVAL;
    *out = NULL;
    if (!s || !(min_similarity > 0 && min_similarity <= 1))
        return s ? searcher_fail(s, MORGUE_EINVAL, "the similarity must be "
                                 "above 0 and at most 1")
                 : MORGUE_EINVAL;
    if (searcher_local_only(s, "finding near-duplicates"))
        return MORGUE_EINVAL;
    int ready = near_ready(s);
    if (!ready) /* and the dates the stories are ordered by */
        ready = searcher_need(s, SEG_NEED_DATES);
    if (ready)
        return ready;
    morgue_clusters *c = calloc(1, sizeof *c);
    member *m = malloc((size_t)s->n_docs * sizeof *m + 1);
    near_index x;
    near_index_init(&x);
    int rc = c && m ? MORGUE_OK : MORGUE_ENOMEM;
    unsigned need = fp_agree_needed(min_similarity);
    size_t n = 0;
    for (size_t g = 0; rc == MORGUE_OK && g < s->n_segs; g++)
        for (uint32_t d = 0; rc == MORGUE_OK && d < s->segs[g].n_docs; d++) {
            uint8_t fp[FP_BYTES];
            near_fp(s, g, d, fp);
            if (searcher_deleted(s, g, d) || fp_none(fp))
                continue;
            int64_t t = segment_date(&s->segs[g], d);
            int64_t l = segment_local_date(&s->segs[g], d);
            m[n] = (member){ s->base[g] + d, t == INT64_MIN ? INT64_MAX : t,
                             l, (uint32_t)n, 0 };
            dups_run r = { m, (uint32_t)n };
            near_index_query(&x, fp, need, link_pair, &r);
            rc = near_index_add(&x, fp);
            n++;
        }
    near_index_free(&x);
    if (rc == MORGUE_OK)
        rc = build(c, m, n);
    free(m);
    if (rc != MORGUE_OK) {
        morgue_clusters_free(c);
        return searcher_fail(s, rc, "out of memory");
    }
    *out = c;
    return MORGUE_OK;
}

MORGUE_API size_t morgue_clusters_count(const morgue_clusters *c)
{
    return c ? c->n : 0;
}

MORGUE_API int morgue_clusters_get(const morgue_clusters *c, size_t i,
                                   morgue_cluster *out)
{
    if (!c || !out || i >= c->n)
        return MORGUE_EINVAL;
    *out = c->c[i];
    return MORGUE_OK;
}

MORGUE_API void morgue_clusters_free(morgue_clusters *c)
{
    if (!c)
        return;
    free(c->c);
    free(c->ids);
    free(c);
}
