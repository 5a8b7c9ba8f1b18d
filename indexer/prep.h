/* prep.h: articles made ready for the inverter, on threads of their own.
 *
 * What adding an article needs that depends on the article alone (its
 * UTF-8 repaired, its date checked, its identity hashed, its language
 * detected, its title and body tokenized, its body's fingerprint
 * sketched: about half of the CPU of indexing one, language detection the
 * most of it) is prep_run(). A writer with threads puts each article into
 * a pipe of worker threads and takes the prepared ones back in the order
 * they were put, so what the inverter sees, and so the index, is the same
 * whatever the number of threads. Without workers an article is prepared
 * in prep_put() itself.
 *
 * The pipe is bounded: at most PREP_SLOTS articles, and at most
 * max_bytes of them by the estimate prep_cost() (a single article larger
 * than that goes through alone). The writer keeps max_bytes out of the
 * batch's share of its memory budget whatever the thread count, so the
 * batches are cut at the same articles either way. */
#ifndef MORGUE_INDEXER_PREP_H
#define MORGUE_INDEXER_PREP_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "formats/source.h"
#include "indexer/invert.h"
#include "text/lang.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/span.h"

#define N_TEXT 5 /* id, url, title, source, body */
#define PREP_SLOTS 32

/* An article as given to the writer (spans valid during prep_put). */
typedef struct prep_in {
    const span *f;        /* N_TEXT fields */
    const span *tags;
    size_t n_tags;
    int64_t date;
    int date_off;
    span lang;            /* the language its input declares, or empty */
    long file;            /* its file table entry, or -1 */
    fmt_pos pos;          /* where its record starts in that file */
    int ckpt;             /* the writer's checkpoint hook runs before it
                             is inverted */
} prep_in;

/* One article in the pipe: a copy of what was given, then what
 * prep_run made of it. */
typedef struct prep_job {
    buf raw;              /* the fields, tags and language as given */
    span f[N_TEXT], tags[FMT_MAX_TAGS], lang;
    size_t n_tags;
    int64_t date;
    int date_off;
    long file;
    fmt_pos pos;
    int ckpt;
    size_t cost;          /* prep_cost() of it */
    /* made by prep_run: */
    invert_doc d;         /* spans into raw, text[], tagtext */
    span tag_out[FMT_MAX_TAGS];
    buf text[N_TEXT];     /* repaired copies of fields that needed it */
    buf tagtext;          /* repaired tags, back to back */
    invert_toks toks;     /* when the pipe tokenizes */
    int rc;               /* MORGUE_OK or MORGUE_ENOMEM */
    int ready;            /* prepared (under the pipe's lock) */
} prep_job;

/* A worker's own state (and the caller's, without workers). */
typedef struct prep_ctx {
    struct prep_pipe *pipe;
    lang_detector *det;   /* when the mode detects; owned */
    buf langtext;         /* title and body start, for detection */
} prep_ctx;

typedef struct prep_pipe {
    prep_job jobs[PREP_SLOTS];
    uint64_t head, take, tail; /* oldest job; next to prepare; next free
                                  (head, tail, bytes: changed by the
                                  caller only; take under mu) */
    size_t bytes, max_bytes;   /* cost of the jobs in it; its bound */
    lang_mode mode;
    int tokenize;              /* make invert_toks (not for a sink) */
    unsigned n_workers;
    pthread_t *workers;
    prep_ctx *ctx;             /* one per worker, or 1 */
    unsigned n_ctx;
    pthread_mutex_t mu;
    pthread_cond_t work, done;
    int stop;
    unsigned idle;             /* workers waiting for work */
    int waiting;               /* the caller waits for a job */
    int started;               /* mu and the conditions exist */
} prep_pipe;

/* Sets p up with n_workers threads (0: none) for an index in mode;
 * tokenize: make the words too. MORGUE_OK, or MORGUE_EIO (no language
 * fingerprints) / MORGUE_ENOMEM / MORGUE_ERROR with e set; p may be
 * prep_close()d either way. */
int prep_open(prep_pipe *p, unsigned n_workers, const lang_mode *mode,
              int tokenize, size_t max_bytes, errmsg *e);
void prep_close(prep_pipe *p);

/* The max_bytes of a writer's pipe under a memory budget: a sixteenth
 * of it, at most 4 MiB. */
size_t prep_budget(size_t budget);

/* What an article of raw bytes (fields and tags) counts in the pipe: an
 * estimate of its copy, its repaired text and its words. */
size_t prep_cost(size_t raw);

/* 1 when an article of cost fits in the pipe now. */
int prep_room(const prep_pipe *p, size_t cost);
/* Puts an article in (after prep_room said it fits). MORGUE_ENOMEM when
 * it cannot be copied (nothing was put). */
int prep_put(prep_pipe *p, const prep_in *in);
/* The oldest article, once prepared (waiting for it when wait), or NULL
 * when the pipe is empty or (not waiting) it is not ready yet. */
prep_job *prep_head(prep_pipe *p, int wait);
/* Takes the oldest article out. */
void prep_pop(prep_pipe *p);
/* Takes every article out, prepared or not. */
void prep_discard(prep_pipe *p);
/* 1 when no article is in it. */
int prep_empty(const prep_pipe *p);

/* Prepares j: everything depending on the article alone. MORGUE_OK or
 * MORGUE_ENOMEM. */
int prep_run(prep_ctx *c, prep_job *j);

#endif
