/* stopwords.h: the function words a natural-language question drops
 * ("what", "the", "of"): they match nearly every article and dilute the
 * ranking. Only the query side uses them; every word stays indexed, so
 * phrases and the strict language still find "state of emergency".
 *
 * English's list is written here (stopwords.c). Debian's libstemmer ships
 * the Snowball algorithms without the Snowball project's stopword lists;
 * those come from liblingua-stopwords-perl, turned into a header at build
 * time by scripts/stopwords.pl: Danish, Dutch, Finnish, French, German,
 * Hungarian, Indonesian, Italian, Norwegian, Portuguese, Romanian,
 * Russian, Spanish, Swedish. Other languages keep every word. */
#ifndef MORGUE_TEXT_STOPWORDS_H
#define MORGUE_TEXT_STOPWORDS_H

#include <stddef.h>

/* 1 when the normalised (case-folded) word w[0, n) is a stopword of the
 * stemmer language lang ("english", "porter"; "none" and others have
 * none). */
int stopword_is(const char *lang, const char *w, size_t n);

/* 1 when w[0, n) is in l[0, count), a list from stopword_list (NULL:
 * none). */
int stopword_in(const char *const *l, size_t count, const char *w,
                size_t n);

/* The list of lang, sorted bytewise, and its length in *n; NULL (and 0)
 * when the language has none. Static. */
const char *const *stopword_list(const char *lang, size_t *n);

#endif
