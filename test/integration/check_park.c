/*
 * check_park.c — keep-alive parking (issue 14) through the real binary: a worker hands an idle
 * keep-alive connection, a partial head or a lingering close to the keeper process
 * (`preforkd-keep`) and takes it back when bytes arrive, so a small pool holds thousands of
 * connections. What a client sees must not change: its request count and addresses survive a
 * park (in the access log), every connection is answered however many there are, and a graceful
 * restart (USR1), a graceful stop (WINCH) or a full keeper lose no request; a keeper killed loses
 * only the idle connections it held, which clients retry.
 *
 * Whether a connection is parked is read from /proc: the keeper holds one socket per parked
 * connection (two descriptors for a partial head: its bytes wait in a memfd). Each test fails
 * with `keepalive { park = false }`: there is no keeper to hold anything, and a pool of 8
 * cannot hold 2 000 idle connections, 300 lingering closes or 1 000 slowloris heads.
 */
#include "testsupport_cgi.h"
#include "testsupport_hardening.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <linux/capability.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testsupport_run.h"

#define HOST "Host: " TS_HOST "\r\n"
#define KEEPER_COMM "preforkd-keep"
#define PARK_WAIT_S 10.0 /* until the keeper holds what was parked */
/* A pool of 8 workers, all started at once, with a backlog for thousands of connections. */
#define POOL_OF_8                                                                                  \
    "prefork { start_servers = 8  min_spare_servers = 1  max_spare_servers = 8\n"                  \
    "          max_workers = 8  max_spawn_rate = 8  listen_backlog = 4096 }\n"
/* Keep-alive long enough that nothing parked expires while a test runs. */
#define LONG_TIMEOUTS "timeouts { header = 10  body = 10  keepalive = 20  graceful = 5 }\n"

/* ---- the keeper, seen through /proc ---------------------------------------------------------- */

/* The master's live keeper other than not_this, or -1. */
static pid_t keeper_find(pid_t master, pid_t not_this)
{
    pid_t pids[TS_MAX_PIDS];
    size_t n = ts_keepers(master, pids, TS_MAX_PIDS);
    for (size_t i = 0; i < n; i++)
        if (pids[i] != not_this)
            return pids[i];
    return -1;
}

/* Polls for keeper_find() within timeout_s. */
static pid_t keeper_wait(pid_t master, pid_t not_this, double timeout_s)
{
    double deadline = ts_now() + timeout_s;
    for (int i = 0; i < 10000 && ts_now() < deadline; i++) {
        pid_t k = keeper_find(master, not_this);
        if (k > 0)
            return k;
        ts_sleep_ms(10);
    }
    return -1;
}

/* Sockets keeper holds (its channel ends and the parked connections), or -1 when it is gone. */
static int keeper_sockets(pid_t keeper)
{
    char dir_path[64];
    snprintf(dir_path, sizeof(dir_path), "/proc/%d/fd", (int)keeper);
    DIR *dir = opendir(dir_path);
    if (dir == NULL)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        char link_path[320], target[64];
        snprintf(link_path, sizeof(link_path), "%s/%s", dir_path, e->d_name);
        ssize_t len = readlink(link_path, target, sizeof(target) - 1);
        n += len > 7 && strncmp(target, "socket:", 7) == 0;
    }
    closedir(dir);
    return n;
}

struct park_probe {
    pid_t keeper;
    int base; /* its sockets when it held nothing */
};

/* The server's keeper and what it holds when idle; fails the test without one. */
static struct park_probe probe_start(const struct ts_server *s)
{
    struct park_probe p = {keeper_wait(s->pid, -1, 5.0), 0};
    ck_assert_msg(p.keeper > 0, "no %s process: parking is off or the keeper did not start",
                  KEEPER_COMM);
    p.base = keeper_sockets(p.keeper);
    ck_assert_int_ge(p.base, 0);
    return p;
}

/* Polls until the keeper holds at least n connections; false when timeout_s passes first. */
static bool probe_wait_holding(const struct park_probe *p, int n, double timeout_s)
{
    double deadline = ts_now() + timeout_s;
    for (int i = 0; i < 100000 && ts_now() < deadline; i++) {
        if (keeper_sockets(p->keeper) - p->base >= n)
            return true;
        ts_sleep_ms(5);
    }
    return false;
}

static void probe_assert_holding(const struct park_probe *p, int n)
{
    ck_assert_msg(probe_wait_holding(p, n, PARK_WAIT_S), "the keeper holds %d of %d connections",
                  keeper_sockets(p->keeper) - p->base, n);
}

/* ---- clients --------------------------------------------------------------------------------- */

/* A ts_conn around a connected, blocking socket. */
static void conn_adopt(struct ts_conn *c, int fd)
{
    memset(c, 0, sizeof(*c));
    c->fd = fd;
    c->timeout_ms = TS_IO_TIMEOUT_MS;
}

/* Sends raw on c and reads the final response within timeout_ms; TS_OK or an enum ts_result. */
static int conn_exchange(struct ts_conn *c, const char *raw, int timeout_ms, struct ts_response *r)
{
    memset(r, 0, sizeof(*r));
    c->timeout_ms = timeout_ms > 0 ? timeout_ms : 1;
    int rc = ts_conn_send_str(c, raw);
    return rc == TS_OK ? ts_response_read_final(c, r, false) : rc;
}

/* 200 with the hello page. */
static bool response_is_hello(int rc, const struct ts_response *r)
{
    return rc == TS_OK && r->status == 200 && strcmp(r->body, TS_HELLO_TXT) == 0;
}

static const char *outcome(int rc, const struct ts_response *r)
{
    return rc == TS_OK ? ts_response_describe(r) : ts_result_name(rc);
}

/* What the last fresh_request_ms() that failed saw (tests run one at a time in a process). */
static char fresh_request_why[160] = "-";

/* Milliseconds a GET /hello.txt on a new connection takes; a negative value when it failed. */
static double fresh_request_ms(int port)
{
    double start = ts_now();
    struct ts_response r;
    int rc = ts_request(port, "GET /hello.txt HTTP/1.1\r\n" HOST "Connection: close\r\n\r\n", &r);
    bool ok = response_is_hello(rc, &r);
    if (!ok)
        snprintf(fresh_request_why, sizeof(fresh_request_why), "%s after %.0f ms", outcome(rc, &r),
                 (ts_now() - start) * 1000.0);
    ts_response_free(&r);
    return ok ? (ts_now() - start) * 1000.0 : -1.0;
}

/* n keep-alive connections (n fds opened by the caller), one request each: how many got 200 with
 * the page, without Connection: close unless may_close. Reads within one overall deadline. */
