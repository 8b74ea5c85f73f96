/*
 * check_cgi_ext.c — mod_cgi by extension: cgi_extensions in a location with exec_cgi = true.
 * Needs two things from the core that are on their way: module options inside a location (the
 * config loader) and pfd_request_location_handler(), without which mod_cgi cannot tell a
 * location handler (run everything) from being tried in `modules` order (decline what is not a
 * script), so /hello.txt below would be refused instead of served.
 */
#include "testsupport_cgi.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

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

int main(void)
{
    ts_session_begin();
    Suite *s = suite_create("mod_cgi_ext");
    TCase *tc = tcase_create("ext");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_extensions);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return ts_session_end(failed);
}
