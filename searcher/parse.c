/* parse.c: the query language (docs/QUERY.md) parsed into a qnode tree,
 * and the printer whose output parses back to an equal tree.
 *
 * Grammar, loosest binding first, over the tokens lex() makes:
 *
 *   query   := list END
 *   list    := unit ( [AND] unit )*        adjacency is AND, but an
 *                                          explicit AND chains units into
 *                                          one item (matters in any-mode)
 *   unit    := NOT orexpr | orexpr         NOT takes a whole OR group
 *   orexpr  := signed ( OR signed )*       OR binds tighter than AND
 *   signed  := ('+' | '-') signed | near   +/- take one operand
 *   near    := primary ( NEAR[/n] WORD )*  the primary must be a WORD too
 *   primary := WORD | PREFIX | PHRASE | DATE | '(' list ')'
 *            | FIELD ( WORD | PREFIX | PHRASE | '(' list ')' )
 *
 * Tokens. A run is a maximal stretch of bytes without ASCII space or
 * control, '(', ')' or a quote (" or the curly U+201C U+201D). A run is,
 * first match wins: '+'/'-' at its start (an operator when the run holds
 * a word or is followed by '(' or a quote), AND, OR, NOT, NEAR or NEAR/n,
 * a field (letters, ':', then a value), a prefix (ends in '*'), a word
 * (holds at least one term for text/tokenize.h) or noise (no term, such
 * as "-" or "&"), which is dropped. Runs are never split otherwise: "12:30"
 * and "http://x" stay whole words for the evaluator to tokenize.
 *
 * Tree shape guaranteed to the evaluator (the fuzz target checks it):
 * Q_AND and Q_OR have >= 2 kids and are flattened (no Q_AND directly in a
 * Q_AND, no Q_OR in a Q_OR); a Q_NOT is always a kid of a Q_AND that has a
 * positive kid; a Q_MAYBE is only ever the root; Q_PHRASE has >= 1 word,
 * Q_NEAR >= 2 words and near in 1..1000; fields sit on leaves only; the
 * tree is at most QMAX_DEPTH nodes deep.
 *
 * Recursion is bounded by counting parentheses, NOT and +/- (QMAX_DEPTH);
 * every step consumes a token, so time is linear in the query length.
 */
#include "searcher/query.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "formats/dates.h"
#include "morgue.h"
#include "text/tokenize.h"
#include "util/civil.h"
#include "util/alloc.h"

#define QMAX_DEPTH 64      /* syntax nesting and tree depth */
#define NEAR_DEFAULT 10
#define NEAR_MAX 1000
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

/* A parsed unit of a list, with what its context needs to know. */
typedef struct unit {
    qnode *n;             /* owned */
    int plus;             /* written with '+' */
    int joined;           /* an explicit AND links it to the unit before */
} unit;

typedef struct units {
    unit *v;
    size_t n, cap;
} units;

typedef struct vec {
    qnode **v;
    size_t n, cap;
} vec;

typedef struct parser {
    const char *q;        /* borrowed query */
    size_t len;
    size_t at;            /* next byte to lex */
    unsigned flags;
    tok cur;              /* the lookahead, when have */
    int have;
    int value_mode;       /* the next token is the value of a field */
    size_t field_pos;     /* where that field's name starts */
    int depth;            /* current syntax nesting */
    int rc;               /* MORGUE_OK until the first failure */
    char *err;            /* caller's message buffer, may be NULL */
    size_t err_len;
    size_t err_pos;
} parser;

/* ---- errors ---------------------------------------------------------- */

static void fail(parser *p, size_t pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Records the first syntax error; later ones are consequences. */
static void fail(parser *p, size_t pos, const char *fmt, ...)
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

static void nomem(parser *p)
{
    if (p->rc)
        return;
    p->rc = MORGUE_ENOMEM;
    p->err_pos = 0;
    if (p->err && p->err_len)
        snprintf(p->err, p->err_len, "out of memory");
}

/* Length of a quotable excerpt of q[s, s+n): at most 32 bytes, cut on a
 * UTF-8 boundary. */
static int excerpt(const char *q, size_t s, size_t n)
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
        fail(p, pos, "'-' needs something to exclude from (column %zu)",
             pos + 1);
    else
        fail(p, pos, "NOT needs something to exclude from (column %zu)",
             pos + 1);
}

/* ---- nodes ----------------------------------------------------------- */

static qnode *node_new(parser *p, qkind kind, size_t pos)
{
    qnode *n = calloc(1, sizeof *n);
    if (!n) {
        nomem(p);
        return NULL;
    }
    n->kind = kind;
    n->pos = pos;
    return n;
}

static char *dup_span(parser *p, const char *s, size_t n)
{
    char *c = malloc(n + 1);
    if (!c) {
        nomem(p);
        return NULL;
    }
    memcpy(c, s, n);
    c[n] = '\0';
    return c;
}

void query_free(qnode *n)
{
    if (!n)
        return;
    free(n->text);
    for (size_t i = 0; i < n->n_words; i++)
        free(n->words[i]);
    free(n->words);
    for (size_t i = 0; i < n->n_kids; i++)
        query_free(n->kids[i]);
    free(n->kids);
    free(n);
}

/* Appends n (owned) to a; on failure n is freed. */
static int vec_push(parser *p, vec *a, qnode *n)
{
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 4;
        qnode **v = mem_rearray(a->v, cap, sizeof *v);
        if (!v) {
            query_free(n);
            nomem(p);
            return -1;
        }
        a->v = v;
        a->cap = cap;
    }
    a->v[a->n++] = n;
    return 0;
}

