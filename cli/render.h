/* render.h: the JSON answers of the morgue command (search, show, stats),
 * shared by the command line and the HTTP API of `morgue serve`. Each
 * returns a new jansson value the caller owns (json_decref). */
#ifndef MORGUE_CLI_RENDER_H
#define MORGUE_CLI_RENDER_H

#include <jansson.h>

#include "morgue.h"

/* A monotonic clock in microseconds, for took_us. */
double render_now_us(void);

/* "YYYY-MM-DD", or null for MORGUE_NO_DATE. */
json_t *render_date(int64_t t);

/* The current hit's own calendar day (its date in its UTC offset),
 * "YYYY-MM-DD", or "undated". */
void render_day(morgue_hits *h, char day[16]);

/* For plain output: the day and, when the article named its zone, the
 * time in it ("2022-05-15 01:20 +02:00"); else as render_day. */
void render_when(morgue_hits *h, char out[40]);

/* "year", "month" or "day" for a MORGUE_FACET_* granularity. */
const char *render_date_facet_name(int kind);

/* One hit: rank, score, id, title, date (its own calendar day), datetime
 * ("2022-05-15T01:20:00+02:00", "Z" when no zone is known), utc_offset
 * (minutes, or null), source, path (the file, or null), url, tags,
 * snippet. NULL when a stored field cannot be read (a damaged block): the
 * reason is in morgue_hits_errmsg(h). render_article and render_search do
 * the same. */
json_t *render_hit(morgue_hits *h, size_t rank);

/* A whole article (for show): the hit's fields without rank, score and
 * snippet, plus body. */
json_t *render_article(morgue_hits *h);

/* The ids of the articles folded under the current hit (collapsing). */
json_t *render_duplicates(morgue_hits *h);

/* (s, n) as a JSON string: as it is when valid UTF-8 (a NUL escaped),
 * else repaired, so that a field is never dropped for its bytes. */
json_t *render_text(const char *s, size_t n);

/* A search answer: query, total, total_exact, stories (when collapsed),
 * took_us (since started_us,
 * render_now_us() before the search, so snippets count), hits, facets.
 * Consumes the hits iterator of h (morgue_hits_next to the end). */
json_t *render_search(morgue_hits *h, const morgue_query_opts *qo,
                      const char *query, double started_us);

/* ids and titles of the articles docids (n of them) as two new arrays;
 * -1 when one cannot be read (the searcher's message says why). */
int render_ids_titles(morgue_searcher *s, const uint64_t *docids, size_t n,
                      json_t **ids, json_t **titles);

/* morgue dups --json: {"articles": articles, "clusters": [{"size", "ids",
 * "titles", "first_date", "last_date"}]}; NULL on failure. */
json_t *render_dups(morgue_searcher *s, const morgue_clusters *c,
                    uint64_t articles);

/* morgue timeline --json: {"query", "periods": [{"period" (null for the
 * undated), "count", "stories": [{"title", "count", "ids", "first_date",
 * "last_date"}]}]}; NULL on failure. */
json_t *render_timeline(morgue_searcher *s, const morgue_timeline *t,
                        const char *query);

/* documents, terms, segments, index_bytes, first_date, last_date,
 * language. */
json_t *render_stats(const morgue_stats *st);

#endif
