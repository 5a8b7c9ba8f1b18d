/* html.c: the HTML page reader (libxml2's HTML parser), one article per
 * page.
 *
 * One walk over the whole tree gathers the metadata: <meta> (Open Graph,
 * article:*, keywords, date), <link rel=canonical>, <title>, the first
 * <h1> and <time datetime>, JSON-LD scripts, and the candidate roots of
 * the text. The body is then the text of the longest <article>, else
 * <main>, else <body>, leaving out page chrome (script, nav, aside...)
 * and blocks whose class or id says share, related, comment, newsletter
 * or advert. Block elements become paragraph breaks; other whitespace
 * collapses to one space. libxml2 has decoded the entities already.
 */
#include "formats/source.h"

#include <jansson.h>
#include <libxml/HTMLparser.h>
#include <libxml/globals.h>
#include <libxml/xmlerror.h>
#include <libxml/tree.h>
#include <limits.h>
#include <string.h>
#include <strings.h>

#include "util/dates.h"
#include "formats/scan.h"
#include "morgue.h"
#include "util/buf.h"
#include "util/utf8.h"

#define MAX_ARTICLES 16
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

typedef struct page {
    buf title, h1, og_title, site, canonical, og_url; /* collapsed text */
    buf published, time_dt, ld_date, meta_date;       /* date strings */
    buf tags; /* tags, each ending in '\n' */
    buf lang; /* <html lang>, else Content-Language, else og:locale */
    buf body, tmp;
    int title_seen;
    xmlNode *articles[MAX_ARTICLES];
    size_t n_articles;
    xmlNode *main, *body_el;
} page;

static int name_is(const xmlNode *n, const char *name)
{
    return n->name && strcmp((const char *)n->name, name) == 0;
}

/* Value of attribute name (any case), "" when empty, NULL when absent. */
static const char *attr(const xmlNode *n, const char *name)
{
    for (const xmlAttr *a = n->properties; a; a = a->next)
        if (a->name && strcasecmp((const char *)a->name, name) == 0)
            return a->children && a->children->content
                       ? (const char *)a->children->content
                       : "";
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Text with collapsed whitespace                                       */

typedef struct ws {
    int space, brk; /* a space or a paragraph break is pending */
} ws;

/* Appends s; runs of whitespace (and no-break spaces) become one space,
 * a pending break becomes a blank line. Nothing leads or trails. */
static void put_text(buf *b, ws *st, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (fmt_is_space(c)) {
            st->space = 1;
            continue;
        }
        if (c == 0xC2 && (unsigned char)s[1] == 0xA0) {
            st->space = 1;
            s++;
            continue;
        }
        if (b->len > 0 && st->brk)
            buf_append(b, "\n\n", 2);
        else if (b->len > 0 && st->space)
            buf_putc(b, ' ');
        st->brk = st->space = 0;
        buf_putc(b, (char)c);
    }
}

/* Once: the first value wins. */
static void set_once(buf *b, const char *s)
{
    ws st = { 0, 0 };
    if (b->len == 0 && s)
        put_text(b, &st, s);
}

static int is_block(const xmlNode *n)
{
    static const char *const blocks[] = {
        "p",       "div",     "br",         "li",      "h1",    "h2",
        "h3",      "h4",      "h5",         "h6",      "blockquote",
        "section", "tr",      "article",    "main",    "ul",    "ol",
        "table",   "pre",     "hr",         "dl",      "dt",    "dd",
        "figure",  "figcaption", "address", "center",  "details",
        "summary", "caption", "body",
    };
    for (size_t i = 0; i < COUNT(blocks); i++)
        if (name_is(n, blocks[i]))
            return 1;
    return 0;
}

/* A class or id naming page chrome. */
static int noise_name(const char *v)
{
    static const char *const words[] = { "share", "related", "comment",
                                         "newsletter", "advert" };
    if (!v)
        return 0;
    for (size_t i = 0; i < COUNT(words); i++)
        if (fmt_imemmem(v, strlen(v), words[i]))
            return 1;
    return 0;
}

