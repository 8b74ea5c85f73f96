/*
 * check_http_parse.c — unit tests for server/http_parse.c: the request head parser and the
 * chunked body decoder. Every table row is run whole, byte by byte and (for chunked bodies)
 * in place, since callers feed bytes as they arrive.
 */
#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse/http_parse.h"
#include "preforkd/module.h"
#include "testsupport_run.h"

/* Rows hold byte strings that may contain NUL, so their length is taken from the literal. */
#define INPUT(s) .input = (s), .len = sizeof(s) - 1

#define TEST_HEADERS_CAP 16

static const struct pfd_http_limits test_limits = {
    .request_line = 64,
    .header_fields = 8,
    .header_field_size = 64,
};

/* ---- request heads ----------------------------------------------------------------------- */

struct head_case {
    const char *desc;
    const char *input;
    size_t len;
    int rc;          /* expected result */
    size_t head_len; /* expected head length when OK; 0: the whole input */
    /* The expected head when rc == PFD_HTTP_OK. */
    const char *method;
    int method_id;
    const char *target;
    int version;
    const char *host; /* NULL: no Host */
    bool has_cl;      /* false: content_length must be -1 */
    int64_t cl;
    bool chunked, close, keep_alive, expect;
    size_t nheaders;
};

static const struct head_case head_cases[] = {
    /* Valid requests. */
    {"GET with Host", INPUT("GET / HTTP/1.1\r\nHost: example.com\r\n\r\n"), PFD_HTTP_OK, 0, "GET",
     PFD_METHOD_GET, "/", 11, "example.com", .nheaders = 1},
    {"HEAD with headers",
     INPUT("HEAD /a?b=c HTTP/1.1\r\nHost: h\r\nAccept: */*\r\nX-A:  1 \r\n\r\n"), PFD_HTTP_OK, 0,
     "HEAD", PFD_METHOD_HEAD, "/a?b=c", 11, "h", .nheaders = 3},
    {"POST with Content-Length",
     INPUT("POST /f HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\nhello world"), PFD_HTTP_OK, 49,
     "POST", PFD_METHOD_POST, "/f", 11, "h", true, 11, .nheaders = 2},
    {"absolute-form target", INPUT("GET http://h:8/p?q HTTP/1.1\r\nHost: h:8\r\n\r\n"), PFD_HTTP_OK,
     0, "GET", PFD_METHOD_GET, "http://h:8/p?q", 11, "h:8", .nheaders = 1},
    {"OPTIONS asterisk", INPUT("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n"), PFD_HTTP_OK, 0, "OPTIONS",
     PFD_METHOD_OPTIONS, "*", 11, "h", .nheaders = 1},
    {"HTTP/1.0 without Host", INPUT("GET / HTTP/1.0\r\n\r\n"), PFD_HTTP_OK, 0, "GET",
     PFD_METHOD_GET, "/", 10, NULL},
    {"bare LF line ends", INPUT("GET / HTTP/1.1\nHost: h\n\n"), PFD_HTTP_OK, 0, "GET",
     PFD_METHOD_GET, "/", 11, "h", .nheaders = 1},
    {"mixed line ends", INPUT("GET / HTTP/1.1\r\nHost: h\n\r\n"), PFD_HTTP_OK, 0, "GET",
     PFD_METHOD_GET, "/", 11, "h", .nheaders = 1},
    {"leading empty lines skipped", INPUT("\r\n\n\r\nGET / HTTP/1.0\r\n\r\n"), PFD_HTTP_OK, 0,
     "GET", PFD_METHOD_GET, "/", 10, NULL},
    {"unknown method token", INPUT("BREW /pot HTTP/1.1\r\nHost: h\r\n\r\n"), PFD_HTTP_OK, 0, "BREW",
     PFD_METHOD_OTHER, "/pot", 11, "h", .nheaders = 1},
    {"methods are case-sensitive", INPUT("get / HTTP/1.1\r\nHost: h\r\n\r\n"), PFD_HTTP_OK, 0,
     "get", PFD_METHOD_OTHER, "/", 11, "h", .nheaders = 1},
    {"empty Host allowed", INPUT("GET / HTTP/1.1\r\nHost:\r\n\r\n"), PFD_HTTP_OK, 0, "GET",
     PFD_METHOD_GET, "/", 11, "", .nheaders = 1},
    {"value with obs-text and tab", INPUT("GET / HTTP/1.1\r\nHost: h\r\nX: a\tb\xe9\r\n\r\n"),
     PFD_HTTP_OK, 0, "GET", PFD_METHOD_GET, "/", 11, "h", .nheaders = 2},
    {"pipelined: head_len stops at the first head",
     INPUT("GET /1 HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\nHost: h\r\n\r\n"), PFD_HTTP_OK, 28,
     "GET", PFD_METHOD_GET, "/1", 11, "h", .nheaders = 1},
    /* RFC 9110 §2.5: a higher minor version of HTTP/1 is served as HTTP/1.1. */
    {"HTTP/1.2 served as 1.1", INPUT("GET / HTTP/1.2\r\nHost: h\r\n\r\n"), PFD_HTTP_OK, 0, "GET",
     PFD_METHOD_GET, "/", 11, "h", .nheaders = 1},
    {"HTTP/1.9 served as 1.1", INPUT("GET / HTTP/1.9\r\nHost: h\r\n\r\n"), PFD_HTTP_OK, 0, "GET",
     PFD_METHOD_GET, "/", 11, "h", .nheaders = 1},
    {"HTTP/1.2 needs Host as 1.1 does", INPUT("GET / HTTP/1.2\r\n\r\n"), 400},
    /* Content-Length. */
    {"Content-Length list of equal values",
     INPUT("PUT / HTTP/1.1\r\nHost: h\r\nContent-Length: 5, 5\r\n\r\n"), PFD_HTTP_OK, 0, "PUT",
     PFD_METHOD_PUT, "/", 11, "h", true, 5, .nheaders = 2},
    {"two equal Content-Length fields",
     INPUT("PUT / HTTP/1.1\r\nHost: h\r\nContent-Length: 7\r\nContent-length: 007\r\n\r\n"),
     PFD_HTTP_OK, 0, "PUT", PFD_METHOD_PUT, "/", 11, "h", true, 7, .nheaders = 3},
    {"Content-Length 0", INPUT("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n"),
     PFD_HTTP_OK, 0, "POST", PFD_METHOD_POST, "/", 11, "h", true, 0, .nheaders = 2},
    {"Content-Length 2^62",
     INPUT("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4611686018427387904\r\n\r\n"),
     PFD_HTTP_OK, 0, "POST", PFD_METHOD_POST, "/", 11, "h", true, INT64_C(4611686018427387904),
     .nheaders = 2},
    {"Content-Length 2^62+1",
     INPUT("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4611686018427387905\r\n\r\n"), 400},
    {"Content-Length overflow",
     INPUT("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999999999999999\r\n\r\n"), 400},
    {"Content-Length not digits", INPUT("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1a\r\n\r\n"),
     400},
    {"Content-Length negative", INPUT("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n"),
     400},
    {"Content-Length with sign", INPUT("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: +1\r\n\r\n"),
     400},
    {"Content-Length empty", INPUT("POST / HTTP/1.1\r\nHost: h\r\nContent-Length:\r\n\r\n"), 400},
    {"Content-Length inner space",
     INPUT("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1 2\r\n\r\n"), 400},
    {"Content-Length empty element",
     INPUT("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1,,1\r\n\r\n"), 400},
    {"Content-Length differing list",
     INPUT("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5, 6\r\n\r\n"), 400},
    {"Content-Length differing fields",
     INPUT("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n"), 400},
    /* Transfer-Encoding. */
    {"chunked", INPUT("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"),
     PFD_HTTP_OK, 0, "POST", PFD_METHOD_POST, "/", 11, "h", .chunked = true, .nheaders = 2},
    {"chunked, any case", INPUT("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: ChUnKeD\r\n\r\n"),
     PFD_HTTP_OK, 0, "POST", PFD_METHOD_POST, "/", 11, "h", .chunked = true, .nheaders = 2},
    {"gzip, chunked",
     INPUT("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"), 501},
    {"gzip alone", INPUT("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n"), 501},
    {"chunked not last",
     INPUT("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, gzip\r\n\r\n"), 501},
    {"identity", INPUT("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: identity\r\n\r\n"), 501},
    {"coding over two fields",
     INPUT("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: "
           "chunked\r\n\r\n"),
     501},
    {"chunked twice",
     INPUT("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, chunked\r\n\r\n"), 400},
    {"empty Transfer-Encoding", INPUT("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding:\r\n\r\n"),
     400},
    {"Transfer-Encoding in HTTP/1.0",
     INPUT("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n"), 400},
    {"Content-Length and Transfer-Encoding",
     INPUT("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"),
     400},
    {"Transfer-Encoding and Content-Length",
     INPUT("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n"),
     400},
    /* Connection and Expect. */
    {"Connection: close", INPUT("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"),
     PFD_HTTP_OK, 0, "GET", PFD_METHOD_GET, "/", 11, "h", .close = true, .nheaders = 2},
    {"Connection: Keep-Alive", INPUT("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"),
     PFD_HTTP_OK, 0, "GET", PFD_METHOD_GET, "/", 10, NULL, .keep_alive = true, .nheaders = 1},
    {"Connection list", INPUT("GET / HTTP/1.1\r\nHost: h\r\nConnection: foo, CLOSE ,bar\r\n\r\n"),
     PFD_HTTP_OK, 0, "GET", PFD_METHOD_GET, "/", 11, "h", .close = true, .nheaders = 2},
    {"Connection fields combine",
     INPUT("GET / HTTP/1.1\r\nHost: h\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n"),
     PFD_HTTP_OK, 0, "GET", PFD_METHOD_GET, "/", 11, "h", .close = true, .keep_alive = true,
     .nheaders = 3},
    {"Connection: closed is not close",
     INPUT("GET / HTTP/1.1\r\nHost: h\r\nConnection: closed\r\n\r\n"), PFD_HTTP_OK, 0, "GET",
     PFD_METHOD_GET, "/", 11, "h", .nheaders = 2},
    {"Expect: 100-Continue",
     INPUT("PUT / HTTP/1.1\r\nHost: h\r\nExpect: 100-Continue\r\nContent-Length: 1\r\n\r\n"),
     PFD_HTTP_OK, 0, "PUT", PFD_METHOD_PUT, "/", 11, "h", true, 1, .expect = true, .nheaders = 3},
    {"other Expect", INPUT("PUT / HTTP/1.1\r\nHost: h\r\nExpect: 200-ok\r\n\r\n"), PFD_HTTP_OK, 0,
     "PUT", PFD_METHOD_PUT, "/", 11, "h", .nheaders = 2},
    /* Host. */
    {"HTTP/1.1 without Host", INPUT("GET / HTTP/1.1\r\nAccept: */*\r\n\r\n"), 400},
    {"two Host fields", INPUT("GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n"), 400},
    {"Host with space", INPUT("GET / HTTP/1.1\r\nHost: a b\r\n\r\n"), 400},
    {"Host with slash", INPUT("GET / HTTP/1.1\r\nHost: a/../b\r\n\r\n"), 400},
    {"Host with userinfo", INPUT("GET / HTTP/1.1\r\nHost: u@a\r\n\r\n"), 400},
    /* Line ends. */
    {"bare CR in request line", INPUT("GET /\r HTTP/1.1\r\nHost: h\r\n\r\n"), 400},
    {"bare CR in field", INPUT("GET / HTTP/1.1\r\nHost: h\rX: y\r\n\r\n"), 400},
    {"CR CR LF", INPUT("GET / HTTP/1.1\r\r\nHost: h\r\n\r\n"), 400},
    {"bare CR ending the head", INPUT("GET / HTTP/1.1\r\nHost: h\r\n\r\r\n"), 400},
    {"too many leading empty lines",
     INPUT("\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\nGET / HTTP/1.0\r\n\r\n"), 400},
    /* Request line. */
    {"empty method", INPUT(" / HTTP/1.1\r\nHost: h\r\n\r\n"), 400},
    {"bad method character", INPUT("GE(T / HTTP/1.1\r\nHost: h\r\n\r\n"), 400},
    {"two spaces after method", INPUT("GET  / HTTP/1.1\r\nHost: h\r\n\r\n"), 400},
    {"tab after method", INPUT("GET\t/ HTTP/1.1\r\nHost: h\r\n\r\n"), 400},
    {"two spaces before version", INPUT("GET /  HTTP/1.1\r\nHost: h\r\n\r\n"), 400},
    {"space in target", INPUT("GET /a b HTTP/1.1\r\nHost: h\r\n\r\n"), 400},
    {"control char in target", INPUT("GET /a\x01 HTTP/1.1\r\nHost: h\r\n\r\n"), 400},
    {"DEL in target", INPUT("GET /a\x7f HTTP/1.1\r\nHost: h\r\n\r\n"), 400},
    {"non-ASCII in target", INPUT("GET /\xc3\xa9 HTTP/1.1\r\nHost: h\r\n\r\n"), 400},
    {"NUL in target", INPUT("GET /\0 HTTP/1.1\r\nHost: h\r\n\r\n"), 400},
    {"no version (HTTP/0.9 form)", INPUT("GET /\r\n\r\n"), 400},
    {"no target", INPUT("GET HTTP/1.1\r\nHost: h\r\n\r\n"), 400},
    {"trailing space after version", INPUT("GET / HTTP/1.1 \r\nHost: h\r\n\r\n"), 400},
    {"lowercase http", INPUT("GET / http/1.1\r\nHost: h\r\n\r\n"), 400},
    {"version without minor", INPUT("GET / HTTP/1\r\nHost: h\r\n\r\n"), 400},
    {"version two-digit major", INPUT("GET / HTTP/11.1\r\nHost: h\r\n\r\n"), 400},
    {"version two-digit minor", INPUT("GET / HTTP/1.10\r\nHost: h\r\n\r\n"), 400},
    {"version with letters", INPUT("GET / HTTP/1.x\r\nHost: h\r\n\r\n"), 400},
    {"HTTP/2.0", INPUT("GET / HTTP/2.0\r\nHost: h\r\n\r\n"), 505},
    {"HTTP/3.0", INPUT("GET / HTTP/3.0\r\nHost: h\r\n\r\n"), 505},
    {"fragment in target", INPUT("GET /a#b HTTP/1.1\r\nHost: h\r\n\r\n"), 400},
    {"fragment in absolute-form target", INPUT("GET http://h/#b HTTP/1.1\r\nHost: h\r\n\r\n"), 400},
    {"HTTP/0.9", INPUT("GET / HTTP/0.9\r\n\r\n"), 505},
    {"request line too long",
     INPUT("GET /aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa HTTP/1.1\r\n\r\n"), 414},
    /* Header fields. */
    {"space before colon", INPUT("GET / HTTP/1.1\r\nHost : h\r\n\r\n"), 400},
    {"tab before colon", INPUT("GET / HTTP/1.1\r\nHost\t: h\r\n\r\n"), 400},
    {"obs-fold", INPUT("GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n b\r\n\r\n"), 400},
    {"obs-fold with tab", INPUT("GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n\tb\r\n\r\n"), 400},
    {"whitespace before first field", INPUT("GET / HTTP/1.1\r\n Host: h\r\n\r\n"), 400},
    {"NUL in value", INPUT("GET / HTTP/1.1\r\nHost: h\r\nX: a\0b\r\n\r\n"), 400},
    {"control char in value", INPUT("GET / HTTP/1.1\r\nHost: h\r\nX: a\x01\r\n\r\n"), 400},
    {"DEL in value", INPUT("GET / HTTP/1.1\r\nHost: h\r\nX: a\x7f\r\n\r\n"), 400},
    {"line without colon", INPUT("GET / HTTP/1.1\r\nHost: h\r\nJunk\r\n\r\n"), 400},
    {"empty name", INPUT("GET / HTTP/1.1\r\nHost: h\r\n: v\r\n\r\n"), 400},
    {"bad name character", INPUT("GET / HTTP/1.1\r\nHost: h\r\nX(y): v\r\n\r\n"), 400},
    {"too many fields",
     INPUT("GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\nE: 5\r\nF: 6\r\nG: "
           "7\r\nH: 8\r\n\r\n"),
     431},
    {"field line too long",
     INPUT("GET / HTTP/1.1\r\nHost: h\r\nX: "
           "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n"),
     431},
};

