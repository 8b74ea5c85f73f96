/*
 * testsupport_browser.c — headless Chromium with a private profile (see testsupport_browser.h).
 */
#include "testsupport_browser.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define BROWSER_CERTUTIL_TIMEOUT_S 20.0
#define BROWSER_LEFTOVER_S 2.0     /* how long the browser's orphans may take to exit */
#define BROWSER_REAP_TIMEOUT_S 5.0 /* until the last of them is reaped */
#define BROWSER_MAX_ARGS 24
#define BROWSER_NETLOG "netlog.json" /* in the profile's folder */

/*
 * The command line, besides the profile and the URL. No flag weakens the certificate check: the
 * point of the tests is that a browser accepts the chain, protocol and ciphers as served.
 */
static const char *const browser_flags[] = {
    /* Chromium 132+ has only the new headless mode (156 takes --headless and --headless=new). */
    "--headless=new",
    /* The tests (and CI) run as root, and Chromium refuses to start as root with its sandbox,
     * which needs an unprivileged user's namespaces. The sandbox shields the machine from
     * hostile web content; the only content here is the test's own pages. */
    "--no-sandbox",
    /* No GPU in a container; a small /dev/shm there: shared memory goes to TMPDIR (ours). */
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--no-default-browser-check",
    /* Loopback traffic only: no update checks or sync (a fresh profile has not agreed to crash
     * reports), and every host name but localhost fails to resolve. localhost is 127.0.0.1
     * alone, where the servers listen: else Chromium tries ::1 first, where another program may
     * have the same port. The URL's host (for SNI and the certificate's name) stays localhost. */
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP localhost 127.0.0.1, MAP * ~NOTFOUND",
};

bool ts_browser_available(void)
{
    return access(TS_BROWSER, X_OK) == 0 && access(TS_CERTUTIL, X_OK) == 0;
}

/* <b->dir><suffix> into out (TS_PATH_MAX); false when it does not fit. */
static bool browser_path(const struct ts_browser *b, const char *suffix, char *out)
{
    int n = snprintf(out, TS_PATH_MAX, "%s%s", b->dir, suffix);
    return n > 0 && n < TS_PATH_MAX;
}

/* Runs certutil with args on b's NSS database; 0, or -1 after printing what it said. */
static int browser_certutil(const struct ts_browser *b, const char *const *args)
{
    char db[TS_PATH_MAX];
    if (!browser_path(b, "/.pki/nssdb", db))
        return -1;
    char where[TS_PATH_MAX + 8];
    snprintf(where, sizeof(where), "sql:%s", db);
    const char *argv[BROWSER_MAX_ARGS] = {TS_CERTUTIL};
    size_t n = 1;
    for (size_t i = 0; args[i] != NULL && n < BROWSER_MAX_ARGS - 3; i++)
        argv[n++] = args[i];
    argv[n++] = "-d";
    argv[n++] = where;
    argv[n] = NULL;
    char *out = NULL;
    int rc = ts_run(argv, BROWSER_CERTUTIL_TIMEOUT_S, &out);
    if (rc != 0)
        fprintf(stderr, "certutil %s failed (%d): %s\n", args[0], rc, out != NULL ? out : "");
    free(out);
    return rc == 0 ? 0 : -1;
}

int ts_browser_profile(struct ts_browser *b, const char *dir, const char *ca_file)
{
    int n = snprintf(b->dir, sizeof(b->dir), "%s", dir);
    if (n <= 0 || n >= (int)sizeof(b->dir) || mkdir(b->dir, 0700) != 0)
        return -1;
    static const char *const folders[] = {"/.pki", "/.pki/nssdb", "/profile", "/tmp"};
    for (size_t i = 0; i < sizeof(folders) / sizeof(folders[0]); i++) {
        char path[TS_PATH_MAX];
        if (!browser_path(b, folders[i], path) || mkdir(path, 0700) != 0) {
            fprintf(stderr, "mkdir() \"%s%s\" failed: %s\n", b->dir, folders[i], strerror(errno));
            return -1;
        }
    }
    const char *create[] = {"-N", "--empty-password", NULL};
    if (browser_certutil(b, create) != 0)
        return -1;
    /* "C,,": a CA trusted to issue server certificates (not e-mail or code signing ones). */
    const char *trust[] = {"-A", "-t", "C,,", "-n", "preforkd test CA", "-i", ca_file, NULL};
    return ca_file != NULL ? browser_certutil(b, trust) : 0;
}

/* In the child: its own process group (so every process it starts can be killed at once),
 * HOME and TMPDIR in the profile, stdout and stderr to their files, exec. */
static void browser_exec_child(const struct ts_browser *b, const char *const *argv, int dom_fd,
                               int log_fd)
{
    char tmp[TS_PATH_MAX];
    setpgid(0, 0);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd != -1)
        dup2(null_fd, STDIN_FILENO);
    dup2(dom_fd, STDOUT_FILENO);
    dup2(log_fd, STDERR_FILENO);
    if (!browser_path(b, "/tmp", tmp) || setenv("HOME", b->dir, 1) != 0 ||
        setenv("TMPDIR", tmp, 1) != 0)
        _exit(127);
    execv(argv[0], (char *const *)argv);
    dprintf(log_fd, "execv(\"%s\") failed: %s\n", argv[0], strerror(errno));
    _exit(127);
}

