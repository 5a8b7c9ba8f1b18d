/* utf8.h: UTF-8 validation and repair. */
#ifndef MORGUE_UTIL_UTF8_H
#define MORGUE_UTIL_UTF8_H

#include <stddef.h>
#include <stdint.h>
#include "util/buf.h"
#include "util/utf8dec.h"

/* Length of the valid UTF-8 sequence at s[0..n), or 0 if it is invalid. */
size_t utf8_seq_len(const unsigned char *s, size_t n);

/* 1 when (s, n) is valid UTF-8 without NUL bytes. */
int utf8_valid(const char *s, size_t n);

/* Appends (s, n) to out with each byte that starts no valid sequence read
 * as Latin-1 (the corpora's stray bytes are Latin-1) and NUL and other C0
 * controls except \t \n \r dropped. */
void utf8_repair(buf *out, const char *s, size_t n);

#endif
