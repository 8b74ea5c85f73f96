/*
 * check_uri.c — unit tests for server/uri.c: normalising request-targets, splitting
 * absolute-form, mapping to file names and escaping paths.
 */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse/uri.h"
#include "testsupport_run.h"

/* ---- pfd_uri_normalize ------------------------------------------------------------------- */

struct normalize_case {
    const char *desc;
    const char *target;
    int rc;
    const char *path;  /* expected path when rc == 0 */
    const char *query; /* expected query when rc == 0; NULL: no '?' */
};

static const struct normalize_case normalize_cases[] = {
    {"root", "/", 0, "/", NULL},
    {"plain file", "/index.html", 0, "/index.html", NULL},
    {"query split off", "/a/b?x=1&y=%20", 0, "/a/b", "x=1&y=%20"},
    {"query not decoded, may hold '/' and '?'", "/s?a=%2F/b?c", 0, "/s", "a=%2F/b?c"},
    {"empty query", "/?", 0, "/", ""},
    {"decoded space", "/a%20b", 0, "/a b", NULL},
    {"decoded letters, both cases", "/%41%62%4a%6b", 0, "/AbJk", NULL},
    {"decoded UTF-8", "/%e2%82%AC", 0, "/\xe2\x82\xac", NULL},
    {"plus is not a space", "/a+b", 0, "/a+b", NULL},
    {"decoded percent", "/100%25", 0, "/100%", NULL},
    {"double encoding decoded once", "/%252e", 0, "/%2e", NULL},
    {"double-encoded dots are a name", "/%252e%252e/x", 0, "/%2e%2e/x", NULL},
    {"double-encoded slash is a name", "/a%252Fb", 0, "/a%2Fb", NULL},
    {"sub-delims kept", "/a;b=c,d!$&'()*@:", 0, "/a;b=c,d!$&'()*@:", NULL},
    /* Encoded '/' and bad escapes. */
    {"encoded slash", "/a%2Fb", 404, NULL, NULL},
    {"encoded slash, lowercase", "/a%2fb", 404, NULL, NULL},
    {"encoded slash alone", "/%2F", 404, NULL, NULL},
    {"decoded NUL", "/a%00.html", 400, NULL, NULL},
    {"decoded control char", "/a%01", 400, NULL, NULL},
    {"decoded newline", "/a%0d%0aSet-Cookie:x", 400, NULL, NULL},
    {"decoded DEL", "/a%7f", 400, NULL, NULL},
    {"invalid escape", "/%zz", 400, NULL, NULL},
    {"half-invalid escape", "/%4g", 400, NULL, NULL},
    {"truncated escape", "/%4", 400, NULL, NULL},
    {"trailing percent", "/a%", 400, NULL, NULL},
    {"truncated escape before query", "/a%4?x", 400, NULL, NULL},
    {"raw space", "/a b", 400, NULL, NULL},
    {"raw control char", "/a\x01", 400, NULL, NULL},
    {"not starting with '/'", "a/b", 400, NULL, NULL},
    {"empty target", "", 400, NULL, NULL},
    {"asterisk", "*", 400, NULL, NULL},
    {"absolute-form is not origin-form", "http://h/", 400, NULL, NULL},
    {"fragment", "/a#b", 400, NULL, NULL},
    {"fragment in query", "/a?b#c", 400, NULL, NULL},
    /* Slashes. */
    {"merged slashes", "//a///b", 0, "/a/b", NULL},
    {"only slashes", "///", 0, "/", NULL},
    {"trailing slash kept", "/a/b/", 0, "/a/b/", NULL},
    {"trailing slashes merged", "/a/b//", 0, "/a/b/", NULL},
    /* Dot segments, including encoded ones. */
    {"trailing dot", "/a/.", 0, "/a/", NULL},
    {"trailing dot-dot", "/a/..", 0, "/", NULL},
    {"dot in the middle", "/a/./b", 0, "/a/b", NULL},
    {"dot-dot in the middle", "/a/b/../c", 0, "/a/c", NULL},
    {"dot at root", "/.", 0, "/", NULL},
    {"dot-dot at root", "/..", 400, NULL, NULL},
    {"dot-dot above root", "/a/../..", 400, NULL, NULL},
    {"dot-dot above root, then down", "/a/../../etc/passwd", 400, NULL, NULL},
    {"encoded dot-dot", "/%2e%2e/etc/passwd", 400, NULL, NULL},
    {"encoded dot-dot, uppercase", "/%2E%2E", 400, NULL, NULL},
    {"half-encoded dot-dot", "/a/.%2e/.%2E/x", 400, NULL, NULL},
    {"encoded dot-dot inside", "/a/%2e%2e/b", 0, "/b", NULL},
    {"encoded dot", "/a/%2e/b", 0, "/a/b", NULL},
    {"dot-dot before query", "/a/..?q", 0, "/", "q"},
    {"three dots are a name", "/...", 0, "/...", NULL},
    {"dot-dot prefix is a name", "/..a/b..", 0, "/..a/b..", NULL},
    {"dot file", "/.htaccess", 0, "/.htaccess", NULL},
    /* RFC 3986 §5.4 examples, base "http://a/b/c/d;p?q", written as absolute paths. The RFC
     * clamps ".." at the root ("../../../g" → "/g"); we refuse those with 400 instead. */
    {"5.4.1 g", "/b/c/g", 0, "/b/c/g", NULL},
    {"5.4.1 ./g", "/b/c/./g", 0, "/b/c/g", NULL},
    {"5.4.1 g/", "/b/c/g/", 0, "/b/c/g/", NULL},
    {"5.4.1 ;x", "/b/c/;x", 0, "/b/c/;x", NULL},
    {"5.4.1 g;x", "/b/c/g;x", 0, "/b/c/g;x", NULL},
    {"5.4.1 g?y", "/b/c/g?y", 0, "/b/c/g", "y"},
    {"5.4.1 .", "/b/c/.", 0, "/b/c/", NULL},
    {"5.4.1 ./", "/b/c/./", 0, "/b/c/", NULL},
    {"5.4.1 ..", "/b/c/..", 0, "/b/", NULL},
    {"5.4.1 ../", "/b/c/../", 0, "/b/", NULL},
    {"5.4.1 ../g", "/b/c/../g", 0, "/b/g", NULL},
    {"5.4.1 ../..", "/b/c/../..", 0, "/", NULL},
    {"5.4.1 ../../", "/b/c/../../", 0, "/", NULL},
    {"5.4.1 ../../g", "/b/c/../../g", 0, "/g", NULL},
    {"5.4.2 ../../../g (RFC: /g)", "/b/c/../../../g", 400, NULL, NULL},
    {"5.4.2 ../../../../g (RFC: /g)", "/b/c/../../../../g", 400, NULL, NULL},
    {"5.4.2 /./g", "/./g", 0, "/g", NULL},
    {"5.4.2 /../g (RFC: /g)", "/../g", 400, NULL, NULL},
    {"5.4.2 g.", "/b/c/g.", 0, "/b/c/g.", NULL},
    {"5.4.2 .g", "/b/c/.g", 0, "/b/c/.g", NULL},
    {"5.4.2 g..", "/b/c/g..", 0, "/b/c/g..", NULL},
    {"5.4.2 ..g", "/b/c/..g", 0, "/b/c/..g", NULL},
    {"5.4.2 ./../g", "/b/c/./../g", 0, "/b/g", NULL},
    {"5.4.2 ./g/.", "/b/c/./g/.", 0, "/b/c/g/", NULL},
    {"5.4.2 g/./h", "/b/c/g/./h", 0, "/b/c/g/h", NULL},
    {"5.4.2 g/../h", "/b/c/g/../h", 0, "/b/c/h", NULL},
    {"5.4.2 g;x=1/./y", "/b/c/g;x=1/./y", 0, "/b/c/g;x=1/y", NULL},
    {"5.4.2 g;x=1/../y", "/b/c/g;x=1/../y", 0, "/b/c/y", NULL},
    {"5.4.2 g?y/./x", "/b/c/g?y/./x", 0, "/b/c/g", "y/./x"},
    {"5.4.2 g?y/../x", "/b/c/g?y/../x", 0, "/b/c/g", "y/../x"},
};

