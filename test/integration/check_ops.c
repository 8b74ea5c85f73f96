/*
 * check_ops.c — day-to-day operations on the real binary: the pid file guards against a second
 * start and is cleaned when stale; a reload that adds a location loses no request under a load
 * tool (ab, from Debian's apache2-utils); log rotation by rename + SIGUSR1 under load loses and
 * splits no line; a graceful stop (SIGWINCH) is bounded by timeouts.graceful.
 */
#include "testsupport.h"
#include "testsupport_ops.h"

#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testsupport_run.h"

#define OPS_CONF                                                                                   \
    "modules = {\"static\", \"status\"}\n"                                                         \
    "prefork { start_servers = 4  min_spare_servers = 2  max_spare_servers = 8"                    \
    "  max_workers = 32 }\n"

/* ---- the pid file ------------------------------------------------------------------------- */

START_TEST(test_pid_file_refuses_a_second_start)
{
    struct ts_server a, b;
    ts_server_start(&a, NULL);
    ck_assert_msg(ts_pid_file_wait(a.pid_file, 5.0) == a.pid, "no pid file");
    /* Another instance (its own port) pointed at the same pid file. */
    ck_assert_int_eq(ts_server_init(&b), 0);
    char extra[TS_PATH_MAX + 32];
    snprintf(extra, sizeof(extra), "pid_file = \"%s\"\n", a.pid_file);
    ck_assert_int_eq(ts_server_configure(&b, extra), 0);
    const char *argv[] = {PFD_BINARY, "-f", b.conf, NULL};
    char *out = NULL;
    int rc = ts_run(argv, 10.0, &out);
    ck_assert_msg(rc == 1 && out != NULL && strstr(out, "names a running preforkd") != NULL,
                  "second start: exit %d, said: %s", rc, out != NULL ? out : "");
    free(out);
    ck_assert_msg(ts_pid_file_wait(a.pid_file, 1.0) == a.pid, "the pid file was touched");
    ts_server_stop(&b);
    ts_server_stop(&a);
}
END_TEST

/* A pid file left behind by a crash, naming a pid that is not preforkd (this test, say). */
START_TEST(test_stale_pid_file_removed)
{
    struct ts_server s;
    ck_assert_int_eq(ts_server_init(&s), 0);
    char text[32];
    int n = snprintf(text, sizeof(text), "%d\n", (int)getpid());
    ck_assert_int_eq(ts_file_write(s.pid_file, text, (size_t)n), 0);
    ck_assert_int_eq(ts_server_configure(&s, NULL), 0);
    const char *argv[] = {"-f", s.conf, NULL};
    ck_assert_int_eq(ts_server_spawn(&s, argv), 0);
    ck_assert_msg(ts_server_wait_ready(&s, TS_START_TIMEOUT_S) == 0, "did not start");
    ck_assert_msg(ts_pid_file_wait(s.pid_file, 5.0) == s.pid, "the pid file is not the new one");
    ts_server_stop(&s);
}
END_TEST

/* -D with a relative -f, the default's way: the daemon works in "/", so the file must be found
 * again at every reload, from wherever the server was started. */
