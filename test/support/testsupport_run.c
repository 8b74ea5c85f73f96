/*
 * testsupport_run.c — the shared main() of the Check programs (testsupport_run.h).
 */
#include "testsupport_run.h"

#include <stdlib.h>

#include "testsupport.h"

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
