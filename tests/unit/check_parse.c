/* check_parse.c: the query language of searcher/parse.c: every construct
 * by its canonical print, precedence, fields, natural language, dates to the
 * second, every error with its position, print/parse round trips, random
 * token soups, deep nesting, long queries and allocation failures. */
#include "check_main.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "util/dates.h"
#include "morgue.h"
#include "searcher/query.h"
#include "shapes.h"

#define ANY QUERY_NATURAL
#define DAY(y, m, d) (date_days_from_civil((y), (m), (d)) * INT64_C(86400))

/* ---- helpers --------------------------------------------------------- */

/* The shape parse.c promises the evaluator (also fuzz/fuzz_query.c). */
static int shape_ok(const qnode *n, const qnode *parent, int depth)
{
    if (depth > 64 || n->kind == Q_MAYBE || (n->kind == Q_TEXT && parent) ||
        (n->kind == Q_NOT && (!parent || parent->kind != Q_AND)))
        return 0;
    if (parent && parent->kind == Q_TEXT &&
        !((n->kind == Q_WORD && n->field == QF_ANY) ||
          (n->kind == Q_PHRASE && n->field == QF_ANY)))
        return 0;
    switch (n->kind) {
    case Q_WORD:
    case Q_PREFIX:
        if (!n->text || !n->text[0] || n->n_kids || n->n_words)
            return 0;
        break;
    case Q_PHRASE:
    case Q_NEAR:
        if (n->n_words < (n->kind == Q_NEAR ? 2u : 1u) || n->n_kids ||
            n->field == QF_SOURCE || n->field == QF_TAG)
            return 0;
        if (n->kind == Q_NEAR && (n->near < 1 || n->near > 1000))
            return 0;
        break;
    case Q_DATE:
        if (n->from > n->to || n->field != QF_ANY)
            return 0;
        break;
    case Q_AND: {
        int positive = 0;
        if (n->n_kids < 2)
            return 0;
        for (size_t i = 0; i < n->n_kids; i++) {
            if (n->kids[i]->kind == Q_AND)
                return 0;
            positive |= n->kids[i]->kind != Q_NOT;
        }
        if (!positive)
            return 0;
        break;
    }
    case Q_OR:
        if (n->n_kids < 2)
            return 0;
        for (size_t i = 0; i < n->n_kids; i++)
            if (n->kids[i]->kind == Q_OR)
                return 0;
        break;
    case Q_NOT:
        if (n->n_kids != 1)
            return 0;
        break;
    case Q_TEXT:
    case Q_MAYBE:
        break;
    }
    for (size_t i = 0; i < n->n_kids; i++)
        if (!shape_ok(n->kids[i], n, depth + 1))
            return 0;
    return 1;
}

static char *print_str(const qnode *n)
{
    buf b = BUF_INIT;
    query_print(n, &b);
    char *s = strdup(buf_cstr(&b));
    buf_free(&b);
    return s;
}

/* Every successful parse must round-trip: print, parse with the same
 * flags, equal tree, same print. Returns the print (static). */
static const char *roundtrip(const char *q, qnode *n, unsigned flags)
{
    static char out[4096];
    char err[256];
    size_t pos;
    qnode *m = NULL;
    char *s = print_str(n);
    ck_assert_msg(shape_ok(n, NULL, 1), "bad tree shape for [%s]", q);
    int rc = query_parse(s, flags, &m, err, sizeof err, &pos);
    ck_assert_msg(rc == MORGUE_OK, "[%s] printed as [%s] fails: %s", q, s,
                  err);
    ck_assert_msg(query_equal(n, m), "[%s] -> [%s] reparses differently",
                  q, s);
    char *s2 = print_str(m);
    ck_assert_str_eq(s, s2);
    free(s2);
    query_free(m);
    snprintf(out, sizeof out, "%s", s);
    free(s);
    return out;
}

/* The canonical print of q, or "error@POS: message". */
static const char *pq(const char *q, unsigned flags)
{
    static char out[4096];
    char err[256] = "x";
    size_t pos = 999;
    qnode *n = (qnode *)1;
    int rc = query_parse(q, flags, &n, err, sizeof err, &pos);
    if (rc != MORGUE_OK) {
        ck_assert_msg(!(flags & ANY), "natural language failed on [%s]", q);
        ck_assert_int_eq(rc, MORGUE_EQUERY);
        ck_assert_ptr_null(n);
        ck_assert(strchr(err, '\n') == NULL && err[0]);
        ck_assert_uint_le(pos, strlen(q));
        snprintf(out, sizeof out, "error@%zu: %s", pos, err);
        return out;
    }
    ck_assert_uint_eq(pos, 0);
    snprintf(out, sizeof out, "%s", roundtrip(q, n, flags));
    query_free(n);
    return out;
}

#define PQ(q, want) ck_assert_str_eq(pq((q), 0), (want))
#define PA(q, want) ck_assert_str_eq(pq((q), ANY), (want))

/* An error at pos whose message contains text. */
#define PE(q, pos, text) pe((q), 0, (pos), (text))
static void pe(const char *q, unsigned flags, size_t want_pos,
               const char *text)
{
    char err[256];
    size_t pos = 999;
    qnode *n = NULL;
    int rc = query_parse(q, flags, &n, err, sizeof err, &pos);
    ck_assert_msg(rc == MORGUE_EQUERY, "[%s] parsed (%d)", q, rc);
    ck_assert_ptr_null(n);
    ck_assert_msg(pos == want_pos, "[%s]: error at %zu, not %zu: %s", q, pos,
                  want_pos, err);
    ck_assert_msg(strstr(err, text) != NULL, "[%s]: message [%s] lacks [%s]",
                  q, err, text);
    ck_assert(strchr(err, '\n') == NULL);
}

