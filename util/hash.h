/* hash.h: morgue's 64-bit hash, part of the on-disk format: article
 * identities and file contents are stored as these hashes, so the
 * function must never change (index/format.h defines it in prose). */
#ifndef MORGUE_UTIL_HASH_H
#define MORGUE_UTIL_HASH_H

#include <stddef.h>
#include <stdint.h>

/* Incremental state: feed bytes in any pieces, get the same hash as one
 * hash64() of their concatenation. */
typedef struct hash64_state {
    uint64_t h;
    uint64_t total;       /* bytes fed */
    unsigned char tail[8];/* bytes not yet forming a whole word */
    unsigned n_tail;
} hash64_state;

void hash64_init(hash64_state *s);
void hash64_update(hash64_state *s, const void *p, size_t n);
uint64_t hash64_final(const hash64_state *s);

/* Hash of (p, n) in one call. */
uint64_t hash64(const void *p, size_t n);

#endif
