/* check_cluster.c: morgue over a Sphinx cluster against the same archive
 * indexed locally. Each case starts its own searchd processes (a head and
 * two shards, or a head and two mirrors of one shard) on free loopback
 * ports, with configurations from morgue_cluster_init() in a temporary
 * folder, and stops them by pid at the end.
 *
 * golden: exact queries (boolean, phrase, field, prefix, date; options
 *   date filters, date sort, facets) give the same totals and sets of
 *   articles; ranked queries overlap at 10 (printed, and held above a
 *   floor); add / change / delete of files keeps both in step.
 * faults: a shard killed with SIGKILL makes answers partial and says so,
 *   never a silent short count; restarted, answers are whole again; a
 *   shard killed during indexing fails the run, the rerun completes and
 *   no article is lost or doubled; a mirror takes over a dead one. */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check_main.h"
#include "cluster/conf.h"
#include "cluster/sql.h"
#include "cluster/translate.h"
#include "morgue.h"
#include "shapes.h"
#include "testutil.h"

#define REUTERS MORGUE_CORPORA "/reuters21578"
#define MAX_IDS 30000

/* ---- free ports, searchd processes ---- */

static int port_free(unsigned port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int ok = fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0;
    if (fd >= 0)
        close(fd);
    return ok;
}

/* A first port with n free ones from it, in 20000-31999: below the
 * ephemeral range (32768-60999), whose ports any client socket (a
 * parallel test's) may take between this check and searchd's bind; CI
 * once lost a shard that way. */
static unsigned free_ports(unsigned n)
{
    uint64_t seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 20);
    for (int tries = 0; tries < 200; tries++) {
        unsigned base = 20000 + (unsigned)(tu_rand(&seed) % (12000 - n));
        unsigned k = 0;
        while (k < n && port_free(base + k))
            k++;
        if (k == n)
            return base;
    }
    return 0;
}

static pid_t node_pid(const char *dir, const char *node)
{
    char path[4400];
    snprintf(path, sizeof path, "%s/%s/searchd.pid", dir, node);
    FILE *f = fopen(path, "r");
    long pid = 0;
    if (f) {
        if (fscanf(f, "%ld", &pid) != 1)
            pid = 0;
        fclose(f);
    }
    return (pid_t)pid;
}

/* SIGKILL, and wait until it is gone. */
static void kill_node(const char *dir, const char *node)
{
    pid_t pid = node_pid(dir, node);
    ck_assert_int_gt(pid, 0);
    ck_assert_int_eq(kill(pid, SIGKILL), 0);
    char path[64], st[256];
    snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
    for (int i = 0; i < 3000; i++) { /* gone, or a zombie nobody reaps */
        FILE *f = fopen(path, "r");
        const char *e = f && fgets(st, sizeof st, f) ? strrchr(st, ')') : NULL;
        if (f)
            fclose(f);
        if (!e || e[2] == 'Z' || e[2] == 'X')
            break;
        usleep(10000);
    }
}

static int have_searchd(void)
{
    const char *p = getenv("MORGUE_SEARCHD");
    return access(p && *p ? p : "/usr/bin/searchd", X_OK) == 0;
}

/* ---- the fixture: one archive, a local index and a cluster ---- */

static char *work;          /* temporary folder of everything */
static char archive[4200];  /* the articles (copied, so tests may edit) */
static char local[4200];    /* the local index */
static char cdir[4200];     /* the cluster's folder */
static char cfile[4300];    /* its cluster.conf */

