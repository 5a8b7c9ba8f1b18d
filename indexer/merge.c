/* merge.c: merging segments into one, and the merge policy.
 *
 * A merge reads its source segments only through the index/ readers:
 * documents that are not deleted are renumbered in source order (so the
 * postings of a term, taken source after source, stay ascending), their
 * columns, identities and stored fields are copied, and the terms of all
 * sources are merged in key order and streamed to segment_write(), which
 * re-blocks the postings and rebuilds skips. Every column is copied, those
 * this library does not know too (their width and default come from the
 * column directory; a source without a column gives its documents the
 * default), so an older library merging a newer index keeps what it
 * cannot read. Deleted documents are gone
 * from the result. A stem that was an alias of the same one word in every
 * source that has it stays an alias of that word, provided every source
 * holding the word holds the stem (articles of another language may give
 * the word another stem there).
 *
 * Policy (tiered, order-preserving): a segment's tier is 0 below
 * MERGE_FLOOR live documents, else 1 + floor(log_F(live / MERGE_FLOOR))
 * for merge factor F. After a commit, a segment more than a fifth deleted
 * is rewritten alone; then the oldest F segments of the first run of F
 * neighbours in one tier (lowest tier first) are merged; and should odd
 * tier patterns leave more than F * (highest tier + 2) segments, the F
 * neighbours with the fewest documents are merged. A merged segment takes
 * the place of its sources in the manifest, so documents keep their
 * order (ties in ranking go to the older article however the index was
 * merged, and an index without deletions numbers its documents as one
 * built in a single pass). New segments arrive small at the end, so a
 * tier's segments are neighbours: no tier keeps F segments (about
 * (F - 1) * (1 + log_F(N / MERGE_FLOOR)) segments for N documents), no
 * segment stays more than 20% deleted (dead space under a quarter of the
 * live data), and each document is rewritten about log_F(N / MERGE_FLOOR)
 * times over its life.
 */
#include <stdlib.h>
#include <string.h>

#include "index/delfile.h"
#include "index/docstore.h"
#include "index/format.h"
#include "index/postings.h"
#include "index/termdict.h"
#include "indexer/writer_int.h"
#include "util/alloc.h"
#include "util/span.h"

#define MERGE_FLOOR 1000
#define NO_DOC UINT32_MAX

/* A word ('E' term) written to the output, as seen from one source. */
typedef struct wordref {
    uint64_t off;   /* its postings offset in the source */
    size_t ix;      /* its ordinal in the output */
    uint32_t df;    /* its output document frequency */
    uint32_t n_srcs;/* sources that hold the word */
} wordref;

typedef struct msrc {
    const wseg *g;
    uint32_t *remap;   /* output document per document, or NO_DOC */
    termdict_iter it;
    int live;          /* it holds a current term */
    int has;           /* it holds the term being merged */
    wordref *words;    /* ascending off */
    size_t n_words, cap_words;
} msrc;

typedef struct merger {
    msrc *src;
    size_t n_src;
    uint32_t n_out;
    colset cols;
    uint64_t *idents;
    docstore_builder store;
    char key[MAX_KEY];
    size_t key_len;
    buf post, pos;       /* the term being emitted */
    uint32_t *posv;
    size_t posv_cap;
    size_t n_terms;      /* terms emitted */
} merger;

static int is_deleted(const wseg *g, uint32_t doc)
{
    return g->del && delfile_test(g->del, doc);
}

/* ---- documents ---- */

/* The output's columns: the known ones, then every carried (unknown)
 * column of any source, in order of first appearance. */
static int plan_columns(merger *m, errmsg *e)
{
    colset_init(&m->cols);
    for (size_t i = 0; i < m->n_src; i++) {
        const segment *s = &m->src[i].g->seg;
        for (uint32_t k = 0; k < s->n_carried; k++) {
            const seg_col *c = &s->carried[k];
            int ix = colset_column(&m->cols, c->tag, c->width, c->flags,
                                   c->dflt);
            if (ix == -1)
                return err_set(e, MORGUE_EVERSION, "merge: more than %d "
                               "columns this library does not know",
                               COL_MAX_CARRIED);
            if (ix < 0)
                return err_set(e, MORGUE_EVERSION, "merge: column %.4s has "
                               "different widths in two segments",
                               (const char *)&c->tag);
        }
    }
    return MORGUE_OK;
}

