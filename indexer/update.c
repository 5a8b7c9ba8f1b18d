/* update.c: adding, replacing and deleting articles.
 *
 * Every article carries an identity (its stored id field) whose hash64 is
 * kept per segment in the IDNT section. Adding an article first deletes
 * every live document with the same identity hash: in the committed and
 * pending segments (a binary search of each IDNT) and in the batch being
 * built (a hash map). Deletions are bits in per-segment bitmaps, written
 * as new deletion files at commit; the batch's own deletions travel with
 * it when it is flushed into a segment. Reading files into the writer, and
 * the file table that says which file gave which articles, are files.c. */
#include <stdlib.h>
#include <string.h>

#include "formats/source.h"
#include "index/docstore.h"
#include "index/delfile.h"
#include "index/format.h"
#include "indexer/update.h"
#include "util/apiver.h"
#include "util/hash.h"

/* ---- deleting ---- */

/* Grows *bm (zero-filled; *cap bytes) to hold n_docs bits. */
static int fit(uint8_t **bm, size_t *cap, uint32_t n_docs)
{
    size_t need = delfile_bitmap_size(n_docs);
    if (*bm && *cap >= need)
        return MORGUE_OK;
    size_t n = need > 2 * *cap ? need : 2 * *cap;
    uint8_t *p = realloc(*bm, n + 1);
    if (!p)
        return MORGUE_ENOMEM;
    memset(p + (*bm ? *cap : 0), 0, n + 1 - (*bm ? *cap : 0));
    *bm = p;
    *cap = n;
    return MORGUE_OK;
}

/* Sets bit doc of *bm, growing it to hold n_docs bits. */
static int mark(uint8_t **bm, size_t *cap, uint32_t n_docs, uint32_t doc)
{
    if (fit(bm, cap, n_docs))
        return MORGUE_ENOMEM;
    delfile_set(*bm, doc);
    return MORGUE_OK;
}

static int delete_in_seg(wseg *g, uint64_t h, uint64_t *n)
{
    const segment *s = &g->seg;
    for (uint32_t i = segment_ident_lower(s, h);
         i < s->n_docs && segment_ident_hash(s, i) == h; i++) {
        uint32_t doc = segment_ident_doc(s, i);
        if (doc >= s->n_docs || (g->del && delfile_test(g->del, doc)))
            continue;
        size_t cap = g->del ? delfile_bitmap_size(s->n_docs) : 0;
        if (mark(&g->del, &cap, s->n_docs, doc))
            return MORGUE_ENOMEM;
        g->n_del++;
        g->dirty = 1;
        (*n)++;
    }
    return MORGUE_OK;
}

int writer_delete_ident(morgue_writer *w, uint64_t h, uint64_t *n)
{
    if (w->sink) { /* the sink cannot say whether it existed: count it */
        int rc = w->sink->del(w->sink_ctx, h, &w->err);
        if (rc)
            return rc;
        (*n)++;
        w->n_deleted++;
        return MORGUE_OK;
    }
    uint64_t before = *n;
    for (size_t i = 0; i < w->n_segs; i++) {
        if (w->segs[i].drop)
            continue;
        int rc = segment_need(&w->segs[i].seg, SEG_NEED_IDNT, &w->err);
        if (rc)
            return rc;
        if (delete_in_seg(&w->segs[i], h, n))
            return err_set(&w->err, MORGUE_ENOMEM, "out of memory");
    }
    uint32_t doc = u64map_get(&w->batch, h);
    if (doc != U64MAP_NONE) {
        if (mark(&w->batch_del, &w->batch_del_cap, w->inv.n_docs, doc))
            return err_set(&w->err, MORGUE_ENOMEM, "out of memory");
        u64map_del(&w->batch, h);
        w->batch_n_del++;
        (*n)++;
    }
    w->n_deleted += *n - before;
    return MORGUE_OK;
}

static void writer_batch_reset(morgue_writer *w)
{
    u64map_clear(&w->batch);
    free(w->batch_del);
    w->batch_del = NULL;
    w->batch_del_cap = 0;
    w->batch_n_del = 0;
}

/* ---- flushing the batch ---- */