static void copy_file(const char *from, const char *to)
{
    char cmd[9000];
    snprintf(cmd, sizeof cmd, "cp '%s' '%s'", from, to);
    ck_assert_int_eq(system(cmd), 0);
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

static int index_local(const char *path)
{
    morgue_writer *w;
    /* one English stemmer, as the cluster's searchd has: the local index
     * would otherwise stem each article in its detected language */
    morgue_writer_opts wo = MORGUE_WRITER_OPTS_INIT;
    wo.language = "english";
    ck_assert_int_eq(morgue_writer_open(&w, local, &wo), MORGUE_OK);
    int rc = morgue_writer_add_path(w, path, NULL, NULL);
    if (rc == MORGUE_OK)
        rc = morgue_writer_commit(w);
    morgue_writer_close(w);
    return rc;
}

typedef struct kill_plan {
    int after_files;        /* kill shard1 once this many files are done */
    int done;
} kill_plan;

static int on_file(const morgue_file_event *ev, void *ud)
{
    kill_plan *k = ud;
    (void)ev;
    if (++k->done == k->after_files)
        kill_node(cdir, "shard1");
    return 0;
}

/* Indexes path into the cluster; with kp, shard1 dies part way (the
 * memory budget is tiny then, so every file is sent and committed). */
static int index_cluster(const char *path, kill_plan *kp)
{
    morgue_writer_opts wo = MORGUE_WRITER_OPTS_INIT;
    if (kp)
        wo.memory_budget = 1;
    morgue_writer *w;
    int rc = morgue_writer_open_cluster(&w, cfile, &wo);
    ck_assert_msg(rc == MORGUE_OK, "%s", morgue_last_errmsg());
    morgue_add_opts ao = MORGUE_ADD_OPTS_INIT;
    ao.checkpoint = 1;
    ao.file_done = kp ? on_file : NULL;
    ao.userdata = kp;
    rc = morgue_writer_add_path(w, path, &ao, NULL);
    if (rc == MORGUE_OK)
        rc = morgue_writer_commit(w);
    if (rc && !kp)
        fprintf(stderr, "cluster index: %s\n", morgue_writer_errmsg(w));
    morgue_writer_close(w);
    return rc;
}

/* A new cluster in work/cluster, started: MORGUE_OK or the failing
 * call's code (the nodes it did start keep running: see setup_failed). */
static int make_cluster(unsigned shards, unsigned mirrors)
{
    snprintf(cdir, sizeof cdir, "%s/cluster", work);
    snprintf(cfile, sizeof cfile, "%s/cluster.conf", cdir);
    morgue_cluster_opts co = MORGUE_CLUSTER_OPTS_INIT;
    co.shards = shards;
    co.mirrors = mirrors;
    co.port = free_ports(1 + 2 * shards * mirrors);
    if (co.port == 0)
        return MORGUE_EIO;
    int rc = morgue_cluster_init(cdir, &co);
    return rc == MORGUE_OK ? morgue_cluster_start(cdir) : rc;
}

static void teardown(void)
{
    if (!work)
        return;
    morgue_cluster_stop(cdir);
    tu_rmrf(work);
    free(work);
    work = NULL;
}

/* An unchecked fixture that fails gets no teardown: stop the nodes it
 * started and remove its folder first, then fail. */
static void setup_failed(const char *step, int rc)
{
    char msg[700];
    snprintf(msg, sizeof msg, "cluster fixture: %s: rc %d: %s", step, rc,
             morgue_last_errmsg());
    teardown();
    ck_abort_msg("%s", msg);
}

/* The fixture of both cases: archive filled by fill (NULL: the demo
 * archive in place), indexed locally and into a new cluster. */
static void setup_cluster(const char *name, void (*fill)(void),
                          unsigned shards, unsigned mirrors)
{
    work = tu_tempdir(name);
    snprintf(local, sizeof local, "%s/local", work);
    if (fill)
        fill();
    else
        snprintf(archive, sizeof archive, "%s/examples/archive",
                 MORGUE_SOURCE_DIR);
    int rc = make_cluster(shards, mirrors);
    if (rc != MORGUE_OK)
        setup_failed("start", rc);
    if ((rc = index_local(archive)) != MORGUE_OK)
        setup_failed("local index", rc);
    if ((rc = index_cluster(archive, NULL)) != MORGUE_OK)
        setup_failed("cluster index", rc);
}

/* 2000 Reuters articles and the demo archive's formats, copied. */
static void fill_golden(void)
{
    snprintf(archive, sizeof archive, "%s/archive", work);
    mkdir(archive, 0755);
    copy_file(REUTERS "/reut2-000.sgm", archive);
    copy_file(REUTERS "/reut2-001.sgm", archive);
    char cmd[9000];
    snprintf(cmd, sizeof cmd, "cp -r '%s/examples/archive' '%s/demo'",
             MORGUE_SOURCE_DIR, archive);
    ck_assert_int_eq(system(cmd), 0);
    /* dates with UTC offsets (one article per format, tests/data) */
    snprintf(cmd, sizeof cmd, "cp -r '%s/tests/data/offsets' '%s/offsets'",
             MORGUE_SOURCE_DIR, archive);
    ck_assert_int_eq(system(cmd), 0);
}

static void setup_golden(void)
{
    if (have_searchd() && access(REUTERS, F_OK) == 0)
        setup_cluster("cluster", fill_golden, 2, 1);
}

#define NEED_CLUSTER()                                                       \
    do {                                                                     \
        if (!work) {                                                         \
            fprintf(stderr, "check_cluster: no searchd or no corpus: "      \
                            "skipped\n");                                    \
            return;                                                          \
        }                                                                    \
    } while (0)

/* ---- answers ---- */

typedef struct answer {
    uint64_t total;
    int partial;
    size_t n;
    char **ids;             /* in rank order */
    char facets[3][4096];   /* "value=count ..." per kind */
} answer;

static void answer_free(answer *a)
{
    for (size_t i = 0; i < a->n; i++)
        free(a->ids[i]);
    free(a->ids);
    memset(a, 0, sizeof *a);
}

static void ask(morgue_searcher *s, const char *q, morgue_query_opts *o,
                answer *a)
{
    memset(a, 0, sizeof *a);
    morgue_hits *h;
    int rc = morgue_search(s, q, o, &h);
    ck_assert_msg(rc == MORGUE_OK, "%s: %s", q, morgue_searcher_errmsg(s));
    a->total = morgue_hits_total(h);
    a->partial = morgue_hits_partial(h);
    size_t cap = 0;
    while (morgue_hits_next(h) == MORGUE_OK) {
        if (a->n == cap) {
            cap = cap ? 2 * cap : 16;
            a->ids = realloc(a->ids, cap * sizeof *a->ids);
            ck_assert_ptr_nonnull(a->ids);
        }
        const char *p;
        size_t n;
        morgue_hits_field(h, MORGUE_FIELD_ID, &p, &n);
        a->ids[a->n++] = strndup(p, n);
    }
    for (int k = 0; k < 3; k++) {
        const morgue_facet *f;
        size_t n, at = 0;
        morgue_hits_facets(h, (morgue_facet_kind)k, &f, &n);
        for (size_t i = 0; i < n && at < sizeof a->facets[k] - 100; i++)
            at += (size_t)snprintf(a->facets[k] + at,
                                   sizeof a->facets[k] - at, "%s=%llu ",
                                   f[i].value,
                                   (unsigned long long)f[i].count);
    }
    morgue_hits_free(h);
}

static int by_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Same total and the same set of articles (every match fetched). */
static void same_set(morgue_searcher *l, morgue_searcher *c, const char *q,
                     morgue_query_opts *o)
{
    answer x, y;
    ask(l, q, o, &x);
    ask(c, q, o, &y);
    ck_assert_msg(!y.partial, "%s: partial answer", q);
    ck_assert_msg(x.total == y.total, "%s: %llu locally, %llu in the cluster",
                  q, (unsigned long long)x.total,
                  (unsigned long long)y.total);
    ck_assert_msg(x.n == y.n, "%s: %zu hits locally, %zu", q, x.n, y.n);
    if (x.n) { /* ids is NULL for no hits */
        qsort(x.ids, x.n, sizeof *x.ids, by_str);
        qsort(y.ids, y.n, sizeof *y.ids, by_str);
    }
    for (size_t i = 0; i < x.n; i++)
        ck_assert_msg(!strcmp(x.ids[i], y.ids[i]), "%s: %s locally, %s", q,
                      x.ids[i], y.ids[i]);
    /* values are shown as written in some matching article, and which
     * one differs ("Brazil", "brazil"): the same up to case */
    for (int k = 0; k < 3; k++)
        ck_assert_msg(!strcasecmp(x.facets[k], y.facets[k]),
                      "%s: facet %d: local '%s', cluster '%s'", q, k,
                      x.facets[k], y.facets[k]);
    answer_free(&x);
    answer_free(&y);
}

static void open_both(morgue_searcher **l, morgue_searcher **c)
{
    ck_assert_int_eq(morgue_searcher_open(l, local, NULL), MORGUE_OK);
    ck_assert_int_eq(morgue_searcher_open_cluster(c, cfile, NULL), MORGUE_OK);
}

static const char *exact_queries[] = {
    "oil", "oil prices", "oil OR gas", "oil -opec", "(oil OR gas) -prices",
    "\"crude oil\"", "\"the company said\"", "title:oil", "title:(oil prices)",
    "title:\"oil prices\"", "oil NEAR/5 prices", "bank NEAR/3 rates",
    "a NEAR/4 b NEAR/4 c", "petro*", "title:petro*", "kazakh*",
    "tag:crude", "tag:usa", "tag:(crude OR gas)", "source:\"wendmoor gazette\"",
    "date:1987-03", "date:1987-02-26", "oil date:1987-03-01..1987-03-15",
    "(oil OR gas) -date:1987-03", "date:..1987-03-01 OR wheat",
    "date:1987-03-02.. OR coffee", "date:2022 -rates", "12:30",
    "state-of-the-art", "u.s. dollar", "don't", "ft-se", "+oil +prices",
    "\"state of emergency\"", "flood OR floods", "source:wendm*",
    "tag:flo* OR tag:mone*", "zzqx*", "oil zzqx*", "oil OR zzqx*",
    /* names with built-in variants (nippon, ussr, brasil are in these
     * articles): or'ed with them, as locally */
    "japan", "title:japan", "japan trade", "soviet union",
    "wheat soviet union", "brazil OR japan", "coffee -brazil",
    "\"soviet union\"", "oil date:1987-03 japan", NULL,
};

START_TEST(test_cluster_exact_queries_same_sets)
{
    NEED_CLUSTER();
    morgue_searcher *l, *c;
    open_both(&l, &c);
    morgue_query_opts o = MORGUE_QUERY_OPTS_INIT;
    o.limit = MAX_IDS;
    o.no_snippets = 1;
    o.flags = MORGUE_QUERY_COUNT;
    for (int i = 0; exact_queries[i]; i++)
        same_set(l, c, exact_queries[i], &o);
    /* counts alone (no hits, nothing ranked) are the same totals */
    morgue_query_opts co = MORGUE_QUERY_OPTS_INIT;
    co.flags = MORGUE_QUERY_COUNT_ONLY;
    co.no_snippets = 1;
    size_t n_exact = 0;
    while (exact_queries[n_exact])
        n_exact++;
    for (size_t i = 0; i < n_exact; i += 4) { /* not past the NULL */
        answer x, y;
        ask(l, exact_queries[i], &co, &x);
        ask(c, exact_queries[i], &co, &y);
        ck_assert_msg(x.total == y.total && y.n == 0, "count of %s: %llu "
                      "locally, %llu (%zu hits) in the cluster",
                      exact_queries[i], (unsigned long long)x.total,
                      (unsigned long long)y.total, y.n);
        answer_free(&x);
        answer_free(&y);
    }
    /* the same in natural-language mode (questions) */
    o.flags |= MORGUE_QUERY_NATURAL;
    static const char *any[] = { "oil prices opec", "+oil gas -prices",
                                 "+wheat export date:1987-03",
                                 "what did opec say about \"crude oil\" "
                                 "prices", "to be or not to be", "the",
                                 NULL };
    for (int i = 0; any[i]; i++)
        same_set(l, c, any[i], &o);
    /* option date filters, date sort, facets */
    o.flags = MORGUE_QUERY_COUNT;
    o.date_from = 541555200;  /* 1987-03-01 */
    o.date_to = 542851199;    /* 1987-03-15 */
    same_set(l, c, "oil", &o);
    o.date_from = o.date_to = MORGUE_NO_DATE;
    o.sort = MORGUE_SORT_DATE;
    same_set(l, c, "oil OR wheat", &o);
    o.sort = MORGUE_SORT_RELEVANCE;
    o.facet_date = MORGUE_FACET_MONTH;
    o.facet_sources = 10;
    o.facet_tags = 10;
    same_set(l, c, "oil", &o);
    o.facet_date = MORGUE_FACET_YEAR; /* 1987 and 2021-2024: a gap */
    same_set(l, c, "rates OR oil OR flood", &o);
    o.facet_date = MORGUE_FACET_MONTH;
    same_set(l, c, "rates OR flood", &o);
    o.facet_date = MORGUE_FACET_DAY;
    same_set(l, c, "date:1987", &o);
    /* limit and offset: the same page of a date-sorted list */
    answer x, y;
    morgue_query_opts p = MORGUE_QUERY_OPTS_INIT;
    p.sort = MORGUE_SORT_DATE;
    p.limit = 5;
    p.offset = 3;
    p.no_snippets = 1;
    ask(l, "date:1987-03-02", &p, &x);
    ask(c, "date:1987-03-02", &p, &y);
    ck_assert_uint_eq(x.total, y.total);
    ck_assert_uint_eq(x.n, 5);
    ck_assert_uint_eq(y.n, 5);
    answer_free(&x);
    answer_free(&y);
    /* stats */
    morgue_stats ls = MORGUE_STATS_INIT, cs = MORGUE_STATS_INIT;
    ck_assert_int_eq(morgue_searcher_stats(l, &ls), MORGUE_OK);
    ck_assert_int_eq(morgue_searcher_stats(c, &cs), MORGUE_OK);
    ck_assert_uint_eq(ls.documents, cs.documents);
    ck_assert_int_eq(ls.first_date, cs.first_date);
    ck_assert_int_eq(ls.last_date, cs.last_date);
    ck_assert_str_eq(morgue_searcher_warnings(c), "");
    /* morgue's parser validates: the same error */
    morgue_hits *h;
    ck_assert_int_eq(morgue_search(c, "(oil", NULL, &h), MORGUE_EQUERY);
    ck_assert_ptr_nonnull(strstr(morgue_searcher_errmsg(c), "column 1"));
    /* one shape check (query_check) for both: the same refusals, in the
     * same words */
    for (size_t i = 0; i < N_REFUSED_SHAPES; i++) {
        const refused_shape *r = &refused_shapes[i];
        ck_assert_int_eq(morgue_search(l, r->query, NULL, &h), MORGUE_EQUERY);
        ck_assert_str_eq(morgue_searcher_errmsg(l), r->message);
        ck_assert_int_eq(morgue_search(c, r->query, NULL, &h), MORGUE_EQUERY);
        ck_assert_str_eq(morgue_searcher_errmsg(c), r->message);
    }
    /* a valid lang: the cluster cannot search says so (its rows hold no
     * language), rather than searching the code as a word */
    ck_assert_int_eq(morgue_search(c, "oil lang:en", NULL, &h), MORGUE_EQUERY);
    ck_assert_str_eq(morgue_searcher_errmsg(c), "query error at column 10: "
                     "lang: is not available on a cluster");
    morgue_searcher_close(l);
    morgue_searcher_close(c);
}
END_TEST

/* The ids, own days and UTC offsets of every hit of q, one line each
 * ("id day offset"), sorted, into out. */
static void offsets_of(morgue_searcher *s, const char *q, char *out,
                       size_t cap)
{
    morgue_query_opts o = MORGUE_QUERY_OPTS_INIT;
    o.limit = 100;
    o.no_snippets = 1;
    morgue_hits *h;
    ck_assert_int_eq(morgue_search(s, q, &o, &h), MORGUE_OK);
    char *lines[100];
    size_t n = 0;
    while (n < 100 && morgue_hits_next(h) == MORGUE_OK) {
        const char *p;
        size_t len;
        morgue_hits_field(h, MORGUE_FIELD_ID, &p, &len);
        char line[512];
        snprintf(line, sizeof line, "%.*s %lld %d\n", (int)len, p,
                 (long long)morgue_hits_date(h), morgue_hits_date_offset(h));
        lines[n++] = strdup(line);
    }
    morgue_hits_free(h);
    qsort(lines, n, sizeof *lines, by_str);
    size_t at = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        at += (size_t)snprintf(out + at, at < cap ? cap - at : 0, "%s",
                               lines[i]);
        free(lines[i]);
    }
    ck_assert_uint_lt(at, cap);
}

