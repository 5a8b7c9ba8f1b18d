/* check_api.c: the version policy of every struct that crosses the API.
 * For each: a version the library does not know gives MORGUE_EINVAL and
 * touches nothing; an older version's struct is read (or, for a result,
 * written) only as far as that version's fields go; the current version
 * works. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "check_main.h"
#include "morgue.h"
#include "searcher/iter.h"
#include "testutil.h"

static char *dir, *files;

static void put(const char *name, const char *text)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", files, name);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

#define add_one(w, id, body) tu_add(w, id, id, body, NULL, 0)

static void setup(void)
{
    dir = tu_tempdir("api-ix");
    files = tu_tempdir("api-files");
    put("a.txt", "Alpha\n\nalpha bravo\n");
    put("b.txt", "Bravo\n\nbravo charlie\n");
    morgue_writer *w;
    ck_assert_int_eq(morgue_writer_open(&w, dir, NULL), MORGUE_OK);
    add_one(w, "m1", "alpha delta");
    add_one(w, "m2", "delta echo");
    ck_assert_int_eq(morgue_writer_commit(w), MORGUE_OK);
    morgue_writer_close(w);
}

static void teardown(void)
{
    tu_rmrf(dir);
    tu_rmrf(files);
    free(dir);
    free(files);
}

static morgue_writer *writer(void)
{
    morgue_writer *w;
    ck_assert_int_eq(morgue_writer_open(&w, dir, NULL), MORGUE_OK);
    return w;
}

static morgue_searcher *searcher(void)
{
    morgue_searcher *s;
    ck_assert_int_eq(morgue_searcher_open(&s, dir, NULL), MORGUE_OK);
    return s;
}

static uint64_t live_docs(void)
{
    morgue_searcher *s = searcher();
    morgue_stats st = MORGUE_STATS_INIT;
    ck_assert_int_eq(morgue_searcher_stats(s, &st), MORGUE_OK);
    morgue_searcher_close(s);
    return st.documents;
}

/* A result struct inside a buffer with guard bytes after it. */
#define GUARD 32
typedef struct guarded {
    unsigned char bytes[512];
} guarded;

static void *guarded_init(guarded *g, size_t size, unsigned version)
{
    ck_assert_uint_le(size + GUARD, sizeof g->bytes);
    memset(g->bytes, 0xA5, sizeof g->bytes);
    memcpy(g->bytes, &version, sizeof version);
    return g->bytes;
}

/* Nothing written from byte `from` on. */
static void guarded_untouched(const guarded *g, size_t from)
{
    for (size_t i = from; i < sizeof g->bytes; i++)
        ck_assert_msg(g->bytes[i] == 0xA5, "byte %zu written", i);
}

START_TEST(article_version)
{
    morgue_writer *w = writer();
    morgue_article a = MORGUE_ARTICLE_INIT;
    a.id = "v";
    a.body = "text";
    a.version = 0;
    ck_assert_int_eq(morgue_writer_add(w, &a), MORGUE_EINVAL);
    ck_assert_ptr_nonnull(strstr(morgue_writer_errmsg(w), "version 0"));
    a.version = MORGUE_ARTICLE_VERSION + 1;
    ck_assert_int_eq(morgue_writer_add(w, &a), MORGUE_EINVAL);
    /* MORGUE_EINVAL leaves the writer usable */
    a.version = MORGUE_ARTICLE_VERSION;
    ck_assert_int_eq(morgue_writer_add(w, &a), MORGUE_OK);
    ck_assert_int_eq(morgue_writer_commit(w), MORGUE_OK);
    morgue_writer_close(w);
    ck_assert_uint_eq(live_docs(), 3);
}
END_TEST

