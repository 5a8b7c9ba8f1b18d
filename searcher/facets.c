/* facets.c: exact facet counts over every match. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "index/postings.h"
#include "index/termdict.h"
#include "searcher/facets.h"
#include "text/lang.h"
#include "text/tokenize.h"
#include "util/civil.h"
#include "util/alloc.h"

int facets_init(facet_acc *f, const morgue_searcher *s,
                const morgue_query_opts *o)
{
    memset(f, 0, sizeof *f);
    f->date_kind = o->facet_date;
    f->langs = o->facet_langs > 0;
    if (o->facet_sources || o->facet_tags) {
        f->n_segs = s->n_segs;
        f->matched = calloc(s->n_segs + 1, sizeof *f->matched);
        if (!f->matched)
            return MORGUE_ENOMEM;
        for (size_t g = 0; g < s->n_segs; g++)
            if (!(f->matched[g] = calloc(s->segs[g].n_docs / 8 + 1, 1)))
                return MORGUE_ENOMEM;
    }
    return MORGUE_OK;
}

static uint32_t calendar_key(int64_t t, int kind)
{
    int64_t y;
    unsigned m, d;
    civil_from_secs(t, &y, &m, &d);
    if (y < 0 || y > 99999)
        y = 0;
    return (uint32_t)y * 10000 + (kind >= MORGUE_FACET_MONTH ? m * 100 : 0) +
           (kind == MORGUE_FACET_DAY ? d : 0);
}

int facets_add(facet_acc *f, const morgue_searcher *s, size_t g,
               uint32_t doc)
{
    if (f->matched)
        f->matched[g][doc >> 3] |= (uint8_t)(1u << (doc & 7));
    if (f->langs) { /* a handful of languages: a short list */
        uint16_t c = (uint16_t)segment_col(&s->segs[g], COL_LANG, doc);
        size_t i = 0;
        while (i < f->n_lang && f->lang[i] != c)
            i++;
        if (i == f->n_lang && i < sizeof f->lang / sizeof *f->lang) {
            f->lang[i] = c;
            f->lang_n[f->n_lang++] = 0;
        }
        if (i < f->n_lang)
            f->lang_n[i]++;
    }
    if (f->date_kind == MORGUE_FACET_NONE)
        return MORGUE_OK;
    int64_t t = segment_local_date(&s->segs[g], doc); /* its own day */
    if (t == INT64_MIN)
        return MORGUE_OK;
    if (f->n_days == f->cap_days) {
        size_t cap = f->cap_days ? 2 * f->cap_days : 1024;
        uint32_t *n = mem_rearray(f->days, cap, sizeof *n);
        if (!n)
            return MORGUE_ENOMEM;
        f->days = n;
        f->cap_days = cap;
    }
    f->days[f->n_days++] = calendar_key(t, f->date_kind);
    return MORGUE_OK;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* A value and its count while merging segments. */
typedef struct vc {
    char *value;
    uint64_t count;
    uint32_t seg, doc;   /* a matching article that has the value */
} vc;

static int by_value(const void *a, const void *b)
{
    return strcmp(((const vc *)a)->value, ((const vc *)b)->value);
}

static int by_count(const void *a, const void *b)
{
    const vc *x = a, *y = b;
    if (x->count != y->count)
        return x->count < y->count ? 1 : -1;
    return strcmp(x->value, y->value);
}

/* Moves values into h: strings go to h->facet_text, offsets fixed later. */
static int emit(morgue_hits *h, int kind, vc *v, size_t n)
{
    morgue_facet *out = calloc(n + 1, sizeof *out);
    if (!out)
        return MORGUE_ENOMEM;
    size_t *offs = mem_array(n + 1, sizeof *offs);
    if (!offs) {
        free(out);
        return MORGUE_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        offs[i] = h->facet_text.len;
        buf_append(&h->facet_text, v[i].value, strlen(v[i].value) + 1);
        out[i].count = v[i].count;
    }
    if (h->facet_text.oom) {
        free(out);
        free(offs);
        return MORGUE_ENOMEM;
    }
    /* Offsets become pointers once the text buffer stops growing: store
     * offsets now, resolved in facets_finish. */
    for (size_t i = 0; i < n; i++)
        out[i].value = (const char *)(uintptr_t)offs[i];
    free(offs);
    h->facets[kind] = out;
    h->n_facets[kind] = n;
    return MORGUE_OK;
}

/* Calendar periods between two that have matches are listed too, with
 * count 0, so that a gap in coverage shows (year and month facets, over
 * at most MAX_GAP_FILL periods; days are listed as found). */
#define MAX_GAP_FILL 2400

