/*
 * check_cgi.c — mod_cgi through the real binary: the scripts of test/cgi/ (shell, Perl CGI.pm,
 * Python, php-cgi, and a C one compiled here) under /cgi-bin/, as a user of Apache's mod_cgi
 * would run them.
 */
#include "testsupport_cgi.h"

#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testsupport_run.h"

#define CGI_CONF                                                                                   \
    "modules = {\"static\", \"cgi\"}\n"                                                            \
    "module \"cgi\" { timeout = 2 }\n"                                                             \
    "location \"^/cgi-bin/\" { handler = \"cgi\" }\n"
#define HOST "Host: " TS_HOST "\r\n"
#define SPEED_REQUESTS 500

static void install_or_fail(const struct ts_server *s, const char *name)
{
    ck_assert_msg(ts_cgi_install(s, "cgi-bin", name) == 0, "cannot install %s", name);
}

/* A server with the CGI location and the named scripts (NULL-terminated). */
static void start_with(struct ts_server *s, const char *extra, const char *const *scripts)
{
    ts_server_start(s, extra != NULL ? extra : CGI_CONF);
    for (size_t i = 0; scripts != NULL && scripts[i] != NULL; i++)
        install_or_fail(s, scripts[i]);
}

static int request_or_fail(int port, const char *raw, struct ts_response *r)
{
    int rc = ts_request(port, raw, r);
    ck_assert_msg(rc == TS_OK, "request failed: %s\n%s", ts_result_name(rc), raw);
    return r->status;
}

static void get_or_fail(int port, const char *path, struct ts_response *r)
{
    int rc = ts_get(port, path, r);
    ck_assert_msg(rc == TS_OK, "GET %s failed: %s", path, ts_result_name(rc));
}

static void expect_env(const char *body, const char *name, const char *want)
{
    char *got = ts_cgi_env_value(body, name);
    if (want == NULL)
        ck_assert_msg(got == NULL, "%s should not be set, is \"%s\"", name, got);
    else
        ck_assert_msg(got != NULL && strcmp(got, want) == 0, "%s: expected \"%s\", got \"%s\"",
                      name, want, got != NULL ? got : "(unset)");
    free(got);
}

/* ---- the environment ---------------------------------------------------------------------- */

START_TEST(test_environment)
{
    struct ts_server s;
    const char *scripts[] = {"printenv.sh", NULL};
    setenv("PFD_CGI_LEAK", "from the server", 1); /* the server inherits it; scripts must not */
    start_with(&s, CGI_CONF, scripts);
    char raw[1024];
    snprintf(raw, sizeof(raw),
             "POST /cgi-bin/printenv.sh/a%%20b/c%%2Bd?x=%%41&y=1+2 HTTP/1.1\r\n" HOST
             "Content-Type: text/plain\r\nContent-Length: 0\r\nX-Foo: bar\r\nX_Foo: smuggled\r\n"
             "Proxy: http://evil/\r\nAuthorization: Basic dTpw\r\nCookie: a=1\r\nCookie: b=2\r\n"
             "Connection: close\r\n\r\n");
    struct ts_response r;
    ck_assert_int_eq(request_or_fail(s.port, raw, &r), 200);
    char port[16], root[TS_PATH_MAX * 2];
    snprintf(port, sizeof(port), "%d", s.port);
    const char *want[][2] = {
        {"GATEWAY_INTERFACE", "CGI/1.1"},
        {"SERVER_PROTOCOL", "HTTP/1.1"},
        {"SERVER_NAME", TS_HOST},
        {"SERVER_ADDR", TS_HOST},
        {"SERVER_PORT", port},
        {"REMOTE_ADDR", TS_HOST},
        {"REQUEST_METHOD", "POST"},
        {"REQUEST_SCHEME", "http"},
        {"REQUEST_URI", "/cgi-bin/printenv.sh/a%20b/c%2Bd?x=%41&y=1+2"},
        {"QUERY_STRING", "x=%41&y=1+2"},
        {"SCRIPT_NAME", "/cgi-bin/printenv.sh"},
        {"PATH_INFO", "/a b/c+d"},
        {"CONTENT_TYPE", "text/plain"},
        {"CONTENT_LENGTH", "0"},
        {"REDIRECT_STATUS", "200"},
        {"CONTEXT_PREFIX", ""},
        {"PATH", "/usr/local/bin:/usr/bin:/bin"},
        {"HTTP_X_FOO", "bar"},
        {"HTTP_COOKIE", "a=1; b=2"},
        {"HTTP_PROXY", NULL},
        {"HTTP_AUTHORIZATION", NULL},
        {"HTTP_CONTENT_TYPE", NULL},
        {"PFD_CGI_LEAK", NULL},
        {"HOME", NULL},
        {"FDS", "0 1 2 3 "}, /* the three pipes, and ls's own directory: nothing leaked */
    };
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
        expect_env(r.body, want[i][0], want[i][1]);
    snprintf(root, sizeof(root), "%s/cgi-bin/printenv.sh", s.docroot);
    expect_env(r.body, "SCRIPT_FILENAME", root);
    expect_env(r.body, "DOCUMENT_ROOT", s.docroot);
    snprintf(root, sizeof(root), "%s/a b/c+d", s.docroot);
    expect_env(r.body, "PATH_TRANSLATED", root);
    snprintf(root, sizeof(root), "%s/cgi-bin", s.docroot);
    expect_env(r.body, "CWD", root);
    ck_assert_msg(strstr(r.body, "\nSERVER_SOFTWARE=preforkd/") != NULL, "%s", r.body);
    char *remote_port = ts_cgi_env_value(r.body, "REMOTE_PORT");
    ck_assert_msg(remote_port != NULL && atoi(remote_port) > 0, "REMOTE_PORT: %s", remote_port);
    free(remote_port);
    ts_response_free(&r);
    ts_server_stop(&s);
}
END_TEST

/* No PATH_INFO: PATH_INFO and PATH_TRANSLATED are left out (as Apache does); QUERY_STRING is
 * set, empty. */
