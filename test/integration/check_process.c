/*
 * check_process.c — the processes of the real preforkd binary as an operator sees them: workers
 * drop root for `user` while the master keeps it, -D detaches a daemon that writes and removes
 * its pid file, a bad config on SIGUSR1 is logged and the running one kept, and a pool that
 * needs more than max_workers says so in the error log; workers run as SCHED_BATCH with
 * prefork { scheduling = "batch" }, while the master and the keepers keep the normal policy.
 *
 * Processes are found through /proc (testsupport.h). Every wait polls against a deadline that
 * leaves room for ASan builds on a 2-core machine.
 */
#include "testsupport.h"

#include <check.h>
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "preforkd/module.h"
#include "testsupport_run.h"

#define HOST_HEADER "Host: " TS_HOST "\r\n"
#define GET_HELLO "GET /hello.txt HTTP/1.1\r\n" HOST_HEADER "\r\n"
#define POOL_TIMEOUT_S 15.0 /* for the pool to reach a state it must reach */
#define WARN_TIMEOUT_S 10.0 /* for the max_workers warning: a few maintenance ticks, under ASan */

/* ---- helpers ------------------------------------------------------------------------------ */

/* Polls until a GET answers 200 with that Server header; false when the deadline passed. */
static bool wait_server_header(const struct ts_server *s, const char *server, double timeout_s)
{
    double deadline = ts_now() + timeout_s;
    for (int i = 0; i < 10000 && ts_now() < deadline; i++) {
        struct ts_response r;
        int rc = ts_get(s->port, "/hello.txt", &r);
        const char *got = rc == TS_OK ? ts_response_header(&r, "Server") : NULL;
        bool ok = rc == TS_OK && r.status == 200 && got != NULL && strcmp(got, server) == 0;
        ts_response_free(&r);
        if (ok)
            return true;
        ts_sleep_ms(100);
    }
    return false;
}

/* The 1-based number of the first line of path that contains needle, or 0. */
static int file_line_number(const char *path, const char *needle)
{
    char *text = ts_file_read(path, NULL);
    char *hit = text != NULL ? strstr(text, needle) : NULL;
    int line = 0;
    if (hit != NULL) {
        line = 1;
        for (const char *p = text; p < hit; p++)
            line += *p == '\n';
    }
    free(text);
    return line;
}

/* A copy of the error-log line holding needle, for messages (static: ck_assert does not return). */
static const char *log_line(const struct ts_server *s, const char *needle)
{
    static char copy[1024];
    char *line = ts_file_line_with(s->error_log, needle);
    snprintf(copy, sizeof(copy), "%s", line != NULL ? line : "(none)");
    free(line);
    return copy;
}

/* ---- privileges --------------------------------------------------------------------------- */

/* Polls until pid runs with real, effective, saved and fs uid all equal to uid (and the same for
 * gid); true then, false when pid is gone or the deadline passed. *seen gets the last Uid line. */
static bool wait_ids(pid_t pid, long uid, long gid, double timeout_s, long seen[4])
{
    double deadline = ts_now() + timeout_s;
    for (int i = 0; i < 10000; i++) {
        long gids[4];
        if (ts_pid_ids(pid, "Uid", seen) != 0 || ts_pid_ids(pid, "Gid", gids) != 0)
            return false;
        bool ok = true;
        for (int k = 0; k < 4; k++)
            ok = ok && seen[k] == uid && gids[k] == gid;
        if (ok)
            return true;
        if (ts_now() > deadline)
            return false;
        ts_sleep_ms(50);
    }
    return false;
}

/*
 * Started as root with the default `user` ("nobody"): every worker runs as nobody (real,
 * effective, saved and filesystem ids, so none can regain root) and in nobody's primary group;
 * the master stays root to bind, reopen logs and fork. Skipped when the test is not root.
 */
