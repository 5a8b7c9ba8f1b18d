/* cli.h: what the morgue command's files share. */
#ifndef MORGUE_CLI_H
#define MORGUE_CLI_H

#include <stdint.h>
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
int cmd_cluster(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_dups(int argc, char **argv);
int cmd_similar(int argc, char **argv);
int cmd_timeline(int argc, char **argv);
int cmd_synonyms(int argc, char **argv);

/* "YYYY-MM-DD" of the UTC day holding t into out (16 bytes). */
void cli_day(int64_t t, char *out);

/* t on the clock of UTC offset off (minutes; MORGUE_NO_OFFSET: UTC), so
 * that cli_day() of it is the article's own calendar day. */
int64_t cli_local(int64_t t, int off);

/* t in offset off as ISO 8601, "2022-05-15T01:20:00+02:00", with "Z" for
 * MORGUE_NO_OFFSET, into out (32 bytes). */
void cli_datetime(int64_t t, int off, char *out);

/* Index directory: the --index value if given, else $MORGUE_INDEX, else
 * "morgue-index" in the current directory. */
const char *cli_index_dir(const char *opt);

/* A cluster's warnings ("line\nline\n") as a JSON array of strings. */
struct json_t;
struct json_t *cli_warnings_json(const char *text);
/* Prints each line of a cluster's warnings as "morgue: PREFIX: line". */
void cli_warn_lines(const char *prefix, const char *text);

/* fprintf for messages: control characters in the text (a file name with
 * a newline or an escape sequence) are printed escaped (\n, \x1b), so a
 * name cannot forge log lines or drive the terminal. A leading \r and the
 * trailing newline are kept. */
void cli_msg(FILE *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* For commands that need an existing index (all but `morgue index`):
 * 0 when dir holds one, else prints one line saying how to make it and
 * returns CLI_EXIT_ERROR. Keeps writers from creating an index where none
 * was meant. */
int cli_need_index(const char *dir);

/* For getopt's '?' or ':' (c): one line naming the unknown option or the
 * one missing its value (with the advice to put -- before a query whose
 * word starts with '-' when query_hint); returns CLI_EXIT_USAGE. Needs
 * opterr = 0 and an optstring starting with ':'. */
int cli_bad_option(int c, const char *cmd, int argc, char **argv,
                   int query_hint);

/* 1 when dir is an existing folder that holds no index but other files
 * (an archive, say): `morgue index` will not write an index into it. */
int cli_archive_folder(const char *dir);

/* 1 when dir is root or inside it (both exist; symlinks resolved). */
int cli_inside(const char *dir, const char *root);

/* ---- output that fits where it goes ---- */

/* --color: CLI_COLOR_AUTO (on a terminal, unless NO_COLOR is set or TERM
 * is dumb), ALWAYS or NEVER. */
enum { CLI_COLOR_AUTO, CLI_COLOR_ALWAYS, CLI_COLOR_NEVER };

/* Parses a --color value; -1 (after printing why) when it is none of
 * auto, always, never. */
int cli_color_mode(const char *arg);

/* 1 when output to fd should carry terminal escapes under mode. */
int cli_use_color(int mode, int fd);

/* Escapes for a styled terminal, or "" for every one when off. */
typedef struct cli_style {
    const char *bold, *dim, *hl_open, *hl_close, *reset;
} cli_style;

cli_style cli_style_for(int on);

/* ---- strict option values ---- */

/* A whole number in [min, max] for option opt (named in the message);
 * prints one line and returns -1 otherwise. */
int cli_number(const char *opt, const char *arg, long long min,
               long long max, long long *out);

/* --wait S for the writing commands: 0 to 86400 seconds. */
int cli_wait_seconds(const char *arg, int *out);

#endif
