/*
 * testsupport_server.c — the life of a test server: a temp site, a config, fork/exec of the
 * real binary, readiness, stop, cleanup. See testsupport.h.
 */
#include "testsupport.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#define TS_MAX_SERVERS 8       /* live servers one test may hold, for the atexit cleanup */
#define TS_MAX_ARGS 16         /* arguments ts_server_spawn() passes */
#define TS_REPORT_MAX 4000     /* bytes of a log quoted in a failure message */
#define TS_MAX_WRAPPER_ARGS 16 /* words of PFD_TEST_WRAPPER */

/* Minimal Apache-style mime.types, used when the tree has none to copy. */
static const char ts_mime_types[] = "text/html html htm\n"
                                    "text/plain txt\n"
                                    "text/css css\n"
                                    "application/octet-stream bin\n";

/* Test defaults for the sections a test does not write itself. */
static const struct {
    const char *name;
    const char *text;
} ts_default_sections[] = {
    {"prefork", "prefork { start_servers = 2  min_spare_servers = 1  max_spare_servers = 3\n"
                "          max_workers = 10  max_requests_per_child = 0 }\n"},
    {"timeouts", "timeouts { header = 10  body = 10  keepalive = 5 }\n"},
    /* body: the server's own default (1G), as a user gets it; tests of the limit set theirs */
    {"limits", "limits { request_line = 8190  header_fields = 100  header_field_size = 8190 }\n"},
    {"keepalive", "keepalive { enabled = true  max_requests = 100 }\n"},
};

/* The test program's pid, set by ts_session_begin() and inherited by Check's test processes. */
static pid_t ts_session;

void ts_session_begin(void)
{
    ts_session = getpid();
}

int ts_session_end(int failed)
{
    char prefix[64];
    int n = snprintf(prefix, sizeof(prefix), "pfd-it-%d-", (int)ts_session);
    DIR *dir = getenv("PFD_TEST_KEEP") == NULL ? opendir("/tmp") : NULL;
    struct dirent *entry;
    while (dir != NULL && (entry = readdir(dir)) != NULL) {
        char path[TS_PATH_MAX];
        if (strncmp(entry->d_name, prefix, (size_t)n) != 0)
            continue;
        snprintf(path, sizeof(path), "/tmp/%.300s", entry->d_name);
        ts_dir_remove(path);
    }
    if (dir != NULL)
        closedir(dir);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/*
 * Servers made and not stopped yet, by value (a test's struct ts_server lives on its stack): the
 * atexit hook kills them and removes their dirs when a test ends without ts_server_stop().
 */
static struct {
    char dir[TS_PATH_MAX]; /* "" when the slot is free */
    pid_t pid;             /* the master while it may run, else -1 */
} ts_live[TS_MAX_SERVERS];

static void server_cleanup_all(void);

static void registry_set(const struct ts_server *s)
{
    static bool hooked;
    if (!hooked) {
        atexit(server_cleanup_all);
        hooked = true;
    }
    size_t free_slot = TS_MAX_SERVERS;
    for (size_t i = 0; i < TS_MAX_SERVERS; i++) {
        if (strcmp(ts_live[i].dir, s->dir) == 0) {
            ts_live[i].pid = s->wait_status == -1 ? s->pid : -1;
            return;
        }
        if (ts_live[i].dir[0] == '\0' && free_slot == TS_MAX_SERVERS)
            free_slot = i;
    }
    if (free_slot < TS_MAX_SERVERS) {
        snprintf(ts_live[free_slot].dir, sizeof(ts_live[free_slot].dir), "%s", s->dir);
        ts_live[free_slot].pid = s->pid;
    }
}

static void registry_remove(const struct ts_server *s)
{
    for (size_t i = 0; i < TS_MAX_SERVERS; i++) {
        if (strcmp(ts_live[i].dir, s->dir) == 0)
            ts_live[i].dir[0] = '\0';
    }
}

/* SIGKILL a master and its workers; returns its wait status, or -1 when it was not ours. */
static int master_kill_hard(pid_t master)
{
    pid_t workers[TS_MAX_PIDS];
    size_t n = ts_workers(master, workers, TS_MAX_PIDS);
    kill(master, SIGKILL);
    for (size_t i = 0; i < n; i++)
        kill(workers[i], SIGKILL);
    int status;
    return waitpid(master, &status, 0) == master ? status : -1;
}

static void server_kill_hard(struct ts_server *s)
{
    if (s->pid > 0 && s->wait_status == -1)
        s->wait_status = master_kill_hard(s->pid);
}

/* Runs at the exit of a test process: what a failed test left running or on disk. */
static void server_cleanup_all(void)
{
    for (size_t i = 0; i < TS_MAX_SERVERS; i++) {
        if (ts_live[i].dir[0] == '\0')
            continue;
        if (ts_live[i].pid > 0)
            master_kill_hard(ts_live[i].pid);
        if (getenv("PFD_TEST_KEEP") == NULL)
            ts_dir_remove(ts_live[i].dir);
        ts_live[i].dir[0] = '\0';
    }
}

int ts_port_pick(void)
{
    return ts_port_pick_host(TS_HOST);
}

int ts_port_pick_host(const char *host)
{
    struct sockaddr_storage addr;
    socklen_t len;
    if (ts_address(host, 0, &addr, &len) != 0)
        return -1;
    int fd = socket(addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd == -1)
        return -1;
    int port = -1;
    if (bind(fd, (struct sockaddr *)&addr, len) == 0 &&
        getsockname(fd, (struct sockaddr *)&addr, &len) == 0)
        port = ntohs(addr.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&addr)->sin6_port
                                                : ((struct sockaddr_in *)&addr)->sin_port);
    close(fd);
    return port;
}

