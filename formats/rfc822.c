/* rfc822.c: the e-mail / Usenet reader, one message per file.
 *
 * A header block of "Name: value" lines (a line starting with a space or
 * tab continues the one before), a blank line, then the body. Subject is
 * the title, From the source, Newsgroups the tags, Date the date and
 * Message-ID the id. CRLF line ends and an mbox "From " envelope line are
 * tolerated.
 */
#include "formats/source.h"

#include <stdio.h>
#include <string.h>

#include "util/dates.h"
#include "formats/scan.h"
#include "morgue.h"
#include "util/buf.h"

/* Bytes the sniffer reads looking for the end of the header block. */
#define SNIFF_LIMIT 65536

enum { F_SUBJECT, F_FROM, F_GROUPS, F_DATE, F_ID, F_LANG, N_FIELDS };

static const char *const field_names[N_FIELDS] = {
    "Subject", "From", "Newsgroups", "Date", "Message-ID", "Content-Language"
};

/* The header fields we keep, unfolded. */
typedef struct message {
    buf field[N_FIELDS];
    size_t n_headers; /* header lines seen */
    size_t body;      /* offset of the body */
} message;

/* Splits "Name: value": the name is printable ASCII without ':' or
 * space. 0 when line is not a header line. */
static int header_line(span line, span *name, span *value)
{
    size_t i = 0;
    while (i < line.len && line.ptr[i] != ':') {
        unsigned char c = (unsigned char)line.ptr[i];
        if (c <= 32 || c >= 127)
            return 0;
        i++;
    }
    if (i == 0 || i == line.len)
        return 0;
    *name = span_of(line.ptr, i);
    *value = fmt_trim(span_of(line.ptr + i + 1, line.len - i - 1));
    return 1;
}

static int is_continuation(span line)
{
    return line.len > 0 && (line.ptr[0] == ' ' || line.ptr[0] == '\t');
}

/* Offset after an mbox "From " envelope line, else start. */
static size_t skip_envelope(const fmt_input *in, size_t start)
{
    size_t pos = start;
    if (in->len - start >= 5 && memcmp(in->data + start, "From ", 5) == 0)
        fmt_next_line(in->data, in->len, &pos);
    return pos;
}

static buf *field_of(message *m, span name)
{
    for (int i = 0; i < N_FIELDS; i++)
        if (fmt_ieq(name, field_names[i]))
            return m->field[i].len == 0 ? &m->field[i] : NULL;
    return NULL;
}

/* Reads the header block; the body starts after the blank line, or at
 * the first line that is neither a header nor a continuation. Stray
 * continuation lines before the first header (left where a header was
 * cut out, as in some 20 Newsgroups posts) are ignored. */
static void read_header(const fmt_input *in, message *m)
{
    size_t pos = skip_envelope(in, fmt_bom_len(in->data, in->len));
    buf *cur = NULL;
    span name, value;
    while (pos < in->len) {
        size_t start = pos;
        span line = fmt_next_line(in->data, in->len, &pos);
        if (fmt_trim(line).len == 0)
            break;
        if (is_continuation(line)) {
            if (cur) {
                buf_putc(cur, ' ');
                span t = fmt_trim(line);
                buf_append(cur, t.ptr, t.len);
            }
            continue;
        }
        if (!header_line(line, &name, &value)) {
            pos = start;
            break;
        }
        m->n_headers++;
        if ((cur = field_of(m, name)) != NULL)
            buf_append(cur, value.ptr, value.len);
    }
    m->body = pos;
}

/* Date header, read as RFC 822 or any other syntax; else the path date
 * or mtime. A Date header that cannot be read is reported. Its zone goes
 * into *off. */
static int64_t message_date(const fmt_input *in, fmt_sink *sink, span d,
                            int *off)
{
    int64_t v = MORGUE_NO_DATE;
    if (d.len > 0) {
        v = date_parse_rfc822(d, off);
        if (v == MORGUE_NO_DATE)
            v = date_parse_any(d, off);
        if (v == MORGUE_NO_DATE)
            fmt_warn(sink, 1, 0, "unrecognised Date header; date ignored");
    }
    return v != MORGUE_NO_DATE ? v : fmt_fallback_date(in);
}

static int rfc822_read(const fmt_input *in, fmt_sink *sink)
{
    message m;
    memset(&m, 0, sizeof m);
    read_header(in, &m);
    int rc = MORGUE_OK;
    for (int i = 0; i < N_FIELDS; i++)
        if (m.field[i].oom)
            rc = MORGUE_ENOMEM;
    if (rc == MORGUE_OK && m.n_headers == 0) {
        fmt_skip(sink, 1, 0, "no e-mail header block; skipped");
    } else if (rc == MORGUE_OK) {
        fmt_article a;
        fmt_article_init(&a);
        a.title = fmt_trim(buf_span(&m.field[F_SUBJECT]));
        a.source = fmt_trim(buf_span(&m.field[F_FROM]));
        a.id = fmt_trim(buf_span(&m.field[F_ID]));
        a.lang = fmt_trim(buf_span(&m.field[F_LANG]));
        fmt_add_tags(&a, buf_span(&m.field[F_GROUPS]), ',');
        a.body = fmt_trim(span_of(in->data + m.body, in->len - m.body));
        a.date = message_date(in, sink,
                              fmt_trim(buf_span(&m.field[F_DATE])),
                              &a.date_off);
        rc = sink->article(sink->ud, &a);
    }
    for (int i = 0; i < N_FIELDS; i++)
        buf_free(&m.field[i]);
    return rc;
}

/* The fields that make a header block a message rather than any list of
 * "Key: value" lines. */
static int telling_field(span name)
{
    static const char *const names[] = { "From", "Subject", "Newsgroups",
                                         "Message-ID", "Path" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (fmt_ieq(name, names[i]))
            return 1;
    return 0;
}

/* Header lines from the first byte, a telling field among them, and a
 * blank line after them within the first 64 KB. */
static int rfc822_sniff(const fmt_input *in)
{
    size_t len = in->len < SNIFF_LIMIT ? in->len : SNIFF_LIMIT;
    fmt_input head = *in;
    head.len = len;
    size_t pos = skip_envelope(&head, fmt_bom_len(in->data, len));
    size_t headers = 0, telling = 0;
    span name, value;
    while (pos < len) {
        span line = fmt_next_line(in->data, len, &pos);
        if (fmt_trim(line).len == 0) {
            if (headers == 0 || telling == 0)
                return 0;
            return fmt_has_ext(in->path, "eml") ? 95 : 85;
        }
        if (is_continuation(line))
            continue;
        if (!header_line(line, &name, &value))
            return 0;
        headers++;
        telling += telling_field(name);
    }
    return 0;
}

const fmt_reader fmt_rfc822_reader = { "rfc822", rfc822_sniff,
                                       rfc822_read, 0 };
