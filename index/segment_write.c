/* segment_write.c: serialises a segment into one .mseg file (format in
 * index/format.h): postings re-blocked with skip data, the front-coded
 * dictionary, the columns and stored fields.
 *
 * Everything is streamed to the file: terms come one at a time (from the
 * inverter's sorted array or a merge's callback) and their documents one
 * at a time too; the dictionary, postings and positions they add to are
 * spooled (index/spool.h) and copied into the file in format order, each
 * section's CRC computed as its bytes are written. Only one term's
 * postings (its blocks and skip table, some bytes per document) are held
 * at once, and a block's 128 documents. An alias (a stem sharing a
 * word's postings) is resolved by looking the word up in the dictionary
 * being written, through a sparse index of its blocks' first keys, so
 * no per-term table is kept either. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "index/codec.h"
#include "index/format.h"
#include "index/segment.h"
#include "index/spool.h"
#include "morgue.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/span.h"

/* ---- the file ---- */

/* Writes of 64 KiB, not more: the page cache holds a file in folios as
 * large as the writes that filled it (ext4 on Linux 6.16+), and a fault
 * on a mapped segment maps its whole folio. Written 256 KiB at a time,
 * every identity lookup and merge read of a segment mapped 256 KiB, and
 * `morgue index --memory 16` of check_memory's feed peaked at 73 MB
 * (RssFile 25 MB); written 64 KiB at a time (the kernel's fault-around
 * window), 64 MB (RssFile 13-16 MB). */
#define OUT_BUF (64u << 10)

struct seg_out {
    int fd;
    uint64_t off;        /* bytes written, buffered ones included */
    char *wbuf;
    size_t wlen;
    buf dir;
    uint32_t n_sections;
    uint64_t sec_start;
    uLong crc;
    int rc;
    errmsg *e;
    const char *path;
    /* what seg_out_put writes is also given to tap (LSET counts LANG's
     * values as a merge streams them) */
    void (*tap)(void *ud, const void *p, size_t n);
    void *tap_ud;
};

static void out_flush(seg_out *o)
{
    const char *c = o->wbuf;
    size_t n = o->wlen;
    while (o->rc == 0 && n > 0) {
        ssize_t w = write(o->fd, c, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0) {
            o->rc = err_set(o->e, MORGUE_EIO, "%s: write: %s", o->path,
                            strerror(errno));
            break;
        }
        c += w;
        n -= (size_t)w;
    }
    o->wlen = 0;
}

/* Bytes into the file, outside any checksum. */
static void out_raw(seg_out *o, const void *p, size_t n)
{
    const char *c = p;
    while (o->rc == 0 && n > 0) {
        size_t k = OUT_BUF - o->wlen < n ? OUT_BUF - o->wlen : n;
        memcpy(o->wbuf + o->wlen, c, k);
        o->wlen += k;
        o->off += k;
        c += k;
        n -= k;
        if (o->wlen == OUT_BUF)
            out_flush(o);
    }
}

void seg_out_put(seg_out *o, const void *p, size_t n)
{
    if (o->rc)
        return;
    const Bytef *bp = p;
    for (size_t left = n; left > 0;) { /* crc32 takes uInt lengths */
        uInt chunk = left > (1u << 30) ? (1u << 30) : (uInt)left;
        o->crc = crc32(o->crc, bp, chunk);
        bp += chunk;
        left -= chunk;
    }
    if (o->tap)
        o->tap(o->tap_ud, p, n);
    out_raw(o, p, n);
}

/* Where the next byte goes in the file. */
static uint64_t seg_out_offset(const seg_out *o) { return o->off; }

static void out_align(seg_out *o)
{
    static const char zeros[8];
    if (o->off % 8)
        out_raw(o, zeros, 8 - o->off % 8);
}

static void section_begin(seg_out *o)
{
    out_align(o);
    o->sec_start = o->off;
    o->crc = crc32(0L, Z_NULL, 0);
}

static void section_end(seg_out *o, uint32_t tag)
{
    buf_put_u32le(&o->dir, tag);
    buf_put_u32le(&o->dir, 0);
    buf_put_u64le(&o->dir, o->sec_start);
    buf_put_u64le(&o->dir, o->off - o->sec_start);
    buf_put_u32le(&o->dir, (uint32_t)o->crc);
    buf_put_u32le(&o->dir, 0);
    o->n_sections++;
}

static int put_cb(void *ud, const void *p, size_t n)
{
    seg_out *o = ud;
    seg_out_put(o, p, n);
    return o->rc ? -1 : 0;
}

static void put_section(seg_out *o, const seg_section *s)
{
    section_begin(o);
    if (s->gen) {
        int rc = s->gen(s->ud, o, o->e);
        if (rc && o->rc == 0)
            o->rc = rc;
    } else if (s->spool) {
        if (spool_each(s->spool, put_cb, o) && o->rc == 0)
            o->rc = spool_check(s->spool, "a section", o->e);
        if (o->rc == 0 && s->spool->err) /* read error, put was fine */
            o->rc = spool_check(s->spool, "a section", o->e);
    } else {
        seg_out_put(o, s->ptr, s->len);
    }
    section_end(o, s->tag);
}

static void write_file(seg_out *o, const seg_section *secs, size_t n,
                       uint32_t version)
{
    uint8_t header[16] = { 0 };
    memcpy(header, SEGMENT_MAGIC, 8);
    header[8] = (uint8_t)version; /* u32le; the version is < 256 */
    out_raw(o, header, sizeof header);
    for (size_t i = 0; i < n && o->rc == 0; i++)
        put_section(o, &secs[i]);
    out_align(o);
    if (o->dir.oom && o->rc == 0)
        o->rc = err_set(o->e, MORGUE_ENOMEM, "out of memory");
    if (o->rc)
        return;
    uint64_t dir_off = o->off;
    out_raw(o, o->dir.ptr, o->dir.len);
    uint8_t foot[SEGMENT_FOOTER_SIZE];
    uint32_t v[4] = { o->n_sections,
                      (uint32_t)crc32(0L, (const Bytef *)o->dir.ptr,
                                      (uInt)o->dir.len),
                      version, 0 };
    for (int k = 0; k < 8; k++)
        foot[k] = (uint8_t)(dir_off >> (8 * k));
    for (int f = 0; f < 4; f++)
        for (int k = 0; k < 4; k++)
            foot[8 + 4 * f + k] = (uint8_t)(v[f] >> (8 * k));
    memcpy(foot + 24, SEGMENT_END_MAGIC, 8);
    out_raw(o, foot, sizeof foot);
    out_flush(o);
}

