/* fts5_bench.c: SQLite FTS5 set up as a typical user would, timed by the
 * shared driver (common/bench.c).
 *
 * Schema: the articles live in an ordinary table (dates as ISO 8601 text,
 * indexed); an external-content FTS5 table indexes their title and body
 * with the porter stemmer over unicode61, so the text is stored once.
 * Bulk load in one transaction, then 'optimize' (merge to one b-tree), as
 * the FTS5 documentation suggests after a bulk load. Searches read the
 * file through mmap (PRAGMA mmap_size). Ranking with
 * bm25(t, 10.0, 1.0) (title weighted), snippets with snippet() from the
 * best-matching column, the date
 * filter on the date column, month facets with GROUP BY substr(date,1,7)
 * over the matches.
 */
#include "common/bench.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

static const char *schema =
    "CREATE TABLE articles(id INTEGER PRIMARY KEY, ext_id TEXT, title TEXT,"
    " date TEXT, source TEXT, tags TEXT, body TEXT);"
    "CREATE INDEX articles_date ON articles(date);"
    "CREATE VIRTUAL TABLE articles_fts USING fts5(title, body,"
    " content='articles', content_rowid='id',"
    " tokenize='porter unicode61');";

static char *db_path(const char *dir)
{
    size_t n = strlen(dir) + 16;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/fts5.db", dir);
    return p;
}

static int exec(sqlite3 *db, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
        fprintf(stderr, "fts5: %s: %s\n", sql, err ? err : "?");
        sqlite3_free(err);
        return -1;
    }
    return 0;
}

static const char *fts5_version(void) { return sqlite3_libversion(); }

/* ------------------------------------------------------------------ */
/* Indexing                                                              */

typedef struct writer {
    sqlite3 *db;
    sqlite3_stmt *ins_article, *ins_fts;
    char *tags;       /* tags joined by '\n' */
    size_t tags_cap;
} writer;

static int writer_finish(void *wp);

