/* check_codec.c: property tests of the postings codecs: random round trips
 * at every bit width, block boundaries, empty and huge lists; and whole
 * postings lists written by the library and read back (random documents
 * and tfs, every short-block size). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "index/codec.h"
#include "index/features.h"
#include "index/manifest.h"
#include "postutil.h"
#include "testutil.h"

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t rnd(void) /* xorshift64*: deterministic per run */
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ull;
}

static void roundtrip(size_t n, unsigned bits)
{
    uint32_t *v = malloc((n + 1) * sizeof *v);
    uint32_t *w = malloc((n + 1) * sizeof *w);
    size_t bytes = codec_packed_size(n, bits);
    uint8_t *packed = malloc(bytes + 1);
    ck_assert_ptr_nonnull(v);
    for (size_t i = 0; i < n; i++) {
        uint64_t mask = bits == 32 ? 0xFFFFFFFFu
                                   : (bits ? (1ull << bits) - 1 : 0);
        v[i] = (uint32_t)(rnd() & mask);
    }
    if (n > 0 && bits > 0)
        v[rnd() % n] = (uint32_t)(bits == 32 ? 0xFFFFFFFFu
                                             : (1ull << bits) - 1);
    ck_assert_uint_le(codec_bits(v, n), bits);
    packed[bytes] = 0xA5; /* canary: pack must not write past the end */
    codec_pack(packed, v, n, bits);
    ck_assert_uint_eq(packed[bytes], 0xA5);
    codec_unpack(w, packed, n, bits);
    size_t bad = n;
    for (size_t i = 0; i < n && bad == n; i++)
        if (v[i] != w[i])
            bad = i;
    ck_assert_msg(bad == n, "value %zu of %zu at %u bits differs", bad, n,
                  bits);
    free(v);
    free(w);
    free(packed);
}

START_TEST(test_codec_pack_every_width)
{
    for (unsigned bits = 0; bits <= 32; bits++)
        for (int rep = 0; rep < 50; rep++)
            roundtrip(CODEC_BLOCK, bits);
}
END_TEST

START_TEST(test_codec_pack_odd_lengths)
{
    size_t lens[] = { 0, 1, 2, 7, 8, 9, 127, 128, 129, 255, 256, 1000 };
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++)
        for (unsigned bits = 0; bits <= 32; bits++)
            roundtrip(lens[i], bits);
}
END_TEST

START_TEST(test_codec_pack_huge)
{
    roundtrip(1u << 20, 17);
    roundtrip(1u << 20, 32);
}
END_TEST

START_TEST(test_codec_bits)
{
    uint32_t z[4] = { 0, 0, 0, 0 };
    ck_assert_uint_eq(codec_bits(z, 4), 0);
    uint32_t v[3] = { 1, 5, 2 };
    ck_assert_uint_eq(codec_bits(v, 3), 3);
    uint32_t m[1] = { 0xFFFFFFFFu };
    ck_assert_uint_eq(codec_bits(m, 1), 32);
    ck_assert_uint_eq(codec_bits(NULL, 0), 0);
}
END_TEST

START_TEST(test_codec_varint_roundtrip)
{
    uint8_t vb[16];
    for (int i = 0; i < 100000; i++) {
        unsigned shift = (unsigned)(rnd() % 64);
        uint64_t x = rnd() >> shift;
        size_t n = codec_put_varint(vb, x);
        ck_assert_uint_le(n, 10);
        const uint8_t *p = vb;
        uint64_t y = 0;
        ck_assert_int_eq(codec_get_varint(&p, vb + n, &y), 0);
        ck_assert_uint_eq(x, y);
        ck_assert_ptr_eq(p, vb + n);
        /* Every truncation is detected, never read past end. */
        for (size_t cut = 0; cut < n; cut++) {
            p = vb;
            ck_assert_int_eq(codec_get_varint(&p, vb + cut, &y), -1);
        }
    }
}
END_TEST

START_TEST(test_codec_varint_overlong)
{
    uint8_t bad[12];
    for (int i = 0; i < 12; i++)
        bad[i] = 0xFF;
    const uint8_t *p = bad;
    uint64_t y;
    ck_assert_int_eq(codec_get_varint(&p, bad + 12, &y), -1);
}
END_TEST

/* n values: mostly below 2^base, a few (1 in odds) up to 32 bits. */
static void pfor_values(uint32_t *v, size_t n, unsigned base, unsigned odds)
{
    for (size_t i = 0; i < n; i++) {
        unsigned b = rnd() % odds ? base : (unsigned)(rnd() % 33);
        v[i] = b ? (uint32_t)(rnd() & (b == 32 ? 0xFFFFFFFFu
                                               : (1u << b) - 1))
                 : 0;
    }
}

