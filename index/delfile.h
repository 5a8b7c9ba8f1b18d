/* delfile.h: deletion files, one immutable bitmap of deleted documents
 * per segment and deletion generation (format in index/format.h). */
#ifndef MORGUE_INDEX_DELFILE_H
#define MORGUE_INDEX_DELFILE_H

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

/* "<dir>/seg_<16 hex>_<16 hex>.del". */
void delfile_path(char *out, size_t cap, const char *dir, uint64_t seg,
                  uint64_t gen);

/* Bytes of a bitmap for n_docs documents. */
static inline size_t delfile_bitmap_size(uint32_t n_docs)
{
    return ((size_t)n_docs + 7) / 8;
}

static inline int delfile_test(const uint8_t *bm, uint32_t doc)
{
    return (bm[doc >> 3] >> (doc & 7)) & 1;
}

static inline void delfile_set(uint8_t *bm, uint32_t doc)
{
    bm[doc >> 3] |= (uint8_t)(1u << (doc & 7));
}

/* Writes the deletion file of segment seg for generation gen and fsyncs
 * it (not the directory). */
int delfile_write(const char *dir, uint64_t seg, uint64_t gen,
                  const uint8_t *bm, uint32_t n_docs, uint32_t n_deleted,
                  errmsg *e);

/* Checks a deletion file's bytes against what the manifest says (segment
 * id, documents, deleted count) and returns its bitmap in *bm (malloc'ed,
 * the caller frees). */
int delfile_parse(const uint8_t *p, size_t n, uint64_t seg, uint32_t n_docs,
                  uint32_t n_deleted, uint8_t **bm, const char *name,
                  errmsg *e);

/* Reads and checks the file; ENOTFOUND when it is missing. */
int delfile_read(const char *dir, uint64_t seg, uint64_t gen,
                 uint32_t n_docs, uint32_t n_deleted, uint8_t **bm,
                 errmsg *e);

/* Set bits in the first n_docs bits of bm. */
uint32_t delfile_count(const uint8_t *bm, uint32_t n_docs);

#endif
