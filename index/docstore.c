/* docstore.c: stored fields, block-compressed with zlib. Blocks are small
 * (8 KiB) so that fetching one article for a snippet inflates little; to
 * keep small blocks compressing well, every block of a segment is deflated
 * with the same preset dictionary: the segment's first 32 KiB of records
 * (section SDIC). News text repeats itself (datelines, agencies, phrases),
 * so this recovers most of what larger blocks would gain. */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "index/codec.h"
#include "index/docstore.h"
#include "morgue.h"

#define DICT_SIZE 32768 /* zlib's whole window */

void docstore_builder_init(docstore_builder *b, size_t block_size, int level)
{
    memset(b, 0, sizeof *b);
    b->block_size = block_size ? block_size : DOCSTORE_BLOCK_SIZE;
    b->level = level;
}

/* Compresses raw into out with the dictionary; Z_OK or a zlib error. */
static int deflate_block(docstore_builder *b, uLongf *clen)
{
    if (!b->zs_ready) {
        /* Raw deflate: a zlib header would make every inflate checksum
         * the whole dictionary (the section CRC covers the bytes). */
        if (deflateInit2(&b->zs, b->level, Z_DEFLATED, -15, 8,
                         Z_DEFAULT_STRATEGY) != Z_OK)
            return Z_MEM_ERROR;
        b->zs_ready = 1;
    } else if (deflateReset(&b->zs) != Z_OK) {
        return Z_STREAM_ERROR;
    }
    if (b->dict.len && deflateSetDictionary(&b->zs, (const Bytef *)b->dict.ptr,
                                            (uInt)b->dict.len) != Z_OK)
        return Z_STREAM_ERROR;
    b->zs.next_in = (Bytef *)b->raw.ptr;
    b->zs.avail_in = (uInt)b->raw.len;
    b->zs.next_out = (Bytef *)b->out.ptr + b->out.len;
    b->zs.avail_out = (uInt)*clen;
    int zrc = deflate(&b->zs, Z_FINISH);
    if (zrc != Z_STREAM_END)
        return zrc == Z_OK ? Z_BUF_ERROR : zrc;
    *clen = b->zs.total_out;
    return Z_OK;
}

static int close_block(docstore_builder *b)
{
    if (b->raw.len == 0)
        return MORGUE_OK;
    if (!b->have_dict) { /* the dictionary is the first text seen */
        buf_append(&b->dict, b->raw.ptr,
                   b->raw.len < DICT_SIZE ? b->raw.len : DICT_SIZE);
        if (b->dict.oom)
            return MORGUE_ENOMEM;
        b->have_dict = 1;
    }
    if (b->n_blocks == b->cap_blocks) {
        size_t cap = b->cap_blocks ? 2 * b->cap_blocks : 64;
        seg_stored_block *n = realloc(b->blocks, cap * sizeof *n);
        if (!n)
            return MORGUE_ENOMEM;
        b->blocks = n;
        b->cap_blocks = cap;
    }
    uLongf clen = compressBound((uLong)b->raw.len) + 64;
    if (buf_reserve(&b->out, clen))
        return MORGUE_ENOMEM;
    int zrc = deflate_block(b, &clen);
    if (zrc != Z_OK)
        return zrc == Z_MEM_ERROR ? MORGUE_ENOMEM : MORGUE_ERROR;
    seg_stored_block *blk = &b->blocks[b->n_blocks++];
    blk->first_doc = b->block_first;
    blk->comp_len = (uint32_t)clen;
    blk->raw_len = (uint32_t)b->raw.len;
    blk->offset = b->out.len;
    b->out.len += clen;
    buf_clear(&b->raw);
    b->block_first = b->n_docs;
    return MORGUE_OK;
}

int docstore_add(docstore_builder *b, const span *fields)
{
    for (int f = 0; f < STORED_FIELDS; f++) {
        buf_put_varint(&b->raw, fields[f].len);
        buf_append(&b->raw, fields[f].ptr, fields[f].len);
    }
    if (b->raw.oom)
        return MORGUE_ENOMEM;
    b->n_docs++;
    /* The first block waits for a whole dictionary's worth of text. */
    size_t want = b->have_dict ? b->block_size : DICT_SIZE;
    return b->raw.len >= want ? close_block(b) : MORGUE_OK;
}

