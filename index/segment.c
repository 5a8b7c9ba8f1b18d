/* segment.c: opening a segment file read-only and checking it. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "index/codec.h"
#include "index/docstore.h"
#include "index/format.h"
#include "index/segment.h"
#include "morgue.h"

void segment_path(char *out, size_t cap, const char *dir, uint64_t id)
{
    snprintf(out, cap, "%s/seg_%016" PRIx64 ".mseg", dir, id);
}

int64_t segment_date(const segment *s, uint32_t doc)
{
    return (int64_t)codec_get_u64le(s->col[COL_DATE].p + 8 * (size_t)doc);
}

int64_t segment_local_date(const segment *s, uint32_t doc)
{
    int64_t t = segment_date(s, doc);
    int off = segment_date_offset(s, doc);
    return t == INT64_MIN || off == MORGUE_NO_OFFSET ? t
                                                     : t + (int64_t)off * 60;
}

uint32_t segment_ident_lower(const segment *s, uint64_t h)
{
    uint32_t lo = 0, hi = s->n_docs;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (segment_ident_hash(s, mid) < h)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Asks the kernel to read [p, p + n) of the map ahead, now: the map is
 * MADV_RANDOM (segment_open), so a range read whole says so first. */
static void will_read(const uint8_t *p, size_t n)
{
    uintptr_t a = (uintptr_t)p & ~(uintptr_t)4095;
    if (n)
        madvise((void *)a, n + ((uintptr_t)p - a), MADV_WILLNEED);
}

void segment_will_read(const segment *s, const uint8_t *p, size_t n)
{
    if (p >= s->map && p < s->map + s->size)
        will_read(p, n < (size_t)(s->map + s->size - p)
                         ? n : (size_t)(s->map + s->size - p));
}

static uint32_t crc_of(const uint8_t *p, size_t n)
{
    will_read(p, n);
    uLong crc = crc32(0L, Z_NULL, 0);
    while (n > 0) {
        uInt chunk = n > (1u << 30) ? (1u << 30) : (uInt)n;
        crc = crc32(crc, p, chunk);
        p += chunk;
        n -= chunk;
    }
    return (uint32_t)crc;
}

/* The CRC of a big section, 4 MiB at a time, each chunk's whole pages
 * dropped from the process once read (they stay in the page cache): the
 * kernel would otherwise keep the whole range resident until the file is
 * unmapped, so a check of a 1 GB segment would take 1 GB, and opening
 * one would keep its columns (20 bytes an article). */
static uint32_t crc_streamed(const uint8_t *p, size_t n)
{
    const size_t chunk = 4u << 20;
    const uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uLong crc = crc32(0L, Z_NULL, 0);
    while (n > 0) {
        uInt c = n > chunk ? (uInt)chunk : (uInt)n;
        will_read(p, c);
        crc = crc32(crc, p, c);
        uintptr_t lo = ((uintptr_t)p + page - 1) & ~(page - 1);
        uintptr_t hi = ((uintptr_t)p + c) & ~(page - 1);
        if (hi > lo)
            madvise((void *)lo, hi - lo, MADV_DONTNEED);
        p += c;
        n -= c;
    }
    return (uint32_t)crc;
}

void segment_release_col(const segment *s, int c)
{
    const seg_col *k = &s->col[c];
    if (!k->p || !s->n_docs)
        return;
    const uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t lo = (uintptr_t)k->p & ~(page - 1);
    uintptr_t hi = (uintptr_t)k->p + (size_t)s->n_docs * k->width;
    madvise((void *)lo, hi - lo, MADV_DONTNEED);
}

/* A section verified on its first use (segment_need). */
typedef struct lazy_part {
    uint32_t tag;
    unsigned what;       /* SEG_NEED_* */
    uint64_t off, len;
    uint32_t crc;
    int streamed;        /* a column: its pages dropped once checked */
    int col;             /* the known column (col_id) it is, or -1 */
    int state;           /* atomic: 0 not yet, 1 verified, -1 corrupt */
} lazy_part;

struct seg_lazy {
    uint64_t *tdic_ok;   /* atomic bits: dictionary block b verified */
    struct ZSTD_DDict_s *ddict[2]; /* atomic: heads', bodies' zstd
                                      dictionaries once built (docstore.c);
                                      here, where every copy of the
                                      segment struct finds them */
    /* IDNT, FPH0..FPH7, TDFK, HDIC, BDIC, and the columns DLEN, TLEN,
     * DATE, DOFF, LANG */
    lazy_part part[1 + 8 + 3 + 5];
    size_t n_part;
    uint64_t *col_ok[N_COLS]; /* the columns' page bits (seg_col.ok) */
    uint64_t max_tlen;   /* atomic: the longest title + 1, 0 not yet */
    unsigned fresh;      /* atomic: segment_fresh() calls so far */
};

static int is_fp_tag(uint32_t tag)
{
    for (uint32_t i = 0; i < 8; i++)
        if (tag == SEC_FPH0 + (i << 24))
            return 1;
    return 0;
}

