/* parse_int.h: what the parser's files share (lex.c, parse.c, qnode.c,
 * print.c): the parser state, the tokens, byte classes, error recording
 * and node construction. Not for the rest of searcher/, which sees
 * query.h only. */
#ifndef MORGUE_SEARCHER_PARSE_INT_H
#define MORGUE_SEARCHER_PARSE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "searcher/qlimits.h"
#include "searcher/query.h"
#include "util/arena.h"

#define FIELD_DATE 100     /* lexer's id for date:, next to the qfields */

enum tok_kind {
    T_END, T_ERR, T_LPAREN, T_RPAREN, T_WORD, T_PREFIX, T_PHRASE, T_DATE,
    T_FIELD, T_AND, T_OR, T_NOT, T_NEAR, T_PLUS, T_MINUS,
};

typedef struct tok {
    int kind;
    size_t pos;           /* byte offset where the token starts */
    size_t start, len;    /* WORD/PREFIX text, PHRASE inside the quotes */
    qfield field;         /* T_FIELD */
    unsigned near;        /* T_NEAR */
    int64_t from, to;     /* T_DATE */
} tok;

typedef struct parser {
    const char *q;        /* borrowed query */
    size_t len;
    size_t at;            /* next byte to lex */
    unsigned flags;
    arena *a;             /* every node and string of the tree */
    tok cur;              /* the lookahead, when have */
    int have;
    int value_mode;       /* the next token is the value of a field */
    size_t field_pos;     /* where that field's name starts */
    int depth;            /* current syntax nesting */
    int rc;               /* MORGUE_OK until the first failure */
    char *err;            /* caller's message buffer, may be NULL */
    size_t err_len;
    size_t err_pos;
    int64_t now;          /* for relative dates (util/reldate.h) */
} parser;

/* ---- errors (parse.c) ---- */

/* Records the first syntax error (MORGUE_EQUERY); later ones are
 * consequences and are dropped. */
void parse_fail(parser *p, size_t pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void parse_nomem(parser *p);
/* Length of a quotable excerpt of q[s, s+n): at most 32 bytes, cut on a
 * UTF-8 boundary. */
int parse_excerpt(const char *q, size_t s, size_t n);

/* ---- bytes (lex.c) ---- */

static inline int q_is_space(unsigned char c) { return c <= 0x20 || c == 0x7F; }

/* Bytes of the quote character at q[i] (", U+201C or U+201D), or 0. */
size_t lex_quote_len(const parser *p, size_t i);
/* 1 when q[s, s+n) holds at least one word for the tokenizer. */
int lex_has_term(const parser *p, size_t s, size_t n);

/* ---- tokens (lex.c) ---- */

/* The next token, without taking it; then taking it. */
tok *lex_peek(parser *p);
tok lex_take(parser *p);

/* ---- nodes (qnode.c): all from p->a; NULL (and p->rc set) on OOM ---- */

qnode *node_new(parser *p, qkind kind, size_t pos);
char *node_strdup(parser *p, const char *s, size_t n);

/* A growable list of nodes, or of strings, while a node is being built
 * (malloc'ed; node_from_vec / node_words move it into the arena). */
typedef struct vec {
    void **v;
    size_t n, cap;
} vec;

int vec_push(parser *p, vec *a, void *x);
/* Appends n, or the kids of n when n is of kind flat. */
int vec_push_flat(parser *p, vec *a, qnode *n, qkind flat);
void vec_free(vec *a);
/* A node of kind over the nodes of a (a is emptied). */
qnode *node_from_vec(parser *p, vec *a, qkind kind, size_t pos);
/* The strings of a as n's words (a is emptied); 0 or -1. */
int node_words(parser *p, qnode *n, vec *a);

#endif
