/* fuzz_formats.c: arbitrary bytes, read by every article reader (each by
 * name, each directly, and with detection), never crash and never read out
 * of bounds; every article handed to the sink has well-formed spans (inside
 * the input, or readable scratch of the stated length), at most
 * FMT_MAX_TAGS tags, a line >= 1 and an offset inside the input.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "formats/source.h"
#include "morgue.h"

typedef struct seen {
    const char *data;
    size_t size;
    unsigned sum; /* keeps the byte reads below from being optimised out */
} seen;

/* A span inside the input must end inside it; any other span must be
 * readable for its whole length (ASan checks every byte). */
static void check_span(seen *s, span sp)
{
    if (sp.len == 0)
        return;
    if (!sp.ptr)
        abort();
    if (sp.ptr >= s->data && sp.ptr < s->data + s->size) {
        if (sp.len > (size_t)(s->data + s->size - sp.ptr))
            abort();
        return;
    }
    for (size_t i = 0; i < sp.len; i++)
        s->sum += (unsigned char)sp.ptr[i];
}

static int on_article(void *ud, const fmt_article *a)
{
    seen *s = ud;
    if (a->n_tags > FMT_MAX_TAGS || a->line == 0 || a->offset > s->size)
        abort();
    check_span(s, a->id);
    check_span(s, a->url);
    check_span(s, a->title);
    check_span(s, a->source);
    check_span(s, a->body);
    for (size_t i = 0; i < a->n_tags; i++)
        check_span(s, a->tags[i]);
    return MORGUE_OK;
}

static void on_warning(void *ud, uint64_t line, uint64_t offset,
                       const char *msg)
{
    seen *s = ud;
    (void)line;
    if (!msg)
        abort();
    s->sum += (unsigned)strlen(msg) + (unsigned)offset;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[] = { "text", "html", "jsonl", "reuters",
                                         "rfc822" };
    /* the name varies with the size, so extension sniffing is fuzzed too */
    static const char *const paths[] = { "in", "in.txt", "in.html",
                                         "in.jsonl", "in.sgm", "in.eml" };
    seen s = { (const char *)data, size, 0 };
    fmt_input in = { paths[size % 6], (const char *)data, size, 0, 0, 0, 0, NULL };
    fmt_file_result res;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const fmt_reader *r = fmt_by_name(names[i]);
        fmt_sink sink = { on_article, on_warning, &s, 0, 0, 0 };
        if (!r || fmt_read_buffer(&in, names[i], &sink, &res) != MORGUE_OK)
            abort();
        /* straight to the reader: past the binary-file check too */
        if (size > 0 && r->read(&in, &sink) != MORGUE_OK)
            abort();
        if (r->sniff(&in) < 0 || r->sniff(&in) > 100)
            abort();
    }
    fmt_sink sink = { on_article, on_warning, &s, 0, 0, 0 };
    if (fmt_read_buffer(&in, NULL, &sink, &res) != MORGUE_OK)
        abort();
    return 0;
}
