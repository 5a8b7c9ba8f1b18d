/* bench.c: the shared half of every benchmark program: input, queries,
 * PRNG, clocks, and the driver that times index / query / cold runs. */
#include "bench.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

const char *const bench_class_names[BQ_N_CLASSES] = {
    "and", "or", "phrase", "date", "facet", "news", "intersection", "union"
};

const char *const bench_mode_names[BM_N_MODES] = {
    "plain", "snippets", "facets", "count"
};

int bench_mode_applies(int cls, int mode)
{
    int game = cls == BQ_INTERSECTION || cls == BQ_UNION;
    return game ? mode == BM_PLAIN || mode == BM_COUNT : mode != BM_COUNT;
}

/* ------------------------------------------------------------------ */
/* Clocks and process figures                                           */

double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

long bench_peak_rss_kib(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return -1;
    return ru.ru_maxrss; /* KiB on Linux */
}

/* Calls fn on every regular file under path. */
static void walk(const char *path, void (*fn)(const char *, const struct stat *,
                                              void *), void *ud)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return;
    if (S_ISREG(st.st_mode)) {
        fn(path, &st, ud);
        return;
    }
    if (!S_ISDIR(st.st_mode))
        return;
    DIR *d = opendir(path);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        size_t n = strlen(path) + strlen(de->d_name) + 2;
        char *sub = malloc(n);
        if (!sub)
            break;
        snprintf(sub, n, "%s/%s", path, de->d_name);
        walk(sub, fn, ud);
        free(sub);
    }
    closedir(d);
}

static void add_size(const char *path, const struct stat *st, void *ud)
{
    (void)path;
    *(uint64_t *)ud += (uint64_t)st->st_size;
}

uint64_t bench_dir_bytes(const char *path)
{
    uint64_t total = 0;
    walk(path, add_size, &total);
    return total;
}

static void evict(const char *path, const struct stat *st, void *ud)
{
    (void)st;
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return;
    fdatasync(fd); /* dirty pages cannot be dropped */
    if (posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) == 0)
        ++*(int *)ud;
    close(fd);
}

int bench_evict_dir(const char *path)
{
    int n = 0;
    walk(path, evict, &n);
    return n;
}

int bench_mkdirs(const char *path)
{
    char tmp[4096];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof tmp) {
        errno = EINVAL;
        return -1;
    }
    memcpy(tmp, path, n + 1);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(tmp, 0777) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    if (mkdir(tmp, 0777) != 0 && errno != EEXIST)
        return -1;
    return 0;
}

/* ------------------------------------------------------------------ */
/* PRNG                                                                 */

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void bench_rng_seed(bench_rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&seed);
}

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t bench_rng_next(bench_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

uint64_t bench_rng_below(bench_rng *r, uint64_t n)
{
    if (n == 0)
        return 0;
    /* Rejection keeps it exactly uniform (and so platform-independent). */
    uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t x;
    do
        x = bench_rng_next(r);
    while (x >= limit);
    return x % n;
}

double bench_rng_unit(bench_rng *r)
{
    return (double)(bench_rng_next(r) >> 11) * 0x1.0p-53;
}

/* ------------------------------------------------------------------ */
/* Dates (Howard Hinnant's civil calendar algorithms)                   */

int64_t bench_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

void bench_civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t yy = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)(yy + (*m <= 2));
}

static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 1;
}

