/* common.c: what the subcommands share: the index directory, colour,
 * strict option values, a cluster's warnings. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"

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

int cli_need_index(const char *dir)
{
    char path[4096];
    struct stat st;
    snprintf(path, sizeof path, "%s/MANIFEST", dir);
    if (stat(path, &st) == 0)
        return 0;
    fprintf(stderr, "morgue: %s: no morgue index here; make one with "
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
    fprintf(stderr, "morgue: --color is auto, always or never, not '%s'\n",
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
        fprintf(stderr, "morgue: %s wants a whole number from %lld to %lld, "
                "not '%s'\n", opt, min, max, arg);
        return -1;
    }
    *out = v;
    return 0;
}