static const size_t n_head_cases = sizeof(head_cases) / sizeof(head_cases[0]);

static void check_str(const struct head_case *tc, const char *what, const char *got, size_t got_len,
                      const char *want)
{
    ck_assert_msg(got != NULL, "%s: %s is NULL", tc->desc, what);
    ck_assert_msg(got_len == strlen(want) && memcmp(got, want, got_len) == 0,
                  "%s: %s is \"%.*s\", want \"%s\"", tc->desc, what, (int)got_len, got, want);
}

static void check_head(const struct head_case *tc, const struct pfd_http_request_head *h)
{
    check_str(tc, "method", h->method, h->method_len, tc->method);
    ck_assert_msg(h->method_id == tc->method_id, "%s: method_id %d", tc->desc, h->method_id);
    check_str(tc, "target", h->target, h->target_len, tc->target);
    ck_assert_msg(h->version == tc->version, "%s: version %d", tc->desc, h->version);
    if (tc->host == NULL)
        ck_assert_msg(h->host == NULL, "%s: unexpected Host", tc->desc);
    else
        check_str(tc, "host", h->host, h->host_len, tc->host);
    int64_t cl = tc->has_cl ? tc->cl : -1;
    ck_assert_msg(h->content_length == cl, "%s: content_length %lld, want %lld", tc->desc,
                  (long long)h->content_length, (long long)cl);
    ck_assert_msg(h->chunked == tc->chunked, "%s: chunked", tc->desc);
    ck_assert_msg(h->conn_close == tc->close, "%s: conn_close", tc->desc);
    ck_assert_msg(h->conn_keep_alive == tc->keep_alive, "%s: conn_keep_alive", tc->desc);
    ck_assert_msg(h->expect_continue == tc->expect, "%s: expect_continue", tc->desc);
    ck_assert_msg(h->nheaders == tc->nheaders, "%s: nheaders %zu, want %zu", tc->desc, h->nheaders,
                  tc->nheaders);
}

