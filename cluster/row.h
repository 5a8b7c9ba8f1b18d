/* row.h: an article as a row of a shard's RT index, and the text forms
 * shared by rows and queries.
 *
 * morgue tokenizes, folds and stems before Sphinx sees any text, so a
 * cluster holds exactly morgue's terms (no second tokenizer to keep in
 * step; Sphinx only splits on the spaces between them, see the charset
 * in admin.c). Full-text fields:
 *   ti  exact words of the title        (title phrases, title prefixes)
 *   tb  exact words of title then body  (phrases, NEAR, prefixes; one
 *       position run like morgue's, so a phrase may cross into the body)
 *   ts  stems of the title              (title:word; free words)
 *   ss  stems of the body               (free words: (@(ss,ts) stem);
 *       apart from ts so the ranker sees each field's tf and length,
 *       as morgue's BM25F does)
 *   kv  value keys: o_<source>, g_<tag> (the folded value, spaces as '_')
 *       and y<YYYY> m<YYYYMM> d<YYYYMMDD> (dates inside OR / NOT, on
 *       the article's own day), and any_ in every row (a positive for
 *       queries of exclusions only)
 * Attributes: date (bigint seconds UTC; INT64_MIN for none: --sort date),
 * doff (bigint: the date's UTC offset in minutes, MORGUE_NO_OFFSET for
 * none), ldate (bigint: the article's own clock, date plus doff minutes,
 * as segment_local_date(): date filters and the stats' range), yr, ym,
 * dy (uint, the own day's; 0 for none: the date facets), the stored
 * fields sid url title source
 * tags body (strings, for hit lists and snippets), tagn (folded tags, one
 * a line), srcn (the folded source: the source facet) and tg (multi-valued: key hashes of the folded tags, for tag
 * facets). The document id is the article's identity hash (63 bits). */
#ifndef MORGUE_CLUSTER_ROW_H
#define MORGUE_CLUSTER_ROW_H

#include <stdint.h>

#include "indexer/invert.h"
#include "text/stem.h"
#include "util/buf.h"

/* The column list of a REPLACE, in row_append's order. */
#define ROW_COLUMNS                                                          \
    "id,ti,tb,ts,ss,kv,date,yr,ym,dy,sid,url,title,source,tags,body,tagn,srcn," \
    "tg,ldate,doff"

/* Sphinx document id of an identity hash (ids are positive 64-bit). */
uint64_t row_docid(uint64_t ident);

/* Shard of an identity hash. */
unsigned row_shard(uint64_t ident, unsigned n_shards);

/* A source or tag value folded as morgue folds it (tokens joined by one
 * space, as long as index/ keeps it). */
void row_fold_value(buf *out, const char *p, size_t n);

/* The kv key of a folded value: prefix ('o' or 'g'), '_', the value with
 * its spaces as '_'. */
void row_value_key(buf *out, char prefix, const char *folded, size_t n);

/* Hash of a folded tag value, as stored in tg (positive 63 bits). */
uint64_t row_tag_hash(const char *folded, size_t n);

/* Appends "(id,'ti',...)" for d, stemming with stem. tmp is scratch. */
int row_append(buf *out, const invert_doc *d, stemmer *stem, buf tmp[4]);

#endif
