/* postings.c: decoding one term's postings block by block, with skips. */
#include <stdlib.h>
#include <string.h>

#include "index/postings.h"
#include "morgue.h"
#include "util/alloc.h"

/* One-block terms keep their entry inline (no allocation); the struct may
 * be moved, so no pointer to it is stored. */
static skip_entry *skips_of(postings *p)
{
    return p->n_blocks > 1 ? p->skips : &p->one;
}

static int parse_skips(postings *p, errmsg *e)
{
    skip_entry *skips = skips_of(p);
    const uint8_t *q = p->data, *end = p->data_end;
    uint64_t last = 0, off = 0, pos_off = 0;
    for (uint32_t b = 0; b < p->n_blocks; b++) {
        skip_entry *se = &skips[b];
        uint64_t dlast = 0, bytes = 0, pbytes = 0, n_imp = 0;
        se->imp = b * 2 * IMPACTS_MAX;
        if (p->n_blocks > 1 &&
            (codec_get_varint(&q, end, &dlast) ||
             codec_get_varint(&q, end, &bytes) ||
             codec_get_varint(&q, end, &pbytes) ||
             codec_get_varint(&q, end, &n_imp) || n_imp > IMPACTS_MAX))
            return err_corrupt(e, "postings: truncated skip table");
        for (uint64_t k = 0; k < 2 * n_imp; k++) {
            uint64_t v;
            if (codec_get_varint(&q, end, &v) || v > UINT32_MAX)
                return err_corrupt(e, "postings: bad impact in skip table");
            if (p->impacts)
                p->impacts[se->imp + k] = (uint32_t)v;
        }
        if (!p->impacts)
            n_imp = 0; /* postings_open_docs: not kept */
        last += dlast;
        if (last > UINT32_MAX - 1)
            return err_corrupt(e, "postings: skip entry out of range");
        se->last_doc = p->n_blocks > 1 ? (uint32_t)last : UINT32_MAX - 1;
        se->n_imp = (uint32_t)n_imp;
        se->off = off;
        se->pos_off = pos_off;
        off += bytes;
        pos_off += pbytes;
    }
    /* Block offsets were relative to the end of the skip table. */
    size_t base = (size_t)(q - p->data);
    if (p->n_blocks > 1 && (off > (uint64_t)(end - q) ||
                            (p->pos && pos_off > (uint64_t)(p->pos_end -
                                                            p->pos))))
        return err_corrupt(e, "postings: blocks exceed the term's bytes");
    for (uint32_t b = 0; b < p->n_blocks; b++)
        skips[b].off += base;
    return MORGUE_OK;
}

static int open_list(postings *p, const segment *s, const term_info *ti,
                     int docs_only, errmsg *e)
{
    memset(p, 0, offsetof(postings, docs));
    p->err = 0; /* after docs[]: not covered by the memset */
    p->docs_only = docs_only;
    p->packtail = (s->feat.incompat & FEAT_INCOMPAT_PACKTAIL) != 0;
    p->pfor = (s->feat.incompat & FEAT_INCOMPAT_PFOR) != 0;
    p->n_docs = s->n_docs;
    p->data = s->post + ti->post_off;
    p->data_end = p->data + ti->post_len;
    if (ti->pos_len) {
        p->pos = s->posn + ti->pos_off;
        p->pos_end = p->pos + ti->pos_len;
    }
    p->df = ti->df;
    p->n_blocks = (ti->df + CODEC_BLOCK - 1) / CODEC_BLOCK;
    p->block = UINT32_MAX;
    p->doc = 0;
    p->skips = NULL;
    if (p->n_blocks > 1) {
        p->skips = mem_array(p->n_blocks, sizeof *p->skips);
        p->impacts = docs_only ? NULL
                               : mem_array(p->n_blocks, 2 * IMPACTS_MAX *
                                           sizeof *p->impacts);
        if (!p->skips || (!docs_only && !p->impacts)) {
            postings_close(p);
            p->n_blocks = 0;
            p->doc = POSTINGS_END;
            return err_set(e, MORGUE_ENOMEM, "out of memory");
        }
    }
    int rc = parse_skips(p, e);
    if (rc) {
        postings_close(p);
        p->n_blocks = 0;
        p->err = rc;
        p->doc = POSTINGS_END;
    }
    return rc;
}