static void head_storage(struct pfd_http_request_head *h, struct pfd_http_header *storage)
{
    memset(h, 0, sizeof(*h));
    h->headers = storage;
    h->headers_cap = TEST_HEADERS_CAP;
}

START_TEST(test_head_whole)
{
    for (size_t i = 0; i < n_head_cases; i++) {
        const struct head_case *tc = &head_cases[i];
        struct pfd_http_parser p;
        struct pfd_http_header storage[TEST_HEADERS_CAP];
        struct pfd_http_request_head h;
        size_t head_len = 0;

        head_storage(&h, storage);
        pfd_http_parser_init(&p, &test_limits);
        int rc = pfd_http_parse_request(&p, tc->input, tc->len, &h, &head_len);
        ck_assert_msg(rc == tc->rc, "%s: got %d, want %d", tc->desc, rc, tc->rc);
        if (rc != PFD_HTTP_OK)
            continue;
        size_t want_len = tc->head_len ? tc->head_len : tc->len;
        ck_assert_msg(head_len == want_len, "%s: head_len %zu, want %zu", tc->desc, head_len,
                      want_len);
        check_head(tc, &h);
    }
}
END_TEST

/* Fed one byte more each time: AGAIN until the deciding byte, then the same result. */
START_TEST(test_head_bytewise)
{
    for (size_t i = 0; i < n_head_cases; i++) {
        const struct head_case *tc = &head_cases[i];
        struct pfd_http_parser p;
        struct pfd_http_header storage[TEST_HEADERS_CAP];
        struct pfd_http_request_head h;
        size_t head_len = 0, n;
        int rc = PFD_HTTP_AGAIN;

        head_storage(&h, storage);
        pfd_http_parser_init(&p, &test_limits);
        for (n = 1; n <= tc->len && rc == PFD_HTTP_AGAIN; n++) {
            rc = pfd_http_parse_request(&p, tc->input, n, &h, &head_len);
            if (rc == PFD_HTTP_AGAIN)
                ck_assert_msg(p.scanned == n, "%s: scanned %zu of %zu", tc->desc, p.scanned, n);
        }
        ck_assert_msg(rc == tc->rc, "%s: got %d, want %d", tc->desc, rc, tc->rc);
        if (rc != PFD_HTTP_OK)
            continue;
        size_t want_len = tc->head_len ? tc->head_len : tc->len;
        ck_assert_msg(n - 1 == want_len, "%s: OK after %zu bytes, want %zu", tc->desc, n - 1,
                      want_len);
        ck_assert_msg(head_len == want_len, "%s: head_len %zu", tc->desc, head_len);
        check_head(tc, &h);
    }
}
END_TEST

