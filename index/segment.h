/* segment.h: one immutable segment file: writing it from inverted
 * postings, opening it (mmap), checking it. The byte format is in
 * index/format.h. */
#ifndef MORGUE_INDEX_SEGMENT_H
#define MORGUE_INDEX_SEGMENT_H

#include <stddef.h>
#include <stdint.h>

#include "index/columns.h"
#include "index/features.h"
#include "util/buf.h"
#include "util/error.h"

/* ---- writing ---- */

/* A segment file being written (segment_write.c); section writers
 * append to it with seg_out_put, which checksums what it writes. */
typedef struct seg_out seg_out;
void seg_out_put(seg_out *o, const void *p, size_t n);

/* One document of a streamed term (seg_term.next_doc): its number (in
 * ascending order), term frequency and, for terms with positions, its tf
 * positions as varints (the first absolute, then differences). */
typedef struct seg_doc {
    uint32_t doc, tf;
    const uint8_t *pos;
    size_t pos_len;
} seg_doc;

/* One term as the inverter (or a merge) hands it over. post holds, per
 * document, varint gap and varint (tf - 1), gaps as in a short block; pos
 * holds per document tf varint positions (first absolute, then deltas),
 * or is empty for terms without positions. */
typedef struct seg_term {
    const char *key;
    size_t key_len;
    uint32_t df;
    uint32_t src;         /* the builder's own number for it (gather) */
    const uint8_t *post;
    size_t post_len;
    const uint8_t *pos;
    size_t pos_len;
    /* Index (in the sorted array) of an earlier term whose postings are
     * identical, or SIZE_MAX: a stem with one surface word shares that
     * word's postings instead of repeating them. */
    size_t alias;
    /* Or (a merge): the key of an earlier term whose postings this one
     * shares; the term is left out when that key was not written. */
    const char *alias_key;
    size_t alias_key_len;
    /* Or (a merge): the documents one at a time, 1 and *d filled, 0 at
     * the end, or a negative morgue_error_code with a message; df, post
     * and pos are then ignored and a term without documents is left out.
     * *d's positions stay valid until the next call. */
    int (*next_doc)(void *ud, seg_doc *d, errmsg *e);
    void *doc_ud;
} seg_term;

/* One section's bytes, for segment_write_sections: ptr and len, or the
 * bytes of a spool (index/spool.h), or what gen writes. */
struct spool;
typedef struct seg_section {
    uint32_t tag;
    const void *ptr;
    size_t len;
    struct spool *spool;
    int (*gen)(void *ud, seg_out *o, errmsg *e);
    void *ud;
} seg_section;

/* A section of ptr[0..len). */
static inline seg_section seg_bytes(uint32_t tag, const void *ptr,
                                    size_t len)
{
    seg_section s = { .tag = tag, .ptr = ptr, .len = len };
    return s;
}

#define SEG_MAX_EXTRA 8 /* sections a seg_build may add (the stored text) */
#define SEG_SPOOL_MEM (1u << 20) /* memory of one spooled section */

typedef struct seg_build {
    uint32_t n_docs;
    /* The columns: n_docs rows of each; or (put_column set) only their
     * descriptors, put_column writing column col's n_docs values, with
     * DLEN and TLEN (postings impacts, META) in dlen and tlen and the
     * date range (INT64_MIN: none) in date_min, date_max. */
    const colset *cols;
    int (*put_column)(void *ud, size_t col, seg_out *o, errmsg *e);
    const uint32_t *dlen, *tlen;
    int64_t date_min, date_max;
    /* n_docs identity hashes; or NULL and put_idents writes IDNT's
     * entries in their order. */
    const uint64_t *idents;
    int (*put_idents)(void *ud, seg_out *o, errmsg *e);
    const seg_term *terms;  /* n_terms, sorted by key; or NULL and: */
    size_t n_terms;
    /* Terms one at a time, in key order (a merge streams them): 1 and the
     * next term in *out (valid until the next call), 0 at the end, or a
     * negative morgue_error_code with a message in e. */
    int (*next_term)(void *ud, seg_term *out, errmsg *e);
    void *ud;
    /* Further sections, written as given: the stored text (docstore.h
     * makes them), with the feature bits they need. */
    seg_section extra[SEG_MAX_EXTRA];
    size_t n_extra;
    features feat;
    /* 2 or more: a sorted array's postings are encoded on two threads
     * (the same bytes as on one) */
    unsigned threads;
    /* Or (set: the inverter): a sorted array's terms have no post and
     * pos bytes in place (post_len and pos_len are estimates: they share
     * the work of two threads), and gather(gather_ud, t, post, pos, df)
     * makes them (and the document count) in post and pos, buffers of the
     * thread writing t; 0, or -1 on OOM or bytes that do not decode.
     * Called from both threads. */
    int (*gather)(void *ud, const seg_term *t, buf *post, buf *pos,
                  uint32_t *df);
    void *gather_ud;
} seg_build;