/* Value of output column ix for document d of s. */
static uint64_t col_value(const merger *m, size_t ix, const segment *s,
                          uint32_t d)
{
    if (ix < N_COLS)
        return segment_col(s, (int)ix, d);
    const colbuf *c = &m->cols.cols[ix];
    for (uint32_t k = 0; k < s->n_carried; k++)
        if (s->carried[k].tag == c->tag)
            return col_load(s->carried[k].p + (size_t)d * c->width,
                            c->width, c->flags);
    return c->dflt;
}

/* Numbers the live documents of every source; fills the columns. */
static int map_docs(merger *m, errmsg *e)
{
    uint32_t next = 0;
    for (size_t i = 0; i < m->n_src; i++) {
        const wseg *g = m->src[i].g;
        m->src[i].remap = mem_array((size_t)g->seg.n_docs + 1, 4);
        if (!m->src[i].remap)
            return err_set(e, MORGUE_ENOMEM, "out of memory");
        for (uint32_t d = 0; d < g->seg.n_docs; d++)
            m->src[i].remap[d] = is_deleted(g, d) ? NO_DOC : next++;
    }
    m->n_out = next;
    m->idents = mem_array((size_t)m->n_out + 1, sizeof *m->idents);
    if (!m->idents)
        return err_set(e, MORGUE_ENOMEM, "out of memory");
    int rc = plan_columns(m, e);
    if (rc)
        return rc;
    uint64_t row[N_COLS + COL_MAX_CARRIED];
    for (size_t i = 0; i < m->n_src; i++) {
        const segment *s = &m->src[i].g->seg;
        const uint32_t *map = m->src[i].remap;
        for (uint32_t d = 0; d < s->n_docs; d++) {
            if (map[d] == NO_DOC)
                continue;
            for (size_t k = 0; k < m->cols.n_cols; k++)
                row[k] = col_value(m, k, s, d);
            if (colset_push(&m->cols, row))
                return err_set(e, MORGUE_ENOMEM, "out of memory");
        }
        for (uint32_t k = 0; k < s->n_docs; k++) {
            uint32_t d = segment_ident_doc(s, k);
            if (d >= s->n_docs)
                return err_corrupt(e, "segment %016llx: identity entry %u "
                                   "names document %u",
                                   (unsigned long long)s->id, k, d);
            if (map[d] != NO_DOC)
                m->idents[map[d]] = segment_ident_hash(s, k);
        }
    }
    return MORGUE_OK;
}

/* Stored fields of the live documents, recompressed. */
static int copy_stored(merger *m, errmsg *e)
{
    docstore_builder_init(&m->store);
    docstore_cache c = { 0 };
    int rc = MORGUE_OK;
    for (size_t i = 0; i < m->n_src && rc == MORGUE_OK; i++) {
        const segment *s = &m->src[i].g->seg;
        for (uint32_t d = 0; d < s->n_docs && rc == MORGUE_OK; d++) {
            if (m->src[i].remap[d] == NO_DOC)
                continue;
            span f[STORED_FIELDS];
            rc = docstore_get(s, d, &c, f, e);
            if (rc == MORGUE_OK && docstore_add(&m->store, f, c.capped))
                rc = err_set(e, MORGUE_ENOMEM, "out of memory");
        }
    }
    docstore_cache_free(&c);
    if (rc == MORGUE_OK && docstore_finish(&m->store))
        rc = err_set(e, MORGUE_ENOMEM, "out of memory");
    return rc;
}

/* ---- terms ---- */

static int advance(msrc *s, errmsg *e)
{
    int rc = termdict_next(&s->it, e);
    s->live = rc == 1;
    return rc < 0 ? rc : MORGUE_OK;
}

/* Marks the sources holding the smallest current key; 0 when none. */
static int pick_key(merger *m)
{
    int min = -1;
    for (size_t i = 0; i < m->n_src; i++) {
        const termdict_iter *it = &m->src[i].it;
        if (m->src[i].live &&
            (min < 0 || span_cmp(it->key, it->key_len, m->src[min].it.key,
                                m->src[min].it.key_len) < 0))
            min = (int)i;
    }
    if (min < 0)
        return 0;
    m->key_len = m->src[min].it.key_len;
    memcpy(m->key, m->src[min].it.key, m->key_len);
    for (size_t i = 0; i < m->n_src; i++)
        m->src[i].has = m->src[i].live &&
                        !span_cmp(m->src[i].it.key, m->src[i].it.key_len,
                                 m->key, m->key_len);
    return 1;
}

