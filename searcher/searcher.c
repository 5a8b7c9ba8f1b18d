/* searcher.c: opening a read-only snapshot of the last commit: MANIFEST,
 * then every segment it names (mapped) and its deletion file (read whole).
 *
 * A writer may commit, and remove the files the new commit no longer
 * names (merged-away segments, superseded deletion files), between our
 * reading MANIFEST and opening those files; opening then fails with
 * ENOTFOUND and we start over from the new MANIFEST (index/snapshot.c,
 * snapshot_retry, the loop morgue_index_check uses too; a file gone while
 * MANIFEST still names it is corruption). Once open, the
 * snapshot needs no file by name: segments stay mapped (POSIX keeps an
 * unlinked file's pages alive while mapped) and deletion bitmaps are in
 * memory, so a searcher keeps answering from its commit for as long as
 * it lives.
 *
 * A reopen shares the mapped segments its new commit has in common with
 * the old snapshot (seg_share, refcounted): segments are immutable, so a
 * segment id and the file's inode name the same bytes, and only what the
 * commit added is mapped and read. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "index/delfile.h"
#include "index/filetable.h"
#include "index/snapshot.h"
#include "index/synfile.h"
#include "searcher/searcher.h"
#include "util/apiver.h"

/* A searcher is shared by threads, so its messages are per thread: each
 * thread keeps the message of its last failure on any searcher, tagged
 * with that searcher's serial number (unique for the process's life, so a
 * new searcher at a freed one's address does not inherit its message). */
static _Thread_local struct {
    uint64_t serial;
    errmsg m;
} search_err;

static uint64_t next_serial; /* atomic */

/* What the last stats call on a cluster missed, per thread too. */
static _Thread_local errmsg search_warn;

void searcher_set_warnings(const char *text)
{
    snprintf(search_warn.text, sizeof search_warn.text, "%s", text);
}

int searcher_fail(const morgue_searcher *s, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(search_err.m.text, sizeof search_err.m.text, fmt, ap);
    va_end(ap);
    search_err.serial = s->serial;
    return code;
}

int searcher_need(const morgue_searcher *s, unsigned what)
{
    errmsg e;
    for (size_t g = 0; g < s->n_segs; g++) {
        int rc = segment_need(&s->segs[g], what, &e);
        if (rc)
            return searcher_fail(s, rc, "%s", e.text);
    }
    return MORGUE_OK;
}

MORGUE_API const char *morgue_searcher_errmsg(const morgue_searcher *s)
{
    return s && s->serial == search_err.serial ? search_err.m.text : "";
}

MORGUE_API const char *morgue_searcher_warnings(const morgue_searcher *s)
{
    (void)s; /* a local snapshot always answers whole */
    return search_warn.text;
}

/* Lets go of one reference; the last one unmaps the segment. */
static void share_drop(seg_share *sh)
{
    if (sh && __atomic_sub_fetch(&sh->refs, 1, __ATOMIC_ACQ_REL) == 0) {
        segment_close(&sh->seg);
        free(sh);
    }
}

static void close_segments(morgue_searcher *s)
{
    if (s->syn) {
        synset_free(s->syn);
        free(s->syn);
        s->syn = NULL;
    }
    for (size_t i = 0; i < s->n_segs; i++) {
        share_drop(s->shared[i]);
        if (s->deleted)
            free(s->deleted[i]);
    }
    free(s->segs);
    free(s->shared);
    free(s->base);
    free(s->deleted);
    if (s->ft_fd >= 0)
        close(s->ft_fd);
    s->ft_fd = -1;
    if (s->ftl_fd >= 0)
        close(s->ftl_fd);
    s->ftl_fd = -1;
    s->segs = NULL;
    s->shared = NULL;
    s->base = NULL;
    s->deleted = NULL;
    s->n_segs = 0;
}

static uint64_t file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;
}

