/* docstore.c: the zstd heads and bodies stores (format and reasons in
 * docstore.h): building them while indexing or merging, reading them. */
#define ZDICT_STATIC_LINKING_ONLY /* ZDICT_trainFromBuffer_fastCover */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <zdict.h>
#include <zlib.h>
#include <zstd.h>

#include "index/codec.h"
#include "index/docstore.h"
#include "morgue.h"
#include "util/alloc.h"
#include "util/utf8.h"

/* ---- building ---- */

static void part_init(store_part *p, size_t block_size)
{
    memset(p, 0, sizeof *p);
    p->block_size = block_size;
    spool_init(&p->out, NULL, 0);
}

static void part_free(store_part *p)
{
    buf_free(&p->raw);
    free(p->rec_len);
    buf_free(&p->dict);
    ZSTD_freeCDict(p->cdict);
    spool_free(&p->out);
    free(p->blocks);
    buf_free(&p->idx);
    memset(p, 0, sizeof *p);
}

void docstore_builder_init(docstore_builder *b)
{
    memset(b, 0, sizeof *b);
    part_init(&b->head, DOCSTORE_HEAD_BLOCK);
    part_init(&b->body, DOCSTORE_BODY_BLOCK);
}

static void pipe_stop(docstore_builder *b);

void docstore_builder_free(docstore_builder *b)
{
    pipe_stop(b);
    part_free(&b->head);
    part_free(&b->body);
    buf_free(&b->rec);
    buf_free(&b->zbuf);
    ZSTD_freeCCtx(b->cctx);
    memset(b, 0, sizeof *b);
}

void docstore_builder_spill(docstore_builder *b, const char *dir,
                            size_t limit)
{
    spool_init(&b->head.out, dir, limit);
    spool_init(&b->body.out, dir, limit);
}

int docstore_check(const docstore_builder *b, errmsg *e)
{
    int rc = spool_check(&b->head.out, "stored text", e);
    return rc ? rc : spool_check(&b->body.out, "stored text", e);
}

/* Bytes held, estimated from what was added, never from what a thread has
 * done so far: the writer flushes by it, so segments must not depend on
 * timing. Records are held raw until the dictionary is trained (at most
 * DOCSTORE_SAMPLE per store), then compressed to under half (zstd with a
 * dictionary makes news text 2.3-2.6 times smaller) into a buffer that
 * grows by doubling, so up to twice that: about the raw size. Spilled
 * (docstore_builder_spill), each store holds at most twice its limit (the
 * spool's buffer) and its block table (a block per 2 KiB raw at most, 32
 * bytes, doubling). The queue of the storing thread (DOCSTORE_QUEUE at
 * most) is not counted. */
size_t docstore_memory(const docstore_builder *b)
{
    uint64_t raw = b->added;
    uint64_t held = raw < 2 * DOCSTORE_SAMPLE ? raw : 2 * DOCSTORE_SAMPLE;
    uint64_t out = raw;
    if (b->head.out.limit && b->body.out.limit) {
        uint64_t most = 2 * ((uint64_t)b->head.out.limit + b->body.out.limit);
        out = (raw < most ? raw : most) + raw / 32;
    }
    return b->rec.cap + (size_t)(held + out);
}

/* Compresses raw[at, at + n) as one block whose first document is
 * first. */
static int put_block(docstore_builder *b, store_part *p, size_t at,
                     size_t n, uint32_t first)
{
    if (!b->cctx && !(b->cctx = ZSTD_createCCtx()))
        return MORGUE_ENOMEM;
    seg_stored_block *x = mem_grow(p->blocks, &p->cap_blocks,
                                   p->n_blocks + 1, sizeof *x);
    if (!x)
        return MORGUE_ENOMEM;
    p->blocks = x;
    size_t bound = ZSTD_compressBound(n);
    buf_clear(&b->zbuf);
    if (buf_reserve(&b->zbuf, bound))
        return MORGUE_ENOMEM;
    uint8_t *dst = (uint8_t *)b->zbuf.ptr;
    const char *src = p->raw.ptr + at;
    size_t c = p->cdict ? ZSTD_compress_usingCDict(b->cctx, dst, bound, src,
                                                   n, p->cdict)
                        : ZSTD_compressCCtx(b->cctx, dst, bound, src, n,
                                            DOCSTORE_LEVEL);
    if (ZSTD_isError(c))
        return MORGUE_ERROR;
    p->blocks[p->n_blocks++] = (seg_stored_block){
        first, (uint32_t)c, (uint32_t)n,
        (uint32_t)crc32(0L, dst, (uInt)c), p->out.len }; /* see entry_crc */
    spool_append(&p->out, dst, c);
    if (p->out.err)
        return p->out.err == ENOMEM ? MORGUE_ENOMEM : MORGUE_EIO;
    return MORGUE_OK;
}

