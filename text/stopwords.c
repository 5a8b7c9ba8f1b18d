/* stopwords.c: the lists of stopwords.h. English: the closed classes of
 * the language - articles and determiners, pronouns and their possessive
 * and reflexive forms, the auxiliary and modal verbs with their inflected
 * forms, prepositions, conjunctions, the question words, and a few
 * adverbs of degree and negation - 134 words, none of which names a
 * subject ("may" and "will" are left out: a month, a testament). Kept
 * sorted (bytewise) for bsearch; a test checks the order. The other
 * languages' lists are the Snowball project's, generated at build time
 * (stopword_lists.h). */
#include "text/stopwords.h"

#include <stdlib.h>
#include <string.h>

/* The other languages' lists, made by scripts/stopwords.pl at build time
 * from Debian's liblingua-stopwords-perl (the Snowball project's lists). */
#include "stopword_lists.h"

static const struct {
    const char *algo;
    const char *const *words;
    size_t n;
} others[] = { STOPWORD_LISTS };

static const char *const english[] = {
    "a", "about", "above", "after", "again", "against", "all", "am", "an",
    "and", "any", "are", "as", "at", "be", "because", "been", "before",
    "being", "below", "between", "both", "but", "by", "can", "could", "did",
    "do", "does", "doing", "down", "during", "each", "few", "for", "from",
    "further", "had", "has", "have", "having", "he", "her", "here", "hers",
    "herself", "him", "himself", "his", "how", "i", "if", "in", "into",
    "is", "it", "its", "itself", "just", "me", "might", "more",
    "most", "must", "my", "myself", "no", "nor", "not", "of", "off", "on",
    "once", "only", "or", "other", "ought", "our", "ours", "ourselves",
    "out", "over", "own", "same", "shall", "she", "should", "so", "some",
    "such", "than", "that", "the", "their", "theirs", "them", "themselves",
    "then", "there", "these", "they", "this", "those", "through", "to",
    "too", "under", "until", "up", "upon", "us", "very", "was", "we",
    "were", "what", "when", "where", "whether", "which", "while", "who",
    "whom", "whose", "why", "with", "within", "without", "would",
    "you", "your", "yours", "yourself", "yourselves",
};

typedef struct key {
    const char *w;
    size_t n;
} key;

static int cmp(const void *k, const void *e)
{
    const key *a = k;
    const char *b = *(const char *const *)e;
    size_t bl = strlen(b);
    int r = memcmp(a->w, b, a->n < bl ? a->n : bl);
    return r ? r : (a->n > bl) - (a->n < bl);
}

const char *const *stopword_list(const char *lang, size_t *n)
{
    if (lang && (!strcmp(lang, "english") || !strcmp(lang, "porter"))) {
        *n = sizeof english / sizeof english[0];
        return english;
    }
    for (size_t i = 0; lang && i < sizeof others / sizeof *others; i++)
        if (!strcmp(lang, others[i].algo)) {
            *n = others[i].n;
            return others[i].words;
        }
    *n = 0;
    return NULL;
}

int stopword_in(const char *const *l, size_t count, const char *w,
                size_t n)
{
    key k = { w, n };
    return l && n && bsearch(&k, l, count, sizeof *l, cmp) != NULL;
}

int stopword_is(const char *lang, const char *w, size_t n)
{
    size_t count;
    const char *const *l = stopword_list(lang, &count);
    return stopword_in(l, count, w, n);
}
