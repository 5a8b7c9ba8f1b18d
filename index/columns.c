/* columns.c: the column table and the in-memory column builder. */
#include <string.h>

#include "index/columns.h"
#include "index/format.h"
#include "index/segment.h"
#include "morgue.h"

static const char *check_tlen(const segment *s, uint32_t doc, uint64_t v)
{
    return v > segment_dlen(s, doc) ? "title longer than the document"
                                    : NULL;
}

static const char *check_date(const segment *s, uint32_t doc, uint64_t v)
{
    (void)s;
    (void)doc;
    int64_t t = (int64_t)v;
    return t != INT64_MIN && (t < DATE_MIN || t > DATE_MAX)
               ? "date outside years 1-9999"
               : NULL;
}

static const char *check_doff(const segment *s, uint32_t doc, uint64_t v)
{
    int64_t off = (int64_t)v;
    if (off == MORGUE_NO_OFFSET)
        return NULL;
    if (segment_date(s, doc) == INT64_MIN)
        return "an undated article with a UTC offset";
    return off < -DATE_MAX_OFFSET || off > DATE_MAX_OFFSET
               ? "UTC offset beyond 23:59"
               : NULL;
}

/* Two lower-case letters, or 0 (und). */
static const char *check_lang(const segment *s, uint32_t doc, uint64_t v)
{
    (void)s;
    (void)doc;
    unsigned a = v & 0xff, b = (v >> 8) & 0xff;
    return v == 0 || (a >= 'a' && a <= 'z' && b >= 'a' && b <= 'z')
               ? NULL
               : "language not two letters";
}

const col_desc col_table[N_COLS] = {
    [COL_DLEN] = { SEC_DLEN, "DLEN", 4,
                   COL_MUST | COL_REQUIRED | COL_PAGED, 0, NULL },
    [COL_TLEN] = { SEC_TLEN, "TLEN", 4,
                   COL_MUST | COL_REQUIRED | COL_PAGED, 0, check_tlen },
    [COL_DATE] = { SEC_DATE, "DATE", 8,
                   COL_MUST | COL_SIGNED | COL_REQUIRED | COL_PAGED,
                   (uint64_t)INT64_MIN, check_date },
    /* Not must-understand: a library without them answers every query
     * right, it only cannot fold near-duplicates. */
#define FP_COL(i)                                                            \
    [COL_FP0 + i] = { SEC_FPH0 + ((uint32_t)(i) << 24), "FPH" #i, 8, 0,     \
                      UINT64_MAX, NULL }
    FP_COL(0), FP_COL(1), FP_COL(2), FP_COL(3),
    FP_COL(4), FP_COL(5), FP_COL(6), FP_COL(7),
#undef FP_COL
    /* Not must-understand either: a library without it reads every date
     * as UTC, as morgue did before offsets were kept (the shown day and
     * date: then follow the UTC day), rather than refusing the index. */
    [COL_DOFF] = { SEC_DOFF, "DOFF", 2, COL_SIGNED | COL_PAGED,
                   (uint64_t)(int64_t)MORGUE_NO_OFFSET, check_doff },
    /* Not must-understand: a reader that ignores it stems queries with the
     * index's default language only, finding fewer articles, never wrong
     * ones. Absent (older segments): und, stemmed with the default. */
    [COL_LANG] = { SEC_LANG, "LANG", 2, COL_PAGED, 0, check_lang },
};

const col_desc *col_find(uint32_t tag)
{
    for (int i = 0; i < N_COLS; i++)
        if (col_table[i].tag == tag)
            return &col_table[i];
    return NULL;
}

uint64_t col_load(const uint8_t *p, unsigned width, unsigned flags)
{
    uint64_t v = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    /* the widths there are, in one load (a segment write reads DLEN or
     * TLEN for every posting: 1% of indexing's instructions as a loop) */
    uint16_t u16;
    uint32_t u32;
    switch (width) {
    case 1:
        v = p[0];
        break;
    case 2:
        memcpy(&u16, p, 2);
        v = u16;
        break;
    case 4:
        memcpy(&u32, p, 4);
        v = u32;
        break;
    case 8:
        memcpy(&v, p, 8);
        break;
    default:
        for (unsigned k = 0; k < width; k++)
            v |= (uint64_t)p[k] << (8 * k);
    }
#else
    for (unsigned k = 0; k < width; k++)
        v |= (uint64_t)p[k] << (8 * k);
#endif
    if ((flags & COL_SIGNED) && width < 8 && (v >> (8 * width - 1)) & 1)
        v |= ~(uint64_t)0 << (8 * width);
    return v;
}

void col_store(uint8_t *p, unsigned width, uint64_t v)
{
    for (unsigned k = 0; k < width; k++)
        p[k] = (uint8_t)(v >> (8 * k));
}

void colset_init(colset *c)
{
    memset(c, 0, sizeof *c);
    for (int i = 0; i < N_COLS; i++) {
        c->cols[i].tag = col_table[i].tag;
        c->cols[i].width = col_table[i].width;
        c->cols[i].flags = col_table[i].flags & COL_FLAGS_DISK;
        c->cols[i].dflt = col_table[i].dflt;
        c->cols[i].data = (buf)BUF_INIT;
    }
    c->n_cols = N_COLS;
}

int colset_column(colset *c, uint32_t tag, unsigned width, unsigned flags,
                  uint64_t dflt)
{
    for (size_t i = 0; i < c->n_cols; i++)
        if (c->cols[i].tag == tag)
            return c->cols[i].width == width &&
                           c->cols[i].flags == (flags & COL_FLAGS_DISK)
                       ? (int)i
                       : -2;
    if (c->n_cols == N_COLS + COL_MAX_CARRIED)
        return -1;
    colbuf *b = &c->cols[c->n_cols];
    b->tag = tag;
    b->width = (uint8_t)width;
    b->flags = (uint8_t)(flags & COL_FLAGS_DISK);
    b->dflt = dflt;
    b->data = (buf)BUF_INIT;
    return (int)c->n_cols++;
}

int colset_push(colset *c, const uint64_t *vals)
{
    for (size_t i = 0; i < c->n_cols; i++) {
        colbuf *b = &c->cols[i];
        if (buf_reserve(&b->data, b->width))
            return MORGUE_ENOMEM;
        col_store((uint8_t *)b->data.ptr + b->data.len, b->width, vals[i]);
        b->data.len += b->width;
    }
    c->n_docs++;
    return MORGUE_OK;
}

uint64_t colset_get(const colset *c, size_t col, uint32_t doc)
{
    const colbuf *b = &c->cols[col];
    return col_load((const uint8_t *)b->data.ptr + (size_t)doc * b->width,
                    b->width, b->flags);
}

size_t colset_memory(const colset *c)
{
    size_t n = 0;
    for (size_t i = 0; i < c->n_cols; i++)
        n += c->cols[i].data.len;
    return n;
}

void colset_clear(colset *c)
{
    for (size_t i = N_COLS; i < c->n_cols; i++)
        buf_free(&c->cols[i].data);
    for (size_t i = 0; i < N_COLS; i++)
        buf_clear(&c->cols[i].data);
    c->n_cols = N_COLS;
    c->n_docs = 0;
}

void colset_free(colset *c)
{
    for (size_t i = 0; i < c->n_cols; i++)
        buf_free(&c->cols[i].data);
    memset(c, 0, sizeof *c);
}
