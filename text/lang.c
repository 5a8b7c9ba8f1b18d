/* lang.c: language codes and the index's language mode (detection is
 * langdetect.c). */
#include "text/lang.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "morgue.h"
#include "util/utf8.h"

/* The languages known by name: those of the news that Snowball stems,
 * and the neighbours they would otherwise be mistaken for (Ukrainian and
 * Bulgarian beside Russian, Polish, Czech and Slovak beside each other)
 * so that those articles are told apart and left unstemmed rather than
 * stemmed as Russian. Which are detected: prints[] below. */
static const lang_info table[] = {
    { "en", "english" },      { "de", "german" },
    { "fr", "french" },       { "es", "spanish" },
    { "it", "italian" },      { "pt", "portuguese" },
    { "nl", "dutch" },        { "sv", "swedish" },
    { "da", "danish" },       { "nb", "norwegian" },
    { "no", "norwegian" },    { "nn", "norwegian" },
    { "fi", "finnish" },      { "hu", "hungarian" },
    { "ro", "romanian" },     { "tr", "turkish" },
    { "ru", "russian" },      { "el", "greek" },
    { "ca", "catalan" },      { "eu", "basque" },
    { "ga", "irish" },        { "lt", "lithuanian" },
    { "sr", "serbian" },      { "ar", "arabic" },
    { "id", "indonesian" },   { "hi", "hindi" },
    { "hy", "armenian" },     { "ta", "tamil" },
    { "ne", "nepali" },       { "yi", "yiddish" },
    { "uk", NULL },           { "bg", NULL },
    { "pl", NULL },           { "cs", NULL },
    { "sk", NULL },           { "hr", NULL },
    { "sl", NULL },           { "lv", NULL },
    { "et", NULL },           { "he", NULL },
    { "fa", NULL },           { "zh", NULL },
    { "ja", NULL },           { "ko", NULL },
    { "kk", NULL },           { "be", NULL },
    { "", NULL },
};

const lang_info *lang_table(void)
{
    return table;
}

const lang_info *lang_find(lang_code c)
{
    if (c == LANG_UND)
        return NULL;
    for (const lang_info *l = table; l->code[0]; l++)
        if (LANG_CODE(l->code[0], l->code[1]) == c)
            return l;
    return NULL;
}

lang_code lang_parse(const char *p, size_t n)
{
    size_t k = 0;
    while (k < n && isalpha((unsigned char)p[k]))
        k++;
    if (k != 2 || (k < n && p[k] != '-' && p[k] != '_'))
        return LANG_UND;
    return LANG_CODE(tolower((unsigned char)p[0]),
                     tolower((unsigned char)p[1]));
}

void lang_name(lang_code c, char out[4])
{
    if (c == LANG_UND || !islower(c & 0xff) || !islower(c >> 8)) {
        memcpy(out, "und", 4);
        return;
    }
    out[0] = (char)(c & 0xff);
    out[1] = (char)(c >> 8);
    out[2] = '\0';
}

lang_code lang_of_stemmer(const char *algo)
{
    if (!algo)
        return LANG_UND;
    if (strcmp(algo, "porter") == 0)
        return LANG_CODE('e', 'n');
    for (const lang_info *l = table; l->code[0]; l++)
        if (l->snowball && strcmp(l->snowball, algo) == 0)
            return LANG_CODE(l->code[0], l->code[1]);
    /* libstemmer also takes codes as names ("en", "ru") */
    return strlen(algo) == 2 && lang_find(lang_parse(algo, 2))
               ? lang_parse(algo, 2)
               : LANG_UND;
}

int lang_mode_parse(lang_mode *m, const char *s)
{
    memset(m, 0, sizeof *m);
    if (strncmp(s, "auto", 4) == 0 && (s[4] == '\0' || s[4] == ':')) {
        m->detect = 1;
        s = s[4] ? s + 5 : "english";
    }
    if (strlen(s) >= sizeof m->algo)
        return MORGUE_EINVAL;
    strcpy(m->algo, s);
    m->dflt = lang_of_stemmer(s);
    return MORGUE_OK;
}
