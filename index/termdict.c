/* termdict.c: binary search over the dictionary's block first keys (in
 * TDFK, or in the blocks of older segments), then a scan of one
 * front-coded block. Every read is bounds-checked. */
#include <string.h>

#include "index/codec.h"
#include "index/termdict.h"
#include "morgue.h"
#include "util/span.h"

static uint32_t block_off(const segment *s, uint32_t b)
{
    return codec_get_u32le(s->tdic_index + 4 * (size_t)b);
}

static uint32_t block_end(const segment *s, uint32_t b)
{
    return b + 1 < s->tdic_blocks
               ? block_off(s, b + 1)
               : (uint32_t)(s->tdic_index - s->tdic);
}

static int load_block(termdict_iter *it, uint32_t b, errmsg *e)
{
    const segment *s = it->s;
    uint32_t off = block_off(s, b), end = block_end(s, b);
    if (end < off + 16 || end > s->tdic_len)
        return err_corrupt(e, "dictionary block %u has bad bounds", b);
    int rc = segment_tdic_block(s, b, e);
    if (rc)
        return rc;
    it->block = b;
    it->in_block = 0;
    it->p = s->tdic + off + 16;
    it->end = s->tdic + end;
    it->post_off = codec_get_u64le(s->tdic + off);
    it->pos_off = codec_get_u64le(s->tdic + off + 8);
    it->key_len = 0;
    it->info.post_len = it->info.pos_len = 0;
    it->own_post_len = 0;
    return MORGUE_OK;
}

/* Decodes the entry at it->p into it->key / it->info. */
static int read_entry(termdict_iter *it, errmsg *e)
{
    uint64_t shared, suffix, df, plen, qlen;
    const uint8_t *p = it->p;
    if (codec_get_varint(&p, it->end, &shared) ||
        codec_get_varint(&p, it->end, &suffix) || shared > it->key_len ||
        suffix > MAX_KEY - shared || suffix > (uint64_t)(it->end - p))
        return err_corrupt(e, "dictionary block %u: bad key at byte %zu",
                           it->block, (size_t)(p - it->s->tdic));
    memcpy(it->key + shared, p, suffix);
    it->key_len = shared + suffix;
    p += suffix;
    uint64_t alias_off = 0;
    if (codec_get_varint(&p, it->end, &df) ||
        codec_get_varint(&p, it->end, &plen) ||
        ((plen & 1) && codec_get_varint(&p, it->end, &alias_off)) ||
        codec_get_varint(&p, it->end, &qlen) || df == 0 || df > UINT32_MAX)
        return err_corrupt(e, "dictionary block %u: bad entry at byte %zu",
                           it->block, (size_t)(p - it->s->tdic));
    /* This term's data starts where the previous one's ended, unless it
     * shares another term's postings (an alias, flagged in bit 0). */
    it->post_off += it->own_post_len;
    it->pos_off += it->info.pos_len;
    it->own_post_len = (plen & 1) ? 0 : plen >> 1;
    it->info.df = (uint32_t)df;
    it->info.post_off = (plen & 1) ? alias_off : it->post_off;
    it->info.post_len = plen >> 1;
    it->info.pos_off = it->pos_off;
    it->info.pos_len = qlen;
    if (it->info.post_off > it->s->post_len ||
        it->info.post_len > it->s->post_len - it->info.post_off ||
        it->pos_off > it->s->posn_len || qlen > it->s->posn_len - it->pos_off)
        return err_corrupt(e, "dictionary block %u: postings out of bounds",
                           it->block);
    it->p = p;
    it->in_block++;
    return MORGUE_OK;
}

/* Terms in block b: full blocks but the last. */
static uint32_t block_terms(const segment *s, uint32_t b)
{
    return b + 1 < s->tdic_blocks
               ? TDIC_BLOCK_TERMS
               : s->tdic_terms - b * TDIC_BLOCK_TERMS;
}

int termdict_next(termdict_iter *it, errmsg *e)
{
    const segment *s = it->s;
    if (s->tdic_blocks == 0)
        return 0;
    while (it->in_block >= block_terms(s, it->block)) {
        if (it->block + 1 >= s->tdic_blocks)
            return 0;
        int rc = load_block(it, it->block + 1, e);
        if (rc)
            return rc;
    }
    int rc = read_entry(it, e);
    return rc ? rc : 1;
}

