/* langdetect.c: the language of a text, by the n-gram method of Cavnar
 * and Trenkle with the fingerprints of libexttextcat (LibreOffice's
 * language guesser; Debian's libexttextcat-data).
 *
 * libexttextcat's own classifier was used first and cost ~300 us CPU an
 * article (3.6x the CPU of indexing it): its profile of the text
 * (fp_Create) costs ~150 us a call whatever the length, and it compares
 * that profile with each fingerprint in turn, a merge of two sorted lists
 * of 400 strings. The same method is done here in one pass: the text's
 * n-grams are counted in a table that is stamped rather than cleared, and
 * looked up in one hash table holding every fingerprint's (language,
 * rank) pairs, so each n-gram scores all languages at once. The scores
 * and the "unknown" rule are libexttextcat's (out-of-place distance; more
 * than 5 languages within 3% of the best: unknown). Fewer languages are
 * candidates, which is both faster and more accurate:
 * - the script picks them: a Greek, Armenian, Hebrew, Devanagari, Tamil,
 *   Korean, Japanese or Chinese text needs no n-grams, a Cyrillic one is
 *   scored against the Cyrillic fingerprints, a Latin one the Latin ones;
 * - letters a language's alphabet lacks rule it out (a Russian text has
 *   no і, ї, є, ґ; a Ukrainian one no ы, э, ъ, ё: the n-grams alone took
 *   a fifth of the Ukrainian paragraphs for Russian; Italian ones took
 *   for Romanian or Catalan have ì, ù or none of their letters).
 * benchmarks/langdetect measures accuracy and time per language.
 */
#define _GNU_SOURCE /* qsort_r */
#include "text/lang.h"
#include "text/langwords.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <endian.h>
#include <unistd.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "morgue.h"
#include "util/utf8.h"

#ifndef MORGUE_TEXTCAT_DIR
#define MORGUE_TEXTCAT_DIR "/usr/share/libexttextcat/"
#endif

#define MAX_NGRAMS 400       /* libexttextcat's MAXNGRAMS */
#define OUT_OF_PLACE 400     /* its MAXOUTOFPLACE: an n-gram not there */
#define THRESHOLD 1.03       /* its THRESHOLDVALUE: within 3% of the best */
#define MAX_CANDIDATES 5     /* its MAXCANDIDATES: more than this: unknown */
#define MAX_GRAM 24          /* bytes of an n-gram (5 characters) and more */

typedef enum script {
    SC_OTHER, SC_LATIN, SC_CYRL, SC_GREEK, SC_ARMN, SC_HEBR, SC_ARAB,
    SC_DEVA, SC_TAML, SC_HANG, SC_KANA, SC_HAN, SC_N
} script;

/* The fingerprints compared, by script. foreign: Cyrillic letters the
 * language's alphabet lacks; own: the only non-ASCII Latin letters it has
 * (NULL: no rule; English and most others quote foreign names too often
 * for one); need: a text of 100 letters without one of own is not it
 * (Romanian and Catalan prose always has some). Lower case. */
