// cld2_accuracy.cc: the same measurement with CLD2 (Debian libcld2), the
// other language detector Debian packages, for comparison only.
#include <cstdio> // before cld2, whose header uses FILE

#include <cld2/public/compact_lang_det.h>
#include <cld2/public/encodings.h>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <map>
#include <string>

#include "sample_tsv.h"

struct cell { int ok = 0, total = 0, und = 0; double sec = 0; };

int main(int argc, char **argv)
{
    FILE *f = argc > 1 ? fopen(argv[1], "r") : stdin;
    if (!f)
        return 1;
    std::map<std::pair<std::string, int>, cell> cells;
    char line[8192];
    sample s;
    while (sample_next(f, line, sizeof line, &s)) {
        const char *text = s.text;
        timespec a, b;
        clock_gettime(CLOCK_MONOTONIC, &a);
        bool reliable = false;
        CLD2::Language l = CLD2::DetectLanguage(text, (int)strlen(text), true,
                                                &reliable);
        clock_gettime(CLOCK_MONOTONIC, &b);
        std::string got = l == CLD2::UNKNOWN_LANGUAGE || !reliable
                              ? "und" : CLD2::LanguageCode(l);
        if (got == "pt-BR" || got == "pt-PT")
            got = "pt";
        cell &c = cells[{s.lang, s.length}];
        c.total++;
        c.ok += got == s.lang;
        c.und += got == "und";
        c.sec += (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
    }
    printf("lang\tlength\tcorrect\ttotal\tund\tus_per_text\n");
    for (auto &kv : cells)
        printf("%s\t%d\t%d\t%d\t%d\t%.0f\n", kv.first.first.c_str(),
               kv.first.second, kv.second.ok, kv.second.total, kv.second.und,
               1e6 * kv.second.sec / kv.second.total);
}
