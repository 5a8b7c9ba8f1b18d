/* check_text.c: Check suite of the text module (tokenizer and stemmer). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <utf8proc.h>

#include "check_main.h"
#include "morgue.h"
#include "text/lang.h"
#include "text/langwords.h"
#include "text/stem.h"
#include "text/stemset.h"
#include "text/synonyms.h"
#include "text/stopwords.h"
#include "text/tokenize.h"
#include "text/translit.h"
#include "util/hash.h"

/* ---- helpers ---------------------------------------------------------- */

/* The terms of (s, n) joined by '|', into out. */
static void terms_n(const char *s, size_t n, char *out, size_t cap)
{
    tokenizer t;
    token k;
    size_t o = 0;
    out[0] = '\0';
    tokenizer_init(&t, s, n);
    while (tokenizer_next(&t, &k)) {
        if (o + k.len + 2 > cap)
            ck_abort_msg("terms exceed %zu bytes", cap);
        if (o)
            out[o++] = '|';
        memcpy(out + o, k.term, k.len);
        o += k.len;
        out[o] = '\0';
    }
}

#define ck_terms(text, want)                                                  \
    do {                                                                      \
        char got_[1024];                                                      \
        terms_n((text), strlen(text), got_, sizeof got_);                     \
        ck_assert_str_eq(got_, (want));                                       \
    } while (0)

#define ck_terms_n(text, len, want)                                           \
    do {                                                                      \
        char got_[1024];                                                      \
        terms_n((text), (len), got_, sizeof got_);                            \
        ck_assert_str_eq(got_, (want));                                       \
    } while (0)

typedef struct want {
    const char *term;
    size_t start, end;
} want;

/* Tokens of the NUL-terminated s must be exactly w[0..n). */
static void ck_tokens(const char *s, const want *w, size_t n)
{
    tokenizer t;
    token k;
    size_t i = 0;
    tokenizer_init(&t, s, strlen(s));
    while (tokenizer_next(&t, &k)) {
        ck_assert_uint_lt(i, n);
        ck_assert_uint_eq(k.len, strlen(w[i].term));
        ck_assert_int_eq(memcmp(k.term, w[i].term, k.len), 0);
        ck_assert_uint_eq(k.start, w[i].start);
        ck_assert_uint_eq(k.end, w[i].end);
        i++;
    }
    ck_assert_uint_eq(i, n);
}

/* 1 when (s, n) is valid UTF-8 (shortest forms, no surrogates). */
static int valid_utf8(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned c = s[i];
        size_t len = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2
                   : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4
                   : 0;
        if (len == 0 || i + len > n)
            return 0;
        uint32_t cp = c & (0x7Fu >> len);
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if (len > 1 && (cp < (len == 2 ? 0x80u : len == 3 ? 0x800u : 0x10000u)
                        || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)))
            return 0;
        i += len;
    }
    return 1;
}

/* What is wrong with token k of a text of n bytes after prev_end, or
 * NULL. (Check records every ck_assert; loops of thousands avoid them.) */
static const char *bad_token(const token *k, size_t n, size_t prev_end)
{
    if (k->len < 1 || k->len > TOK_MAX_WORD)
        return "length out of range";
    if (!valid_utf8((const unsigned char *)k->term, k->len))
        return "term is not valid UTF-8";
    for (size_t i = 0; i < k->len; i++)
        if ((unsigned char)k->term[i] <= ' ')
            return "term holds a space or control";
    if (k->start >= k->end || k->end > n)
        return "span out of the text";
    if (k->start < prev_end)
        return "span overlaps the previous one";
    return NULL;
}

/* Whether the word k of text s, tokenized alone, gives k's term again: a
 * term depends on the word's own bytes only (snippets rely on it). */
static int same_alone(const char *s, const token *k)
{
    tokenizer t;
    token w;
    tokenizer_init(&t, s + k->start, k->end - k->start);
    return tokenizer_next(&t, &w) && w.start == 0 &&
           w.end == k->end - k->start && w.len == k->len &&
           memcmp(w.term, k->term, k->len) == 0 && !tokenizer_next(&t, &w);
}

/* Every invariant of tokenize.h on the tokens of (s, n); returns count. */
static size_t ck_invariants(const char *s, size_t n)
{
    tokenizer t;
    token k;
    size_t count = 0, prev_end = 0;
    tokenizer_init(&t, s, n);
    while (tokenizer_next(&t, &k)) {
        const char *why = bad_token(&k, n, prev_end);
        if (!why && !same_alone(s, &k))
            why = "the word alone gives another term";
        if (why)
            ck_abort_msg("%s: token %zu at [%zu, %zu)", why, count, k.start,
                         k.end);
        prev_end = k.end;
        count++;
    }
    if (tokenizer_next(&t, &k)) /* stays exhausted */
        ck_abort_msg("a token after the end");
    return count;
}

/* xorshift32: the same random strings on every platform. */
static uint32_t rnd(uint32_t *state)
{
    uint32_t x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *state = x;
}

/* ---- tokenizer -------------------------------------------------------- */

START_TEST(test_text_ascii_offsets)
{
    static const want w[] = {
        { "the", 0, 3 },      { "dollar", 4, 10 }, { "fell", 11, 15 },
        { "sharply", 17, 24 }, { "in", 25, 27 },   { "tokyo", 28, 33 },
    };
    ck_tokens("The DOLLAR fell, sharply in Tokyo.", w, 6);
    ck_terms("  \t\nHello,\r\nWorld!  ", "hello|world");
    ck_terms("a b c", "a|b|c");
}
END_TEST

