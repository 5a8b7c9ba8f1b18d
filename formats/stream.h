/* stream.h: reading a long file of line records in windows (stream.c),
 * so that no file is held whole; used by fmt_read_file(). */
#ifndef MORGUE_FORMATS_STREAM_H
#define MORGUE_FORMATS_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "formats/source.h"

/* fmt_stream_file() did nothing: read the file whole instead. */
#define FMT_NOT_STREAMED 1

/* Reads the file at path, when it is gzip or at least 8 MiB, with forced
 * or the reader detected from its head: window by window when that
 * reader streams, else whole up to FMT_MAX_ARTICLE; name_no_gz is the
 * path the readers see for a gzip file. Returns FMT_NOT_STREAMED, having
 * reported nothing, for a short plain file (or one it cannot open), which
 * read.c reads whole; else as fmt_read_file(). */
int fmt_stream_file(const char *path, const char *name_no_gz,
                    const fmt_reader *forced, fmt_sink *sink,
                    fmt_file_result *res, char *errmsg, size_t errmsg_len);

/* The same from place from (not NULL), whatever the file's size: streams
 * it from there, or returns FMT_NOT_RESUMED having reported nothing. */
int fmt_stream_file_from(const char *path, const char *name_no_gz,
                         const fmt_reader *forced, const fmt_pos *from,
                         fmt_sink *sink, fmt_file_result *res, char *errmsg,
                         size_t errmsg_len);

/* Tests and fuzzing: windows of window bytes (also the head detection
 * sees, when smaller), records capped at max_record, plain files streamed
 * from stream_from bytes; window 0 restores the defaults (4 MiB, 64 MiB,
 * 8 MiB), as does max_record 0 for its own. Not thread-safe: set it
 * before reading. */
void fmt_stream_tune(size_t window, size_t max_record, uint64_t stream_from);

/* NUL bytes, or more than 10% control bytes, in the first 8 KB. */
int fmt_looks_binary(const char *p, size_t n);

#endif