/* Dates keep their UTC offsets: date:, the date options and the day
 * facet take the article's own day (tests/data/offsets: the +02:00 ones
 * are on the 15th although their instant is the 14th in UTC, the -05:00
 * one on the 14th), and each hit gives its offset, as locally. */
START_TEST(test_cluster_dates_own_day)
{
    NEED_CLUSTER();
    morgue_searcher *l, *c;
    open_both(&l, &c);
    morgue_query_opts o = MORGUE_QUERY_OPTS_INIT;
    o.limit = MAX_IDS;
    o.no_snippets = 1;
    o.flags = MORGUE_QUERY_COUNT;
    static const char *q[] = {
        "kurultai date:2022-05-15", "date:2022-05-14", "date:1987-05-15",
        "kurultai date:2022-05-14..2022-05-14", "kurultai -date:2022-05-15",
        "date:2022-05-14 OR zone", "kurultai (date:2022-05-15 OR wire)",
        "kurultai date:..2022-05-14", NULL,
    };
    for (int i = 0; q[i]; i++)
        same_set(l, c, q[i], &o);
    /* not vacuous: the local index's own days, as e2e_dates checks */
    answer x;
    ask(l, "kurultai date:2022-05-15", &o, &x);
    ck_assert_uint_eq(x.total, 5);
    answer_free(&x);
    ask(l, "date:2022-05-14", &o, &x);
    ck_assert_uint_eq(x.total, 1);
    answer_free(&x);
    o.date_from = 1652572800; /* 2022-05-15 */
    o.date_to = 1652659199;
    same_set(l, c, "kurultai", &o);
    o.date_from = o.date_to = MORGUE_NO_DATE;
    o.facet_date = MORGUE_FACET_DAY;
    same_set(l, c, "kurultai date:2022", &o);
    ask(c, "kurultai date:2022", &o, &x);
    ck_assert_ptr_nonnull(strstr(x.facets[0], "2022-05-14=1 "));
    ck_assert_ptr_nonnull(strstr(x.facets[0], "2022-05-15=5 "));
    answer_free(&x);
    /* --sort date is by the instant, newest first: kj-3 (03:00 UTC on
     * the 15th) although its own day is the 14th */
    morgue_query_opts d = MORGUE_QUERY_OPTS_INIT;
    d.sort = MORGUE_SORT_DATE;
    d.limit = 1;
    d.no_snippets = 1;
    answer y;
    ask(l, "kurultai date:2022", &d, &x);
    ask(c, "kurultai date:2022", &d, &y);
    ck_assert_uint_eq(y.n, 1);
    ck_assert_str_eq(x.ids[0], "kj-3");
    ck_assert_str_eq(y.ids[0], x.ids[0]);
    answer_free(&x);
    answer_free(&y);
    /* every hit's date and offset */
    char a[8192], b[8192];
    offsets_of(l, "kurultai", a, sizeof a);
    offsets_of(c, "kurultai", b, sizeof b);
    ck_assert_ptr_nonnull(strstr(a, "kj-3 1652583600 -300\n"));
    ck_assert_ptr_nonnull(strstr(a, "kj-2 1652574600 0\n"));
    ck_assert_ptr_nonnull(strstr(a, " -32768\n")); /* 9002: no zone */
    ck_assert_str_eq(a, b);
    morgue_searcher_close(l);
    morgue_searcher_close(c);
}
END_TEST

