/*
 * check_haproxy.c — scale-out behind a load balancer: HAProxy (Debian's haproxy package) on
 * loopback in front of two preforkd instances, one fed the PROXY protocol v1 (send-proxy), the
 * other v2 (send-proxy-v2), both on listeners marked proxy_protocol. A load tool runs through
 * HAProxy while both instances get a graceful restart in turn: no request may fail, and the
 * access logs show the real client address (127.0.0.2 here: HAProxy connects to the backends
 * from 127.0.0.3, so the TCP peer would give it away). Also: the PROXY listener refuses a client
 * that sends no header. Skipped, with a message, when haproxy or ab is missing.
 */
#include "testsupport.h"
#include "testsupport_ops.h"

#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testsupport_run.h"

#define CLIENT_IP "127.0.0.2"
#define HAPROXY_SOURCE_IP "127.0.0.3"

/* A preforkd that expects a PROXY header on its (only) listener; more config in more. */
static void start_backend_with(struct ts_server *s, const char *more)
{
    ck_assert_int_eq(ts_server_init(s), 0);
    char extra[2048];
    snprintf(extra, sizeof(extra),
             "proxy_protocol = {\"%s:%d\"}\n"
             "modules = {\"static\", \"status\"}\n"
             "location \"^/healthz$\" { handler = \"status\"  status_health = true }\n"
             "prefork { start_servers = 3  min_spare_servers = 2  max_spare_servers = 6"
             "  max_workers = 16 }\n%s",
             TS_HOST, s->port, more);
    ck_assert_int_eq(ts_server_configure(s, extra), 0);
    const char *argv[] = {"-f", s->conf, NULL};
    ck_assert_int_eq(ts_server_spawn(s, argv), 0);
    ck_assert_msg(ts_server_wait_ready(s, TS_START_TIMEOUT_S) == 0, "backend did not start");
}

static void start_backend(struct ts_server *s)
{
    start_backend_with(s, "");
}

static void haproxy_config(char *out, size_t size, int front, int a, int b)
{
    snprintf(out, size,
             "global\n"
             "    maxconn 2000\n"
             "defaults\n"
             "    mode http\n"
             "    timeout connect 3s\n"
             "    timeout client 20s\n"
             "    timeout server 20s\n"
             "    retries 3\n"
             "    retry-on conn-failure empty-response\n"
             "frontend web\n"
             "    bind %s:%d\n"
             "    default_backend pool\n"
             "backend pool\n"
             "    balance roundrobin\n"
             "    source %s\n"
             "    option httpchk GET /healthz\n"
             "    http-check expect status 200\n"
             "    server a %s:%d send-proxy check check-send-proxy inter 500 rise 1 fall 3\n"
             "    server b %s:%d send-proxy-v2 check check-send-proxy inter 500 rise 1 fall 3\n",
             TS_HOST, front, HAPROXY_SOURCE_IP, TS_HOST, a, TS_HOST, b);
}

/* Requests from CLIENT_IP through HAProxy; how many got 200. */
static int client_requests(int port, int n, const char *tag)
{
    char raw[256];
    snprintf(raw, sizeof(raw), "GET /hello.txt?%s HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
             tag);
    int ok = 0;
    for (int i = 0; i < n; i++) {
        struct ts_response r;
        if (tso_request_from(CLIENT_IP, port, raw, &r) == TS_OK && r.status == 200)
            ok++;
        ts_response_free(&r);
    }
    return ok;
}

/* Polls until a request through HAProxy succeeds (its health checks have marked a backend up). */
static bool wait_through(int port)
{
    double deadline = ts_now() + 10.0;
    for (int i = 0; i < 1000 && ts_now() < deadline; i++) {
        if (ts_get_status(port, "/hello.txt") == 200)
            return true;
        ts_sleep_ms(100);
    }
    return false;
}

