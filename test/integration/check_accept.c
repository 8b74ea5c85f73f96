/*
 * check_accept.c — accepting against the real preforkd binary: when every worker is busy, the
 * one that finishes a connection takes the next queued ones itself (no wait in between), and
 * that burst still ends at max_requests_per_child, so recycling keeps its promise.
 *
 * One worker, so every connection queues behind the one being served and the worker, finding
 * no other worker waiting, takes the queue in a burst. The access log's %P says which worker
 * served each request. And the addresses of an accepted connection, as the access log shows
 * them: every form of dotted decimal (one, two and three digits, zeros).
 */
#include "testsupport.h"
#include "testsupport_ops.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testsupport_run.h"

#define GET_CLOSE "GET /hello.txt HTTP/1.1\r\nHost: " TS_HOST "\r\nConnection: close\r\n\r\n"
#define QUEUED 7
#define PER_CHILD 3
#define ONE_WORKER_CONF                                                                            \
    "prefork { start_servers = 1  min_spare_servers = 1  max_spare_servers = 1\n"                  \
    "          max_workers = 1  max_requests_per_child = 3 }\n"                                    \
    "keepalive { park = false }\n"                                                                 \
    "access_log_format = \"%P %r\"\n"

/* The access log's lines for /hello.txt: their pids in pids[], the count. */
static size_t accept_logged_pids(const struct ts_server *s, long *pids, size_t cap)
{
    size_t len = 0, n = 0;
    char *log = ts_file_read(s->access_log, &len);
    ck_assert_ptr_nonnull(log);
    for (char *line = strtok(log, "\n"); line != NULL && n < cap; line = strtok(NULL, "\n")) {
        if (strstr(line, "/hello.txt") != NULL)
            pids[n++] = strtol(line, NULL, 10);
    }
    free(log);
    return n;
}

/* QUEUED connections sent at once to a pool of one worker: every one is answered, and no worker
 * serves more than max_requests_per_child of them, burst or not. */
START_TEST(test_burst_stops_at_max_requests_per_child)
{
    struct ts_server s;
    ts_server_start(&s, ONE_WORKER_CONF);
    struct ts_conn c[QUEUED];
    for (int i = 0; i < QUEUED; i++) {
        ck_assert_msg(ts_conn_open(&c[i], s.port, 5000) == 0, "connection %d", i + 1);
        ck_assert_int_eq(ts_conn_send_str(&c[i], GET_CLOSE), TS_OK);
    }
    for (int i = 0; i < QUEUED; i++) {
        struct ts_response r;
        int rc = ts_response_read(&c[i], &r, false);
        ck_assert_msg(rc == TS_OK && r.status == 200, "queued connection %d: %s", i + 1,
                      rc == TS_OK ? ts_response_describe(&r) : ts_result_name(rc));
        ts_response_free(&r);
        ts_conn_close(&c[i]);
    }
    long pids[QUEUED + 1];
    size_t n = 0;
    /* The line is written after the response: poll until the last one is there. */
    for (int round = 0; round < 100 && (n = accept_logged_pids(&s, pids, QUEUED + 1)) < QUEUED;
         round++)
        ts_sleep_ms(50);
    ck_assert_msg(n == QUEUED, "%zu access-log lines for %d requests", n, QUEUED);
    for (size_t i = 0; i < n; i++) {
        size_t same = 0;
        for (size_t j = 0; j < n; j++)
            same += pids[j] == pids[i];
        ck_assert_msg(same <= PER_CHILD,
                      "worker %ld served %zu requests with max_requests_per_child = %d", pids[i],
                      same, PER_CHILD);
    }
    ts_server_stop(&s);
}
END_TEST

/* Client addresses with octets of every width (all on lo: 127.0.0.0/8 is the loopback net). */
static const char *const client_addresses[] = {
    "127.0.0.1", "127.100.10.1", "127.0.0.9", "127.255.200.254", "127.1.0.0",
};

/* The access log says who connected (%a) and where to (%A, the listener's address, %p its
 * port), exactly. */
START_TEST(test_addresses_logged)
{
    const char *src = client_addresses[_i];
    struct ts_server s;
    ts_server_start(&s, "access_log_format = \"%a %A %p %r\"\n");
    struct ts_response r;
    int rc = tso_request_from(src, s.port, GET_CLOSE, &r);
    ck_assert_msg(rc == TS_OK && r.status == 200, "GET from %s: %s", src,
                  rc == TS_OK ? ts_response_describe(&r) : ts_result_name(rc));
    ts_response_free(&r);
    char want[128];
    snprintf(want, sizeof(want), "%s %s %d GET /hello.txt HTTP/1.1", src, TS_HOST, s.port);
    ck_assert_msg(ts_file_wait_for(s.access_log, want, 5.0), "no \"%s\" in the access log", want);
    ts_server_stop(&s);
}
END_TEST

static Suite *accept_suite(void)
{
    Suite *suite = suite_create("accept");
    TCase *tc = tcase_create("burst");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_burst_stops_at_max_requests_per_child);
    tcase_add_loop_test(tc, test_addresses_logged, 0,
                        (int)(sizeof(client_addresses) / sizeof(client_addresses[0])));
    suite_add_tcase(suite, tc);
    return suite;
}

int main(void)
{
    return ts_run_session(accept_suite());
}
