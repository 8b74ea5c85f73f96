/*
 * check_autoindex_escape.c — unit tests for modules/lib/autoindex_escape.c and autoindex_buf.c:
 * UTF-8 validation, HTML/URL/JSON escaping of file names, human sizes and dates.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "autoindex_buf.h"
#include "autoindex_escape.h"
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
    struct autoindex_buf b = {0};
    ck_assert_int_eq(autoindex_html_escape(&b, c->in, len), 0);
    ck_assert_msg(strcmp(b.data, c->html) == 0, "%s: html %s", c->desc, b.data);
    autoindex_buf_reset(&b);
    ck_assert_int_eq(autoindex_url_encode(&b, c->in, len, 0), 0);
    ck_assert_msg(strcmp(b.data, c->url) == 0, "%s: url %s", c->desc, b.data);
    autoindex_buf_reset(&b);
    ck_assert_int_eq(autoindex_json_escape(&b, c->in, len), 0);
    ck_assert_msg(strcmp(b.data, c->json) == 0, "%s: json %s", c->desc, b.data);
    autoindex_buf_free(&b);
}
END_TEST

START_TEST(test_text_keeps_lines)
{
    struct autoindex_buf b = {0};
    autoindex_html_escape_text(&b, "a\tb\r\n<c>\x01", 9);
    ck_assert_str_eq(b.data, "a\tb\r\n&lt;c&gt;\xef\xbf\xbd");
    autoindex_buf_free(&b);
}
END_TEST

START_TEST(test_url_keeps_slash)
{
    struct autoindex_buf b = {0};
    autoindex_url_encode(&b, "/a b/c?/", 8, 1);
    ck_assert_str_eq(b.data, "/a%20b/c%3F/");
    autoindex_buf_free(&b);
}
END_TEST

static const struct size_case {
    long long size;
    const char *human;
} size_cases[] = {
    {-1, "-"},           {0, "0"},
    {1023, "1023"},      {1024, "1.0K"},
    {1536, "1.5K"},      {10188, "9.9K"},
    {10189, "10K"},      {1048064, "1.0M"},
    {1048575, "1.0M"},   {3565158, "3.4M"},
    {734003200, "700M"}, {1073741824, "1.0G"},
    {5LL << 40, "5.0T"}, {9223372036854775807LL, "8.0E"},
};

START_TEST(test_size_human)
{
    char out[16];
    autoindex_size_human(size_cases[_i].size, out);
    ck_assert_msg(strcmp(out, size_cases[_i].human) == 0, "%lld: %s, expected %s",
                  size_cases[_i].size, out, size_cases[_i].human);
}
END_TEST

START_TEST(test_times)
{
    char out[24];
    autoindex_time_iso(1600000000, out);
    ck_assert_str_eq(out, "2020-09-13T12:26:40Z");
    autoindex_time_short(1600000000, out);
    ck_assert_str_eq(out, "2020-09-13 12:26");
    autoindex_time_iso(0, out);
    ck_assert_str_eq(out, "1970-01-01T00:00:00Z");
}
END_TEST

START_TEST(test_buf)
{
    struct autoindex_buf b = {0};
    for (int i = 0; i < 10000; i++)
        ck_assert_int_eq(autoindex_buf_printf(&b, "%d,", i % 10), 0);
    ck_assert_uint_eq(b.len, 20000);
    ck_assert_uint_eq(strlen(b.data), 20000);
    ck_assert_int_eq(autoindex_buf_reserve(&b, AUTOINDEX_BUF_MAX), -1);
    ck_assert(b.failed);
    ck_assert_int_eq(autoindex_buf_puts(&b, "x"), -1); /* sticky */
    autoindex_buf_free(&b);
    ck_assert_ptr_null(b.data);
}
END_TEST

static Suite *autoindex_escape_suite(void)
{
    Suite *s = suite_create("autoindex_escape");
    TCase *tc = tcase_create("escape");
    tcase_add_loop_test(tc, test_escape, 0, (int)(sizeof(escape_cases) / sizeof(escape_cases[0])));
    tcase_add_test(tc, test_url_keeps_slash);
    tcase_add_test(tc, test_text_keeps_lines);
    tcase_add_loop_test(tc, test_size_human, 0, (int)(sizeof(size_cases) / sizeof(size_cases[0])));
    tcase_add_test(tc, test_times);
    tcase_add_test(tc, test_buf);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ts_run_suite(autoindex_escape_suite());
}
