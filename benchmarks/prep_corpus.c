/* prep_corpus.c: converts Reuters-21578 SGML to the common JSON Lines input
 * every engine indexes (keys id, title, date, source, tags, body).
 *
 *   prep_corpus [-o OUT.jsonl] [--limit N] PATH...
 *
 * PATH is a reut2-*.sgm file or a directory holding them (read in name
 * order). With BENCH_WITH_FORMATS the SGML is parsed by morgue's own
 * Reuters reader (formats/, through fmt_read_file), so the benchmark and
 * the engine read the corpus the same way; without it a small reader here
 * does the job, so the peers can be measured before the library exists.
 */
#include "common/bench.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifdef BENCH_WITH_FORMATS
#include "formats/source.h"
#include "morgue.h"
#endif

typedef struct out {
    FILE *f;
    uint64_t written;
    uint64_t limit; /* 0: all */
    uint64_t warnings;
} out;

typedef struct str {
    const char *p;
    size_t n;
} str;

static void write_article(out *o, str id, str title, int64_t date, str source,
                          const str *tags, size_t n_tags, str body)
{
    FILE *f = o->f;
    fputs("{\"id\":", f);
    bench_json_string(f, id.p, id.n);
    fputs(",\"title\":", f);
    bench_json_string(f, title.p, title.n);
    if (date != BENCH_NO_DATE) {
        char iso[32];
        bench_format_iso(date, iso);
        fprintf(f, ",\"date\":\"%s\"", iso);
    }
    fputs(",\"source\":", f);
    bench_json_string(f, source.p, source.n);
    fputs(",\"tags\":[", f);
    for (size_t i = 0; i < n_tags; i++) {
        if (i)
            putc(',', f);
        bench_json_string(f, tags[i].p, tags[i].n);
    }
    fputs("],\"body\":", f);
    bench_json_string(f, body.p, body.n);
    fputs("}\n", f);
    o->written++;
}

#ifdef BENCH_WITH_FORMATS
/* ------------------------------------------------------------------ */
/* Through morgue's reader.                                              */

static str S(span s)
{
    str r = { s.ptr ? s.ptr : "", s.ptr ? s.len : 0 };
    return r;
}

static int on_article(void *ud, const fmt_article *a)
{
    out *o = ud;
    if (o->limit && o->written >= o->limit)
        return MORGUE_ITEROVER; /* stops the reader */
    str tags[FMT_MAX_TAGS];
    for (size_t i = 0; i < a->n_tags; i++)
        tags[i] = S(a->tags[i]);
    str source = S(a->source);
    if (source.n == 0)
        source = (str){ "Reuters", 7 };
    write_article(o, S(a->id), S(a->title),
                  a->date == MORGUE_NO_DATE ? BENCH_NO_DATE : a->date, source,
                  tags, a->n_tags, S(a->body));
    return 0;
}

static void on_warning(void *ud, uint64_t line, uint64_t offset,
                       const char *msg)
{
    out *o = ud;
    o->warnings++;
    fprintf(stderr, "warning: line %llu (offset %llu): %s\n",
            (unsigned long long)line, (unsigned long long)offset, msg);
}

static int convert_file(out *o, const char *path)
{
    fmt_sink sink = { on_article, on_warning, o, 0, 0, 0 };
    fmt_file_result res;
    char err[256] = "";
    int rc = fmt_read_file(path, "reuters", &sink, &res, err, sizeof err);
    if (rc == MORGUE_ITEROVER)
        return 0;
    if (rc != MORGUE_OK) {
        fprintf(stderr, "%s: %s\n", path, err[0] ? err : morgue_strerror(rc));
        return -1;
    }
    return 0;
}

#else
/* ------------------------------------------------------------------ */
/* The stand-alone reader: enough SGML for Reuters-21578.               */

/* Finds tag (e.g. "<TITLE>") in [p, end); NULL when absent. */
static const char *find(const char *p, const char *end, const char *tag)
{
    size_t n = strlen(tag);
    while (p && (size_t)(end - p) >= n) {
        const char *q = memchr(p, tag[0], (size_t)(end - p) - n + 1);
        if (!q)
            return NULL;
        if (!memcmp(q, tag, n))
            return q;
        p = q + 1;
    }
    return NULL;
}

