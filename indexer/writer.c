/* writer.c: the writer's state and its life outside commits: the lock,
 * opening the last commit (segments, deletion files, file table), the
 * segment list, removing files no commit needs, closing. It is the
 * bottom layer of indexer/ (writer_int.h says the order); the commit is
 * commit.c. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "index/delfile.h"
#include "index/snapshot.h"
#include "indexer/writer_int.h"
#include "util/apiver.h"
#include "util/fsutil.h"
#include "util/alloc.h"

#define DEFAULT_BUDGET (64u << 20)
#define DEFAULT_MERGE_FACTOR 8

/* The lock is an flock on INDEX/LOCK, and it is only worth something
 * while that name still leads to the file we locked: an operator who
 * deletes LOCK (or a script that replaces it) lets the next writer lock a
 * fresh file, and two writers then hand out the same segment numbers. So
 * a writer checks, after locking, that the file it holds is the one at
 * LOCK (retrying while the wait lasts when it was replaced under it), and
 * checks again before writing a segment and before committing
 * (writer_lock_held), stopping with an error once the name has gone. */
static int lock_once(morgue_writer *w, const char *path, int wait_seconds,
                     const struct timespec *start, int *replaced)
{
    *replaced = 0;
    w->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (w->lock_fd < 0)
        return err_set(&w->err, MORGUE_EIO, "%s: %s", path, strerror(errno));
    while (flock(w->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno != EWOULDBLOCK && errno != EINTR)
            return err_set(&w->err, MORGUE_EIO, "%s: flock: %s", path,
                           strerror(errno));
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec - start->tv_sec >= wait_seconds)
            return err_set(&w->err, MORGUE_EBUSY,
                           "%s is locked by another writer (waited %d s)",
                           w->dir, wait_seconds);
        struct timespec nap = { 0, 100 * 1000 * 1000 };
        nanosleep(&nap, NULL);
    }
    struct stat held, named;
    if (fstat(w->lock_fd, &held) != 0)
        return err_set(&w->err, MORGUE_EIO, "%s: fstat: %s", path,
                       strerror(errno));
    if (stat(path, &named) != 0 || named.st_dev != held.st_dev ||
        named.st_ino != held.st_ino) {
        *replaced = 1;
        close(w->lock_fd);
        w->lock_fd = -1;
        return err_set(&w->err, MORGUE_EBUSY,
                       "%s was removed or replaced while this writer was "
                       "locking it; another writer may hold the index",
                       path);
    }
    w->lock_dev = held.st_dev;
    w->lock_ino = held.st_ino;
    return MORGUE_OK;
}

static int take_lock(morgue_writer *w, int wait_seconds)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/LOCK", w->dir);
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (int tries = 0;; tries++) {
        int replaced;
        int rc = lock_once(w, path, wait_seconds, &start, &replaced);
        if (!replaced || tries == 8)
            return rc;
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec - start.tv_sec >= wait_seconds)
            return rc;
    }
}

int writer_lock_held(morgue_writer *w)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/LOCK", w->dir);
    struct stat named;
    if (w->lock_fd >= 0 && stat(path, &named) == 0 &&
        named.st_dev == w->lock_dev && named.st_ino == w->lock_ino)
        return MORGUE_OK;
    w->lock_lost = 1;
    w->broken = 1;
    return err_set(&w->err, MORGUE_EBUSY,
                   "%s was removed or replaced while this writer held it; "
                   "another writer may be running, so this one stops "
                   "without committing (what was not committed is lost)",
                   path);
}

int writer_usable(morgue_writer *w)
{
    if (!w->broken)
        return MORGUE_OK;
    return MORGUE_ERROR; /* the message of the failure is kept */
}

int writer_break(morgue_writer *w, int rc)
{
    if (rc == MORGUE_OK || rc == MORGUE_EINVAL || w->broken)
        return rc;
    w->broken = 1;
    char copy[ERRMSG_LEN];
    memcpy(copy, w->err.text, sizeof copy);
    err_set(&w->err, rc, "%s (the writer must be closed; what was not "
            "committed is lost)", copy);
    return rc;
}

size_t writer_pending(const morgue_writer *w)
{
    size_t n = w->sink_sent ? 1 : 0; /* a sink's flush is like a segment */
    for (size_t i = 0; i < w->n_segs; i++)
        n += !w->segs[i].committed;
    return n;
}

/* ---- files that no commit needs ---- */

