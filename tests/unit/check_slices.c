/* check_slices.c: the inverter's byte streams in shared slices
 * (indexer/slices.h): what goes in comes out, stream by stream, however
 * the appends interleave and wherever slices and blocks end. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "indexer/slices.h"

#define N_STREAMS 997

/* xorshift: the same pseudo-random appends every run */
static uint32_t next_rand(uint32_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 17;
    *x ^= *x << 5;
    return *x;
}

/* Many streams appended to in random order with random lengths (mostly
 * a byte or two, as postings are, some runs of hundreds, as positions of
 * a long article are), several MiB in all so that blocks fill: each
 * stream's copy equals a plain buffer given the same bytes. */
START_TEST(test_slices_interleaved)
{
    slices p;
    slices_init(&p);
    slice_stream *s = calloc(N_STREAMS, sizeof *s);
    buf *want = calloc(N_STREAMS, sizeof *want);
    ck_assert_ptr_nonnull(s);
    ck_assert_ptr_nonnull(want);
    uint32_t x = 2463534242u;
    uint8_t bytes[700];
    size_t total = 0;
    for (int round = 0; total < (size_t)6 << 20; round++) {
        uint32_t i = next_rand(&x) % N_STREAMS;
        /* a few streams get most of the bytes, as common words do */
        if (round % 3 == 0)
            i %= 7;
        size_t n = next_rand(&x) % 16 == 0 ? next_rand(&x) % sizeof bytes + 1
                                           : next_rand(&x) % 3 + 1;
        for (size_t k = 0; k < n; k++)
            bytes[k] = (uint8_t)next_rand(&x);
        if (n == 1 && round % 2)
            slices_put_varint(&p, &s[i], bytes[0] | (uint64_t)round << 7);
        else
            slices_put(&p, &s[i], bytes, n);
        if (n == 1 && round % 2) {
            uint64_t v = bytes[0] | (uint64_t)round << 7;
            while (v >= 0x80) {
                buf_putc(&want[i], (char)(v | 0x80));
                v >>= 7;
            }
            buf_putc(&want[i], (char)v);
        } else {
            buf_append(&want[i], bytes, n);
        }
        total += n;
    }
    ck_assert_int_eq(p.oom, 0);
    ck_assert_int_eq(p.full, 0);
    ck_assert_uint_gt(p.n_blocks, 20); /* blocks did end */
    ck_assert_uint_ge(slices_memory(&p), total);
    buf got = BUF_INIT;
    for (uint32_t i = 0; i < N_STREAMS; i++) {
        ck_assert_uint_eq(slices_len(&s[i]), want[i].len);
        ck_assert_int_eq(slices_copy(&p, &s[i], &got), 0);
        ck_assert_uint_eq(got.len, want[i].len);
        if (got.len)
            ck_assert(memcmp(got.ptr, want[i].ptr, got.len) == 0);
        buf_free(&want[i]);
    }
    /* emptied, the pool takes new streams from nothing */
    slices_clear(&p);
    ck_assert_uint_eq(p.n_blocks, 0);
    memset(s, 0, N_STREAMS * sizeof *s);
    slices_put(&p, &s[3], "abc", 3);
    ck_assert_int_eq(slices_copy(&p, &s[3], &got), 0);
    ck_assert_uint_eq(got.len, 3);
    ck_assert(memcmp(got.ptr, "abc", 3) == 0);
    ck_assert_uint_eq(slices_len(&s[4]), 0);
    ck_assert_int_eq(slices_copy(&p, &s[4], &got), 0);
    ck_assert_uint_eq(got.len, 0);
    buf_free(&got);
    slices_free(&p);
    free(s);
    free(want);
}
END_TEST

/* One stream far longer than the largest slice, appended a byte at a
 * time and in one piece bigger than a slice: every slice boundary. */
START_TEST(test_slices_long_stream)
{
    slices p;
    slices_init(&p);
    slice_stream a = { 0 }, b = { 0 };
    buf want = BUF_INIT, got = BUF_INIT;
    for (uint32_t k = 0; k < 300000; k++) {
        uint8_t c = (uint8_t)(k * 131 + (k >> 8));
        slices_put(&p, &a, &c, 1);
        buf_putc(&want, (char)c);
    }
    ck_assert_int_eq(slices_copy(&p, &a, &got), 0);
    ck_assert_uint_eq(got.len, want.len);
    ck_assert(memcmp(got.ptr, want.ptr, got.len) == 0);
    slices_put(&p, &b, want.ptr, want.len); /* 300,000 bytes at once */
    ck_assert_int_eq(slices_copy(&p, &b, &got), 0);
    ck_assert_uint_eq(slices_len(&b), want.len);
    ck_assert(memcmp(got.ptr, want.ptr, got.len) == 0);
    ck_assert_int_eq(p.oom, 0);
    buf_free(&want);
    buf_free(&got);
    slices_free(&p);
}
END_TEST

/* Varints read back across slice ends, streams interleaved: the values
 * written, then the end. */
START_TEST(test_slices_read_varints)
{
    slices p;
    slices_init(&p);
    slice_stream s[3] = { { 0 } };
    for (uint64_t k = 0; k < 200000; k++)
        slices_put_varint(&p, &s[k % 3], k * k % 1000003 << (k % 40));
    ck_assert_int_eq(p.oom, 0);
    for (int j = 0; j < 3; j++) {
        slice_reader r;
        slices_read(&r, &p, &s[j]);
        uint64_t v;
        for (uint64_t k = (uint64_t)j; k < 200000; k += 3) {
            ck_assert_int_eq(slices_read_varint(&r, &v), 0);
            ck_assert_uint_eq(v, k * k % 1000003 << (k % 40));
        }
        ck_assert_int_eq(slices_read_varint(&r, &v), -1);
    }
    slice_stream empty = { 0 };
    slice_reader r;
    uint64_t v;
    slices_read(&r, &p, &empty);
    ck_assert_int_eq(slices_read_varint(&r, &v), -1);
    slices_free(&p);
}
END_TEST

static Suite *slices_suite(void)
{
    Suite *s = suite_create("slices");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_slices_interleaved);
    tcase_add_test(tc, test_slices_long_stream);
    tcase_add_test(tc, test_slices_read_varints);
    suite_add_tcase(s, tc);
    return s;
}

MORGUE_CHECK_MAIN(slices_suite)
