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

#include "base/log.h"
#include "serve/auth.h"
#include "serve/auth_hash.h"
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

/* One hash of each format htpasswd writes, of the password "pw": made by apache2-utils'
 * `htpasswd -nb{B,5,2,m,s,d} u pw`, and Apache MD5 vectors by `openssl passwd -apr1`. */
static const struct {
    const char *description, *hash, *password;
} known_hashes[] = {
    {"bcrypt (-B)", "$2y$05$qwVJ3cKIRsGoEBcDosAZ7eFUvuarSWWk05ejWtTewUg4hRhiYppeG", "pw"},
    {"SHA-512-crypt (-5)",
     "$6$DG7xEhjmAhz0XlA2$m3mwKYMVEoE5Mrxf8BlH29Xd06kcNL60PGq94qVTMP60bvCdkIm/"
     "fDtNYyz.EqfPkmc8WBxt3ayDBnEFjF5QF1",
     "pw"},
    {"SHA-256-crypt (-2)", "$5$Cz23Vb4HVlH7mq3G$HaGAqnatDmgkeKNDwjMqbPulRL4M9jy3HIoaIBZFky1", "pw"},
    {"Apache MD5 (-m)", "$apr1$WKcq9Als$ecUCRSOuUN3Gq/yVLMbWc/", "pw"},
    {"SHA-1 (-s)", "{SHA}GpHWL3ymc5liWkNopqtdSjuqYHM=", "pw"},
    {"DES crypt (-d)", "bYBhFzcta3L0U", "pw"},
    {"apr1, empty password", "$apr1$abcdefgh$L.PT565ESX4Tp2bqNs7Ie.", ""},
    {"apr1, one byte", "$apr1$abcdefgh$G8IsPsylW5ROvIKsQMRG61", "a"},
    {"apr1, 8 bytes", "$apr1$abcdefgh$FBwExRW4dCc8aL.OvjpIE1", "password"},
    {"apr1, over 16 bytes", "$apr1$abcdefgh$WP8jLDF3IpMAdumRsaPYb1", "0123456789abcdef0123456789"},
    {"apr1, a one-byte salt", "$apr1$x$c1lfMpyyDm.graHWYyv3p/", "pw"},
};
#define NKNOWN (sizeof(known_hashes) / sizeof(known_hashes[0]))

START_TEST(test_hashes)
{
    const char *hash = known_hashes[_i].hash, *pw = known_hashes[_i].password;
    ck_assert_msg(pfd_auth_hash_refusal(hash) == NULL, "%s: %s", known_hashes[_i].description,
                  pfd_auth_hash_refusal(hash));
    ck_assert_msg(pfd_auth_hash_verify(hash, pw), "%s", known_hashes[_i].description);
    ck_assert_msg(!pfd_auth_hash_verify(hash, "pW"), "%s", known_hashes[_i].description);
    ck_assert_msg(!pfd_auth_hash_verify(hash, "pw "), "%s", known_hashes[_i].description);
}
END_TEST

START_TEST(test_apr1_compute)
{
    char out[PFD_AUTH_APR1_SIZE];
    pfd_auth_apr1("password", "abcdefgh", out);
    ck_assert_str_eq(out, "$apr1$abcdefgh$FBwExRW4dCc8aL.OvjpIE1");
    pfd_auth_apr1("password", "abcdefghijk$rest", out); /* the salt stops at 8 bytes */
    ck_assert_str_eq(out, "$apr1$abcdefgh$FBwExRW4dCc8aL.OvjpIE1");
}
END_TEST

/* Hashes refused, and why: the text must say "malformed" for a known format's broken line, and
 * "unknown" for anything else (plain text included). */
