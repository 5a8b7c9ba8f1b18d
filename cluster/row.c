/* row.c: articles as RT index rows (field layout in row.h). */
#include "cluster/row.h"

#include <inttypes.h>
#include <string.h>

#include "cluster/sql.h"
#include "index/format.h"
#include "morgue.h"
#include "text/tokenize.h"
#include "util/civil.h"
#include "util/hash.h"

#define ID_MASK 0x7FFFFFFFFFFFFFFFull

uint64_t row_docid(uint64_t ident)
{
    uint64_t id = ident & ID_MASK;
    return id ? id : 1;
}

unsigned row_shard(uint64_t ident, unsigned n_shards)
{
    return (unsigned)(ident % n_shards);
}

void row_fold_value(buf *out, const char *p, size_t len)
{
    /* the same loop as the inverter's add_value(): the same cut */
    tokenizer tk;
    token tok;
    size_t n = 0;
    tokenizer_init(&tk, p, len);
    while (tokenizer_next(&tk, &tok) && n + tok.len + 1 < MAX_KEY - 1) {
        if (n) {
            buf_putc(out, ' ');
            n++;
        }
        buf_append(out, tok.term, tok.len);
        n += tok.len;
    }
}

void row_value_key(buf *out, char prefix, const char *folded, size_t n)
{
    buf_putc(out, prefix);
    buf_putc(out, '_');
    for (size_t i = 0; i < n; i++)
        buf_putc(out, folded[i] == ' ' ? '_' : folded[i]);
}

uint64_t row_tag_hash(const char *folded, size_t n)
{
    return row_docid(hash64(folded, n));
}

/* Exact words and stems of text, appended (space-separated) to the
 * buffers given (any may be NULL). */
static void words(span text, stemmer *stem, buf *exact, buf *stems)
{
    tokenizer tk;
    token tok;
    tokenizer_init(&tk, text.ptr, text.len);
    while (tokenizer_next(&tk, &tok)) {
        if (exact) {
            if (exact->len)
                buf_putc(exact, ' ');
            buf_append(exact, tok.term, tok.len);
        }
        if (stems) {
            size_t sl;
            const char *st = stemmer_stem(stem, tok.term, tok.len, &sl);
            if (!st) {
                stems->oom = 1;
                return;
            }
            if (stems->len)
                buf_putc(stems, ' ');
            buf_append(stems, st, sl);
        }
    }
}

static void put_str(buf *out, span s)
{
    buf_putc(out, ',');
    sql_quote(out, s.ptr, s.len);
}

int row_append(buf *out, const invert_doc *d, stemmer *stem, buf tmp[4])
{
    for (int i = 0; i < 4; i++)
        buf_clear(&tmp[i]);
    buf *ti = &tmp[0], *tb = &tmp[1], *ts = &tmp[2], *ss = &tmp[3];
    words(d->title, stem, ti, ts);
    buf_append(tb, ti->ptr, ti->len);
    words(d->body, stem, tb, ss); /* ss: the body's alone (ranker in search.c) */
    buf_printf(out, "(%" PRIu64, row_docid(d->ident));
    put_str(out, buf_span(ti));
    put_str(out, buf_span(tb));
    put_str(out, buf_span(ts));
    put_str(out, buf_span(ss));
    for (int i = 0; i < 4; i++)
        buf_clear(&tmp[i]);
    /* kv keys, folded tags, tag hashes */
    buf *kv = &tmp[0], *tagn = &tmp[1], *fold = &tmp[2], *tg = &tmp[3];
    row_fold_value(fold, d->source.ptr, d->source.len);
    if (fold->len)
        row_value_key(kv, 'o', fold->ptr, fold->len);
    buf srcn = BUF_INIT;
    buf_append(&srcn, fold->ptr, fold->len);
    for (size_t i = 0; i < d->n_tags; i++) {
        buf_clear(fold);
        row_fold_value(fold, d->tags[i].ptr, d->tags[i].len);
        if (!fold->len)
            continue;
        if (kv->len)
            buf_putc(kv, ' ');
        row_value_key(kv, 'g', fold->ptr, fold->len);
        if (tagn->len)
            buf_putc(tagn, '\n');
        buf_append(tagn, fold->ptr, fold->len);
        buf_printf(tg, "%s%" PRIu64, tg->len ? "," : "",
                   row_tag_hash(fold->ptr, fold->len));
    }
    unsigned yr = 0, ym = 0, dy = 0;
    /* the article's own clock (the inverter checked the offset) */
    int64_t local = d->date == MORGUE_NO_DATE || d->date_off == MORGUE_NO_OFFSET
                        ? d->date
                        : d->date + (int64_t)d->date_off * 60;
    if (d->date != MORGUE_NO_DATE) {
        int64_t y;
        unsigned m, dd;
        civil_from_secs(local, &y, &m, &dd);
        yr = (unsigned)y;
        ym = yr * 100 + m;
        dy = ym * 100 + dd;
        buf_printf(kv, "%sy%04u m%06u d%08u", kv->len ? " " : "", yr, ym,
                   dy);
    }
    buf_puts(kv, kv->len ? " any_" : "any_"); /* for NOT-only queries */
    put_str(out, buf_span(kv));
    buf_printf(out, ",%" PRId64 ",%u,%u,%u", d->date, yr, ym, dy);
    put_str(out, d->id);
    put_str(out, d->url);
    put_str(out, d->title);
    put_str(out, d->source);
    /* the stored tags as the local docstore gives them: '\n' between */
    buf_puts(out, ",'");
    for (size_t i = 0; i < d->n_tags; i++) {
        buf b = BUF_INIT;
        sql_quote(&b, d->tags[i].ptr, d->tags[i].len);
        if (i)
            buf_puts(out, "\\n");
        if (b.len >= 2)
            buf_append(out, b.ptr + 1, b.len - 2);
        buf_free(&b);
    }
    buf_putc(out, '\'');
    put_str(out, d->body);
    put_str(out, buf_span(tagn));
    put_str(out, buf_span(&srcn));
    int oom = srcn.oom;
    buf_free(&srcn);
    buf_printf(out, ",(%.*s),%" PRId64 ",%d)", (int)tg->len,
               tg->ptr ? tg->ptr : "", local,
               d->date == MORGUE_NO_DATE ? MORGUE_NO_OFFSET : d->date_off);
    if (oom)
        return MORGUE_ENOMEM;
    for (int i = 0; i < 4; i++)
        if (tmp[i].oom)
            return MORGUE_ENOMEM;
    return out->oom ? MORGUE_ENOMEM : MORGUE_OK;
}