static int conns_request_all(struct ts_conn *conns, int n, const char *raw, bool may_close,
                             double timeout_s, char *why, size_t why_size)
{
    for (int i = 0; i < n; i++)
        if (ts_conn_send_str(&conns[i], raw) != TS_OK)
            snprintf(why, why_size, "connection %d: the request could not be sent", i);
    double deadline = ts_now() + timeout_s;
    int ok = 0;
    for (int i = 0; i < n; i++) {
        struct ts_response r;
        conns[i].timeout_ms = (int)((deadline - ts_now()) * 1000);
        if (conns[i].timeout_ms < 1)
            conns[i].timeout_ms = 1;
        int rc = ts_response_read_final(&conns[i], &r, false);
        bool closing = rc == TS_OK && ts_response_header_has(&r, "Connection", "close");
        if (response_is_hello(rc, &r) && (may_close || !closing))
            ok++;
        else
            snprintf(why, why_size, "connection %d: %s%s", i, outcome(rc, &r),
                     closing ? ", Connection: close" : "");
        ts_response_free(&r);
    }
    return ok;
}

/* n connections to s; fails the test unless all open. The caller frees with conns_close(). */
static struct ts_conn *conns_open(const struct ts_server *s, int n)
{
    int *fds = calloc((size_t)n, sizeof(*fds));
    struct ts_conn *conns = calloc((size_t)n, sizeof(*conns));
    ck_assert(fds != NULL && conns != NULL);
    size_t opened = ts_hard_connect_many(s->port, fds, (size_t)n, 10000);
    ck_assert_msg(opened == (size_t)n, "%zu of %d connections opened", opened, n);
    for (int i = 0; i < n; i++)
        conn_adopt(&conns[i], fds[i]);
    free(fds);
    return conns;
}

static void conns_close(struct ts_conn *conns, int n)
{
    for (int i = 0; i < n; i++)
        ts_conn_close(&conns[i]);
    free(conns);
}

/* n connections, each answered once and then parked: the state most tests start from. */
static struct ts_conn *conns_parked(const struct ts_server *s, const struct park_probe *p, int n)
{
    struct ts_conn *conns = conns_open(s, n);
    char why[256] = "";
    int ok = conns_request_all(conns, n, "GET /hello.txt?first HTTP/1.1\r\n" HOST "\r\n", false,
                               20.0, why, sizeof(why));
    ck_assert_msg(ok == n, "%d of %d first requests answered; last failure: %s", ok, n, why);
    probe_assert_holding(p, n);
    return conns;
}

static void nofile_raise_for(int connections)
{
    long want = 2L * connections + 256;
    ck_assert_msg(ts_hard_nofile_raise(want) >= want, "cannot raise RLIMIT_NOFILE to %ld", want);
}

/* Polls until the access log holds at least want lines with needle; how many it holds. */
static size_t log_wait_count(const char *path, const char *needle, size_t want, double timeout_s)
{
    double deadline = ts_now() + timeout_s;
    size_t n = 0;
    for (int i = 0; i < 1000 && ts_now() < deadline; i++) {
        n = ts_hard_log_count(path, needle);
        if (n >= want)
            break;
        ts_sleep_ms(10);
    }
    return n;
}

/* Lines of the error log at crit, alert or emerg. */
static size_t error_log_severe(const struct ts_server *s)
{
    return ts_hard_log_count(s->error_log, "] [crit] ") +
           ts_hard_log_count(s->error_log, "] [alert] ") +
           ts_hard_log_count(s->error_log, "] [emerg] ");
}

/* ---- 1. a parked connection keeps its request count and addresses ---------------------------- */

#define COUNT_CONF                                                                                 \
    "access_log_format = \"%k %a %A %p %r\"\n"                                                     \
    "keepalive { enabled = true  max_requests = 3 }\n"
#define CLIENT_V1 "198.51.100.7"

struct count_case {
    const char *description;
    bool proxied;        /* a PROXY v1 header opens the connection */
    const char *address; /* what %a must log */
};

static const struct count_case count_cases[] = {
    {"plain connection", false, TS_HOST},
    {"PROXY protocol v1 connection", true, CLIENT_V1},
};

struct log_fields {
    int keepalive;
    char client[64], local[64];
    int port;
};

static void log_fields_of(const struct ts_server *s, const char *tag, struct log_fields *f)
{
    ck_assert_msg(ts_file_wait_for(s->access_log, tag, 5.0), "no access log line for %s", tag);
    char *line = ts_file_line_with(s->access_log, tag);
    ck_assert_msg(line != NULL && sscanf(line, "%d %63s %63s %d", &f->keepalive, f->client,
                                         f->local, &f->port) == 4,
                  "access log line for %s: %s", tag, line != NULL ? line : "-");
    free(line);
}

/*
 * Three requests on one connection, parked twice in between: the access log counts them 0, 1, 2
 * (%k) under the same addresses, and keepalive { max_requests = 3 } closes after the third, as
 * if the connection had never left its worker. Behind a PROXY listener the client address from
 * the header is the one that survives.
 */
START_TEST(test_parked_keeps_count_and_addresses)
{
    const struct count_case *row = &count_cases[_i];
    struct ts_server s;
    char extra[512];
    ck_assert_int_eq(ts_server_init(&s), 0);
    snprintf(extra, sizeof(extra), "%s", COUNT_CONF);
    if (row->proxied)
        snprintf(extra, sizeof(extra), "proxy_protocol = {\"%s:%d\"}\n%s", TS_HOST, s.port,
                 COUNT_CONF);
    ck_assert_int_eq(ts_server_configure(&s, extra), 0);
    const char *args[] = {"-f", s.conf, NULL};
    ck_assert_int_eq(ts_server_spawn(&s, args), 0);
    ck_assert_msg(ts_server_wait_ready(&s, TS_START_TIMEOUT_S) == 0, "server did not start");
    struct park_probe p = probe_start(&s);

    struct ts_conn c;
    ts_conn_open_or_fail(&c, &s);
    if (row->proxied)
        ck_assert_int_eq(ts_conn_send_str(&c, "PROXY TCP4 " CLIENT_V1 " 127.0.0.1 40000 80\r\n"),
                         TS_OK);
    const char *tags[] = {"?park-r1 ", "?park-r2 ", "?park-r3 "};
    for (int i = 0; i < 3; i++) {
        char raw[128];
        snprintf(raw, sizeof(raw), "GET /hello.txt%sHTTP/1.1\r\n" HOST "\r\n", tags[i]);
        struct ts_response r;
        int rc = conn_exchange(&c, raw, 5000, &r);
        ck_assert_msg(response_is_hello(rc, &r), "%s, request %d: %s", row->description, i + 1,
                      outcome(rc, &r));
        bool closing = ts_response_header_has(&r, "Connection", "close");
        ck_assert_msg(closing == (i == 2), "%s, request %d of max_requests = 3: Connection: %s",
                      row->description, i + 1, closing ? "close" : "keep-alive");
        ts_response_free(&r);
        if (i < 2)
            probe_assert_holding(&p, 1); /* parked before the next request */
    }
    ck_assert_msg(ts_conn_closed_within(&c, 5000), "open after max_requests");
    ts_conn_close(&c);

    struct log_fields first, f;
    log_fields_of(&s, tags[0], &first);
    ck_assert_str_eq(first.client, row->address);
    for (int i = 0; i < 3; i++) {
        log_fields_of(&s, tags[i], &f);
        ck_assert_msg(f.keepalive == i, "%s: %%k of request %d is %d", row->description, i + 1,
                      f.keepalive);
        ck_assert_str_eq(f.client, first.client);
        ck_assert_str_eq(f.local, first.local);
        ck_assert_int_eq(f.port, first.port);
    }
    ts_server_stop(&s);
}
END_TEST