static void add_lazy(segment *s, uint32_t tag, unsigned what, uint64_t off,
                     uint64_t len, uint32_t crc, int col)
{
    struct seg_lazy *z = s->lazy;
    if (z->n_part < sizeof z->part / sizeof *z->part)
        z->part[z->n_part++] = (lazy_part){ tag, what, off, len, crc,
                                            (what & SEG_NEED_COLS) != 0, col,
                                            0 };
}

static unsigned col_need_of(uint32_t tag);

/* Pages of column k as its page bits count them. */
static uint64_t col_pages(const segment *s, const seg_col *k)
{
    uint64_t bytes = (uint64_t)s->n_docs * k->width;
    return k->shift >= 63 ? 1
           : bytes        ? ((k->lead + bytes - 1) >> k->shift) + 1
                          : 0;
}

/* Every page of column c verified (its whole section passed). */
static void col_all_ok(const segment *s, int c)
{
    const seg_col *k = &s->col[c];
    if (!k->ok)
        return;
    uint64_t pages = col_pages(s, k);
    for (uint64_t w = 0; w < (pages + 63) / 64; w++)
        __atomic_store_n(&k->ok[w], ~0ull, __ATOMIC_RELEASE);
}

int segment_need(const segment *s, unsigned what, errmsg *e)
{
    struct seg_lazy *z = s->lazy;
    for (size_t i = 0; z && i < z->n_part; i++) {
        lazy_part *p = &z->part[i];
        if (!(p->what & what))
            continue;
        int st = __atomic_load_n(&p->state, __ATOMIC_ACQUIRE);
        if (st == 0) { /* two threads may both check: same answer */
            const uint8_t *b = s->map + p->off;
            st = (p->streamed ? crc_streamed(b, p->len)
                              : crc_of(b, p->len)) == p->crc ? 1 : -1;
            if (st > 0 && p->col >= 0)
                col_all_ok(s, p->col);
            __atomic_store_n(&p->state, st, __ATOMIC_RELEASE);
        }
        if (st < 0)
            return err_corrupt(e, "segment %016" PRIx64 ": section %.4s "
                               "(offset %" PRIu64 ") checksum mismatch",
                               s->id, (const char *)&p->tag, p->off);
    }
    return MORGUE_OK;
}

int segment_col_verify(const segment *s, int c, uint32_t doc, errmsg *e)
{
    const seg_col *k = &s->col[c];
    if (segment_col_ready(s, c, doc))
        return MORGUE_OK;
    if (doc >= s->n_docs)
        return err_corrupt(e, "segment %016" PRIx64 ": document %u of %u "
                           "read from column %.4s", s->id, doc, s->n_docs,
                           (const char *)&k->tag);
    if (!k->pcrc) /* no page CRCs: the whole section, once */
        return segment_need(s, col_need_of(k->tag), e);
    uint64_t g = seg_col_page_of(k, doc);
    uint64_t bytes = (uint64_t)s->n_docs * k->width;
    uint64_t at = g ? (g << k->shift) - k->lead : 0; /* in the section */
    uint64_t end = ((g + 1) << k->shift) - k->lead;
    uint64_t n = (end < bytes ? end : bytes) - at;
    if ((uint32_t)crc32(0L, k->p + at, (uInt)n) !=
        codec_get_u32le(k->pcrc + 4 * g))
        return err_corrupt(e, "segment %016" PRIx64 ": column %.4s page %"
                           PRIu64 " (offset %zu) fails its checksum", s->id,
                           (const char *)&k->tag, g,
                           (size_t)(k->p + at - s->map));
    __atomic_fetch_or(&k->ok[g >> 6], 1ull << (g & 63), __ATOMIC_RELEASE);
    return MORGUE_OK;
}

void segment_will_read_col(const segment *s, int c, uint32_t doc)
{
    const seg_col *k = &s->col[c];
    if (k->p && k->pcrc && doc < s->n_docs && !segment_col_ready(s, c, doc))
        will_read(k->p + (size_t)doc * k->width, k->width);
}

int segment_verify_pages(const segment *s, errmsg *e)
{
    for (int c = 0; c < N_COLS; c++) {
        const seg_col *k = &s->col[c];
        if (!k->pcrc)
            continue;
        for (uint64_t d = 0; d < s->n_docs;) {
            int rc = segment_col_verify(s, c, (uint32_t)d, e);
            if (rc)
                return rc;
            /* the first document of the next page */
            uint64_t g = seg_col_page_of(k, d);
            d = (((g + 1) << k->shift) - k->lead) / k->width;
        }
        segment_release_col(s, c);
    }
    return MORGUE_OK;
}

int segment_fresh(const segment *s)
{
    return s->lazy && __atomic_fetch_add(&s->lazy->fresh, 1,
                                         __ATOMIC_RELAXED) < SEG_FRESH;
}

int segment_is_fresh(const segment *s)
{
    return s->lazy && __atomic_load_n(&s->lazy->fresh, __ATOMIC_RELAXED) <
                          SEG_FRESH;
}