static long period_no(uint32_t k, int kind)
{
    return kind == MORGUE_FACET_YEAR ? (long)(k / 10000)
                                     : (long)(k / 10000) * 12 +
                                           (long)(k / 100 % 100) - 1;
}

static uint32_t period_key(long p, int kind)
{
    return kind == MORGUE_FACET_YEAR
               ? (uint32_t)p * 10000
               : (uint32_t)(p / 12) * 10000 + (uint32_t)(p % 12 + 1) * 100;
}

static int date_facets(facet_acc *f, morgue_hits *h)
{
    if (f->n_days) /* days is NULL when nothing matched (UBSan) */
        qsort(f->days, f->n_days, sizeof *f->days, cmp_u32);
    int kind = f->date_kind;
    size_t slots = f->n_days;
    long first = 0;
    int fill = kind != MORGUE_FACET_DAY && f->n_days > 1;
    if (fill) {
        first = period_no(f->days[0], kind);
        long periods = period_no(f->days[f->n_days - 1], kind) - first + 1;
        fill = periods <= MAX_GAP_FILL;
        if (fill)
            slots = (size_t)periods;
    }
    vc *v = calloc(slots + 1, sizeof *v);
    uint32_t *keys = calloc(slots + 1, sizeof *keys);
    if (!v || !keys) {
        free(v);
        free(keys);
        return MORGUE_ENOMEM;
    }
    size_t n = 0;
    if (fill) {
        for (size_t i = 0; i < slots; i++)
            keys[i] = period_key(first + (long)i, kind);
        for (size_t i = 0; i < f->n_days; i++)
            v[period_no(f->days[i], kind) - first].count++;
        n = slots;
    } else {
        for (size_t i = 0; i < f->n_days; i++) {
            if (n && f->days[i] == keys[n - 1]) {
                v[n - 1].count++;
                continue;
            }
            keys[n] = f->days[i];
            v[n++].count = 1;
        }
    }
    int rc = MORGUE_OK;
    for (size_t i = 0; i < n && rc == MORGUE_OK; i++) {
        char s[24];
        uint32_t k = keys[i];
        if (kind == MORGUE_FACET_YEAR)
            snprintf(s, sizeof s, "%04u", k / 10000);
        else if (kind == MORGUE_FACET_MONTH)
            snprintf(s, sizeof s, "%04u-%02u", k / 10000, k / 100 % 100);
        else
            snprintf(s, sizeof s, "%04u-%02u-%02u", k / 10000, k / 100 % 100,
                     k % 100);
        v[i].value = strdup(s);
        rc = v[i].value ? MORGUE_OK : MORGUE_ENOMEM;
    }
    if (rc == MORGUE_OK)
        rc = emit(h, MORGUE_FACET_KIND_DATE, v, n);
    for (size_t i = 0; i < n; i++)
        free(v[i].value);
    free(v);
    free(keys);
    return rc;
}

/* The case-folded key of a source or tag value, as the indexer makes it
 * (its words, folded, one space apart) into out; 0 when too long. */
static size_t fold_value(const char *p, size_t len, char *out, size_t cap)
{
    size_t n = 0;
    tokenizer tk;
    token tok;
    tokenizer_init(&tk, p, len);
    while (tokenizer_next(&tk, &tok)) {
        if (n + tok.len + 2 > cap)
            return 0;
        if (n)
            out[n++] = ' ';
        memcpy(out + n, tok.term, tok.len);
        n += tok.len;
    }
    return n;
}

/* Facet values are dictionary keys, case-folded ("steppe daily"); shown
 * as written (the stored field of an article that has them: "Steppe
 * Daily", "Ann <ann@x.example>"), for the few values returned. */
static int display_values(morgue_searcher *s, int kind, vc *v, size_t n)
{
    docstore_cache c;
    memset(&c, 0, sizeof c);
    int rc = MORGUE_OK;
    for (size_t i = 0; i < n && rc == MORGUE_OK; i++) {
        span fl[STORED_FIELDS];
        errmsg e;
        if (docstore_get_head(&s->segs[v[i].seg], v[i].doc, &c, fl, &e))
            continue; /* keep the folded value */
        span f = fl[kind == MORGUE_FACET_KIND_SOURCE ? MORGUE_FIELD_SOURCE
                                                     : MORGUE_FIELD_TAGS];
        size_t want = strlen(v[i].value);
        char key[512];
        for (size_t a = 0, j = 0; j <= f.len; j++) {
            if (j < f.len && (kind == MORGUE_FACET_KIND_SOURCE ||
                              f.ptr[j] != '\n'))
                continue;
            size_t kl = fold_value(f.ptr + a, j - a, key, sizeof key);
            if (kl == want && !memcmp(key, v[i].value, kl)) {
                char *shown = strndup(f.ptr + a, j - a);
                if (!shown) {
                    rc = MORGUE_ENOMEM;
                    break;
                }
                free(v[i].value);
                v[i].value = shown;
                break;
            }
            a = j + 1;
        }
    }
    docstore_cache_free(&c);
    return rc;
}

