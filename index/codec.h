/* codec.h: integer codecs of the postings format: bit-packed blocks of
 * 128 values and LEB128 varints, both with bounds-checked decoders. */
#ifndef MORGUE_INDEX_CODEC_H
#define MORGUE_INDEX_CODEC_H

#include <stddef.h>
#include <stdint.h>

#define CODEC_BLOCK 128

/* Bits needed for the largest of v[0..n) (0 when all are zero). */
unsigned codec_bits(const uint32_t *v, size_t n);

/* Bytes taken by n values of bits bits. */
static inline size_t codec_packed_size(size_t n, unsigned bits)
{
    return (n * bits + 7) / 8;
}

/* Packs v[0..n) at bits bits each, least significant bit first, into out
 * (codec_packed_size(n, bits) bytes). Values must fit in bits. */
void codec_pack(uint8_t *out, const uint32_t *v, size_t n, unsigned bits);

/* Unpacks n values of bits bits from in, which holds at least
 * codec_packed_size(n, bits) bytes (no padding needed). */
void codec_unpack(uint32_t *out, const uint8_t *in, size_t n, unsigned bits);

/* Patched frame of reference ("PFor") of n <= 255 values: u8 h, whose low
 * 6 bits are a width w (0..32) and bit 7 says exceptions follow; then, if
 * so, u8 k (1..n); then the n values' low w bits packed as codec_pack
 * does; then the k exceptions, each u8 index (ascending) | varint of the
 * value's bits above w (> 0). The writer takes the w that makes the
 * whole smallest (on a tie the wider, with fewer exceptions). Without
 * exceptions this is exactly u8 w | codec_pack at w bits. */
#define CODEC_PFOR_EXC 0x80u
#define CODEC_PFOR_MAX(n) (2 + 4 * (size_t)(n) + 6 * (size_t)(n))

/* Writes v[0..n) to out (CODEC_PFOR_MAX(n) bytes); returns bytes written.
 * exceptions 0: none, the width of the largest value (the older format). */
size_t codec_pfor_put(uint8_t *out, const uint32_t *v, size_t n,
                      int exceptions);

/* The part of codec_pfor_get after a header with exceptions. */
int codec_pfor_get_exc(uint32_t *out, const uint8_t **p, const uint8_t *end,
                       size_t n);

/* Reads n values from [*p, end) into out, advancing *p: 0, or -1 when the
 * bytes are truncated or malformed (exceptions when !exceptions, a width
 * over 32, indexes out of order, high bits past 32). */
static inline int codec_pfor_get(uint32_t *out, const uint8_t **p,
                                 const uint8_t *end, size_t n, int exceptions)
{
    const uint8_t *q = *p;
    if (q >= end)
        return -1;
    if (*q & CODEC_PFOR_EXC)
        return exceptions ? codec_pfor_get_exc(out, p, end, n) : -1;
    unsigned w = *q++;
    size_t bytes = codec_packed_size(n, w);
    if (w > 32 || (size_t)(end - q) < bytes)
        return -1;
    codec_unpack(out, q, n, w);
    *p = q + bytes;
    return 0;
}

/* Reads a varint from [*p, end): 0 on success (advancing *p), -1 when it is
 * truncated or longer than 10 bytes. */
static inline int codec_get_varint(const uint8_t **p, const uint8_t *end,
                                   uint64_t *out)
{
    const uint8_t *q = *p;
    if (q < end && *q < 0x80) { /* the common one-byte case */
        *out = *q;
        *p = q + 1;
        return 0;
    }
    uint64_t v = 0;
    for (unsigned shift = 0; shift < 70; shift += 7) {
        if (q >= end)
            return -1;
        uint8_t c = *q++;
        v |= (uint64_t)(c & 0x7F) << shift;
        if (c < 0x80) {
            *out = v;
            *p = q;
            return 0;
        }
    }
    return -1;
}

/* Writes a varint to out (at least 10 bytes); returns bytes written. */
size_t codec_put_varint(uint8_t *out, uint64_t v);

static inline uint32_t codec_get_u32le(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static inline uint64_t codec_get_u64le(const uint8_t *p)
{
    return (uint64_t)codec_get_u32le(p) |
           (uint64_t)codec_get_u32le(p + 4) << 32;
}

#endif