START_TEST(test_environment_minimal)
{
    struct ts_server s;
    const char *scripts[] = {"printenv.sh", NULL};
    start_with(&s, CGI_CONF, scripts);
    struct ts_response r;
    get_or_fail(s.port, "/cgi-bin/printenv.sh", &r);
    ck_assert_int_eq(r.status, 200);
    expect_env(r.body, "QUERY_STRING", "");
    expect_env(r.body, "PATH_INFO", NULL);
    expect_env(r.body, "PATH_TRANSLATED", NULL);
    expect_env(r.body, "CONTENT_LENGTH", NULL);
    expect_env(r.body, "REQUEST_METHOD", "GET");
    ts_response_free(&r);
    ts_server_stop(&s);
}
END_TEST

/* Only what pass_env names comes from the server's environment; set_env adds variables. */
START_TEST(test_pass_and_set_env)
{
    setenv("PFD_TEST_PASSED", "passed-through", 1);
    setenv("PFD_TEST_SECRET", "must-not-leak", 1);
    struct ts_server s;
    const char *scripts[] = {"printenv.sh", NULL};
    start_with(&s,
               "modules = {\"static\", \"cgi\"}\n"
               "location \"^/cgi-bin/\" { handler = \"cgi\" }\n"
               "module \"cgi\" { timeout = 2 pass_env = {\"PFD_TEST_PASSED\"} "
               "set_env = {\"APP_MODE=production\", \"EMPTY=\"} }\n",
               scripts);
    struct ts_response r;
    get_or_fail(s.port, "/cgi-bin/printenv.sh", &r);
    ck_assert_msg(r.status == 200, "%s", ts_response_describe(&r));
    expect_env(r.body, "PFD_TEST_PASSED", "passed-through");
    expect_env(r.body, "APP_MODE", "production");
    expect_env(r.body, "EMPTY", "");
    expect_env(r.body, "PFD_TEST_SECRET", NULL);
    ts_response_free(&r);
    ts_server_stop(&s);
    unsetenv("PFD_TEST_PASSED");
    unsetenv("PFD_TEST_SECRET");
}
END_TEST

/* rlimit_cpu: a script that spins is stopped by the kernel (SIGXCPU), and the log says so. */
START_TEST(test_rlimit_cpu)
{
    struct ts_server s;
    start_with(&s,
               "modules = {\"static\", \"cgi\"}\n"
               "location \"^/cgi-bin/\" { handler = \"cgi\" }\n"
               "module \"cgi\" { timeout = 20 rlimit_cpu = 1 }\n",
               NULL);
    ck_assert_int_eq(
        ts_cgi_write(&s, "cgi-bin", "spin.sh", "#!/bin/sh\nwhile :; do :; done\n", 0755), 0);
    struct ts_response r;
    get_or_fail(s.port, "/cgi-bin/spin.sh", &r);
    ck_assert_msg(r.status == 500, "%s", ts_response_describe(&r));
    ts_response_free(&r);
    ck_assert_msg(ts_file_wait_for(s.error_log, "spin.sh", 5.0),
                  "no log line for the stopped script");
    ts_server_stop(&s);
}
END_TEST

/* ScriptAlias: a prefix location aliased to a folder outside the URL space runs its scripts,
 * with Apache's context variables. */
START_TEST(test_script_alias)
{
    struct ts_server s;
    ck_assert_int_eq(ts_server_init(&s), 0);
    char extra[1024];
    snprintf(extra, sizeof(extra),
             "modules = {\"static\", \"cgi\"}\n"
             "location \"/scripts/\" { alias = \"%s/cgi-bin/\" handler = \"cgi\" }\n",
             s.docroot);
    ck_assert_int_eq(ts_server_configure(&s, extra), 0);
    install_or_fail(&s, "printenv.sh");
    const char *args[] = {"-f", s.conf, NULL};
    ck_assert_int_eq(ts_server_spawn(&s, args), 0);
    if (ts_server_wait_ready(&s, 10.0) != 0) {
        ts_server_dump(&s);
        ck_abort_msg("the server did not start");
    }
    struct ts_response r;
    get_or_fail(s.port, "/scripts/printenv.sh/extra/path?q=1", &r);
    ck_assert_msg(r.status == 200, "%s", ts_response_describe(&r));
    char want[TS_PATH_MAX + 64];
    snprintf(want, sizeof(want), "%s/cgi-bin/printenv.sh", s.docroot);
    expect_env(r.body, "SCRIPT_FILENAME", want);
    expect_env(r.body, "SCRIPT_NAME", "/scripts/printenv.sh");
    expect_env(r.body, "PATH_INFO", "/extra/path");
    expect_env(r.body, "CONTEXT_PREFIX", "/scripts/");
    snprintf(want, sizeof(want), "%s/cgi-bin", s.docroot);
    expect_env(r.body, "CONTEXT_DOCUMENT_ROOT", want);
    ts_response_free(&r);
    ts_server_stop(&s);
}
END_TEST

/* Hidden files (a URL segment starting with '.') are 404 as mod_static makes them, whether they
 * exist or not, are scripts or folders; run_hidden = true (module or location) runs them. */
static const struct {
    const char *description;
    const char *extra; /* the config */
    const char *path;
    int status;
} hidden_cases[] = {
    {"a script under .git/", CGI_CONF, "/cgi-bin/.git/hook.sh", 404},
    {"a script named .x.cgi", CGI_CONF, "/cgi-bin/.x.cgi", 404},
    {"a hidden folder (not 403)", CGI_CONF, "/cgi-bin/.git/", 404},
    {"a hidden file that does not exist", CGI_CONF, "/cgi-bin/.nothing", 404},
    {"path info with a hidden segment", CGI_CONF, "/cgi-bin/ok.sh/.env", 404},
    {"a visible script still runs", CGI_CONF, "/cgi-bin/ok.sh", 200},
    {"run_hidden in the module",
     "modules = {\"static\", \"cgi\"}\n"
     "module \"cgi\" { run_hidden = true }\n"
     "location \"^/cgi-bin/\" { handler = \"cgi\" }\n",
     "/cgi-bin/.x.cgi", 200},
    {"run_hidden in the location",
     "modules = {\"static\", \"cgi\"}\n"
     "location \"^/cgi-bin/\" { handler = \"cgi\" run_hidden = true }\n",
     "/cgi-bin/.git/hook.sh", 200},
};

