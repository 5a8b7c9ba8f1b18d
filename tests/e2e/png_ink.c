/* png_ink.c: prints the share of a PNG's pixels that differ from its most
 * common colour (the background), in per mille, so a test can tell a
 * rendered page from a blank one. Reads 8-bit RGB or RGBA, non-interlaced
 * PNGs (what Chromium's --screenshot writes); exit 2 for anything else. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
           (uint32_t)p[2] << 8 | p[3];
}

static int paeth(int a, int b, int c)
{
    int p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);
    return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: png_ink FILE.png\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    if (!f)
        return perror(argv[1]), 2;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    rewind(f);
    unsigned char *png = malloc((size_t)size);
    if (!png || fread(png, 1, (size_t)size, f) != (size_t)size)
        return 2;
    fclose(f);
    if (size < 33 || memcmp(png, "\x89PNG\r\n\x1a\n", 8))
        return fprintf(stderr, "not a PNG\n"), 2;
    uint32_t w = be32(png + 16), h = be32(png + 20);
    int depth = png[24], type = png[25], interlace = png[28];
    int bpp = type == 2 ? 3 : type == 6 ? 4 : 0;
    if (depth != 8 || !bpp || interlace || !w || !h || w > 20000 || h > 20000)
        return fprintf(stderr, "unsupported PNG\n"), 2;
    unsigned char *z = malloc((size_t)size);
    size_t zn = 0;
    for (long at = 8; at + 12 <= size;) {
        uint32_t n = be32(png + at);
        if (at + 12 + (long)n > size)
            break;
        if (!memcmp(png + at + 4, "IDAT", 4)) {
            memcpy(z + zn, png + at + 8, n);
            zn += n;
        }
        at += 12 + (long)n;
    }
    size_t stride = (size_t)w * bpp, rawn = (stride + 1) * h;
    unsigned char *raw = malloc(rawn);
    uLongf got = rawn;
    if (!raw || uncompress(raw, &got, z, zn) != Z_OK || got != rawn)
        return fprintf(stderr, "bad image data\n"), 2;
    unsigned char *px = calloc(stride * h, 1);
    for (uint32_t y = 0; y < h; y++) {
        unsigned char *in = raw + y * (stride + 1) + 1, *out = px + y * stride;
        const unsigned char *up = y ? out - stride : NULL;
        int ft = in[-1];
        for (size_t i = 0; i < stride; i++) {
            int a = i >= (size_t)bpp ? out[i - bpp] : 0;
            int b = up ? up[i] : 0;
            int c = up && i >= (size_t)bpp ? up[i - bpp] : 0;
            int v = in[i];
            switch (ft) {
            case 1: v += a; break;
            case 2: v += b; break;
            case 3: v += (a + b) / 2; break;
            case 4: v += paeth(a, b, c); break;
            }
            out[i] = (unsigned char)v;
        }
    }
    /* the most common colour, by a small hash of colours */
    enum { SLOTS = 1 << 16 };
    uint32_t *key = calloc(SLOTS, sizeof *key), *cnt = calloc(SLOTS, 4);
    uint64_t total = (uint64_t)w * h, best = 0, distinct = 0;
    for (uint64_t i = 0; i < total; i++) {
        const unsigned char *p = px + i * bpp;
        uint32_t k = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
        k |= 1u << 24; /* 0 marks an empty slot */
        uint32_t s = (k * 2654435761u) >> 16;
        while (key[s] && key[s] != k)
            s = (s + 1) & (SLOTS - 1);
        if (!key[s] && distinct >= SLOTS / 2)
            continue; /* table full: a rare colour, not the background */
        distinct += !key[s];
        key[s] = k;
        if (++cnt[s] > best)
            best = cnt[s];
    }
    printf("%llu\n", (unsigned long long)((total - best) * 1000 / total));
    free(key); /* freed for LeakSanitizer, which the ASan pass runs */
    free(cnt);
    free(px);
    free(raw);
    free(z);
    free(png);
    return 0;
}
