/*
 * check_body.c — request bodies through the real preforkd binary. mod_static reads no body, so
 * every body here is one the core must drain (Content-Length or chunked, up to 256 KiB) for the
 * connection to carry the next request; a body it cannot drain, or cannot parse, must end the
 * connection, and the response must say so (RFC 9112 §9.6).
 */
#include "testsupport.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HOST_HEADER "Host: " TS_HOST "\r\n"
#define GET_HELLO "GET /hello.txt HTTP/1.1\r\n" HOST_HEADER "\r\n"
#define POST_HEAD "POST /hello.txt HTTP/1.1\r\n" HOST_HEADER
#define CLOSE_WAIT_MS 5000    /* how long a connection may take to close when it must */
#define BIG_BODY (200 * 1024) /* under the 256 KiB the core drains */
#define BIG_CHUNK 4096

/* ---- helpers ------------------------------------------------------------------------------ */

static void assert_result(int rc, const char *what)
{
    ck_assert_msg(rc == TS_OK, "%s: %s", what, ts_result_name(rc));
}

static void conn_open_or_fail(struct ts_conn *c, const struct ts_server *s)
{
    ck_assert_msg(ts_conn_open(c, s->port, 5000) == 0, "connect to port %d failed", s->port);
}

static void send_or_fail(struct ts_conn *c, const char *data, size_t len, const char *what)
{
    int rc = ts_conn_send(c, data, len);
    ck_assert_msg(rc == TS_OK, "%s: send: %s", what, ts_result_name(rc));
}

/* The next response on c is status, and does not announce a close. */
static void expect_kept(struct ts_conn *c, int status, const char *what)
{
    struct ts_response r;
    assert_result(ts_response_read_final(c, &r, false), what);
    ck_assert_msg(r.status == status, "%s: expected %d, got %s", what, status,
                  ts_response_describe(&r));
    ck_assert_msg(!ts_response_header_has(&r, "Connection", "close"),
                  "%s: the connection is not kept: %s", what, ts_response_describe(&r));
    if (status == 200)
        ck_assert_msg(strcmp(r.body, TS_HELLO_TXT) == 0, "%s: unexpected body: %s", what,
                      ts_response_describe(&r));
    ts_response_free(&r);
}

/* A fresh connection still gets GET /hello.txt. */
static void assert_still_serving(const struct ts_server *s, const char *after)
{
    int status = ts_get_status(s->port, "/hello.txt");
    ck_assert_msg(status == 200, "after %s, a new GET /hello.txt got %d (%s)", after, status,
                  status < 0 ? ts_result_name(status) : "status");
}

/* ---- bodies the core drains --------------------------------------------------------------- */

struct body_case {
    const char *description;
    const char *head; /* the request head after POST_HEAD, with the final empty line */
    const char *body; /* the body bytes, or NULL when build() makes them */
    char *(*build)(size_t *len);
};

/* 200 KiB in Content-Length. */
static char *build_big_body(size_t *len)
{
    char *body = malloc(BIG_BODY);
    for (size_t i = 0; i < BIG_BODY; i++)
        body[i] = (char)('a' + i % 26);
    *len = BIG_BODY;
    return body;
}

/* 200 KiB in 4 KiB chunks, a last chunk and a trailer field. */
static char *build_big_chunked(size_t *len)
{
    size_t cap = BIG_BODY + (BIG_BODY / BIG_CHUNK) * 16 + 64, n = 0;
    char *body = malloc(cap);
    for (size_t sent = 0; sent < BIG_BODY; sent += BIG_CHUNK) {
        n += (size_t)snprintf(body + n, cap - n, "%x\r\n", BIG_CHUNK);
        memset(body + n, 'c', BIG_CHUNK);
        n += BIG_CHUNK;
        n += (size_t)snprintf(body + n, cap - n, "\r\n");
    }
    n += (size_t)snprintf(body + n, cap - n, "0\r\nX-Trailer: end\r\n\r\n");
    *len = n;
    return body;
}

static const struct body_case body_cases[] = {
    {"Content-Length body", "Content-Length: 11\r\n\r\n", "hello world", NULL},
    {"chunked body", "Transfer-Encoding: chunked\r\n\r\n", "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
     NULL},
    {"chunked body with extensions and a trailer", "Transfer-Encoding: chunked\r\n\r\n",
     "5;name=value\r\nhello\r\nA ; quoted=\"x y\"\r\n0123456789\r\n0\r\nX-Sum: 15\r\n\r\n", NULL},
    {"200 KiB Content-Length body", "Content-Length: 204800\r\n\r\n", NULL, build_big_body},
    {"200 KiB chunked body", "Transfer-Encoding: chunked\r\n\r\n", NULL, build_big_chunked},
};

#define N_BODY_CASES ((int)(sizeof(body_cases) / sizeof(body_cases[0])))

/* The ways a client delivers the request and the GET after it. */
enum delivery {
    DELIVER_TOGETHER,   /* head and body in one write; the GET after the 405 */
    DELIVER_BODY_LATER, /* the head; the 405; then the body and the GET in one write */
    DELIVER_PIPELINED,  /* head, body and GET in one write */
    DELIVERIES,
};

static const char *const delivery_names[] = {"head and body together", "body after the response",
                                             "GET pipelined behind the body"};