START_TEST(test_daemon_with_relative_config_reloads)
{
    struct ts_server s;
    ck_assert_int_eq(ts_server_init(&s), 0);
    ck_assert_int_eq(ts_server_configure(&s, NULL), 0);
    ck_assert_int_eq(chdir(s.dir), 0); /* this test's own process (Check forks each test) */
    const char *args[] = {"-D", "-f", "preforkd.conf", NULL};
    ck_assert_int_eq(ts_server_spawn(&s, args), 0);
    ck_assert_msg(ts_server_wait_exit(&s, TS_START_TIMEOUT_S), "-D did not return");
    pid_t master = ts_pid_file_wait(s.pid_file, TS_START_TIMEOUT_S);
    ck_assert_msg(master > 0, "no daemon");
    ts_server_adopt(&s, master);
    ck_assert_msg(ts_server_wait_ready(&s, TS_START_TIMEOUT_S) == 0, "the daemon does not accept");
    const int signals[] = {SIGUSR1, SIGHUP};
    for (int i = 0; i < 2; i++) {
        ck_assert_int_eq(kill(master, signals[i]), 0);
        double deadline = ts_now() + 10.0;
        while (tso_count_lines(s.error_log, "reloaded") < i + 1 && ts_now() < deadline &&
               !ts_file_contains(s.error_log, "reload failed"))
            ts_sleep_ms(50);
        ck_assert_msg(!ts_file_contains(s.error_log, "reload failed"), "%s: a reload failed",
                      s.error_log);
        ck_assert_msg(tso_count_lines(s.error_log, "preforkd.conf\" reloaded") == i + 1,
                      "reload %d not logged as done", i + 1);
        ck_assert_int_eq(ts_get_status(s.port, "/hello.txt"), 200);
    }
    ts_server_stop(&s);
}
END_TEST

/* %V is the host the client asked for (Apache's %V with UseCanonicalName Off), without its port;
 * %v stays the server's name. */
START_TEST(test_access_log_percent_v_is_the_requested_host)
{
    struct ts_server s;
    ts_server_start(&s, "server_name = \"canonical.test\"\n"
                        "access_log_format = \"%v|%V|%U\"\n");
    struct ts_response r;
    ck_assert_int_eq(ts_request(s.port,
                                "GET /hello.txt?asked HTTP/1.1\r\nHost: WWW.Asked.Test:8080\r\n"
                                "Connection: close\r\n\r\n",
                                &r),
                     TS_OK);
    ts_response_free(&r);
    ck_assert_int_eq(ts_request(s.port, "GET /hello.txt?nohost HTTP/1.0\r\n\r\n", &r), TS_OK);
    ts_response_free(&r);
    ck_assert_msg(ts_file_wait_for(s.access_log, "canonical.test|www.asked.test|/hello.txt", 5.0),
                  "%%V is not the requested host");
    ck_assert_msg(ts_file_wait_for(s.access_log, "canonical.test|canonical.test|", 5.0),
                  "%%V without a Host is not the server's name");
    ts_server_stop(&s);
}
END_TEST

/* ---- reloads under load ------------------------------------------------------------------- */

static void assert_no_loss(const struct tso_load_result *res, const char *what)
{
    fprintf(stderr, "%s: %s\n", what, res->summary);
    ck_assert_msg(res->failed == 0 && res->non2xx == 0, "%s: %s", what, res->summary);
    ck_assert_msg(res->complete >= 100, "%s: too few requests to tell: %s", what, res->summary);
}

START_TEST(test_reload_adding_a_location_loses_nothing)
{
    if (!tso_have(TSO_AB)) {
        fprintf(stderr, "SKIP: %s not installed (Debian package apache2-utils)\n", TSO_AB);
        return;
    }
    struct ts_server s;
    ts_server_start(&s, OPS_CONF);
    char url[128];
    snprintf(url, sizeof(url), "http://%s:%d/hello.txt", TS_HOST, s.port);
    struct tso_load keep, fresh;
    ck_assert_int_eq(tso_load_start(&keep, s.dir, url, 4, 4, true), 0);
    ck_assert_int_eq(tso_load_start(&fresh, s.dir, url, 2, 4, false), 0);
    ts_sleep_ms(1000);
    ck_assert_int_eq(ts_get_status(s.port, "/added-status"), 404);
    ck_assert_int_eq(ts_server_configure(&s, OPS_CONF "location \"^/added-status$\" "
                                                      "{ handler = \"status\" }\n"),
                     0);
    ck_assert_int_eq(kill(s.pid, SIGUSR1), 0);
    double deadline = ts_now() + 10.0;
    int status = 0;
    for (int i = 0; i < 1000 && status != 200 && ts_now() < deadline; i++) {
        status = ts_get_status(s.port, "/added-status?auto");
        if (status != 200)
            ts_sleep_ms(50);
    }
    ck_assert_msg(status == 200, "the added location answers %d", status);
    ts_sleep_ms(500);
    ck_assert_int_eq(kill(s.pid, SIGUSR1), 0); /* and once more, with nothing changed */
    struct tso_load_result rk, rf;
    ck_assert_msg(tso_load_finish(&keep, 30.0, &rk) == 0, "%s", rk.summary);
    ck_assert_msg(tso_load_finish(&fresh, 30.0, &rf) == 0, "%s", rf.summary);
    assert_no_loss(&rk, "keep-alive load across two reloads");
    assert_no_loss(&rf, "new-connection load across two reloads");
    ck_assert_msg(ts_pid_alive(s.pid), "the master died");
    ts_server_stop(&s);
}
END_TEST

