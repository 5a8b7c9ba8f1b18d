/* stem.h: Snowball stemming through libstemmer. */
#ifndef MORGUE_TEXT_STEM_H
#define MORGUE_TEXT_STEM_H

#include <stddef.h>

typedef struct stemmer stemmer;

/* Stemmer for the libstemmer algorithm named lang ("english", "french",
 * "russian", ... or "none" for no stemming). Returns MORGUE_OK,
 * MORGUE_EINVAL for an unknown name, MORGUE_ENOMEM. */
int stemmer_new(stemmer **out, const char *lang);

/* Stem of the normalised word (w, len). The result is owned by the
 * stemmer and valid until the next call on it. */
const char *stemmer_stem(stemmer *s, const char *w, size_t len,
                         size_t *out_len);

/* 0 when every stem keeps its word's first byte (all but the algorithms
 * that strip or rewrite prefixes): callers may then skip stemming words
 * that cannot match. */
int stemmer_strips_prefixes(const stemmer *s);

/* NULL allowed. */
void stemmer_free(stemmer *s);

/* NULL-terminated list of algorithm names libstemmer offers, plus
 * "none". Static. */
const char **stemmer_languages(void);

#endif
