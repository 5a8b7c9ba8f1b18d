/* postutil.h: one word's postings in a segment against what the test
 * wrote: the tf of the word in each document (check_codec's random round
 * trips, check_compat's index of an older library). */
#ifndef MORGUE_POSTUTIL_H
#define MORGUE_POSTUTIL_H

#include <check.h>
#include <stdint.h>
#include <string.h>

#include "index/format.h"
#include "index/postings.h"
#include "index/termdict.h"
#include "morgue.h"

/* The word's tf in document doc of the segment (0: absent). */
typedef uint32_t (*pu_tf_fn)(const void *ud, uint32_t doc);

/* The next document d >= from with tf(ud, d) > 0, or POSTINGS_END. */
static inline uint32_t pu_next_doc(pu_tf_fn tf, const void *ud, uint32_t n,
                                   uint32_t from)
{
    for (uint32_t d = from; d < n; d++)
        if (tf(ud, d))
            return d;
    return POSTINGS_END;
}

/* The body term of word in s holds exactly the documents d < n of
 * tf(ud, d) > 0, each with that tf and as many ascending positions, when
 * stepped through; and a second cursor advanced to ascending targets
 * (stride by stride, some inside a block, some past several) lands on
 * the first such document at or after each. */
static inline void pu_check_word(const segment *s, const char *word,
                                 uint32_t n, pu_tf_fn tf, const void *ud)
{
    char key[MAX_KEY];
    size_t len = strlen(word);
    ck_assert_uint_lt(len + 1, sizeof key);
    key[0] = NS_WORD;
    memcpy(key + 1, word, len);
    term_info ti;
    errmsg e;
    ck_assert_int_eq(termdict_find(s, key, len + 1, &ti, &e), 1);
    postings p;
    ck_assert_int_eq(postings_open(&p, s, &ti, &e), MORGUE_OK);
    static uint32_t pos[4096];
    uint32_t d = postings_next(&p), df = 0;
    for (uint32_t want = pu_next_doc(tf, ud, n, 0); want != POSTINGS_END;
         want = pu_next_doc(tf, ud, n, want + 1), df++) {
        ck_assert_msg(d == want, "%s: document %u, expected %u", word, d,
                      want);
        uint32_t t = tf(ud, want);
        ck_assert_uint_le(t, 4096);
        ck_assert_msg(postings_tf(&p) == t, "%s: document %u has tf %u, "
                      "expected %u", word, d, postings_tf(&p), t);
        ck_assert_int_eq(postings_positions(&p, pos), (int)t);
        for (uint32_t k = 1; k < t; k++)
            ck_assert_uint_gt(pos[k], pos[k - 1]);
        d = postings_next(&p);
    }
    ck_assert_uint_eq(d, POSTINGS_END);
    ck_assert_int_eq(p.err, 0);
    ck_assert_uint_eq(ti.df, df);
    postings_close(&p);
    ck_assert_int_eq(postings_open(&p, s, &ti, &e), MORGUE_OK);
    for (uint32_t t = 0, k = 0; t <= n; t += 1 + (k * 37) % 150, k++) {
        uint32_t want = pu_next_doc(tf, ud, n, t);
        ck_assert_msg(postings_advance(&p, t) == want, "%s: advance to %u",
                      word, t);
        if (want != POSTINGS_END)
            ck_assert_uint_eq(postings_tf(&p), tf(ud, want));
        else
            break;
    }
    ck_assert_int_eq(p.err, 0);
    postings_close(&p);
}

#endif
