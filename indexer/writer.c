/* writer.c: the public writer: lock, add articles, flush segments when
 * the memory budget is reached, commit by swapping MANIFEST. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "formats/source.h"
#include "index/manifest.h"
#include "index/segment.h"
#include "indexer/invert.h"
#include "morgue.h"
#include "text/stem.h"
#include "util/buf.h"
#include "util/fsutil.h"
#include "util/utf8.h"

#define DEFAULT_BUDGET (64u << 20)
#define N_TEXT 5 /* id, url, title, source, body */

struct morgue_writer {
    char *dir;
    int lock_fd;
    manifest man;         /* last commit */
    manifest_seg *pending;/* segments flushed since, not yet committed */
    size_t n_pending;
    uint64_t next_id;
    stemmer *stem;
    inverter inv;
    size_t budget;
    buf text[N_TEXT];     /* repaired copies of an article's fields */
    buf tagtext;          /* repaired tags, back to back */
    errmsg err;
};

static int take_lock(morgue_writer *w, int wait_seconds)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/LOCK", w->dir);
    w->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (w->lock_fd < 0)
        return err_set(&w->err, MORGUE_EIO, "%s: %s", path, strerror(errno));
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    while (flock(w->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno != EWOULDBLOCK && errno != EINTR)
            return err_set(&w->err, MORGUE_EIO, "%s: flock: %s", path,
                           strerror(errno));
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec - start.tv_sec >= wait_seconds)
            return err_set(&w->err, MORGUE_EBUSY,
                           "%s is locked by another writer (waited %d s)",
                           w->dir, wait_seconds);
        struct timespec nap = { 0, 100 * 1000 * 1000 };
        nanosleep(&nap, NULL);
    }
    return MORGUE_OK;
}

static int is_live(const morgue_writer *w, uint64_t id)
{
    for (size_t i = 0; i < w->man.n_segs; i++)
        if (w->man.segs[i].id == id)
            return 1;
    for (size_t i = 0; i < w->n_pending; i++)
        if (w->pending[i].id == id)
            return 1;
    return 0;
}

/* Removes segment files no commit names: leftovers of a killed writer or
 * of an uncommitted session. Only the lock holder calls this. */
static void remove_orphans(morgue_writer *w)
{
    DIR *d = opendir(w->dir);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        uint64_t id;
        char tail[8];
        int is_tmp = !strcmp(de->d_name, "MANIFEST.tmp");
        if (!is_tmp && (sscanf(de->d_name, "seg_%16" SCNx64 ".%5s", &id,
                               tail) != 2 || strcmp(tail, "mseg") ||
                        is_live(w, id)))
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", w->dir, de->d_name);
        unlink(path);
    }
    closedir(d);
}

static int load_or_create(morgue_writer *w, const morgue_writer_opts *o)
{
    int rc = manifest_read(&w->man, w->dir, &w->err);
    if (rc == MORGUE_ENOTFOUND) {
        memset(&w->man, 0, sizeof w->man);
        w->man.next_id = 1;
        const char *lang = o && o->language ? o->language : "english";
        if (strlen(lang) >= sizeof w->man.language)
            return err_set(&w->err, MORGUE_EINVAL, "bad language name");
        strcpy(w->man.language, lang);
        rc = MORGUE_OK;
    }
    if (rc)
        return rc;
    w->next_id = w->man.next_id;
    rc = stemmer_new(&w->stem, w->man.language);
    if (rc == MORGUE_EINVAL)
        return err_set(&w->err, rc, "unknown stemmer language '%s'",
                       w->man.language);
    if (rc)
        return err_set(&w->err, rc, "cannot create the stemmer");
    return MORGUE_OK;
}

