/* updutil.h: helpers shared by the update, fault, corruption and
 * concurrency Check programs: files on disk, and an index's contents as
 * comparable strings. */
#ifndef MORGUE_UPDUTIL_H
#define MORGUE_UPDUTIL_H

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "morgue.h"
#include "testutil.h"

/* Writes content to dir/name (creating folders on the way). */
static inline void uu_write(const char *dir, const char *name,
                            const char *content)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    for (char *p = path + strlen(dir) + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            mkdir(path, 0755);
            *p = '/';
        }
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    fputs(content, f);
    fclose(f);
}

static inline int uu_cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted ids (with scores when with_score) of every hit of query, one per
 * line; the caller frees. NULL when the search fails. */
static inline char *uu_hits(morgue_searcher *s, const char *query,
                            int with_score)
{
    morgue_query_opts o = MORGUE_QUERY_OPTS_INIT;
    o.limit = 100000;
    o.no_snippets = 1;
    morgue_hits *h;
    if (morgue_search(s, query, &o, &h) != MORGUE_OK)
        return NULL;
    size_t n = 0, cap = 64;
    char **lines = malloc(cap * sizeof *lines);
    while (morgue_hits_next(h) == MORGUE_OK) {
        const char *p;
        size_t len;
        if (morgue_hits_field(h, MORGUE_FIELD_ID, &p, &len) != MORGUE_OK) {
            n = SIZE_MAX;
            break;
        }
        if (n == cap)
            lines = realloc(lines, (cap *= 2) * sizeof *lines);
        lines[n] = malloc(len + 32);
        int k = snprintf(lines[n], len + 32, "%.*s", (int)len, p);
        if (with_score)
            snprintf(lines[n] + k, 32, " %.6f", morgue_hits_score(h));
        n++;
    }
    morgue_hits_free(h);
    if (n == SIZE_MAX) {
        free(lines);
        return NULL;
    }
    qsort(lines, n, sizeof *lines, uu_cmp_str);
    size_t total = 1;
    for (size_t i = 0; i < n; i++)
        total += strlen(lines[i]) + 1;
    char *out = malloc(total);
    out[0] = '\0';
    for (size_t i = 0, at = 0; i < n; i++) {
        at += (size_t)sprintf(out + at, "%s\n", lines[i]);
        free(lines[i]);
    }
    free(lines);
    return out;
}

/* uu_hits on a fresh searcher of dir. */
static inline char *uu_hits_in(const char *dir, const char *query,
                               int with_score)
{
    morgue_searcher *s;
    if (morgue_searcher_open(&s, dir, NULL) != MORGUE_OK)
        return NULL;
    char *r = uu_hits(s, query, with_score);
    morgue_searcher_close(s);
    return r;
}

static inline morgue_stats uu_stats(const char *dir)
{
    morgue_searcher *s;
    morgue_stats st = MORGUE_STATS_INIT;
    ck_assert_int_eq(morgue_searcher_open(&s, dir, NULL), MORGUE_OK);
    ck_assert_int_eq(morgue_searcher_stats(s, &st), MORGUE_OK);
    morgue_searcher_close(s);
    return st;
}

/* The index is clean (morgue_index_check), with a message when not. */
static inline void uu_check_clean(const char *dir)
{
    int rc = morgue_index_check(dir, NULL);
    if (rc != MORGUE_OK)
        fprintf(stderr, "check: %s\n", morgue_last_errmsg());
    ck_assert_int_eq(rc, MORGUE_OK);
}

#endif
