/* lang.h: the language of an article: ISO 639-1 codes, the Snowball
 * stemmer of each, an index's language mode, and detection.
 *
 * A language is stored as a lang_code: its two-letter ISO 639-1 code
 * packed in 16 bits (first letter in the low byte), 0 for "und" (not
 * known). Packing the letters, not an index into a table, keeps the
 * stored value meaningful to any later library whatever its table.
 *
 * Detection uses libexttextcat (LibreOffice's n-gram language guesser,
 * Debian's libexttextcat-data fingerprints) restricted to the languages
 * of lang_table(): fewer fingerprints are both faster and less often
 * confused with a rare neighbour. docs/ARCHITECTURE.md ("Languages")
 * gives the measured accuracy and why this library was chosen.
 */
#ifndef MORGUE_TEXT_LANG_H
#define MORGUE_TEXT_LANG_H

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

typedef uint16_t lang_code;

#define LANG_UND 0
#define LANG_CODE(a, b) ((lang_code)((unsigned)(a) | (unsigned)(b) << 8))

/* Texts with fewer letters than this are not detected: the index's
 * default language is taken (a headline alone says too little). */
#define LANG_MIN_LETTERS 40

/* One language morgue knows by name. */
typedef struct lang_info {
    char code[3];          /* ISO 639-1, lower case */
    const char *snowball;  /* libstemmer algorithm, NULL when none */
} lang_info;

/* The languages, NULL-terminated by an entry with code[0] == 0. */
const lang_info *lang_table(void);

/* The entry of c, or NULL when c is und or not in the table. */
const lang_info *lang_find(lang_code c);

/* The code of a language tag as inputs declare it: "en", "EN-gb",
 * "pt_BR", "de-CH-1996"; LANG_UND when its primary subtag is not two
 * letters (or is "und", "mul", ...) . Any two-letter code is kept, known
 * to lang_table() or not. */
lang_code lang_parse(const char *p, size_t n);

/* "en", or "und" for LANG_UND: out needs 4 bytes. */
void lang_name(lang_code c, char out[4]);

/* The code whose Snowball stemmer is algo ("english", "porter" -> en);
 * LANG_UND for "none" or an unknown name. */
lang_code lang_of_stemmer(const char *algo);

/* ---- an index's language mode (the MANIFEST's language string) ----
 *
 * "auto:ALGO": every article's language is detected (or taken from the
 *              input), and ALGO (a Snowball name) is the index's default,
 *              for short texts and undetermined ones. A new index gets
 *              "auto:english" unless a language is forced.
 * "ALGO":      one stemmer forced for every article (indexes of before
 *              per-article languages read this way too). */
typedef struct lang_mode {
    int detect;            /* 1 for "auto:" */
    char algo[56];         /* the default (or forced) Snowball algorithm */
    lang_code dflt;        /* its code (LANG_UND for "none") */
} lang_mode;

/* MORGUE_OK, or MORGUE_EINVAL when the string is too long. The stemmer
 * name is not checked here. */
int lang_mode_parse(lang_mode *m, const char *s);

/* ---- detection ---- */

typedef struct lang_detector lang_detector;

/* Loads the fingerprints. MORGUE_EIO (message in e) when the data files
 * are missing, MORGUE_ENOMEM. */
int lang_detector_new(lang_detector **out, errmsg *e);

/* The language of text (UTF-8): LANG_UND when the detector cannot tell,
 * dflt when the text is too short to try. Looks at most at the first
 * few kilobytes. Not thread-safe: one detector per thread. */
lang_code lang_detect(lang_detector *d, const char *text, size_t len,
                      lang_code dflt);

/* NULL allowed. */
void lang_detector_free(lang_detector *d);

#endif
