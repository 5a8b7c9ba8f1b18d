/* morgue.h: the one public header of libmorgue, a full-text search engine
 * for news archives.
 *
 * Overview
 *   An index is a directory. A morgue_writer adds articles to it and makes
 *   them visible with morgue_writer_commit(); a morgue_searcher is a
 *   read-only snapshot of the last commit that answers ranked queries.
 *
 * Threads
 *   A handle must not be used from two threads at once, with one exception:
 *   a morgue_searcher is read-only and may be shared by any number of threads,
 *   each running its own morgue_search() and owning the morgue_hits it gets.
 *   Distinct handles are independent. One writer per index directory at a
 *   time (an OS lock enforces it). Callbacks are never called after a
 *   function has returned.
 *
 * Errors
 *   A function that can fail returns MORGUE_OK (0) or a negative
 *   morgue_error_code; accessors that cannot fail return their value. The
 *   message saying what failed (file, offset, query column...) is kept
 *   where the failure happened:
 *   - by the handle the call was given: morgue_writer_errmsg(w);
 *     morgue_hits_errmsg(h) for the calls on a result list;
 *     morgue_searcher_errmsg(s) for the calls on a searcher (a searcher is
 *     shared by threads, so each thread sees its own last failure on s);
 *   - for a call without a handle, or whose handle does not exist yet (a
 *     failed morgue_writer_open() or morgue_searcher_open(),
 *     morgue_index_check()), as the calling thread's last message,
 *     morgue_last_errmsg().
 *   A message is valid until the next call on the same handle (from the
 *   same thread), or for morgue_last_errmsg() until the thread's next call
 *   without a handle; it is "" when nothing failed. A NULL handle gives
 *   MORGUE_EINVAL without a message. Messages never allocate, so running
 *   out of memory is reported like any other failure. Every code of the
 *   enum is returned by some call; codes are never renumbered, and a
 *   retired code keeps its number, unused.
 *
 * Ownership
 *   The caller owns what it opens and must close it. Returned const pointers
 *   belong to the library; each function states how long they stay valid.
 *   Inputs are copied unless stated otherwise. No function hands out memory
 *   for the caller to free.
 *
 * Caveats
 *   - A searcher keeps its commit's files for as long as it lives: when a
 *     writer merges segments away (after any commit) or compacts, it
 *     unlinks their files, but the searcher still maps them, so their disk
 *     space comes back only when the searcher is closed. A long-lived
 *     process (a server) should call morgue_searcher_reopen() and close
 *     the old searcher once its queries are done.
 *   - The writer lock is flock(2) on INDEX/LOCK. On a network file system
 *     it may not be seen by other machines (NFS clients emulate it with
 *     byte-range locks that some servers ignore; other file systems have
 *     none), so two machines could write one index at once and corrupt
 *     it: write from one machine only. A searcher on another machine than
 *     the writer's is not protected by the unlinked-file rule above (an
 *     NFS server frees a file when it is unlinked on another client), so
 *     its reads can fail (MORGUE_EIO) or fault once segments are merged
 *     away: search where the index is written, or reopen after each
 *     commit and expect failures around merges.
 *   - fork(): handles are not to be used in both processes. The child
 *     inherits the writer's lock (flock belongs to the open file, which
 *     both now share), and a searcher's mutex may be held by a thread
 *     that does not exist in the child. Open handles after fork(), or
 *     exec; every file the library opens is close-on-exec.
 *   - Index files are read through mmap(): a file truncated or damaged
 *     under a running searcher (by something other than morgue) can raise
 *     SIGBUS rather than return MORGUE_ECORRUPT; morgue_index_check()
 *     finds such damage.
 *
 * Struct versions
 *   Every struct the caller allocates and passes in, options and results
 *   alike, starts with `unsigned version`, which the caller sets (its _INIT
 *   macro does) to the version of this header it was compiled with. The
 *   library reads, and for a result writes, only the fields that version
 *   has, so a program built against an older header keeps working with a
 *   newer library, and a version the library does not know (a newer
 *   header, or an unset field) gives MORGUE_EINVAL. Fields are only ever
 *   appended, under a "version N:" comment, and the version goes up by
 *   one. Structs the library passes to callbacks (morgue_warning,
 *   morgue_file_event) may grow at their end without a version, since the
 *   caller only reads them; arrays it hands out (morgue_facet,
 *   morgue_match) never change.
 */
#ifndef MORGUE_H
#define MORGUE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MORGUE_VERSION_MAJOR 0
#define MORGUE_VERSION_MINOR 2
#define MORGUE_VERSION_PATCH 0
#define MORGUE_VERSION_NUMBER                                                \
    (MORGUE_VERSION_MAJOR * 10000 + MORGUE_VERSION_MINOR * 100 +             \
     MORGUE_VERSION_PATCH)
#define MORGUE_VERSION_STRING "0.2.0"

#if defined(MORGUE_STATIC) || !defined(__GNUC__)
#define MORGUE_API
#else
#define MORGUE_API __attribute__((visibility("default")))
#endif

/* Error codes: negative, append-only, never renumbered. */
typedef enum morgue_error_code {
    MORGUE_OK = 0,         /* success */
    MORGUE_ERROR = -1,     /* generic failure; see the handle's message */
    MORGUE_ENOMEM = -2,    /* out of memory */
    MORGUE_EINVAL = -3,    /* invalid argument */
    MORGUE_EIO = -4,       /* a system call failed (read, write, fsync...) */
    MORGUE_ENOTFOUND = -5, /* no index, file or document of that name */
    MORGUE_ECORRUPT = -6,  /* an index file fails its checks */
    MORGUE_EVERSION = -7,  /* index written by an unknown format version */
    MORGUE_EQUERY = -8,    /* the query string is malformed */
    MORGUE_EFORMAT = -9,   /* a file the library must parse (a cluster
                              file) is not in its format; article files
                              are never refused whole: bad records are
                              warnings, binary files are skipped */
    MORGUE_ITEROVER = -10, /* an iterator has no more items (not an error) */
    MORGUE_EBUSY = -11,    /* another writer holds the index lock */
    MORGUE_ECANCELED = -12,/* a callback, the cancel flag or the timeout
                              stopped the call */
} morgue_error_code;

