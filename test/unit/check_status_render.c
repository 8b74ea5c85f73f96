/*
 * check_status_render.c — modules/status/status_out.c and status_render.c: escaping of
 * client-sent text for HTML and JSON, UTF-8 validation, Apache's counting and ?auto keys, the
 * uptime text, and the three views of one fixed snapshot (the keepers' figures included).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "status_out.h"
#include "status_render.h"
#include "testsupport_run.h"

/* A status_out into a fixed string. */
struct sink {
    char text[65536];
    size_t len;
};

static void sink_write(void *ctx, const char *data, size_t len)
{
    struct sink *k = ctx;
    ck_assert_uint_lt(k->len + len, sizeof(k->text));
    memcpy(k->text + k->len, data, len);
    k->len += len;
    k->text[k->len] = '\0';
}

static struct sink the_sink;
static struct status_out sink_out(void)
{
    the_sink.len = 0;
    the_sink.text[0] = '\0';
    return (struct status_out){sink_write, &the_sink};
}

static const struct {
    const char *what;
    const char *in;
    const char *html;
    const char *json;
} escape_cases[] = {
    {"plain", "GET / HTTP/1.1", "GET / HTTP/1.1", "\"GET / HTTP/1.1\""},
    {"markup", "<script>&'\"", "&lt;script&gt;&amp;&#39;&quot;", "\"<script>&'\\\"\""},
    {"backslash", "a\\b", "a\\b", "\"a\\\\b\""},
    {"control",
     "a\x01\x7f"
     "b",
     "a\xEF\xBF\xBD\xEF\xBF\xBD"
     "b",
     "\"a\\u0001\\u007fb\""},
    {"utf-8 kept", "caf\xC3\xA9", "caf\xC3\xA9", "\"caf\xC3\xA9\""},
    {"invalid byte", "a\xC3(", "a\xEF\xBF\xBD(", "\"a\\ufffd(\""},
    {"truncated sequence", "a\xE2\x82", "a\xEF\xBF\xBD\xEF\xBF\xBD", "\"a\\ufffd\\ufffd\""},
    {"overlong", "\xC0\xAF", "\xEF\xBF\xBD\xEF\xBF\xBD", "\"\\ufffd\\ufffd\""},
    {"surrogate", "\xED\xA0\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD",
     "\"\\ufffd\\ufffd\\ufffd\""},
    {"empty", "", "", "\"\""},
};

START_TEST(test_escape)
{
    struct status_out out = sink_out();
    status_html(&out, escape_cases[_i].in);
    ck_assert_msg(strcmp(the_sink.text, escape_cases[_i].html) == 0, "%s: html \"%s\"",
                  escape_cases[_i].what, the_sink.text);
    out = sink_out();
    status_json_string(&out, escape_cases[_i].in);
    ck_assert_msg(strcmp(the_sink.text, escape_cases[_i].json) == 0, "%s: json %s",
                  escape_cases[_i].what, the_sink.text);
}
END_TEST

START_TEST(test_uptime_text)
{
    char t[96];
    status_uptime_text(0, t, sizeof(t));
    ck_assert_str_eq(t, "0 seconds");
    status_uptime_text(1, t, sizeof(t));
    ck_assert_str_eq(t, "1 second");
    status_uptime_text(3600, t, sizeof(t));
    ck_assert_str_eq(t, "1 hour");
    status_uptime_text(2 * 86400 + 3 * 3600 + 60 + 5, t, sizeof(t));
    ck_assert_str_eq(t, "2 days 3 hours 1 minute 5 seconds");
    status_uptime_text(-5, t, sizeof(t));
    ck_assert_str_eq(t, "0 seconds");
}
END_TEST

/* Two listeners, a pool of 8 slots: busy, idle, starting, old-generation idle, graceful. */
static struct pfd_pool_worker workers[5];
static const uint32_t slots[5] = {0, 1, 2, 3, 5};
static struct pfd_pool_listener listeners[2] = {{"127.0.0.1:8080", 3, 511, false},
                                                {"[::1]:8443", 1, 511, true}};
/* Two keeper slots: one running, one whose keeper died (its gauges gone, its counts kept). */
static const struct pfd_pool_keeper keepers[2] = {
    {2000, 1700000000LL * 1000000 - 60LL * 1000000, 7, 2, 1, 11, 40, 30, 3, 4},
    {0, 0, 0, 0, 0, 0, 5, 1, 1, 2},
};