/* ---- limits at their boundary ------------------------------------------------------------ */

struct limit_case {
    const char *desc;
    size_t request_line; /* length of the request line to build, without CRLF */
    size_t fields;       /* header fields to add after Host */
    size_t field_len;    /* length of each added field line, without CRLF (>= 4) */
    int rc;
};

static const struct limit_case limit_cases[] = {
    {"request line exactly at the limit", 64, 0, 0, PFD_HTTP_OK},
    {"request line one over the limit", 65, 0, 0, 414},
    {"fields exactly at the limit", 20, 7, 10, PFD_HTTP_OK},
    {"fields one over the limit", 20, 8, 10, 431},
    {"field line exactly at the limit", 20, 1, 64, PFD_HTTP_OK},
    {"field line one over the limit", 20, 1, 65, 431},
};

/* "GET /aaa HTTP/1.1" of the given length, "Host: h", then fields lines "X: aaa" of field_len. */
static size_t build_request(char *buf, size_t cap, const struct limit_case *lc)
{
    size_t n = 0, target = lc->request_line - strlen("GET  HTTP/1.1");
    n += (size_t)snprintf(buf + n, cap - n, "GET /");
    for (size_t i = 1; i < target; i++)
        buf[n++] = 'a';
    n += (size_t)snprintf(buf + n, cap - n, " HTTP/1.1\r\nHost: h\r\n");
    for (size_t f = 0; f < lc->fields; f++) {
        n += (size_t)snprintf(buf + n, cap - n, "%c: ", (char)('A' + f));
        for (size_t i = 3; i < lc->field_len; i++)
            buf[n++] = 'v';
        n += (size_t)snprintf(buf + n, cap - n, "\r\n");
    }
    n += (size_t)snprintf(buf + n, cap - n, "\r\n");
    return n;
}

START_TEST(test_limits_boundary)
{
    for (size_t i = 0; i < sizeof(limit_cases) / sizeof(limit_cases[0]); i++) {
        const struct limit_case *lc = &limit_cases[i];
        char buf[2048];
        size_t len = build_request(buf, sizeof(buf), lc), head_len = 0;
        struct pfd_http_parser p;
        struct pfd_http_header storage[TEST_HEADERS_CAP];
        struct pfd_http_request_head h;

        head_storage(&h, storage);
        pfd_http_parser_init(&p, &test_limits);
        int rc = pfd_http_parse_request(&p, buf, len, &h, &head_len);
        ck_assert_msg(rc == lc->rc, "%s: got %d, want %d", lc->desc, rc, lc->rc);
        if (rc == PFD_HTTP_OK)
            ck_assert_msg(h.nheaders == lc->fields + 1 && h.target_len == lc->request_line - 13,
                          "%s: nheaders %zu target_len %zu", lc->desc, h.nheaders, h.target_len);
    }
}
END_TEST

