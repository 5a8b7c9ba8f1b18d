/* snapshot.h: opening what a MANIFEST names, the same way for the three
 * readers of a commit (searcher, writer, check): the segment file, held
 * to its manifest entry, and its deletion bitmap.
 *
 * A file that is gone gives MORGUE_ENOTFOUND, left for the caller to
 * judge: a searcher or check without the lock takes it as a writer's
 * commit racing it and starts over (snapshot_retry); the writer, which
 * holds the lock, calls it corruption. */
#ifndef MORGUE_INDEX_SNAPSHOT_H
#define MORGUE_INDEX_SNAPSHOT_H

#include <stdint.h>

#include "index/manifest.h"
#include "index/segment.h"
#include "util/error.h"

/* Maps the segment ms names in dir into *s, checking that it holds the
 * documents ms says; *s is closed again on any failure. */
int snapshot_open_segment(segment *s, const char *dir, const manifest_seg *ms,
                          errmsg *e);

/* The deletion bitmap of ms into *del (malloc'ed), or NULL when ms has
 * none. */
int snapshot_read_deletions(uint8_t **del, const char *dir,
                            const manifest_seg *ms, errmsg *e);

/* One reading of the commit in dir by a reader without the lock: returns
 * MORGUE_ENOTFOUND for a file that is gone, with *gen the generation of
 * the MANIFEST it read (0 when there was none), and leaves nothing behind
 * on a failure. */
typedef int (*snapshot_pass)(void *ud, uint64_t *gen, errmsg *e);

/* Runs pass until it does not fail with MORGUE_ENOTFOUND for a file a
 * writer's commit removed meanwhile: again when MANIFEST has moved past
 * *gen (up to 100 times, napping 2 ms from the fourth, so a busy writer
 * can finish); MORGUE_ECORRUPT ("a file named by MANIFEST is missing")
 * when MANIFEST still names that commit; pass's answer otherwise (no
 * MANIFEST at all: *gen 0). The one retry loop of the searcher's open
 * and reopen and of morgue_index_check. */
int snapshot_retry(const char *dir, snapshot_pass pass, void *ud, errmsg *e);

#endif
