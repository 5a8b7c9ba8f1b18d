/* searcher.h: the searcher's snapshot and result types shared by the
 * files of searcher/. */
#ifndef MORGUE_SEARCHER_SEARCHER_H
#define MORGUE_SEARCHER_SEARCHER_H

#include <pthread.h>
#include <sys/stat.h>
#include <stdint.h>

#include "index/docstore.h"
#include "index/filetable.h"
#include "index/ftlookup.h"
#include "index/manifest.h"
#include "index/segment.h"
#include "morgue.h"
#include "text/stemset.h"
#include "util/buf.h"
#include "util/error.h"

/* Another engine behind the same API (a cluster, cluster/): a searcher
 * with remote set has no segments; morgue_search, stats and close go to
 * these, and the hits they make carry rows instead of segment hits. */
typedef struct searcher_remote {
    int (*search)(morgue_searcher *s, const char *query,
                  const morgue_query_opts *opts, /* resolved */
                  morgue_hits **out);
    int (*stats)(morgue_searcher *s, morgue_stats *out);
    void (*close)(morgue_searcher *s);
} searcher_remote;

/* A mapped segment, shared by every snapshot that names it: a reopen
 * hands the unchanged segments of the old snapshot to the new one
 * instead of mapping them again (segments never change once written).
 * The last snapshot to let go of it unmaps it. */
typedef struct seg_share {
    segment seg;
    dev_t dev;           /* the file it maps, so that a segment of the */
    ino_t ino;           /* same id in a rebuilt index is not taken */
    unsigned refs;       /* atomic: the snapshots holding it */
} seg_share;

#define SEARCHER_STEM_POOL 8 /* stemsets kept: about the threads searching */

struct morgue_searcher {
    const searcher_remote *remote; /* NULL: a local snapshot */
    void *remote_ctx;    /* owned by remote */
    char *dir;
    uint64_t serial;     /* tags this searcher's per-thread messages */
    struct stat man_st;  /* MANIFEST as it was just before it was read */
    manifest man;
    segment *segs;       /* n_segs, mapped: copies of shared[i]->seg */
    seg_share **shared;  /* n_segs, one reference each */
    uint64_t *base;      /* global id of each segment's first document */
    size_t n_segs;
    uint64_t n_docs;
    double avg_len;      /* mean tokens per article (title + body) */
    double avg_tlen;     /* mean title tokens */
    uint64_t index_bytes;
    uint8_t **deleted;   /* per segment: bitmap of deleted documents (bit
                            doc%8 of byte doc/8), or NULL when none */
    /* The snapshot's file table (which file each article came from), for
     * MORGUE_FIELD_PATH and lookups by path: the file is opened with the
     * snapshot (a later commit may unlink it) and parsed when first
     * needed, under lazy_lock since a searcher is shared by threads. */
    /* The languages its articles are stemmed as (text/stemset.h), with
     * how many articles each, found at open from the language column:
     * a query word is stemmed with each of them. */
    lang_mode lmode;     /* the MANIFEST's language mode */
    lang_code langs[STEMSET_MAX];
    uint64_t lang_docs[STEMSET_MAX];
    size_t n_langs;
    /* The distinct stopword lists of those languages and of the mode's
     * default (text/stopwords.h), found once at open. */
    const char *const *stops[STEMSET_MAX + 1];
    size_t stops_len[STEMSET_MAX + 1];
    size_t n_stops;
    struct synset *syn;  /* the index's synonyms file, NULL: none */
    int ft_fd;           /* -1: the index has no file table */
    int ft_state;        /* 0 not parsed, 1 parsed, -1 unreadable */
    filetable ft;
    /* Its lookup (index/ftlookup.h), opened with the snapshot too: the
     * path of a hit without parsing the table (-1: none, an older
     * writer's index: the table is parsed). */
    int ftl_fd;
    int ftl_state;       /* 0 not checked, 1 usable, -1 not */
    ftlookup ftl;
    /* morgue_searcher_stats's scans (every live article's local date,
     * the distinct words of all segments), made on the first call and
     * kept with the snapshot, which never changes: serve asks per page */
    int stats_done;
    int64_t first_local, last_local; /* MORGUE_NO_DATE: no dated article */
    uint64_t n_words;
    pthread_mutex_t lazy_lock; /* the file table and the stats' scans */
    /* Stemmer sets (one stemmer per language, made on first use) kept
     * between queries: making six Snowball stemmers cost a query more than
     * its term lookups. A query takes one, or makes one when none is
     * free, and gives it back; under stem_lock. */
    pthread_mutex_t stem_lock;
    stemset *stem_pool[SEARCHER_STEM_POOL];
    size_t n_stem_pool;
};

