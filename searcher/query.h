/* query.h: the query language's syntax tree, the parser that builds it
 * (parse.c) and a printer whose output parses back to the same tree.
 *
 * The language (docs/QUERY.md has examples):
 *   words            stemmed; all required (AND) unless any-mode
 *   a OR b           either; OR binds tighter than AND: "a b OR c" is
 *                    a AND (b OR c)
 *   a AND b, NOT a   upper-case operators; "-a" = NOT a, "+a" = required
 *   ( ... )          grouping
 *   "a b c"          exact words at consecutive positions (unstemmed)
 *   a NEAR/n b       words within n positions of each other, any order
 *   title: source: tag:  field prefixes, before a word, phrase or group
 *   kazakh*          prefix of exact words (bounded expansion)
 *   date:2022-01-05 date:2022-01 date:2022 date:A..B date:..B date:A..
 *                    date filters (inclusive, UTC days)
 */
#ifndef MORGUE_SEARCHER_QUERY_H
#define MORGUE_SEARCHER_QUERY_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

typedef enum qfield {
    QF_ANY = 0,   /* title and body */
    QF_TITLE,     /* title only */
    QF_SOURCE,    /* the whole source value */
    QF_TAG,       /* one whole tag value */
} qfield;

typedef enum qkind {
    Q_WORD,       /* text: one word as typed (the evaluator normalises) */
    Q_PREFIX,     /* text: prefix as typed, without the '*' */
    Q_PHRASE,     /* words[n_words]: consecutive exact words */
    Q_NEAR,       /* words[n_words]: all within `near` positions */
    Q_DATE,       /* from..to: inclusive seconds UTC (whole days) */
    Q_AND,        /* kids: all must match (a Q_NOT kid excludes) */
    Q_OR,         /* kids: any may match */
    Q_NOT,        /* kids[0]: excluded; only as a kid of Q_AND */
    Q_MAYBE,      /* kids[0] must match; kids[1..] only add score
                     (any-mode with +required words) */
} qkind;

typedef struct qnode {
    qkind kind;
    qfield field;         /* Q_WORD, Q_PREFIX, Q_PHRASE, Q_NEAR */
    char *text;           /* owned; Q_WORD, Q_PREFIX (for source:/tag:
                             the whole value, possibly several words) */
    char **words;         /* owned; Q_PHRASE, Q_NEAR */
    size_t n_words;
    unsigned near;        /* Q_NEAR distance */
    int64_t from, to;     /* Q_DATE; INT64_MIN / INT64_MAX when open */
    struct qnode **kids;  /* owned */
    size_t n_kids;
    size_t pos;           /* byte offset in the query it came from */
} qnode;

/* Parse flags. */
#define QUERY_ANY 1       /* free words combine with OR, not AND */

/* Parses q. On success *out is the tree (never NULL) and MORGUE_OK is
 * returned. On a syntax error: MORGUE_EQUERY, *out NULL, a one-line
 * message in err and the 0-based byte offset of the culprit in *err_pos.
 * MORGUE_ENOMEM when memory runs out. Never reads past the NUL. */
int query_parse(const char *q, unsigned flags, qnode **out, char *err,
                size_t err_len, size_t *err_pos);
/* The same, with relative dates (date:today...) taken from now instead
 * of the clock. */
int query_parse_at(const char *q, unsigned flags, int64_t now, qnode **out,
                   char *err, size_t err_len, size_t *err_pos);

/* Appends a canonical form of n (fully parenthesised, quoted where
 * needed) that query_parse reads back into an equal tree. */
void query_print(const qnode *n, buf *out);

/* 1 when the two trees are equal (kinds, fields, texts, dates, kids). */
int query_equal(const qnode *a, const qnode *b);

void query_free(qnode *n);

#endif
