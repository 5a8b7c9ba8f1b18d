/* fuzz_query.c: any bytes parse or fail cleanly in the strict grammar (no
 * crash, hang or leak; a failure gives MORGUE_EQUERY, a one-line message
 * and a position inside the query) and always parse in the natural-
 * language grammar; a parsed query, in either grammar, has the tree shape
 * query.h promises, and prints and re-parses with the same grammar to an
 * equal tree that prints to the same text.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "morgue.h"
#include "searcher/query.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The shape parse.c guarantees to the evaluator. */
static void check_shape(const qnode *n, const qnode *parent, int depth)
{
    if (depth > 64)
        abort();
    if (n->kind == Q_MAYBE || (n->kind == Q_TEXT && parent))
        abort();
    if (parent && parent->kind == Q_TEXT &&
        ((n->kind != Q_WORD && n->kind != Q_PHRASE) || n->field != QF_ANY))
        abort();
    if (n->kind == Q_NOT && (!parent || parent->kind != Q_AND))
        abort();
    switch (n->kind) {
    case Q_WORD:
    case Q_PREFIX:
        if (!n->text || !n->text[0] || n->n_kids || n->n_words)
            abort();
        if (n->kind == Q_PREFIX && strlen(n->text) < 2)
            abort();
        break;
    case Q_PHRASE:
    case Q_NEAR:
        if (n->n_words < (n->kind == Q_NEAR ? 2u : 1u) || n->n_kids ||
            n->field == QF_SOURCE || n->field == QF_TAG)
            abort();
        for (size_t i = 0; i < n->n_words; i++)
            if (!n->words[i] || !n->words[i][0])
                abort();
        if (n->kind == Q_NEAR && (n->near < 1 || n->near > 1000))
            abort();
        break;
    case Q_DATE:
        if (n->from > n->to || n->n_kids || n->field != QF_ANY)
            abort();
        break;
    case Q_AND: {
        int positive = 0;
        if (n->n_kids < 2 || n->field != QF_ANY)
            abort();
        for (size_t i = 0; i < n->n_kids; i++) {
            if (n->kids[i]->kind == Q_AND)
                abort();
            positive |= n->kids[i]->kind != Q_NOT;
        }
        if (!positive)
            abort();
        break;
    }
    case Q_OR:
        if (n->n_kids < 2 || n->field != QF_ANY)
            abort();
        for (size_t i = 0; i < n->n_kids; i++)
            if (n->kids[i]->kind == Q_OR)
                abort();
        break;
    case Q_NOT:
        if (n->n_kids != 1 || n->field != QF_ANY)
            abort();
        break;
    case Q_TEXT:
        if (n->field != QF_ANY)
            abort();
        break;
    default:
        abort();
    }
    for (size_t i = 0; i < n->n_kids; i++)
        check_shape(n->kids[i], n, depth + 1);
}

static void check_one(const char *q, size_t len, unsigned flags)
{
    qnode *n = NULL, *m = NULL;
    char err[256];
    size_t pos = 12345;
    int rc = query_parse(q, flags, &n, err, sizeof err, &pos);
    if (rc != MORGUE_OK) {
        if ((flags & QUERY_NATURAL) || rc != MORGUE_EQUERY || n || !err[0] ||
            strchr(err, '\n') || pos > len)
            abort();
        return;
    }
    if (!n)
        abort();
    check_shape(n, NULL, 1);

    buf a = BUF_INIT, b = BUF_INIT;
    query_print(n, &a);
    if (a.oom)
        abort();
    const char *printed = buf_cstr(&a);
    if (query_parse(printed, flags, &m, err, sizeof err, &pos) != MORGUE_OK)
        abort();
    if (!query_equal(n, m) || !query_equal(m, n))
        abort();
    query_print(m, &b);
    if (b.len != a.len || (a.len && memcmp(a.ptr, b.ptr, a.len) != 0))
        abort();
    query_free(m);
    m = NULL;
    buf_free(&a);
    buf_free(&b);
    query_free(n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *q = malloc(size + 1);
    if (!q)
        return 0;
    memcpy(q, data, size);
    q[size] = '\0';
    size_t len = strlen(q); /* the parser sees up to the first NUL */
    check_one(q, len, 0);
    check_one(q, len, QUERY_NATURAL);
    free(q);
    return 0;
}
