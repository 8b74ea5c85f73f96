/*
 * check_rewrite.c — capture expansion, redirect values, CIDR rules and Basic credentials: the
 * pure parts of routing (server/rewrite.c, access.c, auth.c).
 */
#include <check.h>
#include <crypt.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "auth.h"
#include "rewrite.h"

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

static bool allowed(const char *const *allow, const char *const *deny, const char *client)
{
    struct pfd_cidr a[4], d[4];
    struct pfd_access acc = {a, 0, d, 0};
    const char *why;
    for (; allow != NULL && *allow != NULL; allow++)
        ck_assert_int_eq(pfd_cidr_parse(*allow, &a[acc.nallow++], &why), 0);
    for (; deny != NULL && *deny != NULL; deny++)
        ck_assert_int_eq(pfd_cidr_parse(*deny, &d[acc.ndeny++], &why), 0);
    unsigned char addr[16];
    ck_assert_int_eq(pfd_access_addr(client, addr), 0);
    return pfd_access_allowed(&acc, addr);
}

START_TEST(test_cidr)
{
    const char *local[] = {"127.0.0.1", "::1", NULL}, *all[] = {"all", NULL};
    const char *net[] = {"10.0.0.0/8", NULL}, *one[] = {"10.0.0.5", NULL};
    const char *v6[] = {"2001:db8::/32", NULL};
    ck_assert(allowed(local, all, "127.0.0.1"));
    ck_assert(allowed(local, all, "::1"));
    ck_assert(allowed(local, all, "::ffff:127.0.0.1")); /* mapped */
    ck_assert(!allowed(local, all, "127.0.0.2"));
    ck_assert(allowed(net, one, "10.1.2.3"));
    ck_assert(!allowed(net, one, "10.0.0.5"));
    ck_assert(!allowed(net, NULL, "11.0.0.1"));
    ck_assert(allowed(NULL, one, "11.0.0.1"));
    ck_assert(allowed(v6, all, "2001:db8:1::7"));
    ck_assert(!allowed(v6, all, "2001:db9::1"));
    struct pfd_cidr c;
    const char *why;
    ck_assert_int_eq(pfd_cidr_parse("10.0.0.1/8", &c, &why), -1); /* host bits */
    ck_assert_int_eq(pfd_cidr_parse("10.0.0.0/33", &c, &why), -1);
    ck_assert_int_eq(pfd_cidr_parse("::/129", &c, &why), -1);
    ck_assert_int_eq(pfd_cidr_parse("example.com", &c, &why), -1);
    ck_assert_int_eq(pfd_cidr_parse("0.0.0.0/0", &c, &why), 0);
}
END_TEST

START_TEST(test_basic_decode)
{
    char user[PFD_AUTH_MAX_USER + 1], pass[PFD_AUTH_MAX_PASSWORD + 1];
    ck_assert_int_eq(pfd_auth_basic_decode("Basic YWxpY2U6czNjcjp0", user, pass), 0);
    ck_assert_str_eq(user, "alice");
    ck_assert_str_eq(pass, "s3cr:t");
    ck_assert_int_eq(pfd_auth_basic_decode("basic   YWxpY2U6", user, pass), 0);
    ck_assert_str_eq(pass, "");
    ck_assert_int_eq(pfd_auth_basic_decode("Bearer YWxpY2U6", user, pass), -1);
    ck_assert_int_eq(pfd_auth_basic_decode("Basic YWxpY2U", user, pass), -1); /* no ':' */
    ck_assert_int_eq(pfd_auth_basic_decode("Basic !!!!", user, pass), -1);
    ck_assert_int_eq(pfd_auth_basic_decode("Basic OnBhc3M=", user, pass), -1); /* empty user */
    ck_assert_int_eq(pfd_auth_basic_decode(NULL, user, pass), -1);
}
END_TEST

START_TEST(test_hashes)
{
    static const char *const settings[] = {"$2y$05$abcdefghijklmnopqrstuu", "$5$saltsalt",
                                           "$6$saltsalt"};
    for (size_t i = 0; i < 3; i++) {
        struct crypt_data cd;
        memset(&cd, 0, sizeof(cd));
        const char *h = crypt_r("pw", settings[i], &cd);
        ck_assert_ptr_nonnull(h);
        char *hash = strdup(h);
        ck_assert(pfd_auth_hash_verify(hash, "pw"));
        ck_assert(!pfd_auth_hash_verify(hash, "pW"));
        free(hash);
    }
    ck_assert(!pfd_auth_hash_verify("$apr1$x$y", "pw"));
    ck_assert(!pfd_auth_hash_verify("pw", "pw")); /* plain text is refused */
}
END_TEST

int main(void)
{
    Suite *s = suite_create("rewrite");
    TCase *tc = tcase_create("pure");
    tcase_add_test(tc, test_expand);
    tcase_add_test(tc, test_expand_capture_stays_in_path);
    tcase_add_test(tc, test_check_target_refuses_capture_in_host);
    tcase_add_test(tc, test_redirect_value);
    tcase_add_test(tc, test_cidr);
    tcase_add_test(tc, test_basic_decode);
    tcase_add_test(tc, test_hashes);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
