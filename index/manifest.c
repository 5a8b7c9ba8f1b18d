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
#include "util/u64map.h"
#include "util/alloc.h"

#define MANIFEST_MAX (64u << 20)
#define SEG_ENTRY 24

/* Header fields up to the segment count; *at is left after the count. */
static int parse_head(manifest *m, const uint8_t *p, size_t n, size_t *at,
                      uint32_t *count, const char *name, errmsg *e)
{
    if (n < 8 + 8 + 16 + 1 + 8 + 4 + 4 || memcmp(p, MANIFEST_MAGIC, 8) != 0)
        return err_corrupt(e, "%s: not a morgue manifest (bad magic at "
                           "offset 0)", name);
    uint32_t crc = (uint32_t)crc32(0L, p, (uInt)(n - 4));
    if (crc != codec_get_u32le(p + n - 4))
        return err_corrupt(e, "%s: checksum mismatch (offset %zu)", name,
                           n - 4);
    uint32_t ver = codec_get_u32le(p + 8);
    if (ver < FORMAT_VERSION_MIN || ver > FORMAT_VERSION)
        return err_set(e, MORGUE_EVERSION,
                       "%s: format version %u, this library reads %u to %u",
                       name, ver, FORMAT_VERSION_MIN, FORMAT_VERSION);
    if (codec_get_u32le(p + 12) != 0)
        return err_corrupt(e, "%s: reserved field not 0 at offset 12", name);
    m->version = ver;
    size_t h = 16; /* version 3 puts the feature bits first */
    if (ver >= 3) {
        if (n < 16 + FEAT_SIZE + 16 + 1 + 8 + 4 + 4)
            return err_corrupt(e, "%s: truncated header", name);
        m->feat.compat = codec_get_u64le(p + 16);
        m->feat.rocompat = codec_get_u64le(p + 24);
        m->feat.incompat = codec_get_u64le(p + 32);
        h += FEAT_SIZE;
        int rc = features_check(&m->feat, 0, name, e);
        if (rc)
            return rc;
    }
    m->generation = codec_get_u64le(p + h);
    m->next_id = codec_get_u64le(p + h + 8);
    size_t ll = p[h + 16];
    if (ll >= sizeof m->language || h + 17 + ll + 8 + 4 > n - 4)
        return err_corrupt(e, "%s: bad language field at offset %zu", name,
                           h + 16);
    memcpy(m->language, p + h + 17, ll);
    m->language[ll] = '\0';
    *at = h + 17 + ll;
    m->ftgen = codec_get_u64le(p + *at);
    if (m->ftgen > m->generation)
        return err_corrupt(e, "%s: file table generation %" PRIu64 " after "
                           "the commit's at offset %zu", name, m->ftgen, *at);
    *count = codec_get_u32le(p + *at + 8);
    *at += 12;
    if ((n - 4 - *at) / SEG_ENTRY != *count ||
        (n - 4 - *at) % SEG_ENTRY != 0)
        return err_corrupt(e, "%s: segment list size does not match count "
                           "%u (offset %zu)", name, *count, *at - 4);
    return MORGUE_OK;
}

/* One segment entry at offset at, checked against the ones before. */
static int parse_seg(manifest *m, const uint8_t *p, size_t at, u64map *seen,
                     const char *name, errmsg *e)
{
    manifest_seg g = { codec_get_u64le(p + at), codec_get_u32le(p + at + 8),
                       codec_get_u32le(p + at + 12),
                       codec_get_u64le(p + at + 16) };
    if (g.id >= m->next_id)
        return err_corrupt(e, "%s: segment id %" PRIu64 " not below next id "
                           "(offset %zu)", name, g.id, at);
    if (u64map_get(seen, g.id) != U64MAP_NONE)
        return err_corrupt(e, "%s: segment id %" PRIu64 " named twice "
                           "(offset %zu)", name, g.id, at);
    if (g.n_deleted > g.n_docs || (g.delgen == 0) != (g.n_deleted == 0) ||
        g.delgen > m->generation)
        return err_corrupt(e, "%s: segment %" PRIu64 " has bad deletion "
                           "fields (offset %zu)", name, g.id, at + 12);
    if (u64map_put(seen, g.id, 0) || manifest_add_seg(m, g.id, g.n_docs))
        return err_set(e, MORGUE_ENOMEM, "out of memory");
    m->segs[m->n_segs - 1] = g;
    return MORGUE_OK;
}