START_TEST(test_workers_drop_root)
{
    if (geteuid() != 0) {
        fprintf(stderr, "check_process: SKIPPED test_workers_drop_root: not running as root\n");
        return;
    }
    struct passwd *pw = getpwnam("nobody");
    ck_assert_msg(pw != NULL, "no user \"nobody\" on this machine");
    long uid = (long)pw->pw_uid, gid = (long)pw->pw_gid;
    struct ts_server s;
    ts_server_start(&s, NULL);
    /* A worker serves, so it can read the site after the switch. */
    ts_assert_serving(&s, "as nobody");
    pid_t workers[TS_MAX_PIDS];
    size_t n = ts_workers(s.pid, workers, TS_MAX_PIDS);
    ck_assert_msg(n >= 1, "no workers");
    size_t checked = 0;
    for (size_t i = 0; i < n; i++) {
        long seen[4] = {-1, -1, -1, -1};
        bool dropped = wait_ids(workers[i], uid, gid, 5.0, seen);
        if (!dropped && !ts_pid_alive(workers[i]))
            continue; /* retired meanwhile */
        ck_assert_msg(dropped, "worker %d runs as Uid %ld %ld %ld %ld, expected nobody (%ld)",
                      (int)workers[i], seen[0], seen[1], seen[2], seen[3], uid);
        checked++;
    }
    ck_assert_msg(checked >= 1, "every worker vanished before its ids were read");
    long master[4];
    ck_assert_int_eq(ts_pid_ids(s.pid, "Uid", master), 0);
    for (int k = 0; k < 4; k++)
        ck_assert_msg(master[k] == 0, "the master runs as Uid %ld %ld %ld %ld, expected root",
                      master[0], master[1], master[2], master[3]);
    ts_server_stop(&s);
}
END_TEST

/* ---- scheduling --------------------------------------------------------------------------- */

/* Polls until pid runs under policy (a new worker sets it right after the fork); true then, false
 * when pid is gone or the deadline passed. *seen gets the last policy read. */
static bool wait_policy(pid_t pid, int policy, double timeout_s, int *seen)
{
    double deadline = ts_now() + timeout_s;
    for (int i = 0; i < 10000; i++) {
        *seen = sched_getscheduler(pid);
        if (*seen == policy)
            return true;
        if (*seen < 0 || ts_now() > deadline)
            return false;
        ts_sleep_ms(20);
    }
    return false;
}

/* Every live worker of s runs under policy; the master and the keepers under SCHED_OTHER. */
static void assert_policies(const struct ts_server *s, int policy, const char *name)
{
    ts_assert_serving(s, name);
    pid_t workers[TS_MAX_PIDS], keepers[TS_MAX_PIDS];
    size_t n = ts_workers(s->pid, workers, TS_MAX_PIDS), checked = 0;
    for (size_t i = 0; i < n; i++) {
        int seen = -1;
        bool ok = wait_policy(workers[i], policy, 5.0, &seen);
        if (!ok && !ts_pid_alive(workers[i]))
            continue; /* retired meanwhile */
        ck_assert_msg(ok, "%s: worker %d runs under policy %d, expected %d", name, (int)workers[i],
                      seen, policy);
        checked++;
    }
    ck_assert_msg(checked >= 1, "%s: no live worker to check", name);
    ck_assert_int_eq(sched_getscheduler(s->pid), SCHED_OTHER);
    size_t k = ts_keepers_wait(s->pid, keepers, TS_MAX_PIDS, 5.0);
    ck_assert_msg(k >= 1, "%s: no keeper", name);
    for (size_t i = 0; i < k; i++)
        ck_assert_msg(sched_getscheduler(keepers[i]) == SCHED_OTHER,
                      "%s: keeper %d is not SCHED_OTHER", name, (int)keepers[i]);
}

/*
 * By default workers keep the kernel's policy (SCHED_OTHER); with `scheduling = "batch"` they are
 * SCHED_BATCH (a woken worker does not preempt what runs). The master and the keepers, which
 * must answer at once, are never batch.
 */
