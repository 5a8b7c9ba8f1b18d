/* check_segment.c: the integrity check of one segment file (see check.c
 * for the index as a whole).
 *
 * Per segment: every section's CRC, the file's layout (sections and
 * directory tile it, with only zero padding), META against the columns,
 * every dictionary entry (keys strictly ascending in known namespaces)
 * and every posting (documents ascending and in range, counts equal to
 * the document frequency, frequencies and positions in range, each
 * block's skip impacts bounding its documents), then the sums: per
 * document, the frequencies of its exact words and of its stems equal
 * its length, those of its title stems its title length; every stored
 * record decodes, its title and body tokenize to those lengths, and its id
 * hashes to the identity IDNT gives it; IDNT names every document once,
 * in order. Each finding names the file and the offset (or the term and
 * document) where it was made. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <zlib.h>

#include "index/check.h"
#include "index/codec.h"
#include "index/delfile.h"
#include "index/docstore.h"
#include "index/filetable.h"
#include "index/format.h"
#include "index/manifest.h"
#include "index/postings.h"
#include "index/snapshot.h"
#include "index/termdict.h"
#include "morgue.h"
#include "text/tokenize.h"
#include "util/hash.h"
#include "util/utf8.h"
#include "util/alloc.h"
#include "util/span.h"

/* What the term walk learns per document of one segment. */
typedef struct doc_sums {
    uint32_t *words, *stems, *titles; /* frequency sums per namespace */
    uint64_t *ident;                  /* IDNT's hash per document */
    uint32_t *posv;                   /* positions scratch */
    size_t posv_cap;
} doc_sums;

static void sums_free(doc_sums *d)
{
    free(d->words);
    free(d->stems);
    free(d->titles);
    free(d->ident);
    free(d->posv);
}

static int sums_alloc(doc_sums *d, uint32_t n)
{
    memset(d, 0, sizeof *d);
    d->words = calloc((size_t)n + 1, 4);
    d->stems = calloc((size_t)n + 1, 4);
    d->titles = calloc((size_t)n + 1, 4);
    d->ident = calloc((size_t)n + 1, 8);
    return d->words && d->stems && d->titles && d->ident ? 0 : -1;
}

/* ---- memory ---- */

/* The check reads the whole mapped file, and the kernel keeps every page
 * read mapped into the process until the file is closed: checking a 1 GB
 * segment peaked at 1 GB RSS. So each step counts (roughly, erring high)
 * the bytes it reads, and every CHECK_RELEASE of them the file's pages
 * are dropped from the process (they stay in the page cache, and those
 * read again fault back in). RSS then stays near the per-document tables
 * plus CHECK_RELEASE, whatever the segment's size. */
#define CHECK_RELEASE (8u << 20)

typedef struct pager {
    const segment *s;
    uint64_t touched;
    uint64_t releases;   /* how many times pages were dropped */
} pager;

static void pager_release(pager *pg)
{
    if (pg->s->map && pg->s->size)
        madvise((void *)pg->s->map, pg->s->size, MADV_DONTNEED);
    pg->touched = 0;
    pg->releases++;
}

static void pager_touch(pager *pg, uint64_t n)
{
    pg->touched += n;
    if (pg->touched >= CHECK_RELEASE)
        pager_release(pg);
}

/* ---- layout ---- */

typedef struct span64 {
    uint64_t off, len;
} span64;

static int by_off(const void *a, const void *b)
{
    const span64 *x = a, *y = b;
    return (x->off > y->off) - (x->off < y->off);
}

/* Bytes [from, to) must be zero padding shorter than 8. */
static int check_gap(const segment *s, const char *path, uint64_t from,
                     uint64_t to, errmsg *e)
{
    if (to < from || to - from >= 8)
        return err_corrupt(e, "%s: sections overlap or leave a gap at "
                           "offset %" PRIu64, path, from);
    for (uint64_t o = from; o < to; o++)
        if (s->map[o])
            return err_corrupt(e, "%s: padding byte not zero at offset %"
                               PRIu64, path, o);
    return MORGUE_OK;
}

