/* with_crc.h: what the fuzz targets of CRC-sealed files (MANIFEST, file
 * table) share: the input made to pass its checksum, so that the parser
 * behind the CRC check is what gets fuzzed. */
#ifndef MORGUE_FUZZ_WITH_CRC_H
#define MORGUE_FUZZ_WITH_CRC_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* A copy of the input whose last 4 bytes are the CRC of the rest. */
static inline uint8_t *with_crc(const uint8_t *data, size_t size)
{
    uint8_t *p = malloc(size + 1);
    if (!p)
        return NULL;
    memcpy(p, data, size);
    if (size >= 4) {
        uint32_t c = (uint32_t)crc32(0L, p, (uInt)(size - 4));
        for (int k = 0; k < 4; k++)
            p[size - 4 + k] = (uint8_t)(c >> (8 * k));
    }
    return p;
}

#endif