static int names_seg(const morgue_writer *w, uint64_t id, int with_pending)
{
    for (size_t i = 0; i < w->n_segs; i++)
        if (w->segs[i].id == id &&
            (w->segs[i].committed || with_pending))
            return 1;
    return 0;
}

static int names_del(const manifest *m, uint64_t id, uint64_t gen)
{
    for (size_t i = 0; i < m->n_segs; i++)
        if (m->segs[i].id == id && m->segs[i].delgen == gen)
            return 1;
    return 0;
}

/* 1 when name is one of ours and nothing (the last commit, or pending
 * work when with_pending) needs it. */
static int is_orphan(const morgue_writer *w, const char *name,
                     int with_pending)
{
    uint64_t id, gen;
    char tail[8];
    int used = 0;
    if (!strcmp(name, "MANIFEST.tmp"))
        return 1;
    if (sscanf(name, "seg_%16" SCNx64 "_%16" SCNx64 ".%4s%n", &id, &gen,
               tail, &used) == 3 && !strcmp(tail, "del") &&
        name[used] == '\0')
        return !names_del(&w->man, id, gen);
    if (sscanf(name, "seg_%16" SCNx64 ".%5s%n", &id, tail, &used) == 2 &&
        !strcmp(tail, "mseg") && name[used] == '\0')
        return !names_seg(w, id, with_pending);
    if (sscanf(name, "files_%16" SCNx64 ".%4s%n", &gen, tail, &used) == 2 &&
        (!strcmp(tail, "mft") || !strcmp(tail, "fidx")) &&
        name[used] == '\0') /* a file table, or its lookup */
        return gen != w->man.ftgen;
    return 0;
}

/* Removes leftovers of killed runs, failed commits, superseded deletion
 * files and file tables, and merged-away segments. Only the lock holder
 * calls this; a searcher that still maps a removed segment keeps reading
 * it (POSIX keeps unlinked files alive while mapped). */
void writer_remove_orphans(morgue_writer *w, int with_pending)
{
    DIR *d = opendir(w->dir);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (!is_orphan(w, de->d_name, with_pending))
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", w->dir, de->d_name);
        unlink(path);
    }
    closedir(d);
}

/* ---- opening ---- */

static int grow_segs(morgue_writer *w)
{
    if (w->n_segs < w->cap_segs)
        return MORGUE_OK;
    size_t cap = w->cap_segs ? w->cap_segs * 2 : 16;
    wseg *n = mem_rearray(w->segs, cap, sizeof *n);
    if (!n)
        return err_set(&w->err, MORGUE_ENOMEM, "out of memory");
    w->segs = n;
    w->cap_segs = cap;
    return MORGUE_OK;
}

/* Opening a segment reads and checks parts of it, and a merge reads its
 * sources: the mapped pages then count in the writer's RSS although the
 * kernel may drop them at will (they are clean file pages). Telling it
 * so keeps the writer's memory to its budget instead of the index size;
 * later reads fault them back in from the page cache. */
void writer_release_pages(wseg *g)
{
    if (g->seg.map && g->seg.size)
        madvise((void *)g->seg.map, g->seg.size, MADV_DONTNEED);
}

static int open_seg(morgue_writer *w, wseg *g, const manifest_seg *ms)
{
    char path[4096];
    segment_path(path, sizeof path, w->dir, ms->id);
    int rc = snapshot_open_segment(&g->seg, w->dir, ms, &w->err);
    if (rc == MORGUE_ENOTFOUND)
        rc = err_corrupt(&w->err, "%s: named by MANIFEST but missing", path);
    if (rc == MORGUE_OK &&
        (rc = features_check(&g->seg.feat, 1, path, &w->err)))
        segment_close(&g->seg);
    if (rc)
        return rc;
    writer_release_pages(g);
    if (ms->delgen) {
        rc = snapshot_read_deletions(&g->del, w->dir, ms, &w->err);
        if (rc == MORGUE_ENOTFOUND)
            rc = err_corrupt(&w->err, "deletion file of segment %016" PRIx64
                             " named by MANIFEST but missing", ms->id);
        if (rc) {
            segment_close(&g->seg);
            return rc;
        }
    }
    return MORGUE_OK;
}