/* Learns the dictionary from the records in raw (none when there is too
 * little text to learn from: blocks are then compressed without). */
static int train(store_part *p)
{
    p->trained = 1;
    if (p->n_rec < 16 || p->raw.len < 4 * 1024)
        return MORGUE_OK;
    size_t cap = p->raw.len / 4 < DOCSTORE_DICT_MAX ? p->raw.len / 4
                                                    : DOCSTORE_DICT_MAX;
    size_t *sizes = malloc(p->n_rec * sizeof *sizes);
    if (!sizes || buf_reserve(&p->dict, cap)) {
        free(sizes);
        return MORGUE_ENOMEM;
    }
    for (size_t i = 0; i < p->n_rec; i++)
        sizes[i] = p->rec_len[i];
    ZDICT_fastCover_params_t fp;
    memset(&fp, 0, sizeof fp);
    fp.k = 200; /* fixed parameters: no search, deterministic */
    fp.d = 8;
    fp.f = 20;
    fp.accel = DOCSTORE_TRAIN_ACCEL;
    fp.splitPoint = 1.0;
    fp.zParams.compressionLevel = DOCSTORE_LEVEL;
    size_t n = ZDICT_trainFromBuffer_fastCover(p->dict.ptr, cap, p->raw.ptr,
                                               sizes, (unsigned)p->n_rec, fp);
    free(sizes);
    if (ZDICT_isError(n))
        return MORGUE_OK; /* too little variety: no dictionary */
    p->dict.len = n;
    p->cdict = ZSTD_createCDict(p->dict.ptr, n, DOCSTORE_LEVEL);
    return p->cdict ? MORGUE_OK : MORGUE_ENOMEM;
}

/* Compresses the records in raw into blocks of block_size or more; the
 * last, shorter run stays raw unless all is set. Blocks end where they
 * would had the dictionary been there from the start. */
static int cut_blocks(docstore_builder *b, store_part *p, int all)
{
    size_t start = 0, at = 0;
    uint32_t first = p->raw_first, doc = p->raw_first;
    int rc = MORGUE_OK;
    for (size_t i = 0; i < p->n_rec && rc == MORGUE_OK; i++) {
        at += p->rec_len[i];
        doc++;
        if (at - start >= p->block_size || (all && i + 1 == p->n_rec)) {
            rc = put_block(b, p, start, at - start, first);
            start = at;
            first = doc;
        }
    }
    if (rc)
        return rc;
    memmove(p->raw.ptr, p->raw.ptr + start, p->raw.len - start);
    p->raw.len -= start;
    p->raw_first = first;
    p->n_rec = 0;
    return MORGUE_OK;
}

static int part_add(docstore_builder *b, store_part *p, const buf *rec,
                    uint32_t doc)
{
    if (p->raw.len == 0)
        p->raw_first = doc;
    size_t before = p->raw.len;
    buf_put_varint(&p->raw, rec->len);
    buf_append(&p->raw, rec->ptr, rec->len);
    if (p->raw.oom)
        return MORGUE_ENOMEM;
    if (!p->trained) {
        uint32_t *x = mem_grow(p->rec_len, &p->cap_rec, p->n_rec + 1,
                               sizeof *x);
        if (!x)
            return MORGUE_ENOMEM;
        p->rec_len = x;
        p->rec_len[p->n_rec++] = (uint32_t)(p->raw.len - before);
        if (p->raw.len < DOCSTORE_SAMPLE)
            return MORGUE_OK;
        int rc = train(p);
        return rc ? rc : cut_blocks(b, p, 0);
    }
    if (p->raw.len < p->block_size)
        return MORGUE_OK;
    int rc = put_block(b, p, 0, p->raw.len, p->raw_first);
    buf_clear(&p->raw);
    return rc;
}

