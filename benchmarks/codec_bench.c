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

/* ---- zlib ---- */
static result run_zlib(const blocks *b, const unsigned char *dict,
                       size_t dict_len)
{
    result r = { 0, 1e9, 1e9 };
    z_stream zs, is;
    memset(&zs, 0, sizeof zs);
    memset(&is, 0, sizeof is);
    deflateInit2(&zs, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
    inflateInit2(&is, -15);
    size_t *cl = malloc(b->n * sizeof *cl);
    for (int pass = 0; pass < 3; pass++) {
        double t = bench_now();
        size_t o = 0;
        for (size_t i = 0; i < b->n; i++) {
            size_t s = block_start(b, i), n = b->ends[i] - s;
            deflateReset(&zs);
            deflateSetDictionary(&zs, dict, (uInt)dict_len);
            zs.next_in = (Bytef *)b->raw + s;
            zs.avail_in = (uInt)n;
            zs.next_out = out + o;
            zs.avail_out = (uInt)(out_cap - o);
            deflate(&zs, Z_FINISH);
            cl[i] = zs.total_out;
            o += cl[i];
        }
        r.c_sec = best(r.c_sec, bench_now() - t);
        r.comp = o;
        t = bench_now();
        o = 0;
        for (size_t i = 0; i < b->n; i++) {
            size_t s = block_start(b, i), n = b->ends[i] - s;
            inflateReset(&is);
            inflateSetDictionary(&is, dict, (uInt)dict_len);
            is.next_in = out + o;
            is.avail_in = (uInt)cl[i];
            is.next_out = back + s;
            is.avail_out = (uInt)n;
            if (inflate(&is, Z_FINISH) != Z_STREAM_END)
                exit(2);
            o += cl[i];
        }
        r.d_sec = best(r.d_sec, bench_now() - t);
    }
    deflateEnd(&zs);
    inflateEnd(&is);
    free(cl);
    return r;
}

/* ---- libdeflate ---- */
static result run_libdeflate(const blocks *b, int level)
{
    result r = { 0, 1e9, 1e9 };
    struct libdeflate_compressor *c = libdeflate_alloc_compressor(level);
    struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
    size_t *cl = malloc(b->n * sizeof *cl);
    for (int pass = 0; pass < 3; pass++) {
        double t = bench_now();
        size_t o = 0;
        for (size_t i = 0; i < b->n; i++) {
            size_t s = block_start(b, i), n = b->ends[i] - s;
            cl[i] = libdeflate_deflate_compress(c, b->raw + s, n, out + o,
                                                out_cap - o);
            o += cl[i];
        }
        r.c_sec = best(r.c_sec, bench_now() - t);
        r.comp = o;
        t = bench_now();
        o = 0;
        for (size_t i = 0; i < b->n; i++) {
            size_t s = block_start(b, i), n = b->ends[i] - s;
            if (libdeflate_deflate_decompress(d, out + o, cl[i], back + s, n,
                                              NULL) != LIBDEFLATE_SUCCESS)
                exit(2);
            o += cl[i];
        }
        r.d_sec = best(r.d_sec, bench_now() - t);
    }
    libdeflate_free_compressor(c);
    libdeflate_free_decompressor(d);
    free(cl);
    return r;
}

/* ---- zstd ---- */
static result run_zstd(const blocks *b, int level, const void *dict,
                       size_t dict_len)
{
    result r = { 0, 1e9, 1e9 };
    ZSTD_CCtx *cc = ZSTD_createCCtx();
    ZSTD_DCtx *dc = ZSTD_createDCtx();
    ZSTD_CDict *cd = dict_len ? ZSTD_createCDict(dict, dict_len, level)
                              : NULL;
    ZSTD_DDict *dd = dict_len ? ZSTD_createDDict(dict, dict_len) : NULL;
    size_t *cl = malloc(b->n * sizeof *cl);
    for (int pass = 0; pass < 3; pass++) {
        double t = bench_now();
        size_t o = 0;
        for (size_t i = 0; i < b->n; i++) {
            size_t s = block_start(b, i), n = b->ends[i] - s;
            cl[i] = cd ? ZSTD_compress_usingCDict(cc, out + o, out_cap - o,
                                                  b->raw + s, n, cd)
                       : ZSTD_compressCCtx(cc, out + o, out_cap - o,
                                           b->raw + s, n, level);
            if (ZSTD_isError(cl[i]))
                exit(3);
            o += cl[i];
        }
        r.c_sec = best(r.c_sec, bench_now() - t);
        r.comp = o;
        t = bench_now();
        o = 0;
        for (size_t i = 0; i < b->n; i++) {
            size_t s = block_start(b, i), n = b->ends[i] - s;
            size_t got = dd ? ZSTD_decompress_usingDDict(dc, back + s, n,
                                                         out + o, cl[i], dd)
                            : ZSTD_decompressDCtx(dc, back + s, n, out + o,
                                                  cl[i]);
            if (got != n)
                exit(2);
            o += cl[i];
        }
        r.d_sec = best(r.d_sec, bench_now() - t);
    }
    ZSTD_freeCDict(cd);
    ZSTD_freeDDict(dd);
    ZSTD_freeCCtx(cc);
    ZSTD_freeDCtx(dc);
    free(cl);
    return r;
}

/* ---- lz4 ---- */
static result run_lz4(const blocks *b, const unsigned char *dict,
                      size_t dict_len)
{
    result r = { 0, 1e9, 1e9 };
    LZ4_stream_t *dstream = LZ4_createStream(), *work = LZ4_createStream();
    LZ4_loadDict(dstream, (const char *)dict, (int)dict_len);
    size_t *cl = malloc(b->n * sizeof *cl);
    for (int pass = 0; pass < 3; pass++) {
        double t = bench_now();
        size_t o = 0;
        for (size_t i = 0; i < b->n; i++) {
            size_t s = block_start(b, i), n = b->ends[i] - s;
            /* a copy of the loaded state: the dictionary is hashed once
             * (Debian's liblz4 does not export LZ4_attach_dictionary) */
            memcpy(work, dstream, sizeof *work);
            int c = LZ4_compress_fast_continue(
                work, (const char *)b->raw + s, (char *)out + o, (int)n,
                (int)(out_cap - o), 1);
            if (c <= 0)
                exit(3);
            cl[i] = (size_t)c;
            o += cl[i];
        }
        r.c_sec = best(r.c_sec, bench_now() - t);
        r.comp = o;
        t = bench_now();
        o = 0;
        for (size_t i = 0; i < b->n; i++) {
            size_t s = block_start(b, i), n = b->ends[i] - s;
            int got = LZ4_decompress_safe_usingDict(
                (const char *)out + o, (char *)back + s, (int)cl[i], (int)n,
                (const char *)dict, (int)dict_len);
            if (got != (int)n)
                exit(2);
            o += cl[i];
        }
        r.d_sec = best(r.d_sec, bench_now() - t);
    }
    LZ4_freeStream(dstream);
    LZ4_freeStream(work);
    free(cl);
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
