/* fuzz_tokenize.c: any bytes tokenize into terms of 1..TOK_MAX_WORD bytes
 * of valid UTF-8 without spaces or controls, whose [start, end) spans lie
 * inside the input, ascending and non-overlapping; the same input always
 * gives the same tokens, and each span tokenized alone gives its term back.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "text/tokenize.h"

/* A word's term depends on its own bytes only (snippets rely on it). */
static void check_alone(const uint8_t *data, const token *k)
{
    tokenizer t;
    token w;
    tokenizer_init(&t, (const char *)data + k->start, k->end - k->start);
    if (!tokenizer_next(&t, &w) || w.start != 0 ||
        w.end != k->end - k->start || w.len != k->len ||
        memcmp(w.term, k->term, k->len) != 0 || tokenizer_next(&t, &w))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* 1 when (s, n) is valid UTF-8: shortest forms, no surrogates. */
static int valid_utf8(const unsigned char *s, size_t n)
{
    static const uint32_t min[5] = { 0, 0, 0x80, 0x800, 0x10000 };
    for (size_t i = 0; i < n;) {
        unsigned c = s[i];
        size_t len = c < 0x80                 ? 1
                     : c >= 0xC2 && c <= 0xDF ? 2
                     : c >= 0xE0 && c <= 0xEF ? 3
                     : c >= 0xF0 && c <= 0xF4 ? 4
                                              : 0;
        if (len == 0 || len > n - i)
            return 0;
        uint32_t cp = c & (0x7Fu >> len);
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if (len > 1 && (cp < min[len] || cp > 0x10FFFF ||
                        (cp >= 0xD800 && cp <= 0xDFFF)))
            return 0;
        i += len;
    }
    return 1;
}

static void check_token(const token *k, size_t size, size_t prev_end)
{
    if (k->len < 1 || k->len > TOK_MAX_WORD)
        abort();
    if (!valid_utf8((const unsigned char *)k->term, k->len))
        abort();
    for (size_t i = 0; i < k->len; i++)
        if ((unsigned char)k->term[i] <= ' ' || k->term[i] == 0x7F)
            abort();
    if (k->start >= k->end || k->end > size || k->start < prev_end)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tokenizer a, b;
    token ka, kb;
    size_t prev_end = 0;
    tokenizer_init(&a, (const char *)data, size);
    tokenizer_init(&b, (const char *)data, size);
    while (tokenizer_next(&a, &ka)) {
        check_token(&ka, size, prev_end);
        check_alone(data, &ka);
        prev_end = ka.end;
        /* A second pass over the same bytes must agree token by token. */
        if (!tokenizer_next(&b, &kb) || kb.len != ka.len ||
            kb.start != ka.start || kb.end != ka.end ||
            memcmp(kb.term, ka.term, ka.len) != 0)
            abort();
    }
    if (tokenizer_next(&b, &kb) || tokenizer_next(&a, &ka))
        abort();
    return 0;
}
