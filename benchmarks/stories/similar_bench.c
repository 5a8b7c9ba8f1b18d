/* similar_bench.c: "more like this" judged by Reuters-21578 topics.
 *
 *   similar_bench --topics all-topics-strings.lc.txt [--queries N]
 *                 [--seed S] [--index DIR] [--ids OUT] CORPUS.jsonl
 *
 * Indexes the corpus through the public API, draws N articles that have
 * a topic (seed S), asks morgue_similar() for 10 articles like each, and
 * reports P@10: the share of those 10 that have a topic in common with
 * the article asked about (missing answers count as wrong). The drawn
 * ids go to OUT, one a line, so peers/xapian_similar.cc asks Xapian about
 * the same articles. Prints "key value" lines.
 */
#include "common/bench.h"

#include <morgue.h>
#include <stdlib.h>
#include <string.h>

static char **topics;
static size_t n_topics;

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int is_topic(const char *t)
{
    return n_topics &&
           bsearch(&t, topics, n_topics, sizeof *topics, cmp_str) != NULL;
}

typedef struct doc {
    char *id;
    char *topics;        /* "\ntopic\ntopic\n", or NULL */
} doc;

/* 1 when the two "\n"-framed lists share an entry. */
static int share(const char *a, const char *b)
{
    for (const char *p = a; *p;) {
        const char *e = strchr(p + 1, '\n');
        if (!e)
            break;
        char buf[128];
        size_t n = (size_t)(e - p) + 1;
        if (n < sizeof buf) {
            memcpy(buf, p, n);
            buf[n] = '\0';
            if (strstr(b, buf))
                return 1;
        }
        p = e;
    }
    return 0;
}

int main(int argc, char **argv)
{
    const char *corpus = NULL, *dir = "similar-bench-index", *ids = NULL;
    const char *topics_file = NULL;
    size_t n_q = 500;
    uint64_t seed = 7;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--queries") && i + 1 < argc)
            n_q = (size_t)atol(argv[++i]);
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
            seed = (uint64_t)atoll(argv[++i]);
        else if (!strcmp(argv[i], "--index") && i + 1 < argc)
            dir = argv[++i];
        else if (!strcmp(argv[i], "--ids") && i + 1 < argc)
            ids = argv[++i];
        else if (!strcmp(argv[i], "--topics") && i + 1 < argc)
            topics_file = argv[++i];
        else
            corpus = argv[i];
    }
    if (!corpus || !topics_file) {
        fprintf(stderr, "usage: similar_bench --topics FILE [--queries N] "
                        "[--seed S] [--index DIR] [--ids OUT] CORPUS\n");
        return 2;
    }
    FILE *tf = fopen(topics_file, "r");
    char line[256];
    size_t cap = 0;
    while (tf && fgets(line, sizeof line, tf)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (!*line)
            continue;
        if (n_topics == cap)
            topics = realloc(topics, (cap = cap ? 2 * cap : 256) *
                                         sizeof *topics);
        topics[n_topics++] = strdup(line);
    }
    if (tf)
        fclose(tf);
    qsort(topics, n_topics, sizeof *topics, cmp_str);

    char cmd[4096];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        return 1;
    morgue_writer *w;
    if (morgue_writer_open(&w, dir, NULL) != MORGUE_OK)
        return 1;
    bench_corpus *c = bench_corpus_open(corpus);
    if (!c)
        return 1;
    doc *docs = NULL;
    size_t n = 0, dcap = 0;
    bench_article a;
    while (bench_corpus_next(c, &a) == 1) {
        if (n == dcap)
            docs = realloc(docs, (dcap = dcap ? 2 * dcap : 1024) *
                                     sizeof *docs);
        char t[4096] = "\n";
        for (size_t k = 0; k < a.n_tags; k++)
            if (is_topic(a.tags[k]) && strlen(t) + strlen(a.tags[k]) + 2 <
                                           sizeof t) {
                strcat(t, a.tags[k]);
                strcat(t, "\n");
            }
        docs[n].id = strdup(a.id);
        docs[n].topics = t[1] ? strdup(t) : NULL;
        n++;
        morgue_article ar = MORGUE_ARTICLE_INIT;
        ar.id = a.id;
        ar.title = a.title;
        ar.body = a.body;
        ar.date = a.epoch == BENCH_NO_DATE ? MORGUE_NO_DATE : a.epoch;
        if (morgue_writer_add(w, &ar) != MORGUE_OK)
            return 1;
    }
    bench_corpus_close(c);
    if (morgue_writer_commit(w) != MORGUE_OK)
        return 1;
    morgue_writer_close(w);

    morgue_searcher *s;
    if (morgue_searcher_open(&s, dir, NULL) != MORGUE_OK)
        return 1;
    bench_rng r;
    bench_rng_seed(&r, seed);
    FILE *out = ids ? fopen(ids, "w") : NULL;
    double sum = 0, t0 = bench_now();
    size_t asked = 0, answers = 0;
    char *picked = calloc(n, 1);
    while (asked < n_q) {
        size_t i = bench_rng_below(&r, n);
        if (!docs[i].topics || picked[i])
            continue;
        picked[i] = 1;
        morgue_hits *g, *h;
        if (morgue_searcher_get(s, docs[i].id, &g) != MORGUE_OK ||
            morgue_hits_next(g) != MORGUE_OK)
            return 1;
        morgue_query_opts o = MORGUE_QUERY_OPTS_INIT;
        o.limit = 10;
        o.no_snippets = 1;
        if (morgue_similar(s, morgue_hits_docid(g), &o, &h) != MORGUE_OK) {
            fprintf(stderr, "%s\n", morgue_searcher_errmsg(s));
            return 1;
        }
        morgue_hits_free(g);
        int good = 0;
        while (morgue_hits_next(h) == MORGUE_OK) {
            const char *p;
            size_t len;
            morgue_hits_field(h, MORGUE_FIELD_ID, &p, &len);
            answers++;
            /* ids are the corpus' line order: find by scanning is slow,
             * so look the topics up by the global id (same order) */
            uint64_t d = morgue_hits_docid(h);
            if (d < n && docs[d].topics && strlen(docs[d].id) == len &&
                !memcmp(docs[d].id, p, len))
                good += share(docs[i].topics, docs[d].topics);
            else
                for (size_t k = 0; k < n; k++)
                    if (strlen(docs[k].id) == len &&
                        !memcmp(docs[k].id, p, len)) {
                        good += docs[k].topics &&
                                share(docs[i].topics, docs[k].topics);
                        break;
                    }
        }
        morgue_hits_free(h);
        sum += good / 10.0;
        if (out)
            fprintf(out, "%s\n", docs[i].id);
        asked++;
    }
    if (out)
        fclose(out);
    printf("engine morgue queries %zu answers %zu p_at_10 %.4f "
           "seconds_per_query %.4f\n", asked, answers, sum / asked,
           (bench_now() - t0) / asked);
    morgue_searcher_close(s);
    return 0;
}
