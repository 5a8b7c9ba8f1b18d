/* dup_bench.c: near-duplicate quality and cost on Reuters-21578.
 *
 *   dup_bench CORPUS.jsonl [--originals N] [--seed S] [--index DIR]
 *
 * 1. A labelled set. N originals (bodies of at least 60 words) are drawn
 *    at random; each gets 1 to 3 rewritten copies, each made by one or two
 *    of the edits real copies show: a sentence dropped, two sentences
 *    swapped, a dateline put in front ("LONDON, March 3 - "), a
 *    correction line appended, the tail cut (10 to 35% of the words).
 *    Hard negatives: per original, two other articles sharing its first
 *    topic (Reuters' own TOPICS), so same-subject, same-house-style text.
 *    Every pair of the set is judged: same family = a true pair.
 * 2. Pair precision and recall of morgue's fingerprint (MinHash, through
 *    morgue_fingerprint_text / morgue_fingerprint_similarity) at several
 *    thresholds, and of 64-bit SimHash over the same shingles (computed
 *    here) at several Hamming distances: the measurement that chose
 *    MinHash.
 * 3. Cost: the fingerprint over every body of the corpus against indexing
 *    the corpus (morgue_writer_add + commit), both timed here.
 * 4. Reuters' own duplicates: morgue_dups() on that index at the default
 *    threshold: clusters, sizes, and a few examples.
 *
 * Prints "key value" lines (and examples) on stdout.
 */
#include "common/bench.h"

#include <morgue.h>
#include <stdlib.h>
#include <string.h>

#include "text/tokenize.h"
#include "util/hash.h"

typedef struct doc {
    char *id, *title, *body;
    char *topic;         /* first topic, or NULL */
    int64_t date;
} doc;

static char **topics;
static size_t n_topics;

