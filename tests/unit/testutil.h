/* testutil.h: helpers shared by the Check programs. */
#ifndef MORGUE_TESTUTIL_H
#define MORGUE_TESTUTIL_H

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "morgue.h"

/* 1 in a build under AddressSanitizer (gcc or clang): tests size their
 * heaviest cases by it. */
#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif

/* A fresh empty directory under $TMPDIR; the caller frees the string. */
static inline char *tu_tempdir(const char *tag)
{
    const char *base = getenv("TMPDIR");
    char tmpl[4096];
    snprintf(tmpl, sizeof tmpl, "%s/morgue-%s-XXXXXX", base ? base : "/tmp",
             tag);
    char *d = mkdtemp(tmpl);
    return d ? strdup(d) : NULL;
}

/* rm -rf dir (test directories only). */
static inline void tu_rmrf(const char *dir)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

/* Deterministic PRNG (xorshift64*). */
static inline uint64_t tu_rand(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ull;
}

/* Adds a, failing the test with the writer's message when it is refused. */
static inline void tu_put(morgue_writer *w, const morgue_article *a)
{
    ck_assert_msg(morgue_writer_add(w, a) == MORGUE_OK, "adding %s: %s",
                  a->id, morgue_writer_errmsg(w));
}

/* Adds one article; a NULL source or a 0 date leaves that field unset. */
static inline void tu_add(morgue_writer *w, const char *id, const char *title,
                          const char *body, const char *source, int64_t date)
{
    morgue_article a = MORGUE_ARTICLE_INIT;
    a.id = id;
    a.title = title;
    a.body = body;
    a.source = source;
    a.date = date;
    tu_put(w, &a);
}

#endif
