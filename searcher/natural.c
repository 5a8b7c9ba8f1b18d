/* natural.c: what a natural-language query (Q_TEXT) means. The words of
 * the question, its stopwords removed, each stem once, any of them
 * matching (OR), each weighted by how often the question says it; quoted
 * phrases of two or more words add score when they occur, without being
 * required.
 *
 *   - A stopword (text/stopwords.h, the stemmer's language) is dropped,
 *     but for the words inside quotes, which the phrase keeps in place,
 *     and unless every word of the question is one ("to be or not to
 *     be"): then all of them are kept.
 *   - A stem said k times weighs k (its qweight; the score is idf times
 *     qweight times the saturated tf part), which is
 *     BM25's query-term factor (k3 + 1) qtf / (k3 + qtf) for a large k3,
 *     as Robertson & Zaragoza advise for long queries. The word stays one
 *     term, so the query stays a flat OR that the matcher prunes.
 *   - Names are expanded as in the strict language: the longest run of
 *     the question's words in a row (one word, a hyphenated or quoted
 *     name, or words typed apart: ho chi minh city) that is an entry of
 *     a synonym group brings the group's other names; a one-word name
 *     joins the OR of stems as if said once, a longer one is a phrase
 *     of the OR (any of them matches). A lone stopword is not expanded.
 *   - Without quotes the plan is an OR of stems (one stem: the stem);
 *     with phrases a MAYBE: the OR decides what matches, the phrases only
 *     add to the score of the documents that hold them. */
#include <stdlib.h>
#include <string.h>

#include "index/format.h"
#include "searcher/bm25.h"
#include "searcher/plan_int.h"
#include "text/stopwords.h"
#include "text/synonyms.h"
#include "util/alloc.h"

typedef struct word {
    char *text;      /* owned normalised word */
    int alt;         /* a synonym's, not said: its stem counts once */
} word;

typedef struct words {
    word *v;
    size_t n, cap;
} words;

static int push(ctx *c, words *ws, char *w, int alt)
{
    word *v = mem_grow(ws->v, &ws->cap, ws->n + 1, sizeof *v);
    if (!v) {
        free(w);
        return plan_oom(c);
    }
    ws->v = v;
    ws->v[ws->n].text = w;
    ws->v[ws->n].alt = alt;
    ws->n++;
    return MORGUE_OK;
}

/* The normalised words of one kid of the Q_TEXT, appended to ws. */
static char **kid_words(ctx *c, const qnode *k, size_t *n)
{
    if (k->kind == Q_WORD)
        return plan_words_of(c, k->text, n);
    buf all = BUF_INIT;
    for (size_t i = 0; i < k->n_words; i++) {
        buf_puts(&all, k->words[i]);
        buf_putc(&all, ' ');
    }
    char **w = all.oom ? NULL : plan_words_of(c, buf_cstr(&all), n);
    if (all.oom)
        plan_oom(c);
    buf_free(&all);
    return w;
}

/* One stem of the question and how many times it was said. */
typedef struct stem_count {
    char *stem;      /* owned */
    size_t len;
    unsigned count;
} stem_count;

