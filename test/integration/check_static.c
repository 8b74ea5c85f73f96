/*
 * check_static.c — mod_static against the real binary: files and their headers, HEAD, 405,
 * conditional requests (RFC 9110 §13), ranges and multipart/byteranges (§14), directories,
 * hidden files, gzip_static, expires, the symlink policy, traversal attempts, a > 2 GiB sparse
 * file, and a file that shrinks while it is being sent.
 *
 * Each test starts its own server on an ephemeral 127.0.0.1 port (testsupport.h).
 */
#include "testsupport.h"
#include "testsupport_static.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "preforkd/module.h"
#include "testsupport_run.h"

/* ---- helpers ------------------------------------------------------------------------------ */

static const char *header_or(const struct ts_response *r, const char *name)
{
    const char *v = ts_response_header(r, name);
    return v != NULL ? v : "(none)";
}

/* One request; asserts the status (and the body when not NULL); *r for more checks. */
static void expect(int port, const char *method, const char *path, const char *headers, int status,
                   const char *body, struct ts_response *r)
{
    char what[256];
    snprintf(what, sizeof(what), "%.16s %.160s [%.64s]", method, path, headers ? headers : "");
    ts_assert_ok(ts_static_request(port, method, path, headers, r), what);
    ck_assert_msg(r->status == status, "%s: expected %d, got %s", what, status,
                  ts_response_describe(r));
    if (body != NULL)
        ck_assert_msg(r->body_len == strlen(body) && memcmp(r->body, body, r->body_len) == 0,
                      "%s: body \"%.*s\", expected \"%s\"", what, (int)r->body_len, r->body, body);
}

/* The status only, the response dropped. */
static int status_of(int port, const char *method, const char *path, const char *headers)
{
    struct ts_response r;
    int rc = ts_static_request(port, method, path, headers, &r);
    int status = rc == TS_OK ? r.status : rc;
    ts_response_free(&r);
    return status;
}

static void assert_header(const struct ts_response *r, const char *name, const char *value)
{
    const char *v = ts_response_header(r, name);
    ck_assert_msg(v != NULL && strcmp(v, value) == 0, "%s: \"%s\", expected \"%s\" (%s)", name,
                  v ? v : "(none)", value, ts_response_describe(r));
}

/* ---- files -------------------------------------------------------------------------------- */

START_TEST(test_get_and_head)
{
    struct ts_server s;
    ts_server_start(&s, NULL);
    struct ts_response r, h;
    expect(s.port, "GET", "/hello.txt", NULL, 200, TS_HELLO_TXT, &r);
    assert_header(&r, "Content-Type", "text/plain");
    assert_header(&r, "Accept-Ranges", "bytes");
    assert_header(&r, "Content-Length", "12");
    const char *etag = ts_response_header(&r, "ETag");
    ck_assert_msg(etag != NULL && etag[0] == '"' && etag[strlen(etag) - 1] == '"',
                  "ETag %s is not strong", header_or(&r, "ETag"));
    struct stat st;
    char path[TS_PATH_MAX * 2];
    ts_static_path(&s, "hello.txt", path, sizeof(path));
    ck_assert_int_eq(stat(path, &st), 0);
    time_t lm = 0;
    ck_assert_msg(pfd_http_date_parse(header_or(&r, "Last-Modified"), &lm) == 0 &&
                      lm == st.st_mtime,
                  "Last-Modified %s", header_or(&r, "Last-Modified"));
    expect(s.port, "HEAD", "/hello.txt", NULL, 200, "", &h);
    assert_header(&h, "Content-Length", "12");
    assert_header(&h, "ETag", etag);
    ts_response_free(&h);
    ts_response_free(&r);
    ts_server_stop(&s);
}
END_TEST

/* The big file byte for byte, through sendfile() and through read(). */
START_TEST(test_big_file_bytes)
{
    static const char *const configs[] = {NULL, "module \"static\" { sendfile = false }"};
    for (int i = 0; i < 2; i++) {
        struct ts_server s;
        ts_server_start(&s, configs[i]);
        struct ts_response r;
        expect(s.port, "GET", TS_BIG_PATH, NULL, 200, NULL, &r);
        ck_assert_uint_eq(r.body_len, TS_BIG_SIZE);
        ck_assert_msg(ts_static_is_big(r.body, 0, r.body_len), "%s: bytes differ",
                      configs[i] ? configs[i] : "sendfile");
        ts_response_free(&r);
        /* A range in the middle, crossing the small-file limit. */
        expect(s.port, "GET", TS_BIG_PATH, "Range: bytes=1000-40999\r\n", 206, NULL, &r);
        ck_assert_uint_eq(r.body_len, 40000);
        ck_assert(ts_static_is_big(r.body, 1000, r.body_len));
        ts_response_free(&r);
        ts_server_stop(&s);
    }
}
END_TEST