/* ---- limits are enforced as soon as they are exceeded ------------------------------------- */

struct early_case {
    const char *desc;
    const char *prefix; /* sent first, then 'a' bytes without any line end */
    size_t limit;       /* the first byte making the open line longer than this fails */
    int rc;
};

static const struct early_case early_cases[] = {
    {"request line without LF", "GET /", 64, 414},
    {"request line after empty lines", "\r\n\r\nGET /", 64, 414},
    {"field line without LF", "GET / HTTP/1.1\r\nX: ", 64, 431},
};

START_TEST(test_limits_early)
{
    for (size_t i = 0; i < sizeof(early_cases) / sizeof(early_cases[0]); i++) {
        const struct early_case *ec = &early_cases[i];
        char buf[100 * 1024];
        size_t plen = strlen(ec->prefix), line_start = 0, head_len;
        const char *lf = strrchr(ec->prefix, '\n');
        if (lf != NULL)
            line_start = (size_t)(lf - ec->prefix) + 1;
        memcpy(buf, ec->prefix, plen);
        memset(buf + plen, 'a', sizeof(buf) - plen);

        struct pfd_http_parser p;
        struct pfd_http_header storage[TEST_HEADERS_CAP];
        struct pfd_http_request_head h;
        head_storage(&h, storage);
        pfd_http_parser_init(&p, &test_limits);
        int rc = PFD_HTTP_AGAIN;
        size_t n;
        for (n = 1; n <= sizeof(buf) && rc == PFD_HTTP_AGAIN; n++)
            rc = pfd_http_parse_request(&p, buf, n, &h, &head_len);
        ck_assert_msg(rc == ec->rc, "%s: got %d, want %d", ec->desc, rc, ec->rc);
        ck_assert_msg(n - 1 == line_start + ec->limit + 1, "%s: failed after %zu bytes", ec->desc,
                      n - 1);
        /* An error sticks: more bytes do not revive the parser. */
        rc = pfd_http_parse_request(&p, buf, sizeof(buf), &h, &head_len);
        ck_assert_msg(rc == ec->rc, "%s: not sticky: %d", ec->desc, rc);
    }
}
END_TEST

/* A 100 KB line arriving at once is refused after scanning, not parsed. */
START_TEST(test_limits_big_line)
{
    static char buf[100 * 1024];
    const struct pfd_http_limits lim = {8190, 100, 8190};
    struct pfd_http_parser p;
    struct pfd_http_header storage[TEST_HEADERS_CAP];
    struct pfd_http_request_head h;
    size_t head_len;

    memset(buf, 'a', sizeof(buf));
    memcpy(buf, "GET /", 5);
    head_storage(&h, storage);
    pfd_http_parser_init(&p, &lim);
    ck_assert_int_eq(pfd_http_parse_request(&p, buf, 8190, &h, &head_len), PFD_HTTP_AGAIN);
    ck_assert_int_eq(pfd_http_parse_request(&p, buf, sizeof(buf), &h, &head_len), 414);
    ck_assert_uint_eq(p.scanned, 8191);
}
END_TEST

/* The (n+1)th field is refused at its first byte, before its line is complete. */
START_TEST(test_limits_fields_early)
{
    const char *req = "GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC";
    const struct pfd_http_limits lim = {64, 2, 64};
    struct pfd_http_parser p;
    struct pfd_http_header storage[TEST_HEADERS_CAP];
    struct pfd_http_request_head h;
    size_t head_len, len = strlen(req);

    head_storage(&h, storage);
    pfd_http_parser_init(&p, &lim);
    ck_assert_int_eq(pfd_http_parse_request(&p, req, len - 1, &h, &head_len), PFD_HTTP_AGAIN);
    ck_assert_int_eq(pfd_http_parse_request(&p, req, len, &h, &head_len), 431);
}
END_TEST

/* Fewer header slots than the limit allows: refused rather than overflowing the storage. */
START_TEST(test_headers_cap)
{
    const char *req = "GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\n\r\n";
    struct pfd_http_parser p;
    struct pfd_http_header storage[2];
    struct pfd_http_request_head h = {.headers = storage, .headers_cap = 2};
    size_t head_len;

    pfd_http_parser_init(&p, &test_limits);
    ck_assert_int_eq(pfd_http_parse_request(&p, req, strlen(req), &h, &head_len), 431);
}
END_TEST

/* After OK, asking again returns the same head (the caller may re-poll). */
START_TEST(test_head_again_after_ok)
{
    const char *req = "GET /x HTTP/1.1\r\nHost: h\r\n\r\nGET /y";
    struct pfd_http_parser p;
    struct pfd_http_header storage[TEST_HEADERS_CAP];
    struct pfd_http_request_head h;
    size_t head_len = 0;

    head_storage(&h, storage);
    pfd_http_parser_init(&p, &test_limits);
    ck_assert_int_eq(pfd_http_parse_request(&p, req, strlen(req), &h, &head_len), PFD_HTTP_OK);
    ck_assert_uint_eq(head_len, 28);
    head_len = 0;
    ck_assert_int_eq(pfd_http_parse_request(&p, req, strlen(req), &h, &head_len), PFD_HTTP_OK);
    ck_assert_uint_eq(head_len, 28);
    ck_assert_int_eq(h.target_len, 2);
    ck_assert_int_eq(memcmp(h.target, "/x", 2), 0);
}
END_TEST

/* A request line that cannot parse is refused once its line end is in, before the rest of the
 * head (which may never come); a good one waits for the head. */