START_TEST(test_codec_pfor_roundtrip)
{
    uint32_t v[255], w[255];
    uint8_t out[CODEC_PFOR_MAX(255) + 1];
    for (int r = 0; r < 20000; r++) {
        size_t n = 1 + rnd() % 255;
        pfor_values(v, n, (unsigned)(rnd() % 33), 1 + (unsigned)(rnd() % 40));
        int exc = (int)(rnd() % 2);
        size_t len = codec_pfor_put(out, v, n, exc);
        ck_assert_uint_le(len, CODEC_PFOR_MAX(n));
        const uint8_t *p = out;
        ck_assert_int_eq(codec_pfor_get(w, &p, out + len, n, 1), 0);
        ck_assert_ptr_eq(p, out + len);
        ck_assert_int_eq(memcmp(v, w, n * sizeof *v), 0);
        /* without exceptions: u8 width | codec_pack, the older blocks */
        unsigned top = codec_bits(v, n);
        if (!exc) {
            ck_assert_uint_eq(out[0], top);
            ck_assert_uint_eq(len, 1 + codec_packed_size(n, top));
        } else {
            ck_assert_uint_le(len, 1 + codec_packed_size(n, top));
        }
        /* a reader of segments without PFOR refuses exceptions */
        p = out;
        ck_assert_int_eq(codec_pfor_get(w, &p, out + len, n, 0),
                         (out[0] & CODEC_PFOR_EXC) ? -1 : 0);
        /* every truncation is found */
        size_t cut = rnd() % len;
        p = out;
        ck_assert_int_eq(codec_pfor_get(w, &p, out + cut, n, 1), -1);
    }
}
END_TEST

/* Exceptions pay: a block of small gaps with one outlier. */
START_TEST(test_codec_pfor_outlier)
{
    uint32_t v[128] = { 0 }, w[128];
    for (int i = 0; i < 128; i++)
        v[i] = (uint32_t)(rnd() % 8);
    v[77] = 100000;
    uint8_t out[CODEC_PFOR_MAX(128)];
    size_t len = codec_pfor_put(out, v, 128, 1);
    ck_assert_uint_eq(out[0], 3 | CODEC_PFOR_EXC);
    ck_assert_uint_eq(out[1], 1);
    ck_assert_uint_eq(len, 2 + 48 + 1 + 2); /* 3 bits a value, 77, 12500 */
    const uint8_t *p = out;
    ck_assert_int_eq(codec_pfor_get(w, &p, out + len, 128, 1), 0);
    ck_assert_int_eq(memcmp(v, w, sizeof v), 0);
    /* malformed: exception indexes out of order or past n */
    out[2 + 48] = 200;
    p = out;
    ck_assert_int_eq(codec_pfor_get(w, &p, out + len, 128, 1), -1);
}
END_TEST

#define RT_WORDS 11

typedef struct rt_word {
    uint32_t tf[700]; /* per document */
} rt_word;

static uint32_t rt_tf(const void *ud, uint32_t doc)
{
    return ((const rt_word *)ud)->tf[doc];
}

/* Word k's documents: a random set of a chosen size (0, 1, 2 and 7 to 9
 * straddle the short blocks' switch to bit-packing, 127 to 129 a full
 * block), random tfs, mostly 1, a few in the hundreds. */
static void rt_fill(rt_word *w, int k, uint32_t n, uint64_t *seed)
{
    static const uint32_t sizes[RT_WORDS - 2] = { 1, 2, 7, 8, 9, 127, 128,
                                                  129, 256 };
    uint32_t df = k < RT_WORDS - 2 ? sizes[k] : (uint32_t)(tu_rand(seed) % n);
    if (k == RT_WORDS - 3)
        df += (uint32_t)(tu_rand(seed) % 40);
    uint32_t order[700];
    for (uint32_t i = 0; i < n; i++)
        order[i] = i;
    memset(w->tf, 0, sizeof w->tf);
    for (uint32_t i = 0; i < df; i++) { /* a partial shuffle */
        uint32_t j = i + (uint32_t)(tu_rand(seed) % (n - i));
        uint32_t t = order[i];
        order[i] = order[j];
        order[j] = t;
        uint64_t r = tu_rand(seed) % 100;
        w->tf[order[i]] = r < 75 ? 1 : r < 95 ? 2 + (uint32_t)(r % 3)
                        : r < 99 ? 5 + (uint32_t)(tu_rand(seed) % 60)
                                 : 100 + (uint32_t)(tu_rand(seed) % 300);
    }
}