/* Header, sections, directory and footer tile the file exactly. */
static int check_layout(const segment *s, const char *path, errmsg *e)
{
    const uint8_t *f = s->map + s->size - SEGMENT_FOOTER_SIZE;
    uint64_t dir_off = codec_get_u64le(f);
    uint32_t n = codec_get_u32le(f + 8);
    if (codec_get_u32le(s->map + 12) || codec_get_u32le(f + 20))
        return err_corrupt(e, "%s: reserved header or footer field not 0 "
                           "(offset 12 or %zu)", path, s->size - 12);
    span64 *secs = mem_array((size_t)n + 1, sizeof *secs);
    if (!secs)
        return err_set(e, MORGUE_ENOMEM, "out of memory");
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *d = s->map + dir_off + (size_t)i * 32;
        secs[i] = (span64){ codec_get_u64le(d + 8), codec_get_u64le(d + 16) };
    }
    qsort(secs, n, sizeof *secs, by_off);
    uint64_t at = 16;
    int rc = MORGUE_OK;
    for (uint32_t i = 0; i < n && rc == MORGUE_OK; i++) {
        rc = check_gap(s, path, at, secs[i].off, e);
        at = secs[i].off + secs[i].len;
    }
    free(secs);
    if (rc == MORGUE_OK)
        rc = check_gap(s, path, at, dir_off, e);
    return rc;
}

/* ---- META and columns ---- */

/* Every column through its descriptor's check, then META's totals. The
 * sizes were checked at open; carried (unknown) columns have no rules. */
static int check_columns(const segment *s, const char *path, pager *pg,
                         errmsg *e)
{
    uint64_t len = 0, tlen = 0;
    int64_t lo = INT64_MIN, hi = INT64_MIN;
    for (int c = 0; c < N_COLS; c++) {
        const seg_col *k = &s->col[c];
        if (k->has_max) { /* CPAG's largest value */
            uint64_t max = 0;
            for (uint32_t d = 0; d < s->n_docs; d++) {
                uint64_t v = segment_col(s, c, d);
                if (d == 0 || (k->flags & COL_SIGNED
                                   ? (int64_t)v > (int64_t)max : v > max))
                    max = v;
            }
            if (max != k->max)
                return err_corrupt(e, "%s: column pages say the largest %s "
                                   "is %" PRIu64 ", the column %" PRIu64,
                                   path, col_table[c].name, k->max, max);
        }
        for (uint32_t d = 0; col_table[c].check && d < s->n_docs; d++) {
            const char *bad = col_table[c].check(s, d, segment_col(s, c, d));
            if (bad)
                return err_corrupt(e, "%s: document %u: %s (%s offset %zu)",
                                   path, d, bad, col_table[c].name,
                                   k->p ? (size_t)(k->p - s->map) +
                                              (size_t)d * k->width
                                        : 0);
            if ((d & 4095) == 4095)
                pager_touch(pg, 4096u * 16);
        }
    }
    for (uint32_t d = 0; d < s->n_docs; d++) {
        if ((d & 4095) == 4095)
            pager_touch(pg, 4096u * 16);
        int64_t t = segment_date(s, d);
        len += segment_dlen(s, d);
        tlen += segment_tlen(s, d);
        if (t != INT64_MIN && (lo == INT64_MIN || t < lo))
            lo = t;
        if (t != INT64_MIN && (hi == INT64_MIN || t > hi))
            hi = t;
    }
    if (len != s->sum_len || tlen != s->sum_tlen || lo != s->min_date ||
        hi != s->max_date)
        return err_corrupt(e, "%s: META totals or date range disagree with "
                           "the columns", path);
    if (s->n_terms != s->tdic_terms)
        return err_corrupt(e, "%s: META says %" PRIu64 " terms, the "
                           "dictionary %u", path, s->n_terms, s->tdic_terms);
    /* LSET: each code's documents as LANG holds them (the sum was
     * checked at open, so a code missing from LSET shows here too) */
    for (uint32_t i = 0; s->lset && i < s->lset_count; i++) {
        uint64_t code = seg_u32le(s->lset + 8 * (size_t)i), n = 0;
        for (uint32_t d = 0; d < s->n_docs; d++)
            n += segment_col(s, COL_LANG, d) == code;
        if (n != seg_u32le(s->lset + 8 * (size_t)i + 4))
            return err_corrupt(e, "%s: the language set gives language "
                               "%.2s %u documents, LANG %" PRIu64, path,
                               (const char *)(s->lset + 8 * (size_t)i),
                               seg_u32le(s->lset + 8 * (size_t)i + 4), n);
    }
    return MORGUE_OK;
}

