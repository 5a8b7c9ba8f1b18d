/* hash.c: morgue's 64-bit hash (defined in index/format.h): a one-lane
 * MurmurHash3-style mix of little-endian 8-byte words, the zero-padded
 * tail word, the length, then the fmix64 finaliser. Not cryptographic:
 * it names articles and detects changed files, it does not resist an
 * adversary choosing collisions. */
#include "util/hash.h"

#include <string.h>

#define C1 0x87C37B91114253D5ull
#define C2 0x4CF5AD432745937Full
#define SEED 0x9E3779B97F4A7C15ull

static uint64_t rotl(uint64_t x, unsigned r)
{
    return (x << r) | (x >> (64 - r));
}

static uint64_t load_le(const unsigned char *p)
{
    uint64_t w = 0;
    for (int i = 7; i >= 0; i--)
        w = w << 8 | p[i];
    return w;
}

static uint64_t mix_word(uint64_t h, uint64_t w)
{
    w *= C1;
    w = rotl(w, 31);
    w *= C2;
    h ^= w;
    return rotl(h, 27) * 5 + 0x52DCE729;
}

/* fmix64, the finaliser. */
static uint64_t fmix(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xFF51AFD7ED558CCDull;
    h ^= h >> 33;
    h *= 0xC4CEB9FE1A85EC53ull;
    h ^= h >> 33;
    return h;
}

void hash64_init(hash64_state *s)
{
    memset(s, 0, sizeof *s);
    s->h = SEED;
}

void hash64_update(hash64_state *s, const void *p, size_t n)
{
    const unsigned char *c = p;
    if (n == 0)
        return; /* p may be NULL */
    s->total += n;
    while (n > 0 && s->n_tail > 0 && s->n_tail < 8) { /* finish a word */
        s->tail[s->n_tail++] = *c++;
        n--;
    }
    if (s->n_tail == 8) {
        s->h = mix_word(s->h, load_le(s->tail));
        s->n_tail = 0;
    }
    for (; n >= 8; c += 8, n -= 8)
        s->h = mix_word(s->h, load_le(c));
    memcpy(s->tail + s->n_tail, c, n);
    s->n_tail += (unsigned)n;
}

uint64_t hash64_final(const hash64_state *s)
{
    uint64_t h = s->h;
    unsigned char last[8] = { 0 };
    memcpy(last, s->tail, s->n_tail);
    h = mix_word(h, load_le(last));
    return fmix(h ^ s->total);
}

/* The same value as init, update and final, in one pass without the
 * state's tail copies (fp_word hashes every word of every body). */
uint64_t hash64(const void *p, size_t n)
{
    const unsigned char *c = p;
    uint64_t h = SEED;
    size_t k = n;
    for (; k >= 8; c += 8, k -= 8)
        h = mix_word(h, load_le(c));
    unsigned char last[8] = { 0 };
    if (k)
        memcpy(last, c, k);
    h = mix_word(h, load_le(last));
    return fmix(h ^ n);
}
