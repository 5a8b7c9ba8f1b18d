/* stemset.h: one Snowball stemmer per article language, made on first
 * use, for an index whose articles each have their own language.
 *
 * The stemmer of language c is lang_find(c)'s algorithm; "none" (words
 * kept as they are) for a language Snowball has no stemmer for; the
 * index's default (or forced) algorithm for LANG_UND and, when the mode
 * forces one language, for every article. */
#ifndef MORGUE_TEXT_STEMSET_H
#define MORGUE_TEXT_STEMSET_H

#include "text/lang.h"
#include "text/stem.h"

#define STEMSET_MAX 64 /* distinct languages held at once */

typedef struct stemset {
    lang_mode mode;
    stemmer *dflt;                 /* owned: mode.algo */
    lang_code codes[STEMSET_MAX];  /* languages with a stemmer made */
    stemmer *stems[STEMSET_MAX];   /* owned; NULL: the default is used */
    size_t n;
} stemset;

/* For the MANIFEST language string mode (lang.h). MORGUE_EINVAL when its
 * algorithm is unknown to libstemmer, MORGUE_ENOMEM. */
int stemset_init(stemset *s, const char *mode);

/* The language an article of declared (or detected) language c is
 * stemmed as: c itself, or the default for LANG_UND or a forced mode. */
lang_code stemset_lang(const stemset *s, lang_code c);

/* The stemmer for articles of language c (after stemset_lang); never
 * NULL: on OOM the default is returned. Owned by s. */
stemmer *stemset_get(stemset *s, lang_code c);

void stemset_free(stemset *s);

#endif
