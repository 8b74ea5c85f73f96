/*
 * check_htaccess.c — .htaccess files (issue 16) on the real binary: off unless allow_override
 * lets them in; Require and its sections, the 2.2 Order/Allow/Deny, Basic authentication with a
 * file made by Apache's own htpasswd, <Files>, <Limit>, <IfModule> as DokuWiki ships it; a broken
 * or not-allowed file answers 500 with FILE:LINE in the error log; an edit is seen by the next
 * request; ".ht*" files are never served; -T shows the files and directives.
 */
#include "testsupport.h"
#include "testsupport_cgi.h"

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "testsupport_run.h"

#define RAN_SCRIPT                                                                                 \
    "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\nran:%s:%s\\n' \"$PATH_INFO\" "         \
    "\"$REMOTE_USER\"\n"

/* One worker, so that "logged once per worker" is "logged once". */
#define ONE_WORKER                                                                                 \
    "prefork { start_servers = 1  min_spare_servers = 1  max_spare_servers = 1\n"                  \
    "          max_workers = 1 }\n"

static const char *ht_config = "modules = {\"static\", \"cgi\"}\n"
                               "allow_override = {\"All\"}\n"
                               "location \"~ \\\\.cgi$\" { handler = \"cgi\" }\n"
                               "vhost \"bare.test\" { location \"/\" { } }\n" ONE_WORKER;

/* Writes <docroot>/<rel> (parent folders made). */
static void put(const struct ts_server *s, const char *rel, const char *text)
{
    char path[TS_PATH_MAX * 2];
    snprintf(path, sizeof(path), "%s/%s", s->docroot, rel);
    ck_assert_msg(ts_file_put(path, text, strlen(text)) == 0, "cannot write %s", path);
}

/* Sets <docroot>/<rel>'s mtime seconds ahead of now, so that an edit within the same second
 * (and of the same size) is still a new version. */
static void touch_ahead(const struct ts_server *s, const char *rel, int seconds)
{
    char path[TS_PATH_MAX * 2];
    snprintf(path, sizeof(path), "%s/%s", s->docroot, rel);
    struct timespec times[2];
    clock_gettime(CLOCK_REALTIME, &times[0]);
    times[0].tv_sec += seconds;
    times[1] = times[0];
    ck_assert_int_eq(utimensat(AT_FDCWD, path, times, 0), 0);
}

static void start(struct ts_server *s, const char *extra)
{
    ck_assert_int_eq(ts_server_configure(s, extra), 0);
    const char *args[] = {"-f", s->conf, NULL};
    ck_assert_int_eq(ts_server_spawn(s, args), 0);
    if (ts_server_wait_ready(s, TS_START_TIMEOUT_S) != 0) {
        ts_server_dump(s);
        ck_abort_msg("the server did not start");
    }
}

struct req_case {
    const char *method; /* NULL: GET */
    const char *path;
    const char *host; /* NULL: localhost */
    const char *auth; /* an Authorization value, or NULL */
    int status;
    const char *body; /* a part of the body that must be there, or NULL */
};

static int request(const struct ts_server *s, const struct req_case *c, struct ts_response *r)
{
    char req[2048], auth[512] = "";
    if (c->auth != NULL)
        snprintf(auth, sizeof(auth), "Authorization: %s\r\n", c->auth);
    snprintf(req, sizeof(req), "%s %s HTTP/1.1\r\nHost: %s\r\n%s%sConnection: close\r\n\r\n",
             c->method != NULL ? c->method : "GET", c->path,
             c->host != NULL ? c->host : "localhost", auth,
             c->method != NULL && strcmp(c->method, "POST") == 0 ? "Content-Length: 0\r\n" : "");
    return ts_request(s->port, req, r);
}

