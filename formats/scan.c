/* scan.c: byte-scanning helpers the format readers share. */
#include "formats/scan.h"

#include <string.h>

#include "util/dates.h"
#include "morgue.h"

void fmt_warn(fmt_sink *sink, uint64_t line, uint64_t offset,
              const char *msg)
{
    if (sink->warning)
        sink->warning(sink->ud, line, offset, msg);
}

void fmt_skip(fmt_sink *sink, uint64_t line, uint64_t offset,
              const char *msg)
{
    fmt_warn(sink, line, offset, msg);
    sink->skipped++;
}

void fmt_article_init(fmt_article *a)
{
    memset(a, 0, sizeof *a);
    a->date = MORGUE_NO_DATE;
    a->date_off = MORGUE_NO_OFFSET;
    a->line = 1;
}

span fmt_trim(span s)
{
    while (s.len > 0 && fmt_is_space((unsigned char)s.ptr[0])) {
        s.ptr++;
        s.len--;
    }
    while (s.len > 0 && fmt_is_space((unsigned char)s.ptr[s.len - 1]))
        s.len--;
    return s;
}

int fmt_istarts(span s, const char *lit) { return span_istarts(s, lit); }

int fmt_ieq(span s, const char *lit) { return span_ieq(s, lit); }

const char *fmt_memmem(const char *hay, size_t n, const char *needle,
                       size_t m)
{
    const char *p = hay, *e = hay + n;
    if (m == 0)
        return hay;
    while ((size_t)(e - p) >= m) {
        p = memchr(p, needle[0], (size_t)(e - p) - m + 1);
        if (!p)
            return NULL;
        if (p[m - 1] == needle[m - 1] && memcmp(p, needle, m) == 0)
            return p;
        p++;
    }
    return NULL;
}

const char *fmt_imemmem(const char *hay, size_t n, const char *needle)
{
    size_t m = strlen(needle);
    if (m == 0)
        return hay;
    for (size_t i = 0; i + m <= n; i++)
        if (fmt_istarts(span_of(hay + i, m), needle))
            return hay + i;
    return NULL;
}

int fmt_has_ext(const char *path, const char *ext)
{
    if (!path)
        return 0;
    size_t n = strlen(path), m = strlen(ext);
    if (n < m + 1 || path[n - m - 1] != '.')
        return 0;
    return fmt_ieq(span_of(path + n - m, m), ext);
}

size_t fmt_bom_len(const char *data, size_t len)
{
    return len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
}

uint64_t fmt_count_lines(const char *p, size_t n)
{
    uint64_t lines = 0;
    const char *e = p + n;
    while (p < e && (p = memchr(p, '\n', (size_t)(e - p))) != NULL) {
        lines++;
        p++;
    }
    return lines;
}

span fmt_next_line(const char *data, size_t len, size_t *pos)
{
    const char *p = data + *pos;
    const char *nl = memchr(p, '\n', len - *pos);
    size_t n = nl ? (size_t)(nl - p) : len - *pos;
    *pos += nl ? n + 1 : n;
    if (n > 0 && p[n - 1] == '\r')
        n--;
    return span_of(p, n);
}

void fmt_add_tags(fmt_article *a, span list, char sep)
{
    size_t i = 0;
    if (list.len == 0)
        return;
    while (i <= list.len && a->n_tags < FMT_MAX_TAGS) {
        const char *p = list.ptr + i;
        const char *q = memchr(p, sep, list.len - i);
        size_t n = q ? (size_t)(q - p) : list.len - i;
        span t = fmt_trim(span_of(p, n));
        if (t.len > 0)
            a->tags[a->n_tags++] = t;
        i += n + 1;
    }
}

int64_t fmt_fallback_date(const fmt_input *in)
{
    int64_t d = date_from_path(in->path);
    return d != MORGUE_NO_DATE ? d : in->mtime;
}