/* Elements whose text is not article text. */
static int skipped(const xmlNode *n, int filter)
{
    static const char *const chrome[] = {
        "script", "style",  "noscript", "nav",    "header",   "footer",
        "aside",  "form",   "template", "iframe", "svg",      "head",
        "title",  "button", "select",   "textarea", "object", "embed",
        "canvas", "math",
    };
    for (size_t i = 0; i < COUNT(chrome); i++)
        if (name_is(n, chrome[i]))
            return 1;
    return filter && (noise_name(attr(n, "class")) ||
                      noise_name(attr(n, "id")));
}

/* The node after n in document order within root, leaving n's subtree
 * unless descend; leaving a block element asks for a break. */
static xmlNode *next_in(xmlNode *n, xmlNode *root, int descend, ws *st)
{
    if (descend && n->children)
        return n->children;
    for (;;) {
        if (n->type == XML_ELEMENT_NODE && is_block(n))
            st->brk = 1;
        if (n == root)
            return NULL;
        if (n->next)
            return n->next;
        if (!(n = n->parent))
            return NULL;
    }
}

/* Appends the text under root; with filter, chrome by class/id is left
 * out too (root itself is always read). */
static void extract(buf *out, xmlNode *root, int filter)
{
    ws st = { 0, 0 };
    xmlNode *n = root;
    while (n) {
        int descend = 0;
        if (n->type == XML_ELEMENT_NODE) {
            if (is_block(n))
                st.brk = 1;
            else if (name_is(n, "td") || name_is(n, "th"))
                st.space = 1;
            descend = n == root || !skipped(n, filter);
        } else if ((n->type == XML_TEXT_NODE ||
                    n->type == XML_CDATA_SECTION_NODE) && n->content) {
            put_text(out, &st, (const char *)n->content);
        } else if (n->type == XML_DOCUMENT_NODE ||
                   n->type == XML_HTML_DOCUMENT_NODE) {
            descend = 1;
        }
        n = next_in(n, root, descend, &st);
    }
}

/* ------------------------------------------------------------------ */
/* Metadata                                                             */

/* Adds one tag (sep 0) or each piece of a sep-separated list; inner
 * whitespace becomes spaces, since tags are kept '\n'-separated. */
static void add_tag(page *pg, const char *s, char sep)
{
    fmt_article tmp;
    fmt_article_init(&tmp);
    span whole = fmt_trim(span_cstr(s));
    if (sep)
        fmt_add_tags(&tmp, whole, sep);
    else if (whole.len > 0)
        tmp.tags[tmp.n_tags++] = whole;
    for (size_t i = 0; i < tmp.n_tags; i++) {
        for (size_t j = 0; j < tmp.tags[i].len; j++) {
            unsigned char c = (unsigned char)tmp.tags[i].ptr[j];
            buf_putc(&pg->tags, fmt_is_space(c) ? ' ' : (char)c);
        }
        buf_putc(&pg->tags, '\n');
    }
}

static void see_meta(page *pg, const xmlNode *n)
{
    static const char *const date_names[] = {
        "date", "pubdate", "publishdate", "publish-date", "publish_date",
        "dc.date", "dc.date.issued", "dcterms.date", "dcterms.created",
        "sailthru.date", "parsely-pub-date", "article.published",
    };
    const char *key = attr(n, "property"), *v = attr(n, "content");
    const char *equiv = attr(n, "http-equiv");
    if (equiv && v && !strcasecmp(equiv, "content-language")) {
        set_once(&pg->lang, v);
        return;
    }
    if (!key)
        key = attr(n, "name");
    if (!key)
        key = attr(n, "itemprop");
    if (!key || !v)
        return;
    if (!strcasecmp(key, "og:title"))
        set_once(&pg->og_title, v);
    else if (!strcasecmp(key, "og:locale")) /* "ru_RU" */
        set_once(&pg->lang, v);
    else if (!strcasecmp(key, "og:site_name"))
        set_once(&pg->site, v);
    else if (!strcasecmp(key, "og:url"))
        set_once(&pg->og_url, v);
    else if (!strcasecmp(key, "article:published_time") ||
             !strcasecmp(key, "datePublished"))
        set_once(&pg->published, v);
    else if (!strcasecmp(key, "article:tag") ||
             !strcasecmp(key, "article:section"))
        add_tag(pg, v, 0);
    else if (!strcasecmp(key, "keywords") ||
             !strcasecmp(key, "news_keywords"))
        add_tag(pg, v, ',');
    for (size_t i = 0; i < COUNT(date_names); i++)
        if (!strcasecmp(key, date_names[i]))
            set_once(&pg->meta_date, v);
}

