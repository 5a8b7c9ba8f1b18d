/* optimize.c: morgue_cluster_optimize(): every node's RT index merged
 * into one disk chunk.
 *
 * Why: searchd 2.2.11 computes a word's idf per RT chunk (the RAM chunk
 * and each disk chunk apart), so after a few indexing runs the same word
 * weighs differently in old and new articles, and the cluster's candidate
 * ranking (search.c) drifts from a local index's. A shard of one chunk
 * has one idf per word again.
 *
 * How: on every node (mirrors too, over SQL, local or not), FLUSH
 * RAMCHUNK turns the RAM chunk into a disk chunk (synchronous; nothing
 * when it is empty), then OPTIMIZE INDEX queues the merge of all disk
 * chunks in searchd's background thread. 2.2.11 has no way to wait for
 * it nor a status of the queue, so every node is asked SHOW INDEX STATUS
 * until it reports at most one disk chunk. Searches and writes go on
 * meanwhile; so that no `morgue index --cluster` adds chunks during the
 * wait, the cluster's writer lock (files/LOCK) is held throughout. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "cluster/conf.h"
#include "cluster/sql.h"
#include "morgue.h"

/* Reads a merge of two 256 MB chunks may take minutes on a busy node. */
#define NODE_TIMEOUT_S 600
#define POLL_NS (200 * 1000 * 1000)
/* polls without progress before OPTIMIZE is sent again (a queue lost
 * when searchd restarted; a second job on a merged index does nothing) */
#define RESEND_POLLS 300

typedef struct onode {
    const cnode *n;
    MYSQL *m;
    char who[256];
    long chunks;        /* disk chunks at the last look; -1 unknown */
    int stalled;        /* polls since chunks last fell */
    int done;
} onode;

/* disk_chunks of the node's index (SHOW INDEX ... STATUS). */
static int disk_chunks(onode *o, const char *index, long *out, errmsg *e)
{
    char q[64];
    snprintf(q, sizeof q, "SHOW INDEX %s STATUS", index);
    if (mysql_query(o->m, q))
        return err_set(e, MORGUE_EIO, "%s: %s", o->who, mysql_error(o->m));
    MYSQL_RES *r = mysql_store_result(o->m);
    if (!r)
        return err_set(e, MORGUE_EIO, "%s: %s", o->who, mysql_error(o->m));
    MYSQL_ROW row;
    *out = -1;
    while ((row = mysql_fetch_row(r)))
        if (row[0] && row[1] && !strcmp(row[0], "disk_chunks"))
            *out = strtol(row[1], NULL, 10);
    mysql_free_result(r);
    if (*out < 0)
        return err_set(e, MORGUE_EIO, "%s: SHOW INDEX %s STATUS has no "
                       "disk_chunks", o->who, index);
    return MORGUE_OK;
}

static int send_optimize(onode *o, const char *index, errmsg *e)
{
    char q[64];
    int len = snprintf(q, sizeof q, "OPTIMIZE INDEX %s", index);
    return sql_exec(o->m, q, (size_t)len, o->who, e);
}

/* Connects, flushes the RAM chunk and queues the merge when the node has
 * more than one disk chunk; o->done when there is nothing to wait for. */
static int begin(onode *o, errmsg *e)
{
    char index[16], q[64];
    cluster_shard_index(o->n->shard, index);
    int rc = sql_connect(&o->m, o->n->host, o->n->sql_port, NODE_TIMEOUT_S,
                         o->who, e);
    if (rc)
        return rc;
    int len = snprintf(q, sizeof q, "FLUSH RAMCHUNK %s", index);
    if ((rc = sql_exec(o->m, q, (size_t)len, o->who, e)) ||
        (rc = disk_chunks(o, index, &o->chunks, e)))
        return rc;
    if (o->chunks <= 1) {
        o->done = 1;
        return MORGUE_OK;
    }
    return send_optimize(o, index, e);
}

