/* synfile.c: reading and replacing DIR/SYNONYMS. */
#include "index/synfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "morgue.h"
#include "util/fsutil.h"

int synfile_read(const char *dir, synset **out, errmsg *e)
{
    *out = NULL;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, SYNFILE_NAME);
    if (access(path, F_OK) != 0)
        return errno == ENOENT ? MORGUE_OK
                               : err_set(e, MORGUE_EIO, "%s: %s", path,
                                         strerror(errno));
    buf b = BUF_INIT;
    int rc = fs_read_all(path, SYNFILE_MAX, &b, e);
    if (rc == MORGUE_ENOTFOUND) { /* removed meanwhile: none */
        buf_free(&b);
        return MORGUE_OK;
    }
    synset *s = rc ? NULL : malloc(sizeof *s);
    if (!rc && !s)
        rc = err_set(e, MORGUE_ENOMEM, "out of memory");
    if (s) {
        synset_init(s);
        rc = synset_parse(s, b.ptr ? b.ptr : "", b.len, path, e);
        if (rc) {
            synset_free(s);
            free(s);
            s = NULL;
        }
    }
    buf_free(&b);
    *out = s;
    return rc;
}

int synfile_write(const char *dir, const char *p, size_t n, const char *name,
                  errmsg *e)
{
    char path[4096], tmp[4200];
    snprintf(path, sizeof path, "%s/%s", dir, SYNFILE_NAME);
    if (n == 0) {
        if (unlink(path) != 0 && errno != ENOENT)
            return err_set(e, MORGUE_EIO, "%s: %s", path, strerror(errno));
        return fsync_dir(dir) == 0 ? MORGUE_OK
                                   : err_set(e, MORGUE_EIO, "%s: %s", dir,
                                             strerror(errno));
    }
    if (n > SYNFILE_MAX)
        return err_set(e, MORGUE_EINVAL, "%s: larger than %u MiB", name,
                       SYNFILE_MAX >> 20);
    synset check;
    synset_init(&check);
    int rc = synset_parse(&check, p, n, name, e);
    synset_free(&check);
    if (rc)
        return rc;
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    if ((rc = fs_write_durable(tmp, p, n, e)))
        return rc;
    if (rename(tmp, path) != 0) {
        rc = err_set(e, MORGUE_EIO, "%s: %s", path, strerror(errno));
        unlink(tmp);
        return rc;
    }
    return fsync_dir(dir) == 0 ? MORGUE_OK
                               : err_set(e, MORGUE_EIO, "%s: %s", dir,
                                         strerror(errno));
}

MORGUE_API int morgue_synonyms_import(const char *dir, const char *text,
                                      size_t len, const char *name)
{
    errmsg *e = err_thread();
    if (!dir || (!text && len))
        return err_set(e, MORGUE_EINVAL, "no index directory or text");
    char path[4096];
    snprintf(path, sizeof path, "%s/MANIFEST", dir);
    if (access(path, F_OK) != 0)
        return err_set(e, MORGUE_ENOTFOUND, "%s: no morgue index here (no "
                       "MANIFEST)", dir);
    return synfile_write(dir, text, len, name ? name : "synonyms", e);
}

static int walk(const synset *s, morgue_synonym_fn fn, void *ud)
{
    for (uint32_t g = 0; s && g < s->n_groups; g++) {
        const char *m[SYN_MAX_GROUP];
        size_t n;
        synset_group(s, g, m, &n);
        int r = fn(m, n, ud);
        if (r)
            return r;
    }
    return MORGUE_OK;
}

MORGUE_API int morgue_synonyms_list(const char *dir, int builtin,
                                    morgue_synonym_fn fn, void *userdata)
{
    errmsg *e = err_thread();
    if (!fn || (!builtin && !dir))
        return err_set(e, MORGUE_EINVAL, "no index directory or callback");
    if (builtin) {
        const synset *b = synset_builtin();
        return b ? walk(b, fn, userdata)
                 : err_set(e, MORGUE_ENOMEM, "out of memory");
    }
    synset *s;
    int rc = synfile_read(dir, &s, e);
    if (rc == MORGUE_OK && s) {
        rc = walk(s, fn, userdata);
        synset_free(s);
        free(s);
    }
    return rc;
}
