/*
 * check_static_policy.c — mod_static's follow_symlinks policy, a file that shrinks while it is
 * being sent (sendfile() and read() paths), and per-location overrides (location_options).
 *
 * Each test starts its own server on an ephemeral 127.0.0.1 port (testsupport.h).
 */
#include "testsupport.h"
#include "testsupport_static.h"

#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testsupport_run.h"

static int status_of(int port, const char *path, const char *headers)
{
    struct ts_response r;
    int rc = ts_static_request(port, "GET", path, headers, &r);
    int status = rc == TS_OK ? r.status : rc;
    ts_response_free(&r);
    return status;
}

/*
 * The site for the symlink tests: link.txt → hello.txt (same owner), linkdir → sub (a symlink
 * in a folder component), foreign.txt → a file owned by someone else (root chowns it to
 * nobody; a user points at /etc/hostname, root's), dangling → nothing.
 */
static void symlink_site(struct ts_server *s)
{
    ck_assert_int_eq(ts_static_symlink(s, "link.txt", "hello.txt"), 0);
    ck_assert_int_eq(ts_static_symlink(s, "linkdir", "sub"), 0);
    ck_assert_int_eq(ts_static_symlink(s, "dangling", "no-such-file"), 0);
    if (geteuid() == 0) {
        ck_assert_int_eq(ts_static_put_str(s, "theirs.txt", "theirs\n"), 0);
        char path[TS_PATH_MAX * 2];
        ts_static_path(s, "theirs.txt", path, sizeof(path));
        ck_assert_int_eq(chown(path, 65534, 65534), 0);
        ck_assert_int_eq(ts_static_symlink(s, "foreign.txt", "theirs.txt"), 0);
    } else {
        ck_assert_int_eq(ts_static_symlink(s, "foreign.txt", "/etc/hostname"), 0);
    }
}

START_TEST(test_symlinks_on)
{
    struct ts_server s;
    ts_server_start(&s, NULL); /* follow_symlinks = "on" by default */
    symlink_site(&s);
    ck_assert_int_eq(status_of(s.port, "/link.txt", NULL), 200);
    ck_assert_int_eq(status_of(s.port, "/linkdir/index.html", NULL), 200);
    ck_assert_int_eq(status_of(s.port, "/linkdir/", NULL), 200);
    ck_assert_int_eq(status_of(s.port, "/foreign.txt", NULL), 200);
    ck_assert_int_eq(status_of(s.port, "/dangling", NULL), 404);
    ts_server_stop(&s);
}
END_TEST

START_TEST(test_symlinks_off)
{
    struct ts_server s;
    ts_server_start(&s, "follow_symlinks = \"off\"");
    symlink_site(&s);
    ck_assert_int_eq(status_of(s.port, "/hello.txt", NULL), 200);
    ck_assert_int_eq(status_of(s.port, "/sub/", NULL), 200);
    ck_assert_int_eq(status_of(s.port, "/link.txt", NULL), 403);
    ck_assert_int_eq(status_of(s.port, "/linkdir/index.html", NULL), 403);
    ck_assert_int_eq(status_of(s.port, "/linkdir/", NULL), 403);
    ck_assert_int_eq(status_of(s.port, "/foreign.txt", NULL), 403);
    ck_assert_int_eq(status_of(s.port, "/dangling", NULL), 403);
    ck_assert_int_eq(status_of(s.port, "/missing.txt", NULL), 404);
    /* An index file that is a symlink counts too. */
    ck_assert_int_eq(ts_static_put_str(&s, "d2/real.html", "real\n"), 0);
    ck_assert_int_eq(ts_static_symlink(&s, "d2/index.html", "real.html"), 0);
    ck_assert_int_eq(status_of(s.port, "/d2/", NULL), 403);
    ts_server_stop(&s);
}
END_TEST

START_TEST(test_symlinks_owner_match)
{
    struct ts_server s;
    ts_server_start(&s, "follow_symlinks = \"if_owner_match\"");
    symlink_site(&s);
    ck_assert_int_eq(status_of(s.port, "/hello.txt", NULL), 200);
    ck_assert_int_eq(status_of(s.port, "/link.txt", NULL), 200);
    ck_assert_int_eq(status_of(s.port, "/linkdir/index.html", NULL), 200);
    ck_assert_int_eq(status_of(s.port, "/foreign.txt", NULL), 403);
    ck_assert_int_eq(status_of(s.port, "/dangling", NULL), 404);
    ts_server_stop(&s);
}
END_TEST

