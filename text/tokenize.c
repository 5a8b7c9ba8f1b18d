/* tokenize.c: the word splitter and normaliser behind tokenize.h.
 *
 * Two paths. Most news text is ASCII, so a word made only of ASCII letters
 * and digits is classified and lower-cased through one 256-entry table and
 * never touches utf8proc. As soon as a word meets a byte >= 0x80 that
 * might belong to it, the word is scanned again on the slow path: code
 * points are decoded (a byte that starts no valid sequence is read as
 * Latin-1), classified by Unicode category and collected as UTF-8. If each
 * of them normalises on its own (quick_map: most Cyrillic, Greek, accented
 * Latin...), the term is their concatenation; otherwise the word goes
 * through utf8proc whole: NFKD + case fold, Latin accents dropped, NFC.
 * All roads give the same term for the same word; check_text verifies it.
 *
 * Nothing is allocated: the term is built in tokenizer.word, and the slow
 * path works in fixed stack buffers. A word is normalised from at most
 * CP_CAP of its code points; that is already far more than TOK_MAX_WORD
 * bytes of output, so the cut the header promises comes out the same.
 */
#include "text/tokenize.h"
#include "util/utf8dec.h"

#include <string.h>
#include <utf8proc.h>

/* Code points of one word fed to the normaliser (see above). */
#define CP_CAP (2 * TOK_MAX_WORD)
/* Decomposition buffer; a longer expansion is retried on a shorter word. */
#define DEC_CAP 512

/* Byte classes of the ASCII fast path. */
enum { K_SEP, K_LETTER, K_DIGIT, K_HIGH };

#define S K_SEP
#define L K_LETTER
#define D K_DIGIT
#define H K_HIGH
static const unsigned char kind[256] = {
    S, S, S, S, S, S, S, S, S, S, S, S, S, S, S, S,
    S, S, S, S, S, S, S, S, S, S, S, S, S, S, S, S,
    S, S, S, S, S, S, S, S, S, S, S, S, S, S, S, S,
    D, D, D, D, D, D, D, D, D, D, S, S, S, S, S, S,
    S, L, L, L, L, L, L, L, L, L, L, L, L, L, L, L,
    L, L, L, L, L, L, L, L, L, L, L, S, S, S, S, S,
    S, L, L, L, L, L, L, L, L, L, L, L, L, L, L, L,
    L, L, L, L, L, L, L, L, L, L, L, S, S, S, S, S,
    H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H,
    H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H,
    H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H,
    H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H,
    H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H,
    H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H,
    H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H,
    H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H,
};
#undef S
#undef L
#undef D
#undef H

/* utf8proc's half of the normalisation: NFKD, case fold, and no default
 * ignorables (soft hyphen, joiners, variation selectors). */
#define NORM_OPTS                                                             \
    (UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | UTF8PROC_IGNORE)

/* Character classes of the slow path. */
enum { C_SEP, C_LETTER, C_DIGIT, C_MARK, C_IDEO, C_APOS, C_NUMSEP };

void tokenizer_init(tokenizer *t, const char *text, size_t len)
{
    t->text = text;
    t->len = text ? len : 0;
    t->at = 0;
    t->word[0] = '\0';
}

/* One code point from s[0..n), n >= 1; returns its length in bytes. A byte
 * that starts no valid sequence (overlong, surrogate, truncated, > U+10FFFF)
 * is one Latin-1 character, so the rest of the text is never lost. */
static size_t decode(const unsigned char *s, size_t n, int32_t *cp)
{
    size_t len = utf8_decode(s, n, cp);
    if (len)
        return len;
    *cp = s[0];
    return 1;
}

/* Han ideographs, one word each since CJK text has no spaces. */
static int is_ideograph(int32_t cp)
{
    return (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x4E00 && cp <= 0x9FFF) ||
           (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x3FFFF);
}

/* Base letters whose combining marks are accents we drop. */
static int is_latin(int32_t cp)
{
    return cp <= 0x024F || (cp >= 0x1E00 && cp <= 0x1EFF);
}

