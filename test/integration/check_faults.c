/*
 * check_faults.c — faults injected into a running server, and what it runs as.
 *
 *   kill -9 of random workers under load: the master reaps and replaces them, leaves no zombie,
 *     and only requests on the killed connections are lost (counted, at most one per kill);
 *   the access log's file system full: requests are still answered, and the error is logged
 *     (rate-limited, not once per request);
 *   a module missing, not a shared object, without its descriptor, or built for another API
 *     version: preforkd refuses to start and names the module;
 *   descriptors exhausted (RLIMIT_NOFILE of the workers lowered to what they hold): accept()
 *     fails, the worker backs off, the connection waits in the backlog and is served once
 *     descriptors are available again;
 *   privileges (as root): a CGI script runs as nobody with no supplementary groups and inherits
 *     no descriptor beyond 0, 1 and 2 (not the listening socket, not a log).
 */
#include "testsupport_cgi.h"
#include "testsupport_hardening.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testsupport_run.h"

#define HOST "Host: " TS_HOST "\r\n"
#define KILL_LOAD_CLIENTS 3
#define KILL_DURATION_S 3.0
#define KILL_INTERVAL_MS 100
#define FAULT_PREFORK                                                                              \
    "prefork { start_servers = 4  min_spare_servers = 2  max_spare_servers = 6\n"                  \
    "          max_workers = 12  max_spawn_rate = 32 }\n"

/* ---- kill -9 under load -------------------------------------------------------------------- */

struct load_counts {
    long ok;
    long lost; /* a request sent, no complete response */
};

/* A load client: keep-alive requests until the deadline, a new connection after each failure. */
static void load_client_run(int port, double until, int out_fd)
{
    struct load_counts n = {0, 0};
    struct ts_conn c;
    bool open_conn = false;
    const char *raw = "GET /hello.txt HTTP/1.1\r\n" HOST "\r\n";
    for (long i = 0; i < 1000000 && ts_now() < until; i++) {
        if (!open_conn) {
            if (ts_conn_open(&c, port, 2000) != 0) {
                ts_sleep_ms(10);
                continue;
            }
            c.timeout_ms = 3000;
            open_conn = true;
        }
        struct ts_response r;
        memset(&r, 0, sizeof(r));
        int rc = ts_conn_send_str(&c, raw);
        if (rc == TS_OK)
            rc = ts_response_read_final(&c, &r, false);
        bool good = rc == TS_OK && r.status == 200 && strcmp(r.body, TS_HELLO_TXT) == 0;
        bool closing = rc == TS_OK && ts_response_header_has(&r, "Connection", "close");
        ts_response_free(&r);
        if (good) {
            n.ok++;
        } else {
            n.lost++;
        }
        if (!good || closing) {
            ts_conn_close(&c);
            open_conn = false;
        }
    }
    if (open_conn)
        ts_conn_close(&c);
    ssize_t w = write(out_fd, &n, sizeof(n));
    (void)w;
}