/* The racer's loop: race.txt is, in turn, a regular file of ours (a hard link of mine.txt) and a
 * symlink of ours to secret.txt, which nobody (65534) owns; each swap an atomic rename(). */
static void owner_race_swap(const char *dir, double seconds)
{
    char mine[TS_PATH_MAX * 3], tmp[TS_PATH_MAX * 3], name[TS_PATH_MAX * 3];
    snprintf(mine, sizeof(mine), "%s/mine.txt", dir);
    snprintf(tmp, sizeof(tmp), "%s/race.tmp", dir);
    snprintf(name, sizeof(name), "%s/race.txt", dir);
    double end = ts_now() + seconds;
    for (long i = 0; i < 10000000 && ts_now() < end; i++) {
        unlink(tmp);
        if ((i & 1) == 0 ? link(mine, tmp) : symlink("secret.txt", tmp))
            _exit(1);
        if (rename(tmp, name) != 0)
            _exit(1);
    }
    _exit(0);
}

/*
 * follow_symlinks = "if_owner_match" decides on the file it opened, not on a name checked
 * before: while a racer swaps race.txt between a file of ours and a symlink of ours to a file
 * someone else owns, no response may carry that file. Root only (it makes the foreign file).
 */
START_TEST(test_owner_match_race_never_serves_foreign_file)
{
    if (geteuid() != 0) {
        fprintf(stderr, "skipped: test_owner_match_race_never_serves_foreign_file needs root\n");
        return;
    }
    struct ts_server s;
    ts_server_start(&s, "follow_symlinks = \"if_owner_match\"");
    ck_assert_int_eq(ts_static_put_str(&s, "r/mine.txt", "mine\n"), 0);
    ck_assert_int_eq(ts_static_put_str(&s, "r/secret.txt", "SECRET\n"), 0);
    char dir[TS_PATH_MAX * 2], secret[TS_PATH_MAX * 2];
    ts_static_path(&s, "r", dir, sizeof(dir));
    ts_static_path(&s, "r/secret.txt", secret, sizeof(secret));
    ck_assert_int_eq(chown(secret, 65534, 65534), 0);
    ck_assert_int_eq(ts_static_symlink(&s, "r/race.txt", "mine.txt"), 0);
    pid_t racer = fork();
    ck_assert_int_ge(racer, 0);
    if (racer == 0)
        owner_race_swap(dir, 3.0);
    long served = 0, leaked = 0;
    double end = ts_now() + 2.5;
    for (int i = 0; i < 20000 && ts_now() < end; i++) {
        struct ts_response r;
        if (ts_static_request(s.port, "GET", "/r/race.txt", NULL, &r) == TS_OK && r.status == 200) {
            served++;
            leaked += r.body != NULL && strstr(r.body, "SECRET") != NULL;
        }
        ts_response_free(&r);
    }
    int wstatus = 0;
    kill(racer, SIGKILL); /* not TERM: the harness's handler, inherited, would stop us all */
    waitpid(racer, &wstatus, 0);
    ck_assert_msg(leaked == 0, "the foreign file went out %ld times of %ld", leaked, served);
    ck_assert_msg(served > 0, "not one request got our own file");
    ts_server_stop(&s);
}
END_TEST

/*
 * Starts a GET of a 8 MiB file on a connection with a small receive buffer, lets the server
 * fill the socket, truncates the file, then reads on: the response must end (the connection
 * closes) short of Content-Length, quickly, and the server must serve the next request.
 */
static void shrink_while_sending(const char *extra)
{
    struct ts_server s;
    ts_server_start(&s, extra);
    const size_t size = 8u << 20;
    char *data = malloc(size);
    ck_assert_ptr_nonnull(data);
    memset(data, 'x', size);
    ck_assert_int_eq(ts_static_put(&s, "shrink.bin", data, size), 0);
    free(data);
    struct ts_conn c;
    ck_assert_int_eq(ts_conn_open_rcvbuf(&c, s.port, 5000, 4096), 0);
    ck_assert_int_eq(ts_conn_send_str(&c, "GET /shrink.bin HTTP/1.1\r\nHost: " TS_HOST "\r\n\r\n"),
                     TS_OK);
    /* The head has arrived: the server is sending the body, soon blocked on a full socket. */
    ck_assert_int_eq(ts_conn_wait_for(&c, "HTTP/1.1 200", 5000), TS_OK);
    char path[TS_PATH_MAX * 2];
    ts_static_path(&s, "shrink.bin", path, sizeof(path));
    ck_assert_int_eq(truncate(path, 1000), 0);
    struct ts_response r;
    double start = ts_now();
    int rc = ts_response_read(&c, &r, false);
    ck_assert_msg(rc != TS_OK || r.body_len < size, "a full body from a truncated file: %s",
                  ts_response_describe(&r));
    ck_assert_msg(rc != TS_TIMEOUT && ts_now() - start < 8, "the response hung (%s)",
                  ts_result_name(rc));
    ck_assert_msg(c.received < size, "received %llu bytes", c.received);
    ts_response_free(&r);
    ts_conn_close(&c);
    ck_assert_int_eq(status_of(s.port, "/hello.txt", NULL), 200);
    ck_assert_msg(ts_file_wait_for(s.error_log, "shrank", 5), "no log line about the shrink");
    ts_server_stop(&s);
}

