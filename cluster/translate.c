/* translate.c: morgue's query tree as Sphinx query text (mapping in
 * translate.h). It reads trees that query_check (searcher/qcheck.c)
 * passed, so both searchers refuse the same queries, and follows
 * searcher/plan.c node by node, so that what the local planner resolves
 * to nothing is dropped here too. */
#include "cluster/translate.h"

#include <stdlib.h>
#include <string.h>

#include "cluster/row.h"
#include "morgue.h"
#include "text/stopwords.h"
#include "text/synonyms.h"
#include "text/tokenize.h"
#include "util/civil.h"

typedef struct ctx {
    stemmer *stem;
    const char *lang;
    translation *t;
    int64_t lo, hi;
    int rc;
    int neg;            /* inside a NOT: leaves add no score */
    int synonyms;       /* or words with their built-in name variants */
    int all_of;         /* ORs outside NOT as ANDs (match_all) */
    int quiet;          /* a second pass: no leaves, no highlights */
} ctx;

/* Records a scoring leaf of n NUL-separated words. */
static void add_leaf(ctx *c, score_kind kind, const char *words, size_t n,
                     int title_only, double qweight)
{
    translation *t = c->t;
    if (c->neg || c->quiet)
        return;
    score_leaf *l = realloc(t->leaves, (t->n_leaves + 1) * sizeof *l);
    if (!l) {
        c->rc = MORGUE_ENOMEM;
        return;
    }
    t->leaves = l;
    l = &t->leaves[t->n_leaves];
    l->kind = kind;
    l->n_words = n;
    l->title_only = title_only;
    l->qweight = qweight;
    l->words = calloc(n + 1, sizeof *l->words);
    if (!l->words) {
        c->rc = MORGUE_ENOMEM;
        return;
    }
    t->n_leaves++;
    for (size_t i = 0; i < n; i++, words += strlen(words) + 1)
        if (!(l->words[i] = strdup(words)))
            c->rc = MORGUE_ENOMEM;
}

/* The normalised words of text, back to back in w (NUL after each). */
static size_t words_of(const char *text, buf *w)
{
    tokenizer tk;
    token tok;
    size_t n = 0;
    tokenizer_init(&tk, text, strlen(text));
    while (tokenizer_next(&tk, &tok)) {
        buf_append(w, tok.term, tok.len);
        buf_putc(w, '\0');
        n++;
    }
    return n;
}

static void add_hl(ctx *c, hl_kind kind, const char *words, size_t n)
{
    translation *t = c->t;
    if (c->quiet)
        return;
    query_term *q = realloc(t->hl, (t->n_hl + 1) * sizeof *q);
    if (!q) {
        c->rc = MORGUE_ENOMEM;
        return;
    }
    t->hl = q;
    q = &t->hl[t->n_hl];
    q->kind = kind;
    q->weight = 1.0; /* idf is per shard out there: rank passages evenly */
    q->n_words = n;
    q->words = calloc(n + 1, sizeof *q->words);
    if (!q->words) {
        c->rc = MORGUE_ENOMEM;
        return;
    }
    t->n_hl++;
    for (size_t i = 0; i < n; i++, words += strlen(words) + 1)
        if (!(q->words[i] = strdup(words)))
            c->rc = MORGUE_ENOMEM;
}

/* "w1 w2 ..." of n NUL-separated words. */
static void put_words(buf *out, const char *w, size_t n)
{
    for (size_t i = 0; i < n; i++, w += strlen(w) + 1) {
        if (i)
            buf_putc(out, ' ');
        buf_puts(out, w);
    }
}