static int is_mark(utf8proc_category_t c)
{
    return c == UTF8PROC_CATEGORY_MN || c == UTF8PROC_CATEGORY_MC ||
           c == UTF8PROC_CATEGORY_ME;
}

static int classify(int32_t cp)
{
    if (cp < 0x80) {
        if (kind[cp] == K_LETTER)
            return C_LETTER;
        if (kind[cp] == K_DIGIT)
            return C_DIGIT;
        if (cp == '\'')
            return C_APOS;
        return cp == '.' || cp == ',' ? C_NUMSEP : C_SEP;
    }
    if (cp == 0x2019)
        return C_APOS;
    if (is_ideograph(cp))
        return C_IDEO;
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT: case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
        return C_LETTER;
    case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
        return C_MARK;
    case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
        return C_DIGIT;
    default:
        return C_SEP;
    }
}

/* Drops what must not reach a term: accents on Latin letters (marks after
 * a Latin base, however many) and the spaces and controls a few
 * compatibility decompositions produce (U+FDFA). Returns the new length. */
static utf8proc_ssize_t strip(utf8proc_int32_t *b, utf8proc_ssize_t n)
{
    utf8proc_ssize_t k = 0;
    int latin = 0;
    for (utf8proc_ssize_t i = 0; i < n; i++) {
        utf8proc_category_t c = utf8proc_category(b[i]);
        if (is_mark(c)) {
            if (latin)
                continue;
        } else if (c == UTF8PROC_CATEGORY_ZS || c == UTF8PROC_CATEGORY_ZL ||
                   c == UTF8PROC_CATEGORY_ZP || c == UTF8PROC_CATEGORY_CC) {
            continue;
        } else {
            latin = is_latin(b[i]);
        }
        b[k++] = b[i];
    }
    return k;
}

/* Largest character boundary of the valid UTF-8 (s, n) at or below max. */
static size_t cut_at(const unsigned char *s, size_t n, size_t max)
{
    if (n <= max)
        return n;
    while (max > 0 && (s[max] & 0xC0) == 0x80)
        max--;
    return max;
}

/* NFKC + case fold + Latin accent removal of the valid UTF-8 (raw, rn)
 * into out (TOK_MAX_WORD bytes at most). Returns the term length, 0 when
 * nothing is left (only ignorable characters). */
static size_t normalize(const char *raw, size_t rn, char *out)
{
    utf8proc_int32_t buf[DEC_CAP];
    utf8proc_ssize_t m;
    for (;;) {
        m = utf8proc_decompose((const utf8proc_uint8_t *)raw,
                               (utf8proc_ssize_t)rn, buf, DEC_CAP, NORM_OPTS);
        if (m < 0)
            return 0;
        if (m < DEC_CAP)
            break;
        /* Long expansions (U+FDFA is 18 code points): a shorter prefix
         * still gives more than TOK_MAX_WORD bytes. */
        rn = cut_at((const unsigned char *)raw, rn, rn / 2);
    }
    m = utf8proc_reencode(buf, strip(buf, m),
                          UTF8PROC_COMPOSE | UTF8PROC_STABLE);
    if (m <= 0)
        return 0;
    size_t len = cut_at((const unsigned char *)buf, (size_t)m, TOK_MAX_WORD);
    memcpy(out, buf, len);
    out[len] = '\0';
    return len;
}

/* Writes cp as UTF-8 at p; returns its length. */
static size_t put_utf8(char *p, uint32_t u)
{
    if (u < 0x80) {
        p[0] = (char)u;
        return 1;
    }
    if (u < 0x800) {
        p[0] = (char)(0xC0 | (u >> 6));
        p[1] = (char)(0x80 | (u & 0x3F));
        return 2;
    }
    if (u < 0x10000) {
        p[0] = (char)(0xE0 | (u >> 12));
        p[1] = (char)(0x80 | ((u >> 6) & 0x3F));
        p[2] = (char)(0x80 | (u & 0x3F));
        return 3;
    }
    p[0] = (char)(0xF0 | (u >> 18));
    p[1] = (char)(0x80 | ((u >> 12) & 0x3F));
    p[2] = (char)(0x80 | ((u >> 6) & 0x3F));
    p[3] = (char)(0x80 | (u & 0x3F));
    return 4;
}

