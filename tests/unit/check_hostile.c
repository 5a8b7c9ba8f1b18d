/* check_hostile.c: what a hostile caller, query, archive or operator does
 * to the library, one test case per failure a hostile round found: limits
 * and offsets near SIZE_MAX, a second writer let in by a deleted LOCK,
 * HTML nested past libxml2's default depth, queries carrying NUL or
 * invalid UTF-8, a run killed inside a long file, a feed that grows. */
#include <fcntl.h>
#include <pthread.h>
#include <time.h>
#include <zlib.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "check_main.h"
#include "morgue.h"
#include "testutil.h"
#include "index/filetable.h"
#include "index/format.h"
#include "util/buf.h"

#define add(w, id, title, body) tu_add(w, id, title, body, NULL, 0)

/* An index of n articles about oil, id "aN"; the caller frees the dir. */
static char *small_index(const char *tag, int n)
{
    char *dir = tu_tempdir(tag);
    ck_assert_ptr_nonnull(dir);
    morgue_writer *w;
    ck_assert_int_eq(morgue_writer_open(&w, dir, NULL), MORGUE_OK);
    for (int i = 0; i < n; i++) {
        char id[32], body[128];
        snprintf(id, sizeof id, "a%d", i);
        snprintf(body, sizeof body, "oil prices %s the %d barrels",
                 i % 2 ? "rose" : "fell", i);
        add(w, id, "oil", body);
    }
    ck_assert_int_eq(morgue_writer_commit(w), MORGUE_OK);
    morgue_writer_close(w);
    return dir;
}

/* Hits of query with limit and offset; -1 when the search failed. */
static long count_hits(morgue_searcher *s, const char *query, size_t limit,
                       size_t offset)
{
    morgue_query_opts o = MORGUE_QUERY_OPTS_INIT;
    o.limit = limit;
    o.offset = offset;
    morgue_hits *h;
    if (morgue_search(s, query, &o, &h) != MORGUE_OK)
        return -1;
    long n = 0;
    while (morgue_hits_next(h) == MORGUE_OK)
        n++;
    morgue_hits_free(h);
    return n;
}

