/* common.c: what the subcommands share. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

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
