/* merge.c: merging segments into one, the merge policy, compaction, and
 * morgue_writer_commit (a commit, then the policy).
 *
 * A merge reads its source segments only through the index/ readers:
 * documents that are not deleted are renumbered in source order (so the
 * postings of a term, taken source after source, stay ascending), their
 * columns, identities and stored fields are copied, and the terms of all
 * sources are merged in key order and streamed to segment_write(), which
 * re-blocks the postings and rebuilds skips. Everything is streamed, the
 * output is never held whole: memory is a few bytes per document (the
 * renumbering, the lengths) plus fixed buffers, whatever the merge's
 * size (docs/OPERATIONS.md, "Memory"). Every column is copied, those
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
#include "indexer/commit.h"
#include "util/alloc.h"
#include "util/hash.h"
#include "util/u64map.h"
#include "util/span.h"

#define MERGE_FLOOR 1000
#define NO_DOC UINT32_MAX
#define OUT_CHUNK 65536 /* bytes of a column or IDNT put at once */

typedef struct msrc {
    const wseg *g;
    uint32_t *remap;   /* output document per document, or NO_DOC */
    termdict_iter it;
    int live;          /* it holds a current term */
    int has;           /* it holds the term being merged */
    uint32_t id_at;    /* next IDNT entry (the identities' merge) */
} msrc;

typedef struct merger {
    msrc *src;
    size_t n_src;
    uint32_t n_out;
    colset cols;         /* the output's columns: descriptors only */
    uint32_t *dlen, *tlen; /* of the output documents */
    int64_t date_min, date_max;
    docstore_builder store;
    char key[MAX_KEY];   /* the term being merged */
    size_t key_len;
    char alias[MAX_KEY]; /* the word it shares postings with */
    size_t alias_len;
    int started;         /* a term was handed out: advance first */
    size_t cur;          /* source whose postings are being read */
    postings p;
    int p_open;
    buf pos;             /* one document's positions */
    uint32_t *posv;
    size_t posv_cap;
    u64map word_srcs;    /* hash64 of a word's key -> sources holding it,
                            for the words not in every source */
    uint64_t touched;    /* source bytes read since pages were released */
    uint64_t release_at;
} merger;

static int is_deleted(const wseg *g, uint32_t doc)
{
    return g->del && delfile_test(g->del, doc);
}

/* The sources are mapped: what a merge reads of them would stay in its
 * RSS. Every release_at bytes read (a sixteenth of the budget) the pages
 * go back to the page cache. */
static void touch(merger *m, uint64_t bytes)
{
    m->touched += bytes;
    if (m->touched < m->release_at)
        return;
    for (size_t i = 0; i < m->n_src; i++)
        writer_release_pages((wseg *)m->src[i].g);
    m->touched = 0;
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

/* Numbers the live documents of every source; keeps their lengths (the
 * postings' impacts need them) and the date range. The other columns
 * and the identities are read again when they are written. */
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
    m->dlen = mem_array((size_t)m->n_out + 1, sizeof *m->dlen);
    m->tlen = mem_array((size_t)m->n_out + 1, sizeof *m->tlen);
    if (!m->dlen || !m->tlen)
        return err_set(e, MORGUE_ENOMEM, "out of memory");
    int rc = plan_columns(m, e);
    if (rc)
        return rc;
    m->date_min = m->date_max = INT64_MIN;
    for (size_t i = 0; i < m->n_src; i++) {
        const segment *s = &m->src[i].g->seg;
        const uint32_t *map = m->src[i].remap;
        for (uint32_t d = 0; d < s->n_docs; d++) {
            if (map[d] == NO_DOC)
                continue;
            m->dlen[map[d]] = (uint32_t)segment_col(s, COL_DLEN, d);
            m->tlen[map[d]] = (uint32_t)segment_col(s, COL_TLEN, d);
            int64_t t = (int64_t)segment_col(s, COL_DATE, d);
            if (t != INT64_MIN && (m->date_min == INT64_MIN ||
                                   t < m->date_min))
                m->date_min = t;
            if (t != INT64_MIN && (m->date_max == INT64_MIN ||
                                   t > m->date_max))
                m->date_max = t;
            touch(m, 16);
        }
    }
    return MORGUE_OK;
}

