/*
 * check_close.c — how a connection ends, against the real preforkd binary: a client that asked
 * for the close (RFC 9112 §9.6) and sent nothing more is closed at once, so a client that then
 * keeps its end open holds no worker; one that may still be sending (a body the server did not
 * read) still gets the lingering close, and with it the whole response.
 *
 * The pool has one worker and no keeper (park = false), so the next client's wait is the time
 * the first one kept the worker. The lingering close waits 2 s for a silent client
 * (PFD_LINGER_IDLE_MS); a close at once frees the worker in well under that.
 */
#include "testsupport.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testsupport_run.h"

#define HOST_HEADER "Host: " TS_HOST "\r\n"
#define ONE_WORKER_CONF                                                                            \
    "prefork { start_servers = 1  min_spare_servers = 1  max_spare_servers = 1\n"                  \
    "          max_workers = 1 }\n"                                                                \
    "keepalive { park = false }\n"                                                                 \
    "limits { body = \"16\" }\n"
#define LINGER_IDLE_S 2.0
/* Far below the lingering close's 2 s, far above a request's time on a loaded machine. */
#define FREED_WITHIN_S 1.2

/* Requests after which the client has asked for the close and has nothing in flight. */
static const char *const closing_requests[] = {
    "GET /hello.txt HTTP/1.1\r\n" HOST_HEADER "Connection: close\r\n\r\n",
    "GET /hello.txt HTTP/1.0\r\n" HOST_HEADER "\r\n",
    "POST /hello.txt HTTP/1.1\r\n" HOST_HEADER "Connection: close\r\nContent-Length: 3\r\n\r\nabc",
    "GET /missing.txt HTTP/1.1\r\n" HOST_HEADER "Connection: close\r\n\r\n",
};

/* Sends raw on a new connection, reads the response and the server's FIN, keeps its end open. */
static void close_open_and_hold(struct ts_conn *c, const struct ts_server *s, const char *raw)
{
    ts_conn_open_or_fail(c, s);
    ck_assert_int_eq(ts_conn_send_str(c, raw), TS_OK);
    struct ts_response r;
    ts_assert_ok(ts_response_read(c, &r, false), raw);
    ck_assert_msg(r.status >= 200, "\"%s\": %s", raw, ts_response_describe(&r));
    ts_response_free(&r);
    ck_assert_msg(ts_conn_closed_within(c, 3000), "\"%s\": the server did not close", raw);
}

/* Seconds until a new client's GET is answered (the only worker must be free for it). */
static double close_next_client_wait(const struct ts_server *s)
{
    double start = ts_now();
    struct ts_response r;
    ts_assert_ok(ts_get(s->port, "/hello.txt", &r), "the next client's GET");
    ck_assert_int_eq(r.status, 200);
    ts_response_free(&r);
    return ts_now() - start;
}

/* A client that asked for the close, read its answer and keeps its end open: the worker is free
 * for the next client at once (before: it waited 2 s for the client's close). */
START_TEST(test_asked_close_frees_worker)
{
    const char *raw = closing_requests[_i];
    struct ts_server s;
    ts_server_start(&s, ONE_WORKER_CONF);
    struct ts_conn held;
    close_open_and_hold(&held, &s, raw);
    double waited = close_next_client_wait(&s);
    ts_conn_close(&held);
    ck_assert_msg(waited < FREED_WITHIN_S,
                  "\"%s\" then the client kept its end open: the next client waited %.2f s", raw,
                  waited);
    ts_server_stop(&s);
}
END_TEST

/* A body too big for limits { body } is refused unread, and the client may still be sending
 * it: the lingering close stays, so the client reads the whole 413 (no reset) and the worker
 * waits for it as before. */
START_TEST(test_unread_body_still_lingers)
{
    struct ts_server s;
    ts_server_start(&s, ONE_WORKER_CONF);
    struct ts_conn held;
    ts_conn_open_or_fail(&held, &s);
    ck_assert_int_eq(ts_conn_send_str(&held, "POST /hello.txt HTTP/1.1\r\n" HOST_HEADER
                                             "Connection: close\r\nContent-Length: 100000\r\n\r\n"
                                             "0123456789"),
                     TS_OK);
    struct ts_response r;
    ts_assert_ok(ts_response_read(&held, &r, false), "the 413");
    ck_assert_msg(r.status == 413, "a body over limits { body }: %s", ts_response_describe(&r));
    ts_response_free(&r);
    double waited = close_next_client_wait(&s);
    ts_conn_close(&held);
    ck_assert_msg(waited >= LINGER_IDLE_S - 0.5,
                  "after a refused body the worker was free after %.2f s: no lingering close",
                  waited);
    ts_server_stop(&s);
}
END_TEST

static Suite *close_suite(void)
{
    Suite *suite = suite_create("close");
    TCase *tc = tcase_create("close");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_asked_close_frees_worker, 0,
                        (int)(sizeof(closing_requests) / sizeof(closing_requests[0])));
    tcase_add_test(tc, test_unread_body_still_lingers);
    suite_add_tcase(suite, tc);
    return suite;
}

int main(void)
{
    return ts_run_session(close_suite());
}
