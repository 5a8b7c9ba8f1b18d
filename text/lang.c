/* lang.c: language codes, the index's language mode, and detection
 * through libexttextcat. */
#include "text/lang.h"

#include <ctype.h>
#include <errno.h>
#include <libexttextcat/textcat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "morgue.h"
#include "util/utf8.h"

#ifndef MORGUE_TEXTCAT_DIR
#define MORGUE_TEXTCAT_DIR "/usr/share/libexttextcat/"
#endif

/* The languages detected: those of the news that Snowball stems, and
 * the neighbours they would otherwise be mistaken for (Ukrainian and
 * Bulgarian beside Russian, Polish, Czech and Slovak beside each other)
 * so that those articles are told apart and left unstemmed rather than
 * stemmed as Russian. Serbian has two fingerprints, one per script. */
static const lang_info table[] = {
    { "en", "english", "en.lm" },     { "de", "german", "de.lm" },
    { "fr", "french", "fr.lm" },      { "es", "spanish", "es.lm" },
    { "it", "italian", "it.lm" },     { "pt", "portuguese", "pt.lm" },
    { "nl", "dutch", "nl.lm" },       { "sv", "swedish", "sv.lm" },
    { "da", "danish", "da.lm" },      { "nb", "norwegian", "nb.lm" },
    { "no", "norwegian", NULL },      { "nn", "norwegian", NULL },
    { "fi", "finnish", "fi.lm" },     { "hu", "hungarian", "hu.lm" },
    { "ro", "romanian", "ro.lm" },    { "tr", "turkish", "tr.lm" },
    { "ru", "russian", "ru.lm" },     { "el", "greek", "el.lm" },
    { "ca", "catalan", "ca.lm" },     { "eu", "basque", "eu.lm" },
    { "ga", "irish", "ga.lm" },       { "lt", "lithuanian", "lt.lm" },
    { "sr", "serbian", "sr-Latn.lm" },{ "ar", "arabic", "ar.lm" },
    { "id", "indonesian", "id.lm" },  { "hi", "hindi", "hi.lm" },
    { "hy", "armenian", "hy.lm" },    { "ta", "tamil", NULL },
    { "ne", "nepali", NULL },         { "yi", "yiddish", NULL },
    { "uk", NULL, "uk.lm" },          { "bg", NULL, "bg.lm" },
    { "pl", NULL, "pl.lm" },          { "cs", NULL, "cs.lm" },
    { "sk", NULL, "sk.lm" },          { "hr", NULL, "hr.lm" },
    { "sl", NULL, "sl.lm" },          { "lv", NULL, "lv.lm" },
    { "et", NULL, "et.lm" },          { "he", NULL, "he.lm" },
    { "fa", NULL, "fa.lm" },          { "zh", NULL, "zh-Hans.lm" },
    { "ja", NULL, "ja.lm" },          { "ko", NULL, "ko.lm" },
    { "kk", NULL, "kk.lm" },          { "be", NULL, "be.lm" },
    { "", NULL, NULL },
};

/* A second fingerprint for a language already in table[]. */
static const struct { const char *file, *code; } extra_prints[] = {
    { "sr-Cyrl.lm", "sr" },
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

/* ---- detection ---- */

struct lang_detector {
    void *tc;              /* textcat handle */
    candidate_t *cand;     /* its result array */
};

/* libexttextcat reads its model list from a file: we write one naming the
 * fingerprints of table[] (by our codes, so results need no mapping). */
static int write_conf(char *path, size_t cap, errmsg *e)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(path, cap, "%s/morgue-textcat-XXXXXX",
             tmp && *tmp ? tmp : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0)
        return err_set(e, MORGUE_EIO, "%s: %s", path, strerror(errno));
    FILE *f = fdopen(fd, "w");
    if (!f) {
        close(fd);
        unlink(path);
        return err_set(e, MORGUE_EIO, "%s: %s", path, strerror(errno));
    }
    for (const lang_info *l = table; l->code[0]; l++)
        if (l->fingerprint)
            fprintf(f, "%s %s\n", l->fingerprint, l->code);
    for (size_t i = 0; i < sizeof extra_prints / sizeof *extra_prints; i++)
        fprintf(f, "%s %s\n", extra_prints[i].file, extra_prints[i].code);
    if (fclose(f) != 0) {
        unlink(path);
        return err_set(e, MORGUE_EIO, "%s: %s", path, strerror(errno));
    }
    return MORGUE_OK;
}

int lang_detector_new(lang_detector **out, errmsg *e)
{
    *out = NULL;
    lang_detector *d = calloc(1, sizeof *d);
    if (!d)
        return err_set(e, MORGUE_ENOMEM, "out of memory");
    char conf[4096];
    int rc = write_conf(conf, sizeof conf, e);
    if (rc) {
        free(d);
        return rc;
    }
    d->tc = special_textcat_Init(conf, MORGUE_TEXTCAT_DIR);
    unlink(conf);
    if (!d->tc) {
        free(d);
        return err_set(e, MORGUE_EIO,
                       "cannot load the language fingerprints from %s "
                       "(Debian package libexttextcat-data)",
                       MORGUE_TEXTCAT_DIR);
    }
    d->cand = textcat_GetClassifyFullOutput(d->tc);
    if (!d->cand) {
        lang_detector_free(d);
        return err_set(e, MORGUE_ENOMEM, "out of memory");
    }
    *out = d;
    return MORGUE_OK;
}

/* Letters in text, counted up to LANG_MIN_LETTERS. */
static size_t letters(const char *p, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n && k < LANG_MIN_LETTERS; i++) {
        unsigned char c = (unsigned char)p[i];
        k += isalpha(c) || c >= 0xC0; /* ASCII letters, starts of others */
    }
    return k;
}

/* Bytes of text looked at: enough for a sure guess, and libexttextcat's
 * time grows with it. */
#define DETECT_BYTES 600


lang_code lang_detect(lang_detector *d, const char *text, size_t len,
                      lang_code dflt)
{
    if (letters(text, len) < LANG_MIN_LETTERS)
        return dflt;
    if (len > DETECT_BYTES) { /* cut at a character boundary */
        len = DETECT_BYTES;
        while (len > 0 && ((unsigned char)text[len] & 0xC0) == 0x80)
            len--;
    }
    int n = textcat_ClassifyFull(d->tc, text, len, d->cand);
    if (n == TEXTCAT_RESULT_SHORT)
        return dflt;
    if (n <= 0 || !d->cand[0].name)
        return LANG_UND; /* too many near-equal candidates */
    /* libexttextcat answers UNKNOWN itself when too many languages come
     * within a few percent of the best. A stricter rule of ours (the
     * runner-up within 0.5% or 1% -> und) was measured: it turned more
     * right answers into und than wrong ones (benchmarks/langdetect). */
    return lang_parse(d->cand[0].name, strlen(d->cand[0].name));
}

void lang_detector_free(lang_detector *d)
{
    if (!d)
        return;
    if (d->cand)
        textcat_ReleaseClassifyFullOutput(d->tc, d->cand);
    if (d->tc)
        textcat_Done(d->tc);
    free(d);
}