START_TEST(test_kill_workers_under_load)
{
    struct ts_server s;
    ts_server_start(&s, FAULT_PREFORK);
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    double until = ts_now() + KILL_DURATION_S;
    pid_t clients[KILL_LOAD_CLIENTS];
    for (int i = 0; i < KILL_LOAD_CLIENTS; i++) {
        clients[i] = fork();
        ck_assert_int_ge(clients[i], 0);
        if (clients[i] == 0) {
            close(fds[0]);
            load_client_run(s.port, until, fds[1]);
            _exit(0);
        }
    }
    close(fds[1]);
    srand((unsigned)getpid());
    int kills = 0;
    while (ts_now() < until) {
        ts_sleep_ms(KILL_INTERVAL_MS);
        pid_t w[TS_MAX_PIDS];
        size_t n = ts_workers(s.pid, w, TS_MAX_PIDS);
        if (n > 0 && kill(w[(size_t)rand() % n], SIGKILL) == 0)
            kills++;
    }
    struct load_counts total = {0, 0};
    for (int i = 0; i < KILL_LOAD_CLIENTS; i++) {
        struct load_counts one;
        if (read(fds[0], &one, sizeof(one)) == (ssize_t)sizeof(one)) {
            total.ok += one.ok;
            total.lost += one.lost;
        }
        waitpid(clients[i], NULL, 0);
    }
    close(fds[0]);
    fprintf(stderr, "faults: %d workers killed with SIGKILL, %ld requests served, %ld lost\n",
            kills, total.ok, total.lost);
    /* The pool is back: at least min_spare workers, each alive; every kill was logged. */
    size_t workers = ts_workers_wait(s.pid, 2, TS_MAX_PIDS, 5.0);
    size_t logged = ts_hard_log_count(s.error_log, "exited on signal 9");
    const char *survived = ts_hard_survived(&s, true);
    ts_server_stop(&s);
    ck_assert_msg(kills >= 10, "only %d kills in %.0f s", kills, KILL_DURATION_S);
    ck_assert_msg(total.ok > 100, "only %ld requests served under the kills", total.ok);
    ck_assert_msg(total.lost <= kills,
                  "%ld requests lost for %d kills: more than the killed "
                  "connections carried",
                  total.lost, kills);
    ck_assert_msg(workers >= 2, "the pool was not refilled: %zu workers", workers);
    ck_assert_msg((int)logged >= kills * 9 / 10, "%zu of %d kills logged", logged, kills);
    ck_assert_msg(survived == NULL, "%s", survived);
}
END_TEST

/* ---- the access log on a full file system ------------------------------------------------ */

#define FULL_REQUESTS 200

/* A server whose access log is on a 64 KiB tmpfs, which is then filled; NULL when no mount. */
static bool start_on_full_disk(struct ts_server *s, char *mnt, size_t mnt_size)
{
    ck_assert_int_eq(ts_server_init(s), 0);
    snprintf(mnt, mnt_size, "%s/full", s->dir);
    if (ts_hard_tmpfs_mount(mnt, 64) != 0) {
        fprintf(stderr, "disk full: cannot mount a tmpfs (%s): skipped\n", strerror(errno));
        ts_server_stop(s);
        return false;
    }
    snprintf(s->access_log, sizeof(s->access_log), "%s/access.log", mnt);
    ck_assert_int_eq(ts_server_configure(s, ""), 0);
    const char *args[] = {"-f", s->conf, NULL};
    ck_assert_int_eq(ts_server_spawn(s, args), 0);
    ck_assert_msg(ts_server_wait_ready(s, TS_START_TIMEOUT_S) == 0, "server did not start");
    char filler[TS_PATH_MAX * 2];
    snprintf(filler, sizeof(filler), "%s/filler", mnt);
    int fd = open(filler, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ck_assert_int_ge(fd, 0);
    char block[4096];
    memset(block, 'f', sizeof(block));
    for (int i = 0; i < 64 && write(fd, block, sizeof(block)) > 0; i++)
        ;
    for (int i = 0; i < 4096 && write(fd, block, 1) == 1; i++)
        ;
    close(fd);
    return true;
}

static int full_disk_requests(const struct ts_server *s)
{
    int ok = 0;
    for (int i = 0; i < FULL_REQUESTS; i++)
        ok += ts_get_status(s->port, "/hello.txt") == 200;
    return ok;
}

START_TEST(test_access_log_disk_full_serves)
{
    struct ts_server s;
    char mnt[TS_PATH_MAX * 2];
    if (!start_on_full_disk(&s, mnt, sizeof(mnt)))
        return;
    int ok = full_disk_requests(&s);
    const char *survived = ts_hard_survived(&s, false);
    ts_server_stop(&s);
    ts_hard_tmpfs_umount(mnt);
    ck_assert_msg(ok == FULL_REQUESTS, "%d of %d requests answered with the log's disk full", ok,
                  FULL_REQUESTS);
    ck_assert_msg(survived == NULL, "%s", survived);
}
END_TEST

/* The issue asks for the write error in the error log, once per interval rather than per line. */
START_TEST(test_access_log_disk_full_logged)
{
    struct ts_server s;
    char mnt[TS_PATH_MAX * 2];
    if (!start_on_full_disk(&s, mnt, sizeof(mnt)))
        return;
    full_disk_requests(&s);
    ts_file_wait_for(s.error_log, "No space left on device", 5.0);
    size_t logged = ts_hard_log_count(s.error_log, "No space left on device");
    ts_server_stop(&s);
    ts_hard_tmpfs_umount(mnt);
    ck_assert_msg(logged >= 1, "%d access-log writes failed with ENOSPC, none was logged",
                  FULL_REQUESTS);
    ck_assert_msg(logged <= 10, "%zu error lines for %d failed writes: not rate-limited", logged,
                  FULL_REQUESTS);
}
END_TEST

/* ---- modules that cannot be loaded ------------------------------------------------------- */

/* Runs preforkd with module_dir = dir and modules = {"static", name}; it must exit non-zero
 * within a few seconds with a message that names the module. */
static void expect_module_refused(const char *dir, const char *name, const char *why)
{
    struct ts_server s;
    ck_assert_int_eq(ts_server_init(&s), 0);
    char extra[TS_PATH_MAX * 2];
    snprintf(extra, sizeof(extra), "module_dir = \"%s\"\nmodules = {\"static\", \"%s\"}\n", dir,
             name);
    ck_assert_int_eq(ts_server_configure(&s, extra), 0);
    const char *args[] = {"-f", s.conf, NULL};
    ck_assert_int_eq(ts_server_spawn(&s, args), 0);
    bool exited = ts_server_wait_exit(&s, 10.0);
    int status = s.wait_status;
    size_t len = 0;
    char *err = ts_file_read(s.err, &len);
    char *log = ts_file_read(s.error_log, &len);
    bool named = (err != NULL && strstr(err, name) != NULL) || (log != NULL && strstr(log, name));
    static char seen[600];
    snprintf(seen, sizeof(seen), "stderr: %.250s | error log: %.250s", err ? err : "",
             log ? log : "");
    free(err);
    free(log);
    ts_server_stop(&s);
    ck_assert_msg(exited, "%s: preforkd started anyway", why);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) != 0, "%s: exit status %d", why, status);
    ck_assert_msg(named, "%s: the error does not name \"%s\": %s", why, name, seen);
}