/* Content of the first <NAME ...>...</NAME> in [p, end). */
static int element(const char *p, const char *end, const char *name, str *s)
{
    char open[32], close[32];
    snprintf(open, sizeof open, "<%s", name);
    snprintf(close, sizeof close, "</%s>", name);
    const char *a = p;
    size_t on = strlen(open);
    for (;;) {
        a = find(a, end, open);
        if (!a)
            return 0;
        if (a[on] == '>' || a[on] == ' ')
            break;
        a += on;
    }
    a = memchr(a, '>', (size_t)(end - a));
    if (!a)
        return 0;
    a++;
    const char *b = find(a, end, close);
    if (!b)
        return 0;
    s->p = a;
    s->n = (size_t)(b - a);
    return 1;
}

/* Decodes &lt; &gt; &amp; &quot; &#N; into a new buffer (caller frees). */
static char *decode(str s, size_t *len)
{
    char *d = malloc(s.n + 1), *w = d;
    if (!d)
        return NULL;
    for (size_t i = 0; i < s.n;) {
        if (s.p[i] == '&') {
            const char *semi = memchr(s.p + i, ';', s.n - i < 10 ? s.n - i
                                                                 : 10);
            if (semi) {
                size_t n = (size_t)(semi - (s.p + i)) + 1;
                if (n == 4 && !memcmp(s.p + i, "&lt;", 4))
                    *w++ = '<';
                else if (n == 4 && !memcmp(s.p + i, "&gt;", 4))
                    *w++ = '>';
                else if (n == 5 && !memcmp(s.p + i, "&amp;", 5))
                    *w++ = '&';
                else if (n == 6 && !memcmp(s.p + i, "&quot;", 6))
                    *w++ = '"';
                else if (s.p[i + 1] == '#') {
                    long c = strtol(s.p + i + 2, NULL, 10);
                    if (c >= 32 && c < 127)
                        *w++ = (char)c;
                } else {
                    *w++ = '&';
                    i++;
                    continue;
                }
                i += n;
                continue;
            }
        }
        *w++ = s.p[i++];
    }
    *w = '\0';
    *len = (size_t)(w - d);
    return d;
}

static str trim(str s)
{
    while (s.n && (unsigned char)s.p[0] <= ' ')
        s.p++, s.n--;
    while (s.n && (unsigned char)s.p[s.n - 1] <= ' ')
        s.n--;
    return s;
}

static const char *const months[] = { "JAN", "FEB", "MAR", "APR", "MAY",
                                      "JUN", "JUL", "AUG", "SEP", "OCT",
                                      "NOV", "DEC" };

/* "26-FEB-1987 15:01:01.79" (leading blanks allowed). */
static int64_t reuters_date(str s)
{
    s = trim(s);
    char buf[64];
    size_t n = s.n < sizeof buf - 1 ? s.n : sizeof buf - 1;
    memcpy(buf, s.p, n);
    buf[n] = '\0';
    int d, y, hh = 0, mm = 0, ss = 0;
    char mon[4];
    if (sscanf(buf, "%d-%3s-%d %d:%d:%d", &d, mon, &y, &hh, &mm, &ss) < 3)
        return BENCH_NO_DATE;
    for (unsigned m = 0; m < 12; m++)
        if (!strcmp(mon, months[m])) {
            if (hh > 23 || mm > 59 || ss > 59)
                hh = mm = ss = 0;
            return bench_days_from_civil(y, m + 1, (unsigned)d) * 86400 +
                   hh * 3600 + mm * 60 + ss;
        }
    return BENCH_NO_DATE;
}

/* Appends the <D> values of element name to tags. */
static size_t d_values(const char *p, const char *end, const char *name,
                       str *tags, size_t n, size_t max)
{
    str el;
    if (!element(p, end, name, &el))
        return n;
    const char *q = el.p, *e = el.p + el.n;
    str d;
    while (n < max && element(q, e, "D", &d)) {
        tags[n++] = d;
        q = d.p + d.n + 4;
    }
    return n;
}

