/* common.c: what the subcommands share: the index directory, colour,
 * strict option values, messages with control characters escaped, a
 * cluster's warnings. */
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <getopt.h>

#include "cli/cli.h"
#include "cli/buf.h"
#include "morgue.h"

void cli_day(int64_t t, char *out)
{
    struct tm tm;
    time_t tt = (time_t)t;
    if (!gmtime_r(&tt, &tm) || !strftime(out, 16, "%Y-%m-%d", &tm))
        snprintf(out, 16, "%s", "unknown");
}

int64_t cli_local(int64_t t, int off)
{
    return off == MORGUE_NO_OFFSET ? t : t + (int64_t)off * 60;
}

void cli_datetime(int64_t t, int off, char *out)
{
    struct tm tm;
    time_t tt = (time_t)cli_local(t, off);
    if (!gmtime_r(&tt, &tm) ||
        !strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm)) {
        snprintf(out, 32, "%s", "unknown");
        return;
    }
    size_t k = strlen(out);
    int a = off < 0 ? -off : off;
    if (off == MORGUE_NO_OFFSET)
        snprintf(out + k, 32 - k, "Z");
    else
        snprintf(out + k, 32 - k, "%c%02d:%02d", off < 0 ? '-' : '+',
                 a / 60 % 100, a % 60);
}

const char *cli_index_dir(const char *opt)
{
    if (opt && *opt)
        return opt;
    const char *env = getenv("MORGUE_INDEX");
    return env && *env ? env : "morgue-index";
}

json_t *cli_warnings_json(const char *text)
{
    json_t *a = json_array();
    for (const char *p = text; *p;) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n)
            json_array_append_new(a, json_stringn(p, n));
        p += n + (e != NULL);
    }
    return a;
}

void cli_warn_lines(const char *prefix, const char *text)
{
    for (const char *p = text; *p;) {
        const char *e = strchr(p, '\n');
        int n = e ? (int)(e - p) : (int)strlen(p);
        if (n)
            cli_msg(stderr, "morgue: %s: %.*s\n", prefix, n, p);
        p += n + (e != NULL);
    }
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

int cli_need_index(const char *dir)
{
    char path[4096];
    struct stat st;
    snprintf(path, sizeof path, "%s/MANIFEST", dir);
    if (stat(path, &st) == 0)
        return 0;
    cli_msg(stderr, "morgue: %s: no morgue index here; make one with "
            "'morgue index --index %s PATH...'\n", dir, dir);
    return CLI_EXIT_ERROR;
}

int cli_color_mode(const char *arg)
{
    if (!strcmp(arg, "auto"))
        return CLI_COLOR_AUTO;
    if (!strcmp(arg, "always"))
        return CLI_COLOR_ALWAYS;
    if (!strcmp(arg, "never"))
        return CLI_COLOR_NEVER;
    cli_msg(stderr, "morgue: --color is auto, always or never, not '%s'\n",
            arg);
    return -1;
}

int cli_use_color(int mode, int fd)
{
    if (mode != CLI_COLOR_AUTO)
        return mode == CLI_COLOR_ALWAYS;
    /* https://no-color.org: set and not empty means no colour */
    const char *no = getenv("NO_COLOR");
    const char *term = getenv("TERM");
    if (no && *no)
        return 0;
    if (!term || !*term || !strcmp(term, "dumb"))
        return 0;
    return isatty(fd);
}

cli_style cli_style_for(int on)
{
    if (!on)
        return (cli_style){ "", "", "", "", "" };
    return (cli_style){ "\033[1m", "\033[2m", "\033[1;31m", "\033[0m",
                        "\033[0m" };
}

int cli_number(const char *opt, const char *arg, long long min,
               long long max, long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(arg, &end, 10);
    if (*arg == '\0' || *end != '\0' || errno || v < min || v > max) {
        cli_msg(stderr, "morgue: %s wants a whole number from %lld to %lld, "
                "not '%s'\n", opt, min, max, arg);
        return -1;
    }
    *out = v;
    return 0;
}

int cli_bad_option(int c, const char *cmd, int argc, char **argv,
                   int query_hint)
{
    /* the element getopt stopped in: the one holding the bad option */
    const char *tok = NULL;
    for (int i = optind - 1; i <= optind && i < argc; i++)
        if (i > 0 && argv[i][0] == '-' && argv[i][1] &&
            strcmp(argv[i], "--") && !tok)
            tok = argv[i];
    if (c == ':') {
        if (optopt > 0 && optopt < 128 && (!tok || tok[1] != '-'))
            fprintf(stderr, "morgue %s: option '-%c' wants a value\n", cmd,
                    optopt);
        else
            fprintf(stderr, "morgue %s: option '%s' wants a value\n", cmd,
                    tok ? tok : "?");
        return CLI_EXIT_USAGE;
    }
    char what[64];
    if (optopt > 0 && optopt < 128)
        snprintf(what, sizeof what, "-%c", optopt);
    else
        snprintf(what, sizeof what, "%.60s", tok ? tok : "?");
    int in = tok && strcmp(tok, what) && optopt;
    fprintf(stderr, "morgue %s: unknown option '%s'%s%s%s; %s\n", cmd, what,
            in ? " (in '" : "", in ? tok : "", in ? "')" : "",
            query_hint && tok && tok[1] != '-' ? "a query word starting with '-' needs -- before "
                         "the query (morgue search [OPTIONS] -- QUERY)"
                       : "see --help");
    return CLI_EXIT_USAGE;
}

int cli_archive_folder(const char *dir)
{
    char path[4096];
    struct stat st;
    snprintf(path, sizeof path, "%s/MANIFEST", dir);
    if (stat(path, &st) == 0 || stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return 0;
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    /* morgue's own names (a run killed before its first commit leaves
     * segments without a MANIFEST) do not make it an archive */
    static const char *const own[] = { "LOCK", "MANIFEST", "seg_",
                                       "files_" };
    int other = 0;
    for (struct dirent *e; !other && (e = readdir(d));) {
        other = strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
        for (size_t i = 0; other && i < sizeof own / sizeof own[0]; i++)
            other = strncmp(e->d_name, own[i], strlen(own[i])) != 0;
    }
    closedir(d);
    return other;
}

int cli_inside(const char *dir, const char *root)
{
    char a[PATH_MAX], b[PATH_MAX];
    if (!realpath(dir, a) || !realpath(root, b))
        return 0;
    size_t n = strlen(b);
    return !strncmp(a, b, n) && (a[n] == '/' || a[n] == '\0' ||
                                 (n == 1 && b[0] == '/'));
}

int cli_wait_seconds(const char *arg, int *out)
{
    long long v;
    if (cli_number("--wait", arg, 0, 86400, &v))
        return -1;
    *out = (int)v;
    return 0;
}
