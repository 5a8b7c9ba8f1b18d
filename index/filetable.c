/* filetable.c: the file table in memory (entries, a path index and an
 * identity -> file index) and its serialisation. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "index/codec.h"
#include "index/filetable.h"
#include "index/ftlookup.h"
#include "index/format.h"
#include "morgue.h"
#include "util/buf.h"
#include "util/fsutil.h"
#include "util/hash.h"
#include "util/alloc.h"

#define FT_MAX ((size_t)1 << 31)
#define PATH_MAX_LEN 4095

void filetable_init(filetable *ft) { memset(ft, 0, sizeof *ft); }

void filetable_free(filetable *ft)
{
    for (size_t i = 0; i < ft->n_roots; i++)
        free(ft->roots[i]);
    free(ft->roots);
    for (size_t i = 0; i < ft->n_files; i++) {
        free(ft->files[i].path);
        free(ft->files[i].ids);
    }
    free(ft->files);
    u64map_free(&ft->by_path);
    u64map_free(&ft->owner);
    memset(ft, 0, sizeof *ft);
}

void filetable_path(char *out, size_t cap, const char *dir, uint64_t gen)
{
    snprintf(out, cap, "%s/files_%016" PRIx64 ".mft", dir, gen);
}

static uint64_t path_key(const char *path)
{
    return hash64(path, strlen(path));
}

long filetable_find(const filetable *ft, const char *path)
{
    uint32_t i = u64map_get(&ft->by_path, path_key(path));
    if (i == U64MAP_NONE || ft->files[i].dead ||
        strcmp(ft->files[i].path, path) != 0)
        return -1;
    return (long)i;
}

static char *dup_n(const char *p, size_t n)
{
    char *s = malloc(n + 1);
    if (s) {
        memcpy(s, p, n);
        s[n] = '\0';
    }
    return s;
}

/* Appends an entry that owns path (taken over by the table). */
static long append(filetable *ft, char *path, uint32_t root)
{
    if (ft->n_files >= UINT32_MAX - 1)
        return -1;
    ft_file *n = mem_grow(ft->files, &ft->cap_files, ft->n_files + 1,
                          sizeof *n);
    if (!n)
        return -1;
    ft->files = n;
    if (u64map_put(&ft->by_path, path_key(path), (uint32_t)ft->n_files))
        return -1;
    ft_file *f = &ft->files[ft->n_files];
    memset(f, 0, sizeof *f);
    f->path = path;
    f->root = root;
    return (long)ft->n_files++;
}

long filetable_add(filetable *ft, const char *path, uint32_t root)
{
    char *copy = dup_n(path, strlen(path));
    long i = copy ? append(ft, copy, root) : -1;
    if (i < 0)
        free(copy);
    return i;
}

uint32_t filetable_root(filetable *ft, const char *root)
{
    for (size_t i = 0; i < ft->n_roots; i++)
        if (ft->roots[i] && !strcmp(ft->roots[i], root))
            return (uint32_t)i + 1;
    char **n = mem_rearray(ft->roots, ft->n_roots + 1, sizeof *n);
    if (!n)
        return 0;
    ft->roots = n;
    if (!(ft->roots[ft->n_roots] = dup_n(root, strlen(root))))
        return 0;
    return (uint32_t)++ft->n_roots;
}

/* Removes id from file f's list (order does not matter). */
static void unlist(ft_file *f, uint64_t id)
{
    for (uint32_t k = 0; k < f->n_ids; k++)
        if (f->ids[k] == id) {
            f->ids[k] = f->ids[--f->n_ids];
            return;
        }
}

int filetable_claim(filetable *ft, size_t f, uint64_t id)
{
    uint32_t old = u64map_get(&ft->owner, id);
    if (old == f)
        return MORGUE_OK;
    ft_file *x = &ft->files[f];
    size_t cap = x->cap_ids;
    uint64_t *n = x->n_ids < UINT32_MAX
                      ? mem_grow(x->ids, &cap, (size_t)x->n_ids + 1, sizeof *n)
                      : NULL;
    if (!n)
        return MORGUE_ENOMEM;
    x->ids = n;
    x->cap_ids = cap > UINT32_MAX ? UINT32_MAX : (uint32_t)cap;
    if (u64map_put(&ft->owner, id, (uint32_t)f))
        return MORGUE_ENOMEM;
    if (old != U64MAP_NONE)
        unlist(&ft->files[old], id);
    x->ids[x->n_ids++] = id;
    return MORGUE_OK;
}

