/* invert.c: turns articles into per-term postings in memory.
 *
 * Each token is looked up once in an open-addressing hash of term keys.
 * A word's record caches the ids of its stem term and its title-stem term,
 * so Snowball runs once per distinct word per segment. Positions arrive in
 * increasing order within a document, so they are appended to the term's
 * buffer at once; the (gap, tf) pair is appended when the document ends,
 * for every term it touched. Nothing is sorted until the flush.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "index/format.h"
#include "index/segment.h"
#include "indexer/invert.h"
#include "indexer/slices.h"
#include "morgue.h"
#include "text/fingerprint.h"
#include "text/tokenize.h"
#include "text/translit.h"
#include "util/alloc.h"
#include "util/span.h"

#define NO_TERM UINT32_MAX
#define NO_FOLD (UINT32_MAX - 1)

/* 64 bytes: a word's lookup and counting touch one cache line of it. A
 * key is a word ('E'), a stem ('S') or neither, never both, so the two
 * kinds share their fields. */
struct term_rec {
    uint32_t key_off;   /* in keys */
    uint32_t hash;
    uint32_t df;
    uint32_t last_doc;  /* last document that used it, or NO_TERM */
    uint32_t tf;        /* occurrences in last_doc */
    uint32_t fold_id;   /* Cyrillic/Greek words and stems: their 'F'
                           term; NO_TERM until known, NO_FOLD: none */
    union {
        struct {
            uint32_t stem_id;   /* their 'S' term, NO_TERM until known */
            lang_code stem_lang;/* the language stem_id is for */
            uint8_t split;      /* stemmed differently in two languages */
        };                      /* words */
        struct {
            uint32_t title_id;  /* their 'T' term, NO_TERM until known */
            uint32_t n_words;   /* distinct words that stem to it */
            uint32_t a_word;    /* one of those words */
        };                      /* stems */
    };
    uint16_t key_len;
    slice_stream post;  /* (gap, tf - 1) varint pairs */
    slice_stream pos;   /* position varints ('E' terms) */
};
_Static_assert(sizeof(term_rec) <= 64, "a term record is one cache line");
_Static_assert(MAX_KEY <= UINT16_MAX, "key_len holds a key's length");

/* Hash of the key ns + (p, n): its bytes 8 at a time (native order),
 * multiply-xorshift mixing; the first word (ns and 7 bytes of p) made
 * apart, so the key is never copied whole. */
static uint32_t hash_key(char ns, const char *p, size_t n)
{
    size_t len = n + 1; /* the key's */
    uint64_t h = 0x9E3779B97F4A7C15ull ^ (len * 0xC2B2AE3D27D4EB4Full);
    unsigned char first[8] = { (unsigned char)ns };
    memcpy(first + 1, p, n < 7 ? n : 7);
    uint64_t w;
    if (len >= 8) {
        memcpy(&w, first, 8);
        h = (h ^ w) * 0xFF51AFD7ED558CCDull;
        h ^= h >> 32;
        p += 7;
        len -= 8;
        while (len >= 8) {
            memcpy(&w, p, 8);
            h = (h ^ w) * 0xFF51AFD7ED558CCDull;
            h ^= h >> 32;
            p += 8;
            len -= 8;
        }
        w = 0;
        memcpy(&w, p, len);
    } else {
        w = 0;
        memcpy(&w, first, len);
    }
    h = (h ^ w) * 0xC4CEB9FE1A85EC53ull;
    h ^= h >> 29;
    h *= 0x94D049BB133111EBull;
    return (uint32_t)(h >> 32);
}

/* A hash slot: the key's hash above the term id + 1 (0 = empty), so most
 * mismatches are settled without touching the term record. */
#define SLOT(h, id) ((uint64_t)(h) << 32 | (uint64_t)((id) + 1))
#define SLOT_ID(x) ((uint32_t)(x) - 1)
#define SLOT_HASH(x) ((uint32_t)((x) >> 32))

int inverter_init(inverter *v, stemset *stems)
{
    memset(v, 0, sizeof *v);
    v->stems = stems;
    v->table_mask = (1u << 16) - 1;
    v->table = calloc((size_t)v->table_mask + 1, sizeof *v->table);
    slices_init(&v->pool);
    colset_init(&v->cols);
    docstore_builder_init(&v->store);
    errmsg e; /* ICU's transliterators are opened when first needed */
    if (!v->table || translit_new(&v->translit, &e))
        return MORGUE_ENOMEM;
    return MORGUE_OK;
}

int inverter_threads(inverter *v, unsigned threads)
{
    v->threads = threads;
    return threads >= 2 ? docstore_builder_thread(&v->store) : MORGUE_OK;
}

void inverter_spill(inverter *v, const char *dir)
{
    v->spill_dir = dir;
    docstore_builder_spill(&v->store, dir, SEG_SPOOL_MEM);
}

static void free_terms(inverter *v)
{
    slices_clear(&v->pool);
    v->n_terms = 0;
}

void inverter_free(inverter *v)
{
    free_terms(v);
    slices_free(&v->pool);
    free(v->terms);
    free(v->table);
    free(v->touched);
    colset_free(&v->cols);
    free(v->idents);
    buf_free(&v->keys);
    docstore_builder_free(&v->store);
    translit_free(v->translit);
    memset(v, 0, sizeof *v);
}

