/* qlimits.h: every bound on the size of a query, in one place: how deep
 * the syntax may nest, how far NEAR reaches, how many words a prefix may
 * expand to. Bounds on the number of words, the length of a phrase and
 * the work one query may cost belong here too, checked by the grammar
 * (parse.c, for both grammars) and the planner (plan.c, natural.c). */
#ifndef MORGUE_SEARCHER_QLIMITS_H
#define MORGUE_SEARCHER_QLIMITS_H

#define QMAX_DEPTH 64      /* syntax nesting and tree depth */
#define NEAR_DEFAULT 10    /* NEAR without /n */
#define NEAR_MAX 1000      /* largest n of NEAR/n */
#define PREFIX_MAX 256     /* words a prefix may expand to */

#endif
