/* stream.c: a long file read in windows of whole records, for the
 * readers whose records are runs of whole lines (fmt_reader.streams:
 * JSON Lines, an mbox), and read whole but bounded for the others.
 *
 * Reading a file whole held all of it in memory: a 1 GB feed cost 1 GB
 * before the first article, and a .gz twice its inflated size. Here the
 * file (inflated as it is read when it is gzip, every member) fills a
 * window of at least WINDOW bytes; the window is cut before the last line
 * that starts a record (JSON Lines: after the last newline; an mbox:
 * before its last "From " line), handed to the reader with the line,
 * byte offset and record number of its first byte, and the rest moves to
 * the front of the next window. So memory is one window plus the longest
 * record, and a record is capped at FMT_MAX_ARTICLE: a longer JSON line
 * is skipped with a warning, a longer message cut there, instead of
 * growing the window without end. Offsets in warnings are those of the
 * inflated content, as for a file read whole.
 *
 * A long or gzip file whose reader needs it whole (one article: text,
 * HTML, a single e-mail) is read up to FMT_MAX_ARTICLE and cut there with
 * a warning. Short plain files go the old way (read.c):
 * fmt_stream_file() says FMT_NOT_STREAMED before reading anything. */
#define _GNU_SOURCE /* memrchr */
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
#include "util/hash.h"

#define WINDOW ((size_t)4 << 20)    /* bytes handed to a reader at once */
#define HEAD ((size_t)64 << 10)     /* what detection sees */
#define STREAM_FROM ((uint64_t)8 << 20) /* plain files smaller: read whole */

/* The sizes in use: the ones above unless fmt_stream_tune() changed them
 * (tests and the fuzz target, which need windows of a few bytes). */
static size_t window_len = WINDOW, head_len = HEAD,
              max_record = FMT_MAX_ARTICLE;
static uint64_t stream_from = STREAM_FROM;

void fmt_stream_tune(size_t window, size_t max_rec, uint64_t from)
{
    window_len = window ? window : WINDOW;
    head_len = window ? (window < HEAD ? window : HEAD) : HEAD;
    max_record = max_rec ? max_rec : FMT_MAX_ARTICLE;
    stream_from = window ? from : STREAM_FROM;
}