int64_t bench_parse_iso(const char *s)
{
    int y, mo, d, hh = 0, mi = 0, ss = 0;
    if (!s || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) ||
        s[7] != '-' || !digits(s + 8, 2, &d))
        return BENCH_NO_DATE;
    if (mo < 1 || mo > 12 || d < 1 || d > 31)
        return BENCH_NO_DATE;
    const char *p = s + 10;
    int64_t off = 0;
    if (*p == 'T' || *p == ' ') {
        if (!digits(p + 1, 2, &hh) || p[3] != ':' || !digits(p + 4, 2, &mi))
            return BENCH_NO_DATE;
        p += 6;
        if (*p == ':') {
            if (!digits(p + 1, 2, &ss))
                return BENCH_NO_DATE;
            p += 3;
            if (*p == '.' || *p == ',')
                for (p++; *p >= '0' && *p <= '9'; p++)
                    ;
        }
        if (*p == '+' || *p == '-') {
            int oh, om = 0;
            if (!digits(p + 1, 2, &oh))
                return BENCH_NO_DATE;
            const char *q = p + 3;
            if (*q == ':')
                q++;
            if (!digits(q, 2, &om))
                om = 0;
            off = (int64_t)(oh * 3600 + om * 60) * (*p == '-' ? -1 : 1);
        }
    }
    return bench_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 +
           hh * 3600 + mi * 60 + ss - off;
}

void bench_format_iso(int64_t t, char *buf)
{
    int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    int64_t secs = t - days * 86400;
    int y;
    unsigned m, d;
    bench_civil_from_days(days, &y, &m, &d);
    unsigned hms = (unsigned)secs;
    snprintf(buf, 32, "%04u-%02u-%02uT%02u:%02u:%02uZ",
             (unsigned)(y < 0 ? 0 : y % 10000), m % 100, d % 100,
             hms / 3600 % 24, hms / 60 % 60, hms % 60);
}

/* ------------------------------------------------------------------ */
/* JSON output                                                          */

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t len;
    unsigned min;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
        min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        min = 0x10000;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    unsigned cp = c & (0x7f >> len);
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

void bench_json_string(FILE *f, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    putc('"', f);
    for (size_t i = 0; i < n;) {
        unsigned c = p[i];
        if (c == '"' || c == '\\') {
            putc('\\', f);
            putc((int)c, f);
            i++;
        } else if (c == '\n') {
            fputs("\\n", f);
            i++;
        } else if (c == '\t') {
            fputs("\\t", f);
            i++;
        } else if (c < 0x20 || c == 0x7f) {
            i++; /* control characters: dropped */
        } else if (c < 0x80) {
            putc((int)c, f);
            i++;
        } else {
            size_t len = utf8_len(p + i, n - i);
            if (len) {
                fwrite(p + i, 1, len, f);
                i += len;
            } else { /* Latin-1 byte: re-encode */
                if (c >= 0xa0) {
                    putc((int)(0xc0 | (c >> 6)), f);
                    putc((int)(0x80 | (c & 0x3f)), f);
                }
                i++; /* C1 controls 0x80-0x9f dropped */
            }
        }
    }
    putc('"', f);
}

/* ------------------------------------------------------------------ */
/* Corpus reader                                                         */

struct bench_corpus {
    FILE *f;
    char *line;
    size_t cap;
    uint64_t lineno;
    json_t *root;          /* current article's JSON, kept alive */
    const char **tags;
    size_t tags_cap;
    char idbuf[32];        /* numeric ids printed here */
    double seconds;
    uint64_t text_bytes;
    const char *path;
};

bench_corpus *bench_corpus_open(const char *path)
{
    bench_corpus *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->f = fopen(path, "rb");
    if (!c->f) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        free(c);
        return NULL;
    }
    c->path = path;
    return c;
}

static const char *str_field(json_t *o, const char *key, size_t *len)
{
    json_t *v = json_object_get(o, key);
    if (json_is_string(v)) {
        if (len)
            *len = json_string_length(v);
        return json_string_value(v);
    }
    if (len)
        *len = 0;
    return "";
}