/* A temp module_dir with mod_static.so linked in; path gets it. */
static void module_dir_make(char *path, size_t size)
{
    snprintf(path, size, "/tmp/pfd-it-%d-mods-XXXXXX", (int)getpid());
    ck_assert_ptr_nonnull(mkdtemp(path));
    chmod(path, 0755);
    char link[TS_PATH_MAX * 2];
    snprintf(link, sizeof(link), "%s/mod_static.so", path);
    ck_assert_int_eq(symlink(PFD_MODULE_DIR "/mod_static.so", link), 0);
}

/* cc -shared source → dir/mod_<name>.so; 0 or the compiler's exit code. */
static int module_build(const char *dir, const char *name, const char *source)
{
    char src[TS_PATH_MAX * 2], so[TS_PATH_MAX * 2];
    snprintf(src, sizeof(src), "%s/mod_%s.c", dir, name);
    snprintf(so, sizeof(so), "%s/mod_%s.so", dir, name);
    if (ts_file_write(src, source, strlen(source)) != 0)
        return -1;
    const char *argv[] = {"/usr/bin/cc", "-shared", "-fPIC", "-I" PFD_SOURCE_DIR "/server/include",
                          "-o",          so,        src,     NULL};
    char *out = NULL;
    int rc = ts_run(argv, 60, &out);
    if (rc != 0)
        fprintf(stderr, "cc failed: %s\n", out != NULL ? out : "");
    free(out);
    return rc;
}

START_TEST(test_module_missing)
{
    char dir[TS_PATH_MAX];
    module_dir_make(dir, sizeof(dir));
    expect_module_refused(dir, "nosuchmodule", "a module that is not there");
    ts_dir_remove(dir);
}
END_TEST

