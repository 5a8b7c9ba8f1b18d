/* jsonl.c: the JSON Lines reader: one article object per line (jansson).
 *
 * Keys: id (string or number), url, title, date (ISO 8601 string or Unix
 * seconds), source, tags (array of strings or one comma-separated
 * string), body (or text, or content). Unknown keys are ignored and null
 * counts as missing. A line that is not an object, or whose known keys
 * have the wrong type, is skipped with a warning; blank lines are fine.
 */
#include "formats/source.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "util/dates.h"
#include "formats/scan.h"
#include "morgue.h"

/* Where a line is and what it holds while it is turned into an article. */
typedef struct line_ctx {
    fmt_sink *sink;
    uint64_t line, offset;
    char id[40]; /* a numeric id, printed */
} line_ctx;

static void line_warning(line_ctx *c, const char *what, int skipped)
{
    char msg[256];
    snprintf(msg, sizeof msg, "line %llu: %s%s", (unsigned long long)c->line,
             what, skipped ? "; skipped" : "");
    (skipped ? fmt_skip : fmt_warn)(c->sink, c->line, c->offset, msg);
}

/* The value of key, NULL when missing or null. */
static json_t *get(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return v && !json_is_null(v) ? v : NULL;
}

/* A string field into *out; 0 when it has another type. */
static int string_field(json_t *o, const char *key, span *out)
{
    json_t *v = get(o, key);
    if (!v)
        return 1;
    if (!json_is_string(v))
        return 0;
    *out = span_of(json_string_value(v), json_string_length(v));
    return 1;
}

static int id_field(json_t *o, line_ctx *c, span *out)
{
    json_t *v = get(o, "id");
    if (!v || json_is_string(v))
        return string_field(o, "id", out);
    if (json_is_integer(v))
        snprintf(c->id, sizeof c->id, "%" JSON_INTEGER_FORMAT,
                 json_integer_value(v));
    else if (json_is_real(v))
        snprintf(c->id, sizeof c->id, "%.17g", json_real_value(v));
    else
        return 0;
    *out = span_cstr(c->id);
    return 1;
}

static int tags_field(json_t *o, fmt_article *a)
{
    json_t *v = get(o, "tags");
    size_t i;
    json_t *t;
    if (!v)
        return 1;
    if (json_is_string(v)) {
        fmt_add_tags(a, span_of(json_string_value(v), json_string_length(v)),
                     ',');
        return 1;
    }
    if (!json_is_array(v))
        return 0;
    json_array_foreach(v, i, t) {
        if (!json_is_string(t))
            return 0;
    }
    json_array_foreach(v, i, t) {
        span s = fmt_trim(span_of(json_string_value(t), json_string_length(t)));
        if (s.len > 0 && a->n_tags < FMT_MAX_TAGS)
            a->tags[a->n_tags++] = s;
    }
    return 1;
}

/* Largest date accepted as a number: 9999-12-31T23:59:59Z. */
#define MAX_SECONDS INT64_C(253402300799)

/* date: an ISO 8601 (or other known) string, or Unix seconds. 0 for a
 * wrong type; a value that is no date is reported and left out. */
static int date_field(json_t *o, line_ctx *c, fmt_article *a)
{
    json_t *v = get(o, "date");
    if (!v)
        return 1;
    if (json_is_string(v)) {
        span s = span_of(json_string_value(v), json_string_length(v));
        a->date = date_parse_iso8601(s, &a->date_off);
        if (a->date == MORGUE_NO_DATE)
            a->date = date_parse_any(s, &a->date_off);
    } else if (json_is_integer(v)) {
        json_int_t n = json_integer_value(v);
        if (n >= -MAX_SECONDS && n <= MAX_SECONDS)
            a->date = (int64_t)n;
    } else if (json_is_real(v)) {
        double d = json_real_value(v);
        if (d >= (double)-MAX_SECONDS && d <= (double)MAX_SECONDS)
            a->date = (int64_t)d;
    } else {
        return 0;
    }
    if (a->date == MORGUE_NO_DATE)
        line_warning(c, "\"date\" is not a date; left out", 0);
    return 1;
}

