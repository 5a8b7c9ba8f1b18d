/* arena.c: blocks of at least 4 KiB in a list; an allocation bigger than
 * half a block gets a block of its own. */
#include "util/arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_BLOCK 4096

typedef struct block {
    struct block *next;
    size_t used, cap;         /* bytes of data */
    alignas(max_align_t) unsigned char data[];
} block;

struct arena {
    block *head;
};

arena *arena_new(void) { return calloc(1, sizeof(arena)); }

void *arena_alloc(arena *a, size_t n)
{
    const size_t al = alignof(max_align_t);
    if (n == 0)
        n = 1;
    if (n > SIZE_MAX / 2)
        return NULL;
    n = (n + al - 1) / al * al;
    block *b = a->head;
    if (!b || b->cap - b->used < n) {
        size_t cap = n > ARENA_BLOCK / 2 ? n : ARENA_BLOCK;
        block *nb = malloc(sizeof *nb + cap);
        if (!nb)
            return NULL;
        nb->used = 0;
        nb->cap = cap;
        if (b && cap == n && b->cap - b->used >= ARENA_BLOCK / 4) {
            /* a big one-off: keep the current block in front for the
             * small allocations to come */
            nb->next = b->next;
            b->next = nb;
        } else {
            nb->next = b;
            a->head = nb;
        }
        b = nb;
    }
    void *p = b->data + b->used;
    b->used += n;
    memset(p, 0, n);
    return p;
}

char *arena_strndup(arena *a, const char *s, size_t n)
{
    char *c = arena_alloc(a, n + 1);
    if (c) {
        memcpy(c, s, n);
        c[n] = '\0';
    }
    return c;
}

void arena_free(arena *a)
{
    if (!a)
        return;
    for (block *b = a->head, *next; b; b = next) {
        next = b->next;
        free(b);
    }
    free(a);
}