START_TEST(test_module_wrong_api)
{
    char dir[TS_PATH_MAX];
    module_dir_make(dir, sizeof(dir));
    ck_assert_int_eq(module_build(dir, "oldapi",
                                  "#include \"preforkd/module.h\"\n"
                                  "struct pfd_module pfd_module_oldapi = {\n"
                                  "    .api_version = PFD_MODULE_API_VERSION + 1000,\n"
                                  "    .name = \"oldapi\",\n"
                                  "};\n"),
                     0);
    expect_module_refused(dir, "oldapi", "a module built for another API version");
    ts_dir_remove(dir);
}
END_TEST

START_TEST(test_module_broken_files)
{
    char dir[TS_PATH_MAX];
    module_dir_make(dir, sizeof(dir));
    /* A shared object without the pfd_module_<name> descriptor. */
    ck_assert_int_eq(module_build(dir, "nodesc", "int pfd_not_a_module = 1;\n"), 0);
    expect_module_refused(dir, "nodesc", "a module without its descriptor");
    /* Not an ELF file at all. */
    char path[TS_PATH_MAX * 2];
    snprintf(path, sizeof(path), "%s/mod_garbage.so", dir);
    ck_assert_int_eq(ts_file_write(path, "this is not ELF\n", 16), 0);
    expect_module_refused(dir, "garbage", "a module file that is not a shared object");
    ts_dir_remove(dir);
}
END_TEST

/* ---- descriptor exhaustion ------------------------------------------------------------- */

/* The lowest descriptor number pid does not use: a soft RLIMIT_NOFILE of that leaves it none. */
static rlim_t pid_fd_lowest_free(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
    bool used[1024] = {false};
    DIR *d = opendir(path);
    struct dirent *e;
    while (d != NULL && (e = readdir(d)) != NULL) {
        int fd = atoi(e->d_name);
        if (e->d_name[0] != '.' && fd >= 0 && fd < 1024)
            used[fd] = true;
    }
    if (d != NULL)
        closedir(d);
    rlim_t lowest = 0;
    while (lowest < 1024 && used[lowest])
        lowest++;
    return lowest;
}

/*
 * prlimit(pid, RLIMIT_NOFILE) from a child that has taken pid's user and group first: changing
 * another user's limits needs CAP_SYS_RESOURCE, which containers often drop, while a process
 * may always adjust the soft limit of one with the same ids. soft = 0: back to the hard limit.
 */
static bool pid_nofile_set(pid_t pid, rlim_t soft)
{
    long uids[4], gids[4];
    if (ts_pid_ids(pid, "Uid", uids) != 0 || ts_pid_ids(pid, "Gid", gids) != 0)
        return false;
    pid_t child = fork();
    if (child == 0) {
        if (geteuid() == 0 &&
            (setgroups(0, NULL) != 0 || setgid((gid_t)gids[0]) != 0 || setuid((uid_t)uids[0]) != 0))
            _exit(2);
        struct rlimit rl;
        if (prlimit(pid, RLIMIT_NOFILE, NULL, &rl) != 0)
            _exit(3);
        rl.rlim_cur = soft != 0 ? soft : rl.rlim_max;
        _exit(prlimit(pid, RLIMIT_NOFILE, &rl, NULL) == 0 ? 0 : 4);
    }
    int status;
    return child > 0 && waitpid(child, &status, 0) == child && WIFEXITED(status) &&
           WEXITSTATUS(status) == 0;
}

/* Sets every worker's soft RLIMIT_NOFILE to its lowest free descriptor (so accept() fails with
 * EMFILE), or
 * back to its hard limit; how many workers it changed. */
static size_t workers_limit(pid_t master, bool starve)
{
    pid_t w[TS_MAX_PIDS];
    size_t n = ts_workers(master, w, TS_MAX_PIDS), done = 0;
    for (size_t i = 0; i < n; i++)
        done += pid_nofile_set(w[i], starve ? pid_fd_lowest_free(w[i]) : 0);
    return done;
}