static void *writer_open(const char *dir)
{
    writer *w = calloc(1, sizeof *w);
    char *path = db_path(dir);
    if (!w || !path) {
        free(w);
        free(path);
        return NULL;
    }
    remove(path);
    int rc = sqlite3_open(path, &w->db);
    free(path);
    if (rc != SQLITE_OK || exec(w->db, schema) || exec(w->db, "BEGIN") ||
        sqlite3_prepare_v2(w->db,
                           "INSERT INTO articles(ext_id, title, date,"
                           " source, tags, body) VALUES(?,?,?,?,?,?)",
                           -1, &w->ins_article, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(w->db,
                           "INSERT INTO articles_fts(rowid, title, body)"
                           " VALUES(?,?,?)",
                           -1, &w->ins_fts, NULL) != SQLITE_OK) {
        fprintf(stderr, "fts5: %s\n", sqlite3_errmsg(w->db));
        writer_finish(w);
        return NULL;
    }
    return w;
}

static int add(void *wp, const bench_article *a)
{
    writer *w = wp;
    size_t need = 1;
    for (size_t i = 0; i < a->n_tags; i++)
        need += strlen(a->tags[i]) + 1;
    if (need > w->tags_cap) {
        char *t = realloc(w->tags, need);
        if (!t)
            return -1;
        w->tags = t;
        w->tags_cap = need;
    }
    size_t tl = 0;
    for (size_t i = 0; i < a->n_tags; i++) {
        size_t n = strlen(a->tags[i]);
        if (i)
            w->tags[tl++] = '\n';
        memcpy(w->tags + tl, a->tags[i], n);
        tl += n;
    }
    sqlite3_stmt *s = w->ins_article;
    sqlite3_bind_text(s, 1, a->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, a->title, (int)a->title_len, SQLITE_STATIC);
    if (a->epoch != BENCH_NO_DATE)
        sqlite3_bind_text(s, 3, a->date, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, 3);
    sqlite3_bind_text(s, 4, a->source, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, w->tags, (int)tl, SQLITE_STATIC);
    sqlite3_bind_text(s, 6, a->body, (int)a->body_len, SQLITE_STATIC);
    if (sqlite3_step(s) != SQLITE_DONE)
        goto fail;
    sqlite3_reset(s);
    s = w->ins_fts;
    sqlite3_bind_int64(s, 1, sqlite3_last_insert_rowid(w->db));
    sqlite3_bind_text(s, 2, a->title, (int)a->title_len, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, a->body, (int)a->body_len, SQLITE_STATIC);
    if (sqlite3_step(s) != SQLITE_DONE)
        goto fail;
    sqlite3_reset(s);
    return 0;
fail:
    fprintf(stderr, "fts5: %s\n", sqlite3_errmsg(w->db));
    sqlite3_reset(s);
    return -1;
}

static int writer_finish(void *wp)
{
    writer *w = wp;
    int rc = 0;
    sqlite3_finalize(w->ins_article);
    sqlite3_finalize(w->ins_fts);
    if (w->ins_fts) {
        rc |= exec(w->db, "COMMIT");
        rc |= exec(w->db, "INSERT INTO articles_fts(articles_fts)"
                          " VALUES('optimize')");
    }
    if (sqlite3_close(w->db) != SQLITE_OK)
        rc = -1;
    free(w->tags);
    free(w);
    return rc ? -1 : 0;
}

/* ------------------------------------------------------------------ */
/* Searching                                                             */

/* Statements, prepared once: [with date filter][mode]. */
typedef struct searcher {
    sqlite3 *db;
    sqlite3_stmt *top[2][2];   /* [dated][snippets] top 10 */
    sqlite3_stmt *facet[2];    /* [dated] month counts */
    sqlite3_stmt *count;       /* the number of matches (BM_COUNT) */
    char match[1024];
} searcher;

static void searcher_close(void *sp)
{
    searcher *s = sp;
    if (!s)
        return;
    for (int i = 0; i < 2; i++) {
        sqlite3_finalize(s->top[i][0]);
        sqlite3_finalize(s->top[i][1]);
        sqlite3_finalize(s->facet[i]);
    }
    sqlite3_finalize(s->count);
    sqlite3_close(s->db);
    free(s);
}

static void *searcher_open(const char *dir)
{
    searcher *s = calloc(1, sizeof *s);
    char *path = db_path(dir);
    if (!s || !path) {
        free(s);
        free(path);
        return NULL;
    }
    int rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READONLY, NULL);
    free(path);
    if (rc != SQLITE_OK) {
        fprintf(stderr, "fts5: %s\n", sqlite3_errmsg(s->db));
        searcher_close(s);
        return NULL;
    }
    /* Memory-mapped reads: without them every page goes through
     * SQLite's 2 MB page cache and a pread(), and queries are 2-4x slower.
     * The peer is measured at its best. */
    if (exec(s->db, "PRAGMA mmap_size=2147418112") != 0) {
        searcher_close(s);
        return NULL;
    }
    static const char *const cols[2] = {
        "a.ext_id",
        "a.ext_id, snippet(articles_fts, -1, '<b>', '</b>', '...', 32)"
    };
    static const char *const where[2] = {
        "articles_fts MATCH ?1",
        "articles_fts MATCH ?1 AND a.date >= ?2 AND a.date < ?3"
    };
    char sql[512];
    for (int d = 0; d < 2; d++) {
        for (int sn = 0; sn < 2; sn++) {
            snprintf(sql, sizeof sql,
                     "SELECT %s FROM articles_fts JOIN articles a"
                     " ON a.id = articles_fts.rowid WHERE %s"
                     " ORDER BY bm25(articles_fts, 10.0, 1.0) LIMIT 10",
                     cols[sn], where[d]);
            if (sqlite3_prepare_v2(s->db, sql, -1, &s->top[d][sn], NULL))
                goto fail;
        }
        snprintf(sql, sizeof sql,
                 "SELECT substr(a.date, 1, 7) AS month, count(*)"
                 " FROM articles_fts JOIN articles a"
                 " ON a.id = articles_fts.rowid WHERE %s"
                 " GROUP BY month ORDER BY month", where[d]);
        if (sqlite3_prepare_v2(s->db, sql, -1, &s->facet[d], NULL))
            goto fail;
    }
    /* the benchmark game's classes are never dated */
    if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM articles_fts"
                           " WHERE articles_fts MATCH ?1", -1, &s->count,
                           NULL))
        goto fail;
    return s;
fail:
    fprintf(stderr, "fts5: %s\n", sqlite3_errmsg(s->db));
    searcher_close(s);
    return NULL;
}

static int supports(void *s, int cls, int mode)
{
    (void)s;
    (void)cls;
    (void)mode;
    return 1;
}

/* FTS5 query syntax: every word a quoted string; AND is implicit. */
static int make_match(const bench_query *q, char *out, size_t cap)
{
    size_t n = 0;
    int phrase = q->cls == BQ_PHRASE;
    if (phrase && n < cap)
        out[n++] = '"';
    for (size_t i = 0; i < q->n_words; i++) {
        const char *sep = i == 0 ? "" : phrase ? " " :
                          bench_class_is_or(q->cls) ? " OR " : " ";
        size_t sl = strlen(sep);
        if (n + sl >= cap)
            return -1;
        memcpy(out + n, sep, sl);
        n += sl;
        if (!phrase && n < cap)
            out[n++] = '"';
        for (const char *p = q->words[i]; *p; p++) {
            if (n + 2 >= cap)
                return -1;
            if (*p == '"')
                out[n++] = '"';
            out[n++] = *p;
        }
        if (!phrase && n < cap)
            out[n++] = '"';
    }
    if (phrase && n < cap)
        out[n++] = '"';
    if (n >= cap)
        return -1;
    out[n] = '\0';
    return 0;
}

