/* spool.h: an append-only byte sequence that stays in memory up to a
 * limit and then moves to an anonymous temporary file, so that a writer
 * can build a section of any size in bounded memory.
 *
 * A segment's sections are written one after another, but some of them
 * are produced side by side (a term adds to the dictionary, the postings
 * and the positions at once; a document to the heads and bodies stores).
 * Each such section is spooled, then copied into the segment file in its
 * place. The temporary file is made in the index directory (O_TMPFILE,
 * or a name unlinked at once), so nothing is left behind by a crash and
 * the bytes stay in the page cache, not in the process's memory.
 *
 * Reads (spool_read) see every byte appended so far, in the file or not:
 * the segment writer looks terms up in the dictionary it is writing. */
#ifndef MORGUE_INDEX_SPOOL_H
#define MORGUE_INDEX_SPOOL_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/error.h"

typedef struct spool {
    buf mem;           /* the bytes past in_file */
    uint64_t in_file;  /* bytes in the file (its first bytes) */
    uint64_t len;      /* every byte appended */
    size_t limit;      /* memory kept before spilling; 0: never spill */
    const char *dir;   /* where the temporary file goes (borrowed) */
    int fd;            /* the file, when has_fd (a zeroed spool is an
                          empty memory-only one) */
    int has_fd;
    int err;           /* errno of the first failure, or ENOMEM */
} spool;

/* An empty spool spilling past limit bytes into dir (limit 0 or dir
 * NULL: memory only). */
void spool_init(spool *s, const char *dir, size_t limit);
/* Appends; failures are sticky (s->err), checked by spool_check. */
void spool_append(spool *s, const void *p, size_t n);
/* n bytes at off (off + n <= s->len) into dst: 0, or -1 (s->err set). */
int spool_read(spool *s, void *dst, size_t n, uint64_t off);
/* Feeds every byte in order to put(ud, bytes, n), in chunks of at most
 * 1 MiB; stops at the first nonzero put. 0, or put's value, or -1 on a
 * read error (s->err set). */
int spool_each(spool *s, int (*put)(void *ud, const void *p, size_t n),
               void *ud);
/* MORGUE_OK, or the sticky failure as MORGUE_ENOMEM / MORGUE_EIO with a
 * message naming what. */
int spool_check(const spool *s, const char *what, errmsg *e);
/* Bytes of memory it holds. */
size_t spool_memory(const spool *s);
void spool_free(spool *s);

#endif