static const struct print_info {
    const char *file, *code;
    script sc;
    const char *foreign, *own;
    int need;
} prints[] = {
    { "en.lm", "en", SC_LATIN, NULL, NULL, 0 },
    { "de.lm", "de", SC_LATIN, NULL, NULL, 0 },
    { "fr.lm", "fr", SC_LATIN, NULL, NULL, 0 },
    { "es.lm", "es", SC_LATIN, NULL, "áéíóúñü", 0 },
    { "it.lm", "it", SC_LATIN, NULL, "àèéìíòóùúî", 0 },
    { "pt.lm", "pt", SC_LATIN, NULL, "áâãàéêíóôõúüç", 0 },
    { "nl.lm", "nl", SC_LATIN, NULL, NULL, 0 },
    { "sv.lm", "sv", SC_LATIN, NULL, NULL, 0 },
    { "da.lm", "da", SC_LATIN, NULL, NULL, 0 },
    { "nb.lm", "nb", SC_LATIN, NULL, NULL, 0 },
    { "fi.lm", "fi", SC_LATIN, NULL, NULL, 0 },
    { "hu.lm", "hu", SC_LATIN, NULL, NULL, 0 },
    { "ro.lm", "ro", SC_LATIN, NULL, "ăâîșşțţ", 1 },
    { "tr.lm", "tr", SC_LATIN, NULL, NULL, 0 },
    { "ca.lm", "ca", SC_LATIN, NULL, "àèéíïòóúüç", 1 },
    { "eu.lm", "eu", SC_LATIN, NULL, NULL, 0 },
    { "ga.lm", "ga", SC_LATIN, NULL, NULL, 0 },
    { "lt.lm", "lt", SC_LATIN, NULL, NULL, 0 },
    { "sr-Latn.lm", "sr", SC_LATIN, NULL, NULL, 0 },
    { "id.lm", "id", SC_LATIN, NULL, NULL, 0 },
    { "pl.lm", "pl", SC_LATIN, NULL, NULL, 0 },
    { "cs.lm", "cs", SC_LATIN, NULL, NULL, 0 },
    { "sk.lm", "sk", SC_LATIN, NULL, NULL, 0 },
    { "hr.lm", "hr", SC_LATIN, NULL, NULL, 0 },
    { "sl.lm", "sl", SC_LATIN, NULL, NULL, 0 },
    { "lv.lm", "lv", SC_LATIN, NULL, NULL, 0 },
    { "et.lm", "et", SC_LATIN, NULL, NULL, 0 },
    { "ru.lm", "ru", SC_CYRL, "іїєґўәғқңөұүһђјљњћџ", NULL, 0 },
    { "uk.lm", "uk", SC_CYRL, "ыэъёўәғқңөұүһђјљњћџ", NULL, 0 },
    { "be.lm", "be", SC_CYRL, "ищъїєґәғқңөұүһђјљњћџ", NULL, 0 },
    { "bg.lm", "bg", SC_CYRL, "ыэёіїєґўәғқңөұүһђјљњћџ", NULL, 0 },
    { "kk.lm", "kk", SC_CYRL, "їєґўђјљњћџ", NULL, 0 },
    { "sr-Cyrl.lm", "sr", SC_CYRL, "ыэъёйщяюьіїєґўәғқңөұүһ", NULL, 0 },
    { "ar.lm", "ar", SC_ARAB, NULL, NULL, 0 },
    { "fa.lm", "fa", SC_ARAB, NULL, NULL, 0 },
};
#define N_PRINTS (sizeof prints / sizeof *prints)

/* Scripts that name their language without n-grams. */
static const char *const script_lang[SC_N] = {
    [SC_GREEK] = "el", [SC_ARMN] = "hy", [SC_HEBR] = "he",
    [SC_DEVA] = "hi",  [SC_TAML] = "ta", [SC_HANG] = "ko",
    [SC_KANA] = "ja",  [SC_HAN] = "zh",
};

/* The code point at p (n bytes left) and its length; invalid bytes are
 * one-byte U+FFFD. */
static uint32_t next_cp(const unsigned char *p, size_t n, size_t *len)
{
    size_t l = utf8_seq_len(p, n);
    if (l == 0) {
        *len = 1;
        return 0xFFFD;
    }
    *len = l;
    if (l == 1)
        return p[0];
    uint32_t c = p[0] & (0x7F >> l);
    for (size_t i = 1; i < l; i++)
        c = c << 6 | (p[i] & 0x3F);
    return c;
}

/* The scripts' blocks above U+00BF, in order (Latin-1 × and ÷ are no
 * letters). A code point in none is SC_OTHER. */
static const struct block {
    uint32_t lo, hi;
    script sc;
} blocks[] = {
    { 0x00C0, 0x00D6, SC_LATIN }, { 0x00D8, 0x00F6, SC_LATIN },
    { 0x00F8, 0x024F, SC_LATIN }, { 0x0370, 0x03FF, SC_GREEK },
    { 0x0400, 0x052F, SC_CYRL },  { 0x0531, 0x058F, SC_ARMN },
    { 0x0590, 0x05FF, SC_HEBR },  { 0x0600, 0x06FF, SC_ARAB },
    { 0x0750, 0x077F, SC_ARAB },  { 0x0900, 0x097F, SC_DEVA },
    { 0x0B80, 0x0BFF, SC_TAML },  { 0x1100, 0x11FF, SC_HANG },
    { 0x1E00, 0x1EFF, SC_LATIN }, { 0x1F00, 0x1FFF, SC_GREEK },
    { 0x3040, 0x30FF, SC_KANA },  { 0x3130, 0x318F, SC_HANG },
    { 0x3400, 0x4DBF, SC_HAN },   { 0x4E00, 0x9FFF, SC_HAN },
    { 0xAC00, 0xD7AF, SC_HANG },  { 0xFB50, 0xFDFF, SC_ARAB },
    { 0xFE70, 0xFEFF, SC_ARAB },
};

