/* near.c: fingerprint access and the band index (see near.h). */
#include <stdlib.h>
#include <string.h>

#include "searcher/near.h"
#include "util/alloc.h"

void near_fp(const morgue_searcher *s, size_t g, uint32_t doc,
             uint8_t out[FP_BYTES])
{
    for (int i = 0; i < 8; i++)
        col_store(out + 8 * i, 8, segment_col(&s->segs[g], COL_FP0 + i, doc));
}

int near_locate(const morgue_searcher *s, uint64_t docid, size_t *g,
                uint32_t *doc)
{
    size_t lo = 0, hi = s->n_segs; /* last segment whose base <= docid */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->base[mid] <= docid)
            lo = mid;
        else
            hi = mid;
    }
    if (s->n_segs == 0 || docid < s->base[lo] ||
        docid - s->base[lo] >= s->segs[lo].n_docs)
        return -1;
    *g = lo;
    *doc = (uint32_t)(docid - s->base[lo]);
    return 0;
}

void near_index_init(near_index *x)
{
    memset(x, 0, sizeof *x);
    x->heads = (u64map)U64MAP_INIT;
}

void near_index_free(near_index *x)
{
    u64map_free(&x->heads);
    free(x->nodes);
    free(x->fps);
    free(x->seen);
    memset(x, 0, sizeof *x);
}

static uint64_t band_key(int band, const uint8_t *fp)
{
    uint64_t k = (uint64_t)band << 16 | (uint64_t)fp[2 * band] << 8 |
                 fp[2 * band + 1];
    k = (k ^ 0x6D6F7267ull) * 0x9E3779B97F4A7C15ull;
    return k ^ (k >> 29);
}

int near_index_add(near_index *x, const uint8_t fp[FP_BYTES])
{
    if (x->n_items == x->cap_items) { /* fps and seen share cap_items */
        size_t cap = x->cap_items, cap_seen = x->cap_items;
        uint8_t(*f)[FP_BYTES] = mem_grow(x->fps, &cap, cap + 1, sizeof *f);
        if (!f)
            return MORGUE_ENOMEM;
        x->fps = f;
        uint32_t *s = mem_grow(x->seen, &cap_seen, cap, sizeof *s);
        if (!s)
            return MORGUE_ENOMEM;
        x->seen = s;
        x->cap_items = cap;
    }
    uint32_t item = (uint32_t)x->n_items;
    memcpy(x->fps[item], fp, FP_BYTES);
    x->seen[item] = 0;
    x->n_items++;
    if (fp_none(fp))
        return MORGUE_OK;
    near_node *n = mem_grow(x->nodes, &x->cap_nodes, x->n_nodes + NEAR_BANDS,
                            sizeof *n);
    if (!n)
        return MORGUE_ENOMEM;
    x->nodes = n;
    for (int b = 0; b < NEAR_BANDS; b++) {
        uint64_t k = band_key(b, fp);
        uint32_t head = u64map_get(&x->heads, k);
        uint32_t node = (uint32_t)x->n_nodes;
        if (u64map_put(&x->heads, k, node))
            return MORGUE_ENOMEM;
        x->nodes[x->n_nodes++] = (near_node){ item,
                                              head == U64MAP_NONE ? UINT32_MAX
                                                                  : head };
    }
    return MORGUE_OK;
}

void near_index_query(near_index *x, const uint8_t fp[FP_BYTES],
                      unsigned need,
                      int (*fn)(uint32_t item, unsigned agree, void *ud),
                      void *ud)
{
    if (fp_none(fp) || x->n_items == 0)
        return;
    if (++x->stamp == 0) { /* wrapped: forget every old stamp */
        memset(x->seen, 0, x->n_items * sizeof *x->seen);
        x->stamp = 1;
    }
    for (int b = 0; b < NEAR_BANDS; b++) {
        uint32_t node = u64map_get(&x->heads, band_key(b, fp));
        for (; node != U64MAP_NONE && node != UINT32_MAX;
             node = x->nodes[node].next) {
            uint32_t it = x->nodes[node].item;
            if (x->seen[it] == x->stamp)
                continue;
            x->seen[it] = x->stamp;
            unsigned a = fp_agree(fp, x->fps[it]);
            if (a >= need && fn(it, a, ud))
                return;
        }
    }
}

/* ---- the public fingerprint calls ---- */

MORGUE_API int morgue_fingerprint_text(const char *text, size_t len,
                                       uint8_t out[MORGUE_FINGERPRINT_BYTES])
{
    if (!out || (!text && len))
        return MORGUE_EINVAL;
    fp_text(text ? text : "", len, out);
    return MORGUE_OK;
}

MORGUE_API double morgue_fingerprint_similarity(const uint8_t *a,
                                                const uint8_t *b)
{
    return a && b ? fp_similarity(a, b) : 0.0;
}

MORGUE_API int morgue_searcher_fingerprint(morgue_searcher *s, uint64_t docid,
                                           uint8_t out[MORGUE_FINGERPRINT_BYTES])
{
    size_t g;
    uint32_t d;
    if (!s || !out)
        return MORGUE_EINVAL;
    if (searcher_local_only(s, "an article's fingerprint"))
        return MORGUE_EINVAL;
    if (near_locate(s, docid, &g, &d) || searcher_deleted(s, g, d))
        return searcher_fail(s, MORGUE_ENOTFOUND, "no article %llu",
                             (unsigned long long)docid);
    errmsg e;
    int rc = segment_need(&s->segs[g], SEG_NEED_FP, &e);
    if (rc)
        return searcher_fail(s, rc, "%s", e.text);
    near_fp(s, g, d, out);
    return MORGUE_OK;
}

int near_ready(morgue_searcher *s)
{
    return searcher_need(s, SEG_NEED_FP);
}
