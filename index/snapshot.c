/* snapshot.c: the segment and deletions a manifest entry names (see
 * snapshot.h). */
#include "index/snapshot.h"

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