int docstore_would_cap(int field, size_t len)
{
    return len > (field == MORGUE_FIELD_BODY ? DOCSTORE_BODY_MAX
                                             : DOCSTORE_FIELD_MAX);
}

static void put_field(buf *rec, int id, span v, unsigned *capped)
{
    if (v.len == 0)
        return;
    if (docstore_would_cap(id, v.len)) {
        size_t max = id == MORGUE_FIELD_BODY ? DOCSTORE_BODY_MAX
                                             : DOCSTORE_FIELD_MAX;
        v.len = max;
        while (v.len > 0 && ((unsigned char)v.ptr[v.len] & 0xC0) == 0x80)
            v.len--; /* cut before a continuation byte: still UTF-8 */
        *capped |= 1u << id;
    }
    buf_put_varint(rec, (uint64_t)id);
    buf_put_varint(rec, v.len);
    buf_append(rec, v.ptr, v.len);
}

/* Appends one document's head and body records to the stores. */
static int store_records(docstore_builder *b, const buf *head,
                         const buf *body)
{
    int rc = part_add(b, &b->head, head, b->n_docs);
    if (rc == MORGUE_OK)
        rc = part_add(b, &b->body, body, b->n_docs);
    if (rc == MORGUE_OK)
        b->n_docs++;
    return rc;
}

static int pipe_put(docstore_builder *b, const buf *head, const buf *body);

int docstore_add(docstore_builder *b, const span *f, unsigned capped)
{
    buf_clear(&b->rec);
    buf rec_body = BUF_INIT;
    put_field(&rec_body, MORGUE_FIELD_BODY, f[MORGUE_FIELD_BODY], &capped);
    for (int k = 0; k < STORED_FIELDS; k++)
        if (k != MORGUE_FIELD_BODY)
            put_field(&b->rec, k, f[k], &capped);
    if (capped) {
        uint8_t v[10];
        size_t n = codec_put_varint(v, capped);
        buf_put_varint(&b->rec, STORED_CAPPED);
        buf_put_varint(&b->rec, n);
        buf_append(&b->rec, v, n);
    }
    int rc = b->rec.oom || rec_body.oom ? MORGUE_ENOMEM : MORGUE_OK;
    b->added += b->rec.len + rec_body.len;
    if (rc == MORGUE_OK)
        rc = b->pipe ? pipe_put(b, &b->rec, &rec_body)
                     : store_records(b, &b->rec, &rec_body);
    buf_free(&rec_body);
    return rc;
}

/* ---- the storing thread ---- */

/* Bytes queued before a sleeping storing thread is woken. */
#define PIPE_WAKE (64u << 10)

/* One document's records, queued: head bytes, then body bytes. */
typedef struct pipe_job {
    struct pipe_job *next;
    size_t head_len, body_len;
    char bytes[];
} pipe_job;

struct docstore_pipe {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t work, space, idle;
    pipe_job *first, *last;
    size_t queued;     /* bytes of the jobs waiting */
    int busy;          /* the thread is storing a job */
    int sleeping;      /* the thread waits for work */
    int stop;
    int rc;            /* the first failure; every later add returns it */
};

static void *pipe_main(void *arg)
{
    docstore_builder *b = arg;
    docstore_pipe *q = b->pipe;
    pthread_mutex_lock(&q->mu);
    for (;;) {
        while (!q->first && !q->stop) {
            q->sleeping = 1;
            pthread_cond_wait(&q->work, &q->mu);
            q->sleeping = 0;
        }
        if (!q->first)
            break;
        pipe_job *j = q->first;
        q->first = j->next;
        if (!q->first)
            q->last = NULL;
        q->queued -= j->head_len + j->body_len;
        q->busy = 1;
        int failed = q->rc != MORGUE_OK;
        pthread_cond_signal(&q->space);
        pthread_mutex_unlock(&q->mu);
        int rc = MORGUE_OK;
        if (!failed) {
            buf h = { j->bytes, j->head_len, j->head_len, 0 };
            buf d = { j->bytes + j->head_len, j->body_len, j->body_len, 0 };
            rc = store_records(b, &h, &d);
        }
        free(j);
        pthread_mutex_lock(&q->mu);
        if (rc && q->rc == MORGUE_OK)
            q->rc = rc;
        q->busy = 0;
        if (!q->first)
            pthread_cond_broadcast(&q->idle);
    }
    pthread_mutex_unlock(&q->mu);
    return NULL;
}

