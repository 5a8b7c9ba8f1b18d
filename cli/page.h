/* page.h: the HTML pages of `morgue serve`: the search page (box, ranked
 * hits with highlighted snippets, near-duplicates folded under the best of
 * them on request, month chart as inline SVG whose bars filter to their
 * month, source and tag facets, paging; or the story timeline of the
 * matches) and an article's page. Plain HTML and one inline style sheet: no script, no external
 * asset. Every value from the index or the request is HTML-escaped. */
#ifndef MORGUE_CLI_PAGE_H
#define MORGUE_CLI_PAGE_H

#include "morgue.h"
#include "cli/buf.h"

/* What the search page was asked (each string may be NULL). */
typedef struct page_req {
    const char *q;       /* the query */
    const char *mode;    /* "strict" (all words, the default), "natural"
                            (any word, ranked) */
    const char *sort;    /* "relevance" or "date" */
    const char *from, *to; /* YYYY[-MM[-DD]] */
    const char *offset;  /* hits to skip */
    const char *collapse; /* "1": near-duplicates folded */
    const char *view;    /* "hits" (the default) or "timeline" */
    const char *by;      /* timeline periods: "day", "week", "month";
                            else chosen from the matches' span */
} page_req;

#define PAGE_PERIODS 60  /* timeline periods shown (later ones are cut) */
#define PAGE_STORIES 6   /* stories shown per period */

#define PAGE_HITS 10     /* hits per page */
#define SERVE_QUERY_MS 5000 /* a search over HTTP stops after this long
                               (MORGUE_ECANCELED: 503) */

/* Appends the search page for r to out; returns the HTTP status (200, or
 * 400 for a malformed query or option, which the page then explains). */
int page_search(buf *out, morgue_searcher *s, const page_req *r);

/* Appends the page of the article(s) key names (morgue_searcher_get);
 * returns 200 or 404. */
int page_article(buf *out, morgue_searcher *s, const char *key);

/* Appends a small page saying msg; for errors. */
void page_message(buf *out, const char *title, const char *msg);

/* HTML-escapes (p, n) onto out (& < > " ' and control bytes). */
void page_escape(buf *out, const char *p, size_t n);

#endif
