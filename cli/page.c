/* page.c: the HTML of `morgue serve`. Pages are built into a buffer in
 * one pass; every value that comes from the index or the request goes
 * through page_escape() (text and attributes alike) and every link is
 * built by link() from percent-encoded parameters, so nothing a query or
 * an article holds can become markup. Snippets are asked with the control
 * bytes 0x01/0x02 as highlight markers (not HTML, so the library leaves
 * the text raw) and those become <mark> here, balanced whatever the text
 * holds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/page.h"
#include "cli/search_opts.h"

#define HL_OPEN "\x01"
#define HL_CLOSE "\x02"
#define MAX_PAGE_OFFSET 10000 /* deep paging costs a top-k this large */

void page_escape(buf *out, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        switch (c) {
        case '&': buf_puts(out, "&amp;"); break;
        case '<': buf_puts(out, "&lt;"); break;
        case '>': buf_puts(out, "&gt;"); break;
        case '"': buf_puts(out, "&quot;"); break;
        case '\'': buf_puts(out, "&#39;"); break;
        default:
            if (c < 0x20 && c != '\n' && c != '\t')
                buf_putc(out, ' ');
            else
                buf_putc(out, (char)c);
        }
    }
}

static void esc(buf *out, const char *s)
{
    page_escape(out, s, strlen(s));
}

static void url_enc(buf *out, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
            (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
            c == '~') {
            buf_putc(out, (char)c);
        } else {
            buf_putc(out, '%');
            buf_putc(out, hex[c >> 4]);
            buf_putc(out, hex[c & 15]);
        }
    }
}

/* href="/?q=..&mode=..": the request r with q, from, to and offset
 * replaced (NULL or 0: left out). */
static void link(buf *out, const page_req *r, const char *q,
                 const char *from, const char *to, size_t offset)
{
    buf u = BUF_INIT;
    buf_puts(&u, "/?q=");
    url_enc(&u, q ? q : "");
    const char *names[] = { "mode", "sort", "from", "to" };
    const char *vals[] = { r->mode, r->sort, from, to };
    for (int i = 0; i < 4; i++)
        if (vals[i] && *vals[i]) {
            buf_printf(&u, "&%s=", names[i]);
            url_enc(&u, vals[i]);
        }
    if (offset)
        buf_printf(&u, "&offset=%zu", offset);
    buf_puts(out, " href=\"");
    page_escape(out, u.ptr, u.len);
    buf_putc(out, '"');
    buf_free(&u);
}

static void head(buf *out, const char *title)
{
    buf_puts(out,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, "
        "initial-scale=1\"><title>");
    esc(out, title);
    buf_puts(out,
        "</title><style>\n"
        "body{font:16px/1.45 system-ui,sans-serif;margin:0;color:#1d1d1f;"
        "background:#fafaf7}\n"
        "header{background:#23303b;padding:12px 20px}\n"
        "header a.home{color:#fff;font-weight:700;text-decoration:none;"
        "margin-right:14px}\n"
        "header form{display:flex;flex-wrap:wrap;gap:8px;align-items:center}"
        "\nheader input[type=search]{flex:1 1 320px;font-size:17px;"
        "padding:6px 8px}\n"
        "header label{color:#dde}\nheader input.d{width:7.5em}\n"
        "main{max-width:1100px;margin:0 auto;padding:10px 20px}\n"
        ".cols{display:flex;gap:32px;align-items:flex-start}\n"
        "ol.hits{flex:1;padding-left:1.4em}\n"
        ".hit{margin:0 0 18px}\n.hit h2{font-size:18px;margin:0}\n"
        ".meta{color:#5b6470;font-size:14px;margin:2px 0}\n"
        ".snip{margin:4px 0}\nmark{background:#ffe27a;padding:0 1px}\n"
        "aside{width:250px;font-size:14px}\naside h3{margin:8px 0 4px}\n"
        "aside ul{list-style:none;padding:0;margin:0}\n"
        ".chart svg{width:100%;height:150px;display:block}\n"
        ".chart rect{fill:#4f7ea8}\n.chart a:hover rect{fill:#c0392b}\n"
        ".chart text{font-size:10px;fill:#5b6470}\n"
        "nav.pages{margin:16px 0}\nnav.pages a{margin-right:16px}\n"
        ".err{color:#a00;font-weight:600}\n"
        "article p{max-width:46em}\n"
        "</style></head><body>\n");
}

