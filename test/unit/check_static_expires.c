/*
 * check_static_expires.c — modules/static/static_expires.c: the `expires` option's values and the
 * Cache-Control and Expires headers they give.
 */
#include <check.h>
#include <time.h>

#include "static_expires.h"
#include "testsupport_run.h"

static const struct {
    const char *in;
    int rc;
    enum static_expires_kind kind;
    long long seconds;
} expires_cases[] = {
    {"", 0, STATIC_EXPIRES_NONE, 0},          {"off", 0, STATIC_EXPIRES_NONE, 0},
    {"epoch", 0, STATIC_EXPIRES_EPOCH, 0},    {"max", 0, STATIC_EXPIRES_MAX, 0},
    {"0", 0, STATIC_EXPIRES_AFTER, 0},        {"90", 0, STATIC_EXPIRES_AFTER, 90},
    {"30s", 0, STATIC_EXPIRES_AFTER, 30},     {"30m", 0, STATIC_EXPIRES_AFTER, 1800},
    {"1h", 0, STATIC_EXPIRES_AFTER, 3600},    {"7d", 0, STATIC_EXPIRES_AFTER, 604800},
    {"2w", 0, STATIC_EXPIRES_AFTER, 1209600}, {"1h30m", 0, STATIC_EXPIRES_AFTER, 5400},
    {"h", -1, STATIC_EXPIRES_NONE, 0},        {"1x", -1, STATIC_EXPIRES_NONE, 0},
    {"-1h", -1, STATIC_EXPIRES_NONE, 0},      {"1 h", -1, STATIC_EXPIRES_NONE, 0},
    {"1hh", -1, STATIC_EXPIRES_NONE, 0},      {"99999999999999999999", -1, STATIC_EXPIRES_NONE, 0},
    {"5000d", -1, STATIC_EXPIRES_NONE, 0},    {"never", -1, STATIC_EXPIRES_NONE, 0},
};

START_TEST(test_expires_parse)
{
    struct static_expires e;
    int rc = static_expires_parse(expires_cases[_i].in, &e);
    ck_assert_msg(rc == expires_cases[_i].rc, "\"%s\": %d", expires_cases[_i].in, rc);
    if (rc == 0) {
        ck_assert_msg(e.kind == expires_cases[_i].kind, "\"%s\": kind %d", expires_cases[_i].in,
                      e.kind);
        ck_assert_msg(e.seconds == expires_cases[_i].seconds, "\"%s\": %lld s",
                      expires_cases[_i].in, (long long)e.seconds);
    }
}
END_TEST

START_TEST(test_expires_headers)
{
    struct static_expires e;
    char cc[40];
    time_t t = 0;
    ck_assert_int_eq(static_expires_parse("1h", &e), 0);
    ck_assert_int_eq(static_expires_headers(&e, 1000, cc, &t), 0);
    ck_assert_str_eq(cc, "max-age=3600");
    ck_assert_int_eq((long long)t, 4600);
    ck_assert_int_eq(static_expires_parse("epoch", &e), 0);
    ck_assert_int_eq(static_expires_headers(&e, 1000, cc, &t), 0);
    ck_assert_str_eq(cc, "no-cache");
    ck_assert_int_eq((long long)t, 1);
    ck_assert_int_eq(static_expires_parse("max", &e), 0);
    ck_assert_int_eq(static_expires_headers(&e, 1000, cc, &t), 0);
    ck_assert_str_eq(cc, "max-age=315360000");
    ck_assert_int_eq(static_expires_parse("", &e), 0);
    ck_assert_int_eq(static_expires_headers(&e, 1000, cc, &t), -1);
}
END_TEST

static Suite *static_expires_suite(void)
{
    Suite *s = suite_create("static_expires");
    TCase *tc = tcase_create("expires");
    tcase_add_loop_test(tc, test_expires_parse, 0,
                        sizeof(expires_cases) / sizeof(expires_cases[0]));
    tcase_add_test(tc, test_expires_headers);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ts_run_suite(static_expires_suite());
}
