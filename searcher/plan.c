/* plan.c: resolves a parsed query against a snapshot and builds each
 * segment's iterator tree from it. */
#include <stdlib.h>
#include <string.h>

#include "searcher/bm25.h"
#include "searcher/plan_int.h"
#include "text/stem.h"
#include "text/stemset.h"
#include "text/stopwords.h"
#include "text/synonyms.h"
#include "text/translit.h"
#include "text/tokenize.h"
#include "util/alloc.h"
#include "util/span.h"


int plan_oom(ctx *c)
{
    if (c->rc == MORGUE_OK)
        c->rc = searcher_fail(c->s, MORGUE_ENOMEM, "out of memory");
    return c->rc;
}

/* Looks key up in every segment; sums document frequencies. */
static uint64_t lookup(ctx *c, const char *key, size_t len, term_info *out)
{
    uint64_t df = 0;
    errmsg e;
    for (size_t g = 0; g < c->s->n_segs; g++) {
        if (c->dry) {
            termdict_prefetch(&c->s->segs[g], key, len);
            out[g].df = 1;
            df++;
            continue;
        }
        int rc = termdict_find(&c->s->segs[g], key, len, &out[g], &e);
        if (rc < 0 && c->rc == MORGUE_OK)
            c->rc = searcher_fail(c->s, rc, "%s", e.text);
        if (rc != 1)
            out[g].df = 0;
        df += out[g].df;
    }
    return df;
}

int plan_add_term(ctx *c, pnode *n, char ns, const char *text, size_t len,
                    int with_title)
{
    /* Each term costs a lookup per segment and an iterator per segment:
     * bounded, so that 100,000 words fail at once instead of running. */
    if (++c->n_terms > MORGUE_QUERY_MAX_TERMS)
        return c->rc = searcher_fail(c->s, MORGUE_EQUERY, "query error at "
                                     "column %zu: more than %d terms (words, "
                                     "phrase words and prefix expansions; "
                                     "the limit)", c->pos + 1,
                                     MORGUE_QUERY_MAX_TERMS);
    pterm *t = mem_rearray(n->terms, n->n_terms + 1, sizeof *t);
    if (!t)
        return plan_oom(c);
    n->terms = t;
    t = &n->terms[n->n_terms++];
    memset(t, 0, sizeof *t);
    if (len > MAX_KEY - 2)
        len = MAX_KEY - 2;
    t->key = malloc(len + 2);
    t->info = calloc(c->s->n_segs + 1, sizeof *t->info);
    if (with_title && !c->count)
        t->tinfo = calloc(c->s->n_segs + 1, sizeof *t->tinfo);
    if (!t->key || !t->info || (with_title && !c->count && !t->tinfo))
        return plan_oom(c);
    t->qweight = 1;
    if (c->count) /* the title's postings only score */
        with_title = 0;
    t->key[0] = ns;
    memcpy(t->key + 1, text, len);
    t->key[len + 1] = '\0';
    t->len = len + 1;
    t->df = lookup(c, t->key, t->len, t->info);
    t->idf = bm25_idf(c->s->n_docs, t->df);
    if (with_title) { /* the title's postings; the idf stays the stem's */
        /* A title word is also a word of the article (its stem term
         * counts both), so a segment without the stem has no title
         * postings of it either: only the others are looked up. */
        t->key[0] = NS_TITLE;
        errmsg e;
        for (size_t g = 0; g < c->s->n_segs; g++) {
            if (c->dry) {
                termdict_prefetch(&c->s->segs[g], t->key, t->len);
                continue;
            }
            int rc = t->info[g].df ? termdict_find(&c->s->segs[g], t->key,
                                                   t->len, &t->tinfo[g], &e)
                                   : 0;
            if (rc < 0 && c->rc == MORGUE_OK)
                c->rc = searcher_fail(c->s, rc, "%s", e.text);
            if (rc != 1)
                t->tinfo[g].df = 0;
        }
        t->key[0] = ns;
    }
    return c->rc;
}

int plan_add_hl(ctx *c, hl_kind kind, char **words, size_t n, double w)
{
    plan *p = c->p;
    if (c->count || c->dry) /* nothing will be highlighted */
        return MORGUE_OK;
    query_term *t = mem_rearray(p->hl, p->n_hl + 1, sizeof *t);
    if (!t)
        return plan_oom(c);
    p->hl = t;
    t[p->n_hl].kind = kind;
    t[p->n_hl].n_words = n;
    t[p->n_hl].weight = w;
    t[p->n_hl].words = calloc(n + 1, sizeof(char *));
    if (!t[p->n_hl].words)
        return plan_oom(c);
    p->n_hl++;
    for (size_t i = 0; i < n; i++)
        if (!(t[p->n_hl - 1].words[i] = strdup(words[i])))
            return plan_oom(c);
    return MORGUE_OK;
}