START_TEST(test_normalize_table)
{
    for (size_t i = 0; i < sizeof(normalize_cases) / sizeof(normalize_cases[0]); i++) {
        const struct normalize_case *tc = &normalize_cases[i];
        char out[256];
        const char *query = (const char *)1; /* must be overwritten */
        size_t query_len = 12345;
        int rc =
            pfd_uri_normalize(tc->target, strlen(tc->target), out, sizeof(out), &query, &query_len);
        ck_assert_msg(rc == tc->rc, "%s: got %d, want %d", tc->desc, rc, tc->rc);
        if (rc != 0)
            continue;
        ck_assert_msg(strcmp(out, tc->path) == 0, "%s: path \"%s\", want \"%s\"", tc->desc, out,
                      tc->path);
        if (tc->query == NULL) {
            ck_assert_msg(query == NULL && query_len == 0, "%s: unexpected query", tc->desc);
            continue;
        }
        ck_assert_msg(query != NULL && query_len == strlen(tc->query) &&
                          memcmp(query, tc->query, query_len) == 0,
                      "%s: query \"%.*s\", want \"%s\"", tc->desc, query ? (int)query_len : 0,
                      query ? query : "", tc->query);
    }
}
END_TEST

/* The target is a (pointer, length) pair: bytes after target_len must not be read. */
START_TEST(test_normalize_not_nul_terminated)
{
    const char *buf = "/a/b/../c HTTP/1.1";
    char out[64];
    const char *query;
    size_t query_len;
    ck_assert_int_eq(pfd_uri_normalize(buf, 9, out, sizeof(out), &query, &query_len), 0);
    ck_assert_str_eq(out, "/a/c");
    ck_assert_ptr_null(query);
}
END_TEST