/* rel="canonical" among the link's rel tokens. */
static void see_link(page *pg, const xmlNode *n)
{
    const char *rel = attr(n, "rel"), *href = attr(n, "href");
    if (!rel || !href)
        return;
    span r = span_cstr(rel);
    const char *c = fmt_imemmem(r.ptr, r.len, "canonical");
    if (c && (c == rel || fmt_is_space((unsigned char)c[-1])))
        set_once(&pg->canonical, href);
}

/* First "datePublished" string anywhere in a JSON-LD value. */
static const char *ld_date(json_t *v, int depth)
{
    const char *key, *found = NULL;
    json_t *x;
    size_t i;
    if (depth > 16)
        return NULL;
    if (json_is_object(v)) {
        x = json_object_get(v, "datePublished");
        if (json_is_string(x))
            return json_string_value(x);
        json_object_foreach(v, key, x) {
            if ((found = ld_date(x, depth + 1)) != NULL)
                return found;
        }
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, x) {
            if ((found = ld_date(x, depth + 1)) != NULL)
                return found;
        }
    }
    return NULL;
}

static void see_script(page *pg, xmlNode *n)
{
    const char *type = attr(n, "type");
    if (!type || pg->ld_date.len > 0 ||
        !fmt_ieq(fmt_trim(span_cstr(type)), "application/ld+json"))
        return;
    xmlChar *text = xmlNodeGetContent(n);
    if (!text)
        return;
    json_error_t err;
    json_t *root = json_loads((const char *)text, 0, &err);
    set_once(&pg->ld_date, ld_date(root, 0));
    json_decref(root);
    xmlFree(text);
}

static int inside(const xmlNode *n, const char *name)
{
    for (n = n->parent; n; n = n->parent)
        if (n->type == XML_ELEMENT_NODE && name_is(n, name))
            return 1;
    return 0;
}

static void see_element(page *pg, xmlNode *n)
{
    if (name_is(n, "html")) { /* first: it is met before any <meta> */
        set_once(&pg->lang, attr(n, "lang"));
    } else if (name_is(n, "meta")) {
        see_meta(pg, n);
    } else if (name_is(n, "link")) {
        see_link(pg, n);
    } else if (name_is(n, "title") && !pg->title_seen && !inside(n, "svg")) {
        pg->title_seen = 1;
        extract(&pg->title, n, 0);
    } else if (name_is(n, "h1") && pg->h1.len == 0) {
        extract(&pg->h1, n, 0);
    } else if (name_is(n, "time")) {
        set_once(&pg->time_dt, attr(n, "datetime"));
    } else if (name_is(n, "script")) {
        see_script(pg, n);
    } else if (name_is(n, "article") && pg->n_articles < MAX_ARTICLES) {
        pg->articles[pg->n_articles++] = n;
    } else if (name_is(n, "main") && !pg->main) {
        pg->main = n;
    } else if (name_is(n, "body") && !pg->body_el) {
        pg->body_el = n;
    }
}

/* One walk over every element of the document. */
static void gather(page *pg, xmlDoc *doc)
{
    xmlNode *root = (xmlNode *)doc, *n = root;
    ws unused = { 0, 0 };
    while (n) {
        if (n->type == XML_ELEMENT_NODE)
            see_element(pg, n);
        int descend = n == root || n->type == XML_ELEMENT_NODE;
        n = next_in(n, root, descend, &unused);
    }
}

/* ------------------------------------------------------------------ */
/* Title, date, body                                                    */

