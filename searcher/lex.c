/* lex.c: the strict grammar's tokens (query.h gives the language). A run
 * is a maximal stretch of bytes without ASCII space or control, '(', ')'
 * or a quote (" or the curly U+201C U+201D). A run is, first match wins:
 * '+'/'-' at its start (an operator when the run holds a word or is
 * followed by '(' or a quote), AND, OR, NOT, NEAR or NEAR/n, a field
 * (letters, ':', then a value), a prefix (ends in '*'), a word (holds at
 * least one term for text/tokenize.h) or noise (no term, such as "-" or
 * "&"), which is dropped. Runs are never split otherwise: "12:30" and
 * "http://x" stay whole words for the planner to tokenize. Dates (the
 * value of date:) are read here too, into the period they name. */
#include <string.h>
#include <strings.h>

#include "util/dates.h"
#include "morgue.h"
#include "searcher/parse_int.h"
#include "text/tokenize.h"

/* ---- bytes and runs -------------------------------------------------- */

size_t lex_quote_len(const parser *p, size_t i)
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
    return i >= p->len || q_is_space(c) || c == '(' || c == ')' ||
           lex_quote_len(p, i);
}

static size_t run_end(const parser *p, size_t i)
{
    while (!is_stop(p, i))
        i++;
    return i;
}

int lex_has_term(const parser *p, size_t s, size_t n)
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
        { "lang", QF_LANG },
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strlen(names[i].name) == n &&
            strncasecmp(names[i].name, s, n) == 0)
            return names[i].id;
    return -1;
}

/* ---- dates ----------------------------------------------------------- */

/* One end of a date value, q[s, e): a period (util/dates.h). */
static int date_end(const char *q, size_t s, size_t e, int64_t now,
                    int64_t *from, int64_t *to)
{
    return date_period(q + s, e - s, now, from, to);
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
        if (!date_end(q, s, e, p->now, &t->from, &t->to))
            goto bad_whole;
        return;
    }
    if (dots == s && dots + 2 == e)
        goto bad_whole;
    if (dots > s && !date_end(q, s, dots, p->now, &t->from, &x)) {
        parse_fail(p, s, "bad date '%.*s' at column %zu (dates look like "
                   "2022-01-05, 2022-01 or 2022)",
             parse_excerpt(q, s, dots - s), &q[s], s + 1);
        t->kind = T_ERR;
        return;
    }
    if (dots + 2 < e && !date_end(q, dots + 2, e, p->now, &f, &t->to)) {
        parse_fail(p, dots + 2, "bad date '%.*s' at column %zu (dates look "
                          "like 2022-01-05, 2022-01 or 2022)",
             parse_excerpt(q, dots + 2, e - dots - 2), &q[dots + 2], dots + 3);
        t->kind = T_ERR;
        return;
    }
    if (t->from > t->to) {
        parse_fail(p, s, "bad date range '%.*s' at column %zu: it starts after "
                   "it ends",
             parse_excerpt(q, s, e - s), &q[s], s + 1);
        t->kind = T_ERR;
    }
    return;
bad_whole:
    parse_fail(p, s, "bad date '%.*s' at column %zu (dates look like "
               "2022-01-05, 2022-01 or 2022; ranges A..B, ..B, A..)",
         parse_excerpt(q, s, e - s), &q[s], s + 1);
    t->kind = T_ERR;
}

/* ---- lexer ----------------------------------------------------------- */

/* A quoted phrase opening at q[i]; it ends at the next quote of any of
 * the three kinds. */
static void lex_phrase(parser *p, tok *t, size_t i)
{
    size_t s = i + lex_quote_len(p, i);
    size_t j = s;
    while (j < p->len && !lex_quote_len(p, j))
        j++;
    if (j >= p->len) {
        parse_fail(p, i, "unbalanced quote: the phrase opened at column %zu is "
                   "not closed",
             i + 1);
        t->kind = T_ERR;
        return;
    }
    t->kind = T_PHRASE;
    t->pos = i;
    t->start = s;
    t->len = j - s;
    p->at = j + lex_quote_len(p, j);
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
        if (count_chars(p->q + s, m) < 2 || !lex_has_term(p, s, m)) {
            parse_fail(p, s, "a prefix needs at least 2 characters before '*' "
                       "(column %zu)",
                 s + 1);
            t->kind = T_ERR;
            return 1;
        }
        t->kind = T_PREFIX;
        t->len = m;
        return 1;
    }
    if (!lex_has_term(p, s, n))
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
        parse_fail(p, s, "NEAR/n needs a distance n from 1 to %d (column %zu)",
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
    if (lex_quote_len(p, s)) {
        lex_phrase(p, t, s);
        return;
    }
    size_t e = run_end(p, s);
    p->at = e;
    if (!lex_word(p, t, s, e - s)) {
        size_t f = p->field_pos;
        parse_fail(p, f, "field '%.*s' needs a word, phrase or group after the "
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
        while (p->at < p->len && q_is_space((unsigned char)q[p->at]))
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
        if (lex_quote_len(p, s)) {
            lex_phrase(p, t, s);
            return;
        }
        size_t e = run_end(p, s), n = e - s;
        if ((q[s] == '+' || q[s] == '-') &&
            (lex_has_term(p, s, n) || q[e] == '(' || lex_quote_len(p, e))) {
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
                parse_fail(p, s, "unknown field '%.*s' at column %zu (fields: "
                           "title, source, tag, date, lang)",
                     parse_excerpt(q, s, k - s), &q[s], s + 1);
                t->kind = T_ERR;
                return;
            }
            if (id >= 0 && (k + 1 >= p->len || q_is_space(v) || v == ')')) {
                parse_fail(p, s, "field '%.*s' needs a value right after the "
                           "colon (column %zu)",
                     (int)(k - s), &q[s], s + 1);
                t->kind = T_ERR;
                return;
            }
            if (id == FIELD_DATE) {
                size_t ve = run_end(p, k + 1);
                if (ve == k + 1) {
                    parse_fail(p, s, "date: needs a date such as 2022-01-05 "
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

tok *lex_peek(parser *p)
{
    if (!p->have) {
        lex(p, &p->cur);
        p->have = 1;
    }
    return &p->cur;
}

tok lex_take(parser *p)
{
    tok t = *lex_peek(p);
    p->have = 0;
    return t;
}