/* Exact words in a row or within near positions (plan.c phrase_node). */
static int phrase(ctx *c, buf *out, const char *w, size_t n, unsigned near,
                  int title)
{
    const char *f = title ? "ti" : "tb";
    if (n == 1) {
        buf_printf(out, "(@%s %s)", f, w);
        add_hl(c, HL_WORD, w, 1);
        add_leaf(c, SK_PHRASE, w, 1, title, 1);
        return 1;
    }
    if (near) {
        if (!c->neg) /* the local score of a window: not redone here */
            c->t->exact_score = 0;
        long m = (long)near - (long)(n - 2);
        if (m < 1) /* no window that small holds n words: nothing */
            buf_puts(out, "(@kv none_)");
        else {
            buf_printf(out, "(@%s \"", f);
            put_words(out, w, n);
            buf_printf(out, "\"~%ld)", m);
        }
        const char *p = w;
        for (size_t i = 0; i < n; i++, p += strlen(p) + 1)
            add_hl(c, HL_WORD, p, 1);
        return 1;
    }
    buf_printf(out, "(@%s \"", f);
    put_words(out, w, n);
    buf_puts(out, "\")");
    add_hl(c, HL_PHRASE, w, n);
    add_leaf(c, SK_PHRASE, w, n, title, 1);
    return 1;
}

/* One word by its stem (title: the title's), a scoring leaf. */
static void stem_leaf(ctx *c, buf *out, const char *w, int title)
{
    size_t sl;
    const char *st = stemmer_stem(c->stem, w, strlen(w), &sl);
    char *copy = st ? strndup(st, sl) : NULL;
    if (!copy) {
        c->rc = MORGUE_ENOMEM;
        return;
    }
    buf_printf(out, "(@%s %s)", title ? "ts" : "(ss,ts)", copy);
    add_hl(c, HL_STEM, copy, 1);
    add_leaf(c, title ? SK_TITLE : SK_STEM, copy, 1, title, 1);
    free(copy);
}

/* ---- name variants (plan.c with_synonyms and name_run) ---- */

/* The built-in variants of the n NUL-separated words w ("soviet union":
 * "ussr", ...) into a; their number. A cluster has no synonyms file: the
 * local index's would be in its folder, which a cluster does not have. */
static size_t variants_of(ctx *c, const char *w, size_t n, syn_alts *a)
{
    a->n = 0;
    if (!c->synonyms || n == 0 || n > SYN_MAX_WORDS)
        return 0;
    buf key = BUF_INIT;
    put_words(&key, w, n);
    if (key.oom)
        c->rc = MORGUE_ENOMEM;
    else
        synset_expand(synset_builtin(), buf_cstr(&key), syn_alts_take, a);
    buf_free(&key);
    return a->n;
}

/* typed (the Sphinx text of the words w as typed) or'ed with their
 * variants into out, as the planner ors them: a one-word variant matched
 * like a typed word (by stem), several words as a phrase; each a scoring
 * leaf, since the local OR sums its kids. */
static void with_variants(ctx *c, buf *out, const buf *typed, const char *w,
                          size_t n, int title)
{
    syn_alts a;
    if (!variants_of(c, w, n, &a)) {
        buf_append(out, typed->ptr, typed->len);
        return;
    }
    if (!c->neg) /* an OR: which of the names an article holds decides */
        c->t->scored_or = 1;
    buf_putc(out, '(');
    buf_append(out, typed->ptr, typed->len);
    for (size_t i = 0; i < a.n; i++) {
        buf aw = BUF_INIT;
        size_t k = words_of(a.v[i], &aw);
        if (k) {
            buf_puts(out, " | ");
            if (k == 1)
                stem_leaf(c, out, aw.ptr, title);
            else
                phrase(c, out, aw.ptr, k, 0, title);
        }
        if (aw.oom)
            c->rc = MORGUE_ENOMEM;
        buf_free(&aw);
        free(a.v[i]);
    }
    buf_putc(out, ')');
}

static int word(ctx *c, buf *out, const qnode *q)
{
    buf w = BUF_INIT;
    int made = 0;
    if (q->field == QF_LANG) { /* the cluster's rows hold no language */
        c->t->refused = "lang: is not available on a cluster";
        c->t->refused_at = q->pos;
        c->rc = MORGUE_EQUERY;
        return 0;
    }
    if (q->field == QF_SOURCE || q->field == QF_TAG) {
        row_fold_value(&w, q->text, strlen(q->text));
        if (w.len) {
            buf_puts(out, "(@kv ");
            row_value_key(out, q->field == QF_TAG ? 'g' : 'o', w.ptr, w.len);
            buf_putc(out, ')');
            made = 1;
        }
        buf_free(&w);
        return made;
    }
    size_t n = words_of(q->text, &w);
    int title = q->field == QF_TITLE;
    buf typed = BUF_INIT;
    if (n == 1) {
        stem_leaf(c, &typed, w.ptr, title);
        made = 1;
    } else if (n > 1) {
        made = phrase(c, &typed, w.ptr, n, 0, title);
    }
    if (made)
        with_variants(c, out, &typed, w.ptr, n, title);
    if (w.oom || typed.oom)
        c->rc = MORGUE_ENOMEM;
    buf_free(&typed);
    buf_free(&w);
    return made;
}

