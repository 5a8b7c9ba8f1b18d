/* segment_write.c: serialises an inverted segment into one .mseg file
 * (format in index/format.h): postings re-blocked with skip data, the
 * front-coded dictionary, the columns and stored fields. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "index/codec.h"
#include "index/format.h"
#include "index/segment.h"
#include "morgue.h"
#include "util/buf.h"
#include "util/alloc.h"

/* Scratch arrays reused across terms. */
typedef struct scratch {
    uint32_t *docs, *tfs;
    size_t *pos_ends; /* byte offset in pos just past each document */
    size_t cap;
} scratch;

static int scratch_fit(scratch *sc, size_t n)
{
    if (n <= sc->cap)
        return 0;
    size_t cap = n < 1024 ? 1024 : n;
    uint32_t *d = mem_rearray(sc->docs, cap, sizeof *d);
    if (d)
        sc->docs = d;
    uint32_t *t = mem_rearray(sc->tfs, cap, sizeof *t);
    if (t)
        sc->tfs = t;
    size_t *p = mem_rearray(sc->pos_ends, cap, sizeof *p);
    if (p)
        sc->pos_ends = p;
    if (!d || !t || !p)
        return -1;
    sc->cap = cap;
    return 0;
}

/* Decodes the inverter's (gap, tf-1) pairs and finds where each
 * document's positions end. */
static int decode_term(const seg_term *t, scratch *sc)
{
    /* A term without positions has pos NULL: no arithmetic on it (null
     * plus 0 is undefined, and clang's UBSan says so). */
    const uint8_t *p = t->post, *end = p ? p + t->post_len : p;
    const uint8_t *q = t->pos, *qend = q ? q + t->pos_len : q;
    uint64_t doc = 0;
    for (uint32_t i = 0; i < t->df; i++) {
        uint64_t gap, tf1;
        if (codec_get_varint(&p, end, &gap) || codec_get_varint(&p, end, &tf1))
            return -1;
        doc = i == 0 ? gap : doc + gap + 1;
        sc->docs[i] = (uint32_t)doc;
        sc->tfs[i] = (uint32_t)tf1 + 1;
        if (t->pos_len) {
            for (uint64_t k = 0; k <= tf1; k++) {
                uint64_t v;
                if (codec_get_varint(&q, qend, &v))
                    return -1;
            }
            sc->pos_ends[i] = (size_t)(q - t->pos);
        }
    }
    return 0;
}

static void put_full_block(buf *out, const uint32_t *docs, const uint32_t *tfs,
                           uint32_t prev_doc, int first)
{
    uint32_t v[CODEC_BLOCK];
    uint8_t packed[CODEC_BLOCK * 4];
    for (int i = 0; i < CODEC_BLOCK; i++) {
        uint32_t before = i ? docs[i - 1] : prev_doc;
        v[i] = (i == 0 && first) ? docs[0] : docs[i] - before - 1;
    }
    unsigned w = codec_bits(v, CODEC_BLOCK);
    codec_pack(packed, v, CODEC_BLOCK, w);
    buf_putc(out, (char)w);
    buf_append(out, packed, codec_packed_size(CODEC_BLOCK, w));
    for (int i = 0; i < CODEC_BLOCK; i++)
        v[i] = tfs[i] - 1;
    w = codec_bits(v, CODEC_BLOCK);
    codec_pack(packed, v, CODEC_BLOCK, w);
    buf_putc(out, (char)w);
    buf_append(out, packed, codec_packed_size(CODEC_BLOCK, w));
}

