/* stream.c: a long file read in windows of whole lines, for the readers
 * whose records are whole lines (fmt_reader.streams: JSON Lines).
 *
 * Reading a file whole held all of it in memory: a 1 GB feed cost 1 GB
 * before the first article, and a .gz twice its inflated size. Here the
 * file (inflated as it is read when it is gzip, every member) fills a
 * window of at least WINDOW bytes; the window is cut after its last
 * newline and handed to the reader with the line, byte offset and record
 * number of its first byte, and the rest moves to the front of the next
 * window. So memory is one window plus the longest line, and a line is
 * capped at MAX_LINE: a longer one is skipped with a warning instead of
 * growing the window without end. Offsets in warnings are those of the
 * inflated content, as for a file read whole.
 *
 * Short files and the readers of whole documents go the old way
 * (read.c): fmt_stream_file() says FMT_NOT_STREAMED before reading more
 * than the head it sniffs. */
#include "formats/stream.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "formats/scan.h"
#include "morgue.h"
#include "util/buf.h"

#define WINDOW ((size_t)4 << 20)    /* bytes handed to a reader at once */
#define MAX_LINE ((size_t)64 << 20) /* longest line kept */
#define HEAD ((size_t)64 << 10)     /* what detection sees */
#define STREAM_FROM ((uint64_t)8 << 20) /* plain files smaller: read whole */

/* The file's bytes, inflated when it is gzip. */
typedef struct src {
    int fd;
    int gz, z_live, eof;
    int damaged;            /* gzip data truncated or corrupt */
    z_stream z;
    unsigned char in[1 << 16];
    uint64_t raw;           /* bytes read from disk */
} src;

/* Up to cap bytes from the file itself; 0 at its end, -1 on error. */
static ssize_t raw_read(src *s, unsigned char *out, size_t cap)
{
    for (;;) {
        ssize_t got = read(s->fd, out, cap);
        if (got < 0 && errno == EINTR)
            continue;
        if (got > 0)
            s->raw += (uint64_t)got;
        return got;
    }
}

/* Up to cap bytes of content; 0 at the end, -1 on a read error. */
static ssize_t src_read(src *s, char *out, size_t cap)
{
    if (s->eof)
        return 0;
    if (!s->gz) {
        ssize_t got = raw_read(s, (unsigned char *)out, cap);
        if (got == 0)
            s->eof = 1;
        return got;
    }
    s->z.next_out = (unsigned char *)out;
    s->z.avail_out = cap > (1u << 30) ? (1u << 30) : (uInt)cap;
    while (s->z.avail_out == (uInt)(cap > (1u << 30) ? (1u << 30) : cap)) {
        if (s->z.avail_in == 0) {
            ssize_t got = raw_read(s, s->in, sizeof s->in);
            if (got < 0)
                return -1;
            if (got == 0) {
                if (s->z_live) /* the stream stopped short */
                    s->damaged = 1;
                s->eof = 1;
                break;
            }
            s->z.next_in = s->in;
            s->z.avail_in = (uInt)got;
        }
        if (!s->z_live) { /* a member ended: another one follows? */
            if (s->z.next_in[0] != 0x1f || inflateReset(&s->z) != Z_OK) {
                s->eof = 1;
                break;
            }
            s->z_live = 1;
        }
        int zr = inflate(&s->z, Z_NO_FLUSH);
        if (zr == Z_STREAM_END) {
            s->z_live = 0;
        } else if (zr == Z_MEM_ERROR) {
            errno = ENOMEM;
            return -1;
        } else if (zr != Z_OK && zr != Z_BUF_ERROR) {
            s->damaged = 1;
            s->eof = 1;
            break;
        }
    }
    return (ssize_t)((size_t)(s->z.next_out - (unsigned char *)out));
}

/* Fills b to at least want bytes unless the content ends first. */
static int fill(src *s, buf *b, size_t want)
{
    while (b->len < want && !s->eof) {
        if (buf_reserve(b, want - b->len) != 0) {
            errno = ENOMEM;
            return -1;
        }
        ssize_t got = src_read(s, b->ptr + b->len, b->cap - b->len);
        if (got < 0)
            return -1;
        b->len += (size_t)got;
    }
    return 0;
}

static uint64_t count_lines(const char *p, size_t n)
{
    uint64_t k = 0;
    for (const char *e = p + n; (p = memchr(p, '\n', (size_t)(e - p))); p++)
        k++;
    return k;
}

typedef struct pos {
    uint64_t line, offset, ordinal;
} pos;

/* Hands data[0..n) to the reader as the window at *at; moves *at on. */
static int window(const fmt_reader *r, const fmt_input *proto,
                  const char *data, size_t n, pos *at, fmt_sink *sink)
{
    fmt_input in = *proto;
    in.data = data;
    in.len = n;
    in.first_line = at->line;
    in.first_offset = at->offset;
    in.first_ordinal = at->ordinal;
    in.next_ordinal = &at->ordinal;
    int rc = n ? r->read(&in, sink) : MORGUE_OK;
    at->line += count_lines(data, n);
    at->offset += n;
    return rc;
}

