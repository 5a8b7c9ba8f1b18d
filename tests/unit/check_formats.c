/* check_formats.c: the article format readers against the fixtures in
 * tests/data/formats/ and, when present, the shared corpora. */
#include "check_main.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "formats/source.h"
#include "morgue.h"
#include "testutil.h"

#define FIXTURES MORGUE_SOURCE_DIR "/tests/data/formats/"
#define MAX_WARNINGS 64

/* ------------------------------------------------------------------ */
/* A sink that copies everything it gets                                */

typedef struct got_article {
    char *id, *url, *title, *source, *body;
    char *tags[FMT_MAX_TAGS];
    size_t n_tags;
    int64_t date;
    int date_off;
    uint64_t line, offset, ordinal;
} got_article;

typedef struct got {
    got_article *a;
    size_t n, cap;
    char *warnings[MAX_WARNINGS];
    uint64_t warning_lines[MAX_WARNINGS];
    size_t n_warnings;
    size_t stop_after; /* return MORGUE_EIO after this many; 0: never */
    fmt_sink sink;
    fmt_file_result res;
} got;

static char *dup_span(span s)
{
    char *p = malloc(s.len + 1);
    ck_assert_ptr_nonnull(p);
    if (s.len > 0)
        memcpy(p, s.ptr, s.len);
    p[s.len] = '\0';
    return p;
}

static int on_article(void *ud, const fmt_article *in)
{
    got *g = ud;
    if (g->n == g->cap) {
        g->cap = g->cap ? g->cap * 2 : 8;
        g->a = realloc(g->a, g->cap * sizeof *g->a);
        ck_assert_ptr_nonnull(g->a);
    }
    got_article *a = &g->a[g->n++];
    a->id = dup_span(in->id);
    a->url = dup_span(in->url);
    a->title = dup_span(in->title);
    a->source = dup_span(in->source);
    a->body = dup_span(in->body);
    ck_assert_uint_le(in->n_tags, FMT_MAX_TAGS);
    a->n_tags = in->n_tags;
    for (size_t i = 0; i < in->n_tags; i++)
        a->tags[i] = dup_span(in->tags[i]);
    a->date = in->date;
    a->date_off = in->date_off;
    a->line = in->line;
    a->offset = in->offset;
    a->ordinal = in->ordinal;
    return g->stop_after && g->n >= g->stop_after ? MORGUE_EIO : MORGUE_OK;
}

static void on_warning(void *ud, uint64_t line, uint64_t offset,
                       const char *msg)
{
    got *g = ud;
    (void)offset;
    if (g->n_warnings < MAX_WARNINGS) {
        g->warning_lines[g->n_warnings] = line;
        g->warnings[g->n_warnings++] = strdup(msg);
    }
}

static void got_init(got *g)
{
    memset(g, 0, sizeof *g);
    g->sink.article = on_article;
    g->sink.warning = on_warning;
    g->sink.ud = g;
}

static void got_free(got *g)
{
    for (size_t i = 0; i < g->n; i++) {
        got_article *a = &g->a[i];
        free(a->id);
        free(a->url);
        free(a->title);
        free(a->source);
        free(a->body);
        for (size_t t = 0; t < a->n_tags; t++)
            free(a->tags[t]);
    }
    free(g->a);
    for (size_t i = 0; i < g->n_warnings; i++)
        free(g->warnings[i]);
    got_init(g);
}

/* Reads fixture rel (under tests/data/formats/) into g. */
static int read_fixture(got *g, const char *rel, const char *format)
{
    char path[1024], err[256] = "";
    snprintf(path, sizeof path, "%s%s", FIXTURES, rel);
    got_init(g);
    return fmt_read_file(path, format, &g->sink, &g->res, err, sizeof err);
}

/* Index of the first warning containing text, or -1. */
static int find_warning(const got *g, const char *text)
{
    for (size_t i = 0; i < g->n_warnings; i++)
        if (strstr(g->warnings[i], text))
            return (int)i;
    return -1;
}

static int has_tag(const got_article *a, const char *tag)
{
    for (size_t i = 0; i < a->n_tags; i++)
        if (strcmp(a->tags[i], tag) == 0)
            return 1;
    return 0;
}

static int64_t mtime_of(const char *rel)
{
    char path[1024];
    struct stat st;
    snprintf(path, sizeof path, "%s%s", FIXTURES, rel);
    ck_assert_int_eq(stat(path, &st), 0);
    return (int64_t)st.st_mtime;
}

#define D20220105 INT64_C(1641340800)          /* 2022-01-05T00:00:00Z */
#define T20220105 (D20220105 + 14 * 3600 + 180) /* 14:03:00Z */

/* ------------------------------------------------------------------ */
/* Choosing a reader                                                    */

START_TEST(test_formats_by_name)
{
    ck_assert_ptr_eq(fmt_by_name("text"), &fmt_text_reader);
    ck_assert_ptr_eq(fmt_by_name("html"), &fmt_html_reader);
    ck_assert_ptr_eq(fmt_by_name("jsonl"), &fmt_jsonl_reader);
    ck_assert_ptr_eq(fmt_by_name("reuters"), &fmt_reuters_reader);
    ck_assert_ptr_eq(fmt_by_name("rfc822"), &fmt_rfc822_reader);
    ck_assert_ptr_eq(fmt_by_name("RFC822"), &fmt_rfc822_reader);
    ck_assert_ptr_eq(fmt_by_name("ndjson"), &fmt_jsonl_reader);
    ck_assert_ptr_null(fmt_by_name("pdf"));
    ck_assert_ptr_null(fmt_by_name(NULL));
}
END_TEST

START_TEST(test_formats_unknown_name_is_einval)
{
    got g;
    ck_assert_int_eq(read_fixture(&g, "text/bbc_style.txt", "pdf"),
                     MORGUE_EINVAL);
    ck_assert_uint_eq(g.n, 0);
    fmt_input in = { "x.txt", "hello", 5, 0, 0, 0, 0, NULL };
    ck_assert_int_eq(fmt_read_buffer(&in, "docx", &g.sink, &g.res),
                     MORGUE_EINVAL);
    ck_assert_uint_eq(g.n, 0);
    got_free(&g);
}
END_TEST

START_TEST(test_formats_missing_file)
{
    got g;
    char err[256] = "";
    got_init(&g);
    int rc = fmt_read_file(FIXTURES "no/such/file.txt", NULL, &g.sink,
                           &g.res, err, sizeof err);
    ck_assert_int_eq(rc, MORGUE_ENOTFOUND);
    ck_assert_ptr_nonnull(strstr(err, "file.txt"));
    rc = fmt_read_file(FIXTURES "text", NULL, &g.sink, &g.res, err,
                       sizeof err);
    ck_assert_int_eq(rc, MORGUE_EIO);
    rc = fmt_read_file("/dev/zero", NULL, &g.sink, &g.res, err, sizeof err);
    ck_assert_int_eq(rc, MORGUE_EIO);
    ck_assert_uint_eq(g.n + g.sink.skipped, 0);
    got_free(&g);
}
END_TEST

