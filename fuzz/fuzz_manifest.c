/* fuzz_manifest.c: any bytes parsed as a MANIFEST either fail with
 * MORGUE_ECORRUPT/EVERSION or give a manifest whose fields hold the
 * invariants readers rely on (segment ids unique and below next id,
 * deleted <= documents, deletion generations within the commit's), and
 * never crash or read outside the input. The trailing CRC is recomputed
 * first, so inputs get past it to the structure (the CRC check itself is
 * exercised by the unit tests). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "fuzz/with_crc.h"
#include "index/manifest.h"
#include "morgue.h"

int LLVMFuzzerTestOneInput(const uint8_t *raw, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *raw, size_t size)
{
    uint8_t *data = with_crc(raw, size);
    if (!data)
        return 0;
    manifest m;
    errmsg e;
    int rc = manifest_parse(&m, data, size, "fuzz", &e);
    if (rc != MORGUE_OK) {
        if (rc != MORGUE_ECORRUPT && rc != MORGUE_EVERSION &&
            rc != MORGUE_ENOMEM)
            abort();
        free(data);
        return 0;
    }
    for (size_t i = 0; i < m.n_segs; i++) {
        const manifest_seg *g = &m.segs[i];
        if (g->id >= m.next_id || g->n_deleted > g->n_docs ||
            g->delgen > m.generation)
            abort();
        for (size_t j = 0; j < i; j++)
            if (m.segs[j].id == g->id)
                abort();
    }
    manifest_free(&m);
    free(data);
    return 0;
}