START_TEST(writer_opts_version)
{
    morgue_writer *w = (morgue_writer *)1;
    morgue_writer_opts o = MORGUE_WRITER_OPTS_INIT;
    o.version = MORGUE_WRITER_OPTS_VERSION + 1;
    ck_assert_int_eq(morgue_writer_open(&w, dir, &o), MORGUE_EINVAL);
    ck_assert_ptr_null(w);
    ck_assert_ptr_nonnull(strstr(morgue_last_errmsg(), "morgue_writer_opts"));
    /* version 1 has no rebuild field: whatever the caller's memory holds
     * there is not read, so the index is not started afresh */
    o.version = 1;
    o.rebuild = 1;
    o.merge_factor = -5;
    ck_assert_int_eq(morgue_writer_open(&w, dir, &o), MORGUE_OK);
    add_one(w, "m3", "foxtrot");
    ck_assert_int_eq(morgue_writer_commit(w), MORGUE_OK);
    morgue_writer_close(w);
    ck_assert_uint_eq(live_docs(), 3);
    /* version 2 reads it */
    o.version = 2;
    o.merge_factor = 0;
    ck_assert_int_eq(morgue_writer_open(&w, dir, &o), MORGUE_OK);
    add_one(w, "m4", "golf");
    ck_assert_int_eq(morgue_writer_commit(w), MORGUE_OK);
    morgue_writer_close(w);
    ck_assert_uint_eq(live_docs(), 1);
}
END_TEST

static int file_events;

static int count_file(const morgue_file_event *ev, void *ud)
{
    (void)ev;
    (void)ud;
    file_events++;
    return 0;
}

START_TEST(add_opts_version)
{
    morgue_writer *w = writer();
    morgue_add_opts o = MORGUE_ADD_OPTS_INIT;
    o.file_done = count_file;
    o.version = 0;
    ck_assert_int_eq(morgue_writer_add_path(w, files, &o, NULL),
                     MORGUE_EINVAL);
    ck_assert_int_eq(morgue_writer_add_file(w, files, &o, NULL),
                     MORGUE_EINVAL);
    ck_assert_ptr_nonnull(strstr(morgue_writer_errmsg(w), "morgue_add_opts"));
    /* version 1 has no file_done: not called */
    file_events = 0;
    o.version = 1;
    ck_assert_int_eq(morgue_writer_add_path(w, files, &o, NULL), MORGUE_OK);
    ck_assert_int_eq(file_events, 0);
    put("c.txt", "Charlie\n\ncharlie\n");
    o.version = MORGUE_ADD_OPTS_VERSION;
    ck_assert_int_eq(morgue_writer_add_path(w, files, &o, NULL), MORGUE_OK);
    ck_assert_int_eq(file_events, 3);
    morgue_writer_close(w);
}
END_TEST

START_TEST(add_result_version)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/a.txt", files);
    morgue_writer *w = writer();
    guarded g;
    morgue_add_result *r = guarded_init(&g, sizeof *r, 7);
    ck_assert_int_eq(morgue_writer_add_file(w, path, NULL, r), MORGUE_EINVAL);
    guarded_untouched(&g, sizeof r->version);
    r = guarded_init(&g, sizeof *r, MORGUE_ADD_RESULT_VERSION);
    ck_assert_int_eq(morgue_writer_add_file(w, path, NULL, r), MORGUE_OK);
    ck_assert_uint_eq(r->version, MORGUE_ADD_RESULT_VERSION);
    ck_assert_uint_eq(r->articles, 1);
    ck_assert_str_eq(r->format, "text");
    guarded_untouched(&g, sizeof *r);
    morgue_writer_close(w);
}
END_TEST

START_TEST(update_result_version)
{
    morgue_writer *w = writer();
    guarded g;
    morgue_update_result *r = guarded_init(&g, sizeof *r, 0);
    ck_assert_int_eq(morgue_writer_add_path(w, files, NULL, r),
                     MORGUE_EINVAL);
    guarded_untouched(&g, sizeof r->version);
    r = guarded_init(&g, sizeof *r, MORGUE_UPDATE_RESULT_VERSION);
    ck_assert_int_eq(morgue_writer_add_path(w, files, NULL, r), MORGUE_OK);
    ck_assert_uint_eq(r->files_seen, 2);
    ck_assert_uint_eq(r->files_added, 2);
    ck_assert_uint_eq(r->articles_added, 2);
    guarded_untouched(&g, sizeof *r);
    morgue_writer_close(w);
}
END_TEST

START_TEST(check_result_version)
{
    guarded g;
    morgue_check_result *r = guarded_init(&g, sizeof *r, 2);
    ck_assert_int_eq(morgue_index_check(dir, r), MORGUE_EINVAL);
    ck_assert_ptr_nonnull(strstr(morgue_last_errmsg(),
                                 "morgue_check_result"));
    guarded_untouched(&g, sizeof r->version);
    r = guarded_init(&g, sizeof *r, MORGUE_CHECK_RESULT_VERSION);
    ck_assert_int_eq(morgue_index_check(dir, r), MORGUE_OK);
    ck_assert_uint_eq(r->documents, 2);
    ck_assert_uint_eq(r->segments, 1);
    guarded_untouched(&g, sizeof *r);
}
END_TEST

