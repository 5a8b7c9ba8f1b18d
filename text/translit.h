/* translit.h: a Cyrillic or Greek name's Latin spelling folded to a key
 * that English news spellings of the same name share, so that a Latin
 * query word finds the name in another script beyond the built-in
 * variants ("almaty" finds Алматы, "pavlodar" Павлодаре, "mitsotakis"
 * Μητσοτάκης).
 *
 * The transliteration is ICU's (Debian's libicu): for Cyrillic the BGN/PCGN
 * romanisation of the article's language (Russian-Latin/BGN when it is
 * not Ukrainian, Belarusian, Bulgarian, Kazakh or Serbian), for Greek
 * Greek-Latin/UNGEGN, then Any-Latin for what is left and Latin-ASCII.
 * BGN is the scheme closest to how English-language news spells Russian
 * names (ш sh, ж zh, х kh; ICU's default Cyrillic-Latin writes š ž h,
 * which Latin-ASCII turns into s z h: "Kokšetau" -> "koksetau").
 *
 * The key ("skeleton") smooths what romanisations and news spellings
 * still disagree on: ASCII letters only (apostrophes for soft signs
 * dropped), y read as i, a letter doubled written once, trailing vowels
 * dropped: BGN "Zelenskiy" and "Zelenskyy", news "Zelensky" all give
 * "zelensk"; Russian "Навальный" (stem навальн) and "Navalny" give
 * "navaln". The indexer folds the word's stem in its own language (case
 * endings gone: Павлодаре -> павлодар -> pavlodar), the searcher the
 * query word's stem in the index's default language.
 *
 * Threads: a translit handle is used by one thread at a time (ICU
 * transliterators are not thread-safe); distinct handles are independent.
 */
#ifndef MORGUE_TEXT_TRANSLIT_H
#define MORGUE_TEXT_TRANSLIT_H

#include <stddef.h>

#include "text/lang.h"
#include "util/error.h"

/* Longest fold key written (bytes, without a NUL). */
#define TRANSLIT_MAX 64
/* Shortest key a Latin query word is matched by: shorter ones ("mir",
 * "pan") are common words of Russian or Greek as much as names. */
#define TRANSLIT_MIN_QUERY 4

typedef struct translit translit;

/* A handle; the transliterators are opened when first needed. */
int translit_new(translit **out, errmsg *e);
void translit_free(translit *t);

/* 1 when the UTF-8 text w starts with a Cyrillic or Greek letter, 2 when
 * that letter is a capital (a name, or a sentence's first word). */
int translit_script(const char *w, size_t n);

/* The fold key of the normalised Cyrillic or Greek word w, written in a
 * language lang (its romanisation), into out (TRANSLIT_MAX bytes); its
 * length, 0 when none (nothing Latin came of it, or ICU failed). */
size_t translit_fold(translit *t, lang_code lang, const char *w, size_t n,
                     char *out);

/* The key of a Latin word (a query's stem), into out (TRANSLIT_MAX
 * bytes); its length, 0 when w has a letter that is not ASCII. */
size_t translit_key(const char *w, size_t n, char *out);

#endif