static void form(buf *out, const page_req *r)
{
    int natural = r->mode && !strcmp(r->mode, "natural");
    int by_date = r->sort && !strcmp(r->sort, "date");
    buf_puts(out, "<header><form method=\"get\" action=\"/\" role=\"search\">"
                  "<a class=\"home\" href=\"/\">morgue</a>"
                  "<input type=\"search\" name=\"q\" maxlength=\"1000\" "
                  "autofocus aria-label=\"query\" value=\"");
    esc(out, r->q ? r->q : "");
    buf_printf(out, "\"><select name=\"mode\" aria-label=\"mode\">"
               "<option value=\"strict\"%s>all words</option>"
               "<option value=\"natural\"%s>natural language</option>"
               "</select><select name=\"sort\" aria-label=\"sort\">"
               "<option value=\"relevance\"%s>best first</option>"
               "<option value=\"date\"%s>newest first</option></select>",
               natural ? "" : " selected", natural ? " selected" : "",
               by_date ? "" : " selected", by_date ? " selected" : "");
    buf_puts(out, "<label>from <input class=\"d\" name=\"from\" "
                  "placeholder=\"YYYY-MM-DD\" value=\"");
    esc(out, r->from ? r->from : "");
    buf_puts(out, "\"></label><label>to <input class=\"d\" name=\"to\" "
                  "placeholder=\"YYYY-MM-DD\" value=\"");
    esc(out, r->to ? r->to : "");
    buf_puts(out, "\"></label><button type=\"submit\">Search</button>"
                  "</form></header>\n<main>\n");
}

static void tail(buf *out)
{
    buf_puts(out, "</main></body></html>\n");
}

void page_message(buf *out, const char *title, const char *msg)
{
    page_req none = { 0 };
    head(out, title);
    form(out, &none);
    buf_puts(out, "<p class=\"err\">");
    esc(out, msg);
    buf_puts(out, "</p>\n");
    tail(out);
}

/* The snippet with the 0x01/0x02 markers as balanced <mark>s. */
static void snippet(buf *out, const char *s)
{
    int open = 0;
    for (; *s; s++) {
        if (*s == HL_OPEN[0] || *s == HL_CLOSE[0]) {
            if ((*s == HL_OPEN[0]) != open) {
                buf_puts(out, open ? "</mark>" : "<mark>");
                open = !open;
            }
            continue;
        }
        page_escape(out, s, 1);
    }
    if (open)
        buf_puts(out, "</mark>");
}

static void day_of(int64_t t, char day[16])
{
    if (t == MORGUE_NO_DATE)
        snprintf(day, 16, "undated");
    else
        cli_day(t, day);
}

static int safe_url(const char *p, size_t n)
{
    return (n > 7 && !strncmp(p, "http://", 7)) ||
           (n > 8 && !strncmp(p, "https://", 8));
}

static void article_link(buf *out, const char *id, size_t n)
{
    buf u = BUF_INIT, k = BUF_INIT;
    buf_append(&k, id, n);
    buf_puts(&u, "/article?id=");
    url_enc(&u, buf_cstr(&k));
    buf_puts(out, " href=\"");
    page_escape(out, u.ptr, u.len);
    buf_putc(out, '"');
    buf_free(&u);
    buf_free(&k);
}

