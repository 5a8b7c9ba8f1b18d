/* lang_it.c: the documents of one language (lang:ru), read from the
 * segment's language column; no score. */
#include <stdlib.h>

#include "searcher/iter.h"

typedef struct lang_it {
    it base;
    const segment *g;
    score_ctx c;
    uint16_t code;
} lang_it;

static uint32_t advance(it *i, uint32_t target)
{
    lang_it *l = (lang_it *)i;
    i->started = 1;
    for (uint32_t doc = target; doc < l->g->n_docs; doc++) {
        if (!ctx_col(&l->c, COL_LANG, doc)) {
            i->err = MORGUE_ECORRUPT;
            return i->doc = IT_END;
        }
        if (segment_col(l->g, COL_LANG, doc) == l->code)
            return i->doc = doc;
    }
    return i->doc = IT_END;
}

static double no_score(it *i)
{
    (void)i;
    return 0;
}

static void lang_free(it *i) { free(i); }

static const it_ops lang_ops = { .advance = advance, .score = no_score,
                                 .free = lang_free }; /* no blocks */

it *lang_it_new(const score_ctx *c, uint16_t code)
{
    lang_it *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    l->base.ops = &lang_ops;
    l->g = c->g;
    l->c = *c;
    l->code = code;
    /* A segment without the column is all und: nothing else to look for. */
    int none = !c->g->col[COL_LANG].p && code != 0;
    l->base.cost = none ? 0 : c->g->n_docs;
    if (none) {
        l->base.started = 1;
        l->base.doc = IT_END;
    }
    return &l->base;
}
