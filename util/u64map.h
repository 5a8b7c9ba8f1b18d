/* u64map.h: an open-addressing map from 64-bit keys (hashes, so already
 * well mixed) to 32-bit values, with deletion; at most three quarters
 * full. Used for article
 * identities (identity hash -> document or file) and file paths. */
#ifndef MORGUE_UTIL_U64MAP_H
#define MORGUE_UTIL_U64MAP_H

#include <stddef.h>
#include <stdint.h>

#define U64MAP_NONE UINT32_MAX

/* Packed: 12 bytes, not 16 (the file table's map holds an entry per
 * article of the index). */
typedef struct __attribute__((packed)) u64map_slot {
    uint64_t key;
    uint32_t val1; /* value + 1; 0 marks an empty slot */
} u64map_slot;

typedef struct u64map {
    u64map_slot *slots; /* owned; mask + 1 of them, or NULL when empty */
    size_t mask;
    size_t n;           /* keys held */
} u64map;

#define U64MAP_INIT { NULL, 0, 0 }

/* Value of key, or U64MAP_NONE. */
uint32_t u64map_get(const u64map *m, uint64_t key);

/* Sets key to val (val < U64MAP_NONE); 0 or -1 when out of memory (the
 * map is then unchanged). */
int u64map_put(u64map *m, uint64_t key, uint32_t val);

/* Makes room for n keys at once (one allocation instead of doubling
 * through); 0 or -1 when out of memory (the map is then unchanged). */
int u64map_reserve(u64map *m, size_t n);

/* Removes key if present. */
void u64map_del(u64map *m, uint64_t key);

void u64map_clear(u64map *m);
/* Bytes of its slots. */
static inline size_t u64map_memory(const u64map *m)
{
    return m->slots ? (m->mask + 1) * sizeof *m->slots : 0;
}
void u64map_free(u64map *m);

#endif