START_TEST(searcher_opts_version)
{
    morgue_searcher *s = (morgue_searcher *)1;
    morgue_searcher_opts o = MORGUE_SEARCHER_OPTS_INIT;
    o.version = 0;
    ck_assert_int_eq(morgue_searcher_open(&s, dir, &o), MORGUE_EINVAL);
    ck_assert_ptr_null(s);
    ck_assert_ptr_nonnull(strstr(morgue_last_errmsg(),
                                 "morgue_searcher_opts"));
    o.version = MORGUE_SEARCHER_OPTS_VERSION;
    ck_assert_int_eq(morgue_searcher_open(&s, dir, &o), MORGUE_OK);
    morgue_searcher_close(s);
}
END_TEST

START_TEST(stats_version)
{
    morgue_searcher *s = searcher();
    guarded g;
    morgue_stats *st = guarded_init(&g, sizeof *st, 9);
    ck_assert_int_eq(morgue_searcher_stats(s, st), MORGUE_EINVAL);
    ck_assert_ptr_nonnull(strstr(morgue_searcher_errmsg(s), "morgue_stats"));
    guarded_untouched(&g, sizeof st->version);
    st = guarded_init(&g, sizeof *st, MORGUE_STATS_VERSION);
    ck_assert_int_eq(morgue_searcher_stats(s, st), MORGUE_OK);
    ck_assert_uint_eq(st->documents, 2);
    ck_assert_str_eq(st->language, "english");
    guarded_untouched(&g, sizeof *st);
    morgue_searcher_close(s);
}
END_TEST

START_TEST(date_range_version)
{
    guarded g;
    morgue_date_range *r = guarded_init(&g, sizeof *r, 7);
    ck_assert_int_eq(morgue_parse_date(r, "2022-02", 0), MORGUE_EINVAL);
    ck_assert_ptr_nonnull(strstr(morgue_last_errmsg(), "morgue_date_range"));
    guarded_untouched(&g, sizeof r->version);
    r = guarded_init(&g, sizeof *r, MORGUE_DATE_RANGE_VERSION);
    ck_assert_int_eq(morgue_parse_date(r, "2022-02", 0), MORGUE_OK);
    ck_assert_int_eq(r->from, 1643673600);        /* 2022-02-01T00:00:00Z */
    ck_assert_int_eq(r->to, 1646092800 - 1);      /* 2022-02-28T23:59:59Z */
    guarded_untouched(&g, sizeof *r);
}
END_TEST

/* morgue_parse_date reads what date: in a query reads, and times. */
START_TEST(parse_date_forms)
{
    morgue_date_range r = MORGUE_DATE_RANGE_INIT;
    int64_t now = 1641387600; /* Wed 2022-01-05T13:00:00Z */
    ck_assert_int_eq(morgue_parse_date(&r, "2022", now), MORGUE_OK);
    ck_assert_int_eq(r.from, 1640995200);
    ck_assert_int_eq(r.to, 1672531200 - 1);
    ck_assert_int_eq(morgue_parse_date(&r, "2024-02-29", now), MORGUE_OK);
    ck_assert_int_eq(r.to - r.from, 86399);
    ck_assert_int_eq(morgue_parse_date(&r, "yesterday", now), MORGUE_OK);
    ck_assert_int_eq(r.from, 1641254400); /* 2022-01-04 */
    ck_assert_int_eq(morgue_parse_date(&r, "this-week", now), MORGUE_OK);
    ck_assert_int_eq(r.from, 1641168000); /* Monday 2022-01-03 */
    ck_assert_int_eq(r.to, 1641772800 - 1);
    ck_assert_int_eq(morgue_parse_date(&r, "2022-01-05T14:03:00+01:00", now),
                     MORGUE_OK);
    ck_assert_int_eq(r.from, 1641387780);
    ck_assert_int_eq(r.to, r.from);
    ck_assert_str_eq(morgue_last_errmsg(), "");
    const char *bad[] = { "2023-02-29", "2022-13", "22", "2022-1-5x",
                          "last-0-days", "tomorrow", "", "2022-01-05T25:00Z" };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        r.from = 42;
        ck_assert_msg(morgue_parse_date(&r, bad[i], now) == MORGUE_EINVAL,
                      "'%s' taken", bad[i]);
        ck_assert_int_eq(r.from, 42);
        ck_assert_ptr_nonnull(strstr(morgue_last_errmsg(), "no date"));
    }
    ck_assert_int_eq(morgue_parse_date(NULL, "2022", now), MORGUE_EINVAL);
}
END_TEST

