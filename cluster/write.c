/* write.c: morgue_writer_open_cluster(): a writer whose articles go to
 * the shards (indexer/sink.h). Operations are kept per identity, the last
 * one winning (a replace after a delete of the same article is just the
 * replace), and sent at flush as multi-row REPLACE and DELETE ... IN
 * statements to every node of each article's shard, all nodes at once
 * (a thread and a connection each). Each statement is
 * a transaction on its node; then FLUSH RTINDEX writes the node's RAM
 * chunk to disk, so once a flush returns MORGUE_OK the articles survive a
 * kill of any searchd. (searchd's binlog would do that more cheaply, but
 * Debian's 2.2.11 left it empty in every mode we tried: a node killed with
 * SIGKILL came back without its last writes.) A flush that fails part way
 * leaves some shards ahead of the file table: harmless, since the next
 * run replaces the same identities again. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/conf.h"
#include "cluster/row.h"
#include "cluster/sql.h"
#include "indexer/sink.h"
#include "text/stem.h"
#include "util/alloc.h"
#include "util/u64map.h"

#define STATEMENT_BYTES (1u << 20) /* below searchd's max_packet_size */
#define DELETE_IDS 1000

typedef struct op {
    uint64_t ident;
    int del;            /* 1: delete; 0: replace with row [off, off+len) */
    int dead;           /* superseded by a later op of the same identity */
    size_t off, len;
} op;

typedef struct csink {
    cluster_conf conf;
    stemmer *stem;
    u64map last;        /* identity -> index of its latest op */
    op *ops;
    size_t n_ops, cap_ops;
    buf rows;           /* row tuples of the replaces */
    buf tmp[4];
    MYSQL *conn[CLUSTER_MAX_NODES]; /* per node, opened on first use */
} csink;

static int push(csink *k, uint64_t ident, int del, size_t off, size_t len,
                errmsg *e)
{
    op *n = mem_grow(k->ops, &k->cap_ops, k->n_ops + 1, sizeof *n);
    if (!n)
        return err_set(e, MORGUE_ENOMEM, "out of memory");
    k->ops = n;
    uint32_t prev = u64map_get(&k->last, ident);
    if (prev != U64MAP_NONE)
        k->ops[prev].dead = 1;
    if (u64map_put(&k->last, ident, (uint32_t)k->n_ops))
        return err_set(e, MORGUE_ENOMEM, "out of memory");
    k->ops[k->n_ops++] = (op){ ident, del, 0, off, len };
    return MORGUE_OK;
}

static int sink_put(void *ctx, const invert_doc *d, errmsg *e)
{
    csink *k = ctx;
    size_t off = k->rows.len;
    if (row_append(&k->rows, d, k->stem, k->tmp))
        return err_set(e, MORGUE_ENOMEM, "out of memory");
    return push(k, d->ident, 0, off, k->rows.len - off, e);
}

static int sink_del(void *ctx, uint64_t ident, errmsg *e)
{
    return push(ctx, ident, 1, 0, 0, e);
}

static size_t sink_buffered(void *ctx)
{
    csink *k = ctx;
    return k->rows.len + k->n_ops * 24;
}

static void who(const csink *k, size_t i, char *out, size_t cap)
{
    const cnode *n = &k->conf.nodes[i];
    snprintf(out, cap, "shard %u (node %s at %s:%u)", n->shard, n->name,
             n->host, n->sql_port);
}

/* Runs q on node i, connecting (once more, if the old connection died). */
static int run_on(csink *k, size_t i, const buf *q, errmsg *e)
{
    char name[256];
    who(k, i, name, sizeof name);
    for (int attempt = 0; attempt < 2; attempt++) {
        if (!k->conn[i]) {
            int rc = sql_connect(&k->conn[i], k->conf.nodes[i].host,
                                 k->conf.nodes[i].sql_port, 30, name, e);
            if (rc)
                return rc;
        }
        int rc = sql_exec(k->conn[i], q->ptr, q->len, name, e);
        if (rc == MORGUE_OK)
            return rc;
        int lost = sql_conn_lost(k->conn[i]);
        mysql_close(k->conn[i]);
        k->conn[i] = NULL;
        if (!lost || attempt)
            return rc;
    }
    return MORGUE_EIO;
}

