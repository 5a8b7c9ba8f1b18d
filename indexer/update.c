/* update.c: adding, replacing and deleting articles.
 *
 * Every article carries an identity (its stored id field) whose hash64 is
 * kept per segment in the IDNT section. Adding an article first deletes
 * every live document with the same identity hash: in the committed and
 * pending segments (a binary search of each IDNT) and in the batch being
 * built (a hash map). Deletions are bits in per-segment bitmaps, written
 * as new deletion files at commit; the batch's own deletions travel with
 * it when it is flushed into a segment. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "formats/source.h"
#include "index/docstore.h"
#include "index/delfile.h"
#include "index/format.h"
#include "indexer/writer_int.h"
#include "util/apiver.h"
#include "util/hash.h"
#include "util/utf8.h"

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
    for (size_t i = 0; i < w->n_segs; i++)
        if (!w->segs[i].drop && delete_in_seg(&w->segs[i], h, n))
            return err_set(&w->err, MORGUE_ENOMEM, "out of memory");
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

void writer_batch_reset(morgue_writer *w)
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

/* Copies s into b as valid UTF-8. */
static span clean(buf *b, span s)
{
    buf_clear(b);
    if (utf8_valid(s.ptr, s.len))
        return s;
    utf8_repair(b, s.ptr, s.len);
    return buf_span(b);
}

/* Repairs the tags into w->tagtext; out gets spans into it. */
static int clean_tags(morgue_writer *w, const span *tags, size_t n,
                      span *out)
{
    size_t offs[FMT_MAX_TAGS + 1];
    buf_clear(&w->tagtext);
    for (size_t i = 0; i < n; i++) {
        offs[i] = w->tagtext.len;
        utf8_repair(&w->tagtext, tags[i].ptr, tags[i].len);
    }
    offs[n] = w->tagtext.len;
    for (size_t i = 0; i < n; i++)
        out[i] = span_of(w->tagtext.ptr + offs[i], offs[i + 1] - offs[i]);
    return w->tagtext.oom ? MORGUE_ENOMEM : MORGUE_OK;
}

/* The inverter's view of an article: repaired text, a sane date. */
static int prepare(morgue_writer *w, invert_doc *d, const span *f,
                   const span *tags, size_t n_tags, int64_t date,
                   span *tag_out)
{
    d->id = clean(&w->text[0], f[0]);
    d->url = clean(&w->text[1], f[1]);
    d->title = clean(&w->text[2], f[2]);
    d->source = clean(&w->text[3], f[3]);
    d->body = clean(&w->text[4], f[4]);
    for (int i = 0; i < N_TEXT; i++)
        if (w->text[i].oom)
            return MORGUE_ENOMEM;
    if (n_tags > FMT_MAX_TAGS)
        n_tags = FMT_MAX_TAGS;
    if (clean_tags(w, tags, n_tags, tag_out))
        return MORGUE_ENOMEM;
    d->tags = tag_out;
    d->n_tags = n_tags;
    d->date = date >= DATE_MIN && date <= DATE_MAX ? date : MORGUE_NO_DATE;
    d->ident = hash64(d->id.ptr, d->id.len);
    return MORGUE_OK;
}

/* Adds one article (fields id, url, title, source, body), replacing any
 * with its identity; file is its file table entry, or -1. */
static int add_doc(morgue_writer *w, const span *f, const span *tags,
                   size_t n_tags, int64_t date, long file)
{
    span tag_spans[FMT_MAX_TAGS];
    invert_doc d;
    if (prepare(w, &d, f, tags, n_tags, date, tag_spans))
        return err_set(&w->err, MORGUE_ENOMEM, "out of memory");
    uint64_t n = 0;
    int rc;
    if (w->sink) { /* replaces by identity on its own */
        if (!d.id.len)
            return MORGUE_OK; /* no identity: it could never be deleted */
        if ((rc = w->sink->put(w->sink_ctx, &d, &w->err)))
            return rc;
    } else {
        rc = d.id.len ? writer_delete_ident(w, d.ident, &n) : MORGUE_OK;
        if (rc)
            return rc;
        uint32_t doc = w->inv.n_docs;
        if (inverter_add(&w->inv, &d) ||
            (d.id.len && u64map_put(&w->batch, d.ident, doc)))
            return err_set(&w->err, MORGUE_ENOMEM, "out of memory");
    }
    if (file >= 0) {
        if (filetable_claim(&w->ft, (size_t)file, d.ident))
            return err_set(&w->err, MORGUE_ENOMEM, "out of memory");
        w->ft_dirty = 1;
    } else if (d.id.len &&
               u64map_get(&w->ft.owner, d.ident) != U64MAP_NONE) {
        filetable_release(&w->ft, d.ident); /* no file holds it now */
        w->ft_dirty = 1;
    }
    if (w->sink ? w->sink->buffered(w->sink_ctx) >= w->budget
                : inverter_memory(&w->inv) >= w->budget)
        return writer_flush(w);
    return MORGUE_OK;
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
    return writer_break(w, add_doc(w, f, tags, n, a->date, -1));
}

