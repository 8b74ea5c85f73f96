/*
 * check_body.c — request bodies through the real preforkd binary. mod_static reads no body, so
 * every body here is one the core must drain (Content-Length or chunked, up to 256 KiB) for the
 * connection to carry the next request; a body it cannot drain, or cannot parse, must end the
 * connection, and the response must say so (RFC 9112 §9.6). A body over limits.body is refused
 * in a way the client sees: 413 for a Content-Length one, read to its end (within bounds) so
 * that a client still uploading reads the 413; Connection: close on the response when an unread
 * chunked body turns out to be over the limit.
 */
#include "testsupport.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testsupport_run.h"

#define HOST_HEADER "Host: " TS_HOST "\r\n"
#define GET_HELLO "GET /hello.txt HTTP/1.1\r\n" HOST_HEADER "\r\n"
#define POST_HEAD "POST /hello.txt HTTP/1.1\r\n" HOST_HEADER
#define CLOSE_WAIT_MS 5000    /* how long a connection may take to close when it must */
#define BIG_BODY (200 * 1024) /* under the 256 KiB the core drains */
#define BIG_CHUNK 4096

/* ---- helpers ------------------------------------------------------------------------------ */

static void send_or_fail(struct ts_conn *c, const char *data, size_t len, const char *what)
{
    int rc = ts_conn_send(c, data, len);
    ck_assert_msg(rc == TS_OK, "%s: send: %s", what, ts_result_name(rc));
}

/* The next response on c is status, and does not announce a close. */
static void expect_kept(struct ts_conn *c, int status, const char *what)
{
    struct ts_response r;
    ts_assert_ok(ts_response_read_final(c, &r, false), what);
    ck_assert_msg(r.status == status, "%s: expected %d, got %s", what, status,
                  ts_response_describe(&r));
    ck_assert_msg(!ts_response_header_has(&r, "Connection", "close"),
                  "%s: the connection is not kept: %s", what, ts_response_describe(&r));
    if (status == 200)
        ck_assert_msg(strcmp(r.body, TS_HELLO_TXT) == 0, "%s: unexpected body: %s", what,
                      ts_response_describe(&r));
    ts_response_free(&r);
}

/* The next response on c is status with Connection: close, and the connection then closes
 * without another response. */
static void expect_closing(struct ts_conn *c, int status, const char *what)
{
    struct ts_response r;
    ts_assert_ok(ts_response_read_final(c, &r, false), what);
    ck_assert_msg(r.status == status, "%s: expected %d, got %s", what, status,
                  ts_response_describe(&r));
    ck_assert_msg(ts_response_header_has(&r, "Connection", "close"),
                  "%s: the server must close, and the response does not say so: %s", what,
                  ts_response_describe(&r));
    if (status == 200)
        ck_assert_msg(strcmp(r.body, TS_HELLO_TXT) == 0, "%s: unexpected body: %s", what,
                      ts_response_describe(&r));
    ts_response_free(&r);
    int rc = ts_response_read(c, &r, false);
    ck_assert_msg(rc != TS_OK, "%s: a second response: %s", what, ts_response_describe(&r));
    ts_response_free(&r);
    ck_assert_msg(ts_conn_closed_within(c, CLOSE_WAIT_MS), "%s: the connection stayed open", what);
}

/* A fresh connection still gets GET /hello.txt. */
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
    ts_conn_open_or_fail(&c, &s);
    if (how == DELIVER_BODY_LATER && strstr(row->head, "chunked") != NULL) {
        /* A chunked body held back for the response: its size (against limits.body) cannot be
         * known before the response, so the response cannot promise to keep the connection. */
        send_or_fail(&c, raw, head_len, what);
        expect_closing(&c, 405, what);
        free(raw);
        ts_conn_close(&c);
        ts_server_stop(&s);
        return;
    }
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
    /* Over what the core drains (256 KiB), under limits.body (the default, 1G): not worth
     * reading. */
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
    ts_conn_open_or_fail(&c, &s);
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
    ts_assert_serving(&s, row->description);
    ts_server_stop(&s);
}
END_TEST

/* ---- limits.body -------------------------------------------------------------------------- */

#define LIMIT_CONF "limits { body = \"110K\" }\n"
#define LIMIT_OVER (192 * 1024)  /* over the 110 KiB limit, under the 256 KiB drain */
#define LIMIT_UNDER (100 * 1024) /* under it */

/* size bytes in BIG_CHUNK chunks and the last chunk. */
static char *build_chunked(size_t size, size_t *len)
{
    size_t cap = size + (size / BIG_CHUNK + 1) * 16 + 16, n = 0;
    char *body = malloc(cap);
    for (size_t sent = 0; sent < size; sent += BIG_CHUNK) {
        size_t chunk = size - sent < BIG_CHUNK ? size - sent : BIG_CHUNK;
        n += (size_t)snprintf(body + n, cap - n, "%zx\r\n", chunk);
        memset(body + n, 'c', chunk);
        n += chunk;
        n += (size_t)snprintf(body + n, cap - n, "\r\n");
    }
    n += (size_t)snprintf(body + n, cap - n, "0\r\n\r\n");
    *len = n;
    return body;
}