int segment_write_sections(const char *path, const seg_section *secs,
                           size_t n, uint32_t version, errmsg *e)
{
    seg_out o = { .fd = -1, .dir = BUF_INIT, .e = e, .path = path };
    o.wbuf = malloc(OUT_BUF);
    if (!o.wbuf)
        return err_set(e, MORGUE_ENOMEM, "out of memory");
    /* O_EXCL: a segment name is never reused, so an existing file means
     * another writer is at work here; never truncate what it may map. */
    o.fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (o.fd < 0) {
        free(o.wbuf);
        return err_set(e, MORGUE_EIO, "%s: %s", path, strerror(errno));
    }
    write_file(&o, secs, n, version);
    if (o.rc == 0 && fsync(o.fd) != 0)
        o.rc = err_set(e, MORGUE_EIO, "%s: fsync: %s", path, strerror(errno));
    if (close(o.fd) != 0 && o.rc == 0)
        o.rc = err_set(e, MORGUE_EIO, "%s: close: %s", path, strerror(errno));
    buf_free(&o.dir);
    free(o.wbuf);
    if (o.rc != MORGUE_OK)
        unlink(path);
    return o.rc;
}

/* ---- postings ---- */

/* Length (DLEN or TLEN, by len_col) of document doc. */
static uint32_t doc_len(const seg_build *b, int len_col, uint32_t doc)
{
    if (b->put_column)
        return (len_col == COL_TLEN ? b->tlen : b->dlen)[doc];
    return (uint32_t)colset_get(b->cols, (size_t)len_col, doc);
}

/* n documents bit-packed: the gaps, then tf - 1, each a PFor block
 * (codec.h; PFOR). Every full block, and (PACKTAIL) a short one of at
 * least POSTINGS_PACK_MIN. */
static void put_packed(buf *out, const uint32_t *docs, const uint32_t *tfs,
                       uint32_t n, uint32_t prev_doc, int first)
{
    uint32_t v[CODEC_BLOCK] = { 0 };
    uint8_t packed[CODEC_PFOR_MAX(CODEC_BLOCK)];
    for (uint32_t i = 0; i < n; i++) {
        uint32_t before = i ? docs[i - 1] : prev_doc;
        v[i] = (i == 0 && first) ? docs[0] : docs[i] - before - 1;
    }
    buf_append(out, packed, codec_pfor_put(packed, v, n, 1));
    for (uint32_t i = 0; i < n; i++)
        v[i] = tfs[i] - 1;
    buf_append(out, packed, codec_pfor_put(packed, v, n, 1));
}

/* A term's short last block (PACKTAIL): bit-packed from
 * POSTINGS_PACK_MIN documents on; below that, per document the varint
 * `gap << 1 | (tf == 1)`, then `tf - 2` only when tf > 1. */
static void put_short_block(buf *out, const uint32_t *docs,
                            const uint32_t *tfs, uint32_t n,
                            uint32_t prev_doc, int first)
{
    if (n >= POSTINGS_PACK_MIN) {
        put_packed(out, docs, tfs, n, prev_doc, first);
        return;
    }
    for (uint32_t i = 0; i < n; i++) {
        uint32_t before = i ? docs[i - 1] : prev_doc;
        uint64_t gap = (i == 0 && first) ? docs[0] : docs[i] - before - 1;
        buf_put_varint(out, gap << 1 | (tfs[i] == 1));
        if (tfs[i] > 1)
            buf_put_varint(out, tfs[i] - 2);
    }
}

typedef struct impact {
    uint32_t tf, len;
} impact;

/* A block's impacts: the (tf, length) pairs no other pair beats on both
 * counts (higher tf, shorter document). The best BM25 score of the block
 * is reached at one of them, for any k1, b and average length. At most
 * IMPACTS_MAX are kept; the last then merges the rest as (their largest
 * tf, their smallest length), still an upper bound. The frontier is kept
 * as documents come (it stays small), so no sort of the block is needed. */
static void put_impacts(buf *out, const uint32_t *tfs, const uint32_t *docs,
                        uint32_t n, const seg_build *b, int len_col)
{
    impact f[CODEC_BLOCK];
    uint32_t k = 0;
    for (uint32_t i = 0; i < n; i++) {
        impact x = { tfs[i], doc_len(b, len_col, docs[i]) };
        int beaten = 0;
        for (uint32_t j = 0; j < k && !beaten; j++)
            beaten = f[j].tf >= x.tf && f[j].len <= x.len;
        if (beaten)
            continue;
        uint32_t w = 0;
        for (uint32_t j = 0; j < k; j++)
            if (!(x.tf >= f[j].tf && x.len <= f[j].len))
                f[w++] = f[j]; /* keep what x does not beat */
        k = w;
        f[k++] = x;
    }
    for (uint32_t i = 1; i < k; i++) /* tf descending: lengths ascend */
        for (uint32_t j = i; j > 0 && f[j - 1].tf < f[j].tf; j--) {
            impact t = f[j];
            f[j] = f[j - 1];
            f[j - 1] = t;
        }
    for (uint32_t i = IMPACTS_MAX; i < k; i++) { /* fold the tail */
        if (f[i].len < f[IMPACTS_MAX - 1].len)
            f[IMPACTS_MAX - 1].len = f[i].len;
    }
    if (k > IMPACTS_MAX)
        k = IMPACTS_MAX;
    buf_put_varint(out, k);
    for (uint32_t i = 0; i < k; i++) {
        buf_put_varint(out, f[i].tf);
        buf_put_varint(out, f[i].len);
    }
}

static size_t shared_prefix(const char *a, size_t al, const char *b, size_t bl)
{
    size_t n = 0;
    while (n < al && n < bl && a[n] == b[n])
        n++;
    return n;
}



/* A block of the dictionary as written, for looking terms up in it. */
typedef struct tblock {
    size_t key_off, key_len; /* its first key, in termw.keys */
    uint64_t at;             /* its offset in the tdic spool */
    uint64_t post_off;       /* postings offset of its first term */
} tblock;

/* The term writer: POST, POSN and TDIC's blocks are spooled (TDIC's
 * header and block index are added when the section is written). */