/* ---- 2. thousands of idle connections on a pool of 8 ----------------------------------------- */

#define IDLE_CONNS 2000

/*
 * 2 000 keep-alive connections on 8 workers: every one answered, a new connection answered at
 * once while they idle, then every one answers again. Without parking the ninth connection waits
 * for a worker until the keep-alive timeout of another.
 */
START_TEST(test_thousands_idle_on_small_pool)
{
    nofile_raise_for(IDLE_CONNS);
    struct ts_server s;
    ts_server_start(&s, POOL_OF_8 LONG_TIMEOUTS);
    struct park_probe p = probe_start(&s);
    struct ts_conn *conns = conns_parked(&s, &p, IDLE_CONNS);

    double ms = fresh_request_ms(s.port);
    ck_assert_msg(ms >= 0 && ms < 1000.0, "a new connection beside %d idle ones: %.0f ms (%s)",
                  IDLE_CONNS, ms, ms < 0 ? fresh_request_why : "answered");
    char why[256] = "";
    int ok = conns_request_all(conns, IDLE_CONNS, "GET /hello.txt?second HTTP/1.1\r\n" HOST "\r\n",
                               false, 20.0, why, sizeof(why));
    ck_assert_msg(ok == IDLE_CONNS, "%d of %d second requests answered; last failure: %s", ok,
                  IDLE_CONNS, why);
    conns_close(conns, IDLE_CONNS);
    ts_server_stop(&s);
}
END_TEST

/* ---- 3. the keeper killed under load --------------------------------------------------------- */

#define LOAD_S 2.5
#define KILL_AFTER_MS 1000
#define KEEPALIVE_CLIENTS 3
#define CLOSING_CLIENTS 3
#define LOAD_CLIENTS (KEEPALIVE_CLIENTS + CLOSING_CLIENTS)
#define IDLE_AT_KILL 20 /* connections surely parked when the keeper dies */
#define MAX_FAILURES 16 /* kept per client */

/* A request that got no whole response. */
struct load_failure {
    double sent_at;
    bool reused;           /* on a connection that had served requests before */
    bool response_started; /* some of the response arrived */
    bool keepalive;
    char what[64];
};

struct load_client {
    int port;
    bool keepalive;
    double deadline;
    int ok;
    int retried; /* idle connections found closed before a request was sent on them */
    int failed;
    struct load_failure failures[MAX_FAILURES];
};

