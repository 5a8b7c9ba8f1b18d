/* hits.c: iterating a result list; stored fields and snippets are fetched
 * lazily, only for the hits a caller looks at. */
#include <stdlib.h>
#include <string.h>

#include "searcher/plan.h"
#include "searcher/searcher.h"
#include "util/hash.h"
#include "text/stem.h"

MORGUE_API uint64_t morgue_hits_total(const morgue_hits *h)
{
    return h ? h->total : 0;
}

MORGUE_API int morgue_hits_total_exact(const morgue_hits *h)
{
    return h ? h->total_exact : 0;
}

MORGUE_API int morgue_hits_facets(const morgue_hits *h, morgue_facet_kind kind,
                                  const morgue_facet **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (!h)
        return MORGUE_EINVAL;
    if ((unsigned)kind > MORGUE_FACET_KIND_LANG)
        return err_set(&((morgue_hits *)h)->err, MORGUE_EINVAL,
                       "unknown facet kind %d", (int)kind);
    *out = h->facets[kind];
    *n = h->n_facets[kind];
    return MORGUE_OK;
}

static const hit *current(const morgue_hits *h)
{
    return h && h->next > h->opts.offset && h->next <= h->n_hits
               ? &h->hits[h->next - 1]
               : NULL;
}

static int dates_ok(const morgue_hits *h, const hit *c);

MORGUE_API int morgue_hits_next(morgue_hits *h)
{
    if (!h)
        return MORGUE_EINVAL;
    if (h->failed) /* a damaged column found by an accessor */
        return h->failed;
    if (h->next >= h->n_hits) {
        h->next = h->n_hits + 1; /* past the end: no current hit */
        return MORGUE_ITEROVER;
    }
    h->next++;
    h->loaded = 0;
    buf_clear(&h->snippet);
    buf_clear(&h->title_hl);
    h->title_hl_done = 0;
    free(h->matches);
    h->matches = NULL;
    h->n_matches = 0;
    /* the hit's date pages, before an accessor (which cannot fail) reads
     * them: a damaged one fails this call, not a later one */
    const hit *c = current(h);
    return c && dates_ok(h, c) ? h->failed : MORGUE_OK;
}

MORGUE_API double morgue_hits_score(const morgue_hits *h)
{
    const hit *c = current(h);
    return c ? c->score : 0.0;
}

MORGUE_API uint64_t morgue_hits_docid(const morgue_hits *h)
{
    const hit *c = current(h);
    if (c && h->rows)
        return h->rows[c->doc].docid;
    return c ? h->s->base[c->seg] + c->doc : UINT64_MAX;
}

/* The pages of the date columns holding hit c's values, verified
 * (segment_col_page) when morgue_hits_next() makes it current: 0, or -1
 * with the failure kept on h (that call returns it; the accessors, which
 * cannot fail, give no date). */
static int dates_ok(const morgue_hits *h, const hit *c)
{
    morgue_hits *m = (morgue_hits *)h;
    if (m->failed)
        return -1;
    if (h->rows || c->seg >= h->s->n_segs) /* no columns here */
        return 0;
    const segment *g = &h->s->segs[c->seg];
    int rc = segment_col_page(g, COL_DATE, c->doc, &m->err);
    if (rc == MORGUE_OK)
        rc = segment_col_page(g, COL_DOFF, c->doc, &m->err);
    if (rc)
        m->failed = rc;
    return rc ? -1 : 0;
}

MORGUE_API int64_t morgue_hits_date(const morgue_hits *h)
{
    const hit *c = current(h);
    if (c && h->rows)
        return h->rows[c->doc].date;
    return c && dates_ok(h, c) == 0 ? segment_date(&h->s->segs[c->seg],
                                                   c->doc)
                                    : MORGUE_NO_DATE;
}

MORGUE_API int morgue_hits_date_offset(const morgue_hits *h)
{
    const hit *c = current(h);
    if (!c)
        return MORGUE_NO_OFFSET;
    if (h->rows)
        return h->rows[c->doc].date_off;
    return dates_ok(h, c) == 0
               ? segment_date_offset(&h->s->segs[c->seg], c->doc)
               : MORGUE_NO_OFFSET;
}

/* Reads the current hit's head (id, url, title, source, tags) and, when
 * body is set, its body: a result list never decompresses bodies. */
static int load_fields(morgue_hits *h, int body)
{
    if (!h)
        return MORGUE_EINVAL;
    const hit *c = current(h);
    if (!c)
        return err_set(&h->err, MORGUE_EINVAL, "no current hit (call "
                       "morgue_hits_next first)");
    if (h->loaded >= 1 + body)
        return MORGUE_OK;
    if (h->rows) { /* given whole */
        memcpy(h->fields, h->rows[c->doc].fields, sizeof h->fields);
        h->loaded = 2;
        return MORGUE_OK;
    }
    const segment *g = &h->s->segs[c->seg];
    int rc = body ? docstore_get(g, c->doc, &h->cache, h->fields, &h->err)
                  : docstore_get_head(g, c->doc, &h->cache, h->fields,
                                      &h->err); /* its message is h's */
    if (rc)
        return rc;
    h->loaded = 1 + body;
    return MORGUE_OK;
}

/* What the highlighting accessors share: the current hit's fields (with
 * the body when body is set) and the stemmer of its language. */
static int hit_prepare(morgue_hits *h, int body, stemmer **st)
{
    int rc = load_fields(h, body);
    if (rc)
        return rc;
    const hit *x = current(h);
    if (x->seg < h->s->n_segs && !h->rows &&
        (rc = segment_col_page(&h->s->segs[x->seg], COL_LANG, x->doc,
                               &h->err)))
        return rc; /* the hit's language, for the stemmer */
    *st = hits_stemmer(h, x->seg, x->doc);
    return *st ? MORGUE_OK
               : err_set(&h->err, MORGUE_ENOMEM, "cannot make a stemmer");
}

