/* format.h: morgue's on-disk format, in prose and constants. docs/FORMAT.md
 * is written from this comment; keep the two in step.
 *
 * An index is a directory:
 *   LOCK                  empty; a writer holds flock(LOCK_EX) on it
 *   MANIFEST              the current commit (replaced atomically by rename)
 *   seg_<16 hex>.mseg     one immutable file per segment
 *   seg_<16 hex>_<16 hex>.del  the deleted documents of a segment as of
 *                         one commit (segment id, deletion generation)
 *   files_<16 hex>.mft    the file table as of one commit (generation)
 * Every file but LOCK and MANIFEST is written once, fsynced, and never
 * changed: a commit writes new deletion files and a new file table under
 * new names, fsyncs the directory, then replaces MANIFEST (write
 * MANIFEST.tmp, fsync, rename, fsync the directory). Files that MANIFEST
 * does not name are leftovers of an unfinished commit or superseded by a
 * later one, and are removed by the writer (after its commits, and when it
 * opens).
 *
 * All integers are little-endian. varint = unsigned LEB128 (7 bits a byte,
 * low first, at most 10 bytes). CRCs are CRC-32 (zlib's crc32()).
 *
 * Format version 3 is written; version 2 is read too (no feature bits in
 * MANIFEST, no FEAT or CDIR in segments, exactly the columns DLEN, TLEN,
 * DATE; deletion files and file tables alike in both).
 *
 * Feature bits (index/features.h): three u64 sets, compat (unknown bits
 * ignored), rocompat (unknown bits: read but refuse to write), incompat
 * (unknown bits: refuse to read). MANIFEST holds the union of its
 * segments'. Version 3 defines incompat bits 0 ZSTORE, 1 PACKTAIL and 2
 * PFOR and compat bit 0 COLPAGES (index/features.h).
 *
 * MANIFEST
 *   magic "MRGMANI1" (8) | u32 format version | u32 reserved (0)
 *   u64 compat | u64 rocompat | u64 incompat (version 3 only)
 *   u64 generation (1 for the first commit, +1 each commit)
 *   u64 next segment id
 *   u8 n + n bytes: stemmer language name
 *   u64 file table generation (0: no file table)
 *   u32 segment count, then per segment, in document-numbering order:
 *     u64 segment id | u32 documents | u32 deleted documents |
 *     u64 deletion generation (0: nothing deleted, no deletion file)
 *   u32 CRC of every byte before it
 *
 * Deletion file (seg_<id>_<delgen>.del): the segment's deleted documents.
 *   magic "MRGDELS1" (8) | u32 format version | u32 reserved (0) |
 *   u64 segment id | u32 documents | u32 deleted documents |
 *   bitmap, (documents + 7) / 8 bytes: bit d % 8 of byte d / 8 is set when
 *   document d is deleted; bits past the last document are 0 |
 *   u32 CRC of every byte before it
 * The deleted count equals the bits set and the manifest's count.
 *
 * File table (files_<gen>.mft): what `morgue index` read, so a rerun can
 * skip unchanged files and delete the articles of vanished ones.
 *   magic "MRGFILE1" (8) | u32 format version | u32 reserved (0) |
 *   u32 root count | u32 file count
 *   roots, each: varint length | bytes (a folder or file given to
 *     morgue_writer_add_path, as an absolute canonical path)
 *   files, sorted by path bytes, no two alike, each:
 *     varint path length | path bytes (absolute) |
 *     varint root (index into roots + 1; 0: added as a single file) |
 *     u64 size in bytes | i64 modification time (ns since the epoch) |
 *     u64 content hash (hash64 of the raw file bytes) |
 *     u8 flags (bit 0: "racy", modified too close to when it was read:
 *       compare the content hash on the next run whatever the time says;
 *       other bits 0) |
 *     varint article count | per article: u64 identity hash
 *   u32 CRC of every byte before it
 *
 * hash64 (identities and file contents): h = 0x9E3779B97F4A7C15; for each
 * 8-byte little-endian word w of the input, then for one last word made of
 * the 0..7 remaining bytes zero-padded: w *= 0x87C37B91114253D5,
 * w = rotl(w, 31), w *= 0x4CF5AD432745937F, h ^= w,
 * h = rotl(h, 27) * 5 + 0x52DCE729. Then h ^= input length, and the fmix64
 * finaliser: h ^= h >> 33, h *= 0xFF51AFD7ED558CCD, h ^= h >> 33,
 * h *= 0xC4CEB9FE1A85EC53, h ^= h >> 33 (all arithmetic mod 2^64).
 * An article's identity is its stored id field: the format's own id
 * (JSON Lines id, else url; Reuters NEWID; Message-ID), else its file's
 * path, plus "#<record ordinal>" for the second and later records of a
 * multi-article file. Two articles with the same identity hash are the
 * same article: adding one deletes the other.
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
 * the directory CRC, and ignores sections whose tag it does not know
 * unless CDIR names them as columns.
 *
 * Section FEAT (version 3): u64 compat | u64 rocompat | u64 incompat.
 *
 * Section CDIR (version 3), the column directory: u32 count | u32 reserved
 *   | per column: u32 tag | u8 width (1, 2, 4, 8) | u8 flags (bit 0
 *   must-understand, bit 1 signed) | u16 reserved | u64 default.
 * Each column is a section of that tag holding documents * width bytes,
 * little-endian values. A reader refuses an unknown must-understand
 * column; other unknown columns are ignored by searches and carried by
 * merges (documents of sources without a column take its default). The
 * known columns are index/columns.c's col_table (DLEN, TLEN, DATE).
 *
 * Section META: u32 documents | u32 reserved | u64 sum of token counts |
 *   u64 sum of title token counts | i64 min date | i64 max date |
 *   u64 distinct terms | u64 distinct words (namespace 'E')
 *
 * Section CPAG (feature FEAT_COMPAT_COLPAGES, compat bit 0), column
 *   pages: u32 count | u32 page shift p (12: pages of 4 KiB) | per
 *   column: u32 tag | u32 pages | u64 largest
 *   value (compared as signed for signed columns; 0 for no documents) |
 *   then per column, in the same order, its pages' u32 CRCs: the pages
 *   follow the file's, page g being the section's part of file bytes
 *   [(o >> p) + g << p, (o >> p) + g + 1 << p), o the section's offset
 *   (so pages = ceil(((o mod 2^p) + section bytes) / 2^p), 0 when empty). Written for the columns read one document at a time
 *   (DLEN, TLEN, DATE, DOFF, LANG), so that a query verifies the pages
 *   it reads and no more; the section CRCs stay, for merges, whole
 *   scans and `morgue check`. Readers without the feature ignore it.
 *
 * Column DLEN: u32 per document: tokens in title + body.
 * Column TLEN: u32 per document: tokens in the title.
 * Column DATE: i64 per document: seconds UTC, INT64_MIN for none.
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
 *     varint document frequency | varint (postings bytes << 1 | alias) |
 *     when alias: varint postings offset of the aliased term |
 *     varint positions bytes (0 when the term has no positions)
 *   block index: u32 offset (within TDIC) per block
 *   Terms are in byte order of their keys; a term's postings and positions
 *   follow those of the term before it. An alias term has no postings of
 *   its own: it reads those of an earlier term (a stem reached from one
 *   word only shares that word's postings; merged segments keep this when
 *   the stem has one word in every source segment).
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
 *     With the incompat feature PFOR, each of the two is a PFor block
 *     (index/codec.h): bit 7 of the width byte set means u8 k follows,
 *     then the values' low bits, then k exceptions (u8 index ascending |
 *     varint of the value's bits above the width).
 *   Last (short) block of n < 128 documents: with the segment's incompat
 *   feature PACKTAIL, n >= POSTINGS_PACK_MIN (8) is packed as a full
 *   block but with n values each; n < 8 is, per document, varint
 *   (gap << 1 | (tf == 1)), then varint (tf - 2) only when tf > 1.
 *   Without PACKTAIL (older segments): per document varint gap | varint
 *   (tf - 1).
 *   Packing is least-significant bit first. A gap is doc id minus previous
 *   doc id minus 1; the first gap of the term is the doc id itself.
 *
 * Section POSN: per term with positions, per document in postings order,
 * tf varints: first position, then differences. Title tokens take
 * positions 0.., body tokens start at title length + POS_FIELD_GAP so that
 * no phrase spans the two fields.
 *
 * Stored text, feature ZSTORE (incompat bit 0; every segment this
 * library writes): heads (id, url, title, source, tags) in HSTO, HIDX,
 * HDIC; bodies in BSTO, BIDX, BDIC. Blocks are zstd frames of the records
 * of consecutive documents (heads close past 2 KiB, bodies past 4 KiB of
 * raw bytes), compressed with the store's trained dictionary (absent:
 * none). Index: u32 count | per block u32 first document | u32
 * compressed | u32 raw (<= 64 MiB) | u32 checksum (CRC-32 of the
 * compressed bytes continued over the entry's other 20 bytes) | u64
 * offset. Record: varint length | fields (varint id | varint length |
 * bytes): 0 id, 1 url, 2 title, 3 source, 4 tags, 5 body, 6 varint mask of
 * fields stored short (body > 16 MiB, others > 1 MiB); unknown ids are
 * skipped. See index/docstore.h.
 *
 * Older segments (no ZSTORE): section STOR: stored fields in raw deflate streams (RFC 1951, no zlib
 * header: the section CRC guards them), each holding the records of
 * consecutive documents. Record: per field (id, url, title, source, tags,
 * body, in that order): varint length | bytes. Tags are joined by '\n'.
 * Each stream is deflated with the preset dictionary in section SDIC (the
 * segment's first 32 KiB of records), when that section is present.
 * Section SIDX: u32 block count, then per block: u32 first document |
 *   u32 compressed bytes | u32 raw bytes | u32 reserved | u64 offset in STOR.
 * Section SDIC: the preset dictionary, raw bytes (at most 32 KiB).
 *
 * Section IDNT: article identities, to find a document by identity
 * without reading stored fields: u32 count (= documents) | u32 reserved |
 * per document, sorted by (hash, document): u64 identity hash (hash64 of
 * the stored id field) | u32 document. Every document appears once.
 *
 * Segment files hold no padding but the zero bytes (fewer than 8) that
 * align each section and the directory; the header's and footer's
 * reserved fields are 0.
 */
