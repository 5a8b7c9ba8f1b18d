/* codec_bench.c: the candidate codecs for stored text, measured on a JSON
 * Lines corpus cut into blocks as the docstore cuts them.
 *
 *   codec_bench CORPUS.jsonl [BLOCK_BYTES [HEADS_ONLY]]
 *
 * Each article becomes a record as index/docstore.c stores it (varint
 * length + bytes per field: id, url, title, source, tags, body; with
 * HEADS_ONLY=1 the body is left out, as a hit-list store would hold them).
 * Records are cut into blocks of BLOCK_BYTES raw bytes (default 8192), and
 * every codec compresses each block on its own (a block is the unit a
 * reader decompresses) and decompresses every block again:
 *
 *   zlib-6+dict   raw deflate, level 6, the first 32 KiB as preset
 *                 dictionary, set again for every block (today's store)
 *   libdeflate-N  libdeflate level N (it has no preset dictionaries)
 *   zstd-N+dict   zstd level N with a dictionary trained on the corpus
 *                 (ZDICT, 64 KiB), CDict and DDict built once
 *   zstd-N        zstd level N without dictionary
 *   lz4+dict      LZ4 with the first 64 KiB as dictionary (hashed once,
 *                 its state copied for every block)
 *
 * Prints one line per codec: ratio (raw / (compressed + dictionary)),
 * compress and decompress MB/s of raw bytes, and the dictionary's
 * training time. One thread, warm, best of three passes. */
#include <libdeflate.h>
#include <lz4.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#define ZDICT_STATIC_LINKING_ONLY
#include <zdict.h>
#include <zlib.h>
#include <zstd.h>

#include "common/bench.h"

typedef struct blocks {
    unsigned char *raw;
    size_t len, cap;
    size_t *ends; /* end of each block in raw */
    size_t n, cap_n;
    size_t *rec_sizes; /* record sizes, for dictionary training */
    size_t n_rec, cap_rec;
} blocks;

static void put(blocks *b, const void *p, size_t n)
{
    if (b->len + n > b->cap) {
        b->cap = (b->len + n) * 2;
        b->raw = realloc(b->raw, b->cap);
        if (!b->raw)
            exit(1);
    }
    memcpy(b->raw + b->len, p, n);
    b->len += n;
}

static void put_field(blocks *b, const char *p, size_t n)
{
    unsigned char v[10];
    size_t k = 0;
    size_t x = n;
    do {
        v[k++] = (unsigned char)((x & 0x7f) | (x > 0x7f ? 0x80 : 0));
        x >>= 7;
    } while (x);
    put(b, v, k);
    put(b, p, n);
}

static void grow(void **p, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return;
    *cap = *cap ? *cap * 2 : 1024;
    *p = realloc(*p, *cap * size);
    if (!*p)
        exit(1);
}

typedef struct result {
    size_t comp;
    double c_sec, d_sec;
} result;

static unsigned char *out, *back;
static size_t out_cap;

static double best(double a, double b) { return a < b ? a : b; }

static size_t block_start(const blocks *b, size_t i)
{
    return i ? b->ends[i - 1] : 0;
}

/* One codec as the driver sees it: compress one block (src, n) into
 * (dst, cap), giving the compressed size (0: failed), and decompress it
 * back into (dst, n), giving 0 when it came back whole. */
typedef struct codec {
    size_t (*comp)(void *st, const unsigned char *src, size_t n,
                   unsigned char *dst, size_t cap);
    int (*decomp)(void *st, const unsigned char *src, size_t clen,
                  unsigned char *dst, size_t n);
    void *st;
} codec;

/* One direction over every block, each on its own: compressing (sizes
 * into cl) or, with decompress set, decompressing what cl says; seconds
 * taken, the compressed bytes in *total. */
static double sweep(const blocks *b, const codec *k, size_t *cl,
                    int decompress, size_t *total)
{
    double t = bench_now();
    size_t o = 0;
    for (size_t i = 0; i < b->n; i++) {
        size_t s = block_start(b, i), n = b->ends[i] - s;
        if (!decompress &&
            !(cl[i] = k->comp(k->st, b->raw + s, n, out + o, out_cap - o)))
            exit(3);
        if (decompress && k->decomp(k->st, out + o, cl[i], back + s, n))
            exit(2);
        o += cl[i];
    }
    *total = o;
    return bench_now() - t;
}

