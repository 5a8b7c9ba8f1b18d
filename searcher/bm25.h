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

#endif