static qnode *parse_ok(const char *q, unsigned flags)
{
    char err[256];
    size_t pos;
    qnode *n = NULL;
    int rc = query_parse(q, flags, &n, err, sizeof err, &pos);
    ck_assert_msg(rc == MORGUE_OK, "[%s]: %s", q, err);
    return n;
}

/* ---- constructs ------------------------------------------------------ */

START_TEST(test_parse_words)
{
    PQ("bank", "bank");
    PQ("Bundesbank interest rates", "(Bundesbank AND interest AND rates)");
    PQ("  bank\t\nrates  ", "(bank AND rates)");
    PQ("and or not near", "(and AND or AND not AND near)");
    PQ("ANDROID ORACLE NOTE NEARBY",
       "(ANDROID AND ORACLE AND NOTE AND NEARBY)");
    PQ("Kazakhstan's Tokaïev", "(Kazakhstan's AND Tokaïev)");
    PQ("C++ AT&T 3.5%", "(C++ AND AT&T AND 3.5%)");
    /* runs without any word are dropped */
    PQ("a - b & c -- d", "(a AND b AND c AND d)");
    PQ("bank -", "bank");
    /* runs are kept whole; the evaluator tokenizes them */
    PQ("12:30 http://x.kz/a?b=c", "(12:30 AND http://x.kz/a?b=c)");
    PQ("Note: re:", "(Note: AND re:)");
    PQ("a-b f(x)", "(a-b AND f AND x)");
    /* text as typed, byte for byte */
    qnode *n = parse_ok("Almaty's", 0);
    ck_assert_int_eq(n->kind, Q_WORD);
    ck_assert_int_eq(n->field, QF_ANY);
    ck_assert_str_eq(n->text, "Almaty's");
    ck_assert_uint_eq(n->pos, 0);
    query_free(n);
}
END_TEST

START_TEST(test_parse_precedence)
{
    PQ("a AND b", "(a AND b)");
    PQ("a AND b c", "(a AND b AND c)");
    PQ("a OR b", "(a OR b)");
    PQ("bank rates OR interest", "(bank AND (rates OR interest))");
    PQ("a OR b c OR d", "((a OR b) AND (c OR d))");
    PQ("a AND b OR c", "(a AND (b OR c))");
    PQ("a OR b AND c", "((a OR b) AND c)");
    PQ("a OR b OR c", "(a OR b OR c)");
    PQ("(a b) OR c", "((a AND b) OR c)");
    PQ("(a OR b) c", "((a OR b) AND c)");
    PQ("a (b c) (d)", "(a AND b AND c AND d)");
    PQ("a OR (b OR c)", "(a OR b OR c)");
    PQ("((a))", "a");
    PQ("a (b OR (c d))", "(a AND (b OR (c AND d)))");
    PQ("a NEAR b OR c", "((a NEAR/10 b) OR c)");
    PQ("x a NEAR/2 b", "(x AND (a NEAR/2 b))");
    PQ("AND(a b)OR(c)", "error@0: AND needs something on its left "
                        "(column 1)");
    PQ("NOT(a b)c", "(NOT (a AND b) AND c)");
}
END_TEST

START_TEST(test_parse_not)
{
    PQ("a -b", "(a AND NOT b)");
    PQ("a NOT b", "(a AND NOT b)");
    PQ("-b a", "(NOT b AND a)");
    PQ("a NOT (b c)", "(a AND NOT (b AND c))");
    PQ("a -(b c)", "(a AND NOT (b AND c))");
    PQ("a -\"b c\"", "(a AND NOT \"b c\")");
    PQ("a -title:b -bb*", "(a AND NOT title:b AND NOT bb*)");
    /* NOT takes a whole OR group, '-' one operand */
    PQ("c NOT a OR b", "(c AND NOT (a OR b))");
    PQ("c -a NEAR b", "(c AND NOT (a NEAR/10 b))");
    PQ("a AND NOT b", "(a AND NOT b)");
    PQ("(a -b) OR c", "((a AND NOT b) OR c)");
    PQ("a (b -c)", "(a AND b AND NOT c)");
    PQ("+a +b", "(a AND b)");
    PQ("+-a b", "(NOT a AND b)");
    PQ("a -date:2022", "(a AND NOT date:2022)");
    PQ("date:2022 -a", "(date:2022 AND NOT a)");
}
END_TEST

