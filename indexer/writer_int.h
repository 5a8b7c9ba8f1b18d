/* writer_int.h: the writer's state, shared by the files of indexer/, and
 * the bottom layer's functions (writer.c: the lock, the segment list).
 *
 * The files of indexer/ form layers, each using only those before it
 * (its header includes only theirs; tests/boundaries.sh checks every
 * #include, and a call to a function no included header declares does
 * not compile):
 *   slices.c (slices.h)           byte streams in shared blocks
 *   invert.c (invert.h), sink.h   articles into postings; the sink API
 *   prep.c (prep.h)               articles readied on worker threads
 *   writer.c (writer_int.h)       state, lock, open/close, segment list
 *   update.c (update.h)           add, replace, delete articles; flush
 *   commit.c (commit.h)           the commit
 *   merge.c                       merging, the merge policy, compact,
 *                                 morgue_writer_commit (commit + policy)
 *   files.c (files.h)             article files and the file table
 *   walk.c                        folders: morgue_writer_add_path */
#ifndef MORGUE_INDEXER_WRITER_INT_H
#define MORGUE_INDEXER_WRITER_INT_H

#include <stdint.h>
#include <sys/stat.h>

#include "index/filetable.h"
#include "index/manifest.h"
#include "index/segment.h"
#include "indexer/invert.h"
#include "indexer/prep.h"
#include "indexer/sink.h"
#include "morgue.h"
#include "text/lang.h"
#include "text/stemset.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/u64map.h"

/* A segment the writer knows: named by the last commit, or written since
 * (pending) and named by the next one. */
typedef struct wseg {
    uint64_t id;
    segment seg;       /* mapped */
    uint8_t *del;      /* owned bitmap of deleted documents, or NULL */
    uint32_t n_del;    /* bits set in del */
    uint64_t delgen;   /* generation of its deletion file; 0: none */
    int dirty;         /* del changed since that file was written */
    int committed;     /* named by the last commit */
    int drop;          /* left out of the next commit (merged away) */
} wseg;

struct morgue_writer {
    char *dir;
    int lock_fd;
    dev_t lock_dev;       /* the file locked, which must stay at LOCK */
    ino_t lock_ino;
    int lock_lost;        /* LOCK was removed or replaced under us */
    manifest man;         /* the last commit */
    wseg *segs;           /* manifest order, then pending ones */
    size_t n_segs, cap_segs;
    uint64_t next_id;
    stemset stems;        /* per language; the MANIFEST's mode */
    inverter inv;         /* the batch not yet flushed */
    size_t budget;
    u64map batch;         /* identity hash -> document of the batch */
    uint8_t *batch_del;   /* bitmap over the batch's documents */
    size_t batch_del_cap; /* bytes */
    uint32_t batch_n_del;
    filetable ft;
    int ft_dirty;         /* file table changed: write it at commit */
    int ft_soft;          /* only times/flags changed: written if anything
                             else is */
    int rebuild;          /* the next commit drops what came before */
    int merge_factor;     /* < 2: no automatic merges */
    int broken;           /* an add/delete failed halfway: close only */
    int stop;             /* a callback asked the current add_file or
                             add_path to stop (after the current file) */
    uint64_t n_deleted;   /* documents deleted by this writer so far */
    prep_pipe prep;       /* articles given, not yet inverted */
    /* files.c's checkpoint while a file is read: run before inverting an
     * article whose prep_in.ckpt was set, with where that article starts */
    int (*ckpt)(void *ctx, const fmt_pos *pos);
    void *ckpt_ctx;
    int in_ckpt;          /* inside it: writer_drain() does nothing */
    const writer_sink *sink; /* non-NULL: articles go there, not into
                                segments (indexer/sink.h) */
    void *sink_ctx;       /* owned */
    int sink_sent;        /* the sink flushed since the last commit */
    size_t fixed_mem;     /* memory for the whole index, outside the batch
                             (file table, identity maps): writer_room() */
    uint32_t fixed_age;   /* articles added since fixed_mem was measured */
    errmsg err;
};

/* ---- writer.c ---- */
/* Maps segment id (just written) and appends it as pending; takes del. */
int writer_add_seg(morgue_writer *w, uint64_t id, uint8_t *del,
                   uint32_t n_del);
/* Segments written but not committed. */
size_t writer_pending(const morgue_writer *w);
/* Fails with the sticky error once the writer is broken. */
int writer_usable(morgue_writer *w);
/* MORGUE_OK while INDEX/LOCK is still the file this writer locked; else
 * MORGUE_EBUSY with the message set and the writer broken. Called before
 * any segment is written and before a commit. */
int writer_lock_held(morgue_writer *w);
/* Lets the kernel drop g's mapped pages from the writer's RSS. */
void writer_release_pages(wseg *g);
/* Marks the writer broken after a failure that left it halfway. */
int writer_break(morgue_writer *w, int rc);
/* Removes leftovers of killed runs, failed commits, superseded deletion
 * files and file tables, and merged-away segments (with_pending: pending
 * segments are needed too). Only the lock holder calls this. */
void writer_remove_orphans(morgue_writer *w, int with_pending);

#endif