int segment_max_tlen(const segment *s, uint32_t *out, errmsg *e)
{
    uint64_t m = s->lazy ? __atomic_load_n(&s->lazy->max_tlen,
                                           __ATOMIC_ACQUIRE) : 0;
    if (m == 0 && s->col[COL_TLEN].has_max) {
        if (s->col[COL_TLEN].max > UINT32_MAX)
            return err_corrupt(e, "segment %016" PRIx64 ": longest title "
                               "%" PRIu64 " tokens", s->id,
                               s->col[COL_TLEN].max);
        m = s->col[COL_TLEN].max + 1;
    }
    if (m == 0) {
        int rc = segment_need(s, SEG_NEED_LENS, e);
        if (rc)
            return rc;
        uint32_t max = 0;
        for (uint32_t d = 0; d < s->n_docs; d++)
            if (segment_tlen(s, d) > max)
                max = segment_tlen(s, d);
        segment_release_col(s, COL_TLEN); /* 4 bytes an article */
        m = (uint64_t)max + 1;
        if (s->lazy) /* two threads may both scan: same answer */
            __atomic_store_n(&s->lazy->max_tlen, m, __ATOMIC_RELEASE);
    }
    *out = (uint32_t)(m - 1);
    return MORGUE_OK;
}

struct ZSTD_DDict_s **segment_ddict_slot(const segment *s, int body)
{
    return s->lazy ? &s->lazy->ddict[body != 0] : NULL;
}

int segment_tdic_block(const segment *s, uint32_t b, errmsg *e)
{
    if (!s->tdck || !s->lazy || b >= s->tdic_blocks)
        return MORGUE_OK;
    uint64_t *w = &s->lazy->tdic_ok[b >> 6], bit = 1ull << (b & 63);
    if (__atomic_load_n(w, __ATOMIC_ACQUIRE) & bit)
        return MORGUE_OK;
    uint32_t off = codec_get_u32le(s->tdic_index + 4 * (size_t)b);
    uint32_t end = b + 1 < s->tdic_blocks
                       ? codec_get_u32le(s->tdic_index + 4 * (size_t)b + 4)
                       : (uint32_t)(s->tdic_index - s->tdic);
    if (end < off + 16 || end > s->tdic_len)
        return err_corrupt(e, "dictionary block %u has bad bounds", b);
    if ((uint32_t)crc32(0L, s->tdic + off, end - off) !=
        codec_get_u32le(s->tdck + 8 + 4 * (size_t)b))
        return err_corrupt(e, "segment %016" PRIx64 ": dictionary block %u "
                           "(offset %zu) fails its checksum", s->id, b,
                           (size_t)(s->tdic + off - s->map));
    __atomic_fetch_or(w, bit, __ATOMIC_RELEASE);
    return MORGUE_OK;
}

/* A directory entry, bounds-checked. */
typedef struct dirent_ {
    uint32_t tag;
    uint64_t off, len;
    uint32_t crc;
} dirent_;

/* Sections whose CRC is checked at every open (small, read whole); the
 * columns are too, once CDIR has said which they are. */
static int checked_at_open(uint32_t tag)
{
    return tag == SEC_META || tag == SEC_SIDX || tag == SEC_SDIC ||
           tag == SEC_CDIR || tag == SEC_FEAT || tag == SEC_LSET ||
           tag == SEC_CPAG;
}

static int bind_section(segment *s, uint32_t tag, const uint8_t *p,
                        size_t n)
{
    switch (tag) {
    case SEC_META: if (n != META_SIZE) return -1; break;
    case SEC_TDIC: s->tdic = p; s->tdic_len = n; return 0;
    case SEC_TDCK: s->tdck = p; s->tdck_len = n; return 0;
    case SEC_TDFK: s->tdfk = p; s->tdfk_len = n; return 0;
    case SEC_CPAG: s->cpag = p; s->cpag_len = n; return 0;
    case SEC_LSET:
        if (n < 8 || (n - 8) % 8 || (n - 8) / 8 != codec_get_u32le(p) ||
            codec_get_u32le(p) > LSET_MAX)
            return -1;
        s->lset_count = codec_get_u32le(p);
        s->lset = s->lset_count ? p + 8 : NULL;
        return 0;
    case SEC_POST: s->post = p; s->post_len = n; return 0;
    case SEC_POSN: s->posn = p; s->posn_len = n; return 0;
    case SEC_STOR: s->stor = p; s->stor_len = n; return 0;
    case SEC_SIDX: s->sidx = p; s->sidx_len = n; return 0;
    case SEC_HSTO: s->head.data = p; s->head.data_len = n; return 0;
    case SEC_HIDX: s->head.idx = p; s->head.idx_len = n; return 0;
    case SEC_HDIC: s->head.dict = p; s->head.dict_len = n; return 0;
    case SEC_BSTO: s->body.data = p; s->body.data_len = n; return 0;
    case SEC_BIDX: s->body.idx = p; s->body.idx_len = n; return 0;
    case SEC_BDIC: s->body.dict = p; s->body.dict_len = n; return 0;
    case SEC_IDNT:
        if (n < 8 || (n - 8) % IDNT_ENTRY_SIZE)
            return -1;
        s->idnt = p + 8;
        s->idnt_count = codec_get_u32le(p);
        s->idnt_len = n - 8;
        return 0;
    case SEC_SDIC:
        s->sdic = p;
        s->sdic_len = n;
        return n > 32768 ? -1 : 0;
    case SEC_FEAT:
        if (n != FEAT_SIZE)
            return -1;
        s->feat.compat = codec_get_u64le(p);
        s->feat.rocompat = codec_get_u64le(p + 8);
        s->feat.incompat = codec_get_u64le(p + 16);
        return 0;
    default: return 0; /* columns are bound by CDIR; others unknown */
    }
    s->n_docs = codec_get_u32le(p);
    s->sum_len = codec_get_u64le(p + 8);
    s->sum_tlen = codec_get_u64le(p + 16);
    s->min_date = (int64_t)codec_get_u64le(p + 24);
    s->max_date = (int64_t)codec_get_u64le(p + 32);
    s->n_terms = codec_get_u64le(p + 40);
    s->n_words = codec_get_u64le(p + 48);
    return 0;
}