static int is_jamo(int32_t cp)
{
    return (cp >= 0x1100 && cp <= 0x11FF) || (cp >= 0xA960 && cp <= 0xA97F) ||
           (cp >= 0xD7B0 && cp <= 0xD7FF);
}

/* The term character of cp when no neighbour can change it, else -1.
 * That holds when its NFKC-casefold decomposition is one letter or digit
 * of combining class 0 (Latin ones perhaps followed by accents, which we
 * strip), other than a Hangul jamo: composition only ever joins a mark or
 * a jamo to what precedes it (check_text verifies this for the installed
 * Unicode tables). Most non-ASCII words are made of such characters and
 * skip utf8proc's string functions, which cost half the time. */
static int32_t quick_map(int32_t cp)
{
    utf8proc_int32_t d[8];
    int bound = 0;
    utf8proc_ssize_t n = utf8proc_decompose_char(cp, d, 8, NORM_OPTS, &bound);
    if (n < 1 || n > 8)
        return -1;
    const utf8proc_property_t *p = utf8proc_get_property(d[0]);
    if (p->combining_class != 0 || is_jamo(d[0]) ||
        p->category < UTF8PROC_CATEGORY_LU ||
        p->category > UTF8PROC_CATEGORY_NO || is_mark(p->category))
        return -1;
    if (n > 1 && !is_latin(d[0]))
        return -1;
    for (utf8proc_ssize_t i = 1; i < n; i++)
        if (!is_mark(utf8proc_category(d[i])))
            return -1;
    return d[0];
}

/* Word being collected on the slow path. */
typedef struct collect {
    char raw[CP_CAP * 4];         /* its first CP_CAP code points, UTF-8 */
    size_t rn;                    /* bytes in raw */
    size_t ncp;                   /* code points in raw */
    int wide;                     /* raw holds a code point >= 0x80 */
    int quick;                    /* every code point had a quick_map */
    char term[TOK_MAX_WORD + 4];  /* their quick_maps, while quick */
    size_t tn;                    /* bytes in term, until past the cut */
} collect;

static void add(collect *w, int32_t cp)
{
    if (w->ncp == CP_CAP)
        return;
    w->ncp++;
    w->rn += put_utf8(w->raw + w->rn, (uint32_t)cp);
    if (cp < 0x80) { /* letters, digits, ' and .; | 0x20 lowers A-Z */
        if (w->tn < TOK_MAX_WORD)
            w->term[w->tn++] = (char)(cp | 0x20);
        return;
    }
    w->wide = 1;
    if (!w->quick)
        return;
    int32_t m = quick_map(cp);
    if (m < 0)
        w->quick = 0;
    else if (w->tn < TOK_MAX_WORD)
        w->tn += put_utf8(w->term + w->tn, (uint32_t)m);
}

/* Whether the character at s[j..n) has class want, which makes the joiner
 * just before it part of the word. */
static int joins(const unsigned char *s, size_t n, size_t j, int want)
{
    int32_t cp;
    if (j >= n)
        return 0;
    decode(s + j, n - j, &cp);
    return classify(cp) == want;
}

/* Scans the word at s[i], which starts with a word character, into w;
 * returns the byte offset just past it. */
