/* walk.c: morgue_writer_add_path(): walks a folder, compares what it
 * finds with the file table, and reads only what changed; deletes the
 * articles of files that vanished; morgue_writer_delete_path().
 *
 * Safety rules: a root that is missing deletes nothing (an unmounted
 * archive is not an empty one), and a folder that cannot be listed keeps
 * the articles of the files recorded under it. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "indexer/files.h"
#include "util/apiver.h"
#include "util/hash.h"
#include "util/alloc.h"
#include "util/fsutil.h"

#define MAX_DEPTH 64

/* ---- paths ---- */

/* 1 when path is root or inside it. */
static int under(const char *path, const char *root)
{
    size_t n = strlen(root);
    if (strncmp(path, root, n) != 0)
        return 0;
    return path[n] == '\0' || path[n] == '/' || (n == 1 && root[0] == '/');
}

/* ---- walking ---- */

typedef struct flist {
    char **v;
    size_t n, cap;
} flist;

static int push(flist *l, const char *s)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        char **v = mem_rearray(l->v, cap, sizeof *v);
        if (!v)
            return -1;
        l->v = v;
        l->cap = cap;
    }
    return (l->v[l->n] = strdup(s)) ? (int)(++l->n, 0) : -1;
}

static void flist_free(flist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Names in dir, not hidden, sorted; failed gets dir when unreadable. */
static int list_names(const char *dir, flist *names, flist *failed)
{
    DIR *d = opendir(dir);
    if (!d)
        return push(failed, dir);
    struct dirent *de;
    int rc = 0;
    while (rc == 0 && (de = readdir(d)) != NULL)
        if (de->d_name[0] != '.')
            rc = push(names, de->d_name);
    closedir(d);
    if (names->n > 1)
        qsort(names->v, names->n, sizeof *names->v, by_name);
    return rc;
}

/* What a walk collects, and what it must not enter twice. */
typedef struct walker {
    flist files;      /* regular files, in name order */
    flist failed;     /* folders that could not be listed */
    u64map seen_dirs; /* (device, inode) of folders entered */
    dev_t skip_dev;   /* the index's own folder: never read as articles */
    ino_t skip_ino;
} walker;

/* 1 when the folder was entered before (a symlink loop or a second link
 * to it: its files would come twice) or is the index itself. */
static int entered(walker *wk, const struct stat *st, int *oom)
{
    if (st->st_dev == wk->skip_dev && st->st_ino == wk->skip_ino)
        return 1;
    uint64_t key = hash64(&st->st_ino, sizeof st->st_ino) ^
                   ((uint64_t)st->st_dev * 0x9E3779B97F4A7C15ull);
    if (u64map_get(&wk->seen_dirs, key) != U64MAP_NONE)
        return 1;
    *oom = u64map_put(&wk->seen_dirs, key, 0) != 0;
    return 0;
}

/* Collects regular files under dir. -1: out of memory. */
static int walk(walker *wk, const char *dir, int depth)
{
    flist names = { 0 };
    int rc = list_names(dir, &names, &wk->failed);
    for (size_t i = 0; i < names.n && rc == 0; i++) {
        char child[4096];
        struct stat st;
        int n = snprintf(child, sizeof child, "%s/%s", dir, names.v[i]);
        if (n < 0 || (size_t)n >= sizeof child || stat(child, &st) != 0)
            continue; /* dangling symlink, or too long to name */
        if (S_ISREG(st.st_mode))
            rc = push(&wk->files, child);
        else if (S_ISDIR(st.st_mode) && depth < MAX_DEPTH &&
                 !entered(wk, &st, &rc))
            rc = rc ? -1 : walk(wk, child, depth + 1);
    }
    flist_free(&names);
    return rc;
}

/* ---- updating ---- */

/* State of one add_path over one root. */
typedef struct run {
    morgue_writer *w;
    const morgue_add_opts *opts;
    morgue_update_result *res;
    const char *root;
    uint32_t root_ix;     /* index + 1 in the file table's roots */
    walker wk;            /* what the walk found */
    uint64_t done;
} run;

static void report(run *r, const char *path, morgue_file_action action,
                   int status, uint64_t articles, uint64_t bytes)
{
    if (action == MORGUE_FILE_FAILED)
        r->res->files_failed++;
    if (!r->opts->file_done)
        return;
    morgue_file_event ev = { path, action, status,
                             status ? r->w->err.text : NULL, articles,
                             bytes, r->done, r->wk.files.n };
    if (r->opts->file_done(&ev, r->opts->userdata))
        r->w->stop = 1;
}

static int under_failed(const run *r, const char *path)
{
    for (size_t i = 0; i < r->wk.failed.n; i++)
        if (under(path, r->wk.failed.v[i]))
            return 1;
    return 0;
}

/* Deletes the articles of recorded files under the root that the walk
 * did not find. */
static int remove_vanished(run *r)
{
    filetable *ft = &r->w->ft;
    for (size_t i = 0; i < ft->n_files; i++)
        ft->files[i].seen = 0;
    for (size_t i = 0; i < r->wk.files.n; i++) {
        long f = filetable_find(ft, r->wk.files.v[i]);
        if (f >= 0)
            ft->files[f].seen = 1;
    }
    for (size_t i = 0; i < ft->n_files; i++) {
        ft_file *x = &ft->files[i];
        if (x->dead || x->seen || !under(x->path, r->root) ||
            under_failed(r, x->path))
            continue;
        int rc = writer_vanish(r->w, i, &r->res->articles_deleted);
        if (rc)
            return rc;
        r->res->files_removed++;
        report(r, ft->files[i].path, MORGUE_FILE_REMOVED, MORGUE_OK, 0, 0);
    }
    return MORGUE_OK;
}

/* 1 when size and time are as recorded (and the entry is not racy, nor
 * a file a checkpoint committed part of). */
static int same_stamp(const ft_file *x, const struct stat *st)
{
    int64_t mt = (int64_t)st->st_mtim.tv_sec * 1000000000 +
                 st->st_mtim.tv_nsec;
    return x->size == (uint64_t)st->st_size && x->mtime_ns == mt &&
           !(x->flags & (FT_RACY | FT_PARTIAL));
}

/* One file: skipped when unchanged, else read. Returns an error only when
 * the writer can go no further. */
static int update_file(run *r, const char *path)
{
    morgue_writer *w = r->w;
    struct stat st;
    long f = filetable_find(&w->ft, path);
    int same = 0;
    r->done++;
    r->res->files_seen++;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
        err_set(&w->err, MORGUE_EIO, "cannot read %s: %s", path,
                strerror(errno));
        report(r, path, MORGUE_FILE_FAILED, MORGUE_EIO, 0, 0);
        return MORGUE_OK;
    }
    if (f >= 0)
        same = same_stamp(&w->ft.files[f], &st);
    /* A file that grew (or a checkpoint committed part of) and has a
     * resume point is not hashed whole: it is read on from there (files.c
     * checks the bytes before it). The same size: the hash decides, and
     * when it differs (or is not known: 0, the file was read on last
     * time) files.c still reads on from a resume point that holds. */
    const ft_file *x = f >= 0 ? &w->ft.files[f] : NULL;
    int resume = !same && x && !w->rebuild && (x->flags & FT_RESUME) &&
                 ((x->flags & FT_PARTIAL) ||
                  x->size < (uint64_t)st.st_size);
    /* (the place is the content's, past the size of a .gz: files.c
     * checks it against the content) */
    uint64_t hash = 0;
    int rc = same || resume ? MORGUE_OK : writer_hash_file(w, path, &hash);
    if (rc) {
        report(r, path, MORGUE_FILE_FAILED, rc, 0, 0);
        return MORGUE_OK;
    }
    if (!same && !resume && f >= 0 && w->ft.files[f].hash == hash &&
        w->ft.files[f].size == (uint64_t)st.st_size) {
        writer_touched(w, (size_t)f, &st); /* touched, not changed */
        w->ft_soft = 1;
        same = 1;
    }
    if (same) {
        r->res->files_unchanged++;
        report(r, path, MORGUE_FILE_UNCHANGED, MORGUE_OK, 0, 0);
        return MORGUE_OK;
    }
    morgue_add_result ar = MORGUE_ADD_RESULT_INIT;
    uint64_t deleted = w->n_deleted;
    rc = writer_read_file(w, path, r->root_ix, &st, hash, r->opts, &ar);
    r->res->articles_added += ar.articles;
    r->res->articles_deleted += w->n_deleted - deleted;
    r->res->skipped += ar.skipped;
    r->res->warnings += ar.warnings;
    r->res->bytes += ar.bytes;
    if (rc == MORGUE_EINVAL) /* a bad option (format name): stop */
        return rc;
    if (rc && !w->broken) { /* unreadable: its articles stay */
        report(r, path, MORGUE_FILE_FAILED, rc, 0, 0);
        return MORGUE_OK;
    }
    if (rc)
        return rc;
    report(r, path, f >= 0 ? MORGUE_FILE_CHANGED : MORGUE_FILE_ADDED,
           MORGUE_OK, ar.articles, ar.bytes);
    if (f >= 0)
        r->res->files_changed++;
    else
        r->res->files_added++;
    return MORGUE_OK;
}

