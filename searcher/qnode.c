/* qnode.c: query tree nodes, all from the parser's arena: a failed parse
 * or a finished tree is freed with one arena_free, and the grammar never
 * frees a node on its error paths. */
#include <stdlib.h>
#include <string.h>

#include "searcher/parse_int.h"
#include "util/alloc.h"

qnode *node_new(parser *p, qkind kind, size_t pos)
{
    qnode *n = arena_alloc(p->a, sizeof *n);
    if (!n) {
        parse_nomem(p);
        return NULL;
    }
    n->kind = kind;
    n->pos = pos;
    n->arena = p->a;
    return n;
}

char *node_strdup(parser *p, const char *s, size_t n)
{
    char *c = arena_strndup(p->a, s, n);
    if (!c)
        parse_nomem(p);
    return c;
}

int vec_push(parser *p, vec *a, void *x)
{
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 4;
        void **v = mem_rearray(a->v, cap, sizeof *v);
        if (!v) {
            parse_nomem(p);
            return -1;
        }
        a->v = v;
        a->cap = cap;
    }
    a->v[a->n++] = x;
    return 0;
}

int vec_push_flat(parser *p, vec *a, qnode *n, qkind flat)
{
    if (n->kind != flat)
        return vec_push(p, a, n);
    for (size_t i = 0; i < n->n_kids; i++)
        if (vec_push(p, a, n->kids[i]) < 0)
            return -1;
    return 0;
}

void vec_free(vec *a)
{
    free(a->v);
    a->v = NULL;
    a->n = a->cap = 0;
}

/* The first n pointers of a, copied into the arena. */
static void **arena_copy(parser *p, vec *a)
{
    void **v = arena_alloc(p->a, (a->n ? a->n : 1) * sizeof *v);
    if (!v)
        parse_nomem(p);
    else if (a->n)
        memcpy(v, a->v, a->n * sizeof *v);
    return v;
}

qnode *node_from_vec(parser *p, vec *a, qkind kind, size_t pos)
{
    qnode *n = node_new(p, kind, pos);
    void **v = n ? arena_copy(p, a) : NULL;
    if (v) {
        n->kids = (qnode **)v;
        n->n_kids = a->n;
    }
    vec_free(a);
    return v ? n : NULL;
}

int node_words(parser *p, qnode *n, vec *a)
{
    void **v = arena_copy(p, a);
    if (v) {
        n->words = (char **)v;
        n->n_words = a->n;
    }
    vec_free(a);
    return v ? 0 : -1;
}

void query_free(qnode *root)
{
    if (root)
        arena_free(root->arena);
}
