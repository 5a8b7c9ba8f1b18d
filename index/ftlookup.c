/* ftlookup.c: the file table's lookup file (ftlookup.h): written beside
 * each file table, read a few bytes at a time. Lookups use pread, not a
 * mapping: a binary search reads about 20 twelve-byte pairs, so a
 * searcher's memory does not grow with the lookups it made (a mapping
 * would keep every page it touched), and the cost, about 20 system calls
 * a hit, is small beside reading the hit's stored text. */
#include "index/ftlookup.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "index/codec.h"
#include "morgue.h"
#include "util/buf.h"
#include "util/fsutil.h"

#define PAIR 12u                       /* u64 identity, u32 file */
#define PASS_BYTES ((size_t)4 << 20)   /* identities sorted at once */

static size_t pass_bytes = PASS_BYTES;

void ftlookup_tune(size_t bytes)
{
    pass_bytes = bytes ? bytes : PASS_BYTES;
}
#define CHUNK ((size_t)1 << 20)        /* reads and writes */

void ftlookup_path(char *out, size_t cap, const char *dir, uint64_t gen)
{
    snprintf(out, cap, "%s/files_%016" PRIx64 ".fidx", dir, gen);
}

/* ---- writing ---- */

typedef struct wout {
    int fd;
    buf b;
    uLong crc;
    int bad;
} wout;

static void flush_out(wout *o)
{
    if (o->bad || o->b.len == 0)
        return;
    o->crc = crc32(o->crc, (const Bytef *)o->b.ptr, (uInt)o->b.len);
    if (fs_write_all(o->fd, o->b.ptr, o->b.len) != 0)
        o->bad = 1;
    buf_clear(&o->b);
}

static void put_u64(wout *o, uint64_t v)
{
    buf_put_u64le(&o->b, v);
    if (o->b.len >= CHUNK)
        flush_out(o);
}

typedef struct pair {
    uint64_t id;
    uint32_t file;
} pair;

static int by_id(const void *a, const void *b)
{
    uint64_t x = ((const pair *)a)->id, y = ((const pair *)b)->id;
    return (x > y) - (x < y);
}

/* The first identity of pass p of n_pass (hash ranges of equal width). */
static uint64_t pass_start(size_t p, size_t n_pass)
{
    return (uint64_t)(((unsigned __int128)p << 64) / n_pass);
}

int ftlookup_write(const char *dir, uint64_t gen,
                   const ft_file *const *files, const uint64_t *off,
                   size_t n, uint64_t table_len, uint32_t table_crc,
                   errmsg *e)
{
    uint64_t n_ids = 0;
    for (size_t i = 0; i < n; i++)
        n_ids += files[i]->n_ids;
    size_t n_pass = (size_t)(n_ids * PAIR / pass_bytes) + 1;
    char path[4096];
    ftlookup_path(path, sizeof path, dir, gen);
    wout o = { open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644),
              BUF_INIT, crc32(0L, Z_NULL, 0), 0 };
    if (o.fd < 0)
        return err_set(e, MORGUE_EIO, "%s: %s", path, strerror(errno));
    buf_append(&o.b, FTLOOKUP_MAGIC, 8);
    buf_put_u32le(&o.b, FTLOOKUP_VERSION);
    buf_put_u32le(&o.b, 0);
    buf_put_u64le(&o.b, table_len);
    buf_put_u32le(&o.b, table_crc);
    buf_put_u32le(&o.b, (uint32_t)n);
    buf_put_u64le(&o.b, n_ids);
    for (size_t i = 0; i < n; i++)
        put_u64(&o, off[i]);
    /* pass by pass over hash ranges of equal width, each about
     * pass_bytes of pairs (identities are hashes: spread evenly) */
    pair *p = NULL;
    size_t cap = 0;
    int oom = 0;
    for (size_t k = 0; k < n_pass && !oom && !o.bad; k++) {
        uint64_t lo = pass_start(k, n_pass);
        uint64_t hi = k + 1 < n_pass ? pass_start(k + 1, n_pass) : 0;
        size_t m = 0;
        for (size_t i = 0; i < n && !oom; i++)
            for (uint32_t j = 0; j < files[i]->n_ids; j++) {
                uint64_t id = files[i]->ids[j];
                if (id < lo || (hi && id >= hi))
                    continue;
                if (m == cap) {
                    size_t nc = cap ? 2 * cap : 4096;
                    pair *q = realloc(p, nc * sizeof *p);
                    if (!q) {
                        oom = 1;
                        break;
                    }
                    p = q;
                    cap = nc;
                }
                p[m++] = (pair){ id, (uint32_t)i };
            }
        if (m)
            qsort(p, m, sizeof *p, by_id);
        for (size_t i = 0; i < m && !oom; i++) {
            put_u64(&o, p[i].id);
            buf_put_u32le(&o.b, p[i].file);
        }
    }
    free(p);
    oom |= o.b.oom;
    if (!oom) {
        flush_out(&o);
        buf_put_u32le(&o.b, (uint32_t)o.crc);
        if (o.b.oom)
            oom = 1;
        else if (!o.bad && fs_write_all(o.fd, o.b.ptr, o.b.len) != 0)
            o.bad = 1;
    }
    int rc = MORGUE_OK;
    if (oom)
        rc = err_set(e, MORGUE_ENOMEM, "out of memory");
    else if (o.bad || fsync(o.fd) != 0)
        rc = err_set(e, MORGUE_EIO, "%s: write: %s", path, strerror(errno));
    buf_free(&o.b);
    if (close(o.fd) != 0 && rc == MORGUE_OK)
        rc = err_set(e, MORGUE_EIO, "%s: close: %s", path, strerror(errno));
    if (rc != MORGUE_OK)
        unlink(path);
    return rc;
}