static const char *const title_seps[] = {
    " | ", " :: ", " - ", " \xE2\x80\x93 ", " \xE2\x80\x94 ", " \xC2\xB7 ",
};

/* 1 when needle occurs in hay, ignoring ASCII case. */
static int span_icontains(span hay, span needle)
{
    if (needle.len == 0 || needle.len > hay.len)
        return 0;
    for (size_t i = 0; i + needle.len <= hay.len; i++) {
        size_t k = 0;
        while (k < needle.len &&
               ((hay.ptr[i + k] | 32) == (needle.ptr[k] | 32) ||
                hay.ptr[i + k] == needle.ptr[k]))
            k++;
        if (k == needle.len)
            return 1;
    }
    return 0;
}

/* The last title separator in t: its offset, length, and whether it is
 * a strong one (" | ", " :: ") that nearly always precedes a site name. */
static int last_sep(span t, size_t *at, size_t *len, int *strong)
{
    for (size_t i = t.len; i-- > 0;) {
        for (size_t k = 0; k < COUNT(title_seps); k++) {
            size_t n = strlen(title_seps[k]);
            if (i + n <= t.len && memcmp(t.ptr + i, title_seps[k], n) == 0) {
                *at = i;
                *len = n;
                *strong = k < 2;
                return 1;
            }
        }
    }
    return 0;
}

/* A name rather than part of a headline: a domain, or up to four words
 * that all start with a capital or digit. */
static int site_like(span s)
{
    int words = 0, spaces = 0, dot = 0;
    if (s.len == 0 || s.len > 40)
        return 0;
    for (size_t i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.ptr[i];
        dot |= c == '.';
        spaces += c == ' ';
        if (c != ' ' && (i == 0 || s.ptr[i - 1] == ' ')) {
            words++;
            if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
                words += 100;
        }
    }
    return (dot && spaces == 0) || words <= 4;
}

/* "Headline | Site" -> "Headline" when the tail is the site's name (from
 * og:site_name), or, when the site is unknown and guess is set, when the
 * tail looks like a site name. */
static span strip_site(span t, span site, int guess)
{
    size_t at, n;
    int strong;
    if (!last_sep(t, &at, &n, &strong))
        return t;
    span head = fmt_trim(span_of(t.ptr, at));
    span tail = fmt_trim(span_of(t.ptr + at + n, t.len - at - n));
    if (head.len == 0 || tail.len == 0)
        return t;
    if (site.len > 0)
        return span_icontains(site, tail) || span_icontains(tail, site)
                   ? head
                   : t;
    if (guess && (strong ? tail.len <= 40 : site_like(tail)))
        return head;
    return t;
}

/* og:title, else <title> without its site suffix, else the first <h1>. */
static span choose_title(page *pg)
{
    span site = fmt_trim(buf_span(&pg->site));
    span t = fmt_trim(buf_span(&pg->og_title));
    if (t.len > 0)
        return strip_site(t, site, 0);
    t = fmt_trim(buf_span(&pg->title));
    if (t.len > 0)
        return strip_site(t, site, 1);
    return fmt_trim(buf_span(&pg->h1));
}

/* article:published_time, <time datetime>, JSON-LD datePublished,
 * <meta name=date>; else the path or mtime. The zone it names into *off
 * (left alone for a path or mtime date). */
static int64_t page_date(const fmt_input *in, page *pg, int *off)
{
    buf *cands[] = { &pg->published, &pg->time_dt, &pg->ld_date,
                     &pg->meta_date };
    for (size_t i = 0; i < COUNT(cands); i++) {
        int64_t v = date_parse_any(fmt_trim(buf_span(cands[i])), off);
        if (v != MORGUE_NO_DATE)
            return v;
    }
    return fmt_fallback_date(in);
}

/* Text of the longest <article>, else <main>, else <body>. Articles that
 * hold under a third of the page's text are teasers around a story kept
 * elsewhere: the page's text wins then. When the class/id filter leaves
 * nothing, the root is read unfiltered. */