/* ---- terms and postings ---- */

typedef struct walk {
    const segment *s;
    const char *path;
    doc_sums *sums;
    morgue_check_result *r;
    errmsg *e;
    const termdict_iter *it;
    pager *pg;
} walk;

/* Re-states e's message as "path: message" (copying it first: the
 * formatter must not read the buffer it writes). */
static int in_file(errmsg *e, int rc, const char *path)
{
    char copy[ERRMSG_LEN];
    if (strncmp(e->text, path, strlen(path)) == 0)
        return rc;
    memcpy(copy, e->text, sizeof copy);
    return err_set(e, rc, "%s: %s", path, copy);
}

static int bad_term(walk *w, const char *what)
{
    const termdict_iter *it = w->it;
    char copy[ERRMSG_LEN];
    snprintf(copy, sizeof copy, "%s", what);
    return err_corrupt(w->e, "%s: term '%.*s' (postings at offset %zu): %s",
                       w->path, (int)it->key_len, it->key,
                       (size_t)(w->s->post - w->s->map) +
                           (size_t)it->info.post_off, copy);
}

/* The block's skip impacts must bound (tf, len) from above. */
static int bounded(const postings *p, uint32_t tf, uint32_t len)
{
    if (p->n_blocks <= 1)
        return 1;
    const skip_entry *se = &p->skips[p->block];
    for (uint32_t k = 0; k < se->n_imp; k++)
        if (p->impacts[se->imp + 2 * k] >= tf &&
            p->impacts[se->imp + 2 * k + 1] <= len)
            return 1;
    return 0;
}

/* Positions of the current document: tf of them, ascending, in the title
 * or the body range. */
static int check_positions(walk *w, postings *p, uint32_t d, uint32_t tf)
{
    doc_sums *ds = w->sums;
    if (tf > ds->posv_cap) {
        uint32_t *n = mem_rearray(ds->posv, (size_t)tf, sizeof *n);
        if (!n)
            return err_set(w->e, MORGUE_ENOMEM, "out of memory");
        ds->posv = n;
        ds->posv_cap = tf;
    }
    if (postings_positions(p, ds->posv) != (int)tf)
        return bad_term(w, "positions do not decode");
    uint64_t tl = segment_tlen(w->s, d), dl = segment_dlen(w->s, d);
    for (uint32_t k = 0; k < tf; k++) {
        uint64_t q = ds->posv[k];
        if ((k && q <= ds->posv[k - 1]) ||
            (q >= tl && (q < tl + POS_FIELD_GAP || q >= dl + POS_FIELD_GAP)))
            return bad_term(w, "position out of order or out of range");
    }
    return MORGUE_OK;
}

/* Adds tf to the document's sum for the term's namespace. */
static int add_sum(walk *w, char ns, uint32_t d, uint32_t tf)
{
    if (ns == NS_FOLD)
        return MORGUE_OK; /* a name's word and stem: one key, two or none */
    uint32_t *v = ns == NS_WORD    ? w->sums->words
                  : ns == NS_STEM  ? w->sums->stems
                  : ns == NS_TITLE ? w->sums->titles
                                   : NULL;
    if (!v)
        return tf == 1 ? MORGUE_OK : bad_term(w, "tag or source counted "
                                                 "twice in a document");
    if (v[d] > UINT32_MAX - tf)
        return bad_term(w, "frequencies overflow");
    v[d] += tf;
    return MORGUE_OK;
}

