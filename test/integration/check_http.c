/*
 * check_http.c — HTTP behaviour of the real preforkd binary through mod_static: responses and
 * their headers, keep-alive and pipelining, 100-continue, every malformed request the server
 * must refuse (and live on after), and the access and error log formats.
 *
 * Each test starts its own server on an ephemeral 127.0.0.1 port (testsupport.h).
 */
#include "testsupport.h"

#include <check.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "preforkd/module.h"
#include "testsupport_run.h"

#define HOST_HEADER "Host: " TS_HOST "\r\n"
#define GET_HELLO "GET /hello.txt HTTP/1.1\r\n" HOST_HEADER "\r\n"
#define CLOSE_WAIT_MS 5000 /* how long a connection may take to close when it must */

/* ---- helpers ------------------------------------------------------------------------------ */

/* The server still serves a valid GET on a new connection. */
/* Date is an IMF-fixdate (RFC 9110 §5.6.7) within two minutes of now. */
static void assert_date_recent(const struct ts_response *r)
{
    const char *date = ts_response_header(r, "Date");
    ck_assert_msg(date != NULL, "no Date header: %s", ts_response_describe(r));
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    const char *end = strptime(date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    ck_assert_msg(end != NULL && *end == '\0', "Date \"%s\" is not an IMF-fixdate", date);
    long skew = (long)(timegm(&tm) - time(NULL));
    ck_assert_msg(skew > -120 && skew < 120, "Date \"%s\" is %ld s off", date, skew);
}

/* Date, Server, and a Content-Length that matches the body (for a GET). */
static void assert_common_headers(const struct ts_response *r, size_t body_len)
{
    assert_date_recent(r);
    const char *server = ts_response_header(r, "Server");
    ck_assert_msg(server != NULL && strcmp(server, "preforkd/" PFD_VERSION) == 0,
                  "Server: %s, expected preforkd/" PFD_VERSION, server ? server : "(none)");
    const char *length = ts_response_header(r, "Content-Length");
    ck_assert_msg(length != NULL, "no Content-Length: %s", ts_response_describe(r));
    ck_assert_msg(strtoull(length, NULL, 10) == body_len, "Content-Length %s, expected %zu", length,
                  body_len);
}

static void assert_content_type(const struct ts_response *r, const char *prefix)
{
    const char *type = ts_response_header(r, "Content-Type");
    ck_assert_msg(type != NULL && strncmp(type, prefix, strlen(prefix)) == 0,
                  "Content-Type: %s, expected %s…", type ? type : "(none)", prefix);
}

/* Reads one response on c and checks status and body. */
static void expect_response(struct ts_conn *c, bool head, int status, const char *body,
                            struct ts_response *r, const char *what)
{
    ts_assert_ok(ts_response_read(c, r, head), what);
    ck_assert_msg(r->status == status, "%s: expected %d, got %s", what, status,
                  ts_response_describe(r));
    if (body != NULL)
        ck_assert_msg(r->body_len == strlen(body) && strcmp(r->body, body) == 0,
                      "%s: unexpected body: %s", what, ts_response_describe(r));
}

static void send_or_fail(struct ts_conn *c, const char *raw)
{
    ts_assert_ok(ts_conn_send_str(c, raw), "send");
}

/* ---- static files ------------------------------------------------------------------------- */

START_TEST(test_get_index)
{
    struct ts_server s;
    ts_server_start(&s, NULL);
    struct ts_response r;
    ts_assert_ok(ts_get(s.port, "/", &r), "GET /");
    ck_assert_msg(r.status == 200, "GET /: %s", ts_response_describe(&r));
    ck_assert_msg(r.minor_version == 1, "status line is HTTP/1.%d", r.minor_version);
    ck_assert_str_eq(r.body, TS_INDEX_HTML);
    assert_common_headers(&r, strlen(TS_INDEX_HTML));
    assert_content_type(&r, "text/html");
    ts_response_free(&r);
    ts_server_stop(&s);
}
END_TEST

START_TEST(test_get_text_file)
{
    struct ts_server s;
    ts_server_start(&s, NULL);
    struct ts_response r;
    ts_assert_ok(ts_get(s.port, "/hello.txt", &r), "GET /hello.txt");
    ck_assert_msg(r.status == 200, "GET /hello.txt: %s", ts_response_describe(&r));
    ck_assert_str_eq(r.body, TS_HELLO_TXT);
    assert_common_headers(&r, strlen(TS_HELLO_TXT));
    assert_content_type(&r, "text/plain");
    ts_response_free(&r);
    ts_server_stop(&s);
}
END_TEST

START_TEST(test_get_big_file)
{
    struct ts_server s;
    ts_server_start(&s, NULL);
    struct ts_response r;
    ts_assert_ok(ts_get(s.port, TS_BIG_PATH, &r), "GET " TS_BIG_PATH);
    ck_assert_msg(r.status == 200, "GET big: %s", ts_response_describe(&r));
    ck_assert_msg(r.body_len == TS_BIG_SIZE, "body %zu bytes, expected %d", r.body_len,
                  TS_BIG_SIZE);
    size_t i = 0;
    while (i < r.body_len && (unsigned char)r.body[i] == ts_big_byte(i))
        i++;
    ck_assert_msg(i == r.body_len, "body differs from the file at byte %zu", i);
    assert_content_type(&r, "application/octet-stream");
    ts_response_free(&r);
    ts_server_stop(&s);
}
END_TEST

/* HEAD: GET's headers, no body. The GET pipelined after it would not parse if a body leaked. */
START_TEST(test_head)
{
    struct ts_server s;
    ts_server_start(&s, NULL);
    struct ts_conn c;
    ts_conn_open_or_fail(&c, &s);
    send_or_fail(&c, "HEAD / HTTP/1.1\r\n" HOST_HEADER "\r\n" GET_HELLO);
    struct ts_response r;
    expect_response(&c, true, 200, "", &r, "HEAD /");
    assert_common_headers(&r, strlen(TS_INDEX_HTML));
    assert_content_type(&r, "text/html");
    ts_response_free(&r);
    expect_response(&c, false, 200, TS_HELLO_TXT, &r, "GET after HEAD (a body after HEAD?)");
    ts_response_free(&r);
    ts_conn_close(&c);
    ts_server_stop(&s);
}
END_TEST

START_TEST(test_not_found)
{
    struct ts_server s;
    ts_server_start(&s, NULL);
    struct ts_response r;
    ts_assert_ok(ts_get(s.port, "/no-such-file.html", &r), "GET missing");
    ck_assert_msg(r.status == 404, "GET missing: %s", ts_response_describe(&r));
    assert_content_type(&r, "text/html");
    assert_common_headers(&r, r.body_len);
    ts_response_free(&r);
    ts_assert_serving(&s, "after a 404");
    ts_server_stop(&s);
}
END_TEST

START_TEST(test_directory_redirect_and_index)
{
    struct ts_server s;
    ts_server_start(&s, NULL);
    struct ts_response r;
    ts_assert_ok(ts_get(s.port, "/sub", &r), "GET /sub");
    ck_assert_msg(r.status == 301, "GET /sub: %s", ts_response_describe(&r));
    const char *location = ts_response_header(&r, "Location");
    size_t n = location ? strlen(location) : 0;
    ck_assert_msg(n >= 5 && strcmp(location + n - 5, "/sub/") == 0, "Location: %s",
                  location ? location : "(none)");
    ts_response_free(&r);
    ts_assert_ok(ts_get(s.port, "/sub/", &r), "GET /sub/");
    ck_assert_msg(r.status == 200, "GET /sub/: %s", ts_response_describe(&r));
    ck_assert_str_eq(r.body, TS_SUB_INDEX_HTML);
    ts_response_free(&r);
    ts_server_stop(&s);
}
END_TEST

START_TEST(test_options_star)
{
    struct ts_server s;
    ts_server_start(&s, NULL);
    struct ts_response r;
    const char *raw = "OPTIONS * HTTP/1.1\r\n" HOST_HEADER "Connection: close\r\n\r\n";
    ts_assert_ok(ts_request(s.port, raw, &r), "OPTIONS *");
    ck_assert_msg(r.status == 200, "OPTIONS *: %s", ts_response_describe(&r));
    ck_assert_msg(ts_response_header_has(&r, "Allow", "GET"), "Allow: %s",
                  ts_response_header(&r, "Allow") ? ts_response_header(&r, "Allow") : "(none)");
    ts_response_free(&r);
    ts_server_stop(&s);
}
END_TEST

/* ---- connections -------------------------------------------------------------------------- */

START_TEST(test_keepalive_three_requests)
{
    struct ts_server s;
    ts_server_start(&s, NULL);
    struct ts_conn c;
    ts_conn_open_or_fail(&c, &s);
    for (int i = 0; i < 3; i++) {
        send_or_fail(&c, GET_HELLO);
        struct ts_response r;
        expect_response(&c, false, 200, TS_HELLO_TXT, &r, "keep-alive GET");
        ck_assert_msg(!ts_response_header_has(&r, "Connection", "close"),
                      "request %d of a persistent connection: %s", i + 1, ts_response_describe(&r));
        ts_response_free(&r);
    }
    ck_assert_msg(!ts_conn_closed_within(&c, 300), "the server closed a persistent connection");
    ts_conn_close(&c);
    ts_server_stop(&s);
}
END_TEST

/* Four requests in one write (one of them 1 MiB), answered in order. */
START_TEST(test_pipelining)
{
    struct ts_server s;
    ts_server_start(&s, NULL);
    struct ts_conn c;
    ts_conn_open_or_fail(&c, &s);
    send_or_fail(&c, GET_HELLO "GET " TS_BIG_PATH " HTTP/1.1\r\n" HOST_HEADER "\r\n"
                               "GET / HTTP/1.1\r\n" HOST_HEADER "\r\n"
                               "GET /sub/ HTTP/1.1\r\n" HOST_HEADER "Connection: close\r\n\r\n");
    struct ts_response r;
    expect_response(&c, false, 200, TS_HELLO_TXT, &r, "pipelined 1 (/hello.txt)");
    ts_response_free(&r);
    expect_response(&c, false, 200, NULL, &r, "pipelined 2 (big)");
    ck_assert_msg(r.body_len == TS_BIG_SIZE, "pipelined 2: %zu bytes", r.body_len);
    ts_response_free(&r);
    expect_response(&c, false, 200, TS_INDEX_HTML, &r, "pipelined 3 (/)");
    ts_response_free(&r);
    expect_response(&c, false, 200, TS_SUB_INDEX_HTML, &r, "pipelined 4 (/sub/)");
    ck_assert_msg(ts_response_header_has(&r, "Connection", "close"), "last: %s",
                  ts_response_describe(&r));
    ts_response_free(&r);
    ck_assert_msg(ts_conn_closed_within(&c, CLOSE_WAIT_MS), "not closed after Connection: close");
    ts_conn_close(&c);
    ts_server_stop(&s);
}
END_TEST

START_TEST(test_http10_closes)
{
    struct ts_server s;
    ts_server_start(&s, NULL);
    struct ts_conn c;
    ts_conn_open_or_fail(&c, &s);
    send_or_fail(&c, "GET /hello.txt HTTP/1.0\r\n\r\n");
    struct ts_response r;
    expect_response(&c, false, 200, TS_HELLO_TXT, &r, "HTTP/1.0 GET");
    ck_assert_msg(!r.chunked, "chunked response to HTTP/1.0");
    ck_assert_msg(r.minor_version == 1, "respond as HTTP/1.1 (RFC 9110 §6.2): got 1.%d",
                  r.minor_version);
    ts_response_free(&r);
    ck_assert_msg(ts_conn_closed_within(&c, CLOSE_WAIT_MS), "HTTP/1.0 connection left open");
    ts_conn_close(&c);
    ts_server_stop(&s);
}
END_TEST

START_TEST(test_http10_keepalive)
{
    struct ts_server s;
    ts_server_start(&s, NULL);
    struct ts_conn c;
    ts_conn_open_or_fail(&c, &s);
    for (int i = 0; i < 2; i++) {
        send_or_fail(&c, "GET /hello.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        struct ts_response r;
        expect_response(&c, false, 200, TS_HELLO_TXT, &r, "HTTP/1.0 keep-alive GET");
        ck_assert_msg(ts_response_header_has(&r, "Connection", "keep-alive"),
                      "an HTTP/1.0 client needs Connection: keep-alive: %s",
                      ts_response_describe(&r));
        ts_response_free(&r);
    }
    ts_conn_close(&c);
    ts_server_stop(&s);
}
END_TEST

START_TEST(test_http11_connection_close)
{
    struct ts_server s;
    ts_server_start(&s, NULL);
    struct ts_conn c;
    ts_conn_open_or_fail(&c, &s);
    send_or_fail(&c, "GET /hello.txt HTTP/1.1\r\n" HOST_HEADER "Connection: close\r\n\r\n");
    struct ts_response r;
    expect_response(&c, false, 200, TS_HELLO_TXT, &r, "GET with Connection: close");
    ck_assert_msg(ts_response_header_has(&r, "Connection", "close"), "%s",
                  ts_response_describe(&r));
    ts_response_free(&r);
    ck_assert_msg(ts_conn_closed_within(&c, CLOSE_WAIT_MS), "connection left open");
    ts_conn_close(&c);
    ts_server_stop(&s);
}
END_TEST

START_TEST(test_keepalive_max_requests)
{
    struct ts_server s;
    ts_server_start(&s, "keepalive { enabled = true  max_requests = 3 }");
    struct ts_conn c;
    ts_conn_open_or_fail(&c, &s);
    for (int i = 1; i <= 3; i++) {
        send_or_fail(&c, GET_HELLO);
        struct ts_response r;
        expect_response(&c, false, 200, TS_HELLO_TXT, &r, "GET under max_requests = 3");
        bool closes = ts_response_header_has(&r, "Connection", "close");
        ck_assert_msg(closes == (i == 3), "request %d: %s", i, ts_response_describe(&r));
        ts_response_free(&r);
    }
    ck_assert_msg(ts_conn_closed_within(&c, CLOSE_WAIT_MS), "open after max_requests");
    ts_conn_close(&c);
    ts_server_stop(&s);
}
END_TEST

START_TEST(test_keepalive_disabled)
{
    struct ts_server s;
    ts_server_start(&s, "keepalive { enabled = false  max_requests = 100 }");
    struct ts_conn c;
    ts_conn_open_or_fail(&c, &s);
    send_or_fail(&c, GET_HELLO);
    struct ts_response r;
    expect_response(&c, false, 200, TS_HELLO_TXT, &r, "GET with keep-alive disabled");
    ck_assert_msg(ts_response_header_has(&r, "Connection", "close"), "%s",
                  ts_response_describe(&r));
    ts_response_free(&r);
    ck_assert_msg(ts_conn_closed_within(&c, CLOSE_WAIT_MS), "connection left open");
    ts_conn_close(&c);
    ts_server_stop(&s);
}
END_TEST

/* An idle persistent connection is closed after timeouts.keepalive, not much earlier. */
START_TEST(test_keepalive_timeout)
{
    struct ts_server s;
    ts_server_start(&s, "timeouts { header = 10  body = 10  keepalive = 1 }");
    struct ts_conn c;
    ts_conn_open_or_fail(&c, &s);
    send_or_fail(&c, GET_HELLO);
    struct ts_response r;
    expect_response(&c, false, 200, TS_HELLO_TXT, &r, "GET");
    ts_response_free(&r);
    double start = ts_now();
    bool closed = ts_conn_closed_within(&c, 8000);
    double waited = ts_now() - start;
    ck_assert_msg(closed, "idle connection still open after 8 s (keepalive = 1)");
    ck_assert_msg(waited > 0.5, "idle connection closed after %.2f s (keepalive = 1)", waited);
    ts_conn_close(&c);
    ts_assert_serving(&s, "after a keep-alive timeout");
    ts_server_stop(&s);
}
END_TEST

/* The head alone first; "100 Continue" must come before the body is sent. */
START_TEST(test_expect_continue)
{
    struct ts_server s;
    ts_server_start(&s, NULL);
    struct ts_conn c;
    ts_conn_open_or_fail(&c, &s);
    c.timeout_ms = 5000;
    send_or_fail(&c, "GET /hello.txt HTTP/1.1\r\n" HOST_HEADER
                     "Content-Length: 5\r\nExpect: 100-continue\r\n\r\n");
    struct ts_response r;
    ts_assert_ok(ts_response_read(&c, &r, false), "waiting for 100 Continue");
    ck_assert_msg(r.status == 100 && r.minor_version == 1, "expected HTTP/1.1 100 first, got %s",
                  ts_response_describe(&r));
    ts_response_free(&r);
    send_or_fail(&c, "abcde");
    expect_response(&c, false, 200, TS_HELLO_TXT, &r, "final response after the body");
    ts_response_free(&r);
    /* The body was consumed, not taken for the next request. */
    send_or_fail(&c, GET_HELLO);
    expect_response(&c, false, 200, TS_HELLO_TXT, &r, "next request on the connection");
    ts_response_free(&r);
    ts_conn_close(&c);
    ts_server_stop(&s);
}
END_TEST

/*
 * "Connection: close when the server will close" (RFC 9112 §9.6): a client that pipelined the
 * next request must learn from the response that it will not be answered. Each of these
 * requests leaves the server a reason to close (a body it has not read, which the client holds
 * back until 100 Continue); whether it closes is its choice, but if it does, it must say so.
 */
static const char *const close_candidates[] = {
    "GET /hello.txt HTTP/1.1\r\n" HOST_HEADER "Content-Length: 5\r\nExpect: 100-continue\r\n\r\n",
    "POST /hello.txt HTTP/1.1\r\n" HOST_HEADER "Content-Length: 5\r\nExpect: 100-continue\r\n\r\n",
    "GET /missing.txt HTTP/1.1\r\n" HOST_HEADER "Content-Length: 5\r\nExpect: 100-continue\r\n\r\n",
};

START_TEST(test_close_is_announced)
{
    struct ts_server s;
    ts_server_start(&s, NULL);
    struct ts_conn c;
    ts_conn_open_or_fail(&c, &s);
    send_or_fail(&c, close_candidates[_i]);
    struct ts_response r;
    ts_assert_ok(ts_response_read_final(&c, &r, false), "response");
    bool closed = ts_conn_closed_within(&c, 2000);
    ck_assert_msg(!closed || ts_response_header_has(&r, "Connection", "close"),
                  "the server closed after a response without Connection: close\n"
                  "request: %s\nresponse: %s",
                  close_candidates[_i], ts_response_describe(&r));
    ts_response_free(&r);
    ts_conn_close(&c);
    ts_server_stop(&s);
}
END_TEST

/* ---- malformed and refused requests ------------------------------------------------------ */

struct bad_request {
    const char *description;
    const char *raw;          /* the request bytes, or NULL when build() makes them */
    char *(*build)(void);     /* for the large ones */
    int status;               /* expected */
    int alt_status;           /* also acceptable, or 0 */
    bool must_close;          /* the connection must close after the response */
    const char *body_forbids; /* text the response must not contain, or NULL */
};

/* "GET /aaaa… HTTP/1.1": a request line past limits.request_line (8190). */
static char *build_long_request_line(void)
{
    char *raw = malloc(10000);
    int n = snprintf(raw, 10000, "GET /");
    memset(raw + n, 'a', 9000);
    snprintf(raw + n + 9000, 10000 - (size_t)n - 9000, " HTTP/1.1\r\n" HOST_HEADER "\r\n");
    return raw;
}

/* 120 header fields, past limits.header_fields (100). */
static char *build_many_headers(void)
{
    size_t cap = 120 * 32 + 256, n = 0;
    char *raw = malloc(cap);
    n += (size_t)snprintf(raw, cap, "GET / HTTP/1.1\r\n" HOST_HEADER);
    for (int i = 0; i < 120; i++)
        n += (size_t)snprintf(raw + n, cap - n, "X-Field-%d: %d\r\n", i, i);
    snprintf(raw + n, cap - n, "\r\n");
    return raw;
}

/* One header field of 9000 bytes, past limits.header_field_size (8190). */
static char *build_long_header(void)
{
    char *raw = malloc(10000);
    int n = snprintf(raw, 10000, "GET / HTTP/1.1\r\n" HOST_HEADER "X-Big: ");
    memset(raw + n, 'b', 9000);
    snprintf(raw + n + 9000, 10000 - (size_t)n - 9000, "\r\n\r\n");
    return raw;
}

static const struct bad_request bad_requests[] = {
    {"malformed request line", "GARBAGE\r\n\r\n", NULL, 400, 0, false, NULL},
    {"request line with an extra field", "GET / HTTP/1.1 extra\r\n" HOST_HEADER "\r\n", NULL, 400,
     0, false, NULL},
    {"not an HTTP version", "GET / FOO/1.1\r\n" HOST_HEADER "\r\n", NULL, 400, 0, false, NULL},
    {"request line over limits.request_line", NULL, build_long_request_line, 414, 0, false, NULL},
    {"more header fields than limits.header_fields", NULL, build_many_headers, 431, 0, false, NULL},
    {"one header field over limits.header_field_size", NULL, build_long_header, 431, 0, false,
     NULL},
    {"obs-fold", "GET / HTTP/1.1\r\n" HOST_HEADER "X-A: b\r\n  c\r\n\r\n", NULL, 400, 0, false,
     NULL},
    {"whitespace before ':'", "GET / HTTP/1.1\r\n" HOST_HEADER "X-A : b\r\n\r\n", NULL, 400, 0,
     false, NULL},
    {"header line without ':'", "GET / HTTP/1.1\r\n" HOST_HEADER "X-NoColon\r\n\r\n", NULL, 400, 0,
     false, NULL},
    {"HTTP/1.1 without Host", "GET / HTTP/1.1\r\n\r\n", NULL, 400, 0, false, NULL},
    {"two Host fields", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", NULL, 400, 0, false, NULL},
    {"Transfer-Encoding other than chunked",
     "POST /hello.txt HTTP/1.1\r\n" HOST_HEADER "Transfer-Encoding: gzip\r\n\r\n", NULL, 501, 0,
     false, NULL},
    {"HTTP/2.0 in the request line", "GET / HTTP/2.0\r\n" HOST_HEADER "\r\n", NULL, 505, 0, false,
     NULL},
    /* The server's choice; RFC 9110 §2.5 would also allow treating 1.2 as 1.1. */
    {"HTTP/1.2 in the request line", "GET / HTTP/1.2\r\n" HOST_HEADER "\r\n", NULL, 505, 200, false,
     NULL},
    {"Content-Length and Transfer-Encoding",
     "POST /hello.txt HTTP/1.1\r\n" HOST_HEADER
     "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
     NULL, 400, 0, true, NULL},
    {"malformed Content-Length",
     "POST /hello.txt HTTP/1.1\r\n" HOST_HEADER "Content-Length: 12abc\r\n\r\n", NULL, 400, 0,
     false, NULL},
    {"two different Content-Length",
     "POST /hello.txt HTTP/1.1\r\n" HOST_HEADER "Content-Length: 1\r\nContent-Length: 2\r\n\r\nab",
     NULL, 400, 0, false, NULL},
    {"body over the default limits.body (1G)",
     "POST /hello.txt HTTP/1.1\r\n" HOST_HEADER "Content-Length: 1073741825\r\n\r\n", NULL, 413, 0,
     false, NULL},
    {"%00 in the path", "GET /hello%00.txt HTTP/1.1\r\n" HOST_HEADER "\r\n", NULL, 400, 0, false,
     NULL},
    {"%2F in the path", "GET /sub%2Findex.html HTTP/1.1\r\n" HOST_HEADER "\r\n", NULL, 404, 0,
     false, NULL},
    {"dot segments above the root", "GET /../../etc/passwd HTTP/1.1\r\n" HOST_HEADER "\r\n", NULL,
     400, 0, false, "root:"},
    {"encoded dot segments above the root",
     "GET /%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\n" HOST_HEADER "\r\n", NULL, 400, 404, false,
     "root:"},
    {"DELETE on a static file", "DELETE /hello.txt HTTP/1.1\r\n" HOST_HEADER "\r\n", NULL, 405, 0,
     false, NULL},
    {"POST on a static file",
     "POST /hello.txt HTTP/1.1\r\n" HOST_HEADER "Content-Length: 0\r\n\r\n", NULL, 405, 0, false,
     NULL},
    {"unknown method", "FROB /hello.txt HTTP/1.1\r\n" HOST_HEADER "\r\n", NULL, 501, 405, false,
     NULL},
    {"TRACE with trace_enable = false", "TRACE / HTTP/1.1\r\n" HOST_HEADER "\r\n", NULL, 405, 0,
     false, NULL},
};

#define N_BAD_REQUESTS ((int)(sizeof(bad_requests) / sizeof(bad_requests[0])))

static void assert_bad_response(const struct bad_request *row, const struct ts_response *r)
{
    ck_assert_msg(r->status == row->status || (row->alt_status && r->status == row->alt_status),
                  "%s: expected %d, got %s", row->description, row->status,
                  ts_response_describe(r));
    if (r->status >= 400)
        ck_assert_msg(ts_response_header(r, "Content-Type") != NULL &&
                          strncmp(ts_response_header(r, "Content-Type"), "text/html", 9) == 0,
                      "%s: the error page is not text/html: %s", row->description,
                      ts_response_describe(r));
    if (r->status == 405) /* RFC 9110 §15.5.6 */
        ck_assert_msg(ts_response_header(r, "Allow") != NULL, "%s: 405 without Allow",
                      row->description);
    if (row->body_forbids != NULL)
        ck_assert_msg(strstr(r->body, row->body_forbids) == NULL, "%s: the body holds \"%s\"",
                      row->description, row->body_forbids);
}

/* No worker that existed before the request has died because of it. */
static void assert_workers_alive(const pid_t *pids, size_t n, const char *what)
{
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(ts_pid_alive(pids[i]), "worker %d died after: %s", (int)pids[i], what);
}

START_TEST(test_bad_request)
{
    const struct bad_request *row = &bad_requests[_i];
    struct ts_server s;
    ts_server_start(&s, NULL);
    pid_t workers[TS_MAX_PIDS];
    size_t nworkers = ts_workers(s.pid, workers, TS_MAX_PIDS);
    char *raw = row->build != NULL ? row->build() : strdup(row->raw);
    struct ts_conn c;
    ts_conn_open_or_fail(&c, &s);
    int sent = ts_conn_send_str(&c, raw);
    free(raw);
    ck_assert_msg(sent == TS_OK || sent == TS_RESET, "%s: send: %s", row->description,
                  ts_result_name(sent));
    struct ts_response r;
    int rc = ts_response_read_final(&c, &r, false);
    ck_assert_msg(rc == TS_OK, "%s: no response (%s)", row->description, ts_result_name(rc));
    assert_bad_response(row, &r);
    bool closed = ts_conn_closed_within(&c, row->must_close ? CLOSE_WAIT_MS : 300);
    ck_assert_msg(closed || !row->must_close, "%s: the connection stayed open", row->description);
    ck_assert_msg(!closed || ts_response_header_has(&r, "Connection", "close"),
                  "%s: the server closed without Connection: close: %s", row->description,
                  ts_response_describe(&r));
    ts_response_free(&r);
    ts_conn_close(&c);
    ts_assert_serving(&s, row->description);
    assert_workers_alive(workers, nworkers, row->description);
    ts_server_stop(&s);
}
END_TEST

/* ---- logs --------------------------------------------------------------------------------- */

static bool matches(const char *pattern, const char *text)
{
    regex_t re;
    ck_assert_msg(regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB) == 0, "bad regex %s", pattern);
    bool ok = regexec(&re, text, 0, NULL, 0) == 0;
    regfree(&re);
    return ok;
}

#define CLF_TIME "\\[[0-9]{2}/[A-Z][a-z]{2}/[0-9]{4}:[0-9]{2}:[0-9]{2}:[0-9]{2} [+-][0-9]{4}\\]"

/* The access-log line holding needle matches pattern (polls: the worker writes it after). */
static void assert_access_line(const struct ts_server *s, const char *needle, const char *pattern)
{
    ck_assert_msg(ts_file_wait_for(s->access_log, needle, 5.0), "no access-log line with %s",
                  needle);
    char *line = ts_file_line_with(s->access_log, needle);
    bool ok = line != NULL && matches(pattern, line);
    static char copy[1024];
    snprintf(copy, sizeof(copy), "%s", line ? line : "(none)");
    free(line);
    ck_assert_msg(ok, "access-log line\n  %s\ndoes not match\n  %s", copy, pattern);
}

START_TEST(test_access_log_combined)
{
    struct ts_server s;
    ts_server_start(&s, NULL);
    struct ts_response r;
    const char *raw = "GET /hello.txt HTTP/1.1\r\n" HOST_HEADER "User-Agent: pfd-test/1.0 (ok)\r\n"
                      "Referer: http://example.test/from\r\nConnection: close\r\n\r\n";
    ts_assert_ok(ts_request(s.port, raw, &r), "GET for the access log");
    ts_response_free(&r);
    raw = "GET /missing.txt HTTP/1.1\r\n" HOST_HEADER "User-Agent: pfd-test/404\r\n"
          "Connection: close\r\n\r\n";
    ts_assert_ok(ts_request(s.port, raw, &r), "GET missing for the access log");
    ts_response_free(&r);
    assert_access_line(&s, "pfd-test/1.0",
                       "^127\\.0\\.0\\.1 - - " CLF_TIME " \"GET /hello\\.txt HTTP/1\\.1\" 200 12 "
                       "\"http://example\\.test/from\" \"pfd-test/1\\.0 \\(ok\\)\"$");
    assert_access_line(&s, "pfd-test/404",
                       "^127\\.0\\.0\\.1 - - " CLF_TIME
                       " \"GET /missing\\.txt HTTP/1\\.1\" 404 [0-9]+ \"-\" \"pfd-test/404\"$");
    ts_server_stop(&s);
}
END_TEST

#define ERROR_LOG_LINE                                                                             \
    "^\\[(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "         \
    "[ 0-9][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{6} [0-9]{4}\\] \\[[a-z]+\\] \\[pid [0-9]+\\] " \
    ".+$"

/* Every line the server wrote to the error log (start-up, a 404) has the documented format. */
START_TEST(test_error_log_format)
{
    struct ts_server s;
    ts_server_start(&s, NULL);
    ck_assert_int_eq(ts_get_status(s.port, "/no-such-file"), 404);
    ck_assert_msg(ts_file_wait_for(s.error_log, "[pid ", 5.0), "the error log stays empty");
    char *text = ts_file_read(s.error_log, NULL);
    char *save = NULL;
    static char bad[1024];
    bad[0] = '\0';
    for (char *line = strtok_r(text, "\n", &save); line != NULL && bad[0] == '\0';
         line = strtok_r(NULL, "\n", &save)) {
        if (!matches(ERROR_LOG_LINE, line))
            snprintf(bad, sizeof(bad), "%s", line);
    }
    free(text);
    ck_assert_msg(bad[0] == '\0', "error-log line in the wrong format:\n  %s", bad);
    ts_server_stop(&s);
}
END_TEST

static Suite *http_suite(void)
{
    Suite *suite = suite_create("http");
    TCase *files = tcase_create("static");
    tcase_set_timeout(files, 60);
    tcase_add_test(files, test_get_index);
    tcase_add_test(files, test_get_text_file);
    tcase_add_test(files, test_get_big_file);
    tcase_add_test(files, test_head);
    tcase_add_test(files, test_not_found);
    tcase_add_test(files, test_directory_redirect_and_index);
    tcase_add_test(files, test_options_star);
    suite_add_tcase(suite, files);

    TCase *conns = tcase_create("connections");
    tcase_set_timeout(conns, 60);
    tcase_add_test(conns, test_keepalive_three_requests);
    tcase_add_test(conns, test_pipelining);
    tcase_add_test(conns, test_http10_closes);
    tcase_add_test(conns, test_http10_keepalive);
    tcase_add_test(conns, test_http11_connection_close);
    tcase_add_test(conns, test_keepalive_max_requests);
    tcase_add_test(conns, test_keepalive_disabled);
    tcase_add_test(conns, test_keepalive_timeout);
    tcase_add_test(conns, test_expect_continue);
    tcase_add_loop_test(conns, test_close_is_announced, 0,
                        (int)(sizeof(close_candidates) / sizeof(close_candidates[0])));
    suite_add_tcase(suite, conns);

    TCase *bad = tcase_create("bad_requests");
    tcase_set_timeout(bad, 60);
    tcase_add_loop_test(bad, test_bad_request, 0, N_BAD_REQUESTS);
    suite_add_tcase(suite, bad);

    TCase *logs = tcase_create("logs");
    tcase_set_timeout(logs, 60);
    tcase_add_test(logs, test_access_log_combined);
    tcase_add_test(logs, test_error_log_format);
    suite_add_tcase(suite, logs);
    return suite;
}

int main(void)
{
    return ts_run_session(http_suite());
}
