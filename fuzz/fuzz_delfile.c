/* fuzz_delfile.c: any bytes parsed as a deletion file (for the segment
 * id, document and deleted counts in its first 12 bytes, as a manifest
 * would give them) either fail with MORGUE_ECORRUPT/EVERSION or give a
 * bitmap with exactly the promised bits set and none past the last
 * document; never a crash or a read outside the input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "index/codec.h"
#include "index/delfile.h"
#include "morgue.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 12)
        return 0;
    uint64_t seg = codec_get_u32le(data);
    uint32_t n_docs = codec_get_u32le(data + 4) % (1u << 20);
    uint32_t n_del = codec_get_u32le(data + 8) % (n_docs + 1);
    uint8_t *bm;
    errmsg e;
    int rc = delfile_parse(data + 12, size - 12, seg, n_docs, n_del, &bm,
                           "fuzz", &e);
    if (rc != MORGUE_OK) {
        if (rc != MORGUE_ECORRUPT && rc != MORGUE_EVERSION &&
            rc != MORGUE_ENOMEM)
            abort();
        return 0;
    }
    if (delfile_count(bm, n_docs) != n_del)
        abort();
    size_t bytes = delfile_bitmap_size(n_docs);
    if (n_docs % 8 && bytes && (bm[bytes - 1] >> (n_docs % 8)))
        abort();
    free(bm);
    return 0;
}