START_TEST(test_parse_phrases)
{
    PQ("\"state of emergency\"", "\"state of emergency\"");
    PQ("\"state of emergency\" Almaty", "(\"state of emergency\" AND Almaty)");
    PQ("“state of emergency”", "\"state of emergency\"");
    PQ("”a b“ \"c d” “e f\"", "(\"a b\" AND \"c d\" AND \"e f\")");
    PQ("\"  spaced \t out  \"", "\"spaced out\"");
    PQ("\"rock & roll\"", "\"rock roll\"");
    PQ("x\"a b\"y", "(x AND \"a b\" AND y)");
    PQ("\"a (b) OR c*\"", "\"a (b) OR c*\"");
    PQ("\"bank\" OR \"banks\"", "(\"bank\" OR \"banks\")");
    /* one quoted word stays a phrase: the exact, unstemmed word */
    qnode *n = parse_ok("\"emergencies\"", 0);
    ck_assert_int_eq(n->kind, Q_PHRASE);
    ck_assert_uint_eq(n->n_words, 1);
    ck_assert_str_eq(n->words[0], "emergencies");
    query_free(n);
    n = parse_ok("x \"state of emergency\"", 0);
    ck_assert_int_eq(n->kids[1]->kind, Q_PHRASE);
    ck_assert_uint_eq(n->kids[1]->n_words, 3);
    ck_assert_str_eq(n->kids[1]->words[2], "emergency");
    ck_assert_uint_eq(n->kids[1]->pos, 2);
    query_free(n);
}
END_TEST

START_TEST(test_parse_near)
{
    PQ("a NEAR/5 b", "(a NEAR/5 b)");
    PQ("a NEAR b", "(a NEAR/10 b)");
    PQ("a NEAR/1 b", "(a NEAR/1 b)");
    PQ("a NEAR/1000 b", "(a NEAR/1000 b)");
    PQ("a NEAR/0005 b", "(a NEAR/5 b)");
    PQ("a NEAR/3 b NEAR/7 c", "(a NEAR/3 b NEAR/3 c)");
    PQ("a NEAR/7 b NEAR c NEAR/2 d", "(a NEAR/2 b NEAR/2 c NEAR/2 d)");
    PQ("title:(a NEAR/4 b)", "title:(a NEAR/4 b)");
    PQ("12:30 NEAR/2 x", "(12:30 NEAR/2 x)");
    qnode *n = parse_ok("bundesbank NEAR/3 rates NEAR/5 cut", 0);
    ck_assert_int_eq(n->kind, Q_NEAR);
    ck_assert_uint_eq(n->near, 3);
    ck_assert_uint_eq(n->n_words, 3);
    ck_assert_str_eq(n->words[0], "bundesbank");
    ck_assert_str_eq(n->words[2], "cut");
    query_free(n);
}
END_TEST

START_TEST(test_parse_fields)
{
    PQ("title:kazakhstan", "title:kazakhstan");
    PQ("TITLE:x Title:y", "(title:x AND title:y)");
    PQ("title:\"state of emergency\"", "title:\"state of emergency\"");
    PQ("title:emerg*", "title:emerg*");
    PQ("title:(a \"b c\" OR dd*) e",
       "(title:a AND (title:\"b c\" OR title:dd*) AND e)");
    PQ("title:(a -b)", "(title:a AND NOT title:b)");
    PQ("title:(a date:2022)", "(title:a AND date:2022)");
    PQ("title:(a tag:b)", "(title:a AND tag:b)");
    PQ("title:12:30", "title:12:30");
    PQ("title:-x", "title:-x");
    PQ("title:AND", "title:AND");
    PQ("title:a(b)", "(title:a AND b)");
    /* source: and tag: take whole values */
    PQ("tag:kazakhstan", "tag:kazakhstan");
    PQ("source:\"Steppe Daily\"", "source:\"Steppe Daily\"");
    PQ("source:“ Steppe \t Daily ”", "source:\"Steppe Daily\"");
    PQ("tag:(kazakhstan OR \"new york\")",
       "(tag:kazakhstan OR tag:\"new york\")");
    PQ("source:stepp*", "source:stepp*");
    PQ("source:\"a*\"", "source:\"a*\"");
    PQ("source:\"a(b\"", "source:\"a(b\"");
    PQ("-tag:sports news", "(NOT tag:sports AND news)");
    qnode *n = parse_ok("source:\"Steppe Daily\"", 0);
    ck_assert_int_eq(n->kind, Q_WORD);
    ck_assert_int_eq(n->field, QF_SOURCE);
    ck_assert_str_eq(n->text, "Steppe Daily");
    query_free(n);
    n = parse_ok("tag:kazakhstan", 0);
    ck_assert_int_eq(n->kind, Q_WORD);
    ck_assert_int_eq(n->field, QF_TAG);
    ck_assert_str_eq(n->text, "kazakhstan");
    query_free(n);
    n = parse_ok("title:(\"a b\" c)", 0);
    ck_assert_int_eq(n->kids[0]->kind, Q_PHRASE);
    ck_assert_int_eq(n->kids[0]->field, QF_TITLE);
    ck_assert_int_eq(n->kids[1]->field, QF_TITLE);
    query_free(n);
}
END_TEST

START_TEST(test_parse_prefix)
{
    PQ("kazakh*", "kazakh*");
    PQ("ka*", "ka*");
    PQ("kazakh***", "kazakh*");
    PQ("é1*", "é1*");
    PQ("AND* NEAR*", "(AND* AND NEAR*)");
    PQ("a*b*", "a*b*");
    qnode *n = parse_ok("kazakh*", 0);
    ck_assert_int_eq(n->kind, Q_PREFIX);
    ck_assert_str_eq(n->text, "kazakh");
    query_free(n);
}
END_TEST

static void check_date(const char *q, int64_t from, int64_t to,
                       const char *canon)
{
    qnode *n = parse_ok(q, 0);
    ck_assert_int_eq(n->kind, Q_DATE);
    ck_assert_msg(n->from == from && n->to == to,
                  "[%s]: %lld..%lld, not %lld..%lld", q,
                  (long long)n->from, (long long)n->to, (long long)from,
                  (long long)to);
    query_free(n);
    PQ(q, canon);
}

