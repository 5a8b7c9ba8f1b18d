/* apiver.c: the size of every versioned API struct in each of its
 * versions. Version N's size is the offset of the first field version
 * N + 1 added (or sizeof for the newest), so reading or writing that many
 * bytes touches exactly the fields an older caller's struct has. */
#include "util/apiver.h"

#define END(type, first_new_field) offsetof(type, first_new_field)

static const size_t article[] = { 0, END(morgue_article, date_offset),
                                  END(morgue_article, lang),
                                  sizeof(morgue_article) };
static const size_t writer_opts[] = {
    0, END(morgue_writer_opts, rebuild), END(morgue_writer_opts, threads),
    sizeof(morgue_writer_opts)
};
static const size_t add_opts[] = {
    0, END(morgue_add_opts, file_done), END(morgue_add_opts, date_from_mtime),
    sizeof(morgue_add_opts)
};
static const size_t add_result[] = { 0, sizeof(morgue_add_result) };
static const size_t update_result[] = { 0, sizeof(morgue_update_result) };
static const size_t check_result[] = { 0, sizeof(morgue_check_result) };
static const size_t searcher_opts[] = { 0, sizeof(morgue_searcher_opts) };
static const size_t stats[] = { 0, sizeof(morgue_stats) };
static const size_t query_opts[] = {
    0, END(morgue_query_opts, flags), END(morgue_query_opts, cancel),
    END(morgue_query_opts, collapse_similarity),
    END(morgue_query_opts, facet_langs), sizeof(morgue_query_opts)
};

static const size_t cluster_opts[] = { 0, sizeof(morgue_cluster_opts) };
static const size_t date_range[] = { 0, sizeof(morgue_date_range) };

#define TABLE(t) { t, sizeof t / sizeof *t }

static const struct {
    const size_t *sizes;
    size_t n;
} tables[API_N_STRUCTS] = {
    [API_ARTICLE] = TABLE(article),
    [API_WRITER_OPTS] = TABLE(writer_opts),
    [API_ADD_OPTS] = TABLE(add_opts),
    [API_ADD_RESULT] = TABLE(add_result),
    [API_UPDATE_RESULT] = TABLE(update_result),
    [API_CHECK_RESULT] = TABLE(check_result),
    [API_SEARCHER_OPTS] = TABLE(searcher_opts),
    [API_STATS] = TABLE(stats),
    [API_QUERY_OPTS] = TABLE(query_opts),
    [API_CLUSTER_OPTS] = TABLE(cluster_opts),
    [API_DATE_RANGE] = TABLE(date_range),
};

size_t api_size(api_struct kind, unsigned version)
{
    if ((unsigned)kind >= API_N_STRUCTS || version >= tables[kind].n)
        return 0;
    return tables[kind].sizes[version];
}
