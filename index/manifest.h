/* manifest.h: the MANIFEST file naming the segments of the current commit,
 * replaced atomically (write temp, fsync, rename, fsync directory). */
#ifndef MORGUE_INDEX_MANIFEST_H
#define MORGUE_INDEX_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

typedef struct manifest_seg {
    uint64_t id;
    uint32_t n_docs;
} manifest_seg;

typedef struct manifest {
    uint64_t generation; /* 0: no commit yet */
    uint64_t next_id;    /* id for the next new segment */
    char language[64];
    manifest_seg *segs;  /* owned */
    size_t n_segs;
} manifest;

/* Reads dir/MANIFEST. MORGUE_ENOTFOUND when there is none. */
int manifest_read(manifest *m, const char *dir, errmsg *e);

/* Writes m as the new dir/MANIFEST, durably and atomically. */
int manifest_write(const manifest *m, const char *dir, errmsg *e);

int manifest_add_seg(manifest *m, uint64_t id, uint32_t n_docs);

/* Deep copy; 0 or MORGUE_ENOMEM. */
int manifest_copy(manifest *dst, const manifest *src);

void manifest_free(manifest *m);

#endif