START_TEST(test_formats_detection)
{
    static const struct {
        const char *file, *format;
    } cases[] = {
        { "text/bbc_style.txt", "text" },
        { "text/headers.txt", "text" },
        { "html/article.html", "html" },
        { "html/no_title.html", "html" },
        { "html/fragment.html.gz", "html" },
        { "jsonl/good.jsonl", "jsonl" },
        { "jsonl/good_copy.jsonl.gz", "jsonl" },
        { "reuters/small.sgm", "reuters" },
        { "rfc822/folded_crlf.eml", "rfc822" },
        { "rfc822/usenet_post", "rfc822" },
        { "rfc822/no_date.txt", "rfc822" },
        { "rfc822/not_a_message.eml", "text" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        got g;
        ck_assert_int_eq(read_fixture(&g, cases[i].file, NULL), MORGUE_OK);
        ck_assert_msg(g.res.format && !strcmp(g.res.format, cases[i].format),
                      "%s: detected %s", cases[i].file,
                      g.res.format ? g.res.format : "nothing");
        got_free(&g);
    }
}
END_TEST

START_TEST(test_formats_detection_by_content)
{
    /* no path at all: the bytes alone decide */
    static const struct {
        const char *data, *format;
    } cases[] = {
        { "<!DOCTYPE lewis SYSTEM \"lewis.dtd\">\n", "reuters" },
        { "\n<REUTERS NEWID=\"1\">\n</REUTERS>\n", "reuters" },
        { "\xEF\xBB\xBF<!doctype html><p>x", "html" },
        { "<html><body>x</body></html>", "html" },
        { "  {\"title\": \"x\"}\n{\"title\": \"y\"}\n", "jsonl" },
        { "{not json at all\n", "text" },
        { "From: a@b.c\nSubject: s\n\nbody\n", "rfc822" },
        { "From: a@b.c\nSubject: s\n", "text" }, /* no blank line */
        { "Title: t\nDate: 2022-01-05\n\nbody\n", "text" },
        { "Just words.\n", "text" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fmt_input in = { NULL, cases[i].data, strlen(cases[i].data), 0, 0, 0, 0, NULL };
        const fmt_reader *r = fmt_detect(&in);
        ck_assert_msg(!strcmp(r->name, cases[i].format), "case %zu: %s", i,
                      r->name);
    }
}
END_TEST

START_TEST(test_formats_override)
{
    got g;
    /* a JSON Lines file read as plain text on request */
    ck_assert_int_eq(read_fixture(&g, "jsonl/good.jsonl", "text"), MORGUE_OK);
    ck_assert_str_eq(g.res.format, "text");
    ck_assert_uint_eq(g.n, 1);
    ck_assert_ptr_nonnull(strstr(g.a[0].title, "Flood warning lifted"));
    got_free(&g);
    /* and a text file forced through the Reuters reader: no records */
    ck_assert_int_eq(read_fixture(&g, "text/bbc_style.txt", "reuters"),
                     MORGUE_OK);
    ck_assert_str_eq(g.res.format, "reuters");
    ck_assert_uint_eq(g.n, 0);
    got_free(&g);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Plain text                                                           */

START_TEST(test_formats_text_headline_first)
{
    got g;
    ck_assert_int_eq(read_fixture(&g, "text/bbc_style.txt", NULL), MORGUE_OK);
    ck_assert_uint_eq(g.n, 1);
    ck_assert_str_eq(g.a[0].title, "Harbour tolls rise for cargo ships");
    ck_assert_ptr_eq(strstr(g.a[0].body, "Port authorities"), g.a[0].body);
    ck_assert_ptr_nonnull(strstr(g.a[0].body, "channel.\n\nShipping"));
    ck_assert_ptr_nonnull(strstr(g.a[0].body, "customers. \"We"));
    /* no date in it or its path: undated, unless mtime dates are asked */
    ck_assert(g.a[0].date == MORGUE_NO_DATE);
    ck_assert_uint_eq(g.n_warnings, 0);
    got_free(&g);
    char path[1024], err[256];
    snprintf(path, sizeof path, "%stext/bbc_style.txt", FIXTURES);
    got_init(&g);
    g.sink.mtime_dates = 1;
    ck_assert_int_eq(fmt_read_file(path, NULL, &g.sink, &g.res, err,
                                   sizeof err), MORGUE_OK);
    ck_assert_int_eq(g.a[0].date, mtime_of("text/bbc_style.txt"));
    got_free(&g);
}
END_TEST

START_TEST(test_formats_text_breadcrumb_and_furniture)
{
    got g;
    ck_assert_int_eq(read_fixture(&g, "text/seed_style.txt", NULL),
                     MORGUE_OK);
    ck_assert_uint_eq(g.n, 1);
    ck_assert_str_eq(g.a[0].title,
                     "Central bank holds rates steady amid slowing growth");
    const char *b = g.a[0].body;
    ck_assert_ptr_eq(strstr(b, "The central bank left"), b);
    ck_assert_ptr_null(strstr(b, "Economy and Markets"));
    ck_assert_ptr_null(strstr(b, "Share this"));
    ck_assert_ptr_null(strstr(b, "Advertisement"));
    ck_assert_ptr_null(strstr(b, "Leave a Reply"));
    ck_assert_ptr_null(strstr(b, "email address"));
    ck_assert_ptr_null(strstr(b, "Back to top"));
    ck_assert_ptr_null(strstr(b, "\n.\n"));
    ck_assert_str_eq(b + strlen(b) - strlen("if needed."), "if needed.");
    ck_assert_ptr_nonnull(strstr(b, "easing.\n\nAnalysts"));
    got_free(&g);
}
END_TEST

START_TEST(test_formats_text_crumb_separators)
{
    got g;
    ck_assert_int_eq(read_fixture(&g, "text/crumbs.txt", NULL), MORGUE_OK);
    ck_assert_uint_eq(g.n, 1);
    ck_assert_str_eq(g.a[0].title, "River ferry returns after winter break");
    /* share buttons and the "Related" list are not body text */
    ck_assert_str_eq(g.a[0].body, "The river ferry resumed sailings on "
                                  "Saturday after its winter overhaul.");
    got_free(&g);
}
END_TEST

START_TEST(test_formats_text_headers)
{
    got g;
    ck_assert_int_eq(read_fixture(&g, "text/headers.txt", NULL), MORGUE_OK);
    ck_assert_uint_eq(g.n, 1);
    got_article *a = &g.a[0];
    ck_assert_str_eq(a->title, "Council approves new cycle lanes");
    ck_assert_int_eq(a->date, T20220105);
    ck_assert_int_eq(a->date_off, 0); /* "Z": UTC, and said so */
    ck_assert_str_eq(a->source, "The Riverside Gazette");
    ck_assert_str_eq(a->url, "https://example.org/news/cycle-lanes");
    ck_assert_uint_eq(a->n_tags, 3);
    ck_assert_str_eq(a->tags[0], "transport");
    ck_assert_str_eq(a->tags[1], "council");
    ck_assert_str_eq(a->tags[2], "cycling");
    ck_assert_str_eq(a->body, "The city council voted on Tuesday to build "
                              "twelve kilometres of protected cycle lanes."
                              "\n\nWork starts in the spring.");
    got_free(&g);
}
END_TEST

START_TEST(test_formats_text_header_forms)
{
    static const char doc[] =
        "\xEF\xBB\xBFTitle: Only a title header\n"
        "Published: 5 January 2022\n"
        "Author: Someone\n"
        "The body follows without a blank line.\n";
    static const char bad_date[] = "Title: T\nDate: someday\n\nBody.\n";
    got g;
    got_init(&g);
    fmt_input in = { "x.txt", doc, sizeof doc - 1, 7, 0, 0, 0, NULL };
    ck_assert_int_eq(fmt_read_buffer(&in, "text", &g.sink, &g.res),
                     MORGUE_OK);
    ck_assert_uint_eq(g.n, 1);
    ck_assert_str_eq(g.a[0].title, "Only a title header");
    ck_assert_int_eq(g.a[0].date, D20220105);
    ck_assert_str_eq(g.a[0].source, "Someone");
    ck_assert_str_eq(g.a[0].body, "The body follows without a blank line.");
    got_free(&g);
    /* an unreadable Date: header is reported; the mtime stands in */
    fmt_input in2 = { "x.txt", bad_date, sizeof bad_date - 1, 7, 0, 0, 0, NULL };
    ck_assert_int_eq(fmt_read_buffer(&in2, "text", &g.sink, &g.res),
                     MORGUE_OK);
    ck_assert_uint_eq(g.n, 1);
    ck_assert_int_eq(g.a[0].date, 7);
    ck_assert_int_ge(find_warning(&g, "date"), 0);
    ck_assert_uint_eq(g.sink.skipped, 0);
    got_free(&g);
}
END_TEST

START_TEST(test_formats_text_dates)
{
    got g;
    ck_assert_int_eq(read_fixture(&g, "text/2022/01/05/path_date.txt", NULL),
                     MORGUE_OK);
    ck_assert_uint_eq(g.n, 1);
    ck_assert_int_eq(g.a[0].date, D20220105);
    got_free(&g);

    ck_assert_int_eq(read_fixture(&g, "text/date_line.txt", NULL), MORGUE_OK);
    ck_assert_uint_eq(g.n, 1);
    got_article *a = &g.a[0];
    ck_assert_str_eq(a->title, "Bridge closure extended by two weeks");
    ck_assert_int_eq(a->date, D20220105);
    ck_assert_str_eq(a->body, "Engineers found more corrosion than expected "
                              "in the old bridge.\n\nDrivers are advised to "
                              "use the ring road.");
    got_free(&g);
}
END_TEST

START_TEST(test_formats_text_crlf)
{
    got g;
    ck_assert_int_eq(read_fixture(&g, "text/crlf.txt", NULL), MORGUE_OK);
    ck_assert_uint_eq(g.n, 1);
    ck_assert_str_eq(g.a[0].title, "Headline with CRLF lines");
    ck_assert_str_eq(g.a[0].body, "First paragraph line one\nline two.\n\n"
                                  "Second paragraph.");
    got_free(&g);
}
END_TEST

START_TEST(test_formats_text_long_first_line)
{
    char doc[600];
    memset(doc, 0, sizeof doc);
    for (int i = 0; i < 50; i++)
        strcat(doc, "word word ");
    strcat(doc, "end.\n");
    got g;
    got_init(&g);
    fmt_input in = { NULL, doc, strlen(doc), 0, 0, 0, 0, NULL };
    ck_assert_int_eq(fmt_read_buffer(&in, "text", &g.sink, &g.res),
                     MORGUE_OK);
    ck_assert_uint_eq(g.n, 1);
    /* a lead paragraph, not a headline: it stays in the body */
    ck_assert_uint_le(strlen(g.a[0].title), 200);
    ck_assert_uint_gt(strlen(g.a[0].title), 100);
    ck_assert_int_eq(strncmp(g.a[0].body, "word word", 9), 0);
    got_free(&g);
}
END_TEST

START_TEST(test_formats_empty_and_blank)
{
    got g;
    ck_assert_int_eq(read_fixture(&g, "misc/empty.txt", NULL), MORGUE_OK);
    ck_assert_uint_eq(g.n, 0);
    ck_assert_uint_eq(g.n_warnings, 0);
    ck_assert_uint_eq(g.sink.skipped, 0);
    ck_assert_uint_eq(g.res.bytes, 0);
    ck_assert_int_eq(g.res.binary, 0);
    got_free(&g);
    ck_assert_int_eq(read_fixture(&g, "misc/blank.txt", NULL), MORGUE_OK);
    ck_assert_uint_eq(g.n, 0);
    ck_assert_uint_eq(g.n_warnings, 0);
    got_free(&g);
    static const char *const names[] = { "text", "html", "jsonl", "reuters",
                                         "rfc822" };
    for (size_t i = 0; i < 5; i++) {
        ck_assert_int_eq(read_fixture(&g, "misc/empty.txt", names[i]),
                         MORGUE_OK);
        ck_assert_uint_eq(g.n + g.n_warnings + g.sink.skipped, 0);
        got_free(&g);
    }
}
END_TEST

START_TEST(test_formats_binary)
{
    got g;
    ck_assert_int_eq(read_fixture(&g, "misc/binary.bin", NULL), MORGUE_OK);
    ck_assert_uint_eq(g.n, 0);
    ck_assert_int_eq(g.res.binary, 1);
    ck_assert_ptr_null(g.res.format);
    ck_assert_uint_eq(g.sink.skipped, 1);
    ck_assert_int_ge(find_warning(&g, "binary file"), 0);
    got_free(&g);
    /* many control bytes, no NUL */
    char ctl[100];
    memset(ctl, 'a', sizeof ctl);
    for (int i = 0; i < 20; i++)
        ctl[i * 5] = 0x01;
    got_init(&g);
    fmt_input in = { "c.txt", ctl, sizeof ctl, 0, 0, 0, 0, NULL };
    ck_assert_int_eq(fmt_read_buffer(&in, NULL, &g.sink, &g.res), MORGUE_OK);
    ck_assert_int_eq(g.res.binary, 1);
    ck_assert_uint_eq(g.n, 0);
    got_free(&g);
}
END_TEST

/* ------------------------------------------------------------------ */
/* HTML                                                                 */

START_TEST(test_formats_html_article)
{
    got g;
    ck_assert_int_eq(read_fixture(&g, "html/article.html", NULL), MORGUE_OK);
    ck_assert_uint_eq(g.n, 1);
    got_article *a = &g.a[0];
    ck_assert_str_eq(a->title, "Rail strike called off after late talks");
    ck_assert_str_eq(a->source, "Example News");
    ck_assert_str_eq(a->url, "https://news.example.com/rail-strike");
    ck_assert_int_eq(a->date, D20220105 + 14 * 3600 + 180);
    ck_assert_int_eq(a->date_off, 0);
    ck_assert_uint_eq(a->n_tags, 5);
    ck_assert(has_tag(a, "Transport") && has_tag(a, "Rail"));
    ck_assert(has_tag(a, "strike") && has_tag(a, "unions"));
    ck_assert(has_tag(a, "rail"));
    ck_assert_str_eq(a->body,
                     "Unions called off Friday\xE2\x80\x99s rail strike "
                     "after talks that ran late into the night.\n\n"
                     "Trains will run normally & on time, the operator "
                     "said.\n\nTickets stay valid.\n\nFirst point\n\n"
                     "Second point");
    got_free(&g);
}
END_TEST

START_TEST(test_formats_html_without_title)
{
    got g;
    ck_assert_int_eq(read_fixture(&g, "html/no_title.html", NULL),
                     MORGUE_OK);
    ck_assert_uint_eq(g.n, 1);
    ck_assert_str_eq(g.a[0].title, "");
    ck_assert_str_eq(g.a[0].url, "");
    ck_assert_str_eq(g.a[0].body, "A page with no title, no heading and no "
                                  "metadata at all.\n\nIts text is still "
                                  "worth indexing.");
    ck_assert(g.a[0].date == MORGUE_NO_DATE); /* undated, not its mtime */
    got_free(&g);
}
END_TEST

START_TEST(test_formats_html_title_suffix_and_jsonld)
{
    got g;
    ck_assert_int_eq(read_fixture(&g, "html/title_suffix.html", NULL),
                     MORGUE_OK);
    ck_assert_uint_eq(g.n, 1);
    got_article *a = &g.a[0];
    ck_assert_str_eq(a->title, "Harvest festival draws record crowds");
    ck_assert_str_eq(a->source, "Valley Herald");
    /* JSON-LD datePublished beats <meta name="date"> */
    ck_assert_int_eq(a->date, INT64_C(1631449800));
    ck_assert_int_eq(a->date_off, -240); /* its -04:00 kept */
    ck_assert_str_eq(a->body, "Harvest festival\n\nMore than ten thousand "
                              "people came to the valley's harvest "
                              "festival.\n\nCell one Cell two");
    got_free(&g);
}
END_TEST

START_TEST(test_formats_html_title_forms)
{
    static const struct {
        const char *html, *title;
    } cases[] = {
        { "<title>Storm hits coast | Daily Planet</title><p>x", "Storm hits "
                                                               "coast" },
        { "<title>Storm hits coast - Daily Planet</title><p>x", "Storm hits "
                                                               "coast" },
        { "<title>Storm hits coast - news.example.com</title>",
          "Storm hits coast" },
        { "<title>Obama - the early years and after</title><p>x",
          "Obama - the early years and after" },
        { "<title>A - B | The Site</title><meta property=og:site_name "
          "content='The Site'>",
          "A - B" },
        { "<title>Kept | Whole</title><meta property=og:site_name "
          "content='Other'>",
          "Kept | Whole" },
        { "<body><h1>  Heading   only </h1><p>x</p>", "Heading only" },
        { "<svg><title>icon</title></svg><title>Real</title>", "Real" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        got g;
        got_init(&g);
        fmt_input in = { "p.html", cases[i].html, strlen(cases[i].html), 0, 0, 0, 0, NULL };
        ck_assert_int_eq(fmt_read_buffer(&in, "html", &g.sink, &g.res),
                         MORGUE_OK);
        ck_assert_uint_eq(g.n, 1);
        ck_assert_msg(!strcmp(g.a[0].title, cases[i].title),
                      "case %zu: [%s]", i, g.a[0].title);
        got_free(&g);
    }
}
END_TEST

START_TEST(test_formats_html_article_choice)
{
    static const char teasers[] =
        "<body><article><p>Teaser one</p></article><div><p>The story "
        "itself, in a plain div, much longer than the teasers around "
        "it.</p></div><article><p>Teaser two</p></article></body>";
    static const char longest[] =
        "<body><article><p>Short</p></article><article><p>The longer of "
        "the two articles</p></article><p>Outside</p></body>";
    got g;
    got_init(&g);
    fmt_input in = { NULL, teasers, sizeof teasers - 1, 0, 0, 0, 0, NULL };
    ck_assert_int_eq(fmt_read_buffer(&in, "html", &g.sink, &g.res),
                     MORGUE_OK);
    ck_assert_ptr_nonnull(strstr(g.a[0].body, "The story itself"));
    got_free(&g);
    fmt_input in2 = { NULL, longest, sizeof longest - 1, 0, 0, 0, 0, NULL };
    ck_assert_int_eq(fmt_read_buffer(&in2, "html", &g.sink, &g.res),
                     MORGUE_OK);
    ck_assert_str_eq(g.a[0].body, "The longer of the two articles");
    got_free(&g);
}
END_TEST

START_TEST(test_formats_html_gzip_by_extension)
{
    got g;
    ck_assert_int_eq(read_fixture(&g, "html/fragment.html.gz", NULL),
                     MORGUE_OK);
    ck_assert_str_eq(g.res.format, "html");
    ck_assert_uint_eq(g.res.bytes, 102); /* compressed size */
    ck_assert_uint_eq(g.n, 1);
    ck_assert_str_eq(g.a[0].title, "Fragment & headline");
    ck_assert_ptr_nonnull(strstr(g.a[0].body, "found by its file name."));
    got_free(&g);
}
END_TEST

START_TEST(test_formats_html_broken_markup)
{
    got g;
    ck_assert_int_eq(read_fixture(&g, "html/broken.html", NULL), MORGUE_OK);
    ck_assert_uint_eq(g.n, 1);
    ck_assert_str_eq(g.a[0].title, "Unclosed tags & broken markup");
    ck_assert_ptr_nonnull(strstr(g.a[0].body, "First paragraph bold "
                                              "italic"));
    ck_assert_ptr_nonnull(strstr(g.a[0].body, "\xE2\x98\xBA \xE2\x98\x83"));
    got_free(&g);
    /* markup with no text at all is skipped with a warning */
    static const char empty[] = "<html><head><script>x()</script></head>"
                                "<body><nav>menu</nav></body></html>";
    got_init(&g);
    fmt_input in = { NULL, empty, sizeof empty - 1, 0, 0, 0, 0, NULL };
    ck_assert_int_eq(fmt_read_buffer(&in, "html", &g.sink, &g.res),
                     MORGUE_OK);
    ck_assert_uint_eq(g.n, 0);
    ck_assert_uint_eq(g.sink.skipped, 1);
    got_free(&g);
}
END_TEST

/* ------------------------------------------------------------------ */
/* JSON Lines                                                           */

START_TEST(test_formats_jsonl_good)
{
    got g;
    ck_assert_int_eq(read_fixture(&g, "jsonl/good.jsonl", NULL), MORGUE_OK);
    ck_assert_uint_eq(g.n, 3);
    ck_assert_uint_eq(g.n_warnings, 0);
    got_article *a = g.a;
    ck_assert_str_eq(a[0].id, "a-1");
    ck_assert_str_eq(a[0].url, "https://example.org/a1");
    ck_assert_str_eq(a[0].title, "Flood warning lifted");
    ck_assert_str_eq(a[0].source, "Wire");
    ck_assert_int_eq(a[0].date, T20220105);
    ck_assert_int_eq(a[0].date_off, 0);
    ck_assert_uint_eq(a[0].n_tags, 2);
    ck_assert_str_eq(a[0].tags[1], "floods");
    ck_assert_uint_eq(a[0].line, 1);
    ck_assert_uint_eq(a[0].offset, 0);
    ck_assert_str_eq(a[1].id, "42");
    ck_assert_int_eq(a[1].date, T20220105);
    ck_assert_int_eq(a[1].date_off, MORGUE_NO_OFFSET); /* Unix seconds */
    ck_assert_uint_eq(a[1].n_tags, 3);
    ck_assert_str_eq(a[1].tags[2], "three");
    ck_assert_str_eq(a[1].body, "Body given as text.");
    ck_assert_uint_eq(a[1].line, 3);
    ck_assert_uint_eq(a[1].ordinal, 1);
    ck_assert_str_eq(a[2].body, "Body given as content.");
    ck_assert_int_eq(a[2].date, MORGUE_NO_DATE);
    ck_assert_str_eq(a[2].source, "");
    got_free(&g);
}
END_TEST

START_TEST(test_formats_jsonl_bad_lines)
{
    got g;
    ck_assert_int_eq(read_fixture(&g, "jsonl/bad_line.jsonl", NULL),
                     MORGUE_OK);
    ck_assert_uint_eq(g.n, 3);
    ck_assert_str_eq(g.a[0].id, "ok-1");
    ck_assert_str_eq(g.a[1].id, "bad-date");
    ck_assert_int_eq(g.a[1].date, MORGUE_NO_DATE);
    ck_assert_str_eq(g.a[2].id, "ok-2");
    ck_assert_uint_eq(g.a[2].line, 8);
    ck_assert_uint_eq(g.sink.skipped, 4);
    int w = find_warning(&g, "line 2: invalid JSON at column ");
    ck_assert_int_ge(w, 0);
    ck_assert_uint_eq(g.warning_lines[w], 2);
    ck_assert_int_ge(find_warning(&g, "line 3: not a JSON object"), 0);
    ck_assert_int_ge(find_warning(&g, "line 4: \"title\" has the wrong"), 0);
    ck_assert_int_ge(find_warning(&g, "line 5: \"tags\" has the wrong"), 0);
    ck_assert_int_ge(find_warning(&g, "line 6: \"date\""), 0);
    got_free(&g);
}
END_TEST

START_TEST(test_formats_jsonl_gzip)
{
    got g;
    ck_assert_int_eq(read_fixture(&g, "jsonl/good_copy.jsonl.gz", NULL),
                     MORGUE_OK);
    ck_assert_str_eq(g.res.format, "jsonl");
    ck_assert_uint_eq(g.n, 3);
    ck_assert_str_eq(g.a[0].title, "Flood warning lifted");
    got_free(&g);
}
END_TEST

START_TEST(test_formats_gzip_members_and_garbage)
{
    got g;
    /* gzip -c a b > ab.gz: both members are read */
    ck_assert_int_eq(read_fixture(&g, "jsonl/multi_member.jsonl.gz", NULL),
                     MORGUE_OK);
    ck_assert_uint_eq(g.n, 2);
    ck_assert_str_eq(g.a[0].id, "m1");
    ck_assert_str_eq(g.a[1].id, "m2");
    got_free(&g);
    /* the gzip magic, then garbage: the file is skipped with a warning */
    ck_assert_int_eq(read_fixture(&g, "misc/corrupt.txt.gz", NULL),
                     MORGUE_OK);
    ck_assert_uint_eq(g.n, 0);
    ck_assert_uint_eq(g.sink.skipped, 1);
    ck_assert_int_ge(find_warning(&g, "gzip data corrupt"), 0);
    got_free(&g);
}
END_TEST

START_TEST(test_formats_gzip_damaged)
{
    /* a gzip file cut in half: what inflated is read, with a warning */
    char src[1024], dst[1024];
    snprintf(src, sizeof src, "%sjsonl/good_copy.jsonl.gz", FIXTURES);
    snprintf(dst, sizeof dst, "%s/fmt_cut_%d.jsonl.gz", P_tmpdir,
             (int)getpid());
    FILE *in = fopen(src, "rb"), *out = fopen(dst, "wb");
    ck_assert(in && out);
    char data[4096];
    size_t n = fread(data, 1, sizeof data, in);
    fwrite(data, 1, n - 40, out);
    fclose(in);
    fclose(out);
    got g;
    char err[256];
    got_init(&g);
    ck_assert_int_eq(fmt_read_file(dst, NULL, &g.sink, &g.res, err,
                                   sizeof err),
                     MORGUE_OK);
    ck_assert_int_ge(find_warning(&g, "gzip data truncated"), 0);
    ck_assert_uint_ge(g.n, 1);
    ck_assert_int_lt(find_warning(&g, "file skipped"), 0);
    unlink(dst);
    got_free(&g);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Reuters SGML                                                         */

START_TEST(test_formats_reuters_records)
{
    got g;
    ck_assert_int_eq(read_fixture(&g, "reuters/small.sgm", NULL), MORGUE_OK);
    ck_assert_uint_eq(g.n, 4);
    ck_assert_uint_eq(g.n_warnings, 0);
    got_article *a = g.a;
    ck_assert_str_eq(a[0].id, "1");
    ck_assert_str_eq(a[0].source, "Reuters");
    ck_assert_str_eq(a[0].title, "BAHIA COCOA <BCR> REVIEW");
    ck_assert_str_eq(a[0].body, "Showers continued throughout the week in\n"
                                "the Bahia cocoa zone & nearby areas.\n"
                                "    Arrivals were 155,221 bags.");
    ck_assert_int_eq(a[0].date, INT64_C(541350061));
    ck_assert_int_eq(a[0].date_off, MORGUE_NO_OFFSET); /* Reuters: none */
    ck_assert_uint_eq(a[0].n_tags, 4);
    ck_assert_str_eq(a[0].tags[0], "cocoa");
    ck_assert_str_eq(a[0].tags[2], "usa");
    ck_assert_str_eq(a[0].tags[3], "icco");
    ck_assert_uint_eq(a[0].line, 2);
    ck_assert_uint_eq(a[0].offset, 36);
    /* BRIEF: title, the text after it, junk after the date */
    ck_assert_str_eq(a[1].id, "30");
    ck_assert_str_eq(a[1].title, "ASSETS OF MONEY MARKET MUTUAL FUNDS ROSE "
                                 "720.4 MLN DLRS IN LATEST WEEK");
    ck_assert_str_eq(a[1].body, "Blah blah blah.");
    ck_assert_int_eq(a[1].date, INT64_C(541352516));
    ck_assert_uint_eq(a[1].line, 22);
    /* UNPROC: the text of <TEXT>; hour 605 keeps the day */
    ck_assert_str_eq(a[2].title, "");
    ck_assert_ptr_eq(strstr(a[2].body, "FEDERAL RESERVE WEEKLY"), a[2].body);
    ck_assert_ptr_null(strstr(a[2].body, "REUTER"));
    ck_assert_int_eq(a[2].date, INT64_C(544147200));
    /* an empty text still makes an article */
    ck_assert_str_eq(a[3].id, "12793");
    ck_assert_str_eq(a[3].title, "");
    ck_assert_str_eq(a[3].body, "");
    ck_assert_int_eq(a[3].date, INT64_C(544432146));
    ck_assert_uint_eq(a[3].ordinal, 3);
    got_free(&g);
}
END_TEST

START_TEST(test_formats_reuters_malformed)
{
    got g;
    ck_assert_int_eq(read_fixture(&g, "reuters/truncated.sgm", NULL),
                     MORGUE_OK);
    ck_assert_uint_eq(g.n, 2);
    ck_assert_str_eq(g.a[0].id, "501");
    ck_assert_str_eq(g.a[0].body, "Complete record.");
    ck_assert_str_eq(g.a[1].id, "504");
    ck_assert_int_eq(g.a[1].date, MORGUE_NO_DATE);
    ck_assert_uint_eq(g.sink.skipped, 3);
    int w = find_warning(&g, "line 11 has no </REUTERS>");
    ck_assert_int_ge(w, 0);
    ck_assert_uint_eq(g.warning_lines[w], 11);
    ck_assert_int_ge(find_warning(&g, "line 16 has no NEWID"), 0);
    ck_assert_int_ge(find_warning(&g, "has no valid <DATE>"), 0);
    ck_assert_int_ge(find_warning(&g, "line 30 has no </REUTERS>"), 0);
    got_free(&g);
}
END_TEST

START_TEST(test_formats_sink_error_stops)
{
    got g;
    char path[1024], err[64];
    snprintf(path, sizeof path, "%sreuters/small.sgm", FIXTURES);
    got_init(&g);
    g.stop_after = 2;
    ck_assert_int_eq(fmt_read_file(path, NULL, &g.sink, &g.res, err,
                                   sizeof err),
                     MORGUE_EIO);
    ck_assert_uint_eq(g.n, 2);
    got_free(&g);
}
END_TEST

/* ------------------------------------------------------------------ */
/* RFC 822                                                              */

START_TEST(test_formats_rfc822_folded_crlf)
{
    got g;
    ck_assert_int_eq(read_fixture(&g, "rfc822/folded_crlf.eml", NULL),
                     MORGUE_OK);
    ck_assert_uint_eq(g.n, 1);
    got_article *a = &g.a[0];
    ck_assert_str_eq(a->title, "Re: Launch window for the Mars probe");
    ck_assert_str_eq(a->source, "Jane Doe <jane@example.org>");
    ck_assert_str_eq(a->id, "<abc123@example.org>");
    ck_assert_int_eq(a->date, T20220105);
    ck_assert_int_eq(a->date_off, 360); /* +0600 */
    ck_assert_uint_eq(a->n_tags, 2);
    ck_assert_str_eq(a->tags[0], "sci.space");
    ck_assert_str_eq(a->tags[1], "sci.astro");
    ck_assert_ptr_eq(strstr(a->body, "The launch window"), a->body);
    ck_assert_ptr_nonnull(strstr(a->body, "Jane"));
    got_free(&g);
}
END_TEST

START_TEST(test_formats_rfc822_usenet)
{
    got g;
    ck_assert_int_eq(read_fixture(&g, "rfc822/usenet_post", NULL), MORGUE_OK);
    ck_assert_uint_eq(g.n, 1);
    ck_assert_str_eq(g.a[0].title, "Brake pads: ceramic or metallic?");
    ck_assert_str_eq(g.a[0].source, "bob@example.edu (Bob)");
    ck_assert_int_eq(g.a[0].date, INT64_C(734018580));
    ck_assert_str_eq(g.a[0].tags[0], "rec.autos");
    ck_assert_str_eq(g.a[0].body, "Which pads last longer in winter?\n"
                                  "Any experience welcome.");
    got_free(&g);
    ck_assert_int_eq(read_fixture(&g, "rfc822/no_date.txt", NULL), MORGUE_OK);
    ck_assert_uint_eq(g.n, 1);
    ck_assert(g.a[0].date == MORGUE_NO_DATE); /* undated, not its mtime */
    ck_assert_str_eq(g.a[0].title, "No date header here");
    got_free(&g);
}
END_TEST

START_TEST(test_formats_rfc822_forced_on_text)
{
    got g;
    /* no header block: detection falls to text... */
    ck_assert_int_eq(read_fixture(&g, "rfc822/not_a_message.eml", NULL),
                     MORGUE_OK);
    ck_assert_str_eq(g.res.format, "text");
    ck_assert_uint_eq(g.n, 1);
    got_free(&g);
    /* ...and forcing rfc822 on it skips it with a warning */
    ck_assert_int_eq(read_fixture(&g, "rfc822/not_a_message.eml", "rfc822"),
                     MORGUE_OK);
    ck_assert_uint_eq(g.n, 0);
    ck_assert_uint_eq(g.sink.skipped, 1);
    got_free(&g);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Robustness: every prefix of every fixture, through every reader      */

static int count_article(void *ud, const fmt_article *a)
{
    (*(size_t *)ud)++;
    /* spans are either empty or point somewhere; lengths are sane */
    ck_assert(a->title.len == 0 || a->title.ptr);
    ck_assert(a->body.len == 0 || a->body.ptr);
    ck_assert_uint_le(a->n_tags, FMT_MAX_TAGS);
    for (size_t i = 0; i < a->n_tags; i++)
        ck_assert(a->tags[i].len == 0 || a->tags[i].ptr);
    return MORGUE_OK;
}

static char *slurp_fixture(const char *rel, size_t *len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s%s", FIXTURES, rel);
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    char *data = malloc(1 << 16);
    *len = fread(data, 1, 1 << 16, f);
    fclose(f);
    return data;
}

START_TEST(test_formats_every_prefix)
{
    static const char *const files[] = {
        "text/seed_style.txt",   "text/headers.txt",
        "html/article.html",     "html/title_suffix.html",
        "jsonl/bad_line.jsonl",  "reuters/small.sgm",
        "reuters/truncated.sgm", "rfc822/folded_crlf.eml",
    };
    static const char *const names[] = { NULL,      "text",    "html",
                                         "jsonl",   "reuters", "rfc822" };
    for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
        size_t len, n = 0;
        char *data = slurp_fixture(files[f], &len);
        for (size_t cut = 0; cut <= len; cut += 1 + cut / 64) {
            /* a copy of exactly cut bytes, so ASan sees any overrun */
            char *copy = malloc(cut ? cut : 1);
            memcpy(copy, data, cut);
            fmt_input in = { files[f], copy, cut, 0, 0, 0, 0, NULL };
            for (size_t r = 0; r < sizeof names / sizeof names[0]; r++) {
                fmt_sink sink = { count_article, NULL, &n, 0, 0, 0 };
                fmt_file_result res;
                ck_assert_int_eq(fmt_read_buffer(&in, names[r], &sink, &res),
                                 MORGUE_OK);
            }
            free(copy);
        }
        free(data);
    }
}
END_TEST

/* ------------------------------------------------------------------ */
/* The shared corpora (skipped quietly when absent)                     */

static int have_corpora(void)
{
    return access(MORGUE_CORPORA "/reuters21578", F_OK) == 0;
}

/* Calls fn(path, ud) for every regular file directly in dir, sorted. */
static size_t each_file(const char *dir, void (*fn)(const char *, void *),
                        void *ud)
{
    struct dirent **names;
    int n = scandir(dir, &names, NULL, alphasort);
    size_t done = 0;
    for (int i = 0; i < n; i++) {
        char path[2048];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name);
        if (names[i]->d_name[0] != '.' && stat(path, &st) == 0 &&
            S_ISREG(st.st_mode)) {
            fn(path, ud);
            done++;
        }
        free(names[i]);
    }
    free(names);
    return done;
}

typedef struct reuters_tally {
    size_t articles, in_1987;
    unsigned char seen[21579];
    int bad_id;
} reuters_tally;

static int tally_reuters(void *ud, const fmt_article *a)
{
    reuters_tally *t = ud;
    char id[16];
    snprintf(id, sizeof id, "%.*s", (int)a->id.len, a->id.ptr);
    long v = atol(id);
    t->articles++;
    if (v < 1 || v > 21578 || t->seen[v]++)
        t->bad_id = 1;
    /* 1987-01-01 .. 1988-01-01 */
    if (a->date >= INT64_C(536457600) && a->date < INT64_C(567993600))
        t->in_1987++;
    return MORGUE_OK;
}

static void read_reuters_file(const char *path, void *ud)
{
    size_t n = strlen(path);
    if (n < 4 || strcmp(path + n - 4, ".sgm") != 0)
        return;
    fmt_sink sink = { tally_reuters, NULL, ud, 0, 0, 0 };
    fmt_file_result res;
    char err[256];
    ck_assert_int_eq(fmt_read_file(path, NULL, &sink, &res, err, sizeof err),
                     MORGUE_OK);
    ck_assert_str_eq(res.format, "reuters");
    ck_assert_uint_eq(sink.skipped, 0);
}

START_TEST(test_formats_corpus_reuters)
{
    if (!have_corpora())
        return;
    reuters_tally *t = calloc(1, sizeof *t);
    each_file(MORGUE_CORPORA "/reuters21578", read_reuters_file, t);
    ck_assert_uint_eq(t->articles, 21578);
    ck_assert_int_eq(t->bad_id, 0);
    for (int i = 1; i <= 21578; i++)
        ck_assert_int_eq(t->seen[i], 1);
    ck_assert_uint_eq(t->in_1987, 21578);
    free(t);
}
END_TEST


/* Appends the Reuters file at path to the gzip stream ud. */
static void gz_append(const char *path, void *ud)
{
    size_t n = strlen(path), len;
    if (n < 4 || strcmp(path + n - 4, ".sgm") != 0)
        return;
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    char chunk[1 << 16];
    while ((len = fread(chunk, 1, sizeof chunk, f)) > 0)
        ck_assert_int_eq(gzwrite((gzFile)ud, chunk, (unsigned)len),
                         (int)len);
    fclose(f);
}

/* The whole collection in one gzip file (27 MB inflated) streams in
 * windows cut before a record's open tag: every article once, none
 * skipped, and a few windows held, not the file. */
START_TEST(test_formats_corpus_reuters_streamed)
{
    if (!have_corpora())
        return;
    char path[1024], err[256];
    snprintf(path, sizeof path, "%s/fmt_reut_%d.sgm.gz", P_tmpdir,
             (int)getpid());
    gzFile z = gzopen(path, "wb1");
    ck_assert_ptr_nonnull(z);
    each_file(MORGUE_CORPORA "/reuters21578", gz_append, z);
    ck_assert_int_eq(gzclose(z), Z_OK);
    reuters_tally *t = calloc(1, sizeof *t);
    fmt_sink sink = { tally_reuters, NULL, t, 0, 0, 0 };
    fmt_file_result res;
    ck_assert_int_eq(fmt_read_file(path, NULL, &sink, &res, err, sizeof err),
                     MORGUE_OK);
    ck_assert_str_eq(res.format, "reuters");
    ck_assert_uint_eq(sink.skipped, 0);
    ck_assert_uint_eq(t->articles, 21578);
    ck_assert_int_eq(t->bad_id, 0);
    ck_assert_uint_le(res.peak, 10u << 20);
    free(t);
    unlink(path);
}
END_TEST

START_TEST(test_formats_corpus_seed)
{
    if (!have_corpora())
        return;
    got g;
    char err[256];
    got_init(&g);
    ck_assert_int_eq(fmt_read_file(MORGUE_CORPORA
                                   "/seed/000_b72334b22d1b3fbd.txt",
                                   NULL, &g.sink, &g.res, err, sizeof err),
                     MORGUE_OK);
    ck_assert_uint_eq(g.n, 1);
    ck_assert_str_eq(g.a[0].title, "The United Nations has called for "
                                   "restraint on all sides in Kazakhstan");
    ck_assert_ptr_null(strstr(g.a[0].body, "Leave a Reply"));
    ck_assert_ptr_null(strstr(g.a[0].body, "Back to top"));
    ck_assert_ptr_null(strstr(g.a[0].body, "AmericaInternational"));
    ck_assert_ptr_eq(strstr(g.a[0].body, "\xE2\x80\x9CWe continue"),
                     g.a[0].body);
    got_free(&g);
}
END_TEST

/* The file's first line, as BBC headlines are. */
static void first_line(const char *path, char *out, size_t n)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    if (!fgets(out, (int)n, f))
        out[0] = '\0';
    fclose(f);
    out[strcspn(out, "\r\n")] = '\0';
    for (size_t k = strlen(out); k > 0 && out[k - 1] == ' '; k--)
        out[k - 1] = '\0';
}

static void check_bbc_file(const char *path, void *ud)
{
    char line[1024], err[256];
    got g;
    size_t *count = ud;
    first_line(path, line, sizeof line);
    got_init(&g);
    ck_assert_int_eq(fmt_read_file(path, NULL, &g.sink, &g.res, err,
                                   sizeof err),
                     MORGUE_OK);
    ck_assert_str_eq(g.res.format, "text");
    ck_assert_uint_eq(g.n, 1);
    ck_assert_msg(!strcmp(g.a[0].title, line), "%s: [%s]", path,
                  g.a[0].title);
    ck_assert_uint_gt(strlen(g.a[0].body), 0);
    (*count)++;
    got_free(&g);
}

START_TEST(test_formats_corpus_bbc)
{
    static const char *const topics[] = { "business", "entertainment",
                                          "politics", "sport", "tech" };
    size_t count = 0;
    if (!have_corpora())
        return;
    for (size_t i = 0; i < 5; i++) {
        char dir[1024];
        snprintf(dir, sizeof dir, "%s/bbc/%s", MORGUE_CORPORA, topics[i]);
        each_file(dir, check_bbc_file, &count);
    }
    ck_assert_uint_eq(count, 2225);
}
END_TEST

/* The trimmed value of header name in the header block of path. */
static void header_value(const char *path, const char *name, char *out,
                         size_t n)
{
    char line[4096];
    size_t k = strlen(name);
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    out[0] = '\0';
    while (fgets(line, sizeof line, f) && line[0] != '\n' &&
           line[0] != '\r') {
        if (strncasecmp(line, name, k) == 0 && line[k] == ':') {
            char *v = line + k + 1;
            v += strspn(v, " \t");
            v[strcspn(v, "\r\n")] = '\0';
            for (size_t e = strlen(v); e > 0 && (v[e - 1] == ' ' ||
                                                 v[e - 1] == '\t'); e--)
                v[e - 1] = '\0';
            snprintf(out, n, "%s", v);
            break;
        }
    }
    fclose(f);
}

static void check_news_file(const char *path, void *ud)
{
    char subject[4096], from[4096], err[256];
    got g;
    size_t *count = ud;
    header_value(path, "Subject", subject, sizeof subject);
    header_value(path, "From", from, sizeof from);
    got_init(&g);
    ck_assert_int_eq(fmt_read_file(path, NULL, &g.sink, &g.res, err,
                                   sizeof err),
                     MORGUE_OK);
    ck_assert_msg(g.res.format && !strcmp(g.res.format, "rfc822"),
                  "%s read as %s", path, g.res.format);
    ck_assert_uint_eq(g.n, 1);
    /* Subject and From may be folded over more lines: they start the
     * same as their first line */
    ck_assert_msg(!strncmp(g.a[0].title, subject, strlen(subject)),
                  "%s: [%s] [%s]", path, g.a[0].title, subject);
    ck_assert_msg(!strncmp(g.a[0].source, from, strlen(from)), "%s: [%s]",
                  path, g.a[0].source);
    (*count)++;
    got_free(&g);
}

/* Every group folder under a split of 20 Newsgroups. */
static void each_group(const char *split, size_t *count)
{
    struct dirent **names;
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/20news/%s", MORGUE_CORPORA, split);
    int n = scandir(dir, &names, NULL, alphasort);
    ck_assert_int_gt(n, 0);
    for (int i = 0; i < n; i++) {
        char group[2048];
        snprintf(group, sizeof group, "%s/%s", dir, names[i]->d_name);
        if (names[i]->d_name[0] != '.')
            each_file(group, check_news_file, count);
        free(names[i]);
    }
    free(names);
}

START_TEST(test_formats_corpus_20news)
{
    size_t count = 0;
    if (!have_corpora())
        return;
    each_group("20news-bydate-train", &count);
    each_group("20news-bydate-test", &count);
    ck_assert_uint_eq(count, 18846);
}
END_TEST

/* ------------------------------------------------------------------ */

/* ------------------------------------------------------------------ */
/* Long files: bounded reading                                          */

/* Under AddressSanitizer the 64 MiB cases take minutes (on a loaded
 * machine more than the test's timeout): they run in plain builds; the
 * streamed mbox runs in both, smaller under the sanitizer. */
/* messages of the streamed mbox: past the 8 MiB streaming threshold */
#define MBOX_N (UNDER_ASAN ? 5000 : 12000)

/* Writes an mbox of n messages (~2 KB each) to path (gzip when gz), with
 * a body line "From the desk..." (not an envelope), a quoted ">From "
 * line, and message bad (0-based) without a header block. */
static void write_mbox(const char *path, int n, int bad, int gz)
{
    gzFile z = gz ? gzopen(path, "wb1") : NULL;
    FILE *f = gz ? NULL : fopen(path, "wb");
    ck_assert(z || f);
    char m[4096];
    for (int i = 0; i < n; i++) {
        int len = snprintf(m, sizeof m,
            "From news%d@example.org Tue Dec  1 15:%02d:00 2026\n%s"
            "Subject: wire %d\nMessage-ID: <m%d@example.org>\n"
            "Date: Tue, 1 Dec 2026 15:%02d:00 +0000\n\n"
            "From the desk of the editor: cargo%d rates.\n"
            ">From here on the quoted line stays in the body.\n",
            i, i % 60, i == bad ? "" : "From: Desk <desk@example.org>\n",
            i, i, i % 60, i % 5);
        if (i == bad) /* no header block at all */
            len = snprintf(m, sizeof m, "From news%d@example.org Tue Dec  1 "
                           "15:00:00 2026\nnot a header line\n\nbody\n", i);
        for (int k = 0; k < 30 && len < (int)sizeof m - 80; k++)
            len += snprintf(m + len, sizeof m - (size_t)len, "filler words "
                            "to make the message about two kilobytes %d\n",
                            k);
        if (gz)
            ck_assert_int_eq(gzwrite(z, m, (unsigned)len), len);
        else
            ck_assert_uint_eq(fwrite(m, 1, (size_t)len, f), (size_t)len);
    }
    if (gz)
        ck_assert_int_eq(gzclose(z), Z_OK);
    else
        ck_assert_int_eq(fclose(f), 0);
}

/* An mbox is one article per message, read whole or streamed: a long
 * (or gzip) one window by window, holding a few windows, not the file. */
static void check_mbox(int n, int gz)
{
    char path[1024], err[256] = "";
    snprintf(path, sizeof path, "%s/fmt_mbox_%d_%d.mbox%s", P_tmpdir,
             (int)getpid(), n, gz ? ".gz" : "");
    const int bad = n / 3;
    write_mbox(path, n, bad, gz);
    got g;
    got_init(&g);
    ck_assert_int_eq(fmt_read_file(path, NULL, &g.sink, &g.res, err,
                                   sizeof err), MORGUE_OK);
    ck_assert_str_eq(g.res.format, "rfc822");
    ck_assert_uint_eq(g.n, (size_t)n - 1);
    ck_assert_uint_eq(g.sink.skipped, 1);
    int w = find_warning(&g, "no e-mail header block");
    ck_assert_int_ge(w, 0);
    /* every good message has as many lines as the first */
    ck_assert_uint_eq(g.warning_lines[w],
                      g.a[bad - 1].line + (g.a[1].line - g.a[0].line));
    for (int i = 0; i < n - 1; i++) {
        int k = i < bad ? i : i + 1; /* the message's number */
        char want[64];
        snprintf(want, sizeof want, "wire %d", k);
        ck_assert_str_eq(g.a[i].title, want);
        snprintf(want, sizeof want, "<m%d@example.org>", k);
        ck_assert_str_eq(g.a[i].id, want);
        ck_assert_uint_eq(g.a[i].ordinal, (uint64_t)k);
        ck_assert_ptr_nonnull(strstr(g.a[i].body, "From the desk"));
        ck_assert_ptr_nonnull(strstr(g.a[i].body, ">From here"));
    }
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    if (gz || st.st_size >= (8 << 20)) /* streamed: a few 4 MiB windows */
        ck_assert_uint_le(g.res.peak, 10u << 20);
    unlink(path);
    got_free(&g);
}

START_TEST(test_formats_mbox_messages) { check_mbox(40, 0); }
END_TEST

START_TEST(test_formats_mbox_streamed) { check_mbox(MBOX_N, 0); }
END_TEST

START_TEST(test_formats_mbox_gzip_streamed) { check_mbox(MBOX_N, 1); }
END_TEST

/* Writes text of about mb MiB lines (an e-mail header block first when
 * mail) to path, gzip when gz; a last line "lastword" when it ends. */
static void write_big(const char *path, size_t mb, int mail, int gz)
{
    gzFile z = gz ? gzopen(path, "wb1") : NULL;
    FILE *f = gz ? NULL : fopen(path, "wb");
    ck_assert(z || f);
    char line[128];
    size_t total = 0;
    if (mail) {
        const char *h = "From: Desk <d@example.org>\nSubject: huge\n\n";
        gz ? (void)gzputs(z, h) : (void)fputs(h, f);
    }
    for (unsigned i = 0; total < (mb << 20); i++) {
        int len = snprintf(line, sizeof line, "paragraph %u of a very long "
                           "article, words words words words words\n", i);
        if (gz)
            ck_assert_int_eq(gzwrite(z, line, (unsigned)len), len);
        else
            ck_assert_uint_eq(fwrite(line, 1, (size_t)len, f), (size_t)len);
        total += (size_t)len;
    }
    gz ? (void)gzputs(z, "lastword\n") : (void)fputs("lastword\n", f);
    if (gz)
        ck_assert_int_eq(gzclose(z), Z_OK);
    else
        ck_assert_int_eq(fclose(f), 0);
}

/* A one-article file (text, e-mail) over FMT_MAX_ARTICLE is read up to
 * there, with a warning: it is never held whole (a .gz that inflates far
 * more neither). */
static void check_big(const char *ext, int mail, int gz)
{
    char path[1024], err[256] = "";
    snprintf(path, sizeof path, "%s/fmt_big_%d.%s%s", P_tmpdir,
             (int)getpid(), ext, gz ? ".gz" : "");
    write_big(path, (FMT_MAX_ARTICLE >> 20) + 8, mail, gz);
    got g;
    got_init(&g);
    ck_assert_int_eq(fmt_read_file(path, NULL, &g.sink, &g.res, err,
                                   sizeof err), MORGUE_OK);
    ck_assert_str_eq(g.res.format, mail ? "rfc822" : "text");
    ck_assert_uint_eq(g.n, 1);
    ck_assert_int_ge(find_warning(&g, "its first 64 MiB read"), 0);
    ck_assert_uint_le(g.res.peak, FMT_MAX_ARTICLE + 1);
    ck_assert_uint_gt(strlen(g.a[0].body), FMT_MAX_ARTICLE - (2u << 20));
    ck_assert_ptr_null(strstr(g.a[0].body, "lastword"));
    unlink(path);
    got_free(&g);
}

START_TEST(test_formats_huge_text_capped) { check_big("txt", 0, 0); }
END_TEST

START_TEST(test_formats_huge_gzip_mail_capped) { check_big("eml", 1, 1); }
END_TEST

/* An mbox message over FMT_MAX_ARTICLE: its first part is read (with a
 * warning), the rest skipped up to the next message, which is read. */
START_TEST(test_formats_mbox_huge_message_cut)
{
    char path[1024], err[256] = "";
    snprintf(path, sizeof path, "%s/fmt_mboxbig_%d.mbox", P_tmpdir,
             (int)getpid());
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    fputs("From a@example.org Tue Dec  1 15:00:00 2026\nFrom: a\n"
          "Subject: first\n\nsmall\n", f);
    fputs("From b@example.org Tue Dec  1 15:01:00 2026\nFrom: b\n"
          "Subject: huge\n\n", f);
    ck_assert_int_eq(fclose(f), 0);
    char big[1100];
    snprintf(big, sizeof big, "%s.part", path);
    write_big(big, (FMT_MAX_ARTICLE >> 20) + 4, 0, 0);
    char cmd[4400];
    snprintf(cmd, sizeof cmd, "cat '%s' >> '%s' && rm '%s' && printf "
             "'From c@example.org Tue Dec  1 15:02:00 2026\\nFrom: c\\n"
             "Subject: third\\n\\nlast one\\n' >> '%s'", big, path, big, path);
    ck_assert_int_eq(system(cmd), 0);
    got g;
    got_init(&g);
    ck_assert_int_eq(fmt_read_file(path, NULL, &g.sink, &g.res, err,
                                   sizeof err), MORGUE_OK);
    ck_assert_uint_eq(g.n, 3);
    ck_assert_str_eq(g.a[0].title, "first");
    ck_assert_str_eq(g.a[1].title, "huge");
    ck_assert_str_eq(g.a[2].title, "third");
    ck_assert_str_eq(g.a[2].body, "last one");
    ck_assert_uint_eq(g.a[2].ordinal, 2);
    ck_assert_int_ge(find_warning(&g, "longer than 64 MiB"), 0);
    ck_assert_ptr_null(strstr(g.a[1].body, "lastword"));
    ck_assert_uint_le(g.res.peak, FMT_MAX_ARTICLE + (4u << 20));
    unlink(path);
    got_free(&g);
}
END_TEST

static Suite *formats_suite(void)
{
    Suite *s = suite_create("formats");
    TCase *tc = tcase_create("choose");
    tcase_add_test(tc, test_formats_by_name);
    tcase_add_test(tc, test_formats_unknown_name_is_einval);
    tcase_add_test(tc, test_formats_missing_file);
    tcase_add_test(tc, test_formats_detection);
    tcase_add_test(tc, test_formats_detection_by_content);
    tcase_add_test(tc, test_formats_override);
    suite_add_tcase(s, tc);

    tc = tcase_create("text");
    tcase_add_test(tc, test_formats_text_headline_first);
    tcase_add_test(tc, test_formats_text_breadcrumb_and_furniture);
    tcase_add_test(tc, test_formats_text_crumb_separators);
    tcase_add_test(tc, test_formats_text_headers);
    tcase_add_test(tc, test_formats_text_header_forms);
    tcase_add_test(tc, test_formats_text_dates);
    tcase_add_test(tc, test_formats_text_crlf);
    tcase_add_test(tc, test_formats_text_long_first_line);
    suite_add_tcase(s, tc);

    tc = tcase_create("html");
    tcase_add_test(tc, test_formats_html_article);
    tcase_add_test(tc, test_formats_html_without_title);
    tcase_add_test(tc, test_formats_html_title_suffix_and_jsonld);
    tcase_add_test(tc, test_formats_html_title_forms);
    tcase_add_test(tc, test_formats_html_article_choice);
    tcase_add_test(tc, test_formats_html_gzip_by_extension);
    tcase_add_test(tc, test_formats_html_broken_markup);
    suite_add_tcase(s, tc);

    tc = tcase_create("jsonl");
    tcase_add_test(tc, test_formats_jsonl_good);
    tcase_add_test(tc, test_formats_jsonl_bad_lines);
    tcase_add_test(tc, test_formats_jsonl_gzip);
    suite_add_tcase(s, tc);

    tc = tcase_create("reuters");
    tcase_add_test(tc, test_formats_reuters_records);
    tcase_add_test(tc, test_formats_reuters_malformed);
    tcase_add_test(tc, test_formats_sink_error_stops);
    suite_add_tcase(s, tc);

    tc = tcase_create("rfc822");
    tcase_add_test(tc, test_formats_rfc822_folded_crlf);
    tcase_add_test(tc, test_formats_rfc822_usenet);
    tcase_add_test(tc, test_formats_rfc822_forced_on_text);
    suite_add_tcase(s, tc);

    tc = tcase_create("malformed");
    tcase_add_test(tc, test_formats_empty_and_blank);
    tcase_add_test(tc, test_formats_binary);
    tcase_add_test(tc, test_formats_gzip_damaged);
    tcase_add_test(tc, test_formats_gzip_members_and_garbage);
    tcase_add_test(tc, test_formats_every_prefix);
    suite_add_tcase(s, tc);

    tc = tcase_create("bounded");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_formats_mbox_messages);
    tcase_add_test(tc, test_formats_mbox_streamed);
    tcase_add_test(tc, test_formats_mbox_gzip_streamed);
    if (!UNDER_ASAN) {
        tcase_add_test(tc, test_formats_huge_text_capped);
        tcase_add_test(tc, test_formats_huge_gzip_mail_capped);
        tcase_add_test(tc, test_formats_mbox_huge_message_cut);
    }
    suite_add_tcase(s, tc);

    tc = tcase_create("corpora");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_formats_corpus_reuters);
    tcase_add_test(tc, test_formats_corpus_reuters_streamed);
    tcase_add_test(tc, test_formats_corpus_seed);
    tcase_add_test(tc, test_formats_corpus_bbc);
    tcase_add_test(tc, test_formats_corpus_20news);
    suite_add_tcase(s, tc);
    return s;
}

MORGUE_CHECK_MAIN(formats_suite)
