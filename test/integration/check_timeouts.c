/*
 * check_timeouts.c — the `timeouts` section against the real preforkd binary: a head that stops
 * half-way gets 408 and a close after timeouts.header; a body that stalls, or trickles, is cut
 * after timeouts.body, a deadline for the whole body (as Apache's mod_reqtimeout body=); the drain
 * of a body the handler did not read has its own short bound, after which the server closes.
 *
 * Deadlines are asserted from both sides (not too early, not much later), with margins wide
 * enough for ASan builds on a loaded 2-core machine.
 */
#include "testsupport.h"
#include "testsupport_cgi.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testsupport_run.h"

#define HOST_HEADER "Host: " TS_HOST "\r\n"
#define GET_HELLO "GET /hello.txt HTTP/1.1\r\n" HOST_HEADER "\r\n"
#define POST_HEAD "POST /hello.txt HTTP/1.1\r\n" HOST_HEADER
#define TIMEOUTS_CONF "timeouts { header = 2  body = 1  keepalive = 10 }\n"
#define HEADER_TIMEOUT_S 2.0
#define BODY_TIMEOUT_S 1.0
#define MARGIN_S 5.0   /* how much later than the timeout the server may act */
#define TRICKLE_MS 200 /* one body byte this often: far more often than any timeout */
#define TRICKLE_MAX_S 12.0
#define CGI_CONF                                                                                   \
    "modules = {\"static\", \"cgi\"}\n"                                                            \
    "location \"^/cgi-bin/\" { handler = \"cgi\" }\n"

/* ---- timeouts.header -------------------------------------------------------------------- */

/* Heads that stop before their empty line. */
static const char *const partial_heads[] = {
    "GET /hel",
    "GET /hello.txt HTTP/1.1\r\n",
    "GET /hello.txt HTTP/1.1\r\n" HOST_HEADER "X-Half: va",
};

/* A partial head, then silence: 408 with Connection: close after timeouts.header, then the
 * close. */
START_TEST(test_partial_head_gets_408)
{
    const char *head = partial_heads[_i];
    struct ts_server s;
    ts_server_start(&s, TIMEOUTS_CONF);
    struct ts_conn c;
    ts_conn_open_or_fail(&c, &s);
    c.timeout_ms = (int)((HEADER_TIMEOUT_S + MARGIN_S) * 1000);
    double start = ts_now();
    ck_assert_int_eq(ts_conn_send_str(&c, head), TS_OK);
    struct ts_response r;
    int rc = ts_response_read(&c, &r, false);
    double waited = ts_now() - start;
    ck_assert_msg(rc == TS_OK, "\"%s\" then silence: %s after %.1f s (header = 2)", head,
                  ts_result_name(rc), waited);
    ck_assert_msg(r.status == 408, "\"%s\" then silence: %s", head, ts_response_describe(&r));
    ck_assert_msg(ts_response_header_has(&r, "Connection", "close"),
                  "408 without Connection: "
                  "close: %s",
                  ts_response_describe(&r));
    ts_response_free(&r);
    ck_assert_msg(waited >= HEADER_TIMEOUT_S - 0.5, "408 after %.2f s, before header = 2", waited);
    ck_assert_msg(ts_conn_closed_within(&c, 3000), "the connection stayed open after the 408");
    ts_conn_close(&c);
    ts_assert_serving(&s, "after a 408");
    ts_server_stop(&s);
}
END_TEST

/* ---- timeouts.body ---------------------------------------------------------------------- */

/*
 * Content-Length: 100 and 10 bytes of it, then silence: the core, draining the body behind the
 * 405, gives up after timeouts.body = 1 and closes. The connection must not hang on until the
 * keep-alive or header timeout (10 s here).
 */
START_TEST(test_stalled_body_cut)
{
    struct ts_server s;
    ts_server_start(&s, TIMEOUTS_CONF);
    struct ts_conn c;
    ts_conn_open_or_fail(&c, &s);
    double start = ts_now();
    ck_assert_int_eq(ts_conn_send_str(&c, POST_HEAD "Content-Length: 100\r\n\r\n0123456789"),
                     TS_OK);
    bool closed = ts_conn_closed_within(&c, (int)((BODY_TIMEOUT_S + MARGIN_S) * 1000));
    double waited = ts_now() - start;
    ts_conn_close(&c);
    ck_assert_msg(closed, "a stalled body still open after %.1f s (body = 1)", waited);
    ck_assert_msg(waited >= BODY_TIMEOUT_S - 0.5, "closed after %.2f s, before body = 1", waited);
    ts_assert_serving(&s, "after a stalled body");
    ts_server_stop(&s);
}
END_TEST

