/* arena.h: a bump allocator whose blocks are freed all at once: for trees
 * built and dropped whole (the query parser's nodes), so that an error
 * half way through a build frees everything with one call and no node
 * needs an owner of its own. */
#ifndef MORGUE_UTIL_ARENA_H
#define MORGUE_UTIL_ARENA_H

#include <stddef.h>

typedef struct arena arena;

/* A new, empty arena; NULL on OOM. */
arena *arena_new(void);

/* n zeroed bytes aligned for any type, valid until arena_free; NULL on
 * OOM (the arena stays usable). */
void *arena_alloc(arena *a, size_t n);

/* A NUL-terminated copy of s[0, n) in the arena; NULL on OOM. */
char *arena_strndup(arena *a, const char *s, size_t n);

/* Frees every allocation and the arena itself. NULL is a no-op. */
void arena_free(arena *a);

#endif