static int prefix(ctx *c, buf *out, const qnode *q)
{
    buf w = BUF_INIT;
    if (q->field == QF_SOURCE || q->field == QF_TAG) {
        /* a prefix of the whole folded value, as the planner's */
        row_fold_value(&w, q->text, strlen(q->text));
        if (w.len) {
            buf_puts(out, "(@kv ");
            row_value_key(out, q->field == QF_TAG ? 'g' : 'o', w.ptr, w.len);
            buf_puts(out, "*)");
        }
        int made = w.len > 0;
        if (w.oom)
            c->rc = MORGUE_ENOMEM;
        buf_free(&w);
        return made;
    }
    size_t n = words_of(q->text, &w);
    if (n && !c->neg) /* scored by the local index's expansions */
        c->t->exact_score = 0;
    const char *last = w.ptr;
    for (size_t i = 1; i < n; i++)
        last += strlen(last) + 1;
    if (n) /* the planner expands the last word only */
        buf_printf(out, "(@%s %s*)", q->field == QF_TITLE ? "ti" : "tb",
                   last);
    if (w.oom)
        c->rc = MORGUE_ENOMEM;
    buf_free(&w);
    return n > 0;
}

static int words_node(ctx *c, buf *out, const qnode *q)
{
    buf all = BUF_INIT, w = BUF_INIT;
    for (size_t i = 0; i < q->n_words; i++) {
        buf_puts(&all, q->words[i]);
        buf_putc(&all, ' ');
    }
    size_t n = words_of(buf_cstr(&all), &w);
    int title = q->field == QF_TITLE;
    buf typed = BUF_INIT;
    int made = n ? phrase(c, &typed, w.ptr, n,
                          q->kind == Q_NEAR ? q->near : 0, title)
                 : 0;
    if (made && q->kind == Q_PHRASE && q->field != QF_SOURCE &&
        q->field != QF_TAG) /* as plan.c: a quoted name, its variants */
        with_variants(c, out, &typed, w.ptr, n, title);
    else if (made)
        buf_append(out, typed.ptr, typed.len);
    if (all.oom || w.oom || typed.oom)
        c->rc = MORGUE_ENOMEM;
    buf_free(&typed);
    buf_free(&all);
    buf_free(&w);
    return made;
}

/* ---- dates as keys ---- */

static int64_t days_of(int64_t secs)
{
    return secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
}

static int month_days(int64_t y, unsigned m)
{
    static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 ? 28 + leap : d[m - 1];
}

/* The fewest y/m/d keys that cover days [a, b]. */
static void date_keys(buf *out, int64_t a, int64_t b)
{
    size_t n = 0;
    while (a <= b) {
        int64_t y;
        unsigned m, d;
        civil_from_secs(a * 86400, &y, &m, &d);
        int ylen = 365 + month_days(y, 2) - 28;
        if (n++)
            buf_puts(out, " | ");
        if (m == 1 && d == 1 && a + ylen - 1 <= b) {
            buf_printf(out, "y%04u", (unsigned)y);
            a += ylen;
        } else if (d == 1 && a + month_days(y, m) - 1 <= b) {
            buf_printf(out, "m%04u%02u", (unsigned)y, m);
            a += month_days(y, m);
        } else {
            buf_printf(out, "d%04u%02u%02u", (unsigned)y, m, d);
            a++;
        }
    }
    if (n == 0)
        buf_puts(out, "none_");
}

