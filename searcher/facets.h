/* facets.h: counts over all matching articles: by calendar day, month or
 * year from the date column, and by source or tag from the 'O' and 'G'
 * postings. */
#ifndef MORGUE_SEARCHER_FACETS_H
#define MORGUE_SEARCHER_FACETS_H

#include "searcher/searcher.h"

typedef struct facet_acc {
    int date_kind;         /* MORGUE_FACET_* */
    uint32_t *days;        /* calendar key of each dated match */
    size_t n_days, cap_days;
    uint8_t **matched;     /* per segment bitmap of matches, when needed */
    int langs;             /* count languages */
    uint16_t lang[64];     /* the languages met, and their counts */
    uint64_t lang_n[64];
    size_t n_lang;
    size_t n_segs;
} facet_acc;

int facets_init(facet_acc *f, const morgue_searcher *s,
                const morgue_query_opts *o);
/* Records a match. */
int facets_add(facet_acc *f, const morgue_searcher *s, size_t g,
               uint32_t doc);
/* Fills h->facets from what was recorded. */
int facets_finish(facet_acc *f, morgue_searcher *s,
                  const morgue_query_opts *o, morgue_hits *h);
void facets_free(facet_acc *f);

#endif