int termdict_first_key(const segment *s, uint32_t b, const char **k,
                       size_t *n)
{
    if (!s->tdfk || b >= s->tdic_blocks)
        return -1;
    const uint8_t *offs = s->tdfk + 8;
    const uint8_t *keys = offs + 4 * ((size_t)s->tdic_blocks + 1);
    size_t keys_len = s->tdfk_len - (size_t)(keys - s->tdfk);
    uint32_t a = codec_get_u32le(offs + 4 * (size_t)b);
    uint32_t z = codec_get_u32le(offs + 4 * (size_t)b + 4);
    if (a > z || z > keys_len || z - a > MAX_KEY)
        return -1;
    *k = (const char *)keys + a;
    *n = z - a;
    return 0;
}

/* find_block over TDFK: the first keys side by side, one small section
 * (verified whole on its first use) instead of a TDIC page per probe. */
static int find_block_fk(const segment *s, const char *key, size_t len,
                         uint32_t *out, errmsg *e)
{
    int rc = segment_need(s, SEG_NEED_TDFK, e);
    if (rc)
        return rc;
    uint32_t lo = 0, hi = s->tdic_blocks; /* answer in [lo, hi) */
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        const char *k;
        size_t n;
        if (termdict_first_key(s, mid, &k, &n))
            return err_corrupt(e, "dictionary first key %u has bad bounds",
                               mid);
        if (span_cmp(k, n, key, len) <= 0)
            lo = mid;
        else
            hi = mid;
    }
    *out = lo;
    return MORGUE_OK;
}

/* Last block whose first key <= key (0 when key sorts first). */
static int find_block(const segment *s, const char *key, size_t len,
                      uint32_t *out, errmsg *e)
{
    if (s->tdfk)
        return find_block_fk(s, key, len, out, e);
    uint32_t lo = 0, hi = s->tdic_blocks; /* answer in [lo, hi) */
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        /* a block's first key is stored whole: compared in place */
        uint32_t off = block_off(s, mid), end = block_end(s, mid);
        if (end < off + 16 || end > s->tdic_len)
            return err_corrupt(e, "dictionary block %u has bad bounds", mid);
        int rc = segment_tdic_block(s, mid, e);
        if (rc)
            return rc;
        const uint8_t *p = s->tdic + off + 16, *stop = s->tdic + end;
        uint64_t shared, suffix;
        if (codec_get_varint(&p, stop, &shared) ||
            codec_get_varint(&p, stop, &suffix) || shared != 0 ||
            suffix > MAX_KEY || suffix > (uint64_t)(stop - p))
            return err_corrupt(e, "dictionary block %u: bad key at byte %zu",
                               mid, (size_t)(p - s->tdic));
        if (span_cmp((const char *)p, (size_t)suffix, key, len) <= 0)
            lo = mid;
        else
            hi = mid;
    }
    *out = lo;
    return MORGUE_OK;
}

int termdict_seek(termdict_iter *it, const segment *s, const char *start,
                  size_t len, errmsg *e)
{
    memset(it, 0, sizeof *it);
    it->s = s;
    if (s->tdic_blocks == 0) {
        it->p = it->end = NULL;
        return MORGUE_OK;
    }
    uint32_t b;
    int rc = find_block(s, start, len, &b, e);
    if (rc == MORGUE_OK)
        rc = load_block(it, b, e);
    if (rc)
        return rc;
    /* Position just before the first key >= start. */
    for (;;) {
        termdict_iter save = *it;
        rc = termdict_next(it, e);
        if (rc <= 0)
            return rc;
        if (span_cmp(it->key, it->key_len, start, len) >= 0) {
            *it = save;
            return MORGUE_OK;
        }
    }
}

/* A seek and a read in one scan of the block: the key can only be in
 * the block find_block names, so no iterator state need be kept to step
 * back (what termdict_seek copies per entry). */
void termdict_prefetch(const segment *s, const char *key, size_t len)
{
    errmsg e;
    uint32_t b;
    if (!s->tdfk || s->tdic_blocks == 0 ||
        find_block_fk(s, key, len, &b, &e) != MORGUE_OK)
        return; /* the lookup itself reports it */
    uint32_t off = block_off(s, b), end = block_end(s, b);
    if (end >= off + 16 && end <= s->tdic_len)
        segment_will_read(s, s->tdic + off, end - off);
}

