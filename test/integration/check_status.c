/*
 * check_status.c — mod_status on the real binary: Apache's ?auto keys, the JSON document, the
 * HTML page with client-sent request lines escaped, loopback-only access (allow_from, and a
 * client named by a trusted proxy's X-Forwarded-For), the listen queue and max_workers counters
 * from a saturated pool, the pool's memory, the keepers and the connections they hold parked, and
 * the health check that needs no disk.
 */
#include "testsupport.h"
#include "testsupport_ops.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testsupport_run.h"

#define STATUS_CONF                                                                                \
    "modules = {\"static\", \"status\"}\n"                                                         \
    "location \"^/server-status$\" { handler = \"status\" }\n"                                     \
    "location \"^/healthz$\" { handler = \"status\"  status_health = true }\n"

/* GET path, Connection: close; the response in *r (caller frees). */
static int get(const struct ts_server *s, const char *path, struct ts_response *r)
{
    return ts_get(s->port, path, r);
}

/* The integer after "Key: " on its own line of an ?auto body, or -1. */
static long auto_value(const char *body, const char *key)
{
    char needle[64];
    snprintf(needle, sizeof(needle), "\n%s: ", key);
    const char *p = strstr(body, needle);
    return p != NULL ? strtol(p + strlen(needle), NULL, 10) : -1;
}

static char *auto_body(const struct ts_server *s)
{
    struct ts_response r;
    int rc = get(s, "/server-status?auto", &r);
    ck_assert_msg(rc == TS_OK && r.status == 200, "?auto: %s",
                  rc == TS_OK ? ts_response_describe(&r) : ts_result_name(rc));
    char *body = strdup(r.body);
    ts_response_free(&r);
    return body;
}

START_TEST(test_auto_keys)
{
    struct ts_server s;
    ts_server_start(&s, STATUS_CONF);
    for (int i = 0; i < 5; i++)
        ck_assert_int_eq(ts_get_status(s.port, "/hello.txt"), 200);
    /* A worker counts a request after its response is sent: the client may ask first. */
    double deadline = ts_now() + 5.0;
    for (int i = 0; i < 100; i++) {
        char *body = auto_body(&s);
        bool counted = auto_value(body, "Total Accesses") >= 5;
        free(body);
        if (counted || ts_now() > deadline)
            break;
        ts_sleep_ms(50);
    }
    struct ts_response r;
    ck_assert_int_eq(get(&s, "/server-status?auto", &r), TS_OK);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(strstr(ts_response_header(&r, "Content-Type"), "text/plain"));
    /* The keys exporters written for Apache read, each "Key: value" on its own line. */
    const char *keys[] = {
        "ServerVersion", "ServerMPM",   "Total Accesses",    "Total kBytes", "Uptime",
        "ReqPerSec",     "BytesPerSec", "BytesPerReq",       "BusyWorkers",  "IdleWorkers",
        "Scoreboard",    "ListenQueue", "MaxWorkersReached", "PoolMemoryKB", "ServerUptimeSeconds"};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        char needle[64];
        snprintf(needle, sizeof(needle), "\n%s: ", keys[i]);
        ck_assert_msg(strstr(r.body, needle) != NULL, "no \"%s\" in:\n%s", keys[i], r.body);
    }
    ck_assert_msg(auto_value(r.body, "Total Accesses") >= 5, "%s", r.body);
    ck_assert_msg(auto_value(r.body, "BusyWorkers") >= 1, "this request is busy: %s", r.body);
    ck_assert_msg(auto_value(r.body, "IdleWorkers") >= 0, "%s", r.body);
    const char *sb = strstr(r.body, "\nScoreboard: ") + strlen("\nScoreboard: ");
    size_t n = strcspn(sb, "\n");
    ck_assert_msg(n >= 16 && strspn(sb, "_SRWKDCLGI.") == n, "scoreboard \"%.*s\"", (int)n, sb);
    ck_assert_msg(memchr(sb, 'W', n) != NULL, "this request's worker is not 'W': %.*s", (int)n, sb);
    ts_response_free(&r);
    ts_server_stop(&s);
}
END_TEST

