/*
 * check_access_paths.c — access rules hold for what is actually served or run, whatever path
 * leads there (issue 13): path info after a script, a folder URL that serves an index file, a
 * vhost that shares the top level's files, a rewrite `break`, a regex alias capture, and a
 * redirect whose capture tries to change the host. On the real binary, with real CGI scripts.
 */
#include "testsupport.h"
#include "testsupport_cgi.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "testsupport_run.h"

/* A script that says it ran and what its path info was: its source never contains "ran:". */
#define RAN_SCRIPT                                                                                 \
    "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\nran:%s\\n' \"$PATH_INFO\"\n"

static const char *paths_config =
    "modules = {\"static\", \"cgi\"}\n"
    "index_files = {\"index.html\", \"index.cgi\"}\n"
    "location \"= /admin.cgi\" { handler = \"cgi\" deny = {\"all\"} }\n"
    "location \"~ ^/tools/secret\\\\.cgi$\" { deny = {\"all\"} }\n"
    "location \"= /priv/index.html\" { deny = {\"all\"} }\n"
    "location \"/locked/\" { deny = {\"all\"} rewrite { pattern = \"^/locked/(.*)\" "
    "to = \"/hello.txt\" flags = {\"break\"} } }\n"
    "location \"/brk/\" { add_headers = {\"X-Brk: kept\"} rewrite { pattern = \"^/brk/(.*)\" "
    "to = \"/hello.txt\" flags = {\"break\"} } }\n"
    "location \"/nobody/\" { deny = {\"all\"} }\n"
    "location \"~ ^/go(.*)$\" { redirect = \"301 https://example.com$1\" }\n"
    "location \"~ \\\\.cgi$\" { handler = \"cgi\" }\n"
    "vhost \"bare.test\" { location \"/\" { add_headers = {\"X-Bare: yes\"} } }\n";

static void paths_start(struct ts_server *s)
{
    ck_assert_int_eq(ts_server_init(s), 0);
    ck_assert_int_eq(ts_cgi_write(s, "", "admin.cgi", RAN_SCRIPT, 0755), 0);
    ck_assert_int_eq(ts_cgi_write(s, "tools", "secret.cgi", RAN_SCRIPT, 0755), 0);
    ck_assert_int_eq(ts_cgi_write(s, "tools", "open.cgi", RAN_SCRIPT, 0755), 0);
    ck_assert_int_eq(ts_cgi_write(s, "app", "index.cgi", RAN_SCRIPT, 0755), 0);
    ck_assert_int_eq(ts_cgi_write(s, "priv", "index.html", "private index\n", 0644), 0);
    ck_assert_int_eq(ts_cgi_write(s, "nobody", "index.html", "nobody's\n", 0644), 0);
    ck_assert_int_eq(ts_server_configure(s, paths_config), 0);
    const char *args[] = {"-f", s->conf, NULL};
    ck_assert_int_eq(ts_server_spawn(s, args), 0);
    if (ts_server_wait_ready(s, TS_START_TIMEOUT_S) != 0) {
        ts_server_dump(s);
        ck_abort_msg("the server did not start");
    }
}

static int get_host(const struct ts_server *s, const char *path, const char *host,
                    struct ts_response *r)
{
    char req[1024];
    snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", path,
             host);
    return ts_request(s->port, req, r);
}

struct status_case {
    const char *path;
    const char *host;
    int status;
    const char *body; /* a part of the body that must be there, or NULL */
};

static void expect_statuses(const struct ts_server *s, const struct status_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct ts_response r;
        const char *host = cases[i].host != NULL ? cases[i].host : "localhost";
        ck_assert_int_eq(get_host(s, cases[i].path, host, &r), TS_OK);
        ck_assert_msg(r.status == cases[i].status, "GET %s (Host %s): %d, want %d", cases[i].path,
                      host, r.status, cases[i].status);
        if (cases[i].body != NULL)
            ck_assert_msg(r.body != NULL && strstr(r.body, cases[i].body) != NULL,
                          "GET %s: body \"%s\" lacks \"%s\"", cases[i].path,
                          r.body != NULL ? r.body : "", cases[i].body);
        ck_assert_msg(r.body == NULL || strstr(r.body, "#!/bin/sh") == NULL,
                      "GET %s sent a script's source", cases[i].path);
        ts_response_free(&r);
    }
}

/* Item 1: a rule on "/admin.cgi" (exact) or "secret\.cgi$" (regex) also covers the script run
 * through "/admin.cgi/" and "/admin.cgi/anything"; an allowed script gets its path info. */