/* Static English text for a morgue_error_code; a positive value is taken as
 * an errno and passed to strerror(). Never NULL. */
MORGUE_API const char *morgue_strerror(int code);

/* MORGUE_VERSION_NUMBER of the library actually loaded. */
MORGUE_API int morgue_version_number(void);

/* Dates are seconds since 1970-01-01T00:00:00Z; this value means "none". */
#define MORGUE_NO_DATE INT64_MIN

/* A date's UTC offset (minutes east of UTC, as the article gave it:
 * +02:00 is 120) is kept beside it, so that the article's own calendar day
 * is shown and matched by date: and the date options; this value means the
 * article named no zone (its day is then the UTC day). */
#define MORGUE_NO_OFFSET (-32768)

/* A span of time, both ends included. */
typedef struct morgue_date_range {
    unsigned version; /* MORGUE_DATE_RANGE_VERSION */
    int64_t from;     /* its first second */
    int64_t to;       /* its last second */
} morgue_date_range;

#define MORGUE_DATE_RANGE_VERSION 1
#define MORGUE_DATE_RANGE_INIT                                               \
    { MORGUE_DATE_RANGE_VERSION, MORGUE_NO_DATE, MORGUE_NO_DATE }

/* The period the date s names, read as the query language reads a date:
 * (docs/QUERY.md), so a program's date options take what its queries
 * take: YYYY, YYYY-MM or YYYY-MM-DD (that year, month or day, UTC); a
 * relative word counted from now (today, yesterday, last-N-days,
 * this-week, last-week, this-month, last-month, this-year, now; "today"
 * is now's calendar day in the process's local time zone, TZ); or an
 * ISO 8601 time (2022-01-05T14:03:00Z, +06:00 offsets), which names its
 * one second. MORGUE_OK and *out filled, or MORGUE_EINVAL with
 * morgue_last_errmsg() when s names no date or out->version is unknown
 * (*out is left alone). */
MORGUE_API int morgue_parse_date(morgue_date_range *out, const char *s,
                                 int64_t now);

/* ------------------------------------------------------------------ */
/* Articles                                                             */

/* One article given in memory. Strings are UTF-8 and NUL-terminated; any
 * may be NULL. They are copied by morgue_writer_add(). */
typedef struct morgue_article {
    unsigned version;        /* MORGUE_ARTICLE_VERSION */
    const char *id;          /* identity (the source's id); NULL: use url */
    const char *url;         /* URL or file path it came from */
    const char *title;       /* headline */
    const char *source;      /* publication, wire service or newsgroup */
    const char *body;        /* article text */
    const char *const *tags; /* places, topics, keywords: n_tags strings */
    size_t n_tags;
    int64_t date;            /* publication time, or MORGUE_NO_DATE */
    /* version 2: */
    int date_offset;         /* date's UTC offset in minutes (-1439..1439),
                                or MORGUE_NO_OFFSET */
    /* version 3: */
    const char *lang;        /* its language as a BCP 47 / ISO 639-1 tag
                                ("ru", "pt-BR"); NULL: detected (when the
                                index detects languages) */
} morgue_article;

#define MORGUE_ARTICLE_VERSION 3
#define MORGUE_ARTICLE_INIT                                                  \
    { MORGUE_ARTICLE_VERSION, NULL, NULL, NULL, NULL, NULL, NULL, 0,         \
      MORGUE_NO_DATE, MORGUE_NO_OFFSET, NULL }

/* ------------------------------------------------------------------ */
/* Writing                                                              */

typedef struct morgue_writer morgue_writer;

typedef struct morgue_writer_opts {
    unsigned version;     /* MORGUE_WRITER_OPTS_VERSION */
    const char *language; /* for a new index: a Snowball algorithm
                             ("russian") forces that stemmer on every
                             article; "auto:ALGO" detects each article's
                             language (ALGO the default for short or
                             undetermined texts). NULL: "auto:english".
                             Ignored for an existing index unless rebuild
                             is set. */
    size_t memory_budget; /* bytes of postings held before a segment is
                             flushed; 0: 64 MiB */
    int wait_seconds;     /* wait this long for the writer lock; 0: fail at
                             once with MORGUE_EBUSY */
    /* version 2: */
    int rebuild;          /* non-zero: start afresh. The first commit
                             replaces the whole index (searchers keep
                             seeing the old one until then). */
    int merge_factor;     /* how many segments of one size tier are merged
                             into one after a commit; 0: 8; 1 or less: no
                             automatic merging (morgue_writer_compact()
                             still works) */
    /* version 3: */
    unsigned threads;     /* threads indexing may use; 0: one per core.
                             The index written is the same, byte for byte,
                             whatever the number. */
} morgue_writer_opts;

#define MORGUE_WRITER_OPTS_VERSION 3
#define MORGUE_WRITER_OPTS_INIT                                              \
    { MORGUE_WRITER_OPTS_VERSION, NULL, 0, 0, 0, 0, 0 }

/* Opens the index in dir for writing, creating dir and an empty index when
 * missing. Takes the directory's writer lock until morgue_writer_close().
 * opts may be NULL. On failure *out is NULL; a message may be read with
 * morgue_last_errmsg(). */
MORGUE_API int morgue_writer_open(morgue_writer **out, const char *dir,
                                  const morgue_writer_opts *opts);

/* Adds one article. It is searchable after the next commit.
 *
 * Identity: an article is known by its id, else its url (for files: the
 * format's id or URL, else the file's path plus "#N" for the N-th record,
 * counted from 0, of a multi-article file; N = 0 has no suffix). Adding an
 * article whose identity is already in the index, or already added
 * since the last commit, replaces that article: the old one is deleted
 * when this one is committed. An article with neither id nor url has no
 * identity and is never replaced.
 *
 * After an error other than MORGUE_EINVAL from this or any other add or
 * delete call, the writer is unusable: every further call fails and
 * morgue_writer_close() discards what was not committed. */
MORGUE_API int morgue_writer_add(morgue_writer *w, const morgue_article *a);

/* Deletes the article whose identity (id, or url, as given when added)
 * is id; searchers see it gone after the next commit. Returns
 * MORGUE_ENOTFOUND when no article has that identity. */
MORGUE_API int morgue_writer_delete(morgue_writer *w, const char *id);