int docstore_builder_thread(docstore_builder *b)
{
    if (b->pipe)
        return MORGUE_OK;
    docstore_pipe *q = calloc(1, sizeof *q);
    if (!q)
        return MORGUE_ENOMEM;
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->work, NULL);
    pthread_cond_init(&q->space, NULL);
    pthread_cond_init(&q->idle, NULL);
    b->pipe = q;
    if (pthread_create(&q->thread, NULL, pipe_main, b) != 0) {
        b->pipe = NULL;
        pthread_cond_destroy(&q->idle);
        pthread_cond_destroy(&q->space);
        pthread_cond_destroy(&q->work);
        pthread_mutex_destroy(&q->mu);
        free(q);
        return MORGUE_ERROR;
    }
    return MORGUE_OK;
}

static int pipe_put(docstore_builder *b, const buf *head, const buf *body)
{
    docstore_pipe *q = b->pipe;
    pipe_job *j = malloc(sizeof *j + head->len + body->len + 1);
    if (!j)
        return MORGUE_ENOMEM;
    j->next = NULL;
    j->head_len = head->len;
    j->body_len = body->len;
    memcpy(j->bytes, head->ptr, head->len);
    if (body->len)
        memcpy(j->bytes + head->len, body->ptr, body->len);
    size_t n = head->len + body->len;
    pthread_mutex_lock(&q->mu);
    /* one huge record may exceed the bound alone: it waits for an empty
     * queue instead */
    while (q->rc == MORGUE_OK && q->queued && q->queued + n > DOCSTORE_QUEUE) {
        pthread_cond_signal(&q->work);
        pthread_cond_wait(&q->space, &q->mu);
    }
    int rc = q->rc;
    if (rc == MORGUE_OK) {
        if (q->last)
            q->last->next = j;
        else
            q->first = j;
        q->last = j;
        q->queued += n;
        /* a sleeping thread is woken for a run of records, not each one
         * (a wake-up and a context switch an article otherwise) */
        if (q->sleeping && q->queued >= PIPE_WAKE)
            pthread_cond_signal(&q->work);
    }
    pthread_mutex_unlock(&q->mu);
    if (rc)
        free(j);
    return rc;
}

/* Waits until every queued record is stored; the thread's failure, if
 * any. The parts may then be read and changed on this thread until the
 * next docstore_add. */
static int pipe_drain(docstore_builder *b)
{
    docstore_pipe *q = b->pipe;
    pthread_mutex_lock(&q->mu);
    if (q->first)
        pthread_cond_signal(&q->work);
    while (q->first || q->busy)
        pthread_cond_wait(&q->idle, &q->mu);
    int rc = q->rc;
    pthread_mutex_unlock(&q->mu);
    return rc;
}

static void pipe_stop(docstore_builder *b)
{
    docstore_pipe *q = b->pipe;
    if (!q)
        return;
    pthread_mutex_lock(&q->mu);
    q->stop = 1;
    q->rc = q->rc ? q->rc : MORGUE_ERROR; /* drop what still waits */
    pthread_cond_signal(&q->work);
    pthread_mutex_unlock(&q->mu);
    pthread_join(q->thread, NULL);
    for (pipe_job *j = q->first, *n; j; j = n) {
        n = j->next;
        free(j);
    }
    pthread_cond_destroy(&q->idle);
    pthread_cond_destroy(&q->space);
    pthread_cond_destroy(&q->work);
    pthread_mutex_destroy(&q->mu);
    free(q);
    b->pipe = NULL;
}