/* Maps every committed segment and reads its deletions. */
static int load_segs(morgue_writer *w)
{
    for (size_t i = 0; i < w->man.n_segs; i++) {
        int rc = grow_segs(w);
        if (rc)
            return rc;
        const manifest_seg *ms = &w->man.segs[i];
        wseg *g = &w->segs[w->n_segs];
        memset(g, 0, sizeof *g);
        g->id = ms->id;
        g->n_del = ms->n_deleted;
        g->delgen = ms->delgen;
        g->committed = 1;
        if ((rc = open_seg(w, g, ms)))
            return rc;
        w->n_segs++;
    }
    return MORGUE_OK;
}

static int set_language(morgue_writer *w, const char *lang)
{
    if (strlen(lang) >= sizeof w->man.language)
        return err_set(&w->err, MORGUE_EINVAL, "bad language name");
    strcpy(w->man.language, lang);
    return MORGUE_OK;
}

static int load_or_create(morgue_writer *w, const morgue_writer_opts *o)
{
    int rc = manifest_read(&w->man, w->dir, &w->err);
    const char *lang = o && o->language ? o->language : NULL;
    if (rc == MORGUE_ENOTFOUND) {
        memset(&w->man, 0, sizeof w->man);
        w->man.next_id = 1;
        /* a new index detects each article's language, unless forced */
        rc = set_language(w, lang ? lang : "auto:english");
    } else if (rc == MORGUE_OK && w->rebuild && lang) {
        rc = set_language(w, lang);
    }
    if (rc == MORGUE_OK) /* a newer library's index: refuse to write it */
        rc = features_check(&w->man.feat, 1, w->dir, &w->err);
    if (rc == MORGUE_OK)
        rc = load_segs(w);
    if (rc == MORGUE_OK && w->man.ftgen)
        rc = filetable_read(&w->ft, w->dir, w->man.ftgen, &w->err);
    if (rc == MORGUE_ENOTFOUND)
        rc = err_corrupt(&w->err, "the file table named by MANIFEST is "
                         "missing");
    if (rc)
        return rc;
    w->next_id = w->man.next_id;
    rc = stemset_init(&w->stems, w->man.language);
    if (rc == MORGUE_EINVAL)
        return err_set(&w->err, rc, "unknown stemmer language '%s'",
                       w->man.language);
    if (rc)
        return err_set(&w->err, rc, "cannot create the stemmer");
    return MORGUE_OK;
}

/* In rebuild mode everything committed is left out of the next commit;
 * the file table keeps only its roots, so a path-less run rebuilds them. */
static int start_rebuild(morgue_writer *w)
{
    for (size_t i = 0; i < w->n_segs; i++)
        w->segs[i].drop = 1;
    filetable fresh;
    filetable_init(&fresh);
    for (size_t i = 0; i < w->ft.n_roots; i++)
        if (w->ft.roots[i] && !filetable_root(&fresh, w->ft.roots[i])) {
            filetable_free(&fresh);
            return err_set(&w->err, MORGUE_ENOMEM, "out of memory");
        }
    filetable_free(&w->ft);
    w->ft = fresh;
    w->ft_dirty = 1;
    return MORGUE_OK;
}

/* The caller's options, as many fields as its version has, over the
 * defaults in *full. */
/* The default thread count: the cores online. */
static unsigned cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 && n < 1024 ? (unsigned)n : 1;
}

static int read_opts(morgue_writer *w, const morgue_writer_opts *opts,
                     morgue_writer_opts *full)
{
    morgue_writer_opts o = MORGUE_WRITER_OPTS_INIT;
    if (opts) {
        size_t n = API_SIZE(opts);
        if (!n)
            return err_set(err_thread(), MORGUE_EINVAL,
                           "unknown morgue_writer_opts version %u",
                           opts->version);
        memcpy(&o, opts, n);
    }
    w->budget = o.memory_budget ? o.memory_budget : DEFAULT_BUDGET;
    w->merge_factor = o.merge_factor ? o.merge_factor : DEFAULT_MERGE_FACTOR;
    w->rebuild = o.rebuild != 0;
    *full = o;
    return MORGUE_OK;
}

