/* commit.c: the commit (writer_commit).
 *
 * A commit writes only new files: the segments flushed since the last
 * commit (already fsynced), a deletion file for every segment whose
 * deletions changed, and the file table when it changed, each under a
 * name no earlier commit used. Then the directory is fsynced, MANIFEST
 * replaced atomically, and the files the new MANIFEST does not name
 * (superseded deletion files and file tables, merged-away segments) are
 * removed. A crash at any point leaves the old MANIFEST or the new one,
 * each naming only complete files. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "index/delfile.h"
#include "index/ftlookup.h"
#include "indexer/commit.h"
#include "indexer/update.h"
#include "util/fsutil.h"

static int seg_live(const wseg *g) { return g->seg.n_docs > g->n_del; }

/* Whether a commit now would change anything. */
static int has_changes(const morgue_writer *w)
{
    if (w->man.generation == 0 || w->ft_dirty || w->rebuild || w->sink_sent)
        return 1;
    for (size_t i = 0; i < w->n_segs; i++) {
        const wseg *g = &w->segs[i];
        if (!g->committed || g->dirty || g->drop || !seg_live(g))
            return 1;
    }
    return 0;
}

/* Removes the files a failed commit wrote (they are named by nothing). */
static void undo_files(morgue_writer *w, uint64_t gen)
{
    char path[4096];
    for (size_t i = 0; i < w->n_segs; i++)
        if (w->segs[i].dirty) {
            delfile_path(path, sizeof path, w->dir, w->segs[i].id, gen);
            unlink(path);
        }
    filetable_path(path, sizeof path, w->dir, gen);
    unlink(path);
    ftlookup_path(path, sizeof path, w->dir, gen);
    unlink(path);
}

/* Writes the new deletion files and file table of generation gen and
 * fills next's segment list. */
static int write_parts(morgue_writer *w, manifest *next, uint64_t gen)
{
    next->feat = (features){ 0, 0, 0 }; /* the union of its segments' */
    for (size_t i = 0; i < w->n_segs; i++) {
        wseg *g = &w->segs[i];
        if (g->drop || !seg_live(g))
            continue;
        features_or(&next->feat, &g->seg.feat);
        if (manifest_add_seg(next, g->id, g->seg.n_docs))
            return err_set(&w->err, MORGUE_ENOMEM, "out of memory");
        manifest_seg *ms = &next->segs[next->n_segs - 1];
        ms->n_deleted = g->n_del;
        ms->delgen = g->n_del ? g->delgen : 0;
        if (g->dirty && g->n_del) {
            int rc = delfile_write(w->dir, g->id, gen, g->del, g->seg.n_docs,
                                   g->n_del, &w->err);
            if (rc)
                return rc;
            ms->delgen = gen;
        }
    }
    if (w->ft_dirty || w->ft_soft) {
        int rc = filetable_write(&w->ft, w->dir, gen, &w->err);
        if (rc)
            return rc;
        next->ftgen = gen;
    }
    if (fsync_dir(w->dir) != 0)
        return err_set(&w->err, MORGUE_EIO, "%s: fsync: %s", w->dir,
                       strerror(errno));
    return MORGUE_OK;
}

/* The commit happened: the writer's view becomes next. */
static void adopt(morgue_writer *w, manifest *next)
{
    size_t k = 0;
    for (size_t i = 0; i < w->n_segs; i++) {
        wseg *g = &w->segs[i];
        if (g->drop || !seg_live(g)) {
            segment_close(&g->seg);
            free(g->del);
            continue;
        }
        for (size_t j = 0; j < next->n_segs; j++)
            if (next->segs[j].id == g->id)
                g->delgen = next->segs[j].delgen;
        g->committed = 1;
        g->dirty = 0;
        w->segs[k++] = *g;
    }
    w->n_segs = k;
    manifest_free(&w->man);
    w->man = *next;
    w->ft_dirty = w->ft_soft = 0;
    w->rebuild = 0;
    w->sink_sent = 0;
}

int writer_commit(morgue_writer *w)
{
    int rc = writer_usable(w);
    if (rc == MORGUE_OK && (rc = writer_drain(w)))
        rc = writer_break(w, rc);
    if (rc == MORGUE_OK)
        rc = writer_flush(w);
    if (rc || !has_changes(w))
        return rc;
    manifest next;
    if (manifest_copy(&next, &w->man))
        return err_set(&w->err, MORGUE_ENOMEM, "out of memory");
    manifest_free(&next); /* keep the header fields, rebuild the list */
    uint64_t gen = w->man.generation + 1;
    next.generation = gen;
    next.next_id = w->next_id;
    next.ftgen = w->rebuild ? 0 : w->man.ftgen;
    int renamed = 0;
    rc = writer_lock_held(w);
    if (rc == MORGUE_OK)
        rc = write_parts(w, &next, gen);
    if (rc == MORGUE_OK)
        rc = writer_lock_held(w); /* again: write_parts took time */
    if (rc == MORGUE_OK)
        rc = manifest_write(&next, w->dir, &renamed, &w->err);
    if (!renamed) {
        if (!w->lock_lost) /* else the names may be another writer's */
            undo_files(w, gen);
        manifest_free(&next);
        return rc;
    }
    adopt(w, &next);
    writer_remove_orphans(w, 1);
    return rc;
}
