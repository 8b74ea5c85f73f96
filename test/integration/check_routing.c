/*
 * check_routing.c — vhosts, location forms, redirects, rewrites (with the loop guard), error
 * documents, CIDR rules and Basic auth against a file made by Apache's htpasswd, on the real
 * binary; and preforkd -T.
 */
#include "testsupport.h"

#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "testsupport_run.h"

/* s->dir/rel with text, folders made on the way. */
static void put(const struct ts_server *s, const char *rel, const char *text)
{
    char path[TS_PATH_MAX * 2];
    snprintf(path, sizeof(path), "%s/%s", s->dir, rel);
    ck_assert_msg(ts_file_put(path, text, strlen(text)) == 0, "cannot write %s", path);
}

static const char *site_config =
    "error_document = {\"404 /errors/404.html\"}\n"
    "location \"= /exact\" { redirect = \"301 https://example.com/e\" }\n"
    "location \"~ ^/old/(.*)$\" { redirect = \"302 /new/$1\" }\n"
    "location \"/data/\" { alias = \"data\" add_headers = {\"X-Frame-Options: DENY\"} }\n"
    "location \"/loop/\" { rewrite { pattern = \"^/loop/(.*)\" to = \"/loop/x$1\" } }\n"
    "location \"/rw/\" { rewrite { pattern = \"^/rw/(.*)\" to = \"/hello.txt?from=$1\" "
    "flags = {\"last\", \"qsappend\"} } }\n"
    "location \"/local/\" { allow = {\"127.0.0.1\", \"::1\"} deny = {\"all\"} }\n"
    "location \"/nobody/\" { deny = {\"all\"} error_document = {\"403 /errors/403.html\"} }\n"
    "location \"/private/\" { auth_basic = \"Private\" auth_user_file = \"users\" }\n"
    "location \"~* \\\\.TXT$\" { add_headers = {\"X-Txt: yes\"} }\n"
    "vhost \"Example.COM\" {\n"
    "  aliases = {\"www.example.com\"}\n"
    "  document_root = \"site2\"\n"
    "  location \"/r/\" { rewrite { pattern = \"^/r/(.*)\" to = \"/$1\" flags = {\"last\"} } }\n"
    "}\n"
    "vhost \"*.wild.test\" { document_root = \"site3\" }\n";

static void site_start(struct ts_server *s)
{
    ck_assert_int_eq(ts_server_init(s), 0);
    put(s, "htdocs/errors/404.html", "custom 404\n");
    put(s, "htdocs/errors/403.html", "custom 403\n");
    put(s, "htdocs/local/a.html", "local\n");
    put(s, "htdocs/nobody/a.html", "nobody\n");
    put(s, "htdocs/private/a.html", "private\n");
    put(s, "data/x.html", "aliased\n");
    put(s, "site2/index.html", "site two\n");
    put(s, "site2/page.html", "page two\n");
    put(s, "site3/index.html", "site three\n");
    char cmd[TS_PATH_MAX * 6];
    snprintf(cmd, sizeof(cmd),
             "htpasswd -cbB '%s/users' alice 's3cret' 2>/dev/null && "
             "htpasswd -bs '%s/users' bob pw 2>/dev/null; chmod 644 '%s/users'",
             s->dir, s->dir, s->dir);
    ck_assert_int_eq(system(cmd), 0);
    ck_assert_int_eq(ts_server_configure(s, site_config), 0);
    const char *args[] = {"-f", s->conf, NULL};
    ck_assert_int_eq(ts_server_spawn(s, args), 0);
    if (ts_server_wait_ready(s, TS_START_TIMEOUT_S) != 0) {
        ts_server_dump(s);
        ck_abort_msg("the server did not start");
    }
}

/* GET path with Host host (and an extra header line) → r. */
static int get(const struct ts_server *s, const char *path, const char *host, const char *extra,
               struct ts_response *r)
{
    char req[2048];
    snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: %s\r\n%sConnection: close\r\n\r\n", path,
             host, extra != NULL ? extra : "");
    return ts_request(s->port, req, r);
}