/* One look at a node whose merge runs. */
static int poll_node(onode *o, errmsg *e)
{
    char index[16];
    cluster_shard_index(o->n->shard, index);
    long now;
    int rc = disk_chunks(o, index, &now, e);
    if (rc)
        return rc;
    if (now <= 1) {
        o->done = 1;
        return MORGUE_OK;
    }
    o->stalled = now < o->chunks ? 0 : o->stalled + 1;
    o->chunks = now;
    if (o->stalled >= RESEND_POLLS) {
        o->stalled = 0;
        return send_optimize(o, index, e);
    }
    return MORGUE_OK;
}

/* How many nodes failed, and the first one's error (the one reported). */
typedef struct failures {
    int n, rc;
    errmsg first;
} failures;

static void node_failed(failures *f, onode *o, int rc, const errmsg *e)
{
    if (!f->n++) {
        f->first = *e;
        f->rc = rc;
    }
    o->done = 1;
}

/* flock on the cluster's files/LOCK (the writer's), when a run made it:
 * *fd -1 when there is no file table yet (nothing indexed, nothing to
 * hold off). */
static int lock_files(const cluster_conf *c, int *fd, errmsg *e)
{
    char path[4200];
    *fd = -1;
    cluster_conf_path(c, "files", path, sizeof path);
    if (access(path, F_OK) != 0)
        return MORGUE_OK;
    snprintf(path + strlen(path), sizeof path - strlen(path), "/LOCK");
    *fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (*fd < 0)
        return err_set(e, MORGUE_EIO, "%s: %s", path, strerror(errno));
    if (flock(*fd, LOCK_EX | LOCK_NB) == 0)
        return MORGUE_OK;
    int busy = errno == EWOULDBLOCK;
    int rc = busy ? err_set(e, MORGUE_EBUSY, "%s is held by a writer "
                            "(morgue index --cluster runs); optimize after "
                            "it", path)
                  : err_set(e, MORGUE_EIO, "%s: flock: %s", path,
                            strerror(errno));
    close(*fd);
    *fd = -1;
    return rc;
}

MORGUE_API int morgue_cluster_optimize(const char *dir)
{
    errmsg *e = err_thread();
    if (!dir || !*dir)
        return err_set(e, MORGUE_EINVAL, "no cluster folder");
    cluster_conf *c = calloc(1, sizeof *c);
    onode *o = calloc(CLUSTER_MAX_NODES, sizeof *o);
    if (!c || !o) {
        free(c);
        free(o);
        return err_set(e, MORGUE_ENOMEM, "out of memory");
    }
    char path[4400];
    snprintf(path, sizeof path, "%s/cluster.conf", dir);
    int fd = -1, rc = cluster_conf_read(c, path, e);
    if (rc == MORGUE_OK)
        rc = lock_files(c, &fd, e);
    /* every node begins before any is waited for: the merges run at once,
     * each in its searchd */
    failures f = { .rc = MORGUE_OK };
    for (size_t i = 0; rc == MORGUE_OK && i < c->n_nodes; i++) {
        o[i].n = &c->nodes[i];
        snprintf(o[i].who, sizeof o[i].who, "shard %u (node %s at %s:%u)",
                 o[i].n->shard, o[i].n->name, o[i].n->host,
                 o[i].n->sql_port);
        int r = begin(&o[i], e);
        if (r != MORGUE_OK)
            node_failed(&f, &o[i], r, e);
    }
    for (int waiting = rc == MORGUE_OK; waiting;) {
        waiting = 0;
        for (size_t i = 0; i < c->n_nodes; i++) {
            if (o[i].done)
                continue;
            int r = poll_node(&o[i], e);
            if (r != MORGUE_OK)
                node_failed(&f, &o[i], r, e);
            waiting |= !o[i].done;
        }
        struct timespec nap = { 0, POLL_NS };
        if (waiting)
            nanosleep(&nap, NULL);
    }
    for (size_t i = 0; i < c->n_nodes; i++)
        if (o[i].m)
            mysql_close(o[i].m);
    if (rc == MORGUE_OK && f.n)
        rc = f.n == 1 ? err_set(e, f.rc, "%s", f.first.text)
                      : err_set(e, f.rc, "%s (and %d other nodes failed)",
                                f.first.text, f.n - 1);
    if (fd >= 0)
        close(fd); /* releases the flock */
    free(o);
    free(c);
    return rc;
}
