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

static inline int span_ascii_lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* Byte-wise order of (a, al) and (b, bl), a shorter prefix first: the
 * order of every term dictionary. <0, 0 or >0 like memcmp. */
static inline int span_cmp(const char *a, size_t al, const char *b, size_t bl)
{
    int c = memcmp(a, b, al < bl ? al : bl);
    return c ? c : (al > bl) - (al < bl);
}

/* 1 when s starts with lit, ASCII letters compared without case. */
static inline int span_istarts(span s, const char *lit)
{
    size_t n = strlen(lit);
    if (s.len < n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (span_ascii_lower((unsigned char)s.ptr[i]) !=
            span_ascii_lower((unsigned char)lit[i]))
            return 0;
    return 1;
}

/* 1 when s is lit, ASCII letters compared without case. */
static inline int span_ieq(span s, const char *lit)
{
    return s.len == strlen(lit) && span_istarts(s, lit);
}

#endif
