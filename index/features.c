/* features.c: refusing indexes with feature bits this library lacks. */
#include <inttypes.h>

#include "index/features.h"
#include "morgue.h"

int features_check(const features *f, int for_write, const char *what,
                   errmsg *e)
{
    uint64_t in = f->incompat & ~FEAT_INCOMPAT_KNOWN;
    uint64_t ro = f->rocompat & ~FEAT_ROCOMPAT_KNOWN;
    if (in)
        return err_set(e, MORGUE_EVERSION,
                       "%s: uses incompatible features 0x%" PRIx64
                       " that this library does not know (a newer morgue "
                       "wrote it); refusing to read it", what, in);
    if (for_write && ro)
        return err_set(e, MORGUE_EVERSION,
                       "%s: uses features 0x%" PRIx64 " that this library "
                       "cannot keep (a newer morgue wrote it); it may be "
                       "searched but not written: refusing to write", what,
                       ro);
    return MORGUE_OK;
}