START_TEST(test_text_apostrophes)
{
    ck_terms("Don't say Kazakhstan's", "don't|say|kazakhstan's");
    ck_terms("Don\xE2\x80\x99t say Kazakhstan\xE2\x80\x99s",
             "don't|say|kazakhstan's");
    ck_terms("'quoted' and \xE2\x80\x98" "curly\xE2\x80\x99 ones",
             "quoted|and|curly|ones");
    ck_terms("the 1990's", "the|1990|s");
    ck_terms("rock'n'roll don''t", "rock'n'roll|don|t");
    ck_terms("l'\xC3\xA9t\xC3\xA9", "l'ete");
    static const want w[] = { { "o'neil", 0, 8 }, { "s", 9, 10 } };
    ck_tokens("O\xE2\x80\x99Neil s", w, 2);
}
END_TEST

START_TEST(test_text_hyphens)
{
    ck_terms("state-of-the-art", "state|of|the|art");
    ck_terms("Abu-Dhabi \xE2\x80\x94 pro\xE2\x80\x93" "reform",
             "abu|dhabi|pro|reform");
}
END_TEST

START_TEST(test_text_numbers)
{
    ck_terms("1,200.50", "1200.50");
    ck_terms("3.5%", "3.5");
    ck_terms("2022-01-05", "2022|01|05");
    ck_terms("up 1,200 to 3.5.", "up|1200|to|3.5");
    ck_terms("item 3, 4.", "item|3|4");
    ck_terms("a.b x,y", "a|b|x|y");
    ck_terms("v1.2 B52", "v1.2|b52");
    static const want w[] = {
        { "was", 0, 3 }, { "1200.50", 4, 12 }, { "dlrs", 13, 17 },
    };
    ck_tokens("was 1,200.50 dlrs", w, 3);
}
END_TEST

START_TEST(test_text_accents)
{
    static const want w[] = {
        { "kassym", 0, 6 }, { "jomart", 7, 13 }, { "tokaiev", 14, 22 },
    };
    ck_tokens("Kassym-Jomart Toka\xC3\xAF" "ev", w, 3);
    ck_terms("caf\xC3\xA9 CAF\xC3\x89", "cafe|cafe");
    ck_terms("cafe\xCC\x81 na\xC3\xAFve", "cafe|naive"); /* decomposed */
    ck_terms("Stra\xC3\x9F" "e", "strasse");
    ck_terms("\xC3\x85ngstr\xC3\xB6m \xC5\x81\xC3\xB3" "d\xC5\xBA",
             "angstrom|\xC5\x82odz"); /* Ł has no decomposition */
    ck_terms("Nguy\xE1\xBB\x85n", "nguyen");
}
END_TEST

START_TEST(test_text_nfkc)
{
    ck_terms("\xEF\xAC\x81nance", "finance"); /* ﬁ ligature */
    ck_terms("\xEF\xBC\xA1\xEF\xBC\xA2\xEF\xBC\xA3 \xEF\xBC\x91\xEF\xBC\x92",
             "abc|12"); /* full-width letters and digits */
    ck_terms("km\xC2\xB2", "km2");
}
END_TEST

START_TEST(test_text_cyrillic)
{
    static const want w[] = {
        { "\xD0\xB0\xD0\xBB\xD0\xBC\xD0\xB0\xD1\x82\xD1\x8B", 0, 12 },
        { "\xD0\xB8", 13, 15 },
    };
    ck_tokens("\xD0\x90\xD0\xBB\xD0\xBC\xD0\xB0\xD1\x82\xD1\x8B \xD0\x98", w,
              2);
    /* й keeps its breve: only Latin letters lose their marks. */
    ck_terms("\xD0\x99\xD0\xBE\xD0\xB4", "\xD0\xB9\xD0\xBE\xD0\xB4");
}
END_TEST

START_TEST(test_text_greek)
{
    /* Αθήνα -> αθήνα, accent kept; final sigma folds to sigma. */
    ck_terms("\xCE\x91\xCE\xB8\xCE\xAE\xCE\xBD\xCE\xB1",
             "\xCE\xB1\xCE\xB8\xCE\xAE\xCE\xBD\xCE\xB1");
    ck_terms("\xCE\x9B\xCF\x8C\xCE\xB3\xCE\xBF\xCF\x82",
             "\xCE\xBB\xCF\x8C\xCE\xB3\xCE\xBF\xCF\x83");
}
END_TEST

START_TEST(test_text_devanagari)
{
    const char *hindi = "\xE0\xA4\xB9\xE0\xA4\xBF\xE0\xA4\xA8\xE0\xA5\x8D"
                        "\xE0\xA4\xA6\xE0\xA5\x80"; /* हिन्दी */
    char text[64];
    snprintf(text, sizeof text, "%s, %s.", hindi, hindi);
    char want_terms[64];
    snprintf(want_terms, sizeof want_terms, "%s|%s", hindi, hindi);
    ck_terms(text, want_terms);
}
END_TEST

START_TEST(test_text_cjk)
{
    static const want w[] = {
        { "\xE6\x9D\xB1", 0, 3 },
        { "\xE4\xBA\xAC", 3, 6 },
        { "\xE3\x82\xBF\xE3\x83\xAF\xE3\x83\xBC", 6, 15 },
        { "\xE5\x9C\xA8", 15, 18 },
        { "abc", 18, 21 },
        { "\xE4\xB8\xAD", 21, 24 },
    };
    ck_tokens("\xE6\x9D\xB1\xE4\xBA\xAC\xE3\x82\xBF\xE3\x83\xAF\xE3\x83\xBC"
              "\xE5\x9C\xA8" "abc\xE4\xB8\xAD\xE3\x80\x82",
              w, 6); /* 東京タワー在abc中。 */
    ck_terms("\xF0\xA0\x80\x80\xF0\xA0\x80\x81", /* Extension B */
             "\xF0\xA0\x80\x80|\xF0\xA0\x80\x81");
}
END_TEST