typedef struct termw {
    const seg_build *b;
    spool tdic, post, posn;
    buf index;                 /* u32 per block: offset within TDIC */
    buf crcs;                  /* u32 per finished block: its CRC-32 */
    uLong crc;                 /* of the current block so far */
    tblock *blocks;
    size_t n_blocks, cap_blocks;
    buf keys;                  /* the blocks' first keys */
    buf ent, tpost, skips, look;
    buf gpost, gpos;           /* a term's bytes, from seg_build.gather */
    uint32_t docs[CODEC_BLOCK], tfs[CODEC_BLOCK];
    size_t n_terms;
    uint64_t n_words;
    char prev[MAX_KEY];
    size_t prev_len;
} termw;

/* The inverter's arrays as a document stream (seg_term.next_doc). */
typedef struct arr_docs {
    const uint8_t *p, *end, *q, *qend;
    uint32_t left;
    uint64_t doc;
    int first;
} arr_docs;

static int arr_next(void *ud, seg_doc *d, errmsg *e)
{
    arr_docs *a = ud;
    if (a->left == 0)
        return 0;
    uint64_t gap, tf1;
    if (codec_get_varint(&a->p, a->end, &gap) ||
        codec_get_varint(&a->p, a->end, &tf1))
        return err_set(e, MORGUE_ERROR, "inverted postings do not decode");
    a->doc = a->first ? gap : a->doc + gap + 1;
    a->first = 0;
    a->left--;
    d->doc = (uint32_t)a->doc;
    d->tf = (uint32_t)tf1 + 1;
    d->pos = a->q;
    if (a->q) {
        for (uint64_t k = 0; k <= tf1; k++) {
            uint64_t v;
            if (codec_get_varint(&a->q, a->qend, &v))
                return err_set(e, MORGUE_ERROR,
                               "inverted positions do not decode");
        }
    }
    d->pos_len = a->q ? (size_t)(a->q - d->pos) : 0;
    return 1;
}

/* One block of n documents (tw->docs, tw->tfs) into tpost and its skip
 * entry into skips. */
static void end_block(termw *tw, uint32_t n, uint32_t blk, uint32_t *prev_last,
                      uint64_t pos_end, uint64_t *prev_pos_end, int len_col)
{
    size_t before = tw->tpost.len;
    if (n == CODEC_BLOCK)
        put_packed(&tw->tpost, tw->docs, tw->tfs, n, *prev_last, blk == 0);
    else
        put_short_block(&tw->tpost, tw->docs, tw->tfs, n, *prev_last,
                        blk == 0);
    uint32_t last = tw->docs[n - 1];
    buf_put_varint(&tw->skips, last - (blk ? *prev_last : 0));
    buf_put_varint(&tw->skips, tw->tpost.len - before);
    buf_put_varint(&tw->skips, pos_end - *prev_pos_end);
    put_impacts(&tw->skips, tw->tfs, tw->docs, n, tw->b, len_col);
    *prev_last = last;
    *prev_pos_end = pos_end;
}

/* Writes one term's postings and positions; its document count into *df
 * (0: it had none, nothing written) and its postings bytes into
 * *post_len. */
static int write_postings(termw *tw, const seg_term *t, uint32_t *df,
                          uint64_t *post_len, errmsg *e)
{
    const uint8_t *post = t->post, *pos = t->pos;
    size_t post_n = t->post_len, pos_n = t->pos_len;
    uint32_t n_docs = t->df;
    if (tw->b->gather && !t->next_doc) {
        if (tw->b->gather(tw->b->gather_ud, t, &tw->gpost, &tw->gpos,
                          &n_docs))
            return err_set(e, MORGUE_ENOMEM, "term '%.*s': out of memory "
                           "or postings that do not decode",
                           (int)t->key_len, t->key);
        post = (const uint8_t *)tw->gpost.ptr;
        pos = (const uint8_t *)tw->gpos.ptr;
        post_n = tw->gpost.len;
        pos_n = tw->gpos.len;
    }
    arr_docs a = { post, post ? post + post_n : NULL,
                   pos_n ? pos : NULL, pos_n ? pos + pos_n : NULL, n_docs,
                   0, 1 };
    int (*next)(void *, seg_doc *, errmsg *) = t->next_doc ? t->next_doc
                                                           : arr_next;
    void *ud = t->next_doc ? t->doc_ud : &a;
    int len_col = t->key_len && t->key[0] == NS_TITLE ? COL_TLEN : COL_DLEN;
    buf_clear(&tw->tpost);
    buf_clear(&tw->skips);
    uint64_t pos_start = tw->posn.len, prev_pos_end = 0;
    uint32_t n = 0, blk = 0, prev_last = 0, last = 0;
    *df = 0;
    for (;;) {
        seg_doc d;
        int rc = next(ud, &d, e);
        if (rc < 0)
            return rc;
        if (rc == 0)
            break;
        if (*df == UINT32_MAX || (*df && d.doc <= last) || d.tf == 0)
            return err_set(e, MORGUE_ERROR, "term '%.*s': documents out of "
                           "order", (int)t->key_len, t->key);
        last = d.doc;
        tw->docs[n] = d.doc;
        tw->tfs[n] = d.tf;
        n++;
        (*df)++;
        spool_append(&tw->posn, d.pos, d.pos_len);
        if (n == CODEC_BLOCK) {
            end_block(tw, n, blk++, &prev_last, tw->posn.len - pos_start,
                      &prev_pos_end, len_col);
            n = 0;
        }
    }
    if (n)
        end_block(tw, n, blk++, &prev_last, tw->posn.len - pos_start,
                  &prev_pos_end, len_col);
    if (tw->tpost.oom || tw->skips.oom)
        return err_set(e, MORGUE_ENOMEM, "out of memory writing a segment");
    if (blk > 1) /* one-block terms need no skip table */
        spool_append(&tw->post, tw->skips.ptr, tw->skips.len);
    spool_append(&tw->post, tw->tpost.ptr, tw->tpost.len);
    *post_len = (blk > 1 ? tw->skips.len : 0) + tw->tpost.len;
    return MORGUE_OK;
}

/* Finds key in the dictionary written so far: 1 with its document
 * frequency, postings offset and length, 0 when it is not there. */
