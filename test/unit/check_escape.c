/*
 * check_escape.c — server/base/escape.c: UTF-8 validation, HTML, URL-component, JSON and log
 * escaping of bytes that may hold anything (the file names of mod_autoindex's tests, the request
 * lines of mod_status's).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "base/escape.h"
#include "testsupport_run.h"

struct escape_case {
    const char *desc;
    const char *in;
    size_t len; /* 0: strlen(in) */
    const char *html;
    const char *url;
    const char *json;
};

static const struct escape_case escape_cases[] = {
    {"plain", "file.txt", 0, "file.txt", "file.txt", "file.txt"},
    {"markup", "<script>", 0, "&lt;script&gt;", "%3Cscript%3E", "<script>"},
    {"quotes and ampersand", "a&b\"c'd", 0, "a&amp;b&quot;c&#39;d", "a%26b%22c%27d", "a&b\\\"c'd"},
    {"space, query, fragment, percent", "a b?c#d%e", 0, "a b?c#d%e", "a%20b%3Fc%23d%25e",
     "a b?c#d%e"},
    {"colon cannot pose as a scheme", "javascript:x", 0, "javascript:x", "javascript%3Ax",
     "javascript:x"},
    {"UTF-8 kept in text, encoded in URLs", "\xc3\xbc\xe2\x82\xac\xf0\x9f\x98\x80", 0,
     "\xc3\xbc\xe2\x82\xac\xf0\x9f\x98\x80", "%C3%BC%E2%82%AC%F0%9F%98%80",
     "\xc3\xbc\xe2\x82\xac\xf0\x9f\x98\x80"},
    {"invalid bytes", "a\xff\xfe", 0, "a\xef\xbf\xbd\xef\xbf\xbd", "a%FF%FE", "a\\ufffd\\ufffd"},
    {"truncated sequence", "x\xe2\x82", 0, "x\xef\xbf\xbd\xef\xbf\xbd", "x%E2%82",
     "x\\ufffd\\ufffd"},
    {"overlong slash", "\xc0\xaf", 0, "\xef\xbf\xbd\xef\xbf\xbd", "%C0%AF", "\\ufffd\\ufffd"},
    {"surrogate", "\xed\xa0\x80", 0, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", "%ED%A0%80",
     "\\ufffd\\ufffd\\ufffd"},
    {"above U+10FFFF", "\xf4\x90\x80\x80", 0, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd",
     "%F4%90%80%80", "\\ufffd\\ufffd\\ufffd\\ufffd"},
    {"controls", "a\x01\tb\x7f", 0,
     "a\xef\xbf\xbd\xef\xbf\xbd"
     "b\xef\xbf\xbd",
     "a%01%09b%7F", "a\\u0001\\u0009b\\u007f"},
    {"backslash", "a\\b", 0, "a\\b", "a%5Cb", "a\\\\b"},
    {"embedded NUL (length given)", "a\0b", 3,
     "a\xef\xbf\xbd"
     "b",
     "a%00b", "a\\u0000b"},
    {"unreserved kept", "A-z_0.9~", 0, "A-z_0.9~", "A-z_0.9~", "A-z_0.9~"},
};

START_TEST(test_escape)
{
    const struct escape_case *c = &escape_cases[_i];
    size_t len = c->len ? c->len : strlen(c->in);
    struct pfd_buf b = {0};
    ck_assert_int_eq(pfd_escape_html(&b, c->in, len), 0);
    ck_assert_msg(strcmp(b.data, c->html) == 0, "%s: html %s", c->desc, b.data);
    pfd_buf_consume(&b, b.len);
    ck_assert_int_eq(pfd_escape_url(&b, c->in, len, false), 0);
    ck_assert_msg(strcmp(b.data, c->url) == 0, "%s: url %s", c->desc, b.data);
    pfd_buf_consume(&b, b.len);
    ck_assert_int_eq(pfd_escape_json(&b, c->in, len), 0);
    ck_assert_msg(strcmp(b.data, c->json) == 0, "%s: json %s", c->desc, b.data);
    pfd_buf_free(&b);
}
END_TEST

