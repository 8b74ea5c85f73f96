/*
 * check_rewrite.c — capture expansion and redirect values: the pure parts of rewriting
 * (parse/rewrite.c).
 */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse/rewrite.h"
#include "testsupport_run.h"

START_TEST(test_expand)
{
    /* "/old/a b?" matched by ^/old/(.*)$: $0 whole, $1 "a b?" */
    const char *subject = "/old/a b?";
    size_t ov[] = {0, 9, 5, 9};
    char out[64];
    ck_assert_int_eq(pfd_rewrite_expand("/new/$1", subject, ov, 2, false, out, sizeof(out)), 9);
    ck_assert_str_eq(out, "/new/a b?");
    ck_assert_int_ge(pfd_rewrite_expand("/new/$1", subject, ov, 2, true, out, sizeof(out)), 0);
    ck_assert_str_eq(out, "/new/a%20b%3F");
    ck_assert_int_ge(pfd_rewrite_expand("$0|$2|$$|$x", subject, ov, 2, false, out, sizeof(out)), 0);
    ck_assert_str_eq(out, "/old/a b?||$|$x");
    ck_assert_int_eq(pfd_rewrite_expand("/new/$1", subject, ov, 2, false, out, 6), -1);
}
END_TEST

/* Issue 13 item 7: whatever a client puts in a capture, the target's host stays the template's. */
static const struct capture_host_case {
    const char *tmpl;
    const char *capture;
    const char *want;
} capture_host_cases[] = {
    {"https://example.com$1", "/a/b", "https://example.com/a/b"},
    {"https://example.com$1", "@evil.example/x", "https://example.com/@evil.example/x"},
    {"https://example.com$1", ".evil.example", "https://example.com/.evil.example"},
    {"https://example.com$1", ":1@evil.example", "https://example.com/:1@evil.example"},
    {"https://example.com$1", "\\evil.example", "https://example.com/evil.example"},
    {"https://example.com/a$1", "\\evil", "https://example.com/a%5Cevil"},
    {"https://example.com/$1", "/evil.example", "https://example.com/evil.example"},
    {"https://example.com/$1", "//evil.example", "https://example.com/evil.example"},
    {"$1", "//evil.example/x", "/evil.example/x"},
    {"$1", "/\\evil.example", "/evil.example"},
    {"/$1", "//evil.example", "/evil.example"},
    {"//example.com$1", "@evil.example", "//example.com/@evil.example"},
    {"/new/$1", "a/b", "/new/a/b"},
    {"https://example.com$1", "", "https://example.com"},
    {"https://example.com/x?to=$1", "//y", "https://example.com/x?to=//y"},
};

START_TEST(test_expand_capture_stays_in_path)
{
    for (size_t i = 0; i < sizeof(capture_host_cases) / sizeof(capture_host_cases[0]); i++) {
        const struct capture_host_case *c = &capture_host_cases[i];
        size_t ov[] = {0, strlen(c->capture), 0, strlen(c->capture)};
        char out[128];
        ck_assert_int_ge(pfd_rewrite_expand(c->tmpl, c->capture, ov, 2, true, out, sizeof(out)), 0);
        ck_assert_msg(strcmp(out, c->want) == 0, "%s with \"%s\": got \"%s\", want \"%s\"", c->tmpl,
                      c->capture, out, c->want);
    }
}
END_TEST

START_TEST(test_check_target_refuses_capture_in_host)
{
    ck_assert_ptr_null(pfd_rewrite_check_target("https://example.com$1"));
    ck_assert_ptr_null(pfd_rewrite_check_target("https://example.com/$1"));
    ck_assert_ptr_null(pfd_rewrite_check_target("/new/$1"));
    ck_assert_ptr_null(pfd_rewrite_check_target("$1"));
    ck_assert_ptr_nonnull(pfd_rewrite_check_target("https://$1.example.com/"));
    ck_assert_ptr_nonnull(pfd_rewrite_check_target("https://$1/"));
    ck_assert_ptr_nonnull(pfd_rewrite_check_target("//$1/x"));
    ck_assert_ptr_nonnull(pfd_rewrite_check_target("http$1://example.com/"));
}
END_TEST

START_TEST(test_redirect_value)
{
    int status;
    const char *target, *why;
    ck_assert_int_eq(
        pfd_rewrite_parse_redirect("301 https://example.com$1", &status, &target, &why), 0);
    ck_assert_int_eq(status, 301);
    ck_assert_str_eq(target, "https://example.com$1");
    ck_assert_int_eq(pfd_rewrite_parse_redirect("200 /x", &status, &target, &why), -1);
    ck_assert_int_eq(pfd_rewrite_parse_redirect("302", &status, &target, &why), -1);
    ck_assert_int_eq(pfd_rewrite_parse_redirect("302 /a /b", &status, &target, &why), -1);
    ck_assert(pfd_rewrite_flag("last") == PFD_REWRITE_LAST);
    ck_assert(pfd_rewrite_flag("nope") == 0);
    ck_assert(pfd_rewrite_path_is_clean("/srv/a/b"));
    ck_assert(!pfd_rewrite_path_is_clean("/srv/../etc"));
    ck_assert(!pfd_rewrite_path_is_clean("/srv/."));
    ck_assert(!pfd_rewrite_path_is_clean("srv"));
}
END_TEST

static Suite *rewrite_suite(void)
{
    Suite *s = suite_create("rewrite");
    TCase *tc = tcase_create("pure");
    tcase_add_test(tc, test_expand);
    tcase_add_test(tc, test_expand_capture_stays_in_path);
    tcase_add_test(tc, test_check_target_refuses_capture_in_host);
    tcase_add_test(tc, test_redirect_value);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ts_run_suite(rewrite_suite());
}
