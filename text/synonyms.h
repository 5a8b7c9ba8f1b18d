/* synonyms.h: groups of equivalent words and phrases (names and their
 * variants), parsed from the synonyms file format, looked up by a query
 * word or phrase.
 *
 * The format (docs/QUERY.md "Synonyms and name variants"): UTF-8 text, one
 * group per line, its entries separated by commas:
 *
 *     # renamed in 1993
 *     Almaty, Alma-Ata, Алматы, Алма-Ата
 *     Ho Chi Minh City, Saigon
 *
 * Blank lines and lines whose first non-blank character is '#' are
 * skipped. Each entry is normalised as the tokenizer normalises text
 * (case folded, accents off Latin letters, punctuation splitting words):
 * "Alma-Ata" is the phrase "alma ata". A group needs two different
 * entries. An entry may sit in several groups: looking it up gives the
 * entries of all of them.
 *
 * Parsing never trusts its input: lines of more than SYN_MAX_LINE bytes,
 * invalid UTF-8, empty entries, entries of more than SYN_MAX_WORDS words,
 * groups of more than SYN_MAX_GROUP entries and files of more than
 * SYN_MAX_GROUPS groups are refused with the line and byte. */
#ifndef MORGUE_TEXT_SYNONYMS_H
#define MORGUE_TEXT_SYNONYMS_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/error.h"

#define SYN_MAX_LINE 4096
#define SYN_MAX_WORDS 8
#define SYN_MAX_GROUP 64
#define SYN_MAX_GROUPS 200000

typedef struct syn_entry {
    uint32_t text;     /* offset in synset.text of the normalised entry */
    uint32_t group;
} syn_entry;

typedef struct synset {
    buf text;          /* normalised entries, each NUL-terminated */
    syn_entry *entries;/* sorted by text after synset_parse() */
    size_t n_entries, cap_entries;
    uint32_t *first;   /* per group: its first entry in `members` */
    uint32_t n_groups;
    size_t cap_groups;
    uint32_t *members; /* text offsets, group after group, file order */
    size_t n_members, cap_members;
} synset;

void synset_init(synset *s);

/* Parses the file content (p, n), adding its groups to s; name is for
 * messages. MORGUE_OK; MORGUE_EFORMAT with "NAME: line L, byte B: ..." in
 * e (s unchanged then); MORGUE_ENOMEM. */
int synset_parse(synset *s, const char *p, size_t n, const char *name,
                 errmsg *e);

/* The built-in place and name variants (variants.c), parsed and sorted
 * at build time (scripts/gen_synonyms.c, synonyms_builtin.c): constant
 * data, never NULL, costs nothing at run time. Read-only. */
const synset *synset_builtin(void);

/* Calls fn for every entry sharing a group with the normalised key
 * (words joined by one space), the key itself excluded, each once; stops
 * early when fn returns non-zero. Returns how many entries were given. */
size_t synset_expand(const synset *s, const char *key,
                     int (*fn)(void *ud, const char *entry), void *ud);

/* The distinct entries a lookup gave, as copies: pass syn_alts_take as
 * synset_expand's fn and the syn_alts as its ud (n = 0 first). Several
 * lookups may add to one. The strings belong to the caller once
 * collected: free them, or hand them on, or call syn_alts_free. */
typedef struct syn_alts {
    char *v[2 * SYN_MAX_GROUP];
    size_t n;
} syn_alts;

/* Adds entry unless it is already there; 1 (stop) when full. An entry
 * that cannot be copied (out of memory) is left out. */
int syn_alts_take(void *ud, const char *entry);

void syn_alts_free(syn_alts *a);

/* Group g's entries: *n of them, each a NUL-terminated string in s. */
void synset_group(const synset *s, uint32_t g, const char **out, size_t *n);

void synset_free(synset *s);

/* The built-in list's text, in the file format. Static. The build's
 * generator parses it (scripts/gen_synonyms.c). */
extern const char *const synonyms_builtin_lines[];

/* Parses synonyms_builtin_lines into s, as the run-time parse would:
 * what the build's generator writes out and check_text compares the
 * generated table with. Errors as synset_parse (name "text/variants.c"). */
int synset_parse_builtin_source(synset *s, errmsg *e);

#endif
