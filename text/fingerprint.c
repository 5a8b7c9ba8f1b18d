/* fingerprint.c: b-bit MinHash of word 3-shingles (contract in the
 * header). Hash function i maps a shingle hash x to the high 32 bits of
 * x * A[i] + B[i] (multiply-shift; x is already well mixed), so one
 * shingle costs 64 multiply-adds and compares, which the compiler
 * vectorises. */
#include <pthread.h>
#include <string.h>

#include "text/fingerprint.h"
#include "text/tokenize.h"
#include "util/hash.h"

static uint64_t coef_a[FP_BYTES], coef_b[FP_BYTES];
static pthread_once_t coef_once = PTHREAD_ONCE_INIT;

/* splitmix64: a fixed stream, so the coefficients (and every sketch) are
 * the same on every machine. */
static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static void make_coefs(void)
{
    uint64_t s = 0x6D6F726775650001ull; /* "morgue", 1 */
    for (int i = 0; i < FP_BYTES; i++) {
        coef_a[i] = splitmix(&s) | 1;
        coef_b[i] = splitmix(&s);
    }
}

void fp_init(fp_builder *b)
{
    pthread_once(&coef_once, make_coefs);
    b->w[0] = b->w[1] = 0;
    b->n_words = 0;
    memset(b->min, 0xFF, sizeof b->min);
}

static void shingle(fp_builder *b, uint64_t x)
{
    for (int i = 0; i < FP_BYTES; i++) {
        uint32_t v = (uint32_t)((x * coef_a[i] + coef_b[i]) >> 32);
        b->min[i] = v < b->min[i] ? v : b->min[i];
    }
}

/* The hash of the shingle ending with word hash w (order matters). */
static uint64_t combine(uint64_t w0, uint64_t w1, uint64_t w2)
{
    uint64_t h = w0 * 0x9E3779B97F4A7C15ull;
    h = (h ^ (h >> 29) ^ w1) * 0xBF58476D1CE4E5B9ull;
    h = (h ^ (h >> 32) ^ w2) * 0x94D049BB133111EBull;
    return h ^ (h >> 31);
}

void fp_word(fp_builder *b, const char *word, size_t len)
{
    uint64_t w = hash64(word, len);
    if (b->n_words >= 2)
        shingle(b, combine(b->w[0], b->w[1], w));
    b->w[0] = b->w[1];
    b->w[1] = w;
    b->n_words++;
}

void fp_finish(fp_builder *b, uint8_t out[FP_BYTES])
{
    if (b->n_words == 0) {
        memset(out, 0xFF, FP_BYTES);
        return;
    }
    if (b->n_words < 3) /* one shingle of the one or two words */
        shingle(b, combine(0, b->n_words == 2 ? b->w[0] : 0, b->w[1]));
    for (int i = 0; i < FP_BYTES; i++)
        out[i] = (uint8_t)b->min[i];
    if (fp_none(out)) /* vanishingly rare; keep "none" unambiguous */
        out[0] = 0xFE;
}

void fp_text(const char *text, size_t len, uint8_t out[FP_BYTES])
{
    fp_builder b;
    tokenizer tk;
    token tok;
    fp_init(&b);
    tokenizer_init(&tk, text, len);
    while (tokenizer_next(&tk, &tok))
        fp_word(&b, tok.term, tok.len);
    fp_finish(&b, out);
}

int fp_none(const uint8_t fp[FP_BYTES])
{
    for (int i = 0; i < FP_BYTES; i++)
        if (fp[i] != 0xFF)
            return 0;
    return 1;
}

unsigned fp_agree(const uint8_t a[FP_BYTES], const uint8_t b[FP_BYTES])
{
    unsigned n = 0;
    for (int i = 0; i < FP_BYTES; i++)
        n += a[i] == b[i];
    return n;
}

/* Agreement fraction e estimates J + (1 - J) / 256. */
double fp_similarity(const uint8_t a[FP_BYTES], const uint8_t b[FP_BYTES])
{
    if (fp_none(a) || fp_none(b))
        return 0.0;
    double e = (double)fp_agree(a, b) / FP_BYTES;
    double j = (e - 1.0 / 256) / (1.0 - 1.0 / 256);
    return j < 0 ? 0 : j > 1 ? 1 : j;
}

unsigned fp_agree_needed(double sim)
{
    if (sim <= 0)
        return 0;
    double e = sim * (1.0 - 1.0 / 256) + 1.0 / 256;
    unsigned n = 0;
    while (n < FP_BYTES && (double)n / FP_BYTES < e - 1e-12)
        n++;
    return n;
}
