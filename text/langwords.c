/* langwords.c: English told by its function words (langwords.h).
 *
 * Two kinds of word count: English's function words that no other
 * language of the Latin fingerprints (langdetect.c) writes as a common
 * word, and common function words of those other languages that English
 * does not write. Words both use, or that mean something in English too
 * ("a", "in", "to", "is", "on", "an", "at", "war", "also", "will", "men",
 * "over", "more"), count as neither. */
#include "text/langwords.h"

#include <stdint.h>
#include <pthread.h>
#include <string.h>

/* 'E': English's, 'F': another language's. */
static const struct fword {
    const char *w;
    char kind;
} fwords[] = {
    { "aber", 'F' }, { "about", 'E' }, { "af", 'F' }, { "after", 'E' },
    { "agus", 'F' }, { "akan", 'F' }, { "ale", 'F' },
    { "alla", 'F' }, { "als", 'F' }, { "amb", 'F' }, { "anche", 'F' },
    { "and", 'E' }, { "ao", 'F' }, { "att", 'F' }, { "au", 'F' },
    { "auch", 'F' }, { "auf", 'F' }, { "aus", 'F' }, { "aux", 'F' },
    { "av", 'F' }, { "avec", 'F' }, { "az", 'F' }, { "been", 'E' },
    { "bei", 'F' }, { "bij", 'F' }, { "bir", 'F' },
    { "bu", 'F' }, { "but", 'E' }, { "ce", 'F' },
    { "cette", 'F' }, { "che", 'F' }, { "com", 'F' }, { "como", 'F' },
    { "con", 'F' }, { "could", 'E' }, { "csak", 'F' }, { "cu", 'F' },
    { "czy", 'F' }, { "dan", 'F' }, { "dans", 'F' }, { "das", 'F' },
    { "del", 'F' }, { "della", 'F' }, { "delle", 'F' }, { "dels", 'F' },
    { "dem", 'F' }, { "den", 'F' }, { "der", 'F' }, { "des", 'F' },
    { "det", 'F' }, { "deze", 'F' }, { "di", 'F' }, { "dos", 'F' },
    { "du", 'F' }, { "een", 'F' }, { "egy", 'F' }, { "ein", 'F' },
    { "eine", 'F' }, { "el", 'F' }, { "els", 'F' }, { "em", 'F' },
    { "est", 'F' }, { "este", 'F' }, { "et", 'F' }, { "eta", 'F' },
    { "ett", 'F' }, { "from", 'E' }, { "fue", 'F' }, { "gli", 'F' },
    { "had", 'E' }, { "have", 'E' }, { "het", 'F' }, { "hogy", 'F' },
    { "ich", 'F' }, { "ikke", 'F' }, { "il", 'F' }, { "ile", 'F' },
    { "im", 'F' }, { "ini", 'F' }, { "inte", 'F' }, { "into", 'E' },
    { "ir", 'F' }, { "ist", 'F' }, { "its", 'E' }, { "itu", 'F' },
    { "jak", 'F' }, { "jest", 'F' }, { "jsou", 'F' }, { "kad", 'F' },
    { "kao", 'F' }, { "kuin", 'F' }, { "la", 'F' }, { "las", 'F' },
    { "le", 'F' }, { "les", 'F' }, { "leur", 'F' }, { "los", 'F' },
    { "maar", 'F' }, { "mais", 'F' }, { "med", 'F' }, { "meg", 'F' },
    { "mit", 'F' }, { "mutta", 'F' }, { "naar", 'F' }, { "nach", 'F' },
    { "nel", 'F' }, { "nem", 'F' }, { "nicht", 'F' }, { "nie", 'F' },
    { "niet", 'F' }, { "ning", 'F' }, { "not", 'E' }, { "och", 'F' },
    { "oder", 'F' }, { "og", 'F' }, { "oli", 'F' }, { "ook", 'F' },
    { "os", 'F' }, { "ovat", 'F' }, { "para", 'F' }, { "pas", 'F' },
    { "pe", 'F' }, { "pela", 'F' }, { "pelo", 'F' }, { "pero", 'F' },
    { "pour", 'F' }, { "przez", 'F' }, { "que", 'F' },
    { "qui", 'F' }, { "said", 'E' }, { "sau", 'F' }, { "says", 'E' },
    { "sich", 'F' }, { "sie", 'F' }, { "som", 'F' }, { "sono", 'F' },
    { "sont", 'F' }, { "sur", 'F' }, { "sus", 'F' }, { "than", 'E' },
    { "that", 'E' }, { "the", 'E' }, { "their", 'E' }, { "them", 'E' },
    { "there", 'E' }, { "these", 'E' }, { "they", 'E' }, { "this", 'E' },
    { "those", 'E' }, { "tidak", 'F' }, { "til", 'F' },
    { "una", 'F' }, { "und", 'F' }, { "une", 'F' }, { "untuk", 'F' },
    { "van", 'F' }, { "ve", 'F' }, { "von", 'F' }, { "voor", 'F' },
    { "were", 'E' }, { "what", 'E' }, { "when", 'E' }, { "where", 'E' },
    { "which", 'E' }, { "who", 'E' }, { "wie", 'F' }, { "wird", 'F' },
    { "with", 'E' }, { "would", 'E' }, { "yang", 'F' }, { "yra", 'F' },
    { "zijn", 'F' }, { "zu", 'F' },
};
#define N_FWORDS (sizeof fwords / sizeof *fwords)
#define MAX_FWORD 5 /* the longest word above */

