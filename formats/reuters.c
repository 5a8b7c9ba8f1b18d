/* reuters.c: the Reuters-21578 SGML reader, many articles per file.
 *
 * Each article is one <REUTERS ... NEWID="n"> ... </REUTERS> record:
 *
 *   <REUTERS TOPICS="YES" ... NEWID="1">
 *   <DATE>26-FEB-1987 15:01:01.79</DATE>
 *   <TOPICS><D>cocoa</D></TOPICS> <PLACES>..</PLACES> <PEOPLE>..</PEOPLE>
 *   <ORGS>..</ORGS> <EXCHANGES>..</EXCHANGES> <COMPANIES></COMPANIES>
 *   <UNKNOWN>..</UNKNOWN>
 *   <TEXT [TYPE="BRIEF"|"UNPROC"]>&#2;
 *   <TITLE>..</TITLE> <DATELINE>..</DATELINE> <BODY>.. Reuter &#3;</BODY>
 *   </TEXT>
 *   </REUTERS>
 *
 * It is SGML, not XML: no root element, `&lt;` for a literal '<', control
 * characters as numeric references. Parsing is plain memmem/memchr
 * scanning so the 27 MB collection reads in a fraction of a second: every
 * record is found by its tags, and the metadata elements are looked for
 * only before <TEXT>.
 */
#include "formats/source.h"

#include <stdio.h>
#include <string.h>

#include "util/dates.h"
#include "formats/scan.h"
#include "morgue.h"
#include "util/buf.h"

/* A byte range [p, e) of the input. */
typedef struct range {
    const char *p, *e;
} range;

static range range_of(const char *p, const char *e)
{
    range r = { p, e };
    return r;
}

/* "<name" followed by '>' or a space (so "<D" does not match "<DATE"),
 * in r; NULL when absent. */
static const char *find_open(range r, const char *name)
{
    size_t n = strlen(name);
    const char *p = r.p;
    while (p < r.e) {
        const char *q = fmt_memmem(p, (size_t)(r.e - p), name, n);
        if (!q || q + n >= r.e)
            return NULL;
        if (q[n] == '>' || q[n] == ' ')
            return q;
        p = q + n;
    }
    return NULL;
}

/* The content of the first <name ...>...</name> in r. With no close tag
 * the content runs to the end of r. 0 when the element is absent. */
static int element(range r, const char *open, const char *close,
                   range *content)
{
    const char *q = find_open(r, open);
    if (!q)
        return 0;
    const char *gt = memchr(q, '>', (size_t)(r.e - q));
    if (!gt)
        return 0;
    const char *c = fmt_memmem(gt + 1, (size_t)(r.e - gt - 1), close,
                           strlen(close));
    *content = range_of(gt + 1, c ? c : r.e);
    return 1;
}

/* ------------------------------------------------------------------ */
/* Character references                                                 */

/* Appends code point v as UTF-8; control characters are dropped. */
static char *put_code(char *o, unsigned long v)
{
    if ((v < 0x20 && v != '\n' && v != '\t') || (v >= 0x7f && v < 0xa0) ||
        (v >= 0xd800 && v < 0xe000) || v > 0x10ffff)
        return o;
    if (v < 0x80) {
        *o++ = (char)v;
    } else if (v < 0x800) {
        *o++ = (char)(0xc0 | (v >> 6));
        *o++ = (char)(0x80 | (v & 0x3f));
    } else if (v < 0x10000) {
        *o++ = (char)(0xe0 | (v >> 12));
        *o++ = (char)(0x80 | ((v >> 6) & 0x3f));
        *o++ = (char)(0x80 | (v & 0x3f));
    } else {
        *o++ = (char)(0xf0 | (v >> 18));
        *o++ = (char)(0x80 | ((v >> 12) & 0x3f));
        *o++ = (char)(0x80 | ((v >> 6) & 0x3f));
        *o++ = (char)(0x80 | (v & 0x3f));
    }
    return o;
}

/* Decodes the reference at p ('&'); returns the byte after it, or p when
 * it is not a reference we know (the '&' is then literal). */
