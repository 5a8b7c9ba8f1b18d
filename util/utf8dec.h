/* utf8dec.h: the one UTF-8 decoder, for utf8.c's validation and repair
 * and the tokenizer (which includes only this, not the buffer API). */
#ifndef MORGUE_UTIL_UTF8DEC_H
#define MORGUE_UTIL_UTF8DEC_H

#include <stddef.h>
#include <stdint.h>

/* The one UTF-8 decoder: the code point of the valid sequence at s[0..n)
 * (n >= 1) into *cp and its length, or 0 if it is invalid (overlong,
 * surrogate, above U+10FFFF, truncated). Inline: the tokenizer calls it
 * for every non-ASCII character. */
static inline size_t utf8_decode(const unsigned char *s, size_t n,
                                 int32_t *cp)
{
    unsigned c = s[0];
    if (c < 0x80) {
        *cp = (int32_t)c;
        return 1;
    }
    size_t len;
    int32_t min;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        min = 0x10000;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    int32_t v = (int32_t)(c & (0x7Fu >> len));
    for (size_t k = 1; k < len; k++) {
        if ((s[k] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[k] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return len;
}

#endif
