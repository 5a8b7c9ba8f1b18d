/* common.c: what the subcommands share. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "util/buf.h"

const char *cli_index_dir(const char *opt)
{
    if (opt && *opt)
        return opt;
    const char *env = getenv("MORGUE_INDEX");
    return env && *env ? env : "morgue-index";
}

void cli_msg(FILE *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    char *text = malloc((size_t)n + 1);
    if (!text) {
        fputs("morgue: out of memory\n", f);
        return;
    }
    va_start(ap, fmt);
    vsnprintf(text, (size_t)n + 1, fmt, ap);
    va_end(ap);
    buf out = BUF_INIT;
    size_t i = 0, end = (size_t)n;
    if (end > 0 && text[end - 1] == '\n')
        end--;
    if (end > 0 && text[0] == '\r') { /* overwrites the progress line */
        buf_putc(&out, '\r');
        i = 1;
    }
    for (; i < end; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == '\n')
            buf_puts(&out, "\\n");
        else if (c == '\t')
            buf_puts(&out, "\\t");
        else if (c == '\r')
            buf_puts(&out, "\\r");
        else if (c < 0x20 || c == 0x7f)
            buf_printf(&out, "\\x%02x", c);
        else
            buf_putc(&out, (char)c);
    }
    if (end < (size_t)n)
        buf_putc(&out, '\n');
    fwrite(out.ptr ? out.ptr : "", 1, out.len, f);
    buf_free(&out);
    free(text);
}