START_TEST(cluster_opts_version)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/cluster", files);
    morgue_cluster_opts o = MORGUE_CLUSTER_OPTS_INIT;
    o.version = MORGUE_CLUSTER_OPTS_VERSION + 1;
    ck_assert_int_eq(morgue_cluster_init(path, &o), MORGUE_EINVAL);
    ck_assert_ptr_nonnull(strstr(morgue_last_errmsg(),
                                 "morgue_cluster_opts"));
    ck_assert_int_eq(access(path, F_OK), -1); /* nothing written */
    morgue_searcher *s = (morgue_searcher *)1;
    morgue_searcher_opts so = MORGUE_SEARCHER_OPTS_INIT;
    so.version = 0;
    ck_assert_int_eq(morgue_searcher_open_cluster(&s, path, &so),
                     MORGUE_EINVAL);
    ck_assert_ptr_null(s);
}
END_TEST

static uint64_t total(morgue_searcher *s, const char *q,
                      const morgue_query_opts *o, int expect)
{
    morgue_hits *h = NULL;
    ck_assert_int_eq(morgue_search(s, q, o, &h), expect);
    uint64_t n = morgue_hits_total(h);
    morgue_hits_free(h);
    return n;
}

START_TEST(query_opts_version)
{
    morgue_searcher *s = searcher();
    morgue_query_opts o = MORGUE_QUERY_OPTS_INIT;
    o.version = MORGUE_QUERY_OPTS_VERSION + 1;
    total(s, "alpha", &o, MORGUE_EINVAL);
    ck_assert_ptr_nonnull(strstr(morgue_searcher_errmsg(s),
                                 "morgue_query_opts"));
    /* version 1 has no flags: "any word" is not read */
    o.version = 1;
    o.flags = MORGUE_QUERY_ANY | MORGUE_QUERY_COUNT;
    ck_assert_uint_eq(total(s, "alpha echo", &o, MORGUE_OK), 0);
    o.version = MORGUE_QUERY_OPTS_VERSION;
    ck_assert_uint_eq(total(s, "alpha echo", &o, MORGUE_OK), 2);
    morgue_searcher_close(s);
}
END_TEST

static int stop_after_first(const morgue_file_event *ev, void *ud)
{
    (void)ev;
    return ++*(int *)ud >= 1;
}

/* A file callback returning non-zero stops the walk before the next file:
 * MORGUE_ECANCELED, the writer usable, the file done kept, and the next
 * run picks up the rest. */
START_TEST(file_callback_stops)
{
    morgue_writer *w = writer();
    int calls = 0;
    morgue_add_opts o = MORGUE_ADD_OPTS_INIT;
    o.file_done = stop_after_first;
    o.userdata = &calls;
    morgue_update_result r = MORGUE_UPDATE_RESULT_INIT;
    ck_assert_int_eq(morgue_writer_add_path(w, files, &o, &r),
                     MORGUE_ECANCELED);
    ck_assert_int_eq(calls, 1);
    ck_assert_uint_eq(r.files_added, 1);
    ck_assert_int_eq(morgue_writer_commit(w), MORGUE_OK);
    ck_assert_uint_eq(live_docs(), 3);
    ck_assert_int_eq(morgue_writer_add_path(w, files, NULL, &r), MORGUE_OK);
    ck_assert_uint_eq(r.files_added, 1);
    ck_assert_uint_eq(r.files_unchanged, 1);
    ck_assert_int_eq(morgue_writer_commit(w), MORGUE_OK);
    morgue_writer_close(w);
    ck_assert_uint_eq(live_docs(), 4);
}
END_TEST

static int stop_on_warning(const morgue_warning *wn, void *ud)
{
    (void)wn;
    ++*(int *)ud;
    return 1;
}

/* A warning callback returning non-zero: the file is still read to its
 * end (no half file), then the call stops. */
