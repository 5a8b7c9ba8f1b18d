/* check_codec.c: property tests of the postings codecs: random round trips
 * at every bit width, block boundaries, empty and huge lists. */
#include <stdint.h>
#include <stdlib.h>

#include "check_main.h"
#include "index/codec.h"

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
    uint8_t buf[16];
    for (int i = 0; i < 100000; i++) {
        unsigned shift = (unsigned)(rnd() % 64);
        uint64_t x = rnd() >> shift;
        size_t n = codec_put_varint(buf, x);
        ck_assert_uint_le(n, 10);
        const uint8_t *p = buf;
        uint64_t y = 0;
        ck_assert_int_eq(codec_get_varint(&p, buf + n, &y), 0);
        ck_assert_uint_eq(x, y);
        ck_assert_ptr_eq(p, buf + n);
        /* Every truncation is detected, never read past end. */
        for (size_t cut = 0; cut < n; cut++) {
            p = buf;
            ck_assert_int_eq(codec_get_varint(&p, buf + cut, &y), -1);
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
    suite_add_tcase(s, tc);
    return s;
}

MORGUE_CHECK_MAIN(codec_suite)