/* The normalised words of text (NULL-terminated array of copies). */
char **plan_words_of(ctx *c, const char *text, size_t *n)
{
    tokenizer tk;
    token tok;
    char **w = NULL;
    *n = 0;
    tokenizer_init(&tk, text, strlen(text));
    while (tokenizer_next(&tk, &tok)) {
        char **nw = mem_rearray(w, *n + 2, sizeof *w);
        if (!nw || !(nw[*n] = strndup(tok.term, tok.len))) {
            if (nw)
                nw[*n] = NULL;
            plan_free_words(nw ? nw : w);
            plan_oom(c);
            return NULL;
        }
        w = nw;
        w[++*n] = NULL;
    }
    return w;
}

void plan_free_words(char **w)
{
    for (size_t i = 0; w && w[i]; i++)
        free(w[i]);
    free(w);
}

pnode *plan_new_node(ctx *c, qkind kind)
{
    pnode *n = calloc(1, sizeof *n);
    if (!n)
        plan_oom(c);
    else
        n->kind = kind;
    return n;
}


/* Exact words in a row (or within near positions). */
pnode *plan_phrase_node(ctx *c, char **w, size_t n, unsigned near,
                          int title_only)
{
    /* n <= MORGUE_QUERY_MAX_PHRASE: query_check (qcheck.c) refuses longer
     * typed phrases, synonyms have at most SYN_MAX_WORDS words and
     * natural.c skips longer quotes */
    pnode *p = plan_new_node(c, n == 1 && !title_only ? Q_WORD : Q_PHRASE);
    if (!p)
        return NULL;
    p->tkind = TERM_EXACT;
    p->near = near;
    p->title_only = title_only;
    double w_sum = 0;
    for (size_t i = 0; i < n && c->rc == MORGUE_OK; i++) {
        if (plan_add_term(c, p, NS_WORD, w[i], strlen(w[i]), 0) ==
            MORGUE_OK)
            w_sum += p->terms[p->n_terms - 1].idf;
    }
    if (c->rc == MORGUE_OK)
        plan_add_hl(c, n == 1 || near ? HL_WORD : HL_PHRASE, w, near ? 1 : n,
               w_sum);
    for (size_t i = 1; near && i < n && c->rc == MORGUE_OK; i++)
        plan_add_hl(c, HL_WORD, w + i, 1, p->terms[i].idf);
    return p;
}

size_t plan_stems(ctx *c, const char *w, char **out)
{
    const morgue_searcher *s = c->s;
    size_t n_langs = s->n_langs ? s->n_langs : 1;
    size_t n = 0;
    stemmer *used[STEMSET_MAX];
    for (size_t i = 0; i < n_langs && c->rc == MORGUE_OK; i++) {
        stemmer *st = stemset_get(c->stems,
                                  s->n_langs ? s->langs[i] : LANG_UND);
        /* languages stemmed alike (und and the default) share one */
        size_t seen = 0;
        while (seen < i && used[seen] != st)
            seen++;
        used[i] = st;
        if (seen < i)
            continue;
        size_t sl;
        const char *r = stemmer_stem(st, w, strlen(w), &sl);
        size_t k = 0;
        while (k < n && (strlen(out[k]) != sl || memcmp(out[k], r, sl)))
            k++;
        if (k < n)
            continue;
        if (!(out[n] = strndup(r, sl)))
            plan_oom(c);
        else
            n++;
    }
    return n;
}

int plan_stopword(const ctx *c, const char *w, size_t n)
{
    const morgue_searcher *s = c->s;
    for (size_t i = 0; i < s->n_stops; i++)
        if (stopword_in(s->stops[i], s->stops_len[i], w, n))
            return 1;
    return 0;
}

/* The stems of word w in every language of the snapshot, distinct: a
 * Q_WORD for one, else a Q_OR of them. The alternatives share one idf,
 * that of their summed document frequency, so an article is not ranked
 * above another for being in a language with fewer articles (a rarer
 * stem), and each is highlighted by its own stem. */
