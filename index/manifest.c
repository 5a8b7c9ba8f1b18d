/* manifest.c: reading and atomically replacing MANIFEST. */
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
#include "index/format.h"
#include "index/manifest.h"
#include "morgue.h"
#include "util/buf.h"
#include "util/fsutil.h"

#define MANIFEST_MAX (64u << 20)

static int parse(manifest *m, const uint8_t *p, size_t n, const char *path,
                 errmsg *e)
{
    if (n < 8 + 8 + 16 + 1 + 4 + 4 || memcmp(p, MANIFEST_MAGIC, 8) != 0)
        return err_corrupt(e, "%s: not a morgue manifest", path);
    uint32_t crc = (uint32_t)crc32(0L, p, (uInt)(n - 4));
    if (crc != codec_get_u32le(p + n - 4))
        return err_corrupt(e, "%s: checksum mismatch (offset %zu)", path,
                           n - 4);
    uint32_t ver = codec_get_u32le(p + 8);
    if (ver != FORMAT_VERSION)
        return err_set(e, MORGUE_EVERSION,
                       "%s: format version %u, this library reads %u", path,
                       ver, FORMAT_VERSION);
    m->generation = codec_get_u64le(p + 16);
    m->next_id = codec_get_u64le(p + 24);
    size_t at = 32;
    size_t ll = p[at++];
    if (ll >= sizeof m->language || at + ll + 4 > n - 4)
        return err_corrupt(e, "%s: bad language field at offset %zu", path,
                           at - 1);
    memcpy(m->language, p + at, ll);
    m->language[ll] = '\0';
    at += ll;
    uint32_t count = codec_get_u32le(p + at);
    at += 4;
    if ((n - 4 - at) / 16 != count || (n - 4 - at) % 16 != 0)
        return err_corrupt(e, "%s: segment list size does not match count "
                           "%u", path, count);
    for (uint32_t i = 0; i < count; i++, at += 16) {
        uint64_t id = codec_get_u64le(p + at);
        if (id >= m->next_id)
            return err_corrupt(e, "%s: segment id %" PRIu64 " not below "
                               "next id", path, id);
        if (manifest_add_seg(m, id, codec_get_u32le(p + at + 8)))
            return err_set(e, MORGUE_ENOMEM, "out of memory");
    }
    return MORGUE_OK;
}

int manifest_read(manifest *m, const char *dir, errmsg *e)
{
    memset(m, 0, sizeof *m);
    char path[4096];
    snprintf(path, sizeof path, "%s/MANIFEST", dir);
    FILE *f = fopen(path, "rb");
    if (!f)
        return err_set(e, errno == ENOENT ? MORGUE_ENOTFOUND : MORGUE_EIO,
                       "%s: %s", path, strerror(errno));
    buf b = BUF_INIT;
    char chunk[8192];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0 &&
           b.len < MANIFEST_MAX)
        buf_append(&b, chunk, got);
    int ioerr = ferror(f);
    fclose(f);
    int rc;
    if (ioerr)
        rc = err_set(e, MORGUE_EIO, "%s: read error", path);
    else if (b.oom)
        rc = err_set(e, MORGUE_ENOMEM, "out of memory");
    else
        rc = parse(m, (const uint8_t *)b.ptr, b.len, path, e);
    buf_free(&b);
    if (rc)
        manifest_free(m);
    return rc;
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

int manifest_write(const manifest *m, const char *dir, errmsg *e)
{
    buf b = BUF_INIT;
    buf_append(&b, MANIFEST_MAGIC, 8);
    buf_put_u32le(&b, FORMAT_VERSION);
    buf_put_u32le(&b, 0);
    buf_put_u64le(&b, m->generation);
    buf_put_u64le(&b, m->next_id);
    size_t ll = strlen(m->language);
    buf_putc(&b, (char)ll);
    buf_append(&b, m->language, ll);
    buf_put_u32le(&b, (uint32_t)m->n_segs);
    for (size_t i = 0; i < m->n_segs; i++) {
        buf_put_u64le(&b, m->segs[i].id);
        buf_put_u32le(&b, m->segs[i].n_docs);
        buf_put_u32le(&b, 0);
    }
    if (b.oom) {
        buf_free(&b);
        return err_set(e, MORGUE_ENOMEM, "out of memory");
    }
    buf_put_u32le(&b, (uint32_t)crc32(0L, (const Bytef *)b.ptr, (uInt)b.len));
    char tmp[4096], path[4096];
    snprintf(tmp, sizeof tmp, "%s/MANIFEST.tmp", dir);
    snprintf(path, sizeof path, "%s/MANIFEST", dir);
    int rc = MORGUE_OK;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || write_all(fd, b.ptr, b.len) || fsync(fd)) {
        rc = err_set(e, MORGUE_EIO, "%s: %s", tmp, strerror(errno));
        if (fd >= 0)
            close(fd);
        unlink(tmp);
    } else if (close(fd) || rename(tmp, path) || fsync_dir(dir)) {
        rc = err_set(e, MORGUE_EIO, "%s: %s", path, strerror(errno));
        unlink(tmp);
    }
    buf_free(&b);
    return rc;
}

int manifest_add_seg(manifest *m, uint64_t id, uint32_t n_docs)
{
    manifest_seg *n = realloc(m->segs, (m->n_segs + 1) * sizeof *n);
    if (!n)
        return MORGUE_ENOMEM;
    m->segs = n;
    m->segs[m->n_segs].id = id;
    m->segs[m->n_segs].n_docs = n_docs;
    m->n_segs++;
    return MORGUE_OK;
}

int manifest_copy(manifest *dst, const manifest *src)
{
    *dst = *src;
    dst->segs = NULL;
    if (src->n_segs) {
        dst->segs = malloc(src->n_segs * sizeof *dst->segs);
        if (!dst->segs)
            return MORGUE_ENOMEM;
        memcpy(dst->segs, src->segs, src->n_segs * sizeof *dst->segs);
    }
    return MORGUE_OK;
}

void manifest_free(manifest *m)
{
    free(m->segs);
    m->segs = NULL;
    m->n_segs = 0;
}