START_TEST(test_methods)
{
    struct ts_server s;
    ts_server_start(&s, NULL);
    static const char *const methods[] = {"POST", "PUT", "DELETE", "PATCH"};
    for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
        struct ts_response r;
        expect(s.port, methods[i], "/hello.txt", "Content-Length: 0\r\n", 405, NULL, &r);
        assert_header(&r, "Allow", "GET, HEAD, OPTIONS");
        ts_response_free(&r);
    }
    struct ts_response r;
    expect(s.port, "OPTIONS", "/hello.txt", NULL, 200, "", &r);
    assert_header(&r, "Allow", "GET, HEAD, OPTIONS");
    ts_response_free(&r);
    ck_assert_int_eq(status_of(s.port, "POST", "/missing.txt", "Content-Length: 0\r\n"), 404);
    ts_server_stop(&s);
}
END_TEST

START_TEST(test_charset_and_unreadable)
{
    struct ts_server s;
    ts_server_start(&s, "module \"static\" { charset = \"utf-8\" }");
    struct ts_response r;
    expect(s.port, "GET", "/hello.txt", NULL, 200, TS_HELLO_TXT, &r);
    assert_header(&r, "Content-Type", "text/plain; charset=utf-8");
    ts_response_free(&r);
    expect(s.port, "GET", TS_BIG_PATH, "Range: bytes=0-0\r\n", 206, NULL, &r);
    ck_assert_msg(strstr(header_or(&r, "Content-Type"), "charset") == NULL,
                  "binary got a charset: %s", header_or(&r, "Content-Type"));
    ts_response_free(&r);
    ck_assert_int_eq(ts_static_put_str(&s, "secret.txt", "no\n"), 0);
    char path[TS_PATH_MAX * 2];
    ts_static_path(&s, "secret.txt", path, sizeof(path));
    ck_assert_int_eq(chmod(path, 0), 0);
    /* As root the workers are nobody; as a user, the file's mode still stops open(). */
    ck_assert_int_eq(status_of(s.port, "GET", "/secret.txt", NULL), 403);
    ck_assert_int_eq(status_of(s.port, "GET", "/nothing-here.txt", NULL), 404);
    ts_server_stop(&s);
}
END_TEST

/* ---- conditional requests ----------------------------------------------------------------- */