static const dirent_ *find_entry(const dirent_ *d, uint32_t n, uint32_t tag)
{
    for (uint32_t i = 0; i < n; i++)
        if (d[i].tag == tag)
            return &d[i];
    return NULL;
}

/* The segment_need part a known column is verified under: only what
 * reads a column pays for its CRC (docs/FORMAT.md, "What is verified
 * when"). 0 for columns this library does not know: checked at open. */
static unsigned col_need_of(uint32_t tag)
{
    if (is_fp_tag(tag)) /* only near-duplicate work reads them */
        return SEG_NEED_FP;
    switch (tag) {
    case SEC_DLEN: case SEC_TLEN: return SEG_NEED_LENS;
    case SEC_DATE: case SEC_DOFF: return SEG_NEED_DATES;
    case SEC_LANG: return SEG_NEED_LANG;
    default: return 0;
    }
}

/* One column named by the column directory (or, in version 2, by the
 * format): its section must hold n_docs values and pass its CRC (now,
 * or on first use: col_need_of). */
static int bind_column(segment *s, const char *path, const dirent_ *d,
                       uint32_t n, uint32_t tag, unsigned width,
                       unsigned flags, uint64_t dflt, errmsg *e)
{
    const col_desc *k = col_find(tag);
    if (width != 1 && width != 2 && width != 4 && width != 8)
        return err_corrupt(e, "%s: column %.4s has width %u", path,
                           (const char *)&tag, width);
    if (k && (k->width != width ||
              (k->flags & COL_FLAGS_DISK) != (flags & COL_FLAGS_DISK)))
        return err_corrupt(e, "%s: column %.4s has width %u flags %u, "
                           "expected %u and %u", path, (const char *)&tag,
                           width, flags, k->width, k->flags & COL_FLAGS_DISK);
    if (!k && ((flags & COL_MUST) || (flags & ~COL_FLAGS_DISK)))
        return err_set(e, MORGUE_EVERSION, "%s: column %.4s must be "
                       "understood and this library does not know it (a "
                       "newer morgue wrote it)", path, (const char *)&tag);
    const dirent_ *x = find_entry(d, n, tag);
    if (!x)
        return err_corrupt(e, "%s: column %.4s has no section", path,
                           (const char *)&tag);
    if (x->len != (uint64_t)s->n_docs * width)
        return err_corrupt(e, "%s: column %.4s holds %" PRIu64 " bytes for "
                           "%u documents", path, (const char *)&tag, x->len,
                           s->n_docs);
    unsigned need = col_need_of(tag);
    if (need) /* verified by what reads it, on first use */
        add_lazy(s, tag, need, x->off, x->len, x->crc,
                 k ? (int)(k - col_table) : -1);
    else if (crc_streamed(s->map + x->off, x->len) != x->crc)
        return err_corrupt(e, "%s: section %.4s (offset %" PRIu64
                           ") checksum mismatch", path, (const char *)&tag,
                           x->off);
    seg_col c = { tag, (uint8_t)width, (uint8_t)flags, dflt,
                  s->map + x->off, NULL, NULL, 63, 0, 0, 0 };
    if (k) {
        if (need) { /* one page, the section, until CPAG says more */
            size_t i = (size_t)(k - col_table);
            free(s->lazy->col_ok[i]);
            if (!(s->lazy->col_ok[i] = calloc(1, sizeof (uint64_t))))
                return err_set(e, MORGUE_ENOMEM, "out of memory");
            c.ok = s->lazy->col_ok[i];
        }
        s->col[k - col_table] = c;
        return MORGUE_OK;
    }
    if (s->n_carried == COL_MAX_CARRIED)
        return err_set(e, MORGUE_EVERSION, "%s: more than %d columns this "
                       "library does not know", path, COL_MAX_CARRIED);
    s->carried[s->n_carried++] = c;
    return MORGUE_OK;
}

