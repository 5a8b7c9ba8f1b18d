/* check_stored.c: stored text (index/docstore.h). A huge article is
 * indexed whole but stored only up to DOCSTORE_BODY_MAX, so no stored
 * block exceeds what the reader accepts and the index stays checkable,
 * searchable and mergeable (issue 10, failure 1); a flipped bit anywhere
 * in the stored blocks or their index is an error when that article is
 * read, never a wrong id or title (issue 10, failure 7); heads are read
 * without bodies; many documents cross dictionary training and block
 * boundaries the same way after a merge. */
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <zlib.h>

#include "check_main.h"
#include "index/docstore.h"
#include "index/manifest.h"
#include "index/segment.h"
#include "morgue.h"
#include "testutil.h"

static morgue_writer *open_writer(const char *dir)
{
    morgue_writer_opts wo = MORGUE_WRITER_OPTS_INIT;
    wo.merge_factor = 1;
    morgue_writer *w;
    ck_assert_msg(morgue_writer_open(&w, dir, &wo) == MORGUE_OK, "%s",
                  morgue_last_errmsg());
    return w;
}

#define add(w, id, title, body) \
    tu_add(w, id, title, body, "Stored Wire", 0)

static void check_ok(const char *dir)
{
    ck_assert_msg(morgue_index_check(dir, NULL) == MORGUE_OK, "%s",
                  morgue_last_errmsg());
}

static uint64_t count(const char *dir, const char *q)
{
    morgue_searcher *s;
    ck_assert_int_eq(morgue_searcher_open(&s, dir, NULL), MORGUE_OK);
    morgue_query_opts o = MORGUE_QUERY_OPTS_INIT;
    o.flags = MORGUE_QUERY_COUNT;
    morgue_hits *h;
    ck_assert_int_eq(morgue_search(s, q, &o, &h), MORGUE_OK);
    uint64_t n = morgue_hits_total(h);
    morgue_hits_free(h);
    morgue_searcher_close(s);
    return n;
}

static uint64_t seg_id(const char *dir, size_t i)
{
    manifest m;
    errmsg e;
    ck_assert_int_eq(manifest_read(&m, dir, &e), MORGUE_OK);
    ck_assert_uint_gt(m.n_segs, i);
    uint64_t id = m.segs[i].id;
    manifest_free(&m);
    return id;
}

/* A body of n bytes of words, "zzfirst" first and "zzlast" last. */
static char *huge_body(size_t n)
{
    char *b = malloc(n + 1);
    ck_assert_ptr_nonnull(b);
    static const char *words[] = { "grain ", "ship ", "port ", "cargo " };
    size_t at = 0;
    memcpy(b, "zzfirst ", 8);
    at = 8;
    for (unsigned k = 0; at + 16 < n; k++) {
        const char *w = words[k % 4];
        memcpy(b + at, w, strlen(w));
        at += strlen(w);
    }
    memcpy(b + at, " zzlast", 7);
    at += 7;
    b[at] = '\0';
    return b;
}

/* docstore_find_block starts where doc's share of the documents puts it
 * and gallops: the same block as a binary search over every first
 * document, however even or uneven the blocks and whatever n_docs says
 * (damage may make it lie), on indexes of 1 to 300 blocks. */
START_TEST(test_stored_find_block_gallops)
{
    uint64_t seed = 7;
    for (uint32_t n = 1; n <= 300; n += 1 + n / 7) {
        uint8_t *idx = calloc(4 + (size_t)n * SIDX_ENTRY_SIZE, 1);
        uint32_t first = 0;
        for (uint32_t i = 0; i < n; i++) {
            uint8_t *x = idx + 4 + (size_t)i * SIDX_ENTRY_SIZE;
            x[0] = (uint8_t)first, x[1] = (uint8_t)(first >> 8);
            x[2] = (uint8_t)(first >> 16), x[3] = (uint8_t)(first >> 24);
            first += i % 11 == 5 ? 40 : 1 + (uint32_t)(tu_rand(&seed) % 9);
        }
        const uint32_t docs[] = { first, first / 2, first * 3, 0 };
        for (size_t k = 0; k < 4; k++)
            for (uint32_t doc = 0; doc < first + 3; doc++) {
                uint32_t lo = 0, hi = n; /* the reference */
                while (hi - lo > 1) {
                    uint32_t mid = lo + (hi - lo) / 2;
                    if (seg_u32le(docstore_idx_entry(idx, mid)) <= doc)
                        lo = mid;
                    else
                        hi = mid;
                }
                ck_assert_uint_eq(docstore_find_block(idx, n, doc, docs[k]),
                                  lo);
            }
        free(idx);
    }
}
END_TEST

