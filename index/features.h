/* features.h: feature bits of an index (MANIFEST) and of each segment
 * (section FEAT), in three sets as ext4 keeps them:
 *
 *   compat    a library that does not know the bit may read and write the
 *             index as if it were not there (what it means is an extra
 *             that is safe to ignore or to drop in a merge);
 *   rocompat  a library that does not know the bit may read, but must not
 *             write: its commits or merges would lose or break what the
 *             bit stands for;
 *   incompat  a library that does not know the bit must not even read:
 *             it would misread the bytes.
 *
 * The manifest's sets are the union of its segments' (plus any that are
 * about the index as a whole), so one check at open settles a reader or a
 * writer; every segment checks its own again when it is mapped. Refusals
 * are MORGUE_EVERSION with the unknown bits in the message. */
#ifndef MORGUE_INDEX_FEATURES_H
#define MORGUE_INDEX_FEATURES_H

#include <stdint.h>

#include "util/error.h"

typedef struct features {
    uint64_t compat, rocompat, incompat;
} features;

/* The bits this library knows (and may therefore set). */
#define FEAT_COMPAT_COLPAGES 1ull /* CPAG: CRCs of each 4 KiB page of the
                                     columns queries read per document,
                                     and their largest values */
#define FEAT_COMPAT_KNOWN FEAT_COMPAT_COLPAGES
#define FEAT_ROCOMPAT_KNOWN 0ull
#define FEAT_INCOMPAT_ZSTORE 1ull /* stored text in zstd heads and bodies
                                     (HSTO...), not the zlib STOR */
#define FEAT_INCOMPAT_PACKTAIL 2ull /* a term's short last block is
                                       bit-packed from POSTINGS_PACK_MIN
                                       documents on, and below that a tf
                                       of 1 is a bit of the gap's varint */
#define FEAT_INCOMPAT_PFOR 4ull /* a bit-packed postings block may keep
                                   a few large values as exceptions
                                   (codec.h: PFor) */
#define FEAT_INCOMPAT_KNOWN                                                  \
    (FEAT_INCOMPAT_ZSTORE | FEAT_INCOMPAT_PACKTAIL | FEAT_INCOMPAT_PFOR)

/* MORGUE_OK, or MORGUE_EVERSION naming what (a file) and the bits this
 * library does not know that forbid reading (incompat) or, when
 * for_write, writing too (incompat or rocompat). */
int features_check(const features *f, int for_write, const char *what,
                   errmsg *e);

static inline void features_or(features *into, const features *f)
{
    into->compat |= f->compat;
    into->rocompat |= f->rocompat;
    into->incompat |= f->incompat;
}

#endif