START_TEST(test_parse_dates)
{
    check_date("date:2022-01-05", 1641340800, 1641427199,
               "date:2022-01-05");
    check_date("date:2022-1-5", 1641340800, 1641427199, "date:2022-01-05");
    check_date("DATE:2022-01", 1640995200, 1643673599, "date:2022-01");
    check_date("date:2022", 1640995200, 1672531199, "date:2022");
    check_date("date:2022-01-01..2022-01-31", 1640995200, 1643673599,
               "date:2022-01");
    check_date("date:2022-01-01..2022-01-04", DAY(2022, 1, 1),
               DAY(2022, 1, 5) - 1, "date:2022-01-01..2022-01-04");
    check_date("date:2021..2022-02", DAY(2021, 1, 1), DAY(2022, 3, 1) - 1,
               "date:2021-01-01..2022-02-28");
    check_date("date:..1987-03-31", INT64_MIN, DAY(1987, 4, 1) - 1,
               "date:..1987-03-31");
    check_date("date:..1987", INT64_MIN, DAY(1988, 1, 1) - 1,
               "date:..1987-12-31");
    check_date("date:2022-01..", 1640995200, INT64_MAX,
               "date:2022-01-01..");
    check_date("date:2000-02", DAY(2000, 2, 1), DAY(2000, 3, 1) - 1,
               "date:2000-02");
    check_date("date:2000-02-29", DAY(2000, 2, 29), DAY(2000, 3, 1) - 1,
               "date:2000-02-29");
    check_date("date:1969-12-31", -86400, -1, "date:1969-12-31");
    check_date("date:1987-03-15..1987-03-15", DAY(1987, 3, 15),
               DAY(1987, 3, 16) - 1, "date:1987-03-15");
    /* dates combine like words; in an AND they filter */
    PQ("opec date:1987-03", "(opec AND date:1987-03)");
    PQ("date:2021 OR date:2023", "(date:2021 OR date:2023)");
    PQ("date:2022", "date:2022");
    qnode *n = parse_ok("opec date:1987", 0);
    ck_assert_int_eq(n->kids[1]->kind, Q_DATE);
    ck_assert_uint_eq(n->kids[1]->pos, 5);
    query_free(n);
}
END_TEST

START_TEST(test_parse_natural)
{
    PA("a", "a");
    PA("a b c", "a b c");
    /* operators, fields, signs, brackets and stars are words */
    PA("a OR b AND c NOT d", "a OR b AND c NOT d");
    PA("+a -b (c", "+a -b (c");
    PA("title:(x y) date:2022", "title:(x y) date:2022");
    PA("kaz* NEAR/3 x", "kaz* NEAR/3 x");
    /* balanced quotes make phrases; a quote without a partner goes */
    PA("a \"b c\" d", "a \"b c\" d");
    PA("a \"b c", "a b c");
    PA("\"a\" \"b", "\"a\" b");
    PA("x\"y\"z", "x \"y\" z");
    PA("“state of emergency” almaty", "\"state of emergency\" almaty");
    PA("\"\" a \" \"", "a");
    /* runs without a term are dropped; nothing left is an empty text */
    PA("- & ( ) \"", "");
    PA("", "");
    PA("   ", "");

    qnode *n = parse_ok("What is \"state of  emergency\" (Almaty)?", ANY);
    ck_assert_int_eq(n->kind, Q_TEXT);
    ck_assert_uint_eq(n->n_kids, 4);
    ck_assert_int_eq(n->kids[0]->kind, Q_WORD);
    ck_assert_str_eq(n->kids[0]->text, "What");
    ck_assert_int_eq(n->kids[2]->kind, Q_PHRASE);
    ck_assert_uint_eq(n->kids[2]->n_words, 3);
    ck_assert_str_eq(n->kids[2]->words[2], "emergency");
    ck_assert_str_eq(n->kids[3]->text, "(Almaty)?");
    query_free(n);
    /* the same text in the strict language */
    PQ("+kazakhstan +almaty -riot emergency protest",
       "(kazakhstan AND almaty AND NOT riot AND emergency AND protest)");
}
END_TEST

/* ---- errors ---------------------------------------------------------- */

