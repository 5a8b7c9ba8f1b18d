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
/* Adds one article, replacing any with its identity: puts it into the
 * prep pipe and inverts those ahead of it that are ready (all of them
 * without worker threads). A failure may be an earlier article's. */
int writer_add_doc(morgue_writer *w, const prep_in *in);
/* Inverts every article still in the prep pipe: before anything that
 * reads or changes what they change (deletions, the file table's
 * identities, commits). Does nothing inside the checkpoint hook. */
int writer_drain(morgue_writer *w);

#endif
