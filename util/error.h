/* error.h: error messages kept by handles, and the thread's last message. */
#ifndef MORGUE_UTIL_ERROR_H
#define MORGUE_UTIL_ERROR_H

#include <stddef.h>

#define ERRMSG_LEN 512

/* A message slot owned by a handle. Formatting never allocates, so an
 * out-of-memory failure can always be reported. */
typedef struct errmsg {
    char text[ERRMSG_LEN];
} errmsg;

/* Formats a message into e (truncating) and returns code. */
int err_set(errmsg *e, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The calling thread's message slot for failures that have no handle yet
 * (failed opens). */
errmsg *err_thread(void);

/* Every corruption finding goes through here: one place for a breakpoint.
 * Returns MORGUE_ECORRUPT. */
int err_corrupt(errmsg *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