struct limit_case {
    const char *description;
    bool chunked;
    size_t size;
    int status;
    bool kept; /* the GET behind it is answered on the same connection */
};

static const struct limit_case limit_cases[] = {
    {"192 KiB chunked body, unread by the handler", true, LIMIT_OVER, 200, false},
    {"192 KiB Content-Length body", false, LIMIT_OVER, 413, false},
    {"100 KiB chunked body, unread by the handler", true, LIMIT_UNDER, 200, true},
};

/*
 * GET /hello.txt with a body and limits { body = "110K" }: mod_static reads no body, so the core
 * drains it with the limit applied. Over the limit the client is told (413 before anything is
 * sent, else Connection: close on the response) instead of being dropped after a response that
 * promised to keep the connection.
 */
START_TEST(test_unread_chunked_body_over_limit_announces_close)
{
    const struct limit_case *row = &limit_cases[_i];
    size_t body_len = row->size;
    char *body = row->chunked ? build_chunked(row->size, &body_len) : malloc(row->size);
    if (!row->chunked)
        memset(body, 'b', row->size);
    char framing[64], head[256];
    if (row->chunked)
        snprintf(framing, sizeof(framing), "Transfer-Encoding: chunked\r\n");
    else
        snprintf(framing, sizeof(framing), "Content-Length: %zu\r\n", row->size);
    int head_len =
        snprintf(head, sizeof(head), "GET /hello.txt HTTP/1.1\r\n" HOST_HEADER "%s\r\n", framing);
    size_t get_len = strlen(GET_HELLO);
    char *raw = malloc((size_t)head_len + body_len + get_len);
    memcpy(raw, head, (size_t)head_len);
    memcpy(raw + head_len, body, body_len);
    memcpy(raw + (size_t)head_len + body_len, GET_HELLO, get_len);
    free(body);

    struct ts_server s;
    ts_server_start(&s, LIMIT_CONF);
    struct ts_conn c;
    ts_conn_open_or_fail(&c, &s);
    send_or_fail(&c, raw, (size_t)head_len + body_len + get_len, row->description);
    free(raw);
    if (row->kept) {
        expect_kept(&c, row->status, row->description);
        expect_kept(&c, 200, "the GET after the drained body");
    } else {
        expect_closing(&c, row->status, row->description);
    }
    ts_conn_close(&c);
    ts_assert_serving(&s, row->description);
    ts_server_stop(&s);
}
END_TEST

#define UPLOAD_TRIES 10
#define UPLOAD_LIMIT_CONF "limits { body = \"64K\" }\n"

struct upload_case {
    size_t size;
    size_t piece; /* bytes per write; 0: the whole request in one write */
    int pause_ms; /* between two pieces */
};

static const struct upload_case upload_cases[] = {
    {1024 * 1024, 0, 0},
    {4 * 1024 * 1024, 0, 0},
    {1024 * 1024, 64 * 1024, 40}, /* a client still uploading for about 0.6 s after the 413 */
};

/* Sends the request head and body as row says; TS_OK or the send's failure. */
static int upload_send(struct ts_conn *c, const char *raw, size_t len,
                       const struct upload_case *row)
{
    size_t piece = row->piece > 0 ? row->piece : len;
    for (size_t at = 0; at < len; at += piece) {
        int rc = ts_conn_send(c, raw + at, len - at < piece ? len - at : piece);
        if (rc != TS_OK)
            return rc;
        if (row->pause_ms > 0)
            ts_sleep_ms(row->pause_ms);
    }
    return TS_OK;
}

/*
 * An upload over limits.body that the client sends whole before it reads: every time, it reads
 * the 413 (the server reads on after answering, then closes) rather than a reset.
 */
START_TEST(test_refused_upload_reads_413)
{
    const struct upload_case *row = &upload_cases[_i];
    char head[256];
    int head_len = snprintf(head, sizeof(head), POST_HEAD "Content-Length: %zu\r\n\r\n", row->size);
    size_t len = (size_t)head_len + row->size;
    char *raw = malloc(len);
    memcpy(raw, head, (size_t)head_len);
    memset(raw + head_len, 'u', row->size);
    struct ts_server s;
    ts_server_start(&s, UPLOAD_LIMIT_CONF);
    int got_413 = 0;
    char last[160] = "-";
    for (int i = 0; i < UPLOAD_TRIES; i++) {
        struct ts_conn c;
        ts_conn_open_or_fail(&c, &s);
        int rc = upload_send(&c, raw, len, row);
        struct ts_response r = {0};
        if (rc == TS_OK)
            rc = ts_response_read_final(&c, &r, false);
        if (rc == TS_OK && r.status == 413)
            got_413++;
        else
            snprintf(last, sizeof(last), "%s",
                     rc == TS_OK ? ts_response_describe(&r) : ts_result_name(rc));
        ts_response_free(&r);
        ts_conn_close(&c);
    }
    free(raw);
    ts_server_stop(&s);
    ck_assert_msg(got_413 == UPLOAD_TRIES,
                  "%zu-byte upload, %zu-byte writes (0: one): 413 in %d of %d tries; else %s",
                  row->size, row->piece, got_413, UPLOAD_TRIES, last);
}
END_TEST