/* The OR of the stems of the kept words (a single stem alone). */
static pnode *bag_node(ctx *c, const words *ws, int keep_stops)
{
    stem_count *sc = calloc(ws->n * STEMSET_MAX + 1, sizeof *sc);
    size_t n_sc = 0;
    if (!sc) {
        plan_oom(c);
        return NULL;
    }
    for (size_t i = 0; i < ws->n && c->rc == MORGUE_OK; i++) {
        const char *w = ws->v[i].text;
        size_t wl = strlen(w);
        if (!keep_stops && !ws->v[i].alt && plan_stopword(c, w, wl)) {
            /* not searched; highlighted inside runs of query words */
            char *sw = (char *)w;
            plan_add_hl(c, HL_STOP, &sw, 1, 0);
            continue;
        }
        char *st[STEMSET_MAX]; /* its stem in each language */
        size_t n_st = plan_stems(c, w, st);
        for (size_t j = 0; j < n_st; j++) {
            size_t sl = strlen(st[j]);
            size_t k = 0;
            while (k < n_sc &&
                   !(sc[k].len == sl && !memcmp(sc[k].stem, st[j], sl)))
                k++;
            if (k == n_sc) {
                sc[k].stem = st[j];
                sc[k].len = sl;
                n_sc++;
            } else {
                free(st[j]);
                if (ws->v[i].alt)
                    continue; /* said, or another name's: once is enough */
            }
            sc[k].count++;
        }
    }
    pnode *p = NULL;
    if (c->rc == MORGUE_OK && n_sc > 1)
        p = plan_new_node(c, Q_OR);
    for (size_t k = 0; k < n_sc && c->rc == MORGUE_OK; k++) {
        pnode *leaf = plan_new_node(c, Q_WORD);
        if (!leaf)
            break;
        leaf->tkind = TERM_STEM;
        if (plan_add_term(c, leaf, NS_STEM, sc[k].stem, sc[k].len, 1) ==
            MORGUE_OK) {
            leaf->terms[0].qweight = sc[k].count;
            plan_add_hl(c, HL_STEM, &sc[k].stem, 1,
                        leaf->terms[0].idf * sc[k].count);
        }
        if (c->rc != MORGUE_OK) {
            plan_free_node(leaf);
            break;
        }
        if (!p)
            p = leaf;
        else if (plan_add_kid(c, p, leaf) != MORGUE_OK)
            break;
    }
    for (size_t k = 0; k < n_sc; k++)
        free(sc[k].stem);
    free(sc);
    if (c->rc != MORGUE_OK) {
        plan_free_node(p);
        return NULL;
    }
    return p;
}

/* What the question's names bring (plan_synonyms' take): one-word names
 * as words of the bag, longer ones as phrases. */
/* A name the question said: its words in ws and its one-word names. */
typedef struct group {
    size_t from, n;     /* the words said */
    size_t alt0, n_alt; /* in named.alts */
} group;

typedef struct named {
    words alts;      /* one-word names */
    group *g;        /* owned */
    size_t n_g, cap_g;
    pnode **ph;      /* owned: phrases and fold keys, for the OR */
    size_t n_ph, cap;
} named;

/* Appends p to nm's kids for the OR; on OOM frees it. */
static int push_kid(ctx *c, named *nm, pnode *p)
{
    pnode **v = mem_grow(nm->ph, &nm->cap, nm->n_ph + 1, sizeof *v);
    if (!v) {
        plan_free_node(p);
        return plan_oom(c);
    }
    nm->ph = v;
    nm->ph[nm->n_ph++] = p;
    return MORGUE_OK;
}

static void take_name(ctx *c, char **aw, size_t k, void *ud)
{
    named *nm = ud;
    if (k == 1) {
        for (size_t i = 0; i < nm->alts.n; i++)
            if (!strcmp(nm->alts.v[i].text, aw[0]))
                return;
        char *w = strdup(aw[0]);
        if (!w) {
            plan_oom(c);
            return;
        }
        push(c, &nm->alts, w, 1);
        return;
    }
    pnode *ph = plan_phrase_node(c, aw, k, 0, 0);
    if (ph)
        push_kid(c, nm, ph);
}

/* The names among the words ws said (longest run first from each word),
 * expanded into nm. */