/* Writes b to a new file at path and fsyncs it. Memory: the sections
 * produced side by side (dictionary, postings, positions) are spooled
 * (index/spool.h, SEG_SPOOL_MEM each) into temporary files in path's
 * directory, and one term's postings are held while it is written; the
 * rest is streamed. */
int segment_write(const char *path, const seg_build *b, errmsg *e);

/* Writes a segment file made of the given sections, in that order, with
 * header, directory and footer of format version (FORMAT_VERSION, or an
 * older one for tests), and fsyncs it. segment_write() builds its
 * sections and ends here; tests use it to forge files. */
int segment_write_sections(const char *path, const seg_section *secs,
                           size_t n, uint32_t version, errmsg *e);

/* ---- reading ---- */

/* A column as a segment holds it. */
typedef struct seg_col {
    uint32_t tag;
    uint8_t width, flags;
    uint64_t dflt;
    const uint8_t *p;    /* n_docs values of width bytes, or NULL when the
                            segment lacks the column: every value dflt */
    /* Verified on first use, a page at a time (segment_col_page): bit g
     * of ok is set once page g has passed its CRC. With CPAG, page g is
     * the section's part of the file's (g + its first)-th page of
     * 2^shift bytes (the section starts lead bytes into its first), its
     * CRC at pcrc; without (older segments), one page, the whole
     * section, checked against its directory CRC. ok NULL: nothing to
     * verify (no section, or checked at open). */
    uint64_t *ok;
    const uint8_t *pcrc;
    uint8_t shift;
    uint32_t lead;
    int has_max;         /* CPAG gave max, the largest value */
    uint64_t max;
} seg_col;

/* One of the stored-text stores (heads or bodies, docstore.h), as a
 * segment holds it. */
typedef struct seg_store {
    const uint8_t *data; size_t data_len; /* compressed blocks */
    const uint8_t *idx; size_t idx_len;   /* u32 count, 24 bytes a block */
    const uint8_t *dict; size_t dict_len; /* zstd dictionary, or NULL */
    uint32_t n_blocks;
} seg_store;

typedef struct segment {
    uint64_t id;
    const uint8_t *map;  /* whole file, mmap'ed read-only */
    size_t size;
    uint32_t n_docs;
    uint64_t sum_len;    /* META totals */
    uint64_t sum_tlen;
    int64_t min_date, max_date;
    uint64_t n_terms, n_words;
    uint32_t version;    /* format version of the file (2 or 3) */
    features feat;       /* FEAT (all 0 in version 2) */
    seg_col col[N_COLS]; /* the known columns, by col_id */
    seg_col carried[COL_MAX_CARRIED]; /* columns this library does not
                                         know (not must-understand) */
    uint32_t n_carried;
    const uint8_t *tdic; size_t tdic_len;
    const uint8_t *post; size_t post_len;
    const uint8_t *posn; size_t posn_len;
    /* stored text: heads and bodies (FEAT_INCOMPAT_ZSTORE), or the
     * zlib store of older segments (STOR, SIDX, SDIC) */
    seg_store head, body;
    const uint8_t *stor; size_t stor_len;
    const uint8_t *sidx; size_t sidx_len;
    const uint8_t *sdic; size_t sdic_len; /* NULL: blocks have no dict */
    const uint8_t *idnt; /* IDNT entries (after its 8-byte header) */
    size_t idnt_len;     /* bytes of entries */
    uint32_t idnt_count; /* the header's count */
    uint32_t tdic_terms, tdic_blocks;
    const uint8_t *tdic_index; /* u32 per block */
    uint32_t sidx_blocks;
    const uint8_t *tdck; size_t tdck_len; /* TDIC block CRCs, or NULL */
    const uint8_t *tdfk; size_t tdfk_len; /* TDIC blocks' first keys, or
                                             NULL (format.h SEC_TDFK) */
    const uint8_t *lset; /* LSET's entries (format.h SEC_LSET), or NULL:
                            scan LANG for the languages */
    uint32_t lset_count;
    const uint8_t *cpag; size_t cpag_len; /* CPAG (FEAT_COMPAT_COLPAGES),
                                             or NULL */
    struct seg_lazy *lazy; /* owned: what is verified on first use */
} segment;

