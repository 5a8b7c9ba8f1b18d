/* bm25.h: Okapi BM25 (Robertson & Zaragoza 2009), the idf variant that
 * never goes negative (as in Lucene): log(1 + (N - df + 0.5)/(df + 0.5)). */
#ifndef MORGUE_SEARCHER_BM25_H
#define MORGUE_SEARCHER_BM25_H

#include <math.h>
#include <stdint.h>

static inline double bm25_idf(uint64_t n_docs, uint64_t df)
{
    return log(1.0 + ((double)n_docs - (double)df + 0.5) / ((double)df + 0.5));
}

/* Term-frequency part for tf occurrences in a field of len tokens. */
static inline double bm25_tf(double tf, double len, double avg, double k1,
                             double b)
{
    double norm = k1 * (1.0 - b + b * len / (avg > 0 ? avg : 1.0));
    return tf * (k1 + 1.0) / (tf + norm);
}

/* BM25F (Robertson & Zaragoza 2009, section 3.5; Zaragoza et al. 2004):
 * each field's tf divided by its length normalisation, weighted and summed
 * into one pseudo-frequency x, which is saturated once with the term's one
 * idf: idf * x (k1 + 1) / (k1 + x). bm25f_part is one field's share of x
 * before its weight. */
static inline double bm25f_part(double tf, double len, double avg, double b)
{
    return tf / (1.0 - b + b * len / (avg > 0 ? avg : 1.0));
}

static inline double bm25_saturate(double x, double k1)
{
    return x * (k1 + 1.0) / (k1 + x);
}

#endif