START_TEST(test_parse_errors)
{
    PE("", 0, "the query has no words");
    PE("   \t ", 0, "the query has no words");
    PE("- & !! -- ...", 0, "the query has no words");
    PE("state \"of emergency", 6,
       "unbalanced quote: the phrase opened at column 7 is not closed");
    PE("a “b c", 2, "unbalanced quote");
    PE("(bank OR rates", 0, "unbalanced parenthesis at column 1");
    PE("bank rates OR (x", 14, "unbalanced parenthesis at column 15");
    PE("bank rates)", 10, "unbalanced parenthesis at column 11");
    PE("a (b)) c", 5, "unbalanced parenthesis at column 6");
    PE("title:(a b", 6, "unbalanced parenthesis");
    PE("()", 0, "empty parentheses at column 1");
    PE("a ( - )", 2, "empty parentheses");
    PE("NOT x", 0, "NOT needs something to exclude from (column 1)");
    PE("(NOT x)", 1, "NOT needs something to exclude from (column 2)");
    PE("bank (NOT x)", 6, "NOT needs something to exclude from");
    PE("a OR NOT b", 5, "NOT needs something to exclude from (column 6)");
    PE("a OR -b", 5, "'-' needs something to exclude from (column 6)");
    PE("-a OR b", 0, "'-' needs something to exclude from");
    PE("-a", 0, "'-' needs something to exclude from (column 1)");
    PE("NOT a NOT b", 0, "NOT needs something to exclude from");
    PE("x NOT NOT a", 6, "NOT needs something to exclude from");
    PE("x --a", 3, "'-' needs something to exclude from");
    PE("x NOT -a", 6, "'-' needs something to exclude from");
    PE("x -(NOT a)", 4, "NOT needs something to exclude from");
    PE("foo:bar", 0, "unknown field 'foo' at column 1 (fields: title, "
                     "source, tag, date, lang)");
    PE("x Foo:\"a b\"", 2, "unknown field 'Foo' at column 3");
    PE("x foo:(a)", 2, "unknown field 'foo'");
    PE("title: x", 0, "field 'title' needs a value right after the colon");
    PE("x tag:", 2, "field 'tag' needs a value");
    PE("(title:)", 1, "field 'title' needs a value");
    PE("title:-", 0, "field 'title' needs a word, phrase or group");
    PE("date:2022-13", 5, "bad date '2022-13' at column 6");
    PE("opec date:2022-02-30", 10, "bad date '2022-02-30' at column 11");
    PE("date:1900-02-29", 5, "bad date");
    PE("date:junk", 5, "bad date 'junk'");
    PE("date:22", 5, "bad date '22'");
    PE("date:2022-01-05T10:00", 5, "bad date");
    PE("date:2022-001", 5, "bad date");
    PE("date:..", 5, "bad date '..'");
    PE("date:2022-01-01..2022-13", 17, "bad date '2022-13' at column 18");
    PE("date:2022-00..2023", 5, "bad date '2022-00'");
    PE("date:2022..2023..2024", 11, "bad date '2023..2024'");
    PE("date:2023..2022-12-31", 5, "bad date range");
    PE("date:(2022)", 0, "date: needs a date");
    PE("date:\"2022\"", 0, "date: needs a date");
    PE("a \"\" b", 2, "empty phrase at column 3");
    PE("a \" - \" b", 2, "empty phrase");
    PE("source:\"\"", 7, "empty value");
    PE("a NEAR/0 b", 2, "NEAR/n needs a distance n from 1 to 1000");
    PE("a NEAR/1001 b", 2, "NEAR/n");
    PE("a NEAR/ b", 2, "NEAR/n");
    PE("a NEAR/x b", 2, "NEAR/n");
    PE("a NEAR/99999999999999 b", 2, "NEAR/n");
    PE("a NEAR \"b c\"", 2, "NEAR needs a plain word on each side");
    PE("\"a b\" NEAR c", 6, "NEAR needs a plain word");
    PE("a NEAR bb*", 2, "NEAR needs a plain word");
    PE("title:a NEAR b", 8, "title:(a NEAR b)");
    PE("a NEAR title:b", 2, "NEAR needs a plain word");
    PE("(a b) NEAR c", 6, "NEAR needs a plain word");
    PE("a NEAR", 2, "NEAR needs a plain word");
    PE("NEAR a", 0, "NEAR needs a plain word");
    PE("a NEAR -b", 2, "NEAR needs a plain word");
    PE("tag:(a NEAR b)", 7, "NEAR cannot join source: or tag: values");
    PE("*", 0, "a prefix needs at least 2 characters before '*' "
               "(column 1)");
    PE("x a*", 2, "a prefix needs at least 2 characters");
    PE("é*", 0, "a prefix needs at least 2");
    PE("-.*", 0, "a prefix needs at least 2");
    PE("title:*", 6, "a prefix needs");
    PE("AND a", 0, "AND needs something on its left (column 1)");
    PE("a AND", 2, "AND needs something on its right (column 3)");
    PE("a AND AND b", 2, "AND needs something on its right");
    PE("(a AND) b", 3, "AND needs something on its right");
    PE("OR a", 0, "OR needs something on its left");
    PE("a OR", 2, "OR needs something on its right");
    PE("a OR OR b", 2, "OR needs something on its right");
    PE("a (OR b)", 3, "OR needs something on its left");
    PE("a NOT", 2, "NOT needs something on its right");
    PE("a - (", 4, "unbalanced parenthesis"); /* '-' then a group */
    PE("a -)", 3, "unbalanced parenthesis");
    PE("a -\"", 3, "unbalanced quote");
    PE("a +AND b", 2, "'+' needs something on its right");
}
END_TEST

START_TEST(test_parse_error_buffers)
{
    qnode *n = (qnode *)1;
    char small[8];
    /* NULL or tiny message buffers and a NULL position are fine */
    ck_assert_int_eq(query_parse("NOT x", 0, &n, NULL, 0, NULL),
                     MORGUE_EQUERY);
    ck_assert_ptr_null(n);
    ck_assert_int_eq(query_parse("NOT x", 0, &n, small, sizeof small, NULL),
                     MORGUE_EQUERY);
    ck_assert_uint_eq(strlen(small), sizeof small - 1);
    ck_assert_int_eq(query_parse(NULL, 0, &n, small, sizeof small, NULL),
                     MORGUE_EQUERY);
    ck_assert_int_eq(query_parse("x", 0, NULL, NULL, 0, NULL),
                     MORGUE_EINVAL);
    /* a long bad value is quoted in part, and the message is one line */
    char q[300], err[256];
    size_t pos;
    snprintf(q, sizeof q, "date:%0200d", 7);
    ck_assert_int_eq(query_parse(q, 0, &n, err, sizeof err, &pos),
                     MORGUE_EQUERY);
    ck_assert_uint_eq(pos, 5);
    ck_assert_uint_lt(strlen(err), 200);
    query_free(NULL);
}
END_TEST

