/*
 * testsupport_run.h — the one main() of every Check program: run a suite, report, exit.
 *
 * Unit programs end with `return ts_run_suite(x_suite());`; programs that start servers with
 * `return ts_run_session(x_suite());`, which also removes the temp dirs failed tests left behind.
 */
#ifndef PFD_TESTSUPPORT_RUN_H
#define PFD_TESTSUPPORT_RUN_H

#include <check.h>
#include <stddef.h>

/* A test and the name of the TCase it runs in alone. */
struct ts_case {
    const char *name;
    const TTest *test;
};

/* Adds one TCase per case, each with timeout_s: a slow test does not eat its neighbours' time,
 * and CK_RUN_CASE=name runs one of them. */
void ts_suite_add_cases(Suite *s, const struct ts_case *cases, size_t n, int timeout_s);

/* Runs every test of s (CK_NORMAL: failures and a summary), frees it; EXIT_SUCCESS when all
 * passed, else EXIT_FAILURE. */
int ts_run_suite(Suite *s);
/* The same between ts_session_begin() and ts_session_end() (see testsupport.h). */
int ts_run_session(Suite *s);

#endif