#ifndef MORGUE_INDEX_FORMAT_H
#define MORGUE_INDEX_FORMAT_H

#include <stdint.h>

#define FORMAT_VERSION 3     /* what this library writes */
#define FORMAT_VERSION_MIN 2 /* the oldest it reads */

#define MANIFEST_MAGIC "MRGMANI1"
#define DELFILE_MAGIC "MRGDELS1"
#define FILETABLE_MAGIC "MRGFILE1"
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
#define SEC_LANG TAG('L', 'A', 'N', 'G') /* column: article language */
#define SEC_TDIC TAG('T', 'D', 'I', 'C')
#define SEC_POST TAG('P', 'O', 'S', 'T')
#define SEC_POSN TAG('P', 'O', 'S', 'N')
#define SEC_STOR TAG('S', 'T', 'O', 'R')
#define SEC_SIDX TAG('S', 'I', 'D', 'X')
#define SEC_SDIC TAG('S', 'D', 'I', 'C')
#define SEC_IDNT TAG('I', 'D', 'N', 'T')
#define SEC_CDIR TAG('C', 'D', 'I', 'R') /* version 3: column directory */
#define SEC_FEAT TAG('F', 'E', 'A', 'T') /* version 3: feature bits */
#define SEC_HSTO TAG('H', 'S', 'T', 'O') /* zstore: heads, blocks */
#define SEC_HIDX TAG('H', 'I', 'D', 'X') /* zstore: heads, block index */
#define SEC_HDIC TAG('H', 'D', 'I', 'C') /* zstore: heads, dictionary */
#define SEC_BSTO TAG('B', 'S', 'T', 'O') /* zstore: bodies, blocks */
#define SEC_BIDX TAG('B', 'I', 'D', 'X') /* zstore: bodies, block index */
#define SEC_BDIC TAG('B', 'D', 'I', 'C') /* zstore: bodies, dictionary */
/* Near-duplicate fingerprint columns FPH0..FPH7: SEC_FPH0 + (i << 24). */
#define SEC_FPH0 TAG('F', 'P', 'H', '0')
#define SEC_DOFF TAG('D', 'O', 'F', 'F') /* the date's UTC offset */
/* CRC-32 of each TDIC block (u32 count, u32 0, count u32s), so that a
 * reader verifies a block when it first reads it instead of the whole
 * dictionary at open; segments without it are verified whole at open. */
