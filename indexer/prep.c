/* prep.c: articles made ready for the inverter, in order, on worker
 * threads (prep.h says what and why). */
#include "indexer/prep.h"

#include <stdlib.h>
#include <string.h>

#include "index/format.h"
#include "morgue.h"
#include "util/hash.h"
#include "util/utf8.h"

/* Articles put before an idle worker is woken. */
#define PREP_WAKE 4

/* A job's buffers larger than this are freed once it is taken out, so
 * that the slots keep at most about PREP_SLOTS * 8 * PREP_KEEP bytes. */
#define PREP_KEEP (16u << 10)

/* ---- preparing one article ---- */

/* s as valid UTF-8: itself, or a repaired copy in b. */
static span clean(buf *b, span s)
{
    buf_clear(b);
    if (utf8_valid(s.ptr, s.len))
        return s;
    utf8_repair(b, s.ptr, s.len);
    return buf_span(b);
}

/* Repairs the tags into j->tagtext; j->tag_out gets spans into it. */
static int clean_tags(prep_job *j)
{
    size_t offs[FMT_MAX_TAGS + 1];
    buf_clear(&j->tagtext);
    for (size_t i = 0; i < j->n_tags; i++) {
        offs[i] = j->tagtext.len;
        utf8_repair(&j->tagtext, j->tags[i].ptr, j->tags[i].len);
    }
    offs[j->n_tags] = j->tagtext.len;
    for (size_t i = 0; i < j->n_tags; i++)
        j->tag_out[i] = span_of(j->tagtext.ptr + offs[i],
                                offs[i + 1] - offs[i]);
    return j->tagtext.oom ? MORGUE_ENOMEM : MORGUE_OK;
}

/* Whether s has a lower-case letter or any non-ASCII byte: a title in
 * capitals (most of a wire service's) is no text to detect a language
 * by: its n-grams are nobody's, but for German's capitalised nouns. */
static int has_lower(span s)
{
    for (size_t i = 0; i < s.len; i++)
        if ((s.ptr[i] >= 'a' && s.ptr[i] <= 'z') ||
            (unsigned char)s.ptr[i] >= 0x80)
            return 1;
    return 0;
}

/* The article's language: the one its input declares, else detected
 * from its title and body, when the index detects; else the forced one. */
static lang_code language_of(prep_ctx *c, span declared, const invert_doc *d)
{
    const lang_mode *m = &c->pipe->mode;
    if (!m->detect)
        return m->dflt;
    lang_code code = lang_parse(declared.ptr, declared.len);
    if (code != LANG_UND)
        return code;
    buf *b = &c->langtext;
    buf_clear(b);
    if (has_lower(d->title)) {
        buf_append(b, d->title.ptr, d->title.len);
        buf_append(b, "\n", 1);
    }
    buf_append(b, d->body.ptr, d->body.len < 512 ? d->body.len : 512);
    if (b->oom)
        return m->dflt;
    return lang_detect(c->det, b->ptr, b->len, m->dflt);
}

/* The inverter's view of the article: repaired text, a sane date (an
 * offset only with a date, and within +-23:59), its language, and (when
 * the pipe tokenizes) its words. */
int prep_run(prep_ctx *c, prep_job *j)
{
    invert_doc *d = &j->d;
    memset(d, 0, sizeof *d);
    d->id = clean(&j->text[0], j->f[0]);
    d->url = clean(&j->text[1], j->f[1]);
    d->title = clean(&j->text[2], j->f[2]);
    d->source = clean(&j->text[3], j->f[3]);
    d->body = clean(&j->text[4], j->f[4]);
    for (int i = 0; i < N_TEXT; i++)
        if (j->text[i].oom)
            return MORGUE_ENOMEM;
    if (clean_tags(j))
        return MORGUE_ENOMEM;
    d->tags = j->tag_out;
    d->n_tags = j->n_tags;
    d->date = j->date >= DATE_MIN && j->date <= DATE_MAX ? j->date
                                                         : MORGUE_NO_DATE;
    d->date_off = d->date != MORGUE_NO_DATE &&
                          j->date_off >= -DATE_MAX_OFFSET &&
                          j->date_off <= DATE_MAX_OFFSET
                      ? j->date_off
                      : MORGUE_NO_OFFSET;
    d->ident = hash64(d->id.ptr, d->id.len);
    d->lang = language_of(c, j->lang, d);
    return c->pipe->tokenize ? invert_tokenize(&j->toks, d) : MORGUE_OK;
}

