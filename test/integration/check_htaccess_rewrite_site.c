/*
 * check_htaccess_rewrite_site.c — mod_rewrite in .htaccess files, against the real binary: a front
 * controller site (pretty URLs run index.cgi, which sees the URL the client asked for, while
 * files that exist are served as they are), a redirect to the https form of a URL, [F] as 403, a
 * subfolder application with its own .htaccess and RewriteBase (whose rules replace the root's
 * there), and a malformed rule answering 500 with FILE:LINE in the error log.
 *
 * The scripts are shell CGI scripts (no php-cgi needed): index.cgi stands for index.php.
 */
#include "testsupport_cgi.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testsupport_run.h"

static const char site_config[] = "modules = {\"cgi\", \"static\"}\n"
                                  "module \"cgi\" { cgi_extensions = {\".cgi\"} }\n"
                                  "allow_override = {\"All\"}\n"
                                  "location \"/\" { exec_cgi = true }\n";

/* As WordPress ships it: inside <IfModule mod_rewrite.c>, which preforkd has. */
static const char root_htaccess[] = "# BEGIN the front controller of the whole site\n"
                                    "<IfModule mod_rewrite.c>\n"
                                    "RewriteEngine On\n"
                                    "RewriteRule ^secret/ - [F]\n"
                                    "RewriteCond %{HTTPS} off\n"
                                    "RewriteRule ^login$ https://%{HTTP_HOST}/login [R=301,L]\n"
                                    "RewriteRule ^index\\.cgi$ - [L]\n"
                                    "RewriteCond %{REQUEST_FILENAME} !-f\n"
                                    "RewriteCond %{REQUEST_FILENAME} !-d\n"
                                    "RewriteRule . /index.cgi [L]\n"
                                    "</IfModule>\n"
                                    "# END\n";

static const char front_cgi[] =
    "#!/bin/sh\n"
    "printf 'Content-Type: text/plain\\r\\n\\r\\n'\n"
    "echo \"front REQUEST_URI=$REQUEST_URI QUERY_STRING=$QUERY_STRING\"\n";

static const char sub_htaccess[] = "RewriteEngine On\n"
                                   "RewriteBase /sub/\n"
                                   "RewriteRule ^page/(\\w+)$ show.cgi?p=$1 [QSA,L]\n";

static const char sub_cgi[] = "#!/bin/sh\n"
                              "printf 'Content-Type: text/plain\\r\\n\\r\\n'\n"
                              "echo \"sub QUERY_STRING=$QUERY_STRING\"\n";

/* The site above on a started server. */
static void site_start(struct ts_server *s)
{
    ts_server_start(s, site_config);
    ck_assert_int_eq(ts_cgi_write(s, ".", ".htaccess", root_htaccess, 0644), 0);
    ck_assert_int_eq(ts_cgi_write(s, ".", "index.cgi", front_cgi, 0755), 0);
    ck_assert_int_eq(ts_cgi_write(s, "secret", "plans.txt", "top secret\n", 0644), 0);
    ck_assert_int_eq(ts_cgi_write(s, "sub", ".htaccess", sub_htaccess, 0644), 0);
    ck_assert_int_eq(ts_cgi_write(s, "sub", "show.cgi", sub_cgi, 0755), 0);
}

/* GET path with Host host; the response in *r (the test frees it). */
static void site_get(const struct ts_server *s, const char *host, const char *path,
                     struct ts_response *r)
{
    char raw[1024];
    snprintf(raw, sizeof(raw), "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", path,
             host);
    ck_assert_int_eq(ts_request(s->port, raw, r), TS_OK);
}

/* A pretty URL runs the front controller, which sees the URL as the client sent it; a file that
 * exists is served as it is. */