static int check_doc(walk *w, postings *p, char ns, uint32_t d,
                     uint32_t prev, uint32_t n)
{
    const segment *s = w->s;
    if (d >= s->n_docs || (n && d <= prev))
        return bad_term(w, "document out of order or out of range");
    uint32_t tf = postings_tf(p);
    uint32_t len = ns == NS_TITLE ? segment_tlen(s, d) : segment_dlen(s, d);
    if (tf == 0 || (tf > len && (ns == NS_WORD || ns == NS_STEM ||
                                  ns == NS_TITLE || ns == NS_FOLD)))
        return bad_term(w, "frequency 0 or above the document's length");
    if (!bounded(p, tf, len))
        return bad_term(w, "skip impacts do not bound a document");
    int rc = ns == NS_WORD ? check_positions(w, p, d, tf) : MORGUE_OK;
    return rc ? rc : add_sum(w, ns, d, tf);
}

static int check_term(walk *w)
{
    const term_info *ti = &w->it->info;
    char ns = w->it->key[0];
    if (w->it->key_len < 2 || !strchr("ESTGOF", ns) || ns == 0)
        return bad_term(w, "unknown namespace or empty key");
    if (ti->df > w->s->n_docs || (ns == NS_WORD) != (ti->pos_len > 0))
        return bad_term(w, "document frequency or positions inconsistent");
    postings p;
    int rc = postings_open(&p, w->s, ti, w->e);
    if (rc)
        return rc == MORGUE_ECORRUPT ? bad_term(w, w->e->text) : rc;
    uint32_t n = 0, prev = 0;
    /* bytes read per 1024 documents: the term's share, the two length
     * columns, and some for the skip data */
    uint64_t per = ti->df ? (ti->post_len + ti->pos_len) * 1024 / ti->df
                          : 0;
    for (uint32_t d = postings_next(&p); d != POSTINGS_END && !rc;
         d = postings_next(&p)) {
        rc = n >= ti->df ? bad_term(w, "more documents than its frequency")
                         : check_doc(w, &p, ns, d, prev, n);
        prev = d;
        n++;
        if ((n & 1023) == 0)
            pager_touch(w->pg, per + 1024 * 8 + 4096);
    }
    pager_touch(w->pg, per * (n & 1023) / 1024 + w->it->key_len + 64);
    if (rc == MORGUE_OK && (p.err || n != ti->df))
        rc = bad_term(w, "postings truncated or do not decode");
    postings_close(&p);
    w->r->postings += n;
    return rc;
}

static int check_terms(walk *w)
{
    termdict_iter it;
    char prev[MAX_KEY];
    size_t prev_len = 0;
    uint64_t n = 0, words = 0;
    int rc = termdict_seek(&it, w->s, "", 0, w->e);
    w->it = &it;
    while (rc == MORGUE_OK && (rc = termdict_next(&it, w->e)) == 1) {
        rc = MORGUE_OK;
        if (n && span_cmp(prev, prev_len, it.key, it.key_len) >= 0)
            rc = bad_term(w, "key not above the previous key");
        const char *fk;
        size_t fn;
        if (rc == MORGUE_OK && w->s->tdfk && it.in_block == 1 &&
            (termdict_first_key(w->s, it.block, &fk, &fn) ||
             span_cmp(fk, fn, it.key, it.key_len)))
            rc = bad_term(w, "not the first key TDFK gives its block");
        if (rc == MORGUE_OK)
            rc = check_term(w);
        memcpy(prev, it.key, it.key_len);
        prev_len = it.key_len;
        words += it.key[0] == NS_WORD;
        n++;
    }
    if (rc < 0)
        return in_file(w->e, rc, w->path);
    w->r->terms += n;
    if (n != w->s->tdic_terms || words != w->s->n_words)
        return err_corrupt(w->e, "%s: dictionary holds %" PRIu64 " terms "
                           "(%" PRIu64 " words), its header and META say %u "
                           "(%" PRIu64 ")", w->path, n, words,
                           w->s->tdic_terms, w->s->n_words);
    return MORGUE_OK;
}

