/* error.c: error codes, messages and the library's version. */
#include "util/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "morgue.h"

static _Thread_local errmsg thread_msg;

errmsg *err_thread(void) { return &thread_msg; }

static void vset(errmsg *e, const char *fmt, va_list ap)
{
    vsnprintf(e->text, sizeof e->text, fmt, ap);
}

int err_set(errmsg *e, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vset(e, fmt, ap);
    va_end(ap);
    return code;
}

int err_corrupt(errmsg *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vset(e, fmt, ap);
    va_end(ap);
    return MORGUE_ECORRUPT;
}

MORGUE_API const char *morgue_strerror(int code)
{
    if (code > 0)
        return strerror(code);
    switch (code) {
    case MORGUE_OK: return "success";
    case MORGUE_ERROR: return "error";
    case MORGUE_ENOMEM: return "out of memory";
    case MORGUE_EINVAL: return "invalid argument";
    case MORGUE_EIO: return "input/output error";
    case MORGUE_ENOTFOUND: return "not found";
    case MORGUE_ECORRUPT: return "index is corrupt";
    case MORGUE_EVERSION: return "unsupported index format version";
    case MORGUE_EQUERY: return "malformed query";
    case MORGUE_EFORMAT: return "unreadable article format";
    case MORGUE_ITEROVER: return "no more items";
    case MORGUE_EBUSY: return "index is locked by another writer";
    case MORGUE_ECANCELED: return "stopped on request";
    default: return "unknown error code";
    }
}

MORGUE_API int morgue_version_number(void) { return MORGUE_VERSION_NUMBER; }


MORGUE_API const char *morgue_last_errmsg(void) { return thread_msg.text; }