/* Kendall's tau of the ids both lists hold, by their ranks in each
 * (1: the same order); 1 when fewer than two are shared. */
static double tau(const answer *x, const answer *y)
{
    size_t ra[10], rb[10], m = 0;
    for (size_t a = 0; a < x->n && a < 10; a++)
        for (size_t b = 0; b < y->n && b < 10; b++)
            if (!strcmp(x->ids[a], y->ids[b])) {
                ra[m] = a;
                rb[m++] = b;
            }
    long s = 0, pairs = 0;
    for (size_t i = 0; i < m; i++)
        for (size_t j = i + 1; j < m; j++, pairs++)
            s += ((ra[i] < ra[j]) == (rb[i] < rb[j])) ? 1 : -1;
    return pairs ? (double)s / (double)pairs : 1.0;
}

START_TEST(test_cluster_ranked_overlap_at_10)
{
    NEED_CLUSTER();
    /* AND of a few words, OR queries and broad words (thousands of
     * matches within a hair of each other: where a ranker that weighs
     * every match the same shows at once, as Sphinx's bm25f() on RT
     * indexes did, overlap 0.00) */
    static const char *ranked[] = {
        "oil prices", "bank interest rates", "trade deficit japan",
        "wheat exports", "coffee quota talks", "dollar yen", "gold mine",
        "crude oil output", "merger acquisition offer", "sugar beet",
        "opec production ceiling", "money supply growth",
        "oil OR coffee", "wheat OR corn OR grain", "bank OR rates OR interest",
        "gold OR silver", "dollar OR yen OR mark", "\"oil prices\" OR wheat",
        "title:oil OR gas", "(shares OR stock) -dividend", "company", "pct",
        "market", "said", "year", NULL,
    };
    morgue_searcher *l, *c;
    open_both(&l, &c);
    morgue_query_opts o = MORGUE_QUERY_OPTS_INIT;
    o.limit = 10;
    o.no_snippets = 1;
    /* name variants: or'ed as locally, but the natural mode's (one idf
     * for a name and its variants) is not followed: like with like */
    double sum = 0, tsum = 0, worst = 1;
    const char *worst_q = "";
    int n = 0;
    for (int mode = 0; mode < 2; mode++) {
        o.flags = mode ? MORGUE_QUERY_NATURAL : 0;
        o.no_synonyms = mode;
        for (int i = 0; ranked[i]; i++) {
            answer x, y;
            ask(l, ranked[i], &o, &x);
            ask(c, ranked[i], &o, &y);
            size_t common = 0;
            for (size_t a = 0; a < x.n; a++)
                for (size_t b = 0; b < y.n; b++)
                    common += !strcmp(x.ids[a], y.ids[b]);
            size_t den = x.n < 10 ? x.n : 10;
            double ov = den ? (double)common / (double)den : 1.0;
            double t = tau(&x, &y);
            fprintf(stderr, "overlap@10 %s%-28s %.1f tau %.2f\n",
                    mode ? "any " : "", ranked[i], ov, t);
            sum += ov;
            tsum += t;
            n++;
            if (ov < worst) {
                worst = ov;
                worst_q = ranked[i];
            }
            answer_free(&x);
            answer_free(&y);
        }
    }
    int n_tau = n;
    /* recency blended in (the half-life a month, now in mid-1987: the
     * Reuters days differ by weeks), in the candidates' order and in the
     * scores again */
    o.flags = 0;
    o.no_synonyms = 0;
    o.recency_half_life = 30 * 86400.0;
    o.now = 551491200; /* 1987-06-23 */
    for (int i = 0; ranked[i]; i++) {
        if (i % 3)
            continue; /* every third query */
        answer x, y;
        ask(l, ranked[i], &o, &x);
        ask(c, ranked[i], &o, &y);
        size_t common = 0;
        for (size_t a = 0; a < x.n; a++)
            for (size_t b = 0; b < y.n; b++)
                common += !strcmp(x.ids[a], y.ids[b]);
        size_t den = x.n < 10 ? x.n : 10;
        double ov = den ? (double)common / (double)den : 1.0;
        fprintf(stderr, "overlap@10 recency %-24s %.1f\n", ranked[i], ov);
        sum += ov;
        n++;
        if (ov < worst) {
            worst = ov;
            worst_q = ranked[i];
        }
        answer_free(&x);
        answer_free(&y);
    }
    o.recency_half_life = 0;
    fprintf(stderr, "overlap@10 mean over %d queries: %.2f (worst %.1f, "
            "%s), tau %.2f\n", n, sum / n, worst, worst_q, tsum / n_tau);
    /* morgue's own scores over the best candidates, with global df and
     * lengths (cluster/rerank.h): close, not equal, because ties at the
     * 10th place break by a different id order and a title: or quoted
     * word's df is the keyword's in any field */
    ck_assert_msg(sum / n >= 0.85, "mean overlap@10 %.2f", sum / n);
    ck_assert_msg(worst >= 0.5, "overlap@10 %.1f for %s", worst, worst_q);
    ck_assert_msg(tsum / n_tau >= 0.6, "mean tau %.2f", tsum / n_tau);
    /* what needs the whole index in one place is refused, not ignored */
    morgue_hits *h;
    o.flags = MORGUE_QUERY_COLLAPSE;
    ck_assert_int_eq(morgue_search(c, "oil", &o, &h), MORGUE_EINVAL);
    ck_assert_ptr_nonnull(strstr(morgue_searcher_errmsg(c), "cluster"));
    o.flags = MORGUE_QUERY_NATURAL | MORGUE_QUERY_EXPAND;
    ck_assert_int_eq(morgue_search(c, "oil", &o, &h), MORGUE_EINVAL);
    morgue_searcher_close(l);
    morgue_searcher_close(c);
}
END_TEST