/* Maps the file and checks its footer, directory, the small sections'
 * CRCs and their sizes. MORGUE_ECORRUPT/EVERSION/EIO with a message.
 * What a query may never need is verified on first use instead
 * (docs/FORMAT.md, "What is verified when"): each dictionary block
 * (segment_tdic_block), the identity entries, the dictionary's first
 * keys and every known column (segment_need): whoever reads a whole
 * column calls segment_need for its part first, whoever reads single
 * documents' values (segment_col, segment_dlen, segment_date...)
 * segment_col_page for each (a page of CPAG at a time). */
int segment_open(segment *s, const char *path, uint64_t id, errmsg *e);

/* The bytes of the first section with tag: 0, or -1 when there is none. */
int segment_section(const segment *s, uint32_t tag, const uint8_t **p,
                    size_t *n);

/* Every section in directory order, for tools and tests that rewrite a
 * file: *out is malloc'ed (the caller frees it), pointing into s->map. */
int segment_sections(const segment *s, seg_section **out, size_t *n);

/* Parts verified on first use (segment_need); once verified, or found
 * corrupt, a part is not read again for it. */
#define SEG_NEED_IDNT 1u /* IDNT: get by id, updates, merges */
#define SEG_NEED_FP 2u   /* the fingerprint columns FPH0..FPH7 */
#define SEG_NEED_TDFK 4u /* TDFK: a lookup's first binary search */
#define SEG_NEED_HDIC 8u /* the heads' zstd dictionary: first head read */
#define SEG_NEED_BDIC 16u /* the bodies': first body read */
#define SEG_NEED_LENS 32u /* DLEN, TLEN: scoring, phrases in titles */
#define SEG_NEED_DATES 64u /* DATE, DOFF: date filters, sorting, recency,
                              date facets, hits' dates, timelines, dups */
#define SEG_NEED_LANG 128u /* LANG: lang:, language facets, snippets'
                              and similar's stemmer, older segments'
                              language scan */
#define SEG_NEED_COLS (SEG_NEED_FP | SEG_NEED_LENS | SEG_NEED_DATES |     \
                       SEG_NEED_LANG) /* the columns' parts */
#define SEG_NEED_ALL (SEG_NEED_IDNT | SEG_NEED_COLS) /* what a merge
                                                        copies */

/* Verifies the CRCs of the parts in what (SEG_NEED_*), each once per
 * open segment (safe from several threads): MORGUE_OK or ECORRUPT. */
int segment_need(const segment *s, unsigned what, errmsg *e);

/* The segment's longest title in tokens (the title part's score bound):
 * CPAG's largest TLEN value, or (older segments) scanned from TLEN once
 * per open segment after segment_need(LENS): MORGUE_OK or ECORRUPT. */
int segment_max_tlen(const segment *s, uint32_t *out, errmsg *e);

/* Where the heads' (body 0) or bodies' zstd dictionary is kept once
 * built (docstore.c); NULL when the segment is not open. */
struct ZSTD_DDict_s **segment_ddict_slot(const segment *s, int body);

/* Verifies dictionary block b against TDCK on its first use (a no-op for
 * segments without TDCK, whose TDIC was verified whole at open). */
int segment_tdic_block(const segment *s, uint32_t b, errmsg *e);

/* Asks the device for bytes [p, p + n) of the map now, without waiting
 * (MADV_WILLNEED): a query names what it will read next side by side, so
 * that a cold map costs one round of reads, not one per page fault. */
void segment_will_read(const segment *s, const uint8_t *p, size_t n);

/* 1 for the first SEG_FRESH calls on an open segment, then 0: whether a
 * search should still announce its reads (segment_will_read). A segment
 * just opened is likely cold; once its hot pages are cached, the system
 * calls (1.5-3 us each on the benchmark machine) cost more than they
 * save, and nothing cheaper tells a cached page from a cold one. */
#define SEG_FRESH 16u
int segment_fresh(const segment *s);
/* The same without counting a call. */
int segment_is_fresh(const segment *s);

/* The map is read at random (MADV_RANDOM: queries); a merge or a check
 * that reads it through calls this to get the kernel's readahead back. */
void segment_advise_sequential(const segment *s);

/* Drops column c's pages from the process (the page cache keeps them;
 * the next read faults them back in): after a scan of the whole column,
 * so that an open segment's memory does not grow with its articles. */
