/* admin.c: morgue_cluster_init(), _start(), _stop(): the searchd
 * configurations of a cluster, and running its local searchd processes.
 *
 * Every shard node holds one RT index ("shardN") with the fields and
 * attributes of row.h. Its charset keeps morgue's tokens whole and
 * nothing else matters: the text sent is already morgue's tokens (folded,
 * stemmed where asked) separated by spaces, so digits, Latin letters,
 * '_', the apostrophe and '.' (inside tokens: "don't", "3.5") and every
 * code point from U+0080 up (searchd 2.2 stops at U+2FFFF) are word
 * characters. No morphology, no html_strip: morgue did both. Binlog
 * flushed and synced per transaction, so a confirmed write survives a
 * killed searchd; watchdog off, so the pid file names the one process.
 * The head's distributed index lists one agent per shard, mirrors joined
 * by '|', and skips dead mirrors (ha_strategy = nodeads). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cluster/conf.h"
#include "cluster/sql.h"
#include "morgue.h"
#include "text/stem.h"
#include "util/apiver.h"
#include "util/buf.h"
#include "util/fsutil.h"

static const char *searchd_path(void)
{
    const char *p = getenv("MORGUE_SEARCHD");
    return p && *p ? p : "/usr/bin/searchd";
}

static void common(buf *b, const cluster_conf *c, const cnode *n)
{
    char dir[4200];
    cluster_conf_path(c, n->name, dir, sizeof dir);
    buf_printf(b, "searchd\n{\n"
                  "    listen = %s:%u:mysql41\n", n->host, n->sql_port);
    if (n->api_port)
        buf_printf(b, "    listen = %s:%u\n", n->host, n->api_port);
    buf_printf(b, "    log = %s/searchd.log\n"
                  "    query_log = %s/query.log\n"
                  "    pid_file = %s/searchd.pid\n"
                  "    workers = threads\n"
                  "    watchdog = 0\n"
                  "    max_packet_size = 32M\n"
                  "    read_timeout = 30\n"
                  "    client_timeout = 300\n",
               dir, dir, dir);
    if (n->api_port)
        buf_printf(b, "    binlog_path = %s/binlog\n"
                      "    binlog_flush = 1\n"
                      "    expansion_limit = 256\n", dir);
    else
        buf_puts(b, "    binlog_path =\n");
    buf_puts(b, "}\n");
}

static void shard_conf(buf *b, const cluster_conf *c, const cnode *n)
{
    char dir[4200], index[16];
    cluster_conf_path(c, n->name, dir, sizeof dir);
    cluster_shard_index(n->shard, index);
    buf_printf(b, "# searchd.conf of node %s (shard %u) of the morgue "
                  "cluster in %s.\n# Written by `morgue cluster init`; "
                  "the schema is cluster/row.h's.\n", n->name, n->shard,
               c->dir);
    buf_printf(b, "index %s\n{\n"
                  "    type = rt\n"
                  "    path = %s/data/%s\n", index, dir, index);
    static const char *fields[] = { "ti", "tb", "ts", "ss", "kv" };
    for (size_t i = 0; i < 5; i++)
        buf_printf(b, "    rt_field = %s\n", fields[i]);
    buf_puts(b, "    rt_attr_bigint = date\n"
                "    rt_attr_bigint = ldate\n"
                "    rt_attr_bigint = doff\n");
    static const char *uints[] = { "yr", "ym", "dy" };
    for (size_t i = 0; i < 3; i++)
        buf_printf(b, "    rt_attr_uint = %s\n", uints[i]);
    static const char *strs[] = { "sid", "url", "title", "source", "tags",
                                  "body", "tagn", "srcn" };
    for (size_t i = 0; i < 8; i++)
        buf_printf(b, "    rt_attr_string = %s\n", strs[i]);
    buf_puts(b, "    rt_attr_multi_64 = tg\n"
                "    rt_mem_limit = 256M\n"
                "    dict = keywords\n"
                "    min_prefix_len = 1\n"
                "    index_field_lengths = 1\n"
                "    charset_table = 0..9, a..z, A..Z->a..z, _, U+27, U+2E, "
                "U+80..U+2FFFF\n"
                "}\n\n");
    common(b, c, n);
}

static void head_conf(buf *b, const cluster_conf *c)
{
    buf_printf(b, "# searchd.conf of the head of the morgue cluster in %s.\n"
                  "# Written by `morgue cluster init`.\n"
                  "index " CLUSTER_INDEX "\n{\n    type = distributed\n",
               c->dir);
    for (unsigned s = 0; s < c->n_shards; s++) {
        char index[16];
        cluster_shard_index(s, index);
        buf_puts(b, "    agent = ");
        int k = 0;
        for (size_t i = 0; i < c->n_nodes; i++)
            if (c->nodes[i].shard == s)
                buf_printf(b, "%s%s:%u", k++ ? "|" : "", c->nodes[i].host,
                           c->nodes[i].api_port);
        buf_printf(b, ":%s\n", index);
    }
    buf_puts(b, "    agent_connect_timeout = 500\n"
                "    agent_query_timeout = 30000\n");
    if (c->n_nodes > c->n_shards)
        buf_puts(b, "    ha_strategy = nodeads\n");
    buf_puts(b, "}\n\n");
    common(b, c, &c->head);
}

static void unit(buf *b, const cluster_conf *c, const cnode *n)
{
    char dir[4200];
    cluster_conf_path(c, n->name, dir, sizeof dir);
    buf_printf(b, "# systemd unit for node %s of the morgue cluster in %s\n"
                  "[Unit]\nDescription=morgue cluster searchd %s\n"
                  "After=network-online.target\n\n"
                  "[Service]\nType=forking\nPIDFile=%s/searchd.pid\n"
                  "ExecStart=%s --config %s/searchd.conf\n"
                  "ExecStop=%s --config %s/searchd.conf --stopwait\n"
                  "Restart=on-failure\nLimitNOFILE=65536\n\n"
                  "[Install]\nWantedBy=multi-user.target\n",
               n->name, c->dir, n->name, dir, searchd_path(), dir,
               searchd_path(), dir);
}

static int write_file(const char *path, buf *b, errmsg *e)
{
    if (b->oom)
        return err_set(e, MORGUE_ENOMEM, "out of memory");
    int rc = fs_write_durable(path, b->ptr, b->len, e);
    buf_clear(b);
    return rc;
}

static int make_dir(const char *path, errmsg *e)
{
    if (mkdir_p(path) != 0)
        return err_set(e, MORGUE_EIO, "%s: %s", path, strerror(errno));
    return MORGUE_OK;
}

/* Writes one node's folder, configuration and unit. */
static int write_node(const cluster_conf *c, const cnode *n, int is_head,
                      buf *b, errmsg *e)
{
    char dir[4200], path[4400];
    cluster_conf_path(c, n->name, dir, sizeof dir);
    int rc = make_dir(dir, e);
    if (rc == MORGUE_OK && !is_head) {
        snprintf(path, sizeof path, "%s/data", dir);
        rc = make_dir(path, e);
        snprintf(path, sizeof path, "%s/binlog", dir);
        if (rc == MORGUE_OK)
            rc = make_dir(path, e);
    }
    if (rc)
        return rc;
    if (is_head)
        head_conf(b, c);
    else
        shard_conf(b, c, n);
    snprintf(path, sizeof path, "%s/searchd.conf", dir);
    if ((rc = write_file(path, b, e)))
        return rc;
    unit(b, c, n);
    snprintf(path, sizeof path, "%s/systemd/morgue-%s.service", c->dir,
             n->name);
    return write_file(path, b, e);
}

