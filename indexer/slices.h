/* slices.h: many small append-only byte streams packed into shared blocks.
 *
 * The inverter keeps two streams a term (its postings and its positions),
 * and most of its 100,000s of terms are rare: a few bytes each. A heap
 * buffer a stream cost a 32-byte descriptor, a 16-byte allocator header
 * and a first allocation much bigger than the bytes (Reuters 1x: 26 MB
 * allocated for 11 MB of postings, 280 bytes of memory a term in all).
 * Here a stream is a chain of slices carved from 16 KiB blocks, each
 * slice larger than the one before (8 bytes, then 16, 24, 32, 48, ...
 * up to 8 KiB) and ending in the 4-byte address of the next, as Lucene's
 * ByteBlockPool does. A stream's state is 12 bytes in its owner's record;
 * nothing is freed one stream at a time (the blocks go at once), and the
 * bytes of a term are near each other's in memory.
 *
 * Blocks are small so that what a small budget counts follows the bytes
 * (256 KiB blocks made `--memory 1` flush at other articles, and the soak
 * test then found a kill leaving part of a replaced file: an exposure of
 * the checkpoint logic, not fixed here). An address is 32 bits (block <<
 * 14 | offset), so a pool holds at most 4 GiB; slices_full() says when a pool (or a stream) is close to its
 * limit, and the owner then empties it before more is added.
 */
#ifndef MORGUE_INDEXER_SLICES_H
#define MORGUE_INDEXER_SLICES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "util/buf.h"

#define SLICES_BLOCK_BITS 14
#define SLICES_BLOCK ((size_t)1 << SLICES_BLOCK_BITS)

/* One stream: zeroed, it is empty. */
typedef struct slice_stream {
    uint32_t head;  /* address of its first slice */
    uint32_t tail;  /* where the next byte goes */
    uint16_t left;  /* bytes left in the current slice before its link */
    uint16_t level; /* slices so far (0: none) */
} slice_stream;

typedef struct slices {
    uint8_t **blocks;      /* owned, each SLICES_BLOCK bytes */
    uint32_t n_blocks, cap_blocks;
    size_t used;           /* bytes carved from the last block */
    int oom;               /* sticky: an allocation failed */
    int full;              /* a stream or the pool is near its limit */
} slices;

void slices_init(slices *p);
/* Frees every block: every stream is then empty (the owner zeroes them). */
void slices_clear(slices *p);
void slices_free(slices *p);

/* Appends to a stream whose current slice is full (or which has none). */
void slices_put_slow(slices *p, slice_stream *s, const void *src, size_t n);

/* Appends n > 0 bytes to s; on failure p->oom is set and nothing more
 * is added. */
static inline void slices_put(slices *p, slice_stream *s, const void *src,
                              size_t n)
{
    if (n <= s->left) {
        memcpy(p->blocks[s->tail >> SLICES_BLOCK_BITS] +
                   (s->tail & (SLICES_BLOCK - 1)),
               src, n);
        s->tail += (uint32_t)n;
        s->left -= (uint16_t)n;
        return;
    }
    slices_put_slow(p, s, src, n);
}

/* Appends v as a LEB128 varint. */
static inline void slices_put_varint(slices *p, slice_stream *s, uint64_t v)
{
    uint8_t b[10];
    size_t n = 0;
    while (v >= 0x80) {
        b[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    b[n++] = (uint8_t)v;
    slices_put(p, s, b, n);
}

/* Bytes appended to s. */
size_t slices_len(const slice_stream *s);
/* Copies the bytes of s to the end of out (cleared first); 0, or -1 on
 * OOM. The pool is only read: threads may copy streams side by side. */
int slices_copy(const slices *p, const slice_stream *s, buf *out);
/* Reads a stream from its start, byte by byte across its slices. */
typedef struct slice_reader {
    const slices *p;
    const uint8_t *at, *end; /* the current slice's data left */
    size_t left;             /* bytes of the stream not yet read */
    uint32_t level;          /* of the current slice */
} slice_reader;

void slices_read(slice_reader *r, const slices *p, const slice_stream *s);
/* The next LEB128 varint: 0, or -1 at the end (or a varint cut off). */
int slices_read_varint(slice_reader *r, uint64_t *v);

/* Bytes of memory the pool holds. */
size_t slices_memory(const slices *p);

#endif