START_TEST(test_hidden_scripts_are_404)
{
    struct ts_server s;
    start_with(&s, hidden_cases[_i].extra, NULL);
    static const char ok[] = "#!/bin/sh\nprintf 'Content-Type: text/plain\\n\\nran\\n'\n";
    ck_assert_int_eq(ts_cgi_write(&s, "cgi-bin", ".x.cgi", ok, 0755), 0);
    ck_assert_int_eq(ts_cgi_write(&s, "cgi-bin", "ok.sh", ok, 0755), 0);
    ck_assert_int_eq(ts_cgi_write(&s, "cgi-bin/.git", "hook.sh", ok, 0755), 0);
    struct ts_response r;
    get_or_fail(s.port, hidden_cases[_i].path, &r);
    ck_assert_msg(r.status == hidden_cases[_i].status, "%s: %s: expected %d, got %s",
                  hidden_cases[_i].description, hidden_cases[_i].path, hidden_cases[_i].status,
                  ts_response_describe(&r));
    if (r.status == 200)
        ck_assert_str_eq(r.body, "ran\n");
    else
        ck_assert_msg(strstr(r.body, "ran") == NULL, "%s: the script ran",
                      hidden_cases[_i].description);
    ts_response_free(&r);
    ts_server_stop(&s);
}
END_TEST

/* ---- the script's head -------------------------------------------------------------------- */

struct head_case {
    const char *description;
    const char *query; /* status.sh?query */
    int status;
    const char *header; /* a header that must be there, "Name: value", or NULL */
    const char *body;   /* the body, or NULL not to check */
    const char *log;    /* what the error log must then say, or NULL */
};

static const struct head_case head_cases[] = {
    {"Status with a reason", "notfound", 404, "Content-Type: text/plain", "missing\n", NULL},
    {"absolute Location: 302", "absolute", 302, "Location: http://example.com/elsewhere", NULL,
     NULL},
    {"local Location: served in place", "local", 200, NULL, TS_HELLO_TXT, NULL},
    {"LF line ends and a folded line", "lf", 200, "X-Folded: a   b", "lf only\n", NULL},
    {"the script's Content-Length", "length", 200, "Content-Length: 5", "hello", NULL},
    {"garbage instead of headers", "garbage", 500, NULL, NULL,
     "malformed header from script: a header line without a name"},
    {"output ends inside the head", "noheaders", 500, NULL, NULL,
     "end of script output before the empty line"},
    {"a Status that is not a number", "badstatus", 500, NULL, NULL, "a Status that is not"},
    {"a script that crashes", "crash", 500, NULL, NULL, "killed by signal 11"},
    {"stderr goes to the error log", "stderr", 200, NULL, "ok\n", "stderr: a line on stderr"},
};

START_TEST(test_head)
{
    const struct head_case *row = &head_cases[_i];
    struct ts_server s;
    const char *scripts[] = {"status.sh", NULL};
    start_with(&s, CGI_CONF, scripts);
    char path[128];
    snprintf(path, sizeof(path), "/cgi-bin/status.sh?%s", row->query);
    struct ts_response r;
    get_or_fail(s.port, path, &r);
    ck_assert_msg(r.status == row->status, "%s: expected %d, got %s", row->description, row->status,
                  ts_response_describe(&r));
    if (row->header != NULL) {
        char name[64];
        snprintf(name, sizeof(name), "%.*s", (int)(strchr(row->header, ':') - row->header),
                 row->header);
        const char *value = ts_response_header(&r, name);
        ck_assert_msg(value != NULL && strcmp(value, strchr(row->header, ':') + 2) == 0,
                      "%s: %s: got \"%s\"", row->description, name, value ? value : "(none)");
    }
    if (row->body != NULL)
        ck_assert_msg(strcmp(r.body, row->body) == 0, "%s: body \"%s\"", row->description, r.body);
    if (row->log != NULL)
        ck_assert_msg(ts_file_wait_for(s.error_log, row->log, 5.0), "%s: the log lacks \"%s\"",
                      row->description, row->log);
    ts_response_free(&r);
    ts_server_stop(&s);
}
END_TEST

/* Heads refused after some of their fields were good: the 500 is the server's own page, with
 * none of the script's fields (a Set-Cookie or Content-Encoding on an error page is a lie, a
 * second Content-Type a confusion), and the log names the script and the reason. A control byte
 * in a value is refused rather than sent (RFC 9110 §5.5). */
static const struct {
    const char *description;
    const char *printf_arg; /* the script's output, as a printf format */
    const char *log;
} bad_head_cases[] = {
    {"a bare CR in the last field",
     "Set-Cookie: s=1\\r\\nContent-Encoding: gzip\\r\\n"
     "Content-Type: application/x-evil\\r\\nX-Bad: a\\rb\\r\\n\\r\\nbody",
     "a control character (or a bare CR) in a header value"},
    {"\\x01 in a value", "Set-Cookie: s=1\\r\\nX-Bad: a\\001b\\r\\n\\r\\nbody",
     "a control character (or a bare CR) in a header value"},
    {"ESC in Content-Type", "Set-Cookie: s=1\\r\\nContent-Type: text/html\\033[2J\\r\\n\\r\\nbody",
     "a control character (or a bare CR) in a header value"},
    {"a bad Status after good fields",
     "Set-Cookie: s=1\\r\\nContent-Encoding: gzip\\r\\n"
     "Status: abc\\r\\n\\r\\nbody",
     "a Status that is not"},
    {"a 1xx Status after good fields", "Set-Cookie: s=1\\r\\nStatus: 102\\r\\n\\r\\nbody",
     "a 1xx Status"},
};

