/* delfile.c: writing and checking deletion files. A file is small (one
 * bit per document) and read whole; every field is checked against the
 * manifest so that a stale or misplaced file is corruption, not a silent
 * resurrection of deleted articles. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "index/codec.h"
#include "index/delfile.h"
#include "index/format.h"
#include "morgue.h"
#include "util/buf.h"
#include "util/fsutil.h"

#define HEAD 32 /* magic, version, reserved, segment id, docs, deleted */

void delfile_path(char *out, size_t cap, const char *dir, uint64_t seg,
                  uint64_t gen)
{
    snprintf(out, cap, "%s/seg_%016" PRIx64 "_%016" PRIx64 ".del", dir, seg,
             gen);
}

uint32_t delfile_count(const uint8_t *bm, uint32_t n_docs)
{
    uint32_t n = 0;
    size_t full = n_docs / 8;
    for (size_t i = 0; i < full; i++)
        n += (uint32_t)__builtin_popcount(bm[i]);
    for (uint32_t d = (uint32_t)full * 8; d < n_docs; d++)
        n += (uint32_t)delfile_test(bm, d);
    return n;
}

int delfile_write(const char *dir, uint64_t seg, uint64_t gen,
                  const uint8_t *bm, uint32_t n_docs, uint32_t n_deleted,
                  errmsg *e)
{
    buf b = BUF_INIT;
    buf_append(&b, DELFILE_MAGIC, 8);
    buf_put_u32le(&b, FORMAT_VERSION);
    buf_put_u32le(&b, 0);
    buf_put_u64le(&b, seg);
    buf_put_u32le(&b, n_docs);
    buf_put_u32le(&b, n_deleted);
    buf_append(&b, bm, delfile_bitmap_size(n_docs));
    if (!b.oom)
        buf_put_u32le(&b, (uint32_t)crc32(0L, (const Bytef *)b.ptr,
                                          (uInt)b.len));
    if (b.oom) {
        buf_free(&b);
        return err_set(e, MORGUE_ENOMEM, "out of memory");
    }
    char path[4096];
    delfile_path(path, sizeof path, dir, seg, gen);
    int rc = fs_write_durable(path, b.ptr, b.len, e);
    buf_free(&b);
    return rc;
}

static int check_head(const uint8_t *p, size_t n, uint64_t seg,
                      uint32_t n_docs, uint32_t n_deleted, const char *name,
                      errmsg *e)
{
    if (n < HEAD + 4 || memcmp(p, DELFILE_MAGIC, 8) != 0)
        return err_corrupt(e, "%s: not a deletion file (bad magic at offset "
                           "0)", name);
    if (crc32(0L, p, (uInt)(n - 4)) != codec_get_u32le(p + n - 4))
        return err_corrupt(e, "%s: checksum mismatch (offset %zu)", name,
                           n - 4);
    if (codec_get_u32le(p + 8) < FORMAT_VERSION_MIN ||
        codec_get_u32le(p + 8) > FORMAT_VERSION) /* same layout in 2, 3 */
        return err_set(e, MORGUE_EVERSION, "%s: format version %u", name,
                       codec_get_u32le(p + 8));
    if (codec_get_u32le(p + 12) != 0)
        return err_corrupt(e, "%s: reserved field not 0 at offset 12", name);
    if (codec_get_u64le(p + 16) != seg)
        return err_corrupt(e, "%s: belongs to segment %016" PRIx64
                           " (offset 16)", name, codec_get_u64le(p + 16));
    if (codec_get_u32le(p + 24) != n_docs)
        return err_corrupt(e, "%s: %u documents, the segment has %u (offset "
                           "24)", name, codec_get_u32le(p + 24), n_docs);
    if (codec_get_u32le(p + 28) != n_deleted)
        return err_corrupt(e, "%s: %u deleted, the manifest says %u (offset "
                           "28)", name, codec_get_u32le(p + 28), n_deleted);
    if (n - 4 - HEAD != delfile_bitmap_size(n_docs))
        return err_corrupt(e, "%s: bitmap of %zu bytes for %u documents "
                           "(offset %d)", name, n - 4 - HEAD, n_docs, HEAD);
    return MORGUE_OK;
}

int delfile_parse(const uint8_t *p, size_t n, uint64_t seg, uint32_t n_docs,
                  uint32_t n_deleted, uint8_t **bm, const char *name,
                  errmsg *e)
{
    *bm = NULL;
    int rc = check_head(p, n, seg, n_docs, n_deleted, name, e);
    if (rc)
        return rc;
    const uint8_t *bits = p + HEAD;
    size_t size = delfile_bitmap_size(n_docs);
    if (n_docs % 8 && (bits[size - 1] >> (n_docs % 8)) != 0)
        return err_corrupt(e, "%s: bits set past the last document (offset "
                           "%zu)", name, HEAD + size - 1);
    if (delfile_count(bits, n_docs) != n_deleted)
        return err_corrupt(e, "%s: %u bits set, the header says %u", name,
                           delfile_count(bits, n_docs), n_deleted);
    *bm = malloc(size + 1);
    if (!*bm)
        return err_set(e, MORGUE_ENOMEM, "out of memory");
    memcpy(*bm, bits, size);
    return MORGUE_OK;
}

int delfile_read(const char *dir, uint64_t seg, uint64_t gen,
                 uint32_t n_docs, uint32_t n_deleted, uint8_t **bm,
                 errmsg *e)
{
    *bm = NULL;
    char path[4096];
    delfile_path(path, sizeof path, dir, seg, gen);
    buf b = BUF_INIT;
    int rc = fs_read_all(path, HEAD + 4 + delfile_bitmap_size(n_docs), &b, e);
    if (rc == MORGUE_OK)
        rc = delfile_parse((const uint8_t *)b.ptr, b.len, seg, n_docs,
                           n_deleted, bm, path, e);
    buf_free(&b);
    return rc;
}
