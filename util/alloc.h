/* alloc.h: arrays allocated with their size arithmetic checked.
 *
 * Every count that meets malloc goes through these: a count times an
 * element size that does not fit a size_t fails as out of memory (NULL)
 * instead of wrapping round to a short buffer that later writes overflow.
 * A count of 0 still allocates (one element), so NULL always means
 * failure. The memory is the caller's, released with free(). */
#ifndef MORGUE_UTIL_ALLOC_H
#define MORGUE_UTIL_ALLOC_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

/* n * size into *out; 0, or -1 when it does not fit. */
static inline int mem_mul(size_t n, size_t size, size_t *out)
{
    return __builtin_mul_overflow(n, size, out) ? -1 : 0;
}

/* a + b into *out; 0, or -1 when it does not fit. */
static inline int mem_add(size_t a, size_t b, size_t *out)
{
    return __builtin_add_overflow(a, b, out) ? -1 : 0;
}

/* a + b, or SIZE_MAX when the sum does not fit. */
static inline size_t mem_add_sat(size_t a, size_t b)
{
    size_t r;
    return __builtin_add_overflow(a, b, &r) ? SIZE_MAX : r;
}

/* malloc of n elements of size bytes. */
static inline void *mem_array(size_t n, size_t size)
{
    size_t bytes;
    if (mem_mul(n ? n : 1, size, &bytes))
        return NULL;
    return malloc(bytes);
}

/* calloc of n elements of size bytes (calloc checks the product too). */
static inline void *mem_array0(size_t n, size_t size)
{
    return calloc(n ? n : 1, size);
}

/* realloc of p to n elements of size bytes; p is kept on failure. */
static inline void *mem_rearray(void *p, size_t n, size_t size)
{
    size_t bytes;
    if (mem_mul(n ? n : 1, size, &bytes))
        return NULL;
    return realloc(p, bytes);
}

/* The capacity to grow an array of cap elements to, so that it holds at
 * least need: doubling, at least 16; 0 when no size_t holds need
 * elements of size bytes. */
static inline size_t mem_grow_cap(size_t cap, size_t need, size_t size)
{
    size_t c = cap < 16 ? 16 : cap;
    while (c < need) {
        if (c > SIZE_MAX / 2)
            return 0;
        c *= 2;
    }
    size_t bytes;
    return mem_mul(c, size, &bytes) ? 0 : c;
}

/* Grows p, an array of *cap elements of size bytes, to hold at least
 * need: the array (p itself when it is big enough already) with *cap
 * raised, or NULL with p and *cap left as they were. */
static inline void *mem_grow(void *p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap && p)
        return p;
    size_t c = mem_grow_cap(*cap, need, size);
    void *q = c ? realloc(p, c * size) : NULL;
    if (q)
        *cap = c;
    return q;
}

#endif
