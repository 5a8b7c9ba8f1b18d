/* fingerprint.h: the near-duplicate fingerprint of an article's body.
 *
 * A sketch of the set of the body's word 3-shingles (three consecutive
 * normalised words, as text/tokenize.h makes them): 64 MinHash values,
 * one per hash function, of which the low 8 bits are kept (b-bit
 * MinHash). Two sketches agree at a position with probability
 * J + (1 - J) / 256, J being the Jaccard resemblance of the two shingle
 * sets, so the fraction of agreeing bytes estimates J (standard error
 * about sqrt(J(1-J)/64), 0.06 at J = 0.5).
 *
 * Why this and not SimHash: measured on copies of Reuters-21578 articles
 * (benchmarks/dups/, README there): at the thresholds giving precision
 * >= 0.95, 64-bit SimHash over the same shingles missed far more of the
 * tail-cut and sentence-dropped copies, because a cut shifts many bits at
 * once, while the MinHash estimate degrades in proportion to what was cut.
 * 64 bytes per article; computing it costs one multiply-add per shingle
 * and hash function (a few microseconds for a news article).
 *
 * Titles are not shingled: a copy with a new headline is still a copy.
 * A body with no word has no fingerprint (every byte 0xFF, also what
 * articles of segments written before the column read as); it is nobody's
 * near-duplicate. Fewer than three words make one shingle of what there
 * is.
 *
 * The function is part of the index format (the FPH0..FPH7 columns of
 * docs/FORMAT.md): changing it makes old and new sketches incomparable. */
#ifndef MORGUE_TEXT_FINGERPRINT_H
#define MORGUE_TEXT_FINGERPRINT_H

#include <stddef.h>
#include <stdint.h>

#define FP_BYTES 64  /* 64 one-byte MinHash values */

/* Default near-duplicate threshold (estimated resemblance), chosen on the
 * labelled Reuters set (benchmarks/dups/README.md). */
#define FP_DEFAULT_SIMILARITY 0.5

typedef struct fp_builder {
    uint64_t w[2];       /* the previous two word hashes */
    size_t n_words;
    uint32_t min[FP_BYTES];
} fp_builder;

void fp_init(fp_builder *b);
/* Feeds the next normalised word (a token's term). */
void fp_word(fp_builder *b, const char *word, size_t len);
/* The sketch of the words fed; b may be fed again after fp_init. */
void fp_finish(fp_builder *b, uint8_t out[FP_BYTES]);

/* Tokenizes text (text/tokenize.h) and sketches it. */
void fp_text(const char *text, size_t len, uint8_t out[FP_BYTES]);

/* 1 when a sketch is "no fingerprint" (all 0xFF). */
int fp_none(const uint8_t fp[FP_BYTES]);

/* Estimated resemblance of the two bodies, 0..1; 0 when either has no
 * fingerprint. */
double fp_similarity(const uint8_t a[FP_BYTES], const uint8_t b[FP_BYTES]);

/* Positions that must agree for fp_similarity() >= sim (for comparing
 * many sketches against one threshold with integer counts). */
unsigned fp_agree_needed(double sim);

/* Agreeing positions of a and b. */
unsigned fp_agree(const uint8_t a[FP_BYTES], const uint8_t b[FP_BYTES]);

#endif