START_TEST(test_json)
{
    struct ts_server s;
    ts_server_start(&s, STATUS_CONF);
    ck_assert_int_eq(ts_get_status(s.port, "/hello.txt"), 200);
    struct ts_response r;
    ck_assert_int_eq(get(&s, "/server-status?json", &r), TS_OK);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(ts_response_header(&r, "Content-Type"), "application/json");
    const char *keys[] = {"\"total_requests\": ",      "\"busy_workers\": ", "\"idle_workers\": ",
                          "\"scoreboard\": \"",        "\"workers\": [",     "\"listeners\": [",
                          "\"max_workers_reached\": ", "\"memory_kb\": "};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        ck_assert_msg(strstr(r.body, keys[i]) != NULL, "no %s in %s", keys[i], r.body);
    char pid[32];
    snprintf(pid, sizeof(pid), "\"master_pid\": %d", (int)s.pid);
    ck_assert_msg(strstr(r.body, pid) != NULL, "no %s in %s", pid, r.body);
    /* A real parser agrees, when there is one. */
    if (tso_have("/usr/bin/python3")) {
        char path[TS_PATH_MAX + 16];
        snprintf(path, sizeof(path), "%s/status.json", s.dir);
        ck_assert_int_eq(ts_file_write(path, r.body, r.body_len), 0);
        const char *argv[] = {"/usr/bin/python3", "-m", "json.tool", path, NULL};
        char *out = NULL;
        int rc = ts_run(argv, 20.0, &out);
        ck_assert_msg(rc == 0, "json.tool: %s", out != NULL ? out : "");
        free(out);
    }
    ts_response_free(&r);
    ts_server_stop(&s);
}
END_TEST

/* A request line is whatever a client sent: on the HTML page it must stay text. The request is
 * kept in flight (a big response to a small receive buffer) so that its worker shows it; on a
 * kept-alive connection without parking, since the socket buffers can take the whole response,
 * and a close (or a keeper taking the connection) would free the worker for the status request,
 * which overwrites the line. */
START_TEST(test_html_escapes_request_lines)
{
    struct ts_server s;
    ts_server_start(&s, "prefork { start_servers = 2  min_spare_servers = 1  max_spare_servers = 2"
                        "  max_workers = 2 }\n"
                        "keepalive { park = false }\n" STATUS_CONF);
    struct ts_conn c;
    ck_assert_int_eq(ts_conn_open_rcvbuf(&c, s.port, 5000, 4096), 0);
    ck_assert_int_eq(ts_conn_send_str(&c, "GET " TS_BIG_PATH "?<script>alert('x')</script>&amp;\"x"
                                          " HTTP/1.1\r\nHost: a\r\n\r\n"),
                     TS_OK);
    /* Its head has come back: the worker has read the request line and is sending the body. */
    ck_assert_int_eq(ts_conn_wait_for(&c, "HTTP/1.1 200", 5000), TS_OK);
    struct ts_response r;
    ck_assert_int_eq(get(&s, "/server-status", &r), TS_OK);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(strstr(ts_response_header(&r, "Content-Type"), "text/html"));
    ck_assert_msg(strstr(r.body, "<script>") == NULL, "raw markup on the page:\n%s", r.body);
    ck_assert_msg(
        strstr(r.body, "?&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;amp;&quot;x") != NULL,
        "the escaped request line is missing:\n%s", r.body);
    ck_assert_msg(strstr(r.body, "Server Status for") != NULL, "%s", r.body);
    ts_response_free(&r);
    ts_conn_close(&c);
    ts_server_stop(&s);
}
END_TEST