static void hit(buf *out, morgue_hits *h)
{
    const char *title, *id, *src, *url, *snip;
    size_t tn, in, sn, un;
    morgue_hits_field(h, MORGUE_FIELD_TITLE, &title, &tn);
    morgue_hits_field(h, MORGUE_FIELD_ID, &id, &in);
    morgue_hits_field(h, MORGUE_FIELD_SOURCE, &src, &sn);
    morgue_hits_field(h, MORGUE_FIELD_URL, &url, &un);
    morgue_hits_snippet(h, &snip);
    char day[16];
    day_of(morgue_hits_date(h), day);
    buf_puts(out, "<li class=\"hit\"><h2><a");
    article_link(out, id, in);
    buf_puts(out, ">");
    if (tn)
        page_escape(out, title, tn);
    else
        buf_puts(out, "(no title)");
    buf_printf(out, "</a></h2><p class=\"meta\"><time>%s</time>", day);
    if (sn) {
        buf_puts(out, " · ");
        page_escape(out, src, sn);
    }
    if (safe_url(url, un)) {
        buf_puts(out, " · <a rel=\"noreferrer\" href=\"");
        page_escape(out, url, un);
        buf_puts(out, "\">original</a>");
    }
    buf_puts(out, "</p><p class=\"snip\">");
    snippet(out, snip);
    buf_puts(out, "</p></li>\n");
}

/* Months from a to b ("YYYY-MM" each), inclusive, as y*12+m-1. */
static long month_no(const char *v)
{
    int y, m;
    return sscanf(v, "%4d-%2d", &y, &m) == 2 ? (long)y * 12 + m - 1 : -1;
}

/* The month facet as bars, one per month from the first to the last
 * (empty months too, so gaps show); each bar links to its month. */
static void chart(buf *out, morgue_hits *h, const page_req *r)
{
    const morgue_facet *f;
    size_t n;
    morgue_hits_facets(h, MORGUE_FACET_KIND_DATE, &f, &n);
    if (n == 0)
        return;
    long first = month_no(f[0].value), last = month_no(f[n - 1].value);
    if (first < 0 || last < first || last - first > 12 * 200)
        return;
    size_t months = (size_t)(last - first + 1);
    uint64_t max = 1, *count = calloc(months, sizeof *count);
    if (!count)
        return;
    for (size_t i = 0; i < n; i++) {
        long k = month_no(f[i].value);
        if (k >= first && k <= last)
            count[k - first] = f[i].count;
        max = f[i].count > max ? f[i].count : max;
    }
    double w = 1000.0 / (double)months, bar = w > 3 ? w - 1 : w;
    buf_printf(out, "<section class=\"chart\" aria-label=\"articles per "
               "month\"><svg xmlns=\"http://www.w3.org/2000/svg\" "
               "viewBox=\"0 0 1000 150\" preserveAspectRatio=\"none\" "
               "role=\"img\">");
    for (size_t i = 0; i < months; i++) {
        long k = first + (long)i;
        char mon[16];
        snprintf(mon, sizeof mon, "%04ld-%02ld", k / 12, k % 12 + 1);
        double bh = count[i] ? 4 + 116.0 * (double)count[i] / (double)max
                             : 0;
        buf_puts(out, "<a");
        link(out, r, r->q, mon, mon, 0);
        buf_printf(out, "><rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" "
                   "height=\"%.2f\"><title>%s: %llu</title></rect>"
                   "<rect x=\"%.2f\" y=\"0\" width=\"%.2f\" height=\"120\" "
                   "fill-opacity=\"0\"/></a>",
                   (double)i * w, 120 - bh, bar, bh, mon,
                   (unsigned long long)count[i], (double)i * w, bar);
        if (k % 12 == 0 || i == 0)
            buf_printf(out, "<text x=\"%.2f\" y=\"140\">%ld</text>",
                       (double)i * w, k / 12);
    }
    buf_puts(out, "</svg></section>\n");
    free(count);
}

/* Source and tag facets: each value links to the query narrowed by it. */
static void facets(buf *out, morgue_hits *h, const page_req *r)
{
    static const char *names[] = { NULL, "Sources", "Tags" };
    static const char *fields[] = { NULL, "source", "tag" };
    buf_puts(out, "<aside>");
    for (int k = 1; k <= 2; k++) {
        const morgue_facet *f;
        size_t n;
        morgue_hits_facets(h, (morgue_facet_kind)k, &f, &n);
        if (!n)
            continue;
        buf_printf(out, "<h3>%s</h3><ul>", names[k]);
        for (size_t i = 0; i < n; i++) {
            buf q = BUF_INIT;
            buf_printf(&q, "%s %s:\"", r->q ? r->q : "", fields[k]);
            for (const char *c = f[i].value; *c; c++)
                if (*c != '"') /* a quote cannot be inside a value */
                    buf_putc(&q, *c);
            buf_putc(&q, '"');
            buf_puts(out, "<li><a");
            link(out, r, buf_cstr(&q), r->from, r->to, 0);
            buf_puts(out, ">");
            esc(out, f[i].value);
            buf_printf(out, "</a> (%llu)</li>",
                       (unsigned long long)f[i].count);
            buf_free(&q);
        }
        buf_puts(out, "</ul>");
    }
    buf_puts(out, "</aside>\n");
}

