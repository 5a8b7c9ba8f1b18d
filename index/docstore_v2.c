/* docstore_v2.c: reading the zlib store of segments written before the
 * zstd store (no FEAT_INCOMPAT_ZSTORE): sections STOR (raw deflate
 * streams, each the records of consecutive documents, every stream
 * deflated with the preset dictionary SDIC), SIDX (u32 count, then per
 * block u32 first document | u32 compressed | u32 raw | u32 reserved |
 * u64 offset). A record is six fields, varint length | bytes each. Only
 * read: new segments are written with the zstd store (docstore.c). These
 * blocks carry no checksum of their own; `morgue check` verifies STOR's
 * section CRC, and a merge (`morgue compact`) rewrites them. */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "index/codec.h"
#include "index/docstore.h"
#include "morgue.h"

/* Offset just past the records of documents first..doc in raw bytes
 * [p, p + len), or 0 when they are not all there yet; -1 if malformed. */
static long records_end(const uint8_t *p, size_t len, uint32_t count)
{
    const uint8_t *q = p, *end = p + len;
    for (uint32_t d = 0; d < count; d++)
        for (int f = 0; f < STORED_FIELDS; f++) {
            uint64_t n;
            if (codec_get_varint(&q, end, &n))
                return q + 10 < end ? -1 : 0; /* truncated: need more */
            if (n > (uint64_t)(end - q))
                return n > (1u << 28) ? -1 : 0;
            q += n;
        }
    return (long)(q - p);
}

/* Inflates block blk of s into c->v2_raw, only as far as document doc's
 * record: a snippet needs one article, not the whole block. */
static int inflate_upto(const segment *s, uint32_t blk, uint32_t doc,
                        docstore_cache *c, errmsg *e)
{
    const uint8_t *x = docstore_idx_entry(s->sidx, blk);
    uint32_t first = codec_get_u32le(x);
    uint32_t clen = codec_get_u32le(x + 4), rlen = codec_get_u32le(x + 8);
    uint64_t off = codec_get_u64le(x + 16);
    if (off > s->stor_len || clen > s->stor_len - off || rlen > (1u << 28) ||
        first > doc)
        return err_corrupt(e, "stored block %u out of bounds", blk);
    int fresh = c->v2_seg != s || c->v2_block != blk;
    if (!fresh && records_end((const uint8_t *)c->v2_raw.ptr, c->v2_raw.len,
                              doc - first + 1) > 0)
        return MORGUE_OK; /* already inflated far enough */
    if (fresh) {
        c->v2_seg = NULL;
        buf_clear(&c->v2_raw);
        if (buf_reserve(&c->v2_raw, rlen + 1))
            return err_set(e, MORGUE_ENOMEM, "out of memory");
        if (!c->zs_ready) {
            if (inflateInit2(&c->zs, -15) != Z_OK)
                return err_set(e, MORGUE_ENOMEM, "out of memory");
            c->zs_ready = 1;
        } else {
            inflateReset(&c->zs);
        }
        if (s->sdic && inflateSetDictionary(&c->zs, s->sdic,
                                            (uInt)s->sdic_len) != Z_OK)
            return err_corrupt(e, "stored dictionary rejected by zlib");
        c->zs.next_in = (Bytef *)(s->stor + off);
        c->zs.avail_in = clen;
        c->v2_seg = s;
        c->v2_block = blk;
    }
    for (;;) {
        long got = records_end((const uint8_t *)c->v2_raw.ptr, c->v2_raw.len,
                               doc - first + 1);
        if (got > 0)
            return MORGUE_OK;
        if (got < 0 || c->v2_raw.len >= rlen)
            break;
        size_t step = rlen - c->v2_raw.len < 4096 ? rlen - c->v2_raw.len : 4096;
        c->zs.next_out = (Bytef *)c->v2_raw.ptr + c->v2_raw.len;
        c->zs.avail_out = (uInt)step;
        int zrc = inflate(&c->zs, Z_SYNC_FLUSH);
        c->v2_raw.len += step - c->zs.avail_out;
        if (zrc != Z_OK && zrc != Z_STREAM_END)
            break;
        if (zrc == Z_STREAM_END && c->v2_raw.len != rlen)
            break;
    }
    c->v2_seg = NULL;
    return err_corrupt(e, "stored block %u does not inflate to its records",
                       blk);
}

int docstore_v2_get(const segment *s, uint32_t doc, docstore_cache *c,
                    span *fields, errmsg *e)
{
    if (doc >= s->n_docs || s->sidx_blocks == 0)
        return err_set(e, MORGUE_ENOTFOUND, "no document %u", doc);
    uint32_t blk = docstore_find_block(s->sidx, s->sidx_blocks, doc,
                                       s->n_docs);
    int rc = inflate_upto(s, blk, doc, c, e);
    if (rc)
        return rc;
    uint32_t first = codec_get_u32le(docstore_idx_entry(s->sidx, blk));
    const uint8_t *p = (const uint8_t *)c->v2_raw.ptr;
    const uint8_t *end = p + c->v2_raw.len;
    for (uint32_t d = first; d <= doc; d++)
        for (int f = 0; f < STORED_FIELDS; f++) {
            uint64_t n;
            if (codec_get_varint(&p, end, &n) || n > (uint64_t)(end - p))
                return err_corrupt(e, "stored record of document %u is "
                                   "truncated", d);
            if (d == doc)
                fields[f] = span_of((const char *)p, (size_t)n);
            p += n;
        }
    return MORGUE_OK;
}