START_TEST(test_bad_request_line_refused_at_its_line_end)
{
    static const struct {
        const char *input;
        int rc;
        bool in_request; /* pfd_http_parser_in_request() afterwards */
    } rows[] = {
        {"GET /\r\n", 400, true},
        {"GET /\n", 400, true},
        {"GET /a#frag HTTP/1.1\r\n", 400, true},
        {"GET / HTTP/2.0\r\n", 505, true},
        {"\r\nGET / HTTP/1.0 x\r\n", 400, true},
        {"GET / HTTP/1.1\r\n", PFD_HTTP_AGAIN, true},
        {"GET / HTTP/1.1\r\nHost: h\r\n", PFD_HTTP_AGAIN, true},
        {"GET /", PFD_HTTP_AGAIN, true},
        {"\r\n\r\n", PFD_HTTP_AGAIN, false},
        {"", PFD_HTTP_AGAIN, false},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct pfd_http_parser p;
        struct pfd_http_header storage[TEST_HEADERS_CAP];
        struct pfd_http_request_head h;
        size_t head_len = 0;
        head_storage(&h, storage);
        pfd_http_parser_init(&p, &test_limits);
        int rc = pfd_http_parse_request(&p, rows[i].input, strlen(rows[i].input), &h, &head_len);
        ck_assert_msg(rc == rows[i].rc, "\"%s\": got %d, want %d", rows[i].input, rc, rows[i].rc);
        ck_assert_msg(pfd_http_parser_in_request(&p) == rows[i].in_request,
                      "\"%s\": in_request is %d", rows[i].input, !rows[i].in_request);
    }
}
END_TEST

/* ---- method ids and header lookup -------------------------------------------------------- */

START_TEST(test_method_id)
{
    static const struct {
        const char *name;
        int id;
    } rows[] = {
        {"GET", PFD_METHOD_GET},        {"HEAD", PFD_METHOD_HEAD},
        {"POST", PFD_METHOD_POST},      {"PUT", PFD_METHOD_PUT},
        {"DELETE", PFD_METHOD_DELETE},  {"OPTIONS", PFD_METHOD_OPTIONS},
        {"TRACE", PFD_METHOD_TRACE},    {"CONNECT", PFD_METHOD_CONNECT},
        {"PATCH", PFD_METHOD_PATCH},    {"get", PFD_METHOD_OTHER},
        {"GETX", PFD_METHOD_OTHER},     {"GE", PFD_METHOD_OTHER},
        {"PROPFIND", PFD_METHOD_OTHER}, {"", PFD_METHOD_OTHER},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        int id = pfd_http_method_id(rows[i].name, strlen(rows[i].name));
        ck_assert_msg(id == rows[i].id, "method \"%s\": got %d, want %d", rows[i].name, id,
                      rows[i].id);
    }
}
END_TEST

START_TEST(test_header_find)
{
    static const struct {
        const char *name;
        const char *value; /* NULL: not found */
    } rows[] = {
        {"Host", "h"}, {"host", "h"},   {"HOST", "h"}, {"x-dup", "first"},     {"Accept", "*/*"},
        {"Hos", NULL}, {"Hostx", NULL}, {"", NULL},    {"Content-Type", NULL},
    };
    const char *req = "GET / HTTP/1.1\r\nHost: h\r\nX-Dup: first\r\nAccept: */*\r\n"
                      "x-dup: second\r\n\r\n";
    struct pfd_http_parser p;
    struct pfd_http_header storage[TEST_HEADERS_CAP];
    struct pfd_http_request_head h;
    size_t head_len;

    head_storage(&h, storage);
    pfd_http_parser_init(&p, &test_limits);
    ck_assert_int_eq(pfd_http_parse_request(&p, req, strlen(req), &h, &head_len), PFD_HTTP_OK);
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        const struct pfd_http_header *f = pfd_http_header_find(&h, rows[i].name);
        if (rows[i].value == NULL) {
            ck_assert_msg(f == NULL, "find \"%s\": found", rows[i].name);
            continue;
        }
        ck_assert_msg(f != NULL, "find \"%s\": not found", rows[i].name);
        ck_assert_msg(f->value_len == strlen(rows[i].value) &&
                          memcmp(f->value, rows[i].value, f->value_len) == 0,
                      "find \"%s\": value \"%.*s\"", rows[i].name, (int)f->value_len, f->value);
    }
}
END_TEST

/* ---- chunked bodies ---------------------------------------------------------------------- */

struct chunked_case {
    const char *desc;
    const char *input;
    size_t len;
    uint64_t max_total;
    int rc;
    const char *output; /* decoded body when rc is OK or AGAIN */
    size_t consumed;    /* when OK: bytes consumed; 0: all of them */
};

