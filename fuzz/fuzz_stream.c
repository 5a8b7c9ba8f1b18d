/* fuzz_stream.c: formats/stream.c's windowing (record starts, windows cut
 * before the last one, records longer than the cap skipped or cut, gzip
 * inflated as it is read, reading on from a place) on arbitrary bytes,
 * with windows of a few bytes instead of 4 MiB. Byte 0 picks the window
 * (1-256 bytes), byte 1 the reader (JSON Lines, mbox, Reuters SGML) and
 * options; the rest is the file.
 *
 * Besides crashes and out-of-bounds reads, it checks that windowing
 * changes nothing: when no record reaches the cap, the articles streamed
 * (ids, titles, bodies, dates, line, offset, ordinal) and the records
 * skipped are those the reader gives for the content read whole,
 * reading on from any article's place (plain or gzip) gives the articles
 * from that one on, and the fingerprints of the content before each place
 * (fmt_print_at) and hashes of the bytes from a place on (fmt_print_span)
 * are those of its bytes. With a small cap, only the
 * bounds are checked. */
#define _GNU_SOURCE /* memfd_create */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#include "formats/source.h"
#include "formats/stream.h"
#include "morgue.h"
#include "util/hash.h"

typedef struct rec {
    uint64_t line, offset, ordinal, id, title, body;
    int64_t date;
} rec;

typedef struct got {
    rec *r;
    size_t n, cap;
    uint64_t size; /* of the content */
} got;

static uint64_t h(span s)
{
    return s.len ? hash64(s.ptr, s.len) : 0;
}

static int on_article(void *ud, const fmt_article *a)
{
    got *g = ud;
    if (a->n_tags > FMT_MAX_TAGS || a->line == 0 || a->offset > g->size)
        abort();
    if (g->n == g->cap) {
        g->cap = g->cap ? 2 * g->cap : 16;
        g->r = realloc(g->r, g->cap * sizeof *g->r);
        if (!g->r)
            abort();
    }
    /* hashing reads every byte of every span (ASan checks them) */
    g->r[g->n++] = (rec){ a->line, a->offset, a->ordinal, h(a->id),
                          h(a->title) ^ h(a->source) ^ h(a->url),
                          h(a->body), a->date };
    for (size_t i = 0; i < a->n_tags; i++)
        (void)h(a->tags[i]);
    return MORGUE_OK;
}

static void on_warning(void *ud, uint64_t line, uint64_t offset,
                       const char *msg)
{
    (void)ud;
    (void)line;
    (void)offset;
    if (!msg || !*msg)
        abort();
}

static int same(const rec *a, const rec *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (memcmp(&a[i], &b[i], sizeof *a) != 0)
            return 0;
    return 1;
}

/* The gzip form of p[0..n) into *out (malloc'd); its length. */
static size_t gzip(const uint8_t *p, size_t n, uint8_t **out)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY))
        abort();
    size_t cap = deflateBound(&z, (uLong)n) + 32;
    *out = malloc(cap);
    if (!*out)
        abort();
    z.next_in = (Bytef *)p;
    z.avail_in = (uInt)n;
    z.next_out = *out;
    z.avail_out = (uInt)cap;
    if (deflate(&z, Z_FINISH) != Z_STREAM_END)
        abort();
    size_t len = z.total_out;
    deflateEnd(&z);
    return len;
}

/* The fingerprint of content[0..off), computed here from the bytes. */
static uint64_t print_of(const uint8_t *content, uint64_t off)
{
    size_t side = off < 4096 ? (size_t)off : 4096;
    unsigned char le[8];
    for (int i = 0; i < 8; i++)
        le[i] = (unsigned char)(off >> (8 * i));
    hash64_state hs;
    hash64_init(&hs);
    hash64_update(&hs, content, side);
    hash64_update(&hs, content + off - side, side);
    hash64_update(&hs, le, sizeof le);
    return hash64_final(&hs);
}

/* fmt_print_at() of every article's place, in order (a gzip file is
 * inflated on), then of the first again (inflated from the start), and
 * past the end (fails): each as computed from the content. */