START_TEST(test_text_mixed_scripts)
{
    ck_terms("Reuters \xD0\xA0\xD0\xBE\xD0\xB9\xD1\x82\xD0\xB5\xD1\x80 "
             "\xE8\xB7\xAF\xE9\x80\x8F\xE7\xA4\xBE 2024",
             "reuters|\xD1\x80\xD0\xBE\xD0\xB9\xD1\x82\xD0\xB5\xD1\x80|"
             "\xE8\xB7\xAF|\xE9\x80\x8F|\xE7\xA4\xBE|2024");
    /* Scripts run together inside one word when nothing separates them. */
    ck_terms("abc\xD0\x94\xD0\xB5\xD1\x84", "abc\xD0\xB4\xD0\xB5\xD1\x84");
    ck_terms("said\xC2\xA0today\xE2\x80\x9D.", "said|today");
}
END_TEST

START_TEST(test_text_broken_utf8)
{
    /* A lone Latin-1 byte is that character. */
    static const want w[] = { { "muller", 0, 6 }, { "said", 7, 11 } };
    ck_tokens("M\xFCller said", w, 2);
    /* Truncated sequence at the end: its lead byte is Latin-1 'â'. */
    ck_terms("end \xE2\x80", "end|a");
    ck_terms("end\xE2", "enda");
    ck_terms("x \xF0\x9F\x98", "x|\xC3\xB0");
    /* Overlong '/', encoded surrogate: read byte by byte, never fatal. */
    ck_terms("a\xC0\xAF" "b", "aa|b");
    ck_terms("a \xED\xA0\x80 b", "a|i|b");
    /* A NUL byte is a separator, and text after it is kept. */
    ck_terms_n("ab\0cd", 5, "ab|cd");
    /* Continuation bytes alone are C1 controls: separators. */
    ck_terms("a\x80\x81" "b", "a|b");
    ck_invariants("\xFF\xFE\xC3\xF5\xF8\x80", 6);
}
END_TEST

START_TEST(test_text_empty)
{
    tokenizer t;
    token k;
    tokenizer_init(&t, "", 0);
    ck_assert_int_eq(tokenizer_next(&t, &k), 0);
    tokenizer_init(&t, NULL, 0);
    ck_assert_int_eq(tokenizer_next(&t, &k), 0);
    ck_terms(" ,.;-- '' \xE2\x80\x94 ", "");
    ck_terms("'", "");
    /* A variation selector alone normalises to nothing and is skipped. */
    ck_terms("\xEF\xB8\x8F x", "x");
}
END_TEST

START_TEST(test_text_long_words)
{
    char s[4096];
    char w[TOK_MAX_WORD + 1];

    memset(s, 'A', 1000);
    memset(w, 'a', TOK_MAX_WORD);
    w[TOK_MAX_WORD] = '\0';
    strcpy(s + 1000, " b");
    static want one[2] = { { NULL, 0, 1000 }, { "b", 1001, 1002 } };
    one[0].term = w;
    ck_tokens(s, one, 2);

    /* 3-byte characters: cut below 64 at a character boundary (63). */
    size_t o = 0;
    for (int i = 0; i < 100; i++) {
        memcpy(s + o, "\xE0\xA4\x95", 3); /* क */
        o += 3;
    }
    s[o] = '\0';
    tokenizer t;
    token k;
    tokenizer_init(&t, s, o);
    ck_assert_int_eq(tokenizer_next(&t, &k), 1);
    ck_assert_uint_eq(k.len, 63);
    ck_assert_uint_eq(k.end, 300);
    ck_assert_int_eq(tokenizer_next(&t, &k), 0);

    /* Accented Latin: 1000 x "é" (2 bytes) is 64 x 'e' after stripping. */
    o = 0;
    for (int i = 0; i < 1000; i++) {
        memcpy(s + o, "\xC3\xA9", 2);
        o += 2;
    }
    memset(w, 'e', TOK_MAX_WORD);
    s[o] = '\0';
    one[0].end = 2000;
    ck_tokens(s, one, 1);

    /* One letter under a thousand accents is that letter. */
    s[0] = 'o';
    o = 1;
    for (int i = 0; i < 1000; i++) {
        memcpy(s + o, "\xCC\x81", 2);
        o += 2;
    }
    s[o] = '\0';
    ck_terms(s, "o");
}
END_TEST

/* Both paths agree: random ASCII text keeps its terms when its spaces
 * become U+3000 and its a's get an acute accent (which sends their words
 * down the slow path, where the accent is stripped again). */
START_TEST(test_text_fast_slow_agree)
{
    static const char alpha[] = "aZ09'.,- ";
    uint32_t seed = 12345;
    for (int it = 0; it < 2000; it++) {
        char a[128], b[512];
        size_t n = rnd(&seed) % 100, bn = 0;
        for (size_t i = 0; i < n; i++) {
            a[i] = alpha[rnd(&seed) % (sizeof alpha - 1)];
            if (a[i] == ' ') {
                memcpy(b + bn, "\xE3\x80\x80", 3); /* ideographic space */
                bn += 3;
            } else if (a[i] == 'a') {
                memcpy(b + bn, "a\xCC\x81", 3);
                bn += 3;
            } else {
                b[bn++] = a[i];
            }
        }
        char ta[1024], tb[1024];
        terms_n(a, n, ta, sizeof ta);
        terms_n(b, bn, tb, sizeof tb);
        if (strcmp(ta, tb) != 0)
            ck_abort_msg("'%.*s': '%s' vs '%s'", (int)n, a, ta, tb);
    }
}
END_TEST

/* The tokenizer's quick mapping of non-ASCII words assumes canonical
 * composition only joins a combining mark or a Hangul jamo to what
 * precedes it. Check that against the installed Unicode tables: every
 * character after the first of a canonical decomposition is one of those. */