/* "YYYY-MM-DD" of the day after day. */
static void next_day(const char *day, char *out)
{
    int64_t t = bench_parse_iso(day) + 86400;
    char iso[32];
    bench_format_iso(t, iso);
    memcpy(out, iso, 10);
    out[10] = '\0';
}

static void bind(sqlite3_stmt *st, const searcher *s, const bench_query *q,
                 int dated, char *end)
{
    sqlite3_bind_text(st, 1, s->match, -1, SQLITE_STATIC);
    if (dated) {
        next_day(q->to, end);
        sqlite3_bind_text(st, 2, q->from, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, end, -1, SQLITE_STATIC);
    }
}

static int run(void *sp, const bench_query *q, int mode, bench_result *r)
{
    searcher *s = sp;
    if (make_match(q, s->match, sizeof s->match) != 0)
        return -1;
    int dated = q->from[0] != 0;
    char end[11];
    int rc;
    if (mode == BM_COUNT) {
        if (dated)
            return -1;
        sqlite3_bind_text(s->count, 1, s->match, -1, SQLITE_STATIC);
        rc = sqlite3_step(s->count);
        if (rc == SQLITE_ROW)
            r->count = (uint64_t)sqlite3_column_int64(s->count, 0);
        sqlite3_reset(s->count);
        if (rc != SQLITE_ROW)
            goto fail;
        return 0;
    }
    sqlite3_stmt *st = s->top[dated][mode == BM_SNIPPETS];
    bind(st, s, q, dated, end);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        bench_result_add_id(r, (const char *)sqlite3_column_text(st, 0),
                            (size_t)sqlite3_column_bytes(st, 0));
        if (mode == BM_SNIPPETS) {
            sqlite3_column_text(st, 1);
            r->snippet_bytes += (uint64_t)sqlite3_column_bytes(st, 1);
        }
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        goto fail;
    if (mode == BM_FACETS) {
        st = s->facet[dated];
        bind(st, s, q, dated, end);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            r->facet_values++;
            r->facet_total += (uint64_t)sqlite3_column_int64(st, 1);
        }
        sqlite3_reset(st);
        if (rc != SQLITE_DONE)
            goto fail;
    }
    return 0;
fail:
    fprintf(stderr, "fts5: %s: %s\n", s->match, sqlite3_errmsg(s->db));
    return -1;
}

/* Ranking quality: the question's words (runs of ASCII letters and
 * digits, and of bytes >= 0x80, which unicode61 reads as letters) each
 * quoted and OR'ed, ranked by bm25() as in the top-10 statement above.
 * FTS5's bm25() is negative, better first; the run gets it negated. */
static int rank(void *sp, const char *question, size_t depth,
                void (*emit)(void *, const char *, size_t, double),
                void *ud)
{
    searcher *s = sp;
    size_t qlen = strlen(question);
    char *m = malloc(qlen * 6 + 16);
    if (!m)
        return -1;
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)question; *p;) {
        if (!(*p >= 0x80 || (*p >= '0' && *p <= '9') ||
              ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z'))) {
            p++;
            continue;
        }
        if (n)
            n += (size_t)sprintf(m + n, " OR ");
        m[n++] = '"';
        while (*p >= 0x80 || (*p >= '0' && *p <= '9') ||
               ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z'))
            m[n++] = (char)*p++;
        m[n++] = '"';
    }
    m[n] = '\0';
    if (n == 0) {
        free(m);
        return 0;
    }
    sqlite3_stmt *st = NULL;
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT a.ext_id, bm25(articles_fts, 10.0, 1.0) AS r"
             " FROM articles_fts JOIN articles a"
             " ON a.id = articles_fts.rowid WHERE articles_fts MATCH ?1"
             " ORDER BY r LIMIT %zu", depth);
    if (getenv("FTS5_BENCH_PLAIN_BM25")) /* bm25() unweighted */
        snprintf(sql, sizeof sql,
                 "SELECT a.ext_id, bm25(articles_fts) AS r"
                 " FROM articles_fts JOIN articles a"
                 " ON a.id = articles_fts.rowid WHERE articles_fts MATCH ?1"
                 " ORDER BY r LIMIT %zu", depth);
    int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, m, -1, SQLITE_STATIC);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW)
            emit(ud, (const char *)sqlite3_column_text(st, 0),
                 (size_t)sqlite3_column_bytes(st, 0),
                 -sqlite3_column_double(st, 1));
    }
    if (rc != SQLITE_DONE)
        fprintf(stderr, "fts5: %s: %s\n", m, sqlite3_errmsg(s->db));
    sqlite3_finalize(st);
    free(m);
    return rc == SQLITE_DONE ? 0 : -1;
}

static const bench_engine engine = {
    "fts5", fts5_version, writer_open, add, writer_finish,
    searcher_open, searcher_close, supports, run, rank
};

int main(int argc, char **argv)
{
    return bench_main(argc, argv, &engine);
}
