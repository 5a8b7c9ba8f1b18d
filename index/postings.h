/* postings.h: a cursor over one term's postings in one segment. */
#ifndef MORGUE_INDEX_POSTINGS_H
#define MORGUE_INDEX_POSTINGS_H

#include "index/codec.h"
#include "index/termdict.h"

#define POSTINGS_END UINT32_MAX

typedef struct skip_entry {
    uint32_t last_doc;
    uint32_t imp;     /* first impact pair in postings.impacts */
    uint32_t n_imp;   /* pairs; 0 for a one-block term: decode it */
    uint64_t off;     /* block start within the term's postings */
    uint64_t pos_off; /* block's positions within the term's positions */
} skip_entry;

typedef struct postings {
    const uint8_t *data, *data_end; /* the term's postings bytes */
    const uint8_t *pos, *pos_end;   /* its positions, or NULL */
    uint32_t df;
    uint32_t n_docs;                /* documents in the segment: every id
                                       decoded must be below */
    uint32_t n_blocks;
    skip_entry *skips;              /* n_blocks entries, owned, when > 1 */
    skip_entry one;                 /* the entry of a one-block term */
    uint32_t *impacts;              /* owned (tf, length) pairs */
    uint32_t block;                 /* loaded block, or UINT32_MAX */
    uint32_t n;                     /* docs in the loaded block */
    uint32_t i;                     /* current index in it */
    uint32_t docs[CODEC_BLOCK];
    uint32_t tfs[CODEC_BLOCK];
    uint32_t doc;                   /* current doc or POSTINGS_END */
    int err;                        /* sticky MORGUE_ECORRUPT */
    int docs_only;                  /* postings_open_docs: no tfs, no
                                       impacts */
    int packtail;                   /* the segment's short blocks are
                                       as FEAT_INCOMPAT_PACKTAIL says */
    int pfor;                       /* its packed blocks may have
                                       exceptions (FEAT_INCOMPAT_PFOR) */
    uint32_t pos_i;                 /* positions of the loaded block are
                                       read up to document pos_i, */
    uint64_t pos_at;                /* which start at this offset in pos */
} postings;

/* Opens the cursor before the first document; call postings_next(). */
int postings_open(postings *p, const segment *s, const term_info *ti,
                  errmsg *e);
void postings_close(postings *p);

/* The same for a count: only the documents are decoded (postings_tf()
 * is not valid and the skip entries have no impacts: n_imp 0), which
 * saves a full block's tf unpacking and the impacts' memory. */
int postings_open_docs(postings *p, const segment *s, const term_info *ti,
                       errmsg *e);

/* Moves to the next document; returns p->doc (POSTINGS_END at the end or
 * on corruption, with p->err set). */
uint32_t postings_next(postings *p);

/* Moves to the first document >= target (never backwards). */
uint32_t postings_advance(postings *p, uint32_t target);

static inline uint32_t postings_tf(const postings *p) { return p->tfs[p->i]; }

/* Skip entry of the block that holds, or would hold, target; NULL past the
 * end. Lets the searcher bound a block's score without decoding it. */
const skip_entry *postings_block_for(postings *p, uint32_t target);

/* Positions of the current document into out (tf of them, ascending).
 * Returns the count, or -1 on corruption. out holds postings_tf(). */
int postings_positions(postings *p, uint32_t *out);

/* Positions the next postings_positions() call will decode or skip: those
 * of the block's documents not yet passed, up to the current one. Reads
 * in document order cost each position once. */
uint64_t postings_positions_cost(const postings *p);

#endif
