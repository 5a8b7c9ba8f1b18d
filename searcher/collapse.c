/* collapse.c: greedy folding in rank order. Each match is looked up in a
 * band index (near.h) of the stories kept so far; the kept story it
 * resembles that ranks best (the lowest item number) takes it. Every
 * match is looked at, so the number of stories is exact. */
#include <stdlib.h>
#include <string.h>

#include "searcher/collapse.h"
#include "searcher/near.h"

static int best_item(uint32_t item, unsigned agree, void *ud)
{
    (void)agree;
    uint32_t *best = ud;
    if (item < *best)
        *best = item;
    return 0;
}

int collapse_hits(const morgue_searcher *s, const topk_entry *all, size_t n,
                  double sim, size_t want, morgue_hits *h)
{
    near_index x;
    near_index_init(&x);
    uint32_t *owner = malloc(n * sizeof *owner + 1); /* story of match i */
    size_t *story_at = malloc(n * sizeof *story_at + 1); /* match of story */
    int rc = owner && story_at ? MORGUE_OK : MORGUE_ENOMEM;
    unsigned need = fp_agree_needed(sim);
    size_t stories = 0;
    for (size_t i = 0; rc == MORGUE_OK && i < n; i++) {
        uint8_t fp[FP_BYTES];
        near_fp(s, all[i].h.seg, all[i].h.doc, fp);
        uint32_t best = UINT32_MAX;
        near_index_query(&x, fp, need, best_item, &best);
        if (best != UINT32_MAX) {
            owner[i] = best;
            continue;
        }
        owner[i] = (uint32_t)stories;
        story_at[stories++] = i;
        rc = near_index_add(&x, fp);
    }
    near_index_free(&x);
    size_t kept = stories < want ? stories : want;
    if (rc == MORGUE_OK) {
        h->hits = malloc(kept * sizeof *h->hits + 1);
        h->dup_at = calloc(kept + 1, sizeof *h->dup_at);
        if (!h->hits || !h->dup_at)
            rc = MORGUE_ENOMEM;
    }
    size_t n_dups = 0;
    for (size_t i = 0; rc == MORGUE_OK && i < n; i++)
        if (owner[i] < kept && story_at[owner[i]] != i) {
            h->dup_at[owner[i] + 1]++;
            n_dups++;
        }
    if (rc == MORGUE_OK && !(h->dups = malloc(n_dups * sizeof *h->dups + 1)))
        rc = MORGUE_ENOMEM;
    if (rc == MORGUE_OK) {
        for (size_t k = 0; k < kept; k++) {
            h->hits[k] = all[story_at[k]].h;
            h->dup_at[k + 1] += h->dup_at[k];
        }
        size_t *fill = story_at; /* reuse: next free slot per story */
        for (size_t k = 0; k < kept; k++)
            fill[k] = h->dup_at[k];
        for (size_t i = 0; i < n; i++)
            if (owner[i] < kept && h->hits[owner[i]].seg == all[i].h.seg &&
                h->hits[owner[i]].doc == all[i].h.doc)
                continue; /* the story itself */
            else if (owner[i] < kept)
                h->dups[fill[owner[i]]++] = all[i].g;
        h->n_hits = kept;
        h->stories = stories;
        h->stories_known = 1;
    }
    free(owner);
    free(story_at);
    return rc;
}

MORGUE_API int morgue_hits_duplicates(const morgue_hits *h,
                                      const uint64_t **docids, size_t *n)
{
    if (!docids || !n)
        return MORGUE_EINVAL;
    *docids = NULL;
    *n = 0;
    if (!h)
        return MORGUE_EINVAL;
    size_t i = h->next;
    if (!h->dup_at || i <= h->opts.offset || i > h->n_hits)
        return MORGUE_OK;
    *docids = h->dups + h->dup_at[i - 1];
    *n = h->dup_at[i] - h->dup_at[i - 1];
    return MORGUE_OK;
}

MORGUE_API int morgue_hits_stories(const morgue_hits *h, uint64_t *out)
{
    if (!h || !out)
        return MORGUE_EINVAL;
    if (!h->stories_known)
        return MORGUE_ENOTFOUND;
    *out = h->stories;
    return MORGUE_OK;
}

MORGUE_API morgue_searcher *morgue_hits_searcher(const morgue_hits *h)
{
    return h ? h->s : NULL;
}