static struct status_snapshot snapshot(void)
{
    struct status_snapshot s;
    memset(&s, 0, sizeof(s));
    memset(workers, 0, sizeof(workers));
    const char states[5] = {'W', '_', 'S', '_', 'G'};
    const uint32_t gens[5] = {2, 2, 2, 1, 1};
    for (int i = 0; i < 5; i++) {
        workers[i].pid = 1000 + i;
        workers[i].state = states[i];
        workers[i].generation = gens[i];
        workers[i].requests = 10;
        workers[i].bytes_sent = 2048;
        snprintf(workers[i].client, sizeof(workers[i].client), "192.0.2.%d", i);
        snprintf(workers[i].request, sizeof(workers[i].request), "GET /<%d> HTTP/1.1", i);
    }
    workers[0].request_started_us = 1700000000LL * 1000000 - 7 * 1000000;
    s.server_name = "example.org";
    s.version = "preforkd/0.1.0";
    s.now_us = 1700000000LL * 1000000;
    s.load[0] = 0.5;
    s.load[1] = 0.25;
    s.load[2] = 0.125;
    s.info.started_us = s.now_us - 100LL * 1000000;
    s.info.restarted_us = s.now_us - 10LL * 1000000;
    s.info.generation = 2;
    s.info.nslots = 8;
    s.info.max_workers = 4;
    s.info.master_pid = 999;
    s.info.total_requests = 50;
    s.info.total_bytes = 10240;
    s.info.max_workers_reached = 3;
    s.info.memory_kb = 4096;
    s.info.memory_procs = 6;
    s.letters = "W_S_.G..";
    s.workers = workers;
    s.worker_slots = slots;
    s.nworkers = 5;
    s.listeners = listeners;
    s.nlisteners = 2;
    s.keepers = keepers;
    s.nkeepers = 2;
    s.keepers_total = (struct pfd_pool_keeper){2000, 0, 7, 2, 1, 11, 45, 31, 4, 6};
    s.keepers_running = 1;
    return s;
}

START_TEST(test_count)
{
    struct status_snapshot s = snapshot();
    struct status_counts c = status_count(&s);
    ck_assert_int_eq(c.busy, 2); /* W and G */
    ck_assert_int_eq(c.idle, 1); /* the old generation's idle one is leaving */
    ck_assert_int_eq(c.graceful, 1);
    ck_assert_int_eq(c.starting, 1);
}
END_TEST

START_TEST(test_auto)
{
    struct status_snapshot s = snapshot();
    struct status_out out = sink_out();
    status_render_auto(&s, &out);
    const char *expect[] = {
        "example.org\nServerVersion: preforkd/0.1.0\nServerMPM: prefork\n",
        "\nParentServerConfigGeneration: 2\n",
        "\nServerUptimeSeconds: 100\nServerUptime: 1 minute 40 seconds\n",
        "\nLoad1: 0.50\nLoad5: 0.25\nLoad15: 0.12\n",
        "\nTotal Accesses: 50\nTotal kBytes: 10\n",
        "\nUptime: 100\nReqPerSec: 0.5\nBytesPerSec: 102.4\nBytesPerReq: 204.8\n",
        "\nBusyWorkers: 2\nGracefulWorkers: 1\nIdleWorkers: 1\n",
        "\nListenQueue: 4\nListenBacklog: 1022\n",
        "\nMaxWorkers: 4\nMaxWorkersReached: 3\n",
        "\nPoolMemoryKB: 4096\nPoolProcesses: 6\n",
        "\nKeepers: 1\nKeeperPid: 2000\nKeeperPids: 2000 0\nParkedConnections: 7\n"
        "LingeringConnections: 2\nParkQueue: 1\nParks: 45\nUnparks: 31\n",
        "\nScoreboard: W_S_.G..\n",
        "CurrentTime: Tuesday, 14-Nov-2023 22:13:20 UTC\n",
    };
    for (size_t i = 0; i < sizeof(expect) / sizeof(expect[0]); i++)
        ck_assert_msg(strstr(the_sink.text, expect[i]) != NULL, "no \"%s\" in:\n%s", expect[i],
                      the_sink.text);
    /* Scoreboard is the last line, as in Apache. */
    size_t n = strlen(the_sink.text);
    ck_assert_str_eq(the_sink.text + n - strlen("Scoreboard: W_S_.G..\n"),
                     "Scoreboard: W_S_.G..\n");
    /* An unknown queue is -1, not a lie. */
    listeners[1].queued = -1;
    out = sink_out();
    status_render_auto(&s, &out);
    listeners[1].queued = 1;
    ck_assert_ptr_nonnull(strstr(the_sink.text, "\nListenQueue: -1\n"));
    /* One keeper slot: no KeeperPids. Parking off (no keeper runs): zeroes, KeeperPid 0. */
    s.nkeepers = 1;
    out = sink_out();
    status_render_auto(&s, &out);
    ck_assert_ptr_null(strstr(the_sink.text, "KeeperPids"));
    s.keepers = &keepers[1];
    s.keepers_total = keepers[1];
    s.keepers_running = 0;
    out = sink_out();
    status_render_auto(&s, &out);
    ck_assert_msg(strstr(the_sink.text, "\nKeepers: 0\nKeeperPid: 0\nParkedConnections: 0\n"
                                        "LingeringConnections: 0\nParkQueue: 0\n") != NULL,
                  "%s", the_sink.text);
}
END_TEST