START_TEST(test_path_info_cannot_slip_past_script_rules)
{
    struct ts_server s;
    paths_start(&s);
    static const struct status_case cases[] = {
        {"/admin.cgi", NULL, 403, NULL},
        {"/admin.cgi/", NULL, 403, NULL},
        {"/admin.cgi/anything", NULL, 403, NULL},
        {"/admin.cgi/a/b.html", NULL, 403, NULL},
        {"/tools/secret.cgi", NULL, 403, NULL},
        {"/tools/secret.cgi/", NULL, 403, NULL},
        {"/tools/secret.cgi/x.cgi", NULL, 403, NULL},
        {"/tools/open.cgi", NULL, 200, "ran:\n"},
        {"/tools/open.cgi/more/info", NULL, 200, "ran:/more/info\n"},
    };
    expect_statuses(&s, cases, sizeof(cases) / sizeof(cases[0]));
    ts_server_stop(&s);
}
END_TEST

/* Items 2 and 3: "/app/" runs index.cgi (never sends its source), and a deny on an index file
 * holds for its folder's URL. */
START_TEST(test_index_file_routed_as_its_own_url)
{
    struct ts_server s;
    paths_start(&s);
    static const struct status_case cases[] = {
        {"/app/", NULL, 200, "ran:\n"},        {"/app/index.cgi", NULL, 200, "ran:\n"},
        {"/priv/index.html", NULL, 403, NULL}, {"/priv/", NULL, 403, NULL},
        {"/", NULL, 200, "the index page"},
    };
    expect_statuses(&s, cases, sizeof(cases) / sizeof(cases[0]));
    ts_server_stop(&s);
}
END_TEST

/* Item 4: a vhost without a document_root of its own serves the top level's files with the top
 * level's locations first: its own "/" does not shadow them. */
START_TEST(test_vhost_sharing_files_keeps_top_level_rules)
{
    struct ts_server s;
    paths_start(&s);
    static const struct status_case cases[] = {
        {"/nobody/index.html", "bare.test", 403, NULL},
        {"/nobody/", "bare.test", 403, NULL},
        {"/admin.cgi/x", "bare.test", 403, NULL},
        {"/priv/", "bare.test", 403, NULL},
        {"/app/", "bare.test", 200, "ran:\n"},
        {"/tools/open.cgi", "bare.test", 200, "ran:\n"},
        {"/hello.txt", "bare.test", 200, TS_HELLO_TXT},
    };
    expect_statuses(&s, cases, sizeof(cases) / sizeof(cases[0]));
    struct ts_response r;
    ck_assert_int_eq(get_host(&s, "/hello.txt", "bare.test", &r), TS_OK);
    ck_assert_str_eq(ts_response_header(&r, "X-Bare"), "yes"); /* its own location still applies */
    ts_response_free(&r);
    ts_server_stop(&s);
}
END_TEST

/* Item 15: `break` stays in the location: its deny and its headers apply to the new path. */
START_TEST(test_rewrite_break_keeps_location)
{
    struct ts_server s;
    paths_start(&s);
    static const struct status_case cases[] = {
        {"/locked/x", NULL, 403, NULL},
        {"/brk/anything", NULL, 200, TS_HELLO_TXT},
    };
    expect_statuses(&s, cases, sizeof(cases) / sizeof(cases[0]));
    struct ts_response r;
    ck_assert_int_eq(get_host(&s, "/brk/anything", "localhost", &r), TS_OK);
    ck_assert_ptr_nonnull(ts_response_header(&r, "X-Brk"));
    ck_assert_str_eq(ts_response_header(&r, "X-Brk"), "kept");
    ts_response_free(&r);
    ts_server_stop(&s);
}
END_TEST