static void expect(const struct ts_server *s, const struct req_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct req_case *c = &cases[i];
        struct ts_response r;
        ck_assert_int_eq(request(s, c, &r), TS_OK);
        ck_assert_msg(r.status == c->status, "%s %s (Host %s): %d, want %d",
                      c->method != NULL ? c->method : "GET", c->path,
                      c->host != NULL ? c->host : "localhost", r.status, c->status);
        if (c->body != NULL)
            ck_assert_msg(r.body != NULL && strstr(r.body, c->body) != NULL,
                          "%s: body \"%s\" lacks \"%s\"", c->path, r.body != NULL ? r.body : "",
                          c->body);
        ck_assert_msg(r.body == NULL || strstr(r.body, "#!/bin/sh") == NULL,
                      "%s sent a script's source", c->path);
        ck_assert_msg(r.body == NULL || strstr(r.body, "Require") == NULL,
                      "%s sent a .htaccess file", c->path);
        ts_response_free(&r);
    }
}

#define EXPECT(s, cases) expect((s), (cases), sizeof(cases) / sizeof((cases)[0]))

/* How many lines of the error log hold needle. */
static int log_count(const struct ts_server *s, const char *needle)
{
    char *text = ts_file_read(s->error_log, NULL);
    int n = 0;
    for (const char *p = text; p != NULL && (p = strstr(p, needle)) != NULL; p++)
        n++;
    free(text);
    return n;
}

/* The site of most tests: /sub/ denied, /open/ granted, a script and an index in /sub/. */
static void site(struct ts_server *s)
{
    ck_assert_int_eq(ts_server_init(s), 0);
    put(s, "sub/.htaccess", "# denied\nRequire all denied\n");
    put(s, "sub/a.txt", "sub a\n");
    put(s, "sub/index.html", "sub index\n");
    ck_assert_int_eq(ts_cgi_write(s, "sub", "run.cgi", RAN_SCRIPT, 0755), 0);
    put(s, "open/.htaccess", "Require all granted\n");
    put(s, "open/a.txt", "open a\n");
    put(s, "app/.htaccess", "<Files index.html>\n  Require all denied\n</Files>\n");
    put(s, "app/index.html", "app index\n");
    put(s, "app/other.txt", "app other\n");
}

/* Apache 2.4's default AllowOverride None: the files are not even looked at. */
START_TEST(test_off_by_default)
{
    struct ts_server s;
    site(&s);
    start(&s, "modules = {\"static\", \"cgi\"}\n");
    static const struct req_case cases[] = {
        {NULL, "/sub/a.txt", NULL, NULL, 200, "sub a"},
        {NULL, "/sub/", NULL, NULL, 200, "sub index"},
    };
    EXPECT(&s, cases);
    ts_server_stop(&s);
}
END_TEST

/* Require all denied on a folder holds for every way to reach what is in it: the file, the
 * folder (its index file), a script with path info, a vhost sharing the document root; an index
 * file denied by <Files> is denied through its folder's URL (the holes of issue 11). */
START_TEST(test_require_all_denied_every_path)
{
    struct ts_server s;
    site(&s);
    start(&s, ht_config);
    static const struct req_case cases[] = {
        {NULL, "/sub/a.txt", NULL, NULL, 403, NULL},
        {NULL, "/sub/", NULL, NULL, 403, NULL},
        {NULL, "/sub/index.html", NULL, NULL, 403, NULL},
        {NULL, "/sub/run.cgi", NULL, NULL, 403, NULL},
        {NULL, "/sub/run.cgi/more/info", NULL, NULL, 403, NULL},
        {NULL, "/sub/a.txt", "bare.test", NULL, 403, NULL},
        {NULL, "/sub/run.cgi/x", "bare.test", NULL, 403, NULL},
        {"HEAD", "/sub/a.txt", NULL, NULL, 403, NULL},
        {NULL, "/open/a.txt", NULL, NULL, 200, "open a"},
        {NULL, "/open/a.txt", "bare.test", NULL, 200, "open a"},
        {NULL, "/app/", NULL, NULL, 403, NULL},
        {NULL, "/app/index.html", NULL, NULL, 403, NULL},
        {NULL, "/app/other.txt", NULL, NULL, 200, "app other"},
        {NULL, "/hello.txt", NULL, NULL, 200, TS_HELLO_TXT},
    };
    EXPECT(&s, cases);
    ts_server_stop(&s);
}
END_TEST

/* An unknown directive, or one the location's allow_override does not allow: 500 for every
 * request under the folder, "FILE:LINE: why" in the error log once, not once per request. */
