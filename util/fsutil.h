/* fsutil.h: small file-system helpers. */
#ifndef MORGUE_UTIL_FSUTIL_H
#define MORGUE_UTIL_FSUTIL_H

#include <stddef.h>

#include "util/buf.h"
#include "util/error.h"

/* fsync() of a directory, so a rename in it is durable; 0 or -1/errno. */
int fsync_dir(const char *dir);

/* mkdir -p; 0 or -1/errno. */
int mkdir_p(const char *dir);

/* write() until done, retrying EINTR; 0 or -1/errno. */
int fs_write_all(int fd, const void *p, size_t n);

/* Creates (or truncates) path, writes (p, n), fsyncs and closes it. On any
 * failure the file is removed and MORGUE_EIO returned with a message. */
int fs_write_durable(const char *path, const void *p, size_t n, errmsg *e);

/* Reads the whole file into out (appending). MORGUE_ENOTFOUND, MORGUE_EIO,
 * MORGUE_ENOMEM, or MORGUE_ECORRUPT when it is longer than max bytes. */
int fs_read_all(const char *path, size_t max, buf *out, errmsg *e);
/* The same from an open descriptor, from offset 0 (pread: the offset is
 * left alone); path names it in messages. */
int fs_read_fd(int fd, const char *path, size_t max, buf *out, errmsg *e);

/* Absolute path without ".", ".." or symlinks (those of the longest
 * existing prefix; the rest is kept as written): how the writer names
 * files in its file table. 0, or -1 with errno. */
int fs_canon_path(const char *in, char *out, size_t cap);

#endif