static size_t scan(const unsigned char *s, size_t n, size_t i, collect *w)
{
    size_t j = i, end = i;
    int last = C_SEP, latin = 0;
    while (j < n) {
        int32_t cp;
        size_t l = decode(s + j, n - j, &cp);
        int c = classify(cp);
        if (c == C_IDEO) {
            if (j == i) {
                add(w, cp);
                end = j + l;
            }
            break;
        }
        if (c == C_APOS || c == C_NUMSEP) {
            int want = c == C_APOS ? C_LETTER : C_DIGIT;
            if (last != want || !joins(s, n, j + l, want))
                break;
            if (cp != ',') /* "1,200" is 1200; 3.5 and don't keep theirs */
                add(w, c == C_APOS ? '\'' : '.');
            j += l;
            continue;
        }
        if (c == C_SEP)
            break;
        if (c != C_MARK) {
            last = c;
            latin = is_latin(cp);
            add(w, cp);
        } else if (!latin) {
            add(w, cp);
        } /* else an accent the normaliser would drop: save the room */
        j += l;
        end = j;
    }
    return end;
}

/* The word at byte i the slow way. Returns 1 with *out set, or 0 when it
 * normalises to nothing; t->at is past the word either way. */
static int slow_word(tokenizer *t, size_t i, token *out)
{
    collect w;
    w.rn = w.ncp = w.tn = 0;
    w.wide = 0;
    w.quick = 1;
    size_t end = scan((const unsigned char *)t->text, t->len, i, &w);
    size_t len;
    if (w.wide && !w.quick) {
        len = normalize(w.raw, w.rn, t->word);
    } else {
        len = cut_at((const unsigned char *)w.term, w.tn, TOK_MAX_WORD);
        memcpy(t->word, w.term, len);
        t->word[len] = '\0';
    }
    t->at = end;
    if (len == 0)
        return 0;
    out->term = t->word;
    out->len = len;
    out->start = i;
    out->end = end;
    return 1;
}

/* What a byte >= 0x80 right after an ASCII word means for it: 1 when the
 * character there surely ends the word, 0 when the slow path must look. */
static int ends_word(const unsigned char *s, size_t n)
{
    int32_t cp;
    decode(s, n, &cp);
    int c = classify(cp);
    return c == C_SEP || c == C_IDEO || c == C_NUMSEP;
}

/* The fast path: the word at byte i, an ASCII letter or digit. Returns 1
 * with *out set, or 0 when the word may hold non-ASCII characters. */
static int ascii_word(tokenizer *t, size_t i, token *out)
{
    const unsigned char *s = (const unsigned char *)t->text;
    size_t n = t->len, j = i, w = 0;
    for (;;) {
        while (j < n && (unsigned)(kind[s[j]] - K_LETTER) < 2) {
            if (w < TOK_MAX_WORD) /* | 0x20 lowers letters, keeps digits */
                t->word[w++] = (char)(s[j] | 0x20);
            j++;
        }
        if (j == n)
            break;
        unsigned char c = s[j], k = kind[s[j - 1]];
        if (c >= 0x80) {
            if (ends_word(s + j, n - j))
                break;
            return 0;
        }
        int joiner = (c == '\'' && k == K_LETTER) ||
                     ((c == '.' || c == ',') && k == K_DIGIT);
        if (!joiner || j + 1 == n)
            break;
        if (kind[s[j + 1]] == K_HIGH)
            return 0; /* "l'été": the next letter may be non-ASCII */
        if (kind[s[j + 1]] != k)
            break;
        if (c != ',' && w < TOK_MAX_WORD)
            t->word[w++] = (char)c;
        j++;
    }
    t->word[w] = '\0';
    t->at = j;
    out->term = t->word;
    out->len = w;
    out->start = i;
    out->end = j;
    return 1;
}

int tokenizer_next(tokenizer *t, token *out)
{
    const unsigned char *s = (const unsigned char *)t->text;
    size_t n = t->len, i = t->at;
    for (;;) {
        while (i < n && kind[s[i]] == K_SEP)
            i++;
        if (i >= n) {
            t->at = n;
            return 0;
        }
        if (kind[s[i]] != K_HIGH) {
            if (ascii_word(t, i, out))
                return 1;
        } else {
            int32_t cp;
            size_t l = decode(s + i, n - i, &cp);
            int c = classify(cp);
            if (c == C_SEP || c == C_APOS || c == C_NUMSEP) {
                i += l;
                continue;
            }
        }
        if (slow_word(t, i, out))
            return 1;
        i = t->at;
    }
}