/* ---- log rotation ------------------------------------------------------------------------- */

/* Lines with needle in the rotated and the current log, polled until they reach want. */
static long wait_log_lines(const char *a, const char *b, const char *needle, long want)
{
    double deadline = ts_now() + 10.0;
    long n = 0;
    for (int i = 0; i < 1000 && ts_now() < deadline; i++) {
        n = tso_count_lines(a, needle) + tso_count_lines(b, needle);
        if (n >= want)
            break;
        ts_sleep_ms(100);
    }
    return n;
}

START_TEST(test_log_rotation_under_load)
{
    if (!tso_have(TSO_AB)) {
        fprintf(stderr, "SKIP: %s not installed (Debian package apache2-utils)\n", TSO_AB);
        return;
    }
    struct ts_server s;
    ts_server_start(&s, OPS_CONF);
    char url[128], rotated[TS_PATH_MAX + 8];
    snprintf(url, sizeof(url), "http://%s:%d/hello.txt?load", TS_HOST, s.port);
    snprintf(rotated, sizeof(rotated), "%s.1", s.access_log);
    struct tso_load load;
    ck_assert_int_eq(tso_load_start(&load, s.dir, url, 4, 3, true), 0);
    ts_sleep_ms(1000);
    /* What logrotate does without copytruncate: rename, then tell the server. */
    ck_assert_int_eq(rename(s.access_log, rotated), 0);
    ck_assert_int_eq(kill(s.pid, SIGUSR1), 0);
    struct tso_load_result res;
    ck_assert_msg(tso_load_finish(&load, 30.0, &res) == 0, "%s", res.summary);
    assert_no_loss(&res, "load across a log rotation");
    long lines = wait_log_lines(rotated, s.access_log, "GET /hello.txt?load ", res.complete);
    /* ab stops at its time limit with up to -c requests in flight, which it does not count but
     * the server may have answered and logged. */
    ck_assert_msg(lines >= res.complete && lines <= res.complete + 4,
                  "%ld access-log lines for %ld requests", lines, res.complete);
    long before = tso_count_lines(rotated, "?load "),
         after = tso_count_lines(s.access_log, "?load ");
    fprintf(stderr, "rotation: %ld lines before, %ld after\n", before, after);
    ck_assert_msg(before > 0 && after > 0, "%ld lines in the old file, %ld in the new", before,
                  after);
    char why[300];
    ck_assert_msg(tso_lines_whole(rotated, why, sizeof(why)), "%s: %s", rotated, why);
    ck_assert_msg(tso_lines_whole(s.access_log, why, sizeof(why)), "%s: %s", s.access_log, why);
    ts_server_stop(&s);
}
END_TEST

/* ---- the shipped logrotate recipe ---------------------------------------------------------- */

#define OPS_LOGROTATE "/usr/sbin/logrotate"

