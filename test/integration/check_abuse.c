/*
 * check_abuse.c — slow and abusive clients against a pool of 250 workers.
 *
 * A prefork server gives each connection a whole worker, so what protects it from slowloris
 * (a head sent slowly, or never finished) and from slow readers (a response never read) are
 * its deadlines: timeouts.header for the whole head, timeouts.send for each write. These tests
 * show that (1) while the abusive connections fit in the pool, a well-behaved client is served
 * at once — well within timeouts.header; (2) beyond the pool, the extra connections wait in the
 * listen backlog — none is refused or reset by preforkd — and every one is answered or closed
 * once the deadlines free the workers, a well-behaved client included, within the time the
 * deadlines allow: ceil(connections / max_workers) × (the timeout + the 2 s lingering close),
 * plus a margin.
 */
#include "testsupport_hardening.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testsupport_run.h"

#define POOL 250     /* below TS_MAX_PIDS, which ts_workers() reports at most */
#define DEADLINE_S 2 /* timeouts.header and timeouts.send */
/* After a refusal (408) conn.c half-closes and reads on before close(), so that a client still
 * sending gets the response rather than a reset; it stops after 2 s without a byte (8 MiB or 5 s
 * at most): a silent client that never closes holds its worker 2 s longer. */
#define LINGER_S 2
#define MARGIN_S 3
#define WITHIN 120 /* slowloris and slow readers each, in test_abusers_within_pool */
/* A client queued behind n abusers is served within this many seconds. */
#define DRAIN_BOUND_S(n) ((((n) + POOL) / POOL) * (DEADLINE_S + LINGER_S) + MARGIN_S)
#define ABUSERS 1000
#define ABUSE_CONF                                                                                 \
    "prefork { start_servers = 250  min_spare_servers = 1  max_spare_servers = 250\n"              \
    "          max_workers = 250  max_spawn_rate = 250  listen_backlog = 4096 }\n"                 \
    "timeouts { header = 2  body = 2  keepalive = 2  send = 2 }\n"
#define SLOW_HEAD "GET /hello.txt HTTP/1.1\r\nHost: " TS_HOST "\r\nX-Slow: "
#define BIG_GET "GET " TS_BIG_PATH " HTTP/1.1\r\nHost: " TS_HOST "\r\n\r\n"

/* A server with a pool of POOL workers, all started. */
static void abuse_start(struct ts_server *s)
{
    ck_assert_msg(ts_hard_nofile_raise(3 * ABUSERS + 256) >= 2 * ABUSERS + 64,
                  "cannot raise RLIMIT_NOFILE for %d connections", 2 * ABUSERS);
    ts_server_start(s, ABUSE_CONF);
    size_t n = ts_workers_wait(s->pid, POOL, TS_MAX_PIDS, 15.0);
    ck_assert_msg(n >= POOL, "only %zu of %d workers started", n, POOL);
}

/* One well-behaved request; its time in seconds, or a negative value when it failed. */
static double good_client(int port, int timeout_ms, char *why, size_t why_size)
{
    double start = ts_now();
    struct ts_conn c;
    if (ts_conn_open(&c, port, timeout_ms) != 0) {
        snprintf(why, why_size, "connect: %s", strerror(errno));
        return -1;
    }
    c.timeout_ms = timeout_ms;
    struct ts_response r;
    memset(&r, 0, sizeof(r));
    int rc = ts_conn_send_str(&c, "GET /hello.txt HTTP/1.1\r\nHost: " TS_HOST
                                  "\r\nConnection: close\r\n\r\n");
    if (rc == TS_OK)
        rc = ts_response_read_final(&c, &r, false);
    bool ok = rc == TS_OK && r.status == 200 && strcmp(r.body, TS_HELLO_TXT) == 0;
    snprintf(why, why_size, "%s", rc == TS_OK ? ts_response_describe(&r) : ts_result_name(rc));
    ts_response_free(&r);
    ts_conn_close(&c);
    return ok ? ts_now() - start : -1;
}

/* n slowloris connections: an unfinished head, then nothing. fds[] gets them. */
static void slowloris_open(int port, int *fds, size_t n)
{
    size_t open_count = ts_hard_connect_many(port, fds, n, 10000);
    ck_assert_msg(open_count == n, "%zu of %zu slowloris connections refused", n - open_count, n);
    size_t sent = ts_hard_send_each(fds, n, SLOW_HEAD, strlen(SLOW_HEAD));
    ck_assert_msg(sent == n, "%zu of %zu slowloris heads not sent", n - sent, n);
}

