/* u64map.c: linear probing; deletion shifts later entries back, so no
 * tombstones accumulate. Keys are hashes already, used as they are. */
#include "util/u64map.h"

#include <stdlib.h>
#include <string.h>

static size_t home(const u64map *m, uint64_t key)
{
    return (size_t)(key ^ (key >> 29)) & m->mask;
}

uint32_t u64map_get(const u64map *m, uint64_t key)
{
    if (!m->slots)
        return U64MAP_NONE;
    for (size_t i = home(m, key);; i = (i + 1) & m->mask) {
        const u64map_slot *s = &m->slots[i];
        if (s->val1 == 0)
            return U64MAP_NONE;
        if (s->key == key)
            return s->val1 - 1;
    }
}

static void insert(u64map_slot *slots, size_t mask, uint64_t key,
                   uint32_t val1)
{
    size_t i = (size_t)(key ^ (key >> 29)) & mask;
    while (slots[i].val1 && slots[i].key != key)
        i = (i + 1) & mask;
    slots[i].key = key;
    slots[i].val1 = val1;
}

static int rehash(u64map *m, size_t cap)
{
    u64map_slot *s = calloc(cap, sizeof *s);
    if (!s)
        return -1;
    for (size_t i = 0; m->slots && i <= m->mask; i++)
        if (m->slots[i].val1)
            insert(s, cap - 1, m->slots[i].key, m->slots[i].val1);
    free(m->slots);
    m->slots = s;
    m->mask = cap - 1;
    return 0;
}

static int grow(u64map *m)
{
    return rehash(m, m->slots ? (m->mask + 1) * 2 : 64);
}

/* Whether n keys fit cap slots (three quarters full at most). */
static int fits(size_t n, size_t cap) { return n <= cap / 4 * 3; }

int u64map_reserve(u64map *m, size_t n)
{
    size_t cap = m->slots ? m->mask + 1 : 0;
    if (fits(n, cap))
        return 0;
    size_t c = cap ? cap : 64;
    while (!fits(n, c)) {
        if (c > SIZE_MAX / 2 / sizeof(u64map_slot))
            return -1;
        c *= 2;
    }
    return rehash(m, c);
}

int u64map_put(u64map *m, uint64_t key, uint32_t val)
{
    if (u64map_get(m, key) != U64MAP_NONE) {
        insert(m->slots, m->mask, key, val + 1);
        return 0;
    }
    if ((!m->slots || !fits(m->n + 1, m->mask + 1)) && grow(m))
        return -1;
    insert(m->slots, m->mask, key, val + 1);
    m->n++;
    return 0;
}

void u64map_del(u64map *m, uint64_t key)
{
    if (!m->slots)
        return;
    size_t i = home(m, key);
    while (m->slots[i].val1 && m->slots[i].key != key)
        i = (i + 1) & m->mask;
    if (!m->slots[i].val1)
        return;
    m->n--;
    /* Shift back every later entry of the run that may move into i. */
    for (size_t j = (i + 1) & m->mask; m->slots[j].val1;
         j = (j + 1) & m->mask) {
        size_t h = home(m, m->slots[j].key);
        /* entry j may move to i when its home is not in (i, j] */
        int stays = i <= j ? (h > i && h <= j) : (h > i || h <= j);
        if (stays)
            continue;
        m->slots[i] = m->slots[j];
        i = j;
    }
    m->slots[i].val1 = 0;
}

void u64map_clear(u64map *m)
{
    if (m->slots)
        memset(m->slots, 0, (m->mask + 1) * sizeof *m->slots);
    m->n = 0;
}

void u64map_free(u64map *m)
{
    free(m->slots);
    m->slots = NULL;
    m->mask = 0;
    m->n = 0;
}
