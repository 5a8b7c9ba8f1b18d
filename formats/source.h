/* source.h: the one interface every article format reader implements.
 *
 * A reader gets the whole (already decompressed) content of one file, or
 * of a long one a window of whole records, and pushes the articles it
 * finds to a sink. It never prints: problems go to
 * sink->warning with the line (1-based) or byte offset of the record, and
 * the record is skipped. Readers never allocate memory that outlives the
 * read() call; spans handed to the sink are valid during that call only.
 */
#ifndef MORGUE_FORMATS_SOURCE_H
#define MORGUE_FORMATS_SOURCE_H

#include <stdint.h>
#include "util/span.h"

#define FMT_MAX_TAGS 64

/* An article as a reader found it. Text fields are raw bytes from the file
 * (entities decoded); invalid UTF-8 is repaired later by the writer. */
typedef struct fmt_article {
    span id;            /* source's own id (NEWID, Message-ID, JSON id) */
    span url;           /* URL when the format has one; else empty */
    span title;
    span source;        /* publication / author / newsgroup poster */
    span body;
    span lang;          /* language tag the input declares (HTML lang,
                           JSON "lang", Content-Language); else empty */
    span tags[FMT_MAX_TAGS];
    size_t n_tags;
    int64_t date;       /* seconds since epoch UTC, or MORGUE_NO_DATE */
    int date_off;       /* the zone the date named, minutes east of UTC;
                           MORGUE_NO_OFFSET when none (or no date) */
    uint64_t line;      /* 1-based line where the record starts */
    uint64_t offset;    /* byte offset where the record starts */
    uint64_t ordinal;   /* 0-based index of the record within the file */
} fmt_article;

typedef struct fmt_sink {
    /* Receives one article; a non-zero return (a morgue_error_code) stops
     * the reader, which returns that code. */
    int (*article)(void *ud, const fmt_article *a);
    /* Reports a skipped or repaired record; line 0 when unknown. */
    void (*warning)(void *ud, uint64_t line, uint64_t offset,
                    const char *msg);
    void *ud;
    uint64_t skipped;   /* readers add 1 for every record they skip */
    int mtime_dates;    /* set by the caller: an article with no date of
                           its own (nor one in its path) takes the file's
                           modification time; else it stays undated */
    int resumable;      /* set before the first article: the articles'
                           (offset, line - 1, ordinal) are places the file
                           can be read again from (fmt_read_file_from): a
                           plain file read by a reader that streams */
} fmt_sink;

/* A place in a file's content where a record starts: its byte offset,
 * the lines before it, its record number. */
typedef struct fmt_pos {
    uint64_t offset, line, ordinal;
} fmt_pos;

/* Everything a reader knows about its input. */
typedef struct fmt_input {
    const char *path;   /* file path as given (for path dates, messages) */
    const char *data;   /* whole decompressed content, or one window of it */
    size_t len;
    int64_t mtime;      /* file modification time, seconds UTC, when the
                           sink asks for mtime dates; else MORGUE_NO_DATE */
    /* A reader that streams (fmt_reader.streams) may be handed a long
     * file as consecutive windows of whole lines, so that no file is held
     * whole (formats/stream.c). These say where data[0] sits in the file
     * (0 for a whole file); the reader numbers its records from
     * first_ordinal and stores the next free ordinal in *next_ordinal
     * when that is not NULL. */
    uint64_t first_line, first_offset, first_ordinal;
    uint64_t *next_ordinal;
} fmt_input;

typedef struct fmt_reader {
    const char *name;   /* "text", "html", "jsonl", "reuters", "rfc822" */
    /* 0..100: how sure the reader is that the input is its format, judged
     * from the first bytes and the file name. */
    int (*sniff)(const fmt_input *in);
    /* Pushes every article of in to sink. Returns MORGUE_OK, or the
     * sink's error, or MORGUE_ENOMEM. */
    int (*read)(const fmt_input *in, fmt_sink *sink);
    /* Streaming (formats/stream.c): non-NULL, and 1 for a file whose head
     * this is, when the file's records are runs of whole lines, so that
     * read() may be called once per window of whole records
     * (fmt_input.first_*). NULL or 0: read() needs the whole file (one
     * article, at most FMT_MAX_ARTICLE bytes of it). */
    int (*streams)(const fmt_input *head);
    /* For a reader that streams: 1 when the line at p (its bytes to its
     * newline, or at least FMT_RECORD_PEEK of them, are in p[0..n))
     * starts a record; NULL when every line does (JSON Lines). */
    int (*record_start)(const char *p, size_t n);
} fmt_reader;

