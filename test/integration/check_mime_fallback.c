/*
 * check_mime_fallback.c — where media types come from when the config names no mime_types and
 * has no mime.types beside it: the system's /etc/mime.types, else a built-in table of common web
 * types, with a warning from -t and in the error log at start (before, every file went out as
 * application/octet-stream without a word).
 *
 * The built-in step needs a host without /etc/mime.types: the server runs in a mount namespace
 * (unshare -m, as root) where /etc is a folder holding only what it needs (passwd, group …).
 */
#include "testsupport.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testsupport_run.h"
#include "testsupport_static.h"

#define UNSHARE "/usr/bin/unshare"
#define RUN_TIMEOUT_S 20.0

static void assert_type(const struct ts_server *s, const char *path, const char *want)
{
    struct ts_response r;
    ck_assert_int_eq(ts_get(s->port, path, &r), TS_OK);
    const char *got = ts_response_header(&r, "Content-Type");
    char copy[128];
    snprintf(copy, sizeof(copy), "%s", got != NULL ? got : "(none)");
    int status = r.status;
    ts_response_free(&r);
    ck_assert_int_eq(status, 200);
    ck_assert_msg(strncmp(copy, want, strlen(want)) == 0, "%s: Content-Type %s, want %s", path,
                  copy, want);
}

/* A site without mime.types beside its config, and files of a few types. */
static void site_without_mime_types(struct ts_server *s)
{
    ck_assert_int_eq(ts_server_init(s), 0);
    char beside[TS_PATH_MAX + 16];
    snprintf(beside, sizeof(beside), "%s/mime.types", s->dir);
    ck_assert_int_eq(unlink(beside), 0);
    ck_assert_int_eq(ts_static_put_str(s, "a.png", "x"), 0);
    ck_assert_int_eq(ts_static_put_str(s, "a.css", "x"), 0);
    ck_assert_int_eq(ts_static_put_str(s, "a.woff2", "x"), 0);
    ck_assert_int_eq(ts_static_put_str(s, "a.zzz", "x"), 0);
    ck_assert_int_eq(ts_server_configure(s, NULL), 0);
}

START_TEST(test_system_mime_types_when_none_beside)
{
    if (access("/etc/mime.types", R_OK) != 0) {
        fprintf(stderr, "SKIP: no /etc/mime.types (Debian package media-types)\n");
        return;
    }
    struct ts_server s;
    site_without_mime_types(&s);
    const char *args[] = {"-f", s.conf, NULL};
    ck_assert_int_eq(ts_server_spawn(&s, args), 0);
    ck_assert_msg(ts_server_wait_ready(&s, TS_START_TIMEOUT_S) == 0, "did not start");
    assert_type(&s, "/a.png", "image/png");
    assert_type(&s, "/a.css", "text/css");
    assert_type(&s, "/a.zzz", "application/octet-stream");
    ck_assert_msg(!ts_file_contains(s.error_log, "built-in table"), "warned with a mime.types");
    ts_server_stop(&s);
}
END_TEST

/* s->dir/etc: what the server needs of /etc, without mime.types; and a script that shows it as
 * /etc in a new mount namespace, then runs its arguments. Its path in script. */
static void hidden_etc_make(const struct ts_server *s, char *script, size_t size)
{
    char etc[TS_PATH_MAX + 8], text[4 * TS_PATH_MAX];
    snprintf(etc, sizeof(etc), "%s/etc", s->dir);
    ck_assert_int_eq(mkdir(etc, 0755), 0);
    const char *keep[] = {"passwd", "group", "nsswitch.conf", "ld.so.cache", "localtime"};
    for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++) {
        char from[64], to[TS_PATH_MAX + 32];
        snprintf(from, sizeof(from), "/etc/%s", keep[i]);
        snprintf(to, sizeof(to), "%s/%s", etc, keep[i]);
        size_t len;
        char *data = ts_file_read(from, &len);
        if (data != NULL)
            ck_assert_int_eq(ts_file_write(to, data, len), 0);
        free(data);
    }
    snprintf(script, size, "%s/hide-etc.sh", s->dir);
    snprintf(text, sizeof(text), "#!/bin/sh\nmount --bind %s /etc || exit 125\nexec \"$@\"\n", etc);
    ck_assert_int_eq(ts_file_write(script, text, strlen(text)), 0);
    ck_assert_int_eq(chmod(script, 0755), 0);
}

/* Whether this test may make a mount namespace (root, and a kernel or container that lets it). */
static bool can_unshare(void)
{
    if (geteuid() != 0 || access(UNSHARE, X_OK) != 0)
        return false;
    const char *argv[] = {UNSHARE, "-m", "/bin/true", NULL};
    char *out = NULL;
    int code = ts_run(argv, RUN_TIMEOUT_S, &out);
    free(out);
    return code == 0;
}

START_TEST(test_builtin_types_and_warning_without_any_mime_types)
{
    if (!can_unshare()) {
        fprintf(stderr, "SKIP: cannot make a mount namespace here (needs root and unshare -m)\n");
        return;
    }
    struct ts_server s;
    site_without_mime_types(&s);
    char script[TS_PATH_MAX + 32];
    hidden_etc_make(&s, script, sizeof(script));

    /* -t says it. */
    const char *check[] = {UNSHARE, "-m", script, PFD_BINARY, "-t", "-f", s.conf, NULL};
    char *out = NULL;
    int code = ts_run(check, RUN_TIMEOUT_S, &out);
    static char copy[2048];
    snprintf(copy, sizeof(copy), "%s", out != NULL ? out : "");
    free(out);
    ck_assert_msg(code == 0 && strstr(copy, "syntax OK") != NULL, "-t exited %d:\n%s", code, copy);
    ck_assert_msg(strstr(copy, "warning: no mime_types given") != NULL &&
                      strstr(copy, "\"/etc/mime.types\"") != NULL,
                  "-t does not warn:\n%s", copy);

    /* Start-up logs it, and the built-in table serves. */
    static char wrapper[2 * TS_PATH_MAX];
    snprintf(wrapper, sizeof(wrapper), "%s -m %s", UNSHARE, script);
    setenv("PFD_TEST_WRAPPER", wrapper, 1); /* this test's process only */
    const char *args[] = {"-f", s.conf, NULL};
    ck_assert_int_eq(ts_server_spawn(&s, args), 0);
    unsetenv("PFD_TEST_WRAPPER");
    ck_assert_msg(ts_server_wait_ready(&s, TS_START_TIMEOUT_S) == 0, "did not start");
    ck_assert_msg(ts_file_wait_for(s.error_log, "warning: no mime_types given", 5.0),
                  "no warning in the error log");
    assert_type(&s, "/a.png", "image/png");
    assert_type(&s, "/a.css", "text/css");
    assert_type(&s, "/a.woff2", "font/woff2");
    assert_type(&s, "/a.zzz", "application/octet-stream");
    ts_server_stop(&s);
}
END_TEST

static Suite *mime_fallback_suite(void)
{
    Suite *suite = suite_create("mime_fallback");
    TCase *tc = tcase_create("steps");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_system_mime_types_when_none_beside);
    tcase_add_test(tc, test_builtin_types_and_warning_without_any_mime_types);
    suite_add_tcase(suite, tc);
    return suite;
}

int main(void)
{
    return ts_run_session(mime_fallback_suite());
}