static void in_step(const char *const *queries)
{
    morgue_searcher *l, *c;
    open_both(&l, &c);
    morgue_query_opts o = MORGUE_QUERY_OPTS_INIT;
    o.limit = MAX_IDS;
    o.no_snippets = 1;
    o.flags = MORGUE_QUERY_COUNT;
    for (int i = 0; queries[i]; i++)
        same_set(l, c, queries[i], &o);
    morgue_stats ls = MORGUE_STATS_INIT, cs = MORGUE_STATS_INIT;
    ck_assert_int_eq(morgue_searcher_stats(l, &ls), MORGUE_OK);
    ck_assert_int_eq(morgue_searcher_stats(c, &cs), MORGUE_OK);
    ck_assert_uint_eq(ls.documents, cs.documents);
    morgue_searcher_close(l);
    morgue_searcher_close(c);
}

START_TEST(test_cluster_incremental_add_change_delete)
{
    NEED_CLUSTER();
    char path[4400];
    /* add */
    snprintf(path, sizeof path, "%s/added.txt", archive);
    write_text(path, "Zanzibar clove harvest\n\nThe zanzibar clove harvest "
                     "doubled, growers said.\n");
    /* change: the demo's Almaty story now tells of cloves */
    snprintf(path, sizeof path, "%s/demo/text/2022/01/06/"
             "kazakhstan-state-of-emergency-almaty.txt", archive);
    write_text(path, "Almaty clove market\n\nClove traders in Almaty "
                     "reopened the market.\n");
    /* delete */
    snprintf(path, sizeof path, "%s/demo/mail/2024-03-30-xz-utils-backdoor.eml",
             archive);
    ck_assert_int_eq(unlink(path), 0);
    ck_assert_int_eq(index_local(archive), MORGUE_OK);
    ck_assert_int_eq(index_cluster(archive, NULL), MORGUE_OK);
    static const char *q[] = { "clove", "zanzibar", "almaty", "backdoor",
                               "\"state of emergency\"", "oil", NULL };
    in_step(q);
    /* a run with nothing new changes nothing */
    ck_assert_int_eq(index_cluster(archive, NULL), MORGUE_OK);
    in_step(q);
}
END_TEST

