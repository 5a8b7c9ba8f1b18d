/* search.h: morgue_search() with what the library's own callers add
 * (morgue_similar leaves an article and its near-duplicates out). */
#ifndef MORGUE_SEARCHER_SEARCH_H
#define MORGUE_SEARCHER_SEARCH_H

#include <stdint.h>

#include "morgue.h"

typedef struct search_extra {
    uint64_t exclude_doc;        /* global id left out, or UINT64_MAX */
    const uint8_t *exclude_fp;   /* its sketch: resembling ones are left
                                    out too; NULL: none */
    double exclude_similarity;   /* <= 0: MORGUE_DEFAULT_SIMILARITY */
    /* collect: every match goes to all (n_all of them, malloc'ed, the
     * caller frees), in no order, and the hits returned are empty. */
    int collect;
    struct topk_entry *all;
    size_t n_all;
} search_extra;

/* morgue_search(), leaving out (or collecting) what x says (NULL:
 * nothing); any x makes the walk exhaustive. */
int search_exec(morgue_searcher *s, const char *query,
                const morgue_query_opts *opts, search_extra *x,
                morgue_hits **out);

#endif
