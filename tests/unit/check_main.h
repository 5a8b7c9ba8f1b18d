/* check_main.h: the main() every Check program shares, and test helpers. */
#ifndef MORGUE_CHECK_MAIN_H
#define MORGUE_CHECK_MAIN_H

#include <check.h>
#include <stdlib.h>

/* Runs the suite made by make_suite; exit status 0 when every test passed. */
#define MORGUE_CHECK_MAIN(make_suite)                                        \
    int main(void)                                                           \
    {                                                                        \
        SRunner *sr = srunner_create(make_suite());                          \
        srunner_run_all(sr, CK_NORMAL);                                      \
        int failed = srunner_ntests_failed(sr);                              \
        srunner_free(sr);                                                    \
        return failed ? EXIT_FAILURE : EXIT_SUCCESS;                         \
    }

#endif
