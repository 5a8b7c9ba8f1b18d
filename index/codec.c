/* codec.c: bit-packing of 128-value blocks and varints. */
#include "index/codec.h"

#include <string.h>

unsigned codec_bits(const uint32_t *v, size_t n)
{
    uint32_t all = 0;
    for (size_t i = 0; i < n; i++)
        all |= v[i];
    unsigned bits = 0;
    while (all) {
        bits++;
        all >>= 1;
    }
    return bits;
}

void codec_pack(uint8_t *out, const uint32_t *v, size_t n, unsigned bits)
{
    size_t bytes = codec_packed_size(n, bits);
    memset(out, 0, bytes);
    if (bits == 0)
        return;
    uint64_t acc = 0; /* pending bits, low first */
    unsigned have = 0;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        acc |= (uint64_t)v[i] << have;
        have += bits;
        while (have >= 8) {
            out[o++] = (uint8_t)acc;
            acc >>= 8;
            have -= 8;
        }
    }
    if (have)
        out[o] = (uint8_t)acc;
}

/* Little-endian 8 bytes at p, unaligned (one load on x86). */
static inline uint64_t load64le(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

/* Values of one width unpacked by one 8-byte load each, at their bit
 * offset, 8 at a time: 8 values take exactly `bits` bytes, so within a
 * group every offset is a constant once the width is (each width below
 * has its own copy) and nothing is carried from one value to the next.
 * Stops before a group whose last load would read past the packed
 * bytes; returns how many values were done. */
static inline size_t unpack_fast(uint32_t *out, const uint8_t *in,
                                 size_t n, size_t bytes, unsigned bits)
{
    const uint64_t mask = (1ull << bits) - 1;
    /* group g reads bytes [g * bits, g * bits + 7 * bits / 8 + 8) */
    size_t reach = 7 * bits / 8 + 8, g = 0;
    for (; (g + 1) * 8 <= n && g * bits + reach <= bytes; g++) {
        const uint8_t *p = in + g * bits;
        uint32_t *o = out + g * 8;
#pragma GCC unroll 8
        for (unsigned j = 0; j < 8; j++)
            o[j] = (uint32_t)((load64le(p + j * bits / 8) >> (j * bits % 8)) &
                              mask);
    }
    return g * 8;
}

void codec_unpack(uint32_t *out, const uint8_t *in, size_t n, unsigned bits)
{
    if (bits == 0) {
        memset(out, 0, n * sizeof *out);
        return;
    }
    size_t bytes = codec_packed_size(n, bits);
    size_t i = 0;
    /* a value and its bit shift fit one 8-byte load up to 57 bits; the
     * widths postings use, unrolled for each */
    switch (bits) {
#define W(b) case b: i = unpack_fast(out, in, n, bytes, b); break;
    W(1) W(2) W(3) W(4) W(5) W(6) W(7) W(8) W(9) W(10) W(11) W(12) W(13)
    W(14) W(15) W(16) W(17) W(18) W(19) W(20) W(21) W(22) W(23) W(24)
#undef W
    default: i = unpack_fast(out, in, n, bytes, bits); break;
    }
    /* the last few, whose loads would pass the end: from a copy of the
     * bytes left with room after them (i is a multiple of 8, so they
     * start on a byte; fewer than 40 bytes are left) */
    if (i < n) {
        uint8_t tail[128] = { 0 };
        size_t from = i * bits / 8;
        memcpy(tail, in + from, bytes - from);
        uint64_t mask = (bits == 32) ? 0xFFFFFFFFu : ((1ull << bits) - 1);
        for (size_t k = 0; i < n; i++, k++) {
            size_t bit = k * bits;
            out[i] = (uint32_t)((load64le(tail + (bit >> 3)) >> (bit & 7)) &
                                mask);
        }
    }
}

size_t codec_put_varint(uint8_t *out, uint64_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        out[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    out[n++] = (uint8_t)v;
    return n;
}

/* The width of smallest PFor block for n values whose bit lengths are
 * counted in len[0..32] (0 bits: the value 0). */
static unsigned pfor_width(const size_t *len, size_t n, unsigned top,
                           int exceptions)
{
    unsigned best = top;
    size_t best_cost = codec_packed_size(n, top);
    for (unsigned w = 0; exceptions && w < top; w++) {
        size_t cost = 1 + codec_packed_size(n, w), k = 0;
        for (unsigned b = w + 1; b <= top; b++) {
            cost += len[b] * (1 + (b - w + 6) / 7); /* index, varint */
            k += len[b];
        }
        if (k <= 255 && cost < best_cost) {
            best = w;
            best_cost = cost;
        }
    }
    return best;
}

size_t codec_pfor_put(uint8_t *out, const uint32_t *v, size_t n,
                      int exceptions)
{
    size_t len[33] = { 0 };
    unsigned top = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned b = v[i] ? 32 - (unsigned)__builtin_clz(v[i]) : 0;
        len[b]++;
        top = b > top ? b : top;
    }
    unsigned w = pfor_width(len, n, top, exceptions);
    size_t o = 0;
    out[o++] = (uint8_t)(w | (w < top ? CODEC_PFOR_EXC : 0));
    if (w < top) {
        size_t k = 0;
        for (unsigned b = w + 1; b <= top; b++)
            k += len[b];
        out[o++] = (uint8_t)k;
    }
    uint32_t low[256] = { 0 };
    uint32_t mask = w == 32 ? 0xFFFFFFFFu : (1u << w) - 1;
    for (size_t i = 0; i < n; i++)
        low[i] = v[i] & mask;
    codec_pack(out + o, low, n, w);
    o += codec_packed_size(n, w);
    for (size_t i = 0; w < top && i < n; i++)
        if (v[i] >> w) {
            out[o++] = (uint8_t)i;
            o += codec_put_varint(out + o, v[i] >> w);
        }
    return o;
}

int codec_pfor_get_exc(uint32_t *out, const uint8_t **p, const uint8_t *end,
                       size_t n)
{
    const uint8_t *q = *p;
    unsigned w = *q++ & ~CODEC_PFOR_EXC;
    if (w >= 32 || q >= end || *q == 0 || *q > n)
        return -1;
    unsigned k = *q++;
    size_t bytes = codec_packed_size(n, w);
    if ((size_t)(end - q) < bytes)
        return -1;
    codec_unpack(out, q, n, w);
    q += bytes;
    for (unsigned j = 0, last = 0; j < k; j++) {
        uint64_t hi;
        if (q >= end || (j && *q <= last) || *q >= n)
            return -1;
        last = *q++;
        if (codec_get_varint(&q, end, &hi) || hi == 0 || hi >> (32 - w))
            return -1;
        out[last] |= (uint32_t)hi << w;
    }
    *p = q;
    return 0;
}