MORGUE_API int morgue_writer_delete(morgue_writer *w, const char *id)
{
    if (!w || !id)
        return w ? err_set(&w->err, MORGUE_EINVAL, "no id") : MORGUE_EINVAL;
    int rc = writer_usable(w);
    if (rc)
        return rc;
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

int writer_vanish(morgue_writer *w, size_t f, uint64_t *n_deleted)
{
    ft_file *x = &w->ft.files[f];
    for (uint32_t k = 0; k < x->n_ids; k++) {
        int rc = writer_delete_ident(w, x->ids[k], n_deleted);
        if (rc)
            return writer_break(w, rc);
    }
    filetable_drop(&w->ft, f);
    w->ft_dirty = 1;
    return MORGUE_OK;
}

/* ---- files ---- */

/* Feeds a format reader's articles to the writer. */
typedef struct file_ctx {
    morgue_writer *w;
    const char *path;
    const morgue_add_opts *opts;
    morgue_add_result *res;
    buf id;
    uint32_t root;      /* for a new entry */
    long file;          /* file table entry, once started */
} file_ctx;

/* Before the file's first article (or at its end, when it has none): its
 * old articles go, and its entry is emptied or created. */
static int start_file(file_ctx *c)
{
    morgue_writer *w = c->w;
    long f = filetable_find(&w->ft, c->path);
    if (f >= 0) {
        ft_file *x = &w->ft.files[f];
        uint64_t n = 0;
        for (uint32_t k = 0; k < x->n_ids; k++) {
            int rc = writer_delete_ident(w, x->ids[k], &n);
            if (rc)
                return rc;
        }
        filetable_clear_ids(&w->ft, (size_t)f);
    } else if ((f = filetable_add(&w->ft, c->path, c->root)) < 0) {
        return err_set(&w->err, MORGUE_ENOMEM, "out of memory");
    }
    c->file = f;
    w->ft_dirty = 1;
    return MORGUE_OK;
}

static void on_warning(void *ud, uint64_t line, uint64_t offset,
                       const char *msg);

static int on_article(void *ud, const fmt_article *a)
{
    file_ctx *c = ud;
    if (docstore_would_cap(MORGUE_FIELD_BODY, a->body.len)) {
        char msg[160];
        snprintf(msg, sizeof msg, "article body of %zu bytes: all of it "
                 "indexed, the first %u MiB stored (for snippets and show)",
                 a->body.len, DOCSTORE_BODY_MAX >> 20);
        on_warning(ud, a->line, a->offset, msg);
    }
    int rc = c->file < 0 ? start_file(c) : MORGUE_OK;
    if (rc)
        return rc;
    span id = a->id;
    if (id.len == 0) { /* no id of its own: the path (and record number) */
        buf_clear(&c->id);
        buf_puts(&c->id, c->path);
        if (a->ordinal)
            buf_printf(&c->id, "#%" PRIu64, a->ordinal);
        if (c->id.oom)
            return err_set(&c->w->err, MORGUE_ENOMEM, "out of memory");
        id = buf_span(&c->id);
    }
    span f[N_TEXT] = { id, a->url.len ? a->url : span_cstr(c->path), a->title,
                       a->source, a->body };
    rc = add_doc(c->w, f, a->tags, a->n_tags, a->date, c->file);
    if (rc == MORGUE_OK)
        c->res->articles++;
    return rc;
}

static void on_warning(void *ud, uint64_t line, uint64_t offset,
                       const char *msg)
{
    file_ctx *c = ud;
    c->res->warnings++;
    if (c->opts->warning) {
        morgue_warning wn = { c->path, line, offset, msg };
        if (c->opts->warning(&wn, c->opts->userdata))
            c->w->stop = 1; /* the file is finished first: no half files */
    }
}

void writer_stamp(morgue_writer *w, size_t f, const struct stat *st)
{
    ft_file *x = &w->ft.files[f];
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    int64_t mt = (int64_t)st->st_mtim.tv_sec * 1000000000 +
                 st->st_mtim.tv_nsec;
    int64_t t = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
    x->size = (uint64_t)st->st_size;
    x->mtime_ns = mt;
    /* A file changed within 2 s of being read may change again within
     * the same timestamp: compare its content next time. */
    x->flags = mt > t - 2000000000LL ? FT_RACY : 0;
}

int writer_read_file(morgue_writer *w, const char *path, uint32_t root,
                     const struct stat *st, uint64_t hash,
                     const morgue_add_opts *opts, morgue_add_result *res)
{
    file_ctx c = { w, path, opts, res, BUF_INIT, root, -1 };
    fmt_sink sink = { on_article, on_warning, &c, 0,
                      opts && opts->date_from_mtime }; /* a full copy */
    fmt_file_result fr = { 0 };
    char msg[ERRMSG_LEN];
    msg[0] = '\0';
    int rc = fmt_read_file(path, opts->format, &sink, &fr, msg,
                           sizeof msg);
    buf_free(&c.id);
    res->skipped = sink.skipped;
    res->bytes = fr.bytes;
    res->format = fr.format;
    if (rc == MORGUE_EINVAL && c.file < 0)
        return err_set(&w->err, rc, "unknown format '%s'",
                       opts->format ? opts->format : "");
    if ((rc == MORGUE_EIO || rc == MORGUE_ENOTFOUND) && c.file < 0)
        return err_set(&w->err, rc, "%s", msg[0] ? msg : path);
    if (rc == MORGUE_OK && c.file < 0)
        rc = start_file(&c);
    if (rc != MORGUE_OK) {
        if (msg[0])
            err_set(&w->err, rc, "%s", msg);
        return writer_break(w, rc);
    }
    if (opts && opts->format && res->articles == 0 && fr.bytes > 0) {
        /* a forced format that finds nothing: most likely the wrong one */
        char m[128];
        snprintf(m, sizeof m, "no article read as format '%s': is the file "
                 "in that format? (skipped)", opts->format);
        on_warning(&c, 0, 0, m);
        res->skipped++;
    }
    writer_stamp(w, (size_t)c.file, st);
    w->ft.files[c.file].hash = hash;
    return MORGUE_OK;
}

int writer_hash_file(morgue_writer *w, const char *path, uint64_t *hash)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return err_set(&w->err, errno == ENOENT ? MORGUE_ENOTFOUND
                                                : MORGUE_EIO,
                       "cannot open %s: %s", path, strerror(errno));
    hash64_state hs;
    hash64_init(&hs);
    char chunk[1 << 16];
    int rc = MORGUE_OK;
    for (;;) {
        ssize_t got = read(fd, chunk, sizeof chunk);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            rc = err_set(&w->err, MORGUE_EIO, "cannot read %s: %s", path,
                         strerror(errno));
        if (got <= 0)
            break;
        hash64_update(&hs, chunk, (size_t)got);
    }
    close(fd);
    *hash = hash64_final(&hs);
    return rc;
}

