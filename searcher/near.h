/* near.h: near-duplicates among a searcher's articles: reading the
 * fingerprint column, and a band index (LSH) that finds, for a sketch,
 * the earlier-added sketches that may resemble it.
 *
 * Banding: the 64 one-byte MinHash values are cut into 32 bands of two
 * bytes; two sketches become candidates when one whole band agrees. A
 * pair of resemblance J agrees on a band with probability about J^2, so
 * it is missed by all 32 with probability (1 - J^2)^32: 1e-4 at J = 0.5,
 * 0.05 at J = 0.3 (far below the default threshold). Candidates are then
 * compared on all 64 bytes. Unrelated pairs collide on a band with
 * probability 32 / 65536, so the comparisons grow with the articles
 * squared over 2000: fine for an archive of a million (a few seconds),
 * which is what `morgue dups` is for. */
#ifndef MORGUE_SEARCHER_NEAR_H
#define MORGUE_SEARCHER_NEAR_H

#include <stddef.h>
#include <stdint.h>

#include "searcher/searcher.h"
#include "text/fingerprint.h"
#include "util/u64map.h"

#define NEAR_BANDS 32

/* The sketch of document doc of segment g (all 0xFF when it has none). */
void near_fp(const morgue_searcher *s, size_t g, uint32_t doc,
             uint8_t out[FP_BYTES]);

/* Verifies the fingerprint columns of every segment (on first use,
 * segment_need): MORGUE_OK, or the failure recorded on s. */
int near_ready(morgue_searcher *s);

/* Segment and local document of a global id; -1 when out of range. */
int near_locate(const morgue_searcher *s, uint64_t docid, size_t *g,
                uint32_t *doc);

typedef struct near_node {
    uint32_t item;
    uint32_t next;       /* next node of the same band value, or UINT32_MAX */
} near_node;

/* Items (numbered by the caller, 0..) and their sketches, by band. */
typedef struct near_index {
    u64map heads;        /* band key -> first node */
    near_node *nodes;
    size_t n_nodes, cap_nodes;
    uint8_t (*fps)[FP_BYTES]; /* per item */
    size_t n_items, cap_items;
    uint32_t *seen;      /* per item: stamp of the last query that met it */
    uint32_t stamp;
} near_index;

void near_index_init(near_index *x);
void near_index_free(near_index *x);

/* Adds a sketch as item x->n_items. 0 or MORGUE_ENOMEM. */
int near_index_add(near_index *x, const uint8_t fp[FP_BYTES]);

/* Calls fn(item, agree, ud) for each item sharing a band with fp whose
 * sketch agrees on at least need bytes, once per item; fn returns
 * non-zero to stop. A sketch with no fingerprint meets nothing. */
void near_index_query(near_index *x, const uint8_t fp[FP_BYTES],
                      unsigned need,
                      int (*fn)(uint32_t item, unsigned agree, void *ud),
                      void *ud);

#endif