/* CPAG (verified at open): the page CRCs and largest values of the
 * columns it lists, each a known column of the segment, with the pages
 * its section has. */
static int bind_pages(segment *s, const char *path, errmsg *e)
{
    int has = (s->feat.compat & FEAT_COMPAT_COLPAGES) != 0;
    if (!has)
        return MORGUE_OK; /* (a CPAG without the bit is not ours) */
    if (!s->cpag || s->cpag_len < 8)
        return err_corrupt(e, "%s: no column pages section", path);
    const uint8_t *p = s->cpag;
    uint32_t count = codec_get_u32le(p), shift = codec_get_u32le(p + 4);
    if (shift < 9 || shift > 24 || count > N_COLS ||
        s->cpag_len < 8 + (size_t)count * CPAG_ENTRY_SIZE)
        return err_corrupt(e, "%s: column pages header is inconsistent",
                           path);
    size_t at = 8 + (size_t)count * CPAG_ENTRY_SIZE; /* the CRCs */
    for (uint32_t i = 0; i < count; i++) {
        const uint8_t *q = p + 8 + (size_t)i * CPAG_ENTRY_SIZE;
        uint32_t tag = codec_get_u32le(q), pages = codec_get_u32le(q + 4);
        const col_desc *k = col_find(tag);
        seg_col *c = k ? &s->col[k - col_table] : NULL;
        if (!c || !c->p || !c->ok || c->pcrc)
            return err_corrupt(e, "%s: column pages of %.4s, not a column "
                               "read on use (or listed twice)", path,
                               (const char *)q);
        uint64_t bytes = (uint64_t)s->n_docs * c->width;
        /* pages follow the file's: a query's check reads one */
        uint32_t lead = (uint32_t)((uintptr_t)(c->p - s->map) &
                                   ((1u << shift) - 1));
        if (pages != (bytes ? ((lead + bytes - 1) >> shift) + 1 : 0) ||
            (s->cpag_len - at) / 4 < pages)
            return err_corrupt(e, "%s: column %.4s has %" PRIu64 " bytes, "
                               "not %u pages", path, (const char *)q, bytes,
                               pages);
        size_t ci = (size_t)(k - col_table);
        free(s->lazy->col_ok[ci]);
        s->lazy->col_ok[ci] = calloc((size_t)pages / 64 + 1,
                                     sizeof (uint64_t));
        if (!s->lazy->col_ok[ci])
            return err_set(e, MORGUE_ENOMEM, "out of memory");
        c->ok = s->lazy->col_ok[ci];
        c->pcrc = p + at;
        c->shift = (uint8_t)shift;
        c->lead = lead;
        c->has_max = 1;
        c->max = codec_get_u64le(q + 8);
        at += 4 * (size_t)pages;
    }
    if (at != s->cpag_len)
        return err_corrupt(e, "%s: column pages section has %zu bytes, "
                           "not %zu", path, s->cpag_len, at);
    return MORGUE_OK;
}

/* Binds the columns: from CDIR (version 3) or the fixed three of
 * version 2; the required ones must be there, the others take their
 * defaults when absent. */
static int bind_columns(segment *s, const char *path, const dirent_ *d,
                        uint32_t n, errmsg *e)
{
    for (int i = 0; i < N_COLS; i++)
        s->col[i] = (seg_col){ col_table[i].tag, col_table[i].width,
                               col_table[i].flags & COL_FLAGS_DISK,
                               col_table[i].dflt, NULL, NULL, NULL, 63, 0,
                               0, 0 };
    int rc = MORGUE_OK;
    if (s->version == 2) {
        static const uint32_t v2[] = { SEC_DLEN, SEC_TLEN, SEC_DATE };
        for (int i = 0; i < 3 && rc == MORGUE_OK; i++) {
            const col_desc *k = col_find(v2[i]);
            rc = bind_column(s, path, d, n, k->tag, k->width,
                             k->flags & COL_FLAGS_DISK, k->dflt, e);
        }
    } else {
        const dirent_ *x = find_entry(d, n, SEC_CDIR);
        if (!x || x->len < 8)
            return err_corrupt(e, "%s: no column directory", path);
        const uint8_t *p = s->map + x->off;
        uint32_t count = codec_get_u32le(p);
        if ((x->len - 8) / CDIR_ENTRY_SIZE != count ||
            (x->len - 8) % CDIR_ENTRY_SIZE || codec_get_u32le(p + 4))
            return err_corrupt(e, "%s: column directory size does not "
                               "match its count %u", path, count);
        for (uint32_t i = 0; i < count && rc == MORGUE_OK; i++) {
            const uint8_t *q = p + 8 + (size_t)i * CDIR_ENTRY_SIZE;
            uint32_t tag = codec_get_u32le(q);
            for (uint32_t j = 0; j < i; j++)
                if (codec_get_u32le(p + 8 + (size_t)j * CDIR_ENTRY_SIZE) ==
                    tag)
                    return err_corrupt(e, "%s: column %.4s listed twice",
                                       path, (const char *)q);
            if (q[6] || q[7])
                return err_corrupt(e, "%s: column directory entry %u: "
                                   "reserved bytes not 0", path, i);
            rc = bind_column(s, path, d, n, tag, q[4], q[5],
                             codec_get_u64le(q + 8), e);
        }
    }
    for (int i = 0; i < N_COLS && rc == MORGUE_OK; i++)
        if ((col_table[i].flags & COL_REQUIRED) && !s->col[i].p)
            rc = err_corrupt(e, "%s: required column %s is missing", path,
                             col_table[i].name);
    return rc ? rc : bind_pages(s, path, e);
}

