/* sql.c: connections and statements (sql.h). */
#include "cluster/sql.h"

#include <errmsg.h>
#include <pthread.h>
#include <string.h>

#include "morgue.h"

static void library_init(void)
{
    mysql_library_init(0, NULL, NULL);
}

int sql_connect(MYSQL **out, const char *host, unsigned port,
                unsigned timeout_s, const char *who, errmsg *e)
{
    /* mysql_init() would do it on first use, but not safely from two
     * threads at once (the writer's nodes, a served searcher's pool) */
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, library_init);
    *out = NULL;
    MYSQL *m = mysql_init(NULL);
    if (!m)
        return err_set(e, MORGUE_ENOMEM, "out of memory");
    unsigned ct = timeout_s < 2 ? timeout_s : 2, rw = timeout_s;
    mysql_optionsv(m, MYSQL_OPT_CONNECT_TIMEOUT, &ct);
    mysql_optionsv(m, MYSQL_OPT_READ_TIMEOUT, &rw);
    mysql_optionsv(m, MYSQL_OPT_WRITE_TIMEOUT, &rw);
    if (!mysql_real_connect(m, host, NULL, NULL, NULL, port, NULL,
                            CLIENT_MULTI_STATEMENTS)) {
        err_set(e, MORGUE_EIO, "%s: cannot connect: %s", who,
                mysql_error(m));
        mysql_close(m);
        return MORGUE_EIO;
    }
    *out = m;
    return MORGUE_OK;
}

int sql_exec(MYSQL *m, const char *q, size_t len, const char *who,
             errmsg *e)
{
    if (mysql_real_query(m, q, (unsigned long)len))
        return err_set(e, MORGUE_EIO, "%s: %s", who, mysql_error(m));
    int st;
    do {
        MYSQL_RES *r = mysql_store_result(m);
        if (r)
            mysql_free_result(r);
        else if (mysql_field_count(m) != 0)
            return err_set(e, MORGUE_EIO, "%s: %s", who, mysql_error(m));
    } while ((st = mysql_next_result(m)) == 0);
    if (st > 0)
        return err_set(e, MORGUE_EIO, "%s: %s", who, mysql_error(m));
    return MORGUE_OK;
}

int sql_conn_lost(MYSQL *m)
{
    unsigned n = mysql_errno(m);
    return n == CR_SERVER_GONE_ERROR || n == CR_SERVER_LOST ||
           n == CR_CONN_HOST_ERROR || n == CR_CONNECTION_ERROR;
}

void sql_quote(buf *b, const char *p, size_t n)
{
    buf_putc(b, '\'');
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        switch (c) {
        case '\'': buf_puts(b, "\\'"); break;
        case '\\': buf_puts(b, "\\\\"); break;
        case '\n': buf_puts(b, "\\n"); break;
        case '\r': buf_puts(b, "\\r"); break;
        case '\t': buf_puts(b, "\\t"); break;
        case '\0': buf_puts(b, "\\0"); break;
        default: buf_putc(b, c);
        }
    }
    buf_putc(b, '\'');
}