static int date_node(ctx *c, buf *out, const qnode *q)
{
    int64_t from = q->from, to = q->to;
    if (from == INT64_MIN || to == INT64_MAX) {
        if (c->lo == INT64_MIN) {
            c->t->need_bounds = 1;
            buf_puts(out, "(@kv none_)");
            return 1;
        }
        if (from == INT64_MIN)
            from = c->lo;
        if (to == INT64_MAX)
            to = c->hi;
    }
    buf_puts(out, "(@kv (");
    date_keys(out, days_of(from), days_of(to));
    buf_puts(out, "))");
    return 1;
}

/* ---- natural language (searcher/natural.c, node by node) ---- */

/* The normalised words of one kid of a Q_TEXT into w. */
static size_t kid_words(const qnode *k, buf *w)
{
    if (k->kind == Q_WORD)
        return words_of(k->text, w);
    buf all = BUF_INIT;
    for (size_t i = 0; i < k->n_words; i++) {
        buf_puts(&all, k->words[i]);
        buf_putc(&all, ' ');
    }
    size_t n = words_of(buf_cstr(&all), w);
    if (all.oom)
        w->oom = 1;
    buf_free(&all);
    return n;
}

static int natural(ctx *c, buf *out, const qnode *q)
{
    buf w = BUF_INIT, bag = BUF_INIT, stems = BUF_INIT;
    size_t n = 0;
    for (size_t i = 0; i < q->n_kids; i++)
        n += kid_words(q->kids[i], &w);
    int content = 0;
    const char *p = w.ptr;
    for (size_t i = 0; i < n; i++, p += strlen(p) + 1)
        content |= !stopword_is(c->lang, p, strlen(p));
    size_t n_stems = 0, first_leaf = c->t->n_leaves;
    p = w.ptr;
    for (size_t i = 0; i < n && c->rc == MORGUE_OK; i++, p += strlen(p) + 1) {
        if (content && stopword_is(c->lang, p, strlen(p)))
            continue;
        size_t sl;
        const char *st = stemmer_stem(c->stem, p, strlen(p), &sl);
        if (!st) {
            c->rc = MORGUE_ENOMEM;
            break;
        }
        /* each stem once (stems holds " stem " entries to look up), its
         * leaf weighted by how often it is said */
        buf key = BUF_INIT;
        buf_printf(&key, " %.*s ", (int)sl, st);
        const char *seen = stems.len ? strstr(buf_cstr(&stems),
                                              buf_cstr(&key))
                                     : NULL;
        if (!seen) {
            buf_append(&stems, key.ptr, key.len);
            buf_printf(&bag, "%s(@(ss,ts) %.*s)", n_stems ? " | " : "",
                       (int)sl, st);
            char *copy = strndup(st, sl);
            if (copy) {
                add_hl(c, HL_STEM, copy, 1);
                add_leaf(c, SK_STEM, copy, 1, 0, 1);
            } else {
                c->rc = MORGUE_ENOMEM;
            }
            free(copy);
            n_stems++;
        } else {
            /* said again: its leaf weighs one more */
            for (size_t k = first_leaf; k < c->t->n_leaves; k++) {
                score_leaf *l = &c->t->leaves[k];
                if (l->kind == SK_STEM && strlen(l->words[0]) == sl &&
                    !memcmp(l->words[0], st, sl)) {
                    l->qweight += 1;
                    break;
                }
            }
        }
        buf_free(&key);
    }
    buf phrases = BUF_INIT;
    for (size_t i = 0; n_stems && i < q->n_kids && c->rc == MORGUE_OK; i++) {
        if (q->kids[i]->kind != Q_PHRASE)
            continue;
        buf pw = BUF_INIT;
        size_t k = kid_words(q->kids[i], &pw);
        if (k > 1 && k <= MORGUE_QUERY_MAX_PHRASE) {
            buf_puts(&phrases, " | ");
            phrase(c, &phrases, pw.ptr, k, 0, 0);
        }
        if (pw.oom)
            c->rc = MORGUE_ENOMEM;
        buf_free(&pw);
    }
    if (!n_stems) /* nothing to search: nothing found, no error */
        buf_puts(out, "(@kv none_)");
    else if (phrases.len)
        buf_printf(out, "((%.*s) ((%.*s)%.*s))", (int)bag.len, bag.ptr,
                   (int)bag.len, bag.ptr, (int)phrases.len, phrases.ptr);
    else
        buf_printf(out, "(%.*s)", (int)bag.len, bag.ptr);
    if (w.oom || bag.oom || stems.oom || phrases.oom)
        c->rc = MORGUE_ENOMEM;
    buf_free(&w);
    buf_free(&bag);
    buf_free(&stems);
    buf_free(&phrases);
    return 1;
}