START_TEST(test_text_composition_seconds)
{
    for (utf8proc_int32_t cp = 0; cp <= 0x10FFFF; cp++) {
        utf8proc_int32_t d[32];
        int bound = 0;
        if (cp >= 0xD800 && cp <= 0xDFFF)
            continue;
        utf8proc_ssize_t n =
            utf8proc_decompose_char(cp, d, 32, UTF8PROC_DECOMPOSE, &bound);
        for (utf8proc_ssize_t i = 1; i < n && i < 32; i++) {
            utf8proc_category_t c = utf8proc_category(d[i]);
            int jamo = (d[i] >= 0x1100 && d[i] <= 0x11FF) ||
                       (d[i] >= 0xA960 && d[i] <= 0xA97F) ||
                       (d[i] >= 0xD7B0 && d[i] <= 0xD7FF);
            if (!jamo && c != UTF8PROC_CATEGORY_MN &&
                c != UTF8PROC_CATEGORY_MC && c != UTF8PROC_CATEGORY_ME)
                ck_abort_msg("U+%04X composes with U+%04X", (unsigned)cp,
                             (unsigned)d[i]);
        }
    }
}
END_TEST

/* Term of the NUL-terminated s, which must be one word, into out. */
static void one_term(const char *s, char *out)
{
    tokenizer t;
    token k;
    tokenizer_init(&t, s, strlen(s));
    if (!tokenizer_next(&t, &k) || tokenizer_next(&t, &k))
        ck_abort_msg("not one word: %s", s);
    tokenizer_init(&t, s, strlen(s));
    tokenizer_next(&t, &k);
    memcpy(out, k.term, k.len);
    out[k.len] = '\0';
}

/* Quick and full normalisation agree on every letter, digit and mark of
 * planes 0 and 1. U+0489 (an enclosing mark that composes with nothing and
 * is kept after Cyrillic) sends a word down the full path and must only
 * add itself: term(w + "д" + U+0489) == term(w + "д") + U+0489. */
START_TEST(test_text_quick_matches_full)
{
    static const char *before[] = { "", "x", "\xD0\xB4", "\xC3\xA9" };
    for (utf8proc_int32_t cp = 0x80; cp <= 0x1FFFF; cp++) {
        utf8proc_category_t c = utf8proc_category(cp);
        if (c < UTF8PROC_CATEGORY_LU || c > UTF8PROC_CATEGORY_NO ||
            (cp >= 0x3400 && cp <= 0x9FFF) || (cp >= 0xF900 && cp <= 0xFAFF))
            continue;
        char ch[5] = { 0 };
        utf8proc_encode_char(cp, (utf8proc_uint8_t *)ch);
        for (size_t b = 0; b < sizeof before / sizeof before[0]; b++) {
            char a_text[32], b_text[40], a[512], full[512];
            snprintf(a_text, sizeof a_text, "%s%s\xD0\xB4", before[b], ch);
            snprintf(b_text, sizeof b_text, "%s\xD2\x89", a_text);
            one_term(a_text, a);
            one_term(b_text, full);
            if (strlen(a) + 2 <= TOK_MAX_WORD &&
                (strncmp(full, a, strlen(a)) != 0 ||
                 strcmp(full + strlen(a), "\xD2\x89") != 0))
                ck_abort_msg("U+%04X after '%s': '%s' vs '%s'",
                             (unsigned)cp, before[b], a, full);
        }
    }
}
END_TEST

/* Random bytes, biased towards UTF-8 fragments, keep every invariant. */
START_TEST(test_text_random_bytes)
{
    static const char *bits[] = {
        " ", "a", "Z", "7", "'", ".", ",", "-", "\xC3\xA9", "\xCC\x81",
        "\xE2\x80\x99", "\xE6\x9D\xB1", "\xE0\xA4\xBF", "\xD0\x96",
        "\xF0\xA0\x80\x80", "\xEF\xAC\x81", "\xEF\xB7\xBA", "\xE2\x80",
    };
    const size_t nbits = sizeof bits / sizeof bits[0];
    uint32_t seed = 2463534242u;
    size_t words = 0;
    for (int it = 0; it < 5000; it++) {
        char s[600];
        size_t n = 0, goal = rnd(&seed) % 300;
        while (n < goal) {
            uint32_t r = rnd(&seed);
            if (r % 3 == 0) {
                s[n++] = (char)(r >> 8);
            } else {
                const char *p = bits[(r >> 8) % nbits];
                size_t l = strlen(p);
                memcpy(s + n, p, l);
                n += l;
            }
        }
        words += ck_invariants(s, n);
    }
    ck_assert_uint_gt(words, 10000);
}
END_TEST

/* ---- stemmer ---------------------------------------------------------- */

/* Stem of the NUL-terminated w into out. */
static void stem_into(stemmer *s, const char *w, char *out, size_t cap)
{
    size_t n;
    const char *r = stemmer_stem(s, w, strlen(w), &n);
    ck_assert_ptr_nonnull(r);
    ck_assert_uint_lt(n, cap);
    memcpy(out, r, n);
    out[n] = '\0';
}

START_TEST(test_text_stem_english)
{
    stemmer *s;
    char a[64], b[64];
    ck_assert_int_eq(stemmer_new(&s, "english"), MORGUE_OK);
    stem_into(s, "emergencies", a, sizeof a);
    stem_into(s, "emergency", b, sizeof b);
    ck_assert_str_eq(a, b);
    stem_into(s, "protests", a, sizeof a);
    ck_assert_str_eq(a, "protest");
    stemmer_free(s);
}
END_TEST

START_TEST(test_text_stem_all_languages)
{
    const char **l = stemmer_languages();
    int n = 0, has_english = 0, has_none = 0;
    for (; *l; l++, n++) {
        stemmer *s = NULL;
        char out[256];
        ck_assert_msg(stemmer_new(&s, *l) == MORGUE_OK, "%s", *l);
        stem_into(s, "running", out, sizeof out);
        ck_assert_uint_gt(strlen(out), 0);
        stemmer_free(s);
        has_english |= strcmp(*l, "english") == 0;
        has_none |= strcmp(*l, "none") == 0;
    }
    ck_assert_int_gt(n, 10);
    ck_assert(has_english && has_none);
    ck_assert_ptr_eq(stemmer_languages(), stemmer_languages());
}
END_TEST

