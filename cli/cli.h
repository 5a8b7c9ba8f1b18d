/* cli.h: what the morgue command's files share. */
#ifndef MORGUE_CLI_H
#define MORGUE_CLI_H

#include <stdio.h>

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

/* Index directory: the --index value if given, else $MORGUE_INDEX, else
 * "morgue-index" in the current directory. */
const char *cli_index_dir(const char *opt);

/* fprintf for messages: control characters in the text (a file name with
 * a newline or an escape sequence) are printed escaped (\n, \x1b), so a
 * name cannot forge log lines or drive the terminal. A leading \r and the
 * trailing newline are kept. */
void cli_msg(FILE *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
