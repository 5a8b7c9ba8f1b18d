/* filetable.h: the file table: every file `morgue index` has read, with
 * what lets a rerun skip it (size, mtime, content hash) and the identities
 * of the articles it gave, so that a changed or vanished file's articles
 * can be deleted. One immutable file per commit that changes it (format in
 * index/format.h). */
#ifndef MORGUE_INDEX_FILETABLE_H
#define MORGUE_INDEX_FILETABLE_H

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"
#include "util/u64map.h"

typedef struct ft_file {
    char *path;        /* owned; absolute */
    uint32_t root;     /* index into roots + 1; 0: added as a single file */
    uint64_t size;     /* bytes when read */
    int64_t mtime_ns;  /* modification time when read */
    uint64_t hash;     /* hash64 of the content */
    uint8_t flags;     /* FT_RACY, FT_RESUME, FT_PARTIAL */
    /* FT_RESUME: where a rerun may go on reading the file, if the bytes
     * before it are still those read (a growing feed, or a file a
     * checkpoint committed part of, FT_PARTIAL): a record's content
     * offset, the lines before it, its record number, and
     * fmt_print_at() of the content before it
     * (formats/source.h). Then the bytes from it on as read (the last
     * record, whose article the entry lists, and any after it): how many
     * (at most FMT_MAX_ARTICLE; 0 for a checkpoint's point, whose record
     * is not committed) and their fmt_print_span() hash, so that a file
     * whose last record was rewritten, or cut, is not read on (version 5). */
    uint64_t resume_off, resume_line, resume_ord, resume_fp;
    uint64_t resume_tail_len, resume_tail;
    uint8_t dead;      /* removed; dropped at the next write (memory only) */
    uint8_t seen;      /* met by the walk in progress (memory only) */
    uint64_t *ids;     /* owned; identity hashes of its articles */
    uint32_t n_ids, cap_ids;
} ft_file;

typedef struct filetable {
    char **roots;      /* owned; NULL entries were removed */
    size_t n_roots;
    ft_file *files;    /* owned */
    size_t n_files, cap_files;
    u64map by_path;    /* hash64(path) -> index in files */
    u64map owner;      /* identity hash -> index of the file holding it */
} filetable;

void filetable_init(filetable *ft);
void filetable_free(filetable *ft);

/* Parses a file table's bytes into an initialised, empty ft. */
int filetable_parse(filetable *ft, const uint8_t *p, size_t n,
                    const char *name, errmsg *e);

/* "<dir>/files_<16 hex>.mft". */
void filetable_path(char *out, size_t cap, const char *dir, uint64_t gen);

int filetable_read(filetable *ft, const char *dir, uint64_t gen, errmsg *e);

/* The same from a descriptor opened earlier (a searcher opens its
 * snapshot's table at open and parses it when first asked); name is for
 * messages. */
int filetable_read_fd(filetable *ft, int fd, const char *name, errmsg *e);

/* Writes the live entries, sorted, as generation gen, fsynced. */
int filetable_write(const filetable *ft, const char *dir, uint64_t gen,
                    errmsg *e);

/* Index of the live entry for path, or -1. */
long filetable_find(const filetable *ft, const char *path);

/* A new live entry for path (no articles yet): its index, or -1 (OOM). */
long filetable_add(filetable *ft, const char *path, uint32_t root);

/* Index + 1 of root in roots, added when new; 0 on OOM. */
uint32_t filetable_root(filetable *ft, const char *root);

/* Records that article id comes from file f, taking it away from any
 * other file. 0 or MORGUE_ENOMEM. */
int filetable_claim(filetable *ft, size_t f, uint64_t id);

/* Forgets id: no file holds it any more. */
void filetable_release(filetable *ft, uint64_t id);

/* Forgets every article of file f (before it is read again). */
void filetable_clear_ids(filetable *ft, size_t f);

/* Removes file f (its articles must have been deleted). */
void filetable_drop(filetable *ft, size_t f);

/* Bytes it holds: entries, paths, identities, maps (a walk over the
 * entries). */
size_t filetable_memory(const filetable *ft);

/* Live entries. */
size_t filetable_count(const filetable *ft);

#endif