START_TEST(test_text_stem_unknown)
{
    stemmer *s = (stemmer *)&s;
    ck_assert_int_eq(stemmer_new(&s, "klingon"), MORGUE_EINVAL);
    ck_assert_ptr_null(s);
    ck_assert_int_eq(stemmer_new(&s, ""), MORGUE_EINVAL);
    ck_assert_int_eq(stemmer_new(&s, NULL), MORGUE_EINVAL);
    ck_assert_int_eq(stemmer_new(&s, "English"), MORGUE_EINVAL);
    stemmer_free(NULL);
}
END_TEST

START_TEST(test_text_stem_none)
{
    stemmer *s;
    char out[64];
    ck_assert_int_eq(stemmer_new(&s, "none"), MORGUE_OK);
    stem_into(s, "emergencies", out, sizeof out);
    ck_assert_str_eq(out, "emergencies");
    size_t n;
    const char *r = stemmer_stem(s, "abc", 2, &n);
    ck_assert_uint_eq(n, 2);
    ck_assert_int_eq(memcmp(r, "ab", 2), 0);
    stemmer_free(s);
}
END_TEST

/* Tokenizer terms go straight into the stemmer, non-ASCII ones too. */
START_TEST(test_text_stem_tokens)
{
    stemmer *s;
    tokenizer t;
    token k;
    char out[64];
    const char *text = "\xD0\x9F\xD1\x80\xD0\xBE\xD1\x82\xD0\xB5\xD1\x81"
                       "\xD1\x82\xD1\x8B"; /* Протесты */
    ck_assert_int_eq(stemmer_new(&s, "russian"), MORGUE_OK);
    tokenizer_init(&t, text, strlen(text));
    ck_assert_int_eq(tokenizer_next(&t, &k), 1);
    size_t n;
    const char *r = stemmer_stem(s, k.term, k.len, &n);
    memcpy(out, r, n);
    out[n] = '\0';
    ck_assert_str_eq(out, "\xD0\xBF\xD1\x80\xD0\xBE\xD1\x82\xD0\xB5\xD1\x81"
                          "\xD1\x82"); /* протест */
    stemmer_free(s);
}
END_TEST

/* The English list is sorted (bsearch needs it), holds the function words
 * and no content word, and other languages have none. */
START_TEST(test_text_stopwords)
{
    size_t n;
    const char *const *l = stopword_list("english", &n);
    ck_assert_ptr_nonnull(l);
    ck_assert_uint_gt(n, 100);
    for (size_t i = 1; i < n; i++)
        ck_assert_msg(strcmp(l[i - 1], l[i]) < 0, "%s before %s", l[i - 1],
                      l[i]);
    for (size_t i = 0; i < n; i++)
        ck_assert(stopword_is("english", l[i], strlen(l[i])));
    static const char *const yes[] = { "the", "what", "of", "a", "is",
                                       "which", "yourselves" };
    static const char *const no[] = { "state", "emergency", "almaty",
                                      "may", "will", "th", "thee", "" };
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        ck_assert(stopword_is("porter", yes[i], strlen(yes[i])));
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        ck_assert_msg(!stopword_is("english", no[i], strlen(no[i])), "%s",
                      no[i]);
    ck_assert(stopword_is("english", "theirs", 6));
    ck_assert(!stopword_is("english", "theirs", 4)); /* "thei" */
    ck_assert(!stopword_is("french", "the", 3));
    ck_assert(!stopword_is("none", "the", 3));
    /* the generated lists: sorted, and every entry one term exactly as
     * the tokenizer makes it (else the query word would never match) */
    static const char *const algos[] = { "german", "french", "spanish",
                                         "italian", "russian", "dutch",
                                         "portuguese", "romanian" };
    for (size_t a = 0; a < sizeof algos / sizeof *algos; a++) {
        l = stopword_list(algos[a], &n);
        ck_assert_msg(l && n > 50, "%s", algos[a]);
        for (size_t i = 0; i < n; i++) {
            ck_assert_msg(i == 0 || strcmp(l[i - 1], l[i]) < 0, "%s: %s",
                          algos[a], l[i]);
            tokenizer tk;
            token t;
            tokenizer_init(&tk, l[i], strlen(l[i]));
            ck_assert_msg(tokenizer_next(&tk, &t) && t.len == strlen(l[i]) &&
                              !memcmp(t.term, l[i], t.len) &&
                              !tokenizer_next(&tk, &t),
                          "%s: '%s' is not one normalised term", algos[a],
                          l[i]);
        }
    }
    ck_assert(stopword_is("german", "uber", 4));   /* über, normalised */
    ck_assert(stopword_is("russian", "когда", strlen("когда")));
    ck_assert(!stopword_is("german", "regierung", 9));
    ck_assert_ptr_null(stopword_list("none", &n));
    ck_assert_uint_eq(n, 0);
}
END_TEST

START_TEST(test_text_lang_codes)
{
    char n[4];
    ck_assert_uint_eq(lang_parse("pt-BR", 5), LANG_CODE('p', 't'));
    ck_assert_uint_eq(lang_parse("EN_gb", 5), LANG_CODE('e', 'n'));
    ck_assert_uint_eq(lang_parse("ru", 2), LANG_CODE('r', 'u'));
    ck_assert_uint_eq(lang_parse("und", 3), LANG_UND);
    ck_assert_uint_eq(lang_parse("english", 7), LANG_UND);
    ck_assert_uint_eq(lang_parse("", 0), LANG_UND);
    ck_assert_uint_eq(lang_parse("e1", 2), LANG_UND);
    lang_name(LANG_CODE('d', 'e'), n);
    ck_assert_str_eq(n, "de");
    lang_name(LANG_UND, n);
    ck_assert_str_eq(n, "und");
    ck_assert_uint_eq(lang_of_stemmer("russian"), LANG_CODE('r', 'u'));
    ck_assert_uint_eq(lang_of_stemmer("porter"), LANG_CODE('e', 'n'));
    ck_assert_uint_eq(lang_of_stemmer("none"), LANG_UND);
    lang_mode m;
    ck_assert_int_eq(lang_mode_parse(&m, "auto:german"), MORGUE_OK);
    ck_assert(m.detect);
    ck_assert_str_eq(m.algo, "german");
    ck_assert_int_eq(lang_mode_parse(&m, "english"), MORGUE_OK);
    ck_assert(!m.detect);
    ck_assert_int_eq(lang_mode_parse(&m, "auto"), MORGUE_OK);
    ck_assert(m.detect);
    ck_assert_str_eq(m.algo, "english");
}
END_TEST