/* Doubles the hash table *table of *mask + 1 slots (or makes one of 256
 * when there is none) and puts back the n items whose hashes are the
 * uint32_t at item i * stride + hash_at, each as SLOT(hash, i): the one
 * rehash of the term table and of a tokenizing's word slots. */
static int grow_hash(uint64_t **table, uint32_t *mask, const void *items,
                     uint32_t n, size_t stride, size_t hash_at)
{
    uint32_t m = *table ? *mask * 2 + 1 : 255;
    uint64_t *t = calloc((size_t)m + 1, sizeof *t);
    if (!t)
        return MORGUE_ENOMEM;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t h;
        memcpy(&h, (const char *)items + i * stride + hash_at, sizeof h);
        uint32_t s = h & m;
        while (t[s])
            s = (s + 1) & m;
        t[s] = SLOT(h, i);
    }
    free(*table);
    *table = t;
    *mask = m;
    return MORGUE_OK;
}

static int grow_table(inverter *v)
{
    return grow_hash(&v->table, &v->table_mask, v->terms, v->n_terms,
                     sizeof *v->terms, offsetof(term_rec, hash));
}

static uint32_t new_term(inverter *v, const char *key, size_t len,
                         uint32_t h)
{
    if (v->n_terms == v->cap_terms) {
        /* aligned to the cache line: a record is one line, not two */
        size_t cap = mem_grow_cap(v->cap_terms, (size_t)v->n_terms + 1,
                                  sizeof(term_rec));
        term_rec *n = cap ? aligned_alloc(64, cap * sizeof *n) : NULL;
        if (!n)
            return NO_TERM;
        if (v->n_terms)
            memcpy(n, v->terms, (size_t)v->n_terms * sizeof *n);
        free(v->terms);
        v->terms = n;
        v->cap_terms = cap;
    }
    term_rec *t = &v->terms[v->n_terms];
    memset(t, 0, sizeof *t);
    t->key_off = (uint32_t)v->keys.len;
    t->key_len = (uint16_t)len;
    t->hash = h;
    t->last_doc = NO_TERM;
    t->fold_id = NO_TERM;
    if (key[0] == NS_STEM)
        t->title_id = NO_TERM;
    else
        t->stem_id = NO_TERM;
    buf_append(&v->keys, key, len);
    if (v->keys.oom)
        return NO_TERM;
    return v->n_terms++;
}

/* Id of the term (ns, p, n) whose key hashes to h; NO_TERM when the
 * inverter has none, *slot then the empty slot where it would go.
 * n < MAX_KEY. */
static inline uint32_t lookup_term(const inverter *v, char ns, const char *p,
                                   size_t n, uint32_t h, uint32_t *slot)
{
    uint32_t s = h & v->table_mask;
    for (uint64_t e; (e = v->table[s]) != 0; s = (s + 1) & v->table_mask) {
        if (SLOT_HASH(e) != h)
            continue;
        const term_rec *t = &v->terms[SLOT_ID(e)];
        const char *k = v->keys.ptr + t->key_off;
        if (t->key_len == n + 1 && k[0] == ns && memcmp(k + 1, p, n) == 0)
            return SLOT_ID(e);
    }
    *slot = s;
    return NO_TERM;
}

/* Id of the term (ns, p, n) whose key hashes to h, created when new;
 * NO_TERM on OOM. n < MAX_KEY. */
static uint32_t term_id_h(inverter *v, char ns, const char *p, size_t n,
                          uint32_t h)
{
    uint32_t s = 0, found = lookup_term(v, ns, p, n, h, &s);
    if (found != NO_TERM)
        return found;
    char key[MAX_KEY];
    key[0] = ns;
    memcpy(key + 1, p, n);
    uint32_t id = new_term(v, key, n + 1, h);
    if (id == NO_TERM)
        return NO_TERM;
    v->table[s] = SLOT(h, id);
    if (v->n_terms * 2 > v->table_mask && grow_table(v))
        return NO_TERM;
    return id;
}

/* The hash of the key (ns, p, n), *n cut to MAX_KEY - 1 as keys are. */
static uint32_t key_hash(char ns, const char *p, size_t *n)
{
    if (*n > MAX_KEY - 1)
        *n = MAX_KEY - 1;
    return hash_key(ns, p, *n);
}

/* Id of the term (ns, p, n), created when new; NO_TERM on OOM. */
static uint32_t term_id(inverter *v, char ns, const char *p, size_t n)
{
    uint32_t h = key_hash(ns, p, &n);
    return term_id_h(v, ns, p, n, h);
}

/* Counts n occurrences of term id in the current document; pos_len bytes
 * of position varints at pos go to its position buffer. */
