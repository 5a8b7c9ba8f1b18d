/* parse.c: the two grammars of query.h over the tokens of lex.c, building
 * syntax only (the planner gives it meaning).
 *
 * Strict grammar, loosest binding first:
 *
 *   query   := list END
 *   list    := unit ( [AND] unit )*        adjacency is AND
 *   unit    := NOT orexpr | orexpr         NOT takes a whole OR group
 *   orexpr  := signed ( OR signed )*       OR binds tighter than AND
 *   signed  := ('+' | '-') signed | near   +/- take one operand
 *   near    := primary ( NEAR[/n] WORD )*  the primary must be a WORD too
 *   primary := WORD | PREFIX | PHRASE | DATE | '(' list ')'
 *            | FIELD ( WORD | PREFIX | PHRASE | '(' list ')' )
 *
 * Recursion is bounded by counting parentheses, NOT and +/- (QMAX_DEPTH);
 * every step consumes a token, so time is linear in the query length.
 *
 * Natural-language grammar (QUERY_NATURAL): one pass over the bytes, no
 * tokens and no recursion: a quote with a partner opens a phrase that the
 * partner closes; any other quote is skipped; every other run of
 * non-blank bytes up to a blank or a quote is a word (runs without a term
 * for the tokenizer are dropped). It cannot fail but for memory.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "morgue.h"
#include "searcher/parse_int.h"

/* ---- errors ---------------------------------------------------------- */

void parse_fail(parser *p, size_t pos, const char *fmt, ...)
{
    if (p->rc)
        return;
    p->rc = MORGUE_EQUERY;
    p->err_pos = pos;
    if (p->err && p->err_len) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(p->err, p->err_len, fmt, ap);
        va_end(ap);
    }
}

void parse_nomem(parser *p)
{
    if (p->rc)
        return;
    p->rc = MORGUE_ENOMEM;
    p->err_pos = 0;
    if (p->err && p->err_len)
        snprintf(p->err, p->err_len, "out of memory");
}

int parse_excerpt(const char *q, size_t s, size_t n)
{
    if (n <= 32)
        return (int)n;
    n = 32;
    while (n > 0 && ((unsigned char)q[s + n] & 0xC0) == 0x80)
        n--;
    return (int)n;
}

static void not_error(parser *p, size_t pos)
{
    if (p->q[pos] == '-')
        parse_fail(p, pos, "'-' needs something to exclude from (column "
                           "%zu)",
                   pos + 1);
    else
        parse_fail(p, pos, "NOT needs something to exclude from (column "
                           "%zu)",
                   pos + 1);
}

static int starts_operand(int kind)
{
    switch (kind) {
    case T_WORD: case T_PREFIX: case T_PHRASE: case T_DATE: case T_FIELD:
    case T_LPAREN: case T_PLUS: case T_MINUS: case T_NOT:
        return 1;
    default:
        return 0;
    }
}

/* 1 when the next token can start an operand of the operator op at pos;
 * otherwise records why not. */
static int need_operand(parser *p, const char *op, size_t pos)
{
    tok *t = lex_peek(p);
    if (t->kind == T_ERR)
        return 0;
    if (starts_operand(t->kind))
        return 1;
    parse_fail(p, pos, "%s needs something on its right (column %zu)", op,
         pos + 1);
    return 0;
}

/* ---- strict grammar -------------------------------------------------- */

static int enter(parser *p, size_t pos)
{
    if (++p->depth > QMAX_DEPTH) {
        parse_fail(p, pos, "the query nests deeper than %d levels (column "
                           "%zu)",
                   QMAX_DEPTH, pos + 1);
        return 0;
    }
    return 1;
}

static int parse_list(parser *p, qfield field, vec *out);
static qnode *build_and(parser *p, vec *u, size_t pos);

static qnode *leaf_text(parser *p, qkind kind, qfield field, const tok *t)
{
    qnode *n = node_new(p, kind, t->pos);
    if (!n)
        return NULL;
    n->field = field;
    n->text = node_strdup(p, p->q + t->start, t->len);
    return n->text ? n : NULL;
}

/* The runs of q[s, e) that hold a term, as n's words. */
static int split_words(parser *p, qnode *n, size_t s, size_t e)
{
    const char *q = p->q;
    vec w = { 0 };
    for (size_t i = s; i < e;) {
        while (i < e && q_is_space((unsigned char)q[i]))
            i++;
        size_t b = i;
        while (i < e && !q_is_space((unsigned char)q[i]))
            i++;
        if (i == b || !lex_has_term(p, b, i - b))
            continue;
        char *c = node_strdup(p, q + b, i - b);
        if (!c || vec_push(p, &w, c) < 0) {
            vec_free(&w);
            return -1;
        }
    }
    return node_words(p, n, &w);
}