START_TEST(test_conditional)
{
    struct ts_server s;
    ts_server_start(&s, NULL);
    struct ts_response r;
    expect(s.port, "GET", "/hello.txt", NULL, 200, NULL, &r);
    char etag[128], lm[64], hdr[512];
    snprintf(etag, sizeof(etag), "%s", header_or(&r, "ETag"));
    snprintf(lm, sizeof(lm), "%s", header_or(&r, "Last-Modified"));
    ts_response_free(&r);

    snprintf(hdr, sizeof(hdr), "If-None-Match: \"nope\", %s\r\n", etag);
    expect(s.port, "GET", "/hello.txt", hdr, 304, "", &r);
    assert_header(&r, "ETag", etag);
    ck_assert_msg(ts_response_header(&r, "Content-Length") == NULL, "304 with Content-Length");
    ts_response_free(&r);
    snprintf(hdr, sizeof(hdr), "If-None-Match: W/%s\r\n", etag); /* weak comparison */
    ck_assert_int_eq(status_of(s.port, "HEAD", "/hello.txt", hdr), 304);
    snprintf(hdr, sizeof(hdr), "If-Modified-Since: %s\r\n", lm);
    ck_assert_int_eq(status_of(s.port, "GET", "/hello.txt", hdr), 304);
    ck_assert_int_eq(status_of(s.port, "GET", "/hello.txt",
                               "If-Modified-Since: Thu, 01 Jan 1970 00:00:00 GMT\r\n"),
                     200);
    ck_assert_int_eq(status_of(s.port, "GET", "/hello.txt",
                               "If-Modified-Since: Sunday, 06-Nov-94 08:49:37 GMT\r\n"),
                     200);
    /* The core's one HTTP-date parser, as lenient as mod_autoindex's was: any case, one-digit
     * day (mod_static's own parser ignored this date, so sent the file again). */
    ck_assert_int_eq(status_of(s.port, "GET", "/hello.txt",
                               "If-Modified-Since: fri, 1 jan 2100 00:00:00 gmt\r\n"),
                     304);
    /* If-None-Match takes precedence: a mismatch means 200 whatever the date says. */
    snprintf(hdr, sizeof(hdr), "If-None-Match: \"other\"\r\nIf-Modified-Since: %s\r\n", lm);
    ck_assert_int_eq(status_of(s.port, "GET", "/hello.txt", hdr), 200);

    ck_assert_int_eq(status_of(s.port, "GET", "/hello.txt", "If-Match: \"other\"\r\n"), 412);
    snprintf(hdr, sizeof(hdr), "If-Match: W/%s\r\n", etag); /* strong comparison */
    ck_assert_int_eq(status_of(s.port, "GET", "/hello.txt", hdr), 412);
    snprintf(hdr, sizeof(hdr), "If-Match: %s\r\n", etag);
    ck_assert_int_eq(status_of(s.port, "GET", "/hello.txt", hdr), 200);
    ck_assert_int_eq(status_of(s.port, "GET", "/hello.txt", "If-Match: *\r\n"), 200);
    ck_assert_int_eq(status_of(s.port, "GET", "/hello.txt",
                               "If-Unmodified-Since: Thu, 01 Jan 1970 00:00:00 GMT\r\n"),
                     412);
    /* 412 wins over 304. */
    snprintf(hdr, sizeof(hdr), "If-Match: \"other\"\r\nIf-None-Match: %s\r\n", etag);
    ck_assert_int_eq(status_of(s.port, "GET", "/hello.txt", hdr), 412);
    ts_server_stop(&s);
}
END_TEST

/* ---- ranges -------------------------------------------------------------------------------- */

START_TEST(test_range_single)
{
    struct ts_server s;
    ts_server_start(&s, NULL);
    struct ts_response r;
    expect(s.port, "GET", "/hello.txt", "Range: bytes=0-4\r\n", 206, "hello", &r);
    assert_header(&r, "Content-Range", "bytes 0-4/12");
    char etag[128], hdr[512];
    snprintf(etag, sizeof(etag), "%s", header_or(&r, "ETag"));
    ts_response_free(&r);
    expect(s.port, "GET", "/hello.txt", "Range: bytes=-6\r\n", 206, "world\n", &r);
    assert_header(&r, "Content-Range", "bytes 6-11/12");
    ts_response_free(&r);
    expect(s.port, "GET", "/hello.txt", "Range: bytes=6-100\r\n", 206, "world\n", &r);
    ts_response_free(&r);
    expect(s.port, "GET", "/hello.txt", "Range: bytes=12-\r\n", 416, NULL, &r);
    assert_header(&r, "Content-Range", "bytes */12");
    ts_response_free(&r);
    /* Not byte ranges, or malformed: ignored. HEAD: Range is defined for GET only. */
    expect(s.port, "GET", "/hello.txt", "Range: lines=1-2\r\n", 200, TS_HELLO_TXT, &r);
    ts_response_free(&r);
    expect(s.port, "GET", "/hello.txt", "Range: bytes=5-1\r\n", 200, TS_HELLO_TXT, &r);
    ts_response_free(&r);
    ck_assert_int_eq(status_of(s.port, "HEAD", "/hello.txt", "Range: bytes=0-4\r\n"), 200);
    /* If-Range: the current validator → the range; a stale one → the whole file. */
    snprintf(hdr, sizeof(hdr), "Range: bytes=0-4\r\nIf-Range: %s\r\n", etag);
    expect(s.port, "GET", "/hello.txt", hdr, 206, "hello", &r);
    ts_response_free(&r);
    expect(s.port, "GET", "/hello.txt", "Range: bytes=0-4\r\nIf-Range: \"stale\"\r\n", 200,
           TS_HELLO_TXT, &r);
    ts_response_free(&r);
    expect(s.port, "GET", "/hello.txt",
           "Range: bytes=0-4\r\nIf-Range: Thu, 01 Jan 1970 00:00:00 GMT\r\n", 200, TS_HELLO_TXT,
           &r);
    ts_response_free(&r);
    ts_server_stop(&s);
}
END_TEST