/* ---- identities, stored fields, sums ---- */

/* IDNT: sorted by (hash, document), every document once. */
static int check_idnt(const segment *s, const char *path, doc_sums *ds,
                      pager *pg, errmsg *e)
{
    uint8_t *seen = calloc(delfile_bitmap_size(s->n_docs) + 1, 1);
    if (!seen)
        return err_set(e, MORGUE_ENOMEM, "out of memory");
    int rc = MORGUE_OK;
    for (uint32_t i = 0; i < s->n_docs && rc == MORGUE_OK; i++) {
        uint64_t h = segment_ident_hash(s, i);
        uint32_t d = segment_ident_doc(s, i);
        int ordered = i == 0 || segment_ident_hash(s, i - 1) < h ||
                      (segment_ident_hash(s, i - 1) == h &&
                       segment_ident_doc(s, i - 1) < d);
        if (d >= s->n_docs || delfile_test(seen, d) || !ordered)
            rc = err_corrupt(e, "%s: identity entry %u (offset %zu) out of "
                             "order, out of range or repeated", path, i,
                             (size_t)(s->idnt - s->map) + 12 * (size_t)i);
        else {
            delfile_set(seen, d);
            ds->ident[d] = h;
        }
        if ((i & 4095) == 4095)
            pager_touch(pg, 4096u * 12);
    }
    free(seen);
    return rc;
}

static uint32_t count_tokens(span text)
{
    tokenizer tk;
    token t;
    uint32_t n = 0;
    tokenizer_init(&tk, text.ptr, text.len);
    while (tokenizer_next(&tk, &t))
        n++;
    return n;
}

/* One stored record against the postings' sums and the identity. */
static int check_record(const segment *s, const char *path, uint32_t d,
                        const span *f, unsigned capped, const doc_sums *ds,
                        errmsg *e)
{
    uint32_t dl = segment_dlen(s, d), tl = segment_tlen(s, d);
    if (ds->words[d] != dl || ds->stems[d] != dl || ds->titles[d] != tl)
        return err_corrupt(e, "%s: document %u: postings count %u words, "
                           "%u stems, %u title stems; DLEN %u, TLEN %u",
                           path, d, ds->words[d], ds->stems[d],
                           ds->titles[d], dl, tl);
    for (int k = 0; k < STORED_FIELDS; k++)
        if (!utf8_valid(f[k].ptr, f[k].len))
            return err_corrupt(e, "%s: document %u: stored field %d is "
                               "not UTF-8", path, d, k);
    /* A field cut short when stored (a huge article) holds at most the
     * tokens indexed; any other holds exactly those. */
    uint32_t st = count_tokens(f[2]), sb = count_tokens(f[5]);
    int t_cut = capped & (1u << 2), b_cut = capped & (1u << 5);
    if ((t_cut ? st > tl : st != tl) || (b_cut ? sb > dl - tl : sb != dl - tl))
        return err_corrupt(e, "%s: document %u: stored title and body do "
                           "not have the indexed lengths", path, d);
    if (!(capped & 1u) && hash64(f[0].ptr, f[0].len) != ds->ident[d])
        return err_corrupt(e, "%s: document %u: stored id does not hash to "
                           "its identity", path, d);
    return MORGUE_OK;
}