static pnode *stem_node(ctx *c, const char *w, int title)
{
    const morgue_searcher *s = c->s;
    char *stems[STEMSET_MAX];
    size_t n = plan_stems(c, w, stems);
    /* (only what is highlighted needs to know) */
    int stop = !c->count && !c->dry && plan_stopword(c, w, strlen(w));
    if (stop && n && c->rc == MORGUE_OK) {
        char *sw = (char *)w;
        plan_add_hl(c, HL_STOP, &sw, 1, 0);
    }
    pnode *p = c->rc == MORGUE_OK && n > 1 ? plan_new_node(c, Q_OR) : NULL;
    uint64_t df = 0;
    for (size_t i = 0; i < n && c->rc == MORGUE_OK; i++) {
        pnode *k = plan_new_node(c, Q_WORD);
        if (!k)
            break;
        k->tkind = title ? TERM_TITLE : TERM_STEM;
        plan_add_term(c, k, title ? NS_TITLE : NS_STEM, stems[i], strlen(stems[i]),
                 !title);
        /* a stopword is searched, but highlighted only in runs */
        if (c->rc == MORGUE_OK && !stop)
            plan_add_hl(c, HL_STEM, &stems[i], 1, k->terms[0].idf);
        df += k->terms[0].df;
        if (!p) {
            p = k;
            break;
        }
        if (plan_add_kid(c, p, k) != MORGUE_OK)
            break;
    }
    for (size_t i = 0; p && p->kind == Q_OR && i < p->n_kids; i++)
        p->kids[i]->terms[0].idf = bm25_idf(s->n_docs, df);
    for (size_t i = 0; i < n; i++)
        free(stems[i]);
    return p;
}

/* ---- synonyms ---- */

/* Records that key was expanded (from src) to a's entries, which it
 * takes. */
static void note_exp(ctx *c, const char *key, syn_alts *a, exp_source src)
{
    plan *p = c->p;
    plan_exp *x = mem_rearray(p->exps, p->n_exps + 1, sizeof *x);
    char *from = strdup(key);
    char **to = mem_array(a->n + 1, sizeof *to);
    if (!x || !from || !to) {
        if (x)
            p->exps = x;
        free(from);
        free(to);
        syn_alts_free(a);
        plan_oom(c);
        return;
    }
    p->exps = x;
    memcpy(to, a->v, a->n * sizeof *to);
    p->exps[p->n_exps++] = (plan_exp){ from, to, a->n, src };
}

size_t plan_synonyms(ctx *c, char **w, size_t n,
                     void (*take)(ctx *c, char **aw, size_t k, void *ud),
                     void *ud)
{
    if (!c->synonyms || c->rc != MORGUE_OK || n == 0 || n > SYN_MAX_WORDS)
        return 0;
    buf key = BUF_INIT;
    for (size_t i = 0; i < n; i++) {
        if (i)
            buf_putc(&key, ' ');
        buf_puts(&key, w[i]);
    }
    syn_alts a = { .n = 0 };
    exp_source src = EXP_BUILTIN;
    if (!key.oom) {
        synset_expand(synset_builtin(), buf_cstr(&key), syn_alts_take, &a);
        size_t before = a.n;
        synset_expand(c->s->syn, buf_cstr(&key), syn_alts_take, &a);
        src = a.n > before ? EXP_FILE : EXP_BUILTIN;
    } else {
        plan_oom(c);
    }
    size_t found = a.n;
    for (size_t i = 0; i < a.n && c->rc == MORGUE_OK; i++) {
        size_t k;
        char **aw = plan_words_of(c, a.v[i], &k);
        if (aw && k)
            take(c, aw, k, ud);
        plan_free_words(aw);
    }
    if (found)
        note_exp(c, buf_cstr(&key), &a, src);
    buf_free(&key);
    return found;
}

int plan_add_kid(ctx *c, pnode *p, pnode *k)
{
    pnode **kids = mem_rearray(p->kids, p->n_kids + 1, sizeof *kids);
    if (!kids) {
        plan_free_node(k);
        return plan_oom(c);
    }
    p->kids = kids;
    p->kids[p->n_kids++] = k;
    return MORGUE_OK;
}

/* with_synonyms' alternatives: an OR made at the first, holding the
 * typed words' plan first. Exactly one of typed and or owns that plan. */
typedef struct alt_or {
    pnode *typed, *or;
    int title;
} alt_or;

static void alt_into_or(ctx *c, char **aw, size_t k, void *ud)
{
    alt_or *t = ud;
    pnode *alt = k == 1 ? stem_node(c, aw[0], t->title)
                        : plan_phrase_node(c, aw, k, 0, t->title);
    if (!alt)
        return;
    if (!t->or) {
        if (!(t->or = plan_new_node(c, Q_OR))) {
            plan_free_node(alt);
            return;
        }
        pnode *typed = t->typed;
        t->typed = NULL;
        if (plan_add_kid(c, t->or, typed) != MORGUE_OK) { /* typed freed */
            plan_free_node(alt);
            return;
        }
    }
    plan_add_kid(c, t->or, alt);
}

