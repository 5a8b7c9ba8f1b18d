/* similar.h: an article's most distinctive stems (tf * idf over the
 * snapshot), for morgue_similar's query and the timeline's story
 * grouping. */
#ifndef MORGUE_SEARCHER_SIMILAR_H
#define MORGUE_SEARCHER_SIMILAR_H

#include "searcher/searcher.h"
#include "text/stem.h"
#include "util/u64map.h"

#include "text/stemset.h"

#define SIMILAR_TERMS 25 /* words of morgue_similar's query */

typedef struct sim_ctx {
    morgue_searcher *s;
    stemset stems;       /* a stemmer per language, made on first use */
    stemmer *st;         /* the article's (of stems): the default at first */
    u64map df;           /* stem hash -> document frequency, a cache */
} sim_ctx;

/* Readies c for s, after verifying every segment's language column (the
 * stemmer of each article, sim_use_doc): MORGUE_OK, ECORRUPT with a
 * message in e, or ENOMEM. */
int sim_init(sim_ctx *c, morgue_searcher *s, errmsg *e);
/* The next sim_top_terms() stems as article doc of segment g was stemmed
 * when indexed (its LANG column: its own language, or the default). */
void sim_use_doc(sim_ctx *c, size_t g, uint32_t doc);
void sim_free(sim_ctx *c);

/* The (at most) k stems of fl's title and body with the highest
 * sqrt(tf) * log((N + 1) / df), stems no other article has left out:
 * their hashes (hash64 of the stem) best first into hashes, *n of them;
 * with words non-NULL also one normalised surface word of each, space
 * separated (an any-word query). 0, MORGUE_ENOMEM or MORGUE_ECORRUPT. */
int sim_top_terms(sim_ctx *c, const span *fl, size_t k, uint64_t *hashes,
                  size_t *n, buf *words, errmsg *e);

#endif