START_TEST(test_cluster_killed_shard_partial_then_whole)
{
    NEED_CLUSTER();
    morgue_searcher *c;
    ck_assert_int_eq(morgue_searcher_open_cluster(&c, cfile, NULL), MORGUE_OK);
    morgue_query_opts o = MORGUE_QUERY_OPTS_INIT;
    o.no_snippets = 1;
    o.facet_date = MORGUE_FACET_YEAR;
    answer whole, part, again;
    ask(c, "oil", &o, &whole);
    ck_assert_int_eq(whole.partial, 0);
    kill_node(cdir, "shard1");
    ask(c, "oil", &o, &part);
    ck_assert_msg(part.partial, "a dead shard gave an answer not marked "
                  "partial");
    ck_assert_uint_lt(part.total, whole.total);
    morgue_hits *h;
    ck_assert_int_eq(morgue_search(c, "oil", &o, &h), MORGUE_OK);
    ck_assert_ptr_nonnull(strstr(morgue_hits_warnings(h), "agent"));
    morgue_hits_free(h);
    morgue_stats st = MORGUE_STATS_INIT;
    ck_assert_int_eq(morgue_searcher_stats(c, &st), MORGUE_OK);
    ck_assert_str_ne(morgue_searcher_warnings(c), "");
    ck_assert_int_eq(morgue_cluster_start(cdir), MORGUE_OK);
    ask(c, "oil", &o, &again);
    ck_assert_int_eq(again.partial, 0);
    ck_assert_uint_eq(again.total, whole.total);
    ck_assert_str_eq(again.facets[0], whole.facets[0]);
    answer_free(&whole);
    answer_free(&part);
    answer_free(&again);
    morgue_searcher_close(c);
}
END_TEST

START_TEST(test_cluster_shard_killed_while_indexing)
{
    NEED_CLUSTER();
    char dir[4400], path[4600], text[256];
    snprintf(dir, sizeof dir, "%s/wires", archive);
    mkdir(dir, 0755);
    for (int i = 0; i < 60; i++) {
        snprintf(path, sizeof path, "%s/wire-%02d.txt", dir, i);
        snprintf(text, sizeof text, "Quokka census %d\n\nRangers counted "
                 "quokkas on island %d.\n", i, i);
        write_text(path, text);
    }
    ck_assert_int_eq(index_local(archive), MORGUE_OK);
    kill_plan kp = { 20, 0 };
    int rc = index_cluster(archive, &kp);
    ck_assert_msg(rc != MORGUE_OK, "the run went on with a dead shard");
    ck_assert_int_eq(morgue_cluster_start(cdir), MORGUE_OK);
    ck_assert_int_eq(index_cluster(archive, NULL), MORGUE_OK);
    static const char *q[] = { "quokka", "quokkas census", "oil", "date:1987",
                               NULL };
    in_step(q); /* none lost (same sets), none doubled (same totals) */
}
END_TEST

/* The disk chunks of each node's shard index, by SQL; with flush, the
 * RAM chunk is made a disk chunk first. */
static void node_chunks(long *chunks, size_t *n, int flush)
{
    cluster_conf *c = calloc(1, sizeof *c);
    errmsg e;
    ck_assert_ptr_nonnull(c);
    ck_assert_int_eq(cluster_conf_read(c, cfile, &e), MORGUE_OK);
    *n = c->n_nodes;
    for (size_t i = 0; i < c->n_nodes; i++) {
        const cnode *nd = &c->nodes[i];
        char index[16], q[64];
        cluster_shard_index(nd->shard, index);
        MYSQL *m;
        ck_assert_msg(sql_connect(&m, nd->host, nd->sql_port, 60, nd->name,
                                  &e) == MORGUE_OK, "%s", e.text);
        int len = snprintf(q, sizeof q, "FLUSH RAMCHUNK %s", index);
        if (flush)
            ck_assert_int_eq(sql_exec(m, q, (size_t)len, nd->name, &e),
                             MORGUE_OK);
        snprintf(q, sizeof q, "SHOW INDEX %s STATUS", index);
        ck_assert_int_eq(mysql_query(m, q), 0);
        MYSQL_RES *r = mysql_store_result(m);
        ck_assert_ptr_nonnull(r);
        MYSQL_ROW row;
        chunks[i] = -1;
        while ((row = mysql_fetch_row(r)))
            if (!strcmp(row[0], "disk_chunks"))
                chunks[i] = atol(row[1]);
        mysql_free_result(r);
        mysql_close(m);
    }
    free(c);
}

/* Shards of several chunks (a flush after each of two runs, one of them
 * deleting) are merged to one chunk each, and answer as before: the same
 * sets and totals as the local index. Refused while a writer runs; a
 * dead node fails it by name. */
