/* fsutil.c: small file-system helpers. */
#include "util/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "morgue.h"

int fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    int saved = errno;
    close(fd);
    errno = saved;
    return rc;
}

int mkdir_p(const char *dir)
{
    char path[4096];
    size_t n = strlen(dir);
    if (n == 0 || n >= sizeof path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(path, dir, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (path[i] != '/' && path[i] != '\0')
            continue;
        char c = path[i];
        path[i] = '\0';
        if (mkdir(path, 0755) != 0 && errno != EEXIST)
            return -1;
        path[i] = c;
    }
    return 0;
}

int fs_write_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n > 0) {
        ssize_t w = write(fd, c, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        if (w == 0) { /* should not happen for regular files */
            errno = EIO;
            return -1;
        }
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

int fs_write_durable(const char *path, const void *p, size_t n, errmsg *e)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return err_set(e, MORGUE_EIO, "%s: %s", path, strerror(errno));
    const char *what = "write";
    int bad = fs_write_all(fd, p, n);
    if (!bad && fsync(fd) != 0) {
        what = "fsync";
        bad = 1;
    }
    int saved = errno;
    if (close(fd) != 0 && !bad) {
        what = "close";
        saved = errno;
        bad = 1;
    }
    if (!bad)
        return MORGUE_OK;
    unlink(path);
    return err_set(e, MORGUE_EIO, "%s: %s: %s", path, what, strerror(saved));
}

int fs_read_all(const char *path, size_t max, buf *out, errmsg *e)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return err_set(e, errno == ENOENT ? MORGUE_ENOTFOUND : MORGUE_EIO,
                       "%s: %s", path, strerror(errno));
    int rc = fs_read_fd(fd, path, max, out, e);
    close(fd);
    return rc;
}

int fs_read_fd(int fd, const char *path, size_t max, buf *out, errmsg *e)
{
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        return err_set(e, MORGUE_EIO, "%s: not a readable file", path);
    if ((uint64_t)st.st_size > max)
        return err_corrupt(e, "%s: %lld bytes, more than a valid file has",
                           path, (long long)st.st_size);
    int rc = MORGUE_OK;
    if (buf_reserve(out, (size_t)st.st_size + 1) != 0)
        rc = err_set(e, MORGUE_ENOMEM, "out of memory reading %s", path);
    for (off_t at = 0; rc == MORGUE_OK;) {
        if (out->len + 1 > out->cap && buf_reserve(out, 4096) != 0) {
            rc = err_set(e, MORGUE_ENOMEM, "out of memory reading %s", path);
            break;
        }
        /* pread: the descriptor may be shared and read again later */
        ssize_t got = pread(fd, out->ptr + out->len, out->cap - out->len, at);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            rc = err_set(e, MORGUE_EIO, "%s: read: %s", path,
                         strerror(errno));
        if (got <= 0)
            break;
        out->len += (size_t)got;
        at += got;
        if (out->len > max)
            rc = err_corrupt(e, "%s: longer than a valid file", path);
    }
    return rc;
}

/* Lexically absolute and normalised: no ".", "..", or empty parts. */
static int lexical(const char *in, char *out, size_t cap)
{
    char tmp[8192];
    if (in[0] == '/')
        snprintf(tmp, sizeof tmp, "%s", in);
    else {
        char cwd[4096];
        if (!getcwd(cwd, sizeof cwd))
            return -1;
        snprintf(tmp, sizeof tmp, "%s/%s", cwd, in);
    }
    size_t n = 0;
    char *save = NULL;
    for (char *part = strtok_r(tmp, "/", &save); part;
         part = strtok_r(NULL, "/", &save)) {
        if (!strcmp(part, "."))
            continue;
        if (!strcmp(part, "..")) {
            while (n > 0 && out[n - 1] != '/')
                n--;
            if (n > 0)
                n--;
            continue;
        }
        size_t l = strlen(part);
        if (n + 1 + l + 1 > cap) {
            errno = ENAMETOOLONG;
            return -1;
        }
        out[n++] = '/';
        memcpy(out + n, part, l);
        n += l;
    }
    if (n == 0)
        out[n++] = '/';
    out[n] = '\0';
    return 0;
}

int fs_canon_path(const char *in, char *out, size_t cap)
{
    char lex[4096], real[PATH_MAX];
    if (lexical(in, lex, sizeof lex) != 0)
        return -1;
    /* Resolve the longest prefix that exists; keep the rest as it is. */
    for (size_t cut = strlen(lex); cut > 0;) {
        char save = lex[cut];
        lex[cut] = '\0';
        char *r = realpath(lex, real);
        lex[cut] = save;
        if (r) {
            int n = snprintf(out, cap, "%s%s", strcmp(real, "/") ? real : "",
                             lex + cut);
            if (n < 0 || (size_t)n >= cap) {
                errno = ENAMETOOLONG;
                return -1;
            }
            if (out[0] == '\0')
                snprintf(out, cap, "/");
            return 0;
        }
        while (cut > 0 && lex[--cut] != '/')
            ;
    }
    snprintf(out, cap, "%s", lex);
    return 0;
}