void filetable_release(filetable *ft, uint64_t id)
{
    uint32_t old = u64map_get(&ft->owner, id);
    if (old == U64MAP_NONE)
        return;
    unlist(&ft->files[old], id);
    u64map_del(&ft->owner, id);
}

void filetable_clear_ids(filetable *ft, size_t f)
{
    ft_file *x = &ft->files[f];
    for (uint32_t k = 0; k < x->n_ids; k++)
        if (u64map_get(&ft->owner, x->ids[k]) == f)
            u64map_del(&ft->owner, x->ids[k]);
    x->n_ids = 0;
}

void filetable_drop(filetable *ft, size_t f)
{
    filetable_clear_ids(ft, f);
    ft_file *x = &ft->files[f];
    if (u64map_get(&ft->by_path, path_key(x->path)) == f)
        u64map_del(&ft->by_path, path_key(x->path));
    x->dead = 1;
}

size_t filetable_count(const filetable *ft)
{
    size_t n = 0;
    for (size_t i = 0; i < ft->n_files; i++)
        n += !ft->files[i].dead;
    return n;
}

/* ---- serialisation ---- */

static int by_path(const void *a, const void *b)
{
    const ft_file *x = *(const ft_file *const *)a;
    const ft_file *y = *(const ft_file *const *)b;
    return strcmp(x->path, y->path);
}

static void put_file(buf *b, const ft_file *f, const uint32_t *root_map)
{
    size_t n = strlen(f->path);
    buf_put_varint(b, n);
    buf_append(b, f->path, n);
    buf_put_varint(b, f->root ? root_map[f->root - 1] : 0);
    buf_put_u64le(b, f->size);
    buf_put_u64le(b, (uint64_t)f->mtime_ns);
    buf_put_u64le(b, f->hash);
    buf_putc(b, (char)(f->flags & (FT_RACY | FT_RESUME | FT_PARTIAL)));
    if (f->flags & FT_RESUME) {
        buf_put_varint(b, f->resume_off);
        buf_put_varint(b, f->resume_line);
        buf_put_varint(b, f->resume_ord);
        buf_put_u64le(b, f->resume_fp);
        buf_put_varint(b, f->resume_tail_len);
        buf_put_u64le(b, f->resume_tail);
    }
    buf_put_varint(b, f->n_ids);
    for (uint32_t k = 0; k < f->n_ids; k++)
        buf_put_u64le(b, f->ids[k]);
}

/* The table's bytes on their way to its file: at most about FLUSH_AT
 * held at once (the whole table held in memory cost ~8 B an article plus
 * the paths at each commit), the CRC computed as they go. */
#define FLUSH_AT ((size_t)64 << 10)

typedef struct tw {
    int fd;
    buf b;
    uint64_t written; /* bytes before b's */
    uLong crc;
    int bad;          /* a write failed (errno saved) */
    int saved;
} tw;

static void tw_flush(tw *w)
{
    if (w->bad || w->b.len == 0)
        return;
    w->crc = crc32(w->crc, (const Bytef *)w->b.ptr, (uInt)w->b.len);
    if (fs_write_all(w->fd, w->b.ptr, w->b.len) != 0) {
        w->bad = 1;
        w->saved = errno;
    }
    w->written += w->b.len;
    w->b.len = 0;
}

/* Writes the live entries, sorted by path, to w; *order_out gets them in
 * that order and *off_out where each starts in the file (the lookup's,
 * ftlookup.h), both malloc'd. 0 or -1 (OOM; w->bad: a write failed). */
