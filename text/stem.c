/* stem.c: Snowball stemmers (libstemmer) behind stem.h, plus "none". */
#include "text/stem.h"

#include <libstemmer.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "morgue.h"

struct stemmer {
    struct sb_stemmer *sb; /* owned; NULL for "none" */
    char *copy;            /* owned; result buffer of "none" */
    size_t cap;            /* bytes allocated at copy */
    int strips_prefixes;   /* the algorithm may change a word's start */
};

/* libstemmer answers NULL both for an unknown name and for OOM; its list
 * of canonical names tells the two apart. Aliases ("en") are accepted too,
 * but an OOM while creating one reads as MORGUE_EINVAL. */
static int known(const char *lang)
{
    for (const char **l = sb_stemmer_list(); *l; l++)
        if (strcmp(*l, lang) == 0)
            return 1;
    return 0;
}

int stemmer_new(stemmer **out, const char *lang)
{
    if (!out)
        return MORGUE_EINVAL;
    *out = NULL;
    if (!lang)
        return MORGUE_EINVAL;
    stemmer *s = calloc(1, sizeof *s);
    if (!s)
        return MORGUE_ENOMEM;
    /* Algorithms that remove prefixes (Arabic "al-", Indonesian "me-",
     * Irish mutations) or rewrite initial letters. */
    static const char *prefixers[] = { "arabic", "ar", "ara", "indonesian",
                                       "id", "ind", "irish", "ga", "gle",
                                       "greek", "el", "ell", "gre", NULL };
    for (const char **p = prefixers; *p; p++)
        if (strcmp(*p, lang) == 0)
            s->strips_prefixes = 1;
    if (strcmp(lang, "none") != 0) {
        s->sb = sb_stemmer_new(lang, "UTF_8");
        if (!s->sb) {
            free(s);
            return known(lang) ? MORGUE_ENOMEM : MORGUE_EINVAL;
        }
    }
    *out = s;
    return MORGUE_OK;
}

/* "none" copies the word so that its result has the lifetime stem.h
 * promises, like a real stemmer's. */
static const char *identity(stemmer *s, const char *w, size_t len)
{
    if (len + 1 > s->cap) {
        size_t cap = len + 1 < 128 ? 128 : len + 1;
        char *p = realloc(s->copy, cap);
        if (!p)
            return w; /* still valid for the caller right now */
        s->copy = p;
        s->cap = cap;
    }
    memcpy(s->copy, w, len);
    s->copy[len] = '\0';
    return s->copy;
}

const char *stemmer_stem(stemmer *s, const char *w, size_t len,
                         size_t *out_len)
{
    *out_len = len;
    if (!s->sb || len == 0 || len > INT_MAX)
        return identity(s, w, len);
    const sb_symbol *r = sb_stemmer_stem(s->sb, (const sb_symbol *)w,
                                         (int)len);
    if (!r) /* OOM inside libstemmer: the unstemmed word beats nothing */
        return identity(s, w, len);
    *out_len = (size_t)sb_stemmer_length(s->sb);
    return (const char *)r;
}

int stemmer_strips_prefixes(const stemmer *s)
{
    return s ? s->strips_prefixes : 1;
}

void stemmer_free(stemmer *s)
{
    if (!s)
        return;
    sb_stemmer_delete(s->sb);
    free(s->copy);
    free(s);
}

/* Room for libstemmer's list (29 names in 2.2) and "none". */
#define MAX_LANGS 127

static const char *langs[MAX_LANGS + 2];
static pthread_once_t langs_once = PTHREAD_ONCE_INIT;

static void langs_init(void)
{
    size_t n = 0;
    for (const char **l = sb_stemmer_list(); *l && n < MAX_LANGS; l++)
        langs[n++] = *l;
    langs[n++] = "none";
    langs[n] = NULL;
}

const char **stemmer_languages(void)
{
    pthread_once(&langs_once, langs_init);
    return langs;
}
