/* snapshot.c: the segment and deletions a manifest entry names (see
 * snapshot.h). */
#include "index/snapshot.h"

#include <string.h>
#include <time.h>

#include "index/delfile.h"
#include "morgue.h"

int snapshot_open_segment(segment *s, const char *dir, const manifest_seg *ms,
                          errmsg *e)
{
    char path[4096];
    segment_path(path, sizeof path, dir, ms->id);
    int rc = segment_open(s, path, ms->id, e);
    if (rc == MORGUE_OK && s->n_docs != ms->n_docs) {
        rc = err_corrupt(e, "%s: %u documents, the manifest says %u", path,
                         s->n_docs, ms->n_docs);
        segment_close(s);
    }
    return rc;
}

int snapshot_read_deletions(uint8_t **del, const char *dir,
                            const manifest_seg *ms, errmsg *e)
{
    *del = NULL;
    if (!ms->delgen)
        return MORGUE_OK;
    return delfile_read(dir, ms->id, ms->delgen, ms->n_docs, ms->n_deleted,
                        del, e);
}

/* Generation of the current MANIFEST, or 0. */
static uint64_t current_gen(const char *dir)
{
    manifest m;
    errmsg e;
    if (manifest_read(&m, dir, &e) != MORGUE_OK)
        return 0;
    uint64_t g = m.generation;
    manifest_free(&m);
    return g;
}

int snapshot_retry(const char *dir, snapshot_pass pass, void *ud, errmsg *e)
{
    for (int attempt = 0;; attempt++) {
        uint64_t gen = 0;
        int rc = pass(ud, &gen, e);
        if (rc != MORGUE_ENOTFOUND || gen == 0)
            return rc;
        if (current_gen(dir) == gen || attempt >= 100) {
            char copy[ERRMSG_LEN];
            memcpy(copy, e->text, sizeof copy);
            return err_corrupt(e, "a file named by MANIFEST is missing: %s",
                               copy);
        }
        if (attempt >= 3) { /* a writer is busy: let it finish */
            struct timespec nap = { 0, 2 * 1000 * 1000 };
            nanosleep(&nap, NULL);
        }
    }
}
