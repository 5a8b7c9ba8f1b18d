/* termdict.h: looking terms up in a segment's dictionary (TDIC). */
#ifndef MORGUE_INDEX_TERMDICT_H
#define MORGUE_INDEX_TERMDICT_H

#include "index/format.h"
#include "index/segment.h"

typedef struct term_info {
    uint32_t df;
    uint64_t post_off, post_len; /* within POST */
    uint64_t pos_off, pos_len;   /* within POSN */
} term_info;

/* Finds key: 1 found (*out filled), 0 absent, MORGUE_ECORRUPT. */
int termdict_find(const segment *s, const char *key, size_t len,
                  term_info *out, errmsg *e);

/* Asks for the dictionary block that would hold key without waiting
 * for it (segment_will_read), for segments with TDFK: a plan names its
 * lookups' blocks side by side before making them. */
void termdict_prefetch(const segment *s, const char *key, size_t len);

/* Walks terms in key order from the first key >= start. */
typedef struct termdict_iter {
    const segment *s;
    uint32_t block;      /* current block */
    uint32_t in_block;   /* terms read from it */
    const uint8_t *p;    /* next entry */
    const uint8_t *end;  /* end of the block */
    uint64_t post_off, pos_off; /* where the current term's own data starts */
    uint64_t own_post_len;      /* its postings bytes (0 for an alias) */
    char key[MAX_KEY];
    size_t key_len;
    term_info info;
} termdict_iter;

int termdict_seek(termdict_iter *it, const segment *s, const char *start,
                  size_t len, errmsg *e);
/* 1 and the next term in it->key/info, 0 at the end, or ECORRUPT. */
int termdict_next(termdict_iter *it, errmsg *e);

/* Positions it on the term whose own postings start at post_off (what a
 * merge needs to name the word an alias shares): 1, 0 when no term's
 * postings start there, or ECORRUPT. */
/* Block b's first key as TDFK holds it (*k, *n): 0, or -1 when the
 * segment has no TDFK or its bounds are bad. For `morgue check`. */
int termdict_first_key(const segment *s, uint32_t b, const char **k,
                       size_t *n);

int termdict_at_post(termdict_iter *it, const segment *s, uint64_t post_off,
                     errmsg *e);

#endif