MORGUE_API int morgue_writer_open(morgue_writer **out,
                                  const char *dir,
                                  const morgue_writer_opts *opts)
{
    *out = NULL;
    if (!dir || !*dir)
        return err_set(err_thread(), MORGUE_EINVAL, "no index directory");
    morgue_writer *w = calloc(1, sizeof *w);
    if (!w || !(w->dir = strdup(dir))) {
        free(w);
        return err_set(err_thread(), MORGUE_ENOMEM, "out of memory");
    }
    w->lock_fd = -1;
    w->budget = opts && opts->memory_budget ? opts->memory_budget
                                            : DEFAULT_BUDGET;
    int rc = MORGUE_OK;
    if (mkdir_p(dir) != 0)
        rc = err_set(&w->err, MORGUE_EIO, "%s: %s", dir, strerror(errno));
    if (rc == MORGUE_OK)
        rc = take_lock(w, opts ? opts->wait_seconds : 0);
    if (rc == MORGUE_OK)
        rc = load_or_create(w, opts);
    if (rc == MORGUE_OK && inverter_init(&w->inv, w->stem))
        rc = err_set(&w->err, MORGUE_ENOMEM, "out of memory");
    if (rc != MORGUE_OK) {
        err_set(err_thread(), rc, "%s", w->err.text);
        morgue_writer_close(w);
        return rc;
    }
    remove_orphans(w);
    *out = w;
    return MORGUE_OK;
}

/* Flushes the in-memory segment to a new (uncommitted) file. */
static int flush(morgue_writer *w)
{
    if (w->inv.n_docs == 0)
        return MORGUE_OK;
    manifest_seg *n = realloc(w->pending, (w->n_pending + 1) * sizeof *n);
    if (!n)
        return err_set(&w->err, MORGUE_ENOMEM, "out of memory");
    w->pending = n;
    char path[4096];
    segment_path(path, sizeof path, w->dir, w->next_id);
    uint32_t docs = w->inv.n_docs;
    int rc = inverter_flush(&w->inv, path, &w->err);
    if (rc)
        return rc;
    w->pending[w->n_pending].id = w->next_id++;
    w->pending[w->n_pending].n_docs = docs;
    w->n_pending++;
    return MORGUE_OK;
}

/* Copies s into b as valid UTF-8. */
static span clean(buf *b, span s)
{
    buf_clear(b);
    if (utf8_valid(s.ptr, s.len))
        return s;
    utf8_repair(b, s.ptr, s.len);
    return buf_span(b);
}

static int add_doc(morgue_writer *w, span *f, const span *tags,
                   size_t n_tags, int64_t date)
{
    span clean_tags[FMT_MAX_TAGS];
    if (n_tags > FMT_MAX_TAGS)
        n_tags = FMT_MAX_TAGS;
    invert_doc d;
    d.id = clean(&w->text[0], f[0]);
    d.url = clean(&w->text[1], f[1]);
    d.title = clean(&w->text[2], f[2]);
    d.source = clean(&w->text[3], f[3]);
    d.body = clean(&w->text[4], f[4]);
    buf_clear(&w->tagtext);
    size_t offs[FMT_MAX_TAGS + 1];
    for (size_t i = 0; i < n_tags; i++) {
        offs[i] = w->tagtext.len;
        utf8_repair(&w->tagtext, tags[i].ptr, tags[i].len);
    }
    offs[n_tags] = w->tagtext.len;
    for (size_t i = 0; i < n_tags; i++)
        clean_tags[i] = span_of(w->tagtext.ptr + offs[i],
                                offs[i + 1] - offs[i]);
    for (int i = 0; i < N_TEXT; i++)
        if (w->text[i].oom)
            return err_set(&w->err, MORGUE_ENOMEM, "out of memory");
    if (w->tagtext.oom)
        return err_set(&w->err, MORGUE_ENOMEM, "out of memory");
    d.tags = clean_tags;
    d.n_tags = n_tags;
    d.date = date;
    if (inverter_add(&w->inv, &d))
        return err_set(&w->err, MORGUE_ENOMEM, "out of memory");
    if (inverter_memory(&w->inv) >= w->budget)
        return flush(w);
    return MORGUE_OK;
}

MORGUE_API int morgue_writer_add(morgue_writer *w, const morgue_article *a)
{
    if (!w || !a || a->version != MORGUE_ARTICLE_VERSION)
        return w ? err_set(&w->err, MORGUE_EINVAL, "bad article") :
                   MORGUE_EINVAL;
    span tags[FMT_MAX_TAGS];
    size_t n = a->n_tags < FMT_MAX_TAGS ? a->n_tags : FMT_MAX_TAGS;
    for (size_t i = 0; i < n; i++)
        tags[i] = span_cstr(a->tags[i]);
    span f[N_TEXT] = { span_cstr(a->id ? a->id : a->url), span_cstr(a->url),
                       span_cstr(a->title), span_cstr(a->source),
                       span_cstr(a->body) };
    return add_doc(w, f, tags, n, a->date);
}

