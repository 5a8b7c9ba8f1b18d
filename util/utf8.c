/* utf8.c: UTF-8 validation and Latin-1 repair of stray bytes. */
#include "util/utf8.h"

size_t utf8_seq_len(const unsigned char *s, size_t n)
{
    int32_t cp;
    return utf8_decode(s, n, &cp);
}

static int dropped_control(unsigned char c)
{
    return c < 0x20 && c != '\t' && c != '\n' && c != '\r';
}

int utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        if (p[i] == 0)
            return 0;
        size_t l = utf8_seq_len(p + i, n - i);
        if (l == 0)
            return 0;
        i += l;
    }
    return 1;
}

void utf8_repair(buf *out, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t run = 0; /* start of the pending run of good bytes */
    size_t i = 0;
    while (i < n) {
        size_t l = utf8_seq_len(p + i, n - i);
        if (l > 0 && !(l == 1 && dropped_control(p[i]))) {
            i += l;
            continue;
        }
        buf_append(out, s + run, i - run);
        if (l == 0) { /* Latin-1 byte to U+0080..U+00FF */
            buf_putc(out, (char)(0xC0 | (p[i] >> 6)));
            buf_putc(out, (char)(0x80 | (p[i] & 0x3F)));
        }
        i++;
        run = i;
    }
    buf_append(out, s + run, n - run);
}
