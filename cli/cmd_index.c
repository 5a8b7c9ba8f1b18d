/* cmd_index.c: morgue index: brings an index up to date with article
 * files and folders (new, changed and vanished files), for people and for
 * cron. */
#include <getopt.h>
#include <malloc.h>
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
            "usage: morgue index [OPTIONS] [PATH...]\n"
            "Brings the index up to date with PATH (files; folders "
            "recurse): new files are\nread, changed ones replace their "
            "articles, files gone from an indexed folder\nhave their "
            "articles deleted, unchanged ones are skipped unread. Without "
            "PATH:\nevery folder and file indexed before.\n\n"
            "  --index DIR      index directory (else $MORGUE_INDEX, else "
            "./morgue-index)\n"
            "  --cluster FILE   index into the Sphinx cluster FILE "
            "(cluster.conf) instead\n"
            "  --format F       text, html, jsonl, reuters or rfc822 "
            "(default: detect)\n"
            "  --lang L         a new index's language: a Snowball stemmer "
            "forced on every\n"
            "                   article, or auto:L (default auto:english): "
            "each article\n"
            "                   detected and stemmed in its own language\n"
            "  --memory MB      flush a segment past this much memory "
            "(default 64);\n"
            "                   work is committed at each flush\n"
            "  --rebuild        start afresh (searches see the old index "
            "until done)\n"
            "  --date-from-mtime  date an article that has no date (in it "
            "or its path)\n"
            "                   by its file's modification time (default: "
            "undated)\n"
            "  --threads N      threads to index with (default: one per "
            "core); the index\n"
            "                   written is the same whatever N\n"
            "  --wait SECONDS   wait this long for another writer's lock\n"
            "  --quiet          only warnings and errors\n\n"
            "Exit status: 0 done; 3 done but something was skipped; 1 "
            "error;\n2 usage; 75 another writer holds the index (try "
            "again later).\n");
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

typedef struct progress {
    int tty;
    double t0, last;
    uint64_t articles, bytes;
    int drawn;    /* the bar is on the screen */
} progress;

static int on_warning(const morgue_warning *w, void *ud)
{
    (void)ud;
    if (w->line)
        cli_msg(stderr, "\rmorgue: warning: %s:%llu: %s\n", w->path,
                (unsigned long long)w->line, w->message);
    else
        cli_msg(stderr, "\rmorgue: warning: %s: byte %llu: %s\n", w->path,
                (unsigned long long)w->offset, w->message);
    return 0;
}

static void draw(const progress *p, uint64_t done, uint64_t total)
{
    double secs = now() - p->t0;
    int width = 30, filled = total ? (int)(done * width / total) : 0;
    fprintf(stderr, "\r[%.*s%*s] %llu/%llu files, %llu articles, "
            "%.1f MB/s ", filled, "##############################",
            width - filled, "", (unsigned long long)done,
            (unsigned long long)total, (unsigned long long)p->articles,
            secs > 0 ? p->bytes / 1e6 / secs : 0.0);
}

static int on_file(const morgue_file_event *ev, void *ud)
{
    progress *p = ud;
    p->articles += ev->articles;
    p->bytes += ev->bytes;
    if (ev->action == MORGUE_FILE_FAILED)
        cli_msg(stderr, "\rmorgue: %s\n", ev->message ? ev->message
                                                      : ev->path);
    if (p->tty && (now() - p->last > 0.1 ||
                   ev->files_done == ev->files_total)) {
        draw(p, ev->files_done, ev->files_total);
        p->last = now();
        p->drawn = 1;
    }
    return 0;
}

static void add_up(morgue_update_result *t, const morgue_update_result *r)
{
    t->files_seen += r->files_seen;
    t->files_added += r->files_added;
    t->files_changed += r->files_changed;
    t->files_unchanged += r->files_unchanged;
    t->files_removed += r->files_removed;
    t->files_failed += r->files_failed;
    t->articles_added += r->articles_added;
    t->articles_deleted += r->articles_deleted;
    t->skipped += r->skipped;
    t->warnings += r->warnings;
    t->bytes += r->bytes;
}

static void summary(const morgue_update_result *t, double secs, int quiet)
{
    uint64_t read = t->files_added + t->files_changed;
    if (read + t->files_removed + t->files_failed == 0 &&
        t->articles_deleted == 0) {
        if (!quiet)
            fprintf(stderr, "nothing to do: %llu files unchanged\n",
                    (unsigned long long)t->files_unchanged);
        return;
    }
    if (quiet && !t->skipped && !t->files_failed)
        return;
    fprintf(stderr,
            "indexed %llu articles from %llu files in %.2f s (%.0f "
            "articles/s); skipped %llu, unreadable %llu, warnings %llu\n"
            "files: %llu new, %llu changed, %llu unchanged, %llu removed; "
            "%llu articles deleted or replaced\n",
            (unsigned long long)t->articles_added, (unsigned long long)read,
            secs, secs > 0 ? t->articles_added / secs : 0,
            (unsigned long long)t->skipped,
            (unsigned long long)t->files_failed,
            (unsigned long long)t->warnings,
            (unsigned long long)t->files_added,
            (unsigned long long)t->files_changed,
            (unsigned long long)t->files_unchanged,
            (unsigned long long)t->files_removed,
            (unsigned long long)t->articles_deleted);
}

