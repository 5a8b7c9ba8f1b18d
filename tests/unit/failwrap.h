/* failwrap.h: fault injection for check_fault.c without LD_PRELOAD: the
 * program is linked with --wrap for malloc, calloc, realloc, strdup, free,
 * write, fsync and rename (tests/CMakeLists.txt), so every call to them
 * from libmorgue's objects comes here first. fw_arm(kind, n) makes the
 * n-th call of that kind fail once; allocations made here are tracked by
 * pointer, so fw_live() counts what is still allocated (a leak check that
 * works without ASan; ASan's LeakSanitizer checks too). */
#ifndef MORGUE_FAILWRAP_H
#define MORGUE_FAILWRAP_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
ssize_t __real_write(int fd, const void *p, size_t n);
int __real_fsync(int fd);
int __real_rename(const char *a, const char *b);

void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
void __wrap_free(void *p);
char *__wrap_strdup(const char *s);
ssize_t __wrap_write(int fd, const void *p, size_t n);
int __wrap_fsync(int fd);
int __wrap_rename(const char *a, const char *b);

enum { FW_NONE, FW_ALLOC, FW_IO };

static int fw_kind;          /* what fails */
static long fw_countdown;    /* calls of that kind before the failure */
static int fw_fired;         /* the failure happened */

/* Pointers allocated through the wrappers: open addressing, tombstones. */
#define FW_SLOTS (1u << 20)
#define FW_TOMB ((uintptr_t)1)
static uintptr_t fw_set[FW_SLOTS];
static long fw_n_live;

static size_t fw_home(const void *p)
{
    return (size_t)(((uintptr_t)p >> 4) * 0x9E3779B97F4A7C15ull >> 44) &
           (FW_SLOTS - 1);
}

static void fw_track(void *p)
{
    if (!p)
        return;
    size_t i = fw_home(p);
    while (fw_set[i] && fw_set[i] != FW_TOMB)
        i = (i + 1) & (FW_SLOTS - 1);
    fw_set[i] = (uintptr_t)p;
    fw_n_live++;
}

/* 1 when p was tracked (and is no longer). */
static int fw_untrack(void *p)
{
    if (!p)
        return 0;
    for (size_t i = fw_home(p); fw_set[i]; i = (i + 1) & (FW_SLOTS - 1))
        if (fw_set[i] == (uintptr_t)p) {
            fw_set[i] = FW_TOMB;
            fw_n_live--;
            return 1;
        }
    return 0;
}

static void fw_arm(int kind, long n)
{
    fw_kind = kind;
    fw_countdown = n;
    fw_fired = 0;
}

static void fw_disarm(void) { fw_kind = FW_NONE; }

static long fw_live(void) { return fw_n_live; }

static int fw_fail(int kind)
{
    if (fw_kind != kind || fw_fired)
        return 0;
    if (--fw_countdown > 0)
        return 0;
    fw_fired = 1;
    return 1;
}

void *__wrap_malloc(size_t n)
{
    if (fw_fail(FW_ALLOC))
        return NULL;
    void *p = __real_malloc(n);
    fw_track(p);
    return p;
}

void *__wrap_calloc(size_t n, size_t size)
{
    if (fw_fail(FW_ALLOC))
        return NULL;
    void *p = __real_calloc(n, size);
    fw_track(p);
    return p;
}

void *__wrap_realloc(void *p, size_t n)
{
    if (fw_fail(FW_ALLOC))
        return NULL;
    int tracked = fw_untrack(p);
    void *q = __real_realloc(p, n);
    if (q && (tracked || !p))
        fw_track(q);
    else if (!q && tracked)
        fw_track(p); /* still allocated */
    return q;
}

void __wrap_free(void *p)
{
    fw_untrack(p);
    __real_free(p);
}

char *__wrap_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = __wrap_malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

ssize_t __wrap_write(int fd, const void *p, size_t n)
{
    if (fw_fail(FW_IO)) {
        errno = ENOSPC;
        return -1;
    }
    return __real_write(fd, p, n);
}

int __wrap_fsync(int fd)
{
    if (fw_fail(FW_IO)) {
        errno = EIO;
        return -1;
    }
    return __real_fsync(fd);
}

int __wrap_rename(const char *a, const char *b)
{
    if (fw_fail(FW_IO)) {
        errno = EIO;
        return -1;
    }
    return __real_rename(a, b);
}

#endif
