/*
 * check_listen.c — the listeners of the real preforkd binary: several `listen` addresses at
 * once, IPv4 and IPv6 (::1), each one served by the same pool of workers.
 *
 * A machine without a usable ::1 (IPv6 disabled in a container, say) skips the IPv6 part with a
 * message instead of failing.
 */
#include "testsupport.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testsupport_run.h"

#define HOST_V6 "::1"
#define GET_HELLO_CLOSE "GET /hello.txt HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n"

/* GET /hello.txt on host:port (Host: host_header) answers 200 with the file. */
static void assert_serves_on(const char *host, int port, const char *host_header)
{
    char raw[256];
    snprintf(raw, sizeof(raw), GET_HELLO_CLOSE, host_header);
    struct ts_response r;
    int rc = ts_request_host(host, port, raw, &r);
    ck_assert_msg(rc == TS_OK, "GET /hello.txt on %s port %d: %s", host, port, ts_result_name(rc));
    ck_assert_msg(r.status == 200 && strcmp(r.body, TS_HELLO_TXT) == 0,
                  "GET /hello.txt on %s port %d: %s", host, port, ts_response_describe(&r));
    ts_response_free(&r);
}

/* Starts s (already ts_server_init()ed) with extra, which sets `listen` itself. */
static void start_listening(struct ts_server *s, const char *extra)
{
    ck_assert_int_eq(ts_server_configure(s, extra), 0);
    const char *args[] = {"-f", s->conf, NULL};
    ck_assert_int_eq(ts_server_spawn(s, args), 0);
    int ready = ts_server_wait_ready(s, TS_START_TIMEOUT_S);
    if (ready != 0)
        ts_server_dump(s);
    ck_assert_msg(ready == 0, "preforkd did not serve on %s:%d (%s) with %s", TS_HOST, s->port,
                  s->wait_status == -1 ? "still running" : "exited", extra);
}

/* Two IPv4 listeners: both serve, and a request on one does not disturb the other. */
START_TEST(test_two_ipv4_listeners)
{
    struct ts_server s;
    ck_assert_int_eq(ts_server_init(&s), 0);
    int second = ts_port_pick();
    ck_assert_msg(second > 0 && second != s.port, "no second free port");
    char extra[256];
    snprintf(extra, sizeof(extra), "listen = {\"%s:%d\", \"%s:%d\"}\n", TS_HOST, s.port, TS_HOST,
             second);
    start_listening(&s, extra);
    for (int i = 0; i < 2; i++) {
        assert_serves_on(TS_HOST, s.port, TS_HOST);
        assert_serves_on(TS_HOST, second, TS_HOST);
    }
    ts_server_stop(&s);
}
END_TEST

/* 127.0.0.1:P1 and [::1]:P2: a GET on each, and the access log shows the IPv6 client. */
START_TEST(test_ipv4_and_ipv6)
{
    int v6_port = ts_port_pick_host(HOST_V6);
    if (v6_port <= 0) {
        fprintf(stderr, "check_listen: SKIPPED the IPv6 part: cannot bind [%s] here\n", HOST_V6);
        return;
    }
    struct ts_server s;
    ck_assert_int_eq(ts_server_init(&s), 0);
    char extra[256];
    snprintf(extra, sizeof(extra), "listen = {\"%s:%d\", \"[%s]:%d\"}\n", TS_HOST, s.port, HOST_V6,
             v6_port);
    start_listening(&s, extra);
    assert_serves_on(TS_HOST, s.port, TS_HOST);
    assert_serves_on(HOST_V6, v6_port, "[::1]");
    /* Keep-alive on the IPv6 listener, as on any other. */
    struct ts_conn c;
    ck_assert_msg(ts_conn_open_host(&c, HOST_V6, v6_port, 5000) == 0, "connect to [%s]:%d", HOST_V6,
                  v6_port);
    for (int i = 0; i < 2; i++) {
        ck_assert_int_eq(
            ts_conn_send_str(
                &c, "GET /hello.txt HTTP/1.1\r\nHost: [::1]\r\nUser-Agent: pfd-v6\r\n\r\n"),
            TS_OK);
        struct ts_response r;
        int rc = ts_response_read(&c, &r, false);
        ck_assert_msg(rc == TS_OK && r.status == 200, "keep-alive GET %d over IPv6: %s", i + 1,
                      rc == TS_OK ? ts_response_describe(&r) : ts_result_name(rc));
        ts_response_free(&r);
    }
    ts_conn_close(&c);
    ck_assert_msg(ts_file_wait_for(s.access_log, "pfd-v6", 5.0), "no access-log line for IPv6");
    char *line = ts_file_line_with(s.access_log, "pfd-v6");
    static char copy[512];
    snprintf(copy, sizeof(copy), "%s", line != NULL ? line : "");
    free(line);
    ck_assert_msg(strncmp(copy, "::1 ", 4) == 0, "access-log line of an IPv6 client: %s", copy);
    assert_serves_on(TS_HOST, s.port, TS_HOST);
    ts_server_stop(&s);
}
END_TEST

static Suite *listen_suite(void)
{
    Suite *suite = suite_create("listen");
    TCase *listeners = tcase_create("listeners");
    tcase_set_timeout(listeners, 60);
    tcase_add_test(listeners, test_two_ipv4_listeners);
    tcase_add_test(listeners, test_ipv4_and_ipv6);
    suite_add_tcase(suite, listeners);
    return suite;
}

int main(void)
{
    return ts_run_session(listen_suite());
}
