/* fingerprint.c: b-bit MinHash of word 3-shingles (contract in the
 * header). Hash function i maps a shingle hash x to the high 32 bits of
 * x * A[i] + B[i] (multiply-shift; x is already well mixed), so one
 * shingle costs 64 multiply-adds and compares. The compiler leaves them
 * scalar (x86-64 has no 64-bit vector multiply before AVX-512): 10% of
 * the instructions of indexing Reuters. With AVX2 (checked at run time)
 * four lanes at a time build each 64-bit product from three 32 x 32-bit
 * ones, which is the same value: the sketches do not change. */
#include <pthread.h>
#include <string.h>
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define FP_AVX2 1
#endif

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

#ifdef FP_AVX2
static int use_avx2;
#endif

static void make_coefs(void)
{
    uint64_t s = 0x6D6F726775650001ull; /* "morgue", 1 */
    for (int i = 0; i < FP_BYTES; i++) {
        coef_a[i] = splitmix(&s) | 1;
        coef_b[i] = splitmix(&s);
    }
#ifdef FP_AVX2
    __builtin_cpu_init();
    use_avx2 = __builtin_cpu_supports("avx2");
#endif
}

void fp_init(fp_builder *b)
{
    pthread_once(&coef_once, make_coefs);
    b->w[0] = b->w[1] = 0;
    b->n_words = 0;
    memset(b->min, 0xFF, sizeof b->min);
}

#ifdef FP_AVX2
/* Four lanes of (x * a + b) >> 32 (mod 2^64): x * a is lo(x) lo(a) plus
 * (hi(x) lo(a) + lo(x) hi(a)) << 32, the high halves' product falling
 * off the top. */
__attribute__((target("avx2"))) static inline __m256i
hash4(__m256i x, __m256i xhi, const uint64_t *a, const uint64_t *b)
{
    __m256i av = _mm256_loadu_si256((const __m256i *)a);
    __m256i bv = _mm256_loadu_si256((const __m256i *)b);
    __m256i lo = _mm256_mul_epu32(x, av);
    __m256i cross = _mm256_add_epi64(_mm256_mul_epu32(xhi, av),
                                     _mm256_mul_epu32(x, _mm256_srli_epi64(av, 32)));
    __m256i p = _mm256_add_epi64(lo, _mm256_slli_epi64(cross, 32));
    return _mm256_srli_epi64(_mm256_add_epi64(p, bv), 32);
}

__attribute__((target("avx2"))) static void shingle_avx2(fp_builder *b,
                                                         uint64_t x)
{
    __m256i xv = _mm256_set1_epi64x((long long)x);
    __m256i xhi = _mm256_srli_epi64(xv, 32);
    /* the low halves of two 4-lane results, in order, as 8 u32 */
    const __m256i pick = _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7);
    for (int i = 0; i < FP_BYTES; i += 8) {
        __m256i v0 = hash4(xv, xhi, coef_a + i, coef_b + i);
        __m256i v1 = hash4(xv, xhi, coef_a + i + 4, coef_b + i + 4);
        __m256i p0 = _mm256_permutevar8x32_epi32(v0, pick);
        __m256i p1 = _mm256_permutevar8x32_epi32(v1, pick);
        __m256i v = _mm256_permute2x128_si256(p0, p1, 0x20);
        __m256i m = _mm256_loadu_si256((const __m256i *)(b->min + i));
        _mm256_storeu_si256((__m256i *)(b->min + i), _mm256_min_epu32(v, m));
    }
}
#endif

static void shingle(fp_builder *b, uint64_t x)
{
#ifdef FP_AVX2
    if (use_avx2) {
        shingle_avx2(b, x);
        return;
    }
#endif
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
