/* http_load.c: a small HTTP/1.1 load client for `morgue serve`'s tests
 * and benchmarks: N clients, each on its own keep-alive connection, send
 * GET requests for the given paths in turn for S seconds; prints requests,
 * errors (a status other than 200, or a broken connection), requests/s and
 * latency p50/p99/max. Exit status 0 only when there was no error.
 *
 *   http_load HOST PORT CLIENTS SECONDS PATH...
 */
#define _GNU_SOURCE /* strcasestr */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static const char *host;
static int port, n_paths;
static char **paths;
static double seconds;

typedef struct client {
    pthread_t t;
    double *lat;         /* microseconds per request */
    size_t n, cap;
    unsigned long errors;
    int id;
} client;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int dial(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    inet_pton(AF_INET, host, &a.sin_addr);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* One request and its whole response (Content-Length framed); the status,
 * or -1 when the connection broke. */
static int request(int fd, const char *path, char *b, size_t cap)
{
    char req[4096];
    int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: %s\r\n\r\n",
                     path, host);
    if (write(fd, req, (size_t)n) != n)
        return -1;
    size_t have = 0;
    long body = -1, head = 0;
    for (;;) {
        if (have == cap)
            return -1;
        ssize_t got = read(fd, b + have, cap - have);
        if (got <= 0)
            return -1;
        have += (size_t)got;
        if (body < 0) {
            b[have < cap ? have : cap - 1] = '\0';
            char *end = strstr(b, "\r\n\r\n");
            if (!end)
                continue;
            head = end + 4 - b;
            char *cl = strcasestr(b, "\r\nContent-Length:");
            if (!cl || cl > end)
                return -1;
            body = strtol(cl + 17, NULL, 10);
        }
        if ((long)have >= head + body)
            break;
    }
    int status = 0;
    sscanf(b, "HTTP/1.%*d %d", &status);
    return status;
}

static void *run(void *arg)
{
    client *c = arg;
    size_t cap = 1 << 22;
    char *b = malloc(cap);
    int fd = dial();
    double end = now() + seconds;
    for (int k = c->id; now() < end; k++) {
        if (fd < 0 && (fd = dial()) < 0) {
            c->errors++;
            continue;
        }
        double t0 = now();
        int st = request(fd, paths[k % n_paths], b, cap);
        double us = (now() - t0) * 1e6;
        if (st != 200) {
            c->errors++;
            if (st < 0) {
                close(fd);
                fd = -1;
            }
            continue;
        }
        if (c->n == c->cap) {
            c->cap = c->cap ? 2 * c->cap : 1024;
            c->lat = realloc(c->lat, c->cap * sizeof *c->lat);
        }
        c->lat[c->n++] = us;
    }
    if (fd >= 0)
        close(fd);
    free(b);
    return NULL;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc < 6) {
        fprintf(stderr, "usage: http_load HOST PORT CLIENTS SECONDS PATH...\n");
        return 2;
    }
    host = argv[1];
    port = atoi(argv[2]);
    int n = atoi(argv[3]);
    seconds = atof(argv[4]);
    paths = argv + 5;
    n_paths = argc - 5;
    if (n < 1 || n > 1000 || seconds <= 0)
        return 2;
    client *cs = calloc((size_t)n, sizeof *cs);
    double t0 = now();
    for (int i = 0; i < n; i++) {
        cs[i].id = i;
        pthread_create(&cs[i].t, NULL, run, &cs[i]);
    }
    size_t total = 0;
    unsigned long errors = 0;
    for (int i = 0; i < n; i++) {
        pthread_join(cs[i].t, NULL);
        total += cs[i].n;
        errors += cs[i].errors;
    }
    double took = now() - t0;
    double *all = malloc((total + 1) * sizeof *all);
    size_t k = 0;
    for (int i = 0; i < n; i++)
        for (size_t j = 0; j < cs[i].n; j++)
            all[k++] = cs[i].lat[j];
    qsort(all, total, sizeof *all, by_value);
    double p50 = total ? all[total / 2] : 0;
    double p99 = total ? all[(size_t)((double)(total - 1) * 0.99)] : 0;
    double max = total ? all[total - 1] : 0;
    printf("clients %d  seconds %.1f  requests %zu  errors %lu  "
           "req/s %.0f  p50 %.0f us  p99 %.0f us  max %.0f us\n",
           n, took, total, errors, (double)total / took, p50, p99, max);
    for (int i = 0; i < n; i++) /* freed for LeakSanitizer */
        free(cs[i].lat);
    free(cs);
    free(all);
    return errors || !total ? 1 : 0;
}