/* ---- the pipe ---- */

static void *worker_main(void *arg)
{
    prep_ctx *c = arg;
    prep_pipe *p = c->pipe;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        if (p->stop)
            break;
        if (p->take == p->tail) {
            p->idle++;
            pthread_cond_wait(&p->work, &p->mu);
            p->idle--;
            continue;
        }
        prep_job *j = &p->jobs[p->take++ % PREP_SLOTS];
        pthread_mutex_unlock(&p->mu);
        int rc = prep_run(c, j);
        pthread_mutex_lock(&p->mu);
        j->rc = rc;
        j->ready = 1;
        if (p->waiting)
            pthread_cond_broadcast(&p->done);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

static int ctx_init(prep_pipe *p, prep_ctx *c, errmsg *e)
{
    c->pipe = p;
    return p->mode.detect ? lang_detector_new(&c->det, e) : MORGUE_OK;
}

int prep_open(prep_pipe *p, unsigned n_workers, const lang_mode *mode,
              int tokenize, size_t max_bytes, errmsg *e)
{
    memset(p, 0, sizeof *p);
    p->mode = *mode;
    p->tokenize = tokenize;
    p->max_bytes = max_bytes;
    for (size_t i = 0; i < PREP_SLOTS; i++)
        invert_toks_init(&p->jobs[i].toks);
    unsigned n_ctx = n_workers ? n_workers : 1;
    p->ctx = calloc(n_ctx, sizeof *p->ctx);
    p->workers = n_workers ? calloc(n_workers, sizeof *p->workers) : NULL;
    if (!p->ctx || (n_workers && !p->workers))
        return err_set(e, MORGUE_ENOMEM, "out of memory");
    p->n_ctx = n_ctx;
    for (unsigned i = 0; i < n_ctx; i++) {
        int rc = ctx_init(p, &p->ctx[i], e);
        if (rc)
            return rc;
    }
    if (!n_workers)
        return MORGUE_OK;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->work, NULL);
    pthread_cond_init(&p->done, NULL);
    p->started = 1;
    for (unsigned i = 0; i < n_workers; i++) {
        if (pthread_create(&p->workers[i], NULL, worker_main, &p->ctx[i])) {
            prep_close(p);
            return err_set(e, MORGUE_ERROR, "cannot start an indexing "
                           "thread");
        }
        p->n_workers++;
    }
    return MORGUE_OK;
}

static void job_free(prep_job *j)
{
    buf_free(&j->raw);
    for (int i = 0; i < N_TEXT; i++)
        buf_free(&j->text[i]);
    buf_free(&j->tagtext);
    invert_toks_free(&j->toks);
}

void prep_close(prep_pipe *p)
{
    if (p->started) {
        pthread_mutex_lock(&p->mu);
        p->stop = 1;
        pthread_cond_broadcast(&p->work);
        pthread_mutex_unlock(&p->mu);
        for (unsigned i = 0; i < p->n_workers; i++)
            pthread_join(p->workers[i], NULL);
        pthread_cond_destroy(&p->done);
        pthread_cond_destroy(&p->work);
        pthread_mutex_destroy(&p->mu);
    }
    for (size_t i = 0; i < PREP_SLOTS; i++)
        job_free(&p->jobs[i]);
    free(p->workers);
    for (unsigned i = 0; p->ctx && i < p->n_ctx; i++) {
        lang_detector_free(p->ctx[i].det);
        buf_free(&p->ctx[i].langtext);
    }
    free(p->ctx);
    memset(p, 0, sizeof *p);
}

size_t prep_budget(size_t budget)
{
    size_t n = budget / 16;
    return n < ((size_t)4 << 20) ? n : (size_t)4 << 20;
}

size_t prep_cost(size_t raw)
{
    /* the copy, a repaired copy at worst (3 bytes for a bad one), and
     * the words (invert_toks): their bytes; per token, at most every
     * other byte (one-letter words), its chain link (4) and position
     * varint (<= 5); per distinct word, at most every third byte beyond
     * the few of one letter, its record (36) and up to 4 hash slots (16) */
    return 4 * raw + raw + 5 * raw + (raw / 3 + 256) * 52 + 1024;
}

