/*
 * check_autoindex_render.c — unit tests for modules/autoindex/autoindex_render.c: the pieces of the
 * HTML page (head, rows, page links, inserts) and the JSON rows.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "autoindex_render.h"
#include "testsupport_run.h"

static struct autoindex_page page_default(void)
{
    return (struct autoindex_page){.path = "/files/",
                                   .q = {'N', 'A', false, 1},
                                   .pages = 1,
                                   .sort_links = true,
                                   .footer = "preforkd/x"};
}

static void assert_has(const struct pfd_buf *b, const char *needle, bool present)
{
    bool found = b->data != NULL && strstr(b->data, needle) != NULL;
    ck_assert_msg(found == present, "%s \"%s\" in:\n%s", present ? "no" : "unexpected", needle,
                  b->data);
}

START_TEST(test_head)
{
    struct autoindex_page p = page_default();
    p.path = "/a b/<x>/";
    p.q.column = 'S';
    p.q.order = 'D';
    struct pfd_buf b = {0};
    ck_assert_int_eq(autoindex_render_html_head(&b, &p), 0);
    assert_has(&b, "<!DOCTYPE html>", true);
    assert_has(&b, "<meta name=\"viewport\"", true);
    assert_has(&b, "prefers-color-scheme:dark", true);
    assert_has(&b, "<title>Index of /a b/&lt;x&gt;/</title>", true);
    assert_has(&b, "<a href=\"/a%20b/\">a b</a>/<a href=\"/a%20b/%3Cx%3E/\">&lt;x&gt;</a>/", true);
    assert_has(&b, "<a href=\"?C=N;O=A\">Name</a>", true);
    assert_has(&b, "<th aria-sort=\"descending\"><a href=\"?C=S;O=A\">Size</a> &#8595;</th>", true);
    assert_has(&b, "Parent Directory", true);
    pfd_buf_free(&b);

    p = page_default();
    p.path = "/";
    p.sort_links = false;
    p.header = "<b>hi</b>";
    p.header_len = 9;
    ck_assert_int_eq(autoindex_render_html_head(&b, &p), 0);
    assert_has(&b, "Parent Directory", false); /* nothing above the docroot */
    assert_has(&b, "?C=", false);
    assert_has(&b, "<pre>&lt;b&gt;hi&lt;/b&gt;</pre>", true); /* not .html: text */
    pfd_buf_free(&b);
}
END_TEST

START_TEST(test_rows)
{
    struct autoindex_page p = page_default();
    struct autoindex_entry file = {"a&b.txt",  7,     "text/plain", 1536,
                                   1600000000, false, false,        false};
    struct autoindex_entry dir = {"d\"ir", 4, "Directory", -1, 1600000000, true, false, false};
    struct pfd_buf b = {0};
    ck_assert_int_eq(autoindex_render_html_row(&b, &p, &file), 0);
    ck_assert_str_eq(b.data, "<tr><td><a href=\"a%26b.txt\">a&amp;b.txt</a></td>"
                             "<td title=\"2020-09-13T12:26:40Z\">2020-09-13 12:26</td>"
                             "<td>1.5K</td><td>text/plain</td></tr>\n");
    pfd_buf_consume(&b, b.len);
    p.exact_size = true;
    autoindex_render_html_row(&b, &p, &file);
    assert_has(&b, "<td>1536</td>", true);
    pfd_buf_consume(&b, b.len);
    autoindex_render_html_row(&b, &p, &dir);
    assert_has(&b, "<tr class=\"d\"><td><a href=\"d%22ir/\">d&quot;ir/</a>", true);
    assert_has(&b, "<td>-</td><td>Directory</td>", true);
    pfd_buf_consume(&b, b.len);
    autoindex_render_json_row(&b, &file, true);
    autoindex_render_json_row(&b, &dir, false);
    ck_assert_str_eq(b.data, "\n{\"name\":\"a&b.txt\",\"type\":\"file\",\"size\":1536,"
                             "\"mtime\":\"2020-09-13T12:26:40Z\",\"href\":\"a%26b.txt\"},\n"
                             "{\"name\":\"d\\\"ir\",\"type\":\"directory\","
                             "\"mtime\":\"2020-09-13T12:26:40Z\",\"href\":\"d%22ir/\"}");
    pfd_buf_free(&b);
}
END_TEST