/* text with every occurrence of from replaced by to (malloc'd). */
static char *replace_all(const char *text, const char *from, const char *to)
{
    size_t n = 0, flen = strlen(from), tlen = strlen(to);
    for (const char *p = strstr(text, from); p != NULL; p = strstr(p + flen, from))
        n++;
    char *out = malloc(strlen(text) + n * tlen + 1), *o = out;
    ck_assert_ptr_nonnull(out);
    for (const char *p = text;;) {
        const char *hit = strstr(p, from);
        size_t keep = hit != NULL ? (size_t)(hit - p) : strlen(p);
        memcpy(o, p, keep);
        o += keep;
        if (hit == NULL)
            break;
        memcpy(o, to, tlen);
        o += tlen;
        p = hit + flen;
    }
    *o = '\0';
    return out;
}

/* The shipped files agree: the config writes the pid file the recipe reads. */
static void assert_shipped_pid_file_consistent(void)
{
    char *conf = ts_file_read(PFD_SOURCE_DIR "/config/preforkd.conf", NULL);
    char *recipe = ts_file_read(PFD_SOURCE_DIR "/config/preforkd.logrotate", NULL);
    bool conf_writes = conf != NULL && strstr(conf, "\npid_file = \"/run/preforkd.pid\"") != NULL;
    bool recipe_reads = recipe != NULL && strstr(recipe, "/run/preforkd.pid") != NULL &&
                        strstr(recipe, "/var/log/preforkd/*.log") != NULL;
    free(conf);
    free(recipe);
    ck_assert_msg(conf_writes, "config/preforkd.conf does not write /run/preforkd.pid");
    ck_assert_msg(recipe_reads, "config/preforkd.logrotate does not rotate /var/log/preforkd/*.log "
                                "and signal /run/preforkd.pid");
}

/* Until none of the n pids lives (old workers after a graceful restart); bounded. */
static bool wait_gone(const pid_t *pids, size_t n, double timeout_s)
{
    double deadline = ts_now() + timeout_s;
    for (int i = 0; i < 1000 && ts_now() < deadline; i++) {
        size_t alive = 0;
        for (size_t j = 0; j < n; j++)
            alive += ts_pid_alive(pids[j]);
        if (alive == 0)
            return true;
        ts_sleep_ms(50);
    }
    return false;
}

/* The real logrotate on config/preforkd.logrotate, pointed at this server's logs and pid file:
 * the logs are renamed, the master reopens them, and new requests go to the new access.log. */
START_TEST(test_logrotate_recipe_reopens_logs)
{
    assert_shipped_pid_file_consistent();
    if (!tso_have(OPS_LOGROTATE)) {
        fprintf(stderr, "SKIP: %s not installed (Debian package logrotate)\n", OPS_LOGROTATE);
        return;
    }
    struct ts_server s;
    ts_server_start(&s, NULL);
    ck_assert_msg(ts_pid_file_wait(s.pid_file, 5.0) == s.pid, "no pid file");
    ck_assert_int_eq(ts_get_status(s.port, "/hello.txt?before"), 200);
    ck_assert_msg(ts_file_wait_for(s.access_log, "?before ", 5.0), "not logged");

    char *recipe = ts_file_read(PFD_SOURCE_DIR "/config/preforkd.logrotate", NULL);
    ck_assert_ptr_nonnull(recipe);
    char logs[TS_PATH_MAX + 8], conf[TS_PATH_MAX + 32], state[TS_PATH_MAX + 32];
    snprintf(logs, sizeof(logs), "%s/", s.dir);
    char *step = replace_all(recipe, "/var/log/preforkd/", logs);
    char *rendered = replace_all(step, "/run/preforkd.pid", s.pid_file);
    free(recipe);
    free(step);
    snprintf(conf, sizeof(conf), "%s/logrotate.conf", s.dir);
    snprintf(state, sizeof(state), "%s/logrotate.state", s.dir);
    ck_assert_int_eq(ts_file_write(conf, rendered, strlen(rendered)), 0);
    free(rendered);

    pid_t old[TS_MAX_PIDS];
    size_t nold = ts_workers(s.pid, old, TS_MAX_PIDS);
    const char *argv[] = {OPS_LOGROTATE, "-f", "-s", state, conf, NULL};
    char *out = NULL;
    int rc = ts_run(argv, 20.0, &out);
    ck_assert_msg(rc == 0, "logrotate exited %d: %s", rc, out != NULL ? out : "");
    free(out);

    char rotated[TS_PATH_MAX + 8];
    snprintf(rotated, sizeof(rotated), "%s.1", s.access_log);
    ck_assert_msg(ts_file_contains(rotated, "?before "), "%s: not rotated", rotated);
    ck_assert_msg(ts_file_wait_for(s.error_log, "reloaded", 10.0),
                  "no reload in a new error.log after logrotate");
    ck_assert_msg(wait_gone(old, nold, 10.0), "old workers still running");
    ck_assert_int_eq(ts_get_status(s.port, "/hello.txt?after"), 200);
    ck_assert_msg(ts_file_wait_for(s.access_log, "?after ", 5.0),
                  "a request after the rotation is not in the new access.log");
    ck_assert_msg(!ts_file_contains(rotated, "?after "), "still written to %s", rotated);
    ts_server_stop(&s);
}
END_TEST