static int is_topic(const char *t)
{
    size_t lo = 0, hi = n_topics;
    while (lo < hi) {
        size_t m = (lo + hi) / 2;
        int c = strcmp(topics[m], t);
        if (!c)
            return 1;
        if (c < 0)
            lo = m + 1;
        else
            hi = m;
    }
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void load_topics(const char *path)
{
    FILE *f = fopen(path, "r");
    char line[256];
    size_t cap = 0;
    while (f && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (!*line)
            continue;
        if (n_topics == cap) {
            cap = cap ? 2 * cap : 256;
            topics = realloc(topics, cap * sizeof *topics);
        }
        topics[n_topics++] = strdup(line);
    }
    if (f)
        fclose(f);
    qsort(topics, n_topics, sizeof *topics, cmp_str);
}

static size_t count_words(const char *s)
{
    size_t n = 0;
    tokenizer tk;
    token t;
    tokenizer_init(&tk, s, strlen(s));
    while (tokenizer_next(&tk, &t))
        n++;
    return n;
}

/* ---- rewriting ---- */

typedef struct text {
    char *p;
    size_t n, cap;
} text;

static void put(text *t, const char *s, size_t n)
{
    if (t->n + n + 1 > t->cap) {
        t->cap = (t->n + n + 1) * 2;
        t->p = realloc(t->p, t->cap);
    }
    memcpy(t->p + t->n, s, n);
    t->n += n;
    t->p[t->n] = '\0';
}

/* Sentence spans of s: ends at ". " or ".\n" (a crude but fair split of
 * wire copy). */
static size_t sentences(const char *s, size_t *start, size_t *end,
                        size_t max)
{
    size_t n = 0, b = 0, len = strlen(s);
    for (size_t i = 0; i < len && n < max; i++)
        if (s[i] == '.' && (i + 1 == len || s[i + 1] == ' ' ||
                            s[i + 1] == '\n')) {
            start[n] = b;
            end[n++] = i + 1;
            b = i + 1;
        }
    if (b < len && n < max) {
        start[n] = b;
        end[n++] = len;
    }
    return n;
}

static const char *cities[] = { "LONDON", "NEW YORK", "TOKYO", "CHICAGO",
                                "WASHINGTON", "PARIS", "FRANKFURT" };
static const char *months[] = { "Jan", "Feb", "March", "April", "May",
                                "June" };

enum { E_DROP, E_SWAP, E_DATELINE, E_CORRECTION, E_TAIL, N_EDITS };
static const char *edit_names[] = { "drop", "swap", "dateline",
                                    "correction", "tail" };

static char *apply(const char *body, int edit, bench_rng *r)
{
    size_t st[512], en[512];
    size_t ns = sentences(body, st, en, 512);
    text t = { NULL, 0, 0 };
    put(&t, "", 0);
    if ((edit == E_DROP || edit == E_SWAP) && ns < 3)
        edit = E_CORRECTION;
    switch (edit) {
    case E_DROP: {
        size_t k = 1 + bench_rng_below(r, ns - 1); /* keep the lead */
        for (size_t i = 0; i < ns; i++)
            if (i != k)
                put(&t, body + st[i], en[i] - st[i]);
        break;
    }
    case E_SWAP: {
        size_t k = bench_rng_below(r, ns - 1);
        for (size_t i = 0; i < ns; i++) {
            size_t j = i == k ? k + 1 : i == k + 1 ? k : i;
            put(&t, body + st[j], en[j] - st[j]);
        }
        break;
    }
    case E_DATELINE: {
        char d[64];
        snprintf(d, sizeof d, "%s, %s %d - ",
                 cities[bench_rng_below(r, 7)], months[bench_rng_below(r, 6)],
                 1 + (int)bench_rng_below(r, 28));
        put(&t, d, strlen(d));
        put(&t, body, strlen(body));
        break;
    }
    case E_CORRECTION: {
        static const char *c[] = {
            "\n(Corrects figure in second paragraph to 15 mln from 1.5 mln)",
            "\n(Correction: adds dropped word in fourth paragraph)",
            "\n(Repeats item issued earlier, with headline corrected)",
        };
        put(&t, body, strlen(body));
        const char *x = c[bench_rng_below(r, 3)];
        put(&t, x, strlen(x));
        break;
    }
    case E_TAIL: {
        size_t len = strlen(body);
        double keep = 0.65 + 0.25 * bench_rng_unit(r);
        size_t cut = (size_t)((double)len * keep);
        while (cut < len && body[cut] != ' ' && body[cut] != '\n')
            cut++;
        put(&t, body, cut);
        break;
    }
    }
    return t.p;
}

/* ---- SimHash over the same shingles, for comparison ---- */

static uint64_t simhash(const char *s)
{
    int v[64] = { 0 };
    tokenizer tk;
    token t;
    uint64_t w0 = 0, w1 = 0;
    size_t n = 0;
    tokenizer_init(&tk, s, strlen(s));
    while (tokenizer_next(&tk, &t)) {
        uint64_t w = hash64(t.term, t.len);
        if (n >= 2) {
            uint64_t x = (w0 * 0x9E3779B97F4A7C15ull) ^ (w1 * 0xBF58476D1CE4E5B9ull) ^ w;
            x ^= x >> 31;
            x *= 0x94D049BB133111EBull;
            x ^= x >> 29;
            for (int i = 0; i < 64; i++)
                v[i] += (x >> i) & 1 ? 1 : -1;
        }
        w0 = w1;
        w1 = w;
        n++;
    }
    uint64_t h = 0;
    for (int i = 0; i < 64; i++)
        if (v[i] > 0)
            h |= 1ull << i;
    return h;
}

/* ---- exact resemblance, to vet hard negatives ---- */

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Sorted distinct 3-shingle hashes of s into *out; returns the count. */
static size_t shingles(const char *s, uint64_t **out)
{
    size_t n = 0, cap = 64, k = 0;
    uint64_t *v = malloc(cap * sizeof *v), w0 = 0, w1 = 0;
    tokenizer tk;
    token t;
    tokenizer_init(&tk, s, strlen(s));
    while (tokenizer_next(&tk, &t)) {
        uint64_t w = hash64(t.term, t.len);
        if (k++ >= 2) {
            if (n == cap)
                v = realloc(v, (cap *= 2) * sizeof *v);
            v[n++] = (w0 * 31 + w1) * 0x9E3779B97F4A7C15ull ^ w;
        }
        w0 = w1;
        w1 = w;
    }
    qsort(v, n, sizeof *v, cmp_u64);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!m || v[m - 1] != v[i])
            v[m++] = v[i];
    *out = v;
    return m;
}

/* Exact Jaccard resemblance of the 3-shingle sets of a and b. */
static double exact_jaccard(const char *a, const char *b)
{
    uint64_t *x, *y;
    size_t nx = shingles(a, &x), ny = shingles(b, &y), i = 0, j = 0, both = 0;
    while (i < nx && j < ny)
        if (x[i] == y[j]) {
            both++;
            i++;
            j++;
        } else if (x[i] < y[j]) {
            i++;
        } else {
            j++;
        }
    free(x);
    free(y);
    return nx + ny - both ? (double)both / (double)(nx + ny - both) : 1.0;
}

