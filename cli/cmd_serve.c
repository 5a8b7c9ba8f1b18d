/* cmd_serve.c: morgue serve: the search page and a JSON API over HTTP
 * (libmicrohttpd), read-only.
 *
 * Routes: /?q=... (the search page, or its story timeline; bookmarkable),
 * /article?id=... (an article's page), /api/search?q=... (the CLI's search
 * options as parameters, the same JSON as `morgue search --json`),
 * /api/timeline?q=... (as `morgue timeline --json`), /api/article/ID,
 * /api/stats. Only GET and HEAD.
 *
 * Concurrency: libmicrohttpd's thread pool runs requests in --threads
 * threads; they share one morgue_searcher (a read-only snapshot may be
 * shared). Each request first asks morgue_searcher_reopen() whether a
 * writer has committed (one stat() of MANIFEST; one request at a time
 * asks, the others meanwhile use the current snapshot); when one has, the
 * new searcher is swapped in, and the old one is closed when the last
 * request using it ends (a reference count). So the server keeps
 * answering from the old commit while `morgue index` works and picks up
 * the new one at the first request after it commits.
 *
 * Bounds: a query of at most MAX_QUERY bytes, limit and offset as the CLI
 * bounds them (the page pages 10 at a time up to offset 10000), a search
 * time of SERVE_QUERY_MS (then 503), the searcher's own work limits, a
 * connection limit and an idle timeout. */
#include <errno.h>
#include <getopt.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cli/cli.h"
#include "cli/page.h"
#include "cli/render.h"
#include "cli/search_opts.h"
#include "morgue.h"
#include "cli/buf.h"

#define MAX_QUERY 1000        /* bytes of q */
#define MAX_CONNECTIONS 512
#define IDLE_TIMEOUT 30       /* seconds */

static void usage(FILE *f)
{
    fprintf(f,
            "usage: morgue serve [--index DIR] [--listen ADDR:PORT] "
            "[--threads N] [--quiet]\n"
            "Serves a search page and a JSON API over HTTP, read-only; "
            "picks up each new\ncommit of the index while it runs.\n\n"
            "  --index DIR         index directory (else $MORGUE_INDEX, "
            "else ./morgue-index)\n"
            "  --listen ADDR:PORT  where to listen (default "
            "127.0.0.1:8080; port 0: any free\n"
            "                      port, printed at start)\n"
            "  --threads N         requests served at once (default 4)\n"
            "  --quiet             no start-up line\n\n"
            "Pages: /?q=QUERY&mode=strict|natural&sort=relevance|date"
            "&from=&to=&offset=\n"
            "         &collapse=1&view=hits|timeline&by=day|week|month\n"
            "       /article?id=ID\n"
            "API:   /api/search?q=QUERY&limit=&offset=&any=1&sort=&from=&to="
            "&facet=...\n"
            "       /api/timeline?q=QUERY&by=&from=&to=&any=1&now=\n"
            "       /api/article/ID   /api/stats\n"
            "Stops on SIGINT or SIGTERM. Exit status: 0 stopped; 1 error; "
            "2 usage.\n");
}

/* ---- the shared snapshot ---- */

typedef struct snap {
    morgue_searcher *s;
    int refs;            /* requests using it, + 1 while it is current */
} snap;

static struct {
    pthread_mutex_t mu;
    const char *dir;
    snap *cur;
    int reopening;       /* a request is in morgue_searcher_reopen() */
} shared = { PTHREAD_MUTEX_INITIALIZER, NULL, NULL, 0 };

static void drop(snap *p)
{
    if (p && --p->refs == 0) {
        morgue_searcher_close(p->s);
        free(p);
    }
}

/* s as a snapshot with refs references, or NULL (s closed). */
static snap *snap_new(morgue_searcher *s, int refs)
{
    snap *p = malloc(sizeof *p);
    if (!p) {
        morgue_searcher_close(s);
        return NULL;
    }
    p->s = s;
    p->refs = refs;
    return p;
}