/* dir/name ← text; 0 or -1. */
static int site_put(const char *dir, const char *name, const void *data, size_t len)
{
    char path[TS_PATH_MAX * 2];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    return ts_file_write(path, data, len);
}

static int site_put_big(const char *docroot)
{
    unsigned char *big = malloc(TS_BIG_SIZE);
    if (big == NULL)
        return -1;
    for (size_t i = 0; i < TS_BIG_SIZE; i++)
        big[i] = ts_big_byte(i);
    int rc = site_put(docroot, TS_BIG_PATH + 1, big, TS_BIG_SIZE);
    free(big);
    return rc;
}

/* The tree's mime.types beside the config (its default place), or a minimal one. */
static int site_put_mime_types(const char *dir)
{
    size_t len = 0;
    char *tree = ts_file_read(PFD_SOURCE_DIR "/config/mime.types", &len);
    int rc = tree != NULL ? site_put(dir, "mime.types", tree, len)
                          : site_put(dir, "mime.types", ts_mime_types, strlen(ts_mime_types));
    free(tree);
    return rc;
}

/* htdocs/{index.html, hello.txt, sub/index.html, big.bin}, world-readable: when the tests run
 * as root the workers drop to `nobody` and must still read the site. */
static int site_make(struct ts_server *s)
{
    char sub[TS_PATH_MAX + 8];
    snprintf(sub, sizeof(sub), "%s/sub", s->docroot);
    if (chmod(s->dir, 0755) != 0 || mkdir(s->docroot, 0755) != 0 || mkdir(sub, 0755) != 0)
        return -1;
    if (site_put(s->docroot, "index.html", TS_INDEX_HTML, strlen(TS_INDEX_HTML)) != 0 ||
        site_put(s->docroot, "hello.txt", TS_HELLO_TXT, strlen(TS_HELLO_TXT)) != 0 ||
        site_put(sub, "index.html", TS_SUB_INDEX_HTML, strlen(TS_SUB_INDEX_HTML)) != 0)
        return -1;
    return site_put_big(s->docroot) == 0 && site_put_mime_types(s->dir) == 0 ? 0 : -1;
}

static void server_paths(struct ts_server *s)
{
    snprintf(s->docroot, sizeof(s->docroot), "%.400s/htdocs", s->dir);
    snprintf(s->conf, sizeof(s->conf), "%.400s/preforkd.conf", s->dir);
    snprintf(s->error_log, sizeof(s->error_log), "%.400s/error.log", s->dir);
    snprintf(s->access_log, sizeof(s->access_log), "%.400s/access.log", s->dir);
    snprintf(s->pid_file, sizeof(s->pid_file), "%.400s/preforkd.pid", s->dir);
    snprintf(s->out, sizeof(s->out), "%.400s/stdout.txt", s->dir);
    snprintf(s->err, sizeof(s->err), "%.400s/stderr.txt", s->dir);
}