START_TEST(test_bad_head_500_carries_no_script_headers)
{
    struct ts_server s;
    start_with(&s, CGI_CONF, NULL);
    char script[512];
    snprintf(script, sizeof(script), "#!/bin/sh\nprintf '%s'\n", bad_head_cases[_i].printf_arg);
    ck_assert_int_eq(ts_cgi_write(&s, "cgi-bin", "bad.sh", script, 0755), 0);
    struct ts_response r;
    get_or_fail(s.port, "/cgi-bin/bad.sh", &r);
    const char *what = bad_head_cases[_i].description;
    ck_assert_msg(r.status == 500, "%s: %s", what, ts_response_describe(&r));
    size_t types = 0;
    for (size_t i = 0; i < r.nheaders; i++) {
        const char *name = r.headers[i].name;
        ck_assert_msg(strcasecmp(name, "Set-Cookie") != 0 && strcasecmp(name, "X-Bad") != 0 &&
                          strcasecmp(name, "Content-Encoding") != 0,
                      "%s: the 500 carries the script's %s: %s", what, name, r.headers[i].value);
        types += strcasecmp(name, "Content-Type") == 0;
    }
    ck_assert_msg(types == 1, "%s: %zu Content-Type fields", what, types);
    ck_assert_str_eq(ts_response_header(&r, "Content-Type"), "text/html; charset=utf-8");
    ck_assert_msg(ts_file_wait_for(s.error_log, bad_head_cases[_i].log, 5.0),
                  "%s: the log lacks \"%s\"", what, bad_head_cases[_i].log);
    char *line = ts_file_line_with(s.error_log, bad_head_cases[_i].log);
    ck_assert_msg(line != NULL && strstr(line, "/cgi-bin/bad.sh\" failed") != NULL,
                  "%s: the log line does not name the script: %s", what, line);
    free(line);
    ts_response_free(&r);
    ts_server_stop(&s);
}
END_TEST

/* A local redirect to another script runs it as a GET with the new query (RFC 3875 §6.2.2). */
START_TEST(test_local_redirect_to_script)
{
    struct ts_server s;
    const char *scripts[] = {"status.sh", "printenv.sh", NULL};
    start_with(&s, CGI_CONF, scripts);
    struct ts_response r;
    const char *raw = "POST /cgi-bin/status.sh?localq HTTP/1.1\r\n" HOST
                      "Content-Length: 3\r\nConnection: close\r\n\r\nabc";
    ck_assert_int_eq(request_or_fail(s.port, raw, &r), 200);
    expect_env(r.body, "QUERY_STRING", "from=redirect");
    expect_env(r.body, "REQUEST_METHOD", "GET");
    ts_response_free(&r);
    ts_server_stop(&s);
}
END_TEST

/* RFC 3875 §4.4: the words of a query without '=' are the script's arguments, as in Apache. */
START_TEST(test_search_arguments)
{
    struct ts_server s;
    start_with(&s, CGI_CONF, NULL);
    ck_assert_int_eq(ts_cgi_write(&s, "cgi-bin", "args.sh",
                                  "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\n'\n"
                                  "for a in \"$@\"; do printf '[%s]' \"$a\"; done\n",
                                  0755),
                     0);
    struct ts_response r;
    get_or_fail(s.port, "/cgi-bin/args.sh?one+two%20words+%3Cthree%3E", &r);
    ck_assert_msg(r.status == 200, "%s", ts_response_describe(&r));
    ck_assert_str_eq(r.body, "[one][two words][<three>]");
    ts_response_free(&r);
    get_or_fail(s.port, "/cgi-bin/args.sh?name=value+more", &r);
    ck_assert_str_eq(r.body, "");
    ts_response_free(&r);
    ts_server_stop(&s);
}
END_TEST

/* nph-: the script's own status line and headers reach the client. */
START_TEST(test_nph)
{
    struct ts_server s;
    const char *scripts[] = {"nph-status.sh", NULL};
    start_with(&s, CGI_CONF, scripts);
    struct ts_response r;
    get_or_fail(s.port, "/cgi-bin/nph-status.sh", &r);
    ck_assert_msg(r.status == 202, "%s", ts_response_describe(&r));
    ck_assert_str_eq(ts_response_header(&r, "X-Nph"), "yes");
    ck_assert_str_eq(r.body, "nph body\n");
    ts_response_free(&r);
    ts_server_stop(&s);
}
END_TEST

/* Missing → 404, not executable → 403 with the reason logged, the folder itself → 403. */
START_TEST(test_not_runnable)
{
    struct ts_server s;
    start_with(&s, CGI_CONF, NULL);
    ck_assert_int_eq(ts_cgi_write(&s, "cgi-bin", "plain.sh", "#!/bin/sh\necho hi\n", 0644), 0);
    ck_assert_int_eq(ts_get_status(s.port, "/cgi-bin/missing.sh"), 404);
    ck_assert_int_eq(ts_get_status(s.port, "/cgi-bin/missing.sh/path/info"), 404);
    ck_assert_int_eq(ts_get_status(s.port, "/cgi-bin/plain.sh"), 403);
    ck_assert_msg(ts_file_wait_for(s.error_log, "plain.sh\" is not executable", 5.0),
                  "no reason logged for the 403");
    ck_assert_int_eq(ts_get_status(s.port, "/cgi-bin/"), 403);
    ts_server_stop(&s);
}
END_TEST

/* check_ownership (suexec-like): a script others could have changed is refused with 403 and the
 * reason logged; a script owned by the workers' user or root, in a folder only its owner can
 * write, runs. The test's files belong to the test's user: root in CI (workers as nobody), or
 * the user the server runs as when the suite is not run as root. */
