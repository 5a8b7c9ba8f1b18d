/* slices.c: byte streams in chains of growing slices (see slices.h). */
#include <stdlib.h>

#include "indexer/slices.h"
#include "util/alloc.h"

/* Slice sizes by level, the last 4 bytes of each the link to the next;
 * past the table every slice is the last size. Growing by half keeps the
 * unused end of a stream's last slice near a fifth of its bytes. */
static const uint16_t slice_size[] = { 8,   16,  24,   32,   48,   64,
                                       96,  128, 192,  256,  384,  512,
                                       768, 1024, 1536, 2048, 3072, 4096,
                                       6144, 8192 };
#define N_SIZES (sizeof slice_size / sizeof slice_size[0])
#define LINK 4

/* A stream past this many slices, or a pool past this many blocks, is
 * near the limits of a 16-bit level and a 32-bit address: one more
 * article cannot reach them (an article's body is at most 16 MiB of text). */
#define FULL_LEVEL (UINT16_MAX - 16384)
#define FULL_BLOCKS ((1u << (32 - SLICES_BLOCK_BITS)) - 512)

static size_t size_at(uint32_t level)
{
    return slice_size[level < N_SIZES ? level : N_SIZES - 1];
}

void slices_init(slices *p)
{
    memset(p, 0, sizeof *p);
}

void slices_clear(slices *p)
{
    for (uint32_t i = 0; i < p->n_blocks; i++)
        free(p->blocks[i]);
    p->n_blocks = 0;
    p->used = 0;
    p->oom = 0;
    p->full = 0;
}

void slices_free(slices *p)
{
    slices_clear(p);
    free(p->blocks);
    slices_init(p);
}

static uint8_t *at(const slices *p, uint32_t addr)
{
    return p->blocks[addr >> SLICES_BLOCK_BITS] +
           (addr & (SLICES_BLOCK - 1));
}

/* A new slice of size bytes: its address, or UINT32_MAX on failure. */
static uint32_t carve(slices *p, size_t size)
{
    if (p->n_blocks == 0 || p->used + size > SLICES_BLOCK) {
        if (p->n_blocks >= (1u << (32 - SLICES_BLOCK_BITS)) - 1) {
            p->oom = 1;
            return UINT32_MAX;
        }
        if (p->n_blocks == p->cap_blocks) {
            size_t cap = mem_grow_cap(p->cap_blocks, p->n_blocks + 1,
                                      sizeof *p->blocks);
            uint8_t **nb = cap ? mem_rearray(p->blocks, cap, sizeof *nb)
                               : NULL;
            if (!nb) {
                p->oom = 1;
                return UINT32_MAX;
            }
            p->blocks = nb;
            p->cap_blocks = (uint32_t)cap;
        }
        uint8_t *b = malloc(SLICES_BLOCK);
        if (!b) {
            p->oom = 1;
            return UINT32_MAX;
        }
        p->blocks[p->n_blocks++] = b;
        p->used = 0;
        if (p->n_blocks >= FULL_BLOCKS)
            p->full = 1;
    }
    uint32_t addr = (uint32_t)((p->n_blocks - 1) << SLICES_BLOCK_BITS |
                               p->used);
    p->used += size;
    return addr;
}

void slices_put_slow(slices *p, slice_stream *s, const void *src, size_t n)
{
    const uint8_t *q = src;
    while (n > 0 && !p->oom) {
        if (s->left == 0) {
            if (s->level == UINT16_MAX) {
                p->oom = 1;
                return;
            }
            size_t size = size_at(s->level);
            uint32_t a = carve(p, size);
            if (a == UINT32_MAX)
                return;
            if (s->level == 0)
                s->head = a;
            else /* the link, in the 4 bytes after the slice's data */
                memcpy(at(p, s->tail), &a, LINK);
            s->tail = a;
            s->left = (uint16_t)(size - LINK);
            s->level++;
            if (s->level >= FULL_LEVEL)
                p->full = 1;
        }
        size_t k = n < s->left ? n : s->left;
        memcpy(at(p, s->tail), q, k);
        s->tail += (uint32_t)k;
        s->left -= (uint16_t)k;
        q += k;
        n -= k;
    }
}

size_t slices_len(const slice_stream *s)
{
    size_t n = 0;
    for (uint32_t l = 0; l < s->level; l++)
        n += size_at(l) - LINK;
    return n - s->left;
}

int slices_copy(const slices *p, const slice_stream *s, buf *out)
{
    buf_clear(out);
    size_t n = slices_len(s);
    if (buf_reserve(out, n))
        return -1;
    uint32_t a = s->head;
    for (uint32_t l = 0; n > 0; l++) {
        size_t data = size_at(l) - LINK;
        size_t k = n < data ? n : data;
        const uint8_t *sl = at(p, a);
        buf_append(out, sl, k);
        n -= k;
        if (n > 0)
            memcpy(&a, sl + data, LINK);
    }
    return out->oom ? -1 : 0;
}

void slices_read(slice_reader *r, const slices *p, const slice_stream *s)
{
    r->p = p;
    r->left = slices_len(s);
    r->level = 0;
    r->at = r->left ? at(p, s->head) : NULL;
    r->end = r->left ? r->at + size_at(0) - LINK : NULL;
}

/* The next byte (r->left > 0), stepping to the next slice at an end. */
static uint8_t next_byte(slice_reader *r)
{
    if (r->at == r->end) {
        uint32_t a;
        memcpy(&a, r->end, LINK);
        r->level++;
        r->at = at(r->p, a);
        r->end = r->at + size_at(r->level) - LINK;
    }
    r->left--;
    return *r->at++;
}

int slices_read_varint(slice_reader *r, uint64_t *v)
{
    uint64_t x = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
        if (r->left == 0)
            return -1;
        uint8_t b = next_byte(r);
        x |= (uint64_t)(b & 0x7f) << shift;
        if (b < 0x80) {
            *v = x;
            return 0;
        }
    }
    return -1;
}

size_t slices_memory(const slices *p)
{
    return (size_t)p->n_blocks * SLICES_BLOCK +
           (size_t)p->cap_blocks * sizeof *p->blocks;
}
