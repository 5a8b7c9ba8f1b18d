/* langs.c: the languages of a snapshot's articles, and the stemmer of one
 * article for its snippets. */
#include <stdlib.h>

#include "searcher/searcher.h"
#include "text/stopwords.h"

/* Counts docs articles of language c (as the mode maps it). */
static void add_lang(morgue_searcher *s, lang_code c, uint64_t docs)
{
    size_t at = 0;
    while (at < s->n_langs && s->langs[at] != c)
        at++;
    if (at == s->n_langs) {
        if (s->n_langs == STEMSET_MAX)
            return; /* beyond: found by exact words */
        s->langs[s->n_langs] = c;
        s->lang_docs[s->n_langs++] = 0;
    }
    s->lang_docs[at] += docs;
}

int searcher_scan_langs(morgue_searcher *s, errmsg *e)
{
    if (lang_mode_parse(&s->lmode, s->man.language))
        return err_corrupt(e, "%s: MANIFEST language '%s' too long", s->dir,
                           s->man.language);
    stemset probe; /* only its mode, for stemset_lang() */
    probe.mode = s->lmode;
    s->n_langs = 0;
    for (size_t g = 0; g < s->n_segs; g++) {
        const segment *seg = &s->segs[g];
        if (seg->lset) { /* the writer counted them: LANG is not read */
            for (uint32_t i = 0; i < seg->lset_count; i++) {
                const uint8_t *x = seg->lset + 8 * (size_t)i;
                add_lang(s, stemset_lang(&probe, (lang_code)seg_u32le(x)),
                         seg_u32le(x + 4));
            }
            continue;
        }
        int rc = segment_need(seg, SEG_NEED_LANG, e);
        if (rc)
            return rc;
        lang_code last = LANG_UND;
        size_t at = SIZE_MAX;
        for (uint32_t d = 0; d < seg->n_docs; d++) {
            lang_code c = stemset_lang(&probe,
                                       (lang_code)segment_col(seg, COL_LANG,
                                                              d));
            if (at == SIZE_MAX || c != last) { /* runs are the rule */
                at = 0;
                while (at < s->n_langs && s->langs[at] != c)
                    at++;
                if (at == s->n_langs) {
                    if (s->n_langs == STEMSET_MAX) {
                        at = SIZE_MAX; /* beyond: found by exact words */
                        continue;
                    }
                    s->langs[s->n_langs] = c;
                    s->lang_docs[s->n_langs++] = 0;
                }
                last = c;
            }
            s->lang_docs[at]++;
        }
        segment_release_col(seg, COL_LANG); /* 2 bytes an article */
    }
    s->n_stops = 0;
    for (size_t i = 0; i <= s->n_langs; i++) {
        const lang_info *l = i < s->n_langs ? lang_find(s->langs[i]) : NULL;
        const char *algo = i < s->n_langs ? (l ? l->snowball : NULL)
                                          : s->lmode.algo;
        size_t n;
        const char *const *list = algo ? stopword_list(algo, &n) : NULL;
        size_t k = 0;
        while (k < s->n_stops && s->stops[k] != list)
            k++;
        if (list && k == s->n_stops) {
            s->stops[s->n_stops] = list;
            s->stops_len[s->n_stops++] = n;
        }
    }
    return MORGUE_OK;
}

stemmer *hits_stemmer(morgue_hits *h, size_t g, uint32_t doc)
{
    if (!h->stems) {
        stemset *ss = malloc(sizeof *ss);
        if (!ss)
            return NULL;
        if (stemset_init(ss, h->s->man.language)) {
            stemset_free(ss);
            free(ss);
            return NULL;
        }
        h->stems = ss;
    }
    if (g >= h->s->n_segs) /* a remote searcher's hit: no columns here */
        return stemset_get(h->stems, LANG_UND);
    lang_code c = (lang_code)segment_col(&h->s->segs[g], COL_LANG, doc);
    return stemset_get(h->stems, stemset_lang(h->stems, c));
}
