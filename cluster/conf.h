/* conf.h: cluster.conf, morgue's own description of a cluster: the
 * stemmer language, how many shards, the head (the searchd with the
 * distributed index that queries go to) and every node (a searchd holding
 * one shard's RT index; several nodes of one shard are mirrors).
 *
 * The file is lines of words; '#' starts a comment:
 *
 *   morgue-cluster 2
 *   language english
 *   shards 2
 *   head head 127.0.0.1 9306
 *   node shard0 0 127.0.0.1 9308 9309
 *   node shard1 1 127.0.0.1 9310 9311
 *
 * "head NAME HOST SQLPORT"; "node NAME SHARD HOST SQLPORT AGENTPORT".
 * NAME is also the node's folder beside cluster.conf (its searchd.conf,
 * data, pid file) on the machine that runs it. Writes go to every node of
 * the article's shard over SQL; the head reaches nodes on their agent
 * port. The file table lives in the folder "files" beside the file. */
#ifndef MORGUE_CLUSTER_CONF_H
#define MORGUE_CLUSTER_CONF_H

#include <stddef.h>

#include "util/error.h"

#define CLUSTER_MAX_NODES 256
/* The version cluster init writes. 2: rows carry the date's UTC offset
 * and the local clock (row.h). Version 1 files are still read, so that
 * `cluster stop` and `start` work on an old cluster, but searching and
 * indexing refuse them (cluster_conf_need_current). */
#define CLUSTER_VERSION 2
#define CLUSTER_INDEX "morgue"  /* the head's distributed index */

typedef struct cnode {
    char name[64];        /* folder name */
    unsigned shard;       /* node: 0..n_shards-1 */
    char host[128];
    unsigned sql_port;    /* SphinxQL (mysql41) */
    unsigned api_port;    /* agent protocol; 0 for the head */
} cnode;

typedef struct cluster_conf {
    unsigned version;     /* of the file: 1 or CLUSTER_VERSION */
    char dir[4096];       /* folder holding the file */
    char language[32];
    unsigned n_shards;
    cnode head;
    cnode nodes[CLUSTER_MAX_NODES];
    size_t n_nodes;
} cluster_conf;

/* Reads path. Errors name the file and line: MORGUE_ENOTFOUND,
 * MORGUE_EIO, MORGUE_EFORMAT (a bad line, a shard without a node). */
int cluster_conf_read(cluster_conf *c, const char *path, errmsg *e);

/* MORGUE_OK when c (read from path) has this morgue's row layout; else
 * MORGUE_EVERSION saying how to move the archive to a new cluster. */
int cluster_conf_need_current(const cluster_conf *c, const char *path,
                              errmsg *e);

/* Writes c as dir/cluster.conf (version CLUSTER_VERSION), durably. */
int cluster_conf_write(const cluster_conf *c, errmsg *e);

/* "<dir>/<name>" for a node's folder or "<dir>/files". */
void cluster_conf_path(const cluster_conf *c, const char *name, char *out,
                       size_t cap);

/* The shard's index name ("shard3") into out[16]. */
void cluster_shard_index(unsigned shard, char *out);

#endif