static void put_short_block(buf *out, const uint32_t *docs,
                            const uint32_t *tfs, uint32_t n,
                            uint32_t prev_doc, int first)
{
    for (uint32_t i = 0; i < n; i++) {
        uint32_t before = i ? docs[i - 1] : prev_doc;
        buf_put_varint(out, (i == 0 && first) ? docs[0]
                                              : docs[i] - before - 1);
        buf_put_varint(out, tfs[i] - 1);
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
                        uint32_t n, const colset *cols, int len_col)
{
    impact f[CODEC_BLOCK];
    uint32_t k = 0;
    for (uint32_t i = 0; i < n; i++) {
        impact x = { tfs[i], (uint32_t)colset_get(cols, (size_t)len_col,
                                                  docs[i]) };
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

/* Writes one term's postings (and copies its positions); returns bytes
 * written to post via *post_len. */
static int write_term(const seg_term *t, const seg_build *b, scratch *sc,
                      buf *post, buf *posn, buf *tmp, uint64_t *post_len)
{
    if (scratch_fit(sc, t->df) || decode_term(t, sc))
        return -1;
    int len_col = t->key_len && t->key[0] == NS_TITLE ? COL_TLEN : COL_DLEN;
    uint32_t n_blocks = (t->df + CODEC_BLOCK - 1) / CODEC_BLOCK;
    size_t start = post->len;
    buf_clear(tmp);
    uint32_t prev_last = 0;
    size_t prev_pos_end = 0;
    buf skips = BUF_INIT;
    for (uint32_t blk = 0; blk < n_blocks; blk++) {
        uint32_t lo = blk * CODEC_BLOCK;
        uint32_t n = t->df - lo < CODEC_BLOCK ? t->df - lo : CODEC_BLOCK;
        size_t before = tmp->len;
        if (n == CODEC_BLOCK)
            put_full_block(tmp, sc->docs + lo, sc->tfs + lo, prev_last,
                           blk == 0);
        else
            put_short_block(tmp, sc->docs + lo, sc->tfs + lo, n, prev_last,
                            blk == 0);
        uint32_t last = sc->docs[lo + n - 1];
        size_t pos_end = t->pos_len ? sc->pos_ends[lo + n - 1] : 0;
        if (n_blocks > 1) { /* one-block terms need no skip entry */
            buf_put_varint(&skips, last - (blk ? prev_last : 0));
            buf_put_varint(&skips, tmp->len - before);
            buf_put_varint(&skips, pos_end - prev_pos_end);
            put_impacts(&skips, sc->tfs + lo, sc->docs + lo, n, b->cols,
                        len_col);
        }
        prev_last = last;
        prev_pos_end = pos_end;
    }
    buf_append(post, skips.ptr, skips.len);
    int oom = skips.oom;
    buf_free(&skips);
    buf_append(post, tmp->ptr, tmp->len);
    buf_append(posn, t->pos, t->pos_len);
    *post_len = post->len - start;
    return oom || post->oom || posn->oom || tmp->oom ? -1 : 0;
}

static size_t shared_prefix(const char *a, size_t al, const char *b, size_t bl)
{
    size_t n = 0;
    while (n < al && n < bl && a[n] == b[n])
        n++;
    return n;
}

/* Where write_terms gets its terms: the sorted array, or the callback. */
static int next_term(const seg_build *b, size_t i, seg_term *t, errmsg *e)
{
    if (!b->next_term) {
        if (i >= b->n_terms)
            return 0;
        *t = b->terms[i];
        return 1;
    }
    return b->next_term(b->ud, t, e);
}

/* Grows offs (two u64 per term) to hold term i. */
static int fit_offs(uint64_t **offs, size_t *cap, size_t i)
{
    if (i < *cap)
        return 0;
    size_t n = *cap ? *cap * 2 : 1024;
    uint64_t *o = realloc(*offs, n * 2 * sizeof *o);
    if (!o)
        return -1;
    *offs = o;
    *cap = n;
    return 0;
}

static void put_tdic_entry(buf *tdic, const seg_term *t, size_t shared,
                           uint64_t post_len, int alias, uint64_t alias_off)
{
    buf_put_varint(tdic, shared);
    buf_put_varint(tdic, t->key_len - shared);
    buf_append(tdic, t->key + shared, t->key_len - shared);
    buf_put_varint(tdic, t->df);
    buf_put_varint(tdic, post_len << 1 | (uint64_t)alias);
    if (alias)
        buf_put_varint(tdic, alias_off);
    buf_put_varint(tdic, alias ? 0 : t->pos_len);
}

/* Patches TDIC's header (term and block counts, block index offset) and
 * appends the block index. */
static void finish_tdic(buf *tdic, buf *index, size_t n_terms)
{
    while (tdic->len % 4)
        buf_putc(tdic, 0);
    uint32_t index_off = (uint32_t)tdic->len;
    buf_append(tdic, index->ptr, index->len);
    uint32_t n_blocks = (uint32_t)((n_terms + TDIC_BLOCK_TERMS - 1) /
                                   TDIC_BLOCK_TERMS);
    uint32_t v[4] = { (uint32_t)n_terms, n_blocks, TDIC_BLOCK_TERMS,
                      index_off };
    if (!tdic->oom)
        for (int f = 0; f < 4; f++)
            for (int k = 0; k < 4; k++)
                tdic->ptr[4 * f + k] = (char)(v[f] >> (8 * k));
}

/* Builds POST, POSN and TDIC; the term count goes to *n_terms. */
static int write_terms(const seg_build *b, buf *post, buf *posn, buf *tdic,
                       uint64_t *n_words, size_t *n_terms, errmsg *e)
{
    scratch sc = { 0 };
    buf tmp = BUF_INIT, index = BUF_INIT;
    uint64_t *offs = NULL;
    size_t cap = 0, i = 0;
    char prev[MAX_KEY];
    size_t prev_len = 0;
    for (int k = 0; k < 4; k++)
        buf_put_u32le(tdic, 0); /* header, patched by finish_tdic */
    int rc = 0;
    *n_words = 0;
    for (;; i++) {
        seg_term t;
        rc = next_term(b, i, &t, e);
        if (rc <= 0)
            break;
        rc = -1;
        if (t.key_len > MAX_KEY || fit_offs(&offs, &cap, i))
            break;
        if (t.key_len && t.key[0] == NS_WORD)
            (*n_words)++;
        size_t shared = 0;
        if (i % TDIC_BLOCK_TERMS == 0) {
            buf_put_u32le(&index, (uint32_t)tdic->len);
            buf_put_u64le(tdic, post->len);
            buf_put_u64le(tdic, posn->len);
        } else {
            shared = shared_prefix(prev, prev_len, t.key, t.key_len);
        }
        int alias = t.alias < i;
        uint64_t post_len = 0;
        offs[2 * i] = post->len;
        if (alias)
            post_len = offs[2 * t.alias + 1];
        else if (write_term(&t, b, &sc, post, posn, &tmp, &post_len))
            break;
        offs[2 * i + 1] = post_len;
        put_tdic_entry(tdic, &t, shared, post_len, alias,
                       alias ? offs[2 * t.alias] : 0);
        memcpy(prev, t.key, t.key_len);
        prev_len = t.key_len;
        rc = 0;
    }
    *n_terms = i;
    finish_tdic(tdic, &index, i);
    if (rc == 0 && (tdic->oom || index.oom))
        rc = -1;
    if (rc == -1)
        rc = err_set(e, MORGUE_ENOMEM, "out of memory writing a segment");
    buf_free(&tmp);
    buf_free(&index);
    free(offs);
    free(sc.docs);
    free(sc.tfs);
    free(sc.pos_ends);
    return rc;
}

typedef struct filew {
    int fd;
    uint64_t off;
    buf dir;
    uint32_t n_sections;
    int rc;
    errmsg *e;
    const char *path;
} filew;

static void fw_write(filew *f, const void *p, size_t n)
{
    const char *c = p;
    while (f->rc == 0 && n > 0) {
        ssize_t w = write(f->fd, c, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0) {
            f->rc = err_set(f->e, MORGUE_EIO, "%s: write: %s", f->path,
                            strerror(errno));
            return;
        }
        c += w;
        n -= (size_t)w;
        f->off += (uint64_t)w;
    }
}

static void fw_section(filew *f, uint32_t tag, const void *p, size_t n)
{
    static const char zeros[8];
    if (f->off % 8)
        fw_write(f, zeros, 8 - f->off % 8);
    buf_put_u32le(&f->dir, tag);
    buf_put_u32le(&f->dir, 0);
    buf_put_u64le(&f->dir, f->off);
    buf_put_u64le(&f->dir, n);
    uLong crc = crc32(0L, Z_NULL, 0);
    const Bytef *bp = p;
    for (size_t left = n; left > 0;) { /* crc32 takes uInt lengths */
        uInt chunk = left > (1u << 30) ? (1u << 30) : (uInt)left;
        crc = crc32(crc, bp, chunk);
        bp += chunk;
        left -= chunk;
    }
    buf_put_u32le(&f->dir, (uint32_t)crc);
    buf_put_u32le(&f->dir, 0);
    f->n_sections++;
    fw_write(f, p, n);
}

static void put_meta(buf *m, const seg_build *b, uint64_t n_words,
                     size_t n_terms)
{
    uint64_t sum = 0, tsum = 0;
    int64_t lo = INT64_MIN, hi = INT64_MIN;
    for (uint32_t d = 0; d < b->n_docs; d++) {
        sum += colset_get(b->cols, COL_DLEN, d);
        tsum += colset_get(b->cols, COL_TLEN, d);
        int64_t t = (int64_t)colset_get(b->cols, COL_DATE, d);
        if (t == INT64_MIN)
            continue;
        if (lo == INT64_MIN || t < lo)
            lo = t;
        if (hi == INT64_MIN || t > hi)
            hi = t;
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

static void put_feat(buf *x, const features *f)
{
    buf_put_u64le(x, f->compat);
    buf_put_u64le(x, f->rocompat);
    buf_put_u64le(x, f->incompat);
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

/* IDNT: (identity hash, document) pairs sorted by hash. */
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

static void write_file(filew *f, const seg_section *secs, size_t n,
                       uint32_t version)
{
    uint8_t header[16] = { 0 };
    memcpy(header, SEGMENT_MAGIC, 8);
    header[8] = (uint8_t)version; /* u32le; the version is < 256 */
    fw_write(f, header, sizeof header);
    for (size_t i = 0; i < n; i++)
        fw_section(f, secs[i].tag, secs[i].ptr, secs[i].len);
    static const char zeros[8];
    if (f->off % 8)
        fw_write(f, zeros, 8 - f->off % 8);
    uint64_t dir_off = f->off;
    fw_write(f, f->dir.ptr, f->dir.len);
    buf foot = BUF_INIT;
    buf_put_u64le(&foot, dir_off);
    buf_put_u32le(&foot, f->n_sections);
    buf_put_u32le(&foot,
                  (uint32_t)crc32(0L, (const Bytef *)f->dir.ptr,
                                  (uInt)f->dir.len));
    buf_put_u32le(&foot, version);
    buf_put_u32le(&foot, 0);
    buf_append(&foot, SEGMENT_END_MAGIC, 8);
    if (foot.oom && f->rc == 0)
        f->rc = err_set(f->e, MORGUE_ENOMEM, "out of memory");
    fw_write(f, foot.ptr, foot.len);
    buf_free(&foot);
}

int segment_write_sections(const char *path, const seg_section *secs,
                           size_t n, uint32_t version, errmsg *e)
{
    filew f = { .fd = -1, .dir = BUF_INIT, .e = e, .path = path };
    /* O_EXCL: a segment name is never reused, so an existing file means
     * another writer is at work here; never truncate what it may map. */
    f.fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (f.fd < 0)
        return err_set(e, MORGUE_EIO, "%s: %s", path, strerror(errno));
    write_file(&f, secs, n, version);
    if (f.rc == 0 && f.dir.oom)
        f.rc = err_set(e, MORGUE_ENOMEM, "out of memory");
    if (f.rc == 0 && fsync(f.fd) != 0)
        f.rc = err_set(e, MORGUE_EIO, "%s: fsync: %s", path, strerror(errno));
    if (close(f.fd) != 0 && f.rc == 0)
        f.rc = err_set(e, MORGUE_EIO, "%s: close: %s", path, strerror(errno));
    buf_free(&f.dir);
    if (f.rc != MORGUE_OK)
        unlink(path);
    return f.rc;
}

/* The sections segment_write() builds itself, by name. */
typedef struct built {
    buf meta, tdic, post, posn, idnt, cdir, feat;
} built;

int segment_write(const char *path, const seg_build *b, errmsg *e)
{
    built x = { BUF_INIT, BUF_INIT, BUF_INIT, BUF_INIT,
                BUF_INIT, BUF_INIT, BUF_INIT };
    buf *all[] = { &x.meta, &x.tdic, &x.post, &x.posn,
                   &x.idnt, &x.cdir, &x.feat };
    enum { N_BUILT = sizeof all / sizeof *all };
    uint64_t n_words = 0;
    size_t n_terms = 0;
    features feat = b->feat;
    int rc = write_terms(b, &x.post, &x.posn, &x.tdic, &n_words, &n_terms,
                         e);
    if (rc)
        goto out;
    put_meta(&x.meta, b, n_words, n_terms);
    put_idnt(&x.idnt, b);
    put_cdir(&x.cdir, b->cols);
    put_feat(&x.feat, &feat);
    for (int i = 0; i < N_BUILT; i++)
        if (all[i]->oom) {
            rc = err_set(e, MORGUE_ENOMEM, "out of memory writing %s", path);
            goto out;
        }
    seg_section secs[8 + SEG_MAX_EXTRA + N_COLS + COL_MAX_CARRIED];
    size_t n = 0;
    secs[n++] = (seg_section){ SEC_FEAT, x.feat.ptr, x.feat.len };
    secs[n++] = (seg_section){ SEC_META, x.meta.ptr, x.meta.len };
    secs[n++] = (seg_section){ SEC_CDIR, x.cdir.ptr, x.cdir.len };
    for (size_t i = 0; i < b->cols->n_cols; i++)
        secs[n++] = (seg_section){ b->cols->cols[i].tag,
                                   b->cols->cols[i].data.ptr,
                                   b->cols->cols[i].data.len };
    secs[n++] = (seg_section){ SEC_TDIC, x.tdic.ptr, x.tdic.len };
    secs[n++] = (seg_section){ SEC_POST, x.post.ptr, x.post.len };
    secs[n++] = (seg_section){ SEC_POSN, x.posn.ptr, x.posn.len };
    for (size_t i = 0; i < b->n_extra; i++)
        secs[n++] = b->extra[i];
    secs[n++] = (seg_section){ SEC_IDNT, x.idnt.ptr, x.idnt.len };
    rc = segment_write_sections(path, secs, n, FORMAT_VERSION, e);
out:
    for (int i = 0; i < N_BUILT; i++)
        buf_free(all[i]);
    return rc;
}
