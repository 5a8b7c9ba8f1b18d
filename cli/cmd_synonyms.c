/* cmd_synonyms.c: morgue synonyms: an index's synonyms file (import, list)
 * and the built-in place and name variants (list --builtin). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "morgue.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: morgue synonyms import [--index DIR] FILE\n"
            "       morgue synonyms list [--index DIR] [--builtin]\n"
            "       morgue synonyms clear [--index DIR]\n"
            "The synonyms file of an index: one group of equivalent words "
            "or phrases per\nline, separated by commas; '#' starts a "
            "comment line (docs/QUERY.md).\nSearches expand a word or "
            "phrase of a group to the whole group, together\nwith the "
            "built-in place and name variants; no reindexing is needed.\n\n"
            "  import FILE   check FILE and make it the index's synonyms "
            "file ('-': stdin)\n"
            "  list          print the index's groups, one per line "
            "(normalised)\n"
            "  --builtin     list the built-in variants instead\n"
            "  clear         remove the index's synonyms file\n"
            "  --index DIR   index directory (else $MORGUE_INDEX, else "
            "./morgue-index)\n\n"
            "Exit status: 0 done; 1 error (a bad FILE names its line and "
            "byte); 2 usage.\n");
}

static int print_group(const char *const *e, size_t n, void *ud)
{
    (void)ud;
    for (size_t i = 0; i < n; i++)
        printf("%s%s", i ? ", " : "", e[i]);
    putchar('\n');
    return 0;
}

static int read_input(const char *path, char **out, size_t *len)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!f)
        return -1;
    size_t cap = 1 << 16, n = 0;
    char *b = malloc(cap);
    size_t got;
    while (b && (got = fread(b + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *nb = cap < (64u << 20) ? realloc(b, cap * 2) : NULL;
            if (!nb) {
                free(b);
                b = NULL;
                break;
            }
            b = nb;
            cap *= 2;
        }
    }
    int bad = ferror(f) || !b;
    if (f != stdin)
        fclose(f);
    if (bad) {
        free(b);
        return -1;
    }
    *out = b;
    *len = n;
    return 0;
}

int cmd_synonyms(int argc, char **argv)
{
    static const struct option opts[] = {
        { "index", required_argument, NULL, 'i' },
        { "builtin", no_argument, NULL, 'b' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *index = NULL;
    int builtin = 0, c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":i:bh", opts, NULL)) != -1) {
        switch (c) {
        case 'i': index = optarg; break;
        case 'b': builtin = 1; break;
        case 'h': usage(stdout); return CLI_EXIT_OK;
        default: return cli_bad_option(c, "synonyms", argc, argv, 0);
        }
    }
    const char *verb = optind < argc ? argv[optind++] : NULL;
    const char *dir = cli_index_dir(index);
    if (verb && !strcmp(verb, "list") && optind == argc) {
        if (!builtin && cli_need_index(dir))
            return CLI_EXIT_ERROR;
        int rc = morgue_synonyms_list(builtin ? NULL : dir, builtin,
                                      print_group, NULL);
        if (rc) {
            cli_msg(stderr, "morgue synonyms: %s\n", morgue_last_errmsg());
            return CLI_EXIT_ERROR;
        }
        return CLI_EXIT_OK;
    }
    if (verb && (!strcmp(verb, "import") || !strcmp(verb, "clear")) &&
        !builtin) {
        int import = verb[0] == 'i';
        if (optind != argc - import) {
            usage(stderr);
            return CLI_EXIT_USAGE;
        }
        if (cli_need_index(dir))
            return CLI_EXIT_ERROR;
        char *text = NULL;
        size_t len = 0;
        if (import && read_input(argv[optind], &text, &len)) {
            cli_msg(stderr, "morgue synonyms: cannot read %s\n",
                    argv[optind]);
            return CLI_EXIT_ERROR;
        }
        if (import && len == 0) {
            free(text);
            cli_msg(stderr, "morgue synonyms: %s is empty (to remove the "
                    "synonyms file: morgue synonyms clear)\n", argv[optind]);
            return CLI_EXIT_ERROR;
        }
        int rc = morgue_synonyms_import(dir, text, len,
                                        import ? argv[optind] : NULL);
        free(text);
        if (rc) {
            cli_msg(stderr, "morgue synonyms: %s\n", morgue_last_errmsg());
            return CLI_EXIT_ERROR;
        }
        return CLI_EXIT_OK;
    }
    usage(stderr);
    return CLI_EXIT_USAGE;
}
