/* files.c: article files into the writer, and the file table's side of
 * it: which file gave which articles. Reading a file whose entry exists
 * first deletes the articles the entry lists (once its first article
 * arrives, so an unreadable file keeps its articles); a file that vanished
 * has its articles deleted and its entry dropped. morgue_writer_add_file()
 * is here; the folder walk that calls these per file is walk.c. */
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
#include "index/format.h"
#include "indexer/commit.h"
#include "indexer/files.h"
#include "indexer/update.h"
#include "util/apiver.h"
#include "util/fsutil.h"
#include "util/hash.h"

int writer_vanish(morgue_writer *w, size_t f, uint64_t *n_deleted)
{
    int drc = writer_drain(w); /* articles added before it are in */
    if (drc)
        return writer_break(w, drc);
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

/* Feeds a format reader's articles to the writer. */
typedef struct file_ctx {
    morgue_writer *w;
    const char *path;
    const morgue_add_opts *opts;
    morgue_add_result *res;
    buf id;
    uint32_t root;      /* for a new entry */
    long file;          /* file table entry, once started */
    int resuming;       /* read from the entry's resume point: its
                           articles so far stay */
    int replacing;      /* read from its start while its entry lists
                           committed articles: no checkpoint commits */
    const struct stat *st;
    fmt_sink *sink;
    fmt_pos last;       /* where the last article read starts */
    int have_last;
    uint64_t hash;      /* of the file's content; 0: not known (read on) */
    fmt_print *print;   /* fingerprints of its content, once asked */
} file_ctx;

/* The fingerprint of c's file's first off bytes; 0 or -1. One reader per
 * file read: a gzip file's checkpoints (growing offsets) inflate it once
 * besides the read itself. */
static int fingerprint(file_ctx *c, uint64_t off, uint64_t *fp)
{
    if (!c->print && fmt_print_open(&c->print, c->path) != MORGUE_OK)
        return -1;
    return fmt_print_at(c->print, off, fp);
}

/* Before the file's first article (or at its end, when it has none): its
 * old articles go (unless it goes on from a resume point), and its entry
 * is emptied or created. */
static int start_file(file_ctx *c)
{
    morgue_writer *w = c->w;
    long f = filetable_find(&w->ft, c->path);
    if (f >= 0 && c->resuming) {
        /* the articles before the resume point stay its own */
    } else if (f >= 0) {
        ft_file *x = &w->ft.files[f];
        uint64_t n = 0;
        c->replacing = x->n_ids > 0;
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

/* The hash of c's file's content from off on, to its end or max bytes:
 * 0 and *len, *hash, or -1. */
static int tail(file_ctx *c, uint64_t off, uint64_t max, uint64_t *len,
                uint64_t *hash)
{
    if (!c->print && fmt_print_open(&c->print, c->path) != MORGUE_OK)
        return -1;
    return fmt_print_span(c->print, off, max, len, hash);
}

/* Records in the entry that a rerun may read the file on from p (the
 * start of a record whose articles are not committed, or the last one
 * read); partial: the file was not read to its end. A complete read's
 * point is the start of its last record, which the entry lists: the
 * bytes from there on are recorded too (their length and hash), so that
 * a rerun reads on only when that record is still there as read, not
 * when a rewrite put another one (or half of it) in its place. */
static int set_resume(file_ctx *c, const fmt_pos *p, int partial)
{
    ft_file *x = &c->w->ft.files[c->file];
    uint64_t fp = 0, len = 0, th = 0;
    int ok = fingerprint(c, p->offset, &fp) == 0 &&
             tail(c, p->offset, partial ? 0 : FMT_MAX_ARTICLE, &len,
                  &th) == 0;
    x->flags &= (uint8_t)~(FT_RESUME | FT_PARTIAL);
    if (ok) {
        x->flags |= FT_RESUME | (partial ? FT_PARTIAL : 0);
        x->resume_off = p->offset;
        x->resume_line = p->line;
        x->resume_ord = p->ordinal;
        x->resume_fp = fp;
        x->resume_tail_len = len;
        x->resume_tail = th;
    }
    c->w->ft_dirty = 1;
    return ok;
}

/* Commits inside a long file once the budget has flushed a segment (as
 * walk.c does between files), the entry saying where to go on: a kill
 * then loses at most the articles since, not the whole file. Only where
 * records have places to go on from (sink->resumable), and not in a file
 * that replaces its committed articles (c->replacing: read from its
 * start, as changed): their deletion would be committed with the new
 * version's first part only, and a kill would leave that part, neither
 * version whole (the soak lost committed feed articles so). Such a file
 * commits once read to its end; a kill inside it loses its progress, not
 * its old articles. The writer runs it
 * (w->ckpt) before inverting each article but the file's first, with
 * where that article starts: in the order of the articles, however far
 * the prep threads have read ahead. The merge policy runs after it, as
 * after a commit between files, so that a long file does not leave a
 * segment per budget (its merges commit again, the same resume point
 * standing; the batch is empty, the articles read ahead wait in the
 * prep pipe, counted in the budget). */
static int checkpoint(void *ud, const fmt_pos *at)
{
    file_ctx *c = ud;
    morgue_writer *w = c->w;
    if (!c->opts->checkpoint || w->rebuild || w->sink ||
        !c->sink->resumable || c->file < 0 || c->replacing ||
        writer_pending(w) == 0)
        return MORGUE_OK;
    fmt_pos p = *at;
    writer_stamp(w, (size_t)c->file, c->st);
    w->ft.files[c->file].hash = 0; /* not the hash of what was read */
    /* without its resume point the entry would pass for read whole */
    return set_resume(c, &p, 1) ? morgue_writer_commit(w) : MORGUE_OK;
}

static int on_article(void *ud, const fmt_article *a)
{
    file_ctx *c = ud;
    int first = c->file < 0;
    c->last = (fmt_pos){ a->offset, a->line ? a->line - 1 : 0, a->ordinal };
    c->have_last = 1;
    if (docstore_would_cap(MORGUE_FIELD_BODY, a->body.len)) {
        char msg[160];
        snprintf(msg, sizeof msg, "article body of %zu bytes: all of it "
                 "indexed, the first %u MiB stored (for snippets and show)",
                 a->body.len, DOCSTORE_BODY_MAX >> 20);
        on_warning(ud, a->line, a->offset, msg);
    }
    int rc = first ? start_file(c) : MORGUE_OK;
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
    prep_in in = { f, a->tags, a->n_tags, a->date, a->date_off, a->lang,
                   c->file, c->last, !first };
    rc = writer_add_doc(c->w, &in);
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

void writer_touched(morgue_writer *w, size_t f, const struct stat *st)
{
    uint8_t keep = w->ft.files[f].flags & (FT_RESUME | FT_PARTIAL);
    writer_stamp(w, f, st);
    w->ft.files[f].flags |= keep;
}

/* 1 and *from when the entry of c's file has a resume point that still
 * holds: the content's bytes before the point are as read (their
 * fingerprint), and so are those from it on that the read saw (the
 * record there, whose article the entry lists: their hash; the offset is
 * the content's: inflated, for gzip). A feed that grew passes; a file
 * whose last record was rewritten (another article in its place, or the
 * same length of other bytes), or cut short inside it, is read from its
 * start as changed, its old articles deleted: read on, the old article
 * of that record stayed when the new version lacked its identity. */
static int resume_point(file_ctx *c, fmt_pos *from)
{
    morgue_writer *w = c->w;
    long f = filetable_find(&w->ft, c->path);
    if (f < 0 || w->rebuild || !(w->ft.files[f].flags & FT_RESUME))
        return 0;
    const ft_file *x = &w->ft.files[f];
    uint64_t fp, len, th;
    int ok = fingerprint(c, x->resume_off, &fp) == 0 &&
             fp == x->resume_fp &&
             tail(c, x->resume_off, x->resume_tail_len, &len, &th) == 0 &&
             len == x->resume_tail_len && th == x->resume_tail;
    *from = (fmt_pos){ x->resume_off, x->resume_line, x->resume_ord };
    return ok;
}

static int read_file(file_ctx *c, fmt_sink *sink)
{
    morgue_writer *w = c->w;
    const char *path = c->path;
    const morgue_add_opts *opts = c->opts;
    morgue_add_result *res = c->res;
    const struct stat *st = c->st;
    fmt_file_result fr = { 0 };
    char msg[ERRMSG_LEN];
    msg[0] = '\0';
    fmt_pos from;
    c->resuming = resume_point(c, &from);
    int rc = c->resuming ? fmt_read_file_from(path, opts->format, &from,
                                              sink, &fr, msg, sizeof msg)
                         : FMT_NOT_RESUMED;
    if (rc == FMT_NOT_RESUMED) { /* from the start, as a changed file */
        c->resuming = 0;
        sink->resumable = 0;
        rc = fmt_read_file(path, opts->format, sink, &fr, msg, sizeof msg);
    }
    res->skipped = sink->skipped;
    res->bytes = fr.bytes;
    res->format = fr.format;
    if (rc == MORGUE_EINVAL && c->file < 0)
        return err_set(&w->err, rc, "unknown format '%s'",
                       opts->format ? opts->format : "");
    if ((rc == MORGUE_EIO || rc == MORGUE_ENOTFOUND) && c->file < 0)
        return err_set(&w->err, rc, "%s", msg[0] ? msg : path);
    if (rc == MORGUE_OK) { /* the file's articles still in the pipe */
        msg[0] = '\0';
        rc = writer_drain(w);
    }
    if (rc == MORGUE_OK && c->file < 0)
        rc = start_file(c);
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
        on_warning(c, 0, 0, m);
        res->skipped++;
    }
    writer_stamp(w, (size_t)c->file, st);
    w->ft.files[c->file].hash = c->hash;
    /* a feed that grows is read on from its last article next time */
    if (sink->resumable && c->have_last)
        set_resume(c, &c->last, 0);
    return MORGUE_OK;
}

int writer_read_file(morgue_writer *w, const char *path, uint32_t root,
                     const struct stat *st, uint64_t hash,
                     const morgue_add_opts *opts, morgue_add_result *res)
{
    int rc = writer_drain(w); /* articles added before, outside files */
    if (rc)
        return writer_break(w, rc);
    file_ctx c = { w, path, opts, res, BUF_INIT, root, -1, 0, 0, st, NULL,
                   { 0, 0, 0 }, 0, hash, NULL };
    fmt_sink sink = { on_article, on_warning, &c, 0,
                      opts && opts->date_from_mtime, 0 }; /* a full copy */
    c.sink = &sink;
    w->ckpt = checkpoint;
    w->ckpt_ctx = &c;
    rc = read_file(&c, &sink);
    w->ckpt = NULL;
    w->ckpt_ctx = NULL;
    prep_discard(&w->prep); /* empty unless it failed: broken then */
    fmt_print_close(c.print);
    buf_free(&c.id);
    return rc;
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
    if (fs_canon_path(path, canon, sizeof canon) != 0 ||
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