START_TEST(test_text_keeps_lines)
{
    struct pfd_buf b = {0};
    pfd_escape_html_text(&b, "a\tb\r\n<c>\x01", 9);
    ck_assert_str_eq(b.data, "a\tb\r\n&lt;c&gt;\xef\xbf\xbd");
    pfd_buf_free(&b);
}
END_TEST

START_TEST(test_url_keeps_slash)
{
    struct pfd_buf b = {0};
    pfd_escape_url(&b, "/a b/c?/", 8, true);
    ck_assert_str_eq(b.data, "/a%20b/c%3F/");
    pfd_buf_free(&b);
}
END_TEST

/* Log text: the access log's convention (Apache's), which mod_cgi's own copy differed from on
 * '"' and '\\' (it wrote \x22 and \x5c); "decided" marks those rows. */
static const struct log_case {
    const char *desc;
    const char *in;
    size_t len; /* 0: strlen(in) */
    const char *out;
} log_cases[] = {
    {"plain", "GET / HTTP/1.1", 0, "GET / HTTP/1.1"},
    {"decided: a quote gets a backslash", "a\"b", 0, "a\\\"b"},
    {"decided: a backslash gets a backslash", "a\\b", 0, "a\\\\b"},
    {"a forged line", "x\n1.2.3.4 - - \"GET /", 0, "x\\x0a1.2.3.4 - - \\\"GET /"},
    {"controls", "\x01\t\r\x7f", 0, "\\x01\\x09\\x0d\\x7f"},
    {"bytes above ASCII", "caf\xc3\xa9", 0, "caf\\xc3\\xa9"},
    {"embedded NUL (length given)", "a\0b", 3, "a\\x00b"},
    {"mod_cgi's test", "a\"b\n\x01", 0, "a\\\"b\\x0a\\x01"},
    {"empty", "", 0, ""},
};

START_TEST(test_log)
{
    const struct log_case *c = &log_cases[_i];
    struct pfd_buf b = PFD_BUF_INIT;
    ck_assert_int_eq(pfd_escape_log(&b, c->in, c->len ? c->len : strlen(c->in)), 0);
    ck_assert_msg(strcmp(b.data, c->out) == 0, "%s: \"%s\", want \"%s\"", c->desc, b.data, c->out);
    pfd_buf_free(&b);
}
END_TEST

/* Nothing to escape still leaves a C string, so a caller can print b.data at once. */
START_TEST(test_empty_is_a_string)
{
    struct pfd_buf b = PFD_BUF_INIT;
    ck_assert_int_eq(pfd_escape_html(&b, "", 0), 0);
    ck_assert_ptr_nonnull(b.data);
    pfd_buf_free(&b);
    ck_assert_int_eq(pfd_escape_json(&b, "", 0), 0);
    ck_assert_ptr_nonnull(b.data);
    pfd_buf_free(&b);
    ck_assert_int_eq(pfd_escape_url(&b, "", 0, false), 0);
    ck_assert_ptr_nonnull(b.data);
    pfd_buf_free(&b);
    ck_assert_int_eq(pfd_escape_log(&b, "", 0), 0);
    ck_assert_str_eq(b.data, "");
    pfd_buf_free(&b);
}
END_TEST

static Suite *escape_suite(void)
{
    Suite *s = suite_create("escape");
    TCase *tc = tcase_create("escape");
    tcase_add_loop_test(tc, test_escape, 0, (int)(sizeof(escape_cases) / sizeof(escape_cases[0])));
    tcase_add_test(tc, test_url_keeps_slash);
    tcase_add_test(tc, test_text_keeps_lines);
    tcase_add_test(tc, test_empty_is_a_string);
    tcase_add_loop_test(tc, test_log, 0, (int)(sizeof(log_cases) / sizeof(log_cases[0])));
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ts_run_suite(escape_suite());
}
