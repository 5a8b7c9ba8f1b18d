/* text.c: the plain-text reader, one article per file (the fallback).
 *
 * Shapes it understands:
 *   - "Key: value" header lines at the top (Title:, Date:, Source:, URL:,
 *     Tags:...), a blank line, then the body: what the sample archive
 *     writes;
 *   - a headline on line 1, a blank line, paragraphs (BBC);
 *   - a page saved from a browser: a category breadcrumb before the
 *     headline, page furniture ("Share this:", "Leave a Reply") around the
 *     body (the seed article).
 * Lines are first sorted into kept, blank and furniture; paragraphs are
 * then built from the kept lines, and the headline is taken from them.
 */
#include "formats/source.h"

#include <stdlib.h>
#include <string.h>

#include "util/dates.h"
#include "formats/scan.h"
#include "morgue.h"
#include "util/buf.h"
#include "util/alloc.h"

/* Longest headline kept whole; a longer first line is a lead paragraph. */
#define MAX_TITLE 250
/* Paragraphs at the top searched for a date line or a breadcrumb. */
#define TOP_PARAS 4

/* One paragraph: lines [first, first + n) of the kept-line array. */
typedef struct para {
    size_t first, n;
    int dropped; /* a date line or breadcrumb taken out of the body */
} para;

typedef struct text_doc {
    span *lines;   /* kept lines; an empty span separates paragraphs */
    size_t n_lines, cap_lines;
    para *paras;
    size_t n_paras, cap_paras;
    int oom;
} text_doc;

/* ------------------------------------------------------------------ */
/* Header lines                                                         */

typedef enum key_kind {
    KEY_OTHER, KEY_TITLE, KEY_DATE, KEY_UPDATED, KEY_SOURCE, KEY_AUTHOR,
    KEY_URL, KEY_TAGS, KEY_ID
} key_kind;

static const struct {
    const char *name;
    key_kind kind;
} header_keys[] = {
    { "title", KEY_TITLE },      { "headline", KEY_TITLE },
    { "date", KEY_DATE },        { "published", KEY_DATE },
    { "pubdate", KEY_DATE },     { "updated", KEY_UPDATED },
    { "modified", KEY_UPDATED }, { "source", KEY_SOURCE },
    { "publisher", KEY_SOURCE }, { "publication", KEY_SOURCE },
    { "site", KEY_SOURCE },      { "author", KEY_AUTHOR },
    { "by", KEY_AUTHOR },        { "byline", KEY_AUTHOR },
    { "url", KEY_URL },          { "link", KEY_URL },
    { "canonical", KEY_URL },    { "tags", KEY_TAGS },
    { "keywords", KEY_TAGS },    { "category", KEY_TAGS },
    { "categories", KEY_TAGS },  { "section", KEY_TAGS },
    { "topics", KEY_TAGS },      { "id", KEY_ID },
    { "guid", KEY_ID },
};

/* Splits "Key: value" (key: a letter, then up to 23 letters, digits,
 * '-', '_' or spaces; ':' then a space or the end). 0 when line is not
 * of that form. */
static int split_header(span line, span *key, span *value)
{
    size_t i = 0;
    unsigned char c = line.len ? (unsigned char)line.ptr[0] : 0;
    if (!((c | 32) >= 'a' && (c | 32) <= 'z'))
        return 0;
    while (i < line.len && i < 24) {
        c = (unsigned char)line.ptr[i];
        if (c == ':')
            break;
        if (!(((c | 32) >= 'a' && (c | 32) <= 'z') ||
              (c >= '0' && c <= '9') || c == '-' || c == '_' || c == ' '))
            return 0;
        i++;
    }
    if (i == line.len || line.ptr[i] != ':' ||
        (i + 1 < line.len && !fmt_is_space((unsigned char)line.ptr[i + 1])))
        return 0;
    *key = fmt_trim(span_of(line.ptr, i));
    *value = fmt_trim(span_of(line.ptr + i + 1, line.len - i - 1));
    return 1;
}

static key_kind key_of(span key)
{
    for (size_t i = 0; i < sizeof header_keys / sizeof header_keys[0]; i++)
        if (fmt_ieq(key, header_keys[i].name))
            return header_keys[i].kind;
    return KEY_OTHER;
}