/* How much of a line record_start() is shown at least. */
#define FMT_RECORD_PEEK 128
/* The most of a file read for one article (a text, HTML or e-mail file,
 * or one record of a streamed file), after decompression: a longer one is
 * cut there with a warning (JSON Lines, whose lines cannot be cut, skips
 * it instead). */
#define FMT_MAX_ARTICLE ((size_t)64 << 20)

/* The readers, one per file in formats/. */
extern const fmt_reader fmt_text_reader;
extern const fmt_reader fmt_html_reader;
extern const fmt_reader fmt_jsonl_reader;
extern const fmt_reader fmt_reuters_reader;
extern const fmt_reader fmt_rfc822_reader;

/* Reader named name, or NULL. */
const fmt_reader *fmt_by_name(const char *name);

/* Best reader for in by sniffing (never NULL: plain text is the fallback). */
const fmt_reader *fmt_detect(const fmt_input *in);

/* Outcome of fmt_read_file(). */
typedef struct fmt_file_result {
    const char *format; /* reader used, NULL when the file was skipped */
    uint64_t bytes;     /* bytes read from disk */
    uint64_t peak;      /* most bytes of it held at once (what tests of
                           bounded reading check) */
    int binary;         /* 1 when skipped as binary */
} fmt_file_result;

/* Reads the file at path (gunzipping it when it is gzip), skips it with a
 * warning when it looks binary, picks a reader (format_name, or detection)
 * and runs it. Returns MORGUE_OK, MORGUE_EIO/ENOTFOUND when the file cannot
 * be read (errmsg gets a message), MORGUE_EINVAL for an unknown format name,
 * or the sink's error. */
int fmt_read_file(const char *path, const char *format_name, fmt_sink *sink,
                  fmt_file_result *res, char *errmsg, size_t errmsg_len);

/* fmt_read_file() did nothing: the file cannot be read from the place
 * asked (its reader does not stream, or its content is shorter). */
#define FMT_NOT_RESUMED 2

/* The same from place from (a record start an earlier read reported, the
 * sink being resumable), NULL: from the start. The file's head still
 * picks the reader. Returns FMT_NOT_RESUMED, having reported nothing,
 * when it cannot. */
int fmt_read_file_from(const char *path, const char *format_name,
                       const fmt_pos *from, fmt_sink *sink,
                       fmt_file_result *res, char *errmsg,
                       size_t errmsg_len);

/* What a resume point checks before a file is read on from it: that the
 * content before the place is still as read. A fingerprint of the first
 * off bytes of a file's content (inflated, for gzip) is hash64 of up to
 * 4 KiB at their start, up to 4 KiB at their end, and off (8 bytes, host
 * order); for a plain file two preads, for gzip an inflate from the start
 * (the reader keeps its place, so growing offsets, as a file's
 * checkpoints ask, inflate the file once). */
typedef struct fmt_print fmt_print;

/* A reader of path's content for fingerprints: MORGUE_OK, or
 * MORGUE_ENOMEM / MORGUE_EIO (errno tells). */
int fmt_print_open(fmt_print **out, const char *path);

/* 0 and *fp, or -1 when the content is shorter than off (or unreadable,
 * or its gzip data damaged before off). */
int fmt_print_at(fmt_print *p, uint64_t off, uint64_t *fp);

/* hash64 of the content's bytes from off on, to its end or max bytes,
 * whichever comes first, and *len how many that was: 0, or -1 when the
 * content is shorter than off (or unreadable, or its gzip data damaged
 * before off). What a resume point checks of the record at it (the last
 * one read, which a rewrite may have replaced). */
int fmt_print_span(fmt_print *p, uint64_t off, uint64_t max,
                   uint64_t *len, uint64_t *hash);

void fmt_print_close(fmt_print *p);

/* Reads in memory content (already decompressed) the same way. */
int fmt_read_buffer(const fmt_input *in, const char *format_name,
                    fmt_sink *sink, fmt_file_result *res);

#endif