static int lookup(termw *tw, const char *key, size_t len, uint32_t *df,
                  uint64_t *post_off, uint64_t *post_len, errmsg *e)
{
    size_t lo = 0, hi = tw->n_blocks; /* last block with first key <= key */
    if (hi == 0)
        return 0;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        const tblock *x = &tw->blocks[mid];
        if (span_cmp(tw->keys.ptr + x->key_off, x->key_len, key, len) <= 0)
            lo = mid;
        else
            hi = mid;
    }
    const tblock *x = &tw->blocks[lo];
    uint64_t end = lo + 1 < tw->n_blocks ? tw->blocks[lo + 1].at
                                         : tw->tdic.len;
    buf_clear(&tw->look);
    if (buf_reserve(&tw->look, (size_t)(end - x->at)))
        return err_set(e, MORGUE_ENOMEM, "out of memory");
    if (spool_read(&tw->tdic, tw->look.ptr, (size_t)(end - x->at), x->at))
        return spool_check(&tw->tdic, "a dictionary", e);
    const uint8_t *p = (const uint8_t *)tw->look.ptr + 16;
    const uint8_t *pend = (const uint8_t *)tw->look.ptr + (end - x->at);
    char k[MAX_KEY];
    size_t klen = 0;
    uint64_t at = x->post_off;
    while (p < pend) {
        uint64_t shared, suffix, d, plen, aoff = 0, qlen;
        if (codec_get_varint(&p, pend, &shared) ||
            codec_get_varint(&p, pend, &suffix) || shared > klen ||
            suffix > MAX_KEY - shared || suffix > (uint64_t)(pend - p))
            break;
        memcpy(k + shared, p, suffix);
        klen = shared + suffix;
        p += suffix;
        if (codec_get_varint(&p, pend, &d) ||
            codec_get_varint(&p, pend, &plen) ||
            ((plen & 1) && codec_get_varint(&p, pend, &aoff)) ||
            codec_get_varint(&p, pend, &qlen))
            break;
        if (klen == len && memcmp(k, key, len) == 0) {
            *df = (uint32_t)d;
            *post_off = (plen & 1) ? aoff : at;
            *post_len = plen >> 1;
            return 1;
        }
        if (!(plen & 1))
            at += plen >> 1;
    }
    return 0;
}

static int key_add_block(termw *tw, const seg_term *t)
{
    if (tw->n_blocks == tw->cap_blocks) {
        size_t cap = mem_grow_cap(tw->cap_blocks, tw->n_blocks + 1,
                                  sizeof *tw->blocks);
        tblock *x = cap ? mem_rearray(tw->blocks, cap, sizeof *x) : NULL;
        if (!x)
            return -1;
        tw->blocks = x;
        tw->cap_blocks = cap;
    }
    tw->blocks[tw->n_blocks++] = (tblock){ tw->keys.len, t->key_len,
                                           tw->tdic.len, tw->post.len };
    buf_append(&tw->keys, t->key, t->key_len);
    buf_put_u32le(&tw->index, (uint32_t)(16 + tw->tdic.len));
    return tw->keys.oom || tw->index.oom ? -1 : 0;
}

/* Adds term t (documents already written, or an alias) to the
 * dictionary. */
/* Appends to the dictionary's blocks, keeping the block's CRC. */
static void tdic_put(termw *tw, const void *p, size_t n)
{
    tw->crc = crc32(tw->crc, p, (uInt)n);
    spool_append(&tw->tdic, p, n);
}

static int put_entry(termw *tw, const seg_term *t, uint32_t df,
                     uint64_t post_before, uint64_t posn_before,
                     uint64_t post_len, uint64_t posn_len, int alias,
                     uint64_t alias_off)
{
    size_t shared = 0;
    if (tw->n_terms % TDIC_BLOCK_TERMS == 0) {
        if (tw->n_blocks)
            buf_put_u32le(&tw->crcs, (uint32_t)tw->crc);
        tw->crc = crc32(0L, Z_NULL, 0);
        if (key_add_block(tw, t))
            return -1;
        tw->blocks[tw->n_blocks - 1].post_off = post_before;
        uint8_t h[16];
        for (int k = 0; k < 8; k++) {
            h[k] = (uint8_t)(post_before >> (8 * k));
            h[8 + k] = (uint8_t)(posn_before >> (8 * k));
        }
        tdic_put(tw, h, sizeof h);
    } else {
        shared = shared_prefix(tw->prev, tw->prev_len, t->key, t->key_len);
    }
    buf *x = &tw->ent;
    buf_clear(x);
    buf_put_varint(x, shared);
    buf_put_varint(x, t->key_len - shared);
    buf_append(x, t->key + shared, t->key_len - shared);
    buf_put_varint(x, df);
    buf_put_varint(x, post_len << 1 | (uint64_t)alias);
    if (alias)
        buf_put_varint(x, alias_off);
    buf_put_varint(x, alias ? 0 : posn_len);
    if (x->oom)
        return -1;
    tdic_put(tw, x->ptr, x->len);
    memcpy(tw->prev, t->key, t->key_len);
    tw->prev_len = t->key_len;
    tw->n_terms++;
    if (t->key_len && t->key[0] == NS_WORD)
        tw->n_words++;
    return 0;
}

/* Where write_terms gets its terms: the sorted array, or the callback. */
static int next_term(const seg_build *b, size_t i, seg_term *t, errmsg *e)
{
    if (!b->next_term) {
        if (i >= b->n_terms)
            return 0;
        *t = b->terms[i];
        if (t->alias < i) {
            t->alias_key = b->terms[t->alias].key;
            t->alias_key_len = b->terms[t->alias].key_len;
        }
        return 1;
    }
    return b->next_term(b->ud, t, e);
}

static int write_one(termw *tw, const seg_term *t, errmsg *e)
{
    if (t->key_len > MAX_KEY || t->key_len == 0)
        return err_set(e, MORGUE_ERROR, "a term key of %zu bytes",
                       t->key_len);
    uint64_t post_before = tw->post.len, posn_before = tw->posn.len;
    uint64_t post_len = 0, alias_off = 0;
    uint32_t df = 0;
    int alias = t->alias_key != NULL, rc;
    if (alias)
        rc = lookup(tw, t->alias_key, t->alias_key_len, &df, &alias_off,
                    &post_len, e);
    else
        rc = write_postings(tw, t, &df, &post_len, e);
    if (rc < 0)
        return rc;
    if (df == 0) /* every document deleted, or an alias of nothing */
        return MORGUE_OK;
    if (put_entry(tw, t, df, post_before, posn_before, post_len,
                  tw->posn.len - posn_before, alias, alias_off))
        return err_set(e, MORGUE_ENOMEM, "out of memory writing a segment");
    return MORGUE_OK;
}