int ts_server_init(struct ts_server *s)
{
    memset(s, 0, sizeof(*s));
    s->pid = -1;
    s->wait_status = -1;
    snprintf(s->dir, sizeof(s->dir), "/tmp/pfd-it-%d-XXXXXX", (int)ts_session);
    if (mkdtemp(s->dir) == NULL)
        return -1;
    registry_set(s);
    server_paths(s);
    s->port = ts_port_pick();
    return s->port > 0 && site_make(s) == 0 ? 0 : -1;
}

/* Whether text holds `name {` (a section of that name) at a word boundary. */
static bool text_has_section(const char *text, const char *name)
{
    size_t len = strlen(name);
    for (const char *p = strstr(text, name); p != NULL; p = strstr(p + 1, name)) {
        bool starts = p == text || !(p[-1] == '_' || (p[-1] >= 'a' && p[-1] <= 'z'));
        const char *q = p + len;
        while (*q == ' ' || *q == '\t' || *q == '\n')
            q++;
        if (starts && *q == '{')
            return true;
    }
    return false;
}

/* Whether text sets `name =` at the start of a line (leading blanks allowed). */
static bool text_sets(const char *text, const char *name)
{
    size_t len = strlen(name);
    for (const char *p = strstr(text, name); p != NULL; p = strstr(p + 1, name)) {
        const char *start = p;
        while (start > text && (start[-1] == ' ' || start[-1] == '\t'))
            start--;
        const char *q = p + len;
        while (*q == ' ' || *q == '\t')
            q++;
        if ((start == text || start[-1] == '\n') && *q == '=')
            return true;
    }
    return false;
}

int ts_server_configure(struct ts_server *s, const char *extra)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (f == NULL)
        return -1;
    extra = extra != NULL ? extra : "";
    fputs("# written by test/support/testsupport_server.c\n", f);
    if (!text_sets(extra, "listen"))
        fprintf(f, "listen = {\"%s:%d\"}\n", TS_HOST, s->port);
    fprintf(f,
            "document_root = \"%s\"\n"
            "module_dir = \"%s\"\n"
            "modules = {\"static\"}\n"
            "error_log = \"%s\"\n"
            "log_level = \"info\"\n"
            "access_log = \"%s\"\n"
            "pid_file = \"%s\"\n",
            s->docroot, PFD_MODULE_DIR, s->error_log, s->access_log, s->pid_file);
    for (size_t i = 0; i < sizeof(ts_default_sections) / sizeof(ts_default_sections[0]); i++) {
        if (!text_has_section(extra, ts_default_sections[i].name))
            fputs(ts_default_sections[i].text, f);
    }
    fprintf(f, "%s\n", extra);
    fclose(f);
    int rc = text != NULL ? ts_file_write(s->conf, text, len) : -1;
    free(text);
    return rc;
}

/* In the child: own stdout/stderr, a clean signal state, die with the test, exec. */
static void server_exec_child(const struct ts_server *s, const char *const *argv)
{
    int out = open(s->out, O_WRONLY | O_CREAT | O_APPEND, 0644);
    int err = open(s->err, O_WRONLY | O_CREAT | O_APPEND, 0644);
    int null_fd = open("/dev/null", O_RDONLY);
    if (out == -1 || err == -1 || null_fd == -1)
        _exit(126);
    dup2(null_fd, STDIN_FILENO);
    dup2(out, STDOUT_FILENO);
    dup2(err, STDERR_FILENO);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    /* If the test process dies without stopping us, stop as well. */
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    execvp(argv[0], (char *const *)argv); /* p: a PFD_TEST_WRAPPER found on PATH */
    dprintf(STDERR_FILENO, "execvp(\"%s\") failed: %s\n", argv[0], strerror(errno));
    _exit(127);
}

