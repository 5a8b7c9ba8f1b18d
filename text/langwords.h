/* langwords.h: a text told English by its function words, before the
 * n-gram method (langdetect.c) is asked (langwords.c).
 *
 * The n-gram profile costs ~25 us a text, the largest part of indexing an
 * article of a wire service; most articles of an English archive say
 * "the", "and", "that", "with", "said" on every line. A text whose words
 * are at least 1 in 14 such words, whose markers of other languages ("de",
 * "und", "het", "och", "est"...) are fewer than a fifth of those, and
 * which has almost no letters outside ASCII, is English; anything else is
 * left to the n-grams. The bar is set so that it answers only what the
 * n-gram method also answers English (benchmarks/langdetect, and
 * tests/unit/check_text.c: every language's samples of tests/data/langs). */
#ifndef MORGUE_TEXT_LANGWORDS_H
#define MORGUE_TEXT_LANGWORDS_H

#include <stddef.h>

/* 1 when text[0, len) is surely English by the rule above, else 0. */
int langwords_english(const char *text, size_t len);

#endif
