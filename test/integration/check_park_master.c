/*
 * check_park_master.c — the keepers and the master, through the real binary. A keeper outlives
 * reloads, runs as the workers' user and so cannot reopen the error log itself: after logrotate
 * and USR1 it must write to the new file, which the master hands it. And when the master dies
 * (SIGKILL, the OOM killer), its children must not live on as orphans holding the port: the
 * keeper sees its socket to the master hang up, the workers see the channel from the keepers
 * close (the master holds both ends), as Apache's workers see the pipe of death.
 */
#include "testsupport.h"

#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "testsupport_run.h"

/* logrotate's steps: the log renamed, then USR1; the master's "reloaded" lands in the new file. */
static void rotate_error_log(const struct ts_server *s, char *rotated, size_t size)
{
    snprintf(rotated, size, "%s.1", s->error_log);
    ck_assert_int_eq(rename(s->error_log, rotated), 0);
    ck_assert_int_eq(kill(s->pid, SIGUSR1), 0);
    ck_assert_msg(ts_file_wait_for(s->error_log, "reloaded", 10.0), "no reload after USR1");
}

/* After a rotation, the keeper's lines go to the new error log: killing the master makes it say
 * it leaves, and that line must be in the new file, not in the renamed one. */
START_TEST(test_keeper_writes_to_reopened_log)
{
    struct ts_server s;
    ts_server_start(&s, NULL);
    pid_t keeper[4];
    /* the server answers once a worker does; the keeper may still be taking its name */
    ck_assert_msg(ts_keepers_wait(s.pid, keeper, 4, 5.0) == 1, "no keeper");
    char rotated[TS_PATH_MAX + 8];
    rotate_error_log(&s, rotated, sizeof(rotated));
    ck_assert_msg(ts_keepers(s.pid, NULL, 4) == 1 && ts_pid_alive(keeper[0]),
                  "the keeper did not outlive USR1");
    ck_assert_int_eq(kill(s.pid, SIGKILL), 0);
    ck_assert_msg(ts_file_wait_for(s.error_log, "keeper: the master is gone", 5.0),
                  "the keeper's line is not in the reopened error log");
    ck_assert_msg(!ts_file_contains(rotated, "keeper: the master is gone"),
                  "the keeper still writes to %s", rotated);
    ts_server_wait_exit(&s, 5.0);
    ts_server_stop(&s);
}
END_TEST

/* A master killed outright: its keeper and every worker leave within seconds, with parking on
 * and off (the channel exists either way), and the port is free for a new master. */
START_TEST(test_children_leave_with_the_master)
{
    static const char *const confs[] = {NULL, "keepalive { park = false }\n"};
    struct ts_server s;
    ts_server_start(&s, confs[_i]);
    ck_assert_int_eq(ts_get_status(s.port, "/hello.txt"), 200);
    pid_t children[TS_MAX_PIDS];
    size_t n = ts_children(s.pid, children, NULL, TS_MAX_PIDS);
    ck_assert_msg(n >= 2, "%zu children", n);
    ck_assert_int_eq(kill(s.pid, SIGKILL), 0);
    ck_assert(ts_server_wait_exit(&s, 5.0)); /* reaped first: the wait below reaps orphans */
    ck_assert_msg(ts_pids_wait_gone(children, n, 5.0),
                  "children of a killed master still run after 5 s");
    ck_assert_msg(ts_file_wait_for(s.error_log, "the master is gone: worker exiting", 2.0),
                  "the workers did not say why they leave");
    ts_server_stop(&s);
}
END_TEST

static Suite *park_master_suite(void)
{
    Suite *suite = suite_create("park_master");
    TCase *tc = tcase_create("master");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_keeper_writes_to_reopened_log);
    tcase_add_loop_test(tc, test_children_leave_with_the_master, 0, 2);
    suite_add_tcase(suite, tc);
    return suite;
}

int main(void)
{
    return ts_run_session(park_master_suite());
}