static const wordref *find_word(const msrc *s, uint64_t off)
{
    size_t lo = 0, hi = s->n_words;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->words[mid].off < off)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < s->n_words && s->words[lo].off == off ? &s->words[lo] : NULL;
}

/* For a stem: the output word whose postings it shares in every source
 * holding it, or NULL. */
static const wordref *alias_of(const merger *m)
{
    if (m->key[0] != NS_STEM)
        return NULL;
    const wordref *w = NULL;
    uint32_t n = 0;
    for (size_t i = 0; i < m->n_src; i++) {
        const msrc *s = &m->src[i];
        if (!s->has)
            continue;
        if (s->it.own_post_len != 0)
            return NULL;
        const wordref *x = find_word(s, s->it.info.post_off);
        if (!x || (w && x->ix != w->ix))
            return NULL;
        w = x;
        n++;
    }
    return w && n == w->n_srcs ? w : NULL;
}

static int note_word(msrc *s, size_t ix, uint32_t df, uint32_t n_srcs)
{
    if (s->n_words == s->cap_words) {
        size_t cap = s->cap_words ? s->cap_words * 2 : 1024;
        wordref *n = mem_rearray(s->words, cap, sizeof *n);
        if (!n)
            return -1;
        s->words = n;
        s->cap_words = cap;
    }
    s->words[s->n_words++] = (wordref){ s->it.info.post_off, ix, df,
                                        n_srcs };
    return 0;
}

static int put_positions(merger *m, postings *p, uint32_t tf)
{
    if (tf > m->posv_cap) {
        uint32_t *n = mem_rearray(m->posv, (size_t)tf, sizeof *n);
        if (!n)
            return MORGUE_ENOMEM;
        m->posv = n;
        m->posv_cap = tf;
    }
    if (postings_positions(p, m->posv) != (int)tf)
        return MORGUE_ECORRUPT;
    for (uint32_t k = 0; k < tf; k++)
        buf_put_varint(&m->pos, k ? m->posv[k] - m->posv[k - 1]
                                  : m->posv[0]);
    return MORGUE_OK;
}

/* Appends one source's live postings of the current term. */
static int copy_postings(merger *m, msrc *s, uint32_t *df, uint32_t *prev,
                         errmsg *e)
{
    postings p;
    int rc = postings_open(&p, &s->g->seg, &s->it.info, e);
    for (uint32_t d = rc ? POSTINGS_END : postings_next(&p);
         d != POSTINGS_END && rc == MORGUE_OK; d = postings_next(&p)) {
        if (d >= s->g->seg.n_docs) {
            rc = MORGUE_ECORRUPT;
            break;
        }
        uint32_t nd = s->remap[d], tf = postings_tf(&p);
        if (nd == NO_DOC)
            continue;
        buf_put_varint(&m->post, *df ? nd - *prev - 1 : nd);
        buf_put_varint(&m->post, tf - 1);
        if (s->it.info.pos_len)
            rc = put_positions(m, &p, tf);
        *prev = nd;
        (*df)++;
    }
    if (rc == MORGUE_OK && p.err)
        rc = p.err;
    postings_close(&p);
    if (rc == MORGUE_ENOMEM)
        return err_set(e, rc, "out of memory");
    if (rc)
        return err_corrupt(e, "segment %016llx: postings of term '%.*s' "
                           "do not decode", (unsigned long long)s->g->id,
                           (int)m->key_len, m->key);
    return MORGUE_OK;
}

/* Merges the current term's postings; *df is 0 when all were deleted. */
static int merge_term(merger *m, uint32_t *df, errmsg *e)
{
    buf_clear(&m->post);
    buf_clear(&m->pos);
    *df = 0;
    uint32_t prev = 0;
    for (size_t i = 0; i < m->n_src; i++)
        if (m->src[i].has) {
            int rc = copy_postings(m, &m->src[i], df, &prev, e);
            if (rc)
                return rc;
        }
    if (m->post.oom || m->pos.oom)
        return err_set(e, MORGUE_ENOMEM, "out of memory");
    if (m->key[0] == NS_WORD && *df) {
        uint32_t n = 0;
        for (size_t i = 0; i < m->n_src; i++)
            n += m->src[i].has != 0;
        for (size_t i = 0; i < m->n_src; i++)
            if (m->src[i].has && note_word(&m->src[i], m->n_terms, *df, n))
                return err_set(e, MORGUE_ENOMEM, "out of memory");
    }
    return MORGUE_OK;
}