static void page_body(page *pg, xmlDoc *doc)
{
    for (size_t i = 0; i < pg->n_articles; i++) {
        buf_clear(&pg->tmp);
        extract(&pg->tmp, pg->articles[i], 1);
        if (pg->tmp.len > pg->body.len) {
            buf t = pg->body;
            pg->body = pg->tmp;
            pg->tmp = t;
        }
    }
    xmlNode *root = pg->main ? pg->main
                  : pg->body_el ? pg->body_el
                  : (xmlNode *)doc;
    buf_clear(&pg->tmp);
    extract(&pg->tmp, root, 1);
    if (pg->tmp.len > 3 * pg->body.len) {
        buf t = pg->body;
        pg->body = pg->tmp;
        pg->tmp = t;
    }
    if (pg->body.len == 0)
        extract(&pg->body, root, 0);
}

/* ------------------------------------------------------------------ */
/* Reading                                                              */

static void page_free(page *pg)
{
    buf *all[] = { &pg->title,     &pg->h1,        &pg->og_title,
                   &pg->site,      &pg->canonical, &pg->og_url,
                   &pg->published, &pg->time_dt,   &pg->ld_date,
                   &pg->meta_date, &pg->tags,      &pg->body,
                   &pg->tmp,       &pg->lang };
    for (size_t i = 0; i < COUNT(all); i++)
        buf_free(all[i]);
}

static int page_oom(const page *pg)
{
    return pg->title.oom || pg->h1.oom || pg->og_title.oom ||
           pg->site.oom || pg->canonical.oom || pg->og_url.oom ||
           pg->published.oom || pg->time_dt.oom || pg->ld_date.oom ||
           pg->meta_date.oom || pg->tags.oom || pg->body.oom ||
           pg->tmp.oom || pg->lang.oom;
}

/* UTF-8 when the page declares no charset and is valid UTF-8: libxml2
 * would otherwise guess Latin-1. NULL lets libxml2 decide. */
static const char *encoding_of(const fmt_input *in)
{
    size_t n = in->len < 2048 ? in->len : 2048;
    if (fmt_imemmem(in->data, n, "charset") ||
        fmt_imemmem(in->data, n, "encoding="))
        return NULL;
    return utf8_valid(in->data, in->len) ? "UTF-8" : NULL;
}

static int send_page(const fmt_input *in, fmt_sink *sink, page *pg)
{
    fmt_article a;
    fmt_article_init(&a);
    a.title = choose_title(pg);
    a.source = fmt_trim(buf_span(&pg->site));
    a.url = fmt_trim(buf_span(&pg->canonical));
    if (a.url.len == 0)
        a.url = fmt_trim(buf_span(&pg->og_url));
    a.body = buf_span(&pg->body);
    a.lang = fmt_trim(buf_span(&pg->lang));
    a.date = page_date(in, pg, &a.date_off);
    fmt_add_tags(&a, buf_span(&pg->tags), '\n');
    if (a.title.len == 0 && a.body.len == 0) {
        fmt_skip(sink, 1, 0, "no text in HTML page; skipped");
        return MORGUE_OK;
    }
    return sink->article(sink->ud, &a);
}

static void quiet(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
}

/* What libxml2 reported while parsing one page. Most real pages draw
 * the same complaints over and over (HTML5 tags unknown to its HTML 4
 * parser, stray end tags), so the first few become warnings and the rest
 * are counted in one more. */
#define MAX_PARSE_WARNINGS 3

typedef struct parse_report {
    fmt_sink *sink;
    unsigned n;
    uint64_t last_at; /* byte offset of the last error */
} parse_report;

static void report(void *ctx, xmlErrorPtr error)
{
    parse_report *r = ctx;
    /* Tags it does not know are just HTML5 (article, time, section...):
     * parsed as any element, nothing lost. */
    if (!error || error->code == XML_HTML_UNKNOWN_TAG ||
        error->level < XML_ERR_ERROR)
        return;
    long at = error->ctxt ? xmlByteConsumed(error->ctxt) : -1;
    r->last_at = at > 0 ? (uint64_t)at : 0;
    if (r->n++ >= MAX_PARSE_WARNINGS)
        return;
    char msg[256];
    size_t len = (size_t)snprintf(msg, sizeof msg, "HTML line %d: %s",
                                  error->line, error->message
                                                   ? error->message
                                                   : "parse error");
    if (len >= sizeof msg)
        len = sizeof msg - 1;
    while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
        msg[--len] = '\0'; /* libxml2's messages end in a newline */
    fmt_warn(r->sink, 0, r->last_at, msg); /* by byte: line is in msg */
}