START_TEST(test_broken_or_not_allowed_file_is_500)
{
    struct ts_server s;
    ck_assert_int_eq(ts_server_init(&s), 0);
    put(&s, "bad/.htaccess", "Require all granted\n\nRequireFoo all\n");
    put(&s, "bad/a.txt", "bad a\n");
    put(&s, "auth/.htaccess", "# AuthConfig only\nRequire all granted\n");
    put(&s, "auth/a.txt", "auth a\n");
    put(&s, "deep/er/a.txt", "deeper\n");
    put(&s, "deep/.htaccess", "<IfModule mod_authz_core.c>\n<Files x>\n</Fles>\n</IfModule>\n");
    start(&s, "allow_override = {\"All\"}\n"
              "location \"/auth/\" { allow_override = {\"FileInfo\", \"Indexes\"} }\n" ONE_WORKER);
    static const struct req_case cases[] = {
        {NULL, "/bad/a.txt", NULL, NULL, 500, NULL},
        {NULL, "/bad/", NULL, NULL, 500, NULL},
        {NULL, "/bad/a.txt", NULL, NULL, 500, NULL},
        {NULL, "/auth/a.txt", NULL, NULL, 500, NULL},
        {NULL, "/auth/a.txt", NULL, NULL, 500, NULL},
        {NULL, "/deep/er/a.txt", NULL, NULL, 500, NULL},
        {NULL, "/hello.txt", NULL, NULL, 200, NULL},
    };
    EXPECT(&s, cases);
    char where[TS_PATH_MAX * 2];
    snprintf(where, sizeof(where), "%s/bad/.htaccess:3: Invalid command 'RequireFoo'", s.docroot);
    ck_assert_msg(log_count(&s, where) == 1, "want one \"%s\" in the log", where);
    snprintf(where, sizeof(where), "%s/auth/.htaccess:2: Require not allowed here", s.docroot);
    ck_assert_msg(log_count(&s, where) == 1, "want one \"%s\" in the log", where);
    snprintf(where, sizeof(where), "%s/deep/.htaccess:3: </Fles>", s.docroot);
    ck_assert_msg(log_count(&s, where) == 1, "want one \"%s\" in the log", where);
    ts_server_stop(&s);
}
END_TEST

/* An edit is seen by the next request: same size, same inode, only the mtime tells. */
START_TEST(test_edit_seen_by_next_request)
{
    struct ts_server s;
    ck_assert_int_eq(ts_server_init(&s), 0);
    put(&s, "e/.htaccess", "Require all granted\n");
    put(&s, "e/a.txt", "e a\n");
    start(&s, "allow_override = {\"AuthConfig\"}\n" ONE_WORKER);
    static const struct req_case granted[] = {{NULL, "/e/a.txt", NULL, NULL, 200, "e a"}};
    static const struct req_case denied[] = {{NULL, "/e/a.txt", NULL, NULL, 403, NULL}};
    EXPECT(&s, granted);
    put(&s, "e/.htaccess", "Require all denied \n"); /* the same length */
    touch_ahead(&s, "e/.htaccess", 5);
    EXPECT(&s, denied);
    char path[TS_PATH_MAX * 2];
    snprintf(path, sizeof(path), "%s/e/.htaccess", s.docroot);
    ck_assert_int_eq(unlink(path), 0);
    EXPECT(&s, granted);
    put(&s, "e/.htaccess", "Require all denied\n"); /* a new file where there was none */
    EXPECT(&s, denied);
    ts_server_stop(&s);
}
END_TEST

/* .htaccess, .htpasswd and any ".ht*" name: never served nor listed, whatever serve_hidden and
 * allow_override say. */