/* A stemmer set for s's language mode, the caller's until given back
 * (NULL: out of memory); stemsets past the pool's room are freed. */
stemset *searcher_stems_take(morgue_searcher *s);
void searcher_stems_give(morgue_searcher *s, stemset *ss);

/* The parsed file table of the snapshot, or NULL when there is none or it
 * cannot be read (then paths are unknown, not an error). */
const filetable *searcher_files(morgue_searcher *s);

/* The path of the file that gave the article with identity hash id into
 * out (cap bytes, NUL-terminated): 1, or 0 when unknown (none, or no
 * usable file table). By the lookup when the index has one, else from
 * the parsed table. */
int searcher_path_of(morgue_searcher *s, uint64_t id, char *out, size_t cap);

/* 1 when document doc of segment g is deleted in this snapshot. */
static inline int searcher_deleted(const morgue_searcher *s, size_t g,
                                   uint32_t doc)
{
    const uint8_t *bm = s->deleted ? s->deleted[g] : NULL;
    return bm && (bm[doc >> 3] >> (doc & 7)) & 1;
}

/* One ranked answer. */
typedef struct hit {
    double key;          /* what ranks it: the score, or the date */
    double score;
    uint32_t seg;
    uint32_t doc;        /* local to the segment */
} hit;

/* What the snippet maker highlights: a stem (words matched by stem), an
 * exact word, a phrase (exact words in a row, highlighted as one), or a
 * stopword of the query (an exact word highlighted only inside a run of
 * query words: "state of emergency" marks the "of" between its words, not
 * every "of" of the article). */
typedef enum hl_kind { HL_STEM, HL_WORD, HL_PHRASE, HL_STOP } hl_kind;

typedef struct query_term {
    hl_kind kind;
    char **words;        /* owned: 1 stem or word, or the phrase's words */
    size_t n_words;
    double weight;       /* idf, for choosing passages */
} query_term;

void query_terms_free(query_term *t, size_t n);

/* One hit given whole (by a remote engine): its stored fields as spans
 * into the hits' row_text, indexed by morgue_field. */
typedef struct hit_row {
    uint64_t docid;
    int64_t date;
    int date_off;       /* its UTC offset, or MORGUE_NO_OFFSET */
    span fields[STORED_FIELDS];
} hit_row;

struct morgue_hits {
    morgue_searcher *s;
    hit_row *rows;       /* owned; remote hits: hits[i].doc indexes it */
    buf row_text;        /* the rows' field bytes */
    int partial;         /* some shard did not answer */
    buf warnings;        /* why, one line each */
    int total_exact;
    struct morgue_facet *facets[4]; /* per morgue_facet_kind, owned */
    size_t n_facets[4];
    buf facet_text;      /* facet value strings */
    struct morgue_match *matches; /* of the current hit, owned */
    size_t n_matches;
    hit *hits;           /* ranked, owned */
    size_t n_hits;
    size_t next;         /* index of the next hit to return */
    uint64_t total;
    query_term *terms;   /* owned */
    size_t n_terms;
    struct plan_exp *exps; /* owned: the synonym expansions used */
    size_t n_exps;
    struct morgue_expansion *exp_view; /* owned: exps as the API has it */
    stemset *stems;      /* for snippets, made on first use; owned */
    morgue_query_opts opts;
    char *hl_open, *hl_close; /* owned copies */
    int loaded;          /* fields of the current hit in `fields`: 0 none,
                            1 all but the body, 2 all */
    span fields[STORED_FIELDS];
    docstore_cache cache;
    buf snippet;
    buf title_hl;        /* the current hit's title, marked up; "" until
                            asked for */
    int title_hl_done;   /* title_hl holds the current hit's */
    char path[4097];     /* the last MORGUE_FIELD_PATH asked */
    errmsg err;
    int failed;          /* a morgue_error_code an accessor that cannot
                            fail met (a damaged date column): the next
                            morgue_hits_next() returns it */
    /* MORGUE_QUERY_COLLAPSE: hit i's folded articles are
     * dups[dup_at[i] .. dup_at[i + 1]) (both owned, NULL otherwise). */
    uint64_t *dups;
    size_t *dup_at;
    uint64_t stories;
    int stories_known;
};