int docstore_finish(docstore_builder *b) { return close_block(b); }

size_t docstore_memory(const docstore_builder *b)
{
    return b->raw.cap + b->out.cap + b->cap_blocks * sizeof *b->blocks +
           b->dict.cap;
}

void docstore_builder_free(docstore_builder *b)
{
    if (b->zs_ready)
        deflateEnd(&b->zs);
    buf_free(&b->dict);
    buf_free(&b->raw);
    buf_free(&b->out);
    free(b->blocks);
    memset(b, 0, sizeof *b);
}

static const uint8_t *sidx_entry(const segment *s, uint32_t i)
{
    return s->sidx + 4 + (size_t)i * SIDX_ENTRY_SIZE;
}

/* Block holding doc: the last whose first document <= doc. */
static uint32_t find_block(const segment *s, uint32_t doc)
{
    uint32_t lo = 0, hi = s->sidx_blocks;
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (codec_get_u32le(sidx_entry(s, mid)) <= doc)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

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

/* Inflates block blk of s into c->raw, only as far as document doc's
 * record: a snippet needs one article, not the whole block. */
static int inflate_upto(const segment *s, uint32_t blk, uint32_t doc,
                        docstore_cache *c, errmsg *e)
{
    const uint8_t *x = sidx_entry(s, blk);
    uint32_t first = codec_get_u32le(x);
    uint32_t clen = codec_get_u32le(x + 4), rlen = codec_get_u32le(x + 8);
    uint64_t off = codec_get_u64le(x + 16);
    if (off > s->stor_len || clen > s->stor_len - off || rlen > (1u << 28) ||
        first > doc)
        return err_corrupt(e, "stored block %u out of bounds", blk);
    int fresh = c->seg != s || c->block != blk;
    if (!fresh && records_end((const uint8_t *)c->raw.ptr, c->raw.len,
                              doc - first + 1) > 0)
        return MORGUE_OK; /* already inflated far enough */
    if (fresh) {
        c->seg = NULL;
        buf_clear(&c->raw);
        if (buf_reserve(&c->raw, rlen + 1))
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
        c->seg = s;
        c->block = blk;
    }
    for (;;) {
        long got = records_end((const uint8_t *)c->raw.ptr, c->raw.len,
                               doc - first + 1);
        if (got > 0)
            return MORGUE_OK;
        if (got < 0 || c->raw.len >= rlen)
            break;
        size_t step = rlen - c->raw.len < 4096 ? rlen - c->raw.len : 4096;
        c->zs.next_out = (Bytef *)c->raw.ptr + c->raw.len;
        c->zs.avail_out = (uInt)step;
        int zrc = inflate(&c->zs, Z_SYNC_FLUSH);
        c->raw.len += step - c->zs.avail_out;
        if (zrc != Z_OK && zrc != Z_STREAM_END)
            break;
        if (zrc == Z_STREAM_END && c->raw.len != rlen)
            break;
    }
    c->seg = NULL;
    return err_corrupt(e, "stored block %u does not inflate to its records",
                       blk);
}

int docstore_get(const segment *s, uint32_t doc, docstore_cache *c,
                 span *fields, errmsg *e)
{
    if (doc >= s->n_docs || s->sidx_blocks == 0)
        return err_set(e, MORGUE_ENOTFOUND, "no document %u", doc);
    uint32_t blk = find_block(s, doc);
    int rc = inflate_upto(s, blk, doc, c, e);
    if (rc)
        return rc;
    uint32_t first = codec_get_u32le(sidx_entry(s, blk));
    const uint8_t *p = (const uint8_t *)c->raw.ptr;
    const uint8_t *end = p + c->raw.len;
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

void docstore_cache_free(docstore_cache *c)
{
    if (c->zs_ready)
        inflateEnd(&c->zs);
    c->zs_ready = 0;
    buf_free(&c->raw);
    c->seg = NULL;
}