MORGUE_API int morgue_cluster_init(const char *dir,
                                   const morgue_cluster_opts *opts)
{
    errmsg *e = err_thread();
    morgue_cluster_opts o = MORGUE_CLUSTER_OPTS_INIT;
    if (opts) {
        size_t n = API_SIZE(opts);
        if (!n)
            return err_set(e, MORGUE_EINVAL, "unknown morgue_cluster_opts "
                           "version %u", opts->version);
        memcpy(&o, opts, n);
    }
    unsigned shards = o.shards ? o.shards : 2;
    unsigned mirrors = o.mirrors ? o.mirrors : 1;
    unsigned port = o.port ? o.port : 9306;
    const char *host = o.host ? o.host : "127.0.0.1";
    const char *lang = o.language ? o.language : "english";
    if (!dir || !*dir)
        return err_set(e, MORGUE_EINVAL, "no cluster folder");
    if (shards * mirrors > CLUSTER_MAX_NODES || mirrors > 16)
        return err_set(e, MORGUE_EINVAL, "at most %d searchd nodes (and 16 "
                       "mirrors)", CLUSTER_MAX_NODES);
    if (port + 1 + 2 * shards * mirrors > 65535)
        return err_set(e, MORGUE_EINVAL, "ports from %u do not fit below "
                       "65536", port);
    if (strlen(host) >= sizeof(((cnode *)0)->host) || strchr(host, ' '))
        return err_set(e, MORGUE_EINVAL, "bad host '%s'", host);
    stemmer *st;
    if (stemmer_new(&st, lang) != MORGUE_OK)
        return err_set(e, MORGUE_EINVAL, "unknown stemmer language '%s'",
                       lang);
    stemmer_free(st);
    cluster_conf *c = calloc(1, sizeof *c);
    if (!c)
        return err_set(e, MORGUE_ENOMEM, "out of memory");
    int rc = make_dir(dir, e);
    char real[PATH_MAX], path[4400];
    if (rc == MORGUE_OK && !realpath(dir, real))
        rc = err_set(e, MORGUE_EIO, "%s: %s", dir, strerror(errno));
    if (rc == MORGUE_OK) {
        snprintf(c->dir, sizeof c->dir, "%s", real);
        snprintf(path, sizeof path, "%s/cluster.conf", c->dir);
        if (access(path, F_OK) == 0)
            rc = err_set(e, MORGUE_EINVAL, "%s already holds a cluster "
                         "(cluster.conf)", c->dir);
    }
    if (rc) {
        free(c);
        return rc;
    }
    snprintf(c->language, sizeof c->language, "%s", lang);
    c->n_shards = shards;
    snprintf(c->head.name, sizeof c->head.name, "head");
    snprintf(c->head.host, sizeof c->head.host, "%s", host);
    c->head.sql_port = port++;
    for (unsigned s = 0; s < shards; s++)
        for (unsigned m = 0; m < mirrors; m++) {
            cnode *n = &c->nodes[c->n_nodes++];
            if (m)
                snprintf(n->name, sizeof n->name, "shard%u-m%u", s, m);
            else
                snprintf(n->name, sizeof n->name, "shard%u", s);
            n->shard = s;
            snprintf(n->host, sizeof n->host, "%s", host);
            n->sql_port = port++;
            n->api_port = port++;
        }
    buf b = BUF_INIT;
    snprintf(path, sizeof path, "%s/systemd", c->dir);
    rc = make_dir(path, e);
    for (size_t i = 0; i < c->n_nodes && rc == MORGUE_OK; i++)
        rc = write_node(c, &c->nodes[i], 0, &b, e);
    if (rc == MORGUE_OK)
        rc = write_node(c, &c->head, 1, &b, e);
    if (rc == MORGUE_OK)
        rc = cluster_conf_write(c, e); /* last: its presence means done */
    buf_free(&b);
    free(c);
    return rc;
}