START_TEST(test_access)
{
    struct ts_server s;
    /* 127.0.0.1 is a trusted proxy: the client it names is who asks. */
    ts_server_start(&s, STATUS_CONF "trusted_proxies = {\"127.0.0.1\"}\n");
    ck_assert_int_eq(ts_get_status(s.port, "/server-status"), 200);
    struct ts_response r;
    ck_assert_int_eq(ts_request(s.port,
                                "GET /server-status HTTP/1.1\r\nHost: a\r\n"
                                "X-Forwarded-For: 203.0.113.5\r\nConnection: close\r\n\r\n",
                                &r),
                     TS_OK);
    ck_assert_msg(r.status == 403, "a remote client: %s", ts_response_describe(&r));
    ts_response_free(&r);
    /* The health check answers anyone. */
    ck_assert_int_eq(ts_request(s.port,
                                "GET /healthz HTTP/1.1\r\nHost: a\r\n"
                                "X-Forwarded-For: 203.0.113.5\r\nConnection: close\r\n\r\n",
                                &r),
                     TS_OK);
    ck_assert_int_eq(r.status, 200);
    ts_response_free(&r);
    ck_assert_msg(ts_file_wait_for(s.access_log, "203.0.113.5 - - ", 5.0),
                  "the forwarded client is not in the access log");
    ts_server_stop(&s);

    /* allow_from narrowed: loopback is out too; POST is not a way around. */
    ts_server_start(&s, STATUS_CONF "module \"status\" { allow_from = {\"10.0.0.0/8\"} }\n");
    ck_assert_int_eq(ts_get_status(s.port, "/server-status?auto"), 403);
    ck_assert_int_eq(ts_request(s.port,
                                "POST /server-status HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n"
                                "Connection: close\r\n\r\n",
                                &r),
                     TS_OK);
    ck_assert_int_eq(r.status, 405);
    ts_response_free(&r);
    ts_server_stop(&s);
}
END_TEST

/* Without trusted_proxies, X-Forwarded-For is only a header anyone can send. */
START_TEST(test_forwarded_for_untrusted)
{
    struct ts_server s;
    ts_server_start(&s, STATUS_CONF);
    struct ts_response r;
    ck_assert_int_eq(ts_request(s.port,
                                "GET /server-status?auto HTTP/1.1\r\nHost: a\r\n"
                                "X-Forwarded-For: 203.0.113.5\r\nConnection: close\r\n\r\n",
                                &r),
                     TS_OK);
    ck_assert_int_eq(r.status, 200);
    ts_response_free(&r);
    ts_server_stop(&s);
}
END_TEST

START_TEST(test_health_needs_no_disk)
{
    struct ts_server s;
    ts_server_start(&s, STATUS_CONF);
    ts_dir_remove(s.docroot);
    ck_assert_int_eq(ts_get_status(s.port, "/hello.txt"), 404);
    struct ts_response r;
    ck_assert_int_eq(get(&s, "/healthz", &r), TS_OK);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.body, "OK\n");
    ck_assert_str_eq(ts_response_header(&r, "Cache-Control"), "no-store");
    ts_response_free(&r);
    ts_server_stop(&s);
}
END_TEST

/* A pool of two, both held by slow clients (classic prefork: with parking a slow head holds no
 * worker): connections wait in the kernel's queue, the master wants to grow past max_workers,
 * and the page shows both. */
START_TEST(test_queue_and_max_workers)
{
    struct ts_server s;
    ts_server_start(&s, "prefork { start_servers = 2  min_spare_servers = 1  max_spare_servers = 2"
                        "  max_workers = 2 }\n"
                        "timeouts { header = 3  keepalive = 1 }\n"
                        "keepalive { park = false }\n" STATUS_CONF);
    ck_assert_int_eq(ts_get_status(s.port, "/hello.txt"), 200);
    struct ts_conn hold[2], status, queued[3];
    for (int i = 0; i < 2; i++) {
        ck_assert_int_eq(ts_conn_open(&hold[i], s.port, 5000), 0);
        ck_assert_int_eq(ts_conn_send_str(&hold[i], "GET /hello.txt HTTP/1.1\r\n"), TS_OK);
    }
    ts_sleep_ms(300); /* both accepted, both waiting for the rest of a head */
    ck_assert_int_eq(ts_conn_open(&status, s.port, 5000), 0);
    ck_assert_int_eq(ts_conn_send_str(&status, "GET /server-status?auto HTTP/1.1\r\nHost: a\r\n"
                                               "Connection: close\r\n\r\n"),
                     TS_OK);
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(ts_conn_open(&queued[i], s.port, 5000), 0);
        ck_assert_int_eq(ts_conn_send_str(&queued[i], "GET /hello.txt HTTP/1.1\r\n"), TS_OK);
    }
    /* The holders are cut off at the header deadline; the status request is next in line, and
     * the three behind it are still queued while it is rendered (one more worker is taken by
     * the first of them). */
    status.timeout_ms = 15000;
    struct ts_response r;
    int rc = ts_response_read(&status, &r, false);
    ck_assert_msg(rc == TS_OK && r.status == 200, "status: %s",
                  rc == TS_OK ? ts_response_describe(&r) : ts_result_name(rc));
    long queue = auto_value(r.body, "ListenQueue");
    long reached = auto_value(r.body, "MaxWorkersReached");
    ck_assert_msg(queue >= 1, "ListenQueue %ld with clients waiting:\n%s", queue, r.body);
    ck_assert_msg(auto_value(r.body, "ListenBacklog") >= 1, "%s", r.body);
    ck_assert_msg(reached >= 1, "MaxWorkersReached %ld after 3 s of a full pool:\n%s", reached,
                  r.body);
    ts_response_free(&r);
    for (int i = 0; i < 2; i++)
        ts_conn_close(&hold[i]);
    for (int i = 0; i < 3; i++)
        ts_conn_close(&queued[i]);
    ts_conn_close(&status);
    ts_server_stop(&s);
}
END_TEST

