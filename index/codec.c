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

void codec_unpack(uint32_t *out, const uint8_t *in, size_t n, unsigned bits)
{
    if (bits == 0) {
        memset(out, 0, n * sizeof *out);
        return;
    }
    size_t bytes = codec_packed_size(n, bits);
    uint64_t mask = (bits == 32) ? 0xFFFFFFFFu : ((1u << bits) - 1);
    uint64_t acc = 0;
    unsigned have = 0;
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        while (have < bits) {
            /* Eight bytes at a time while far from the end. */
            if (have <= 56 - 32 && at + 4 <= bytes) {
                acc |= (uint64_t)(in[at] | (uint32_t)in[at + 1] << 8 |
                                  (uint32_t)in[at + 2] << 16 |
                                  (uint32_t)in[at + 3] << 24)
                       << have;
                at += 4;
                have += 32;
            } else {
                acc |= (uint64_t)(at < bytes ? in[at] : 0) << have;
                at++;
                have += 8;
            }
        }
        out[i] = (uint32_t)(acc & mask);
        acc >>= bits;
        have -= bits;
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