START_TEST(test_workers_scheduling)
{
    struct ts_server s;
    ts_server_start(&s, NULL);
    assert_policies(&s, SCHED_OTHER, "default");
    ts_server_stop(&s);
    ts_server_start(&s,
                    "prefork { start_servers = 2  min_spare_servers = 1  max_spare_servers = 3\n"
                    "          max_workers = 10  scheduling = \"batch\" }\n");
    assert_policies(&s, SCHED_BATCH, "scheduling = \"batch\"");
    ts_server_stop(&s);
}
END_TEST

/* ---- -D ----------------------------------------------------------------------------------- */

/* Whether /proc/<pid>/fd/<fd> points to path. */
static bool fd_points_to(pid_t pid, int fd, const char *path)
{
    char link[64], target[PATH_MAX];
    snprintf(link, sizeof(link), "/proc/%d/fd/%d", (int)pid, fd);
    ssize_t n = readlink(link, target, sizeof(target) - 1);
    if (n < 0)
        return false;
    target[n] = '\0';
    return strcmp(target, path) == 0;
}

/*
 * -D: the command returns (status 0) as soon as the daemon is started; the pid file names the
 * master, a process in a session of its own whose stdio is /dev/null, whose workers serve; on
 * SIGTERM it stops with its workers and removes the pid file.
 */
START_TEST(test_daemonize)
{
    struct ts_server s;
    ck_assert_int_eq(ts_server_init(&s), 0);
    ck_assert_int_eq(ts_server_configure(&s, NULL), 0);
    const char *args[] = {"-D", "-f", s.conf, NULL};
    double start = ts_now();
    ck_assert_int_eq(ts_server_spawn(&s, args), 0);
    pid_t launcher = s.pid;
    bool returned = ts_server_wait_exit(&s, TS_START_TIMEOUT_S);
    double took = ts_now() - start;
    ck_assert_msg(returned, "preforkd -D still in the foreground after %.0f s", TS_START_TIMEOUT_S);
    ck_assert_msg(WIFEXITED(s.wait_status) && WEXITSTATUS(s.wait_status) == 0,
                  "preforkd -D: wait status %#x, expected exit 0", s.wait_status);
    pid_t master = ts_pid_file_wait(s.pid_file, TS_START_TIMEOUT_S);
    ck_assert_msg(master > 0, "%s names no live process %.0f s after preforkd -D returned",
                  s.pid_file, TS_START_TIMEOUT_S);
    ts_server_adopt(&s, master);
    ck_assert_msg(took < 5.0, "preforkd -D took %.1f s to return", took);
    ck_assert_msg(master != launcher, "the pid file names the process that returned");
    /* The middle process of the double fork exits right after forking the daemon, which may
     * write the pid file first: the daemon becomes our orphan (the harness is a subreaper) once
     * that process is gone. */
    for (double end = ts_now() + TS_START_TIMEOUT_S;
         ts_pid_parent(master) != getpid() && ts_now() < end;)
        ts_sleep_ms(20);
    ck_assert_msg(ts_pid_parent(master) == getpid(),
                  "the daemon %d is not our orphan (parent %d): the harness cannot reap it",
                  (int)master, (int)ts_pid_parent(master));
    ck_assert_msg(getsid(master) != getsid(0), "the daemon stayed in our session");
    ck_assert_msg(getsid(master) != master, "the daemon leads its session (a terminal could "
                                            "become its controlling one)");
    for (int fd = 0; fd < 3; fd++)
        ck_assert_msg(fd_points_to(master, fd, "/dev/null"), "the daemon's fd %d is not /dev/null",
                      fd);
    ck_assert_msg(ts_server_wait_ready(&s, TS_START_TIMEOUT_S) == 0, "the daemon does not accept");
    for (int i = 0; i < 3; i++)
        ts_assert_serving(&s, "from the daemon");
    pid_t workers[TS_MAX_PIDS];
    size_t n = ts_workers(master, workers, TS_MAX_PIDS);
    ck_assert_msg(n >= 1, "the process in the pid file has no workers: is it the master?");

    ck_assert_int_eq(kill(master, SIGTERM), 0);
    ck_assert_msg(ts_server_wait_exit(&s, TS_STOP_TIMEOUT_S), "the daemon ran %.0f s past SIGTERM",
                  TS_STOP_TIMEOUT_S);
    ck_assert_msg(WIFEXITED(s.wait_status) && WEXITSTATUS(s.wait_status) == 0,
                  "the daemon's wait status %#x after SIGTERM, expected exit 0", s.wait_status);
    ck_assert_msg(access(s.pid_file, F_OK) != 0 && errno == ENOENT,
                  "%s is still there after the daemon stopped", s.pid_file);
    ck_assert_msg(ts_pids_wait_gone(workers, n, 5.0), "workers outlived the daemon");
    ts_server_stop(&s);
}
END_TEST