/* ---- reading ---- */

/* n bytes at off, all of them; 0 or -1. */
static int pread_full(int fd, void *out, size_t n, uint64_t off)
{
    size_t got = 0;
    while (got < n) {
        ssize_t k = pread(fd, (char *)out + got, n - got, (off_t)(off + got));
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        got += (size_t)k;
    }
    return 0;
}

/* CRC-32 of the first len bytes of fd, read in chunks; 0 or -1. */
static int crc_of(int fd, uint64_t len, uint32_t *crc)
{
    uint8_t *chunk = malloc(CHUNK);
    if (!chunk)
        return -1;
    uLong c = crc32(0L, Z_NULL, 0);
    int rc = 0;
    for (uint64_t at = 0; at < len && rc == 0;) {
        size_t want = len - at < CHUNK ? (size_t)(len - at) : CHUNK;
        rc = pread_full(fd, chunk, want, at);
        c = crc32(c, chunk, (uInt)want);
        at += want;
    }
    free(chunk);
    *crc = (uint32_t)c;
    return rc;
}

int ftlookup_open(ftlookup *l, int fd, int table_fd, const char *path,
                  errmsg *e)
{
    memset(l, 0, sizeof *l);
    l->fd = -1;
    struct stat st, tst;
    uint8_t h[FTLOOKUP_HEAD], tail[4];
    int rc = MORGUE_OK;
    if (fstat(fd, &st) != 0 || fstat(table_fd, &tst) != 0 ||
        st.st_size < (off_t)FTLOOKUP_HEAD + 4 ||
        pread_full(fd, h, sizeof h, 0) != 0) {
        rc = err_corrupt(e, "%s: cannot read its header", path);
        goto fail;
    }
    uint64_t size = (uint64_t)st.st_size;
    l->table_len = codec_get_u64le(h + 16);
    l->n_files = codec_get_u32le(h + 28);
    l->n_ids = codec_get_u64le(h + 32);
    uint32_t table_crc = codec_get_u32le(h + 24), crc, want;
    if (memcmp(h, FTLOOKUP_MAGIC, 8) != 0 ||
        codec_get_u32le(h + 8) != FTLOOKUP_VERSION ||
        l->n_ids > size / PAIR ||
        size != FTLOOKUP_HEAD + 8 * (uint64_t)l->n_files +
                    PAIR * l->n_ids + 4) {
        rc = err_corrupt(e, "%s: not a file table lookup (or cut)", path);
        goto fail;
    }
    if (pread_full(fd, tail, 4, size - 4) != 0 ||
        crc_of(fd, size - 4, &crc) != 0 || crc != codec_get_u32le(tail)) {
        rc = err_corrupt(e, "%s: checksum mismatch", path);
        goto fail;
    }
    /* the table it was written for, and that table whole */
    if ((uint64_t)tst.st_size != l->table_len || l->table_len < 4 ||
        pread_full(table_fd, tail, 4, l->table_len - 4) != 0 ||
        codec_get_u32le(tail) != table_crc) {
        rc = err_corrupt(e, "%s: not the lookup of this file table", path);
        goto fail;
    }
    if (crc_of(table_fd, l->table_len - 4, &want) != 0 || want != table_crc) {
        rc = err_corrupt(e, "%s: file table checksum mismatch", path);
        goto fail;
    }
    l->fd = fd;
    l->table_fd = table_fd;
    return MORGUE_OK;
fail:
    return rc;
}

/* The path of the table's entry at offset at (varint length, bytes). */
static int entry_path(const ftlookup *l, uint64_t at, char *out, size_t cap,
                      errmsg *e)
{
    uint8_t ent[10 + 4096];
    uint64_t room = at < l->table_len - 4 ? l->table_len - 4 - at : 0;
    size_t want = room < sizeof ent ? (size_t)room : sizeof ent;
    const uint8_t *q = ent;
    uint64_t len;
    if (want == 0 || pread_full(l->table_fd, ent, want, at) != 0 ||
        codec_get_varint(&q, ent + want, &len) != 0 ||
        len > (uint64_t)(ent + want - q) || len + 1 > cap)
        return err_corrupt(e, "file table lookup: bad entry at %" PRIu64, at);
    memcpy(out, q, (size_t)len);
    out[len] = '\0';
    return MORGUE_OK;
}

