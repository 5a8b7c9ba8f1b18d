/* rfc822.c: the e-mail / Usenet reader: one message per file, or an
 * mbox of many.
 *
 * A header block of "Name: value" lines (a line starting with a space or
 * tab continues the one before), a blank line, then the body. Subject is
 * the title, From the source, Newsgroups the tags, Date the date and
 * Message-ID the id. CRLF line ends are tolerated. A file that starts with
 * an mbox "From " envelope line is an mbox: every line starting "From "
 * begins the next message (inside bodies, mbox writers quote such lines
 * as ">From "). An mbox is read as records of whole lines, so a long one
 * streams (formats/stream.c) window by window.
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

/* 1 when the line at p (n bytes of it or more) is an mbox envelope:
 * "From ", a sender, a space, then a date: a time ("12:08", a digit, a
 * colon, two digits) and a year (four digits in a row) among the next 80
 * bytes of the line. So "From the desk of the editor: ..." in an unquoted
 * body does not start a message. */
static int envelope_line(const char *p, size_t n)
{
    if (n < 5 || memcmp(p, "From ", 5) != 0)
        return 0;
    size_t i = 5;
    while (i < n && p[i] != ' ' && p[i] != '\n')
        i++;
    if (i == 5 || i >= n || p[i] != ' ')
        return 0;
    int time = 0, year = 0, run = 0;
    size_t end = n < i + 80 ? n : i + 80;
    for (size_t k = i; k < end && p[k] != '\n'; k++) {
        int d = p[k] >= '0' && p[k] <= '9';
        run = d ? run + 1 : 0;
        year |= run == 4;
        if (p[k] == ':' && k > i && k + 2 < end &&
            p[k - 1] >= '0' && p[k - 1] <= '9' && p[k + 1] >= '0' &&
            p[k + 1] <= '9' && p[k + 2] >= '0' && p[k + 2] <= '9')
            time = 1;
    }
    return time && year;
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
                            int *off, uint64_t line, uint64_t offset)
{
    int64_t v = MORGUE_NO_DATE;
    if (d.len > 0) {
        v = date_parse_rfc822(d, off);
        if (v == MORGUE_NO_DATE)
            v = date_parse_any(d, off);
        if (v == MORGUE_NO_DATE)
            fmt_warn(sink, line, offset, "unrecognised Date header; date "
                                         "ignored");
    }
    return v != MORGUE_NO_DATE ? v : fmt_fallback_date(in);
}

/* The message in->data[0..len) (a whole file, or one of an mbox: it
 * starts at line, offset and is record ordinal of its file). */
static int one_message(const fmt_input *in, fmt_sink *sink, uint64_t line,
                       uint64_t offset, uint64_t ordinal)
{
    message m;
    memset(&m, 0, sizeof m);
    read_header(in, &m);
    int rc = MORGUE_OK;
    for (int i = 0; i < N_FIELDS; i++)
        if (m.field[i].oom)
            rc = MORGUE_ENOMEM;
    if (rc == MORGUE_OK && m.n_headers == 0) {
        fmt_skip(sink, line, offset, "no e-mail header block; skipped");
    } else if (rc == MORGUE_OK) {
        fmt_article a;
        fmt_article_init(&a);
        a.line = line;
        a.offset = offset;
        a.ordinal = ordinal;
        a.title = fmt_trim(buf_span(&m.field[F_SUBJECT]));
        a.source = fmt_trim(buf_span(&m.field[F_FROM]));
        a.id = fmt_trim(buf_span(&m.field[F_ID]));
        a.lang = fmt_trim(buf_span(&m.field[F_LANG]));
        fmt_add_tags(&a, buf_span(&m.field[F_GROUPS]), ',');
        a.body = fmt_trim(span_of(in->data + m.body, in->len - m.body));
        a.date = message_date(in, sink,
                              fmt_trim(buf_span(&m.field[F_DATE])),
                              &a.date_off, line, offset);
        rc = sink->article(sink->ud, &a);
    }
    for (int i = 0; i < N_FIELDS; i++)
        buf_free(&m.field[i]);
    return rc;
}

/* The start of the next line at or after pos that is an envelope line,
 * or len. */
static size_t next_envelope(const char *p, size_t len, size_t pos)
{
    while (pos < len) {
        const char *nl = memchr(p + pos, '\n', len - pos);
        if (!nl)
            return len;
        pos = (size_t)(nl - p) + 1;
        if (envelope_line(p + pos, len - pos))
            return pos;
    }
    return len;
}

static int rfc822_read(const fmt_input *in, fmt_sink *sink)
{
    size_t bom = in->first_offset ? 0 : fmt_bom_len(in->data, in->len);
    if (!envelope_line(in->data + bom, in->len - bom))
        return one_message(in, sink, in->first_line + 1, in->first_offset,
                           in->first_ordinal);
    /* an mbox (or a window of one: it starts at a message) */
    uint64_t line = in->first_line + 1, ordinal = in->first_ordinal;
    int rc = MORGUE_OK;
    for (size_t at = bom; at < in->len && rc == MORGUE_OK;) {
        size_t end = next_envelope(in->data, in->len, at);
        fmt_input one = *in;
        one.data = in->data + at;
        one.len = end - at;
        rc = one_message(&one, sink, line, in->first_offset + at, ordinal++);
        line += fmt_count_lines(in->data + at, end - at);
        at = end;
    }
    if (in->next_ordinal)
        *in->next_ordinal = ordinal;
    return rc;
}

static int rfc822_streams(const fmt_input *head)
{
    size_t bom = fmt_bom_len(head->data, head->len);
    return envelope_line(head->data + bom, head->len - bom);
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

const fmt_reader fmt_rfc822_reader = { "rfc822", rfc822_sniff, rfc822_read,
                                       rfc822_streams, envelope_line };
