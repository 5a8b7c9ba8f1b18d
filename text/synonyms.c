/* synonyms.c: the synonyms file parser and lookup of synonyms.h. */
#include "text/synonyms.h"

#include <stdlib.h>
#include <string.h>

#include "morgue.h"
#include "text/tokenize.h"
#include "util/utf8.h"

void synset_init(synset *s)
{
    memset(s, 0, sizeof *s);
}

void synset_free(synset *s)
{
    buf_free(&s->text);
    free(s->entries);
    free(s->first);
    free(s->members);
    memset(s, 0, sizeof *s);
}

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap * 2 : 64;
    while (c < need)
        c *= 2;
    void *n = realloc(*p, c * size);
    if (!n)
        return -1;
    *p = n;
    *cap = c;
    return 0;
}

static const char *text_at(const synset *s, uint32_t off)
{
    return s->text.ptr + off;
}

static int by_text(const void *a, const void *b, void *ud)
{
    const synset *s = ud;
    const syn_entry *x = a, *y = b;
    int c = strcmp(text_at(s, x->text), text_at(s, y->text));
    return c ? c : (x->group > y->group) - (x->group < y->group);
}

/* qsort_r is a GNU extension; a small merge sort keeps us portable. */
static void sort_entries(synset *s, syn_entry *tmp)
{
    size_t n = s->n_entries;
    syn_entry *a = s->entries;
    for (size_t w = 1; w < n; w *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * w) {
            size_t mid = lo + w < n ? lo + w : n;
            size_t hi = lo + 2 * w < n ? lo + 2 * w : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                tmp[k++] = by_text(&a[i], &a[j], s) <= 0 ? a[i++] : a[j++];
            while (i < mid)
                tmp[k++] = a[i++];
            while (j < hi)
                tmp[k++] = a[j++];
        }
        memcpy(a, tmp, n * sizeof *a);
    }
}

typedef struct pstate {
    synset *s;
    const char *name;
    errmsg *e;
    uint64_t line;
    int rc;
} pstate;

static int fail(pstate *st, size_t byte, const char *what)
{
    st->rc = err_set(st->e, MORGUE_EFORMAT, "%s: line %llu, byte %zu: %s",
                     st->name, (unsigned long long)st->line, byte + 1, what);
    return st->rc;
}

/* Normalises the entry (p, n) into s->text; its offset in *off. */
static int add_entry_text(pstate *st, const char *p, size_t n, size_t col,
                          uint32_t *off)
{
    synset *s = st->s;
    tokenizer tk;
    token tok;
    size_t words = 0;
    if (s->text.len > UINT32_MAX - SYN_MAX_LINE * 4)
        return fail(st, col, "too much text");
    *off = (uint32_t)s->text.len;
    tokenizer_init(&tk, p, n);
    while (tokenizer_next(&tk, &tok)) {
        if (++words > SYN_MAX_WORDS) {
            s->text.len = *off;
            return fail(st, col, "an entry has more than 8 words");
        }
        if (words > 1)
            buf_putc(&s->text, ' ');
        buf_append(&s->text, tok.term, tok.len);
    }
    if (words == 0)
        return fail(st, col, "empty entry (no word between commas)");
    buf_putc(&s->text, '\0');
    return s->text.oom ? (st->rc = MORGUE_ENOMEM) : MORGUE_OK;
}

/* One line (without its newline) starting at byte col of the file. */
static int parse_line(pstate *st, const char *p, size_t n, size_t col)
{
    synset *s = st->s;
    size_t i = 0;
    while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r'))
        i++;
    if (i == n || p[i] == '#')
        return MORGUE_OK;
    if (n > SYN_MAX_LINE)
        return fail(st, 0, "line longer than 4096 bytes");
    if (!utf8_valid(p, n))
        return fail(st, 0, "not valid UTF-8");
    if (s->n_groups == SYN_MAX_GROUPS)
        return fail(st, 0, "more than 200000 groups");
    uint32_t offs[SYN_MAX_GROUP];
    size_t k = 0, start = 0;
    size_t text_before = s->text.len;
    for (size_t j = 0; j <= n; j++) {
        if (j < n && p[j] != ',')
            continue;
        if (k == SYN_MAX_GROUP) {
            s->text.len = text_before;
            return fail(st, start, "a group has more than 64 entries");
        }
        if (add_entry_text(st, p + start, j - start, start, &offs[k])) {
            s->text.len = text_before;
            return st->rc;
        }
        /* a repeated entry counts once */
        size_t d = 0;
        while (d < k && strcmp(text_at(s, offs[d]), text_at(s, offs[k])))
            d++;
        if (d == k)
            k++;
        start = j + 1;
    }
    if (k < 2) {
        s->text.len = text_before;
        return fail(st, 0, "a group needs two different entries, separated "
                    "by commas");
    }
    if (grow((void **)&s->first, &s->cap_groups, s->n_groups + 1,
             sizeof *s->first) ||
        grow((void **)&s->members, &s->cap_members, s->n_members + k,
             sizeof *s->members) ||
        grow((void **)&s->entries, &s->cap_entries, s->n_entries + k,
             sizeof *s->entries))
        return st->rc = MORGUE_ENOMEM;
    s->first[s->n_groups] = (uint32_t)s->n_members;
    for (size_t j = 0; j < k; j++) {
        s->members[s->n_members++] = offs[j];
        s->entries[s->n_entries++] = (syn_entry){ offs[j], s->n_groups };
    }
    s->n_groups++;
    return MORGUE_OK;
}