/* ---- processes ---- */

/* The pid in the node's pid file if that process is a live searchd. */
static pid_t running(const cluster_conf *c, const cnode *n)
{
    char path[4400];
    snprintf(path, sizeof path, "%s/%s/searchd.pid", c->dir, n->name);
    FILE *f = fopen(path, "r");
    long pid = 0;
    if (!f)
        return 0;
    if (fscanf(f, "%ld", &pid) != 1)
        pid = 0;
    fclose(f);
    if (pid <= 0 || kill((pid_t)pid, 0) != 0)
        return 0;
    /* "pid (comm) S ...": a searchd, and not a zombie (a killed daemon
     * stays one until its parent, often init, reaps it) */
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    char stat[256] = "";
    f = fopen(path, "r");
    if (f) {
        if (!fgets(stat, sizeof stat, f))
            stat[0] = '\0';
        fclose(f);
    }
    const char *comm = strchr(stat, '('), *end = strrchr(stat, ')');
    if (!comm || !end || strncmp(comm + 1, "searchd", 7) != 0 ||
        end[1] != ' ' || end[2] == 'Z' || end[2] == 'X')
        return 0;
    return (pid_t)pid;
}

static int is_local(const cluster_conf *c, const cnode *n)
{
    char path[4400];
    snprintf(path, sizeof path, "%s/%s/searchd.conf", c->dir, n->name);
    return access(path, R_OK) == 0;
}