int postings_open(postings *p, const segment *s, const term_info *ti,
                  errmsg *e)
{
    return open_list(p, s, ti, 0, e);
}

int postings_open_docs(postings *p, const segment *s, const term_info *ti,
                       errmsg *e)
{
    return open_list(p, s, ti, 1, e);
}

void postings_close(postings *p)
{
    free(p->skips);
    free(p->impacts);
    p->skips = NULL;
    p->impacts = NULL;
}

/* A bit-packed block of p->n documents: every full block, and a short
 * one of at least POSTINGS_PACK_MIN under PACKTAIL; gaps, then tf - 1,
 * each a PFor block (codec.h), with exceptions only under PFOR. */
static int load_packed(postings *p, const uint8_t *q, const uint8_t *end)
{
    uint32_t v[CODEC_BLOCK];
    for (int part = 0; part < 2 - p->docs_only; part++)
        if (codec_pfor_get(part ? p->tfs : v, &q, end, p->n, p->pfor))
            return -1;
    for (uint32_t i = 0; !p->docs_only && i < p->n; i++)
        p->tfs[i] += 1;
    uint64_t doc = p->docs[0]; /* holds the base, see load_block */
    uint32_t i = 0;
    if (p->block == 0) /* the first gap is the first document */
        p->docs[i++] = (uint32_t)(doc = v[0]);
#pragma GCC unroll 8
    for (; i < p->n; i++)
        p->docs[i] = (uint32_t)(doc += (uint64_t)v[i] + 1);
    /* ascending: the last is the largest (and 64 bits do not wrap) */
    return doc >= p->n_docs ? -1 : 0;
}

/* A short block as varints: `gap | tf - 1` per document, or under
 * PACKTAIL `gap << 1 | (tf == 1)`, then `tf - 2` only when tf > 1. */
static int load_varints(postings *p, const uint8_t *q, const uint8_t *end)
{
    uint64_t doc = p->docs[0];
    for (uint32_t i = 0; i < p->n; i++) {
        uint64_t gap, tf1 = 0;
        if (codec_get_varint(&q, end, &gap))
            return -1;
        if (p->packtail) {
            int one = (int)(gap & 1);
            gap >>= 1;
            if (!one && (codec_get_varint(&q, end, &tf1) ||
                         tf1 >= UINT32_MAX - 1))
                return -1;
            tf1 += !one; /* tf - 2 + 1 */
        } else if (codec_get_varint(&q, end, &tf1) || tf1 >= UINT32_MAX) {
            return -1;
        }
        doc = (i == 0 && p->block == 0) ? gap : doc + gap + 1;
        if (doc >= p->n_docs)
            return -1;
        p->docs[i] = (uint32_t)doc;
        p->tfs[i] = (uint32_t)tf1 + 1;
    }
    return 0;
}

static uint32_t fail(postings *p)
{
    p->err = MORGUE_ECORRUPT;
    p->doc = POSTINGS_END;
    return POSTINGS_END;
}

static int load_block(postings *p, uint32_t b)
{
    const skip_entry *se = &skips_of(p)[b];
    const uint8_t *q = p->data + se->off;
    const uint8_t *end = b + 1 < p->n_blocks ? p->data + skips_of(p)[b + 1].off
                                             : p->data_end;
    if (q > end || end > p->data_end)
        return -1;
    p->block = b;
    p->pos_i = 0; /* positions are read from the block's start again */
    p->pos_at = se->pos_off;
    p->n = b + 1 < p->n_blocks ? CODEC_BLOCK : p->df - b * CODEC_BLOCK;
    p->i = 0;
    p->docs[0] = b ? skips_of(p)[b - 1].last_doc : 0; /* gap base */
    int packed = p->n == CODEC_BLOCK ||
                 (p->packtail && p->n >= POSTINGS_PACK_MIN);
    int rc = packed ? load_packed(p, q, end) : load_varints(p, q, end);
    if (rc == 0 && p->n_blocks > 1 && p->docs[p->n - 1] != se->last_doc)
        rc = -1; /* the skip table and the block disagree */
    return rc;
}