/* ---- piped logs --------------------------------------------------------------------------- */

/* The master's children that are not preforkd workers: the piped log's program. */
static size_t pipe_programs(pid_t master, pid_t *out, size_t max)
{
    pid_t kids[TS_MAX_PIDS];
    size_t n = ts_children(master, kids, NULL, TS_MAX_PIDS), k = 0;
    for (size_t i = 0; i < n && k < max; i++) {
        char path[64], comm[64] = "";
        snprintf(path, sizeof(path), "/proc/%d/comm", (int)kids[i]);
        char *text = ts_file_read(path, NULL);
        if (text != NULL)
            snprintf(comm, sizeof(comm), "%s", text);
        free(text);
        if (comm[0] != '\0' && strncmp(comm, "preforkd", 8) != 0 && ts_pid_alive(kids[i]))
            out[k++] = kids[i];
    }
    return k;
}

static pid_t wait_pipe_program(pid_t master, pid_t not, double timeout_s)
{
    double deadline = ts_now() + timeout_s;
    for (int i = 0; i < 1000 && ts_now() < deadline; i++) {
        pid_t p[4];
        size_t n = pipe_programs(master, p, 4);
        if (n == 1 && p[0] != not )
            return p[0];
        ts_sleep_ms(100);
    }
    return -1;
}

START_TEST(test_piped_log_restarted)
{
    struct ts_server s;
    ck_assert_int_eq(ts_server_init(&s), 0);
    char piped[TS_PATH_MAX + 16], extra[2 * TS_PATH_MAX];
    snprintf(piped, sizeof(piped), "%s/piped.log", s.dir);
    snprintf(extra, sizeof(extra), "access_log = \"| exec cat >> %s\"\n", piped);
    ck_assert_int_eq(ts_server_configure(&s, extra), 0);
    const char *argv[] = {"-f", s.conf, NULL};
    ck_assert_int_eq(ts_server_spawn(&s, argv), 0);
    ck_assert_msg(ts_server_wait_ready(&s, TS_START_TIMEOUT_S) == 0, "did not start");
    ck_assert_int_eq(ts_get_status(s.port, "/hello.txt?first"), 200);
    ck_assert_msg(ts_file_wait_for(piped, "?first ", 5.0), "nothing came through the pipe");
    pid_t logger = wait_pipe_program(s.pid, -1, 5.0);
    ck_assert_msg(logger > 0, "no single logger child of the master");
    /* It dies: the master starts it again, on the same pipe. */
    ck_assert_int_eq(kill(logger, SIGKILL), 0);
    /* Once it is dead: a program killed while lines arrive may have read them before dying,
     * which no server can help. */
    double gone = ts_now() + 5.0;
    while (ts_pid_alive(logger) && ts_now() < gone)
        ts_sleep_ms(20);
    for (int i = 0; i < 20; i++)
        ck_assert_int_eq(ts_get_status(s.port, "/hello.txt?meanwhile"), 200);
    pid_t again = wait_pipe_program(s.pid, logger, 5.0);
    ck_assert_msg(again > 0, "the logger was not started again");
    ck_assert_int_eq(ts_get_status(s.port, "/hello.txt?after"), 200);
    ck_assert_msg(ts_file_wait_for(piped, "?after ", 5.0), "nothing after the restart");
    ck_assert_msg(ts_file_wait_for(s.error_log, "restarting it", 2.0), "not logged");
    double deadline = ts_now() + 5.0;
    while (tso_count_lines(piped, "?meanwhile ") < 20 && ts_now() < deadline)
        ts_sleep_ms(100);
    ck_assert_int_eq(tso_count_lines(piped, "?meanwhile "), 20);
    /* A graceful restart keeps the same program and pipe. */
    ck_assert_int_eq(kill(s.pid, SIGUSR1), 0);
    ck_assert_int_eq(ts_get_status(s.port, "/hello.txt?reloaded"), 200);
    ck_assert_msg(ts_file_wait_for(piped, "?reloaded ", 5.0), "nothing after SIGUSR1");
    pid_t p[4];
    ck_assert_msg(pipe_programs(s.pid, p, 4) == 1 && p[0] == again, "the logger changed on USR1");
    ts_server_stop(&s);
}
END_TEST