/* Commits between files once the budget has flushed a segment. */
static int checkpoint(run *r)
{
    if (!r->opts->checkpoint ||
        r->w->rebuild || writer_pending(r->w) == 0)
        return MORGUE_OK;
    return morgue_writer_commit(r->w);
}

static int list_root(run *r)
{
    struct stat st;
    morgue_writer *w = r->w;
    if (stat(r->root, &st) != 0)
        return err_set(&w->err, errno == ENOENT ? MORGUE_ENOTFOUND
                                                : MORGUE_EIO,
                       "%s: %s (nothing recorded under it was deleted)",
                       r->root, strerror(errno));
    int rc = 0;
    if (S_ISREG(st.st_mode))
        rc = push(&r->wk.files, r->root);
    else if (S_ISDIR(st.st_mode)) {
        struct stat self;
        if (stat(w->dir, &self) == 0) {
            r->wk.skip_dev = self.st_dev;
            r->wk.skip_ino = self.st_ino;
        }
        if (!entered(&r->wk, &st, &rc))
            rc = rc ? -1 : walk(&r->wk, r->root, 0);
    }
    else
        return err_set(&w->err, MORGUE_EIO, "%s: not a file or folder",
                       r->root);
    if (rc)
        return err_set(&w->err, MORGUE_ENOMEM, "out of memory");
    for (size_t i = 0; i < r->wk.failed.n; i++) {
        err_set(&w->err, MORGUE_EIO, "cannot list %s (its files' articles "
                "are kept)", r->wk.failed.v[i]);
        report(r, r->wk.failed.v[i], MORGUE_FILE_FAILED, MORGUE_EIO, 0, 0);
    }
    return MORGUE_OK;
}

