/* morgue_bench.c: morgue through its public C API (include/morgue.h) only,
 * in-process, timed by the shared driver (common/bench.c) exactly as the
 * peers are.
 *
 * Indexing: morgue_writer_open with default options, morgue_writer_add
 * per article (fields given in memory, as the peers get them), one
 * morgue_writer_commit at the end.
 * Searching: one morgue_searcher; each query a morgue_search() in the query
 * language of docs/QUERY.md: words (AND), "w1 OR w2", "\"w1 w2\"",
 * "words date:FROM..TO"; the top 10's ids through morgue_hits_field,
 * snippets through morgue_hits_snippet (no_snippets set otherwise), and
 * month facets over all matches with facet_date = MORGUE_FACET_MONTH and
 * morgue_hits_facets; a count with MORGUE_QUERY_COUNT_ONLY and
 * morgue_hits_total. Classes whose syntax the library rejects
 * (MORGUE_EQUERY on a probe at open) are reported as not supported rather
 * than failing the run.
 *
 * Built with BENCH_CLUSTER (cluster_bench), DBDIR is a Sphinx cluster's
 * folder instead (docs/CLUSTER.md): indexing makes a 2-shard cluster
 * there if there is none (ports from $MORGUE_BENCH_PORT, default 19700)
 * and starts its searchd processes; the same calls then go through
 * morgue_writer_open_cluster and morgue_searcher_open_cluster. Stop it
 * with `morgue cluster stop DBDIR`.
 */
#include "common/bench.h"

#include <morgue.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *version(void)
{
    static char v[32];
    int n = morgue_version_number();
    snprintf(v, sizeof v, "%d.%d.%d", n / 10000, n / 100 % 100, n % 100);
    return v;
}

/* ------------------------------------------------------------------ */
/* Indexing                                                              */

#ifdef BENCH_CLUSTER
#define ENGINE_NAME "cluster"
/* dir/cluster.conf, making and starting the cluster when asked to. */
static const char *cluster_file(const char *dir, int make)
{
    static char path[4200];
    snprintf(path, sizeof path, "%s/cluster.conf", dir);
    if (make && access(path, F_OK) != 0) {
        morgue_cluster_opts co = MORGUE_CLUSTER_OPTS_INIT;
        const char *port = getenv("MORGUE_BENCH_PORT");
        co.shards = 2;
        co.port = port ? (unsigned)atoi(port) : 19700;
        if (morgue_cluster_init(dir, &co) != MORGUE_OK)
            fprintf(stderr, "morgue: cluster init %s: %s\n", dir,
                    morgue_last_errmsg());
    }
    if (make && morgue_cluster_start(dir) != MORGUE_OK)
        fprintf(stderr, "morgue: cluster start %s: %s\n", dir,
                morgue_last_errmsg());
    return path;
}
#define WRITER_OPEN(w, dir) \
    morgue_writer_open_cluster(w, cluster_file(dir, 1), NULL)
#define SEARCHER_OPEN(s, dir) \
    morgue_searcher_open_cluster(s, cluster_file(dir, 0), NULL)
#else
#define ENGINE_NAME "morgue"
/* $MORGUE_BENCH_LANGUAGE: the writer's language ("english": one stemmer
 * for every article, as a cluster stems; run.sh sets it beside the
 * cluster engine, so that the two rank the same terms); unset: the
 * default (each article's detected language). */
static int writer_open_local(morgue_writer **w, const char *dir)
{
    morgue_writer_opts wo = MORGUE_WRITER_OPTS_INIT;
    const char *lang = getenv("MORGUE_BENCH_LANGUAGE");
    if (lang && *lang)
        wo.language = lang;
    /* $MORGUE_BENCH_THREADS: the writer's --threads (unset: all cores) */
    const char *threads = getenv("MORGUE_BENCH_THREADS");
    if (threads && *threads)
        wo.threads = (unsigned)atoi(threads);
    return morgue_writer_open(w, dir, &wo);
}
#define WRITER_OPEN(w, dir) writer_open_local(w, dir)
#define SEARCHER_OPEN(s, dir) morgue_searcher_open(s, dir, NULL)
#endif

static void *writer_open(const char *dir)
{
    morgue_writer *w = NULL;
    int rc = WRITER_OPEN(&w, dir);
    if (rc != MORGUE_OK) {
        fprintf(stderr, "morgue: open %s: %s (%s)\n", dir,
                morgue_strerror(rc), morgue_last_errmsg());
        return NULL;
    }
    return w;
}

