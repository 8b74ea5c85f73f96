/*
 * check_proxy_upstream.c — mod_proxy's pure parts (modules/proxy/proxy_upstream.c,
 * proxy_chunked.c) without a server: upstream URLs, the path mapping both ways (ProxyPass,
 * ProxyPassReverse, the cookie path), and the chunked decoder fed in pieces of every size.
 */
#include "proxy_chunked.h"
#include "proxy_upstream.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "testsupport_run.h"

static const struct {
    const char *text;
    bool ok;
    const char *name, *authority, *path;
} upstream_rows[] = {
    {"http://127.0.0.1:8000", true, "127.0.0.1:8000", "127.0.0.1:8000", "/"},
    {"http://127.0.0.1:8000/", true, "127.0.0.1:8000", "127.0.0.1:8000", "/"},
    {"http://127.0.0.1:8000/base", true, "127.0.0.1:8000", "127.0.0.1:8000", "/base/"},
    {"HTTP://127.0.0.1/base/", true, "127.0.0.1", "127.0.0.1", "/base/"},
    {"http://[::1]:9000/", true, "[::1]:9000", "[::1]:9000", "/"},
    {"unix:/run/app.sock", true, "unix:/run/app.sock", "localhost", "/"},
    {"unix:run/app.sock", false, NULL, NULL, NULL},
    {"https://127.0.0.1/", false, NULL, NULL, NULL},
    {"ftp://127.0.0.1/", false, NULL, NULL, NULL},
    {"http://127.0.0.1:0/", false, NULL, NULL, NULL},
    {"http://127.0.0.1:99999/", false, NULL, NULL, NULL},
    {"http://127.0.0.1:80x/", false, NULL, NULL, NULL},
    {"http://[::1/", false, NULL, NULL, NULL},
    {"http://127.0.0.1/?q", false, NULL, NULL, NULL},
    {"http:///", false, NULL, NULL, NULL},
};

START_TEST(test_upstream_parse)
{
    struct proxy_upstream u;
    const char *why = proxy_upstream_parse(upstream_rows[_i].text, &u);
    ck_assert_msg((why == NULL) == upstream_rows[_i].ok, "%s: %s", upstream_rows[_i].text,
                  why != NULL ? why : "accepted");
    if (why != NULL)
        return;
    ck_assert_str_eq(u.name, upstream_rows[_i].name);
    ck_assert_str_eq(u.authority, upstream_rows[_i].authority);
    ck_assert_str_eq(u.path, upstream_rows[_i].path);
}
END_TEST

static const struct {
    const char *path, *prefix, *upath, *to_upstream, *back; /* back: NULL when left as it is */
} map_rows[] = {
    {"/x", "/", "/", "/x", NULL},
    {"/app/x", "/app/", "/", "/x", "/app/x"},
    {"/app/", "/app/", "/", "/", "/app/"},
    {"/app", "/app/", "/", "/", "/app/"},
    {"/app?q", "/app/", "/base/", "/base?q", "/app?q"},
    {"/app/x", "/app/", "/base/", "/base/x", "/app/x"},
    {"/other", "/app/", "/base/", "/base/other", "/app/other"}, /* outside: under upath */
    {"/x", "/", "/base/", "/base/x", "/x"},
};

START_TEST(test_path_mapping)
{
    char out[512], back[512];
    ck_assert_int_eq(proxy_path_to_upstream(map_rows[_i].path, map_rows[_i].prefix,
                                            map_rows[_i].upath, out, sizeof(out)),
                     0);
    ck_assert_str_eq(out, map_rows[_i].to_upstream);
    const char *b =
        proxy_path_from_upstream(out, map_rows[_i].prefix, map_rows[_i].upath, back, sizeof(back));
    if (map_rows[_i].back == NULL)
        ck_assert_msg(b == NULL, "%s came back as %s", out, b);
    else
        ck_assert_str_eq(b != NULL ? b : "(unchanged)", map_rows[_i].back);
    ck_assert_int_eq(proxy_path_to_upstream("/x", "/", "/", out, 2), -1); /* does not fit */
}
END_TEST

static const struct {
    const char *location, *prefix, *upath, *want; /* want NULL: left as it is */
} location_rows[] = {
    {"/login", "/app/", "/", "/app/login"},
    {"/base/login?next=/", "/app/", "/base/", "/app/login?next=/"},
    {"/base", "/app/", "/base/", "/app"},
    {"http://10.0.0.5:8000/base/x", "/app/", "/base/", "https://www.example.test/app/x"},
    {"http://front.test/base/x", "/app/", "/base/", "https://www.example.test/app/x"},
    {"http://10.0.0.5:8000/", "/", "/", "https://www.example.test/"},
    {"https://elsewhere.test/base/x", "/app/", "/base/", NULL},
    {"//elsewhere.test/base/x", "/app/", "/base/", NULL},
    {"relative/x", "/app/", "/", NULL},
    {"/other/x", "/app/", "/base/", NULL},
    {"/x", "/", "/", NULL},
};

START_TEST(test_location_rewrite)
{
    struct proxy_upstream u;
    ck_assert_ptr_null(proxy_upstream_parse("http://10.0.0.5:8000/", &u));
    snprintf(u.path, sizeof(u.path), "%s", location_rows[_i].upath);
    char out[512];
    const char *got = proxy_location_rewrite(location_rows[_i].location, &u, "front.test",
                                             "https://www.example.test", location_rows[_i].prefix,
                                             out, sizeof(out));
    if (location_rows[_i].want == NULL)
        ck_assert_msg(got == NULL, "%s became %s", location_rows[_i].location, got);
    else
        ck_assert_str_eq(got != NULL ? got : "(unchanged)", location_rows[_i].want);
}
END_TEST