static const char *reference(const char *p, const char *e, char **o)
{
    static const struct {
        const char *name;
        char c;
    } named[] = { { "&lt;", '<' },   { "&gt;", '>' },    { "&amp;", '&' },
                  { "&quot;", '"' }, { "&apos;", '\'' } };
    if (p + 1 < e && p[1] == '#') {
        const char *q = p + 2;
        int hex = q < e && (*q == 'x' || *q == 'X');
        unsigned long v = 0;
        size_t digits = 0;
        for (q += hex; q < e && digits < 8; q++, digits++) {
            int d = *q >= '0' && *q <= '9' ? *q - '0'
                  : hex && (*q | 32) >= 'a' && (*q | 32) <= 'f'
                      ? (*q | 32) - 'a' + 10
                      : -1;
            if (d < 0)
                break;
            v = v * (hex ? 16 : 10) + (unsigned long)d;
        }
        if (digits == 0 || q >= e || *q != ';')
            return p;
        *o = put_code(*o, v);
        return q + 1;
    }
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++) {
        size_t n = strlen(named[i].name);
        if ((size_t)(e - p) >= n && memcmp(p, named[i].name, n) == 0) {
            *(*o)++ = named[i].c;
            return p + n;
        }
    }
    return p;
}

/* Appends r to b with references decoded; the control characters they
 * stand for are dropped (raw control bytes, which the corpus does not
 * have, are left to the writer's UTF-8 repair). Runs between '&'s are
 * copied whole, and the output is never longer than the input, so one
 * reserve suffices. */
static void decode(buf *b, range r)
{
    size_t n = (size_t)(r.e - r.p);
    if (n == 0 || buf_reserve(b, n) != 0)
        return;
    char *o = b->ptr + b->len;
    const char *p = r.p;
    while (p < r.e) {
        const char *amp = memchr(p, '&', (size_t)(r.e - p));
        const char *q = amp ? amp : r.e;
        memcpy(o, p, (size_t)(q - p));
        o += q - p;
        if (!amp)
            break;
        p = reference(amp, r.e, &o);
        if (p == amp) {
            *o++ = '&'; /* not a reference: a literal '&' */
            p = amp + 1;
        }
    }
    b->len = (size_t)(o - b->ptr);
}

/* ------------------------------------------------------------------ */
/* Records                                                              */

typedef struct ctx {
    const fmt_input *in;
    fmt_sink *sink;
    buf title, body;     /* scratch, reused by every record */
    uint64_t line;       /* line number of counted */
    const char *counted; /* newlines are counted up to here */
    uint64_t ordinal;
} ctx;

/* 1-based line of p (p never moves backwards). */
static uint64_t line_at(ctx *c, const char *p)
{
    c->line += fmt_count_lines(c->counted, (size_t)(p - c->counted));
    c->counted = p;
    return c->line;
}

static void record_warning(ctx *c, uint64_t line, const char *at,
                           const char *what, int skipped)
{
    char msg[160];
    snprintf(msg, sizeof msg, "Reuters record at line %llu %s%s",
             (unsigned long long)line, what, skipped ? "; skipped" : "");
    (skipped ? fmt_skip : fmt_warn)(c->sink, line,
                                    c->in->first_offset +
                                        (uint64_t)(at - c->in->data),
                                    msg);
}

/* The digits of NEWID="n" in the open tag. */
static int newid(range tag, span *id)
{
    const char *q = fmt_memmem(tag.p, (size_t)(tag.e - tag.p), "NEWID=", 6);
    if (!q)
        return 0;
    q += 6;
    if (q < tag.e && *q == '"')
        q++;
    const char *d = q;
    while (q < tag.e && *q >= '0' && *q <= '9')
        q++;
    *id = span_of(d, (size_t)(q - d));
    return q > d;
}