START_TEST(test_check_ownership)
{
    struct ts_server s;
    start_with(&s,
               "modules = {\"static\", \"cgi\"}\n"
               "module \"cgi\" { timeout = 2 check_ownership = true }\n"
               "location \"^/cgi-bin/\" { handler = \"cgi\" }\n"
               "location \"^/open-bin/\" { handler = \"cgi\" }\n",
               NULL);
    const char *script = "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\nran\\n'\n";
    ck_assert_int_eq(ts_cgi_write(&s, "cgi-bin", "good.sh", script, 0755), 0);
    ck_assert_int_eq(ts_cgi_write(&s, "cgi-bin", "world.sh", script, 0777), 0);
    ck_assert_int_eq(ts_cgi_write(&s, "cgi-bin", "group.sh", script, 0775), 0);
    ck_assert_int_eq(ts_cgi_write(&s, "cgi-bin", "setuid.sh", script, 04755), 0);
    ck_assert_int_eq(ts_cgi_write(&s, "open-bin", "good.sh", script, 0755), 0);
    char open_bin[TS_PATH_MAX * 2];
    snprintf(open_bin, sizeof(open_bin), "%s/open-bin", s.docroot);
    ck_assert_int_eq(chmod(open_bin, 0777), 0);

    struct ts_response r;
    get_or_fail(s.port, "/cgi-bin/good.sh", &r);
    ck_assert_msg(r.status == 200 && strstr(r.body, "ran") != NULL, "good.sh: %s",
                  ts_response_describe(&r));
    ts_response_free(&r);
    const char *refused[][2] = {
        {"/cgi-bin/world.sh", "world.sh\" refused by check_ownership: writable by group or others"},
        {"/cgi-bin/group.sh", "group.sh\" refused by check_ownership: writable by group or others"},
        {"/cgi-bin/setuid.sh", "setuid.sh\" refused by check_ownership: setuid or setgid"},
        {"/open-bin/good.sh", "good.sh\" refused by check_ownership: its folder is writable"},
    };
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        ck_assert_msg(ts_get_status(s.port, refused[i][0]) == 403, "%s not refused", refused[i][0]);
        ck_assert_msg(ts_file_wait_for(s.error_log, refused[i][1], 5.0), "not logged: %s",
                      refused[i][1]);
    }
    ck_assert_int_eq(ts_get_status(s.port, "/cgi-bin/good.sh"), 200); /* still runs */
    ts_server_stop(&s);
}
END_TEST

/* ---- languages ---------------------------------------------------------------------------- */

START_TEST(test_python_php_c)
{
    struct ts_server s;
    const char *scripts[] = {"hello.py", "page.php", NULL};
    start_with(&s, CGI_CONF, scripts);
    ck_assert_int_eq(ts_cgi_compile(&s, "tiny.c", "cgi-bin", "tiny"), 0);
    struct ts_response r;
    get_or_fail(s.port, "/cgi-bin/hello.py/p%C3%A9?x=%C3%A9", &r);
    ck_assert_msg(strcmp(r.body, "python query=x=%C3%A9 path_info=/p\xc3\xa9\n") == 0, "%s",
                  r.body);
    ts_response_free(&r);
    get_or_fail(s.port, "/cgi-bin/page.php?q=%3Cb%3E", &r);
    ck_assert_msg(r.status == 200 && strcmp(r.body, "php says &lt;b&gt; via GET\n") == 0, "%s %s",
                  ts_response_describe(&r), r.body);
    ck_assert_str_eq(ts_response_header(&r, "X-Php"), "yes");
    ts_response_free(&r);
    get_or_fail(s.port, "/cgi-bin/tiny?abc", &r);
    ck_assert_str_eq(r.body, "c query=abc\n");
    ts_response_free(&r);
    ts_server_stop(&s);
}
END_TEST

/* A multipart/form-data upload through Perl's CGI.pm. */
START_TEST(test_perl_upload)
{
    struct ts_server s;
    const char *scripts[] = {"upload.pl", NULL};
    start_with(&s, CGI_CONF, scripts);
    const char *body = "--XyZ\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\njoe\r\n"
                       "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; "
                       "filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\n0123456789\r\n"
                       "--XyZ--\r\n";
    char raw[2048];
    snprintf(raw, sizeof(raw),
             "POST /cgi-bin/upload.pl/x/y HTTP/1.1\r\n" HOST
             "Content-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: %zu\r\n"
             "Connection: close\r\n\r\n%s",
             strlen(body), body);
    struct ts_response r;
    ck_assert_int_eq(request_or_fail(s.port, raw, &r), 200);
    ck_assert_msg(strcmp(r.body, "name=joe\nfile=a.txt bytes=10\npath_info=/x/y\n") == 0, "%s",
                  r.body);
    ts_response_free(&r);
    ts_server_stop(&s);
}
END_TEST

/* A 3 MB multipart upload to CGI.pm on the default limits.body (1 GiB, Apache 2.4.54+'s): no
 * limits section in the config, and the script gets the whole file (issue 16: 1 MiB was 413). */
#define UPLOAD_3MB (3 * 1000 * 1000)
START_TEST(test_perl_upload_3mb_default_limit)
{
    struct ts_server s;
    const char *scripts[] = {"upload.pl", NULL};
    start_with(&s, CGI_CONF, scripts);
    static const char before[] = "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; "
                                 "filename=\"big.bin\"\r\nContent-Type: application/octet-stream"
                                 "\r\n\r\n",
                      after[] = "\r\n--XyZ--\r\n";
    size_t body_len = sizeof(before) - 1 + UPLOAD_3MB + sizeof(after) - 1;
    char head[256];
    int head_len = snprintf(head, sizeof(head),
                            "POST /cgi-bin/upload.pl HTTP/1.1\r\n" HOST
                            "Content-Type: multipart/form-data; boundary=XyZ\r\n"
                            "Content-Length: %zu\r\nConnection: close\r\n\r\n",
                            body_len);
    char *raw = malloc((size_t)head_len + body_len + 1), *p = raw;
    ck_assert_ptr_nonnull(raw);
    memcpy(p, head, (size_t)head_len);
    p += head_len;
    memcpy(p, before, sizeof(before) - 1);
    p += sizeof(before) - 1;
    memset(p, 'u', UPLOAD_3MB);
    p += UPLOAD_3MB;
    memcpy(p, after, sizeof(after)); /* with its NUL */
    struct ts_response r;
    ck_assert_int_eq(request_or_fail(s.port, raw, &r), 200);
    ck_assert_msg(strstr(r.body, "file=big.bin bytes=3000000\n") != NULL, "%s", r.body);
    ts_response_free(&r);
    free(raw);
    ts_server_stop(&s);
}
END_TEST

