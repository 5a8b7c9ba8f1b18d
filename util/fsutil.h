/* fsutil.h: small file-system helpers. */
#ifndef MORGUE_UTIL_FSUTIL_H
#define MORGUE_UTIL_FSUTIL_H

/* fsync() of a directory, so a rename in it is durable; 0 or -1/errno. */
int fsync_dir(const char *dir);

/* mkdir -p; 0 or -1/errno. */
int mkdir_p(const char *dir);

#endif