static void find_names(ctx *c, const words *ws, int content, named *nm)
{
    for (size_t i = 0; i < ws->n && c->rc == MORGUE_OK;) {
        size_t len = ws->n - i < SYN_MAX_WORDS ? ws->n - i : SYN_MAX_WORDS;
        char *w[SYN_MAX_WORDS];
        for (size_t k = 0; k < len; k++)
            w[k] = ws->v[i + k].text;
        for (; len > 0; len--) {
            if (len == 1 && content &&
                plan_stopword(c, w[0], strlen(w[0])))
                continue;
            size_t a0 = nm->alts.n;
            if (plan_synonyms(c, w, len, take_name, nm)) {
                group *v = nm->alts.n > a0
                               ? mem_grow(nm->g, &nm->cap_g, nm->n_g + 1,
                                          sizeof *v)
                               : nm->g;
                if (nm->alts.n > a0 && !v) {
                    plan_oom(c);
                    return;
                }
                nm->g = v;
                if (nm->alts.n > a0)
                    nm->g[nm->n_g++] = (group){ i, len, a0,
                                                nm->alts.n - a0 };
                break;
            }
        }
        i += len ? len : 1;
    }
}

/* The document frequency of the bag's leaf of key 'S'+st, 0 if none. */
static uint64_t bag_df(const pnode *bag, const char *st, int *found)
{
    size_t n = bag->kind == Q_OR ? bag->n_kids : 1;
    size_t sl = strlen(st);
    for (size_t i = 0; i < n; i++) {
        const pnode *k = bag->kind == Q_OR ? bag->kids[i] : bag;
        if (k->kind == Q_WORD && k->n_terms && k->terms[0].len == sl + 1 &&
            !memcmp(k->terms[0].key + 1, st, sl)) {
            *found = 1;
            return k->terms[0].df;
        }
    }
    return 0;
}

/* The one-word names of group g: an OR of their stems sharing one idf,
 * that of their summed document frequency and the name as said (its
 * rarest word's), so that an article is not ranked above another for
 * the rarer spelling (nippon for japan), as stem_node does across
 * languages. NULL when none is left (all said already). */
static pnode *alt_node(ctx *c, const words *ws, const group *g,
                       const named *nm, const pnode *bag)
{
    uint64_t said = UINT64_MAX, df = 0;
    for (size_t k = 0; k < g->n && c->rc == MORGUE_OK; k++) {
        char *st[STEMSET_MAX];
        size_t n = plan_stems(c, ws->v[g->from + k].text, st);
        uint64_t w = 0;
        int found = 0;
        for (size_t j = 0; j < n; j++) {
            w += bag_df(bag, st[j], &found);
            free(st[j]);
        }
        if (found && w < said)
            said = w;
    }
    pnode *or = plan_new_node(c, Q_OR);
    for (size_t a = 0; or && a < g->n_alt && c->rc == MORGUE_OK; a++) {
        char *st[STEMSET_MAX];
        size_t n = plan_stems(c, nm->alts.v[g->alt0 + a].text, st);
        for (size_t j = 0; j < n; j++) {
            int dup = 0;
            bag_df(bag, st[j], &dup);
            if (!dup && or->n_kids)
                bag_df(or, st[j], &dup);
            pnode *leaf = dup || c->rc ? NULL : plan_new_node(c, Q_WORD);
            if (leaf) {
                leaf->tkind = TERM_STEM;
                if (plan_add_term(c, leaf, NS_STEM, st[j], strlen(st[j]),
                                  1) == MORGUE_OK) {
                    df += leaf->terms[0].df;
                    plan_add_hl(c, HL_STEM, &st[j], 1, leaf->terms[0].idf);
                }
                if (c->rc != MORGUE_OK)
                    plan_free_node(leaf);
                else
                    plan_add_kid(c, or, leaf);
            }
            free(st[j]);
        }
    }
    if (!or || c->rc != MORGUE_OK || or->n_kids == 0) {
        plan_free_node(or);
        return NULL;
    }
    double idf = bm25_idf(c->s->n_docs, df + (said == UINT64_MAX ? 0 : said));
    for (size_t i = 0; i < or->n_kids; i++)
        or->kids[i]->terms[0].idf = idf;
    return or;
}