/* The boundary from Content-Type into out; false when it is not multipart/byteranges. */
static bool multipart_boundary(const struct ts_response *r, char *out, size_t size)
{
    const char *type = ts_response_header(r, "Content-Type");
    const char *prefix = "multipart/byteranges; boundary=";
    if (type == NULL || strncmp(type, prefix, strlen(prefix)) != 0)
        return false;
    snprintf(out, size, "%s", type + strlen(prefix));
    return out[0] != '\0';
}

START_TEST(test_range_multipart)
{
    struct ts_server s;
    ts_server_start(&s, NULL);
    struct ts_response r;
    expect(s.port, "GET", "/hello.txt", "Range: bytes=0-4,6-10\r\n", 206, NULL, &r);
    char boundary[128], part[1024];
    ck_assert_msg(multipart_boundary(&r, boundary, sizeof(boundary)), "Content-Type: %s",
                  header_or(&r, "Content-Type"));
    snprintf(part, sizeof(part),
             "--%s\r\nContent-Type: text/plain\r\nContent-Range: bytes 0-4/12\r\n\r\nhello\r\n"
             "--%s\r\nContent-Type: text/plain\r\nContent-Range: bytes 6-10/12\r\n\r\nworld\r\n"
             "--%s--\r\n",
             boundary, boundary, boundary);
    ck_assert_msg(strstr(r.body, part) != NULL, "multipart body:\n%s", r.body);
    char first[128];
    snprintf(first, sizeof(first), "%s", boundary);
    ts_response_free(&r);
    /* A new boundary each time. */
    expect(s.port, "GET", "/hello.txt", "Range: bytes=0-0,2-2\r\n", 206, NULL, &r);
    ck_assert(multipart_boundary(&r, boundary, sizeof(boundary)));
    ck_assert_msg(strcmp(first, boundary) != 0, "boundary repeated: %s", boundary);
    ts_response_free(&r);
    /* Overlapping and adjacent ranges coalesce into one. */
    expect(s.port, "GET", "/hello.txt", "Range: bytes=0-2,3-4\r\n", 206, "hello", &r);
    assert_header(&r, "Content-Range", "bytes 0-4/12");
    ts_response_free(&r);
    /* Big parts from the big file, through sendfile(), framed right. */
    expect(s.port, "GET", TS_BIG_PATH, "Range: bytes=0-99999,500000-599999\r\n", 206, NULL, &r);
    ck_assert(multipart_boundary(&r, boundary, sizeof(boundary)));
    static const char h1[] = "Content-Range: bytes 0-99999/1048576\r\n\r\n";
    static const char h2[] = "Content-Range: bytes 500000-599999/1048576\r\n\r\n";
    const char *p1 = memmem(r.body, r.body_len, h1, sizeof(h1) - 1);
    const char *p2 = memmem(r.body, r.body_len, h2, sizeof(h2) - 1);
    ck_assert_msg(p1 != NULL && p2 != NULL, "parts missing");
    p1 += sizeof(h1) - 1;
    p2 += sizeof(h2) - 1;
    ck_assert(ts_static_is_big(p1, 0, 100000));
    ck_assert(ts_static_is_big(p2, 500000, 100000));
    ts_response_free(&r);
    ts_server_stop(&s);
}
END_TEST

/* Range lists that would amplify the response are ignored: the whole file, once. */
START_TEST(test_range_amplification)
{
    struct ts_server s;
    ts_server_start(&s, NULL);
    char hdr[2048] = "Range: bytes=";
    for (int i = 0; i < 101; i++)
        snprintf(hdr + strlen(hdr), sizeof(hdr) - strlen(hdr), "%s%d-%d", i ? "," : "", i, i);
    strcat(hdr, "\r\n");
    struct ts_response r;
    expect(s.port, "GET", TS_BIG_PATH, hdr, 200, NULL, &r);
    ck_assert_uint_eq(r.body_len, TS_BIG_SIZE);
    ts_response_free(&r);
    expect(s.port, "GET", "/hello.txt", "Range: bytes=0-11,0-11,0-11\r\n", 200, TS_HELLO_TXT, &r);
    ts_response_free(&r);
    ts_server_stop(&s);
}
END_TEST