static void convert_record(out *o, const char *p, const char *end)
{
    str id = { "", 0 };
    const char *nid = find(p, end, "NEWID=\"");
    if (nid) {
        id.p = nid + 7;
        const char *q = memchr(id.p, '"', (size_t)(end - id.p));
        id.n = q ? (size_t)(q - id.p) : 0;
    }
    str date = { "", 0 };
    element(p, end, "DATE", &date);
    str tags[64];
    size_t nt = d_values(p, end, "TOPICS", tags, 0, 64);
    nt = d_values(p, end, "PLACES", tags, nt, 64);
    str text = { "", 0 }, title = { "", 0 }, body = { "", 0 };
    element(p, end, "TEXT", &text);
    const char *te = text.p + text.n;
    int has_title = element(text.p, te, "TITLE", &title);
    int has_body = element(text.p, te, "BODY", &body);
    if (!has_title && !has_body) {
        /* TYPE="UNPROC": raw text; its first line serves as headline. */
        str t = trim(text);
        const char *nl = memchr(t.p, '\n', t.n);
        title.p = t.p;
        title.n = nl ? (size_t)(nl - t.p) : t.n;
        body.p = nl ? nl + 1 : t.p + t.n;
        body.n = (size_t)(t.p + t.n - body.p);
    }
    size_t tl, bl;
    char *tdec = decode(trim(title), &tl), *bdec = decode(trim(body), &bl);
    if (!tdec || !bdec) {
        free(tdec);
        free(bdec);
        return;
    }
    str src = { "Reuters", 7 };
    write_article(o, id, (str){ tdec, tl }, reuters_date(date), src, tags, nt,
                  (str){ bdec, bl });
    free(tdec);
    free(bdec);
}

static int convert_file(out *o, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        return -1;
    }
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *data = malloc((size_t)len + 1);
    if (!data || fread(data, 1, (size_t)len, f) != (size_t)len) {
        fprintf(stderr, "%s: read failed\n", path);
        free(data);
        fclose(f);
        return -1;
    }
    fclose(f);
    const char *p = data, *end = data + len;
    while ((p = find(p, end, "<REUTERS")) != NULL) {
        const char *e = find(p, end, "</REUTERS>");
        if (!e) {
            o->warnings++;
            break;
        }
        if (o->limit && o->written >= o->limit)
            break;
        convert_record(o, p, e);
        p = e + 10;
    }
    free(data);
    return 0;
}
#endif

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Converts path, a file or a directory of reut2-*.sgm files. */
static int convert_path(out *o, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode))
        return convert_file(o, path);
    DIR *d = opendir(path);
    if (!d) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        return -1;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        size_t l = strlen(de->d_name);
        if (strncmp(de->d_name, "reut2-", 6) != 0 ||
            !(l > 4 && (!strcmp(de->d_name + l - 4, ".sgm") ||
                        (l > 7 && !strcmp(de->d_name + l - 7, ".sgm.gz")))))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            char **nn = realloc(names, cap * sizeof *nn);
            if (!nn)
                break;
            names = nn;
        }
        size_t sz = strlen(path) + l + 2;
        names[n] = malloc(sz);
        if (!names[n])
            break;
        snprintf(names[n], sz, "%s/%s", path, de->d_name);
        n++;
    }
    closedir(d);
    if (n == 0) {
        fprintf(stderr, "%s: no reut2-*.sgm files\n", path);
        free(names);
        return -1;
    }
    qsort(names, n, sizeof *names, cmp_str);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        if (rc == 0 && (!o->limit || o->written < o->limit))
            rc = convert_file(o, names[i]);
        free(names[i]);
    }
    free(names);
    return rc;
}

int main(int argc, char **argv)
{
    out o = { stdout, 0, 0, 0 };
    const char *outpath = NULL;
    int first = 0, rc = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-o") && i + 1 < argc)
            outpath = argv[++i];
        else if (!strcmp(argv[i], "--limit") && i + 1 < argc)
            o.limit = (uint64_t)atoll(argv[++i]);
        else if (argv[i][0] == '-') {
            fprintf(stderr, "unknown option %s\n", argv[i]);
            return 2;
        } else if (!first)
            first = i;
    }
    if (!first) {
        fprintf(stderr,
                "usage: prep_corpus [-o OUT.jsonl] [--limit N] PATH...\n");
        return 2;
    }
    if (outpath && !(o.f = fopen(outpath, "w"))) {
        fprintf(stderr, "%s: %s\n", outpath, strerror(errno));
        return 1;
    }
    for (int i = first; i < argc && rc == 0; i++) {
        if (!strcmp(argv[i], "-o") || !strcmp(argv[i], "--limit")) {
            i++;
            continue;
        }
        rc = convert_path(&o, argv[i]);
    }
    if (fflush(o.f) != 0 || (outpath && fclose(o.f) != 0)) {
        fprintf(stderr, "%s: write failed\n", outpath ? outpath : "stdout");
        rc = -1;
    }
#ifdef BENCH_WITH_FORMATS
    const char *reader = "morgue formats/reuters";
#else
    const char *reader = "stand-alone";
#endif
    fprintf(stderr, "prep_corpus: %llu articles (%s reader), %llu warnings\n",
            (unsigned long long)o.written, reader,
            (unsigned long long)o.warnings);
    return rc == 0 && o.written > 0 ? 0 : 1;
}