/* Sends a body byte every TRICKLE_MS until the server closes the connection (or
 * TRICKLE_MAX_S passes); the seconds from start until it closed, or -1 when it never did. */
static double trickle_until_closed(struct ts_conn *c, double start)
{
    for (int i = 0; i < (int)(TRICKLE_MAX_S * 1000 / TRICKLE_MS); i++) {
        if (ts_conn_closed_within(c, TRICKLE_MS))
            return ts_now() - start;
        if (ts_conn_send(c, "y", 1) != TS_OK) /* reset: closed under us */
            return ts_now() - start;
    }
    return -1;
}

struct trickle_case {
    const char *description;
    const char *extra; /* the config: a timeouts section and more */
    const char *head;  /* the request head; its body is 1000 bytes, sent a byte at a time */
    bool cgi;          /* install echo.sh, which reads the body */
    double deadline_s; /* the server must have closed by then (plus MARGIN_S) */
};

static const struct trickle_case trickle_cases[] = {
    /* The handler reads the body: timeouts.body (1 s) for all of it. */
    {"a CGI reading a trickled body", TIMEOUTS_CONF CGI_CONF,
     "POST /cgi-bin/echo.sh HTTP/1.1\r\n" HOST_HEADER "Content-Length: 1000\r\n\r\n", true,
     BODY_TIMEOUT_S},
    /* The handler does not: the drain behind the 405 is bounded by timeouts.body too ... */
    {"a drained trickled body", TIMEOUTS_CONF, POST_HEAD "Content-Length: 1000\r\n\r\n", false,
     BODY_TIMEOUT_S},
    /* ... and by timeouts.keepalive, the wait it saves, when that is shorter. */
    {"a drained trickled body, keepalive shorter than body",
     "timeouts { header = 2  body = 30  keepalive = 1 }\n",
     POST_HEAD "Content-Length: 1000\r\n\r\n", false, 1.0},
};

/*
 * A body that keeps coming, a byte every 200 ms (each wait far under timeouts.body): the server
 * closes after the body's overall deadline, not 1000 × 200 ms later.
 */
START_TEST(test_trickled_body_cut_by_deadline)
{
    const struct trickle_case *row = &trickle_cases[_i];
    struct ts_server s;
    ts_server_start(&s, row->extra);
    if (row->cgi)
        ck_assert_int_eq(ts_cgi_install(&s, "cgi-bin", "echo.sh"), 0);
    struct ts_conn c;
    ts_conn_open_or_fail(&c, &s);
    double start = ts_now();
    ck_assert_int_eq(ts_conn_send_str(&c, row->head), TS_OK);
    double closed = trickle_until_closed(&c, start);
    ts_conn_close(&c);
    ck_assert_msg(closed >= 0, "%s: still open after %.0f s of trickling", row->description,
                  TRICKLE_MAX_S);
    ck_assert_msg(closed <= row->deadline_s + MARGIN_S, "%s: closed only after %.1f s",
                  row->description, closed);
    ck_assert_msg(closed >= row->deadline_s - 0.5, "%s: closed after %.2f s, before %.0f s",
                  row->description, closed, row->deadline_s);
    ts_assert_serving(&s, row->description);
    ts_server_stop(&s);
}
END_TEST

static Suite *timeouts_suite(void)
{
    Suite *suite = suite_create("timeouts");
    TCase *header = tcase_create("header");
    tcase_set_timeout(header, 60);
    tcase_add_loop_test(header, test_partial_head_gets_408, 0,
                        (int)(sizeof(partial_heads) / sizeof(partial_heads[0])));
    suite_add_tcase(suite, header);

    TCase *body = tcase_create("body");
    tcase_set_timeout(body, 60);
    tcase_add_test(body, test_stalled_body_cut);
    tcase_add_loop_test(body, test_trickled_body_cut_by_deadline, 0,
                        (int)(sizeof(trickle_cases) / sizeof(trickle_cases[0])));
    suite_add_tcase(suite, body);
    return suite;
}

int main(void)
{
    return ts_run_session(timeouts_suite());
}