/* seg_build.put_column: column ix of every live document, in order. */
static int put_column(void *ud, size_t ix, seg_out *o, errmsg *e)
{
    merger *m = ud;
    unsigned width = m->cols.cols[ix].width;
    uint8_t chunk[OUT_CHUNK];
    size_t n = 0;
    for (size_t i = 0; i < m->n_src; i++) {
        const segment *s = &m->src[i].g->seg;
        const uint32_t *map = m->src[i].remap;
        for (uint32_t d = 0; d < s->n_docs; d++) {
            if (map[d] == NO_DOC)
                continue;
            col_store(chunk + n, width, col_value(m, ix, s, d));
            n += width;
            if (n + 8 > sizeof chunk) {
                seg_out_put(o, chunk, n);
                n = 0;
            }
            touch(m, width);
        }
    }
    seg_out_put(o, chunk, n);
    (void)e;
    return MORGUE_OK;
}

/* The next live IDNT entry of source i at or after its id_at: 1 with its
 * hash and output document, 0 at the end. */
static int ident_peek(merger *m, size_t i, uint64_t *h, uint32_t *doc,
                      errmsg *e)
{
    msrc *x = &m->src[i];
    const segment *s = &x->g->seg;
    for (; x->id_at < s->n_docs; x->id_at++) {
        uint32_t d = segment_ident_doc(s, x->id_at);
        if (d >= s->n_docs)
            return err_corrupt(e, "segment %016llx: identity entry %u "
                               "names document %u",
                               (unsigned long long)s->id, x->id_at, d);
        if (x->id_at > 0) { /* the merge needs them in order */
            uint64_t ph = segment_ident_hash(s, x->id_at - 1);
            uint32_t pd = segment_ident_doc(s, x->id_at - 1);
            uint64_t ch = segment_ident_hash(s, x->id_at);
            if (ph > ch || (ph == ch && pd >= d))
                return err_corrupt(e, "segment %016llx: identity entry %u "
                                   "out of order",
                                   (unsigned long long)s->id, x->id_at);
        }
        if (x->remap[d] != NO_DOC) {
            *h = segment_ident_hash(s, x->id_at);
            *doc = x->remap[d];
            return 1;
        }
    }
    return 0;
}

/* seg_build.put_identities: the sources' IDNT entries merged, each sorted
 * by (hash, document); sources number their documents in order, so an
 * equal hash goes to the earlier source. */
static int put_idents(void *ud, seg_out *o, errmsg *e)
{
    merger *m = ud;
    uint8_t chunk[OUT_CHUNK];
    size_t n = 0;
    for (;;) {
        int best = -1;
        uint64_t bh = 0;
        uint32_t bd = 0;
        for (size_t i = 0; i < m->n_src; i++) {
            uint64_t h = 0;
            uint32_t d = 0;
            int rc = ident_peek(m, i, &h, &d, e);
            if (rc < 0)
                return rc;
            if (rc && (best < 0 || h < bh)) {
                best = (int)i;
                bh = h;
                bd = d;
            }
        }
        if (best < 0)
            break;
        m->src[best].id_at++;
        for (int k = 0; k < 8; k++)
            chunk[n + k] = (uint8_t)(bh >> (8 * k));
        for (int k = 0; k < 4; k++)
            chunk[n + 8 + k] = (uint8_t)(bd >> (8 * k));
        n += IDNT_ENTRY_SIZE;
        if (n + IDNT_ENTRY_SIZE > sizeof chunk) {
            seg_out_put(o, chunk, n);
            n = 0;
        }
        touch(m, IDNT_ENTRY_SIZE);
    }
    seg_out_put(o, chunk, n);
    return MORGUE_OK;
}

/* Stored fields of the live documents, recompressed; the compressed
 * blocks go to temporary files in dir, not memory. */