static int add(void *wp, const bench_article *a)
{
    morgue_writer *w = wp;
    morgue_article art = MORGUE_ARTICLE_INIT;
    art.id = a->id;
    art.title = a->title;
    art.source = a->source;
    art.body = a->body;
    art.tags = a->tags;
    art.n_tags = a->n_tags;
    art.date = a->epoch == BENCH_NO_DATE ? MORGUE_NO_DATE : a->epoch;
    int rc = morgue_writer_add(w, &art);
    if (rc != MORGUE_OK) {
        fprintf(stderr, "morgue: add %s: %s (%s)\n", a->id,
                morgue_strerror(rc), morgue_writer_errmsg(w));
        return -1;
    }
    return 0;
}

static int writer_finish(void *wp)
{
    morgue_writer *w = wp;
    int rc = morgue_writer_commit(w);
    if (rc != MORGUE_OK)
        fprintf(stderr, "morgue: commit: %s (%s)\n", morgue_strerror(rc),
                morgue_writer_errmsg(w));
    morgue_writer_close(w);
    return rc == MORGUE_OK ? 0 : -1;
}

/* ------------------------------------------------------------------ */
/* Searching                                                             */

typedef struct searcher {
    morgue_searcher *s;
    /* the query syntax of the class parses: 1 yes, 0 no, -1 not probed
     * yet (probed on the driver's first supports() of the class, which
     * is never timed: a cold start times the open and one AND query
     * alone, as for the other engines) */
    int class_ok[BQ_N_CLASSES];
    char qbuf[1024];
} searcher;

/* Writes q in morgue's query language into s->qbuf. */
static int make_query(searcher *s, const bench_query *q)
{
    char *o = s->qbuf;
    size_t cap = sizeof s->qbuf, n = 0;
    int w;
    if (q->cls == BQ_PHRASE)
        w = snprintf(o, cap, "\"%s\"", q->text);
    else if (bench_class_is_or(q->cls)) {
        w = 0;
        for (size_t i = 0; i < q->n_words && n < cap; i++) {
            w = snprintf(o + n, cap - n, "%s%s", i ? " OR " : "",
                         q->words[i]);
            if (w < 0)
                return -1;
            n += (size_t)w;
        }
        w = (int)n;
    } else
        w = snprintf(o, cap, "%s", q->text);
    if (w < 0 || (size_t)w >= cap)
        return -1;
    n = (size_t)w;
    if (q->from[0]) {
        w = snprintf(o + n, cap - n, " date:%s..%s", q->from, q->to);
        if (w < 0 || (size_t)w >= cap - n)
            return -1;
    }
    return 0;
}

/* 1 when the library parses this class's syntax. */
static int probe(searcher *s, int cls)
{
    static char *words[] = { "bench", "probe" };
    bench_query q;
    memset(&q, 0, sizeof q);
    q.cls = cls;
    q.text = "bench probe";
    q.words = words;
    q.n_words = 2;
    if (cls == BQ_DATE) {
        memcpy(q.from, "1987-03-01", 11);
        memcpy(q.to, "1987-03-31", 11);
    }
    if (make_query(s, &q) != 0)
        return 0;
    morgue_hits *h = NULL;
    int rc = morgue_search(s->s, s->qbuf, NULL, &h);
    morgue_hits_free(h);
    if (rc != MORGUE_OK)
        fprintf(stderr, "morgue: %s queries not measured: \"%s\": %s (%s)\n",
                bench_class_names[cls], s->qbuf, morgue_strerror(rc),
                morgue_searcher_errmsg(s->s));
    return rc == MORGUE_OK;
}

static void *searcher_open(const char *dir)
{
    searcher *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    int rc = SEARCHER_OPEN(&s->s, dir);
    if (rc != MORGUE_OK) {
        fprintf(stderr, "morgue: open %s: %s (%s)\n", dir,
                morgue_strerror(rc), morgue_last_errmsg());
        free(s);
        return NULL;
    }
    for (int c = 0; c < BQ_N_CLASSES; c++)
        s->class_ok[c] = 1;
    s->class_ok[BQ_OR] = s->class_ok[BQ_UNION] = -1;
    s->class_ok[BQ_PHRASE] = s->class_ok[BQ_DATE] = -1;
    return s;
}

static void searcher_close(void *sp)
{
    searcher *s = sp;
    if (!s)
        return;
    morgue_searcher_close(s->s);
    free(s);
}

static int supports(void *sp, int cls, int mode)
{
    searcher *s = sp;
    (void)mode;
    if (s->class_ok[cls] < 0) {
        int probed = probe(s, cls == BQ_UNION ? BQ_OR : cls);
        s->class_ok[cls] = probed;
        if (cls == BQ_OR || cls == BQ_UNION) /* one syntax */
            s->class_ok[BQ_OR] = s->class_ok[BQ_UNION] = probed;
    }
    return s->class_ok[cls];
}