static int touch(inverter *v, uint32_t id, uint32_t n, const char *pos,
                 uint32_t pos_len)
{
    term_rec *t = &v->terms[id];
    uint32_t doc = v->n_docs;
    if (t->last_doc != doc) {
        uint32_t *nt = mem_grow(v->touched, &v->cap_touched,
                                (size_t)v->n_touched + 1, sizeof *nt);
        if (!nt)
            return MORGUE_ENOMEM;
        v->touched = nt;
        v->touched[v->n_touched++] = id;
        /* gap from the previous document of this term, kept in post
         * (most terms are rare: a small first buffer) */
        uint32_t gap = t->last_doc == NO_TERM ? doc : doc - t->last_doc - 1;
        slices_put_varint(&v->pool, &t->post, gap);
        t->last_doc = doc;
        t->tf = 0;
    }
    if (pos_len)
        slices_put(&v->pool, &t->pos, pos, pos_len);
    t->tf += n;
    return v->pool.oom ? MORGUE_ENOMEM : MORGUE_OK;
}

/* The stem term of word in the current document's language. A word's
 * record caches one language's stem; a word met in several languages
 * (names, cognates) is stemmed again when the language changes, and is
 * marked split when its stems differ, since its postings are then not
 * those of any one stem. */
static uint32_t stem_of(inverter *v, uint32_t word)
{
    uint32_t s = v->terms[word].stem_id;
    if (s != NO_TERM && v->terms[word].stem_lang == v->lang)
        return s;
    const term_rec *w = &v->terms[word];
    size_t n;
    const char *st = stemmer_stem(stemset_get(v->stems, v->lang),
                                  v->keys.ptr + w->key_off + 1,
                                  w->key_len - 1, &n);
    if (!st)
        return NO_TERM;
    uint32_t was = s;
    s = term_id(v, NS_STEM, st, n);
    if (s == NO_TERM)
        return NO_TERM;
    if (was != NO_TERM && was != s)
        v->terms[word].split = 1;
    if (was == NO_TERM || was != s) {
        v->terms[s].n_words++;
        v->terms[s].a_word = word;
    }
    v->terms[word].stem_id = s;
    v->terms[word].stem_lang = v->lang;
    return s;
}

static uint32_t title_of(inverter *v, uint32_t stem)
{
    uint32_t t = v->terms[stem].title_id;
    if (t != NO_TERM)
        return t;
    const term_rec *s = &v->terms[stem];
    char key[MAX_KEY];
    memcpy(key, v->keys.ptr + s->key_off + 1, s->key_len - 1);
    t = term_id(v, NS_TITLE, key, s->key_len - 1);
    if (t != NO_TERM)
        v->terms[stem].title_id = t;
    return t;
}

/* The fold term ('F', text/translit.h) of a Cyrillic or Greek word or
 * stem: NO_FOLD when it has none, NO_TERM on OOM. Folded once per term.
 * A name is folded both ways: the stem takes the case endings off
 * (Павлодаре -> pavlodar), the word keeps what Snowball takes for one
 * (Смаилов: stem смаил). */
static uint32_t fold_of(inverter *v, uint32_t term)
{
    uint32_t f = v->terms[term].fold_id;
    if (f != NO_TERM)
        return f;
    const term_rec *s = &v->terms[term];
    char key[TRANSLIT_MAX];
    size_t n = translit_fold(v->translit, v->lang,
                             v->keys.ptr + s->key_off + 1, s->key_len - 1,
                             key);
    f = n ? term_id(v, NS_FOLD, key, n) : NO_FOLD;
    if (f != NO_TERM)
        v->terms[term].fold_id = f;
    return f;
}

/* Whether a word at byte start of text begins a sentence: the field's
 * first word, or one after '.', '!', '?', a line break (the bytes since
 * the previous word, which ended at prev_end). */
static int sentence_start(span text, size_t prev_end, size_t start)
{
    if (prev_end == 0)
        return 1;
    for (size_t i = prev_end; i < start; i++)
        if (strchr(".!?\n", text.ptr[i]))
            return 1;
    return 0;
}

void invert_toks_init(invert_toks *t)
{
    memset(t, 0, sizeof *t);
}

void invert_toks_free(invert_toks *t)
{
    buf_free(&t->terms);
    buf_free(&t->pos);
    free(t->word);
    free(t->next);
    free(t->slot);
    invert_toks_init(t);
}

size_t invert_toks_memory(const invert_toks *t)
{
    return t->terms.cap + t->pos.cap +
           (size_t)t->cap_words * sizeof *t->word +
           (size_t)t->cap_next * sizeof *t->next +
           (t->slot ? ((size_t)t->slot_mask + 1) * sizeof *t->slot : 0);
}

/* Doubles t's word slots (or makes the first); MORGUE_ENOMEM. */
static int grow_slots(invert_toks *t)
{
    return grow_hash(&t->slot, &t->slot_mask, t->word, t->n_words,
                     sizeof *t->word, offsetof(invert_word, hash));
}

/* The index of the word (p, n) hashing to h in t, added when new (its
 * counts 0); UINT32_MAX on OOM. */
static uint32_t word_of(invert_toks *t, const char *p, size_t n, uint32_t h)
{
    uint32_t j = h & t->slot_mask;
    for (uint64_t e; (e = t->slot[j]) != 0; j = (j + 1) & t->slot_mask) {
        if (SLOT_HASH(e) != h)
            continue;
        const invert_word *w = &t->word[SLOT_ID(e)];
        if (w->len == n && memcmp(t->terms.ptr + w->off, p, n) == 0)
            return SLOT_ID(e);
    }
    invert_word *nw = mem_grow(t->word, &t->cap_words, (size_t)t->n_words + 1,
                               sizeof *nw);
    if (!nw)
        return UINT32_MAX;
    t->word = nw;
    uint32_t id = t->n_words++;
    t->word[id] = (invert_word){ .off = (uint32_t)t->terms.len, .hash = h,
                                 .len = (uint8_t)n };
    buf_append(&t->terms, p, n);
    t->slot[j] = SLOT(h, id);
    if (t->terms.oom || (t->n_words * 2 > t->slot_mask && grow_slots(t)))
        return UINT32_MAX;
    return id;
}