#define SEC_TDCK TAG('T', 'D', 'C', 'K')
/* The first key of each TDIC block, together (u32 count, u32 0, count + 1
 * u32 offsets into the keys, the keys), so that a lookup's binary search
 * reads this one small section instead of a page of TDIC per probe;
 * segments without it search the blocks themselves. */
#define SEC_TDFK TAG('T', 'D', 'F', 'K')
/* The distinct values of the LANG column with their document counts
 * (u32 count, u32 0, count x (u16 code, u16 0, u32 documents)), so that
 * a searcher learns a segment's languages without reading LANG;
 * segments without it are scanned. At most LSET_MAX entries (a segment
 * with more values writes none, count 0, and is scanned too). */
#define SEC_LSET TAG('L', 'S', 'E', 'T')
/* Column pages (FEAT_COMPAT_COLPAGES): a CRC of every page of the
 * columns queries read a document at a time, and each one's largest
 * value, so that a query verifies only the pages it reads and knows the
 * longest title without reading TLEN (layout: the comment above). */
#define SEC_CPAG TAG('C', 'P', 'A', 'G')
#define CPAG_SHIFT 12 /* log2 of the page bytes written (4 KiB) */
#define CPAG_ENTRY_SIZE 16
#define LSET_MAX 256

#define META_SIZE 56
#define TDIC_BLOCK_TERMS 32
#define SIDX_ENTRY_SIZE 24
#define POS_FIELD_GAP 16
#define IMPACTS_MAX 8 /* (tf, length) pairs per skip entry */
#define POSTINGS_PACK_MIN 8 /* PACKTAIL: short blocks of this many
                               documents or more are bit-packed */