void segment_release_col(const segment *s, int c);

/* Verifies every section's CRC (the big ones are not read at open),
 * dropping the pages it read from the process as it goes: its memory
 * does not grow with the file. */
int segment_verify_crcs(const segment *s, errmsg *e);

void segment_close(segment *s);

static inline uint32_t seg_u32le(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

/* The page of column k that holds doc's value (seg_col.ok's bit). */
static inline uint64_t seg_col_page_of(const seg_col *k, uint64_t doc)
{
    return ((uint64_t)k->lead + doc * k->width) >> k->shift;
}

/* 1 when doc's value of column c (a col_id) may be read without a
 * check: its page is verified (or has nothing to verify). */
static inline int segment_col_ready(const segment *s, int c, uint32_t doc)
{
    const seg_col *k = &s->col[c];
    if (!k->ok)
        return 1;
    uint64_t g = seg_col_page_of(k, doc);
    return (int)(__atomic_load_n(&k->ok[g >> 6], __ATOMIC_ACQUIRE) >>
                     (g & 63) & 1);
}

/* Verifies the page of column c holding doc's value (the whole column in
 * segments without CPAG) unless it is verified already: MORGUE_OK, or
 * MORGUE_ECORRUPT with a message (each call checks a damaged page
 * again). Readers of single documents call it (or segment_col_ready
 * first) before segment_col, segment_dlen, segment_date...; readers of a
 * whole column call segment_need. */
int segment_col_verify(const segment *s, int c, uint32_t doc, errmsg *e);

static inline int segment_col_page(const segment *s, int c, uint32_t doc,
                                   errmsg *e)
{
    return segment_col_ready(s, c, doc) ? 0 /* MORGUE_OK */
                                        : segment_col_verify(s, c, doc, e);
}

/* Asks for the page of column c holding doc's value, when it is not
 * verified yet (segment_will_read): a result list's dates, side by side
 * with its heads, in a cold segment. */
void segment_will_read_col(const segment *s, int c, uint32_t doc);

/* Verifies every page CRC of CPAG against its column (morgue check). */
int segment_verify_pages(const segment *s, errmsg *e);

/* Value of column c (a col_id) for doc: the column's default when the
 * segment lacks it. */
static inline uint64_t segment_col(const segment *s, int c, uint32_t doc)
{
    const seg_col *k = &s->col[c];
    return k->p ? col_load(k->p + (size_t)doc * k->width, k->width,
                           k->flags)
                : k->dflt;
}

/* The hot columns, read without the generic path (they are required, so
 * always present, with the widths of col_table). */
static inline uint32_t segment_dlen(const segment *s, uint32_t doc)
{
    return seg_u32le(s->col[COL_DLEN].p + 4 * (size_t)doc);
}

static inline uint32_t segment_tlen(const segment *s, uint32_t doc)
{
    return seg_u32le(s->col[COL_TLEN].p + 4 * (size_t)doc);
}

int64_t segment_date(const segment *s, uint32_t doc);

/* The date's UTC offset in minutes, or MORGUE_NO_OFFSET (also for
 * segments written before the column existed). */
static inline int segment_date_offset(const segment *s, uint32_t doc)
{
    return (int)(int64_t)segment_col(s, COL_DOFF, doc);
}

/* The date as the article's local wall clock read as if UTC: the date
 * plus its offset (plus none when unknown), INT64_MIN for undated. Its
 * UTC calendar day is the article's own day; date filters and the date
 * facets compare it, sorting and recency use segment_date(). It differs
 * from segment_date() by less than a day. */
int64_t segment_local_date(const segment *s, uint32_t doc);

/* Identity entry i (0 <= i < n_docs) of IDNT, in hash order. */
static inline uint64_t segment_ident_hash(const segment *s, uint32_t i)
{
    const uint8_t *p = s->idnt + (size_t)i * 12;
    return (uint64_t)seg_u32le(p) | (uint64_t)seg_u32le(p + 4)
                                               << 32;
}

static inline uint32_t segment_ident_doc(const segment *s, uint32_t i)
{
    return seg_u32le(s->idnt + (size_t)i * 12 + 8);
}

/* First IDNT entry whose hash is >= h (n_docs when none). */
uint32_t segment_ident_lower(const segment *s, uint64_t h);

/* File name of segment id in dir: "<dir>/seg_<16 hex>.mseg". */
void segment_path(char *out, size_t cap, const char *dir, uint64_t id);

#endif
