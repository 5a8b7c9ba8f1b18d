/* manifest.h: the MANIFEST file naming the segments (with their deletion
 * files) and the file table of the current commit, replaced atomically
 * (write temp, fsync, rename, fsync directory). */
#ifndef MORGUE_INDEX_MANIFEST_H
#define MORGUE_INDEX_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include "index/features.h"
#include "util/error.h"

typedef struct manifest_seg {
    uint64_t id;
    uint32_t n_docs;
    uint32_t n_deleted; /* documents marked in its deletion file */
    uint64_t delgen;    /* deletion file generation; 0: none */
} manifest_seg;

typedef struct manifest {
    uint32_t version;    /* format version it was read in (2 or 3) */
    features feat;       /* version 3: the index's feature bits */
    uint64_t generation; /* 0: no commit yet */
    uint64_t next_id;    /* id for the next new segment */
    char language[64];
    uint64_t ftgen;      /* file table generation; 0: none */
    manifest_seg *segs;  /* owned */
    size_t n_segs;
} manifest;

/* Reads dir/MANIFEST. MORGUE_ENOTFOUND when there is none. */
int manifest_read(manifest *m, const char *dir, errmsg *e);

/* Parses a manifest's bytes (name is for messages). On failure m holds
 * nothing to free. */
int manifest_parse(manifest *m, const uint8_t *p, size_t n, const char *name,
                   errmsg *e);

/* Writes m as the new dir/MANIFEST, durably and atomically. *renamed is
 * set once the new file has replaced the old one: an error after that
 * (the directory fsync) means the commit is visible but maybe not
 * durable. */
int manifest_write(const manifest *m, const char *dir, int *renamed,
                   errmsg *e);

int manifest_add_seg(manifest *m, uint64_t id, uint32_t n_docs);

/* Deep copy; 0 or MORGUE_ENOMEM. */
int manifest_copy(manifest *dst, const manifest *src);

/* Documents not deleted, over all segments. */
uint64_t manifest_live_docs(const manifest *m);

void manifest_free(manifest *m);

#endif