int bench_corpus_next(bench_corpus *c, bench_article *a)
{
    double t0 = bench_now();
    int rc = 0;
    json_decref(c->root);
    c->root = NULL;
    for (;;) {
        ssize_t n = getline(&c->line, &c->cap, c->f);
        if (n < 0)
            goto out;
        c->lineno++;
        while (n > 0 && (c->line[n - 1] == '\n' || c->line[n - 1] == '\r'))
            n--;
        if (n == 0)
            continue;
        json_error_t err;
        c->root = json_loadb(c->line, (size_t)n, 0, &err);
        if (!json_is_object(c->root)) {
            fprintf(stderr, "%s:%llu: %s\n", c->path,
                    (unsigned long long)c->lineno,
                    c->root ? "not an object" : err.text);
            rc = -1;
            goto out;
        }
        break;
    }
    memset(a, 0, sizeof *a);
    json_t *id = json_object_get(c->root, "id");
    if (json_is_integer(id)) {
        snprintf(c->idbuf, sizeof c->idbuf, "%lld",
                 (long long)json_integer_value(id));
        a->id = c->idbuf;
    } else {
        a->id = str_field(c->root, "id", NULL);
    }
    a->title = str_field(c->root, "title", &a->title_len);
    a->body = str_field(c->root, "body", &a->body_len);
    a->source = str_field(c->root, "source", NULL);
    a->date = str_field(c->root, "date", NULL);
    a->epoch = bench_parse_iso(a->date);
    if (a->epoch != BENCH_NO_DATE) {
        memcpy(a->ymd, a->date, 4);
        memcpy(a->ymd + 4, a->date + 5, 2);
        memcpy(a->ymd + 6, a->date + 8, 2);
        memcpy(a->month, a->date, 7);
    }
    json_t *tags = json_object_get(c->root, "tags");
    size_t nt = json_is_array(tags) ? json_array_size(tags) : 0;
    if (nt > c->tags_cap) {
        const char **t = realloc(c->tags, nt * sizeof *t);
        if (!t) {
            rc = -1;
            goto out;
        }
        c->tags = t;
        c->tags_cap = nt;
    }
    for (size_t i = 0; i < nt; i++) {
        json_t *v = json_array_get(tags, i);
        if (json_is_string(v))
            c->tags[a->n_tags++] = json_string_value(v);
    }
    a->tags = c->tags;
    a->line = c->lineno;
    c->text_bytes += a->title_len + a->body_len;
    rc = 1;
out:
    c->seconds += bench_now() - t0;
    return rc;
}

double bench_corpus_seconds(const bench_corpus *c) { return c->seconds; }

uint64_t bench_corpus_text_bytes(const bench_corpus *c)
{
    return c->text_bytes;
}

void bench_corpus_close(bench_corpus *c)
{
    if (!c)
        return;
    json_decref(c->root);
    if (c->f)
        fclose(c->f);
    free(c->line);
    free(c->tags);
    free(c);
}

/* ------------------------------------------------------------------ */
/* Query set                                                             */

int bench_class_is_and(int cls)
{
    return cls == BQ_AND || cls == BQ_NEWS || cls == BQ_INTERSECTION;
}

int bench_class_is_or(int cls)
{
    return cls == BQ_OR || cls == BQ_UNION;
}

static int class_by_name(const char *s, size_t n)
{
    for (int i = 0; i < BQ_N_CLASSES; i++)
        if (strlen(bench_class_names[i]) == n &&
            !memcmp(bench_class_names[i], s, n))
            return i;
    return -1;
}

static int valid_day(const char *s, size_t n)
{
    if (n != 10)
        return 0;
    char tmp[11];
    memcpy(tmp, s, 10);
    tmp[10] = '\0';
    return bench_parse_iso(tmp) != BENCH_NO_DATE;
}

/* Parses "key=value key=value" into q. */
static int parse_extra(bench_query *q, const char *s)
{
    while (*s) {
        while (*s == ' ')
            s++;
        if (!*s)
            break;
        const char *end = s + strcspn(s, " ");
        const char *eq = memchr(s, '=', (size_t)(end - s));
        if (!eq)
            return -1;
        size_t kl = (size_t)(eq - s), vl = (size_t)(end - eq - 1);
        if (kl == 4 && !memcmp(s, "from", 4) && valid_day(eq + 1, vl))
            memcpy(q->from, eq + 1, 10);
        else if (kl == 2 && !memcmp(s, "to", 2) && valid_day(eq + 1, vl))
            memcpy(q->to, eq + 1, 10);
        else if (kl == 5 && !memcmp(s, "facet", 5) && vl == 5 &&
                 !memcmp(eq + 1, "month", 5))
            q->facet_month = 1;
        else
            return -1;
        s = end;
    }
    return 0;
}