uint32_t postings_next(postings *p)
{
    if (p->doc == POSTINGS_END)
        return POSTINGS_END;
    if (p->block != UINT32_MAX && p->i + 1 < p->n) {
        p->i++;
        return p->doc = p->docs[p->i];
    }
    uint32_t b = p->block == UINT32_MAX ? 0 : p->block + 1;
    if (b >= p->n_blocks)
        return p->doc = POSTINGS_END;
    if (load_block(p, b))
        return fail(p);
    return p->doc = p->docs[0];
}

const skip_entry *postings_block_for(postings *p, uint32_t target)
{
    uint32_t b = p->block == UINT32_MAX ? 0 : p->block;
    while (b < p->n_blocks && skips_of(p)[b].last_doc < target)
        b++;
    return b < p->n_blocks ? &skips_of(p)[b] : NULL;
}

uint32_t postings_advance(postings *p, uint32_t target)
{
    if (p->doc == POSTINGS_END)
        return POSTINGS_END;
    if (p->block != UINT32_MAX && p->doc >= target)
        return p->doc;
    uint32_t b = p->block == UINT32_MAX ? 0 : p->block;
    if (p->block == UINT32_MAX || skips_of(p)[b].last_doc < target ||
        p->docs[p->n - 1] < target) {
        while (b < p->n_blocks && skips_of(p)[b].last_doc < target)
            b++;
        if (b >= p->n_blocks)
            return p->doc = POSTINGS_END;
        if (b != p->block && load_block(p, b))
            return fail(p);
    }
    /* the first document >= target in docs[i..n): a probe from an
     * intersection lands anywhere in the block, so binary search past
     * the next few */
    uint32_t i = p->i, hi = p->n;
    for (uint32_t stop = i + 4 < hi ? i + 4 : hi;
         i < stop && p->docs[i] < target;)
        i++;
    if (i < hi && p->docs[i] < target) {
        while (hi - i > 1) { /* docs[i] < target; answer in (i, hi] */
            uint32_t mid = i + (hi - i) / 2;
            if (p->docs[mid] < target)
                i = mid;
            else
                hi = mid;
        }
        i = hi;
    }
    if (i >= p->n) { /* only for the single-block case */
        p->i = p->n - 1;
        p->doc = p->docs[p->i];
        return postings_next(p);
    }
    p->i = i;
    return p->doc = p->docs[i];
}

int postings_positions(postings *p, uint32_t *out)
{
    if (!p->pos || p->block == UINT32_MAX)
        return -1;
    /* Resume where the last call stopped when it was for an earlier
     * document of this block: a phrase reads documents in order, and
     * starting from the block each time made it quadratic. */
    uint32_t from = p->pos_i <= p->i ? p->pos_i : 0;
    uint64_t at = from ? p->pos_at : skips_of(p)[p->block].pos_off;
    if (at > (uint64_t)(p->pos_end - p->pos))
        return -1;
    const uint8_t *q = p->pos + at;
    const uint8_t *end = p->pos_end;
    for (uint32_t i = from; i < p->i; i++) /* skip earlier documents */
        for (uint32_t k = 0; k < p->tfs[i]; k++) {
            while (q < end && *q >= 0x80)
                q++;
            if (q >= end)
                return -1;
            q++;
        }
    uint64_t pos = 0;
    for (uint32_t k = 0; k < p->tfs[p->i]; k++) {
        uint64_t d;
        if (codec_get_varint(&q, end, &d))
            return -1;
        pos = k ? pos + d : d;
        if (pos > UINT32_MAX)
            return -1;
        out[k] = (uint32_t)pos;
    }
    p->pos_i = p->i + 1;
    p->pos_at = (uint64_t)(q - p->pos);
    return (int)p->tfs[p->i];
}

uint64_t postings_positions_cost(const postings *p)
{
    if (p->block == UINT32_MAX || p->i >= p->n)
        return 0;
    uint64_t n = 0;
    for (uint32_t i = p->pos_i <= p->i ? p->pos_i : 0; i <= p->i; i++)
        n += p->tfs[i];
    return n;
}