/* Sections a first ranked query reads whole, or here and there from end
 * to end: the lengths' CRCs (without CPAG: paged, the query reads the
 * pages it scores), the first lookup's TDFK, the dictionary blocks' CRCs
 * (TDCK), the heads' zstd dictionary. (The heads' block index is read
 * where each hit's search starts, docstore_find_block.) */
static int first_query_reads(uint32_t tag, int paged)
{
    return ((tag == SEC_DLEN || tag == SEC_TLEN) && !paged) ||
           tag == SEC_TDFK || tag == SEC_TDCK || tag == SEC_HDIC;
}

/* Sections whose first bytes (a count, a header) the open reads. */
static int header_read_at_open(uint32_t tag)
{
    return tag == SEC_TDIC || tag == SEC_TDCK || tag == SEC_IDNT ||
           tag == SEC_BIDX || tag == SEC_SIDX;
}

/* Asks the device, all at once, for what the open reads (the small
 * sections, every section's first page: its header) and then for what
 * the first query reads whole: a cold open then waits for one round of
 * reads instead of one per section, and the first query finds them
 * read or on their way (the map is MADV_RANDOM: each fault would read
 * one page and wait for it). */
static void prefetch(const segment *s, const dirent_ *d, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        if (checked_at_open(d[i].tag) || header_read_at_open(d[i].tag))
            will_read(s->map + d[i].off,
                      checked_at_open(d[i].tag) || d[i].len < 4096 ? d[i].len
                                                                   : 4096);
    int paged = find_entry(d, n, SEC_CPAG) != NULL;
    for (uint32_t i = 0; i < n; i++)
        if (first_query_reads(d[i].tag, paged))
            will_read(s->map + d[i].off, d[i].len);
    for (uint32_t i = 0; i < n; i++) {
        /* TDIC's block offsets, at its end, read by every lookup: last,
         * as its header must be read (waited for) to find them */
        const uint8_t *t = s->map + d[i].off;
        if (d[i].tag == SEC_TDIC && d[i].len >= 16 &&
            codec_get_u32le(t + 12) <= d[i].len)
            will_read(t + codec_get_u32le(t + 12),
                      d[i].len - codec_get_u32le(t + 12));
    }
}

static int read_directory(segment *s, const char *path, errmsg *e)
{
    const uint8_t *f = s->map + s->size - SEGMENT_FOOTER_SIZE;
    if (memcmp(f + 24, SEGMENT_END_MAGIC, 8) != 0)
        return err_corrupt(e, "%s: bad footer magic at offset %zu", path,
                           s->size - 8);
    uint32_t ver = codec_get_u32le(f + 16);
    if (ver != s->version)
        return ver < FORMAT_VERSION_MIN || ver > FORMAT_VERSION
                   ? err_set(e, MORGUE_EVERSION, "%s: format version %u, "
                             "this library reads %u to %u", path, ver,
                             FORMAT_VERSION_MIN, FORMAT_VERSION)
                   : err_corrupt(e, "%s: footer says format version %u, "
                                 "header %u", path, ver, s->version);
    uint64_t dir_off = codec_get_u64le(f);
    uint32_t n = codec_get_u32le(f + 8);
    uint64_t dir_len = (uint64_t)n * SEGMENT_DIR_ENTRY_SIZE;
    if (n > 1024 || dir_off < 16 ||
        dir_off + dir_len != s->size - SEGMENT_FOOTER_SIZE)
        return err_corrupt(e, "%s: bad directory offset %" PRIu64, path,
                           dir_off);
    const uint8_t *d = s->map + dir_off;
    if (crc_of(d, dir_len) != codec_get_u32le(f + 12))
        return err_corrupt(e, "%s: directory checksum mismatch at offset %"
                           PRIu64, path, dir_off);
    dirent_ ents[1024];
    for (uint32_t i = 0; i < n; i++, d += SEGMENT_DIR_ENTRY_SIZE) {
        uint32_t tag = codec_get_u32le(d);
        uint64_t off = codec_get_u64le(d + 8), len = codec_get_u64le(d + 16);
        if (off < 16 || off > dir_off || len > dir_off - off)
            return err_corrupt(e, "%s: section %.4s out of bounds", path,
                               (const char *)d);
        ents[i] = (dirent_){ tag, off, len, codec_get_u32le(d + 24) };
    }
    prefetch(s, ents, n);
    d = s->map + dir_off;
    for (uint32_t i = 0; i < n; i++, d += SEGMENT_DIR_ENTRY_SIZE) {
        uint32_t tag = ents[i].tag;
        uint64_t off = ents[i].off, len = ents[i].len;
        const uint8_t *p = s->map + off;
        if (checked_at_open(tag) && crc_of(p, len) != ents[i].crc)
            return err_corrupt(e, "%s: section %.4s (offset %" PRIu64
                               ") checksum mismatch", path,
                               (const char *)d, off);
        if (bind_section(s, tag, p, len))
            return err_corrupt(e, "%s: section %.4s has a bad size", path,
                               (const char *)d);
        if (tag == SEC_IDNT)
            add_lazy(s, tag, SEG_NEED_IDNT, off, len, ents[i].crc, -1);
        if (tag == SEC_TDFK)
            add_lazy(s, tag, SEG_NEED_TDFK, off, len, ents[i].crc, -1);
        if (tag == SEC_HDIC || tag == SEC_BDIC)
            add_lazy(s, tag, tag == SEC_HDIC ? SEG_NEED_HDIC : SEG_NEED_BDIC,
                     off, len, ents[i].crc, -1);
    }
    /* The dictionary: block by block on first use when TDCK has their
     * CRCs, else whole now. */
    const dirent_ *td = find_entry(ents, n, SEC_TDIC);
    if (td && !s->tdck &&
        crc_streamed(s->map + td->off, td->len) != td->crc)
        return err_corrupt(e, "%s: section TDIC (offset %" PRIu64
                           ") checksum mismatch", path, td->off);
    if (s->version >= 3 && !find_entry(ents, n, SEC_FEAT))
        return err_corrupt(e, "%s: no feature section", path);
    int rc = features_check(&s->feat, 0, path, e);
    return rc ? rc : bind_columns(s, path, ents, n, e);
}