/* > 2 GiB: a 64-bit Content-Length, and a range at the very end. */
START_TEST(test_sparse_big_file)
{
    struct ts_server s;
    ts_server_start(&s, NULL);
    const int64_t size = 3LL << 30;
    ck_assert_int_eq(ts_static_sparse(&s, "huge.bin", size, "THE-END"), 0);
    struct ts_response r;
    expect(s.port, "HEAD", "/huge.bin", NULL, 200, "", &r);
    assert_header(&r, "Content-Length", "3221225472");
    ts_response_free(&r);
    expect(s.port, "GET", "/huge.bin", "Range: bytes=-7\r\n", 206, "THE-END", &r);
    assert_header(&r, "Content-Range", "bytes 3221225465-3221225471/3221225472");
    ts_response_free(&r);
    expect(s.port, "GET", "/huge.bin", "Range: bytes=3221225400-3221225403\r\n", 206, NULL, &r);
    ck_assert_uint_eq(r.body_len, 4);
    ck_assert_msg(memcmp(r.body, "\0\0\0\0", 4) == 0, "a hole reads as zeros");
    ts_response_free(&r);
    ts_server_stop(&s);
}
END_TEST

/* ---- directories, hidden files, traversal -----------------------------------------------------
 */

START_TEST(test_directories)
{
    struct ts_server s;
    ts_server_start(&s, NULL);
    struct ts_response r;
    expect(s.port, "GET", "/sub?a=1&b=2", NULL, 301, NULL, &r);
    assert_header(&r, "Location", "/sub/?a=1&b=2");
    ts_response_free(&r);
    expect(s.port, "GET", "/sub/", NULL, 200, TS_SUB_INDEX_HTML, &r);
    assert_header(&r, "Content-Type", "text/html");
    ts_response_free(&r);
    expect(s.port, "HEAD", "/sub/", NULL, 200, "", &r);
    ts_response_free(&r);
    /* No index file and no listing module: the core's 403. */
    ck_assert_int_eq(ts_static_put_str(&s, "empty/file.txt", "x\n"), 0);
    ck_assert_int_eq(status_of(s.port, "GET", "/empty/", NULL), 403);
    ts_server_stop(&s);
}
END_TEST

/* The slash redirect's Location is the decoded path encoded again, the raw query kept: a folder
 * named "my dir?x%" must not come back as a query, an escape or a space. */
START_TEST(test_slash_redirect_escapes_path)
{
    struct ts_server s;
    ts_server_start(&s, NULL);
    ck_assert_int_eq(ts_static_put_str(&s, "my dir?x%/index.html", "odd\n"), 0);
    ck_assert_int_eq(ts_static_put_str(&s, "caf\xc3\xa9/index.html", "cafe\n"), 0);
    struct ts_response r;
    expect(s.port, "GET", "/my%20dir%3Fx%25?q=%41&b", NULL, 301, NULL, &r);
    assert_header(&r, "Location", "/my%20dir%3Fx%25/?q=%41&b");
    ts_response_free(&r);
    expect(s.port, "GET", "/my%20dir%3Fx%25/", NULL, 200, "odd\n", &r);
    ts_response_free(&r);
    expect(s.port, "GET", "/caf%C3%A9", NULL, 301, NULL, &r);
    assert_header(&r, "Location", "/caf%C3%A9/");
    ts_response_free(&r);
    ts_server_stop(&s);
}
END_TEST

/*
 * The core may hand mod_static the index file itself (it will route "/app/" to
 * "/app/index.html" as an internal subrequest); a rewrite does the same here. The file is served
 * under every symlink policy, and under "off" a symlinked index file still is not.
 */