static script script_of(uint32_t c)
{
    if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')
        return SC_LATIN;
    size_t lo = 0, hi = sizeof blocks / sizeof *blocks;
    while (lo < hi) { /* the first block ending at or after c */
        size_t mid = (lo + hi) / 2;
        if (blocks[mid].hi < c)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < sizeof blocks / sizeof *blocks && blocks[lo].lo <= c
               ? blocks[lo].sc
               : SC_OTHER;
}

/* Upper-case letters whose lower case is at a fixed distance: every one
 * of [lo, hi] (pair 0), or those of [lo, hi] of the pair's parity (pair
 * 1: even ones, pair 2: odd ones, each followed by its lower case). */
typedef struct fold_run {
    uint32_t lo, hi;
    int pair;
    uint32_t delta;
} fold_run;

static uint32_t lower_by(const fold_run *r, size_t n, uint32_t c)
{
    for (size_t i = 0; i < n; i++)
        if (c >= r[i].lo && c <= r[i].hi &&
            (r[i].pair == 0 || (c & 1) == (uint32_t)(r[i].pair - 1)))
            return c + r[i].delta;
    return c;
}

/* A Cyrillic letter in lower case. */
static uint32_t cyrl_lower(uint32_t c)
{
    static const fold_run runs[] = {
        { 0x410, 0x42F, 0, 0x20 }, /* А-Я */
        { 0x400, 0x40F, 0, 0x50 }, /* Ѐ-Џ */
        { 0x460, 0x52F, 1, 1 },    /* Ѡ-ԯ: pairs */
    };
    return lower_by(runs, sizeof runs / sizeof *runs, c);
}

/* A Latin letter of U+00C0-U+024F in lower case. */
static uint32_t latin_lower(uint32_t c)
{
    static const fold_run runs[] = {
        { 0xC0, 0xD6, 0, 0x20 },  { 0xD8, 0xDE, 0, 0x20 }, /* À-Þ, not × */
        { 0x100, 0x137, 1, 1 },   /* Ā-ķ */
        { 0x139, 0x148, 2, 1 },   /* Ĺ-ň: odd capitals */
        { 0x14A, 0x177, 1, 1 },   /* Ŋ-ŷ */
        { 0x218, 0x21B, 1, 1 },   /* Ș Ț */
    };
    return lower_by(runs, sizeof runs / sizeof *runs, c);
}

/* Bytes of text looked at: enough for a sure guess (accuracy is the same
 * at 300 characters as at 200, benchmarks/langdetect), and the n-gram
 * count is capped at 400 anyway. */
#define DETECT_BYTES 400

/* What a scan of the text found. */
typedef struct scan {
    size_t letters, by[SC_N];
    size_t foreign[N_PRINTS]; /* per print: letters its alphabet lacks */
    size_t own[N_PRINTS];     /* per print: of its own non-ASCII letters */
} scan;

static void scan_text(const char *text, size_t len, scan *sc)
{
    memset(sc, 0, sizeof *sc);
    const unsigned char *p = (const unsigned char *)text;
    for (size_t i = 0, l; i < len; i += l) {
        if (p[i] < 0x80) { /* ASCII: a Latin letter or no letter */
            l = 1;
            if ((p[i] | 0x20) >= 'a' && (p[i] | 0x20) <= 'z') {
                sc->letters++;
                sc->by[SC_LATIN]++;
            }
            continue;
        }
        uint32_t c = next_cp(p + i, len - i, &l);
        if ((c == 0xC2 || c == 0xC3) && i + l + 1 < len && p[i + l] == 0xC2 &&
            p[i + l + 1] >= 0x80 && p[i + l + 1] <= 0xBF) {
            l += 2; /* "Ã©": UTF-8 read as Latin-1 once, not a letter ã */
            continue;
        }
        script k = script_of(c);
        if (k == SC_OTHER)
            continue;
        sc->letters++;
        sc->by[k]++;
        if (k == SC_CYRL) {
            c = cyrl_lower(c);
            if (c >= 0x430 && c <= 0x44F && !strchr("\x38\x39\x49\x4A\x4B"
                                                    "\x4C\x4D\x4E\x4F",
                                                    (int)(c - 0x400)))
                continue; /* а-я but и й щ ъ ы ь э ю я: in every alphabet */
        } else if (k == SC_LATIN && c >= 0xC0) {
            c = latin_lower(c);
        } else {
            continue;
        }
        char u[3] = { (char)(0xC0 | c >> 6), (char)(0x80 | (c & 0x3F)), 0 };
        if (c >= 0x800)
            continue; /* beyond the letters listed */
        for (size_t j = 0; j < N_PRINTS; j++)
            if (prints[j].sc == k &&
                ((prints[j].foreign && strstr(prints[j].foreign, u)) ||
                 (prints[j].own && !strstr(prints[j].own, u))))
                sc->foreign[j]++;
            else if (prints[j].sc == k && prints[j].own)
                sc->own[j]++;
    }
}

/* Whether prints[j] may be compared: its script, and not too many
 * letters its alphabet lacks (a quoted name may bring a few). */
static int eligible(const scan *sc, script k, size_t j)
{
    if (prints[j].sc != k)
        return 0;
    size_t f = sc->foreign[j];
    if (prints[j].need && sc->own[j] == 0 && sc->by[k] >= 100)
        return 0;
    return f < 2 || f * 200 < sc->by[k];
}

/* Marks in cand the prints of script k that may be compared: with the
 * alphabet rules (eligible) or, with by_alphabet 0, all of the script's.
 * Returns how many. */
static size_t candidates(const scan *sc, script k, int by_alphabet,
                         unsigned char *cand)
{
    size_t n = 0;
    for (size_t j = 0; j < N_PRINTS; j++)
        n += cand[j] = (unsigned char)(by_alphabet ? eligible(sc, k, j)
                                                   : prints[j].sc == k);
    return n;
}

/* An n-gram's key, the same in the fingerprints' tables and the text's:
 * an n-gram of fewer than 8 bytes is its bytes and its length (exact: two
 * keys are equal only for equal n-grams, no bytes are compared); a longer
 * one (five characters of Cyrillic, say) is a hash of its bytes with the
 * top bit set, its bytes then compared too. */
#define KEY_LONG (1ULL << 63)
#define SHORT_GRAM 8

/* A fingerprint n-gram of a script's table: 16 bytes, a lookup touching
 * one line, then one line of its row. */
typedef struct gram {
    uint64_t key;           /* 0: empty slot */
    uint32_t str;           /* its bytes in strs (long keys only) */
    uint16_t row;           /* in rows */
    uint8_t len, unused;
} gram;

/* Lanes of a row: a script's prints, in prints[] order, rounded up to 8
 * (a vector of 16-bit lanes). */
#define MAX_LANES 32
/* A row's lane for a print whose 400 n-grams lack the n-gram: far enough
 * from every rank that its distance is capped at OUT_OF_PLACE. */
#define ABSENT 30000

/* The fingerprints of one script (Cavnar and Trenkle's out-of-place
 * distance compares a text with the prints of its script only): per
 * n-gram, a dense row of each print's rank for it, so one n-gram of the
 * text scores every print with a few vector operations rather than a
 * list of (print, rank) pairs. */
typedef struct script_table {
    gram *slot;             /* open addressing; NULL: no prints */
    size_t mask;
    unsigned shift;         /* first slot of a key: key_slot(key, shift) */
    size_t lanes;           /* a multiple of 8, at most MAX_LANES */
    size_t n_prints;
    uint8_t print[MAX_LANES]; /* lane -> index in prints */
    int16_t *rows;          /* lanes 16-bit ranks a row */
} script_table;

/* The text's n-grams in order of first appearance. */
typedef struct tgram {
    uint64_t key;
    uint16_t off, len;      /* in the padded text */
    uint16_t count;
    uint16_t next;          /* the next of the same count + 1, when ranking */
} tgram;

/* Padded text: each word as _word_, and at most this many bytes (8 of
 * them slack for reading a key at the last n-gram's start). Of
 * DETECT_BYTES of text, words of L bytes separated by at least one byte,
 * the padded words have at most DETECT_BYTES + DETECT_BYTES / 2 + 2
 * bytes, and at most 5 n-grams start at each: MAX_TGRAMS is never
 * reached (it is checked all the same). */
#define PAD_BYTES (3 * DETECT_BYTES + 8)
#define TSLOT_BITS 12
#define TSLOTS (1u << TSLOT_BITS)
#define MAX_TGRAMS (TSLOTS - 1)
#define STAMP_SHIFT TSLOT_BITS /* a slot: stamp << TSLOT_BITS | tg index */

_Static_assert(5 * (DETECT_BYTES + DETECT_BYTES / 2 + 2) < MAX_TGRAMS,
               "the text's n-grams fit the table");
_Static_assert(DETECT_BYTES + DETECT_BYTES / 2 + 2 + 8 <= PAD_BYTES,
               "slack after the padded text");
_Static_assert(PAD_BYTES < 65536 && MAX_TGRAMS < 65535,
               "tgram fields are 16 bits");

struct lang_detector {
    script_table tab[SC_N];
    char *strs;
    char pad[PAD_BYTES];
    uint8_t clen[PAD_BYTES]; /* character lengths of the word in pad */
    tgram tg[MAX_TGRAMS];
    /* The text's n-gram table: 4-byte slots (16 KiB, in the first level
     * cache with the few hundred tgrams a text has), stamped rather than
     * cleared. */
    uint32_t ts[TSLOTS];
    uint32_t stamp;          /* below 2^(32 - STAMP_SHIFT), never 0 */
    uint32_t head[DETECT_BYTES + 2]; /* by count: first tg index + 1 */
    uint32_t ranked[MAX_NGRAMS];     /* tg indexes, most frequent first */
};

/* A triple read from the files, before grouping. */
typedef struct triple {
    uint32_t str, len;
    uint16_t print, rank;
} triple;

static int by_gram(const void *a, const void *b, void *strs)
{
    const triple *x = a, *y = b;
    const char *sort_strs = strs;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(sort_strs + x->str, sort_strs + y->str, n);
    if (c)
        return c;
    if (x->len != y->len)
        return x->len < y->len ? -1 : 1;
    return x->print < y->print ? -1 : x->print > y->print;
}

/* FNV-1a: the hash of a long n-gram's bytes. */
#define FNV_BASIS 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

static uint64_t long_key(const char *p, size_t n)
{
    uint64_t h = FNV_BASIS;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * FNV_PRIME;
    return h | KEY_LONG;
}

/* The key of the n-gram (p, n). */
static uint64_t gram_key(const char *p, size_t n)
{
    if (n >= SHORT_GRAM)
        return long_key(p, n);
    uint64_t k = (uint64_t)n << 56;
    for (size_t i = 0; i < n; i++)
        k |= (uint64_t)(unsigned char)p[i] << (8 * i);
    return k;
}

/* The first slot of a key in a table of 2^(64 - shift) slots. */
static inline size_t key_slot(uint64_t key, unsigned shift)
{
    return (size_t)((key * 0x9E3779B97F4A7C15ULL) >> shift);
}

static const gram *find(const lang_detector *d, const script_table *st,
                        uint64_t key, const char *p, size_t n)
{
    for (size_t i = key_slot(key, st->shift);; i = (i + 1) & st->mask) {
        const gram *g = &st->slot[i];
        if (!g->key)
            return NULL;
        if (g->key == key &&
            (!(key & KEY_LONG) ||
             (g->len == n && !memcmp(d->strs + g->str, p, n))))
            return g;
    }
}

/* Reads the first MAX_NGRAMS n-grams of each fingerprint file (one per
 * line, most frequent first, then a count: libexttextcat's format; the
 * rank is the line) into triples over one string buffer. */
static int read_prints(triple **out, size_t *n_out, char **strs_out,
                       errmsg *e)
{
    size_t cap = N_PRINTS * MAX_NGRAMS, n = 0, sn = 0,
           scap = cap * 8;
    triple *t = malloc(cap * sizeof *t);
    char *strs = malloc(scap);
    if (!t || !strs) {
        free(t);
        free(strs);
        return err_set(e, MORGUE_ENOMEM, "out of memory");
    }
    for (size_t j = 0; j < N_PRINTS; j++) {
        char path[4096], line[256];
        snprintf(path, sizeof path, "%s%s", MORGUE_TEXTCAT_DIR,
                 prints[j].file);
        FILE *f = fopen(path, "r");
        if (!f) {
            free(t);
            free(strs);
            return err_set(e, MORGUE_EIO,
                           "cannot read the language fingerprint %s "
                           "(Debian package libexttextcat-data)", path);
        }
        for (unsigned rank = 0; rank < MAX_NGRAMS &&
                                fgets(line, sizeof line, f);) {
            size_t len = strcspn(line, " \t\r\n");
            if (len == 0 || len > MAX_GRAM)
                continue;
            if (sn + len > scap) {
                char *ns = realloc(strs, scap * 2);
                if (!ns) {
                    fclose(f);
                    free(t);
                    free(strs);
                    return err_set(e, MORGUE_ENOMEM, "out of memory");
                }
                strs = ns;
                scap *= 2;
            }
            memcpy(strs + sn, line, len);
            t[n++] = (triple){ (uint32_t)sn, (uint32_t)len, (uint16_t)j,
                               (uint16_t)rank++ };
            sn += len;
        }
        fclose(f);
    }
    *out = t;
    *n_out = n;
    *strs_out = strs;
    return MORGUE_OK;
}

/* Whether triples i and k hold the same n-gram. */
static int same_gram(const char *strs, const triple *x, const triple *y)
{
    return x->len == y->len && !memcmp(strs + x->str, strs + y->str, x->len);
}

/* The script tables from the triples t[0, n), sorted by n-gram and then
 * print. A print lists an n-gram once (libexttextcat's files do); were
 * one listed twice, its first (best) rank would count. */
static int build_tables(lang_detector *d, const triple *t, size_t n,
                        errmsg *e)
{
    size_t lane[N_PRINTS], grams[SC_N] = { 0 };
    for (size_t j = 0; j < N_PRINTS; j++) {
        script_table *st = &d->tab[prints[j].sc];
        lane[j] = st->n_prints;
        st->print[st->n_prints++] = (uint8_t)j;
    }
    for (size_t i = 0, k; i < n; i = k) { /* n-grams per script */
        int seen[SC_N] = { 0 };
        for (k = i; k < n && same_gram(d->strs, &t[k], &t[i]); k++) {
            script sc = prints[t[k].print].sc;
            grams[sc] += !seen[sc];
            seen[sc] = 1;
        }
    }
    for (int sc = 0; sc < SC_N; sc++) {
        script_table *st = &d->tab[sc];
        if (!st->n_prints)
            continue;
        st->lanes = (st->n_prints + 7) / 8 * 8;
        size_t slots = 16;
        unsigned shift = 60;
        while (slots < 2 * grams[sc]) {
            slots *= 2;
            shift--;
        }
        st->slot = calloc(slots, sizeof *st->slot);
        st->rows = malloc((grams[sc] ? grams[sc] : 1) * st->lanes *
                          sizeof *st->rows);
        if (!st->slot || !st->rows || grams[sc] > UINT16_MAX)
            return err_set(e, MORGUE_ENOMEM, "out of memory");
        st->mask = slots - 1;
        st->shift = shift;
        grams[sc] = 0; /* now: rows made */
    }
    for (size_t i = 0, k; i < n; i = k) {
        int16_t *row[SC_N] = { 0 };
        for (k = i; k < n && same_gram(d->strs, &t[k], &t[i]); k++) {
            script sc = prints[t[k].print].sc;
            script_table *st = &d->tab[sc];
            if (!row[sc]) { /* the n-gram's first print of this script */
                size_t r = grams[sc]++;
                row[sc] = st->rows + r * st->lanes;
                for (size_t l = 0; l < st->lanes; l++)
                    row[sc][l] = ABSENT;
                uint64_t key = gram_key(d->strs + t[i].str, t[i].len);
                size_t s = key_slot(key, st->shift);
                while (st->slot[s].key)
                    s = (s + 1) & st->mask;
                st->slot[s] = (gram){ key, t[i].str, (uint16_t)r,
                                      (uint8_t)t[i].len, 0 };
            }
            int16_t *cell = &row[sc][lane[t[k].print]];
            if (*cell == ABSENT)
                *cell = (int16_t)t[k].rank;
        }
    }
    return MORGUE_OK;
}

int lang_detector_new(lang_detector **out, errmsg *e)
{
    *out = NULL;
    lang_detector *d = calloc(1, sizeof *d);
    if (!d)
        return err_set(e, MORGUE_ENOMEM, "out of memory");
    triple *t;
    size_t n;
    int rc = read_prints(&t, &n, &d->strs, e);
    if (rc) {
        free(d);
        return rc;
    }
    qsort_r(t, n, sizeof *t, by_gram, d->strs);
    rc = build_tables(d, t, n, e);
    free(t);
    if (rc) {
        lang_detector_free(d);
        return rc;
    }
    d->stamp = 1;
    *out = d;
    return MORGUE_OK;
}

/* The bytes isspace() or isdigit() in the C locale end a word
 * (libexttextcat's rule; punctuation stays in words, case is kept). */
static int word_byte(unsigned char c)
{
    return !(c == ' ' || (c >= '\t' && c <= '\r') || (c >= '0' && c <= '9'));
}

/* Counts the n-gram (key, off, len) of d->pad; 0 when the table is
 * full. */
static inline int count_gram(lang_detector *d, size_t *n, uint64_t key,
                             size_t off, size_t len)
{
    uint32_t mine = d->stamp << STAMP_SHIFT;
    for (size_t i = key_slot(key, 64 - TSLOT_BITS);; i = (i + 1) & (TSLOTS - 1)) {
        uint32_t e = d->ts[i];
        if ((e & ~(TSLOTS - 1)) != mine) {
            if (*n == MAX_TGRAMS)
                return 0;
            d->ts[i] = mine | (uint32_t)*n;
            d->tg[(*n)++] = (tgram){ key, (uint16_t)off, (uint16_t)len, 1, 0 };
            return 1;
        }
        tgram *g = &d->tg[e & (TSLOTS - 1)];
        if (g->key == key &&
            (!(key & KEY_LONG) ||
             (g->len == len && !memcmp(d->pad + g->off, d->pad + off, len)))) {
            g->count++;
            return 1;
        }
    }
}

/* Adds to acc[0, st->lanes) each lane's distance of row from rank,
 * capped at OUT_OF_PLACE (ABSENT lanes: the cap). 16-bit lanes: the
 * caller adds acc into wider sums before 65535 / OUT_OF_PLACE rows. */
static inline void add_row(const script_table *st, const int16_t *row,
                           int rank, uint16_t *acc)
{
#ifdef __SSE2__
    const __m128i r = _mm_set1_epi16((short)rank);
    const __m128i cap = _mm_set1_epi16(OUT_OF_PLACE);
    for (size_t l = 0; l < st->lanes; l += 8) {
        __m128i x = _mm_sub_epi16(_mm_loadu_si128((const __m128i *)(row + l)), r);
        x = _mm_max_epi16(x, _mm_sub_epi16(_mm_setzero_si128(), x));
        x = _mm_min_epi16(x, cap);
        __m128i a = _mm_loadu_si128((const __m128i *)(acc + l));
        _mm_storeu_si128((__m128i *)(acc + l), _mm_add_epi16(a, x));
    }
#else
    for (size_t l = 0; l < st->lanes; l++) {
        int x = abs(row[l] - rank);
        acc[l] = (uint16_t)(acc[l] + (x < OUT_OF_PLACE ? x : OUT_OF_PLACE));
    }
#endif
}

/* The text's n-gram profile, Cavnar and Trenkle's as libexttextcat makes
 * it: every run of 1 to 5 characters of each word written _word_,
 * counted; the 400 most frequent ranked by count (ties: the one first
 * seen last first). libexttextcat's own fp_Create costs ~150 us a call
 * whatever the length (a table of 8192 entries set up and sorted each
 * time), more than all the rest of indexing an article. Each print of
 * the script st gets its out-of-place distance in score[] (the sum over
 * ranked n-grams of |its rank - the text's|, OUT_OF_PLACE for an n-gram
 * it lacks); returns how many n-grams were ranked. */
static size_t profile(lang_detector *d, const script_table *st,
                      const char *text, size_t len, long *score)
{
    size_t n_pad = 0, n = 0;
    const unsigned char *t = (const unsigned char *)text;
    if (++d->stamp >= 1u << (32 - STAMP_SHIFT)) { /* wrapped */
        memset(d->ts, 0, sizeof d->ts);
        d->stamp = 1;
    }
    for (size_t i = 0; i < len;) {
        while (i < len && !word_byte(t[i]))
            i++;
        if (i == len)
            break;
        size_t w = n_pad;
        d->pad[n_pad++] = '_';
        while (i < len && word_byte(t[i]))
            d->pad[n_pad++] = (char)t[i++];
        d->pad[n_pad++] = '_';
        const unsigned char *pw = (const unsigned char *)d->pad;
        for (size_t e = w; e < n_pad; e++) { /* characters, as read on */
            size_t cl = pw[e] < 0x80 ? 1 : utf8_seq_len(pw + e, n_pad - e);
            d->clen[e] = (uint8_t)(cl ? cl : 1);
        }
        /* the n-grams of pad[w, n_pad), by character; a short one's key
         * from the 8 bytes at its start (pad has the slack) */
        for (size_t s = w; s < n_pad; s += d->clen[s]) {
            uint64_t word;
            memcpy(&word, d->pad + s, sizeof word);
            word = le64toh(word);
            size_t e = s;
            for (int k = 0; k < 5 && e < n_pad; k++) {
                e += d->clen[e];
                size_t gl = e - s;
                uint64_t gk = gl < SHORT_GRAM
                                  ? (word & ((1ULL << (8 * gl)) - 1)) |
                                        (uint64_t)gl << 56
                                  : long_key(d->pad + s, gl);
                if (!count_gram(d, &n, gk, s, gl))
                    goto counted;
            }
        }
    }
counted:;
    /* rank by count: lists per count, most frequent first */
    uint32_t top = 0;
    memset(d->head, 0, sizeof d->head);
    for (size_t i = 0; i < n; i++) { /* lists: last appearance first */
        uint32_t c = d->tg[i].count;
        if (c > DETECT_BYTES + 1)
            c = DETECT_BYTES + 1;
        d->tg[i].next = (uint16_t)d->head[c];
        d->head[c] = (uint32_t)i + 1;
        if (c > top)
            top = c;
    }
    size_t n_ranked = 0;
    for (uint32_t c = top; c > 0 && n_ranked < MAX_NGRAMS; c--)
        for (uint32_t i = d->head[c]; i && n_ranked < MAX_NGRAMS;
             i = d->tg[i - 1].next)
            d->ranked[n_ranked++] = i - 1;
    /* Each lookup is a cache miss in a table of a few hundred kilobytes:
     * the slot is asked for 2 * AHEAD n-grams ahead, the row of the
     * entry found there AHEAD ahead. */
    enum { AHEAD = 4, FOLD = 128 };
    _Static_assert(FOLD * OUT_OF_PLACE <= UINT16_MAX, "16-bit sums");
    uint16_t acc[MAX_LANES] = { 0 };
    long sum[MAX_LANES] = { 0 };
    size_t missing = 0; /* ranked n-grams none of the prints has */
    for (size_t rank = 0; rank < n_ranked; rank++) {
        if (rank + 2 * AHEAD < n_ranked)
            __builtin_prefetch(&st->slot[key_slot(
                d->tg[d->ranked[rank + 2 * AHEAD]].key, st->shift)]);
        if (rank + AHEAD < n_ranked) {
            uint64_t k = d->tg[d->ranked[rank + AHEAD]].key;
            const gram *a = &st->slot[key_slot(k, st->shift)];
            if (a->key == k)
                __builtin_prefetch(st->rows + (size_t)a->row * st->lanes);
        }
        const tgram *g = &d->tg[d->ranked[rank]];
        const gram *f = find(d, st, g->key, d->pad + g->off, g->len);
        if (f)
            add_row(st, st->rows + (size_t)f->row * st->lanes, (int)rank,
                    acc);
        else
            missing++;
        if (rank % FOLD == FOLD - 1 || rank + 1 == n_ranked)
            for (size_t l = 0; l < st->lanes; l++) {
                sum[l] += acc[l];
                acc[l] = 0;
            }
    }
    for (size_t l = 0; l < st->n_prints; l++)
        score[st->print[l]] = sum[l] + (long)missing * OUT_OF_PLACE;
    return n_ranked;
}

lang_code lang_detect(lang_detector *d, const char *text, size_t len,
                      lang_code dflt)
{
    if (len > DETECT_BYTES) { /* cut at a character boundary */
        len = DETECT_BYTES;
        while (len > 0 && ((unsigned char)text[len] & 0xC0) == 0x80)
            len--;
    }
    scan sc;
    scan_text(text, len, &sc);
    if (sc.letters < LANG_MIN_LETTERS)
        return dflt;
    script k = SC_LATIN;
    for (int i = 0; i < SC_N; i++)
        if (sc.by[i] > sc.by[k])
            k = (script)i;
    if (k == SC_HAN && sc.by[SC_KANA] * 10 >= sc.by[SC_HAN])
        k = SC_KANA; /* Japanese mixes kanji and kana */
    if (script_lang[k])
        return lang_parse(script_lang[k], 2);
    /* most of an English archive's texts: told by their function words at
     * a twelfth of the n-grams' cost (langwords.h) */
    if (k == SC_LATIN && langwords_english(text, len))
        return lang_parse("en", 2);
    /* the candidates; when the alphabet rule leaves none, all of the
     * script's */
    unsigned char cand[N_PRINTS];
    if (!candidates(&sc, k, 1, cand) && !candidates(&sc, k, 0, cand))
        return LANG_UND; /* a script no fingerprint is in */
    long score[N_PRINTS] = { 0 };
    if (!d->tab[k].slot)
        return LANG_UND;
    size_t n = profile(d, &d->tab[k], text, len, score);
    if (n == 0)
        return dflt; /* too little to go on */
    long best = LONG_MAX;
    size_t who = 0;
    for (size_t j = 0; j < N_PRINTS; j++)
        if (cand[j] && score[j] < best) {
            best = score[j];
            who = j;
        }
    long cutoff = (long)((double)best * THRESHOLD);
    size_t close = 0;
    for (size_t j = 0; j < N_PRINTS; j++)
        close += cand[j] && score[j] < cutoff;
    /* libexttextcat's rule, kept: a stricter one of ours (the runner-up
     * within 0.5% or 1% -> und) was measured to turn more right answers
     * into und than wrong ones (benchmarks/langdetect). */
    if (close > MAX_CANDIDATES)
        return LANG_UND; /* too many near-equal candidates */
    return lang_parse(prints[who].code, 2);
}

void lang_detector_free(lang_detector *d)
{
    if (!d)
        return;
    for (int sc = 0; sc < SC_N; sc++) {
        free(d->tab[sc].slot);
        free(d->tab[sc].rows);
    }
    free(d->strs);
    free(d);
}