/* A problem found in an input file; the file's reading goes on. */
typedef struct morgue_warning {
    const char *path;    /* file being read */
    uint64_t line;       /* 1-based line, or 0 when only the offset is known */
    uint64_t offset;     /* byte offset in the (decompressed) file */
    const char *message; /* what is wrong and what was done about it */
} morgue_warning;

/* Called for each warning; the struct is valid during the call only.
 * Return 0 to go on; non-zero stops the call once the current file has
 * been read (so no file is half added), and it returns MORGUE_ECANCELED. */
typedef int (*morgue_warning_fn)(const morgue_warning *w, void *userdata);

/* What morgue_writer_add_path() did with one file. */
typedef enum morgue_file_action {
    MORGUE_FILE_ADDED = 0,     /* new: its articles were added */
    MORGUE_FILE_CHANGED = 1,   /* changed: its articles were replaced */
    MORGUE_FILE_UNCHANGED = 2, /* same content: skipped */
    MORGUE_FILE_REMOVED = 3,   /* gone from its folder: articles deleted */
    MORGUE_FILE_FAILED = 4,    /* unreadable: left as it was in the index */
} morgue_file_action;

typedef struct morgue_file_event {
    const char *path;          /* the file (absolute) */
    morgue_file_action action;
    int status;                /* MORGUE_OK, or why it failed */
    const char *message;       /* error text when it failed, else NULL */
    uint64_t articles;         /* articles read from it */
    uint64_t bytes;            /* bytes read from it */
    uint64_t files_done;       /* files considered so far in this call */
    uint64_t files_total;      /* files found by the walk */
} morgue_file_event;

/* Called after each file; the struct is valid during the call only.
 * Return 0 to go on; non-zero stops morgue_writer_add_path() before the
 * next file with MORGUE_ECANCELED. What was done so far stays pending
 * (or checkpointed) like any other work, and the writer stays usable. */
typedef int (*morgue_file_fn)(const morgue_file_event *ev, void *userdata);

typedef struct morgue_add_opts {
    unsigned version;          /* MORGUE_ADD_OPTS_VERSION */
    const char *format;        /* "text", "html", "jsonl", "reuters",
                                  "rfc822"; NULL: detect from content */
    morgue_warning_fn warning; /* NULL: warnings are only counted */
    void *userdata;            /* passed to warning and file_done */
    /* version 2: */
    morgue_file_fn file_done;  /* NULL: no per-file report */
    int checkpoint;            /* non-zero: morgue_writer_add_path()
                                  commits between files whenever the memory
                                  budget has flushed a segment, and inside
                                  a long JSON Lines file or mbox at the
                                  next record (the file table says where
                                  the next run goes on), so a killed run
                                  keeps most of its work */
    /* version 3: */
    int date_from_mtime;       /* non-zero: an article with no date of its
                                  own, nor one in its path, is dated by its
                                  file's modification time; else (the
                                  default) it is undated */
} morgue_add_opts;

#define MORGUE_ADD_OPTS_VERSION 3
#define MORGUE_ADD_OPTS_INIT                                                 \
    { MORGUE_ADD_OPTS_VERSION, NULL, NULL, NULL, NULL, 0, 0 }

/* What one morgue_writer_add_file() did. */
typedef struct morgue_add_result {
    unsigned version;  /* MORGUE_ADD_RESULT_VERSION */
    uint64_t articles; /* articles added */
    uint64_t skipped;  /* records (or the whole file) left out */
    uint64_t warnings; /* warnings reported */
    uint64_t bytes;    /* bytes read from the file (compressed size) */
    const char *format;/* format used (static string), NULL if skipped */
} morgue_add_result;

#define MORGUE_ADD_RESULT_VERSION 1
#define MORGUE_ADD_RESULT_INIT { MORGUE_ADD_RESULT_VERSION, 0, 0, 0, 0, NULL }

/* Reads the articles in the file at path (gzip-compressed or not) and adds
 * them, replacing those the same file gave before (the file is recorded
 * in the index's file table; see morgue_writer_add_path()). A malformed
 * record is skipped with a warning; a binary file is skipped whole
 * (result->skipped = 1) and MORGUE_OK is returned. Errors are returned
 * only when the file cannot be read (MORGUE_EIO, MORGUE_ENOTFOUND: the
 * writer stays usable) or the index cannot be written. result may be
 * NULL. */
MORGUE_API int morgue_writer_add_file(morgue_writer *w, const char *path,
                                      const morgue_add_opts *opts,
                                      morgue_add_result *result);

/* What one morgue_writer_add_path() did. */
typedef struct morgue_update_result {
    unsigned version;          /* MORGUE_UPDATE_RESULT_VERSION */
    uint64_t files_seen;       /* regular files found */
    uint64_t files_added;      /* new files read */
    uint64_t files_changed;    /* changed files read again */
    uint64_t files_unchanged;  /* skipped: same size and time, or same
                                  content */
    uint64_t files_removed;    /* vanished: their articles deleted */
    uint64_t files_failed;     /* unreadable; their articles kept */
    uint64_t articles_added;
    uint64_t articles_deleted; /* replaced or removed */
    uint64_t skipped;          /* records or binary files left out */
    uint64_t warnings;
    uint64_t bytes;            /* bytes read */
} morgue_update_result;

#define MORGUE_UPDATE_RESULT_VERSION 1
#define MORGUE_UPDATE_RESULT_INIT                                            \
    { MORGUE_UPDATE_RESULT_VERSION, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }

/* Brings the index up to date with path, a file or a folder (recursed
 * into; names starting with '.' are skipped): new files are read, files
 * whose size or modification time changed are read again if their
 * content changed (their old articles are replaced), unchanged files are
 * skipped without being read, and files recorded under path that are gone
 * have their articles deleted. If path itself is missing nothing is
 * deleted (MORGUE_ENOTFOUND), and a folder that cannot be listed keeps
 * its files' articles. path NULL: every folder or file given to earlier
 * calls (the index's roots). Unreadable files are reported through
 * opts->file_done and counted; they do not stop the walk. Changes are
 * visible after the next commit (or the checkpoints, see opts). result
 * may be NULL. */
MORGUE_API int morgue_writer_add_path(morgue_writer *w, const char *path,
                                      const morgue_add_opts *opts,
                                      morgue_update_result *result);