int synset_parse(synset *s, const char *p, size_t n, const char *name,
                 errmsg *e)
{
    /* On failure s must be as it was: parse into a copy of the counts and
     * roll back. */
    size_t text0 = s->text.len, ent0 = s->n_entries, mem0 = s->n_members;
    uint32_t grp0 = s->n_groups;
    pstate st = { s, name ? name : "synonyms", e, 0, MORGUE_OK };
    size_t at = 0;
    while (at < n && st.rc == MORGUE_OK) {
        const char *nl = memchr(p + at, '\n', n - at);
        size_t end = nl ? (size_t)(nl - p) : n;
        st.line++;
        parse_line(&st, p + at, end - at, at);
        at = end + 1;
    }
    syn_entry *tmp = st.rc == MORGUE_OK
                         ? malloc((s->n_entries + 1) * sizeof *tmp)
                         : NULL;
    if (st.rc == MORGUE_OK && !tmp)
        st.rc = err_set(e, MORGUE_ENOMEM, "out of memory");
    if (st.rc != MORGUE_OK) {
        if (st.rc == MORGUE_ENOMEM)
            err_set(e, MORGUE_ENOMEM, "out of memory");
        s->text.len = text0;
        s->text.oom = 0;
        s->n_entries = ent0;
        s->n_members = mem0;
        s->n_groups = grp0;
        if (ent0) { /* the earlier entries were sorted: sort them again */
            syn_entry *t = malloc(ent0 * sizeof *t);
            if (t)
                sort_entries(s, t);
            free(t);
        }
        return st.rc;
    }
    sort_entries(s, tmp);
    free(tmp);
    return MORGUE_OK;
}

void synset_group(const synset *s, uint32_t g, const char **out, size_t *n)
{
    size_t a = s->first[g];
    size_t b = g + 1 < s->n_groups ? s->first[g + 1] : s->n_members;
    *n = b - a;
    for (size_t i = a; i < b; i++)
        out[i - a] = text_at(s, s->members[i]);
}

size_t synset_expand(const synset *s, const char *key,
                     int (*fn)(void *ud, const char *entry), void *ud)
{
    if (!s || s->n_entries == 0)
        return 0;
    size_t lo = 0, hi = s->n_entries;
    while (lo < hi) { /* first entry >= key */
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(text_at(s, s->entries[mid].text), key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t given = 0;
    const char *seen[SYN_MAX_GROUP * 4];
    size_t n_seen = 0;
    for (size_t i = lo; i < s->n_entries &&
                        !strcmp(text_at(s, s->entries[i].text), key);
         i++) {
        const char *m[SYN_MAX_GROUP];
        size_t n;
        synset_group(s, s->entries[i].group, m, &n);
        for (size_t j = 0; j < n; j++) {
            if (!strcmp(m[j], key))
                continue;
            size_t d = 0;
            while (d < n_seen && strcmp(seen[d], m[j]))
                d++;
            if (d < n_seen)
                continue;
            if (n_seen < sizeof seen / sizeof *seen)
                seen[n_seen++] = m[j];
            given++;
            if (fn(ud, m[j]))
                return given;
        }
    }
    return given;
}

int synset_parse_builtin_source(synset *s, errmsg *e)
{
    buf all = BUF_INIT;
    for (const char *const *l = synonyms_builtin_lines; *l; l++) {
        buf_puts(&all, *l);
        buf_putc(&all, '\n');
    }
    int rc = all.oom ? err_set(e, MORGUE_ENOMEM, "out of memory")
                     : synset_parse(s, all.ptr, all.len, "text/variants.c", e);
    buf_free(&all);
    return rc;
}

int syn_alts_take(void *ud, const char *entry)
{
    syn_alts *a = ud;
    for (size_t i = 0; i < a->n; i++)
        if (!strcmp(a->v[i], entry))
            return 0;
    if (a->n == sizeof a->v / sizeof *a->v)
        return 1;
    a->v[a->n] = strdup(entry);
    a->n += a->v[a->n] != NULL;
    return 0;
}

void syn_alts_free(syn_alts *a)
{
    for (size_t i = 0; i < a->n; i++)
        free(a->v[i]);
    a->n = 0;
}