/* Every block compressed, then every block decompressed; best of three
 * passes. */
static result timed(const blocks *b, const codec *k)
{
    result r = { 0, 1e9, 1e9 };
    size_t *cl = malloc((b->n ? b->n : 1) * sizeof *cl);
    if (!cl)
        exit(1);
    for (int pass = 0; pass < 3; pass++) {
        r.c_sec = best(r.c_sec, sweep(b, k, cl, 0, &r.comp));
        r.d_sec = best(r.d_sec, sweep(b, k, cl, 1, &r.comp));
    }
    free(cl);
    return r;
}

/* ---- zlib: raw deflate, the preset dictionary set again per block ---- */
typedef struct zlib_st {
    z_stream zs, is;
    const unsigned char *dict;
    size_t dict_len;
} zlib_st;

static size_t zlib_comp(void *st, const unsigned char *src, size_t n,
                        unsigned char *dst, size_t cap)
{
    zlib_st *z = st;
    deflateReset(&z->zs);
    deflateSetDictionary(&z->zs, z->dict, (uInt)z->dict_len);
    z->zs.next_in = (Bytef *)src;
    z->zs.avail_in = (uInt)n;
    z->zs.next_out = dst;
    z->zs.avail_out = (uInt)cap;
    return deflate(&z->zs, Z_FINISH) == Z_STREAM_END ? z->zs.total_out : 0;
}

static int zlib_decomp(void *st, const unsigned char *src, size_t clen,
                       unsigned char *dst, size_t n)
{
    zlib_st *z = st;
    inflateReset(&z->is);
    inflateSetDictionary(&z->is, z->dict, (uInt)z->dict_len);
    z->is.next_in = (Bytef *)src;
    z->is.avail_in = (uInt)clen;
    z->is.next_out = dst;
    z->is.avail_out = (uInt)n;
    return inflate(&z->is, Z_FINISH) != Z_STREAM_END;
}