/* Appends n, or the kids of n when n is of kind flat (n's shell freed). */
static int vec_push_flat(parser *p, vec *a, qnode *n, qkind flat)
{
    if (n->kind != flat)
        return vec_push(p, a, n);
    for (size_t i = 0; i < n->n_kids; i++) {
        qnode *k = n->kids[i];
        n->kids[i] = NULL;
        if (vec_push(p, a, k) < 0) {
            query_free(n);
            return -1;
        }
    }
    query_free(n);
    return 0;
}

static void vec_free(vec *a)
{
    for (size_t i = 0; i < a->n; i++)
        query_free(a->v[i]);
    free(a->v);
    a->v = NULL;
    a->n = a->cap = 0;
}

/* A node of kind over the nodes of a (taken; a is left empty). */
static qnode *vec_node(parser *p, vec *a, qkind kind, size_t pos)
{
    qnode *n = node_new(p, kind, pos);
    if (!n) {
        vec_free(a);
        return NULL;
    }
    n->kids = a->v;
    n->n_kids = a->n;
    a->v = NULL;
    a->n = a->cap = 0;
    return n;
}

static int units_push(parser *p, units *u, qnode *n, int plus, int joined)
{
    if (u->n == u->cap) {
        size_t cap = u->cap ? u->cap * 2 : 8;
        unit *v = mem_rearray(u->v, cap, sizeof *v);
        if (!v) {
            query_free(n);
            nomem(p);
            return -1;
        }
        u->v = v;
        u->cap = cap;
    }
    u->v[u->n].n = n;
    u->v[u->n].plus = plus;
    u->v[u->n].joined = joined;
    u->n++;
    return 0;
}

static void units_free(units *u)
{
    for (size_t i = 0; i < u->n; i++)
        query_free(u->v[i].n);
    free(u->v);
    u->v = NULL;
    u->n = u->cap = 0;
}

/* ---- bytes and runs -------------------------------------------------- */

static int is_space(unsigned char c) { return c <= 0x20 || c == 0x7F; }

/* Bytes of the quote character at q[i] (", U+201C or U+201D), or 0. */
static size_t quote_len(const parser *p, size_t i)
{
    const unsigned char *s = (const unsigned char *)p->q;
    if (i >= p->len)
        return 0;
    if (s[i] == '"')
        return 1;
    if (s[i] == 0xE2 && i + 2 < p->len && s[i + 1] == 0x80 &&
        (s[i + 2] == 0x9C || s[i + 2] == 0x9D))
        return 3;
    return 0;
}

static int is_stop(const parser *p, size_t i)
{
    unsigned char c = (unsigned char)p->q[i];
    return i >= p->len || is_space(c) || c == '(' || c == ')' ||
           quote_len(p, i);
}

static size_t run_end(const parser *p, size_t i)
{
    while (!is_stop(p, i))
        i++;
    return i;
}

/* 1 when q[s, s+n) holds at least one word for the tokenizer. */
static int has_term(const parser *p, size_t s, size_t n)
{
    tokenizer t;
    token k;
    tokenizer_init(&t, p->q + s, n);
    return tokenizer_next(&t, &k);
}

static size_t count_chars(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += ((unsigned char)s[i] & 0xC0) != 0x80;
    return c;
}