START_TEST(test_text_lang_detect)
{
    static const struct { const char *text, *want; } cases[] = {
        { "The government said on Monday that it would raise interest "
          "rates again next month to bring inflation under control.", "en" },
        { "Die Regierung kündigte am Montag an, die Zinsen im nächsten "
          "Monat erneut anzuheben, um die Inflation zu bremsen.", "de" },
        { "Le gouvernement a annoncé lundi qu'il relèverait de nouveau les "
          "taux le mois prochain pour freiner l'inflation.", "fr" },
        { "El Gobierno anunció el lunes que volverá a subir los tipos de "
          "interés el próximo mes para frenar la inflación.", "es" },
        { "Правительство заявило в понедельник, что в следующем месяце "
          "снова повысит ставки, чтобы сдержать инфляцию.", "ru" },
        { "Уряд заявив у понеділок, що наступного місяця знову підвищить "
          "ставки, щоб стримати інфляцію в країні.", "uk" },
        { "Η κυβέρνηση ανακοίνωσε τη Δευτέρα ότι θα αυξήσει ξανά τα "
          "επιτόκια τον επόμενο μήνα για να περιορίσει τον πληθωρισμό.",
          "el" },
        { "AAPL MSFT GOOG AMZN NVDA TSLA META NFLX INTC CSCO ORCL QCOM "
          "AVGO ADBE PYPL", "und" },
        { "Short headline", "it" }, /* the default given */
    };
    lang_detector *d;
    errmsg e;
    ck_assert_int_eq(lang_detector_new(&d, &e), MORGUE_OK);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char n[4];
        lang_name(lang_detect(d, cases[i].text, strlen(cases[i].text),
                              LANG_CODE('i', 't')), n);
        ck_assert_msg(!strcmp(n, cases[i].want), "case %zu: %s, not %s", i,
                      n, cases[i].want);
    }
    lang_detector_free(d);
}
END_TEST

/* The function-word fast path answers English texts, capitals and all,
 * that the n-grams took for Danish or none, and no text of another
 * language, however many English names or words it quotes. */