/* ---- the tree ---- */

static int node(ctx *c, buf *out, const qnode *q, int depth);

static int plain_word(const qnode *q)
{
    return q->kind == Q_WORD && q->field == QF_ANY && q->text &&
           !strchr(q->text, ' ');
}

/* Words typed apart that together are a name with variants ("soviet
 * union"): the longest run of plain words from kids[i] (2 or more) of an
 * AND, as plan.c's name_run makes it: the words all present, or any
 * variant. The run's length, 0 when none is (out untouched). */
static size_t name_run(ctx *c, buf *out, const qnode *q, size_t i)
{
    if (!c->synonyms || !plain_word(q->kids[i]))
        return 0;
    size_t max = 0;
    while (i + max < q->n_kids && max < SYN_MAX_WORDS &&
           plain_word(q->kids[i + max]))
        max++;
    for (size_t len = max; len >= 2 && c->rc == MORGUE_OK; len--) {
        buf w = BUF_INIT;
        size_t n = 0;
        int one_each = 1;
        for (size_t k = 0; k < len; k++) {
            size_t m = words_of(q->kids[i + k]->text, &w);
            one_each &= m == 1;
            n += m;
        }
        syn_alts a;
        if (!one_each || w.oom || !variants_of(c, w.ptr, n, &a)) {
            if (w.oom)
                c->rc = MORGUE_ENOMEM;
            buf_free(&w);
            continue;
        }
        syn_alts_free(&a); /* with_variants looks again */
        buf all = BUF_INIT;
        buf_putc(&all, '(');
        const char *p = w.ptr;
        for (size_t k = 0; k < n; k++, p += strlen(p) + 1) {
            if (k)
                buf_putc(&all, ' ');
            stem_leaf(c, &all, p, 0);
        }
        buf_putc(&all, ')');
        with_variants(c, out, &all, w.ptr, n, 0);
        if (all.oom)
            c->rc = MORGUE_ENOMEM;
        buf_free(&all);
        buf_free(&w);
        return len;
    }
    return 0;
}

/* Kids joined by sep; the count of positive kids made. */
static int group(ctx *c, buf *out, const qnode *q, int depth,
                 const char *sep, size_t first)
{
    size_t made = 0, positive = 0, mark = out->len;
    buf_putc(out, '(');
    for (size_t i = first; i < q->n_kids && c->rc == MORGUE_OK; i++) {
        size_t at = out->len;
        if (made)
            buf_puts(out, sep);
        size_t run = q->kind == Q_AND ? name_run(c, out, q, i) : 0;
        if (run) {
            i += run - 1;
            made++;
            positive++;
        } else if (node(c, out, q->kids[i], depth + 1)) {
            made++;
            positive += q->kids[i]->kind != Q_NOT;
        } else {
            out->len = at;
        }
    }
    buf_putc(out, ')');
    if (!positive)
        out->len = mark;
    return positive > 0;
}

static int node(ctx *c, buf *out, const qnode *q, int depth)
{
    if (depth > 200 || c->rc)
        return 0;
    switch (q->kind) {
    case Q_WORD:
        return word(c, out, q);
    case Q_PREFIX:
        return prefix(c, out, q);
    case Q_PHRASE:
    case Q_NEAR:
        return words_node(c, out, q);
    case Q_DATE:
        return date_node(c, out, q);
    case Q_NOT: {
        size_t mark = out->len;
        buf_puts(out, "-");
        c->neg++;
        int made = q->n_kids && node(c, out, q->kids[0], depth + 1);
        c->neg--;
        if (made)
            return 1;
        out->len = mark;
        return 0;
    }
    case Q_AND:
        return group(c, out, q, depth, " ", 0);
    case Q_OR:
        if (!c->neg && q->n_kids > 1)
            c->t->scored_or = 1;
        return group(c, out, q, depth, c->all_of && !c->neg ? " " : " | ",
                     0);
    case Q_TEXT:
        return natural(c, out, q);
    case Q_MAYBE: /* the planner's, never the parser's */
        return 0;
    }
    return 0;
}

