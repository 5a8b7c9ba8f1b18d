/* common.c: what the subcommands share. */
#include <stdlib.h>

#include "cli/cli.h"

const char *cli_index_dir(const char *opt)
{
    if (opt && *opt)
        return opt;
    const char *env = getenv("MORGUE_INDEX");
    return env && *env ? env : "morgue-index";
}