static int start_node(const cluster_conf *c, const cnode *n, errmsg *e)
{
    if (!is_local(c, n) || running(c, n))
        return MORGUE_OK;
    char conf[4400];
    snprintf(conf, sizeof conf, "%s/%s/searchd.conf", c->dir, n->name);
    pid_t pid = fork();
    if (pid < 0)
        return err_set(e, MORGUE_EIO, "fork: %s", strerror(errno));
    if (pid == 0) {
        /* its own session: searchd 2.2 forks to the background but keeps
         * the caller's process group, so a signal to that group (a test
         * harness cleaning up, ^C in the terminal) would kill it too */
        setsid();
        int null = open("/dev/null", O_RDWR);
        if (null >= 0) {
            dup2(null, 0);
            dup2(null, 1);
        }
        execl(searchd_path(), "searchd", "--config", conf, (char *)NULL);
        _exit(127);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        return err_set(e, MORGUE_EIO, "%s --config %s failed (status %d; "
                       "see %s/%s/searchd.log)", searchd_path(), conf,
                       WIFEXITED(st) ? WEXITSTATUS(st) : -1, c->dir,
                       n->name);
    /* it detached; wait until it answers: by count, generously (a node
     * replaying its RT chunks on a loaded machine takes a while; a
     * refused connect returns at once, so this is ~60 s at most) */
    for (int i = 0; i < 1200; i++) {
        MYSQL *m;
        errmsg ignore;
        if (sql_connect(&m, n->host, n->sql_port, 1, n->name, &ignore) ==
            MORGUE_OK) {
            mysql_close(m);
            return MORGUE_OK;
        }
        struct timespec nap = { 0, 50 * 1000 * 1000 };
        nanosleep(&nap, NULL);
    }
    return err_set(e, MORGUE_EIO, "searchd of %s does not answer on %s:%u "
                   "(see %s/%s/searchd.log)", n->name, n->host, n->sql_port,
                   c->dir, n->name);
}

static int stop_node(const cluster_conf *c, const cnode *n)
{
    pid_t pid = running(c, n);
    if (!pid)
        return 0;
    kill(pid, SIGTERM);
    for (int i = 0; i < 600 && running(c, n) == pid; i++) {
        struct timespec nap = { 0, 50 * 1000 * 1000 };
        nanosleep(&nap, NULL);
        waitpid(pid, NULL, WNOHANG); /* our child if we started it here */
    }
    if (running(c, n) == pid)
        kill(pid, SIGKILL);
    return 1;
}

/* The cluster.conf of the cluster folder dir into a new *out (free()),
 * for start and stop; *out is NULL on failure. */
static int read_dir_conf(cluster_conf **out, const char *dir, errmsg *e)
{
    *out = NULL;
    if (!dir)
        return err_set(e, MORGUE_EINVAL, "no cluster folder");
    cluster_conf *c = calloc(1, sizeof *c);
    if (!c)
        return err_set(e, MORGUE_ENOMEM, "out of memory");
    char path[4400];
    snprintf(path, sizeof path, "%s/cluster.conf", dir);
    int rc = cluster_conf_read(c, path, e);
    if (rc)
        free(c);
    else
        *out = c;
    return rc;
}

MORGUE_API int morgue_cluster_start(const char *dir)
{
    errmsg *e = err_thread();
    cluster_conf *c;
    int rc = read_dir_conf(&c, dir, e);
    for (size_t i = 0; rc == MORGUE_OK && i < c->n_nodes; i++)
        rc = start_node(c, &c->nodes[i], e);
    if (rc == MORGUE_OK)
        rc = start_node(c, &c->head, e);
    free(c);
    return rc;
}

MORGUE_API int morgue_cluster_stop(const char *dir)
{
    errmsg *e = err_thread();
    cluster_conf *c;
    int rc = read_dir_conf(&c, dir, e);
    if (rc == MORGUE_OK) {
        stop_node(c, &c->head);
        for (size_t i = 0; i < c->n_nodes; i++)
            stop_node(c, &c->nodes[i]);
    }
    free(c);
    return rc;
}