int writer_add_opts(morgue_writer *w, const morgue_add_opts *in,
                    morgue_add_opts *full)
{
    static const morgue_add_opts defaults = MORGUE_ADD_OPTS_INIT;
    *full = defaults;
    if (!in)
        return MORGUE_OK;
    size_t n = API_SIZE(in);
    if (!n)
        return err_set(&w->err, MORGUE_EINVAL,
                       "unknown morgue_add_opts version %u", in->version);
    memcpy(full, in, n);
    return MORGUE_OK;
}

static int add_file(morgue_writer *w, const char *path,
                    const morgue_add_opts *opts, morgue_add_result *res)
{
    int rc = writer_usable(w);
    if (rc)
        return rc;
    char canon[4096];
    struct stat st;
    if (writer_canon_path(path, canon, sizeof canon) != 0 ||
        stat(canon, &st) != 0)
        return err_set(&w->err, errno == ENOENT ? MORGUE_ENOTFOUND
                                                : MORGUE_EIO,
                       "cannot open %s: %s", path, strerror(errno));
    uint64_t hash = 0;
    if (S_ISREG(st.st_mode) && (rc = writer_hash_file(w, canon, &hash)))
        return rc;
    long f = filetable_find(&w->ft, canon);
    return writer_read_file(w, canon, f >= 0 ? w->ft.files[f].root : 0,
                            &st, hash, opts, res);
}

MORGUE_API int morgue_writer_add_file(morgue_writer *w, const char *path,
                                      const morgue_add_opts *opts,
                                      morgue_add_result *result)
{
    morgue_add_result full = MORGUE_ADD_RESULT_INIT;
    size_t n = result ? API_SIZE(result) : 0;
    if (!w || !path || (result && !n))
        return w ? err_set(&w->err, MORGUE_EINVAL, result && !n ?
                           "unknown morgue_add_result version %u" :
                           "no file", result ? result->version : 0)
                 : MORGUE_EINVAL;
    morgue_add_opts o;
    int rc = writer_add_opts(w, opts, &o);
    w->stop = 0;
    if (rc == MORGUE_OK)
        rc = add_file(w, path, &o, &full);
    if (rc == MORGUE_OK && w->stop)
        rc = err_set(&w->err, MORGUE_ECANCELED, "stopped by the warning "
                     "callback (the file was read to its end)");
    if (result)
        API_PUT(result, &full, n);
    return rc;
}
