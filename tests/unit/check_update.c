/* check_update.c: incremental updates through the public API: identity
 * replacement (across commits and within one batch), deletes by id and by
 * path, add_path cycles (add, modify, delete, rename files) compared with
 * a fresh rebuild of the same files, no-op reruns, the merge policy's
 * bounds, compaction, rebuild, and snapshots that outlive merges. */
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_main.h"
#include "index/manifest.h"
#include "index/segment.h"
#include "index/termdict.h"
#include "morgue.h"
#include "testutil.h"
#include "updutil.h"

static morgue_writer *open_writer(const char *dir, int merge_factor)
{
    morgue_writer_opts wo = MORGUE_WRITER_OPTS_INIT;
    wo.merge_factor = merge_factor;
    morgue_writer *w;
    ck_assert_int_eq(morgue_writer_open(&w, dir, &wo), MORGUE_OK);
    return w;
}

#define add(w, id, body) tu_add(w, id, "Wire story", body, NULL, 0)

static void expect_hits(const char *dir, const char *q, const char *want)
{
    char *got = uu_hits_in(dir, q, 0);
    ck_assert_ptr_nonnull(got);
    ck_assert_str_eq(got, want);
    free(got);
}

START_TEST(test_update_replace_by_identity)
{
    char *dir = tu_tempdir("replace");
    morgue_writer *w = open_writer(dir, 0);
    add(w, "a1", "harbour flood first");
    add(w, "a2", "harbour strike");
    add(w, "a1", "harbour flood second"); /* same batch: replaces */
    ck_assert_int_eq(morgue_writer_commit(w), MORGUE_OK);
    expect_hits(dir, "harbour", "a1\na2\n");
    expect_hits(dir, "first", "");
    add(w, "a2", "harbour strike over"); /* across commits */
    ck_assert_int_eq(morgue_writer_commit(w), MORGUE_OK);
    expect_hits(dir, "harbour", "a1\na2\n");
    expect_hits(dir, "over", "a2\n");
    ck_assert_uint_eq(uu_stats(dir).documents, 2);
    uu_check_clean(dir);
    morgue_writer_close(w);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

START_TEST(test_update_delete_by_id)
{
    char *dir = tu_tempdir("delete");
    morgue_writer *w = open_writer(dir, 1);
    add(w, "a1", "quay water");
    add(w, "a2", "quay pilots");
    ck_assert_int_eq(morgue_writer_commit(w), MORGUE_OK);
    ck_assert_int_eq(morgue_writer_delete(w, "a1"), MORGUE_OK);
    ck_assert_int_eq(morgue_writer_delete(w, "nope"), MORGUE_ENOTFOUND);
    expect_hits(dir, "quay", "a1\na2\n"); /* not before the commit */
    add(w, "a3", "quay late");
    ck_assert_int_eq(morgue_writer_delete(w, "a3"), MORGUE_OK); /* batch */
    ck_assert_int_eq(morgue_writer_commit(w), MORGUE_OK);
    expect_hits(dir, "quay", "a2\n");
    ck_assert_uint_eq(uu_stats(dir).documents, 1);
    uu_check_clean(dir);
    morgue_writer_close(w);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* A folder of text files; each holds "common" and its own word. */
static void make_files(const char *src, int from, int to)
{
    for (int i = from; i < to; i++) {
        char name[64], body[256];
        snprintf(name, sizeof name, "d%d/f%03d.txt", i % 3, i);
        snprintf(body, sizeof body, "Story number %d\n\ncommon words w%d "
                 "and v1 text\n", i, i);
        uu_write(src, name, body);
    }
}

static morgue_update_result update(const char *dir, const char *src)
{
    morgue_writer *w = open_writer(dir, 0);
    morgue_update_result r = MORGUE_UPDATE_RESULT_INIT;
    ck_assert_int_eq(morgue_writer_add_path(w, src, NULL, &r), MORGUE_OK);
    ck_assert_int_eq(morgue_writer_commit(w), MORGUE_OK);
    morgue_writer_close(w);
    return r;
}

/* The index in dir answers like a fresh build of src. */
static void same_as_fresh(const char *dir, const char *src)
{
    char *fresh = tu_tempdir("fresh");
    update(fresh, src);
    const char *queries[] = { "common", "v1", "v2", "w5", "story" };
    for (size_t q = 0; q < 5; q++) {
        char *a = uu_hits_in(dir, queries[q], 0);
        char *b = uu_hits_in(fresh, queries[q], 0);
        ck_assert_ptr_nonnull(a);
        ck_assert_ptr_nonnull(b);
        ck_assert_str_eq(a, b);
        free(a);
        free(b);
    }
    ck_assert_uint_eq(uu_stats(dir).documents, uu_stats(fresh).documents);
    uu_check_clean(dir);
    tu_rmrf(fresh);
    free(fresh);
}

static uint64_t generation(const char *dir)
{
    manifest m;
    errmsg e;
    ck_assert_int_eq(manifest_read(&m, dir, &e), MORGUE_OK);
    uint64_t g = m.generation;
    manifest_free(&m);
    return g;
}

static void rename_in(const char *src, const char *from, const char *to)
{
    char a[4096], b[4096];
    snprintf(a, sizeof a, "%s/%s", src, from);
    snprintf(b, sizeof b, "%s/%s", src, to);
    ck_assert_int_eq(rename(a, b), 0);
}

static void remove_in(const char *src, const char *name)
{
    char a[4096];
    snprintf(a, sizeof a, "%s/%s", src, name);
    ck_assert_int_eq(unlink(a), 0);
}

START_TEST(test_update_add_path_cycles)
{
    char *dir = tu_tempdir("cycles"), *src = tu_tempdir("src");
    make_files(src, 0, 30);
    morgue_update_result r = update(dir, src);
    ck_assert_uint_eq(r.files_added, 30);
    ck_assert_uint_eq(r.articles_added, 30);
    same_as_fresh(dir, src);
    /* nothing new: nothing read, nothing written */
    uint64_t gen = generation(dir);
    r = update(dir, src);
    ck_assert_uint_eq(r.files_unchanged, 30);
    ck_assert_uint_eq(r.files_added + r.files_changed + r.files_removed, 0);
    ck_assert_uint_eq(generation(dir), gen);
    /* modify (same size), delete, rename, add */
    uu_write(src, "d1/f001.txt", "Story number 1\n\ncommon words w1 and v2 "
             "text\n");
    remove_in(src, "d2/f002.txt");
    rename_in(src, "d0/f003.txt", "d0/f103.txt");
    make_files(src, 200, 205);
    r = update(dir, src);
    ck_assert_uint_eq(r.files_changed, 1);
    ck_assert_uint_eq(r.files_removed, 2);
    ck_assert_uint_eq(r.files_added, 6);
    ck_assert_uint_eq(r.files_unchanged, 27);
    same_as_fresh(dir, src);
    /* a whole folder goes */
    char sub[4200];
    snprintf(sub, sizeof sub, "%s/d2", src);
    tu_rmrf(sub);
    r = update(dir, src);
    ck_assert_uint_gt(r.files_removed, 5);
    same_as_fresh(dir, src);
    tu_rmrf(dir);
    tu_rmrf(src);
    free(dir);
    free(src);
}
END_TEST

/* Random edits over many cycles, each compared with a fresh build. */
START_TEST(test_update_random_cycles)
{
    char *dir = tu_tempdir("random"), *src = tu_tempdir("rsrc");
    make_files(src, 0, 40);
    update(dir, src);
    uint64_t seed = 99;
    for (int cycle = 0; cycle < 6; cycle++) {
        for (int k = 0; k < 8; k++) {
            int i = (int)(tu_rand(&seed) % 60), op = (int)(tu_rand(&seed) %
                                                          3);
            char name[64], body[256];
            snprintf(name, sizeof name, "d%d/f%03d.txt", i % 3, i);
            snprintf(body, sizeof body, "Story %d edited in %d\n\ncommon "
                     "w%d v%d\n", i, cycle, i, cycle + 2);
            char path[4200];
            snprintf(path, sizeof path, "%s/%s", src, name);
            if (op == 0)
                unlink(path);
            else
                uu_write(src, name, body);
        }
        update(dir, src);
        same_as_fresh(dir, src);
    }
    tu_rmrf(dir);
    tu_rmrf(src);
    free(dir);
    free(src);
}
END_TEST

/* A symlink loop and the index inside the archive: each file once, the
 * index's own files never read as articles. */
START_TEST(test_update_walk_loops)
{
    char *src = tu_tempdir("loops");
    make_files(src, 0, 6);
    char link[4200], dir[4200];
    snprintf(link, sizeof link, "%s/d0/again", src);
    ck_assert_int_eq(symlink("..", link), 0);
    snprintf(dir, sizeof dir, "%s/index", src);
    morgue_update_result r = update(dir, src);
    ck_assert_uint_eq(r.files_added, 6);
    ck_assert_uint_eq(uu_stats(dir).documents, 6);
    r = update(dir, src);
    ck_assert_uint_eq(r.files_unchanged, 6);
    ck_assert_uint_eq(r.files_added + r.files_removed, 0);
    uu_check_clean(dir);
    tu_rmrf(src);
    free(src);
}
END_TEST

START_TEST(test_update_delete_path)
{
    char *dir = tu_tempdir("delpath"), *src = tu_tempdir("dsrc");
    make_files(src, 0, 12);
    update(dir, src);
    morgue_writer *w = open_writer(dir, 0);
    char sub[4200];
    snprintf(sub, sizeof sub, "%s/d1", src);
    ck_assert_int_eq(morgue_writer_delete_path(w, sub), MORGUE_OK);
    snprintf(sub, sizeof sub, "%s/none", src);
    ck_assert_int_eq(morgue_writer_delete_path(w, sub), MORGUE_ENOTFOUND);
    ck_assert_int_eq(morgue_writer_commit(w), MORGUE_OK);
    morgue_writer_close(w);
    ck_assert_uint_eq(uu_stats(dir).documents, 8);
    uu_check_clean(dir);
    tu_rmrf(dir);
    tu_rmrf(src);
    free(dir);
    free(src);
}
END_TEST

/* Many small commits with replacements: the policy keeps segments and
 * dead documents bounded, and answers stay those of the oracle. */
START_TEST(test_update_merge_policy_bounds)
{
    char *dir = tu_tempdir("policy");
    morgue_writer *w = open_writer(dir, 3);
    uint64_t seed = 5;
    char live[200] = { 0 };
    for (int round = 0; round < 60; round++) {
        for (int k = 0; k < 10; k++) {
            int i = (int)(tu_rand(&seed) % 200);
            char id[16], body[64];
            snprintf(id, sizeof id, "n%d", i);
            snprintf(body, sizeof body, "common r%d", round);
            add(w, id, body);
            live[i] = 1;
        }
        ck_assert_int_eq(morgue_writer_commit(w), MORGUE_OK);
    }
    morgue_writer_close(w);
    int n_live = 0;
    for (int i = 0; i < 200; i++)
        n_live += live[i];
    morgue_stats st = uu_stats(dir);
    ck_assert_uint_eq(st.documents, (uint64_t)n_live);
    ck_assert_uint_le(st.segments, 6); /* (F - 1) per tier, 1-2 tiers */
    manifest m;
    errmsg e;
    ck_assert_int_eq(manifest_read(&m, dir, &e), MORGUE_OK);
    for (size_t i = 0; i < m.n_segs; i++)
        ck_assert_uint_le((uint64_t)m.segs[i].n_deleted * 5,
                          m.segs[i].n_docs);
    manifest_free(&m);
    uu_check_clean(dir);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

START_TEST(test_update_compact_reclaims)
{
    char *dir = tu_tempdir("compact");
    morgue_writer *w = open_writer(dir, 1);
    for (int round = 0; round < 4; round++) {
        for (int i = 0; i < (round ? 10 : 50); i++) {
            char id[16], body[64];
            snprintf(id, sizeof id, "c%d", round ? 10 * round + i : i);
            snprintf(body, sizeof body, "common round%d", round);
            add(w, id, body);
        }
        ck_assert_int_eq(morgue_writer_commit(w), MORGUE_OK);
    }
    char *before = uu_hits_in(dir, "common", 0);
    ck_assert_uint_eq(uu_stats(dir).segments, 4);
    ck_assert_int_eq(morgue_writer_compact(w), MORGUE_OK);
    morgue_writer_close(w);
    morgue_stats st = uu_stats(dir);
    ck_assert_uint_eq(st.segments, 1);
    ck_assert_uint_eq(st.documents, 50);
    char *after = uu_hits_in(dir, "common", 0);
    ck_assert_str_eq(before, after);
    morgue_check_result r = MORGUE_CHECK_RESULT_INIT;
    ck_assert_int_eq(morgue_index_check(dir, &r), MORGUE_OK);
    ck_assert_uint_eq(r.deleted, 0);
    free(before);
    free(after);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

START_TEST(test_update_rebuild)
{
    char *dir = tu_tempdir("rebuild");
    morgue_writer *w = open_writer(dir, 0);
    add(w, "old", "common old");
    ck_assert_int_eq(morgue_writer_commit(w), MORGUE_OK);
    morgue_writer_close(w);
    morgue_writer_opts wo = MORGUE_WRITER_OPTS_INIT;
    wo.rebuild = 1;
    ck_assert_int_eq(morgue_writer_open(&w, dir, &wo), MORGUE_OK);
    add(w, "new", "common new");
    expect_hits(dir, "common", "old\n"); /* the old index until commit */
    ck_assert_int_eq(morgue_writer_commit(w), MORGUE_OK);
    morgue_writer_close(w);
    expect_hits(dir, "common", "new\n");
    uu_check_clean(dir);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* A searcher keeps its snapshot while deletes, merges and compaction
 * remove the files it was opened from. */
START_TEST(test_update_snapshot_outlives_merge)
{
    char *dir = tu_tempdir("snap");
    morgue_writer *w = open_writer(dir, 1);
    for (int i = 0; i < 40; i++) {
        char id[16];
        snprintf(id, sizeof id, "s%02d", i);
        add(w, id, "common snapshot text");
        if (i % 10 == 9)
            ck_assert_int_eq(morgue_writer_commit(w), MORGUE_OK);
    }
    morgue_searcher *s;
    ck_assert_int_eq(morgue_searcher_open(&s, dir, NULL), MORGUE_OK);
    char *before = uu_hits(s, "common", 0);
    for (int i = 0; i < 40; i += 2) {
        char id[16];
        snprintf(id, sizeof id, "s%02d", i);
        ck_assert_int_eq(morgue_writer_delete(w, id), MORGUE_OK);
    }
    ck_assert_int_eq(morgue_writer_compact(w), MORGUE_OK);
    morgue_writer_close(w);
    char *after = uu_hits(s, "common", 0); /* same snapshot */
    ck_assert_str_eq(before, after);
    morgue_searcher_close(s);
    ck_assert_uint_eq(uu_stats(dir).documents, 20);
    free(before);
    free(after);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* 1 when the stem key of segment file path shares a word's postings. */
static int stem_is_alias(const char *dir, const char *stem)
{
    manifest m;
    errmsg e;
    ck_assert_int_eq(manifest_read(&m, dir, &e), MORGUE_OK);
    ck_assert_uint_eq(m.n_segs, 1);
    char path[4096], key[64];
    segment_path(path, sizeof path, dir, m.segs[0].id);
    manifest_free(&m);
    segment s;
    ck_assert_int_eq(segment_open(&s, path, 1, &e), MORGUE_OK);
    snprintf(key, sizeof key, "S%s", stem);
    termdict_iter it;
    ck_assert_int_eq(termdict_seek(&it, &s, key, strlen(key), &e), 0);
    ck_assert_int_eq(termdict_next(&it, &e), 1);
    ck_assert_int_eq((int)it.key_len, (int)strlen(key));
    int alias = it.own_post_len == 0;
    segment_close(&s);
    return alias;
}

START_TEST(test_update_merge_keeps_aliases)
{
    char *dir = tu_tempdir("alias");
    morgue_writer *w = open_writer(dir, 1);
    add(w, "x1", "harbour");           /* stem harbour: one word */
    add(w, "x2", "running");            /* stem run: one word here */
    ck_assert_int_eq(morgue_writer_commit(w), MORGUE_OK);
    add(w, "x3", "harbour");
    add(w, "x4", "runs");               /* stem run: another word */
    ck_assert_int_eq(morgue_writer_compact(w), MORGUE_OK);
    morgue_writer_close(w);
    ck_assert_int_eq(stem_is_alias(dir, "harbour"), 1);
    ck_assert_int_eq(stem_is_alias(dir, "run"), 0);
    expect_hits(dir, "run", "x2\nx4\n");
    uu_check_clean(dir);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

static Suite *update_suite(void)
{
    Suite *s = suite_create("update");
    TCase *tc = tcase_create("identity");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_update_replace_by_identity);
    tcase_add_test(tc, test_update_delete_by_id);
    suite_add_tcase(s, tc);
    tc = tcase_create("files");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_update_add_path_cycles);
    tcase_add_test(tc, test_update_random_cycles);
    tcase_add_test(tc, test_update_delete_path);
    tcase_add_test(tc, test_update_walk_loops);
    suite_add_tcase(s, tc);
    tc = tcase_create("merge");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_update_merge_policy_bounds);
    tcase_add_test(tc, test_update_compact_reclaims);
    tcase_add_test(tc, test_update_rebuild);
    tcase_add_test(tc, test_update_snapshot_outlives_merge);
    tcase_add_test(tc, test_update_merge_keeps_aliases);
    suite_add_tcase(s, tc);
    return s;
}

MORGUE_CHECK_MAIN(update_suite)