/* Item 7: "301 https://example.com$1" keeps example.com whatever the capture holds. */
START_TEST(test_redirect_capture_cannot_change_host)
{
    struct ts_server s;
    paths_start(&s);
    static const struct {
        const char *path, *location;
    } cases[] = {
        {"/go/a/b", "https://example.com/a/b"},
        {"/go@evil.example/x", "https://example.com/@evil.example/x"},
        {"/go.evil.example", "https://example.com/.evil.example"},
        {"/go:443@evil.example", "https://example.com/:443@evil.example"},
        {"/go%5Cevil.example", "https://example.com/evil.example"},
        {"/go//evil.example", "https://example.com/evil.example"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ts_response r;
        ck_assert_int_eq(get_host(&s, cases[i].path, "localhost", &r), TS_OK);
        ck_assert_int_eq(r.status, 301);
        const char *loc = ts_response_header(&r, "Location");
        ck_assert_msg(loc != NULL && strcmp(loc, cases[i].location) == 0, "%s → %s, want %s",
                      cases[i].path, loc != NULL ? loc : "(none)", cases[i].location);
        ts_response_free(&r);
    }
    ts_server_stop(&s);
}
END_TEST

/* A capture in a redirect's host is refused by -t, with file:line. */
START_TEST(test_redirect_capture_in_host_refused_at_check)
{
    struct ts_server s;
    ck_assert_int_eq(ts_server_init(&s), 0);
    ck_assert_int_eq(ts_server_configure(&s, "location \"~ ^/u/(.*)$\" {\n"
                                             "  redirect = \"302 https://$1.example.com/\"\n}\n"),
                     0);
    const char *argv[] = {PFD_BINARY, "-t", "-f", s.conf, NULL};
    char *out = NULL;
    ck_assert_int_ne(ts_run(argv, 10.0, &out), 0);
    ck_assert_msg(out != NULL && strstr(out, s.conf) != NULL && strstr(out, "host") != NULL, "%s",
                  out != NULL ? out : "");
    free(out);
    ts_dir_remove(s.dir);
}
END_TEST

/* Item 9: a regex alias capture cannot reach a hidden file ("/dl-.secret" → files/.secret). */
START_TEST(test_regex_alias_capture_cannot_reach_hidden_file)
{
    struct ts_server s;
    ck_assert_int_eq(ts_server_init(&s), 0);
    char files[TS_PATH_MAX * 2], path[TS_PATH_MAX * 3];
    snprintf(files, sizeof(files), "%s/files", s.dir);
    ck_assert_int_eq(mkdir(files, 0755), 0);
    snprintf(path, sizeof(path), "%s/.secret", files);
    ck_assert_int_eq(ts_file_write(path, "secret\n", 7), 0);
    snprintf(path, sizeof(path), "%s/ok.txt", files);
    ck_assert_int_eq(ts_file_write(path, "ok\n", 3), 0);
    char conf[TS_PATH_MAX * 3];
    snprintf(conf, sizeof(conf), "location \"~ ^/dl-(.*)$\" { alias = \"%s/$1\" }\n", files);
    ts_server_start(&s, conf);
    static const struct status_case cases[] = {
        {"/dl-ok.txt", NULL, 200, "ok\n"},
        {"/dl-.secret", NULL, 404, NULL},
    };
    expect_statuses(&s, cases, sizeof(cases) / sizeof(cases[0]));
    ts_server_stop(&s);
}
END_TEST

/* Item 17: -T shows the script, its path info and the script's location; the index file; the
 * kept location of a break. */
START_TEST(test_explain_shows_script_index_and_break)
{
    struct ts_server s;
    ck_assert_int_eq(ts_server_init(&s), 0);
    ck_assert_int_eq(ts_cgi_write(&s, "", "admin.cgi", RAN_SCRIPT, 0755), 0);
    ck_assert_int_eq(ts_cgi_write(&s, "app", "index.cgi", RAN_SCRIPT, 0755), 0);
    ck_assert_int_eq(ts_server_configure(&s, paths_config), 0);
    static const struct {
        const char *url;
        const char *want[3];
    } cases[] = {
        {"/admin.cgi/x/y", {"script: /admin.cgi (", "path info: /x/y", "denied (403)"}},
        {"/app/", {"index file: ", "routed as /app/index.cgi", "handler: cgi"}},
        {"/locked/a", {"kept (break)", "denied (403)", NULL}},
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

static Suite *access_paths_suite(void)
{
    Suite *s = suite_create("access_paths");
    TCase *tc = tcase_create("access_paths");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_path_info_cannot_slip_past_script_rules);
    tcase_add_test(tc, test_index_file_routed_as_its_own_url);
    tcase_add_test(tc, test_vhost_sharing_files_keeps_top_level_rules);
    tcase_add_test(tc, test_rewrite_break_keeps_location);
    tcase_add_test(tc, test_redirect_capture_cannot_change_host);
    tcase_add_test(tc, test_redirect_capture_in_host_refused_at_check);
    tcase_add_test(tc, test_regex_alias_capture_cannot_reach_hidden_file);
    tcase_add_test(tc, test_explain_shows_script_index_and_break);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ts_run_session(access_paths_suite());
}
