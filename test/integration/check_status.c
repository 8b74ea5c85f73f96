/*
 * check_status.c — mod_status on the real binary: Apache's ?auto keys, the JSON document, the
 * HTML page with client-sent request lines escaped, loopback-only access (allow_from, and a
 * client named by a trusted proxy's X-Forwarded-For), the listen queue and max_workers counters
 * from a saturated pool, the pool's memory, and the health check that needs no disk.
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
 * kept in flight (a big response to a small receive buffer) so that its worker shows it. */
START_TEST(test_html_escapes_request_lines)
{
    struct ts_server s;
    ts_server_start(&s, "prefork { start_servers = 2  min_spare_servers = 1  max_spare_servers = 2"
                        "  max_workers = 2 }\n" STATUS_CONF);
    struct ts_conn c;
    ck_assert_int_eq(ts_conn_open_rcvbuf(&c, s.port, 5000, 4096), 0);
    ck_assert_int_eq(ts_conn_send_str(&c, "GET " TS_BIG_PATH "?<script>alert('x')</script>&amp;\"x"
                                          " HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"),
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
    suite_add_tcase(suite, tc);
    return suite;
}

int main(void)
{
    return ts_run_session(status_suite());
}