/* A block's checksum: CRC-32 of its compressed bytes (crc, computed when
 * it was compressed) continued over its index entry's other 20 bytes, so
 * that a changed entry fails as surely as changed bytes. */
static uint32_t entry_crc(uint32_t crc, const uint8_t *entry)
{
    uLong c = crc32(crc, entry, 12);
    return (uint32_t)crc32(c, entry + 16, 8);
}

static int part_finish(docstore_builder *b, store_part *p)
{
    int rc = MORGUE_OK;
    if (!p->trained)
        rc = train(p);
    if (rc == MORGUE_OK && p->n_rec)
        rc = cut_blocks(b, p, 1);
    else if (rc == MORGUE_OK && p->raw.len) {
        rc = put_block(b, p, 0, p->raw.len, p->raw_first);
        buf_clear(&p->raw);
    }
    buf_clear(&p->idx);
    buf_put_u32le(&p->idx, (uint32_t)p->n_blocks);
    for (size_t i = 0; i < p->n_blocks && !p->idx.oom; i++) {
        const seg_stored_block *x = &p->blocks[i];
        size_t at = p->idx.len;
        buf_put_u32le(&p->idx, x->first_doc);
        buf_put_u32le(&p->idx, x->comp_len);
        buf_put_u32le(&p->idx, x->raw_len);
        buf_put_u32le(&p->idx, 0);
        buf_put_u64le(&p->idx, x->offset);
        if (p->idx.oom)
            break;
        uint8_t *e = (uint8_t *)p->idx.ptr + at;
        uint32_t crc = entry_crc(x->crc, e);
        for (int k = 0; k < 4; k++)
            e[12 + k] = (uint8_t)(crc >> (8 * k));
    }
    return rc ? rc : p->idx.oom ? MORGUE_ENOMEM : MORGUE_OK;
}

int docstore_finish(docstore_builder *b)
{
    if (b->pipe) {
        int rc = pipe_drain(b);
        if (rc)
            return rc;
    }
    int rc = part_finish(b, &b->head);
    return rc ? rc : part_finish(b, &b->body);
}

size_t docstore_sections(const docstore_builder *b, seg_section *secs,
                         features *feat)
{
    size_t n = 0;
    /* the stores' spools are read (copied out) through the sections */
    secs[n++] = (seg_section){ .tag = SEC_HSTO,
                               .spool = (spool *)&b->head.out };
    secs[n++] = seg_bytes(SEC_HIDX, b->head.idx.ptr, b->head.idx.len);
    if (b->head.dict.len)
        secs[n++] = seg_bytes(SEC_HDIC, b->head.dict.ptr,
                                   b->head.dict.len);
    secs[n++] = (seg_section){ .tag = SEC_BSTO,
                               .spool = (spool *)&b->body.out };
    secs[n++] = seg_bytes(SEC_BIDX, b->body.idx.ptr, b->body.idx.len);
    if (b->body.dict.len)
        secs[n++] = seg_bytes(SEC_BDIC, b->body.dict.ptr,
                                   b->body.dict.len);
    feat->incompat |= FEAT_INCOMPAT_ZSTORE;
    return n;
}

/* ---- reading ---- */

/* Only the count and the dictionary are looked at when a segment opens
 * (open cost does not grow with the store); each entry is checked when
 * its block is first read. */
static int bind_store(seg_store *st, const char *what, const char *path,
                      uint32_t n_docs, errmsg *e)
{
    if (!st->data || !st->idx || st->idx_len < 4)
        return err_corrupt(e, "%s: %s store is missing", path, what);
    st->n_blocks = codec_get_u32le(st->idx);
    if ((st->idx_len - 4) / SIDX_ENTRY_SIZE != st->n_blocks ||
        (st->idx_len - 4) % SIDX_ENTRY_SIZE)
        return err_corrupt(e, "%s: %s block index does not match its count",
                           path, what);
    if (n_docs && st->n_blocks == 0)
        return err_corrupt(e, "%s: documents but no %s blocks", path, what);
    return MORGUE_OK; /* the dictionary: on first use (store_ddict) */
}

/* st's zstd dictionary, verified (segment_need) and built on the first
 * block read from st: a query that reads no bodies never reads BDIC.
 * Two threads may both build it; one keeps its own, the other frees its
 * copy. NULL in *out when the store has none. */
