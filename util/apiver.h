/* apiver.h: the one version policy for structs that cross the public API.
 *
 * Every struct a caller allocates and hands in (options and results alike)
 * starts with `unsigned version`. apiver.c holds, per struct, its size in
 * each version the library knows; API_SIZE() gives the bytes the caller's
 * version has, or 0 for a version the library does not know (the caller
 * then gets MORGUE_EINVAL). The library copies an options struct into a
 * full one holding the defaults, and fills a full result then copies back
 * only that many bytes, so it never reads or writes past an older caller's
 * struct. */
#ifndef MORGUE_UTIL_APIVER_H
#define MORGUE_UTIL_APIVER_H

#include <stddef.h>
#include <string.h>

#include "morgue.h"

typedef enum api_struct {
    API_ARTICLE,
    API_WRITER_OPTS,
    API_ADD_OPTS,
    API_ADD_RESULT,
    API_UPDATE_RESULT,
    API_CHECK_RESULT,
    API_SEARCHER_OPTS,
    API_STATS,
    API_QUERY_OPTS,
    API_CLUSTER_OPTS,
    API_DATE_RANGE,
    API_N_STRUCTS
} api_struct;

/* Bytes of struct `kind` in version `version`, 0 when unknown. */
size_t api_size(api_struct kind, unsigned version);

/* The one macro: bytes that the version stated by *p has (p non-NULL), 0
 * for a version the library does not know. The struct is picked by p's
 * type, so a new versioned struct is one line here and one in apiver.c. */
#define API_SIZE(p)                                                          \
    api_size(_Generic((p),                                                   \
                 const morgue_article *: API_ARTICLE,                        \
                 const morgue_writer_opts *: API_WRITER_OPTS,                \
                 const morgue_add_opts *: API_ADD_OPTS,                      \
                 morgue_add_result *: API_ADD_RESULT,                        \
                 morgue_update_result *: API_UPDATE_RESULT,                  \
                 morgue_check_result *: API_CHECK_RESULT,                    \
                 const morgue_searcher_opts *: API_SEARCHER_OPTS,            \
                 morgue_stats *: API_STATS,                                  \
                 const morgue_query_opts *: API_QUERY_OPTS,                  \
                 const morgue_cluster_opts *: API_CLUSTER_OPTS,              \
                 morgue_date_range *: API_DATE_RANGE),                       \
             (p)->version)

/* Copies a full result *src back into the caller's *dst, n = API_SIZE(dst)
 * bytes, keeping the caller's version. */
#define API_PUT(dst, src, n)                                                 \
    do {                                                                     \
        (src)->version = (dst)->version;                                     \
        memcpy((dst), (src), (n));                                           \
    } while (0)

#endif