START_TEST(test_vhosts)
{
    struct ts_server s;
    site_start(&s);
    struct ts_response r;
    ck_assert_int_eq(get(&s, "/", "example.com", NULL, &r), TS_OK);
    ck_assert_str_eq(r.body, "site two\n");
    ts_response_free(&r);
    ck_assert_int_eq(get(&s, "/", "WWW.Example.Com.:8080", NULL, &r), TS_OK);
    ck_assert_str_eq(r.body, "site two\n");
    ts_response_free(&r);
    ck_assert_int_eq(get(&s, "/", "a.b.wild.test", NULL, &r), TS_OK);
    ck_assert_str_eq(r.body, "site three\n");
    ts_response_free(&r);
    ck_assert_int_eq(get(&s, "/hello.txt", "other.test", NULL, &r), TS_OK); /* the top level */
    ck_assert_str_eq(r.body, TS_HELLO_TXT);
    ck_assert_str_eq(ts_response_header(&r, "X-Txt"), "yes"); /* ~* caseless */
    ts_response_free(&r);
    ck_assert_int_eq(get(&s, "/r/page.html", "example.com", NULL, &r), TS_OK); /* vhost rewrite */
    ck_assert_str_eq(r.body, "page two\n");
    ts_response_free(&r);
    ck_assert_int_eq(get(&s, "/hello.txt", "example.com", NULL, &r), TS_OK); /* own locations */
    ck_assert_int_eq(r.status, 404);
    ck_assert_ptr_null(ts_response_header(&r, "X-Txt"));
    ts_response_free(&r);
    ts_server_stop(&s);
}
END_TEST

START_TEST(test_redirects_rewrites)
{
    struct ts_server s;
    site_start(&s);
    struct ts_response r;
    ck_assert_int_eq(get(&s, "/exact?q=1", "x", NULL, &r), TS_OK);
    ck_assert_int_eq(r.status, 301);
    ck_assert_str_eq(ts_response_header(&r, "Location"), "https://example.com/e?q=1");
    ts_response_free(&r);
    ck_assert_int_eq(get(&s, "/exact/more", "x", NULL, &r), TS_OK); /* exact means exact */
    ck_assert_int_eq(r.status, 404);
    ts_response_free(&r);
    ck_assert_int_eq(get(&s, "/old/a%20b", "x", NULL, &r), TS_OK);
    ck_assert_int_eq(r.status, 302);
    ck_assert_str_eq(ts_response_header(&r, "Location"), "/new/a%20b");
    ts_response_free(&r);
    ck_assert_int_eq(get(&s, "/data/x.html", "x", NULL, &r), TS_OK);
    ck_assert_str_eq(r.body, "aliased\n");
    ck_assert_str_eq(ts_response_header(&r, "X-Frame-Options"), "DENY");
    ts_response_free(&r);
    ck_assert_int_eq(get(&s, "/rw/abc?x=1", "x", NULL, &r), TS_OK);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.body, TS_HELLO_TXT);
    ts_response_free(&r);
    ck_assert_int_eq(get(&s, "/loop/a", "x", NULL, &r), TS_OK);
    ck_assert_int_eq(r.status, 500);
    ts_response_free(&r);
    ck_assert(ts_file_wait_for(s.error_log, "still rewriting after 10 rounds", 5.0));
    ts_server_stop(&s);
}
END_TEST

START_TEST(test_error_documents_and_access)
{
    struct ts_server s;
    site_start(&s);
    struct ts_response r;
    ck_assert_int_eq(get(&s, "/missing", "x", NULL, &r), TS_OK);
    ck_assert_int_eq(r.status, 404);
    ck_assert_str_eq(r.body, "custom 404\n");
    ts_response_free(&r);
    ck_assert_int_eq(get(&s, "/local/a.html", "x", NULL, &r), TS_OK);
    ck_assert_int_eq(r.status, 200);
    ts_response_free(&r);
    ck_assert_int_eq(get(&s, "/nobody/a.html", "x", NULL, &r), TS_OK);
    ck_assert_int_eq(r.status, 403);
    ck_assert_str_eq(r.body, "custom 403\n");
    ts_response_free(&r);
    ts_server_stop(&s);
}
END_TEST

START_TEST(test_access_ipv6)
{
    struct ts_server s;
    ck_assert_int_eq(ts_server_init(&s), 0);
    int port6 = ts_port_pick_host("::1");
    if (port6 < 0) { /* no IPv6 loopback here */
        ts_server_stop(&s);
        return;
    }
    put(&s, "htdocs/local/a.html", "local\n");
    char extra[1024];
    snprintf(extra, sizeof(extra),
             "listen = {\"127.0.0.1:%d\", \"[::1]:%d\"}\n"
             "location \"/local/\" { allow = {\"::1\"} deny = {\"all\"} }\n",
             s.port, port6);
    ck_assert_int_eq(ts_server_configure(&s, extra), 0);
    const char *args[] = {"-f", s.conf, NULL};
    ck_assert_int_eq(ts_server_spawn(&s, args), 0);
    ck_assert_int_eq(ts_server_wait_ready(&s, TS_START_TIMEOUT_S), 0);
    struct ts_response r;
    const char *req = "GET /local/a.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    ck_assert_int_eq(ts_request_host("::1", port6, req, &r), TS_OK);
    ck_assert_int_eq(r.status, 200);
    ts_response_free(&r);
    ck_assert_int_eq(ts_request(s.port, req, &r), TS_OK);
    ck_assert_int_eq(r.status, 403);
    ts_response_free(&r);
    ts_server_stop(&s);
}
END_TEST

