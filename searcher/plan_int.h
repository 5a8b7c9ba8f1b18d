/* plan_int.h: what plan.c shares with natural.c, which gives a
 * natural-language query (Q_TEXT) its meaning: the planning context and
 * the helpers that make plan nodes, terms and highlight entries. */
#ifndef MORGUE_SEARCHER_PLAN_INT_H
#define MORGUE_SEARCHER_PLAN_INT_H

#include "searcher/plan.h"
#include "text/stem.h"
#include "text/stemset.h"

typedef struct ctx {
    morgue_searcher *s;
    stemset *stems;     /* a stemmer per language of the snapshot (taken
                           from the searcher's pool) */
    stemmer *stem;      /* stems.dflt: the index's default language */
    plan *p;
    int rc;             /* sticky: MORGUE_OK until the first failure */
    size_t n_terms;     /* looked up so far, against MORGUE_QUERY_MAX_TERMS */
    size_t pos;         /* query offset of the node being resolved */
    int synonyms;       /* expand words by the built-in variants, the
                           index's synonyms file and the fold keys */
    int folds;          /* the snapshot has fold keys: 0 not asked yet,
                           1 yes, -1 no */
    int count;          /* PLAN_COUNT: no title postings for scores */
    int dry;            /* PLAN_PREFETCH: lookups only ask for their
                           dictionary blocks and find every key (df 1) */
} ctx;

/* Sets c->rc to MORGUE_ENOMEM (with the message) once; returns c->rc. */
int plan_oom(ctx *c);
/* Appends a term ns+text to n: its per-segment postings, global df, idf;
 * with_title also looks up the stem's title postings. */
int plan_add_term(ctx *c, pnode *n, char ns, const char *text, size_t len,
                  int with_title);
/* Appends what snippets highlight (words copied). */
int plan_add_hl(ctx *c, hl_kind kind, char **words, size_t n, double w);
/* The normalised words of text (NULL-terminated array of copies; *n of
 * them), NULL on OOM (c->rc set) or when there are none. */
char **plan_words_of(ctx *c, const char *text, size_t *n);
void plan_free_words(char **w);
pnode *plan_new_node(ctx *c, qkind kind);
void plan_free_node(pnode *n);
/* Exact words in a row (or within near positions). */
pnode *plan_phrase_node(ctx *c, char **w, size_t n, unsigned near,
                        int title_only);

/* The distinct stems of the normalised word w, one per language of the
 * snapshot (copies into out, STEMSET_MAX room); their number. */
size_t plan_stems(ctx *c, const char *w, char **out);
/* 1 when w[0, n) is a stopword of a language of the snapshot (or of its
 * default language). */
int plan_stopword(const ctx *c, const char *w, size_t n);

/* The names and phrases that synonyms (the built-in variants, then the
 * index's file; none when c->synonyms is 0) give for the words w[0..n)
 * said together, each handed to take as its normalised words (k of them,
 * borrowed for the call); recorded among the plan's expansions. Returns
 * how many there are, 0 when the words are no group's entry. */
size_t plan_synonyms(ctx *c, char **w, size_t n,
                     void (*take)(ctx *c, char **aw, size_t k, void *ud),
                     void *ud);
/* The fold key leaf of the Latin word w (text/translit.h): the Cyrillic
 * and Greek names that may be its spelling in another script, recorded
 * as an expansion; NULL when none is in the snapshot (or synonyms are
 * off). */
pnode *plan_fold_node(ctx *c, const char *w);
/* Appends k to p's kids; on OOM frees k and returns c->rc. */
int plan_add_kid(ctx *c, pnode *p, pnode *k);

/* natural.c: the plan of a Q_TEXT; NULL when nothing is left to search
 * (or on OOM, c->rc set). */
pnode *natural_node(ctx *c, const qnode *q);

#endif