static int write_range(termw *tw, size_t from, size_t to, errmsg *e)
{
    for (size_t i = from; i < to; i++) {
        seg_term t;
        int rc = next_term(tw->b, i, &t, e);
        if (rc <= 0)
            return rc;
        if ((rc = write_one(tw, &t, e)))
            return rc;
    }
    return MORGUE_OK;
}

static void termw_free(termw *tw);

/* The postings and positions of the terms [from, to) of a sorted array,
 * encoded by a second thread into spools of its own while the caller
 * writes the terms before them; the caller then appends those spools to
 * its own and adds the dictionary entries. Each term's bytes do not
 * depend on where they land, so the segment is the same as written by
 * one thread. */
typedef struct post_part {
    termw tw;                  /* its post and posn spools, scratch */
    size_t from, to;
    uint32_t *df;              /* per term (0: an alias, not encoded) */
    uint64_t *post_len;        /* per term: its postings bytes */
    uint64_t *post_at, *posn_at; /* per term and one more: where its
                                    bytes start in the part's spools */
    int rc;
    errmsg e;
} post_part;

static void *part_main(void *arg)
{
    post_part *p = arg;
    for (size_t i = p->from; i < p->to && p->rc == MORGUE_OK; i++) {
        size_t k = i - p->from;
        seg_term t;
        next_term(p->tw.b, i, &t, &p->e);
        p->post_at[k] = p->tw.post.len;
        p->posn_at[k] = p->tw.posn.len;
        p->df[k] = 0;
        if (t.alias_key) /* looked up in the dictionary, in order, later */
            continue;
        if (t.key_len > MAX_KEY || t.key_len == 0)
            p->rc = err_set(&p->e, MORGUE_ERROR, "a term key of %zu bytes",
                            t.key_len);
        else
            p->rc = write_postings(&p->tw, &t, &p->df[k], &p->post_len[k],
                                   &p->e);
    }
    p->post_at[p->to - p->from] = p->tw.post.len;
    p->posn_at[p->to - p->from] = p->tw.posn.len;
    if (p->rc == MORGUE_OK)
        p->rc = spool_check(&p->tw.post, "postings", &p->e);
    if (p->rc == MORGUE_OK)
        p->rc = spool_check(&p->tw.posn, "positions", &p->e);
    return NULL;
}

/* Two threads are worth starting from this many bytes of postings. */
#define PART_MIN_BYTES (256u << 10)

/* Where the second thread's terms start: the first term past half of the
 * postings and positions bytes (n_terms when too few to share). */
static size_t part_split(const seg_build *b)
{
    uint64_t total = 0, half = 0;
    for (size_t i = 0; i < b->n_terms; i++)
        total += b->terms[i].post_len + b->terms[i].pos_len;
    if (total < PART_MIN_BYTES)
        return b->n_terms;
    for (size_t i = 0; i < b->n_terms; i++) {
        half += b->terms[i].post_len + b->terms[i].pos_len;
        if (2 * half >= total)
            return i + 1;
    }
    return b->n_terms;
}

static int spool_put(void *ud, const void *p, size_t n)
{
    spool_append(ud, p, n);
    return 0;
}

/* The part's terms into tw after the caller's: their bytes, then their
 * dictionary entries (aliases looked up as write_one does). */
static int part_join(termw *tw, post_part *p, errmsg *e)
{
    uint64_t post0 = tw->post.len, posn0 = tw->posn.len;
    if (spool_each(&p->tw.post, spool_put, &tw->post) ||
        spool_each(&p->tw.posn, spool_put, &tw->posn))
        return err_set(e, MORGUE_EIO, "cannot read back spooled postings");
    for (size_t i = p->from; i < p->to; i++) {
        size_t k = i - p->from;
        seg_term t;
        next_term(tw->b, i, &t, e);
        uint64_t post_before = post0 + p->post_at[k];
        uint64_t posn_before = posn0 + p->posn_at[k];
        uint64_t post_len = p->post_len[k], alias_off = 0;
        uint32_t df = p->df[k];
        int alias = t.alias_key != NULL;
        if (alias) {
            int rc = lookup(tw, t.alias_key, t.alias_key_len, &df,
                            &alias_off, &post_len, e);
            if (rc < 0)
                return rc;
            if (rc == 0)
                df = 0;
        }
        if (df == 0)
            continue;
        if (put_entry(tw, &t, df, post_before, posn_before, post_len,
                      p->posn_at[k + 1] - p->posn_at[k], alias, alias_off))
            return err_set(e, MORGUE_ENOMEM,
                           "out of memory writing a segment");
    }
    return MORGUE_OK;
}

static int write_terms(termw *tw, errmsg *e)
{
    const seg_build *b = tw->b;
    if (b->next_term || b->threads < 2)
        return write_range(tw, 0, SIZE_MAX, e);
    size_t m = part_split(b);
    post_part *p = m < b->n_terms ? calloc(1, sizeof *p) : NULL;
    size_t n = b->n_terms - m;
    if (p) {
        p->tw.b = b;
        p->from = m;
        p->to = b->n_terms;
        spool_init(&p->tw.post, tw->post.dir, SEG_SPOOL_MEM);
        spool_init(&p->tw.posn, tw->posn.dir, SEG_SPOOL_MEM);
        p->df = mem_array(n, sizeof *p->df);
        p->post_len = mem_array(n, sizeof *p->post_len);
        p->post_at = mem_array(n + 1, sizeof *p->post_at);
        p->posn_at = mem_array(n + 1, sizeof *p->posn_at);
    }
    pthread_t th;
    if (!p || !p->df || !p->post_len || !p->post_at || !p->posn_at ||
        pthread_create(&th, NULL, part_main, p)) {
        if (p) { /* one thread, then */
            free(p->df);
            free(p->post_len);
            free(p->post_at);
            free(p->posn_at);
            free(p);
        }
        return write_range(tw, 0, SIZE_MAX, e);
    }
    int rc = write_range(tw, 0, m, e);
    pthread_join(th, NULL);
    if (rc == MORGUE_OK && p->rc) {
        rc = p->rc;
        *e = p->e;
    }
    if (rc == MORGUE_OK)
        rc = part_join(tw, p, e);
    termw_free(&p->tw);
    free(p->df);
    free(p->post_len);
    free(p->post_at);
    free(p->posn_at);
    free(p);
    return rc;
}