static int store_ddict(const segment *s, const seg_store *st,
                       ZSTD_DDict **out, const char *what, errmsg *e)
{
    *out = NULL;
    if (!st->dict)
        return MORGUE_OK;
    ZSTD_DDict **slot = segment_ddict_slot(s, st != &s->head);
    if (!slot)
        return err_set(e, MORGUE_EINVAL, "segment not open");
    ZSTD_DDict *d = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
    if (d) {
        *out = d;
        return MORGUE_OK;
    }
    int rc = segment_need(s, st == &s->head ? SEG_NEED_HDIC : SEG_NEED_BDIC,
                          e);
    if (rc)
        return rc;
    ZSTD_DDict *made = ZSTD_createDDict(st->dict, st->dict_len);
    if (!made)
        return err_corrupt(e, "segment %016llx: %s dictionary is not a zstd "
                           "dictionary", (unsigned long long)s->id, what);
    ZSTD_DDict *none = NULL;
    if (!__atomic_compare_exchange_n(slot, &none, made, 0, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE)) {
        ZSTD_freeDDict(made); /* another thread's is there */
        made = none;
    }
    *out = made;
    return MORGUE_OK;
}

int docstore_bind(segment *s, const char *path, errmsg *e)
{
    if (!(s->feat.incompat & FEAT_INCOMPAT_ZSTORE)) {
        if (!s->stor || !s->sidx || s->sidx_len < 4)
            return err_corrupt(e, "%s: stored text is missing", path);
        s->sidx_blocks = codec_get_u32le(s->sidx);
        if ((s->sidx_len - 4) / SIDX_ENTRY_SIZE < s->sidx_blocks)
            return err_corrupt(e, "%s: stored index shorter than its count",
                               path);
        return MORGUE_OK;
    }
    int rc = bind_store(&s->head, "head", path, s->n_docs, e);
    return rc ? rc : bind_store(&s->body, "body", path, s->n_docs, e);
}

void docstore_unbind(segment *s)
{
    for (int body = 0; body < 2; body++) {
        ZSTD_DDict **slot = segment_ddict_slot(s, body);
        if (slot) {
            ZSTD_freeDDict(*slot);
            *slot = NULL;
        }
    }
}

static uint32_t first_doc(const uint8_t *idx, uint32_t i)
{
    return codec_get_u32le(docstore_idx_entry(idx, i));
}

/* Where a search for doc starts: its share of the blocks. */
static uint32_t block_guess(uint32_t n, uint32_t doc, uint32_t n_docs)
{
    uint64_t g = n_docs ? (uint64_t)doc * n / n_docs : n / 2;
    return g < n ? (uint32_t)g : n - 1;
}

