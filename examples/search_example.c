/* search_example.c: libmorgue in thirty lines. Adds two articles to an
 * index (or opens the one given), commits, and searches it.
 *
 *   cc search_example.c $(pkg-config --cflags --libs morgue)
 *   ./a.out /tmp/example-index "state of emergency"
 */
#include <morgue.h>
#include <stdio.h>

static int add(morgue_writer *w, const char *id, const char *title,
               const char *body)
{
    morgue_article a = MORGUE_ARTICLE_INIT;
    a.id = id;
    a.title = title;
    a.body = body;
    a.date = 1641427200; /* 2022-01-06 */
    return morgue_writer_add(w, &a);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "example-index";
    const char *query = argc > 2 ? argv[2] : "state of emergency";
    morgue_writer *w;
    if (morgue_writer_open(&w, dir, NULL) != MORGUE_OK) {
        fprintf(stderr, "open: %s\n", morgue_last_errmsg());
        return 1;
    }
    if (add(w, "1", "State of emergency in Almaty",
            "The government declared a state of emergency.") ||
        add(w, "2", "Harbour reopens", "Ships returned to the harbour.") ||
        morgue_writer_commit(w) != MORGUE_OK) {
        fprintf(stderr, "write: %s\n", morgue_writer_errmsg(w));
        morgue_writer_close(w);
        return 1;
    }
    morgue_writer_close(w);

    morgue_searcher *s;
    morgue_hits *h;
    if (morgue_searcher_open(&s, dir, NULL) != MORGUE_OK) {
        fprintf(stderr, "open: %s\n", morgue_last_errmsg());
        return 1;
    }
    if (morgue_search(s, query, NULL, &h) != MORGUE_OK) {
        fprintf(stderr, "search: %s\n", morgue_searcher_errmsg(s));
        morgue_searcher_close(s);
        return 1;
    }
    printf("%llu hits for \"%s\" (libmorgue %d)\n",
           (unsigned long long)morgue_hits_total(h), query,
           morgue_version_number());
    while (morgue_hits_next(h) == MORGUE_OK) {
        const char *title, *snippet;
        size_t n;
        morgue_hits_field(h, MORGUE_FIELD_TITLE, &title, &n);
        morgue_hits_snippet(h, &snippet);
        printf("%.3f  %.*s\n       %s\n", morgue_hits_score(h), (int)n,
               title, snippet);
    }
    morgue_hits_free(h);
    morgue_searcher_close(s);
    return 0;
}