/* Appends the words of one field (the title when title); the body's also
 * feed fp (NULL for the title). */
static int tokenize_field(invert_toks *t, span text, fp_builder *fp,
                          int title)
{
    tokenizer tk;
    token tok;
    size_t prev_end = 0; /* of the previous word; 0: none yet */
    tokenizer_init(&tk, text.ptr, text.len);
    while (tokenizer_next(&tk, &tok)) {
        if (fp)
            fp_word(fp, tok.term, tok.len);
        uint32_t *nn = mem_grow(t->next, &t->cap_next, (size_t)t->n + 1,
                                sizeof *nn);
        if (!nn)
            return MORGUE_ENOMEM;
        t->next = nn;
        size_t len = tok.len;
        uint32_t h = key_hash(NS_WORD, tok.term, &len);
        uint32_t id = word_of(t, tok.term, len, h);
        if (id == UINT32_MAX)
            return MORGUE_ENOMEM;
        invert_word *w = &t->word[id];
        uint32_t i = t->n++;
        t->next[i] = UINT32_MAX;
        if (w->tf)
            t->next[w->last] = i;
        else
            w->pos = i; /* its first token, until the positions are made */
        w->last = i;
        w->tf++;
        w->n_title += (uint32_t)title;
        /* a capitalised Cyrillic or Greek word inside a sentence: a name,
         * maybe (a sentence's first word is more often a cognate:
         * Система, Проблемы) */
        w->n_name += (unsigned char)tok.term[0] >= 0xCE &&
                     translit_script(text.ptr + tok.start,
                                     tok.end - tok.start) == 2 &&
                     !sentence_start(text, prev_end, tok.start);
        prev_end = tok.end;
    }
    return MORGUE_OK;
}

/* The position of token i: the title's from 0, the body's from the
 * title's length + POS_FIELD_GAP. */
static uint32_t token_pos(const invert_toks *t, uint32_t i)
{
    return i < t->n_title ? i : i + POS_FIELD_GAP;
}

int invert_tokenize(invert_toks *t, const invert_doc *d)
{
    t->n = t->n_title = t->n_words = 0;
    buf_clear(&t->terms);
    buf_clear(&t->pos);
    if (!t->slot && grow_slots(t))
        return MORGUE_ENOMEM;
    fp_builder fp;
    fp_init(&fp);
    int rc = tokenize_field(t, d->title, NULL, 1);
    t->n_title = t->n;
    if (rc == MORGUE_OK)
        rc = tokenize_field(t, d->body, &fp, 0);
    /* the slots back to 0 for the next call, and each word's positions
     * from its chain of tokens */
    for (uint32_t k = 0; k < t->n_words; k++) {
        invert_word *w = &t->word[k];
        uint32_t j = w->hash & t->slot_mask;
        while (t->slot[j] != SLOT(w->hash, k))
            j = (j + 1) & t->slot_mask;
        t->slot[j] = 0;
        if (rc)
            continue;
        uint32_t first = w->pos, prev = 0;
        w->pos = (uint32_t)t->pos.len;
        for (uint32_t i = first; i != UINT32_MAX; i = t->next[i]) {
            uint32_t p = token_pos(t, i);
            buf_put_varint(&t->pos, i == first ? p : p - prev);
            prev = p;
        }
        w->pos_len = (uint32_t)t->pos.len - w->pos;
    }
    if (rc || t->pos.oom)
        return MORGUE_ENOMEM;
    fp_finish(&fp, t->sketch);
    return MORGUE_OK;
}

/* The memory a word's lookup and counting will touch, asked for ahead
 * of it (each a cache miss in tables of megabytes otherwise), in three
 * steps a few words apart, each reading only what the one before
 * fetched: the hash slot; the term record it names; the key bytes, the
 * end of its position buffer and its stem's record. */
#define AHEAD 4

static const term_rec *slot_rec(const inverter *v, const invert_word *k)
{
    uint64_t e = v->table[k->hash & v->table_mask];
    return e && SLOT_HASH(e) == k->hash ? &v->terms[SLOT_ID(e)] : NULL;
}

static void prefetch(const inverter *v, const invert_toks *t, uint32_t i)
{
    if (i + 3 * AHEAD < t->n_words)
        __builtin_prefetch(&v->table[t->word[i + 3 * AHEAD].hash &
                                     v->table_mask]);
    const term_rec *r;
    if (i + 2 * AHEAD < t->n_words &&
        (r = slot_rec(v, &t->word[i + 2 * AHEAD])))
        __builtin_prefetch(r);
    if (i + AHEAD < t->n_words && (r = slot_rec(v, &t->word[i + AHEAD]))) {
        __builtin_prefetch(v->keys.ptr + r->key_off);
        if (r->pos.level)
            __builtin_prefetch(v->pool.blocks[r->pos.tail >> SLICES_BLOCK_BITS] +
                               (r->pos.tail & (SLICES_BLOCK - 1)));
        if (r->stem_id != NO_TERM) /* a word's */
            __builtin_prefetch(&v->terms[r->stem_id]);
    }
}

