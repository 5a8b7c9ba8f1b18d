/* sample_tsv.h: reads the TSV that samples.py writes (lang, length, text;
 * one sample per line) for both accuracy programs, the C one for morgue's
 * detector and the C++ one for CLD2, so they score exactly the same lines. */
#ifndef MORGUE_SAMPLE_TSV_H
#define MORGUE_SAMPLE_TSV_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct sample { const char *lang; int length; const char *text; } sample;

/* The next well-formed line of F in LINE (N bytes), split in place into S;
 * lines without two tabs are skipped. 0 at end of file. */
static inline int sample_next(FILE *f, char *line, int n, sample *s)
{
    while (fgets(line, n, f)) {
        char *t1 = strchr(line, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
        if (!t2)
            continue;
        *t1 = *t2 = 0;
        t2[1 + strcspn(t2 + 1, "\n")] = 0;
        s->lang = line;
        s->length = atoi(t1 + 1);
        s->text = t2 + 1;
        return 1;
    }
    return 0;
}

#endif