/* Adds the <D> values of element open..close in meta to a's tags. */
static void add_tags(fmt_article *a, range meta, const char *open,
                     const char *close)
{
    range list;
    if (!element(meta, open, close, &list))
        return;
    const char *p = list.p;
    while (a->n_tags < FMT_MAX_TAGS && p < list.e) {
        const char *d = fmt_memmem(p, (size_t)(list.e - p), "<D>", 3);
        if (!d)
            break;
        const char *e = fmt_memmem(d + 3, (size_t)(list.e - d - 3), "</D>", 4);
        if (!e)
            break;
        span t = fmt_trim(span_of(d + 3, (size_t)(e - d - 3)));
        if (t.len > 0)
            a->tags[a->n_tags++] = t;
        p = e + 4;
    }
}

/* Past the tag at lt ('<'): elements with fields of their own (TITLE,
 * DATELINE, AUTHOR) are skipped whole. NULL when '<' starts no tag. */
static const char *skip_tag(const char *lt, const char *e)
{
    static const char *const own[3][2] = { { "<TITLE", "</TITLE>" },
                                            { "<DATELINE", "</DATELINE>" },
                                            { "<AUTHOR", "</AUTHOR>" } };
    for (int i = 0; i < 3; i++) {
        if (find_open(range_of(lt, e), own[i][0]) == lt) {
            const char *c = fmt_memmem(lt, (size_t)(e - lt), own[i][1],
                                   strlen(own[i][1]));
            return c ? c + strlen(own[i][1]) : e;
        }
    }
    if (lt + 1 >= e || !(((lt[1] | 32) >= 'a' && (lt[1] | 32) <= 'z') ||
                         lt[1] == '/' || lt[1] == '!'))
        return NULL;
    const char *gt = memchr(lt, '>', (size_t)(e - lt));
    return gt ? gt + 1 : e;
}

/* The text of a <TEXT> without <BODY> (TYPE="BRIEF" or "UNPROC"). */
static void brief_text(buf *b, range text)
{
    const char *p = text.p;
    while (p < text.e) {
        const char *lt = memchr(p, '<', (size_t)(text.e - p));
        decode(b, range_of(p, lt ? lt : text.e));
        if (!lt)
            break;
        p = skip_tag(lt, text.e);
        if (!p) {
            buf_putc(b, '<');
            p = lt + 1;
        }
    }
}

/* Cuts trailing space and the "Reuter" sign-off line. */
static void drop_signoff(buf *b)
{
    size_t n = b->len, ls;
    while (n > 0 && fmt_is_space((unsigned char)b->ptr[n - 1]))
        n--;
    for (ls = n; ls > 0 && b->ptr[ls - 1] != '\n'; ls--)
        ;
    if (fmt_ieq(fmt_trim(span_of(b->ptr + ls, n - ls)), "reuter"))
        for (n = ls; n > 0 && fmt_is_space((unsigned char)b->ptr[n - 1]);)
            n--;
    b->len = n;
}

/* Title and body from the record's <TEXT>. */
static void fill_text(ctx *c, fmt_article *a, range text)
{
    range t, body;
    if (element(text, "<TITLE", "</TITLE>", &t))
        decode(&c->title, t);
    if (element(text, "<BODY", "</BODY>", &body)) {
        decode(&c->body, body);
    } else {
        brief_text(&c->body, text);
        /* BRIEF records put a row of asterisks before the headline */
        size_t i = 0;
        while (i < c->body.len &&
               (c->body.ptr[i] == '*' || fmt_is_space((unsigned char)
                                                      c->body.ptr[i])))
            i++;
        if (i > 0) {
            memmove(c->body.ptr, c->body.ptr + i, c->body.len - i);
            c->body.len -= i;
        }
    }
    if (c->body.len > 0)
        drop_signoff(&c->body);
    a->title = fmt_trim(buf_span(&c->title));
    a->body = fmt_trim(buf_span(&c->body));
}

/* Builds and sends the article of a whole record: the open tag is
 * [start, gt], the content (gt, close). */