/* Deletes the articles of every recorded file at or under path (the file
 * need not exist any more) and forgets those files. MORGUE_ENOTFOUND when
 * the file table holds none. */
MORGUE_API int morgue_writer_delete_path(morgue_writer *w, const char *path);

/* Commits, then merges every segment into one, dropping deleted articles,
 * and commits again: the index takes the least room it can. */
MORGUE_API int morgue_writer_compact(morgue_writer *w);

/* Makes everything added so far durable and visible to searchers opened
 * afterwards: files are written and fsynced, then the manifest is swapped
 * atomically. On failure the previous commit stays intact. */
MORGUE_API int morgue_writer_commit(morgue_writer *w);

/* Message for the last failure on w; valid until the next call on w. */
MORGUE_API const char *morgue_writer_errmsg(const morgue_writer *w);

/* Discards whatever was not committed, releases the lock, frees w.
 * NULL is allowed. */
MORGUE_API void morgue_writer_close(morgue_writer *w);

/* Message for the last failed open (writer or searcher) or check in this
 * thread. */
MORGUE_API const char *morgue_last_errmsg(void);

/* ------------------------------------------------------------------ */
/* Checking                                                             */

typedef struct morgue_check_result {
    unsigned version;          /* MORGUE_CHECK_RESULT_VERSION */
    uint64_t segments;
    uint64_t documents;        /* live articles */
    uint64_t deleted;          /* deleted, not yet merged away */
    uint64_t terms;            /* dictionary entries over all segments */
    uint64_t postings;         /* (term, document) pairs read */
    uint64_t files;            /* file table entries */
    uint64_t file_articles;    /* articles the file table lists */
    uint64_t bytes;            /* bytes of the files checked */
} morgue_check_result;

#define MORGUE_CHECK_RESULT_VERSION 1
#define MORGUE_CHECK_RESULT_INIT                                             \
    { MORGUE_CHECK_RESULT_VERSION, 0, 0, 0, 0, 0, 0, 0, 0 }

/* Verifies the last commit of the index in dir: every checksum of every
 * file it names (manifest, segments, deletion files, file table) and the
 * structural invariants (terms sorted, postings ascending and within the
 * segment, frequencies and positions agreeing with document lengths and
 * with the stored text, stored records readable, identities consistent,
 * dates in range, every article the file table lists present once).
 * Reads a snapshot like a searcher and takes no lock, so it may run while
 * a writer works. Returns MORGUE_OK, or MORGUE_ECORRUPT (or
 * MORGUE_EVERSION, MORGUE_EIO, MORGUE_ENOTFOUND) with the first problem,
 * naming the file and offset, in morgue_last_errmsg(). result may be
 * NULL. */
MORGUE_API int morgue_index_check(const char *dir,
                                  morgue_check_result *result);

/* ------------------------------------------------------------------ */
/* Searching                                                            */

typedef struct morgue_searcher morgue_searcher;
typedef struct morgue_hits morgue_hits;

/* Options of morgue_searcher_open(). There are none yet besides the
 * version: the struct exists so that options can be added without
 * changing the function's type. */
typedef struct morgue_searcher_opts {
    unsigned version; /* MORGUE_SEARCHER_OPTS_VERSION */
} morgue_searcher_opts;

#define MORGUE_SEARCHER_OPTS_VERSION 1
#define MORGUE_SEARCHER_OPTS_INIT { MORGUE_SEARCHER_OPTS_VERSION }

/* Opens a read-only snapshot of the last commit of the index in dir. Later
 * commits are not seen: morgue_searcher_reopen() gives a searcher on the
 * newest. On failure *out is NULL and morgue_last_errmsg() tells why.
 * opts may be NULL. */
MORGUE_API int morgue_searcher_open(morgue_searcher **out, const char *dir,
                                    const morgue_searcher_opts *opts);

/* Opens the newest commit of s's index. When s already holds it, *out is
 * NULL and MORGUE_OK is returned after one stat() of MANIFEST, so this is
 * cheap enough to call before every query. Otherwise *out is a new
 * searcher on the newest commit. It shares with s the segments both
 * commits name (segments never change once written), so only the new
 * segments are mapped and read; s and the new searcher can be closed in
 * either order, by any thread. s is untouched: threads still using s go
 * on, and s is closed once its last morgue_hits is freed. On failure *out is NULL and the
 * message is morgue_searcher_errmsg(s). */
MORGUE_API int morgue_searcher_reopen(morgue_searcher *s,
                                      morgue_searcher **out);

/* Frees the searcher. Every morgue_hits from it must be freed first.
 * NULL is allowed. */
MORGUE_API void morgue_searcher_close(morgue_searcher *s);

/* Message for the calling thread's last failure on s (morgue_search,
 * morgue_searcher_get, _stats, _reopen): the thread keeps the message of
 * its last failure on any searcher, so after a failure on another
 * searcher this gives "". Valid until the thread's next call on s. */
MORGUE_API const char *morgue_searcher_errmsg(const morgue_searcher *s);

typedef struct morgue_stats {
    unsigned version;     /* MORGUE_STATS_VERSION */
    uint64_t documents;   /* live articles */
    uint64_t terms;       /* distinct words (unstemmed, case-folded) */
    uint64_t segments;    /* segments in the snapshot */
    uint64_t index_bytes; /* bytes of all files of the snapshot */
    int64_t first_date;   /* earliest live article date, or MORGUE_NO_DATE,
                             on the articles' own clocks (the date plus
                             its UTC offset), as morgue_story's */
    int64_t last_date;    /* latest, likewise */
    const char *language; /* stemmer; valid until the searcher closes */
} morgue_stats;

#define MORGUE_STATS_VERSION 1
#define MORGUE_STATS_INIT                                                    \
    { MORGUE_STATS_VERSION, 0, 0, 0, 0, MORGUE_NO_DATE, MORGUE_NO_DATE, NULL }

/* Fills *out (whose version the caller set) with the snapshot's figures.
 * The first call on a snapshot reads every live article's date (and, with
 * several segments, walks their dictionaries); later calls give what it
 * found at once. */
MORGUE_API int morgue_searcher_stats(morgue_searcher *s, morgue_stats *out);