START_TEST(test_fd_exhaustion_recovers)
{
    struct ts_server s;
    ts_server_start(&s,
                    "prefork { start_servers = 2  min_spare_servers = 1  max_spare_servers = 2\n"
                    "          max_workers = 2 }\n");
    ck_assert_msg(ts_workers_wait(s.pid, 2, 2, 5.0) == 2, "the two workers did not start");
    ck_assert_msg(workers_limit(s.pid, true) == 2, "prlimit() on the workers failed");
    /* Flood: connections that cannot be accepted now wait in the backlog. */
    struct ts_conn waiting[8];
    for (int i = 0; i < 8; i++) {
        ck_assert_int_eq(ts_conn_open(&waiting[i], s.port, 2000), 0);
        ck_assert_int_eq(ts_conn_send_str(&waiting[i], "GET /hello.txt HTTP/1.1\r\n" HOST
                                                       "Connection: close\r\n\r\n"),
                         TS_OK);
    }
    /* The first EMFILE, then one second in which a worker that does not back off logs dozens. */
    ts_file_wait_for(s.error_log, "Too many open files", 5.0);
    ts_sleep_ms(1000);
    size_t emfile = ts_hard_log_count(s.error_log, "Too many open files");
    workers_limit(s.pid, false);
    int served = 0;
    for (int i = 0; i < 8; i++) {
        struct ts_response r;
        waiting[i].timeout_ms = 5000;
        int rc = ts_response_read_final(&waiting[i], &r, false);
        served += rc == TS_OK && r.status == 200;
        if (!(rc == TS_OK && r.status == 200))
            fprintf(stderr, "fd exhaustion: connection %d: %s\n", i,
                    rc == TS_OK ? ts_response_describe(&r) : ts_result_name(rc));
        ts_response_free(&r);
        ts_conn_close(&waiting[i]);
    }
    const char *survived = ts_hard_survived(&s, false);
    ts_server_stop(&s);
    ck_assert_msg(emfile >= 1, "accept() did not fail with EMFILE (nothing logged)");
    ck_assert_msg(emfile <= 60, "%zu EMFILE lines in 1 s: the worker does not back off", emfile);
    ck_assert_msg(served == 8, "%d of 8 connections made during the exhaustion were served",
                  served);
    ck_assert_msg(survived == NULL, "%s", survived);
}
END_TEST

/* ---- privileges of CGI scripts ---------------------------------------------------------- */

static const char ids_source[] =
    "#include <dirent.h>\n#include <grp.h>\n#include <stdio.h>\n#include <unistd.h>\n"
    "#include <sys/types.h>\n"
    "int main(void) {\n"
    "    printf(\"Content-Type: text/plain\\r\\n\\r\\n\");\n"
    "    uid_t r, e, s; gid_t gr, ge, gs;\n"
    "    getresuid(&r, &e, &s); getresgid(&gr, &ge, &gs);\n"
    "    printf(\"UIDS=%d %d %d\\nGIDS=%d %d %d\\nGROUPS=\", (int)r, (int)e, (int)s,\n"
    "           (int)gr, (int)ge, (int)gs);\n"
    "    gid_t g[64]; int n = getgroups(64, g);\n"
    "    for (int i = 0; i < n; i++) printf(\"%d \", (int)g[i]);\n"
    "    printf(\"\\nFDS=\");\n"
    "    DIR *d = opendir(\"/proc/self/fd\"); struct dirent *x;\n"
    "    while (d && (x = readdir(d))) {\n"
    "        if (x->d_name[0] == '.') continue;\n"
    "        int fd = atoi(x->d_name);\n"
    "        if (fd == dirfd(d)) continue;\n"
    "        char link[256] = \"\"; char p[64];\n"
    "        snprintf(p, sizeof p, \"/proc/self/fd/%d\", fd);\n"
    "        ssize_t k = readlink(p, link, sizeof link - 1); if (k > 0) link[k] = 0;\n"
    "        printf(\"%d:%s \", fd, link);\n"
    "    }\n"
    "    printf(\"\\n\");\n"
    "    return 0;\n"
    "}\n";

