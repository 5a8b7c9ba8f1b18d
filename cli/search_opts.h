/* search_opts.h: search options by name (limit, offset, any, natural,
 * sort, from, to, facet, no-snippets, snippet-chars, hl-open, hl-close,
 * k1, b, title-weight, expand, collapse, recency, now), for
 * `morgue search` and `morgue serve`'s /api/search alike. */
#ifndef MORGUE_CLI_SEARCH_OPTS_H
#define MORGUE_CLI_SEARCH_OPTS_H

#include <stddef.h>

#include "morgue.h"

#define SEARCH_MAX_LIMIT 100000
#define SEARCH_MAX_OFFSET 1000000

/* 0: not a search option; 1: a flag; 2: takes a value. */
int search_opt_known(const char *name);

/* Sets option name (without "--") to v into qo (relative --from/--to
 * are taken from qo->now, so set "now" first); v is NULL for a flag on
 * the command line, and "1"/"0" style over HTTP. String values (hl-open,
 * hl-close) are borrowed. 0, or -1 with one line in err. */
int search_opt_set(morgue_query_opts *qo, const char *name, const char *v,
                   char *err, size_t cap);

/* Checks the options together (a --from after --to); 0 or -1 with err. */
int search_opt_check(const morgue_query_opts *qo, char *err, size_t cap);

/* The value of --now / --now=V in argv, or NULL: read before the other
 * options, so that relative dates do not depend on the order. */
const char *search_opt_find_now(int argc, char **argv);

/* Sets --now from argv into qo before getopt runs (search_opt_find_now);
 * 0, or -1 with err. */
int search_opt_now_first(morgue_query_opts *qo, int argc, char **argv,
                         char *err, size_t cap);

/* getopt_long entries of the options every query command takes (the
 * date filter and --any), each returning val for search_opt_set. */
#define SEARCH_OPT_FILTERS(val)                                              \
    { "any", no_argument, NULL, (val) },                                     \
        { "from", required_argument, NULL, (val) },                          \
        { "to", required_argument, NULL, (val) },                            \
        { "now", required_argument, NULL, (val) }

/* The words argv[from..argc) joined by spaces into q: the query. */
struct buf;
void search_opt_query(struct buf *q, int from, int argc, char **argv);

#endif