/* A quoted phrase: Q_PHRASE of its words, or for source:/tag: one whole
 * value (a Q_WORD, spaces collapsed). Noise words are dropped. */
static qnode *make_phrase(parser *p, qfield field, const tok *t)
{
    const char *q = p->q;
    size_t s = t->start, e = t->start + t->len;
    if (field == QF_SOURCE || field == QF_TAG) {
        if (!lex_has_term(p, s, t->len)) {
            parse_fail(p, t->pos, "empty value at column %zu", t->pos + 1);
            return NULL;
        }
        qnode *n = node_new(p, Q_WORD, t->pos);
        char *c = n ? arena_alloc(p->a, t->len + 1) : NULL;
        if (!c) {
            parse_nomem(p);
            return NULL;
        }
        size_t k = 0;
        for (size_t i = s; i < e; i++) {
            if (!q_is_space((unsigned char)q[i]))
                c[k++] = q[i];
            else if (k > 0 && c[k - 1] != ' ')
                c[k++] = ' ';
        }
        if (k > 0 && c[k - 1] == ' ')
            k--;
        c[k] = '\0';
        n->field = field;
        n->text = c;
        return n;
    }
    qnode *n = node_new(p, Q_PHRASE, t->pos);
    if (!n || split_words(p, n, s, e) < 0)
        return NULL;
    n->field = field;
    if (n->n_words == 0) {
        parse_fail(p, t->pos, "empty phrase at column %zu", t->pos + 1);
        return NULL;
    }
    return n;
}

/* '(' list ')' with field applied to what is inside. */
static qnode *parse_group(parser *p, qfield field)
{
    tok open = lex_take(p);
    if (!enter(p, open.pos))
        return NULL;
    vec u = { 0 };
    if (parse_list(p, field, &u) < 0) {
        vec_free(&u);
        return NULL;
    }
    tok *t = lex_peek(p);
    if (t->kind != T_RPAREN) {
        vec_free(&u);
        if (t->kind != T_ERR)
            parse_fail(p, open.pos, "unbalanced parenthesis at column %zu: "
                                    "this '(' is never closed",
                       open.pos + 1);
        return NULL;
    }
    lex_take(p);
    if (u.n == 0) {
        vec_free(&u);
        parse_fail(p, open.pos, "empty parentheses at column %zu",
                   open.pos + 1);
        return NULL;
    }
    qnode *n = build_and(p, &u, open.pos);
    p->depth--;
    return n;
}

/* *bare is set when the primary was a plain word (a NEAR operand). */
static qnode *parse_primary(parser *p, qfield field, int *bare)
{
    tok t = *lex_peek(p);
    *bare = 0;
    if (t.kind == T_FIELD) {
        lex_take(p);
        field = t.field;
        t = *lex_peek(p); /* lexed as the field's value */
        if (t.kind == T_ERR)
            return NULL;
    } else if (t.kind == T_WORD) {
        *bare = 1;
    }
    switch (t.kind) {
    case T_WORD:
        lex_take(p);
        return leaf_text(p, Q_WORD, field, &t);
    case T_PREFIX:
        lex_take(p);
        return leaf_text(p, Q_PREFIX, field, &t);
    case T_PHRASE:
        lex_take(p);
        return make_phrase(p, field, &t);
    case T_LPAREN:
        return parse_group(p, field);
    case T_DATE: {
        lex_take(p);
        qnode *n = node_new(p, Q_DATE, t.pos);
        if (n) {
            n->from = t.from;
            n->to = t.to;
        }
        return n;
    }
    case T_ERR:
        return NULL;
    default:
        parse_fail(p, t.pos, "expected a word, phrase or group at column "
                             "%zu",
                   t.pos + 1);
        return NULL;
    }
}

/* primary ( NEAR[/n] WORD )* */
static qnode *parse_near(parser *p, qfield field)
{
    int bare;
    qnode *left = parse_primary(p, field, &bare);
    if (!left || lex_peek(p)->kind != T_NEAR)
        return left;
    tok op = *lex_peek(p);
    if (!bare) {
        parse_fail(p, op.pos, "NEAR needs a plain word on each side (column "
                              "%zu); for a field write title:(a NEAR b)",
                   op.pos + 1);
        return NULL;
    }
    if (field == QF_SOURCE || field == QF_TAG) {
        parse_fail(p, op.pos, "NEAR cannot join source: or tag: values "
                              "(column %zu)",
                   op.pos + 1);
        return NULL;
    }
    qnode *n = node_new(p, Q_NEAR, left->pos);
    if (!n)
        return NULL;
    n->field = field;
    n->near = NEAR_MAX;
    vec w = { 0 };
    if (vec_push(p, &w, left->text) < 0)
        return NULL;
    while (lex_peek(p)->kind == T_NEAR) {
        op = lex_take(p);
        if (op.near < n->near)
            n->near = op.near;
        tok *wt = lex_peek(p);
        if (wt->kind != T_WORD) {
            if (wt->kind != T_ERR)
                parse_fail(p, op.pos, "NEAR needs a plain word on each side "
                                      "(column %zu)",
                           op.pos + 1);
            vec_free(&w);
            return NULL;
        }
        tok word = lex_take(p);
        char *c = node_strdup(p, p->q + word.start, word.len);
        if (!c || vec_push(p, &w, c) < 0) {
            vec_free(&w);
            return NULL;
        }
    }
    return node_words(p, n, &w) < 0 ? NULL : n;
}

