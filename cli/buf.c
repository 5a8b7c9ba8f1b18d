/* buf.c: the command's growable text (see buf.h). Every append keeps a
 * NUL after the text, so ptr is always a C string. */
#include "cli/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Room for n more bytes and the NUL; 0, or -1 with oom set. */
static int room(buf *b, size_t n)
{
    if (b->oom || n > (size_t)-1 / 2 - b->len)
        return b->oom = 1, -1;
    if (b->len + n < b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap <= b->len + n)
        cap *= 2;
    char *p = realloc(b->ptr, cap);
    if (!p)
        return b->oom = 1, -1;
    b->ptr = p;
    b->cap = cap;
    return 0;
}

void buf_append(buf *b, const void *p, size_t n)
{
    if (room(b, n))
        return;
    memcpy(b->ptr + b->len, p, n);
    b->len += n;
    b->ptr[b->len] = '\0';
}

void buf_putc(buf *b, char c) { buf_append(b, &c, 1); }

void buf_puts(buf *b, const char *s) { buf_append(b, s, strlen(s)); }

void buf_printf(buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || room(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

const char *buf_cstr(buf *b) { return b->ptr && !b->oom ? b->ptr : ""; }

void buf_free(buf *b)
{
    free(b->ptr);
    *b = (buf)BUF_INIT;
}