START_TEST(test_json)
{
    struct status_snapshot s = snapshot();
    struct status_out out = sink_out();
    status_render_json(&s, &out);
    const char *expect[] = {
        "\"server\": \"example.org\"",
        "\"uptime_seconds\": 100",
        "\"master_pid\": 999",
        "\"total_requests\": 50",
        "\"busy_workers\": 2",
        "\"idle_workers\": 1",
        "\"max_workers_reached\": 3",
        "\"memory_kb\": 4096",
        "{\"address\": \"127.0.0.1:8080\", \"tls\": false, \"queued\": 3, \"backlog\": 511}",
        "{\"address\": \"[::1]:8443\", \"tls\": true, \"queued\": 1, \"backlog\": 511}",
        "\"scoreboard\": \"W_S_.G..\"",
        "{\"slot\": 0, \"pid\": 1000, \"generation\": 2, \"state\": \"W\", \"state_name\": "
        "\"sending\", \"requests\": 10, \"bytes\": 2048, \"seconds\": 7, \"client\": "
        "\"192.0.2.0\", \"request\": \"GET /<0> HTTP/1.1\"}",
        "\"slot\": 5, \"pid\": 1004",
        "\"seconds\": -1",
        "\"running_keepers\": 1,\n  \"keeper_pid\": 2000,\n  \"parked_connections\": 7,\n"
        "  \"lingering_connections\": 2,\n  \"park_queue\": 1,\n  \"parks\": 45,\n"
        "  \"unparks\": 31,\n  \"park_expired\": 4,\n  \"park_hangups\": 6,\n",
        /* only the running keeper, as "workers" has only the live slots */
        "\"keepers\": [\n    {\"slot\": 0, \"pid\": 2000, \"start_time\": "
        "\"2023-11-14T22:12:20Z\", "
        "\"parked\": 7, \"lingering\": 2, \"queued\": 1, \"descriptors\": 11, \"parks\": 40, "
        "\"unparks\": 30, \"expired\": 3, \"hangups\": 4}\n  ],\n",
    };
    for (size_t i = 0; i < sizeof(expect) / sizeof(expect[0]); i++)
        ck_assert_msg(strstr(the_sink.text, expect[i]) != NULL, "no %s in:\n%s", expect[i],
                      the_sink.text);
    s.info.memory_kb = -1;
    out = sink_out();
    status_render_json(&s, &out);
    ck_assert_ptr_nonnull(strstr(the_sink.text, "\"memory_kb\": null"));
    s.nkeepers = 0; /* -X: no keeper slot */
    out = sink_out();
    status_render_json(&s, &out);
    ck_assert_ptr_nonnull(strstr(the_sink.text, "\"keepers\": [],\n"));
}
END_TEST

START_TEST(test_html)
{
    struct status_snapshot s = snapshot();
    s.server_name = "<evil>";
    struct status_out out = sink_out();
    status_render_html(&s, &out);
    ck_assert_ptr_null(strstr(the_sink.text, "<evil>"));
    ck_assert_ptr_null(strstr(the_sink.text, "/<0>"));
    ck_assert_ptr_nonnull(strstr(the_sink.text, "Server Status for &lt;evil&gt;"));
    ck_assert_ptr_nonnull(strstr(the_sink.text, "GET /&lt;0&gt; HTTP/1.1"));
    ck_assert_ptr_nonnull(strstr(the_sink.text, "<pre>W_S_.G..\n</pre>"));
    ck_assert_ptr_nonnull(strstr(the_sink.text, "Listen queue on 127.0.0.1:8080: 3 waiting"));
    ck_assert_ptr_nonnull(strstr(the_sink.text, "Listen queue on [::1]:8443 (HTTPS): 1 waiting"));
    ck_assert_ptr_nonnull(strstr(the_sink.text, "max_workers (4) reached: 3 times"));
    ck_assert_ptr_nonnull(strstr(the_sink.text, "Total accesses: 50 - Total Traffic: 10.0 kB"));
    /* The keepers beside the scoreboard; "-" for a slot where none runs. */
    const char *parked = strstr(the_sink.text, "Parked connections: 7 - lingering closes: 2");
    ck_assert_ptr_nonnull(parked);
    ck_assert_msg(strstr(the_sink.text, "</pre>") < parked,
                  "the parked count before the scoreboard");
    ck_assert_ptr_nonnull(strstr(the_sink.text, "<tr><td>0</td><td>2000</td><td>7</td><td>2</td>"
                                                "<td>1</td><td>40</td><td>30</td><td>3</td>"
                                                "<td>4</td></tr>"));
    ck_assert_ptr_nonnull(strstr(the_sink.text, "<tr><td>1</td><td>-</td><td>0</td>"));
    ck_assert_str_eq(the_sink.text + strlen(the_sink.text) - strlen("</body></html>\n"),
                     "</body></html>\n");
}
END_TEST

static Suite *status_render_suite(void)
{
    Suite *s = suite_create("status_render");
    TCase *tc = tcase_create("escape");
    tcase_add_loop_test(tc, test_escape, 0, sizeof(escape_cases) / sizeof(escape_cases[0]));
    tcase_add_test(tc, test_uptime_text);
    suite_add_tcase(s, tc);
    tc = tcase_create("render");
    tcase_add_test(tc, test_count);
    tcase_add_test(tc, test_auto);
    tcase_add_test(tc, test_json);
    tcase_add_test(tc, test_html);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ts_run_suite(status_render_suite());
}
