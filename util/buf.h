/* buf.h: a growable byte buffer with a sticky error flag.
 *
 * Appends after a failed allocation are no-ops, so a writer can append many
 * times and check buf.oom once at the end (FTS5's sticky rc habit).
 */
#ifndef MORGUE_UTIL_BUF_H
#define MORGUE_UTIL_BUF_H

#include <stddef.h>
#include <stdint.h>
#include "util/span.h"

typedef struct buf {
    char *ptr;  /* owned; NULL until the first append */
    size_t len; /* bytes in use */
    size_t cap; /* bytes allocated */
    int oom;    /* set once an allocation failed; appends then do nothing */
} buf;

#define BUF_INIT { NULL, 0, 0, 0 }

/* Makes room for extra more bytes; 0, or -1 (and oom set) on failure. */
int buf_reserve(buf *b, size_t extra);
void buf_append(buf *b, const void *p, size_t n);
/* Gives a buffer without memory its first cap bytes (it doubles from
 * there; the default start is 64), for many buffers mostly small. */
void buf_first(buf *b, size_t cap);
void buf_putc(buf *b, char c);
void buf_puts(buf *b, const char *s);
void buf_printf(buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void buf_put_u32le(buf *b, uint32_t v);
void buf_put_u64le(buf *b, uint64_t v);
void buf_put_varint_slow(buf *b, uint64_t v);
/* Appends v as a LEB128 varint; one-byte values take a fast path. */
static inline void buf_put_varint(buf *b, uint64_t v)
{
    if (v < 0x80 && b->len < b->cap) {
        b->ptr[b->len++] = (char)v;
        return;
    }
    buf_put_varint_slow(b, v);
}
/* Ensures ptr[len] == '\0' (not counted in len); returns ptr or "" on oom. */
const char *buf_cstr(buf *b);
static inline span buf_span(const buf *b) { return span_of(b->ptr, b->len); }
static inline void buf_clear(buf *b) { b->len = 0; }
void buf_free(buf *b);

#endif