static int split_words(bench_query *q)
{
    size_t cap = 1;
    for (const char *p = q->text; *p; p++)
        cap += *p == ' ';
    q->words = calloc(cap, sizeof *q->words);
    if (!q->words)
        return -1;
    const char *p = q->text;
    while (*p) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        size_t n = strcspn(p, " ");
        char *w = malloc(n + 1);
        if (!w)
            return -1;
        memcpy(w, p, n);
        w[n] = '\0';
        q->words[q->n_words++] = w;
        p += n;
    }
    return q->n_words ? 0 : -1;
}

int bench_queries_load(bench_queries *qs, const char *path)
{
    memset(qs, 0, sizeof *qs);
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        return -1;
    }
    char *line = NULL;
    size_t cap = 0, lineno = 0, alloc = 0;
    ssize_t n;
    int rc = 0;
    while ((n = getline(&line, &cap, f)) >= 0) {
        lineno++;
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (n == 0 || line[0] == '#')
            continue;
        char *t1 = strchr(line, '\t');
        char *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
        int cls = t1 ? class_by_name(line, (size_t)(t1 - line)) : -1;
        if (cls < 0) {
            fprintf(stderr, "%s:%zu: bad class\n", path, lineno);
            rc = -1;
            break;
        }
        if (qs->n == alloc) {
            alloc = alloc ? alloc * 2 : 256;
            bench_query *nq = realloc(qs->q, alloc * sizeof *nq);
            if (!nq) {
                rc = -1;
                break;
            }
            qs->q = nq;
        }
        bench_query *q = &qs->q[qs->n++];
        memset(q, 0, sizeof *q);
        q->cls = cls;
        q->line = lineno;
        size_t wl = t2 ? (size_t)(t2 - t1 - 1) : strlen(t1 + 1);
        q->text = strndup(t1 + 1, wl);
        if (!q->text || split_words(q) != 0 ||
            (t2 && parse_extra(q, t2 + 1) != 0)) {
            fprintf(stderr, "%s:%zu: bad query\n", path, lineno);
            rc = -1;
            break;
        }
        if (cls == BQ_DATE && (!q->from[0] || !q->to[0])) {
            fprintf(stderr, "%s:%zu: date query without from/to\n", path,
                    lineno);
            rc = -1;
            break;
        }
    }
    free(line);
    fclose(f);
    if (rc == 0 && qs->n == 0) {
        fprintf(stderr, "%s: no queries\n", path);
        rc = -1;
    }
    if (rc != 0)
        bench_queries_free(qs);
    return rc;
}

void bench_queries_free(bench_queries *qs)
{
    for (size_t i = 0; i < qs->n; i++) {
        for (size_t j = 0; j < qs->q[i].n_words; j++)
            free(qs->q[i].words[j]);
        free(qs->q[i].words);
        free(qs->q[i].text);
    }
    free(qs->q);
    memset(qs, 0, sizeof *qs);
}

/* ------------------------------------------------------------------ */
/* Driver                                                                */

void bench_emit(const char *engine, const char *corpus, const char *metric,
                double value)
{
    if (value == (double)(int64_t)value && fabs(value) < 1e15)
        printf("%s,%s,%s,%.0f\n", engine, corpus, metric, value);
    else
        printf("%s,%s,%s,%.6g\n", engine, corpus, metric, value);
    fflush(stdout);
}

void bench_result_add_id(bench_result *r, const char *id, size_t len)
{
    if (r->n_ids >= BENCH_TOPK)
        return;
    if (len >= BENCH_ID_MAX)
        len = BENCH_ID_MAX - 1;
    memcpy(r->ids[r->n_ids], id, len);
    r->ids[r->n_ids][len] = '\0';
    r->n_ids++;
}

