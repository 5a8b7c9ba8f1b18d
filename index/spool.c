/* spool.c: memory first, then an anonymous file (see spool.h). */
#define _GNU_SOURCE /* O_TMPFILE */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "index/spool.h"
#include "morgue.h"

#define CHUNK (1u << 20)

void spool_init(spool *s, const char *dir, size_t limit)
{
    memset(s, 0, sizeof *s);
    s->dir = dir;
    s->limit = dir ? limit : 0;
}

/* An unnamed file in s->dir: O_TMPFILE where the file system has it,
 * else a fresh name removed at once. */
static int open_tmp(spool *s)
{
    int fd = open(s->dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd >= 0)
        return fd;
    char path[4096];
    if (snprintf(path, sizeof path, "%s/spool.XXXXXX", s->dir) >=
        (int)sizeof path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    fd = mkostemp(path, O_CLOEXEC);
    if (fd >= 0)
        unlink(path);
    return fd;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Moves the memory part to the end of the file. */
/* The file, made on first need: 0, or -1 with s->err set. */
static int need_file(spool *s)
{
    if (s->has_fd)
        return 0;
    if ((s->fd = open_tmp(s)) < 0) {
        s->err = errno ? errno : EIO;
        return -1;
    }
    s->has_fd = 1;
    return 0;
}

static void spill(spool *s)
{
    if (need_file(s))
        return;
    if (write_all(s->fd, s->mem.ptr, s->mem.len)) {
        s->err = errno ? errno : EIO;
        return;
    }
    s->in_file += s->mem.len;
    buf_clear(&s->mem);
}

void spool_append(spool *s, const void *p, size_t n)
{
    if (s->err || n == 0)
        return;
    if (s->limit && s->mem.len + n > s->limit && s->mem.len) {
        spill(s);
        if (s->err)
            return;
    }
    if (s->limit && n > s->limit) { /* bigger than the memory: direct */
        if (need_file(s))
            return;
        if (write_all(s->fd, p, n)) {
            s->err = errno ? errno : EIO;
            return;
        }
        s->in_file += n;
        s->len += n;
        return;
    }
    buf_append(&s->mem, p, n);
    if (s->mem.oom) {
        s->err = ENOMEM;
        return;
    }
    s->len += n;
}

int spool_read(spool *s, void *dst, size_t n, uint64_t off)
{
    char *d = dst;
    if (s->err || off > s->len || n > s->len - off) {
        if (!s->err)
            s->err = EINVAL;
        return -1;
    }
    while (n > 0 && off < s->in_file) {
        size_t k = s->in_file - off < n ? (size_t)(s->in_file - off) : n;
        ssize_t r = pread(s->fd, d, k, (off_t)off);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            s->err = r < 0 ? errno : EIO;
            return -1;
        }
        d += r;
        off += (uint64_t)r;
        n -= (size_t)r;
    }
    if (n > 0)
        memcpy(d, s->mem.ptr + (off - s->in_file), n);
    return 0;
}

int spool_each(spool *s, int (*put)(void *ud, const void *p, size_t n),
               void *ud)
{
    if (s->err)
        return -1;
    if (s->in_file) {
        char *chunk = malloc(CHUNK);
        if (!chunk) {
            s->err = ENOMEM;
            return -1;
        }
        int rc = 0;
        for (uint64_t off = 0; off < s->in_file && rc == 0;) {
            size_t k = s->in_file - off < CHUNK ? (size_t)(s->in_file - off)
                                                : CHUNK;
            if (spool_read(s, chunk, k, off))
                rc = -1;
            else
                rc = put(ud, chunk, k);
            off += k;
        }
        free(chunk);
        /* Those pages are not needed again: out of the page cache. */
        posix_fadvise(s->fd, 0, 0, POSIX_FADV_DONTNEED);
        if (rc)
            return rc;
    }
    return s->mem.len ? put(ud, s->mem.ptr, s->mem.len) : 0;
}

int spool_check(const spool *s, const char *what, errmsg *e)
{
    if (!s->err)
        return MORGUE_OK;
    if (s->err == ENOMEM)
        return err_set(e, MORGUE_ENOMEM, "out of memory building %s", what);
    return err_set(e, MORGUE_EIO, "%s: temporary file for %s: %s", s->dir,
                   what, strerror(s->err));
}

size_t spool_memory(const spool *s) { return s->mem.cap; }

void spool_free(spool *s)
{
    buf_free(&s->mem);
    if (s->has_fd)
        close(s->fd);
    s->has_fd = 0;
}
