/* synonyms_builtin.c: the built-in variants (variants.c) as the build
 * parsed and sorted them (scripts/gen_synonyms.c): constants, so a
 * searcher's first query costs nothing to reach them. */
#include "text/synonyms.h"

#include "synonyms_table.h"

/* Never freed nor written: synset_expand and synset_group only read. */
static const synset builtin = {
    .text = { (char *)builtin_text, BUILTIN_TEXT_LEN, 0, 0 },
    .entries = (syn_entry *)builtin_entries,
    .n_entries = BUILTIN_N_ENTRIES,
    .first = (uint32_t *)builtin_first,
    .n_groups = BUILTIN_N_GROUPS,
    .members = (uint32_t *)builtin_members,
    .n_members = BUILTIN_N_MEMBERS,
};

const synset *synset_builtin(void)
{
    return &builtin;
}