static int serialize(const filetable *ft, tw *w, const ft_file ***order_out,
                     uint64_t **off_out)
{
    size_t n_live = filetable_count(ft), j = 0, n_roots = 0;
    const ft_file **order = mem_array(n_live + 1, sizeof *order);
    uint32_t *root_map = mem_array(ft->n_roots + 1, sizeof *root_map);
    uint64_t *off = mem_array(n_live + 1, sizeof *off);
    buf *b = &w->b;
    *order_out = order;
    *off_out = off;
    if (!order || !root_map || !off) {
        free(root_map);
        return -1;
    }
    int resume = 0;
    for (size_t i = 0; i < ft->n_files; i++)
        if (!ft->files[i].dead) {
            order[j++] = &ft->files[i];
            resume |= ft->files[i].flags & FT_RESUME;
        }
    qsort(order, n_live, sizeof *order, by_path);
    for (size_t i = 0; i < ft->n_roots; i++)
        root_map[i] = ft->roots[i] ? (uint32_t)++n_roots : 0;
    buf_append(b, FILETABLE_MAGIC, 8);
    /* version 3 unless an entry has a resume point (then 5, with its
     * tail): older libraries read what does not use it */
    buf_put_u32le(b, resume ? FILETABLE_VERSION : FORMAT_VERSION);
    buf_put_u32le(b, 0);
    buf_put_u32le(b, (uint32_t)n_roots);
    buf_put_u32le(b, (uint32_t)n_live);
    for (size_t i = 0; i < ft->n_roots; i++)
        if (ft->roots[i]) {
            buf_put_varint(b, strlen(ft->roots[i]));
            buf_puts(b, ft->roots[i]);
        }
    for (size_t i = 0; i < n_live && !b->oom && !w->bad; i++) {
        if (b->len >= FLUSH_AT)
            tw_flush(w);
        off[i] = w->written + b->len;
        put_file(b, order[i], root_map);
    }
    free(root_map);
    if (b->oom || w->bad)
        return b->oom ? -1 : 0;
    tw_flush(w); /* every byte before the CRC is in it */
    buf_put_u32le(b, (uint32_t)w->crc);
    if (!w->bad && fs_write_all(w->fd, b->ptr, b->len) != 0) {
        w->bad = 1;
        w->saved = errno;
    }
    w->written += b->len;
    return b->oom ? -1 : 0;
}

int filetable_write(const filetable *ft, const char *dir, uint64_t gen,
                    errmsg *e)
{
    char path[4096];
    filetable_path(path, sizeof path, dir, gen);
    tw w = { -1, BUF_INIT, 0, crc32(0L, Z_NULL, 0), 0, 0 };
    const ft_file **order = NULL;
    uint64_t *off = NULL;
    w.fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (w.fd < 0)
        return err_set(e, MORGUE_EIO, "%s: %s", path, strerror(errno));
    int rc = MORGUE_OK;
    const char *what = "write";
    if (serialize(ft, &w, &order, &off))
        rc = err_set(e, MORGUE_ENOMEM, "out of memory");
    else if (!w.bad && fsync(w.fd) != 0) {
        what = "fsync";
        w.bad = 1;
        w.saved = errno;
    }
    uint32_t crc = (uint32_t)w.crc;
    buf_free(&w.b);
    if (close(w.fd) != 0 && !w.bad && rc == MORGUE_OK) {
        what = "close";
        w.bad = 1;
        w.saved = errno;
    }
    if (rc == MORGUE_OK && w.bad)
        rc = err_set(e, MORGUE_EIO, "%s: %s: %s", path, what,
                     strerror(w.saved));
    /* and its lookup (a searcher's path of a hit, without the table) */
    if (rc == MORGUE_OK)
        rc = ftlookup_write(dir, gen, order, off, filetable_count(ft),
                            w.written, crc, e);
    if (rc != MORGUE_OK)
        unlink(path);
    free(order);
    free(off);
    return rc;
}


/* ---- parsing ---- */

typedef struct rd {
    const uint8_t *p, *start, *end;
    const char *name;
    errmsg *e;
    uint32_t version;
} rd;

static int bad(rd *r, const char *what)
{
    return err_corrupt(r->e, "%s: %s at offset %zu", r->name, what,
                       (size_t)(r->p - r->start));
}

