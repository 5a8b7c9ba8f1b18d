/* docstore.h: stored article fields in zlib-compressed blocks (STOR, SIDX
 * sections): the builder used while indexing and the reader. */
#ifndef MORGUE_INDEX_DOCSTORE_H
#define MORGUE_INDEX_DOCSTORE_H

#include <zlib.h>

#include "index/format.h"
#include "index/segment.h"
#include "util/buf.h"
#include "util/span.h"

/* Raw bytes that close a stored block, and the zlib level. Smaller blocks
 * make fetching one article (a snippet) cheaper; with the preset
 * dictionary they cost little compression (Reuters-21578: 8 KiB blocks
 * take 1.7% more than 16 KiB ones and halve a snippet's inflate). */
#define DOCSTORE_BLOCK_SIZE 8192
#define DOCSTORE_LEVEL 6

/* ---- building ---- */
typedef struct docstore_builder {
    buf raw;             /* records of the block being filled */
    buf out;             /* compressed blocks so far */
    seg_stored_block *blocks;
    size_t n_blocks, cap_blocks;
    uint32_t block_first; /* first document of the open block */
    uint32_t n_docs;
    size_t block_size;    /* raw bytes that close a block */
    int level;            /* zlib level */
    buf dict;             /* preset dictionary: the segment's first text */
    int have_dict;        /* dict is final (blocks may be compressed) */
    z_stream zs;          /* deflater, reset for every block */
    int zs_ready;
} docstore_builder;

void docstore_builder_init(docstore_builder *b, size_t block_size,
                           int level);
/* Appends document n_docs with its STORED_FIELDS fields. */
int docstore_add(docstore_builder *b, const span *fields);
/* Compresses the open block; call before handing blocks to the writer. */
int docstore_finish(docstore_builder *b);
size_t docstore_memory(const docstore_builder *b);
void docstore_builder_free(docstore_builder *b);

/* ---- reading ---- */
typedef struct docstore_cache {
    const segment *seg;  /* segment of the cached block, or NULL */
    uint32_t block;
    buf raw;             /* inflated block */
    z_stream zs;         /* inflater, reset for every block */
    int zs_ready;
} docstore_cache;

/* Fields of doc in segment s into fields[STORED_FIELDS], pointing into
 * cache->raw (valid until the next call with that cache). */
int docstore_get(const segment *s, uint32_t doc, docstore_cache *cache,
                 span *fields, errmsg *e);

void docstore_cache_free(docstore_cache *c);

#endif