/* SIDX: blocks start at document 0 and ascend. */
static int check_sidx(const segment *s, const char *path, errmsg *e)
{
    for (uint32_t b = 0; b < s->sidx_blocks; b++) {
        uint32_t first = codec_get_u32le(s->sidx + 4 + (size_t)b * 24);
        uint32_t prev = b ? codec_get_u32le(s->sidx + 4 + (size_t)(b - 1) *
                                                              24)
                          : 0;
        if ((b == 0 && first != 0) || (b && first <= prev) ||
            first >= s->n_docs || codec_get_u32le(s->sidx + 16 + 24 *
                                                  (size_t)b))
            return err_corrupt(e, "%s: stored block %u (SIDX offset %zu) "
                               "misplaced", path, b,
                               (size_t)(s->sidx - s->map) + 4 + 24 *
                                                                 (size_t)b);
    }
    if (s->n_docs && s->sidx_blocks == 0)
        return err_corrupt(e, "%s: documents but no stored blocks", path);
    return MORGUE_OK;
}

static int check_stored(const segment *s, const char *path,
                        const doc_sums *ds, pager *pg, errmsg *e)
{
    int rc = s->feat.incompat & FEAT_INCOMPAT_ZSTORE ? MORGUE_OK
                                                     : check_sidx(s, path, e);
    docstore_cache c = { 0 };
    for (uint32_t d = 0; d < s->n_docs && rc == MORGUE_OK; d++) {
        span f[STORED_FIELDS];
        rc = docstore_get(s, d, &c, f, e);
        if (rc)
            rc = in_file(e, rc == MORGUE_ENOTFOUND ? MORGUE_ECORRUPT : rc,
                         path);
        else
            rc = check_record(s, path, d, f, c.capped, ds, e);
        /* the decompressed size errs high of the compressed bytes read */
        size_t n = 64;
        for (int k = 0; k < STORED_FIELDS; k++)
            n += f[k].len;
        pager_touch(pg, n);
    }
    docstore_cache_free(&c);
    return rc;
}

/* ---- one segment ---- */

static int check_body(const segment *s, const char *path,
                      morgue_check_result *r, errmsg *e)
{
    doc_sums ds;
    int rc = sums_alloc(&ds, s->n_docs)
                 ? err_set(e, MORGUE_ENOMEM, "out of memory")
                 : MORGUE_OK;
    pager pg = { s, 0, 0 };
    walk w = { s, path, &ds, r, e, NULL, &pg };
    if (rc == MORGUE_OK)
        rc = check_columns(s, path, &pg, e);
    if (rc == MORGUE_OK)
        rc = check_idnt(s, path, &ds, &pg, e);
    if (rc == MORGUE_OK)
        rc = check_terms(&w);
    if (rc == MORGUE_OK)
        rc = check_stored(s, path, &ds, &pg, e);
    pager_release(&pg);
    sums_free(&ds);
    return rc;
}

int check_segment(const char *dir, const manifest_seg *ms, segment *s,
                  uint8_t **del, morgue_check_result *r, errmsg *e)
{
    char path[4096];
    segment_path(path, sizeof path, dir, ms->id);
    *del = NULL;
    int rc = snapshot_open_segment(s, dir, ms, e);
    if (rc)
        return rc;
    r->bytes += s->size;
    segment_advise_sequential(s); /* every byte is read */
    /* what open read (columns, dictionary index, identities) goes before
     * the per-document tables come */
    pager pg0 = { s, 0, 0 };
    pager_release(&pg0);
    if ((rc = segment_verify_crcs(s, e)) ||
        (rc = segment_verify_pages(s, e))) /* CPAG's, one by one */
        rc = in_file(e, rc, path);
    if (rc == MORGUE_OK)
        rc = check_layout(s, path, e);
    if (rc == MORGUE_OK)
        rc = check_body(s, path, r, e);
    if (rc == MORGUE_OK && ms->delgen) {
        rc = snapshot_read_deletions(del, dir, ms, e);
        r->bytes += delfile_bitmap_size(ms->n_docs) + 36;
    }
    if (rc)
        segment_close(s);
    return rc;
}