/* Of the text's words: at least 1 in EN_SHARE English function words,
 * at least EN_MIN of them, other languages' at most 1 in FOREIGN_SHARE of
 * those; letters outside ASCII at most 1 in ASCII_SHARE. */
#define EN_SHARE 14
#define EN_MIN 4
#define FOREIGN_SHARE 5
#define ASCII_SHARE 50

/* The words by their bytes packed in a u64 (at most MAX_FWORD < 8, so
 * exact), in an open-addressing table made once. */
#define SLOT_BITS 10
#define SLOTS (1u << SLOT_BITS)

static struct slot {
    uint64_t key; /* 0: empty */
    char kind;
} table[SLOTS];
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

static uint64_t pack(const char *w, size_t n)
{
    uint64_t k = 0;
    memcpy(&k, w, n);
    return k;
}

static size_t slot_of(uint64_t key)
{
    return (size_t)((key * 0x9E3779B97F4A7C15ull) >> (64 - SLOT_BITS));
}

static void make_table(void)
{
    for (size_t i = 0; i < N_FWORDS; i++) {
        uint64_t k = pack(fwords[i].w, strlen(fwords[i].w));
        size_t s = slot_of(k);
        while (table[s].key)
            s = (s + 1) & (SLOTS - 1);
        table[s] = (struct slot){ k, fwords[i].kind };
    }
}

/* 'E', 'F' or 0 for the lower-case word w[0, n), n <= MAX_FWORD. */
static char kind_of(const char *w, size_t n)
{
    uint64_t k = pack(w, n);
    for (size_t s = slot_of(k); table[s].key; s = (s + 1) & (SLOTS - 1))
        if (table[s].key == k)
            return table[s].kind;
    return 0;
}

int langwords_english(const char *text, size_t len)
{
    pthread_once(&table_once, make_table);
    const unsigned char *p = (const unsigned char *)text;
    size_t words = 0, en = 0, foreign = 0, letters = 0, other = 0;
    for (size_t i = 0; i < len;) {
        if (p[i] >= 0x80) { /* a non-ASCII character ends no word here */
            other += (p[i] & 0xC0) != 0x80;
            i++;
            continue;
        }
        if (((p[i] | 0x20) < 'a' || (p[i] | 0x20) > 'z')) {
            i++;
            continue;
        }
        int joined = i > 0 && p[i - 1] >= 0x80; /* "éthe" is no "the" */
        char w[MAX_FWORD + 1];
        size_t n = 0, start = i;
        for (; i < len && ((p[i] | 0x20) >= 'a' && (p[i] | 0x20) <= 'z'); i++)
            if (n < sizeof w)
                w[n++] = (char)(p[i] | 0x20);
        letters += i - start;
        words++;
        if (joined || (i < len && p[i] >= 0x80))
            continue; /* part of a word with other letters: no one's */
        if (n > MAX_FWORD)
            continue;
        char k = kind_of(w, n);
        en += k == 'E';
        foreign += k == 'F';
    }
    return en >= EN_MIN && en * EN_SHARE >= words &&
           foreign * FOREIGN_SHARE <= en && other * ASCII_SHARE <= letters;
}
