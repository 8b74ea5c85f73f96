/*
 * check_cgi_ext.c — mod_cgi by extension: cgi_extensions in a location with exec_cgi = true.
 * Needs two things from the core that are on their way: module options inside a location (the
 * config loader) and pfd_request_location_handler(), without which mod_cgi cannot tell a
 * location handler (run everything) from being tried in `modules` order (decline what is not a
 * script), so /hello.txt below would be refused instead of served.
 */
#include "testsupport_cgi.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testsupport_run.h"

/* ---- by extension ------------------------------------------------------------------------- */

/* exec_cgi = true: *.cgi runs, other files are served as files. (Needs the config loader to
 * accept module options inside a location.) */
START_TEST(test_extensions)
{
    struct ts_server s;
    ts_server_start(&s, "modules = {\"cgi\", \"static\"}\n"
                        "module \"cgi\" { cgi_extensions = {\".cgi\"} }\n"
                        "location \"^/ext/\" { exec_cgi = true }\n");
    ck_assert_int_eq(
        ts_cgi_write(&s, "ext", "run.cgi",
                     "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\nran\\n'\n", 0755),
        0);
    ck_assert_int_eq(ts_cgi_write(&s, "ext", "page.txt", "just text\n", 0644), 0);
    ck_assert_int_eq(ts_cgi_write(&s, "ext", "tool.sh", "#!/bin/sh\necho no\n", 0755), 0);
    ck_assert_int_eq(ts_cgi_write(&s, ".", "out.cgi", "#!/bin/sh\necho no\n", 0755), 0);
    struct ts_response r;
    ck_assert_int_eq(ts_get(s.port, "/ext/run.cgi", &r), TS_OK);
    ck_assert_str_eq(r.body, "ran\n");
    ts_response_free(&r);
    ck_assert_int_eq(ts_get(s.port, "/ext/page.txt", &r), TS_OK);
    ck_assert_str_eq(r.body, "just text\n");
    ts_response_free(&r);
    /* not a CGI extension: the file itself */
    ck_assert_int_eq(ts_get(s.port, "/ext/tool.sh", &r), TS_OK);
    ck_assert_str_eq(r.body, "#!/bin/sh\necho no\n");
    ts_response_free(&r);
    ck_assert_int_eq(ts_get(s.port, "/hello.txt", &r), TS_OK);
    ck_assert_str_eq(r.body, TS_HELLO_TXT);
    ts_response_free(&r);
    ts_server_stop(&s);
}
END_TEST

/* A hidden script found by its extension is 404: not run, and not served as a file either,
 * even where mod_static serves hidden files (its source would show). run_hidden runs it. */
START_TEST(test_hidden_scripts_by_extension_are_404)
{
    static const struct {
        const char *description;
        const char *location;
        int status;
        const char *body;
    } rows[] = {
        {"hidden", "exec_cgi = true", 404, NULL},
        {"hidden, mod_static serves hidden files", "exec_cgi = true serve_hidden = true", 404,
         NULL},
        {"run_hidden", "exec_cgi = true run_hidden = true", 200, "ran\n"},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct ts_server s;
        char extra[512];
        snprintf(extra, sizeof(extra),
                 "modules = {\"cgi\", \"static\"}\n"
                 "module \"cgi\" { cgi_extensions = {\".cgi\"} }\n"
                 "location \"^/ext/\" { %s }\n",
                 rows[i].location);
        ts_server_start(&s, extra);
        ck_assert_int_eq(
            ts_cgi_write(&s, "ext", ".x.cgi",
                         "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\nran\\n'\n", 0755),
            0);
        struct ts_response r;
        ck_assert_int_eq(ts_get(s.port, "/ext/.x.cgi", &r), TS_OK);
        ck_assert_msg(r.status == rows[i].status, "%s: %s", rows[i].description,
                      ts_response_describe(&r));
        if (rows[i].body != NULL)
            ck_assert_str_eq(r.body, rows[i].body);
        ck_assert_msg(strstr(r.body, "#!/bin/sh") == NULL, "%s: the source was served",
                      rows[i].description);
        ts_response_free(&r);
        ts_server_stop(&s);
    }
}
END_TEST

static Suite *cgi_ext_suite(void)
{
    Suite *s = suite_create("mod_cgi_ext");
    TCase *tc = tcase_create("ext");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_extensions);
    tcase_add_test(tc, test_hidden_scripts_by_extension_are_404);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ts_run_session(cgi_ext_suite());
}
