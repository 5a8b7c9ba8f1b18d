/* update.h: adding, replacing and deleting articles (update.c), one layer
 * above writer.c (order in writer_int.h). */
#ifndef MORGUE_INDEXER_UPDATE_H
#define MORGUE_INDEXER_UPDATE_H

#include <stdint.h>

#include "indexer/writer_int.h"
#include "util/span.h"

/* Writes the batch as a pending segment (or flushes the sink). */
int writer_flush(morgue_writer *w);
/* Deletes every live document with identity h; adds the count to *n. */
int writer_delete_ident(morgue_writer *w, uint64_t h, uint64_t *n);
/* Adds one article (fields f, tags; lang the language tag its input
 * declares, or empty) from file table entry file (-1: none), replacing
 * any with its identity. */
int writer_add_doc(morgue_writer *w, const span *f, const span *tags,
                   size_t n_tags, int64_t date, int date_off, span lang,
                   long file);

#endif