static void rt_word_name(char *out, int k)
{
    snprintf(out, 16, "zorbk%c", 'a' + k);
}

/* Writes n articles holding the words as w says (and "zorbone" once, in
 * document 5); one segment. */
static void rt_write(const char *dir, const rt_word *w, uint32_t n)
{
    morgue_writer *wr;
    ck_assert_int_eq(morgue_writer_open(&wr, dir, NULL), MORGUE_OK);
    size_t cap = 1 << 16;
    char *body = malloc(cap), id[32], name[16];
    ck_assert_ptr_nonnull(body);
    for (uint32_t d = 0; d < n; d++) {
        size_t len = (size_t)snprintf(body, cap, "the wire said");
        for (int k = 0; k < RT_WORDS; k++)
            for (uint32_t t = 0; t < w[k].tf[d]; t++) {
                rt_word_name(name, k);
                len += (size_t)snprintf(body + len, cap - len, " %s", name);
            }
        if (d == 5)
            len += (size_t)snprintf(body + len, cap - len, " zorbone");
        ck_assert_uint_lt(len, cap - 1);
        snprintf(id, sizeof id, "rt-%u", d);
        tu_add(wr, id, "Wire note", body, NULL, 0);
    }
    free(body);
    ck_assert_int_eq(morgue_writer_commit(wr), MORGUE_OK);
    morgue_writer_close(wr);
}

START_TEST(test_codec_postings_roundtrip)
{
    uint64_t seed = 0x5EED0000u + (uint64_t)_i;
    uint32_t n = 300 + (uint32_t)(tu_rand(&seed) % 400);
    rt_word *w = calloc(RT_WORDS, sizeof *w);
    ck_assert_ptr_nonnull(w);
    for (int k = 0; k < RT_WORDS; k++)
        rt_fill(&w[k], k, n, &seed);
    char *dir = tu_tempdir("codec");
    ck_assert_ptr_nonnull(dir);
    rt_write(dir, w, n);
    manifest m;
    errmsg e;
    ck_assert_int_eq(manifest_read(&m, dir, &e), MORGUE_OK);
    ck_assert_uint_eq(m.n_segs, 1);
    char path[4200];
    segment_path(path, sizeof path, dir, m.segs[0].id);
    manifest_free(&m);
    segment s;
    ck_assert_msg(segment_open(&s, path, 0, &e) == MORGUE_OK, "%s", e.text);
    ck_assert(s.feat.incompat & FEAT_INCOMPAT_PACKTAIL);
    ck_assert(s.feat.incompat & FEAT_INCOMPAT_PFOR);
    char name[16];
    for (int k = 0; k < RT_WORDS; k++) {
        rt_word_name(name, k);
        int any = 0;
        for (uint32_t d = 0; d < n; d++)
            any |= w[k].tf[d] != 0;
        if (any)
            pu_check_word(&s, name, n, rt_tf, &w[k]);
    }
    /* a tf of 1 is the gap's low bit: document 5 alone is one byte */
    term_info ti;
    ck_assert_int_eq(termdict_find(&s, "Ezorbone", 8, &ti, &e), 1);
    ck_assert_uint_eq(ti.df, 1);
    ck_assert_uint_eq(ti.post_len, 1);
    segment_close(&s);
    tu_rmrf(dir);
    free(dir);
    free(w);
}
END_TEST

static Suite *codec_suite(void)
{
    Suite *s = suite_create("codec");
    TCase *tc = tcase_create("roundtrip");
    tcase_add_test(tc, test_codec_pack_every_width);
    tcase_add_test(tc, test_codec_pack_odd_lengths);
    tcase_add_test(tc, test_codec_pack_huge);
    tcase_add_test(tc, test_codec_bits);
    tcase_add_test(tc, test_codec_varint_roundtrip);
    tcase_add_test(tc, test_codec_varint_overlong);
    tcase_add_test(tc, test_codec_pfor_roundtrip);
    tcase_add_test(tc, test_codec_pfor_outlier);
    suite_add_tcase(s, tc);
    TCase *lists = tcase_create("postings");
    tcase_add_loop_test(lists, test_codec_postings_roundtrip, 0, 6);
    suite_add_tcase(s, lists);
    return s;
}

MORGUE_CHECK_MAIN(codec_suite)