static const struct {
    const char *cookie, *prefix, *upath, *want;
} cookie_rows[] = {
    {"s=1; Path=/; HttpOnly", "/app/", "/", "s=1; Path=/app/; HttpOnly"},
    {"s=1; path=/base/x", "/app/", "/base/", "s=1; path=/app/x"},
    {"s=1; Path=/base", "/app/", "/base/", "s=1; Path=/app"},
    {"s=1; Secure; Path = /base/ ; SameSite=Lax", "/app/", "/base/",
     "s=1; Secure; Path = /app/ ; SameSite=Lax"},
    {"s=1; Path=/other", "/app/", "/base/", NULL},
    {"s=1", "/app/", "/", NULL},
    {"path=/; Domain=x", "/app/", "/", NULL}, /* the cookie's name, not its Path attribute */
    {"s=1; Path=/", "/", "/", NULL},
};

START_TEST(test_cookie_rewrite)
{
    char out[512];
    const char *got = proxy_cookie_rewrite(cookie_rows[_i].cookie, cookie_rows[_i].prefix,
                                           cookie_rows[_i].upath, out, sizeof(out));
    if (cookie_rows[_i].want == NULL)
        ck_assert_msg(got == NULL, "%s became %s", cookie_rows[_i].cookie, got);
    else
        ck_assert_str_eq(got != NULL ? got : "(unchanged)", cookie_rows[_i].want);
}
END_TEST

static const struct {
    const char *input;
    const char *body; /* NULL: a framing error */
    bool done;
} chunked_rows[] = {
    {"5\r\nhello\r\n0\r\n\r\n", "hello", true},
    {"5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", "hello world", true},
    {"A\r\n0123456789\r\n0\r\nTrailer: x\r\n\r\n", "0123456789", true},
    {"3\nabc\n0\n\n", "abc", true},
    {"3\r\nabc\r\n", "abc", false},
    {"\r\n", NULL, false},
    {"zz\r\n", NULL, false},
    {"3\r\nabcX\r\n", NULL, false},
    {"1000000000000000\r\n", NULL, false},
};

/* The input in pieces of step bytes: the same body whatever the pieces. */
static void chunked_run(size_t row, size_t step)
{
    const char *in = chunked_rows[row].input;
    struct proxy_chunked c = {0};
    char body[256] = "", buf[256];
    size_t len = strlen(in), blen = 0;
    for (size_t off = 0; off < len && !c.done; off += step) {
        size_t n = len - off < step ? len - off : step, used;
        memcpy(buf, in + off, n);
        ssize_t out = proxy_chunked_decode(&c, buf, n, &used);
        if (out < 0) {
            ck_assert_msg(chunked_rows[row].body == NULL, "%zu: refused in steps of %zu", row,
                          step);
            return;
        }
        memcpy(body + blen, buf, (size_t)out);
        blen += (size_t)out;
    }
    ck_assert_msg(chunked_rows[row].body != NULL, "row %zu: accepted in steps of %zu", row, step);
    body[blen] = '\0';
    ck_assert_str_eq(body, chunked_rows[row].body);
    ck_assert_int_eq(c.done, chunked_rows[row].done);
}

START_TEST(test_chunked_decode)
{
    for (size_t step = 1; step <= strlen(chunked_rows[_i].input); step++)
        chunked_run((size_t)_i, step);
}
END_TEST

START_TEST(test_chunked_bounds)
{
    /* a size line of extensions longer than PROXY_CHUNK_LINE_MAX, trailers past PROXY_TRAILER_MAX
     */
    static char buf[PROXY_TRAILER_MAX + 64];
    struct proxy_chunked c = {0};
    size_t used;
    memset(buf, 'x', sizeof(buf));
    memcpy(buf, "1;", 2);
    ck_assert_int_eq(proxy_chunked_decode(&c, buf, PROXY_CHUNK_LINE_MAX + 8, &used), -1);
    memset(&c, 0, sizeof(c));
    memset(buf, 'x', sizeof(buf));
    memcpy(buf, "0\r\nT: ", 6);
    ck_assert_int_eq(proxy_chunked_decode(&c, buf, sizeof(buf), &used), -1);
    /* bytes after the end are not consumed: the connection is not clean */
    memset(&c, 0, sizeof(c));
    strcpy(buf, "0\r\n\r\nHTTP/1.1");
    ck_assert_int_eq(proxy_chunked_decode(&c, buf, strlen(buf), &used), 0);
    ck_assert(c.done);
    ck_assert_uint_eq(used, 5);
}
END_TEST

#define ROWS(a) (int)(sizeof(a) / sizeof((a)[0]))

static Suite *proxy_upstream_suite(void)
{
    Suite *s = suite_create("proxy_upstream");
    TCase *tc = tcase_create("core");
    tcase_add_loop_test(tc, test_upstream_parse, 0, ROWS(upstream_rows));
    tcase_add_loop_test(tc, test_path_mapping, 0, ROWS(map_rows));
    tcase_add_loop_test(tc, test_location_rewrite, 0, ROWS(location_rows));
    tcase_add_loop_test(tc, test_cookie_rewrite, 0, ROWS(cookie_rows));
    tcase_add_loop_test(tc, test_chunked_decode, 0, ROWS(chunked_rows));
    tcase_add_test(tc, test_chunked_bounds);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ts_run_suite(proxy_upstream_suite());
}
