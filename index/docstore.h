/* docstore.h: the stored text of articles: the builder used while indexing
 * and merging, and the reader.
 *
 * Two stores per segment, so that a result list never decompresses a body:
 *   heads  id, url, title, source, tags (what a hit list shows), in small
 *          blocks (DOCSTORE_HEAD_BLOCK raw bytes): a top 10 decompresses
 *          ten small blocks;
 *   bodies the body, in DOCSTORE_BODY_BLOCK blocks, decompressed only for
 *          snippets, matches and `morgue show`.
 * Each block is one zstd frame (level DOCSTORE_LEVEL) compressed with a
 * dictionary trained on the segment's first DOCSTORE_SAMPLE bytes of that
 * store's records (ZDICT fastCover); CDict and DDict are built once per
 * segment. Every block carries the CRC-32 of its compressed bytes in the
 * block index, verified before it is decompressed, so a damaged block is
 * MORGUE_ECORRUPT at query time, never a wrong answer.
 *
 * Why these codecs and sizes (benchmarks/codec_bench.c on Reuters-21578,
 * numbers in docs/FORMAT.md): zstd 3 with a trained dictionary compresses
 * 8 KiB blocks of whole records as well as zlib 6 with its 32 KiB preset
 * dictionary (ratio 2.59 against 2.57) and decompresses them 2.5x as fast,
 * and compresses 7x as fast (zlib re-hashed its dictionary for every
 * block); libdeflate has no preset dictionaries (2.19); LZ4 decompresses
 * 2.5x faster again but compresses to 1.66, which would cost the index
 * size target. The heads alone are 13% of the text. Bodies are cut in
 * 4 KiB blocks, not 8: a snippet decompresses half as much for 1% more
 * stored bytes (ratio 2.56 against 2.58).
 *
 * Records are self-describing: per document varint record length, then
 * fields, each varint field id | varint length | bytes (ids STORED_*
 * below; empty fields are left out; unknown ids are skipped, so a later
 * version may store more). A huge article's body is stored only up to
 * DOCSTORE_BODY_MAX bytes (other fields up to DOCSTORE_FIELD_MAX), cut at
 * a UTF-8 boundary, and its head then holds STORED_CAPPED, the mask of the
 * fields cut; the whole text is indexed all the same. So no block exceeds
 * DOCSTORE_RAW_MAX, which the reader enforces.
 *
 * Segments older than the zstd store (no FEAT_INCOMPAT_ZSTORE) keep
 * their zlib store (STOR, SIDX, SDIC), read by docstore_v2.c. */
#ifndef MORGUE_INDEX_DOCSTORE_H
#define MORGUE_INDEX_DOCSTORE_H

#include <zlib.h>

#include "index/format.h"
#include "index/segment.h"
#include "index/spool.h"
#include "util/buf.h"
#include "util/span.h"

#define DOCSTORE_HEAD_BLOCK 2048
#define DOCSTORE_BODY_BLOCK 4096
#define DOCSTORE_LEVEL 3
#define DOCSTORE_DICT_MAX 65536       /* bytes of a trained dictionary */
#define DOCSTORE_SAMPLE (1u << 20)    /* raw bytes the dictionary learns */
/* fastCover's accel: 4 scans a quarter of the sample's positions. Against
 * 1 (6,000 Reuters articles, one thread, cachegrind): 3.70 -> 3.55 G
 * instructions of indexing, Reuters 1x index +4,840 bytes (0.03%); 10
 * saved 35 M more for +21,500 bytes. */
#define DOCSTORE_TRAIN_ACCEL 4
#define DOCSTORE_BODY_MAX (16u << 20) /* stored bytes of one body */
#define DOCSTORE_FIELD_MAX (1u << 20) /* stored bytes of any other field */
#define DOCSTORE_RAW_MAX (64u << 20)  /* raw bytes of one block, at most */

/* Field ids in records: the public MORGUE_FIELD_* numbers, then: */
#define STORED_CAPPED 6 /* varint mask (1 << field) of fields cut short */

/* ---- building ---- */

typedef struct seg_stored_block {
    uint32_t first_doc, comp_len, raw_len, crc;
    uint64_t offset;
} seg_stored_block;

/* One store being built. Until its dictionary is trained every record
 * stays raw (rec_len says where each ends); then blocks are compressed as
 * they fill. */
typedef struct store_part {
    size_t block_size;
    buf raw;              /* records not yet compressed */
    uint32_t raw_first;   /* document of raw's first record */
    uint32_t *rec_len;    /* sizes of the records in raw (untrained) */
    size_t n_rec, cap_rec;
    int trained;          /* dictionary decided (maybe none) */
    buf dict;
    struct ZSTD_CDict_s *cdict;
    spool out;            /* compressed blocks (memory, or a temporary
                             file for a merge: docstore_builder_spill) */
    seg_stored_block *blocks;
    size_t n_blocks, cap_blocks;
    buf idx;              /* the block index, made by docstore_finish */
} store_part;

typedef struct docstore_pipe docstore_pipe;

