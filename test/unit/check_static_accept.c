/*
 * check_static_accept.c — modules/static/static_accept.c: the weight an Accept-Encoding field
 * gives a content coding (RFC 9110 §12.5.3).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "static_accept.h"
#include "testsupport_run.h"

static const struct {
    const char *header;
    const char *coding;
    int q;
} accept_cases[] = {
    {NULL, "gzip", 0},
    {"", "gzip", 0},
    {"gzip", "gzip", 1000},
    {"GZIP", "gzip", 1000},
    {"x-gzip", "gzip", 1000},
    {"gzip, deflate, br", "br", 1000},
    {"gzip, deflate", "br", 0},
    {"gzip;q=0", "gzip", 0},
    {"gzip; q=0.5", "gzip", 500},
    {"gzip ;Q=0.123", "gzip", 123},
    {"gzip;q=1.0", "gzip", 1000},
    {"gzip;q=2", "gzip", 0},    /* malformed weight: the element is skipped */
    {"gzip;q=0.5x", "gzip", 0}, /* the same */
    {"*", "br", 1000},
    {"*;q=0.3", "gzip", 300},
    {"*, gzip;q=0", "gzip", 0}, /* explicit beats * */
    {"gzip;q=0, *", "gzip", 0},
    {"br;q=0.8, gzip;q=0.9", "br", 800},
    {"identity", "gzip", 0},
    {"gzipfoo", "gzip", 0},
    {"deflate,gzip", "gzip", 1000},
    {" , ,gzip", "gzip", 1000},
    {"gzip;level=1;q=0.2", "gzip", 200},
};

START_TEST(test_accept_q)
{
    int q = static_accept_q(accept_cases[_i].header, accept_cases[_i].coding);
    ck_assert_msg(q == accept_cases[_i].q, "\"%s\" for %s: %d, expected %d",
                  accept_cases[_i].header ? accept_cases[_i].header : "(null)",
                  accept_cases[_i].coding, q, accept_cases[_i].q);
}
END_TEST

static Suite *static_accept_suite(void)
{
    Suite *s = suite_create("static_accept");
    TCase *tc = tcase_create("accept");
    tcase_add_loop_test(tc, test_accept_q, 0, sizeof(accept_cases) / sizeof(accept_cases[0]));
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ts_run_suite(static_accept_suite());
}