START_TEST(test_file_path_already_index_file)
{
    static const char *const policies[] = {"on", "off", "if_owner_match"};
    for (size_t i = 0; i < sizeof(policies) / sizeof(policies[0]); i++) {
        char extra[512];
        snprintf(extra, sizeof(extra),
                 "follow_symlinks = \"%s\"\n"
                 "location \"/app/\" { rewrite { pattern = \"^/app/$\" "
                 "to = \"/app/index.html\" flags = {\"break\"} } }\n"
                 "location \"/lnk/\" { rewrite { pattern = \"^/lnk/$\" "
                 "to = \"/lnk/index.html\" flags = {\"break\"} } }\n",
                 policies[i]);
        struct ts_server s;
        ts_server_start(&s, extra);
        ck_assert_int_eq(ts_static_put_str(&s, "app/index.html", "app index\n"), 0);
        ck_assert_int_eq(ts_static_put_str(&s, "lnk/real.html", "real\n"), 0);
        ck_assert_int_eq(ts_static_symlink(&s, "lnk/index.html", "real.html"), 0);
        struct ts_response r;
        expect(s.port, "GET", "/app/", NULL, 200, "app index\n", &r);
        assert_header(&r, "Content-Type", "text/html");
        ts_response_free(&r);
        expect(s.port, "HEAD", "/app/", NULL, 200, "", &r);
        ts_response_free(&r);
        expect(s.port, "GET", "/app/", "If-None-Match: *\r\n", 304, "", &r);
        ts_response_free(&r);
        ck_assert_int_eq(status_of(s.port, "GET", "/lnk/", NULL), i == 1 ? 403 : 200);
        ts_server_stop(&s);
    }
}
END_TEST

START_TEST(test_hidden_files)
{
    static const char *const configs[] = {NULL, "serve_hidden = true"};
    for (int i = 0; i < 2; i++) {
        struct ts_server s;
        ts_server_start(&s, configs[i]);
        ck_assert_int_eq(ts_static_put_str(&s, ".htaccess", "Deny from all\n"), 0);
        ck_assert_int_eq(ts_static_put_str(&s, ".git/config", "[core]\n"), 0);
        ck_assert_int_eq(ts_static_put_str(&s, "sub/.env", "SECRET=1\n"), 0);
        int want = i == 0 ? 404 : 200;
        /* .ht* names are never served: 404 as other hidden names, or 403 (Apache's answer)
         * where serve_hidden shows the others */
        ck_assert_int_eq(status_of(s.port, "GET", "/.htaccess", NULL), i == 0 ? 404 : 403);
        ck_assert_int_eq(status_of(s.port, "GET", "/.git/config", NULL), want);
        ck_assert_int_eq(status_of(s.port, "GET", "/sub/.env", NULL), want);
        ck_assert_int_eq(status_of(s.port, "GET", "/%2egit/config", NULL), want);
        ck_assert_int_eq(status_of(s.port, "GET", "/sub/./.env", NULL), want);
        ts_server_stop(&s);
    }
}
END_TEST

/* Nothing outside the docroot, whatever the encoding. */
START_TEST(test_traversal)
{
    struct ts_server s;
    ts_server_start(&s, NULL);
    /* A file right beside the docroot, which a successful escape would reach. */
    char outside[TS_PATH_MAX * 2];
    snprintf(outside, sizeof(outside), "%s/outside.txt", s.dir);
    ck_assert_int_eq(ts_file_write(outside, "ESCAPED\n", 8), 0);
    static const char *const paths[] = {
        "/../outside.txt",           "/../../../../etc/passwd",    "/%2e%2e/outside.txt",
        "/%2E%2E/%2e%2e/etc/passwd", "/sub/..%2f..%2foutside.txt", "/sub/%2e%2e/%2e%2e/outside.txt",
        "/%252e%252e/outside.txt",   "/..%5coutside.txt",          "/sub/../../outside.txt",
        "/.%2e/outside.txt",
    };
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        struct ts_response r;
        int rc = ts_static_request(s.port, "GET", paths[i], NULL, &r);
        ck_assert_msg(rc != TS_OK || r.status != 200 ||
                          (strstr(r.body, "ESCAPED") == NULL && strstr(r.body, "root:") == NULL),
                      "%s escaped the docroot: %s", paths[i], ts_response_describe(&r));
        ts_response_free(&r);
    }
    ck_assert_int_eq(status_of(s.port, "GET", "/hello.txt", NULL), 200);
    ts_server_stop(&s);
}
END_TEST

/* ---- gzip_static, expires ---------------------------------------------------------------------
 */