/* ---- reload --------------------------------------------------------------------------------- */

/*
 * The config is rewritten with an unknown directive (and a visible change, server_tokens, that
 * must not leak in) and SIGUSR1 sent: the error log names FILE:LINE, the master lives on and the
 * old config keeps serving. Once the file is fixed, the next SIGUSR1 applies it.
 */
START_TEST(test_bad_config_on_usr1)
{
    struct ts_server s;
    ts_server_start(&s, NULL);
    ck_assert_msg(wait_server_header(&s, "preforkd/" PFD_VERSION, 5.0),
                  "no Server: preforkd/" PFD_VERSION " at first");
    ck_assert_int_eq(ts_server_configure(&s, "server_tokens = false\n"
                                             "no_such_directive = 1\n"),
                     0);
    int line = file_line_number(s.conf, "no_such_directive");
    ck_assert_msg(line > 0, "the directive is not in %s", s.conf);
    char needle[TS_PATH_MAX + 96];
    snprintf(needle, sizeof(needle), "reload failed, keeping the running config: %s:%d:", s.conf,
             line);
    ck_assert_int_eq(kill(s.pid, SIGUSR1), 0);
    ck_assert_msg(ts_file_wait_for(s.error_log, needle, POOL_TIMEOUT_S),
                  "no \"%s\" in the error log; the reload line: %s", needle,
                  log_line(&s, "reload"));
    const char *logged = log_line(&s, needle);
    ck_assert_msg(strstr(logged, "] [error] [pid ") != NULL, "not an error-level line: %s", logged);
    ck_assert_msg(ts_pid_alive(s.pid), "the master died on a bad config");
    ck_assert_msg(wait_server_header(&s, "preforkd/" PFD_VERSION, POOL_TIMEOUT_S),
                  "not serving with the old config after the failed reload");
    for (int i = 0; i < 5; i++) {
        struct ts_response r;
        int rc = ts_get(s.port, "/hello.txt", &r);
        const char *server = rc == TS_OK ? ts_response_header(&r, "Server") : NULL;
        ck_assert_msg(rc == TS_OK && r.status == 200 && server != NULL &&
                          strcmp(server, "preforkd/" PFD_VERSION) == 0,
                      "GET %d after the failed reload: %s", i + 1,
                      rc == TS_OK ? ts_response_describe(&r) : ts_result_name(rc));
        ts_response_free(&r);
    }
    /* Fixed: the next graceful restart applies it. */
    ck_assert_int_eq(ts_server_configure(&s, "server_tokens = false\n"), 0);
    ck_assert_int_eq(kill(s.pid, SIGUSR1), 0);
    ck_assert_msg(wait_server_header(&s, "preforkd", POOL_TIMEOUT_S),
                  "the fixed config was not applied by the next SIGUSR1");
    ck_assert_msg(ts_pid_alive(s.pid), "the master died");
    ts_server_stop(&s);
}
END_TEST

/* ---- max_workers ------------------------------------------------------------------------------
 */

#define MAX_WORKERS_CONF                                                                           \
    "prefork { start_servers = 1  min_spare_servers = 1  max_spare_servers = 2\n"                  \
    "          max_workers = 2  max_requests_per_child = 0 }\n"                                    \
    "timeouts { header = 20  body = 20  keepalive = 20 }\n"                                        \
    "keepalive { park = false }\n" /* connections hold workers (classic prefork) */