/* ---- request bodies ----------------------------------------------------------------------- */

/* A body of len bytes: a pattern, so that a dropped or repeated block shows. */
static char *pattern(size_t len)
{
    char *p = malloc(len + 1);
    for (size_t i = 0; i < len; i++)
        p[i] = (char)('a' + (i * 7 + i / 4096) % 26);
    p[len] = '\0';
    return p;
}

/* The request: head, then the body in Content-Length or chunked (chunks of 1000 bytes). */
static char *post_request(const char *path, const char *body, size_t len, bool chunked)
{
    size_t cap = len * 2 + 1024, n = 0;
    char *raw = malloc(cap);
    n += (size_t)snprintf(raw, cap, "POST %s HTTP/1.1\r\n" HOST "Connection: close\r\n", path);
    if (!chunked) {
        n += (size_t)snprintf(raw + n, cap - n, "Content-Length: %zu\r\n\r\n", len);
        memcpy(raw + n, body, len);
        raw[n + len] = '\0';
        return raw;
    }
    n += (size_t)snprintf(raw + n, cap - n, "Transfer-Encoding: chunked\r\n\r\n");
    for (size_t at = 0; at < len; at += 1000) {
        size_t part = len - at < 1000 ? len - at : 1000;
        n += (size_t)snprintf(raw + n, cap - n, "%zx\r\n%.*s\r\n", part, (int)part, body + at);
    }
    snprintf(raw + n, cap - n, "0\r\n\r\n");
    return raw;
}

struct body_case {
    const char *description;
    size_t len;
    bool chunked;
};

static const struct body_case body_cases[] = {
    {"Content-Length, 11 bytes", 11, false},
    {"Content-Length, 300 KiB", 300 * 1024, false},
    {"chunked, 11 bytes (spooled in memory)", 11, true},
    {"chunked, 300 KiB (spooled to a temp file)", 300 * 1024, true},
};

/* echo.sh sends back what it read: every byte arrives, and CONTENT_LENGTH is set for chunked. */
START_TEST(test_post_body)
{
    const struct body_case *row = &body_cases[_i];
    struct ts_server s;
    const char *scripts[] = {"echo.sh", NULL};
    start_with(&s, CGI_CONF, scripts);
    char *body = pattern(row->len);
    char *raw = post_request("/cgi-bin/echo.sh", body, row->len, row->chunked);
    struct ts_response r;
    ck_assert_int_eq(request_or_fail(s.port, raw, &r), 200);
    char length[32];
    snprintf(length, sizeof(length), "%zu", row->len);
    ck_assert_str_eq(ts_response_header(&r, "X-Content-Length"), length);
    ck_assert_msg(r.body_len == row->len && memcmp(r.body, body, row->len) == 0,
                  "%s: %zu bytes came back", row->description, r.body_len);
    ts_response_free(&r);
    free(raw);
    free(body);
    ts_server_stop(&s);
}
END_TEST

/* A script that answers without reading a 900 KiB body does not hang the request. */
START_TEST(test_ignore_stdin)
{
    struct ts_server s;
    const char *scripts[] = {"ignore-stdin.sh", NULL};
    start_with(&s, CGI_CONF, scripts);
    size_t len = 900 * 1024;
    char *body = pattern(len);
    char *raw = post_request("/cgi-bin/ignore-stdin.sh", body, len, false);
    struct ts_response r;
    double start = ts_now();
    ck_assert_int_eq(request_or_fail(s.port, raw, &r), 200);
    ck_assert_str_eq(r.body, "ignored your body\n");
    ck_assert_msg(ts_now() - start < 5.0, "took %.1f s", ts_now() - start);
    ts_response_free(&r);
    free(raw);
    free(body);
    ts_server_stop(&s);
}
END_TEST

/* 100 MB up (streamed to stdin) and 100 MB down (streamed from stdout). */
START_TEST(test_100mb)
{
    struct ts_server s;
    const char *scripts[] = {"count.sh", "big.sh", NULL};
    start_with(&s, CGI_CONF "limits { body = \"200M\" }\n", scripts);
    int status = 0;
    unsigned long long bytes = 0;
    int rc = ts_cgi_count_response(s.port, "GET /cgi-bin/big.sh?100 HTTP/1.0\r\n\r\n", 25000,
                                   &status, &bytes);
    ck_assert_msg(rc == TS_OK && status == 200 && bytes == 100ULL * 1048576,
                  "download: %s, status %d, %llu bytes", ts_result_name(rc), status, bytes);

    struct ts_conn c;
    ck_assert_int_eq(ts_conn_open(&c, s.port, 5000), 0);
    c.timeout_ms = 25000;
    size_t total = 100u * 1048576, block = 1 << 20;
    char head[256];
    snprintf(head, sizeof(head),
             "POST /cgi-bin/count.sh HTTP/1.1\r\n" HOST "Content-Length: %zu\r\n\r\n", total);
    ck_assert_int_eq(ts_conn_send_str(&c, head), TS_OK);
    char *zeros = calloc(1, block);
    for (size_t sent = 0; sent < total; sent += block)
        ck_assert_int_eq(ts_conn_send(&c, zeros, block), TS_OK);
    free(zeros);
    struct ts_response r;
    ck_assert_int_eq(ts_response_read_final(&c, &r, false), TS_OK);
    ck_assert_msg(strstr(r.body, " 104857600") != NULL, "count.sh says: %s", r.body);
    ts_response_free(&r);
    ts_conn_close(&c);
    ts_server_stop(&s);
}
END_TEST