/* body, else text, else content. */
static int body_field(json_t *o, fmt_article *a)
{
    static const char *const keys[] = { "body", "text", "content" };
    for (size_t i = 0; i < 3; i++)
        if (get(o, keys[i]))
            return string_field(o, keys[i], &a->body) ? 1 : -(int)i - 1;
    return 1;
}

/* Fills a from object o; returns the name of a key of the wrong type,
 * or NULL. */
static const char *fill(json_t *o, line_ctx *c, fmt_article *a)
{
    static const char *const body_keys[] = { "body", "text", "content" };
    if (!id_field(o, c, &a->id))
        return "id";
    if (!string_field(o, "url", &a->url))
        return "url";
    if (!string_field(o, "title", &a->title))
        return "title";
    if (!string_field(o, "source", &a->source))
        return "source";
    if (!string_field(o, "lang", &a->lang))
        return "lang";
    if (!tags_field(o, a))
        return "tags";
    int b = body_field(o, a);
    if (b < 0)
        return body_keys[-b - 1];
    if (!date_field(o, c, a))
        return "date";
    return NULL;
}

/* One non-blank line (t, trimmed; col0 bytes were trimmed before it). */
static int one_line(fmt_sink *sink, line_ctx *c, span t, size_t col0,
                    uint64_t ordinal)
{
    char what[200];
    json_error_t err;
    json_t *o = json_loadb(t.ptr, t.len, 0, &err);
    if (!o) {
        snprintf(what, sizeof what, "invalid JSON at column %d: %s",
                 err.column > 0 ? err.column + (int)col0 : 0, err.text);
        line_warning(c, what, 1);
        return MORGUE_OK;
    }
    int rc = MORGUE_OK;
    fmt_article a;
    fmt_article_init(&a);
    a.line = c->line;
    a.offset = c->offset;
    a.ordinal = ordinal;
    const char *bad = json_is_object(o) ? fill(o, c, &a) : "";
    if (bad && !*bad) {
        line_warning(c, "not a JSON object", 1);
    } else if (bad) {
        snprintf(what, sizeof what, "\"%s\" has the wrong type", bad);
        line_warning(c, what, 1);
    } else if (fmt_trim(a.title).len == 0 && fmt_trim(a.body).len == 0) {
        line_warning(c, "no title or body", 1);
    } else {
        rc = sink->article(sink->ud, &a);
    }
    json_decref(o);
    return rc;
}

static int jsonl_read(const fmt_input *in, fmt_sink *sink)
{
    size_t pos = in->first_offset ? 0 : fmt_bom_len(in->data, in->len);
    uint64_t ordinal = in->first_ordinal;
    line_ctx c;
    memset(&c, 0, sizeof c);
    c.sink = sink;
    c.line = in->first_line;
    int rc = MORGUE_OK;
    while (pos < in->len && rc == MORGUE_OK) {
        c.line++;
        c.offset = in->first_offset + pos;
        span l = fmt_next_line(in->data, in->len, &pos);
        span t = fmt_trim(l);
        if (t.len > 0)
            rc = one_line(sink, &c, t, (size_t)(t.ptr - l.ptr), ordinal++);
    }
    if (in->next_ordinal)
        *in->next_ordinal = ordinal;
    return rc;
}

/* .jsonl/.ndjson, or a first line that is a JSON object. */
static int jsonl_sniff(const fmt_input *in)
{
    if (fmt_has_ext(in->path, "jsonl") || fmt_has_ext(in->path, "ndjson"))
        return 90;
    size_t pos = fmt_bom_len(in->data, in->len);
    while (pos < in->len && fmt_is_space((unsigned char)in->data[pos]))
        pos++;
    if (pos >= in->len || in->data[pos] != '{')
        return 0;
    span first = fmt_next_line(in->data, in->len, &pos);
    json_error_t err;
    json_t *o = json_loadb(first.ptr, first.len, 0, &err);
    int score = o && json_is_object(o) ? 80 : 0;
    json_decref(o);
    return score;
}

static int jsonl_streams(const fmt_input *head)
{
    (void)head;
    return 1;
}

const fmt_reader fmt_jsonl_reader = { "jsonl", jsonl_sniff, jsonl_read,
                                      jsonl_streams, NULL };