/* ------------------------------------------------------------------ */
/* Synonyms                                                             */

/* Makes text (len bytes, the synonyms file format of docs/QUERY.md: one
 * group of equivalent words or phrases per line, separated by commas)
 * the synonyms file of the index at dir, replacing any before; len 0
 * removes it. Searchers opened afterwards expand query words by it (with
 * the built-in variants); nothing is reindexed. name is for messages.
 * MORGUE_EFORMAT with "NAME: line L, byte B: ..." in morgue_last_errmsg()
 * when text does not parse (the old file is kept), MORGUE_ENOTFOUND when
 * dir is no index. */
MORGUE_API int morgue_synonyms_import(const char *dir, const char *text,
                                      size_t len, const char *name);

/* Calls fn once per group, its n entries normalised, of dir's synonyms
 * file (builtin 0; no call when it has none) or of the built-in list
 * (builtin non-zero; dir may be NULL). A non-zero return from fn stops
 * the walk and is returned. */
typedef int (*morgue_synonym_fn)(const char *const *entries, size_t n,
                                 void *userdata);
MORGUE_API int morgue_synonyms_list(const char *dir, int builtin,
                                    morgue_synonym_fn fn, void *userdata);


/* morgue_query_opts.flags */
#define MORGUE_QUERY_NATURAL 1    /* natural language: the query is text,
                                     never an error; its words (stopwords
                                     removed) ranked by any of them, quoted
                                     phrases add score (docs/QUERY.md) */
#define MORGUE_QUERY_ANY 1        /* the older name of MORGUE_QUERY_NATURAL
                                     ("rank by any word") */
#define MORGUE_QUERY_COUNT 2      /* count every match exactly (else the
                                     total may be a lower bound when top-k
                                     pruning skipped documents) */
#define MORGUE_QUERY_COLLAPSE 8   /* fold near-duplicates under the best
                                     ranked of them: limit and offset count
                                     stories, morgue_hits_duplicates() lists
                                     what was folded under each hit (every
                                     match is walked) */
#define MORGUE_QUERY_COUNT_ONLY 32 /* count every match exactly and
                                     return no hits (morgue_hits_next
                                     ends at once): nothing is scored or
                                     ranked; facets are still counted.
                                     The benchmark game's COUNT */
/* 4: retired (it was a test-only flag) */
#define MORGUE_QUERY_EXPAND 16    /* natural language: pseudo-relevance
                                     feedback (RM3): the words of the best
                                     10 answers join the query, which runs
                                     again (docs/QUERY.md); off by default */
/* Bits 0x40000000 and up are taken by the library's own tests
 * (searcher/testflags.h) and are not part of the API. */

/* What one query may ask for (docs/QUERY.md, "Limits"), so that no query
 * takes unbounded time or memory whatever the index size. A query past
 * one fails with MORGUE_EQUERY and a message saying which limit. */
#define MORGUE_QUERY_MAX_BYTES 65536  /* bytes of query text */
#define MORGUE_QUERY_MAX_TERMS 1024   /* terms looked up: words, phrase
                                         words, prefix expansions */
#define MORGUE_QUERY_MAX_PHRASE 64    /* words in one phrase or NEAR */
#define MORGUE_QUERY_MAX_WORK 30000000 /* steps: postings decoded,
                                         positions read and matched,
                                         operator steps */

/* Order of hits. */
#define MORGUE_SORT_RELEVANCE 0   /* best score first */
#define MORGUE_SORT_DATE 1        /* newest first, then best score */

/* Date facet granularity. */
#define MORGUE_FACET_NONE 0
#define MORGUE_FACET_YEAR 1
#define MORGUE_FACET_MONTH 2
#define MORGUE_FACET_DAY 3

typedef struct morgue_query_opts {
    unsigned version;      /* MORGUE_QUERY_OPTS_VERSION */
    size_t limit;          /* hits to return; 0: 10 */
    size_t offset;         /* hits to skip before the first returned */
    double k1;             /* BM25 k1; <= 0: 1.2 */
    double b;              /* BM25F length normalisation b; < 0: 0.5 */
    double title_weight;   /* BM25F: weight of a word in the title against
                              one in the body; <= 0: 2.0 */
    const char *hl_open;   /* snippet highlight start; NULL: "<b>" */
    const char *hl_close;  /* snippet highlight end; NULL: "</b>" */
    size_t snippet_chars;  /* snippet length in bytes, about; 0: 200 */
    int no_snippets;       /* non-zero: morgue_hits_snippet gives "" */
    unsigned flags;        /* MORGUE_QUERY_* */
    int sort;              /* MORGUE_SORT_* */
    int64_t date_from;     /* only articles dated >= this; MORGUE_NO_DATE:
                              no lower bound. Both bounds, like date:, are
                              compared with the article's own clock (its
                              date plus its UTC offset), so whole UTC
                              days of these seconds are its own days */
    int64_t date_to;       /* only articles dated <= this; MORGUE_NO_DATE:
                              no upper bound */
    int facet_date;        /* MORGUE_FACET_*: counts over all matches, by
                              the articles' own calendar days */
    size_t facet_sources;  /* > 0: counts of the top N sources */
    size_t facet_tags;     /* > 0: counts of the top N tags */
    /* version 3: */
    const int *cancel;     /* non-NULL: the search stops with
                              MORGUE_ECANCELED soon after *cancel becomes
                              non-zero (set it from any thread with an
                              atomic store, e.g. __atomic_store_n or a C11
                              atomic_int); read every few thousand steps */
    unsigned timeout_ms;   /* > 0: the search stops with MORGUE_ECANCELED
                              once it has run this long (wall time); 0:
                              no timeout */
    /* version 4: */
    double collapse_similarity; /* MORGUE_QUERY_COLLAPSE: least estimated
                              resemblance of near-duplicates, 0..1; <= 0:
                              MORGUE_DEFAULT_SIMILARITY */
    double recency_half_life; /* seconds; > 0: the score is multiplied by
                              (1 + 2^(-age / half_life)) / 2, age = now -
                              date (0 when in the future; undated articles
                              get the factor 1/2) */
    int64_t now;           /* "now" for recency and the relative dates of
                              the query (date:today... on now's day in the
                              process's time zone, TZ); MORGUE_NO_DATE:
                              the clock */
    /* version 5: */
    size_t facet_langs;    /* > 0: counts of the top N article languages
                              (ISO 639-1 codes, "und") */
    int no_synonyms;       /* non-zero: words are not expanded by the
                              built-in name variants nor the index's
                              synonyms file */
} morgue_query_opts;