/* Sends a sink's buffer; a failure breaks the writer (what it held is
 * gone) and leaves the file table at the last commit. */
static int flush_sink(morgue_writer *w)
{
    if (w->sink->buffered(w->sink_ctx) == 0)
        return MORGUE_OK;
    int rc = w->sink->flush(w->sink_ctx, &w->err);
    if (rc == MORGUE_OK)
        w->sink_sent = 1;
    return writer_break(w, rc);
}

int writer_flush(morgue_writer *w)
{
    if (w->sink)
        return flush_sink(w);
    if (w->inv.n_docs == 0)
        return MORGUE_OK;
    char path[4096];
    segment_path(path, sizeof path, w->dir, w->next_id);
    uint32_t docs = w->inv.n_docs;
    uint8_t *del = NULL;
    if (w->batch_n_del) {
        if (fit(&w->batch_del, &w->batch_del_cap, docs))
            return err_set(&w->err, MORGUE_ENOMEM, "out of memory");
        del = w->batch_del;
    }
    int rc = writer_lock_held(w);
    if (rc == MORGUE_OK)
        rc = inverter_flush(&w->inv, path, &w->err);
    if (rc)
        return rc; /* the batch is intact: a later commit may retry */
    uint32_t n_del = w->batch_n_del;
    w->batch_del = NULL; /* handed to the segment */
    writer_batch_reset(w);
    rc = writer_add_seg(w, w->next_id++, del, n_del);
    return writer_break(w, rc); /* the batch is gone */
}

/* ---- adding ---- */

/* The batch's share of the budget: what the file table's identities and
 * the identity maps (which grow with the index, not the batch) and the
 * prep pipe leave, but never under a quarter of it, so that a budget too
 * small for the index still makes segments of some size
 * (docs/OPERATIONS.md, "Memory"). Measured again every 4096 articles: it
 * moves slowly. */
static size_t writer_room(morgue_writer *w)
{
    if (w->fixed_age == 0 || w->fixed_age >= 4096) {
        w->fixed_mem = filetable_memory(&w->ft) + u64map_memory(&w->batch) +
                       w->batch_del_cap + w->prep.max_bytes;
        w->fixed_age = 0;
    }
    w->fixed_age++;
    size_t quarter = w->budget / 4;
    return w->fixed_mem + quarter < w->budget ? w->budget - w->fixed_mem
                                              : quarter;
}

/* Inverts one prepared article (or gives it to the sink), replacing any
 * with its identity; flushes beyond the budget. */
static int invert_job(morgue_writer *w, prep_job *j)
{
    if (j->rc)
        return err_set(&w->err, j->rc, "out of memory");
    if (j->ckpt && w->ckpt) { /* as if between the articles: in order */
        w->in_ckpt = 1;
        int rc = w->ckpt(w->ckpt_ctx, &j->pos);
        w->in_ckpt = 0;
        if (rc)
            return rc;
    }
    const invert_doc *d = &j->d;
    uint64_t n = 0;
    int rc;
    if (w->sink) { /* replaces by identity on its own */
        if (!d->id.len)
            return MORGUE_OK; /* no identity: it could never be deleted */
        if ((rc = w->sink->put(w->sink_ctx, d, &w->err)))
            return rc;
    } else {
        rc = d->id.len ? writer_delete_ident(w, d->ident, &n) : MORGUE_OK;
        if (rc)
            return rc;
        uint32_t doc = w->inv.n_docs;
        rc = inverter_add(&w->inv, d, &j->toks);
        int io = rc == MORGUE_EIO ? docstore_check(&w->inv.store, &w->err)
                                  : 0;
        if (io)
            return io; /* the stored text's temporary file failed */
        if (rc || (d->id.len && u64map_put(&w->batch, d->ident, doc)))
            return err_set(&w->err, MORGUE_ENOMEM, "out of memory");
    }
    if (j->file >= 0) {
        if (filetable_claim(&w->ft, (size_t)j->file, d->ident))
            return err_set(&w->err, MORGUE_ENOMEM, "out of memory");
        w->ft_dirty = 1;
    } else if (d->id.len &&
               u64map_get(&w->ft.owner, d->ident) != U64MAP_NONE) {
        filetable_release(&w->ft, d->ident); /* no file holds it now */
        w->ft_dirty = 1;
    }
    if (w->sink ? w->sink->buffered(w->sink_ctx) >= w->budget
                : inverter_memory(&w->inv) >= writer_room(w))
        return writer_flush(w);
    return MORGUE_OK;
}

