/* print.c: a query tree back to text that the grammar which made it
 * reads into an equal tree (fully parenthesised, quoted where needed), and
 * tree equality. */
#include <string.h>

#include "searcher/parse_int.h"
#include "util/civil.h"
#include "util/dates.h"

static void put_field(buf *out, qfield f)
{
    static const char *names[] = { "", "title:", "source:", "tag:",
                                   "lang:" };
    if ((unsigned)f < 5)
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
        if (q_is_space(c) || c == '(' || c == ')' || c == '"')
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
            d1 == (unsigned)date_days_in_month(y1, m1)) {
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
    case Q_TEXT: /* natural language: reads back so with QUERY_NATURAL */
        for (size_t i = 0; i < n->n_kids; i++) {
            if (i)
                buf_putc(out, ' ');
            print_node(n->kids[i], out);
        }
        break;
    case Q_MAYBE: /* the planner's; the parser never makes one */
        break;
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