#define MORGUE_QUERY_OPTS_VERSION 5
#define MORGUE_QUERY_OPTS_INIT                                               \
    { MORGUE_QUERY_OPTS_VERSION, 0, 0, 0, -1, 0, NULL, NULL, 0, 0, 0,        \
      MORGUE_SORT_RELEVANCE, MORGUE_NO_DATE, MORGUE_NO_DATE,                 \
      MORGUE_FACET_NONE, 0, 0, NULL, 0, 0, 0, MORGUE_NO_DATE, 0, 0 }

/* Runs query (the language of docs/QUERY.md) against s. Free words are
 * case-folded and stemmed; an article matches when it holds every word (in
 * title or body). With MORGUE_QUERY_NATURAL the query is natural-language
 * text instead: an article matches when it holds any of its words, and
 * no query is an error. On success *out is a new result list, positioned
 * before the first hit. opts may be NULL. A malformed query (strict
 * language only) gives MORGUE_EQUERY and a message naming the column. */
MORGUE_API int morgue_search(morgue_searcher *s, const char *query,
                             const morgue_query_opts *opts,
                             morgue_hits **out);

/* Number of articles that match (all of them, not only those returned). */
MORGUE_API uint64_t morgue_hits_total(const morgue_hits *h);

/* 1 when morgue_hits_total() is exact (always with MORGUE_QUERY_COUNT,
 * MORGUE_QUERY_COUNT_ONLY, facets or date sorting), 0 when it is a lower
 * bound. */
MORGUE_API int morgue_hits_total_exact(const morgue_hits *h);

/* One facet value and the number of matching articles that have it. */
typedef struct morgue_facet {
    const char *value;   /* "1987", "1987-03", "1987-03-05", a source or tag */
    uint64_t count;
} morgue_facet;

typedef enum morgue_facet_kind {
    MORGUE_FACET_KIND_DATE = 0,   /* calendar order, granularity as asked */
    MORGUE_FACET_KIND_SOURCE = 1, /* by count, highest first */
    MORGUE_FACET_KIND_TAG = 2,    /* by count, highest first */
    MORGUE_FACET_KIND_LANG = 3,   /* by count: ISO 639-1 codes, "und" */
} morgue_facet_kind;

/* Facet counts over all matches: *out gets n entries owned by h (valid
 * until morgue_hits_free). Zero entries when that facet was not asked. */
MORGUE_API int morgue_hits_facets(const morgue_hits *h, morgue_facet_kind kind,
                                  const morgue_facet **out, size_t *n);

/* A word or phrase of the query that synonyms expanded: from (normalised:
 * case folded, accents off, words joined by a space) was also searched as
 * each of to[0..n_to). source is "builtin" (the built-in place and name
 * variants), "synonyms" (the index's synonyms file gave some) or
 * "translit" (to[0] is the Latin key of Cyrillic and Greek names the word
 * was also searched as: docs/QUERY.md, "Names in another script"). */
typedef struct morgue_expansion {
    const char *from;
    const char *const *to;
    size_t n_to;
    const char *source;
} morgue_expansion;

/* The expansions the query used (none with no_synonyms): *out gets n
 * entries owned by h, valid until morgue_hits_free. */
MORGUE_API int morgue_hits_expansions(const morgue_hits *h,
                                      const morgue_expansion **out,
                                      size_t *n);


/* Moves to the next hit: MORGUE_OK, or MORGUE_ITEROVER after the last; or
 * MORGUE_ECORRUPT (morgue_hits_errmsg says where) when morgue_hits_date()
 * or _date_offset() found the date column damaged, which they cannot
 * report themselves (columns are verified on first use). */
MORGUE_API int morgue_hits_next(morgue_hits *h);

/* Accessors for the current hit; valid until the next morgue_hits_next().
 *
 * morgue_hits_docid() is the article's number in this searcher's snapshot:
 * the same for every search on this searcher, but a later commit may
 * merge segments and number articles afresh, so it means nothing to
 * another searcher (one from morgue_searcher_reopen() included). To find
 * an article again, keep its identity (MORGUE_FIELD_ID) and call
 * morgue_searcher_get(). UINT64_MAX when there is no current hit. */
MORGUE_API double morgue_hits_score(const morgue_hits *h);
MORGUE_API uint64_t morgue_hits_docid(const morgue_hits *h);
MORGUE_API int64_t morgue_hits_date(const morgue_hits *h);
/* The current hit's date's UTC offset in minutes, or MORGUE_NO_OFFSET
 * (undated, no zone given, or an index written before offsets were kept).
 * The article's own calendar day is that of morgue_hits_date() plus this
 * many minutes (plus none for MORGUE_NO_OFFSET). */
MORGUE_API int morgue_hits_date_offset(const morgue_hits *h);

typedef enum morgue_field {
    MORGUE_FIELD_ID = 0,
    MORGUE_FIELD_URL = 1,    /* URL or path */
    MORGUE_FIELD_TITLE = 2,
    MORGUE_FIELD_SOURCE = 3,
    MORGUE_FIELD_TAGS = 4,   /* tags separated by '\n' */
    MORGUE_FIELD_BODY = 5,
    MORGUE_FIELD_PATH = 6,   /* the file it was read from (absolute); empty
                                for an article added in memory */
} morgue_field;

/* Stored field of the current hit as a (ptr, len) span, not NUL-terminated
 * in general; valid until the next morgue_hits_next() or free. */
MORGUE_API int morgue_hits_field(morgue_hits *h, morgue_field field,
                                 const char **ptr, size_t *len);

/* Snippet of the current hit: a short passage of the body with the query's
 * words wrapped in hl_open/hl_close. NUL-terminated; valid until the next
 * morgue_hits_next() or free. */
MORGUE_API int morgue_hits_snippet(morgue_hits *h, const char **snippet);