/* What the header block said. */
typedef struct headers {
    span date, updated, author;
    int known; /* header lines with a key we understand */
} headers;

static void take_header(fmt_article *a, headers *h, key_kind k, span v)
{
    span *slot = NULL;
    switch (k) {
    case KEY_TITLE: slot = &a->title; break;
    case KEY_DATE: slot = &h->date; break;
    case KEY_UPDATED: slot = &h->updated; break;
    case KEY_SOURCE: slot = &a->source; break;
    case KEY_AUTHOR: slot = &h->author; break;
    case KEY_URL: slot = &a->url; break;
    case KEY_ID: slot = &a->id; break;
    case KEY_TAGS: fmt_add_tags(a, v, ','); return;
    case KEY_OTHER: return;
    }
    if (slot->len == 0)
        *slot = v;
}

/* Reads the header block after the blank lines at *pos. It counts when
 * it has a known key and ends in a blank line (or the file's end), or when
 * every key is known; then *pos moves to the body. Else nothing changes. */
static void read_headers(const fmt_input *in, size_t *pos, fmt_article *a,
                         headers *h)
{
    size_t p = *pos, start;
    span line, key, value;
    do {
        if (p >= in->len)
            return;
        start = p;
        line = fmt_trim(fmt_next_line(in->data, in->len, &p));
    } while (line.len == 0);
    fmt_article tmp = *a;
    headers th = { { NULL, 0 }, { NULL, 0 }, { NULL, 0 }, 0 };
    int all_known = 1;
    while (line.len > 0 && split_header(line, &key, &value)) {
        key_kind k = key_of(key);
        all_known &= k != KEY_OTHER;
        th.known += k != KEY_OTHER;
        take_header(&tmp, &th, k, value);
        start = p;
        line = p < in->len ? fmt_trim(fmt_next_line(in->data, in->len, &p))
                           : span_of(NULL, 0);
    }
    if (th.known == 0 || (line.len > 0 && !all_known))
        return;
    *a = tmp;
    *h = th;
    *pos = line.len > 0 ? start : p; /* a body line right after: keep it */
}

/* ------------------------------------------------------------------ */
/* Page furniture                                                       */

typedef enum line_kind { LINE_TEXT, LINE_BLANK, LINE_FURNITURE, LINE_END }
    line_kind;

/* Whole lines that are page chrome, not article text. */
static const char *const furniture_exact[] = {
    ".", "Advertisement", "Back to top", "Back to top button",
    "Share this", "Share this:", "Share this article", "Like this:",
    "Loading...", "Loading\xE2\x80\xA6", "Read more", "Skip to content",
    "Subscribe", "Sign up",
};

/* Line starts that are page chrome ("Click to share on Twitter..."). */
static const char *const furniture_prefix[] = {
    "Click to share", "Click to email", "Click to print",
    "Subscribe to our newsletter", "Sign up for our newsletter",
    "Share on Facebook", "Share on Twitter",
};

/* Lines after which only comments or links to other stories follow. */
static const char *const terminators[] = {
    "Leave a Reply", "Leave a Comment", "Related Articles", "Related Posts",
    "Related Stories", "You may also like",
};

/* The same, as whole lines only ("Related" heads a list of links). */
static const char *const terminators_exact[] = { "Related", "Comments" };