/* The windows of the whole content: b holds its head already. */
static int stream(src *s, buf *b, const fmt_reader *r, const fmt_input *in,
                  fmt_sink *sink)
{
    pos at = { 0, 0, 0 };
    int skipping = 0; /* inside a line over MAX_LINE */
    int rc = MORGUE_OK;
    while (rc == MORGUE_OK) {
        if (fill(s, b, WINDOW) != 0)
            return -1;
        size_t cut = b->len;
        while (cut > 0 && b->ptr[cut - 1] != '\n')
            cut--; /* just past the last newline, 0 when none */
        if (skipping) { /* drop up to the end of the long line */
            char *first = b->len ? memchr(b->ptr, '\n', b->len) : NULL;
            size_t drop = first ? (size_t)(first - b->ptr) + 1 : b->len;
            at.offset += drop;
            at.line += first != NULL;
            memmove(b->ptr, b->ptr + drop, b->len - drop);
            b->len -= drop;
            skipping = first == NULL;
            if (s->eof && b->len == 0)
                break;
            continue;
        }
        if (s->eof) {
            rc = window(r, in, b->ptr, b->len, &at, sink);
            break;
        }
        if (cut == 0) { /* no newline yet: one long line */
            if (b->len < MAX_LINE) {
                if (fill(s, b, b->len + WINDOW) != 0)
                    return -1;
                continue;
            }
            char msg[96];
            snprintf(msg, sizeof msg, "line %llu: longer than %zu MiB; "
                     "skipped", (unsigned long long)at.line + 1,
                     MAX_LINE >> 20);
            fmt_skip(sink, at.line + 1, at.offset, msg);
            skipping = 1;
            continue;
        }
        rc = window(r, in, b->ptr, cut, &at, sink);
        memmove(b->ptr, b->ptr + cut, b->len - cut);
        b->len -= cut;
    }
    return rc;
}

int fmt_stream_file(const char *path, const char *name_no_gz,
                    const fmt_reader *forced, fmt_sink *sink,
                    fmt_file_result *res, char *errmsg, size_t errmsg_len)
{
    src s;
    memset(&s, 0, sizeof s);
    s.fd = open(path, O_RDONLY | O_CLOEXEC);
    if (s.fd < 0)
        return FMT_NOT_STREAMED; /* read.c reports it */
    struct stat st;
    unsigned char magic[2];
    ssize_t m = 0;
    if (fstat(s.fd, &st) != 0 || !S_ISREG(st.st_mode) ||
        (m = pread(s.fd, magic, 2, 0)) < 0) {
        close(s.fd);
        return FMT_NOT_STREAMED;
    }
    s.gz = m == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    if (!s.gz && (uint64_t)st.st_size < STREAM_FROM) {
        close(s.fd);
        return FMT_NOT_STREAMED;
    }
    if (s.gz) {
        if (inflateInit2(&s.z, 15 + 16) != Z_OK) {
            close(s.fd);
            return FMT_NOT_STREAMED;
        }
        s.z_live = 1;
    }
    buf b = BUF_INIT;
    int rc = fill(&s, &b, HEAD) ? -1 : MORGUE_OK;
    fmt_input in = { s.gz ? name_no_gz : path, b.ptr ? b.ptr : "", b.len,
                     sink->mtime_dates ? (int64_t)st.st_mtime : MORGUE_NO_DATE,
                     0, 0, 0, NULL };
    const fmt_reader *r = forced;
    if (rc == MORGUE_OK && !r)
        r = fmt_detect(&in);
    if (rc == MORGUE_OK && fmt_looks_binary(in.data, in.len)) {
        fmt_skip(sink, 0, 0, "binary file"); /* without reading it all */
        res->binary = 1;
    } else if (rc == MORGUE_OK && (!r || !r->streams)) {
        rc = FMT_NOT_STREAMED; /* read whole, as before */
    } else if (rc == MORGUE_OK) {
        res->format = r->name;
        rc = stream(&s, &b, r, &in, sink);
        if (rc == MORGUE_OK && s.damaged)
            fmt_warn(sink, 0, in.first_offset,
                     "gzip data truncated or corrupt; reading what came "
                     "before");
    }
    if (rc == -1) {
        rc = errno == ENOMEM ? MORGUE_ENOMEM : MORGUE_EIO;
        if (errmsg && errmsg_len)
            snprintf(errmsg, errmsg_len, "cannot read %s: %s", path,
                     strerror(errno));
    }
    res->bytes = s.raw;
    if (s.gz)
        inflateEnd(&s.z);
    close(s.fd);
    buf_free(&b);
    return rc;
}
