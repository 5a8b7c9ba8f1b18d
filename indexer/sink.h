/* sink.h: where a writer's articles go when they do not go into local
 * segments. A writer opened with a sink (writer_open_sink) keeps its own
 * folder for the lock and the file table, walks and reads files exactly
 * as for a local index, and hands every replacement and deletion to the
 * sink instead of the inverter. The sink buffers them; flush() must make
 * everything given so far durable elsewhere (or fail), and the writer
 * commits its file table only after a flush succeeded, so a failed flush
 * leaves the file table at the last commit and the next run sends the
 * same articles again (replacing by identity, so never twice). cluster/
 * implements it for Sphinx shards. */
#ifndef MORGUE_INDEXER_SINK_H
#define MORGUE_INDEXER_SINK_H

#include <stddef.h>
#include <stdint.h>

#include "indexer/invert.h"
#include "morgue.h"
#include "util/error.h"

typedef struct writer_sink {
    /* Replaces the article with identity d->ident (or adds it). d and the
     * spans in it are valid during the call only. */
    int (*put)(void *ctx, const invert_doc *d, errmsg *e);
    /* Deletes the article with identity hash ident, if there is one. */
    int (*del)(void *ctx, uint64_t ident, errmsg *e);
    /* Bytes buffered and not yet flushed. */
    size_t (*buffered)(void *ctx);
    /* Sends everything buffered; MORGUE_OK once it is durable. */
    int (*flush)(void *ctx, errmsg *e);
    /* Frees ctx (what was not flushed is dropped). */
    void (*close)(void *ctx);
} writer_sink;

/* morgue_writer_open() over dir (lock, MANIFEST, file table; no segments
 * are ever written), sending articles to sink. ctx is owned by the writer
 * from this call on (closed with sink->close even when opening fails). */
int writer_open_sink(morgue_writer **out, const char *dir,
                     const morgue_writer_opts *opts,
                     const writer_sink *sink, void *ctx);

#endif