/* Counts matches per value of namespace ns ('G' or 'O'), all segments. */
static int value_facets(facet_acc *f, morgue_searcher *s, char ns,
                        size_t top, int kind, morgue_hits *h)
{
    vc *v = NULL;
    size_t n = 0, cap = 0;
    int rc = MORGUE_OK;
    errmsg e;
    for (size_t g = 0; g < s->n_segs && rc == MORGUE_OK; g++) {
        termdict_iter it;
        if (termdict_seek(&it, &s->segs[g], &ns, 1, &e))
            return MORGUE_ECORRUPT;
        while (rc == MORGUE_OK && termdict_next(&it, &e) == 1 &&
               it.key[0] == ns) {
            postings p;
            if (postings_open(&p, &s->segs[g], &it.info, &e))
                return MORGUE_ECORRUPT;
            uint64_t count = 0;
            uint32_t rep = 0;
            for (uint32_t d = postings_next(&p); d != POSTINGS_END;
                 d = postings_next(&p))
                if ((f->matched[g][d >> 3] >> (d & 7)) & 1 && !count++)
                    rep = d;
            postings_close(&p);
            if (count == 0)
                continue;
            if (n == cap) {
                cap = cap ? 2 * cap : 256;
                vc *nv = mem_rearray(v, cap, sizeof *nv);
                if (!nv) {
                    rc = MORGUE_ENOMEM;
                    break;
                }
                v = nv;
            }
            v[n].value = strndup(it.key + 1, it.key_len - 1);
            v[n].count = count;
            v[n].seg = (uint32_t)g;
            v[n].doc = rep;
            rc = v[n++].value ? MORGUE_OK : MORGUE_ENOMEM;
        }
    }
    if (rc == MORGUE_OK && n) { /* merge equal values of different segments */
        qsort(v, n, sizeof *v, by_value);
        size_t w = 0;
        for (size_t i = 1; i < n; i++) {
            if (!strcmp(v[i].value, v[w].value)) {
                v[w].count += v[i].count;
                free(v[i].value);
            } else {
                v[++w] = v[i];
            }
        }
        n = w + 1;
        qsort(v, n, sizeof *v, by_count);
    }
    if (rc == MORGUE_OK)
        rc = display_values(s, kind, v, n < top ? n : top);
    if (rc == MORGUE_OK)
        rc = emit(h, kind, v, n < top ? n : top);
    for (size_t i = 0; i < n; i++)
        free(v[i].value);
    free(v);
    return rc;
}

/* Language counts, most first, as codes. */
static int lang_facets(facet_acc *f, size_t top, morgue_hits *h)
{
    vc v[64];
    char names[64][4];
    for (size_t i = 0; i < f->n_lang; i++) {
        lang_name(f->lang[i], names[i]);
        v[i] = (vc){ names[i], f->lang_n[i], 0, 0 };
    }
    qsort(v, f->n_lang, sizeof *v, by_count);
    return emit(h, MORGUE_FACET_KIND_LANG, v,
                f->n_lang < top ? f->n_lang : top);
}

int facets_finish(facet_acc *f, morgue_searcher *s,
                  const morgue_query_opts *o, morgue_hits *h)
{
    int rc = MORGUE_OK;
    if (f->date_kind != MORGUE_FACET_NONE)
        rc = date_facets(f, h);
    if (rc == MORGUE_OK && o->facet_sources)
        rc = value_facets(f, s, NS_SOURCE, o->facet_sources,
                          MORGUE_FACET_KIND_SOURCE, h);
    if (rc == MORGUE_OK && o->facet_tags)
        rc = value_facets(f, s, NS_TAG, o->facet_tags, MORGUE_FACET_KIND_TAG,
                          h);
    if (rc == MORGUE_OK && o->facet_langs)
        rc = lang_facets(f, o->facet_langs, h);
    for (int k = 0; k < 4 && rc == MORGUE_OK; k++)
        for (size_t i = 0; i < h->n_facets[k]; i++)
            h->facets[k][i].value =
                h->facet_text.ptr + (uintptr_t)h->facets[k][i].value;
    return rc;
}

void facets_free(facet_acc *f)
{
    free(f->days);
    for (size_t g = 0; f->matched && g < f->n_segs; g++)
        free(f->matched[g]);
    free(f->matched);
    memset(f, 0, sizeof *f);
}
