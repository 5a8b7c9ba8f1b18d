/* fuzz_synonyms.c: any bytes parsed as a synonyms file either fail with
 * MORGUE_EFORMAT (leaving the set as it was: the groups parsed before
 * still answer) or give groups that hold the invariants the planner
 * relies on: every group has 2..SYN_MAX_GROUP distinct non-empty entries
 * of at most SYN_MAX_WORDS words, every entry looks itself up to its
 * group's other entries, and never a crash or a read outside the input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "morgue.h"
#include "text/synonyms.h"

int LLVMFuzzerTestOneInput(const uint8_t *raw, size_t size);

static int count(void *ud, const char *entry)
{
    if (!*entry)
        abort();
    ++*(size_t *)ud;
    return 0;
}

static void check(const synset *s)
{
    for (uint32_t g = 0; g < s->n_groups; g++) {
        const char *m[SYN_MAX_GROUP];
        size_t n;
        synset_group(s, g, m, &n);
        if (n < 2 || n > SYN_MAX_GROUP)
            abort();
        for (size_t i = 0; i < n; i++) {
            size_t words = 1;
            for (const char *p = m[i]; *p; p++)
                words += *p == ' ';
            if (!*m[i] || words > SYN_MAX_WORDS)
                abort();
            for (size_t j = 0; j < i; j++)
                if (!strcmp(m[i], m[j]))
                    abort();
            size_t got = 0;
            synset_expand(s, m[i], count, &got);
            if (got < n - 1)
                abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char good[] = "almaty, alma-ata\n";
    synset s;
    errmsg e;
    synset_init(&s);
    if (synset_parse(&s, good, sizeof good - 1, "seed", &e) != MORGUE_OK)
        abort();
    int rc = synset_parse(&s, (const char *)data, size, "fuzz", &e);
    if (rc != MORGUE_OK && rc != MORGUE_EFORMAT && rc != MORGUE_ENOMEM)
        abort();
    if (rc != MORGUE_OK && s.n_groups != 1)
        abort(); /* a failed parse keeps what was there */
    check(&s);
    size_t got = 0;
    synset_expand(&s, "almaty", count, &got);
    if (got < 1)
        abort();
    synset_free(&s);
    return 0;
}