static int open_writer(morgue_writer **out, const char *dir,
                       const morgue_writer_opts *opts,
                       const writer_sink *sink, void *ctx)
{
    *out = NULL;
    if (!dir || !*dir) {
        if (sink)
            sink->close(ctx);
        return err_set(err_thread(), MORGUE_EINVAL, "no index directory");
    }
    morgue_writer *w = calloc(1, sizeof *w);
    if (!w || !(w->dir = strdup(dir))) {
        free(w);
        if (sink)
            sink->close(ctx);
        return err_set(err_thread(), MORGUE_ENOMEM, "out of memory");
    }
    w->sink = sink;
    w->sink_ctx = ctx;
    w->lock_fd = -1;
    filetable_init(&w->ft);
    morgue_writer_opts o = MORGUE_WRITER_OPTS_INIT;
    int rc = read_opts(w, opts, &o);
    if (rc) {
        free(w->dir);
        free(w);
        return rc;
    }
    if (mkdir_p(dir) != 0)
        rc = err_set(&w->err, MORGUE_EIO, "%s: %s", dir, strerror(errno));
    if (rc == MORGUE_OK)
        rc = take_lock(w, o.wait_seconds);
    if (rc == MORGUE_OK)
        rc = load_or_create(w, &o);
    if (rc == MORGUE_OK && inverter_init(&w->inv, &w->stems))
        rc = err_set(&w->err, MORGUE_ENOMEM, "out of memory");
    /* Threads: the caller's inverts; with more, one stores the text
     * (compression) and the others prepare articles (prep.h). Without
     * them the same work is done in the call: the same bytes. */
    unsigned threads = o.threads ? o.threads : cores();
    if (rc == MORGUE_OK) {
        inverter_threads(&w->inv, threads);
        inverter_spill(&w->inv, w->dir);
    }
    if (rc == MORGUE_OK)
        rc = prep_open(&w->prep, threads >= 2 ? threads - 1 : 0,
                       &w->stems.mode, sink == NULL,
                       prep_budget(w->budget), &w->err);
    if (rc == MORGUE_OK && w->rebuild)
        rc = start_rebuild(w);
    if (rc != MORGUE_OK) {
        err_set(err_thread(), rc, "%s", w->err.text);
        morgue_writer_close(w);
        return rc;
    }
    writer_remove_orphans(w, 0);
    *out = w;
    return MORGUE_OK;
}

MORGUE_API int morgue_writer_open(morgue_writer **out,
                                  const char *dir,
                                  const morgue_writer_opts *opts)
{
    return open_writer(out, dir, opts, NULL, NULL);
}

int writer_open_sink(morgue_writer **out, const char *dir,
                     const morgue_writer_opts *opts,
                     const writer_sink *sink, void *ctx)
{
    if (opts && opts->version >= 2 && opts->rebuild) {
        *out = NULL;
        sink->close(ctx);
        return err_set(err_thread(), MORGUE_EINVAL,
                       "--rebuild is not supported for a cluster");
    }
    return open_writer(out, dir, opts, sink, ctx);
}

int writer_add_seg(morgue_writer *w, uint64_t id, uint8_t *del,
                   uint32_t n_del)
{
    int rc = grow_segs(w);
    if (rc) {
        free(del);
        return rc;
    }
    wseg *g = &w->segs[w->n_segs];
    memset(g, 0, sizeof *g);
    char path[4096];
    segment_path(path, sizeof path, w->dir, id);
    rc = segment_open(&g->seg, path, id, &w->err);
    if (rc) {
        free(del);
        return rc;
    }
    writer_release_pages(g);
    g->id = id;
    g->del = del;
    g->n_del = n_del;
    g->dirty = n_del > 0;
    w->n_segs++;
    return MORGUE_OK;
}

MORGUE_API const char *morgue_writer_errmsg(const morgue_writer *w)
{
    return w ? w->err.text : "no writer";
}

MORGUE_API void morgue_writer_close(morgue_writer *w)
{
    if (!w)
        return;
    /* Uncommitted segments go, unless the lock was lost: the files not
     * named by our MANIFEST may then be another writer's. */
    if (writer_pending(w) && w->lock_fd >= 0 && !w->lock_lost &&
        writer_lock_held(w) == MORGUE_OK)
        writer_remove_orphans(w, 0);
    for (size_t i = 0; i < w->n_segs; i++) {
        segment_close(&w->segs[i].seg);
        free(w->segs[i].del);
    }
    free(w->segs);
    prep_close(&w->prep);
    inverter_free(&w->inv);
    stemset_free(&w->stems);
    manifest_free(&w->man);
    filetable_free(&w->ft);
    u64map_free(&w->batch);
    free(w->batch_del);
    if (w->sink)
        w->sink->close(w->sink_ctx);
    if (w->lock_fd >= 0)
        close(w->lock_fd); /* releases the flock */
    free(w->dir);
    free(w);
}