START_TEST(test_stored_huge_article_capped)
{
    char *dir = tu_tempdir("stored");
    morgue_writer *w = open_writer(dir);
    size_t n = DOCSTORE_BODY_MAX + (1u << 20);
    char *body = huge_body(n);
    add(w, "small-1", "Small one", "grain prices rose");
    add(w, "huge", "The huge one", body);
    add(w, "small-2", "Small two", "ship arrived in port");
    ck_assert_int_eq(morgue_writer_commit(w), MORGUE_OK);
    add(w, "small-3", "Small three", "cargo lost at sea");
    ck_assert_int_eq(morgue_writer_commit(w), MORGUE_OK);
    check_ok(dir);
    /* all of it is indexed, also past the stored part */
    ck_assert_uint_eq(count(dir, "zzfirst"), 1);
    ck_assert_uint_eq(count(dir, "zzlast"), 1);
    ck_assert_uint_eq(count(dir, "grain"), 2);
    morgue_searcher *s;
    ck_assert_int_eq(morgue_searcher_open(&s, dir, NULL), MORGUE_OK);
    morgue_hits *h;
    ck_assert_int_eq(morgue_search(s, "zzlast", NULL, &h), MORGUE_OK);
    ck_assert_int_eq(morgue_hits_next(h), MORGUE_OK);
    const char *p;
    size_t len;
    ck_assert_int_eq(morgue_hits_field(h, MORGUE_FIELD_TITLE, &p, &len),
                     MORGUE_OK);
    ck_assert_uint_eq(len, strlen("The huge one"));
    ck_assert_int_eq(morgue_hits_field(h, MORGUE_FIELD_BODY, &p, &len),
                     MORGUE_OK);
    ck_assert_uint_le(len, DOCSTORE_BODY_MAX);
    ck_assert_uint_gt(len, DOCSTORE_BODY_MAX - 8);
    ck_assert_int_eq(memcmp(p, body, len), 0);
    const char *snip;
    ck_assert_int_eq(morgue_hits_snippet(h, &snip), MORGUE_OK);
    morgue_hits_free(h);
    morgue_searcher_close(s);
    /* merging keeps it capped and consistent */
    ck_assert_int_eq(morgue_writer_compact(w), MORGUE_OK);
    morgue_writer_close(w);
    check_ok(dir);
    ck_assert_uint_eq(count(dir, "zzlast"), 1);
    ck_assert_uint_eq(count(dir, "cargo"), 2);
    free(body);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* Many articles of varied text: dictionary training, block cuts. */
static char *many(int n_docs, int segments)
{
    char *dir = tu_tempdir("stored");
    morgue_writer *w = open_writer(dir);
    uint64_t seed = 7;
    static const char *vocab[] = { "oil", "wheat", "bank", "rate", "ship",
                                   "port", "grain", "price", "market",
                                   "trade", "export", "crude", "barrel" };
    for (int d = 0; d < n_docs; d++) {
        char body[2048], title[64], id[32];
        size_t at = 0;
        int words = 20 + (int)(tu_rand(&seed) % 200);
        for (int k = 0; k < words; k++)
            at += (size_t)snprintf(body + at, sizeof body - at, "%s%s",
                                   vocab[tu_rand(&seed) % 13],
                                   k % 9 == 8 ? ". " : " ");
        snprintf(title, sizeof title, "Story %d about %s", d,
                 vocab[d % 13]);
        snprintf(id, sizeof id, "s-%d", d);
        add(w, id, title, body);
        if (segments > 1 && (d + 1) % (n_docs / segments) == 0)
            ck_assert_int_eq(morgue_writer_commit(w), MORGUE_OK);
    }
    ck_assert_int_eq(morgue_writer_commit(w), MORGUE_OK);
    morgue_writer_close(w);
    return dir;
}

typedef struct rec {
    char id[32], title[64];
    size_t body_len;
} rec;

static void read_all(const segment *s, rec *r)
{
    docstore_cache c;
    memset(&c, 0, sizeof c);
    errmsg e;
    for (uint32_t d = 0; d < s->n_docs; d++) {
        span f[STORED_FIELDS];
        ck_assert_msg(docstore_get(s, d, &c, f, &e) == MORGUE_OK, "%s",
                      e.text);
        snprintf(r[d].id, sizeof r[d].id, "%.*s", (int)f[0].len, f[0].ptr);
        snprintf(r[d].title, sizeof r[d].title, "%.*s", (int)f[2].len,
                 f[2].ptr);
        r[d].body_len = f[5].len;
        span g[STORED_FIELDS];
        ck_assert_int_eq(docstore_get_head(s, d, &c, g, &e), MORGUE_OK);
        ck_assert_uint_eq(g[5].len, 0); /* heads only: no body */
        ck_assert_uint_eq(g[2].len, f[2].len);
    }
    docstore_cache_free(&c);
}

static void flip(const char *path, size_t at, int bit)
{
    int fd = open(path, O_RDWR);
    ck_assert_int_ge(fd, 0);
    uint8_t b;
    ck_assert_int_eq(pread(fd, &b, 1, (off_t)at), 1);
    b ^= (uint8_t)(1u << bit);
    ck_assert_int_eq(pwrite(fd, &b, 1, (off_t)at), 1);
    close(fd);
}

START_TEST(test_stored_bit_flips_are_errors)
{
    char *dir = many(1500, 1);
    char path[4200];
    segment_path(path, sizeof path, dir, seg_id(dir, 0));
    segment s;
    errmsg e;
    ck_assert_int_eq(segment_open(&s, path, 0, &e), MORGUE_OK);
    uint32_t n = s.n_docs;
    ck_assert(s.head.n_blocks > 4 && s.body.n_blocks > 4);
    ck_assert_ptr_nonnull(s.head.dict); /* enough text to train on */
    ck_assert_ptr_null(*segment_ddict_slot(&s, 0)); /* built on first use */
    rec *want = calloc(n, sizeof *want), *got = calloc(n, sizeof *got);
    read_all(&s, want);
    ck_assert_ptr_nonnull(*segment_ddict_slot(&s, 0));
    static const uint32_t tags[] = { SEC_HSTO, SEC_HIDX, SEC_BSTO,
                                     SEC_BIDX };
    size_t offs[4], lens[4];
    for (int t = 0; t < 4; t++) {
        const uint8_t *p;
        ck_assert_int_eq(segment_section(&s, tags[t], &p, &lens[t]), 0);
        offs[t] = (size_t)(p - s.map);
    }
    segment_close(&s);
    uint64_t seed = 99;
    int errors = 0;
    for (int round = 0; round < 40; round++) {
        int t = round % 4;
        size_t at = offs[t] + (t % 2 ? 4 : 0) +
                    tu_rand(&seed) % (lens[t] - (t % 2 ? 4 : 0));
        int bit = (int)(tu_rand(&seed) % 8);
        flip(path, at, bit);
        ck_assert_int_eq(segment_open(&s, path, 0, &e), MORGUE_OK);
        docstore_cache c;
        memset(&c, 0, sizeof c);
        int failed = 0;
        for (uint32_t d = 0; d < n; d++) {
            span f[STORED_FIELDS];
            int rc = docstore_get(&s, d, &c, f, &e);
            if (rc) {
                ck_assert_int_eq(rc, MORGUE_ECORRUPT);
                failed++;
                continue;
            }
            /* whatever decodes is what was stored */
            ck_assert_uint_eq(f[0].len, strlen(want[d].id));
            ck_assert_int_eq(memcmp(f[0].ptr, want[d].id, f[0].len), 0);
            ck_assert_uint_eq(f[2].len, strlen(want[d].title));
            ck_assert_int_eq(memcmp(f[2].ptr, want[d].title, f[2].len), 0);
            ck_assert_uint_eq(f[5].len, want[d].body_len);
        }
        docstore_cache_free(&c);
        segment_close(&s);
        ck_assert_msg(failed > 0, "flip at %zu bit %d went unnoticed", at,
                      bit);
        errors += failed;
        flip(path, at, bit); /* undo */
    }
    ck_assert_int_gt(errors, 0);
    /* The zstd dictionaries are verified when a block of their store is
     * first read, not at open: damaged, the segment opens and every read
     * of that store fails. */
    static const uint32_t dicts[] = { SEC_HDIC, SEC_BDIC };
    for (int k = 0; k < 2; k++) {
        ck_assert_int_eq(segment_open(&s, path, 0, &e), MORGUE_OK);
        const uint8_t *p;
        size_t dn;
        ck_assert_int_eq(segment_section(&s, dicts[k], &p, &dn), 0);
        size_t at = (size_t)(p - s.map) + dn / 2;
        segment_close(&s);
        flip(path, at, 5);
        ck_assert_int_eq(segment_open(&s, path, 0, &e), MORGUE_OK);
        docstore_cache c;
        memset(&c, 0, sizeof c);
        span f[STORED_FIELDS];
        int rc = k == 0 ? docstore_get_head(&s, 0, &c, f, &e)
                        : docstore_get(&s, 0, &c, f, &e);
        ck_assert_int_eq(rc, MORGUE_ECORRUPT);
        ck_assert_ptr_nonnull(strstr(e.text, k ? "BDIC" : "HDIC"));
        docstore_cache_free(&c);
        segment_close(&s);
        flip(path, at, 5);
    }
    check_ok(dir);
    /* and through the public API: a search reports the damage */
    flip(path, offs[0] + lens[0] / 2, 3);
    morgue_searcher *sr;
    ck_assert_int_eq(morgue_searcher_open(&sr, dir, NULL), MORGUE_OK);
    morgue_query_opts o = MORGUE_QUERY_OPTS_INIT;
    o.limit = 2000;
    morgue_hits *h;
    ck_assert_int_eq(morgue_search(sr, "story", &o, &h), MORGUE_OK);
    int bad = 0;
    while (morgue_hits_next(h) == MORGUE_OK) {
        const char *p;
        size_t len;
        int rc = morgue_hits_field(h, MORGUE_FIELD_TITLE, &p, &len);
        ck_assert(rc == MORGUE_OK || rc == MORGUE_ECORRUPT);
        bad += rc == MORGUE_ECORRUPT;
    }
    ck_assert_int_gt(bad, 0);
    morgue_hits_free(h);
    morgue_searcher_close(sr);
    ck_assert_int_eq(morgue_index_check(dir, NULL), MORGUE_ECORRUPT);
    free(want);
    free(got);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

START_TEST(test_stored_merge_same_records)
{
    char *one = many(3000, 1), *four = many(3000, 4);
    morgue_writer *w = open_writer(four);
    ck_assert_int_eq(morgue_writer_compact(w), MORGUE_OK);
    morgue_writer_close(w);
    check_ok(four);
    char pa[4200], pb[4200];
    segment_path(pa, sizeof pa, one, seg_id(one, 0));
    segment_path(pb, sizeof pb, four, seg_id(four, 0));
    segment a, b;
    errmsg e;
    ck_assert_int_eq(segment_open(&a, pa, 0, &e), MORGUE_OK);
    ck_assert_int_eq(segment_open(&b, pb, 0, &e), MORGUE_OK);
    ck_assert_uint_eq(a.n_docs, b.n_docs);
    rec *ra = calloc(a.n_docs, sizeof *ra), *rb = calloc(a.n_docs,
                                                        sizeof *rb);
    read_all(&a, ra);
    read_all(&b, rb);
    ck_assert_int_eq(memcmp(ra, rb, a.n_docs * sizeof *ra), 0);
    /* the same text, blocked and compressed the same way */
    ck_assert_uint_eq(a.head.n_blocks, b.head.n_blocks);
    ck_assert_uint_eq(a.body.data_len, b.body.data_len);
    segment_close(&a);
    segment_close(&b);
    free(ra);
    free(rb);
    tu_rmrf(one);
    tu_rmrf(four);
    free(one);
    free(four);
}
END_TEST

/* The i-th body of the threads tests: words of a small vocabulary, now
 * and then German or Russian ones (detected languages, Cyrillic names
 * folded) or a byte of broken UTF-8 (repaired). */
static void body_of(uint64_t *seed, char *body, size_t cap)
{
    static const char *vocab[] = { "oil", "wheat", "bank", "rate", "ship",
                                   "port", "grain", "price", "market",
                                   "trade", "export", "crude", "barrel" };
    static const char *german = "Die Regierung hat heute in Berlin die "
                                "neuen Zahlen zum Handel vorgelegt, und "
                                "der Preis für Weizen ist gestiegen. ";
    static const char *russian = "Правительство России сообщило, что "
                                 "Газпром и Павлодар подписали договор. ";
    size_t at = 0;
    uint64_t kind = tu_rand(seed) % 10;
    if (kind == 0)
        at += (size_t)snprintf(body, cap, "%s", german);
    else if (kind == 1)
        at += (size_t)snprintf(body, cap, "%s", russian);
    else if (kind == 2)
        at += (size_t)snprintf(body, cap, "bro\xC3ken \xFF utf8 ");
    int words = 20 + (int)(tu_rand(seed) % 400);
    for (int k = 0; k < words && at + 32 < cap; k++)
        at += (size_t)snprintf(body + at, cap - at, "%s%d ",
                               vocab[tu_rand(seed) % 13],
                               (int)(tu_rand(seed) % 50));
}

/* An index of n articles, flushed by a small memory budget, written with
 * that many threads; one body larger than the storing thread's queue;
 * articles deleted and replaced while others are still being prepared
 * on the prep threads, a commit mid-batch. */
static char *threaded(unsigned threads, int n)
{
    char *dir = tu_tempdir("threads");
    morgue_writer_opts wo = MORGUE_WRITER_OPTS_INIT;
    wo.merge_factor = 1;
    wo.memory_budget = 1u << 20;
    wo.threads = threads;
    morgue_writer *w;
    ck_assert_int_eq(morgue_writer_open(&w, dir, &wo), MORGUE_OK);
    uint64_t seed = 11;
    char *big = huge_body(DOCSTORE_QUEUE + (1u << 20));
    for (int d = 0; d < n; d++) {
        char body[4096], title[64], id[32];
        body_of(&seed, body, sizeof body);
        snprintf(title, sizeof title, "Story %d", d);
        snprintf(id, sizeof id, "t-%d", d % 7 == 6 ? d - 3 : d); /* replaces */
        add(w, id, title, d == n / 2 ? big : body);
        if (d == n / 3) /* a commit mid-batch: the threads are drained */
            ck_assert_int_eq(morgue_writer_commit(w), MORGUE_OK);
        if (d % 97 == 5) /* just added, maybe not yet inverted */
            ck_assert_int_eq(morgue_writer_delete(w, id), MORGUE_OK);
    }
    free(big);
    ck_assert_int_eq(morgue_writer_commit(w), MORGUE_OK);
    morgue_writer_close(w);
    return dir;
}

static void same_files(const char *a, const char *b)
{
    char cmd[9000];
    snprintf(cmd, sizeof cmd, "diff -r -x LOCK '%s' '%s' >/dev/null", a, b);
    ck_assert_msg(system(cmd) == 0, "%s and %s differ", a, b);
}

START_TEST(test_stored_threads_same_bytes)
{
    char *one = threaded(1, 4000), *two = threaded(2, 4000),
         *four = threaded(4, 4000);
    ck_assert_uint_gt(seg_id(one, 3), 0); /* several flushes */
    same_files(one, two);
    same_files(one, four);
    check_ok(four);
    ck_assert_uint_eq(count(four, "crude"), count(one, "crude"));
    ck_assert_uint_gt(count(one, "weizen"), 0);
    tu_rmrf(one);
    tu_rmrf(four);
    free(one);
    free(four);
    tu_rmrf(two);
    free(two);
}
END_TEST

/* A JSON Lines feed read by morgue_writer_add_path with checkpoints (the
 * writer commits inside the file whenever a segment was flushed, before
 * the article after it, however far the prep threads have read ahead),
 * then read again grown, with that many threads. */
/* Copies of the index taken in the middle of a run, each at a new
 * commit: what a kill would have left. */
typedef struct snaps {
    const char *dir;
    uint64_t gen;
    int n;
    char *copy[8];
    size_t most_segs; /* in a commit seen */
    int merged;       /* a commit seen had fewer: segments were merged */
} snaps;

/* The warning callback (a bad line every so often): the reader is
 * between records, so the index folder is as a kill would leave it. */
static int snap_on_warning(const morgue_warning *wn, void *ud)
{
    (void)wn;
    snaps *s = ud;
    manifest m;
    errmsg e;
    if (manifest_read(&m, s->dir, &e) != MORGUE_OK)
        return 0;
    uint64_t gen = m.generation;
    /* (only flushes: the segments of a commit inside the file never
     * fewer than an earlier one's) */
    s->merged |= m.n_segs < s->most_segs;
    s->most_segs = m.n_segs > s->most_segs ? m.n_segs : s->most_segs;
    manifest_free(&m);
    if (s->n == 3 || gen == s->gen)
        return 0;
    s->gen = gen;
    char *c = tu_tempdir("feedsnap"), cmd[9000];
    snprintf(cmd, sizeof cmd, "cp -r '%s'/. '%s'", s->dir, c);
    ck_assert_int_eq(system(cmd), 0);
    s->copy[s->n++] = c;
    return 0;
}

static void feed_index_snaps(const char *dir, const char *feed,
                             unsigned threads, int factor, snaps *sn)
{
    morgue_writer_opts wo = MORGUE_WRITER_OPTS_INIT;
    wo.merge_factor = factor;
    wo.memory_budget = 1u << 20;
    wo.threads = threads;
    morgue_writer *w;
    ck_assert_int_eq(morgue_writer_open(&w, dir, &wo), MORGUE_OK);
    morgue_add_opts ao = MORGUE_ADD_OPTS_INIT;
    ao.checkpoint = 1;
    if (sn) {
        sn->dir = dir;
        ao.warning = snap_on_warning;
        ao.userdata = sn;
    }
    morgue_update_result r = MORGUE_UPDATE_RESULT_INIT;
    ck_assert_msg(morgue_writer_add_path(w, feed, &ao, &r) == MORGUE_OK,
                  "%s", morgue_writer_errmsg(w));
    ck_assert_uint_gt(r.articles_added, 0);
    ck_assert_int_eq(morgue_writer_commit(w), MORGUE_OK);
    morgue_writer_close(w);
}

static void feed_index(const char *dir, const char *feed, unsigned threads,
                       int factor)
{
    feed_index_snaps(dir, feed, threads, factor, NULL);
}

/* The identity number of feed record d: every fifth replaces the one
 * two before it. */
static int feed_id(int d) { return d % 5 == 4 ? d - 2 : d; }

/* Feed records whose body has broken UTF-8 (body_of's "bro\xC3ken"):
 * invalid JSON, skipped by the reader. */
static unsigned char feed_bad[2000];

/* Records from..to-1 of the feed at path (written anew when from is 0):
 * plain, or (".gz") gzip, a member per call. */
static void write_feed(const char *path, int from, int to)
{
    size_t n = strlen(path);
    int gz = n > 3 && strcmp(path + n - 3, ".gz") == 0;
    FILE *f = gz ? NULL : fopen(path, from ? "a" : "w");
    gzFile g = gz ? gzopen(path, from ? "ab1" : "wb1") : NULL;
    ck_assert(f || g);
    uint64_t seed = 5 + (uint64_t)from;
    for (int d = from; d < to; d++) {
        char body[4096], line[4200];
        body_of(&seed, body, sizeof body);
        ck_assert_int_lt(d, 2000);
        feed_bad[d] = strstr(body, "bro\xC3ken") != NULL;
        for (char *p = body; *p; p++) /* no JSON escapes needed */
            if (*p == '"' || *p == '\\' || (unsigned char)*p < 0x20)
                *p = ' ';
        int len = snprintf(line, sizeof line, "{\"id\":\"f-%d\",\"title\":"
                           "\"Feed %d\",\"body\":\"%s\"}\n%s", feed_id(d), d,
                           body, d % 40 == 39 ? "{not json\n" : "");
        /* (the line not JSON: a warning, so snapshots) */
        if (g)
            ck_assert_int_eq(gzwrite(g, line, (unsigned)len), len);
        else
            ck_assert_uint_eq(fwrite(line, 1, (size_t)len, f), (size_t)len);
    }
    if (g)
        ck_assert_int_eq(gzclose(g), Z_OK);
    else
        ck_assert_int_eq(fclose(f), 0);
}

/* The index at dir holds exactly what reading the feed's first m records
 * gives, each once (a record replaced by a later one with its identity
 * gone, a bad one skipped): every identity looked up, and the live articles counted. m -1:
 * as many as the highest record present says (what a kill left).
 * Returns m. */
static int feed_model(const char *dir, int m)
{
    enum { MAX = 2000 };
    static int title_of[MAX]; /* by identity number: record, or -1 */
    morgue_searcher *s;
    ck_assert_int_eq(morgue_searcher_open(&s, dir, NULL), MORGUE_OK);
    int top = -1;
    for (int x = 0; x < MAX; x++) {
        title_of[x] = -1;
        if (feed_id(x) != x)
            continue;
        char key[32];
        snprintf(key, sizeof key, "f-%d", x);
        morgue_hits *h;
        int rc = morgue_searcher_get(s, key, &h);
        if (rc == MORGUE_ENOTFOUND)
            continue;
        ck_assert_int_eq(rc, MORGUE_OK);
        ck_assert_int_eq(morgue_hits_next(h), MORGUE_OK);
        const char *p;
        size_t pl;
        ck_assert_int_eq(morgue_hits_field(h, MORGUE_FIELD_TITLE, &p, &pl),
                         MORGUE_OK);
        char t[64];
        snprintf(t, sizeof t, "%.*s", (int)pl, p);
        ck_assert_int_eq(sscanf(t, "Feed %d", &title_of[x]), 1);
        top = title_of[x] > top ? title_of[x] : top;
        ck_assert_int_eq(morgue_hits_next(h), MORGUE_ITEROVER); /* once */
        morgue_hits_free(h);
    }
    morgue_stats st = MORGUE_STATS_INIT;
    ck_assert_int_eq(morgue_searcher_stats(s, &st), MORGUE_OK);
    morgue_searcher_close(s);
    if (m < 0)
        m = top + 1;
    uint64_t want = 0;
    for (int x = 0; x < MAX; x++) {
        if (feed_id(x) != x)
            continue;
        /* its last record among the first m: x + 2 or itself (the
         * reader skips a bad one) */
        int last = x % 5 == 2 && x + 2 < m && !feed_bad[x + 2] ? x + 2
                   : x < m && !feed_bad[x]                   ? x
                                                             : -1;
        ck_assert_msg(title_of[x] == last, "f-%d of the first %d records: "
                      "record %d, not %d", x, m, title_of[x], last);
        want += last >= 0;
    }
    ck_assert_uint_eq(st.documents, want); /* nothing else, nothing twice */
    return m;
}

/* The segments (every byte) and the articles of the two indexes are the
 * same; the file tables record times, so they are compared by search. */
static void same_segments(const char *a, const char *b)
{
    char cmd[9000];
    snprintf(cmd, sizeof cmd, "cd '%s' && ls seg_* > /dev/null && "
             "for f in seg_*; do cmp -s \"$f\" '%s'/\"$f\" || exit 1; done "
             "&& [ \"$(ls seg_*)\" = \"$(cd '%s' && ls seg_*)\" ]",
             a, b, b);
    ck_assert_msg(system(cmd) == 0, "segments of %s and %s differ", a, b);
    ck_assert_uint_eq(count(a, "crude"), count(b, "crude"));
}

/* factor: the merge factor (1: no merges; else the policy runs at the
 * checkpoints too, between the same two articles for any thread count). */
static void feed_same_bytes(int gz, int factor)
{
    char *src = tu_tempdir("feedsrc"), feed[4200];
    snprintf(feed, sizeof feed, "%s/feed.jsonl%s", src, gz ? ".gz" : "");
    write_feed(feed, 0, 1500);
    char *one = tu_tempdir("feed1"), *three = tu_tempdir("feed3");
    snaps sn = { 0 };
    feed_index(one, feed, 1, factor);
    feed_index_snaps(three, feed, 3, factor, &sn);
    if (factor < 2)
        ck_assert_uint_gt(seg_id(one, 2), 0); /* checkpoints in the file */
    /* merged inside the file (else a commit there has only flushed
     * segments, in order) */
    ck_assert_int_eq(sn.merged, factor >= 2);
    same_segments(one, three);
    ck_assert_int_eq(feed_model(one, 1500), 1500);
    /* killed after a checkpoint: what its commit holds is a run of the
     * first records, each once; read again, the same articles as a run
     * that was not killed (its resume point is the first article not
     * committed) */
    ck_assert_int_gt(sn.n, 1);
    int before = 0;
    for (int i = 0; i < sn.n; i++) {
        int m = feed_model(sn.copy[i], -1);
        ck_assert_int_gt(m, before);
        ck_assert_int_lt(m, 1500);
        before = m;
        feed_index(sn.copy[i], feed, 3, factor);
        feed_model(sn.copy[i], 1500);
        ck_assert_uint_eq(count(sn.copy[i], "crude"), count(one, "crude"));
        check_ok(sn.copy[i]);
        tu_rmrf(sn.copy[i]);
        free(sn.copy[i]);
    }
    write_feed(feed, 1500, 2000); /* grown: read on from its resume point */
    feed_index(one, feed, 1, factor);
    feed_index(three, feed, 3, factor);
    same_segments(one, three);
    feed_model(three, 2000);
    check_ok(three);
    tu_rmrf(one);
    tu_rmrf(three);
    free(one);
    free(three);
    tu_rmrf(src);
    free(src);
}

START_TEST(test_stored_threads_feed_same_bytes) { feed_same_bytes(0, 1); }
END_TEST

/* The same for a .gz feed: checkpoints inside it, its copies read on
 * from places in its inflated content, grown by another gzip member;
 * and segments merged at its checkpoints. */
START_TEST(test_stored_threads_gzip_feed_same_bytes)
{
    feed_same_bytes(1, 3);
}
END_TEST

static Suite *stored_suite(void)
{
    Suite *s = suite_create("stored");
    TCase *tc = tcase_create("stored_text");
    tcase_set_timeout(tc, 300); /* the feeds under ASan at load: 120 s was passed */
    tcase_add_test(tc, test_stored_find_block_gallops);
    tcase_add_test(tc, test_stored_huge_article_capped);
    tcase_add_test(tc, test_stored_bit_flips_are_errors);
    tcase_add_test(tc, test_stored_merge_same_records);
    tcase_add_test(tc, test_stored_threads_same_bytes);
    tcase_add_test(tc, test_stored_threads_feed_same_bytes);
    tcase_add_test(tc, test_stored_threads_gzip_feed_same_bytes);
    suite_add_tcase(s, tc);
    return s;
}

MORGUE_CHECK_MAIN(stored_suite)