/* ---- ending scripts ----------------------------------------------------------------------- */

/* Silent past the timeout: 504, and the script and its child sleep are gone. */
START_TEST(test_timeout)
{
    struct ts_server s;
    start_with(&s, CGI_CONF, NULL);
    ck_assert_int_eq(ts_cgi_write(&s, "cgi-bin", "sleep.sh", "#!/bin/sh\nsleep 29.271\n", 0755), 0);
    double start = ts_now();
    ck_assert_int_eq(ts_get_status(s.port, "/cgi-bin/sleep.sh"), 504);
    double took = ts_now() - start;
    ck_assert_msg(took >= 1.9 && took < 6.0, "504 after %.1f s (timeout = 2)", took);
    ck_assert_msg(ts_file_wait_for(s.error_log, "no output within the timeout", 5.0),
                  "the timeout is not logged");
    for (int i = 0; i < 50 && ts_cgi_count_procs("sleep 29.271") > 0; i++)
        ts_sleep_ms(100);
    ck_assert_int_eq(ts_cgi_count_procs("sleep 29.271"), 0);
    ts_server_stop(&s);
}
END_TEST

/* What a script starts in the background goes when the script ends or times out, whether it
 * let go of stdout or holds it (then the timeout ends the response), or ignores SIGTERM (then
 * SIGKILL after the grace). The script logs the background pid on stderr as "bg=PID". */
static const struct {
    const char *description;
    const char *script;
    int status;         /* what the response says, 0: cut off (the head went out before) */
    double min_seconds; /* the response takes at least this long (the timeout), or 0 */
} background_cases[] = {
    {"stdout closed: the response ends at once",
     "#!/bin/sh\nsleep 300 </dev/null >/dev/null 2>&1 &\necho \"bg=$!\" >&2\n"
     "printf 'Content-Type: text/plain\\r\\n\\r\\nstarted\\n'\n",
     200, 0},
    {"stdout held open: the timeout ends the response",
     "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\nstarted\\n'\nsleep 300 &\n"
     "echo \"bg=$!\" >&2\n",
     0, 1.9},
    {"SIGTERM ignored: SIGKILL after the grace",
     "#!/bin/sh\nsh -c 'trap \"\" TERM; exec sleep 300' </dev/null >/dev/null 2>&1 &\n"
     "echo \"bg=$!\" >&2\nprintf 'Content-Type: text/plain\\r\\n\\r\\nstarted\\n'\n",
     200, 0},
    {"the script itself times out",
     "#!/bin/sh\nsleep 300 </dev/null >/dev/null 2>&1 &\necho \"bg=$!\" >&2\nexec sleep 300\n", 504,
     1.9},
};

/* The pid the script logged as "bg=PID", waiting for the line up to 5 s; 0 when none. */
static pid_t background_pid(const struct ts_server *s)
{
    if (!ts_file_wait_for(s->error_log, "bg=", 5.0))
        return 0;
    char *line = ts_file_line_with(s->error_log, "bg=");
    pid_t pid = line != NULL ? atoi(strstr(line, "bg=") + 3) : 0;
    free(line);
    return pid;
}

START_TEST(test_background_children_do_not_outlive_script)
{
    const char *what = background_cases[_i].description;
    struct ts_server s;
    start_with(&s, CGI_CONF, NULL);
    ck_assert_int_eq(ts_cgi_write(&s, "cgi-bin", "bg.sh", background_cases[_i].script, 0755), 0);
    double start = ts_now();
    struct ts_response r;
    int rc = ts_get(s.port, "/cgi-bin/bg.sh", &r);
    double took = ts_now() - start;
    if (background_cases[_i].status != 0)
        ck_assert_msg(rc == TS_OK && r.status == background_cases[_i].status, "%s: %s (%s)", what,
                      ts_response_describe(&r), ts_result_name(rc));
    else
        ck_assert_msg(rc == TS_MALFORMED, "%s: a cut-off response expected, got %s", what,
                      ts_result_name(rc));
    ck_assert_msg(took >= background_cases[_i].min_seconds && took < 8.0, "%s: took %.1f s", what,
                  took);
    ts_response_free(&r);
    pid_t pid = background_pid(&s);
    ck_assert_msg(pid > 0, "%s: the script did not log its background pid", what);
    for (int i = 0; i < 100 && ts_pid_alive(pid); i++) /* zombies count as gone */
        ts_sleep_ms(50);
    ck_assert_msg(!ts_pid_alive(pid), "%s: the background process %d outlived the script (%c)",
                  what, (int)pid, ts_pid_state(pid));
    ck_assert_int_eq(ts_get_status(s.port, "/hello.txt"), 200);
    ts_server_stop(&s);
}
END_TEST

/* A client that leaves mid-response: the endless script is stopped and reaped. */
START_TEST(test_client_disconnects)
{
    struct ts_server s;
    const char *scripts[] = {"forever.sh", NULL};
    start_with(&s, CGI_CONF, scripts);
    struct ts_conn c;
    ck_assert_int_eq(ts_conn_open_rcvbuf(&c, s.port, 5000, 4096), 0);
    ck_assert_int_eq(ts_conn_send_str(&c, "GET /cgi-bin/forever.sh HTTP/1.1\r\n" HOST "\r\n"),
                     TS_OK);
    char buf[4096];
    size_t got = 0;
    double deadline = ts_now() + 5.0;
    while (got < sizeof(buf) - 1 && ts_now() < deadline) {
        ssize_t n = recv(c.fd, buf + got, sizeof(buf) - 1 - got, MSG_DONTWAIT);
        if (n > 0)
            got += (size_t)n;
        else
            ts_sleep_ms(10);
    }
    buf[got] = '\0';
    char *at = strstr(buf, "pid=");
    ck_assert_msg(at != NULL, "no pid in: %.200s", buf);
    pid_t pid = atoi(at + 4);
    ck_assert_msg(pid > 0 && ts_pid_alive(pid), "script %d not running", (int)pid);
    ts_conn_close(&c);
    for (int i = 0; i < 100 && ts_pid_state(pid) != 0; i++)
        ts_sleep_ms(50);
    ck_assert_msg(ts_pid_state(pid) == 0, "script %d still there (state %c)", (int)pid,
                  ts_pid_state(pid));
    ck_assert_int_eq(ts_get_status(s.port, "/hello.txt"), 200);
    ts_server_stop(&s);
}
END_TEST