/* Sends q to node i. */
static int send_node(csink *k, size_t i, buf *q, errmsg *e)
{
    if (q->oom)
        return err_set(e, MORGUE_ENOMEM, "out of memory");
    int rc = run_on(k, i, q, e);
    buf_clear(q);
    return rc;
}

/* Everything buffered for node i's shard, to node i: the replaces, the
 * deletes, then FLUSH RTINDEX. */
static int flush_node(csink *k, size_t node, errmsg *e)
{
    unsigned s = k->conf.nodes[node].shard;
    char index[16];
    cluster_shard_index(s, index);
    buf q = BUF_INIT;
    int rc = MORGUE_OK;
    size_t rows = 0, ids = 0;
    int sent = 0;
    /* replaces */
    for (size_t i = 0; i < k->n_ops && rc == MORGUE_OK; i++) {
        const op *o = &k->ops[i];
        if (o->dead || o->del || row_shard(o->ident, k->conf.n_shards) != s)
            continue;
        sent = 1;
        if (!rows++)
            buf_printf(&q, "REPLACE INTO %s (" ROW_COLUMNS ") VALUES ",
                       index);
        else
            buf_putc(&q, ',');
        buf_append(&q, k->rows.ptr + o->off, o->len);
        if (q.len >= STATEMENT_BYTES) {
            rc = send_node(k, node, &q, e);
            rows = 0;
        }
    }
    if (rc == MORGUE_OK && rows)
        rc = send_node(k, node, &q, e);
    /* deletes */
    for (size_t i = 0; i < k->n_ops && rc == MORGUE_OK; i++) {
        const op *o = &k->ops[i];
        if (o->dead || !o->del || row_shard(o->ident, k->conf.n_shards) != s)
            continue;
        sent = 1;
        unsigned long long id = row_docid(o->ident);
        if (!ids++)
            buf_printf(&q, "DELETE FROM %s WHERE id IN (%llu", index, id);
        else
            buf_printf(&q, ",%llu", id);
        if (ids == DELETE_IDS) {
            buf_putc(&q, ')');
            rc = send_node(k, node, &q, e);
            ids = 0;
        }
    }
    if (rc == MORGUE_OK && ids) {
        buf_putc(&q, ')');
        rc = send_node(k, node, &q, e);
    }
    if (rc == MORGUE_OK && sent) { /* durable before it is confirmed */
        buf_printf(&q, "FLUSH RTINDEX %s", index);
        rc = send_node(k, node, &q, e);
    }
    buf_free(&q);
    return rc;
}

/* One node's share of a flush, on a thread of its own. */
typedef struct job {
    csink *k;
    size_t node;
    int rc;
    errmsg e;
} job;

static void *node_thread(void *arg)
{
    job *j = arg;
    j->rc = flush_node(j->k, j->node, &j->e);
    return NULL;
}

/* Every node at once, each on its own connection (the ops and rows are
 * only read meanwhile), so a flush takes about as long as the slowest
 * node rather than the sum. All must succeed: on a failure the others
 * still finish (or fail) before the flush returns, the file table stays
 * where it was, and what did arrive is replaced again by the next run. */