/* The current snapshot, the caller's to release. One request at a time
 * asks morgue_searcher_reopen() (one stat() of MANIFEST when nothing was
 * committed) whether a newer commit exists, outside the lock: the others
 * go on with the current snapshot meanwhile, and opening a new commit
 * never holds them up. The new searcher is swapped in; the old one is
 * closed when its last request releases it. A failed reopen keeps
 * answering from the old commit. NULL only when the index cannot be
 * opened at all (at start). */
static snap *acquire(void)
{
    pthread_mutex_lock(&shared.mu);
    snap *p = shared.cur;
    int mine = 0;
    if (p) {
        p->refs++;
        mine = !shared.reopening;
        shared.reopening |= mine;
    }
    pthread_mutex_unlock(&shared.mu);
    if (!p) { /* the first open */
        morgue_searcher *s;
        if (morgue_searcher_open(&s, shared.dir, NULL) != MORGUE_OK ||
            !(p = snap_new(s, 2)))
            return NULL;
        pthread_mutex_lock(&shared.mu);
        drop(shared.cur);
        shared.cur = p;
        pthread_mutex_unlock(&shared.mu);
        return p;
    }
    if (!mine)
        return p;
    morgue_searcher *n = NULL;
    snap *q = morgue_searcher_reopen(p->s, &n) == MORGUE_OK && n
                  ? snap_new(n, 2) /* current, and this request's */
                  : NULL;
    pthread_mutex_lock(&shared.mu);
    shared.reopening = 0;
    if (q) {
        drop(shared.cur);
        shared.cur = q;
        drop(p);
        p = q;
    }
    pthread_mutex_unlock(&shared.mu);
    return p;
}

static void release(snap *p)
{
    pthread_mutex_lock(&shared.mu);
    drop(p);
    pthread_mutex_unlock(&shared.mu);
}

/* ---- responses ---- */

static enum MHD_Result respond(struct MHD_Connection *c, int status,
                            const char *type, buf *body)
{
    size_t n = body->len;
    char *p = body->oom ? NULL : body->ptr;
    if (!p) { /* an empty or failed body: send a copy of "" */
        buf_free(body);
        p = strdup("");
        n = 0;
        if (!p)
            return MHD_NO;
    }
    *body = (buf)BUF_INIT; /* the response owns the bytes now */
    struct MHD_Response *r =
        MHD_create_response_from_buffer(n, p, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(p);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", type);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    if (!strncmp(type, "text/html", 9))
        MHD_add_response_header(r, "Content-Security-Policy",
                                "default-src 'none'; style-src "
                                "'unsafe-inline'; form-action 'self'; "
                                "frame-ancestors 'none'");
    enum MHD_Result rc = MHD_queue_response(c, (unsigned)status, r);
    MHD_destroy_response(r);
    return rc;
}

static enum MHD_Result send_json(struct MHD_Connection *c, int status,
                                 json_t *o)
{
    buf b = BUF_INIT;
    char *text = json_dumps(o, JSON_INDENT(2));
    json_decref(o);
    if (text) {
        buf_puts(&b, text);
        buf_putc(&b, '\n');
        free(text);
    }
    return respond(c, status, "application/json; charset=utf-8", &b);
}

static enum MHD_Result json_error(struct MHD_Connection *c, int status,
                                  const char *msg)
{
    return send_json(c, status, json_pack("{s:s}", "error", msg));
}

static const char *arg(struct MHD_Connection *c, const char *name)
{
    return MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
}

/* Every GET parameter but q is a search option, as on the command line. */
typedef struct api_args {
    morgue_query_opts qo;
    char err[256];
    int bad;
} api_args;

static enum MHD_Result one_arg(void *cls, enum MHD_ValueKind kind,
                               const char *key, const char *value)
{
    (void)kind;
    api_args *a = cls;
    if (a->bad || !strcmp(key, "q"))
        return MHD_YES;
    a->bad = search_opt_set(&a->qo, key, value, a->err, sizeof a->err) != 0;
    return MHD_YES;
}

/* /api/timeline?q=...&by=day|week|month&from=&to=&any=1&now=: the JSON of
 * `morgue timeline --json`, with the options that command takes. */
static enum MHD_Result tl_arg(void *cls, enum MHD_ValueKind kind,
                              const char *key, const char *value)
{
    static const char *const ok[] = { "q", "by", "from", "to", "any", "now" };
    api_args *a = cls;
    size_t i = 0;
    while (i < sizeof ok / sizeof *ok && strcmp(key, ok[i]))
        i++;
    if (!a->bad && i == sizeof ok / sizeof *ok) {
        snprintf(a->err, sizeof a->err, "unknown parameter '%s' (timeline "
                 "takes q, by, from, to, any, now)", key);
        a->bad = 1;
    }
    return i < 2 ? MHD_YES : one_arg(cls, kind, key, value);
}

static enum MHD_Result api_timeline(struct MHD_Connection *c, snap *p)
{
    const char *q = arg(c, "q"), *by = arg(c, "by");
    if (!q || !*q)
        return json_error(c, 400, "no query: /api/timeline?q=...");
    int k = !by || !strcmp(by, "day") ? MORGUE_TIMELINE_DAY
            : !strcmp(by, "week")     ? MORGUE_TIMELINE_WEEK
            : !strcmp(by, "month")    ? MORGUE_TIMELINE_MONTH
                                      : 0;
    if (!k)
        return json_error(c, 400, "by is day, week or month");
    api_args a;
    memset(&a, 0, sizeof a);
    a.qo = (morgue_query_opts)MORGUE_QUERY_OPTS_INIT;
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, tl_arg, &a);
    if (!a.bad)
        a.bad = search_opt_check(&a.qo, a.err, sizeof a.err) != 0;
    if (a.bad)
        return json_error(c, 400, a.err);
    a.qo.timeout_ms = SERVE_QUERY_MS;
    morgue_timeline *tl = NULL;
    int rc = morgue_timeline_build(p->s, q, &a.qo, k, &tl);
    json_t *o = rc == MORGUE_OK ? render_timeline(p->s, tl, q) : NULL;
    morgue_timeline_free(tl);
    if (!o)
        return json_error(c, rc == MORGUE_EQUERY ? 400
                             : rc == MORGUE_ECANCELED ? 503 : 500,
                          morgue_searcher_errmsg(p->s));
    return send_json(c, 200, o);
}