/* Inverts the document's words: each word term with its positions, its
 * title stem (words of the title) and its folds (names), and finds its
 * stem term, whose postings are made from its words' at the flush
 * (derive_stem); 0 or -1 on OOM. The counts and positions are those of
 * adding the tokens one at a time, so the segment does not depend on the
 * order. */
static int add_words(inverter *v, const invert_toks *t)
{
    for (uint32_t i = 0; i < t->n_words; i++) {
        prefetch(v, t, i);
        const invert_word *k = &t->word[i];
        const char *term = t->terms.ptr + k->off;
        uint32_t w = term_id_h(v, NS_WORD, term, k->len, k->hash);
        uint32_t s = w == NO_TERM ? NO_TERM : stem_of(v, w);
        uint32_t tt = (s != NO_TERM && k->n_title) ? title_of(v, s) : 0;
        if (w == NO_TERM || s == NO_TERM || tt == NO_TERM ||
            touch(v, w, k->tf, t->pos.ptr + k->pos, k->pos_len) ||
            (k->n_title && touch(v, tt, k->n_title, NULL, 0)))
            return -1;
        if (k->n_name && v->translit) {
            uint32_t fw = fold_of(v, w), fs = fold_of(v, s);
            if (fw == NO_TERM || fs == NO_TERM ||
                (fw != NO_FOLD && touch(v, fw, k->n_name, NULL, 0)) ||
                (fs != NO_FOLD && fs != fw &&
                 touch(v, fs, k->n_name, NULL, 0)))
                return -1;
        }
    }
    return 0;
}

/* Tags and source are exact (case-folded) whole values. */
static int add_value(inverter *v, char ns, span value)
{
    char folded[MAX_KEY];
    size_t n = 0;
    tokenizer tk;
    token tok;
    tokenizer_init(&tk, value.ptr, value.len);
    while (tokenizer_next(&tk, &tok) && n + tok.len + 1 < MAX_KEY - 1) {
        if (n)
            folded[n++] = ' ';
        memcpy(folded + n, tok.term, tok.len);
        n += tok.len;
    }
    if (n == 0)
        return MORGUE_OK;
    uint32_t id = term_id(v, ns, folded, n);
    if (id == NO_TERM)
        return MORGUE_ENOMEM;
    return v->terms[id].last_doc == v->n_docs ? MORGUE_OK
                                              : touch(v, id, 1, NULL, 0);
}

static int grow_docs(inverter *v)
{
    uint64_t *h = mem_grow(v->idents, &v->cap_docs, (size_t)v->n_docs + 1,
                           sizeof *h);
    if (!h)
        return MORGUE_ENOMEM;
    v->idents = h;
    return MORGUE_OK;
}

static int end_doc(inverter *v)
{
    for (uint32_t i = 0; i < v->n_touched; i++) {
        term_rec *t = &v->terms[v->touched[i]];
        slices_put_varint(&v->pool, &t->post, t->tf - 1);
        t->df++;
    }
    if (v->pool.oom)
        return MORGUE_ENOMEM;
    v->n_touched = 0;
    return MORGUE_OK;
}

/* The document's row of every column (col_table): a new column is one
 * more line here. tl and bl are its title and body token counts. */
static void doc_columns(const invert_doc *d, uint32_t tl, uint32_t bl,
                        const uint8_t *sketch, uint64_t *row)
{
    row[COL_DLEN] = tl + bl;
    row[COL_TLEN] = tl;
    row[COL_DATE] = (uint64_t)d->date;
    row[COL_DOFF] = (uint64_t)(int64_t)d->date_off;
    for (int i = 0; i < 8; i++)
        row[COL_FP0 + i] = col_load(sketch + 8 * i, 8, 0);
    row[COL_LANG] = d->lang;
}

int inverter_add(inverter *v, const invert_doc *d, const invert_toks *t)
{
    if (grow_docs(v))
        return MORGUE_ENOMEM;
    v->lang = stemset_lang(v->stems, d->lang);
    uint32_t tl = t->n_title, bl = t->n - t->n_title;
    if (add_words(v, t))
        return MORGUE_ENOMEM;
    for (size_t i = 0; i < d->n_tags; i++)
        if (add_value(v, NS_TAG, d->tags[i]))
            return MORGUE_ENOMEM;
    if (add_value(v, NS_SOURCE, d->source) || end_doc(v))
        return MORGUE_ENOMEM;
    buf tags = BUF_INIT;
    for (size_t i = 0; i < d->n_tags; i++) {
        if (i)
            buf_putc(&tags, '\n');
        buf_append(&tags, d->tags[i].ptr, d->tags[i].len);
    }
    span fields[STORED_FIELDS] = { d->id, d->url, d->title, d->source,
                                   buf_span(&tags), d->body };
    int rc = tags.oom ? MORGUE_ENOMEM : docstore_add(&v->store, fields, 0);
    buf_free(&tags);
    if (rc)
        return rc;
    uint64_t row[N_COLS];
    doc_columns(d, tl, bl, t->sketch, row);
    if (colset_push(&v->cols, row))
        return MORGUE_ENOMEM;
    v->idents[v->n_docs] = d->ident;
    v->n_docs++;
    return MORGUE_OK;
}

