/* fuzz_segment.c: any bytes opened as a segment file either fail with
 * MORGUE_ECORRUPT/EVERSION or open, and then walking every term, every
 * posting, every position and every stored document never crashes, never
 * reads outside the file and never loops forever: decoders report
 * corruption instead. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "index/docstore.h"
#include "index/postings.h"
#include "index/termdict.h"
#include "morgue.h"

static void walk_postings(const segment *s, const term_info *ti)
{
    errmsg e;
    postings p;
    if (postings_open(&p, s, ti, &e) != MORGUE_OK)
        return;
    uint32_t *pos = malloc(sizeof *pos * 4096);
    uint32_t n = 0, last = 0;
    for (uint32_t d = postings_next(&p); d != POSTINGS_END && n <= ti->df;
         d = postings_next(&p), n++) {
        if (n && d <= last)
            abort(); /* documents must ascend */
        last = d;
        if (pos && p.pos && postings_tf(&p) <= 4096)
            postings_positions(&p, pos);
    }
    free(pos);
    postings_close(&p);
    /* and the skipping path */
    if (postings_open(&p, s, ti, &e) == MORGUE_OK) {
        postings_advance(&p, 5);
        postings_advance(&p, 1000);
        postings_close(&p);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[] = "/tmp/morgue-fuzz-seg-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return 0;
    if (write(fd, data, size) != (ssize_t)size) {
        close(fd);
        unlink(path);
        return 0;
    }
    close(fd);
    segment s;
    errmsg e;
    int rc = segment_open(&s, path, 1, &e);
    unlink(path);
    if (rc != MORGUE_OK) {
        if (rc != MORGUE_ECORRUPT && rc != MORGUE_EVERSION)
            abort();
        return 0;
    }
    segment_verify_crcs(&s, &e);
    termdict_iter it;
    if (termdict_seek(&it, &s, "", 0, &e) == MORGUE_OK) {
        int n = 0;
        while (termdict_next(&it, &e) == 1 && n++ < 100000)
            walk_postings(&s, &it.info);
    }
    docstore_cache c = { 0 };
    span f[STORED_FIELDS];
    for (uint32_t d = 0; d < s.n_docs && d < 10000; d++)
        if (docstore_get(&s, d, &c, f, &e) == MORGUE_OK)
            for (int k = 0; k < STORED_FIELDS; k++)
                if (f[k].len && f[k].ptr[f[k].len - 1] == 0x7f)
                    e.text[0] = 0; /* touch the bytes */
    docstore_cache_free(&c);
    segment_close(&s);
    return 0;
}
