/* buf.h: the command's growable text (pages, JSON bodies, messages).
 *
 * The CLI is built on include/morgue.h alone and links the library with
 * its internals made local, so it keeps its own buffer: the library's
 * util/buf is not reachable from here, by design. Same habit, though: an
 * append after a failed allocation does nothing, and oom says so once at
 * the end. */
#ifndef MORGUE_CLI_BUF_H
#define MORGUE_CLI_BUF_H

#include <stddef.h>

typedef struct buf {
    char *ptr;  /* owned (malloc); NUL-terminated once anything is in it */
    size_t len; /* bytes in use, the NUL not counted */
    size_t cap; /* bytes allocated */
    int oom;    /* an allocation failed; appends then do nothing */
} buf;

#define BUF_INIT { NULL, 0, 0, 0 }

void buf_append(buf *b, const void *p, size_t n);
void buf_putc(buf *b, char c);
void buf_puts(buf *b, const char *s);
void buf_printf(buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* ptr, or "" while empty or after a failed allocation. */
const char *buf_cstr(buf *b);
void buf_free(buf *b);

#endif
