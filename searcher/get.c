/* get.c: morgue_searcher_get(): articles by identity, file path or URL,
 * as a result list (what `morgue show` prints and `morgue delete`
 * resolves). An identity is found through each segment's identity table,
 * a path through the file table, a URL only by reading stored records:
 * no index is kept for URLs, so that lookup is the last one tried. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "searcher/near.h"
#include "searcher/searcher.h"
#include "util/hash.h"
#include "util/alloc.h"

typedef struct found {
    hit *hits;
    size_t n, cap;
} found;

static int make_list(morgue_searcher *s, found *f, morgue_hits **out);

static int push(found *f, uint32_t seg, uint32_t doc)
{
    for (size_t i = 0; i < f->n; i++) /* a file may list an id twice */
        if (f->hits[i].seg == seg && f->hits[i].doc == doc)
            return MORGUE_OK;
    if (f->n == f->cap) {
        size_t cap = f->cap ? 2 * f->cap : 4;
        hit *h = mem_rearray(f->hits, cap, sizeof *h);
        if (!h)
            return MORGUE_ENOMEM;
        f->hits = h;
        f->cap = cap;
    }
    f->hits[f->n++] = (hit){ 0, 0, seg, doc };
    return MORGUE_OK;
}

/* Live documents whose identity hash is h and whose stored id is id
 * (NULL: any id with that hash, as the file table records hashes). */
static int by_ident(morgue_searcher *s, uint64_t h, const char *id,
                    docstore_cache *c, found *f, errmsg *e)
{
    for (size_t g = 0; g < s->n_segs; g++) {
        const segment *seg = &s->segs[g];
        int need = segment_need(seg, SEG_NEED_IDNT, e);
        if (need)
            return need;
        for (uint32_t i = segment_ident_lower(seg, h);
             i < seg->n_docs && segment_ident_hash(seg, i) == h; i++) {
            uint32_t d = segment_ident_doc(seg, i);
            if (d >= seg->n_docs || searcher_deleted(s, g, d))
                continue;
            if (id) {
                span fl[STORED_FIELDS];
                int rc = docstore_get_head(seg, d, c, fl, e);
                if (rc)
                    return rc;
                if (fl[MORGUE_FIELD_ID].len != strlen(id) ||
                    memcmp(fl[MORGUE_FIELD_ID].ptr, id, strlen(id)))
                    continue; /* a hash collision */
            }
            if (push(f, (uint32_t)g, d))
                return MORGUE_ENOMEM;
        }
    }
    return MORGUE_OK;
}

/* Every article the file table says came from the file at key. */
static int by_path(morgue_searcher *s, const char *key, docstore_cache *c,
                   found *f, errmsg *e)
{
    const filetable *ft = searcher_files(s);
    if (!ft)
        return MORGUE_OK;
    char real[PATH_MAX];
    long i = filetable_find(ft, key);
    if (i < 0 && realpath(key, real))
        i = filetable_find(ft, real);
    if (i < 0)
        return MORGUE_OK;
    const ft_file *x = &ft->files[i];
    for (uint32_t k = 0; k < x->n_ids; k++) {
        int rc = by_ident(s, x->ids[k], NULL, c, f, e);
        if (rc)
            return rc;
    }
    return MORGUE_OK;
}

/* Live documents whose stored URL is key: every stored record, in order
 * (the cache inflates each block once). */
static int by_url(morgue_searcher *s, const char *key, docstore_cache *c,
                  found *f, errmsg *e)
{
    size_t n = strlen(key);
    for (size_t g = 0; g < s->n_segs; g++)
        for (uint32_t d = 0; d < s->segs[g].n_docs; d++) {
            if (searcher_deleted(s, g, d))
                continue;
            span fl[STORED_FIELDS];
            int rc = docstore_get_head(&s->segs[g], d, c, fl, e);
            if (rc)
                return rc;
            if (fl[MORGUE_FIELD_URL].len == n &&
                !memcmp(fl[MORGUE_FIELD_URL].ptr, key, n) &&
                push(f, (uint32_t)g, d))
                return MORGUE_ENOMEM;
        }
    return MORGUE_OK;
}

MORGUE_API int morgue_searcher_get(morgue_searcher *s, const char *key,
                                   morgue_hits **out)
{
    if (!out)
        return MORGUE_EINVAL;
    *out = NULL;
    if (!s || !key)
        return s ? searcher_fail(s, MORGUE_EINVAL, "no key") : MORGUE_EINVAL;
    if (!*key)
        return searcher_fail(s, MORGUE_EINVAL, "empty article key");
    if (searcher_local_only(s, "looking articles up by key"))
        return MORGUE_EINVAL;
    found f = { NULL, 0, 0 };
    docstore_cache c;
    memset(&c, 0, sizeof c);
    errmsg e;
    e.text[0] = '\0';
    int rc = by_ident(s, hash64(key, strlen(key)), key, &c, &f, &e);
    if (rc == MORGUE_OK && f.n == 0)
        rc = by_path(s, key, &c, &f, &e);
    if (rc == MORGUE_OK && f.n == 0)
        rc = by_url(s, key, &c, &f, &e);
    docstore_cache_free(&c);
    if (rc == MORGUE_OK && f.n == 0)
        rc = searcher_fail(s, MORGUE_ENOTFOUND,
                           "no article with id, path or URL '%s'", key);
    else if (rc == MORGUE_ENOMEM)
        rc = searcher_fail(s, rc, "out of memory");
    else if (rc)
        rc = searcher_fail(s, rc, "%s", e.text);
    if (rc) {
        free(f.hits);
        return rc;
    }
    return make_list(s, &f, out);
}

MORGUE_API int morgue_searcher_docs(morgue_searcher *s,
                                    const uint64_t *docids, size_t n,
                                    morgue_hits **out)
{
    if (!out)
        return MORGUE_EINVAL;
    *out = NULL;
    if (!s || (!docids && n))
        return MORGUE_EINVAL;
    if (searcher_local_only(s, "looking articles up by docid"))
        return MORGUE_EINVAL;
    found f = { malloc(n * sizeof *f.hits + 1), n, n };
    if (!f.hits)
        return searcher_fail(s, MORGUE_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        size_t g;
        uint32_t d;
        if (near_locate(s, docids[i], &g, &d) || searcher_deleted(s, g, d)) {
            free(f.hits);
            return searcher_fail(s, MORGUE_ENOTFOUND, "no article %llu",
                                 (unsigned long long)docids[i]);
        }
        f.hits[i] = (hit){ 0, 0, (uint32_t)g, d };
    }
    return make_list(s, &f, out);
}

/* A result list of f's articles (taking f's array). */
static int make_list(morgue_searcher *s, found *fo, morgue_hits **out)
{
    found f = *fo;
    morgue_hits *h = calloc(1, sizeof *h);
    if (!h) {
        free(f.hits);
        return searcher_fail(s, MORGUE_ENOMEM, "out of memory");
    }
    morgue_query_opts o = MORGUE_QUERY_OPTS_INIT;
    o.limit = f.n;
    o.snippet_chars = 200;
    h->s = s;
    h->opts = o;
    h->hits = f.hits;
    h->n_hits = f.n;
    h->total = f.n;
    h->total_exact = 1;
    h->hl_open = strdup("");
    h->hl_close = strdup("");
    if (!h->hl_open || !h->hl_close) {
        morgue_hits_free(h);
        return searcher_fail(s, MORGUE_ENOMEM, "out of memory");
    }
    *out = h;
    return MORGUE_OK;
}