static int sink_flush(void *ctx, errmsg *e)
{
    csink *k = ctx;
    size_t n = k->conf.n_nodes;
    job *jobs = calloc(n + 1, sizeof *jobs);
    pthread_t *tid = calloc(n + 1, sizeof *tid);
    int *started = calloc(n + 1, sizeof *started);
    int rc = jobs && tid && started ? MORGUE_OK : MORGUE_ENOMEM;
    for (size_t i = 0; i < n && rc == MORGUE_OK; i++) {
        jobs[i].k = k;
        jobs[i].node = i;
        /* the last node on this thread; the others where a thread starts
         * (or here, one after another, when none can) */
        started[i] = i + 1 < n &&
                     pthread_create(&tid[i], NULL, node_thread, &jobs[i]) == 0;
        if (!started[i] && i + 1 < n)
            node_thread(&jobs[i]);
    }
    if (rc == MORGUE_OK && n)
        node_thread(&jobs[n - 1]);
    for (size_t i = 0; rc == MORGUE_OK && i < n; i++)
        if (started[i])
            pthread_join(tid[i], NULL);
    size_t failed = n, n_failed = 0;
    for (size_t i = 0; rc == MORGUE_OK && i < n; i++)
        if (jobs[i].rc) {
            n_failed++;
            if (failed == n)
                failed = i;
        }
    if (rc) {
        err_set(e, rc, "out of memory");
    } else if (failed < n) {
        rc = jobs[failed].rc;
        char more[64] = "";
        if (n_failed > 1)
            snprintf(more, sizeof more, " (and %zu other node%s)",
                     n_failed - 1, n_failed > 2 ? "s" : "");
        err_set(e, rc, "%s%s; the run stops before its file table "
                "advances, and the next run sends these articles again",
                jobs[failed].e.text, more);
    }
    free(jobs);
    free(tid);
    free(started);
    if (rc)
        return rc;
    k->n_ops = 0;
    buf_clear(&k->rows);
    u64map_clear(&k->last);
    return MORGUE_OK;
}

static void sink_close(void *ctx)
{
    csink *k = ctx;
    if (!k)
        return;
    for (size_t i = 0; i < k->conf.n_nodes; i++)
        if (k->conn[i])
            mysql_close(k->conn[i]);
    stemmer_free(k->stem);
    u64map_free(&k->last);
    free(k->ops);
    buf_free(&k->rows);
    for (int i = 0; i < 4; i++)
        buf_free(&k->tmp[i]);
    free(k);
}

static const writer_sink cluster_sink = {
    sink_put, sink_del, sink_buffered, sink_flush, sink_close,
};

#define DEFAULT_CLUSTER_BUDGET (16u << 20)

MORGUE_API int morgue_writer_open_cluster(morgue_writer **out,
                                          const char *cluster_file,
                                          const morgue_writer_opts *opts)
{
    *out = NULL;
    errmsg *e = err_thread();
    if (!cluster_file)
        return err_set(e, MORGUE_EINVAL, "no cluster file");
    csink *k = calloc(1, sizeof *k);
    if (!k)
        return err_set(e, MORGUE_ENOMEM, "out of memory");
    int rc = cluster_conf_read(&k->conf, cluster_file, e);
    if (rc == MORGUE_OK)
        rc = cluster_conf_need_current(&k->conf, cluster_file, e);
    if (rc == MORGUE_OK && opts && opts->language &&
        strcmp(opts->language, k->conf.language))
        rc = err_set(e, MORGUE_EINVAL, "the cluster stems in %s, not %s "
                     "(cluster.conf)", k->conf.language, opts->language);
    if (rc == MORGUE_OK && (rc = stemmer_new(&k->stem, k->conf.language)))
        err_set(e, rc, "unknown stemmer language '%s' in %s",
                k->conf.language, cluster_file);
    if (rc) {
        sink_close(k);
        return rc;
    }
    char files[4200];
    cluster_conf_path(&k->conf, "files", files, sizeof files);
    morgue_writer_opts o = MORGUE_WRITER_OPTS_INIT;
    if (opts && opts->version >= 1) {
        o.wait_seconds = opts->wait_seconds;
        o.memory_budget = opts->memory_budget;
    }
    if (opts && opts->version >= 2) {
        o.rebuild = opts->rebuild;
        o.merge_factor = opts->merge_factor;
    }
    if (!o.memory_budget)
        o.memory_budget = DEFAULT_CLUSTER_BUDGET;
    o.language = k->conf.language;
    return writer_open_sink(out, files, &o, &cluster_sink, k);
}
