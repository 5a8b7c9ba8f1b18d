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