typedef struct opts {
    const char *label;
    int reps;
    const char *top;
    const char *per_query; /* query mode: each query's median, a line each */
    size_t max_per_class;
    int evict;
    size_t depth;
} opts;

static int parse_opts(int argc, char **argv, int first, opts *o)
{
    o->label = "corpus";
    o->reps = 5;
    o->top = NULL;
    o->per_query = NULL;
    o->max_per_class = 0;
    o->evict = 0;
    o->depth = 1000;
    for (int i = first; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--label") && i + 1 < argc)
            o->label = argv[++i];
        else if (!strcmp(a, "--reps") && i + 1 < argc)
            o->reps = atoi(argv[++i]);
        else if (!strcmp(a, "--top") && i + 1 < argc)
            o->top = argv[++i];
        else if (!strcmp(a, "--per-query") && i + 1 < argc)
            o->per_query = argv[++i];
        else if (!strcmp(a, "--max-per-class") && i + 1 < argc)
            o->max_per_class = (size_t)atol(argv[++i]);
        else if (!strcmp(a, "--depth") && i + 1 < argc)
            o->depth = (size_t)atol(argv[++i]);
        else if (!strcmp(a, "--evict"))
            o->evict = 1;
        else {
            fprintf(stderr, "unknown option %s\n", a);
            return -1;
        }
    }
    if (o->reps < 1)
        o->reps = 1;
    return 0;
}

static int run_index(const bench_engine *e, const char *corpus,
                     const char *dir, const opts *o)
{
    bench_corpus *c = bench_corpus_open(corpus);
    if (!c)
        return 1;
    if (bench_mkdirs(dir) != 0) {
        fprintf(stderr, "%s: %s\n", dir, strerror(errno));
        bench_corpus_close(c);
        return 1;
    }
    double t0 = bench_now();
    void *w = e->writer_open(dir);
    if (!w) {
        bench_corpus_close(c);
        return 1;
    }
    bench_article a;
    uint64_t n = 0;
    int rc, failed = 0;
    while ((rc = bench_corpus_next(c, &a)) == 1) {
        if (e->add(w, &a) != 0) {
            fprintf(stderr, "%s: adding line %llu failed\n", e->name,
                    (unsigned long long)a.line);
            failed = 1;
            break;
        }
        n++;
    }
    double t_added = bench_now();
    if (e->writer_finish(w) != 0)
        failed = 1;
    double t1 = bench_now();
    if (rc < 0)
        failed = 1;
    double parse = bench_corpus_seconds(c);
    uint64_t text = bench_corpus_text_bytes(c);
    bench_corpus_close(c);
    if (failed)
        return 1;
    double engine_s = t1 - t0 - parse;
    uint64_t bytes = bench_dir_bytes(dir);
    const char *L = o->label;
    bench_emit(e->name, L, "index.articles", (double)n);
    bench_emit(e->name, L, "index.text_bytes", (double)text);
    bench_emit(e->name, L, "index.wall_s", t1 - t0);
    bench_emit(e->name, L, "index.parse_s", parse);
    bench_emit(e->name, L, "index.engine_s", engine_s);
    bench_emit(e->name, L, "index.finish_s", t1 - t_added);
    bench_emit(e->name, L, "index.articles_per_s", (double)n / engine_s);
    bench_emit(e->name, L, "index.mb_per_s", (double)text / 1e6 / engine_s);
    bench_emit(e->name, L, "index.peak_rss_mib",
               (double)bench_peak_rss_kib() / 1024.0);
    bench_emit(e->name, L, "index.bytes", (double)bytes);
    bench_emit(e->name, L, "index.bytes_per_text_byte",
               text ? (double)bytes / (double)text : 0.0);
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Nearest-rank percentile of sorted v[0..n). */
static double pct(const double *v, size_t n, double p)
{
    size_t k = (size_t)ceil(p * (double)n);
    if (k < 1)
        k = 1;
    if (k > n)
        k = n;
    return v[k - 1];
}

static void emit_stats(const bench_engine *e, const char *label,
                       const char *cls, const char *mode, double *us,
                       size_t n)
{
    if (n == 0)
        return;
    char m[128];
    qsort(us, n, sizeof *us, cmp_double);
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += us[i];
    static const struct { const char *name; double p; } ps[] = {
        { "p50_us", 0.50 }, { "p95_us", 0.95 }, { "p99_us", 0.99 }
    };
    for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++) {
        snprintf(m, sizeof m, "query.%s.%s.%s", cls, mode, ps[i].name);
        bench_emit(e->name, label, m, pct(us, n, ps[i].p));
    }
    snprintf(m, sizeof m, "query.%s.%s.mean_us", cls, mode);
    bench_emit(e->name, label, m, sum / (double)n);
    snprintf(m, sizeof m, "query.%s.%s.n", cls, mode);
    bench_emit(e->name, label, m, (double)n);
}