static int check_shapes(segment *s, const char *path, errmsg *e)
{
    if (!s->tdic || !s->post || !s->idnt)
        return err_corrupt(e, "%s: a required section is missing", path);
    if (s->idnt_count != s->n_docs ||
        s->idnt_len != (size_t)s->n_docs * IDNT_ENTRY_SIZE)
        return err_corrupt(e, "%s: identity section holds %u entries for %u "
                           "documents", path, s->idnt_count, s->n_docs);
    if (s->tdic_len < 16)
        return err_corrupt(e, "%s: dictionary too short", path);
    s->tdic_terms = codec_get_u32le(s->tdic);
    s->tdic_blocks = codec_get_u32le(s->tdic + 4);
    uint32_t per = codec_get_u32le(s->tdic + 8);
    uint32_t idx = codec_get_u32le(s->tdic + 12);
    if (per != TDIC_BLOCK_TERMS ||
        s->tdic_blocks != (s->tdic_terms + per - 1) / per ||
        idx > s->tdic_len || (s->tdic_len - idx) / 4 < s->tdic_blocks)
        return err_corrupt(e, "%s: dictionary header is inconsistent", path);
    s->tdic_index = s->tdic + idx;
    /* (each block's bounds are checked where it is read) */
    if (s->tdck) {
        if (s->tdck_len != 8 + 4 * (size_t)s->tdic_blocks ||
            codec_get_u32le(s->tdck) != s->tdic_blocks)
            return err_corrupt(e, "%s: dictionary checksums do not match "
                               "its %u blocks", path, s->tdic_blocks);
        /* TDCK's second word: the CRC of TDIC's header just read */
        if ((uint32_t)crc32(0L, s->tdic, 16) != codec_get_u32le(s->tdck + 4))
            return err_corrupt(e, "%s: dictionary header fails its "
                               "checksum", path);
        s->lazy->tdic_ok = calloc((size_t)s->tdic_blocks / 64 + 1,
                                  sizeof *s->lazy->tdic_ok);
        if (!s->lazy->tdic_ok)
            return err_set(e, MORGUE_ENOMEM, "out of memory");
    }
    if (s->lset) {
        uint64_t sum = 0;
        for (uint32_t i = 0; i < s->lset_count; i++)
            sum += codec_get_u32le(s->lset + 8 * (size_t)i + 4);
        if (sum != s->n_docs || codec_get_u32le(s->lset - 4))
            return err_corrupt(e, "%s: the language set counts %" PRIu64
                               " documents of %u", path, sum, s->n_docs);
    }
    /* (each first key's bounds are checked where it is read) */
    if (s->tdfk && (s->tdfk_len < 8 + 4 * ((size_t)s->tdic_blocks + 1) ||
                    codec_get_u32le(s->tdfk) != s->tdic_blocks ||
                    codec_get_u32le(s->tdfk + 4) != 0))
        return err_corrupt(e, "%s: dictionary first keys do not match its "
                           "%u blocks", path, s->tdic_blocks);
    return docstore_bind(s, path, e);
}