/* Names on a row of share buttons ("Facebook  Twitter  WhatsApp  Email"). */
static const char *const share_names[] = {
    "Facebook", "Twitter", "WhatsApp", "Email", "LinkedIn", "Pinterest",
    "Reddit", "Telegram", "Print", "Tumblr", "Pocket", "Messenger", "X",
    "Share", "Tweet", "More", "Copy link",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* A line made only of share-button names (one or more). */
static int share_row(span t)
{
    size_t i = 0;
    while (i < t.len) {
        size_t k = 0, n = 0;
        for (; k < COUNT(share_names); k++) {
            n = strlen(share_names[k]);
            if (fmt_istarts(span_of(t.ptr + i, t.len - i), share_names[k]) &&
                (i + n == t.len || fmt_is_space((unsigned char)t.ptr[i + n])))
                break;
        }
        if (k == COUNT(share_names))
            return 0;
        for (i += n; i < t.len && fmt_is_space((unsigned char)t.ptr[i]);)
            i++;
    }
    return 1;
}

static line_kind classify(span t)
{
    if (t.len == 0)
        return LINE_BLANK;
    for (size_t i = 0; i < COUNT(terminators); i++)
        if (fmt_istarts(t, terminators[i]))
            return LINE_END;
    for (size_t i = 0; i < COUNT(terminators_exact); i++)
        if (fmt_ieq(t, terminators_exact[i]))
            return LINE_END;
    if (share_row(t))
        return LINE_FURNITURE;
    for (size_t i = 0; i < COUNT(furniture_exact); i++)
        if (fmt_ieq(t, furniture_exact[i]))
            return LINE_FURNITURE;
    for (size_t i = 0; i < COUNT(furniture_prefix); i++)
        if (fmt_istarts(t, furniture_prefix[i]))
            return LINE_FURNITURE;
    return LINE_TEXT;
}

/* ------------------------------------------------------------------ */
/* Lines and paragraphs                                                 */

static void push_line(text_doc *d, span s)
{
    if (d->n_lines == d->cap_lines) {
        size_t cap = d->cap_lines ? d->cap_lines * 2 : 256;
        span *p = mem_rearray(d->lines, cap, sizeof *p);
        if (!p) {
            d->oom = 1;
            return;
        }
        d->lines = p;
        d->cap_lines = cap;
    }
    d->lines[d->n_lines++] = s;
}

static void push_para(text_doc *d, size_t first, size_t n)
{
    if (d->n_paras == d->cap_paras) {
        size_t cap = d->cap_paras ? d->cap_paras * 2 : 64;
        para *p = mem_rearray(d->paras, cap, sizeof *p);
        if (!p) {
            d->oom = 1;
            return;
        }
        d->paras = p;
        d->cap_paras = cap;
    }
    para q = { first, n, 0 };
    d->paras[d->n_paras++] = q;
}

/* Keeps the text lines from pos on (trimmed, one empty span between
 * paragraphs), dropping furniture and stopping at a terminator. */
static void collect_lines(text_doc *d, const fmt_input *in, size_t pos)
{
    int seen_text = 0;
    while (pos < in->len && !d->oom) {
        span t = fmt_trim(fmt_next_line(in->data, in->len, &pos));
        line_kind k = classify(t);
        if (k == LINE_END && seen_text)
            break;
        if (k == LINE_BLANK && d->n_lines > 0 &&
            d->lines[d->n_lines - 1].len > 0)
            push_line(d, span_of(NULL, 0));
        if (k == LINE_TEXT) {
            push_line(d, t);
            seen_text = 1;
        }
    }
}

static void build_paras(text_doc *d)
{
    size_t i = 0;
    while (i < d->n_lines && !d->oom) {
        size_t first = i;
        while (i < d->n_lines && d->lines[i].len > 0)
            i++;
        if (i > first)
            push_para(d, first, i - first);
        i++;
    }
}

/* ------------------------------------------------------------------ */
/* Date lines, breadcrumbs, headline                                    */

/* A line that is only a date, maybe after "Published", "Updated:",
 * "Posted on"... */
static int64_t date_line(span t, int *off)
{
    static const char *const lead[] = { "published", "updated", "posted",
                                        "date" };
    if (t.len > 100)
        return MORGUE_NO_DATE;
    for (size_t i = 0; i < COUNT(lead); i++) {
        size_t n = strlen(lead[i]);
        if (fmt_istarts(t, lead[i]) &&
            (t.len == n || t.ptr[n] == ':' || t.ptr[n] == ' ')) {
            t = fmt_trim(span_of(t.ptr + n, t.len - n));
            if (t.len > 0 && t.ptr[0] == ':')
                t = fmt_trim(span_of(t.ptr + 1, t.len - 1));
            if (fmt_istarts(t, "on "))
                t = fmt_trim(span_of(t.ptr + 3, t.len - 3));
            break;
        }
    }
    return date_parse_any(t, off);
}

static size_t word_count(span s)
{
    size_t n = 0;
    for (size_t i = 0; i < s.len; i++)
        if (!fmt_is_space((unsigned char)s.ptr[i]) &&
            (i == 0 || fmt_is_space((unsigned char)s.ptr[i - 1])))
            n++;
    return n;
}

/* Last byte of s once closing quotes and brackets (ASCII, or UTF-8
 * U+2019 and U+201D) are stripped; 0 for nothing. */
static int last_char(span s)
{
    while (s.len > 0) {
        unsigned char c = (unsigned char)s.ptr[s.len - 1];
        if (c == '"' || c == '\'' || c == ')' || c == ']')
            s.len--;
        else if (s.len >= 3 && (c == 0x99 || c == 0x9D) &&
                 (unsigned char)s.ptr[s.len - 2] == 0x80 &&
                 (unsigned char)s.ptr[s.len - 3] == 0xE2)
            s.len -= 3;
        else
            return c;
    }
    return 0;
}

/* "AmericaInternational": a word of three lower-case letters or more
 * runs straight into a capital, as when menu items are glued together. */
static int glued_case(span s)
{
    size_t lower = 0;
    for (size_t i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.ptr[i];
        if (c >= 'A' && c <= 'Z' && lower >= 3)
            return 1;
        lower = c >= 'a' && c <= 'z' ? lower + 1 : 0;
    }
    return 0;
}

/* " > ", " » ", " / ", " | " between menu items. */
static int crumb_separator(span s)
{
    static const char *const seps[] = { " > ", " \xC2\xBB ", " / ", " | ",
                                        " \xE2\x80\xBA " };
    for (size_t i = 0; i < COUNT(seps); i++)
        if (fmt_imemmem(s.ptr, s.len, seps[i]))
            return 1;
    return 0;
}

/* Index of the first paragraph from k on that is still in the body. */
static size_t next_para(const text_doc *d, size_t k)
{
    while (k < d->n_paras && d->paras[k].dropped)
        k++;
    return k;
}

/* A category breadcrumb before the headline: a short line without closing
 * punctuation, then a one-line headline, then the body. That shape alone
 * also fits a short headline followed by a short lead, so one more sign
 * is asked for: glued menu items, a separator, or a crumb of one or two
 * words before a much longer headline that is not a question. */
static int is_breadcrumb(const text_doc *d, size_t k0)
{
    size_t k1 = next_para(d, k0 + 1);
    if (k1 >= d->n_paras || next_para(d, k1 + 1) >= d->n_paras)
        return 0;
    const para *p0 = &d->paras[k0], *p1 = &d->paras[k1];
    if (p0->n != 1 || p1->n != 1)
        return 0;
    span l0 = d->lines[p0->first], l1 = d->lines[p1->first];
    size_t w0 = word_count(l0), w1 = word_count(l1);
    int e0 = last_char(l0), e1 = last_char(l1);
    int sep = crumb_separator(l0); /* "Home > News > Local" */
    if (l0.len > (sep ? 150u : 80u) || w0 > (sep ? 16u : 6u) ||
        (e0 && strchr(".,;:!?", e0)))
        return 0;
    if (l1.len > 200 || w1 < 3 || (e1 && strchr(".,;:", e1)))
        return 0;
    return glued_case(l0) || sep ||
           (w0 <= 2 && w1 >= w0 + 4 && e1 != '?' && e1 != '!');
}

/* The first line of paragraph k as the headline. A very long first line
 * is a lead, not a headline: its start names the article and the whole
 * line stays in the body. */
static void take_title(fmt_article *a, text_doc *d, size_t k)
{
    para *p = &d->paras[k];
    span t = d->lines[p->first];
    if (t.len <= MAX_TITLE) {
        a->title = t;
        p->first++;
        p->n--;
        return;
    }
    size_t cut = 200;
    while (cut > 100 && t.ptr[cut] != ' ')
        cut--;
    while (cut > 0 && ((unsigned char)t.ptr[cut] & 0xC0) == 0x80)
        cut--; /* never split a UTF-8 sequence */
    a->title = fmt_trim(span_of(t.ptr, cut));
}

/* Takes date lines and a breadcrumb out of the top paragraphs, then the
 * headline (unless a Title: header gave it). */
static void shape_top(text_doc *d, fmt_article *a, int64_t *date, int *off)
{
    for (size_t k = 0; k < d->n_paras && k < TOP_PARAS; k++) {
        para *p = &d->paras[k];
        if (p->n != 1)
            continue;
        int o = MORGUE_NO_OFFSET;
        int64_t v = date_line(d->lines[p->first], &o);
        if (v == MORGUE_NO_DATE)
            continue;
        if (*date == MORGUE_NO_DATE) {
            *date = v;
            *off = o;
        }
        p->dropped = 1;
    }
    if (a->title.len > 0)
        return;
    size_t k = next_para(d, 0);
    if (k < d->n_paras && is_breadcrumb(d, k)) {
        d->paras[k].dropped = 1;
        k = next_para(d, k + 1);
    }
    if (k < d->n_paras)
        take_title(a, d, k);
}

/* The paragraphs still in the body, joined by blank lines. */
static void join_body(buf *b, const text_doc *d)
{
    for (size_t k = 0; k < d->n_paras; k++) {
        const para *p = &d->paras[k];
        if (p->dropped || p->n == 0)
            continue;
        if (b->len > 0)
            buf_append(b, "\n\n", 2);
        for (size_t j = 0; j < p->n; j++) {
            if (j > 0)
                buf_putc(b, '\n');
            span l = d->lines[p->first + j];
            buf_append(b, l.ptr, l.len);
        }
    }
}

/* The date: a header, else a date line, else the path, else the mtime.
 * A header date that cannot be parsed is reported. The zone the chosen
 * date named goes into *off. */
static int64_t pick_date(const fmt_input *in, fmt_sink *sink,
                         const headers *h, int64_t line_date, int line_off,
                         int *off)
{
    int64_t v = MORGUE_NO_DATE;
    if (h->date.len > 0 &&
        (v = date_parse_any(h->date, off)) == MORGUE_NO_DATE)
        fmt_warn(sink, 1, 0, "unrecognised date in header; date ignored");
    if (v == MORGUE_NO_DATE && h->updated.len > 0)
        v = date_parse_any(h->updated, off);
    if (v == MORGUE_NO_DATE) {
        v = line_date;
        *off = line_off;
    }
    return v != MORGUE_NO_DATE ? v : fmt_fallback_date(in);
}

static int all_space(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!fmt_is_space((unsigned char)p[i]))
            return 0;
    return 1;
}