static void termw_free(termw *tw)
{
    spool_free(&tw->tdic);
    spool_free(&tw->post);
    spool_free(&tw->posn);
    buf_free(&tw->index);
    free(tw->blocks);
    buf_free(&tw->keys);
    buf_free(&tw->crcs);
    buf_free(&tw->ent);
    buf_free(&tw->tpost);
    buf_free(&tw->skips);
    buf_free(&tw->look);
    buf_free(&tw->gpost);
    buf_free(&tw->gpos);
}

static int put_zeros(seg_out *o, size_t n)
{
    static const char zeros[8];
    seg_out_put(o, zeros, n);
    return 0;
}

/* TDIC: header, the spooled blocks, padding, the block index. */
static size_t tdic_header(const termw *tw, uint8_t h[16])
{
    uint64_t body = 16 + tw->tdic.len;
    size_t pad = (size_t)((4 - body % 4) % 4);
    uint32_t v[4] = { (uint32_t)tw->n_terms, (uint32_t)tw->n_blocks,
                      TDIC_BLOCK_TERMS, (uint32_t)(body + pad) };
    for (int f = 0; f < 4; f++)
        for (int k = 0; k < 4; k++)
            h[4 * f + k] = (uint8_t)(v[f] >> (8 * k));
    return pad;
}

static int gen_tdic(void *ud, seg_out *o, errmsg *e)
{
    termw *tw = ud;
    (void)e;
    uint8_t h[16];
    size_t pad = tdic_header(tw, h);
    seg_out_put(o, h, sizeof h);
    if (spool_each(&tw->tdic, put_cb, o) && o->rc == 0)
        return spool_check(&tw->tdic, "a dictionary", o->e);
    put_zeros(o, pad);
    seg_out_put(o, tw->index.ptr, tw->index.len);
    return o->rc;
}

/* TDCK: the block count, the CRC of TDIC's header, the blocks' CRCs;
 * the last block runs to the index, so its CRC takes in TDIC's padding
 * (what a reader's block bounds hold). */
static int gen_tdck(void *ud, seg_out *o, errmsg *e)
{
    termw *tw = ud;
    (void)e;
    uint8_t th[16];
    size_t pad = tdic_header(tw, th);
    uint32_t hc = (uint32_t)crc32(0L, th, sizeof th);
    uint8_t h[8];
    for (int k = 0; k < 4; k++) {
        h[k] = (uint8_t)(tw->n_blocks >> (8 * k));
        h[4 + k] = (uint8_t)(hc >> (8 * k));
    }
    seg_out_put(o, h, sizeof h);
    seg_out_put(o, tw->crcs.ptr, tw->crcs.len);
    if (tw->n_blocks) {
        static const uint8_t zeros[4];
        uint32_t last = (uint32_t)crc32(tw->crc, zeros, (uInt)pad);
        uint8_t c[4];
        for (int k = 0; k < 4; k++)
            c[k] = (uint8_t)(last >> (8 * k));
        seg_out_put(o, c, sizeof c);
    }
    return o->rc;
}

/* TDFK: the block count, 0, each block's first key's offset within the
 * keys (and the keys' length), the keys (termw.keys, already kept for
 * lookup). */
static int gen_tdfk(void *ud, seg_out *o, errmsg *e)
{
    termw *tw = ud;
    (void)e;
    uint8_t w[8] = { 0 };
    for (int k = 0; k < 4; k++)
        w[k] = (uint8_t)(tw->n_blocks >> (8 * k));
    seg_out_put(o, w, sizeof w);
    for (size_t i = 0; i <= tw->n_blocks; i++) {
        uint32_t off = (uint32_t)(i < tw->n_blocks ? tw->blocks[i].key_off
                                                   : tw->keys.len);
        for (int k = 0; k < 4; k++)
            w[k] = (uint8_t)(off >> (8 * k));
        seg_out_put(o, w, 4);
    }
    seg_out_put(o, tw->keys.ptr, tw->keys.len);
    return o->rc;
}

/* ---- the other sections ---- */

static void put_meta(buf *m, const seg_build *b, uint64_t n_words,
                     size_t n_terms)
{
    uint64_t sum = 0, tsum = 0;
    int64_t lo = INT64_MIN, hi = INT64_MIN;
    for (uint32_t d = 0; d < b->n_docs; d++) {
        sum += doc_len(b, COL_DLEN, d);
        tsum += doc_len(b, COL_TLEN, d);
        if (b->put_column)
            continue;
        int64_t t = (int64_t)colset_get(b->cols, COL_DATE, d);
        if (t == INT64_MIN)
            continue;
        if (lo == INT64_MIN || t < lo)
            lo = t;
        if (hi == INT64_MIN || t > hi)
            hi = t;
    }
    if (b->put_column) {
        lo = b->date_min;
        hi = b->date_max;
    }
    buf_put_u32le(m, b->n_docs);
    buf_put_u32le(m, 0);
    buf_put_u64le(m, sum);
    buf_put_u64le(m, tsum);
    buf_put_u64le(m, (uint64_t)lo);
    buf_put_u64le(m, (uint64_t)hi);
    buf_put_u64le(m, n_terms);
    buf_put_u64le(m, n_words);
}

/* CDIR: one entry per column, in colset order. */
static void put_cdir(buf *x, const colset *c)
{
    buf_put_u32le(x, (uint32_t)c->n_cols);
    buf_put_u32le(x, 0);
    for (size_t i = 0; i < c->n_cols; i++) {
        buf_put_u32le(x, c->cols[i].tag);
        buf_putc(x, (char)c->cols[i].width);
        buf_putc(x, (char)c->cols[i].flags);
        buf_putc(x, 0);
        buf_putc(x, 0);
        buf_put_u64le(x, c->cols[i].dflt);
    }
}


static int by_hash_doc(const void *a, const void *b)
{
    const uint8_t *x = a, *y = b;
    uint64_t hx = codec_get_u64le(x), hy = codec_get_u64le(y);
    if (hx != hy)
        return hx < hy ? -1 : 1;
    uint32_t dx = codec_get_u32le(x + 8), dy = codec_get_u32le(y + 8);
    return (dx > dy) - (dx < dy);
}


/* IDNT of the inverter: (identity hash, document) pairs sorted by hash. */
static void put_idnt(buf *x, const seg_build *b)
{
    buf_put_u32le(x, b->n_docs);
    buf_put_u32le(x, 0);
    size_t start = x->len;
    for (uint32_t d = 0; d < b->n_docs; d++) {
        buf_put_u64le(x, b->idents[d]);
        buf_put_u32le(x, d);
    }
    if (!x->oom)
        qsort(x->ptr + start, b->n_docs, IDNT_ENTRY_SIZE, by_hash_doc);
}