START_TEST(warning_callback_stops)
{
    put("a.txt", "");
    put("b.txt", "");
    put("w.jsonl", "{\"id\":\"j1\",\"body\":\"one\"}\n"
                   "not json\n"
                   "{\"id\":\"j2\",\"body\":\"two\"}\n");
    char path[4096];
    snprintf(path, sizeof path, "%s/w.jsonl", files);
    morgue_writer *w = writer();
    int calls = 0;
    morgue_add_opts o = MORGUE_ADD_OPTS_INIT;
    o.warning = stop_on_warning;
    o.userdata = &calls;
    morgue_add_result r = MORGUE_ADD_RESULT_INIT;
    ck_assert_int_eq(morgue_writer_add_file(w, path, &o, &r),
                     MORGUE_ECANCELED);
    ck_assert_int_eq(calls, 1);
    ck_assert_uint_eq(r.articles, 2);
    ck_assert_int_eq(morgue_writer_commit(w), MORGUE_OK);
    morgue_writer_close(w);
    ck_assert_uint_eq(live_docs(), 4);
}
END_TEST

/* A searcher's message is its own: a failure on another searcher (or
 * none at all) does not show through it. */
START_TEST(searcher_errmsg_per_handle)
{
    morgue_searcher *a = searcher(), *b = searcher();
    ck_assert_str_eq(morgue_searcher_errmsg(a), "");
    morgue_hits *h = NULL;
    ck_assert_int_eq(morgue_search(a, "alpha AND", NULL, &h), MORGUE_EQUERY);
    ck_assert_ptr_nonnull(strstr(morgue_searcher_errmsg(a), "column"));
    ck_assert_str_eq(morgue_searcher_errmsg(b), "");
    ck_assert_int_eq(morgue_searcher_get(b, "no-such-id", &h),
                     MORGUE_ENOTFOUND);
    ck_assert_str_ne(morgue_searcher_errmsg(b), "");
    ck_assert_str_eq(morgue_searcher_errmsg(a), "");
    morgue_searcher_close(a);
    morgue_searcher_close(b);
}
END_TEST

/* Calls on a result list keep their message in it. */
START_TEST(hits_errmsg)
{
    morgue_searcher *s = searcher();
    morgue_hits *h = NULL;
    ck_assert_int_eq(morgue_search(s, "alpha", NULL, &h), MORGUE_OK);
    ck_assert_str_eq(morgue_hits_errmsg(h), "");
    const char *p;
    size_t n;
    ck_assert_int_eq(morgue_hits_field(h, MORGUE_FIELD_TITLE, &p, &n),
                     MORGUE_EINVAL);
    ck_assert_ptr_nonnull(strstr(morgue_hits_errmsg(h), "no current hit"));
    ck_assert_int_eq(morgue_hits_next(h), MORGUE_OK);
    ck_assert_int_eq(morgue_hits_field(h, (morgue_field)99, &p, &n),
                     MORGUE_EINVAL);
    ck_assert_ptr_nonnull(strstr(morgue_hits_errmsg(h), "field"));
    ck_assert_str_eq(morgue_searcher_errmsg(s), "");
    const morgue_facet *f;
    ck_assert_int_eq(morgue_hits_facets(h, (morgue_facet_kind)7, &f, &n),
                     MORGUE_EINVAL);
    ck_assert_ptr_nonnull(strstr(morgue_hits_errmsg(h), "facet"));
    morgue_hits_free(h);
    ck_assert_str_eq(morgue_hits_errmsg(NULL), "");
    morgue_searcher_close(s);
}
END_TEST

/* Every code has its own text; the enum has no holes. */
START_TEST(strerror_codes)
{
    for (int c = MORGUE_ECANCELED; c <= MORGUE_OK; c++) {
        ck_assert_str_ne(morgue_strerror(c), "unknown error code");
        for (int d = c + 1; d <= MORGUE_OK; d++)
            ck_assert_str_ne(morgue_strerror(c), morgue_strerror(d));
    }
    ck_assert_str_eq(morgue_strerror(MORGUE_ECANCELED - 1),
                     "unknown error code");
}
END_TEST

/* Reopen: NULL while nothing was committed; after a commit a new searcher
 * on it, the old one untouched and still usable. */
