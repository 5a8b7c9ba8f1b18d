/* check.h: integrity checking of an index (morgue_index_check). */
#ifndef MORGUE_INDEX_CHECK_H
#define MORGUE_INDEX_CHECK_H

#include <stdint.h>

#include "index/manifest.h"
#include "index/segment.h"
#include "morgue.h"
#include "util/error.h"

/* Opens and fully checks the segment ms names, and reads its deletion
 * file into *del (NULL when none). On success s stays open. */
int check_segment(const char *dir, const manifest_seg *ms, segment *s,
                  uint8_t **del, morgue_check_result *r, errmsg *e);

#endif