/* p (the plan of the words w[0..n) as typed) or'ed with the plans of the
 * names and phrases that synonyms give for them: one word is matched
 * like a typed word (by stem, in every language), several as a phrase. */
static pnode *with_synonyms(ctx *c, pnode *p, char **w, size_t n, int title)
{
    if (!p)
        return p;
    alt_or t = { p, NULL, title };
    plan_synonyms(c, w, n, alt_into_or, &t);
    return t.or ? t.or : t.typed;
}

/* Whether any segment holds a fold key ('F' terms): asked once a query,
 * so that an index without Cyrillic or Greek names costs no lookups. */
static int has_folds(ctx *c)
{
    if (c->folds == 0) {
        c->folds = -1;
        char key = NS_FOLD;
        errmsg e;
        for (size_t g = 0; g < c->s->n_segs && c->folds < 0; g++) {
            termdict_iter ti;
            if (termdict_seek(&ti, &c->s->segs[g], &key, 1, &e) == MORGUE_OK &&
                termdict_next(&ti, &e) == 1 && ti.key_len > 1 &&
                ti.key[0] == NS_FOLD)
                c->folds = 1;
        }
    }
    return c->folds > 0;
}

pnode *plan_fold_node(ctx *c, const char *w)
{
    if (!c->synonyms || c->rc != MORGUE_OK || !has_folds(c))
        return NULL;
    size_t sl;
    const char *st = stemmer_stem(c->stem, w, strlen(w), &sl);
    char key[TRANSLIT_MAX + 1];
    size_t n = st ? translit_key(st, sl, key) : 0;
    if (n < TRANSLIT_MIN_QUERY)
        return NULL;
    pnode *f = plan_new_node(c, Q_WORD);
    if (!f)
        return NULL;
    f->tkind = TERM_STEM;
    if (plan_add_term(c, f, NS_FOLD, key, n, 0) != MORGUE_OK ||
        f->terms[0].df == 0) {
        plan_free_node(f);
        return NULL;
    }
    key[n] = '\0';
    syn_alts a = { .n = 0 };
    syn_alts_take(&a, key);
    note_exp(c, w, &a, EXP_TRANSLIT);
    if (c->rc != MORGUE_OK) {
        plan_free_node(f);
        return NULL;
    }
    return f;
}

/* p (a Latin word w's plan) or'ed with the Cyrillic and Greek names of
 * w's fold key. */
static pnode *with_fold(ctx *c, pnode *p, const char *w, int title)
{
    pnode *f = p && !title ? plan_fold_node(c, w) : NULL;
    if (!f)
        return p;
    if (p->kind != Q_OR) {
        pnode *or = plan_new_node(c, Q_OR);
        if (!or || plan_add_kid(c, or, p) != MORGUE_OK) {
            plan_free_node(f);
            return or ? or : p; /* p is or's, or freed by plan_add_kid */
        }
        p = or;
    }
    plan_add_kid(c, p, f);
    return p;
}

void plan_exps_free(plan_exp *x, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(x[i].from);
        for (size_t k = 0; k < x[i].n_to; k++)
            free(x[i].to[k]);
        free(x[i].to);
    }
    free(x);
}

static pnode *word_node(ctx *c, const qnode *q)
{
    if (q->field == QF_LANG) { /* lang:ru, lang:pt-BR, lang:und (a valid
                                  code: query_check) */
        pnode *p = plan_new_node(c, Q_WORD);
        if (p) {
            p->tkind = TERM_LANG;
            p->from = lang_parse(q->text, strlen(q->text));
        }
        return p;
    }
    if (q->field == QF_SOURCE || q->field == QF_TAG) {
        size_t n;
        char **w = plan_words_of(c, q->text, &n);
        buf v = BUF_INIT;
        for (size_t i = 0; i < n; i++) {
            if (i)
                buf_putc(&v, ' ');
            buf_puts(&v, w[i]);
        }
        plan_free_words(w);
        pnode *p = n ? plan_new_node(c, Q_WORD) : NULL;
        if (p) {
            p->tkind = TERM_FILTER;
            plan_add_term(c, p, q->field == QF_TAG ? NS_TAG : NS_SOURCE,
                     v.ptr, v.len, 0);
        }
        buf_free(&v);
        return p;
    }
    size_t n;
    char **w = plan_words_of(c, q->text, &n);
    pnode *p = NULL;
    if (n == 1) /* the usual case: a stem (one per language) */
        p = stem_node(c, w[0], q->field == QF_TITLE);
    else if (n > 1) { /* "state-of-the-art", "12:30": a phrase */
        p = plan_phrase_node(c, w, n, 0, q->field == QF_TITLE);
    }
    p = with_synonyms(c, p, w, n, q->field == QF_TITLE);
    if (n == 1)
        p = with_fold(c, p, w[0], q->field == QF_TITLE);
    plan_free_words(w);
    return p;
}