static int send_record(ctx *c, const char *start, const char *gt,
                       const char *close, uint64_t line, span id)
{
    fmt_article a;
    fmt_article_init(&a);
    a.id = id;
    a.source = span_cstr("Reuters");
    a.line = line;
    a.offset = c->in->first_offset + (uint64_t)(start - c->in->data);
    a.ordinal = c->ordinal - 1;
    range content = range_of(gt + 1, close);
    const char *text_at = find_open(content, "<TEXT");
    range meta = range_of(content.p, text_at ? text_at : close), r;
    if (element(meta, "<DATE", "</DATE>", &r))
        a.date = date_parse_reuters(span_of(r.p, (size_t)(r.e - r.p)),
                                    &a.date_off);
    if (a.date == MORGUE_NO_DATE)
        record_warning(c, line, start, "has no valid <DATE>", 0);
    add_tags(&a, meta, "<TOPICS", "</TOPICS>");
    add_tags(&a, meta, "<PLACES", "</PLACES>");
    add_tags(&a, meta, "<PEOPLE", "</PEOPLE>");
    add_tags(&a, meta, "<ORGS", "</ORGS>");
    add_tags(&a, meta, "<EXCHANGES", "</EXCHANGES>");
    buf_clear(&c->title);
    buf_clear(&c->body);
    if (text_at && element(range_of(text_at, close), "<TEXT", "</TEXT>", &r))
        fill_text(c, &a, r);
    if (c->title.oom || c->body.oom)
        return MORGUE_ENOMEM;
    return c->sink->article(c->sink->ud, &a);
}

/* Reads the record whose open tag is at start; *next gets the start of
 * the record after it (NULL at the end). */
static int one_record(ctx *c, const char *start, const char **next)
{
    const char *end = c->in->data + c->in->len;
    const char *after = start + 8; /* past "<REUTERS" */
    uint64_t line = line_at(c, start);
    c->ordinal++;
    const char *close = fmt_memmem(after, (size_t)(end - after), "</REUTERS>",
                               10);
    /* A record that opens before this one closes: this one is cut. */
    *next = find_open(range_of(after, close ? close : end), "<REUTERS");
    if (!close || *next) {
        record_warning(c, line, start, "has no </REUTERS> close tag", 1);
        return MORGUE_OK;
    }
    *next = find_open(range_of(close + 10, end), "<REUTERS");
    const char *gt = memchr(start, '>', (size_t)(close - start));
    span id;
    if (!gt || !newid(range_of(start, gt), &id)) {
        record_warning(c, line, start, "has no NEWID", 1);
        return MORGUE_OK;
    }
    return send_record(c, start, gt, close, line, id);
}

static int reuters_read(const fmt_input *in, fmt_sink *sink)
{
    ctx c;
    memset(&c, 0, sizeof c);
    c.in = in;
    c.sink = sink;
    c.line = in->first_line + 1;
    c.counted = in->data;
    c.ordinal = in->first_ordinal;
    const char *start =
        find_open(range_of(in->data, in->data + in->len), "<REUTERS");
    int rc = MORGUE_OK;
    while (start && rc == MORGUE_OK)
        rc = one_record(&c, start, &start);
    if (in->next_ordinal)
        *in->next_ordinal = c.ordinal;
    buf_free(&c.title);
    buf_free(&c.body);
    return rc;
}

/* <!DOCTYPE lewis ...> or a <REUTERS record near the start, or .sgm. */
static int reuters_sniff(const fmt_input *in)
{
    size_t n = in->len < 4096 ? in->len : 4096;
    size_t bom = fmt_bom_len(in->data, n);
    span head = fmt_trim(span_of(in->data + bom, n - bom));
    if (fmt_istarts(head, "<!DOCTYPE lewis"))
        return 100;
    if (find_open(range_of(in->data, in->data + n), "<REUTERS"))
        return 95;
    return fmt_has_ext(in->path, "sgm") ? 60 : 0;
}

/* A long file streams in windows cut before a line that opens a record
 * (a record cannot hold another's open tag, so this changes nothing). */
static int reuters_streams(const fmt_input *head)
{
    (void)head;
    return 1;
}

static int record_line(const char *p, size_t n)
{
    return n > 8 && memcmp(p, "<REUTERS", 8) == 0 &&
           (p[8] == ' ' || p[8] == '>');
}

const fmt_reader fmt_reuters_reader = { "reuters", reuters_sniff,
                                        reuters_read, reuters_streams,
                                        record_line };