static void ht_files_case(const char *extra)
{
    struct ts_server s;
    ck_assert_int_eq(ts_server_init(&s), 0);
    put(&s, "d/.htaccess", "Require all granted\n");
    put(&s, "d/.htpasswd", "alice:$apr1$x$y\n");
    put(&s, "d/.hidden", "a hidden file\n");
    put(&s, "top/.htgroups", "admins: alice\n");
    start(&s, extra);
    static const struct req_case cases[] = {
        {NULL, "/d/.htaccess", NULL, NULL, 403, NULL},
        {NULL, "/d/.htpasswd", NULL, NULL, 403, NULL},
        {NULL, "/top/.htgroups", NULL, NULL, 403, NULL},
        {NULL, "/d/.htpasswd/x", NULL, NULL, 403, NULL},
        {NULL, "/d/.hidden", NULL, NULL, 200, "a hidden file"},
    };
    EXPECT(&s, cases);
    struct ts_response r;
    ck_assert_int_eq(ts_get(s.port, "/d/", &r), TS_OK);
    ck_assert_int_eq(r.status, 200);
    ck_assert_msg(strstr(r.body, ".hidden") != NULL && strstr(r.body, ".htpasswd") == NULL &&
                      strstr(r.body, ".htaccess") == NULL,
                  "listing: %s", r.body);
    ts_response_free(&r);
    ts_server_stop(&s);
}

START_TEST(test_ht_files_never_served)
{
    const char *listing = "serve_hidden = true\nmodules = {\"static\", \"autoindex\"}\n"
                          "module \"autoindex\" { enabled = true  index_ignore = {} }\n";
    char extra[512];
    ht_files_case(listing);
    snprintf(extra, sizeof(extra), "%sallow_override = {\"All\"}\n", listing);
    ht_files_case(extra);
}
END_TEST

/* -T: the files read, each directive applied, the outcome. */
START_TEST(test_explain_shows_files_and_directives)
{
    struct ts_server s;
    site(&s);
    ck_assert_int_eq(ts_server_configure(&s, ht_config), 0);
    static const struct {
        const char *url;
        const char *want[3];
    } cases[] = {
        {"/sub/a.txt", {"sub/.htaccess:2: Require all denied", "status: 403", NULL}},
        {"/app/",
         {"app/.htaccess:2: Require all denied", "routed as /app/index.html", "status: 403"}},
        {"/open/a.txt", {"open/.htaccess:1: Require all granted", "file: ", NULL}},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *argv[] = {PFD_BINARY, "-f", s.conf, "-T", cases[i].url, NULL};
        char *out = NULL;
        ts_run(argv, 10.0, &out);
        for (size_t k = 0; k < 3 && cases[i].want[k] != NULL; k++)
            ck_assert_msg(out != NULL && strstr(out, cases[i].want[k]) != NULL,
                          "-T %s lacks \"%s\":\n%s", cases[i].url, cases[i].want[k],
                          out != NULL ? out : "");
        free(out);
    }
    ts_dir_remove(s.dir);
}
END_TEST

/* -t: a word allow_override does not know is refused with FILE:LINE. */
START_TEST(test_check_refuses_unknown_override)
{
    struct ts_server s;
    ck_assert_int_eq(ts_server_init(&s), 0);
    ck_assert_int_eq(ts_server_configure(&s, "\nlocation \"/x/\" {\n"
                                             "  allow_override = {\"AuthConfig\", \"Everything\"}\n"
                                             "}\n"),
                     0);
    const char *argv[] = {PFD_BINARY, "-t", "-f", s.conf, NULL};
    char *out = NULL;
    ck_assert_int_ne(ts_run(argv, 10.0, &out), 0);
    ck_assert_msg(out != NULL && strstr(out, s.conf) != NULL && strstr(out, "Everything") != NULL,
                  "%s", out != NULL ? out : "");
    free(out);
    ts_dir_remove(s.dir);
}
END_TEST

static Suite *htaccess_suite(void)
{
    Suite *s = suite_create("htaccess");
    TCase *tc = tcase_create("htaccess");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_off_by_default);
    tcase_add_test(tc, test_require_all_denied_every_path);
    tcase_add_test(tc, test_broken_or_not_allowed_file_is_500);
    tcase_add_test(tc, test_edit_seen_by_next_request);
    tcase_add_test(tc, test_ht_files_never_served);
    tcase_add_test(tc, test_explain_shows_files_and_directives);
    tcase_add_test(tc, test_check_refuses_unknown_override);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ts_run_session(htaccess_suite());
}