static void front(buf *out, morgue_searcher *s)
{
    morgue_stats st = MORGUE_STATS_INIT;
    if (morgue_searcher_stats(s, &st) != MORGUE_OK)
        return;
    char a[16], b[16];
    day_of(st.first_date, a);
    day_of(st.last_date, b);
    buf_printf(out, "<p>%llu articles", (unsigned long long)st.documents);
    if (st.first_date != MORGUE_NO_DATE)
        buf_printf(out, ", dated %s to %s", a, b);
    buf_puts(out, ". Words are matched by stem and all required; "
                  "<code>\"exact phrases\"</code>, <code>OR</code>, "
                  "<code>-word</code>, <code>title:</code>, "
                  "<code>source:</code>, <code>tag:</code>, "
                  "<code>prefix*</code> and <code>date:2022-01</code> "
                  "work as on the command line.</p>\n");
}

int page_search(buf *out, morgue_searcher *s, const page_req *r)
{
    char title[160];
    snprintf(title, sizeof title, "%.100s%smorgue", r->q ? r->q : "",
             r->q && *r->q ? " — " : "");
    head(out, title);
    form(out, r);
    if (!r->q || !*r->q) {
        front(out, s);
        tail(out);
        return 200;
    }
    morgue_query_opts qo = MORGUE_QUERY_OPTS_INIT;
    qo.flags = MORGUE_QUERY_COUNT;
    qo.limit = PAGE_HITS;
    qo.hl_open = HL_OPEN;
    qo.hl_close = HL_CLOSE;
    qo.snippet_chars = 260;
    qo.facet_date = MORGUE_FACET_MONTH;
    qo.facet_sources = 10;
    qo.facet_tags = 10;
    qo.timeout_ms = SERVE_QUERY_MS;
    char err[256] = "";
    int bad = 0;
    if (r->mode && *r->mode && strcmp(r->mode, "strict")) {
        if (!strcmp(r->mode, "natural"))
            qo.flags |= MORGUE_QUERY_NATURAL;
        else {
            snprintf(err, sizeof err, "mode is strict or natural");
            bad = 1;
        }
    }
    const char *names[] = { "sort", "from", "to", "offset" };
    const char *vals[] = { r->sort, r->from, r->to, r->offset };
    for (int i = 0; i < 4 && !bad; i++)
        if (vals[i] && *vals[i])
            bad = search_opt_set(&qo, names[i], vals[i], err, sizeof err);
    if (!bad && qo.offset > MAX_PAGE_OFFSET) {
        snprintf(err, sizeof err, "offset: at most %d", MAX_PAGE_OFFSET);
        bad = 1;
    }
    if (!bad)
        bad = search_opt_check(&qo, err, sizeof err);
    morgue_hits *h = NULL;
    int rc = bad ? MORGUE_OK : morgue_search(s, r->q, &qo, &h);
    if (rc != MORGUE_OK) {
        snprintf(err, sizeof err, "%s", morgue_searcher_errmsg(s));
        bad = rc == MORGUE_ECANCELED ? 503 : 1;
    }
    if (bad) {
        buf_puts(out, "<p class=\"err\">");
        esc(out, err);
        buf_puts(out, "</p>\n");
        tail(out);
        return bad == 503 ? 503 : 400;
    }
    uint64_t total = morgue_hits_total(h);
    buf_printf(out, "<p class=\"total\">%llu article%s match%s</p>\n",
               (unsigned long long)total, total == 1 ? "" : "s",
               total == 1 ? "es" : "");
    chart(out, h, r);
    buf_printf(out, "<div class=\"cols\"><ol class=\"hits\" start=\"%zu\">\n",
               qo.offset + 1);
    while (morgue_hits_next(h) == MORGUE_OK)
        hit(out, h);
    buf_puts(out, "</ol>\n");
    facets(out, h, r);
    buf_puts(out, "</div>\n<nav class=\"pages\">");
    if (qo.offset > 0) {
        buf_puts(out, "<a rel=\"prev\"");
        link(out, r, r->q, r->from, r->to,
             qo.offset > PAGE_HITS ? qo.offset - PAGE_HITS : 0);
        buf_puts(out, ">← previous</a>");
    }
    if (qo.offset + PAGE_HITS < total &&
        qo.offset + PAGE_HITS <= MAX_PAGE_OFFSET) {
        buf_puts(out, "<a rel=\"next\"");
        link(out, r, r->q, r->from, r->to, qo.offset + PAGE_HITS);
        buf_puts(out, ">next →</a>");
    }
    buf_printf(out, "<span>%zu–%llu of %llu</span></nav>\n",
               total ? qo.offset + 1 : 0,
               (unsigned long long)(qo.offset + PAGE_HITS < total
                                        ? qo.offset + PAGE_HITS : total),
               (unsigned long long)total);
    morgue_hits_free(h);
    tail(out);
    return 200;
}

