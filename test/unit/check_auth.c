/*
 * check_auth.c — Basic credentials and htpasswd files: decoding the header, the hashes accepted,
 * and an unknown user costing as much as a known one (serve/auth.c).
 */
#include <check.h>
#include <crypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "serve/auth.h"
#include "testsupport.h"
#include "testsupport_run.h"

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
    snprintf(out, size, "/tmp/check_auth_htpasswd_XXXXXX");
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

static double seconds_of_check(const char *path, const char *user)
{
    double start = ts_now();
    ck_assert_int_eq(pfd_auth_htpasswd_check(path, user, "wrong"), 0);
    return ts_now() - start;
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

static Suite *auth_suite(void)
{
    Suite *s = suite_create("auth");
    TCase *tc = tcase_create("basic");
    tcase_set_timeout(tc, 30); /* bcrypt at cost 10, ten times, on a loaded machine */
    tcase_add_test(tc, test_basic_decode);
    tcase_add_test(tc, test_hashes);
    tcase_add_test(tc, test_htpasswd_check);
    tcase_add_test(tc, test_unknown_user_costs_a_hash_check);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ts_run_suite(auth_suite());
}