int ftlookup_path_of(const ftlookup *l, uint64_t id, char *out, size_t cap,
                     errmsg *e)
{
    out[0] = '\0';
    uint64_t lo = 0, hi = l->n_ids, pairs = FTLOOKUP_HEAD +
                                            8 * (uint64_t)l->n_files;
    uint8_t p[PAIR];
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (pread_full(l->fd, p, PAIR, pairs + PAIR * mid) != 0)
            return err_set(e, MORGUE_EIO, "file table lookup: read failed");
        uint64_t k = codec_get_u64le(p);
        if (k == id)
            break;
        if (k < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo >= hi)
        return 0;
    uint32_t f = codec_get_u32le(p + 8);
    uint8_t o[8];
    if (f >= l->n_files ||
        pread_full(l->fd, o, 8, FTLOOKUP_HEAD + 8 * (uint64_t)f) != 0)
        return err_corrupt(e, "file table lookup: bad file number %u", f);
    int rc = entry_path(l, codec_get_u64le(o), out, cap, e);
    return rc == MORGUE_OK ? 1 : rc;
}


int ftlookup_check(const char *dir, uint64_t gen, const filetable *ft,
                   uint64_t *bytes, errmsg *e)
{
    char path[4096], tpath[4096];
    ftlookup_path(path, sizeof path, dir, gen);
    filetable_path(tpath, sizeof tpath, dir, gen);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? MORGUE_OK /* an older writer's index */
                               : err_set(e, MORGUE_EIO, "%s: %s", path,
                                         strerror(errno));
    int tfd = open(tpath, O_RDONLY | O_CLOEXEC);
    if (tfd < 0) {
        close(fd);
        return err_set(e, MORGUE_EIO, "%s: %s", tpath, strerror(errno));
    }
    ftlookup l;
    int rc = ftlookup_open(&l, fd, tfd, path, e);
    if (rc == MORGUE_OK && l.n_files != ft->n_files)
        rc = err_corrupt(e, "%s: %u files, the file table has %zu", path,
                         l.n_files, ft->n_files);
    /* each entry offset names its entry's path */
    char got[4097];
    for (uint32_t i = 0; rc == MORGUE_OK && i < l.n_files; i++) {
        uint8_t o[8];
        if (pread_full(fd, o, 8, FTLOOKUP_HEAD + 8 * (uint64_t)i) != 0)
            rc = err_set(e, MORGUE_EIO, "%s: read failed", path);
        else if ((rc = entry_path(&l, codec_get_u64le(o), got, sizeof got,
                                  e)) == MORGUE_OK &&
                 strcmp(got, ft->files[i].path) != 0)
            rc = err_corrupt(e, "%s: file %u is not %s", path, i,
                             ft->files[i].path);
    }
    /* the identities: sorted, each its file's, all of them */
    uint8_t *chunk = rc == MORGUE_OK ? malloc(PAIR * 65536) : NULL;
    if (rc == MORGUE_OK && !chunk)
        rc = err_set(e, MORGUE_ENOMEM, "out of memory");
    uint64_t prev = 0, at = FTLOOKUP_HEAD + 8 * (uint64_t)l.n_files;
    if (rc == MORGUE_OK && l.n_ids != ft->owner.n)
        rc = err_corrupt(e, "%s: %" PRIu64 " articles, the file table lists "
                         "%zu", path, l.n_ids, (size_t)ft->owner.n);
    for (uint64_t k = 0; rc == MORGUE_OK && k < l.n_ids;) {
        size_t n = l.n_ids - k < 65536 ? (size_t)(l.n_ids - k) : 65536;
        if (pread_full(fd, chunk, n * PAIR, at + PAIR * k) != 0) {
            rc = err_set(e, MORGUE_EIO, "%s: read failed", path);
            break;
        }
        for (size_t i = 0; i < n && rc == MORGUE_OK; i++, k++) {
            uint64_t id = codec_get_u64le(chunk + PAIR * i);
            uint32_t f = codec_get_u32le(chunk + PAIR * i + 8);
            if ((k && id <= prev) || f >= l.n_files ||
                u64map_get(&ft->owner, id) != f)
                rc = err_corrupt(e, "%s: article %016" PRIx64 " (number %"
                                 PRIu64 ") misplaced", path, id, k);
            prev = id;
        }
    }
    free(chunk);
    struct stat st;
    if (rc == MORGUE_OK && fstat(fd, &st) == 0)
        *bytes += (uint64_t)st.st_size;
    close(fd);
    close(tfd);
    return rc;
}