MORGUE_API int morgue_hits_field(morgue_hits *h, morgue_field field,
                                 const char **ptr, size_t *len)
{
    *ptr = "";
    *len = 0;
    if (!h)
        return MORGUE_EINVAL;
    if ((unsigned)field > MORGUE_FIELD_PATH)
        return err_set(&h->err, MORGUE_EINVAL, "unknown field %d",
                       (int)field);
    int rc = load_fields(h, field == MORGUE_FIELD_BODY);
    if (rc)
        return rc;
    if (field == MORGUE_FIELD_PATH) {
        /* not stored with the article: the file table knows which file
         * holds each identity (its lookup, without loading it) */
        span id = h->fields[MORGUE_FIELD_ID];
        if (id.len && searcher_path_of(h->s, hash64(id.ptr, id.len),
                                       h->path, sizeof h->path)) {
            *ptr = h->path;
            *len = strlen(h->path);
        }
        return MORGUE_OK;
    }
    *ptr = h->fields[field].ptr;
    *len = h->fields[field].len;
    return MORGUE_OK;
}

MORGUE_API int morgue_hits_snippet(morgue_hits *h, const char **snippet)
{
    *snippet = "";
    if (h && h->opts.no_snippets)
        return MORGUE_OK;
    stemmer *st;
    int rc = hit_prepare(h, 1, &st);
    if (rc)
        return rc;
    if (h->snippet.len == 0) {
        span body = h->fields[MORGUE_FIELD_BODY];
        rc = snippet_make(&h->snippet, body.ptr, body.len, h->terms,
                          h->n_terms, st, &h->opts,
                          h->hl_open, h->hl_close);
        if (rc)
            return err_set(&h->err, rc, "out of memory");
    }
    *snippet = buf_cstr(&h->snippet);
    return MORGUE_OK;
}

MORGUE_API int morgue_hits_title_highlighted(morgue_hits *h,
                                             const char **title)
{
    *title = "";
    stemmer *st;
    int rc = hit_prepare(h, 0, &st);
    if (rc)
        return rc;
    if (!h->title_hl_done) {
        span t = h->fields[MORGUE_FIELD_TITLE];
        rc = snippet_mark_all(&h->title_hl, t.ptr, t.len, h->terms,
                              h->n_terms, st, h->hl_open, h->hl_close);
        if (rc)
            return err_set(&h->err, rc, "out of memory");
        h->title_hl_done = 1;
    }
    *title = buf_cstr(&h->title_hl);
    return MORGUE_OK;
}

MORGUE_API int morgue_hits_matches(morgue_hits *h, const morgue_match **out,
                                   size_t *n)
{
    *out = NULL;
    *n = 0;
    stemmer *st;
    int rc = hit_prepare(h, 1, &st);
    if (rc)
        return rc;
    if (!h->matches) {
        span body = h->fields[MORGUE_FIELD_BODY];
        rc = snippet_matches(body.ptr, body.len, h->terms, h->n_terms,
                             st, &h->matches, &h->n_matches);
        if (rc)
            return err_set(&h->err, rc, "out of memory");
    }
    *out = h->matches;
    *n = h->n_matches;
    return MORGUE_OK;
}

MORGUE_API int morgue_hits_partial(const morgue_hits *h)
{
    return h ? h->partial : 0;
}

MORGUE_API const char *morgue_hits_warnings(const morgue_hits *h)
{
    return h && h->warnings.len ? h->warnings.ptr : "";
}

MORGUE_API const char *morgue_hits_errmsg(const morgue_hits *h)
{
    return h ? h->err.text : "";
}

MORGUE_API int morgue_hits_expansions(const morgue_hits *h,
                                      const morgue_expansion **out,
                                      size_t *n)
{
    *out = NULL;
    *n = 0;
    if (!h)
        return MORGUE_EINVAL;
    if (h->n_exps && !h->exp_view) { /* made once, on first ask */
        morgue_hits *m = (morgue_hits *)h;
        m->exp_view = calloc(h->n_exps, sizeof *m->exp_view);
        if (!m->exp_view)
            return err_set(&m->err, MORGUE_ENOMEM, "out of memory");
        for (size_t i = 0; i < h->n_exps; i++)
            m->exp_view[i] = (morgue_expansion){
                h->exps[i].from, (const char *const *)h->exps[i].to,
                h->exps[i].n_to,
                h->exps[i].source == EXP_FILE       ? "synonyms"
                : h->exps[i].source == EXP_TRANSLIT ? "translit"
                                                    : "builtin" };
    }
    *out = h->exp_view;
    *n = h->n_exps;
    return MORGUE_OK;
}

MORGUE_API void morgue_hits_free(morgue_hits *h)
{
    if (!h)
        return;
    free(h->rows);
    buf_free(&h->row_text);
    buf_free(&h->warnings);
    free(h->hits);
    free(h->dups);
    free(h->dup_at);
    query_terms_free(h->terms, h->n_terms);
    plan_exps_free(h->exps, h->n_exps);
    free(h->exp_view);
    for (int k = 0; k < 4; k++)
        free(h->facets[k]);
    buf_free(&h->facet_text);
    free(h->matches);
    free(h->hl_open);
    free(h->hl_close);
    docstore_cache_free(&h->cache);
    if (h->stems) {
        stemset_free(h->stems);
        free(h->stems);
    }
    buf_free(&h->snippet);
    buf_free(&h->title_hl);
    free(h);
}