/* Waits for the browser until deadline; its exit code, 128+signal, or -1 when time ran out. */
static int browser_wait(pid_t pid, double deadline)
{
    int status = 0;
    for (int i = 0; i < 1000000; i++) {
        pid_t got = waitpid(pid, &status, WNOHANG);
        if (got == pid)
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        if ((got == -1 && errno != EINTR) || ts_now() > deadline)
            return -1;
        ts_sleep_ms(20);
    }
    return -1;
}

/*
 * Ends what the browser left: its process group (a renderer can outlive the browser process) is
 * killed, and the processes that came to us since before (the harness is a subreaper: the
 * browser's orphans, such as its crash handler, which runs in a session of its own) are reaped,
 * or killed when they stay past BROWSER_LEFTOVER_S.
 */
static void browser_leftovers_end(pid_t pgid, const pid_t *before, size_t nbefore)
{
    kill(-pgid, SIGKILL);
    double start = ts_now();
    for (int i = 0; i < 100000; i++) {
        pid_t pids[TS_MAX_PIDS];
        char states[TS_MAX_PIDS];
        size_t n = ts_children(getpid(), pids, states, TS_MAX_PIDS), left = 0;
        for (size_t k = 0; k < n; k++) {
            if (ts_pid_in(pids[k], before, nbefore))
                continue;
            left++;
            if (states[k] == 'Z')
                waitpid(pids[k], NULL, WNOHANG);
            else if (ts_now() > start + BROWSER_LEFTOVER_S)
                kill(pids[k], SIGKILL);
        }
        if (left == 0 || ts_now() > start + BROWSER_REAP_TIMEOUT_S)
            return;
        ts_sleep_ms(10);
    }
}

/* The browser's command line for one URL, and the buffers of its per-profile flags. */
struct browser_cmd {
    const char *argv[BROWSER_MAX_ARGS];
    char profile_flag[TS_PATH_MAX + 32];
    char netlog_flag[TS_PATH_MAX + 32];
};

/* cmd for url with b's profile and net log; false when a path does not fit. */
static bool browser_cmd_make(const struct ts_browser *b, const char *url, struct browser_cmd *cmd)
{
    _Static_assert(sizeof(browser_flags) / sizeof(browser_flags[0]) + 6 <= BROWSER_MAX_ARGS,
                   "browser_cmd_make() overflows argv");
    size_t n = 0;
    cmd->argv[n++] = TS_BROWSER;
    for (size_t i = 0; i < sizeof(browser_flags) / sizeof(browser_flags[0]); i++)
        cmd->argv[n++] = browser_flags[i];
    int len = snprintf(cmd->profile_flag, sizeof(cmd->profile_flag), "--user-data-dir=%s/profile",
                       b->dir);
    int netlog_len = snprintf(cmd->netlog_flag, sizeof(cmd->netlog_flag),
                              "--log-net-log=%s/" BROWSER_NETLOG, b->dir);
    cmd->argv[n++] = cmd->profile_flag;
    cmd->argv[n++] = cmd->netlog_flag;
    cmd->argv[n++] = "--dump-dom";
    cmd->argv[n++] = url;
    cmd->argv[n] = NULL;
    return len > 0 && len < (int)sizeof(cmd->profile_flag) && netlog_len > 0 &&
           netlog_len < (int)sizeof(cmd->netlog_flag);
}

/* A file of b's folder for one run's output, emptied; its fd or -1. */
static int browser_output(const struct ts_browser *b, const char *suffix, char *path)
{
    return browser_path(b, suffix, path) ? open(path, O_RDWR | O_CREAT | O_TRUNC, 0600) : -1;
}

int ts_browser_dump_dom(const struct ts_browser *b, const char *url, double timeout_s,
                        struct ts_browser_page *page)
{
    struct browser_cmd cmd;
    char dom_path[TS_PATH_MAX], log_path[TS_PATH_MAX], netlog_path[TS_PATH_MAX];
    page->exit_code = -1;
    page->dom = page->log = page->netlog = NULL;
    int dom_fd = browser_output(b, "/dom.out", dom_path);
    int log_fd = browser_output(b, "/stderr.out", log_path);
    bool ready = dom_fd != -1 && log_fd != -1 && browser_cmd_make(b, url, &cmd) &&
                 browser_path(b, "/" BROWSER_NETLOG, netlog_path);
    if (ready)
        unlink(netlog_path); /* not a previous run's */
    pid_t before[TS_MAX_PIDS], pid = -1;
    size_t nbefore = ts_children(getpid(), before, NULL, TS_MAX_PIDS);
    if (ready)
        pid = fork();
    if (pid == 0)
        browser_exec_child(b, cmd.argv, dom_fd, log_fd);
    if (pid > 0) {
        setpgid(pid, pid); /* also here: the group exists before we might kill it */
        page->exit_code = browser_wait(pid, ts_now() + timeout_s);
        browser_leftovers_end(pid, before, nbefore);
        page->dom = ts_file_read(dom_path, NULL);
        page->log = ts_file_read(log_path, NULL);
        page->netlog = ts_file_read(netlog_path, NULL);
    }
    if (dom_fd != -1)
        close(dom_fd);
    if (log_fd != -1)
        close(log_fd);
    page->dom = page->dom != NULL ? page->dom : strdup("");
    page->log = page->log != NULL ? page->log : strdup("");
    page->netlog = page->netlog != NULL ? page->netlog : strdup("");
    return pid > 0 ? 0 : -1;
}

void ts_browser_page_free(struct ts_browser_page *page)
{
    free(page->dom);
    free(page->log);
    free(page->netlog);
    page->dom = page->log = page->netlog = NULL;
}