START_TEST(reopen_newest)
{
    morgue_searcher *s = searcher(), *n = (morgue_searcher *)1;
    ck_assert_int_eq(morgue_searcher_reopen(s, &n), MORGUE_OK);
    ck_assert_ptr_null(n);
    morgue_writer *w = writer();
    add_one(w, "m9", "hotel");
    ck_assert_int_eq(morgue_searcher_reopen(s, &n), MORGUE_OK);
    ck_assert_ptr_null(n); /* not committed yet */
    ck_assert_int_eq(morgue_writer_commit(w), MORGUE_OK);
    ck_assert_int_eq(morgue_searcher_reopen(s, &n), MORGUE_OK);
    ck_assert_ptr_nonnull(n);
    ck_assert_uint_eq(total(n, "hotel", NULL, MORGUE_OK), 1);
    ck_assert_uint_eq(total(s, "hotel", NULL, MORGUE_OK), 0);
    morgue_searcher *again = (morgue_searcher *)1;
    ck_assert_int_eq(morgue_searcher_reopen(n, &again), MORGUE_OK);
    ck_assert_ptr_null(again);
    /* a compaction removes the old segment files: s keeps answering */
    ck_assert_int_eq(morgue_writer_compact(w), MORGUE_OK);
    morgue_writer_close(w);
    ck_assert_uint_eq(total(s, "delta", NULL, MORGUE_OK), 2);
    ck_assert_int_eq(morgue_searcher_reopen(n, &again), MORGUE_OK);
    ck_assert_ptr_nonnull(again);
    morgue_stats st = MORGUE_STATS_INIT;
    ck_assert_int_eq(morgue_searcher_stats(again, &st), MORGUE_OK);
    ck_assert_uint_eq(st.segments, 1);
    ck_assert_uint_eq(st.documents, 3);
    morgue_searcher_close(again);
    morgue_searcher_close(n);
    morgue_searcher_close(s);
    ck_assert_int_eq(morgue_searcher_reopen(NULL, &n), MORGUE_EINVAL);
}
END_TEST

/* How many times this process maps files of the index, read from
 * /proc/self/maps: each mmap of a whole file is the one region starting
 * at file offset 0. The number of distinct files into *n_files; the
 * largest count of mappings of one file is returned. */
static int index_maps(int *n_files)
{
    char real[4096], line[8192], seen[32][512];
    int count[32] = { 0 }, n = 0, most = 0;
    ck_assert_ptr_nonnull(realpath(dir, real));
    FILE *f = fopen("/proc/self/maps", "r");
    ck_assert_ptr_nonnull(f);
    while (fgets(line, sizeof line, f)) {
        char off[32], *path = strchr(line, '/');
        if (!path || !strstr(path, real) ||
            sscanf(line, "%*s %*s %31s", off) != 1 || strtoull(off, NULL, 16))
            continue;
        path[strcspn(path, " \n")] = '\0'; /* " (deleted)" once unlinked */
        int k = 0;
        while (k < n && strcmp(seen[k], path))
            k++;
        if (k == n) {
            ck_assert_int_lt(n, 32);
            snprintf(seen[n++], sizeof seen[0], "%s", path);
        }
        if (++count[k] > most)
            most = count[k];
    }
    fclose(f);
    *n_files = n;
    return most;
}

/* A reopen maps only the segments the new commit added and shares the
 * rest with the old snapshot; both stay valid whichever closes first. */
START_TEST(reopen_shares_segments)
{
    int files_mapped;
    morgue_searcher *s = searcher(), *n = NULL;
    ck_assert_int_eq(index_maps(&files_mapped), 1);
    ck_assert_int_eq(files_mapped, 1);
    morgue_writer *w = writer();
    add_one(w, "m7", "golf hotel");
    ck_assert_int_eq(morgue_writer_commit(w), MORGUE_OK);
    morgue_writer_close(w); /* the writer maps segments too */
    ck_assert_int_eq(morgue_searcher_reopen(s, &n), MORGUE_OK);
    ck_assert_ptr_nonnull(n);
    morgue_stats st = MORGUE_STATS_INIT;
    ck_assert_int_eq(morgue_searcher_stats(n, &st), MORGUE_OK);
    ck_assert_uint_eq(st.segments, 2);
    /* two segment files, each mapped once: the old one was not mapped
     * again for n */
    ck_assert_int_eq(index_maps(&files_mapped), 1);
    ck_assert_int_eq(files_mapped, 2);
    /* the old snapshot goes first: n keeps the shared segment */
    morgue_searcher_close(s);
    ck_assert_uint_eq(total(n, "delta", NULL, MORGUE_OK), 2);
    ck_assert_uint_eq(total(n, "golf", NULL, MORGUE_OK), 1);
    ck_assert_int_eq(index_maps(&files_mapped), 1);
    ck_assert_int_eq(files_mapped, 2);
    /* a compaction replaces both: the next snapshot shares nothing, and
     * the new one goes first this time */
    w = writer();
    ck_assert_int_eq(morgue_writer_compact(w), MORGUE_OK);
    morgue_writer_close(w);
    morgue_searcher *c = NULL;
    ck_assert_int_eq(morgue_searcher_reopen(n, &c), MORGUE_OK);
    ck_assert_ptr_nonnull(c);
    ck_assert_int_eq(index_maps(&files_mapped), 1);
    ck_assert_int_eq(files_mapped, 3);
    morgue_searcher_close(c);
    ck_assert_uint_eq(total(n, "golf", NULL, MORGUE_OK), 1);
    morgue_searcher_close(n);
    ck_assert_int_eq(index_maps(&files_mapped), 0);
    ck_assert_int_eq(files_mapped, 0);
}
END_TEST