#define HELD_CONNS 3

/*
 * Three keep-alive connections, each with one request sent, against max_workers = 2: two
 * workers hold the first two (each answered), the third waits in the backlog, the pool is out of
 * idle workers and may not grow. The master must warn, stay at two workers, and serve the third
 * as soon as a connection is closed.
 */
START_TEST(test_max_workers_reached)
{
    struct ts_server s;
    ts_server_start(&s, MAX_WORKERS_CONF);
    struct ts_conn held[HELD_CONNS];
    for (int i = 0; i < HELD_CONNS; i++) {
        ck_assert_msg(ts_conn_open(&held[i], s.port, 5000) == 0, "connection %d", i + 1);
        ck_assert_int_eq(ts_conn_send_str(&held[i], GET_HELLO), TS_OK);
        if (i == HELD_CONNS - 1)
            break; /* no worker is left for it */
        struct ts_response r;
        int rc = ts_response_read(&held[i], &r, false);
        ck_assert_msg(rc == TS_OK && r.status == 200, "keep-alive GET on connection %d: %s", i + 1,
                      rc == TS_OK ? ts_response_describe(&r) : ts_result_name(rc));
        ts_response_free(&r);
    }
    ck_assert_msg(ts_file_wait_for(s.error_log, "reached max_workers", WARN_TIMEOUT_S),
                  "no \"reached max_workers\" warning %.0f s after %d connections held 2 workers",
                  WARN_TIMEOUT_S, HELD_CONNS);
    const char *logged = log_line(&s, "reached max_workers");
    ck_assert_msg(strstr(logged, "] [warn] [pid ") != NULL, "not a warn-level line: %s", logged);
    size_t n = ts_workers(s.pid, NULL, TS_MAX_PIDS);
    ck_assert_msg(n <= 2, "%zu workers with max_workers = 2", n);
    /* Closing the first two frees the workers; the third connection gets its answer. */
    ts_conn_close(&held[0]);
    ts_conn_close(&held[1]);
    struct ts_response r;
    int rc = ts_response_read(&held[2], &r, false);
    ck_assert_msg(rc == TS_OK && r.status == 200, "the queued connection: %s",
                  rc == TS_OK ? ts_response_describe(&r) : ts_result_name(rc));
    ts_response_free(&r);
    ts_conn_close(&held[2]);
    for (int i = 0; i < 3; i++)
        ts_assert_serving(&s, "after max_workers was reached");
    ck_assert_msg(ts_workers(s.pid, NULL, TS_MAX_PIDS) <= 2, "more than max_workers = 2 workers");
    ts_server_stop(&s);
}
END_TEST

static Suite *process_suite(void)
{
    Suite *suite = suite_create("process");
    TCase *privileges = tcase_create("privileges");
    tcase_set_timeout(privileges, 60);
    tcase_add_test(privileges, test_workers_drop_root);
    suite_add_tcase(suite, privileges);

    TCase *scheduling = tcase_create("scheduling");
    tcase_set_timeout(scheduling, 60);
    tcase_add_test(scheduling, test_workers_scheduling);
    suite_add_tcase(suite, scheduling);

    TCase *daemon = tcase_create("daemon");
    tcase_set_timeout(daemon, 60);
    tcase_add_test(daemon, test_daemonize);
    suite_add_tcase(suite, daemon);

    TCase *reload = tcase_create("reload");
    tcase_set_timeout(reload, 60);
    tcase_add_test(reload, test_bad_config_on_usr1);
    suite_add_tcase(suite, reload);

    TCase *pool = tcase_create("pool");
    tcase_set_timeout(pool, 60);
    tcase_add_test(pool, test_max_workers_reached);
    suite_add_tcase(suite, pool);
    return suite;
}

int main(void)
{
    return ts_run_session(process_suite());
}
