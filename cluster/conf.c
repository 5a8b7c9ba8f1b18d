/* conf.c: reading and writing cluster.conf (format in conf.h). */
#include "cluster/conf.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "morgue.h"
#include "util/buf.h"
#include "util/fsutil.h"

#define CONF_MAX (1 << 20)

void cluster_shard_index(unsigned shard, char *out)
{
    snprintf(out, 16, "shard%u", shard);
}

void cluster_conf_path(const cluster_conf *c, const char *name, char *out,
                       size_t cap)
{
    snprintf(out, cap, "%s/%s", c->dir, name);
}

static int valid_name(const char *s)
{
    if (!*s || !strcmp(s, ".") || !strcmp(s, "..") || !strcmp(s, "files"))
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
              (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
            return 0;
    return 1;
}

static int port_ok(unsigned long p) { return p > 0 && p < 65536; }

/* One line (comment stripped), split into words. */
static int parse_line(cluster_conf *c, char *line, const char *path,
                      unsigned no, int *seen_magic, errmsg *e)
{
    char *w[8];
    int n = 0;
    char *save = NULL;
    for (char *t = strtok_r(line, " \t\r", &save); t;
         t = strtok_r(NULL, " \t\r", &save)) {
        if (n == 8)
            return err_set(e, MORGUE_EFORMAT, "%s:%u: too many words", path,
                           no);
        w[n++] = t;
    }
    if (n == 0)
        return MORGUE_OK;
    char *end;
    if (!strcmp(w[0], "morgue-cluster")) {
        if (n != 2 || (strcmp(w[1], "1") && strcmp(w[1], "2")))
            return err_set(e, MORGUE_EVERSION, "%s:%u: unknown cluster file "
                           "version (this morgue reads versions 1 and %d)",
                           path, no, CLUSTER_VERSION);
        c->version = (unsigned)(w[1][0] - '0');
        *seen_magic = 1;
        return MORGUE_OK;
    }
    if (!*seen_magic)
        return err_set(e, MORGUE_EFORMAT, "%s:%u: not a morgue cluster file "
                       "(the first line must be 'morgue-cluster %d')", path, no,
                           CLUSTER_VERSION);
    if (!strcmp(w[0], "language") && n == 2 &&
        strlen(w[1]) < sizeof c->language) {
        strcpy(c->language, w[1]);
        return MORGUE_OK;
    }
    if (!strcmp(w[0], "shards") && n == 2) {
        unsigned long v = strtoul(w[1], &end, 10);
        if (*end || v == 0 || v > CLUSTER_MAX_NODES)
            return err_set(e, MORGUE_EFORMAT, "%s:%u: shards wants 1 to %d",
                           path, no, CLUSTER_MAX_NODES);
        c->n_shards = (unsigned)v;
        return MORGUE_OK;
    }
    int head = !strcmp(w[0], "head");
    if ((head && n == 4) || (!strcmp(w[0], "node") && n == 6)) {
        cnode x;
        memset(&x, 0, sizeof x);
        int k = 1;
        if (!valid_name(w[k]) || strlen(w[k]) >= sizeof x.name)
            return err_set(e, MORGUE_EFORMAT, "%s:%u: bad name '%s' (letters, "
                           "digits, '-' and '_')", path, no, w[k]);
        strcpy(x.name, w[k++]);
        if (!head) {
            unsigned long v = strtoul(w[k++], &end, 10);
            if (*end || v >= CLUSTER_MAX_NODES)
                return err_set(e, MORGUE_EFORMAT, "%s:%u: bad shard number",
                               path, no);
            x.shard = (unsigned)v;
        }
        if (strlen(w[k]) >= sizeof x.host)
            return err_set(e, MORGUE_EFORMAT, "%s:%u: host name too long",
                           path, no);
        strcpy(x.host, w[k++]);
        unsigned long p = strtoul(w[k++], &end, 10);
        if (*end || !port_ok(p))
            return err_set(e, MORGUE_EFORMAT, "%s:%u: bad port", path, no);
        x.sql_port = (unsigned)p;
        if (!head) {
            p = strtoul(w[k++], &end, 10);
            if (*end || !port_ok(p))
                return err_set(e, MORGUE_EFORMAT, "%s:%u: bad port", path, no);
            x.api_port = (unsigned)p;
        }
        if (head) {
            c->head = x;
        } else {
            if (c->n_nodes == CLUSTER_MAX_NODES)
                return err_set(e, MORGUE_EFORMAT, "%s:%u: more than %d nodes",
                               path, no, CLUSTER_MAX_NODES);
            c->nodes[c->n_nodes++] = x;
        }
        return MORGUE_OK;
    }
    return err_set(e, MORGUE_EFORMAT, "%s:%u: cannot read '%s' (expected "
                   "language, shards, head or node)", path, no, w[0]);
}

int cluster_conf_read(cluster_conf *c, const char *path, errmsg *e)
{
    memset(c, 0, sizeof *c);
    buf b = BUF_INIT;
    int rc = fs_read_all(path, CONF_MAX, &b, e);
    if (rc) {
        buf_free(&b);
        return rc;
    }
    char tmp[4096], real[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s", path);
    const char *dir = dirname(tmp);
    snprintf(c->dir, sizeof c->dir, "%s", realpath(dir, real) ? real : dir);
    strcpy(c->language, "english");
    char *text = (char *)buf_cstr(&b);
    int magic = 0;
    unsigned no = 0; /* lines split by hand: empty ones count too */
    for (char *line = text; rc == MORGUE_OK && line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        no++;
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        rc = parse_line(c, line, path, no, &magic, e);
        line = nl ? nl + 1 : NULL;
    }
    buf_free(&b);
    if (rc)
        return rc;
    if (!magic)
        return err_set(e, MORGUE_EFORMAT, "%s: not a morgue cluster file",
                       path);
    if (!c->n_shards || !c->head.sql_port)
        return err_set(e, MORGUE_EFORMAT, "%s: needs a 'shards' and a "
                       "'head' line", path);
    for (unsigned s = 0; s < c->n_shards; s++) {
        size_t k = 0;
        for (size_t i = 0; i < c->n_nodes; i++)
            k += c->nodes[i].shard == s;
        if (!k)
            return err_set(e, MORGUE_EFORMAT, "%s: shard %u has no node",
                           path, s);
    }
    for (size_t i = 0; i < c->n_nodes; i++)
        if (c->nodes[i].shard >= c->n_shards)
            return err_set(e, MORGUE_EFORMAT, "%s: node %s: shard %u of %u",
                           path, c->nodes[i].name, c->nodes[i].shard,
                           c->n_shards);
    return MORGUE_OK;
}

int cluster_conf_need_current(const cluster_conf *c, const char *path,
                              errmsg *e)
{
    if (c->version == CLUSTER_VERSION)
        return MORGUE_OK;
    /* a version 1 shard has no columns for the offset and the local day
     * (ALTER cannot fill them from the rows), so the articles go again */
    return err_set(e, MORGUE_EVERSION, "%s: a version %u cluster (its rows "
                   "lack the dates' UTC offsets); this morgue needs version "
                   "%d: make a new one with `morgue cluster init` and index "
                   "the archive into it (docs/CLUSTER.md, Upgrading)", path,
                   c->version, CLUSTER_VERSION);
}

int cluster_conf_write(const cluster_conf *c, errmsg *e)
{
    buf b = BUF_INIT;
    buf_printf(&b, "# cluster.conf: a morgue cluster (docs/CLUSTER.md), written "
                 "by `morgue cluster init`.\n"
                 "# head NAME HOST SQLPORT; node NAME SHARD HOST SQLPORT "
                 "AGENTPORT (nodes of one shard\n"
                 "# are mirrors). Keep it in step with the searchd.conf "
                 "files when moving nodes.\n"
                 "morgue-cluster %d\n", CLUSTER_VERSION);
    buf_printf(&b, "language %s\nshards %u\nhead %s %s %u\n", c->language,
               c->n_shards, c->head.name, c->head.host, c->head.sql_port);
    for (size_t i = 0; i < c->n_nodes; i++)
        buf_printf(&b, "node %s %u %s %u %u\n", c->nodes[i].name,
                   c->nodes[i].shard, c->nodes[i].host, c->nodes[i].sql_port,
                   c->nodes[i].api_port);
    if (b.oom) {
        buf_free(&b);
        return err_set(e, MORGUE_ENOMEM, "out of memory");
    }
    char path[4200];
    snprintf(path, sizeof path, "%s/cluster.conf", c->dir);
    int rc = fs_write_durable(path, b.ptr, b.len, e);
    buf_free(&b);
    return rc;
}