pnode *natural_node(ctx *c, const qnode *q)
{
    words ws = { 0 };
    pnode *root = NULL;
    for (size_t i = 0; i < q->n_kids && c->rc == MORGUE_OK; i++) {
        size_t n;
        c->pos = q->kids[i]->pos;
        char **w = kid_words(c, q->kids[i], &n);
        for (size_t k = 0; w && k < n; k++) {
            if (push(c, &ws, w[k], 0) != MORGUE_OK) {
                for (k++; k < n; k++)
                    free(w[k]);
                break;
            }
        }
        free(w); /* the strings now belong to ws */
    }
    int content = 0; /* a word that is not a stopword */
    for (size_t i = 0; i < ws.n; i++)
        content |= !plan_stopword(c, ws.v[i].text, strlen(ws.v[i].text));
    named nm = { { 0 }, NULL, 0, 0, NULL, 0, 0 };
    size_t said = ws.n;
    find_names(c, &ws, content, &nm);
    pnode *bag = c->rc == MORGUE_OK && said ? bag_node(c, &ws, !content)
                                            : NULL;
    /* one-word names: an OR per name said, one idf shared */
    for (size_t i = 0; bag && i < nm.n_g && c->rc == MORGUE_OK; i++) {
        pnode *a = alt_node(c, &ws, &nm.g[i], &nm, bag);
        if (a && push_kid(c, &nm, a) != MORGUE_OK)
            break;
    }
    for (size_t i = 0; i < nm.alts.n; i++)
        free(nm.alts.v[i].text);
    free(nm.alts.v);
    free(nm.g);
    /* the fold keys of the words said (Алматы for almaty), once each */
    for (size_t i = 0; bag && i < said && c->rc == MORGUE_OK; i++) {
        const char *w = ws.v[i].text;
        size_t k = 0;
        while (k < i && strcmp(ws.v[k].text, w))
            k++;
        if (k < i || (content && plan_stopword(c, w, strlen(w))))
            continue;
        pnode *f = plan_fold_node(c, w);
        if (f && push_kid(c, &nm, f) != MORGUE_OK)
            break;
    }
    /* longer names and fold keys: kids of the OR */
    if (bag && nm.n_ph && bag->kind != Q_OR) {
        pnode *or = plan_new_node(c, Q_OR);
        if (!or)
            plan_free_node(bag);
        else if (plan_add_kid(c, or, bag) != MORGUE_OK) /* bag freed */
            plan_free_node(or);
        bag = c->rc == MORGUE_OK ? or : NULL;
    }
    for (size_t i = 0; i < nm.n_ph; i++)
        if (!bag || c->rc != MORGUE_OK)
            plan_free_node(nm.ph[i]);
        else
            plan_add_kid(c, bag, nm.ph[i]);
    free(nm.ph);
    /* Phrases of two words or more add to the score. */
    int have_bag = bag != NULL;
    for (size_t i = 0; have_bag && i < q->n_kids && c->rc == MORGUE_OK;
         i++) {
        if (q->kids[i]->kind != Q_PHRASE)
            continue;
        size_t n;
        char **w = kid_words(c, q->kids[i], &n);
        /* a phrase longer than the limit boosts nothing (natural language
         * does not fail on it) */
        c->pos = q->kids[i]->pos;
        pnode *ph = w && n > 1 && n <= MORGUE_QUERY_MAX_PHRASE
                        ? plan_phrase_node(c, w, n, 0, 0)
                        : NULL;
        plan_free_words(w);
        if (!ph)
            continue;
        if (!root) { /* MAYBE(bag, phrases...) */
            if (!(root = plan_new_node(c, Q_MAYBE))) {
                plan_free_node(ph);
                break; /* bag is freed below as the root */
            }
            pnode *b = bag;
            bag = NULL;
            if (plan_add_kid(c, root, b) != MORGUE_OK) { /* b freed */
                plan_free_node(ph);
                break;
            }
        }
        if (plan_add_kid(c, root, ph) != MORGUE_OK)
            break;
    }
    for (size_t i = 0; i < ws.n; i++)
        free(ws.v[i].text);
    free(ws.v);
    if (!root)
        root = bag;
    if (c->rc != MORGUE_OK) {
        plan_free_node(root);
        return NULL;
    }
    return root;
}
