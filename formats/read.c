/* read.c: from a file to a reader: reading, gunzip, binary check, sniffing.
 *
 * Compression is handled here once, below every reader (as Redis keeps its
 * event backends behind one ae.c): a file that starts with the gzip magic
 * 1f 8b is inflated, and its name loses ".gz" before the readers sniff
 * its extension. A long file or a gzip one is read by stream.c (in windows
 * of records, or whole up to FMT_MAX_ARTICLE); short files are read whole
 * here.
 */
#include "formats/source.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "formats/scan.h"
#include "formats/stream.h"
#include "morgue.h"
#include "util/buf.h"

/* Inflated content beyond this is dropped: a defence against gzip bombs. */
#define MAX_INFLATED ((size_t)1 << 30)
/* Bytes the binary check looks at. */
#define SNIFF_BYTES 8192

/* Detection order breaks ties: the more specific format first. */
static const fmt_reader *const readers[] = {
    &fmt_reuters_reader, &fmt_html_reader, &fmt_jsonl_reader,
    &fmt_rfc822_reader, &fmt_text_reader,
};
#define N_READERS (sizeof readers / sizeof readers[0])

/* Other names people use for the formats. */
static const struct {
    const char *alias, *name;
} aliases[] = {
    { "txt", "text" },       { "plain", "text" },    { "htm", "html" },
    { "json", "jsonl" },     { "ndjson", "jsonl" },  { "sgml", "reuters" },
    { "sgm", "reuters" },    { "email", "rfc822" },  { "eml", "rfc822" },
    { "mail", "rfc822" },    { "usenet", "rfc822" },
};

const fmt_reader *fmt_by_name(const char *name)
{
    if (!name)
        return NULL;
    span s = span_cstr(name);
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (fmt_ieq(s, aliases[i].alias))
            s = span_cstr(aliases[i].name);
    for (size_t i = 0; i < N_READERS; i++)
        if (fmt_ieq(s, readers[i]->name))
            return readers[i];
    return NULL;
}

const fmt_reader *fmt_detect(const fmt_input *in)
{
    const fmt_reader *best = &fmt_text_reader;
    int best_score = fmt_text_reader.sniff(in);
    for (size_t i = 0; i < N_READERS; i++) {
        int score = readers[i]->sniff(in);
        if (score > best_score) {
            best = readers[i];
            best_score = score;
        }
    }
    return best;
}

int fmt_looks_binary(const char *p, size_t n)
{
    size_t ctrl = 0;
    if (n > SNIFF_BYTES)
        n = SNIFF_BYTES;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c == 0)
            return 1;
        if ((c < 0x20 && !fmt_is_space(c) && c != 0x1b) || c == 0x7f)
            ctrl++;
    }
    return ctrl * 10 > n;
}

int fmt_read_buffer(const fmt_input *in, const char *format_name,
                    fmt_sink *sink, fmt_file_result *res)
{
    fmt_file_result local;
    const fmt_reader *r = NULL;
    if (!res)
        res = &local;
    memset(res, 0, sizeof *res);
    if (format_name && *format_name && strcmp(format_name, "auto") != 0 &&
        !(r = fmt_by_name(format_name)))
        return MORGUE_EINVAL;
    fmt_input safe = *in;
    if (!safe.data || safe.len == 0) {
        safe.data = "";
        safe.len = 0;
    }
    res->bytes = safe.len;
    if (fmt_looks_binary(safe.data, safe.len)) {
        fmt_skip(sink, 0, 0, "binary file");
        res->binary = 1;
        return MORGUE_OK;
    }
    if (!r)
        r = fmt_detect(&safe);
    res->format = r->name;
    return safe.len == 0 ? MORGUE_OK : r->read(&safe, sink);
}