static enum MHD_Result api_search(struct MHD_Connection *c, snap *p)
{
    const char *q = arg(c, "q");
    if (!q || !*q)
        return json_error(c, 400, "no query: /api/search?q=...");
    api_args a;
    memset(&a, 0, sizeof a);
    a.qo = (morgue_query_opts)MORGUE_QUERY_OPTS_INIT;
    a.qo.flags = MORGUE_QUERY_COUNT; /* as morgue search */
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, one_arg, &a);
    if (!a.bad && a.qo.limit > 1000) {
        snprintf(a.err, sizeof a.err, "limit: at most 1000 over HTTP");
        a.bad = 1;
    }
    if (!a.bad)
        a.bad = search_opt_check(&a.qo, a.err, sizeof a.err) != 0;
    if (a.bad)
        return json_error(c, 400, a.err);
    if (!a.qo.timeout_ms || a.qo.timeout_ms > SERVE_QUERY_MS)
        a.qo.timeout_ms = SERVE_QUERY_MS;
    double t0 = render_now_us();
    morgue_hits *h;
    int rc = morgue_search(p->s, q, &a.qo, &h);
    if (rc != MORGUE_OK)
        return json_error(c, rc == MORGUE_EQUERY ? 400
                             : rc == MORGUE_ECANCELED ? 503 : 500,
                          morgue_searcher_errmsg(p->s));
    json_t *o = render_search(h, &a.qo, q, t0);
    if (!o) { /* a stored field could not be read */
        enum MHD_Result r = json_error(c, 500, morgue_hits_errmsg(h));
        morgue_hits_free(h);
        return r;
    }
    morgue_hits_free(h);
    return send_json(c, 200, o);
}