static int add_root(morgue_writer *w, const char *root,
                    const morgue_add_opts *opts, morgue_update_result *res)
{
    run r = { .w = w, .opts = opts, .res = res, .root = root };
    int rc = list_root(&r);
    if (rc == MORGUE_OK) {
        size_t before = w->ft.n_roots;
        r.root_ix = filetable_root(&w->ft, root);
        if (!r.root_ix)
            rc = err_set(&w->err, MORGUE_ENOMEM, "out of memory");
        else if (w->ft.n_roots != before)
            w->ft_dirty = 1;
    }
    if (rc == MORGUE_OK)
        rc = remove_vanished(&r);
    for (size_t i = 0; i < r.wk.files.n && rc == MORGUE_OK && !w->stop;
         i++) {
        rc = update_file(&r, r.wk.files.v[i]);
        if (rc == MORGUE_OK)
            rc = checkpoint(&r);
    }
    flist_free(&r.wk.files);
    flist_free(&r.wk.failed);
    u64map_free(&r.wk.seen_dirs);
    return rc;
}

/* Every root recorded by earlier runs. */
static int add_all_roots(morgue_writer *w, const morgue_add_opts *opts,
                         morgue_update_result *res)
{
    flist roots = { 0 };
    for (size_t i = 0; i < w->ft.n_roots; i++)
        if (w->ft.roots[i] && push(&roots, w->ft.roots[i])) {
            flist_free(&roots);
            return err_set(&w->err, MORGUE_ENOMEM, "out of memory");
        }
    int first = MORGUE_OK;
    size_t n = roots.n;
    for (size_t i = 0; i < n && !w->broken && !w->stop; i++) {
        int rc = add_root(w, roots.v[i], opts, res);
        if (rc && first == MORGUE_OK)
            first = rc;
    }
    flist_free(&roots);
    if (n == 0 && first == MORGUE_OK)
        first = err_set(&w->err, MORGUE_ENOTFOUND,
                        "no folders recorded in this index yet");
    return first;
}