/* Body text as paragraphs (blank lines part them). */
static void paragraphs(buf *out, const char *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        while (i < n && (p[i] == '\n' || p[i] == ' '))
            i++;
        size_t s = i;
        while (i < n && !(p[i] == '\n' && i + 1 < n && p[i + 1] == '\n'))
            i++;
        if (i > s) {
            buf_puts(out, "<p>");
            page_escape(out, p + s, i - s);
            buf_puts(out, "</p>\n");
        }
    }
}

int page_article(buf *out, morgue_searcher *s, const char *key)
{
    morgue_hits *h;
    if (morgue_searcher_get(s, key, &h) != MORGUE_OK) {
        page_message(out, "not found — morgue", morgue_searcher_errmsg(s));
        return 404;
    }
    int first = 1;
    while (morgue_hits_next(h) == MORGUE_OK) {
        const char *p;
        size_t n;
        morgue_hits_field(h, MORGUE_FIELD_TITLE, &p, &n);
        if (first) {
            buf t = BUF_INIT;
            buf_append(&t, p, n);
            buf_puts(&t, " — morgue");
            page_req none = { 0 };
            head(out, buf_cstr(&t));
            form(out, &none);
            buf_free(&t);
            first = 0;
        }
        buf_puts(out, "<article><h1>");
        page_escape(out, p, n);
        char day[16];
        day_of(morgue_hits_date(h), day);
        buf_printf(out, "</h1><p class=\"meta\"><time>%s</time>", day);
        morgue_hits_field(h, MORGUE_FIELD_SOURCE, &p, &n);
        if (n) {
            buf_puts(out, " · ");
            page_escape(out, p, n);
        }
        morgue_hits_field(h, MORGUE_FIELD_URL, &p, &n);
        if (safe_url(p, n)) {
            buf_puts(out, " · <a rel=\"noreferrer\" href=\"");
            page_escape(out, p, n);
            buf_puts(out, "\">original</a>");
        }
        buf_puts(out, "</p><p class=\"meta\">id: ");
        morgue_hits_field(h, MORGUE_FIELD_ID, &p, &n);
        page_escape(out, p, n);
        morgue_hits_field(h, MORGUE_FIELD_TAGS, &p, &n);
        if (n) {
            buf_puts(out, "<br>tags: ");
            for (size_t a = 0, i = 0; i <= n; i++)
                if (i == n || p[i] == '\n') {
                    if (a)
                        buf_puts(out, ", ");
                    page_escape(out, p + a, i - a);
                    a = i + 1;
                }
        }
        buf_puts(out, "</p>\n");
        morgue_hits_field(h, MORGUE_FIELD_BODY, &p, &n);
        paragraphs(out, p, n);
        buf_puts(out, "</article>\n");
    }
    morgue_hits_free(h);
    tail(out);
    return 200;
}
