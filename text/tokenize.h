/* tokenize.h: splits UTF-8 text into normalised words.
 *
 * A word is a run of Unicode letters, digits and combining marks, with
 * these joins kept inside it: an apostrophe (' or U+2019) between letters
 * ("don't", "Kazakhstan's"), and '.' or ',' between digits ("3.5",
 * "1,200" -> "1200"). Hyphens and other punctuation split words.
 * Each word is NFKC-normalised and case-folded (utf8proc); accents are
 * removed from Latin letters ("Tokaïev" -> "tokaiev"). Ideographs (CJK)
 * are one word each. Invalid UTF-8 is never fatal: a stray byte is read as
 * Latin-1. Words longer than TOK_MAX_WORD bytes are cut there.
 */
#ifndef MORGUE_TEXT_TOKENIZE_H
#define MORGUE_TEXT_TOKENIZE_H

#include <stddef.h>
#include <stdint.h>

#define TOK_MAX_WORD 64

typedef struct token {
    const char *term; /* normalised word; valid until the next call */
    size_t len;       /* bytes in term, 1..TOK_MAX_WORD */
    size_t start;     /* byte offset of the word in the input text */
    size_t end;       /* byte offset just past it */
} token;

typedef struct tokenizer {
    const char *text; /* borrowed input */
    size_t len;
    size_t at;        /* next byte to read */
    char word[TOK_MAX_WORD * 4 + 16]; /* normalised word being built */
} tokenizer;

void tokenizer_init(tokenizer *t, const char *text, size_t len);

/* Next word into *out: 1, or 0 when the text is exhausted. */
int tokenizer_next(tokenizer *t, token *out);

#endif