/* Whether the server closed c while it was idle (nothing sent on it since the last response). */
static bool conn_closed_while_idle(const struct ts_conn *c, int wait_ms)
{
    struct pollfd pfd = {.fd = c->fd, .events = POLLIN | POLLRDHUP};
    if (poll(&pfd, 1, wait_ms) <= 0)
        return false;
    char byte;
    ssize_t got = recv(c->fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return got == 0 || (got < 0 && errno != EAGAIN);
}

static void load_client_failed(struct load_client *lc, const struct load_failure *f)
{
    if (lc->failed < MAX_FAILURES)
        lc->failures[lc->failed] = *f;
    lc->failed++;
}

/* One request as a real client sends it: a reused connection found closed while idle is
 * replaced by a new one (counted as a retry); whatever goes wrong after sending is recorded. */
static void load_client_request(struct load_client *lc, struct ts_conn *c, unsigned n)
{
    if (c->fd >= 0 && conn_closed_while_idle(c, 0)) {
        lc->retried++;
        ts_conn_close(c);
    }
    struct load_failure f = {.sent_at = ts_now(), .reused = c->fd >= 0, .keepalive = lc->keepalive};
    if (c->fd < 0 && ts_conn_open(c, lc->port, 2000) != 0) {
        snprintf(f.what, sizeof(f.what), "connect: %s", strerror(errno));
        load_client_failed(lc, &f);
        return;
    }
    char raw[160];
    snprintf(raw, sizeof(raw), "GET /hello.txt?load-%u HTTP/1.1\r\n" HOST "%s\r\n", n,
             lc->keepalive ? "" : "Connection: close\r\n");
    unsigned long long before = c->received;
    struct ts_response r;
    int rc = conn_exchange(c, raw, 5000, &r);
    if (response_is_hello(rc, &r)) {
        lc->ok++;
    } else {
        f.response_started = c->received > before;
        snprintf(f.what, sizeof(f.what), "%s", outcome(rc, &r));
        load_client_failed(lc, &f);
    }
    if (rc != TS_OK || !lc->keepalive || ts_response_header_has(&r, "Connection", "close"))
        ts_conn_close(c);
    ts_response_free(&r);
}

static void *load_client_run(void *arg)
{
    struct load_client *lc = arg;
    struct ts_conn c = {.fd = -1};
    for (unsigned n = 0; n < 100000 && ts_now() < lc->deadline; n++) {
        load_client_request(lc, &c, n);
        /* Idle now and then, long enough to be parked (park_grace_ms is 5). */
        if (lc->keepalive && c.fd >= 0 && n % 2 == 0 && conn_closed_while_idle(&c, 20 + n % 20))
            continue; /* the next request finds it closed and retries */
    }
    ts_conn_close(&c);
    return NULL;
}

/*
 * Whether a failure is the one a keeper's death cannot avoid: a request sent on a parked
 * connection before the keeper handed it back, while the keeper was still there (it died after
 * the bytes arrived, so the kernel reset the connection rather than closing it). No byte of a
 * response came, so a client retries it like any idempotent request on a reused connection
 * (RFC 9112 §9.3.1). The keeper was gone, its descriptors closed, by the time the master had
 * started the next one.
 */
static bool load_failure_with_keeper(const struct load_failure *f, double replaced_at)
{
    return f->keepalive && f->reused && !f->response_started && f->sent_at < replaced_at &&
           (strcmp(f->what, ts_result_name(TS_RESET)) == 0 ||
            strcmp(f->what, ts_result_name(TS_CLOSED)) == 0);
}

struct load_totals {
    int ok, failed, retried;
    int with_keeper;      /* requests reset with the keeper (load_failure_with_keeper) */
    int most_with_keeper; /* of those, the most one client had */
    char why[160];        /* a failure that was not */
};

/* Joins the clients and adds up what they saw. */
static void load_join(pthread_t *threads, struct load_client *clients, double killed_at,
                      double replaced_at, struct load_totals *t)
{
    memset(t, 0, sizeof(*t));
    snprintf(t->why, sizeof(t->why), "-");
    for (int i = 0; i < LOAD_CLIENTS; i++) {
        pthread_join(threads[i], NULL);
        t->ok += clients[i].ok;
        t->retried += clients[i].retried;
        int with_keeper = 0;
        for (int j = 0; j < clients[i].failed && j < MAX_FAILURES; j++) {
            const struct load_failure *f = &clients[i].failures[j];
            if (load_failure_with_keeper(f, replaced_at)) {
                with_keeper++;
                continue;
            }
            snprintf(t->why, sizeof(t->why),
                     "%s on a %s %s connection, sent %.1f ms after the kill", f->what,
                     f->reused ? "reused" : "new", f->keepalive ? "keep-alive" : "closing",
                     (f->sent_at - killed_at) * 1000);
        }
        t->failed += clients[i].failed - with_keeper;
        t->with_keeper += with_keeper;
        t->most_with_keeper = with_keeper > t->most_with_keeper ? with_keeper : t->most_with_keeper;
    }
}

/*
 * SIGKILL to the keeper while keep-alive and closing clients run: the master starts a new one
 * at once and says so in the error log, and no request fails but those the dead keeper held:
 * idle connections are closed before a request is sent on them (clients retry on a new one),
 * and at most one request per keep-alive client, sent to a parked connection right before the
 * keeper died, is reset without a byte of response (a retry too). Closing clients and new
 * connections lose nothing.
 */
START_TEST(test_keeper_killed_under_load)
{
    struct ts_server s;
    ts_server_start(&s, "prefork { start_servers = 8  min_spare_servers = 2  max_spare_servers "
                        "= 16  max_workers = 16 }\n" LONG_TIMEOUTS);
    struct park_probe p = probe_start(&s);
    struct ts_conn *idle = conns_parked(&s, &p, IDLE_AT_KILL);

    struct load_client clients[LOAD_CLIENTS];
    pthread_t threads[LOAD_CLIENTS];
    double deadline = ts_now() + LOAD_S;
    for (int i = 0; i < LOAD_CLIENTS; i++) {
        clients[i] = (struct load_client){
            .port = s.port, .keepalive = i < KEEPALIVE_CLIENTS, .deadline = deadline};
        ck_assert_int_eq(pthread_create(&threads[i], NULL, load_client_run, &clients[i]), 0);
    }
    struct pollfd none = {.fd = -1};
    poll(&none, 0, KILL_AFTER_MS); /* the load runs */
    double killed_at = ts_now();
    ck_assert_int_eq(kill(p.keeper, SIGKILL), 0);
    pid_t next = keeper_wait(s.pid, p.keeper, 2.0);
    double replaced_at = ts_now();
    ck_assert_msg(next > 0, "no new keeper within 2 s of SIGKILL to %d", (int)p.keeper);
    ck_assert_int_eq(ts_pid_parent(next), s.pid);

    struct load_totals t;
    load_join(threads, clients, killed_at, replaced_at, &t);
    fprintf(stderr,
            "keeper killed under load: replaced in %.0f ms; %d requests, %d failed, %d idle "
            "connections found closed and %d requests reset with the keeper (both retried)\n",
            (replaced_at - killed_at) * 1000, t.ok + t.failed + t.with_keeper, t.failed, t.retried,
            t.with_keeper);
    ck_assert_msg(t.failed == 0, "%d of %d requests failed across the keeper's death: %s", t.failed,
                  t.ok + t.failed, t.why);
    ck_assert_msg(t.most_with_keeper <= 1, "a client lost %d requests with the keeper",
                  t.most_with_keeper);
    ck_assert_msg(t.ok > 100, "only %d requests in %.1f s", t.ok, LOAD_S);

    /* What the dead keeper held is closed, and closed before anything was sent on it. */
    for (int i = 0; i < IDLE_AT_KILL; i++)
        ck_assert_msg(conn_closed_while_idle(&idle[i], 2000),
                      "idle connection %d still open after its keeper died", i);
    conns_close(idle, IDLE_AT_KILL);

    char logged[64];
    snprintf(logged, sizeof(logged), "keeper %d exited on signal 9", (int)p.keeper);
    ck_assert_msg(ts_file_wait_for(s.error_log, logged, 5.0), "the error log lacks \"%s\"", logged);
    ts_assert_serving(&s, "the keeper's replacement");
    ts_server_stop(&s);
}
END_TEST

/* ---- 4. graceful restart with parked connections --------------------------------------------- */

#define RESTART_CONNS 500

/*
 * USR1 while 500 connections are parked: the old generation exits, and every connection still
 * answers its next request, keep-alive, from a new worker (%P in the access log).
 */
START_TEST(test_graceful_restart_keeps_parked)
{
    nofile_raise_for(RESTART_CONNS);
    struct ts_server s;
    ts_server_start(&s, "access_log_format = \"%P %r %>s\"\n" POOL_OF_8 LONG_TIMEOUTS);
    struct park_probe p = probe_start(&s);
    struct ts_conn *conns = conns_parked(&s, &p, RESTART_CONNS);
    pid_t old[TS_MAX_PIDS];
    size_t nold = ts_workers(s.pid, old, TS_MAX_PIDS);
    ck_assert_int_gt(nold, 0);

    ck_assert_int_eq(kill(s.pid, SIGUSR1), 0);
    ck_assert_msg(ts_pids_wait_gone(old, nold, 10.0), "the old generation outlived USR1");
    char why[256] = "";
    int ok = conns_request_all(conns, RESTART_CONNS,
                               "GET /hello.txt?after-usr1 HTTP/1.1\r\n" HOST "\r\n", false, 20.0,
                               why, sizeof(why));
    ck_assert_msg(ok == RESTART_CONNS, "%d of %d parked connections answered after USR1; %s", ok,
                  RESTART_CONNS, why);
    conns_close(conns, RESTART_CONNS);

    /* A worker writes the line after the response: wait for the last ones. */
    size_t logged = log_wait_count(s.access_log, "?after-usr1 ", RESTART_CONNS, 5.0);
    ck_assert_int_eq(logged, RESTART_CONNS);
    size_t len = 0;
    char *log = ts_file_read(s.access_log, &len);
    ck_assert_ptr_nonnull(log);
    int lines = 0;
    for (char *line = strtok(log, "\n"); line != NULL; line = strtok(NULL, "\n")) {
        if (strstr(line, "?after-usr1 ") == NULL)
            continue;
        lines++;
        ck_assert_msg(!ts_pid_in((pid_t)atoi(line), old, nold), "served by an old worker: %s",
                      line);
    }
    free(log);
    ck_assert_int_eq(lines, RESTART_CONNS);
    ts_server_stop(&s);
}
END_TEST

/* ---- 5. graceful stop with parked connections ------------------------------------------------ */

#define STOP_CONNS 50
#define GRACEFUL_S 5

/* Polls until a new connection to port is refused: the workers have closed their listeners. */
static bool listeners_closed(int port, double timeout_s)
{
    double deadline = ts_now() + timeout_s;
    for (int i = 0; i < 1000 && ts_now() < deadline; i++) {
        struct ts_conn c;
        if (ts_conn_open(&c, port, 500) != 0)
            return errno == ECONNREFUSED;
        ts_conn_close(&c);
        ts_sleep_ms(20);
    }
    return false;
}

/*
 * WINCH while connections are parked: the listeners close, but each parked client that sends its
 * next request within timeouts { graceful } gets the whole response with Connection: close and
 * then a clean close (no reset); the server exits once they are done, within the graceful timeout.
 */
START_TEST(test_graceful_stop_answers_parked)
{
    struct ts_server s;
    ts_server_start(&s, POOL_OF_8 LONG_TIMEOUTS);
    struct park_probe p = probe_start(&s);
    struct ts_conn *conns = conns_parked(&s, &p, STOP_CONNS);

    ck_assert_int_eq(kill(s.pid, SIGWINCH), 0);
    double stop_at = ts_now();
    ck_assert_msg(listeners_closed(s.port, 3.0), "still accepting 3 s after WINCH");
    for (int i = 0; i < STOP_CONNS; i++) {
        struct ts_response r;
        int rc =
            conn_exchange(&conns[i], "GET /hello.txt?stopping HTTP/1.1\r\n" HOST "\r\n", 3000, &r);
        ck_assert_msg(
            response_is_hello(rc, &r) && ts_response_header_has(&r, "Connection", "close"),
            "parked connection %d after WINCH: %s (errno %d)", i, outcome(rc, &r), conns[i].err);
        ts_response_free(&r);
        ck_assert_msg(ts_conn_closed_within(&conns[i], 3000), "connection %d left open", i);
        ck_assert_msg(conns[i].err != ECONNRESET, "connection %d reset after its response", i);
    }
    conns_close(conns, STOP_CONNS);
    ck_assert_msg(ts_server_wait_exit(&s, GRACEFUL_S + 1.0), "master alive %.1f s after WINCH",
                  ts_now() - stop_at);
    ck_assert_msg(WIFEXITED(s.wait_status) && WEXITSTATUS(s.wait_status) == 0,
                  "master wait status %#x after WINCH", s.wait_status);
    ts_server_stop(&s);
}
END_TEST

/* ---- 6. a full keeper ------------------------------------------------------------------------ */

#define MAX_PARKED 50
#define FULL_CONNS 200

/*
 * keepalive { max_parked = 50 } and 200 keep-alive connections: every one answered; beyond what
 * the keeper holds the responses say Connection: close (and the connection closes) instead of
 * tying up a worker; the server stays up and quiet.
 */
START_TEST(test_full_keeper_closes_the_rest)
{
    struct ts_server s;
    ts_server_start(&s, POOL_OF_8 LONG_TIMEOUTS
                    "keepalive { enabled = true  max_requests = 100  max_parked = 50 }\n");
    struct park_probe p = probe_start(&s);
    struct ts_conn *conns = conns_open(&s, FULL_CONNS);
    int kept = 0, closed = 0;
    for (int i = 0; i < FULL_CONNS; i++) {
        struct ts_response r;
        int rc = conn_exchange(&conns[i], "GET /hello.txt HTTP/1.1\r\n" HOST "\r\n", 5000, &r);
        ck_assert_msg(response_is_hello(rc, &r), "connection %d: %s", i, outcome(rc, &r));
        if (ts_response_header_has(&r, "Connection", "close")) {
            closed++;
            ck_assert_msg(ts_conn_closed_within(&conns[i], 5000), "connection %d left open", i);
            ts_conn_close(&conns[i]); /* as a client does: its lingering close ends */
        } else {
            kept++;
        }
        ts_response_free(&r);
    }
    fprintf(stderr, "max_parked = %d: %d of %d connections kept, %d closed\n", MAX_PARKED, kept,
            FULL_CONNS, closed);
    /* A worker may still hold one in its grace while the keeper fills: a pool's worth of slack. */
    ck_assert_msg(kept >= MAX_PARKED / 2 && kept <= MAX_PARKED + 8,
                  "%d connections kept alive with max_parked = %d", kept, MAX_PARKED);
    ck_assert_int_eq(closed, FULL_CONNS - kept);
    ck_assert_msg(keeper_sockets(p.keeper) - p.base <= MAX_PARKED,
                  "the keeper holds %d connections over max_parked = %d",
                  keeper_sockets(p.keeper) - p.base, MAX_PARKED);
    ck_assert_msg(fresh_request_ms(s.port) >= 0, "a new connection beside a full keeper failed: %s",
                  fresh_request_why);
    conns_close(conns, FULL_CONNS);
    const char *died = ts_hard_survived(&s, false);
    ck_assert_msg(died == NULL, "%s", died != NULL ? died : "");
    ck_assert_msg(keeper_find(s.pid, -1) == p.keeper, "the keeper was replaced");
    ck_assert_msg(error_log_severe(&s) == 0, "crit/alert/emerg in the error log");
    ts_server_stop(&s);
}
END_TEST

/* ---- 7. slowloris on a small pool ------------------------------------------------------------ */

#define SLOW_CONNS 1000
#define HEADER_S 3
/* An unfinished head has no request line to log: like Apache's, the line says "-". */
#define SLOW_408_LOGGED "\"-\" 408 "
#define FRESH_TRIES 5 /* normal requests while the slowloris trickle, 0.4 s apart */

/* Per slow connection: when it sends its next header line, the first bytes it received, and
 * whether the server closed it. */
struct slow_conn {
    int fd;
    double next_at;
    char head[16];
    size_t len;
    bool closed;
};

/* What arrived on a slow connection: its first bytes are kept, the close noted. */
static void slow_read(struct slow_conn *sc)
{
    char buf[4096];
    ssize_t got = recv(sc->fd, buf, sizeof(buf), MSG_DONTWAIT);
    if (got <= 0) {
        sc->closed = got == 0 || errno != EAGAIN;
        return;
    }
    size_t take = sizeof(sc->head) - 1 - sc->len;
    take = (size_t)got < take ? (size_t)got : take;
    memcpy(sc->head + sc->len, buf, take);
    sc->len += take;
}

/* Until `until` (or all are closed): each open connection sends a header line when due, the next
 * one 1 to 2 s later (spread by its index, as independent clients would), and reads what the
 * server sent. How many are closed. */
static int slow_run(struct slow_conn *sc, struct pollfd *pfds, int n, double until)
{
    int closed = 0;
    for (int round = 0; round < 100000 && ts_now() < until; round++) {
        closed = 0;
        double now = ts_now();
        for (int i = 0; i < n; i++) {
            if (!sc[i].closed && now >= sc[i].next_at) {
                send(sc[i].fd, "X-Slow: 1\r\n", 11, MSG_NOSIGNAL | MSG_DONTWAIT);
                sc[i].next_at = now + 1.0 + (i % 100) / 100.0;
            }
            pfds[i] = (struct pollfd){.fd = sc[i].closed ? -1 : sc[i].fd, .events = POLLIN};
            closed += sc[i].closed;
        }
        if (closed == n || poll(pfds, (nfds_t)n, 10) < 0)
            break;
        for (int i = 0; i < n; i++)
            if (pfds[i].revents != 0)
                slow_read(&sc[i]);
    }
    return closed;
}

/*
 * 1 000 connections that send a head one line every 1-2 s and never finish it, on a pool of 16:
 * the keeper holds them between lines, so a normal request is answered at once; when
 * timeouts { header } passes each gets its 408 (logged) and is closed. Without parking the 16
 * workers are taken by the first 16 and a normal request waits for their 408.
 */
START_TEST(test_slowloris_parked)
{
    nofile_raise_for(SLOW_CONNS);
    struct ts_server s;
    ts_server_start(&s, "prefork { start_servers = 16  min_spare_servers = 1  max_spare_servers "
                        "= 16  max_workers = 16  listen_backlog = 4096 }\n"
                        "timeouts { header = 3  body = 10  keepalive = 20 }\n");
    struct park_probe p = probe_start(&s);
    int *fds = calloc(SLOW_CONNS, sizeof(*fds));
    struct slow_conn *sc = calloc(SLOW_CONNS, sizeof(*sc));
    struct pollfd *pfds = calloc(SLOW_CONNS, sizeof(*pfds));
    ck_assert(fds != NULL && sc != NULL && pfds != NULL);
    ck_assert_int_eq(ts_hard_connect_many(s.port, fds, SLOW_CONNS, 10000), SLOW_CONNS);
    const char line1[] = "GET /hello.txt?slowloris HTTP/1.1\r\n" HOST;
    ck_assert_int_eq(ts_hard_send_each(fds, SLOW_CONNS, line1, sizeof(line1) - 1), SLOW_CONNS);
    double start = ts_now();
    for (int i = 0; i < SLOW_CONNS; i++)
        sc[i] = (struct slow_conn){.fd = fds[i], .next_at = start + 1.0 + (i % 100) / 100.0};
    probe_assert_holding(&p, SLOW_CONNS);

    double worst = 0;
    for (int i = 0; i < FRESH_TRIES; i++) {
        double ms = fresh_request_ms(s.port);
        ck_assert_msg(ms >= 0, "a normal request failed beside %d slowloris: %s", SLOW_CONNS,
                      fresh_request_why);
        worst = ms > worst ? ms : worst;
        slow_run(sc, pfds, SLOW_CONNS, ts_now() + 0.4);
    }
    fprintf(stderr, "slowloris: worst of %d normal requests %.1f ms\n", FRESH_TRIES, worst);
    ck_assert_msg(worst < 100.0, "a normal request took %.1f ms beside %d slowloris", worst,
                  SLOW_CONNS);

    int closed = slow_run(sc, pfds, SLOW_CONNS, start + HEADER_S + 5.0);
    int got_408 = 0;
    for (int i = 0; i < SLOW_CONNS; i++)
        got_408 += strncmp(sc[i].head, "HTTP/1.1 408", 12) == 0;
    ts_hard_close_all(fds, SLOW_CONNS);
    free(fds);
    free(sc);
    free(pfds);
    fprintf(stderr, "slowloris: %d closed, %d with a 408, %.1f s after the first line\n", closed,
            got_408, ts_now() - start);
    ck_assert_msg(closed == SLOW_CONNS, "%d of %d slowloris still open 5 s after header = %d",
                  SLOW_CONNS - closed, SLOW_CONNS, HEADER_S);
    ck_assert_msg(got_408 == SLOW_CONNS, "%d of %d slowloris got a 408", got_408, SLOW_CONNS);
    size_t logged = log_wait_count(s.access_log, SLOW_408_LOGGED, (size_t)got_408, 5.0);
    char *first = ts_file_line_with(s.access_log, " 408 ");
    ck_assert_msg(logged == (size_t)got_408, "%zu of %d 408s in the access log; first line: %s",
                  logged, got_408, first != NULL ? first : "-");
    free(first);
    ts_server_stop(&s);
}
END_TEST

/* ---- 8. partial heads parked ----------------------------------------------------------------- */

#define COUNT_BODY "hello world"

struct split_case {
    const char *description;
    const char *pieces[4]; /* NULL-terminated */
    int status;
    const char *body_end; /* how the body must end */
};

static const struct split_case split_cases[] = {
    {"GET in two pieces",
     {"GET /hello.txt HTTP/1.1\r\nHo", "st: " TS_HOST "\r\n\r\n", NULL},
     200,
     TS_HELLO_TXT},
    {"POST to a CGI in three pieces, with a body",
     {"POST /cgi-bin/count.sh HTTP/1.1\r\nHo", "st: " TS_HOST "\r\nContent-Le",
      "ngth: 11\r\n\r\n" COUNT_BODY, NULL},
     200,
     " 11\n"}, /* cksum: "<crc> <length>" */
};

/*
 * A head that arrives in pieces 100 ms apart is parked with the bytes read so far (the keeper
 * holds it between pieces) and answered as if it had come at once.
 */
START_TEST(test_partial_head_parked)
{
    const struct split_case *row = &split_cases[_i];
    struct ts_server s;
    ts_server_start(&s, "modules = {\"static\", \"cgi\"}\n"
                        "module \"cgi\" { timeout = 5 }\n"
                        "location \"^/cgi-bin/\" { handler = \"cgi\" }\n");
    ck_assert_int_eq(ts_cgi_install(&s, "cgi-bin", "count.sh"), 0);
    struct park_probe p = probe_start(&s);
    struct ts_conn c;
    ts_conn_open_or_fail(&c, &s);
    for (int i = 0; row->pieces[i] != NULL; i++) {
        ck_assert_int_eq(ts_conn_send_str(&c, row->pieces[i]), TS_OK);
        if (row->pieces[i + 1] == NULL)
            break;
        struct pollfd none = {.fd = -1};
        poll(&none, 0, 100);
        ck_assert_msg(probe_wait_holding(&p, 1, 5.0), "%s: piece %d not parked", row->description,
                      i + 1);
    }
    struct ts_response r;
    c.timeout_ms = 5000;
    int rc = ts_response_read_final(&c, &r, false);
    size_t end_len = strlen(row->body_end);
    ck_assert_msg(rc == TS_OK && r.status == row->status && r.body_len >= end_len &&
                      strcmp(r.body + r.body_len - end_len, row->body_end) == 0,
                  "%s: %s", row->description, outcome(rc, &r));
    ts_response_free(&r);
    ts_conn_close(&c);
    ts_server_stop(&s);
}
END_TEST

/* ---- 9. lingering closes in the keeper ------------------------------------------------------- */

#define LINGER_CONNS 300
#define LINGER_BODY (256 * 1024) /* announced and sent after the 413 */
#define LINGER_PIECE 8192
/* A piece per connection this often: the uploads go on for about 3 s after the 413, so the
 * closes linger (timed out after 2 s of silence) all along. */
#define LINGER_PACE_MS 100
#define LINGER_HEAD                                                                                \
    "POST /hello.txt HTTP/1.1\r\n" HOST "Connection: close\r\nContent-Length: 262144\r\n\r\n"

struct linger_conn {
    int fd;
    size_t sent;      /* body bytes sent */
    double next_at;   /* when it sends its next piece */
    double got_at;    /* when its whole 413 had come, or 0 */
    bool half_closed; /* the FIN after the 413 came: the server lingers, reading */
    bool closed;      /* a send failed: the server has closed (the lingering ended) */
    double closed_at;
    int close_err;   /* send()'s errno */
    char resp[1024]; /* the response's first bytes */
    size_t len;
};

/* Whether resp holds a whole 413: its head and Content-Length bytes of body. */
static bool linger_got_413(const struct linger_conn *lc)
{
    const char *end = memmem(lc->resp, lc->len, "\r\n\r\n", 4);
    if (strncmp(lc->resp, "HTTP/1.1 413", 12) != 0 || end == NULL)
        return false;
    const char *cl = strcasestr(lc->resp, "\r\nContent-Length:");
    if (cl == NULL || cl > end)
        return false;
    return lc->len - (size_t)(end + 4 - lc->resp) == strtoul(cl + 17, NULL, 10);
}

/* What arrived on lc (its first bytes are kept); the FIN noted. */
static void linger_read(struct linger_conn *lc)
{
    char buf[4096];
    ssize_t got = recv(lc->fd, buf, sizeof(buf), MSG_DONTWAIT);
    lc->half_closed = got == 0;
    size_t take = got > 0 ? (size_t)got : 0;
    take = take < sizeof(lc->resp) - 1 - lc->len ? take : sizeof(lc->resp) - 1 - lc->len;
    memcpy(lc->resp + lc->len, buf, take);
    lc->len += take;
    lc->resp[lc->len] = '\0';
    if (lc->got_at == 0 && linger_got_413(lc))
        lc->got_at = ts_now();
}

/*
 * One round: each connection sends a piece of its body when due and reads what arrived. How
 * many are lingering now: their 413 read, the server still reading. The 413 ends with a
 * half-close (FIN), and the server's close() comes only when the lingering ends: after it, the
 * next piece sent draws a reset and a send fails.
 */
static int linger_round(struct linger_conn *lcs, int n)
{
    static const char piece[LINGER_PIECE];
    int lingering = 0;
    for (int i = 0; i < n; i++) {
        struct linger_conn *lc = &lcs[i];
        size_t left = LINGER_BODY - lc->sent;
        if (left > 0 && !lc->closed && ts_now() >= lc->next_at) {
            ssize_t put = send(lc->fd, piece, left < sizeof(piece) ? left : sizeof(piece),
                               MSG_NOSIGNAL | MSG_DONTWAIT);
            lc->sent += put > 0 ? (size_t)put : 0;
            lc->next_at = ts_now() + LINGER_PACE_MS / 1000.0;
            if (put < 0 && errno != EAGAIN) {
                lc->closed = true;
                lc->closed_at = ts_now();
                lc->close_err = errno;
            }
        }
        if (!lc->half_closed)
            linger_read(lc);
        lingering += !lc->closed && lc->got_at > 0;
    }
    return lingering;
}

/*
 * 300 uploads refused with 413 and Connection: close whose clients keep sending: each reads its
 * whole 413 (the keeper reads on before closing, so no reset eats it), and while they linger in
 * the keeper the pool of 8 answers a new request at once.
 */
START_TEST(test_lingering_closes_parked)
{
    nofile_raise_for(LINGER_CONNS);
    struct ts_server s;
    ts_server_start(&s, POOL_OF_8 LONG_TIMEOUTS "limits { body = \"64K\" }\n");
    probe_start(&s); /* a keeper runs */
    int *fds = calloc(LINGER_CONNS, sizeof(*fds));
    struct linger_conn *lcs = calloc(LINGER_CONNS, sizeof(*lcs));
    ck_assert(fds != NULL && lcs != NULL);
    ck_assert_int_eq(ts_hard_connect_many(s.port, fds, LINGER_CONNS, 10000), LINGER_CONNS);
    ck_assert_int_eq(ts_hard_send_each(fds, LINGER_CONNS, LINGER_HEAD, strlen(LINGER_HEAD)),
                     LINGER_CONNS);
    for (int i = 0; i < LINGER_CONNS; i++)
        lcs[i].fd = fds[i];

    double started = ts_now(), deadline = started + 10.0, fresh_ms = -2;
    int most_lingering = 0;
    for (int round = 0; round < 10000 && ts_now() < deadline; round++) {
        int lingering = linger_round(lcs, LINGER_CONNS);
        most_lingering = lingering > most_lingering ? lingering : most_lingering;
        if (fresh_ms == -2 && lingering == LINGER_CONNS)
            fresh_ms = fresh_request_ms(s.port); /* all 300 lingering now */
        int done = 0;
        for (int i = 0; i < LINGER_CONNS; i++)
            done += lcs[i].sent == LINGER_BODY || lcs[i].closed;
        if (done == LINGER_CONNS && fresh_ms != -2)
            break;
        struct pollfd none = {.fd = -1};
        poll(&none, 0, 5);
    }
    int whole = 0;
    double last_413 = 0, first_close = 0;
    int first_close_err = 0;
    for (int i = 0; i < LINGER_CONNS; i++) {
        whole += linger_got_413(&lcs[i]);
        last_413 = lcs[i].got_at > last_413 ? lcs[i].got_at : last_413;
        if (lcs[i].closed && (first_close == 0 || lcs[i].closed_at < first_close)) {
            first_close = lcs[i].closed_at;
            first_close_err = lcs[i].close_err;
        }
    }
    ts_hard_close_all(fds, LINGER_CONNS);
    free(fds);
    free(lcs);
    fprintf(stderr,
            "lingering: %d of %d whole 413s, at most %d lingering at once, a new "
            "request then %.1f ms\n",
            whole, LINGER_CONNS, most_lingering, fresh_ms);
    ck_assert_msg(whole == LINGER_CONNS, "%d of %d refused uploads read their whole 413", whole,
                  LINGER_CONNS);
    ck_assert_msg(most_lingering == LINGER_CONNS,
                  "at most %d of %d closes lingered at once: the last 413 came %.1f s after the "
                  "requests, the first close %.1f s after (%s)",
                  most_lingering, LINGER_CONNS, last_413 - started,
                  first_close > 0 ? first_close - started : 0.0, strerror(first_close_err));
    ck_assert_msg(fresh_ms >= 0 && fresh_ms < 1000.0,
                  "a new request beside %d lingering closes: %.1f ms (%s)", LINGER_CONNS, fresh_ms,
                  fresh_ms < 0 ? fresh_request_why : "answered");
    ts_server_stop(&s);
}
END_TEST

/* ---- 10. max_parked over the descriptor limit ------------------------------------------------ */

struct nofile_case {
    const char *description;
    int max_parked;
    rlim_t hard;            /* the hard RLIMIT_NOFILE to run under; 0: ours */
    bool drop_sys_resource; /* drop CAP_SYS_RESOURCE, so that root cannot raise it either */
    bool check_only;        /* -t rather than a start */
};

static const struct nofile_case nofile_cases[] = {
    {"-t, hard limit 1024", 5000, 1024, true, true},
    {"start-up, hard limit 1024", 5000, 1024, true, false},
    /* Over fs.nr_open (1048576 by default), which even root cannot pass. */
    {"-t, max_parked over fs.nr_open", 1 << 20, 0, false, true},
};

/* Runs the server's binary (-t or not) with row's limit in a child; its exit code (or 128 +
 * signal, -1 when it outlived 10 s), and what it printed in *output. */
static int nofile_run(const struct ts_server *s, const struct nofile_case *row, char **output)
{
    char out_path[TS_PATH_MAX + 16];
    snprintf(out_path, sizeof(out_path), "%s/nofile.out", s->dir);
    pid_t pid = fork();
    if (pid == 0) {
        FILE *out = freopen(out_path, "w", stdout);
        if (out == NULL || dup2(fileno(out), STDERR_FILENO) < 0)
            _exit(126);
        if (row->drop_sys_resource && getuid() == 0 &&
            prctl(PR_CAPBSET_DROP, CAP_SYS_RESOURCE, 0, 0, 0) != 0)
            _exit(126); /* exec then leaves root without it */
        struct rlimit rl;
        if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
            _exit(126);
        rl.rlim_cur = rl.rlim_max =
            row->hard > 0 && row->hard < rl.rlim_max ? row->hard : rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
            _exit(126);
        const char *check[] = {PFD_BINARY, "-t", "-f", s->conf, NULL};
        const char *start[] = {PFD_BINARY, "-f", s->conf, NULL};
        execv(PFD_BINARY, (char *const *)(row->check_only ? check : start));
        _exit(127);
    }
    ck_assert_int_gt(pid, 0);
    int status = -1;
    double deadline = ts_now() + 10.0;
    for (int i = 0; i < 10000 && waitpid(pid, &status, WNOHANG) == 0; i++) {
        if (ts_now() > deadline) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            status = -1;
            break;
        }
        ts_sleep_ms(10);
    }
    *output = ts_file_read(out_path, NULL);
    return status == -1          ? -1
           : WIFEXITED(status)   ? WEXITSTATUS(status)
           : WIFSIGNALED(status) ? 128 + WTERMSIG(status)
                                 : -1;
}

