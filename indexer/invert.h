/* invert.h: in-memory inversion of articles into postings, flushed as one
 * segment. */
#ifndef MORGUE_INDEXER_INVERT_H
#define MORGUE_INDEXER_INVERT_H

#include <stddef.h>
#include <stdint.h>

#include "index/columns.h"
#include "index/docstore.h"
#include "indexer/slices.h"
#include "text/fingerprint.h"
#include "text/stemset.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/span.h"

typedef struct term_rec term_rec;

typedef struct inverter {
    stemset *stems;       /* borrowed: a stemmer per language */
    lang_code lang;       /* of the document being added */
    term_rec *terms;      /* owned; n_terms used of cap_terms */
    uint32_t n_terms;
    size_t cap_terms;
    uint64_t *table;      /* hash slots: hash << 32 | (term id + 1) */
    uint32_t table_mask;
    buf keys;             /* all term keys, back to back */
    uint32_t *touched;    /* terms seen in the current document */
    uint32_t n_touched;
    size_t cap_touched;
    colset cols;          /* per document: the columns */
    uint64_t *idents;     /* per document: identity hash */
    uint32_t n_docs;
    size_t cap_docs;
    docstore_builder store;
    slices pool;          /* the terms' postings and positions */
    unsigned threads;     /* >= 2: stored text on its own thread */
    const char *spill_dir;/* borrowed: where compressed stored text goes
                             past SEG_SPOOL_MEM (NULL: kept in memory) */
    struct translit *translit; /* owned: folds names; NULL: none */
} inverter;

/* A document to invert; fields are valid UTF-8. */
typedef struct invert_doc {
    span id, url, title, source, body;
    const span *tags;
    size_t n_tags;
    int64_t date;
    int date_off;         /* date's UTC offset (minutes), or
                             MORGUE_NO_OFFSET */
    uint64_t ident;       /* hash64 of id */
    lang_code lang;       /* its language (LANG_UND: not known) */
} invert_doc;

/* One distinct word of a document's title and body, as the tokenizer gave
 * it, with its occurrences: the inverter looks each word up once per
 * document rather than once per occurrence. */
typedef struct invert_word {
    uint32_t off;         /* its normalised bytes, in invert_toks.terms */
    uint32_t hash;        /* of its word key ('E' + bytes): the lookup */
    uint32_t pos, pos_len;/* its positions as the word term's position
                             varints (the first absolute, then gaps), in
                             invert_toks.pos */
    uint32_t tf;          /* occurrences in title and body */
    uint32_t n_title;     /* of them in the title */
    uint32_t n_name;      /* of them capitalised Cyrillic or Greek words
                             that do not begin a sentence: folded too */
    uint32_t last;        /* while tokenizing: its last occurrence */
    uint8_t len;          /* 1..MAX_KEY - 1 */
} invert_word;

/* A document's words and fingerprint: everything of inverting it that
 * needs no inverter state, made by invert_tokenize() on any thread. */
typedef struct invert_toks {
    buf terms;            /* the distinct words' bytes, back to back */
    buf pos;              /* their position varints, word after word */
    invert_word *word;    /* the distinct words, in order of first use */
    uint32_t n_words;
    size_t cap_words;
    uint32_t n, n_title;  /* occurrences (tokens): all, the title's */
    uint32_t *next;       /* per token: the word's next token (scratch) */
    size_t cap_next;
    uint64_t *slot;       /* hash << 32 | (word index + 1) (scratch; all 0
                             between calls) */
    uint32_t slot_mask;
    uint8_t sketch[FP_BYTES]; /* the body's near-duplicate fingerprint */
} invert_toks;

void invert_toks_init(invert_toks *t);
void invert_toks_free(invert_toks *t);
/* Bytes t holds (its capacities). */
size_t invert_toks_memory(const invert_toks *t);
/* Tokenizes d's title and body into t and sketches the body. Touches
 * nothing but t and d (read), so threads may run it side by side.
 * MORGUE_OK or MORGUE_ENOMEM. */
int invert_tokenize(invert_toks *t, const invert_doc *d);

int inverter_init(inverter *v, stemset *stems);
/* Threads the inverter may use (1: none besides the caller's); the
 * segments written do not depend on it. */
int inverter_threads(inverter *v, unsigned threads);
/* Lets the compressed stored text go to temporary files in dir (the index
 * directory, borrowed until the inverter is freed) instead of staying in
 * memory until the flush: it is then out of the budget (the file's pages
 * are the page cache's, as a segment's are). Before the first add. */
void inverter_spill(inverter *v, const char *dir);
void inverter_free(inverter *v);

/* Adds one document as local id v->n_docs; t is invert_tokenize(d). */
int inverter_add(inverter *v, const invert_doc *d, const invert_toks *t);

/* Approximate bytes held; the writer flushes beyond its budget. */
size_t inverter_memory(const inverter *v);

/* Writes everything added as a segment file at path, then empties v. */
int inverter_flush(inverter *v, const char *path, errmsg *e);

#endif
