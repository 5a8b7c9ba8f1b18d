/* testflags.h: morgue_query_opts.flags that only the library's own tests
 * and comparisons use. Not part of the stable API: include/morgue.h
 * reserves their bits and says so. */
#ifndef MORGUE_SEARCHER_TESTFLAGS_H
#define MORGUE_SEARCHER_TESTFLAGS_H

/* No pruning: score every match, so a test can compare the pruned top k
 * with the exhaustive one. */
#define SEARCH_EXHAUSTIVE 0x40000000u

#endif
