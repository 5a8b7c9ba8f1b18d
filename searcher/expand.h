/* expand.h: pseudo-relevance feedback (RM3) for natural-language queries:
 * the best answers of a first run add their words to the plan. */
#ifndef MORGUE_SEARCHER_EXPAND_H
#define MORGUE_SEARCHER_EXPAND_H

#include "searcher/plan.h"

/* Replaces p's OR of stems by the RM3 mix of it with the words of the
 * first answers of fb (the same query's first run; read, not freed). The
 * plan stays as it was when fb has no answers. MORGUE_OK or ENOMEM. */
int expand_plan(plan *p, morgue_searcher *s, morgue_hits *fb);

#endif