struct size_case {
    const char *desc;
    const char *target;
    size_t out_size;
    int rc;
};

static const struct size_case size_cases[] = {
    {"exact fit", "/abc", 5, 0},
    {"one byte short", "/abc", 4, 414},
    {"decoded length counts", "/%61%62%63", 5, 0},
    {"root in two bytes", "/", 2, 0},
    {"root in one byte", "/", 1, 414},
    {"zero-sized output", "/", 0, 414},
    {"trailing slash fits", "/ab/", 5, 0},
    {"trailing slash needs room", "/ab/", 4, 414},
    {"merged slashes take no room", "//a//b", 5, 0},
    {"long path",
     "/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 64, 414},
};

START_TEST(test_normalize_sizes)
{
    for (size_t i = 0; i < sizeof(size_cases) / sizeof(size_cases[0]); i++) {
        const struct size_case *tc = &size_cases[i];
        char out[256];
        const char *query;
        size_t query_len;
        memset(out, 'X', sizeof(out));
        int rc = pfd_uri_normalize(tc->target, strlen(tc->target), out, tc->out_size, &query,
                                   &query_len);
        ck_assert_msg(rc == tc->rc, "%s: got %d, want %d", tc->desc, rc, tc->rc);
        /* Nothing is written past out_size. */
        for (size_t b = tc->out_size; b < sizeof(out); b++)
            ck_assert_msg(out[b] == 'X', "%s: wrote byte %zu", tc->desc, b);
    }
}
END_TEST

/* ---- pfd_uri_split_absolute -------------------------------------------------------------- */

struct absolute_case {
    const char *desc;
    const char *target;
    int rc;
    const char *authority;
    const char *origin;
};

static const struct absolute_case absolute_cases[] = {
    {"host, port, path and query", "http://Example.COM:8080/p?q", 0, "Example.COM:8080", "/p?q"},
    {"https, scheme in any case", "HTTPS://h/a/b", 0, "h", "/a/b"},
    {"empty path", "http://h", 0, "h", "/"},
    {"root path", "http://h/", 0, "h", "/"},
    {"IPv6 literal", "http://[::1]:80/x", 0, "[::1]:80", "/x"},
    {"empty path with query (documented 400)", "http://h?x", 400, NULL, NULL},
    {"other scheme", "ftp://h/", 400, NULL, NULL},
    {"scheme prefix only", "httpx://h/", 400, NULL, NULL},
    {"one slash", "http:/h/", 400, NULL, NULL},
    {"no authority", "http://", 400, NULL, NULL},
    {"empty authority", "http:///p", 400, NULL, NULL},
    {"userinfo", "http://user@h/", 400, NULL, NULL},
    {"userinfo with password", "http://u:p@h/", 400, NULL, NULL},
    {"fragment", "http://h/p#f", 400, NULL, NULL},
    {"origin-form", "/p", 400, NULL, NULL},
    {"empty", "", 400, NULL, NULL},
};

START_TEST(test_split_absolute_table)
{
    for (size_t i = 0; i < sizeof(absolute_cases) / sizeof(absolute_cases[0]); i++) {
        const struct absolute_case *tc = &absolute_cases[i];
        const char *auth = NULL, *origin = NULL;
        size_t auth_len = 0, origin_len = 0;
        int rc = pfd_uri_split_absolute(tc->target, strlen(tc->target), &auth, &auth_len, &origin,
                                        &origin_len);
        ck_assert_msg(rc == tc->rc, "%s: got %d, want %d", tc->desc, rc, tc->rc);
        if (rc != 0)
            continue;
        ck_assert_msg(auth_len == strlen(tc->authority) &&
                          memcmp(auth, tc->authority, auth_len) == 0,
                      "%s: authority \"%.*s\"", tc->desc, (int)auth_len, auth);
        ck_assert_msg(origin_len == strlen(tc->origin) &&
                          memcmp(origin, tc->origin, origin_len) == 0,
                      "%s: origin \"%.*s\"", tc->desc, (int)origin_len, origin);
    }
}
END_TEST

/* ---- pfd_uri_host_normalize -------------------------------------------------------------- */

struct host_case {
    const char *desc;
    const char *in;
    int rc;
    const char *out; /* when rc is 0 */
};

static const struct host_case host_cases[] = {
    {"name", "example.com", 0, "example.com"},
    {"name lower-cased, port dropped", "Example.COM:8080", 0, "example.com"},
    {"trailing dot dropped", "example.com.", 0, "example.com"},
    {"empty port", "h:", 0, "h"},
    {"IPv4", "127.0.0.1:80", 0, "127.0.0.1"},
    {"IPv6 loopback", "[::1]", 0, "[::1]"},
    {"IPv6 with port, upper-case hex", "[2001:DB8::A]:443", 0, "[2001:db8::a]"},
    {"IPv6 full form", "[2001:db8:0:0:0:0:0:1]", 0, "[2001:db8:0:0:0:0:0:1]"},
    {"IPv4-mapped IPv6", "[::ffff:127.0.0.1]", 0, "[::ffff:127.0.0.1]"},
    {"IPv6 with two ::", "[4712::abcd::]", 400, NULL},
    {"IPv6 not hex", "[zz]", 400, NULL},
    {"IPv6 empty", "[]", 400, NULL},
    {"IPv6 group too long", "[12345::1]", 400, NULL},
    {"IPv6 too many groups", "[1:2:3:4:5:6:7:8:9]", 400, NULL},
    {"IPv6 with zone id", "[fe80::1%25eth0]", 400, NULL},
    {"IPvFuture", "[v1.fe80::a+en1]", 400, NULL},
    {"IPv6 unclosed", "[::1", 400, NULL},
    {"junk after IPv6", "[::1]x", 400, NULL},
    {"bracket in a name", "a]b", 400, NULL},
    {"port not digits", "h:8x", 400, NULL},
    {"two colons", "h:1:2", 400, NULL},
    {"sub-delim in a name", "a!b", 400, NULL},
    {"percent in a name", "a%41", 400, NULL},
};

START_TEST(test_host_normalize_table)
{
    for (size_t i = 0; i < sizeof(host_cases) / sizeof(host_cases[0]); i++) {
        const struct host_case *tc = &host_cases[i];
        char buf[64];
        size_t len = strlen(tc->in);
        memcpy(buf, tc->in, len + 1);
        int rc = pfd_uri_host_normalize(buf, len);
        ck_assert_msg(rc == tc->rc, "%s: \"%s\" got %d, want %d", tc->desc, tc->in, rc, tc->rc);
        if (rc == 0)
            ck_assert_msg(strcmp(buf, tc->out) == 0, "%s: \"%s\" became \"%s\", want \"%s\"",
                          tc->desc, tc->in, buf, tc->out);
    }
}
END_TEST

/* ---- pfd_uri_map ------------------------------------------------------------------------- */

struct map_case {
    const char *desc;
    const char *root;
    const char *path;
    size_t out_size;
    int rc;
    const char *out;
};

static const struct map_case map_cases[] = {
    {"root and path", "/srv/www", "/a/b.html", 64, 0, "/srv/www/a/b.html"},
    {"root with trailing slash", "/srv/www/", "/a", 64, 0, "/srv/www/a"},
    {"path is the root", "/srv/www", "/", 64, 0, "/srv/www/"},
    {"exact fit", "/r", "/ab", 6, 0, "/r/ab"},
    {"one byte short", "/r", "/ab", 5, 414, NULL},
    {"relative root", "htdocs", "/x", 64, 0, "htdocs/x"},
    {"not normalised: relative path", "/srv", "a", 64, 400, NULL},
    {"not normalised: dot-dot", "/srv", "/a/../../etc", 64, 400, NULL},
    {"not normalised: trailing dot-dot", "/srv", "/..", 64, 400, NULL},
};

START_TEST(test_map_table)
{
    for (size_t i = 0; i < sizeof(map_cases) / sizeof(map_cases[0]); i++) {
        const struct map_case *tc = &map_cases[i];
        char out[64];
        int rc = pfd_uri_map(tc->root, tc->path, out, tc->out_size);
        ck_assert_msg(rc == tc->rc, "%s: got %d, want %d", tc->desc, rc, tc->rc);
        if (rc == 0)
            ck_assert_msg(strcmp(out, tc->out) == 0, "%s: \"%s\"", tc->desc, out);
    }
}
END_TEST

/* ---- pfd_uri_escape_path ----------------------------------------------------------------- */

struct escape_case {
    const char *desc;
    const char *path;
    size_t out_size;
    int rc;
    const char *out;
};

static const struct escape_case escape_cases[] = {
    {"nothing to escape", "/a/b.html", 64, 0, "/a/b.html"},
    {"allowed specials kept", "/-._~!$&'()*+,;=:@", 64, 0, "/-._~!$&'()*+,;=:@"},
    {"space", "/a b", 64, 0, "/a%20b"},
    {"query and fragment characters", "/a?b#c", 64, 0, "/a%3Fb%23c"},
    {"percent", "/100%", 64, 0, "/100%25"},
    {"UTF-8", "/\xc3\xa9", 64, 0, "/%C3%A9"},
    {"controls and quotes", "/\x01\"<>\\^`{|}", 64, 0, "/%01%22%3C%3E%5C%5E%60%7B%7C%7D"},
    {"empty", "", 1, 0, ""},
    {"exact fit", "/a b", 7, 0, "/a%20b"},
    {"one byte short", "/a b", 6, -1, NULL},
    {"no room for the NUL", "", 0, -1, NULL},
};

START_TEST(test_escape_table)
{
    for (size_t i = 0; i < sizeof(escape_cases) / sizeof(escape_cases[0]); i++) {
        const struct escape_case *tc = &escape_cases[i];
        char out[64];
        int rc = pfd_uri_escape_path(tc->path, out, tc->out_size);
        ck_assert_msg(rc == tc->rc, "%s: got %d, want %d", tc->desc, rc, tc->rc);
        if (rc == 0)
            ck_assert_msg(strcmp(out, tc->out) == 0, "%s: \"%s\", want \"%s\"", tc->desc, out,
                          tc->out);
    }
}
END_TEST

/* Escaping a normalised path and normalising the result gives the path back. */
START_TEST(test_escape_round_trip)
{
    static const char *const paths[] = {
        "/",
        "/a/b/",
        "/a b/c%d",
        "/?#[]",
        "/100% sure",
        "/\xc3\xa9t\xc3\xa9/",
        "/a+b;c=d",
        "/%2e%2e",
        "/..a/.b/c..",
        "/x:y@z",
        "/tab\tnot-allowed-raw-but-escaped",
    };
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        char escaped[256], back[256];
        const char *query;
        size_t query_len;
        ck_assert_int_eq(pfd_uri_escape_path(paths[i], escaped, sizeof(escaped)), 0);
        int rc =
            pfd_uri_normalize(escaped, strlen(escaped), back, sizeof(back), &query, &query_len);
        /* A decoded control character is refused, as the escaped tab shows. */
        int want = strchr(paths[i], '\t') ? 400 : 0;
        ck_assert_msg(rc == want, "\"%s\" → \"%s\": got %d", paths[i], escaped, rc);
        if (rc == 0)
            ck_assert_msg(strcmp(back, paths[i]) == 0 && query == NULL, "\"%s\" → \"%s\" → \"%s\"",
                          paths[i], escaped, back);
    }
}
END_TEST