/* The current hit's whole title with the query's matches wrapped in
 * hl_open/hl_close, by the snippet's rules (HTML-escaped when hl_open
 * starts with '<'), so that a hit matched in its title alone shows why.
 * "" for an untitled article. NUL-terminated; valid until the next
 * morgue_hits_next() or free. */
MORGUE_API int morgue_hits_title_highlighted(morgue_hits *h,
                                             const char **title);

/* A match in the current hit's body: bytes [start, end) are a query word
 * (matched by stem) or a whole phrase. */
typedef struct morgue_match {
    size_t start, end;
} morgue_match;

/* The matches of the current hit's body, in order, instead of markup:
 * *out is owned by h, valid until the next morgue_hits_next() or free. */
MORGUE_API int morgue_hits_matches(morgue_hits *h, const morgue_match **out,
                                   size_t *n);

/* Message for the last failure of a call on h (morgue_hits_field,
 * _snippet, _matches, _facets); valid until the next call on h. */
MORGUE_API const char *morgue_hits_errmsg(const morgue_hits *h);

/* Frees h. NULL is allowed. */
MORGUE_API void morgue_hits_free(morgue_hits *h);

/* With MORGUE_QUERY_COLLAPSE: the articles (global ids, best ranked
 * first) folded under the current hit; *docids is owned by h, valid until
 * morgue_hits_free. Zero of them without collapsing. */
MORGUE_API int morgue_hits_duplicates(const morgue_hits *h,
                                      const uint64_t **docids, size_t *n);

/* With MORGUE_QUERY_COLLAPSE: the number of stories (matches after
 * folding) into *out and MORGUE_OK; MORGUE_ENOTFOUND when not known. */
MORGUE_API int morgue_hits_stories(const morgue_hits *h, uint64_t *out);

/* The searcher h came from. */
MORGUE_API morgue_searcher *morgue_hits_searcher(const morgue_hits *h);

/* The articles with the given global ids (morgue_hits_docid), in that
 * order, as a result list with a search's accessors (score 0, snippets
 * the body's start). MORGUE_ENOTFOUND when one is not a live article. */
MORGUE_API int morgue_searcher_docs(morgue_searcher *s,
                                    const uint64_t *docids, size_t n,
                                    morgue_hits **out);

/* ------------------------------------------------------------------ */
/* Near-duplicates, related articles, timelines                         */

/* An article's near-duplicate fingerprint: a sketch of its body's word
 * 3-shingles (64 one-byte MinHash values; the index keeps it as a column,
 * docs/FORMAT.md). All bytes 0xFF: no fingerprint (an empty body, or an
 * index written before fingerprints). */
#define MORGUE_FINGERPRINT_BYTES 64
/* The resemblance above which two articles are near-duplicates unless
 * told otherwise (measured: benchmarks/dups/README.md). */
#define MORGUE_DEFAULT_SIMILARITY 0.5

/* The fingerprint morgue would give an article with this body. */
MORGUE_API int morgue_fingerprint_text(const char *text, size_t len,
                                       uint8_t out[MORGUE_FINGERPRINT_BYTES]);

/* Estimated resemblance (Jaccard of the shingle sets) of two
 * fingerprints, 0..1; 0 when either is "no fingerprint". */
MORGUE_API double morgue_fingerprint_similarity(const uint8_t *a,
                                                const uint8_t *b);

/* The stored fingerprint of article docid; MORGUE_ENOTFOUND when it is not
 * a live article. */
MORGUE_API int morgue_searcher_fingerprint(morgue_searcher *s, uint64_t docid,
                                           uint8_t out[MORGUE_FINGERPRINT_BYTES]);

/* "More like this": articles about the same story or topic as article
 * docid, found by an any-word query of its most distinctive words (tf *
 * idf, docs/QUERY.md), ranked as a search is; the article itself and its
 * near-duplicates (resemblance >= opts->collapse_similarity, default
 * MORGUE_DEFAULT_SIMILARITY) are left out. opts as for morgue_search (may
 * be NULL); with MORGUE_QUERY_COLLAPSE copies among the answers are
 * folded. MORGUE_ENOTFOUND when docid is not a live article. */
MORGUE_API int morgue_similar(morgue_searcher *s, uint64_t docid,
                              const morgue_query_opts *opts,
                              morgue_hits **out);

/* A story in a timeline period: matching articles that are alike (near-
 * duplicates, or sharing their most distinctive words) and at most three
 * days apart. */
typedef struct morgue_story {
    const char *title;       /* headline of its best ranked article */
    uint64_t count;          /* its articles in this period */
    const uint64_t *docids;  /* those, best ranked first */
    int64_t first_date;      /* the whole story's dates, or MORGUE_NO_DATE,
                                on its articles' own clocks (the date
                                plus its UTC offset), so that their UTC
                                day is the articles' own calendar day */
    int64_t last_date;
} morgue_story;

typedef struct morgue_period {
    const char *period;      /* "2022-01-05" (a day; a week by its Monday,
                                ISO 8601 weeks) or "2022-01" (a month);
                                NULL for the undated articles, last */
    uint64_t count;          /* matching articles in the period */
    const morgue_story *stories; /* n_stories, most articles first */
    size_t n_stories;
} morgue_period;

typedef struct morgue_timeline morgue_timeline;

#define MORGUE_TIMELINE_DAY 1
#define MORGUE_TIMELINE_WEEK 2
#define MORGUE_TIMELINE_MONTH 3

/* Every match of query (as morgue_search finds them with opts; limit,
 * offset and facets are ignored) grouped into stories and laid out per
 * period (MORGUE_TIMELINE_*), oldest first. On success *out is new; free
 * it with morgue_timeline_free. Every pointer in it is owned by it. */
MORGUE_API int morgue_timeline_build(morgue_searcher *s, const char *query,
                               const morgue_query_opts *opts, int by,
                               morgue_timeline **out);
MORGUE_API size_t morgue_timeline_count(const morgue_timeline *t);
/* Period i (0 <= i < count), oldest first, into *out. */
MORGUE_API int morgue_timeline_get(const morgue_timeline *t, size_t i,
                                   morgue_period *out);
/* NULL is allowed. */
MORGUE_API void morgue_timeline_free(morgue_timeline *t);