/* IDNT of a merge: the header, then the entries as put_idents gives
 * them. */
static int gen_idnt(void *ud, seg_out *o, errmsg *e)
{
    const seg_build *b = ud;
    uint8_t h[8] = { 0 };
    for (int k = 0; k < 4; k++)
        h[k] = (uint8_t)(b->n_docs >> (8 * k));
    seg_out_put(o, h, sizeof h);
    int rc = b->put_idents(b->ud, o, e);
    return rc ? rc : o->rc;
}

/* LSET: the LANG column's distinct values and their documents. */
typedef struct langset {
    uint16_t code[LSET_MAX];
    uint32_t docs[LSET_MAX];
    size_t n, last;
    int over;            /* more than LSET_MAX values: no LSET */
    uint8_t odd;         /* a value's first byte, split between writes */
    int has_odd;
} langset;

static void lset_add(langset *l, uint16_t c)
{
    if (l->n && l->code[l->last] == c) { /* runs are the rule */
        l->docs[l->last]++;
        return;
    }
    size_t i = 0;
    while (i < l->n && l->code[i] != c)
        i++;
    if (i == l->n) {
        if (l->n == LSET_MAX) {
            l->over = 1;
            return;
        }
        l->code[l->n] = c;
        l->docs[l->n++] = 0;
    }
    l->docs[i]++;
    l->last = i;
}

/* LANG's bytes as a merge writes them: u16 values, little-endian. */
static void lset_tap(void *ud, const void *p, size_t n)
{
    langset *l = ud;
    const uint8_t *b = p;
    size_t i = 0;
    if (n && l->has_odd) {
        lset_add(l, (uint16_t)(l->odd | b[0] << 8));
        l->has_odd = 0;
        i = 1;
    }
    for (; i + 1 < n; i += 2)
        lset_add(l, (uint16_t)(b[i] | b[i + 1] << 8));
    if (i < n) {
        l->odd = b[i];
        l->has_odd = 1;
    }
}

static int gen_lset(void *ud, seg_out *o, errmsg *e)
{
    const langset *l = ud;
    (void)e;
    size_t n = l->over ? 0 : l->n; /* none: readers scan LANG */
    uint8_t w[8] = { 0 };
    for (int k = 0; k < 4; k++)
        w[k] = (uint8_t)(n >> (8 * k));
    seg_out_put(o, w, sizeof w);
    for (size_t i = 0; i < n; i++) {
        memset(w, 0, sizeof w);
        w[0] = (uint8_t)l->code[i];
        w[1] = (uint8_t)(l->code[i] >> 8);
        for (int k = 0; k < 4; k++)
            w[4 + k] = (uint8_t)(l->docs[i] >> (8 * k));
        seg_out_put(o, w, sizeof w);
    }
    return o->rc;
}

/* One column written by a generator: a merge's (put_column), or one
 * whose bytes are watched as they are written. */
typedef struct colgen {
    const seg_build *b;
    size_t col;
    langset *lset;       /* the LANG column's: counted as written */
    int paged;           /* CPAG: its page CRCs and largest value */
    unsigned width, flags;
    buf crcs;            /* u32 per page done */
    uLong crc;           /* of the page being written, */
    size_t in_page;      /* the file's bytes in it so far, */
    int page_has;        /* some of them the column's */
    uint8_t val[8];      /* a value split between writes */
    unsigned in_val;
    uint64_t max;
    int any;
} colgen;

/* Watches a column's bytes: LANG's values counted (LSET), a paged
 * column's pages checksummed and its largest value kept. */
static void col_tap(void *ud, const void *p, size_t n)
{
    colgen *c = ud;
    if (c->lset)
        lset_tap(c->lset, p, n);
    if (!c->paged)
        return;
    const uint8_t *b = p;
    for (size_t left = n; left > 0;) {
        size_t k = ((size_t)1 << CPAG_SHIFT) - c->in_page;
        if (k > left)
            k = left;
        c->crc = crc32(c->crc, b + (n - left), (uInt)k);
        c->in_page += k;
        c->page_has = 1;
        left -= k;
        if (c->in_page == (size_t)1 << CPAG_SHIFT) {
            buf_put_u32le(&c->crcs, (uint32_t)c->crc);
            c->crc = crc32(0L, Z_NULL, 0);
            c->in_page = 0;
            c->page_has = 0;
        }
    }
    for (size_t i = 0; i < n; i++) {
        c->val[c->in_val++] = b[i];
        if (c->in_val < c->width)
            continue;
        c->in_val = 0;
        uint64_t v = col_load(c->val, c->width, c->flags);
        int more = c->flags & COL_SIGNED ? (int64_t)v > (int64_t)c->max
                                         : v > c->max;
        if (!c->any || more)
            c->max = v;
        c->any = 1;
    }
}

static int gen_column(void *ud, seg_out *o, errmsg *e)
{
    colgen *c = ud;
    o->tap = col_tap;
    o->tap_ud = c;
    c->crc = crc32(0L, Z_NULL, 0);
    /* pages follow the file's, so that checking one reads one */
    c->in_page = (size_t)(seg_out_offset(o) & ((1u << CPAG_SHIFT) - 1));
    int rc = MORGUE_OK;
    if (c->b->put_column)
        rc = c->b->put_column(c->b->ud, c->col, o, e);
    else
        seg_out_put(o, c->b->cols->cols[c->col].data.ptr,
                    c->b->cols->cols[c->col].data.len);
    o->tap = NULL;
    if (c->paged && c->page_has)
        buf_put_u32le(&c->crcs, (uint32_t)c->crc);
    return rc ? rc : o->rc;
}

/* CPAG, after the columns it describes. */
typedef struct cpag_gen {
    colgen *cols;
    size_t n;
} cpag_gen;