static int get_str(rd *r, char **out, const char *what)
{
    uint64_t n;
    if (codec_get_varint(&r->p, r->end, &n) || n == 0 || n > PATH_MAX_LEN ||
        n > (uint64_t)(r->end - r->p) || memchr(r->p, 0, (size_t)n))
        return bad(r, what);
    if (!(*out = dup_n((const char *)r->p, (size_t)n)))
        return err_set(r->e, MORGUE_ENOMEM, "out of memory");
    r->p += n;
    return MORGUE_OK;
}

/* The fixed fields and article list of one entry, after its path. */
static int get_body(rd *r, filetable *ft, ft_file *f)
{
    uint64_t root, n_ids;
    if (codec_get_varint(&r->p, r->end, &root) || root > ft->n_roots)
        return bad(r, "bad root index");
    if ((size_t)(r->end - r->p) < 25)
        return bad(r, "truncated file entry");
    f->root = (uint32_t)root;
    f->size = codec_get_u64le(r->p);
    f->mtime_ns = (int64_t)codec_get_u64le(r->p + 8);
    f->hash = codec_get_u64le(r->p + 16);
    f->flags = r->p[24];
    uint8_t known = r->version >= FILETABLE_VERSION_RESUME
                        ? FT_RACY | FT_RESUME | FT_PARTIAL
                        : FT_RACY;
    if ((f->flags & ~known) ||
        ((f->flags & FT_PARTIAL) && !(f->flags & FT_RESUME)))
        return bad(r, "unknown flags");
    r->p += 25;
    if (f->flags & FT_RESUME) {
        if (codec_get_varint(&r->p, r->end, &f->resume_off) ||
            codec_get_varint(&r->p, r->end, &f->resume_line) ||
            codec_get_varint(&r->p, r->end, &f->resume_ord) ||
            (size_t)(r->end - r->p) < 8 || f->resume_line > f->resume_off)
            return bad(r, "bad resume point");
        f->resume_fp = codec_get_u64le(r->p);
        r->p += 8;
        if (r->version >= FILETABLE_VERSION_TAIL &&
            (codec_get_varint(&r->p, r->end, &f->resume_tail_len) ||
             f->resume_tail_len > UINT64_MAX - f->resume_off ||
             (size_t)(r->end - r->p) < 8))
            return bad(r, "bad resume point");
        if (r->version >= FILETABLE_VERSION_TAIL) {
            f->resume_tail = codec_get_u64le(r->p);
            r->p += 8;
        } else if (!(f->flags & FT_PARTIAL)) {
            /* version 4: the last record's bytes were not recorded, so a
             * point at its start proves nothing of it (a rewrite may have
             * replaced it): the file is read whole once more */
            f->flags &= (uint8_t)~FT_RESUME;
        }
        /* (a checkpoint's point, partial: nothing of it is committed,
         * its tail is empty in any version) */
    }
    if (codec_get_varint(&r->p, r->end, &n_ids) ||
        n_ids > (uint64_t)(r->end - r->p) / 8)
        return bad(r, "bad article count");
    f->ids = malloc((size_t)n_ids * 8 + 1);
    if (!f->ids)
        return err_set(r->e, MORGUE_ENOMEM, "out of memory");
    f->cap_ids = f->n_ids = (uint32_t)n_ids;
    for (uint64_t k = 0; k < n_ids; k++, r->p += 8)
        f->ids[k] = codec_get_u64le(r->p);
    return MORGUE_OK;
}

static int get_file(rd *r, filetable *ft, const char *prev)
{
    char *path;
    int rc = get_str(r, &path, "bad path");
    if (rc)
        return rc;
    if (path[0] != '/' || (prev && strcmp(prev, path) >= 0)) {
        free(path);
        return bad(r, "path not absolute or out of order");
    }
    long i = append(ft, path, 0);
    if (i < 0) {
        free(path);
        return err_set(r->e, MORGUE_ENOMEM, "out of memory");
    }
    ft_file *f = &ft->files[i];
    rc = get_body(r, ft, f);
    for (uint32_t k = 0; rc == MORGUE_OK && k < f->n_ids; k++)
        if (u64map_put(&ft->owner, f->ids[k], (uint32_t)i))
            rc = err_set(r->e, MORGUE_ENOMEM, "out of memory");
    return rc;
}