/* Inverts the oldest article of the pipe (waiting for it when wait);
 * 1 when there was none ready. A failure empties the pipe (the writer is
 * then broken by the caller). */
static int invert_next(morgue_writer *w, int wait)
{
    prep_job *j = prep_head(&w->prep, wait);
    if (!j)
        return 1;
    int rc = invert_job(w, j);
    prep_pop(&w->prep);
    if (rc)
        prep_discard(&w->prep);
    return rc;
}

int writer_drain(morgue_writer *w)
{
    if (w->in_ckpt)
        return MORGUE_OK; /* the checkpoint's commit: the pipe's articles
                             come after it */
    int rc;
    while ((rc = invert_next(w, 1)) == MORGUE_OK)
        ;
    return rc == 1 ? MORGUE_OK : rc;
}

int writer_add_doc(morgue_writer *w, const prep_in *in)
{
    size_t raw = 0;
    for (int i = 0; i < N_TEXT; i++)
        raw += in->f[i].len;
    for (size_t i = 0; i < in->n_tags && i < FMT_MAX_TAGS; i++)
        raw += in->tags[i].len;
    size_t cost = prep_cost(raw);
    int rc;
    while (!prep_room(&w->prep, cost))
        if ((rc = invert_next(w, 1)))
            return rc;
    if (prep_put(&w->prep, in))
        return err_set(&w->err, MORGUE_ENOMEM, "out of memory");
    /* what is ready now, without waiting: the workers stay ahead */
    while ((rc = invert_next(w, 0)) == MORGUE_OK)
        ;
    return rc == 1 ? MORGUE_OK : rc;
}

MORGUE_API int morgue_writer_add(morgue_writer *w, const morgue_article *in)
{
    morgue_article full = MORGUE_ARTICLE_INIT;
    const morgue_article *a = &full;
    size_t sz = in ? API_SIZE(in) : 0;
    if (!w || !sz)
        return w ? err_set(&w->err, MORGUE_EINVAL, in ? "unknown "
                           "morgue_article version %u" : "no article",
                           in ? in->version : 0) : MORGUE_EINVAL;
    memcpy(&full, in, sz);
    int rc = writer_usable(w);
    if (rc)
        return rc;
    span tags[FMT_MAX_TAGS];
    size_t n = a->n_tags < FMT_MAX_TAGS ? a->n_tags : FMT_MAX_TAGS;
    for (size_t i = 0; i < n; i++)
        tags[i] = span_cstr(a->tags[i]);
    span f[N_TEXT] = { span_cstr(a->id ? a->id : a->url), span_cstr(a->url),
                       span_cstr(a->title), span_cstr(a->source),
                       span_cstr(a->body) };
    prep_in p = { f, tags, n, a->date, a->date_offset,
                  span_cstr(a->lang), /* NULL before version 3 */
                  -1, { 0, 0, 0 }, 0 };
    return writer_break(w, writer_add_doc(w, &p));
}

MORGUE_API int morgue_writer_delete(morgue_writer *w, const char *id)
{
    if (!w || !id)
        return w ? err_set(&w->err, MORGUE_EINVAL, "no id") : MORGUE_EINVAL;
    int rc = writer_usable(w);
    if (rc)
        return rc;
    if ((rc = writer_drain(w))) /* the articles added before it */
        return writer_break(w, rc);
    uint64_t h = hash64(id, strlen(id)), n = 0;
    rc = writer_delete_ident(w, h, &n);
    if (rc)
        return writer_break(w, rc);
    if (u64map_get(&w->ft.owner, h) != U64MAP_NONE) {
        filetable_release(&w->ft, h);
        w->ft_dirty = 1;
    }
    return n ? MORGUE_OK
             : err_set(&w->err, MORGUE_ENOTFOUND,
                       "no article with identity '%s'", id);
}