static int is_alpha(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

/* The field named q[s, s+n), case-insensitively: a qfield, FIELD_DATE, or
 * -1 when unknown. */
static int field_id(const char *s, size_t n)
{
    static const struct {
        const char *name;
        int id;
    } names[] = {
        { "title", QF_TITLE }, { "source", QF_SOURCE },
        { "tag", QF_TAG },     { "date", FIELD_DATE },
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strlen(names[i].name) == n &&
            strncasecmp(names[i].name, s, n) == 0)
            return names[i].id;
    return -1;
}

/* ---- dates ----------------------------------------------------------- */

static int days_in_month(int64_t y, unsigned m)
{
    static const unsigned char dm[12] = { 31, 28, 31, 30, 31, 30,
                                          31, 31, 30, 31, 30, 31 };
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dm[m - 1];
}

/* Up to two digits at q[*i] into *v; 0 when there are none or three. */
static int two_digits(const char *q, size_t *i, size_t end, unsigned *v)
{
    size_t k = *i;
    unsigned x = 0;
    while (k < end && is_digit((unsigned char)q[k]) && k - *i < 3)
        x = x * 10 + (unsigned)(q[k++] - '0');
    if (k == *i || k - *i > 2)
        return 0;
    *i = k;
    *v = x;
    return 1;
}

/* One end of a date value, q[s, e): YYYY, YYYY-M[M] or YYYY-M[M]-D[D];
 * the first and last second of the period it names. */
static int date_end(const char *q, size_t s, size_t e, int64_t *from,
                    int64_t *to)
{
    size_t i = s;
    int64_t y = 0;
    unsigned m = 0, d = 0;
    for (int k = 0; k < 4; k++, i++) {
        if (i >= e || !is_digit((unsigned char)q[i]))
            return 0;
        y = y * 10 + (q[i] - '0');
    }
    if (i < e) {
        if (q[i++] != '-' || !two_digits(q, &i, e, &m) || m < 1 || m > 12)
            return 0;
        if (i < e) {
            if (q[i++] != '-' || !two_digits(q, &i, e, &d) || d < 1 ||
                d > (unsigned)days_in_month(y, m))
                return 0;
        }
    }
    if (i != e)
        return 0;
    unsigned m0 = m ? m : 1, d0 = d ? d : 1;
    unsigned m1 = m ? m : 12;
    unsigned d1 = d ? d : (unsigned)days_in_month(y, m1);
    *from = date_days_from_civil(y, m0, d0) * 86400;
    *to = date_days_from_civil(y, m1, d1) * 86400 + 86399;
    return 1;
}

/* The value of date: at q[s, e) into a T_DATE token. */
static void lex_date(parser *p, tok *t, size_t s, size_t e)
{
    const char *q = p->q;
    size_t dots = e;
    for (size_t i = s; i + 1 < e; i++)
        if (q[i] == '.' && q[i + 1] == '.') {
            dots = i;
            break;
        }
    int64_t f, x;
    t->kind = T_DATE;
    t->from = INT64_MIN;
    t->to = INT64_MAX;
    if (dots == e) {
        if (!date_end(q, s, e, &t->from, &t->to))
            goto bad_whole;
        return;
    }
    if (dots == s && dots + 2 == e)
        goto bad_whole;
    if (dots > s && !date_end(q, s, dots, &t->from, &x)) {
        fail(p, s, "bad date '%.*s' at column %zu (dates look like "
                   "2022-01-05, 2022-01 or 2022)",
             excerpt(q, s, dots - s), &q[s], s + 1);
        t->kind = T_ERR;
        return;
    }
    if (dots + 2 < e && !date_end(q, dots + 2, e, &f, &t->to)) {
        fail(p, dots + 2, "bad date '%.*s' at column %zu (dates look "
                          "like 2022-01-05, 2022-01 or 2022)",
             excerpt(q, dots + 2, e - dots - 2), &q[dots + 2], dots + 3);
        t->kind = T_ERR;
        return;
    }
    if (t->from > t->to) {
        fail(p, s, "bad date range '%.*s' at column %zu: it starts after "
                   "it ends",
             excerpt(q, s, e - s), &q[s], s + 1);
        t->kind = T_ERR;
    }
    return;
bad_whole:
    fail(p, s, "bad date '%.*s' at column %zu (dates look like "
               "2022-01-05, 2022-01 or 2022; ranges A..B, ..B, A..)",
         excerpt(q, s, e - s), &q[s], s + 1);
    t->kind = T_ERR;
}

/* ---- lexer ----------------------------------------------------------- */

/* A quoted phrase opening at q[i]; it ends at the next quote of any of
 * the three kinds. */
static void lex_phrase(parser *p, tok *t, size_t i)
{
    size_t s = i + quote_len(p, i);
    size_t j = s;
    while (j < p->len && !quote_len(p, j))
        j++;
    if (j >= p->len) {
        fail(p, i, "unbalanced quote: the phrase opened at column %zu is "
                   "not closed",
             i + 1);
        t->kind = T_ERR;
        return;
    }
    t->kind = T_PHRASE;
    t->pos = i;
    t->start = s;
    t->len = j - s;
    p->at = j + quote_len(p, j);
}

/* The run q[s, s+n) as a word or prefix; 0 when it is noise. */
static int lex_word(parser *p, tok *t, size_t s, size_t n)
{
    size_t m = n;
    while (m > 0 && p->q[s + m - 1] == '*')
        m--;
    t->pos = s;
    t->start = s;
    if (m < n) {
        if (count_chars(p->q + s, m) < 2 || !has_term(p, s, m)) {
            fail(p, s, "a prefix needs at least 2 characters before '*' "
                       "(column %zu)",
                 s + 1);
            t->kind = T_ERR;
            return 1;
        }
        t->kind = T_PREFIX;
        t->len = m;
        return 1;
    }
    if (!has_term(p, s, n))
        return 0;
    t->kind = T_WORD;
    t->len = n;
    return 1;
}

/* NEAR or NEAR/n, the run q[s, e). */
static void lex_near(parser *p, tok *t, size_t s, size_t e)
{
    t->kind = T_NEAR;
    t->pos = s;
    if (e - s == 4) {
        t->near = NEAR_DEFAULT;
        return;
    }
    unsigned v = 0;
    size_t i = s + 5;
    for (; i < e && is_digit((unsigned char)p->q[i]) && i - s < 10; i++)
        v = v * 10 + (unsigned)(p->q[i] - '0');
    if (i == s + 5 || i != e || v < 1 || v > NEAR_MAX) {
        fail(p, s, "NEAR/n needs a distance n from 1 to %d (column %zu)",
             NEAR_MAX, s + 1);
        t->kind = T_ERR;
        return;
    }
    t->near = v;
}

/* The value right after a field's colon: a group, a phrase or a run
 * taken literally as a word or prefix (no operators, no fields). */
static void lex_value(parser *p, tok *t)
{
    size_t s = p->at;
    t->pos = s;
    if (p->q[s] == '(') {
        t->kind = T_LPAREN;
        p->at++;
        return;
    }
    if (quote_len(p, s)) {
        lex_phrase(p, t, s);
        return;
    }
    size_t e = run_end(p, s);
    p->at = e;
    if (!lex_word(p, t, s, e - s)) {
        size_t f = p->field_pos;
        fail(p, f, "field '%.*s' needs a word, phrase or group after the "
                   "colon (column %zu)",
             (int)(s - 1 - f), &p->q[f], f + 1);
        t->kind = T_ERR;
    }
}

static void lex(parser *p, tok *t)
{
    const char *q = p->q;
    memset(t, 0, sizeof *t);
    if (p->rc) {
        t->kind = T_ERR;
        return;
    }
    if (p->value_mode) {
        p->value_mode = 0;
        lex_value(p, t);
        return;
    }
    for (;;) {
        while (p->at < p->len && is_space((unsigned char)q[p->at]))
            p->at++;
        size_t s = p->at;
        t->pos = s;
        if (s >= p->len) {
            t->kind = T_END;
            return;
        }
        if (q[s] == '(' || q[s] == ')') {
            t->kind = q[s] == '(' ? T_LPAREN : T_RPAREN;
            p->at++;
            return;
        }
        if (quote_len(p, s)) {
            lex_phrase(p, t, s);
            return;
        }
        size_t e = run_end(p, s), n = e - s;
        if ((q[s] == '+' || q[s] == '-') &&
            (has_term(p, s, n) || q[e] == '(' || quote_len(p, e))) {
            t->kind = q[s] == '+' ? T_PLUS : T_MINUS;
            p->at++;
            return;
        }
        p->at = e;
        if (n == 3 && memcmp(q + s, "AND", 3) == 0) {
            t->kind = T_AND;
            return;
        }
        if (n == 2 && memcmp(q + s, "OR", 2) == 0) {
            t->kind = T_OR;
            return;
        }
        if (n == 3 && memcmp(q + s, "NOT", 3) == 0) {
            t->kind = T_NOT;
            return;
        }
        if (n >= 4 && memcmp(q + s, "NEAR", 4) == 0 &&
            (n == 4 || q[s + 4] == '/')) {
            lex_near(p, t, s, e);
            return;
        }
        size_t k = s;
        while (k < e && is_alpha((unsigned char)q[k]))
            k++;
        if (k > s && k < e && q[k] == ':') {
            int id = field_id(q + s, k - s);
            unsigned char v = (unsigned char)q[k + 1]; /* NUL at the end */
            if (id < 0 && (is_alpha(v) || is_digit(v) || v >= 0x80 ||
                           v == '"' || v == '(')) {
                fail(p, s, "unknown field '%.*s' at column %zu (fields: "
                           "title, source, tag, date)",
                     excerpt(q, s, k - s), &q[s], s + 1);
                t->kind = T_ERR;
                return;
            }
            if (id >= 0 && (k + 1 >= p->len || is_space(v) || v == ')')) {
                fail(p, s, "field '%.*s' needs a value right after the "
                           "colon (column %zu)",
                     (int)(k - s), &q[s], s + 1);
                t->kind = T_ERR;
                return;
            }
            if (id == FIELD_DATE) {
                size_t ve = run_end(p, k + 1);
                if (ve == k + 1) {
                    fail(p, s, "date: needs a date such as 2022-01-05 "
                               "right after the colon (column %zu)",
                         s + 1);
                    t->kind = T_ERR;
                    return;
                }
                p->at = ve;
                lex_date(p, t, k + 1, ve);
                t->pos = s;
                return;
            }
            if (id >= 0) {
                t->kind = T_FIELD;
                t->field = (qfield)id;
                p->at = k + 1;
                p->value_mode = 1;
                p->field_pos = s;
                return;
            }
        }
        if (lex_word(p, t, s, n))
            return;
        /* noise: a run without any word, such as "-" or "&"; skip it */
    }
}

static tok *peek(parser *p)
{
    if (!p->have) {
        lex(p, &p->cur);
        p->have = 1;
    }
    return &p->cur;
}

static tok take(parser *p)
{
    tok t = *peek(p);
    p->have = 0;
    return t;
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
    tok *t = peek(p);
    if (t->kind == T_ERR)
        return 0;
    if (starts_operand(t->kind))
        return 1;
    fail(p, pos, "%s needs something on its right (column %zu)", op,
         pos + 1);
    return 0;
}

/* ---- parser ---------------------------------------------------------- */

static int enter(parser *p, size_t pos)
{
    if (++p->depth > QMAX_DEPTH) {
        fail(p, pos, "the query nests deeper than %d levels (column %zu)",
             QMAX_DEPTH, pos + 1);
        return 0;
    }
    return 1;
}

static int parse_list(parser *p, qfield field, units *out);
static qnode *build_and(parser *p, unit *u, size_t n);

static qnode *leaf_text(parser *p, qkind kind, qfield field, const tok *t)
{
    qnode *n = node_new(p, kind, t->pos);
    if (!n)
        return NULL;
    n->field = field;
    n->text = dup_span(p, p->q + t->start, t->len);
    if (!n->text) {
        query_free(n);
        return NULL;
    }
    return n;
}

/* A quoted phrase: Q_PHRASE of its words, or for source:/tag: one whole
 * value (a Q_WORD, spaces collapsed). Noise words are dropped. */
static qnode *make_phrase(parser *p, qfield field, const tok *t)
{
    const char *q = p->q;
    size_t s = t->start, e = t->start + t->len;
    if (field == QF_SOURCE || field == QF_TAG) {
        if (!has_term(p, s, t->len)) {
            fail(p, t->pos, "empty value at column %zu", t->pos + 1);
            return NULL;
        }
        qnode *n = node_new(p, Q_WORD, t->pos);
        char *c = n ? malloc(t->len + 1) : NULL;
        if (!c) {
            query_free(n);
            nomem(p);
            return NULL;
        }
        size_t k = 0;
        for (size_t i = s; i < e; i++) {
            if (!is_space((unsigned char)q[i]))
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
    if (!n)
        return NULL;
    n->field = field;
    size_t cap = 0;
    for (size_t i = s; i < e;) {
        while (i < e && is_space((unsigned char)q[i]))
            i++;
        size_t w = i;
        while (i < e && !is_space((unsigned char)q[i]))
            i++;
        if (i == w || !has_term(p, w, i - w))
            continue;
        if (n->n_words == cap) {
            cap = cap ? cap * 2 : 4;
            char **v = mem_rearray(n->words, cap, sizeof *v);
            if (!v) {
                query_free(n);
                nomem(p);
                return NULL;
            }
            n->words = v;
        }
        n->words[n->n_words] = dup_span(p, q + w, i - w);
        if (!n->words[n->n_words]) {
            query_free(n);
            return NULL;
        }
        n->n_words++;
    }
    if (n->n_words == 0) {
        query_free(n);
        fail(p, t->pos, "empty phrase at column %zu", t->pos + 1);
        return NULL;
    }
    return n;
}

/* '(' list ')' with field applied to what is inside. */
static qnode *parse_group(parser *p, qfield field)
{
    tok open = take(p);
    if (!enter(p, open.pos))
        return NULL;
    units u = { 0 };
    if (parse_list(p, field, &u) < 0) {
        units_free(&u);
        return NULL;
    }
    tok *t = peek(p);
    if (t->kind != T_RPAREN) {
        units_free(&u);
        if (t->kind != T_ERR)
            fail(p, open.pos, "unbalanced parenthesis at column %zu: this "
                              "'(' is never closed",
                 open.pos + 1);
        return NULL;
    }
    take(p);
    if (u.n == 0) {
        units_free(&u);
        fail(p, open.pos, "empty parentheses at column %zu", open.pos + 1);
        return NULL;
    }
    qnode *n = build_and(p, u.v, u.n);
    free(u.v);
    p->depth--;
    return n;
}

/* *bare is set when the primary was a plain word (a NEAR operand). */
static qnode *parse_primary(parser *p, qfield field, int *bare)
{
    tok t = *peek(p);
    *bare = 0;
    if (t.kind == T_FIELD) {
        take(p);
        field = t.field;
        t = *peek(p); /* lexed as the field's value */
        if (t.kind == T_ERR)
            return NULL;
    } else if (t.kind == T_WORD) {
        *bare = 1;
    }
    switch (t.kind) {
    case T_WORD:
        take(p);
        return leaf_text(p, Q_WORD, field, &t);
    case T_PREFIX:
        take(p);
        return leaf_text(p, Q_PREFIX, field, &t);
    case T_PHRASE:
        take(p);
        return make_phrase(p, field, &t);
    case T_LPAREN:
        return parse_group(p, field);
    case T_DATE: {
        take(p);
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
        fail(p, t.pos, "expected a word, phrase or group at column %zu",
             t.pos + 1);
        return NULL;
    }
}

/* primary ( NEAR[/n] WORD )* */
static qnode *parse_near(parser *p, qfield field)
{
    int bare;
    qnode *left = parse_primary(p, field, &bare);
    if (!left || peek(p)->kind != T_NEAR)
        return left;
    tok op = *peek(p);
    if (!bare) {
        query_free(left);
        fail(p, op.pos, "NEAR needs a plain word on each side (column "
                        "%zu); for a field write title:(a NEAR b)",
             op.pos + 1);
        return NULL;
    }
    if (field == QF_SOURCE || field == QF_TAG) {
        query_free(left);
        fail(p, op.pos, "NEAR cannot join source: or tag: values (column "
                        "%zu)",
             op.pos + 1);
        return NULL;
    }
    qnode *n = node_new(p, Q_NEAR, left->pos);
    if (!n) {
        query_free(left);
        return NULL;
    }
    n->field = field;
    n->near = NEAR_MAX;
    size_t cap = 4;
    n->words = mem_array(cap, sizeof *n->words);
    if (!n->words) {
        query_free(left);
        query_free(n);
        nomem(p);
        return NULL;
    }
    n->words[n->n_words++] = left->text;
    left->text = NULL;
    query_free(left);
    while (peek(p)->kind == T_NEAR) {
        op = take(p);
        if (op.near < n->near)
            n->near = op.near;
        tok *w = peek(p);
        if (w->kind != T_WORD) {
            if (w->kind != T_ERR)
                fail(p, op.pos, "NEAR needs a plain word on each side "
                                "(column %zu)",
                     op.pos + 1);
            query_free(n);
            return NULL;
        }
        if (n->n_words == cap) {
            cap *= 2;
            char **v = mem_rearray(n->words, cap, sizeof *v);
            if (!v) {
                query_free(n);
                nomem(p);
                return NULL;
            }
            n->words = v;
        }
        tok wt = take(p);
        n->words[n->n_words] = dup_span(p, p->q + wt.start, wt.len);
        if (!n->words[n->n_words]) {
            query_free(n);
            return NULL;
        }
        n->n_words++;
    }
    return n;
}

static qnode *make_not(parser *p, qnode *kid, size_t pos)
{
    if (kid->kind == Q_NOT) {
        size_t at = kid->pos;
        query_free(kid);
        not_error(p, at);
        return NULL;
    }
    qnode *n = node_new(p, Q_NOT, pos);
    if (!n) {
        query_free(kid);
        return NULL;
    }
    n->kids = malloc(sizeof *n->kids);
    if (!n->kids) {
        query_free(kid);
        query_free(n);
        nomem(p);
        return NULL;
    }
    n->kids[0] = kid;
    n->n_kids = 1;
    return n;
}

/* ('+' | '-') signed | near; *plus is set by a '+'. */
static qnode *parse_signed(parser *p, qfield field, int *plus)
{
    tok *t = peek(p);
    if (t->kind == T_NOT) {
        not_error(p, t->pos);
        return NULL;
    }
    if (t->kind != T_PLUS && t->kind != T_MINUS)
        return parse_near(p, field);
    tok op = take(p);
    if (!enter(p, op.pos))
        return NULL;
    const char *name = op.kind == T_PLUS ? "'+'" : "'-'";
    if (!need_operand(p, name, op.pos))
        return NULL;
    int inner_plus = 0;
    qnode *kid = parse_signed(p, field, &inner_plus);
    p->depth--;
    if (!kid)
        return NULL;
    if (op.kind == T_PLUS) {
        *plus = 1 | inner_plus;
        return kid;
    }
    return make_not(p, kid, op.pos);
}

/* signed ( OR signed )*; a '+' inside an OR has no effect. */
static qnode *parse_or(parser *p, qfield field, int *plus)
{
    qnode *left = parse_signed(p, field, plus);
    if (!left || peek(p)->kind != T_OR)
        return left;
    vec a = { 0 };
    size_t pos = left->pos;
    *plus = 0;
    if (left->kind == Q_NOT) {
        not_error(p, left->pos);
        query_free(left);
        return NULL;
    }
    if (vec_push_flat(p, &a, left, Q_OR) < 0)
        return NULL;
    while (peek(p)->kind == T_OR) {
        tok op = take(p);
        int ignored = 0;
        if (!need_operand(p, "OR", op.pos)) {
            vec_free(&a);
            return NULL;
        }
        qnode *k = parse_signed(p, field, &ignored);
        if (!k) {
            vec_free(&a);
            return NULL;
        }
        if (k->kind == Q_NOT) {
            not_error(p, k->pos);
            query_free(k);
            vec_free(&a);
            return NULL;
        }
        if (vec_push_flat(p, &a, k, Q_OR) < 0) {
            vec_free(&a);
            return NULL;
        }
    }
    return vec_node(p, &a, Q_OR, pos);
}

/* NOT orexpr | orexpr */
static qnode *parse_unit(parser *p, qfield field, int *plus)
{
    if (peek(p)->kind != T_NOT)
        return parse_or(p, field, plus);
    tok op = take(p);
    if (!enter(p, op.pos))
        return NULL;
    if (!need_operand(p, "NOT", op.pos))
        return NULL;
    qnode *kid = parse_or(p, field, plus);
    p->depth--;
    if (!kid)
        return NULL;
    return make_not(p, kid, op.pos);
}

/* unit ( [AND] unit )* up to ')' or the end, into out. */
static int parse_list(parser *p, qfield field, units *out)
{
    int joined = 0;
    for (;;) {
        tok *t = peek(p);
        switch (t->kind) {
        case T_END:
        case T_RPAREN:
            return 0;
        case T_ERR:
            return -1;
        case T_AND: {
            tok op = take(p);
            if (out->n == 0 || joined) {
                fail(p, op.pos, "AND needs something on its left (column "
                                "%zu)",
                     op.pos + 1);
                return -1;
            }
            if (!need_operand(p, "AND", op.pos))
                return -1;
            joined = 1;
            continue;
        }
        case T_OR:
            fail(p, t->pos, "OR needs something on its left (column %zu)",
                 t->pos + 1);
            return -1;
        case T_NEAR:
            fail(p, t->pos, "NEAR needs a plain word on each side (column "
                            "%zu)",
                 t->pos + 1);
            return -1;
        default:
            break;
        }
        int plus = 0;
        qnode *n = parse_unit(p, field, &plus);
        if (!n || units_push(p, out, n, plus, joined) < 0)
            return -1;
        joined = 0;
    }
}

static int positive(const qnode *n) { return n->kind != Q_NOT; }

/* The AND of u[0..n) (taken), flattened; n == 1 gives the unit itself.
 * At least one unit must be positive. */
static qnode *build_and(parser *p, unit *u, size_t n)
{
    size_t i;
    for (i = 0; i < n && !positive(u[i].n); i++)
        ;
    if (i == n) {
        not_error(p, u[0].n->pos);
        for (i = 0; i < n; i++)
            query_free(u[i].n);
        return NULL;
    }
    if (n == 1)
        return u[0].n;
    vec a = { 0 };
    size_t pos = u[0].n->pos;
    for (i = 0; i < n; i++) {
        qnode *k = u[i].n;
        u[i].n = NULL;
        if (vec_push_flat(p, &a, k, Q_AND) < 0) {
            for (i++; i < n; i++)
                query_free(u[i].n);
            vec_free(&a);
            return NULL;
        }
    }
    return vec_node(p, &a, Q_AND, pos);
}

/* One node out of a (taken): its only node, or an OR of them (flat). */
static qnode *or_of(parser *p, vec *a, size_t pos)
{
    if (a->n == 1) {
        qnode *n = a->v[0];
        free(a->v);
        a->v = NULL;
        a->n = a->cap = 0;
        return n;
    }
    vec b = { 0 };
    for (size_t i = 0; i < a->n; i++) {
        qnode *n = a->v[i];
        a->v[i] = NULL;
        if (vec_push_flat(p, &b, n, Q_OR) < 0) {
            vec_free(a);
            vec_free(&b);
            return NULL;
        }
    }
    vec_free(a);
    return vec_node(p, &b, Q_OR, pos);
}

/* 1 when n holds no text to score, only dates: a filter. */
static int is_filter(const qnode *n)
{
    if (n->kind == Q_DATE)
        return 1;
    if (n->kind != Q_AND && n->kind != Q_OR && n->kind != Q_NOT)
        return 0;
    for (size_t i = 0; i < n->n_kids; i++)
        if (!is_filter(n->kids[i]))
            return 0;
    return 1;
}

/* Any-mode top level. Items are chains of units linked by explicit AND.
 * A chain with a '+' unit, with only negative units or with only date
 * filters is required: its units join R. Other chains are optional (O).
 * With "positive" meaning a required unit that is neither negative nor a
 * filter:
 *   R empty                     -> OR(O)
 *   R has no positive, O empty  -> AND(R) (dates alone; else an error)
 *   R has no positive           -> AND(OR(O), R...)
 *   R has a positive, O empty   -> AND(R)
 *   otherwise                   -> MAYBE(AND(R), O...)
 * where a one-element AND or OR is that element. The kids of a MAYBE are
 * the optional items as typed: an item "a OR date:2022" stays one OR, as
 * the date printed alone at the top level would read back as a filter. */
static qnode *build_any(parser *p, unit *u, size_t n)
{
    vec req = { 0 }, opt = { 0 };
    int req_positive = 0;
    size_t first_neg = 0, pos = u[0].n->pos, i = 0;
    int have_neg = 0;
    while (i < n) {
        size_t j = i + 1;
        while (j < n && u[j].joined)
            j++;
        int plus = 0, allneg = 1, filters = 1;
        for (size_t k = i; k < j; k++) {
            plus |= u[k].plus;
            allneg &= !positive(u[k].n);
            filters &= is_filter(u[k].n);
        }
        if (plus || allneg || filters) {
            for (size_t k = i; k < j; k++) {
                qnode *m = u[k].n;
                u[k].n = NULL;
                if (positive(m) && !is_filter(m))
                    req_positive = 1;
                else if (!positive(m) && !have_neg) {
                    have_neg = 1;
                    first_neg = m->pos;
                }
                if (vec_push_flat(p, &req, m, Q_AND) < 0)
                    goto fail;
            }
        } else {
            qnode *m = build_and(p, u + i, j - i);
            for (size_t k = i; k < j; k++)
                u[k].n = NULL;
            if (!m || vec_push(p, &opt, m) < 0)
                goto fail;
        }
        i = j;
    }
    if (!req_positive) {
        if (req.n == 0)
            return or_of(p, &opt, pos);
        if (opt.n == 0) {
            size_t k;
            for (k = 0; k < req.n && !positive(req.v[k]); k++)
                ;
            if (k == req.n) {
                vec_free(&req);
                not_error(p, first_neg);
                return NULL;
            }
            return req.n == 1 ? or_of(p, &req, pos) /* its only node */
                              : vec_node(p, &req, Q_AND, pos);
        }
        vec all = { 0 };
        qnode *base = or_of(p, &opt, pos);
        if (!base || vec_push_flat(p, &all, base, Q_AND) < 0) {
            vec_free(&req);
            vec_free(&all);
            return NULL;
        }
        for (size_t k = 0; k < req.n; k++) {
            qnode *m = req.v[k];
            req.v[k] = NULL;
            if (vec_push(p, &all, m) < 0) {
                vec_free(&req);
                vec_free(&all);
                return NULL;
            }
        }
        vec_free(&req);
        return vec_node(p, &all, Q_AND, pos);
    }
    qnode *k0;
    if (req.n == 1) {
        k0 = req.v[0];
        free(req.v);
        req.v = NULL;
        req.n = req.cap = 0;
    } else {
        k0 = vec_node(p, &req, Q_AND, req.v[0]->pos);
    }
    if (!k0) {
        vec_free(&opt);
        return NULL;
    }
    if (opt.n == 0)
        return k0;
    vec all = { 0 };
    if (vec_push(p, &all, k0) < 0) {
        vec_free(&opt);
        return NULL;
    }
    for (size_t k = 0; k < opt.n; k++) {
        qnode *m = opt.v[k];
        opt.v[k] = NULL;
        if (vec_push(p, &all, m) < 0) {
            vec_free(&opt);
            vec_free(&all);
            return NULL;
        }
    }
    vec_free(&opt);
    return vec_node(p, &all, Q_MAYBE, pos);
fail:
    for (size_t k = 0; k < n; k++)
        query_free(u[k].n);
    vec_free(&req);
    vec_free(&opt);
    return NULL;
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

int query_parse(const char *q, unsigned flags, qnode **out, char *err,
                size_t err_len, size_t *err_pos)
{
    parser p;
    memset(&p, 0, sizeof p);
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

    units u = { 0 };
    qnode *root = NULL;
    if (parse_list(&p, QF_ANY, &u) == 0) {
        tok *t = peek(&p);
        if (t->kind == T_RPAREN)
            fail(&p, t->pos, "unbalanced parenthesis at column %zu: this "
                             "')' has no '('",
                 t->pos + 1);
        else if (u.n == 0)
            fail(&p, 0, "the query has no words");
    }
    if (p.rc) {
        units_free(&u);
        if (err_pos)
            *err_pos = p.err_pos;
        return p.rc;
    }
    root = (flags & QUERY_ANY) ? build_any(&p, u.v, u.n)
                               : build_and(&p, u.v, u.n);
    free(u.v);
    if (root) {
        const qnode *d = too_deep(root, 1, QMAX_DEPTH);
        if (d)
            fail(&p, d->pos, "the query nests deeper than %d levels "
                             "(column %zu)",
                 QMAX_DEPTH, d->pos + 1);
    }
    if (p.rc) {
        query_free(root);
        if (err_pos)
            *err_pos = p.err_pos;
        return p.rc;
    }
    *out = root;
    return MORGUE_OK;
}

/* ---- printing and comparing ------------------------------------------ */

static void put_field(buf *out, qfield f)
{
    static const char *names[] = { "", "title:", "source:", "tag:" };
    if ((unsigned)f < 4)
        buf_puts(out, names[f]);
}

/* 1 when a source:/tag: value can be written without quotes: it then
 * lexes back as the same single word. */
static int bare_value(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || s[n - 1] == '*')
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (is_space(c) || c == '(' || c == ')' || c == '"')
            return 0;
        if (c == 0xE2 && (unsigned char)s[i + 1] == 0x80 &&
            ((unsigned char)s[i + 2] == 0x9C ||
             (unsigned char)s[i + 2] == 0x9D))
            return 0;
    }
    return 1;
}

static void put_day(buf *out, int64_t secs)
{
    char d[32];
    civil_format_day(secs, d);
    buf_puts(out, d);
}

/* date:2022, date:2022-01, date:2022-01-05 when from..to is exactly that
 * period; otherwise date:A..B with day precision at each end. */
static void print_date(const qnode *n, buf *out)
{
    buf_puts(out, "date:");
    if (n->from != INT64_MIN && n->to != INT64_MAX) {
        int64_t y0, y1;
        unsigned m0, d0, m1, d1;
        civil_from_secs(n->from, &y0, &m0, &d0);
        civil_from_secs(n->to, &y1, &m1, &d1);
        int exact = n->from % 86400 == 0 && (n->to + 1) % 86400 == 0;
        if (exact && y0 == y1 && m0 == 1 && d0 == 1 && m1 == 12 &&
            d1 == 31) {
            buf_printf(out, "%04lld", (long long)y0);
            return;
        }
        if (exact && y0 == y1 && m0 == m1 && d0 == 1 &&
            d1 == (unsigned)days_in_month(y1, m1)) {
            buf_printf(out, "%04lld-%02u", (long long)y0, m0);
            return;
        }
        if (exact && y0 == y1 && m0 == m1 && d0 == d1) {
            put_day(out, n->from);
            return;
        }
    }
    if (n->from != INT64_MIN)
        put_day(out, n->from);
    buf_puts(out, "..");
    if (n->to != INT64_MAX)
        put_day(out, n->to);
}

static void print_node(const qnode *n, buf *out)
{
    switch (n->kind) {
    case Q_WORD:
        put_field(out, n->field);
        if ((n->field == QF_SOURCE || n->field == QF_TAG) &&
            !bare_value(n->text ? n->text : "")) {
            buf_putc(out, '"');
            buf_puts(out, n->text ? n->text : "");
            buf_putc(out, '"');
        } else {
            buf_puts(out, n->text ? n->text : "");
        }
        break;
    case Q_PREFIX:
        put_field(out, n->field);
        buf_puts(out, n->text ? n->text : "");
        buf_putc(out, '*');
        break;
    case Q_PHRASE:
        put_field(out, n->field);
        buf_putc(out, '"');
        for (size_t i = 0; i < n->n_words; i++) {
            if (i)
                buf_putc(out, ' ');
            buf_puts(out, n->words[i]);
        }
        buf_putc(out, '"');
        break;
    case Q_NEAR:
        put_field(out, n->field);
        buf_putc(out, '(');
        for (size_t i = 0; i < n->n_words; i++) {
            if (i)
                buf_printf(out, " NEAR/%u ", n->near);
            buf_puts(out, n->words[i]);
        }
        buf_putc(out, ')');
        break;
    case Q_DATE:
        print_date(n, out);
        break;
    case Q_AND:
    case Q_OR:
        buf_putc(out, '(');
        for (size_t i = 0; i < n->n_kids; i++) {
            if (i)
                buf_puts(out, n->kind == Q_AND ? " AND " : " OR ");
            print_node(n->kids[i], out);
        }
        buf_putc(out, ')');
        break;
    case Q_NOT:
        buf_puts(out, "NOT ");
        if (n->n_kids)
            print_node(n->kids[0], out);
        break;
    case Q_MAYBE: {
        /* +required -excluded optional...: reads back so in any-mode */
        const qnode *k0 = n->n_kids ? n->kids[0] : NULL;
        size_t nk = k0 && k0->kind == Q_AND ? k0->n_kids : k0 ? 1 : 0;
        for (size_t i = 0; i < nk; i++) {
            const qnode *k = k0->kind == Q_AND ? k0->kids[i] : k0;
            if (i)
                buf_putc(out, ' ');
            if (k->kind == Q_NOT && k->n_kids) {
                buf_putc(out, '-');
                print_node(k->kids[0], out);
            } else {
                buf_putc(out, '+');
                print_node(k, out);
            }
        }
        for (size_t i = 1; i < n->n_kids; i++) {
            buf_putc(out, ' ');
            print_node(n->kids[i], out);
        }
        break;
    }
    }
}

void query_print(const qnode *n, buf *out)
{
    if (n)
        print_node(n, out);
}

static int str_eq(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

int query_equal(const qnode *a, const qnode *b)
{
    if (!a || !b)
        return a == b;
    if (a->kind != b->kind || a->field != b->field ||
        !str_eq(a->text, b->text) || a->n_words != b->n_words ||
        a->n_kids != b->n_kids)
        return 0;
    if (a->kind == Q_NEAR && a->near != b->near)
        return 0;
    if (a->kind == Q_DATE && (a->from != b->from || a->to != b->to))
        return 0;
    for (size_t i = 0; i < a->n_words; i++)
        if (!str_eq(a->words[i], b->words[i]))
            return 0;
    for (size_t i = 0; i < a->n_kids; i++)
        if (!query_equal(a->kids[i], b->kids[i]))
            return 0;
    return 1;
}