/* ---- equality -------------------------------------------------------- */

static int eq(const char *a, unsigned fa, const char *b, unsigned fb)
{
    qnode *x = parse_ok(a, fa), *y = parse_ok(b, fb);
    int r = query_equal(x, y);
    ck_assert_int_eq(r, query_equal(y, x));
    query_free(x);
    query_free(y);
    return r;
}

START_TEST(test_parse_equal)
{
    ck_assert(eq("a b", 0, "a AND b", 0));
    ck_assert(eq("a  (b)", 0, "(a AND b)", 0));
    ck_assert(eq("“x y”", 0, "\"x  y\"", 0));
    ck_assert(eq("a NEAR/3 b NEAR/9 c", 0, "a NEAR/9 b NEAR/3 c", 0));
    ck_assert(!eq("a b", 0, "b a", 0));
    ck_assert(!eq("a b", 0, "a b", ANY));
    ck_assert(!eq("a", 0, "A", 0));
    ck_assert(!eq("a", 0, "title:a", 0));
    ck_assert(!eq("title:a", 0, "tag:a", 0));
    ck_assert(!eq("a", 0, "\"a\"", 0));
    ck_assert(!eq("ab", 0, "ab*", 0));
    ck_assert(!eq("a NEAR/3 b", 0, "a NEAR/4 b", 0));
    ck_assert(!eq("\"a b\"", 0, "\"a b c\"", 0));
    ck_assert(!eq("date:2022", 0, "date:2022-01", 0));
    ck_assert(!eq("date:2022..", 0, "date:2022", 0));
    ck_assert(!eq("a -b", 0, "a b", 0));
    ck_assert(!eq("+a b", ANY, "a b", ANY));
    ck_assert(query_equal(NULL, NULL));
    qnode *x = parse_ok("a", 0);
    ck_assert(!query_equal(x, NULL));
    query_free(x);
}
END_TEST

/* ---- robustness ------------------------------------------------------ */

static char *repeat(const char *a, int n, const char *mid, const char *b,
                    int m)
{
    size_t la = strlen(a), lb = strlen(b);
    char *s = malloc(la * (size_t)n + strlen(mid) + lb * (size_t)m + 1);
    char *p = s;
    for (int i = 0; i < n; i++, p += la)
        memcpy(p, a, la);
    p = stpcpy(p, mid);
    for (int i = 0; i < m; i++, p += lb)
        memcpy(p, b, lb);
    *p = '\0';
    return s;
}

START_TEST(test_parse_depth)
{
    char *q = repeat("(", 64, "a b", ")", 64);
    PQ(q, "(a AND b)");
    free(q);
    q = repeat("(", 65, "a", ")", 65);
    PE(q, 64, "the query nests deeper than 64 levels (column 65)");
    free(q);
    q = repeat("-", 65, "a", "", 0);
    PE(q, 64, "nests deeper than 64 levels");
    free(q);
    q = repeat("NOT ", 3, "a", "", 0);
    PE(q, 4, "NOT needs something to exclude from");
    free(q);
    /* AND and OR levels count too, so a printed form never nests deeper
     * than the query it came from allows */
    q = repeat("(a OR (b ", 40, "c", "))", 40);
    ck_assert_ptr_nonnull(strstr(pq(q, 0), "nests deeper"));
    free(q);
    q = repeat("(a OR (b ", 31, "c", "))", 31);
    pq(q, 0); /* 63 levels: parses and round-trips */
    ck_assert_ptr_null(strstr(pq(q, 0), "error"));
    free(q);
    q = repeat("x y OR (", 40, "z", ")", 40); /* 40 parentheses */
    PE(q, 250, "nests deeper than 64 levels");
    free(q);
    q = repeat("x y OR (", 30, "z", ")", 30);
    ck_assert_ptr_null(strstr(pq(q, 0), "error"));
    free(q);
    q = repeat("x -(a ", 60, "c", ")", 60);
    ck_assert_ptr_nonnull(strstr(pq(q, 0), "nests deeper"));
    free(q);
    /* unbalanced deep input fails cleanly either way */
    q = repeat("((((((((((", 10000, "", "", 0);
    PE(q, 64, "nests deeper");
    free(q);
    q = repeat("))))))))))", 10000, "", "", 0);
    PE(q, 0, "unbalanced parenthesis");
    free(q);
}
END_TEST

/* CPU time of this thread, not wall time: other processes on a busy
 * machine must not make a linear parse look quadratic. */