START_TEST(test_text_langwords)
{
    static const struct { const char *text; int english; } cases[] = {
        { "The government said on Monday that it would raise interest "
          "rates again next month to bring inflation under control.", 1 },
        { "THE BANK OF KOREA SAID IT FIXED THE MIDRATE OF THE WON AT "
          "844.30 TO THE DOLLAR, ITS HIGHEST LEVEL SINCE FEBRUARY 26, "
          "1985, WHEN IT WAS 843.90.", 1 },
        { "Ten grain ships were loading and 14 were waiting to load at "
          "New Orleans elevators, trade sources said.", 1 },
        /* too few function words: left to the n-grams */
        { "Shr profit 13 cts vs loss one ct Net profit 853,000 vs loss "
          "22,000 Revs 41.1 mln vs 20.3 mln", 0 },
        { "Die Regierung sagte, dass the Federal Reserve und die Bank of "
          "England die Zinsen nicht senken werden, with the markets.", 0 },
        { "Le gouvernement a dit que the Bank of England et la Fed ne "
          "baisseront pas les taux, said the minister in the paper.", 0 },
        { "Regeringen sa att the Bank of England och det som the Fed "
          "gjorde inte var bra for the market and the economy.", 0 },
        { "Régeringen sagde at thé and thé og the økonomi ødelægger "
          "the the the the the the the økonomien i år og næste år.", 0 },
        { "El Gobierno dijo que the Bank of England y la Fed no bajarán "
          "los tipos, said the paper, con the markets para the year.", 0 },
        { "De regering zei dat the Bank of England en het kabinet niet "
          "van plan zijn de rente te verlagen voor the year.", 0 },
        { "", 0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        ck_assert_msg(langwords_english(cases[i].text,
                                        strlen(cases[i].text)) ==
                          cases[i].english,
                      "case %zu", i);
    /* every non-English article of the languages fixture stays with the
     * n-grams */
    FILE *f = fopen(MORGUE_SOURCE_DIR "/tests/data/langs/wire.jsonl", "r");
    ck_assert_ptr_nonnull(f);
    char line[16384];
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        if (strstr(line, "\"id\": \"en-"))
            continue;
        n++;
        ck_assert_msg(!langwords_english(line, strlen(line)), "%.40s", line);
    }
    fclose(f);
    ck_assert_int_ge(n, 8);
}
END_TEST

START_TEST(test_text_stemset)
{
    stemset ss;
    ck_assert_int_eq(stemset_init(&ss, "auto:english"), MORGUE_OK);
    size_t n;
    const char *r = stemmer_stem(stemset_get(&ss, LANG_CODE('r', 'u')),
                                 "протестов", strlen("протестов"), &n);
    ck_assert_int_eq((int)n, (int)strlen("протест"));
    ck_assert(!memcmp(r, "протест", n));
    r = stemmer_stem(stemset_get(&ss, LANG_UND), "protests", 8, &n);
    ck_assert(n == 7 && !memcmp(r, "protest", 7)); /* the default */
    r = stemmer_stem(stemset_get(&ss, LANG_CODE('p', 'l')), "wyborach", 8,
                     &n); /* no Snowball stemmer: kept as it is */
    ck_assert(n == 8 && !memcmp(r, "wyborach", 8));
    ck_assert_uint_eq(stemset_lang(&ss, LANG_UND), LANG_CODE('e', 'n'));
    stemset_free(&ss);
    ck_assert_int_eq(stemset_init(&ss, "russian"), MORGUE_OK); /* forced */
    ck_assert_uint_eq(stemset_lang(&ss, LANG_CODE('d', 'e')),
                      LANG_CODE('r', 'u'));
    stemset_free(&ss);
    ck_assert_int_eq(stemset_init(&ss, "auto:klingon"), MORGUE_EINVAL);
    stemset_free(&ss);
}
END_TEST

static int collect(void *ud, const char *entry)
{
    buf *b = ud;
    buf_puts(b, entry);
    buf_putc(b, '|');
    return 0;
}

START_TEST(test_text_synonyms_file)
{
    static const char text[] =
        "# capitals\n"
        "  Almaty, Alma-Ata, Алматы\r\n"
        "\n"
        "Ho Chi Minh City, Saigon, saigon\n"
        "almaty, Verny\n";
    synset s;
    errmsg e;
    synset_init(&s);
    ck_assert_int_eq(synset_parse(&s, text, sizeof text - 1, "t", &e),
                     MORGUE_OK);
    ck_assert_uint_eq(s.n_groups, 3);
    buf b = BUF_INIT;
    synset_expand(&s, "almaty", collect, &b);
    ck_assert_str_eq(buf_cstr(&b), "alma ata|алматы|verny|");
    buf_clear(&b);
    synset_expand(&s, "saigon", collect, &b);
    ck_assert_str_eq(buf_cstr(&b), "ho chi minh city|");
    buf_clear(&b);
    ck_assert_uint_eq(synset_expand(&s, "astana", collect, &b), 0);
    static const struct { const char *text, *msg; } bad[] = {
        { "a, b\nlonely\n", "t: line 2, byte 1: a group needs two" },
        { "a, , b\n", "t: line 1, byte 3: empty entry" },
        { "x\xff, y\n", "t: line 1, byte 1: not valid UTF-8" },
        { "a b c d e f g h i, j\n", "t: line 1, byte 1: an entry has more" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        ck_assert_int_eq(synset_parse(&s, bad[i].text, strlen(bad[i].text),
                                      "t", &e), MORGUE_EFORMAT);
        ck_assert_msg(!strncmp(e.text, bad[i].msg, strlen(bad[i].msg)),
                      "%s", e.text);
        ck_assert_uint_eq(s.n_groups, 3); /* unchanged */
    }
    buf_clear(&b);
    synset_expand(&s, "almaty", collect, &b); /* still sorted, still found */
    ck_assert_str_eq(buf_cstr(&b), "alma ata|алматы|verny|");
    buf_free(&b);
    synset_free(&s);
    const synset *bi = synset_builtin();
    ck_assert_ptr_nonnull(bi);
    ck_assert_uint_ge(bi->n_groups, 300);
}
END_TEST

/* The built-in table the build generated (scripts/gen_synonyms.c) is what
 * parsing variants.c here gives, byte for byte: same text, the same
 * sorted entries, the same groups. */
START_TEST(test_synonyms_builtin_generated)
{
    synset s;
    errmsg e;
    synset_init(&s);
    ck_assert_int_eq(synset_parse_builtin_source(&s, &e), MORGUE_OK);
    const synset *bi = synset_builtin();
    ck_assert_uint_eq(bi->n_groups, s.n_groups);
    ck_assert_uint_eq(bi->n_entries, s.n_entries);
    ck_assert_uint_eq(bi->n_members, s.n_members);
    ck_assert_uint_eq(bi->text.len, s.text.len);
    ck_assert(!memcmp(bi->text.ptr, s.text.ptr, s.text.len));
    for (size_t i = 0; i < s.n_entries; i++) {
        ck_assert_uint_eq(bi->entries[i].text, s.entries[i].text);
        ck_assert_uint_eq(bi->entries[i].group, s.entries[i].group);
    }
    ck_assert(!memcmp(bi->first, s.first, s.n_groups * sizeof *s.first));
    ck_assert(!memcmp(bi->members, s.members,
                      s.n_members * sizeof *s.members));
    /* and it answers as a parsed one does */
    buf b = BUF_INIT;
    synset_expand(bi, "kiev", collect, &b);
    buf c = BUF_INIT;
    synset_expand(&s, "kiev", collect, &c);
    ck_assert_str_eq(buf_cstr(&b), buf_cstr(&c));
    ck_assert_uint_gt(b.len, 0);
    buf_free(&b);
    buf_free(&c);
    synset_free(&s);
}
END_TEST

/* A name's fold key: the word or stem romanised (the language's BGN
 * scheme), ASCII, y as i, doubled letters once, trailing vowels off; the
 * Latin spellings of news reach the same key. */
static void fold_is(translit *t, lang_code lang, const char *w,
                    const char *expect)
{
    char key[TRANSLIT_MAX + 1];
    size_t n = translit_fold(t, lang, w, strlen(w), key);
    key[n] = '\0';
    ck_assert_msg(!strcmp(key, expect), "%s: '%s', not '%s'", w, key, expect);
}

static void key_is(const char *w, const char *expect)
{
    char key[TRANSLIT_MAX + 1];
    size_t n = translit_key(w, strlen(w), key);
    key[n] = '\0';
    ck_assert_msg(!strcmp(key, expect), "%s: '%s', not '%s'", w, key, expect);
}

START_TEST(test_text_translit_keys)
{
    translit *t;
    errmsg e;
    ck_assert_int_eq(translit_new(&t, &e), MORGUE_OK);
    lang_code ru = LANG_CODE('r', 'u'), uk = LANG_CODE('u', 'k'),
              el = LANG_CODE('e', 'l');
    fold_is(t, ru, "алматы", "almat");
    key_is("almati", "almat");           /* Porter's stem of "almaty" */
    fold_is(t, ru, "павлодар", "pavlodar"); /* the stem of Павлодаре */
    fold_is(t, ru, "кокшетау", "kokshet"); /* BGN ш sh, not š -> s */
    key_is("kokshetau", "kokshet");
    fold_is(t, ru, "навальн", "navaln"); /* soft sign's apostrophe off */
    key_is("navalni", "navaln");
    fold_is(t, ru, "зеленский", "zelensk");
    fold_is(t, uk, "зеленський", "zelensk"); /* Ukrainian BGN */
    key_is("zelenskyy", "zelensk");
    fold_is(t, el, "λαρισα", "laris");
    key_is("larissa", "laris");
    fold_is(t, el, "μητσοτακης", "mitsotakis");
    fold_is(t, LANG_UND, "киев", "kiev"); /* any language: Russian's */
    key_is("mañana", "");                 /* not ASCII: no key */
    /* capitals of both scripts, lower case, other scripts */
    ck_assert_int_eq(translit_script("Павлодар", strlen("Павлодар")), 2);
    ck_assert_int_eq(translit_script("павлодар", strlen("павлодар")), 1);
    ck_assert_int_eq(translit_script("Λάρισα", strlen("Λάρισα")), 2);
    ck_assert_int_eq(translit_script("λάρισα", strlen("λάρισα")), 1);
    ck_assert_int_eq(translit_script("Pavlodar", 8), 0);
    ck_assert_int_eq(translit_script("\xD0", 1), 0); /* cut short */
    translit_free(t);
}
END_TEST

/* A detector's answers do not depend on what it detected before: the
 * per-text n-gram table is stamped, not cleared, between calls. */
START_TEST(test_text_lang_detect_repeat)
{
    static const char *const texts[] = {
        "The government said on Monday that it would raise interest rates "
        "again next month to bring inflation under control.",
        "Правительство заявило в понедельник, что в следующем месяце снова "
        "повысит ставки, чтобы сдержать инфляцию.",
        "Die Regierung kündigte am Montag an, die Zinsen im nächsten Monat "
        "erneut anzuheben, um die Inflation zu bremsen.",
        "Уряд заявив у понеділок, що наступного місяця знову підвищить "
        "ставки, щоб стримати інфляцію в країні.",
    };
    enum { N = sizeof texts / sizeof *texts };
    lang_detector *d;
    errmsg e;
    ck_assert_int_eq(lang_detector_new(&d, &e), MORGUE_OK);
    lang_code first[N];
    for (size_t i = 0; i < N; i++)
        first[i] = lang_detect(d, texts[i], strlen(texts[i]), LANG_UND);
    ck_assert(first[0] != first[1] && first[1] != first[3]);
    for (size_t round = 0; round < 200; round++) {
        size_t i = (round * 7 + round / 3) % N;
        ck_assert_int_eq(lang_detect(d, texts[i], strlen(texts[i]), LANG_UND),
                         first[i]);
    }
    lang_detector_free(d);
}
END_TEST

/* hash64() in one pass is the streaming hash of the same bytes, fed in
 * any pieces. */
START_TEST(test_text_hash64_one_pass)
{
    unsigned char b[64];
    uint64_t x = 0x243F6A8885A308D3ull;
    for (size_t i = 0; i < sizeof b; i++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        b[i] = (unsigned char)(x >> 56);
    }
    for (size_t n = 0; n <= sizeof b; n++)
        for (size_t cut = 0; cut <= n; cut += 3) {
            hash64_state s;
            hash64_init(&s);
            hash64_update(&s, b, cut);
            hash64_update(&s, b + cut, n - cut);
            ck_assert_msg(hash64(b, n) == hash64_final(&s), "n %zu cut %zu",
                          n, cut);
        }
    ck_assert(hash64("morgue", 6) != hash64("morguf", 6));
    ck_assert(hash64("", 0) != hash64("\0", 1));
}
END_TEST

static Suite *text_suite(void)
{
    Suite *s = suite_create("text");
    TCase *tok = tcase_create("tokenize");
    tcase_add_test(tok, test_text_ascii_offsets);
    tcase_add_test(tok, test_text_apostrophes);
    tcase_add_test(tok, test_text_hyphens);
    tcase_add_test(tok, test_text_numbers);
    tcase_add_test(tok, test_text_accents);
    tcase_add_test(tok, test_text_nfkc);
    tcase_add_test(tok, test_text_cyrillic);
    tcase_add_test(tok, test_text_greek);
    tcase_add_test(tok, test_text_devanagari);
    tcase_add_test(tok, test_text_cjk);
    tcase_add_test(tok, test_text_mixed_scripts);
    tcase_add_test(tok, test_text_composition_seconds);
    tcase_add_test(tok, test_text_quick_matches_full);
    suite_add_tcase(s, tok);

    TCase *bad = tcase_create("tokenize_hostile_input");
    tcase_add_test(bad, test_text_broken_utf8);
    tcase_add_test(bad, test_text_empty);
    tcase_add_test(bad, test_text_long_words);
    tcase_add_test(bad, test_text_fast_slow_agree);
    tcase_add_test(bad, test_text_random_bytes);
    suite_add_tcase(s, bad);

    TCase *st = tcase_create("stem");
    tcase_add_test(st, test_text_stem_english);
    tcase_add_test(st, test_text_stem_all_languages);
    tcase_add_test(st, test_text_stem_unknown);
    tcase_add_test(st, test_text_stem_none);
    tcase_add_test(st, test_text_stem_tokens);
    tcase_add_test(st, test_text_stopwords);
    suite_add_tcase(s, st);

    TCase *lg = tcase_create("languages");
    tcase_add_test(lg, test_text_lang_codes);
    tcase_add_test(lg, test_text_lang_detect);
    tcase_add_test(lg, test_text_langwords);
    tcase_add_test(lg, test_text_lang_detect_repeat);
    tcase_add_test(lg, test_text_hash64_one_pass);
    tcase_add_test(lg, test_text_stemset);
    tcase_add_test(lg, test_text_synonyms_file);
    tcase_add_test(lg, test_synonyms_builtin_generated);
    tcase_add_test(lg, test_text_translit_keys);
    suite_add_tcase(s, lg);
    return s;
}

MORGUE_CHECK_MAIN(text_suite)
