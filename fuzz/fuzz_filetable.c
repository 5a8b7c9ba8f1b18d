/* fuzz_filetable.c: any bytes parsed as a file table either fail with
 * MORGUE_ECORRUPT/EVERSION or give entries with absolute paths in strict
 * order, root indexes within the roots, and a path index and identity
 * index that find them; then writing it back and parsing the result gives
 * the same table, and the lookup written beside it (index/ftlookup.h)
 * passes its check and gives each identity's file. Never a crash or a read outside the input. The trailing
 * CRC is recomputed first, so inputs get past it to the structure. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "fuzz/with_crc.h"
#include "index/filetable.h"
#include "index/ftlookup.h"
#include "morgue.h"
#include "util/buf.h"
#include "util/fsutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *raw, size_t size);

static void check_entries(filetable *ft)
{
    for (size_t i = 0; i < ft->n_files; i++) {
        const ft_file *f = &ft->files[i];
        if (f->path[0] != '/' || f->root > ft->n_roots ||
            (i && strcmp(ft->files[i - 1].path, f->path) >= 0) ||
            filetable_find(ft, f->path) != (long)i)
            abort();
    }
}

/* The lookup written beside the table agrees with it: check passes, and
 * each identity's path is its file's (the copy's owner map decides). */
static void check_lookup(const char *dir, const filetable *back)
{
    errmsg e;
    uint64_t bytes = 0, listed = 0;
    for (size_t i = 0; i < back->n_files; i++)
        listed += back->files[i].n_ids;
    if (listed != back->owner.n)
        return; /* an identity listed twice: check's error, not ours */
    if (ftlookup_check(dir, 1, back, &bytes, &e) != MORGUE_OK)
        abort();
    char path[4096], tpath[4096], got[4097];
    ftlookup_path(path, sizeof path, dir, 1);
    filetable_path(tpath, sizeof tpath, dir, 1);
    int fd = open(path, O_RDONLY), tfd = open(tpath, O_RDONLY);
    ftlookup l;
    if (fd < 0 || tfd < 0 || ftlookup_open(&l, fd, tfd, path, &e))
        abort();
    for (size_t i = 0; i < back->n_files; i++)
        for (uint32_t k = 0; k < back->files[i].n_ids; k++) {
            uint64_t id = back->files[i].ids[k];
            uint32_t f = u64map_get(&back->owner, id);
            if (ftlookup_path_of(&l, id, got, sizeof got, &e) != 1 ||
                f >= back->n_files || strcmp(got, back->files[f].path))
                abort();
        }
    if (u64map_get(&back->owner, 0) == U64MAP_NONE &&
        ftlookup_path_of(&l, 0, got, sizeof got, &e) != 0)
        abort();
    close(fd);
    close(tfd);
}

/* Writes ft and reads it back; the copy must hold the same entries. */
static void round_trip(filetable *ft)
{
    char dir[] = "/tmp/morgue-fuzz-ft-XXXXXX";
    if (!mkdtemp(dir))
        return;
    errmsg e;
    filetable back;
    filetable_init(&back);
    ftlookup_tune(24); /* two identities a sorting pass */
    if (filetable_write(ft, dir, 1, &e) == MORGUE_OK) {
        if (filetable_read(&back, dir, 1, &e) != MORGUE_OK ||
            back.n_files != ft->n_files)
            abort();
        for (size_t i = 0; i < ft->n_files; i++)
            if (strcmp(back.files[i].path, ft->files[i].path) ||
                back.files[i].n_ids != ft->files[i].n_ids)
                abort();
        check_lookup(dir, &back);
    }
    ftlookup_tune(0);
    filetable_free(&back);
    char path[4096];
    filetable_path(path, sizeof path, dir, 1);
    unlink(path);
    ftlookup_path(path, sizeof path, dir, 1);
    unlink(path);
    rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *raw, size_t size)
{
    uint8_t *data = with_crc(raw, size);
    if (!data)
        return 0;
    filetable ft;
    filetable_init(&ft);
    errmsg e;
    int rc = filetable_parse(&ft, data, size, "fuzz", &e);
    if (rc != MORGUE_OK) {
        if (rc != MORGUE_ECORRUPT && rc != MORGUE_EVERSION &&
            rc != MORGUE_ENOMEM)
            abort();
        free(data);
        return 0;
    }
    check_entries(&ft);
    round_trip(&ft);
    filetable_free(&ft);
    free(data);
    return 0;
}