int segment_open(segment *s, const char *path, uint64_t id, errmsg *e)
{
    memset(s, 0, sizeof *s);
    s->id = id;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return err_set(e, errno == ENOENT ? MORGUE_ENOTFOUND : MORGUE_EIO,
                       "%s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        close(fd);
        return err_set(e, MORGUE_EIO, "%s: %s", path, strerror(errno));
    }
    if (st.st_size < 16 + SEGMENT_FOOTER_SIZE) {
        close(fd);
        return err_corrupt(e, "%s: truncated (%lld bytes)", path,
                           (long long)st.st_size);
    }
    s->size = (size_t)st.st_size;
    void *m = mmap(NULL, s->size, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    if (m == MAP_FAILED)
        return err_set(e, MORGUE_EIO, "%s: mmap: %s", path, strerror(errno));
    s->map = m;
    /* Queries read a segment here and there: the kernel's read-around
     * (the device's whole readahead, megabytes, around every fault) would
     * read most of a cold file for the first query. */
    madvise(m, s->size, MADV_RANDOM);
    /* the header and the directory at the end, read side by side */
    will_read(s->map, 16);
    will_read(s->map + s->size - (s->size < 8192 ? s->size : 8192),
              s->size < 8192 ? s->size : 8192);
    if (!(s->lazy = calloc(1, sizeof *s->lazy))) {
        munmap(m, s->size);
        s->map = NULL;
        return err_set(e, MORGUE_ENOMEM, "out of memory");
    }
    int rc = MORGUE_OK;
    if (memcmp(s->map, SEGMENT_MAGIC, 8) != 0)
        rc = err_corrupt(e, "%s: not a morgue segment (bad magic)", path);
    else if ((s->version = codec_get_u32le(s->map + 8)) <
                 FORMAT_VERSION_MIN ||
             s->version > FORMAT_VERSION)
        rc = err_set(e, MORGUE_EVERSION, "%s: format version %u, this "
                     "library reads %u to %u", path, s->version,
                     FORMAT_VERSION_MIN, FORMAT_VERSION);
    if (rc == MORGUE_OK)
        rc = read_directory(s, path, e);
    if (rc == MORGUE_OK)
        rc = check_shapes(s, path, e);
    if (rc != MORGUE_OK)
        segment_close(s);
    return rc;
}

void segment_advise_sequential(const segment *s)
{
    if (s->map)
        madvise((void *)s->map, s->size, MADV_NORMAL);
}

int segment_verify_crcs(const segment *s, errmsg *e)
{
    const uint8_t *f = s->map + s->size - SEGMENT_FOOTER_SIZE;
    uint64_t dir_off = codec_get_u64le(f);
    uint32_t n = codec_get_u32le(f + 8);
    const uint8_t *d = s->map + dir_off;
    for (uint32_t i = 0; i < n; i++, d += SEGMENT_DIR_ENTRY_SIZE) {
        uint64_t off = codec_get_u64le(d + 8), len = codec_get_u64le(d + 16);
        if (crc_streamed(s->map + off, len) != codec_get_u32le(d + 24))
            return err_corrupt(e, "segment %016" PRIx64 ": section %.4s "
                               "(offset %" PRIu64 ", %" PRIu64 " bytes) "
                               "checksum mismatch", s->id,
                               (const char *)d, off, len);
    }
    return MORGUE_OK;
}

int segment_section(const segment *s, uint32_t tag, const uint8_t **p,
                    size_t *n)
{
    const uint8_t *f = s->map + s->size - SEGMENT_FOOTER_SIZE;
    const uint8_t *d = s->map + codec_get_u64le(f);
    uint32_t count = codec_get_u32le(f + 8);
    for (uint32_t i = 0; i < count; i++, d += SEGMENT_DIR_ENTRY_SIZE)
        if (codec_get_u32le(d) == tag) {
            *p = s->map + codec_get_u64le(d + 8);
            *n = (size_t)codec_get_u64le(d + 16);
            return 0;
        }
    return -1;
}

int segment_sections(const segment *s, seg_section **out, size_t *n)
{
    const uint8_t *f = s->map + s->size - SEGMENT_FOOTER_SIZE;
    const uint8_t *d = s->map + codec_get_u64le(f);
    uint32_t count = codec_get_u32le(f + 8);
    *out = malloc(((size_t)count + 1) * sizeof **out);
    if (!*out)
        return MORGUE_ENOMEM;
    for (uint32_t i = 0; i < count; i++, d += SEGMENT_DIR_ENTRY_SIZE)
        (*out)[i] = seg_bytes(codec_get_u32le(d),
                                   s->map + codec_get_u64le(d + 8),
                                   (size_t)codec_get_u64le(d + 16));
    *n = count;
    return MORGUE_OK;
}

void segment_close(segment *s)
{
    docstore_unbind(s);
    if (s->map)
        munmap((void *)s->map, s->size);
    if (s->lazy) {
        free(s->lazy->tdic_ok);
        for (int c = 0; c < N_COLS; c++)
            free(s->lazy->col_ok[c]);
    }
    free(s->lazy);
    memset(s, 0, sizeof *s);
}