START_TEST(test_basic_auth)
{
    struct ts_server s;
    site_start(&s);
    struct ts_response r;
    ck_assert_int_eq(get(&s, "/private/a.html", "x", NULL, &r), TS_OK);
    ck_assert_int_eq(r.status, 401);
    ck_assert_str_eq(ts_response_header(&r, "WWW-Authenticate"),
                     "Basic realm=\"Private\", charset=\"UTF-8\"");
    ts_response_free(&r);
    /* alice:s3cret, bcrypt from htpasswd -B */
    ck_assert_int_eq(
        get(&s, "/private/a.html", "x", "Authorization: Basic YWxpY2U6czNjcmV0\r\n", &r), TS_OK);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.body, "private\n");
    ts_response_free(&r);
    /* alice:wrong */
    ck_assert_int_eq(
        get(&s, "/private/a.html", "x", "Authorization: Basic YWxpY2U6d3Jvbmc=\r\n", &r), TS_OK);
    ck_assert_int_eq(r.status, 401);
    ts_response_free(&r);
    /* bob:pw, a {SHA} hash from htpasswd -s in the same file */
    ck_assert_int_eq(get(&s, "/private/a.html", "x", "Authorization: Basic Ym9iOnB3\r\n", &r),
                     TS_OK);
    ck_assert_int_eq(r.status, 200);
    ts_response_free(&r);
    ck_assert(ts_file_wait_for(s.access_log, "alice", 5.0)); /* %u */
    ts_server_stop(&s);
}
END_TEST

START_TEST(test_explain)
{
    struct ts_server s;
    ck_assert_int_eq(ts_server_init(&s), 0);
    ck_assert_int_eq(ts_server_configure(&s, site_config), 0);
    put(&s, "site2/index.html", "x\n");
    put(&s, "site3/index.html", "x\n");
    put(&s, "data/x.html", "x\n");
    ck_assert_int_eq(system("true"), 0);
    char users[TS_PATH_MAX * 2];
    snprintf(users, sizeof(users), "%s/users", s.dir);
    ck_assert_int_eq(ts_file_write(users, "a:$6$x$y\n", 9), 0);
    const char *argv[] = {PFD_BINARY,           "-f", s.conf, "-T", "/r/page.html",
                          "WWW.example.com:80", NULL};
    char *out = NULL;
    ck_assert_msg(ts_run(argv, 10.0, &out) == 0, "%s", out);
    ck_assert_msg(strstr(out, "vhost: example.com") != NULL, "%s", out);
    ck_assert_msg(strstr(out, "): /r/page.html -> /page.html") != NULL, "%s", out);
    ck_assert_msg(strstr(out, "site2/page.html") != NULL, "%s", out);
    free(out);
    const char *argv2[] = {PFD_BINARY, "-f", s.conf, "-T", "/old/x?a=b", NULL};
    ck_assert_int_eq(ts_run(argv2, 10.0, &out), 0);
    ck_assert_msg(strstr(out, "vhost: none") != NULL, "%s", out);
    ck_assert_msg(strstr(out, "location: \"~ ^/old/(.*)$\" (line ") != NULL, "%s", out);
    ck_assert_msg(strstr(out, "redirect: 302 /new/x?a=b") != NULL, "%s", out);
    free(out);
    ts_server_stop(&s);
}
END_TEST

/* Two vhosts, one with logs of its own: each request's line lands in its vhost's access log (the
 * other's in the server's), errors while serving it in its error log; SIGUSR1 reopens them. */
