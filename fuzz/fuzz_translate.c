/* fuzz_translate.c: every query that parses translates to Sphinx query
 * text without crashing or leaking, in both modes and with and without
 * known date bounds; the text (and an OR's all-of text) has balanced
 * parentheses and quotes, holds
 * no NUL or control byte, and a success leaves something to run (a
 * MATCH text, or a date filter for a date-only query); a tree that
 * query_check passes is never refused for having nothing to search.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/translate.h"
#include "morgue.h"
#include "searcher/query.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void balanced(const buf *m)
{
    long depth = 0;
    size_t quotes = 0;
    for (size_t i = 0; i < m->len; i++) {
        unsigned char c = (unsigned char)m->ptr[i];
        if (c < 0x20)
            abort();
        depth += c == '(';
        depth -= c == ')';
        quotes += c == '"';
        if (depth < 0)
            abort();
    }
    if (depth != 0 || quotes % 2)
        abort();
}

static void check(const translation *t)
{
    balanced(&t->match);
    balanced(&t->match_all); /* an OR's all-of text likewise */
    if (t->match_all.len && !t->scored_or)
        abort();
    if (t->match.len == 0 && t->from == INT64_MIN && t->to == INT64_MAX)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *q = malloc(size + 1);
    if (!q)
        return 0;
    memcpy(q, data, size);
    q[size] = '\0';
    stemmer *stem = NULL;
    if (stemmer_new(&stem, "english")) {
        free(q);
        return 0;
    }
    for (unsigned flags = 0; flags <= QUERY_NATURAL; flags += QUERY_NATURAL) {
        qnode *n = NULL;
        char err[256];
        size_t at;
        if (query_parse(q, flags, &n, err, sizeof err, &at) != MORGUE_OK)
            continue;
        int valid = query_check(n, err, sizeof err, &at) == MORGUE_OK;
        for (int bounds = 0; bounds < 2; bounds++) {
            translation t;
            /* with name variants in one pass, without in the other */
            int rc = bounds ? translate(n, stem, "english", 536457600,
                                        1732924800, 1, &t)
                            : translate(n, stem, "english", INT64_MIN,
                                        INT64_MIN, 0, &t);
            if (rc == MORGUE_OK)
                check(&t);
            else if (rc != MORGUE_EQUERY && rc != MORGUE_ENOMEM)
                abort();
            /* what query_check passes, the cluster can search (or it
             * says which part it cannot) */
            if (rc == MORGUE_EQUERY && valid && !t.refused)
                abort();
            translation_free(&t);
        }
        query_free(n);
    }
    stemmer_free(stem);
    free(q);
    return 0;
}