/* Parses the page. XML_PARSE_HUGE (the HTML parser honours it) lifts
 * libxml2's nesting limit of 256 elements, past which it silently dropped
 * the rest of the page; the walks over the tree are iterative, so depth
 * costs no stack. libxml2's
 * errors go to report() (per thread: libxml2 keeps its handlers in
 * thread-local state), which turns them into warnings with the line and
 * byte offset; the generic handler, which would print to stderr, is
 * muted around the call. */
static xmlDoc *parse(const fmt_input *in, fmt_sink *sink)
{
    const int opts = HTML_PARSE_RECOVER | HTML_PARSE_NOWARNING |
                     HTML_PARSE_NONET | XML_PARSE_HUGE;
    parse_report r = { sink, 0, 0 };
    xmlGenericErrorFunc old = xmlGenericError;
    void *old_ctx = xmlGenericErrorContext;
    xmlStructuredErrorFunc old_s = xmlStructuredError;
    void *old_sctx = xmlStructuredErrorContext;
    xmlSetGenericErrorFunc(NULL, quiet);
    xmlSetStructuredErrorFunc(&r, report);
    xmlDoc *doc = htmlReadMemory(in->data, (int)in->len, NULL,
                                 encoding_of(in), opts);
    xmlSetGenericErrorFunc(old_ctx, old);
    xmlSetStructuredErrorFunc(old_sctx, old_s);
    if (r.n > MAX_PARSE_WARNINGS) {
        char msg[96];
        snprintf(msg, sizeof msg, "HTML: %u more parse errors not shown",
                 r.n - MAX_PARSE_WARNINGS);
        fmt_warn(sink, 0, r.last_at, msg);
    }
    return doc;
}

static int html_read(const fmt_input *in, fmt_sink *sink)
{
    if (in->len > INT_MAX) {
        fmt_skip(sink, 0, 0, "HTML page over 2 GB; skipped");
        return MORGUE_OK;
    }
    xmlInitParser();
    xmlDoc *doc = parse(in, sink);
    if (!doc) {
        fmt_skip(sink, 1, 0, "HTML page could not be parsed; skipped");
        return MORGUE_OK;
    }
    page pg;
    memset(&pg, 0, sizeof pg);
    gather(&pg, doc);
    page_body(&pg, doc);
    int rc = page_oom(&pg) ? MORGUE_ENOMEM : send_page(in, sink, &pg);
    page_free(&pg);
    xmlFreeDoc(doc);
    return rc;
}

/* A doctype or <html>/<head> first, markup after a comment or XML
 * declaration, or an .html/.htm name. */
static int html_sniff(const fmt_input *in)
{
    size_t n = in->len < 4096 ? in->len : 4096;
    size_t bom = fmt_bom_len(in->data, n);
    span head = fmt_trim(span_of(in->data + bom, n - bom));
    if (fmt_istarts(head, "<!doctype html") || fmt_istarts(head, "<html") ||
        fmt_istarts(head, "<head"))
        return 95;
    if ((fmt_istarts(head, "<!--") || fmt_istarts(head, "<?xml")) &&
        fmt_imemmem(head.ptr, head.len, "<html"))
        return 90;
    if (fmt_istarts(head, "<body") || fmt_istarts(head, "<meta") ||
        fmt_istarts(head, "<title"))
        return 80;
    if (fmt_has_ext(in->path, "html") || fmt_has_ext(in->path, "htm") ||
        fmt_has_ext(in->path, "xhtml"))
        return 70;
    return 0;
}

const fmt_reader fmt_html_reader = { "html", html_sniff, html_read, NULL,
                                     NULL };
