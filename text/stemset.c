/* stemset.c: a stemmer per language, made when first asked for. */
#include "text/stemset.h"

#include <string.h>

#include "morgue.h"

int stemset_init(stemset *s, const char *mode)
{
    memset(s, 0, sizeof *s);
    if (lang_mode_parse(&s->mode, mode))
        return MORGUE_EINVAL;
    return stemmer_new(&s->dflt, s->mode.algo);
}

lang_code stemset_lang(const stemset *s, lang_code c)
{
    return !s->mode.detect || c == LANG_UND ? s->mode.dflt : c;
}

stemmer *stemset_get(stemset *s, lang_code c)
{
    if (!s->mode.detect || c == LANG_UND || c == s->mode.dflt)
        return s->dflt;
    for (size_t i = 0; i < s->n; i++)
        if (s->codes[i] == c)
            return s->stems[i] ? s->stems[i] : s->dflt;
    const lang_info *l = lang_find(c);
    stemmer *st = NULL;
    if (stemmer_new(&st, l && l->snowball ? l->snowball : "none"))
        return s->dflt; /* OOM: stemmed as the default, still findable */
    if (s->n == STEMSET_MAX) { /* not kept: a new one each time is slow
                                  but right; 64 languages is not news */
        stemmer_free(s->stems[s->n - 1]);
        s->n--;
    }
    s->codes[s->n] = c;
    s->stems[s->n++] = st;
    return st;
}

void stemset_free(stemset *s)
{
    stemmer_free(s->dflt);
    for (size_t i = 0; i < s->n; i++)
        stemmer_free(s->stems[i]);
    memset(s, 0, sizeof *s);
}