START_TEST(test_vhost_logs)
{
    struct ts_server s;
    ck_assert_int_eq(ts_server_init(&s), 0);
    put(&s, "site2/page.html", "page two\n");
    put(&s, "site3/other.html", "page three\n");
    ck_assert_int_eq(
        ts_server_configure(&s, "vhost \"a.test\" {\n"
                                "  document_root = \"site2\"\n"
                                "  access_log = \"a_access.log\"\n"
                                "  access_log_format = \"A %v %U %>s\"\n"
                                "  error_log = \"a_error.log\"\n"
                                "  location \"/loop/\" { rewrite { pattern = \"^/loop/(.*)\" "
                                "to = \"/loop/x$1\" } }\n"
                                "}\n"
                                "vhost \"b.test\" { document_root = \"site3\" }\n"),
        0);
    const char *args[] = {"-f", s.conf, NULL};
    ck_assert_int_eq(ts_server_spawn(&s, args), 0);
    if (ts_server_wait_ready(&s, TS_START_TIMEOUT_S) != 0) {
        ts_server_dump(&s);
        ck_abort_msg("the server did not start");
    }
    char a_access[TS_PATH_MAX * 2], a_error[TS_PATH_MAX * 2], rotated[TS_PATH_MAX * 3];
    snprintf(a_access, sizeof(a_access), "%s/a_access.log", s.dir);
    snprintf(a_error, sizeof(a_error), "%s/a_error.log", s.dir);
    struct ts_response r;
    ck_assert_int_eq(get(&s, "/page.html", "A.test:8080", NULL, &r), TS_OK);
    ck_assert_int_eq(r.status, 200);
    ts_response_free(&r);
    ck_assert_int_eq(get(&s, "/other.html", "b.test", NULL, &r), TS_OK);
    ck_assert_int_eq(r.status, 200);
    ts_response_free(&r);
    ck_assert_int_eq(get(&s, "/loop/z", "a.test", NULL, &r), TS_OK);
    ck_assert_int_eq(r.status, 500);
    ts_response_free(&r);
    ck_assert(ts_file_wait_for(a_access, "A a.test /page.html 200\n", 5.0));
    ck_assert(ts_file_wait_for(s.access_log, "\"GET /other.html HTTP/1.1\" 200", 5.0));
    ck_assert(ts_file_wait_for(a_access, "/loop/", 5.0));
    ck_assert(ts_file_wait_for(a_error, "a loop?", 5.0));
    ck_assert(!ts_file_contains(s.access_log, "page.html"));
    ck_assert(!ts_file_contains(s.access_log, "/loop/"));
    ck_assert(!ts_file_contains(a_access, "other.html"));
    ck_assert(!ts_file_contains(s.error_log, "a loop?"));
    /* logrotate: rename, SIGUSR1, and the next line goes to a new file of the old name */
    snprintf(rotated, sizeof(rotated), "%s.1", a_access);
    ck_assert_int_eq(rename(a_access, rotated), 0);
    ck_assert_int_eq(kill(s.pid, SIGUSR1), 0);
    ck_assert(ts_file_wait_for(s.error_log, "graceful restart", 5.0));
    bool logged = false;
    for (int i = 0; i < 50 && !logged; i++) {
        ck_assert_int_eq(get(&s, "/page.html?again", "a.test", NULL, &r), TS_OK);
        ck_assert_int_eq(r.status, 200);
        ts_response_free(&r);
        logged = ts_file_wait_for(a_access, "A a.test /page.html 200\n", 0.2);
    }
    ck_assert(logged);
    ts_server_stop(&s);
}
END_TEST

START_TEST(test_bad_regex_lines)
{
    struct ts_server s;
    ck_assert_int_eq(ts_server_init(&s), 0);
    ck_assert_int_eq(ts_server_configure(&s, "vhost \"a.test\" {\n"
                                             "  location \"~ (x\" { }\n"
                                             "  location \"/y/\" {\n"
                                             "    rewrite { pattern = \"[z\" to = \"/\" }\n"
                                             "  }\n"
                                             "}\n"),
                     0);
    const char *argv[] = {PFD_BINARY, "-t", "-f", s.conf, NULL};
    char *out = NULL;
    ck_assert_int_eq(ts_run(argv, 10.0, &out), 1);
    /* file:line of each, the rewrite's two lines below the location's */
    const char *a = strstr(out, ": bad regex \"(x\": missing closing parenthesis at offset 2");
    const char *b = strstr(out, ": bad regex \"[z\" in a rewrite:");
    ck_assert_msg(a != NULL && b != NULL, "%s", out);
    const char *la = a, *lb = b;
    while (la > out && la[-1] != ':')
        la--;
    while (lb > out && lb[-1] != ':')
        lb--;
    ck_assert_int_eq(atoi(lb), atoi(la) + 2);
    free(out);
    ts_server_stop(&s);
}
END_TEST

static Suite *routing_suite(void)
{
    Suite *s = suite_create("routing");
    TCase *tc = tcase_create("routing");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_vhosts);
    tcase_add_test(tc, test_redirects_rewrites);
    tcase_add_test(tc, test_error_documents_and_access);
    tcase_add_test(tc, test_access_ipv6);
    tcase_add_test(tc, test_basic_auth);
    tcase_add_test(tc, test_explain);
    tcase_add_test(tc, test_bad_regex_lines);
    tcase_add_test(tc, test_vhost_logs);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ts_run_session(routing_suite());
}