static int run(void *sp, const bench_query *q, int mode, bench_result *r)
{
    searcher *s = sp;
    if (make_query(s, q) != 0)
        return -1;
    morgue_query_opts opts = MORGUE_QUERY_OPTS_INIT;
    opts.limit = BENCH_TOPK;
    opts.no_snippets = mode != BM_SNIPPETS;
    if (mode == BM_FACETS)
        opts.facet_date = MORGUE_FACET_MONTH;
    if (mode == BM_COUNT) /* the exact number, nothing ranked */
        opts.flags |= MORGUE_QUERY_COUNT_ONLY;
    morgue_hits *h = NULL;
    int rc = morgue_search(s->s, s->qbuf, &opts, &h);
    if (rc != MORGUE_OK) {
        fprintf(stderr, "morgue: \"%s\": %s (%s)\n", s->qbuf,
                morgue_strerror(rc), morgue_searcher_errmsg(s->s));
        return -1;
    }
    r->count = morgue_hits_total(h);
    while ((rc = morgue_hits_next(h)) == MORGUE_OK) {
        const char *id;
        size_t len;
        if ((rc = morgue_hits_field(h, MORGUE_FIELD_ID, &id, &len)))
            break;
        bench_result_add_id(r, id, len);
        if (mode == BM_SNIPPETS) {
            const char *snip = NULL;
            if ((rc = morgue_hits_snippet(h, &snip)))
                break;
            r->snippet_bytes += strlen(snip);
        }
    }
    if (rc == MORGUE_ITEROVER && mode == BM_FACETS) {
        const morgue_facet *f;
        size_t nf;
        int frc = morgue_hits_facets(h, MORGUE_FACET_KIND_DATE, &f, &nf);
        if (frc != MORGUE_OK)
            rc = frc;
        for (size_t i = 0; frc == MORGUE_OK && i < nf; i++) {
            r->facet_values += f[i].count > 0; /* empty months are listed */
            r->facet_total += f[i].count;
        }
    }
    morgue_hits_free(h);
    if (rc != MORGUE_ITEROVER) {
        fprintf(stderr, "morgue: \"%s\": reading hits: %s (%s)\n", s->qbuf,
                morgue_strerror(rc), morgue_searcher_errmsg(s->s));
        return -1;
    }
    return 0;
}

/* A number from the environment, or def: the relevance harness's
 * sensitivity runs set MORGUE_BENCH_K1, _B and _TITLE_WEIGHT. */
static double env_num(const char *name, double def)
{
    const char *v = getenv(name);
    return v && *v ? atof(v) : def;
}

/* The question as typed, in natural-language mode with the library's
 * defaults (the environment can change k1, b and the title weight). A
 * question the library rejects gets no answers (counted as 0) and a line
 * on stderr. */
static int rank(void *sp, const char *question, size_t depth,
                void (*emit)(void *, const char *, size_t, double),
                void *ud)
{
    searcher *s = sp;
    morgue_query_opts opts = MORGUE_QUERY_OPTS_INIT;
    opts.limit = depth;
    opts.no_snippets = 1;
    opts.flags = MORGUE_QUERY_NATURAL;
    if (env_num("MORGUE_BENCH_EXPAND", 0) != 0) /* pseudo-relevance feedback */
        opts.flags |= MORGUE_QUERY_EXPAND;
    opts.k1 = env_num("MORGUE_BENCH_K1", opts.k1);
    opts.b = env_num("MORGUE_BENCH_B", opts.b);
    opts.title_weight = env_num("MORGUE_BENCH_TITLE_WEIGHT",
                                opts.title_weight);
    morgue_hits *h = NULL;
    int rc = morgue_search(s->s, question, &opts, &h);
    if (rc == MORGUE_EQUERY) {
        fprintf(stderr, "morgue: rejected \"%.60s...\": %s\n", question,
                morgue_searcher_errmsg(s->s));
        return 0;
    }
    if (rc != MORGUE_OK) {
        fprintf(stderr, "morgue: %s (%s)\n", morgue_strerror(rc),
                morgue_searcher_errmsg(s->s));
        return -1;
    }
    while ((rc = morgue_hits_next(h)) == MORGUE_OK) {
        const char *id;
        size_t len;
        if ((rc = morgue_hits_field(h, MORGUE_FIELD_ID, &id, &len)))
            break;
        emit(ud, id, len, morgue_hits_score(h));
    }
    morgue_hits_free(h);
    return rc == MORGUE_ITEROVER ? 0 : -1;
}

static const bench_engine engine = {
    ENGINE_NAME, version, writer_open, add, writer_finish,
    searcher_open, searcher_close, supports, run, rank
};

int main(int argc, char **argv)
{
    return bench_main(argc, argv, &engine);
}