static int advance_all(merger *m, errmsg *e)
{
    for (size_t i = 0; i < m->n_src; i++)
        if (m->src[i].has) {
            int rc = advance(&m->src[i], e);
            if (rc)
                return rc;
        }
    return MORGUE_OK;
}

/* seg_build.next_term: the next output term with live documents. */
static int next_term(void *ud, seg_term *out, errmsg *e)
{
    merger *m = ud;
    while (pick_key(m)) {
        const wordref *w = alias_of(m);
        uint32_t df = w ? w->df : 0;
        int rc = w ? MORGUE_OK : merge_term(m, &df, e);
        *out = (seg_term){ m->key, m->key_len, df,
                           (const uint8_t *)m->post.ptr, m->post.len,
                           (const uint8_t *)m->pos.ptr, m->pos.len,
                           w ? w->ix : SIZE_MAX };
        if (w)
            out->post_len = out->pos_len = 0;
        if (rc == MORGUE_OK)
            rc = advance_all(m, e);
        if (rc)
            return rc;
        if (df) {
            m->n_terms++;
            return 1;
        }
    }
    return 0;
}

/* ---- one merge ---- */

static void merger_free(merger *m)
{
    for (size_t i = 0; i < m->n_src; i++) {
        free(m->src[i].remap);
        free(m->src[i].words);
    }
    free(m->src);
    colset_free(&m->cols);
    free(m->idents);
    free(m->posv);
    buf_free(&m->post);
    buf_free(&m->pos);
    docstore_builder_free(&m->store);
}

static int start_terms(merger *m, errmsg *e)
{
    for (size_t i = 0; i < m->n_src; i++) {
        int rc = termdict_seek(&m->src[i].it, &m->src[i].g->seg, "", 0, e);
        if (rc == MORGUE_OK)
            rc = advance(&m->src[i], e);
        if (rc)
            return rc;
    }
    return MORGUE_OK;
}

/* Writes the merge of the sources as segment file path (when any
 * document is live; *n_out says how many). */
static int build(merger *m, const char *path, errmsg *e)
{
    int rc = map_docs(m, e);
    if (rc || m->n_out == 0)
        return rc;
    if ((rc = copy_stored(m, e)) || (rc = start_terms(m, e)))
        return rc;
    seg_build b = { .n_docs = m->n_out, .cols = &m->cols,
                    .idents = m->idents,
                    .next_term = next_term, .ud = m };
    b.n_extra = docstore_sections(&m->store, b.extra, &b.feat);
    return segment_write(path, &b, e);
}

/* Merges segments pick[0..n) (indices into w->segs) into one new pending
 * segment and marks them dropped; the next commit makes it so. */
static int merge_segs(morgue_writer *w, const size_t *pick, size_t n)
{
    int rc = writer_lock_held(w);
    if (rc)
        return rc;
    merger m;
    memset(&m, 0, sizeof m);
    m.src = calloc(n, sizeof *m.src);
    if (!m.src)
        return err_set(&w->err, MORGUE_ENOMEM, "out of memory");
    m.n_src = n;
    for (size_t i = 0; i < n; i++)
        m.src[i].g = &w->segs[pick[i]];
    char path[4096];
    uint64_t id = w->next_id;
    segment_path(path, sizeof path, w->dir, id);
    rc = build(&m, path, &w->err);
    uint32_t n_out = m.n_out;
    merger_free(&m);
    if (rc)
        return rc;
    if (n_out) {
        w->next_id++;
        if ((rc = writer_add_seg(w, id, NULL, 0)))
            return rc;
    }
    for (size_t i = 0; i < n; i++)
        w->segs[pick[i]].drop = 1;
    if (n_out) { /* in place of its first source: documents keep order */
        wseg merged = w->segs[w->n_segs - 1];
        memmove(&w->segs[pick[0] + 1], &w->segs[pick[0]],
                (w->n_segs - 1 - pick[0]) * sizeof *w->segs);
        w->segs[pick[0]] = merged;
    }
    return MORGUE_OK;
}

/* ---- policy ---- */

static uint32_t live_docs(const wseg *g) { return g->seg.n_docs - g->n_del; }

static unsigned tier(uint32_t live, int factor)
{
    unsigned t = 0;
    for (uint64_t lim = MERGE_FLOOR; live >= lim; lim *= (uint64_t)factor)
        t++;
    return t;
}