/*
 * keepalive { max_parked } needs a descriptor per parked connection in the keeper: when the hard
 * RLIMIT_NOFILE cannot give that, -t and start-up fail with the config file, the numbers and the
 * fix, instead of a keeper that fails later under load.
 */
START_TEST(test_max_parked_over_nofile_refused)
{
    const struct nofile_case *row = &nofile_cases[_i];
    struct ts_server s;
    ck_assert_int_eq(ts_server_init(&s), 0);
    char extra[256];
    snprintf(extra, sizeof(extra), "keepalive { enabled = true  max_parked = %d }\n",
             row->max_parked);
    ck_assert_int_eq(ts_server_configure(&s, extra), 0);
    char *output = NULL;
    int code = nofile_run(&s, row, &output);
    const char *said = output != NULL ? output : "";
    ck_assert_msg(code > 0 && code < 128, "%s: exit code %d; output: %s", row->description, code,
                  said);
    ck_assert_msg(strstr(said, s.conf) != NULL, "%s: the message lacks the file: %s",
                  row->description, said);
    ck_assert_msg(strstr(said, "max_parked") != NULL && strstr(said, "raise it") != NULL &&
                      strstr(said, "ulimit -Hn") != NULL,
                  "%s: the message lacks the fix: %s", row->description, said);
    free(output);
    ts_server_stop(&s);
}
END_TEST