static int fail(char *errmsg, size_t n, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Formats the caller's message (when it gave room for one); returns code. */
static int fail(char *errmsg, size_t n, int code, const char *fmt, ...)
{
    if (errmsg && n > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(errmsg, n, fmt, ap);
        va_end(ap);
    }
    return code;
}

/* Reads the whole file into out; its modification time into *mtime. */
static int slurp(const char *path, buf *out, int64_t *mtime, char *errmsg,
                 size_t errmsg_len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return fail(errmsg, errmsg_len,
                    errno == ENOENT ? MORGUE_ENOTFOUND : MORGUE_EIO,
                    "cannot open %s: %s", path, strerror(errno));
    struct stat st;
    int rc = MORGUE_OK;
    if (fstat(fd, &st) != 0)
        rc = fail(errmsg, errmsg_len, MORGUE_EIO, "cannot read %s: %s", path,
                  strerror(errno));
    else if (S_ISDIR(st.st_mode))
        rc = fail(errmsg, errmsg_len, MORGUE_EIO,
                  "cannot read %s: is a directory", path);
    else if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode))
        rc = fail(errmsg, errmsg_len, MORGUE_EIO, /* /dev/zero never ends */
                  "cannot read %s: not a regular file", path);
    if (rc != MORGUE_OK) {
        close(fd);
        return rc;
    }
    *mtime = (int64_t)st.st_mtime;
    if (S_ISREG(st.st_mode) && st.st_size > 0)
        buf_reserve(out, (size_t)st.st_size + 1);
    for (;;) {
        /* room for one more byte at least: EOF is seen without regrowth */
        if (buf_reserve(out, out->len < out->cap ? 0 : 65536) != 0) {
            rc = fail(errmsg, errmsg_len, MORGUE_ENOMEM,
                      "out of memory reading %s", path);
            break;
        }
        ssize_t got = read(fd, out->ptr + out->len, out->cap - out->len);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            rc = fail(errmsg, errmsg_len, MORGUE_EIO, "cannot read %s: %s",
                      path, strerror(errno));
            break;
        }
        if (got == 0)
            break;
        out->len += (size_t)got;
    }
    close(fd);
    return rc;
}

/* 1 when the unread input (z's rest, then in[0..left)) starts with the
 * gzip magic: another member follows. */
static int more_gzip(const z_stream *z, const unsigned char *in, size_t left)
{
    unsigned char two[2];
    size_t have = 0;
    for (uInt i = 0; i < z->avail_in && have < 2; i++)
        two[have++] = z->next_in[i];
    for (size_t i = 0; i < left && have < 2; i++)
        two[have++] = in[i];
    return have == 2 && two[0] == 0x1f && two[1] == 0x8b;
}

/* What went wrong while inflating; out holds what came before. */
enum { GZ_OK, GZ_DAMAGED, GZ_TOO_BIG };

/* Inflates every gzip member of (src, n) into out. Returns MORGUE_OK or
 * MORGUE_ENOMEM; *damaged gets a GZ_ value. */
static int gunzip(const char *src, size_t n, buf *out, int *damaged)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, 15 + 16) != Z_OK)
        return MORGUE_ENOMEM;
    const unsigned char *in = (const unsigned char *)src;
    size_t left = n;
    int rc = MORGUE_OK;
    *damaged = GZ_OK;
    for (;;) {
        if (z.avail_in == 0 && left > 0) {
            z.next_in = (unsigned char *)in;
            z.avail_in = left > (1u << 30) ? (1u << 30) : (uInt)left;
            in += z.avail_in;
            left -= z.avail_in;
        }
        if (out->len >= MAX_INFLATED) {
            *damaged = GZ_TOO_BIG;
            break;
        }
        if (buf_reserve(out, 1 << 16) != 0) {
            rc = MORGUE_ENOMEM;
            break;
        }
        size_t room = out->cap - out->len;
        z.next_out = (unsigned char *)out->ptr + out->len;
        z.avail_out = room > (1u << 30) ? (1u << 30) : (uInt)room;
        uInt before = z.avail_out;
        int zr = inflate(&z, Z_NO_FLUSH);
        out->len += before - z.avail_out;
        if (zr == Z_STREAM_END) {
            /* Concatenated members form one file (gzip -c a b > ab.gz). */
            if (more_gzip(&z, in, left) && inflateReset(&z) == Z_OK)
                continue;
            break;
        }
        if (zr == Z_MEM_ERROR) {
            rc = MORGUE_ENOMEM;
            break;
        }
        if (zr != Z_OK && !(zr == Z_BUF_ERROR && z.avail_in == 0 &&
                            left > 0)) {
            /* truncated (Z_BUF_ERROR, no input left) or corrupt */
            *damaged = GZ_DAMAGED;
            break;
        }
    }
    inflateEnd(&z);
    return rc;
}