/* Bytes a and b have in common at their start. */
static size_t common(const uint8_t *a, const char *b, size_t n)
{
    size_t i = 0;
    while (i < n && a[i] == (uint8_t)b[i])
        i++;
    return i;
}

/* One scan of the block find_block names, without building each key:
 * with m the bytes the last key read (below key) has in common with
 * key, an entry that keeps more than m of that last key is below key
 * as well (it has the last key's byte at m, which is below key's), so
 * only entries keeping at most m bytes are compared, and only from
 * their kept length on. The offsets still add up entry by entry. */
int termdict_find(const segment *s, const char *key, size_t len,
                  term_info *out, errmsg *e)
{
    if (s->tdic_blocks == 0)
        return 0;
    termdict_iter it = { .s = s };
    uint32_t b;
    int rc = find_block(s, key, len, &b, e);
    if (rc == MORGUE_OK)
        rc = load_block(&it, b, e);
    if (rc)
        return rc;
    uint32_t n = block_terms(s, b);
    const uint8_t *p = it.p, *end = it.end;
    uint64_t post_off = it.post_off, pos_off = it.pos_off;
    uint64_t own = 0, qlen = 0; /* the last entry's */
    size_t last_len = 0, m = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t shared, suffix, df, plen, alias_off = 0;
        if (codec_get_varint(&p, end, &shared) ||
            codec_get_varint(&p, end, &suffix) || shared > last_len ||
            suffix > MAX_KEY - shared || suffix > (uint64_t)(end - p))
            return err_corrupt(e, "dictionary block %u: bad key at byte %zu",
                               b, (size_t)(p - s->tdic));
        const uint8_t *sfx = p;
        p += suffix;
        post_off += own;
        pos_off += qlen;
        if (codec_get_varint(&p, end, &df) ||
            codec_get_varint(&p, end, &plen) ||
            ((plen & 1) && codec_get_varint(&p, end, &alias_off)) ||
            codec_get_varint(&p, end, &qlen) || df == 0 || df > UINT32_MAX)
            return err_corrupt(e, "dictionary block %u: bad entry at byte %zu",
                               b, (size_t)(p - s->tdic));
        own = (plen & 1) ? 0 : plen >> 1;
        uint64_t at = (plen & 1) ? alias_off : post_off;
        if (at > s->post_len || (plen >> 1) > s->post_len - at ||
            pos_off > s->posn_len || qlen > s->posn_len - pos_off)
            return err_corrupt(e, "dictionary block %u: postings out of "
                               "bounds", b);
        last_len = (size_t)(shared + suffix);
        if (shared > m)
            continue;
        /* the entry's first `shared` bytes are key's: compare the rest */
        size_t kl = len - (size_t)shared, sl = (size_t)suffix;
        int c = span_cmp((const char *)sfx, sl, key + shared, kl);
        if (c > 0)
            return 0;
        if (c == 0) {
            *out = (term_info){ (uint32_t)df, at, plen >> 1, pos_off, qlen };
            return 1;
        }
        m = (size_t)shared + common(sfx, key + shared, sl < kl ? sl : kl);
    }
    return 0;
}

int termdict_at_post(termdict_iter *it, const segment *s, uint64_t post_off,
                     errmsg *e)
{
    memset(it, 0, sizeof *it);
    it->s = s;
    if (s->tdic_blocks == 0)
        return 0;
    /* Offsets ascend with keys, so blocks ascend by their first term's
     * offset: the last block starting at or before post_off holds it. */
    uint32_t lo = 0, hi = s->tdic_blocks;
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        termdict_iter x = { .s = s };
        int rc = load_block(&x, mid, e);
        if (rc)
            return rc;
        if (x.post_off <= post_off)
            lo = mid;
        else
            hi = mid;
    }
    int rc = load_block(it, lo, e);
    while (rc == MORGUE_OK) {
        rc = termdict_next(it, e);
        if (rc <= 0)
            return rc;
        if (it->own_post_len && it->info.post_off == post_off)
            return 1;
        if (it->post_off > post_off)
            return 0;
        rc = MORGUE_OK;
    }
    return rc;
}