static const struct {
    const char *description, *hash, *reason;
} refused_hashes[] = {
    {"plain text (htpasswd -p)", "pw", "unknown hash format (plain-text"},
    {"empty", "", "empty hash"},
    {"MD5-crypt is not written by htpasswd", "$1$saltsalt$5Jhcit4zN9UlGiA0txPkO0", "unknown"},
    {"yescrypt", "$y$j9T$abc$def", "unknown"},
    {"bcrypt cost 99", "$2y$99$qwVJ3cKIRsGoEBcDosAZ7eFUvuarSWWk05ejWtTewUg4hRhiYppeG",
     "malformed bcrypt"},
    {"bcrypt cost 03", "$2y$03$qwVJ3cKIRsGoEBcDosAZ7eFUvuarSWWk05ejWtTewUg4hRhiYppeG",
     "malformed bcrypt"},
    {"bcrypt, a character too many",
     "$2y$05$qwVJ3cKIRsGoEBcDosAZ7eFUvuarSWWk05ejWtTewUg4hRhiYppeGx", "malformed bcrypt"},
    {"SHA-256-crypt, empty rounds", "$5$rounds=$Cz23Vb4HVlH7mq3G$HaGAqnatDmgkeKNDwjMqbPulRL4M9jy3H",
     "malformed SHA-256"},
    {"SHA-256-crypt, salt over 16",
     "$5$Cz23Vb4HVlH7mq3GX$HaGAqnatDmgkeKNDwjMqbPulRL4M9jy3HIoaIBZFky1", "malformed SHA-256"},
    {"SHA-512-crypt with a SHA-256 length",
     "$6$Cz23Vb4HVlH7mq3G$HaGAqnatDmgkeKNDwjMqbPulRL4M9jy3HIoaIBZFky1", "malformed SHA-512"},
    {"apr1, empty salt", "$apr1$$ecUCRSOuUN3Gq/yVLMbWc/", "malformed $apr1$"},
    {"apr1, salt over 8", "$apr1$WKcq9Als9$ecUCRSOuUN3Gq/yVLMbWc/", "malformed $apr1$"},
    {"apr1, a byte outside the alphabet", "$apr1$WKcq9Als$ecUCRSOuUN3Gq/yVLMbWc!",
     "malformed $apr1$"},
    {"{SHA}, no padding", "{SHA}GpHWL3ymc5liWkNopqtdSjuqYHM", "malformed {SHA}"},
    {"{SHA}, a byte outside base64", "{SHA}GpHWL3ymc5liWkNopqtdSj.qYHM=", "malformed {SHA}"},
    {"DES, 12 characters", "bYBhFzcta3L0", "unknown hash format (plain-text"},
    {"DES, a byte outside the alphabet", "bYBhFzcta3L0!", "unknown hash format (plain-text"},
    {"an unknown {scheme}", "{SSHA}abc", "unknown hash format (not one"},
};

START_TEST(test_hashes_refused)
{
    const char *hash = refused_hashes[_i].hash, *why = pfd_auth_hash_refusal(hash);
    ck_assert_msg(why != NULL && strncmp(why, refused_hashes[_i].reason,
                                         strlen(refused_hashes[_i].reason)) == 0,
                  "%s: %s", refused_hashes[_i].description, why ? why : "(accepted)");
    ck_assert(!pfd_auth_hash_verify(hash, "pw"));
    ck_assert(!pfd_auth_hash_verify(hash, hash)); /* a hash is never its own password */
}
END_TEST

/* Every proper prefix of every known hash, and each with one byte changed to each of a few
 * troublesome ones, is refused or fails to verify, and crashes nothing (under ASan too). */