/* Every exact word starting with the prefix, over all segments; for
 * source: and tag:, every whole value starting with it (values are keys of
 * their own namespace, so `source:stepp*` is "steppe daily", not a word
 * of the text). */
static pnode *prefix_node(ctx *c, const qnode *q)
{
    int value = q->field == QF_SOURCE || q->field == QF_TAG;
    size_t n;
    char **w = plan_words_of(c, q->text, &n);
    if (!w)
        return NULL;
    char key[MAX_KEY];
    size_t klen = 1;
    key[0] = !value ? NS_WORD : q->field == QF_TAG ? NS_TAG : NS_SOURCE;
    for (size_t i = value ? 0 : n - 1; i < n; i++) {
        size_t l = strlen(w[i]);
        if (klen + l + 2 >= MAX_KEY)
            break;
        if (klen > 1)
            key[klen++] = ' ';
        memcpy(key + klen, w[i], l);
        klen += l;
    }
    plan_free_words(w);
    char *found[PREFIX_MAX + 1];
    size_t n_found = 0;
    errmsg e;
    for (size_t g = 0; g < c->s->n_segs && c->rc == MORGUE_OK; g++) {
        termdict_iter ti;
        if (termdict_seek(&ti, &c->s->segs[g], key, klen, &e)) {
            c->rc = searcher_fail(c->s, MORGUE_ECORRUPT, "%s", e.text);
            break;
        }
        while (termdict_next(&ti, &e) == 1 && ti.key_len >= klen &&
               !memcmp(ti.key, key, klen)) {
            size_t i = 0;
            while (i < n_found &&
                   span_cmp(found[i], strlen(found[i]), ti.key + 1,
                           ti.key_len - 1))
                i++;
            if (i < n_found)
                continue;
            if (n_found == PREFIX_MAX) {
                c->rc = searcher_fail(c->s, MORGUE_EQUERY,
                                      "'%s*' (column %zu) matches more than "
                                      "%d words; make the prefix longer",
                                      q->text, q->pos + 1, PREFIX_MAX);
                break;
            }
            found[n_found++] = strndup(ti.key + 1, ti.key_len - 1);
        }
    }
    /* no word starts so: an OR of nothing, which matches nothing (and
     * keeps an AND it is in from matching, as in the cluster) */
    pnode *p = NULL;
    if (c->rc == MORGUE_OK) {
        p = plan_new_node(c, Q_OR);
        for (size_t i = 0; p && i < n_found && c->rc == MORGUE_OK; i++) {
            pnode *k = NULL;
            if (value) {
                if ((k = plan_new_node(c, Q_WORD))) {
                    k->tkind = TERM_FILTER;
                    plan_add_term(c, k, key[0], found[i], strlen(found[i]), 0);
                }
            } else {
                k = plan_phrase_node(c, &found[i], 1, 0,
                                     q->field == QF_TITLE);
            }
            if (!k) {
                plan_oom(c);
                break;
            }
            if (plan_add_kid(c, p, k) != MORGUE_OK)
                break;
        }
    }
    for (size_t i = 0; i < n_found; i++)
        free(found[i]);
    return p;
}

static pnode *resolve(ctx *c, const qnode *q, int depth);

static int probe(void *ud, const char *entry)
{
    (void)ud;
    (void)entry;
    return 1; /* one is enough */
}

/* A plain word of the query: its normalised words (one), else NULL. */
static int plain_word(const qnode *q)
{
    return q->kind == Q_WORD && q->field == QF_ANY && q->text &&
           !strchr(q->text, ' ');
}

/* Words typed apart that together are a name of a synonym group (ho chi
 * minh city): the longest run from kids[i] (2 words or more), planned as
 * the words all present (as typed) or any of the group's names. Returns
 * the run's length, 0 when none is (p untouched). */
