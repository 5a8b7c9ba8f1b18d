/* cli.h: what the morgue command's files share. */
#ifndef MORGUE_CLI_H
#define MORGUE_CLI_H

/* Exit statuses (documented in docs/OPERATIONS.md). */
#define CLI_EXIT_OK 0       /* success */
#define CLI_EXIT_ERROR 1    /* the command failed */
#define CLI_EXIT_USAGE 2    /* bad options or query */
#define CLI_EXIT_SKIPPED 3  /* done, but some input was skipped */
#define CLI_EXIT_TEMPFAIL 75 /* another writer holds the lock (EX_TEMPFAIL):
                                 try again later */

int cmd_index(int argc, char **argv);
int cmd_search(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_delete(int argc, char **argv);
int cmd_compact(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_cluster(int argc, char **argv);

/* Index directory: the --index value if given, else $MORGUE_INDEX, else
 * "morgue-index" in the current directory. */
const char *cli_index_dir(const char *opt);

/* A cluster's warnings ("line\nline\n") as a JSON array of strings. */
struct json_t;
struct json_t *cli_warnings_json(const char *text);

#endif
