/* files.h: article files into the writer and the file table's side of it
 * (files.c), above update.c; walk.c uses it (order in writer_int.h). */
#ifndef MORGUE_INDEXER_FILES_H
#define MORGUE_INDEXER_FILES_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "indexer/writer_int.h"
#include "morgue.h"

/* Reads the file at path (canonical) into the index, replacing the
 * articles the file table says it gave before, and records it (a new
 * entry gets root). st and hash describe its content. */
int writer_read_file(morgue_writer *w, const char *path, uint32_t root,
                     const struct stat *st, uint64_t hash,
                     const morgue_add_opts *opts, morgue_add_result *res);
/* hash64 of the file's bytes. */
int writer_hash_file(morgue_writer *w, const char *path, uint64_t *hash);
/* The caller's add options over the defaults (as many fields as its
 * version has) into *full; MORGUE_EINVAL for an unknown version. */
int writer_add_opts(morgue_writer *w, const morgue_add_opts *in,
                    morgue_add_opts *full);
/* Records st's size and time in entry f, racy when too recent; its
 * resume point is cleared (the caller sets one for what it read). */
void writer_stamp(morgue_writer *w, size_t f, const struct stat *st);
/* The same for a file found unchanged (touched: its content hash is as
 * recorded): its resume point still holds and is kept, so that when it
 * grows it is read on from there, not read whole as a changed file. */
void writer_touched(morgue_writer *w, size_t f, const struct stat *st);
/* Deletes the articles of file table entry f and removes it. */
int writer_vanish(morgue_writer *w, size_t f, uint64_t *n_deleted);

#endif