/* ---- the labelled set ---- */

typedef struct item {
    int family;          /* index of the original; -1 for a negative */
    int edits[2];        /* for copies; -1 unused; original: -2 */
    uint8_t fp[MORGUE_FINGERPRINT_BYTES];
    uint64_t sh;
} item;

int main(int argc, char **argv)
{
    const char *corpus = NULL, *dir = "dup-bench-index";
    const char *topics_file = NULL;
    size_t n_orig = 1000;
    uint64_t seed = 12;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--originals") && i + 1 < argc)
            n_orig = (size_t)atol(argv[++i]);
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
            seed = (uint64_t)atoll(argv[++i]);
        else if (!strcmp(argv[i], "--index") && i + 1 < argc)
            dir = argv[++i];
        else if (!strcmp(argv[i], "--topics") && i + 1 < argc)
            topics_file = argv[++i];
        else
            corpus = argv[i];
    }
    if (!corpus || !topics_file) {
        fprintf(stderr, "usage: dup_bench --topics all-topics-strings.lc.txt "
                        "[--originals N] [--seed S] [--index DIR] "
                        "CORPUS.jsonl\n");
        return 2;
    }
    load_topics(topics_file);
    bench_corpus *c = bench_corpus_open(corpus);
    if (!c)
        return 1;
    doc *docs = NULL;
    size_t n_docs = 0, cap = 0;
    bench_article a;
    /* 3: indexing time, with the articles already in memory */
    while (bench_corpus_next(c, &a) == 1) {
        if (n_docs == cap) {
            cap = cap ? 2 * cap : 1024;
            docs = realloc(docs, cap * sizeof *docs);
        }
        doc *d = &docs[n_docs++];
        d->id = strdup(a.id);
        d->title = strndup(a.title, a.title_len);
        d->body = strndup(a.body, a.body_len);
        d->date = a.epoch;
        d->topic = NULL;
        for (size_t k = 0; k < a.n_tags && !d->topic; k++)
            if (is_topic(a.tags[k]))
                d->topic = strdup(a.tags[k]);
    }
    bench_corpus_close(c);
    printf("corpus_articles %zu\n", n_docs);

    /* ---- cost ---- */
    double t0 = bench_now();
    uint8_t fp[MORGUE_FINGERPRINT_BYTES];
    unsigned sink = 0;
    for (size_t i = 0; i < n_docs; i++) {
        morgue_fingerprint_text(docs[i].body, strlen(docs[i].body), fp);
        sink += fp[0];
    }
    double fp_s = bench_now() - t0;
    t0 = bench_now();
    size_t tokens = 0;
    for (size_t i = 0; i < n_docs; i++)
        tokens += count_words(docs[i].body);
    double tok_s = bench_now() - t0;
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        return 1;
    t0 = bench_now();
    morgue_writer *w;
    if (morgue_writer_open(&w, dir, NULL) != MORGUE_OK) {
        fprintf(stderr, "%s\n", morgue_last_errmsg());
        return 1;
    }
    for (size_t i = 0; i < n_docs; i++) {
        morgue_article ar = MORGUE_ARTICLE_INIT;
        ar.id = docs[i].id;
        ar.title = docs[i].title;
        ar.body = docs[i].body;
        ar.source = "Reuters";
        ar.date = docs[i].date == BENCH_NO_DATE ? MORGUE_NO_DATE : docs[i].date;
        if (morgue_writer_add(w, &ar) != MORGUE_OK)
            return 1;
    }
    if (morgue_writer_commit(w) != MORGUE_OK)
        return 1;
    morgue_writer_close(w);
    double idx_s = bench_now() - t0;
    printf("index_seconds %.3f\n", idx_s);
    printf("fingerprint_seconds_with_tokenizing %.3f\n", fp_s);
    printf("tokenizing_seconds %.3f\n", tok_s);
    /* inside the indexer the tokens are shared: the added cost is the
     * fingerprint minus the tokenizing it does not repeat */
    printf("fingerprint_share_of_indexing %.4f\n",
           (fp_s - tok_s) / (idx_s - (fp_s - tok_s)));
    printf("fingerprint_share_upper_bound %.4f\n",
           fp_s / (idx_s - (fp_s - tok_s)));
    printf("sink %u tokens %zu\n", sink & 1, tokens);

    /* ---- the labelled set ---- */
    bench_rng r;
    bench_rng_seed(&r, seed);
    size_t *eligible = malloc(n_docs * sizeof *eligible);
    size_t n_el = 0;
    for (size_t i = 0; i < n_docs; i++)
        if (docs[i].topic && count_words(docs[i].body) >= 60)
            eligible[n_el++] = i;
    char *used = calloc(n_docs, 1);
    item *it = malloc(n_orig * 6 * sizeof *it);
    char **bodies = malloc(n_orig * 6 * sizeof *bodies);
    size_t n_it = 0;
    size_t fam_size[8192] = { 0 };
    size_t n_fam = 0, vetted_out = 0;
    for (size_t f = 0; f < n_orig && n_fam < 8192; f++) {
        size_t o;
        do
            o = eligible[bench_rng_below(&r, n_el)];
        while (used[o]);
        used[o] = 1;
        int fam = (int)n_fam++;
        it[n_it] = (item){ fam, { -2, -1 }, { 0 }, 0 };
        bodies[n_it++] = docs[o].body;
        fam_size[fam] = 1;
        size_t copies = 1 + bench_rng_below(&r, 3);
        for (size_t k = 0; k < copies; k++) {
            int e1 = (int)bench_rng_below(&r, N_EDITS);
            int e2 = bench_rng_below(&r, 2) ? (int)bench_rng_below(&r, N_EDITS)
                                            : -1;
            char *b = apply(docs[o].body, e1, &r);
            if (e2 >= 0) {
                char *b2 = apply(b, e2, &r);
                free(b);
                b = b2;
            }
            it[n_it] = (item){ fam, { e1, e2 }, { 0 }, 0 };
            bodies[n_it++] = b;
            fam_size[fam]++;
        }
        /* two hard negatives of the same topic; Reuters holds real copies
         * of many of its items (re-runs, corrections), so a candidate
         * whose exact resemblance to the original is 0.3 or more is a copy
         * and not a negative: it is left out (counted) */
        for (int k = 0, tries = 0; k < 2 && tries < 20000; tries++) {
            size_t x = eligible[bench_rng_below(&r, n_el)];
            if (used[x] || strcmp(docs[x].topic, docs[o].topic))
                continue;
            if (exact_jaccard(docs[x].body, docs[o].body) >= 0.3) {
                vetted_out++;
                used[x] = 1;
                continue;
            }
            used[x] = 1;
            it[n_it] = (item){ -1, { -1, -1 }, { 0 }, 0 };
            bodies[n_it++] = docs[x].body;
            k++;
        }
    }
    for (size_t i = 0; i < n_it; i++) {
        morgue_fingerprint_text(bodies[i], strlen(bodies[i]), it[i].fp);
        it[i].sh = simhash(bodies[i]);
    }
    size_t true_pairs = 0;
    for (size_t f = 0; f < n_fam; f++)
        true_pairs += fam_size[f] * (fam_size[f] - 1) / 2;
    printf("set_items %zu families %zu true_pairs %zu "
           "negatives_left_out_as_real_copies %zu\n", n_it, n_fam,
           true_pairs, vetted_out);

    /* MinHash at thresholds; SimHash at distances */
    static const double th[] = { 0.3, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7 };
    enum { NT = sizeof th / sizeof th[0], ND = 25 };
    size_t mh_found[NT] = { 0 }, mh_ok[NT] = { 0 };
    size_t sh_found[ND] = { 0 }, sh_ok[ND] = { 0 };
    size_t miss_by_edit[N_EDITS] = { 0 }, pairs_by_edit[N_EDITS] = { 0 };
    size_t hard_fp = 0, own_copies = 0;
    for (size_t i = 0; i < n_it; i++)
        for (size_t j = i + 1; j < n_it; j++) {
            int same = it[i].family >= 0 && it[i].family == it[j].family;
            double s = morgue_fingerprint_similarity(it[i].fp, it[j].fp);
            int d = __builtin_popcountll(it[i].sh ^ it[j].sh);
            /* A cross-family pair either method would report is checked
             * exactly: Reuters' own copies (exact resemblance >= 0.3)
             * across families are real near-duplicates the labels do not
             * know, so they are left out of the count (and counted). */
            if (!same && (s >= th[0] || d <= 18) &&
                exact_jaccard(bodies[i], bodies[j]) >= 0.3) {
                own_copies++;
                continue;
            }
            for (int k = 0; k < NT; k++)
                if (s >= th[k]) {
                    mh_found[k]++;
                    mh_ok[k] += same;
                }
            for (int k = d; k < ND; k++) {
                sh_found[k]++;
                sh_ok[k] += same;
            }
            /* per edit: original-copy pairs at the default threshold */
            if (same && it[i].edits[0] == -2)
                for (int e = 0; e < 2; e++)
                    if (it[j].edits[e] >= 0) {
                        pairs_by_edit[it[j].edits[e]]++;
                        miss_by_edit[it[j].edits[e]] +=
                            s < MORGUE_DEFAULT_SIMILARITY;
                    }
            if (!same && s >= MORGUE_DEFAULT_SIMILARITY) {
                hard_fp++;
                if (hard_fp <= 5)
                    printf("false pair: exact resemblance %.3f, estimate "
                           "%.3f\n", exact_jaccard(bodies[i], bodies[j]), s);
            }
        }
    for (int k = 0; k < NT; k++)
        printf("minhash threshold %.2f found %zu precision %.4f recall "
               "%.4f%s\n", th[k], mh_found[k],
               mh_found[k] ? (double)mh_ok[k] / mh_found[k] : 1.0,
               (double)mh_ok[k] / true_pairs,
               th[k] == MORGUE_DEFAULT_SIMILARITY ? "  (default)" : "");
    for (int k = 2; k < ND; k += 2)
        printf("simhash hamming<=%d found %zu precision %.4f recall %.4f\n",
               k, sh_found[k],
               sh_found[k] ? (double)sh_ok[k] / sh_found[k] : 1.0,
               (double)sh_ok[k] / true_pairs);
    for (int e = 0; e < N_EDITS; e++)
        printf("edit %s original_copy_pairs %zu missed_at_default %zu\n",
               edit_names[e], pairs_by_edit[e], miss_by_edit[e]);
    printf("false_pairs_at_default %zu\n", hard_fp);
    printf("cross_family_pairs_left_out_as_reuters_own_copies %zu\n",
           own_copies);

    /* ---- Reuters' own duplicates ---- */
    morgue_searcher *s;
    morgue_clusters *cl;
    if (morgue_searcher_open(&s, dir, NULL) != MORGUE_OK)
        return 1;
    t0 = bench_now();
    if (morgue_dups(s, MORGUE_DEFAULT_SIMILARITY, &cl) != MORGUE_OK) {
        fprintf(stderr, "%s\n", morgue_searcher_errmsg(s));
        return 1;
    }
    double dups_s = bench_now() - t0;
    size_t nc = morgue_clusters_count(cl), members = 0, big = 0;
    size_t same_title = 0;
    for (size_t i = 0; i < nc; i++) {
        morgue_cluster k;
        morgue_clusters_get(cl, i, &k);
        members += k.size;
        big += k.size > 2;
        morgue_hits *h;
        morgue_searcher_docs(s, k.docids, k.size, &h);
        char first[256] = "";
        int all_same = 1;
        for (size_t m = 0; morgue_hits_next(h) == MORGUE_OK; m++) {
            const char *p;
            size_t n;
            morgue_hits_field(h, MORGUE_FIELD_TITLE, &p, &n);
            if (m == 0)
                snprintf(first, sizeof first, "%.*s", (int)n, p);
            else if (strlen(first) != n || memcmp(first, p, n))
                all_same = 0;
            if (i < 8 || (i % 40 == 0 && i < 400)) {
                const char *id;
                size_t in;
                morgue_hits_field(h, MORGUE_FIELD_ID, &id, &in);
                printf("  cluster %zu: [%.*s] ", i + 1, (int)in, id);
                for (size_t q = 0; q < n; q++)
                    putchar(p[q] == '\n' ? ' ' : p[q]);
                putchar('\n');
            }
        }
        same_title += all_same;
        morgue_hits_free(h);
    }
    printf("reuters_clusters %zu articles_in_them %zu clusters_over_2 %zu "
           "clusters_all_same_title %zu dups_seconds %.3f\n",
           nc, members, big, same_title, dups_s);
    morgue_clusters_free(cl);
    morgue_searcher_close(s);
    return 0;
}
