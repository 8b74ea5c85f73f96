/*
 * check_rewrite.c — capture expansion, redirect values, CIDR rules and Basic credentials: the
 * pure parts of routing (server/rewrite.c, access.c, auth.c).
 */
#include <check.h>
#include <crypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "parse/access.h"
#include "parse/rewrite.h"
#include "serve/auth.h"

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

/* An htpasswd file in /tmp with these lines: its path in out (removed by the caller). */
static void htpasswd_write(const char *text, char *out, size_t size)
{
    snprintf(out, size, "/tmp/check_rewrite_htpasswd_XXXXXX");
    int fd = mkstemp(out);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
}

/* A bcrypt hash of password at cost, malloc'd. */
static char *bcrypt_of(const char *password, int cost)
{
    char setting[64];
    snprintf(setting, sizeof(setting), "$2y$%02d$abcdefghijklmnopqrstuu", cost);
    struct crypt_data cd;
    memset(&cd, 0, sizeof(cd));
    const char *h = crypt_r(password, setting, &cd);
    ck_assert_ptr_nonnull(h);
    return strdup(h);
}

START_TEST(test_htpasswd_check)
{
    char *alice = bcrypt_of("right", 5), text[512], path[64];
    snprintf(text, sizeof(text), "# users\nalice:%s\nplain:right\nalicea:%s\n", alice, alice);
    htpasswd_write(text, path, sizeof(path));
    static const struct {
        const char *description, *user, *password;
        int want;
    } rows[] = {
        {"the right password", "alice", "right", 1},
        {"a wrong password", "alice", "wrong", 0},
        {"an unknown user", "bob", "right", 0},
        {"an unknown user with a known user's password", "mallory", "right", 0},
        {"a prefix of a user", "alic", "right", 0},
        {"an unsupported hash (plain text)", "plain", "right", 0},
        {"a user after the first match's line", "alicea", "right", 1},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
        ck_assert_msg(pfd_auth_htpasswd_check(path, rows[i].user, rows[i].password) == rows[i].want,
                      "%s", rows[i].description);
    ck_assert_int_eq(pfd_auth_htpasswd_check("/nonexistent/htpasswd", "alice", "right"), -1);
    unlink(path);
    free(alice);
}
END_TEST

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double seconds_of_check(const char *path, const char *user)
{
    double start = seconds_now();
    ck_assert_int_eq(pfd_auth_htpasswd_check(path, user, "wrong"), 0);
    return seconds_now() - start;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* User enumeration by timing: an unknown user must cost a hash verification as a known one
 * does. With bcrypt at cost 10 (~50 ms) the hash dominates everything else, so the medians of a
 * few interleaved tries compare robustly on a loaded machine: without the stand-in hash the
 * unknown user answers ~1000 times faster; with it, about as fast. The bound is loose (30 %). */
#define TIMING_TRIES 5
START_TEST(test_unknown_user_costs_a_hash_check)
{
    char *alice = bcrypt_of("right", 10), *carol = bcrypt_of("other", 10), text[512], path[64];
    snprintf(text, sizeof(text), "alice:%s\ncarol:%s\n", alice, carol);
    htpasswd_write(text, path, sizeof(path));
    double known[TIMING_TRIES], unknown[TIMING_TRIES];
    for (int i = 0; i < TIMING_TRIES; i++) {
        known[i] = seconds_of_check(path, "carol");
        unknown[i] = seconds_of_check(path, "nobody-by-this-name");
    }
    qsort(known, TIMING_TRIES, sizeof(double), compare_doubles);
    qsort(unknown, TIMING_TRIES, sizeof(double), compare_doubles);
    double k = known[TIMING_TRIES / 2], u = unknown[TIMING_TRIES / 2];
    ck_assert_msg(u >= 0.3 * k, "unknown user: %.2f ms, known user: %.2f ms (medians)", u * 1e3,
                  k * 1e3);
    unlink(path);
    free(alice);
    free(carol);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("rewrite");
    TCase *tc = tcase_create("pure");
    tcase_set_timeout(tc, 30); /* bcrypt at cost 10, ten times, on a loaded machine */
    tcase_add_test(tc, test_expand);
    tcase_add_test(tc, test_expand_capture_stays_in_path);
    tcase_add_test(tc, test_check_target_refuses_capture_in_host);
    tcase_add_test(tc, test_redirect_value);
    tcase_add_test(tc, test_cidr);
    tcase_add_test(tc, test_basic_decode);
    tcase_add_test(tc, test_hashes);
    tcase_add_test(tc, test_htpasswd_check);
    tcase_add_test(tc, test_unknown_user_costs_a_hash_check);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