/* Stats are counted once per snapshot (serve asks on every page): a
 * snapshot keeps its answer after later commits, including a deletion of
 * its newest article in a segment the next snapshot shares, and the next
 * snapshot counts its own. */
START_TEST(stats_per_snapshot)
{
    const int64_t d1 = 1600000000, d2 = 1650000000, d3 = 1700000000;
    morgue_writer *w = writer();
    /* the fixture's articles are dated 0 (1970): gone, for clear bounds */
    ck_assert_int_eq(morgue_writer_delete(w, "m1"), MORGUE_OK);
    ck_assert_int_eq(morgue_writer_delete(w, "m2"), MORGUE_OK);
    tu_add(w, "t1", "t1", "india juliett", NULL, d1);
    tu_add(w, "t2", "t2", "kilo", NULL, d2);
    ck_assert_int_eq(morgue_writer_commit(w), MORGUE_OK);
    morgue_writer_close(w);
    morgue_searcher *s = searcher(), *n = NULL, *m = NULL;
    morgue_stats a = MORGUE_STATS_INIT, b = MORGUE_STATS_INIT;
    for (int twice = 0; twice < 2; twice++) {
        ck_assert_int_eq(morgue_searcher_stats(s, &a), MORGUE_OK);
        ck_assert_int_eq(a.first_date, d1);
        ck_assert_int_eq(a.last_date, d2);
        ck_assert_uint_eq(a.documents, 2);
    }
    uint64_t words = a.terms;
    w = writer();
    ck_assert_int_eq(morgue_writer_delete(w, "t2"), MORGUE_OK);
    ck_assert_int_eq(morgue_writer_commit(w), MORGUE_OK);
    morgue_writer_close(w);
    ck_assert_int_eq(morgue_searcher_stats(s, &b), MORGUE_OK);
    ck_assert_int_eq(b.last_date, d2); /* its own commit */
    ck_assert_int_eq(morgue_searcher_reopen(s, &n), MORGUE_OK);
    ck_assert_ptr_nonnull(n);
    ck_assert_int_eq(morgue_searcher_stats(n, &b), MORGUE_OK);
    ck_assert_int_eq(b.first_date, d1);
    ck_assert_int_eq(b.last_date, d1); /* t2 is deleted here */
    ck_assert_uint_eq(b.documents, 1);
    w = writer();
    tu_add(w, "t3", "t3", "lima", NULL, d3);
    ck_assert_int_eq(morgue_writer_commit(w), MORGUE_OK);
    morgue_writer_close(w);
    ck_assert_int_eq(morgue_searcher_reopen(n, &m), MORGUE_OK);
    ck_assert_ptr_nonnull(m);
    ck_assert_int_eq(morgue_searcher_stats(m, &b), MORGUE_OK);
    ck_assert_int_eq(b.last_date, d3);
    /* the same as a snapshot opened afresh on that commit */
    morgue_searcher *f = searcher();
    morgue_stats c = MORGUE_STATS_INIT;
    ck_assert_int_eq(morgue_searcher_stats(f, &c), MORGUE_OK);
    ck_assert_uint_eq(b.terms, c.terms);
    ck_assert_uint_eq(b.documents, c.documents);
    ck_assert_int_eq(b.first_date, c.first_date);
    ck_assert_int_eq(b.last_date, c.last_date);
    morgue_searcher_close(f);
    ck_assert_int_eq(morgue_searcher_stats(n, &b), MORGUE_OK);
    ck_assert_int_eq(b.last_date, d1);
    ck_assert_int_eq(morgue_searcher_stats(s, &b), MORGUE_OK);
    ck_assert_int_eq(b.last_date, d2);
    ck_assert_uint_eq(b.terms, words); /* all as it was counted */
    morgue_searcher_close(m);
    morgue_searcher_close(n);
    morgue_searcher_close(s);
}
END_TEST

