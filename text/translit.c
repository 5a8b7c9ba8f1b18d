/* translit.c: Cyrillic and Greek names folded to Latin keys with ICU's
 * transliterators (translit.h says which and why). */
#include "text/translit.h"

#include <stdlib.h>
#include <string.h>

#include <unicode/ustring.h>
#include <unicode/utrans.h>

#include "morgue.h"
#include "util/utf8.h"

/* The romanisations, by the article's language; the first Cyrillic one
 * is the default for any other language. */
static const struct scheme {
    lang_code lang;
    const char *id;
} schemes[] = {
    { LANG_CODE('r', 'u'), "Russian-Latin/BGN; Any-Latin; Latin-ASCII" },
    { LANG_CODE('u', 'k'), "Ukrainian-Latin/BGN; Any-Latin; Latin-ASCII" },
    { LANG_CODE('b', 'e'), "Belarusian-Latin/BGN; Any-Latin; Latin-ASCII" },
    { LANG_CODE('b', 'g'), "Bulgarian-Latin/BGN; Any-Latin; Latin-ASCII" },
    { LANG_CODE('k', 'k'), "Kazakh-Latin/BGN; Any-Latin; Latin-ASCII" },
    { LANG_CODE('s', 'r'), "Serbian-Latin/BGN; Any-Latin; Latin-ASCII" },
    { LANG_CODE('m', 'k'), "Macedonian-Latin/BGN; Any-Latin; Latin-ASCII" },
    { LANG_CODE('e', 'l'), "Greek-Latin/BGN; Any-Latin; Latin-ASCII" },
};
#define N_SCHEMES (sizeof schemes / sizeof *schemes)
#define GREEK (N_SCHEMES - 1)

struct translit {
    UTransliterator *tr[N_SCHEMES]; /* opened when first used */
    int failed[N_SCHEMES];          /* 1: ICU could not open it */
};

int translit_new(translit **out, errmsg *e)
{
    *out = calloc(1, sizeof **out);
    return *out ? MORGUE_OK : err_set(e, MORGUE_ENOMEM, "out of memory");
}

void translit_free(translit *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < N_SCHEMES; i++)
        if (t->tr[i])
            utrans_close(t->tr[i]);
    free(t);
}

static uint32_t first_cp(const char *w, size_t n)
{
    const unsigned char *p = (const unsigned char *)w;
    size_t l = utf8_seq_len(p, n);
    if (l != 2)
        return 0; /* Cyrillic and Greek letters are all two bytes */
    return (uint32_t)(p[0] & 0x1F) << 6 | (p[1] & 0x3F);
}

int translit_script(const char *w, size_t n)
{
    uint32_t c = first_cp(w, n);
    if (c >= 0x400 && c <= 0x4FF) /* Cyrillic */
        return (c <= 0x42F || (c >= 0x460 && !(c & 1))) ? 2 : 1;
    if (c >= 0x386 && c <= 0x3CE && c != 0x387) /* Greek */
        return c <= 0x3AB ? 2 : 1;
    return 0;
}

size_t translit_key(const char *w, size_t n, char *out)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)w[i];
        if (c >= 0x80)
            return 0;
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c + 32);
        if (c < 'a' || c > 'z')
            continue; /* apostrophes of soft signs, digits */
        if (c == 'y')
            c = 'i';
        if (k > 0 && out[k - 1] == (char)c)
            continue;
        if (k == TRANSLIT_MAX)
            break;
        out[k++] = (char)c;
    }
    while (k > 0 && strchr("aeiou", out[k - 1]))
        k--;
    return k;
}

/* The transliterator for a word of script sc (1 Cyrillic, else Greek) in
 * language lang; NULL when ICU has none. */
static UTransliterator *scheme(translit *t, lang_code lang, int greek)
{
    size_t s = 0;
    if (greek)
        s = GREEK;
    else
        for (size_t i = 0; i < GREEK; i++)
            if (schemes[i].lang == lang)
                s = i;
    if (!t->tr[s] && !t->failed[s]) {
        UChar id[96];
        UErrorCode st = U_ZERO_ERROR;
        u_strFromUTF8(id, 96, NULL, schemes[s].id, -1, &st);
        if (U_SUCCESS(st))
            t->tr[s] = utrans_openU(id, -1, UTRANS_FORWARD, NULL, 0, NULL,
                                    &st);
        if (U_FAILURE(st)) {
            t->tr[s] = NULL;
            t->failed[s] = 1;
        }
    }
    return t->tr[s];
}

size_t translit_fold(translit *t, lang_code lang, const char *w, size_t n,
                     char *out)
{
    uint32_t c = first_cp(w, n);
    UTransliterator *tr = scheme(t, lang, c >= 0x370 && c < 0x400);
    if (!tr || n > 4 * TRANSLIT_MAX)
        return 0;
    UChar u[4 * TRANSLIT_MAX + 16]; /* room for the Latin, longer */
    int32_t len = 0;
    UErrorCode st = U_ZERO_ERROR;
    u_strFromUTF8(u, (int32_t)(sizeof u / sizeof *u), &len, w, (int32_t)n,
                  &st);
    if (U_FAILURE(st))
        return 0;
    int32_t limit = len;
    utrans_transUChars(tr, u, &len, (int32_t)(sizeof u / sizeof *u), 0,
                       &limit, &st);
    if (U_FAILURE(st))
        return 0;
    char a[4 * TRANSLIT_MAX + 16];
    size_t k = 0;
    for (int32_t i = 0; i < len && k < sizeof a; i++)
        if (u[i] < 0x80)
            a[k++] = (char)u[i];
        else
            return 0; /* a letter ICU left as it was: no key */
    return translit_key(a, k, out);
}