static Suite *park_suite(void)
{
    Suite *suite = suite_create("park");
    TCase *state = tcase_create("state");
    tcase_set_timeout(state, 60);
    tcase_add_loop_test(state, test_parked_keeps_count_and_addresses, 0,
                        (int)(sizeof(count_cases) / sizeof(count_cases[0])));
    tcase_add_loop_test(state, test_partial_head_parked, 0,
                        (int)(sizeof(split_cases) / sizeof(split_cases[0])));
    tcase_add_loop_test(state, test_max_parked_over_nofile_refused, 0,
                        (int)(sizeof(nofile_cases) / sizeof(nofile_cases[0])));
    suite_add_tcase(suite, state);

    const struct ts_case heavy[] = {
        {"idle", test_thousands_idle_on_small_pool},
        {"keeper_killed", test_keeper_killed_under_load},
        {"restart", test_graceful_restart_keeps_parked},
        {"stop", test_graceful_stop_answers_parked},
        {"full", test_full_keeper_closes_the_rest},
        {"slowloris", test_slowloris_parked},
        {"linger", test_lingering_closes_parked},
    };
    ts_suite_add_cases(suite, heavy, sizeof(heavy) / sizeof(heavy[0]), 60);
    return suite;
}

int main(void)
{
    return ts_run_session(park_suite());
}