START_TEST(test_front_controller)
{
    struct ts_server s;
    site_start(&s);
    struct ts_response r;
    site_get(&s, "example.com", "/blog/2024/hello?x=1", &r);
    ck_assert_msg(r.status == 200, "%s", ts_response_describe(&r));
    ck_assert_str_eq(r.body, "front REQUEST_URI=/blog/2024/hello?x=1 QUERY_STRING=x=1\n");
    ts_response_free(&r);
    site_get(&s, "example.com", "/hello.txt", &r);
    ck_assert_msg(r.status == 200, "%s", ts_response_describe(&r));
    ck_assert_str_eq(r.body, TS_HELLO_TXT);
    ts_response_free(&r);
    ts_server_stop(&s);
}
END_TEST

/* %{HTTPS} off + [R=301]: an absolute https URL on the host the client named. */
START_TEST(test_redirect_to_https)
{
    struct ts_server s;
    site_start(&s);
    struct ts_response r;
    site_get(&s, "example.com", "/login", &r);
    ck_assert_msg(r.status == 301, "%s", ts_response_describe(&r));
    const char *location = ts_response_header(&r, "Location");
    ck_assert_ptr_nonnull(location);
    ck_assert_str_eq(location, "https://example.com/login");
    ts_response_free(&r);
    ts_server_stop(&s);
}
END_TEST

/* [F]: 403, for a file that exists too, and the file is not sent. */
START_TEST(test_forbidden)
{
    struct ts_server s;
    site_start(&s);
    struct ts_response r;
    site_get(&s, "example.com", "/secret/plans.txt", &r);
    ck_assert_msg(r.status == 403, "%s", ts_response_describe(&r));
    ck_assert_ptr_null(strstr(r.body, "top secret"));
    ts_response_free(&r);
    ts_server_stop(&s);
}
END_TEST

/* A subfolder with its own .htaccess: its pattern does not see "sub/", its relative target goes
 * under RewriteBase, and the root's front controller does not apply there. */
START_TEST(test_subfolder_app)
{
    struct ts_server s;
    site_start(&s);
    struct ts_response r;
    site_get(&s, "example.com", "/sub/page/abc?y=2", &r);
    ck_assert_msg(r.status == 200, "%s", ts_response_describe(&r));
    ck_assert_str_eq(r.body, "sub QUERY_STRING=p=abc&y=2\n");
    ts_response_free(&r);
    site_get(&s, "example.com", "/sub/missing", &r);
    ck_assert_msg(r.status == 404, "%s", ts_response_describe(&r));
    ts_response_free(&r);
    ts_server_stop(&s);
}
END_TEST

/* An unknown flag: 500 for what is under that folder, and "FILE:LINE: why" in the error log. */
START_TEST(test_bad_rule_is_500_with_line)
{
    struct ts_server s;
    site_start(&s);
    ck_assert_int_eq(ts_cgi_write(&s, "broken", ".htaccess",
                                  "RewriteEngine On\nRewriteRule ^x$ /y [L,Q]\n", 0644),
                     0);
    ck_assert_int_eq(ts_cgi_write(&s, "broken", "x", "x\n", 0644), 0);
    struct ts_response r;
    site_get(&s, "example.com", "/broken/x", &r);
    ck_assert_msg(r.status == 500, "%s", ts_response_describe(&r));
    ts_response_free(&r);
    ck_assert_msg(ts_file_wait_for(s.error_log, "broken/.htaccess:2:", 5.0),
                  "no FILE:LINE in the error log");
    ck_assert(ts_file_contains(s.error_log, "unknown or unsupported flag 'Q'"));
    ts_server_stop(&s);
}
END_TEST

static Suite *htaccess_rewrite_suite(void)
{
    Suite *s = suite_create("htaccess_rewrite");
    TCase *tc = tcase_create("site");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_front_controller);
    tcase_add_test(tc, test_redirect_to_https);
    tcase_add_test(tc, test_forbidden);
    tcase_add_test(tc, test_subfolder_app);
    tcase_add_test(tc, test_bad_rule_is_500_with_line);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ts_run_session(htaccess_rewrite_suite());
}
