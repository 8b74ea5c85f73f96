/*
 * check_auth_formats.c — Basic auth against an htpasswd file made by Apache's own htpasswd
 * (apache2-utils) in each format it writes (-B -5 -2 -m -s -d), on the real binary: 401 without
 * credentials, 200 with the right password, 401 with a wrong one; and a plain-text file
 * (htpasswd -p) refused, with the reason in the error log.
 */
#include "testsupport.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testsupport_run.h"

/* Each format: htpasswd's flag, and the location whose users file it made. */
static const struct {
    const char *description, *flag;
} formats[] = {
    {"bcrypt", "-B"}, {"SHA-512-crypt", "-5"}, {"SHA-256-crypt", "-2"}, {"Apache MD5", "-m"},
    {"SHA-1", "-s"},  {"DES crypt", "-d"},     {"plain text", "-p"}, /* refused: Apache reads it on
                                                                        Windows and NetWare only */
};
#define NFORMATS (sizeof(formats) / sizeof(formats[0]))

/* One location per format, /f<i>/, with its own users file (users-<i>), and a page in each. */
static void formats_start(struct ts_server *s)
{
    ck_assert_int_eq(ts_server_init(s), 0);
    char config[4096] = "", cmd[TS_PATH_MAX * 4], path[TS_PATH_MAX * 2];
    size_t used = 0;
    for (size_t i = 0; i < NFORMATS; i++) {
        used += (size_t)snprintf(config + used, sizeof(config) - used,
                                 "location \"/f%zu/\" { auth_basic = \"Format %zu\" "
                                 "auth_user_file = \"users-%zu\" }\n",
                                 i, i, i);
        ck_assert_uint_lt(used, sizeof(config));
        snprintf(cmd, sizeof(cmd), "htpasswd -cb %s '%s/users-%zu' alice 's3cret' 2>/dev/null",
                 formats[i].flag, s->dir, i);
        ck_assert_msg(system(cmd) == 0, "htpasswd %s failed", formats[i].flag);
        snprintf(path, sizeof(path), "%s/htdocs/f%zu/a.html", s->dir, i);
        ck_assert_int_eq(ts_file_put(path, "private\n", 8), 0);
    }
    ck_assert_int_eq(ts_server_configure(s, config), 0);
    const char *args[] = {"-f", s->conf, NULL};
    ck_assert_int_eq(ts_server_spawn(s, args), 0);
    if (ts_server_wait_ready(s, TS_START_TIMEOUT_S) != 0) {
        ts_server_dump(s);
        ck_abort_msg("the server did not start");
    }
}

/* The status of GET /f<i>/a.html with these credentials ("" for none). */
static int status_of(const struct ts_server *s, size_t i, const char *authorization)
{
    char req[512];
    snprintf(req, sizeof(req),
             "GET /f%zu/a.html HTTP/1.1\r\nHost: x\r\n%s%s%sConnection: close\r\n\r\n", i,
             authorization[0] ? "Authorization: Basic " : "", authorization,
             authorization[0] ? "\r\n" : "");
    struct ts_response r;
    ck_assert_int_eq(ts_request(s->port, req, &r), TS_OK);
    int status = r.status;
    ts_response_free(&r);
    return status;
}

#define ALICE_S3CRET "YWxpY2U6czNjcmV0" /* alice:s3cret */
#define ALICE_WRONG "YWxpY2U6d3Jvbmc="  /* alice:wrong */
#define ALICE_PREFIX "YWxpY2U6czNjcmU=" /* alice:s3cre (DES reads 8 bytes: not a prefix) */

START_TEST(test_each_format)
{
    struct ts_server s;
    formats_start(&s);
    for (size_t i = 0; i < NFORMATS; i++) {
        bool plain = strcmp(formats[i].flag, "-p") == 0;
        ck_assert_msg(status_of(&s, i, "") == 401, "%s: no credentials", formats[i].description);
        ck_assert_msg(status_of(&s, i, ALICE_S3CRET) == (plain ? 401 : 200), "%s: right password",
                      formats[i].description);
        ck_assert_msg(status_of(&s, i, ALICE_WRONG) == 401, "%s: wrong password",
                      formats[i].description);
        ck_assert_msg(status_of(&s, i, ALICE_PREFIX) == 401, "%s: a prefix of the password",
                      formats[i].description);
    }
    ck_assert(ts_file_wait_for(s.error_log, "user \"alice\" refused: unknown hash format", 5.0));
    ts_server_stop(&s);
}
END_TEST

static Suite *auth_formats_suite(void)
{
    Suite *s = suite_create("auth_formats");
    TCase *tc = tcase_create("auth_formats");
    tcase_set_timeout(tc, 60); /* bcrypt and SHA-crypt verifications on a loaded machine */
    tcase_add_test(tc, test_each_format);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ts_run_session(auth_formats_suite());
}