size_t inverter_memory(const inverter *v)
{
    /* What the content takes, counted as allocated: the slices' blocks;
     * per term its record, its hash slots (at most 4: half full,
     * doubling) and the flush's sorted copy (seg_term and index) and its
     * stem's words (derive: split words' stems are not counted); the
     * keys, identities, columns and stored text. Capacities kept across
     * flushes (records, slots) are counted by the terms held, so that an
     * emptied inverter is under any budget. A pool near its limits
     * (slices.h) asks for a flush. */
    if (v->pool.full)
        return SIZE_MAX;
    size_t per_term = sizeof(term_rec) + 4 * sizeof *v->table +
                      sizeof(seg_term) + sizeof(uint32_t) +
                      2 * sizeof(uint32_t); /* derive's from_at, from */
    return slices_memory(&v->pool) + (size_t)v->n_terms * per_term +
           v->keys.len +
           (size_t)v->n_docs * 8 + colset_memory(&v->cols) +
           docstore_memory(&v->store);
}

/* ---- stems from their words ----
 *
 * A stem's postings are the union of its words' (the tfs of two words of
 * one article added), so the inverter does not count them as it goes: a
 * stem touched beside each of its words cost a second record, a second
 * postings tail and a second (gap, tf) pair per word and article, mostly
 * cache misses, and a stem with one word only is an alias whose postings
 * are never written. At the flush each stem that is not an alias gets
 * them by merging its words' lists (on the thread writing it). A word
 * stemmed the same way in every article has one stem; a split one
 * (stemmed in several languages to different stems) gives each article
 * to the stem of that article's language, found again here. */

/* A split word's stem in one language. */
typedef struct split_stem {
    uint32_t word;
    lang_code lang;
    uint32_t stem;
} split_stem;

typedef struct derive {
    const inverter *v;
    uint32_t *from_at;    /* per term + 1: where its words are in from */
    uint32_t *from;       /* stems' words, stem after stem */
    split_stem *splits;   /* by word: the stems of split words */
    size_t n_splits;
} derive;

/* The stem term (ns 'S') of word w in the stemmer of lang, which the
 * inverter made when it met w in an article of lang: NO_TERM if not
 * found (stemmer_stem failed). */
static uint32_t find_stem(inverter *v, uint32_t w, lang_code lang)
{
    const term_rec *r = &v->terms[w];
    size_t n;
    const char *st = stemmer_stem(stemset_get(v->stems, lang),
                                  v->keys.ptr + r->key_off + 1,
                                  r->key_len - 1, &n);
    if (!st)
        return NO_TERM;
    uint32_t h = key_hash(NS_STEM, st, &n);
    uint32_t slot;
    return lookup_term(v, NS_STEM, st, n, h, &slot);
}

/* The language of the stemmer doc's words were stemmed with. */
static lang_code doc_stem_lang(const inverter *v, uint32_t doc)
{
    return stemset_lang(v->stems,
                        (lang_code)colset_get(&v->cols, COL_LANG, doc));
}

static int is_word(const inverter *v, uint32_t id)
{
    const term_rec *t = &v->terms[id];
    return t->key_len && v->keys.ptr[t->key_off] == NS_WORD;
}

/* The stems of split word w (its articles read again, each stemmed in
 * its language once) appended to d->splits; 0 or MORGUE_ENOMEM. */
static int split_stems(inverter *v, derive *d, size_t *cap, uint32_t w)
{
    size_t first = d->n_splits;
    slice_reader r;
    slices_read(&r, &v->pool, &v->terms[w].post);
    uint64_t gap, tf1, doc = 0;
    for (uint32_t i = 0; i < v->terms[w].df; i++) {
        if (slices_read_varint(&r, &gap) || slices_read_varint(&r, &tf1))
            return MORGUE_ERROR;
        doc = i ? doc + gap + 1 : gap;
        lang_code l = doc_stem_lang(v, (uint32_t)doc);
        size_t k = first;
        while (k < d->n_splits && d->splits[k].lang != l)
            k++;
        if (k < d->n_splits)
            continue;
        uint32_t s = find_stem(v, w, l);
        if (s == NO_TERM)
            return MORGUE_ENOMEM; /* stemmed when added, so memory */
        split_stem *n = mem_grow(d->splits, cap, d->n_splits + 1, sizeof *n);
        if (!n)
            return MORGUE_ENOMEM;
        d->splits = n;
        d->splits[d->n_splits++] = (split_stem){ w, l, s };
    }
    return MORGUE_OK;
}

/* Whether splits[k] is the first of splits[first..k] with its stem (two
 * languages may stem a split word alike: one of its stems' words once). */
static int first_of_stem(const derive *d, size_t first, size_t k)
{
    for (size_t j = first; j < k; j++)
        if (d->splits[j].stem == d->splits[k].stem)
            return 0;
    return 1;
}