static enum MHD_Result api_article(struct MHD_Connection *c, snap *p,
                                   const char *key)
{
    morgue_hits *h;
    if (!key || !*key)
        return json_error(c, 400, "no article id: /api/article/ID");
    int rc = morgue_searcher_get(p->s, key, &h);
    if (rc != MORGUE_OK)
        return json_error(c, rc == MORGUE_ENOTFOUND ? 404 : 500,
                          morgue_searcher_errmsg(p->s));
    json_t *all = json_array();
    while (morgue_hits_next(h) == MORGUE_OK) {
        json_t *a1 = render_article(h);
        if (!a1) { /* a stored field could not be read */
            enum MHD_Result r = json_error(c, 500, morgue_hits_errmsg(h));
            json_decref(all);
            morgue_hits_free(h);
            return r;
        }
        json_array_append_new(all, a1);
    }
    morgue_hits_free(h);
    json_t *o = all; /* one article as an object, several as an array */
    if (json_array_size(all) == 1) {
        o = json_incref(json_array_get(all, 0));
        json_decref(all);
    }
    return send_json(c, 200, o);
}

static enum MHD_Result api_stats(struct MHD_Connection *c, snap *p)
{
    morgue_stats st = MORGUE_STATS_INIT;
    if (morgue_searcher_stats(p->s, &st) != MORGUE_OK)
        return json_error(c, 500, morgue_searcher_errmsg(p->s));
    return send_json(c, 200, render_stats(&st));
}

static enum MHD_Result route(struct MHD_Connection *c, const char *url,
                             snap *p)
{
    static const char html[] = "text/html; charset=utf-8";
    buf b = BUF_INIT;
    if (!strcmp(url, "/")) {
        page_req r = { arg(c, "q"),      arg(c, "mode"),
                       arg(c, "sort"),   arg(c, "from"),
                       arg(c, "to"),     arg(c, "offset"),
                       arg(c, "collapse"), arg(c, "view"),
                       arg(c, "by") };
        int status = page_search(&b, p->s, &r);
        return respond(c, status, html, &b);
    }
    if (!strcmp(url, "/article")) {
        const char *id = arg(c, "id");
        int status = id && *id ? page_article(&b, p->s, id) : 404;
        if (!id || !*id)
            page_message(&b, "morgue", "no article id: /article?id=ID");
        return respond(c, status, html, &b);
    }
    if (!strcmp(url, "/api/search"))
        return api_search(c, p);
    if (!strncmp(url, "/api/article/", 13))
        return api_article(c, p, url + 13);
    if (!strcmp(url, "/api/article"))
        return api_article(c, p, arg(c, "id"));
    if (!strcmp(url, "/api/stats"))
        return api_stats(c, p);
    if (!strcmp(url, "/api/timeline"))
        return api_timeline(c, p);
    if (!strncmp(url, "/api/", 5))
        return json_error(c, 404, "no such API: /api/search, "
                          "/api/timeline, /api/article/ID, /api/stats");
    page_message(&b, "not found — morgue", "no such page");
    return respond(c, 404, html, &b);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c,
                              const char *url, const char *method,
                              const char *version, const char *upload,
                              size_t *upload_size, void **state)
{
    (void)cls;
    (void)version;
    (void)upload;
    static int first_call;
    if (*state == NULL) { /* headers only so far: wait for the body */
        *state = &first_call;
        return MHD_YES;
    }
    if (*upload_size) { /* read-only: ignore any body */
        *upload_size = 0;
        return MHD_YES;
    }
    if (strcmp(method, "GET") && strcmp(method, "HEAD"))
        return json_error(c, 405, "read-only: GET and HEAD only");
    const char *q = arg(c, "q");
    if (q && strlen(q) > MAX_QUERY) {
        char msg[96];
        snprintf(msg, sizeof msg, "query too long: at most %d bytes",
                 MAX_QUERY);
        if (!strncmp(url, "/api/", 5))
            return json_error(c, 414, msg);
        buf b = BUF_INIT;
        page_message(&b, "morgue", msg);
        return respond(c, 414, "text/html; charset=utf-8", &b);
    }
    snap *p = acquire();
    if (!p)
        return json_error(c, 503, "the index cannot be opened");
    enum MHD_Result rc = route(c, url, p);
    release(p);
    return rc;
}

/* ---- start and stop ---- */

