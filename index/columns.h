/* columns.h: the per-article columns, from one table of descriptors.
 *
 * A column is one fixed-width value per document of a segment (token
 * counts, the date, ...). col_table[] below is the only list of them: the
 * inverter fills a colset row per article from it, segment_write() writes
 * one section per column and the column directory (CDIR) describing them,
 * segment_open() binds them by tag, a merge copies every column, known or
 * not, and `morgue check` validates them, all by walking the table. Adding
 * a column is one descriptor here (with its COL_ id) plus the line of
 * invert.c that computes its value.
 *
 * A segment may hold columns this library does not know (a newer one wrote
 * them). The column directory says their width and default, so a merge
 * still carries them, document by document, into its output instead of
 * dropping them; unless the column is marked must-understand (COL_MUST),
 * in which case a reader refuses the segment (MORGUE_EVERSION): its
 * values change what a query must return, so ignoring them would give
 * wrong answers.
 *
 * Values are handled as uint64_t bit patterns (signed ones sign-extended
 * from their width) and stored little-endian in width bytes. */
#ifndef MORGUE_INDEX_COLUMNS_H
#define MORGUE_INDEX_COLUMNS_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

/* The known columns, in col_table order. */
typedef enum col_id {
    COL_DLEN, /* u32 tokens in title + body (BM25's document length) */
    COL_TLEN, /* u32 tokens in the title */
    COL_DATE, /* i64 seconds UTC, or INT64_MIN for undated */
    COL_FP0,  /* near-duplicate fingerprint (text/fingerprint.h): bytes */
    COL_FP1,  /* 8i..8i+7 of the sketch in column COL_FP0 + i, little- */
    COL_FP2,  /* endian; UINT64_MAX in all eight: no fingerprint */
    COL_FP3,
    COL_FP4,
    COL_FP5,
    COL_FP6,
    COL_FP7,
    COL_DOFF, /* i16 minutes east of UTC of the date, or MORGUE_NO_OFFSET */
    COL_LANG, /* u16 language (text/lang.h lang_code: ISO 639-1 letters),
                 0 "und"; the stemmer of its words */
    N_COLS
} col_id;

#define COL_MUST 1u   /* flag: a reader that does not know it must refuse */
#define COL_SIGNED 2u /* flag: values are two's complement, sign-extended */
#define COL_FLAGS_DISK (COL_MUST | COL_SIGNED) /* the flags CDIR records */
#define COL_REQUIRED 4u /* flag, not on disk: every segment has it (the
                           columns of format version 2) */
#define COL_PAGED 8u /* flag, not on disk: queries read it a document at a
                        time, so its pages get CRCs of their own (CPAG) */
#define COL_MAX_CARRIED 16 /* unknown columns a segment may hold */

typedef struct segment segment;

typedef struct col_desc {
    uint32_t tag;   /* section tag (format.h TAG()) */
    const char *name;
    uint8_t width;  /* bytes per document: 1, 2, 4 or 8 */
    uint8_t flags;  /* COL_MUST, COL_SIGNED, COL_REQUIRED */
    uint64_t dflt;  /* value of documents whose segment lacks the column */
    /* For `morgue check`: NULL when v is a valid value of document doc of
     * s, else what is wrong with it. May be NULL (every value valid). */
    const char *(*check)(const segment *s, uint32_t doc, uint64_t v);
} col_desc;

extern const col_desc col_table[N_COLS];

/* The descriptor with tag, or NULL when this library does not know it. */
const col_desc *col_find(uint32_t tag);

/* Reads / writes a width-byte little-endian value (sign-extended when
 * flags has COL_SIGNED). */
uint64_t col_load(const uint8_t *p, unsigned width, unsigned flags);
void col_store(uint8_t *p, unsigned width, uint64_t v);

/* ---- building: the columns of a segment being written ---- */

typedef struct colbuf {
    uint32_t tag;
    uint8_t width, flags;
    uint64_t dflt;
    buf data;       /* width bytes per document */
} colbuf;

/* Columns 0..N_COLS-1 are col_table's; later ones are carried unknown
 * columns (added by a merge, in order of first appearance). */
typedef struct colset {
    colbuf cols[N_COLS + COL_MAX_CARRIED];
    size_t n_cols;
    uint32_t n_docs;
} colset;

void colset_init(colset *c);
/* Index of column tag, adding it (with width, flags, dflt) when new; -1
 * when it would be the (COL_MAX_CARRIED + 1)-th unknown one, -2 when it is
 * known with another width or flags. Only before the first row. */
int colset_column(colset *c, uint32_t tag, unsigned width, unsigned flags,
                  uint64_t dflt);
/* Appends one document: vals[i] for column i, i < c->n_cols. 0 or
 * MORGUE_ENOMEM. */
int colset_push(colset *c, const uint64_t *vals);
uint64_t colset_get(const colset *c, size_t col, uint32_t doc);
size_t colset_memory(const colset *c);
/* Forgets the rows (and carried columns), keeps capacity. */
void colset_clear(colset *c);
void colset_free(colset *c);

#endif