/* A group of near-duplicate articles. */
typedef struct morgue_cluster {
    size_t size;
    const uint64_t *docids; /* size global ids, the best representative
                               first (the one resembling most others),
                               then by date; owned by the morgue_clusters */
    int64_t first_date;     /* earliest member date, or MORGUE_NO_DATE,
                               on the members' own clocks (as
                               morgue_story's); the order is by instant */
    int64_t last_date;
} morgue_cluster;

typedef struct morgue_clusters morgue_clusters;

/* Every cluster of two or more articles that resemble each other at least
 * min_similarity (0 < x <= 1; linked pairs joined transitively), biggest
 * first. On success *out is new; free it with morgue_clusters_free. */
MORGUE_API int morgue_dups(morgue_searcher *s, double min_similarity,
                           morgue_clusters **out);
MORGUE_API size_t morgue_clusters_count(const morgue_clusters *c);
/* Cluster i (0 <= i < count) into *out; valid until morgue_clusters_free. */
MORGUE_API int morgue_clusters_get(const morgue_clusters *c, size_t i,
                                   morgue_cluster *out);
/* NULL is allowed. */
MORGUE_API void morgue_clusters_free(morgue_clusters *c);

/* Looks articles up by key, tried in this order: an identity (the id a
 * search shows), the path of the file they were read from (relative
 * paths are taken from the current directory; every article of that file,
 * in index order), or a stored URL (compared exactly; this reads every
 * stored record, so it is slow on a big index). On success *out is a
 * result list of those articles, positioned before the first, with the
 * same accessors as a search's (score 0, snippets the body's start);
 * MORGUE_ENOTFOUND when nothing has that key. */
MORGUE_API int morgue_searcher_get(morgue_searcher *s, const char *key,
                                   morgue_hits **out);
/* ------------------------------------------------------------------ */
/* Clusters                                                             */
/*
 * An archive bigger than one machine lives in a Sphinx cluster (searchd
 * 2.2, docs/CLUSTER.md): RT shards, optional mirrors, and a head whose
 * distributed index queries them all. A cluster is described by a
 * cluster file (DIR/cluster.conf, written by morgue_cluster_init()). The
 * file table stays local, beside it, so `morgue index --cluster` is as
 * incremental as a local run. Searching a cluster uses the same
 * morgue_search() and morgue_hits_* calls; some ranking constructs are
 * approximate there (docs/CLUSTER.md lists them).
 */

typedef struct morgue_cluster_opts {
    unsigned version;     /* MORGUE_CLUSTER_OPTS_VERSION */
    unsigned shards;      /* 0: 2 */
    unsigned mirrors;     /* copies of each shard; 0: 1 (no mirror) */
    unsigned port;        /* first TCP port; each searchd takes two (SQL,
                             agent) from here on; 0: 9306 */
    const char *host;     /* address every searchd listens on; NULL:
                             "127.0.0.1" */
    const char *language; /* Snowball stemmer; NULL: "english" */
} morgue_cluster_opts;

#define MORGUE_CLUSTER_OPTS_VERSION 1
#define MORGUE_CLUSTER_OPTS_INIT { MORGUE_CLUSTER_OPTS_VERSION, 0, 0, 0, NULL, NULL }

/* Writes a new cluster in dir (created): dir/cluster.conf, one folder per
 * searchd (shards, mirrors, head) with its searchd.conf, and systemd units
 * in dir/systemd. Fails with MORGUE_EINVAL if dir already holds a
 * cluster. opts may be NULL. */
MORGUE_API int morgue_cluster_init(const char *dir,
                                   const morgue_cluster_opts *opts);

/* Starts the searchd processes of the cluster in dir that are not running
 * (their pid files are in their folders) and waits until each answers
 * SphinxQL. searchd is found in $MORGUE_SEARCHD, else /usr/bin/searchd. */
MORGUE_API int morgue_cluster_start(const char *dir);

/* Stops the running searchd processes of the cluster in dir (SIGTERM,
 * then SIGKILL after 10 s), by the pids in their pid files. */
MORGUE_API int morgue_cluster_stop(const char *dir);

/* Merges the shard index of every node of the cluster in dir (mirrors
 * too, local or not: over SQL) into one disk chunk, and returns when
 * every node reports one. searchd weighs words per chunk, so ranked
 * queries agree best with a local index right after this; run it after
 * large indexing runs (docs/CLUSTER.md). It rewrites each shard (time
 * grows with the shard's size); searches go on meanwhile. It holds the
 * cluster's writer lock throughout: MORGUE_EBUSY at once when a writer
 * holds it. A node that fails gives MORGUE_EIO naming it, after the
 * others were done. */
MORGUE_API int morgue_cluster_optimize(const char *dir);

/* Opens a writer over the cluster described by cluster_file: the same
 * walk, file table and writer lock as a local index (kept in a folder
 * beside the file); articles go to the shards, routed by identity, and
 * the file table is committed only after every shard confirmed. A shard
 * that does not answer fails the commit (MORGUE_EIO) and the writer; the
 * next run sends again what was not committed. opts->rebuild is not
 * supported (MORGUE_EINVAL). */
MORGUE_API int morgue_writer_open_cluster(morgue_writer **out,
                                          const char *cluster_file,
                                          const morgue_writer_opts *opts);

/* Opens a searcher over the cluster described by cluster_file. Unlike a
 * local searcher it is not a snapshot: each search sees what the shards
 * hold at that moment, and morgue_searcher_reopen() on it always gives
 * NULL. opts may be NULL. */
MORGUE_API int morgue_searcher_open_cluster(morgue_searcher **out,
                                            const char *cluster_file,
                                            const morgue_searcher_opts *opts);

/* 1 when some shard did not answer (the hits, totals and facets then
 * cover only the shards that did), else 0. Always 0 for a local index. */
MORGUE_API int morgue_hits_partial(const morgue_hits *h);

/* What went wrong when morgue_hits_partial() is 1: one message per line;
 * "" otherwise. Valid until morgue_hits_free(). */
MORGUE_API const char *morgue_hits_warnings(const morgue_hits *h);

/* Like morgue_hits_warnings() for the last morgue_searcher_stats() on s:
 * "" when every shard answered (always for a local index). Valid until
 * the next call on s. */
MORGUE_API const char *morgue_searcher_warnings(const morgue_searcher *s);

#ifdef __cplusplus
}
#endif

#endif /* MORGUE_H */