int ts_server_spawn(struct ts_server *s, const char *const *args)
{
    const char *argv[TS_MAX_ARGS + TS_MAX_WRAPPER_ARGS + 4];
    size_t n = 0;
    /* PFD_TEST_WRAPPER="valgrind --error-exitcode=99 …" runs the server under that command
     * (test/memcheck.sh); its words are split on blanks, no quoting. */
    static char wrapper[1024];
    const char *env = getenv("PFD_TEST_WRAPPER");
    snprintf(wrapper, sizeof(wrapper), "%s", env != NULL ? env : "");
    for (char *save = NULL, *w = strtok_r(wrapper, " \t", &save);
         w != NULL && n < TS_MAX_WRAPPER_ARGS; w = strtok_r(NULL, " \t", &save))
        argv[n++] = w;
    argv[n++] = PFD_BINARY;
    for (size_t i = 0; args != NULL && args[i] != NULL && i < TS_MAX_ARGS; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    /* Workers orphaned by a dying master come to us, so none lingers as a zombie of init. */
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    s->wait_status = -1;
    s->pid = fork();
    if (s->pid == 0)
        server_exec_child(s, argv);
    if (s->pid > 0)
        registry_set(s);
    return s->pid > 0 ? 0 : -1;
}

int ts_server_wait_ready(struct ts_server *s, double timeout_s)
{
    double deadline = ts_now() + timeout_s;
    for (int i = 0; i < 100000; i++) {
        if (ts_server_wait_exit(s, 0))
            return -1;
        struct ts_conn c;
        if (ts_conn_open(&c, s->port, 250) == 0) {
            ts_conn_close(&c);
            return 0;
        }
        if (ts_now() > deadline)
            return -1;
        ts_sleep_ms(50);
    }
    return -1;
}

/* The last TS_REPORT_MAX bytes of a file, malloc'd ("" when unreadable). */
static char *file_tail(const char *path)
{
    size_t len = 0;
    char *text = ts_file_read(path, &len);
    if (text == NULL)
        return strdup("");
    if (len > TS_REPORT_MAX)
        memmove(text, text + len - TS_REPORT_MAX, TS_REPORT_MAX + 1);
    return text;
}

void ts_server_dump(const struct ts_server *s)
{
    const char *names[] = {s->err, s->out, s->error_log};
    for (size_t i = 0; i < 3; i++) {
        char *tail = file_tail(names[i]);
        fprintf(stderr, "---- %s (tail) ----\n%s\n", names[i], tail);
        free(tail);
    }
}

void ts_server_start_args(struct ts_server *s, const char *extra, const char *const *args)
{
    ck_assert_msg(ts_server_init(s) == 0, "cannot make the test site in %s: %s", s->dir,
                  strerror(errno));
    ts_server_launch_args(s, extra, args);
}

void ts_server_launch(struct ts_server *s, const char *extra)
{
    ts_server_launch_args(s, extra, NULL);
}

void ts_server_launch_args(struct ts_server *s, const char *extra, const char *const *args)
{
    ck_assert_msg(ts_server_configure(s, extra) == 0, "cannot write %s", s->conf);
    const char *argv[TS_MAX_ARGS + 1];
    size_t n = 0;
    for (size_t i = 0; args != NULL && args[i] != NULL && n < TS_MAX_ARGS - 2; i++)
        argv[n++] = args[i];
    argv[n++] = "-f";
    argv[n++] = s->conf;
    argv[n] = NULL;
    ck_assert_msg(ts_server_spawn(s, argv) == 0, "fork: %s", strerror(errno));
    if (ts_server_wait_ready(s, TS_START_TIMEOUT_S) == 0)
        return;
    ts_server_dump(s);
    static char err[1500], log[1500]; /* copies: ck_abort_msg() does not return */
    char *text = file_tail(s->err);
    snprintf(err, sizeof(err), "%s", text);
    free(text);
    text = file_tail(s->error_log);
    snprintf(log, sizeof(log), "%s", text);
    free(text);
    ck_abort_msg("preforkd did not accept on %s:%d within %.0f s (%s, wait status %d)\n"
                 "stderr: %s\nerror log: %s",
                 TS_HOST, s->port, TS_START_TIMEOUT_S,
                 s->wait_status == -1 ? "still running" : "exited", s->wait_status, err, log);
}

void ts_server_start(struct ts_server *s, const char *extra)
{
    ts_server_start_args(s, extra, NULL);
}

void ts_server_adopt(struct ts_server *s, pid_t master)
{
    s->pid = master;
    s->wait_status = -1;
    registry_set(s);
}

bool ts_server_wait_exit(struct ts_server *s, double timeout_s)
{
    if (s->pid <= 0)
        return true;
    if (s->wait_status != -1)
        return true;
    double deadline = ts_now() + timeout_s;
    for (int i = 0; i < 1000000; i++) {
        int status;
        pid_t got = waitpid(s->pid, &status, WNOHANG);
        if (got == s->pid) {
            s->wait_status = status;
            registry_set(s); /* reaped: its pid is no longer ours to kill */
            return true;
        }
        if (got == -1 && errno != EINTR)
            return false;
        if (ts_now() >= deadline)
            return false;
        ts_sleep_ms(20);
    }
    return false;
}

/* Reaps orphaned workers that were handed to us (we are a subreaper). */
static void reap_orphans(void)
{
    for (int i = 0; i < TS_MAX_PIDS; i++) {
        if (waitpid(-1, NULL, WNOHANG) <= 0)
            return;
    }
}

bool ts_pids_wait_gone(const pid_t *pids, size_t n, double timeout_s)
{
    double deadline = ts_now() + timeout_s;
    for (int round = 0; round < 100000; round++) {
        reap_orphans();
        size_t alive = 0;
        for (size_t i = 0; i < n; i++)
            alive += ts_pid_alive(pids[i]);
        if (alive == 0)
            return true;
        if (ts_now() > deadline)
            return false;
        ts_sleep_ms(20);
    }
    return false;
}

char *ts_server_sanitizer_report(const struct ts_server *s)
{
    static const char *const markers[] = {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
                                          "runtime error:", "AddressSanitizer:DEADLYSIGNAL"};
    const char *files[] = {s->err, s->error_log, s->out};
    for (size_t f = 0; f < 3; f++) {
        char *text = ts_file_read(files[f], NULL);
        for (size_t m = 0; text != NULL && m < sizeof(markers) / sizeof(markers[0]); m++) {
            char *hit = strstr(text, markers[m]);
            if (hit != NULL) {
                char *excerpt = strndup(hit, TS_REPORT_MAX);
                free(text);
                return excerpt;
            }
        }
        free(text);
    }
    return NULL;
}

/* SIGTERM, then SIGKILL past the deadline; true when no kill was needed. */
static bool server_terminate(struct ts_server *s)
{
    if (s->pid <= 0 || s->wait_status != -1)
        return true;
    pid_t workers[TS_MAX_PIDS];
    size_t n = ts_workers(s->pid, workers, TS_MAX_PIDS);
    kill(s->pid, SIGTERM);
    bool clean = ts_server_wait_exit(s, TS_STOP_TIMEOUT_S);
    if (!clean)
        server_kill_hard(s);
    if (!ts_pids_wait_gone(workers, n, 5.0)) {
        clean = false;
        for (size_t i = 0; i < n; i++)
            kill(workers[i], SIGKILL);
        ts_pids_wait_gone(workers, n, 5.0);
    }
    return clean;
}

void ts_server_stop(struct ts_server *s)
{
    bool clean = server_terminate(s);
    char *report = ts_server_sanitizer_report(s);
    if (!clean || report != NULL)
        ts_server_dump(s);
    registry_remove(s);
    if (getenv("PFD_TEST_KEEP") == NULL)
        ts_dir_remove(s->dir);
    else
        fprintf(stderr, "PFD_TEST_KEEP: left %s\n", s->dir);
    s->pid = -1;
    ck_assert_msg(clean, "preforkd (or a worker) did not exit within %.0f s of SIGTERM",
                  TS_STOP_TIMEOUT_S);
    if (report != NULL) {
        static char copy[TS_REPORT_MAX + 1]; /* ck_abort_msg() does not return */
        snprintf(copy, sizeof(copy), "%s", report);
        free(report);
        ck_abort_msg("sanitizer report from preforkd:\n%s", copy);
    }
}
