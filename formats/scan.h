/* scan.h: byte-scanning helpers the format readers share (formats/ only).
 *
 * Everything works on (ptr, len) spans that need not be NUL-terminated:
 * the readers run on arbitrary bytes and must never read past the end.
 */
#ifndef MORGUE_FORMATS_SCAN_H
#define MORGUE_FORMATS_SCAN_H

#include <stddef.h>
#include <stdint.h>
#include "formats/source.h"
#include "util/span.h"

/* Tells the sink about a problem without skipping anything. */
void fmt_warn(fmt_sink *sink, uint64_t line, uint64_t offset,
              const char *msg);

/* Reports a skipped record: warning plus sink->skipped++. */
void fmt_skip(fmt_sink *sink, uint64_t line, uint64_t offset,
              const char *msg);

/* An empty article: no fields, MORGUE_NO_DATE, line 1. */
void fmt_article_init(fmt_article *a);

/* 1 for ' ', '\t', '\n', '\r', '\v', '\f'. */
static inline int fmt_is_space(unsigned char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

/* s without leading and trailing ASCII whitespace. */
span fmt_trim(span s);

/* Case-insensitive (ASCII) comparisons with a literal. */
int fmt_ieq(span s, const char *lit);
int fmt_istarts(span s, const char *lit);

/* First needle (m bytes) in (hay, n), or NULL: a portable memmem. */
const char *fmt_memmem(const char *hay, size_t n, const char *needle,
                       size_t m);

/* Case-insensitive memmem; NULL when needle is not in (hay, n). */
const char *fmt_imemmem(const char *hay, size_t n, const char *needle);

/* 1 when path ends in "." ext (case-insensitive); path may be NULL. */
int fmt_has_ext(const char *path, const char *ext);

/* Bytes of a UTF-8 byte-order mark at the start of data (0 or 3). */
size_t fmt_bom_len(const char *data, size_t len);

/* Newlines in (p, n): how far the line number moves over it. */
uint64_t fmt_count_lines(const char *p, size_t n);

/* The line starting at *pos in (data, len), without its "\n" or "\r\n";
 * *pos moves past the newline. Call only while *pos < len. */
span fmt_next_line(const char *data, size_t len, size_t *pos);

/* Splits list at sep and adds each trimmed, non-empty piece to a->tags
 * (pieces beyond FMT_MAX_TAGS are dropped). */
void fmt_add_tags(fmt_article *a, span list, char sep);

/* The date of a file with no date of its own: from its path, else its
 * modification time. */
int64_t fmt_fallback_date(const fmt_input *in);

#endif