static void check_prints(const char *path, const uint8_t *content, size_t n,
                         const got *whole)
{
    fmt_print *p;
    if (fmt_print_open(&p, path) != MORGUE_OK)
        abort();
    uint64_t fp;
    for (size_t k = 0; k <= whole->n; k++) {
        uint64_t off = k < whole->n ? whole->r[k].offset : n;
        if (fmt_print_at(p, off, &fp) != 0 || fp != print_of(content, off))
            abort();
        /* and the bytes from there on (a resume point's tail): all of
         * them, or the first few; the fingerprints after it still right
         * (a gzip reader inflated on, then from the start again) */
        uint64_t max = k % 2 ? UINT64_MAX : 5, len, th;
        size_t want = n - off < max ? n - (size_t)off : (size_t)max;
        if (fmt_print_span(p, off, max, &len, &th) != 0 || len != want ||
            th != hash64(content + off, want))
            abort();
    }
    if (whole->n &&
        (fmt_print_at(p, whole->r[0].offset, &fp) != 0 ||
         fp != print_of(content, whole->r[0].offset)))
        abort();
    if (fmt_print_at(p, (uint64_t)n + 1, &fp) != -1)
        abort();
    uint64_t len, th;
    if (fmt_print_span(p, (uint64_t)n + 1, 1, &len, &th) != -1)
        abort();
    fmt_print_close(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[] = { "jsonl", "rfc822", "reuters",
                                         "jsonl" };
    if (size < 2 || size > (1u << 20))
        return 0;
    size_t window = 1 + (size_t)data[0];
    unsigned opt = data[1];
    const char *name = names[opt & 3];
    int gz = (opt >> 2) & 1, small_cap = (opt >> 3) & 1;
    const uint8_t *content = data + 2;
    size_t n = size - 2;
    size_t cap = small_cap ? 1 + (opt >> 4) * 16 : 0; /* 0: 64 MiB */

    /* the content read whole, by the same reader */
    got whole = { NULL, 0, 0, n };
    fmt_input in = { "in", (const char *)content, n, MORGUE_NO_DATE, 0, 0, 0,
                     NULL };
    fmt_sink ws = { on_article, on_warning, &whole, 0, 0, 0 };
    fmt_file_result res;
    const fmt_reader *r = fmt_by_name(name);
    if (!r || r->read(&in, &ws) != MORGUE_OK)
        abort();

    int fd = memfd_create("fuzz_stream", 0);
    if (fd < 0)
        abort();
    uint8_t *z = NULL;
    size_t zn = gz ? gzip(content, n, &z) : n;
    if (write(fd, gz ? z : content, zn) != (ssize_t)zn)
        abort();
    free(z);
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);

    fmt_stream_tune(window, cap, 0);
    got st = { NULL, 0, 0, n };
    fmt_sink ss = { on_article, on_warning, &st, 0, 0, 0 };
    memset(&res, 0, sizeof res);
    int rc = fmt_stream_file(path, "in", r, &ss, &res, NULL, 0);
    if (rc != MORGUE_OK)
        abort();
    /* a window, the longest record so far (up to the cap), the head */
    if (res.peak > n + 1 || (small_cap && res.peak > cap + window + 256))
        abort();
    int binary = res.binary || fmt_looks_binary((const char *)content, n);
    if (!small_cap && !binary && r->streams && r->streams(&in)) {
        if (st.n != whole.n || !same(st.r, whole.r, st.n) ||
            ss.skipped != ws.skipped)
            abort();
        /* reading on from each article's place */
        for (size_t k = 0; ss.resumable && k < whole.n; k++) {
            fmt_pos from = { whole.r[k].offset, whole.r[k].line - 1,
                             whole.r[k].ordinal };
            got on = { NULL, 0, 0, n };
            fmt_sink os = { on_article, on_warning, &on, 0, 0, 0 };
            rc = fmt_stream_file_from(path, "in", r, &from, &os, &res, NULL,
                                      0);
            /* gzip too: inflated again from the start, the first
             * offset bytes dropped */
            if (rc != MORGUE_OK || on.n != whole.n - k ||
                !same(on.r, whole.r + k, on.n))
                abort();
            free(on.r);
        }
        check_prints(path, content, n, &whole);
    }
    fmt_stream_tune(0, 0, 0);
    close(fd);
    free(st.r);
    free(whole.r);
    return 0;
}