/* Date kids of a top-level AND become the WHERE filter (as the local
 * searcher makes them a filter of the date column). */
static int hoist(ctx *c, const qnode *q, buf *out)
{
    size_t dates = 0;
    for (size_t i = 0; i < q->n_kids; i++)
        dates += q->kids[i]->kind == Q_DATE;
    if (!dates)
        return 0;
    for (size_t i = 0; i < q->n_kids; i++) {
        const qnode *k = q->kids[i];
        if (k->kind != Q_DATE)
            continue;
        if (k->from > c->t->from)
            c->t->from = k->from;
        if (k->to < c->t->to)
            c->t->to = k->to;
    }
    if (dates == q->n_kids)
        return 1; /* a date-only query: the filter alone */
    size_t made = 0, positive = 0;
    buf_putc(out, '(');
    for (size_t i = 0; i < q->n_kids && c->rc == MORGUE_OK; i++) {
        if (q->kids[i]->kind == Q_DATE)
            continue;
        size_t at = out->len;
        if (made)
            buf_putc(out, ' ');
        size_t run = name_run(c, out, q, i);
        if (run) {
            i += run - 1;
            made++;
            positive++;
        } else if (node(c, out, q->kids[i], 1)) {
            made++;
            positive += q->kids[i]->kind != Q_NOT;
        } else {
            out->len = at;
        }
    }
    if (!positive) /* only exclusions left: from every article */
        buf_puts(out, made ? " (@kv any_)" : "(@kv any_)");
    buf_putc(out, ')');
    return 1;
}

int translate(const qnode *q, stemmer *stem, const char *lang, int64_t lo,
              int64_t hi, int synonyms, translation *out)
{
    memset(out, 0, sizeof *out);
    out->from = INT64_MIN;
    out->to = INT64_MAX;
    out->exact_score = 1;
    ctx c = { stem, lang, out, lo, hi, MORGUE_OK, 0, synonyms, 0, 0 };
    int made;
    if (q->kind == Q_DATE) {
        out->from = q->from;
        out->to = q->to;
        made = 1;
    } else if (q->kind == Q_AND && hoist(&c, q, &out->match)) {
        made = 1;
    } else {
        made = node(&c, &out->match, q, 0);
    }
    if (out->match.oom)
        c.rc = MORGUE_ENOMEM;
    if (c.rc == MORGUE_OK && made && out->scored_or) {
        /* the same tree again, its ORs as ANDs (the date filter and the
         * flags come out the same) */
        c.all_of = c.quiet = 1;
        if (!(q->kind == Q_AND && hoist(&c, q, &out->match_all)))
            node(&c, &out->match_all, q, 0);
        if (out->match_all.oom)
            c.rc = MORGUE_ENOMEM;
        buf_cstr(&out->match_all);
        if (out->match_all.len == out->match.len &&
            !memcmp(out->match_all.ptr, out->match.ptr, out->match.len))
            out->match_all.len = 0; /* only variants were or'ed */
    }
    /* a tree query_check passed always leaves something (fuzz_translate
     * holds translate to that) */
    if (c.rc == MORGUE_OK && !made)
        c.rc = MORGUE_EQUERY;
    buf_cstr(&out->match);
    return c.rc;
}

void translation_free(translation *t)
{
    buf_free(&t->match);
    buf_free(&t->match_all);
    query_terms_free(t->hl, t->n_hl);
    for (size_t i = 0; i < t->n_leaves; i++) {
        for (size_t k = 0; k < t->leaves[i].n_words; k++)
            free(t->leaves[i].words[k]);
        free(t->leaves[i].words);
    }
    free(t->leaves);
    memset(t, 0, sizeof *t);
}