START_TEST(test_foot)
{
    struct autoindex_page p = page_default();
    p.pages = 5;
    p.q.page = 3;
    p.readme = "see\n<this>";
    p.readme_len = 10;
    struct pfd_buf b = {0};
    ck_assert_int_eq(autoindex_render_html_foot(&b, &p), 0);
    assert_has(&b,
               "Page 3 of 5: <a href=\"?C=N;O=A;page=1\">first</a>"
               "<a href=\"?C=N;O=A;page=2\">previous</a><strong>3</strong>"
               "<a href=\"?C=N;O=A;page=4\">next</a><a href=\"?C=N;O=A;page=5\">last</a>",
               true);
    assert_has(&b, "<div class=\"readme\"><pre>see\n&lt;this&gt;</pre></div>", true);
    assert_has(&b, "preforkd/x", true);
    assert_has(&b, "</html>", true);
    pfd_buf_consume(&b, b.len);
    p.pages = 1;
    p.q.page = 1;
    p.readme = "<p>html</p>";
    p.readme_len = 11;
    p.readme_html = true;
    autoindex_render_html_foot(&b, &p);
    assert_has(&b, "Page", false);
    assert_has(&b, "<div class=\"readme\"><p>html</p></div>", true);
    pfd_buf_free(&b);
}
END_TEST

/* JSON in pages: the head says which page, how many, and where the neighbours are. */
static const struct {
    size_t page, pages, total;
    char column, order;
    const char *head;
} json_heads[] = {
    {1, 1, 0, 'N', 'A',
     "{\"path\":\"/a\\\"b/\",\"page\":1,\"pages\":1,\"total\":0,\"prev\":null,"
     "\"next\":null,\"entries\":["},
    {1, 3, 2500, 'S', 'D',
     "{\"path\":\"/a\\\"b/\",\"page\":1,\"pages\":3,\"total\":2500,\"prev\":null,"
     "\"next\":\"?C=S;O=D;F=json;page=2\",\"entries\":["},
    {2, 3, 2500, 'N', 'A',
     "{\"path\":\"/a\\\"b/\",\"page\":2,\"pages\":3,\"total\":2500,"
     "\"prev\":\"?C=N;O=A;F=json;page=1\",\"next\":\"?C=N;O=A;F=json;page=3\",\"entries\":["},
    {3, 3, 2500, 'M', 'A',
     "{\"path\":\"/a\\\"b/\",\"page\":3,\"pages\":3,\"total\":2500,"
     "\"prev\":\"?C=M;O=A;F=json;page=2\",\"next\":null,\"entries\":["},
};

START_TEST(test_json_head)
{
    struct autoindex_page p = page_default();
    p.path = "/a\"b/";
    p.q = (struct autoindex_query){json_heads[_i].column, json_heads[_i].order, true,
                                   json_heads[_i].page};
    p.pages = json_heads[_i].pages;
    struct pfd_buf b = {0};
    ck_assert_int_eq(autoindex_render_json_head(&b, &p, json_heads[_i].total), 0);
    ck_assert_int_eq(autoindex_render_json_foot(&b), 0);
    ck_assert_msg(strncmp(b.data, json_heads[_i].head, strlen(json_heads[_i].head)) == 0,
                  "%s\nexpected\n%s", b.data, json_heads[_i].head);
    ck_assert_str_eq(b.data + strlen(json_heads[_i].head), "\n]}\n");
    pfd_buf_free(&b);
}
END_TEST

static Suite *autoindex_render_suite(void)
{
    Suite *s = suite_create("autoindex_render");
    TCase *tc = tcase_create("render");
    tcase_add_test(tc, test_head);
    tcase_add_test(tc, test_rows);
    tcase_add_test(tc, test_foot);
    tcase_add_loop_test(tc, test_json_head, 0, sizeof(json_heads) / sizeof(json_heads[0]));
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ts_run_suite(autoindex_render_suite());
}
