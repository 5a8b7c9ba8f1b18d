/* wordcount.c: distinct words across segments, for stats: a k-way merge of
 * the segments' sorted 'E' keys. */
#include <stdlib.h>
#include <string.h>

#include "index/termdict.h"
#include "searcher/searcher.h"
#include "util/span.h"

static int key_cmp(const termdict_iter *a, const termdict_iter *b)
{
    return span_cmp(a->key, a->key_len, b->key, b->key_len);
}

int searcher_count_words(morgue_searcher *s, uint64_t *out)
{
    *out = 0;
    termdict_iter *its = calloc(s->n_segs + 1, sizeof *its);
    int *live = calloc(s->n_segs + 1, sizeof *live);
    if (!its || !live) {
        free(its);
        free(live);
        return searcher_fail(s, MORGUE_ENOMEM, "out of memory");
    }
    errmsg e;
    int rc = MORGUE_OK;
    const char ns[1] = { NS_WORD };
    for (size_t i = 0; i < s->n_segs && rc >= 0; i++) {
        rc = termdict_seek(&its[i], &s->segs[i], ns, 1, &e);
        if (rc >= 0)
            rc = termdict_next(&its[i], &e);
        live[i] = rc == 1 && its[i].key[0] == NS_WORD;
    }
    while (rc >= 0) {
        int min = -1;
        for (size_t i = 0; i < s->n_segs; i++)
            if (live[i] && (min < 0 || key_cmp(&its[i], &its[min]) < 0))
                min = (int)i;
        if (min < 0)
            break;
        (*out)++;
        termdict_iter cur = its[min];
        for (size_t i = 0; i < s->n_segs && rc >= 0; i++) {
            if (!live[i] || key_cmp(&its[i], &cur) != 0)
                continue;
            rc = termdict_next(&its[i], &e);
            live[i] = rc == 1 && its[i].key[0] == NS_WORD;
        }
    }
    free(its);
    free(live);
    return rc < 0 ? searcher_fail(s, rc, "%s", e.text) : MORGUE_OK;
}
