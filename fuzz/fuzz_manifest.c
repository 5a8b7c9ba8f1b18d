/* fuzz_manifest.c: any bytes parsed as a MANIFEST either fail with
 * MORGUE_ECORRUPT/EVERSION or give a manifest whose fields hold the
 * invariants readers rely on (segment ids unique and below next id,
 * deleted <= documents, deletion generations within the commit's), and
 * never crash or read outside the input. */
#include <stdint.h>
#include <stdlib.h>

#include "index/manifest.h"
#include "morgue.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    manifest m;
    errmsg e;
    int rc = manifest_parse(&m, data, size, "fuzz", &e);
    if (rc != MORGUE_OK) {
        if (rc != MORGUE_ECORRUPT && rc != MORGUE_EVERSION &&
            rc != MORGUE_ENOMEM)
            abort();
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
    return 0;
}
