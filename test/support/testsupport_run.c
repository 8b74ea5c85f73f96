/*
 * testsupport_run.c — the shared main() of the Check programs (testsupport_run.h).
 */
#include "testsupport_run.h"

#include <stdlib.h>

#include "testsupport.h"

void ts_suite_add_cases(Suite *s, const struct ts_case *cases, size_t n, int timeout_s)
{
    for (size_t i = 0; i < n; i++) {
        TCase *tc = tcase_create(cases[i].name);
        tcase_set_timeout(tc, timeout_s);
        tcase_add_test(tc, cases[i].test);
        suite_add_tcase(s, tc);
    }
}

/* How many tests failed; the runner frees the suite with itself. */
static int run_failed(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed;
}

int ts_run_suite(Suite *s)
{
    return run_failed(s) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

int ts_run_session(Suite *s)
{
    ts_session_begin();
    return ts_session_end(run_failed(s));
}