static size_t name_run(ctx *c, const qnode *q, size_t i, pnode **out)
{
    if (!c->synonyms || !plain_word(q->kids[i]))
        return 0;
    c->pos = q->kids[i]->pos;
    size_t max = 0;
    while (i + max < q->n_kids && max < SYN_MAX_WORDS &&
           plain_word(q->kids[i + max]))
        max++;
    for (size_t len = max; len >= 2; len--) {
        buf key = BUF_INIT;
        char *w[SYN_MAX_WORDS];
        size_t n = 0;
        for (size_t k = 0; k < len; k++) {
            size_t m;
            char **one = plan_words_of(c, q->kids[i + k]->text, &m);
            if (m == 1 && n < SYN_MAX_WORDS) {
                w[n++] = one[0];
                one[0] = NULL;
            }
            plan_free_words(one);
        }
        for (size_t k = 0; k < n; k++) {
            if (k)
                buf_putc(&key, ' ');
            buf_puts(&key, w[k]);
        }
        int named = n == len && !key.oom &&
                  (synset_expand(synset_builtin(), buf_cstr(&key), probe,
                                 NULL) ||
                   synset_expand(c->s->syn, buf_cstr(&key), probe, NULL));
        buf_free(&key);
        pnode *all = named ? plan_new_node(c, Q_AND) : NULL;
        if (all && !(all->kids = mem_array(n, sizeof *all->kids))) {
            plan_free_node(all);
            all = NULL;
            plan_oom(c);
        }
        for (size_t k = 0; all && k < n && c->rc == MORGUE_OK; k++) {
            pnode *one = stem_node(c, w[k], 0);
            if (one)
                all->kids[all->n_kids++] = one;
        }
        if (all)
            *out = with_synonyms(c, all, w, n, 0);
        for (size_t k = 0; k < n; k++)
            free(w[k]);
        if (named)
            return c->rc == MORGUE_OK && *out ? len : 0;
    }
    return 0;
}

static pnode *group_node(ctx *c, const qnode *q, int depth)
{
    pnode *p = plan_new_node(c, q->kind);
    if (!p)
        return NULL;
    for (size_t i = 0; i < q->n_kids && c->rc == MORGUE_OK; i++) {
        pnode *k = NULL;
        size_t run = q->kind == Q_AND ? name_run(c, q, i, &k) : 0;
        if (run)
            i += run - 1;
        else
            k = resolve(c, q->kids[i], depth + 1);
        if (!k) { /* nothing searchable in it */
            if (q->kind == Q_MAYBE && i == 0)
                break;
            continue;
        }
        if (plan_add_kid(c, p, k) != MORGUE_OK)
            break;
    }
    int positive = 0;
    for (size_t i = 0; i < p->n_kids; i++)
        positive += p->kids[i]->kind != Q_NOT;
    if (c->rc != MORGUE_OK || positive == 0 ||
        (q->kind == Q_NOT && p->n_kids == 0)) {
        plan_free_node(p);
        return NULL;
    }
    return p;
}

static pnode *resolve(ctx *c, const qnode *q, int depth)
{
    if (depth > 200 || c->rc != MORGUE_OK)
        return NULL;
    c->pos = q->pos;
    switch (q->kind) {
    case Q_TEXT:
        return natural_node(c, q);
    case Q_WORD:
        return word_node(c, q);
    case Q_PREFIX: /* never lang: (query_check) */
        return prefix_node(c, q);
    case Q_PHRASE:
    case Q_NEAR: {
        buf all = BUF_INIT;
        for (size_t i = 0; i < q->n_words; i++) {
            buf_puts(&all, q->words[i]);
            buf_putc(&all, ' ');
        }
        size_t n;
        char **w = plan_words_of(c, buf_cstr(&all), &n);
        buf_free(&all);
        pnode *p = n ? plan_phrase_node(c, w, n, q->kind == Q_NEAR ? q->near : 0,
                                   q->field == QF_TITLE)
                     : NULL;
        if (p && q->kind == Q_NEAR && n > 1)
            p->kind = Q_NEAR;
        else if (q->kind == Q_PHRASE && q->field != QF_SOURCE &&
                 q->field != QF_TAG)
            p = with_synonyms(c, p, w, n, q->field == QF_TITLE);
        plan_free_words(w);
        return p;
    }
    case Q_DATE: {
        pnode *p = plan_new_node(c, Q_DATE);
        if (p) {
            p->from = q->from;
            p->to = q->to;
        }
        return p;
    }
    case Q_NOT: {
        pnode *k = q->n_kids ? resolve(c, q->kids[0], depth + 1) : NULL;
        pnode *p = k ? plan_new_node(c, Q_NOT) : NULL;
        if (p && (p->kids = malloc(sizeof *p->kids))) {
            p->kids[0] = k;
            p->n_kids = 1;
            return p;
        }
        plan_free_node(k);
        free(p);
        return NULL;
    }
    default:
        return group_node(c, q, depth);
    }
}