#define PER_LOCATION_CONF                                                                          \
    "limits { body = \"64K\" }\n"                                                                  \
    "location \"/small/\" { body_limit = \"1K\" }\n"                                               \
    "location \"/big/\" { body_limit = \"1M\" }\n"                                                 \
    "location \"/free/\" { body_limit = \"0\" }\n"                                                 \
    "vhost \"up.test\" { body_limit = \"512K\" }\n"

struct where_case {
    const char *host;
    const char *path; /* none of them exists: a body under the limit is drained, then 404 */
    bool chunked;
    size_t size;
    int status;
    bool closes; /* the response says Connection: close */
};

static const struct where_case where_cases[] = {
    {TS_HOST, "/small/x", false, 2048, 413, true},
    {TS_HOST, "/small/x", false, 512, 404, false},
    {TS_HOST, "/big/x", false, 200 * 1024, 404, false}, /* over limits.body, under the location's */
    {TS_HOST, "/x", false, 100 * 1024, 413, true},
    {TS_HOST, "/free/x", false, 200 * 1024, 404, false},
    {"up.test", "/x", false, 200 * 1024, 404, false},
    {"up.test", "/x", false, 600 * 1024, 413, true},
    {"up.test", "/small/x", false, 2048, 413,
     true},                                       /* the top level's locations apply in the vhost */
    {TS_HOST, "/small/x", true, 2048, 404, true}, /* chunked, unread: over the limit → close */
    {TS_HOST, "/big/x", true, 200 * 1024, 404, false}, /* chunked, unread, under: kept */
};

/*
 * body_limit in a location and a vhost (Apache's LimitRequestBody per <Location>, nginx's
 * client_max_body_size): it replaces limits.body for the requests routed there, lower or higher.
 */
START_TEST(test_body_limit_per_location)
{
    const struct where_case *row = &where_cases[_i];
    size_t body_len = row->size;
    char *body = row->chunked ? build_chunked(row->size, &body_len) : malloc(row->size);
    if (!row->chunked)
        memset(body, 'b', row->size);
    char head[512];
    int head_len =
        row->chunked
            ? snprintf(head, sizeof(head),
                       "POST %s HTTP/1.1\r\nHost: %s\r\nTransfer-Encoding: chunked\r\n\r\n",
                       row->path, row->host)
            : snprintf(head, sizeof(head),
                       "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Length: %zu\r\n\r\n", row->path,
                       row->host, row->size);
    char *raw = malloc((size_t)head_len + body_len);
    memcpy(raw, head, (size_t)head_len);
    memcpy(raw + head_len, body, body_len);
    free(body);
    char what[128];
    snprintf(what, sizeof(what), "%s%s, %zu bytes%s", row->host, row->path, row->size,
             row->chunked ? " chunked" : "");

    struct ts_server s;
    ts_server_start(&s, PER_LOCATION_CONF);
    struct ts_conn c;
    ts_conn_open_or_fail(&c, &s);
    send_or_fail(&c, raw, (size_t)head_len + body_len, what);
    free(raw);
    struct ts_response r;
    ts_assert_ok(ts_response_read_final(&c, &r, false), what);
    ck_assert_msg(r.status == row->status, "%s: expected %d, got %s", what, row->status,
                  ts_response_describe(&r));
    ck_assert_msg(ts_response_header_has(&r, "Connection", "close") == row->closes,
                  "%s: Connection: close %s expected: %s", what, row->closes ? "is" : "is not",
                  ts_response_describe(&r));
    ts_response_free(&r);
    ts_conn_close(&c);
    ts_assert_serving(&s, what);
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

    TCase *limit = tcase_create("limit");
    tcase_set_timeout(limit, 60);
    tcase_add_loop_test(limit, test_unread_chunked_body_over_limit_announces_close, 0,
                        (int)(sizeof(limit_cases) / sizeof(limit_cases[0])));
    tcase_add_loop_test(limit, test_refused_upload_reads_413, 0,
                        (int)(sizeof(upload_cases) / sizeof(upload_cases[0])));
    tcase_add_loop_test(limit, test_body_limit_per_location, 0,
                        (int)(sizeof(where_cases) / sizeof(where_cases[0])));
    suite_add_tcase(suite, limit);
    return suite;
}

int main(void)
{
    return ts_run_session(body_suite());
}