/* ---- graceful stop ------------------------------------------------------------------------ */

/* A client that stops reading holds its worker; the graceful stop waits timeouts.graceful for
 * it, then stops it anyway. */
START_TEST(test_winch_bounded_by_graceful_timeout)
{
    struct ts_server s;
    ts_server_start(&s, "timeouts { header = 10  keepalive = 5  send = 60  graceful = 2 }\n");
    struct ts_conn c;
    ck_assert_int_eq(ts_conn_open_rcvbuf(&c, s.port, 5000, 4096), 0);
    ck_assert_int_eq(ts_conn_send_str(&c, "GET " TS_BIG_PATH " HTTP/1.1\r\nHost: a\r\n\r\n"),
                     TS_OK);
    ck_assert_int_eq(ts_conn_wait_for(&c, "HTTP/1.1 200", 5000), TS_OK); /* in flight now */
    double sent = ts_now();
    ck_assert_int_eq(kill(s.pid, SIGWINCH), 0);
    ck_assert_msg(ts_server_wait_exit(&s, 2.0 + 8.0), "master alive %.1f s after SIGWINCH",
                  ts_now() - sent);
    double took = ts_now() - sent;
    ck_assert_msg(took >= 1.5, "the master did not wait for the busy worker (%.1f s)", took);
    ck_assert_msg(ts_file_wait_for(s.error_log, "graceful stop timed out after 2 s", 2.0),
                  "no timeout in the error log");
    ts_conn_close(&c);
    ts_server_stop(&s);
}
END_TEST

static Suite *ops_suite(void)
{
    Suite *suite = suite_create("ops");
    TCase *tc = tcase_create("pid_file");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_pid_file_refuses_a_second_start);
    tcase_add_test(tc, test_stale_pid_file_removed);
    tcase_add_test(tc, test_daemon_with_relative_config_reloads);
    tcase_add_test(tc, test_access_log_percent_v_is_the_requested_host);
    suite_add_tcase(suite, tc);
    tc = tcase_create("reload");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_reload_adding_a_location_loses_nothing);
    tcase_add_test(tc, test_log_rotation_under_load);
    tcase_add_test(tc, test_logrotate_recipe_reopens_logs);
    tcase_add_test(tc, test_winch_bounded_by_graceful_timeout);
    tcase_add_test(tc, test_piped_log_restarted);
    suite_add_tcase(suite, tc);
    return suite;
}

int main(void)
{
    return ts_run_session(ops_suite());
}