START_TEST(test_memory)
{
    struct ts_server s;
    ts_server_start(&s, STATUS_CONF);
    double deadline = ts_now() + 10.0;
    long kb = -1, procs = -1;
    for (int i = 0; i < 100 && kb <= 0 && ts_now() < deadline; i++) {
        char *body = auto_body(&s);
        kb = auto_value(body, "PoolMemoryKB");
        procs = auto_value(body, "PoolProcesses");
        free(body);
        if (kb <= 0)
            ts_sleep_ms(200);
    }
    ck_assert_msg(kb > 100, "PoolMemoryKB %ld", kb);
    size_t workers = ts_workers(s.pid, NULL, TS_MAX_PIDS);
    ck_assert_msg(procs >= 2 && (size_t)procs <= workers + 2, "PoolProcesses %ld, %zu workers",
                  procs, workers);
    ts_server_stop(&s);
}
END_TEST

/* ---- the keepers (keep-alive parking) ----------------------------------------------------- */

#define PARK_TIMEOUTS "timeouts { header = 10  body = 10  keepalive = 30 }\n"

/* The integer after "\"key\": " in a JSON body, or -1. */
static long json_value(const char *body, const char *key)
{
    char needle[64];
    snprintf(needle, sizeof(needle), "\"%s\": ", key);
    const char *p = strstr(body, needle);
    return p != NULL ? strtol(p + strlen(needle), NULL, 10) : -1;
}

static char *status_body(const struct ts_server *s, const char *path)
{
    struct ts_response r;
    int rc = get(s, path, &r);
    ck_assert_msg(rc == TS_OK && r.status == 200, "%s: %s", path,
                  rc == TS_OK ? ts_response_describe(&r) : ts_result_name(rc));
    char *body = strdup(r.body);
    ts_response_free(&r);
    return body;
}

/* Polls ?auto until key reads at least min (5 s); the last body (caller frees). */
static char *auto_wait_for(const struct ts_server *s, const char *key, long min)
{
    double deadline = ts_now() + 5.0;
    char *body = auto_body(s);
    for (int i = 0; i < 250 && auto_value(body, key) < min && ts_now() < deadline; i++) {
        free(body);
        ts_sleep_ms(20);
        body = auto_body(s);
    }
    ck_assert_msg(auto_value(body, key) >= min, "%s stays below %ld:\n%s", key, min, body);
    return body;
}

/* Whether the Scoreboard line of an ?auto body has a worker in that state. */
static bool scoreboard_has(const char *body, char letter)
{
    const char *sb = strstr(body, "\nScoreboard: ");
    return sb != NULL && strchr(sb + 1, letter) != NULL;
}

/* pid is a keeper of master: alive, its child, named preforkd-keep. */
static void assert_keeper(pid_t pid, pid_t master)
{
    ck_assert_msg(pid > 0 && ts_pid_alive(pid), "keeper %d is not alive", (int)pid);
    ck_assert_msg(ts_pid_parent(pid) == master, "keeper %d: parent %d, not the master %d", (int)pid,
                  (int)ts_pid_parent(pid), (int)master);
    /* The master records the pid at fork; the child names itself a moment later. */
    double deadline = ts_now() + 2.0;
    for (int i = 0; i < 100 && !ts_is_keeper(pid) && ts_now() < deadline; i++)
        ts_sleep_ms(20);
    ck_assert_msg(ts_is_keeper(pid), "%d is not named preforkd-keep", (int)pid);
}