/* Reports damaged gzip data: a warning when part of it inflated, a
 * skipped file when none did. */
static void gzip_warning(fmt_sink *sink, int damaged, size_t got)
{
    if (damaged == GZ_TOO_BIG)
        fmt_warn(sink, 0, got, "gzip content over 1 GiB; the rest is "
                               "ignored");
    else if (got > 0)
        fmt_warn(sink, 0, got, "gzip data truncated or corrupt; reading "
                               "what came before");
    else
        fmt_skip(sink, 0, 0, "gzip data corrupt; file skipped");
}

/* path without a trailing ".gz" (malloc'd), so the readers sniff the
 * extension of the content; NULL when out of memory. */
static char *strip_gz(const char *path)
{
    size_t n = strlen(path);
    if (n > 3 && fmt_ieq(span_of(path + n - 3, 3), ".gz"))
        n -= 3;
    char *s = malloc(n + 1);
    if (s) {
        memcpy(s, path, n);
        s[n] = '\0';
    }
    return s;
}

int fmt_read_file(const char *path, const char *format_name, fmt_sink *sink,
                  fmt_file_result *res, char *errmsg, size_t errmsg_len)
{
    return fmt_read_file_from(path, format_name, NULL, sink, res, errmsg,
                              errmsg_len);
}

int fmt_read_file_from(const char *path, const char *format_name,
                       const fmt_pos *from, fmt_sink *sink,
                       fmt_file_result *res, char *errmsg,
                       size_t errmsg_len)
{
    fmt_file_result local;
    if (!res)
        res = &local;
    memset(res, 0, sizeof *res);
    if (format_name && *format_name && strcmp(format_name, "auto") != 0 &&
        !fmt_by_name(format_name))
        return fail(errmsg, errmsg_len, MORGUE_EINVAL, "unknown format %s",
                    format_name);
    char *name = strip_gz(path);
    if (!name)
        return fail(errmsg, errmsg_len, MORGUE_ENOMEM, "out of memory");
    int rc = fmt_stream_file_from(path, name,
                                  format_name && *format_name &&
                                          strcmp(format_name, "auto") != 0
                                      ? fmt_by_name(format_name)
                                      : NULL,
                                  from, sink, res, errmsg, errmsg_len);
    if (rc != FMT_NOT_STREAMED) { /* or FMT_NOT_RESUMED */
        free(name);
        return rc;
    }
    memset(res, 0, sizeof *res);
    buf raw = BUF_INIT, plain = BUF_INIT;
    fmt_input in = { path, NULL, 0, MORGUE_NO_DATE, 0, 0, 0, NULL };
    rc = slurp(path, &raw, &in.mtime, errmsg, errmsg_len);
    if (!sink->mtime_dates) /* a copy's mtime is not a publication date */
        in.mtime = MORGUE_NO_DATE;
    in.data = raw.ptr;
    in.len = raw.len;
    if (rc == MORGUE_OK && raw.len >= 2 && (unsigned char)raw.ptr[0] == 0x1f &&
        (unsigned char)raw.ptr[1] == 0x8b) {
        int damaged = GZ_OK;
        rc = gunzip(raw.ptr, raw.len, &plain, &damaged);
        if (rc == MORGUE_OK && damaged != GZ_OK)
            gzip_warning(sink, damaged, plain.len);
        in.path = name;
        in.data = plain.ptr;
        in.len = plain.len;
        if (rc != MORGUE_OK)
            fail(errmsg, errmsg_len, rc, "out of memory inflating %s", path);
    }
    if (rc == MORGUE_OK && plain.len == 0) { /* a plain file: are its
                                                 records' places kept? */
        const fmt_reader *r = fmt_by_name(format_name);
        if (!r && raw.len && !fmt_looks_binary(raw.ptr, raw.len))
            r = fmt_detect(&in);
        sink->resumable = r && r->streams && r->streams(&in);
    }
    if (rc == MORGUE_OK)
        rc = fmt_read_buffer(&in, format_name, sink, res);
    res->bytes = raw.len;
    res->peak = raw.len + plain.len;
    free(name);
    buf_free(&plain);
    buf_free(&raw);
    return rc;
}
