/* docstore.c: stored fields, block-compressed with zlib. Blocks are small
 * (a few KB) so that fetching one article for a snippet inflates little. */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "index/codec.h"
#include "index/docstore.h"
#include "morgue.h"

void docstore_builder_init(docstore_builder *b, size_t block_size, int level)
{
    memset(b, 0, sizeof *b);
    b->block_size = block_size ? block_size : 16384;
    b->level = level;
}

static int close_block(docstore_builder *b)
{
    if (b->raw.len == 0)
        return MORGUE_OK;
    if (b->n_blocks == b->cap_blocks) {
        size_t cap = b->cap_blocks ? 2 * b->cap_blocks : 64;
        seg_stored_block *n = realloc(b->blocks, cap * sizeof *n);
        if (!n)
            return MORGUE_ENOMEM;
        b->blocks = n;
        b->cap_blocks = cap;
    }
    uLongf bound = compressBound((uLong)b->raw.len);
    if (buf_reserve(&b->out, bound))
        return MORGUE_ENOMEM;
    uLongf clen = bound;
    int zrc = compress2((Bytef *)b->out.ptr + b->out.len, &clen,
                        (const Bytef *)b->raw.ptr, (uLong)b->raw.len,
                        b->level);
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
    return b->raw.len >= b->block_size ? close_block(b) : MORGUE_OK;
}

int docstore_finish(docstore_builder *b) { return close_block(b); }

size_t docstore_memory(const docstore_builder *b)
{
    return b->raw.cap + b->out.cap + b->cap_blocks * sizeof *b->blocks;
}

void docstore_builder_free(docstore_builder *b)
{
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

static int inflate_block(const segment *s, uint32_t blk, docstore_cache *c,
                         errmsg *e)
{
    const uint8_t *x = sidx_entry(s, blk);
    uint32_t clen = codec_get_u32le(x + 4), rlen = codec_get_u32le(x + 8);
    uint64_t off = codec_get_u64le(x + 16);
    if (off > s->stor_len || clen > s->stor_len - off || rlen > (1u << 28))
        return err_corrupt(e, "stored block %u out of bounds", blk);
    buf_clear(&c->raw);
    c->seg = NULL;
    if (buf_reserve(&c->raw, rlen + 1))
        return err_set(e, MORGUE_ENOMEM, "out of memory");
    uLongf got = rlen;
    int zrc = uncompress((Bytef *)c->raw.ptr, &got, s->stor + off, clen);
    if (zrc != Z_OK || got != rlen)
        return err_corrupt(e, "stored block %u does not inflate (zlib %d)",
                           blk, zrc);
    c->raw.len = rlen;
    c->seg = s;
    c->block = blk;
    return MORGUE_OK;
}

int docstore_get(const segment *s, uint32_t doc, docstore_cache *c,
                 span *fields, errmsg *e)
{
    if (doc >= s->n_docs || s->sidx_blocks == 0)
        return err_set(e, MORGUE_ENOTFOUND, "no document %u", doc);
    uint32_t blk = find_block(s, doc);
    if (c->seg != s || c->block != blk) {
        int rc = inflate_block(s, blk, c, e);
        if (rc)
            return rc;
    }
    uint32_t first = codec_get_u32le(sidx_entry(s, blk));
    if (first > doc)
        return err_corrupt(e, "stored index does not cover document %u", doc);
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
    buf_free(&c->raw);
    c->seg = NULL;
}
