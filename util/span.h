/* span.h: a borrowed byte range, the one way byte strings travel inside
 * libmorgue. */
#ifndef MORGUE_UTIL_SPAN_H
#define MORGUE_UTIL_SPAN_H

#include <stddef.h>
#include <string.h>

typedef struct span {
    const char *ptr; /* not owned; not NUL-terminated in general */
    size_t len;
} span;

static inline span span_of(const char *ptr, size_t len)
{
    span s = { ptr, len };
    return s;
}

static inline span span_cstr(const char *s)
{
    return span_of(s ? s : "", s ? strlen(s) : 0);
}

static inline int span_eq(span a, const char *lit)
{
    size_t n = strlen(lit);
    return a.len == n && memcmp(a.ptr, lit, n) == 0;
}

#endif