/* Each stem's words (from_at, from) and the split words' stems;
 * MORGUE_OK, MORGUE_ENOMEM, or MORGUE_ERROR (postings that do not
 * decode). */
static int derive_init(inverter *v, derive *d)
{
    memset(d, 0, sizeof *d);
    d->v = v;
    size_t cap_splits = 0;
    uint32_t n = v->n_terms;
    d->from_at = mem_array0((size_t)n + 1, sizeof *d->from_at);
    if (!d->from_at)
        return MORGUE_ENOMEM;
    /* counts of (word, stem) pairs by stem, then their starts */
    for (uint32_t w = 0; w < n; w++) {
        if (!is_word(v, w) || v->terms[w].stem_id == NO_TERM)
            continue;
        if (!v->terms[w].split) {
            d->from_at[v->terms[w].stem_id + 1]++;
            continue;
        }
        size_t first = d->n_splits;
        int rc = split_stems(v, d, &cap_splits, w);
        if (rc)
            return rc;
        for (size_t k = first; k < d->n_splits; k++)
            if (first_of_stem(d, first, k))
                d->from_at[d->splits[k].stem + 1]++;
    }
    for (uint32_t i = 0; i < n; i++)
        d->from_at[i + 1] += d->from_at[i];
    d->from = mem_array(d->from_at[n], sizeof *d->from);
    uint32_t *fill = mem_array(n, sizeof *fill);
    if (!d->from || !fill) {
        free(fill);
        return MORGUE_ENOMEM;
    }
    memcpy(fill, d->from_at, (size_t)n * sizeof *fill);
    size_t k = 0;
    for (uint32_t w = 0; w < n; w++) {
        if (!is_word(v, w) || v->terms[w].stem_id == NO_TERM)
            continue;
        if (!v->terms[w].split) {
            d->from[fill[v->terms[w].stem_id]++] = w;
            continue;
        }
        size_t first = k;
        for (; k < d->n_splits && d->splits[k].word == w; k++)
            if (first_of_stem(d, first, k))
                d->from[fill[d->splits[k].stem]++] = w;
    }
    free(fill);
    return MORGUE_OK;
}

static void derive_free(derive *d)
{
    free(d->from_at);
    free(d->from);
    free(d->splits);
}

/* One word's documents as a stem's merge reads them. */
typedef struct word_cursor {
    slice_reader r;
    uint32_t left;          /* documents not yet read */
    uint32_t doc, tf;       /* the current one */
    int started;
    const split_stem *sp;   /* a split word's stems (n_sp), else NULL */
    size_t n_sp;
    uint32_t stem;          /* the stem merged */
} word_cursor;

/* Steps c to its next document of the stem: 1, 0 at the end, -1 when
 * the postings do not decode. */
static int cursor_next(const inverter *v, word_cursor *c)
{
    for (;;) {
        if (c->left == 0)
            return 0;
        uint64_t gap, tf1;
        if (slices_read_varint(&c->r, &gap) ||
            slices_read_varint(&c->r, &tf1))
            return -1;
        c->doc = c->started ? c->doc + (uint32_t)gap + 1 : (uint32_t)gap;
        c->started = 1;
        c->tf = (uint32_t)tf1 + 1;
        c->left--;
        if (!c->sp)
            return 1;
        lang_code l = doc_stem_lang(v, c->doc);
        for (size_t k = 0; k < c->n_sp; k++)
            if (c->sp[k].lang == l) {
                if (c->sp[k].stem == c->stem)
                    return 1;
                break;
            }
    }
}

/* The stems of split word w in d->splits (sorted by word). */
static const split_stem *splits_of(const derive *d, uint32_t w, size_t *n)
{
    size_t lo = 0, hi = d->n_splits;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (d->splits[mid].word < w)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t k = lo;
    while (k < d->n_splits && d->splits[k].word == w)
        k++;
    *n = k - lo;
    return d->splits + lo;
}

#define MERGE_ON_STACK 16

/* Stem s's postings, the union of its words' (tfs added), into post as
 * (gap, tf - 1) pairs, its document count into *df; 0, or -1 on OOM or
 * postings that do not decode. Only reads the inverter: threads may run
 * it side by side. */
static int derive_stem(const derive *d, uint32_t s, buf *post, uint32_t *df)
{
    const inverter *v = d->v;
    uint32_t a = d->from_at[s], n = d->from_at[s + 1] - a;
    word_cursor stack[MERGE_ON_STACK];
    word_cursor *c = n <= MERGE_ON_STACK ? stack : mem_array(n, sizeof *c);
    if (!c)
        return -1;
    uint32_t live = 0;
    int rc = 0;
    for (uint32_t i = 0; i < n && rc >= 0; i++) {
        uint32_t w = d->from[a + i];
        word_cursor *x = &c[live];
        memset(x, 0, sizeof *x);
        slices_read(&x->r, &v->pool, &v->terms[w].post);
        x->left = v->terms[w].df;
        x->stem = s;
        if (v->terms[w].split)
            x->sp = splits_of(d, w, &x->n_sp);
        rc = cursor_next(v, x);
        live += rc == 1;
    }
    buf_clear(post);
    *df = 0;
    uint32_t last = 0;
    while (rc >= 0 && live > 0) {
        uint32_t doc = UINT32_MAX, tf = 0;
        for (uint32_t i = 0; i < live; i++)
            doc = c[i].doc < doc ? c[i].doc : doc;
        for (uint32_t i = 0; i < live && rc >= 0;) {
            if (c[i].doc != doc) {
                i++;
                continue;
            }
            tf += c[i].tf;
            rc = cursor_next(v, &c[i]);
            if (rc == 1)
                i++;
            else if (rc == 0) { /* this word is done */
                c[i] = c[--live];
                rc = 1;
            }
        }
        buf_put_varint(post, *df ? doc - last - 1 : doc);
        buf_put_varint(post, tf - 1);
        last = doc;
        (*df)++;
    }
    if (c != stack)
        free(c);
    return rc < 0 || post->oom ? -1 : 0;
}