static qnode *make_not(parser *p, qnode *kid, size_t pos)
{
    if (kid->kind == Q_NOT) {
        not_error(p, kid->pos);
        return NULL;
    }
    vec k = { 0 };
    if (vec_push(p, &k, kid) < 0)
        return NULL;
    return node_from_vec(p, &k, Q_NOT, pos);
}

/* ('+' | '-') signed | near; '+' changes nothing (words are required). */
static qnode *parse_signed(parser *p, qfield field)
{
    tok *t = lex_peek(p);
    if (t->kind == T_NOT) {
        not_error(p, t->pos);
        return NULL;
    }
    if (t->kind != T_PLUS && t->kind != T_MINUS)
        return parse_near(p, field);
    tok op = lex_take(p);
    if (!enter(p, op.pos))
        return NULL;
    const char *name = op.kind == T_PLUS ? "'+'" : "'-'";
    if (!need_operand(p, name, op.pos))
        return NULL;
    qnode *kid = parse_signed(p, field);
    p->depth--;
    if (!kid)
        return NULL;
    return op.kind == T_PLUS ? kid : make_not(p, kid, op.pos);
}

/* signed ( OR signed )* */
static qnode *parse_or(parser *p, qfield field)
{
    qnode *left = parse_signed(p, field);
    if (!left || lex_peek(p)->kind != T_OR)
        return left;
    vec a = { 0 };
    size_t pos = left->pos;
    if (left->kind == Q_NOT) {
        not_error(p, left->pos);
        return NULL;
    }
    if (vec_push_flat(p, &a, left, Q_OR) < 0)
        return NULL;
    while (lex_peek(p)->kind == T_OR) {
        tok op = lex_take(p);
        qnode *k = need_operand(p, "OR", op.pos) ? parse_signed(p, field)
                                                 : NULL;
        if (k && k->kind == Q_NOT)
            not_error(p, k->pos);
        if (!k || k->kind == Q_NOT || vec_push_flat(p, &a, k, Q_OR) < 0) {
            vec_free(&a);
            return NULL;
        }
    }
    return node_from_vec(p, &a, Q_OR, pos);
}

/* NOT orexpr | orexpr */
static qnode *parse_unit(parser *p, qfield field)
{
    if (lex_peek(p)->kind != T_NOT)
        return parse_or(p, field);
    tok op = lex_take(p);
    if (!enter(p, op.pos))
        return NULL;
    if (!need_operand(p, "NOT", op.pos))
        return NULL;
    qnode *kid = parse_or(p, field);
    p->depth--;
    if (!kid)
        return NULL;
    return make_not(p, kid, op.pos);
}

/* unit ( [AND] unit )* up to ')' or the end, into out. */
static int parse_list(parser *p, qfield field, vec *out)
{
    int joined = 0;
    for (;;) {
        tok *t = lex_peek(p);
        switch (t->kind) {
        case T_END:
        case T_RPAREN:
            return 0;
        case T_ERR:
            return -1;
        case T_AND: {
            tok op = lex_take(p);
            if (out->n == 0 || joined) {
                parse_fail(p, op.pos, "AND needs something on its left "
                                      "(column %zu)",
                           op.pos + 1);
                return -1;
            }
            if (!need_operand(p, "AND", op.pos))
                return -1;
            joined = 1;
            continue;
        }
        case T_OR:
            parse_fail(p, t->pos, "OR needs something on its left (column "
                                  "%zu)",
                       t->pos + 1);
            return -1;
        case T_NEAR:
            parse_fail(p, t->pos, "NEAR needs a plain word on each side "
                                  "(column %zu)",
                       t->pos + 1);
            return -1;
        default:
            break;
        }
        qnode *n = parse_unit(p, field);
        if (!n || vec_push(p, out, n) < 0)
            return -1;
        joined = 0;
    }
}

/* The AND of the units of u (u is emptied), flattened; one unit gives the
 * unit itself. At least one unit must be positive. */