int plan_make(plan *p, morgue_searcher *s, const qnode *q, unsigned flags)
{
    memset(p, 0, sizeof *p);
    ctx c;
    memset(&c, 0, sizeof c);
    c.s = s;
    c.p = p;
    c.rc = MORGUE_OK;
    c.synonyms = (flags & PLAN_SYNONYMS) != 0;
    c.count = (flags & PLAN_COUNT) != 0;
    c.dry = (flags & PLAN_PREFETCH) != 0;
    if (!(c.stems = searcher_stems_take(s)))
        return searcher_fail(s, MORGUE_ENOMEM, "cannot make the stemmer");
    c.stem = c.stems->dflt;
    p->root = resolve(&c, q, 0);
    c.stem = NULL;
    searcher_stems_give(s, c.stems);
    /* q passed query_check: a NULL root (natural language with nothing
     * left) finds nothing, without an error */
    if (c.rc != MORGUE_OK)
        plan_free(p);
    return c.rc;
}

void plan_free_node(pnode *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->n_terms; i++) {
        free(n->terms[i].key);
        free(n->terms[i].info);
        free(n->terms[i].tinfo);
    }
    free(n->terms);
    for (size_t i = 0; i < n->n_kids; i++)
        plan_free_node(n->kids[i]);
    free(n->kids);
    free(n);
}

void query_terms_free(query_term *t, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t w = 0; w < t[i].n_words; w++)
            free(t[i].words[w]);
        free(t[i].words);
    }
    free(t);
}

void plan_free(plan *p)
{
    plan_free_node(p->root);
    query_terms_free(p->hl, p->n_hl);
    plan_exps_free(p->exps, p->n_exps);
    memset(p, 0, sizeof *p);
}

void plan_hoist_dates(plan *p, int64_t *from, int64_t *to)
{
    pnode *n = p->root;
    if (!n || n->kind != Q_AND)
        return;
    size_t dates = 0, words = 0;
    for (size_t i = 0; i < n->n_kids; i++) {
        dates += n->kids[i]->kind == Q_DATE;
        words += n->kids[i]->kind != Q_DATE && n->kids[i]->kind != Q_NOT;
    }
    /* nothing to hoist, or a date-only query, or dates and exclusions
     * only ("date:2022 -riot"): the dates are what the exclusions apply
     * to, so they stay in the tree */
    if (dates == 0 || words == 0)
        return;
    size_t w = 0;
    for (size_t i = 0; i < n->n_kids; i++) {
        pnode *k = n->kids[i];
        if (k->kind != Q_DATE) {
            n->kids[w++] = k;
            continue;
        }
        if (k->from > *from)
            *from = k->from;
        if (k->to < *to)
            *to = k->to;
        plan_free_node(k);
    }
    n->n_kids = w;
    if (w == 1) { /* an AND of one: the kid itself */
        p->root = n->kids[0];
        n->n_kids = 0;
        plan_free_node(n);
    }
}

/* ---- per segment ---- */

static it *build(const pnode *n, const score_ctx *c, size_t g, errmsg *e);

static it *leaf(const pterm *t, term_kind kind, const score_ctx *c,
                size_t g, errmsg *e)
{
    if (t->info[g].df == 0)
        return empty_it_new();
    return term_it_new(c, kind, &t->info[g], t->tinfo ? &t->tinfo[g] : NULL,
                       t->idf * t->qweight, e);
}

static it *build_phrase(const pnode *n, const score_ctx *cc, size_t g,
                        errmsg *e)
{
    score_ctx pc = *cc; /* a phrase reads its words' tfs and positions, */
    pc.count_only = 0;  /* counted or not */
    const score_ctx *c = &pc;
    it **w = calloc(n->n_terms + 1, sizeof *w);
    double *idfs = mem_array(n->n_terms + 1, sizeof *idfs);
    int missing = 0;
    for (size_t i = 0; w && idfs && i < n->n_terms; i++) {
        missing |= n->terms[i].info[g].df == 0;
        idfs[i] = n->terms[i].idf;
    }
    it *r = NULL;
    if (w && idfs && missing) {
        r = empty_it_new();
    } else if (w && idfs) {
        size_t i = 0;
        for (; i < n->n_terms; i++)
            if (!(w[i] = leaf(&n->terms[i], TERM_EXACT, c, g, e)))
                break;
        if (i == n->n_terms)
            r = phrase_it_new(c, w, n->n_terms,
                              n->kind == Q_NEAR ? n->near : 0,
                              n->title_only, idfs);
        if (r) {
            free(idfs);
            return r;
        }
        for (size_t k = 0; k < n->n_terms; k++)
            it_free(w[k]);
    }
    free(w);
    free(idfs);
    return r;
}

/* An OR kid of an OR whose own kids can join the parent's: its sum is
 * part of the parent's sum either way. */