static int add_path(morgue_writer *w, const char *path,
                    const morgue_add_opts *opts, morgue_update_result *res)
{
    int rc = writer_usable(w);
    if (rc)
        return rc;
    if (!path)
        return add_all_roots(w, opts, res);
    char canon[4096];
    if (fs_canon_path(path, canon, sizeof canon) != 0)
        return err_set(&w->err, MORGUE_EIO, "%s: %s", path, strerror(errno));
    return add_root(w, canon, opts, res);
}

MORGUE_API int morgue_writer_add_path(morgue_writer *w, const char *path,
                                      const morgue_add_opts *opts,
                                      morgue_update_result *result)
{
    morgue_update_result full = MORGUE_UPDATE_RESULT_INIT;
    size_t n = result ? API_SIZE(result) : 0;
    if (!w || (result && !n))
        return w ? err_set(&w->err, MORGUE_EINVAL,
                           "unknown morgue_update_result version %u",
                           result->version) : MORGUE_EINVAL;
    morgue_add_opts o;
    int rc = writer_add_opts(w, opts, &o);
    w->stop = 0;
    if (rc == MORGUE_OK)
        rc = add_path(w, path, &o, &full);
    if (rc == MORGUE_OK && w->stop)
        rc = err_set(&w->err, MORGUE_ECANCELED, "stopped by a callback "
                     "after %llu files (their changes are kept)",
                     (unsigned long long)full.files_seen);
    if (result)
        API_PUT(result, &full, n);
    return rc;
}

MORGUE_API int morgue_writer_delete_path(morgue_writer *w, const char *path)
{
    if (!w || !path)
        return w ? err_set(&w->err, MORGUE_EINVAL, "no path") : MORGUE_EINVAL;
    int rc = writer_usable(w);
    if (rc)
        return rc;
    char canon[4096];
    if (fs_canon_path(path, canon, sizeof canon) != 0)
        return err_set(&w->err, MORGUE_EIO, "%s: %s", path, strerror(errno));
    uint64_t files = 0, n = 0;
    for (size_t i = 0; i < w->ft.n_files; i++) {
        if (w->ft.files[i].dead || !under(w->ft.files[i].path, canon))
            continue;
        if ((rc = writer_vanish(w, i, &n)))
            return rc;
        files++;
    }
    for (size_t i = 0; i < w->ft.n_roots; i++)
        if (w->ft.roots[i] && under(w->ft.roots[i], canon)) {
            free(w->ft.roots[i]); /* a later path-less run skips it */
            w->ft.roots[i] = NULL;
            w->ft_dirty = 1;
        }
    return files ? MORGUE_OK
                 : err_set(&w->err, MORGUE_ENOTFOUND,
                           "no indexed file at or under %s", canon);
}