/* A term's postings and positions (seg_build.gather), into buffers of
 * the thread that writes it: out of its slices, or a stem's made from
 * its words'. */
static int gather(void *ud, const seg_term *t, buf *post, buf *pos,
                  uint32_t *df)
{
    const derive *d = ud;
    const inverter *v = d->v;
    const term_rec *r = &v->terms[t->src];
    if (r->key_len && v->keys.ptr[r->key_off] == NS_STEM) {
        buf_clear(pos);
        return derive_stem(d, t->src, post, df);
    }
    *df = r->df;
    return slices_copy(&v->pool, &r->post, post) ||
           slices_copy(&v->pool, &r->pos, pos);
}

static int cmp_terms(const void *a, const void *b)
{
    const seg_term *x = a, *y = b;
    return span_cmp(x->key, x->key_len, y->key, y->key_len);
}

static void reset(inverter *v)
{
    free_terms(v);
    memset(v->table, 0, ((size_t)v->table_mask + 1) * sizeof *v->table);
    buf_clear(&v->keys);
    colset_clear(&v->cols);
    v->n_docs = 0;
    docstore_builder_free(&v->store);
    docstore_builder_init(&v->store);
    if (v->spill_dir)
        docstore_builder_spill(&v->store, v->spill_dir, SEG_SPOOL_MEM);
    /* no thread: the next batch stores in the call (still the same bytes) */
    if (v->threads >= 2)
        docstore_builder_thread(&v->store);
}

int inverter_flush(inverter *v, const char *path, errmsg *e)
{
    int rc = docstore_finish(&v->store);
    if (rc) { /* a temporary file's failure says what it was */
        int io = rc == MORGUE_EIO ? docstore_check(&v->store, e) : 0;
        return io ? io
                  : err_set(e, rc, rc == MORGUE_ENOMEM
                                       ? "out of memory"
                                       : "stored text: compression failed");
    }
    seg_term *terms = malloc((size_t)v->n_terms * sizeof *terms + 1);
    if (!terms)
        return err_set(e, MORGUE_ENOMEM, "out of memory");
    uint32_t *sorted_at = malloc((size_t)v->n_terms * sizeof *sorted_at + 1);
    if (!sorted_at) {
        free(terms);
        return err_set(e, MORGUE_ENOMEM, "out of memory");
    }
    derive d;
    rc = derive_init(v, &d);
    if (rc) {
        derive_free(&d);
        free(terms);
        free(sorted_at);
        return err_set(e, rc, rc == MORGUE_ENOMEM
                                  ? "out of memory"
                                  : "inverted postings do not decode");
    }
    for (uint32_t i = 0; i < v->n_terms; i++) {
        const term_rec *t = &v->terms[i];
        terms[i] = (seg_term){ .key = v->keys.ptr + t->key_off,
                               .key_len = t->key_len, .df = t->df,
                               .post_len = slices_len(&t->post),
                               .pos_len = slices_len(&t->pos),
                               .src = i, .alias = i };
    }
    /* a stem's bytes are about its words' (what shares the work of the
     * flush's two threads) */
    for (uint32_t i = 0; i < v->n_terms; i++)
        for (uint32_t k = d.from_at[i]; k < d.from_at[i + 1]; k++)
            terms[i].post_len += terms[d.from[k]].post_len;
    qsort(terms, v->n_terms, sizeof *terms, cmp_terms);
    /* A stem reached from one word only has that word's postings (unless
     * the word is split: its other languages gave it other stems). */
    for (uint32_t j = 0; j < v->n_terms; j++)
        sorted_at[terms[j].alias] = j;
    for (uint32_t j = 0; j < v->n_terms; j++) {
        const term_rec *t = &v->terms[terms[j].alias];
        int one = t->key_len && v->keys.ptr[t->key_off] == NS_STEM &&
                  t->n_words == 1 && !v->terms[t->a_word].split;
        terms[j].alias = one ? sorted_at[t->a_word] : SIZE_MAX;
    }
    free(sorted_at);
    seg_build b = { .n_docs = v->n_docs, .cols = &v->cols,
                    .idents = v->idents, .terms = terms,
                    .n_terms = v->n_terms, .threads = v->threads,
                    .gather = gather, .gather_ud = &d };
    b.n_extra = docstore_sections(&v->store, b.extra, &b.feat);
    rc = segment_write(path, &b, e);
    derive_free(&d);
    free(terms);
    if (rc == MORGUE_OK)
        reset(v);
    return rc;
}