/* The file's bytes, inflated when it is gzip. */
typedef struct src {
    int fd;
    int gz, z_live, eof;
    int damaged;            /* gzip data truncated or corrupt */
    z_stream z;
    unsigned char in[1 << 16];
    uint64_t raw;           /* bytes read from disk */
    size_t peak;            /* most content bytes held at once */
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

/* Fills b to want bytes (no more) unless the content ends first. */
static int fill(src *s, buf *b, size_t want)
{
    while (b->len < want && !s->eof) {
        if (buf_reserve(b, want - b->len) != 0) {
            errno = ENOMEM;
            return -1;
        }
        ssize_t got = src_read(s, b->ptr + b->len, want - b->len);
        if (got < 0)
            return -1;
        b->len += (size_t)got;
    }
    if (b->len > s->peak)
        s->peak = b->len;
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

/* Drops b's first n bytes (whole lines, or the middle of a skipped one),
 * moving *at over them. */
static void drop(buf *b, size_t n, pos *at)
{
    at->line += count_lines(b->ptr, n);
    at->offset += n;
    memmove(b->ptr, b->ptr + n, b->len - n);
    b->len -= n;
}

/* 1 when the line at p[0..n) starts a record: enough of it is there to
 * tell (its newline, FMT_RECORD_PEEK bytes, or the end of the content)
 * and the reader says so. */
static int starts_record(const fmt_reader *r, const char *p, size_t n,
                         int eof)
{
    if (!r->record_start)
        return 1;
    if (n == 0)
        return 0;
    if (n < FMT_RECORD_PEEK && !eof && !memchr(p, '\n', n))
        return 0; /* not yet known: the line stays for the next window */
    return r->record_start(p, n);
}

/* Start of the last record in p[0..n) after its first byte (a line start
 * the reader says begins one), or 0 when there is none: p[0..cut) is then
 * whole records. */
static size_t last_start(const fmt_reader *r, const char *p, size_t n,
                         int eof)
{
    size_t i = n;
    while (i > 0) {
        const char *nl = memrchr(p, '\n', i);
        if (!nl)
            return 0;
        size_t ls = (size_t)(nl - p) + 1;
        if (ls == n ? !r->record_start
                    : starts_record(r, p + ls, n - ls, eof))
            return ls;
        i = (size_t)(nl - p);
    }
    return 0;
}

/* Skipping a record too long to keep: drops from b what belongs to it,
 * up to the next line that starts a record. *line_start says b[0] starts
 * a line. 1 when that record start was reached, 0 when more must be
 * read. */
static int skip_rest(const fmt_reader *r, buf *b, pos *at, int *line_start,
                     int eof)
{
    size_t ls = 0;
    if (!*line_start) {
        const char *nl = memchr(b->ptr, '\n', b->len);
        if (!nl) {
            drop(b, b->len, at);
            return eof;
        }
        ls = (size_t)(nl - b->ptr) + 1;
    }
    for (;;) {
        if (ls == b->len) {
            drop(b, ls, at);
            *line_start = 1;
            return eof;
        }
        if (starts_record(r, b->ptr + ls, b->len - ls, eof)) {
            drop(b, ls, at);
            return 1;
        }
        const char *nl = memchr(b->ptr + ls, '\n', b->len - ls);
        if (!nl) { /* undecided or the record's line: keep it for now */
            if (!eof && b->len - ls < FMT_RECORD_PEEK) {
                drop(b, ls, at);
                *line_start = 1;
            } else {
                drop(b, b->len, at);
                *line_start = 0;
            }
            return eof;
        }
        ls = (size_t)(nl - b->ptr) + 1;
    }
}

/* The windows of the whole content: b holds its head already. A record
 * longer than FMT_MAX_ARTICLE is skipped with a warning (JSON Lines: a
 * line cut short is not JSON) or, when records are runs of lines (an
 * mbox), its first FMT_MAX_ARTICLE bytes are read and the rest skipped. */
static int stream(src *s, buf *b, const fmt_reader *r, const fmt_input *in,
                  pos at, fmt_sink *sink)
{
    int skipping = 0, line_start = 1;
    int rc = MORGUE_OK;
    size_t want = window_len;
    while (rc == MORGUE_OK) {
        if (fill(s, b, want) != 0)
            return -1;
        want = window_len;
        if (skipping) {
            int done = skip_rest(r, b, &at, &line_start, s->eof);
            skipping = !done;
            if (s->eof && (b->len == 0 || skipping))
                break;
            /* what is left may be a line not yet known to start a record
             * (under FMT_RECORD_PEEK bytes): read on past it, or a window
             * no larger than it would loop (fuzz_stream found it) */
            want = b->len + window_len;
            continue;
        }
        if (s->eof) {
            rc = window(r, in, b->ptr, b->len, &at, sink);
            break;
        }
        size_t cut = last_start(r, b->ptr, b->len, 0);
        if (cut > 0) {
            rc = window(r, in, b->ptr, cut, &at, sink);
            memmove(b->ptr, b->ptr + cut, b->len - cut);
            b->len -= cut;
            continue;
        }
        if (b->len < max_record) { /* one record so far: read on */
            want = b->len + window_len < max_record ? b->len + window_len
                                                      : max_record;
            continue;
        }
        char msg[160];
        uint64_t line = at.line + 1;
        if (!r->record_start) {
            snprintf(msg, sizeof msg, "line %llu: longer than %zu MiB; "
                     "skipped", (unsigned long long)line,
                     max_record >> 20);
            fmt_skip(sink, line, at.offset, msg);
            skipping = 1;
            line_start = 0;
            continue;
        }
        snprintf(msg, sizeof msg, "record at line %llu longer than %zu MiB: "
                 "its first %zu MiB read, the rest skipped",
                 (unsigned long long)line, max_record >> 20,
                 max_record >> 20);
        fmt_warn(sink, line, at.offset, msg);
        const char *nl = memrchr(b->ptr, '\n', b->len);
        cut = nl ? (size_t)(nl - b->ptr) + 1 : b->len;
        rc = window(r, in, b->ptr, cut, &at, sink);
        memmove(b->ptr, b->ptr + cut, b->len - cut);
        b->len -= cut;
        skipping = 1;
        line_start = nl != NULL;
    }
    return rc;
}

/* The content read whole for a reader that does not stream, at most
 * max_record bytes of it: b holds its head already. */
static int whole(src *s, buf *b, const fmt_reader *r, fmt_input *in,
                 fmt_sink *sink)
{
    if (fill(s, b, max_record + 1) != 0)
        return -1;
    if (b->len > max_record) {
        /* cut at the last line end in the last MiB, else before a UTF-8
         * continuation byte */
        size_t cut = max_record;
        size_t back = cut < (1u << 20) ? cut : (1u << 20);
        const char *nl = memrchr(b->ptr + cut - back, '\n', back);
        if (nl)
            cut = (size_t)(nl - b->ptr) + 1;
        else
            while (cut > 0 && ((unsigned char)b->ptr[cut] & 0xc0) == 0x80)
                cut--;
        b->len = cut;
        char msg[160];
        snprintf(msg, sizeof msg, "content longer than %zu MiB (one "
                 "article): its first %zu MiB read, the rest ignored",
                 max_record >> 20, max_record >> 20);
        fmt_warn(sink, 0, cut, msg);
    } else if (s->damaged) {
        if (b->len == 0) {
            fmt_skip(sink, 0, 0, "gzip data corrupt; file skipped");
            return MORGUE_OK;
        }
        fmt_warn(sink, 0, b->len, "gzip data truncated or corrupt; reading "
                                  "what came before");
    }
    in->data = b->ptr ? b->ptr : "";
    in->len = b->len;
    return b->len ? r->read(in, sink) : MORGUE_OK;
}

/* Moves s to content offset off, after the head was read: a plain file
 * seeks; gzip cannot start in the middle, so its content is inflated from
 * the start again and the first off bytes dropped (b is the scratch).
 * FMT_NOT_RESUMED when the content (what inflates of it) is shorter. */
static int seek(src *s, buf *b, uint64_t off)
{
    s->eof = 0; /* the head may have read to the end */
    s->damaged = 0;
    if (!s->gz)
        return lseek(s->fd, (off_t)off, SEEK_SET) < 0 ? -1 : MORGUE_OK;
    if (lseek(s->fd, 0, SEEK_SET) < 0)
        return -1;
    if (inflateReset(&s->z) != Z_OK) {
        errno = ENOMEM;
        return -1;
    }
    s->z.avail_in = 0;
    s->z_live = 1;
    const size_t chunk = (size_t)1 << 16;
    if (buf_reserve(b, chunk) != 0) {
        errno = ENOMEM;
        return -1;
    }
    while (off > 0) {
        ssize_t got = src_read(s, b->ptr, off < chunk ? (size_t)off : chunk);
        if (got < 0)
            return -1;
        if (got == 0)
            return FMT_NOT_RESUMED;
        off -= (uint64_t)got;
    }
    return MORGUE_OK; /* damage found on the way is past the place */
}

int fmt_stream_file(const char *path, const char *name_no_gz,
                    const fmt_reader *forced, fmt_sink *sink,
                    fmt_file_result *res, char *errmsg, size_t errmsg_len)
{
    return fmt_stream_file_from(path, name_no_gz, forced, NULL, sink, res,
                                errmsg, errmsg_len);
}

int fmt_stream_file_from(const char *path, const char *name_no_gz,
                         const fmt_reader *forced, const fmt_pos *from,
                         fmt_sink *sink, fmt_file_result *res, char *errmsg,
                         size_t errmsg_len)
{
    const int no = from ? FMT_NOT_RESUMED : FMT_NOT_STREAMED;
    src s;
    memset(&s, 0, sizeof s);
    s.fd = open(path, O_RDONLY | O_CLOEXEC);
    if (s.fd < 0)
        return no; /* read.c reports it */
    struct stat st;
    unsigned char magic[2];
    ssize_t m = 0;
    if (fstat(s.fd, &st) != 0 || !S_ISREG(st.st_mode) ||
        (m = pread(s.fd, magic, 2, 0)) < 0) {
        close(s.fd);
        return no;
    }
    s.gz = m == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    /* a place is in the content: that of a gzip file is the inflated
     * content's, which may be longer than the file */
    if (from ? !s.gz && from->offset > (uint64_t)st.st_size
             : !s.gz && (uint64_t)st.st_size < stream_from) {
        close(s.fd);
        return no;
    }
    if (s.gz) {
        if (inflateInit2(&s.z, 15 + 16) != Z_OK) {
            close(s.fd);
            return FMT_NOT_STREAMED;
        }
        s.z_live = 1;
    }
    buf b = BUF_INIT;
    int rc = fill(&s, &b, head_len) ? -1 : MORGUE_OK;
    fmt_input in = { s.gz ? name_no_gz : path, b.ptr ? b.ptr : "", b.len,
                     sink->mtime_dates ? (int64_t)st.st_mtime : MORGUE_NO_DATE,
                     0, 0, 0, NULL };
    const fmt_reader *r = forced;
    if (rc == MORGUE_OK && !r)
        r = fmt_detect(&in);
    int streams = rc == MORGUE_OK && r->streams && r->streams(&in);
    if (from && (rc != MORGUE_OK || !streams ||
                 fmt_looks_binary(in.data, in.len))) {
        rc = FMT_NOT_RESUMED;
    } else if (rc == MORGUE_OK && fmt_looks_binary(in.data, in.len)) {
        fmt_skip(sink, 0, 0, "binary file"); /* without reading it all */
        res->binary = 1;
    } else if (rc == MORGUE_OK && !streams) {
        res->format = r->name;
        rc = whole(&s, &b, r, &in, sink);
    } else if (rc == MORGUE_OK) {
        res->format = r->name;
        pos at = { 0, 0, 0 };
        if (from) { /* the head picked the reader: now go to the place */
            b.len = 0;
            at = (pos){ from->line, from->offset, from->ordinal };
            rc = seek(&s, &b, from->offset);
        }
        sink->resumable = 1;
        if (rc == MORGUE_OK) /* FMT_NOT_RESUMED: the content is shorter */
            rc = stream(&s, &b, r, &in, at, sink);
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
    res->peak = s.peak;
    if (s.gz)
        inflateEnd(&s.z);
    close(s.fd);
    buf_free(&b);
    return rc;
}

/* ---- fingerprints of a content's first bytes (resume points) ---- */

#define PRINT_SIDE 4096 /* bytes hashed at each end */

struct fmt_print {
    src s;
    uint64_t at;                   /* content bytes read (gzip) */
    unsigned char head[PRINT_SIDE], tail[PRINT_SIDE];
    size_t n_head, n_tail;         /* tail: the last bytes before at */
};

int fmt_print_open(fmt_print **out, const char *path)
{
    fmt_print *p = calloc(1, sizeof *p);
    if (!p)
        return MORGUE_ENOMEM;
    p->s.fd = open(path, O_RDONLY | O_CLOEXEC);
    unsigned char magic[2];
    if (p->s.fd < 0 || pread(p->s.fd, magic, 2, 0) < 0) {
        if (p->s.fd >= 0)
            close(p->s.fd);
        free(p);
        return MORGUE_EIO;
    }
    p->s.gz = magic[0] == 0x1f && magic[1] == 0x8b; /* calloc'd: 0 0 */
    if (p->s.gz && inflateInit2(&p->s.z, 15 + 16) != Z_OK) {
        close(p->s.fd);
        free(p);
        return MORGUE_ENOMEM;
    }
    p->s.z_live = p->s.gz;
    *out = p;
    return MORGUE_OK;
}

/* Up to n bytes at off of a plain file; how many, -1 on error. */
static ssize_t pread_all(int fd, unsigned char *out, size_t n, uint64_t off)
{
    size_t got = 0;
    while (got < n) {
        ssize_t k = pread(fd, out + got, n - got, (off_t)(off + got));
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            return -1;
        if (k == 0)
            break;
        got += (size_t)k;
    }
    return (ssize_t)got;
}

/* Inflates p's content on to off (from the start again when it is past
 * off), keeping its first and last PRINT_SIDE bytes, and hashing into hs
 * (when not NULL) the bytes it reads; -1 when it breaks first, or when it
 * ends first and to_end is 0 (1: its end stops it, p->at there). */
static int inflate_on(fmt_print *p, uint64_t off, hash64_state *hs,
                      int to_end)
{
    src *s = &p->s;
    if (off < p->at) {
        if (lseek(s->fd, 0, SEEK_SET) < 0 || inflateReset(&s->z) != Z_OK)
            return -1;
        s->z.avail_in = 0;
        s->z_live = 1;
        s->eof = s->damaged = 0;
        p->at = 0;
        p->n_head = p->n_tail = 0;
    }
    char chunk[1 << 15];
    while (p->at < off) {
        uint64_t want = off - p->at;
        ssize_t got = src_read(s, chunk, want < sizeof chunk ? (size_t)want
                                                             : sizeof chunk);
        if (got == 0 && to_end) /* (damage there: what came before) */
            return 0;
        if (got <= 0)
            return -1;
        size_t n = (size_t)got;
        if (hs)
            hash64_update(hs, chunk, n);
        if (p->n_head < PRINT_SIDE) {
            size_t k = PRINT_SIDE - p->n_head < n ? PRINT_SIDE - p->n_head : n;
            memcpy(p->head + p->n_head, chunk, k);
            p->n_head += k;
        }
        if (n >= PRINT_SIDE) {
            memcpy(p->tail, chunk + n - PRINT_SIDE, PRINT_SIDE);
            p->n_tail = PRINT_SIDE;
        } else {
            size_t keep = p->n_tail + n > PRINT_SIDE ? PRINT_SIDE - n
                                                     : p->n_tail;
            memmove(p->tail, p->tail + p->n_tail - keep, keep);
            memcpy(p->tail + keep, chunk, n);
            p->n_tail = keep + n;
        }
        p->at += n;
    }
    return 0;
}

static int inflate_to(fmt_print *p, uint64_t off)
{
    return inflate_on(p, off, NULL, 0);
}

int fmt_print_at(fmt_print *p, uint64_t off, uint64_t *fp)
{
    unsigned char a[PRINT_SIDE], z[PRINT_SIDE];
    const unsigned char *pa = a, *pz = z;
    size_t na = off < PRINT_SIDE ? (size_t)off : PRINT_SIDE, nz = na;
    if (!p->s.gz) {
        if (pread_all(p->s.fd, a, na, 0) != (ssize_t)na ||
            pread_all(p->s.fd, z, nz, off - nz) != (ssize_t)nz)
            return -1;
    } else {
        if (inflate_to(p, off) != 0)
            return -1;
        pa = p->head;
        pz = p->tail + p->n_tail - nz;
    }
    hash64_state hs;
    hash64_init(&hs);
    hash64_update(&hs, pa, na);
    hash64_update(&hs, pz, nz);
    unsigned char le[8]; /* the offset as a little-endian u64 */
    for (int i = 0; i < 8; i++)
        le[i] = (unsigned char)(off >> (8 * i));
    hash64_update(&hs, le, sizeof le);
    *fp = hash64_final(&hs);
    return 0;
}

int fmt_print_span(fmt_print *p, uint64_t off, uint64_t max,
                   uint64_t *len, uint64_t *hash)
{
    hash64_state hs;
    hash64_init(&hs);
    uint64_t end = max > UINT64_MAX - off ? UINT64_MAX : off + max;
    if (!p->s.gz) {
        unsigned char chunk[1 << 15];
        uint64_t at = off;
        struct stat st;
        if (fstat(p->s.fd, &st) != 0 || (uint64_t)st.st_size < off)
            return -1;
        while (at < end) {
            uint64_t want = end - at;
            ssize_t got = pread_all(p->s.fd, chunk, want < sizeof chunk
                                    ? (size_t)want : sizeof chunk, at);
            if (got < 0)
                return -1;
            if (got == 0)
                break;
            hash64_update(&hs, chunk, (size_t)got);
            at += (uint64_t)got;
        }
        *len = at - off;
    } else {
        if (inflate_to(p, off) != 0 || inflate_on(p, end, &hs, 1) != 0)
            return -1;
        *len = p->at - off;
    }
    *hash = hash64_final(&hs);
    return 0;
}

void fmt_print_close(fmt_print *p)
{
    if (!p)
        return;
    if (p->s.gz)
        inflateEnd(&p->s.z);
    close(p->s.fd);
    free(p);
}