/* The first request on a keep-alive connection, answered; the connection stays open. */
static void keepalive_request(struct ts_conn *c)
{
    ck_assert_int_eq(ts_conn_send_str(c, "GET /hello.txt HTTP/1.1\r\nHost: a\r\n\r\n"), TS_OK);
    struct ts_response r;
    int rc = ts_response_read(c, &r, false);
    ck_assert_msg(rc == TS_OK && r.status == 200, "keep-alive request: %s",
                  rc == TS_OK ? ts_response_describe(&r) : ts_result_name(rc));
    ck_assert_msg(!ts_response_header_has(&r, "Connection", "close"), "%s",
                  ts_response_describe(&r));
    ts_response_free(&r);
}

/* An idle keep-alive connection is parked: ?auto names the keeper that holds it, counts it, and
 * counts its hand-back when the next request comes; ?json and the HTML page say the same. */
START_TEST(test_keeper_parked_connections)
{
    struct ts_server s;
    ts_server_start(&s, PARK_TIMEOUTS STATUS_CONF);
    struct ts_conn c;
    ts_conn_open_or_fail(&c, &s);
    keepalive_request(&c);
    char *before = auto_wait_for(&s, "ParkedConnections", 1);
    pid_t keeper = (pid_t)auto_value(before, "KeeperPid");
    assert_keeper(keeper, s.pid);
    ck_assert_msg(auto_value(before, "Keepers") == 1, "%s", before);
    ck_assert_msg(strstr(before, "\nKeeperPids: ") == NULL, "one keeper: %s", before);
    ck_assert_msg(auto_value(before, "Parks") >= 1, "%s", before);
    long unparks = auto_value(before, "Unparks");
    ck_assert_msg(unparks >= 0 && auto_value(before, "LingeringConnections") >= 0 &&
                      auto_value(before, "ParkQueue") >= 0,
                  "%s", before);

    /* The next request takes the connection back to a worker, which answers it. */
    keepalive_request(&c);
    char *after = auto_wait_for(&s, "Unparks", unparks + 1);
    ck_assert_int_eq(auto_value(after, "KeeperPid"), keeper);
    free(after);
    after = auto_wait_for(&s, "ParkedConnections", 1); /* parked again */

    /* ?json between two ?auto: the same keeper, its counters within theirs. */
    char *json = status_body(&s, "/server-status?json");
    char *last = auto_body(&s);
    ck_assert_msg(json_value(json, "keeper_pid") == keeper, "%s", json);
    ck_assert_msg(json_value(json, "running_keepers") == 1, "%s", json);
    char slot[64];
    snprintf(slot, sizeof(slot), "{\"slot\": 0, \"pid\": %d, ", (int)keeper);
    ck_assert_msg(strstr(json, "\"keepers\": [") != NULL && strstr(json, slot) != NULL, "%s", json);
    const char *pairs[][2] = {
        {"parked_connections", "ParkedConnections"}, {"unparks", "Unparks"}, {"parks", "Parks"}};
    for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
        long j = json_value(json, pairs[i][0]);
        long lo = auto_value(after, pairs[i][1]), hi = auto_value(last, pairs[i][1]);
        ck_assert_msg(lo >= 0 && j >= (lo < hi ? lo : hi) && j <= (lo > hi ? lo : hi),
                      "%s %ld, ?auto %ld then %ld:\n%s", pairs[i][0], j, lo, hi, json);
    }
    ck_assert_msg(json_value(json, "parked_connections") >= 1, "%s", json);
    ck_assert_msg(json_value(json, "unparks") >= 1, "%s", json);

    /* The HTML page: the parked count beside the scoreboard, the keeper's row. */
    char *html = status_body(&s, "/server-status");
    const char *p = strstr(html, "Parked connections: ");
    ck_assert_msg(p != NULL && strtol(p + strlen("Parked connections: "), NULL, 10) >= 1,
                  "no parked count:\n%s", html);
    char row[64];
    snprintf(row, sizeof(row), "<tr><td>0</td><td>%d</td>", (int)keeper);
    ck_assert_msg(strstr(html, row) != NULL, "no row for keeper %d:\n%s", (int)keeper, html);
    free(html);
    free(json);
    free(last);
    free(after);
    free(before);
    ts_conn_close(&c);
    ts_server_stop(&s);
}
END_TEST

