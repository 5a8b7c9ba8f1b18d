/* lang_accuracy.c: morgue's detector (text/lang.c, libexttextcat) over the
 * TSV of samples.py: prints "lang length correct total und seconds" per
 * language and length, then one line of totals per length. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sample_tsv.h"
#include "text/lang.h"

#define MAX_CELLS 256

typedef struct cell { char lang[4]; int len, ok, total, und; double sec; } cell;

static cell cells[MAX_CELLS];
static int n_cells;

static cell *at(const char *lang, int len)
{
    for (int i = 0; i < n_cells; i++)
        if (!strcmp(cells[i].lang, lang) && cells[i].len == len)
            return &cells[i];
    if (n_cells == MAX_CELLS)
        exit(2);
    cell *c = &cells[n_cells++];
    snprintf(c->lang, sizeof c->lang, "%s", lang);
    c->len = len;
    return c;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    FILE *f = argc > 1 ? fopen(argv[1], "r") : stdin;
    lang_detector *d;
    errmsg e;
    if (!f || lang_detector_new(&d, &e)) {
        fprintf(stderr, "lang_accuracy: cannot start: %s\n", e.text);
        return 1;
    }
    char line[8192];
    sample s;
    while (sample_next(f, line, sizeof line, &s)) {
        double t0 = now();
        lang_code c = lang_detect(d, s.text, strlen(s.text), LANG_UND);
        double dt = now() - t0;
        char got[4];
        lang_name(c, got);
        cell *k = at(s.lang, s.length);
        k->total++;
        k->ok += strcmp(got, s.lang) == 0;
        k->und += c == LANG_UND;
        k->sec += dt;
        if (getenv("SHOW_WRONG") && strcmp(got, s.lang))
            printf("wrong %s->%s %s\n", s.lang, got, s.text);
    }
    printf("lang\tlength\tcorrect\ttotal\tund\tus_per_text\n");
    for (int i = 0; i < n_cells; i++)
        printf("%s\t%d\t%d\t%d\t%d\t%.0f\n", cells[i].lang, cells[i].len,
               cells[i].ok, cells[i].total, cells[i].und,
               1e6 * cells[i].sec / cells[i].total);
    lang_detector_free(d);
    return 0;
}
