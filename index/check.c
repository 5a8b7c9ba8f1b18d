/* check.c: morgue_index_check(): the whole index of the last commit. The
 * manifest (checksum, fields), then each segment (check_segment.c) and
 * its deletion file, then what holds across files: no identity is live
 * in two places, and every article the file table lists is live.
 *
 * It reads a snapshot like a searcher, without the writer lock: when a
 * file MANIFEST names is missing and MANIFEST has meanwhile changed, a
 * writer committed and removed it, and the check starts over; when
 * MANIFEST has not changed, the file is missing for real (corruption). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "index/check.h"
#include "index/delfile.h"
#include "index/filetable.h"
#include "index/ftlookup.h"
#include "index/snapshot.h"
#include "util/apiver.h"
#include "util/hash.h"
#include "util/alloc.h"

/* Live identities with where they live, for the cross-file checks (16
 * bytes an article: a check's biggest table). */
typedef struct ident_ref {
    uint64_t hash;
    uint32_t seg; /* index in the manifest */
    uint32_t doc;
} ident_ref;

typedef struct live_ids {
    ident_ref *v;
    size_t n, cap;
} live_ids;

static int collect(live_ids *l, const segment *s, uint32_t seg,
                   const uint8_t *del)
{
    const uint64_t none = hash64("", 0); /* articles without identity */
    if (l->cap - l->n < s->n_docs) {
        size_t cap = l->n + s->n_docs + 1024;
        ident_ref *v = mem_rearray(l->v, cap, sizeof *v);
        if (!v)
            return MORGUE_ENOMEM;
        l->v = v;
        l->cap = cap;
    }
    for (uint32_t i = 0; i < s->n_docs; i++) {
        uint32_t d = segment_ident_doc(s, i);
        uint64_t h = segment_ident_hash(s, i);
        if (h != none && !(del && delfile_test(del, d)))
            l->v[l->n++] = (ident_ref){ h, seg, d };
    }
    return MORGUE_OK;
}

static int by_hash(const void *a, const void *b)
{
    const ident_ref *x = a, *y = b;
    return (x->hash > y->hash) - (x->hash < y->hash);
}

static int is_live(const live_ids *l, uint64_t h)
{
    size_t lo = 0, hi = l->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (l->v[mid].hash < h)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < l->n && l->v[lo].hash == h;
}

static int check_unique(live_ids *l, const manifest *m, errmsg *e)
{
    if (l->n > 1)
        qsort(l->v, l->n, sizeof *l->v, by_hash);
    for (size_t i = 1; i < l->n; i++)
        if (l->v[i].hash == l->v[i - 1].hash)
            return err_corrupt(e, "identity %016" PRIx64 " is live twice: "
                               "segment %016" PRIx64 " document %u and "
                               "segment %016" PRIx64 " document %u",
                               l->v[i].hash, m->segs[l->v[i - 1].seg].id,
                               l->v[i - 1].doc, m->segs[l->v[i].seg].id,
                               l->v[i].doc);
    return MORGUE_OK;
}

/* Every article the file table lists is live, and listed once. */
static int check_files(const char *dir, uint64_t gen, const live_ids *l,
                       morgue_check_result *r, errmsg *e)
{
    filetable ft;
    filetable_init(&ft);
    int rc = filetable_read(&ft, dir, gen, e);
    char path[4096];
    filetable_path(path, sizeof path, dir, gen);
    uint64_t listed = 0;
    for (size_t i = 0; rc == MORGUE_OK && i < ft.n_files; i++) {
        const ft_file *f = &ft.files[i];
        for (uint32_t k = 0; rc == MORGUE_OK && k < f->n_ids; k++)
            if (!is_live(l, f->ids[k]))
                rc = err_corrupt(e, "%s: article %016" PRIx64 " of %s is "
                                 "not in the index", path, f->ids[k],
                                 f->path);
        listed += f->n_ids;
    }
    if (rc == MORGUE_OK && listed != ft.owner.n)
        rc = err_corrupt(e, "%s: an article is listed by two files", path);
    if (rc == MORGUE_OK) /* and its lookup (paths of hits) */
        rc = ftlookup_check(dir, gen, &ft, &r->bytes, e);
    struct stat st;
    if (rc == MORGUE_OK && stat(path, &st) == 0)
        r->bytes += (uint64_t)st.st_size;
    r->files = filetable_count(&ft);
    r->file_articles = listed;
    filetable_free(&ft);
    return rc;
}

/* Each segment of m; live identities into l. */
static int check_segments(const char *dir, const manifest *m, live_ids *l,
                          morgue_check_result *r, errmsg *e)
{
    for (size_t i = 0; i < m->n_segs; i++) {
        segment s;
        uint8_t *del;
        int rc = check_segment(dir, &m->segs[i], &s, &del, r, e);
        if (rc)
            return rc;
        rc = collect(l, &s, (uint32_t)i, del);
        r->segments++;
        r->documents += m->segs[i].n_docs - m->segs[i].n_deleted;
        r->deleted += m->segs[i].n_deleted;
        segment_close(&s);
        free(del);
        if (rc)
            return err_set(e, MORGUE_ENOMEM, "out of memory");
    }
    return MORGUE_OK;
}

typedef struct check_run {
    const char *dir;
    morgue_check_result *r;
} check_run;

/* One pass over the commit *gen names (a snapshot_pass). */
static int check_once(void *ud, uint64_t *gen, errmsg *e)
{
    const char *dir = ((check_run *)ud)->dir;
    morgue_check_result *r = ((check_run *)ud)->r;
    manifest m;
    static const morgue_check_result zero = MORGUE_CHECK_RESULT_INIT;
    *r = zero;
    int rc = manifest_read(&m, dir, e);
    if (rc == MORGUE_ENOTFOUND)
        return err_set(e, MORGUE_ENOTFOUND, "%s: no morgue index here (no "
                       "MANIFEST)", dir);
    if (rc)
        return rc;
    *gen = m.generation;
    live_ids l = { 0 };
    rc = check_segments(dir, &m, &l, r, e);
    if (rc == MORGUE_OK)
        rc = check_unique(&l, &m, e);
    if (rc == MORGUE_OK && m.ftgen)
        rc = check_files(dir, m.ftgen, &l, r, e);
    free(l.v);
    manifest_free(&m);
    return rc;
}

MORGUE_API int morgue_index_check(const char *dir,
                                  morgue_check_result *result)
{
    morgue_check_result full = MORGUE_CHECK_RESULT_INIT;
    size_t n = result ? API_SIZE(result) : 0;
    errmsg *e = err_thread();
    if (result && !n)
        return err_set(e, MORGUE_EINVAL, "unknown morgue_check_result "
                       "version %u", result->version);
    if (!dir || !*dir)
        return err_set(e, MORGUE_EINVAL, "no index directory");
    check_run run = { dir, &full };
    int rc = snapshot_retry(dir, check_once, &run, e);
    if (result)
        API_PUT(result, &full, n);
    return rc;
}