static int gen_cpag(void *ud, seg_out *o, errmsg *e)
{
    const cpag_gen *g = ud;
    uint32_t count = 0;
    for (size_t i = 0; i < g->n; i++) {
        if (g->cols[i].crcs.oom)
            return err_set(e, MORGUE_ENOMEM, "out of memory");
        count += g->cols[i].paged != 0;
    }
    buf h = BUF_INIT; /* the header and the entries */
    buf_put_u32le(&h, count);
    buf_put_u32le(&h, CPAG_SHIFT);
    for (size_t i = 0; i < g->n; i++) {
        const colgen *c = &g->cols[i];
        if (!c->paged)
            continue;
        buf_put_u32le(&h, c->b->cols->cols[c->col].tag);
        buf_put_u32le(&h, (uint32_t)(c->crcs.len / 4));
        buf_put_u64le(&h, c->any ? c->max : 0);
    }
    if (h.oom) {
        buf_free(&h);
        return err_set(e, MORGUE_ENOMEM, "out of memory");
    }
    seg_out_put(o, h.ptr, h.len);
    buf_free(&h);
    for (size_t i = 0; i < g->n; i++)
        if (g->cols[i].paged)
            seg_out_put(o, g->cols[i].crcs.ptr, g->cols[i].crcs.len);
    return o->rc;
}

/* The directory of the file being written, for the spools. */
static void dir_of(const char *path, char *dir, size_t cap)
{
    const char *slash = strrchr(path, '/');
    size_t n = slash ? (size_t)(slash - path) : 0;
    if (!slash)
        snprintf(dir, cap, ".");
    else
        snprintf(dir, cap, "%.*s", (int)(n ? n : 1), n ? path : "/");
}

int segment_write(const char *path, const seg_build *b, errmsg *e)
{
    char dir[4096];
    dir_of(path, dir, sizeof dir);
    termw tw;
    memset(&tw, 0, sizeof tw);
    tw.b = b;
    spool_init(&tw.tdic, dir, SEG_SPOOL_MEM);
    spool_init(&tw.post, dir, SEG_SPOOL_MEM);
    spool_init(&tw.posn, dir, SEG_SPOOL_MEM);
    buf meta = BUF_INIT, idnt = BUF_INIT, cdir = BUF_INIT, feat = BUF_INIT;
    colgen cg[N_COLS + COL_MAX_CARRIED];
    memset(cg, 0, sizeof cg);
    cpag_gen cpag = { cg, b->cols->n_cols };
    int paged = 0;
    for (size_t i = 0; i < b->cols->n_cols; i++) {
        const colbuf *c = &b->cols->cols[i];
        const col_desc *k = col_find(c->tag);
        cg[i] = (colgen){ .b = b, .col = i, .width = c->width,
                          .flags = c->flags, .crcs = BUF_INIT };
        cg[i].paged = k && (k->flags & COL_PAGED) && k->width == c->width;
        paged |= cg[i].paged;
    }
    langset *lset = calloc(1, sizeof *lset);
    int rc = lset ? write_terms(&tw, e)
                  : err_set(e, MORGUE_ENOMEM, "out of memory");
    if (rc == MORGUE_OK)
        rc = spool_check(&tw.tdic, "a dictionary", e);
    if (rc == MORGUE_OK)
        rc = spool_check(&tw.post, "postings", e);
    if (rc == MORGUE_OK)
        rc = spool_check(&tw.posn, "positions", e);
    if (rc)
        goto out;
    put_meta(&meta, b, tw.n_words, tw.n_terms);
    if (b->idents)
        put_idnt(&idnt, b);
    put_cdir(&cdir, b->cols);
    buf_put_u64le(&feat, b->feat.compat | (paged ? FEAT_COMPAT_COLPAGES
                                                  : 0));
    buf_put_u64le(&feat, b->feat.rocompat);
    buf_put_u64le(&feat, b->feat.incompat | FEAT_INCOMPAT_PACKTAIL |
                             FEAT_INCOMPAT_PFOR);
    if (meta.oom || idnt.oom || cdir.oom || feat.oom || tw.index.oom ||
        tw.crcs.oom) {
        rc = err_set(e, MORGUE_ENOMEM, "out of memory writing %s", path);
        goto out;
    }
    seg_section secs[12 + SEG_MAX_EXTRA + N_COLS + COL_MAX_CARRIED];
    size_t n = 0;
    secs[n++] = seg_bytes(SEC_FEAT, feat.ptr, feat.len);
    secs[n++] = seg_bytes(SEC_META, meta.ptr, meta.len);
    secs[n++] = seg_bytes(SEC_CDIR, cdir.ptr, cdir.len);
    int has_lang = 0;
    for (size_t i = 0; i < b->cols->n_cols; i++) {
        const colbuf *c = &b->cols->cols[i];
        int lang = c->tag == SEC_LANG && c->width == 2;
        has_lang |= lang;
        cg[i].lset = lang ? lset : NULL;
        if (b->put_column || lang || cg[i].paged)
            secs[n++] = (seg_section){ .tag = c->tag, .gen = gen_column,
                                       .ud = &cg[i] };
        else
            secs[n++] = seg_bytes(c->tag, c->data.ptr, c->data.len);
    }
    /* after the columns: their values are counted as they are written */
    if (has_lang)
        secs[n++] = (seg_section){ .tag = SEC_LSET, .gen = gen_lset,
                                   .ud = lset };
    if (paged)
        secs[n++] = (seg_section){ .tag = SEC_CPAG, .gen = gen_cpag,
                                   .ud = &cpag };
    secs[n++] = (seg_section){ .tag = SEC_TDIC, .gen = gen_tdic, .ud = &tw };
    secs[n++] = (seg_section){ .tag = SEC_TDCK, .gen = gen_tdck, .ud = &tw };
    secs[n++] = (seg_section){ .tag = SEC_TDFK, .gen = gen_tdfk, .ud = &tw };
    secs[n++] = (seg_section){ .tag = SEC_POST, .spool = &tw.post };
    secs[n++] = (seg_section){ .tag = SEC_POSN, .spool = &tw.posn };
    for (size_t i = 0; i < b->n_extra; i++)
        secs[n++] = b->extra[i];
    if (b->idents)
        secs[n++] = seg_bytes(SEC_IDNT, idnt.ptr, idnt.len);
    else
        secs[n++] = (seg_section){ .tag = SEC_IDNT, .gen = gen_idnt,
                                   .ud = (void *)b };
    rc = segment_write_sections(path, secs, n, FORMAT_VERSION, e);
out:
    termw_free(&tw);
    free(lset);
    buf_free(&meta);
    buf_free(&idnt);
    buf_free(&cdir);
    buf_free(&feat);
    for (size_t i = 0; i < b->cols->n_cols; i++)
        buf_free(&cg[i].crcs);
    return rc;
}