int prep_room(const prep_pipe *p, size_t cost)
{
    if (p->tail == p->head)
        return 1; /* alone, whatever its size */
    return p->tail - p->head < PREP_SLOTS && p->bytes + cost <= p->max_bytes;
}

int prep_empty(const prep_pipe *p)
{
    return p->tail == p->head;
}

/* Copies in into j; MORGUE_ENOMEM. */
static int job_fill(prep_job *j, const prep_in *in)
{
    size_t offs[N_TEXT + FMT_MAX_TAGS + 1], k = 0;
    size_t n_tags = in->n_tags < FMT_MAX_TAGS ? in->n_tags : FMT_MAX_TAGS;
    buf_clear(&j->raw);
    for (int i = 0; i < N_TEXT; i++) {
        offs[k++] = j->raw.len;
        buf_append(&j->raw, in->f[i].ptr, in->f[i].len);
    }
    for (size_t i = 0; i < n_tags; i++) {
        offs[k++] = j->raw.len;
        buf_append(&j->raw, in->tags[i].ptr, in->tags[i].len);
    }
    offs[k] = j->raw.len;
    buf_append(&j->raw, in->lang.ptr, in->lang.len);
    if (j->raw.oom)
        return MORGUE_ENOMEM;
    k = 0;
    for (int i = 0; i < N_TEXT; i++, k++)
        j->f[i] = span_of(j->raw.ptr + offs[k], offs[k + 1] - offs[k]);
    for (size_t i = 0; i < n_tags; i++, k++)
        j->tags[i] = span_of(j->raw.ptr + offs[k], offs[k + 1] - offs[k]);
    j->lang = span_of(j->raw.ptr + offs[k], in->lang.len);
    j->n_tags = n_tags;
    j->date = in->date;
    j->date_off = in->date_off;
    j->file = in->file;
    j->pos = in->pos;
    j->ckpt = in->ckpt;
    j->rc = MORGUE_OK;
    j->ready = 0;
    return MORGUE_OK;
}

int prep_put(prep_pipe *p, const prep_in *in)
{
    prep_job *j = &p->jobs[p->tail % PREP_SLOTS];
    if (job_fill(j, in))
        return MORGUE_ENOMEM;
    j->cost = prep_cost(j->raw.len);
    if (!p->n_workers) { /* prepared here: the same function, in order */
        j->rc = prep_run(&p->ctx[0], j);
        j->ready = 1;
        p->bytes += j->cost;
        p->tail++;
        return MORGUE_OK;
    }
    pthread_mutex_lock(&p->mu);
    p->bytes += j->cost;
    p->tail++;
    /* an idle worker is woken for a few articles at once, not each one
     * (a wake-up and a context switch each); prep_head wakes them before
     * it waits */
    if (p->idle && p->tail - p->take >= PREP_WAKE)
        pthread_cond_signal(&p->work);
    pthread_mutex_unlock(&p->mu);
    return MORGUE_OK;
}

prep_job *prep_head(prep_pipe *p, int wait)
{
    if (p->head == p->tail)
        return NULL;
    prep_job *j = &p->jobs[p->head % PREP_SLOTS];
    if (!p->n_workers)
        return j;
    pthread_mutex_lock(&p->mu);
    if (!j->ready && wait && p->idle)
        pthread_cond_broadcast(&p->work);
    while (!j->ready && wait) {
        p->waiting = 1;
        pthread_cond_wait(&p->done, &p->mu);
        p->waiting = 0;
    }
    int ready = j->ready;
    pthread_mutex_unlock(&p->mu);
    return ready ? j : NULL;
}

static void shrink(buf *b)
{
    if (b->cap > PREP_KEEP)
        buf_free(b);
}

void prep_pop(prep_pipe *p)
{
    prep_job *j = &p->jobs[p->head % PREP_SLOTS];
    shrink(&j->raw);
    for (int i = 0; i < N_TEXT; i++)
        shrink(&j->text[i]);
    shrink(&j->tagtext);
    if (invert_toks_memory(&j->toks) > PREP_KEEP)
        invert_toks_free(&j->toks);
    /* head and bytes are the caller's alone: no lock (a slot is put
     * again only after it was taken out, so once its worker is done) */
    p->bytes -= j->cost;
    p->head++;
}

void prep_discard(prep_pipe *p)
{
    while (!prep_empty(p)) {
        prep_head(p, 1); /* a worker may still be writing it */
        prep_pop(p);
    }
}