/* Feeds a format reader's articles to the writer. */
typedef struct file_ctx {
    morgue_writer *w;
    const char *path;
    const morgue_add_opts *opts;
    morgue_add_result *res;
    buf id;
} file_ctx;

static int on_article(void *ud, const fmt_article *a)
{
    file_ctx *c = ud;
    span id = a->id;
    if (id.len == 0) { /* no id of its own: the path (and record number) */
        buf_clear(&c->id);
        buf_puts(&c->id, c->path);
        if (a->ordinal)
            buf_printf(&c->id, "#%" PRIu64, a->ordinal);
        id = buf_span(&c->id);
    }
    span f[N_TEXT] = { id, a->url.len ? a->url : span_cstr(c->path), a->title,
                       a->source, a->body };
    int rc = add_doc(c->w, f, a->tags, a->n_tags, a->date);
    if (rc == MORGUE_OK)
        c->res->articles++;
    return rc;
}

static void on_warning(void *ud, uint64_t line, uint64_t offset,
                       const char *msg)
{
    file_ctx *c = ud;
    c->res->warnings++;
    if (c->opts && c->opts->warning) {
        morgue_warning wn = { c->path, line, offset, msg };
        c->opts->warning(&wn, c->opts->userdata);
    }
}

MORGUE_API int morgue_writer_add_file(morgue_writer *w, const char *path,
                                      const morgue_add_opts *opts,
                                      morgue_add_result *result)
{
    morgue_add_result local;
    morgue_add_result *res = result ? result : &local;
    memset(res, 0, sizeof *res);
    if (!w || !path)
        return MORGUE_EINVAL;
    file_ctx c = { w, path, opts, res, BUF_INIT };
    fmt_sink sink = { on_article, on_warning, &c, 0 };
    fmt_file_result fr = { 0 };
    char msg[ERRMSG_LEN];
    msg[0] = '\0';
    int rc = fmt_read_file(path, opts ? opts->format : NULL, &sink, &fr, msg,
                           sizeof msg);
    buf_free(&c.id);
    res->skipped = sink.skipped;
    res->bytes = fr.bytes;
    res->format = fr.format;
    if (rc == MORGUE_EINVAL && msg[0] == '\0')
        return err_set(&w->err, rc, "unknown format '%s'",
                       opts && opts->format ? opts->format : "");
    if (rc != MORGUE_OK && msg[0])
        return err_set(&w->err, rc, "%s", msg);
    return rc;
}

MORGUE_API int morgue_writer_commit(morgue_writer *w)
{
    if (!w)
        return MORGUE_EINVAL;
    int rc = flush(w);
    if (rc)
        return rc;
    if (w->n_pending == 0 && w->man.generation > 0)
        return MORGUE_OK; /* nothing new: no write at all */
    manifest next;
    if (manifest_copy(&next, &w->man))
        return err_set(&w->err, MORGUE_ENOMEM, "out of memory");
    for (size_t i = 0; i < w->n_pending; i++)
        if (manifest_add_seg(&next, w->pending[i].id, w->pending[i].n_docs)) {
            manifest_free(&next);
            return err_set(&w->err, MORGUE_ENOMEM, "out of memory");
        }
    next.generation = w->man.generation + 1;
    next.next_id = w->next_id;
    rc = manifest_write(&next, w->dir, &w->err);
    if (rc) {
        manifest_free(&next);
        return rc;
    }
    manifest_free(&w->man);
    w->man = next;
    w->n_pending = 0;
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
    if (w->n_pending && w->lock_fd >= 0) { /* uncommitted: remove */
        w->n_pending = 0;
        remove_orphans(w);
    }
    inverter_free(&w->inv);
    stemmer_free(w->stem);
    manifest_free(&w->man);
    free(w->pending);
    for (int i = 0; i < N_TEXT; i++)
        buf_free(&w->text[i]);
    buf_free(&w->tagtext);
    if (w->lock_fd >= 0)
        close(w->lock_fd); /* releases the flock */
    free(w->dir);
    free(w);
}