/* Status of one add_path: 0 fine, 1 an error was reported. */
static int update(morgue_writer *w, const char *path,
                  const morgue_add_opts *ao, morgue_update_result *t,
                  int *fatal)
{
    morgue_update_result r = MORGUE_UPDATE_RESULT_INIT;
    int rc = morgue_writer_add_path(w, path, ao, &r);
    add_up(t, &r);
    if (rc == MORGUE_OK)
        return 0;
    cli_msg(stderr, "\rmorgue: %s\n", morgue_writer_errmsg(w));
    if (rc != MORGUE_ENOTFOUND && rc != MORGUE_EIO)
        *fatal = rc; /* the writer cannot go on */
    return 1;
}

static int exit_status(int rc, int failed, const morgue_update_result *t)
{
    if (rc == MORGUE_EINVAL)
        return CLI_EXIT_USAGE;
    if (rc == MORGUE_EBUSY)
        return CLI_EXIT_TEMPFAIL;
    if (rc != MORGUE_OK || failed || t->files_failed)
        return CLI_EXIT_ERROR;
    return t->skipped ? CLI_EXIT_SKIPPED : CLI_EXIT_OK;
}

int cmd_index(int argc, char **argv)
{
    /* One malloc arena: the stored-text thread's buffers would otherwise
     * grow a second arena and hold its freed memory, several MB of RSS
     * past --memory (tests/unit/check_memory.c). */
    mallopt(M_ARENA_MAX, 1);
    static const struct option opts[] = {
        { "index", required_argument, NULL, 'i' },
        { "cluster", required_argument, NULL, 'C' },
        { "format", required_argument, NULL, 'f' },
        { "lang", required_argument, NULL, 'l' },
        { "memory", required_argument, NULL, 'm' },
        { "wait", required_argument, NULL, 'w' },
        { "threads", required_argument, NULL, 'T' },
        { "rebuild", no_argument, NULL, 'r' },
        { "date-from-mtime", no_argument, NULL, 'M' },
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *dir = NULL, *cluster = NULL;
    morgue_writer_opts wo = MORGUE_WRITER_OPTS_INIT;
    morgue_add_opts ao = MORGUE_ADD_OPTS_INIT;
    int quiet = 0, c;
    while ((c = getopt_long(argc, argv, ":i:f:l:m:w:rqh", opts, NULL)) != -1) {
        switch (c) {
        case 'i': dir = optarg; break;
        case 'C': cluster = optarg; break;
        case 'f': ao.format = optarg; break;
        case 'l': wo.language = optarg; break;
        case 'm': {
            long long v;
            if (cli_number("--memory", optarg, 1, 1 << 20, &v))
                return CLI_EXIT_USAGE;
            wo.memory_budget = (size_t)v << 20;
            break;
        }
        case 'T': {
            long long v;
            if (cli_number("--threads", optarg, 1, 256, &v))
                return CLI_EXIT_USAGE;
            wo.threads = (unsigned)v;
            break;
        }
        case 'w':
            if (cli_wait_seconds(optarg, &wo.wait_seconds))
                return CLI_EXIT_USAGE;
            break;
        case 'r': wo.rebuild = 1; break;
        case 'M': ao.date_from_mtime = 1; break;
        case 'q': quiet = 1; break;
        case 'h': usage(stdout); return CLI_EXIT_OK;
        default:
            return cli_bad_option(c, "index", argc, argv, 0);
        }
    }
    dir = cli_index_dir(dir);
    if (cli_archive_folder(dir)) {
        fprintf(stderr, "morgue: %s holds files but no morgue index; an "
                "index needs a folder of its own (a new or empty one, "
                "--index DIR)\n", dir);
        return CLI_EXIT_USAGE;
    }
    morgue_writer *w;
    int rc = cluster ? morgue_writer_open_cluster(&w, cluster, &wo)
                     : morgue_writer_open(&w, dir, &wo);
    if (rc != MORGUE_OK) {
        cli_msg(stderr, "morgue: %s\n", morgue_last_errmsg());
        return rc == MORGUE_EBUSY ? CLI_EXIT_TEMPFAIL : CLI_EXIT_ERROR;
    }
    for (int i = optind; i < argc && !quiet; i++) {
        struct stat st;
        if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode) &&
            stat(dir, &st) == 0 && cli_inside(dir, argv[i]))
            fprintf(stderr, "morgue: note: the index %s is inside %s; it "
                    "is skipped, not read as articles\n", dir, argv[i]);
    }
    progress p = { !quiet && isatty(STDERR_FILENO), now(), 0, 0, 0, 0 };
    ao.warning = on_warning;
    ao.file_done = on_file;
    ao.userdata = &p;
    ao.checkpoint = 1;
    morgue_update_result t = MORGUE_UPDATE_RESULT_INIT;
    int failed = 0;
    rc = MORGUE_OK;
    if (optind == argc)
        failed |= update(w, NULL, &ao, &t, &rc);
    for (int i = optind; i < argc && rc == MORGUE_OK; i++)
        failed |= update(w, argv[i], &ao, &t, &rc);
    if (rc == MORGUE_OK && (rc = morgue_writer_commit(w)) != MORGUE_OK)
        cli_msg(stderr, "\rmorgue: %s\n", morgue_writer_errmsg(w));
    if (p.drawn)
        fputc('\n', stderr);
    morgue_writer_close(w);
    if (rc == MORGUE_OK)
        summary(&t, now() - p.t0, quiet);
    return exit_status(rc, failed, &t);
}