START_TEST(test_hash_prefixes_and_mutations)
{
    static const char odd[] = {'$', ':', '{', '}', '=', '\x7f', '\x80', '\xff', ' '};
    const char *hash = known_hashes[_i].hash, *pw = known_hashes[_i].password;
    size_t len = strlen(hash);
    char buf[256];
    ck_assert_uint_lt(len, sizeof(buf));
    for (size_t n = 0; n < len; n++) {
        memcpy(buf, hash, n);
        buf[n] = '\0';
        ck_assert_msg(!pfd_auth_hash_supported(buf), "%s: prefix %zu", known_hashes[_i].description,
                      n);
        ck_assert(!pfd_auth_hash_verify(buf, pw));
    }
    for (size_t at = 0; at < len; at++) {
        for (size_t k = 0; k < sizeof(odd); k++) {
            if (hash[at] == odd[k])
                continue; /* not a change */
            memcpy(buf, hash, len + 1);
            buf[at] = odd[k];
            (void)pfd_auth_hash_refusal(buf);
            ck_assert_msg(!pfd_auth_hash_verify(buf, pw), "%s: byte %zu",
                          known_hashes[_i].description, at);
        }
    }
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
    snprintf(text, sizeof(text),
             "# users\nalice:%s\nplain:right\nalicea:%s\nmd5:$apr1$x$c1lfMpyyDm.graHWYyv3p/\n"
             "sha:{SHA}GpHWL3ymc5liWkNopqtdSjuqYHM=\ncut:$apr1$x$c1lfMpyyDm\n",
             alice, alice);
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
        {"Apache MD5", "md5", "pw", 1},
        {"Apache MD5, wrong password", "md5", "right", 0},
        {"{SHA}", "sha", "pw", 1},
        {"{SHA}, wrong password", "sha", "right", 0},
        {"a malformed hash", "cut", "pw", 0},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
        ck_assert_msg(pfd_auth_htpasswd_check(path, rows[i].user, rows[i].password) == rows[i].want,
                      "%s", rows[i].description);
    ck_assert_int_eq(pfd_auth_htpasswd_check("/nonexistent/htpasswd", "alice", "right"), -1);
    unlink(path);
    free(alice);
}
END_TEST

/* A refused line is logged at info with the file, the line number and the reason, never with
 * the password. */
START_TEST(test_refusal_logged)
{
    char path[64], log_path[64] = "/tmp/check_auth_log_XXXXXX";
    htpasswd_write("# users\nalice:$apr1$x$c1lfMpyyDm.graHWYyv3p/\nplain:s3cret-pw\ncut:{SHA}Gp\n",
                   path, sizeof(path));
    int fd = mkstemp(log_path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    ck_assert_int_eq(pfd_log_open(log_path, PFD_LOG_INFO), 0);
    ck_assert_int_eq(pfd_auth_htpasswd_check(path, "plain", "s3cret-pw"), 0);
    ck_assert_int_eq(pfd_auth_htpasswd_check(path, "cut", "s3cret-pw"), 0);
    ck_assert_int_eq(pfd_auth_htpasswd_check(path, "alice", "pw"), 1);
    pfd_log_close();
    size_t len = 0;
    char *log = ts_file_read(log_path, &len);
    ck_assert_ptr_nonnull(log);
    char want[256];
    snprintf(want, sizeof(want),
             "\"%s\" line 3: user \"plain\" refused: unknown hash format (plain-text", path);
    ck_assert_msg(strstr(log, want) != NULL, "%s", log);
    snprintf(want, sizeof(want), "\"%s\" line 4: user \"cut\" refused: malformed {SHA}", path);
    ck_assert_msg(strstr(log, want) != NULL, "%s", log);
    ck_assert_msg(strstr(log, "s3cret") == NULL, "%s", log);
    ck_assert_msg(strstr(log, "alice") == NULL, "%s", log);
    free(log);
    unlink(path);
    unlink(log_path);
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
    tcase_add_loop_test(tc, test_hashes, 0, NKNOWN);
    tcase_add_test(tc, test_apr1_compute);
    tcase_add_loop_test(tc, test_hashes_refused, 0,
                        sizeof(refused_hashes) / sizeof(refused_hashes[0]));
    tcase_add_loop_test(tc, test_hash_prefixes_and_mutations, 0, NKNOWN);
    tcase_add_test(tc, test_htpasswd_check);
    tcase_add_test(tc, test_refusal_logged);
    tcase_add_test(tc, test_unknown_user_costs_a_hash_check);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ts_run_suite(auth_suite());
}