START_TEST(test_gzip_static)
{
    struct ts_server s;
    ts_server_start(&s, "module \"static\" { gzip_static = true }");
    ck_assert_int_eq(ts_static_put_str(&s, "app.js", "plain js\n"), 0);
    ck_assert_int_eq(ts_static_put_str(&s, "app.js.gz", "GZIP-BYTES"), 0);
    ck_assert_int_eq(ts_static_put_str(&s, "app.js.br", "BROTLI"), 0);
    ck_assert_int_eq(ts_static_put_str(&s, "only.txt", "only plain\n"), 0);
    ck_assert_int_eq(ts_static_put_str(&s, "only.txt.gz", "GZ-ONLY"), 0);
    struct ts_response r;
    expect(s.port, "GET", "/app.js", "Accept-Encoding: gzip\r\n", 200, "GZIP-BYTES", &r);
    assert_header(&r, "Content-Encoding", "gzip");
    assert_header(&r, "Vary", "Accept-Encoding");
    ck_assert_msg(strncmp(header_or(&r, "Content-Type"), "application/javascript", 22) == 0 ||
                      strncmp(header_or(&r, "Content-Type"), "text/javascript", 15) == 0,
                  "type of the original: %s", header_or(&r, "Content-Type"));
    char gz_etag[128];
    snprintf(gz_etag, sizeof(gz_etag), "%s", header_or(&r, "ETag"));
    ts_response_free(&r);
    expect(s.port, "GET", "/app.js", "Accept-Encoding: gzip, deflate, br\r\n", 200, "BROTLI", &r);
    assert_header(&r, "Content-Encoding", "br");
    ts_response_free(&r);
    expect(s.port, "GET", "/app.js", "Accept-Encoding: br;q=0.5, gzip\r\n", 200, "GZIP-BYTES", &r);
    ts_response_free(&r);
    expect(s.port, "GET", "/app.js", NULL, 200, "plain js\n", &r);
    ck_assert_msg(ts_response_header(&r, "Content-Encoding") == NULL, "identity was encoded");
    assert_header(&r, "Vary", "Accept-Encoding");
    ck_assert_msg(strcmp(gz_etag, header_or(&r, "ETag")) != 0, "variants share an ETag");
    ts_response_free(&r);
    expect(s.port, "GET", "/app.js", "Accept-Encoding: gzip;q=0, br;q=0\r\n", 200, "plain js\n",
           &r);
    ts_response_free(&r);
    expect(s.port, "GET", "/only.txt", "Accept-Encoding: br, gzip\r\n", 200, "GZ-ONLY", &r);
    ts_response_free(&r);
    /* Validators and ranges are the variant's. */
    char hdr[256];
    snprintf(hdr, sizeof(hdr), "Accept-Encoding: gzip\r\nIf-None-Match: %s\r\n", gz_etag);
    ck_assert_int_eq(status_of(s.port, "GET", "/app.js", hdr), 304);
    expect(s.port, "GET", "/app.js", "Accept-Encoding: gzip\r\nRange: bytes=0-3\r\n", 206, "GZIP",
           &r);
    ts_response_free(&r);
    ts_server_stop(&s);

    ts_server_start(&s, NULL); /* off by default */
    ck_assert_int_eq(ts_static_put_str(&s, "app.js", "plain js\n"), 0);
    ck_assert_int_eq(ts_static_put_str(&s, "app.js.gz", "GZIP-BYTES"), 0);
    expect(s.port, "GET", "/app.js", "Accept-Encoding: gzip\r\n", 200, "plain js\n", &r);
    ck_assert(ts_response_header(&r, "Vary") == NULL);
    ts_response_free(&r);
    ts_server_stop(&s);
}
END_TEST