/* n slow readers: GET of a 1 MiB file with a 4 KiB receive buffer, never read. */
static void slow_readers_open(int port, struct ts_conn *conns, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        ck_assert_msg(ts_conn_open_rcvbuf(&conns[i], port, 5000, 4096) == 0,
                      "slow reader %zu: connect: %s", i, strerror(errno));
        ck_assert_int_eq(ts_conn_send_str(&conns[i], BIG_GET), TS_OK);
    }
}

static void slow_readers_close(struct ts_conn *conns, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ts_conn_close(&conns[i]);
}

/* Within the pool: 120 slowloris + 120 slow readers leave idle workers; the good client is
 * served at once, and the server closes every slowloris connection after timeouts.header. */
START_TEST(test_abusers_within_pool)
{
    struct ts_server s;
    abuse_start(&s);
    static int loris[WITHIN];
    static struct ts_conn readers[WITHIN];
    slowloris_open(s.port, loris, WITHIN);
    slow_readers_open(s.port, readers, WITHIN);
    ts_sleep_ms(500);
    char why[256];
    double took = good_client(s.port, (DEADLINE_S + MARGIN_S) * 1000, why, sizeof(why));
    size_t closed = ts_hard_wait_closed(loris, WITHIN, (DEADLINE_S + MARGIN_S) * 1000);
    fprintf(stderr,
            "abuse within the pool: good client served in %.3f s, %zu/%d slowloris "
            "closed by the server\n",
            took, closed, WITHIN);
    ts_hard_close_all(loris, WITHIN);
    slow_readers_close(readers, WITHIN);
    const char *survived = ts_hard_survived(&s, false);
    ts_server_stop(&s);
    ck_assert_msg(took >= 0, "the good client was not served: %s", why);
    ck_assert_msg(took < DEADLINE_S, "the good client waited %.1f s with idle workers", took);
    ck_assert_msg(closed == WITHIN, "%zu slowloris connections outlived timeouts.header",
                  WITHIN - closed);
    ck_assert_msg(survived == NULL, "%s", survived);
}
END_TEST

/* 1000 slowloris connections for 250 workers: the rest wait in the backlog, none is refused,
 * and the good client that queues behind them all is served once the deadlines drain them. */
START_TEST(test_slowloris_beyond_pool)
{
    struct ts_server s;
    abuse_start(&s);
    static int loris[ABUSERS];
    slowloris_open(s.port, loris, ABUSERS);
    int bound_s = DRAIN_BOUND_S(ABUSERS);
    char why[256];
    double took = good_client(s.port, bound_s * 1000, why, sizeof(why));
    size_t closed = ts_hard_wait_closed(loris, ABUSERS, 4000);
    fprintf(stderr,
            "slowloris x%d, pool %d: good client served in %.3f s (bound %d s), %zu "
            "slowloris closed by the server\n",
            ABUSERS, POOL, took, bound_s, closed);
    ts_hard_close_all(loris, ABUSERS);
    const char *survived = ts_hard_survived(&s, false);
    ts_server_stop(&s);
    ck_assert_msg(took >= 0, "the good client was not served within %d s: %s", bound_s, why);
    ck_assert_msg(closed == ABUSERS, "%zu slowloris connections still open after %d s",
                  ABUSERS - closed, bound_s + 4);
    ck_assert_msg(survived == NULL, "%s", survived);
}
END_TEST

/* 1000 clients that never read a 1 MiB response: timeouts.send frees their workers. */
START_TEST(test_slow_readers_beyond_pool)
{
    struct ts_server s;
    abuse_start(&s);
    static struct ts_conn readers[ABUSERS];
    slow_readers_open(s.port, readers, ABUSERS);
    int bound_s = DRAIN_BOUND_S(ABUSERS);
    char why[256];
    double took = good_client(s.port, bound_s * 1000, why, sizeof(why));
    fprintf(stderr, "slow readers x%d, pool %d: good client served in %.3f s (bound %d s)\n",
            ABUSERS, POOL, took, bound_s);
    slow_readers_close(readers, ABUSERS);
    const char *survived = ts_hard_survived(&s, false);
    ts_server_stop(&s);
    ck_assert_msg(took >= 0, "the good client was not served within %d s: %s", bound_s, why);
    ck_assert_msg(survived == NULL, "%s", survived);
}
END_TEST

static Suite *abuse_suite(void)
{
    Suite *s = suite_create("abuse");
    const struct ts_case cases[] = {
        {"abusers_within_pool", test_abusers_within_pool},
        {"slowloris_beyond_pool", test_slowloris_beyond_pool},
        {"slow_readers_beyond_pool", test_slow_readers_beyond_pool},
    };
    ts_suite_add_cases(s, cases, sizeof(cases) / sizeof(cases[0]), 60);
    return s;
}

int main(void)
{
    return ts_run_session(abuse_suite());
}