START_TEST(test_cgi_privileges)
{
    if (geteuid() != 0) {
        fprintf(stderr, "privileges: not root, skipped\n");
        return;
    }
    struct passwd *pw = getpwnam("nobody");
    ck_assert_ptr_nonnull(pw);
    uid_t nobody = pw->pw_uid;
    gid_t group = pw->pw_gid;
    struct ts_server s;
    ts_server_start(&s, "modules = {\"static\", \"cgi\"}\n"
                        "location \"^/cgi-bin/\" { handler = \"cgi\" }\n");
    char src[TS_PATH_MAX * 2], bin[TS_PATH_MAX * 3], dir[TS_PATH_MAX * 2];
    snprintf(dir, sizeof(dir), "%s/cgi-bin", s.docroot);
    mkdir(dir, 0755);
    snprintf(src, sizeof(src), "%s/ids.c", s.dir);
    snprintf(bin, sizeof(bin), "%s/ids", dir);
    ck_assert_int_eq(ts_file_write(src, ids_source, strlen(ids_source)), 0);
    const char *argv[] = {"/usr/bin/cc", "-D_GNU_SOURCE", "-include", "stdlib.h", "-o", bin, src,
                          NULL};
    char *out = NULL;
    int rc = ts_run(argv, 60, &out);
    ck_assert_msg(rc == 0, "cc: %s", out != NULL ? out : "");
    free(out);
    chmod(bin, 0755);
    struct ts_response r;
    rc = ts_get(s.port, "/cgi-bin/ids", &r);
    ck_assert_msg(rc == TS_OK && r.status == 200, "GET /cgi-bin/ids: %s",
                  rc == TS_OK ? ts_response_describe(&r) : ts_result_name(rc));
    char want_uids[64], want_gids[64], want_groups[32];
    snprintf(want_uids, sizeof(want_uids), "UIDS=%d %d %d", (int)nobody, (int)nobody, (int)nobody);
    snprintf(want_gids, sizeof(want_gids), "GIDS=%d %d %d", (int)group, (int)group, (int)group);
    snprintf(want_groups, sizeof(want_groups), "GROUPS=%d \n", (int)group);
    static char body[2048];
    snprintf(body, sizeof(body), "%s", r.body);
    ts_response_free(&r);
    const char *survived = ts_hard_survived(&s, false);
    ts_server_stop(&s);
    ck_assert_msg(strstr(body, want_uids) != NULL, "want %s:\n%s", want_uids, body);
    ck_assert_msg(strstr(body, want_gids) != NULL, "want %s:\n%s", want_gids, body);
    ck_assert_msg(strstr(body, want_groups) != NULL || strstr(body, "GROUPS=\n") != NULL,
                  "supplementary groups beyond the user's: want %s\n%s", want_groups, body);
    const char *fds = strstr(body, "FDS=");
    ck_assert_ptr_nonnull(fds);
    int extra = 0;
    for (const char *p = fds + 4; *p != '\0' && *p != '\n';) {
        int fd = atoi(p);
        extra += fd > 2;
        p = strchr(p, ' ');
        if (p == NULL)
            break;
        p++;
    }
    ck_assert_msg(extra == 0, "the script inherited descriptors beyond 0, 1, 2: %s", fds);
    ck_assert_msg(survived == NULL, "%s", survived);
}
END_TEST

static Suite *faults_suite(void)
{
    Suite *s = suite_create("faults");
    const struct ts_case cases[] = {
        {"kill_workers_under_load", test_kill_workers_under_load},
        {"access_log_disk_full_serves", test_access_log_disk_full_serves},
        {"access_log_disk_full_logged", test_access_log_disk_full_logged},
        {"module_missing", test_module_missing},
        {"module_wrong_api", test_module_wrong_api},
        {"module_broken_files", test_module_broken_files},
        {"fd_exhaustion_recovers", test_fd_exhaustion_recovers},
        {"cgi_privileges", test_cgi_privileges},
    };
    ts_suite_add_cases(s, cases, sizeof(cases) / sizeof(cases[0]), 60);
    return s;
}

int main(void)
{
    return ts_run_session(faults_suite());
}
