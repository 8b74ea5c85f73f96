/*
 * check_chroot.c — the `chroot` directive through the real binary: as root, workers serve from
 * inside the jail (document_root given as a host path under it), requests and symlinks cannot
 * reach a file beside the jail, and /proc/<worker>/root is the jail. -t refuses a document_root
 * outside it. Skipped (passes) when not run as root: only root may chroot().
 */
#include "testsupport.h"

#include <check.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testsupport_run.h"

#define SECRET "outside the jail\n"

/* <dir>/jail/htdocs with hello.txt and two symlinks that would leave the jail outside it;
 * <dir>/secret.txt beside the jail. s->docroot becomes the jail's htdocs. */
static void jail_make(struct ts_server *s, char *jail, size_t size)
{
    char path[TS_PATH_MAX * 2], target[TS_PATH_MAX * 2];
    snprintf(jail, size, "%s/jail", s->dir);
    int n = snprintf(s->docroot, sizeof(s->docroot), "%s/jail/htdocs", s->dir);
    ck_assert(n > 0 && (size_t)n < sizeof(s->docroot));
    ck_assert_int_eq(mkdir(jail, 0755), 0);
    ck_assert_int_eq(mkdir(s->docroot, 0755), 0);
    snprintf(path, sizeof(path), "%s/hello.txt", s->docroot);
    ck_assert_int_eq(ts_file_write(path, "inside the jail\n", 16), 0);
    ck_assert_int_eq(chmod(path, 0644), 0);
    snprintf(path, sizeof(path), "%s/secret.txt", s->dir);
    ck_assert_int_eq(ts_file_write(path, SECRET, strlen(SECRET)), 0);
    ck_assert_int_eq(chmod(path, 0644), 0);
    ck_assert_int_eq(chmod(s->dir, 0755), 0); /* so only the jail keeps nobody out */
    snprintf(target, sizeof(target), "%s/secret.txt", s->dir);
    snprintf(path, sizeof(path), "%s/absolute", s->docroot);
    ck_assert_int_eq(symlink(target, path), 0);
    snprintf(path, sizeof(path), "%s/relative", s->docroot);
    ck_assert_int_eq(symlink("../../secret.txt", path), 0);
}

static void start_jailed(struct ts_server *s, const char *jail)
{
    char extra[TS_PATH_MAX + 64];
    snprintf(extra, sizeof(extra), "chroot = \"%s\"\n", jail);
    ck_assert_int_eq(ts_server_configure(s, extra), 0);
    const char *argv[] = {"-f", s->conf, NULL};
    ck_assert_int_eq(ts_server_spawn(s, argv), 0);
    if (ts_server_wait_ready(s, 10.0) != 0) {
        char *err = ts_file_read(s->err, NULL), *log = ts_file_read(s->error_log, NULL);
        ck_abort_msg("not ready; stderr: %s\nerror log: %s", err ? err : "", log ? log : "");
    }
}

START_TEST(test_chroot_serves_inside_only)
{
    if (geteuid() != 0) {
        fprintf(stderr, "check_chroot: skipped, chroot needs root\n");
        return;
    }
    struct ts_server s;
    ck_assert_int_eq(ts_server_init(&s), 0);
    char jail[TS_PATH_MAX + 8];
    jail_make(&s, jail, sizeof(jail));
    start_jailed(&s, jail);

    struct ts_response r;
    ck_assert_int_eq(ts_get(s.port, "/hello.txt", &r), TS_OK);
    ck_assert_msg(r.status == 200 && strcmp(r.body, "inside the jail\n") == 0, "%s",
                  ts_response_describe(&r));
    ts_response_free(&r);
    /* Neither the path (dot segments stop at the root) nor a symlink leaves the jail. */
    const char *escapes[] = {"/../secret.txt",    "/%2e%2e/secret.txt", "/..%2fsecret.txt",
                             "/../../secret.txt", "/absolute",          "/relative"};
    for (size_t i = 0; i < sizeof(escapes) / sizeof(escapes[0]); i++) {
        ck_assert_int_eq(ts_get(s.port, escapes[i], &r), TS_OK);
        ck_assert_msg(r.status != 200 && (r.body == NULL || strstr(r.body, "outside") == NULL),
                      "%s escaped the jail: %s", escapes[i], ts_response_describe(&r));
        ts_response_free(&r);
    }

    pid_t workers[64];
    size_t n = ts_workers(s.pid, workers, 64);
    ck_assert_msg(n > 0, "no workers");
    char real[PATH_MAX], link[64], root[PATH_MAX];
    ck_assert_ptr_nonnull(realpath(jail, real));
    for (size_t i = 0; i < n; i++) {
        snprintf(link, sizeof(link), "/proc/%d/root", (int)workers[i]);
        /* A worker forked a moment ago has not reached its chroot() yet: it gets 5 s. */
        ssize_t len = -1;
        for (int tries = 0; tries < 500; tries++) {
            len = readlink(link, root, sizeof(root) - 1);
            if (len <= 0)
                break;
            root[len] = '\0';
            if (strcmp(root, real) == 0)
                break;
            usleep(10000);
        }
        if (len < 0 && errno == ENOENT)
            continue; /* retired meanwhile */
        ck_assert_msg(len > 0, "readlink %s: %s", link, strerror(errno));
        ck_assert_msg(strcmp(root, real) == 0, "worker %d: root is %s, not %s", (int)workers[i],
                      root, real);
    }
    ts_server_stop(&s);
}
END_TEST

/* -t: a document_root outside the chroot folder is refused, naming both. */
START_TEST(test_chroot_docroot_outside)
{
    if (geteuid() != 0)
        return;
    struct ts_server s;
    ck_assert_int_eq(ts_server_init(&s), 0); /* docroot: <dir>/htdocs, beside the jail */
    char jail[TS_PATH_MAX + 8], extra[TS_PATH_MAX + 64];
    snprintf(jail, sizeof(jail), "%s/jail", s.dir);
    ck_assert_int_eq(mkdir(jail, 0755), 0);
    snprintf(extra, sizeof(extra), "chroot = \"%s\"\n", jail);
    ck_assert_int_eq(ts_server_configure(&s, extra), 0);
    const char *argv[] = {PFD_BINARY, "-t", "-f", s.conf, NULL};
    char *out = NULL;
    int code = ts_run(argv, 20.0, &out);
    static char copy[2048];
    snprintf(copy, sizeof(copy), "%s", out != NULL ? out : "");
    free(out);
    ck_assert_msg(code == 1 && strstr(copy, "not inside the chroot folder") != NULL,
                  "-t exited %d: %s", code, copy);
    ts_server_stop(&s);
}
END_TEST

static Suite *chroot_suite(void)
{
    Suite *suite = suite_create("chroot");
    TCase *tc = tcase_create("chroot");
    tcase_add_test(tc, test_chroot_serves_inside_only);
    tcase_add_test(tc, test_chroot_docroot_outside);
    suite_add_tcase(suite, tc);
    return suite;
}

int main(void)
{
    return ts_run_session(chroot_suite());
}
