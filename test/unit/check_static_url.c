/*
 * check_static_url.c — modules/lib/static_url.c: the decoded path percent-encoded again for the
 * trailing-slash redirect's Location.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "static_url.h"
#include "testsupport_run.h"

static const struct {
    const char *desc;
    const char *path;
    const char *want;
} escape_cases[] = {
    {"plain path", "/a/b", "/a/b"},
    {"a '?' is data, not a query", "/what?/", "/what%3F/"},
    {"a '%' is data, not an escape", "/100%/", "/100%25/"},
    {"a space", "/my docs", "/my%20docs"},
    {"a '#' is not a fragment", "/a#b", "/a%23b"},
    {"raw UTF-8 bytes", "/caf\xc3\xa9", "/caf%C3%A9"},
    {"a byte that is not UTF-8", "/\xff", "/%FF"},
    {"controls", "/a\x01\x7f", "/a%01%7F"},
    {"quote and angle brackets", "/\"<x>", "/%22%3Cx%3E"},
    {"backslash", "/a\\b", "/a%5Cb"},
    {"sub-delims and pchar stay", "/a-b._~!$&'()*+,;=:@", "/a-b._~!$&'()*+,;=:@"},
    {"empty", "", ""},
};

START_TEST(test_escape_table)
{
    char out[128];
    for (size_t i = 0; i < sizeof(escape_cases) / sizeof(escape_cases[0]); i++) {
        ck_assert_msg(static_url_escape_path(escape_cases[i].path, out, sizeof(out)) == 0, "%s",
                      escape_cases[i].desc);
        ck_assert_msg(strcmp(out, escape_cases[i].want) == 0, "%s: \"%s\", expected \"%s\"",
                      escape_cases[i].desc, out, escape_cases[i].want);
    }
}
END_TEST

START_TEST(test_escape_bounds)
{
    char out[8];
    ck_assert_int_eq(static_url_escape_path("/abcdef", out, sizeof(out)), 0); /* 7 + NUL */
    ck_assert_str_eq(out, "/abcdef");
    ck_assert_int_eq(static_url_escape_path("/abcdefg", out, sizeof(out)), -1);
    ck_assert_str_eq(out, "");
    ck_assert_int_eq(static_url_escape_path("/ab c", out, sizeof(out)), 0); /* "/ab%20c" */
    ck_assert_int_eq(static_url_escape_path("/abc d", out, sizeof(out)), -1);
    /* The promised bound: 3 bytes per input byte, plus the NUL. */
    char big[3 * 4 + 1];
    ck_assert_int_eq(static_url_escape_path("\x01\x02\x03\x04", big, sizeof(big)), 0);
    ck_assert_str_eq(big, "%01%02%03%04");
}
END_TEST

static Suite *static_url_suite(void)
{
    Suite *s = suite_create("static_url");
    TCase *tc = tcase_create("escape");
    tcase_add_test(tc, test_escape_table);
    tcase_add_test(tc, test_escape_bounds);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ts_run_suite(static_url_suite());
}
