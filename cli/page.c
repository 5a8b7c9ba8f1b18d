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
#include "cli/render.h"
#include "cli/search_opts.h"

#define HL_OPEN "\x01"
#define HL_CLOSE "\x02"
#define MAX_PAGE_OFFSET 10000 /* deep paging costs a top-k this large */
#define PAGE_DUPS 5 /* folded copies linked under a hit */

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
    const char *names[] = { "mode", "sort", "from", "to", "collapse",
                            "view", "by" };
    const char *vals[] = { r->mode, r->sort, from, to, r->collapse,
                           r->view, r->by };
    for (int i = 0; i < 7; i++)
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
        "ol.hits,.tl{flex:1}\nol.hits{padding-left:1.4em}\n"
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
        ".dups{font-size:14px;margin:2px 0 0 1em;color:#5b6470}\n"
        ".views{margin:6px 0}\n.views a,.views b{margin-right:14px}\n"
        ".timeline h3{font-size:16px;margin:14px 0 4px;"
        "border-bottom:1px solid #ddd}\n"
        ".timeline ul{margin:0;padding-left:1.2em}\n"
        ".story{margin:0 0 6px}\n"
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
    buf_printf(out, "\"></label><label><input type=\"checkbox\" "
               "name=\"collapse\" value=\"1\"%s> fold copies</label>",
               r->collapse && !strcmp(r->collapse, "1") ? " checked" : "");
    if (r->view && !strcmp(r->view, "timeline")) {
        buf_puts(out, "<input type=\"hidden\" name=\"view\" "
                      "value=\"timeline\">");
        if (r->by && *r->by) {
            buf_puts(out, "<input type=\"hidden\" name=\"by\" value=\"");
            esc(out, r->by);
            buf_puts(out, "\">");
        }
    }
    buf_puts(out, "<button type=\"submit\">Search</button>"
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

/* <time datetime="...">day</time> for the current hit: its own calendar
 * day shown, the instant in the attribute. */
static void hit_time(buf *out, morgue_hits *h)
{
    char day[16], iso[32];
    render_day(h, day);
    if (morgue_hits_date(h) == MORGUE_NO_DATE) {
        buf_printf(out, "<time>%s</time>", day);
        return;
    }
    cli_datetime(morgue_hits_date(h), morgue_hits_date_offset(h), iso);
    buf_printf(out, "<time datetime=\"%s\">%s</time>", iso, day);
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

/* The copies folded under the current hit (when collapsing): how many,
 * and links to the first few, each by its source and day. */
static void dups(buf *out, morgue_hits *h)
{
    const uint64_t *d;
    size_t nd;
    if (morgue_hits_duplicates(h, &d, &nd) != MORGUE_OK || nd == 0)
        return;
    size_t shown = nd < PAGE_DUPS ? nd : PAGE_DUPS;
    buf_printf(out, "<p class=\"dups\">+%zu near-duplicate%s:", nd,
               nd == 1 ? "" : "s");
    morgue_hits *x;
    if (morgue_searcher_docs(morgue_hits_searcher(h), d, shown, &x) ==
        MORGUE_OK) {
        const char *sep = " ";
        while (morgue_hits_next(x) == MORGUE_OK) {
            const char *id, *src, *title;
            size_t in, sn, tn;
            char day[16];
            morgue_hits_field(x, MORGUE_FIELD_ID, &id, &in);
            morgue_hits_field(x, MORGUE_FIELD_SOURCE, &src, &sn);
            morgue_hits_field(x, MORGUE_FIELD_TITLE, &title, &tn);
            render_day(x, day);
            buf_printf(out, "%s<a class=\"dup\"", sep);
            article_link(out, id, in);
            buf_puts(out, ">");
            if (sn)
                page_escape(out, src, sn);
            else if (tn)
                page_escape(out, title, tn);
            else
                page_escape(out, id, in);
            buf_printf(out, "</a> (%s)", day);
            sep = ", ";
        }
        morgue_hits_free(x);
    }
    if (nd > shown)
        buf_printf(out, " and %zu more", nd - shown);
    buf_puts(out, "</p>");
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
    buf_puts(out, "<li class=\"hit\"><h2><a");
    article_link(out, id, in);
    buf_puts(out, ">");
    if (tn)
        page_escape(out, title, tn);
    else
        buf_puts(out, "(no title)");
    buf_puts(out, "</a></h2><p class=\"meta\">");
    hit_time(out, h);
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
    buf_puts(out, "</p>");
    dups(out, h);
    buf_puts(out, "</li>\n");
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

/* Timeline granularity: r->by, else from the span of the matches' month
 * facet (up to two months by day, a year by week, else by month); 0 for a
 * bad r->by. */
static int timeline_by(const page_req *r, morgue_hits *h)
{
    if (r->by && *r->by)
        return !strcmp(r->by, "day")     ? MORGUE_TIMELINE_DAY
               : !strcmp(r->by, "week")  ? MORGUE_TIMELINE_WEEK
               : !strcmp(r->by, "month") ? MORGUE_TIMELINE_MONTH
                                         : 0;
    const morgue_facet *f;
    size_t n;
    morgue_hits_facets(h, MORGUE_FACET_KIND_DATE, &f, &n);
    long months = n ? month_no(f[n - 1].value) - month_no(f[0].value) + 1
                    : 1;
    return months <= 2    ? MORGUE_TIMELINE_DAY
           : months <= 12 ? MORGUE_TIMELINE_WEEK
                          : MORGUE_TIMELINE_MONTH;
}

/* A period's heading, linking to the hits of that period. */
static void period_head(buf *out, const page_req *r, const morgue_period *p,
                        int by)
{
    buf_puts(out, "<h3>");
    if (!p->period) {
        buf_printf(out, "undated — %llu</h3>",
                   (unsigned long long)p->count);
        return;
    }
    char from[16], to[16];
    snprintf(from, sizeof from, "%s", p->period);
    snprintf(to, sizeof to, "%s", p->period);
    morgue_date_range w = MORGUE_DATE_RANGE_INIT;
    if (by == MORGUE_TIMELINE_WEEK &&
        morgue_parse_date(&w, p->period, 0) == MORGUE_OK)
        cli_day(w.from + 6 * 86400, to); /* its Sunday */
    page_req hits = *r;
    hits.view = NULL;
    buf_puts(out, "<a");
    link(out, &hits, r->q, from, to, 0);
    buf_printf(out, ">%s%s</a> — %llu article%s</h3>",
               by == MORGUE_TIMELINE_WEEK ? "week of " : "", p->period,
               (unsigned long long)p->count, p->count == 1 ? "" : "s");
}

/* One story: its headline linking to its best ranked article, how many
 * articles it has in the period, and its dates when they span days. */
static void story(buf *out, morgue_searcher *s, const morgue_story *y)
{
    buf_puts(out, "<li class=\"story\">");
    morgue_hits *x = NULL;
    if (y->count &&
        morgue_searcher_docs(s, y->docids, 1, &x) == MORGUE_OK &&
        morgue_hits_next(x) == MORGUE_OK) {
        const char *id;
        size_t in;
        morgue_hits_field(x, MORGUE_FIELD_ID, &id, &in);
        buf_puts(out, "<a");
        article_link(out, id, in);
        buf_puts(out, ">");
        esc(out, *y->title ? y->title : "(no title)");
        buf_puts(out, "</a>");
    } else {
        esc(out, y->title);
    }
    morgue_hits_free(x);
    buf_printf(out, " <span class=\"meta\">%llu article%s",
               (unsigned long long)y->count, y->count == 1 ? "" : "s");
    if (y->first_date != MORGUE_NO_DATE) {
        char a[16], b[16];
        cli_day(y->first_date, a);
        cli_day(y->last_date, b);
        if (strcmp(a, b))
            buf_printf(out, ", story %s to %s", a, b);
    }
    buf_puts(out, "</span></li>\n");
}

/* The story timeline of every match, oldest period first. */
static int timeline(buf *out, morgue_searcher *s, const page_req *r,
                    const morgue_query_opts *qo, int by, char *err,
                    size_t cap)
{
    morgue_timeline *tl = NULL;
    int rc = morgue_timeline_build(s, r->q, qo, by, &tl);
    if (rc != MORGUE_OK) {
        snprintf(err, cap, "%s", morgue_searcher_errmsg(s));
        return rc;
    }
    size_t n = morgue_timeline_count(tl);
    buf_puts(out, "<section class=\"timeline\" aria-label=\"story "
                  "timeline\">\n");
    for (size_t i = 0; i < n && i < PAGE_PERIODS; i++) {
        morgue_period p;
        morgue_timeline_get(tl, i, &p);
        period_head(out, r, &p, by);
        buf_puts(out, "<ul>");
        for (size_t k = 0; k < p.n_stories && k < PAGE_STORIES; k++)
            story(out, s, &p.stories[k]);
        if (p.n_stories > PAGE_STORIES)
            buf_printf(out, "<li class=\"meta\">and %zu more stor%s</li>",
                       p.n_stories - PAGE_STORIES,
                       p.n_stories - PAGE_STORIES == 1 ? "y" : "ies");
        buf_puts(out, "</ul>\n");
    }
    if (n > PAGE_PERIODS)
        buf_printf(out, "<p class=\"meta\">%zu later periods left out: "
                   "narrow the dates, or choose longer periods.</p>\n",
                   n - PAGE_PERIODS);
    buf_puts(out, "</section>\n");
    morgue_timeline_free(tl);
    return MORGUE_OK;
}

/* "Hits | Story timeline" (and the timeline's periods), the current one
 * not a link. */
static void views(buf *out, const page_req *r, int in_timeline, int by)
{
    static const char *const bys[] = { NULL, "day", "week", "month" };
    page_req v = *r;
    buf_puts(out, "<p class=\"views\">");
    v.view = NULL;
    v.by = NULL;
    if (in_timeline) {
        buf_puts(out, "<a");
        link(out, &v, r->q, r->from, r->to, 0);
        buf_puts(out, ">Hits</a><b>Story timeline</b>");
        v.view = "timeline";
        for (int k = 1; k <= 3; k++) {
            if (k == by) {
                buf_printf(out, "<b>by %s</b>", bys[k]);
                continue;
            }
            v.by = bys[k];
            buf_puts(out, "<a");
            link(out, &v, r->q, r->from, r->to, 0);
            buf_printf(out, ">by %s</a>", bys[k]);
        }
    } else {
        buf_puts(out, "<b>Hits</b><a");
        v.view = "timeline";
        link(out, &v, r->q, r->from, r->to, 0);
        buf_puts(out, ">Story timeline</a>");
    }
    buf_puts(out, "</p>\n");
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
    int in_timeline = r->view && !strcmp(r->view, "timeline");
    if (!bad && r->view && *r->view && !in_timeline &&
        strcmp(r->view, "hits")) {
        snprintf(err, sizeof err, "view is hits or timeline");
        bad = 1;
    }
    const char *names[] = { "sort", "from", "to", "offset", "collapse" };
    const char *vals[] = { r->sort, r->from, r->to, r->offset, r->collapse };
    for (int i = 0; i < 5 && !bad; i++)
        if (vals[i] && *vals[i])
            bad = search_opt_set(&qo, names[i], vals[i], err, sizeof err);
    if (!bad && qo.offset > MAX_PAGE_OFFSET) {
        snprintf(err, sizeof err, "offset: at most %d", MAX_PAGE_OFFSET);
        bad = 1;
    }
    if (!bad)
        bad = search_opt_check(&qo, err, sizeof err);
    if (in_timeline) { /* the totals, chart and facets; no hit list */
        qo.limit = 1;
        qo.offset = 0;
        qo.flags &= ~(unsigned)MORGUE_QUERY_COLLAPSE;
    }
    morgue_hits *h = NULL;
    int rc = bad ? MORGUE_OK : morgue_search(s, r->q, &qo, &h);
    int by = 0;
    if (rc == MORGUE_OK && !bad && in_timeline &&
        !(by = timeline_by(r, h))) {
        snprintf(err, sizeof err, "by is day, week or month");
        bad = 1;
    }
    if (rc != MORGUE_OK) {
        snprintf(err, sizeof err, "%s", morgue_searcher_errmsg(s));
        bad = rc == MORGUE_ECANCELED ? 503 : 1;
    }
    if (bad) {
        morgue_hits_free(h);
        buf_puts(out, "<p class=\"err\">");
        esc(out, err);
        buf_puts(out, "</p>\n");
        tail(out);
        return bad == 503 ? 503 : 400;
    }
    uint64_t total = morgue_hits_total(h), stories = total;
    int folded = morgue_hits_stories(h, &stories) == MORGUE_OK;
    buf_printf(out, "<p class=\"total\">%llu article%s match%s",
               (unsigned long long)total, total == 1 ? "" : "s",
               total == 1 ? "es" : "");
    if (folded)
        buf_printf(out, ", %llu stor%s with copies folded",
                   (unsigned long long)stories, stories == 1 ? "y" : "ies");
    buf_puts(out, "</p>\n");
    views(out, r, in_timeline, by);
    chart(out, h, r);
    buf_puts(out, "<div class=\"cols\">");
    if (in_timeline) {
        buf_puts(out, "<div class=\"tl\">");
        rc = timeline(out, s, r, &qo, by, err, sizeof err);
        if (rc != MORGUE_OK) {
            buf_puts(out, "<p class=\"err\">");
            esc(out, err);
            buf_puts(out, "</p>");
        }
        buf_puts(out, "</div>\n");
    } else {
        buf_printf(out, "<ol class=\"hits\" start=\"%zu\">\n", qo.offset + 1);
        int next;
        while ((next = morgue_hits_next(h)) == MORGUE_OK)
            hit(out, h);
        buf_puts(out, "</ol>\n");
        if (next != MORGUE_ITEROVER) { /* a date column found damaged */
            buf_puts(out, "<p class=\"err\">");
            esc(out, morgue_hits_errmsg(h));
            buf_puts(out, "</p>\n");
            rc = MORGUE_ECORRUPT;
        }
    }
    facets(out, h, r);
    buf_puts(out, "</div>\n");
    morgue_hits_free(h);
    if (in_timeline) {
        tail(out);
        return rc == MORGUE_OK ? 200 : rc == MORGUE_ECANCELED ? 503 : 500;
    }
    /* paging counts stories when copies are folded */
    buf_puts(out, "<nav class=\"pages\">");
    if (qo.offset > 0) {
        buf_puts(out, "<a rel=\"prev\"");
        link(out, r, r->q, r->from, r->to,
             qo.offset > PAGE_HITS ? qo.offset - PAGE_HITS : 0);
        buf_puts(out, ">← previous</a>");
    }
    if (qo.offset + PAGE_HITS < stories &&
        qo.offset + PAGE_HITS <= MAX_PAGE_OFFSET) {
        buf_puts(out, "<a rel=\"next\"");
        link(out, r, r->q, r->from, r->to, qo.offset + PAGE_HITS);
        buf_puts(out, ">next →</a>");
    }
    buf_printf(out, "<span>%zu–%llu of %llu%s</span></nav>\n",
               stories ? qo.offset + 1 : 0,
               (unsigned long long)(qo.offset + PAGE_HITS < stories
                                        ? qo.offset + PAGE_HITS : stories),
               (unsigned long long)stories, folded ? " stories" : "");
    tail(out);
    return rc == MORGUE_OK ? 200 : 500;
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
        buf_puts(out, "</h1><p class=\"meta\">");
        hit_time(out, h);
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