/* Reads segment i's deletion file, if the manifest names one. */
static int open_deletions(morgue_searcher *s, size_t i, errmsg *e)
{
    const manifest_seg *ms = &s->man.segs[i];
    int rc = snapshot_read_deletions(&s->deleted[i], s->dir, ms, e);
    if (rc == MORGUE_OK && ms->delgen) {
        char path[4096];
        delfile_path(path, sizeof path, s->dir, ms->id, ms->delgen);
        s->index_bytes += file_size(path);
    }
    return rc;
}

/* The segment ms names into *out: from prev when prev maps that very
 * file (a reference taken), else newly mapped. */
static int share_get(seg_share **out, const morgue_searcher *prev,
                     const char *dir, const manifest_seg *ms, errmsg *e)
{
    char path[4096];
    segment_path(path, sizeof path, dir, ms->id);
    struct stat before, after;
    if (stat(path, &before) != 0)
        return err_set(e, errno == ENOENT ? MORGUE_ENOTFOUND : MORGUE_EIO,
                       "%s: %s", path, strerror(errno));
    for (size_t i = 0; prev && i < prev->n_segs; i++) {
        seg_share *sh = prev->shared[i];
        if (sh->seg.id == ms->id && sh->dev == before.st_dev &&
            sh->ino == before.st_ino) {
            /* prev holds a reference for as long as this runs */
            __atomic_add_fetch(&sh->refs, 1, __ATOMIC_RELAXED);
            *out = sh;
            return MORGUE_OK;
        }
    }
    seg_share *sh = calloc(1, sizeof *sh);
    if (!sh)
        return err_set(e, MORGUE_ENOMEM, "out of memory");
    int rc = snapshot_open_segment(&sh->seg, dir, ms, e);
    if (rc) {
        free(sh);
        return rc;
    }
    /* the file mapped is the one stat()ed unless it was replaced in
     * between; then it is never shared (no segment is, in morgue) */
    if (stat(path, &after) == 0 && after.st_dev == before.st_dev &&
        after.st_ino == before.st_ino) {
        sh->dev = before.st_dev;
        sh->ino = before.st_ino;
    }
    sh->refs = 1;
    *out = sh;
    return MORGUE_OK;
}

/* Maps every segment the manifest names, taking those prev (or NULL)
 * already maps from it. A writer may replace MANIFEST and drop old
 * segments meanwhile; then ENOTFOUND and the caller retries. */
static int open_segments(morgue_searcher *s, const morgue_searcher *prev,
                         errmsg *e)
{
    s->segs = calloc(s->man.n_segs + 1, sizeof *s->segs);
    s->shared = calloc(s->man.n_segs + 1, sizeof *s->shared);
    s->base = calloc(s->man.n_segs + 1, sizeof *s->base);
    s->deleted = calloc(s->man.n_segs + 1, sizeof *s->deleted);
    if (!s->segs || !s->shared || !s->base || !s->deleted)
        return err_set(e, MORGUE_ENOMEM, "out of memory");
    s->index_bytes = 0;
    uint64_t docs = 0, len = 0, tlen = 0, bytes = 0;
    for (size_t i = 0; i < s->man.n_segs; i++) {
        int rc = share_get(&s->shared[i], prev, s->dir, &s->man.segs[i], e);
        if (rc)
            return rc;
        s->segs[i] = s->shared[i]->seg;
        s->n_segs++;
        if ((rc = open_deletions(s, i, e)))
            return rc;
        s->base[i] = docs;
        docs += s->segs[i].n_docs;
        len += s->segs[i].sum_len;
        tlen += s->segs[i].sum_tlen;
        bytes += s->segs[i].size;
    }
    if (s->man.ftgen) {
        char path[4096];
        filetable_path(path, sizeof path, s->dir, s->man.ftgen);
        s->ft_fd = open(path, O_RDONLY | O_CLOEXEC);
        if (s->ft_fd < 0)
            return err_set(e, errno == ENOENT ? MORGUE_ENOTFOUND : MORGUE_EIO,
                           "%s: %s", path, strerror(errno));
        bytes += file_size(path);
        ftlookup_path(path, sizeof path, s->dir, s->man.ftgen);
        s->ftl_fd = open(path, O_RDONLY | O_CLOEXEC); /* -1: none */
        if (s->ftl_fd >= 0)
            bytes += file_size(path);
    }
    s->n_docs = docs;
    s->avg_len = docs ? (double)len / (double)docs : 1.0;
    s->avg_tlen = docs ? (double)tlen / (double)docs : 1.0;
    s->index_bytes += bytes;
    return MORGUE_OK;
}