START_TEST(test_rolling_restart_behind_haproxy)
{
    if (!tso_have(TSO_HAPROXY) || !tso_have(TSO_AB)) {
        fprintf(stderr, "SKIP: needs %s (Debian package haproxy) and %s (apache2-utils)\n",
                TSO_HAPROXY, TSO_AB);
        return;
    }
    struct ts_server a, b;
    start_backend(&a);
    start_backend(&b);
    int front = ts_port_pick();
    ck_assert_int_gt(front, 0);
    char cfg[2048], why[512];
    haproxy_config(cfg, sizeof(cfg), front, a.port, b.port);
    pid_t haproxy = tso_haproxy_start(a.dir, cfg, front, why, sizeof(why));
    ck_assert_msg(haproxy > 0, "%s", why);
    ck_assert_msg(wait_through(front), "no request got through HAProxy");

    char url[128];
    snprintf(url, sizeof(url), "http://%s:%d/hello.txt", TS_HOST, front);
    struct tso_load load;
    ck_assert_int_eq(tso_load_start(&load, a.dir, url, 4, 5, true), 0);
    ts_sleep_ms(800);
    int ok = client_requests(front, 10, "before");
    ck_assert_int_eq(kill(a.pid, SIGUSR1), 0); /* the rolling restart: a, then b */
    ok += client_requests(front, 10, "during-a");
    ts_sleep_ms(1200);
    ck_assert_int_eq(kill(b.pid, SIGUSR1), 0);
    ok += client_requests(front, 10, "during-b");
    struct tso_load_result res;
    ck_assert_msg(tso_load_finish(&load, 30.0, &res) == 0, "%s", res.summary);
    fprintf(stderr, "through HAProxy across a rolling restart: %s; %d of 30 client requests\n",
            res.summary, ok);
    ck_assert_msg(res.failed == 0 && res.non2xx == 0 && res.complete >= 100, "%s", res.summary);
    ck_assert_int_eq(ok, 30);

    /* Both backends served the client, and logged it under its own address. */
    ck_assert_msg(ts_file_wait_for(a.access_log, CLIENT_IP " - - ", 5.0),
                  "backend a (PROXY v1) did not log " CLIENT_IP);
    ck_assert_msg(ts_file_wait_for(b.access_log, CLIENT_IP " - - ", 5.0),
                  "backend b (PROXY v2) did not log " CLIENT_IP);
    /* Only HAProxy's health checks (its own requests) may carry its address. */
    const char *logs[] = {a.access_log, b.access_log};
    for (int i = 0; i < 2; i++) {
        long own = tso_count_lines(logs[i], HAPROXY_SOURCE_IP " - - ");
        long checks = tso_count_lines(logs[i], "GET /healthz ");
        ck_assert_msg(own <= checks, "%ld lines with HAProxy's address, %ld health checks", own,
                      checks);
    }
    tso_haproxy_stop(haproxy);
    ts_server_stop(&b);
    ts_server_stop(&a);
}
END_TEST

/* A PROXY listener takes no plain HTTP: that would let any client claim any address. */
START_TEST(test_proxy_listener_refuses_plain_http)
{
    struct ts_server s;
    start_backend(&s);
    struct ts_response r;
    int rc = ts_request(s.port, "GET /hello.txt HTTP/1.1\r\nHost: a\r\n\r\n", &r);
    ck_assert_msg(rc == TS_CLOSED || rc == TS_RESET, "plain HTTP got %s",
                  rc == TS_OK ? ts_response_describe(&r) : ts_result_name(rc));
    ts_response_free(&r);
    /* v1 by hand: the header's source is the client; what follows is the request. */
    const char v1[] = "PROXY TCP4 198.51.100.7 127.0.0.1 40000 80\r\n";
    rc = tso_request_proxied(s.port, v1, sizeof(v1) - 1,
                             "GET /hello.txt?v1 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
                             &r);
    ck_assert_msg(rc == TS_OK && r.status == 200, "after a v1 header: %s",
                  rc == TS_OK ? ts_response_describe(&r) : ts_result_name(rc));
    ts_response_free(&r);
    /* v2 LOCAL (HAProxy's health checks): the connection's own address stays. */
    const unsigned char local[16] = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51,
                                     0x55, 0x49, 0x54, 0x0A, 0x20, 0x00, 0x00, 0x00};
    rc = tso_request_proxied(
        s.port, local, sizeof(local),
        "GET /hello.txt?local HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", &r);
    ck_assert_msg(rc == TS_OK && r.status == 200, "after a v2 LOCAL header: %s",
                  rc == TS_OK ? ts_response_describe(&r) : ts_result_name(rc));
    ts_response_free(&r);
    ck_assert(ts_file_wait_for(s.access_log, "198.51.100.7 - - ", 5.0));
    ck_assert(ts_file_wait_for(s.access_log, "?local", 5.0));
    char *line = ts_file_line_with(s.access_log, "?local");
    ck_assert_msg(line != NULL && strncmp(line, "127.0.0.1 ", 10) == 0, "%s", line ? line : "-");
    free(line);
    ts_server_stop(&s);
}
END_TEST