static int copy_stored(merger *m, const char *dir, errmsg *e)
{
    docstore_builder_spill(&m->store, dir, SEG_SPOOL_MEM);
    docstore_cache c = { 0 };
    int rc = MORGUE_OK;
    for (size_t i = 0; i < m->n_src && rc == MORGUE_OK; i++) {
        const segment *s = &m->src[i].g->seg;
        for (uint32_t d = 0; d < s->n_docs && rc == MORGUE_OK; d++) {
            if (m->src[i].remap[d] == NO_DOC)
                continue;
            span f[STORED_FIELDS];
            rc = docstore_get(s, d, &c, f, e);
            if (rc)
                break;
            int k = docstore_add(&m->store, f, c.capped);
            if (k == MORGUE_EIO)
                rc = docstore_check(&m->store, e);
            else if (k)
                rc = err_set(e, MORGUE_ENOMEM, "out of memory");
            size_t bytes = 0;
            for (int f_i = 0; f_i < STORED_FIELDS; f_i++)
                bytes += f[f_i].len;
            touch(m, bytes / 2 + 16);
        }
    }
    docstore_cache_free(&c);
    if (rc == MORGUE_OK) {
        int k = docstore_finish(&m->store);
        if (k == MORGUE_EIO)
            rc = docstore_check(&m->store, e);
        else if (k)
            rc = err_set(e, MORGUE_ENOMEM, "out of memory");
    }
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

/* For a stem: whether every source holding it shares the postings of one
 * and the same word (then in m->alias: the output stem shares that
 * word's output postings). Words sort before stems, so it is written. */
static int alias_of(merger *m, errmsg *e)
{
    if (m->key[0] != NS_STEM)
        return 0;
    int found = 0;
    for (size_t i = 0; i < m->n_src; i++) {
        const msrc *s = &m->src[i];
        if (!s->has)
            continue;
        if (s->it.own_post_len != 0)
            return 0;
        termdict_iter w;
        int rc = termdict_at_post(&w, &s->g->seg, s->it.info.post_off, e);
        touch(m, 8192); /* a binary search: pages all over the dictionary */
        if (rc < 0)
            return rc;
        if (rc == 0 || w.key_len == 0 || w.key[0] != NS_WORD)
            return 0;
        if (found && span_cmp(w.key, w.key_len, m->alias, m->alias_len))
            return 0;
        memcpy(m->alias, w.key, w.key_len);
        m->alias_len = w.key_len;
        found++;
    }
    if (!found)
        return 0;
    uint32_t holders = u64map_get(&m->word_srcs, hash64(m->alias,
                                                         m->alias_len));
    if (holders == U64MAP_NONE)
        holders = (uint32_t)m->n_src;
    return (uint32_t)found == holders;
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
    return m->pos.oom ? MORGUE_ENOMEM : MORGUE_OK;
}

static int postings_error(merger *m, int rc, errmsg *e)
{
    if (rc == MORGUE_ENOMEM)
        return err_set(e, rc, "out of memory");
    return err_corrupt(e, "segment %016llx: postings of term '%.*s' do not "
                       "decode", (unsigned long long)m->src[m->cur].g->id,
                       (int)m->key_len, m->key);
}

static void close_postings(merger *m)
{
    if (m->p_open)
        postings_close(&m->p);
    m->p_open = 0;
}

/* seg_term.next_doc: the current term's live documents, source after
 * source, renumbered. */
static int next_doc(void *ud, seg_doc *d, errmsg *e)
{
    merger *m = ud;
    for (;;) {
        if (!m->p_open) {
            while (m->cur < m->n_src && !m->src[m->cur].has)
                m->cur++;
            if (m->cur == m->n_src)
                return 0;
            const msrc *s = &m->src[m->cur];
            int rc = postings_open(&m->p, &s->g->seg, &s->it.info, e);
            if (rc)
                return rc;
            m->p_open = 1;
            touch(m, s->it.info.post_len + s->it.info.pos_len);
        }
        const msrc *s = &m->src[m->cur];
        uint32_t doc = postings_next(&m->p);
        if (doc == POSTINGS_END) {
            int err = m->p.err;
            close_postings(m);
            if (err)
                return postings_error(m, err, e);
            m->cur++;
            continue;
        }
        if (doc >= s->g->seg.n_docs)
            return postings_error(m, MORGUE_ECORRUPT, e);
        uint32_t nd = s->remap[doc];
        if (nd == NO_DOC)
            continue;
        uint32_t tf = postings_tf(&m->p);
        buf_clear(&m->pos);
        if (s->it.info.pos_len) {
            int rc = put_positions(m, &m->p, tf);
            if (rc)
                return postings_error(m, rc, e);
        }
        *d = (seg_doc){ nd, tf, (const uint8_t *)m->pos.ptr, m->pos.len };
        return 1;
    }
}

static int advance_all(merger *m, errmsg *e)
{
    for (size_t i = 0; i < m->n_src; i++)
        if (m->src[i].has) {
            int rc = advance(&m->src[i], e);
            if (rc)
                return rc;
            touch(m, 16 + m->key_len); /* its dictionary entry */
        }
    return MORGUE_OK;
}

/* seg_build.next_term: the next key of any source; segment_write leaves
 * out those whose documents are all deleted. */
static int next_term(void *ud, seg_term *out, errmsg *e)
{
    merger *m = ud;
    if (m->started) {
        close_postings(m);
        int rc = advance_all(m, e);
        if (rc)
            return rc;
    }
    m->started = 1;
    if (!pick_key(m))
        return 0;
    if (m->key[0] == NS_WORD) { /* note who holds it, for alias_of */
        uint32_t n = 0;
        for (size_t i = 0; i < m->n_src; i++)
            n += m->src[i].has != 0;
        if (n < m->n_src &&
            u64map_put(&m->word_srcs, hash64(m->key, m->key_len), n))
            return err_set(e, MORGUE_ENOMEM, "out of memory");
    }
    int alias = alias_of(m, e);
    if (alias < 0)
        return alias;
    *out = (seg_term){ .key = m->key, .key_len = m->key_len,
                       .alias = SIZE_MAX };
    if (alias) {
        out->alias_key = m->alias;
        out->alias_key_len = m->alias_len;
    } else {
        out->next_doc = next_doc;
        out->doc_ud = m;
        m->cur = 0;
    }
    return 1;
}

/* ---- one merge ---- */

static void merger_free(merger *m)
{
    close_postings(m);
    for (size_t i = 0; i < m->n_src; i++)
        free(m->src[i].remap);
    free(m->src);
    colset_free(&m->cols);
    free(m->dlen);
    free(m->tlen);
    free(m->posv);
    buf_free(&m->pos);
    u64map_free(&m->word_srcs);
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
 * document is live; *n_out says how many). Nothing of the output is held
 * whole: segment_write streams the terms, columns and identities from
 * the sources, and the stored text goes through temporary files. */
static int build(merger *m, const char *dir, const char *path, errmsg *e)
{
    int rc = map_docs(m, e);
    if (rc || m->n_out == 0)
        return rc;
    if ((rc = copy_stored(m, dir, e)) || (rc = start_terms(m, e)))
        return rc;
    seg_build b = { .n_docs = m->n_out, .cols = &m->cols,
                    .put_column = put_column, .dlen = m->dlen,
                    .tlen = m->tlen, .date_min = m->date_min,
                    .date_max = m->date_max, .put_idents = put_idents,
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
    /* what a merge copies unread (the identities, the fingerprints) is
     * verified first, as every open used to */
    for (size_t i = 0; i < n; i++) {
        if ((rc = segment_need(&w->segs[pick[i]].seg, SEG_NEED_ALL,
                               &w->err)))
            return rc;
        /* the check read those sections whole: not the merge's to keep
         * (touch() counts only what the merge itself reads) */
        writer_release_pages(&w->segs[pick[i]]);
    }
    merger m;
    memset(&m, 0, sizeof m);
    m.src = calloc(n, sizeof *m.src);
    if (!m.src)
        return err_set(&w->err, MORGUE_ENOMEM, "out of memory");
    m.n_src = n;
    docstore_builder_init(&m.store);
    /* Faults map pages around what is read (fault-around, readahead):
     * release often, it costs little (the page cache keeps them). */
    m.release_at = w->budget / 16 > (2u << 20) ? w->budget / 16 : (2u << 20);
    for (size_t i = 0; i < n; i++) {
        m.src[i].g = &w->segs[pick[i]];
        segment_advise_sequential(&m.src[i].g->seg); /* read through */
    }
    char path[4096];
    uint64_t id = w->next_id;
    segment_path(path, sizeof path, w->dir, id);
    rc = build(&m, w->dir, path, &w->err);
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

static int writer_merge_policy(morgue_writer *w)
{
    for (int round = 0; round < 1000; round++) {
        size_t *pick = mem_array(w->n_segs + 1, sizeof *pick);
        if (!pick)
            return err_set(&w->err, MORGUE_ENOMEM, "out of memory");
        size_t n = choose(w, pick);
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

/* The public commit: the commit, then the merge policy (which commits
 * after each merge). */
MORGUE_API int morgue_writer_commit(morgue_writer *w)
{
    if (!w)
        return MORGUE_EINVAL;
    int rc = writer_commit(w);
    if (rc == MORGUE_OK && w->merge_factor >= 2)
        rc = writer_merge_policy(w);
    return rc;
}