START_TEST(test_cluster_optimize_one_chunk)
{
    NEED_CLUSTER();
    long chunks[8];
    size_t n;
    node_chunks(chunks, &n, 1);
    char path[4400], text[256];
    snprintf(path, sizeof path, "%s/later", archive);
    mkdir(path, 0755);
    /* some for each shard: ids hash paths of a random temporary folder,
     * and 40 all in one shard is a 2^-39 chance */
    for (int i = 0; i < 40; i++) {
        snprintf(path, sizeof path, "%s/later/okapi-%d.txt", archive, i);
        snprintf(text, sizeof text, "Okapi sighting %d\n\nAn okapi was "
                 "seen near camp %d.\n", i, i);
        write_text(path, text);
    }
    snprintf(path, sizeof path, "%s/demo/text/2022/01/06/"
             "kazakhstan-state-of-emergency-almaty.txt", archive);
    unlink(path); /* gone already if the incremental case ran */
    ck_assert_int_eq(index_local(archive), MORGUE_OK);
    ck_assert_int_eq(index_cluster(archive, NULL), MORGUE_OK);
    node_chunks(chunks, &n, 1);
    for (size_t i = 0; i < n; i++)
        ck_assert_int_ge(chunks[i], 2);
    /* a writer holds the cluster: refused at once */
    morgue_writer *w;
    ck_assert_int_eq(morgue_writer_open_cluster(&w, cfile, NULL), MORGUE_OK);
    ck_assert_int_eq(morgue_cluster_optimize(cdir), MORGUE_EBUSY);
    morgue_writer_close(w);
    int rc = morgue_cluster_optimize(cdir);
    ck_assert_msg(rc == MORGUE_OK, "%s", morgue_last_errmsg());
    node_chunks(chunks, &n, 0);
    for (size_t i = 0; i < n; i++)
        ck_assert_int_eq(chunks[i], 1);
    static const char *q[] = { "okapi", "okapi sighting", "almaty", "oil",
                               "\"state of emergency\"", "date:1987",
                               "rates OR flood", NULL };
    in_step(q);
    kill_node(cdir, "shard1");
    ck_assert_int_eq(morgue_cluster_optimize(cdir), MORGUE_EIO);
    ck_assert_ptr_nonnull(strstr(morgue_last_errmsg(), "shard1"));
    ck_assert_int_eq(morgue_cluster_start(cdir), MORGUE_OK);
    in_step(q);
}
END_TEST

/* ---- mirrors ---- */

static void setup_mirrors(void)
{
    if (have_searchd())
        setup_cluster("mirror", NULL, 1, 2);
}

START_TEST(test_cluster_mirror_takes_over)
{
    NEED_CLUSTER();
    morgue_searcher *l, *c;
    open_both(&l, &c);
    morgue_query_opts o = MORGUE_QUERY_OPTS_INIT;
    o.no_snippets = 1;
    o.limit = 100;
    answer x, y;
    ask(l, "rates OR flood", &o, &x);
    kill_node(cdir, "shard0");
    int whole_at = -1;
    for (int i = 0; i < 20 && whole_at < 0; i++) {
        ask(c, "rates OR flood", &o, &y);
        /* an answer is whole, or says it is not */
        ck_assert_msg(y.partial || y.total == x.total,
                      "silent short answer: %llu of %llu",
                      (unsigned long long)y.total,
                      (unsigned long long)x.total);
        if (!y.partial && y.total == x.total)
            whole_at = i;
        answer_free(&y);
    }
    fprintf(stderr, "mirror took over at query %d\n", whole_at + 1);
    ck_assert_int_ge(whole_at, 0);
    /* writes need every mirror: a run with one down fails */
    char path[4400];
    snprintf(path, sizeof path, "%s/extra", work);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/extra/a.txt", work);
    write_text(path, "Mirror test\n\nA mirrored article.\n");
    snprintf(path, sizeof path, "%s/extra", work);
    ck_assert_int_ne(index_cluster(path, NULL), MORGUE_OK);
    ck_assert_int_eq(morgue_cluster_start(cdir), MORGUE_OK);
    ck_assert_int_eq(index_cluster(path, NULL), MORGUE_OK);
    answer_free(&x);
    morgue_searcher_close(l);
    morgue_searcher_close(c);
}
END_TEST

/* ---- cluster files without a cluster ---- */

/* A new temporary folder (free it, tu_rmrf it) holding only a one-shard
 * cluster.conf of the given version, whose ports nothing listens on
 * (opening reads the file; nothing connects); its path into path. */
static char *conf_only(const char *name, int version, char *path, size_t cap)
{
    char *dir = tu_tempdir(name);
    char text[256];
    snprintf(path, cap, "%s/cluster.conf", dir);
    snprintf(text, sizeof text, "morgue-cluster %d\nlanguage english\n"
             "shards 1\nhead head 127.0.0.1 1\n"
             "node shard0 0 127.0.0.1 2 3\n", version);
    write_text(path, text);
    return dir;
}

/* A version 1 cluster.conf (rows without the UTC offset columns): start
 * and stop still read it, searching and indexing refuse it and say how
 * to move on; an unknown version is refused by all. */