static const struct hidden_case {
    const char *path;
    bool hidden;
} hidden_cases[] = {
    {"/", false},
    {"/index.html", false},
    {"/a.b/c..d/e.", false},
    {"/.htaccess", true},
    {"/.git/config", true},
    {"/a/.well-known/x", true},
    {"/dir/.hidden/", true},
    {".secret", true}, /* a capture, not a path: hidden from its first byte */
    {"a/.b", true},
    {"a/b", false},
};

START_TEST(test_path_is_hidden_table)
{
    for (size_t i = 0; i < sizeof(hidden_cases) / sizeof(hidden_cases[0]); i++)
        ck_assert_msg(pfd_uri_path_is_hidden(hidden_cases[i].path) == hidden_cases[i].hidden,
                      "\"%s\": expected %s", hidden_cases[i].path,
                      hidden_cases[i].hidden ? "hidden" : "visible");
}
END_TEST

static Suite *uri_suite(void)
{
    Suite *s = suite_create("uri");
    TCase *tc = tcase_create("uri");
    tcase_add_test(tc, test_normalize_table);
    tcase_add_test(tc, test_normalize_not_nul_terminated);
    tcase_add_test(tc, test_normalize_sizes);
    tcase_add_test(tc, test_split_absolute_table);
    tcase_add_test(tc, test_host_normalize_table);
    tcase_add_test(tc, test_map_table);
    tcase_add_test(tc, test_escape_table);
    tcase_add_test(tc, test_escape_round_trip);
    tcase_add_test(tc, test_path_is_hidden_table);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ts_run_suite(uri_suite());
}