/* A POST with a body to a static file: 405, and the same connection then serves a GET. */
START_TEST(test_body_drained)
{
    const struct body_case *row = &body_cases[_i / DELIVERIES];
    enum delivery how = (enum delivery)(_i % DELIVERIES);
    char what[256];
    snprintf(what, sizeof(what), "%s, %s", row->description, delivery_names[how]);
    size_t body_len = row->body != NULL ? strlen(row->body) : 0;
    char *body = row->build != NULL ? row->build(&body_len) : strdup(row->body);
    size_t head_len = strlen(POST_HEAD) + strlen(row->head);
    size_t get_len = strlen(GET_HELLO);
    char *raw = malloc(head_len + body_len + get_len + 1);
    snprintf(raw, head_len + 1, "%s%s", POST_HEAD, row->head);
    memcpy(raw + head_len, body, body_len);
    memcpy(raw + head_len + body_len, GET_HELLO, get_len + 1);
    free(body);

    struct ts_server s;
    ts_server_start(&s, NULL);
    struct ts_conn c;
    conn_open_or_fail(&c, &s);
    switch (how) {
    case DELIVER_TOGETHER:
        send_or_fail(&c, raw, head_len + body_len, what);
        expect_kept(&c, 405, what);
        send_or_fail(&c, GET_HELLO, get_len, what);
        break;
    case DELIVER_BODY_LATER:
        send_or_fail(&c, raw, head_len, what);
        expect_kept(&c, 405, what);
        send_or_fail(&c, raw + head_len, body_len + get_len, what);
        break;
    default:
        send_or_fail(&c, raw, head_len + body_len + get_len, what);
        expect_kept(&c, 405, what);
        break;
    }
    free(raw);
    expect_kept(&c, 200, "the GET after the drained body");
    /* Nothing of the body was taken for a request: no third response is pending. */
    ck_assert_msg(c.len == 0, "%s: %zu stray bytes after the GET's response", what, c.len);
    ts_conn_close(&c);
    ts_server_stop(&s);
}
END_TEST

/* ---- bodies that end the connection ------------------------------------------------------- */

struct bad_body {
    const char *description;
    const char *raw; /* the whole request */
    int status;      /* expected */
    int alt_status;  /* also acceptable, or 0 */
};

static const struct bad_body bad_bodies[] = {
    /* 405 is acceptable too: the handler refused the method before a body byte was read. */
    {"chunk size that is not hex",
     POST_HEAD "Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n", 400, 405},
    {"chunk size over 64 bits",
     POST_HEAD "Transfer-Encoding: chunked\r\n\r\n10000000000000000\r\nhello\r\n0\r\n\r\n", 400,
     405},
    {"chunk data not followed by CRLF",
     POST_HEAD "Transfer-Encoding: chunked\r\n\r\n5\r\nhelloXY0\r\n\r\n", 400, 405},
    {"negative chunk size", POST_HEAD "Transfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n",
     400, 405},
    /* Over what the core drains (256 KiB), under limits.body (1M): not worth reading. */
    {"Content-Length body over the drain limit", POST_HEAD "Content-Length: 300000\r\n\r\n", 405,
     0},
};

#define N_BAD_BODIES ((int)(sizeof(bad_bodies) / sizeof(bad_bodies[0])))

/* The response announces the close (Connection: close), the connection then closes, and the
 * GET pipelined behind the request is not answered. */
START_TEST(test_body_ends_connection)
{
    const struct bad_body *row = &bad_bodies[_i];
    struct ts_server s;
    ts_server_start(&s, NULL);
    struct ts_conn c;
    conn_open_or_fail(&c, &s);
    char raw[512];
    snprintf(raw, sizeof(raw), "%s%s", row->raw, GET_HELLO);
    int sent = ts_conn_send_str(&c, raw);
    ck_assert_msg(sent == TS_OK || sent == TS_RESET, "%s: send: %s", row->description,
                  ts_result_name(sent));
    struct ts_response r;
    int rc = ts_response_read_final(&c, &r, false);
    ck_assert_msg(rc == TS_OK, "%s: no response (%s)", row->description, ts_result_name(rc));
    ck_assert_msg(r.status == row->status || (row->alt_status && r.status == row->alt_status),
                  "%s: expected %d, got %s", row->description, row->status,
                  ts_response_describe(&r));
    ck_assert_msg(ts_response_header_has(&r, "Connection", "close"),
                  "%s: the server must close, and the response does not say so: %s",
                  row->description, ts_response_describe(&r));
    ts_response_free(&r);
    rc = ts_response_read(&c, &r, false);
    ck_assert_msg(rc != TS_OK, "%s: the pipelined GET was answered (%s)", row->description,
                  ts_response_describe(&r));
    ts_response_free(&r);
    ck_assert_msg(ts_conn_closed_within(&c, CLOSE_WAIT_MS), "%s: the connection stayed open",
                  row->description);
    ts_conn_close(&c);
    assert_still_serving(&s, row->description);
    ts_server_stop(&s);
}
END_TEST

static Suite *body_suite(void)
{
    Suite *suite = suite_create("body");
    TCase *drained = tcase_create("drained");
    tcase_set_timeout(drained, 60);
    tcase_add_loop_test(drained, test_body_drained, 0, N_BODY_CASES * DELIVERIES);
    suite_add_tcase(suite, drained);

    TCase *closing = tcase_create("closing");
    tcase_set_timeout(closing, 60);
    tcase_add_loop_test(closing, test_body_ends_connection, 0, N_BAD_BODIES);
    suite_add_tcase(suite, closing);
    return suite;
}

int main(void)
{
    ts_session_begin();
    SRunner *runner = srunner_create(body_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return ts_session_end(failed);
}