/* A cancel flag already set stops the search before any work; a clear
 * one and a long timeout change nothing. */
START_TEST(search_cancel_flag)
{
    morgue_searcher *s = searcher();
    int cancel = 1;
    morgue_query_opts o = MORGUE_QUERY_OPTS_INIT;
    o.cancel = &cancel;
    morgue_hits *h = (morgue_hits *)1;
    ck_assert_int_eq(morgue_search(s, "delta", &o, &h), MORGUE_ECANCELED);
    ck_assert_ptr_null(h);
    ck_assert_ptr_nonnull(strstr(morgue_searcher_errmsg(s), "cancel"));
    __atomic_store_n(&cancel, 0, __ATOMIC_RELAXED);
    o.timeout_ms = 60000;
    ck_assert_uint_eq(total(s, "delta", &o, MORGUE_OK), 2);
    o.facet_date = MORGUE_FACET_YEAR; /* the exhaustive walk too */
    ck_assert_uint_eq(total(s, "delta", &o, MORGUE_OK), 2);
    /* version 2 has neither field: a set flag is not read */
    cancel = 1;
    o.version = 2;
    ck_assert_uint_eq(total(s, "delta", &o, MORGUE_OK), 2);
    morgue_searcher_close(s);
}
END_TEST

/* The stop conditions as the iterators meet them: a deadline passed or a
 * flag set ends the budget at the next look, and only then. */
START_TEST(budget_stops)
{
    int flag = 0;
    query_budget b = { 0, 1000000, &flag, 0, 0, 0 };
    for (int i = 0; i < 3 * BUDGET_POLL; i++)
        ck_assert_int_eq(budget_spend(&b, 1), 0);
    flag = 1;
    int steps = 0;
    while (!budget_spend(&b, 1))
        steps++;
    ck_assert_int_le(steps, BUDGET_POLL);
    ck_assert_int_eq(b.stopped, 1);
    query_budget d = { 0, 1000000, NULL, 1 /* long past */, 0, 0 };
    ck_assert_int_eq(budget_spend(&d, 1), 1);
    ck_assert_int_eq(d.stopped, 1);
    query_budget none = { 0, 1000000, NULL, 0, 0, 0 };
    ck_assert_int_eq(budget_spend(&none, 1), 0);
    ck_assert_uint_eq(none.poll_at, UINT64_MAX);
}
END_TEST

static Suite *api_suite(void)
{
    Suite *s = suite_create("api");
    TCase *tc = tcase_create("versions");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, article_version);
    tcase_add_test(tc, writer_opts_version);
    tcase_add_test(tc, add_opts_version);
    tcase_add_test(tc, add_result_version);
    tcase_add_test(tc, update_result_version);
    tcase_add_test(tc, check_result_version);
    tcase_add_test(tc, searcher_opts_version);
    tcase_add_test(tc, stats_version);
    tcase_add_test(tc, query_opts_version);
    tcase_add_test(tc, cluster_opts_version);
    tcase_add_test(tc, date_range_version);
    tcase_add_test(tc, parse_date_forms);
    suite_add_tcase(s, tc);
    tc = tcase_create("callbacks");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, file_callback_stops);
    tcase_add_test(tc, warning_callback_stops);
    suite_add_tcase(s, tc);
    tc = tcase_create("errors");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, searcher_errmsg_per_handle);
    tcase_add_test(tc, hits_errmsg);
    tcase_add_test(tc, strerror_codes);
    suite_add_tcase(s, tc);
    tc = tcase_create("snapshots");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, reopen_newest);
    tcase_add_test(tc, reopen_shares_segments);
    tcase_add_test(tc, stats_per_snapshot);
    tcase_add_test(tc, search_cancel_flag);
    tcase_add_test(tc, budget_stops);
    suite_add_tcase(s, tc);
    return s;
}

MORGUE_CHECK_MAIN(api_suite)