START_TEST(test_shrink_sendfile)
{
    shrink_while_sending(NULL);
}
END_TEST

START_TEST(test_shrink_read)
{
    shrink_while_sending("module \"static\" { sendfile = false }");
}
END_TEST

/* Per-location overrides (needs the loader's support for module options in locations). */
START_TEST(test_location_options)
{
    struct ts_server s;
    ts_server_start(&s, "module \"static\" { expires = \"1h\" }\n"
                        "location \"^/sub/\" { expires = \"max\" serve_hidden = true "
                        "gzip_static = true follow_symlinks = \"off\" }\n");
    ck_assert_int_eq(ts_static_put_str(&s, "sub/.well-known", "wk\n"), 0);
    ck_assert_int_eq(ts_static_put_str(&s, ".hidden", "h\n"), 0);
    ck_assert_int_eq(ts_static_put_str(&s, "sub/a.txt", "plain\n"), 0);
    ck_assert_int_eq(ts_static_put_str(&s, "sub/a.txt.gz", "GZ"), 0);
    ck_assert_int_eq(ts_static_put_str(&s, "a.txt", "plain\n"), 0);
    ck_assert_int_eq(ts_static_put_str(&s, "a.txt.gz", "GZ"), 0);
    ck_assert_int_eq(ts_static_symlink(&s, "sub/link.txt", "a.txt"), 0);
    ck_assert_int_eq(ts_static_symlink(&s, "link.txt", "a.txt"), 0);
    struct ts_response r;
    ck_assert_int_eq(ts_static_request(s.port, "GET", "/hello.txt", NULL, &r), TS_OK);
    ck_assert_str_eq(ts_response_header(&r, "Cache-Control"), "max-age=3600");
    ts_response_free(&r);
    ck_assert_int_eq(ts_static_request(s.port, "GET", "/sub/index.html", NULL, &r), TS_OK);
    ck_assert_str_eq(ts_response_header(&r, "Cache-Control"), "max-age=315360000");
    ts_response_free(&r);
    ck_assert_int_eq(status_of(s.port, "/sub/.well-known", NULL), 200);
    ck_assert_int_eq(status_of(s.port, "/.hidden", NULL), 404);
    ck_assert_int_eq(
        ts_static_request(s.port, "GET", "/sub/a.txt", "Accept-Encoding: gzip\r\n", &r), TS_OK);
    ck_assert_str_eq(r.body, "GZ");
    ts_response_free(&r);
    ck_assert_int_eq(ts_static_request(s.port, "GET", "/a.txt", "Accept-Encoding: gzip\r\n", &r),
                     TS_OK);
    ck_assert_str_eq(r.body, "plain\n");
    ts_response_free(&r);
    ck_assert_int_eq(status_of(s.port, "/sub/link.txt", NULL), 403);
    ck_assert_int_eq(status_of(s.port, "/link.txt", NULL), 200);
    ts_server_stop(&s);
}
END_TEST

static Suite *static_policy_suite(void)
{
    Suite *suite = suite_create("static_policy");
    TCase *links = tcase_create("symlinks");
    tcase_set_timeout(links, 60);
    tcase_add_test(links, test_symlinks_on);
    tcase_add_test(links, test_symlinks_off);
    tcase_add_test(links, test_symlinks_owner_match);
    tcase_add_test(links, test_owner_match_race_never_serves_foreign_file);
    suite_add_tcase(suite, links);
    TCase *shrink = tcase_create("shrink");
    tcase_set_timeout(shrink, 60);
    tcase_add_test(shrink, test_shrink_sendfile);
    tcase_add_test(shrink, test_shrink_read);
    suite_add_tcase(suite, shrink);
    TCase *loc = tcase_create("locations");
    tcase_set_timeout(loc, 60);
    tcase_add_test(loc, test_location_options);
    suite_add_tcase(suite, loc);
    return suite;
}

int main(void)
{
    return ts_run_session(static_policy_suite());
}
