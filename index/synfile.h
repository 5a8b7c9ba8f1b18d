/* synfile.h: an index's synonyms file, DIR/SYNONYMS (text/synonyms.h
 * format), read by every searcher when it opens and replaced whole by
 * `morgue synonyms import`. It is not part of a commit: changing it needs
 * no reindex, and a searcher opened afterwards uses it. */
#ifndef MORGUE_INDEX_SYNFILE_H
#define MORGUE_INDEX_SYNFILE_H

#include "text/synonyms.h"
#include "util/error.h"

#define SYNFILE_NAME "SYNONYMS"
#define SYNFILE_MAX (64u << 20) /* bytes */

/* Reads dir's synonyms file into a new synset (*out, caller frees with
 * synset_free + free); *out NULL and MORGUE_OK when there is none.
 * MORGUE_EFORMAT (line and byte in e), MORGUE_EIO, MORGUE_ENOMEM. */
int synfile_read(const char *dir, synset **out, errmsg *e);

/* Checks (p, n) parses (name for messages), then makes it dir's synonyms
 * file, durably and atomically (temp file, rename). n == 0 removes it. */
int synfile_write(const char *dir, const char *p, size_t n, const char *name,
                  errmsg *e);

#endif
