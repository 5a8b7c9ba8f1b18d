/* translate.h: a parsed morgue query (searcher/query.h) as a Sphinx
 * extended query (the text inside MATCH()) plus a date filter, and the
 * terms that snippets highlight.
 *
 * The mapping (field layout in row.h), each leaf wrapped in parentheses
 * so a field limit ends with it:
 *   word              (@(ss,ts) stem)   title:word  (@ts stem)
 *                     (ts too, so the ranker sees the title's share)
 *   word of 2+ tokens (@tb "w1 w2")     as the planner makes it a phrase
 *   "a b"             (@tb "a b")       title:"a b" (@ti "a b")
 *   a NEAR/n b ...    (@tb "a b ..."~m) m = n - (k - 2) for k words:
 *                     Sphinx allows a span of m + k - 2 between the first
 *                     and last word, morgue n
 *   kaz*              (@tb kaz*)        title:kaz*  (@ti kaz*)
 *   source:stepp*     (@kv o_stepp*)    a prefix of the whole value
 *   source:"x y"      (@kv o_x_y)       tag:x       (@kv g_x)
 *   date:A..B         top-level AND: the WHERE filter; elsewhere the
 *                     fewest y/m/d keys covering the days, (@kv (y.. | ..))
 *   AND, OR, NOT      (a b), (a | b), -(a)
 *   a name with built-in variants (a word, a quoted phrase, or a run of
 *                     plain words of an AND, as plan.c finds them)
 *                     (typed | (@(ss,ts) variant) | (@tb "v w") ...)
 *   natural language  (Q_TEXT, as searcher/natural.c reads it) the stems
 *                     of the words, stopwords dropped (unless all are),
 *                     each once, OR'ed; with quoted phrases of 2+ words
 *                     (bag (bag | (@tb "a b") ...)): the bag decides, the
 *                     phrases add weight (Sphinx 2.2.11's MAYBE drops
 *                     matches); nothing left matches nothing
 * Nodes the local planner drops (no tokens) are dropped the same way. */
#ifndef MORGUE_CLUSTER_TRANSLATE_H
#define MORGUE_CLUSTER_TRANSLATE_H

#include <stdint.h>

#include "searcher/query.h"
#include "searcher/searcher.h"
#include "text/stem.h"
#include "util/buf.h"

/* What a leaf of the query adds to a document's score, as the local
 * searcher scores it (searcher/term.c, phrase.c), for rerank.h. */
typedef enum score_kind {
    SK_STEM,    /* a word: BM25F over title and body stems */
    SK_TITLE,   /* title:word: BM25 over the title's stems */
    SK_PHRASE,  /* exact words in a row (title_only: inside the title);
                   one word: a quoted word, the same formula */
} score_kind;

typedef struct score_leaf {
    score_kind kind;
    char **words;       /* owned: the stem (SK_STEM, SK_TITLE) or words */
    size_t n_words;
    int title_only;
    double qweight;     /* natural language: times the question says it */
} score_leaf;

typedef struct translation {
    buf match;          /* extended query; empty: none (dates only) */
    int64_t from, to;   /* WHERE date filter; INT64_MIN / INT64_MAX: open */
    query_term *hl;     /* owned: what snippets highlight */
    size_t n_hl;
    int need_bounds;    /* an open date range inside OR/NOT: call again
                           with the cluster's first and last dates */
    score_leaf *leaves; /* owned: the scoring leaves outside NOT */
    size_t n_leaves;
    int scored_or;      /* an OR (not natural language) outside NOT: which
                           of its kids an article holds decides (search.c's
                           ranker then weighs by idf) */
    buf match_all;      /* with scored_or: match with the kids of every OR
                           outside NOT all required (name variants stay
                           or'ed): a subset of match's articles, whose best
                           are candidates the OR's ranking misses */
    int exact_score;    /* 1: leaves say the whole local score (no prefix
                           or NEAR, whose scores depend on the local
                           index's expansions and windows) */
    const char *refused; /* MORGUE_EQUERY for a part the cluster cannot
                            search: why (static text), and where */
    size_t refused_at;
} translation;

/* Translates q, a tree query_check (searcher/query.h) passed: what it
 * refuses is refused for the cluster too, in its words. lo and hi bound
 * the dates present (for open ranges that must become keys), or
 * INT64_MIN when unknown. MORGUE_OK; MORGUE_EQUERY for what only the
 * cluster cannot search (refused says what; lang:), or, for a tree that
 * did not pass query_check, when nothing is left to search;
 * MORGUE_ENOMEM. lang is the stemmer's
 * language (its stopwords). With synonyms, words and runs of words that
 * are names with built-in variants are or'ed with them (as the planner
 * does unless no_synonyms; not the fold keys of Cyrillic and Greek
 * names, which cluster rows do not hold). Free with
 * translation_free(), also after an error. */
int translate(const qnode *q, stemmer *stem, const char *lang, int64_t lo,
              int64_t hi, int synonyms, translation *out);

void translation_free(translation *t);

#endif