/* The first run of f neighbouring segments all in tier t, into pick. */
static size_t tier_run(const morgue_writer *w, unsigned t, size_t *pick)
{
    size_t n = 0;
    for (size_t i = 0; i < w->n_segs; i++) {
        const wseg *g = &w->segs[i];
        if (g->drop)
            continue;
        if (tier(live_docs(g), w->merge_factor) != t) {
            n = 0;
            continue;
        }
        pick[n++] = i;
        if (n == (size_t)w->merge_factor)
            return n;
    }
    return 0;
}

/* The f neighbours with the fewest live documents, into pick. */
static size_t smallest_window(const morgue_writer *w, size_t *pick)
{
    size_t f = (size_t)w->merge_factor, n = 0, best = 0;
    uint64_t best_sum = UINT64_MAX;
    size_t *live = mem_array(w->n_segs + 1, sizeof *live);
    if (!live)
        return 0;
    for (size_t i = 0; i < w->n_segs; i++)
        if (!w->segs[i].drop)
            live[n++] = i;
    for (size_t i = 0; i + f <= n; i++) {
        uint64_t sum = 0;
        for (size_t k = i; k < i + f; k++)
            sum += live_docs(&w->segs[live[k]]);
        if (sum < best_sum) {
            best_sum = sum;
            best = i;
        }
    }
    size_t got = best_sum == UINT64_MAX ? 0 : f;
    for (size_t k = 0; k < got; k++)
        pick[k] = live[best + k];
    free(live);
    return got;
}

/* The next merge the policy wants into pick (segment indices in manifest
 * order); returns its size (0: none). pick holds w->n_segs entries. */
static size_t choose(const morgue_writer *w, size_t *pick)
{
    unsigned top = 0;
    size_t n_live = 0;
    for (size_t i = 0; i < w->n_segs; i++) {
        const wseg *g = &w->segs[i];
        if (g->drop)
            continue;
        if (live_docs(g) && (uint64_t)g->n_del * 5 > g->seg.n_docs) {
            pick[0] = i; /* too much dead space: rewrite it */
            return 1;
        }
        unsigned t = tier(live_docs(g), w->merge_factor);
        top = t > top ? t : top;
        n_live++;
    }
    for (unsigned t = 0; t <= top; t++) {
        size_t n = tier_run(w, t, pick);
        if (n)
            return n;
    }
    if (n_live > (size_t)w->merge_factor * (top + 2))
        return smallest_window(w, pick);
    return 0;
}

/* Merges picked segments (in manifest order) and commits. */
static int merge_and_commit(morgue_writer *w, size_t *pick, size_t n)
{
    int rc = merge_segs(w, pick, n);
    if (rc == MORGUE_OK)
        rc = writer_commit(w);
    return rc;
}

int writer_merge_policy(morgue_writer *w)
{
    for (int round = 0; round < 1000; round++) {
        size_t *pick = mem_array(w->n_segs + 1, sizeof *pick);
        if (!pick)
            return err_set(&w->err, MORGUE_ENOMEM, "out of memory");
        size_t n = choose(w, pick);
        /* A merge holds its whole output in memory (and its serialised
         * copy) until it is written: the policy only merges what fits the
         * writer's memory budget, so that `index --memory M` stays near M.
         * Bigger merges wait for morgue_writer_compact(), which is asked
         * for (docs/OPERATIONS.md, "Memory"). */
        uint64_t bytes = 0;
        for (size_t i = 0; i < n; i++)
            bytes += w->segs[pick[i]].seg.size;
        if (bytes > w->budget)
            n = 0;
        int rc = n ? merge_and_commit(w, pick, n) : MORGUE_OK;
        for (size_t i = 0; i < w->n_segs; i++) /* the merge read them */
            writer_release_pages(&w->segs[i]);
        free(pick);
        if (rc || n == 0)
            return rc;
    }
    return MORGUE_OK;
}

MORGUE_API int morgue_writer_compact(morgue_writer *w)
{
    if (!w)
        return MORGUE_EINVAL;
    int rc = writer_commit(w);
    if (rc)
        return rc;
    size_t *pick = mem_array(w->n_segs + 1, sizeof *pick), n = 0;
    if (!pick)
        return err_set(&w->err, MORGUE_ENOMEM, "out of memory");
    int dead = 0;
    for (size_t i = 0; i < w->n_segs; i++)
        if (!w->segs[i].drop) {
            pick[n++] = i;
            dead |= w->segs[i].n_del > 0;
        }
    if (n > 1 || dead)
        rc = merge_and_commit(w, pick, n);
    free(pick);
    return rc;
}