static const struct chunked_case chunked_cases[] = {
    {"single chunk", INPUT("5\r\nhello\r\n0\r\n\r\n"), 0, PFD_HTTP_OK, "hello"},
    {"several chunks", INPUT("5\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\n\r\n"), 0, PFD_HTTP_OK,
     "hello world"},
    {"empty body", INPUT("0\r\n\r\n"), 0, PFD_HTTP_OK, ""},
    {"hex sizes, both cases", INPUT("a\r\n0123456789\r\nB\r\nabcdefghijk\r\n0\r\n\r\n"), 0,
     PFD_HTTP_OK, "0123456789abcdefghijk"},
    {"leading zeros", INPUT("0005\r\nhello\r\n000\r\n\r\n"), 0, PFD_HTTP_OK, "hello"},
    {"sixteen digits", INPUT("0000000000000005\r\nhello\r\n0\r\n\r\n"), 0, PFD_HTTP_OK, "hello"},
    {"extensions", INPUT("5;name=value;flag\r\nhello\r\n0;last=\"x y\"\r\n\r\n"), 0, PFD_HTTP_OK,
     "hello"},
    {"whitespace before extension", INPUT("5 ;a=b\r\nhello\r\n0\t;x\r\n\r\n"), 0, PFD_HTTP_OK,
     "hello"},
    {"whitespace after size", INPUT("5 \r\nhello\r\n0\r\n\r\n"), 0, PFD_HTTP_OK, "hello"},
    {"trailers dropped", INPUT("5\r\nhello\r\n0\r\nX-Sum: 1\r\nX-Other:\tv a\r\n\r\n"), 0,
     PFD_HTTP_OK, "hello"},
    {"bare LF everywhere", INPUT("5\nhello\n0\nX: y\n\n"), 0, PFD_HTTP_OK, "hello"},
    {"CRLF inside data is data", INPUT("4\r\n\r\n\r\n\r\n0\r\n\r\n"), 0, PFD_HTTP_OK, "\r\n\r\n"},
    {"bytes after the end unconsumed", INPUT("3\r\nabc\r\n0\r\n\r\nGET / HTTP/1.1\r\n"), 0,
     PFD_HTTP_OK, "abc", 13},
    {"at max_total", INPUT("5\r\nhello\r\n0\r\n\r\n"), 5, PFD_HTTP_OK, "hello"},
    {"over max_total", INPUT("5\r\nhello\r\n0\r\n\r\n"), 4, 413},
    {"over max_total in a later chunk", INPUT("3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n"), 5, 413},
    {"incomplete data", INPUT("5\r\nhel"), 0, PFD_HTTP_AGAIN, "hel"},
    {"incomplete trailers", INPUT("1\r\na\r\n0\r\nX: y\r\n"), 0, PFD_HTTP_AGAIN, "a"},
    {"no final empty line yet", INPUT("0\r\n"), 0, PFD_HTTP_AGAIN, ""},
    /* Malformed framing. */
    {"empty size line", INPUT("\r\nhello\r\n0\r\n\r\n"), 0, 400},
    {"non-hex size", INPUT("g\r\n"), 0, 400},
    {"negative size", INPUT("-5\r\nhello\r\n"), 0, 400},
    {"0x prefix", INPUT("0x5\r\nhello\r\n"), 0, 400},
    {"seventeen digits", INPUT("00000000000000005\r\nhello\r\n0\r\n\r\n"), 0, 400},
    {"size over 2^62", INPUT("ffffffffffffffff\r\n"), 0, 400},
    {"size over 2^62 with max_total", INPUT("ffffffffffffffff\r\n"), 1000, 413},
    {"two sizes", INPUT("5 5\r\nhello\r\n"), 0, 400},
    {"leading space", INPUT(" 5\r\nhello\r\n"), 0, 400},
    {"control char in extension", INPUT("5;a\x01\r\nhello\r\n"), 0, 400},
    {"bare CR after size", INPUT("5\rhello\r\n"), 0, 400},
    {"data longer than size", INPUT("5\r\nhelloX\r\n0\r\n\r\n"), 0, 400},
    {"data shorter than size", INPUT("5\r\nhel\r\n0\r\n\r\n"), 0, 400},
    {"CR without LF after data", INPUT("5\r\nhello\rX"), 0, 400},
    {"CR CR after data", INPUT("5\r\nhello\r\r\n"), 0, 400},
    {"trailer without colon", INPUT("0\r\nJunk\r\n\r\n"), 0, 400},
    {"trailer obs-fold", INPUT("0\r\nX: a\r\n b\r\n\r\n"), 0, 400},
    {"trailer space before colon", INPUT("0\r\nX : a\r\n\r\n"), 0, 400},
    {"trailer empty name", INPUT("0\r\n: a\r\n\r\n"), 0, 400},
    {"trailer NUL", INPUT("0\r\nX: a\0\r\n\r\n"), 0, 400},
    {"bare CR ending trailers", INPUT("0\r\n\rX"), 0, 400},
};

static const size_t n_chunked_cases = sizeof(chunked_cases) / sizeof(chunked_cases[0]);

enum feed_mode { FEED_WHOLE, FEED_BYTEWISE, FEED_IN_PLACE };
static const char *const feed_names[] = {"whole", "byte by byte", "in place"};

/*
 * Decodes input in the given mode; *out_len and *consumed receive the totals. For
 * FEED_IN_PLACE, work must hold a copy of input and receives the decoded bytes.
 */
static int chunked_feed(enum feed_mode mode, const char *input, size_t len, uint64_t max_total,
                        char *work, size_t *out_len, size_t *consumed)
{
    struct pfd_chunked c;
    size_t used = 0, made = 0, n_used, n_made;
    int rc = PFD_HTTP_AGAIN;

    pfd_chunked_init(&c, max_total);
    if (mode == FEED_IN_PLACE) {
        memcpy(work, input, len);
        rc = pfd_chunked_decode(&c, work, len, work, &used, &made);
    } else if (mode == FEED_WHOLE) {
        rc = pfd_chunked_decode(&c, input, len, work, &used, &made);
    }
    while (mode == FEED_BYTEWISE && rc == PFD_HTTP_AGAIN && used < len) {
        rc = pfd_chunked_decode(&c, input + used, 1, work + made, &n_used, &n_made);
        ck_assert_msg(n_used == 1 || rc != PFD_HTTP_AGAIN, "AGAIN left a byte unconsumed");
        used += n_used;
        made += n_made;
    }
    *out_len = made;
    *consumed = used;
    return rc;
}

START_TEST(test_chunked_table)
{
    for (size_t i = 0; i < n_chunked_cases; i++) {
        const struct chunked_case *tc = &chunked_cases[i];
        for (int mode = FEED_WHOLE; mode <= FEED_IN_PLACE; mode++) {
            char work[256];
            size_t out_len, consumed;
            int rc = chunked_feed((enum feed_mode)mode, tc->input, tc->len, tc->max_total, work,
                                  &out_len, &consumed);
            ck_assert_msg(rc == tc->rc, "%s (%s): got %d, want %d", tc->desc, feed_names[mode], rc,
                          tc->rc);
            if (rc != PFD_HTTP_OK && rc != PFD_HTTP_AGAIN)
                continue;
            size_t want_used = rc == PFD_HTTP_OK && tc->consumed ? tc->consumed : tc->len;
            ck_assert_msg(consumed == want_used, "%s (%s): consumed %zu, want %zu", tc->desc,
                          feed_names[mode], consumed, want_used);
            ck_assert_msg(out_len == strlen(tc->output) && memcmp(work, tc->output, out_len) == 0,
                          "%s (%s): decoded \"%.*s\", want \"%s\"", tc->desc, feed_names[mode],
                          (int)out_len, work, tc->output);
        }
    }
}
END_TEST

