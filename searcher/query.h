/* query.h: the query language's syntax tree, the parser that builds it
 * (lex.c, parse.c; nodes from an arena, qnode.c) and a printer whose
 * output parses back to the same tree (print.c). The parser builds syntax
 * only: what a tree means (stems, idfs, stopwords, which words are
 * required) is the planner's business (plan.c, natural.c).
 *
 * Two grammars read a query:
 *
 * Strict (the default; docs/QUERY.md has examples):
 *   words            all required (AND)
 *   a OR b           either; OR binds tighter than AND: "a b OR c" is
 *                    a AND (b OR c)
 *   a AND b, NOT a   upper-case operators; "-a" = NOT a, "+a" = a
 *   ( ... )          grouping
 *   "a b c"          exact words at consecutive positions (unstemmed)
 *   a NEAR/n b       words within n positions of each other, any order
 *   title: source: tag:  field prefixes, before a word, phrase or group
 *   kazakh*          prefix of exact words (bounded expansion)
 *   date:2022-01-05 date:2022-01 date:2022 date:A..B date:..B date:A..
 *                    date filters (inclusive, UTC days)
 *   A syntax error is reported with its byte offset.
 *
 * Natural language (QUERY_NATURAL): never fails. Text between a pair of
 * quotes (", U+201C, U+201D) is a phrase; every other run of non-blank
 * bytes is a word, whatever it holds (operators, fields, brackets, '+',
 * '-', '*' are read as text); a quote without a partner is ignored. The
 * tree is one Q_TEXT node.
 *
 * The tree (what a consumer such as the planner or a translator to
 * another engine's syntax may rely on; tests/unit/check_parse.c and
 * fuzz/fuzz_query.c check it):
 *   Q_WORD    text: one run as typed (the planner tokenizes, folds and
 *             stems it; a run of several tokens, "state-of-the-art", is a
 *             phrase of them in strict mode); for source:/tag: the whole
 *             value, blanks collapsed to one space
 *   Q_PREFIX  text: the prefix as typed, without its '*'
 *   Q_PHRASE  words[n_words >= 1]: the runs between the quotes
 *   Q_NEAR    words[n_words >= 2], near in 1..NEAR_MAX
 *   Q_DATE    from..to, inclusive seconds UTC (whole days); open ends are
 *             INT64_MIN / INT64_MAX; never under a field
 *   Q_AND     kids[n_kids >= 2], no Q_AND kid; a Q_NOT kid excludes; at
 *             least one kid is not a Q_NOT
 *   Q_OR      kids[n_kids >= 2], no Q_OR kid, no Q_NOT kid
 *   Q_NOT     kids[0]: excluded; only ever a kid of a Q_AND
 *   Q_TEXT    natural language, only ever the root: kids[n_kids >= 0],
 *             each a Q_WORD (field QF_ANY) or a Q_PHRASE (quoted), in the
 *             order typed
 *   Q_MAYBE   never made by the parser: the planner's "kids[0] decides
 *             matching, kids[1..] only add score"
 * Fields sit on leaves only. The tree is at most QMAX_DEPTH deep. pos is
 * the byte offset in the query where the node's text starts.
 *
 * Limits (how deep, how long) are in searcher/qlimits.h, one place.
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
    QF_LANG,      /* the article's language: an ISO 639-1 code or und */
} qfield;

typedef enum qkind {
    Q_WORD,       /* text */
    Q_PREFIX,     /* text */
    Q_PHRASE,     /* words[n_words] */
    Q_NEAR,       /* words[n_words], near */
    Q_DATE,       /* from..to */
    Q_AND,        /* kids */
    Q_OR,         /* kids */
    Q_NOT,        /* kids[0] */
    Q_MAYBE,      /* planner only (see above) */
    Q_TEXT,       /* natural language: kids, words and phrases */
} qkind;

struct arena;

typedef struct qnode {
    qkind kind;
    qfield field;         /* Q_WORD, Q_PREFIX, Q_PHRASE, Q_NEAR */
    char *text;           /* Q_WORD, Q_PREFIX */
    char **words;         /* Q_PHRASE, Q_NEAR */
    size_t n_words;
    unsigned near;        /* Q_NEAR distance */
    int64_t from, to;     /* Q_DATE */
    struct qnode **kids;
    size_t n_kids;
    size_t pos;           /* byte offset in the query it came from */
    struct arena *arena;  /* holds this node and everything under it */
} qnode;

/* Parse flags. */
#define QUERY_NATURAL 1   /* the natural-language grammar */

/* Parses q. On success *out is the tree (never NULL) and MORGUE_OK is
 * returned. On a syntax error (strict grammar only): MORGUE_EQUERY, *out
 * NULL, a one-line message in err and the 0-based byte offset of the
 * culprit in *err_pos. MORGUE_ENOMEM when memory runs out. Never reads
 * past the NUL. The tree is freed whole with query_free(root). */
int query_parse(const char *q, unsigned flags, qnode **out, char *err,
                size_t err_len, size_t *err_pos);
/* The same, with relative dates (date:today...) taken from now instead
 * of the clock. */
int query_parse_at(const char *q, unsigned flags, int64_t now, qnode **out,
                   char *err, size_t err_len, size_t *err_pos);

/* The shape check every consumer of a tree runs before giving it meaning
 * (qcheck.c; searcher_parse calls it for the local and the cluster
 * searcher alike). MORGUE_EQUERY, with the one-line message in err and
 * the culprit's byte offset in *err_pos, when: lang: holds no valid code
 * or is put on a prefix, phrase or NEAR; a phrase, NEAR or a run that
 * splits into several words has more than MORGUE_QUERY_MAX_PHRASE words;
 * or (strict grammar) nothing is left to search: no token in any
 * positive part ("the query has no words to search for"). MORGUE_OK
 * otherwise; a Q_TEXT root always passes. */
int query_check(const qnode *root, char *err, size_t err_len,
                size_t *err_pos);

/* Appends a canonical form of n (fully parenthesised, quoted where
 * needed) that query_parse, with the grammar that made n, reads back into
 * an equal tree. */
void query_print(const qnode *n, buf *out);

/* 1 when the two trees are equal (kinds, fields, texts, dates, kids). */
int query_equal(const qnode *a, const qnode *b);

/* Frees the tree of root (its arena). NULL is a no-op. */
void query_free(qnode *root);

#endif