static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Parses, prints and re-parses q in both modes; the seconds it took. */
static double parse_cycle(const char *q)
{
    double t0 = seconds();
    for (unsigned flags = 0; flags <= ANY; flags++) {
        char err[256];
        size_t pos;
        qnode *n = NULL, *m = NULL;
        int rc = query_parse(q, flags, &n, err, sizeof err, &pos);
        ck_assert(rc == MORGUE_OK || rc == MORGUE_EQUERY);
        if (n) {
            buf b = BUF_INIT;
            query_print(n, &b);
            ck_assert_int_eq(query_parse(buf_cstr(&b), flags, &m, err,
                                         sizeof err, &pos),
                             MORGUE_OK);
            ck_assert(query_equal(n, m));
            query_free(m);
            buf_free(&b);
        }
        query_free(n);
    }
    return seconds() - t0;
}

/* Linear time: 4x more of each kind of item takes about 4x as long
 * (quadratic work would take 16x), summed over kinds for stability. */
START_TEST(test_parse_long)
{
    static const char *items[] = {
        "word ", "a OR ", "\"p q\" ", "x NEAR/3 ", "-y z ", "(a b) ",
        "title:(c d) ", "date:2022 ", "kaz* ", "- ", "+-+-x w ",
        "(((a)))", "12:30 ", "a AND ", "b -c AND ",
    };
    double small = 0, big = 0;
    for (size_t k = 0; k < sizeof items / sizeof items[0]; k++) {
        for (int size = 0; size < 2; size++) {
            char *q = repeat(items[k], size ? 8000 : 2000, "end", "", 0);
            double t = parse_cycle(q), t2 = parse_cycle(q);
            *(size ? &big : &small) += t < t2 ? t : t2;
            free(q);
        }
    }
    ck_assert_msg(big < 10 * small + 0.05, "2k items: %.3fs, 8k: %.3fs",
                  small, big);
}
END_TEST

/* A small deterministic generator (xorshift64*). */
static uint64_t rng_state = 0x9E3779B97F4A7C15u;
static unsigned rnd(unsigned n)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (unsigned)((rng_state * 0x2545F4914F6CDD1Du) >> 33) % n;
}

/* Queries glued from a small alphabet of tokens: thousands parse or fail
 * cleanly, and every successful parse round-trips (pq checks it). */
START_TEST(test_parse_random)
{
    static const char *toks[] = {
        "a", "bank", "Rates", "kazakh*", "x*", "*", "and", "12:30",
        "http://x", "C++", "-", "+", "&", "é", "Almaty's", "AND", "OR",
        "NOT", "NEAR", "NEAR/3", "NEAR/0", "(", ")", "(", ")", "\"", "\"",
        "“", "”", "title:", "source:", "tag:", "date:", "foo:", "TITLE:",
        "2022", "2022-01", "2022-01-05", "2022-13", "..", "1987-03-31..",
        "..2020", "\xff", "\xe2\x80", ":", "\t", "/", "-a", "+b", "*c",
    };
    const size_t nt = sizeof toks / sizeof toks[0];
    int ok = 0, total = 0;
    for (int i = 0; i < 20000; i++) {
        char q[512];
        size_t len = 0;
        int n = 1 + (int)rnd(12);
        for (int k = 0; k < n; k++) {
            const char *t = toks[rnd((unsigned)nt)];
            size_t tl = strlen(t);
            if (len + tl + 2 >= sizeof q)
                break;
            memcpy(q + len, t, tl);
            len += tl;
            if (rnd(10) < 6)
                q[len++] = ' ';
        }
        q[len] = '\0';
        for (unsigned flags = 0; flags <= ANY; flags++) {
            const char *r = pq(q, flags); /* asserts on any violation */
            total++;
            ok += strncmp(r, "error@", 6) != 0;
        }
    }
    /* the soup must exercise both outcomes */
    ck_assert_int_gt(ok, total / 10);
    ck_assert_int_lt(ok, total - total / 10);
}
END_TEST

/* ---- allocation failures --------------------------------------------- */

/* A failing allocator interposed on malloc (glibc, no sanitizer): fail
 * the Nth allocation of a parse, for every N until the parse succeeds;
 * every failure must be MORGUE_ENOMEM with nothing left allocated. */
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
#define NO_FAILALLOC 1
#endif
#endif
#if defined(__GLIBC__) && !defined(__SANITIZE_ADDRESS__) &&              \
    !defined(NO_FAILALLOC)
#define HAVE_FAILALLOC 1
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);
static int fa_on;      /* counting and failing only while set */
static long fa_left;   /* allocations that succeed before one fails */
static long fa_live;   /* blocks allocated minus blocks freed */
static int fa_failed;  /* an allocation was refused */

static int fa_refuse(void)
{
    if (!fa_on)
        return 0;
    if (fa_left-- == 0) {
        fa_failed = 1;
        return 1;
    }
    return 0;
}

void *malloc(size_t n)
{
    if (fa_refuse())
        return NULL;
    void *p = __libc_malloc(n);
    fa_live += fa_on && p;
    return p;
}

void *calloc(size_t a, size_t b)
{
    if (fa_refuse())
        return NULL;
    void *p = __libc_calloc(a, b);
    fa_live += fa_on && p;
    return p;
}

void *realloc(void *old, size_t n)
{
    if (fa_refuse())
        return NULL;
    void *p = __libc_realloc(old, n);
    fa_live += fa_on && p && !old;
    return p;
}

void free(void *p)
{
    fa_live -= fa_on && p;
    __libc_free(p);
}
#endif