/* Once done, the decoder consumes nothing more and keeps saying OK; errors stick too. */
START_TEST(test_chunked_after_end)
{
    struct pfd_chunked c;
    char out[32];
    size_t used, made;

    pfd_chunked_init(&c, 0);
    ck_assert_int_eq(pfd_chunked_decode(&c, "0\r\n\r\n", 5, out, &used, &made), PFD_HTTP_OK);
    ck_assert_int_eq(pfd_chunked_decode(&c, "5\r\nhello", 8, out, &used, &made), PFD_HTTP_OK);
    ck_assert_uint_eq(used, 0);
    ck_assert_uint_eq(made, 0);

    pfd_chunked_init(&c, 0);
    ck_assert_int_eq(pfd_chunked_decode(&c, "z", 1, out, &used, &made), 400);
    ck_assert_int_eq(pfd_chunked_decode(&c, "0\r\n\r\n", 5, out, &used, &made), 400);
}
END_TEST

struct chunked_gen_case {
    const char *desc;
    const char *head;   /* before the repeated part */
    const char *repeat; /* repeated count times */
    size_t count;
    const char *tail;
    int rc;
};

static const struct chunked_gen_case chunked_gen_cases[] = {
    {"size line at 4096", "1;", "x", 4094, "\r\na\r\n0\r\n\r\n", PFD_HTTP_OK},
    {"size line over 4096", "1;", "x", 4095, "\r\na\r\n0\r\n\r\n", 400},
    {"trailer line at 8192", "0\r\nX:", "v", 8190, "\r\n\r\n", PFD_HTTP_OK},
    {"trailer line over 8192", "0\r\nX:", "v", 8191, "\r\n\r\n", 400},
    {"100 trailers", "0\r\n", "X: y\r\n", 100, "\r\n", PFD_HTTP_OK},
    {"101 trailers", "0\r\n", "X: y\r\n", 101, "\r\n", 400},
    {"many small chunks", "", "1\r\nz\r\n", 1000, "0\r\n\r\n", PFD_HTTP_OK},
};

START_TEST(test_chunked_generated)
{
    for (size_t i = 0; i < sizeof(chunked_gen_cases) / sizeof(chunked_gen_cases[0]); i++) {
        const struct chunked_gen_case *gc = &chunked_gen_cases[i];
        static char in[16384], work[16384];
        size_t len = 0;
        len += (size_t)snprintf(in + len, sizeof(in) - len, "%s", gc->head);
        for (size_t r = 0; r < gc->count; r++)
            len += (size_t)snprintf(in + len, sizeof(in) - len, "%s", gc->repeat);
        len += (size_t)snprintf(in + len, sizeof(in) - len, "%s", gc->tail);
        ck_assert_msg(len < sizeof(in) - 1, "%s: test buffer too small", gc->desc);

        for (int mode = FEED_WHOLE; mode <= FEED_IN_PLACE; mode++) {
            size_t out_len, consumed;
            int rc = chunked_feed((enum feed_mode)mode, in, len, 0, work, &out_len, &consumed);
            ck_assert_msg(rc == gc->rc, "%s (%s): got %d, want %d", gc->desc, feed_names[mode], rc,
                          gc->rc);
            if (rc == PFD_HTTP_OK)
                ck_assert_msg(consumed == len, "%s (%s): consumed %zu of %zu", gc->desc,
                              feed_names[mode], consumed, len);
        }
    }
}
END_TEST

/* Every split of a body into two reads decodes the same, writing in place. */
START_TEST(test_chunked_split_in_place)
{
    const char *body =
        "4;e=1\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nT: v\r\n\r\n";
    const char *want = "Wikipedia in\r\n\r\nchunks.";
    size_t len = strlen(body);

    for (size_t k = 0; k < len; k++) {
        char buf[128];
        struct pfd_chunked c;
        size_t used, made, total_made;
        memcpy(buf, body, len);
        pfd_chunked_init(&c, 0);
        int rc = pfd_chunked_decode(&c, buf, k, buf, &used, &made);
        ck_assert_msg(rc == PFD_HTTP_AGAIN && used == k, "split at %zu: first part %d", k, rc);
        total_made = made;
        /* In place: the second read's output continues where the first one's ended. */
        rc = pfd_chunked_decode(&c, buf + k, len - k, buf + total_made, &used, &made);
        total_made += made;
        ck_assert_msg(rc == PFD_HTTP_OK && used == len - k, "split at %zu: second part %d", k, rc);
        ck_assert_msg(total_made == strlen(want) && memcmp(buf, want, total_made) == 0,
                      "split at %zu: decoded \"%.*s\"", k, (int)total_made, buf);
    }
}
END_TEST

static Suite *http_parse_suite(void)
{
    Suite *s = suite_create("http_parse");
    TCase *head = tcase_create("head");
    tcase_add_test(head, test_head_whole);
    tcase_add_test(head, test_head_bytewise);
    tcase_add_test(head, test_limits_boundary);
    tcase_add_test(head, test_limits_early);
    tcase_add_test(head, test_limits_big_line);
    tcase_add_test(head, test_limits_fields_early);
    tcase_add_test(head, test_headers_cap);
    tcase_add_test(head, test_head_again_after_ok);
    tcase_add_test(head, test_bad_request_line_refused_at_its_line_end);
    tcase_add_test(head, test_method_id);
    tcase_add_test(head, test_header_find);
    suite_add_tcase(s, head);

    TCase *chunked = tcase_create("chunked");
    tcase_add_test(chunked, test_chunked_table);
    tcase_add_test(chunked, test_chunked_after_end);
    tcase_add_test(chunked, test_chunked_generated);
    tcase_add_test(chunked, test_chunked_split_in_place);
    suite_add_tcase(s, chunked);
    return s;
}

int main(void)
{
    return ts_run_suite(http_parse_suite());
}