typedef struct docstore_builder {
    store_part head, body;
    uint32_t n_docs;
    buf rec;              /* scratch for one record */
    buf zbuf;             /* scratch for one compressed block */
    struct ZSTD_CCtx_s *cctx;
    docstore_pipe *pipe;  /* owned; NULL: records are stored in the call */
    uint64_t added;       /* raw record bytes given to docstore_add */
} docstore_builder;

void docstore_builder_init(docstore_builder *b);
/* Stores records on a thread of their own from now on: docstore_add only
 * serializes a record and queues it (at most DOCSTORE_QUEUE bytes wait),
 * the thread appends, trains and compresses in arrival order, exactly as
 * docstore_add would have, so the stores come out byte for byte the same.
 * MORGUE_ENOMEM / MORGUE_ERROR when the thread cannot start (the builder
 * then keeps storing in the call). */
int docstore_builder_thread(docstore_builder *b);
#define DOCSTORE_QUEUE (2u << 20)
/* Lets the compressed blocks go to temporary files in dir past limit
 * bytes of memory each (a merge: its output's text is not held). Before
 * the first docstore_add; dir is borrowed until the builder is freed. */
void docstore_builder_spill(docstore_builder *b, const char *dir,
                            size_t limit);
/* Appends document n_docs with its STORED_FIELDS fields; capped is the
 * mask of fields already cut short (a merge passes the source's). 0, or
 * MORGUE_ENOMEM / MORGUE_ERROR (a compressor failure) / MORGUE_EIO (a
 * temporary file failed: docstore_check says why). */
int docstore_add(docstore_builder *b, const span *fields, unsigned capped);
/* Compresses what is left and makes the block indexes. */
int docstore_finish(docstore_builder *b);
/* The builder's temporary-file failure, if any, as a message. */
int docstore_check(const docstore_builder *b, errmsg *e);
/* The sections to write (after docstore_finish), valid until the builder
 * is freed or reused: up to 6 into secs; returns how many. Their feature
 * bits go into *feat. */
size_t docstore_sections(const docstore_builder *b, seg_section *secs,
                         features *feat);
size_t docstore_memory(const docstore_builder *b);
void docstore_builder_free(docstore_builder *b);

/* Whether fields[field] would be cut (the writer warns about it). */
int docstore_would_cap(int field, size_t len);

/* ---- reading ---- */

/* A decompressed block of one store. */
typedef struct docstore_block {
    const segment *seg; /* NULL: nothing held */
    uint32_t block;
    buf raw;
} docstore_block;

typedef struct docstore_cache {
    docstore_block head, body;
    struct ZSTD_DCtx_s *dctx; /* only when threads have no keys (the
                                 context is normally per thread) */
    unsigned capped;     /* STORED_CAPPED of the last record read */
    /* the zlib store of older segments (docstore_v2.c) */
    const segment *v2_seg;
    uint32_t v2_block;
    buf v2_raw;
    z_stream zs;
    int zs_ready;
} docstore_cache;

/* At segment open: checks the stores' indexes and builds the DDicts.
 * MORGUE_ECORRUPT / MORGUE_ENOMEM with a message. */
int docstore_bind(segment *s, const char *path, errmsg *e);
void docstore_unbind(segment *s);

/* Fields of doc in segment s into fields[STORED_FIELDS], pointing into
 * the cache (valid until the next call with that cache). docstore_get_head
 * leaves the body empty and does not read it. */
int docstore_get(const segment *s, uint32_t doc, docstore_cache *cache,
                 span *fields, errmsg *e);
int docstore_get_head(const segment *s, uint32_t doc, docstore_cache *cache,
                      span *fields, errmsg *e);

void docstore_cache_free(docstore_cache *c);

/* Asks for the compressed head block holding doc without waiting for it
 * (segment_will_read): a result list names its hits' blocks side by side
 * before the first is read. Nothing for older (zlib) stores or a block
 * index entry out of bounds (the read then reports it). */
void docstore_prefetch_head(const segment *s, uint32_t doc);

/* Entry i of a block index (both stores lay it out alike: a u32 count,
 * then SIDX_ENTRY_SIZE bytes a block, the first u32 its first document). */
static inline const uint8_t *docstore_idx_entry(const uint8_t *idx,
                                                uint32_t i)
{
    return idx + 4 + (size_t)i * SIDX_ENTRY_SIZE;
}

/* The block of such an index (n blocks) holding doc: the last whose first
 * document <= doc. Blocks hold about as many documents each, so the
 * search starts at doc's share of n_docs (0: none, a binary search) and
 * widens from there: a cold index costs a page or two, not a page per
 * probe. */
uint32_t docstore_find_block(const uint8_t *idx, uint32_t n, uint32_t doc,
                             uint32_t n_docs);

/* Asks for the page of the heads' block index a find_block of doc starts
 * at (segment_will_read): a result list's hits, side by side, before
 * docstore_prefetch_head() reads the entries. */
void docstore_prefetch_head_index(const segment *s, uint32_t doc);

/* docstore_v2.c: the zlib store (all six fields, no STORED_CAPPED). */
int docstore_v2_get(const segment *s, uint32_t doc, docstore_cache *c,
                    span *fields, errmsg *e);

#endif