/* Picks at most max_per_class queries of each class (all when 0). */
static size_t select_queries(const bench_queries *qs, size_t max_per_class,
                             const bench_query **sel)
{
    size_t per[BQ_N_CLASSES] = { 0 }, n = 0;
    for (size_t i = 0; i < qs->n; i++) {
        const bench_query *q = &qs->q[i];
        if (max_per_class && per[q->cls] >= max_per_class)
            continue;
        per[q->cls]++;
        sel[n++] = q;
    }
    return n;
}

static void write_top(FILE *f, size_t i, const bench_query *q,
                      const bench_result *r)
{
    fprintf(f, "%zu\t%s\t%s\t", i, bench_class_names[q->cls], q->text);
    for (size_t k = 0; k < r->n_ids; k++)
        fprintf(f, "%s%s", k ? " " : "", r->ids[k]);
    fputc('\n', f);
}

/* Median of v[0..n), which it sorts. */
static double median(double *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int run_queries(const bench_engine *e, const char *dir,
                       const char *qpath, const opts *o)
{
    bench_queries qs;
    if (bench_queries_load(&qs, qpath) != 0)
        return 1;
    const bench_query **sel = malloc(qs.n * sizeof *sel);
    size_t reps = (size_t)o->reps;
    /* t[(mode * n + i) * reps + pass - 1]: time of query i in mode. */
    double *t = malloc(BM_N_MODES * qs.n * reps * sizeof *t);
    char *ran = calloc(BM_N_MODES * qs.n, 1); /* every pass succeeded */
    double *cls_us = malloc((qs.n + 1) * sizeof *cls_us);
    double *all_us = malloc((qs.n + 1) * sizeof *all_us);
    size_t *plain_ids = calloc(qs.n + 1, sizeof *plain_ids);
    if (!sel || !t || !ran || !cls_us || !all_us || !plain_ids) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    size_t n = select_queries(&qs, o->max_per_class, sel);
    void *s = e->searcher_open(dir);
    if (!s)
        return 1;
    FILE *top = NULL, *perq = NULL;
    if (o->top && !(top = fopen(o->top, "w"))) {
        fprintf(stderr, "%s: %s\n", o->top, strerror(errno));
        return 1;
    }
    if (o->per_query && !(perq = fopen(o->per_query, "w"))) {
        fprintf(stderr, "%s: %s\n", o->per_query, strerror(errno));
        return 1;
    }
    int failed = 0;
    uint64_t errors = 0, facet_mismatch = 0;
    bench_result r;
    /* Pass 0 warms the caches (and writes the top 10s); then reps timed
     * passes, each running every mode over all queries in file order: a
     * query is timed after other queries, never right after itself, and
     * noise from the rest of the machine falls on all modes alike. */
    for (size_t pass = 0; pass <= reps; pass++) {
        for (int mode = 0; mode < BM_N_MODES; mode++) {
            for (size_t i = 0; i < n; i++) {
                const bench_query *q = sel[i];
                char *ok = &ran[(size_t)mode * n + i];
                if (!bench_mode_applies(q->cls, mode) ||
                    !e->supports(s, q->cls, mode) || (pass > 0 && !*ok))
                    continue;
                memset(&r, 0, sizeof r);
                double t0 = bench_now();
                int rc = e->run(s, q, mode, &r);
                double dt = (bench_now() - t0) * 1e6;
                if (rc != 0) {
                    fprintf(stderr, "%s: query %s \"%s\" (line %zu, %s) "
                            "failed\n", e->name, bench_class_names[q->cls],
                            q->text, q->line, bench_mode_names[mode]);
                    errors++;
                    *ok = 0;
                    continue;
                }
                if (pass > 0) {
                    t[((size_t)mode * n + i) * reps + pass - 1] = dt;
                    continue;
                }
                *ok = 1;
                if (mode == BM_SNIPPETS && r.n_ids > 0 &&
                    r.snippet_bytes == 0)
                    fprintf(stderr, "%s: no snippets for \"%s\"\n",
                            e->name, q->text);
                if (mode == BM_FACETS && r.n_ids > 0 &&
                    r.facet_total < r.n_ids)
                    facet_mismatch++;
                if (mode == BM_COUNT && r.count < plain_ids[i])
                    facet_mismatch++; /* fewer matches than top hits */
                if (mode == BM_PLAIN)
                    plain_ids[i] = r.n_ids;
                if (top && mode == BM_PLAIN)
                    write_top(top, i, q, &r);
            }
        }
    }
    /* A query's latency is the median of its timed passes, which keeps
     * one unlucky time slice on a busy machine out of the numbers; the
     * percentiles are over the queries of a class. */
    for (int mode = 0; mode < BM_N_MODES; mode++) {
        const char *mn = bench_mode_names[mode];
        size_t nall = 0;
        for (int c = 0; c < BQ_N_CLASSES; c++) {
            size_t nc = 0;
            for (size_t i = 0; i < n; i++) {
                if (sel[i]->cls != c || !ran[(size_t)mode * n + i])
                    continue;
                double m = median(&t[((size_t)mode * n + i) * reps], reps);
                cls_us[nc++] = m;
                if (perq) /* which queries make a class's tail */
                    fprintf(perq, "%s\t%s\t%.1f\t%s\n",
                            bench_class_names[c], mn, m, sel[i]->text);
                if (c < BQ_INTERSECTION) /* "all": the classes it had */
                    all_us[nall++] = m;
            }
            emit_stats(e, o->label, bench_class_names[c], mn, cls_us, nc);
        }
        emit_stats(e, o->label, "all", mn, all_us, nall);
    }
    if (facet_mismatch) {
        fprintf(stderr, "%s: %llu facet or count answers count fewer "
                "matches than hits\n", e->name,
                (unsigned long long)facet_mismatch);
        failed = 1;
    }
    bench_emit(e->name, o->label, "query.errors", (double)errors);
    if (errors)
        failed = 1;
    e->searcher_close(s);
    if (top)
        fclose(top);
    if (perq)
        fclose(perq);
    free(plain_ids);
    free(all_us);
    free(cls_us);
    free(ran);
    free(t);
    free(sel);
    bench_queries_free(&qs);
    return failed;
}

/* Cold start: open the index and answer the first AND query, in this fresh
 * process; with --evict the index files are first dropped from the page
 * cache so the open reads from disk. */
static int run_cold(const bench_engine *e, const char *dir,
                    const char *qpath, const opts *o)
{
    bench_queries qs;
    if (bench_queries_load(&qs, qpath) != 0)
        return 1;
    const bench_query *q = &qs.q[0];
    for (size_t i = 0; i < qs.n; i++)
        if (qs.q[i].cls == BQ_AND) {
            q = &qs.q[i];
            break;
        }
    if (o->evict && bench_evict_dir(dir) == 0)
        fprintf(stderr, "%s: nothing evicted under %s\n", e->name, dir);
    double t0 = bench_now();
    void *s = e->searcher_open(dir);
    if (!s) {
        bench_queries_free(&qs);
        return 1;
    }
    double t1 = bench_now();
    bench_result r;
    memset(&r, 0, sizeof r);
    int rc = e->run(s, q, BM_PLAIN, &r);
    double t2 = bench_now();
    e->searcher_close(s);
    bench_queries_free(&qs);
    if (rc != 0)
        return 1;
    const char *pre = o->evict ? "cold.evicted" : "cold.cached";
    char m[64];
    snprintf(m, sizeof m, "%s.open_us", pre);
    bench_emit(e->name, o->label, m, (t1 - t0) * 1e6);
    snprintf(m, sizeof m, "%s.first_query_us", pre);
    bench_emit(e->name, o->label, m, (t2 - t1) * 1e6);
    snprintf(m, sizeof m, "%s.total_us", pre);
    bench_emit(e->name, o->label, m, (t2 - t0) * 1e6);
    return 0;
}

typedef struct rank_out {
    const char *qid, *label;
    size_t rank;
} rank_out;

/* One line of a TREC run. Ids are written up to their first blank. */
static void rank_emit(void *ud, const char *id, size_t len, double score)
{
    rank_out *r = ud;
    size_t n = 0;
    while (n < len && id[n] != ' ' && id[n] != '\t' && id[n] != '\n')
        n++;
    printf("%s Q0 %.*s %zu %.9g %s\n", r->qid, (int)n, id, ++r->rank,
           score, r->label);
}

/* Ranking quality: every question of qpath, top o->depth, as a TREC run
 * on stdout. */
static int run_rank(const bench_engine *e, const char *dir,
                    const char *qpath, const opts *o)
{
    if (!e->rank) {
        fprintf(stderr, "%s: no rank mode\n", e->name);
        return 1;
    }
    FILE *f = fopen(qpath, "r");
    if (!f) {
        fprintf(stderr, "%s: %s\n", qpath, strerror(errno));
        return 1;
    }
    void *s = e->searcher_open(dir);
    if (!s) {
        fclose(f);
        return 1;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    int failed = 0;
    while ((got = getline(&line, &cap, f)) > 0) {
        while (got > 0 && (line[got - 1] == '\n' || line[got - 1] == '\r'))
            line[--got] = '\0';
        char *tab = strchr(line, '\t');
        if (!tab || line[0] == '#')
            continue;
        *tab = '\0';
        rank_out r = { line, o->label, 0 };
        if (e->rank(s, tab + 1, o->depth, rank_emit, &r) != 0) {
            fprintf(stderr, "%s: question %s failed\n", e->name, line);
            failed = 1;
        }
    }
    free(line);
    fclose(f);
    e->searcher_close(s);
    fflush(stdout);
    return failed;
}

static void usage(const char *prog)
{
    fprintf(stderr,
            "usage: %s index CORPUS.jsonl DBDIR [--label L]\n"
            "       %s query DBDIR QUERIES.tsv [--label L] [--reps N]"
            " [--top FILE] [--per-query FILE] [--max-per-class N]\n"
            "       %s cold DBDIR QUERIES.tsv [--label L] [--evict]\n"
            "       %s rank DBDIR QUESTIONS.tsv [--label L] [--depth N]\n"
            "       %s version\n", prog, prog, prog, prog, prog);
}

int bench_main(int argc, char **argv, const bench_engine *e)
{
    opts o;
    if (argc >= 2 && !strcmp(argv[1], "version")) {
        printf("%s\n", e->version());
        return 0;
    }
    if (argc < 4 || parse_opts(argc, argv, 4, &o) != 0) {
        usage(argv[0]);
        return 2;
    }
    if (!strcmp(argv[1], "index"))
        return run_index(e, argv[2], argv[3], &o);
    if (!strcmp(argv[1], "query"))
        return run_queries(e, argv[2], argv[3], &o);
    if (!strcmp(argv[1], "cold"))
        return run_cold(e, argv[2], argv[3], &o);
    if (!strcmp(argv[1], "rank"))
        return run_rank(e, argv[2], argv[3], &o);
    usage(argv[0]);
    return 2;
}