/* Snippet of body for the query terms into out (NUL-terminated). */
int snippet_make(buf *out, const char *body, size_t len,
                 const query_term *terms, size_t n_terms,
                 struct stemmer *stem, const morgue_query_opts *o,
                 const char *hl_open, const char *hl_close);

/* The whole of text (a title) with its matches marked, same rules. */
int snippet_mark_all(buf *out, const char *text, size_t len,
                     const query_term *terms, size_t n_terms,
                     struct stemmer *stem, const char *hl_open,
                     const char *hl_close);

/* The spans of body that match the query terms, in order, merged. *out
 * is malloc'ed (caller frees). */
int snippet_matches(const char *body, size_t len, const query_term *terms,
                    size_t n_terms, struct stemmer *stem,
                    struct morgue_match **out, size_t *n);

/* The stemmer of document doc of segment g, from h->stems (made when
 * first needed); NULL on OOM. */
struct stemmer *hits_stemmer(morgue_hits *h, size_t g, uint32_t doc);

/* Fills s->langs from the segments' language columns (langs.c). */
int searcher_scan_langs(morgue_searcher *s, errmsg *e);

/* Distinct words ('E' keys) over all segments, by merging dictionaries. */
int searcher_count_words(morgue_searcher *s, uint64_t *out);

/* A searcher whose calls go to r (ctx owned by r: r->close frees it);
 * language is the stemmer's, for snippets. MORGUE_ENOMEM or MORGUE_OK. */
int searcher_new_remote(morgue_searcher **out, const searcher_remote *r,
                        void *ctx, const char *dir, const char *language);

/* Parses query as morgue_search() does (length and UTF-8 checks, the
 * grammar opt_flags' MORGUE_QUERY_NATURAL picks, relative dates from
 * now) and checks the tree's shape (query_check); errors set s's
 * message. */
struct qnode;
int searcher_parse(morgue_searcher *s, const char *query, unsigned opt_flags,
                   int64_t now, struct qnode **q);

/* Sets what morgue_searcher_warnings() gives this thread ("" when a
 * stats call was complete). */
void searcher_set_warnings(const char *text);

/* The caller's options over the defaults (limit 10, BM25 parameters...),
 * as many fields as its version has, into *out; 0 for a version this
 * library does not know. */
int searcher_resolve_opts(const morgue_query_opts *o, morgue_query_opts *out);

/* Sets the calling thread's message for s. */
int searcher_fail(const morgue_searcher *s, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Verifies the parts what (SEG_NEED_*) of every segment, each once per
 * open segment (segment_need): MORGUE_OK, or the failure recorded on s.
 * Whatever reads a column calls it (or segment_need for its segment)
 * first. */
int searcher_need(const morgue_searcher *s, unsigned what);

/* MORGUE_OK for a local searcher; for a cluster's, MORGUE_EINVAL with
 * "WHAT is not available on a cluster" (calls that need the segments:
 * similar, timeline, dups, fingerprints, article lookups). */
int searcher_local_only(const morgue_searcher *s, const char *what);

#endif