/* topk_init computed (offset + limit + 1) * entry size, which wraps. */
START_TEST(test_huge_limit_and_offset)
{
    char *dir = small_index("limits", 40);
    morgue_searcher *s;
    ck_assert_int_eq(morgue_searcher_open(&s, dir, NULL), MORGUE_OK);
    ck_assert_int_eq(count_hits(s, "oil", SIZE_MAX, 0), 40);
    ck_assert_int_eq(count_hits(s, "oil", (size_t)1 << 60, 0), 40);
    ck_assert_int_eq(count_hits(s, "oil", SIZE_MAX, 7), 33);
    ck_assert_int_eq(count_hits(s, "oil", 10, SIZE_MAX), 0);
    ck_assert_int_eq(count_hits(s, "oil", 10, SIZE_MAX - 9), 0);
    ck_assert_int_eq(count_hits(s, "oil", SIZE_MAX / 32, 35), 5);
    /* The exhaustive walk (a phrase) and the pruned path alike. */
    ck_assert_int_eq(count_hits(s, "\"oil prices\"", SIZE_MAX, 0), 40);
    ck_assert_int_eq(count_hits(s, "oil rose", SIZE_MAX - 1, 1), 19);
    morgue_searcher_close(s);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* Hits of query in the index at dir; -1 when it cannot be searched. */
static long hits_in(const char *dir, const char *query)
{
    morgue_searcher *s;
    if (morgue_searcher_open(&s, dir, NULL) != MORGUE_OK)
        return -1;
    long n = count_hits(s, query, SIZE_MAX, 0);
    morgue_searcher_close(s);
    return n;
}

static void unlink_lock(const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/LOCK", dir);
    ck_assert_int_eq(unlink(path), 0);
}

/* An operator deletes INDEX/LOCK while writer A runs; writer B then
 * locks a fresh LOCK. A must notice before it writes or commits anything
 * (its commit would drop B's and remove B's segments as orphans), and
 * B's work and A's earlier commit must survive intact. */
START_TEST(test_lock_deleted_under_writer)
{
    char *dir = tu_tempdir("lockgone");
    morgue_writer *a, *b;
    ck_assert_int_eq(morgue_writer_open(&a, dir, NULL), MORGUE_OK);
    add(a, "a1", "first", "alpha committed by the first writer");
    ck_assert_int_eq(morgue_writer_commit(a), MORGUE_OK);
    add(a, "a2", "second", "alpha pending in the first writer");
    unlink_lock(dir);
    ck_assert_int_eq(morgue_writer_open(&b, dir, NULL), MORGUE_OK);
    add(b, "b1", "third", "alpha from the second writer");
    ck_assert_int_eq(morgue_writer_commit(b), MORGUE_OK);
    ck_assert_int_eq(morgue_writer_commit(a), MORGUE_EBUSY);
    ck_assert_ptr_nonnull(strstr(morgue_writer_errmsg(a), "LOCK"));
    /* Once stopped it stays stopped. */
    add(b, "b2", "fourth", "alpha again from the second writer");
    morgue_article x = MORGUE_ARTICLE_INIT;
    x.id = "a3";
    x.body = "alpha";
    ck_assert_int_ne(morgue_writer_add(a, &x), MORGUE_OK);
    morgue_writer_close(a); /* must not remove b's files */
    ck_assert_int_eq(morgue_writer_commit(b), MORGUE_OK);
    morgue_writer_close(b);
    ck_assert_int_eq(morgue_index_check(dir, NULL), MORGUE_OK);
    ck_assert_int_eq(hits_in(dir, "alpha"), 3); /* a1 b1 b2 */
    ck_assert_int_eq(hits_in(dir, "pending"), 0);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* The same with A flushing segments (a tiny budget) and merging after
 * the lock went: it must not write a segment under a number B uses. */
START_TEST(test_lock_deleted_writer_flushing)
{
    char *dir = tu_tempdir("lockflush");
    morgue_writer_opts o = MORGUE_WRITER_OPTS_INIT;
    o.memory_budget = 1; /* a segment per article */
    morgue_writer *a, *b;
    ck_assert_int_eq(morgue_writer_open(&a, dir, &o), MORGUE_OK);
    add(a, "a1", "first", "beta one");
    add(a, "a2", "second", "beta two");
    unlink_lock(dir);
    ck_assert_int_eq(morgue_writer_open(&b, dir, &o), MORGUE_OK);
    add(b, "b1", "third", "beta three");
    add(b, "b2", "fourth", "beta four");
    morgue_article x = MORGUE_ARTICLE_INIT;
    x.id = "a3";
    x.body = "beta five";
    int rc = morgue_writer_add(a, &x);
    if (rc == MORGUE_OK)
        rc = morgue_writer_commit(a);
    ck_assert_int_eq(rc, MORGUE_EBUSY);
    ck_assert_int_eq(morgue_writer_commit(b), MORGUE_OK);
    morgue_writer_close(a);
    morgue_writer_close(b);
    ck_assert_int_eq(morgue_index_check(dir, NULL), MORGUE_OK);
    ck_assert_int_eq(hits_in(dir, "beta"), 2);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

typedef struct opener {
    const char *dir;
    int rc;
    morgue_writer *w;
} opener;

static void *open_waiting(void *arg)
{
    opener *op = arg;
    morgue_writer_opts o = MORGUE_WRITER_OPTS_INIT;
    o.wait_seconds = 20;
    op->rc = morgue_writer_open(&op->w, op->dir, &o);
    return NULL;
}

/* B waits on LOCK's file; the holder replaces LOCK with a new file and
 * leaves. B's flock then succeeds on a file no longer named LOCK: B must
 * lock the new one instead, or a third writer gets in beside it. */
START_TEST(test_lock_replaced_while_waiting)
{
    char *dir = tu_tempdir("lockswap");
    morgue_writer *a, *c;
    ck_assert_int_eq(morgue_writer_open(&a, dir, NULL), MORGUE_OK);
    opener op = { dir, 1, NULL };
    pthread_t th;
    ck_assert_int_eq(pthread_create(&th, NULL, open_waiting, &op), 0);
    struct timespec nap = { 0, 300 * 1000 * 1000 };
    nanosleep(&nap, NULL); /* B is waiting on the old file */
    char path[4096], tmp[4096];
    snprintf(path, sizeof path, "%s/LOCK", dir);
    snprintf(tmp, sizeof tmp, "%s/LOCK.new", dir);
    int fd = open(tmp, O_RDWR | O_CREAT, 0644);
    ck_assert_int_ge(fd, 0);
    close(fd);
    ck_assert_int_eq(rename(tmp, path), 0);
    morgue_writer_close(a);
    ck_assert_int_eq(pthread_join(th, NULL), 0);
    ck_assert_int_eq(op.rc, MORGUE_OK);
    ck_assert_int_eq(morgue_writer_open(&c, dir, NULL), MORGUE_EBUSY);
    ck_assert_ptr_null(c);
    morgue_writer_close(op.w);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* Writes n bytes of data to dir/name; the path in out. */
static void write_file(const char *dir, const char *name, const char *data,
                       size_t n, char *out, size_t cap)
{
    snprintf(out, cap, "%s/%s", dir, name);
    FILE *f = fopen(out, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, n, f), n);
    ck_assert_int_eq(fclose(f), 0);
}

typedef struct warnings {
    int n;
    uint64_t last_offset;
    char first[256];
} warnings;

static int on_warning(const morgue_warning *w, void *ud)
{
    warnings *ws = ud;
    if (ws->n++ == 0)
        snprintf(ws->first, sizeof ws->first, "%s", w->message);
    ws->last_offset = w->offset;
    return 0;
}

/* A page nested depth elements deep with words above, at and below the
 * bottom. */
static char *deep_page(int depth, size_t *len)
{
    size_t cap = (size_t)depth * 12 + 512;
    char *p = malloc(cap);
    ck_assert_ptr_nonnull(p);
    size_t n = (size_t)snprintf(p, cap, "<!doctype html><html><head>"
                                "<title>Deep</title></head><body>"
                                "<p>shallowword</p>");
    for (int i = 0; i < depth; i++)
        n += (size_t)snprintf(p + n, cap - n, "<div>");
    n += (size_t)snprintf(p + n, cap - n, "<p>deepword</p>");
    for (int i = 0; i < depth; i++)
        n += (size_t)snprintf(p + n, cap - n, "</div>");
    n += (size_t)snprintf(p + n, cap - n, "<p>afterword</p></body></html>");
    *len = n;
    return p;
}

/* libxml2 stops at 256 nested elements unless asked for more, and with
 * its errors muted the rest of the page was lost without a word. */
START_TEST(test_deep_html_keeps_text)
{
    char *dir = tu_tempdir("deephtml"), path[4096];
    size_t len;
    char *page = deep_page(5000, &len);
    write_file(dir, "deep.html", page, len, path, sizeof path);
    free(page);
    char idx[4096];
    snprintf(idx, sizeof idx, "%s/index", dir);
    morgue_writer *w;
    ck_assert_int_eq(morgue_writer_open(&w, idx, NULL), MORGUE_OK);
    morgue_add_opts ao = MORGUE_ADD_OPTS_INIT;
    warnings ws = { 0, 0, "" };
    ao.warning = on_warning;
    ao.userdata = &ws;
    morgue_add_result res = MORGUE_ADD_RESULT_INIT;
    ck_assert_int_eq(morgue_writer_add_file(w, path, &ao, &res), MORGUE_OK);
    ck_assert_int_eq(res.articles, 1);
    ck_assert_int_eq(morgue_writer_commit(w), MORGUE_OK);
    morgue_writer_close(w);
    ck_assert_int_eq(hits_in(idx, "shallowword"), 1);
    ck_assert_int_eq(hits_in(idx, "deepword"), 1);
    ck_assert_int_eq(hits_in(idx, "afterword"), 1);
    ck_assert_int_eq(ws.n, 0); /* well-formed, however deep */
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* What libxml2 complains about reaches the caller as a warning with the
 * byte offset, instead of being muted. */
START_TEST(test_html_errors_are_warnings)
{
    char *dir = tu_tempdir("badhtml"), path[4096];
    const char page[] = "<html><head><title>Broken</title></head><body>"
                        "<p>one &#xFFFFFFFF; two</p></b><p>three</p>"
                        "</body></html>";
    write_file(dir, "bad.html", page, sizeof page - 1, path, sizeof path);
    char idx[4096];
    snprintf(idx, sizeof idx, "%s/index", dir);
    morgue_writer *w;
    ck_assert_int_eq(morgue_writer_open(&w, idx, NULL), MORGUE_OK);
    morgue_add_opts ao = MORGUE_ADD_OPTS_INIT;
    warnings ws = { 0, 0, "" };
    ao.warning = on_warning;
    ao.userdata = &ws;
    morgue_add_result res = MORGUE_ADD_RESULT_INIT;
    ck_assert_int_eq(morgue_writer_add_file(w, path, &ao, &res), MORGUE_OK);
    ck_assert_int_eq(res.articles, 1);
    ck_assert_int_ge(ws.n, 2);
    ck_assert_uint_eq(res.warnings, (uint64_t)ws.n);
    ck_assert_msg(strstr(ws.first, "HTML") != NULL, "%s", ws.first);
    ck_assert_uint_gt(ws.last_offset, 40);
    ck_assert_uint_le(ws.last_offset, sizeof page);
    morgue_writer_close(w);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* An index whose articles are made of the same few common words, many
 * times over: what makes phrases and NEAR expensive. */
static char *wordy_index(void)
{
    char *dir = tu_tempdir("wordy");
    morgue_writer *w;
    ck_assert_int_eq(morgue_writer_open(&w, dir, NULL), MORGUE_OK);
    static const char *const words[] = { "the", "oil", "of", "price",
                                         "said", "a" };
    char *body = malloc(64000);
    ck_assert_ptr_nonnull(body);
    uint64_t seed = 10;
    for (int d = 0; d < 300; d++) {
        size_t n = 0;
        for (int i = 0; i < 8000; i++) {
            const char *x = words[tu_rand(&seed) % 6];
            n += (size_t)snprintf(body + n, 64000 - n, "%s ", x);
        }
        char id[16];
        snprintf(id, sizeof id, "w%d", d);
        add(w, id, "the oil price", body);
    }
    free(body);
    ck_assert_int_eq(morgue_writer_commit(w), MORGUE_OK);
    morgue_writer_close(w);
    return dir;
}

/* n copies of word joined by sep, in a malloc'ed string. */
static char *repeat(const char *word, size_t n, const char *sep)
{
    size_t wl = strlen(word), sl = strlen(sep);
    char *q = malloc(n * (wl + sl) + 3), *p = q;
    ck_assert_ptr_nonnull(q);
    for (size_t i = 0; i < n; i++) {
        if (i) {
            memcpy(p, sep, sl);
            p += sl;
        }
        memcpy(p, word, wl);
        p += wl;
    }
    *p = '\0';
    return q;
}

/* The query fails with MORGUE_EQUERY and a message holding what. */
static void refused(morgue_searcher *s, const char *query, unsigned flags,
                    const char *what)
{
    morgue_query_opts o = MORGUE_QUERY_OPTS_INIT;
    o.flags = flags;
    morgue_hits *h = NULL;
    int rc = morgue_search(s, query, &o, &h);
    ck_assert_msg(rc == MORGUE_EQUERY, "%.60s...: %d %s", query, rc,
                  rc ? morgue_searcher_errmsg(s) : "answered");
    ck_assert_ptr_null(h);
    ck_assert_msg(strstr(morgue_searcher_errmsg(s), what) != NULL,
                  "%.60s...: '%s' lacks '%s'", query,
                  morgue_searcher_errmsg(s), what);
}

static char *quoted(char *q)
{
    size_t n = strlen(q);
    char *r = malloc(n + 3);
    ck_assert_ptr_nonnull(r);
    r[0] = '"';
    memcpy(r + 1, q, n);
    memcpy(r + 1 + n, "\"", 2);
    free(q);
    return r;
}

/* The abusive queries of the hostile round, on a small index: each is
 * refused with a message naming the limit (or answers), and ordinary
 * queries still answer. Before the limits, the phrase of 5,000 words
 * took 45 s on Reuters, the NEAR chain below never finished, and 20 MB
 * of "oil oil ..." grew to 22 GB. */
START_TEST(test_query_limits)
{
    char *dir = wordy_index();
    morgue_searcher *s;
    ck_assert_int_eq(morgue_searcher_open(&s, dir, NULL), MORGUE_OK);
    ck_assert_int_eq(count_hits(s, "\"the oil price\"", 5, 0), 5);
    ck_assert_int_eq(count_hits(s, "oil NEAR/3 price", 5, 0), 5);
    ck_assert_int_eq(count_hits(s, "the oil OR said", 5, 0), 5);

    char *q = quoted(repeat("the", 5000, " "));
    refused(s, q, 0, "a phrase of 5000 words");
    free(q);
    q = repeat("oil", 10000, " OR ");
    refused(s, q, 0, "longer than 65536 bytes");
    free(q);
    q = repeat("oil", 5 * 1000 * 1000, " "); /* 20 MB */
    refused(s, q, MORGUE_QUERY_ANY, "column 65537");
    free(q);
    /* 1,025 distinct words: under the byte limit, over the term limit. */
    char *many = malloc(1025 * 8 + 1), *p = many;
    ck_assert_ptr_nonnull(many);
    for (int i = 0; i < 1025; i++)
        p += sprintf(p, "%sw%04d", i ? " " : "", i);
    refused(s, many, MORGUE_QUERY_ANY, "more than 1024 terms");
    free(many);
    /* Within the word limits, over the work budget. */
    q = quoted(repeat("the", 64, " "));
    refused(s, q, 0, "too costly");
    free(q);
    q = repeat("the", 64, " NEAR/1000 ");
    refused(s, q, 0, "too costly");
    free(q);
    /* The searcher is fine afterwards. */
    ck_assert_int_eq(count_hits(s, "oil", 3, 0), 3);
    morgue_searcher_close(s);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* A JSON Lines feed of n records, ~300 bytes each, over the size that
 * is streamed; record bad_at (1-based line) is broken JSON. Returns the
 * byte offset of that line. */
static uint64_t write_feed(const char *path, int n, int bad_at, int gz)
{
    gzFile g = gz ? gzopen(path, "wb1") : NULL;
    FILE *f = gz ? NULL : fopen(path, "wb");
    ck_assert(g || f);
    uint64_t off = 0, bad_off = 0;
    char line[512];
    for (int i = 1; i <= n; i++) {
        int len;
        if (i == bad_at)
            len = snprintf(line, sizeof line, "{\"id\": broken\n");
        else
            len = snprintf(line, sizeof line,
                           "{\"id\":\"r%d\",\"title\":\"record %d\","
                           "\"body\":\"tanker%d freight rates rose as "
                           "crude stocks fell, traders said, and the "
                           "spread between grades widened again in "
                           "heavy trading on the exchange today; more "
                           "words to make the line long enough to cross "
                           "windows of four megabytes in a few "
                           "thousand lines\"}\n", i, i, i % 7);
        if (i == bad_at)
            bad_off = off;
        off += (uint64_t)len;
        if (gz)
            ck_assert_int_eq(gzwrite(g, line, (unsigned)len), len);
        else
            ck_assert_uint_eq(fwrite(line, 1, (size_t)len, f), (size_t)len);
    }
    if (gz)
        ck_assert_int_eq(gzclose(g), Z_OK);
    else
        ck_assert_int_eq(fclose(f), 0);
    return bad_off;
}

typedef struct where {
    int n;
    uint64_t line, offset;
} where;

static int on_where(const morgue_warning *w, void *ud)
{
    where *x = ud;
    x->n++;
    x->line = w->line;
    x->offset = w->offset;
    return 0;
}

/* What the feed tests share: a temporary dir holding feed.jsonl (.gz
 * when gz) and the index, or with arch set a folder arch/ holding the
 * feed (for add_path runs over a folder of several files). */
typedef struct feed_fx {
    char *dir;
    char arch[2048], path[4096], idx[4096];
} feed_fx;

static void feed_setup(feed_fx *fx, const char *tag, int gz, int arch)
{
    fx->dir = tu_tempdir(tag);
    ck_assert_ptr_nonnull(fx->dir);
    snprintf(fx->arch, sizeof fx->arch, "%s%s", fx->dir, arch ? "/arch" : "");
    if (arch)
        ck_assert_int_eq(mkdir(fx->arch, 0755), 0);
    snprintf(fx->path, sizeof fx->path, "%s/feed.jsonl%s", fx->arch,
             gz ? ".gz" : "");
    snprintf(fx->idx, sizeof fx->idx, "%s/index", fx->dir);
}

static void feed_teardown(feed_fx *fx)
{
    tu_rmrf(fx->dir);
    free(fx->dir);
}

/* A feed over the streaming threshold (plain and gzip) is read window by
 * window: every record arrives once, whatever window boundary it
 * straddles, and a warning still names the right line and byte. */
static void check_feed(int gz)
{
    feed_fx fx;
    feed_setup(&fx, "feed", gz, 0);
    const char *path = fx.path, *idx = fx.idx;
    const int n = 40000, bad = 31234;
    uint64_t bad_off = write_feed(path, n, bad, gz);
    morgue_writer *w;
    ck_assert_int_eq(morgue_writer_open(&w, idx, NULL), MORGUE_OK);
    morgue_add_opts ao = MORGUE_ADD_OPTS_INIT;
    where x = { 0, 0, 0 };
    ao.warning = on_where;
    ao.userdata = &x;
    morgue_add_result res = MORGUE_ADD_RESULT_INIT;
    ck_assert_int_eq(morgue_writer_add_file(w, path, &ao, &res), MORGUE_OK);
    ck_assert_uint_eq(res.articles, (uint64_t)n - 1);
    ck_assert_int_eq(x.n, 1);
    ck_assert_uint_eq(x.line, (uint64_t)bad);
    ck_assert_uint_eq(x.offset, bad_off);
    ck_assert_int_eq(morgue_writer_commit(w), MORGUE_OK);
    morgue_writer_close(w);
    ck_assert_int_eq(hits_in(idx, "tanker3"), n / 7);
    ck_assert_int_eq(hits_in(idx, "title:\"record 39999\""), 1);
    ck_assert_int_eq(hits_in(idx, "freight"), n - 1);
    feed_teardown(&fx);
}

START_TEST(test_long_feed_streamed) { check_feed(0); }
END_TEST

START_TEST(test_long_gzip_feed_streamed) { check_feed(1); }
END_TEST

static int is_gz(const char *path)
{
    size_t n = strlen(path);
    return n > 3 && strcmp(path + n - 3, ".gz") == 0;
}

/* Appends text to the feed at path: plain, or (".gz") as another gzip
 * member, whose content follows the others'. */
static void append_text(const char *path, const char *text)
{
    size_t n = strlen(text);
    if (is_gz(path)) {
        gzFile g = gzopen(path, "ab1");
        ck_assert_ptr_nonnull(g);
        ck_assert_int_eq(gzwrite(g, text, (unsigned)n), (int)n);
        ck_assert_int_eq(gzclose(g), Z_OK);
        return;
    }
    FILE *f = fopen(path, "ab");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(text, 1, n, f), n);
    ck_assert_int_eq(fclose(f), 0);
}

/* Appends records first..last (1-based, the lines write_feed makes) to
 * the feed at path (plain or gzip); record bad (0: none) broken. */
static void append_feed(const char *path, int first, int last, int bad)
{
    buf b = BUF_INIT;
    for (int i = first; i <= last; i++) {
        if (i == bad)
            buf_puts(&b, "{\"id\": broken\n");
        else
            buf_printf(&b, "{\"id\":\"r%d\",\"title\":\"record %d\","
                       "\"body\":\"tanker%d freight rates rose as crude "
                       "stocks fell, traders said\"}\n", i, i, i % 7);
    }
    ck_assert(!b.oom);
    buf_putc(&b, '\0');
    append_text(path, b.ptr);
    buf_free(&b);
}

/* Overwrites the first bytes of the feed's content with front (a gzip
 * feed is written again, as one member). */
static void rewrite_front(const char *path, const char *front)
{
    if (!is_gz(path)) {
        FILE *f = fopen(path, "r+b");
        ck_assert_ptr_nonnull(f);
        fputs(front, f);
        ck_assert_int_eq(fclose(f), 0);
        return;
    }
    gzFile g = gzopen(path, "rb");
    ck_assert_ptr_nonnull(g);
    buf b = BUF_INIT;
    char chunk[65536];
    int got;
    while ((got = gzread(g, chunk, sizeof chunk)) > 0)
        buf_append(&b, chunk, (size_t)got);
    gzclose(g);
    ck_assert(!b.oom && b.len > strlen(front));
    memcpy(b.ptr, front, strlen(front));
    buf_putc(&b, '\0');
    ck_assert_int_eq(unlink(path), 0);
    append_text(path, b.ptr);
    buf_free(&b);
}

/* One morgue_writer_add_path() of path with checkpoints, committed. */
static morgue_update_result update_once(const char *idx, const char *path,
                                        size_t budget, morgue_warning_fn wf)
{
    morgue_writer *w;
    morgue_writer_opts wo = MORGUE_WRITER_OPTS_INIT;
    wo.memory_budget = budget;
    wo.merge_factor = 1;
    ck_assert_int_eq(morgue_writer_open(&w, idx, &wo), MORGUE_OK);
    morgue_add_opts ao = MORGUE_ADD_OPTS_INIT;
    ao.checkpoint = 1;
    ao.warning = wf;
    morgue_update_result r = MORGUE_UPDATE_RESULT_INIT;
    ck_assert_int_eq(morgue_writer_add_path(w, path, &ao, &r), MORGUE_OK);
    ck_assert_int_eq(morgue_writer_commit(w), MORGUE_OK);
    morgue_writer_close(w);
    return r;
}

/* Every record first..last is in the index once (each 97th asked, and
 * the last), and no other. */
static void each_once(const char *idx, int first, int last, int bad)
{
    morgue_searcher *s;
    ck_assert_int_eq(morgue_searcher_open(&s, idx, NULL), MORGUE_OK);
    char q[64];
    for (int i = first; i <= last + 1; i += 97) {
        int k = i + 97 > last + 1 ? last : i; /* and the last, once */
        for (int j = k; j <= k + (k == last); j++) {
            snprintf(q, sizeof q, "title:\"record %d\"", j);
            ck_assert_int_eq(count_hits(s, q, 10, 0),
                             j == bad || j > last ? 0 : 1);
        }
    }
    ck_assert_int_eq(count_hits(s, "freight", SIZE_MAX, 0),
                     last - first + 1 - (bad >= first && bad <= last));
    morgue_searcher_close(s);
}

/* A JSON Lines feed that grows is read on from where the last run
 * stopped (its last article, read again in case it was cut), not from
 * the start; one rewritten in front is read whole again. */
static void growing_feed(int gz)
{
    feed_fx fx;
    feed_setup(&fx, "grow", gz, 0);
    const char *path = fx.path, *idx = fx.idx;
    append_feed(path, 1, 3000, 0);
    morgue_update_result r = update_once(idx, path, 0, NULL);
    ck_assert_uint_eq(r.articles_added, 3000);
    append_feed(path, 3001, 3500, 0);
    r = update_once(idx, path, 0, NULL);
    ck_assert_uint_eq(r.files_changed, 1);
    ck_assert_uint_eq(r.articles_added, 501); /* 500 new, the last again */
    each_once(idx, 1, 3500, 0);
    /* a last line half written when read: read again once complete */
    append_text(path, "{\"id\":\"r3501\",\"title\":\"record 3501\",\"bo");
    r = update_once(idx, path, 0, NULL);
    ck_assert_uint_eq(r.articles_added, 1);
    ck_assert_uint_eq(r.skipped, 1);
    append_text(path, "dy\":\"freight\"}\n");
    append_feed(path, 3502, 3502, 0);
    r = update_once(idx, path, 0, NULL);
    ck_assert_uint_eq(r.articles_added, 3);
    each_once(idx, 1, 3502, 0);
    /* the front rewritten: the bytes before the resume point differ */
    rewrite_front(path, "{\"id\":\"X1\"");
    r = update_once(idx, path, 0, NULL);
    ck_assert_uint_eq(r.articles_added, 3502);
    ck_assert_int_eq(hits_in(idx, "title:\"record 1\""), 1);
    ck_assert_int_eq(hits_in(idx, "freight"), 3502);
    feed_teardown(&fx);
}

START_TEST(test_growing_feed_read_from_its_end) { growing_feed(0); }
END_TEST

/* The same for a .gz feed that grows by gzip members: the place is in
 * the inflated content, which is inflated up to it again. */
START_TEST(test_growing_gzip_feed_read_from_its_end) { growing_feed(1); }
END_TEST

/* The warning callback of a run killed at its warning: the process ends
 * there, as under SIGKILL (no commit, no cleanup). */
static int die_at_warning(const morgue_warning *w, void *ud)
{
    (void)w;
    (void)ud;
    _exit(9);
}

/* A run with a 1 MiB budget (a checkpoint every few thousand records)
 * that is killed at the first warning, in a child process: it must die
 * there (a broken line the caller put in path). */
static void killed_run(const char *idx, const char *path)
{
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        morgue_writer *w;
        morgue_writer_opts wo = MORGUE_WRITER_OPTS_INIT;
        wo.memory_budget = 1u << 20;
        wo.merge_factor = 1;
        if (morgue_writer_open(&w, idx, &wo) != MORGUE_OK)
            _exit(2);
        morgue_add_opts ao = MORGUE_ADD_OPTS_INIT;
        ao.checkpoint = 1;
        ao.warning = die_at_warning;
        morgue_writer_add_path(w, path, &ao, NULL);
        _exit(3); /* the broken line never came */
    }
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 9);
}

/* A run killed inside one long file keeps what its checkpoints committed:
 * the next run reads the file on from the last checkpoint, and every
 * record is there once. */
static void killed_inside(int gz)
{
    feed_fx fx;
    feed_setup(&fx, "ckpt", gz, 0);
    const char *path = fx.path, *idx = fx.idx;
    const int n = 20000, bad = 15000;
    append_feed(path, 1, n, bad);
    killed_run(idx, path);
    /* what the checkpoints committed: a part of the file, nothing beyond
     * the broken line */
    long kept = hits_in(idx, "freight");
    ck_assert_int_gt(kept, 0);
    ck_assert_int_lt(kept, bad);
    each_once(idx, 1, (int)kept, 0);
    ck_assert_int_eq(morgue_index_check(idx, NULL), MORGUE_OK);
    morgue_update_result r = update_once(idx, path, 1u << 20, NULL);
    ck_assert_uint_eq(r.files_changed, 1);
    ck_assert_uint_le(r.articles_added, (uint64_t)(n - 1 - kept + 1));
    ck_assert_uint_ge(r.articles_added, (uint64_t)(n - 1 - kept));
    each_once(idx, 1, n, bad);
    ck_assert_int_eq(morgue_index_check(idx, NULL), MORGUE_OK);
    /* now read to its end: an unchanged file is skipped (its time set
     * back, so that it is not "racy": changed just before being read) */
    struct timespec old[2] = { { time(NULL) - 100, 0 },
                               { time(NULL) - 100, 0 } };
    ck_assert_int_eq(utimensat(AT_FDCWD, path, old, 0), 0);
    r = update_once(idx, path, 1u << 20, NULL);
    r = update_once(idx, path, 1u << 20, NULL);
    ck_assert_uint_eq(r.files_unchanged, 1);
    ck_assert_uint_eq(r.articles_added, 0);
    feed_teardown(&fx);
}

START_TEST(test_killed_inside_a_file_resumes) { killed_inside(0); }
END_TEST

/* The same inside a .gz: checkpoints there too, the place in its
 * inflated content. */
START_TEST(test_killed_inside_a_gzip_file_resumes) { killed_inside(1); }
END_TEST

/* A feed touched without a change (its time set back) is skipped, and
 * keeps its resume point: when it grows it is read on from there, not
 * from its start as a changed file (the soak lost committed feed
 * articles that way: the stamp of an unchanged file cleared the resume
 * point, the next run read the grown feed from its start and its first
 * checkpoint committed the old articles' deletion). Touched again after
 * being read on (the content hash of the whole file then not known), it
 * is read on again, from its last article. */
static void touched_feed(int gz)
{
    feed_fx fx;
    feed_setup(&fx, "touch", gz, 1);
    const char *arch = fx.arch, *path = fx.path, *idx = fx.idx;
    char other[4096];
    snprintf(other, sizeof other, "%s/other.jsonl", arch);
    struct timespec old[2] = { { time(NULL) - 100, 0 },
                               { time(NULL) - 100, 0 } };
    append_feed(path, 1, 3000, 0);
    morgue_update_result r = update_once(idx, arch, 0, NULL);
    ck_assert_uint_eq(r.articles_added, 3000);
    /* touched, and another file added: the run commits the table */
    ck_assert_int_eq(utimensat(AT_FDCWD, path, old, 0), 0);
    append_text(other, "{\"id\":\"o1\",\"title\":\"other\",\"body\":\"x\"}\n");
    r = update_once(idx, arch, 0, NULL);
    ck_assert_uint_eq(r.files_unchanged, 1);
    ck_assert_uint_eq(r.files_added, 1);
    append_feed(path, 3001, 3500, 0);
    r = update_once(idx, arch, 0, NULL);
    ck_assert_uint_eq(r.files_changed, 1);
    ck_assert_uint_eq(r.articles_added, 501); /* 500 new, the last again */
    ck_assert_uint_eq(r.articles_deleted, 1);
    /* read on: the hash of the whole content is not known; touched, it
     * is read on from its last article */
    ck_assert_int_eq(utimensat(AT_FDCWD, path, old, 0), 0);
    append_text(other, "{\"id\":\"o2\",\"title\":\"other\",\"body\":\"y\"}\n");
    ck_assert_int_eq(utimensat(AT_FDCWD, other, old, 0), 0);
    r = update_once(idx, arch, 0, NULL);
    ck_assert_uint_eq(r.files_changed, 2);
    ck_assert_uint_eq(r.articles_added, 3); /* the feed's last, other's 2 */
    r = update_once(idx, arch, 0, NULL); /* not racy now: skipped */
    ck_assert_uint_eq(r.files_unchanged, 2);
    append_feed(path, 3501, 3600, 0);
    r = update_once(idx, arch, 0, NULL);
    ck_assert_uint_eq(r.articles_added, 101);
    each_once(idx, 1, 3600, 0);
    feed_teardown(&fx);
}

START_TEST(test_touched_feed_read_on) { touched_feed(0); }
END_TEST

START_TEST(test_touched_gzip_feed_read_on) { touched_feed(1); }
END_TEST

/* A file that truly changed is read from its start, replacing its
 * articles: a run killed inside it (after the budget flushed several
 * segments) leaves its old version whole, not the new version's first
 * part without the rest of the old one. */
static void killed_inside_changed(int gz)
{
    feed_fx fx;
    feed_setup(&fx, "chg", gz, 0);
    const char *path = fx.path, *idx = fx.idx;
    const int n = 20000, bad = 15000;
    append_feed(path, 1, n, 0);
    update_once(idx, path, 1u << 20, NULL);
    ck_assert_int_eq(hits_in(idx, "freight"), n);
    /* the new version: another first record, then the same ones with a
     * broken line to die at */
    ck_assert_int_eq(unlink(path), 0);
    append_text(path, "{\"id\":\"new0\",\"title\":\"record 0\","
                      "\"body\":\"newversion\"}\n");
    append_feed(path, 1, n, bad);
    killed_run(idx, path);
    ck_assert_int_eq(morgue_index_check(idx, NULL), MORGUE_OK);
    ck_assert_int_eq(hits_in(idx, "newversion"), 0);
    each_once(idx, 1, n, 0); /* the old version, all of it */
    morgue_update_result r = update_once(idx, path, 1u << 20, NULL);
    ck_assert_uint_eq(r.files_changed, 1);
    ck_assert_uint_eq(r.articles_added, (uint64_t)n);
    ck_assert_int_eq(hits_in(idx, "newversion"), 1);
    each_once(idx, 1, n, bad);
    feed_teardown(&fx);
}

START_TEST(test_killed_inside_a_changed_file) { killed_inside_changed(0); }
END_TEST

START_TEST(test_killed_inside_a_changed_gzip_file)
{
    killed_inside_changed(1);
}
END_TEST

/* A version-4 file table (resume points without their tail) is still
 * read: a complete read's point, which cannot show that its last record
 * is still there, is dropped (the file is read whole when it changes);
 * a checkpoint's point holds, its tail empty. Written back, the table is
 * version 5 and keeps its points' tails. */
static void put_entry(buf *b, const char *path, uint8_t flags)
{
    buf_put_varint(b, strlen(path));
    buf_puts(b, path);
    buf_put_varint(b, 0);        /* root */
    buf_put_u64le(b, 100);       /* size */
    buf_put_u64le(b, 5);         /* mtime */
    buf_put_u64le(b, 0);         /* hash: read on */
    buf_putc(b, (char)flags);
    buf_put_varint(b, 40);       /* resume point */
    buf_put_varint(b, 1);
    buf_put_varint(b, 1);
    buf_put_u64le(b, 77);
    buf_put_varint(b, 1);        /* one article */
    buf_put_u64le(b, 0x1234 + flags);
}

START_TEST(test_version_4_table_read)
{
    buf b = BUF_INIT;
    buf_append(&b, FILETABLE_MAGIC, 8);
    buf_put_u32le(&b, FILETABLE_VERSION_RESUME);
    buf_put_u32le(&b, 0);
    buf_put_u32le(&b, 0);
    buf_put_u32le(&b, 2);
    put_entry(&b, "/a/complete.jsonl", FT_RESUME);
    put_entry(&b, "/a/partial.jsonl", FT_RESUME | FT_PARTIAL);
    buf_put_u32le(&b, (uint32_t)crc32(0L, (const Bytef *)b.ptr,
                                      (uInt)b.len));
    ck_assert(!b.oom);
    filetable ft;
    filetable_init(&ft);
    errmsg e;
    ck_assert_int_eq(filetable_parse(&ft, (const uint8_t *)b.ptr, b.len,
                                     "v4", &e), MORGUE_OK);
    ck_assert_int_eq(ft.n_files, 2);
    ck_assert_uint_eq(ft.files[0].flags & (FT_RESUME | FT_PARTIAL), 0);
    ck_assert_uint_eq(ft.files[0].n_ids, 1);
    ck_assert_uint_eq(ft.files[1].flags & (FT_RESUME | FT_PARTIAL),
                      FT_RESUME | FT_PARTIAL);
    ck_assert_uint_eq(ft.files[1].resume_off, 40);
    ck_assert_uint_eq(ft.files[1].resume_fp, 77);
    ck_assert_uint_eq(ft.files[1].resume_tail_len, 0);
    /* written back: version 5, tails kept */
    ft.files[1].flags = FT_RESUME;
    ft.files[1].resume_tail_len = 9;
    ft.files[1].resume_tail = 0xabc;
    char *dir = tu_tempdir("ftv4");
    ck_assert_int_eq(filetable_write(&ft, dir, 1, &e), MORGUE_OK);
    filetable back;
    filetable_init(&back);
    ck_assert_int_eq(filetable_read(&back, dir, 1, &e), MORGUE_OK);
    ck_assert_uint_eq(back.files[1].flags, FT_RESUME);
    ck_assert_uint_eq(back.files[1].resume_tail_len, 9);
    ck_assert_uint_eq(back.files[1].resume_tail, 0xabc);
    char path[4096];
    filetable_path(path, sizeof path, dir, 1);
    FILE *f = fopen(path, "rb");
    unsigned char head[12];
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fread(head, 1, 12, f), 12);
    fclose(f);
    ck_assert_uint_eq(head[8], FILETABLE_VERSION);
    filetable_free(&back);
    filetable_free(&ft);
    buf_free(&b);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

static Suite *hostile_suite(void)
{
    Suite *su = suite_create("hostile");
    TCase *tc = tcase_create("limits");
    tcase_add_test(tc, test_huge_limit_and_offset);
    suite_add_tcase(su, tc);
    tc = tcase_create("lock");
    tcase_add_test(tc, test_lock_deleted_under_writer);
    tcase_add_test(tc, test_lock_deleted_writer_flushing);
    tcase_add_test(tc, test_lock_replaced_while_waiting);
    suite_add_tcase(su, tc);
    tc = tcase_create("query");
    tcase_add_test(tc, test_query_limits);
    suite_add_tcase(su, tc);
    tc = tcase_create("stream");
    tcase_add_test(tc, test_long_feed_streamed);
    tcase_add_test(tc, test_long_gzip_feed_streamed);
    suite_add_tcase(su, tc);
    tc = tcase_create("resume");
    tcase_add_test(tc, test_growing_feed_read_from_its_end);
    tcase_add_test(tc, test_killed_inside_a_file_resumes);
    tcase_add_test(tc, test_growing_gzip_feed_read_from_its_end);
    tcase_add_test(tc, test_killed_inside_a_gzip_file_resumes);
    tcase_add_test(tc, test_touched_feed_read_on);
    tcase_add_test(tc, test_touched_gzip_feed_read_on);
    tcase_add_test(tc, test_killed_inside_a_changed_file);
    tcase_add_test(tc, test_killed_inside_a_changed_gzip_file);
    tcase_add_test(tc, test_version_4_table_read);
    suite_add_tcase(su, tc);
    tc = tcase_create("html");
    tcase_add_test(tc, test_deep_html_keeps_text);
    tcase_add_test(tc, test_html_errors_are_warnings);
    suite_add_tcase(su, tc);
    return su;
}

MORGUE_CHECK_MAIN(hostile_suite)
