/* rerank.h: the local searcher's score, worked out again in the client
 * for the candidates a cluster returns, with the whole cluster's
 * statistics.
 *
 * Sphinx 2.2.11 cannot rank as morgue does: its bm25f() reads the
 * collection's field lengths, which an RT index never fills in, so with
 * any b > 0 every document weighs the same (0.5); and its idf is per
 * shard. So the head ranks the matches by a length-blind BM25F (b = 0,
 * the title weighted as morgue weighs it), the best RERANK_WINDOW come
 * back with their stored title and body, and morgue scores them as
 * searcher/term.c and phrase.c would: tf counted by morgue's own
 * tokenizer and stemmer in the stored text, the lengths from those
 * tokens, df summed over the shards (SHOW META's docs[i] of the head) and
 * N and the mean lengths of the whole cluster (clu_stats). What stays
 * approximate: a document outside the window cannot come back; the df of
 * a title: word or a quoted word is that of the keyword in any field
 * (the dictionary is shared by the fields); the local index counts
 * deleted articles in N and df until it is compacted, the cluster never. */
#ifndef MORGUE_CLUSTER_RERANK_H
#define MORGUE_CLUSTER_RERANK_H

#include <stddef.h>
#include <stdint.h>

#include "cluster/translate.h"
#include "text/stem.h"
#include "util/buf.h"

/* Candidates scored again: at least this many, whatever the page. */
#define RERANK_WINDOW 100

/* The whole cluster: documents and mean tokens per field. */
typedef struct clu_stats {
    uint64_t n_docs;
    double avg_len;     /* title + body tokens */
    double avg_tlen;    /* title tokens */
} clu_stats;

/* The document frequency of each keyword of the query, from SHOW META. */
typedef struct kw_stats {
    char **word;        /* owned */
    uint64_t *docs;     /* owned */
    size_t n;
} kw_stats;

void kw_stats_free(kw_stats *k);

typedef struct reranker {
    const translation *t;
    stemmer *stem;      /* borrowed */
    double k1, b, title_weight;
    clu_stats cs;
    double **idf;       /* owned: per leaf, per word */
    buf toks;           /* scratch: the current document's tokens */
    size_t *exact, *stems; /* offsets into toks, per token */
    size_t n_tok, n_title, cap;
} reranker;

/* Prepares the scoring of t's leaves. MORGUE_OK or MORGUE_ENOMEM. */
int reranker_init(reranker *r, const translation *t, stemmer *stem,
                  double k1, double b, double title_weight,
                  const clu_stats *cs, const kw_stats *kw);

/* The local score of the article with this stored title and body. */
int reranker_score(reranker *r, const char *title, size_t tlen,
                   const char *body, size_t blen, double *out);

void reranker_free(reranker *r);

#endif
