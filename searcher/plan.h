/* plan.h: a parsed query resolved against a snapshot: words normalised and
 * stemmed into dictionary keys, prefixes expanded, global document
 * frequencies and idfs computed; then, per segment, an iterator tree. */
#ifndef MORGUE_SEARCHER_PLAN_H
#define MORGUE_SEARCHER_PLAN_H

#include "searcher/iter.h"
#include "searcher/qlimits.h"
#include "searcher/query.h"


typedef struct pterm {
    char *key;          /* owned dictionary key (namespace byte + text) */
    size_t len;
    uint64_t df;        /* global document frequency */
    double idf;         /* from the key's document frequency */
    double qweight;     /* the query's weight of the term (1; natural
                           language: times said; expansion: RM3's) */
    term_info *info;    /* per segment; df 0 when absent */
    term_info *tinfo;   /* per segment 'T' postings of a stem, or NULL */
} pterm;

typedef struct pnode {
    qkind kind;         /* Q_WORD stands for any single-term leaf */
    term_kind tkind;    /* for Q_WORD */
    int title_only;     /* Q_PHRASE / Q_NEAR / prefix words in title: */
    pterm *terms;       /* owned: 1 for words; words of phrases; the
                           expansions of a prefix */
    size_t n_terms;
    unsigned near;
    int64_t from, to;
    struct pnode **kids;/* owned */
    size_t n_kids;
} pnode;

/* Where an expansion came from. */
typedef enum exp_source {
    EXP_BUILTIN,        /* the built-in variants (text/variants.c) */
    EXP_FILE,           /* the index's synonyms file gave some */
    EXP_TRANSLIT        /* the fold key of Cyrillic/Greek names */
} exp_source;

/* A word or phrase of the query that synonyms expanded. */
typedef struct plan_exp {
    char *from;         /* owned: the normalised word or phrase */
    char **to;          /* owned: n_to alternatives, normalised (for
                           EXP_TRANSLIT the fold key searched) */
    size_t n_to;
    exp_source source;
} plan_exp;

typedef struct plan {
    pnode *root;
    plan_exp *exps;     /* owned: the expansions used */
    size_t n_exps;
    query_term *hl;     /* what snippets highlight (owned) */
    size_t n_hl;
} plan;

/* Resolves q against s. MORGUE_EQUERY (message set) when nothing is left
 * to search or a prefix expands too far; for natural language (Q_TEXT)
 * never: p->root is then NULL when nothing is left, and nothing matches.
 * flags: PLAN_SYNONYMS expands words by the built-in variants, the
 * index's synonyms file and the fold keys; PLAN_COUNT plans a count
 * (nothing scored): a stem's title postings, which only score, are not
 * looked up; PLAN_PREFETCH makes a plan only to ask for the dictionary
 * blocks its lookups read (termdict_prefetch), every key taken as found:
 * run before the real plan on a cold segment, its lookups then wait for
 * one round of reads instead of one after another. Free it. */
#define PLAN_SYNONYMS 1u
#define PLAN_COUNT 2u
#define PLAN_PREFETCH 4u
int plan_make(plan *p, morgue_searcher *s, const qnode *q, unsigned flags);

void plan_exps_free(plan_exp *x, size_t n);

/* The iterator tree of the query for segment g; NULL on OOM. */
it *plan_build(const plan *p, const score_ctx *c, size_t g, errmsg *e);

/* Moves the date ranges of a top-level AND into [*from, *to] (narrowing
 * it), so that the date column filters the words' matches instead of a
 * date iterator scanning it. A date-only query is left alone. */
void plan_hoist_dates(plan *p, int64_t *from, int64_t *to);

void plan_free(plan *p);

#endif