static qnode *build_and(parser *p, vec *u, size_t pos)
{
    size_t i;
    qnode **k = (qnode **)u->v;
    for (i = 0; i < u->n && k[i]->kind == Q_NOT; i++)
        ;
    if (i == u->n) {
        not_error(p, k[0]->pos);
        vec_free(u);
        return NULL;
    }
    if (u->n == 1) {
        qnode *n = k[0];
        vec_free(u);
        return n;
    }
    vec a = { 0 };
    for (i = 0; i < u->n; i++)
        if (vec_push_flat(p, &a, k[i], Q_AND) < 0)
            break;
    vec_free(u);
    if (p->rc) {
        vec_free(&a);
        return NULL;
    }
    return node_from_vec(p, &a, Q_AND, pos);
}

/* The first node deeper than max levels below n (n at level lvl). */
static const qnode *too_deep(const qnode *n, int lvl, int max)
{
    if (lvl > max)
        return n;
    for (size_t i = 0; i < n->n_kids; i++) {
        const qnode *d = too_deep(n->kids[i], lvl + 1, max);
        if (d)
            return d;
    }
    return NULL;
}

static qnode *parse_strict(parser *p)
{
    vec u = { 0 };
    if (parse_list(p, QF_ANY, &u) == 0) {
        tok *t = lex_peek(p);
        if (t->kind == T_RPAREN)
            parse_fail(p, t->pos, "unbalanced parenthesis at column %zu: "
                                  "this ')' has no '('",
                       t->pos + 1);
        else if (u.n == 0)
            parse_fail(p, 0, "the query has no words");
    }
    if (p->rc) {
        vec_free(&u);
        return NULL;
    }
    qnode *root = build_and(p, &u, ((qnode *)u.v[0])->pos);
    const qnode *d = root ? too_deep(root, 1, QMAX_DEPTH) : NULL;
    if (d)
        parse_fail(p, d->pos, "the query nests deeper than %d levels "
                              "(column %zu)",
                   QMAX_DEPTH, d->pos + 1);
    return p->rc ? NULL : root;
}

/* ---- natural-language grammar ---------------------------------------- */

/* The position of the quote closing the one at q[i], or p->len. */
static size_t closing_quote(const parser *p, size_t i)
{
    size_t j = i + lex_quote_len(p, i);
    while (j < p->len && !lex_quote_len(p, j))
        j++;
    return j;
}

static qnode *parse_natural(parser *p)
{
    const char *q = p->q;
    vec kids = { 0 };
    size_t i = 0;
    while (i < p->len && !p->rc) {
        if (q_is_space((unsigned char)q[i])) {
            i++;
            continue;
        }
        size_t ql = lex_quote_len(p, i);
        if (ql) {
            size_t j = closing_quote(p, i);
            if (j >= p->len) { /* no partner: ignored */
                i += ql;
                continue;
            }
            qnode *n = node_new(p, Q_PHRASE, i);
            if (n && split_words(p, n, i + ql, j) == 0 && n->n_words)
                vec_push(p, &kids, n);
            i = j + lex_quote_len(p, j);
            continue;
        }
        size_t s = i;
        while (i < p->len && !q_is_space((unsigned char)q[i]) &&
               !lex_quote_len(p, i))
            i++;
        if (!lex_has_term(p, s, i - s))
            continue;
        tok t = { .pos = s, .start = s, .len = i - s };
        qnode *n = leaf_text(p, Q_WORD, QF_ANY, &t);
        if (n)
            vec_push(p, &kids, n);
    }
    if (p->rc) {
        vec_free(&kids);
        return NULL;
    }
    return node_from_vec(p, &kids, Q_TEXT, 0);
}

/* ---- entry ----------------------------------------------------------- */

int query_parse(const char *q, unsigned flags, qnode **out, char *err,
                size_t err_len, size_t *err_pos)
{
    return query_parse_at(q, flags, (int64_t)time(NULL), out, err, err_len,
                          err_pos);
}

int query_parse_at(const char *q, unsigned flags, int64_t now, qnode **out,
                   char *err, size_t err_len, size_t *err_pos)
{
    parser p;
    memset(&p, 0, sizeof p);
    p.now = now;
    p.q = q ? q : "";
    p.len = strlen(p.q);
    p.flags = flags;
    p.err = err;
    p.err_len = err_len;
    if (err && err_len)
        err[0] = '\0';
    if (err_pos)
        *err_pos = 0;
    if (!out)
        return MORGUE_EINVAL;
    *out = NULL;
    if (!(p.a = arena_new())) {
        parse_nomem(&p);
        return p.rc;
    }
    qnode *root = (flags & QUERY_NATURAL) ? parse_natural(&p)
                                          : parse_strict(&p);
    if (!root) {
        arena_free(p.a);
        if (p.rc == MORGUE_OK) /* cannot happen; never report success */
            p.rc = MORGUE_ENOMEM;
        if (err_pos)
            *err_pos = p.err_pos;
        return p.rc;
    }
    *out = root;
    return MORGUE_OK;
}