static int get_all(rd *r, filetable *ft, uint32_t n_roots, uint32_t n_files)
{
    if (n_roots > (size_t)(r->end - r->p) / 2 ||
        n_files > (size_t)(r->end - r->p) / 28)
        return bad(r, "counts exceed the file");
    ft->roots = calloc((size_t)n_roots + 1, sizeof *ft->roots);
    if (!ft->roots)
        return err_set(r->e, MORGUE_ENOMEM, "out of memory");
    /* Each identity takes 8 bytes of the file: the owner map sized once
     * for as many as it can hold, not doubled through (a copy of it at
     * each step). */
    if (u64map_reserve(&ft->owner, (size_t)(r->end - r->p) / 8))
        return err_set(r->e, MORGUE_ENOMEM, "out of memory");
    int rc = MORGUE_OK;
    for (uint32_t i = 0; i < n_roots && rc == MORGUE_OK; i++) {
        rc = get_str(r, &ft->roots[i], "bad root");
        ft->n_roots += rc == MORGUE_OK;
    }
    for (uint32_t i = 0; i < n_files && rc == MORGUE_OK; i++)
        rc = get_file(r, ft, i ? ft->files[i - 1].path : NULL);
    if (rc == MORGUE_OK && r->p != r->end)
        rc = bad(r, "bytes after the last file");
    return rc;
}

int filetable_parse(filetable *ft, const uint8_t *p, size_t n,
                    const char *name, errmsg *e)
{
    rd r = { p, p, p + (n >= 4 ? n - 4 : 0), name, e, 0 };
    if (n < 28 || memcmp(p, FILETABLE_MAGIC, 8) != 0)
        return err_corrupt(e, "%s: not a file table (bad magic at offset 0)",
                           name);
    if (crc32(0L, p, (uInt)(n - 4)) != codec_get_u32le(p + n - 4))
        return err_corrupt(e, "%s: checksum mismatch (offset %zu)", name,
                           n - 4);
    /* the same layout in 2 and 3; 4 adds resume points, 5 their tails */
    if (codec_get_u32le(p + 8) < FORMAT_VERSION_MIN ||
        codec_get_u32le(p + 8) > FILETABLE_VERSION)
        return err_set(e, MORGUE_EVERSION, "%s: format version %u", name,
                       codec_get_u32le(p + 8));
    r.version = codec_get_u32le(p + 8);
    if (codec_get_u32le(p + 12) != 0)
        return err_corrupt(e, "%s: reserved field not 0 at offset 12", name);
    r.p = p + 24;
    int rc = get_all(&r, ft, codec_get_u32le(p + 16),
                     codec_get_u32le(p + 20));
    if (rc)
        filetable_free(ft);
    return rc;
}

int filetable_read(filetable *ft, const char *dir, uint64_t gen, errmsg *e)
{
    char path[4096];
    filetable_path(path, sizeof path, dir, gen);
    buf b = BUF_INIT;
    int rc = fs_read_all(path, FT_MAX, &b, e);
    if (rc == MORGUE_OK)
        rc = filetable_parse(ft, (const uint8_t *)b.ptr, b.len, path, e);
    buf_free(&b);
    return rc;
}

int filetable_read_fd(filetable *ft, int fd, const char *name, errmsg *e)
{
    buf b = BUF_INIT;
    int rc = fs_read_fd(fd, name, FT_MAX, &b, e);
    if (rc == MORGUE_OK)
        rc = filetable_parse(ft, (const uint8_t *)b.ptr, b.len, name, e);
    buf_free(&b);
    return rc;
}

size_t filetable_memory(const filetable *ft)
{
    size_t n = ft->cap_files * sizeof *ft->files + ft->n_roots * 64 +
               u64map_memory(&ft->by_path) + u64map_memory(&ft->owner);
    for (size_t i = 0; i < ft->n_files; i++)
        n += (ft->files[i].path ? strlen(ft->files[i].path) + 1 : 0) +
             (size_t)ft->files[i].cap_ids * sizeof *ft->files[i].ids;
    return n;
}