typedef struct load_run {
    morgue_searcher *s;
    const morgue_searcher *prev;
} load_run;

/* One reading of the commit (a snapshot_pass): all of it, or nothing. */
static int load_once(void *ud, uint64_t *gen, errmsg *e)
{
    morgue_searcher *s = ((load_run *)ud)->s;
    char path[4096];
    snprintf(path, sizeof path, "%s/MANIFEST", s->dir);
    /* before reading it: should MANIFEST be replaced in between, the next
     * reopen sees a change and looks again */
    if (stat(path, &s->man_st) != 0)
        memset(&s->man_st, 0, sizeof s->man_st);
    int rc = manifest_read(&s->man, s->dir, e);
    if (rc == MORGUE_ENOTFOUND)
        return err_set(e, rc, "%s: no morgue index here (no MANIFEST)",
                       s->dir);
    if (rc)
        return rc;
    *gen = s->man.generation;
    rc = open_segments(s, ((load_run *)ud)->prev, e);
    if (rc == MORGUE_OK)
        rc = searcher_scan_langs(s, e);
    if (rc == MORGUE_OK)
        rc = synfile_read(s->dir, &s->syn, e);
    if (rc) {
        close_segments(s);
        manifest_free(&s->man);
    }
    return rc;
}

static int load(morgue_searcher *s, const morgue_searcher *prev, errmsg *e)
{
    load_run run = { s, prev };
    return snapshot_retry(s->dir, load_once, &run, e);
}

/* A new snapshot of the last commit in dir, sharing the segments it has
 * in common with prev (or NULL); failures are told in e. */
static int searcher_new(morgue_searcher **out, const char *dir,
                        const morgue_searcher *prev, errmsg *e)
{
    morgue_searcher *s = calloc(1, sizeof *s);
    if (!s || !(s->dir = strdup(dir))) {
        free(s);
        return err_set(e, MORGUE_ENOMEM, "out of memory");
    }
    s->ft_fd = s->ftl_fd = -1;
    s->serial = __atomic_add_fetch(&next_serial, 1, __ATOMIC_RELAXED);
    int rc = load(s, prev, e);
    if (rc) {
        free(s->dir);
        free(s);
        return rc;
    }
    filetable_init(&s->ft);
    pthread_mutex_init(&s->lazy_lock, NULL);
    pthread_mutex_init(&s->stem_lock, NULL);
    s->index_bytes += (uint64_t)s->man_st.st_size;
    *out = s;
    return MORGUE_OK;
}

int searcher_local_only(const morgue_searcher *s, const char *what)
{
    if (!s->remote)
        return MORGUE_OK;
    return searcher_fail(s, MORGUE_EINVAL, "%s is not available on a cluster "
                         "(docs/CLUSTER.md)", what);
}

int searcher_new_remote(morgue_searcher **out, const searcher_remote *r,
                        void *ctx, const char *dir, const char *language)
{
    *out = NULL;
    morgue_searcher *s = calloc(1, sizeof *s);
    if (!s || !(s->dir = strdup(dir))) {
        free(s);
        return MORGUE_ENOMEM;
    }
    s->ft_fd = s->ftl_fd = -1;
    s->serial = __atomic_add_fetch(&next_serial, 1, __ATOMIC_RELAXED);
    filetable_init(&s->ft);
    pthread_mutex_init(&s->lazy_lock, NULL);
    pthread_mutex_init(&s->stem_lock, NULL);
    snprintf(s->man.language, sizeof s->man.language, "%s", language);
    s->remote = r;
    s->remote_ctx = ctx;
    *out = s;
    return MORGUE_OK;
}

