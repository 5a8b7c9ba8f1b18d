/* cmd_index.c: morgue index: reads article files into an index. */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "morgue.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: morgue index [OPTIONS] PATH...\n"
            "Adds the articles in PATH (files; directories recurse) to the "
            "index.\n\n"
            "  --index DIR      index directory (else $MORGUE_INDEX, else "
            "./morgue-index)\n"
            "  --format F       text, html, jsonl, reuters or rfc822 "
            "(default: detect)\n"
            "  --lang L         Snowball stemmer of a new index (default "
            "english)\n"
            "  --memory MB      flush a segment past this much memory "
            "(default 64)\n"
            "  --wait SECONDS   wait this long for another writer's lock\n"
            "  --quiet          only warnings and errors\n\n"
            "Exit status: 0 all indexed; 3 done but something was skipped; "
            "1 error;\n2 usage; 75 another writer holds the index.\n");
}

typedef struct file_list {
    char **paths;
    size_t n, cap;
} file_list;

static int push(file_list *l, const char *p)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 256;
        char **n = realloc(l->paths, cap * sizeof *n);
        if (!n)
            return -1;
        l->paths = n;
        l->cap = cap;
    }
    return (l->paths[l->n++] = strdup(p)) ? 0 : -1;
}

/* Collects regular files under path, in name order; hidden ones skipped. */
static int walk(file_list *l, const char *path, int depth)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "morgue: %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (S_ISREG(st.st_mode))
        return push(l, path);
    if (!S_ISDIR(st.st_mode) || depth > 64)
        return 0;
    struct dirent **names;
    int n = scandir(path, &names, NULL, alphasort);
    if (n < 0) {
        fprintf(stderr, "morgue: %s: %s\n", path, strerror(errno));
        return -1;
    }
    int rc = 0;
    for (int i = 0; i < n; i++) {
        if (names[i]->d_name[0] != '.') {
            char child[4096];
            snprintf(child, sizeof child, "%s/%s", path, names[i]->d_name);
            if (walk(l, child, depth + 1) != 0)
                rc = -1;
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

static void on_warning(const morgue_warning *w, void *ud)
{
    (void)ud;
    if (w->line)
        fprintf(stderr, "\rmorgue: warning: %s:%llu: %s\n", w->path,
                (unsigned long long)w->line, w->message);
    else
        fprintf(stderr, "\rmorgue: warning: %s: byte %llu: %s\n", w->path,
                (unsigned long long)w->offset, w->message);
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

typedef struct totals {
    unsigned long long articles, skipped, warnings, bytes, files, failed;
} totals;

static void progress(const totals *t, size_t n_files, double t0)
{
    double secs = now() - t0;
    int width = 30, done = n_files ? (int)(t->files * width / n_files) : 0;
    fprintf(stderr, "\r[%.*s%*s] %llu/%zu files, %llu articles, %.1f MB/s ",
            done, "##############################", width - done, "",
            t->files, n_files, t->articles,
            secs > 0 ? t->bytes / 1e6 / secs : 0.0);
}

int cmd_index(int argc, char **argv)
{
    static const struct option opts[] = {
        { "index", required_argument, NULL, 'i' },
        { "format", required_argument, NULL, 'f' },
        { "lang", required_argument, NULL, 'l' },
        { "memory", required_argument, NULL, 'm' },
        { "wait", required_argument, NULL, 'w' },
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *dir = NULL;
    morgue_writer_opts wo = MORGUE_WRITER_OPTS_INIT;
    morgue_add_opts ao = MORGUE_ADD_OPTS_INIT;
    int quiet = 0, c;
    while ((c = getopt_long(argc, argv, "i:f:l:m:w:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'i': dir = optarg; break;
        case 'f': ao.format = optarg; break;
        case 'l': wo.language = optarg; break;
        case 'm': wo.memory_budget = (size_t)atol(optarg) << 20; break;
        case 'w': wo.wait_seconds = atoi(optarg); break;
        case 'q': quiet = 1; break;
        case 'h': usage(stdout); return CLI_EXIT_OK;
        default: usage(stderr); return CLI_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    ao.warning = on_warning;
    dir = cli_index_dir(dir);
    file_list files = { 0 };
    int walk_failed = 0;
    for (int i = optind; i < argc; i++)
        if (walk(&files, argv[i], 0) != 0)
            walk_failed = 1;
    morgue_writer *w;
    int rc = morgue_writer_open(&w, dir, &wo);
    if (rc != MORGUE_OK) {
        fprintf(stderr, "morgue: %s\n", morgue_last_errmsg());
        return rc == MORGUE_EBUSY ? CLI_EXIT_TEMPFAIL : CLI_EXIT_ERROR;
    }
    int tty = !quiet && isatty(STDERR_FILENO);
    totals t = { 0 };
    double t0 = now(), last = 0;
    for (size_t i = 0; i < files.n && rc == MORGUE_OK; i++) {
        morgue_add_result r;
        rc = morgue_writer_add_file(w, files.paths[i], &ao, &r);
        t.files++;
        t.articles += r.articles;
        t.skipped += r.skipped;
        t.warnings += r.warnings;
        t.bytes += r.bytes;
        if (rc == MORGUE_EIO || rc == MORGUE_ENOTFOUND) {
            fprintf(stderr, "\rmorgue: %s\n", morgue_writer_errmsg(w));
            t.failed++;
            rc = MORGUE_OK; /* an unreadable file does not stop the run */
        }
        if (tty && now() - last > 0.1) {
            progress(&t, files.n, t0);
            last = now();
        }
    }
    if (rc == MORGUE_OK)
        rc = morgue_writer_commit(w);
    if (tty) {
        progress(&t, files.n, t0);
        fputc('\n', stderr);
    }
    if (rc != MORGUE_OK)
        fprintf(stderr, "morgue: %s\n", morgue_writer_errmsg(w));
    morgue_writer_close(w);
    for (size_t i = 0; i < files.n; i++)
        free(files.paths[i]);
    free(files.paths);
    if (rc != MORGUE_OK)
        return rc == MORGUE_EINVAL ? CLI_EXIT_USAGE : CLI_EXIT_ERROR;
    double secs = now() - t0;
    if (!quiet || t.skipped || t.failed)
        fprintf(stderr,
                "indexed %llu articles from %llu files in %.2f s "
                "(%.0f articles/s); skipped %llu, unreadable %llu, "
                "warnings %llu\n",
                t.articles, t.files, secs, secs > 0 ? t.articles / secs : 0,
                t.skipped, t.failed, t.warnings);
    if (walk_failed || t.failed)
        return CLI_EXIT_ERROR;
    return t.skipped ? CLI_EXIT_SKIPPED : CLI_EXIT_OK;
}