static int splices(const pnode *k)
{
    if (k->kind != Q_OR || k->n_kids == 0)
        return 0;
    for (size_t i = 0; i < k->n_kids; i++)
        if (k->kids[i]->kind == Q_NOT)
            return 0;
    return 1;
}

/* Kids an OR has once its OR kids are spliced in. */
static size_t or_width(const pnode *n)
{
    size_t w = 0;
    for (size_t i = 0; i < n->n_kids; i++)
        w += splices(n->kids[i]) ? or_width(n->kids[i]) : 1;
    return w;
}

/* An OR's kids built into pos, OR kids spliced in, in query order (the
 * order of the score's sum). An OR of ORs (a word's stems in each
 * language, its synonyms, beside other words) bounded as one sum per
 * word bounds each word by all of its alternatives at once, so MaxScore
 * could set no word aside; flat, each alternative has its own bound. */
static int build_or_kids(const pnode *n, const score_ctx *c, size_t g,
                         errmsg *e, it **pos, size_t *np)
{
    for (size_t i = 0; i < n->n_kids; i++) {
        if (splices(n->kids[i])) {
            if (build_or_kids(n->kids[i], c, g, e, pos, np))
                return -1;
            continue;
        }
        if (n->kids[i]->kind == Q_NOT) /* as build_group: nothing */
            continue;
        if (!(pos[*np] = build(n->kids[i], c, g, e)))
            return -1;
        (*np)++;
    }
    return 0;
}

static it *build_group(const pnode *n, const score_ctx *c, size_t g,
                       errmsg *e)
{
    size_t cap = n->kind == Q_OR ? or_width(n) : n->n_kids;
    it **pos = calloc(cap + 1, sizeof *pos);
    it **neg = calloc(n->n_kids + 1, sizeof *neg);
    size_t np = 0, nn = 0;
    int failed = !pos || !neg;
    if (!failed && n->kind == Q_OR)
        failed = build_or_kids(n, c, g, e, pos, &np) != 0;
    for (size_t i = 0; n->kind != Q_OR && i < n->n_kids && !failed; i++) {
        int is_not = n->kids[i]->kind == Q_NOT;
        it *k = build(is_not ? n->kids[i]->kids[0] : n->kids[i], c, g, e);
        if (!k)
            failed = 1;
        else if (is_not)
            neg[nn++] = k;
        else
            pos[np++] = k;
    }
    if (!failed && n->kind == Q_OR) {
        /* Kids that match nothing here (a stem of another language absent
         * from this segment) add nothing to any sum: left out, an OR of
         * one is that one. */
        size_t live = 0;
        for (size_t i = 0; i < np; i++) {
            if (pos[i]->started && pos[i]->doc == IT_END && !pos[i]->err)
                it_free(pos[i]);
            else
                pos[live++] = pos[i];
        }
        np = live;
        if (np == 1) {
            it *only = pos[0];
            free(pos);
            free(neg);
            return only;
        }
        if (np == 0) {
            free(pos);
            free(neg);
            return empty_it_new();
        }
    }
    it *r = NULL;
    if (!failed && n->kind == Q_AND)
        r = and_it_new(pos, np, neg, nn);
    else if (!failed && n->kind == Q_OR)
        r = or_it_new(pos, np, c->budget);
    else if (!failed)
        r = maybe_it_new(pos, np);
    if (r) {
        if (n->kind != Q_AND)
            free(neg);
        return r;
    }
    for (size_t i = 0; pos && i < np; i++)
        it_free(pos[i]);
    for (size_t i = 0; neg && i < nn; i++)
        it_free(neg[i]);
    free(pos);
    free(neg);
    return NULL;
}

static it *build(const pnode *n, const score_ctx *c, size_t g, errmsg *e)
{
    switch (n->kind) {
    case Q_WORD:
        if (n->tkind == TERM_LANG)
            return lang_it_new(c, (uint16_t)n->from);
        return leaf(&n->terms[0], n->tkind, c, g, e);
    case Q_PHRASE:
    case Q_NEAR:
        return build_phrase(n, c, g, e);
    case Q_DATE:
        return date_it_new(c, n->from, n->to);
    case Q_NOT: /* only reached for a NOT outside an AND: matches nothing */
        return empty_it_new();
    case Q_OR: /* a prefix no word starts with */
        if (n->n_kids == 0)
            return empty_it_new();
        return build_group(n, c, g, e);
    default:
        return build_group(n, c, g, e);
    }
}

it *plan_build(const plan *p, const score_ctx *c, size_t g, errmsg *e)
{
    return build(p->root, c, g, e);
}