int manifest_parse(manifest *m, const uint8_t *p, size_t n, const char *name,
                   errmsg *e)
{
    memset(m, 0, sizeof *m);
    size_t at = 0;
    uint32_t count = 0;
    int rc = parse_head(m, p, n, &at, &count, name, e);
    u64map seen = U64MAP_INIT;
    for (uint32_t i = 0; i < count && rc == MORGUE_OK; i++, at += SEG_ENTRY)
        rc = parse_seg(m, p, at, &seen, name, e);
    u64map_free(&seen);
    if (rc)
        manifest_free(m);
    return rc;
}

int manifest_read(manifest *m, const char *dir, errmsg *e)
{
    memset(m, 0, sizeof *m);
    char path[4096];
    snprintf(path, sizeof path, "%s/MANIFEST", dir);
    buf b = BUF_INIT;
    int rc = fs_read_all(path, MANIFEST_MAX, &b, e);
    if (rc == MORGUE_OK)
        rc = manifest_parse(m, (const uint8_t *)b.ptr, b.len, path, e);
    buf_free(&b);
    return rc;
}

static void serialize(const manifest *m, buf *b)
{
    buf_append(b, MANIFEST_MAGIC, 8);
    buf_put_u32le(b, FORMAT_VERSION);
    buf_put_u32le(b, 0);
    buf_put_u64le(b, m->feat.compat);
    buf_put_u64le(b, m->feat.rocompat);
    buf_put_u64le(b, m->feat.incompat);
    buf_put_u64le(b, m->generation);
    buf_put_u64le(b, m->next_id);
    size_t ll = strlen(m->language);
    buf_putc(b, (char)ll);
    buf_append(b, m->language, ll);
    buf_put_u64le(b, m->ftgen);
    buf_put_u32le(b, (uint32_t)m->n_segs);
    for (size_t i = 0; i < m->n_segs; i++) {
        buf_put_u64le(b, m->segs[i].id);
        buf_put_u32le(b, m->segs[i].n_docs);
        buf_put_u32le(b, m->segs[i].n_deleted);
        buf_put_u64le(b, m->segs[i].delgen);
    }
    if (!b->oom)
        buf_put_u32le(b, (uint32_t)crc32(0L, (const Bytef *)b->ptr,
                                         (uInt)b->len));
}

int manifest_write(const manifest *m, const char *dir, int *renamed,
                   errmsg *e)
{
    *renamed = 0;
    buf b = BUF_INIT;
    serialize(m, &b);
    if (b.oom) {
        buf_free(&b);
        return err_set(e, MORGUE_ENOMEM, "out of memory");
    }
    char tmp[4096], path[4096];
    snprintf(tmp, sizeof tmp, "%s/MANIFEST.tmp", dir);
    snprintf(path, sizeof path, "%s/MANIFEST", dir);
    int rc = fs_write_durable(tmp, b.ptr, b.len, e);
    buf_free(&b);
    if (rc)
        return rc;
    if (rename(tmp, path) != 0) {
        rc = err_set(e, MORGUE_EIO, "%s: rename: %s", path, strerror(errno));
        unlink(tmp);
        return rc;
    }
    *renamed = 1;
    if (fsync_dir(dir) != 0)
        return err_set(e, MORGUE_EIO, "%s: fsync: %s (the commit is visible "
                       "but may not survive a power loss)", dir,
                       strerror(errno));
    return MORGUE_OK;
}

int manifest_add_seg(manifest *m, uint64_t id, uint32_t n_docs)
{
    manifest_seg *n = mem_rearray(m->segs, m->n_segs + 1, sizeof *n);
    if (!n)
        return MORGUE_ENOMEM;
    m->segs = n;
    m->segs[m->n_segs] = (manifest_seg){ id, n_docs, 0, 0 };
    m->n_segs++;
    return MORGUE_OK;
}

int manifest_copy(manifest *dst, const manifest *src)
{
    *dst = *src;
    dst->segs = NULL;
    if (src->n_segs) {
        dst->segs = mem_array(src->n_segs, sizeof *dst->segs);
        if (!dst->segs) {
            dst->n_segs = 0;
            return MORGUE_ENOMEM;
        }
        memcpy(dst->segs, src->segs, src->n_segs * sizeof *dst->segs);
    }
    return MORGUE_OK;
}

uint64_t manifest_live_docs(const manifest *m)
{
    uint64_t n = 0;
    for (size_t i = 0; i < m->n_segs; i++)
        n += m->segs[i].n_docs - m->segs[i].n_deleted;
    return n;
}

void manifest_free(manifest *m)
{
    free(m->segs);
    m->segs = NULL;
    m->n_segs = 0;
}
