/* qcheck.c: the one check of a parsed tree's shape (query.h,
 * query_check), shared by the local planner and the cluster's translator
 * so that both refuse the same queries with the same words. It decides
 * from the tree alone (and the tokenizer), never from an index: a word
 * that no article holds is a valid query that finds nothing. */
#include <stdio.h>
#include <string.h>

#include "morgue.h"
#include "searcher/query.h"
#include "text/lang.h"
#include "text/tokenize.h"

typedef struct checker {
    char *err;
    size_t err_len;
    size_t *err_pos;
    int rc;
} checker;

static size_t tokens(const char *s)
{
    tokenizer tk;
    token t;
    size_t n = 0;
    tokenizer_init(&tk, s, strlen(s));
    while (tokenizer_next(&tk, &t))
        n++;
    return n;
}

#define REFUSE(ck, pos, ...)                                                 \
    do {                                                                     \
        snprintf((ck)->err, (ck)->err_len, __VA_ARGS__);                     \
        *(ck)->err_pos = (pos);                                              \
        (ck)->rc = MORGUE_EQUERY;                                            \
    } while (0)

/* The words of a phrase (or of one run that splits into several) fit. */
static int phrase_fits(checker *ck, const qnode *q, size_t n)
{
    if (n <= MORGUE_QUERY_MAX_PHRASE)
        return 1;
    REFUSE(ck, q->pos, "query error at column %zu: a phrase of %zu words; "
                       "at most %d",
           q->pos + 1, n, MORGUE_QUERY_MAX_PHRASE);
    return 0;
}

/* 1 when q leaves something to search: a word with at least one token, a
 * date, a group with such a kid that is not an exclusion. The planner
 * drops the rest (plan.c), and so does the translator (translate.c). */
static int check(checker *ck, const qnode *q)
{
    if (ck->rc)
        return 0;
    switch (q->kind) {
    case Q_WORD:
        if (q->field == QF_LANG) { /* lang:ru, lang:pt-BR, lang:und */
            if (lang_parse(q->text, strlen(q->text)) == LANG_UND &&
                strcmp(q->text, "und") != 0) {
                REFUSE(ck, q->pos, "lang: takes a two-letter ISO 639-1 "
                                   "code such as ru, or und (column %zu)",
                       q->pos + 1);
                return 0;
            }
            return 1;
        } else {
            size_t n = tokens(q->text);
            /* source:/tag: values are one key, however many words */
            if (q->field != QF_SOURCE && q->field != QF_TAG &&
                !phrase_fits(ck, q, n))
                return 0;
            return n > 0;
        }
    case Q_PREFIX:
        if (q->field == QF_LANG) {
            REFUSE(ck, q->pos, "lang: takes a code, not a prefix (column "
                               "%zu)", q->pos + 1);
            return 0;
        }
        return tokens(q->text) > 0;
    case Q_PHRASE:
    case Q_NEAR: {
        if (q->field == QF_LANG) {
            REFUSE(ck, q->pos, "lang: takes a code, not a phrase (column "
                               "%zu)", q->pos + 1);
            return 0;
        }
        size_t n = 0;
        for (size_t i = 0; i < q->n_words; i++)
            n += tokens(q->words[i]);
        return phrase_fits(ck, q, n) && n > 0;
    }
    case Q_DATE:
        return 1;
    case Q_NOT:
        return q->n_kids && check(ck, q->kids[0]);
    case Q_TEXT: /* natural language never fails: nothing finds nothing */
        return 1;
    case Q_MAYBE:
    case Q_AND:
    case Q_OR: {
        int positive = 0;
        for (size_t i = 0; i < q->n_kids && !ck->rc; i++)
            if (check(ck, q->kids[i]) && q->kids[i]->kind != Q_NOT &&
                (q->kind != Q_MAYBE || i == 0))
                positive = 1;
        return positive;
    }
    }
    return 0;
}

int query_check(const qnode *root, char *err, size_t err_len,
                size_t *err_pos)
{
    checker ck = { err, err_len, err_pos, MORGUE_OK };
    int something = check(&ck, root);
    if (ck.rc == MORGUE_OK && !something)
        REFUSE(&ck, root->pos, "the query has no words to search for");
    return ck.rc;
}