MORGUE_API int morgue_searcher_open(morgue_searcher **out, const char *dir,
                                    const morgue_searcher_opts *opts)
{
    *out = NULL;
    errmsg *e = err_thread();
    if (opts && !API_SIZE(opts))
        return err_set(e, MORGUE_EINVAL, "unknown morgue_searcher_opts "
                       "version %u", opts->version);
    if (!dir || !*dir)
        return err_set(e, MORGUE_EINVAL, "no index directory");
    return searcher_new(out, dir, NULL, e);
}

/* MANIFEST is replaced by rename, never rewritten in place: the same
 * inode, size and time mean the same commit. */
static int same_manifest(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
           a->st_size == b->st_size &&
           a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
           a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

MORGUE_API int morgue_searcher_reopen(morgue_searcher *s,
                                      morgue_searcher **out)
{
    if (!out)
        return MORGUE_EINVAL;
    *out = NULL;
    if (!s)
        return MORGUE_EINVAL;
    if (s->remote)
        return MORGUE_OK; /* a cluster searcher is never a stale snapshot */
    char path[4096];
    snprintf(path, sizeof path, "%s/MANIFEST", s->dir);
    struct stat st;
    if (stat(path, &st) != 0)
        return searcher_fail(s, errno == ENOENT ? MORGUE_ENOTFOUND
                                                : MORGUE_EIO,
                             "%s: %s", path, strerror(errno));
    if (same_manifest(&st, &s->man_st))
        return MORGUE_OK; /* one stat(): nothing was committed */
    errmsg e;
    manifest m;
    int rc = manifest_read(&m, s->dir, &e);
    if (rc)
        return searcher_fail(s, rc, "%s", e.text);
    uint64_t gen = m.generation;
    manifest_free(&m);
    if (gen == s->man.generation)
        return MORGUE_OK; /* rewritten with the same commit */
    rc = searcher_new(out, s->dir, s, &e);
    return rc ? searcher_fail(s, rc, "%s", e.text) : MORGUE_OK;
}

MORGUE_API void morgue_searcher_close(morgue_searcher *s)
{
    if (!s)
        return;
    if (s->remote)
        s->remote->close(s);
    close_segments(s);
    manifest_free(&s->man);
    filetable_free(&s->ft);
    pthread_mutex_destroy(&s->lazy_lock);
    for (size_t i = 0; i < s->n_stem_pool; i++) {
        stemset_free(s->stem_pool[i]);
        free(s->stem_pool[i]);
    }
    pthread_mutex_destroy(&s->stem_lock);
    free(s->dir);
    free(s);
}

stemset *searcher_stems_take(morgue_searcher *s)
{
    stemset *ss = NULL;
    pthread_mutex_lock(&s->stem_lock);
    if (s->n_stem_pool)
        ss = s->stem_pool[--s->n_stem_pool];
    pthread_mutex_unlock(&s->stem_lock);
    if (ss)
        return ss;
    if (!(ss = malloc(sizeof *ss)))
        return NULL;
    if (stemset_init(ss, s->man.language) != MORGUE_OK) {
        stemset_free(ss);
        free(ss);
        return NULL;
    }
    return ss;
}

void searcher_stems_give(morgue_searcher *s, stemset *ss)
{
    if (!ss)
        return;
    pthread_mutex_lock(&s->stem_lock);
    int kept = s->n_stem_pool < SEARCHER_STEM_POOL;
    if (kept)
        s->stem_pool[s->n_stem_pool++] = ss;
    pthread_mutex_unlock(&s->stem_lock);
    if (!kept) {
        stemset_free(ss);
        free(ss);
    }
}

const filetable *searcher_files(morgue_searcher *s)
{
    pthread_mutex_lock(&s->lazy_lock);
    if (s->ft_state == 0) {
        errmsg e;
        char name[4096];
        filetable_path(name, sizeof name, s->dir, s->man.ftgen);
        s->ft_state = s->ft_fd >= 0 &&
                      filetable_read_fd(&s->ft, s->ft_fd, name, &e) ==
                          MORGUE_OK ? 1 : -1;
    }
    pthread_mutex_unlock(&s->lazy_lock);
    return s->ft_state == 1 ? &s->ft : NULL;
}

int searcher_path_of(morgue_searcher *s, uint64_t id, char *out, size_t cap)
{
    out[0] = '\0';
    pthread_mutex_lock(&s->lazy_lock);
    if (s->ftl_state == 0) {
        errmsg e;
        char name[4096];
        ftlookup_path(name, sizeof name, s->dir, s->man.ftgen);
        s->ftl_state = s->ftl_fd >= 0 && s->ft_fd >= 0 &&
                               ftlookup_open(&s->ftl, s->ftl_fd, s->ft_fd,
                                             name, &e) == MORGUE_OK
                           ? 1
                           : -1;
    }
    int state = s->ftl_state;
    pthread_mutex_unlock(&s->lazy_lock);
    errmsg e;
    if (state == 1) { /* (a read error: the table says it, below) */
        int rc = ftlookup_path_of(&s->ftl, id, out, cap, &e);
        if (rc >= 0)
            return rc;
    }
    /* none (an older writer's index), or not usable: the table parsed */
    const filetable *ft = searcher_files(s);
    uint32_t f = ft ? u64map_get(&ft->owner, id) : U64MAP_NONE;
    if (f == U64MAP_NONE || f >= ft->n_files || ft->files[f].dead)
        return 0;
    snprintf(out, cap, "%s", ft->files[f].path);
    return 1;
}

/* The scans stats() reports, into s (lazy_lock held). */
static int stats_scan(morgue_searcher *s)
{
    /* The range on the articles' own clocks, as the shown dates: META's
     * bounds are instants, so the live dates are read (one column). */
    int64_t first = MORGUE_NO_DATE, last = MORGUE_NO_DATE;
    int need = searcher_need(s, SEG_NEED_DATES);
    if (need)
        return need;
    for (size_t i = 0; i < s->n_segs; i++) {
        const segment *g = &s->segs[i];
        if (g->min_date == MORGUE_NO_DATE)
            continue; /* no dated article */
        for (uint32_t d = 0; d < g->n_docs; d++) {
            int64_t t = segment_local_date(g, d);
            if (t == INT64_MIN || searcher_deleted(s, i, d))
                continue;
            if (first == MORGUE_NO_DATE || t < first)
                first = t;
            if (last == MORGUE_NO_DATE || t > last)
                last = t;
        }
    }
    uint64_t words = s->n_segs == 1 ? s->segs[0].n_words : 0;
    int rc = s->n_segs == 1 ? MORGUE_OK : searcher_count_words(s, &words);
    if (rc == MORGUE_OK) {
        s->first_local = first;
        s->last_local = last;
        s->n_words = words;
        s->stats_done = 1;
    }
    return rc;
}

static int stats(morgue_searcher *s, morgue_stats *out)
{
    searcher_set_warnings("");
    out->documents = manifest_live_docs(&s->man);
    out->segments = s->n_segs;
    out->index_bytes = s->index_bytes;
    out->language = s->lmode.algo; /* the default when it detects */
    pthread_mutex_lock(&s->lazy_lock);
    int rc = s->stats_done ? MORGUE_OK : stats_scan(s);
    pthread_mutex_unlock(&s->lazy_lock);
    out->first_date = rc ? MORGUE_NO_DATE : s->first_local;
    out->last_date = rc ? MORGUE_NO_DATE : s->last_local;
    out->terms = rc ? 0 : s->n_words;
    return rc;
}

MORGUE_API int morgue_searcher_stats(morgue_searcher *s, morgue_stats *out)
{
    size_t n = out ? API_SIZE(out) : 0;
    if (!s || !n)
        return s ? searcher_fail(s, MORGUE_EINVAL, out ? "unknown "
                                 "morgue_stats version %u" : "no stats",
                                 out ? out->version : 0) : MORGUE_EINVAL;
    morgue_stats full = MORGUE_STATS_INIT;
    int rc = s->remote ? s->remote->stats(s, &full) : stats(s, &full);
    API_PUT(out, &full, n);
    return rc;
}
