/* format.h: morgue's on-disk format, in prose and constants. docs/FORMAT.md
 * is written from this comment; keep the two in step.
 *
 * An index is a directory:
 *   LOCK                  empty; a writer holds flock(LOCK_EX) on it
 *   MANIFEST              the current commit (replaced atomically by rename)
 *   seg_<16 hex>.mseg     one immutable file per segment
 * Files that MANIFEST does not name are leftovers of an unfinished commit
 * and are removed by the next writer.
 *
 * All integers are little-endian. varint = unsigned LEB128 (7 bits a byte,
 * low first, at most 10 bytes). CRCs are CRC-32 (zlib's crc32()).
 *
 * MANIFEST
 *   magic "MRGMANI1" (8) | u32 format version | u32 reserved (0)
 *   u64 generation (1 for the first commit, +1 each commit)
 *   u64 next segment id
 *   u8 n + n bytes: stemmer language name
 *   u32 segment count, then per segment:
 *     u64 segment id | u32 documents | u32 reserved (0)
 *   u32 CRC of every byte before it
 *
 * Segment file (.mseg)
 *   header:  magic "MRGSEGM1" (8) | u32 format version | u32 reserved
 *   sections, each 8-byte aligned, in any order
 *   directory: per section: u32 tag | u32 reserved | u64 offset |
 *              u64 length | u32 CRC of the section | u32 reserved
 *   footer (32 bytes): u64 directory offset | u32 section count |
 *              u32 CRC of the directory | u32 format version |
 *              u32 reserved | magic "MRGSEGE1" (8)
 * A reader finds the footer at the end, checks both magics, the version and
 * the directory CRC, and ignores sections whose tag it does not know: new
 * per-article columns (language, near-duplicate fingerprint, source id) are
 * added as new tags without changing anything else.
 *
 * Section META: u32 documents | u32 reserved | u64 sum of token counts |
 *   u64 sum of title token counts | i64 min date | i64 max date |
 *   u64 distinct terms | u64 distinct words (namespace 'E')
 *
 * Section DLEN: u32 per document: tokens in title + body.
 * Section TLEN: u32 per document: tokens in the title.
 * Section DATE: i64 per document: seconds UTC, INT64_MIN for none.
 *
 * Section TDIC: the term dictionary. Keys are a namespace byte + UTF-8:
 *   'E' exact word (case-folded, unstemmed) with positions, title + body
 *   'S' stem, title + body         'T' stem, title only
 *   'G' tag (case-folded)          'O' source (case-folded)
 *   u32 term count | u32 block count | u32 terms per block (32) |
 *   u32 offset of the block index within TDIC
 *   blocks; each starts with u64 postings offset and u64 positions offset
 *   of its first term, then per term:
 *     varint shared prefix with previous key in the block (0 for the
 *     first) | varint suffix length | suffix bytes |
 *     varint document frequency | varint postings bytes |
 *     varint positions bytes (0 when the term has no positions)
 *   block index: u32 offset (within TDIC) per block
 *   Terms are in byte order of their keys; a term's postings and positions
 *   follow those of the term before it.
 *
 * Section POST: per term, its postings. Documents are grouped in blocks of
 * 128; the last block may be shorter. With more than one block a skip
 * table comes first, one entry per block:
 *   varint (last doc id - previous entry's last doc id) |
 *   varint block bytes | varint positions bytes of the block |
 *   varint n (1..8) | n pairs of varint tf, varint document length
 *   (DLEN, or TLEN for 'T'): the block's impacts, the (tf, length) pairs
 *   that no other document of the block beats on both counts, by tf
 *   descending (an eighth pair may merge the rest as their largest tf and
 *   smallest length). The block's best BM25 contribution is reached at
 *   one of them for any k1, b and average length, so the searcher skips
 *   blocks that cannot enter the top k without decoding them.
 * A term with one block has no skip table.
 *   Full block: u8 bit width w | 128 doc gaps bit-packed at w bits |
 *     u8 bit width v | 128 (term frequency - 1) bit-packed at v bits.
 *   Last (short) block: per document varint gap | varint (tf - 1).
 *   Packing is least-significant bit first. A gap is doc id minus previous
 *   doc id minus 1; the first gap of the term is the doc id itself.
 *
 * Section POSN: per term with positions, per document in postings order,
 * tf varints: first position, then differences. Title tokens take
 * positions 0.., body tokens start at title length + POS_FIELD_GAP so that
 * no phrase spans the two fields.
 *
 * Section STOR: stored fields in raw deflate streams (RFC 1951, no zlib
 * header: the section CRC guards them), each holding the records of
 * consecutive documents. Record: per field (id, url, title, source, tags,
 * body, in that order): varint length | bytes. Tags are joined by '\n'.
 * Each stream is deflated with the preset dictionary in section SDIC (the
 * segment's first 32 KiB of records), when that section is present.
 * Section SIDX: u32 block count, then per block: u32 first document |
 *   u32 compressed bytes | u32 raw bytes | u32 reserved | u64 offset in STOR.
 * Section SDIC: the preset dictionary, raw bytes (at most 32 KiB).
 */
#ifndef MORGUE_INDEX_FORMAT_H
#define MORGUE_INDEX_FORMAT_H

#include <stdint.h>

#define FORMAT_VERSION 1

#define MANIFEST_MAGIC "MRGMANI1"
#define SEGMENT_MAGIC "MRGSEGM1"
#define SEGMENT_END_MAGIC "MRGSEGE1"
#define SEGMENT_FOOTER_SIZE 32
#define SEGMENT_DIR_ENTRY_SIZE 32

#define TAG(a, b, c, d)                                                      \
    ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 |              \
     (uint32_t)(d) << 24)
#define SEC_META TAG('M', 'E', 'T', 'A')
#define SEC_DLEN TAG('D', 'L', 'E', 'N')
#define SEC_TLEN TAG('T', 'L', 'E', 'N')
#define SEC_DATE TAG('D', 'A', 'T', 'E')
#define SEC_TDIC TAG('T', 'D', 'I', 'C')
#define SEC_POST TAG('P', 'O', 'S', 'T')
#define SEC_POSN TAG('P', 'O', 'S', 'N')
#define SEC_STOR TAG('S', 'T', 'O', 'R')
#define SEC_SIDX TAG('S', 'I', 'D', 'X')
#define SEC_SDIC TAG('S', 'D', 'I', 'C')

#define META_SIZE 56
#define TDIC_BLOCK_TERMS 32
#define SIDX_ENTRY_SIZE 24
#define POS_FIELD_GAP 16
#define IMPACTS_MAX 8 /* (tf, length) pairs per skip entry */

/* Term namespaces (first byte of a key). */
#define NS_WORD 'E'
#define NS_STEM 'S'
#define NS_TITLE 'T'
#define NS_TAG 'G'
#define NS_SOURCE 'O'

#define STORED_FIELDS 6 /* id, url, title, source, tags, body */
#define MAX_KEY 256     /* longest term key in bytes */

#endif
