/* sql.h: SphinxQL over MariaDB Connector/C: connecting to a searchd,
 * running statements, quoting. searchd 2.2 has no prepared statements,
 * so values are quoted into the statement text (sql_quote); query text
 * inside MATCH() is built from morgue's own tokens (translate.h), then
 * quoted the same way. */
#ifndef MORGUE_CLUSTER_SQL_H
#define MORGUE_CLUSTER_SQL_H

#include <mysql.h>
#include <stddef.h>

#include "util/buf.h"
#include "util/error.h"

/* Connects to host:port (no database, multi-statements on). Timeouts in
 * seconds: connect, then each read and write. MORGUE_EIO with a message
 * naming who (e.g. "shard 1 node shard1 at 127.0.0.1:9310"). */
int sql_connect(MYSQL **out, const char *host, unsigned port,
                unsigned timeout_s, const char *who, errmsg *e);

/* Runs q (one statement or several separated by ';') and discards any
 * result. MORGUE_EIO with who and searchd's message on failure. */
int sql_exec(MYSQL *m, const char *q, size_t len, const char *who,
             errmsg *e);

/* Appends (p, n) as a single-quoted SphinxQL string literal. */
void sql_quote(buf *b, const char *p, size_t n);

/* 1 when the failure means the connection is gone (reconnect). */
int sql_conn_lost(MYSQL *m);

#endif