/* "ADDR:PORT", "[v6]:PORT" or ":PORT" into a socket address. */
static int parse_listen(const char *spec, struct sockaddr_storage *out,
                        socklen_t *len)
{
    char host[256];
    const char *port;
    if (spec[0] == '[') {
        const char *end = strchr(spec, ']');
        if (!end || end[1] != ':' || (size_t)(end - spec) >= sizeof host)
            return -1;
        snprintf(host, sizeof host, "%.*s", (int)(end - spec - 1), spec + 1);
        port = end + 2;
    } else {
        const char *colon = strrchr(spec, ':');
        if (!colon || (size_t)(colon - spec) >= sizeof host)
            return -1;
        snprintf(host, sizeof host, "%.*s", (int)(colon - spec), spec);
        port = colon + 1;
    }
    long long pn;
    char *end;
    pn = strtoll(port, &end, 10);
    if (!*port || *end || pn < 0 || pn > 65535)
        return -1;
    struct addrinfo hints, *ai;
    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    if (getaddrinfo(host[0] ? host : NULL, port, &hints, &ai) != 0)
        return -1;
    memcpy(out, ai->ai_addr, ai->ai_addrlen);
    *len = ai->ai_addrlen;
    freeaddrinfo(ai);
    return 0;
}

int cmd_serve(int argc, char **argv)
{
    static const struct option opts[] = {
        { "index", required_argument, NULL, 'i' },
        { "listen", required_argument, NULL, 'l' },
        { "threads", required_argument, NULL, 't' },
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *dir = NULL, *listen = "127.0.0.1:8080";
    long long threads = 4;
    int quiet = 0, c;
    while ((c = getopt_long(argc, argv, ":i:l:t:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'i': dir = optarg; break;
        case 'l': listen = optarg; break;
        case 't':
            if (cli_number("--threads", optarg, 1, 256, &threads))
                return CLI_EXIT_USAGE;
            break;
        case 'q': quiet = 1; break;
        case 'h': usage(stdout); return CLI_EXIT_OK;
        default:
            return cli_bad_option(c, "serve", argc, argv, 0);
        }
    }
    if (optind != argc) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    struct sockaddr_storage addr;
    socklen_t alen;
    if (parse_listen(listen, &addr, &alen)) {
        cli_msg(stderr, "morgue: --listen wants ADDR:PORT (like "
                "127.0.0.1:8080 or [::1]:8080), not '%s'\n", listen);
        return CLI_EXIT_USAGE;
    }
    dir = cli_index_dir(dir);
    if (cli_need_index(dir))
        return CLI_EXIT_ERROR;
    shared.dir = dir;
    snap *first = acquire();
    if (!first) {
        cli_msg(stderr, "morgue: %s\n", morgue_last_errmsg());
        return CLI_EXIT_ERROR;
    }
    release(first);
    /* Block the stop signals in every thread; this one waits for them. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL;
    if (addr.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    struct MHD_Daemon *d = MHD_start_daemon(
        flags, 0, NULL, NULL, handle, NULL,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)threads,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)MAX_CONNECTIONS,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)IDLE_TIMEOUT,
        MHD_OPTION_END);
    if (!d) {
        cli_msg(stderr, "morgue: cannot listen on %s: %s\n", listen,
                strerror(errno ? errno : EADDRINUSE));
        return CLI_EXIT_ERROR;
    }
    const union MHD_DaemonInfo *info =
        MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    char host[256] = "";
    getnameinfo((struct sockaddr *)&addr, alen, host, sizeof host, NULL, 0,
                NI_NUMERICHOST);
    int v6 = addr.ss_family == AF_INET6;
    if (!quiet) {
        cli_msg(stderr, "morgue: serving %s on http://%s%s%s:%u/\n", dir,
                v6 ? "[" : "", host, v6 ? "]" : "",
                info ? (unsigned)info->port : 0);
        fflush(stderr);
    }
    int sig;
    sigwait(&stop, &sig);
    MHD_stop_daemon(d);
    pthread_mutex_lock(&shared.mu);
    drop(shared.cur);
    shared.cur = NULL;
    pthread_mutex_unlock(&shared.mu);
    return CLI_EXIT_OK;
}