START_TEST(test_expires)
{
    static const struct {
        const char *value;
        const char *cache_control;
        long delta; /* Expires - Date, or -1: a fixed date */
        const char *fixed;
    } cases[] = {
        {"1h", "max-age=3600", 3600, NULL},
        {"30m", "max-age=1800", 1800, NULL},
        {"epoch", "no-cache", -1, "Thu, 01 Jan 1970 00:00:01 GMT"},
        {"max", "max-age=315360000", -1, "Thu, 31 Dec 2037 23:55:55 GMT"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char conf[128];
        snprintf(conf, sizeof(conf), "module \"static\" { expires = \"%s\" }", cases[i].value);
        struct ts_server s;
        ts_server_start(&s, conf);
        struct ts_response r;
        expect(s.port, "GET", "/hello.txt", NULL, 200, NULL, &r);
        assert_header(&r, "Cache-Control", cases[i].cache_control);
        if (cases[i].fixed != NULL) {
            assert_header(&r, "Expires", cases[i].fixed);
        } else {
            time_t date = 0, exp = 0;
            ck_assert(pfd_http_date_parse(header_or(&r, "Date"), &date) == 0);
            ck_assert(pfd_http_date_parse(header_or(&r, "Expires"), &exp) == 0);
            ck_assert_msg(labs((long)(exp - date) - cases[i].delta) <= 2, "Expires %s, Date %s",
                          header_or(&r, "Expires"), header_or(&r, "Date"));
        }
        ts_response_free(&r);
        /* A 304 carries them too (RFC 9110 §15.4.5). */
        char hdr[256];
        expect(s.port, "GET", "/hello.txt", NULL, 200, NULL, &r);
        snprintf(hdr, sizeof(hdr), "If-None-Match: %s\r\n", header_or(&r, "ETag"));
        ts_response_free(&r);
        expect(s.port, "GET", "/hello.txt", hdr, 304, NULL, &r);
        assert_header(&r, "Cache-Control", cases[i].cache_control);
        ts_response_free(&r);
        ts_server_stop(&s);
    }
    struct ts_server s;
    ts_server_start(&s, NULL);
    struct ts_response r;
    expect(s.port, "GET", "/hello.txt", NULL, 200, NULL, &r);
    ck_assert_msg(ts_response_header(&r, "Cache-Control") == NULL, "Cache-Control by default");
    ts_response_free(&r);
    ts_server_stop(&s);
}
END_TEST

/* A bad option value stops start-up with a message naming it. */
START_TEST(test_bad_options)
{
    static const char *const configs[] = {
        "module \"static\" { expires = \"soon\" }",
        "module \"static\" { charset = \"utf-8\\r\\nX: y\" }",
        "module \"static\" { max_ranges = 0 }",
    };
    for (size_t i = 0; i < sizeof(configs) / sizeof(configs[0]); i++) {
        struct ts_server s;
        ck_assert_int_eq(ts_server_init(&s), 0);
        ck_assert_int_eq(ts_server_configure(&s, configs[i]), 0);
        const char *args[] = {"-f", s.conf, NULL};
        ck_assert_int_eq(ts_server_spawn(&s, args), 0);
        bool exited = ts_server_wait_exit(&s, TS_START_TIMEOUT_S);
        ck_assert_msg(exited && s.wait_status != 0, "%s was accepted", configs[i]);
        bool named = ts_file_contains(s.err, "module \"static\"") ||
                     ts_file_contains(s.error_log, "module \"static\"");
        if (!named)
            ts_server_dump(&s);
        ck_assert_msg(named, "%s: the error does not name the module", configs[i]);
        ts_server_stop(&s);
    }
}
END_TEST

static Suite *static_suite(void)
{
    Suite *suite = suite_create("static");
    TCase *files = tcase_create("files");
    tcase_set_timeout(files, 60);
    tcase_add_test(files, test_get_and_head);
    tcase_add_test(files, test_big_file_bytes);
    tcase_add_test(files, test_methods);
    tcase_add_test(files, test_charset_and_unreadable);
    tcase_add_test(files, test_sparse_big_file);
    suite_add_tcase(suite, files);
    TCase *http = tcase_create("http");
    tcase_set_timeout(http, 60);
    tcase_add_test(http, test_conditional);
    tcase_add_test(http, test_range_single);
    tcase_add_test(http, test_range_multipart);
    tcase_add_test(http, test_range_amplification);
    suite_add_tcase(suite, http);
    TCase *paths = tcase_create("paths");
    tcase_set_timeout(paths, 60);
    tcase_add_test(paths, test_directories);
    tcase_add_test(paths, test_slash_redirect_escapes_path);
    tcase_add_test(paths, test_file_path_already_index_file);
    tcase_add_test(paths, test_hidden_files);
    tcase_add_test(paths, test_traversal);
    suite_add_tcase(suite, paths);
    TCase *opts = tcase_create("options");
    tcase_set_timeout(opts, 60);
    tcase_add_test(opts, test_gzip_static);
    tcase_add_test(opts, test_expires);
    tcase_add_test(opts, test_bad_options);
    suite_add_tcase(suite, opts);
    return suite;
}

int main(void)
{
    return ts_run_session(static_suite());
}
