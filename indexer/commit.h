/* commit.h: the commit (commit.c), above update.c (order in
 * writer_int.h). */
#ifndef MORGUE_INDEXER_COMMIT_H
#define MORGUE_INDEXER_COMMIT_H

#include "indexer/writer_int.h"

/* Commits pending work (flushing the batch); no-op without changes. */
int writer_commit(morgue_writer *w);

#endif