/* max_concurrent = 1: a second script while one runs gets 503 with Retry-After. */
START_TEST(test_max_concurrent)
{
    struct ts_server s;
    const char *scripts[] = {"slow.sh", "status.sh", NULL};
    start_with(&s,
               "modules = {\"static\", \"cgi\"}\n"
               "module \"cgi\" { timeout = 5  max_concurrent = 1 }\n"
               "location \"^/cgi-bin/\" { handler = \"cgi\" }\n",
               scripts);
    struct ts_conn c;
    ck_assert_int_eq(ts_conn_open(&c, s.port, 5000), 0);
    ck_assert_int_eq(ts_conn_send_str(&c, "GET /cgi-bin/slow.sh HTTP/1.0\r\n\r\n"), TS_OK);
    double deadline = ts_now() + 5.0; /* until slow.sh runs (and holds the one slot) */
    for (int i = 0; i < 250 && ts_cgi_count_procs("slow.sh") == 0 && ts_now() < deadline; i++)
        ts_sleep_ms(20);
    struct ts_response r;
    get_or_fail(s.port, "/cgi-bin/status.sh", &r);
    ck_assert_msg(r.status == 503, "%s", ts_response_describe(&r));
    ck_assert_msg(ts_response_header(&r, "Retry-After") != NULL, "no Retry-After");
    ts_response_free(&r);
    ck_assert_int_eq(ts_response_read_final(&c, &r, false), TS_OK);
    ck_assert_str_eq(r.body, "started\ndone\n");
    ts_response_free(&r);
    ts_conn_close(&c);
    ck_assert_int_eq(ts_get_status(s.port, "/cgi-bin/status.sh"), 200); /* the slot is free */
    ts_server_stop(&s);
}
END_TEST

/* ---- speed -------------------------------------------------------------------------------- */

/* SPEED_REQUESTS sequential requests to the compiled C script over one keep-alive connection:
 * reported (the comparison with Apache and lighttpd is test/bench's job), and bounded below
 * loosely so that a spawn path gone pathologically slow fails. */
START_TEST(test_speed)
{
    struct ts_server s;
    start_with(&s, CGI_CONF "keepalive { enabled = true  max_requests = 0 }\n", NULL);
    ck_assert_int_eq(ts_cgi_compile(&s, "tiny.c", "cgi-bin", "tiny"), 0);
    struct ts_conn c;
    ck_assert_int_eq(ts_conn_open(&c, s.port, 5000), 0);
    double start = ts_now();
    for (int i = 0; i < SPEED_REQUESTS; i++) {
        ck_assert_int_eq(ts_conn_send_str(&c, "GET /cgi-bin/tiny?x HTTP/1.1\r\n" HOST "\r\n"),
                         TS_OK);
        struct ts_response r;
        ck_assert_int_eq(ts_response_read_final(&c, &r, false), TS_OK);
        ck_assert_msg(r.status == 200 && strcmp(r.body, "c query=x\n") == 0, "request %d: %s", i,
                      ts_response_describe(&r));
        ts_response_free(&r);
    }
    double took = ts_now() - start;
    fprintf(stderr, "check_cgi: %d sequential requests to a C CGI: %.0f requests/s\n",
            SPEED_REQUESTS, SPEED_REQUESTS / took);
    ck_assert_msg(SPEED_REQUESTS / took > 20, "only %.0f requests/s", SPEED_REQUESTS / took);
    ts_conn_close(&c);
    ts_server_stop(&s);
}
END_TEST

static Suite *cgi_suite(void)
{
    Suite *s = suite_create("mod_cgi");
    TCase *tc = tcase_create("cgi");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_environment);
    tcase_add_test(tc, test_environment_minimal);
    tcase_add_loop_test(tc, test_head, 0, (int)(sizeof(head_cases) / sizeof(head_cases[0])));
    tcase_add_loop_test(tc, test_bad_head_500_carries_no_script_headers, 0,
                        (int)(sizeof(bad_head_cases) / sizeof(bad_head_cases[0])));
    tcase_add_test(tc, test_local_redirect_to_script);
    tcase_add_test(tc, test_nph);
    tcase_add_test(tc, test_search_arguments);
    tcase_add_test(tc, test_pass_and_set_env);
    tcase_add_test(tc, test_rlimit_cpu);
    tcase_add_test(tc, test_script_alias);
    tcase_add_test(tc, test_not_runnable);
    tcase_add_loop_test(tc, test_hidden_scripts_are_404, 0,
                        (int)(sizeof(hidden_cases) / sizeof(hidden_cases[0])));
    tcase_add_test(tc, test_check_ownership);
    tcase_add_test(tc, test_python_php_c);
    tcase_add_test(tc, test_perl_upload);
    tcase_add_test(tc, test_perl_upload_3mb_default_limit);
    tcase_add_loop_test(tc, test_post_body, 0, (int)(sizeof(body_cases) / sizeof(body_cases[0])));
    tcase_add_test(tc, test_ignore_stdin);
    tcase_add_test(tc, test_100mb);
    tcase_add_test(tc, test_timeout);
    tcase_add_test(tc, test_client_disconnects);
    tcase_add_loop_test(tc, test_background_children_do_not_outlive_script, 0,
                        (int)(sizeof(background_cases) / sizeof(background_cases[0])));
    tcase_add_test(tc, test_max_concurrent);
    tcase_add_test(tc, test_speed);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ts_run_session(cgi_suite());
}
