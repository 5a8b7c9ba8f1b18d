/* ftlookup.h: which file an article came from, without loading the file
 * table (ftlookup.c). A searcher shows the path of each hit it prints;
 * loading the whole table for that cost about 31 bytes an article (ids,
 * the identity -> file map). Beside each file table files_<gen>.mft the
 * writer writes files_<gen>.fidx: the table's entry offsets and its
 * identities sorted, each with its file's number (format in
 * docs/FORMAT.md, "File table lookup"). A lookup is a binary search in
 * that file and one read of the entry's path from the table, by pread
 * (nothing mapped: memory does not grow with lookups). An index written before has no .fidx: the caller
 * loads the table whole as before. */
#ifndef MORGUE_INDEX_FTLOOKUP_H
#define MORGUE_INDEX_FTLOOKUP_H

#include <stddef.h>
#include <stdint.h>

#include "index/filetable.h"
#include "util/error.h"

#define FTLOOKUP_MAGIC "MRGFIDX1"
#define FTLOOKUP_VERSION 1
#define FTLOOKUP_HEAD 40u /* magic .. identity count */

/* "<dir>/files_<16 hex>.fidx". */
void ftlookup_path(char *out, size_t cap, const char *dir, uint64_t gen);

/* Writes the lookup of the file table of generation gen just written:
 * files[0..n) its live entries in the table's order, off[i] where entry
 * i starts in it, table_len its bytes, table_crc its last 4. Memory: at
 * most about 4 MiB of identities at once (sorted in passes over hash
 * ranges), whatever the table's size. Fsynced; MORGUE_OK, MORGUE_EIO or
 * MORGUE_ENOMEM (the file removed). */
int ftlookup_write(const char *dir, uint64_t gen,
                   const ft_file *const *files, const uint64_t *off,
                   size_t n, uint64_t table_len, uint32_t table_crc,
                   errmsg *e);

/* Tests: identities sorted pass_bytes at a time (0: 4 MiB), so that a
 * small table is written in many passes. Not thread-safe. */
void ftlookup_tune(size_t pass_bytes);

typedef struct ftlookup {
    int fd;                  /* the .fidx; not owned */
    int table_fd;            /* the file table; not owned */
    uint64_t table_len;
    uint32_t n_files;
    uint64_t n_ids;
} ftlookup;

/* Checks the lookup open at fd (path names it) beside the file table
 * open at table_fd: both CRCs verified (read in 1 MiB chunks), the lookup
 * made for that table (its length and CRC). Neither descriptor is owned:
 * the caller opens them with its snapshot (a later commit may unlink the
 * files) and closes them. MORGUE_ECORRUPT or MORGUE_EIO. */
int ftlookup_open(ftlookup *l, int fd, int table_fd, const char *path,
                  errmsg *e);

/* The path of the file holding identity id into out (NUL-terminated):
 * 1, 0 when no file holds it, or MORGUE_EIO / MORGUE_ECORRUPT. Any
 * thread, any number at once. */
int ftlookup_path_of(const ftlookup *l, uint64_t id, char *out, size_t cap,
                     errmsg *e);

/* morgue check's part: the lookup of generation gen, if there is one,
 * checked against the table ft parsed from it (every entry offset and
 * every identity, read in order); its size added to *bytes. */
int ftlookup_check(const char *dir, uint64_t gen, const filetable *ft,
                   uint64_t *bytes, errmsg *e);

#endif