/* keepalive { keepers = 2 }: KeeperPids lists both, each a keeper of the master. */
START_TEST(test_keeper_pids)
{
    struct ts_server s;
    ts_server_start(&s, PARK_TIMEOUTS
                    "keepalive { enabled = true  max_requests = 100  keepers = 2 }\n" STATUS_CONF);
    char *body = auto_wait_for(&s, "Keepers", 2);
    const char *p = strstr(body, "\nKeeperPids: ");
    ck_assert_msg(p != NULL, "no KeeperPids:\n%s", body);
    char *end;
    long a = strtol(p + strlen("\nKeeperPids: "), &end, 10);
    long b = strtol(end, NULL, 10);
    ck_assert_msg(a > 0 && b > 0 && a != b, "KeeperPids %ld %ld", a, b);
    ck_assert_msg(auto_value(body, "KeeperPid") == a, "%s", body);
    assert_keeper((pid_t)a, s.pid);
    assert_keeper((pid_t)b, s.pid);
    free(body);
    ts_server_stop(&s);
}
END_TEST

/* keepalive { park = false }: no keeper; the fields read 0 (KeeperPid is 0, not absent) and the
 * connection waits in its worker ('K'). */
START_TEST(test_keeper_park_off)
{
    struct ts_server s;
    ts_server_start(&s, PARK_TIMEOUTS
                    "keepalive { enabled = true  max_requests = 100  park = false }\n" STATUS_CONF);
    struct ts_conn c;
    ts_conn_open_or_fail(&c, &s);
    keepalive_request(&c);
    /* Its worker holds it ('K') once it has finished the response off (logged, flushed). */
    double deadline = ts_now() + 5.0;
    char *body = auto_body(&s);
    for (int i = 0; i < 250 && !scoreboard_has(body, 'K') && ts_now() < deadline; i++) {
        free(body);
        ts_sleep_ms(20);
        body = auto_body(&s);
    }
    const char *zero[] = {
        "Keepers", "KeeperPid", "ParkedConnections", "LingeringConnections", "ParkQueue",
        "Parks",   "Unparks"};
    for (size_t i = 0; i < sizeof(zero) / sizeof(zero[0]); i++)
        ck_assert_msg(auto_value(body, zero[i]) == 0, "%s is not 0:\n%s", zero[i], body);
    ck_assert_msg(scoreboard_has(body, 'K'), "no worker holds the connection: %s", body);
    free(body);
    char *json = status_body(&s, "/server-status?json");
    ck_assert_msg(json_value(json, "keeper_pid") == 0 &&
                      json_value(json, "parked_connections") == 0 &&
                      strstr(json, "\"keepers\": []") != NULL,
                  "%s", json);
    free(json);
    char *html = status_body(&s, "/server-status");
    ck_assert_msg(strstr(html, "Parked connections: 0 ") != NULL, "%s", html);
    ck_assert_msg(strstr(html, "<tr><td>0</td><td>-</td><td>0</td>") != NULL, "%s", html);
    free(html);
    ts_conn_close(&c);
    ts_server_stop(&s);
}
END_TEST

/* The shipped config: /server-status answers loopback (and the config is valid with it). */
START_TEST(test_default_config_has_status)
{
    char path[TS_PATH_MAX];
    snprintf(path, sizeof(path), "%s/config/preforkd.conf", PFD_SOURCE_DIR);
    ck_assert_msg(ts_file_contains(path, "\"status\""), "status is not in the default modules");
    ck_assert_msg(ts_file_contains(path, "server-status"), "no /server-status location");
}
END_TEST

static Suite *status_suite(void)
{
    Suite *suite = suite_create("status");
    TCase *tc = tcase_create("page");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_auto_keys);
    tcase_add_test(tc, test_json);
    tcase_add_test(tc, test_html_escapes_request_lines);
    tcase_add_test(tc, test_access);
    tcase_add_test(tc, test_forwarded_for_untrusted);
    tcase_add_test(tc, test_health_needs_no_disk);
    tcase_add_test(tc, test_queue_and_max_workers);
    tcase_add_test(tc, test_memory);
    tcase_add_test(tc, test_default_config_has_status);
    tcase_add_test(tc, test_keeper_parked_connections);
    tcase_add_test(tc, test_keeper_pids);
    tcase_add_test(tc, test_keeper_park_off);
    suite_add_tcase(suite, tc);
    return suite;
}

int main(void)
{
    return ts_run_session(status_suite());
}