uint32_t docstore_find_block(const uint8_t *idx, uint32_t n, uint32_t doc,
                             uint32_t n_docs)
{
    if (n <= 1)
        return 0;
    uint32_t g = block_guess(n, doc, n_docs), lo, hi; /* answer in [lo, hi) */
    if (first_doc(idx, g) <= doc) { /* gallop up */
        uint32_t step = 1;
        lo = g;
        hi = n;
        while (step < n - lo && first_doc(idx, lo + step) <= doc) {
            lo += step;
            step *= 2;
        }
        if (step < n - lo)
            hi = lo + step;
    } else { /* gallop down; 0 when no first document is <= doc */
        uint32_t step = 1;
        hi = g;
        lo = 0;
        while (step < hi && first_doc(idx, hi - step) > doc) {
            hi -= step;
            step *= 2;
        }
        if (step < hi)
            lo = hi - step;
    }
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (first_doc(idx, mid) <= doc)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* One decompression context per thread, made on first use and freed when
 * the thread ends: making one costs more than decompressing a head block
 * (profiles of the query set put ZSTD_createDCtx at 5% when every result
 * list made its own), and a context must not be used by two threads. */
static pthread_key_t dctx_key;
static pthread_once_t dctx_once = PTHREAD_ONCE_INIT;
static int dctx_key_ok;

static void free_dctx(void *p) { ZSTD_freeDCtx(p); }

static void make_key(void)
{
    dctx_key_ok = pthread_key_create(&dctx_key, free_dctx) == 0;
}

static ZSTD_DCtx *thread_dctx(docstore_cache *c)
{
    pthread_once(&dctx_once, make_key);
    ZSTD_DCtx *d = dctx_key_ok ? pthread_getspecific(dctx_key) : NULL;
    if (d)
        return d;
    if (!dctx_key_ok) { /* no thread key: the cache keeps its own */
        if (!c->dctx)
            c->dctx = ZSTD_createDCtx();
        return c->dctx;
    }
    d = ZSTD_createDCtx();
    if (d && pthread_setspecific(dctx_key, d) != 0) {
        ZSTD_freeDCtx(d);
        d = NULL;
    }
    return d;
}

/* Decompresses the block of st holding doc into blk (unless it is there
 * already); *first is the block's first document. */
static int load_block(const segment *s, const seg_store *st, uint32_t doc,
                      docstore_block *blk, docstore_cache *c,
                      uint32_t *first, const char *what, errmsg *e)
{
    uint32_t i = docstore_find_block(st->idx, st->n_blocks, doc, s->n_docs);
    const uint8_t *x = docstore_idx_entry(st->idx, i);
    *first = codec_get_u32le(x);
    if (blk->seg == s && blk->block == i)
        return MORGUE_OK;
    blk->seg = NULL;
    uint32_t clen = codec_get_u32le(x + 4), rlen = codec_get_u32le(x + 8);
    uint64_t off = codec_get_u64le(x + 16);
    if (*first > doc || off > st->data_len || clen > st->data_len - off ||
        rlen > DOCSTORE_RAW_MAX)
        return err_corrupt(e, "segment %016llx: %s block %u (index entry "
                           "%u) out of bounds", (unsigned long long)s->id,
                           what, i, i);
    const uint8_t *src = st->data + off;
    if (entry_crc((uint32_t)crc32(0L, src, clen), x) !=
        codec_get_u32le(x + 12))
        return err_corrupt(e, "segment %016llx: %s block %u (offset %llu "
                           "in its store) fails its checksum",
                           (unsigned long long)s->id, what, i,
                           (unsigned long long)off);
    ZSTD_DDict *ddict;
    int rc = store_ddict(s, st, &ddict, what, e);
    if (rc)
        return rc;
    ZSTD_DCtx *dctx = thread_dctx(c);
    if (!dctx)
        return err_set(e, MORGUE_ENOMEM, "out of memory");
    buf_clear(&blk->raw);
    if (buf_reserve(&blk->raw, (size_t)rlen + 1))
        return err_set(e, MORGUE_ENOMEM, "out of memory");
    size_t got = ddict ? ZSTD_decompress_usingDDict(dctx, blk->raw.ptr,
                                                     rlen, src, clen, ddict)
                           : ZSTD_decompressDCtx(dctx, blk->raw.ptr, rlen,
                                                 src, clen);
    if (ZSTD_isError(got) || got != rlen)
        return err_corrupt(e, "segment %016llx: %s block %u does not "
                           "decompress to its %u bytes",
                           (unsigned long long)s->id, what, i, rlen);
    blk->raw.len = rlen;
    blk->seg = s;
    blk->block = i;
    return MORGUE_OK;
}

/* Reads doc's record from blk (whose first document is first) into
 * fields (the ids it holds; the others untouched). */
static int read_record(const segment *s, const docstore_block *blk,
                       uint32_t first, uint32_t doc, span *fields,
                       unsigned *capped, errmsg *e)
{
    const uint8_t *p = (const uint8_t *)blk->raw.ptr;
    const uint8_t *end = p + blk->raw.len;
    uint64_t n = 0;
    for (uint32_t d = first;; d++) {
        if (codec_get_varint(&p, end, &n) || n > (uint64_t)(end - p))
            return err_corrupt(e, "segment %016llx: stored record of "
                               "document %u is truncated",
                               (unsigned long long)s->id, d);
        if (d == doc)
            break;
        p += n;
    }
    const uint8_t *rend = p + n;
    while (p < rend) {
        uint64_t id, len;
        if (codec_get_varint(&p, rend, &id) ||
            codec_get_varint(&p, rend, &len) || len > (uint64_t)(rend - p))
            return err_corrupt(e, "segment %016llx: stored record of "
                               "document %u is malformed",
                               (unsigned long long)s->id, doc);
        if (id < STORED_FIELDS)
            fields[id] = span_of((const char *)p, (size_t)len);
        else if (id == STORED_CAPPED) {
            const uint8_t *q = p;
            uint64_t m;
            if (codec_get_varint(&q, p + len, &m))
                return err_corrupt(e, "segment %016llx: document %u: bad "
                                   "capped mask", (unsigned long long)s->id,
                                   doc);
            *capped = (unsigned)m;
        } /* other ids: a newer field, skipped */
        p += len;
    }
    return MORGUE_OK;
}

static int get(const segment *s, uint32_t doc, docstore_cache *c,
               span *fields, int body, errmsg *e)
{
    for (int k = 0; k < STORED_FIELDS; k++)
        fields[k] = span_of("", 0);
    c->capped = 0;
    if (doc >= s->n_docs)
        return err_set(e, MORGUE_ENOTFOUND, "no document %u", doc);
    if (!(s->feat.incompat & FEAT_INCOMPAT_ZSTORE)) {
        if (s->sidx_blocks == 0)
            return err_set(e, MORGUE_ENOTFOUND, "no document %u", doc);
        return docstore_v2_get(s, doc, c, fields, e);
    }
    uint32_t first;
    int rc = load_block(s, &s->head, doc, &c->head, c, &first, "head", e);
    if (rc == MORGUE_OK)
        rc = read_record(s, &c->head, first, doc, fields, &c->capped, e);
    if (rc == MORGUE_OK && body) {
        span f[STORED_FIELDS] = { { "", 0 } };
        f[MORGUE_FIELD_BODY] = span_of("", 0);
        unsigned ignored = 0;
        rc = load_block(s, &s->body, doc, &c->body, c, &first, "body", e);
        if (rc == MORGUE_OK)
            rc = read_record(s, &c->body, first, doc, f, &ignored, e);
        if (rc == MORGUE_OK)
            fields[MORGUE_FIELD_BODY] = f[MORGUE_FIELD_BODY];
    }
    return rc;
}

int docstore_get(const segment *s, uint32_t doc, docstore_cache *c,
                 span *fields, errmsg *e)
{
    return get(s, doc, c, fields, 1, e);
}

int docstore_get_head(const segment *s, uint32_t doc, docstore_cache *c,
                      span *fields, errmsg *e)
{
    return get(s, doc, c, fields, 0, e);
}

void docstore_prefetch_head(const segment *s, uint32_t doc)
{
    const seg_store *st = &s->head;
    if (!(s->feat.incompat & FEAT_INCOMPAT_ZSTORE) || !st->n_blocks)
        return;
    const uint8_t *x = docstore_idx_entry(
        st->idx, docstore_find_block(st->idx, st->n_blocks, doc, s->n_docs));
    uint32_t clen = codec_get_u32le(x + 4);
    uint64_t off = codec_get_u64le(x + 16);
    if (off <= st->data_len && clen <= st->data_len - off)
        segment_will_read(s, st->data + off, clen);
}

void docstore_prefetch_head_index(const segment *s, uint32_t doc)
{
    const seg_store *st = &s->head;
    if (!(s->feat.incompat & FEAT_INCOMPAT_ZSTORE) || st->n_blocks <= 1)
        return;
    segment_will_read(s, docstore_idx_entry(st->idx, block_guess(
                             st->n_blocks, doc, s->n_docs)),
                      SIDX_ENTRY_SIZE);
}

void docstore_cache_free(docstore_cache *c)
{
    if (c->zs_ready)
        inflateEnd(&c->zs);
    c->zs_ready = 0;
    buf_free(&c->v2_raw);
    buf_free(&c->head.raw);
    buf_free(&c->body.raw);
    ZSTD_freeDCtx(c->dctx);
    c->dctx = NULL;
    c->v2_seg = c->head.seg = c->body.seg = NULL;
}
