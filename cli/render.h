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

/* "year", "month" or "day" for a MORGUE_FACET_* granularity. */
const char *render_date_facet_name(int kind);

/* One hit: rank, score, id, title, date, source, path (the file, or null),
 * url, tags, snippet. */
json_t *render_hit(morgue_hits *h, size_t rank);

/* A whole article (for show): the hit's fields without rank, score and
 * snippet, plus body. */
json_t *render_article(morgue_hits *h);

/* (s, n) as a JSON string: as it is when valid UTF-8 (a NUL escaped),
 * else repaired, so that a field is never dropped for its bytes. */
json_t *render_text(const char *s, size_t n);

/* A search answer: query, total, total_exact, took_us (since started_us,
 * render_now_us() before the search, so snippets count), hits, facets.
 * Consumes the hits iterator of h (morgue_hits_next to the end). */
json_t *render_search(morgue_hits *h, const morgue_query_opts *qo,
                      const char *query, double started_us);

/* documents, terms, segments, index_bytes, first_date, last_date,
 * language. */
json_t *render_stats(const morgue_stats *st);

#endif