START_TEST(test_parse_oom)
{
#ifdef HAVE_FAILALLOC
    static const char *queries[] = {
        "bank rates OR interest -riot",
        "\"state of emergency\" title:(a NEAR/3 b) source:\"Steppe  D\"",
        "+kazakhstan +almaty -riot emergency protest (gas prices) x",
        "a b -c d e f g h i j k l m n o p q r s t",
        "(a OR b OR c OR d OR e OR f) (g OR (h i j k l))",
        "date:2022-01 xy* tag:(a OR b OR \"c d\")",
        "a NEAR b NEAR c NEAR d NEAR e NEAR f NEAR g NEAR h NEAR i",
        "+a date:2022 b -c (x OR date:2021) d AND e f OR g",
        "opec oil date:1987-03 -x",
    };
    for (size_t k = 0; k < sizeof queries / sizeof queries[0]; k++) {
        for (unsigned flags = 0; flags <= ANY; flags++) {
            int done = 0;
            for (long fail_at = 0; !done && fail_at < 10000; fail_at++) {
                char err[256];
                size_t pos;
                qnode *n = NULL;
                fa_left = fail_at;
                fa_live = 0;
                fa_failed = 0;
                fa_on = 1;
                int rc = query_parse(queries[k], flags, &n, err, sizeof err,
                                     &pos);
                int failed = fa_failed;
                query_free(n);
                long live = fa_live;
                fa_on = 0;
                if (fail_at == 0 && !failed) {
                    /* malloc is not ours (valgrind?): nothing to test */
                    return;
                }
                if (!failed) {
                    ck_assert_int_eq(rc, MORGUE_OK);
                    done = 1;
                } else {
                    ck_assert_msg(rc == MORGUE_ENOMEM,
                                  "[%s] alloc %ld: rc %d", queries[k],
                                  fail_at, rc);
                    ck_assert_ptr_null(n);
                    ck_assert_str_eq(err, "out of memory");
                }
                ck_assert_msg(live == 0, "[%s] alloc %ld: %ld blocks leak",
                              queries[k], fail_at, live);
            }
            ck_assert(done);
        }
    }
#endif
}
END_TEST

/* ---- the shape check ------------------------------------------------ */

/* query_check of q (parsed strict): MORGUE_OK, or the message at pos. */
static int qc(const char *q, char *err, size_t *pos)
{
    qnode *n = parse_ok(q, 0);
    int rc = query_check(n, err, 256, pos);
    query_free(n);
    return rc;
}

START_TEST(test_query_check)
{
    char err[256];
    size_t pos;
    for (size_t i = 0; i < N_REFUSED_SHAPES; i++) {
        const refused_shape *r = &refused_shapes[i];
        ck_assert_int_eq(qc(r->query, err, &pos), MORGUE_EQUERY);
        ck_assert_str_eq(err, r->message);
        char col[32]; /* the offset is the column the message names */
        snprintf(col, sizeof col, "column %zu", pos + 1);
        ck_assert_msg(strstr(err, col) != NULL, "%s: %s at %zu", r->query,
                      err, pos);
    }
    static const char *fine[] = {
        "oil", "lang:ru", "lang:und", "lang:pt-BR", "date:2022 -oil",
        "zzqx*", "title:\"a b\"", "source:\"a b c\"", "a NEAR/3 b", NULL,
    };
    for (int i = 0; fine[i]; i++)
        ck_assert_msg(qc(fine[i], err, &pos) == MORGUE_OK, "%s: %s",
                      fine[i], err);
    /* natural language passes whatever it holds */
    qnode *n = parse_ok("lang:xyz \"--\" ...", ANY);
    ck_assert_int_eq(query_check(n, err, sizeof err, &pos), MORGUE_OK);
    query_free(n);
    /* nothing to search: the parser drops runs without a word, so such a
     * tree is made by hand (a word whose text has no token) */
    n = parse_ok("oil -gas", 0);
    n->kids[0]->text = (char *)"--";
    ck_assert_int_eq(query_check(n, err, sizeof err, &pos), MORGUE_EQUERY);
    ck_assert_str_eq(err, "the query has no words to search for");
    n->kids[0]->text = (char *)"oil";
    ck_assert_int_eq(query_check(n, err, sizeof err, &pos), MORGUE_OK);
    query_free(n);
}
END_TEST

static Suite *parse_suite(void)
{
    Suite *s = suite_create("parse");
    TCase *c = tcase_create("constructs");
    tcase_add_test(c, test_parse_words);
    tcase_add_test(c, test_parse_precedence);
    tcase_add_test(c, test_parse_not);
    tcase_add_test(c, test_parse_phrases);
    tcase_add_test(c, test_parse_near);
    tcase_add_test(c, test_parse_fields);
    tcase_add_test(c, test_parse_prefix);
    tcase_add_test(c, test_parse_dates);
    tcase_add_test(c, test_parse_natural);
    tcase_add_test(c, test_parse_equal);
    suite_add_tcase(s, c);
    c = tcase_create("errors");
    tcase_add_test(c, test_parse_errors);
    tcase_add_test(c, test_parse_error_buffers);
    tcase_add_test(c, test_query_check);
    suite_add_tcase(s, c);
    c = tcase_create("robustness");
    tcase_set_timeout(c, 120);
    tcase_add_test(c, test_parse_depth);
    tcase_add_test(c, test_parse_long);
    tcase_add_test(c, test_parse_random);
    tcase_add_test(c, test_parse_oom);
    suite_add_tcase(s, c);
    return s;
}

MORGUE_CHECK_MAIN(parse_suite)
