/* snapshot.h: opening what a MANIFEST names, the same way for the three
 * readers of a commit (searcher, writer, check): the segment file, held
 * to its manifest entry, and its deletion bitmap.
 *
 * A file that is gone gives MORGUE_ENOTFOUND, left for the caller to
 * judge: a searcher or check without the lock takes it as a writer's
 * commit racing it and starts over; the writer, which holds the lock,
 * calls it corruption. */
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

#endif