/* ---- who may send the PROXY header ------------------------------------------------------- */

/* A page only loopback may see: what a forged "PROXY TCP4 127.0.0.1" would reach. */
#define LOOPBACK_ONLY "location \"^/hello\\.txt$\" { allow = {\"127.0.0.1\"}  deny = {\"all\"} }\n"
#define FORGED_V1 "PROXY TCP4 127.0.0.1 127.0.0.1 40000 80\r\n"
#define GET_HELLO_CLOSE "GET /hello.txt HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"

struct proxy_trust_case {
    const char *description;
    const char *trusted; /* trusted_proxies, as config text only: nothing is sent to it */
    bool served;         /* the request after the header is answered (else: closed, logged) */
};

static const struct proxy_trust_case proxy_trust_cases[] = {
    {"peer 127.0.0.1 outside trusted_proxies", "trusted_proxies = {\"10.9.9.9\"}\n", false},
    {"peer 127.0.0.1 in trusted_proxies", "trusted_proxies = {\"127.0.0.0/8\"}\n", true},
};

/* With trusted_proxies set, only a peer in it may send a PROXY header; anyone else is closed on
 * and logged, so a client cannot claim 127.0.0.1 and reach a loopback-only page. */
START_TEST(test_proxy_header_from_untrusted_peer_refused)
{
    const struct proxy_trust_case *row = &proxy_trust_cases[_i];
    struct ts_server s;
    char more[512];
    snprintf(more, sizeof(more), "%s%s", row->trusted, LOOPBACK_ONLY);
    start_backend_with(&s, more);
    struct ts_response r;
    int rc = tso_request_proxied(s.port, FORGED_V1, sizeof(FORGED_V1) - 1, GET_HELLO_CLOSE, &r);
    if (row->served) {
        ck_assert_msg(rc == TS_OK && r.status == 200, "%s: %s", row->description,
                      rc == TS_OK ? ts_response_describe(&r) : ts_result_name(rc));
    } else {
        ck_assert_msg(rc == TS_CLOSED || rc == TS_RESET, "%s: the forged header got %s",
                      row->description,
                      rc == TS_OK ? ts_response_describe(&r) : ts_result_name(rc));
        ck_assert_msg(ts_file_wait_for(s.error_log, "not in trusted_proxies", 5.0),
                      "%s: no error-log line", row->description);
    }
    ts_response_free(&r);
    ts_server_stop(&s);
}
END_TEST

static Suite *haproxy_suite(void)
{
    Suite *suite = suite_create("haproxy");
    TCase *tc = tcase_create("scale_out");
    tcase_set_timeout(tc, 40);
    tcase_add_test(tc, test_proxy_listener_refuses_plain_http);
    tcase_add_test(tc, test_rolling_restart_behind_haproxy);
    tcase_add_loop_test(tc, test_proxy_header_from_untrusted_peer_refused, 0,
                        (int)(sizeof(proxy_trust_cases) / sizeof(proxy_trust_cases[0])));
    suite_add_tcase(suite, tc);
    return suite;
}

int main(void)
{
    return ts_run_session(haproxy_suite());
}