#define IDNT_ENTRY_SIZE 12
#define CDIR_ENTRY_SIZE 16
#define FEAT_SIZE 24
#define FT_RACY 1u      /* file table flag: compare content next time */
#define FT_RESUME 2u    /* file table flag (version 4): a resume point */
#define FT_PARTIAL 4u   /* file table flag (version 4): not read to its end */
#define FILETABLE_VERSION 5 /* a file table with resume points */
#define FILETABLE_VERSION_RESUME 4 /* the first with resume points */
#define FILETABLE_VERSION_TAIL 5 /* resume points that check their record */

/* Dates outside [0001-01-01, 9999-12-31] are stored as "none". */
#define DATE_MIN (-62135596800LL)
#define DATE_MAX 253402300799LL
/* UTC offsets (minutes) beyond +-23:59 are stored as "unknown". */
#define DATE_MAX_OFFSET 1439

/* Term namespaces (first byte of a key). */
#define NS_WORD 'E'
#define NS_STEM 'S'
#define NS_TITLE 'T'
#define NS_TAG 'G'
#define NS_SOURCE 'O'
#define NS_FOLD 'F'     /* Cyrillic/Greek names' Latin keys (translit.h) */

#define STORED_FIELDS 6 /* id, url, title, source, tags, body */
#define MAX_KEY 256     /* longest term key in bytes */

#endif