START_TEST(test_cluster_old_version_refused)
{
    char path[4400];
    char *dir = conf_only("cluv1", 1, path, sizeof path);
    morgue_searcher *s;
    ck_assert_int_eq(morgue_searcher_open_cluster(&s, path, NULL),
                     MORGUE_EVERSION);
    ck_assert_ptr_nonnull(strstr(morgue_last_errmsg(), "version 1"));
    ck_assert_ptr_nonnull(strstr(morgue_last_errmsg(), "cluster init"));
    morgue_writer *w;
    ck_assert_int_eq(morgue_writer_open_cluster(&w, path, NULL),
                     MORGUE_EVERSION);
    ck_assert_ptr_nonnull(strstr(morgue_last_errmsg(), "UTC offset"));
    ck_assert_int_eq(morgue_cluster_stop(dir), MORGUE_OK); /* none running */
    write_text(path, "morgue-cluster 3\nshards 1\n");
    ck_assert_int_eq(morgue_searcher_open_cluster(&s, path, NULL),
                     MORGUE_EVERSION);
    ck_assert_ptr_nonnull(strstr(morgue_last_errmsg(), ":1:"));
    ck_assert_int_eq(morgue_cluster_stop(dir), MORGUE_EVERSION);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* Calls that need the local segments fail on a cluster searcher and say
 * so, rather than answering nothing (no searchd needed: opening does not
 * connect). */
START_TEST(test_cluster_local_only_calls_refused)
{
    char path[4400];
    char *dir = conf_only("clulocal", 2, path, sizeof path);
    morgue_searcher *s;
    ck_assert_int_eq(morgue_searcher_open_cluster(&s, path, NULL), MORGUE_OK);
    morgue_hits *h = (morgue_hits *)1;
    ck_assert_int_eq(morgue_searcher_get(s, "9001", &h), MORGUE_EINVAL);
    ck_assert_ptr_null(h);
    ck_assert_ptr_nonnull(strstr(morgue_searcher_errmsg(s),
                                 "not available on a cluster"));
    uint64_t id = 1;
    ck_assert_int_eq(morgue_searcher_docs(s, &id, 1, &h), MORGUE_EINVAL);
    ck_assert_int_eq(morgue_similar(s, 1, NULL, &h), MORGUE_EINVAL);
    ck_assert_ptr_nonnull(strstr(morgue_searcher_errmsg(s), "similar"));
    uint8_t fp[MORGUE_FINGERPRINT_BYTES];
    ck_assert_int_eq(morgue_searcher_fingerprint(s, 1, fp), MORGUE_EINVAL);
    morgue_timeline *t;
    ck_assert_int_eq(morgue_timeline_build(s, "oil", NULL,
                                           MORGUE_TIMELINE_DAY, &t),
                     MORGUE_EINVAL);
    morgue_clusters *c;
    ck_assert_int_eq(morgue_dups(s, 0.8, &c), MORGUE_EINVAL);
    ck_assert_ptr_nonnull(strstr(morgue_searcher_errmsg(s), "cluster"));
    morgue_searcher_close(s);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* The Sphinx text of a query (no searchd needed): names or'ed with their
 * variants, runs of words that are a name, and an OR's all-of text (its
 * kids all required, NOT's ORs kept) that adds candidates. */
static void translated(const char *q, int synonyms, translation *t)
{
    qnode *n;
    char err[256];
    size_t at;
    stemmer *st;
    ck_assert_int_eq(stemmer_new(&st, "english"), MORGUE_OK);
    ck_assert_int_eq(query_parse(q, 0, &n, err, sizeof err, &at), MORGUE_OK);
    ck_assert_int_eq(query_check(n, err, sizeof err, &at), MORGUE_OK);
    ck_assert_int_eq(translate(n, st, "english", INT64_MIN, INT64_MIN,
                               synonyms, t), MORGUE_OK);
    query_free(n);
    stemmer_free(st);
}

START_TEST(test_cluster_translate_variants_and_all_of)
{
    translation t;
    translated("japan", 1, &t);
    ck_assert_ptr_nonnull(strstr(t.match.ptr, "(@(ss,ts) nippon)"));
    ck_assert_uint_gt(t.n_leaves, 2); /* japan, nippon, ... each scored */
    ck_assert_int_eq(t.scored_or, 1);
    ck_assert_uint_eq(t.match_all.len, 0); /* nothing but variants */
    translation_free(&t);
    translated("japan", 0, &t);
    ck_assert_str_eq(t.match.ptr, "(@(ss,ts) japan)");
    translation_free(&t);
    translated("wheat soviet union", 1, &t);
    ck_assert_ptr_nonnull(strstr(t.match.ptr, "(((@(ss,ts) soviet) "
                                              "(@(ss,ts) union)) | "));
    ck_assert_ptr_nonnull(strstr(t.match.ptr, "(@(ss,ts) ussr)"));
    translation_free(&t);
    translated("oil OR gas", 1, &t);
    ck_assert_str_eq(t.match.ptr, "((@(ss,ts) oil) | (@(ss,ts) gas))");
    ck_assert_str_eq(t.match_all.ptr, "((@(ss,ts) oil) (@(ss,ts) gas))");
    translation_free(&t);
    translated("(oil OR gas) -(quota OR ceiling) date:1987", 1, &t);
    ck_assert_ptr_nonnull(strstr(t.match_all.ptr, "(@(ss,ts) oil) "
                                                  "(@(ss,ts) gas)"));
    ck_assert_ptr_nonnull(strstr(t.match_all.ptr, "-((@(ss,ts) quota) | "));
    ck_assert(t.from != INT64_MIN);
    translation_free(&t);
    translated("oil -(quota OR ceiling)", 1, &t);
    ck_assert_int_eq(t.scored_or, 0);
    ck_assert_uint_eq(t.match_all.len, 0);
    translation_free(&t);
}
END_TEST

static Suite *cluster_suite(void)
{
    Suite *s = suite_create("cluster");
    TCase *g = tcase_create("golden");
    tcase_add_unchecked_fixture(g, setup_golden, teardown);
    tcase_set_timeout(g, 300);
    tcase_add_test(g, test_cluster_exact_queries_same_sets);
    tcase_add_test(g, test_cluster_dates_own_day);
    tcase_add_test(g, test_cluster_ranked_overlap_at_10);
    tcase_add_test(g, test_cluster_incremental_add_change_delete);
    tcase_add_test(g, test_cluster_killed_shard_partial_then_whole);
    tcase_add_test(g, test_cluster_shard_killed_while_indexing);
    tcase_add_test(g, test_cluster_optimize_one_chunk);
    suite_add_tcase(s, g);
    TCase *m = tcase_create("mirrors");
    tcase_add_unchecked_fixture(m, setup_mirrors, teardown);
    tcase_set_timeout(m, 120);
    tcase_add_test(m, test_cluster_mirror_takes_over);
    suite_add_tcase(s, m);
    TCase *v = tcase_create("version");
    tcase_add_test(v, test_cluster_old_version_refused);
    tcase_add_test(v, test_cluster_local_only_calls_refused);
    tcase_add_test(v, test_cluster_translate_variants_and_all_of);
    suite_add_tcase(s, v);
    return s;
}

MORGUE_CHECK_MAIN(cluster_suite)