static int text_read(const fmt_input *in, fmt_sink *sink)
{
    fmt_article a;
    headers h = { { NULL, 0 }, { NULL, 0 }, { NULL, 0 }, 0 };
    text_doc d;
    buf body = BUF_INIT;
    int64_t line_date = MORGUE_NO_DATE;
    int line_off = MORGUE_NO_OFFSET;
    size_t pos = fmt_bom_len(in->data, in->len);
    fmt_article_init(&a);
    memset(&d, 0, sizeof d);
    read_headers(in, &pos, &a, &h);
    collect_lines(&d, in, pos);
    build_paras(&d);
    shape_top(&d, &a, &line_date, &line_off);
    join_body(&body, &d);
    int rc = MORGUE_OK;
    if (d.oom || body.oom) {
        rc = MORGUE_ENOMEM;
    } else if (a.title.len == 0 && body.len == 0) {
        if (!all_space(in->data, in->len))
            fmt_skip(sink, 1, 0, "no article text found");
    } else {
        if (a.source.len == 0)
            a.source = h.author;
        a.body = buf_span(&body);
        a.date = pick_date(in, sink, &h, line_date, line_off, &a.date_off);
        rc = sink->article(sink->ud, &a);
    }
    buf_free(&body);
    free(d.lines);
    free(d.paras);
    return rc;
}

/* Anything can be plain text; this reader is the fallback. */
static int text_sniff(const fmt_input *in)
{
    return fmt_has_ext(in->path, "txt") ? 5 : 1;
}

const fmt_reader fmt_text_reader = { "text", text_sniff, text_read, NULL,
                                     NULL };