static result run_zlib(const blocks *b, const unsigned char *dict,
                       size_t dict_len)
{
    zlib_st z;
    memset(&z, 0, sizeof z);
    z.dict = dict;
    z.dict_len = dict_len;
    deflateInit2(&z.zs, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
    inflateInit2(&z.is, -15);
    codec k = { zlib_comp, zlib_decomp, &z };
    result r = timed(b, &k);
    deflateEnd(&z.zs);
    inflateEnd(&z.is);
    return r;
}

/* ---- libdeflate ---- */
typedef struct deflate_st {
    struct libdeflate_compressor *c;
    struct libdeflate_decompressor *d;
} deflate_st;

static size_t ld_comp(void *st, const unsigned char *src, size_t n,
                      unsigned char *dst, size_t cap)
{
    return libdeflate_deflate_compress(((deflate_st *)st)->c, src, n, dst,
                                       cap);
}

static int ld_decomp(void *st, const unsigned char *src, size_t clen,
                     unsigned char *dst, size_t n)
{
    return libdeflate_deflate_decompress(((deflate_st *)st)->d, src, clen,
                                         dst, n, NULL) != LIBDEFLATE_SUCCESS;
}

static result run_libdeflate(const blocks *b, int level)
{
    deflate_st d = { libdeflate_alloc_compressor(level),
                     libdeflate_alloc_decompressor() };
    codec k = { ld_comp, ld_decomp, &d };
    result r = timed(b, &k);
    libdeflate_free_compressor(d.c);
    libdeflate_free_decompressor(d.d);
    return r;
}

/* ---- zstd: CDict and DDict built once when there is a dictionary ---- */
typedef struct zstd_st {
    ZSTD_CCtx *cc;
    ZSTD_DCtx *dc;
    ZSTD_CDict *cd;
    ZSTD_DDict *dd;
    int level;
} zstd_st;

static size_t zstd_comp(void *st, const unsigned char *src, size_t n,
                        unsigned char *dst, size_t cap)
{
    zstd_st *z = st;
    size_t c = z->cd ? ZSTD_compress_usingCDict(z->cc, dst, cap, src, n,
                                                z->cd)
                     : ZSTD_compressCCtx(z->cc, dst, cap, src, n, z->level);
    return ZSTD_isError(c) ? 0 : c;
}

static int zstd_decomp(void *st, const unsigned char *src, size_t clen,
                       unsigned char *dst, size_t n)
{
    zstd_st *z = st;
    size_t got = z->dd ? ZSTD_decompress_usingDDict(z->dc, dst, n, src, clen,
                                                    z->dd)
                       : ZSTD_decompressDCtx(z->dc, dst, n, src, clen);
    return got != n;
}

static result run_zstd(const blocks *b, int level, const void *dict,
                       size_t dict_len)
{
    zstd_st z = { ZSTD_createCCtx(), ZSTD_createDCtx(),
                  dict_len ? ZSTD_createCDict(dict, dict_len, level) : NULL,
                  dict_len ? ZSTD_createDDict(dict, dict_len) : NULL, level };
    codec k = { zstd_comp, zstd_decomp, &z };
    result r = timed(b, &k);
    ZSTD_freeCDict(z.cd);
    ZSTD_freeDDict(z.dd);
    ZSTD_freeCCtx(z.cc);
    ZSTD_freeDCtx(z.dc);
    return r;
}

/* ---- lz4 ---- */
typedef struct lz4_st {
    LZ4_stream_t *dstream, *work;
    const unsigned char *dict;
    size_t dict_len;
} lz4_st;

static size_t lz4_comp(void *st, const unsigned char *src, size_t n,
                       unsigned char *dst, size_t cap)
{
    lz4_st *z = st;
    /* a copy of the loaded state: the dictionary is hashed once (Debian's
     * liblz4 does not export LZ4_attach_dictionary) */
    memcpy(z->work, z->dstream, sizeof *z->work);
    int c = LZ4_compress_fast_continue(z->work, (const char *)src,
                                       (char *)dst, (int)n, (int)cap, 1);
    return c > 0 ? (size_t)c : 0;
}

static int lz4_decomp(void *st, const unsigned char *src, size_t clen,
                      unsigned char *dst, size_t n)
{
    lz4_st *z = st;
    int got = LZ4_decompress_safe_usingDict(
        (const char *)src, (char *)dst, (int)clen, (int)n,
        (const char *)z->dict, (int)z->dict_len);
    return got != (int)n;
}

static result run_lz4(const blocks *b, const unsigned char *dict,
                      size_t dict_len)
{
    lz4_st z = { LZ4_createStream(), LZ4_createStream(), dict, dict_len };
    LZ4_loadDict(z.dstream, (const char *)dict, (int)dict_len);
    codec k = { lz4_comp, lz4_decomp, &z };
    result r = timed(b, &k);
    LZ4_freeStream(z.dstream);
    LZ4_freeStream(z.work);
    return r;
}

static void report(const char *name, const blocks *b, result r,
                   size_t dict_len, double train_sec)
{
    double mb = (double)b->len / 1e6;
    printf("| %s | %.2f | %.0f | %.0f | %zu | %.0f |\n", name,
           (double)b->len / (double)(r.comp + dict_len), mb / r.c_sec,
           mb / r.d_sec, dict_len, train_sec * 1000);
    fflush(stdout);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: codec_bench CORPUS.jsonl [BLOCK [HEADS]]\n");
        return 2;
    }
    size_t block = argc > 2 ? (size_t)atol(argv[2]) : 8192;
    int heads = argc > 3 && atoi(argv[3]);
    bench_corpus *c = bench_corpus_open(argv[1]);
    if (!c)
        return 1;
    blocks b = { 0 };
    bench_article a;
    size_t open = 0; /* start of the open block */
    while (bench_corpus_next(c, &a) == 1) {
        size_t before = b.len;
        put_field(&b, a.id, strlen(a.id));
        put_field(&b, argv[1], strlen(argv[1])); /* url: the file's path */
        put_field(&b, a.title, a.title_len);
        put_field(&b, a.source, strlen(a.source));
        size_t tl = 0;
        char tags[4096];
        for (size_t i = 0; i < a.n_tags && tl < 3000; i++)
            tl += (size_t)snprintf(tags + tl, sizeof tags - tl, "%s%s",
                                   i ? "\n" : "", a.tags[i]);
        put_field(&b, tags, tl);
        if (!heads)
            put_field(&b, a.body, a.body_len);
        else
            put_field(&b, "", 0);
        grow((void **)&b.rec_sizes, &b.cap_rec, b.n_rec, sizeof(size_t));
        b.rec_sizes[b.n_rec++] = b.len - before;
        if (b.len - open >= block) {
            grow((void **)&b.ends, &b.cap_n, b.n, sizeof(size_t));
            b.ends[b.n++] = b.len;
            open = b.len;
        }
    }
    if (b.len > open) {
        grow((void **)&b.ends, &b.cap_n, b.n, sizeof(size_t));
        b.ends[b.n++] = b.len;
    }
    bench_corpus_close(c);
    out_cap = b.len * 2 + 65536 * 4;
    out = malloc(out_cap);
    back = malloc(b.len + 1);
    printf("corpus %s: %zu records, %.1f MB raw, %zu blocks of %zu bytes%s\n",
           argv[1], b.n_rec, (double)b.len / 1e6, b.n, block,
           heads ? " (records without body)" : "");
    printf("| codec | ratio | compress MB/s | decompress MB/s | dict bytes | "
           "dict training ms |\n|---|---:|---:|---:|---:|---:|\n");
    size_t zd = b.len < 32768 ? b.len : 32768;
    report("zlib-6+dict", &b, run_zlib(&b, b.raw, zd), zd, 0);
    report("libdeflate-6", &b, run_libdeflate(&b, 6), 0, 0);
    report("libdeflate-1", &b, run_libdeflate(&b, 1), 0, 0);
    /* A dictionary trained on (at most 8 MB of) the records. */
    size_t n_samples = 0, sample_bytes = 0;
    size_t sample_cap = getenv("SAMPLE_MB") ? (size_t)atol(getenv("SAMPLE_MB")) << 20 : (8u << 20);
    while (n_samples < b.n_rec && sample_bytes < sample_cap)
        sample_bytes += b.rec_sizes[n_samples++];
    size_t cap = 65536;
    unsigned char *dict = malloc(cap);
    double t = bench_now();
    ZDICT_fastCover_params_t fp;
    memset(&fp, 0, sizeof fp);
    fp.k = 200; fp.d = 8; fp.f = 20; fp.steps = 0; fp.accel = 1;
    fp.zParams.compressionLevel = 3;
    size_t dl = getenv("FASTCOVER") ? ZDICT_trainFromBuffer_fastCover(dict, cap, b.raw, b.rec_sizes,
                                      (unsigned)n_samples, fp) : ZDICT_trainFromBuffer(dict, cap, b.raw, b.rec_sizes,
                                      (unsigned)n_samples);
    double train = bench_now() - t;
    if (ZDICT_isError(dl)) {
        fprintf(stderr, "ZDICT: %s\n", ZDICT_getErrorName(dl));
        dl = 0;
    }
    static const int levels[] = { 1, 3, 6, 9 };
    for (int i = 0; i < 4; i++) {
        char name[32];
        snprintf(name, sizeof name, "zstd-%d+dict", levels[i]);
        report(name, &b, run_zstd(&b, levels[i], dict, dl), dl, train);
    }
    report("zstd-3+raw32k", &b, run_zstd(&b, 3, b.raw, zd), zd, 0);
    report("zstd-3", &b, run_zstd(&b, 3, NULL, 0), 0, 0);
    size_t ld = b.len < 65536 ? b.len : 65536;
    report("lz4+dict64k", &b, run_lz4(&b, b.raw, ld), ld, 0);
    free(dict);
    free(out);
    free(back);
    return 0;
}
